/* shmlab-cmd-cache.c — `shmlab cache KEY …`: the second source article's
 * shared cache, done right, and its producer and consumers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-cli.h"

#include <glib/gi18n-lib.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "shmlab-cache-pointer.h"
#include "shmlab-cache-hot-data.h"
#include "shmlab-cache-segment.h"
#include "shmlab-json.h"
#include "shmlab-limits.h"

#define COMMAND "cache"

static const char summary[] = N_("Use the key–value cache in KEY's segment, or run its producer or a consumer.");

static const char description[] =
  N_("ACTION is one of:\n"
  "  set NAME VALUE [--ttl SECONDS]   put an entry in (made, or replaced whole)\n"
  "  get NAME                         print its value (exit status 1 when missing)\n"
  "  del NAME                         delete it\n"
  "  exists NAME                      print yes or no (exit status 0 or 1)\n"
  "  list                             every entry: size, expiry, accesses\n"
  "  stats                            entries, hits, misses, memory, readers inside\n"
  "  clear-expired                    delete the entries whose time is up\n"
  "  check                            check that the table holds together\n"
  "  producer [--interval SECONDS]    load the hot data, then keep it fresh\n"
  "  consumer [--requests N]          look entries up at random, print the hit rate\n"
  "  lock-writer [--hold SECONDS]     hold the writer lock: readers go on, writers wait\n"
  "  pointer-store [--hold SECONDS]   store a pointer into this process's heap, as the\n"
  "                                   article's cache does, and keep it alive\n"
  "  pointer-read [NAME]              what that pointer means in another process\n"
  "\n"
  "The cache lives entirely in the segment: a table of buckets and a pool of\n"
  "entries linked by slot numbers, never by addresses. Any number of readers look\n"
  "entries up at once without a lock; one writer at a time takes a robust lock,\n"
  "which the next one gets back, with the table repaired, when its holder is\n"
  "killed. The first process to use KEY makes the cache (--slots entries).\n"
  "A System V or POSIX cache goes with the last process that uses it, as a\n"
  "segment does: keep a producer running, or use --backend file to keep it.\n"
  "\n"
  "The article's scenario, in three terminals:\n"
  "  shmlab cache hot producer\n"
  "  shmlab cache hot consumer --requests 20\n"
  "  shmlab cache hot stats");

typedef struct
{
  ShmlabCacheSegment *store;
  ShmlabCache *cache;
  const char *key;
  gboolean json;
} Run;

static gboolean
want_arguments (const char  *action,
                char       **arguments,
                guint        wanted,
                int         *status)
{
  guint have = arguments != NULL ? g_strv_length (arguments) : 0;

  /* arguments[0] is KEY, arguments[1] the action. */
  if (have == 2 + wanted)
    return TRUE;
  *status = shmlab_cli_usage_error (COMMAND,
                                    g_dngettext (GETTEXT_PACKAGE,
                                                 "“%s” takes %u argument after it",
                                                 "“%s” takes %u arguments after it", wanted),
                                    action, wanted);
  return FALSE;
}

static char *
describe_expiry (gint64 expiry_ms,
                 gint64 now_ms)
{
  if (expiry_ms == 0)
    return g_strdup (_("never"));
  if (expiry_ms <= now_ms)
    return g_strdup (_("expired"));
  return g_strdup_printf (_("in %.0f s"), (double) (expiry_ms - now_ms) / 1000.0);
}

static int
do_set (Run         *run,
        char       **arguments,
        guint64      ttl_seconds,
        int          status)
{
  g_autoptr(GError) error = NULL;
  const char *name = arguments[2];
  const char *value = arguments[3];
  gint64 expiry = ttl_seconds > 0 ? shmlab_cache_now_ms () + (gint64) ttl_seconds * 1000 : 0;

  if (!shmlab_cache_set (run->cache, name, (const guint8 *) value, strlen (value), expiry, &error))
    return shmlab_cli_fail (error);
  g_printerr (g_dngettext (GETTEXT_PACKAGE, "set “%s” (%" PRIu64 " byte)\n",
                           "set “%s” (%" PRIu64 " bytes)\n", strlen (value)),
              name, (guint64) strlen (value));
  return status;
}

