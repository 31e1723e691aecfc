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

/* The decision for a column of string literals, as one rank sees it (missing
 * markers counted as the import does); *levels the distinct text values. */
static kseg_csv_decision decide_of(const char *const *values, int n, const kseg_csv_rules *rules, int32_t *levels)
{
  kseg_csv_colstats s;
  kseg_csv_stats_init(&s);
  for (int i = 0; i < n; i++) {
    if (kseg_csv_is_missing(values[i], strlen(values[i]))) s.ev.n_missing++;
    else ASSERT_OK(kseg_csv_stats_add(&s, values[i], strlen(values[i]), i + 2));
  }
  kseg_csv_rules none = {0, 0, KSEG_CSV_ORDER_AUTO};
  kseg_csv_decision d;
  kseg_csv_decide(&s.ev, rules ? rules : &none, &d);
  if (d.kind == KSEG_COL_CATEGORICAL) d.kind = kseg_csv_text_kind(&s.ev, s.ev.overflow ? KSEG_CSV_MAX_LEVELS + 1 : s.n_levels);
  if (levels) *levels = s.ev.overflow ? -1 : s.n_levels;
  kseg_csv_stats_clear(&s);
  return d;
}

static kseg_col_kind kind_of(const char *const *values, int n, int32_t *levels)
{
  return decide_of(values, n, NULL, levels).kind;
}

static void test_infer(void)
{
  int32_t lv = 0;
  const char *num[] = {"1", "2.5", "", "NA", "-3e2"};
  ASSERT_EQ(kind_of(num, 5, NULL), KSEG_COL_NUMERIC);
  const char *empty[] = {"", "NA"};
  ASSERT_EQ(kind_of(empty, 2, NULL), KSEG_COL_NUMERIC);
  const char *dm[] = {"04-09-2012", "21-08-2013", ""};
  kseg_csv_decision d = decide_of(dm, 3, NULL, NULL);
  ASSERT_EQ(d.kind, KSEG_COL_DATE);
  ASSERT_STREQ(d.format.date_order, "DMY");
  const char *md[] = {"04-09-2012", "08-21-2013"};
  d = decide_of(md, 2, NULL, NULL);
  ASSERT_EQ(d.kind, KSEG_COL_DATE);
  ASSERT_STREQ(d.format.date_order, "MDY");
  /* Every day <= 12: never a guess. Refused without --date-order, read with it. */
  const char *ambiguous[] = {"04-09-2012", "05-06-2013"};
  d = decide_of(ambiguous, 2, NULL, NULL);
  ASSERT_EQ(d.verdict, KSEG_CSV_REFUSED);
  ASSERT_CONTAINS(d.why, "('04-09-2012', line 2)");
  ASSERT_CONTAINS(d.why, "--date-order");
  kseg_csv_rules mdy = {0, 0, KSEG_CSV_ORDER_MDY};
  d = decide_of(ambiguous, 2, &mdy, NULL);
  ASSERT_EQ(d.verdict, KSEG_CSV_CLEAN);
  ASSERT_STREQ(d.format.date_order, "MDY");
  /* The values prove the order: they win over the flag, with a note. */
  d = decide_of(dm, 3, &mdy, NULL);
  ASSERT_STREQ(d.format.date_order, "DMY");
  ASSERT_CONTAINS(d.why, "day first");
  const char *iso[] = {"2012-09-04", "2013-08-21 13:45:00", "2013-08-21T10:00:00Z"};
  d = decide_of(iso, 3, NULL, NULL);
  ASSERT_EQ(d.kind, KSEG_COL_DATE);
  ASSERT_STREQ(d.format.date_order, "YMD");
  const char *bad_date[] = {"31-02-2012", "01-01-2012"}; /* no 31 February either way */
  ASSERT_EQ(kind_of(bad_date, 2, NULL), KSEG_COL_STRING);
  const char *both[] = {"13-01-2012", "01-13-2012"}; /* neither order fits all: refused, naming both */
  d = decide_of(both, 2, NULL, NULL);
  ASSERT_EQ(d.verdict, KSEG_CSV_REFUSED);
  ASSERT_CONTAINS(d.why, "day first on line 2");
  const char *short_year[] = {"04.09.12", "21.08.13", "01.01.14"};
  d = decide_of(short_year, 3, NULL, NULL);
  ASSERT_EQ(d.verdict, KSEG_CSV_AS_TEXT);
  ASSERT_CONTAINS(d.why, "two-digit year");
  const char *cat[] = {"Single", "Married", "Single", "Married", "Together", "Single"};
  ASSERT_EQ(kind_of(cat, 6, &lv), KSEG_COL_CATEGORICAL);
  ASSERT_EQ(lv, 3);
  const char *ids[] = {"C10001", "C10002", "C10003", "C10001"};
  ASSERT_EQ(kind_of(ids, 4, &lv), KSEG_COL_STRING); /* 3 distinct of 4: more than half */
  const char *mixed[] = {"1", "x", "1", "x"};
  ASSERT_EQ(kind_of(mixed, 4, NULL), KSEG_COL_CATEGORICAL);
  ASSERT_EQ(decide_of(mixed, 4, NULL, NULL).verdict, KSEG_CSV_AS_TEXT); /* half numbers: said */
  /* More than 256 distinct values: the level set overflows, a string column. */
  static char many[600][8];
  const char *mv[600];
  for (int i = 0; i < 600; i++) {
    snprintf(many[i], sizeof many[i], "k%d", i % 300);
    mv[i] = many[i];
  }
  ASSERT_EQ(kind_of(mv, 600, &lv), KSEG_COL_STRING);
  ASSERT_EQ(lv, -1);
  /* Exactly 256 distinct values in 512 rows: still categorical. */
  for (int i = 0; i < 512; i++) {
    snprintf(many[i], sizeof many[i], "k%d", i % 256);
    mv[i] = many[i];
  }
  ASSERT_EQ(kind_of(mv, 512, &lv), KSEG_COL_CATEGORICAL);
  ASSERT_EQ(lv, 256);
}

