/* shmlab-bench-stats.h — the clock the bench times with, and the median
 * and percentiles it reduces its samples to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A monotonic clock in nanoseconds, for every time the bench takes. */
gint64  shmlab_bench_now_ns       (void);

double  shmlab_bench_median       (double               *values,
                                   gsize                 n);
double  shmlab_bench_percentile   (double               *values,
                                   gsize                 n,
                                   double                percent);

G_END_DECLS
