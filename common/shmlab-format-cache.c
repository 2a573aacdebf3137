/* shmlab-format-cache.c — a shared cache's segment as a format: what Read,
 * the inspector and `shmlab info` make of it
 *
 * A cache holds a table, which the payload model (a text or a picture)
 * cannot: decoded, it is a text listing its entries, for `shmlab read` and
 * any reader that shows text. The windows show the table itself from copies
 * their own workers take under the cache's sequence counter (see
 * docs/architecture.md, "The windows and the cache").
 *
 * Everything here works on a private copy, checked by shmlab_cache_decode();
 * the header's fields are read at their offsets in shmlab-cache.c's layout
 * only to show them, never to follow them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-format-private.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "shmlab-cache.h"
#include "shmlab-error.h"
#include "shmlab-limits.h"

/* Where the header's fields and a slot's parts are (shmlab-cache.c's Header
 * and Slot); tests/test-cache-format.c checks them against the cache's own
 * figures. */
#define SLOT_NEXT 0
#define SLOT_LENGTHS 8
#define SLOT_KEY 64
#define SLOT_VALUE (64 + SHMLAB_CACHE_KEY_MAX + 1)

typedef struct
{
  const char *name;
  gsize offset;
  gsize size;
} HeaderField;

static const HeaderField header_fields[] = {
  { "magic", 0, 8 },
  { "version", 8, 4 },
  { "header_size", 12, 4 },
  { "total_size", 16, 8 },
  { "n_buckets", 24, 4 },
  { "n_slots", 28, 4 },
  { "slot_size", 32, 4 },
  { "key_max", 36, 4 },
  { "value_max", 40, 4 },
  { "buckets_offset", 48, 8 },
  { "slots_offset", 56, 8 },
  { "created_ms", 64, 8 },
  { "seq", 72, 4 },
  { "writer_pid", 76, 4 },
  { "n_entries", 80, 4 },
  { "free_head", 84, 4 },
  { "bytes_used", 88, 8 },
  { "hits", 128, 8 },
  { "misses", 136, 8 },
  { "sets", 144, 8 },
  { "deletes", 152, 8 },
  { "expired", 160, 8 },
  { "recoveries", 168, 8 },
  { "writer_lock", 256, 128 },
  { "readers", SHMLAB_CACHE_READERS_OFFSET,
    SHMLAB_CACHE_READER_SLOT_SIZE * SHMLAB_CACHE_READER_SLOTS },
};

/* The inspector lists this many entries at most (the hex view shows 64 KiB). */
#define DESCRIBED_MAX 48
/* `shmlab read` lists this many entries at most. */
#define LISTED_MAX 1000
/* Characters of a value shown. */
#define VALUE_PREVIEW 60

static guint32
u32_at (const guint8 *bytes,
        gsize         length,
        gsize         offset)
{
  guint32 value = 0;

  if (offset <= length && length - offset >= sizeof value)
    memcpy (&value, bytes + offset, sizeof value);
  return value;
}

static guint64
u64_at (const guint8 *bytes,
        gsize         length,
        gsize         offset)
{
  guint64 value = 0;

  if (offset <= length && length - offset >= sizeof value)
    memcpy (&value, bytes + offset, sizeof value);
  return value;
}

static gboolean
cache_recognise (const guint8 *bytes,
                 gsize         length)
{
  return shmlab_cache_is_cache (bytes, length);
}

/* The cache's own decoding, its refusal made a payload error naming the
 * field: the same words for Read, the inspector and `shmlab info`. */
