/* shmlab-bench-child.c — the two processes of a measurement: the writer
 * sends pings and a stream, the reader receives, checks every byte and
 * answers the pings, each through one mechanism
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-bench-private.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>

#include <errno.h>
#include <sched.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shmlab-bench-stats.h"
#include "shmlab-segment.h"

/* Messages this large have their copies timed: the clock costs nothing next to them. */
#define TIMED_COPY_MIN_SIZE (64 * 1024)

typedef struct
{
  ShmlabBenchShared *shared;
  ShmlabBenchSide *me;
  guint side;
  ShmlabBenchMechanism mechanism;
  gsize size;
  ShmlabBackend backend;
  gboolean uses_shm;
  gboolean in_place;

  int send_fd;
  int receive_fd;
  ShmlabSegment *segment;
  guint8 *segment_data;
  guint8 *source;   /* the pattern, stamped before each send */
  guint8 *buffer;   /* what arrives (NULL when read in place) */

  gboolean counting;
  gboolean timing_copies;
  guint64 ignored_syscalls;
  gint64 check_ns;  /* spent checking the last message received */
} Child;

/* The mechanism's memcpy, called through a pointer so that no copy is optimized away. */
static void *(*volatile copy_bytes) (void *, const void *, size_t) = memcpy;

static G_GNUC_PRINTF (2, 3) G_GNUC_NORETURN void
child_fail (Child      *self,
            const char *format,
            ...)
{
  va_list ap;

  va_start (ap, format);
  vsnprintf (self->me->error, sizeof self->me->error, format, ap);
  va_end (ap);
  _exit (1);
}

static guint64 *
syscall_counter (Child *self)
{
  return self->counting ? &self->me->stream_syscalls : &self->ignored_syscalls;
}

static void
signal_post (ShmlabBenchSignal *signal,
             guint64           *syscalls)
{
  g_atomic_int_inc (&signal->value);
  /* A sleeper registers before it sleeps, and sleeps only on a count of 0. */
  if (g_atomic_int_get (&signal->waiters) > 0)
    {
      syscall (SYS_futex, &signal->value, FUTEX_WAKE, 1, NULL, NULL, 0);
      (*syscalls)++;
    }
}

static void
signal_wait (ShmlabBenchSignal *signal,
             guint64           *syscalls)
{
  for (;;)
    {
      gint value = g_atomic_int_get (&signal->value);

      if (value > 0)
        {
          if (g_atomic_int_compare_and_exchange (&signal->value, value, value - 1))
            return;
          continue;
        }
      g_atomic_int_inc (&signal->waiters);
      syscall (SYS_futex, &signal->value, FUTEX_WAIT, 0, NULL, NULL, 0);
      (*syscalls)++;
      g_atomic_int_add (&signal->waiters, -1);
    }
}

static void
stamp_source (Child   *self,
              guint64  stamp)
{
  guint64 word = GUINT64_TO_LE (stamp);

  memcpy (self->source, &word, sizeof word);
}

static guint64
read_stamp (const guint8 *data)
{
  guint64 word;

  memcpy (&word, data, sizeof word);
  return GUINT64_FROM_LE (word);
}

static guint64
expected_checksum (Child   *self,
                   guint64  stamp)
{
  return shmlab_bench_sum_restamp (&self->shared->base, self->shared->base_word, stamp);
}

static void
segment_lock (Child *self)
{
  g_autoptr(GError) error = NULL;

  if (!shmlab_segment_lock (self->segment, NULL, &error))
    child_fail (self, "%s", error->message);
  *syscall_counter (self) += shmlab_bench_mechanism_info (self->mechanism)->lock_syscalls;
}

static void
segment_unlock (Child *self)
{
  g_autoptr(GError) error = NULL;

  if (!shmlab_segment_unlock (self->segment, &error))
    child_fail (self, "%s", error->message);
  *syscall_counter (self) += shmlab_bench_mechanism_info (self->mechanism)->unlock_syscalls;
}

