/* shmlab-lock-holder.c — whether a key's lock is taken and, where the
 * system knows it, by which process
 *
 * Looking never takes the lock and never makes one: a System V semaphore
 * says its value and the last process that operated on it (the holder
 * while it is taken); a POSIX one says only its value, and ShmLab's
 * frames record the holder in their lock_holder word.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-lock-holder.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "shmlab-backend-private.h"

void
shmlab_lock_holder_clear (ShmlabLockHolder *holder)
{
  memset (holder, 0, sizeof *holder);
}

/**
 * shmlab_process_get_name:
 * @name: (out caller-allocates): where the name goes, NUL-terminated
 * @size: its size
 *
 * The program name of @pid from /proc/PID/comm, which the process itself
 * may set to anything: read bounded, the newline stripped, invalid UTF-8
 * and control characters replaced, cut on a character boundary.
 *
 * Returns: FALSE (and "" in @name) when it cannot be known
 */
gboolean
shmlab_process_get_name (pid_t  pid,
                         char  *name,
                         gsize  size)
{
  char path[64];
  char raw[SHMLAB_PROCESS_NAME_MAX];
  g_autofree char *valid = NULL;
  const char *p;
  gsize used = 0;
  ssize_t length;
  int fd;

  g_return_val_if_fail (name != NULL && size > 0, FALSE);

  name[0] = '\0';
  if (pid <= 0)
    return FALSE;
  g_snprintf (path, sizeof path, "/proc/%ld/comm", (long) pid);
  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return FALSE;
  do
    length = read (fd, raw, sizeof raw - 1);
  while (length < 0 && errno == EINTR);
  close (fd);
  if (length <= 0)
    return FALSE;
  raw[length] = '\0';
  if (memchr (raw, '\0', (gsize) length) != NULL)
    length = (ssize_t) strlen (raw);
  while (length > 0 && (raw[length - 1] == '\n' || raw[length - 1] == '\r'))
    raw[--length] = '\0';
  if (length == 0)
    return FALSE;

  valid = g_utf8_make_valid (raw, length);
  for (p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      gsize n = (gsize) (g_utf8_next_char (p) - p);

      if (g_unichar_iscntrl (c))
        {
          c = '?';
          n = 1;
        }
      if (used + n >= size)
        break;
      if (c == '?')
        name[used++] = '?';
      else
        {
          memcpy (name + used, p, n);
          used += n;
        }
    }
  name[used] = '\0';
  return used > 0;
}

/**
 * shmlab_lock_holder_query_for_key:
 * @holder: (out): the lock's state, and its holder when known
 *
 * Looks at @key's lock without taking it and without making anything.
 */
gboolean
shmlab_lock_holder_query_for_key (ShmlabKey         *key,
                                  ShmlabLockHolder  *holder,
                                  GError           **error)
{
  const ShmlabBackendClass *klass;
  pid_t pid = 0;

  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (holder != NULL, FALSE);

  shmlab_lock_holder_clear (holder);
  klass = shmlab_backend_get (shmlab_key_get_backend (key));
  holder->state = klass->lock_holder (shmlab_key_get_segment_name (key),
                                      shmlab_key_get_semaphore_name (key), &pid);
  if (holder->state == SHMLAB_LOCK_STATE_TAKEN && pid > 0)
    {
      holder->pid = pid;
      shmlab_process_get_name (pid, holder->name, sizeof holder->name);
    }
  return TRUE;
}

/* "held by 1234 (shmlab)", "taken (holder unknown)" or "free": what
 * `shmlab info` and the key bar say of the lock. */
char *
shmlab_lock_holder_describe (const ShmlabLockHolder *holder)
{
  if (holder->state != SHMLAB_LOCK_STATE_TAKEN)
    return g_strdup (_("free"));
  if (holder->pid <= 0)
    return g_strdup (_("taken (holder unknown)"));
  if (holder->name[0] == '\0')
    return g_strdup_printf (_("held by %ld"), (long) holder->pid);
  return g_strdup_printf (_("held by %ld (%s)"), (long) holder->pid, holder->name);
}

/* "locked by another process: 1234 (shmlab-writer)": what a window says
 * of a lock it does not hold. */
char *
shmlab_lock_holder_describe_other (const ShmlabLockHolder *holder)
{
  if (holder->state != SHMLAB_LOCK_STATE_TAKEN || holder->pid <= 0)
    return g_strdup (_("locked by another process"));
  if (holder->name[0] == '\0')
    return g_strdup_printf (_("locked by another process: %ld"), (long) holder->pid);
  return g_strdup_printf (_("locked by another process: %ld (%s)"), (long) holder->pid,
                          holder->name);
}