static GPtrArray *
decode_entries (const guint8      *bytes,
                gsize              length,
                ShmlabCacheStats  *stats,
                GError           **error)
{
  g_autoptr(GError) local = NULL;
  GPtrArray *entries;
  GError *payload_error;
  const char *field;

  if (length < SHMLAB_CACHE_HEADER_SIZE)
    {
      payload_error = g_error_new (SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_MALFORMED,
                                   _("A shared cache begins with a header of %d bytes; these "
                                     "bytes stop after %" PRIu64 "."),
                                   SHMLAB_CACHE_HEADER_SIZE, (guint64) length);
      shmlab_payload_error_set_field (payload_error, SHMLAB_PAYLOAD_PROBLEM_TOO_SMALL, -1,
                                      "header_size");
      shmlab_payload_error_set_format (payload_error, SHMLAB_FORMAT_CACHE);
      g_propagate_error (error, payload_error);
      return NULL;
    }
  entries = shmlab_cache_decode (bytes, length, stats, &local);
  if (entries != NULL)
    return entries;
  /* Past the magic, only the version makes a cache "not a cache". */
  field = g_error_matches (local, SHMLAB_CACHE_ERROR, SHMLAB_CACHE_ERROR_NOT_A_CACHE)
          ? "version" : shmlab_cache_error_get_field (local);
  payload_error = g_error_new_literal (SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_MALFORMED,
                                       local->message);
  shmlab_payload_error_set_field (payload_error, SHMLAB_PAYLOAD_PROBLEM_WRONG_VALUE, -1, field);
  shmlab_payload_error_set_format (payload_error, SHMLAB_FORMAT_CACHE);
  g_propagate_error (error, payload_error);
  return NULL;
}

static char *
describe_accesses (guint64 count)
{
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" PRIu64 " access",
                                       "%" PRIu64 " accesses", count), count);
}

static int
compare_keys (gconstpointer a,
              gconstpointer b)
{
  const ShmlabCacheEntry *x = *(ShmlabCacheEntry *const *) a;
  const ShmlabCacheEntry *y = *(ShmlabCacheEntry *const *) b;

  return strcmp (x->key, y->key);
}

static int
compare_slots (gconstpointer a,
               gconstpointer b)
{
  const ShmlabCacheEntry *x = *(ShmlabCacheEntry *const *) a;
  const ShmlabCacheEntry *y = *(ShmlabCacheEntry *const *) b;

  return x->slot < y->slot ? -1 : x->slot > y->slot;
}

/* The entries as lines of text, by key: what `shmlab read` prints. */
static ShmlabPayload *
cache_decode (const guint8  *bytes,
              gsize          length,
              GBytes        *owner,
              GError       **error)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  ShmlabPayload *self;
  ShmlabCacheStats stats;
  gint64 now = shmlab_cache_now_ms ();

  entries = decode_entries (bytes, length, &stats, error);
  if (entries == NULL)
    return NULL;
  g_ptr_array_sort (entries, compare_keys);
  g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE,
                                             "Shared cache: %u entry of %u, in %u buckets\n",
                                             "Shared cache: %u entries of %u, in %u buckets\n",
                                             entries->len),
                          entries->len, stats.n_slots, stats.n_buckets);
  for (guint i = 0; i < entries->len && i < LISTED_MAX; i++)
    {
      ShmlabCacheEntry *entry = g_ptr_array_index (entries, i);
      g_autofree char *key = g_utf8_make_valid (entry->key, -1);
      g_autofree char *value = shmlab_cache_describe_value (entry->value, 200);
      g_autofree char *accesses = describe_accesses (entry->access_count);
      g_autofree char *expiry = NULL;

      if (entry->expiry_ms == 0)
        expiry = g_strdup (_("never expires"));
      else if (entry->expiry_ms <= now)
        expiry = g_strdup (_("expired"));
      else
        expiry = g_strdup_printf (_("expires in %" PRId64 " s"),
                                  (entry->expiry_ms - now + 999) / 1000);
      g_string_append_printf (text, _("%s = %s  (%s, %s)\n"), key, value, expiry, accesses);
    }
  if (entries->len > LISTED_MAX)
    g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "… and %u more entry\n",
                                               "… and %u more entries\n",
                                               entries->len - LISTED_MAX),
                            entries->len - LISTED_MAX);

  self = g_new0 (ShmlabPayload, 1);
  self->format = SHMLAB_FORMAT_CACHE;
  shmlab_payload_set_text (self, text->str, text->len);
  /* The geometry was checked against the bytes: the cache ends there. */
  self->encoded_length = (gsize) MIN (u64_at (bytes, length, 16), (guint64) length);
  return self;
}

static gboolean
cache_encode (ShmlabEncoded        *encoded,
              const ShmlabPayload  *payload,
              GError              **error)
{
  g_set_error_literal (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_UNSUPPORTED,
                       _("A cache is written entry by entry: use the Writer's Cache page or "
                         "shmlab cache KEY set."));
  return FALSE;
}

static gsize
cache_write (const ShmlabEncoded *self,
             guint8              *dest,
             gsize                dest_size,
             gsize                keep,
             guint64              generation)
{
  g_return_val_if_reached (0);
}

