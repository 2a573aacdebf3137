/* test-bench-stats.c — the bench's clock, its median and percentiles, and
 * how a cell's pooled samples become its figures, on samples whose answers
 * are known
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>

#include "shmlab-bench-cell.h"
#include "shmlab-bench-stats.h"
#include "shmlab-test-util.h"

static void
test_median (void)
{
  double odd[] = { 5, 1, 4, 2, 3 };
  double even[] = { 4, 1, 3, 2 };
  double one[] = { 7 };
  double same[] = { 2, 2, 2 };

  g_assert_cmpfloat (shmlab_bench_median (odd, G_N_ELEMENTS (odd)), ==, 3);
  /* The values are sorted in place. */
  for (gsize i = 0; i < G_N_ELEMENTS (odd); i++)
    g_assert_cmpfloat (odd[i], ==, (double) (i + 1));
  g_assert_cmpfloat (shmlab_bench_median (even, G_N_ELEMENTS (even)), ==, 2.5);
  g_assert_cmpfloat (shmlab_bench_median (one, 1), ==, 7);
  g_assert_cmpfloat (shmlab_bench_median (same, G_N_ELEMENTS (same)), ==, 2);
}

/* The nearest-rank percentile: the smallest value that percent % of the
 * values do not exceed. */
static void
test_percentile (void)
{
  static const struct { double percent; double expected; } five[] = {
    { 0, 15 }, { 5, 15 }, { 20, 15 }, { 25, 20 }, { 30, 20 }, { 40, 20 }, { 45, 35 },
    { 50, 35 }, { 99, 50 }, { 100, 50 },
  };
  double hundred[100];
  GRand *rand = g_rand_new_with_seed (42);

  for (gsize i = 0; i < G_N_ELEMENTS (five); i++)
    {
      double values[] = { 50, 15, 40, 20, 35 };
      g_assert_cmpfloat (shmlab_bench_percentile (values, G_N_ELEMENTS (values), five[i].percent),
                         ==, five[i].expected);
    }

  /* 1 to 100, shuffled: percentile p is p. */
  for (gsize i = 0; i < G_N_ELEMENTS (hundred); i++)
    hundred[i] = (double) (i + 1);
  for (gsize i = G_N_ELEMENTS (hundred) - 1; i > 0; i--)
    {
      gsize j = (gsize) g_rand_int_range (rand, 0, (gint32) i + 1);
      double swap = hundred[i];
      hundred[i] = hundred[j];
      hundred[j] = swap;
    }
  g_assert_cmpfloat (shmlab_bench_percentile (hundred, 100, 99), ==, 99);
  g_assert_cmpfloat (shmlab_bench_percentile (hundred, 100, 50), ==, 50);
  g_assert_cmpfloat (shmlab_bench_percentile (hundred, 100, 1), ==, 1);
  g_assert_cmpfloat (shmlab_bench_percentile (hundred, 100, 98.2), ==, 99);
  g_assert_cmpfloat (shmlab_bench_percentile (hundred, 100, 99.5), ==, 100);
  g_assert_cmpfloat (shmlab_bench_percentile (hundred, 100, 100), ==, 100);
  g_rand_free (rand);
}

static void
test_empty (void)
{
  double none[1] = { 0 };

  g_assert_true (isnan (shmlab_bench_median (none, 0)));
  g_assert_true (isnan (shmlab_bench_percentile (none, 0, 99)));
}

/* The clock is the monotonic one, in nanoseconds. */
static void
test_clock (void)
{
  gint64 before = shmlab_bench_now_ns ();
  gint64 monotonic_us = g_get_monotonic_time ();
  gint64 after = shmlab_bench_now_ns ();
  gint64 slept;

  g_assert_cmpint (before, >, 0);
  g_assert_cmpint (after, >=, before);
  g_assert_cmpint (before / 1000, <=, monotonic_us);
  g_assert_cmpint (monotonic_us, <=, after / 1000 + 1);

  before = shmlab_bench_now_ns ();
  g_usleep (20000);
  slept = shmlab_bench_now_ns () - before;
  g_assert_cmpint (slept, >=, 20 * G_GINT64_CONSTANT (1000000));
  g_assert_cmpint (slept, <, 10 * G_GINT64_CONSTANT (1000000000));
}

