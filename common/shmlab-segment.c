/* shmlab-segment.c — a keyed shared-memory segment under a semaphore: the C
 * twin of Qt's QSharedMemory
 *
 * Lifetime, as Qt: create() attaches; System V: detach() removes the segment
 * (and its key file) when the last process detaches. POSIX: the process that
 * created the segment unlinks its name when it detaches; mappings other
 * processes made stay valid until they detach. File: the file stays until
 * it is removed (shmlab_segment_remove_key()). create, attach and detach run
 * under the segment's lock, as Qt's do, so they never race each other.
 *
 * A ShmlabSegment is used by one thread at a time; a GUI may hand it to a
 * GTask and take it back.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-segment.h"
#include "shmlab-process.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "shmlab-limits.h"
#include "shmlab-frame.h"
#include "shmlab-backend-private.h"
#include "shmlab-key.h"
#include "shmlab-semaphore.h"
#include "shmlab-users.h"

struct _ShmlabSegment
{
  GObject parent_instance;

  ShmlabBackend backend;
  ShmlabKeyKind key_kind;  /* how shmlab_segment_set_key() reads a key */
  ShmlabKey *key_value;  /* NULL until a key is set */
  ShmlabSemaphore *semaphore;

  ShmlabMapping mapping;
  gboolean attached;
  gboolean locked;
  gboolean removed_on_detach;
  gboolean observer;  /* peeks: never removes what it finds */
  gint lock_timeout;

  ShmlabSegmentError error_code;
  char *error_string;
  char *lock_note;  /* the lock was taken over from a holder that died */
  gboolean recorded_unmapped;  /* this process is in lock_holder through a mapping of its own */
};

G_DEFINE_FINAL_TYPE (ShmlabSegment, shmlab_segment, G_TYPE_OBJECT)

/* The key as typed, and its segment's native name; NULL without a key. */
static const char *
key_name (ShmlabSegment *self)
{
  return self->key_value ? shmlab_key_get_name (self->key_value) : NULL;
}

static const char *
native_name (ShmlabSegment *self)
{
  return self->key_value ? shmlab_key_get_segment_name (self->key_value) : NULL;
}

enum
{
  PROP_0,
  PROP_BACKEND,
  PROP_KEY,
  PROP_LOCK_TIMEOUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void drop_unused_semaphore (ShmlabSegment *self);

static void
shmlab_segment_finalize (GObject *object)
{
  ShmlabSegment *self = SHMLAB_SEGMENT (object);

  if (self->locked)
    shmlab_segment_unlock (self, NULL);
  if (self->attached && !shmlab_segment_detach (self, NULL) && self->attached)
    {
      /* The lock could not be had: leave the segment (stale, not lost), but unmap it. */
      gboolean removed;
      shmlab_backend_get (self->backend)->detach (native_name (self), &self->mapping, FALSE,
                                                  &removed, NULL);
    }

  drop_unused_semaphore (self);
  g_clear_pointer (&self->semaphore, shmlab_semaphore_free);
  g_clear_pointer (&self->key_value, shmlab_key_unref);
  g_clear_pointer (&self->error_string, g_free);
  g_clear_pointer (&self->lock_note, g_free);

  G_OBJECT_CLASS (shmlab_segment_parent_class)->finalize (object);
}

static void
shmlab_segment_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  ShmlabSegment *self = SHMLAB_SEGMENT (object);

