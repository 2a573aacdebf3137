/* shmlab-bench-cache.c — the shared cache against the same table behind one
 * lock and against a Redis server
 *
 * The second source article keeps hot data in a cache in shared memory for
 * "low-latency responses", and compares it with Redis. This measures that
 * claim with the article's workload: 100 hot keys, values of a few hundred
 * bytes of JSON (and of 4 KiB, the cache's largest), one writer process
 * setting them at a steady rate (or without pause), and 1, 2 and 4 reader
 * processes getting them at random — and the writer alone, as fast as it
 * can, for the cost of a set.
 *
 * Each row is one subject with one number of readers, in one or more passes;
 * a pass forks its processes, which open their own client, wait for one
 * another, warm up, then are timed within one window on the monotonic clock
 * every process shares. Every get is timed alone. Every value read is
 * checked: it must be, byte for byte, a value the writer set for that key —
 * its version, written into it, never older than one this reader already
 * saw for the key, and never one the writer had not yet begun to set. After
 * each pass every key is read back and must hold the writer's last value.
 * A value that is not is a failure, never a figure.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-bench-cache.h"
#include "shmlab-bench-progress.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <inttypes.h>
#include <linux/futex.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "shmlab-bench-cell.h"
#include "shmlab-bench-process.h"
#include "shmlab-bench-redis.h"
#include "shmlab-bench-report.h"
#include "shmlab-bench-stats.h"
#include "shmlab-cache-segment.h"
#include "shmlab-json.h"

/* Latencies one process keeps in a pass; past it, every other one. */
#define MAX_SAMPLES 32768
#define MESSAGE_LENGTH 512

/* The hot keys, and where a value carries its version. */
#define FIRST_ID 1000
#define KEY_LENGTH 16
#define VERSION_OFFSET 29  /* strlen ("{\"key\":\"user:1000\",\"version\":") */
#define VERSION_DIGITS 10

/* Each pass of a row: its warm-up, then its window, of its share of the time. */
#define WARMUP_SHARE 0.2
#define MIN_WINDOW_SECONDS 0.02

/* The article's values: a few hundred bytes of JSON, and the cache's largest. */
static const gsize value_sizes[] = { 300, SHMLAB_CACHE_VALUE_MAX };
/* Readers with the writer; 0: the writer alone. */
static const guint reader_counts[] = { 0, 1, 2, 4 };

G_STATIC_ASSERT (SHMLAB_BENCH_CACHE_MAX_READERS + 1 <= SHMLAB_BENCH_MAX_PROCESSES);

/* What one process of a pass did. */
typedef struct
{
  guint64 operations;  /* timed: begun within the window */
  guint64 total;       /* all, the warm-up's too */
  guint64 checked;
  guint64 mismatches;
  guint64 counter;     /* operations a sample was or was not taken of */
  guint stride;        /* one sample every @stride */
  guint n_samples;
  char error[MESSAGE_LENGTH];
  char mismatch[MESSAGE_LENGTH];
  double samples[MAX_SAMPLES];
} Worker;

/* What the bench and the processes of one pass share, in one anonymous
 * shared mapping made before they are forked. */
typedef struct
{
  /* Set before the fork. */
  ShmlabBenchCacheSubject subject;
  ShmlabBackend backend;
  guint n_keys;
  guint n_readers;
  gsize value_size;
  gint64 warmup_ns;
  gint64 window_ns;
  gint64 writer_period_ns;  /* between two sets' starts; 0: without pause */
  guint64 first_version;
  char cache_key[160];
  char redis_socket[128];
  union
  {
    pthread_mutex_t mutex;
    guint8 bytes[128];
  } lock __attribute__ ((aligned (64)));

  /* The start, together: the last process to arrive sets the window. */
  gint arrived __attribute__ ((aligned (64)));
  gint go;
  gint64 window_start;
  gint64 window_end;

  /* The writer's: for each key, the version it began to set, and the last
   * one it saw set. */
  guint64 begun[SHMLAB_BENCH_CACHE_KEYS] __attribute__ ((aligned (64)));
  guint64 done[SHMLAB_BENCH_CACHE_KEYS];

  Worker workers[1 + SHMLAB_BENCH_CACHE_MAX_READERS];  /* [0]: the writer */
} Shared;

/* One process's part, copied into it by the fork. */
typedef struct
{
  Shared *shared;
  guint index;
  const guint8 *templates;
} WorkerArgs;

/* ---- the values ---- */

static void
key_name (char  name[KEY_LENGTH],
          guint k)
{
  g_snprintf (name, KEY_LENGTH, "user:%04u", FIRST_ID + k);
}

/* {"key":"user:1042","version":0000000000,"name":"User 1042","city":…,"bio":"…"},
 * exactly @size bytes, its version zero. */
static void
make_template (guint8 *out,
               guint   k,
               gsize   size)
{
  static const char *const cities[] = { "Beijing", "Shanghai", "Shenzhen", "Hangzhou" };
  static const char filler[] = "hot data, served from memory; ";
  g_autofree char *head = g_strdup_printf ("{\"key\":\"user:%04u\",\"version\":%0*d,"
                                           "\"name\":\"User %04u\",\"city\":\"%s\","
                                           "\"score\":%u,\"bio\":\"",
                                           FIRST_ID + k, VERSION_DIGITS, 0, FIRST_ID + k,
                                           cities[k % G_N_ELEMENTS (cities)], k * 37 % 1000);
  gsize head_length = strlen (head);

  g_assert (head_length + 2 <= size);
  g_assert (memcmp (head + VERSION_OFFSET - 10, "\"version\":", 10) == 0);
  memcpy (out, head, head_length);
  for (gsize i = head_length; i < size - 2; i++)
    out[i] = (guint8) filler[(i + k) % (sizeof filler - 1)];
  memcpy (out + size - 2, "\"}", 2);
}

static void
write_version (guint8  *value,
               guint64  version)
{
  for (guint i = VERSION_DIGITS; i-- > 0;)
    {
      value[VERSION_OFFSET + i] = (guint8) ('0' + version % 10);
      version /= 10;
    }
}

/* Whether @value is @template with a version written in: its version. */
static gboolean
read_value (const guint8 *value,
            gsize         length,
            const guint8 *template,
            gsize         size,
            guint64      *version)
{
  gsize rest = VERSION_OFFSET + VERSION_DIGITS;

  if (length != size || memcmp (value, template, VERSION_OFFSET) != 0 ||
      memcmp (value + rest, template + rest, size - rest) != 0)
    return FALSE;
  *version = 0;
  for (guint i = 0; i < VERSION_DIGITS; i++)
    {
      guint8 digit = value[VERSION_OFFSET + i];

      if (digit < '0' || digit > '9')
        return FALSE;
      *version = *version * 10 + (digit - '0');
    }
  return TRUE;
}

/* ---- in each forked process ---- */

