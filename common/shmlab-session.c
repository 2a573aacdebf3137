/* shmlab-session.c — a segment driven step by step off the main thread
 *
 * Every operation runs in a GTask thread, one at a time, so a window never
 * waits for a lock, a large copy or a decode. The segment itself is touched
 * only by that thread; the main thread sees a copy of its state (attached,
 * locked, size, attach count, the first bytes), updated after each step, and
 * a "step" signal per operation, both delivered on the main context the
 * session was made in. Closing (or finalizing) hands the segment to a thread
 * of its own that detaches it, so a window goes at once even while another
 * process holds the lock.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-session.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "shmlab-limits.h"

/* How much of the segment the inspector gets to see. */
#define SNAPSHOT_BYTES (64 * 1024)

/* How long a closed session waits for the lock to detach when its lock
 * timeout says "as long as it takes": nobody is left to cancel the wait. */
#define CLOSE_LOCK_TIMEOUT_MS 5000

G_DEFINE_BOXED_TYPE (ShmlabStep, shmlab_step, shmlab_step_copy, shmlab_step_free)

ShmlabStep *
shmlab_step_copy (const ShmlabStep *step)
{
  ShmlabStep *copy = g_new0 (ShmlabStep, 1);

  copy->name = g_strdup (step->name);
  copy->detail = g_strdup (step->detail);
  copy->ok = step->ok;
  copy->error = step->error ? g_error_copy (step->error) : NULL;
  copy->duration_us = step->duration_us;
  copy->time_us = step->time_us;
  return copy;
}

void
shmlab_step_free (ShmlabStep *step)
{
  if (step == NULL)
    return;
  g_free (step->name);
  g_free (step->detail);
  g_clear_error (&step->error);
  g_free (step);
}

/* "lock  ok  0.01 ms", or with the error on failure: one line of a log. */
char *
shmlab_step_to_string (const ShmlabStep *step)
{
  GString *line = g_string_new (step->name);

  if (step->detail && *step->detail)
    g_string_append_printf (line, "  %s", step->detail);
  g_string_append_printf (line, _("  %s  %.2f ms"), step->ok ? "ok" : "failed",
                          step->duration_us / 1000.0);
  if (step->error)
    g_string_append_printf (line, ": %s", step->error->message);
  return g_string_free (line, FALSE);
}

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

/* A closed session's segment, detached in a thread: the session itself may
 * be gone by then, so this holds all the detach needs. Shared (atomic
 * reference count) by the session and the thread; everything but @segment
 * is touched only on the main context. */
typedef struct
{
  ShmlabSegment *segment;  /* the thread's, from when it starts */
  gint lock_timeout;
  GApplication *application;  /* held until the detach has ended */
  GPtrArray *waiters;      /* GTasks of shmlab_session_close_async() */
  gboolean done;
  GError *error;           /* how it ended, for a close asked for later */
} Closing;

/* What the main thread knows of the segment, captured by the worker. */
typedef struct
{
  gboolean attached;
  gboolean locked;
  gboolean created;
  gsize size;
  ShmlabSegmentInfo info;
  GBytes *snapshot;  /* NULL: unchanged */
} State;

struct _ShmlabSession
{
  GObject parent_instance;

  GMainContext *context;

  /* Touched only by the operation running in a thread. */
  ShmlabSegment *segment;
  gboolean made_segment;  /* this session created the segment it is attached to */
  guint64 last_generation;
  GBytes *last_bytes;
  gint last_id;

  /* Main-thread state. */
  char *key;
  ShmlabBackend backend;
  char *native_key;
  char *semaphore_key;
  gint lock_timeout;
  gboolean busy;
  gboolean waiting;
  State state;

  /* Closing (main thread). */
  GCancellable *op_cancellable;     /* the running operation's */
  GCancellable *close_cancellable;  /* also ends the detaches of the running operation */
  Closing *closing;                 /* set once closed */
};

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

typedef enum
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
} Op;

/* What one operation needs, set on the main thread, read by the worker. */
typedef struct
{
  ShmlabSession *self;
  Op op;
  char *key;
  ShmlabBackend backend;
  gint lock_timeout;
  gsize size;
  ShmlabAccessMode mode;
  ShmlabEncoded *encoded;
  ShmlabWriteFlags flags;
  gboolean force;
  State state;
  GCancellable *cancellable;  /* the caller's, or closing, cancel it */
  GCancellable *caller_cancellable;
  gulong caller_handler;
  GCancellable *close_cancellable;
} OpData;

static void
op_data_unlink (OpData *data)
{
  if (data->caller_handler != 0)
    g_cancellable_disconnect (data->caller_cancellable, data->caller_handler);
  data->caller_handler = 0;
  g_clear_object (&data->caller_cancellable);
}

static void
op_data_free (OpData *data)
{
  op_data_unlink (data);
  g_clear_object (&data->cancellable);
  g_clear_object (&data->close_cancellable);
  g_clear_object (&data->self);
  g_free (data->key);
  g_clear_pointer (&data->encoded, shmlab_encoded_free);
  g_clear_pointer (&data->state.snapshot, g_bytes_unref);
  g_free (data);
}

