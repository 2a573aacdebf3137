/* shmlab-bench-report.c — what a benchmark run measured: the table in the
 * shape of the article's, the figures by size, the targets side by side, and
 * the same as JSON for machines
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-bench-report.h"

#include <glib/gi18n-lib.h>

#include <math.h>
#include <string.h>

#include "shmlab-json.h"

#define MIB (G_GUINT64_CONSTANT (1) << 20)
/* The article's claims about large payloads start here. */
#define LARGE_SIZE (16 * MIB)

static void
row_free (gpointer data)
{
  ShmlabBenchRow *row = data;

  for (guint i = 0; i < row->n_results; i++)
    shmlab_bench_result_clear (&row->results[i]);
  g_free (row->results);
  g_free (row);
}

/* What an uncontended lock + unlock should cost: a semop() pair is two
 * system calls; a POSIX semaphore takes and gives back without one. */
static double
lock_target_ns (ShmlabBackend backend)
{
  return shmlab_backend_lock_syscalls (backend) > 0 ? 1000 : 100;
}

ShmlabBenchReport *
shmlab_bench_report_new (void)
{
  ShmlabBenchReport *self = g_new0 (ShmlabBenchReport, 1);

  self->sizes = g_array_new (FALSE, FALSE, sizeof (guint64));
  self->rows = g_ptr_array_new_with_free_func (row_free);
  {
    guint n_backends;
    const ShmlabBackend *backends = shmlab_backend_all (&n_backends);

    /* One lock row a backend, in the order of the table. */
    g_warn_if_fail (n_backends <= G_N_ELEMENTS (self->locks));
    self->n_locks = MIN (n_backends, G_N_ELEMENTS (self->locks));
    for (guint i = 0; i < self->n_locks; i++)
      self->locks[i].backend = backends[i];
  }
  return self;
}

void
shmlab_bench_report_free (ShmlabBenchReport *self)
{
  if (self == NULL)
    return;
  shmlab_bench_machine_clear (&self->machine);
  g_array_unref (self->sizes);
  g_ptr_array_unref (self->rows);
  for (guint i = 0; i < G_N_ELEMENTS (self->locks); i++)
    g_free (self->locks[i].error);
  if (self->image != NULL)
    {
      g_free (self->image->path);
      g_free (self->image);
    }
  g_free (self->plot_path);
  g_free (self->key_prefix);
  g_free (self);
}

/* With both processes on one processor, never running at once, the time a
 * receiver spends checking can be taken out exactly. */
gboolean
shmlab_bench_report_checks_off_clock (const ShmlabBenchReport *self)
{
  return self->cpus[0] >= 0 && self->cpus[0] == self->cpus[1];
}

static char *
describe_placement (const ShmlabBenchReport *self)
{
  if (shmlab_bench_report_checks_off_clock (self))
    return g_strdup_printf (_("both processes on processor %d, taking turns: the time the "
                            "receiver spends checking is measured and taken out, so each "
                            "figure is the transfer alone"), self->cpus[0]);
  if (self->cpus[0] >= 0)
    return g_strdup_printf (_("the writer on processor %d, the reader on processor %d: the "
                            "receiver's checks overlap the transfer, so they stay in the "
                            "figures"), self->cpus[0], self->cpus[1]);
  return g_strdup (_("the processes where the scheduler puts them: the receiver's checks may "
                   "overlap the transfer, so they stay in the figures"));
}

/* Every message delivered intact, every lock measured. */
gboolean
shmlab_bench_report_ok (const ShmlabBenchReport *self)
{
  for (guint r = 0; r < self->rows->len; r++)
    {
      const ShmlabBenchRow *row = g_ptr_array_index (self->rows, r);
      for (guint i = 0; i < row->n_results; i++)
        if (!row->results[i].ok)
          return FALSE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (self->locks); i++)
    if (self->locks[i].measured && !self->locks[i].ok)
      return FALSE;
  return TRUE;
}

/* "64 B", "4 KiB", "16 MiB"; "1.5 MiB" when not a whole number of units. */
char *
shmlab_bench_format_size (guint64 size)
{
  static const char *units[] = { "B", "KiB", "MiB", "GiB" };
  guint unit = 0;
  double value = (double) size;

  while (unit + 1 < G_N_ELEMENTS (units) && value >= 1024)
    {
      value /= 1024;
      unit++;
    }
  if (value == floor (value))
    return g_strdup_printf ("%.0f %s", value, units[unit]);
  return g_strdup_printf ("%.1f %s", value, units[unit]);
}

