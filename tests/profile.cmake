kseg_cli_test(profile_oracle profile_oracle.sh)
kseg_cli_test(profile_generate profile_generate.sh)
kseg_cli_test(profile_errors profile_errors.sh)
