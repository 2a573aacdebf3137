/* test-file-backend.c — what only the File backend meets: a file cut short
 * while mapped, something else planted at the file's path, a full disk, and
 * a file named by its path
 *
 * Everything the other backends do, File does too: the tests that iterate
 * the backend table run it as well.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-test-util.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shmlab-key.h"
#include "shmlab-qt-key.h"
#include "shmlab-segment.h"

#define SEGMENT_SIZE (64 * 1024)

#if defined(__SANITIZE_ADDRESS__)
#define HAVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_ASAN 1
#endif
#endif

static ShmlabSegment *
segment_for (const char *key)
{
  ShmlabSegment *segment = shmlab_segment_new (SHMLAB_BACKEND_FILE);
  g_autoptr(GError) error = NULL;

  g_assert_true (shmlab_segment_set_key (segment, key, &error));
  g_assert_no_error (error);
  return segment;
}

/* Another program cuts the file short while it is mapped: the next lock
 * says so, and touching the pages past the new end reads zeros instead of
 * killing the process with SIGBUS; the copy then says it is not the file's. */
static void
test_truncated_while_mapped (void)
{
  g_autofree char *key = shmlab_test_unique_key ("cut");
  g_autoptr(ShmlabSegment) writer = segment_for (key);
  g_autoptr(ShmlabSegment) reader = segment_for (key);
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *copy = g_malloc (SEGMENT_SIZE);
  guint8 *data;

  g_assert_true (shmlab_segment_create (writer, SEGMENT_SIZE, SHMLAB_ACCESS_READ_WRITE, NULL,
                                        &error));
  g_assert_no_error (error);
  data = shmlab_segment_get_data (writer);
  memset (data, 0x5a, SEGMENT_SIZE);
  g_assert_true (shmlab_segment_attach (reader, SHMLAB_ACCESS_READ_ONLY, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (shmlab_segment_check_intact (reader, &error));
  g_assert_no_error (error);

  /* `truncate -s 4096 FILE` from outside. */
  g_assert_cmpint (truncate (shmlab_segment_get_native_key (reader), 4096), ==, 0);

  /* The lock finds it out before anything is read. */
  g_assert_false (shmlab_segment_lock (reader, NULL, &error));
  g_assert_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_TRUNCATED);
  g_assert_nonnull (strstr (error->message, "4096 bytes"));
  g_assert_nonnull (strstr (error->message, "cut it short"));
  g_assert_nonnull (strstr (error->message, "SIGBUS"));
  g_assert_false (shmlab_segment_is_locked (reader));
  g_clear_error (&error);

  /* A copy of everything mapped (as one made before the cut would go on):
   * the process lives, and the copy is known not to be the file's. */
  memcpy (copy, shmlab_segment_get_const_data (reader), SEGMENT_SIZE);
  g_assert_cmpuint (copy[SEGMENT_SIZE - 1], ==, 0);
  g_assert_false (shmlab_segment_check_intact (reader, &error));
  g_assert_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_TRUNCATED);
  g_assert_nonnull (strstr (error->message, "zeros"));
  g_clear_error (&error);

  /* A write past the new end does not kill the writer either. */
  data[SEGMENT_SIZE - 1] = 1;
  g_assert_false (shmlab_segment_check_intact (writer, &error));
  g_assert_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_TRUNCATED);
  g_clear_error (&error);

  /* Both let go cleanly, and the file goes by name. */
  g_assert_true (shmlab_segment_detach (reader, &error));
  g_assert_true (shmlab_segment_detach (writer, &error));
  g_assert_no_error (error);
  g_assert_true (shmlab_segment_remove_key (key, SHMLAB_BACKEND_FILE, FALSE, &error));
  g_assert_no_error (error);
}

/* A SIGBUS that is not at a guarded mapping is not ShmLab's to hide: the
 * process dies of it as it would without the guard. */
