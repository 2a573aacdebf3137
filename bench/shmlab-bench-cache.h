/* shmlab-bench-cache.h — the shared cache against the same table behind one
 * lock and against a Redis server: gets with 1, 2 and 4 reader processes
 * while one writer sets, and sets alone, every value read checked against
 * what was set
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "shmlab-bench-cache-client.h"
#include "shmlab-bench-machine.h"
#include "shmlab-bench-progress.h"
#include "shmlab-native-key.h"

G_BEGIN_DECLS

/* The hot keys, user:1000 to user:1099. */
#define SHMLAB_BENCH_CACHE_KEYS 100
#define SHMLAB_BENCH_CACHE_MAX_READERS 4
/* Where the cache's segment is made. */
#define SHMLAB_BENCH_CACHE_BACKEND SHMLAB_BACKEND_POSIX

/* The sets a second the writer makes while readers get, unless told. */
#define SHMLAB_BENCH_CACHE_WRITER_RATE 10000
#define SHMLAB_BENCH_CACHE_MAX_WRITER_RATE 10000000

/* Seconds the default run and --quick spend measuring. */
#define SHMLAB_BENCH_CACHE_SECONDS 30.0
#define SHMLAB_BENCH_CACHE_QUICK_SECONDS 3.0

/**
 * ShmlabBenchCacheRow:
 * @subject: what was measured
 * @value_size: bytes of every value
 * @readers: reader processes getting while the writer sets; 0 for the
 *   writer alone, whose sets are then what is measured
 * @ok: every pass ran and every value read was the one set; without it the
 *   figures are not given
 * @error: (nullable): why not
 * @samples: (element-type double): latencies of single gets (sets when
 *   @readers is 0), ns, from every reader and every pass
 * @rates: (element-type double): gets (sets) per second of each pass, all
 *   readers together
 * @writer_rates: (element-type double): the writer's sets per second meanwhile
 * @operations: gets (sets) timed, in every pass
 * @gets_checked: values read and compared with what was set: every get the
 *   readers made, and every key read back after each pass
 * @sets: sets made, each answered as done
 * @mismatches: values read that were not the ones set
 * @first_mismatch: (nullable): what the first one was
 */
typedef struct
{
  ShmlabBenchCacheSubject subject;
  gsize value_size;
  guint readers;
  gboolean ok;
  char *error;
  guint passes;
  GArray *samples;
  GArray *rates;
  GArray *writer_rates;
  double latency_median_ns;
  double latency_p99_ns;
  guint latency_samples;
  double rate_median;
  double writer_rate_median;
  guint64 operations;
  guint64 gets_checked;
  guint64 sets;
  guint64 mismatches;
  char *first_mismatch;
  double seconds;
} ShmlabBenchCacheRow;

/**
 * ShmlabBenchCache:
 * @writer_rate: the sets a second the writer makes while readers get; 0:
 *   without pause
 * @window_seconds: the time each row is measured in a pass, after its warm-up
 * @cache_key: the key of the cache's segment, on @backend
 * @value_sizes: (element-type gsize)
 * @redis_available: redis-server was found; without it there are no Redis
 *   rows, and @redis_note says so and what to install
 * @redis_version, @redis_socket, @redis_pid: the server the bench started
 * @clock_ns: what reading the clock costs, part of every latency
 * @rows: (element-type ShmlabBenchCacheRow)
 */
typedef struct
{
  ShmlabBenchMachine machine;
  gboolean quick;
  double seconds;
  guint passes;
  guint writer_rate;
  double window_seconds;
  char *key_prefix;
  char *cache_key;
  ShmlabBackend backend;
  guint n_keys;
  GArray *value_sizes;
  gboolean redis_available;
  char *redis_note;
  char *redis_version;
  char *redis_socket;
  int redis_pid;
  double clock_ns;
  GPtrArray *rows;
  double elapsed;
} ShmlabBenchCache;

ShmlabBenchCache *shmlab_bench_cache_new     (void);
void              shmlab_bench_cache_free    (ShmlabBenchCache           *self);
gboolean          shmlab_bench_cache_measure (ShmlabBenchCache           *self,
                                              double                      seconds,
                                              gboolean                    quick,
                                              guint                       writer_rate,
                                              const char                 *key_prefix,
                                              GCancellable               *cancellable,
                                              const ShmlabBenchProgress  *progress,
                                              GError                    **error);
gboolean          shmlab_bench_cache_ok      (const ShmlabBenchCache     *self);
char             *shmlab_bench_cache_table   (const ShmlabBenchCache     *self);
char             *shmlab_bench_cache_json    (const ShmlabBenchCache     *self);
char             *shmlab_bench_cache_key     (const char                 *key_prefix);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShmlabBenchCache, shmlab_bench_cache_free)

G_END_DECLS
