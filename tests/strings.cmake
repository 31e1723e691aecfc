# strings: the string helpers of src/core/strings.c.
kseg_unit_test(strings test_strings.c)