static G_GNUC_PRINTF (2, 3) G_GNUC_NORETURN void
worker_fail (Worker     *me,
             const char *format,
             ...)
{
  va_list ap;

  va_start (ap, format);
  vsnprintf (me->error, sizeof me->error, format, ap);
  va_end (ap);
  _exit (1);
}

static G_GNUC_PRINTF (2, 3) void
worker_mismatch (Worker     *me,
                 const char *format,
                 ...)
{
  va_list ap;

  if (me->mismatches++ > 0)
    return;
  va_start (ap, format);
  vsnprintf (me->mismatch, sizeof me->mismatch, format, ap);
  va_end (ap);
}

/* Keeps one latency in @stride; when full, every other one, and twice the
 * stride: an even sample of the whole window, whatever its length. */
static void
record (Worker *me,
        gint64  ns)
{
  if (me->counter++ % me->stride != 0)
    return;
  if (me->n_samples == MAX_SAMPLES)
    {
      for (guint i = 0; i < MAX_SAMPLES / 2; i++)
        me->samples[i] = me->samples[2 * i];
      me->n_samples = MAX_SAMPLES / 2;
      me->stride *= 2;
      if ((me->counter - 1) % me->stride != 0)
        return;
    }
  me->samples[me->n_samples++] = (double) ns;
}

/* Every process waits for all the others; the last sets the window. */
static void
start_together (Shared *shared)
{
  guint n = 1 + shared->n_readers;

  if ((guint) g_atomic_int_add (&shared->arrived, 1) + 1 == n)
    {
      shared->window_start = shmlab_bench_now_ns () + shared->warmup_ns;
      shared->window_end = shared->window_start + shared->window_ns;
      g_atomic_int_set (&shared->go, 1);
      syscall (SYS_futex, &shared->go, FUTEX_WAKE, G_MAXINT, NULL, NULL, 0);
      return;
    }
  while (g_atomic_int_get (&shared->go) == 0)
    syscall (SYS_futex, &shared->go, FUTEX_WAIT, 0, NULL, NULL, 0);
}

static void
sleep_until (gint64 ns)
{
  struct timespec due = { (time_t) (ns / 1000000000), (long) (ns % 1000000000) };

  while (clock_nanosleep (CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL) == EINTR)
    ;
}

/* Sets the keys in turn, each with the next version, until the window
 * ends: one every period, or without pause. */
static void
run_writer (Shared                 *shared,
            Worker                 *me,
            ShmlabBenchCacheClient *client,
            const guint8           *templates,
            char                    keys[][KEY_LENGTH])
{
  g_autofree guint8 *value = g_malloc (shared->value_size);
  guint64 version = shared->first_version;
  gboolean timed = shared->n_readers == 0;
  gint64 period = timed ? 0 : shared->writer_period_ns;
  gint64 due = shmlab_bench_now_ns ();

  for (guint k = 0;; k = (k + 1) % shared->n_keys, version++)
    {
      GError *error = NULL;
      gint64 start, end, now = shmlab_bench_now_ns ();

      if (period > 0)
        {
          if (now < due)
            {
              sleep_until (due);
              now = shmlab_bench_now_ns ();
            }
          else if (now - due > period)
            due = now;  /* behind: on from now, without a burst to catch up */
          due += period;
        }
      if (now >= shared->window_end)
        break;
      memcpy (value, templates + k * shared->value_size, shared->value_size);
      write_version (value, version);
      /* Before the set: a reader never sees a version beyond this one. */
      __atomic_store_n (&shared->begun[k], version, __ATOMIC_SEQ_CST);
      start = shmlab_bench_now_ns ();
      if (!shmlab_bench_cache_client_set (client, keys[k], value, shared->value_size, &error))
        worker_fail (me, _("the writer could not set %s: %s"), keys[k], error->message);
      end = shmlab_bench_now_ns ();
      __atomic_store_n (&shared->done[k], version, __ATOMIC_RELEASE);
      me->total++;
      if (start >= shared->window_start)
        {
          me->operations++;
          if (timed)
            record (me, end - start);
        }
    }
}

/* Gets hot keys at random until the window ends, checking every value. */
static void
run_reader (Shared                 *shared,
            Worker                 *me,
            guint                   index,
            ShmlabBenchCacheClient *client,
            const guint8           *templates,
            char                    keys[][KEY_LENGTH])
{
  gsize capacity = SHMLAB_CACHE_VALUE_MAX + 1;
  g_autofree guint8 *buffer = g_malloc (capacity);
  guint64 seen[SHMLAB_BENCH_CACHE_KEYS] = { 0 };
  guint64 x = G_GUINT64_CONSTANT (0x9e3779b97f4a7c15) * index;

  for (;;)
    {
      GError *error = NULL;
      gint64 start, end;
      gsize length = 0;
      guint64 version = 0, begun;
      guint k;

      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      k = (guint) (x % shared->n_keys);
      start = shmlab_bench_now_ns ();
      if (start >= shared->window_end)
        break;
      if (!shmlab_bench_cache_client_get (client, keys[k], buffer, capacity, &length, &error))
        worker_fail (me, _("a reader could not get %s: %s"), keys[k], error->message);
      end = shmlab_bench_now_ns ();
      begun = __atomic_load_n (&shared->begun[k], __ATOMIC_SEQ_CST);

      me->checked++;
      me->total++;
      if (!read_value (buffer, length, templates + k * shared->value_size, shared->value_size,
                       &version))
        worker_mismatch (me, _("%s held %zu bytes that are no value the writer set for it"),
                         keys[k], length);
      else if (version < seen[k])
        worker_mismatch (me, _("%s went back from version %" PRIu64 " to %" PRIu64), keys[k],
                         seen[k], version);
      else if (version > begun)
        worker_mismatch (me, _("%s held version %" PRIu64 ", which the writer had not begun to "
                               "set (it was at %" PRIu64 ")"),
                         keys[k], version, begun);
      else
        seen[k] = version;
      if (start >= shared->window_start)
        {
          me->operations++;
          record (me, end - start);
        }
    }
}

static int
worker_main (gpointer data)
{
  WorkerArgs *args = data;
  Shared *shared = args->shared;
  Worker *me = &shared->workers[args->index];
  ShmlabBenchCacheTarget target = { NULL, &shared->lock.mutex, shared->redis_socket };
  ShmlabBenchCacheClient *client;
  char keys[SHMLAB_BENCH_CACHE_KEYS][KEY_LENGTH];
  GError *error = NULL;

  signal (SIGPIPE, SIG_IGN);
  me->stride = 1;
  for (guint k = 0; k < shared->n_keys; k++)
    key_name (keys[k], k);
  if (shared->subject != SHMLAB_BENCH_CACHE_REDIS)
    {
      target.key = shmlab_key_new (shared->cache_key, shared->backend, &error);
      if (target.key == NULL)
        worker_fail (me, "%s", error->message);
    }
  client = shmlab_bench_cache_client_open (shared->subject, &target, &error);
  if (client == NULL)
    worker_fail (me, _("the %s could not open its client: %s"),
                 args->index == 0 ? "writer" : "reader", error->message);

  start_together (shared);
  if (args->index == 0)
    run_writer (shared, me, client, args->templates, keys);
  else
    run_reader (shared, me, args->index, client, args->templates, keys);

  shmlab_bench_cache_client_close (client);
  g_clear_pointer (&target.key, shmlab_key_unref);
  return 0;
}

