/* shmlab-process.c — whether another process still runs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-process.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

/* This process's pid, 0 until asked (and again in a child after fork()). */
static guint32 self_pid;

static void
forget_self_pid (void)
{
  self_pid = 0;
}

/**
 * shmlab_process_self:
 *
 * getpid(), without a system call each time: what a lock records on every
 * take and give back (a child made by fork() asks again).
 */
guint32
shmlab_process_self (void)
{
  static gsize registered = 0;
  guint32 pid;

  if (g_once_init_enter (&registered))
    {
      pthread_atfork (NULL, NULL, forget_self_pid);
      g_once_init_leave (&registered, 1);
    }
  pid = __atomic_load_n (&self_pid, __ATOMIC_RELAXED);
  if (pid == 0)
    {
      pid = (guint32) getpid ();
      __atomic_store_n (&self_pid, pid, __ATOMIC_RELAXED);
    }
  return pid;
}

/**
 * shmlab_process_has_ended:
 * @pid: a pid read from a segment (hostile: any value)
 *
 * Whether @pid no longer runs: gone, or a zombie waiting for its parent.
 * A pid this user may not signal, or 0, has not ended as far as we know.
 */
gboolean
shmlab_process_has_ended (guint32 pid)
{
  g_autofree char *path = NULL;
  g_autofree char *stat = NULL;
  const char *state;

  if (pid == 0 || pid > G_MAXINT)
    return FALSE;
  if (kill ((pid_t) pid, 0) != 0)
    return errno == ESRCH;
  path = g_strdup_printf ("/proc/%u/stat", pid);
  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return FALSE;
  state = strrchr (stat, ')');
  return state != NULL && state[1] == ' ' && state[2] == 'Z';
}