static int
do_get (Run        *run,
        const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabCacheEntry) entry = shmlab_cache_get (run->cache, name, &error);
  gsize length;
  const char *data;

  if (entry == NULL)
    return shmlab_cli_fail (error);
  data = g_bytes_get_data (entry->value, &length);
  if (run->json)
    {
      g_autoptr(GString) json = g_string_new ("{\"key\": ");
      g_autofree char *text = g_utf8_make_valid (data, length);

      shmlab_json_append_string (json, entry->key);
      g_string_append (json, ", \"value\": ");
      shmlab_json_append_string (json, text);
      g_string_append_printf (json, ", \"bytes\": %" PRIu64 ", \"expiry_ms\": %" PRId64
                              ", \"access_count\": %" PRIu64 "}\n",
                              (guint64) length, entry->expiry_ms, entry->access_count);
      fputs (json->str, stdout);
    }
  else
    {
      fwrite (data, 1, length, stdout);
      if (length == 0 || data[length - 1] != '\n')
        fputc ('\n', stdout);
    }
  return SHMLAB_CLI_EXIT_OK;
}

/* @text, then spaces up to @width columns of the screen (a wide character is two). */
static void
append_padded (GString    *line,
               const char *text,
               gsize       width)
{
  gsize length = shmlab_cli_display_width (text);

  g_string_append (line, text);
  for (; length < width; length++)
    g_string_append_c (line, ' ');
}

static int
do_list (Run *run)
{
  enum { KEY, BYTES, EXPIRES, ACCESSES, VALUE, N_COLUMNS };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = shmlab_cache_list (run->cache, &error);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  gint64 now = shmlab_cache_now_ms ();
  g_autoptr(GString) out = g_string_new (NULL);
  gsize widths[N_COLUMNS];

  if (entries == NULL)
    return shmlab_cli_fail (error);
  if (run->json)
    {
      g_string_append (out, "[");
      for (guint i = 0; i < entries->len; i++)
        {
          ShmlabCacheEntry *entry = g_ptr_array_index (entries, i);

          g_string_append (out, i == 0 ? "\n  {\"key\": " : ",\n  {\"key\": ");
          shmlab_json_append_string (out, entry->key);
          g_string_append_printf (out, ", \"bytes\": %" PRIu64 ", \"expiry_ms\": %" PRId64
                                  ", \"access_count\": %" PRIu64 ", \"slot\": %u, "
                                  "\"offset\": %" PRIu64 ", \"bucket\": %u}",
                                  (guint64) g_bytes_get_size (entry->value), entry->expiry_ms,
                                  entry->access_count, entry->slot, entry->offset, entry->bucket);
        }
      g_string_append (out, entries->len > 0 ? "\n]\n" : "]\n");
      fputs (out->str, stdout);
      return SHMLAB_CLI_EXIT_OK;
    }

  {
    char **titles = g_new0 (char *, N_COLUMNS + 1);

    titles[KEY] = g_strdup (_("KEY"));
    titles[BYTES] = g_strdup (_("BYTES"));
    titles[EXPIRES] = g_strdup (_("EXPIRES"));
    titles[ACCESSES] = g_strdup (_("ACCESSES"));
    titles[VALUE] = g_strdup (_("VALUE"));
    g_ptr_array_add (rows, titles);
  }
  for (guint i = 0; i < entries->len; i++)
    {
      ShmlabCacheEntry *entry = g_ptr_array_index (entries, i);
      char **row = g_new0 (char *, N_COLUMNS + 1);

      row[KEY] = g_strdup (entry->key);
      row[BYTES] = g_strdup_printf ("%" PRIu64, (guint64) g_bytes_get_size (entry->value));
      row[EXPIRES] = describe_expiry (entry->expiry_ms, now);
      row[ACCESSES] = g_strdup_printf ("%" PRIu64, entry->access_count);
      row[VALUE] = shmlab_cache_describe_value (entry->value, 60);
      g_ptr_array_add (rows, row);
    }
  for (guint c = 0; c < N_COLUMNS; c++)
    {
      widths[c] = 0;
      for (guint r = 0; r < rows->len; r++)
        widths[c] = MAX (widths[c], shmlab_cli_display_width (((char **) rows->pdata[r])[c]));
    }
  for (guint r = 0; r < rows->len; r++)
    {
      char **row = g_ptr_array_index (rows, r);

      for (guint c = 0; c < N_COLUMNS; c++)
        append_padded (out, row[c], c + 1 < N_COLUMNS ? widths[c] + 2 : 0);
      g_string_append_c (out, '\n');
    }
  fputs (out->str, stdout);
  return SHMLAB_CLI_EXIT_OK;
}

