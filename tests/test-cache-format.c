/* test-cache-format.c — a shared cache's segment as the format table sees
 * it: read as a text listing its entries; described with its header fields
 * at their offsets, whose values agree with the cache's own figures, and
 * each entry with its offset and the offset its link leads to; the start of
 * a larger cache described by its header; a damaged one described as
 * damaged, the wrong link or field named and marked
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-test-util.h"

#include <inttypes.h>
#include <string.h>

#include "shmlab-cache.h"
#include "shmlab-cache-hot-data.h"
#include "shmlab-format.h"
#include "shmlab-payload.h"

/* A cache laid out in memory, as a segment would hold it. */
typedef struct
{
  guint8 *bytes;
  gsize size;
  ShmlabCache *cache;
} Memory;

static void
memory_clear (Memory *memory)
{
  g_clear_pointer (&memory->cache, shmlab_cache_free);
  g_clear_pointer (&memory->bytes, g_free);
}

static void
memory_init (Memory  *memory,
             guint32  slots,
             guint32  buckets)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (shmlab_cache_size_for (slots, buckets, &memory->size, &error));
  memory->bytes = g_malloc0 (memory->size);
  g_assert_true (shmlab_cache_init (memory->bytes, memory->size, slots, buckets, &error));
  memory->cache = shmlab_cache_open (memory->bytes, memory->size, &error);
  g_assert_no_error (error);
}

static const ShmlabDescribedField *
field (const ShmlabDescription *description,
       const char              *name)
{
  const ShmlabDescribedField *found = shmlab_description_get_field (description, name);

  if (found == NULL)
    shmlab_test_fail ("no field %s", name);
  return found;
}

static void
assert_value_has (const ShmlabDescription *description,
                  const char              *name,
                  const char              *text)
{
  const ShmlabDescribedField *found = field (description, name);

  if (strstr (found->value, text) == NULL)
    shmlab_test_fail ("field %s is “%s”, without “%s”", name, found->value, text);
}

static char *
number (guint64 value)
{
  return g_strdup_printf ("%" PRIu64, value);
}

/* The hot data, a few lookups: every header field at its offset, with the
 * cache's own figures; every entry with its offset and where its link goes. */