/* ---- in the bench ---- */

static void
row_free (gpointer data)
{
  ShmlabBenchCacheRow *row = data;

  g_free (row->error);
  g_free (row->first_mismatch);
  g_clear_pointer (&row->samples, g_array_unref);
  g_clear_pointer (&row->rates, g_array_unref);
  g_clear_pointer (&row->writer_rates, g_array_unref);
  g_free (row);
}

ShmlabBenchCache *
shmlab_bench_cache_new (void)
{
  ShmlabBenchCache *self = g_new0 (ShmlabBenchCache, 1);

  self->value_sizes = g_array_new (FALSE, FALSE, sizeof (gsize));
  self->rows = g_ptr_array_new_with_free_func (row_free);
  self->backend = SHMLAB_BENCH_CACHE_BACKEND;
  self->n_keys = SHMLAB_BENCH_CACHE_KEYS;
  self->redis_pid = -1;
  return self;
}

void
shmlab_bench_cache_free (ShmlabBenchCache *self)
{
  if (self == NULL)
    return;
  shmlab_bench_machine_clear (&self->machine);
  g_free (self->key_prefix);
  g_free (self->cache_key);
  g_array_unref (self->value_sizes);
  g_free (self->redis_note);
  g_free (self->redis_version);
  g_free (self->redis_socket);
  g_ptr_array_unref (self->rows);
  g_free (self);
}

/* The key of the cache's segment a run under @key_prefix makes. */
char *
shmlab_bench_cache_key (const char *key_prefix)
{
  return g_strdup_printf ("%s-cache", key_prefix);
}


/* What one reading of the clock costs, ns: it is inside every latency. */
static double
clock_cost (void)
{
  double batches[51];

  for (guint b = 0; b < G_N_ELEMENTS (batches); b++)
    {
      gint64 start = shmlab_bench_now_ns ();
      volatile gint64 sink = 0;

      for (guint i = 0; i < 100; i++)
        sink += shmlab_bench_now_ns ();
      batches[b] = (double) (shmlab_bench_now_ns () - start) / 100.0;
      (void) sink;
    }
  return shmlab_bench_median (batches, G_N_ELEMENTS (batches));
}

/* What a run keeps from pass to pass. */
typedef struct
{
  ShmlabBenchCache *self;
  guint8 *templates;   /* the current value size's, one a key */
  gsize value_size;
  double pass_seconds;
  guint64 next_version;
} Run;

/* Every key holds the value the writer set last (@versions), byte for byte. */
static gboolean
check_final (Run                    *run,
             ShmlabBenchCacheClient *client,
             const guint64          *versions,
             ShmlabBenchCacheRow    *row,
             GError                **error)
{
  g_autofree guint8 *buffer = g_malloc (SHMLAB_CACHE_VALUE_MAX + 1);

  for (guint k = 0; k < run->self->n_keys; k++)
    {
      char key[KEY_LENGTH];
      gsize length = 0;
      guint64 version = 0;

      key_name (key, k);
      if (!shmlab_bench_cache_client_get (client, key, buffer, SHMLAB_CACHE_VALUE_MAX + 1,
                                          &length, error))
        {
          g_prefix_error (error, _("reading the keys back after the pass: "));
          return FALSE;
        }
      row->gets_checked++;
      if (!read_value (buffer, length, run->templates + k * run->value_size, run->value_size,
                       &version) ||
          version != versions[k])
        {
          row->mismatches++;
          if (row->first_mismatch == NULL)
            row->first_mismatch = g_strdup_printf (_("after the pass, %s did not hold the last "
                                                     "value the writer set (version %" PRIu64
                                                     ")"),
                                                   key, versions[k]);
        }
    }
  return TRUE;
}

/* The pass's latencies, one process's every so many as the sparsest one's,
 * so that each process weighs as much as the time it ran. */
static void
collect_samples (const Shared        *shared,
                 guint                first,
                 guint                last,
                 ShmlabBenchCacheRow *row)
{
  guint stride = 1;

  for (guint i = first; i <= last; i++)
    stride = MAX (stride, shared->workers[i].stride);
  for (guint i = first; i <= last; i++)
    {
      const Worker *worker = &shared->workers[i];
      guint every = stride / MAX (worker->stride, 1);

      for (guint s = 0; s < worker->n_samples; s += every)
        g_array_append_val (row->samples, worker->samples[s]);
    }
}

/* Loads every key, forks the writer and the readers, watches them, checks
 * what they read and what is left, and adds the pass to @row. FALSE only
 * on Ctrl+C; anything else that goes wrong is the row's error. */
