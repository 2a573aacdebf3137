/* shmlab-session-close.c — closing a session: the detach goes to a thread
 * of its own, the caller goes at once
 *
 * A closed (or finalized) session hands its segment to a thread that
 * detaches it under the lock, so a window goes at once even while another
 * process holds the lock. Nothing here keeps the program alive: whoever
 * closes a session and must outlive the detach waits for
 * shmlab_session_close_async() to finish (a GApplication holds itself).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-session-private.h"

#include <glib/gi18n-lib.h>

#include "shmlab-command.h"

/* How long a closed session waits for the lock to detach when its lock
 * timeout says "as long as it takes": nobody is left to cancel the wait. */
#define CLOSE_LOCK_TIMEOUT_MS 5000

/* A closed session's segment, detached in a thread: the session itself may
 * be gone by then, so this holds all the detach needs. Shared (atomic
 * reference count) by the session and the thread; everything but @segment
 * is touched only on the main context. */
struct _ShmlabSessionClosing
{
  ShmlabSegment *segment;  /* the thread's, from when it starts */
  gint lock_timeout;
  GPtrArray *waiters;      /* GTasks of shmlab_session_close_async() */
  gboolean done;
  GError *error;           /* how it ended, for a close asked for later */
};

static gint n_closing;

static void
closing_clear (gpointer data)
{
  ShmlabSessionClosing *closing = data;

  g_clear_object (&closing->segment);
  g_clear_pointer (&closing->waiters, g_ptr_array_unref);
  g_clear_error (&closing->error);
}

static ShmlabSessionClosing *
closing_ref (ShmlabSessionClosing *closing)
{
  return g_atomic_rc_box_acquire (closing);
}

void
shmlab_session_closing_unref (ShmlabSessionClosing *closing)
{
  g_atomic_rc_box_release_full (closing, closing_clear);
}

/* On the main context: counts the detach to come. */
ShmlabSessionClosing *
shmlab_session_closing_begin (ShmlabSession *self)
{
  ShmlabSessionClosing *closing = g_atomic_rc_box_new0 (ShmlabSessionClosing);

  closing->lock_timeout = self->lock_timeout >= 0 ? self->lock_timeout : CLOSE_LOCK_TIMEOUT_MS;
  closing->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  g_atomic_int_inc (&n_closing);
  return closing;
}

static void
closing_return (ShmlabSessionClosing *closing,
                GTask                *waiter)
{
  if (closing->error != NULL)
    g_task_return_error (waiter, g_error_copy (closing->error));
  else
    g_task_return_boolean (waiter, TRUE);
}

/* On the main context: the detach has ended. */
static void
closing_end (ShmlabSessionClosing *closing)
{
  closing->done = TRUE;
  for (guint i = 0; i < closing->waiters->len; i++)
    closing_return (closing, g_ptr_array_index (closing->waiters, i));
  g_ptr_array_set_size (closing->waiters, 0);
  g_atomic_int_add (&n_closing, -1);
}

/* The whole teardown, off the main thread: the session may already be gone. */
static void
close_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  ShmlabSessionClosing *closing = task_data;
  ShmlabSegment *segment = g_steal_pointer (&closing->segment);
  ShmlabKey *value = shmlab_segment_get_key_value (segment);
  g_autoptr(ShmlabKey) held = value ? shmlab_key_ref (value) : NULL;
  const char *key = held ? shmlab_key_get_name (held) : NULL;
  g_autofree char *remove = NULL;
  g_autoptr(GError) why = NULL;
  gboolean unlocked_detach = FALSE;
  ShmlabSegmentInfo info;

  if (shmlab_segment_is_attached (segment))
    {
      /* Under the lock, as every detach: the last one removes the segment. */
      if (shmlab_segment_is_locked (segment) ||
          shmlab_segment_lock_full (segment, closing->lock_timeout, NULL, &why))
        shmlab_segment_detach (segment, &why);
      unlocked_detach = shmlab_segment_is_attached (segment);
    }
  if (shmlab_segment_is_locked (segment))
    shmlab_segment_unlock (segment, NULL);

  /* Another process kept the lock: the last reference tries it once more,
   * then unmaps without it. No attachment is left behind, but nothing is
   * removed without the lock either. */
  shmlab_segment_set_lock_timeout (segment, 0);
  g_object_unref (segment);

  if (unlocked_detach && why != NULL && key != NULL &&
      shmlab_segment_query_for_key (held, &info, NULL) && info.exists &&
      info.attach_count == 0)
    {
      remove = shmlab_command_for_key ("remove", key, shmlab_key_get_backend (held), NULL);
      if (g_error_matches (why, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_TIMED_OUT))
        closing->error =
          g_error_new (why->domain, why->code,
                       _("the segment of key “%s” was left behind: another process held its lock "
                         "for more than %d ms as the window closed, and only a detach under the "
                         "lock removes it — remove it with: %s"),
                       key, closing->lock_timeout, remove);
      else
        closing->error =
          g_error_new (why->domain, why->code,
                       _("the segment of key “%s” was left behind: closing could not detach "
                         "under its lock (%s) — remove it with: %s"),
                       key, why->message, remove);
    }
  g_task_return_boolean (task, TRUE);
}

