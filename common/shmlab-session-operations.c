/* shmlab-session-operations.c — what a session can be asked to do: the
 * protocol steps one at a time, and the one-click sequences
 *
 * Each operation is one entry of a table: what it runs in the worker, how
 * its result reaches the caller, and how its own state (a small struct of
 * its own, if it needs any) is freed. What every operation needs (the
 * session, the key, the lock timeout, the cancellables) is in the
 * ShmlabSessionRun that the steps work on.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-session-private.h"
#include "shmlab-thread.h"

#include <glib/gi18n-lib.h>

#include <string.h>

struct _ShmlabSessionOperation
{
  /* In the worker: FALSE with @error on failure; a reading operation
   * leaves what it read in data->result. */
  gboolean (*run) (ShmlabSessionRun  *data,
                   gpointer           op,
                   GCancellable      *cancellable,
                   GError           **error);
  /* On the main context, when it succeeded: hands the outcome to @task. */
  void (*return_outcome) (GTask            *task,
                          ShmlabSessionRun *data);
  /* Frees the operation's own state (NULL: it has none). */
  GDestroyNotify free_op;
};

void
shmlab_read_result_free (ShmlabReadResult *result)
{
  if (result == NULL)
    return;
  g_clear_pointer (&result->bytes, g_bytes_unref);
  g_clear_pointer (&result->payload, shmlab_payload_free);
  g_clear_error (&result->decode_error);
  g_free (result);
}

/* Each operation's own state. */

typedef struct
{
  gsize size;
} Create;

typedef struct
{
  ShmlabAccessMode mode;
} Attach;

typedef struct
{
  ShmlabEncoded *encoded;
  ShmlabWriteFlags flags;
} Write;

static void
write_free (Write *write)
{
  shmlab_encoded_free (write->encoded);
  g_free (write);
}

typedef struct
{
  gboolean force;
} Remove;

typedef struct
{
  ShmlabEncoded *encoded;
  gsize size;  /* 0: exactly what @encoded needs */
  ShmlabWriteFlags flags;
} WriteAll;

static void
write_all_free (WriteAll *write_all)
{
  shmlab_encoded_free (write_all->encoded);
  g_free (write_all);
}

/* Each operation's steps, in the worker. */

static gboolean
run_create (ShmlabSessionRun  *data,
            gpointer           op,
            GCancellable      *cancellable,
            GError           **error)
{
  Create *create = op;

  return shmlab_session_step_apply_key (data, error) &&
         shmlab_session_step_create (data, create->size, cancellable, error);
}

static gboolean
run_attach (ShmlabSessionRun  *data,
            gpointer           op,
            GCancellable      *cancellable,
            GError           **error)
{
  Attach *attach = op;

  return shmlab_session_step_apply_key (data, error) &&
         shmlab_session_step_attach (data, attach->mode, cancellable, error);
}

static gboolean
run_lock (ShmlabSessionRun  *data,
          gpointer           op,
          GCancellable      *cancellable,
          GError           **error)
{
  return shmlab_session_step_apply_key (data, error) &&
         shmlab_session_step_lock (data, cancellable, error);
}

static gboolean
run_unlock (ShmlabSessionRun  *data,
            gpointer           op,
            GCancellable      *cancellable,
            GError           **error)
{
  ShmlabSession *self = data->self;
  gboolean ok = self->segment != NULL && shmlab_session_step_unlock (data, error);

  if (self->segment == NULL)
    g_set_error_literal (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_LOCK_ERROR,
                         _("cannot unlock: the lock is not held"));
  return ok;
}

static gboolean
run_detach (ShmlabSessionRun  *data,
            gpointer           op,
            GCancellable      *cancellable,
            GError           **error)
{
  return shmlab_session_require (data, TRUE, FALSE, _("detach"), error) &&
         shmlab_session_step_detach (data, error);
}

static gboolean
run_write (ShmlabSessionRun  *data,
           gpointer           op,
           GCancellable      *cancellable,
           GError           **error)
{
  Write *write = op;

  return shmlab_session_require (data, TRUE, TRUE, _("write"), error) &&
         shmlab_session_step_copy_in (data, write->encoded, write->flags, error);
}

static gboolean
run_read (ShmlabSessionRun  *data,
          gpointer           op,
          GCancellable      *cancellable,
          GError           **error)
{
  g_autoptr(GBytes) bytes = NULL;

  if (!shmlab_session_require (data, TRUE, TRUE, _("read"), error) ||
      !(bytes = shmlab_session_step_copy_out (data, NULL, error)))
    return FALSE;
  data->result = shmlab_session_step_decode (data, bytes);
  return TRUE;
}

