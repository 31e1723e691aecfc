/* kseg_rules.h - segment rules people can read and a CRM can run: a
 * threshold tree that explains the k-means segments, with every threshold in
 * the raw columns' own units (docs/rules.md).
 *
 * The tree is IMM (Dasgupta, Frost, Moshkovitz, Rashtchian, ICML 2020): k
 * leaves, each split the (feature, threshold) that separates the node's
 * k-means centres while cutting the fewest of the node's customers off from
 * their own centre ("mistakes"); then it is expanded greedily, ExKMC-style
 * (Frost, Moshkovitz, Rashtchian 2020), one leaf split at a time, up to L
 * leaves, each split the one that gives the most customers their own segment.
 *
 * Distributed and exact. The candidate thresholds of a feature are the
 * midpoints between consecutive centroid coordinates and its 255 exact
 * quantiles at i/256 (kseg_stats_quantiles), the same on every rank. Every
 * count behind a decision (mistakes per node, feature and candidate; segment
 * counts per leaf, feature and candidate bin) is an integer tallied on each
 * rank and summed with one reduction per tree level or leaf batch; ties go to
 * the lower feature, then the lower threshold. The tree is therefore the same
 * on any number of ranks and threads.
 *
 * Thresholds in original units. A feature can carry rules when it is a
 * monotone function of one derived value of the raw row (kseg_prep.h: an
 * offset plus coefficients times raw numeric columns or level maps of
 * categorical columns, then impute, log1p, clip, scale): the split "feature
 * <= cut" is then exactly "derived value < t" for every customer, with t the
 * shortest decimal between the largest derived value left of the cut and the
 * smallest right of it. Features built on dates, and projections (PCA,
 * autoencoder), are not used for splits. A missing value takes the prep's
 * fill, and the rule says so.
 */
#ifndef KSEG_RULES_H
#define KSEG_RULES_H

#include <mpi.h>
#include <stdint.h>

#include "kseg/kseg_prep.h"
#include "kseg/kseg_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Quantile candidates per feature: the thresholds at i / KSEG_RULES_BINS,
 * i = 1 .. KSEG_RULES_BINS - 1. */
#define KSEG_RULES_BINS 256

typedef struct kseg_rules_options {
  int max_leaves; /* L: 0 takes 2k; else it must be in k..4k (KSEG_ERR_INPUT naming --rule-leaves) */
  int bins;       /* quantile candidates per feature: 0 takes KSEG_RULES_BINS (tests use fewer) */
} kseg_rules_options;

/* How a prepared feature reads in the raw table. */
typedef struct kseg_rules_feature {
  char *name;        /* the prepared feature's name (Income, Total_Spent, Age, ...) */
  int usable;        /* 1: splits may use it */
  char *why_not;     /* when not usable: the reason ("built on the date column Dt_Customer") */
  char *definition;  /* in raw columns ("MntWines + MntFruits + ..."), or NULL: the raw column itself */
  char *sql;         /* standard SQL for the imputed derived value (quoted identifiers, COALESCE) */
  double fill;       /* what a missing value counts as, in the feature's original units */
  char *bounds;      /* "outside 0..600000" when implausible values count as missing, else NULL */
  int64_t missing;   /* training customers whose value was missing, or implausible, hence filled */
  int categorical;   /* 1: one level map of a categorical column: a split is a set of levels */
  char *column;      /* categorical: the raw column */
  int n_levels;      /* categorical: the mapped levels, their values, and the value of any other level */
  char **levels;
  double *level_value;
  double other;      /* NaN: an unlisted level counts as missing */
} kseg_rules_feature;