static gboolean
run_pass (Run                  *run,
          ShmlabBenchCacheRow  *row,
          const char           *redis_socket,
          GCancellable         *cancellable,
          GError              **error)
{
  ShmlabBenchCache *self = run->self;
  ShmlabBenchProcess processes[1 + SHMLAB_BENCH_CACHE_MAX_READERS];
  g_autoptr(ShmlabBenchCacheClient) client = NULL;
  g_autoptr(ShmlabKey) key = NULL;
  g_autoptr(GError) local_error = NULL;
  ShmlabBenchCacheTarget target = { NULL, NULL, redis_socket };
  ShmlabBenchSuperviseOutcome outcome = SHMLAB_BENCH_SUPERVISE_DONE;
  gint64 started = shmlab_bench_now_ns (), deadline, window;
  guint n_processes = 1 + row->readers, n_started = 0;
  guint64 checked = 0, mismatches = 0, last_version;
  g_autofree char *mismatch = NULL;
  Shared *shared;

  shared = mmap (NULL, sizeof *shared, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared == MAP_FAILED)
    {
      row->error = g_strdup_printf (_("cannot map memory to share with the processes: %s"),
                                    g_strerror (errno));
      return TRUE;
    }
  shared->subject = row->subject;
  shared->backend = self->backend;
  shared->n_keys = self->n_keys;
  shared->n_readers = row->readers;
  shared->value_size = row->value_size;
  shared->warmup_ns = (gint64) (run->pass_seconds * WARMUP_SHARE * 1e9);
  shared->window_ns = (gint64) (MAX (run->pass_seconds * (1 - WARMUP_SHARE),
                                     MIN_WINDOW_SECONDS) * 1e9);
  shared->writer_period_ns = self->writer_rate > 0 ? 1000000000 / self->writer_rate : 0;
  g_strlcpy (shared->cache_key, self->cache_key, sizeof shared->cache_key);
  if (redis_socket != NULL)
    g_strlcpy (shared->redis_socket, redis_socket, sizeof shared->redis_socket);

  /* The bench's own client loads every key, then reads them back after. */
  if (!shmlab_bench_cache_lock_init (&shared->lock.mutex, &local_error))
    goto failed;
  target.lock = &shared->lock.mutex;
  if (row->subject != SHMLAB_BENCH_CACHE_REDIS)
    {
      key = shmlab_key_new (self->cache_key, self->backend, &local_error);
      if (key == NULL)
        goto failed;
      target.key = key;
    }
  client = shmlab_bench_cache_client_open (row->subject, &target, &local_error);
  if (client == NULL)
    goto failed;
  {
    g_autofree guint8 *value = g_malloc (row->value_size);

    for (guint k = 0; k < self->n_keys; k++)
      {
        char name[KEY_LENGTH];
        guint64 version = run->next_version++;

        key_name (name, k);
        memcpy (value, run->templates + k * row->value_size, row->value_size);
        write_version (value, version);
        if (!shmlab_bench_cache_client_set (client, name, value, row->value_size, &local_error))
          goto failed;
        shared->begun[k] = shared->done[k] = version;
      }
  }
  shared->first_version = run->next_version;

  for (guint i = 0; i < n_processes; i++)
    shmlab_bench_process_init (&processes[i], i == 0 ? "writer" : "reader");
  for (; n_started < n_processes; n_started++)
    {
      WorkerArgs args = { shared, n_started, run->templates };

      if (!shmlab_bench_process_spawn (&processes[n_started], worker_main, &args, &local_error))
        break;
    }
  /* Generous: only a stuck process takes this long. */
  deadline = shmlab_bench_now_ns () + shared->warmup_ns + shared->window_ns +
             G_GINT64_CONSTANT (30) * 1000000000;
  if (local_error != NULL)
    for (guint i = 0; i < n_started; i++)
      shmlab_bench_process_kill_and_reap (&processes[i]);
  else
    outcome = shmlab_bench_supervise (processes, n_started, deadline, cancellable);
  row->seconds += (double) (shmlab_bench_now_ns () - started) / 1e9;

  if (outcome == SHMLAB_BENCH_SUPERVISE_CANCELLED)
    {
      munmap (shared, sizeof *shared);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("interrupted"));
      return FALSE;
    }
  if (local_error != NULL)
    goto failed;
  if (outcome == SHMLAB_BENCH_SUPERVISE_TIMED_OUT)
    {
      row->error = g_strdup_printf (_("did not finish within %.0f s, so its processes were "
                                      "stopped: one of them is stuck (is the machine "
                                      "overloaded?)"),
                                    (double) (deadline - started) / 1e9);
      goto out;
    }
  for (guint i = 0; i < n_started && row->error == NULL; i++)
    if (shmlab_bench_process_failed (&processes[i]) && !processes[i].stopped)
      row->error = shmlab_bench_process_describe_failure (&processes[i],
                                                          shared->workers[i].error);
  if (row->error != NULL)
    goto out;

  /* What the processes read, and what the keys hold now. */
  last_version = 0;
  for (guint i = 0; i < n_processes; i++)
    {
      const Worker *worker = &shared->workers[i];

      checked += worker->checked;
      mismatches += worker->mismatches;
      if (worker->mismatches > 0 && mismatch == NULL)
        mismatch = g_utf8_make_valid (worker->mismatch, -1);
    }
  for (guint k = 0; k < self->n_keys; k++)
    last_version = MAX (last_version, shared->done[k]);
  run->next_version = MAX (run->next_version, last_version + 1);
  row->gets_checked += checked;
  row->mismatches += mismatches;
  row->sets += self->n_keys + shared->workers[0].total;
  if (mismatch != NULL && row->first_mismatch == NULL)
    row->first_mismatch = g_steal_pointer (&mismatch);
  if (!check_final (run, client, shared->done, row, &local_error))
    goto failed;
  if (row->mismatches > 0)
    goto out;

  window = shared->window_end - shared->window_start;
  {
    /* What the row measures: the writer's sets alone, or the readers' gets
     * (a writer that got no set in while they read is a figure: 0 a second). */
    guint64 measured = 0;

    for (guint i = row->readers == 0 ? 0 : 1; i < (row->readers == 0 ? 1 : n_processes); i++)
      measured += shared->workers[i].operations;
    if (window <= 0 || measured == 0)
      {
        row->error = g_strdup (_("nothing was measured: the processes ended too early"));
        goto out;
      }
  }
  if (row->readers == 0)
    {
      double rate = (double) shared->workers[0].operations * 1e9 / (double) window;

      collect_samples (shared, 0, 0, row);
      row->operations += shared->workers[0].operations;
      g_array_append_val (row->rates, rate);
    }
  else
    {
      guint64 gets = 0;
      double rate, writer_rate;

      for (guint i = 1; i < n_processes; i++)
        gets += shared->workers[i].operations;
      rate = (double) gets * 1e9 / (double) window;
      writer_rate = (double) shared->workers[0].operations * 1e9 / (double) window;
      collect_samples (shared, 1, row->readers, row);
      row->operations += gets;
      g_array_append_val (row->rates, rate);
      g_array_append_val (row->writer_rates, writer_rate);
    }
  row->passes++;
  goto out;

failed:
  row->error = g_strdup (local_error->message);
out:
  munmap (shared, sizeof *shared);
  return TRUE;
}

static ShmlabBenchCacheRow *
row_new (ShmlabBenchCacheSubject subject,
         gsize                   value_size,
         guint                   readers)
{
  ShmlabBenchCacheRow *row = g_new0 (ShmlabBenchCacheRow, 1);

  row->subject = subject;
  row->value_size = value_size;
  row->readers = readers;
  row->samples = g_array_new (FALSE, FALSE, sizeof (double));
  row->rates = g_array_new (FALSE, FALSE, sizeof (double));
  row->writer_rates = g_array_new (FALSE, FALSE, sizeof (double));
  return row;
}

static void
row_finish (ShmlabBenchCacheRow *row)
{
  row->ok = FALSE;
  if (row->error != NULL)
    return;
  if (row->mismatches > 0)
    {
      row->error = g_strdup_printf (_("%" PRIu64 " of %" PRIu64 " values read were not the ones "
                                      "set (the first: %s), so no figure is given"),
                                    row->mismatches, row->gets_checked, row->first_mismatch);
      return;
    }
  if (row->samples->len == 0 || row->rates->len == 0)
    {
      row->error = g_strdup (_("nothing was measured: the processes ended too early"));
      return;
    }
  row->latency_samples = row->samples->len;
  row->latency_median_ns = shmlab_bench_median ((double *) (gpointer) row->samples->data,
                                                row->samples->len);
  row->latency_p99_ns = shmlab_bench_percentile ((double *) (gpointer) row->samples->data,
                                                 row->samples->len, 99);
  row->rate_median = shmlab_bench_median ((double *) (gpointer) row->rates->data,
                                          row->rates->len);
  row->writer_rate_median = row->writer_rates->len > 0
    ? shmlab_bench_median ((double *) (gpointer) row->writer_rates->data, row->writer_rates->len)
    : NAN;
  row->ok = TRUE;
}