static gboolean
run_remove (ShmlabSessionRun  *data,
            gpointer           op,
            GCancellable      *cancellable,
            GError           **error)
{
  ShmlabSession *self = data->self;
  Remove *remove = op;
  gboolean detached = FALSE;
  GError *local_error = NULL;
  ShmlabSessionTimer t;
  gboolean ok;

  if (self->segment != NULL && shmlab_segment_is_attached (self->segment))
    detached = shmlab_session_step_detach (data, NULL) &&
               shmlab_segment_get_removed_on_detach (self->segment);
  t = shmlab_session_timer_start ("remove");
  ok = shmlab_segment_remove_for_key (data->key, remove->force, &local_error);
  /* Detaching already removed it: this session was its last user. */
  if (!ok && detached &&
      g_error_matches (local_error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_NOT_FOUND))
    {
      g_clear_error (&local_error);
      ok = TRUE;
    }
  shmlab_session_report (data, t, ok, local_error, NULL, _("segment, lock and key files of “%s”"),
                         shmlab_key_get_name (data->key));
  if (local_error != NULL)
    g_propagate_error (error, local_error);
  return ok;
}

static gboolean
run_write_all (ShmlabSessionRun  *data,
               gpointer           op,
               GCancellable      *cancellable,
               GError           **error)
{
  ShmlabSession *self = data->self;
  WriteAll *write_all = op;
  gsize needed = shmlab_encoded_get_size (write_all->encoded);
  gsize size = write_all->size ? write_all->size : needed;
  gboolean ok;

  if (!shmlab_session_step_apply_key (data, error))
    return FALSE;

  /* Reuse the segment this session made when it has the size asked for. One
   * that another program made and this session attached to on purpose is
   * written into as it is: its size is not ours to change (the copy says
   * when the content does not fit). */
  if (shmlab_segment_is_attached (self->segment))
    {
      gsize current = shmlab_segment_get_size (self->segment);
      gboolean writable =
        shmlab_segment_get_access_mode (self->segment) == SHMLAB_ACCESS_READ_WRITE;
      gboolean reuse = writable && (!self->made_segment ||
                                    (write_all->size ? current == write_all->size
                                                     : current >= needed));
      if (!reuse && !shmlab_session_step_detach (data, error))
        return FALSE;
    }

  if (!shmlab_segment_is_attached (self->segment) &&
      !shmlab_session_step_create (data, size, cancellable, error))
    return FALSE;

  if (!shmlab_session_step_lock (data, cancellable, error))
    return FALSE;
  ok = shmlab_session_step_copy_in (data, write_all->encoded, write_all->flags, error);
  if (!ok)
    {
      shmlab_session_unlock_quietly (data);
      return FALSE;
    }
  return shmlab_session_step_unlock (data, error);
}

static gboolean
run_read_all (ShmlabSessionRun  *data,
              gpointer           op,
              GCancellable      *cancellable,
              GError           **error)
{
  ShmlabSession *self = data->self;
  g_autoptr(GBytes) bytes = NULL;
  guint8 *prepared;

  if (!shmlab_session_step_apply_key (data, error))
    return FALSE;
  if (shmlab_segment_is_attached (self->segment) && !shmlab_session_step_detach (data, error))
    return FALSE;
  if (!shmlab_session_step_attach (data, SHMLAB_ACCESS_READ_ONLY, cancellable, error))
    return FALSE;
  prepared = shmlab_session_prepare_copy (shmlab_segment_get_size (self->segment));
  if (!shmlab_session_step_lock (data, cancellable, error))
    {
      g_free (prepared);
      shmlab_session_step_detach (data, NULL);
      return FALSE;
    }
  bytes = shmlab_session_step_copy_out (data, g_steal_pointer (&prepared), error);
  shmlab_session_step_unlock (data, NULL);
  shmlab_session_step_detach (data, NULL);
  if (bytes == NULL)
    return FALSE;
  data->result = shmlab_session_step_decode (data, bytes);
  return TRUE;
}

/* Follow mode: re-read only when the content changed (a frame's generation,
 * or the bytes themselves for the other formats). */
