#include "kseg/kseg_comm.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kseg/kseg_error.h"

/* Largest element count passed to one MPI call. */
#define KSEG_MPI_CHUNK ((int64_t)1 << 30)

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
  for (int64_t done = 0; done < count; done += KSEG_MPI_CHUNK) {
    int64_t n = count - done < KSEG_MPI_CHUNK ? count - done : KSEG_MPI_CHUNK;
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
  for (int64_t done = 0; done < bytes; done += KSEG_MPI_CHUNK) {
    int64_t n = bytes - done < KSEG_MPI_CHUNK ? bytes - done : KSEG_MPI_CHUNK;
    KSEG_CHECK(kseg_comm_check(MPI_Bcast(p + done, (int)n, MPI_BYTE, root, comm), "MPI_Bcast"));
  }
  return KSEG_OK;
}

double kseg_now(void) { return MPI_Wtime(); }
