/* shmlab-bench-cell.h — one measurement: one mechanism at one message
 * size, between two processes forked for it, every message checked
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "shmlab-bench-mechanisms.h"
#include "shmlab-native-key.h"

G_BEGIN_DECLS

/* Every key the bench makes starts with this, so a leak is easy to find. */
#define SHMLAB_BENCH_KEY_PREFIX "shmlab-bench"

/* The smallest message carries its 8-byte stamp; the largest is bounded by memory. */
#define SHMLAB_BENCH_MIN_SIZE 8
#define SHMLAB_BENCH_MAX_SIZE (G_GUINT64_CONSTANT (256) << 20)


/**
 * ShmlabBenchResult:
 * @size: bytes per message
 * @ok: every message arrived and every checksum matched; without it the
 *   figures below mean nothing and are not shown
 * @error: (nullable): what went wrong, when not @ok
 * @passes: measurements pooled here, made at different moments of the run
 * @samples: (element-type double): one-way latencies in ns, every pass
 * @rates: (element-type double): bytes per second of each throughput run
 * @latency_median_ns: one-way latency, half the ping-pong round trip
 * @latency_samples: round trips measured (after the warm-ups)
 * @throughput_median: bytes per second, median of @runs
 * @messages: messages delivered, both directions, all phases
 * @checked: messages whose checksum was compared (all of them, except for
 *   memcpy, whose last copy of each timed batch is checked)
 * @bytes: the bytes of @messages
 * @checksum_sent: sum of the checksums of what the senders sent
 * @checksum_received: sum of the checksums of what the receivers got
 * @mismatches: messages whose checksum did not match
 * @syscalls_per_message: system calls counted per message in the stream,
 *   both processes; negative when not counted
 * @copy_in_rate: bytes per second inside the writer's memcpy into the
 *   segment (0 when not measured)
 * @copy_out_rate: the same for the reader's memcpy out of it
 * @seconds: wall time spent on this cell, setting up included
 *
 * Filled pass by pass by shmlab_bench_run_cell(), then summed up by
 * shmlab_bench_result_finish().
 */
typedef struct
{
  guint64 size;
  gboolean ok;
  char *error;
  guint passes;
  GArray *samples;
  GArray *rates;
  double latency_median_ns;
  double latency_p99_ns;
  guint latency_samples;
  double throughput_median;
  double throughput_min;
  double throughput_max;
  guint runs;
  guint64 messages;
  guint64 checked;
  guint64 bytes;
  guint64 checksum_sent;
  guint64 checksum_received;
  guint64 mismatches;
  guint64 stream_messages;
  guint64 stream_syscalls;
  guint64 copy_in_ns;
  guint64 copy_in_bytes;
  guint64 copy_out_ns;
  guint64 copy_out_bytes;
  double syscalls_per_message;
  double copy_in_rate;
  double copy_out_rate;
  double seconds;
} ShmlabBenchResult;

void shmlab_bench_result_init   (ShmlabBenchResult *result,
                                 guint64            size);
void shmlab_bench_result_finish (ShmlabBenchResult *result);
void shmlab_bench_result_clear  (ShmlabBenchResult *result);

/**
 * ShmlabBenchPlan:
 * @cell_seconds: how long to spend on one mechanism at one size, in one pass
 * @min_samples: round trips measured at least in a pass, whatever the time
 * @runs: throughput runs in a pass
 * @key_prefix: the start of every key made, "shmlab-bench-PID"
 * @cpus: the processor the writer and the reader each run on, -1 where
 *   the scheduler chooses
 */
typedef struct
{
  double cell_seconds;
  guint min_samples;
  guint runs;
  const char *key_prefix;
  int cpus[2];
} ShmlabBenchPlan;

gboolean shmlab_bench_run_cell     (ShmlabBenchMechanism   mechanism,
                                    guint64                size,
                                    const guint8          *pattern,
                                    const ShmlabBenchPlan *plan,
                                    GCancellable          *cancellable,
                                    ShmlabBenchResult     *result,
                                    GError               **error);
void     shmlab_bench_remove_key   (const char            *key,
                                    ShmlabBackend          backend);
guint8  *shmlab_bench_pattern_new  (gsize                  size);

G_END_DECLS
