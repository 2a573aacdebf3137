/* shmlab-test-util.c — what every test program shares
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-test-util.h"

#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "shmlab-segment.h"

static char *temp_dir;
static GPtrArray *tracked_keys;
static guint key_counter;

static void
cleanup_on_signal (int signum)
{
  /* A failed g_assert() aborts, a g_error() traps: remove what the test made before dying. */
  shmlab_test_cleanup ();
  signal (signum, SIG_DFL);
  raise (signum);
}

/* Qt's legacy System V names go through ftok(), which keeps only 16 bits
 * of a key file's inode. On a disk file system the inodes of files in two
 * directories are far apart and in no order, so two test programs running
 * side by side can get one IPC key for two different names, and meet in
 * one segment. tmpfs numbers its inodes in order: key files made within a
 * run never share those 16 bits unless 65536 files were made between them.
 * So the private temp dir goes to /dev/shm when it is a tmpfs. */
static char *
make_temp_dir (void)
{
  g_autoptr(GError) error = NULL;
  struct statfs fs;
  char *dir;

  if (statfs ("/dev/shm", &fs) == 0 && fs.f_type == TMPFS_MAGIC)
    {
      dir = g_strdup ("/dev/shm/shmlab-test-XXXXXX");
      if (g_mkdtemp_full (dir, 0700) != NULL)
        return dir;
      g_free (dir);
    }
  dir = g_dir_make_tmp ("shmlab-test-XXXXXX", &error);
  g_assert_no_error (error);
  return dir;
}

/**
 * shmlab_test_init:
 *
 * g_test_init() plus a private TMPDIR (so Qt-style key files stay in it) and
 * a cleanup that runs at exit and on abort.
 */
void
shmlab_test_init (int    *argc,
                  char ***argv)
{
  g_test_init (argc, argv, NULL);

  temp_dir = make_temp_dir ();
  g_setenv ("TMPDIR", temp_dir, TRUE);
  tracked_keys = g_ptr_array_new_with_free_func (g_free);

  atexit (shmlab_test_cleanup);
  signal (SIGABRT, cleanup_on_signal);
  /* g_error() and G_DEBUG=fatal-warnings end a test with SIGTRAP. */
  signal (SIGTRAP, cleanup_on_signal);
  signal (SIGSEGV, cleanup_on_signal);
  signal (SIGTERM, cleanup_on_signal);
  signal (SIGINT, cleanup_on_signal);
}

const char *
shmlab_test_get_temp_dir (void)
{
  return temp_dir;
}

/* A key no other test or run uses, tracked for removal. */
char *
shmlab_test_unique_key (const char *stem)
{
  char *key = g_strdup_printf (SHMLAB_TEST_KEY_PREFIX "-%s-%d-%u", stem, (int) getpid (),
                               ++key_counter);
  shmlab_test_track_key (key);
  return key;
}

void
shmlab_test_track_key (const char *key)
{
  g_ptr_array_add (tracked_keys, g_strdup (key));
}

/* Removes @path and, when it is a directory, what it holds (never
 * following a symbolic link). */
void
shmlab_test_remove_tree (const char *path)
{
  GDir *dir;
  const char *name;

  if (g_unlink (path) == 0 || g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    return;
  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      shmlab_test_remove_tree (child);
    }
  if (dir != NULL)
    g_dir_close (dir);
  g_rmdir (path);
}

/* Removes the System V segment and semaphore whose key ftok() gives for
 * every file under @path: what a program the test ran made under a key the
 * test did not track (a benchmark's, a stream's). */
static void
remove_sysv_of_files (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      key_t ipc_key;
      int id;

      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR) || (ipc_key = ftok (path, 'Q')) == -1)
        return;
      if ((id = shmget (ipc_key, 0, 0)) >= 0)
        shmctl (id, IPC_RMID, NULL);
      if ((id = semget (ipc_key, 0, 0)) >= 0)
        semctl (id, 0, IPC_RMID);
      return;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (!g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_sysv_of_files (child);
    }
  g_dir_close (dir);
}

/* Removes every tracked key's segment, semaphore and key files on both
 * backends, then whatever System V object a file left in the temp dir
 * names, then the temp dir. Safe to call more than once. */
