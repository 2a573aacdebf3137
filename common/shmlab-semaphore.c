/* shmlab-semaphore.c — the lock beside a segment, as Qt's QSystemSemaphore
 *
 * System V: a one-value semaphore named by ftok() of its own key file; lock
 * and unlock use SEM_UNDO, so the kernel gives the lock back when a holder
 * dies. Qt removes and re-creates the semaphore, so its id is never trusted
 * for long: EINVAL or EIDRM means "resolve the key again".
 * POSIX: sem_open("/qipc_systemsem_…"); a holder that dies keeps it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-semaphore.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/stat.h>
#include <time.h>

#include "shmlab-error.h"
#include "shmlab-key-file.h"
#include "shmlab-sysv-calls.h"
#include "shmlab-users.h"

/* How often a wait looks at its GCancellable. */
#define WAIT_SLICE_MS 50

struct _ShmlabSemaphore
{
  char *key;
  ShmlabBackend backend;
  char *native_key;

  int semid;          /* System V, -1 until resolved */
  sem_t *sem;         /* POSIX, NULL until opened */
  gboolean created;   /* this process created the semaphore (and so may remove it) */
  gboolean created_key_file;
  guint32 *holder_word;  /* POSIX: where to record the holder the moment it is taken */
  guint32 holder_value;
};

ShmlabSemaphore *
shmlab_semaphore_new (const char     *key,
                      ShmlabBackend   backend,
                      GError        **error)
{
  ShmlabSemaphore *self;
  char *native = shmlab_native_key (key, backend, SHMLAB_NATIVE_SEMAPHORE, error);

  if (native == NULL)
    return NULL;
  self = g_new0 (ShmlabSemaphore, 1);
  self->key = g_strdup (key);
  self->backend = backend;
  self->native_key = native;
  self->semid = -1;
  return self;
}

void
shmlab_semaphore_free (ShmlabSemaphore *self)
{
  if (self == NULL)
    return;
  if (self->sem != NULL)
    sem_close (self->sem);
  g_free (self->key);
  g_free (self->native_key);
  g_free (self);
}

const char *
shmlab_semaphore_get_native_key (ShmlabSemaphore *self)
{
  return self->native_key;
}

gboolean
shmlab_semaphore_get_created (ShmlabSemaphore *self)
{
  return self->created;
}

static void
set_owner_error (ShmlabSemaphore  *self,
                 uid_t             owner,
                 GError          **error)
{
  g_autofree char *who = shmlab_user_describe (owner);
  g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_PERMISSION_DENIED,
               _("key “%s” belongs to %s (its lock is theirs): pick another key"),
               self->key, who);
}

/* The owner of a System V semaphore, from /proc (readable without rights on it). */
static gboolean
sysv_semaphore_owner (key_t  ipc_key,
                      uid_t *owner)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/sysvipc/sem", &contents, NULL, NULL))
    return FALSE;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 1; lines[i]; i++)
    {
      int k, id, nsems;
      unsigned perms, uid;
      if (sscanf (lines[i], "%d %d %o %d %u", &k, &id, &perms, &nsems, &uid) == 5 &&
          (key_t) k == ipc_key)
        {
          *owner = uid;
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
sysv_resolve (ShmlabSemaphore  *self,
              GError          **error)
{
  key_t ipc_key;
  gboolean created_file;
  int id;

  if (!shmlab_key_file_ensure (self->native_key, self->key, &created_file, error))
    return FALSE;
  self->created_key_file |= created_file;
  if (!shmlab_key_file_ftok (self->native_key, &ipc_key, error))
    return FALSE;

  id = shmlab_sysv_semget (ipc_key, 1, 0600 | IPC_CREAT | IPC_EXCL);
  if (id >= 0)
    {
      union { int val; } arg = { 1 };
      /* A new semaphore is 0 (locked) until its creator sets it, as Qt does. */
      if (semctl (id, 0, SETVAL, arg) != 0)
        {
          int saved_errno = errno;
          semctl (id, 0, IPC_RMID);
          g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_LOCK_ERROR,
                       _("cannot set up the lock of key “%s”: %s"), self->key, g_strerror (saved_errno));
          return FALSE;
        }
      self->created = TRUE;
    }
  else if (errno == EEXIST)
    {
      id = shmlab_sysv_semget (ipc_key, 1, 0600 | IPC_CREAT);
      /* Root may open anyone's lock: ShmLab takes only the user's own, as it maps only theirs. */
      if (id >= 0)
        {
          struct semid_ds ds;
          union { struct semid_ds *buf; } arg = { &ds };

          if (semctl (id, 0, IPC_STAT, arg) == 0 && !shmlab_user_is_me (ds.sem_perm.uid))
            {
              if (created_file)
                shmlab_key_file_remove (self->native_key);
              set_owner_error (self, ds.sem_perm.uid, error);
              return FALSE;
            }
        }
    }

  if (id < 0)
    {
      int saved_errno = errno;
      uid_t owner;

      /* No lock came of it: the key file this call made goes again. */
      if (created_file)
        shmlab_key_file_remove (self->native_key);

      if ((saved_errno == EACCES || saved_errno == EPERM) && sysv_semaphore_owner (ipc_key, &owner))
        set_owner_error (self, owner, error);
      else if (saved_errno == ENOSPC)
        g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_OUT_OF_RESOURCES,
                     _("cannot create the lock of key “%s”: the system's limit on semaphores "
                     "(kernel.sem) is reached — remove stale segments with `shmlab list` and "
                     "`shmlab remove`"), self->key);
      else if (saved_errno == ENOSYS)
        g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_UNKNOWN,
                     _("this system has no System V semaphores (common in containers): "
                     "use the POSIX backend instead (shmlab … --backend posix)"));
      else
        g_set_error (error, SHMLAB_SEGMENT_ERROR,
                     saved_errno == EACCES ? SHMLAB_SEGMENT_ERROR_PERMISSION_DENIED
                                           : SHMLAB_SEGMENT_ERROR_LOCK_ERROR,
                     _("cannot open the lock of key “%s”: %s"), self->key, g_strerror (saved_errno));
      return FALSE;
    }

  self->semid = id;
  return TRUE;
}

