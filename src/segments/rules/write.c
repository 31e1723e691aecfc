/* segments/rules/write.c - rules.json (the tree and what it achieves),
 * rules.txt (one readable rule per segment) and rules.sql (one SELECT a CRM
 * runs on the raw export). Layouts in docs/rules.md. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_json.h"
#include "kseg/kseg_profile.h"
#include "segments/rules/internal.h"

/* What a leaf's path asks of one feature: lo <= value < hi (either side
 * open), in the order the features first appear from the root. */
typedef struct bound {
  int feature;
  double lo, hi;
  const char *lo_text, *hi_text;
} bound;

/* b has room for the leaf's depth; chain too. */
static int path_bounds(const kseg_rules *r, int leaf, bound *b, int *chain)
{
  int n = 0;
  for (int id = leaf; r->nodes[id].parent >= 0; id = r->nodes[id].parent) chain[n++] = id;
  int nb = 0;
  for (int i = n - 1; i >= 0; i--) {
    const kseg_rules_node *parent = &r->nodes[r->nodes[chain[i]].parent];
    const int f = parent->feature;
    int at = -1;
    for (int j = 0; j < nb; j++)
      if (b[j].feature == f) at = j;
    if (at < 0) {
      at = nb++;
      b[at] = (bound){.feature = f, .lo = -INFINITY, .hi = INFINITY};
    }
    if (parent->left == chain[i]) {
      if (parent->threshold < b[at].hi) b[at].hi = parent->threshold, b[at].hi_text = parent->threshold_text;
    } else if (parent->threshold > b[at].lo) {
      b[at].lo = parent->threshold, b[at].lo_text = parent->threshold_text;
    }
  }
  return nb;
}

/* The bounds of a leaf's path in a new array (*out, the caller frees): their
 * count, or -1 with t failed when out of memory. */
static int leaf_bounds(kseg_rules_buf *t, const kseg_rules *r, int leaf, bound **out)
{
  const int depth = r->nodes[leaf].depth + 1;
  bound *b = malloc(sizeof *b * (size_t)depth);
  int *chain = malloc(sizeof *chain * (size_t)depth);
  *out = NULL;
  if (!b || !chain) {
    t->failed = 1;
    kseg_error_nomem("rules path", sizeof *b * (size_t)depth);
    free(b);
    free(chain);
    return -1;
  }
  const int nb = path_bounds(r, leaf, b, chain);
  free(chain);
  *out = b;
  return nb;
}

static const char *segment_name(const kseg_rules_labels *lb, int s)
{
  return lb && lb->names && lb->names[s] ? lb->names[s] : "";
}

/* A threshold for people: thousands separators, and the currency on money. */
static void show_number(const kseg_rules *r, int f, const char *text, const kseg_rules_labels *lb, char *buf,
                        size_t len)
{
  char plain[96];
  kseg_rules_format_number(strtod(text, NULL), 0, plain, sizeof plain);
  if (kseg_profile_is_money(r->features[f].name)) {
    /* amounts group from 1,000 ("USD 1,954" is no year) */
    const char *digits = plain + (plain[0] == '-');
    const size_t int_len = strspn(digits, "0123456789");
    if (int_len == 4 && strlen(plain) + 2 < sizeof plain) {
      const size_t at = (size_t)(digits - plain) + 1;
      memmove(plain + at + 1, plain + at, strlen(plain + at) + 1);
      plain[at] = ',';
    }
  }
  const char *cur = lb ? lb->currency : NULL;
  if (cur && cur[0] && kseg_profile_is_money(r->features[f].name)) kseg_profile_money_text(plain, cur, buf, len);
  else snprintf(buf, len, "%s", plain);
}

/* Is value v inside [lo, hi)? */
static int inside(double v, const bound *b) { return v >= b->lo && v < b->hi; }

/* One condition for people: "Income >= 61,500 (missing counts as 51,381.5)",
 * "61,500 <= Income < 80,000", "Education in {Master, PhD}". */
