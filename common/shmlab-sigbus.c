/* shmlab-sigbus.c — mappings of files that another program may cut short
 *
 * A file mapped with MAP_SHARED can be made shorter by anyone who may write
 * it (truncate -s 0 FILE). Touching a mapped page that now lies past its end
 * raises SIGBUS, which kills the process by default. ShmLab maps only what
 * fstat() said, checks the size again under the lock, and guards every
 * mapping of a file here: the handler finds the mapping the faulting address
 * is in, maps zero pages over all of it (MAP_FIXED, so the address stays
 * valid for the rest of the copy and for munmap()), and marks it tripped.
 * The code that copied then sees shmlab_sigbus_guard_tripped() and reports
 * the file as cut short instead of trusting zeros. Libwayland protects its
 * clients' shared-memory pools the same way.
 *
 * A SIGBUS at an address no guard covers is not ours: the handler puts the
 * previous disposition back (or calls the previous handler) and the fault
 * happens again as if ShmLab had not been there.
 *
 * The table is a fixed array of slots read by the handler without locks:
 * a slot is published by storing its size last, and retired by storing 0
 * first (a fault on a slot being retired is a fault on a mapping being
 * unmapped by its owner, which cannot happen while it still copies).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-sigbus.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>

#include "shmlab-error.h"

typedef struct
{
  guintptr start;          /* 0: free */
  gsize size;              /* 0: not (or no longer) guarded */
  volatile gint tripped;
} Guard;

static Guard guards[SHMLAB_SIGBUS_GUARDS];
static struct sigaction previous;
static GMutex table_lock;  /* between threads adding and removing, never in the handler */

static void
handle_sigbus (int        signo,
               siginfo_t *info,
               void      *context)
{
  guintptr address = (guintptr) info->si_addr;

  for (guint i = 0; i < SHMLAB_SIGBUS_GUARDS; i++)
    {
      guintptr start = __atomic_load_n (&guards[i].start, __ATOMIC_ACQUIRE);
      gsize size = __atomic_load_n (&guards[i].size, __ATOMIC_ACQUIRE);

      if (size == 0 || address < start || address - start >= size)
        continue;
      /* Zero pages where the file's pages were: the copy goes on and ends. */
      if (mmap ((gpointer) start, size, PROT_READ | PROT_WRITE,
                MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED)
        {
          __atomic_store_n (&guards[i].tripped, 1, __ATOMIC_RELEASE);
          return;
        }
      break;
    }

  /* Not a guarded mapping: as if this handler were not there. */
  if ((previous.sa_flags & SA_SIGINFO) && previous.sa_sigaction != NULL)
    previous.sa_sigaction (signo, info, context);
  else if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN &&
           previous.sa_handler != NULL)
    previous.sa_handler (signo);
  else
    sigaction (SIGBUS, &previous, NULL);
}

static gboolean
install_handler (GError **error)
{
  static gsize installed = 0;
  static int saved_errno = 0;

  if (g_once_init_enter (&installed))
    {
      struct sigaction action;

      memset (&action, 0, sizeof action);
      action.sa_sigaction = handle_sigbus;
      action.sa_flags = SA_SIGINFO | SA_NODEFER;
      sigemptyset (&action.sa_mask);
      if (sigaction (SIGBUS, &action, &previous) != 0)
        saved_errno = errno;
      g_once_init_leave (&installed, 1);
    }
  if (saved_errno == 0)
    return TRUE;
  g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_UNKNOWN,
               _("cannot watch for files cut short while mapped: %s"), g_strerror (saved_errno));
  return FALSE;
}

/**
 * shmlab_sigbus_guard_add:
 * @data: the start of a mapping of a file
 * @size: its length
 * @error: OUT_OF_RESOURCES when SHMLAB_SIGBUS_GUARDS mappings are guarded
 *
 * From now on a SIGBUS in [@data, @data + @size) leaves zero pages there
 * and trips the guard instead of killing the process.
 */
gboolean
shmlab_sigbus_guard_add (gpointer   data,
                         gsize      size,
                         GError   **error)
{
  g_return_val_if_fail (data != NULL && size > 0, FALSE);

  if (!install_handler (error))
    return FALSE;
  g_mutex_lock (&table_lock);
  for (guint i = 0; i < SHMLAB_SIGBUS_GUARDS; i++)
    if (guards[i].start == 0)
      {
        guards[i].tripped = 0;
        __atomic_store_n (&guards[i].start, (guintptr) data, __ATOMIC_RELEASE);
        __atomic_store_n (&guards[i].size, size, __ATOMIC_RELEASE);
        g_mutex_unlock (&table_lock);
        return TRUE;
      }
  g_mutex_unlock (&table_lock);
  g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_OUT_OF_RESOURCES,
               _("this program already has %d files mapped: detach from one first"),
               SHMLAB_SIGBUS_GUARDS);
  return FALSE;
}

/* Before @data is unmapped: its faults are no longer ours. */
void
shmlab_sigbus_guard_remove (gpointer data)
{
  g_mutex_lock (&table_lock);
  for (guint i = 0; i < SHMLAB_SIGBUS_GUARDS; i++)
    if (guards[i].start == (guintptr) data && guards[i].start != 0)
      {
        __atomic_store_n (&guards[i].size, 0, __ATOMIC_RELEASE);
        __atomic_store_n (&guards[i].start, 0, __ATOMIC_RELEASE);
        break;
      }
  g_mutex_unlock (&table_lock);
}

/* Whether a page of the mapping at @data went past the file's end since it
 * was guarded: its contents are zeros now, not the file's. */
gboolean
shmlab_sigbus_guard_tripped (gpointer data)
{
  for (guint i = 0; i < SHMLAB_SIGBUS_GUARDS; i++)
    if (__atomic_load_n (&guards[i].start, __ATOMIC_ACQUIRE) == (guintptr) data &&
        guards[i].start != 0)
      return __atomic_load_n (&guards[i].tripped, __ATOMIC_ACQUIRE) != 0;
  return FALSE;
}
