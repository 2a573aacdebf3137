/* test-cache.c — the shared cache: its operations on every backend, many
 * writers and readers at once, writers killed at random moments, hostile
 * segments, and `shmlab cache`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-test-util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shmlab-cache-segment.h"
#include "shmlab-pointer-probe.h"

/* The concurrent run: writers, readers, and how long they run. */
#define WRITERS 4
#define READERS 8
#define RUN_MS 2500
#define KEYS_PER_WRITER 16

/* Kills of a writer at random moments. */
#define KILLS 200

static ShmlabCacheSegment *
open_cache (const char     *name,
            ShmlabBackend   backend,
            gboolean        create,
            guint32         slots)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabKey) key = shmlab_key_new (name, backend, &error);
  ShmlabCacheSegment *store;

  g_assert_no_error (error);
  store = shmlab_cache_segment_open (key, create, slots, 64, 5000, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

static void
set_text (ShmlabCache *cache,
          const char  *name,
          const char  *value,
          gint64       expiry_ms)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (shmlab_cache_set (cache, name, (const guint8 *) value, strlen (value), expiry_ms,
                                   &error));
  g_assert_no_error (error);
}

static void
assert_value (ShmlabCache *cache,
              const char  *name,
              const char  *value)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabCacheEntry) entry = shmlab_cache_get (cache, name, &error);
  gsize length;
  const char *data;

  g_assert_no_error (error);
  g_assert_nonnull (entry);
  data = g_bytes_get_data (entry->value, &length);
  g_assert_cmpmem (data, length, value, strlen (value));
}

static void
assert_checks (ShmlabCache *cache)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (shmlab_cache_check (cache, &error));
  g_assert_no_error (error);
}

/* Set, get, replace, delete, exists, expiry, limits and a full table: each
 * through a second process's view, on the backend @data. */
static void
test_operations (gconstpointer data)
{
  ShmlabBackend backend = GPOINTER_TO_INT (data);
  g_autofree char *name = shmlab_test_unique_key ("cache");
  g_autoptr(ShmlabCacheSegment) first = open_cache (name, backend, TRUE, 4);
  g_autoptr(ShmlabCacheSegment) second = open_cache (name, backend, FALSE, 0);
  ShmlabCache *a = shmlab_cache_segment_get_cache (first);
  ShmlabCache *b = shmlab_cache_segment_get_cache (second);
  g_autofree char *long_key = g_strnfill (SHMLAB_CACHE_KEY_MAX + 1, 'k');
  g_autofree guint8 *big = g_malloc0 (SHMLAB_CACHE_VALUE_MAX + 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  ShmlabCacheStats stats;
  guint cleared = 0;

  g_assert_true (shmlab_cache_segment_get_created (first));
  g_assert_false (shmlab_cache_segment_get_created (second));

  set_text (a, "user:1001", "{\"name\": \"Alice\"}", 0);
  assert_value (b, "user:1001", "{\"name\": \"Alice\"}");
  /* Replaced whole, seen at once by the other. */
  set_text (b, "user:1001", "{\"name\": \"Alice\", \"age\": 30}", 0);
  assert_value (a, "user:1001", "{\"name\": \"Alice\", \"age\": 30}");
  g_assert_true (shmlab_cache_exists (b, "user:1001", &error));
  g_assert_false (shmlab_cache_exists (b, "user:9999", &error));
  g_assert_no_error (error);

  /* Expired: not found, and cleared. */
  set_text (a, "session:old", "gone", shmlab_cache_now_ms () - 1);
  set_text (a, "session:new", "here", shmlab_cache_now_ms () + 60000);
  g_assert_null (shmlab_cache_get (b, "session:old", &error));
  g_assert_error (error, SHMLAB_CACHE_ERROR, SHMLAB_CACHE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "expired"));
  g_clear_error (&error);
  g_assert_true (shmlab_cache_clear_expired (b, &cleared, &error));
  g_assert_cmpuint (cleared, ==, 1);

  /* Limits: refused before anything is touched. */
  g_assert_false (shmlab_cache_set (a, long_key, (const guint8 *) "x", 1, 0, &error));
  g_assert_error (error, SHMLAB_CACHE_ERROR, SHMLAB_CACHE_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "256 bytes"));
  g_clear_error (&error);
  g_assert_false (shmlab_cache_set (a, "big", big, SHMLAB_CACHE_VALUE_MAX + 1, 0, &error));
  g_assert_error (error, SHMLAB_CACHE_ERROR, SHMLAB_CACHE_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "4097 bytes"));
  g_clear_error (&error);
  g_assert_false (shmlab_cache_set (a, "", (const guint8 *) "x", 1, 0, &error));
  g_assert_error (error, SHMLAB_CACHE_ERROR, SHMLAB_CACHE_ERROR_BAD_KEY);
  g_clear_error (&error);
  /* Exactly the limits fit. */
  g_assert_true (shmlab_cache_set (a, "big", big, SHMLAB_CACHE_VALUE_MAX, 0, &error));
  g_assert_no_error (error);

  /* Full: 4 slots, 3 taken (user, session:new, big); a 5th key is refused whole. */
  set_text (a, "product:2001", "{\"name\": \"Laptop\"}", 0);
  g_assert_false (shmlab_cache_set (a, "product:2002", (const guint8 *) "x", 1, 0, &error));
  g_assert_error (error, SHMLAB_CACHE_ERROR, SHMLAB_CACHE_ERROR_FULL);
  g_assert_nonnull (strstr (error->message, "full"));
  g_clear_error (&error);
  g_assert_false (shmlab_cache_exists (b, "product:2002", &error));
  assert_checks (b);
  /* A full table still takes a replacement? No: it needs a free slot first. */
  g_assert_false (shmlab_cache_set (a, "product:2001", (const guint8 *) "y", 1, 0, &error));
  g_assert_error (error, SHMLAB_CACHE_ERROR, SHMLAB_CACHE_ERROR_FULL);
  g_clear_error (&error);
  assert_value (b, "product:2001", "{\"name\": \"Laptop\"}");

  g_assert_true (shmlab_cache_delete (b, "big", &error));
  g_assert_false (shmlab_cache_delete (b, "big", &error));
  g_assert_error (error, SHMLAB_CACHE_ERROR, SHMLAB_CACHE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  entries = shmlab_cache_list (b, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 3);
  shmlab_cache_get_stats (a, &stats);
  g_assert_cmpuint (stats.entries, ==, 3);
  g_assert_cmpuint (stats.n_slots, ==, 4);
  g_assert_cmpuint (stats.expired, ==, 1);
  g_assert_cmpuint (stats.deletes, ==, 1);
  g_assert_cmpuint (stats.hits, >=, 3);
  g_assert_cmpuint (stats.misses, >=, 3);
  g_assert_cmpuint (stats.readers_inside, ==, 0);
  g_assert_cmpuint (stats.writer_pid, ==, 0);
  g_assert_cmpuint (stats.seq % 2, ==, 0);
  assert_checks (a);

  g_clear_pointer (&second, shmlab_cache_segment_close);
  g_clear_pointer (&first, shmlab_cache_segment_close);
  shmlab_segment_remove_key (name, backend, TRUE, NULL);
}

