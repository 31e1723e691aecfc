/* csv parsing pieces: record ends, field splitting, numbers, dates, inference. */
#include "kseg/kseg_csv.h"
#include "kseg/kseg_error.h"
#include "test.h"

/* Split a string literal (copied: splitting unquotes in place). */
static int split(const char *text, char delim, kseg_csv_field *f, int max, int *n, char *buf, const char **why)
{
  size_t len = strlen(text);
  memcpy(buf, text, len + 1);
  return kseg_csv_split(buf, len, delim, f, max, n, why);
}

static int field_is(const kseg_csv_field *f, const char *want)
{
  return f->len == strlen(want) && memcmp(f->ptr, want, f->len) == 0;
}

static void test_delimiter(void)
{
  ASSERT_EQ(kseg_csv_detect_delimiter("a\tb\tc", 5), '\t');
  ASSERT_EQ(kseg_csv_detect_delimiter("a;b;c,d", 7), ';');
  ASSERT_EQ(kseg_csv_detect_delimiter("a,b,c", 5), ',');
  ASSERT_EQ(kseg_csv_detect_delimiter("single", 6), ',');
  /* Delimiters inside quoted names do not count. */
  const char *q = "\"a;b;c\",d,e";
  ASSERT_EQ(kseg_csv_detect_delimiter(q, strlen(q)), ',');
}

static void test_record_end(void)
{
  const char *t = "a,\"x\ny\",b\nnext\n";
  size_t scan = 0, end = 0;
  int inq = 0;
  int64_t nl = 0;
  ASSERT_EQ(kseg_csv_record_end(t, strlen(t), &scan, &inq, &nl, &end), 1);
  ASSERT_EQ(end, 9);  /* the newline inside quotes is data */
  ASSERT_EQ(nl, 1);
  /* Resuming across a buffer cut that falls inside the quotes. */
  scan = 0; inq = 0; nl = 0;
  ASSERT_EQ(kseg_csv_record_end(t, 4, &scan, &inq, &nl, &end), 0);
  ASSERT_EQ(inq, 1);
  ASSERT_EQ(kseg_csv_record_end(t, strlen(t), &scan, &inq, &nl, &end), 1);
  ASSERT_EQ(end, 9);
  ASSERT_EQ(nl, 1);
  /* Doubled quotes keep the parity. */
  const char *d = "\"a\"\"b\"\nz";
  scan = 0; inq = 0; nl = 0;
  ASSERT_EQ(kseg_csv_record_end(d, strlen(d), &scan, &inq, &nl, &end), 1);
  ASSERT_EQ(end, 6);
}

static void test_split(void)
{
  kseg_csv_field f[8];
  char buf[256];
  int n = 0;
  const char *why = NULL;
  ASSERT_OK(split("a,b,,c", ',', f, 8, &n, buf, &why));
  ASSERT_EQ(n, 4);
  ASSERT(field_is(&f[0], "a") && field_is(&f[1], "b") && field_is(&f[2], "") && field_is(&f[3], "c"));
  /* Quotes: embedded delimiter, doubled quote, embedded newline; spaces trimmed outside quotes only. */
  ASSERT_OK(split("  x y , \"p,q\" ,\"say \"\"hi\"\"\",\"l1\nl2\", \" s \"", ',', f, 8, &n, buf, &why));
  ASSERT_EQ(n, 5);
  ASSERT(field_is(&f[0], "x y"));
  ASSERT(field_is(&f[1], "p,q"));
  ASSERT(field_is(&f[2], "say \"hi\""));
  ASSERT(field_is(&f[3], "l1\nl2"));
  ASSERT(field_is(&f[4], " s "));
  /* Tab-delimited: tabs separate, spaces are trimmed, empty trailing field counts. */
  ASSERT_OK(split("1\t two \t", '\t', f, 8, &n, buf, &why));
  ASSERT_EQ(n, 3);
  ASSERT(field_is(&f[1], "two") && field_is(&f[2], ""));
  /* A quote inside an unquoted field is a character. */
  ASSERT_OK(split("5\" screen,x", ',', f, 8, &n, buf, &why));
  ASSERT(field_is(&f[0], "5\" screen"));
  /* More fields than room: all are counted. */
  ASSERT_OK(split("a,b,c,d,e", ',', f, 2, &n, buf, &why));
  ASSERT_EQ(n, 5);
  /* Empty record: one empty field. */
  ASSERT_OK(split("", ',', f, 8, &n, buf, &why));
  ASSERT_EQ(n, 1);
  /* UTF-8 text passes. */
  ASSERT_OK(split("Zürich,東京", ',', f, 8, &n, buf, &why));
  ASSERT(field_is(&f[0], "Zürich") && field_is(&f[1], "東京"));
  /* Rejected: text after a closing quote, control bytes, invalid UTF-8, NUL. */
  ASSERT_STATUS(split("\"a\"b,c", ',', f, 8, &n, buf, &why), KSEG_ERR_INPUT);
  ASSERT_CONTAINS(why, "closing quote");
  ASSERT_STATUS(split("a,\x01,c", ',', f, 8, &n, buf, &why), KSEG_ERR_INPUT);
  ASSERT_CONTAINS(why, "control byte");
  ASSERT_STATUS(split("a,\xff\xfe,c", ',', f, 8, &n, buf, &why), KSEG_ERR_INPUT);
  ASSERT_CONTAINS(why, "UTF-8");
  ASSERT_STATUS(split("a,\xc0\xaf", ',', f, 8, &n, buf, &why), KSEG_ERR_INPUT); /* overlong '/' */
  char nul[4] = {'a', ',', '\0', 'b'};
  ASSERT_STATUS(kseg_csv_split(nul, 4, ',', f, 8, &n, &why), KSEG_ERR_INPUT);
  ASSERT_CONTAINS(why, "NUL");
}

