/* segments/profile/names.c - a short name and a suggested action per segment, from the
 * profile's own numbers. The rules are those of docs/profile.md; change both
 * together. Everything here is local and deterministic (ties are broken by
 * the fixed order of the feature lists), so every rank names alike. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_error.h"
#include "kseg/kseg_strings.h"
#include "segments/profile/internal.h"

/* A feature qualifies for a name when its index is at least this far from 100. */
#define NAME_MIN_DEVIATION 20.0
#define NAME_MAX_TERMS 3
#define LIFT_PRIORITY 1.5

enum { GROUP_NONE = 0, GROUP_PRODUCT = 1, GROUP_CHANNEL = 2 };

typedef struct feature {
  const char *metric;
  kseg_profile_metric_kind kind;
  const char *high, *low; /* words; NULL: that direction does not name */
  int group;              /* GROUP_PRODUCT: merged as "Wine & meat"; GROUP_CHANNEL: one at most */
  /* when not NULL, the word is used only where this holds for segment s */
  int (*guard)(const kseg_profile *p, int s, int high);
} feature;

static double index_at(const kseg_profile *p, const char *name, kseg_profile_metric_kind kind, int s);

/* A product word ("Gold") only where the segment's spend on that product is
 * itself at least the base's: a larger share of a tiny spend is no gold buyer. */
static int product_guard(const kseg_profile *p, int s, int high, const char *metric)
{
  (void)high;
  return index_at(p, metric, KSEG_PROFILE_VALUE, s) >= 100.0;
}
#define PRODUCT_GUARD(fn, metric) \
  static int fn(const kseg_profile *p, int s, int high) { return product_guard(p, s, high, metric); }
PRODUCT_GUARD(wine_guard, "MntWines")
PRODUCT_GUARD(meat_guard, "MntMeatProducts")
PRODUCT_GUARD(fish_guard, "MntFishProducts")
PRODUCT_GUARD(fruit_guard, "MntFruits")
PRODUCT_GUARD(sweet_guard, "MntSweetProducts")
PRODUCT_GUARD(gold_guard, "MntGoldProds")

/* Card words (CC GENERAL): a revolver carries a balance and does not pay it
 * off; a transactor pays in full; a dormant card neither buys nor draws cash. */
static int revolver_guard(const kseg_profile *p, int s, int high)
{
  return !high || !(index_at(p, "PRC_FULL_PAYMENT", KSEG_PROFILE_VALUE, s) >= 100.0);
}
static int transactor_guard(const kseg_profile *p, int s, int high)
{
  (void)high;
  return !(index_at(p, "BALANCE", KSEG_PROFILE_VALUE, s) > 100.0) ||
         index_at(p, "PURCHASES", KSEG_PROFILE_VALUE, s) >= 150.0;
}
static int dormant_guard(const kseg_profile *p, int s, int high)
{
  return high || (index_at(p, "PURCHASES", KSEG_PROFILE_VALUE, s) <= 40.0 &&
                  !(index_at(p, "CASH_ADVANCE", KSEG_PROFILE_VALUE, s) > 60.0));
}

/* The curated business features of the Customer Personality table. */
static const feature marketing_features[] = {
    {"Income", KSEG_PROFILE_VALUE, "High income", "Low income", 0, NULL},
    {"Total_Spent", KSEG_PROFILE_VALUE, "High spenders", "Low spenders", 0, NULL},
    {"MntWines", KSEG_PROFILE_MIX, "wine", NULL, GROUP_PRODUCT, wine_guard},
    {"MntMeatProducts", KSEG_PROFILE_MIX, "meat", NULL, GROUP_PRODUCT, meat_guard},
    {"MntFishProducts", KSEG_PROFILE_MIX, "fish", NULL, GROUP_PRODUCT, fish_guard},
    {"MntFruits", KSEG_PROFILE_MIX, "fruit", NULL, GROUP_PRODUCT, fruit_guard},
    {"MntSweetProducts", KSEG_PROFILE_MIX, "sweets", NULL, GROUP_PRODUCT, sweet_guard},
    {"MntGoldProds", KSEG_PROFILE_MIX, "gold", NULL, GROUP_PRODUCT, gold_guard},
    {"NumWebPurchases", KSEG_PROFILE_MIX, "Web buyers", NULL, GROUP_CHANNEL, NULL},
    {"NumCatalogPurchases", KSEG_PROFILE_MIX, "Catalogue buyers", NULL, GROUP_CHANNEL, NULL},
    {"NumStorePurchases", KSEG_PROFILE_MIX, "Store shoppers", NULL, GROUP_CHANNEL, NULL},
    {"NumDealsPurchases", KSEG_PROFILE_VALUE, "Deal seekers", "Full-price buyers", 0, NULL},
    {"NumWebVisitsMonth", KSEG_PROFILE_VALUE, "Web browsers", "Rare web visitors", 0, NULL},
    {"Children", KSEG_PROFILE_VALUE, "Families with children", "Few children at home", 0, NULL},
    {"Age", KSEG_PROFILE_VALUE, "Senior", "Young", 0, NULL},
    {"Recency", KSEG_PROFILE_VALUE, "Lapsed", "Recent", 0, NULL},
};
#define N_MARKETING_FEATURES ((int)(sizeof marketing_features / sizeof marketing_features[0]))