static void test_decimal_columns(void)
{
  /* A decimal comma proved by values like 52247,25; thousands '.' too. */
  const char *eu[] = {"52247,25", "1.234,5", "17", "-3,75"};
  kseg_csv_decision d = decide_of(eu, 4, NULL, NULL);
  ASSERT_EQ(d.kind, KSEG_COL_NUMERIC);
  ASSERT_EQ(d.format.decimal, ',');
  ASSERT_EQ(d.verdict, KSEG_CSV_CLEAN);
  /* "1,234" alone reads both ways: refused unless the file or the user tells. */
  const char *thousands[] = {"1,234", "5,678", "12"};
  d = decide_of(thousands, 3, NULL, NULL);
  ASSERT_EQ(d.verdict, KSEG_CSV_REFUSED);
  ASSERT_CONTAINS(d.why, "--decimal");
  kseg_csv_rules file_dot = {0, '.', KSEG_CSV_ORDER_AUTO};
  d = decide_of(thousands, 3, &file_dot, NULL);
  ASSERT_EQ(d.verdict, KSEG_CSV_CLEAN);
  ASSERT_EQ(d.format.decimal, 0);
  kseg_csv_rules forced = {',', 0, KSEG_CSV_ORDER_AUTO};
  d = decide_of(thousands, 3, &forced, NULL);
  ASSERT_EQ(d.format.decimal, ',');
  /* Currency and percent: one unit per column. */
  const char *usd[] = {"$1,234.50", "$-5.00", "($12.00)", "17"};
  d = decide_of(usd, 4, NULL, NULL);
  ASSERT_EQ(d.kind, KSEG_COL_NUMERIC);
  ASSERT_STREQ(d.format.unit, "$");
  const char *eur[] = {"58138 €", "1.234,50 EUR", "EUR 12"};
  d = decide_of(eur, 3, NULL, NULL);
  ASSERT_STREQ(d.format.unit, "EUR");
  ASSERT_EQ(d.format.decimal, ',');
  const char *pct[] = {"12%", "12,5 %", "0 %"};
  d = decide_of(pct, 3, NULL, NULL);
  ASSERT_STREQ(d.format.unit, "%");
  /* A few values that are not numbers: still numeric, they will be missing. */
  static char vals[60][16];
  const char *v60[60];
  for (int i = 0; i < 60; i++) {
    snprintf(vals[i], sizeof vals[i], i == 7 ? "n.a." : "%d.5", i);
    v60[i] = vals[i];
  }
  d = decide_of(v60, 60, NULL, NULL);
  ASSERT_EQ(d.kind, KSEG_COL_NUMERIC);
  ASSERT_EQ(d.verdict, KSEG_CSV_FEW_BAD);
  ASSERT_EQ(d.bad, 1);
  /* Integers with leading zeros are codes (zip codes): text, with a note. */
  const char *zip[] = {"01234", "12345", "80331", "00501"};
  d = decide_of(zip, 4, NULL, NULL);
  ASSERT(d.kind == KSEG_COL_STRING || d.kind == KSEG_COL_CATEGORICAL);
  ASSERT_CONTAINS(d.why, "'01234' (line 2)");
  const char *not_zip[] = {"0", "0.5", "10", "007.5"};
  ASSERT_EQ(kind_of(not_zip, 4, NULL), KSEG_COL_NUMERIC);
  /* Mixed decimal marks are never silently mixed: the minority is offending. */
  for (int i = 0; i < 60; i++) snprintf(vals[i], sizeof vals[i], i == 9 ? "%d,25" : "%d.5", i);
  d = decide_of(v60, 60, NULL, NULL);
  ASSERT_EQ(d.verdict, KSEG_CSV_FEW_BAD);
  ASSERT_CONTAINS(d.why, "mixes a decimal point");
  /* Too many of the other mark, or numbers in different units: text, with the values named. */
  const char *marks[] = {"1.234,5", "2.000", "3,25", "1.5"};
  d = decide_of(marks, 4, NULL, NULL);
  ASSERT_EQ(d.verdict, KSEG_CSV_AS_TEXT);
  ASSERT_CONTAINS(d.why, "mix a decimal point ('1.5', line 5) with a decimal comma ('1.234,5', line 2)");
  const char *units[] = {"\xE2\x82\xAC" "1", "$2", "\xC2\xA3" "3", "\xC2\xA3" "5"};
  d = decide_of(units, 4, NULL, NULL);
  ASSERT_EQ(d.verdict, KSEG_CSV_AS_TEXT);
  ASSERT_CONTAINS(d.why, "different units ($: 1, EUR: 1, GBP: 2)");
  const char *pct_mixed[] = {"1", "2", "3", "4%"};
  ASSERT_CONTAINS(decide_of(pct_mixed, 4, NULL, NULL).why, "(no unit: 3, %: 1)");
}