static void
timed_copy (Child        *self,
            guint8       *dest,
            const guint8 *src,
            guint64      *ns,
            guint64      *bytes)
{
  gint64 start;

  if (!self->timing_copies)
    {
      copy_bytes (dest, src, self->size);
      return;
    }
  start = shmlab_bench_now_ns ();
  copy_bytes (dest, src, self->size);
  *ns += (guint64) (shmlab_bench_now_ns () - start);
  *bytes += self->size;
}

static void
write_all (Child        *self,
           const guint8 *data)
{
  gsize done = 0;

  while (done < self->size)
    {
      ssize_t n = write (self->send_fd, data + done, self->size - done);

      (*syscall_counter (self))++;
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        child_fail (self, _("the %s could not send a message: %s (the other process ended?)"),
                    self->side == SHMLAB_BENCH_SIDE_A ? "writer" : "reader",
                    n < 0 ? g_strerror (errno) : _("nothing was written"));
      done += (gsize) n;
    }
}

/* Reads one message, checksumming each piece as it arrives, as a streaming
 * reader would use it; the time spent checking goes in check_ns. */
static guint64
read_all (Child *self)
{
  ShmlabBenchSum sum;
  gsize got = 0, summed = 0;
  gint64 start;

  shmlab_bench_sum_init (&sum);
  while (got < self->size)
    {
      ssize_t n = read (self->receive_fd, self->buffer + got, self->size - got);
      gsize ready;

      (*syscall_counter (self))++;
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        child_fail (self, _("the %s could not receive a message: %s"),
                    self->side == SHMLAB_BENCH_SIDE_A ? "writer" : "reader", g_strerror (errno));
      if (n == 0)
        child_fail (self, _("the %s got %zu of %zu bytes, then the "
                    "other end was closed (the other process ended early)"),
                    self->side == SHMLAB_BENCH_SIDE_A ? "writer" : "reader", got, self->size);
      got += (gsize) n;
      ready = got == self->size ? got - summed : (got - summed) / 32 * 32;
      start = shmlab_bench_now_ns ();
      shmlab_bench_sum_update (&sum, self->buffer + summed, ready);
      self->check_ns += shmlab_bench_now_ns () - start;
      summed += ready;
    }
  return shmlab_bench_sum_value (&sum);
}

static void
send_message (Child    *self,
              guint64   stamp,
              gboolean  stream)
{
  guint peer = 1 - self->side;

  stamp_source (self, stamp);
  self->me->checksum_sent += expected_checksum (self, stamp);
  self->me->sent++;

  if (!self->uses_shm)
    {
      write_all (self, self->source);
      return;
    }

  /* The apps' path: lock, copy in, unlock, then tell the reader. */
  if (stream)
    signal_wait (&self->shared->empty, syscall_counter (self));
  segment_lock (self);
  timed_copy (self, self->segment_data, self->source, &self->me->copy_in_ns,
              &self->me->copy_in_bytes);
  segment_unlock (self);
  signal_post (&self->shared->full[peer], syscall_counter (self));
}

static guint64
timed_checksum (Child        *self,
                const guint8 *data)
{
  gint64 start = shmlab_bench_now_ns ();
  guint64 checksum = shmlab_bench_checksum (data, self->size);

  self->check_ns += shmlab_bench_now_ns () - start;
  return checksum;
}

/* Receives one message and checks every byte; returns its stamp. The time
 * spent checking is left in check_ns. */
