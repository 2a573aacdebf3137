/* shmlab-cache-segment.h — a cache in the segment of a key, on any backend:
 * made and laid out by the first process under the segment's lock, opened
 * by the others
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "shmlab-cache.h"
#include "shmlab-key.h"
#include "shmlab-segment.h"

G_BEGIN_DECLS

typedef struct _ShmlabCacheSegment ShmlabCacheSegment;

ShmlabCacheSegment *shmlab_cache_segment_open        (ShmlabKey           *key,
                                                      gboolean             create,
                                                      guint32              n_slots,
                                                      guint32              n_buckets,
                                                      gint                 lock_timeout_ms,
                                                      GCancellable        *cancellable,
                                                      GError             **error);
void                shmlab_cache_segment_detach      (ShmlabCacheSegment  *self);
void                shmlab_cache_segment_close       (ShmlabCacheSegment  *self);
ShmlabCache        *shmlab_cache_segment_get_cache   (ShmlabCacheSegment  *self);
ShmlabSegment      *shmlab_cache_segment_get_segment (ShmlabCacheSegment  *self);
gboolean            shmlab_cache_segment_get_created (ShmlabCacheSegment  *self);
gboolean            shmlab_cache_segment_check_intact (ShmlabCacheSegment *self,
                                                      GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShmlabCacheSegment, shmlab_cache_segment_close)

G_END_DECLS