static void condition_text(kseg_rules_buf *t, const kseg_rules *r, const bound *b, const kseg_rules_labels *lb)
{
  const kseg_rules_feature *ft = &r->features[b->feature];
  char lo[128], hi[128], fill[160];
  kseg_rules_format_number(ft->fill, 0, fill, sizeof fill);
  if (ft->categorical) {
    /* the levels whose value falls in the range; when any other level does
     * too, the levels that do not */
    const int other_in = !isnan(ft->other) && inside(ft->other, b);
    const int list_in = !other_in;
    kseg_rules_buf_add(t, "%s %s {", ft->column, list_in ? "in" : "not in");
    for (int i = 0, first = 1; i < ft->n_levels; i++)
      if (inside(ft->level_value[i], b) == list_in) {
        kseg_rules_buf_add(t, "%s%s", first ? "" : ", ", ft->levels[i]);
        first = 0;
      }
    kseg_rules_buf_add(t, "}");
    if (ft->missing > 0) {
      const char *as = NULL;
      for (int i = 0; i < ft->n_levels && !as; i++)
        if (ft->level_value[i] == ft->fill) as = ft->levels[i];
      kseg_rules_buf_add(t, " (missing counts as %s: %s)", as ? as : fill, inside(ft->fill, b) ? "in" : "out");
    }
    return;
  }
  if (b->lo_text) show_number(r, b->feature, b->lo_text, lb, lo, sizeof lo);
  if (b->hi_text) show_number(r, b->feature, b->hi_text, lb, hi, sizeof hi);
  if (b->lo_text && b->hi_text) kseg_rules_buf_add(t, "%s <= %s < %s", lo, ft->name, hi);
  else if (b->lo_text) kseg_rules_buf_add(t, "%s >= %s", ft->name, lo);
  else kseg_rules_buf_add(t, "%s < %s", ft->name, hi);
  if (ft->missing > 0 || ft->bounds) {
    if (lb && lb->currency && lb->currency[0] && kseg_profile_is_money(ft->name)) {
      char money[128];
      kseg_profile_money_text(fill, lb->currency, money, sizeof money);
      snprintf(fill, sizeof fill, "%s", money);
    }
    if (ft->bounds) kseg_rules_buf_add(t, " (missing, or %s, counts as %s)", ft->bounds, fill);
    else kseg_rules_buf_add(t, " (missing counts as %s)", fill);
  }
}

/* A leaf's path for people: the conditions joined by " AND ". */
static void path_text(kseg_rules_buf *t, const kseg_rules *r, int leaf, const kseg_rules_labels *lb)
{
  bound *b;
  const int nb = leaf_bounds(t, r, leaf, &b);
  if (nb < 0) return;
  if (nb == 0) kseg_rules_buf_add(t, "every customer");
  for (int i = 0; i < nb; i++) {
    if (i) kseg_rules_buf_add(t, " AND ");
    condition_text(t, r, &b[i], lb);
  }
  free(b);
}

/* A leaf's path in SQL: each feature's expression against its bounds. */
static void path_sql(kseg_rules_buf *t, const kseg_rules *r, int leaf)
{
  bound *b;
  const int nb = leaf_bounds(t, r, leaf, &b);
  if (nb < 0) return;
  if (nb == 0) kseg_rules_buf_add(t, "1 = 1");
  for (int i = 0; i < nb; i++) {
    const char *e = r->features[b[i].feature].sql;
    if (i) kseg_rules_buf_add(t, "\n          AND ");
    if (b[i].lo_text) kseg_rules_buf_add(t, "%s >= %s", e, b[i].lo_text);
    if (b[i].lo_text && b[i].hi_text) kseg_rules_buf_add(t, "\n          AND ");
    if (b[i].hi_text) kseg_rules_buf_add(t, "%s < %s", e, b[i].hi_text);
  }
  free(b);
}

static double ratio(int64_t a, int64_t b) { return b > 0 ? (double)a / (double)b : NAN; }

static void pct(double v, char *buf, size_t len)
{
  if (isfinite(v)) snprintf(buf, len, "%.1f %%", 100.0 * v);
  else snprintf(buf, len, "-");
}