/* ---- many processes at once ---- */

/* "writer W key K version V", padded to a length that depends on V, then
 * its own checksum: a torn value cannot pass. */
static char *
make_value (guint    writer,
            guint    key,
            guint64  version)
{
  g_autofree char *body = g_strdup_printf ("writer %u key %u version %" G_GUINT64_FORMAT " %s",
                                           writer, key, version,
                                           version % 3 == 0 ? "" : version % 3 == 1 ? "……" : "————————");
  g_autofree char *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA1, body, -1);

  return g_strdup_printf ("%s|%s", body, sum);
}

static gboolean
value_whole (const char *value,
             gsize       length)
{
  g_autofree char *copy = g_strndup (value, length);
  char *bar = strrchr (copy, '|');
  g_autofree char *sum = NULL;

  if (bar == NULL)
    return FALSE;
  *bar = '\0';
  sum = g_compute_checksum_for_string (G_CHECKSUM_SHA1, copy, -1);
  return g_str_equal (sum, bar + 1);
}

static int
writer_child (const char *name,
              guint       writer,
              int         report_fd)
{
  g_autoptr(ShmlabKey) key = shmlab_key_new (name, SHMLAB_BACKEND_POSIX, NULL);
  g_autoptr(ShmlabCacheSegment) store = shmlab_cache_segment_open (key, FALSE, 0, 0, 5000, NULL,
                                                                    NULL);
  guint64 last[KEYS_PER_WRITER] = { 0 };
  gint64 end = g_get_monotonic_time () + RUN_MS * 1000;
  guint64 version = 0;

  if (store == NULL)
    return 3;
  while (g_get_monotonic_time () < end)
    {
      guint k = (guint) (version % KEYS_PER_WRITER);
      g_autofree char *cache_key = g_strdup_printf ("w%u:k%u", writer, k);
      g_autofree char *value = make_value (writer, k, ++version);

      if (!shmlab_cache_set (shmlab_cache_segment_get_cache (store), cache_key,
                             (const guint8 *) value, strlen (value), 0, NULL))
        return 4;
      last[k] = version;
    }
  /* What this writer wrote last, per key: the cache must hold exactly that. */
  return write (report_fd, last, sizeof last) == sizeof last ? 0 : 5;
}

