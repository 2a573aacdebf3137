/* test-cache-windows.c — the windows' side of the shared cache: the
 * Writer's Cache page adds, edits and deletes entries another process then
 * reads, loads the article's hot data, and says in its banner what to do
 * about a full cache or a value too large; the Reader follows the cache a
 * producer keeps, with the counts and figures the command gives; both
 * inspectors describe the cache's header and each entry with its offset and
 * link; a cache whose chain loops is shown as damaged, the field named, and
 * nothing hangs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>

#include "shmlab-app-support.h"
#include "shmlab-cache-segment.h"
#include "shmlab-reader-station.h"
#include "shmlab-test-gtk.h"
#include "shmlab-test-util.h"
#include "shmlab-writer-station.h"

/* A bound on every wait: reaching it fails the test, it never paces it. */
#define WAIT_SECONDS 60

/* ---- what the tests share ---- */

static gboolean
widget_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static gboolean
caches_let_go (gpointer data)
{
  return shmlab_cache_client_count_closing () == 0 && shmlab_session_count_closing () == 0;
}

/* Closes @station's window and proves it went, with its cache let go. */
static void
close_station (gpointer station)
{
  shmlab_test_close_station (station);
  shmlab_test_wait_until (caches_let_go, NULL, WAIT_SECONDS, "the window's cache to be let go");
}

static ShmlabWriterStation *
writer_new (const char    *key,
            ShmlabBackend  backend)
{
  ShmlabWriterStation *window = g_object_ref (shmlab_test_writer_new (NULL));
  ShmlabKeyBar *bar = shmlab_station_get_key_bar (SHMLAB_STATION (window));
  g_autoptr(GError) error = NULL;

  shmlab_key_bar_set_backend (bar, backend);
  shmlab_key_bar_set_key (bar, key);
  g_assert_true (shmlab_key_bar_apply (bar, &error));
  g_assert_no_error (error);
  gtk_window_present (shmlab_test_window_of (window));
  shmlab_test_wait_until (widget_mapped, window, WAIT_SECONDS, "the Writer to show");
  return window;
}

static ShmlabReaderStation *
reader_new (const char    *key,
            ShmlabBackend  backend)
{
  ShmlabReaderStation *window = g_object_ref (shmlab_test_reader_new (NULL));
  ShmlabKeyBar *bar = shmlab_station_get_key_bar (SHMLAB_STATION (window));

  shmlab_key_bar_set_backend (bar, backend);
  shmlab_key_bar_set_key (bar, key);
  gtk_window_present (shmlab_test_window_of (window));
  shmlab_test_wait_until (widget_mapped, window, WAIT_SECONDS, "the Reader to show");
  return window;
}

static gboolean
page_idle (gpointer data)
{
  return !shmlab_cache_page_get_busy (data);
}

typedef struct
{
  ShmlabCachePage *page;
  const char *text;
} StatusWait;

static gboolean
status_says (gpointer data)
{
  StatusWait *wait = data;

  return strstr (shmlab_cache_page_get_status (wait->page), wait->text) != NULL;
}

static void
wait_status (ShmlabCachePage *page,
             const char      *text)
{
  StatusWait wait = { page, text };

  shmlab_test_wait_until (status_says, &wait, WAIT_SECONDS, text);
}

/* Saves the form as it is filled and waits for the change to end. */
static void
save (ShmlabCachePage *page)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "cache.save", NULL));
  shmlab_test_wait_until (page_idle, page, WAIT_SECONDS, "the change to end");
}

static void
activate (ShmlabCachePage *page,
          const char      *action)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), action, NULL));
  shmlab_test_wait_until (page_idle, page, WAIT_SECONDS, action);
}