/* Appends @text and pads it to @width characters (not bytes: “µ” is one). */
void
shmlab_bench_append_cell (GString    *out,
                          const char *text,
                          guint       width,
                          gboolean    right)
{
  glong length = g_utf8_strlen (text, -1);
  guint padding = length < (glong) width ? width - (guint) length : 1;

  if (right)
    {
      for (guint i = 0; i < padding; i++)
        g_string_append_c (out, ' ');
      g_string_append (out, text);
      return;
    }
  g_string_append (out, text);
  for (guint i = 0; i < padding; i++)
    g_string_append_c (out, ' ');
}

/* Three significant digits in ns, µs, ms or s. */
char *
shmlab_bench_format_ns (double ns)
{
  static const struct { double scale; const char *unit; } units[] = {
    { 1, "ns" }, { 1e3, "µs" }, { 1e6, "ms" }, { 1e9, "s" },
  };
  guint unit = 0;
  double value;

  if (!isfinite (ns))
    return g_strdup ("—");
  while (unit + 1 < G_N_ELEMENTS (units) && ns >= units[unit + 1].scale * 0.9995)
    unit++;
  value = ns / units[unit].scale;
  return g_strdup_printf (value < 9.995 ? "%.2f %s" : value < 99.95 ? "%.1f %s" : "%.0f %s",
                          value, units[unit].unit);
}

/* Gigabytes (10⁹ bytes) per second, three significant digits. */
static char *
format_rate (double bytes_per_second)
{
  double value = bytes_per_second / 1e9;

  if (!isfinite (value))
    return g_strdup ("—");
  if (value >= 99.95)
    return g_strdup_printf ("%.0f", value);
  if (value >= 9.995)
    return g_strdup_printf ("%.1f", value);
  if (value >= 0.9995)
    return g_strdup_printf ("%.2f", value);
  return g_strdup_printf ("%.3f", value);
}

static const ShmlabBenchRow *
find_row (const ShmlabBenchReport *self,
          ShmlabBenchMechanism     mechanism)
{
  for (guint r = 0; r < self->rows->len; r++)
    {
      const ShmlabBenchRow *row = g_ptr_array_index (self->rows, r);
      if (row->mechanism == mechanism)
        return row;
    }
  return NULL;
}

static const ShmlabBenchResult *
find_result (const ShmlabBenchReport *self,
             ShmlabBenchMechanism     mechanism,
             guint64                  size)
{
  const ShmlabBenchRow *row = find_row (self, mechanism);

  for (guint i = 0; row != NULL && i < row->n_results; i++)
    if (row->results[i].size == size && row->results[i].ok)
      return &row->results[i];
  return NULL;
}

static void
free_target (gpointer data)
{
  ShmlabBenchTarget *target = data;

  g_free (target->what);
  g_free (target->detail);
  g_free (target);
}

static void
add_target (GPtrArray  *targets,
            char       *what,
            char       *detail,
            double      measured,
            double      limit,
            gboolean    at_least,
            const char *unit)
{
  ShmlabBenchTarget *target = g_new0 (ShmlabBenchTarget, 1);

  target->what = what;
  target->detail = detail;
  target->measured = measured;
  target->limit = limit;
  target->at_least = at_least;
  target->unit = unit;
  g_ptr_array_add (targets, target);
}

/* The worst ratio of @mechanism's throughput to @other's over the sizes of
 * at least LARGE_SIZE both measured; NAN when there is none. */
static double
worst_ratio (const ShmlabBenchReport *self,
             ShmlabBenchMechanism     mechanism,
             ShmlabBenchMechanism     other,
             guint64                 *at_size)
{
  double worst = NAN;

  for (guint i = 0; i < self->sizes->len; i++)
    {
      guint64 size = g_array_index (self->sizes, guint64, i);
      const ShmlabBenchResult *a = find_result (self, mechanism, size);
      const ShmlabBenchResult *b = find_result (self, other, size);
      double ratio;

      if (size < LARGE_SIZE || a == NULL || b == NULL || b->throughput_median <= 0)
        continue;
      ratio = a->throughput_median / b->throughput_median;
      if (isnan (worst) || ratio < worst)
        {
          worst = ratio;
          *at_size = size;
        }
    }
  return worst;
}

/**
 * shmlab_bench_report_targets:
 *
 * The targets, each with what this run measured for it; a target
 * whose figures were not measured is left out.
 *
 * Returns: (transfer full) (element-type ShmlabBenchTarget)
 */