static int
reader_child (const char *name,
              guint       reader,
              int         report_fd)
{
  g_autoptr(ShmlabKey) key = shmlab_key_new (name, SHMLAB_BACKEND_POSIX, NULL);
  g_autoptr(ShmlabCacheSegment) store = shmlab_cache_segment_open (key, FALSE, 0, 0, 5000, NULL,
                                                                    NULL);
  guint64 counts[3] = { 0 };  /* lookups, hits, versions seen going back */
  guint64 seen[WRITERS][KEYS_PER_WRITER] = { { 0 } };
  gint64 end = g_get_monotonic_time () + RUN_MS * 1000;
  g_autoptr(GRand) rand = g_rand_new_with_seed (reader);

  if (store == NULL)
    return 3;
  while (g_get_monotonic_time () < end)
    {
      guint w = g_rand_int_range (rand, 0, WRITERS), k = g_rand_int_range (rand, 0, KEYS_PER_WRITER);
      g_autofree char *cache_key = g_strdup_printf ("w%u:k%u", w, k);
      g_autoptr(GError) error = NULL;
      g_autoptr(ShmlabCacheEntry) entry = shmlab_cache_get (shmlab_cache_segment_get_cache (store),
                                                            cache_key, &error);

      counts[0]++;
      if (entry == NULL)
        {
          if (!g_error_matches (error, SHMLAB_CACHE_ERROR, SHMLAB_CACHE_ERROR_NOT_FOUND))
            return 4;
          continue;
        }
      counts[1]++;
      {
        gsize length;
        const char *value = g_bytes_get_data (entry->value, &length);
        guint vw, vk;
        guint64 version;

        /* Whole, and the one of this key; a key's versions never go back. */
        if (!value_whole (value, length) ||
            sscanf (value, "writer %u key %u version %" G_GUINT64_FORMAT, &vw, &vk, &version) != 3 ||
            vw != w || vk != k)
          return 6;
        if (version < seen[w][k])
          counts[2]++;
        seen[w][k] = version;
      }
    }
  return write (report_fd, counts, sizeof counts) == sizeof counts ? 0 : 5;
}

static pid_t
fork_child (int (*body) (const char *, guint, int),
            const char *name,
            guint       index,
            int        *report)
{
  int fds[2];
  pid_t pid;

  g_assert_cmpint (pipe (fds), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      close (fds[0]);
      _exit (body (name, index, fds[1]));
    }
  close (fds[1]);
  *report = fds[0];
  return pid;
}

static void
wait_ok (pid_t pid)
{
  int status;

  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
}

/* 4 writers and 8 readers for a bounded time: no update lost, no value
 * torn, no version going back, the counters adding up. */
static void
test_concurrent (void)
{
  g_autofree char *name = shmlab_test_unique_key ("cacheload");
  g_autoptr(ShmlabCacheSegment) owner = open_cache (name, SHMLAB_BACKEND_POSIX, TRUE, 256);
  ShmlabCache *cache = shmlab_cache_segment_get_cache (owner);
  pid_t writers[WRITERS], readers[READERS];
  int writer_fds[WRITERS], reader_fds[READERS];
  guint64 lookups = 0, hits = 0, backwards = 0;
  ShmlabCacheStats before, after;

  shmlab_cache_get_stats (cache, &before);
  for (guint i = 0; i < WRITERS; i++)
    writers[i] = fork_child (writer_child, name, i, &writer_fds[i]);
  for (guint i = 0; i < READERS; i++)
    readers[i] = fork_child (reader_child, name, i, &reader_fds[i]);

  for (guint i = 0; i < WRITERS; i++)
    {
      guint64 last[KEYS_PER_WRITER];

      /* Its exit status first: a writer that failed says how (3 to 5). */
      wait_ok (writers[i]);
      g_assert_cmpint (read (writer_fds[i], last, sizeof last), ==, sizeof last);
      close (writer_fds[i]);
      /* The last version each writer wrote is the one the cache holds. */
      for (guint k = 0; k < KEYS_PER_WRITER; k++)
        {
          g_autofree char *cache_key = g_strdup_printf ("w%u:k%u", i, k);
          g_autofree char *value = make_value (i, k, last[k]);

          g_assert_cmpuint (last[k], >, 0);
          assert_value (cache, cache_key, value);
        }
    }
  for (guint i = 0; i < READERS; i++)
    {
      guint64 counts[3];

      /* Its exit status first: 6 is a torn or wrong value seen. */
      wait_ok (readers[i]);
      g_assert_cmpint (read (reader_fds[i], counts, sizeof counts), ==, sizeof counts);
      close (reader_fds[i]);
      lookups += counts[0];
      hits += counts[1];
      backwards += counts[2];
    }
  shmlab_cache_get_stats (cache, &after);
  g_test_message ("figure: cache-writers=%d cache-readers=%d cache-sets=%" G_GUINT64_FORMAT
                  " cache-lookups-verified=%" G_GUINT64_FORMAT " cache-hits=%" G_GUINT64_FORMAT,
                  WRITERS, READERS, after.sets - before.sets, lookups, hits);
  g_assert_cmpuint (backwards, ==, 0);
  g_assert_cmpuint (lookups, >, 0);
  g_assert_cmpuint (hits, >, 0);
  /* Every lookup counted once, by atomics: the readers' and the checks above. */
  g_assert_cmpuint (after.hits + after.misses - before.hits - before.misses, ==,
                    lookups + WRITERS * KEYS_PER_WRITER);
  g_assert_cmpuint (after.hits - before.hits, ==, hits + WRITERS * KEYS_PER_WRITER);
  g_assert_cmpuint (after.entries, ==, WRITERS * KEYS_PER_WRITER);
  g_assert_cmpuint (after.readers_inside, ==, 0);
  assert_checks (cache);
  g_clear_pointer (&owner, shmlab_cache_segment_close);
  shmlab_segment_remove_key (name, SHMLAB_BACKEND_POSIX, TRUE, NULL);
}