static Closing *closing_begin (ShmlabSession *self);
static void closing_start (Closing *closing, ShmlabSegment *segment);
static void closing_unref (Closing *closing);

static void
shmlab_session_finalize (GObject *object)
{
  ShmlabSession *self = SHMLAB_SESSION (object);

  /* Detaches in a thread (the last detach removes the segment, as Qt); an
   * operation holds the session, so none runs now. */
  if (self->closing == NULL)
    {
      Closing *closing = closing_begin (self);
      closing_start (closing, g_steal_pointer (&self->segment));
      closing_unref (closing);
    }
  g_clear_pointer (&self->closing, closing_unref);
  g_clear_object (&self->close_cancellable);
  g_clear_object (&self->op_cancellable);
  g_clear_object (&self->segment);
  g_clear_pointer (&self->last_bytes, g_bytes_unref);
  g_clear_pointer (&self->state.snapshot, g_bytes_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_free (self->key);
  g_free (self->native_key);
  g_free (self->semaphore_key);

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
    case PROP_KEY: g_value_set_string (value, self->key); break;
    case PROP_BACKEND: g_value_set_int (value, self->backend); break;
    case PROP_NATIVE_KEY: g_value_set_string (value, self->native_key); break;
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
  properties[PROP_BACKEND] = g_param_spec_int ("backend", NULL, NULL, SHMLAB_BACKEND_SYSV,
                                               SHMLAB_BACKEND_POSIX, SHMLAB_BACKEND_SYSV, ro);
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
  g_autofree char *native = NULL;
  g_autofree char *semaphore = NULL;

  g_return_val_if_fail (SHMLAB_IS_SESSION (self), FALSE);

  native = shmlab_native_key (key, backend, SHMLAB_NATIVE_SEGMENT, error);
  if (native == NULL)
    return FALSE;
  semaphore = shmlab_native_key (key, backend, SHMLAB_NATIVE_SEMAPHORE, NULL);

  if (g_strcmp0 (key, self->key) == 0 && backend == self->backend)
    return TRUE;

  g_free (self->key);
  self->key = g_strdup (key);
  g_free (self->native_key);
  self->native_key = g_steal_pointer (&native);
  g_free (self->semaphore_key);
  self->semaphore_key = g_steal_pointer (&semaphore);
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
  return self->native_key;
}

const char *
shmlab_session_get_semaphore_key (ShmlabSession *self)
{
  return self->semaphore_key;
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

/* ---- delivering to the main context ---- */

typedef struct
{
  ShmlabSession *self;
  ShmlabStep *step;
  State state;
  gboolean has_state;
  gboolean waiting;
  gboolean has_waiting;
} Delivery;

static void
apply_state (ShmlabSession *self,
             State         *state)
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
    apply_state (d->self, &d->state);
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

static void
capture_state (ShmlabSession *self,
               const char    *key,
               ShmlabBackend  backend,
               State         *state)
{
  ShmlabSegment *segment = self->segment;

  state->attached = segment && shmlab_segment_is_attached (segment);
  state->locked = segment && shmlab_segment_is_locked (segment);
  state->created = state->attached && self->made_segment;
  state->size = state->attached ? shmlab_segment_get_size (segment) : 0;
  if (key == NULL || !shmlab_segment_query_key (key, backend, &state->info, NULL))
    shmlab_segment_info_clear (&state->info);
}

/* From the worker: the state after a step, the step itself, both in order. */
static void
post_step (OpData     *data,
           ShmlabStep *step,
           GBytes     *snapshot)
{
  Delivery *d = g_new0 (Delivery, 1);

  d->self = g_object_ref (data->self);
  d->step = step;
  d->has_state = TRUE;
  capture_state (data->self, data->key, data->backend, &d->state);
  d->state.snapshot = snapshot ? g_bytes_ref (snapshot) : NULL;
  deliver_later (data->self, d);
}

static void
post_waiting (OpData   *data,
              gboolean  waiting)
{
  Delivery *d = g_new0 (Delivery, 1);

  d->self = g_object_ref (data->self);
  d->has_waiting = TRUE;
  d->waiting = waiting;
  deliver_later (data->self, d);
}

/* ---- the steps, run in the worker ---- */

typedef struct
{
  gint64 start;
  const char *name;
} Timer;

static Timer
timer_start (const char *name)
{
  return (Timer) { g_get_monotonic_time (), name };
}

/* Reports a finished step; returns @ok so steps read as one expression. */
static gboolean
report (OpData       *data,
        Timer         timer,
        gboolean      ok,
        const GError *error,
        GBytes       *snapshot,
        const char   *format,
        ...) G_GNUC_PRINTF (6, 7);

static gboolean
report (OpData       *data,
        Timer         timer,
        gboolean      ok,
        const GError *error,
        GBytes       *snapshot,
        const char   *format,
        ...)
{
  ShmlabStep *step = g_new0 (ShmlabStep, 1);
  va_list ap;

  step->name = g_strdup (timer.name);
  if (format != NULL)
    {
      va_start (ap, format);
      step->detail = g_strdup_vprintf (format, ap);
      va_end (ap);
    }
  step->ok = ok;
  step->error = (!ok && error) ? g_error_copy (error) : NULL;
  step->duration_us = g_get_monotonic_time () - timer.start;
  step->time_us = g_get_real_time ();
  post_step (data, step, snapshot);
  return ok;
}

static gboolean implicit_lock (OpData *data, GCancellable *cancellable, gboolean *took,
                               GError **error);
static void implicit_unlock (OpData *data, gboolean took);

static char *
size_text (guint64 bytes)
{
  return shmlab_format_bytes (bytes);
}

static gboolean
step_detach (OpData  *data,
             GError **error)
{
  ShmlabSession *self = data->self;
  Timer t = timer_start ("detach");
  GError *local_error = NULL;
  gboolean took = FALSE;
  /* Only closing ends this wait: a cancelled read still detaches. */
  gboolean ok = implicit_lock (data, data->close_cancellable, &took, &local_error) &&
                shmlab_segment_detach (self->segment, &local_error);
  gboolean removed = ok && shmlab_segment_get_removed_on_detach (self->segment);

  implicit_unlock (data, took);
  if (ok)
    {
      self->last_id = -1;
      self->made_segment = FALSE;
      g_clear_pointer (&self->last_bytes, g_bytes_unref);
      self->last_generation = 0;
    }
  report (data, t, ok, local_error, NULL, "%s",
          !ok ? "" : removed ? _("segment removed: this was the last process")
                             : _("the segment lives on while others are attached"));
  if (!ok)
    g_propagate_error (error, local_error);
  return ok;
}

/* The key the user set since the last step takes effect now. */
static gboolean
step_apply_key (OpData  *data,
                GError **error)
{
  ShmlabSession *self = data->self;
  Timer t;
  GError *local_error = NULL;
  gboolean ok;

  if (data->key == NULL)
    {
      g_set_error_literal (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_KEY_ERROR,
                           _("no key is set: type a key first"));
      return FALSE;
    }

  if (self->segment != NULL && shmlab_segment_get_backend (self->segment) == data->backend &&
      g_strcmp0 (shmlab_segment_get_key (self->segment), data->key) == 0)
    {
      shmlab_segment_set_lock_timeout (self->segment, data->lock_timeout);
      return TRUE;
    }

  if (self->segment != NULL && shmlab_segment_is_attached (self->segment) &&
      !step_detach (data, error))
    return FALSE;

  t = timer_start ("setKey");
  if (self->segment == NULL || shmlab_segment_get_backend (self->segment) != data->backend)
    {
      g_clear_object (&self->segment);
      self->segment = shmlab_segment_new (data->backend);
    }
  ok = shmlab_segment_set_key (self->segment, data->key, &local_error);
  shmlab_segment_set_lock_timeout (self->segment, data->lock_timeout);
  report (data, t, ok, local_error, NULL, "“%s” → %s (%s)", data->key,
          ok ? shmlab_segment_get_native_key (self->segment) : "—",
          shmlab_backend_describe (data->backend));
  if (!ok)
    g_propagate_error (error, local_error);
  return ok;
}

static gboolean
require (OpData      *data,
         gboolean     attached,
         gboolean     locked,
         const char  *what,
         GError     **error)
{
  ShmlabSegment *segment = data->self->segment;

  if (attached && (segment == NULL || !shmlab_segment_is_attached (segment)))
    {
      g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_NOT_FOUND,
                   _("cannot %s: not attached to a segment — create or attach first"), what);
      return FALSE;
    }
  if (locked && !shmlab_segment_is_locked (segment))
    {
      g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_LOCK_ERROR,
                   _("cannot %s without the lock: lock first"), what);
      return FALSE;
    }
  return TRUE;
}