static void
test_other_sigbus_kills (void)
{
  g_autofree char *key = shmlab_test_unique_key ("guarded");
  g_autofree char *path = g_build_filename (shmlab_test_get_temp_dir (), "plain", NULL);
  int status;
  pid_t pid = fork ();

  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      ShmlabSegment *segment = shmlab_segment_new (SHMLAB_BACKEND_FILE);
      volatile guint8 *plain;
      int fd;

      /* This child dies on purpose: it must not clean up the test's temp dir. */
      signal (SIGABRT, SIG_DFL);
      signal (SIGTRAP, SIG_DFL);
      signal (SIGSEGV, SIG_DFL);

      /* A guard is in place for the segment… */
      if (!shmlab_segment_set_key (segment, key, NULL) ||
          !shmlab_segment_create (segment, 4096, SHMLAB_ACCESS_READ_WRITE, NULL, NULL))
        _exit (3);
      /* …and a mapping of another file is cut short. */
      fd = open (path, O_RDWR | O_CREAT | O_TRUNC, 0600);
      if (fd < 0 || ftruncate (fd, 8192) != 0)
        _exit (4);
      plain = mmap (NULL, 8192, PROT_READ, MAP_SHARED, fd, 0);
      if (plain == MAP_FAILED || ftruncate (fd, 0) != 0)
        _exit (5);
      _exit (plain[4096] == 0 ? 0 : 6);  /* SIGBUS */
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
#ifdef HAVE_ASAN
  /* AddressSanitizer's own SIGBUS handler, which the guard passes the
   * fault on to, reports it, then aborts or exits with its error status. */
  g_assert_true ((WIFSIGNALED (status) && (WTERMSIG (status) == SIGABRT ||
                                           WTERMSIG (status) == SIGBUS)) ||
                 (WIFEXITED (status) && WEXITSTATUS (status) == 1));
#else
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, SIGBUS);
#endif
  shmlab_segment_remove_key (key, SHMLAB_BACKEND_FILE, TRUE, NULL);
}

/* A stream on a file, cut short by another program while the writer
 * streams and a reader follows: both live on and say what happened. */
static void
test_truncated_stream (void)
{
  g_autofree char *key = shmlab_test_unique_key ("cutstream");
  g_autoptr(ShmlabKey) value = shmlab_key_new (key, SHMLAB_BACKEND_FILE, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) writer = NULL;
  g_autoptr(GSubprocess) follower = NULL;
  g_autoptr(GDataInputStream) err = NULL;
  g_autoptr(GDataInputStream) writer_lines = NULL;
  g_autoptr(GString) writer_err = g_string_new (NULL);
  g_autoptr(GString) follower_err = g_string_new (NULL);
  gboolean cut = FALSE, streaming = FALSE;

  writer = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                             &error, shmlab_test_cli_path (), "stream", key, "--backend", "file",
                             "--size", "64x48", "--fps", "50", "--frames", "3000", NULL);
  g_assert_no_error (error);
  /* The stream's file is there once the writer says it streams. */
  writer_lines = g_data_input_stream_new (g_subprocess_get_stderr_pipe (writer));
  while (!streaming)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (writer_lines, NULL, NULL, &error);

      g_assert_no_error (error);
      if (line == NULL)
        shmlab_test_fail ("shmlab stream ended before it streamed:\n%s", writer_err->str);
      g_string_append_printf (writer_err, "%s\n", line);
      streaming = g_str_has_prefix (line, "streaming");
    }
  follower = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error, shmlab_test_cli_path (), "follow", key, "--backend", "file",
                               "--seconds", "60", NULL);
  g_assert_no_error (error);
  g_usleep (500 * 1000);

  /* `truncate -s 100 FILE` from outside. */
  g_assert_cmpint (truncate (shmlab_key_get_segment_name (value), 100), ==, 0);

  err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (follower));
  while (TRUE)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (err, NULL, NULL, &error);

      g_assert_no_error (error);
      if (line == NULL)
        break;
      g_string_append_printf (follower_err, "%s\n", line);
      cut = cut || strstr (line, "cut it short") != NULL;
    }
  g_test_message ("follow said:\n%s", follower_err->str);
  g_assert_true (g_subprocess_wait (follower, NULL, &error));
  g_assert_false (g_subprocess_get_if_signaled (follower));
  g_assert_cmpint (g_subprocess_get_exit_status (follower), ==, 1);
  g_assert_true (cut);

  while (TRUE)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (writer_lines, NULL, NULL, &error);

      g_assert_no_error (error);
      if (line == NULL)
        break;
      g_string_append_printf (writer_err, "%s\n", line);
    }
  g_assert_true (g_subprocess_wait (writer, NULL, &error));
  g_test_message ("stream said:\n%s", writer_err->str);
  g_assert_false (g_subprocess_get_if_signaled (writer));
  g_assert_cmpint (g_subprocess_get_exit_status (writer), ==, 1);
  g_assert_nonnull (strstr (writer_err->str, "cut it short"));
  shmlab_segment_remove_key (key, SHMLAB_BACKEND_FILE, TRUE, NULL);
}

