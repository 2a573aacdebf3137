/* shmlab-bench-process.c — the processes a measurement forks: started so
 * that they die with the bench, watched without waking them, stopped all
 * at once when one fails, on Ctrl+C or past a deadline, and reaped
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-bench-process.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shmlab-bench-stats.h"

void
shmlab_bench_process_init (ShmlabBenchProcess *process,
                           const char         *role)
{
  memset (process, 0, sizeof *process);
  process->role = role;
  process->pid = -1;
  process->pidfd = -1;
}

static int
open_pidfd (pid_t pid)
{
#ifdef SYS_pidfd_open
  return (int) syscall (SYS_pidfd_open, pid, 0);
#else
  errno = ENOSYS;
  return -1;
#endif
}

/**
 * shmlab_bench_process_spawn:
 * @main_func: what the new process runs, with @data (its own copy since
 *   the fork); it never returns to the caller's code
 *
 * Forks a process that dies with this one, whatever becomes of it.
 */
gboolean
shmlab_bench_process_spawn (ShmlabBenchProcess      *process,
                            ShmlabBenchProcessMain   main_func,
                            gpointer                 data,
                            GError                 **error)
{
  pid_t parent = getpid ();
  pid_t pid = fork ();

  if (pid < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("cannot start a process: %s"), g_strerror (saved_errno));
      return FALSE;
    }
  if (pid == 0)
    {
      prctl (PR_SET_PDEATHSIG, SIGKILL);
      /* The bench ended before the line above: nobody would stop this one. */
      if (getppid () != parent)
        _exit (1);
      _exit (main_func (data));
    }

  process->pid = pid;
  process->pidfd = open_pidfd (pid);
  process->running = TRUE;
  return TRUE;
}

void
shmlab_bench_process_reap (ShmlabBenchProcess *process,
                           gboolean            block)
{
  int status;
  pid_t got;

  if (!process->running)
    return;
  do
    got = waitpid (process->pid, &status, block ? 0 : WNOHANG);
  while (got < 0 && errno == EINTR);
  if (got == process->pid || (got < 0 && errno == ECHILD))
    {
      process->running = FALSE;
      process->status = got == process->pid ? status : 0;
      if (process->pidfd >= 0)
        close (process->pidfd);
      process->pidfd = -1;
    }
}

void
shmlab_bench_process_kill_and_reap (ShmlabBenchProcess *process)
{
  if (!process->running)
    return;
  kill (process->pid, SIGKILL);
  process->stopped = TRUE;
  shmlab_bench_process_reap (process, TRUE);
}

/* Whether it ended, and not with status 0. */
gboolean
shmlab_bench_process_failed (const ShmlabBenchProcess *process)
{
  return !process->running && process->pid > 0 &&
         !(WIFEXITED (process->status) && WEXITSTATUS (process->status) == 0);
}

/**
 * shmlab_bench_process_describe_failure:
 * @reported: (nullable): what the process itself wrote down before it
 *   ended, if anything
 *
 * Why a process that failed did, in one sentence.
 */
char *
shmlab_bench_process_describe_failure (const ShmlabBenchProcess *process,
                                       const char               *reported)
{
  if (WIFEXITED (process->status))
    {
      if (reported != NULL && reported[0] != '\0')
        return g_utf8_make_valid (reported, -1);
      return g_strdup_printf (_("the %s process ended with status %d"), process->role,
                              WEXITSTATUS (process->status));
    }
  if (WIFSIGNALED (process->status))
    return g_strdup_printf (_("the %s process was killed by signal %d (%s)"), process->role,
                            WTERMSIG (process->status), g_strsignal (WTERMSIG (process->status)));
  return g_strdup_printf (_("the %s process ended abnormally"), process->role);
}

/**
 * shmlab_bench_supervise:
 * @deadline: on shmlab_bench_now_ns()'s clock
 *
 * Waits for the processes to end, without waking up while they measure;
 * stops them all when one fails, on Ctrl+C (@cancellable), or at
 * @deadline. Every process is reaped when it returns.
 */
ShmlabBenchSuperviseOutcome
shmlab_bench_supervise (ShmlabBenchProcess *processes,
                        guint               n_processes,
                        gint64              deadline,
                        GCancellable       *cancellable)
{
  GPollFD cancel_fd = { -1, 0, 0 };
  gboolean have_cancel_fd = cancellable != NULL && g_cancellable_make_pollfd (cancellable,
                                                                                &cancel_fd);
  ShmlabBenchSuperviseOutcome outcome = SHMLAB_BENCH_SUPERVISE_DONE;

  g_return_val_if_fail (n_processes <= SHMLAB_BENCH_MAX_PROCESSES, SHMLAB_BENCH_SUPERVISE_DONE);

  for (;;)
    {
      struct pollfd fds[SHMLAB_BENCH_MAX_PROCESSES + 1];
      nfds_t n_fds = 0;
      gboolean any_running = FALSE, any_failed = FALSE, polling = FALSE;
      gint64 left_ms;

      for (guint i = 0; i < n_processes; i++)
        {
          shmlab_bench_process_reap (&processes[i], FALSE);
          any_running |= processes[i].running;
          any_failed |= shmlab_bench_process_failed (&processes[i]);
        }
      if (any_failed)
        for (guint i = 0; i < n_processes; i++)
          shmlab_bench_process_kill_and_reap (&processes[i]);
      if (!any_running || any_failed)
        break;

      if (g_cancellable_is_cancelled (cancellable))
        outcome = SHMLAB_BENCH_SUPERVISE_CANCELLED;
      else if (shmlab_bench_now_ns () >= deadline)
        outcome = SHMLAB_BENCH_SUPERVISE_TIMED_OUT;
      if (outcome != SHMLAB_BENCH_SUPERVISE_DONE)
        {
          for (guint i = 0; i < n_processes; i++)
            shmlab_bench_process_kill_and_reap (&processes[i]);
          break;
        }

      if (have_cancel_fd)
        fds[n_fds++] = (struct pollfd) { cancel_fd.fd, POLLIN, 0 };
      for (guint i = 0; i < n_processes; i++)
        if (processes[i].running)
          {
            if (processes[i].pidfd >= 0)
              fds[n_fds++] = (struct pollfd) { processes[i].pidfd, POLLIN, 0 };
            else
              polling = TRUE;
          }
      left_ms = (deadline - shmlab_bench_now_ns ()) / 1000000 + 1;
      poll (fds, n_fds, (int) CLAMP (left_ms, 0, polling ? 20 : G_MAXINT));
    }

  if (have_cancel_fd)
    g_cancellable_release_fd (cancellable);
  return outcome;
}