static gboolean
step_create (OpData        *data,
             gsize          size,
             GCancellable  *cancellable,
             GError       **error)
{
  ShmlabSession *self = data->self;
  Timer t = timer_start ("create");
  g_autofree char *text = size_text (size);
  GError *local_error = NULL;
  gboolean took = FALSE;
  gboolean ok = implicit_lock (data, cancellable, &took, &local_error) &&
                shmlab_segment_create (self->segment, size, SHMLAB_ACCESS_READ_WRITE, cancellable,
                                       &local_error);

  implicit_unlock (data, took);
  if (ok)
    {
      ShmlabSegmentInfo info;
      self->made_segment = TRUE;
      self->last_id = shmlab_segment_query (self->segment, &info, NULL) ? info.id : -1;
    }
  report (data, t, ok, local_error, NULL, _("%s, mode 0600"), text);
  if (!ok)
    g_propagate_error (error, local_error);
  return ok;
}

static gboolean
step_attach (OpData            *data,
             ShmlabAccessMode   mode,
             GCancellable      *cancellable,
             GError           **error)
{
  ShmlabSession *self = data->self;
  Timer t = timer_start ("attach");
  GError *local_error = NULL;
  g_autofree char *text = NULL;
  gboolean took = FALSE;
  gboolean ok = implicit_lock (data, cancellable, &took, &local_error) &&
                shmlab_segment_attach (self->segment, mode, cancellable, &local_error);

  implicit_unlock (data, took);
  if (ok)
    {
      ShmlabSegmentInfo info;
      self->last_id = shmlab_segment_query (self->segment, &info, NULL) ? info.id : -1;
      text = size_text (shmlab_segment_get_size (self->segment));
    }
  report (data, t, ok, local_error, NULL, "%s%s%s", text ? text : "", text ? ", " : "",
          mode == SHMLAB_ACCESS_READ_ONLY ? _("read-only") : _("read-write"));
  if (!ok)
    g_propagate_error (error, local_error);
  return ok;
}