  switch (prop_id)
    {
    case PROP_BACKEND:
      g_value_set_int (value, self->backend);
      break;
    case PROP_KEY:
      g_value_set_string (value, key_name (self));
      break;
    case PROP_LOCK_TIMEOUT:
      g_value_set_int (value, self->lock_timeout);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
shmlab_segment_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  ShmlabSegment *self = SHMLAB_SEGMENT (object);

  switch (prop_id)
    {
    case PROP_BACKEND:
      self->backend = g_value_get_int (value);
      break;
    case PROP_LOCK_TIMEOUT:
      shmlab_segment_set_lock_timeout (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
shmlab_segment_class_init (ShmlabSegmentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = shmlab_segment_finalize;
  object_class->get_property = shmlab_segment_get_property;
  object_class->set_property = shmlab_segment_set_property;

  properties[PROP_BACKEND] =
    g_param_spec_int ("backend", NULL, NULL, 0, G_MAXINT, SHMLAB_BACKEND_DEFAULT,
                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_KEY] =
    g_param_spec_string ("key", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOCK_TIMEOUT] =
    g_param_spec_int ("lock-timeout", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
shmlab_segment_init (ShmlabSegment *self)
{
  self->lock_timeout = -1;
  self->error_code = SHMLAB_SEGMENT_ERROR_NONE;
  self->mapping.id = -1;
}

/**
 * shmlab_segment_new:
 * @backend: System V (as Qt on Linux) or POSIX
 *
 * Returns: (transfer full): a segment with no key, not attached
 */
ShmlabSegment *
shmlab_segment_new (ShmlabBackend backend)
{
  return g_object_new (SHMLAB_TYPE_SEGMENT, "backend", backend, NULL);
}

ShmlabBackend
shmlab_segment_get_backend (ShmlabSegment *self)
{
  g_return_val_if_fail (SHMLAB_IS_SEGMENT (self), SHMLAB_BACKEND_DEFAULT);
  return self->backend;
}

/* Keeps the last failure, as QSharedMemory::error() and errorString() do. */
static gboolean
fail (ShmlabSegment  *self,
      GError        **error,
      GError         *local_error)
{
  if (local_error->domain == SHMLAB_SEGMENT_ERROR)
    self->error_code = local_error->code;
  else
    self->error_code = SHMLAB_SEGMENT_ERROR_UNKNOWN;
  g_free (self->error_string);
  self->error_string = g_strdup (local_error->message);
  g_propagate_error (error, local_error);
  return FALSE;
}

static gboolean
fail_literal (ShmlabSegment       *self,
              GError             **error,
              ShmlabSegmentError   code,
              const char          *message)
{
  return fail (self, error, g_error_new_literal (SHMLAB_SEGMENT_ERROR, code, message));
}

static void
succeed (ShmlabSegment *self)
{
  self->error_code = SHMLAB_SEGMENT_ERROR_NONE;
  g_clear_pointer (&self->error_string, g_free);
}

/**
 * shmlab_segment_set_key:
 * @key: (nullable): the key both programs agree on; %NULL clears it
 * @error: a KEY_ERROR for a key that is empty, not UTF-8 or too long
 *
 * As QSharedMemory::setKey(): a segment attached under the old key is
 * detached first.
 */
gboolean
shmlab_segment_set_key (ShmlabSegment  *self,
                        const char     *key,
                        GError        **error)
{
  GError *local_error = NULL;
  g_autoptr(ShmlabKey) value = NULL;

  g_return_val_if_fail (SHMLAB_IS_SEGMENT (self), FALSE);

  if (key != NULL && g_strcmp0 (key, key_name (self)) == 0 &&
      shmlab_key_get_kind (self->key_value) == self->key_kind)
    return TRUE;
  if (key != NULL &&
      (value = shmlab_key_new_full (key, self->backend, self->key_kind, &local_error)) == NULL)
    return fail (self, error, local_error);
  /* A Qt string form names its own backend. */
  if (value != NULL && shmlab_key_get_backend (value) != self->backend)
    {
      g_set_error (&local_error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_KEY_ERROR,
                   _("the key “%s” names a %s segment, and this one is %s: choose %s"), key,
                   shmlab_backend_describe (shmlab_key_get_backend (value)),
                   shmlab_backend_describe (self->backend),
                   shmlab_backend_describe (shmlab_key_get_backend (value)));
      return fail (self, error, local_error);
    }
  return shmlab_segment_set_key_value (self, value, error);
}

/**
 * shmlab_segment_set_key_kind:
 * @kind: how shmlab_segment_set_key() makes native names of a key
 *
 * Qt legacy (the default) or Qt native; a key already set stays as it is.
 */
void
shmlab_segment_set_key_kind (ShmlabSegment *self,
                             ShmlabKeyKind  kind)
{
  g_return_if_fail (SHMLAB_IS_SEGMENT (self));
  self->key_kind = kind;
}

/**
 * shmlab_segment_set_key_value:
 * @key: (nullable): a key of this segment's backend, or %NULL for none
 *
 * As shmlab_segment_set_key(), with a key already made.
 */
gboolean
shmlab_segment_set_key_value (ShmlabSegment  *self,
                              ShmlabKey      *key,
                              GError        **error)
{
  GError *local_error = NULL;
  ShmlabSemaphore *semaphore = NULL;

  g_return_val_if_fail (SHMLAB_IS_SEGMENT (self), FALSE);
  g_return_val_if_fail (key == NULL || shmlab_key_get_backend (key) == self->backend, FALSE);

  if (shmlab_key_equal (key, self->key_value))
    return TRUE;
  if (key != NULL &&
      (semaphore = shmlab_semaphore_new_for_key (key, &local_error)) == NULL)
    return fail (self, error, local_error);

  if (self->attached)
    shmlab_segment_detach (self, NULL);
  if (self->locked)
    shmlab_segment_unlock (self, NULL);

  drop_unused_semaphore (self);
  g_clear_pointer (&self->key_value, shmlab_key_unref);
  self->key_value = key ? shmlab_key_ref (key) : NULL;
  g_clear_pointer (&self->semaphore, shmlab_semaphore_free);
  self->semaphore = semaphore;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KEY]);
  succeed (self);
  return TRUE;
}

/* The key set, as a value, or %NULL. */
ShmlabKey *
shmlab_segment_get_key_value (ShmlabSegment *self)
{
  g_return_val_if_fail (SHMLAB_IS_SEGMENT (self), NULL);
  return self->key_value;
}

/**
 * shmlab_segment_new_for_key:
 * @key: the key, with its backend
 *
 * Returns: (transfer full): a segment of @key's backend with @key set
 */
ShmlabSegment *
shmlab_segment_new_for_key (ShmlabKey *key)
{
  ShmlabSegment *self = shmlab_segment_new (shmlab_key_get_backend (key));

  shmlab_segment_set_key_value (self, key, NULL);
  return self;
}

const char *
shmlab_segment_get_key (ShmlabSegment *self)
{
  g_return_val_if_fail (SHMLAB_IS_SEGMENT (self), NULL);
  return key_name (self);
}

/**
 * shmlab_segment_get_native_key:
 *
 * System V: the key file path, whose ftok() names the segment. POSIX: the
 * shm_open() name. %NULL when no key is set.
 */
const char *
shmlab_segment_get_native_key (ShmlabSegment *self)
{
  g_return_val_if_fail (SHMLAB_IS_SEGMENT (self), NULL);
  return native_name (self);
}

/* The lock's native key: its key file (System V) or sem_open() name (POSIX). */
const char *
shmlab_segment_get_semaphore_key (ShmlabSegment *self)
{
  g_return_val_if_fail (SHMLAB_IS_SEGMENT (self), NULL);
  return self->semaphore ? shmlab_semaphore_get_native_key (self->semaphore) : NULL;
}

/**
 * shmlab_segment_set_lock_timeout:
 * @timeout_ms: how long lock(), create(), attach() and detach() wait for the
 *   lock; negative (the default, as Qt) waits as long as it takes
 */
void
shmlab_segment_set_lock_timeout (ShmlabSegment *self,
                                 gint           timeout_ms)
{
  g_return_if_fail (SHMLAB_IS_SEGMENT (self));
  timeout_ms = MAX (timeout_ms, -1);
  if (self->lock_timeout == timeout_ms)
    return;
  self->lock_timeout = timeout_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOCK_TIMEOUT]);
}

gint
shmlab_segment_get_lock_timeout (ShmlabSegment *self)
{
  g_return_val_if_fail (SHMLAB_IS_SEGMENT (self), -1);
  return self->lock_timeout;
}

static gboolean
require_key (ShmlabSegment  *self,
             const char     *what,
             GError        **error)
{
  g_autofree char *message = NULL;

  if (key_name (self) != NULL)
    return TRUE;
  message = g_strdup_printf (_("cannot %s: no key is set — set a key first"), what);
  return fail_literal (self, error, SHMLAB_SEGMENT_ERROR_KEY_ERROR, message);
}


/* What is done to the first slot's lock_holder field, atomically. */
typedef enum
{
  HOLDER_RECORD,    /* this process holds the lock now */
  HOLDER_FORGET,    /* … no longer: 0, if the field still names it */
  HOLDER_TAKE_OVER, /* … instead of a holder that ended: one waiter wins */
} HolderOp;

/* Does @op on the lock_holder field of @data; for HOLDER_TAKE_OVER, @from
 * is the dead holder's pid. FALSE when there is no field, or the take-over
 * was not possible. */
static gboolean
holder_word_op (gpointer  data,
                gsize     size,
                HolderOp  op,
                guint32  *from)
{
  guint32 *word = shmlab_frame_lock_holder (data, size);
  guint32 me, expected;

  if (word == NULL)
    return FALSE;
  me = GUINT32_TO_LE (shmlab_process_self ());
  switch (op)
    {
    case HOLDER_RECORD:
      __atomic_store_n (word, me, __ATOMIC_RELEASE);
      return TRUE;
    case HOLDER_FORGET:
      expected = me;
      __atomic_compare_exchange_n (word, &expected, 0, FALSE, __ATOMIC_RELEASE, __ATOMIC_RELAXED);
      return TRUE;
    case HOLDER_TAKE_OVER:
    default:
      expected = __atomic_load_n (word, __ATOMIC_ACQUIRE);
      *from = GUINT32_FROM_LE (expected);
      if (*from == 0 || expected == me || !shmlab_process_has_ended (*from))
        return FALSE;
      return __atomic_compare_exchange_n (word, &expected, me, FALSE, __ATOMIC_ACQ_REL,
                                          __ATOMIC_ACQUIRE);
    }
}

/* Does @op through this segment's mapping when it may write there, else,
 * when @may_map, through a read-write mapping of its own for the moment
 * (a lock kept by a dead holder: taken without a segment, or by a read-only
 * reader). */
static gboolean
holder_op (ShmlabSegment *self,
           gboolean       may_map,
           HolderOp       op,
           guint32       *from)
{
  const ShmlabBackendClass *klass = shmlab_backend_get (self->backend);
  ShmlabMapping own = { .id = -1 };
  gboolean done, removed;

  if (self->attached && self->mapping.mode == SHMLAB_ACCESS_READ_WRITE)
    return holder_word_op (self->mapping.data, self->mapping.size, op, from);
  if (!may_map || !klass->holder_in_frame ||
      !klass->attach (key_name (self), native_name (self), SHMLAB_ACCESS_READ_WRITE, &own, NULL))
    return FALSE;
  done = holder_word_op (own.data, own.size, op, from);
  klass->detach (native_name (self), &own, FALSE, &removed, NULL);
  /* Recorded through a mapping of its own: forgotten the same way. */
  if (op != HOLDER_FORGET)
    self->recorded_unmapped = done;
  return done;
}

/* Asked while waiting for a lock a dead holder keeps (POSIX): such a
 * semaphore stays taken for ever, but a ShmLab holder left its pid in the frame's
 * lock_holder field, and a pid that no longer runs holds nothing. */
static gboolean
take_over_dead_holder (gpointer user_data)
{
  ShmlabSegment *self = user_data;
  guint32 holder = 0;

  if (!holder_op (self, TRUE, HOLDER_TAKE_OVER, &holder))
    return FALSE;
  g_free (self->lock_note);
  self->lock_note = g_strdup_printf (_("the lock of key “%s” was held by process %u, which ended "
                                       "without giving it back (the system does not return a "
                                       "POSIX lock when its holder dies): ShmLab took the lock "
                                       "over; what process %u was writing may be incomplete"),
                                     key_name (self), holder, holder);
  return TRUE;
}

static gboolean
acquire (ShmlabSegment  *self,
         gint            timeout_ms,
         GCancellable   *cancellable,
         GError        **error)
{
  const ShmlabBackendClass *klass = shmlab_backend_get (self->backend);
  gboolean kept = klass->lock_kept_by_dead_holder;
  guint32 *word = NULL;
  gboolean ok;

  if (klass->holder_in_frame && self->attached && self->mapping.mode == SHMLAB_ACCESS_READ_WRITE)
    word = shmlab_frame_lock_holder (self->mapping.data, self->mapping.size);
  shmlab_semaphore_set_holder_record (self->semaphore, word,
                                      word != NULL ? GUINT32_TO_LE (shmlab_process_self ()) : 0);
  ok = shmlab_semaphore_acquire_full (self->semaphore, timeout_ms, cancellable,
                                      kept ? take_over_dead_holder : NULL, self, error);
  shmlab_semaphore_set_holder_record (self->semaphore, NULL, 0);
  return ok;
}

/* Records this process in the frame's lock_holder field while it holds the
 * lock; a POSIX lock taken without a segment records through a mapping of
 * its own (a read-only mapping cannot: the holder then goes unrecorded). */
static void
record_holder (ShmlabSegment *self)
{
  holder_op (self, !self->attached, HOLDER_RECORD, NULL);
}

/* Once the lock is given back: the field goes to 0 if it still names us. */
static void
forget_holder (ShmlabSegment *self)
{
  gboolean recorded_unmapped = self->recorded_unmapped;

  self->recorded_unmapped = FALSE;
  holder_op (self, recorded_unmapped, HOLDER_FORGET, NULL);
}

/* Takes the lock for an operation unless the caller already holds it. */
static gboolean
lock_for (ShmlabSegment  *self,
          gboolean       *took,
          GCancellable   *cancellable,
          GError        **error)
{
  *took = FALSE;
  if (self->locked)
    return TRUE;
  if (!acquire (self, self->lock_timeout, cancellable, error))
    return FALSE;
  *took = TRUE;
  return TRUE;
}

static void
unlock_for (ShmlabSegment *self,
            gboolean       took)
{
  if (took)
    shmlab_semaphore_release (self->semaphore, NULL);
}

/* A lock this process made goes again once no segment needs it: after a
 * failed create or attach, a lock taken with no segment, a segment removed
 * under us (as Qt removes the semaphores it created when it is done). */
static void
drop_unused_semaphore (ShmlabSegment *self)
{
  ShmlabSegmentInfo info;

  if (self->semaphore == NULL || !shmlab_semaphore_get_created (self->semaphore) ||
      self->locked || self->attached)
    return;
  if (shmlab_segment_query_key (key_name (self), self->backend, &info, NULL) && info.exists)
    return;
  shmlab_semaphore_remove (self->semaphore);
  shmlab_semaphore_free (self->semaphore);
  self->semaphore = shmlab_semaphore_new_for_key (self->key_value, NULL);
}

/* Creates (@size > 0) or attaches to (@size == 0) the key's segment under
 * its lock: what create() and attach() share. */
static gboolean
map_segment (ShmlabSegment     *self,
             gsize              size,
             ShmlabAccessMode   mode,
             GCancellable      *cancellable,
             GError           **error)
{
  const ShmlabBackendClass *klass = shmlab_backend_get (self->backend);
  GError *local_error = NULL;
  gboolean took = FALSE, absent = FALSE, ok;

  /* An observer that finds no segment makes no lock either: the lock it
   * made would go again at once, under a creator that found it there. Its
   * attach then fails with the backend's own words. */
  if (self->observer && size == 0)
    {
      ShmlabSegmentInfo info;

      absent = klass->query (key_name (self), native_name (self), &info, NULL) && !info.exists;
    }
  if (!absent && (!shmlab_semaphore_open (self->semaphore, &local_error) ||
                  !lock_for (self, &took, cancellable, &local_error)))
    {
      drop_unused_semaphore (self);
      return fail (self, error, local_error);
    }

  if (size > 0)
    ok = klass->create (key_name (self), native_name (self), size, mode, &self->mapping, &local_error);
  else
    ok = klass->attach (key_name (self), native_name (self), mode, &self->mapping, &local_error);

  unlock_for (self, took);
  if (!ok)
    {
      ShmlabBackend other;

      drop_unused_semaphore (self);
      /* The commonest slip of all: the other program uses the other backend. */
      if (size == 0 &&
          g_error_matches (local_error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_NOT_FOUND) &&
          shmlab_segment_find_other_backend (key_name (self), self->backend, &other))
        {
          g_clear_error (&local_error);
          /* TRANSLATORS: "no POSIX segment has the key “demo”, but a System V one does:
           * choose System V" */
          local_error = g_error_new (SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_NOT_FOUND,
                                     _("no %s segment has the key “%s”, but a %s one does: "
                                       "choose %s"),
                                     shmlab_backend_describe (self->backend), key_name (self),
                                     shmlab_backend_describe (other),
                                     shmlab_backend_describe (other));
        }
      return fail (self, error, local_error);
    }

  self->attached = TRUE;
  self->removed_on_detach = FALSE;
  if (self->locked)
    record_holder (self);
  succeed (self);
  return TRUE;
}

/**
 * shmlab_segment_create:
 * @size: bytes, at least 1 and at most what the system allows
 * @mode: how to attach to it once made
 * @cancellable: (nullable): ends a wait for the lock
 * @error: ALREADY_EXISTS, INVALID_SIZE, OUT_OF_RESOURCES, PERMISSION_DENIED…
 *
 * Creates the segment for the key (mode 0600) and attaches to it, as
 * QSharedMemory::create() does. Unlike Qt, it never resets the lock another
 * process may hold.
 */
gboolean
shmlab_segment_create (ShmlabSegment     *self,
                       gsize              size,
                       ShmlabAccessMode   mode,
                       GCancellable      *cancellable,
                       GError           **error)
{
  GError *local_error = NULL;
  ShmlabLimits limits;

  g_return_val_if_fail (SHMLAB_IS_SEGMENT (self), FALSE);

  if (!require_key (self, _("create a segment"), error))
    return FALSE;
  if (self->attached)
    {
      g_autofree char *message = g_strdup_printf (
        _("already attached to the segment of key “%s”: detach before creating again"), key_name (self));
      return fail_literal (self, error, SHMLAB_SEGMENT_ERROR_UNKNOWN, message);
    }
  if (size == 0)
    return fail_literal (self, error, SHMLAB_SEGMENT_ERROR_INVALID_SIZE,
                         _("a segment of 0 bytes cannot be created: a segment holds at least 1 byte"));

  shmlab_limits_read (&limits);
  if (!shmlab_limits_check_size (&limits, self->backend, key_name (self), size, &local_error))
    return fail (self, error, local_error);
  return map_segment (self, size, mode, cancellable, error);
}

/**
 * shmlab_segment_attach:
 * @mode: read-only or read-write
 * @cancellable: (nullable): ends a wait for the lock
 * @error: NOT_FOUND, PERMISSION_DENIED (another user's segment)…
 *
 * Attaches to the segment another process created, as QSharedMemory::attach().
 * A segment owned by another user is refused.
 */
gboolean
shmlab_segment_attach (ShmlabSegment     *self,
                       ShmlabAccessMode   mode,
                       GCancellable      *cancellable,
                       GError           **error)
{
  g_return_val_if_fail (SHMLAB_IS_SEGMENT (self), FALSE);

  if (!require_key (self, _("attach"), error))
    return FALSE;
  if (self->attached)
    {
      g_autofree char *message = g_strdup_printf (
        _("already attached to the segment of key “%s”"), key_name (self));
      return fail_literal (self, error, SHMLAB_SEGMENT_ERROR_UNKNOWN, message);
    }
  return map_segment (self, 0, mode, cancellable, error);
}

/**
 * shmlab_segment_detach:
 *
 * Detaches, under the lock. System V: when no process is attached any more,
 * the segment, its lock and their key files are removed. POSIX: the creator
 * unlinks the name (and the lock); see shmlab_segment_get_removed_on_detach().
 * If the lock cannot be had within the lock timeout, stays attached and fails.
 */
gboolean
shmlab_segment_detach (ShmlabSegment  *self,
                       GError        **error)
{
  GError *local_error = NULL;
  gboolean took, ok, removed = FALSE;

  g_return_val_if_fail (SHMLAB_IS_SEGMENT (self), FALSE);

  if (!self->attached)
    return fail_literal (self, error, SHMLAB_SEGMENT_ERROR_NOT_FOUND,
                         _("cannot detach: not attached to a segment"));

  if (!lock_for (self, &took, NULL, &local_error))
    return fail (self, error, local_error);

  forget_holder (self);
  ok = shmlab_backend_get (self->backend)->detach (native_name (self), &self->mapping,
                                                   !self->observer, &removed, &local_error);

  if (ok)
    {
      self->attached = FALSE;
      self->removed_on_detach = removed;
      /* Nobody is left to use the lock: take it away with the segment. */
      if (removed)
        shmlab_semaphore_remove (self->semaphore);
    }

  unlock_for (self, took);
  if (!ok)
    return fail (self, error, local_error);
  if (!removed)
    drop_unused_semaphore (self);
  succeed (self);
  return TRUE;
}

gboolean
shmlab_segment_is_attached (ShmlabSegment *self)
{
  g_return_val_if_fail (SHMLAB_IS_SEGMENT (self), FALSE);
  return self->attached;
}

/* Whether the last detach() removed the segment (this process was its last user or creator). */
gboolean
shmlab_segment_get_removed_on_detach (ShmlabSegment *self)
{
  g_return_val_if_fail (SHMLAB_IS_SEGMENT (self), FALSE);
  return self->removed_on_detach;
}

/**
 * shmlab_segment_lock_full:
 * @timeout_ms: negative to wait as long as it takes; 0 to try once
 * @cancellable: (nullable): ends the wait with G_IO_ERROR_CANCELLED
 * @error: TIMED_OUT when another process kept the lock too long
 *
 * Takes the key's lock (QSharedMemory::lock()), which needs a key but not an
 * attached segment. Taking a lock this object already holds succeeds at once.
 */
gboolean
shmlab_segment_lock_full (ShmlabSegment  *self,
                          gint            timeout_ms,
                          GCancellable   *cancellable,
                          GError        **error)
{
  GError *local_error = NULL;

  g_return_val_if_fail (SHMLAB_IS_SEGMENT (self), FALSE);

  if (!require_key (self, _("lock"), error))
    return FALSE;
  if (self->locked)
    return TRUE;

  if (!shmlab_semaphore_open (self->semaphore, &local_error) ||
      !acquire (self, timeout_ms, cancellable, &local_error))
    return fail (self, error, local_error);

  self->locked = TRUE;
  record_holder (self);
  /* Under the lock, before anyone reads or writes: all mapped is still the segment. */
  if (!shmlab_segment_check_intact (self, &local_error))
    {
      shmlab_segment_unlock (self, NULL);
      return fail (self, error, local_error);
    }
  succeed (self);
  return TRUE;
}

/**
 * shmlab_segment_check_intact:
 * @error: TRUNCATED when part of the mapping is no longer the segment's
 *
 * Whether everything mapped is still the segment: a File segment may be
 * cut short by another program while mapped. Taking the lock checks it;
 * a copy made under the lock checks it again afterwards, since the file
 * may have been cut during the copy (which then read zeros, not crashed).
 */
gboolean
shmlab_segment_check_intact (ShmlabSegment  *self,
                             GError        **error)
{
  const ShmlabBackendClass *klass;

  g_return_val_if_fail (SHMLAB_IS_SEGMENT (self), FALSE);

  klass = shmlab_backend_get (self->backend);
  if (!self->attached || klass->mapping_intact == NULL)
    return TRUE;
  return klass->mapping_intact (key_name (self), &self->mapping, error);
}

/* Takes the lock, waiting at most the lock timeout. */
gboolean
shmlab_segment_lock (ShmlabSegment  *self,
                     GCancellable   *cancellable,
                     GError        **error)
{
  return shmlab_segment_lock_full (self, self->lock_timeout, cancellable, error);
}

gboolean
shmlab_segment_unlock (ShmlabSegment  *self,
                       GError        **error)
{
  GError *local_error = NULL;
  gboolean ok;

  g_return_val_if_fail (SHMLAB_IS_SEGMENT (self), FALSE);

  if (!self->locked)
    return fail_literal (self, error, SHMLAB_SEGMENT_ERROR_LOCK_ERROR,
                         _("cannot unlock: this program does not hold the lock"));

  self->locked = FALSE;
  /* Given back first, forgotten after: a holder killed in between is
   * recorded but holds nothing, and the next holder records itself. */
  ok = shmlab_semaphore_release (self->semaphore, &local_error);
  forget_holder (self);
  if (!ok)
    return fail (self, error, local_error);
  drop_unused_semaphore (self);
  succeed (self);
  return TRUE;
}

/**
 * shmlab_segment_take_lock_note:
 *
 * What the last wait for the lock had to do that the user should hear of:
 * taking over the lock of a holder that died (POSIX). Asking clears it.
 *
 * Returns: (transfer full) (nullable): the note, or %NULL
 */
char *
shmlab_segment_take_lock_note (ShmlabSegment *self)
{
  g_return_val_if_fail (SHMLAB_IS_SEGMENT (self), NULL);
  return g_steal_pointer (&self->lock_note);
}

gboolean
shmlab_segment_is_locked (ShmlabSegment *self)
{
  g_return_val_if_fail (SHMLAB_IS_SEGMENT (self), FALSE);
  return self->locked;
}

gsize
shmlab_segment_get_size (ShmlabSegment *self)
{
  g_return_val_if_fail (SHMLAB_IS_SEGMENT (self), 0);
  return self->attached ? self->mapping.size : 0;
}

/**
 * shmlab_segment_get_data:
 *
 * The mapping, or %NULL when not attached. Read or write it only while
 * holding the lock; a reader should copy it out before trusting anything in it.
 */
gpointer
shmlab_segment_get_data (ShmlabSegment *self)
{
  g_return_val_if_fail (SHMLAB_IS_SEGMENT (self), NULL);
  return self->attached ? self->mapping.data : NULL;
}

const void *
shmlab_segment_get_const_data (ShmlabSegment *self)
{
  return shmlab_segment_get_data (self);
}

ShmlabAccessMode
shmlab_segment_get_access_mode (ShmlabSegment *self)
{
  g_return_val_if_fail (SHMLAB_IS_SEGMENT (self), SHMLAB_ACCESS_READ_ONLY);
  return self->mapping.mode;
}

/**
 * shmlab_segment_get_error:
 *
 * The code of the last operation's failure, or %SHMLAB_SEGMENT_ERROR_NONE when
 * it succeeded.
 */
ShmlabSegmentError
shmlab_segment_get_error (ShmlabSegment *self)
{
  g_return_val_if_fail (SHMLAB_IS_SEGMENT (self), SHMLAB_SEGMENT_ERROR_UNKNOWN);
  return self->error_code;
}

const char *
shmlab_segment_get_error_string (ShmlabSegment *self)
{
  g_return_val_if_fail (SHMLAB_IS_SEGMENT (self), NULL);
  return self->error_string;
}

/* What the system says of this key's segment now (attach count, owner, mode…). */
gboolean
shmlab_segment_query (ShmlabSegment      *self,
                      ShmlabSegmentInfo  *info,
                      GError            **error)
{
  g_return_val_if_fail (SHMLAB_IS_SEGMENT (self), FALSE);

  if (!require_key (self, _("inspect the segment"), error))
    return FALSE;
  return shmlab_segment_query_key (key_name (self), self->backend, info, error);
}

gboolean
shmlab_segment_query_key (const char         *key,
                          ShmlabBackend       backend,
                          ShmlabSegmentInfo  *info,
                          GError            **error)
{
  g_autoptr(ShmlabKey) value = shmlab_key_new (key, backend, error);

  shmlab_segment_info_clear (info);
  return value != NULL && shmlab_segment_query_for_key (value, info, error);
}

/**
 * shmlab_segment_find_other_backend:
 * @key: a key as a person typed it
 * @backend: the backend in which it names no segment
 * @other: (out): the first other backend of the table in which it does
 *
 * Whether another backend has a segment for @key: what a person who chose
 * the wrong one needs to hear.
 */
gboolean
shmlab_segment_find_other_backend (const char    *key,
                                   ShmlabBackend  backend,
                                   ShmlabBackend *other)
{
  guint n_backends;
  const ShmlabBackend *backends = shmlab_backend_all (&n_backends);

  for (guint i = 0; i < n_backends; i++)
    {
      g_autoptr(ShmlabKey) value = NULL;
      ShmlabSegmentInfo info;

      if (backends[i] == backend)
        continue;
      value = shmlab_key_new (key, backends[i], NULL);
      if (value != NULL && shmlab_segment_query_for_key (value, &info, NULL) && info.exists)
        {
          *other = backends[i];
          return TRUE;
        }
    }
  return FALSE;
}

/* As shmlab_segment_query_key(), for a key already made. */
gboolean
shmlab_segment_query_for_key (ShmlabKey          *key,
                              ShmlabSegmentInfo  *info,
                              GError            **error)
{
  shmlab_segment_info_clear (info);
  return shmlab_backend_get (shmlab_key_get_backend (key))->query (
    shmlab_key_get_name (key), shmlab_key_get_segment_name (key), info, error);
}

/**
 * shmlab_segment_remove_key:
 * @force: remove even while processes are attached (they keep their mapping)
 * @error: NOT_FOUND when nothing has the key, IN_USE while attached
 *
 * Removes a stale segment, its lock and their key files. Does not take the
 * lock: a dead process may hold it.
 */
gboolean
shmlab_segment_remove_key (const char     *key,
                           ShmlabBackend   backend,
                           gboolean        force,
                           GError        **error)
{
  g_autoptr(ShmlabKey) value = shmlab_key_new (key, backend, error);

  return value != NULL && shmlab_segment_remove_for_key (value, force, error);
}

/* As shmlab_segment_remove_key(), for a key already made. */
gboolean
shmlab_segment_remove_for_key (ShmlabKey  *key,
                               gboolean    force,
                               GError    **error)
{
  const char *name = shmlab_key_get_name (key);
  const char *native = shmlab_key_get_segment_name (key);
  ShmlabBackend backend = shmlab_key_get_backend (key);
  ShmlabSegmentInfo info;
  gboolean key_file, semaphore;

  if (!shmlab_segment_query_for_key (key, &info, error))
    return FALSE;

  key_file = shmlab_backend_get (backend)->name_exists (native);
  semaphore = shmlab_backend_get (backend)->lock_exists (shmlab_key_get_semaphore_name (key));

  if (!info.exists && !key_file && !semaphore)
    {
      g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_NOT_FOUND,
                   _("nothing to remove: no %s segment, lock or key file has the key “%s”"),
                   shmlab_backend_describe (backend), name);
      return FALSE;
    }

  if (info.exists && info.attach_count > 0 && !force)
    {
      g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_IN_USE,
                   g_dngettext (GETTEXT_PACKAGE,
                                "the segment of key “%s” is attached by %d process: detach it "
                                "first, or force the removal (it keeps what it mapped; no new "
                                "process can attach)",
                                "the segment of key “%s” is attached by %d processes: detach them "
                                "first, or force the removal (they keep what they mapped; no new "
                                "process can attach)", info.attach_count),
                   name, info.attach_count);
      return FALSE;
    }

