# The house: every include goes down the layers (scripts/check-layers).
add_test(NAME layers COMMAND ${KSEG_PYTHON} ${PROJECT_SOURCE_DIR}/scripts/check-layers)
set_tests_properties(layers PROPERTIES TIMEOUT 60 LABELS unit)
