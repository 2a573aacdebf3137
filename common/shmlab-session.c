/* shmlab-session.c — a segment driven step by step off the main thread
 *
 * Every operation runs in a GTask thread, one at a time, so a window never
 * waits for a lock, a large copy or a decode. The segment itself is touched
 * only by that thread; the main thread sees a copy of its state (attached,
 * locked, size, attach count, the first bytes), updated after each step, and
 * a "step" signal per operation, both delivered on the main context the
 * session was made in. This file holds the object and that copy; the steps,
 * the operations and closing have a file each.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-session-private.h"

#include <string.h>

G_DEFINE_FINAL_TYPE (ShmlabSession, shmlab_session, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_KEY,
  PROP_BACKEND,
  PROP_NATIVE_KEY,
  PROP_LOCK_TIMEOUT,
  PROP_ATTACHED,
  PROP_LOCKED,
  PROP_BUSY,
  PROP_WAITING,
  PROP_SIZE,
  PROP_INFO,
  PROP_SNAPSHOT,
  N_PROPS
};

enum
{
  SIGNAL_STEP,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
shmlab_session_finalize (GObject *object)
{
  ShmlabSession *self = SHMLAB_SESSION (object);

  /* Detaches in a thread (the last detach removes the segment, as Qt); an
   * operation holds the session, so none runs now. */
  if (self->closing == NULL)
    {
      ShmlabSessionClosing *closing = shmlab_session_closing_begin (self);
      shmlab_session_closing_start (closing, g_steal_pointer (&self->segment));
      shmlab_session_closing_unref (closing);
    }
  g_clear_pointer (&self->closing, shmlab_session_closing_unref);
  g_clear_object (&self->close_cancellable);
  g_clear_object (&self->op_cancellable);
  g_clear_object (&self->segment);
  g_clear_pointer (&self->last_bytes, g_bytes_unref);
  g_clear_pointer (&self->state.snapshot, g_bytes_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->key, shmlab_key_unref);

  G_OBJECT_CLASS (shmlab_session_parent_class)->finalize (object);
}

