/* shmlab-key.c — a key as a value
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-key.h"

#include "shmlab-native-key.h"

struct _ShmlabKey
{
  gatomicrefcount ref_count;
  char *name;
  ShmlabKeyKind kind;
  ShmlabBackend backend;
  char *segment_name;
  char *semaphore_name;
};

G_DEFINE_BOXED_TYPE (ShmlabKey, shmlab_key, shmlab_key_ref, shmlab_key_unref)

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

/* As typed. */
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

/* The same key, kind and backend: the same segment. */
gboolean
shmlab_key_equal (const ShmlabKey *a,
                  const ShmlabKey *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return a->kind == b->kind && a->backend == b->backend && g_str_equal (a->name, b->name);
}