GPtrArray *
shmlab_bench_report_targets (const ShmlabBenchReport *self)
{
  static const ShmlabBenchMechanism shm[] = {
    SHMLAB_BENCH_SHM_SYSV, SHMLAB_BENCH_SHM_POSIX, SHMLAB_BENCH_SHM_FILE,
  };
  static const ShmlabBenchMechanism others[] = { SHMLAB_BENCH_PIPE, SHMLAB_BENCH_UNIX_SOCKET };
  GPtrArray *targets = g_ptr_array_new_with_free_func (free_target);

  for (guint s = 0; s < G_N_ELEMENTS (shm); s++)
    {
      const char *name = shmlab_bench_mechanism_info (shm[s])->name;
      guint64 at = 0;
      double ratio = worst_ratio (self, shm[s], SHMLAB_BENCH_MEMCPY, &at);

      if (!isnan (ratio))
        {
          g_autofree char *size = shmlab_bench_format_size (at);
          const ShmlabBenchResult *r = find_result (self, shm[s], at);
          g_autofree char *in = format_rate (r->copy_in_rate);
          g_autofree char *out = format_rate (r->copy_out_rate);

          add_target (targets,
                      g_strdup_printf (_("%s ≥ 16 MiB, end to end vs memcpy"), name),
                      g_strdup_printf (_("worst at %s: %.2f× per copy (two copies); inside the "
                                       "path memcpy in %s GB/s, out %s GB/s"),
                                       size, 2 * ratio, in, out),
                      ratio, 0.4, TRUE, "×");
        }
      for (guint o = 0; o < G_N_ELEMENTS (others); o++)
        {
          ratio = worst_ratio (self, shm[s], others[o], &at);
          if (!isnan (ratio))
            {
              g_autofree char *size = shmlab_bench_format_size (at);
              add_target (targets,
                          g_strdup_printf (_("%s ≥ 16 MiB vs %s"), name,
                                           shmlab_bench_mechanism_info (others[o])->name),
                          g_strdup_printf (_("worst at %s"), size), ratio, 2, TRUE, "×");
            }
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (self->locks); i++)
    if (self->locks[i].measured && self->locks[i].ok)
      add_target (targets,
                  g_strdup_printf (_("lock + unlock, %s"),
                                   shmlab_backend_describe (self->locks[i].backend)),
                  g_strdup (_("uncontended, through ShmlabSegment")),
                  self->locks[i].segment_ns,
                  lock_target_ns (self->locks[i].backend), FALSE, "ns");

  if (self->image != NULL && self->image->frame.runs > 0)
    add_target (targets,
                g_strdup_printf (_("picture %u × %u as a frame, copy in + copy out"),
                                 self->image->width, self->image->height),
                g_strdup (_("the Reader's texture upload is not measured here")),
                self->image->frame.copy_in_ms + self->image->frame.copy_out_ms, 50, FALSE,
                "ms");
  return targets;
}

static gboolean
target_met (const ShmlabBenchTarget *target)
{
  return target->at_least ? target->measured >= target->limit
                          : target->measured <= target->limit;
}

static char *
format_target_value (const ShmlabBenchTarget *target,
                     double                   value)
{
  if (g_str_equal (target->unit, "ns"))
    return shmlab_bench_format_ns (value);
  if (g_str_equal (target->unit, "ms"))
    return shmlab_bench_format_ns (value * 1e6);
  return g_strdup_printf ("%.2f×", value);
}

typedef char *(*CellText) (const ShmlabBenchResult *result);

static char *
cell_latency_median (const ShmlabBenchResult *result)
{
  return shmlab_bench_format_ns (result->latency_median_ns);
}

static char *
cell_latency_p99 (const ShmlabBenchResult *result)
{
  return shmlab_bench_format_ns (result->latency_p99_ns);
}

static char *
cell_throughput (const ShmlabBenchResult *result)
{
  return format_rate (result->throughput_median);
}

static char *
cell_syscalls (const ShmlabBenchResult *result)
{
  if (result->syscalls_per_message < 0)
    return g_strdup ("—");
  return g_strdup_printf ("%.1f", result->syscalls_per_message);
}

#define NAME_WIDTH 14
#define SIZE_WIDTH 10

static void
append_by_size (GString                 *out,
                const ShmlabBenchReport *self,
                const char              *title,
                CellText                 text)
{
  g_string_append_printf (out, "\n%s\n", title);
  shmlab_bench_append_cell (out, "", NAME_WIDTH, FALSE);
  for (guint i = 0; i < self->sizes->len; i++)
    {
      g_autofree char *size = shmlab_bench_format_size (g_array_index (self->sizes, guint64, i));
      shmlab_bench_append_cell (out, size, SIZE_WIDTH, TRUE);
    }
  g_string_append_c (out, '\n');

  for (guint r = 0; r < self->rows->len; r++)
    {
      const ShmlabBenchRow *row = g_ptr_array_index (self->rows, r);

      shmlab_bench_append_cell (out, shmlab_bench_mechanism_info (row->mechanism)->name,
                                NAME_WIDTH, FALSE);
      for (guint i = 0; i < row->n_results; i++)
        {
          g_autofree char *cell = row->results[i].ok ? text (&row->results[i])
                                                     : g_strdup ("failed");
          shmlab_bench_append_cell (out, cell, SIZE_WIDTH, TRUE);
        }
      g_string_append_c (out, '\n');
    }
}

static void
append_summary (GString                 *out,
                const ShmlabBenchReport *self)
{
  guint64 small = g_array_index (self->sizes, guint64, 0);
  guint64 large = g_array_index (self->sizes, guint64, self->sizes->len - 1);
  g_autofree char *small_text = shmlab_bench_format_size (small);
  g_autofree char *large_text = shmlab_bench_format_size (large);
  g_autofree char *latency_title = g_strdup_printf (_("latency %s"), small_text);
  g_autofree char *throughput_title = g_strdup_printf (_("GB/s %s"), large_text);

  g_string_append (out, _("\nThe article's table, measured (one-way latency: median; throughput: "
                        "median, in 10⁹ bytes per second):\n"));
  shmlab_bench_append_cell (out, "mechanism", NAME_WIDTH, FALSE);
  shmlab_bench_append_cell (out, "copies", 8, FALSE);
  shmlab_bench_append_cell (out, _("system calls / message"), 31, FALSE);
  shmlab_bench_append_cell (out, "signal", 14, FALSE);
  shmlab_bench_append_cell (out, latency_title, 13, TRUE);
  shmlab_bench_append_cell (out, throughput_title, 13, TRUE);
  g_string_append_c (out, '\n');

  for (guint r = 0; r < self->rows->len; r++)
    {
      const ShmlabBenchRow *row = g_ptr_array_index (self->rows, r);
      const ShmlabBenchMechanismInfo *info = shmlab_bench_mechanism_info (row->mechanism);
      const ShmlabBenchResult *first = &row->results[0];
      const ShmlabBenchResult *last = &row->results[row->n_results - 1];
      g_autofree char *copies = g_strdup_printf ("%u", info->copies);
      g_autofree char *latency = first->ok ? shmlab_bench_format_ns (first->latency_median_ns)
                                           : g_strdup ("failed");
      g_autofree char *throughput = last->ok ? format_rate (last->throughput_median)
                                             : g_strdup ("failed");

      shmlab_bench_append_cell (out, info->name, NAME_WIDTH, FALSE);
      shmlab_bench_append_cell (out, copies, 8, FALSE);
      shmlab_bench_append_cell (out, _(info->syscalls), 31, FALSE);
      shmlab_bench_append_cell (out, _(info->signal), 14, FALSE);
      shmlab_bench_append_cell (out, latency, 13, TRUE);
      shmlab_bench_append_cell (out, throughput, 13, TRUE);
      g_string_append_c (out, '\n');
    }
}

static void
append_locks (GString                 *out,
              const ShmlabBenchReport *self)
{
  gboolean any = FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (self->locks); i++)
    any |= self->locks[i].measured;
  if (!any)
    return;

  g_string_append (out, _("\nLock + unlock, uncontended (median):\n"));
  shmlab_bench_append_cell (out, "backend", NAME_WIDTH, FALSE);
  shmlab_bench_append_cell (out, "ShmlabSegment", 15, TRUE);
  shmlab_bench_append_cell (out, _("+ GCancellable"), 16, TRUE);
  shmlab_bench_append_cell (out, _("bare primitive"), 16, TRUE);
  g_string_append_c (out, '\n');
  for (guint i = 0; i < G_N_ELEMENTS (self->locks); i++)
    {
      const ShmlabBenchLock *lock = &self->locks[i];

      if (!lock->measured)
        continue;
      shmlab_bench_append_cell (out, shmlab_backend_describe (lock->backend), NAME_WIDTH, FALSE);
      if (lock->ok)
        {
          g_autofree char *segment = shmlab_bench_format_ns (lock->segment_ns);
          g_autofree char *cancellable = shmlab_bench_format_ns (lock->cancellable_ns);
          g_autofree char *primitive = shmlab_bench_format_ns (lock->primitive_ns);

          shmlab_bench_append_cell (out, segment, 15, TRUE);
          shmlab_bench_append_cell (out, cancellable, 16, TRUE);
          shmlab_bench_append_cell (out, primitive, 16, TRUE);
          g_string_append (out, shmlab_backend_lock_calls (lock->backend));
        }
      else
        g_string_append_printf (out, _("  failed: %s"), lock->error);
      g_string_append_c (out, '\n');
    }
}

