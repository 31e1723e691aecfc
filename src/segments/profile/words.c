/* segments/profile/words.c - column names read as words, and money: which
 * columns hold amounts, and an amount written with its currency. The rules
 * are those of docs/profile.md ("Words and money"). Local. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_profile.h"

void kseg_profile_words(const char *column, char *buf, size_t len)
{
  size_t o = 0;
  int need_space = 0;
  const size_t n = strlen(column);
  if (len == 0) return;
  for (size_t i = 0; i < n && o + 2 < len; i++) {
    const unsigned char c = (unsigned char)column[i], prev = i ? (unsigned char)column[i - 1] : 0,
                        next = i + 1 < n ? (unsigned char)column[i + 1] : 0;
    if (c == '_' || c == '-' || c == ' ' || c == '.') {
      need_space = o > 0;
      continue;
    }
    /* camelCase and ABCWord: a capital after a lower-case letter, or a
     * capital followed by a lower-case letter after a capital, starts a word */
    if (isupper(c) && o > 0 && (islower(prev) || (isupper(prev) && islower(next)))) need_space = 1;
    /* letters after digits and digits after letters stay together: x291, Cmp1 */
    if (need_space) {
      buf[o++] = ' ';
      need_space = 0;
    }
    buf[o++] = (char)tolower(c);
  }
  buf[o] = '\0';
}

/* Does the space-separated word list hold `w`? */
static int has_word(const char *words, const char *w)
{
  const size_t n = strlen(w);
  for (const char *p = words; (p = strstr(p, w)) != NULL; p += n)
    if ((p == words || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' ')) return 1;
  return 0;
}

int kseg_profile_is_money(const char *column)
{
  /* the known tables first: their money columns, and counts whose words mislead */
  static const char *const known_money[] = {"Income", "Total_Spent", "Z_CostContact", "Z_Revenue",
                                            "monetary_total", "monetary_mean", "BALANCE", "PURCHASES",
                                            "ONEOFF_PURCHASES", "INSTALLMENTS_PURCHASES", "CASH_ADVANCE",
                                            "CREDIT_LIMIT", "PAYMENTS", "MINIMUM_PAYMENTS"};
  static const char *const known_count[] = {"Total_Purchases", "Total_Accepted"};
  for (size_t i = 0; i < sizeof known_money / sizeof known_money[0]; i++)
    if (strcmp(column, known_money[i]) == 0) return 1;
  for (size_t i = 0; i < sizeof known_count / sizeof known_count[0]; i++)
    if (strcmp(column, known_count[i]) == 0) return 0;
  if (strncmp(column, "Mnt", 3) == 0) return 1;
  /* counts, frequencies and ratios are never money, even of purchases */
  static const char *const not_money[] = {"num", "number", "count", "frequency", "freq", "trx", "times", "rate",
                                          "ratio", "pct", "percent", "prc", "share", "days", "months", "years",
                                          "visits", "tenure", "score", "index"};
  static const char *const money[] = {"income", "salary", "spent", "spend", "spending", "revenue", "price",
                                      "amount", "amt", "balance", "payment", "payments", "cost",
                                      "fee", "fees", "monetary", "sales", "profit", "mnt", "limit", "advance",
                                      "value", "spent", "turnover", "wage", "wages", "earnings"};
  char words[256];
  kseg_profile_words(column, words, sizeof words);
  for (size_t i = 0; i < sizeof not_money / sizeof not_money[0]; i++)
    if (has_word(words, not_money[i])) return 0;
  for (size_t i = 0; i < sizeof money / sizeof money[0]; i++)
    if (has_word(words, money[i])) return 1;
  return 0;
}

void kseg_profile_money_text(const char *number, const char *currency, char *buf, size_t len)
{
  if (!currency || !currency[0]) {
    snprintf(buf, len, "%s", number);
    return;
  }
  /* letter codes (EUR, USD) stand apart; symbols ($, €) touch the number */
  const int code = isalpha((unsigned char)currency[0]);
  snprintf(buf, len, "%s%s%s", currency, code ? " " : "", number);
}

void kseg_profile_money(double v, int decimals, const char *currency, char *buf, size_t len)
{
  char raw[64], grouped[96];
  if (!isfinite(v)) {
    snprintf(buf, len, "-");
    return;
  }
  snprintf(raw, sizeof raw, "%.*f", decimals, v);
  const char *s = raw;
  size_t o = 0;
  if (*s == '-') grouped[o++] = *s++;
  const char *dot = strchr(s, '.');
  const size_t int_len = dot ? (size_t)(dot - s) : strlen(s);
  for (size_t i = 0; i < int_len; i++) {
    if (i > 0 && (int_len - i) % 3 == 0) grouped[o++] = ',';
    grouped[o++] = s[i];
  }
  if (dot) {
    const size_t rest = strlen(dot);
    memcpy(grouped + o, dot, rest);
    o += rest;
  }
  grouped[o] = '\0';
  kseg_profile_money_text(grouped, currency, buf, len);
}
