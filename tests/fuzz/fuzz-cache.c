/* fuzz-cache.c — a cache segment as a hostile process could leave it: the
 * decoder reads every entry or names the field that is wrong, never reads
 * past the end, never loops; and every operation on a private copy of an
 * accepted one ends, with the table's checks saying what they find.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "shmlab-cache.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_error (const GError *error)
{
  g_assert_true (error != NULL);
  g_assert_true (error->domain == SHMLAB_CACHE_ERROR);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  if (error->code == SHMLAB_CACHE_ERROR_CORRUPT)
    g_assert_true (shmlab_cache_error_get_field (error) != NULL);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  /* An exact-size copy, so that a read past the end is seen. */
  g_autofree guint8 *bytes = size > 0 ? g_memdup2 (data, size) : NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(ShmlabCache) cache = NULL;
  ShmlabCacheStats stats;

  if (size == 0)
    return 0;
  entries = shmlab_cache_decode (bytes, size, &stats, &error);
  if (entries == NULL)
    {
      check_error (error);
      return 0;
    }
  for (guint i = 0; i < entries->len; i++)
    {
      ShmlabCacheEntry *entry = g_ptr_array_index (entries, i);

      g_assert_true (strlen (entry->key) >= 1 && strlen (entry->key) <= SHMLAB_CACHE_KEY_MAX);
      g_assert_true (g_bytes_get_size (entry->value) <= SHMLAB_CACHE_VALUE_MAX);
      g_assert_true (entry->offset < size);
      g_assert_true (entry->next_offset < size);
      g_assert_true (entry->bucket < stats.n_buckets);
    }

  /* What a writer would do to it: every operation ends, and repairs or refuses. */
  cache = shmlab_cache_open_copy (bytes, size, &error);
  g_assert_true (cache != NULL);
  shmlab_cache_set_lock_timeout (cache, 10);
  for (guint i = 0; i < MIN (entries->len, 4u); i++)
    {
      ShmlabCacheEntry *entry = g_ptr_array_index (entries, i);
      g_autoptr(GError) get_error = NULL;
      g_autoptr(ShmlabCacheEntry) got = shmlab_cache_get (cache, entry->key, &get_error);

      if (got == NULL)
        check_error (get_error);
    }
  {
    g_autoptr(GError) op_error = NULL;
    g_autoptr(GPtrArray) listed = NULL;
    guint cleared;

    if (!shmlab_cache_set (cache, "fuzz", (const guint8 *) "value", 5, 0, &op_error))
      check_error (op_error);
    g_clear_error (&op_error);
    if (!shmlab_cache_delete (cache, "fuzz", &op_error))
      check_error (op_error);
    g_clear_error (&op_error);
    if (!shmlab_cache_clear_expired (cache, &cleared, &op_error))
      check_error (op_error);
    g_clear_error (&op_error);
    listed = shmlab_cache_list (cache, &op_error);
    if (listed == NULL)
      check_error (op_error);
    g_clear_error (&op_error);
    if (!shmlab_cache_check (cache, &op_error))
      check_error (op_error);
  }
  return 0;
}