static void test_numbers(void)
{
  double v = 0;
  const char *ok[] = {"0", "-12", "+3.5", "58138", "1.", ".5", "1e3", "-2.5E-3", "40.900749", "007"};
  double want[] = {0, -12, 3.5, 58138, 1, 0.5, 1000, -2.5e-3, 40.900749, 7};
  for (int i = 0; i < 10; i++) {
    ASSERT_EQ(kseg_csv_parse_number(ok[i], strlen(ok[i]), &v), 1);
    ASSERT(v == want[i]);
  }
  const char *bad[] = {"", ".", "-", "1e", "1e+", "1,5", "0x10", "inf", "12a", "1 2", "1e999", "C10001", "04-09-2012"};
  for (int i = 0; i < 13; i++) ASSERT_EQ(kseg_csv_parse_number(bad[i], strlen(bad[i]), &v), 0);
  /* Correct rounding: the nearest double, as strtod/Python give. */
  ASSERT_EQ(kseg_csv_parse_number("0.1", 3, &v), 1);
  ASSERT(v == 0.1);
  /* The fast conversion path agrees bit for bit with strtod on random decimals. */
  uint64_t x = 88172645463325252ull;
  for (int i = 0; i < 200000; i++) {
    x ^= x << 13; x ^= x >> 7; x ^= x << 17; /* xorshift64 */
    char text[64];
    int digits = 1 + (int)(x % 17), point = (int)((x >> 8) % (uint64_t)(digits + 1));
    int n = 0;
    if ((x >> 20) & 1) text[n++] = '-';
    uint64_t y = x >> 24;
    for (int k = 0; k < digits; k++) {
      if (k == point && k > 0) text[n++] = '.';
      text[n++] = (char)('0' + (y % 10));
      y = y / 10 ^ (x >> (k % 32));
    }
    if ((x >> 5) % 4 == 0) n += snprintf(text + n, sizeof text - (size_t)n, "e%d", (int)((x >> 40) % 60) - 30);
    text[n] = '\0';
    double want = strtod(text, NULL), got = 0;
    ASSERT_EQ(kseg_csv_parse_number(text, (size_t)n, &got), 1);
    if (memcmp(&got, &want, sizeof got) != 0) {
      fprintf(stderr, "%s: %.17g vs strtod %.17g\n", text, got, want);
      ASSERT(0);
    }
  }
  const char *missing[] = {"", "NA", "na", "N/A", "NaN", "null", "NULL", "None"};
  for (int i = 0; i < 8; i++) ASSERT_EQ(kseg_csv_is_missing(missing[i], strlen(missing[i])), 1);
  ASSERT_EQ(kseg_csv_is_missing("0", 1), 0);
  ASSERT_EQ(kseg_csv_is_missing("Nan2", 4), 0);
}

static void test_dates(void)
{
  int a, b, c;
  ASSERT_EQ(kseg_csv_parse_date("04-09-2012", 10, &a, &b, &c), KSEG_CSV_XYY);
  ASSERT(a == 4 && b == 9 && c == 2012);
  ASSERT_EQ(kseg_csv_parse_date("4/9/2012", 8, &a, &b, &c), KSEG_CSV_XYY);
  ASSERT_EQ(kseg_csv_parse_date("2012-09-04", 10, &a, &b, &c), KSEG_CSV_YMD);
  ASSERT(a == 2012 && b == 9 && c == 4);
  ASSERT_EQ(kseg_csv_parse_date("2012/9/4", 8, &a, &b, &c), KSEG_CSV_YMD);
  ASSERT_EQ(kseg_csv_parse_date("2012-09/04", 10, &a, &b, &c), KSEG_CSV_NOT_DATE); /* mixed separators */
  ASSERT_EQ(kseg_csv_parse_date("20120904", 8, &a, &b, &c), KSEG_CSV_NOT_DATE);
  ASSERT_EQ(kseg_csv_parse_date("123-09-2012", 11, &a, &b, &c), KSEG_CSV_NOT_DATE);
  ASSERT_EQ(kseg_csv_valid_date(2012, 2, 29), 1);
  ASSERT_EQ(kseg_csv_valid_date(2013, 2, 29), 0);
  ASSERT_EQ(kseg_csv_valid_date(1900, 2, 29), 0);
  ASSERT_EQ(kseg_csv_valid_date(2000, 2, 29), 1);
  ASSERT_EQ(kseg_csv_valid_date(2012, 13, 1), 0);
  ASSERT_EQ(kseg_csv_days_from_civil(1970, 1, 1), 0);
  ASSERT_EQ(kseg_csv_days_from_civil(2012, 9, 4), 15587);
  ASSERT_EQ(kseg_csv_days_from_civil(1969, 12, 31), -1);
  ASSERT_EQ(kseg_csv_days_from_civil(2000, 3, 1), 11017);
}