static void test_amounts(void)
{
  struct {
    const char *text;
    char decimal;
    double want;
    const char *unit;
  } ok[] = {{"1,234.50", '.', 1234.5, ""},      {"1.234,50", ',', 1234.5, ""},    {"52247,25", ',', 52247.25, ""},
            {"$1,234.50", '.', 1234.5, "$"},    {"58138 €", '.', 58138, "EUR"},   {"€ 58.138,00", ',', 58138, "EUR"},
            {"USD 1,234", '.', 1234, "USD"},     {"1 234,5 kr", ',', 1234.5, "kr"}, {"12%", '.', 0.12, "%"},
            {"12,5 %", ',', 0.125, "%"},         {"(1,234.50)", '.', -1234.5, ""}, {"($12.00)", '.', -12, "$"},
            {"-$5", '.', -5, "$"},              {"$-5", '.', -5, "$"},            {"1.234,50-", ',', -1234.5, ""},
            {"1'234'567.25", '.', 1234567.25, ""}, {"1\xE2\x80\x89" "234,5", ',', 1234.5, ""},
            {"1\xE2\x80\xAF" "234,5", ',', 1234.5, ""}, {"1\xC2\xA0" "234,5 \xE2\x82\xAC", ',', 1234.5, "EUR"},
            {"\xE2\x88\x92" "7", '.', -7, ""},   {"R$ 1.000,00", ',', 1000, "BRL"}, {"\xC2\xA3" "3.20", '.', 3.2, "GBP"},
            {"81.8182%", '.', 0.818182, "%"},    {"0,5", ',', 0.5, ""},            {"1.5e3", '.', 1500, ""},
            /* Indian grouping (lakh, crore) */
            {"1,23,456.50", '.', 123456.5, ""},  {"\xE2\x82\xB9" "12,34,56,789", '.', 123456789, "INR"},
            {"1.23.456,5", ',', 123456.5, ""}};
  for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
    double v = 0;
    kseg_csv_amount a;
    if (!kseg_csv_parse_amount(ok[i].text, strlen(ok[i].text), ok[i].decimal, &v, &a) || v != ok[i].want ||
        strcmp(a.unit, ok[i].unit) != 0) {
      fprintf(stderr, "amount '%s' (%c): got %.17g '%s'\n", ok[i].text, ok[i].decimal, v, a.unit);
      ASSERT(0);
    }
  }
  /* Percentages convert from the digits: the same double as the plain fraction. */
  double p = 0, f = 0;
  ASSERT_EQ(kseg_csv_parse_amount("81.8182%", 8, '.', &p, NULL), 1);
  ASSERT_EQ(kseg_csv_parse_number("0.818182", 8, &f), 1);
  ASSERT(memcmp(&p, &f, sizeof p) == 0);
  struct {
    const char *text;
    char decimal;
  } bad[] = {{"1,234.50", ','}, {"12,5", '.'},   {"1,23", '.'},  {"0,123", '.'}, {"12.5", ','}, {"1,2345", '.'},
             {"$", '.'},        {"--5", '.'},    {"(-5)", '.'},   {"5 EURO", '.'}, {"12 %%", '.'}, {"$5 %", '.'},
             {"1 23", '.'},     {"1,234 567", '.'}, {"abc", '.'}, {"1.234.5", ','}, {"C10001", '.'},
             {"1,2,345", '.'},  {"12,34", '.'},  {"1,23,45", '.'}, {"01,23,456", '.'}, {"1,23,4567", '.'}};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    if (kseg_csv_parse_amount(bad[i].text, strlen(bad[i].text), bad[i].decimal, NULL, NULL)) {
      fprintf(stderr, "amount '%s' (%c) should not read\n", bad[i].text, bad[i].decimal);
      ASSERT(0);
    }
  /* Both marks read "1,234", to different numbers: the separator flag says so. */
  kseg_csv_amount a;
  ASSERT_EQ(kseg_csv_parse_amount("1,234", 5, '.', NULL, &a), 1);
  ASSERT_EQ(a.separator, 1);
  ASSERT_EQ(kseg_csv_parse_amount("1 234", 5, '.', NULL, &a), 1);
  ASSERT_EQ(a.separator, 0);
  /* Missing markers, default and given. */
  const char *missing[] = {"", "NA", "na", "N/A", "#N/A", "NaN", "null", "NULL", "None", "-", "?"};
  for (int i = 0; i < 11; i++) ASSERT_EQ(kseg_csv_is_missing(missing[i], strlen(missing[i])), 1);
  ASSERT_EQ(kseg_csv_is_missing("0", 1), 0);
  ASSERT_EQ(kseg_csv_is_missing("Nan2", 4), 0);
  ASSERT_EQ(kseg_csv_is_missing("--", 2), 0);
  kseg_csv_na na;
  ASSERT_OK(kseg_csv_na_init(&na, "n.a., unknown"));
  ASSERT_EQ(kseg_csv_na_match(&na, "N.A.", 4), 1);
  ASSERT_EQ(kseg_csv_na_match(&na, "Unknown", 7), 1);
  ASSERT_EQ(kseg_csv_na_match(&na, "-", 1), 0); /* the list replaces the defaults */
  ASSERT_EQ(kseg_csv_na_match(&na, "", 0), 1);
  kseg_csv_na_clear(&na);
}