static void
append_image (GString                 *out,
              const ShmlabBenchImage  *image)
{
  const ShmlabBenchImagePath *paths[] = { &image->frame, &image->qt };
  const char *steps[] = { "encode", N_("copy in"), N_("copy out"), "decode", "total",
                          N_("copy out again") };
  g_autofree char *frame_bytes = shmlab_bench_format_size (image->frame.bytes);
  g_autofree char *qt_bytes = shmlab_bench_format_size (image->qt.bytes);

  g_string_append_printf (out, _("\nThe picture %s (%u × %u), from the Writer's memory to the "
                          "Reader's through System V shared memory (median of %u and %u runs):\n"),
                          image->path, image->width, image->height, image->frame.runs,
                          image->qt.runs);
  shmlab_bench_append_cell (out, "step", NAME_WIDTH, FALSE);
  shmlab_bench_append_cell (out, _("ShmLab frame"), 16, TRUE);
  shmlab_bench_append_cell (out, _("Qt's format"), 16, TRUE);
  g_string_append_c (out, '\n');
  for (guint s = 0; s < G_N_ELEMENTS (steps); s++)
    {
      shmlab_bench_append_cell (out, _(steps[s]), NAME_WIDTH, FALSE);
      for (guint p = 0; p < G_N_ELEMENTS (paths); p++)
        {
          double ms[] = { paths[p]->encode_ms, paths[p]->copy_in_ms, paths[p]->copy_out_ms,
                          paths[p]->decode_ms, paths[p]->total_ms, paths[p]->copy_out_again_ms };
          g_autofree char *cell = shmlab_bench_format_ns (ms[s] * 1e6);
          shmlab_bench_append_cell (out, cell, 16, TRUE);
        }
      g_string_append_c (out, '\n');
    }
  shmlab_bench_append_cell (out, _("in the segment"), NAME_WIDTH, FALSE);
  shmlab_bench_append_cell (out, frame_bytes, 16, TRUE);
  shmlab_bench_append_cell (out, qt_bytes, 16, TRUE);
  g_string_append (out, "\n");
  g_string_append_printf (out, _("Each step as the apps do it: encode outside the lock; lock, "
                          "write, unlock; a new buffer with its pages touched, then lock, copy "
                          "out, unlock; decode the copy in place. “copy out again” is the copy "
                          "under the lock alone (not in the total).\n"
                          "The frame path is %.1f× faster end to end (a frame is a 64-byte "
                          "header and the RGBA rows; Qt's format is a PNG file, encoded by the "
                          "Writer and decoded by the Reader). The Reader's upload to a texture "
                          "happens in its window and is not measured here.\n"),
                          image->frame.total_ms > 0 ? image->qt.total_ms / image->frame.total_ms
                                                    : 0);
}