static guint64
receive_message (Child    *self,
                 gboolean  stream)
{
  /* With the checks taken out of the figures, the writer waits for them:
   * else it would fill the segment during a check, and its work be taken out too. */
  gboolean free_after_check = self->shared->checks_off_clock;
  guint64 checksum, stamp;

  self->check_ns = 0;
  if (!self->uses_shm)
    {
      checksum = read_all (self);
      stamp = read_stamp (self->buffer);
    }
  else if (self->in_place)
    {
      /* Zero copies out: the bytes are used where they are, under the lock. */
      signal_wait (&self->shared->full[self->side], syscall_counter (self));
      segment_lock (self);
      checksum = timed_checksum (self, self->segment_data);
      stamp = read_stamp (self->segment_data);
      segment_unlock (self);
      if (stream)
        signal_post (&self->shared->empty, syscall_counter (self));
    }
  else
    {
      /* The apps' path: lock, copy out, unlock, then use the private copy. */
      signal_wait (&self->shared->full[self->side], syscall_counter (self));
      segment_lock (self);
      timed_copy (self, self->buffer, self->segment_data, &self->me->copy_out_ns,
                  &self->me->copy_out_bytes);
      segment_unlock (self);
      if (stream && !free_after_check)
        signal_post (&self->shared->empty, syscall_counter (self));
      checksum = timed_checksum (self, self->buffer);
      stamp = read_stamp (self->buffer);
      if (stream && free_after_check)
        signal_post (&self->shared->empty, syscall_counter (self));
    }

  self->me->received++;
  self->me->checked++;
  self->me->checksum_received += checksum;
  if (checksum != expected_checksum (self, stamp))
    self->me->mismatches++;
  return stamp;
}

static void
setup_segment (Child *self)
{
  g_autoptr(GError) error = NULL;

  self->segment = shmlab_segment_new (self->backend);
  if (!shmlab_segment_set_key (self->segment, self->shared->key, &error))
    child_fail (self, "%s", error->message);

  if (self->side == SHMLAB_BENCH_SIDE_A)
    {
      if (!shmlab_segment_create (self->segment, self->size, SHMLAB_ACCESS_READ_WRITE, NULL,
                                  &error))
        child_fail (self, _("the writer could not create its segment: %s"), error->message);
      signal_post (&self->shared->created, &self->ignored_syscalls);
    }
  else
    {
      signal_wait (&self->shared->created, &self->ignored_syscalls);
      /* Read-write: the reader answers each ping through the same segment. */
      if (!shmlab_segment_attach (self->segment, SHMLAB_ACCESS_READ_WRITE, NULL, &error))
        child_fail (self, _("the reader could not attach to the segment: %s"), error->message);
    }
  self->segment_data = shmlab_segment_get_data (self->segment);
  if (self->segment_data == NULL || shmlab_segment_get_size (self->segment) < self->size)
    child_fail (self, _("the segment of key “%s” is smaller than the %zu"
                "-byte message"), self->shared->key, self->size);
}

static void
teardown_segment (Child *self)
{
  g_autoptr(GError) error = NULL;

  if (self->segment == NULL)
    return;
  if (!shmlab_segment_detach (self->segment, &error))
    child_fail (self, "%s", error->message);
  g_clear_object (&self->segment);
}

static guint8 *
allocate_touched (Child *self)
{
  guint8 *buffer = g_try_malloc (self->size);

  if (buffer == NULL)
    child_fail (self, _("not enough memory for a %zu-byte buffer: try smaller "
                "--sizes"), self->size);
  /* Touch every page now, so no page fault is timed. */
  memset (buffer, 0, self->size);
  return buffer;
}

