#include "kseg/kseg_comm.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_error.h"

/* Largest element count passed to one MPI call (kseg_comm_set_chunk_limit);
 * 0 until first used. */
#define KSEG_MPI_CHUNK_DEFAULT ((int64_t)1 << 30)
static int64_t chunk_limit;

static int64_t chunk(void)
{
  if (chunk_limit > 0) return chunk_limit;
  chunk_limit = KSEG_MPI_CHUNK_DEFAULT;
#ifdef KSEG_FAULT_INJECTION
  const char *env = getenv("KSEG_MPI_CHUNK");
  if (env && atoll(env) > 0 && atoll(env) < INT_MAX) chunk_limit = atoll(env);
#endif
  return chunk_limit;
}

int64_t kseg_comm_set_chunk_limit(int64_t limit)
{
  int64_t old = chunk();
  chunk_limit = limit > 0 && limit < INT_MAX ? limit : KSEG_MPI_CHUNK_DEFAULT;
  return old;
}

void kseg_partition(int64_t n, int nranks, int rank, int64_t *row0, int64_t *n_local)
{
  int64_t base = n / nranks, extra = n % nranks;
  *n_local = base + (rank < extra ? 1 : 0);
  *row0 = (int64_t)rank * base + (rank < extra ? rank : extra);
}

int kseg_partition_owner(int64_t n, int nranks, int64_t row)
{
  int64_t base = n / nranks, extra = n % nranks;
  int64_t cut = extra * (base + 1); /* rows held by the ranks with one extra */
  if (row < cut) return (int)(row / (base + 1));
  return (int)(extra + (row - cut) / base);
}

int kseg_comm_rank(MPI_Comm comm)
{
  int r = 0;
  MPI_Comm_rank(comm, &r);
  return r;
}

int kseg_comm_size(MPI_Comm comm)
{
  int s = 1;
  MPI_Comm_size(comm, &s);
  return s;
}

int kseg_comm_check(int mpi_code, const char *what)
{
  if (mpi_code == MPI_SUCCESS) return KSEG_OK;
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  if (MPI_Error_string(mpi_code, text, &len) != MPI_SUCCESS) snprintf(text, sizeof text, "code %d", mpi_code);
  return kseg_error_set(KSEG_ERR_IO, "MPI failure in %s: %s", what, text);
}