/* Takes the lock: at once if free, else says the session waits and waits
 * (the lock timeout, or until cancelled). */
static gboolean
acquire (OpData        *data,
         GCancellable  *cancellable,
         gboolean      *waited,
         GError       **error)
{
  ShmlabSegment *segment = data->self->segment;
  GError *local_error = NULL;
  gboolean ok;

  *waited = FALSE;
  ok = shmlab_segment_lock_full (segment, 0, NULL, &local_error);
  if (!ok && g_error_matches (local_error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_TIMED_OUT) &&
      data->lock_timeout != 0)
    {
      g_clear_error (&local_error);
      *waited = TRUE;
      post_waiting (data, TRUE);
      ok = shmlab_segment_lock_full (segment, data->lock_timeout, cancellable, &local_error);
      post_waiting (data, FALSE);
    }
  if (!ok)
    g_propagate_error (error, local_error);
  else
    {
      /* A POSIX lock taken over from a holder that died: the student hears why. */
      g_autofree char *note = shmlab_segment_take_lock_note (segment);

      if (note != NULL)
        report (data, timer_start ("lock"), TRUE, NULL, NULL, "%s", note);
    }
  return ok;
}

/* create, attach and detach run under the lock, as Qt's do: take it here so
 * that a wait for it shows, unless the student already holds it. */
static gboolean
implicit_lock (OpData        *data,
               GCancellable  *cancellable,
               gboolean      *took,
               GError       **error)
{
  gboolean waited;

  *took = FALSE;
  if (shmlab_segment_is_locked (data->self->segment))
    return TRUE;
  if (!acquire (data, cancellable, &waited, error))
    return FALSE;
  *took = TRUE;
  return TRUE;
}

static void
implicit_unlock (OpData   *data,
                 gboolean  took)
{
  if (took)
    shmlab_segment_unlock (data->self->segment, NULL);
}

static gboolean
step_lock (OpData        *data,
           GCancellable  *cancellable,
           GError       **error)
{
  Timer t = timer_start ("lock");
  GError *local_error = NULL;
  gboolean waited;
  gboolean ok = acquire (data, cancellable, &waited, &local_error);

  report (data, t, ok, local_error, NULL, "%s",
          waited && ok ? _("waited for another process to unlock") : "");
  if (!ok)
    g_propagate_error (error, local_error);
  return ok;
}

static gboolean
step_unlock (OpData  *data,
             GError **error)
{
  Timer t = timer_start ("unlock");
  GError *local_error = NULL;
  gboolean ok = shmlab_segment_unlock (data->self->segment, &local_error);

  report (data, t, ok, local_error, NULL, NULL);
  if (!ok)
    g_propagate_error (error, local_error);
  return ok;
}

static GBytes *
snapshot_of (ShmlabSegment *segment)
{
  gsize size = shmlab_segment_get_size (segment);

  return g_bytes_new (shmlab_segment_get_const_data (segment), MIN (size, SNAPSHOT_BYTES));
}

static gboolean
step_copy_in (OpData  *data,
              GError **error)
{
  ShmlabSegment *segment = data->self->segment;
  Timer t = timer_start ("copy");
  GError *local_error = NULL;
  g_autoptr(GBytes) snapshot = NULL;
  guint8 *dest = shmlab_segment_get_data (segment);
  gsize size = shmlab_segment_get_size (segment);
  gsize written = 0;
  guint64 generation = shmlab_frame_peek_generation (dest, size) + 1;
  gboolean ok;

  if (shmlab_segment_get_access_mode (segment) != SHMLAB_ACCESS_READ_WRITE)
    {
      g_set_error_literal (&local_error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_PERMISSION_DENIED,
                           _("cannot write: attached read-only — detach and attach read-write"));
      ok = FALSE;
    }
  else
    ok = shmlab_encoded_write (data->encoded, dest, size, data->flags, generation, &written,
                               &local_error);
  if (ok)
    snapshot = snapshot_of (segment);
  report (data, t, ok, local_error, snapshot, _("%zu bytes in (%s)%s"), ok ? written
          : shmlab_encoded_get_size (data->encoded),
          shmlab_format_describe (shmlab_encoded_get_format (data->encoded)),
          ok && written < shmlab_encoded_get_size (data->encoded) ? ", cut to fit" : "");
  if (!ok)
    g_propagate_error (error, local_error);
  return ok;
}

