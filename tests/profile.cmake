kseg_cli_test(profile_oracle profile_oracle.sh)