/* At the file's path, something that is not a plain file of this user:
 * create and attach refuse it by name, and leave it as it was. */
static void
test_planted (void)
{
  struct { const char *what; const char *said; } kinds[] = {
    { "symlink", "a symbolic link" },
    { "directory", "a directory" },
    { "fifo", "a FIFO" },
    { "device", "a device" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *key = shmlab_test_unique_key (kinds[i].what);
      g_autoptr(ShmlabSegment) writer = segment_for (key);
      g_autoptr(ShmlabSegment) reader = segment_for (key);
      const char *path = shmlab_segment_get_native_key (writer);
      g_autoptr(GError) error = NULL;
      struct stat before, after;

      if (g_str_equal (kinds[i].what, "symlink"))
        g_assert_cmpint (symlink ("/etc/passwd", path), ==, 0);
      else if (g_str_equal (kinds[i].what, "directory"))
        g_assert_cmpint (mkdir (path, 0700), ==, 0);
      else if (g_str_equal (kinds[i].what, "fifo"))
        g_assert_cmpint (mkfifo (path, 0600), ==, 0);
      else if (mknod (path, S_IFCHR | 0600, makedev (1, 3)) != 0)
        {
          /* Only root makes devices: /dev/null's twin. */
          g_test_message ("no device planted (%s): not root", g_strerror (errno));
          continue;
        }
      g_assert_cmpint (lstat (path, &before), ==, 0);

      g_assert_false (shmlab_segment_create (writer, 4096, SHMLAB_ACCESS_READ_WRITE, NULL, &error));
      g_assert_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_KEY_ERROR);
      g_assert_nonnull (strstr (error->message, kinds[i].said));
      g_assert_nonnull (strstr (error->message, path));
      g_clear_error (&error);
      g_assert_false (shmlab_segment_attach (reader, SHMLAB_ACCESS_READ_ONLY, NULL, &error));
      g_assert_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_KEY_ERROR);
      g_assert_nonnull (strstr (error->message, kinds[i].said));
      g_clear_error (&error);

      g_assert_cmpint (lstat (path, &after), ==, 0);
      g_assert_cmpuint (after.st_ino, ==, before.st_ino);
      g_assert_cmpuint (after.st_mode, ==, before.st_mode);
      g_assert_true (g_file_test ("/etc/passwd", G_FILE_TEST_IS_REGULAR));
      if (S_ISDIR (after.st_mode))
        g_assert_cmpint (rmdir (path), ==, 0);
      else
        g_assert_cmpint (unlink (path), ==, 0);
    }
}

/* A native key names the file itself: at a path typed in full, or in the
 * runtime dir; "file:PATH" is its string form. */
