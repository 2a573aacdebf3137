/* shmlab-bench-plot.h — the chart of a run: throughput and latency against message size
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "shmlab-bench-report.h"

G_BEGIN_DECLS

#define SHMLAB_BENCH_PLOT_WIDTH 1600
#define SHMLAB_BENCH_PLOT_HEIGHT 720

gboolean           shmlab_bench_plot_write   (const ShmlabBenchReport *report,
                                              const char              *path,
                                              GError                 **error);

G_END_DECLS
