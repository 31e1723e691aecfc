/* txgen.c - synthetic transaction logs (kseg_txgen.h), written in parallel. */
#include "kseg/kseg_txgen.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kseg/kseg_comm.h"
#include "kseg/kseg_csv.h"
#include "kseg/kseg_error.h"
#include "kseg/kseg_h5io.h"
#include "kseg/kseg_rng.h"

static void defaults(const kseg_txgen_options *o, int64_t *customers, int64_t *start, int64_t *span)
{
  *customers = o->customers > 0 ? o->customers : (o->transactions / 10 > 1 ? o->transactions / 10 : 1);
  *start = o->start_day ? o->start_day : kseg_csv_days_from_civil(2023, 1, 1);
  *span = o->span_days > 0 ? o->span_days : 730;
}

/* Amount in cents, so text and HDF5 logs hold the same values. */
static void row_cents(const kseg_txgen_options *o, int64_t row, int64_t *customer, int64_t *day, int64_t *cents,
                      int64_t *qty)
{
  int64_t C, start, span;
  defaults(o, &C, &start, &span);
  kseg_rng_key line = {o->seed, kseg_rng_substream(KSEG_STREAM_TRANSACTIONS, 1, 0)};
  kseg_rng_key cust = {o->seed, kseg_rng_substream(KSEG_STREAM_TRANSACTIONS, 2, 0)};
  int64_t c = (int64_t)((double)C * pow(kseg_rng_uniform(line, (uint64_t)row, 0), 2.5));
  if (c >= C) c = C - 1;
  *customer = 1 + (int64_t)(((unsigned __int128)(uint64_t)c * 2654435761u) % (uint64_t)C);
  double mu = 3.0 + 0.8 * kseg_rng_normal(cust, (uint64_t)c, 0);
  double amount = exp(mu + 0.5 * kseg_rng_normal(line, (uint64_t)row, 1));
  if (amount > 1e9) amount = 1e9;
  *cents = llround(amount * 100.0);
  if (*cents < 1) *cents = 1;
  double u = kseg_rng_uniform(line, (uint64_t)row, 4);
  *qty = 1 + (int64_t)floor(-log1p(-u) * 1.2);
  if (kseg_rng_uniform(line, (uint64_t)row, 5) < 0.02) {
    *cents = -*cents;
    *qty = -*qty;
  }
  double slot = ((double)row + kseg_rng_uniform(line, (uint64_t)row, 6)) / (double)(o->transactions ? o->transactions : 1);
  int64_t d = (int64_t)floor(slot * (double)span);
  *day = start + (d < span ? d : span - 1);
}

void kseg_txgen_row(const kseg_txgen_options *o, int64_t row, int64_t *customer, int64_t *day, double *amount,
                    double *quantity)
{
  int64_t cents, qty;
  row_cents(o, row, customer, day, &cents, &qty);
  *amount = (double)cents / 100.0;
  *quantity = (double)qty;
}

static void civil(int64_t days, int *y, int *m, int *d)
{
  int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = (int)(yoe + era * 400 + (*m <= 2));
}

static int put_uint(char *p, uint64_t v)
{
  char t[24];
  int n = 0;
  do { t[n++] = (char)('0' + v % 10); v /= 10; } while (v);
  for (int i = 0; i < n; i++) p[i] = t[n - 1 - i];
  return n;
}

/* One CSV line (at most 80 bytes); its length. */
static int format_line(const kseg_txgen_options *o, int64_t row, char *p)
{
  int64_t customer, day, cents, qty;
  row_cents(o, row, &customer, &day, &cents, &qty);
  int y, m, d, n = 0;
  civil(day, &y, &m, &d);
  n += put_uint(p + n, (uint64_t)customer);
  p[n++] = ',';
  p[n++] = (char)('0' + y / 1000 % 10);
  p[n++] = (char)('0' + y / 100 % 10);
  p[n++] = (char)('0' + y / 10 % 10);
  p[n++] = (char)('0' + y % 10);
  p[n++] = '-';
  p[n++] = (char)('0' + m / 10);
  p[n++] = (char)('0' + m % 10);
  p[n++] = '-';
  p[n++] = (char)('0' + d / 10);
  p[n++] = (char)('0' + d % 10);
  p[n++] = ',';
  if (cents < 0) { p[n++] = '-'; cents = -cents; }
  n += put_uint(p + n, (uint64_t)(cents / 100));
  p[n++] = '.';
  p[n++] = (char)('0' + cents % 100 / 10);
  p[n++] = (char)('0' + cents % 10);
  p[n++] = ',';
  if (qty < 0) { p[n++] = '-'; qty = -qty; }
  n += put_uint(p + n, (uint64_t)qty);
  p[n++] = '\n';
  return n;
}

static const char header[] = "customer_id,date,amount,quantity\n";

enum { TXGEN_CHUNK_ROWS = 1 << 16 };

