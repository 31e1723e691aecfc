/* segments/rules/internal.h - pieces shared by the rules files (not public). */
#ifndef KSEG_RULES_INTERNAL_H
#define KSEG_RULES_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "kseg/kseg_rules.h"

/* What the tree is grown from: this rank's rows, binned against each usable
 * feature's candidate thresholds. Filled by rules.c, grown by tree.c. */
typedef struct kseg_rules_grow {
  MPI_Comm comm;
  int k;
  int nu;                /* usable features */
  const int *uf;         /* nu: their index among the prepared features (= column of x) */
  const int *n_cand;     /* nu: candidate thresholds of each, sorted ascending */
  double *const *cand;   /* nu arrays */
  int64_t n_local;
  const int32_t *labels; /* n_local: the k-means segments */
  const uint16_t *bins;  /* nu x n_local, column-major: number of candidates below the row's value */
  const uint16_t *cbin;  /* k x nu: the same for each centroid */
  int max_leaves;
} kseg_rules_grow;

/* Grow the tree (IMM, then the expansion) into r->nodes / r->n_nodes; each
 * split node's `feature` is a usable index u (0..nu-1) and `cut` the index of
 * its candidate until rules.c maps them; node[] (n_local) receives each row's
 * leaf. Collective; status agreed. */
int kseg_rules_grow_tree(const kseg_rules_grow *g, kseg_rules *r, int32_t *node);

/* The shortest decimal t with a < t <= b, the one nearest `aim` among those
 * (t = b only when its text has at most 15 digits, or when a and b are
 * neighbouring doubles): its value and its text ("61500", "0.35"). Local. */
void kseg_rules_pick_threshold(double a, double b, double aim, double *t, char *text, size_t len);

/* A number for people: thousands separators, at most `digits` significant
 * digits (0: as short as round-trips), "61,500", "0.35". Local. */
void kseg_rules_format_number(double v, int digits, char *buf, size_t len);

/* The shortest text that reads back to v exactly, positional where
 * reasonable ("51381.5", "600000"). Local. */
void kseg_rules_exact(double v, char *buf, size_t len);

/* A growing text; a failure (out of memory) is recorded once and later
 * appends do nothing. Local. */
typedef struct kseg_rules_buf {
  char *p;
  size_t len, cap;
  int failed;
} kseg_rules_buf;
void kseg_rules_buf_add(kseg_rules_buf *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Describe each prepared feature in raw columns (usable or why not, SQL,
 * definition, fill, level map) into r->features. Local. */
int kseg_rules_describe(const kseg_prep_model *prep, const kseg_table *raw, kseg_rules *r);

#endif