static void
test_describe (void)
{
  Memory memory = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabDescription) description = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(ShmlabCacheEntry) entry = NULL;
  ShmlabCacheStats stats;
  static const char *const header[] = {
    "magic", "version", "header_size", "total_size", "n_buckets", "n_slots", "slot_size",
    "buckets_offset", "slots_offset", "created_ms", "seq", "writer_pid", "n_entries",
    "free_head", "bytes_used", "hits", "misses", "sets", "deletes", "expired", "recoveries",
    "writer_lock", "readers",
  };
  static const gsize offsets[] = {
    0, 8, 12, 16, 24, 28, 32, 48, 56, 64, 72, 76, 80, 84, 88, 128, 136, 144, 152, 160, 168,
    256, 384,
  };

  /* Two buckets for five entries: chains of more than one entry. */
  memory_init (&memory, 8, 2);
  g_assert_true (shmlab_cache_hot_data_load (memory.cache, &error));
  g_assert_no_error (error);
  entry = shmlab_cache_get (memory.cache, "user:1001", &error);
  g_assert_no_error (error);
  g_clear_pointer (&entry, shmlab_cache_entry_free);
  entry = shmlab_cache_get (memory.cache, "user:1001", NULL);
  g_assert_null (shmlab_cache_get (memory.cache, "user:9999", NULL));
  g_assert_true (shmlab_cache_delete (memory.cache, "product:2002", &error));
  shmlab_cache_get_stats (memory.cache, &stats);

  description = shmlab_description_new (memory.bytes, memory.size, memory.size);
  g_assert_cmpint (description->format, ==, SHMLAB_FORMAT_CACHE);
  g_assert_cmpint (description->verdict, ==, SHMLAB_VERDICT_VALID);
  g_assert_true (description->checked);
  g_assert_cmpint (description->wrong_field, ==, -1);
  g_assert_nonnull (strstr (description->detail, "4 entries in 8 slots and 2 buckets"));
  for (guint i = 0; i < G_N_ELEMENTS (header); i++)
    g_assert_cmpuint (field (description, header[i])->offset, ==, offsets[i]);

  /* The values are the cache's own: the offsets are its layout's. */
  {
    g_autofree char *hits = number (stats.hits);
    g_autofree char *misses = number (stats.misses);
    g_autofree char *sets = number (stats.sets);
    g_autofree char *deletes = number (stats.deletes);
    g_autofree char *seq = g_strdup_printf ("%u: even", stats.seq);

    g_assert_cmpuint (stats.hits, ==, 2);
    /* In all: the shared counter and what this reader counted in its own place. */
    g_assert_true (g_str_has_prefix (field (description, "hits")->value, hits));
    g_assert_true (g_str_has_prefix (field (description, "misses")->value, misses));
    g_assert_cmpstr (field (description, "sets")->value, ==, sets);
    g_assert_cmpstr (field (description, "deletes")->value, ==, deletes);
    g_assert_cmpstr (field (description, "n_entries")->value, ==, "4");
    g_assert_cmpstr (field (description, "magic")->value, ==, "SHMCACHE");
    assert_value_has (description, "seq", seq);
    assert_value_has (description, "n_slots", "8 slots");
    assert_value_has (description, "n_buckets", "2 buckets");
    assert_value_has (description, "writer_pid", "nobody holds");
    assert_value_has (description, "slots_offset", "4160: where the slots begin");
  }

  /* Each entry: its offset, its key, and where its link leads. */
  entries = shmlab_cache_decode (memory.bytes, memory.size, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 4);
  for (guint i = 0; i < entries->len; i++)
    {
      ShmlabCacheEntry *e = g_ptr_array_index (entries, i);
      g_autofree char *next = g_strdup_printf ("slot[%u].next", e->slot);
      g_autofree char *whole = g_strdup_printf ("slot[%u]", e->slot);
      g_autofree char *key = g_strdup_printf ("slot[%u].key", e->slot);
      g_autofree char *at = g_strdup_printf ("the entry at %" PRIu64 ": “%s”", e->offset, e->key);

      g_assert_cmpuint (field (description, next)->offset, ==, e->offset);
      g_assert_cmpuint (field (description, next)->size, ==, 4);
      assert_value_has (description, whole, at);
      g_assert_cmpstr (field (description, key)->value, ==, e->key);
      g_assert_cmpuint (field (description, key)->offset, ==, e->offset + 64);
      if (e->next_offset != 0)
        {
          g_autofree char *leads = g_strdup_printf ("at %" PRIu64 ", “", e->next_offset);

          assert_value_has (description, next, leads);
        }
      else
        assert_value_has (description, next, "0: the end of the chain");
    }
  /* Both buckets lead to the first entry of their chain. */
  assert_value_has (description, "bucket[0]", "→ slot");
  assert_value_has (description, "bucket[1]", "→ slot");
  g_assert_cmpuint (field (description, "bucket[1]")->offset, ==, 4096 + 4);

  g_clear_pointer (&entry, shmlab_cache_entry_free);
  memory_clear (&memory);
}

/* Read: a text that lists every entry, by key. */
static void
test_decode (void)
{
  Memory memory = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabPayload) payload = NULL;
  g_autoptr(ShmlabEncoded) encoded = NULL;

  memory_init (&memory, 8, 4);
  g_assert_true (shmlab_cache_hot_data_load (memory.cache, &error));
  payload = shmlab_payload_decode (memory.bytes, memory.size, &error);
  g_assert_no_error (error);
  g_assert_cmpint (payload->format, ==, SHMLAB_FORMAT_CACHE);
  g_assert_cmpint (payload->kind, ==, SHMLAB_PAYLOAD_KIND_TEXT);
  g_assert_cmpuint (payload->invalid_bytes, ==, 0);
  g_assert_true (g_str_has_prefix (payload->text, "Shared cache: 5 entries of 8, in 4 buckets\n"));
  g_assert_nonnull (strstr (payload->text, "user:1001 = {\"name\": \"Alice\", \"age\": 30, "
                                           "\"city\": \"Beijing\"}  (never expires, 0 accesses)"));
  g_assert_nonnull (strstr (payload->text, "session:abc123 = "));
  g_assert_nonnull (strstr (payload->text, "(expires in 300 s, 0 accesses)"));
  /* product:… before session:… before user:… */
  g_assert_true (strstr (payload->text, "product:2001") < strstr (payload->text, "session:"));
  g_assert_true (strstr (payload->text, "session:") < strstr (payload->text, "user:1001"));

  /* A long value is listed cut, its start kept whole. */
  {
    g_autofree char *long_value = g_strnfill (300, 'v');
    g_autofree char *start = g_strnfill (199, 'v');
    g_autofree char *cut = g_strconcat ("long = ", start, "…  (", NULL);
    g_autoptr(ShmlabPayload) again = NULL;
    g_autoptr(ShmlabDescription) description = NULL;

    g_assert_true (shmlab_cache_set (memory.cache, "long", (const guint8 *) long_value, 300, 0,
                                     &error));
    again = shmlab_payload_decode (memory.bytes, memory.size, &error);
    g_assert_no_error (error);
    g_assert_nonnull (strstr (again->text, cut));
    description = shmlab_description_new (memory.bytes, memory.size, memory.size);
    g_assert_true (g_str_has_suffix (field (description, "slot[5].value")->value, "v…"));
  }

  /* A cache is not written by Write. */
  encoded = shmlab_payload_encode (payload, SHMLAB_FORMAT_CACHE, &error);
  g_assert_null (encoded);
  g_assert_error (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_UNSUPPORTED);
  memory_clear (&memory);
}