/* ---- writers killed at any instruction ---- */

static G_GNUC_NORETURN void
busy_writer (const char *name,
             int         ready_fd)
{
  g_autoptr(ShmlabKey) key = shmlab_key_new (name, SHMLAB_BACKEND_POSIX, NULL);
  ShmlabCacheSegment *store = shmlab_cache_segment_open (key, FALSE, 0, 0, 5000, NULL, NULL);
  guint64 round = 0;
  char byte = 'r';

  if (store == NULL || write (ready_fd, &byte, 1) != 1)
    _exit (3);
  for (;;)
    {
      g_autofree char *cache_key = g_strdup_printf ("k%u", (guint) (round % 40));
      g_autofree char *value = make_value (0, (guint) (round % 40), round);

      if (round % 7 == 6)
        shmlab_cache_delete (shmlab_cache_segment_get_cache (store), cache_key, NULL);
      else
        shmlab_cache_set (shmlab_cache_segment_get_cache (store), cache_key,
                          (const guint8 *) value, strlen (value), 0, NULL);
      round++;
    }
}

/* A writer killed with SIGKILL at random moments, 200 times: the next one
 * always gets the lock within a second, and the table always holds
 * together with every value whole. */
static void
test_killed_writers (void)
{
  g_autofree char *name = shmlab_test_unique_key ("cachekill");
  g_autoptr(ShmlabCacheSegment) owner = open_cache (name, SHMLAB_BACKEND_POSIX, TRUE, 64);
  ShmlabCache *cache = shmlab_cache_segment_get_cache (owner);
  g_autoptr(GRand) rand = g_rand_new_with_seed (0xcac4e);
  const char *asked = g_getenv ("SHMLAB_TEST_KILLS");
  guint kills = asked != NULL ? (guint) MAX (g_ascii_strtoull (asked, NULL, 10), KILLS) : KILLS;
  ShmlabCacheStats stats;
  gint64 slowest = 0;

  shmlab_cache_set_lock_timeout (cache, 1000);
  for (guint i = 0; i < kills; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) entries = NULL;
      g_autofree char *mine = g_strdup_printf ("after kill %u", i);
      int fds[2];
      char byte;
      pid_t pid;
      int status;
      gint64 start;

      g_assert_cmpint (pipe (fds), ==, 0);
      pid = fork ();
      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        {
          close (fds[0]);
          busy_writer (name, fds[1]);
        }
      close (fds[1]);
      g_assert_cmpint (read (fds[0], &byte, 1), ==, 1);
      close (fds[0]);
      g_usleep (g_rand_int_range (rand, 0, 3000));
      g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      g_assert_true (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);

      /* The next writer gets in within a second (the lock times out at 1 s). */
      start = g_get_monotonic_time ();
      g_assert_true (shmlab_cache_set (cache, "survivor", (const guint8 *) mine, strlen (mine), 0,
                                       &error));
      g_assert_no_error (error);
      slowest = MAX (slowest, g_get_monotonic_time () - start);
      assert_checks (cache);
      entries = shmlab_cache_list (cache, &error);
      g_assert_no_error (error);
      for (guint e = 0; e < entries->len; e++)
        {
          ShmlabCacheEntry *entry = g_ptr_array_index (entries, e);
          gsize length;
          const char *value = g_bytes_get_data (entry->value, &length);

          if (!g_str_equal (entry->key, "survivor"))
            g_assert_true (value_whole (value, length));
        }
    }
  shmlab_cache_get_stats (cache, &stats);
  g_test_message ("figure: cache-kills=%u cache-recoveries=%" G_GUINT64_FORMAT
                  " cache-slowest-lock-after-kill-ms=%.1f",
                  kills, stats.recoveries, (double) slowest / 1000.0);
  /* Some kills did land while the lock was held: the repair was tested. */
  g_assert_cmpuint (stats.recoveries, >, 0);
  g_clear_pointer (&owner, shmlab_cache_segment_close);
  shmlab_segment_remove_key (name, SHMLAB_BACKEND_POSIX, TRUE, NULL);
}

