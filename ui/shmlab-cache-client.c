/* shmlab-cache-client.c — a window's hold on the cache in a key's segment
 *
 * Attaching (and, for the Writer, making the cache), every change and every
 * look wait for locks or copy megabytes: they run in worker threads, one at
 * a time (the client's mutex), never on the screen's thread. A look copies
 * the whole segment the way the cache's lock-free readers read it: the
 * sequence counter even before the copy and the same after, else again;
 * the copy is then decoded by shmlab_cache_decode(), which trusts nothing
 * in it. Closing detaches in a thread of its own, which the program waits
 * for before it exits (shmlab_cache_client_count_closing()).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-cache-client.h"
#include "shmlab-pointer-probe.h"

#include <glib/gi18n.h>

#include <string.h>

#include "shmlab-cache-segment.h"
#include "shmlab-lock-holder.h"
#include "shmlab-segment.h"
#include "shmlab-thread.h"

/* Copies tried before one is kept though a writer kept changing the table. */
#define SETTLE_TRIES 16

struct _ShmlabCacheClient
{
  GObject parent_instance;

  ShmlabKey *key;
  gboolean writer;
  gint lock_timeout_ms;

  /* Held by the worker that uses what follows. */
  GMutex lock;
  ShmlabCacheSegment *store;   /* the Writer's: read-write, the cache made if needed */
  ShmlabSegment *segment;      /* the Reader's: read-only */
  GBytes *last_bytes;
  gboolean created;
  gboolean closed;
};

G_DEFINE_FINAL_TYPE (ShmlabCacheClient, shmlab_cache_client, G_TYPE_OBJECT)

static gint n_closing;

void
shmlab_cache_snapshot_free (ShmlabCacheSnapshot *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->entries, g_ptr_array_unref);
  g_clear_pointer (&self->bytes, g_bytes_unref);
  g_clear_error (&self->error);
  g_free (self->writer_name);
  g_free (self->pointer_note);
  g_free (self);
}

static int
compare_keys (gconstpointer a,
              gconstpointer b)
{
  const ShmlabCacheEntry *x = *(ShmlabCacheEntry *const *) a;
  const ShmlabCacheEntry *y = *(ShmlabCacheEntry *const *) b;

  return strcmp (x->key, y->key);
}

/* The segment attached now, or NULL. */
static ShmlabSegment *
attached_segment (ShmlabCacheClient *self)
{
  if (self->store != NULL)
    return shmlab_cache_segment_get_segment (self->store);
  return self->segment;
}

/* Attaches; @create: make the cache when the key has no segment (a Writer's
 * change), else NOT_FOUND. */
static gboolean
attach (ShmlabCacheClient  *self,
        gboolean            create,
        GCancellable       *cancellable,
        GError            **error)
{
  g_autoptr(ShmlabSegment) segment = NULL;

  if (attached_segment (self) != NULL)
    return TRUE;
  if (self->writer)
    {
      self->store = shmlab_cache_segment_open (self->key, create, SHMLAB_CACHE_DEFAULT_SLOTS,
                                               SHMLAB_CACHE_DEFAULT_BUCKETS,
                                               g_atomic_int_get (&self->lock_timeout_ms),
                                               cancellable, error);
      if (self->store == NULL)
        return FALSE;
      self->created = shmlab_cache_segment_get_created (self->store);
      return TRUE;
    }
  /* The creator laid the cache out holding the segment's lock, which attaching
   * takes: once attached, it is whole. */
  segment = shmlab_segment_new_for_key (self->key);
  shmlab_segment_set_lock_timeout (segment, g_atomic_int_get (&self->lock_timeout_ms));
  if (!shmlab_segment_attach (segment, SHMLAB_ACCESS_READ_ONLY, cancellable, error))
    return FALSE;
  self->segment = g_steal_pointer (&segment);
  return TRUE;
}

static void
detach (ShmlabCacheClient *self)
{
  g_clear_pointer (&self->store, shmlab_cache_segment_close);
  if (self->segment != NULL && shmlab_segment_is_attached (self->segment))
    shmlab_segment_detach (self->segment, NULL);
  g_clear_object (&self->segment);
  g_clear_pointer (&self->last_bytes, g_bytes_unref);
}