/* ---- the description ---- */

static ShmlabDescribedField *
add (ShmlabDescription *d,
     const char        *name,
     gsize              offset,
     gsize              size,
     gsize              length,
     char              *value)
{
  return shmlab_description_add_field (d, name, -1, offset,
                                       offset <= length && size <= length - offset ? size : 0,
                                       value);
}

static char *
describe_time (gint64 ms)
{
  g_autoptr(GDateTime) time = ms > 0 ? g_date_time_new_from_unix_local (ms / 1000) : NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  if (time == NULL)
    return g_strdup_printf ("%" PRId64, ms);
  if (g_date_time_get_year (time) == g_date_time_get_year (now) &&
      g_date_time_get_day_of_year (time) == g_date_time_get_day_of_year (now))
    return g_date_time_format (time, "%H:%M:%S");
  return g_date_time_format (time, "%Y-%m-%d %H:%M:%S");
}

static char *
header_value (const char   *name,
              const guint8 *bytes,
              gsize         length)
{
  guint32 seq, pid, free_head, readers = 0;

  if (g_str_equal (name, "magic"))
    return g_strdup (SHMLAB_CACHE_MAGIC);
  if (g_str_equal (name, "version") || g_str_equal (name, "key_max") ||
      g_str_equal (name, "value_max") || g_str_equal (name, "n_entries"))
    {
      gsize offset = 0;

      for (guint i = 0; i < G_N_ELEMENTS (header_fields); i++)
        if (g_str_equal (header_fields[i].name, name))
          offset = header_fields[i].offset;
      return g_strdup_printf ("%u", u32_at (bytes, length, offset));
    }
  if (g_str_equal (name, "header_size"))
    return shmlab_format_bytes (u32_at (bytes, length, 12));
  if (g_str_equal (name, "total_size"))
    return shmlab_format_bytes (u64_at (bytes, length, 16));
  if (g_str_equal (name, "n_buckets"))
    return g_strdup_printf (_("%u buckets, each the first slot of its chain + 1"),
                            u32_at (bytes, length, 24));
  if (g_str_equal (name, "n_slots"))
    return g_strdup_printf (_("%u slots in the pool"), u32_at (bytes, length, 28));
  if (g_str_equal (name, "slot_size"))
    return shmlab_format_bytes (u32_at (bytes, length, 32));
  if (g_str_equal (name, "buckets_offset"))
    return g_strdup_printf (_("%" PRIu64 ": where the buckets begin"), u64_at (bytes, length, 48));
  if (g_str_equal (name, "slots_offset"))
    return g_strdup_printf (_("%" PRIu64 ": where the slots begin"), u64_at (bytes, length, 56));
  if (g_str_equal (name, "created_ms"))
    return describe_time ((gint64) u64_at (bytes, length, 64));
  if (g_str_equal (name, "seq"))
    {
      seq = u32_at (bytes, length, 72);
      return g_strdup_printf ((seq & 1) ? _("%u: odd, a writer was changing the table")
                                        : _("%u: even, no writer was changing the table"), seq);
    }
  if (g_str_equal (name, "writer_pid"))
    {
      pid = u32_at (bytes, length, 76);
      return pid != 0 ? g_strdup_printf (_("%u holds the writer lock"), pid)
                      : g_strdup (_("0: nobody holds the writer lock"));
    }
  if (g_str_equal (name, "free_head"))
    {
      free_head = u32_at (bytes, length, 84);
      return free_head != 0 ? g_strdup_printf (_("slot %u is the first free one"), free_head - 1)
                            : g_strdup (_("0: no slot is free"));
    }
  if (g_str_equal (name, "bytes_used"))
    return shmlab_format_bytes (u64_at (bytes, length, 88));
  if (g_str_equal (name, "writer_lock"))
    return g_strdup (_("a robust, process-shared mutex: one writer at a time"));
  if (g_str_equal (name, "readers"))
    {
      for (guint i = 0; i < SHMLAB_CACHE_READER_SLOTS; i++)
        readers += u32_at (bytes, length,
                           SHMLAB_CACHE_READERS_OFFSET + SHMLAB_CACHE_READER_SLOT_SIZE * i) != 0;
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "%u of %u places taken by a reader, each with its own "
                                           "hits and misses",
                                           "%u of %u places taken by readers, each with its own "
                                           "hits and misses", readers),
                              readers, SHMLAB_CACHE_READER_SLOTS);
    }
  /* Hits and misses: the shared counter, and what each reader counted in its own place. */
  if (g_str_equal (name, "hits") || g_str_equal (name, "misses"))
    {
      gboolean hits = g_str_equal (name, "hits");
      guint64 shared = u64_at (bytes, length, hits ? 128 : 136);
      guint64 total = shared;

      for (guint i = 0; i < SHMLAB_CACHE_READER_SLOTS; i++)
        {
          guint64 own = u64_at (bytes, length,
                                SHMLAB_CACHE_READERS_OFFSET + SHMLAB_CACHE_READER_SLOT_SIZE * i +
                                  (hits ? SHMLAB_CACHE_READER_HITS_OFFSET
                                        : SHMLAB_CACHE_READER_MISSES_OFFSET));

          total = total + own < total ? G_MAXUINT64 : total + own;
        }
      if (total == shared)
        return g_strdup_printf ("%" PRIu64, total);
      return g_strdup_printf (_("%" PRIu64 " in all: %" PRIu64 " here, the rest counted by the "
                                "readers in their own places"),
                              total, shared);
    }
  /* sets, deletes, expired, recoveries: counters. */
  for (guint i = 0; i < G_N_ELEMENTS (header_fields); i++)
    if (g_str_equal (header_fields[i].name, name))
      return g_strdup_printf ("%" PRIu64, u64_at (bytes, length, header_fields[i].offset));
  return g_strdup ("");
}

