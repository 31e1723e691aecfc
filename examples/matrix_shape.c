/* matrix_shape - read a feature matrix with libkseg's partitioned reader and
 * print its shape and per-rank blocks: mpirun -n 3 ./matrix_shape FILE.h5 /features */
#include <kseg/kseg_comm.h>
#include <kseg/kseg_error.h>
#include <kseg/kseg_h5io.h>
#include <stdio.h>

int main(int argc, char **argv)
{
  MPI_Init(&argc, &argv);
  MPI_Comm comm;
  int status = kseg_comm_dup(MPI_COMM_WORLD, &comm);
  kseg_matrix m;
  if (status == KSEG_OK && argc >= 2)
    status = kseg_h5_read_matrix(comm, argv[1], argc > 2 ? argv[2] : "/features", &m);
  else if (status == KSEG_OK)
    status = kseg_error_set(KSEG_ERR_INPUT, "usage: matrix_shape FILE.h5 [DATASET]");
  int rank = kseg_comm_rank(comm);
  if (status == KSEG_OK) {
    int64_t total = m.n_local;
    kseg_comm_sum_i64(comm, &total, 1);
    printf("rank %d: rows %lld..%lld of %lld x %lld (sum of blocks %lld)\n", rank, (long long)m.row0,
           (long long)(m.row0 + m.n_local), (long long)m.n_global, (long long)m.d, (long long)total);
    kseg_matrix_clear(&m);
  } else if (rank == 0) {
    fprintf(stderr, "matrix_shape: %s\n", kseg_error_message());
  }
  MPI_Comm_free(&comm);
  MPI_Finalize();
  return status == KSEG_OK ? 0 : 1;
}
