/* test-backend.c — every operation of the backend interface, through the
 * table, for every backend in it: a backend added to the table is tested by
 * being there
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-test-util.h"

#include <string.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shmlab-backend-private.h"
#include "shmlab-key.h"
#include "shmlab-lock-holder.h"
#include "shmlab-segment.h"
#include "shmlab-users.h"

static const ShmlabBackendClass *
class_of (gconstpointer data)
{
  return shmlab_backend_get (GPOINTER_TO_INT (data));
}

/* A key of the backend, tracked for removal. */
static ShmlabKey *
key_new (const ShmlabBackendClass *klass,
         const char               *stem)
{
  g_autofree char *name = shmlab_test_unique_key (stem);
  g_autoptr(GError) error = NULL;
  ShmlabKey *key = shmlab_key_new (name, klass->id, &error);

  g_assert_no_error (error);
  return key;
}

/* The table: every entry found by its id and its name, the default first. */
static void
test_table (void)
{
  guint n;
  const ShmlabBackend *all = shmlab_backend_all (&n);

  g_assert_cmpuint (n, >=, 2);
  g_assert_cmpint (all[0], ==, SHMLAB_BACKEND_DEFAULT);
  for (guint i = 0; i < n; i++)
    {
      ShmlabBackend parsed = -1;
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (shmlab_backend_get (all[i])->id, ==, all[i]);
      g_assert_cmpuint (shmlab_backend_index (all[i]), ==, i);
      g_assert_true (shmlab_backend_from_string (shmlab_backend_to_string (all[i]), &parsed, &error));
      g_assert_no_error (error);
      g_assert_cmpint (parsed, ==, all[i]);
      for (guint j = 0; j < i; j++)
        g_assert_cmpstr (shmlab_backend_to_string (all[i]), !=, shmlab_backend_to_string (all[j]));
    }
}

/* What a person reads of it, and the option a suggested command needs. */
static void
test_naming (gconstpointer data)
{
  const ShmlabBackendClass *klass = class_of (data);
  g_autoptr(ShmlabKey) key = key_new (klass, "naming");
  ShmlabSegmentInfo info;
  g_autofree char *described = NULL;

  g_assert_cmpstr (shmlab_backend_describe (klass->id), !=, "");
  g_assert_cmpstr (shmlab_backend_describe_choice (klass->id), !=, "");
  if (klass->id == SHMLAB_BACKEND_DEFAULT)
    g_assert_cmpstr (shmlab_backend_option (klass->id), ==, "");
  else
    {
      g_autofree char *option = g_strconcat (" --backend ", klass->name, NULL);
      g_assert_cmpstr (shmlab_backend_option (klass->id), ==, option);
    }

  /* The native names: Qt's prefixes, one for the segment and one for the lock. */
  g_assert_nonnull (strstr (shmlab_key_get_segment_name (key), SHMLAB_SEGMENT_PREFIX));
  if (klass->lock_in_segment)
    g_assert_cmpstr (shmlab_key_get_semaphore_name (key), ==, shmlab_key_get_segment_name (key));
  else
    g_assert_nonnull (strstr (shmlab_key_get_semaphore_name (key), SHMLAB_SEMAPHORE_PREFIX));
  g_assert_cmpint (shmlab_key_get_backend (key), ==, klass->id);
  shmlab_segment_info_clear (&info);
  described = klass->describe_native_key (shmlab_key_get_segment_name (key), &info);
  g_assert_nonnull (strstr (described, shmlab_key_get_segment_name (key)));
}

/* Create, attach a second time, query, list, detach (the last detach
 * removes, unless the backend keeps its segments), remove: each through
 * the table. */
