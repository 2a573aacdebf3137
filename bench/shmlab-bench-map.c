/* shmlab-bench-map.c — what one look at /proc costs `shmlab map` and the
 * Memory tab: with 1, 10 and 100 processes attached, and a 1 GiB segment
 * whose pages are all present
 *
 * This process creates the segment and fills it (so every page is present
 * in it); its children, made with fork(), inherit the mapping and wait. A
 * look reads every process's maps, and each mapping's pagemap in chunks.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-bench-map.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shmlab-bench-stats.h"
#include "shmlab-memory-map.h"
#include "shmlab-segment.h"

static const struct
{
  guint attached;
  guint64 size;
} cases[] = {
  { 1, 64 * 1024 },
  { 10, 64 * 1024 },
  { 100, 64 * 1024 },
  { 1, G_GUINT64_CONSTANT (1) << 30 },
  { 10, G_GUINT64_CONSTANT (1) << 30 },
};

ShmlabBenchMap *
shmlab_bench_map_new (void)
{
  ShmlabBenchMap *self = g_new0 (ShmlabBenchMap, 1);

  self->runs = g_array_new (FALSE, TRUE, sizeof (ShmlabBenchMapRun));
  return self;
}

void
shmlab_bench_map_free (ShmlabBenchMap *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->runs);
  g_free (self);
}

static void
stop_children (GArray *children)
{
  for (guint i = 0; i < children->len; i++)
    kill (g_array_index (children, pid_t, i), SIGKILL);
  for (guint i = 0; i < children->len; i++)
    waitpid (g_array_index (children, pid_t, i), NULL, 0);
  g_array_set_size (children, 0);
}

static gboolean
measure_case (ShmlabBenchMapRun  *run,
              const char         *key_name,
              guint               looks,
              GCancellable       *cancellable,
              GError            **error)
{
  g_autoptr(ShmlabSegment) segment = shmlab_segment_new (SHMLAB_BACKEND_SYSV);
  g_autoptr(GArray) children = g_array_new (FALSE, FALSE, sizeof (pid_t));
  g_autofree double *times = g_new (double, looks);
  gboolean ok = FALSE;

  if (!shmlab_segment_set_key (segment, key_name, error) ||
      !shmlab_segment_create (segment, run->size, SHMLAB_ACCESS_READ_WRITE, cancellable, error))
    return FALSE;
  /* Every page present in this process. */
  memset (shmlab_segment_get_data (segment), 0x5a, run->size);

  for (guint i = 1; i < run->attached; i++)
    {
      pid_t pid = fork ();

      if (pid < 0)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                       _("Could not start process %u of %u: %s"), i + 1, run->attached,
                       g_strerror (errno));
          goto out;
        }
      if (pid == 0)
        {
          /* The mapping is inherited; wait to be killed. */
          for (;;)
            pause ();
        }
      g_array_append_val (children, pid);
    }

  for (guint i = 0; i < looks; i++)
    {
      g_autoptr(ShmlabMemoryMap) map = NULL;
      gint64 start;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;
      start = shmlab_bench_now_ns ();
      map = shmlab_memory_map_scan (shmlab_segment_get_key_value (segment), cancellable, error);
      times[i] = (shmlab_bench_now_ns () - start) / 1e6;
      if (map == NULL)
        goto out;
      if (map->mappings->len != run->attached)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       _("a look found %u mappings of the segment, not the %u made"),
                       map->mappings->len, run->attached);
          goto out;
        }
      run->processes = map->n_processes;
      run->pages_present = 0;
      for (guint m = 0; m < map->mappings->len; m++)
        run->pages_present += MAX (((ShmlabMemoryMapping *) g_ptr_array_index (map->mappings, m))->present, 0);
    }
  run->looks = looks;
  run->max_ms = 0;
  for (guint i = 0; i < looks; i++)
    run->max_ms = MAX (run->max_ms, times[i]);
  run->median_ms = shmlab_bench_median (times, looks);
  ok = TRUE;

out:
  stop_children (children);
  shmlab_segment_detach (segment, NULL);
  shmlab_segment_remove_key (key_name, SHMLAB_BACKEND_SYSV, TRUE, NULL);
  return ok;
}

/**
 * shmlab_bench_map_measure:
 * @quick: fewer looks, and no 1 GiB segment
 *
 * Times shmlab_memory_map_scan() in each case, on keys under @key_prefix.
 */
gboolean
shmlab_bench_map_measure (ShmlabBenchMap  *self,
                          gboolean         quick,
                          const char      *key_prefix,
                          GCancellable    *cancellable,
                          GError         **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      ShmlabBenchMapRun run = { cases[i].attached, cases[i].size, 0, 0, 0, 0, 0 };
      g_autofree char *key = g_strdup_printf ("%s-map-%u", key_prefix, i);

      if (quick && cases[i].size > (G_GUINT64_CONSTANT (1) << 20))
        continue;
      if (!measure_case (&run, key, quick ? 5 : 15, cancellable, error))
        return FALSE;
      g_array_append_val (self->runs, run);
    }
  return TRUE;
}

char *
shmlab_bench_map_table (const ShmlabBenchMap *self)
{
  g_autoptr(GString) text = g_string_new (NULL);

  g_string_append (text, _("One look at /proc (shmlab map, the Memory tab): the median of several\n\n"));
  g_string_append_printf (text, "  %-9s %-9s %-14s %-14s %-10s %s\n", _("attached"), _("segment"),
                          _("pages present"), _("processes"), _("one look"), _("slowest"));
  for (guint i = 0; i < self->runs->len; i++)
    {
      const ShmlabBenchMapRun *run = &g_array_index (self->runs, ShmlabBenchMapRun, i);
      g_autofree char *size = g_format_size_full (run->size, G_FORMAT_SIZE_IEC_UNITS);
      g_autofree char *median = g_strdup_printf (_("%.2f ms"), run->median_ms);
      g_autofree char *slowest = g_strdup_printf (_("%.2f ms"), run->max_ms);

      g_string_append_printf (text, "  %-9u %-9s %-14" PRIu64 " %-14u %-10s %s\n", run->attached, size,
                              run->pages_present, run->processes, median, slowest);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

char *
shmlab_bench_map_json (const ShmlabBenchMap *self)
{
  g_autoptr(GString) json = g_string_new ("{\n  \"map\": [");

  for (guint i = 0; i < self->runs->len; i++)
    {
      const ShmlabBenchMapRun *run = &g_array_index (self->runs, ShmlabBenchMapRun, i);

      g_string_append_printf (json, "%s\n    { \"attached\": %u, \"size\": %" PRIu64 ", "
                              "\"pages_present\": %" PRIu64 ", \"processes\": %u, \"looks\": %u, "
                              "\"median_ms\": %.3f, \"max_ms\": %.3f }",
                              i > 0 ? "," : "", run->attached, run->size, run->pages_present,
                              run->processes, run->looks, run->median_ms, run->max_ms);
    }
  g_string_append (json, "\n  ]\n}\n");
  return g_string_free (g_steal_pointer (&json), FALSE);
}
