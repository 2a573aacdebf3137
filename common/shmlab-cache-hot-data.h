/* shmlab-cache-hot-data.h — the second source article's hot data: what its
 * producer loads into the cache, and what the Writer's Cache page loads
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "shmlab-cache.h"

G_BEGIN_DECLS

/**
 * ShmlabCacheHotEntry:
 * @key: the entry's key
 * @value: its value, a JSON text
 * @ttl_seconds: how long it lives once loaded; 0 for ever
 */
typedef struct
{
  const char *key;
  const char *value;
  guint ttl_seconds;
} ShmlabCacheHotEntry;

const ShmlabCacheHotEntry *shmlab_cache_hot_data_get  (guint         *n_entries);
gboolean                   shmlab_cache_hot_data_load (ShmlabCache   *cache,
                                                       GError       **error);

G_END_DECLS