static void
close_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  closing_end (g_task_get_task_data (G_TASK (result)));
}

/* Takes @segment (nullable) to detach in a thread; on the main context. */
void
shmlab_session_closing_start (ShmlabSessionClosing *closing,
                              ShmlabSegment        *segment)
{
  g_autoptr(GTask) task = NULL;

  if (segment == NULL)
    {
      closing_end (closing);
      return;
    }
  closing->segment = segment;
  task = g_task_new (NULL, NULL, close_done, NULL);
  g_task_set_source_tag (task, shmlab_session_closing_start);
  g_task_set_task_data (task, closing_ref (closing),
                        (GDestroyNotify) shmlab_session_closing_unref);
  g_task_run_in_thread (task, close_thread);
}

/**
 * shmlab_session_close_async:
 * @callback: (nullable): called once the segment is detached
 *
 * What a closing window does: cancels the running operation (a wait for the
 * lock ends at once), then detaches in a thread of its own — under the lock,
 * waiting at most the lock timeout (5 s when it has none), else without it —
 * and never blocks the caller. The session may be dropped at once. Nothing
 * keeps the program running meanwhile: a caller that must outlive the detach
 * (an application whose last window closes) holds itself until @callback has
 * run. Further operations fail with G_IO_ERROR_CLOSED. Finalizing a session that was not
 * closed closes it the same way. Finish with shmlab_session_close_finish().
 */
void
shmlab_session_close_async (ShmlabSession       *self,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *waiter;

  g_return_if_fail (SHMLAB_IS_SESSION (self));

  waiter = g_task_new (NULL, NULL, callback, user_data);
  g_task_set_source_tag (waiter, shmlab_session_close_async);
  if (self->closing != NULL)
    {
      if (self->closing->done)
        {
          closing_return (self->closing, waiter);
          g_object_unref (waiter);
        }
      else
        g_ptr_array_add (self->closing->waiters, waiter);
      return;
    }

  self->closing = shmlab_session_closing_begin (self);
  g_ptr_array_add (self->closing->waiters, waiter);
  g_cancellable_cancel (self->close_cancellable);
  if (self->busy)
    {
      /* op_done() hands the segment over once the operation has let go of it. */
      g_cancellable_cancel (self->op_cancellable);
      return;
    }
  shmlab_session_closing_start (self->closing, g_steal_pointer (&self->segment));
}

/* FALSE with the reason when the segment had to be left behind. */
gboolean
shmlab_session_close_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Whether shmlab_session_close_async() was called. */
gboolean
shmlab_session_get_closed (ShmlabSession *self)
{
  g_return_val_if_fail (SHMLAB_IS_SESSION (self), FALSE);
  return self->closing != NULL;
}

/**
 * shmlab_session_count_closing:
 *
 * How many closed (or finalized) sessions of this process still detach in
 * the background; the count drops on the main context as each one ends.
 */
guint
shmlab_session_count_closing (void)
{
  return (guint) g_atomic_int_get (&n_closing);
}