static char *
describe_readers (guint readers)
{
  if (readers == 0)
    return g_strdup (_("set, writer alone"));
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "get, %u reader", "get, %u readers",
                                       readers),
                          readers);
}

/**
 * shmlab_bench_cache_measure:
 * @seconds: about how long to spend measuring, all rows and passes together
 * @quick: one pass instead of three
 * @writer_rate: the sets a second the writer makes while readers get; 0:
 *   without pause
 *
 * Makes the cache's segment under @key_prefix, starts a Redis server of
 * its own when redis-server is there, measures every row, and removes the
 * segment and stops the server at the end, whatever happened. A missing
 * redis-server leaves out the Redis rows and says so in
 * @self->redis_note; a server that does not start fails its rows.
 *
 * Returns: FALSE with G_IO_ERROR_CANCELLED on Ctrl+C, or with the error
 *   that kept the cache from being made
 */
gboolean
shmlab_bench_cache_measure (ShmlabBenchCache           *self,
                            double                      seconds,
                            gboolean                    quick,
                            guint                       writer_rate,
                            const char                 *key_prefix,
                            GCancellable               *cancellable,
                            const ShmlabBenchProgress  *progress,
                            GError                    **error)
{
  g_autoptr(ShmlabKey) key = NULL;
  g_autoptr(ShmlabCacheSegment) store = NULL;
  g_autoptr(ShmlabBenchRedis) redis = NULL;
  g_autoptr(GError) redis_error = NULL;
  gint64 started = shmlab_bench_now_ns ();
  gboolean ok = FALSE;
  Run run = { self, NULL, 0, 0, 1 };

  self->quick = quick;
  self->seconds = seconds;
  self->writer_rate = writer_rate;
  self->passes = quick ? 1 : 3;
  self->key_prefix = g_strdup (key_prefix);
  self->cache_key = shmlab_bench_cache_key (key_prefix);
  g_array_append_vals (self->value_sizes, value_sizes, G_N_ELEMENTS (value_sizes));
  shmlab_bench_machine_read (&self->machine);
  self->clock_ns = clock_cost ();

  key = shmlab_key_new (self->cache_key, self->backend, error);
  if (key == NULL)
    return FALSE;
  shmlab_bench_say (progress, _("making the cache in a %s segment, key “%s”\n"),
       shmlab_backend_describe (self->backend), self->cache_key);
  store = shmlab_cache_segment_open (key, TRUE, SHMLAB_CACHE_DEFAULT_SLOTS,
                                     SHMLAB_CACHE_DEFAULT_BUCKETS, 5000, cancellable, error);
  if (store == NULL)
    goto out;

  shmlab_bench_say (progress, _("looking for redis-server, to start it on a Unix socket of its own\n"));
  redis = shmlab_bench_redis_start (key_prefix, cancellable, &redis_error);
  if (g_error_matches (redis_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_steal_pointer (&redis_error));
      goto out;
    }
  self->redis_available = !g_error_matches (redis_error, SHMLAB_BENCH_REDIS_ERROR,
                                            SHMLAB_BENCH_REDIS_ERROR_MISSING);
  if (redis != NULL)
    {
      self->redis_version = g_strdup (shmlab_bench_redis_get_version (redis));
      self->redis_socket = g_strdup (shmlab_bench_redis_get_socket (redis));
      self->redis_pid = shmlab_bench_redis_get_pid (redis);
      shmlab_bench_say (progress, _("redis-server %s answers (pid %d), on %s\n"), self->redis_version,
           self->redis_pid, self->redis_socket);
    }
  else if (!self->redis_available)
    self->redis_note = g_strdup (redis_error->message);
  else
    shmlab_bench_say (progress, _("redis-server did not start: %s\n"), redis_error->message);

  for (guint v = 0; v < G_N_ELEMENTS (value_sizes); v++)
    for (guint r = 0; r < G_N_ELEMENTS (reader_counts); r++)
      for (guint s = 0; s < SHMLAB_BENCH_CACHE_N_SUBJECTS; s++)
        {
          ShmlabBenchCacheRow *row;

          if (s == SHMLAB_BENCH_CACHE_REDIS && !self->redis_available)
            continue;
          row = row_new (s, value_sizes[v], reader_counts[r]);
          /* A server that would not start fails its rows, not the others. */
          if (s == SHMLAB_BENCH_CACHE_REDIS && redis == NULL)
            row->error = g_strdup_printf (_("the Redis server did not start: %s"),
                                          redis_error->message);
          g_ptr_array_add (self->rows, row);
        }
  run.pass_seconds = seconds / ((double) self->rows->len * self->passes);
  self->window_seconds = MAX (run.pass_seconds * (1 - WARMUP_SHARE), MIN_WINDOW_SECONDS);

  for (guint pass = 0; pass < self->passes; pass++)
    for (guint v = 0; v < G_N_ELEMENTS (value_sizes); v++)
      {
        g_autofree char *size_text = shmlab_bench_format_size (value_sizes[v]);

        g_clear_pointer (&run.templates, g_free);
        run.value_size = value_sizes[v];
        run.templates = g_malloc (self->n_keys * run.value_size);
        for (guint k = 0; k < self->n_keys; k++)
          make_template (run.templates + k * run.value_size, k, run.value_size);

        for (guint r = 0; r < G_N_ELEMENTS (reader_counts); r++)
          {
            g_autofree char *what = describe_readers (reader_counts[r]);
            gint64 line_started = shmlab_bench_now_ns ();

            /* The subjects compared at one point are measured close together in time. */
            shmlab_bench_say (progress, _("%s values, %s:"), size_text, what);
            for (guint i = 0; i < self->rows->len; i++)
              {
                ShmlabBenchCacheRow *row = g_ptr_array_index (self->rows, i);

                if (row->value_size != value_sizes[v] || row->readers != reader_counts[r])
                  continue;
                shmlab_bench_say (progress, " %s", shmlab_bench_cache_subject_info (row->subject)->name);
                if (row->error != NULL)
                  {
                    shmlab_bench_say (progress, _(" (failed before)"));
                    continue;
                  }
                if (!run_pass (&run, row,
                               redis != NULL ? shmlab_bench_redis_get_socket (redis) : NULL,
                               cancellable, error))
                  {
                    shmlab_bench_say (progress, "\n");
                    goto out;
                  }
                if (row->error != NULL)
                  shmlab_bench_say (progress, _(" (failed)"));
              }
            if (self->passes > 1)
              shmlab_bench_say (progress, _("  (pass %u of %u, %.1f s)\n"), pass + 1, self->passes,
                   (double) (shmlab_bench_now_ns () - line_started) / 1e9);
            else
              shmlab_bench_say (progress, "  (%.1f s)\n",
                   (double) (shmlab_bench_now_ns () - line_started) / 1e9);
          }
      }
  for (guint i = 0; i < self->rows->len; i++)
    row_finish (g_ptr_array_index (self->rows, i));
  ok = TRUE;

out:
  g_free (run.templates);
  if (redis != NULL)
    shmlab_bench_say (progress, _("stopping redis-server and removing its temp dir\n"));
  g_clear_pointer (&redis, shmlab_bench_redis_stop);
  g_clear_pointer (&store, shmlab_cache_segment_close);
  shmlab_bench_remove_key (self->cache_key, self->backend);
  self->elapsed = (double) (shmlab_bench_now_ns () - started) / 1e9;
  return ok;
}