/* `shmlab ARGS…` as another process runs it: its output, and its status. */
static char *
cli (int        *status,
     const char *first,
     ...)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  va_list ap;
  int code;

  va_start (ap, first);
  g_assert_true (shmlab_test_run_cliv (&out, &err, &code, first, ap));
  va_end (ap);
  g_test_message ("shmlab %s… → %d: %s%s", first, code, out, err);
  if (status != NULL)
    *status = code;
  else if (code != 0)
    shmlab_test_fail ("shmlab %s… exited %d: %s", first, code, err);
  return g_strconcat (out, err, NULL);
}

typedef struct
{
  ShmlabStation *station;
  const char *text;
} LogWait;

static gboolean
log_says (gpointer data)
{
  LogWait *wait = data;
  g_autofree char *text = shmlab_step_log_to_text (shmlab_station_get_step_log (wait->station));

  return strstr (text, wait->text) != NULL;
}

static void
assert_log_says (gpointer    station,
                 const char *text)
{
  LogWait wait = { station, text };

  shmlab_test_wait_until (log_says, &wait, WAIT_SECONDS, text);
}

static void
die_with_parent (gpointer user_data)
{
  /* Should the test crash, the producer does not outlive it. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* `shmlab cache KEY producer`, once it has loaded the hot data. */
static GSubprocess *
producer_start (const char *key)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  GSubprocess *producer;
  gboolean loaded = FALSE;

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  producer = g_subprocess_launcher_spawn (launcher, &error, shmlab_test_cli_path (), "cache", key,
                                          "producer", "--interval", "1", "--rounds", "600", NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (producer));
  while (!loaded)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);

      g_assert_no_error (error);
      if (line == NULL)
        shmlab_test_fail ("the producer ended before it loaded the hot data");
      loaded = g_str_has_prefix (line, "producer ");
    }
  return producer;
}

static void
producer_stop (GSubprocess *producer)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (producer, SIGINT);
  g_assert_true (g_subprocess_wait (producer, NULL, &error));
  g_assert_no_error (error);
}

static void
put_u32 (guint8  *bytes,
         gsize    offset,
         guint32  value)
{
  memcpy (bytes + offset, &value, sizeof value);
}

/* ---- the Writer ---- */

/* Add, edit and delete on the page; another process sees each change. */
static void
test_writer_add_edit_delete (void)
{
  g_autofree char *key = shmlab_test_unique_key ("wcache");
  g_autoptr(ShmlabKey) value = shmlab_key_new (key, SHMLAB_BACKEND_SYSV, NULL);
  ShmlabWriterStation *window = writer_new (key, SHMLAB_BACKEND_SYSV);
  ShmlabCachePage *page = shmlab_writer_station_get_cache_page (window);
  ShmlabCacheTable *table = shmlab_cache_page_get_table (page);
  g_autofree char *out = NULL;
  g_autofree char *row = NULL;
  int status;

  shmlab_writer_station_set_page (window, "cache");
  /* Write has nothing to do on this page; looking made no cache. */
  g_assert_false (gtk_widget_get_sensitive (shmlab_test_find_actionable (GTK_WIDGET (window),
                                                                         "win.write")));
  wait_status (page, "No cache has the key");
  g_assert_true (shmlab_test_segment_gone (value));

  /* Add: the cache is made, the entry there for any process. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "cache.add", NULL));
  shmlab_cache_page_fill_form (page, "user:1", "{\"name\": \"Ada\"}", 0);
  save (page);
  out = cli (NULL, "cache", key, "get", "user:1", NULL);
  g_assert_true (g_str_has_prefix (out, "{\"name\": \"Ada\"}\n"));
  g_clear_pointer (&out, g_free);
  row = shmlab_cache_table_describe_row (table, "user:1");
  g_assert_cmpstr (row, ==, "user:1 | {\"name\": \"Ada\"} | never | 0");
  g_clear_pointer (&row, g_free);
  assert_log_says (window, "cache: made a cache of 1000 entries in the segment of");
  assert_log_says (window, "cache: “user:1” set, 15 bytes of value, never expires");
  g_assert_null (shmlab_writer_station_get_error_text (window));

  /* Edit: the selected entry, its value and expiry replaced; the get above counted. */
  g_assert_true (shmlab_cache_table_select (table, "user:1"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "cache.edit", NULL));
  shmlab_cache_page_fill_form (page, "user:1", "{\"name\": \"Ada\", \"age\": 36}", 120);
  save (page);
  out = cli (NULL, "cache", key, "get", "user:1", "--json", NULL);
  g_assert_nonnull (strstr (out, "\"value\": \"{\\\"name\\\": \\\"Ada\\\", \\\"age\\\": 36}\""));
  g_assert_null (strstr (out, "\"expiry_ms\": 0,"));
  g_clear_pointer (&out, g_free);
  row = shmlab_cache_table_describe_row (table, "user:1");
  g_assert_true (g_str_has_prefix (row, "user:1 | {\"name\": \"Ada\", \"age\": 36} | "));
  g_assert_nonnull (strstr (row, " min "));
  g_clear_pointer (&row, g_free);

  /* Delete: gone for the other process too. */
  g_assert_true (shmlab_cache_table_select (table, "user:1"));
  activate (page, "cache.delete");
  out = cli (&status, "cache", key, "get", "user:1", NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (out, "no entry has the key “user:1”"));
  g_assert_cmpuint (shmlab_cache_table_get_n_rows (table), ==, 0);
  assert_log_says (window, "cache: “user:1” deleted");

  /* The window kept the cache; closed, it lets go and the last detach removes it. */
  close_station (window);
  g_assert_true (shmlab_test_segment_gone (value));
}