/* The curated features of a per-customer RFM table (kseg rfm). */
static const feature rfm_features[] = {
    {"recency_days", KSEG_PROFILE_VALUE, "Lapsed", "Recent buyers", 0, NULL},
    {"frequency", KSEG_PROFILE_VALUE, "Frequent buyers", "One-off buyers", 0, NULL},
    {"monetary_total", KSEG_PROFILE_VALUE, "Big spenders", "Small spenders", 0, NULL},
    {"monetary_mean", KSEG_PROFILE_VALUE, "Large baskets", "Small baskets", 0, NULL},
    {"tenure_days", KSEG_PROFILE_VALUE, "Long-standing", "Newcomers", 0, NULL},
};
#define N_RFM_FEATURES ((int)(sizeof rfm_features / sizeof rfm_features[0]))

/* The credit-card vocabulary (CC GENERAL-like tables: docs/profile.md). */
static const feature card_features[] = {
    {"CASH_ADVANCE", KSEG_PROFILE_VALUE, "Cash-advance users", NULL, 0, NULL},
    {"INSTALLMENTS_PURCHASES", KSEG_PROFILE_VALUE, "Instalment buyers", NULL, 0, NULL},
    {"ONEOFF_PURCHASES", KSEG_PROFILE_VALUE, "One-off big spenders", NULL, 0, NULL},
    {"PRC_FULL_PAYMENT", KSEG_PROFILE_VALUE, "Transactors who pay in full", NULL, 0, transactor_guard},
    {"BALANCE", KSEG_PROFILE_VALUE, "Revolvers carrying balances", "Low balances", 0, revolver_guard},
    {"CREDIT_LIMIT", KSEG_PROFILE_VALUE, "High-limit prime", "Low limits", 0, NULL},
    {"PURCHASES", KSEG_PROFILE_VALUE, NULL, "Dormant cards", 0, dormant_guard},
    {"TENURE", KSEG_PROFILE_VALUE, NULL, "New cards", 0, NULL},
};
#define N_CARD_FEATURES ((int)(sizeof card_features / sizeof card_features[0]))

/* Words that must not stand in one name: they say opposite things. */
static const char *const conflicts[][2] = {
    {"Large baskets", "Small spenders"},  {"Small baskets", "Big spenders"},
    {"Frequent buyers", "Newcomers"},     {"Transactors who pay in full", "Revolvers carrying balances"},
    {"Dormant cards", "One-off big spenders"}, {"Dormant cards", "Instalment buyers"},
    {"Dormant cards", "Cash-advance users"},   {"Dormant cards", "High-limit prime"},
    {"Low balances", "Cash-advance users"},    {"Low spenders", "Catalogue buyers"},
    {"High spenders", "Deal seekers"},
};
#define N_CONFLICTS ((int)(sizeof conflicts / sizeof conflicts[0]))

static int in_conflict(const char *a, const char *b)
{
  for (int i = 0; i < N_CONFLICTS; i++)
    if ((strcmp(a, conflicts[i][0]) == 0 && strstr(b, conflicts[i][1])) ||
        (strcmp(a, conflicts[i][1]) == 0 && strstr(b, conflicts[i][0])))
      return 1;
  return 0;
}

static int is_card(const kseg_profile *p)
{
  return !p->marketing && kseg_profile_find(p, "BALANCE", KSEG_PROFILE_VALUE) &&
         kseg_profile_find(p, "PURCHASES", KSEG_PROFILE_VALUE) &&
         kseg_profile_find(p, "CASH_ADVANCE", KSEG_PROFILE_VALUE) &&
         kseg_profile_find(p, "CREDIT_LIMIT", KSEG_PROFILE_VALUE);
}

static int is_rfm(const kseg_profile *p)
{
  return !p->marketing && kseg_profile_find(p, "recency_days", KSEG_PROFILE_VALUE) &&
         kseg_profile_find(p, "frequency", KSEG_PROFILE_VALUE) &&
         kseg_profile_find(p, "monetary_total", KSEG_PROFILE_VALUE);
}

/* The curated vocabulary of the table, or NULL (names from column names). */
static const feature *vocabulary(const kseg_profile *p, int *n)
{
  if (p->marketing) return *n = N_MARKETING_FEATURES, marketing_features;
  if (is_rfm(p)) return *n = N_RFM_FEATURES, rfm_features;
  if (is_card(p)) return *n = N_CARD_FEATURES, card_features;
  return *n = 0, NULL;
}

/* A candidate word for segment s: which feature, which direction, how far. */
typedef struct pick {
  double deviation;
  int order;       /* position in the feature list: the tie-break */
  const char *word; /* a curated word, or NULL: the text is in `own` */
  char own[160];    /* generic names ("High BALANCE"); words may not point here, qsort moves it */
  int group;
} pick;

static const char *word_of(const pick *p) { return p->word ? p->word : p->own; }

static int by_deviation(const void *a, const void *b)
{
  const pick *x = a, *y = b;
  if (x->deviation != y->deviation) return x->deviation > y->deviation ? -1 : 1;
  return x->order - y->order;
}

static double index_at(const kseg_profile *p, const char *name, kseg_profile_metric_kind kind, int s)
{
  const kseg_profile_metric *m = kseg_profile_find(p, name, kind);
  return m ? m->index[s] : NAN;
}

static double mean_at(const kseg_profile *p, const char *name, kseg_profile_metric_kind kind, int s)
{
  const kseg_profile_metric *m = kseg_profile_find(p, name, kind);
  return m ? m->mean[s] : NAN;
}

