/* shmlab-thread.c — a worker thread that gives way to the window
 *
 * On a machine with two cores, decoding a large picture, scaling it and
 * copying 256 MiB into a new segment keep both busy for a second or more;
 * at the same priority, the main thread waits its turn and the window
 * misses frames although it has nothing long to do. A worker that calls
 * shmlab_thread_set_background() first runs at a lower priority (nice 10):
 * it still gets all the CPU the window leaves, and the window gets the CPU
 * the moment it needs it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-thread.h"

#include <errno.h>
#include <sys/resource.h>

/**
 * shmlab_thread_set_background:
 *
 * Lowers the calling thread's priority (on Linux, the nice value is per
 * thread: the others, the main thread among them, keep theirs). Call at the
 * start of a GTask's thread function that may run longer than a frame; a
 * thread of GLib's pool keeps it for later tasks, which are background
 * work too. A failure (a limit) leaves the thread as it was.
 */
void
shmlab_thread_set_background (void)
{
  int now;

  errno = 0;
  now = getpriority (PRIO_PROCESS, 0);
  if (errno == 0 && now < SHMLAB_THREAD_BACKGROUND_NICE)
    (void) setpriority (PRIO_PROCESS, 0, SHMLAB_THREAD_BACKGROUND_NICE);
}

/* Whether the calling thread runs at the background priority (or lower). */
gboolean
shmlab_thread_is_background (void)
{
  int now;

  errno = 0;
  now = getpriority (PRIO_PROCESS, 0);
  return errno == 0 && now >= SHMLAB_THREAD_BACKGROUND_NICE;
}