/* Memory for a copy of @size bytes, its pages already mapped: taking them
 * one fault at a time while holding the lock would make others wait. */
static guint8 *
prepare_copy (gsize size)
{
  long page = 4096;
  guint8 *copy = g_try_malloc (MAX (size, 1));

  if (copy != NULL)
    for (gsize i = 0; i < size; i += (gsize) page)
      ((volatile guint8 *) copy)[i] = 0;
  return copy;
}

/* The whole segment into a private copy (made ready beforehand by
 * prepare_copy() when the size was known): everything after works on it. */
static GBytes *
step_copy_out (OpData  *data,
               guint8  *prepared,
               GError **error)
{
  ShmlabSegment *segment = data->self->segment;
  Timer t = timer_start ("copy");
  gsize size = shmlab_segment_get_size (segment);
  guint8 *copy = prepared ? prepared : g_try_malloc (MAX (size, 1));
  GError *local_error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) snapshot = NULL;

  if (copy == NULL)
    {
      g_autofree char *text = size_text (size);
      g_set_error (&local_error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   _("not enough memory to copy the segment of %s out: free memory or read a "
                   "smaller segment"), text);
      report (data, t, FALSE, local_error, NULL, NULL);
      g_propagate_error (error, local_error);
      return NULL;
    }
  memcpy (copy, shmlab_segment_get_const_data (segment), size);
  bytes = g_bytes_new_take (copy, size);
  snapshot = g_bytes_new_from_bytes (bytes, 0, MIN (size, SNAPSHOT_BYTES));
  report (data, t, TRUE, NULL, snapshot, _("%zu bytes out"), size);
  return g_steal_pointer (&bytes);
}

static ShmlabReadResult *
step_decode (OpData *data,
             GBytes *bytes)
{
  ShmlabReadResult *result = g_new0 (ShmlabReadResult, 1);
  Timer t = timer_start ("decode");
  result->bytes = g_bytes_ref (bytes);
  result->changed = TRUE;
  result->payload = shmlab_payload_decode_bytes (bytes, &result->decode_error);
  if (result->payload == NULL)
    report (data, t, FALSE, result->decode_error, NULL, NULL);
  else if (result->payload->kind == SHMLAB_PAYLOAD_KIND_IMAGE)
    report (data, t, TRUE, NULL, NULL, _("%s, %u × %u pixels"),
            shmlab_format_describe (result->payload->format), result->payload->image->width,
            result->payload->image->height);
  else
    report (data, t, TRUE, NULL, NULL, _("%s, %zu bytes of text%s"),
            shmlab_format_describe (result->payload->format), result->payload->text_length,
            result->payload->invalid_bytes ? ", some not valid UTF-8" : "");
  /* The newest slot was torn by a writer that died: what is shown, and why. */
  if (result->payload != NULL && result->payload->note != NULL)
    report (data, timer_start ("decode"), TRUE, NULL, NULL, "%s", result->payload->note);
  return result;
}

/* Unlocks after a failure, keeping the first error. */
static void
unlock_quietly (OpData *data)
{
  if (shmlab_segment_is_locked (data->self->segment))
    step_unlock (data, NULL);
}

static gboolean
run_write_all (OpData        *data,
               GCancellable  *cancellable,
               GError       **error)
{
  ShmlabSession *self = data->self;
  gsize needed = shmlab_encoded_get_size (data->encoded);
  gsize size = data->size ? data->size : needed;
  gboolean ok;

  if (!step_apply_key (data, error))
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
                                    (data->size ? current == data->size : current >= needed));
      if (!reuse && !step_detach (data, error))
        return FALSE;
    }

  if (!shmlab_segment_is_attached (self->segment) && !step_create (data, size, cancellable, error))
    return FALSE;

  if (!step_lock (data, cancellable, error))
    return FALSE;
  ok = step_copy_in (data, error);
  if (!ok)
    {
      unlock_quietly (data);
      return FALSE;
    }
  return step_unlock (data, error);
}

static ShmlabReadResult *
run_read_all (OpData        *data,
              GCancellable  *cancellable,
              GError       **error)
{
  ShmlabSession *self = data->self;
  g_autoptr(GBytes) bytes = NULL;
  guint8 *prepared;

  if (!step_apply_key (data, error))
    return NULL;
  if (shmlab_segment_is_attached (self->segment) && !step_detach (data, error))
    return NULL;
  if (!step_attach (data, SHMLAB_ACCESS_READ_ONLY, cancellable, error))
    return NULL;
  prepared = prepare_copy (shmlab_segment_get_size (self->segment));
  if (!step_lock (data, cancellable, error))
    {
      g_free (prepared);
      step_detach (data, NULL);
      return NULL;
    }
  bytes = step_copy_out (data, g_steal_pointer (&prepared), error);
  step_unlock (data, NULL);
  step_detach (data, NULL);
  if (bytes == NULL)
    return NULL;
  return step_decode (data, bytes);
}

/* Follow mode: re-read only when the content changed (a frame's generation,
 * or the bytes themselves for the other formats). */