static gboolean
posix_open (ShmlabSemaphore  *self,
            GError          **error)
{
  g_autofree char *path = g_strconcat ("/dev/shm/sem.", self->native_key + 1, NULL);
  struct stat st;
  sem_t *sem;

  sem = sem_open (self->native_key, O_CREAT | O_EXCL, 0600, 1);
  if (sem != SEM_FAILED)
    self->created = TRUE;
  else if (errno == EEXIST)
    {
      sem = sem_open (self->native_key, 0);
      /* Root may open anyone's lock: ShmLab takes only the user's own. */
      if (sem != SEM_FAILED && stat (path, &st) == 0 && !shmlab_user_is_me (st.st_uid))
        {
          sem_close (sem);
          set_owner_error (self, st.st_uid, error);
          return FALSE;
        }
    }

  if (sem == SEM_FAILED)
    {
      int saved_errno = errno;

      if ((saved_errno == EACCES || saved_errno == EPERM) && stat (path, &st) == 0)
        set_owner_error (self, st.st_uid, error);
      else
        g_set_error (error, SHMLAB_SEGMENT_ERROR,
                     saved_errno == EACCES ? SHMLAB_SEGMENT_ERROR_PERMISSION_DENIED
                     : saved_errno == ENAMETOOLONG ? SHMLAB_SEGMENT_ERROR_KEY_ERROR
                     : saved_errno == EMFILE || saved_errno == ENFILE || saved_errno == ENOSPC
                         ? SHMLAB_SEGMENT_ERROR_OUT_OF_RESOURCES
                         : SHMLAB_SEGMENT_ERROR_LOCK_ERROR,
                     _("cannot open the lock %s of key “%s”: %s"), path, self->key,
                     g_strerror (saved_errno));
      return FALSE;
    }

  self->sem = sem;
  return TRUE;
}

/* Makes sure the semaphore exists (creating it, set to 1, when it does not). */
gboolean
shmlab_semaphore_open (ShmlabSemaphore  *self,
                       GError          **error)
{
  if (self->backend == SHMLAB_BACKEND_POSIX)
    return self->sem != NULL || posix_open (self, error);
  return self->semid >= 0 || sysv_resolve (self, error);
}

static void
set_timeout_error (ShmlabSemaphore  *self,
                   gint              timeout_ms,
                   GError          **error)
{
  g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_TIMED_OUT,
               _("the lock of key “%s” is held by another process and was not released within "
               "%d ms: wait and try again, or find the holder with `shmlab info %s`%s"),
               self->key, timeout_ms, self->key,
               self->backend == SHMLAB_BACKEND_POSIX
                 ? _(" (a POSIX lock stays taken if its holder crashed: `shmlab remove` clears it)")
                 : "");
}