/* The generic vocabulary: a column names a segment by its words (SNAKE_CASE
 * and camelCase split, lower case) when it has a real word in it (three
 * letters or more: "x291" has none) and its base mean is clearly away from
 * zero (at least 1 % of the largest segment mean in absolute value): near a
 * zero mean the index is noise. 1 with the words in buf. */
static int generic_word(const kseg_profile *p, const kseg_profile_metric *m, char *buf, size_t len)
{
  const int K = p->n_segments;
  double top = 0.0;
  for (int s = 0; s < K; s++)
    if (isfinite(m->mean[s]) && fabs(m->mean[s]) > top) top = fabs(m->mean[s]);
  if (!(m->mean[K] > 0.0) || m->mean[K] < 0.01 * top) return 0;
  kseg_profile_words(m->name, buf, len);
  int letters = 0, best = 0;
  for (const char *c = buf;; c++) {
    if (*c >= 'a' && *c <= 'z') letters++;
    else {
      if (*c == ' ' || *c == '\0') best = letters > best ? letters : best;
      letters = *c == ' ' || *c == '\0' ? 0 : -1000; /* a digit spoils its token */
      if (*c == '\0') break;
    }
  }
  return best >= 3;
}

static int target_word(const kseg_profile *p, int s, pick *out, int order)
{
  if (!p->target || !isfinite(p->lift[s])) return 0;
  double dev = fabs(p->lift[s] * 100.0 - 100.0);
  out->deviation = dev;
  out->order = order;
  out->group = GROUP_NONE;
  out->word = p->lift[s] >= 1.0 ? "Responsive" : "Unresponsive";
  return 1;
}

/* Every word that could describe segment s, most distinctive first. */
static int rank_words(const kseg_profile *p, int s, pick *picks, int cap)
{
  int n = 0, n_vocab;
  const feature *vocab = vocabulary(p, &n_vocab);
  if (vocab) {
    for (int f = 0; f < n_vocab && n < cap; f++) {
      const feature *ft = &vocab[f];
      double idx = index_at(p, ft->metric, ft->kind, s);
      if (!isfinite(idx)) continue;
      const char *w = idx >= 100.0 ? ft->high : ft->low;
      if (!w || (ft->guard && !ft->guard(p, s, idx >= 100.0))) continue;
      picks[n] = (pick){.deviation = fabs(idx - 100.0), .order = f, .word = w, .group = ft->group};
      n++;
    }
  } else {
    for (int j = 0; j < p->n_metrics && n < cap; j++) {
      const kseg_profile_metric *m = &p->metrics[j];
      char words[128];
      if (m->kind == KSEG_PROFILE_MIX || !isfinite(m->index[s]) || !generic_word(p, m, words, sizeof words)) continue;
      picks[n] = (pick){.deviation = fabs(m->index[s] - 100.0), .order = j};
      snprintf(picks[n].own, sizeof picks[n].own, "%s %s", m->index[s] >= 100.0 ? "High" : "Low", words);
      n++;
    }
  }
  if (n < cap && target_word(p, s, &picks[n], 1000)) n++;
  qsort(picks, (size_t)n, sizeof *picks, by_deviation);
  /* a segment that answers campaigns is named for it first */
  for (int i = 0; i < n; i++)
    if (picks[i].order == 1000 && p->lift[s] >= LIFT_PRIORITY) {
      pick t = picks[i];
      memmove(&picks[1], &picks[0], sizeof *picks * (size_t)i);
      picks[0] = t;
    }
  return n;
}

/* Build a name from the ranked words: the first `max_terms` terms, where
 * the two strongest product lines share one term ("Wine & meat") and only
 * the strongest channel counts (further products and channels are skipped).
 * Only words with deviation >= NAME_MIN_DEVIATION (or a forced first word)
 * take part unless `any` is set. Returns the number of terms used. */
static int build_name(const pick *picks, int n, int max_terms, int any, int forced, char *buf, size_t len)
{
  const char *terms[8];
  char products[96] = "";
  int nt = 0, n_prod = 0, prod_term = -1, channel = 0;
  for (int i = 0; i < n && nt <= max_terms; i++) {
    if (!any && picks[i].deviation < NAME_MIN_DEVIATION && !(i == 0 && forced)) break;
    if (picks[i].group == GROUP_PRODUCT) {
      if (n_prod == 2) continue;
      size_t l = strlen(products);
      snprintf(products + l, sizeof products - l, "%s%s", n_prod ? " & " : "", word_of(&picks[i]));
      if (n_prod++ == 0) {
        if (nt == max_terms) break;
        prod_term = nt;
        terms[nt++] = products;
      }
      continue;
    }
    if (picks[i].group == GROUP_CHANNEL && channel++) continue;
    int clash = 0;
    for (int t = 0; t < nt; t++) clash |= in_conflict(word_of(&picks[i]), terms[t]);
    if (clash) continue;
    if (nt == max_terms) break;
    terms[nt++] = word_of(&picks[i]);
  }
  if (prod_term >= 0 && products[0] >= 'a' && products[0] <= 'z') products[0] = (char)(products[0] - 'a' + 'A');
  buf[0] = '\0';
  for (int t = 0; t < nt; t++) {
    size_t used = strlen(buf);
    snprintf(buf + used, len - used, "%s%s", t ? " \xC2\xB7 " : "", terms[t]);
  }
  return nt;
}

