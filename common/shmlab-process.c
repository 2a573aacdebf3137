/* shmlab-process.c — whether another process still runs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-process.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

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