/* The hot data: the five entries the producer loads; the inspector
 * describes the cache, each entry with its offset. */
static void
test_writer_hot_data (void)
{
  g_autofree char *key = shmlab_test_unique_key ("whot");
  ShmlabWriterStation *window = writer_new (key, SHMLAB_BACKEND_POSIX);
  ShmlabCachePage *page = shmlab_writer_station_get_cache_page (window);
  ShmlabCacheTable *table = shmlab_cache_page_get_table (page);
  ShmlabInspector *inspector = shmlab_station_get_inspector (SHMLAB_STATION (window));
  static const char *const hot[] = { "user:1001", "user:1002", "product:2001", "product:2002",
                                     "session:abc123" };
  g_autofree char *list = NULL;
  g_autofree char *session_row = NULL;
  const ShmlabDescription *description;

  shmlab_writer_station_set_page (window, "cache");
  shmlab_station_set_side_page (SHMLAB_STATION (window), "segment");
  shmlab_cache_page_load_hot_data (page);
  shmlab_test_wait_until (page_idle, page, WAIT_SECONDS, "the hot data to load");
  list = cli (NULL, "cache", key, "--backend", "posix", "list", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (hot); i++)
    {
      g_autofree char *row = shmlab_cache_table_describe_row (table, hot[i]);

      g_assert_nonnull (row);
      g_assert_nonnull (strstr (list, hot[i]));
    }
  g_assert_cmpuint (shmlab_cache_table_get_n_rows (table), ==, 5);
  /* It lives 5 minutes: "5 min 00 s", or a second less by now. */
  session_row = shmlab_cache_table_describe_row (table, "session:abc123");
  g_test_message ("%s", session_row);
  g_assert_true (strstr (session_row, "| 5 min 00 s |") != NULL ||
                 strstr (session_row, "| 4 min 5") != NULL);
  wait_status (page, "5 of 1000 slots taken");
  assert_log_says (window, "cache: the article's hot data loaded, 5 entries");

  /* The Segment tab shows the cache, not the session's bytes. */
  g_assert_cmpstr (shmlab_inspector_get_format_text (inspector), !=, NULL);
  description = shmlab_inspector_get_description (inspector);
  g_assert_cmpint (description->format, ==, SHMLAB_FORMAT_CACHE);
  g_assert_cmpint (description->verdict, ==, SHMLAB_VERDICT_VALID);
  g_assert_nonnull (shmlab_description_get_field (description, "n_slots"));
  for (guint slot = 0; slot < 5; slot++)
    {
      g_autofree char *name = g_strdup_printf ("slot[%u].next", slot);
      const ShmlabDescribedField *field = shmlab_description_get_field (description, name);

      g_assert_nonnull (field);
      g_assert_cmpuint (field->offset, ==, 8192 + slot * SHMLAB_CACHE_SLOT_SIZE);
    }
  close_station (window);
}