/* ---- hostile segments ---- */

typedef struct
{
  const char *name;
  const char *field;
  void (*damage) (guint8 *bytes, gsize size);
} Damage;

static guint32 *
u32_at (guint8 *bytes,
        gsize   offset)
{
  return (guint32 *) (gpointer) (bytes + offset);
}

/* Offsets of the header's fields (shmlab-cache.c's Header). */
#define OFF_VERSION 8
#define OFF_HEADER_SIZE 12
#define OFF_TOTAL_SIZE 16
#define OFF_N_BUCKETS 24
#define OFF_N_SLOTS 28
#define OFF_SLOT_SIZE 32
#define OFF_SLOTS_OFFSET 56
#define OFF_N_ENTRIES 80
#define BUCKETS 4096

/* The geometry of the test's cache: 4 slots, 2 buckets. */
#define SLOTS_AT (BUCKETS + 64)
#define SLOT(i) (SLOTS_AT + (i) * SHMLAB_CACHE_SLOT_SIZE)

static void damage_magic (guint8 *b, gsize s) { memcpy (b, "SHMCACHX", 8); }
static void damage_version (guint8 *b, gsize s) { *u32_at (b, OFF_VERSION) = 99; }
static void damage_header_size (guint8 *b, gsize s) { *u32_at (b, OFF_HEADER_SIZE) = 8; }
static void damage_slots (guint8 *b, gsize s) { *u32_at (b, OFF_N_SLOTS) = 0xffffffff; }
static void damage_slots_fit (guint8 *b, gsize s) { *u32_at (b, OFF_N_SLOTS) = 5000; }
static void damage_buckets (guint8 *b, gsize s) { *u32_at (b, OFF_N_BUCKETS) = 0; }
static void damage_slot_size (guint8 *b, gsize s) { *u32_at (b, OFF_SLOT_SIZE) = 16; }
static void damage_offset (guint8 *b, gsize s) { *(guint64 *) (gpointer) (b + OFF_SLOTS_OFFSET) = 1ull << 62; }
static void damage_total (guint8 *b, gsize s) { *(guint64 *) (gpointer) (b + OFF_TOTAL_SIZE) = G_MAXUINT64; }
static void damage_link_out (guint8 *b, gsize s) { *u32_at (b, SLOT (0)) = 0x7fffffff; }
static void damage_cycle (guint8 *b, gsize s) { *u32_at (b, SLOT (1)) = *u32_at (b, BUCKETS) != 0 ? *u32_at (b, BUCKETS) : *u32_at (b, BUCKETS + 4); }
static void damage_key_len (guint8 *b, gsize s) { *u32_at (b, SLOT (0) + 8) = 300; }
static void damage_key_zero (guint8 *b, gsize s) { *u32_at (b, SLOT (0) + 8) = 0; }
static void damage_value_len (guint8 *b, gsize s) { *u32_at (b, SLOT (0) + 12) = 0xfffffff0; }
static void damage_count (guint8 *b, gsize s) { *u32_at (b, OFF_N_ENTRIES) = 0xffffffff; }

static const Damage damages[] = {
  { "magic", NULL, damage_magic },
  { "version", NULL, damage_version },
  { "header-size", "header_size", damage_header_size },
  { "slots-overflow", "n_slots", damage_slots },
  { "slots-past-end", "total_size", damage_slots_fit },
  { "no-buckets", "n_buckets", damage_buckets },
  { "slot-size", "slot_size", damage_slot_size },
  { "slots-offset", "slots_offset", damage_offset },
  { "total-size", "total_size", damage_total },
  { "link-out-of-pool", "next", damage_link_out },
  { "cycle", "next", damage_cycle },
  { "key-too-long", "key_len", damage_key_len },
  { "key-empty", "key_len", damage_key_zero },
  { "value-too-long", "value_len", damage_value_len },
  { "count-overflow", "n_entries", damage_count },
};

/* A cache with two entries in one chain of slots 0 and 1. */
static guint8 *
good_cache (gsize *size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabCache) cache = NULL;
  guint8 *bytes;

  g_assert_true (shmlab_cache_size_for (4, 2, size, &error));
  bytes = g_malloc0 (*size);
  g_assert_true (shmlab_cache_init (bytes, *size, 4, 2, &error));
  cache = shmlab_cache_open (bytes, *size, &error);
  g_assert_no_error (error);
  /* Both in one bucket: find two keys whose djb2 hashes share a bucket of 2. */
  set_text (cache, "a", "first", 0);
  set_text (cache, "c", "second", 0);
  return bytes;
}