static ShmlabReadResult *
run_poll (OpData        *data,
          GCancellable  *cancellable,
          GError       **error)
{
  ShmlabSession *self = data->self;
  ShmlabSegment *segment;
  guint64 generation;
  ShmlabSegmentInfo info;
  const guint8 *mapped;
  gsize size;
  gboolean same = FALSE;
  g_autoptr(GBytes) bytes = NULL;

  if (!step_apply_key (data, error))
    return NULL;
  segment = self->segment;

  /* The segment may have gone, or been made anew with another size: attach again. */
  if (shmlab_segment_is_attached (segment) &&
      (!shmlab_segment_query (segment, &info, NULL) || !info.exists ||
       (info.id >= 0 && self->last_id >= 0 && info.id != self->last_id) ||
       (data->backend == SHMLAB_BACKEND_POSIX && info.size != shmlab_segment_get_size (segment))))
    step_detach (data, NULL);

  if (!shmlab_segment_is_attached (segment))
    {
      if (!shmlab_segment_query (segment, &info, NULL) || !info.exists)
        {
          g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_NOT_FOUND,
                       _("the segment of key “%s” is gone: waiting for a writer to create it again"),
                       data->key);
          post_step (data, NULL, NULL);
          return NULL;
        }
      if (!step_attach (data, SHMLAB_ACCESS_READ_ONLY, cancellable, error))
        return NULL;
    }

  if (!shmlab_segment_lock_full (segment, data->lock_timeout, cancellable, error))
    return NULL;
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
      ShmlabReadResult *unchanged = g_new0 (ShmlabReadResult, 1);
      shmlab_segment_unlock (segment, NULL);
      return unchanged;
    }

  /* Changed: show the protocol, as a read does. */
  report (data, timer_start ("lock"), TRUE, NULL, NULL, _("following: the content changed"));
  bytes = step_copy_out (data, NULL, error);
  self->last_generation = shmlab_frame_peek_generation (mapped, size);
  step_unlock (data, NULL);
  if (bytes == NULL)
    return NULL;
  g_clear_pointer (&self->last_bytes, g_bytes_unref);
  self->last_bytes = g_bytes_ref (bytes);
  return step_decode (data, bytes);
}

static void
run_op (GTask        *task,
        gpointer      source_object,
        gpointer      task_data,
        GCancellable *cancellable)
{
  OpData *data = task_data;
  ShmlabSession *self = data->self;
  GError *error = NULL;
  gboolean ok = FALSE;
  ShmlabReadResult *result = NULL;
  g_autoptr(GBytes) bytes = NULL;

  switch (data->op)
    {
    case OP_CREATE:
      ok = step_apply_key (data, &error) && step_create (data, data->size, cancellable, &error);
      break;
    case OP_ATTACH:
      ok = step_apply_key (data, &error) && step_attach (data, data->mode, cancellable, &error);
      break;
    case OP_LOCK:
      ok = step_apply_key (data, &error) && step_lock (data, cancellable, &error);
      break;
    case OP_UNLOCK:
      ok = self->segment != NULL && step_unlock (data, &error);
      if (self->segment == NULL)
        g_set_error_literal (&error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_LOCK_ERROR,
                             _("cannot unlock: the lock is not held"));
      break;
    case OP_DETACH:
      ok = require (data, TRUE, FALSE, _("detach"), &error) && step_detach (data, &error);
      break;
    case OP_WRITE:
      ok = require (data, TRUE, TRUE, _("write"), &error) && step_copy_in (data, &error);
      break;
    case OP_READ:
      if (require (data, TRUE, TRUE, _("read"), &error) && (bytes = step_copy_out (data, NULL, &error)))
        result = step_decode (data, bytes);
      break;
    case OP_REMOVE:
      {
        gboolean detached = FALSE;
        Timer t;

        if (self->segment != NULL && shmlab_segment_is_attached (self->segment))
          detached = step_detach (data, NULL) && shmlab_segment_get_removed_on_detach (self->segment);
        t = timer_start ("remove");
        ok = shmlab_segment_remove_key (data->key, data->backend, data->force, &error);
        /* Detaching already removed it: this session was its last user. */
        if (!ok && detached &&
            g_error_matches (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_NOT_FOUND))
          {
            g_clear_error (&error);
            ok = TRUE;
          }
        report (data, t, ok, error, NULL, _("segment, lock and key files of “%s”"), data->key);
      }
      break;
    case OP_WRITE_ALL:
      ok = run_write_all (data, cancellable, &error);
      break;
    case OP_READ_ALL:
      result = run_read_all (data, cancellable, &error);
      break;
    case OP_POLL:
      result = run_poll (data, cancellable, &error);
      break;
    }

  capture_state (self, data->key, data->backend, &data->state);
  if (error != NULL)
    {
      g_clear_pointer (&result, shmlab_read_result_free);
      g_task_return_error (task, error);
    }
  else if (data->op == OP_READ || data->op == OP_READ_ALL || data->op == OP_POLL)
    g_task_return_pointer (task, result, (GDestroyNotify) shmlab_read_result_free);
  else
    g_task_return_boolean (task, ok);
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
  OpData *data = g_task_get_task_data (G_TASK (inner));
  g_autoptr(ShmlabSession) self = g_steal_pointer (&data->self);
  GError *error = NULL;

  op_data_unlink (data);
  g_clear_object (&self->op_cancellable);
  apply_state (self, &data->state);
  self->busy = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);

  /* Closed while it ran: the segment is free now, detach it. */
  if (self->closing != NULL)
    closing_start (self->closing, g_steal_pointer (&self->segment));

  if (data->op == OP_READ || data->op == OP_READ_ALL || data->op == OP_POLL)
    {
      ShmlabReadResult *result = g_task_propagate_pointer (G_TASK (inner), &error);
      if (error)
        g_task_return_error (outer, error);
      else
        g_task_return_pointer (outer, result, (GDestroyNotify) shmlab_read_result_free);
    }
  else
    {
      gboolean ok = g_task_propagate_boolean (G_TASK (inner), &error);
      if (error)
        g_task_return_error (outer, error);
      else
        g_task_return_boolean (outer, ok);
    }
  g_object_unref (outer);
}

