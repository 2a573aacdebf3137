/* shmlab-cache-hot-data.c — the second source article's hot data, written
 * once for `shmlab cache KEY producer` and the Writer's Cache page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-cache-hot-data.h"

#include <string.h>

/* Two users, two products, and a session that lives 5 minutes. */
static const ShmlabCacheHotEntry hot_data[] = {
  { "user:1001", "{\"name\": \"Alice\", \"age\": 30, \"city\": \"Beijing\"}", 0 },
  { "user:1002", "{\"name\": \"Bob\", \"age\": 25, \"city\": \"Shanghai\"}", 0 },
  { "product:2001", "{\"name\": \"Laptop\", \"price\": 5999, \"stock\": 50}", 0 },
  { "product:2002", "{\"name\": \"Phone\", \"price\": 3999, \"stock\": 100}", 0 },
  { "session:abc123", "{\"user_id\": 1001, \"login_time\": \"2026-12-05 09:00:00\"}", 300 },
};

/* The entries, in the order they are loaded. */
const ShmlabCacheHotEntry *
shmlab_cache_hot_data_get (guint *n_entries)
{
  *n_entries = G_N_ELEMENTS (hot_data);
  return hot_data;
}

/**
 * shmlab_cache_hot_data_load:
 *
 * Sets every entry of the hot data in @cache (each replaced whole if it is
 * there), its expiry counted from now; stops at the first that fails.
 */
gboolean
shmlab_cache_hot_data_load (ShmlabCache  *cache,
                            GError      **error)
{
  gint64 now = shmlab_cache_now_ms ();

  for (guint i = 0; i < G_N_ELEMENTS (hot_data); i++)
    {
      gint64 expiry = hot_data[i].ttl_seconds > 0
                      ? now + (gint64) hot_data[i].ttl_seconds * 1000 : 0;

      if (!shmlab_cache_set (cache, hot_data[i].key, (const guint8 *) hot_data[i].value,
                             strlen (hot_data[i].value), expiry, error))
        return FALSE;
    }
  return TRUE;
}
