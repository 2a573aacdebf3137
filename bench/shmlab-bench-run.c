/* shmlab-bench-run.c — a whole run of the bench: the locks, then every
 * chosen mechanism at every size in passes, and the net that removes
 * whatever the run may have left under its keys
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-bench-run.h"
#include "shmlab-bench-stream.h"
#include "shmlab-bench-cache.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>

#include "shmlab-bench-cell.h"
#include "shmlab-bench-image.h"
#include "shmlab-bench-lock.h"
#include "shmlab-bench-mechanisms.h"
#include "shmlab-bench-stats.h"

/* Removes whatever a run may have left under its keys (each part removes
 * its own; this is the net under them). */
void
shmlab_bench_sweep_keys (const char *key_prefix,
                         GArray     *sizes)
{
  static const char *const images[] = { "image-frame", "image-qt" };
  guint n_backends;
  const ShmlabBackend *backends = shmlab_backend_all (&n_backends);

  for (guint m = 0; m < SHMLAB_BENCH_N_MECHANISMS; m++)
    {
      ShmlabBackend backend;

      if (!shmlab_bench_mechanism_uses_shm (m, &backend))
        continue;
      for (guint i = 0; i < sizes->len; i++)
        {
          g_autofree char *key = g_strdup_printf ("%s-%s-%" PRIu64, key_prefix,
                                                  shmlab_bench_mechanism_info (m)->name,
                                                  g_array_index (sizes, guint64, i));
          shmlab_bench_remove_key (key, backend);
        }
    }
  /* The locks' keys, as shmlab_bench_measure_locks() names them. */
  for (guint i = 0; i < n_backends; i++)
    {
      g_autofree char *key = g_strdup_printf ("%s-lock-%s", key_prefix,
                                              shmlab_backend_to_string (backends[i]));
      shmlab_bench_remove_key (key, backends[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (images); i++)
    {
      g_autofree char *key = g_strdup_printf ("%s-%s", key_prefix, images[i]);
      shmlab_bench_remove_key (key, SHMLAB_BENCH_IMAGE_BACKEND);
    }
  /* The cache's, as shmlab_bench_cache_measure() names it. */
  {
    g_autofree char *key = shmlab_bench_cache_key (key_prefix);
    shmlab_bench_remove_key (key, SHMLAB_BENCH_CACHE_BACKEND);
  }
  /* The stream's keys, as shmlab_bench_stream_measure() names them. */
  for (guint i = 0; i <= SHMLAB_BENCH_STREAM_N_RUNS; i++)
    {
      g_autofree char *key = i < SHMLAB_BENCH_STREAM_N_RUNS
                             ? g_strdup_printf ("%s-stream-%u", key_prefix, i)
                             : g_strdup_printf ("%s-stream-handoff", key_prefix);
      shmlab_bench_remove_key (key, SHMLAB_BACKEND_DEFAULT);
    }
}

/* Measures lock + unlock on each backend a chosen mechanism uses. */
gboolean
shmlab_bench_measure_locks (ShmlabBenchReport          *report,
                            const gboolean              chosen[SHMLAB_BENCH_N_MECHANISMS],
                            double                      seconds,
                            const char                 *key_prefix,
                            GCancellable               *cancellable,
                            const ShmlabBenchProgress  *progress,
                            GError                    **error)
{
  for (guint i = 0; i < report->n_locks; i++)
    {
      ShmlabBackend backend = report->locks[i].backend;
      g_autofree char *key = g_strdup_printf ("%s-lock-%s", key_prefix,
                                              shmlab_backend_to_string (backend));
      gboolean needed = FALSE;

      for (guint m = 0; m < SHMLAB_BENCH_N_MECHANISMS; m++)
        {
          ShmlabBackend uses;
          needed |= chosen[m] && shmlab_bench_mechanism_uses_shm (m, &uses) && uses == backend;
        }
      if (!needed)
        continue;
      shmlab_bench_say (progress, _("measuring lock + unlock (%s)\n"), shmlab_backend_describe (backend));
      if (!shmlab_bench_measure_lock (backend, seconds, key, cancellable,
                                      &report->locks[i], error))
        return FALSE;
    }
  return TRUE;
}

/* Measures every chosen mechanism at every size, in @passes passes over all
 * of them: a moment when the machine is busy then spoils one pass of a few
 * cells, not every run of them, and the median sets it aside. */
gboolean
shmlab_bench_measure_mechanisms (ShmlabBenchReport          *report,
                                 const gboolean              chosen[SHMLAB_BENCH_N_MECHANISMS],
                                 const ShmlabBenchPlan      *plan,
                                 guint                       passes,
                                 GCancellable               *cancellable,
                                 const ShmlabBenchProgress  *progress,
                                 GError                    **error)
{
  guint64 largest = g_array_index (report->sizes, guint64, report->sizes->len - 1);
  g_autofree guint8 *pattern = shmlab_bench_pattern_new ((gsize) largest);

  if (pattern == NULL)
    {
      g_autofree char *shown = shmlab_bench_format_size (largest);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   _("not enough memory for a %s message: try smaller --sizes"), shown);
      return FALSE;
    }

  for (guint m = 0; m < SHMLAB_BENCH_N_MECHANISMS; m++)
    {
      ShmlabBenchRow *row;

      if (!chosen[m])
        continue;
      row = g_new0 (ShmlabBenchRow, 1);
      row->mechanism = m;
      row->n_results = report->sizes->len;
      row->results = g_new0 (ShmlabBenchResult, row->n_results);
      for (guint i = 0; i < row->n_results; i++)
        shmlab_bench_result_init (&row->results[i], g_array_index (report->sizes, guint64, i));
      g_ptr_array_add (report->rows, row);
    }

  for (guint pass = 0; pass < passes; pass++)
    for (guint i = 0; i < report->sizes->len; i++)
      {
        g_autofree char *shown = shmlab_bench_format_size (g_array_index (report->sizes,
                                                                          guint64, i));
        gint64 started = shmlab_bench_now_ns ();

        /* Size by size, so that the mechanisms compared at one size are
         * measured close together in time. */
        shmlab_bench_say (progress, _("measuring %-7s"), shown);
        for (guint r = 0; r < report->rows->len; r++)
          {
            ShmlabBenchRow *row = g_ptr_array_index (report->rows, r);
            ShmlabBenchResult *result = &row->results[i];

            shmlab_bench_say (progress, " %s", shmlab_bench_mechanism_info (row->mechanism)->name);
            if (result->error != NULL)
              {
                shmlab_bench_say (progress, _(" (failed before)"));
                continue;
              }
            if (!shmlab_bench_run_cell (row->mechanism, result->size, pattern, plan,
                                        cancellable, result, error))
              {
                shmlab_bench_say (progress, "\n");
                return FALSE;
              }
            if (result->error != NULL)
              shmlab_bench_say (progress, " (failed)");
          }
        if (passes > 1)
          shmlab_bench_say (progress, _("  (pass %u of %u, %.1f s)\n"), pass + 1, passes,
                    (double) (shmlab_bench_now_ns () - started) / 1e9);
        else
          shmlab_bench_say (progress, "  (%.1f s)\n", (double) (shmlab_bench_now_ns () - started) / 1e9);
      }

  for (guint r = 0; r < report->rows->len; r++)
    {
      ShmlabBenchRow *row = g_ptr_array_index (report->rows, r);
      for (guint i = 0; i < row->n_results; i++)
        shmlab_bench_result_finish (&row->results[i]);
    }
  return TRUE;
}