  if (info.exists && !shmlab_user_is_me (info.owner_uid) && geteuid () != 0)
    {
      shmlab_segment_set_not_mine_error (error, name, info.owner_uid);
      return FALSE;
    }

  if (!shmlab_backend_get (backend)->remove (name, native, &info, error))
    return FALSE;
  shmlab_backend_get (backend)->lock_remove_name (shmlab_key_get_semaphore_name (key));
  return TRUE;
}

/**
 * shmlab_segment_list:
 * @backend: where to look
 *
 * Returns: (transfer full) (element-type ShmlabSegmentListing): every segment
 *   this user can see there
 */
GPtrArray *
shmlab_segment_list (ShmlabBackend   backend,
                     GError        **error)
{
  g_autoptr(GPtrArray) listings =
    g_ptr_array_new_with_free_func ((GDestroyNotify) shmlab_segment_listing_free);
  gboolean ok = shmlab_backend_get (backend)->list (listings, error);

  return ok ? g_steal_pointer (&listings) : NULL;
}

/**
 * shmlab_segment_peek_key:
 * @max_bytes: copy at most this many bytes from the start
 * @timeout_ms: how long to wait for the lock
 * @info: (out) (optional): what the system says of the segment
 *
 * Looks at a segment without changing its life: attaches read-only, copies
 * under the lock, and detaches without removing it even if it is stale.
 *
 * Returns: (transfer full): a private copy of the segment's first bytes
 */