static void
test_segment (gconstpointer data)
{
  const ShmlabBackendClass *klass = class_of (data);
  g_autoptr(ShmlabKey) key = key_new (klass, "segment");
  const char *name = shmlab_key_get_name (key);
  const char *native = shmlab_key_get_segment_name (key);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) listings = g_ptr_array_new_with_free_func (
    (GDestroyNotify) shmlab_segment_listing_free);
  ShmlabMapping creator = { .id = -1 }, other = { .id = -1 };
  ShmlabSegmentInfo info;
  gboolean removed = FALSE, listed = FALSE;

  shmlab_segment_info_clear (&info);
  g_assert_true (klass->query (name, native, &info, &error));
  g_assert_no_error (error);
  g_assert_false (info.exists);

  g_assert_true (klass->create (name, native, 4096, SHMLAB_ACCESS_READ_WRITE, &creator, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (creator.size, >=, 4096);
  memcpy (creator.data, "through the table", 18);

  /* A second mapping sees the same bytes. */
  g_assert_true (klass->attach (name, native, SHMLAB_ACCESS_READ_ONLY, &other, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (other.data, ==, "through the table");

  g_assert_true (klass->query (name, native, &info, &error));
  g_assert_true (info.exists);
  g_assert_cmpuint (info.size, >=, 4096);
  g_assert_true (shmlab_user_is_me (info.owner_uid));
  g_assert_cmpuint (info.mode, ==, 0600);

  g_assert_true (klass->list (listings, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < listings->len; i++)
    {
      ShmlabSegmentListing *l = g_ptr_array_index (listings, i);
      if (g_strcmp0 (l->native_key, native) == 0)
        {
          listed = TRUE;
          g_assert_cmpint (l->backend, ==, klass->id);
          /* The key itself when a key file keeps it; always the letters the name keeps. */
          if (l->key != NULL)
            g_assert_cmpstr (l->key, ==, name);
          g_assert_cmpstr (l->key_letters, ==, "shmlabtestsegment");
        }
    }
  g_assert_true (listed);

  /* A second create of the same key is refused. */
  {
    ShmlabMapping again = { .id = -1 };
    g_autoptr(GError) exists = NULL;

    g_assert_false (klass->create (name, native, 4096, SHMLAB_ACCESS_READ_WRITE, &again, &exists));
    g_assert_error (exists, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_ALREADY_EXISTS);
  }

  g_assert_true (klass->detach (native, &other, TRUE, &removed, &error));
  g_assert_no_error (error);
  g_assert_true (klass->detach (native, &creator, TRUE, &removed, &error));
  g_assert_no_error (error);
  g_assert_cmpint (removed, ==, !klass->persistent);
  g_assert_true (klass->query (name, native, &info, &error));
  g_assert_cmpint (info.exists, ==, klass->persistent);
  g_assert_cmpint (info.persistent, ==, klass->persistent);
  if (klass->persistent)
    {
      /* Kept, with its bytes, though nobody maps it: not stale. */
      g_assert_cmpint (info.attach_count, ==, 0);
      g_assert_false (shmlab_segment_info_is_stale (&info));
      g_assert_true (klass->attach (name, native, SHMLAB_ACCESS_READ_ONLY, &other, &error));
      g_assert_cmpstr (other.data, ==, "through the table");
      g_assert_true (klass->detach (native, &other, TRUE, &removed, &error));
      g_assert_true (klass->remove (name, native, &info, &error));
      g_assert_no_error (error);
    }

  /* Made again and removed by name, as `shmlab remove` does. */
  g_assert_true (klass->create (name, native, 100, SHMLAB_ACCESS_READ_WRITE, &creator, &error));
  g_assert_true (klass->detach (native, &creator, FALSE, &removed, &error));
  g_assert_true (klass->query (name, native, &info, &error));
  g_assert_true (info.exists);
  g_assert_true (klass->remove (name, native, &info, &error));
  g_assert_no_error (error);
  g_assert_true (klass->query (name, native, &info, &error));
  g_assert_false (info.exists);
  g_assert_false (klass->name_exists (native));
}

/* Open, acquire with a timeout and with a cancellable, release, remove. */
static void
test_lock (gconstpointer data)
{
  const ShmlabBackendClass *klass = class_of (data);
  g_autoptr(ShmlabKey) key = key_new (klass, "lock");
  const char *native = shmlab_key_get_semaphore_name (key);
  g_autoptr(ShmlabSemaphore) holder = shmlab_semaphore_new_for_key (key, NULL);
  g_autoptr(ShmlabSemaphore) waiter = shmlab_semaphore_new_for_key (key, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  gint64 start;

  g_assert_false (klass->lock_exists (native));
  g_assert_true (shmlab_semaphore_open (holder, &error));
  g_assert_no_error (error);
  g_assert_true (shmlab_semaphore_get_created (holder));
  g_assert_true (klass->lock_exists (native));
  g_assert_true (shmlab_semaphore_acquire (holder, 0, NULL, &error));
  g_assert_no_error (error);

  /* Held: a wait ends at its timeout, and says so. */
  start = g_get_monotonic_time ();
  g_assert_false (shmlab_semaphore_acquire (waiter, 200, NULL, &error));
  g_assert_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_TIMED_OUT);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 150 * 1000);
  g_clear_error (&error);
  g_assert_false (shmlab_semaphore_get_created (waiter));

  /* … or when it is cancelled. */
  g_cancellable_cancel (cancellable);
  g_assert_false (shmlab_semaphore_acquire (waiter, -1, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  /* Given back: the waiter has it. */
  g_assert_true (shmlab_semaphore_release (holder, &error));
  g_assert_true (shmlab_semaphore_acquire (waiter, 1000, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (shmlab_semaphore_release (waiter, &error));
  g_assert_no_error (error);

  shmlab_semaphore_remove (holder);
  g_assert_false (klass->lock_exists (native));
}

/* The backend says whether a holder that dies keeps the lock: it does
 * exactly what it says. */
static void
test_dead_holder (gconstpointer data)
{
  const ShmlabBackendClass *klass = class_of (data);
  g_autoptr(ShmlabKey) key = key_new (klass, "dead");
  g_autoptr(ShmlabSemaphore) lock = shmlab_semaphore_new_for_key (key, NULL);
  g_autoptr(GSubprocess) holder = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (shmlab_semaphore_open (lock, &error));
  /* `shmlab lock` takes it and is killed holding it: no chance to let go. */
  holder = shmlab_test_start_lock_holder (shmlab_key_get_name (key), klass->id);
  g_subprocess_force_exit (holder);
  g_assert_true (g_subprocess_wait (holder, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (holder));
  g_assert_cmpint (g_subprocess_get_term_sig (holder), ==, SIGKILL);

  if (klass->lock_kept_by_dead_holder)
    {
      g_assert_false (shmlab_semaphore_acquire (lock, 200, NULL, &error));
      g_assert_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_TIMED_OUT);
      /* Only the way the message names gets it back. */
      g_assert_nonnull (strstr (error->message, "shmlab remove"));
    }
  else
    {
      g_assert_true (shmlab_semaphore_acquire (lock, 1000, NULL, &error));
      g_assert_no_error (error);
      g_assert_true (shmlab_semaphore_release (lock, NULL));
    }
  shmlab_semaphore_remove (lock);
}

/* What the bench compares with: a bare semaphore of the same kind. */
static void
test_bare_lock (gconstpointer data)
{
  const ShmlabBackendClass *klass = class_of (data);
  g_autoptr(GError) error = NULL;
  gpointer bare = shmlab_backend_bare_lock_open (klass->id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (bare);
  for (guint i = 0; i < 3; i++)
    g_assert_true (shmlab_backend_bare_lock_pair (klass->id, bare));
  shmlab_backend_bare_lock_close (klass->id, bare);
}

/* The limits: a small segment fits, one larger than any memory does not,
 * and the sentence on the limits names them. */
static void
test_limits (gconstpointer data)
{
  const ShmlabBackendClass *klass = class_of (data);
  g_autoptr(GError) error = NULL;
  g_autofree char *described = NULL;
  ShmlabLimits limits;

  shmlab_limits_read (&limits);
  g_assert_cmpuint (shmlab_limits_max_size (&limits, klass->id), >=, 4096);
  described = shmlab_limits_describe (&limits, klass->id);
  g_assert_cmpstr (described, !=, "");
  g_assert_true (shmlab_limits_check_size (&limits, klass->id, "small", 4096, &error));
  g_assert_no_error (error);

  limits.memory_total = 1 << 20;
  limits.dev_shm_free = 1 << 20;
  limits.temp_dir_free = 1 << 20;
  g_assert_false (shmlab_limits_check_size (&limits, klass->id, "huge", 2 << 20, &error));
  g_assert_true (g_error_matches (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_INVALID_SIZE) ||
                 g_error_matches (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_OUT_OF_RESOURCES));
  g_assert_nonnull (strstr (error->message, "“huge”"));
  g_assert_nonnull (strstr (error->message, "pick a smaller size"));
}

/* A look at a key with no segment (shmlab info, shmlab list, a window's
 * watch) creates no lock, not even for a moment: a lock made and removed
 * again would go from under a writer that found it there. Every file made
 * where the key's lock would live is watched while the look runs. */
static void
test_peek_missing (gconstpointer data)
{
  const ShmlabBackendClass *klass = class_of (data);
  g_autoptr(ShmlabKey) key = key_new (klass, "peek");
  g_autofree char *dir = g_path_get_dirname (shmlab_key_get_semaphore_name (key));
  g_autofree char *base = g_path_get_basename (shmlab_key_get_semaphore_name (key));
  const char *places[] = { dir, "/dev/shm" };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  char events[4096] __attribute__ ((aligned (__alignof__ (struct inotify_event))));
  int fd = inotify_init1 (IN_NONBLOCK | IN_CLOEXEC);
  ssize_t n;
  guint watched = 0;

  g_assert_cmpint (fd, >=, 0);
  for (guint i = 0; i < G_N_ELEMENTS (places); i++)
    if (g_strcmp0 (places[i], "/") != 0 && inotify_add_watch (fd, places[i], IN_CREATE) >= 0)
      watched++;
  g_assert_cmpuint (watched, >, 0);

  bytes = shmlab_segment_peek_key (shmlab_key_get_name (key), klass->id, 4096, 100, NULL, &error);
  g_assert_null (bytes);
  g_assert_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_NOT_FOUND);

  while ((n = read (fd, events, sizeof events)) > 0)
    for (char *p = events; p < events + n;)
      {
        const struct inotify_event *event = (const struct inotify_event *) p;

        if (event->len > 0 && strstr (event->name, base) != NULL)
          g_test_fail_printf ("the look at a missing segment made %s", event->name);
        p += sizeof (struct inotify_event) + event->len;
      }
  close (fd);
  g_assert_false (klass->lock_exists (shmlab_key_get_semaphore_name (key)));
}

/* `shmlab write KEY --format frame … --hold`: a frame segment another process keeps. */
static GSubprocess *
start_frame_writer (ShmlabKey *key)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) err = NULL;
  GSubprocess *writer;
  gboolean holding = FALSE;

  writer = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE |
                               G_SUBPROCESS_FLAGS_STDOUT_SILENCE,
                             &error, shmlab_test_cli_path (), "write", shmlab_key_get_name (key),
                             "--backend", shmlab_backend_to_string (shmlab_key_get_backend (key)),
                             "--format", "frame", "--text", "held", NULL);
  g_assert_no_error (error);
  err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (writer));
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (err), FALSE);
  while (!holding)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (err, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line);
      holding = g_str_has_prefix (line, "holding");
    }
  return writer;
}

static pid_t
pid_of (GSubprocess *process)
{
  return (pid_t) g_ascii_strtoll (g_subprocess_get_identifier (process), NULL, 10);
}

static void
query_lock (ShmlabKey        *key,
            ShmlabLockHolder *holder)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (shmlab_lock_holder_query_for_key (key, holder, &error));
  g_assert_no_error (error);
}