int kseg_comm_dup(MPI_Comm comm, MPI_Comm *out)
{
  KSEG_CHECK(kseg_comm_check(MPI_Comm_dup(comm, out), "MPI_Comm_dup"));
  return kseg_comm_check(MPI_Comm_set_errhandler(*out, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
}

int kseg_comm_agree(MPI_Comm comm, int status)
{
  struct { int status, rank; } mine = {status, kseg_comm_rank(comm)}, worst;
  int rc = MPI_Allreduce(&mine, &worst, 1, MPI_2INT, MPI_MAXLOC, comm);
  if (rc != MPI_SUCCESS) {
    /* The agreement itself failed: no common decision can be reached. */
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(rc, text, &len);
    fprintf(stderr, "kseg: MPI failure while agreeing on status: %s\n", text);
    MPI_Abort(comm, 2);
  }
  if (worst.status == KSEG_OK) return KSEG_OK;
  char message[1024];
  snprintf(message, sizeof message, "%s", kseg_error_message());
  rc = MPI_Bcast(message, (int)sizeof message, MPI_CHAR, worst.rank, comm);
  if (rc == MPI_SUCCESS && mine.rank != worst.rank) {
    message[sizeof message - 1] = '\0';
    kseg_error_replace(message);
  }
  return worst.status;
}

int kseg_comm_fault(MPI_Comm comm, const char *phase)
{
#ifdef KSEG_FAULT_INJECTION
  const char *at = getenv("KSEG_FAIL_AT");
  const char *rank = getenv("KSEG_FAIL_RANK");
  if (at && rank && strcmp(at, phase) == 0 && atoi(rank) == kseg_comm_rank(comm))
    return kseg_error_set(KSEG_ERR_IO, "injected failure at %s on rank %s", phase, rank);
#else
  (void)comm;
  (void)phase;
#endif
  return KSEG_OK;
}

static void sum_i128_op(void *in, void *inout, int *len, MPI_Datatype *type)
{
  (void)type;
  const kseg_i128 *a = in;
  kseg_i128 *b = inout;
  for (int i = 0; i < *len; i++) b[i] += a[i];
}

static MPI_Datatype i128_type = MPI_DATATYPE_NULL;
static MPI_Op i128_sum = MPI_OP_NULL;

static int ensure_i128(void)
{
  if (i128_type != MPI_DATATYPE_NULL) return KSEG_OK;
  KSEG_CHECK(kseg_comm_check(MPI_Type_contiguous(16, MPI_BYTE, &i128_type), "MPI_Type_contiguous"));
  KSEG_CHECK(kseg_comm_check(MPI_Type_commit(&i128_type), "MPI_Type_commit"));
  /* Integer addition is exact, so the op is commutative for real. */
  return kseg_comm_check(MPI_Op_create(sum_i128_op, 1, &i128_sum), "MPI_Op_create");
}

static int allreduce_chunked(MPI_Comm comm, void *buf, int64_t count, size_t elem, MPI_Datatype type,
                             MPI_Op op, const char *what)
{
  char *p = buf;
  const int64_t most = chunk();
  for (int64_t done = 0; done < count; done += most) {
    int64_t n = count - done < most ? count - done : most;
    KSEG_CHECK(kseg_comm_check(MPI_Allreduce(MPI_IN_PLACE, p + done * (int64_t)elem, (int)n, type, op, comm), what));
  }
  return KSEG_OK;
}

int kseg_comm_sum_i128(MPI_Comm comm, kseg_i128 *buf, int64_t count)
{
  KSEG_CHECK(ensure_i128());
  return allreduce_chunked(comm, buf, count, sizeof *buf, i128_type, i128_sum, "allreduce (int128 sum)");
}

int kseg_comm_sum_i64(MPI_Comm comm, int64_t *buf, int64_t count)
{
  return allreduce_chunked(comm, buf, count, sizeof *buf, MPI_INT64_T, MPI_SUM, "allreduce (int64 sum)");
}

int kseg_comm_max_f64(MPI_Comm comm, double *buf, int64_t count)
{
  return allreduce_chunked(comm, buf, count, sizeof *buf, MPI_DOUBLE, MPI_MAX, "allreduce (max)");
}

int kseg_comm_min_f64(MPI_Comm comm, double *buf, int64_t count)
{
  return allreduce_chunked(comm, buf, count, sizeof *buf, MPI_DOUBLE, MPI_MIN, "allreduce (min)");
}

int kseg_comm_max_i64(MPI_Comm comm, int64_t *buf, int64_t count)
{
  return allreduce_chunked(comm, buf, count, sizeof *buf, MPI_INT64_T, MPI_MAX, "allreduce (max)");
}

int kseg_comm_min_i64(MPI_Comm comm, int64_t *buf, int64_t count)
{
  return allreduce_chunked(comm, buf, count, sizeof *buf, MPI_INT64_T, MPI_MIN, "allreduce (min)");
}

int kseg_comm_exscan_i128(MPI_Comm comm, kseg_i128 value, kseg_i128 *prefix)
{
  KSEG_CHECK(ensure_i128());
  *prefix = 0;
  kseg_i128 out = 0;
  KSEG_CHECK(kseg_comm_check(MPI_Exscan(&value, &out, 1, i128_type, i128_sum, comm), "MPI_Exscan"));
  if (kseg_comm_rank(comm) != 0) *prefix = out; /* rank 0's result is undefined */
  return KSEG_OK;
}

int kseg_comm_bcast(MPI_Comm comm, void *buf, int64_t bytes, int root)
{
  char *p = buf;
  const int64_t most = chunk();
  for (int64_t done = 0; done < bytes; done += most) {
    int64_t n = bytes - done < most ? bytes - done : most;
    KSEG_CHECK(kseg_comm_check(MPI_Bcast(p + done, (int)n, MPI_BYTE, root, comm), "MPI_Bcast"));
  }
  return KSEG_OK;
}

int kseg_comm_sendrecv(MPI_Comm comm, const void *send, int64_t send_count, int dest, void *recv, int64_t recv_count,
                       int source, MPI_Datatype type, size_t elem, int tag)
{
  const int64_t most = chunk();
  if (send_count <= most && recv_count <= most)
    return kseg_comm_check(MPI_Sendrecv(send, (int)send_count, type, dest, tag, recv, (int)recv_count, type, source,
                                        tag, comm, MPI_STATUS_IGNORE),
                           "MPI_Sendrecv");
  /* pieces in order: messages between two ranks with one tag do not overtake */
  int64_t ns = (send_count + most - 1) / most, nr = (recv_count + most - 1) / most;
  MPI_Request *req = kseg_malloc((size_t)(ns + nr) * sizeof *req, "sendrecv requests");
  if (!req) return KSEG_ERR_IO;
  int st = KSEG_OK;
  int64_t k = 0;
  for (int64_t i = 0; i < nr && !st; i++, k++) {
    int64_t at = i * most, n = recv_count - at < most ? recv_count - at : most;
    st = kseg_comm_check(MPI_Irecv((char *)recv + (size_t)at * elem, (int)n, type, source, tag, comm, &req[k]),
                         "MPI_Irecv");
  }
  for (int64_t i = 0; i < ns && !st; i++, k++) {
    int64_t at = i * most, n = send_count - at < most ? send_count - at : most;
    st = kseg_comm_check(MPI_Isend((const char *)send + (size_t)at * elem, (int)n, type, dest, tag, comm, &req[k]),
                         "MPI_Isend");
  }
  if (st) k--; /* the failed call made no request */
  int rc = MPI_Waitall((int)k, req, MPI_STATUSES_IGNORE);
  if (!st) st = kseg_comm_check(rc, "MPI_Waitall");
  free(req);
  return st;
}

/* Round buffers of the chunked exchange stay below this many bytes a side. */
#define KSEG_EXCHANGE_ROUND_BYTES ((int64_t)1 << 28)

/* One round of at most `per` records per rank pair, through packed buffers:
 * sent[r] / got[r] count the records already moved to / from rank r. */
static int exchange_round(MPI_Comm comm, MPI_Datatype rec, const char *send, const int64_t *sc, const int64_t *sd,
                          char *recv, const int64_t *rc, const int64_t *rd, size_t size, int64_t per, int64_t *sent,
                          int64_t *got, char *sbuf, char *rbuf, int *ic)
{
  const int P = kseg_comm_size(comm);
  int *scnt = ic, *sdsp = ic + P, *rcnt = ic + 2 * P, *rdsp = ic + 3 * P;
  int64_t so = 0, ro = 0;
  for (int r = 0; r < P; r++) {
    int64_t k = sc[r] - sent[r] < per ? sc[r] - sent[r] : per;
    if (k > 0) memcpy(sbuf + (size_t)so * size, send + (size_t)(sd[r] + sent[r]) * size, (size_t)k * size);
    scnt[r] = (int)k;
    sdsp[r] = (int)so;
    so += k;
    k = rc[r] - got[r] < per ? rc[r] - got[r] : per;
    rcnt[r] = (int)k;
    rdsp[r] = (int)ro;
    ro += k;
  }
  KSEG_CHECK(kseg_comm_check(MPI_Alltoallv(sbuf, scnt, sdsp, rec, rbuf, rcnt, rdsp, rec, comm),
                             "MPI_Alltoallv (exchange round)"));
  for (int r = 0; r < P; r++) {
    if (rcnt[r] > 0) memcpy(recv + (size_t)(rd[r] + got[r]) * size, rbuf + (size_t)rdsp[r] * size, (size_t)rcnt[r] * size);
    sent[r] += scnt[r];
    got[r] += rcnt[r];
  }
  return KSEG_OK;
}

int kseg_comm_exchange(MPI_Comm comm, const void *send, const int64_t *send_counts, size_t size, void **recv,
                       int64_t *n_recv, int64_t *recv_counts)
{
  *recv = NULL;
  *n_recv = 0;
  const int P = kseg_comm_size(comm);
  int64_t *cnt = kseg_calloc((size_t)P * 6, sizeof *cnt, "exchange counts");
  int *ic = kseg_calloc((size_t)P * 4, sizeof *ic, "exchange counts");
  MPI_Datatype rec = MPI_DATATYPE_NULL;
  char *sbuf = NULL, *rbuf = NULL;
  int st = cnt && ic ? KSEG_OK : KSEG_ERR_IO;
  if (!st && size > INT_MAX) st = kseg_error_set(KSEG_ERR_IO, "exchange: records of %zu bytes", size);
  st = kseg_comm_agree(comm, st);
  if (st) goto done;
  /* sc, rc: records to / from each rank; sd, rd: where they start; sent, got: moved so far */
  int64_t *sc = cnt, *rc = cnt + P, *sd = cnt + 2 * P, *rd = cnt + 3 * P, *sent = cnt + 4 * P, *got = cnt + 5 * P;
  memcpy(sc, send_counts, (size_t)P * sizeof *sc);
  st = kseg_comm_agree(comm, kseg_comm_check(MPI_Alltoall(sc, 1, MPI_INT64_T, rc, 1, MPI_INT64_T, comm),
                                             "MPI_Alltoall (exchange counts)"));
  if (st) goto done;
  /* most[0]: the largest local total, most[1]: the largest pair count, over every rank */
  int64_t most[2] = {0, 0};
  for (int r = 1; r < P; r++) {
    sd[r] = sd[r - 1] + sc[r - 1];
    rd[r] = rd[r - 1] + rc[r - 1];
  }
  for (int r = 0; r < P; r++) {
    most[1] = sc[r] > most[1] ? sc[r] : most[1];
    most[1] = rc[r] > most[1] ? rc[r] : most[1];
  }
  *n_recv = rd[P - 1] + rc[P - 1];
  most[0] = sd[P - 1] + sc[P - 1] > *n_recv ? sd[P - 1] + sc[P - 1] : *n_recv;
  *recv = kseg_malloc((size_t)(*n_recv > 0 ? *n_recv : 1) * size, "exchange receive buffer");
  if (!*recv) st = KSEG_ERR_IO;
  if (!st) st = kseg_comm_check(MPI_Type_contiguous((int)size, MPI_BYTE, &rec), "MPI_Type_contiguous");
  if (!st) st = kseg_comm_check(MPI_Type_commit(&rec), "MPI_Type_commit");
  st = kseg_comm_agree(comm, st);
  if (!st) st = kseg_comm_agree(comm, kseg_comm_max_i64(comm, most, 2));
  if (st) goto done;
  const int64_t limit = chunk();
  if (most[0] <= limit) { /* one call: every count and offset fits */
    int *scnt = ic, *sdsp = ic + P, *rcnt = ic + 2 * P, *rdsp = ic + 3 * P;
    for (int r = 0; r < P; r++) {
      scnt[r] = (int)sc[r];
      sdsp[r] = (int)sd[r];
      rcnt[r] = (int)rc[r];
      rdsp[r] = (int)rd[r];
    }
    st = kseg_comm_check(MPI_Alltoallv(send, scnt, sdsp, rec, *recv, rcnt, rdsp, rec, comm), "MPI_Alltoallv");
  } else {
    /* rounds of at most `per` records per pair: at most limit records a call */
    int64_t per = limit / P, cap = KSEG_EXCHANGE_ROUND_BYTES / (int64_t)size / P;
    per = per < cap ? per : cap;
    per = per > 0 ? per : 1;
    int64_t rounds = (most[1] + per - 1) / per;
    sbuf = kseg_malloc((size_t)(per * P) * size, "exchange round buffer");
    rbuf = kseg_malloc((size_t)(per * P) * size, "exchange round buffer");
    st = kseg_comm_agree(comm, sbuf && rbuf ? KSEG_OK : KSEG_ERR_IO);
    for (int64_t i = 0; i < rounds && !st; i++)
      st = kseg_comm_agree(comm, exchange_round(comm, rec, send, sc, sd, *recv, rc, rd, size, per, sent, got, sbuf,
                                                rbuf, ic));
  }
  if (!st && recv_counts) memcpy(recv_counts, rc, (size_t)P * sizeof *rc);
  st = kseg_comm_agree(comm, st);
done:
  if (rec != MPI_DATATYPE_NULL) MPI_Type_free(&rec);
  free(cnt);
  free(ic);
  free(sbuf);
  free(rbuf);
  if (st) {
    free(*recv);
    *recv = NULL;
    *n_recv = 0;
  }
  return st;
}

double kseg_now(void) { return MPI_Wtime(); }