/* Milliseconds left before @deadline (monotonic µs), or the slice for a wait without end. */
static gint64
next_slice_ms (gint64 deadline,
               gboolean slicing)
{
  gint64 left;

  if (deadline < 0)
    return slicing ? WAIT_SLICE_MS : -1;
  left = (deadline - g_get_monotonic_time () + 999) / 1000;
  if (left < 0)
    left = 0;
  return slicing ? MIN (left, WAIT_SLICE_MS) : left;
}

static gboolean
sysv_acquire (ShmlabSemaphore  *self,
              gint              timeout_ms,
              GCancellable     *cancellable,
              GError          **error)
{
  gint64 deadline = timeout_ms < 0 ? -1 : g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  gboolean slicing = cancellable != NULL;

  for (;;)
    {
      struct sembuf op = { 0, -1, SEM_UNDO };
      gint64 wait_ms;
      int rc;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (self->semid < 0 && !sysv_resolve (self, error))
        return FALSE;

      wait_ms = next_slice_ms (deadline, slicing);
      if (wait_ms < 0)
        rc = semop (self->semid, &op, 1);
      else
        {
          struct timespec ts = { wait_ms / 1000, (wait_ms % 1000) * 1000000L };
          rc = semtimedop (self->semid, &op, 1, &ts);
        }
      if (rc == 0)
        return TRUE;

      switch (errno)
        {
        case EINTR:
          break;
        case EAGAIN:
          if (deadline >= 0 && g_get_monotonic_time () >= deadline)
            {
              set_timeout_error (self, timeout_ms, error);
              return FALSE;
            }
          break;
        case EINVAL:
        case EIDRM:
          /* Removed (Qt re-creates it on create()): resolve the key again. */
          self->semid = -1;
          break;
        default:
          {
            int saved_errno = errno;
            g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_LOCK_ERROR,
                         _("cannot take the lock of key “%s”: %s"), self->key, g_strerror (saved_errno));
            return FALSE;
          }
        }
    }
}

static gboolean
posix_acquire (ShmlabSemaphore         *self,
               gint                     timeout_ms,
               GCancellable            *cancellable,
               ShmlabSemaphoreTakeOver  take_over,
               gpointer                 user_data,
               GError                 **error)
{
  gint64 deadline = timeout_ms < 0 ? -1 : g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  gboolean slicing = cancellable != NULL || take_over != NULL;

  if (self->sem == NULL && !posix_open (self, error))
    return FALSE;

  for (;;)
    {
      gint64 wait_ms;
      int rc;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      wait_ms = next_slice_ms (deadline, slicing);
      if (wait_ms < 0)
        rc = sem_wait (self->sem);
      else
        {
          struct timespec ts;
          clock_gettime (CLOCK_MONOTONIC, &ts);
          ts.tv_sec += wait_ms / 1000;
          ts.tv_nsec += (wait_ms % 1000) * 1000000L;
          if (ts.tv_nsec >= 1000000000L)
            {
              ts.tv_sec++;
              ts.tv_nsec -= 1000000000L;
            }
          rc = sem_clockwait (self->sem, CLOCK_MONOTONIC, &ts);
        }
      if (rc == 0)
        {
          /* At once: a holder killed before it is recorded cannot be found. */
          if (self->holder_word != NULL)
            __atomic_store_n (self->holder_word, self->holder_value, __ATOMIC_RELEASE);
          return TRUE;
        }

      if (errno == ETIMEDOUT)
        {
          if (take_over != NULL && take_over (user_data))
            return TRUE;
          if (deadline >= 0 && g_get_monotonic_time () >= deadline)
            {
              set_timeout_error (self, timeout_ms, error);
              return FALSE;
            }
        }
      else if (errno != EINTR)
        {
          int saved_errno = errno;
          g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_LOCK_ERROR,
                       _("cannot take the lock of key “%s”: %s"), self->key, g_strerror (saved_errno));
          return FALSE;
        }
    }
}

/**
 * shmlab_semaphore_acquire:
 * @timeout_ms: how long to wait; negative waits as long as it takes
 * @cancellable: (nullable): ends the wait early with G_IO_ERROR_CANCELLED
 *
 * Takes the lock. A wait with a @cancellable is done in short slices so that
 * cancelling ends it within WAIT_SLICE_MS.
 */
gboolean
shmlab_semaphore_acquire (ShmlabSemaphore  *self,
                          gint              timeout_ms,
                          GCancellable     *cancellable,
                          GError          **error)
{
  return shmlab_semaphore_acquire_full (self, timeout_ms, cancellable, NULL, NULL, error);
}

