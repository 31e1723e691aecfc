/* internal.h - pieces shared by the plan files (not public). All Local. */
#ifndef KSEG_PLAN_INTERNAL_H
#define KSEG_PLAN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "kseg/kseg_plan.h"

/* The 95 % Wilson score interval of `responders` out of n, clamped to
 * [0, 1]; NaN for n <= 0. */
void kseg_plan_wilson(int64_t responders, int64_t n, double *low, double *high);

/* order[k]: segment ids by rate resp/n, highest first, compared exactly;
 * equal rates keep the smaller id; segments with n == 0 last. scratch[k]. */
void kseg_plan_rank(const int64_t *resp, const int64_t *n, int k, int *order, int *scratch);

/* Responses reached by contacting `budget` customers, segments taken whole
 * in `order` and the one at the edge in proportion (resp x taken / n);
 * *contacted gets the customers taken. */
double kseg_plan_top_capture(const int64_t *resp, const int64_t *n, const int *order, int k, double budget,
                             double *contacted);

/* Append printf-formatted text to the NUL-terminated buf of size bytes,
 * never past its end (truncated when full). */
void kseg_plan_put(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* "-3,046", "528", "12,345.5"; "n/a" for NaN. */
void kseg_plan_format_money(double v, char *out, size_t size);

/* An amount of money with the setup's currency: "EUR 528", "-$3,046", or
 * the number alone without one. */
void kseg_plan_format_amount(const kseg_plan_setup *s, double v, char *out, size_t size);

#endif
