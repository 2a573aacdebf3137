/* shmlab-key.c — a key as a value
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-key.h"

#include <glib/gi18n-lib.h>

#include "shmlab-backend-private.h"
#include "shmlab-key-file.h"
#include "shmlab-native-key.h"
#include "shmlab-qt-key.h"

struct _ShmlabKey
{
  gatomicrefcount ref_count;
  char *name;
  ShmlabKeyKind kind;
  ShmlabBackend backend;
  char *segment_name;
  char *semaphore_name;
  gboolean typed_path;   /* native System V: the key file's path, typed in full */
};

G_DEFINE_BOXED_TYPE (ShmlabKey, shmlab_key, shmlab_key_ref, shmlab_key_unref)

static ShmlabKey *legacy_key_new (const char     *key,
                                  ShmlabBackend   backend,
                                  GError        **error);

/**
 * shmlab_key_new:
 * @key: the key as a person typed it
 * @backend: where its segment lives
 * @error: a SHMLAB_SEGMENT_ERROR_KEY_ERROR saying what is wrong with @key
 *
 * Checks @key and works out its native names once, through @backend.
 *
 * Returns: (transfer full): the key, or %NULL when @key is not valid
 */
ShmlabKey *
shmlab_key_new (const char     *key,
                ShmlabBackend   backend,
                GError        **error)
{
  return shmlab_key_new_full (key, backend, SHMLAB_KEY_KIND_QT_LEGACY, error);
}

/* A native key: the name as Qt 6.6 gives it, for the segment and its lock
 * alike; a pasted string form names its own backend. */