/* One look: a copy between two equal, even counts, decoded. */
static ShmlabCacheSnapshot *
take_snapshot (ShmlabCacheClient  *self,
               GError            **error)
{
  ShmlabSegment *segment = attached_segment (self);
  const guint8 *data = shmlab_segment_get_const_data (segment);
  gsize size = shmlab_segment_get_size (segment);
  g_autofree guint8 *copy = g_try_malloc (MAX (size, 1));
  g_autoptr(ShmlabCacheSnapshot) snapshot = g_new0 (ShmlabCacheSnapshot, 1);
  g_autoptr(ShmlabCache) live = NULL;
  gboolean copied = FALSE;

  if (copy == NULL)
    {
      g_autofree char *text = g_format_size_full (size, G_FORMAT_SIZE_LONG_FORMAT);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   _("not enough memory to copy the cache of %s out: free memory"), text);
      return NULL;
    }
  /* Only its counters are read through this view: the Reader's mapping is
   * read-only. A header that does not hold is refused by the decoder below. */
  live = shmlab_cache_open ((guint8 *) data, size, NULL);
  for (guint attempt = 0; live != NULL && attempt < SETTLE_TRIES && !snapshot->settled; attempt++)
    {
      ShmlabCacheStats before, after;

      shmlab_cache_get_stats (live, &before);
      if (before.seq & 1)
        {
          g_usleep (100);
          continue;
        }
      memcpy (copy, data, size);
      copied = TRUE;
      __atomic_thread_fence (__ATOMIC_ACQUIRE);
      shmlab_cache_get_stats (live, &after);
      snapshot->settled = after.seq == before.seq;
    }
  if (!copied)
    memcpy (copy, data, size);
  /* A file cut short while it was copied read zeros: not a copy to show. */
  if (!shmlab_segment_check_intact (segment, error))
    return NULL;

  snapshot->taken_ms = shmlab_cache_now_ms ();
  snapshot->segment_size = size;
  snapshot->entries = shmlab_cache_decode (copy, size, &snapshot->stats, &snapshot->error);
  if (snapshot->entries != NULL)
    g_ptr_array_sort (snapshot->entries, compare_keys);
  /* The article's mistake, if someone made it on purpose: a pointer, looked up here. */
  for (guint i = 0; snapshot->entries != NULL && i < snapshot->entries->len; i++)
    {
      ShmlabCacheEntry *entry = g_ptr_array_index (snapshot->entries, i);
      gsize value_length;
      const char *value = g_bytes_get_data (entry->value, &value_length);
      g_autoptr(GError) pointer_error = NULL;

      if (!g_str_has_prefix (entry->key, SHMLAB_POINTER_ENTRY_PREFIX))
        continue;
      snapshot->pointer_note = shmlab_pointer_entry_explain (entry->key, value, value_length,
                                                             entry->offset,
                                                             (guint64) (guintptr) data,
                                                             &pointer_error);
      if (snapshot->pointer_note == NULL)
        snapshot->pointer_note = g_strdup (pointer_error->message);
      break;
    }
  snapshot->writer_name = g_malloc0 (SHMLAB_PROCESS_NAME_MAX);
  if (snapshot->stats.writer_pid != 0)
    shmlab_process_get_name ((pid_t) snapshot->stats.writer_pid, snapshot->writer_name,
                             SHMLAB_PROCESS_NAME_MAX);
  /* The same bytes as last time: the same GBytes, which the inspector sees at once. */
  if (self->last_bytes != NULL && g_bytes_get_size (self->last_bytes) == size &&
      memcmp (g_bytes_get_data (self->last_bytes, NULL), copy, size) == 0)
    snapshot->bytes = g_bytes_ref (self->last_bytes);
  else
    {
      snapshot->bytes = g_bytes_new_take (g_steal_pointer (&copy), size);
      g_clear_pointer (&self->last_bytes, g_bytes_unref);
      self->last_bytes = g_bytes_ref (snapshot->bytes);
    }
  return g_steal_pointer (&snapshot);
}

typedef struct
{
  ShmlabCacheChange change;
  gpointer data;
  GDestroyNotify data_free;
} Job;

static void
job_free (Job *job)
{
  if (job->data_free != NULL)
    job->data_free (job->data);
  g_free (job);
}

static void
run_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  ShmlabCacheClient *self = source_object;
  Job *job = task_data;
  g_autoptr(GMutexLocker) locker = NULL;
  GError *error = NULL;
  ShmlabCacheSnapshot *snapshot;

  shmlab_thread_set_background ();
  locker = g_mutex_locker_new (&self->lock);
  if (self->closed)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("the window was closed"));
      return;
    }
  if (!attach (self, job->change != NULL, cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (job->change != NULL)
    {
      ShmlabCache *cache = shmlab_cache_segment_get_cache (self->store);

      shmlab_cache_set_lock_timeout (cache, g_atomic_int_get (&self->lock_timeout_ms));
      if (!job->change (cache, job->data, &error))
        {
          g_task_return_error (task, error);
          return;
        }
    }
  snapshot = take_snapshot (self, &error);
  if (snapshot == NULL)
    {
      /* The segment is not what it was (cut short): attach again next time. */
      detach (self);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, snapshot, (GDestroyNotify) shmlab_cache_snapshot_free);
}

/**
 * shmlab_cache_client_run_async:
 * @change: (nullable): what a Writer's job changes (NULL: only a look)
 * @data: (nullable): given to @change; freed with @data_free
 *
 * Attaches if not yet attached (a change makes the cache when the key has
 * no segment; a look does not, and fails with NOT_FOUND), makes @change,
 * then looks at the whole table, in a worker thread; jobs run one after
 * another.
 */
void
shmlab_cache_client_run_async (ShmlabCacheClient   *self,
                               ShmlabCacheChange    change,
                               gpointer             data,
                               GDestroyNotify       data_free,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Job *job = g_new0 (Job, 1);

  g_return_if_fail (SHMLAB_IS_CACHE_CLIENT (self));
  g_return_if_fail (change == NULL || self->writer);

  job->change = change;
  job->data = data;
  job->data_free = data_free;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, shmlab_cache_client_run_async);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, run_thread);
}

