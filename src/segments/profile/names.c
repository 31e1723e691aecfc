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
} feature;

/* The curated business features of the Customer Personality table. */
static const feature marketing_features[] = {
    {"Income", KSEG_PROFILE_VALUE, "High income", "Low income", 0},
    {"Total_Spent", KSEG_PROFILE_VALUE, "High spenders", "Low spenders", 0},
    {"MntWines", KSEG_PROFILE_MIX, "wine", NULL, GROUP_PRODUCT},
    {"MntMeatProducts", KSEG_PROFILE_MIX, "meat", NULL, GROUP_PRODUCT},
    {"MntFishProducts", KSEG_PROFILE_MIX, "fish", NULL, GROUP_PRODUCT},
    {"MntFruits", KSEG_PROFILE_MIX, "fruit", NULL, GROUP_PRODUCT},
    {"MntSweetProducts", KSEG_PROFILE_MIX, "sweets", NULL, GROUP_PRODUCT},
    {"MntGoldProds", KSEG_PROFILE_MIX, "gold", NULL, GROUP_PRODUCT},
    {"NumWebPurchases", KSEG_PROFILE_MIX, "Web buyers", NULL, GROUP_CHANNEL},
    {"NumCatalogPurchases", KSEG_PROFILE_MIX, "Catalogue buyers", NULL, GROUP_CHANNEL},
    {"NumStorePurchases", KSEG_PROFILE_MIX, "Store shoppers", NULL, GROUP_CHANNEL},
    {"NumDealsPurchases", KSEG_PROFILE_VALUE, "Deal seekers", "Full-price buyers", 0},
    {"NumWebVisitsMonth", KSEG_PROFILE_VALUE, "Web browsers", "Rare web visitors", 0},
    {"Children", KSEG_PROFILE_VALUE, "Families with children", "Few children at home", 0},
    {"Age", KSEG_PROFILE_VALUE, "Senior", "Young", 0},
    {"Recency", KSEG_PROFILE_VALUE, "Lapsed", "Recent", 0},
};
#define N_MARKETING_FEATURES ((int)(sizeof marketing_features / sizeof marketing_features[0]))