/* The first 64 KiB of a larger cache: its header, unchecked, never refused. */
static void
test_start_only (void)
{
  Memory memory = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabDescription) description = NULL;

  memory_init (&memory, 100, 64);
  g_assert_true (shmlab_cache_hot_data_load (memory.cache, &error));
  description = shmlab_description_new (memory.bytes, 64 * 1024, memory.size);
  g_assert_cmpint (description->format, ==, SHMLAB_FORMAT_CACHE);
  g_assert_cmpint (description->verdict, ==, SHMLAB_VERDICT_VALID);
  g_assert_false (description->checked);
  g_assert_nonnull (strstr (description->detail, "100 slots in 64 buckets"));
  g_assert_nonnull (shmlab_description_get_field (description, "readers"));
  g_assert_null (shmlab_description_get_field (description, "slot[0].next"));

  /* Only the start of its header: the fields the bytes hold. */
  g_clear_pointer (&description, shmlab_description_free);
  description = shmlab_description_new (memory.bytes, 100, memory.size);
  g_assert_cmpint (description->verdict, ==, SHMLAB_VERDICT_VALID);
  g_assert_cmpuint (field (description, "seq")->size, ==, 4);
  g_assert_null (shmlab_description_get_field (description, "hits"));
  memory_clear (&memory);
}

static void
put_u32 (guint8  *bytes,
         gsize    offset,
         guint32  value)
{
  memcpy (bytes + offset, &value, sizeof value);
}

static guint32
get_u32 (const guint8 *bytes,
         gsize         offset)
{
  guint32 value;

  memcpy (&value, bytes + offset, sizeof value);
  return value;
}

typedef struct
{
  const char *name;
  const char *verdict;   /* shmlab_description_to_string() */
  void (*damage) (guint8 *bytes, gsize size, guint64 slots_at);
} Damage;

/* One bucket, two entries in its chain: slot 0, then slot 1. */
static void damage_loop (guint8 *b, gsize s, guint64 at) { put_u32 (b, at + SHMLAB_CACHE_SLOT_SIZE, 1); }
static void damage_out (guint8 *b, gsize s, guint64 at) { put_u32 (b, at, 0x7fffffff); }
static void damage_head (guint8 *b, gsize s, guint64 at) { put_u32 (b, 4096, 99); }
static void damage_key_len (guint8 *b, gsize s, guint64 at) { put_u32 (b, at + SHMLAB_CACHE_SLOT_SIZE + 8, 300); }
static void damage_key_nul (guint8 *b, gsize s, guint64 at) { b[at + 64] = 0; }
static void damage_slots (guint8 *b, gsize s, guint64 at) { put_u32 (b, 28, 0); }
static void damage_version (guint8 *b, gsize s, guint64 at) { put_u32 (b, 8, 7); }
static void damage_total (guint8 *b, gsize s, guint64 at) { put_u32 (b, 16, 12); }

static const Damage damages[] = {
  { "loop", "cache damaged wrong-value slot[1].next", damage_loop },
  { "link-out-of-pool", "cache damaged wrong-value slot[0].next", damage_out },
  { "bucket-out-of-pool", "cache damaged wrong-value bucket[0]", damage_head },
  { "key-too-long", "cache damaged wrong-value slot[1]", damage_key_len },
  { "key-with-nul", "cache damaged wrong-value slot[0].key", damage_key_nul },
  { "no-slots", "cache damaged wrong-value n_slots", damage_slots },
  { "version", "cache damaged wrong-value version", damage_version },
  { "total-size", "cache damaged wrong-value total_size", damage_total },
};

/* Hostile bytes: refused by Read and described as damaged, with the field
 * named the same way, the chain up to it listed. */