static void
run_writer (Child *self)
{
  ShmlabBenchShared *shared = self->shared;
  gint64 deadline;
  guint64 seq = 0;

  signal_wait (&shared->ready, &self->ignored_syscalls);

  /* Latency: ping, pong, half the round trip; the first rounds warm up. */
  deadline = shmlab_bench_now_ns () + shared->latency_budget_ns;
  for (guint i = 0;; i++)
    {
      guint recorded = i >= SHMLAB_BENCH_WARMUP ? i - SHMLAB_BENCH_WARMUP + 1 : 0;
      gboolean last = recorded >= SHMLAB_BENCH_MAX_SAMPLES ||
                      (recorded >= shared->min_samples && shmlab_bench_now_ns () >= deadline);
      guint64 stamp = seq++ | (last ? SHMLAB_BENCH_STAMP_LAST : 0);
      gint64 start = shmlab_bench_now_ns ();
      guint64 answer;
      gint64 round_trip;

      send_message (self, stamp, FALSE);
      answer = receive_message (self, FALSE);
      round_trip = shmlab_bench_now_ns () - start;
      if (shared->checks_off_clock)
        round_trip -= self->check_ns + shared->answer_check_ns;
      if (recorded > 0)
        shared->samples[shared->n_samples++] = (double) MAX (round_trip, 0) / 2.0;
      if (answer != (stamp | SHMLAB_BENCH_STAMP_FROM_B))
        child_fail (self, _("the answer to ping %" PRIu64 " came back stamped "
                    "0x%lx: the messages got out of step"), seq - 1, answer);
      if (last)
        break;
    }

  /* Throughput: a stream, in timed runs that the reader ends by the clock. */
  self->counting = TRUE;
  self->timing_copies = self->size >= TIMED_COPY_MIN_SIZE;
  for (guint run = 0; run < shared->runs; run++)
    {
      guint64 messages = 0;
      gboolean last;

      signal_wait (&shared->ready, &self->ignored_syscalls);
      shared->run_start[run] = shmlab_bench_now_ns ();
      deadline = shared->run_start[run] + shared->run_budget_ns;
      do
        {
          guint64 stamp = seq++;

          last = shmlab_bench_now_ns () >= deadline;
          if (last)
            stamp |= SHMLAB_BENCH_STAMP_LAST;
          if (last && run + 1 == shared->runs)
            stamp |= SHMLAB_BENCH_STAMP_END;
          send_message (self, stamp, TRUE);
          messages++;
        }
      while (!last);
      shared->run_messages[run] = messages;
    }
  shared->n_runs = shared->runs;
  self->counting = FALSE;
}

static void
run_reader (Child *self)
{
  ShmlabBenchShared *shared = self->shared;
  guint64 expected_seq = 0;

  signal_post (&shared->ready, &self->ignored_syscalls);

  for (;;)
    {
      guint64 stamp = receive_message (self, FALSE);

      if ((stamp & (SHMLAB_BENCH_STAMP_SEQ_MASK | SHMLAB_BENCH_STAMP_FROM_B)) != expected_seq)
        child_fail (self, _("ping %" PRIu64 " arrived stamped 0x%lx: "
                    "a message was lost or repeated"), expected_seq, stamp);
      expected_seq++;
      shared->answer_check_ns = self->check_ns;
      send_message (self, stamp | SHMLAB_BENCH_STAMP_FROM_B, FALSE);
      if (stamp & SHMLAB_BENCH_STAMP_LAST)
        break;
    }

  self->counting = TRUE;
  self->timing_copies = self->size >= TIMED_COPY_MIN_SIZE;
  for (guint run = 0;; run++)
    {
      gint64 checking = 0;
      guint64 stamp;

      signal_post (&shared->ready, &self->ignored_syscalls);
      do
        {
          stamp = receive_message (self, TRUE);
          checking += self->check_ns;
          if ((stamp & (SHMLAB_BENCH_STAMP_SEQ_MASK | SHMLAB_BENCH_STAMP_FROM_B)) != expected_seq)
            child_fail (self, _("message %" PRIu64 " arrived stamped 0x"
                        "%lx: a message was lost or repeated"), expected_seq, stamp);
          expected_seq++;
        }
      while (!(stamp & SHMLAB_BENCH_STAMP_LAST));
      if (run < SHMLAB_BENCH_MAX_RUNS)
        {
          shared->run_end[run] = shmlab_bench_now_ns ();
          shared->run_check_ns[run] = checking;
        }
      if (stamp & SHMLAB_BENCH_STAMP_END)
        break;
    }
  self->counting = FALSE;
}

/* One process copying to itself: each batch of copies is timed, then its
 * last copy is checked with the clock stopped. */
