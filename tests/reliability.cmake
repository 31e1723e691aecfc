# Reliability: checkpoint/resume after kill -9, bad input and injected
# failures for every subcommand at 3 ranks, fuzz regressions, two hosts.
kseg_cli_test(reliability_fit_resume reliability_fit_resume.sh)
kseg_cli_test(reliability_fit reliability_fit.sh LABELS badinput)
kseg_cli_test(reliability_sweep reliability_sweep.sh LABELS badinput)
kseg_cli_test(reliability_metrics reliability_metrics.sh LABELS badinput)
kseg_cli_test(reliability_prep reliability_prep.sh LABELS badinput)
kseg_cli_test(reliability_import reliability_import.sh LABELS badinput)

# The fuzz targets with a plain main (tests/fuzz/replay.c) in every build:
# the corpus seeds and every input that once crashed (tests/fuzz/regressions)
# are replayed by ctest, under ASan/UBSan in scripts/sanitize.sh.
set(KSEG_FUZZ_CSV_SOURCES ${PROJECT_SOURCE_DIR}/src/io/csv/parse.c ${PROJECT_SOURCE_DIR}/src/io/csv/values.c
  ${PROJECT_SOURCE_DIR}/src/io/csv/dates.c ${PROJECT_SOURCE_DIR}/src/io/csv/evidence.c
  ${PROJECT_SOURCE_DIR}/src/io/csv/encoding.c ${PROJECT_SOURCE_DIR}/src/core/strings.c)
foreach(target csv args)
  if(target STREQUAL csv)
    set(fuzzed ${KSEG_FUZZ_CSV_SOURCES})
  else()
    set(fuzzed ${PROJECT_SOURCE_DIR}/src/cli/args.c)
  endif()
  add_executable(fuzz_${target}_replay ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_${target}.c
    ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/replay.c ${fuzzed} ${PROJECT_SOURCE_DIR}/src/core/error.c)
  target_include_directories(fuzz_${target}_replay PRIVATE ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR}/src/cli)
  target_link_libraries(fuzz_${target}_replay PRIVATE MPI::MPI_C m)
  add_test(NAME fuzz_${target}_regressions
    COMMAND fuzz_${target}_replay ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/corpus/${target}
            ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/regressions/${target})
  set_tests_properties(fuzz_${target}_regressions PROPERTIES TIMEOUT 120 LABELS "unit;fuzz")
endforeach()

# Two "hosts" (network namespaces + veth, Open MPI over TCP); SKIPPED
# unless root with network namespaces.
kseg_cli_test(twohost_fit twohost_fit.sh TIMEOUT 300 RANKS 2)
kseg_cli_test(reliability_jobscripts reliability_jobscripts.sh RANKS 2)