int kseg_rules_json(const kseg_rules *r, const kseg_rules_labels *lb, char **text)
{
  *text = NULL;
  kseg_json j;
  kseg_json_begin(&j, KSEG_JSON_SPACED);
  kseg_json_newline(&j, 2);
  kseg_json_int(&j, "k", r->k);
  kseg_json_int(&j, "rows", r->rows);
  kseg_json_int(&j, "max_leaves", r->max_leaves);
  kseg_json_int(&j, "leaves", r->n_leaves);
  kseg_json_int(&j, "imm_leaves", r->n_imm_leaves);
  kseg_json_newline(&j, 2);
  kseg_json_num(&j, "fidelity", r->fidelity);
  kseg_json_int(&j, "agree", r->agree);
  kseg_json_num(&j, "price", r->price);
  kseg_json_num(&j, "cost_tree", r->cost_tree);
  kseg_json_num(&j, "cost_kmeans", r->cost_kmeans);
  kseg_json_newline(&j, 2);
  if (lb && lb->id_column) kseg_json_str(&j, "id_column", lb->id_column);
  else kseg_json_null(&j, "id_column");
  if (lb && lb->currency && lb->currency[0]) kseg_json_str(&j, "currency", lb->currency);
  else kseg_json_null(&j, "currency");
  kseg_json_newline(&j, 2);
  kseg_json_open_array(&j, "segments");
  kseg_rules_buf rule = {0};
  for (int s = 0; s < r->k; s++) {
    kseg_json_newline(&j, 4);
    kseg_json_open_object(&j, NULL);
    kseg_json_int(&j, "segment", s);
    kseg_json_str(&j, "name", segment_name(lb, s));
    kseg_json_int(&j, "size", r->segment_size[s]);
    kseg_json_int(&j, "rule_size", r->rule_size[s]);
    kseg_json_int(&j, "rule_agree", r->rule_agree[s]);
    kseg_json_num(&j, "precision", ratio(r->rule_agree[s], r->rule_size[s]));
    kseg_json_num(&j, "recall", ratio(r->rule_agree[s], r->segment_size[s]));
    kseg_json_open_array(&j, "leaves");
    rule.len = 0;
    if (rule.p) rule.p[0] = '\0';
    int paths = 0, n_paths = 0;
    for (int id = 0; id < r->n_nodes; id++) n_paths += r->nodes[id].left < 0 && r->nodes[id].segment == s;
    for (int id = 0; id < r->n_nodes; id++)
      if (r->nodes[id].left < 0 && r->nodes[id].segment == s) {
        kseg_json_array_int(&j, id);
        if (paths++) kseg_rules_buf_add(&rule, " OR ");
        if (n_paths > 1) kseg_rules_buf_add(&rule, "(");
        path_text(&rule, r, id, lb);
        if (n_paths > 1) kseg_rules_buf_add(&rule, ")");
      }
    kseg_json_close_array(&j);
    if (paths) kseg_json_str(&j, "rule", rule.p);
    else kseg_json_null(&j, "rule");
    kseg_json_close_object(&j);
  }
  kseg_json_newline(&j, 2);
  kseg_json_close_array(&j);
  kseg_json_newline(&j, 2);
  kseg_json_open_array(&j, "tree");
  for (int id = 0; id < r->n_nodes; id++) {
    const kseg_rules_node *nd = &r->nodes[id];
    kseg_json_newline(&j, 4);
    kseg_json_open_object(&j, NULL);
    kseg_json_int(&j, "id", id);
    if (nd->parent >= 0) kseg_json_int(&j, "parent", nd->parent);
    else kseg_json_null(&j, "parent");
    kseg_json_int(&j, "depth", nd->depth);
    kseg_json_int(&j, "size", nd->size);
    if (nd->left >= 0) {
      kseg_json_str(&j, "feature", r->features[nd->feature].name);
      kseg_json_num(&j, "cut", nd->cut);
      kseg_json_num(&j, "threshold", nd->threshold);
      kseg_json_str(&j, "threshold_text", nd->threshold_text);
      /* each side's condition as the rules read it (levels, currency, missing) */
      const bound sides[2] = {{.feature = nd->feature, .lo = -INFINITY, .hi = nd->threshold, .hi_text = nd->threshold_text},
                              {.feature = nd->feature, .lo = nd->threshold, .hi = INFINITY, .lo_text = nd->threshold_text}};
      for (int side = 0; side < 2; side++) {
        rule.len = 0;
        if (rule.p) rule.p[0] = '\0';
        condition_text(&rule, r, &sides[side], lb);
        kseg_json_str(&j, side ? "right_rule" : "left_rule", rule.p ? rule.p : "");
      }
      kseg_json_int(&j, "left", nd->left);
      kseg_json_int(&j, "right", nd->right);
      kseg_json_str(&j, "split", nd->imm ? "imm" : "expansion");
      if (nd->imm) kseg_json_int(&j, "mistakes", nd->mistakes);
    } else {
      kseg_json_int(&j, "segment", nd->segment);
      kseg_json_int(&j, "in_segment", nd->in_segment);
      kseg_json_num(&j, "fraction", ratio(nd->in_segment, nd->size));
      rule.len = 0;
      if (rule.p) rule.p[0] = '\0';
      path_text(&rule, r, id, lb);
      kseg_json_str(&j, "rule", rule.p);
    }
    kseg_json_close_object(&j);
  }
  kseg_json_newline(&j, 2);
  kseg_json_close_array(&j);
  kseg_json_newline(&j, 2);
  kseg_json_open_array(&j, "features");
  for (int f = 0; f < r->n_features; f++) {
    const kseg_rules_feature *ft = &r->features[f];
    kseg_json_newline(&j, 4);
    kseg_json_open_object(&j, NULL);
    kseg_json_str(&j, "name", ft->name);
    kseg_json_bool(&j, "usable", ft->usable);
    if (ft->why_not) kseg_json_str(&j, "why_not", ft->why_not);
    if (ft->definition) kseg_json_str(&j, "definition", ft->definition);
    else kseg_json_null(&j, "definition");
    kseg_json_num(&j, "fill", ft->fill);
    kseg_json_int(&j, "missing", ft->missing);
    if (ft->bounds) kseg_json_str(&j, "bounds", ft->bounds);
    kseg_json_str(&j, "sql", ft->sql);
    kseg_json_close_object(&j);
  }
  kseg_json_newline(&j, 2);
  kseg_json_close_array(&j);
  kseg_json_newline(&j, 0);
  int st = rule.failed ? KSEG_ERR_IO : KSEG_OK;
  free(rule.p);
  const int js = kseg_json_end(&j);
  if (!st) st = js;
  if (!st) {
    *text = j.buf;
    j.buf = NULL;
  }
  kseg_json_clear(&j);
  return st;
}