static void
add_header_fields (ShmlabDescription *description,
                   const guint8      *bytes,
                   gsize              length)
{
  for (guint i = 0; i < G_N_ELEMENTS (header_fields); i++)
    {
      const HeaderField *field = &header_fields[i];

      if (field->offset >= length)
        break;
      add (description, field->name, field->offset, field->size, length,
           header_value (field->name, bytes, length));
    }
}

static char *
slot_name (guint32     slot,
           const char *part)
{
  return g_strdup_printf ("slot[%u]%s", slot, part);
}

/* Where @link (a slot number + 1, 0 for none) leads, for a person. */
static char *
describe_link (GHashTable *by_slot,
               guint32     n_slots,
               guint64     slots_offset,
               guint32     link,
               guint32     bucket)
{
  const ShmlabCacheEntry *target;

  if (link == 0)
    return g_strdup_printf (_("0: the end of the chain of bucket %u"), bucket);
  if (link - 1 >= n_slots)
    return g_strdup_printf (_("%u: slot %u, outside the pool of %u"), link, link - 1, n_slots);
  target = g_hash_table_lookup (by_slot, GUINT_TO_POINTER (link - 1));
  if (target == NULL)
    return g_strdup_printf (_("%u: slot %u at %" PRIu64), link, link - 1,
                            slots_offset + (guint64) (link - 1) * SHMLAB_CACHE_SLOT_SIZE);
  {
    g_autofree char *key = g_utf8_make_valid (target->key, -1);

    return g_strdup_printf (_("%u → slot %u at %" PRIu64 ", “%s”"), link, link - 1,
                            target->offset, key);
  }
}

