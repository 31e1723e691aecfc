/* kseg_txgen.h - synthetic transaction logs for RFM scale tests.
 *
 * Customers have latent purchase rates and spend levels: line i goes to
 * customer c = floor(C * u^2.5) (a heavy-tailed share of the lines: the
 * first customers buy far more often), whose id is 1 + (c * 2654435761 mod C)
 * so heavy buyers are spread over the id range; its amount is
 * exp(mu_c + 0.5 z) rounded to cents with mu_c = 3 + 0.8 z_c per customer
 * (z, z_c standard normal); 2% of the lines are returns (negative amount and
 * quantity); quantity is 1 + a geometric count; dates run from start_day over
 * span_days in line order (the log is chronological, with random days
 * inside each line's slot). Every draw is keyed by (seed, line) or (seed,
 * customer) on the counter-based RNG, so the log is the same for any rank
 * count.
 */
#ifndef KSEG_TXGEN_H
#define KSEG_TXGEN_H

#include <mpi.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct kseg_txgen_options {
  int64_t transactions; /* lines, >= 0 */
  int64_t customers;    /* C >= 1; 0: max(1, transactions / 10) */
  uint64_t seed;
  int64_t start_day;    /* days since 1970-01-01 of the first day; 0 means 2023-01-01 */
  int64_t span_days;    /* 0: 730 */
} kseg_txgen_options;

/* Line `row` of the log: customer id (1..C), day, amount, quantity. Local,
 * pure. */
void kseg_txgen_row(const kseg_txgen_options *o, int64_t row, int64_t *customer, int64_t *day, double *amount,
                    double *quantity);

/* Write the log to `out`: a name ending in .h5/.hdf5 gets the raw table /raw
 * (customer_id numeric, date kind "date", amount, quantity); any other name
 * a comma-separated text file with header customer_id,date,amount,quantity
 * (dates YYYY-MM-DD, amounts with two decimals). Every rank writes its
 * kseg_partition block of lines; the file is written under a temporary name
 * and renamed when complete, and is the same bytes for any rank count.
 * *bytes gets the file size. Collective; status agreed. */
int kseg_txgen_write(MPI_Comm comm, const char *out, const kseg_txgen_options *o, int64_t *bytes);

#ifdef __cplusplus
}
#endif

#endif