static gboolean
run_poll (ShmlabSessionRun  *data,
          gpointer           op,
          GCancellable      *cancellable,
          GError           **error)
{
  ShmlabSession *self = data->self;
  ShmlabSegment *segment;
  guint64 generation;
  ShmlabSegmentInfo info;
  const guint8 *mapped;
  gsize size;
  gboolean same = FALSE;
  g_autoptr(GBytes) bytes = NULL;

  if (!shmlab_session_step_apply_key (data, error))
    return FALSE;
  segment = self->segment;

  /* The segment may have gone, or been made anew (a new id; without ids, another size): attach again. */
  if (shmlab_segment_is_attached (segment) &&
      (!shmlab_segment_query (segment, &info, NULL) || !info.exists ||
       (info.id >= 0 && self->last_id >= 0 && info.id != self->last_id) ||
       (info.id < 0 && info.size != shmlab_segment_get_size (segment))))
    shmlab_session_step_detach (data, NULL);

  if (!shmlab_segment_is_attached (segment))
    {
      if (!shmlab_segment_query (segment, &info, NULL) || !info.exists)
        {
          g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_NOT_FOUND,
                       _("the segment of key “%s” is gone: waiting for a writer to create it again"),
                       shmlab_key_get_name (data->key));
          shmlab_session_post_step (data, NULL, NULL);
          return FALSE;
        }
      if (!shmlab_session_step_attach (data, SHMLAB_ACCESS_READ_ONLY, cancellable, error))
        return FALSE;
    }

  if (!shmlab_segment_lock_full (segment, data->lock_timeout, cancellable, error))
    return FALSE;
  mapped = shmlab_segment_get_const_data (segment);
  size = shmlab_segment_get_size (segment);
  /* The newest frame of either slot: a double-buffered writer alternates. */
  generation = shmlab_frame_peek_generation (mapped, size);
  if (generation != 0)
    same = self->last_bytes != NULL && generation == self->last_generation;
  else if (self->last_bytes != NULL && g_bytes_get_size (self->last_bytes) == size)
    same = memcmp (g_bytes_get_data (self->last_bytes, NULL), mapped, size) == 0;

  if (same)
    {
      data->result = g_new0 (ShmlabReadResult, 1);
      shmlab_segment_unlock (segment, NULL);
      return TRUE;
    }

  /* Changed: show the protocol, as a read does. */
  shmlab_session_report (data, shmlab_session_timer_start ("lock"), TRUE, NULL, NULL,
                         _("following: the content changed"));
  bytes = shmlab_session_step_copy_out (data, NULL, error);
  self->last_generation = shmlab_frame_peek_generation (mapped, size);
  shmlab_session_step_unlock (data, NULL);
  if (bytes == NULL)
    return FALSE;
  g_clear_pointer (&self->last_bytes, g_bytes_unref);
  self->last_bytes = g_bytes_ref (bytes);
  data->result = shmlab_session_step_decode (data, bytes);
  return TRUE;
}

/* How the outcome reaches the caller: shmlab_session_step_finish() or
 * shmlab_session_read_finish(). */

static void
return_step (GTask            *task,
             ShmlabSessionRun *data)
{
  g_task_return_boolean (task, data->ok);
}

static void
return_read (GTask            *task,
             ShmlabSessionRun *data)
{
  g_task_return_pointer (task, g_steal_pointer (&data->result),
                         (GDestroyNotify) shmlab_read_result_free);
}

enum
{
  OP_CREATE,
  OP_ATTACH,
  OP_LOCK,
  OP_UNLOCK,
  OP_DETACH,
  OP_WRITE,
  OP_READ,
  OP_REMOVE,
  OP_WRITE_ALL,
  OP_READ_ALL,
  OP_POLL,
  N_OPERATIONS
};

static const ShmlabSessionOperation operations[N_OPERATIONS] = {
  [OP_CREATE] = { run_create, return_step, g_free },
  [OP_ATTACH] = { run_attach, return_step, g_free },
  [OP_LOCK] = { run_lock, return_step, NULL },
  [OP_UNLOCK] = { run_unlock, return_step, NULL },
  [OP_DETACH] = { run_detach, return_step, NULL },
  [OP_WRITE] = { run_write, return_step, (GDestroyNotify) write_free },
  [OP_READ] = { run_read, return_read, NULL },
  [OP_REMOVE] = { run_remove, return_step, g_free },
  [OP_WRITE_ALL] = { run_write_all, return_step, (GDestroyNotify) write_all_free },
  [OP_READ_ALL] = { run_read_all, return_read, NULL },
  [OP_POLL] = { run_poll, return_read, NULL },
};

/* Running an operation: one at a time, in a thread. */

static ShmlabSessionRun *
run_new (const ShmlabSessionOperation *operation,
         gpointer                      op)
{
  ShmlabSessionRun *data = g_new0 (ShmlabSessionRun, 1);

  data->operation = operation;
  data->op = op;
  return data;
}