/* Who holds the lock, seen from outside: another process takes it with
 * `shmlab lock`. Looking takes nothing and makes nothing. */
static void
test_lock_holder (gconstpointer data)
{
  const ShmlabBackendClass *klass = class_of (data);
  g_autoptr(ShmlabKey) key = key_new (klass, "holder");
  const char *native = shmlab_key_get_semaphore_name (key);
  g_autoptr(GSubprocess) writer = NULL;
  g_autoptr(GSubprocess) locker = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *comm = NULL;
  ShmlabLockHolder holder;

  /* No lock yet: none, and the look made none. */
  query_lock (key, &holder);
  g_assert_cmpint (holder.state, ==, SHMLAB_LOCK_STATE_NONE);
  g_assert_false (klass->lock_exists (native));
  text = shmlab_lock_holder_describe (&holder);
  g_assert_cmpstr (text, ==, "free");
  g_clear_pointer (&text, g_free);

  /* Held by a process with no segment: taken; its pid when the system says one. */
  locker = shmlab_test_start_lock_holder (shmlab_key_get_name (key), klass->id);
  query_lock (key, &holder);
  g_assert_cmpint (holder.state, ==, SHMLAB_LOCK_STATE_TAKEN);
  g_assert_true (holder.pid == 0 || holder.pid == pid_of (locker));
  text = shmlab_lock_holder_describe (&holder);
  g_assert_true (holder.pid != 0 || g_str_equal (text, "taken (holder unknown)"));
  g_clear_pointer (&text, g_free);
  text = shmlab_lock_holder_describe_other (&holder);
  g_assert_true (g_str_has_prefix (text, "locked by another process"));
  g_clear_pointer (&text, g_free);
  shmlab_test_release_lock_holder (locker);
  g_clear_object (&locker);

  /* With a ShmLab frame, every backend knows the holder: its pid and name. */
  writer = start_frame_writer (key);
  query_lock (key, &holder);
  g_assert_cmpint (holder.state, ==, SHMLAB_LOCK_STATE_FREE);
  text = shmlab_lock_holder_describe (&holder);
  g_assert_cmpstr (text, ==, "free");
  g_clear_pointer (&text, g_free);

  locker = shmlab_test_start_lock_holder (shmlab_key_get_name (key), klass->id);
  query_lock (key, &holder);
  g_assert_cmpint (holder.state, ==, SHMLAB_LOCK_STATE_TAKEN);
  g_assert_cmpint (holder.pid, ==, pid_of (locker));
  comm = shmlab_test_process_name (locker);
  g_assert_cmpstr (holder.name, ==, comm);
  text = shmlab_lock_holder_describe (&holder);
  {
    g_autofree char *expected = g_strdup_printf ("held by %d (%s)", (int) holder.pid, comm);
    g_assert_cmpstr (text, ==, expected);
  }
  g_clear_pointer (&text, g_free);
  text = shmlab_lock_holder_describe_other (&holder);
  {
    g_autofree char *expected = g_strdup_printf ("locked by another process: %d (%s)",
                                                 (int) holder.pid, comm);
    g_assert_cmpstr (text, ==, expected);
  }
  g_clear_pointer (&text, g_free);

  shmlab_test_release_lock_holder (locker);
  query_lock (key, &holder);
  g_assert_cmpint (holder.state, ==, SHMLAB_LOCK_STATE_FREE);
  g_assert_cmpint (holder.pid, ==, 0);

  /* The writer lets go at the end of its input; the last detach removes all. */
  g_assert_true (g_output_stream_close (g_subprocess_get_stdin_pipe (writer), NULL, &error));
  g_assert_true (g_subprocess_wait_check (writer, NULL, &error));
  g_assert_no_error (error);
  shmlab_segment_remove_for_key (key, FALSE, NULL);
}