/**
 * shmlab_cache_client_run_finish:
 *
 * Returns: (transfer full): the look that ended the job, or NULL: the
 *   change refused (SHMLAB_CACHE_ERROR: FULL, TOO_LARGE, BUSY, CORRUPT…),
 *   the segment's errors, NOT_A_CACHE, CANCELLED
 */
ShmlabCacheSnapshot *
shmlab_cache_client_run_finish (ShmlabCacheClient  *self,
                                GAsyncResult       *result,
                                GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
close_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  ShmlabCacheClient *self = source_object;

  g_mutex_lock (&self->lock);
  detach (self);
  g_mutex_unlock (&self->lock);
  g_atomic_int_add (&n_closing, -1);
  g_task_return_boolean (task, TRUE);
}

/**
 * shmlab_cache_client_close:
 *
 * No job runs after this one: the client detaches in a thread once the job
 * running now has ended (the last detach of a System V or POSIX segment
 * removes it, as everywhere). Returns at once.
 */
void
shmlab_cache_client_close (ShmlabCacheClient *self)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (SHMLAB_IS_CACHE_CLIENT (self));
  if (self->closed)
    return;
  /* Jobs read it under the mutex; a job queued after this one ends at once. */
  g_mutex_lock (&self->lock);
  self->closed = TRUE;
  g_mutex_unlock (&self->lock);
  g_atomic_int_inc (&n_closing);
  task = g_task_new (self, NULL, NULL, NULL);
  g_task_run_in_thread (task, close_thread);
}

/* How many closed clients still detach: a program waits for them to end. */
guint
shmlab_cache_client_count_closing (void)
{
  return (guint) g_atomic_int_get (&n_closing);
}

/* The lock timeout of the jobs that start from now on (the Settings' one). */
void
shmlab_cache_client_set_lock_timeout (ShmlabCacheClient *self,
                                      gint               lock_timeout_ms)
{
  g_return_if_fail (SHMLAB_IS_CACHE_CLIENT (self));
  g_atomic_int_set (&self->lock_timeout_ms, lock_timeout_ms);
}

ShmlabKey *
shmlab_cache_client_get_key (ShmlabCacheClient *self)
{
  g_return_val_if_fail (SHMLAB_IS_CACHE_CLIENT (self), NULL);
  return self->key;
}

/* Whether the Writer's first job made the cache (no segment had the key). */
gboolean
shmlab_cache_client_get_created (ShmlabCacheClient *self)
{
  g_return_val_if_fail (SHMLAB_IS_CACHE_CLIENT (self), FALSE);
  return self->created;
}

static void
shmlab_cache_client_finalize (GObject *object)
{
  ShmlabCacheClient *self = SHMLAB_CACHE_CLIENT (object);

  /* Closed clients have detached in their thread; this is the last resort. */
  detach (self);
  g_clear_pointer (&self->key, shmlab_key_unref);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (shmlab_cache_client_parent_class)->finalize (object);
}

static void
shmlab_cache_client_class_init (ShmlabCacheClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = shmlab_cache_client_finalize;
}

static void
shmlab_cache_client_init (ShmlabCacheClient *self)
{
  g_mutex_init (&self->lock);
}

/**
 * shmlab_cache_client_new:
 * @writer: TRUE for the Writer (read-write; makes the cache, changes it),
 *   FALSE for the Reader (read-only; only looks)
 * @lock_timeout_ms: how long to wait for the segment's lock and the cache's
 *   writer lock; negative: as long as it takes
 *
 * Nothing is attached until the first job.
 */
ShmlabCacheClient *
shmlab_cache_client_new (ShmlabKey *key,
                         gboolean   writer,
                         gint       lock_timeout_ms)
{
  ShmlabCacheClient *self;

  g_return_val_if_fail (key != NULL, NULL);
  self = g_object_new (SHMLAB_TYPE_CACHE_CLIENT, NULL);
  self->key = shmlab_key_ref (key);
  self->writer = writer;
  self->lock_timeout_ms = lock_timeout_ms;
  return self;
}