/**
 * shmlab_semaphore_set_holder_record:
 * @word: (nullable): a word in shared memory, or %NULL for none
 * @value: what to store there the moment the lock is taken
 *
 * POSIX: the next acquire stores @value in @word as soon as the semaphore
 * is taken, so that a holder that is killed a moment later is found.
 */
void
shmlab_semaphore_set_holder_record (ShmlabSemaphore *self,
                                    guint32         *word,
                                    guint32          value)
{
  self->holder_word = word;
  self->holder_value = value;
}

/**
 * shmlab_semaphore_acquire_full:
 * @take_over: (nullable): asked after each slice of the wait whether the
 *   holder is gone and the caller has taken its place (POSIX only: System V
 *   gives a dead holder's lock back by itself)
 *
 * As shmlab_semaphore_acquire(). When @take_over says yes, the semaphore is
 * left as it is, taken, and now belongs to the caller.
 */
gboolean
shmlab_semaphore_acquire_full (ShmlabSemaphore          *self,
                               gint                      timeout_ms,
                               GCancellable             *cancellable,
                               ShmlabSemaphoreTakeOver   take_over,
                               gpointer                  user_data,
                               GError                  **error)
{
  if (self->backend == SHMLAB_BACKEND_POSIX)
    return posix_acquire (self, timeout_ms, cancellable, take_over, user_data, error);
  return sysv_acquire (self, timeout_ms, cancellable, error);
}

gboolean
shmlab_semaphore_release (ShmlabSemaphore  *self,
                          GError          **error)
{
  int saved_errno;

  if (self->backend == SHMLAB_BACKEND_POSIX)
    {
      if (self->sem != NULL && sem_post (self->sem) == 0)
        return TRUE;
      saved_errno = self->sem ? errno : EINVAL;
    }
  else
    {
      struct sembuf op = { 0, +1, SEM_UNDO };
      int rc;

      do
        rc = self->semid >= 0 ? semop (self->semid, &op, 1) : (errno = EIDRM, -1);
      while (rc != 0 && errno == EINTR);
      if (rc == 0)
        return TRUE;
      saved_errno = errno;
      /* Removed while held (Qt's create() does that): there is nothing to give back. */
      if (saved_errno == EIDRM || saved_errno == EINVAL)
        {
          self->semid = -1;
          return TRUE;
        }
    }

  g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_LOCK_ERROR,
               _("cannot release the lock of key “%s”: %s"), self->key, g_strerror (saved_errno));
  return FALSE;
}

/* Removes the semaphore and its key file: the last user of the segment is gone. */
void
shmlab_semaphore_remove (ShmlabSemaphore *self)
{
  if (self->backend == SHMLAB_BACKEND_POSIX)
    {
      sem_unlink (self->native_key);
      return;
    }
  if (self->semid >= 0)
    semctl (self->semid, 0, IPC_RMID);
  self->semid = -1;
  shmlab_key_file_remove (self->native_key);
}

/* Whether a semaphore (or, System V, its key file) exists for @key. */
gboolean
shmlab_semaphore_exists (const char    *key,
                         ShmlabBackend  backend)
{
  g_autofree char *native = shmlab_native_key (key, backend, SHMLAB_NATIVE_SEMAPHORE, NULL);
  gboolean exists = FALSE;

  if (native == NULL)
    return FALSE;
  if (backend == SHMLAB_BACKEND_POSIX)
    {
      g_autofree char *path = g_strconcat ("/dev/shm/sem.", native + 1, NULL);
      return g_file_test (path, G_FILE_TEST_EXISTS);
    }
  return shmlab_key_file_check (native, &exists, NULL) && exists;
}

/* Removes the semaphore of @key and its key file, whoever holds it. */
void
shmlab_semaphore_remove_key (const char    *key,
                             ShmlabBackend  backend)
{
  g_autofree char *native = shmlab_native_key (key, backend, SHMLAB_NATIVE_SEMAPHORE, NULL);
  key_t ipc_key;
  int id;

  if (native == NULL)
    return;
  if (backend == SHMLAB_BACKEND_POSIX)
    {
      sem_unlink (native);
      return;
    }
  if (shmlab_key_file_ftok (native, &ipc_key, NULL) &&
      (id = shmlab_sysv_semget (ipc_key, 1, 0)) >= 0)
    semctl (id, 0, IPC_RMID);
  shmlab_key_file_remove (native);
}
