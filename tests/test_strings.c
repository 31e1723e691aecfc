/* strings: copies, slices, owned lists and splitting. */
#include "kseg/kseg_error.h"
#include "kseg/kseg_strings.h"
#include "test.h"

int main(void)
{
  char *s = kseg_strings_dup("segment");
  ASSERT_STREQ(s, "segment");
  free(s);
  const char rec[] = "id,name,spend";
  s = kseg_strings_dup_n(rec + 3, 4); /* a slice without its own NUL */
  ASSERT_STREQ(s, "name");
  free(s);
  s = kseg_strings_dup_n(rec, 0);
  ASSERT_STREQ(s, "");
  free(s);

  char **list = NULL;
  int n = 0;
  ASSERT_OK(kseg_strings_split(" Income , Kidhome,\tRecency ", ',', &list, &n));
  ASSERT_EQ(n, 3);
  ASSERT_STREQ(list[0], "Income");
  ASSERT_STREQ(list[1], "Kidhome");
  ASSERT_STREQ(list[2], "Recency");
  ASSERT(list[3] == NULL);
  kseg_strings_free(&list, n);
  ASSERT(list == NULL);
  kseg_strings_free(&list, n); /* NULL-safe, twice */
  kseg_strings_free(NULL, 0);

  /* Empty items stay, for the caller to judge. */
  ASSERT_OK(kseg_strings_split("a,, b,", ',', &list, &n));
  ASSERT_EQ(n, 4);
  ASSERT_STREQ(list[0], "a");
  ASSERT_STREQ(list[1], "");
  ASSERT_STREQ(list[2], "b");
  ASSERT_STREQ(list[3], "");
  kseg_strings_free(&list, n);
  ASSERT_OK(kseg_strings_split("", ':', &list, &n));
  ASSERT_EQ(n, 1);
  ASSERT_STREQ(list[0], "");
  kseg_strings_free(&list, n);
  return 0;
}