static int name_taken(char **names, int upto, const char *name)
{
  for (int t = 0; t < upto; t++)
    if (names[t] && strcmp(names[t], name) == 0) return 1;
  return 0;
}

/* The strongest channel of segment s, by its share of purchases vs the base. */
static const char *strongest_channel(const kseg_profile *p, int s)
{
  static const char *const metric[] = {"NumWebPurchases", "NumCatalogPurchases", "NumStorePurchases"};
  static const char *const words[] = {"the web shop", "the catalogue", "the stores"};
  int best = -1;
  double best_idx = -INFINITY;
  for (int c = 0; c < 3; c++) {
    double idx = index_at(p, metric[c], KSEG_PROFILE_MIX, s);
    if (isfinite(idx) && idx > best_idx) best_idx = idx, best = c;
  }
  return best >= 0 ? words[best] : NULL;
}

/* With campaign economics (docs/plan.md) the campaign advice follows the
 * segment's decision: the interval of its rate against the break-even rate.
 * Writes the action and returns 1 for contact, test, and a responsive
 * segment that does not pay; 0 leaves the other rules to speak. */
static int campaign_action(const kseg_profile *p, int s, const char *channel, const char *focus, char *buf,
                           size_t len)
{
  const kseg_plan *pl = p->plan;
  if (!p->target || !pl || !pl->money || !pl->segments) return 0;
  const kseg_plan_segment *g = &pl->segments[s];
  const int K = p->n_segments;
  const double be = 100.0 * pl->break_even_rate;
  /* the channel and what sets the segment apart make two contacted
   * segments' actions differ: "via the catalogue, with an offer for deal seekers" */
  char via[256] = "";
  if (channel) snprintf(via, sizeof via, " via %s", channel);
  if (focus && focus[0]) {
    const size_t used = strlen(via);
    snprintf(via + used, sizeof via - used, ", %s", focus);
  }
  switch (g->decision) {
  case KSEG_PLAN_CONTACT:
    /* the plan contacts it; "Prioritise" only where it also answers well above the base */
    snprintf(buf, len, "%s in the next campaign%s: %s rate %.1f%% (95%% interval %.1f-%.1f%%) vs %.1f%% overall "
                       "(lift %.2f), above the break-even %.1f%%",
             p->lift[s] >= LIFT_PRIORITY ? "Prioritise" : "Contact", via, p->target, 100.0 * g->rate, 100.0 * g->rate_low, 100.0 * g->rate_high, 100.0 * p->target_rate[K],
             p->lift[s], be);
    return 1;
  case KSEG_PLAN_TEST:
    snprintf(buf, len, "Test before a full campaign%s: %s rate %.1f%% (95%% interval %.1f-%.1f%%, lift %.2f) "
                       "straddles the break-even %.1f%%",
             via, p->target, 100.0 * g->rate, 100.0 * g->rate_low, 100.0 * g->rate_high, p->lift[s], be);
    return 1;
  case KSEG_PLAN_SKIP:
    if (!(p->lift[s] >= LIFT_PRIORITY)) return 0;
    snprintf(buf, len, "Responsive (lift %.2f) but below break-even: %s rate %.1f%% (95%% interval %.1f-%.1f%%) vs "
                       "%.1f%% needed; skip at this cost",
             p->lift[s], p->target, 100.0 * g->rate, 100.0 * g->rate_low, 100.0 * g->rate_high, be);
    return 1;
  case KSEG_PLAN_NO_DECISION: break;
  }
  return 0;
}

/* A skipped segment's other advice says it is not a campaign contact. */
static void note_skip(const kseg_profile *p, int s, char *buf, size_t len)
{
  const kseg_plan *pl = p->plan;
  if (!p->target || !pl || !pl->money || !pl->segments || pl->segments[s].decision != KSEG_PLAN_SKIP) return;
  if (strncmp(buf, "Deprioritise", 12) == 0) return; /* says it already */
  const size_t used = strlen(buf);
  if (used + 1 < len)
    snprintf(buf + used, len - used,
             "; the plan skips it, not worth a campaign contact at this cost (%s rate %.1f%%, break-even %.1f%%)",
             p->target, 100.0 * pl->segments[s].rate, 100.0 * pl->break_even_rate);
}

/* Actions are picked from rules in order; each rule is a kind of action.
 * Distinct segments get distinct kinds where another rule of theirs applies
 * (a kind already given to an earlier segment is passed over); when none
 * does, the segments share the action and each name carries the word that
 * says why (the rule's reason). */
enum {
  ACT_NONE = 0, ACT_KEEP, ACT_PRIORITY, ACT_WINBACK, ACT_WINBACK_VALUE, ACT_WINBACK_LOW, ACT_LOYALTY, ACT_DEALS,
  ACT_RETARGET, ACT_LOW, ACT_VIP, ACT_NURTURE, ACT_DEPRIORITISE, ACT_TAILOR, ACT_CASH, ACT_REVOLVE, ACT_ONEOFF,
  ACT_INSTALMENT, ACT_TRANSACT, ACT_DORMANT, ACT_PRIME, N_ACT
};

typedef struct action_choice {
  int kind;
  const char *reason; /* the name word that explains the action, or NULL */
  char text[512];
  int shared;         /* every applicable kind was taken: the action is shared */
} action_choice;

