/* shmlab-semaphore.c — the lock beside a segment, as Qt's QSystemSemaphore
 *
 * What a lock is depends on the backend (see shmlab-backend-*.c); this file
 * waits for it: in slices, so that a GCancellable ends a wait, a deadline
 * ends it with a clear message, and a holder that died is looked for.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-semaphore.h"

#include <glib/gi18n-lib.h>

#include "shmlab-backend-private.h"
#include "shmlab-command.h"
#include "shmlab-error.h"

/* How often a wait looks at its GCancellable. */
#define WAIT_SLICE_MS 50

ShmlabSemaphore *
shmlab_semaphore_new (const char     *key,
                      ShmlabBackend   backend,
                      GError        **error)
{
  g_autoptr(ShmlabKey) value = shmlab_key_new (key, backend, error);

  return value ? shmlab_semaphore_new_for_key (value, error) : NULL;
}

/* The lock of @key, not opened yet. */
ShmlabSemaphore *
shmlab_semaphore_new_for_key (ShmlabKey  *key,
                              GError    **error)
{
  ShmlabSemaphore *self = g_new0 (ShmlabSemaphore, 1);

  self->backend = shmlab_backend_get (shmlab_key_get_backend (key));
  self->key = g_strdup (shmlab_key_get_name (key));
  self->native_key = g_strdup (shmlab_key_get_semaphore_name (key));
  self->id = -1;
  return self;
}

void
shmlab_semaphore_free (ShmlabSemaphore *self)
{
  if (self == NULL)
    return;
  self->backend->lock_close (self);
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

/* Makes sure the semaphore exists (creating it, set to 1, when it does not). */
gboolean
shmlab_semaphore_open (ShmlabSemaphore  *self,
                       GError          **error)
{
  return self->backend->lock_open (self, error);
}

static void
set_timeout_error (ShmlabSemaphore  *self,
                   gint              timeout_ms,
                   GError          **error)
{
  g_autofree char *info = shmlab_command_for_key ("info", self->key, self->backend->id, NULL);
  g_autofree char *remove = shmlab_command_for_key ("remove", self->key, self->backend->id, NULL);

  if (self->backend->lock_kept_by_dead_holder)
    g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_TIMED_OUT,
                 _("the lock of key “%s” is held by another process and was not released within "
                 "%d ms: wait and try again; a lock of this kind stays taken if its holder "
                 "crashed, and this clears it: %s; find the holder with: %s"),
                 self->key, timeout_ms, remove, info);
  else
    g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_TIMED_OUT,
                 _("the lock of key “%s” is held by another process and was not released within "
                 "%d ms: wait and try again, or find the holder with: %s"),
                 self->key, timeout_ms, info);
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
 * The next acquire stores @value in @word as soon as the semaphore is
 * taken, so that a holder that is killed a moment later is found.
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
 *   holder is gone and the caller has taken its place (for a lock a dead
 *   holder keeps: System V gives a dead holder's lock back by itself)
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
  gint64 deadline = timeout_ms < 0 ? -1 : g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  gboolean slicing = cancellable != NULL || take_over != NULL;

  if (!self->backend->lock_open (self, error))
    return FALSE;

  for (;;)
    {
      GError *local_error = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (self->backend->lock_acquire (self, next_slice_ms (deadline, slicing), &local_error))
        {
          /* At once: a holder killed before it is recorded cannot be found. */
          if (self->holder_word != NULL)
            __atomic_store_n (self->holder_word, self->holder_value, __ATOMIC_RELEASE);
          return TRUE;
        }
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      if (take_over != NULL && take_over (user_data))
        return TRUE;
      if (deadline >= 0 && g_get_monotonic_time () >= deadline)
        {
          set_timeout_error (self, timeout_ms, error);
          return FALSE;
        }
    }
}

gboolean
shmlab_semaphore_release (ShmlabSemaphore  *self,
                          GError          **error)
{
  return self->backend->lock_release (self, error);
}

/* Removes the semaphore (and its key file): the last user of the segment is gone. */
void
shmlab_semaphore_remove (ShmlabSemaphore *self)
{
  self->backend->lock_remove (self);
}

/* Whether a semaphore (or, System V, its key file) exists for @key. */
gboolean
shmlab_semaphore_exists (const char    *key,
                         ShmlabBackend  backend)
{
  g_autofree char *native = shmlab_native_key (key, backend, SHMLAB_NATIVE_SEMAPHORE, NULL);

  return native != NULL && shmlab_backend_get (backend)->lock_exists (native);
}

/* Removes the semaphore of @key and its key file, whoever holds it. */
void
shmlab_semaphore_remove_key (const char    *key,
                             ShmlabBackend  backend)
{
  g_autofree char *native = shmlab_native_key (key, backend, SHMLAB_NATIVE_SEMAPHORE, NULL);

  if (native != NULL)
    shmlab_backend_get (backend)->lock_remove_name (native);
}
