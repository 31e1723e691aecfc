# The house: every include goes down the layers (scripts/check-layers).
add_test(NAME layers COMMAND ${KSEG_PYTHON} ${PROJECT_SOURCE_DIR}/scripts/check-layers)
set_tests_properties(layers PROPERTIES TIMEOUT 60 LABELS unit)
# The build pins what bit-identity relies on: compiled with the library's own
# compile options, a*b+c must fuse into an FMA (-ffp-contract=fast); skipped
# (exit 77) where the target has no FMA.
add_executable(test_fp_contract test_fp_contract.c)
target_compile_options(test_fp_contract PRIVATE $<TARGET_PROPERTY:kseg_lib,COMPILE_OPTIONS>)
target_link_libraries(test_fp_contract PRIVATE m)
add_test(NAME fp_contract COMMAND test_fp_contract)
set_tests_properties(fp_contract PROPERTIES TIMEOUT 30 LABELS unit)