/* Offer one applicable rule: taken first when its kind is free. */
static int offer(action_choice *a, const unsigned char *taken, int kind, const char *reason, const char *text)
{
  if (a->kind && !a->shared) return 1; /* decided */
  if (kind == ACT_KEEP && a->kind) return 1; /* a shared, fitting action beats no action */
  if (!taken[kind]) {
    a->kind = kind;
    a->reason = reason;
    a->shared = 0;
    snprintf(a->text, sizeof a->text, "%s", text);
    return 1;
  }
  if (!a->kind) { /* the first applicable one, kept in case no other is free */
    a->kind = kind;
    a->reason = reason;
    a->shared = 1;
    snprintf(a->text, sizeof a->text, "%s", text);
  }
  return 0;
}

static void money(const kseg_profile *p, double v, char *buf, size_t len)
{
  kseg_profile_money(v, 0, p->currency, buf, len);
}

static void marketing_action(const kseg_profile *p, int s, const unsigned char *taken, action_choice *a)
{
  const char *ch = strongest_channel(p, s);
  double lift = p->target ? p->lift[s] : NAN;
  double rec = index_at(p, "Recency", KSEG_PROFILE_VALUE, s);
  double spend = index_at(p, "Total_Spent", KSEG_PROFILE_VALUE, s);
  double deals = index_at(p, "NumDealsPurchases", KSEG_PROFILE_VALUE, s);
  double visits = index_at(p, "NumWebVisitsMonth", KSEG_PROFILE_VALUE, s);
  double webshare = index_at(p, "NumWebPurchases", KSEG_PROFILE_MIX, s);
  const int K = p->n_segments;
  char t[512], m1[64], m2[64];
  money(p, mean_at(p, "Total_Spent", KSEG_PROFILE_VALUE, s), m1, sizeof m1);
  money(p, mean_at(p, "Total_Spent", KSEG_PROFILE_VALUE, K), m2, sizeof m2);
  if (isfinite(lift) && lift >= LIFT_PRIORITY && !(p->plan && p->plan->money)) {
    snprintf(t, sizeof t, "Prioritise in the next campaign via %s: %s rate %.1f%% vs %.1f%% overall (lift %.2f)",
             ch ? ch : "its usual channel", p->target, 100.0 * p->target_rate[s], 100.0 * p->target_rate[K], lift);
    if (offer(a, taken, ACT_PRIORITY, "Responsive", t)) return;
  }
  if (rec >= 130.0) {
    snprintf(t, sizeof t, "Win-back offer: last purchase %.0f days ago on average vs %.0f overall",
             mean_at(p, "Recency", KSEG_PROFILE_VALUE, s), mean_at(p, "Recency", KSEG_PROFILE_VALUE, K));
    if (offer(a, taken, ACT_WINBACK, "Lapsed", t)) return;
  }
  const int plan_skips = p->plan && p->plan->money && p->plan->segments &&
                         p->plan->segments[s].decision == KSEG_PLAN_SKIP;
  if (spend >= 150.0 && (!(lift >= 1.0) || plan_skips)) {
    snprintf(t, sizeof t, "Loyalty / premium offers, not discounts: spend %s vs %s overall%s", m1, m2,
             isfinite(lift) && lift < 1.0 ? ", campaign lift below 1" : "");
    if (offer(a, taken, ACT_LOYALTY, "High spenders", t)) return;
  }
  if (deals >= 130.0) {
    snprintf(t, sizeof t, "Target with discounts and bundles: %.1f deal purchases vs %.1f overall",
             mean_at(p, "NumDealsPurchases", KSEG_PROFILE_VALUE, s),
             mean_at(p, "NumDealsPurchases", KSEG_PROFILE_VALUE, K));
    if (offer(a, taken, ACT_DEALS, "Deal seekers", t)) return;
  }
  if (visits >= 120.0 && webshare < 100.0) {
    snprintf(t, sizeof t, "Retarget online: %.1f web visits a month vs %.1f overall, but a smaller web share of purchases",
             mean_at(p, "NumWebVisitsMonth", KSEG_PROFILE_VALUE, s),
             mean_at(p, "NumWebVisitsMonth", KSEG_PROFILE_VALUE, K));
    if (offer(a, taken, ACT_RETARGET, "Web browsers", t)) return;
  }
  if (isfinite(lift) && lift <= 0.5) {
    /* a segment that hardly ever responds is left out, not contacted cheaply */
    const int skipped = p->plan && p->plan->money && p->plan->segments &&
                        p->plan->segments[s].decision == KSEG_PLAN_SKIP;
    char spent[160] = "";
    if (spend <= 50.0) snprintf(spent, sizeof spent, "; spend %s vs %s overall", m1, m2);
    snprintf(t, sizeof t, "Deprioritise: leave out of campaigns%s: %s rate %.1f%% vs %.1f%% overall (lift %.2f)%s",
             skipped ? ", as the plan does" : "", p->target, 100.0 * p->target_rate[s], 100.0 * p->target_rate[K],
             lift, spent);
    if (offer(a, taken, ACT_DEPRIORITISE, "Unresponsive", t)) return;
  }
  if (spend <= 50.0) {
    snprintf(t, sizeof t, "Low priority: low-cost digital contact only (spend %s vs %s overall)", m1, m2);
    if (offer(a, taken, ACT_LOW, "Low spenders", t)) return;
  }
  snprintf(t, sizeof t, "Keep in regular campaigns via %s", ch ? ch : "the usual channels");
  offer(a, taken, ACT_KEEP, NULL, t);
}