/* A whole cache: its buckets and entries, every link with where it leads. */
static void
add_entry_fields (ShmlabDescription *description,
                  GPtrArray         *entries,
                  const guint8      *bytes,
                  gsize              length)
{
  guint32 n_slots = u32_at (bytes, length, 28);
  guint64 buckets_offset = u64_at (bytes, length, 48);
  guint64 slots_offset = u64_at (bytes, length, 56);
  g_autoptr(GHashTable) by_slot = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) heads = g_hash_table_new (NULL, NULL);
  g_autoptr(GPtrArray) shown = g_ptr_array_new ();
  gint64 now = shmlab_cache_now_ms ();

  /* The decoder lists each chain from its head, bucket by bucket. */
  for (guint i = 0; i < entries->len; i++)
    {
      ShmlabCacheEntry *entry = g_ptr_array_index (entries, i);

      g_hash_table_insert (by_slot, GUINT_TO_POINTER (entry->slot), entry);
      if (!g_hash_table_contains (heads, GUINT_TO_POINTER (entry->bucket)))
        g_hash_table_insert (heads, GUINT_TO_POINTER (entry->bucket), entry);
      if (shown->len < DESCRIBED_MAX)
        g_ptr_array_add (shown, entry);
    }

  /* The buckets of the entries shown, in the order they sit. */
  for (guint i = 0; i < shown->len; i++)
    {
      ShmlabCacheEntry *entry = g_ptr_array_index (shown, i);
      g_autofree char *name = NULL;

      if (g_hash_table_lookup (heads, GUINT_TO_POINTER (entry->bucket)) != entry)
        continue;
      name = g_strdup_printf ("bucket[%u]", entry->bucket);
      add (description, name, buckets_offset + (gsize) entry->bucket * 4, 4, length,
           describe_link (by_slot, n_slots, slots_offset, entry->slot + 1, entry->bucket));
    }

  g_ptr_array_sort (shown, compare_slots);
  for (guint i = 0; i < shown->len; i++)
    {
      ShmlabCacheEntry *entry = g_ptr_array_index (shown, i);
      gsize offset = entry->offset;
      guint32 link = u32_at (bytes, length, offset + SLOT_NEXT);
      gsize key_length = strlen (entry->key);
      gsize value_length = g_bytes_get_size (entry->value);
      g_autofree char *next_name = slot_name (entry->slot, ".next");
      g_autofree char *name = slot_name (entry->slot, "");
      g_autofree char *key_name = slot_name (entry->slot, ".key");
      g_autofree char *value_name = slot_name (entry->slot, ".value");
      g_autofree char *key = g_utf8_make_valid (entry->key, -1);
      g_autofree char *value = shmlab_cache_describe_value (entry->value, VALUE_PREVIEW);
      g_autofree char *accesses = describe_accesses (entry->access_count);
      g_autofree char *expiry = NULL;
      g_autofree char *bytes_text = shmlab_format_bytes (value_length);

      if (entry->expiry_ms == 0)
        expiry = g_strdup (_("never expires"));
      else
        {
          g_autofree char *when = describe_time (entry->expiry_ms);

          expiry = g_strdup_printf (entry->expiry_ms <= now ? _("expired at %s")
                                                            : _("expires at %s"), when);
        }
      add (description, next_name, offset + SLOT_NEXT, 4, length,
           describe_link (by_slot, n_slots, slots_offset, link, entry->bucket));
      add (description, name, offset + SLOT_LENGTHS, SLOT_KEY - SLOT_LENGTHS, length,
           g_strdup_printf (_("the entry at %" PRIu64 ": “%s”, %s of value, %s, %s, "
                              "bucket %u"),
                            (guint64) offset, key, bytes_text, expiry, accesses, entry->bucket));
      add (description, key_name, offset + SLOT_KEY, key_length, length,
           g_steal_pointer (&key));
      if (value_length > 0)
        add (description, value_name, offset + SLOT_VALUE, value_length, length,
             g_steal_pointer (&value));
    }
}

static int
compare_indexes (gconstpointer a,
                 gconstpointer b)
{
  guint32 x = GPOINTER_TO_UINT (*(gconstpointer const *) a);
  guint32 y = GPOINTER_TO_UINT (*(gconstpointer const *) b);

  return x < y ? -1 : x > y;
}

/* The fields of the damaged chain, up to the field that is wrong, which is
 * marked: found by the walk the decoder makes, over a geometry it checked. */
