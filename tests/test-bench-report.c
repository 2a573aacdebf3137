/* test-bench-report.c — the bench's report rendered from a fixed set of
 * results: the tables, the targets, the failures and the JSON say exactly
 * what those results are; and the names and sizes it prints them with
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>

#include <gio/gio.h>

#include "shmlab-bench-mechanisms.h"
#include "shmlab-bench-report.h"
#include "shmlab-test-util.h"

#define MIB (G_GUINT64_CONSTANT (1) << 20)

static void
test_format_size (void)
{
  static const struct { guint64 size; const char *text; } cases[] = {
    { 0, "0 B" }, { 8, "8 B" }, { 64, "64 B" }, { 1023, "1023 B" }, { 1024, "1 KiB" },
    { 1536, "1.5 KiB" }, { 4096, "4 KiB" }, { 64 << 10, "64 KiB" }, { 1 << 20, "1 MiB" },
    { 16 << 20, "16 MiB" }, { G_GUINT64_CONSTANT (256) << 20, "256 MiB" },
    { G_GUINT64_CONSTANT (3) << 30, "3 GiB" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = shmlab_bench_format_size (cases[i].size);
      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

/* Three significant digits, in the unit that keeps them. */
static void
test_format_ns (void)
{
  static const struct { double ns; const char *text; } cases[] = {
    { 0, "0.00 ns" }, { 5, "5.00 ns" }, { 14, "14.0 ns" }, { 50, "50.0 ns" },
    { 999.4, "999 ns" }, { 999.6, "1.00 µs" }, { 3000, "3.00 µs" }, { 12345, "12.3 µs" },
    { 100000, "100 µs" }, { 2.5e6, "2.50 ms" }, { 1e9, "1.00 s" }, { 42e9, "42.0 s" },
    { NAN, "—" }, { INFINITY, "—" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = shmlab_bench_format_ns (cases[i].ns);
      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

static void
test_mechanisms (void)
{
  static const char *const names[] = {
    "memcpy", "shm-sysv", "shm-posix", "shm-file", "shm-inplace", "pipe", "unix-socket",
    "tcp-loopback",
  };
  g_autofree char *all = shmlab_bench_mechanism_names ();
  ShmlabBenchMechanism mechanism;
  ShmlabBackend backend;

  g_assert_cmpuint (G_N_ELEMENTS (names), ==, SHMLAB_BENCH_N_MECHANISMS);
  for (guint i = 0; i < SHMLAB_BENCH_N_MECHANISMS; i++)
    {
      const ShmlabBenchMechanismInfo *info = shmlab_bench_mechanism_info (i);

      g_assert_cmpstr (info->name, ==, names[i]);
      g_assert_true (shmlab_bench_mechanism_from_string (names[i], &mechanism));
      g_assert_cmpuint (mechanism, ==, i);
      g_assert_cmpuint (info->processes, ==, i == SHMLAB_BENCH_MEMCPY ? 1 : 2);
      g_assert_cmpuint (info->copies, ==, i == SHMLAB_BENCH_MEMCPY ||
                                          i == SHMLAB_BENCH_SHM_INPLACE ? 1 : 2);
      /* A lock counts at least what its backend states, and no lock nothing. */
      if (shmlab_bench_mechanism_uses_shm (i, &backend))
        {
          g_assert_cmpuint (info->lock_syscalls, >=, shmlab_backend_lock_syscalls (backend));
          g_assert_cmpuint (info->unlock_syscalls, >=, shmlab_backend_lock_syscalls (backend));
        }
      else
        {
          g_assert_cmpuint (info->lock_syscalls, ==, 0);
          g_assert_cmpuint (info->unlock_syscalls, ==, 0);
        }
    }
  g_assert_false (shmlab_bench_mechanism_from_string ("shm", &mechanism));
  g_assert_false (shmlab_bench_mechanism_from_string ("", &mechanism));
  g_assert_false (shmlab_bench_mechanism_from_string (NULL, &mechanism));
  g_assert_cmpstr (all, ==, "memcpy, shm-sysv, shm-posix, shm-file, shm-inplace, pipe, "
                   "unix-socket or tcp-loopback");

  g_assert_true (shmlab_bench_mechanism_uses_shm (SHMLAB_BENCH_SHM_SYSV, &backend));
  g_assert_cmpint (backend, ==, SHMLAB_BACKEND_SYSV);
  g_assert_true (shmlab_bench_mechanism_uses_shm (SHMLAB_BENCH_SHM_POSIX, &backend));
  g_assert_cmpint (backend, ==, SHMLAB_BACKEND_POSIX);
  g_assert_true (shmlab_bench_mechanism_uses_shm (SHMLAB_BENCH_SHM_FILE, &backend));
  g_assert_cmpint (backend, ==, SHMLAB_BACKEND_FILE);
  /* Taken: fcntl(), then two fstat(); given back: fcntl(). */
  g_assert_cmpuint (shmlab_bench_mechanism_info (SHMLAB_BENCH_SHM_FILE)->lock_syscalls, ==, 3);
  g_assert_cmpuint (shmlab_bench_mechanism_info (SHMLAB_BENCH_SHM_FILE)->unlock_syscalls, ==, 1);
  g_assert_true (shmlab_bench_mechanism_uses_shm (SHMLAB_BENCH_SHM_INPLACE, &backend));
  g_assert_cmpint (backend, ==, SHMLAB_BACKEND_POSIX);
  g_assert_false (shmlab_bench_mechanism_uses_shm (SHMLAB_BENCH_MEMCPY, &backend));
  g_assert_false (shmlab_bench_mechanism_uses_shm (SHMLAB_BENCH_PIPE, &backend));
  g_assert_false (shmlab_bench_mechanism_uses_shm (SHMLAB_BENCH_UNIX_SOCKET, &backend));
  g_assert_false (shmlab_bench_mechanism_uses_shm (SHMLAB_BENCH_TCP_LOOPBACK, &backend));
}

typedef struct
{
  const double *samples;
  guint n_samples;
  const double *rates;
  guint n_rates;
  guint64 stream_messages;
  guint64 stream_syscalls;
  const char *error;
} Cell;

static void
fill_result (ShmlabBenchResult *result,
             const Cell        *cell)
{
  g_array_append_vals (result->samples, cell->samples, cell->n_samples);
  g_array_append_vals (result->rates, cell->rates, cell->n_rates);
  result->stream_messages = cell->stream_messages;
  result->stream_syscalls = cell->stream_syscalls;
  result->error = g_strdup (cell->error);
  result->checksum_sent = result->checksum_received = G_GUINT64_CONSTANT (0xdeadbeef);
  result->messages = 10;
  result->checked = 10;
  result->bytes = 10 * result->size;
  result->seconds = 0.5;
}

static ShmlabBenchRow *
add_row (ShmlabBenchReport    *report,
         ShmlabBenchMechanism  mechanism,
         const Cell            cells[2])
{
  ShmlabBenchRow *row = g_new0 (ShmlabBenchRow, 1);

  row->mechanism = mechanism;
  row->n_results = report->sizes->len;
  row->results = g_new0 (ShmlabBenchResult, row->n_results);
  for (guint i = 0; i < row->n_results; i++)
    {
      shmlab_bench_result_init (&row->results[i], g_array_index (report->sizes, guint64, i));
      fill_result (&row->results[i], &cells[i]);
      shmlab_bench_result_finish (&row->results[i]);
    }
  g_ptr_array_add (report->rows, row);
  return row;
}

/* Four mechanisms at 64 B and 16 MiB, one cell failed, the three locks measured. */
static ShmlabBenchReport *
fixed_report (void)
{
  static const double memcpy_small_latency[] = { 50 };
  static const double memcpy_small_rates[] = { 10e9 };
  static const double memcpy_large_latency[] = { 2e6 };
  static const double memcpy_large_rates[] = { 8e9 };
  static const double shm_small_latency[] = { 1000, 2000, 3000, 4000, 100000 };
  static const double shm_small_rates[] = { 1e9, 3e9, 2e9 };
  static const double shm_large_latency[] = { 5e6 };
  static const double shm_large_rates[] = { 4e9 };
  static const double pipe_large_latency[] = { 9e6 };
  static const double pipe_large_rates[] = { 1e9 };
  static const double file_small_latency[] = { 4000, 4000, 5000 };
  static const double file_small_rates[] = { 1.5e9 };
  static const double file_large_latency[] = { 6e6 };
  static const double file_large_rates[] = { 3e9 };
  const Cell memcpy_cells[] = {
    { memcpy_small_latency, 1, memcpy_small_rates, 1, 0, 0, NULL },
    { memcpy_large_latency, 1, memcpy_large_rates, 1, 0, 0, NULL },
  };
  const Cell shm_cells[] = {
    { shm_small_latency, 5, shm_small_rates, 3, 100, 250, NULL },
    { shm_large_latency, 1, shm_large_rates, 1, 0, 0, NULL },
  };
  const Cell pipe_cells[] = {
    { NULL, 0, NULL, 0, 0, 0, "checksum mismatch in message 3" },
    { pipe_large_latency, 1, pipe_large_rates, 1, 10, 40, NULL },
  };
  const Cell file_cells[] = {
    { file_small_latency, 3, file_small_rates, 1, 100, 1210, NULL },
    { file_large_latency, 1, file_large_rates, 1, 0, 0, NULL },
  };
  ShmlabBenchReport *report = shmlab_bench_report_new ();
  ShmlabBenchResult *large;
  guint64 sizes[] = { 64, 16 * MIB };

  report->machine.cpu_model = g_strdup ("Test CPU");
  report->machine.cores = 2;
  report->machine.kernel = g_strdup ("Linux 6.1.0");
  report->machine.memory_bytes = G_GUINT64_CONSTANT (4) << 30;
  report->machine.load_average = 0.1;
  report->seconds = 10;
  report->quick = TRUE;
  report->passes = 1;
  report->cpus[0] = report->cpus[1] = 0;
  report->key_prefix = g_strdup ("shmlab-bench-42");
  report->elapsed = 12.34;
  report->plot_path = g_strdup ("bench.png");
  report->plot_width = 1600;
  report->plot_height = 720;
  g_array_append_vals (report->sizes, sizes, G_N_ELEMENTS (sizes));

  add_row (report, SHMLAB_BENCH_MEMCPY, memcpy_cells);
  large = &add_row (report, SHMLAB_BENCH_SHM_POSIX, shm_cells)->results[1];
  add_row (report, SHMLAB_BENCH_PIPE, pipe_cells);
  large->copy_in_rate = 6e9;
  large->copy_out_rate = 5e9;
  large = &add_row (report, SHMLAB_BENCH_SHM_FILE, file_cells)->results[1];
  large->copy_in_rate = 7e9;
  large->copy_out_rate = 6.5e9;

  report->locks[0].measured = report->locks[0].ok = TRUE;
  report->locks[0].segment_ns = 2000;
  report->locks[0].cancellable_ns = 2500;
  report->locks[0].primitive_ns = 1500;
  report->locks[1].measured = report->locks[1].ok = TRUE;
  report->locks[1].segment_ns = 50;
  report->locks[1].cancellable_ns = 60;
  report->locks[1].primitive_ns = 14;
  report->locks[2].measured = report->locks[2].ok = TRUE;
  report->locks[2].segment_ns = 1200;
  report->locks[2].cancellable_ns = 1300;
  report->locks[2].primitive_ns = 450;
  return report;
}

/* Each of @lines is a whole line of @text, in this order. */
static void
assert_lines_in_order (const char        *text,
                       const char *const *lines,
                       gsize              n_lines)
{
  g_auto(GStrv) have = g_strsplit (text, "\n", -1);
  guint at = 0;

  for (gsize i = 0; i < n_lines; i++)
    {
      while (have[at] != NULL && g_strcmp0 (have[at], lines[i]) != 0)
        at++;
      if (have[at] == NULL)
        g_error ("line %" G_GSIZE_FORMAT " “%s” is not in its place in:\n%s", i, lines[i], text);
      at++;
    }
}

static void
test_table (void)
{
  static const char *const lines[] = {
    /* g_format_size_full() puts a no-break space before the unit. */
    "shmlab bench on Test CPU, 2 cores, 4.0\u00a0GiB of memory, Linux 6.1.0",
    "12.3 s in all. SOME MEASUREMENTS FAILED and give no figures (see FAILED below); in the "
    "others every byte of every message was checked and arrived as sent.",
    "Placement: both processes on processor 0, taking turns: the time the receiver spends "
    "checking is measured and taken out, so each figure is the transfer alone.",
    "",
    "The article's table, measured (one-way latency: median; throughput: median, in 10⁹ bytes "
    "per second):",
    "mechanism     copies  system calls / message         signal         latency 64 B  GB/s 16 MiB",
    "memcpy        1       0                              none                50.0 ns         8.00",
    "shm-posix     2       ≤4 futex                       futex               3.00 µs         4.00",
    "pipe          2       1 write + 1 read per 64 KiB    read() wakes         failed         1.00",
    "shm-file      2       4 fcntl + 4 fstat + ≤4 futex   futex               4.00 µs         3.00",
    "",
    "One-way latency, median (half a ping-pong round trip):",
    "                    64 B    16 MiB",
    "memcpy           50.0 ns   2.00 ms",
    "shm-posix        3.00 µs   5.00 ms",
    "pipe              failed   9.00 ms",
    "shm-file         4.00 µs   6.00 ms",
    "",
    "One-way latency, 99th percentile:",
    "                    64 B    16 MiB",
    "memcpy           50.0 ns   2.00 ms",
    "shm-posix         100 µs   5.00 ms",
    "pipe              failed   9.00 ms",
    "shm-file         5.00 µs   6.00 ms",
    "",
    "Throughput, GB/s (a stream of messages, median of 3 runs):",
    "                    64 B    16 MiB",
    "memcpy              10.0      8.00",
    "shm-posix           2.00      4.00",
    "pipe              failed      1.00",
    "shm-file            1.50      3.00",
    "",
    "System calls per message, counted in the stream (both processes):",
    "                    64 B    16 MiB",
    "memcpy                 —         —",
    "shm-posix            2.5         —",
    "pipe              failed       4.0",
    "shm-file            12.1         —",
    "memcpy is one process copying; its copies are checked with the clock stopped. The shm rows "
    "lock with ShmlabSegment and signal with a futex.",
    "",
    "Lock + unlock, uncontended (median):",
    "backend         ShmlabSegment  + GCancellable  bare primitive",
    "System V              2.00 µs         2.50 µs         1.50 µs   (2 × semop)",
    "POSIX                 50.0 ns         60.0 ns         14.0 ns   (sem_wait + sem_post)",
    "File                  1.20 µs         1.30 µs          450 ns   (fcntl F_OFD_SETLK, and an fstat to take it)",
    "",
    "Targets, measured side by side (a benchmark, not a test):",
    "  shm-posix ≥ 16 MiB, end to end vs memcpy         0.50×  ≥ 0.40×   met     (worst at 16 MiB: "
    "1.00× per copy (two copies); inside the path memcpy in 6.00 GB/s, out 5.00 GB/s)",
    "  shm-posix ≥ 16 MiB vs pipe                       4.00×  ≥ 2.00×   met     (worst at 16 MiB)",
    "  shm-file ≥ 16 MiB, end to end vs memcpy          0.38×  ≥ 0.40×   missed  (worst at 16 MiB: "
    "0.75× per copy (two copies); inside the path memcpy in 7.00 GB/s, out 6.50 GB/s)",
    "  shm-file ≥ 16 MiB vs pipe                        3.00×  ≥ 2.00×   met     (worst at 16 MiB)",
    "  lock + unlock, System V                        2.00 µs  ≤ 1.00 µs missed  (uncontended, "
    "through ShmlabSegment)",
    "  lock + unlock, POSIX                           50.0 ns  ≤ 100 ns  met     (uncontended, "
    "through ShmlabSegment)",
    "  lock + unlock, File                            1.20 µs  ≤ 1.00 µs missed  (uncontended, "
    "through ShmlabSegment)",
    "FAILED: pipe at 64 B: checksum mismatch in message 3",
    "",
    "Chart: bench.png (1600 × 720 pixels)",
    "",
  };
  g_autoptr(ShmlabBenchReport) report = fixed_report ();
  g_autofree char *table = shmlab_bench_report_table (report);
  g_autofree char *busy = NULL;

  assert_lines_in_order (table, lines, G_N_ELEMENTS (lines));
  g_assert_null (strstr (table, "busy"));
  g_assert_null (strstr (table, "picture"));

  /* A busy machine is said to be so. */
  report->machine.load_average = 1.5;
  busy = shmlab_bench_report_table (report);
  g_assert_nonnull (strstr (busy, "\nThe machine was busy when the run began (load average 1.50): "
                            "other programs share its processors, so expect noisy figures.\n"));
}

static void
test_targets (void)
{
  static const struct
  {
    const char *what;
    double measured;
    double limit;
    gboolean at_least;
    const char *unit;
  } expected[] = {
    { "shm-posix ≥ 16 MiB, end to end vs memcpy", 0.5, 0.4, TRUE, "×" },
    { "shm-posix ≥ 16 MiB vs pipe", 4, 2, TRUE, "×" },
    { "shm-file ≥ 16 MiB, end to end vs memcpy", 3.0 / 8.0, 0.4, TRUE, "×" },
    { "shm-file ≥ 16 MiB vs pipe", 3, 2, TRUE, "×" },
    { "lock + unlock, System V", 2000, 1000, FALSE, "ns" },
    { "lock + unlock, POSIX", 50, 100, FALSE, "ns" },
    { "lock + unlock, File", 1200, 1000, FALSE, "ns" },
  };
  g_autoptr(ShmlabBenchReport) report = fixed_report ();
  g_autoptr(GPtrArray) targets = shmlab_bench_report_targets (report);
  g_autoptr(GPtrArray) fewer = NULL;

  g_assert_cmpuint (targets->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < targets->len; i++)
    {
      const ShmlabBenchTarget *target = g_ptr_array_index (targets, i);

      g_assert_cmpstr (target->what, ==, expected[i].what);
      g_assert_cmpfloat (target->measured, ==, expected[i].measured);
      g_assert_cmpfloat (target->limit, ==, expected[i].limit);
      g_assert_cmpint (target->at_least, ==, expected[i].at_least);
      g_assert_cmpstr (target->unit, ==, expected[i].unit);
    }

  /* A target whose figures were not measured is left out. */
  report->locks[0].ok = FALSE;
  report->locks[0].error = g_strdup ("semop: Invalid argument");
  report->locks[1].measured = FALSE;
  report->locks[2].measured = FALSE;
  g_ptr_array_remove_index (report->rows, 0);
  fewer = shmlab_bench_report_targets (report);
  g_assert_cmpuint (fewer->len, ==, 2);
  g_assert_cmpstr (((ShmlabBenchTarget *) g_ptr_array_index (fewer, 0))->what, ==,
                   "shm-posix ≥ 16 MiB vs pipe");
  g_assert_cmpstr (((ShmlabBenchTarget *) g_ptr_array_index (fewer, 1))->what, ==,
                   "shm-file ≥ 16 MiB vs pipe");
}

/* Only a report whose every cell and every measured lock is good is ok. */
static void
test_ok (void)
{
  g_autoptr(ShmlabBenchReport) report = fixed_report ();
  g_autofree char *table = NULL;

  g_assert_false (shmlab_bench_report_ok (report));
  g_ptr_array_remove_index (report->rows, 2);
  g_assert_true (shmlab_bench_report_ok (report));
  table = shmlab_bench_report_table (report);
  g_assert_nonnull (strstr (table, "\n12.3 s in all. Every byte of every message was checked by "
                            "its receiver: what was received matches what was sent.\n"));
  g_assert_null (strstr (table, "FAILED"));

  report->locks[1].ok = FALSE;
  g_assert_false (shmlab_bench_report_ok (report));
  report->locks[1].measured = FALSE;
  g_assert_true (shmlab_bench_report_ok (report));
  report->locks[2].ok = FALSE;
  g_assert_false (shmlab_bench_report_ok (report));
  report->locks[2].measured = FALSE;
  g_assert_true (shmlab_bench_report_ok (report));
}

/* A new report has a lock row for each backend of the table, in its order,
 * none measured yet. */
static void
test_lock_rows (void)
{
  g_autoptr(ShmlabBenchReport) report = shmlab_bench_report_new ();
  guint n_backends;
  const ShmlabBackend *backends = shmlab_backend_all (&n_backends);

  g_assert_cmpuint (n_backends, <=, SHMLAB_BENCH_MAX_BACKENDS);
  g_assert_cmpuint (report->n_locks, ==, n_backends);
  for (guint i = 0; i < n_backends; i++)
    {
      g_assert_cmpint (report->locks[i].backend, ==, backends[i]);
      g_assert_false (report->locks[i].measured);
    }
}

/* The JSON holds the same figures, and parses. */
static void
test_json (void)
{
  static const char *const pieces[] = {
    "{\n  \"format\": \"shmlab-bench 1\",\n  \"ok\": false,\n",
    "\"cpu_model\": \"Test CPU\",\n    \"cores\": 2,\n    \"kernel\": \"Linux 6.1.0\",\n"
    "    \"memory_bytes\": 4294967296,\n    \"virtual_machine\": false,\n"
    "    \"load_average\": 0.1\n",
    "\"options\": { \"seconds\": 10, \"quick\": true, \"passes\": 1, \"sizes\": [64, 16777216] },",
    "\"key_prefix\": \"shmlab-bench-42\",",
    "\"placement\": { \"writer_cpu\": 0, \"reader_cpu\": 0, \"checks_off_clock\": true },",
    "\"elapsed_seconds\": 12.34,",
    "\"name\": \"shm-posix\",\n      \"processes\": 2,\n      \"copies_per_message\": 2,",
    "\"backend\": \"posix\",",
    "\"checksum\": { \"sent\": \"0x00000000deadbeef\", \"received\": \"0x00000000deadbeef\", "
    "\"mismatches\": 0, \"ok\": true },",
    "\"latency_ns\": { \"median\": 3000, \"p99\": 100000, \"samples\": 5 },",
    "\"throughput_gb_per_s\": { \"median\": 2, \"min\": 1, \"max\": 3, \"runs\": 3 },",
    "\"syscalls_per_message\": 2.5,",
    "\"copy_gb_per_s\": { \"in\": 6, \"out\": 5 },",
    "\"ok\": false,\n          \"error\": \"checksum mismatch in message 3\",",
    "\"latency_ns\": { \"median\": null, \"p99\": null, \"samples\": 0 },",
    "{ \"backend\": \"sysv\", \"ok\": true, \"error\": null, \"segment\": 2000, "
    "\"segment_with_cancellable\": 2500, \"primitive\": 1500 }",
    "{ \"backend\": \"posix\", \"ok\": true, \"error\": null, \"segment\": 50, "
    "\"segment_with_cancellable\": 60, \"primitive\": 14 }",
    "{ \"backend\": \"file\", \"ok\": true, \"error\": null, \"segment\": 1200, "
    "\"segment_with_cancellable\": 1300, \"primitive\": 450 }",
    "\"name\": \"shm-file\",\n      \"processes\": 2,\n      \"copies_per_message\": 2,",
    "\"syscalls_per_message_stated\": \"4 fcntl + 4 fstat + ≤4 futex\",",
    "\"backend\": \"file\",",
    "\"syscalls_per_message\": 12.1,",
    "\"copy_gb_per_s\": { \"in\": 7, \"out\": 6.5 },",
    "\"image\": null,",
    "{ \"what\": \"shm-posix ≥ 16 MiB vs pipe\", \"detail\": \"worst at 16 MiB\", "
    "\"measured\": 4, \"limit\": 2, \"at_least\": true, \"unit\": \"×\", \"met\": true }",
    "{ \"what\": \"lock + unlock, System V\", \"detail\": \"uncontended, through ShmlabSegment\", "
    "\"measured\": 2000, \"limit\": 1000, \"at_least\": false, \"unit\": \"ns\", \"met\": false }",
    "\"plot\": { \"path\": \"bench.png\", \"width\": 1600, \"height\": 720 }\n}\n",
  };
  static const char script[] =
    "import json, sys\n"
    "d = json.load(sys.stdin)\n"
    "m = d['mechanisms']\n"
    "print(len(m), [r['name'] for r in m], m[1]['sizes'][0]['latency_ns']['p99'],\n"
    "      m[2]['sizes'][0]['ok'], len(d['targets']), d['ok'])\n";
  g_autoptr(ShmlabBenchReport) report = fixed_report ();
  g_autofree char *json = shmlab_bench_report_json (report);
  g_autoptr(GSubprocess) python = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *interpreter = g_getenv ("SHMLAB_PYTHON");

  for (gsize i = 0; i < G_N_ELEMENTS (pieces); i++)
    if (strstr (json, pieces[i]) == NULL)
      g_error ("“%s” is not in:\n%s", pieces[i], json);
  g_assert_true (g_str_has_suffix (json, pieces[G_N_ELEMENTS (pieces) - 1]));

  python = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                             G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                             interpreter != NULL ? interpreter : "python3", "-c", script, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (python, json, NULL, &out, &err, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (err, ==, "");
  g_assert_true (g_subprocess_get_successful (python));
  g_assert_cmpstr (out, ==, "4 ['memcpy', 'shm-posix', 'pipe', 'shm-file'] 100000 False 7 False\n");
}

int
main (int argc, char **argv)
{
  shmlab_test_init (&argc, &argv);
  g_test_add_func ("/bench/report/format-size", test_format_size);
  g_test_add_func ("/bench/report/format-ns", test_format_ns);
  g_test_add_func ("/bench/report/mechanisms", test_mechanisms);
  g_test_add_func ("/bench/report/table", test_table);
  g_test_add_func ("/bench/report/targets", test_targets);
  g_test_add_func ("/bench/report/ok", test_ok);
  g_test_add_func ("/bench/report/lock-rows", test_lock_rows);
  g_test_add_func ("/bench/report/json", test_json);
  return g_test_run ();
}