/* Every row measured, every value read the one set. */
gboolean
shmlab_bench_cache_ok (const ShmlabBenchCache *self)
{
  if (self->rows->len == 0)
    return FALSE;
  for (guint i = 0; i < self->rows->len; i++)
    if (!((const ShmlabBenchCacheRow *) g_ptr_array_index (self->rows, i))->ok)
      return FALSE;
  return TRUE;
}

/* ---- the table ---- */

/* "4.31 M", "812 k", "950": three significant digits of a count a second. */
static char *
format_rate (double per_second)
{
  if (!isfinite (per_second))
    return g_strdup ("—");
  if (per_second >= 1e6)
    return g_strdup_printf (per_second >= 99.95e6 ? "%.0f M" : per_second >= 9.995e6 ? "%.1f M"
                                                                                    : "%.2f M",
                            per_second / 1e6);
  if (per_second >= 1e3)
    return g_strdup_printf (per_second >= 99.95e3 ? "%.0f k" : per_second >= 9.995e3 ? "%.1f k"
                                                                                    : "%.2f k",
                            per_second / 1e3);
  return g_strdup_printf ("%.0f", per_second);
}

static const ShmlabBenchCacheRow *
find_row (const ShmlabBenchCache  *self,
          ShmlabBenchCacheSubject  subject,
          gsize                    value_size,
          guint                    readers)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      const ShmlabBenchCacheRow *row = g_ptr_array_index (self->rows, i);

      if (row->subject == subject && row->value_size == value_size && row->readers == readers)
        return row->ok ? row : NULL;
    }
  return NULL;
}

/* "300 B: 1 reader 12×, 2 readers 15×, …" for the rows of @a against @b: of
 * the latency (@b's over @a's) or of the gets a second (@a's over @b's). */
static void
append_ratios (GString                 *out,
               const ShmlabBenchCache  *self,
               const char              *what,
               ShmlabBenchCacheSubject  a,
               ShmlabBenchCacheSubject  b,
               gboolean                 latency)
{
  gboolean any = FALSE;

  for (guint v = 0; v < self->value_sizes->len; v++)
    {
      gsize size = g_array_index (self->value_sizes, gsize, v);
      g_autofree char *size_text = shmlab_bench_format_size (size);
      gboolean first = TRUE;

      for (guint r = 0; r < G_N_ELEMENTS (reader_counts); r++)
        {
          const ShmlabBenchCacheRow *x = find_row (self, a, size, reader_counts[r]);
          const ShmlabBenchCacheRow *y = find_row (self, b, size, reader_counts[r]);
          g_autofree char *ratio_text = NULL;
          double ratio;

          if (reader_counts[r] == 0 || x == NULL || y == NULL)
            continue;
          ratio = latency ? y->latency_median_ns / x->latency_median_ns
                          : x->rate_median / y->rate_median;
          if (!isfinite (ratio))
            continue;
          ratio_text = g_strdup_printf (ratio >= 9.95 ? "%.0f" : "%.1f", ratio);
          if (!any)
            g_string_append (out, what);
          if (first)
            g_string_append_printf (out, "%s%s: ", any ? "; " : " ", size_text);
          else
            g_string_append (out, ", ");
          g_string_append_printf (out, g_dngettext (GETTEXT_PACKAGE, "%u reader %s×",
                                                    "%u readers %s×", reader_counts[r]),
                                  reader_counts[r], ratio_text);
          first = FALSE;
          any = TRUE;
        }
    }
  if (any)
    g_string_append (out, ".\n");
}

/**
 * shmlab_bench_cache_table:
 *
 * The measurement for a person: what was compared, one block a value size
 * with a line a subject and number of readers, what was checked, and what
 * a get costs each way.
 */