static ShmlabKey *
native_key_new (const char     *key,
                ShmlabBackend   backend,
                GError        **error)
{
  g_autoptr(ShmlabQtNativeKey) native = NULL;
  gboolean typed = FALSE;
  ShmlabKey *self;

  if (shmlab_qt_native_key_is_string_form (key))
    {
      native = shmlab_qt_native_key_parse (key, error);
      if (native == NULL)
        return NULL;
      /* A legacy key's string form: the legacy key it was made from. */
      if (native->legacy_key != NULL)
        return shmlab_key_new_full (native->legacy_key, native->backend, SHMLAB_KEY_KIND_QT_LEGACY,
                                    error);
      typed = TRUE;
    }
  else
    {
      native = shmlab_qt_native_key_new (key, backend, error);
      if (native == NULL)
        return NULL;
      typed = key[0] == '/';
    }
  if (native->ftok_id != 0 && native->ftok_id != SHMLAB_QT_KEY_FTOK_ID)
    {
      g_set_error (error, SHMLAB_QT_KEY_ERROR, SHMLAB_QT_KEY_ERROR_FTOK_ID,
                   _("This key uses ftok() id %u; ShmLab meets System V native keys with Qt's "
                     "usual id 'Q' (81), the one “systemv:” names: ask the Qt program for "
                     "that type."),
                   native->ftok_id);
      return NULL;
    }
  if (shmlab_backend_get (native->backend)->native_is_path &&
      !shmlab_key_file_check_place (native->native_name, typed, error))
    return NULL;

  self = g_new0 (ShmlabKey, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->kind = SHMLAB_KEY_KIND_QT_NATIVE;
  self->backend = native->backend;
  self->typed_path = typed && shmlab_backend_get (native->backend)->native_is_path;
  /* POSIX: shm_open() and sem_open() take "/NAME" (glibc drops the "/"). */
  if (shmlab_backend_get (native->backend)->native_is_path || native->native_name[0] == '/')
    self->segment_name = g_strdup (native->native_name);
  else
    self->segment_name = g_strconcat ("/", native->native_name, NULL);
  self->semaphore_name = g_strdup (self->segment_name);
  /* Its name in every message and suggested command is Qt's string form,
   * which says the kind and the backend by itself: "posix:/NAME". */
  g_free (native->native_name);
  native->native_name = g_strdup (self->segment_name);
  self->name = shmlab_qt_native_key_to_string (native);
  return self;
}

/**
 * shmlab_key_new_full:
 * @key: the key as a person typed it
 * @backend: where its segment lives (a Qt string form names its own)
 * @kind: how the key becomes native names (a Qt string form, such as
 *   "posix:/QSharedMemoryExample", is read as such whatever the kind)
 * @error: a SHMLAB_SEGMENT_ERROR_KEY_ERROR (legacy) or a #ShmlabQtKeyError
 *   (native) saying what is wrong with @key
 *
 * Returns: (transfer full): the key, or %NULL when @key is not valid
 */
ShmlabKey *
shmlab_key_new_full (const char     *key,
                     ShmlabBackend   backend,
                     ShmlabKeyKind   kind,
                     GError        **error)
{
  /* Qt's string form says what it is, whichever kind was chosen. */
  if (kind == SHMLAB_KEY_KIND_QT_NATIVE || (key != NULL && shmlab_qt_native_key_is_string_form (key)))
    return native_key_new (key, backend, error);
  return legacy_key_new (key, backend, error);
}

static ShmlabKey *
legacy_key_new (const char     *key,
                ShmlabBackend   backend,
                GError        **error)
{
  g_autofree char *segment = shmlab_native_key (key, backend, SHMLAB_NATIVE_SEGMENT, error);
  ShmlabKey *self;

  if (segment == NULL)
    return NULL;
  self = g_new0 (ShmlabKey, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->name = g_strdup (key);
  self->kind = SHMLAB_KEY_KIND_QT_LEGACY;
  self->backend = backend;
  self->segment_name = g_steal_pointer (&segment);
  self->semaphore_name = shmlab_native_key (key, backend, SHMLAB_NATIVE_SEMAPHORE, NULL);
  return self;
}

ShmlabKey *
shmlab_key_ref (ShmlabKey *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
shmlab_key_unref (ShmlabKey *self)
{
  if (self == NULL || !g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_free (self->name);
  g_free (self->segment_name);
  g_free (self->semaphore_name);
  g_free (self);
}

/* As typed; a native key's is Qt's string form of it. */
const char *
shmlab_key_get_name (const ShmlabKey *self)
{
  return self->name;
}

ShmlabKeyKind
shmlab_key_get_kind (const ShmlabKey *self)
{
  return self->kind;
}

ShmlabBackend
shmlab_key_get_backend (const ShmlabKey *self)
{
  return self->backend;
}

/* System V: the key file's path; POSIX: the name given to shm_open(). */
const char *
shmlab_key_get_segment_name (const ShmlabKey *self)
{
  return self->segment_name;
}

/* The same, for the lock beside the segment. */
const char *
shmlab_key_get_semaphore_name (const ShmlabKey *self)
{
  return self->semaphore_name;
}

/* Qt's string form of the key, as QNativeIpcKey::toString() prints it:
 * "posix:/NAME", "systemv:/PATH", and for a legacy key its native name
 * with "?legacyKey=KEY". */
char *
shmlab_key_to_qt_string (const ShmlabKey *self)
{
  const ShmlabBackendClass *klass = shmlab_backend_get (self->backend);
  ShmlabQtNativeKey native = { self->backend, klass->qt_key_ftok_id ? SHMLAB_QT_KEY_FTOK_ID : 0,
                               self->segment_name, NULL };

  if (!klass->from_qt)
    return NULL;
  if (self->kind == SHMLAB_KEY_KIND_QT_LEGACY)
    native.legacy_key = self->name;
  return shmlab_qt_native_key_to_string (&native);
}

/* A native System V key whose key file's path was typed in full (not made
 * in the runtime directory). */
gboolean
shmlab_key_is_native_path (const ShmlabKey *self)
{
  return self->typed_path;
}

static const struct
{
  ShmlabKeyKind kind;
  const char *name;
  const char *label;
} kinds[] = {
  { SHMLAB_KEY_KIND_QT_LEGACY, "legacy", N_("Qt key") },
  { SHMLAB_KEY_KIND_QT_NATIVE, "native", N_("Native name") },
};

/* Its name on the command line: "legacy", "native". */
const char *
shmlab_key_kind_to_string (ShmlabKeyKind kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (kinds[i].kind == kind)
      return kinds[i].name;
  return NULL;
}

/* Its name for a person: "Qt key", "Native name". */
const char *
shmlab_key_kind_describe (ShmlabKeyKind kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (kinds[i].kind == kind)
      return _(kinds[i].label);
  return NULL;
}

gboolean
shmlab_key_kind_from_string (const char    *string,
                             ShmlabKeyKind *kind)
{
  for (guint i = 0; string != NULL && i < G_N_ELEMENTS (kinds); i++)
    if (g_str_equal (kinds[i].name, string))
      {
        *kind = kinds[i].kind;
        return TRUE;
      }
  return FALSE;
}

/* The same key, kind and backend: the same segment. */
gboolean
shmlab_key_equal (const ShmlabKey *a,
                  const ShmlabKey *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return a->kind == b->kind && a->backend == b->backend && g_str_equal (a->name, b->name);
}