/* Evidence of a column of string literals, as one rank sees it. */
static kseg_col_kind infer_of(const char *const *values, int n, int *month_first, int32_t *levels)
{
  kseg_csv_colstats s;
  kseg_csv_stats_init(&s);
  for (int i = 0; i < n; i++) ASSERT_OK(kseg_csv_stats_add(&s, values[i], strlen(values[i])));
  kseg_csv_evidence e = {s.n_present, s.numeric, s.ymd, s.dmy, s.mdy,
                         s.overflow ? KSEG_CSV_MAX_LEVELS + 1 : s.n_levels};
  if (levels) *levels = s.overflow ? -1 : s.n_levels;
  kseg_csv_stats_clear(&s);
  return kseg_csv_infer(&e, month_first);
}

static void test_infer(void)
{
  int mf = -1;
  int32_t lv = 0;
  const char *num[] = {"1", "2.5", "", "NA", "-3e2"};
  ASSERT_EQ(infer_of(num, 5, &mf, NULL), KSEG_COL_NUMERIC);
  const char *empty[] = {"", "NA"};
  ASSERT_EQ(infer_of(empty, 2, &mf, NULL), KSEG_COL_NUMERIC);
  const char *dm[] = {"04-09-2012", "21-08-2013", ""};
  ASSERT_EQ(infer_of(dm, 3, &mf, NULL), KSEG_COL_DATE);
  ASSERT_EQ(mf, 0);
  const char *md[] = {"04-09-2012", "08-21-2013"};
  ASSERT_EQ(infer_of(md, 2, &mf, NULL), KSEG_COL_DATE);
  ASSERT_EQ(mf, 1);
  const char *ambiguous[] = {"04-09-2012", "05-06-2013"};
  ASSERT_EQ(infer_of(ambiguous, 2, &mf, NULL), KSEG_COL_DATE);
  ASSERT_EQ(mf, 0); /* day first when nothing tells */
  const char *iso[] = {"2012-09-04", "2013-08-21"};
  ASSERT_EQ(infer_of(iso, 2, &mf, NULL), KSEG_COL_DATE);
  const char *bad_date[] = {"31-02-2012", "01-01-2012"}; /* no 31 February either way */
  ASSERT_EQ(infer_of(bad_date, 2, &mf, NULL), KSEG_COL_STRING);
  const char *both[] = {"13-01-2012", "01-13-2012"}; /* neither order fits all */
  ASSERT_EQ(infer_of(both, 2, &mf, NULL), KSEG_COL_STRING);
  const char *cat[] = {"Single", "Married", "Single", "Married", "Together", "Single"};
  ASSERT_EQ(infer_of(cat, 6, &mf, &lv), KSEG_COL_CATEGORICAL);
  ASSERT_EQ(lv, 3);
  const char *ids[] = {"C10001", "C10002", "C10003", "C10001"};
  ASSERT_EQ(infer_of(ids, 4, &mf, &lv), KSEG_COL_STRING); /* 3 distinct of 4: more than half */
  const char *mixed[] = {"1", "x", "1", "x"};
  ASSERT_EQ(infer_of(mixed, 4, &mf, NULL), KSEG_COL_CATEGORICAL);
  /* More than 256 distinct values: the level set overflows, a string column. */
  static char many[600][8];
  const char *mv[600];
  for (int i = 0; i < 600; i++) {
    snprintf(many[i], sizeof many[i], "k%d", i % 300);
    mv[i] = many[i];
  }
  ASSERT_EQ(infer_of(mv, 600, &mf, &lv), KSEG_COL_STRING);
  ASSERT_EQ(lv, -1);
  /* Exactly 256 distinct values in 512 rows: still categorical. */
  for (int i = 0; i < 512; i++) {
    snprintf(many[i], sizeof many[i], "k%d", i % 256);
    mv[i] = many[i];
  }
  ASSERT_EQ(infer_of(mv, 512, &mf, &lv), KSEG_COL_CATEGORICAL);
  ASSERT_EQ(lv, 256);
}

/* No MPI: the parsing pieces are pure functions (as in the fuzz targets). */
int main(void)
{
  test_delimiter();
  test_record_end();
  test_split();
  test_numbers();
  test_dates();
  test_infer();
  printf("csv parse: ok\n");
  return 0;
}
