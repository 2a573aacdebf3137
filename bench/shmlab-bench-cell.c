/* shmlab-bench-cell.c — one measurement of one mechanism at one size: open
 * the channel, fork the writer and the reader, watch over them, reap them,
 * remove what they made, and turn what they recorded into figures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-bench-cell.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "shmlab-bench-private.h"
#include "shmlab-bench-process.h"
#include "shmlab-bench-stats.h"
#include "shmlab-command.h"
#include "shmlab-segment.h"

/* Shares of a cell's time: the rest is the warm-up and the slack. */
#define LATENCY_SHARE 0.45
#define THROUGHPUT_SHARE 0.45

/* Random bytes, so that no transport can compress or guess them. */
guint8 *
shmlab_bench_pattern_new (gsize size)
{
  guint8 *pattern = g_try_malloc (MAX (size, 8));
  guint64 x = G_GUINT64_CONSTANT (0x2545f4914f6cdd1d);

  if (pattern == NULL)
    return NULL;
  for (gsize i = 0; i < size; i += 8)
    {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      memcpy (pattern + i, &x, MIN (8, size - i));
    }
  return pattern;
}

/* Removes a segment the bench made, with its lock and key files; what
 * cannot be removed is a warning on stderr, in one line, as the shmlab
 * commands print theirs. */
void
shmlab_bench_remove_key (const char    *key,
                         ShmlabBackend  backend)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *remove = NULL;
  g_autofree char *line = NULL;

  if (shmlab_segment_remove_key (key, backend, TRUE, &error) ||
      g_error_matches (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_NOT_FOUND))
    return;
  remove = shmlab_command_for_key ("remove", key, backend, NULL);
  message = g_strdup_printf (_("could not remove the bench's segment “%s”: %s; remove it with: %s"),
                             key, error->message, remove);
  line = g_strstrip (g_strdelimit (g_utf8_make_valid (message, -1), "\r\n", ' '));
  g_printerr (_("shmlab: warning: %s\n"), line);
}

static void
set_errno_error (GError     **error,
                 const char  *what)
{
  int saved_errno = errno;

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), _("cannot %s: %s"), what,
               g_strerror (saved_errno));
}

/* Closes the parent's ends; the table itself stays as the processes read it. */
static void
close_channels (const ShmlabBenchShared *shared)
{
  int fds[4];

  memcpy (fds, shared->fds, sizeof fds);
  for (guint i = 0; i < G_N_ELEMENTS (fds); i++)
    {
      if (fds[i] < 0)
        continue;
      close (fds[i]);
      /* A socket is both ends of its side: close it once. */
      for (guint j = i + 1; j < G_N_ELEMENTS (fds); j++)
        if (fds[j] == fds[i])
          fds[j] = -1;
    }
}

