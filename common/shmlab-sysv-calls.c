/* shmlab-sysv-calls.c — shmget() and semget(), with a test seam
 *
 * Some containers have no System V IPC: the calls fail with ENOSYS, and
 * ShmLab must say so and point at the POSIX backend. With
 * SHMLAB_TEST_NO_SYSV=1 in the environment these calls fail that way, so the
 * tests can show the message on any machine.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-sysv-calls.h"

#include <errno.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>

static gboolean
sysv_missing (void)
{
  static gsize checked = 0;
  static gboolean missing;

  if (g_once_init_enter (&checked))
    {
      missing = g_strcmp0 (g_getenv ("SHMLAB_TEST_NO_SYSV"), "1") == 0;
      g_once_init_leave (&checked, 1);
    }
  return missing;
}

int
shmlab_sysv_shmget (key_t  key,
                    size_t size,
                    int    flags)
{
  if (sysv_missing ())
    {
      errno = ENOSYS;
      return -1;
    }
  return shmget (key, size, flags);
}

int
shmlab_sysv_semget (key_t key,
                    int   n_sems,
                    int   flags)
{
  if (sysv_missing ())
    {
      errno = ENOSYS;
      return -1;
    }
  return semget (key, n_sems, flags);
}