static double
hit_rate (guint64 hits,
          guint64 misses)
{
  return hits + misses > 0 ? 100.0 * (double) hits / (double) (hits + misses) : 0.0;
}

static int
do_stats (Run *run)
{
  ShmlabCacheStats stats;

  shmlab_cache_get_stats (run->cache, &stats);
  if (run->json)
    {
      g_print ("{\"entries\": %u, \"slots\": %u, \"buckets\": %u, \"bytes_used\": %" PRIu64
               ", \"bytes_limit\": %" PRIu64 ", \"hits\": %" PRIu64 ", \"misses\": %" PRIu64
               ", \"hit_rate\": %.1f, \"sets\": %" PRIu64 ", \"deletes\": %" PRIu64
               ", \"expired\": %" PRIu64 ", \"recoveries\": %" PRIu64
               ", \"readers_inside\": %u, \"writer_pid\": %u}\n",
               stats.entries, stats.n_slots, stats.n_buckets, stats.bytes_used, stats.bytes_limit,
               stats.hits, stats.misses, hit_rate (stats.hits, stats.misses), stats.sets,
               stats.deletes, stats.expired, stats.recoveries, stats.readers_inside,
               stats.writer_pid);
      return SHMLAB_CLI_EXIT_OK;
    }
  {
    g_autofree char *used = shmlab_format_bytes (stats.bytes_used);
    g_autofree char *limit = shmlab_format_bytes (stats.bytes_limit);

    g_print (_("entries           %u of %u (%u buckets)\n"), stats.entries, stats.n_slots,
             stats.n_buckets);
    g_print (_("memory used       %s of %s\n"), used, limit);
    g_print (_("hits              %" PRIu64 "\n"), stats.hits);
    g_print (_("misses            %" PRIu64 "\n"), stats.misses);
    g_print (_("hit rate          %.1f %%\n"), hit_rate (stats.hits, stats.misses));
    g_print (_("sets, deletes     %" PRIu64 ", %" PRIu64 "\n"), stats.sets, stats.deletes);
    g_print (_("expired, cleared  %" PRIu64 "\n"), stats.expired);
    g_print (_("readers inside    %u\n"), stats.readers_inside);
    if (stats.writer_pid != 0)
      g_print (_("writer lock       held by process %u\n"), stats.writer_pid);
    else
      g_print (_("writer lock       free\n"));
    g_print (_("recoveries        %" PRIu64 " (a writer killed holding the lock, its table "
               "repaired by the next)\n"),
             stats.recoveries);
  }
  return SHMLAB_CLI_EXIT_OK;
}

/* Waits @seconds, or less when interrupted: FALSE when interrupted. */
static gboolean
pause_for (double seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < end)
    {
      if (g_cancellable_is_cancelled (shmlab_cli_interrupt ()))
        return FALSE;
      g_usleep (MIN (50000, MAX (end - g_get_monotonic_time (), 1)));
    }
  return !g_cancellable_is_cancelled (shmlab_cli_interrupt ());
}