static void rfm_action(const kseg_profile *p, int s, const unsigned char *taken, action_choice *a)
{
  const int K = p->n_segments;
  double rec = index_at(p, "recency_days", KSEG_PROFILE_VALUE, s);
  double freq = index_at(p, "frequency", KSEG_PROFILE_VALUE, s);
  double total = index_at(p, "monetary_total", KSEG_PROFILE_VALUE, s);
  double basket = index_at(p, "monetary_mean", KSEG_PROFILE_VALUE, s);
  double lift = p->target ? p->lift[s] : NAN;
  char t[512], m1[64], m2[64];
  if (isfinite(lift) && lift >= LIFT_PRIORITY && !(p->plan && p->plan->money)) {
    snprintf(t, sizeof t, "Prioritise in the next campaign: %s rate %.1f%% vs %.1f%% overall (lift %.2f)", p->target,
             100.0 * p->target_rate[s], 100.0 * p->target_rate[K], lift);
    if (offer(a, taken, ACT_PRIORITY, "Responsive", t)) return;
  }
  if (freq >= 150.0 && total >= 150.0) {
    money(p, mean_at(p, "monetary_total", KSEG_PROFILE_VALUE, s), m1, sizeof m1);
    money(p, mean_at(p, "monetary_total", KSEG_PROFILE_VALUE, K), m2, sizeof m2);
    snprintf(t, sizeof t, "Reward and retain (VIP): %.1f purchases and %s spent vs %.1f and %s overall",
             mean_at(p, "frequency", KSEG_PROFILE_VALUE, s), m1, mean_at(p, "frequency", KSEG_PROFILE_VALUE, K), m2);
    if (offer(a, taken, ACT_VIP, "Frequent buyers", t)) return;
  }
  if (rec >= 120.0) {
    /* lapsed customers who spent big per order are worth a personal offer;
     * small one-off buyers an automated, low-cost one */
    money(p, mean_at(p, "monetary_mean", KSEG_PROFILE_VALUE, s), m1, sizeof m1);
    money(p, mean_at(p, "monetary_mean", KSEG_PROFILE_VALUE, K), m2, sizeof m2);
    if (basket >= 100.0) {
      snprintf(t, sizeof t, "Win-back with a personal offer: baskets of %s vs %s overall before lapsing %.0f days ago",
               m1, m2, mean_at(p, "recency_days", KSEG_PROFILE_VALUE, s));
      if (offer(a, taken, ACT_WINBACK_VALUE, "Large baskets", t)) return;
    } else {
      snprintf(t, sizeof t, "Low-cost automated win-back (email): baskets of %s vs %s overall, last purchase %.0f days "
                            "ago", m1, m2, mean_at(p, "recency_days", KSEG_PROFILE_VALUE, s));
      if (offer(a, taken, ACT_WINBACK_LOW, "Small baskets", t)) return;
    }
  }
  if (freq <= 70.0) {
    snprintf(t, sizeof t, "Nurture towards a repeat purchase: %.1f purchases vs %.1f overall, last %.0f days ago",
             mean_at(p, "frequency", KSEG_PROFILE_VALUE, s), mean_at(p, "frequency", KSEG_PROFILE_VALUE, K),
             mean_at(p, "recency_days", KSEG_PROFILE_VALUE, s));
    if (offer(a, taken, ACT_NURTURE, "One-off buyers", t)) return;
  }
  offer(a, taken, ACT_KEEP, NULL, "Keep in regular campaigns");
}