/* A full cache, a value over 4 KiB, a writer lock held, a damaged table:
 * the banner says what to do. */
static void
test_writer_refusals (void)
{
  g_autofree char *key = shmlab_test_unique_key ("wfull");
  g_autofree char *made = NULL;
  g_autofree char *big = g_strnfill (SHMLAB_CACHE_VALUE_MAX + 1, 'x');
  g_autoptr(ShmlabKey) value = NULL;
  g_autoptr(ShmlabCacheSegment) store = NULL;
  g_autoptr(GError) error = NULL;
  ShmlabWriterStation *window;
  ShmlabCachePage *page;
  const char *said;

  /* A file keeps a cache of two slots made by another process. */
  made = cli (NULL, "cache", key, "--backend", "file", "--slots", "2", "set", "a", "1", NULL);
  window = writer_new (key, SHMLAB_BACKEND_FILE);
  page = shmlab_writer_station_get_cache_page (window);
  shmlab_writer_station_set_page (window, "cache");
  wait_status (page, "1 of 2 slots taken");

  shmlab_cache_page_fill_form (page, "b", "2", 0);
  save (page);
  g_assert_null (shmlab_writer_station_get_error_text (window));
  shmlab_cache_page_fill_form (page, "c", "3", 0);
  save (page);
  said = shmlab_writer_station_get_error_text (window);
  g_assert_nonnull (said);
  g_test_message ("banner: %s", said);
  g_assert_true (g_str_has_prefix (said, "Could not save the entry"));
  g_assert_nonnull (strstr (said, "the cache is full: its 2 entries are all taken"));
  g_assert_nonnull (strstr (said, "delete some, clear the expired ones, or make a larger cache"));
  assert_log_says (window, "cache: the cache is full");

  /* Replacing an entry needs a free slot too; a value too large is refused first. */
  shmlab_cache_page_fill_form (page, "a", big, 0);
  save (page);
  said = shmlab_writer_station_get_error_text (window);
  g_assert_true (g_str_has_prefix (said, "Could not save the entry"));
  g_assert_nonnull (strstr (said, "4097 bytes; a cache entry holds at most 4096: store less, or "
                                  "split it"));

  /* The writer lock held by another: busy, for no longer than the lock timeout. */
  value = shmlab_key_new (key, SHMLAB_BACKEND_FILE, NULL);
  store = shmlab_cache_segment_open (value, FALSE, 0, 0, 5000, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (shmlab_cache_hold_writer_lock (shmlab_cache_segment_get_cache (store), &error));
  shmlab_session_set_lock_timeout (shmlab_station_get_session (SHMLAB_STATION (window)), 300);
  shmlab_cache_page_fill_form (page, "b", "again", 0);
  save (page);
  said = shmlab_writer_station_get_error_text (window);
  g_test_message ("banner: %s", said);
  g_assert_nonnull (strstr (said, "was not free within 300 ms: wait and try again"));
  shmlab_cache_release_writer_lock (shmlab_cache_segment_get_cache (store));

  /* The next change that works takes the banner down. */
  g_assert_true (shmlab_cache_table_select (shmlab_cache_page_get_table (page), "b"));
  activate (page, "cache.delete");
  g_assert_null (shmlab_writer_station_get_error_text (window));

  /* Every chain made to start outside the pool: damaged. */
  {
    guint8 *bytes = shmlab_segment_get_data (shmlab_cache_segment_get_segment (store));

    for (gsize bucket = 0; bucket < SHMLAB_CACHE_DEFAULT_BUCKETS; bucket++)
      {
        guint32 link;

        memcpy (&link, bytes + 4096 + bucket * 4, sizeof link);
        if (link != 0)
          put_u32 (bytes, 4096 + bucket * 4, 0x7fffffff);
      }
  }
  shmlab_cache_page_fill_form (page, "a", "again", 0);
  save (page);
  said = shmlab_writer_station_get_error_text (window);
  g_test_message ("banner: %s", said);
  g_assert_nonnull (strstr (said, "the cache in this segment is damaged"));
  g_assert_nonnull (strstr (said, "Remove the segment (shmlab remove --backend file "));
  wait_status (page, "No table to show — the cache in this segment is damaged");

  close_station (window);
  g_clear_pointer (&store, shmlab_cache_segment_close);
  g_free (cli (NULL, "remove", "--backend", "file", key, NULL));
}

/* ---- the Reader ---- */

static gboolean
view_has_entries (gpointer data)
{
  const ShmlabCacheSnapshot *snapshot = shmlab_cache_view_get_snapshot (data);

  return snapshot != NULL && snapshot->entries != NULL && snapshot->entries->len == 6;
}

typedef struct
{
  ShmlabCacheView *view;
  guint64 hits;
  guint64 misses;
} CountsWait;

static gboolean
view_counts (gpointer data)
{
  CountsWait *wait = data;
  const ShmlabCacheSnapshot *snapshot = shmlab_cache_view_get_snapshot (wait->view);

  return snapshot != NULL && snapshot->stats.hits == wait->hits &&
         snapshot->stats.misses == wait->misses;
}

/* A number in `shmlab cache … --json` output, after "NAME": . */
static guint64
json_number (const char *json,
             const char *name)
{
  g_autofree char *quoted = g_strdup_printf ("\"%s\": ", name);
  const char *at = strstr (json, quoted);

  g_assert_nonnull (at);
  return g_ascii_strtoull (at + strlen (quoted), NULL, 10);
}

/* The Reader follows the cache a producer keeps: the table and the figures
 * are the command's; the inspector describes every entry and its link. */
static void
test_reader_follows_producer (void)
{
  g_autofree char *key = shmlab_test_unique_key ("rcache");
  g_autoptr(ShmlabKey) value = shmlab_key_new (key, SHMLAB_BACKEND_SYSV, NULL);
  g_autoptr(GSubprocess) producer = producer_start (key);
  g_autofree char *stats = NULL;
  g_autofree char *list = NULL;
  g_autofree char *said = NULL;
  g_autofree char *row = NULL;
  ShmlabReaderStation *window = reader_new (key, SHMLAB_BACKEND_SYSV);
  ShmlabCacheView *view = shmlab_reader_station_get_cache_view (window);
  ShmlabInspector *inspector = shmlab_station_get_inspector (SHMLAB_STATION (window));
  const ShmlabCacheSnapshot *snapshot;
  const ShmlabDescription *description;
  CountsWait counts = { view, 0, 0 };
  guint64 accesses;

  /* 40 lookups of hot keys and missing ones: hits and misses. */
  g_free (cli (NULL, "cache", key, "consumer", "--requests", "40", "--seed", "7", NULL));
  shmlab_station_set_side_page (SHMLAB_STATION (window), "segment");
  shmlab_reader_station_set_following (window, TRUE);
  /* Five hot entries, and the producer's count of its rounds. */
  shmlab_test_wait_until (view_has_entries, view, WAIT_SECONDS, "the cache's six entries");
  g_assert_true (shmlab_reader_station_get_following (window));
  g_assert_true (shmlab_cache_view_get_following (view));

  /* The figures are the cache's own, which looking does not change. */
  stats = cli (NULL, "cache", key, "stats", "--json", NULL);
  counts.hits = json_number (stats, "hits");
  counts.misses = json_number (stats, "misses");
  g_assert_cmpuint (counts.hits + counts.misses, ==, 40);
  g_assert_cmpuint (counts.hits, >, 0);
  shmlab_test_wait_until (view_counts, &counts, WAIT_SECONDS, "the view's hits and misses");
  said = shmlab_cache_view_describe (view);
  g_assert_true (g_str_has_prefix (said, "cache 6 entries, "));
  snapshot = shmlab_cache_view_get_snapshot (view);
  g_assert_cmpuint (snapshot->stats.n_slots, ==, 1000);
  g_assert_cmpuint (snapshot->stats.readers_inside, ==, 0);

  /* Each row's access count is the one the command lists. */
  list = cli (NULL, "cache", key, "list", "--json", NULL);
  {
    const char *at = strstr (list, "\"key\": \"user:1001\"");
    g_autofree char *expected = NULL;

    g_assert_nonnull (at);
    accesses = json_number (at, "access_count");
    expected = g_strdup_printf ("user:1001 | {\"name\": \"Alice\", \"age\": 30, \"city\": "
                                "\"Beijing\"} | never | %" PRIu64, accesses);
    row = shmlab_cache_table_describe_row (shmlab_cache_view_get_table (view), "user:1001");
    g_assert_cmpstr (row, ==, expected);
    g_clear_pointer (&row, g_free);
  }
  row = shmlab_cache_table_describe_row (shmlab_cache_view_get_table (view), "session:abc123");
  g_assert_nonnull (strstr (row, " | 4 min "));

  /* The inspector: the header's fields and each entry with its offset and link. */
  description = shmlab_inspector_get_description (inspector);
  g_assert_cmpint (description->format, ==, SHMLAB_FORMAT_CACHE);
  g_assert_cmpint (description->verdict, ==, SHMLAB_VERDICT_VALID);
  for (const char *const *name = (const char *const[]) { "magic", "n_buckets", "n_slots",
                                                         "seq", "writer_pid", "hits",
                                                         "misses", "readers", NULL };
       *name != NULL; name++)
    g_assert_nonnull (shmlab_description_get_field (description, *name));
  for (guint i = 0; i < snapshot->entries->len; i++)
    {
      ShmlabCacheEntry *entry = g_ptr_array_index (snapshot->entries, i);
      g_autofree char *next = g_strdup_printf ("slot[%u].next", entry->slot);
      g_autofree char *offset = g_strdup_printf ("\"offset\": %" PRIu64, entry->offset);
      const ShmlabDescribedField *field = shmlab_description_get_field (description, next);

      g_assert_nonnull (strstr (list, offset));
      g_assert_nonnull (field);
      g_assert_cmpuint (field->offset, ==, entry->offset);
      if (entry->next_offset != 0)
        {
          g_autofree char *leads = g_strdup_printf ("at %" PRIu64 ",", entry->next_offset);

          g_assert_nonnull (strstr (field->value, leads));
        }
      else
        g_assert_nonnull (strstr (field->value, "the end of the chain"));
    }

  /* Follow off: it lets go; the last look stays. */
  shmlab_reader_station_set_following (window, FALSE);
  g_assert_false (shmlab_reader_station_get_following (window));
  shmlab_test_wait_until (caches_let_go, NULL, WAIT_SECONDS, "the view to let go");
  g_assert_nonnull (shmlab_cache_view_get_snapshot (view));

  producer_stop (producer);
  close_station (window);
  g_assert_true (shmlab_test_segment_gone (value));
}

/* ---- the pointer lesson ---- */

static gboolean
view_has_pointer_note (gpointer data)
{
  return shmlab_cache_view_get_pointer_note (data) != NULL;
}

/* Another process stores a pointer into its own heap in the cache (the
 * article's mistake, made once on purpose): the Reader shows the number and
 * what it means in the Reader, looked up in its own maps — never followed. */
static void
test_reader_pointer (void)
{
  g_autofree char *key = shmlab_test_unique_key ("rpointer");
  g_autoptr(ShmlabKey) value = shmlab_key_new (key, SHMLAB_BACKEND_SYSV, NULL);
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE |
                               G_SUBPROCESS_FLAGS_STDIN_PIPE);
  g_autoptr(GSubprocess) store = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *here = NULL;
  ShmlabReaderStation *window = NULL;
  ShmlabCacheView *view = NULL;
  const char *note;
  gboolean ready = FALSE;

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  store = g_subprocess_launcher_spawn (launcher, &error, shmlab_test_cli_path (), "cache", key,
                                       "pointer-store", NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (store));
  while (!ready)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
      const char *at;

      g_assert_no_error (error);
      if (line == NULL)
        shmlab_test_fail ("pointer-store ended before it stored its pointer");
      if ((at = strstr (line, "the address 0x")) != NULL)
        stored = g_strndup (at + 12, strcspn (at + 12, " "));
      ready = strstr (line, "pointer-read") != NULL;
    }

  window = reader_new (key, SHMLAB_BACKEND_SYSV);
  view = shmlab_reader_station_get_cache_view (window);
  shmlab_reader_station_set_following (window, TRUE);
  shmlab_test_wait_until (view_has_pointer_note, view, WAIT_SECONDS, "the pointer's meaning");
  note = shmlab_cache_view_get_pointer_note (view);
  here = g_strdup_printf ("Here, in process %d: %s", (int) getpid (), stored);
  g_assert_nonnull (strstr (note, stored));
  g_assert_nonnull (strstr (note, g_subprocess_get_identifier (store)));
  g_assert_nonnull (strstr (note, here));
  g_assert_nonnull (strstr (note, "never by pointers."));

  g_assert_true (g_output_stream_close (g_subprocess_get_stdin_pipe (store), NULL, &error));
  g_assert_true (g_subprocess_wait (store, NULL, &error));
  close_station (window);
  g_assert_true (shmlab_test_segment_gone (value));
}

