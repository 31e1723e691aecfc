/* test_json.c - the JSON writer: both layouts, line breaks, escapes,
 * non-finite numbers, and the nesting limit. */
#include "kseg/kseg_error.h"
#include "kseg/kseg_json.h"
#include "test.h"

static void expect_text(kseg_json *j, const char *want)
{
  ASSERT_OK(kseg_json_end(j));
  if (strcmp(j->buf, want) != 0) KSEG_TEST_FAIL_("got\n%s\nwant\n%s", j->buf, want);
  kseg_json_clear(j);
}

int main(void)
{
  kseg_json j;
  kseg_json_begin(&j, KSEG_JSON_COMPACT);
  kseg_json_str(&j, "s", "a\"b\\c\nd\te\x01");
  kseg_json_num(&j, "x", 0.1);
  kseg_json_num(&j, "nan", NAN);
  kseg_json_int(&j, "i", -7);
  kseg_json_bool(&j, "b", true);
  kseg_json_null(&j, "n");
  kseg_json_open_array(&j, "a");
  kseg_json_array_int(&j, 1);
  kseg_json_array_str(&j, NULL);
  kseg_json_open_object(&j, NULL);
  kseg_json_close_object(&j);
  kseg_json_close_array(&j);
  kseg_json_open_object(&j, "o"); /* left open: kseg_json_end closes it */
  expect_text(&j, "{\"s\":\"a\\\"b\\\\c\\nd\\te\\u0001\",\"x\":0.10000000000000001,\"nan\":null,\"i\":-7,"
                  "\"b\":true,\"n\":null,\"a\":[1,\"\",{}],\"o\":{}}\n");

  kseg_json_begin(&j, KSEG_JSON_SPACED);
  kseg_json_newline(&j, 2);
  kseg_json_int(&j, "k", 3);
  kseg_json_newline(&j, 2);
  kseg_json_open_array(&j, "rows");
  for (int i = 0; i < 2; i++) {
    kseg_json_newline(&j, 4);
    kseg_json_open_object(&j, NULL);
    kseg_json_int(&j, "id", i);
    kseg_json_num(&j, "v", INFINITY);
    kseg_json_close_object(&j);
  }
  kseg_json_newline(&j, 2);
  kseg_json_close_array(&j);
  kseg_json_open_array(&j, "ids");
  kseg_json_array_int(&j, 4);
  kseg_json_array_int(&j, 5);
  kseg_json_close_array(&j);
  kseg_json_newline(&j, 0);
  expect_text(&j, "{\n  \"k\": 3,\n  \"rows\": [\n    {\"id\": 0, \"v\": null},\n    {\"id\": 1, \"v\": null}\n  ], "
                  "\"ids\": [4, 5]\n}\n");

  kseg_json_begin(&j, KSEG_JSON_COMPACT);
  for (int i = 0; i < KSEG_JSON_MAX_DEPTH + 2; i++) kseg_json_open_array(&j, i ? NULL : "deep");
  ASSERT_STATUS(kseg_json_end(&j), KSEG_ERR_IO);
  ASSERT(strstr(kseg_error_message(), "nested deeper") != NULL);
  kseg_json_clear(&j);
  kseg_json_clear(NULL);
  printf("json: ok\n");
  return 0;
}