/* "1 customer", "8,950 customers". */
static void count_text(int64_t n, char *buf, size_t len)
{
  char num[48];
  kseg_profile_money((double)n, 0, NULL, num, sizeof num);
  snprintf(buf, len, "%s customer%s", num, n == 1 ? "" : "s");
}

int kseg_rules_text(const kseg_rules *r, const kseg_rules_labels *lb, char **text)
{
  *text = NULL;
  kseg_rules_buf t = {0};
  char a[64], b[64], c[64];
  count_text(r->rows, a, sizeof a);
  kseg_rules_buf_add(&t, "Segment rules: %d segments of %s, explained by a tree of %d leaves.\n", r->k, a,
                     r->n_leaves);
  count_text(r->agree, a, sizeof a);
  pct(r->fidelity, b, sizeof b);
  kseg_rules_buf_add(&t, "Fidelity %s: the rules put %s in their own k-means segment.\n", b, a);
  kseg_rules_buf_add(&t, "Price %.3f: the rule segments are %.1f %% less compact than the k-means segments "
                         "(k-means cost %.6g vs %.6g).\n",
                     r->price, 100.0 * (r->price - 1.0), r->cost_tree, r->cost_kmeans);
  for (int s = 0; s < r->k; s++) {
    const char *name = segment_name(lb, s);
    count_text(r->segment_size[s], a, sizeof a);
    kseg_rules_buf_add(&t, "\nSegment %d%s%s (%s)\n", s, name[0] ? ": " : "", name, a);
    int paths = 0;
    for (int id = 0; id < r->n_nodes; id++)
      if (r->nodes[id].left < 0 && r->nodes[id].segment == s) {
        kseg_rules_buf_add(&t, "  %s ", paths++ ? "OR" : "IF");
        path_text(&t, r, id, lb);
        count_text(r->nodes[id].size, a, sizeof a);
        pct(ratio(r->nodes[id].in_segment, r->nodes[id].size), b, sizeof b);
        kseg_rules_buf_add(&t, "\n     [%s, %s of them in this segment]\n", a, b);
      }
    if (!paths) {
      kseg_rules_buf_add(&t, "  no rule: the tree gives no leaf to this segment (its customers fall in leaves where "
                             "other segments are the majority)\n");
      continue;
    }
    count_text(r->rule_size[s], a, sizeof a);
    pct(ratio(r->rule_agree[s], r->rule_size[s]), b, sizeof b);
    pct(ratio(r->rule_agree[s], r->segment_size[s]), c, sizeof c);
    kseg_rules_buf_add(&t, "  -> the rule selects %s, %s of them in segment %d; it finds %s of the "
                           "segment.\n", a, b, s, c);
  }
  int defs = 0;
  for (int f = 0; f < r->n_features; f++) {
    const kseg_rules_feature *ft = &r->features[f];
    if (!ft->usable || (!ft->definition && !ft->bounds) || ft->categorical) continue;
    if (!defs++) kseg_rules_buf_add(&t, "\nDefinitions, in the raw columns:\n");
    kseg_rules_buf_add(&t, "  %s", ft->name);
    if (ft->definition) kseg_rules_buf_add(&t, " = %s", ft->definition);
    if (ft->bounds) kseg_rules_buf_add(&t, "%s%s counts as missing", ft->definition ? "; " : ": ", ft->bounds);
    kseg_rules_buf_add(&t, "\n");
  }
  int skipped = 0;
  for (int f = 0; f < r->n_features; f++) {
    const kseg_rules_feature *ft = &r->features[f];
    if (ft->usable) continue;
    if (!skipped++) kseg_rules_buf_add(&t, "\nNot used in rules:\n");
    kseg_rules_buf_add(&t, "  %s: %s\n", ft->name, ft->why_not);
  }
  if (t.failed) {
    free(t.p);
    return KSEG_ERR_IO;
  }
  *text = t.p;
  return KSEG_OK;
}