/* The curated features of a per-customer RFM table (kseg rfm). */
static const feature rfm_features[] = {
    {"recency_days", KSEG_PROFILE_VALUE, "Lapsed", "Recent buyers", 0},
    {"frequency", KSEG_PROFILE_VALUE, "Frequent buyers", "One-off buyers", 0},
    {"monetary_total", KSEG_PROFILE_VALUE, "Big spenders", "Small spenders", 0},
    {"monetary_mean", KSEG_PROFILE_VALUE, "Large baskets", "Small baskets", 0},
    {"tenure_days", KSEG_PROFILE_VALUE, "Long-standing", "Newcomers", 0},
};
#define N_RFM_FEATURES ((int)(sizeof rfm_features / sizeof rfm_features[0]))

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
      if (!w) continue;
      picks[n] = (pick){.deviation = fabs(idx - 100.0), .order = f, .word = w, .group = ft->group};
      n++;
    }
  } else {
    for (int j = 0; j < p->n_metrics && n < cap; j++) {
      const kseg_profile_metric *m = &p->metrics[j];
      if (m->kind == KSEG_PROFILE_MIX || !isfinite(m->index[s])) continue;
      picks[n] = (pick){.deviation = fabs(m->index[s] - 100.0), .order = j};
      snprintf(picks[n].own, sizeof picks[n].own, "%s %s", m->index[s] >= 100.0 ? "High" : "Low", m->name);
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
static int campaign_action(const kseg_profile *p, int s, const char *channel, char *buf, size_t len)
{
  const kseg_plan *pl = p->plan;
  if (!p->target || !pl || !pl->money || !pl->segments) return 0;
  const kseg_plan_segment *g = &pl->segments[s];
  const int K = p->n_segments;
  const double be = 100.0 * pl->break_even_rate;
  char via[96] = "";
  if (channel) snprintf(via, sizeof via, " via %s", channel);
  switch (g->decision) {
  case KSEG_PLAN_CONTACT:
    snprintf(buf, len, "Prioritise in the next campaign%s: %s rate %.1f%% (95%% interval %.1f-%.1f%%) vs %.1f%% overall "
                       "(lift %.2f), above the break-even %.1f%%",
             via, p->target, 100.0 * g->rate, 100.0 * g->rate_low, 100.0 * g->rate_high, 100.0 * p->target_rate[K],
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
    snprintf(buf + used, len - used, "; not worth a campaign contact at this cost (%s rate %.1f%%, break-even %.1f%%)",
             p->target, 100.0 * pl->segments[s].rate, 100.0 * pl->break_even_rate);
}

static void marketing_action(const kseg_profile *p, int s, char *buf, size_t len)
{
  const char *ch = strongest_channel(p, s);
  double lift = p->target ? p->lift[s] : NAN;
  double rec = index_at(p, "Recency", KSEG_PROFILE_VALUE, s);
  double spend = index_at(p, "Total_Spent", KSEG_PROFILE_VALUE, s);
  double deals = index_at(p, "NumDealsPurchases", KSEG_PROFILE_VALUE, s);
  double visits = index_at(p, "NumWebVisitsMonth", KSEG_PROFILE_VALUE, s);
  double webshare = index_at(p, "NumWebPurchases", KSEG_PROFILE_MIX, s);
  const int K = p->n_segments;
  if (isfinite(lift) && lift >= LIFT_PRIORITY && !(p->plan && p->plan->money)) {
    snprintf(buf, len, "Prioritise in the next campaign via %s: %s rate %.1f%% vs %.1f%% overall (lift %.2f)",
             ch ? ch : "its usual channel", p->target, 100.0 * p->target_rate[s], 100.0 * p->target_rate[K], lift);
  } else if (rec >= 130.0) {
    snprintf(buf, len, "Win-back offer: last purchase %.0f days ago on average vs %.0f overall",
             mean_at(p, "Recency", KSEG_PROFILE_VALUE, s), mean_at(p, "Recency", KSEG_PROFILE_VALUE, K));
  } else if (spend >= 150.0 && !(lift >= 1.0)) {
    snprintf(buf, len, "Loyalty / premium offers, not discounts: spend %.0f vs %.0f overall%s", 
             mean_at(p, "Total_Spent", KSEG_PROFILE_VALUE, s), mean_at(p, "Total_Spent", KSEG_PROFILE_VALUE, K),
             isfinite(lift) ? ", campaign lift below 1" : "");
  } else if (deals >= 130.0) {
    snprintf(buf, len, "Target with discounts and bundles: %.1f deal purchases vs %.1f overall",
             mean_at(p, "NumDealsPurchases", KSEG_PROFILE_VALUE, s),
             mean_at(p, "NumDealsPurchases", KSEG_PROFILE_VALUE, K));
  } else if (visits >= 120.0 && webshare < 100.0) {
    snprintf(buf, len, "Retarget online: %.1f web visits a month vs %.1f overall, but a smaller web share of purchases",
             mean_at(p, "NumWebVisitsMonth", KSEG_PROFILE_VALUE, s),
             mean_at(p, "NumWebVisitsMonth", KSEG_PROFILE_VALUE, K));
  } else if (spend <= 50.0) {
    snprintf(buf, len, "Low priority: low-cost digital contact only (spend %.0f vs %.0f overall)",
             mean_at(p, "Total_Spent", KSEG_PROFILE_VALUE, s), mean_at(p, "Total_Spent", KSEG_PROFILE_VALUE, K));
  } else {
    snprintf(buf, len, "Keep in regular campaigns via %s", ch ? ch : "the usual channels");
  }
}

static void rfm_action(const kseg_profile *p, int s, char *buf, size_t len)
{
  const int K = p->n_segments;
  double rec = index_at(p, "recency_days", KSEG_PROFILE_VALUE, s);
  double freq = index_at(p, "frequency", KSEG_PROFILE_VALUE, s);
  double money = index_at(p, "monetary_total", KSEG_PROFILE_VALUE, s);
  double lift = p->target ? p->lift[s] : NAN;
  if (isfinite(lift) && lift >= LIFT_PRIORITY && !(p->plan && p->plan->money)) {
    snprintf(buf, len, "Prioritise in the next campaign: %s rate %.1f%% vs %.1f%% overall (lift %.2f)", p->target,
             100.0 * p->target_rate[s], 100.0 * p->target_rate[K], lift);
  } else if (freq >= 150.0 && money >= 150.0) {
    snprintf(buf, len, "Reward and retain (VIP): %.1f purchases and %.0f spent vs %.1f and %.0f overall",
             mean_at(p, "frequency", KSEG_PROFILE_VALUE, s), mean_at(p, "monetary_total", KSEG_PROFILE_VALUE, s),
             mean_at(p, "frequency", KSEG_PROFILE_VALUE, K), mean_at(p, "monetary_total", KSEG_PROFILE_VALUE, K));
  } else if (rec >= 120.0) {
    snprintf(buf, len, "Win-back offer: last purchase %.0f days ago on average vs %.0f overall",
             mean_at(p, "recency_days", KSEG_PROFILE_VALUE, s), mean_at(p, "recency_days", KSEG_PROFILE_VALUE, K));
  } else if (freq <= 70.0) {
    snprintf(buf, len, "Nurture towards a repeat purchase: %.1f purchases vs %.1f overall, last %.0f days ago",
             mean_at(p, "frequency", KSEG_PROFILE_VALUE, s), mean_at(p, "frequency", KSEG_PROFILE_VALUE, K),
             mean_at(p, "recency_days", KSEG_PROFILE_VALUE, s));
  } else {
    snprintf(buf, len, "Keep in regular campaigns");
  }
}

static void generic_action(const kseg_profile *p, int s, char *buf, size_t len)
{
  const int K = p->n_segments;
  double lift = p->target ? p->lift[s] : NAN;
  if (isfinite(lift) && lift >= LIFT_PRIORITY && !(p->plan && p->plan->money)) {
    snprintf(buf, len, "Prioritise in the next campaign: %s rate %.1f%% vs %.1f%% overall (lift %.2f)", p->target,
             100.0 * p->target_rate[s], 100.0 * p->target_rate[K], lift);
    return;
  }
  if (isfinite(lift) && lift <= 0.5) {
    snprintf(buf, len, "Deprioritise in campaigns: %s rate %.1f%% vs %.1f%% overall (lift %.2f)", p->target,
             100.0 * p->target_rate[s], 100.0 * p->target_rate[K], lift);
    return;
  }
  const kseg_profile_metric *best = NULL;
  double dev = NAME_MIN_DEVIATION;
  for (int j = 0; j < p->n_metrics; j++) {
    const kseg_profile_metric *m = &p->metrics[j];
    if (m->kind == KSEG_PROFILE_VALUE && isfinite(m->index[s]) && fabs(m->index[s] - 100.0) >= dev)
      dev = fabs(m->index[s] - 100.0), best = m;
  }
  if (best)
    snprintf(buf, len, "Tailor the offer to %s %s: mean %.4g vs %.4g overall", best->index[s] >= 100.0 ? "high" : "low",
             best->name, best->mean[s], best->mean[K]);
  else
    snprintf(buf, len, "No distinctive feature: treat as the base");
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
  for (int s = 0; s < K; s++) {
    if (p->size[s] == 0) {
      snprintf(name, sizeof name, "Empty segment %d", s);
      snprintf(action, sizeof action, "None: no customer in this segment");
    } else {
      int n = rank_words(p, s, picks, cap);
      int forced = n > 0 && picks[0].order == 1000 && p->lift[s] >= LIFT_PRIORITY;
      int terms = build_name(picks, n, NAME_MAX_TERMS, 0, forced, name, sizeof name);
      if (terms == 0) snprintf(name, sizeof name, "Average customers");
      /* unique: add the next most distinctive words, then a counter */
      for (int more = NAME_MAX_TERMS + 1; name_taken(p->names, s, name) && more <= 6 && more <= n; more++)
        build_name(picks, n, more, 1, forced, name, sizeof name);
      char base[512];
      snprintf(base, sizeof base, "%s", name);
      for (int c = 2; name_taken(p->names, s, name); c++) snprintf(name, sizeof name, "%.480s (%d)", base, c);
      const char *ch = p->marketing ? strongest_channel(p, s) : NULL;
      if (!campaign_action(p, s, p->marketing ? (ch ? ch : "its usual channel") : NULL, action, sizeof action)) {
        if (p->marketing) marketing_action(p, s, action, sizeof action);
        else if (is_rfm(p)) rfm_action(p, s, action, sizeof action);
        else generic_action(p, s, action, sizeof action);
        note_skip(p, s, action, sizeof action);
      }
    }
    if (!(p->names[s] = kseg_strings_dup(name)) || !(p->actions[s] = kseg_strings_dup(action))) {
      free(picks);
      return KSEG_ERR_IO;
    }
  }
  free(picks);
  if (!(p->names[K] = kseg_strings_dup("all")) || !(p->actions[K] = kseg_strings_dup(""))) return KSEG_ERR_IO;
  return KSEG_OK;
}