char *
shmlab_bench_report_table (const ShmlabBenchReport *self)
{
  GString *out = g_string_new (NULL);
  g_autofree char *machine = shmlab_bench_machine_describe (&self->machine);
  g_autoptr(GPtrArray) targets = shmlab_bench_report_targets (self);
  gboolean ok = shmlab_bench_report_ok (self);
  guint runs = 0;

  g_string_append_printf (out, _("shmlab bench on %s\n"), machine);
  if (self->machine.load_average >= 0.5 * MAX (self->machine.cores, 1))
    g_string_append_printf (out, _("The machine was busy when the run began (load average %.2f): "
                            "other programs share its processors, so expect noisy figures.\n"),
                            self->machine.load_average);

  if (self->rows->len > 0)
    {
      g_autofree char *placement = describe_placement (self);

      for (guint r = 0; r < self->rows->len; r++)
        {
          const ShmlabBenchRow *row = g_ptr_array_index (self->rows, r);
          for (guint i = 0; i < row->n_results; i++)
            runs = MAX (runs, row->results[i].runs);
        }
      if (ok)
        g_string_append_printf (out, _("%.1f s in all. Every byte of every message was checked by "
                                "its receiver: what was received matches what was sent.\n"),
                                self->elapsed);
      else
        g_string_append_printf (out, _("%.1f s in all. SOME MEASUREMENTS FAILED and give no "
                                "figures (see FAILED below); in the others every byte of every "
                                "message was checked and arrived as sent.\n"), self->elapsed);
      g_string_append_printf (out, _("Placement: %s.\n"), placement);
      append_summary (out, self);
      append_by_size (out, self, _("One-way latency, median (half a ping-pong round trip):"),
                      cell_latency_median);
      append_by_size (out, self, _("One-way latency, 99th percentile:"), cell_latency_p99);
      {
        g_autofree char *title = g_strdup_printf (_("Throughput, GB/s (a stream of messages, "
                                                  "median of %u runs):"), runs);
        append_by_size (out, self, title, cell_throughput);
      }
      append_by_size (out, self, _("System calls per message, counted in the stream (both "
                      "processes):"), cell_syscalls);
      g_string_append (out, _("memcpy is one process copying; its copies are checked with the "
                       "clock stopped. The shm rows lock with ShmlabSegment and signal with a "
                       "futex.\n"));
    }

  append_locks (out, self);
  if (self->image != NULL)
    append_image (out, self->image);

  if (targets->len > 0)
    {
      g_string_append (out, _("\nTargets, measured side by side (a benchmark, not a test):\n"));
      for (guint i = 0; i < targets->len; i++)
        {
          const ShmlabBenchTarget *target = g_ptr_array_index (targets, i);
          g_autofree char *measured = format_target_value (target, target->measured);
          g_autofree char *limit = format_target_value (target, target->limit);
          g_autofree char *goal = g_strdup_printf ("%s %s", target->at_least ? "≥" : "≤", limit);

          g_string_append (out, "  ");
          shmlab_bench_append_cell (out, target->what, 44, FALSE);
          shmlab_bench_append_cell (out, measured, 10, TRUE);
          g_string_append (out, "  ");
          shmlab_bench_append_cell (out, goal, 10, FALSE);
          g_string_append_printf (out, "%s", target_met (target) ? "met   " : "missed");
          if (target->detail != NULL)
            g_string_append_printf (out, "  (%s)", target->detail);
          g_string_append_c (out, '\n');
        }
    }

  for (guint r = 0; r < self->rows->len; r++)
    {
      const ShmlabBenchRow *row = g_ptr_array_index (self->rows, r);
      for (guint i = 0; i < row->n_results; i++)
        if (!row->results[i].ok)
          {
            g_autofree char *size = shmlab_bench_format_size (row->results[i].size);
            g_string_append_printf (out, _("FAILED: %s at %s: %s\n"),
                                    shmlab_bench_mechanism_info (row->mechanism)->name, size,
                                    row->results[i].error);
          }
    }

  if (self->plot_path != NULL)
    g_string_append_printf (out, _("\nChart: %s (%u × %u pixels)\n"), self->plot_path,
                            self->plot_width, self->plot_height);
  return g_string_free (out, FALSE);
}