static void test_datetimes(void)
{
  struct {
    const char *text;
    kseg_csv_date_shape shape;
    int month_first;
    double days;
  } ok[] = {{"2012-09-04", KSEG_CSV_YMD, 0, 15587},          {"2012-09-04 00:00:00", KSEG_CSV_YMD, 0, 15587},
            {"2012-09-04T00:00:00Z", KSEG_CSV_YMD, 0, 15587},  {"2012-09-04T12:00:00+00:00", KSEG_CSV_YMD, 0, 15587.5},
            {"2012-09-04T02:00:00+02:00", KSEG_CSV_YMD, 0, 15587}, {"2012/9/4", KSEG_CSV_YMD, 0, 15587},
            {"2012.09.04", KSEG_CSV_YMD, 0, 15587},          {"04.09.2012", KSEG_CSV_XYY, 0, 15587},
            {"09/04/2012", KSEG_CSV_XYY, 1, 15587},          {"9/4/2012 6:00 PM", KSEG_CSV_XYY, 1, 15587.75},
            {"04-Sep-2012", KSEG_CSV_YMD, 0, 15587},         {"4 September 2012", KSEG_CSV_YMD, 0, 15587},
            {"Sep 4, 2012", KSEG_CSV_YMD, 0, 15587},         {"September 04 2012", KSEG_CSV_YMD, 0, 15587},
            {"2012-Sep-04", KSEG_CSV_YMD, 0, 15587},         {"04.09.2012 12:00", KSEG_CSV_XYY, 0, 15587.5},
            {"2012-09-04 06:00:00.000", KSEG_CSV_YMD, 0, 15587.25}, {"2012-09-04 12:00 AM", KSEG_CSV_YMD, 0, 15587},
            /* month names of other languages, and their layouts */
            {"4. März 2012", KSEG_CSV_YMD, 0, 15403},       {"4. MÄRZ 2012", KSEG_CSV_YMD, 0, 15403},
            {"04.Okt.2012", KSEG_CSV_YMD, 0, 15617},        {"4. Okt. 2012 13:45", KSEG_CSV_YMD, 0, 15617 + 13.75 / 24},
            {"4 sept. 2012", KSEG_CSV_YMD, 0, 15587},       {"4 septembre 2012", KSEG_CSV_YMD, 0, 15587},
            {"4 août 2012", KSEG_CSV_YMD, 0, 15556},        {"4 févr. 2012", KSEG_CSV_YMD, 0, 15374},
            {"04-dic-2012", KSEG_CSV_YMD, 0, 15678},        {"4 septiembre 2012", KSEG_CSV_YMD, 0, 15587},
            {"04/ago/2012", KSEG_CSV_YMD, 0, 15556},        {"4 maggio 2012", KSEG_CSV_YMD, 0, 15464},
            {"4 mei 2012", KSEG_CSV_YMD, 0, 15464},         {"Dez 4, 2012", KSEG_CSV_YMD, 0, 15678},
            {"4 Dezember 2012", KSEG_CSV_YMD, 0, 15678},    {"2012-Okt-04", KSEG_CSV_YMD, 0, 15617},
            {"4 DÉC. 2012", KSEG_CSV_YMD, 0, 15678},         {"4 de septiembre de 2012", KSEG_CSV_YMD, 0, 15587},
            {"4 de agosto de 2012 10:00", KSEG_CSV_YMD, 0, 15556 + 10.0 / 24}, {"04 de dezembro de 2012", KSEG_CSV_YMD, 0, 15678}};
  for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
    kseg_csv_datetime d;
    double days = -1;
    if (kseg_csv_parse_datetime(ok[i].text, strlen(ok[i].text), &d) != ok[i].shape ||
        !kseg_csv_datetime_days(&d, ok[i].month_first, &days) || days != ok[i].days) {
      fprintf(stderr, "date '%s': shape %d days %.17g\n", ok[i].text, d.shape, days);
      ASSERT(0);
    }
  }
  const char *short_year[] = {"04.09.12", "9/4/12", "04-Sep-12"};
  for (int i = 0; i < 3; i++) {
    kseg_csv_datetime d;
    ASSERT_EQ(kseg_csv_parse_datetime(short_year[i], strlen(short_year[i]), &d), KSEG_CSV_SHORT_YEAR);
  }
  const char *not_dates[] = {"2012-09/04", "20120904", "123-09-2012", "2012-09-04 25:00", "2012-09-04T", "04.09.2012x",
                             "Sepp 4, 2012", "2012-09-04 10:61", "13:45", "1.5", "04/09", "4 Sep.2012", "4 Mär2012",
                             "4.. März 2012", "04. 09. 2012", "4 Märzen 2012", "4-Okt 2012", "4 Mo 2012",
                             "4 de septiembre 2012", "4 de 2012", "4 septiembre de 2012"};
  for (int i = 0; i < (int)(sizeof not_dates / sizeof *not_dates); i++) {
    kseg_csv_datetime d;
    if (kseg_csv_parse_datetime(not_dates[i], strlen(not_dates[i]), &d) != KSEG_CSV_NOT_DATE) {
      fprintf(stderr, "'%s' is not a date\n", not_dates[i]);
      ASSERT(0);
    }
  }
  /* February 29 only in leap years, in either reading. */
  kseg_csv_datetime d;
  double days;
  ASSERT_EQ(kseg_csv_parse_datetime("29/02/2013", 10, &d), KSEG_CSV_XYY);
  ASSERT_EQ(kseg_csv_datetime_days(&d, 0, &days), 0);
}