GBytes *
shmlab_segment_peek_key (const char         *key,
                         ShmlabBackend       backend,
                         gsize               max_bytes,
                         gint                timeout_ms,
                         ShmlabSegmentInfo  *info,
                         GError            **error)
{
  g_autoptr(ShmlabKey) value = shmlab_key_new (key, backend, error);

  return value != NULL ? shmlab_segment_peek_for_key (value, max_bytes, timeout_ms, info, error) : NULL;
}

/* As shmlab_segment_peek_key(), for a key already made. */
GBytes *
shmlab_segment_peek_for_key (ShmlabKey          *key,
                             gsize               max_bytes,
                             gint                timeout_ms,
                             ShmlabSegmentInfo  *info,
                             GError            **error)
{
  g_autoptr(ShmlabSegment) self = shmlab_segment_new_for_key (key);
  g_autofree guint8 *copy = NULL;
  gsize length;

  if (info != NULL && !shmlab_segment_query_for_key (key, info, error))
    return NULL;
  self->observer = TRUE;
  self->lock_timeout = timeout_ms;

  if (!shmlab_segment_attach (self, SHMLAB_ACCESS_READ_ONLY, NULL, error))
    return NULL;
  if (!shmlab_segment_lock (self, NULL, error))
    {
      shmlab_segment_detach (self, NULL);
      return NULL;
    }

  length = MIN (max_bytes, self->mapping.size);
  copy = g_malloc (MAX (length, 1));
  memcpy (copy, self->mapping.data, length);

  shmlab_segment_unlock (self, NULL);
  shmlab_segment_detach (self, NULL);
  return g_bytes_new_take (g_steal_pointer (&copy), length);
}