/* Card actions (CC GENERAL-like tables), first applicable free rule. */
static void card_action(const kseg_profile *p, int s, const unsigned char *taken, action_choice *a)
{
  const int K = p->n_segments;
  char t[512], m1[64], m2[64];
#define IDX(c) index_at(p, c, KSEG_PROFILE_VALUE, s)
#define MONEY2(c)                                                  \
  do {                                                             \
    money(p, mean_at(p, c, KSEG_PROFILE_VALUE, s), m1, sizeof m1); \
    money(p, mean_at(p, c, KSEG_PROFILE_VALUE, K), m2, sizeof m2); \
  } while (0)
  const double full_s = mean_at(p, "PRC_FULL_PAYMENT", KSEG_PROFILE_VALUE, s),
               full_k = mean_at(p, "PRC_FULL_PAYMENT", KSEG_PROFILE_VALUE, K);
  if (IDX("CASH_ADVANCE") >= 150.0) {
    MONEY2("CASH_ADVANCE");
    snprintf(t, sizeof t, "Offer a lower-rate instalment loan or balance transfer in place of costly cash advances: "
                          "cash advances %s vs %s overall", m1, m2);
    if (offer(a, taken, ACT_CASH, "Cash-advance users", t)) return;
  }
  if (IDX("BALANCE") >= 130.0 && !(IDX("PRC_FULL_PAYMENT") >= 100.0)) {
    MONEY2("BALANCE");
    snprintf(t, sizeof t, "Offer a balance transfer or a lower-rate plan, and watch the credit risk: balance %s vs %s "
                          "overall, %.0f%% of statements paid in full vs %.0f%%", m1, m2, 100.0 * full_s,
             100.0 * full_k);
    if (offer(a, taken, ACT_REVOLVE, "Revolvers carrying balances", t)) return;
  }
  if (IDX("ONEOFF_PURCHASES") >= 150.0) {
    MONEY2("ONEOFF_PURCHASES");
    snprintf(t, sizeof t, "Reward the spend: cashback or points on large purchases and a premium card upgrade: "
                          "one-off purchases %s vs %s overall", m1, m2);
    if (offer(a, taken, ACT_ONEOFF, "One-off big spenders", t)) return;
  }
  if (IDX("INSTALLMENTS_PURCHASES") >= 150.0) {
    MONEY2("INSTALLMENTS_PURCHASES");
    snprintf(t, sizeof t, "Promote 0%% instalment plans with partner merchants: instalment purchases %s vs %s overall",
             m1, m2);
    if (offer(a, taken, ACT_INSTALMENT, "Instalment buyers", t)) return;
  }
  if (IDX("PRC_FULL_PAYMENT") >= 150.0) {
    snprintf(t, sizeof t, "Keep them spending with everyday rewards (they pay in full, so fees and spend make the "
                          "margin): %.0f%% of statements paid in full vs %.0f%% overall", 100.0 * full_s,
             100.0 * full_k);
    if (offer(a, taken, ACT_TRANSACT, "Transactors who pay in full", t)) return;
  }
  if (IDX("PURCHASES") <= 40.0 && !(IDX("CASH_ADVANCE") > 60.0)) {
    MONEY2("PURCHASES");
    snprintf(t, sizeof t, "Reactivate with a first-purchase bonus, or review the unused credit line: purchases %s vs "
                          "%s overall", m1, m2);
    if (offer(a, taken, ACT_DORMANT, "Dormant cards", t)) return;
  }
  if (IDX("CREDIT_LIMIT") >= 130.0) {
    MONEY2("CREDIT_LIMIT");
    snprintf(t, sizeof t, "Premium card and travel benefits for high limits: credit limit %s vs %s overall", m1, m2);
    if (offer(a, taken, ACT_PRIME, "High-limit prime", t)) return;
  }
#undef IDX
#undef MONEY2
  offer(a, taken, ACT_KEEP, NULL, "Keep in regular card campaigns");
}

static void generic_action(const kseg_profile *p, int s, const unsigned char *taken, action_choice *a)
{
  const int K = p->n_segments;
  double lift = p->target ? p->lift[s] : NAN;
  char t[512];
  if (isfinite(lift) && lift >= LIFT_PRIORITY && !(p->plan && p->plan->money)) {
    snprintf(t, sizeof t, "Prioritise in the next campaign: %s rate %.1f%% vs %.1f%% overall (lift %.2f)", p->target,
             100.0 * p->target_rate[s], 100.0 * p->target_rate[K], lift);
    if (offer(a, taken, ACT_PRIORITY, "Responsive", t)) return;
  }
  if (isfinite(lift) && lift <= 0.5) {
    snprintf(t, sizeof t, "Deprioritise in campaigns: %s rate %.1f%% vs %.1f%% overall (lift %.2f)", p->target,
             100.0 * p->target_rate[s], 100.0 * p->target_rate[K], lift);
    if (offer(a, taken, ACT_DEPRIORITISE, "Unresponsive", t)) return;
  }
  const kseg_profile_metric *best = NULL;
  double dev = NAME_MIN_DEVIATION;
  char words[128], best_words[128] = "";
  for (int j = 0; j < p->n_metrics; j++) {
    const kseg_profile_metric *m = &p->metrics[j];
    if (m->kind == KSEG_PROFILE_VALUE && isfinite(m->index[s]) && fabs(m->index[s] - 100.0) >= dev &&
        generic_word(p, m, words, sizeof words)) {
      dev = fabs(m->index[s] - 100.0);
      best = m;
      snprintf(best_words, sizeof best_words, "%s", words);
    }
  }
  if (best) {
    char seg_mean[64], base_mean[64];
    if (kseg_profile_is_money(best->name)) { /* amounts as money, with --currency */
      const int dec = fabs(best->mean[K]) < 100.0 ? 2 : 0;
      kseg_profile_money(best->mean[s], dec, p->currency, seg_mean, sizeof seg_mean);
      kseg_profile_money(best->mean[K], dec, p->currency, base_mean, sizeof base_mean);
    } else {
      snprintf(seg_mean, sizeof seg_mean, "%.4g", best->mean[s]);
      snprintf(base_mean, sizeof base_mean, "%.4g", best->mean[K]);
    }
    snprintf(t, sizeof t, "Tailor the offer to %s %s: mean %s vs %s overall", best->index[s] >= 100.0 ? "high" : "low",
             best_words, seg_mean, base_mean);
    offer(a, taken, ACT_TAILOR, NULL, t);
    a->shared = 0; /* the column named in the action makes it the segment's own */
    return;
  }
  offer(a, taken, ACT_KEEP, NULL, "No distinctive feature: treat as the base");
}

/* A generic table with no column worth a word (x1..x300): the segment's
 * shape in words, counted over the columns whose base mean is away from zero. */
static void shape_name(const kseg_profile *p, int s, char *buf, size_t len)
{
  const int K = p->n_segments;
  int up = 0, down = 0, cols = 0;
  for (int j = 0; j < p->n_metrics; j++) {
    const kseg_profile_metric *m = &p->metrics[j];
    if (m->kind != KSEG_PROFILE_VALUE || !isfinite(m->index[s]) || !(m->mean[K] > 0.0)) continue;
    cols++;
    up += m->index[s] >= 100.0 + NAME_MIN_DEVIATION;
    down += m->index[s] <= 100.0 - NAME_MIN_DEVIATION;
  }
  if (up == 0 && down == 0) snprintf(buf, len, "Average customers");
  else if (down == 0) snprintf(buf, len, "Higher on %d of %d measures", up, cols);
  else if (up == 0) snprintf(buf, len, "Lower on %d of %d measures", down, cols);
  else snprintf(buf, len, "Higher on %d, lower on %d of %d measures", up, down, cols);
}