static void
run_unlink (ShmlabSessionRun *data)
{
  if (data->caller_handler != 0)
    g_cancellable_disconnect (data->caller_cancellable, data->caller_handler);
  data->caller_handler = 0;
  g_clear_object (&data->caller_cancellable);
}

static void
run_free (ShmlabSessionRun *data)
{
  run_unlink (data);
  if (data->op != NULL)
    data->operation->free_op (data->op);
  g_clear_object (&data->cancellable);
  g_clear_object (&data->close_cancellable);
  g_clear_object (&data->self);
  g_clear_pointer (&data->key, shmlab_key_unref);
  g_clear_pointer (&data->result, shmlab_read_result_free);
  g_clear_pointer (&data->state.snapshot, g_bytes_unref);
  g_free (data);
}

static void
run_in_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ShmlabSessionRun *data = task_data;
  ShmlabSession *self = data->self;
  GError *error = NULL;

  shmlab_thread_set_background ();
  data->ok = data->operation->run (data, data->op, cancellable, &error);
  shmlab_session_capture_state (self, data->key, &data->state);
  if (error != NULL)
    {
      g_clear_pointer (&data->result, shmlab_read_result_free);
      g_task_return_error (task, error);
    }
  else
    g_task_return_boolean (task, TRUE);
}

/* Back on the main context: the session is free again and knows its state.
 * The worker let go of the session before it returned, so the session is
 * only ever finalized here, on its own context. */
static void
op_done (GObject      *source,
         GAsyncResult *inner,
         gpointer      user_data)
{
  GTask *outer = user_data;
  ShmlabSessionRun *data = g_task_get_task_data (G_TASK (inner));
  g_autoptr(ShmlabSession) self = g_steal_pointer (&data->self);
  GError *error = NULL;

  run_unlink (data);
  g_clear_object (&self->op_cancellable);
  shmlab_session_apply_state (self, &data->state);
  shmlab_session_set_busy (self, FALSE);

  /* Closed while it ran: the segment is free now, detach it. */
  if (self->closing != NULL)
    shmlab_session_closing_start (self->closing, g_steal_pointer (&self->segment));

  if (!g_task_propagate_boolean (G_TASK (inner), &error))
    g_task_return_error (outer, error);
  else
    data->operation->return_outcome (outer, data);
  g_object_unref (outer);
}

static void
cancel_linked (GCancellable *cancellable,
               gpointer      user_data)
{
  g_cancellable_cancel (user_data);
}

/* Starts @operation with its own state @op (taken). */
static void
start_op (ShmlabSession                *self,
          const ShmlabSessionOperation *operation,
          gpointer                      op,
          GCancellable                 *cancellable,
          GAsyncReadyCallback           callback,
          gpointer                      user_data)
{
  GTask *outer = g_task_new (self, cancellable, callback, user_data);
  ShmlabSessionRun *data = run_new (operation, op);
  g_autoptr(GTask) inner = NULL;

  g_task_set_source_tag (outer, start_op);
  if (self->closing != NULL)
    {
      g_task_return_new_error (outer, G_IO_ERROR, G_IO_ERROR_CLOSED,
                               _("the session is closed: its window is closing"));
      run_free (data);
      g_object_unref (outer);
      return;
    }
  if (self->busy)
    {
      g_task_return_new_error (outer, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _("another step is still running: wait for it, or cancel it"));
      run_free (data);
      g_object_unref (outer);
      return;
    }

  data->self = g_object_ref (self);
  data->key = self->key ? shmlab_key_ref (self->key) : NULL;
  data->lock_timeout = self->lock_timeout;
  /* The operation's own cancellable: the caller's cancels it, and so does closing. */
  data->cancellable = g_cancellable_new ();
  data->close_cancellable = g_object_ref (self->close_cancellable);
  if (cancellable != NULL)
    {
      data->caller_cancellable = g_object_ref (cancellable);
      data->caller_handler = g_cancellable_connect (cancellable, G_CALLBACK (cancel_linked),
                                                    g_object_ref (data->cancellable),
                                                    g_object_unref);
    }
  g_set_object (&self->op_cancellable, data->cancellable);

  shmlab_session_set_busy (self, TRUE);

  /* No source object: only @data holds the session, and op_done() drops it. */
  inner = g_task_new (NULL, data->cancellable, op_done, outer);
  g_task_set_task_data (inner, data, (GDestroyNotify) run_free);
  /* Lock waits are cancelled through the GCancellable, not by dropping the task. */
  g_task_set_return_on_cancel (inner, FALSE);
  g_task_run_in_thread (inner, run_in_thread);
}