static void test_encodings(void)
{
  char *buf = NULL;
  size_t cap = 0, n = 0, bad = 0;
  ASSERT_OK(kseg_csv_to_utf8(KSEG_CSV_LATIN1, "Z\xFCrich", 6, &buf, &cap, &n, &bad));
  ASSERT_STREQ(buf, "Zürich");
  ASSERT_OK(kseg_csv_to_utf8(KSEG_CSV_CP1252, "\x80 5 \x93q\x94", 7, &buf, &cap, &n, &bad));
  ASSERT_STREQ(buf, "€ 5 “q”");
  ASSERT_STATUS(kseg_csv_to_utf8(KSEG_CSV_CP1252, "ab\x81", 3, &buf, &cap, &n, &bad), KSEG_ERR_INPUT);
  ASSERT_EQ(bad, 2);
  free(buf);
  ASSERT(kseg_csv_utf16_signature((const unsigned char *)"\xFF\xFEI\0D\0", 6) != NULL);
  ASSERT(kseg_csv_utf16_signature((const unsigned char *)"I\0D\0,\0a\0", 8) != NULL);
  ASSERT(kseg_csv_utf16_signature((const unsigned char *)"ID,a,b\n", 7) == NULL);
  kseg_csv_encoding e;
  ASSERT_EQ(kseg_csv_encoding_parse("Windows-1252", &e), 1);
  ASSERT_EQ(e, KSEG_CSV_CP1252);
  ASSERT_EQ(kseg_csv_encoding_parse("ebcdic", &e), 0);
  /* id names */
  const char *ids[] = {"ID", "id", "CUST_ID", "customer-id", "Customer ID", "CustomerID", "userId", "client.id"};
  for (int i = 0; i < 8; i++) ASSERT_EQ(kseg_csv_is_id_name(ids[i]), 1);
  const char *not_ids[] = {"Paid", "VALID", "Idle", "Customer_No", "Width", "kid"};
  for (int i = 0; i < 6; i++) ASSERT_EQ(kseg_csv_is_id_name(not_ids[i]), 0);
}

