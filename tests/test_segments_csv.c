/* segments_csv: kseg_outputs_write_segments on a table large enough that every
 * rank formats and writes its rows in several blocks (also at 3 ranks), read
 * back on rank 0 and compared line by line with lines formatted here from
 * the generating functions: ids with leading zeros, commas and quotes
 * (RFC 4180 quoting), names and decisions that need quoting, empty rule and
 * previous-segment cells. A bad label in a late block fails on every rank
 * and leaves an older file as it was, with no temporary file behind. */
#include <stdlib.h>
#include <unistd.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_outputs.h"
#include "test.h"

#define N 100003 /* > 3 x 32,768: several blocks per rank at 1, 2 and 3 ranks */
#define K 4
#define ID_WIDTH 12

static const char *const names[K] = {"Low spenders", "Web, buyers", "Say \"hi\"", ""};
static const char *const decisions[K] = {"contact", "test", "skip, for now", "contact"};

static int32_t label_of(int64_t i) { return (int32_t)((i * 5 + i / 7) % K); }
static double distance_of(int64_t i) { return (double)i / 3.0 + 0.1; }
static int32_t rule_of(int64_t i) { return (int32_t)((i / 11) % K); }
static int32_t previous_of(int64_t i) { return i % 9 == 0 ? -1 : (int32_t)((i / 5) % K); }

/* The id as stored (at most ID_WIDTH bytes here) and as the file must show it. */
static void id_of(int64_t i, char *stored, char *shown)
{
  if (i % 1000 == 17) {
    snprintf(stored, 32, "A,\"%lld", (long long)i);
    snprintf(shown, 32, "\"A,\"\"%lld\"", (long long)i);
  } else {
    snprintf(stored, 32, "%09lld", (long long)i);
    snprintf(shown, 32, "%09lld", (long long)i);
  }
}

/* A CSV field as RFC 4180 writes it. */
static void quoted(const char *s, char *out)
{
  if (!strpbrk(s, ",\"")) {
    strcpy(out, s);
    return;
  }
  char *o = out;
  *o++ = '"';
  for (; *s; s++) {
    if (*s == '"') *o++ = '"';
    *o++ = *s;
  }
  *o++ = '"';
  *o = 0;
}

typedef struct rows {
  kseg_table t;
  int32_t *labels, *rule, *previous;
  double *distance;
} rows;

static void make_rows(int64_t row0, int64_t n, rows *r)
{
  memset(r, 0, sizeof *r);
  r->t.n_global = N;
  r->t.row0 = row0;
  r->t.n_local = n;
  r->t.n_cols = 1;
  r->t.cols = calloc(1, sizeof *r->t.cols);
  kseg_column *c = &r->t.cols[0];
  c->name = strdup("Customer ID");
  c->kind = KSEG_COL_STRING;
  c->str_width = ID_WIDTH;
  c->str = calloc((size_t)(n + 1), ID_WIDTH);
  r->labels = malloc(sizeof(int32_t) * (size_t)(n + 1));
  r->rule = malloc(sizeof(int32_t) * (size_t)(n + 1));
  r->previous = malloc(sizeof(int32_t) * (size_t)(n + 1));
  r->distance = malloc(sizeof(double) * (size_t)(n + 1));
  for (int64_t j = 0; j < n; j++) {
    const int64_t i = row0 + j;
    char stored[32], shown[32];
    id_of(i, stored, shown);
    memcpy(c->str + j * ID_WIDTH, stored, strnlen(stored, ID_WIDTH));
    r->labels[j] = label_of(i);
    r->rule[j] = rule_of(i);
    r->previous[j] = previous_of(i);
    r->distance[j] = distance_of(i);
  }
}

static void free_rows(rows *r)
{
  kseg_table_clear(&r->t);
  free(r->labels);
  free(r->rule);
  free(r->previous);
  free(r->distance);
}

/* Rank 0: the file holds the header and every row's expected line, in
 * order; full = ids, names, decisions, rules and previous segments, else
 * the `row` numbers and an empty rule column only. */
static void check_file(const char *path, int full)
{
  FILE *fp = fopen(path, "r");
  ASSERT(fp != NULL);
  char line[512], want[512], id[32], name[64], dec[64], cell[16];
  ASSERT(fgets(line, sizeof line, fp) != NULL);
  ASSERT_STREQ(line, full ? "Customer ID,segment,segment_name,distance,rule_segment,decision,previous_segment\n"
                          : "row,segment,segment_name,distance,rule_segment\n");
  for (int64_t i = 0; i < N; i++) {
    ASSERT(fgets(line, sizeof line, fp) != NULL);
    const int s = label_of(i);
    quoted(names[s], name);
    if (full) {
      char stored[32];
      id_of(i, stored, id);
      quoted(decisions[s], dec);
      if (previous_of(i) >= 0) snprintf(cell, sizeof cell, "%d", previous_of(i));
      else cell[0] = 0;
      snprintf(want, sizeof want, "%s,%d,%s,%.9g,%d,%s,%s\n", id, s, name, distance_of(i), rule_of(i), dec, cell);
    } else {
      snprintf(want, sizeof want, "%lld,%d,%s,%.9g,\n", (long long)i, s, name, distance_of(i));
    }
    if (strcmp(line, want) != 0) KSEG_TEST_FAIL_("row %lld: got %s want %s", (long long)i, line, want);
  }
  ASSERT(fgets(line, sizeof line, fp) == NULL);
  fclose(fp);
}

int main(int argc, char **argv)
{
  MPI_Comm comm;
  kseg_test_init(&argc, &argv, &comm, NULL);
  const int rank = kseg_comm_rank(comm), size = kseg_comm_size(comm);
  int64_t row0, n_local;
  kseg_partition(N, size, rank, &row0, &n_local);
  rows r;
  make_rows(row0, n_local, &r);
  char path[64], tmp[80];
  snprintf(path, sizeof path, "segments_csv_np%d.csv", size);
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  if (rank == 0) remove(path);
  MPI_Barrier(comm);

  /* every column, ids from the table */
  kseg_segments_file f = {.raw = &r.t, .id_col = 0, .labels = r.labels, .distance = r.distance, .k = K,
                          .names = names, .decisions = decisions, .previous = r.previous, .rule_column = true,
                          .rule_segment = r.rule};
  ASSERT_OK(kseg_outputs_write_segments(comm, path, &f));
  if (rank == 0) check_file(path, 1);
  MPI_Barrier(comm);

  /* row numbers, an empty rule column */
  kseg_segments_file g = {.raw = &r.t, .id_col = -1, .labels = r.labels, .distance = r.distance, .k = K,
                          .names = names, .rule_column = true};
  ASSERT_OK(kseg_outputs_write_segments(comm, path, &g));
  if (rank == 0) check_file(path, 0);
  MPI_Barrier(comm);

  /* a bad label in the last rank's last block: an error on every rank, the
   * older file untouched, no temporary file left */
  if (rank == size - 1) r.labels[n_local - 5] = K;
  ASSERT_STATUS(kseg_outputs_write_segments(comm, path, &f), KSEG_ERR_INPUT);
  if (rank == size - 1) ASSERT_CONTAINS(kseg_error_message(), "row 99998");
  if (rank == 0) {
    check_file(path, 0);
    ASSERT(access(tmp, F_OK) != 0);
    remove(path);
  }
  free_rows(&r);
  kseg_test_finalize(&comm, NULL);
  return 0;
}