static int write_csv(MPI_Comm comm, const char *out, const kseg_txgen_options *o, int64_t row0, int64_t n,
                     int64_t *bytes)
{
  int rank = kseg_comm_rank(comm);
  char *tmp = kseg_malloc(strlen(out) + 32, "txgen temporary name");
  char *buf = kseg_malloc((size_t)TXGEN_CHUNK_ROWS * 80, "txgen buffer");
  int st = kseg_comm_agree(comm, tmp && buf ? KSEG_OK : KSEG_ERR_IO);
  if (st) { free(tmp); free(buf); return st; }
  /* The root's pid names the temporary file for every rank. */
  int64_t pid = (int64_t)getpid();
  KSEG_CHECK(kseg_comm_bcast(comm, &pid, sizeof pid, 0));
  sprintf(tmp, "%s.tmp%" PRId64, out, pid);
  if (rank == 0) unlink(tmp); /* a stale one would keep bytes past our end */

  /* Pass 1: this rank's byte count, so an exclusive scan places its block. */
  int64_t mine = 0;
  for (int64_t i = 0; i < n; i++) {
    char line[80];
    mine += format_line(o, row0 + i, line);
  }
  kseg_i128 before = 0;
  st = kseg_comm_agree(comm, kseg_comm_exscan_i128(comm, mine, &before));
  int64_t total = mine;
  if (!st) st = kseg_comm_agree(comm, kseg_comm_sum_i64(comm, &total, 1));
  MPI_File fh = MPI_FILE_NULL;
  if (!st) {
    int rc = MPI_File_open(comm, tmp, MPI_MODE_CREATE | MPI_MODE_WRONLY, MPI_INFO_NULL, &fh);
    if (rc != MPI_SUCCESS) st = kseg_error_set(KSEG_ERR_IO, "cannot create %s (for %s)", tmp, out);
    st = kseg_comm_agree(comm, st);
  }
  if (!st) {
    if (rank == 0) {
      MPI_Status ms;
      if (MPI_File_write_at(fh, 0, header, (int)strlen(header), MPI_BYTE, &ms) != MPI_SUCCESS)
        st = kseg_error_set(KSEG_ERR_IO, "%s: write failed", tmp);
    }
    MPI_Offset at = (MPI_Offset)strlen(header) + (MPI_Offset)before;
    for (int64_t i = 0; i < n && !st; i += TXGEN_CHUNK_ROWS) {
      int64_t k = n - i < TXGEN_CHUNK_ROWS ? n - i : TXGEN_CHUNK_ROWS;
      int len = 0;
      for (int64_t j = 0; j < k; j++) len += format_line(o, row0 + i + j, buf + len);
      MPI_Status ms;
      if (MPI_File_write_at(fh, at, buf, len, MPI_BYTE, &ms) != MPI_SUCCESS)
        st = kseg_error_set(KSEG_ERR_IO, "%s: write failed", tmp);
      at += len;
    }
    st = kseg_comm_agree(comm, st);
    if (MPI_File_close(&fh) != MPI_SUCCESS && !st) st = kseg_error_set(KSEG_ERR_IO, "%s: close failed", tmp);
  }
  if (!st) st = kseg_comm_fault(comm, "txgen-write");
  st = kseg_comm_agree(comm, st);
  if (rank == 0) {
    if (!st && rename(tmp, out) != 0)
      st = kseg_error_set(KSEG_ERR_IO, "cannot rename %s to %s: %s", tmp, out, strerror(errno));
    if (st) unlink(tmp);
  }
  st = kseg_comm_agree(comm, st);
  *bytes = (int64_t)strlen(header) + total;
  free(tmp);
  free(buf);
  return st;
}

static int write_h5(MPI_Comm comm, const char *out, const kseg_txgen_options *o, int64_t row0, int64_t n)
{
  static const char *const names[4] = {"customer_id", "date", "amount", "quantity"};
  kseg_column cols[4];
  memset(cols, 0, sizeof cols);
  kseg_table t = {.n_global = o->transactions, .row0 = row0, .n_local = n, .n_cols = 4, .cols = cols};
  int st = KSEG_OK;
  for (int c = 0; c < 4 && !st; c++) {
    cols[c].name = (char *)names[c];
    cols[c].kind = c == 1 ? KSEG_COL_DATE : KSEG_COL_NUMERIC;
    cols[c].num = kseg_malloc((size_t)(n ? n : 1) * sizeof(double), "txgen column");
    if (!cols[c].num) st = KSEG_ERR_IO;
  }
  for (int64_t i = 0; i < n && !st; i++) {
    int64_t customer, day;
    kseg_txgen_row(o, row0 + i, &customer, &day, &cols[2].num[i], &cols[3].num[i]);
    cols[0].num[i] = (double)customer;
    cols[1].num[i] = (double)day;
  }
  st = kseg_comm_agree(comm, st);
  kseg_h5_writer *w = NULL;
  if (!st) st = kseg_h5_create(comm, out, &w);
  if (!st) st = kseg_h5_write_table(w, &t);
  if (!st) st = kseg_h5_attr_str(w, "/raw", "source", "kseg generate --transactions");
  if (w) st = kseg_h5_finish(&w, st);
  for (int c = 0; c < 4; c++) free(cols[c].num);
  return kseg_comm_agree(comm, st);
}

int kseg_txgen_write(MPI_Comm comm, const char *out, const kseg_txgen_options *o, int64_t *bytes)
{
  *bytes = 0;
  if (o->transactions < 0)
    return kseg_error_set(KSEG_ERR_INPUT, "the number of transactions must be >= 0, got %" PRId64, o->transactions);
  int64_t row0, n;
  kseg_partition(o->transactions, kseg_comm_size(comm), kseg_comm_rank(comm), &row0, &n);
  size_t len = strlen(out);
  int h5 = (len > 3 && strcasecmp(out + len - 3, ".h5") == 0) || (len > 5 && strcasecmp(out + len - 5, ".hdf5") == 0);
  if (!h5) return write_csv(comm, out, o, row0, n, bytes);
  KSEG_CHECK(write_h5(comm, out, o, row0, n));
  struct stat sb;
  *bytes = stat(out, &sb) == 0 ? (int64_t)sb.st_size : 0;
  return KSEG_OK;
}