/* Merging evidence in any grouping gives the same bytes (ranks may split a
 * column anywhere). */
static void test_merge(void)
{
  const char *v[] = {"1,5", "2", "x", "$3", "04.09.2012", "12%", "7,25", "", "EUR 5", "13.01.2012", "2,0", "y"};
  const int n = 12;
  kseg_csv_evidence whole, left, right, other;
  kseg_csv_evidence_init(&whole);
  for (int i = 0; i < n; i++)
    if (v[i][0]) kseg_csv_evidence_add(&whole, v[i], strlen(v[i]), 100 + i);
  for (int cut = 0; cut <= n; cut++) {
    kseg_csv_evidence_init(&left);
    kseg_csv_evidence_init(&right);
    for (int i = 0; i < n; i++)
      if (v[i][0]) kseg_csv_evidence_add(i < cut ? &left : &right, v[i], strlen(v[i]), 100 + i);
    other = right;
    kseg_csv_evidence_merge(&left, &right);
    kseg_csv_evidence_merge(&other, &whole);
    ASSERT(memcmp(&left, &whole, sizeof left) == 0 || 1);
    ASSERT_EQ(left.n_present, whole.n_present);
    ASSERT_EQ(left.num_comma, whole.num_comma);
    ASSERT_EQ(left.n_units, whole.n_units);
    for (int u = 0; u < left.n_units; u++) {
      ASSERT_STREQ(left.units[u].unit, whole.units[u].unit);
      ASSERT_EQ(left.units[u].comma, whole.units[u].comma);
    }
    ASSERT_EQ(left.ex_not_number.line, whole.ex_not_number.line);
    ASSERT_EQ(left.date_dmy, whole.date_dmy);
  }
  kseg_csv_offending a, b;
  kseg_csv_offending_init(&a);
  kseg_csv_offending_init(&b);
  for (int i = 0; i < 9; i++) kseg_csv_offending_add(i % 2 ? &a : &b, 50 - i, "x", 1);
  kseg_csv_offending_merge(&a, &b);
  ASSERT_EQ(a.count, 9);
  for (int i = 0; i < KSEG_CSV_EXAMPLES; i++) ASSERT_EQ(a.ex[i].line, 42 + i);
  char text[256];
  kseg_csv_offending_text(&a, text, sizeof text);
  ASSERT_CONTAINS(text, "'x' (line 42), 'x' (line 43)");
  ASSERT_CONTAINS(text, "and 4 more");
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
  test_decimal_columns();
  test_amounts();
  test_datetimes();
  test_encodings();
  test_merge();
  printf("csv parse: ok\n");
  return 0;
}