int kseg_rules_sql(const kseg_rules *r, const kseg_rules_labels *lb, char **text)
{
  *text = NULL;
  kseg_rules_buf t = {0};
  char b[64];
  pct(r->fidelity, b, sizeof b);
  kseg_rules_buf_add(&t, "-- kseg segment rules: %d segments, a tree of %d leaves; fidelity %s, price %.3f.\n", r->k,
                     r->n_leaves, b, r->price);
  kseg_rules_buf_add(&t, "-- Table customers holds the raw export's columns (numbers as numbers, empty cells NULL).\n"
                         "-- Standard SQL (CASE, COALESCE, arithmetic, quoted identifiers): runs unchanged in "
                         "SQLite and PostgreSQL.\n");
  kseg_rules_buf_add(&t, "SELECT ");
  if (lb && lb->id_column) {
    kseg_rules_buf_add(&t, "\"");
    for (const char *c = lb->id_column; *c; c++) kseg_rules_buf_add(&t, "%s%c", *c == '"' ? "\"" : "", *c);
    kseg_rules_buf_add(&t, "\"");
  } else {
    kseg_rules_buf_add(&t, "ROW_NUMBER() OVER () - 1 AS \"row\"");
  }
  kseg_rules_buf_add(&t, ",\n  CASE\n");
  for (int s = 0; s < r->k; s++) {
    int paths = 0;
    for (int id = 0; id < r->n_nodes; id++) {
      if (r->nodes[id].left >= 0 || r->nodes[id].segment != s) continue;
      kseg_rules_buf_add(&t, paths++ ? "\n       OR (" : "    WHEN (");
      path_sql(&t, r, id);
      kseg_rules_buf_add(&t, ")");
    }
    if (paths) {
      const char *name = segment_name(lb, s);
      kseg_rules_buf_add(&t, "\n      THEN %d", s);
      if (name[0]) {
        /* a comment must not end early: no line breaks in names */
        kseg_rules_buf_add(&t, "  -- ");
        for (const char *c = name; *c; c++) kseg_rules_buf_add(&t, "%c", *c == '\n' || *c == '\r' ? ' ' : *c);
      }
      kseg_rules_buf_add(&t, "\n");
    }
  }
  kseg_rules_buf_add(&t, "  END AS segment\nFROM customers;\n");
  if (t.failed) {
    free(t.p);
    return KSEG_ERR_IO;
  }
  *text = t.p;
  return KSEG_OK;
}

