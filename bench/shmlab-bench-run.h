/* shmlab-bench-run.h — a whole run of the bench: the locks, then every
 * chosen mechanism at every size in passes, and the net under the keys
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "shmlab-bench-cell.h"
#include "shmlab-bench-mechanisms.h"
#include "shmlab-bench-progress.h"
#include "shmlab-bench-report.h"

G_BEGIN_DECLS


gboolean shmlab_bench_measure_locks      (ShmlabBenchReport          *report,
                                          const gboolean              chosen[SHMLAB_BENCH_N_MECHANISMS],
                                          double                      seconds,
                                          const char                 *key_prefix,
                                          GCancellable               *cancellable,
                                          const ShmlabBenchProgress  *progress,
                                          GError                    **error);
gboolean shmlab_bench_measure_mechanisms (ShmlabBenchReport          *report,
                                          const gboolean              chosen[SHMLAB_BENCH_N_MECHANISMS],
                                          const ShmlabBenchPlan      *plan,
                                          guint                       passes,
                                          GCancellable               *cancellable,
                                          const ShmlabBenchProgress  *progress,
                                          GError                    **error);
void     shmlab_bench_sweep_keys         (const char                 *key_prefix,
                                          GArray                     *sizes);

G_END_DECLS