static void
test_hostile (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (damages); i++)
    {
      gsize size;
      g_autofree guint8 *bytes = good_cache (&size);
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) entries = NULL;
      g_autoptr(ShmlabCache) cache = NULL;

      g_test_message ("damage: %s", damages[i].name);
      damages[i].damage (bytes, size);
      entries = shmlab_cache_decode (bytes, size, NULL, &error);
      cache = shmlab_cache_open (bytes, size, NULL);
      if (damages[i].field == NULL)
        {
          g_assert_null (entries);
          g_assert_error (error, SHMLAB_CACHE_ERROR, SHMLAB_CACHE_ERROR_NOT_A_CACHE);
          g_assert_null (cache);
          continue;
        }
      if (g_str_equal (damages[i].field, "n_entries"))
        {
          /* The chains hold together; the count does not: check() says so. */
          g_autoptr(GError) check_error = NULL;

          g_assert_nonnull (entries);
          g_assert_nonnull (cache);
          g_assert_false (shmlab_cache_check (cache, &check_error));
          g_assert_error (check_error, SHMLAB_CACHE_ERROR, SHMLAB_CACHE_ERROR_CORRUPT);
          g_assert_cmpstr (shmlab_cache_error_get_field (check_error), ==, "n_entries");
          continue;
        }
      g_assert_null (entries);
      g_assert_error (error, SHMLAB_CACHE_ERROR, SHMLAB_CACHE_ERROR_CORRUPT);
      g_assert_cmpstr (shmlab_cache_error_get_field (error), ==, damages[i].field);
      g_assert_nonnull (strstr (error->message, damages[i].field));
      /* Operations on a damaged table end, and never read out of bounds. */
      if (cache != NULL)
        {
          g_autoptr(GError) op_error = NULL;
          g_autoptr(ShmlabCacheEntry) entry = NULL;

          shmlab_cache_set_lock_timeout (cache, 100);
          entry = shmlab_cache_get (cache, "zzz", &op_error);
          g_clear_error (&op_error);
          g_clear_pointer (&entry, shmlab_cache_entry_free);
          g_assert_false (shmlab_cache_check (cache, &op_error));
        }
    }
}

/* ---- the command ---- */

static char *
run_ok (const char *first,
        ...)
{
  g_autofree char *out = NULL, *err = NULL;
  int status;
  va_list ap;

  va_start (ap, first);
  g_assert_true (shmlab_test_run_cliv (&out, &err, &status, first, ap));
  va_end (ap);
  if (status != 0)
    g_error ("shmlab %s… exited %d: %s%s", first, status, out, err);
  return g_steal_pointer (&out);
}

/* The article's scenario as commands: a producer, a consumer, the figures;
 * every bad input refused with a message that says what to do. */