static gboolean
open_tcp_loopback (ShmlabBenchShared  *shared,
                   GError            **error)
{
  struct sockaddr_in address = { 0 };
  socklen_t length = sizeof address;
  int listener, client = -1, server = -1, one = 1;

  listener = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener < 0)
    {
      set_errno_error (error, _("open a TCP socket"));
      return FALSE;
    }
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  address.sin_port = 0;
  if (bind (listener, (struct sockaddr *) &address, sizeof address) != 0 ||
      listen (listener, 1) != 0 ||
      getsockname (listener, (struct sockaddr *) &address, &length) != 0)
    {
      set_errno_error (error, _("listen on 127.0.0.1"));
      close (listener);
      return FALSE;
    }
  client = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (client < 0 || connect (client, (struct sockaddr *) &address, sizeof address) != 0 ||
      (server = accept4 (listener, NULL, NULL, SOCK_CLOEXEC)) < 0)
    {
      set_errno_error (error, _("connect to 127.0.0.1"));
      if (client >= 0)
        close (client);
      close (listener);
      return FALSE;
    }
  close (listener);
  /* Each message leaves at once, as a latency measurement needs. */
  setsockopt (client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  setsockopt (server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  shared->fds[SHMLAB_BENCH_SIDE_A][0] = shared->fds[SHMLAB_BENCH_SIDE_A][1] = client;
  shared->fds[SHMLAB_BENCH_SIDE_B][0] = shared->fds[SHMLAB_BENCH_SIDE_B][1] = server;
  return TRUE;
}

static gboolean
open_channels (ShmlabBenchShared  *shared,
               GError            **error)
{
  int a_to_b[2], b_to_a[2], pair[2];

  switch (shared->mechanism)
    {
    case SHMLAB_BENCH_PIPE:
      if (pipe2 (a_to_b, O_CLOEXEC) != 0)
        {
          set_errno_error (error, _("open a pipe"));
          return FALSE;
        }
      if (pipe2 (b_to_a, O_CLOEXEC) != 0)
        {
          set_errno_error (error, _("open a pipe"));
          close (a_to_b[0]);
          close (a_to_b[1]);
          return FALSE;
        }
      shared->fds[SHMLAB_BENCH_SIDE_A][0] = a_to_b[1];
      shared->fds[SHMLAB_BENCH_SIDE_A][1] = b_to_a[0];
      shared->fds[SHMLAB_BENCH_SIDE_B][0] = b_to_a[1];
      shared->fds[SHMLAB_BENCH_SIDE_B][1] = a_to_b[0];
      return TRUE;

    case SHMLAB_BENCH_UNIX_SOCKET:
      if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
        {
          set_errno_error (error, _("open a Unix socket pair"));
          return FALSE;
        }
      shared->fds[SHMLAB_BENCH_SIDE_A][0] = shared->fds[SHMLAB_BENCH_SIDE_A][1] = pair[0];
      shared->fds[SHMLAB_BENCH_SIDE_B][0] = shared->fds[SHMLAB_BENCH_SIDE_B][1] = pair[1];
      return TRUE;

    case SHMLAB_BENCH_TCP_LOOPBACK:
      return open_tcp_loopback (shared, error);

    case SHMLAB_BENCH_MEMCPY:
    case SHMLAB_BENCH_SHM_SYSV:
    case SHMLAB_BENCH_SHM_POSIX:
    case SHMLAB_BENCH_SHM_FILE:
    case SHMLAB_BENCH_SHM_INPLACE:
    case SHMLAB_BENCH_N_MECHANISMS:
    default:
      return TRUE;
    }
}

typedef struct
{
  ShmlabBenchShared *shared;
  guint side;
  guint8 *pattern;
} Side;

static int
side_main (gpointer data)
{
  Side *side = data;

  return shmlab_bench_child_main (side->shared, side->side, side->pattern);
}

/* Adds what one pass recorded to @result; a pass whose checks fail spoils it. */
static void
collect (const ShmlabBenchShared *shared,
         guint                    n_processes,
         ShmlabBenchResult       *result)
{
  const ShmlabBenchSide *a = &shared->side[SHMLAB_BENCH_SIDE_A];
  const ShmlabBenchSide *b = &shared->side[SHMLAB_BENCH_SIDE_B];
  guint64 sent = a->sent + b->sent, received = a->received + b->received;
  guint64 checked = a->checked + b->checked;
  guint64 checksum_sent = a->checksum_sent + b->checksum_sent;
  guint64 checksum_received = a->checksum_received + b->checksum_received;
  guint64 mismatches = a->mismatches + b->mismatches;
  guint n_runs = MIN (shared->n_runs, SHMLAB_BENCH_MAX_RUNS);
  guint n_samples = MIN (shared->n_samples, SHMLAB_BENCH_MAX_SAMPLES);

  result->messages += received;
  result->checked += checked;
  result->bytes += received * shared->size;
  result->checksum_sent += checksum_sent;
  result->checksum_received += checksum_received;
  result->mismatches += mismatches;

  if (mismatches > 0 || checksum_sent != checksum_received)
    {
      result->error = g_strdup_printf (
        _("%" PRIu64 " of %" PRIu64 " checked messages did not arrive as "
        "sent (checksums: sent 0x%016lx, received 0x%016l"
        "x): the bytes were not delivered intact, so no figure is given"),
        MAX (mismatches, 1), checked, checksum_sent, checksum_received);
      return;
    }
  if (sent != received || (n_processes == 2 && checked != received))
    {
      result->error = g_strdup_printf (_("%" PRIu64 " messages were sent but %"
                                       PRIu64 " were received and checked"),
                                       sent, checked);
      return;
    }
  if (n_samples == 0 || n_runs == 0)
    {
      result->error = g_strdup (_("nothing was measured: the processes ended too early"));
      return;
    }

  g_array_append_vals (result->samples, shared->samples, n_samples);
  for (guint r = 0; r < n_runs; r++)
    {
      gint64 elapsed = shared->run_end[r] - shared->run_start[r];
      double rate;

      if (shared->checks_off_clock)
        elapsed -= shared->run_check_ns[r];
      result->stream_messages += shared->run_messages[r];
      if (elapsed <= 0)
        continue;
      rate = (double) shared->run_messages[r] * (double) shared->size * 1e9 / (double) elapsed;
      g_array_append_val (result->rates, rate);
    }
  result->stream_syscalls += a->stream_syscalls + b->stream_syscalls;
  result->copy_in_ns += a->copy_in_ns;
  result->copy_in_bytes += a->copy_in_bytes;
  result->copy_out_ns += b->copy_out_ns;
  result->copy_out_bytes += b->copy_out_bytes;
  result->passes++;
}

void
shmlab_bench_result_init (ShmlabBenchResult *result,
                          guint64            size)
{
  memset (result, 0, sizeof *result);
  result->size = size;
  result->syscalls_per_message = -1;
  result->samples = g_array_new (FALSE, FALSE, sizeof (double));
  result->rates = g_array_new (FALSE, FALSE, sizeof (double));
}

void
shmlab_bench_result_clear (ShmlabBenchResult *result)
{
  g_clear_pointer (&result->error, g_free);
  g_clear_pointer (&result->samples, g_array_unref);
  g_clear_pointer (&result->rates, g_array_unref);
}

/* The medians and rates of everything the passes pooled. */
void
shmlab_bench_result_finish (ShmlabBenchResult *result)
{
  double *samples = (double *) result->samples->data;
  double *rates = (double *) result->rates->data;

  result->ok = FALSE;
  if (result->error != NULL)
    return;
  if (result->samples->len == 0 || result->rates->len == 0)
    {
      result->error = g_strdup (_("nothing was measured: the processes ended too early"));
      return;
    }

  result->latency_samples = result->samples->len;
  result->latency_median_ns = shmlab_bench_median (samples, result->samples->len);
  result->latency_p99_ns = shmlab_bench_percentile (samples, result->samples->len, 99);
  result->runs = result->rates->len;
  result->throughput_median = shmlab_bench_median (rates, result->rates->len);
  result->throughput_min = rates[0];
  result->throughput_max = rates[result->rates->len - 1];
  result->syscalls_per_message = result->stream_messages > 0
    ? (double) result->stream_syscalls / (double) result->stream_messages
    : -1;
  if (result->copy_in_ns > 0)
    result->copy_in_rate = (double) result->copy_in_bytes * 1e9 / (double) result->copy_in_ns;
  if (result->copy_out_ns > 0)
    result->copy_out_rate = (double) result->copy_out_bytes * 1e9 / (double) result->copy_out_ns;
  result->ok = TRUE;
}

/**
 * shmlab_bench_run_cell:
 * @pattern: at least @size random bytes; each process stamps its own copy
 * @result: where this pass's figures are added, or why there are none is said
 *
 * Measures @mechanism at @size once more. A failure of the measurement (a
 * process that fails, a checksum that does not match, a stuck process) is
 * recorded in @result; only Ctrl+C (through @cancellable) returns %FALSE.
 * Either way every process is reaped and every segment removed.
 */
gboolean
shmlab_bench_run_cell (ShmlabBenchMechanism   mechanism,
                       guint64                size,
                       const guint8          *pattern,
                       const ShmlabBenchPlan *plan,
                       GCancellable          *cancellable,
                       ShmlabBenchResult     *result,
                       GError               **error)
{
  const ShmlabBenchMechanismInfo *info = shmlab_bench_mechanism_info (mechanism);
  g_autoptr(GError) local_error = NULL;
  ShmlabBenchProcess processes[2];
  ShmlabBenchShared *shared;
  ShmlabBackend backend;
  gboolean uses_shm = shmlab_bench_mechanism_uses_shm (mechanism, &backend);
  gint64 started = shmlab_bench_now_ns (), deadline;
  ShmlabBenchSuperviseOutcome outcome = SHMLAB_BENCH_SUPERVISE_DONE;
  guint n_started = 0;

  g_return_val_if_fail (result->size == size, FALSE);
  shmlab_bench_process_init (&processes[0],
                             mechanism == SHMLAB_BENCH_MEMCPY ? "copying" : "writer");
  shmlab_bench_process_init (&processes[1], "reader");

  shared = mmap (NULL, sizeof *shared, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared == MAP_FAILED)
    {
      result->error = g_strdup_printf (_("cannot map memory to share with the processes: %s"),
                                       g_strerror (errno));
      return TRUE;
    }

  shared->mechanism = mechanism;
  shared->size = size;
  shared->latency_budget_ns = (gint64) (plan->cell_seconds * LATENCY_SHARE * 1e9);
  shared->runs = CLAMP (plan->runs, 1, SHMLAB_BENCH_MAX_RUNS);
  shared->run_budget_ns = (gint64) (plan->cell_seconds * THROUGHPUT_SHARE * 1e9 / shared->runs);
  shared->min_samples = MAX (plan->min_samples, 1);
  shmlab_bench_sum_init (&shared->base);
  shmlab_bench_sum_update (&shared->base, pattern, (gsize) size);
  memcpy (&shared->base_word, pattern, sizeof shared->base_word);
  shared->base_word = GUINT64_FROM_LE (shared->base_word);
  g_snprintf (shared->key, sizeof shared->key, "%s-%s-%" G_GUINT64_FORMAT, plan->key_prefix,
              info->name, size);
  shared->empty.value = 1;
  shared->cpus[0] = plan->cpus[0];
  shared->cpus[1] = plan->cpus[1];
  /* On one processor the two never run at once, so a check's time is the check's alone. */
  shared->checks_off_clock = plan->cpus[0] >= 0 && plan->cpus[0] == plan->cpus[1];
  for (guint s = 0; s < 2; s++)
    shared->fds[s][0] = shared->fds[s][1] = -1;

  if (!open_channels (shared, &local_error))
    {
      result->error = g_strdup (local_error->message);
      munmap (shared, sizeof *shared);
      return TRUE;
    }

  for (; n_started < info->processes; n_started++)
    {
      Side side = { shared, n_started, (guint8 *) pattern };

      if (!shmlab_bench_process_spawn (&processes[n_started], side_main, &side, &local_error))
        break;
    }
  close_channels (shared);

  /* Generous: only a stuck process takes this long. */
  deadline = started + (gint64) ((plan->cell_seconds * 5 + 30) * 1e9);
  if (local_error != NULL)
    for (guint i = 0; i < n_started; i++)
      shmlab_bench_process_kill_and_reap (&processes[i]);
  else
    outcome = shmlab_bench_supervise (processes, n_started, deadline, cancellable);

  if (uses_shm)
    shmlab_bench_remove_key (shared->key, backend);
  result->seconds += (double) (shmlab_bench_now_ns () - started) / 1e9;

  if (outcome == SHMLAB_BENCH_SUPERVISE_CANCELLED)
    {
      munmap (shared, sizeof *shared);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("interrupted"));
      return FALSE;
    }

  if (local_error != NULL)
    result->error = g_strdup (local_error->message);
  else if (outcome == SHMLAB_BENCH_SUPERVISE_TIMED_OUT)
    result->error = g_strdup_printf (_("did not finish within %.0f s, so its processes were "
                                     "stopped: one of them is stuck (is the machine overloaded?)"),
                                     (double) (deadline - started) / 1e9);
  else
    {
      /* The one that failed on its own explains; the other was only stopped. */
      for (guint i = 0; i < n_started && result->error == NULL; i++)
        if (shmlab_bench_process_failed (&processes[i]) && !processes[i].stopped)
          result->error = shmlab_bench_process_describe_failure (&processes[i],
                                                                 shared->side[i].error);
      if (result->error == NULL)
        collect (shared, n_started, result);
    }

  munmap (shared, sizeof *shared);
  return TRUE;
}