static void
append_doubles (GArray       *array,
                const double *values,
                guint         n)
{
  g_array_append_vals (array, values, n);
}

/* What the passes of a cell pooled becomes its medians, its 99th
 * percentile and its rates. */
static void
test_result_finish (void)
{
  static const double samples[] = { 4000, 1000, 100000, 3000, 2000 };
  static const double rates[] = { 3e9, 1e9, 2e9 };
  ShmlabBenchResult result;

  shmlab_bench_result_init (&result, 4096);
  g_assert_cmpuint (result.size, ==, 4096);
  g_assert_false (result.ok);
  g_assert_cmpfloat (result.syscalls_per_message, ==, -1);

  append_doubles (result.samples, samples, G_N_ELEMENTS (samples));
  append_doubles (result.rates, rates, G_N_ELEMENTS (rates));
  result.stream_messages = 100;
  result.stream_syscalls = 250;
  result.copy_in_bytes = 6000000000;
  result.copy_in_ns = 1000000000;
  result.copy_out_bytes = 1000000;
  result.copy_out_ns = 250000;
  shmlab_bench_result_finish (&result);

  g_assert_true (result.ok);
  g_assert_null (result.error);
  g_assert_cmpuint (result.latency_samples, ==, 5);
  g_assert_cmpfloat (result.latency_median_ns, ==, 3000);
  g_assert_cmpfloat (result.latency_p99_ns, ==, 100000);
  g_assert_cmpuint (result.runs, ==, 3);
  g_assert_cmpfloat (result.throughput_median, ==, 2e9);
  g_assert_cmpfloat (result.throughput_min, ==, 1e9);
  g_assert_cmpfloat (result.throughput_max, ==, 3e9);
  g_assert_cmpfloat (result.syscalls_per_message, ==, 2.5);
  g_assert_cmpfloat (result.copy_in_rate, ==, 6e9);
  g_assert_cmpfloat (result.copy_out_rate, ==, 4e9);
  shmlab_bench_result_clear (&result);
  g_assert_null (result.samples);
  g_assert_null (result.rates);
}

/* A cell whose processes failed, or measured nothing, has no figures. */
static void
test_result_finish_failed (void)
{
  static const double samples[] = { 1000 };
  ShmlabBenchResult result;

  shmlab_bench_result_init (&result, 64);
  append_doubles (result.samples, samples, 1);
  g_array_append_val (result.rates, samples[0]);
  result.error = g_strdup ("checksum mismatch in message 3");
  shmlab_bench_result_finish (&result);
  g_assert_false (result.ok);
  g_assert_cmpstr (result.error, ==, "checksum mismatch in message 3");
  g_assert_cmpfloat (result.latency_median_ns, ==, 0);
  shmlab_bench_result_clear (&result);
  g_assert_null (result.error);

  shmlab_bench_result_init (&result, 64);
  append_doubles (result.samples, samples, 1);
  shmlab_bench_result_finish (&result);
  g_assert_false (result.ok);
  g_assert_cmpstr (result.error, ==, "nothing was measured: the processes ended too early");
  g_assert_cmpfloat (result.syscalls_per_message, ==, -1);
  shmlab_bench_result_clear (&result);
}

int
main (int argc, char **argv)
{
  shmlab_test_init (&argc, &argv);
  g_test_add_func ("/bench/stats/median", test_median);
  g_test_add_func ("/bench/stats/percentile", test_percentile);
  g_test_add_func ("/bench/stats/empty", test_empty);
  g_test_add_func ("/bench/stats/clock", test_clock);
  g_test_add_func ("/bench/stats/result-finish", test_result_finish);
  g_test_add_func ("/bench/stats/result-finish/failed", test_result_finish_failed);
  return g_test_run ();
}
