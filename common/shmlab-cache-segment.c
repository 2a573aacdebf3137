/* shmlab-cache-segment.c — a cache in the segment of a key, on any backend
 *
 * The first process makes the segment and lays the cache out while it holds
 * the segment's own lock (QSharedMemory::lock()): any other process attaches
 * and then takes that same lock before it looks, so it never sees a cache
 * half laid out — first-time initialisation without a race, and without an
 * `initialized` flag read unlocked.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-cache-segment.h"

#include <glib/gi18n-lib.h>

#include "shmlab-error.h"

struct _ShmlabCacheSegment
{
  ShmlabSegment *segment;
  ShmlabCache *cache;
  gboolean created;
};

/* Makes the segment and lays the cache out, both under the segment's lock. */
static gboolean
create_cache (ShmlabCacheSegment  *self,
              guint32              n_slots,
              guint32              n_buckets,
              GCancellable        *cancellable,
              GError             **error)
{
  gsize size;
  gboolean ok;

  if (!shmlab_cache_size_for (n_slots, n_buckets, &size, error) ||
      !shmlab_segment_lock (self->segment, cancellable, error))
    return FALSE;
  ok = shmlab_segment_create (self->segment, size, SHMLAB_ACCESS_READ_WRITE, cancellable, error) &&
       shmlab_cache_init (shmlab_segment_get_data (self->segment),
                          shmlab_segment_get_size (self->segment), n_slots, n_buckets, error);
  if (!ok && shmlab_segment_is_attached (self->segment))
    {
      /* Laid out wrong: nobody may find it half made. */
      shmlab_segment_detach (self->segment, NULL);
      shmlab_segment_remove_for_key (shmlab_segment_get_key_value (self->segment), TRUE, NULL);
    }
  shmlab_segment_unlock (self->segment, NULL);
  return ok;
}

/**
 * shmlab_cache_segment_open:
 * @create: make the cache when the key has no segment
 * @n_slots, @n_buckets: its geometry, when it is made
 * @lock_timeout_ms: how long to wait for the segment's lock and the
 *   cache's writer lock; negative: as long as it takes
 *
 * Returns: (transfer full): the cache, attached read-write, or NULL
 *   (NOT_FOUND without @create; NOT_A_CACHE when the key holds something
 *   else; the segment's errors)
 */
ShmlabCacheSegment *
shmlab_cache_segment_open (ShmlabKey     *key,
                           gboolean       create,
                           guint32        n_slots,
                           guint32        n_buckets,
                           gint           lock_timeout_ms,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autoptr(ShmlabCacheSegment) self = g_new0 (ShmlabCacheSegment, 1);
  g_autoptr(GError) local_error = NULL;

  self->segment = shmlab_segment_new_for_key (key);
  shmlab_segment_set_lock_timeout (self->segment, lock_timeout_ms);

  for (guint attempt = 0; attempt < 3; attempt++)
    {
      g_clear_error (&local_error);
      if (shmlab_segment_attach (self->segment, SHMLAB_ACCESS_READ_WRITE, cancellable,
                                 &local_error))
        break;
      if (!create ||
          !g_error_matches (local_error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      g_clear_error (&local_error);
      if (create_cache (self, n_slots, n_buckets, cancellable, &local_error))
        {
          self->created = TRUE;
          break;
        }
      /* Another process made it in between: attach to theirs. */
      if (!g_error_matches (local_error, SHMLAB_SEGMENT_ERROR,
                            SHMLAB_SEGMENT_ERROR_ALREADY_EXISTS))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }
  if (!shmlab_segment_is_attached (self->segment))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  /* Its creator laid it out holding this lock: once we have it, it is whole. */
  if (!self->created)
    {
      if (!shmlab_segment_lock (self->segment, cancellable, error))
        return NULL;
      shmlab_segment_unlock (self->segment, NULL);
    }
  if (!shmlab_segment_check_intact (self->segment, error))
    return NULL;
  self->cache = shmlab_cache_open (shmlab_segment_get_data (self->segment),
                                   shmlab_segment_get_size (self->segment), error);
  if (self->cache == NULL)
    return NULL;
  shmlab_cache_set_lock_timeout (self->cache, lock_timeout_ms);
  return g_steal_pointer (&self);
}

/* Lets the cache go (its reader's place given back, while still mapped),
 * then detaches: a System V cache goes with its last user, as a segment
 * does (shmlab_segment_get_removed_on_detach() says so). */
void
shmlab_cache_segment_detach (ShmlabCacheSegment *self)
{
  g_clear_pointer (&self->cache, shmlab_cache_free);
  if (self->segment != NULL && shmlab_segment_is_attached (self->segment))
    shmlab_segment_detach (self->segment, NULL);
}

void
shmlab_cache_segment_close (ShmlabCacheSegment *self)
{
  if (self == NULL)
    return;
  shmlab_cache_segment_detach (self);
  g_clear_object (&self->segment);
  g_free (self);
}

ShmlabCache *
shmlab_cache_segment_get_cache (ShmlabCacheSegment *self)
{
  return self->cache;
}

ShmlabSegment *
shmlab_cache_segment_get_segment (ShmlabCacheSegment *self)
{
  return self->segment;
}

/* Whether this process made the cache (and laid it out). */
gboolean
shmlab_cache_segment_get_created (ShmlabCacheSegment *self)
{
  return self->created;
}

/* Whether all mapped is still the segment's (a File cache may be cut short). */
gboolean
shmlab_cache_segment_check_intact (ShmlabCacheSegment  *self,
                                   GError             **error)
{
  return shmlab_segment_check_intact (self->segment, error);
}