void
shmlab_test_cleanup (void)
{
  if (tracked_keys != NULL)
    {
      for (guint i = 0; i < tracked_keys->len; i++)
        {
          const char *key = g_ptr_array_index (tracked_keys, i);
          guint n_backends;
          const ShmlabBackend *backends = shmlab_backend_all (&n_backends);

          for (guint b = 0; b < n_backends; b++)
            {
              g_autoptr(ShmlabKey) native = shmlab_key_new_full (key, backends[b],
                                                                 SHMLAB_KEY_KIND_QT_NATIVE, NULL);

              shmlab_segment_remove_key (key, backends[b], TRUE, NULL);
              /* The same name as a native key: /dev/shm/NAME, or NAME in the runtime dir. */
              if (native != NULL)
                shmlab_segment_remove_for_key (native, TRUE, NULL);
            }
        }
      g_ptr_array_set_size (tracked_keys, 0);
    }

  if (temp_dir != NULL)
    {
      remove_sysv_of_files (temp_dir);
      shmlab_test_remove_tree (temp_dir);
      g_clear_pointer (&temp_dir, g_free);
    }
}

/* An opaque picture with a different colour at every pixel, so that a
 * pixel out of place shows. */
ShmlabImage *
shmlab_test_gradient_new (guint32 width,
                          guint32 height)
{
  g_autoptr(GError) error = NULL;
  ShmlabImage *image = shmlab_image_new (width, height, &error);

  g_assert_no_error (error);
  for (guint32 y = 0; y < height; y++)
    for (guint32 x = 0; x < width; x++)
      {
        guint8 *p = image->pixels + (gsize) y * image->stride + (gsize) x * 4;
        p[0] = (x * 255) / MAX (width - 1, 1);
        p[1] = (y * 255) / MAX (height - 1, 1);
        p[2] = (x * 7 + y * 13) & 0xff;
        p[3] = 255;
      }
  return image;
}

char *
shmlab_test_build_file (const char *name)
{
  return g_test_build_filename (G_TEST_BUILT, name, NULL);
}

char *
shmlab_test_source_file (const char *first_part,
                         ...)
{
  va_list ap;
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  const char *part;

  g_ptr_array_add (parts, (gpointer) g_test_get_dir (G_TEST_DIST));
  va_start (ap, first_part);
  for (part = first_part; part != NULL; part = va_arg (ap, const char *))
    g_ptr_array_add (parts, (gpointer) part);
  va_end (ap);
  g_ptr_array_add (parts, NULL);
  return g_build_filenamev ((char **) parts->pdata);
}

const char *
shmlab_test_cli_path (void)
{
  const char *path = g_getenv ("SHMLAB_CLI");
  g_assert_nonnull (path);
  return path;
}

/**
 * shmlab_test_run_cli:
 *
 * Runs `shmlab ARGS…` to completion, capturing its output. Returns FALSE only
 * when it could not be started.
 */
gboolean
shmlab_test_run_cli (char       **out,
                     char       **err,
                     int         *status,
                     const char  *first_arg,
                     ...)
{
  va_list ap;
  gboolean ok;

  va_start (ap, first_arg);
  ok = shmlab_test_run_cliv (out, err, status, first_arg, ap);
  va_end (ap);
  return ok;
}

/* As shmlab_test_run_cli(), for a test's own helper that takes arguments. */
gboolean
shmlab_test_run_cliv (char       **out,
                      char       **err,
                      int         *status,
                      const char  *first_arg,
                      va_list      ap)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *arg;
  int wait_status = 0;
  gboolean ok;

  g_ptr_array_add (argv, (gpointer) shmlab_test_cli_path ());
  for (arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  g_ptr_array_add (argv, NULL);

  ok = g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err,
                     &wait_status, &error);
  g_assert_no_error (error);
  /* No run of shmlab should die of a signal: say what it printed before it did. */
  if (WIFSIGNALED (wait_status) || (WIFEXITED (wait_status) && WEXITSTATUS (wait_status) > 2))
    g_test_message ("shmlab %s died (wait status %d); its stderr:\n%s", first_arg, wait_status,
                    err && *err ? *err : "(not captured)");
  if (status != NULL)
    *status = WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : 128 + WTERMSIG (wait_status);
  return ok;
}