/* What sets a segment apart, for its campaign action: the strongest word of
 * its name other than the response: "with an offer for deal seekers" (a
 * curated word names people), "with an offer built on their high loyalty
 * points" (a generic word names a measure); "" without one. */
static void focus_clause(const pick *picks, int n, char *buf, size_t len)
{
  buf[0] = '\0';
  for (int i = 0; i < n; i++) {
    if (picks[i].order == 1000 || picks[i].deviation < NAME_MIN_DEVIATION) continue;
    char w[192];
    snprintf(w, sizeof w, "%s", word_of(&picks[i]));
    if (w[0] >= 'A' && w[0] <= 'Z' && !(w[1] >= 'A' && w[1] <= 'Z')) w[0] = (char)(w[0] - 'A' + 'a');
    snprintf(buf, len, picks[i].word ? "with an offer for %s" : "with an offer built on their %s", w);
    return;
  }
}

int kseg_profile_name_segments(kseg_profile *p)
{
  const int K = p->n_segments;
  p->names = kseg_calloc((size_t)K + 1, sizeof *p->names, "segment names");
  p->actions = kseg_calloc((size_t)K + 1, sizeof *p->actions, "segment actions");
  int n_vocab;
  const feature *vocab = vocabulary(p, &n_vocab);
  int cap = (vocab ? n_vocab : p->n_metrics) + 1;
  pick *picks = kseg_calloc((size_t)cap, sizeof *picks, "segment names");
  if (!p->names || !p->actions || !picks) {
    free(picks);
    return KSEG_ERR_IO;
  }
  char name[512], action[512];
  unsigned char taken[N_ACT] = {0};
  action_choice *choice = kseg_calloc((size_t)K + 1, sizeof *choice, "segment actions");
  if (!choice) {
    free(picks);
    return KSEG_ERR_IO;
  }
  for (int s = 0; s < K; s++) {
    if (p->size[s] == 0) {
      snprintf(name, sizeof name, "Empty segment %d", s);
      snprintf(action, sizeof action, "None: no customer in this segment");
    } else {
      int n = rank_words(p, s, picks, cap);
      int forced = n > 0 && picks[0].order == 1000 && p->lift[s] >= LIFT_PRIORITY;
      int terms = build_name(picks, n, NAME_MAX_TERMS, 0, forced, name, sizeof name);
      if (terms == 0 && !vocab) shape_name(p, s, name, sizeof name);
      else if (terms == 0) snprintf(name, sizeof name, "Average customers");
      /* unique: add the next most distinctive words, then a counter */
      for (int more = NAME_MAX_TERMS + 1; name_taken(p->names, s, name) && more <= 6 && more <= n; more++)
        build_name(picks, n, more, 1, forced, name, sizeof name);
      char base[512];
      snprintf(base, sizeof base, "%s", name);
      for (int c = 2; name_taken(p->names, s, name); c++) snprintf(name, sizeof name, "%.480s (%d)", base, c);
      const char *ch = p->marketing ? strongest_channel(p, s) : NULL;
      char focus[256];
      focus_clause(picks, n, focus, sizeof focus);
      if (!campaign_action(p, s, p->marketing ? (ch ? ch : "its usual channel") : NULL, focus, action,
                           sizeof action)) {
        action_choice *a = &choice[s];
        if (p->marketing) marketing_action(p, s, taken, a);
        else if (is_rfm(p)) rfm_action(p, s, taken, a);
        else if (is_card(p)) card_action(p, s, taken, a);
        else generic_action(p, s, taken, a);
        if (a->kind != ACT_KEEP && a->kind != ACT_TAILOR) taken[a->kind] = 1;
        snprintf(action, sizeof action, "%s", a->text);
        note_skip(p, s, action, sizeof action);
      }
    }
    if (!(p->names[s] = kseg_strings_dup(name)) || !(p->actions[s] = kseg_strings_dup(action))) {
      free(picks);
      free(choice);
      return KSEG_ERR_IO;
    }
  }
  /* segments that share a kind of action: each name says why */
  for (int s = 0; s < K; s++) {
    const action_choice *a = &choice[s];
    if (!a->kind || !a->reason) continue;
    int shared = 0;
    for (int t = 0; t < K; t++) shared |= t != s && choice[t].kind == a->kind;
    if (!shared || strstr(p->names[s], a->reason)) continue;
    char *named = kseg_malloc(strlen(a->reason) + strlen(p->names[s]) + 8, "segment names");
    if (!named) {
      free(picks);
      free(choice);
      return KSEG_ERR_IO;
    }
    sprintf(named, "%s \xC2\xB7 %s", a->reason, p->names[s]);
    free(p->names[s]);
    p->names[s] = named;
  }
  free(choice);
  free(picks);
  if (!(p->names[K] = kseg_strings_dup("all")) || !(p->actions[K] = kseg_strings_dup(""))) return KSEG_ERR_IO;
  return KSEG_OK;
}