/* One node of the tree; node 0 is the root. */
typedef struct kseg_rules_node {
  int parent, left, right; /* -1: none (leaves have no children) */
  int depth;               /* the root is 0 */
  int feature;             /* split feature (index into kseg_rules.features), -1 for a leaf */
  double cut;              /* feature space: a customer goes left when its feature value <= cut */
  double threshold;        /* original units: left when the derived value < threshold */
  char threshold_text[48]; /* the threshold's shortest decimal, as SQL and rules.txt write it */
  int imm;                 /* 1: an IMM split (separates centres), 0: an expansion split */
  int64_t mistakes;        /* IMM splits: customers cut off from their centre here */
  int segment;             /* leaf: the segment it assigns; -1 for a split */
  int64_t size;            /* training customers reaching the node */
  int64_t in_segment;      /* leaf: of those, customers whose k-means segment is `segment` */
} kseg_rules_node;

typedef struct kseg_rules {
  int k;
  int max_leaves;          /* L asked for */
  int n_leaves, n_nodes, n_imm_leaves;
  kseg_rules_node *nodes;  /* n_nodes */
  int n_features;
  kseg_rules_feature *features;
  int64_t rows;            /* training customers */
  int64_t agree;           /* customers whose rule segment is their k-means segment */
  double fidelity;         /* agree / rows */
  double cost_tree;        /* k-means cost (sum of squared distances to the mean) of the rule partition */
  double cost_kmeans;      /* the same of the k-means partition */
  double price;            /* cost_tree / cost_kmeans */
  int64_t *segment_size;   /* k: customers per k-means segment */
  int64_t *rule_size;      /* k: customers per rule segment */
  int64_t *rule_agree;     /* k: of a segment's customers, those the rules give it */
} kseg_rules;

/* Build the rules of a k-means segmentation. prep: the model's fitted
 * preparation; raw: this rank's rows of the raw table; x: the same rows'
 * features (float64, n_local x kseg_prep_width(prep), as kseg_prep_apply
 * gives them); centroids: k x width; labels: the rows' segments in [0, k).
 * Errors (KSEG_ERR_INPUT): max_leaves outside k..4k, a preparation with a
 * projection or without any feature that can be written in raw units, a
 * label outside [0, k). Collective; status agreed; *out the same on every
 * rank, freed with kseg_rules_free. Memory per rank: the local rows' derived
 * values (8 bytes per feature) and candidate bins (2 bytes), plus a few
 * histograms of (candidates x k) integers per feature. */
int kseg_rules_build(MPI_Comm comm, const kseg_prep_model *prep, const kseg_table *raw, const kseg_matrix *x,
                     const double *centroids, int k, const int32_t *labels, const kseg_rules_options *opt,
                     kseg_rules **out);

/* The rule segment of each of this rank's rows: the derived values
 * (kseg_prep_transform stage 2, exactly what rules.sql computes) walked down
 * the tree. segment[raw->n_local]. A column the rules need that the table
 * lacks is KSEG_ERR_INPUT naming it. Local. */
int kseg_rules_assign(const kseg_rules *r, const kseg_prep_model *prep, const kseg_table *raw, int32_t *segment);

/* What the written rules call things: segment names (k, or NULL), the id
 * column SQL selects (NULL: the row number), and the currency shown on
 * money thresholds in rules.txt (NULL: none). Borrowed. */
typedef struct kseg_rules_labels {
  const char *const *names;
  const char *id_column;
  const char *currency;
} kseg_rules_labels;

/* Write rules.json at json_path and, beside it with the same stem, .txt
 * (one readable rule per segment) and .sql (one SELECT over the raw
 * columns). The root writes; each file goes under a temporary name renamed
 * when all three are complete. Collective; status agreed. */
int kseg_rules_write(MPI_Comm comm, const kseg_rules *r, const kseg_rules_labels *labels, const char *json_path);

/* The texts kseg_rules_write writes (owned by the caller: free). Local. */
int kseg_rules_json(const kseg_rules *r, const kseg_rules_labels *labels, char **text);
int kseg_rules_text(const kseg_rules *r, const kseg_rules_labels *labels, char **text);
int kseg_rules_sql(const kseg_rules *r, const kseg_rules_labels *labels, char **text);

/* NULL-safe; sets *r = NULL. */
void kseg_rules_free(kseg_rules **r);

#ifdef __cplusplus
}
#endif

#endif