static gboolean
keep_waking (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/**
 * shmlab_test_spin_until:
 *
 * Runs the default main context until @condition holds, or @seconds have
 * passed. A wake-up every 20 ms sees what a worker thread changed without
 * telling the main context. The bound fails a test, it never paces one.
 *
 * Returns: whether @condition holds
 */
gboolean
shmlab_test_spin_until (ShmlabTestCondition condition,
                        gpointer            data,
                        guint               seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;
  guint wake = g_timeout_add (20, keep_waking, NULL);
  gboolean holds;

  while (!(holds = condition (data)) && g_get_monotonic_time () <= deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
  return holds;
}

/**
 * shmlab_test_wait_until_at:
 *
 * shmlab_test_spin_until(), failing the test as an assertion at @file:@line
 * ("gave up waiting for @what") when @condition does not come to hold.
 * Called through the shmlab_test_wait_until() macro.
 */
void
shmlab_test_wait_until_at (const char          *file,
                           int                  line,
                           const char          *func,
                           ShmlabTestCondition  condition,
                           gpointer             data,
                           guint                seconds,
                           const char          *what)
{
  if (!shmlab_test_spin_until (condition, data, seconds))
    {
      g_autofree char *message = g_strdup_printf ("gave up waiting for %s (%u s)", what,
                                                  seconds);
      g_assertion_message (G_LOG_DOMAIN, file, line, func, message);
    }
}

/* Conditions for shmlab_test_spin_until() on a #ShmlabKey: the system says
 * its segment is gone, or there (looked at without attaching). */
gboolean
shmlab_test_segment_gone (gpointer key)
{
  ShmlabSegmentInfo info = { 0 };
  gboolean gone = shmlab_segment_query_for_key (key, &info, NULL) && !info.exists;

  shmlab_segment_info_clear (&info);
  return gone;
}

gboolean
shmlab_test_segment_there (gpointer key)
{
  return !shmlab_test_segment_gone (key);
}

/* Conditions for shmlab_test_spin_until(): a gboolean set, a pointer set or cleared. */
gboolean
shmlab_test_flag_set (gpointer data)
{
  return *(gboolean *) data;
}

gboolean
shmlab_test_pointer_set (gpointer data)
{
  return *(gpointer *) data != NULL;
}

gboolean
shmlab_test_pointer_cleared (gpointer data)
{
  return *(gpointer *) data == NULL;
}

/* A condition: the test holds the last reference to the GObject @object. */
gboolean
shmlab_test_only_test_holds (gpointer object)
{
  return G_OBJECT (object)->ref_count == 1;
}

/* A GAsyncReadyCallback keeping a reference to the result in the
 * GAsyncResult * that @user_data points to. */
void
shmlab_test_store_result (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* How many times @needle stands in @haystack, overlaps counted. */
guint
shmlab_test_count_occurrences (const char *haystack,
                               const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (haystack, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

/**
 * shmlab_test_start_lock_holder:
 *
 * `shmlab lock KEY` in another process, holding the lock until its standard
 * input closes; returns once it has the lock.
 */
GSubprocess *
shmlab_test_start_lock_holder (const char    *key,
                               ShmlabBackend  backend)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) err = NULL;
  GSubprocess *holder;
  gboolean locked = FALSE;

  holder = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE |
                               G_SUBPROCESS_FLAGS_STDOUT_SILENCE,
                             &error, shmlab_test_cli_path (), "lock", key, "--backend",
                             shmlab_backend_to_string (backend), NULL);
  g_assert_no_error (error);
  err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (holder));
  /* It still writes when it lets go: keep the pipe open until it ends. */
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (err), FALSE);
  while (!locked)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (err, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line); /* it ended without the lock: its messages are above */
      g_test_message ("shmlab lock: %s", line);
      locked = g_str_has_prefix (line, "locked");
    }
  return holder;
}

/* Tells the holder to let go, and waits until it has. */
void
shmlab_test_release_lock_holder (GSubprocess *holder)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (g_output_stream_close (g_subprocess_get_stdin_pipe (holder), NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (holder, NULL, &error));
  g_assert_no_error (error);
}

/* What /proc says @process is called: "shmlab", or the name of a tool that
 * runs it (valgrind's "memcheck-amd64-"). */
char *
shmlab_test_process_name (GSubprocess *process)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/comm", g_subprocess_get_identifier (process));
  g_autoptr(GError) error = NULL;
  char *name = NULL;

  g_assert_true (g_file_get_contents (path, &name, NULL, &error));
  g_assert_no_error (error);
  return g_strchomp (name);
}