/* What consumers ask for: the hot keys, and a few that are not there. */
static const char *const requested[] = {
  "user:1001", "user:1002", "user:1003",
  "product:2001", "product:2002", "product:2003",
  "session:abc123", "session:xyz789",
};

/* Holds the writer lock: readers go on, writers wait; kill -9 shows the repair. */
static int
do_lock_writer (Run    *run,
                double  hold_seconds)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *end_reason = NULL;
  ShmlabCliHoldEnd end;
  int signal_number = 0;

  if (!shmlab_cache_hold_writer_lock (run->cache, &error))
    return shmlab_cli_fail (error);
  g_print (_("process %u holds the cache's writer lock: readers go on, writers wait; kill -9 %u "
             "and the next writer gets it back, the table repaired\n"),
           (guint) getpid (), (guint) getpid ());
  fflush (stdout);
  end = shmlab_cli_hold (hold_seconds, hold_seconds < 0 && shmlab_cli_can_watch_stdin (),
                         &signal_number);
  end_reason = shmlab_cli_describe_hold_end (end, signal_number);
  shmlab_cache_release_writer_lock (run->cache);
  g_printerr (_("gave the writer lock back (%s)\n"), end_reason);
  return SHMLAB_CLI_EXIT_OK;
}

static int
do_producer (Run     *run,
             guint64  interval,
             guint64  rounds)
{
  g_autoptr(GError) load_error = NULL;
  guint n_hot;
  const ShmlabCacheHotEntry *hot = shmlab_cache_hot_data_get (&n_hot);

  if (!shmlab_cache_hot_data_load (run->cache, &load_error))
    return shmlab_cli_fail (load_error);
  for (guint i = 0; i < n_hot; i++)
    g_print (_("loaded   %s\n"), hot[i].key);
  g_print (_("producer %u: %u hot entries loaded; every %" PRIu64 " s it clears expired "
             "entries and counts a round (Ctrl+C to stop)\n"),
           (guint) getpid (), n_hot, interval);
  fflush (stdout);

  for (guint64 round = 1; rounds == 0 || round <= rounds; round++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *count = g_strdup_printf ("%" PRIu64, round);
      ShmlabCacheStats stats;
      guint cleared = 0;

      if (!pause_for ((double) interval))
        break;
      if (!shmlab_cache_segment_check_intact (run->store, &error) ||
          !shmlab_cache_clear_expired (run->cache, &cleared, &error) ||
          !shmlab_cache_set (run->cache, "stats:producer-rounds", (const guint8 *) count,
                             strlen (count), 0, &error))
        return shmlab_cli_fail (error);
      shmlab_cache_get_stats (run->cache, &stats);
      g_print (_("round %" PRIu64 ": %u expired cleared, %u entries, hit rate %.1f %% (hits: %"
                 PRIu64 ", misses: %" PRIu64 ")\n"),
               round, cleared, stats.entries, hit_rate (stats.hits, stats.misses), stats.hits,
               stats.misses);
      fflush (stdout);
    }
  return SHMLAB_CLI_EXIT_OK;
}