static void
cancel_linked (GCancellable *cancellable,
               gpointer      user_data)
{
  g_cancellable_cancel (user_data);
}

static void
start_op (ShmlabSession       *self,
          OpData              *data,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  GTask *outer = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) inner = NULL;

  g_task_set_source_tag (outer, start_op);
  if (self->closing != NULL)
    {
      g_task_return_new_error (outer, G_IO_ERROR, G_IO_ERROR_CLOSED,
                               _("the session is closed: its window is closing"));
      op_data_free (data);
      g_object_unref (outer);
      return;
    }
  if (self->busy)
    {
      g_task_return_new_error (outer, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _("another step is still running: wait for it, or cancel it"));
      op_data_free (data);
      g_object_unref (outer);
      return;
    }

  data->self = g_object_ref (self);
  data->key = g_strdup (self->key);
  data->backend = self->backend;
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

  self->busy = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);

  /* No source object: only @data holds the session, and op_done() drops it. */
  inner = g_task_new (NULL, data->cancellable, op_done, outer);
  g_task_set_task_data (inner, data, (GDestroyNotify) op_data_free);
  /* Lock waits are cancelled through the GCancellable, not by dropping the task. */
  g_task_set_return_on_cancel (inner, FALSE);
  g_task_run_in_thread (inner, run_op);
}

static OpData *
op_new (Op op)
{
  OpData *data = g_new0 (OpData, 1);
  data->op = op;
  return data;
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
  OpData *data = op_new (OP_CREATE);
  data->size = size;
  start_op (self, data, cancellable, callback, user_data);
}

void
shmlab_session_attach_async (ShmlabSession       *self,
                             ShmlabAccessMode     mode,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  OpData *data = op_new (OP_ATTACH);
  data->mode = mode;
  start_op (self, data, cancellable, callback, user_data);
}

/* Waits at most the lock timeout; the "waiting" property is TRUE while it waits. */
void
shmlab_session_lock_async (ShmlabSession       *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  start_op (self, op_new (OP_LOCK), cancellable, callback, user_data);
}

void
shmlab_session_unlock_async (ShmlabSession       *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  start_op (self, op_new (OP_UNLOCK), cancellable, callback, user_data);
}

void
shmlab_session_detach_async (ShmlabSession       *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  start_op (self, op_new (OP_DETACH), cancellable, callback, user_data);
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
  OpData *data = op_new (OP_WRITE);
  data->encoded = shmlab_encoded_ref (encoded);
  data->flags = flags;
  start_op (self, data, cancellable, callback, user_data);
}

/* Copies the whole segment out and decodes the copy; needs it attached and locked. */
void
shmlab_session_read_async (ShmlabSession       *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  start_op (self, op_new (OP_READ), cancellable, callback, user_data);
}

/* Removes a stale segment of the key, its lock and key files (detaching first). */
void
shmlab_session_remove_async (ShmlabSession       *self,
                             gboolean             force,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  OpData *data = op_new (OP_REMOVE);
  data->force = force;
  start_op (self, data, cancellable, callback, user_data);
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
  OpData *data = op_new (OP_WRITE_ALL);
  data->encoded = shmlab_encoded_ref (encoded);
  data->size = size;
  data->flags = flags;
  start_op (self, data, cancellable, callback, user_data);
}

