kseg_unit_test(json test_json.c)