static void
test_damaged (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (damages); i++)
    {
      Memory memory = { 0 };
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) read_error = NULL;
      g_autoptr(ShmlabDescription) description = NULL;
      g_autoptr(ShmlabPayload) payload = NULL;
      g_autofree char *verdict = NULL;
      guint64 slots_at;

      g_test_message ("damage: %s", damages[i].name);
      memory_init (&memory, 4, 1);
      slots_at = 4096 + 64;
      /* Slot 0 first, then slot 1 put at the chain's head: 1 → 0. */
      g_assert_true (shmlab_cache_set (memory.cache, "first", (const guint8 *) "1", 1, 0, &error));
      g_assert_true (shmlab_cache_set (memory.cache, "second", (const guint8 *) "2", 1, 0, &error));
      g_assert_no_error (error);
      /* The chain is bucket → slot 0 → slot 1 or bucket → slot 1 → slot 0: make it the first. */
      if (get_u32 (memory.bytes, 4096) != 1)
        {
          put_u32 (memory.bytes, 4096, 1);
          put_u32 (memory.bytes, slots_at, 2);
          put_u32 (memory.bytes, slots_at + SHMLAB_CACHE_SLOT_SIZE, 0);
        }
      damages[i].damage (memory.bytes, memory.size, slots_at);

      payload = shmlab_payload_decode (memory.bytes, memory.size, &read_error);
      g_assert_null (payload);
      g_assert_error (read_error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_MALFORMED);
      g_assert_cmpint (shmlab_payload_error_get_details (read_error)->format, ==,
                       SHMLAB_FORMAT_CACHE);

      description = shmlab_description_new (memory.bytes, memory.size, memory.size);
      verdict = shmlab_description_to_string (description);
      g_assert_cmpstr (verdict, ==, damages[i].verdict);
      g_assert_cmpstr (description->message, ==, read_error->message);
      g_assert_true (shmlab_description_get_wrong_field (description)->wrong);
      g_assert_cmpstr (description->title, ==, "Shared cache, damaged");
      memory_clear (&memory);
    }
}

/* A looping chain: the bucket, both entries and the link back are listed,
 * so the loop can be followed in the inspector. */
static void
test_loop_listed (void)
{
  Memory memory = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabDescription) description = NULL;
  guint64 slots_at = 4096 + 64;

  memory_init (&memory, 4, 1);
  g_assert_true (shmlab_cache_set (memory.cache, "first", (const guint8 *) "1", 1, 0, &error));
  g_assert_true (shmlab_cache_set (memory.cache, "second", (const guint8 *) "2", 1, 0, &error));
  put_u32 (memory.bytes, 4096, 1);
  put_u32 (memory.bytes, slots_at, 2);
  put_u32 (memory.bytes, slots_at + SHMLAB_CACHE_SLOT_SIZE, 1);
  description = shmlab_description_new (memory.bytes, memory.size, memory.size);
  assert_value_has (description, "bucket[0]", "slot 0 at 4160");
  assert_value_has (description, "slot[0].next", "2: slot 1 at 8576");
  assert_value_has (description, "slot[1].next", "1: slot 0 at 4160");
  g_assert_true (field (description, "slot[1].next")->wrong);
  g_assert_false (field (description, "slot[0].next")->wrong);
  g_assert_nonnull (strstr (description->message, "comes back to slot 0"));
  g_assert_nonnull (strstr (description->message, "(field next)"));
  memory_clear (&memory);
}

/* Bytes that begin like a cache but stop before its header ends. */
static void
test_short (void)
{
  guint8 bytes[100] = { 0 };
  g_autoptr(ShmlabDescription) description = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabPayload) payload = NULL;
  g_autofree char *verdict = NULL;

  memcpy (bytes, SHMLAB_CACHE_MAGIC, 8);
  payload = shmlab_payload_decode (bytes, sizeof bytes, &error);
  g_assert_null (payload);
  g_assert_nonnull (strstr (error->message, "stop after 100"));
  description = shmlab_description_new (bytes, sizeof bytes, sizeof bytes);
  verdict = shmlab_description_to_string (description);
  g_assert_cmpstr (verdict, ==, "cache damaged too-small header_size");
}

int
main (int    argc,
      char **argv)
{
  shmlab_test_init (&argc, &argv);

  g_test_add_func ("/cache-format/describe", test_describe);
  g_test_add_func ("/cache-format/decode", test_decode);
  g_test_add_func ("/cache-format/start-only", test_start_only);
  g_test_add_func ("/cache-format/damaged", test_damaged);
  g_test_add_func ("/cache-format/loop-listed", test_loop_listed);
  g_test_add_func ("/cache-format/short", test_short);

  return g_test_run ();
}
