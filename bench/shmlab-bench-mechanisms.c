/* shmlab-bench-mechanisms.c — the ways of moving bytes that `shmlab bench`
 * compares, and what each costs by construction
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-bench-mechanisms.h"

#include <glib/gi18n-lib.h>

#include <string.h>

/* Copies and system calls are per message in a stream, both processes
 * together, as the code in shmlab-bench-child.c makes them. A lock's and an
 * unlock's system calls are those strace shows through ShmlabSegment,
 * (the lock holder's record asks getpid() once per process, not per lock). */
static const ShmlabBenchMechanismInfo mechanisms[SHMLAB_BENCH_N_MECHANISMS] = {
  [SHMLAB_BENCH_MEMCPY] = {
    "memcpy", 1, 1, "memcpy() from one buffer to another",
    "0", "none",
    "one process copies the message with memcpy(): the most one core can copy",
    FALSE, SHMLAB_BACKEND_DEFAULT, 0, 0,
  },
  [SHMLAB_BENCH_SHM_SYSV] = {
    "shm-sysv", 2, 2, "memcpy() in and memcpy() out, each under the lock",
    N_("4 semop + ≤4 futex"), "futex",
    N_("the apps' path on System V (as Qt on Linux): the writer locks, copies in, unlocks and "
    "signals; the reader wakes, locks, copies out, unlocks and signals back"),
    TRUE, SHMLAB_BACKEND_SYSV, 1, 1,
  },
  [SHMLAB_BENCH_SHM_POSIX] = {
    "shm-posix", 2, 2, "memcpy() in and memcpy() out, each under the lock",
    N_("≤4 futex"), "futex",
    N_("the apps' path on POSIX: the same steps; the lock is a POSIX semaphore, which takes and "
    "gives back an uncontended lock without a system call"),
    TRUE, SHMLAB_BACKEND_POSIX, 0, 0,
  },
  [SHMLAB_BENCH_SHM_FILE] = {
    "shm-file", 2, 2, "memcpy() in and memcpy() out, each under the lock",
    N_("4 fcntl + 4 fstat + ≤4 futex"), "futex",
    N_("the apps' path on File: the same steps on a file in the temp dir mapped MAP_SHARED; the "
    "lock is an fcntl() lock on the file, and whoever takes it checks with fstat() that the "
    "file still has its name and is whole"),
    /* Taken: fcntl(F_OFD_SETLK), fstat() that the locked file still has a
     * name, fstat() that it is not shorter than the mapping. Given back:
     * fcntl(F_OFD_SETLK, F_UNLCK). */
    TRUE, SHMLAB_BACKEND_FILE, 3, 1,
  },
  [SHMLAB_BENCH_SHM_INPLACE] = {
    "shm-inplace", 2, 1, "memcpy() in; the reader reads the bytes where they are",
    N_("≤4 futex"), "futex",
    N_("POSIX shared memory read in place: the reader checks the bytes in the segment under the "
    "lock instead of copying them out (what “zero copies” really means)"),
    TRUE, SHMLAB_BACKEND_POSIX, 0, 0,
  },
  [SHMLAB_BENCH_PIPE] = {
    "pipe", 2, 2, "the kernel copies into the pipe's buffer and out of it",
    N_("1 write + 1 read per 64 KiB"), N_("read() wakes"),
    "an anonymous pipe: write() the message, read() it on the other side",
    FALSE, SHMLAB_BACKEND_DEFAULT, 0, 0,
  },
  [SHMLAB_BENCH_UNIX_SOCKET] = {
    "unix-socket", 2, 2, "the kernel copies into the socket's buffer and out of it",
    N_("1 write + ≥1 read"), N_("read() wakes"),
    "a Unix-domain stream socket pair",
    FALSE, SHMLAB_BACKEND_DEFAULT, 0, 0,
  },
  [SHMLAB_BENCH_TCP_LOOPBACK] = {
    "tcp-loopback", 2, 2, "the kernel copies into the socket's buffer and out of it",
    N_("1 write + ≥1 read"), N_("read() wakes"),
    "a TCP connection over 127.0.0.1 (TCP_NODELAY), through the whole network stack",
    FALSE, SHMLAB_BACKEND_DEFAULT, 0, 0,
  },
};

const ShmlabBenchMechanismInfo *
shmlab_bench_mechanism_info (ShmlabBenchMechanism mechanism)
{
  g_return_val_if_fail (mechanism < SHMLAB_BENCH_N_MECHANISMS, NULL);
  return &mechanisms[mechanism];
}

gboolean
shmlab_bench_mechanism_from_string (const char           *name,
                                    ShmlabBenchMechanism *mechanism)
{
  for (guint i = 0; i < SHMLAB_BENCH_N_MECHANISMS; i++)
    if (g_strcmp0 (name, mechanisms[i].name) == 0)
      {
        *mechanism = i;
        return TRUE;
      }
  return FALSE;
}

/* "memcpy, shm-sysv, … or tcp-loopback", for messages. */
char *
shmlab_bench_mechanism_names (void)
{
  GString *names = g_string_new (NULL);

  for (guint i = 0; i < SHMLAB_BENCH_N_MECHANISMS; i++)
    {
      if (i > 0)
        g_string_append (names, i + 1 == SHMLAB_BENCH_N_MECHANISMS ? " or " : ", ");
      g_string_append (names, mechanisms[i].name);
    }
  return g_string_free (names, FALSE);
}

/* Whether @mechanism goes through a ShmlabSegment, and on which backend. */
gboolean
shmlab_bench_mechanism_uses_shm (ShmlabBenchMechanism  mechanism,
                                 ShmlabBackend        *backend)
{
  const ShmlabBenchMechanismInfo *info =
    mechanism < SHMLAB_BENCH_N_MECHANISMS ? &mechanisms[mechanism] : NULL;

  *backend = info ? info->backend : SHMLAB_BACKEND_DEFAULT;
  return info != NULL && info->uses_shm;
}