char *
shmlab_bench_cache_table (const ShmlabBenchCache *self)
{
  GString *out = g_string_new (NULL);
  g_autofree char *machine = shmlab_bench_machine_describe (&self->machine);
  g_autofree char *clock = shmlab_bench_format_ns (self->clock_ns);
  g_autofree char *writer = NULL;
  guint64 checked = 0;

  if (self->writer_rate > 0)
    writer = g_strdup_printf (_("setting them %u times a second"), self->writer_rate);
  else
    writer = g_strdup (_("setting them without pause"));
  g_string_append_printf (out, g_dngettext (GETTEXT_PACKAGE,
                                            "The shared cache against one lock and against Redis: "
                                            "%u hot keys, one writer process %s while 1, 2 and 4 "
                                            "reader processes get them at random, and the writer "
                                            "alone as fast as it can (each get or set timed "
                                            "alone; the median of %u pass)\n",
                                            "The shared cache against one lock and against Redis: "
                                            "%u hot keys, one writer process %s while 1, 2 and 4 "
                                            "reader processes get them at random, and the writer "
                                            "alone as fast as it can (each get or set timed "
                                            "alone; the median of %u passes)\n",
                                            self->passes),
                          self->n_keys, writer, self->passes);
  g_string_append_printf (out, _("on %s\n"), machine);
  if (self->machine.load_average >= 0.5 * MAX (self->machine.cores, 1))
    g_string_append_printf (out, _("The machine was busy when the run began (load average %.2f): "
                            "other programs share its processors, so expect noisy figures.\n"),
                            self->machine.load_average);
  g_string_append (out, _("Compared:\n"));
  for (guint s = 0; s < SHMLAB_BENCH_CACHE_N_SUBJECTS; s++)
    {
      const ShmlabBenchCacheSubjectInfo *info = shmlab_bench_cache_subject_info (s);

      if (s == SHMLAB_BENCH_CACHE_REDIS && !self->redis_available)
        continue;
      g_string_append_printf (out, "  %s: %s", _(info->label), _(info->get_path));
      if (s == SHMLAB_BENCH_CACHE_REDIS && self->redis_version != NULL)
        g_string_append_printf (out, _(" (Redis %s, on a private Unix socket: no TCP port, "
                                       "nothing saved to disk; stopped at the end)"),
                                self->redis_version);
      g_string_append (out, ".\n");
    }
  if (!self->redis_available)
    g_string_append_printf (out, _("  Redis: NOT MEASURED — %s\n"), self->redis_note);

  for (guint v = 0; v < self->value_sizes->len; v++)
    {
      gsize size = g_array_index (self->value_sizes, gsize, v);
      g_autofree char *size_text = shmlab_bench_format_size (size);

      g_string_append_printf (out, _("\nValues of %s\n"), size_text);
      shmlab_bench_append_cell (out, "", 19, FALSE);
      shmlab_bench_append_cell (out, "", 24, FALSE);
      shmlab_bench_append_cell (out, _("latency"), 9, TRUE);
      shmlab_bench_append_cell (out, "", 10, TRUE);
      shmlab_bench_append_cell (out, _("per second"), 14, TRUE);
      shmlab_bench_append_cell (out, _("the writer's"), 14, TRUE);
      g_string_append_c (out, '\n');
      shmlab_bench_append_cell (out, _("what"), 19, FALSE);
      shmlab_bench_append_cell (out, _("subject"), 24, FALSE);
      shmlab_bench_append_cell (out, _("median"), 9, TRUE);
      shmlab_bench_append_cell (out, "p99", 10, TRUE);
      shmlab_bench_append_cell (out, _("all readers"), 14, TRUE);
      shmlab_bench_append_cell (out, _("sets/s"), 14, TRUE);
      g_string_append (out, _("   checks\n"));
      for (guint r = 0; r < G_N_ELEMENTS (reader_counts); r++)
        {
          g_autofree char *what = describe_readers (reader_counts[r]);
          gboolean first = TRUE;

          for (guint i = 0; i < self->rows->len; i++)
            {
              const ShmlabBenchCacheRow *row = g_ptr_array_index (self->rows, i);
              const ShmlabBenchCacheSubjectInfo *info =
                shmlab_bench_cache_subject_info (row->subject);
              g_autofree char *median = NULL, *p99 = NULL, *rate = NULL, *sets = NULL;

              if (row->value_size != size || row->readers != reader_counts[r])
                continue;
              median = shmlab_bench_format_ns (row->latency_median_ns);
              p99 = shmlab_bench_format_ns (row->latency_p99_ns);
              rate = format_rate (row->rate_median);
              sets = row->readers > 0 ? format_rate (row->writer_rate_median) : g_strdup ("—");
              shmlab_bench_append_cell (out, first ? what : "", 19, FALSE);
              shmlab_bench_append_cell (out, _(info->label), 24, FALSE);
              /* The figures of a row that read a wrong value are not given. */
              shmlab_bench_append_cell (out, row->ok ? median : _("FAILED"), 9, TRUE);
              shmlab_bench_append_cell (out, row->ok ? p99 : "—", 10, TRUE);
              shmlab_bench_append_cell (out, row->ok ? rate : "—", 14, TRUE);
              shmlab_bench_append_cell (out, row->ok ? sets : "—", 14, TRUE);
              g_string_append_printf (out, "   %s\n", row->mismatches == 0 ? _("ok") : _("WRONG"));
              first = FALSE;
            }
        }
    }
  g_string_append_c (out, '\n');
  for (guint i = 0; i < self->rows->len; i++)
    {
      const ShmlabBenchCacheRow *row = g_ptr_array_index (self->rows, i);
      const ShmlabBenchCacheSubjectInfo *info = shmlab_bench_cache_subject_info (row->subject);
      g_autofree char *size_text = shmlab_bench_format_size (row->value_size);
      g_autofree char *what = describe_readers (row->readers);

      checked += row->gets_checked;
      if (!row->ok)
        g_string_append_printf (out, _("FAILED: %s, %s values, %s: %s\n"), _(info->label),
                                size_text, what, row->error);
    }
  if (shmlab_bench_cache_ok (self))
    g_string_append_printf (out, _("Every value read was checked: %" PRIu64 " gets compared byte "
                                   "for byte with a value the writer set for that key — never "
                                   "an older version than one already seen, never one it had "
                                   "not begun to set — and every key read back after each pass; "
                                   "none was wrong.\n"),
                            checked);
  else
    g_string_append (out, _("SOME ROWS FAILED (see FAILED above): a value read was not the one "
                            "set, or a process did not finish, so their figures are not "
                            "given.\n"));
  g_string_append (out, _("Latency is one get (one set in the set rows), from the call to its "
                          "return with the value copied into the caller's buffer. Per second: "
                          "the gets of all readers together in the timed window, each value "
                          "checked between two gets; the writer's sets in the same window.\n"));
  if (self->redis_available)
    g_string_append (out, _("A Redis get goes through the kernel: the client writes the request "
                            "to the socket and reads the answer (two system calls at least), "
                            "and the server wakes up, reads, looks up and writes. "));
  g_string_append_printf (out, _("The shared cache's get is loads from memory the reader has "
                                 "mapped, and a few atomic counters it updates (its hits, the "
                                 "entry's accesses, the readers' table): no system call while "
                                 "no writer holds it up. Each latency includes one reading of "
                                 "the clock, about %s here. With more processes than processors "
                                 "(%u here), a get the scheduler interrupts counts the wait, "
                                 "which shows in the 99th percentile.\n"),
                          clock, self->machine.cores);
  if (self->redis_available)
    {
      append_ratios (out, self, _("Get latency, Redis over the shared cache:"),
                     SHMLAB_BENCH_CACHE_SHARED, SHMLAB_BENCH_CACHE_REDIS, TRUE);
      append_ratios (out, self, _("Gets a second, the shared cache over Redis:"),
                     SHMLAB_BENCH_CACHE_SHARED, SHMLAB_BENCH_CACHE_REDIS, FALSE);
    }
  append_ratios (out, self, _("Gets a second, the shared cache over the same table behind one "
                              "lock:"),
                 SHMLAB_BENCH_CACHE_SHARED, SHMLAB_BENCH_CACHE_LOCKED, FALSE);
  g_string_append_printf (out, _("Measured in %.1f s.\n"), self->elapsed);
  return g_string_free (out, FALSE);
}

/* ---- the JSON ---- */

static void
json_string_or_null (GString    *out,
                     const char *text)
{
  if (text == NULL)
    g_string_append (out, "null");
  else
    shmlab_json_append_string (out, text);
}