static void
test_native_path (void)
{
  g_autofree char *path = g_build_filename (shmlab_test_get_temp_dir (), "video-frame.bin", NULL);
  g_autofree char *string_form = g_strconcat ("file:", path, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabKey) key = shmlab_key_new_full (path, SHMLAB_BACKEND_FILE,
                                                  SHMLAB_KEY_KIND_QT_NATIVE, &error);
  g_autoptr(ShmlabKey) pasted = NULL;
  g_autoptr(ShmlabSegment) segment = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *out = NULL, *err = NULL;
  gsize length;
  int status;

  g_assert_no_error (error);
  g_assert_cmpstr (shmlab_key_get_segment_name (key), ==, path);
  g_assert_cmpstr (shmlab_key_get_semaphore_name (key), ==, path);
  g_assert_cmpstr (shmlab_key_get_name (key), ==, string_form);
  /* Qt has no such key: no string form of Qt's. */
  g_assert_null (shmlab_key_to_qt_string (key));

  pasted = shmlab_key_new_full (string_form, SHMLAB_BACKEND_SYSV, SHMLAB_KEY_KIND_QT_LEGACY,
                                &error);
  g_assert_no_error (error);
  g_assert_cmpint (shmlab_key_get_backend (pasted), ==, SHMLAB_BACKEND_FILE);
  g_assert_true (shmlab_key_equal (key, pasted));

  segment = shmlab_segment_new_for_key (key);
  g_assert_true (shmlab_segment_create (segment, 16, SHMLAB_ACCESS_READ_WRITE, NULL, &error));
  g_assert_no_error (error);
  memcpy (shmlab_segment_get_data (segment), "hexdump shows me", 16);
  g_assert_true (shmlab_segment_detach (segment, &error));

  /* The bytes are the file's, for any program to read. */
  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  g_assert_cmpuint (length, ==, 16);
  g_assert_cmpmem (contents, length, "hexdump shows me", 16);

  /* The command reads it by its string form, and removes it. */
  g_assert_true (shmlab_test_run_cli (&out, &err, &status, "read", string_form, "--raw", "-q",
                                      NULL));
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (out, ==, "hexdump shows me");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_true (shmlab_test_run_cli (&out, &err, &status, "remove", string_form, NULL));
  g_assert_cmpint (status, ==, 0);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  /* A relative name lives in the runtime dir; "/" at the end names a directory. */
  {
    g_autofree char *runtime = g_build_filename (shmlab_test_get_temp_dir (), "runtime", NULL);
    g_autofree char *expected = g_build_filename (runtime, "demo", NULL);
    g_autoptr(ShmlabKey) relative = NULL;
    g_autoptr(ShmlabKey) dir = NULL;
    g_autofree char *old = g_strdup (g_getenv ("XDG_RUNTIME_DIR"));

    g_assert_cmpint (mkdir (runtime, 0700), ==, 0);
    g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
    relative = shmlab_key_new_full ("demo", SHMLAB_BACKEND_FILE, SHMLAB_KEY_KIND_QT_NATIVE, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (shmlab_key_get_segment_name (relative), ==, expected);
    dir = shmlab_key_new_full ("/tmp/", SHMLAB_BACKEND_FILE, SHMLAB_KEY_KIND_QT_NATIVE, &error);
    g_assert_null (dir);
    g_assert_error (error, SHMLAB_QT_KEY_ERROR, SHMLAB_QT_KEY_ERROR_NOT_A_FILE);
    g_clear_error (&error);
    if (old != NULL)
      g_setenv ("XDG_RUNTIME_DIR", old, TRUE);
    else
      g_unsetenv ("XDG_RUNTIME_DIR");
  }
}

/* The disk is full: a clear message that names the disk and its free
 * space, and nothing half-made left — for a key's file in the temp dir
 * and for a file at a path. A tmpfs of DISK_SIZE, mounted in a mount
 * namespace of the child's own, plays the disk. */
#define DISK_SIZE (256 * 1024)

static int
disk_full_child (void)
{
  g_autofree char *disk = g_build_filename (shmlab_test_get_temp_dir (), "disk", NULL);
  g_autofree char *options = g_strdup_printf ("size=%d,mode=0700", DISK_SIZE);
  g_autofree char *at_path = NULL;
  g_autofree char *key = NULL;
  g_autoptr(ShmlabKey) native = NULL;
  g_autoptr(ShmlabSegment) legacy = NULL;
  g_autoptr(ShmlabSegment) placed = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;

  if (unshare (CLONE_NEWNS) != 0 || mount ("none", "/", "none", MS_REC | MS_PRIVATE, NULL) != 0 ||
      mkdir (disk, 0700) != 0 ||
      mount ("shmlabtest", disk, "tmpfs", MS_NOSUID | MS_NODEV, options) != 0)
    {
      g_printerr ("cannot mount a small disk: %s\n", g_strerror (errno));
      return 3;
    }
  g_setenv ("TMPDIR", disk, TRUE);

  /* A key's file, in the temp dir: refused before anything is made. */
  key = shmlab_test_unique_key ("full");
  legacy = segment_for (key);
  if (shmlab_segment_create (legacy, 1024 * 1024, SHMLAB_ACCESS_READ_WRITE, NULL, &error) ||
      !g_error_matches (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_OUT_OF_RESOURCES) ||
      strstr (error->message, "does not fit on the disk of") == NULL ||
      strstr (error->message, disk) == NULL)
    {
      g_printerr ("legacy key: %s\n", error ? error->message : "created");
      return 4;
    }
  g_clear_error (&error);

  /* A file at a path: the disk says no when the file is sized. */
  at_path = g_build_filename (disk, "big.bin", NULL);
  native = shmlab_key_new_full (at_path, SHMLAB_BACKEND_FILE, SHMLAB_KEY_KIND_QT_NATIVE, &error);
  placed = native != NULL ? shmlab_segment_new_for_key (native) : NULL;
  if (placed == NULL ||
      shmlab_segment_create (placed, 1024 * 1024, SHMLAB_ACCESS_READ_WRITE, NULL, &error) ||
      !g_error_matches (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_OUT_OF_RESOURCES) ||
      strstr (error->message, "does not fit on the disk of") == NULL ||
      strstr (error->message, "free") == NULL)
    {
      g_printerr ("file at a path: %s\n", error ? error->message : "created");
      return 5;
    }
  g_printerr ("%s\n", error->message);
  g_clear_error (&error);

  /* A segment that fits still does, and nothing of the refused ones is left. */
  if (!shmlab_segment_create (legacy, 4096, SHMLAB_ACCESS_READ_WRITE, NULL, &error) ||
      !shmlab_segment_detach (legacy, &error) ||
      !shmlab_segment_remove_key (key, SHMLAB_BACKEND_FILE, FALSE, &error))
    {
      g_printerr ("a small one: %s\n", error ? error->message : "?");
      return 6;
    }
  g_clear_object (&placed);
  dir = g_dir_open (disk, 0, NULL);
  if (dir == NULL || g_dir_read_name (dir) != NULL)
    {
      g_printerr ("something was left on the disk\n");
      return 7;
    }
  return 0;
}

static void
test_disk_full (void)
{
  int status;
  pid_t pid;

  if (geteuid () != 0)
    {
      g_test_skip ("a small disk is mounted in a private mount namespace, which needs root "
                   "(CI runs as root)");
      return;
    }
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    _exit (disk_full_child ());
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
}

int
main (int argc, char **argv)
{
  shmlab_test_init (&argc, &argv);
  g_test_add_func ("/file/truncated-while-mapped", test_truncated_while_mapped);
  g_test_add_func ("/file/other-sigbus-kills", test_other_sigbus_kills);
  g_test_add_func ("/file/truncated-stream", test_truncated_stream);
  g_test_add_func ("/file/planted", test_planted);
  g_test_add_func ("/file/native-path", test_native_path);
  g_test_add_func ("/file/disk-full", test_disk_full);
  return g_test_run ();
}