/**
 * shmlab_session_create_async:
 * @size: bytes
 *
 * Creates the key's segment and attaches to it (QSharedMemory::create()).
 * Finish with shmlab_session_step_finish().
 */
void
shmlab_session_create_async (ShmlabSession       *self,
                             gsize                size,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  Create *create = g_new0 (Create, 1);

  create->size = size;
  start_op (self, &operations[OP_CREATE], create, cancellable, callback, user_data);
}

void
shmlab_session_attach_async (ShmlabSession       *self,
                             ShmlabAccessMode     mode,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  Attach *attach = g_new0 (Attach, 1);

  attach->mode = mode;
  start_op (self, &operations[OP_ATTACH], attach, cancellable, callback, user_data);
}

/* Waits at most the lock timeout; the "waiting" property is TRUE while it waits. */
void
shmlab_session_lock_async (ShmlabSession       *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  start_op (self, &operations[OP_LOCK], NULL, cancellable, callback, user_data);
}

void
shmlab_session_unlock_async (ShmlabSession       *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  start_op (self, &operations[OP_UNLOCK], NULL, cancellable, callback, user_data);
}

void
shmlab_session_detach_async (ShmlabSession       *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  start_op (self, &operations[OP_DETACH], NULL, cancellable, callback, user_data);
}

/**
 * shmlab_session_write_async:
 * @encoded: what to copy in
 * @flags: %SHMLAB_WRITE_FLAGS_CUT to cut text to fit
 *
 * Copies @encoded in; needs the segment attached read-write and locked.
 */
void
shmlab_session_write_async (ShmlabSession       *self,
                            ShmlabEncoded       *encoded,
                            ShmlabWriteFlags     flags,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  Write *write = g_new0 (Write, 1);

  write->encoded = shmlab_encoded_ref (encoded);
  write->flags = flags;
  start_op (self, &operations[OP_WRITE], write, cancellable, callback, user_data);
}

/* Copies the whole segment out and decodes the copy; needs it attached and locked. */
void
shmlab_session_read_async (ShmlabSession       *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  start_op (self, &operations[OP_READ], NULL, cancellable, callback, user_data);
}

/* Removes a stale segment of the key, its lock and key files (detaching first). */
void
shmlab_session_remove_async (ShmlabSession       *self,
                             gboolean             force,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  Remove *remove = g_new0 (Remove, 1);

  remove->force = force;
  start_op (self, &operations[OP_REMOVE], remove, cancellable, callback, user_data);
}

/**
 * shmlab_session_write_all_async:
 * @encoded: what to write
 * @size: the segment size, or 0 for exactly what @encoded needs
 * @flags: %SHMLAB_WRITE_FLAGS_CUT to cut text to fit
 *
 * The Writer's one click, the Qt demo's sequence done right: set the key,
 * reuse the segment this session made if it has the right size (else detach
 * and create) — or write into the one it attached to read-write, whatever
 * @size says — lock, copy, unlock, and stay attached.
 */
void
shmlab_session_write_all_async (ShmlabSession       *self,
                                ShmlabEncoded       *encoded,
                                gsize                size,
                                ShmlabWriteFlags     flags,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  WriteAll *write_all = g_new0 (WriteAll, 1);

  write_all->encoded = shmlab_encoded_ref (encoded);
  write_all->size = size;
  write_all->flags = flags;
  start_op (self, &operations[OP_WRITE_ALL], write_all, cancellable, callback, user_data);
}

/* The Reader's one click: attach, lock, copy, unlock, detach, then decode the copy. */
void
shmlab_session_read_all_async (ShmlabSession       *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  start_op (self, &operations[OP_READ_ALL], NULL, cancellable, callback, user_data);
}

/**
 * shmlab_session_poll_async:
 *
 * Follow mode: stays attached and reads only when the content changed. The
 * result's @changed is FALSE when nothing new was written. A segment that
 * went away fails with NOT_FOUND; polling again attaches when it is back.
 */
void
shmlab_session_poll_async (ShmlabSession       *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  start_op (self, &operations[OP_POLL], NULL, cancellable, callback, user_data);
}

gboolean
shmlab_session_step_finish (ShmlabSession  *self,
                            GAsyncResult   *result,
                            GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

ShmlabReadResult *
shmlab_session_read_finish (ShmlabSession  *self,
                            GAsyncResult   *result,
                            GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