static void
test_cli (void)
{
  g_autofree char *name = shmlab_test_unique_key ("cachecli");
  g_autoptr(GSubprocess) producer = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *consumer = NULL, *stats = NULL, *list = NULL, *got = NULL;
  gboolean loaded = FALSE;

  producer = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                               &error, shmlab_test_cli_path (), "cache", name, "producer",
                               "--backend", "file", "--interval", "1", NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (producer));
  while (!loaded)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line);
      loaded = g_str_has_prefix (line, "producer ");
    }

  consumer = run_ok ("cache", name, "consumer", "--backend", "file", "--requests", "40",
                     "--seed", "7", NULL);
  g_assert_nonnull (strstr (consumer, "found    user:1001"));
  g_assert_nonnull (strstr (consumer, "missing  "));
  g_assert_nonnull (strstr (consumer, "requests: 40,"));
  stats = run_ok ("cache", name, "stats", "--backend", "file", "--json", NULL);
  g_assert_nonnull (strstr (stats, "\"entries\": 5"));
  list = run_ok ("cache", name, "list", "--backend", "file", NULL);
  g_assert_nonnull (strstr (list, "session:abc123"));
  g_assert_nonnull (strstr (list, "never"));
  g_free (run_ok ("cache", name, "set", "note", "hello", "--ttl", "60", "--backend", "file", NULL));
  got = run_ok ("cache", name, "get", "note", "--backend", "file", NULL);
  g_assert_cmpstr (got, ==, "hello\n");
  g_free (run_ok ("cache", name, "check", "--backend", "file", NULL));

  g_subprocess_send_signal (producer, SIGINT);
  g_assert_true (g_subprocess_wait (producer, NULL, &error));
  g_assert_true (g_subprocess_get_if_exited (producer));
  g_assert_cmpint (g_subprocess_get_exit_status (producer), ==, 0);

  /* Bad input: what happened and what to do. */
  {
    static const struct { const char *args[8]; int status; const char *said; } bad[] = {
      { { "cache", NULL }, 2, "give a KEY and an ACTION" },
      { { "cache", "k", "fly", NULL }, 2, "unknown action “fly”" },
      { { "cache", "k", "get", NULL }, 2, "takes 1 argument" },
      { { "cache", "k", "set", "a", "b", "--ttl", "0", NULL }, 2, "--ttl “0”" },
      { { "cache", "k", "set", "a", "b", "--slots", "0", NULL }, 2, "--slots “0”" },
      { { "cache", "k", "consumer", "--requests", "x", NULL }, 2, "--requests “x”" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autofree char *out = NULL, *err = NULL;
        g_autoptr(GPtrArray) argv = g_ptr_array_new ();
        int status;

        g_ptr_array_add (argv, (gpointer) shmlab_test_cli_path ());
        for (guint a = 0; bad[i].args[a] != NULL; a++)
          g_ptr_array_add (argv, (gpointer) bad[i].args[a]);
        g_ptr_array_add (argv, NULL);
        g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL,
                                     NULL, &out, &err, &status, &error));
        g_assert_no_error (error);
        g_assert_true (WIFEXITED (status));
        g_assert_cmpint (WEXITSTATUS (status), ==, bad[i].status);
        g_assert_nonnull (strstr (err, bad[i].said));
      }
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    g_autofree char *big = g_strnfill (5000, 'v');
    int status;

    /* A miss: exit status 1, the key named. */
    g_assert_true (shmlab_test_run_cli (&out, &err, &status, "cache", name, "get", "nothing",
                                        "--backend", "file", NULL));
    g_assert_cmpint (status, ==, 1);
    g_assert_nonnull (strstr (err, "no entry has the key “nothing”"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    /* A value over the limit: refused, nothing written. */
    g_assert_true (shmlab_test_run_cli (&out, &err, &status, "cache", name, "set", "big", big,
                                        "--backend", "file", NULL));
    g_assert_cmpint (status, ==, 1);
    g_assert_nonnull (strstr (err, "5000 bytes"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    /* A key with no cache: the way to make one. */
    g_assert_true (shmlab_test_run_cli (&out, &err, &status, "cache", "shmlabtest-nocache",
                                        "stats", NULL));
    g_assert_cmpint (status, ==, 1);
    g_assert_nonnull (strstr (err, "shmlab cache shmlabtest-nocache producer"));
  }
  shmlab_segment_remove_key (name, SHMLAB_BACKEND_FILE, TRUE, NULL);
}

/* A process holds the writer lock: a reader still reads, a writer waits
 * and is told who holds it; the holder is killed, and the next writer gets
 * the lock back at once, the repair counted. */
static void
test_lock_writer_killed (void)
{
  g_autofree char *name = shmlab_test_unique_key ("cachehold");
  g_autoptr(ShmlabCacheSegment) owner = open_cache (name, SHMLAB_BACKEND_POSIX, TRUE, 16);
  g_autoptr(GSubprocess) holder = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *got = NULL;
  g_autofree char *held_by = NULL;
  g_autofree char *stats = NULL;

  set_text (shmlab_cache_segment_get_cache (owner), "user:1001", "Alice", 0);
  holder = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE |
                               G_SUBPROCESS_FLAGS_STDIN_PIPE,
                             &error, shmlab_test_cli_path (), "cache", name, "lock-writer",
                             "--backend", "posix", NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (holder));
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_nonnull (strstr (line, "holds the cache's writer lock"));

  got = run_ok ("cache", name, "get", "user:1001", "--backend", "posix", NULL);
  g_assert_cmpstr (got, ==, "Alice\n");
  {
    g_autofree char *out = NULL, *err = NULL;
    int status;

    held_by = g_strdup_printf ("held by process %s", g_subprocess_get_identifier (holder));
    g_assert_true (shmlab_test_run_cli (&out, &err, &status, "cache", name, "set", "k", "v",
                                        "--backend", "posix", "--lock-timeout", "300", NULL));
    g_assert_cmpint (status, ==, 1);
    g_assert_nonnull (strstr (err, held_by));
  }
  g_subprocess_force_exit (holder);
  g_assert_true (g_subprocess_wait (holder, NULL, &error));
  g_free (run_ok ("cache", name, "set", "k", "v", "--backend", "posix", "--lock-timeout", "1000",
                  NULL));
  stats = run_ok ("cache", name, "stats", "--json", "--backend", "posix", NULL);
  g_assert_nonnull (strstr (stats, "\"recoveries\": 1,"));
  assert_checks (shmlab_cache_segment_get_cache (owner));
  g_clear_pointer (&owner, shmlab_cache_segment_close);
  shmlab_segment_remove_key (name, SHMLAB_BACKEND_POSIX, TRUE, NULL);
}

/* ---- a pointer across processes ---- */

/* What an address means, looked up in a maps text (hostile lines skipped). */
static void
test_pointer_probe (void)
{
  static const char maps[] =
    "55d0c8a00000-55d0c8a21000 rw-p 00000000 00:00 0                          [heap]\n"
    "this line is not a mapping at all\n"
    "7f0000000000-7f0000100000 rw-s 00000000 00:01 32769                      /SYSV5100210a (deleted)\n"
    "7f1000000000-7f1000200000 r-xp 00000000 fe:00 1234                       /usr/lib/x86_64-linux-gnu/libc.so.6\n"
    "7ffc00000000-7ffc00021000 rw-p 00000000 00:00 0                          [stack]\n"
    "ffffffffffffffff-0 rw-p 00000000 00:00 0\n";
  static const struct { guint64 address; ShmlabPointerPlace place; const char *said; } cases[] = {
    { 0x55d0c8a10000, SHMLAB_POINTER_HEAP, "own heap" },
    { 0x7f0000000010, SHMLAB_POINTER_SHARED, "shared mapping" },
    { 0x7f1000000100, SHMLAB_POINTER_FILE, "libc.so.6" },
    { 0x7ffc00000008, SHMLAB_POINTER_STACK, "stack" },
    { 0x12345678, SHMLAB_POINTER_UNMAPPED, "not mapped" },
    { 0x55d0c8a21000, SHMLAB_POINTER_UNMAPPED, "SIGSEGV" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      ShmlabPointerProbe probe;
      g_autofree char *text = NULL;

      shmlab_pointer_probe_in (maps, strlen (maps), cases[i].address, &probe);
      g_assert_cmpint (probe.place, ==, cases[i].place);
      text = shmlab_pointer_probe_describe (&probe);
      g_assert_nonnull (strstr (text, cases[i].said));
      shmlab_pointer_probe_clear (&probe);
    }
}

/* One process stores a pointer into its heap; another reads the number and
 * says, from its own maps, what it would hit — and where the segment is in
 * each. Nothing is followed. */
static void
test_pointer (void)
{
  g_autofree char *name = shmlab_test_unique_key ("cacheptr");
  g_autoptr(GSubprocess) store = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *read_out = NULL;
  g_autofree char *stored_at = NULL;
  g_autofree char *pid_text = NULL;
  gboolean ready = FALSE;

  store = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE |
                              G_SUBPROCESS_FLAGS_STDIN_PIPE,
                            &error, shmlab_test_cli_path (), "cache", name, "pointer-store",
                            "--backend", "file", NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (store));
  while (!ready)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
      const char *at;

      g_assert_no_error (error);
      g_assert_nonnull (line);
      if ((at = strstr (line, "the address 0x")) != NULL)
        stored_at = g_strndup (at + 12, strcspn (at + 12, " "));
      ready = strstr (line, "pointer-read") != NULL;
    }
  g_assert_nonnull (stored_at);
  pid_text = g_strdup_printf ("process %s stored %s", g_subprocess_get_identifier (store),
                              stored_at);

  read_out = run_ok ("cache", name, "pointer-read", "--backend", "file", NULL);
  g_test_message ("%s", read_out);
  g_assert_nonnull (strstr (read_out, pid_text));
  g_assert_nonnull (strstr (read_out, "Here, in process"));
  g_assert_true (strstr (read_out, "is not mapped in this process") != NULL ||
                 strstr (read_out, "falls in") != NULL);
  g_assert_nonnull (strstr (read_out, "never by pointers."));

  /* Its process ends: the pointer goes with the heap it pointed into. */
  g_assert_true (g_output_stream_close (g_subprocess_get_stdin_pipe (store), NULL, &error));
  g_assert_true (g_subprocess_wait_check (store, NULL, &error));
  g_assert_no_error (error);
  {
    g_autofree char *out = NULL, *err = NULL;
    int status;

    g_assert_true (shmlab_test_run_cli (&out, &err, &status, "cache", name, "pointer-read",
                                        "--backend", "file", NULL));
    g_assert_cmpint (status, ==, 1);
    g_assert_nonnull (strstr (err, "pointer-store"));
  }
  shmlab_segment_remove_key (name, SHMLAB_BACKEND_FILE, TRUE, NULL);
}

int
main (int argc, char **argv)
{
  guint n_backends;
  const ShmlabBackend *backends;

  shmlab_test_init (&argc, &argv);
  backends = shmlab_backend_all (&n_backends);
  for (guint b = 0; b < n_backends; b++)
    {
      g_autofree char *path = g_strdup_printf ("/cache/%s/operations",
                                               shmlab_backend_to_string (backends[b]));

      g_test_add_data_func (path, GINT_TO_POINTER (backends[b]), test_operations);
    }
  g_test_add_func ("/cache/concurrent", test_concurrent);
  g_test_add_func ("/cache/killed-writers", test_killed_writers);
  g_test_add_func ("/cache/hostile", test_hostile);
  g_test_add_func ("/cache/cli", test_cli);
  g_test_add_func ("/cache/lock-writer-killed", test_lock_writer_killed);
  g_test_add_func ("/cache/pointer-probe", test_pointer_probe);
  g_test_add_func ("/cache/pointer", test_pointer);
  return g_test_run ();
}