/* ---- a hostile cache ---- */

/* One bucket; "first" in slot 0, "second" in slot 1, in one chain. */
#define SLOTS_AT (4096 + 64)

static gboolean
view_problem (gpointer data)
{
  const char *problem = shmlab_cache_view_get_problem (data);

  return problem != NULL && strstr (problem, "(field next)") != NULL;
}

static gboolean
view_two_entries (gpointer data)
{
  const ShmlabCacheSnapshot *snapshot = shmlab_cache_view_get_snapshot (data);

  return snapshot != NULL && snapshot->entries != NULL && snapshot->entries->len == 2;
}

typedef struct
{
  ShmlabReaderStation *window;
  guint results;
} ResultWait;

static gboolean
has_result (gpointer data)
{
  ResultWait *wait = data;

  return shmlab_reader_station_get_n_results (wait->window) > wait->results;
}

static gboolean
wrong_field_is (gpointer data)
{
  ShmlabInspector *inspector = data;

  return g_strcmp0 (shmlab_inspector_get_wrong_field (inspector), "slot[1].next") == 0;
}

/* A chain that comes back on itself, written into the bytes while the
 * Reader follows, then read once: shown as damaged, the field named, the
 * window alive. */
static void
test_reader_hostile (void)
{
  g_autofree char *name = shmlab_test_unique_key ("rhostile");
  g_autoptr(ShmlabKey) key = shmlab_key_new (name, SHMLAB_BACKEND_SYSV, NULL);
  g_autoptr(ShmlabCacheSegment) store = NULL;
  g_autoptr(GError) error = NULL;
  ShmlabReaderStation *window;
  ShmlabCacheView *view;
  ShmlabInspector *inspector;
  ShmlabCache *cache;
  guint8 *bytes;
  g_autofree char *verdict = NULL;
  ResultWait wait = { 0 };

  /* The test keeps the cache attached, and writes raw bytes into it. */
  store = shmlab_cache_segment_open (key, TRUE, 4, 1, 5000, NULL, &error);
  g_assert_no_error (error);
  cache = shmlab_cache_segment_get_cache (store);
  g_assert_true (shmlab_cache_set (cache, "first", (const guint8 *) "1", 1, 0, &error));
  g_assert_true (shmlab_cache_set (cache, "second", (const guint8 *) "2", 1, 0, &error));
  g_assert_no_error (error);
  bytes = shmlab_segment_get_data (shmlab_cache_segment_get_segment (store));

  window = reader_new (name, SHMLAB_BACKEND_SYSV);
  view = shmlab_reader_station_get_cache_view (window);
  inspector = shmlab_station_get_inspector (SHMLAB_STATION (window));
  shmlab_station_set_side_page (SHMLAB_STATION (window), "segment");
  shmlab_reader_station_set_following (window, TRUE);
  shmlab_test_wait_until (view_two_entries, view, WAIT_SECONDS, "the two entries");

  /* Slot 1's link back to slot 0: the chain loops. */
  put_u32 (bytes, 4096, 1);
  put_u32 (bytes, SLOTS_AT, 2);
  put_u32 (bytes, SLOTS_AT + SHMLAB_CACHE_SLOT_SIZE, 1);
  shmlab_test_wait_until (view_problem, view, WAIT_SECONDS, "the view to say the cache is damaged");
  g_test_message ("view: %s", shmlab_cache_view_get_problem (view));
  g_assert_cmpuint (shmlab_cache_table_get_n_rows (shmlab_cache_view_get_table (view)), ==, 0);
  shmlab_test_wait_until (wrong_field_is, inspector, WAIT_SECONDS,
                          "the inspector to mark slot[1].next");
  verdict = shmlab_description_to_string (shmlab_inspector_get_description (inspector));
  g_assert_cmpstr (verdict, ==, "cache damaged wrong-value slot[1].next");
  /* It keeps looking, and the window keeps going. */
  g_assert_true (shmlab_reader_station_get_following (window));
  shmlab_reader_station_set_following (window, FALSE);
  shmlab_test_wait_until (caches_let_go, NULL, WAIT_SECONDS, "the view to let go");

  /* Read once: the decoder refuses it, naming the field. */
  wait.window = window;
  wait.results = shmlab_reader_station_get_n_results (window);
  shmlab_reader_station_read (window);
  shmlab_test_wait_until (has_result, &wait, WAIT_SECONDS, "the read to end");
  g_test_message ("read: %s", shmlab_reader_station_get_problem (window));
  g_assert_nonnull (strstr (shmlab_reader_station_get_problem (window), "(field next)"));
  g_assert_nonnull (strstr (shmlab_reader_station_get_problem (window), "comes back to slot 0"));
  shmlab_test_wait_until (wrong_field_is, inspector, WAIT_SECONDS,
                          "the inspector to mark slot[1].next again");

  close_station (window);
  g_clear_pointer (&store, shmlab_cache_segment_close);
  g_assert_true (shmlab_test_segment_gone (key));
}

int
main (int   argc,
      char *argv[])
{
  shmlab_test_init (&argc, &argv);
  gtk_init ();
  shmlab_app_support_init ();

  g_test_add_func ("/cache-windows/writer-add-edit-delete", test_writer_add_edit_delete);
  g_test_add_func ("/cache-windows/writer-hot-data", test_writer_hot_data);
  g_test_add_func ("/cache-windows/writer-refusals", test_writer_refusals);
  g_test_add_func ("/cache-windows/reader-follows-producer", test_reader_follows_producer);
  g_test_add_func ("/cache-windows/reader-pointer", test_reader_pointer);
  g_test_add_func ("/cache-windows/reader-hostile", test_reader_hostile);
  return g_test_run ();
}