static void
add_damaged_chain (ShmlabDescription *description,
                   const guint8      *bytes,
                   gsize              length)
{
  guint32 n_buckets = u32_at (bytes, length, 24);
  guint32 n_slots = u32_at (bytes, length, 28);
  guint64 buckets_offset = u64_at (bytes, length, 48);
  guint64 slots_offset = u64_at (bytes, length, 56);
  g_autofree guint8 *reached = NULL;
  g_autoptr(GPtrArray) path = g_ptr_array_new ();
  g_autofree char *wrong = NULL;
  guint32 bad_bucket = 0;
  g_autoptr(GHashTable) none = g_hash_table_new (NULL, NULL);

  /* The geometry passed the decoder's checks before a chain failed. */
  if (n_slots == 0 || n_slots > SHMLAB_CACHE_MAX_SLOTS || n_buckets == 0 ||
      n_buckets > SHMLAB_CACHE_MAX_BUCKETS ||
      slots_offset + (guint64) n_slots * SHMLAB_CACHE_SLOT_SIZE > length ||
      buckets_offset + (guint64) n_buckets * 4 > length)
    return;
  reached = g_malloc0 (n_slots);
  for (guint32 b = 0; b < n_buckets && wrong == NULL; b++)
    {
      gsize link_at = buckets_offset + (gsize) b * 4;
      g_autofree char *link_name = g_strdup_printf ("bucket[%u]", b);
      guint32 link = u32_at (bytes, length, link_at);

      g_ptr_array_set_size (path, 0);
      while (link != 0 && wrong == NULL)
        {
          guint32 index = link - 1;
          gsize slot_at;
          guint32 key_len, value_len;

          if (index >= n_slots || reached[index])
            {
              wrong = g_strdup (link_name);
              break;
            }
          reached[index] = 1;
          g_ptr_array_add (path, GUINT_TO_POINTER (index));
          slot_at = slots_offset + (gsize) index * SHMLAB_CACHE_SLOT_SIZE;
          key_len = u32_at (bytes, length, slot_at + 8);
          value_len = u32_at (bytes, length, slot_at + 12);
          if (key_len == 0 || key_len > SHMLAB_CACHE_KEY_MAX || value_len > SHMLAB_CACHE_VALUE_MAX)
            wrong = slot_name (index, "");
          else if (memchr (bytes + slot_at + SLOT_KEY, '\0', key_len) != NULL)
            wrong = slot_name (index, ".key");
          g_free (link_name);
          link_name = slot_name (index, ".next");
          link = u32_at (bytes, length, slot_at + SLOT_NEXT);
        }
      bad_bucket = b;
    }
  if (wrong == NULL)
    return;

  /* The chain from its bucket to the damage (its end, when long), slots in
   * the order they sit. */
  if (path->len > DESCRIBED_MAX)
    g_ptr_array_remove_range (path, 0, path->len - DESCRIBED_MAX);
  g_ptr_array_sort (path, compare_indexes);
  {
    gsize at = buckets_offset + (gsize) bad_bucket * 4;
    g_autofree char *name = g_strdup_printf ("bucket[%u]", bad_bucket);
    ShmlabDescribedField *field = add (description, name, at, 4, length,
                                       describe_link (none, n_slots, slots_offset,
                                                      u32_at (bytes, length, at), bad_bucket));

    field->wrong = g_str_equal (name, wrong);
  }
  for (guint i = 0; i < path->len; i++)
    {
      guint32 index = GPOINTER_TO_UINT (g_ptr_array_index (path, i));
      gsize at = slots_offset + (gsize) index * SHMLAB_CACHE_SLOT_SIZE;
      guint32 key_len = u32_at (bytes, length, at + 8);
      guint32 value_len = u32_at (bytes, length, at + 12);
      g_autofree char *next_name = slot_name (index, ".next");
      g_autofree char *name = slot_name (index, "");
      g_autofree char *key_name = slot_name (index, ".key");
      ShmlabDescribedField *field;

      field = add (description, next_name, at + SLOT_NEXT, 4, length,
                   describe_link (none, n_slots, slots_offset, u32_at (bytes, length, at),
                                  bad_bucket));
      field->wrong = g_str_equal (next_name, wrong);
      field = add (description, name, at + SLOT_LENGTHS, SLOT_KEY - SLOT_LENGTHS, length,
                   g_strdup_printf (_("the entry at %" PRIu64 ": a key of %u bytes, a "
                                      "value of %u bytes"),
                                    (guint64) at, key_len, value_len));
      field->wrong = g_str_equal (name, wrong);
      if (key_len >= 1 && key_len <= SHMLAB_CACHE_KEY_MAX)
        {
          g_autofree char *key = g_utf8_make_valid ((const char *) bytes + at + SLOT_KEY,
                                                    key_len);

          field = add (description, key_name, at + SLOT_KEY, key_len, length,
                       g_strdup (key));
          field->wrong = g_str_equal (key_name, wrong);
        }
    }
  for (guint i = 0; i < description->fields->len; i++)
    {
      ShmlabDescribedField *field = g_ptr_array_index (description->fields, i);

      if (field->wrong)
        description->wrong_field = (int) i;
    }
}