static void
shmlab_session_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  ShmlabSession *self = SHMLAB_SESSION (object);

  switch (prop_id)
    {
    case PROP_KEY: g_value_set_string (value, shmlab_session_get_key (self)); break;
    case PROP_BACKEND: g_value_set_int (value, self->backend); break;
    case PROP_NATIVE_KEY: g_value_set_string (value, shmlab_session_get_native_key (self)); break;
    case PROP_LOCK_TIMEOUT: g_value_set_int (value, self->lock_timeout); break;
    case PROP_ATTACHED: g_value_set_boolean (value, self->state.attached); break;
    case PROP_LOCKED: g_value_set_boolean (value, self->state.locked); break;
    case PROP_BUSY: g_value_set_boolean (value, self->busy); break;
    case PROP_WAITING: g_value_set_boolean (value, self->waiting); break;
    case PROP_SIZE: g_value_set_uint64 (value, self->state.size); break;
    case PROP_INFO: g_value_set_pointer (value, &self->state.info); break;
    case PROP_SNAPSHOT: g_value_set_boxed (value, self->state.snapshot); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
shmlab_session_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  ShmlabSession *self = SHMLAB_SESSION (object);

  switch (prop_id)
    {
    case PROP_LOCK_TIMEOUT:
      shmlab_session_set_lock_timeout (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
shmlab_session_class_init (ShmlabSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = shmlab_session_finalize;
  object_class->get_property = shmlab_session_get_property;
  object_class->set_property = shmlab_session_set_property;

  properties[PROP_KEY] = g_param_spec_string ("key", NULL, NULL, NULL, ro);
  properties[PROP_BACKEND] = g_param_spec_int ("backend", NULL, NULL, 0, G_MAXINT,
                                               SHMLAB_BACKEND_DEFAULT, ro);
  properties[PROP_NATIVE_KEY] = g_param_spec_string ("native-key", NULL, NULL, NULL, ro);
  properties[PROP_LOCK_TIMEOUT] =
    g_param_spec_int ("lock-timeout", NULL, NULL, -1, G_MAXINT, 5000,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ATTACHED] = g_param_spec_boolean ("attached", NULL, NULL, FALSE, ro);
  properties[PROP_LOCKED] = g_param_spec_boolean ("locked", NULL, NULL, FALSE, ro);
  properties[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE, ro);
  properties[PROP_WAITING] = g_param_spec_boolean ("waiting", NULL, NULL, FALSE, ro);
  properties[PROP_SIZE] = g_param_spec_uint64 ("size", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_INFO] = g_param_spec_pointer ("info", NULL, NULL, ro);
  properties[PROP_SNAPSHOT] = g_param_spec_boxed ("snapshot", NULL, NULL, G_TYPE_BYTES, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ShmlabSession::step:
   * @step: (type ShmlabStep): what was done, with its result and duration
   *
   * Emitted on the session's main context after each operation of each step.
   */
  signals[SIGNAL_STEP] = g_signal_new ("step", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                       NULL, NULL, NULL, G_TYPE_NONE, 1,
                                       SHMLAB_TYPE_STEP | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
shmlab_session_init (ShmlabSession *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->close_cancellable = g_cancellable_new ();
  self->lock_timeout = 5000;
  self->last_id = -1;
  shmlab_segment_info_clear (&self->state.info);
}

/**
 * shmlab_session_new:
 *
 * A session delivers its signals and notifications on the thread-default
 * main context of the thread that makes it.
 */
ShmlabSession *
shmlab_session_new (void)
{
  return g_object_new (SHMLAB_TYPE_SESSION, NULL);
}

/**
 * shmlab_session_set_key:
 * @key: the key
 * @backend: System V or POSIX
 * @error: a KEY_ERROR for a key that cannot be used
 *
 * Takes effect with the next operation, which first detaches from the old
 * key's segment if attached (as the Qt demo does) and logs "setKey".
 */
gboolean
shmlab_session_set_key (ShmlabSession  *self,
                        const char     *key,
                        ShmlabBackend   backend,
                        GError        **error)
{
  return shmlab_session_set_key_full (self, key, backend, SHMLAB_KEY_KIND_QT_LEGACY, error);
}

/**
 * shmlab_session_set_key_full:
 * @kind: how @key becomes native names
 *
 * As shmlab_session_set_key(); a Qt string form names its own backend,
 * which the session then takes.
 */
gboolean
shmlab_session_set_key_full (ShmlabSession  *self,
                             const char     *key,
                             ShmlabBackend   backend,
                             ShmlabKeyKind   kind,
                             GError        **error)
{
  g_autoptr(ShmlabKey) value = NULL;

  g_return_val_if_fail (SHMLAB_IS_SESSION (self), FALSE);

  value = shmlab_key_new_full (key, backend, kind, error);
  if (value == NULL)
    return FALSE;
  backend = shmlab_key_get_backend (value);
  if (shmlab_key_equal (value, self->key))
    return TRUE;

  g_clear_pointer (&self->key, shmlab_key_unref);
  self->key = g_steal_pointer (&value);
  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KEY]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NATIVE_KEY]);
  if (self->backend != backend)
    {
      self->backend = backend;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BACKEND]);
    }
  g_object_thaw_notify (G_OBJECT (self));
  return TRUE;
}

const char *
shmlab_session_get_key (ShmlabSession *self)
{
  return self->key ? shmlab_key_get_name (self->key) : NULL;
}

/* The key as a value, with its backend and native names; NULL until one is set. */
ShmlabKey *
shmlab_session_get_key_value (ShmlabSession *self)
{
  return self->key;
}

ShmlabBackend
shmlab_session_get_backend (ShmlabSession *self)
{
  return self->backend;
}

/* The key's native key: the key file (System V) or /dev/shm name (POSIX). */
const char *
shmlab_session_get_native_key (ShmlabSession *self)
{
  return self->key ? shmlab_key_get_segment_name (self->key) : NULL;
}

const char *
shmlab_session_get_semaphore_key (ShmlabSession *self)
{
  return self->key ? shmlab_key_get_semaphore_name (self->key) : NULL;
}

/* How long each step waits for the lock (default 5 s; negative: forever). */
void
shmlab_session_set_lock_timeout (ShmlabSession *self,
                                 gint           timeout_ms)
{
  timeout_ms = MAX (timeout_ms, -1);
  if (self->lock_timeout == timeout_ms)
    return;
  self->lock_timeout = timeout_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOCK_TIMEOUT]);
}

gint
shmlab_session_get_lock_timeout (ShmlabSession *self)
{
  return self->lock_timeout;
}

gboolean
shmlab_session_get_attached (ShmlabSession *self)
{
  return self->state.attached;
}

gboolean
shmlab_session_get_locked (ShmlabSession *self)
{
  return self->state.locked;
}

/* An operation is running; another one now fails with G_IO_ERROR_PENDING. */
gboolean
shmlab_session_get_busy (ShmlabSession *self)
{
  return self->busy;
}

/* The running operation waits for a lock another process holds. */
gboolean
shmlab_session_get_waiting (ShmlabSession *self)
{
  return self->waiting;
}

gsize
shmlab_session_get_size (ShmlabSession *self)
{
  return self->state.size;
}

/* This session created the segment it is attached to. */
gboolean
shmlab_session_get_created (ShmlabSession *self)
{
  return self->state.created;
}