/* The Reader's one click: attach, lock, copy, unlock, detach, then decode the copy. */
void
shmlab_session_read_all_async (ShmlabSession       *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  start_op (self, op_new (OP_READ_ALL), cancellable, callback, user_data);
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
  start_op (self, op_new (OP_POLL), cancellable, callback, user_data);
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

/* Closing: the detach goes to a thread, the window goes at once. */

static gint n_closing;

static void
closing_clear (gpointer data)
{
  Closing *closing = data;

  g_clear_object (&closing->segment);
  g_clear_pointer (&closing->waiters, g_ptr_array_unref);
  g_clear_error (&closing->error);
  g_clear_object (&closing->application);
}

static Closing *
closing_ref (Closing *closing)
{
  return g_atomic_rc_box_acquire (closing);
}

static void
closing_unref (Closing *closing)
{
  g_atomic_rc_box_release_full (closing, closing_clear);
}

/* On the main context: counts the detach to come and holds the application
 * until it has ended, however soon the windows go. */
static Closing *
closing_begin (ShmlabSession *self)
{
  Closing *closing = g_atomic_rc_box_new0 (Closing);
  GApplication *application = g_application_get_default ();

  closing->lock_timeout = self->lock_timeout >= 0 ? self->lock_timeout : CLOSE_LOCK_TIMEOUT_MS;
  closing->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  if (application != NULL)
    {
      closing->application = g_object_ref (application);
      g_application_hold (application);
    }
  g_atomic_int_inc (&n_closing);
  return closing;
}

static void
closing_return (Closing *closing,
                GTask   *waiter)
{
  if (closing->error != NULL)
    g_task_return_error (waiter, g_error_copy (closing->error));
  else
    g_task_return_boolean (waiter, TRUE);
}

/* On the main context: the detach has ended. */
static void
closing_end (Closing *closing)
{
  closing->done = TRUE;
  for (guint i = 0; i < closing->waiters->len; i++)
    closing_return (closing, g_ptr_array_index (closing->waiters, i));
  g_ptr_array_set_size (closing->waiters, 0);
  if (closing->application != NULL)
    g_application_release (closing->application);
  g_clear_object (&closing->application);
  g_atomic_int_add (&n_closing, -1);
}

/* The whole teardown, off the main thread: the session may already be gone. */
static void
close_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Closing *closing = task_data;
  ShmlabSegment *segment = g_steal_pointer (&closing->segment);
  g_autofree char *key = g_strdup (shmlab_segment_get_key (segment));
  ShmlabBackend backend = shmlab_segment_get_backend (segment);
  const char *remove_option = backend == SHMLAB_BACKEND_POSIX ? " --backend posix" : "";
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
      shmlab_segment_query_key (key, backend, &info, NULL) && info.exists &&
      info.attach_count == 0)
    {
      if (g_error_matches (why, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_TIMED_OUT))
        closing->error =
          g_error_new (why->domain, why->code,
                       _("the segment of key “%s” was left behind: another process held its lock "
                         "for more than %d ms as the window closed, and only a detach under the "
                         "lock removes it — remove it with “shmlab remove%s %s”"),
                       key, closing->lock_timeout, remove_option, key);
      else
        closing->error =
          g_error_new (why->domain, why->code,
                       _("the segment of key “%s” was left behind: closing could not detach "
                         "under its lock (%s) — remove it with “shmlab remove%s %s”"),
                       key, why->message, remove_option, key);
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
static void
closing_start (Closing       *closing,
               ShmlabSegment *segment)
{
  g_autoptr(GTask) task = NULL;

  if (segment == NULL)
    {
      closing_end (closing);
      return;
    }
  closing->segment = segment;
  task = g_task_new (NULL, NULL, close_done, NULL);
  g_task_set_source_tag (task, closing_start);
  g_task_set_task_data (task, closing_ref (closing), (GDestroyNotify) closing_unref);
  g_task_run_in_thread (task, close_thread);
}

/**
 * shmlab_session_close_async:
 * @callback: (nullable): called once the segment is detached
 *
 * What a closing window does: cancels the running operation (a wait for the
 * lock ends at once), then detaches in a thread of its own — under the lock,
 * waiting at most the lock timeout (5 s when it has none), else without it —
 * and never blocks the caller. The session may be dropped at once; the
 * default GApplication, if any, is held until the detach has ended. Further
 * operations fail with G_IO_ERROR_CLOSED. Finalizing a session that was not
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

  self->closing = closing_begin (self);
  g_ptr_array_add (self->closing->waiters, waiter);
  g_cancellable_cancel (self->close_cancellable);
  if (self->busy)
    {
      /* op_done() hands the segment over once the operation has let go of it. */
      g_cancellable_cancel (self->op_cancellable);
      return;
    }
  closing_start (self->closing, g_steal_pointer (&self->segment));
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

static void
encode_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ShmlabPayload *payload = task_data;
  GError *error = NULL;
  ShmlabEncoded *encoded = shmlab_payload_encode (payload, payload->format, &error);

  if (encoded == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, encoded, (GDestroyNotify) shmlab_encoded_free);
}

/**
 * shmlab_payload_encode_async:
 * @payload: (transfer full): what to encode; the session frees it
 * @format: how
 *
 * shmlab_payload_encode() in a thread: PNG encoding of a large image takes
 * seconds.
 */
void
shmlab_payload_encode_async (ShmlabPayload       *payload,
                             ShmlabFormat         format,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  payload->format = format;
  g_task_set_source_tag (task, shmlab_payload_encode_async);
  g_task_set_task_data (task, payload, (GDestroyNotify) shmlab_payload_free);
  g_task_run_in_thread (task, encode_thread);
}

ShmlabEncoded *
shmlab_payload_encode_finish (GAsyncResult  *result,
                              GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