static int
do_consumer (Run     *run,
             guint64  requests,
             guint64  seed)
{
  guint64 hits = 0, misses = 0;
  g_autoptr(GRand) rand = g_rand_new_with_seed ((guint32) seed);

  for (guint64 i = 0; i < requests; i++)
    {
      const char *name = requested[g_rand_int_range (rand, 0, G_N_ELEMENTS (requested))];
      g_autoptr(GError) error = NULL;
      g_autoptr(ShmlabCacheEntry) entry = shmlab_cache_get (run->cache, name, &error);

      if (g_cancellable_is_cancelled (shmlab_cli_interrupt ()))
        break;
      if (entry != NULL)
        {
          g_autofree char *value = shmlab_cache_describe_value (entry->value, 60);

          hits++;
          if (requests <= 100)
            g_print (_("found    %-16s %s\n"), name, value);
        }
      else if (g_error_matches (error, SHMLAB_CACHE_ERROR, SHMLAB_CACHE_ERROR_NOT_FOUND))
        {
          misses++;
          if (requests <= 100)
            g_print (_("missing  %-16s (%s)\n"), name, error->message);
        }
      else
        return shmlab_cli_fail (error);
    }
  g_print (_("consumer %u: requests: %" PRIu64 ", hits: %" PRIu64 ", misses: %" PRIu64 ", hit "
             "rate %.1f %%\n"),
           (guint) getpid (), hits + misses, hits, misses, hit_rate (hits, misses));
  return SHMLAB_CLI_EXIT_OK;
}