static void
json_row (GString                   *out,
          const ShmlabBenchCacheRow *row)
{
  const ShmlabBenchCacheSubjectInfo *info = shmlab_bench_cache_subject_info (row->subject);
  double rate_min = INFINITY, rate_max = -INFINITY;

  for (guint i = 0; i < row->rates->len; i++)
    {
      rate_min = MIN (rate_min, g_array_index (row->rates, double, i));
      rate_max = MAX (rate_max, g_array_index (row->rates, double, i));
    }
  g_string_append (out, "    { \"subject\": ");
  shmlab_json_append_string (out, info->name);
  g_string_append_printf (out, ", \"operation\": \"%s\", \"value_size\": %" G_GSIZE_FORMAT
                          ", \"readers\": %u, \"writers\": 1, \"ok\": %s, \"error\": ",
                          row->readers == 0 ? "set" : "get", row->value_size, row->readers,
                          row->ok ? "true" : "false");
  json_string_or_null (out, row->error);
  g_string_append_printf (out, ", \"passes\": %u,\n      \"latency_ns\": ", row->passes);
  if (row->ok)
    {
      g_string_append (out, "{ \"median\": ");
      shmlab_json_append_number (out, row->latency_median_ns);
      g_string_append (out, ", \"p99\": ");
      shmlab_json_append_number (out, row->latency_p99_ns);
      g_string_append_printf (out, ", \"samples\": %u }", row->latency_samples);
      g_string_append (out, ",\n      \"per_second\": { \"median\": ");
      shmlab_json_append_number (out, row->rate_median);
      g_string_append (out, ", \"min\": ");
      shmlab_json_append_number (out, rate_min);
      g_string_append (out, ", \"max\": ");
      shmlab_json_append_number (out, rate_max);
      g_string_append_printf (out, ", \"passes\": %u }", row->rates->len);
      g_string_append (out, ", \"writer_sets_per_second\": ");
      shmlab_json_append_number (out, row->readers > 0 ? row->writer_rate_median : NAN);
    }
  else
    g_string_append (out, "null,\n      \"per_second\": null, \"writer_sets_per_second\": null");
  g_string_append_printf (out, ", \"operations\": %" G_GUINT64_FORMAT ",\n      \"checks\": { "
                          "\"values_checked\": %" G_GUINT64_FORMAT ", \"sets\": %"
                          G_GUINT64_FORMAT ", \"mismatches\": %" G_GUINT64_FORMAT
                          ", \"first_mismatch\": ",
                          row->operations, row->gets_checked, row->sets, row->mismatches);
  json_string_or_null (out, row->first_mismatch);
  g_string_append_printf (out, ", \"ok\": %s } }",
                          row->mismatches == 0 && row->gets_checked > 0 ? "true" : "false");
}

/**
 * shmlab_bench_cache_json:
 *
 * The same as JSON: the machine, the options, what was compared, the Redis
 * server, and each row with its latencies, rates and checks.
 */
char *
shmlab_bench_cache_json (const ShmlabBenchCache *self)
{
  GString *out = g_string_new ("{\n");

  g_string_append_printf (out, "  \"format\": \"shmlab-bench-cache 1\",\n  \"ok\": %s,\n",
                          shmlab_bench_cache_ok (self) ? "true" : "false");
  g_string_append (out, "  \"machine\": { \"cpu_model\": ");
  shmlab_json_append_string (out, self->machine.cpu_model);
  g_string_append_printf (out, ", \"cores\": %u, \"kernel\": ", self->machine.cores);
  shmlab_json_append_string (out, self->machine.kernel);
  g_string_append_printf (out, ", \"memory_bytes\": %" G_GUINT64_FORMAT
                          ", \"virtual_machine\": %s, \"load_average\": ",
                          self->machine.memory_bytes,
                          self->machine.hypervisor ? "true" : "false");
  shmlab_json_append_number (out, self->machine.load_average >= 0 ? self->machine.load_average : NAN);
  g_string_append_printf (out, " },\n  \"options\": { \"quick\": %s, \"seconds\": ",
                          self->quick ? "true" : "false");
  shmlab_json_append_number (out, self->seconds);
  g_string_append_printf (out, ", \"passes\": %u, \"writer_rate\": %u, \"window_seconds\": ",
                          self->passes, self->writer_rate);
  shmlab_json_append_number (out, self->window_seconds);
  g_string_append (out, " },\n  \"key_prefix\": ");
  json_string_or_null (out, self->key_prefix);
  g_string_append (out, ",\n  \"cache\": { \"key\": ");
  json_string_or_null (out, self->cache_key);
  g_string_append_printf (out, ", \"backend\": \"%s\", \"slots\": %u, \"buckets\": %u },\n",
                          shmlab_backend_to_string (self->backend), SHMLAB_CACHE_DEFAULT_SLOTS,
                          SHMLAB_CACHE_DEFAULT_BUCKETS);
  g_string_append_printf (out, "  \"keys\": %u,\n  \"value_sizes\": [", self->n_keys);
  for (guint v = 0; v < self->value_sizes->len; v++)
    g_string_append_printf (out, "%s%" G_GSIZE_FORMAT, v > 0 ? ", " : "",
                            g_array_index (self->value_sizes, gsize, v));
  g_string_append (out, "],\n  \"reader_counts\": [");
  for (guint r = 1; r < G_N_ELEMENTS (reader_counts); r++)
    g_string_append_printf (out, "%s%u", r > 1 ? ", " : "", reader_counts[r]);
  g_string_append (out, "],\n  \"subjects\": [");
  for (guint s = 0; s < SHMLAB_BENCH_CACHE_N_SUBJECTS; s++)
    {
      const ShmlabBenchCacheSubjectInfo *info = shmlab_bench_cache_subject_info (s);

      g_string_append (out, s > 0 ? ",\n    { \"name\": " : "\n    { \"name\": ");
      shmlab_json_append_string (out, info->name);
      g_string_append (out, ", \"label\": ");
      shmlab_json_append_string (out, _(info->label));
      g_string_append (out, ", \"get\": ");
      shmlab_json_append_string (out, _(info->get_path));
      g_string_append_printf (out, ", \"measured\": %s }",
                              s != SHMLAB_BENCH_CACHE_REDIS || self->redis_available
                              ? "true" : "false");
    }
  g_string_append_printf (out, "\n  ],\n  \"redis\": { \"available\": %s, \"version\": ",
                          self->redis_available ? "true" : "false");
  json_string_or_null (out, self->redis_version);
  g_string_append (out, ", \"socket\": ");
  json_string_or_null (out, self->redis_socket);
  g_string_append (out, ", \"pid\": ");
  if (self->redis_pid > 0)
    g_string_append_printf (out, "%d", self->redis_pid);
  else
    g_string_append (out, "null");
  g_string_append (out, ", \"tcp_port\": null, \"persistence\": false, \"note\": ");
  json_string_or_null (out, self->redis_note);
  g_string_append (out, " },\n  \"clock_ns\": ");
  shmlab_json_append_number (out, self->clock_ns);
  g_string_append (out, ",\n  \"rows\": [");
  for (guint i = 0; i < self->rows->len; i++)
    {
      g_string_append (out, i > 0 ? ",\n" : "\n");
      json_row (out, g_ptr_array_index (self->rows, i));
    }
  g_string_append (out, self->rows->len > 0 ? "\n  ],\n" : "],\n");
  g_string_append (out, "  \"elapsed_seconds\": ");
  shmlab_json_append_number (out, self->elapsed);
  g_string_append (out, "\n}\n");
  return g_string_free (out, FALSE);
}