/* What the system said of the key's segment after the last step. */
const ShmlabSegmentInfo *
shmlab_session_get_info (ShmlabSession *self)
{
  return &self->state.info;
}

/* The segment's first bytes as the last write or read saw them, under the lock. */
GBytes *
shmlab_session_get_snapshot (ShmlabSession *self)
{
  return self->state.snapshot;
}

/* Delivering to the main context. */

typedef struct
{
  ShmlabSession *self;
  ShmlabStep *step;
  ShmlabSessionState state;
  gboolean has_state;
  gboolean waiting;
  gboolean has_waiting;
} Delivery;

void
shmlab_session_apply_state (ShmlabSession      *self,
                            ShmlabSessionState *state)
{
  GObject *object = G_OBJECT (self);

  g_object_freeze_notify (object);
  if (self->state.attached != state->attached)
    {
      self->state.attached = state->attached;
      g_object_notify_by_pspec (object, properties[PROP_ATTACHED]);
    }
  if (self->state.locked != state->locked)
    {
      self->state.locked = state->locked;
      g_object_notify_by_pspec (object, properties[PROP_LOCKED]);
    }
  self->state.created = state->created;
  if (self->state.size != state->size)
    {
      self->state.size = state->size;
      g_object_notify_by_pspec (object, properties[PROP_SIZE]);
    }
  if (memcmp (&self->state.info, &state->info, sizeof state->info) != 0)
    {
      self->state.info = state->info;
      g_object_notify_by_pspec (object, properties[PROP_INFO]);
    }
  if (state->snapshot != NULL)
    {
      g_clear_pointer (&self->state.snapshot, g_bytes_unref);
      self->state.snapshot = g_steal_pointer (&state->snapshot);
      g_object_notify_by_pspec (object, properties[PROP_SNAPSHOT]);
    }
  g_object_thaw_notify (object);
}

static gboolean
deliver (gpointer user_data)
{
  Delivery *d = user_data;

  if (d->has_state)
    shmlab_session_apply_state (d->self, &d->state);
  if (d->has_waiting && d->self->waiting != d->waiting)
    {
      d->self->waiting = d->waiting;
      g_object_notify_by_pspec (G_OBJECT (d->self), properties[PROP_WAITING]);
    }
  if (d->step != NULL)
    g_signal_emit (d->self, signals[SIGNAL_STEP], 0, d->step);
  return G_SOURCE_REMOVE;
}

static void
delivery_free (gpointer user_data)
{
  Delivery *d = user_data;

  g_object_unref (d->self);
  g_clear_pointer (&d->step, shmlab_step_free);
  g_clear_pointer (&d->state.snapshot, g_bytes_unref);
  g_free (d);
}

/* Always through a source on the session's context, in order: never
 * g_main_context_invoke(), which runs the function in the calling thread
 * whenever that thread can acquire the context. */
static void
deliver_later (ShmlabSession *self,
               Delivery      *d)
{
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, deliver, d, delivery_free);
  g_source_set_static_name (source, "[shmlab] session step");
  g_source_attach (source, self->context);
  g_source_unref (source);
}

/* In the worker, after each step and operation. */
void
shmlab_session_capture_state (ShmlabSession      *self,
                              ShmlabKey          *key,
                              ShmlabSessionState *state)
{
  ShmlabSegment *segment = self->segment;

  state->attached = segment && shmlab_segment_is_attached (segment);
  state->locked = segment && shmlab_segment_is_locked (segment);
  state->created = state->attached && self->made_segment;
  state->size = state->attached ? shmlab_segment_get_size (segment) : 0;
  if (key == NULL || !shmlab_segment_query_for_key (key, &state->info, NULL))
    shmlab_segment_info_clear (&state->info);
}

/* From the worker: the state after a step, the step itself, both in order. */
void
shmlab_session_post_step (ShmlabSessionRun *data,
                          ShmlabStep       *step,
                          GBytes           *snapshot)
{
  Delivery *d = g_new0 (Delivery, 1);

  d->self = g_object_ref (data->self);
  d->step = step;
  d->has_state = TRUE;
  shmlab_session_capture_state (data->self, data->key, &d->state);
  d->state.snapshot = snapshot ? g_bytes_ref (snapshot) : NULL;
  deliver_later (data->self, d);
}

void
shmlab_session_post_waiting (ShmlabSessionRun *data,
                             gboolean          waiting)
{
  Delivery *d = g_new0 (Delivery, 1);

  d->self = g_object_ref (data->self);
  d->has_waiting = TRUE;
  d->waiting = waiting;
  deliver_later (data->self, d);
}

/* On the main context: an operation starts, or has ended. */
void
shmlab_session_set_busy (ShmlabSession *self,
                         gboolean       busy)
{
  self->busy = busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}