static void
run_memcpy (Child *self)
{
  ShmlabBenchShared *shared = self->shared;
  guint8 *dest = allocate_touched (self);
  guint64 seq = 0, stamp = 0;
  gint64 start, one, deadline;
  guint batch;

  for (guint i = 0; i < 3; i++)
    copy_bytes (dest, self->source, self->size);
  start = shmlab_bench_now_ns ();
  copy_bytes (dest, self->source, self->size);
  one = MAX (shmlab_bench_now_ns () - start, 1);
  /* Batches of about 2 µs, so that reading the clock costs nothing. */
  batch = (guint) CLAMP (2000 / one, 1, 4096);

#define CHECK_DEST()                                                                  \
  G_STMT_START                                                                        \
  {                                                                                   \
    guint64 checksum = shmlab_bench_checksum (dest, self->size);                      \
    self->me->checked++;                                                              \
    self->me->checksum_sent += expected_checksum (self, stamp);                       \
    self->me->checksum_received += checksum;                                          \
    if (checksum != expected_checksum (self, stamp))                                  \
      self->me->mismatches++;                                                         \
  }                                                                                   \
  G_STMT_END

  deadline = shmlab_bench_now_ns () + shared->latency_budget_ns;
  while (shared->n_samples < SHMLAB_BENCH_MAX_SAMPLES &&
         (shared->n_samples < shared->min_samples || shmlab_bench_now_ns () < deadline))
    {
      start = shmlab_bench_now_ns ();
      for (guint i = 0; i < batch; i++)
        {
          stamp = seq++;
          stamp_source (self, stamp);
          copy_bytes (dest, self->source, self->size);
        }
      shared->samples[shared->n_samples++] = (double) (shmlab_bench_now_ns () - start) / batch;
      self->me->sent += batch;
      self->me->received += batch;
      CHECK_DEST ();
    }

  for (guint run = 0; run < shared->runs; run++)
    {
      guint64 messages = 0;

      shared->run_start[run] = shmlab_bench_now_ns ();
      deadline = shared->run_start[run] + shared->run_budget_ns;
      do
        {
          for (guint i = 0; i < batch; i++)
            {
              stamp = seq++;
              stamp_source (self, stamp);
              copy_bytes (dest, self->source, self->size);
            }
          messages += batch;
        }
      while (shmlab_bench_now_ns () < deadline);
      shared->run_end[run] = shmlab_bench_now_ns ();
      shared->run_messages[run] = messages;
      self->me->sent += messages;
      self->me->received += messages;
      CHECK_DEST ();
    }
  shared->n_runs = shared->runs;
#undef CHECK_DEST
  g_free (dest);
}

int
shmlab_bench_child_main (ShmlabBenchShared *shared,
                         guint              side,
                         guint8            *pattern)
{
  Child self = { 0 };

  self.me = &shared->side[side];
  signal (SIGPIPE, SIG_IGN);
  if (shared->cpus[side] >= 0)
    {
      cpu_set_t set;

      CPU_ZERO (&set);
      CPU_SET (shared->cpus[side], &set);
      if (sched_setaffinity (0, sizeof set, &set) != 0)
        child_fail (&self, _("cannot run on processor %d: %s"), shared->cpus[side],
                    g_strerror (errno));
    }

  self.shared = shared;
  self.side = side;
  self.me = &shared->side[side];
  self.mechanism = shared->mechanism;
  self.size = (gsize) shared->size;
  self.uses_shm = shmlab_bench_mechanism_uses_shm (self.mechanism, &self.backend);
  self.in_place = self.mechanism == SHMLAB_BENCH_SHM_INPLACE;
  self.send_fd = shared->fds[side][0];
  self.receive_fd = shared->fds[side][1];
  for (guint s = 0; s < 2; s++)
    for (guint d = 0; d < 2; d++)
      if (s != side && shared->fds[s][d] >= 0 && shared->fds[s][d] != self.send_fd &&
          shared->fds[s][d] != self.receive_fd)
        close (shared->fds[s][d]);

  /* The pattern is this process's own copy since the fork: stamping it is private. */
  self.source = pattern;

  if (self.mechanism == SHMLAB_BENCH_MEMCPY)
    {
      run_memcpy (&self);
      return 0;
    }

  if (!self.in_place)
    self.buffer = allocate_touched (&self);
  if (self.uses_shm)
    setup_segment (&self);

  if (side == SHMLAB_BENCH_SIDE_A)
    run_writer (&self);
  else
    run_reader (&self);

  teardown_segment (&self);
  g_free (self.buffer);
  return 0;
}