static int write_text(const char *path, const char *tmp, const char *body)
{
  FILE *f = fopen(tmp, "w");
  if (!f) return kseg_error_set(KSEG_ERR_IO, "cannot create %s: %s", path, strerror(errno));
  fputs(body, f);
  const int bad = ferror(f);
  if (fclose(f) != 0 || bad) {
    unlink(tmp);
    return kseg_error_set(KSEG_ERR_IO, "cannot write %s", path);
  }
  return KSEG_OK;
}

int kseg_rules_write(MPI_Comm comm, const kseg_rules *r, const kseg_rules_labels *lb, const char *json_path)
{
  int st = KSEG_OK;
  if (kseg_comm_rank(comm) == 0) {
    const size_t len = strlen(json_path) + 64;
    char *path[3] = {NULL, NULL, NULL}, *tmp[3] = {NULL, NULL, NULL}, *body[3] = {NULL, NULL, NULL};
    int wrote[3] = {0, 0, 0};
    for (int i = 0; i < 3; i++) {
      path[i] = kseg_malloc(len, "path");
      tmp[i] = kseg_malloc(len, "path");
      if (!path[i] || !tmp[i]) st = KSEG_ERR_IO;
    }
    if (!st) {
      /* rules.json -> rules.txt, rules.sql: the same stem */
      const char *dot = strrchr(json_path, '.'), *slash = strrchr(json_path, '/');
      const size_t stem = dot && (!slash || dot > slash) ? (size_t)(dot - json_path) : strlen(json_path);
      static const char *const ext[3] = {".json", ".txt", ".sql"};
      for (int i = 0; i < 3; i++) {
        if (i == 0) snprintf(path[i], len, "%s", json_path);
        else snprintf(path[i], len, "%.*s%s", (int)stem, json_path, ext[i]);
        snprintf(tmp[i], len, "%s.tmp.%ld", path[i], (long)getpid());
      }
      st = kseg_rules_json(r, lb, &body[0]);
      if (!st) st = kseg_rules_text(r, lb, &body[1]);
      if (!st) st = kseg_rules_sql(r, lb, &body[2]);
    }
    for (int i = 0; !st && i < 3; i++) wrote[i] = !(st = write_text(path[i], tmp[i], body[i]));
    for (int i = 0; !st && i < 3; i++) {
      if (rename(tmp[i], path[i]) != 0)
        st = kseg_error_set(KSEG_ERR_IO, "cannot rename %s to %s: %s", tmp[i], path[i], strerror(errno));
      else wrote[i] = 0;
    }
    for (int i = 0; i < 3; i++) {
      if (wrote[i]) unlink(tmp[i]);
      free(path[i]);
      free(tmp[i]);
      free(body[i]);
    }
  }
  return kseg_comm_agree(comm, st);
}