static void
json_key (GString    *out,
          guint       indent,
          const char *key)
{
  g_string_append_printf (out, "%*s\"%s\": ", indent, "", key);
}

static void
json_result (GString                 *out,
             const ShmlabBenchResult *result,
             gboolean                 shm)
{
  g_string_append (out, "        {\n");
  json_key (out, 10, "size");
  g_string_append_printf (out, "%" G_GUINT64_FORMAT ",\n", result->size);
  json_key (out, 10, "ok");
  g_string_append_printf (out, "%s,\n", result->ok ? "true" : "false");
  json_key (out, 10, "error");
  shmlab_json_append_string (out, result->error);
  g_string_append (out, ",\n");
  json_key (out, 10, "checksum");
  g_string_append_printf (out, "{ \"sent\": \"0x%016" G_GINT64_MODIFIER "x\", \"received\": "
                          "\"0x%016" G_GINT64_MODIFIER "x\", \"mismatches\": %" G_GUINT64_FORMAT
                          ", \"ok\": %s },\n",
                          result->checksum_sent, result->checksum_received, result->mismatches,
                          result->mismatches == 0 &&
                          result->checksum_sent == result->checksum_received ? "true" : "false");
  json_key (out, 10, "messages");
  g_string_append_printf (out, "%" G_GUINT64_FORMAT ",\n", result->messages);
  json_key (out, 10, "bytes");
  g_string_append_printf (out, "%" G_GUINT64_FORMAT ",\n", result->bytes);
  json_key (out, 10, "latency_ns");
  g_string_append (out, "{ \"median\": ");
  shmlab_json_append_number (out, result->ok ? result->latency_median_ns : NAN);
  g_string_append (out, ", \"p99\": ");
  shmlab_json_append_number (out, result->ok ? result->latency_p99_ns : NAN);
  g_string_append_printf (out, ", \"samples\": %u },\n", result->latency_samples);
  json_key (out, 10, "throughput_gb_per_s");
  g_string_append (out, "{ \"median\": ");
  shmlab_json_append_number (out, result->ok ? result->throughput_median / 1e9 : NAN);
  g_string_append (out, ", \"min\": ");
  shmlab_json_append_number (out, result->ok ? result->throughput_min / 1e9 : NAN);
  g_string_append (out, ", \"max\": ");
  shmlab_json_append_number (out, result->ok ? result->throughput_max / 1e9 : NAN);
  g_string_append_printf (out, ", \"runs\": %u },\n", result->runs);
  json_key (out, 10, "syscalls_per_message");
  shmlab_json_append_number (out, result->ok && result->syscalls_per_message >= 0
                      ? result->syscalls_per_message : NAN);
  if (shm)
    {
      g_string_append (out, ",\n");
      json_key (out, 10, "copy_gb_per_s");
      g_string_append (out, "{ \"in\": ");
      shmlab_json_append_number (out, result->copy_in_rate > 0 ? result->copy_in_rate / 1e9 : NAN);
      g_string_append (out, ", \"out\": ");
      shmlab_json_append_number (out, result->copy_out_rate > 0 ? result->copy_out_rate / 1e9 : NAN);
      g_string_append (out, " }");
    }
  g_string_append (out, ",\n");
  json_key (out, 10, "seconds");
  shmlab_json_append_number (out, result->seconds);
  g_string_append (out, "\n        }");
}

