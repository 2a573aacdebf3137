/* shmlab-cache-client.h — a window's hold on the cache in a key's segment:
 * attached, changed and looked at only in worker threads, one job at a
 * time; each job ends with a look at the whole table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "shmlab-cache.h"
#include "shmlab-key.h"

G_BEGIN_DECLS

/**
 * ShmlabCacheSnapshot:
 * @entries: (element-type ShmlabCacheEntry) (nullable): the entries, by
 *   key; %NULL when @error says why the copy cannot be read
 * @stats: the counters, as the copy holds them
 * @writer_name: the program holding the writer lock ("" when nobody does,
 *   or unknown)
 * @bytes: the copy of the whole segment, for the inspector
 * @segment_size: the segment's size
 * @settled: no writer changed the table while it was copied
 * @error: (nullable): why the copy cannot be read: a damaged cache, its
 *   field named (shmlab_cache_error_get_field())
 * @taken_ms: when it was copied, ms since the epoch
 * @pointer_note: (nullable): what the first pointer an entry holds
 *   (`shmlab cache KEY pointer-store`) means in this process, looked up in
 *   its own maps, never followed
 *
 * One look at a cache: a copy of its segment taken under its sequence
 * counter (the copy starts and ends with one even count), then decoded.
 * Its expiries are absolute: a countdown needs no new look.
 */
typedef struct
{
  GPtrArray *entries;
  ShmlabCacheStats stats;
  char *writer_name;
  GBytes *bytes;
  gsize segment_size;
  gboolean settled;
  GError *error;
  gint64 taken_ms;
  char *pointer_note;
} ShmlabCacheSnapshot;

void shmlab_cache_snapshot_free (ShmlabCacheSnapshot *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShmlabCacheSnapshot, shmlab_cache_snapshot_free)

/**
 * ShmlabCacheChange:
 * @cache: the cache, writable; its lock timeout set
 * @data: what the job was given
 *
 * A change a writer's job makes, in its worker thread.
 */
typedef gboolean (*ShmlabCacheChange) (ShmlabCache  *cache,
                                       gpointer      data,
                                       GError      **error);

#define SHMLAB_TYPE_CACHE_CLIENT (shmlab_cache_client_get_type ())
G_DECLARE_FINAL_TYPE (ShmlabCacheClient, shmlab_cache_client, SHMLAB, CACHE_CLIENT, GObject)

ShmlabCacheClient   *shmlab_cache_client_new           (ShmlabKey           *key,
                                                        gboolean             writer,
                                                        gint                 lock_timeout_ms);
ShmlabKey           *shmlab_cache_client_get_key       (ShmlabCacheClient   *self);
void                 shmlab_cache_client_set_lock_timeout (ShmlabCacheClient *self,
                                                        gint                 lock_timeout_ms);
gboolean             shmlab_cache_client_get_created   (ShmlabCacheClient   *self);

void                 shmlab_cache_client_run_async     (ShmlabCacheClient   *self,
                                                        ShmlabCacheChange    change,
                                                        gpointer             data,
                                                        GDestroyNotify       data_free,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
ShmlabCacheSnapshot *shmlab_cache_client_run_finish    (ShmlabCacheClient   *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
void                 shmlab_cache_client_close         (ShmlabCacheClient   *self);
guint                shmlab_cache_client_count_closing (void);

G_END_DECLS
