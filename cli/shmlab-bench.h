/* shmlab-bench.h — what the parts of `shmlab bench` share: the mechanisms,
 * the checksum every message is checked with, the statistics, the results,
 * the report and the chart
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "shmlab-native-key.h"

G_BEGIN_DECLS

int shmlab_cmd_bench (int argc, char **argv);

/* Every key the bench makes starts with this, so a leak is easy to find. */
#define SHMLAB_BENCH_KEY_PREFIX "shmlab-bench"

/* The smallest message carries its 8-byte stamp; the largest is bounded by memory. */
#define SHMLAB_BENCH_MIN_SIZE 8
#define SHMLAB_BENCH_MAX_SIZE (G_GUINT64_CONSTANT (256) << 20)

typedef enum
{
  SHMLAB_BENCH_MEMCPY,
  SHMLAB_BENCH_SHM_SYSV,
  SHMLAB_BENCH_SHM_POSIX,
  SHMLAB_BENCH_SHM_INPLACE,
  SHMLAB_BENCH_PIPE,
  SHMLAB_BENCH_UNIX_SOCKET,
  SHMLAB_BENCH_TCP_LOOPBACK,
  SHMLAB_BENCH_N_MECHANISMS,
} ShmlabBenchMechanism;

/**
 * ShmlabBenchMechanismInfo:
 * @name: as on the command line
 * @processes: 1 for memcpy, 2 for the others
 * @copies: copies of each message, the writer's and the reader's
 * @copies_detail: where they happen
 * @syscalls: system calls per message in a stream, stated from the code
 * @signal: how the reader learns that a message is there
 * @summary: what the mechanism does, in one sentence
 */
typedef struct
{
  const char *name;
  guint processes;
  guint copies;
  const char *copies_detail;
  const char *syscalls;
  const char *signal;
  const char *summary;
} ShmlabBenchMechanismInfo;

const ShmlabBenchMechanismInfo *
         shmlab_bench_mechanism_info        (ShmlabBenchMechanism  mechanism);
gboolean shmlab_bench_mechanism_from_string (const char           *name,
                                             ShmlabBenchMechanism *mechanism);
char    *shmlab_bench_mechanism_names       (void);
gboolean shmlab_bench_mechanism_uses_shm    (ShmlabBenchMechanism  mechanism,
                                             ShmlabBackend        *backend);

/**
 * ShmlabBenchSum:
 *
 * A Fletcher-style checksum over 64-bit words in four lanes, so that it runs
 * near memory speed and still sees a word moved to another place. Feed it
 * with shmlab_bench_sum_update() in pieces that are multiples of 32 bytes;
 * only the last piece may be shorter.
 */
typedef struct
{
  guint64 a[4];
  guint64 b[4];
  guint64 words;
} ShmlabBenchSum;

void    shmlab_bench_sum_init     (ShmlabBenchSum       *sum);
void    shmlab_bench_sum_update   (ShmlabBenchSum       *sum,
                                   const guint8         *data,
                                   gsize                 length);
guint64 shmlab_bench_sum_value    (const ShmlabBenchSum *sum);
guint64 shmlab_bench_checksum     (const guint8         *data,
                                   gsize                 length);
guint64 shmlab_bench_sum_restamp  (const ShmlabBenchSum *sum,
                                   guint64               old_word,
                                   guint64               new_word);

double  shmlab_bench_median       (double               *values,
                                   gsize                 n);
double  shmlab_bench_percentile   (double               *values,
                                   gsize                 n,
                                   double                percent);

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

typedef struct
{
  ShmlabBenchMechanism mechanism;
  ShmlabBenchResult *results;
  guint n_results;
} ShmlabBenchRow;

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
gint64   shmlab_bench_now_ns       (void);

/**
 * ShmlabBenchLock:
 * @segment_ns: shmlab_segment_lock() + shmlab_segment_unlock(), no
 *   cancellable: what the bench's own transfers use
 * @cancellable_ns: the same with a GCancellable, as the shmlab commands and
 *   the apps' background tasks wait (in slices, to notice a cancel)
 * @primitive_ns: the bare system primitive: a semop() pair (System V) or
 *   sem_wait() + sem_post() (POSIX)
 */
typedef struct
{
  ShmlabBackend backend;
  gboolean measured;
  gboolean ok;
  char *error;
  double segment_ns;
  double cancellable_ns;
  double primitive_ns;
} ShmlabBenchLock;

gboolean shmlab_bench_measure_lock (ShmlabBackend          backend,
                                    double                 seconds,
                                    const char            *key,
                                    GCancellable          *cancellable,
                                    ShmlabBenchLock       *lock,
                                    GError               **error);

/**
 * ShmlabBenchImagePath:
 * @copy_out_ms: as the Reader copies out: into a new buffer, whose pages
 *   are first touched by the copy
 * @copy_out_again_ms: the same copy again into that buffer, now touched:
 *   the copy alone, for comparison (not part of @total_ms)
 *
 * One way of taking a picture from the writer's memory to the reader's:
 * each step's median time over @runs, in milliseconds.
 */
typedef struct
{
  const char *name;
  gsize bytes;
  guint runs;
  gboolean identical;
  double encode_ms;
  double copy_in_ms;
  double copy_out_ms;
  double copy_out_again_ms;
  double decode_ms;
  double total_ms;
} ShmlabBenchImagePath;

typedef struct
{
  char *path;
  guint32 width;
  guint32 height;
  ShmlabBenchImagePath frame;
  ShmlabBenchImagePath qt;
} ShmlabBenchImage;

gboolean shmlab_bench_measure_image (const char        *path,
                                     double             seconds,
                                     const char        *key_prefix,
                                     GCancellable      *cancellable,
                                     ShmlabBenchImage  *image,
                                     GError           **error);

typedef struct
{
  char *cpu_model;
  guint cores;
  char *kernel;
  guint64 memory_bytes;
  char *hypervisor;
  double load_average;  /* over the last minute when the run began; negative when unknown */
} ShmlabBenchMachine;

void     shmlab_bench_machine_read  (ShmlabBenchMachine *machine);
void     shmlab_bench_machine_clear (ShmlabBenchMachine *machine);
char    *shmlab_bench_machine_describe (const ShmlabBenchMachine *machine);

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
  ShmlabBenchLock locks[2];
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

#define SHMLAB_BENCH_PLOT_WIDTH 1600
#define SHMLAB_BENCH_PLOT_HEIGHT 720

gboolean           shmlab_bench_plot_write   (const ShmlabBenchReport *report,
                                              const char              *path,
                                              GError                 **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShmlabBenchReport, shmlab_bench_report_free)

G_END_DECLS
