/* shmlab-bench-stats.c — the clock, and the median and the percentiles of
 * measurements
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-bench-stats.h"

#include <math.h>
#include <stdlib.h>
#include <time.h>

gint64
shmlab_bench_now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* Sorts @values; the middle one, or the mean of the two middle ones. NAN when empty. */
double
shmlab_bench_median (double *values,
                     gsize   n)
{
  if (n == 0)
    return NAN;
  qsort (values, n, sizeof *values, compare_doubles);
  if (n % 2 == 1)
    return values[n / 2];
  return (values[n / 2 - 1] + values[n / 2]) / 2.0;
}

/* Sorts @values; the nearest-rank percentile: the smallest value that
 * @percent % of the values do not exceed. NAN when empty. */
double
shmlab_bench_percentile (double *values,
                         gsize   n,
                         double  percent)
{
  double rank;
  gsize index;

  if (n == 0)
    return NAN;
  qsort (values, n, sizeof *values, compare_doubles);
  rank = ceil (percent / 100.0 * (double) n);
  index = rank < 1 ? 0 : (gsize) rank - 1;
  return values[MIN (index, n - 1)];
}
