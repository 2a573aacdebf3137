/* test-segment.c — ShmlabSegment in one process: the QSharedMemory surface,
 * every error code through a real failure, lifetime and permissions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-test-util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/sem.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shmlab-limits.h"
#include "shmlab-segment.h"

typedef struct
{
  ShmlabBackend backend;
  char *key;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->backend = GPOINTER_TO_INT (data);
  f->key = shmlab_test_unique_key ("segment");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  ShmlabSegmentInfo info;

  shmlab_segment_remove_key (f->key, f->backend, TRUE, NULL);
  /* Nothing a test made may outlive it. */
  g_assert_true (shmlab_segment_query_key (f->key, f->backend, &info, NULL));
  g_assert_false (info.exists);
  g_free (f->key);
}

static ShmlabSegment *
segment_with_key (Fixture *f)
{
  ShmlabSegment *segment = shmlab_segment_new (f->backend);
  g_autoptr(GError) error = NULL;

  shmlab_segment_set_key (segment, f->key, &error);
  g_assert_no_error (error);
  return segment;
}

static void
test_create_attach_detach (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(ShmlabSegment) writer = segment_with_key (f);
  g_autoptr(ShmlabSegment) reader = segment_with_key (f);
  g_autoptr(GError) error = NULL;
  ShmlabSegmentInfo info;
  const char *text = "hello, shared memory";

  g_assert_false (shmlab_segment_is_attached (writer));
  g_assert_true (shmlab_segment_create (writer, 100, SHMLAB_ACCESS_READ_WRITE, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (shmlab_segment_is_attached (writer));
  g_assert_cmpuint (shmlab_segment_get_size (writer), ==, 100);
  g_assert_cmpint (shmlab_segment_get_error (writer), ==, SHMLAB_SEGMENT_ERROR_NONE);

  g_assert_true (shmlab_segment_lock (writer, NULL, &error));
  g_assert_true (shmlab_segment_is_locked (writer));
  memcpy (shmlab_segment_get_data (writer), text, strlen (text) + 1);
  g_assert_true (shmlab_segment_unlock (writer, &error));

  g_assert_true (shmlab_segment_attach (reader, SHMLAB_ACCESS_READ_ONLY, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (shmlab_segment_get_size (reader), ==, 100);
  g_assert_true (shmlab_segment_lock (reader, NULL, &error));
  g_assert_cmpstr (shmlab_segment_get_const_data (reader), ==, text);
  g_assert_true (shmlab_segment_unlock (reader, &error));

  g_assert_true (shmlab_segment_query (writer, &info, &error));
  g_assert_true (info.exists);
  g_assert_cmpuint (info.size, ==, 100);
  g_assert_cmpint (info.attach_count, ==, 2);
  g_assert_cmpuint (info.owner_uid, ==, geteuid ());
  g_assert_cmpuint (info.mode, ==, 0600);

  g_assert_true (shmlab_segment_detach (reader, &error));
  g_assert_false (shmlab_segment_get_removed_on_detach (reader));
  g_assert_true (shmlab_segment_detach (writer, &error));
  g_assert_no_error (error);
  /* The last detach removes it, unless the backend keeps its segments (a file). */
  g_assert_cmpint (shmlab_segment_get_removed_on_detach (writer), ==,
                   !shmlab_backend_is_persistent (f->backend));
  g_assert_false (shmlab_segment_is_attached (writer));

  g_assert_true (shmlab_segment_query_key (f->key, f->backend, &info, &error));
  g_assert_cmpint (info.exists, ==, shmlab_backend_is_persistent (f->backend));
}

/* The file lives on with its bytes when every process has gone, and
 * another process made later reads them: until it is removed. */
static void
test_file_persists (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(ShmlabSegment) reader = segment_with_key (f);
  g_autoptr(GError) error = NULL;
  ShmlabSegmentInfo info;
  struct stat st;
  int status;
  pid_t pid = fork ();

  if (pid == 0)
    {
      ShmlabSegment *writer = segment_with_key (f);
      gboolean ok = shmlab_segment_create (writer, 64, SHMLAB_ACCESS_READ_WRITE, NULL, NULL) &&
                    shmlab_segment_lock (writer, NULL, NULL);

      if (ok)
        memcpy (shmlab_segment_get_data (writer), "written yesterday", 18);
      ok = ok && shmlab_segment_unlock (writer, NULL) && shmlab_segment_detach (writer, NULL) &&
           !shmlab_segment_get_removed_on_detach (writer);
      g_object_unref (writer);
      _exit (ok ? 0 : 1);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);

  /* A plain file, as `ls -l` shows it: 64 bytes, 0600, this user's. */
  g_assert_cmpint (lstat (shmlab_segment_get_native_key (reader), &st), ==, 0);
  g_assert_true (S_ISREG (st.st_mode));
  g_assert_cmpint (st.st_size, ==, 64);
  g_assert_cmpuint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpuint (st.st_uid, ==, geteuid ());

  g_assert_true (shmlab_segment_query_key (f->key, f->backend, &info, &error));
  g_assert_true (info.exists);
  g_assert_true (info.persistent);
  g_assert_cmpint (info.attach_count, ==, 0);
  g_assert_false (shmlab_segment_info_is_stale (&info));

  g_assert_true (shmlab_segment_attach (reader, SHMLAB_ACCESS_READ_ONLY, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (shmlab_segment_lock (reader, NULL, &error));
  g_assert_cmpstr (shmlab_segment_get_const_data (reader), ==, "written yesterday");
  g_assert_true (shmlab_segment_unlock (reader, &error));
  g_assert_true (shmlab_segment_detach (reader, &error));
  g_assert_false (shmlab_segment_get_removed_on_detach (reader));

  g_assert_true (shmlab_segment_remove_key (f->key, f->backend, FALSE, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (shmlab_segment_get_native_key (reader), G_FILE_TEST_EXISTS));
}

/* System V: whoever detaches last removes it, the creator or not (as Qt). */
static void
test_sysv_last_detach_removes (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(ShmlabSegment) writer = segment_with_key (f);
  g_autoptr(ShmlabSegment) reader = segment_with_key (f);
  g_autoptr(GError) error = NULL;
  ShmlabSegmentInfo info;

  g_assert_true (shmlab_segment_create (writer, 64, SHMLAB_ACCESS_READ_WRITE, NULL, &error));
  g_assert_true (shmlab_segment_attach (reader, SHMLAB_ACCESS_READ_ONLY, NULL, &error));
  g_assert_true (shmlab_segment_detach (writer, &error));
  g_assert_false (shmlab_segment_get_removed_on_detach (writer));

  /* The segment survives while the reader is attached. */
  g_assert_true (shmlab_segment_query_key (f->key, f->backend, &info, &error));
  g_assert_true (info.exists);
  g_assert_cmpint (info.attach_count, ==, 1);

  g_assert_true (shmlab_segment_detach (reader, &error));
  g_assert_true (shmlab_segment_get_removed_on_detach (reader));
  g_assert_true (shmlab_segment_query_key (f->key, f->backend, &info, &error));
  g_assert_false (info.exists);
  g_assert_false (g_file_test (shmlab_segment_get_native_key (writer), G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (shmlab_segment_get_semaphore_key (writer), G_FILE_TEST_EXISTS));
}

/* POSIX: the creator unlinks the name; a reader's mapping stays valid. */
static void
test_posix_creator_unlinks (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(ShmlabSegment) writer = segment_with_key (f);
  g_autoptr(ShmlabSegment) reader = segment_with_key (f);
  g_autoptr(GError) error = NULL;
  ShmlabSegmentInfo info;

  g_assert_true (shmlab_segment_create (writer, 64, SHMLAB_ACCESS_READ_WRITE, NULL, &error));
  memcpy (shmlab_segment_get_data (writer), "still here", 11);
  g_assert_true (shmlab_segment_attach (reader, SHMLAB_ACCESS_READ_ONLY, NULL, &error));
  g_assert_true (shmlab_segment_detach (writer, &error));
  g_assert_true (shmlab_segment_get_removed_on_detach (writer));

  g_assert_true (shmlab_segment_query_key (f->key, f->backend, &info, &error));
  g_assert_false (info.exists);
  g_assert_cmpstr (shmlab_segment_get_const_data (reader), ==, "still here");
  g_assert_true (shmlab_segment_detach (reader, &error));
  g_assert_false (shmlab_segment_get_removed_on_detach (reader));
}

static void
test_already_exists (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(ShmlabSegment) first = segment_with_key (f);
  g_autoptr(ShmlabSegment) second = segment_with_key (f);
  g_autoptr(GError) error = NULL;

  g_assert_true (shmlab_segment_create (first, 100, SHMLAB_ACCESS_READ_WRITE, NULL, &error));
  g_assert_false (shmlab_segment_create (second, 100, SHMLAB_ACCESS_READ_WRITE, NULL, &error));
  g_assert_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_ALREADY_EXISTS);
  g_assert_nonnull (strstr (error->message, "100 bytes"));
  g_assert_nonnull (strstr (error->message, "attached by 1 process"));
  g_assert_nonnull (strstr (error->message, f->key));
  g_assert_cmpint (shmlab_segment_get_error (second), ==, SHMLAB_SEGMENT_ERROR_ALREADY_EXISTS);
  g_assert_cmpstr (shmlab_segment_get_error_string (second), ==, error->message);
  g_assert_false (shmlab_segment_is_attached (second));
}

/* A process that ends without detaching leaves a stale segment behind. */
static void
test_stale_segment (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(ShmlabSegment) again = NULL;
  g_autoptr(GError) error = NULL;
  ShmlabSegmentInfo info;
  int status;
  pid_t pid = fork ();

  if (pid == 0)
    {
      ShmlabSegment *crashing = segment_with_key (f);
      _exit (shmlab_segment_create (crashing, 100, SHMLAB_ACCESS_READ_WRITE, NULL, NULL) ? 0 : 1);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);

  g_assert_true (shmlab_segment_query_key (f->key, f->backend, &info, &error));
  g_assert_true (info.exists);
  g_assert_cmpint (info.attach_count, ==, 0);
  /* A file is kept on purpose: nobody mapping it is not a crash. */
  g_assert_cmpint (shmlab_segment_info_is_stale (&info), ==,
                   !shmlab_backend_is_persistent (f->backend));

  again = segment_with_key (f);
  g_assert_false (shmlab_segment_create (again, 100, SHMLAB_ACCESS_READ_WRITE, NULL, &error));
  g_assert_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_ALREADY_EXISTS);
  if (shmlab_backend_is_persistent (f->backend))
    g_assert_nonnull (strstr (error->message, "stays until it is removed"));
  else
    {
      g_assert_nonnull (strstr (error->message, "attached by no process"));
      g_assert_nonnull (strstr (error->message, "crashed"));
    }
  g_assert_nonnull (strstr (error->message, "shmlab remove"));
  g_clear_error (&error);

  /* Peeking does not bring it to life nor end it. */
  g_bytes_unref (shmlab_segment_peek_key (f->key, f->backend, 16, 1000, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (shmlab_segment_query_key (f->key, f->backend, &info, &error));
  g_assert_true (info.exists);

  g_assert_true (shmlab_segment_remove_key (f->key, f->backend, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (shmlab_segment_query_key (f->key, f->backend, &info, &error));
  g_assert_false (info.exists);
  g_assert_true (shmlab_segment_create (again, 100, SHMLAB_ACCESS_READ_WRITE, NULL, &error));
  g_assert_no_error (error);
}

static void
test_not_found (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(ShmlabSegment) reader = segment_with_key (f);
  g_autoptr(GError) error = NULL;
  g_autofree char *sem_path = NULL;

  g_assert_false (shmlab_segment_attach (reader, SHMLAB_ACCESS_READ_ONLY, NULL, &error));
  g_assert_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, f->key));
  g_assert_nonnull (strstr (error->message, "writer"));

  /* The failed attach leaves no lock and no key file behind. */
  g_assert_false (g_file_test (shmlab_segment_get_native_key (reader), G_FILE_TEST_EXISTS));
  if (f->backend == SHMLAB_BACKEND_POSIX)
    sem_path = g_strconcat ("/dev/shm/sem.", shmlab_segment_get_semaphore_key (reader) + 1, NULL);
  else
    sem_path = g_strdup (shmlab_segment_get_semaphore_key (reader));
  g_assert_false (g_file_test (sem_path, G_FILE_TEST_EXISTS));
}

static void
test_invalid_size (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(ShmlabSegment) segment = segment_with_key (f);
  g_autoptr(GError) zero = NULL;
  g_autoptr(GError) huge = NULL;
  ShmlabSegmentInfo info;

  g_assert_false (shmlab_segment_create (segment, 0, SHMLAB_ACCESS_READ_WRITE, NULL, &zero));
  g_assert_error (zero, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_INVALID_SIZE);
  g_assert_nonnull (strstr (zero->message, "0 bytes"));

  /* 1 PiB fits no system; the message gives the system's limits. */
  g_assert_false (shmlab_segment_create (segment, G_GUINT64_CONSTANT (1) << 50,
                                         SHMLAB_ACCESS_READ_WRITE, NULL, &huge));
  if (f->backend == SHMLAB_BACKEND_SYSV)
    {
      g_assert_error (huge, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_INVALID_SIZE);
      g_assert_nonnull (strstr (huge->message, "SHMMAX"));
    }
  else if (f->backend == SHMLAB_BACKEND_FILE)
    {
      g_autofree char *disk = g_strdup_printf ("does not fit on the disk of %s", g_getenv ("TMPDIR"));

      g_assert_error (huge, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_OUT_OF_RESOURCES);
      g_assert_nonnull (strstr (huge->message, disk));
    }
  else
    {
      g_assert_error (huge, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_OUT_OF_RESOURCES);
      g_assert_nonnull (strstr (huge->message, "/dev/shm"));
    }
  g_assert_nonnull (strstr (huge->message, "1125899906842624 bytes"));

  g_assert_true (shmlab_segment_query_key (f->key, f->backend, &info, NULL));
  g_assert_false (info.exists);
  g_assert_false (g_file_test (shmlab_segment_get_native_key (segment), G_FILE_TEST_EXISTS));
}

static void
test_key_error (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(ShmlabSegment) segment = shmlab_segment_new (f->backend);
  g_autoptr(GError) empty = NULL;
  g_autoptr(GError) unset = NULL;

  g_assert_false (shmlab_segment_set_key (segment, "", &empty));
  g_assert_error (empty, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_KEY_ERROR);
  g_assert_false (shmlab_segment_attach (segment, SHMLAB_ACCESS_READ_ONLY, NULL, &unset));
  g_assert_error (unset, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_KEY_ERROR);
  g_assert_nonnull (strstr (unset->message, "no key"));
}

static void
test_lock_errors (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(ShmlabSegment) holder = segment_with_key (f);
  g_autoptr(ShmlabSegment) waiter = segment_with_key (f);
  g_autoptr(GError) not_locked = NULL;
  g_autoptr(GError) timed_out = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (shmlab_segment_unlock (holder, &not_locked));
  g_assert_error (not_locked, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_LOCK_ERROR);

  g_assert_true (shmlab_segment_create (holder, 16, SHMLAB_ACCESS_READ_WRITE, NULL, &error));
  g_assert_true (shmlab_segment_lock (holder, NULL, &error));
  g_assert_false (shmlab_segment_lock_full (waiter, 100, NULL, &timed_out));
  g_assert_error (timed_out, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (timed_out->message, "100 ms"));
  g_assert_false (shmlab_segment_is_locked (waiter));

  g_assert_true (shmlab_segment_unlock (holder, &error));
  g_assert_true (shmlab_segment_lock_full (waiter, 0, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (shmlab_segment_unlock (waiter, &error));
}

static gpointer
cancel_later (gpointer data)
{
  g_usleep (50 * 1000);
  g_cancellable_cancel (data);
  return NULL;
}

static void
test_lock_cancel (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(ShmlabSegment) holder = segment_with_key (f);
  g_autoptr(ShmlabSegment) waiter = segment_with_key (f);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  GThread *thread;

  g_assert_true (shmlab_segment_create (holder, 16, SHMLAB_ACCESS_READ_WRITE, NULL, &error));
  g_assert_true (shmlab_segment_lock (holder, NULL, &error));

  /* An endless wait that only a cancel can end. */
  thread = g_thread_new ("cancel", cancel_later, cancellable);
  g_assert_false (shmlab_segment_lock_full (waiter, -1, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_thread_join (thread);
  g_assert_true (shmlab_segment_unlock (holder, NULL));
}

/* Detaching while holding the lock must not wait for it (step-by-step mode does that). */
static void
test_detach_while_locked (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(ShmlabSegment) segment = segment_with_key (f);
  g_autoptr(GError) error = NULL;

  shmlab_segment_set_lock_timeout (segment, 1000);
  g_assert_true (shmlab_segment_create (segment, 16, SHMLAB_ACCESS_READ_WRITE, NULL, &error));
  g_assert_true (shmlab_segment_lock (segment, NULL, &error));
  g_assert_true (shmlab_segment_detach (segment, &error));
  g_assert_no_error (error);
  g_assert_true (shmlab_segment_is_locked (segment));
  g_assert_true (shmlab_segment_unlock (segment, &error));
}

static void
test_in_use (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(ShmlabSegment) segment = segment_with_key (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) nothing = NULL;

  g_assert_true (shmlab_segment_create (segment, 16, SHMLAB_ACCESS_READ_WRITE, NULL, &error));
  g_assert_false (shmlab_segment_remove_key (f->key, f->backend, FALSE, &error));
  g_assert_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_IN_USE);
  g_assert_nonnull (strstr (error->message, "attached by 1 process"));
  g_clear_error (&error);
  g_assert_true (shmlab_segment_detach (segment, NULL));

  /* A file stays after its last user: removed now, by name. */
  if (shmlab_backend_is_persistent (f->backend))
    {
      g_assert_true (shmlab_segment_remove_key (f->key, f->backend, FALSE, &error));
      g_assert_no_error (error);
    }
  g_assert_false (shmlab_segment_remove_key (f->key, f->backend, FALSE, &nothing));
  g_assert_error (nothing, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (nothing->message, "nothing to remove"));
}

static void
test_already_attached (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(ShmlabSegment) segment = segment_with_key (f);
  g_autoptr(GError) error = NULL;

  g_assert_true (shmlab_segment_create (segment, 16, SHMLAB_ACCESS_READ_WRITE, NULL, &error));
  g_assert_false (shmlab_segment_create (segment, 16, SHMLAB_ACCESS_READ_WRITE, NULL, &error));
  g_assert_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_UNKNOWN);
  g_assert_nonnull (strstr (error->message, "already attached"));
}

/* POSIX: a size larger than /dev/shm's free space fails cleanly (no SIGBUS later). */
static void
test_out_of_resources (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(ShmlabSegment) segment = segment_with_key (f);
  g_autoptr(GError) error = NULL;
  ShmlabLimits limits;

  shmlab_limits_read (&limits);
  if (limits.dev_shm_free == G_MAXUINT64)
    {
      g_test_skip ("/dev/shm's free space is unknown on this system");
      return;
    }
  g_assert_false (shmlab_segment_create (segment, limits.dev_shm_free + (G_GUINT64_CONSTANT (1) << 30),
                                         SHMLAB_ACCESS_READ_WRITE, NULL, &error));
  g_assert_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_OUT_OF_RESOURCES);
  g_assert_nonnull (strstr (error->message, "free"));
}

static void
test_modes (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(ShmlabSegment) segment = segment_with_key (f);
  g_autoptr(GError) error = NULL;
  struct stat st;

  g_assert_true (shmlab_segment_create (segment, 16, SHMLAB_ACCESS_READ_WRITE, NULL, &error));
  if (f->backend == SHMLAB_BACKEND_SYSV)
    {
      g_autofree char *contents = NULL;
      g_auto(GStrv) lines = NULL;
      key_t sem_key = ftok (shmlab_segment_get_semaphore_key (segment), 'Q');
      gboolean found = FALSE;

      /* Key files as Qt makes them (0640 less the umask), the key written in ours. */
      g_assert_cmpint (lstat (shmlab_segment_get_native_key (segment), &st), ==, 0);
      g_assert_true (S_ISREG (st.st_mode));
      g_assert_cmpuint (st.st_mode & 0137, ==, 0);
      g_assert_cmpint (lstat (shmlab_segment_get_semaphore_key (segment), &st), ==, 0);
      g_assert_cmpuint (st.st_mode & 0137, ==, 0);

      g_assert_true (g_file_get_contents ("/proc/sysvipc/sem", &contents, NULL, NULL));
      lines = g_strsplit (contents, "\n", -1);
      for (guint i = 1; lines[i]; i++)
        {
          int k, id;
          unsigned perms;
          if (sscanf (lines[i], "%d %d %o", &k, &id, &perms) == 3 && k == sem_key)
            {
              g_assert_cmpuint (perms & 0777, ==, 0600);
              found = TRUE;
            }
        }
      g_assert_true (found);
    }
  else if (f->backend == SHMLAB_BACKEND_FILE)
    {
      /* One file, 0600: the segment, and its lock on it. */
      g_assert_cmpint (lstat (shmlab_segment_get_native_key (segment), &st), ==, 0);
      g_assert_true (S_ISREG (st.st_mode));
      g_assert_cmpuint (st.st_mode & 0777, ==, 0600);
      g_assert_cmpstr (shmlab_segment_get_semaphore_key (segment), ==,
                       shmlab_segment_get_native_key (segment));
    }
  else
    {
      g_autofree char *path = g_strconcat ("/dev/shm", shmlab_segment_get_native_key (segment), NULL);
      g_autofree char *sem = g_strconcat ("/dev/shm/sem.", shmlab_segment_get_semaphore_key (segment) + 1, NULL);

      g_assert_cmpint (stat (path, &st), ==, 0);
      g_assert_cmpuint (st.st_mode & 0777, ==, 0600);
      g_assert_cmpint (stat (sem, &st), ==, 0);
      g_assert_cmpuint (st.st_mode & 0777, ==, 0600);
    }
}

/* A key file replaced by a symbolic link could aim ftok() at any file: refuse it. */
static void
test_symlink_key_file (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(ShmlabSegment) segment = segment_with_key (f);
  g_autoptr(GError) error = NULL;
  const char *native = shmlab_segment_get_native_key (segment);

  g_assert_cmpint (symlink ("/etc/passwd", native), ==, 0);
  g_assert_false (shmlab_segment_create (segment, 16, SHMLAB_ACCESS_READ_WRITE, NULL, &error));
  g_assert_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_KEY_ERROR);
  g_assert_nonnull (strstr (error->message, "symbolic link"));
  g_assert_true (g_file_test ("/etc/passwd", G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (unlink (native), ==, 0);
}

static void
test_list (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(ShmlabSegment) segment = segment_with_key (f);
  g_autoptr(GPtrArray) listings = NULL;
  g_autoptr(GError) error = NULL;
  gboolean found = FALSE;

  g_assert_true (shmlab_segment_create (segment, 4096, SHMLAB_ACCESS_READ_WRITE, NULL, &error));
  listings = shmlab_segment_list (f->backend, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < listings->len; i++)
    {
      ShmlabSegmentListing *l = g_ptr_array_index (listings, i);
      if (g_strcmp0 (l->native_key, shmlab_segment_get_native_key (segment)) != 0)
        continue;
      found = TRUE;
      g_assert_cmpuint (l->info.size, ==, 4096);
      g_assert_cmpstr (l->key_letters, ==, "shmlabtestsegment");
      if (f->backend == SHMLAB_BACKEND_SYSV)
        g_assert_cmpstr (l->key, ==, f->key);
    }
  g_assert_true (found);
}

static void
test_set_key_detaches (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(ShmlabSegment) segment = segment_with_key (f);
  g_autoptr(GError) error = NULL;
  g_autofree char *other = shmlab_test_unique_key ("other");

  g_assert_true (shmlab_segment_create (segment, 16, SHMLAB_ACCESS_READ_WRITE, NULL, &error));
  g_assert_true (shmlab_segment_set_key (segment, other, &error));
  g_assert_false (shmlab_segment_is_attached (segment));
  g_assert_cmpstr (shmlab_segment_get_key (segment), ==, other);
}

/* A system without System V IPC (some containers): a message that says so and
 * points at POSIX, and nothing left behind. The seam is read once per
 * process, so the check runs in a child. */
static void
test_no_sysv (Fixture       *f,
              gconstpointer  data)
{
  if (g_test_subprocess ())
    {
      g_autoptr(ShmlabSegment) segment = segment_with_key (f);
      g_autoptr(GError) error = NULL;
      g_autoptr(GDir) dir = NULL;

      g_assert_false (shmlab_segment_create (segment, 64, SHMLAB_ACCESS_READ_WRITE, NULL, &error));
      g_assert_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_UNKNOWN);
      g_assert_nonnull (strstr (error->message, "System V"));
      g_assert_nonnull (strstr (error->message, "POSIX"));
      g_clear_error (&error);

      g_assert_false (shmlab_segment_attach (segment, SHMLAB_ACCESS_READ_ONLY, NULL, &error));
      g_assert_nonnull (strstr (error->message, "POSIX"));

      /* No key file stays in the temp dir. */
      dir = g_dir_open (g_getenv ("TMPDIR"), 0, NULL);
      g_assert_nonnull (dir);
      g_assert_null (g_dir_read_name (dir));
      return;
    }

  g_setenv ("SHMLAB_TEST_NO_SYSV", "1", TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_unsetenv ("SHMLAB_TEST_NO_SYSV");
  g_test_trap_assert_passed ();
}

/* Attaching with the backend the key has no segment in names the one it has,
 * found through the table. */
static void
test_other_backend (Fixture       *f,
                    gconstpointer  data)
{
  guint n_backends;
  const ShmlabBackend *backends = shmlab_backend_all (&n_backends);
  g_autoptr(ShmlabSegment) writer = segment_with_key (f);
  g_autoptr(GError) error = NULL;

  g_assert_true (shmlab_segment_create (writer, 16, SHMLAB_ACCESS_READ_WRITE, NULL, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < n_backends; i++)
    {
      g_autoptr(ShmlabSegment) reader = NULL;
      g_autofree char *expected = NULL;
      ShmlabBackend other;

      if (backends[i] == f->backend)
        continue;
      g_assert_true (shmlab_segment_find_other_backend (f->key, backends[i], &other));
      g_assert_cmpint (other, ==, f->backend);

      reader = shmlab_segment_new (backends[i]);
      g_assert_true (shmlab_segment_set_key (reader, f->key, &error));
      g_assert_false (shmlab_segment_attach (reader, SHMLAB_ACCESS_READ_ONLY, NULL, &error));
      g_assert_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_NOT_FOUND);
      expected = g_strdup_printf ("no %s segment has the key “%s”, but a %s one does: choose %s",
                                  shmlab_backend_describe (backends[i]), f->key,
                                  shmlab_backend_describe (f->backend),
                                  shmlab_backend_describe (f->backend));
      g_assert_cmpstr (error->message, ==, expected);
      g_clear_error (&error);
    }

  /* Its own backend has it: nothing else to say. */
  {
    ShmlabBackend other;

    g_assert_true (shmlab_segment_detach (writer, &error));
    g_assert_no_error (error);
    shmlab_segment_remove_key (f->key, f->backend, TRUE, NULL);
    for (guint i = 0; i < n_backends; i++)
      g_assert_false (shmlab_segment_find_other_backend (f->key, backends[i], &other));
  }
}

/* Once for every backend in the table: a backend added there is tested by being there. */
static void
add_each (const char *name,
          void (*func) (Fixture *, gconstpointer))
{
  guint n_backends;
  const ShmlabBackend *backends = shmlab_backend_all (&n_backends);

  for (guint b = 0; b < n_backends; b++)
    {
      g_autofree char *path = g_strdup_printf ("/segment/%s/%s", shmlab_backend_to_string (backends[b]),
                                               name);

      g_test_add (path, Fixture, GINT_TO_POINTER (backends[b]), fixture_setup, func,
                  fixture_teardown);
    }
}

int
main (int argc, char **argv)
{
  shmlab_test_init (&argc, &argv);

  add_each ("create-attach-detach", test_create_attach_detach);
  add_each ("already-exists", test_already_exists);
  add_each ("stale", test_stale_segment);
  add_each ("not-found", test_not_found);
  add_each ("other-backend", test_other_backend);
  add_each ("invalid-size", test_invalid_size);
  add_each ("key-error", test_key_error);
  add_each ("lock-errors", test_lock_errors);
  add_each ("lock-cancel", test_lock_cancel);
  add_each ("detach-while-locked", test_detach_while_locked);
  add_each ("in-use", test_in_use);
  add_each ("already-attached", test_already_attached);
  add_each ("modes", test_modes);
  add_each ("list", test_list);
  add_each ("set-key-detaches", test_set_key_detaches);
  g_test_add ("/segment/sysv/last-detach-removes", Fixture, GINT_TO_POINTER (SHMLAB_BACKEND_SYSV),
              fixture_setup, test_sysv_last_detach_removes, fixture_teardown);
  g_test_add ("/segment/posix/creator-unlinks", Fixture, GINT_TO_POINTER (SHMLAB_BACKEND_POSIX),
              fixture_setup, test_posix_creator_unlinks, fixture_teardown);
  g_test_add ("/segment/file/persists", Fixture, GINT_TO_POINTER (SHMLAB_BACKEND_FILE),
              fixture_setup, test_file_persists, fixture_teardown);
  g_test_add ("/segment/posix/out-of-resources", Fixture, GINT_TO_POINTER (SHMLAB_BACKEND_POSIX),
              fixture_setup, test_out_of_resources, fixture_teardown);
  g_test_add ("/segment/sysv/no-sysv", Fixture, GINT_TO_POINTER (SHMLAB_BACKEND_SYSV),
              fixture_setup, test_no_sysv, fixture_teardown);
  g_test_add ("/segment/sysv/symlink-key-file", Fixture, GINT_TO_POINTER (SHMLAB_BACKEND_SYSV),
              fixture_setup, test_symlink_key_file, fixture_teardown);
  return g_test_run ();
}