static void
cache_describe (ShmlabDescription *description,
                const guint8      *bytes,
                gsize              length,
                gsize              segment_size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  const ShmlabPayloadErrorDetails *details;
  ShmlabCacheStats stats;
  guint64 total = u64_at (bytes, length, 16);

  description->format = SHMLAB_FORMAT_CACHE;
  add_header_fields (description, bytes, length);

  /* Only the start of a larger cache at hand: its header, not its table. */
  if (length < segment_size && (length < SHMLAB_CACHE_HEADER_SIZE || total > length))
    {
      g_autofree char *at_hand = shmlab_format_bytes (length);

      description->verdict = SHMLAB_VERDICT_VALID;
      description->title = g_strdup (_("Shared cache"));
      description->detail =
        g_strdup_printf (_("A key–value cache of %u slots in %u buckets. Only its first %s are "
                           "at hand: its entries and their links are listed from a copy of the "
                           "whole cache (the Reader's cache view, or shmlab info)."),
                         u32_at (bytes, length, 28), u32_at (bytes, length, 24), at_hand);
      return;
    }

  entries = decode_entries (bytes, length, &stats, &error);
  description->checked = TRUE;
  if (entries == NULL)
    {
      details = shmlab_payload_error_get_details (error);
      description->verdict = SHMLAB_VERDICT_DAMAGED;
      shmlab_description_set_error (description, error, NULL);
      if (description->wrong_field < 0 && details != NULL && details->field_name != NULL)
        add_damaged_chain (description, bytes, length);
      description->title = g_strdup (_("Shared cache, damaged"));
      description->detail = g_strdup (description->wrong_field >= 0
                                        ? _("The bytes start with SHMCACHE, but the field "
                                            "marked ✗ is wrong: a reader refuses this cache. "
                                            "Remove the segment and make a new one.")
                                        : _("The bytes start with SHMCACHE, but a reader "
                                            "refuses this cache. Remove the segment and make "
                                            "a new one."));
      return;
    }

  description->verdict = SHMLAB_VERDICT_VALID;
  description->title = g_strdup (_("Shared cache"));
  add_entry_fields (description, entries, bytes, length);
  {
    g_autoptr(GString) detail = g_string_new (NULL);
    g_autofree char *used = shmlab_format_bytes (stats.bytes_used);

    g_string_append_printf (detail, g_dngettext (GETTEXT_PACKAGE,
                                                 "%u entry in %u slots and %u buckets, %s of "
                                                 "keys and values. Each link is a slot number "
                                                 "+ 1, never an address: shown with the offset "
                                                 "it leads to.",
                                                 "%u entries in %u slots and %u buckets, %s of "
                                                 "keys and values. Each link is a slot number "
                                                 "+ 1, never an address: shown with the offset "
                                                 "it leads to.", entries->len),
                            entries->len, stats.n_slots, stats.n_buckets, used);
    if (entries->len > DESCRIBED_MAX)
      g_string_append_printf (detail, _(" The first %u entries are listed."), DESCRIBED_MAX);
    if (stats.seq & 1)
      g_string_append (detail, _(" A writer was changing the table while these bytes were "
                                 "copied (seq is odd): copy again for a settled picture."));
    description->detail = g_string_free (g_steal_pointer (&detail), FALSE);
  }
}

static char *
cache_text_size_label (gsize length)
{
  return g_strdup ("");
}

const ShmlabFormatClass shmlab_format_cache = {
  .id = SHMLAB_FORMAT_CACHE,
  .name = "cache",
  .phrase = N_("shared cache"),
  .text_noun = NULL,
  .image_noun = NULL,
  .cut_advice = NULL,
  .choice = N_("Shared cache"),
  .summary = N_("a key–value table of buckets and slots, linked by slot numbers"),
  .explanation = N_("Shared cache: a 4096-byte header, a table of buckets, then a pool of fixed "
                    "slots each holding a key, a value and its expiry, linked by slot numbers. "
                    "Written entry by entry by the Writer's Cache page and shmlab cache."),
  .qt_text_note = N_("no Qt program reads a shared cache"),
  .qt_image_note = N_("no Qt program reads a shared cache"),
  .prefix_size = SHMLAB_CACHE_HEADER_SIZE,
  .suffix_size = 0,
  .recognise = cache_recognise,
  .decode = cache_decode,
  .encode = cache_encode,
  .write = cache_write,
  .describe = cache_describe,
  .text_size_label = cache_text_size_label,
};