/* A process names itself: its name is read bounded, a line, valid UTF-8,
 * without control characters. */
static void
test_process_name (void)
{
  static const struct { const char *set; const char *seen; } names[] = {
    { "plain", "plain" },
    { "tab\there", "tab?here" },
    { "bad\377\376bytes", "bad\357\277\275\357\277\275bytes" },
    { "fifteen-bytes-x", "fifteen-bytes-x" },
  };
  char name[SHMLAB_PROCESS_NAME_MAX];
  char tiny[4];

  g_assert_false (shmlab_process_get_name (0, name, sizeof name));
  g_assert_cmpstr (name, ==, "");
  g_assert_true (shmlab_process_get_name (getpid (), name, sizeof name));
  g_assert_cmpstr (name, !=, "");

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *set = g_strcompress (names[i].set);
      g_autofree char *seen = g_strcompress (names[i].seen);
      int ready[2];
      char byte;
      pid_t child;
      int status;

      g_assert_cmpint (pipe (ready), ==, 0);
      child = fork ();
      g_assert_cmpint (child, >=, 0);
      if (child == 0)
        {
          prctl (PR_SET_NAME, set, 0, 0, 0);
          if (write (ready[1], "x", 1) != 1)
            _exit (1);
          pause ();
          _exit (0);
        }
      close (ready[1]);
      g_assert_cmpint (read (ready[0], &byte, 1), ==, 1);
      close (ready[0]);
      g_assert_true (shmlab_process_get_name (child, name, sizeof name));
      g_assert_true (g_utf8_validate (name, -1, NULL));
      g_assert_cmpstr (name, ==, seen);
      /* Cut short on a character boundary, never mid-character. */
      g_assert_true (shmlab_process_get_name (child, tiny, sizeof tiny) || tiny[0] == '\0');
      g_assert_true (g_utf8_validate (tiny, -1, NULL));
      g_assert_cmpuint (strlen (tiny), <, sizeof tiny);
      kill (child, SIGKILL);
      g_assert_cmpint (waitpid (child, &status, 0), ==, child);
    }
}

int
main (int argc, char **argv)
{
  guint n;
  const ShmlabBackend *all;

  shmlab_test_init (&argc, &argv);
  all = shmlab_backend_all (&n);

  g_test_add_func ("/backend/table", test_table);
  g_test_add_func ("/backend/process-name", test_process_name);
  for (guint i = 0; i < n; i++)
    {
      const char *name = shmlab_backend_to_string (all[i]);
      gconstpointer data = GINT_TO_POINTER (all[i]);
      struct { const char *what; GTestDataFunc func; } tests[] = {
        { "naming", test_naming },
        { "segment", test_segment },
        { "lock", test_lock },
        { "dead-holder", test_dead_holder },
        { "bare-lock", test_bare_lock },
        { "limits", test_limits },
        { "peek-missing", test_peek_missing },
        { "lock-holder", test_lock_holder },
      };

      for (guint t = 0; t < G_N_ELEMENTS (tests); t++)
        {
          g_autofree char *path = g_strdup_printf ("/backend/%s/%s", name, tests[t].what);
          g_test_add_data_func (path, data, tests[t].func);
        }
    }
  return g_test_run ();
}