int
shmlab_cmd_cache (int    argc,
                  char **argv)
{
  g_autofree char *backend_name = NULL;
  g_autofree char *kind_name = NULL;
  g_autofree char *ttl_text = NULL;
  g_autofree char *interval_text = NULL;
  g_autofree char *rounds_text = NULL;
  g_autofree char *requests_text = NULL;
  g_autofree char *seed_text = NULL;
  g_autofree char *slots_text = NULL;
  g_autofree char *hold_text = NULL;
  g_auto(GStrv) arguments = NULL;
  gboolean quiet = FALSE, json = FALSE;
  int lock_timeout = 5000;
  const GOptionEntry entries[] = {
    { "ttl", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &ttl_text,
      N_("With set: the entry expires after SECONDS (default: never)"), "SECONDS" },
    { "interval", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &interval_text,
      N_("With producer: seconds between two rounds (default 10)"), "SECONDS" },
    { "rounds", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &rounds_text,
      N_("With producer: stop after N rounds (default: until Ctrl+C)"), "N" },
    { "requests", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &requests_text,
      N_("With consumer: how many lookups (default 20)"), "N" },
    { "seed", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &seed_text,
      N_("With consumer: the seed of its random choices (default: its pid)"), "N" },
    { "slots", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &slots_text,
      N_("When this makes the cache: how many entries it holds (default 1000, 4.3 KiB each)"),
      "N" },
    { "hold", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &hold_text,
      N_("With lock-writer and pointer-store: hold for SECONDS (default: until Ctrl+C or the end "
         "of standard input)"), "SECONDS" },
    { "json", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &json,
      N_("With get, list and stats: print JSON"), NULL },
    SHMLAB_CLI_LOCK_TIMEOUT_OPTION (lock_timeout),
    SHMLAB_CLI_BACKEND_OPTION (backend_name),
    SHMLAB_CLI_KEY_KIND_OPTION (kind_name),
    SHMLAB_CLI_QUIET_OPTION (quiet),
    SHMLAB_CLI_ARGUMENTS_OPTION (arguments),
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabKey) key = NULL;
  ShmlabBackend backend;
  ShmlabKeyKind kind;
  Run run = { 0 };
  const char *action;
  guint64 slots = SHMLAB_CACHE_DEFAULT_SLOTS;
  guint64 ttl = 0, interval = 10, rounds = 0, requests = 20, seed = (guint64) getpid ();
  double hold_seconds = -1;
  gboolean makes;
  int status = SHMLAB_CLI_EXIT_OK;

  context = shmlab_cli_context_new (COMMAND, "KEY ACTION [NAME [VALUE]]", summary, description,
                                    entries);
  if (!shmlab_cli_parse (context, COMMAND, &argc, &argv, &status))
    return status;
  if (arguments == NULL || g_strv_length (arguments) < 2)
    return shmlab_cli_usage_error (COMMAND, _("give a KEY and an ACTION: set, get, del, exists, "
                                               "list, stats, clear-expired, check, producer or "
                                               "consumer"));
  action = arguments[1];
  if (!shmlab_cli_parse_lock_timeout (COMMAND, lock_timeout, &status) ||
      !shmlab_cli_parse_key (COMMAND, arguments[0], backend_name, kind_name, &backend, &kind,
                             &status))
    return status;
  if (slots_text != NULL &&
      !g_ascii_string_to_unsigned (slots_text, 10, 1, SHMLAB_CACHE_MAX_SLOTS, &slots, NULL))
    return shmlab_cli_usage_error (COMMAND, _("--slots “%s”: give a whole number from 1 to %u"),
                                   slots_text, SHMLAB_CACHE_MAX_SLOTS);
  /* Every option checked before anything is made. */
  if (ttl_text != NULL &&
      !g_ascii_string_to_unsigned (ttl_text, 10, 1, 10 * 365 * 24 * 3600, &ttl, NULL))
    return shmlab_cli_usage_error (COMMAND, _("--ttl “%s”: give whole seconds, from 1 to "
                                               "315360000 (ten years)"),
                                   ttl_text);
  if (interval_text != NULL &&
      !g_ascii_string_to_unsigned (interval_text, 10, 1, 3600, &interval, NULL))
    return shmlab_cli_usage_error (COMMAND, _("--interval “%s”: give whole seconds, from 1 to "
                                               "3600"),
                                   interval_text);
  if (rounds_text != NULL &&
      !g_ascii_string_to_unsigned (rounds_text, 10, 1, G_MAXUINT32, &rounds, NULL))
    return shmlab_cli_usage_error (COMMAND, _("--rounds “%s”: give a whole number from 1"),
                                   rounds_text);
  if (requests_text != NULL &&
      !g_ascii_string_to_unsigned (requests_text, 10, 1, 100000000, &requests, NULL))
    return shmlab_cli_usage_error (COMMAND, _("--requests “%s”: give a whole number from 1 to "
                                               "100000000"),
                                   requests_text);
  if (seed_text != NULL && !g_ascii_string_to_unsigned (seed_text, 10, 0, G_MAXUINT32, &seed, NULL))
    return shmlab_cli_usage_error (COMMAND, _("--seed “%s”: give a whole number"), seed_text);
  if (!shmlab_cli_parse_hold (COMMAND, hold_text, &hold_seconds, &status))
    return status;

  if ((g_str_equal (action, "set") && !want_arguments (action, arguments, 2, &status)) ||
      ((g_str_equal (action, "get") || g_str_equal (action, "del") ||
        g_str_equal (action, "exists")) && !want_arguments (action, arguments, 1, &status)) ||
      ((g_str_equal (action, "list") || g_str_equal (action, "stats") ||
        g_str_equal (action, "clear-expired") || g_str_equal (action, "check") ||
        g_str_equal (action, "producer") || g_str_equal (action, "consumer") ||
        g_str_equal (action, "pointer-store") || g_str_equal (action, "lock-writer")) &&
       !want_arguments (action, arguments, 0, &status)) ||
      (g_str_equal (action, "pointer-read") && g_strv_length (arguments) > 3 &&
       !want_arguments (action, arguments, 1, &status)))
    return status;
  if (!g_strv_contains ((const char *const[]) { "set", "get", "del", "exists", "list", "stats",
                                                "clear-expired", "check", "producer",
                                                "consumer", "lock-writer", "pointer-store",
                                                "pointer-read", NULL },
                        action))
    return shmlab_cli_usage_error (COMMAND, _("unknown action “%s”: use set, get, del, exists, "
                                               "list, stats, clear-expired, check, producer, "
                                               "consumer, lock-writer, pointer-store or "
                                               "pointer-read"),
                                   action);
  shmlab_cli_set_quiet (quiet);

  key = shmlab_key_new_full (arguments[0], backend, kind, &error);
  if (key == NULL)
    return shmlab_cli_fail (error);
  /* Only a writer makes the cache: a look at a key with none says so. */
  makes = g_str_equal (action, "set") || g_str_equal (action, "producer") ||
          g_str_equal (action, "pointer-store");
  run.store = shmlab_cache_segment_open (key, makes, (guint32) slots,
                                         SHMLAB_CACHE_DEFAULT_BUCKETS, lock_timeout,
                                         shmlab_cli_interrupt (), &error);
  if (run.store == NULL)
    {
      if (g_error_matches (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_NOT_FOUND))
        return shmlab_cli_fail_printf (_("no cache has the key “%s”: make it with `shmlab cache "
                                         "%s producer` (or a set)"),
                                       shmlab_key_get_name (key), arguments[0]);
      return shmlab_cli_fail (error);
    }
  run.cache = shmlab_cache_segment_get_cache (run.store);
  run.key = shmlab_key_get_name (key);
  run.json = json;
  if (shmlab_cache_segment_get_created (run.store) && !quiet)
    g_printerr (_("made a cache of %u entries in the segment of “%s” (%s)\n"), (guint) slots,
                run.key, shmlab_backend_describe (backend));

  if (g_str_equal (action, "set"))
    status = do_set (&run, arguments, ttl, status);
  else if (g_str_equal (action, "get"))
    status = do_get (&run, arguments[2]);
  else if (g_str_equal (action, "del") || g_str_equal (action, "exists"))
    {
      gboolean del = g_str_equal (action, "del");
      gboolean ok = del ? shmlab_cache_delete (run.cache, arguments[2], &error)
                        : shmlab_cache_exists (run.cache, arguments[2], &error);

      if (error != NULL)
        status = shmlab_cli_fail (error);
      else if (del)
        g_printerr (_("deleted “%s”\n"), arguments[2]);
      else
        {
          g_print ("%s\n", ok ? _("yes") : _("no"));
          status = ok ? SHMLAB_CLI_EXIT_OK : SHMLAB_CLI_EXIT_FAILURE;
        }
    }
  else if (g_str_equal (action, "list"))
    status = do_list (&run);
  else if (g_str_equal (action, "stats"))
    status = do_stats (&run);
  else if (g_str_equal (action, "clear-expired"))
    {
      guint cleared;

      if (!shmlab_cache_clear_expired (run.cache, &cleared, &error))
        status = shmlab_cli_fail (error);
      else
        g_print (g_dngettext (GETTEXT_PACKAGE, "%u expired entry cleared\n",
                              "%u expired entries cleared\n", cleared),
                 cleared);
    }
  else if (g_str_equal (action, "check"))
    {
      if (!shmlab_cache_check (run.cache, &error))
        status = shmlab_cli_fail (error);
      else
        g_print (_("the cache holds together: every chain in the pool and without loops, every "
                   "entry whole and in its bucket, the counts right\n"));
    }
  else if (g_str_equal (action, "producer"))
    status = do_producer (&run, interval, rounds);
  else if (g_str_equal (action, "lock-writer"))
    status = do_lock_writer (&run, hold_seconds);
  else if (g_str_equal (action, "pointer-store"))
    status = shmlab_cli_cache_pointer_store (run.store, hold_seconds);
  else if (g_str_equal (action, "pointer-read"))
    status = shmlab_cli_cache_pointer_read (run.store, arguments[2]);
  else
    status = do_consumer (&run, requests, seed);

  if (status == SHMLAB_CLI_EXIT_OK && !shmlab_cache_segment_check_intact (run.store, &error))
    status = shmlab_cli_fail (error);
  {
    ShmlabSegment *segment = shmlab_cache_segment_get_segment (run.store);

    shmlab_cache_segment_detach (run.store);
    if (shmlab_segment_get_removed_on_detach (segment) && !quiet && makes)
      g_printerr (_("note: the cache went with this process, the last one using it; keep a "
                    "producer running, or use --backend file to keep it\n"));
  }
  shmlab_cache_segment_close (run.store);
  return status;
}