static void
json_image_path (GString                    *out,
                 const char                 *key,
                 const ShmlabBenchImagePath *path)
{
  json_key (out, 4, key);
  g_string_append_printf (out, "{ \"bytes\": %" G_GSIZE_FORMAT ", \"runs\": %u, \"identical\": %s, "
                          "\"encode_ms\": ", path->bytes, path->runs,
                          path->identical ? "true" : "false");
  shmlab_json_append_number (out, path->encode_ms);
  g_string_append (out, ", \"copy_in_ms\": ");
  shmlab_json_append_number (out, path->copy_in_ms);
  g_string_append (out, ", \"copy_out_ms\": ");
  shmlab_json_append_number (out, path->copy_out_ms);
  g_string_append (out, ", \"copy_out_again_ms\": ");
  shmlab_json_append_number (out, path->copy_out_again_ms);
  g_string_append (out, ", \"decode_ms\": ");
  shmlab_json_append_number (out, path->decode_ms);
  g_string_append (out, ", \"total_ms\": ");
  shmlab_json_append_number (out, path->total_ms);
  g_string_append (out, " }");
}

char *
shmlab_bench_report_json (const ShmlabBenchReport *self)
{
  GString *out = g_string_new ("{\n");
  g_autoptr(GPtrArray) targets = shmlab_bench_report_targets (self);
  gboolean first;

  json_key (out, 2, "format");
  g_string_append (out, "\"shmlab-bench 1\",\n");
  json_key (out, 2, "ok");
  g_string_append_printf (out, "%s,\n", shmlab_bench_report_ok (self) ? "true" : "false");

  json_key (out, 2, "machine");
  g_string_append (out, "{\n");
  json_key (out, 4, "cpu_model");
  shmlab_json_append_string (out, self->machine.cpu_model);
  g_string_append (out, ",\n");
  json_key (out, 4, "cores");
  g_string_append_printf (out, "%u,\n", self->machine.cores);
  json_key (out, 4, "kernel");
  shmlab_json_append_string (out, self->machine.kernel);
  g_string_append (out, ",\n");
  json_key (out, 4, "memory_bytes");
  g_string_append_printf (out, "%" G_GUINT64_FORMAT ",\n", self->machine.memory_bytes);
  json_key (out, 4, "virtual_machine");
  g_string_append_printf (out, "%s,\n", self->machine.hypervisor ? "true" : "false");
  json_key (out, 4, "load_average");
  shmlab_json_append_number (out, self->machine.load_average >= 0 ? self->machine.load_average : NAN);
  g_string_append (out, "\n  },\n");

  json_key (out, 2, "options");
  g_string_append (out, "{ \"seconds\": ");
  shmlab_json_append_number (out, self->seconds);
  g_string_append_printf (out, ", \"quick\": %s, \"passes\": %u, \"sizes\": [",
                          self->quick ? "true" : "false", self->passes);
  for (guint i = 0; i < self->sizes->len; i++)
    g_string_append_printf (out, "%s%" G_GUINT64_FORMAT, i ? ", " : "",
                            g_array_index (self->sizes, guint64, i));
  g_string_append (out, "] },\n");
  json_key (out, 2, "key_prefix");
  shmlab_json_append_string (out, self->key_prefix);
  g_string_append (out, ",\n");
  json_key (out, 2, "placement");
  g_string_append (out, "{ \"writer_cpu\": ");
  if (self->cpus[0] >= 0)
    g_string_append_printf (out, "%d", self->cpus[0]);
  else
    g_string_append (out, "null");
  g_string_append (out, ", \"reader_cpu\": ");
  if (self->cpus[1] >= 0)
    g_string_append_printf (out, "%d", self->cpus[1]);
  else
    g_string_append (out, "null");
  g_string_append_printf (out, ", \"checks_off_clock\": %s },\n",
                          shmlab_bench_report_checks_off_clock (self) ? "true" : "false");
  json_key (out, 2, "elapsed_seconds");
  shmlab_json_append_number (out, self->elapsed);
  g_string_append (out, ",\n");

  json_key (out, 2, "mechanisms");
  g_string_append (out, "[");
  for (guint r = 0; r < self->rows->len; r++)
    {
      const ShmlabBenchRow *row = g_ptr_array_index (self->rows, r);
      const ShmlabBenchMechanismInfo *info = shmlab_bench_mechanism_info (row->mechanism);
      ShmlabBackend backend;
      gboolean shm = shmlab_bench_mechanism_uses_shm (row->mechanism, &backend);

      g_string_append (out, r ? ",\n    {\n" : "\n    {\n");
      json_key (out, 6, "name");
      shmlab_json_append_string (out, info->name);
      g_string_append (out, ",\n");
      json_key (out, 6, "processes");
      g_string_append_printf (out, "%u,\n", info->processes);
      json_key (out, 6, "copies_per_message");
      g_string_append_printf (out, "%u,\n", info->copies);
      json_key (out, 6, "copies");
      shmlab_json_append_string (out, info->copies_detail);
      g_string_append (out, ",\n");
      json_key (out, 6, "syscalls_per_message_stated");
      shmlab_json_append_string (out, info->syscalls);
      g_string_append (out, ",\n");
      json_key (out, 6, "signal");
      shmlab_json_append_string (out, info->signal);
      g_string_append (out, ",\n");
      json_key (out, 6, "backend");
      shmlab_json_append_string (out, shm ? shmlab_backend_to_string (backend) : NULL);
      g_string_append (out, ",\n");
      json_key (out, 6, "summary");
      shmlab_json_append_string (out, info->summary);
      g_string_append (out, ",\n");
      json_key (out, 6, "sizes");
      g_string_append (out, "[\n");
      for (guint i = 0; i < row->n_results; i++)
        {
          json_result (out, &row->results[i], shm);
          g_string_append (out, i + 1 < row->n_results ? ",\n" : "\n");
        }
      g_string_append (out, "      ]\n    }");
    }
  g_string_append (out, self->rows->len ? "\n  ],\n" : "],\n");

  json_key (out, 2, "lock_unlock_ns");
  g_string_append (out, "[");
  first = TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (self->locks); i++)
    {
      const ShmlabBenchLock *lock = &self->locks[i];

      if (!lock->measured)
        continue;
      g_string_append (out, first ? "\n    { \"backend\": " : ",\n    { \"backend\": ");
      first = FALSE;
      shmlab_json_append_string (out, shmlab_backend_to_string (lock->backend));
      g_string_append_printf (out, ", \"ok\": %s, \"error\": ", lock->ok ? "true" : "false");
      shmlab_json_append_string (out, lock->error);
      g_string_append (out, ", \"segment\": ");
      shmlab_json_append_number (out, lock->ok ? lock->segment_ns : NAN);
      g_string_append (out, ", \"segment_with_cancellable\": ");
      shmlab_json_append_number (out, lock->ok ? lock->cancellable_ns : NAN);
      g_string_append (out, ", \"primitive\": ");
      shmlab_json_append_number (out, lock->ok ? lock->primitive_ns : NAN);
      g_string_append (out, " }");
    }
  g_string_append (out, first ? "],\n" : "\n  ],\n");

  json_key (out, 2, "image");
  if (self->image == NULL)
    g_string_append (out, "null,\n");
  else
    {
      g_string_append (out, "{\n");
      json_key (out, 4, "path");
      shmlab_json_append_string (out, self->image->path);
      g_string_append_printf (out, ",\n    \"width\": %u,\n    \"height\": %u,\n",
                              self->image->width, self->image->height);
      json_image_path (out, "frame", &self->image->frame);
      g_string_append (out, ",\n");
      json_image_path (out, "qt_image", &self->image->qt);
      g_string_append (out, ",\n");
      json_key (out, 4, "ratio");
      shmlab_json_append_number (out, self->image->frame.total_ms > 0
                          ? self->image->qt.total_ms / self->image->frame.total_ms : NAN);
      g_string_append (out, ",\n");
      json_key (out, 4, "upload_measured");
      g_string_append (out, "false\n  },\n");
    }

  json_key (out, 2, "targets");
  g_string_append (out, "[");
  for (guint i = 0; i < targets->len; i++)
    {
      const ShmlabBenchTarget *target = g_ptr_array_index (targets, i);

      g_string_append (out, i ? ",\n    { \"what\": " : "\n    { \"what\": ");
      shmlab_json_append_string (out, target->what);
      g_string_append (out, ", \"detail\": ");
      shmlab_json_append_string (out, target->detail);
      g_string_append (out, ", \"measured\": ");
      shmlab_json_append_number (out, target->measured);
      g_string_append (out, ", \"limit\": ");
      shmlab_json_append_number (out, target->limit);
      g_string_append_printf (out, ", \"at_least\": %s, \"unit\": ",
                              target->at_least ? "true" : "false");
      shmlab_json_append_string (out, target->unit);
      g_string_append_printf (out, ", \"met\": %s }", target_met (target) ? "true" : "false");
    }
  g_string_append (out, targets->len ? "\n  ],\n" : "],\n");

  json_key (out, 2, "plot");
  if (self->plot_path == NULL)
    g_string_append (out, "null\n");
  else
    {
      g_string_append (out, "{ \"path\": ");
      shmlab_json_append_string (out, self->plot_path);
      g_string_append_printf (out, ", \"width\": %u, \"height\": %u }\n", self->plot_width,
                              self->plot_height);
    }
  g_string_append (out, "}\n");
  return g_string_free (out, FALSE);
}
