/* shmlab-bench-report.h — everything one run of the bench measured: its
 * table, its JSON and the targets it checks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "shmlab-bench-cell.h"
#include "shmlab-bench-image.h"
#include "shmlab-bench-lock.h"
#include "shmlab-bench-machine.h"
#include "shmlab-bench-mechanisms.h"

G_BEGIN_DECLS

/* Room for one lock row a backend of the table. */
#define SHMLAB_BENCH_MAX_BACKENDS 3

typedef struct
{
  ShmlabBenchMechanism mechanism;
  ShmlabBenchResult *results;
  guint n_results;
} ShmlabBenchRow;

/**
 * ShmlabBenchReport:
 *
 * Everything one run measured, for the table, the JSON and the chart.
 */
typedef struct
{
  ShmlabBenchMachine machine;
  double seconds;
  gboolean quick;
  guint passes;
  int cpus[2];           /* the writer's and the reader's processor, -1 for any */
  GArray *sizes;         /* guint64 */
  GPtrArray *rows;       /* ShmlabBenchRow */
  char *key_prefix;      /* every key made starts with it */
  ShmlabBenchLock locks[SHMLAB_BENCH_MAX_BACKENDS];
  guint n_locks;         /* one a backend, in the order of the table */
  ShmlabBenchImage *image;
  char *plot_path;
  guint plot_width;
  guint plot_height;
  double elapsed;
} ShmlabBenchReport;

ShmlabBenchReport *shmlab_bench_report_new   (void);
void               shmlab_bench_report_free  (ShmlabBenchReport *report);
gboolean           shmlab_bench_report_ok    (const ShmlabBenchReport *report);
char              *shmlab_bench_report_table (const ShmlabBenchReport *report);
char              *shmlab_bench_report_json  (const ShmlabBenchReport *report);
char              *shmlab_bench_format_size  (guint64 size);
char              *shmlab_bench_format_ns    (double ns);
void               shmlab_bench_append_cell  (GString    *out,
                                              const char *text,
                                              guint       width,
                                              gboolean    right);

/**
 * ShmlabBenchTarget:
 * @what: the claim, in words
 * @measured: the ratio or time measured
 * @limit: what the claim asks for
 * @at_least: %TRUE when @measured must reach @limit, %FALSE when it must
 *   stay at or below it
 * @unit: "×", "ns" or "ms"
 * @detail: (nullable): what the figure is made of
 */
typedef struct
{
  char *what;
  char *detail;
  double measured;
  double limit;
  gboolean at_least;
  const char *unit;
} ShmlabBenchTarget;

GPtrArray         *shmlab_bench_report_targets (const ShmlabBenchReport *report);
gboolean           shmlab_bench_report_checks_off_clock (const ShmlabBenchReport *report);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShmlabBenchReport, shmlab_bench_report_free)

G_END_DECLS
