/* shmlab-bench-private.h — what the bench's supervising process and the two
 * processes it forks for each measurement share, in one anonymous shared
 * mapping
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "shmlab-bench-checksum.h"
#include "shmlab-bench-mechanisms.h"

G_BEGIN_DECLS

#define SHMLAB_BENCH_MAX_SAMPLES 20000
#define SHMLAB_BENCH_MAX_RUNS 16
#define SHMLAB_BENCH_ERROR_LENGTH 600
#define SHMLAB_BENCH_WARMUP 2

/* The first word of every message: who sent it, its number, and whether it
 * ends a phase. */
#define SHMLAB_BENCH_STAMP_FROM_B (G_GUINT64_CONSTANT (1) << 63)
#define SHMLAB_BENCH_STAMP_LAST (G_GUINT64_CONSTANT (1) << 62)
#define SHMLAB_BENCH_STAMP_END (G_GUINT64_CONSTANT (1) << 61)
#define SHMLAB_BENCH_STAMP_SEQ_MASK ((G_GUINT64_CONSTANT (1) << 48) - 1)

/**
 * ShmlabBenchSignal:
 *
 * A counting semaphore on a futex, shared by two processes: waiting on a
 * count of 0 and posting to a sleeper are the only system calls, so they
 * can be counted.
 */
typedef struct
{
  gint value;
  gint waiters;
} ShmlabBenchSignal;

/* What one of the two processes did. */
typedef struct
{
  guint64 sent;
  guint64 received;
  guint64 checked;
  guint64 checksum_sent;
  guint64 checksum_received;
  guint64 mismatches;
  guint64 stream_syscalls;
  guint64 copy_in_ns;
  guint64 copy_in_bytes;
  guint64 copy_out_ns;
  guint64 copy_out_bytes;
  char error[SHMLAB_BENCH_ERROR_LENGTH];
} ShmlabBenchSide;

enum
{
  SHMLAB_BENCH_SIDE_A,  /* the writer: sends the pings and the stream */
  SHMLAB_BENCH_SIDE_B,  /* the reader: receives them and sends the pongs */
};

typedef struct
{
  /* Set before the fork. */
  ShmlabBenchMechanism mechanism;
  guint64 size;
  gint64 latency_budget_ns;
  gint64 run_budget_ns;
  guint min_samples;
  guint runs;
  ShmlabBenchSum base;
  guint64 base_word;
  char key[160];
  int fds[2][2];  /* [side][send, receive] */
  int cpus[2];    /* [side]: -1 where the scheduler chooses */
  gboolean checks_off_clock;  /* take the receivers' checks out of the figures */

  /* Between the two processes. */
  gint64 answer_check_ns;     /* how long the reader checked the last ping */
  ShmlabBenchSignal created;
  ShmlabBenchSignal ready;
  ShmlabBenchSignal full[2];  /* a message waits for that side */
  ShmlabBenchSignal empty;    /* the segment may be written again */

  /* Results: samples are one-way latencies in ns. */
  guint n_samples;
  double samples[SHMLAB_BENCH_MAX_SAMPLES];
  guint n_runs;
  gint64 run_start[SHMLAB_BENCH_MAX_RUNS];
  gint64 run_end[SHMLAB_BENCH_MAX_RUNS];
  guint64 run_messages[SHMLAB_BENCH_MAX_RUNS];
  gint64 run_check_ns[SHMLAB_BENCH_MAX_RUNS];
  ShmlabBenchSide side[2];
} ShmlabBenchShared;

/* Runs one side in a forked process; returns its exit status. */
int shmlab_bench_child_main (ShmlabBenchShared *shared,
                             guint              side,
                             guint8            *pattern);

G_END_DECLS
