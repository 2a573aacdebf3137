/* test-gui-e2e.c — the Writer and the Reader as real processes, with each
 * other, with the shmlab command and with a Qt program using QSharedMemory:
 * what one writes, the other shows; a held lock makes the Reader wait, or
 * give up after its timeout; each app opened, used from the keyboard and
 * closed ends with status 0 and no sanitizer report
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-test-util.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include <X11/Xatom.h>
#include <X11/Xlib.h>
#include <X11/extensions/XTest.h>
#include <X11/keysym.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "shmlab-image.h"
#include "shmlab-payload.h"
#include "shmlab-image-loader.h"
#include "shmlab-png.h"
#include "shmlab-segment.h"

/* Bounds every wait; reaching it fails the test, it never makes one pass. */
#define WAIT_SECONDS 60

/* Assertions do not abort (so every process is killed at the end of the
 * test): what cannot go on without a value returns. */
#define require(expr) \
  G_STMT_START \
  { \
    if (!(expr)) \
      { \
        g_test_fail_printf ("%s:%d: “%s” does not hold", __FILE__, __LINE__, #expr); \
        return; \
      } \
  } \
  G_STMT_END

/* A program the test started, and everything it printed (stdout and stderr). */
typedef struct
{
  char *name;
  GSubprocess *process;
  GDataInputStream *output;
  GString *transcript;
  gboolean exited;
  gboolean reaped;
  int status;
} Proc;

static gint64
deadline_in (int seconds)
{
  return g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;
}

static void
proc_exited (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Proc *proc = user_data;
  GSubprocess *process = G_SUBPROCESS (source);

  g_subprocess_wait_finish (process, result, NULL);
  if (g_subprocess_get_if_exited (process))
    proc->status = g_subprocess_get_exit_status (process);
  else if (g_subprocess_get_if_signaled (process))
    proc->status = 128 + g_subprocess_get_term_sig (process);
  proc->reaped = TRUE;
}

static char *proc_read_line (Proc *proc);

static void
proc_free (gpointer data)
{
  Proc *proc = data;

  if (proc->process != NULL)
    {
      if (!proc->reaped)
        g_subprocess_force_exit (proc->process);
      /* Its wait callback still points at this: let it run first. */
      shmlab_test_spin_until (shmlab_test_flag_set, &proc->reaped, WAIT_SECONDS);
      /* After a failure, what it said that no one read yet, for the log. */
      if (g_test_failed ())
        for (char *line = proc_read_line (proc); line != NULL; line = proc_read_line (proc))
          g_free (line);
    }
  if (proc->transcript->len > 0)
    g_test_message ("%s said:\n%s", proc->name, proc->transcript->str);
  g_clear_object (&proc->output);
  g_clear_object (&proc->process);
  g_string_free (proc->transcript, TRUE);
  g_free (proc->name);
  g_free (proc);
}

/**
 * proc_start:
 * @argv: the program and its arguments
 *
 * Starts a program with pipes for its stdin and output; it is killed when
 * the test ends, passed or failed.
 */
static void
die_with_parent (gpointer user_data)
{
  /* Should the test program crash, nothing it started outlives it. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static Proc *
proc_start (const char *const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  Proc *proc = g_new0 (Proc, 1);
  g_autofree char *line = g_strjoinv (" ", (char **) argv);

  proc->name = g_path_get_basename (argv[0]);
  proc->transcript = g_string_new (NULL);
  g_test_message ("starting %s", line);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  proc->process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_test_queue_destroy (proc_free, proc);
  if (proc->process == NULL)
    {
      g_test_fail_printf ("cannot start %s: %s", proc->name, error->message);
      g_autoptr(GInputStream) nothing = g_memory_input_stream_new ();

      proc->reaped = TRUE;
      proc->output = g_data_input_stream_new (nothing);
      return proc;
    }
  proc->output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc->process));
  g_subprocess_wait_async (proc->process, NULL, proc_exited, proc);
  return proc;
}

typedef struct
{
  gboolean done;
  char *line;
  GError *error;
} LineRead;

static void
line_read (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  LineRead *read = user_data;

  read->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result,
                                                          NULL, &read->error);
  read->done = TRUE;
}

/* The next line it prints; NULL at its end, or after WAIT_SECONDS (which fails). */
static char *
proc_read_line (Proc *proc)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  LineRead read = { FALSE, NULL, NULL };

  g_data_input_stream_read_line_async (proc->output, G_PRIORITY_DEFAULT, cancellable, line_read,
                                       &read);
  if (!shmlab_test_spin_until (shmlab_test_flag_set, &read.done, WAIT_SECONDS))
    {
      g_cancellable_cancel (cancellable);
      shmlab_test_spin_until (shmlab_test_flag_set, &read.done, WAIT_SECONDS);
      g_clear_error (&read.error);
      g_free (read.line);
      g_test_fail_printf ("%s printed nothing for %d s", proc->name, WAIT_SECONDS);
      return NULL;
    }
  if (read.error != NULL)
    {
      g_test_message ("reading from %s: %s", proc->name, read.error->message);
      g_clear_error (&read.error);
    }
  if (read.line != NULL)
    {
      g_string_append (proc->transcript, read.line);
      g_string_append_c (proc->transcript, '\n');
    }
  return read.line;
}

/* Reads until a line starting with @prefix, which it returns; NULL if none came. */
static char *
proc_wait_for (Proc       *proc,
               const char *prefix)
{
  for (;;)
    {
      g_autofree char *line = proc_read_line (proc);

      if (line == NULL)
        return NULL;
      if (g_str_has_prefix (line, prefix))
        return g_steal_pointer (&line);
    }
}

/* Reads everything it prints until it exits; returns its exit status. */
static int
proc_finish (Proc *proc)
{
  for (;;)
    {
      g_autofree char *line = proc_read_line (proc);
      if (line == NULL)
        break;
    }
  if (!shmlab_test_spin_until (shmlab_test_flag_set, &proc->reaped, WAIT_SECONDS))
    {
      g_test_fail_printf ("%s did not exit within %d s", proc->name, WAIT_SECONDS);
      return -1;
    }
  return proc->status;
}

/* Closes its stdin (which ends `shmlab write`, `shmlab lock` and the Qt peer). */
static void
proc_close_stdin (Proc *proc)
{
  if (proc->process != NULL)
    g_output_stream_close (g_subprocess_get_stdin_pipe (proc->process), NULL, NULL);
}

static gboolean
contains (const char *haystack,
          const char *needle)
{
  gboolean found = haystack != NULL && strstr (haystack, needle) != NULL;

  if (!found)
    g_test_message ("“%s” not found in: %s", needle, haystack ? haystack : "(null)");
  return found;
}

static const char *
env_path (const char *name)
{
  const char *path = g_getenv (name);

  if (path == NULL)
    g_error ("%s is not set: run this test through meson test", name);
  return path;
}

/* The Reader, reading @key at start; it exits after its screenshot. */
static Proc *
reader_start (const char *key,
              const char *screenshot,
              ...) G_GNUC_NULL_TERMINATED;

static Proc *
reader_start (const char *key,
              const char *screenshot,
              ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  va_list ap;

  g_ptr_array_add (argv, (gpointer) env_path ("SHMLAB_READER"));
  g_ptr_array_add (argv, (gpointer) "--key");
  g_ptr_array_add (argv, (gpointer) key);
  g_ptr_array_add (argv, (gpointer) "--read");
  g_ptr_array_add (argv, (gpointer) "--print-content");
  g_ptr_array_add (argv, (gpointer) "--print-steps");
  g_ptr_array_add (argv, (gpointer) "--screenshot");
  g_ptr_array_add (argv, (gpointer) screenshot);
  va_start (ap, screenshot);
  for (const char *arg = va_arg (ap, const char *); arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  return proc_start ((const char *const *) argv->pdata);
}

/* The Reader's "content:" line, after it exited 0. */
static char *
reader_content (Proc *reader)
{
  g_autofree char *content = proc_wait_for (reader, "content: ");

  g_assert_cmpint (proc_finish (reader), ==, 0);
  g_assert_nonnull (content);
  return g_steal_pointer (&content);
}

static char *
temp_file (const char *name)
{
  return g_build_filename (shmlab_test_get_temp_dir (), name, NULL);
}

/* A screenshot of the window: there, window-sized, and not one flat colour. */
static void
assert_screenshot (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabImage) shot = shmlab_image_load_file (path, NULL, &error);
  gboolean varied = FALSE;
  guint32 first;

  g_assert_no_error (error);
  require (shot != NULL);
  g_assert_cmpuint (shot->width, >=, 800);
  g_assert_cmpuint (shot->height, >=, 500);
  memcpy (&first, shot->pixels, 4);
  for (guint32 y = 0; y < shot->height && !varied; y++)
    for (guint32 x = 0; x < shot->width && !varied; x++)
      {
        guint32 pixel;
        memcpy (&pixel, shot->pixels + (gsize) y * shot->stride + (gsize) x * 4, 4);
        varied = pixel != first;
      }
  g_assert_true (varied);
}

/* Waits (bounded) until @key's segment decodes to a payload, and returns it. */
static ShmlabPayload *
wait_for_segment (const char *key,
                  Proc       *writer)
{
  gint64 deadline = deadline_in (WAIT_SECONDS);

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = shmlab_segment_peek_key (key, SHMLAB_BACKEND_SYSV, 64 * 1024 * 1024,
                                                         1000, NULL, &error);

      if (bytes != NULL && g_bytes_get_size (bytes) > 0)
        {
          ShmlabPayload *payload = shmlab_payload_decode (g_bytes_get_data (bytes, NULL),
                                                          g_bytes_get_size (bytes), NULL);
          if (payload != NULL && (payload->kind == SHMLAB_PAYLOAD_KIND_IMAGE ||
                                  payload->text_length > 0))
            return payload;
          g_clear_pointer (&payload, shmlab_payload_free);
        }
      if (writer->reaped)
        {
          g_test_fail_printf ("%s exited (status %d) before its segment was there", writer->name,
                              writer->status);
          return NULL;
        }
      if (g_get_monotonic_time () > deadline)
        {
          g_test_fail_printf ("%s wrote nothing under “%s” within %d s", writer->name, key,
                              WAIT_SECONDS);
          return NULL;
        }
      /* Let its exit be noticed, then look again. */
      g_main_context_iteration (NULL, FALSE);
      g_usleep (20 * 1000);
    }
}

static Proc *
writer_gui_start (const char *key,
                  const char *first_arg,
                  ...) G_GNUC_NULL_TERMINATED;

static Proc *
writer_gui_start (const char *key,
                  const char *first_arg,
                  ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  va_list ap;

  g_ptr_array_add (argv, (gpointer) env_path ("SHMLAB_WRITER"));
  g_ptr_array_add (argv, (gpointer) "--key");
  g_ptr_array_add (argv, (gpointer) key);
  va_start (ap, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (argv, (gpointer) "--write");
  g_ptr_array_add (argv, NULL);
  return proc_start ((const char *const *) argv->pdata);
}

static Proc *
cli_start (const char *first_arg,
           ...) G_GNUC_NULL_TERMINATED;

static Proc *
cli_start (const char *first_arg,
           ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  va_list ap;

  g_ptr_array_add (argv, (gpointer) env_path ("SHMLAB_CLI"));
  va_start (ap, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  return proc_start ((const char *const *) argv->pdata);
}

/* Why the Qt peer cannot run here, or NULL when it can. */
static char *
qt_missing (void)
{
  static char *reason;
  static gboolean checked;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (checked)
    return reason;
  checked = TRUE;
  {
    g_autofree char *script = shmlab_test_source_file ("qt", "qt-peer.py", NULL);
    const char *argv[] = { env_path ("SHMLAB_PYTHON"), script, "backend", NULL };

    if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                       &status, &error))
      reason = g_strdup_printf ("the Qt peer cannot start: %s", error->message);
    else if (!g_spawn_check_wait_status (status, NULL))
      reason = g_strdup_printf ("the Qt peer does not run (is PyQt5 installed?): %s", err);
    else if (!g_str_has_prefix (out, "sysv"))
      reason = g_strdup_printf ("this Qt does not use System V shared memory: %s", out);
  }
  return reason;
}

static Proc *
qt_start (const char *first_arg,
          ...) G_GNUC_NULL_TERMINATED;

static Proc *
qt_start (const char *first_arg,
          ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *script = shmlab_test_source_file ("qt", "qt-peer.py", NULL);
  va_list ap;

  g_ptr_array_add (argv, (gpointer) env_path ("SHMLAB_PYTHON"));
  g_ptr_array_add (argv, script);
  va_start (ap, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  return proc_start ((const char *const *) argv->pdata);
}

/* What the Reader prints for a text: content: text "C-escaped". */
static char *
content_line_for_text (const char *text)
{
  g_autofree char *escaped = g_strescape (text, NULL);
  return g_strdup_printf ("content: text \"%s\"", escaped);
}

/* What the Reader prints for a picture: its size and the SHA-256 of its RGBA rows. */
static char *
content_line_for_image (const ShmlabImage *image)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  for (guint32 y = 0; y < image->height; y++)
    g_checksum_update (checksum, image->pixels + (gsize) y * image->stride,
                       (gssize) image->width * 4);
  return g_strdup_printf ("content: image %u × %u, sha256 %s", image->width, image->height,
                          g_checksum_get_string (checksum));
}

/* An opaque picture with a different colour in every pixel, saved as PNG. */
static ShmlabImage *
gradient_png (const char *path,
              guint32     width,
              guint32     height)
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
        p[2] = (x * 5 + y * 11) & 0xff;
        p[3] = 255;
      }
  g_assert_true (shmlab_png_write_file (image, path, &error));
  g_assert_no_error (error);
  return image;
}

#define TEXT "Hello from the Writer — 你好"

/* Writer window → Reader window, text. */
static void
test_writer_reader_text (void)
{
  g_autofree char *key = shmlab_test_unique_key ("e2etext");
  g_autofree char *shot = temp_file ("reader-text.png");
  g_autofree char *expected = content_line_for_text (TEXT);
  Proc *writer = writer_gui_start (key, "--text", TEXT, NULL);
  g_autoptr(ShmlabPayload) written = wait_for_segment (key, writer);
  g_autofree char *content = NULL;
  Proc *reader;

  require (written != NULL);
  g_assert_cmpstr (written->text, ==, TEXT);
  reader = reader_start (key, shot, NULL);
  content = reader_content (reader);
  g_assert_cmpstr (content, ==, expected);
  /* The decode step says what it found. */
  g_assert_true (contains (reader->transcript->str, "decode"));
  assert_screenshot (shot);
}

/* Writer window with a PNG file → Reader window, the same pixels. */
static void
test_writer_reader_image (void)
{
  g_autofree char *key = shmlab_test_unique_key ("e2eimage");
  g_autofree char *png = temp_file ("source.png");
  g_autofree char *shot = temp_file ("reader-image.png");
  g_autoptr(ShmlabImage) image = gradient_png (png, 97, 61);
  g_autofree char *expected = content_line_for_image (image);
  Proc *writer = writer_gui_start (key, png, NULL);
  g_autoptr(ShmlabPayload) written = wait_for_segment (key, writer);
  g_autofree char *content = NULL;

  require (written != NULL);
  g_assert_cmpint (written->kind, ==, SHMLAB_PAYLOAD_KIND_IMAGE);
  g_assert_true (shmlab_image_equal (written->image, image));
  content = reader_content (reader_start (key, shot, NULL));
  g_assert_cmpstr (content, ==, expected);
  assert_screenshot (shot);
}

/* `shmlab write` → Reader window. */
static void
test_cli_writer (void)
{
  g_autofree char *key = shmlab_test_unique_key ("e2ecliw");
  g_autofree char *shot = temp_file ("reader-cli.png");
  g_autofree char *expected = content_line_for_text ("written by shmlab");
  Proc *writer = cli_start ("write", key, "--text", "written by shmlab", NULL);
  g_autoptr(ShmlabPayload) written = wait_for_segment (key, writer);
  g_autofree char *content = NULL;

  require (written != NULL);
  content = reader_content (reader_start (key, shot, NULL));
  g_assert_cmpstr (content, ==, expected);
  proc_close_stdin (writer);
  g_assert_cmpint (proc_finish (writer), ==, 0);
}

/* A following Reader keeps the segment alive after the writer leaves, and
 * ends (here on SIGTERM) detached: the last detach removes the segment. */
static void
test_follow_reader_detaches_last (void)
{
  g_autofree char *key = shmlab_test_unique_key ("e2efollow");
  Proc *writer = cli_start ("write", key, "--text", "followed", NULL);
  g_autoptr(ShmlabPayload) written = wait_for_segment (key, writer);
  const char *argv[] = { env_path ("SHMLAB_READER"), "--key", key, "--follow",
                         "--print-content", NULL };
  g_autofree char *content = NULL;
  ShmlabSegmentInfo info;
  Proc *reader;

  require (written != NULL);
  reader = proc_start (argv);
  content = proc_wait_for (reader, "content: ");
  g_assert_nonnull (content);

  proc_close_stdin (writer);
  g_assert_cmpint (proc_finish (writer), ==, 0);
  g_assert_true (shmlab_segment_query_key (key, SHMLAB_BACKEND_SYSV, &info, NULL));
  g_assert_true (info.exists);
  g_assert_cmpint (info.attach_count, ==, 1);

  g_subprocess_send_signal (reader->process, SIGTERM);
  g_assert_cmpint (proc_finish (reader), ==, 0);
  g_assert_true (shmlab_segment_query_key (key, SHMLAB_BACKEND_SYSV, &info, NULL));
  g_assert_false (info.exists);
}

/* Writer window → `shmlab read`. */
static void
test_cli_reader (void)
{
  g_autofree char *key = shmlab_test_unique_key ("e2eclir");
  Proc *writer = writer_gui_start (key, "--text", TEXT, NULL);
  g_autoptr(ShmlabPayload) written = wait_for_segment (key, writer);
  Proc *reader;
  g_autofree char *line = NULL;

  require (written != NULL);
  reader = cli_start ("read", key, "--quiet", NULL);
  line = proc_read_line (reader);
  g_assert_cmpstr (line, ==, TEXT);
  g_assert_cmpint (proc_finish (reader), ==, 0);
}

/* The Qt text demo's writer → Reader window; the Qt example's image writer too. */
static void
test_qt_writer (void)
{
  g_autofree char *key = shmlab_test_unique_key ("e2eqtw");
  g_autofree char *image_key = shmlab_test_unique_key ("e2eqtwimg");
  g_autofree char *png = temp_file ("qt-source.png");
  g_autofree char *shot = temp_file ("reader-qt.png");
  g_autofree char *expected_text = content_line_for_text ("written by Qt");
  g_autoptr(ShmlabImage) image = NULL;
  g_autofree char *expected_image = NULL;
  g_autofree char *ready = NULL;
  g_autofree char *content = NULL;
  Proc *peer;

  if (qt_missing () != NULL)
    {
      g_test_skip (qt_missing ());
      return;
    }

  peer = qt_start ("write-text", key, "written by Qt", NULL);
  ready = proc_wait_for (peer, "ready");
  require (ready != NULL);
  content = reader_content (reader_start (key, shot, NULL));
  g_assert_cmpstr (content, ==, expected_text);
  proc_close_stdin (peer);
  g_assert_cmpint (proc_finish (peer), ==, 0);

  image = gradient_png (png, 40, 30);
  expected_image = content_line_for_image (image);
  g_clear_pointer (&ready, g_free);
  g_clear_pointer (&content, g_free);
  peer = qt_start ("write-image", image_key, png, NULL);
  ready = proc_wait_for (peer, "ready");
  require (ready != NULL);
  content = reader_content (reader_start (image_key, shot, NULL));
  g_assert_cmpstr (content, ==, expected_image);
  proc_close_stdin (peer);
  g_assert_cmpint (proc_finish (peer), ==, 0);
}

/* Writer window → the Qt demo's text reader, and the Qt example's image reader. */
static void
test_qt_reader (void)
{
  g_autofree char *key = shmlab_test_unique_key ("e2eqtr");
  g_autofree char *image_key = shmlab_test_unique_key ("e2eqtrimg");
  g_autofree char *png = temp_file ("for-qt.png");
  g_autofree char *out = temp_file ("from-qt.png");
  g_autoptr(ShmlabImage) image = NULL;
  g_autoptr(ShmlabImage) seen = NULL;
  g_autoptr(ShmlabPayload) written = NULL;
  g_autoptr(ShmlabPayload) written_image = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  Proc *writer, *peer;

  if (qt_missing () != NULL)
    {
      g_test_skip (qt_missing ());
      return;
    }

  writer = writer_gui_start (key, "--text", TEXT, NULL);
  written = wait_for_segment (key, writer);
  require (written != NULL);
  peer = qt_start ("read-text", key, NULL);
  line = proc_read_line (peer);
  g_assert_cmpstr (line, ==, TEXT);
  g_assert_cmpint (proc_finish (peer), ==, 0);

  image = gradient_png (png, 50, 20);
  writer = writer_gui_start (image_key, "--format", "qt-image", png, NULL);
  written_image = wait_for_segment (image_key, writer);
  require (written_image != NULL);
  g_assert_cmpint (written_image->format, ==, SHMLAB_FORMAT_QT_IMAGE);
  peer = qt_start ("read-image", image_key, out, NULL);
  g_assert_cmpint (proc_finish (peer), ==, 0);
  seen = shmlab_image_load_file (out, NULL, &error);
  g_assert_no_error (error);
  require (seen != NULL);
  g_assert_true (shmlab_image_equal (seen, image));
}

/* `shmlab lock` holds the lock: the Reader waits, says so, and reads once it is free. */
static void
test_reader_waits (void)
{
  g_autofree char *key = shmlab_test_unique_key ("e2ewait");
  g_autofree char *shot = temp_file ("reader-wait.png");
  g_autofree char *expected = content_line_for_text ("worth the wait");
  Proc *writer = cli_start ("write", key, "--text", "worth the wait", NULL);
  g_autoptr(ShmlabPayload) written = wait_for_segment (key, writer);
  Proc *locker, *reader;
  g_autofree char *locked = NULL;
  g_autofree char *waiting = NULL;
  g_autofree char *content = NULL;

  require (written != NULL);
  locker = cli_start ("lock", key, NULL);
  locked = proc_wait_for (locker, "locked");
  require (locked != NULL);

  reader = reader_start (key, shot, "--lock-timeout", "60000", NULL);
  waiting = proc_wait_for (reader, "waiting: ");
  require (waiting != NULL);
  g_assert_true (contains (waiting, "waiting for the lock"));
  g_assert_true (contains (waiting, "held by another process"));
  /* Nothing was shown while it waited. */
  g_assert_null (strstr (reader->transcript->str, "content: "));

  proc_close_stdin (locker);
  g_assert_cmpint (proc_finish (locker), ==, 0);
  content = reader_content (reader);
  g_assert_cmpstr (content, ==, expected);
  /* It went on with the whole protocol once the lock was free. */
  g_assert_true (contains (reader->transcript->str, "\nlock  "));
  g_assert_true (contains (reader->transcript->str, "\nunlock  "));
  g_assert_true (contains (reader->transcript->str, "\ndetach  "));
  assert_screenshot (shot);

  proc_close_stdin (writer);
  g_assert_cmpint (proc_finish (writer), ==, 0);
}

/* The lock is never freed: the Reader gives up after its timeout and says why. */
static void
test_reader_times_out (void)
{
  g_autofree char *key = shmlab_test_unique_key ("e2etimeout");
  g_autofree char *shot = temp_file ("reader-timeout.png");
  Proc *writer = cli_start ("write", key, "--text", "locked away", NULL);
  g_autoptr(ShmlabPayload) written = wait_for_segment (key, writer);
  Proc *locker;
  g_autofree char *locked = NULL;
  g_autofree char *content = NULL;

  require (written != NULL);
  locker = cli_start ("lock", key, "--hold", "600", NULL);
  locked = proc_wait_for (locker, "locked");
  require (locked != NULL);

  content = reader_content (reader_start (key, shot, "--lock-timeout", "1000", NULL));
  g_assert_true (contains (content, "content: problem The lock was not released in time"));
  g_assert_true (contains (content, "1000 ms"));
  assert_screenshot (shot);
}

/* No segment under the key: the Reader says to start the writer. */
static void
test_reader_not_found (void)
{
  g_autofree char *key = shmlab_test_unique_key ("e2enone");
  g_autofree char *shot = temp_file ("reader-none.png");
  g_autofree char *content = reader_content (reader_start (key, shot, NULL));

  g_assert_true (contains (content, "content: problem No segment to read"));
  g_assert_true (contains (content, key));
  g_assert_true (contains (content, "start the writer"));
  assert_screenshot (shot);
}

/* A screenshot of the Reader (no read: nothing in it changes) at @scale
 * ("0": not given), and its picture's size. */
static void
reader_screenshot_size (const char *name,
                        const char *scale,
                        const char *zoom,
                        const char *show,
                        guint32    *width,
                        guint32    *height)
{
  g_autofree char *shot = temp_file (name);
  g_autofree char *key = shmlab_test_unique_key ("shot");
  const char *argv[] = { env_path ("SHMLAB_READER"), "--key", key, "--screenshot", shot,
                         "--zoom", zoom, "--show", show, "--screenshot-scale", scale, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabImage) image = NULL;

  if (g_str_equal (scale, "0"))
    argv[9] = NULL;
  if (show == NULL)
    {
      argv[7] = argv[9];
      argv[8] = argv[10];
      argv[9] = NULL;
    }
  g_assert_cmpint (proc_finish (proc_start (argv)), ==, 0);
  image = shmlab_image_load_file (shot, NULL, &error);
  g_assert_no_error (error);
  require (image != NULL);
  *width = image->width;
  *height = image->height;
  g_remove (shot);
}

/* --screenshot-scale 2 draws the same window twice as large each way: a
 * HiDPI picture, from any display; the zoom changes the text, not the
 * window's size. */
static void
test_screenshot_scale (void)
{
  guint32 width1, height1, width2, height2, width_zoomed, height_zoomed;

  reader_screenshot_size ("scale1.png", "0", "100", NULL, &width1, &height1);
  reader_screenshot_size ("scale2.png", "2", "100", NULL, &width2, &height2);
  g_assert_cmpuint (width1, >=, 800);
  g_assert_cmpuint (width2, ==, 2 * width1);
  g_assert_cmpuint (height2, ==, 2 * height1);
  reader_screenshot_size ("zoomed.png", "1", "150", NULL, &width_zoomed, &height_zoomed);
  g_assert_cmpuint (width_zoomed, ==, width1);
  g_assert_cmpuint (height_zoomed, ==, height1);
}

/* --show opens help or the shortcuts in front at start, and the screenshot
 * is of that window: a picture of its own size, not the Reader's. */
static void
test_screenshot_show (void)
{
  static const char *const shown[] = { "help", "shortcuts" };
  guint32 main_width, main_height;

  reader_screenshot_size ("main.png", "1", "100", NULL, &main_width, &main_height);
  for (gsize i = 0; i < G_N_ELEMENTS (shown); i++)
    {
      g_autofree char *name = g_strdup_printf ("%s.png", shown[i]);
      guint32 width, height;

      reader_screenshot_size (name, "1", "100", shown[i], &width, &height);
      g_test_message ("--show %s: %u × %u (the Reader: %u × %u)", shown[i], width, height,
                      main_width, main_height);
      g_assert_true (width > 100 && height > 100);
      g_assert_true (width != main_width || height != main_height);
    }
}

/* The Lab writes and follows at start: its Reader's pane shows what its
 * Writer's wrote, the picture is saved, the program ends with 0, and its
 * two mappings go with it: the segment is gone. */
static void
test_lab_write_follow (void)
{
  g_autofree char *key = shmlab_test_unique_key ("e2elab");
  g_autofree char *shot = temp_file ("lab.png");
  const char *argv[] = { env_path ("SHMLAB_LAB"), "--key", key, "--text", TEXT, "--write",
                         "--follow", "--print-steps", "--screenshot", shot, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  ShmlabSegmentInfo info = { 0 };
  int status = -1;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                               &err, &status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  /* The Writer's pane wrote it in, the Reader's pane, following, copied it out. */
  g_assert_true (contains (out, "bytes in as plain text"));
  g_assert_true (contains (out, "bytes out"));
  g_assert_true (contains (out, "note  following"));
  assert_screenshot (shot);
  g_assert_true (shmlab_segment_query_key (key, SHMLAB_BACKEND_SYSV, &info, &error));
  g_assert_no_error (error);
  g_assert_false (info.exists);
  shmlab_segment_info_clear (&info);
}

/* A value that makes no sense on the command line: every program refuses it
 * at once, with exit status 2 and the option and the way out named, and open
 * no window. */
static void
test_bad_options (void)
{
  static const struct { const char *program; const char *option; const char *value;
                        const char *said; } cases[] = {
    { "SHMLAB_WRITER", "--page", "bytes", "--page bytes: give “steps”, “segment” or “memory”" },
    { "SHMLAB_WRITER", "--show", "about", "--show about: give “help”, “shortcuts” or “cleanup”" },
    { "SHMLAB_READER", "--show", "menu", "--show menu: give “help”, “shortcuts” or “cleanup”" },
    { "SHMLAB_READER", "--page", "bytes", "--page bytes: give “steps”, “segment” or “memory”" },
    { "SHMLAB_WRITER", "--lock-timeout", "-1", "give a number of milliseconds" },
    { "SHMLAB_READER", "--lock-timeout", "-1", "give a number of milliseconds" },
    { "SHMLAB_WRITER", "--backend", "shared", "unknown backend “shared”" },
    { "SHMLAB_READER", "--backend", "shared", "unknown backend “shared”" },
    { "SHMLAB_WRITER", "--format", "jpeg", "jpeg" },
    { "SHMLAB_WRITER", "--size", "lots", "lots" },
    { "SHMLAB_WRITER", "--zoom", "400", "--zoom 400: give a percentage from 50 to 300" },
    { "SHMLAB_READER", "--zoom", "big", "--zoom big: give a percentage from 50 to 300" },
    { "SHMLAB_WRITER", "--screenshot", "shot.jpg", "give a file name ending in .png" },
    { "SHMLAB_READER", "--screenshot", "shot.jpg", "give a file name ending in .png" },
    { "SHMLAB_READER", "--screenshot-scale", "8", "--screenshot-scale 8: give 1, 2, 3 or 4" },
    { "SHMLAB_READER", "--transport", "pigeon", "--transport takes shm, pipe or socket, not “pigeon”." },
    { "SHMLAB_LAB", "--backend", "shared", "unknown backend “shared”" },
    { "SHMLAB_LAB", "--page", "bytes", "--page bytes: give “steps”, “segment” or “memory”" },
    { "SHMLAB_LAB", "--zoom", "400", "--zoom 400: give a percentage from 50 to 300" },
    { "SHMLAB_LAB", "--screenshot", "shot.jpg", "give a file name ending in .png" },
    { "SHMLAB_LAB", "--lock-timeout", "-1", "give a number of milliseconds" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *argv[] = { env_path (cases[i].program), cases[i].option, cases[i].value, NULL };
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autoptr(GError) error = NULL;
      int status = 0;

      g_test_message ("%s %s %s", argv[0], cases[i].option, cases[i].value);
      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                                   &err, &status, &error));
      g_assert_no_error (error);
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 2);
      g_assert_true (contains (err, cases[i].said));
    }
}

/* A user at the keyboard: keys and window closes go through the X server. */

static Display *x_display;
static int (*other_x_error_handler) (Display *, XErrorEvent *);

/* A window can go while it is looked at: that is no error for these tests. */
static int
ignore_x_errors (Display     *display,
                 XErrorEvent *event)
{
  if (display == x_display)
    return 0;
  return other_x_error_handler != NULL ? other_x_error_handler (display, event) : 0;
}

/* Why keys cannot be sent here, or NULL when they can. */
static const char *
x_missing (void)
{
  int event_base, error_base, major, minor;

  if (x_display != NULL)
    return NULL;
  x_display = XOpenDisplay (NULL);
  if (x_display == NULL)
    return "no X display to send keys to (DISPLAY is not set or the server is gone)";
  if (!XTestQueryExtension (x_display, &event_base, &error_base, &major, &minor))
    {
      XCloseDisplay (x_display);
      x_display = NULL;
      return "the X server has no XTEST extension to type with";
    }
  other_x_error_handler = XSetErrorHandler (ignore_x_errors);
  return NULL;
}

static gboolean
x_window_has_pid (Window  window,
                  guint32 pid)
{
  Atom type = None;
  int format = 0;
  unsigned long n = 0, after = 0;
  unsigned char *data = NULL;
  gboolean match = FALSE;

  if (XGetWindowProperty (x_display, window, XInternAtom (x_display, "_NET_WM_PID", False), 0, 1,
                          False, XA_CARDINAL, &type, &format, &n, &after, &data) == Success &&
      data != NULL && type == XA_CARDINAL && format == 32 && n == 1)
    match = *(unsigned long *) data == pid;
  if (data != NULL)
    XFree (data);
  return match;
}

/* Waits (bounded) until @proc shows a window on screen, and returns it. */
static Window
proc_wait_for_window (Proc *proc)
{
  gint64 deadline = deadline_in (WAIT_SECONDS);
  guint32 pid = (guint32) g_ascii_strtoull (g_subprocess_get_identifier (proc->process), NULL,
                                            10);

  for (;;)
    {
      Window root, parent, *children = NULL, found = None;
      unsigned int n = 0;

      if (XQueryTree (x_display, DefaultRootWindow (x_display), &root, &parent, &children, &n))
        {
          for (unsigned int i = 0; i < n && found == None; i++)
            {
              XWindowAttributes attributes;

              if (XGetWindowAttributes (x_display, children[i], &attributes) &&
                  attributes.map_state == IsViewable && x_window_has_pid (children[i], pid))
                found = children[i];
            }
          if (children != NULL)
            XFree (children);
        }
      if (found != None)
        return found;
      if (proc->reaped)
        {
          g_test_fail_printf ("%s exited (status %d) before its window was on screen",
                              proc->name, proc->status);
          return None;
        }
      if (g_get_monotonic_time () > deadline)
        {
          g_test_fail_printf ("%s showed no window within %d s", proc->name, WAIT_SECONDS);
          return None;
        }
      g_main_context_iteration (NULL, FALSE);
      g_usleep (20 * 1000);
    }
}

/* Types @key, with @modifier held (0: none), into @window, as a user would. */
static void
x_press (Window window,
         KeySym modifier,
         KeySym key)
{
  KeyCode modifier_code = modifier ? XKeysymToKeycode (x_display, modifier) : 0;
  KeyCode key_code = XKeysymToKeycode (x_display, key);

  g_assert_cmpuint (key_code, !=, 0);
  XSetInputFocus (x_display, window, RevertToParent, CurrentTime);
  if (modifier_code != 0)
    XTestFakeKeyEvent (x_display, modifier_code, True, CurrentTime);
  XTestFakeKeyEvent (x_display, key_code, True, CurrentTime);
  XTestFakeKeyEvent (x_display, key_code, False, CurrentTime);
  if (modifier_code != 0)
    XTestFakeKeyEvent (x_display, modifier_code, False, CurrentTime);
  XSync (x_display, False);
}

/* What a window manager sends when the user clicks the window's close button. */
static void
x_close_window (Window window)
{
  XEvent event = { 0 };

  event.xclient.type = ClientMessage;
  event.xclient.window = window;
  event.xclient.message_type = XInternAtom (x_display, "WM_PROTOCOLS", False);
  event.xclient.format = 32;
  event.xclient.data.l[0] = (long) XInternAtom (x_display, "WM_DELETE_WINDOW", False);
  event.xclient.data.l[1] = CurrentTime;
  XSendEvent (x_display, window, False, NoEventMask, &event);
  XSync (x_display, False);
}

/* The apps that were opened, used and closed cleanly; the sanitizer reports seen. */
static guint n_open_use_close;
static guint n_sanitizer_reports;
static gboolean open_use_close_ran;

/* After the window closed: it exited 0, said nothing of a leak or a memory
 * error (LeakSanitizer turns a leak at exit into a failed exit status, and
 * prints it), and its segment went with its last detach. */
static void
assert_closed_cleanly (Proc       *proc,
                       const char *key)
{
  ShmlabSegmentInfo info;
  int status = proc_finish (proc);
  const char *said = proc->transcript->str;
  guint reports = shmlab_test_count_occurrences (said, "ERROR: LeakSanitizer") +
                  shmlab_test_count_occurrences (said, "ERROR: AddressSanitizer") +
                  shmlab_test_count_occurrences (said, "runtime error:");

  n_sanitizer_reports += reports;
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpuint (reports, ==, 0);
  g_assert_null (strstr (said, "LeakSanitizer"));
  g_assert_null (strstr (said, "AddressSanitizer"));
  g_assert_true (shmlab_segment_query_key (key, SHMLAB_BACKEND_SYSV, &info, NULL));
  g_assert_false (info.exists);
  if (status == 0 && reports == 0 && !info.exists)
    n_open_use_close++;
}

/* Waits (bounded) until @key's segment holds @text, or @image when @text is NULL. */
static gboolean
wait_for_content (const char        *key,
                  Proc              *writer,
                  const char        *text,
                  const ShmlabImage *image)
{
  gint64 deadline = deadline_in (WAIT_SECONDS);

  for (;;)
    {
      g_autoptr(GBytes) bytes = shmlab_segment_peek_key (key, SHMLAB_BACKEND_SYSV,
                                                         64 * 1024 * 1024, 1000, NULL, NULL);
      g_autoptr(ShmlabPayload) payload = NULL;

      if (bytes != NULL && g_bytes_get_size (bytes) > 0)
        payload = shmlab_payload_decode (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                         NULL);
      if (payload != NULL && text != NULL && payload->kind == SHMLAB_PAYLOAD_KIND_TEXT &&
          g_strcmp0 (payload->text, text) == 0)
        return TRUE;
      if (payload != NULL && text == NULL && payload->kind == SHMLAB_PAYLOAD_KIND_IMAGE &&
          shmlab_image_equal (payload->image, image))
        return TRUE;
      if (writer->reaped)
        {
          g_test_fail_printf ("%s exited (status %d) before it wrote to “%s”", writer->name,
                              writer->status, key);
          return FALSE;
        }
      if (g_get_monotonic_time () > deadline)
        {
          g_test_fail_printf ("%s did not write the expected %s under “%s” within %d s",
                              writer->name, text ? "text" : "picture", key, WAIT_SECONDS);
          return FALSE;
        }
      g_main_context_iteration (NULL, FALSE);
      g_usleep (20 * 1000);
    }
}

/* The Writer opened with a picture and a text, both written from the
 * keyboard (Alt+T, Ctrl+Return; Alt+I, Ctrl+Return), then its window closed. */
static void
test_writer_open_use_close (void)
{
  g_autofree char *key = shmlab_test_unique_key ("e2ewclose");
  g_autofree char *png = temp_file ("writer-close.png");
  g_autoptr(ShmlabImage) image = NULL;
  g_autofree char *opened = NULL;
  const char *no_keys;
  Proc *writer;
  Window window;

  open_use_close_ran = TRUE;
  if ((no_keys = x_missing ()) != NULL)
    {
      g_test_skip (no_keys);
      return;
    }
  image = gradient_png (png, 97, 61);
  {
    const char *argv[] = { env_path ("SHMLAB_WRITER"), "--key", key, "--size", "64KiB",
                           "--text", TEXT, "--print-steps", png, NULL };
    writer = proc_start (argv);
  }
  /* The picture is on the Image page once it says so; nothing is written yet. */
  opened = proc_wait_for (writer, "note  opened ");
  require (opened != NULL);
  g_assert_true (contains (opened, "97 × 61"));
  window = proc_wait_for_window (writer);
  require (window != None);

  x_press (window, XK_Alt_L, XK_t);
  x_press (window, XK_Control_L, XK_Return);
  require (wait_for_content (key, writer, TEXT, NULL));

  x_press (window, XK_Alt_L, XK_i);
  x_press (window, XK_Control_L, XK_Return);
  require (wait_for_content (key, writer, NULL, image));

  x_close_window (window);
  assert_closed_cleanly (writer, key);
}

/* The Reader reads at start, follows (Ctrl+F) three writes, and its window is closed. */
static void
test_reader_open_use_close (void)
{
  g_autofree char *key = shmlab_test_unique_key ("e2erclose");
  g_autofree char *first = content_line_for_text ("read me");
  g_autofree char *line = NULL;
  g_autoptr(ShmlabPayload) written = NULL;
  const char *no_keys;
  Proc *holder, *reader;
  Window window;

  open_use_close_ran = TRUE;
  if ((no_keys = x_missing ()) != NULL)
    {
      g_test_skip (no_keys);
      return;
    }
  holder = cli_start ("write", key, "--text", "read me", "--size", "4KiB", NULL);
  written = wait_for_segment (key, holder);
  require (written != NULL);
  {
    const char *argv[] = { env_path ("SHMLAB_READER"), "--key", key, "--read", "--print-content",
                           "--print-steps", NULL };
    reader = proc_start (argv);
  }
  line = proc_wait_for (reader, "content: ");
  g_assert_cmpstr (line, ==, first);
  window = proc_wait_for_window (reader);
  require (window != None);

  x_press (window, XK_Control_L, XK_f);
  g_clear_pointer (&line, g_free);
  line = proc_wait_for (reader, "note  following");
  require (line != NULL);

  for (guint i = 1; i <= 3; i++)
    {
      g_autofree char *text = g_strdup_printf ("write number %u", i);
      g_autofree char *expected = content_line_for_text (text);
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      int status = -1;

      g_assert_true (shmlab_test_run_cli (&out, &err, &status, "write", key, "--attach", "--text",
                                          text, "--hold", "0", NULL));
      g_assert_cmpint (status, ==, 0);
      /* Each write shows; one already shown may show again first. */
      for (;;)
        {
          g_autofree char *shown = proc_wait_for (reader, "content: ");

          require (shown != NULL);
          if (g_str_equal (shown, expected))
            break;
        }
    }

  proc_close_stdin (holder);
  g_assert_cmpint (proc_finish (holder), ==, 0);
  x_close_window (window);
  assert_closed_cleanly (reader, key);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  shmlab_test_init (&argc, &argv);
  /* A failed assertion ends the test, not the program: the queued kills run. */
  g_test_set_nonfatal_assertions ();

  g_test_add_func ("/gui-e2e/writer-reader/text", test_writer_reader_text);
  g_test_add_func ("/gui-e2e/writer-reader/image", test_writer_reader_image);
  g_test_add_func ("/gui-e2e/cli/writer", test_cli_writer);
  g_test_add_func ("/gui-e2e/cli/reader", test_cli_reader);
  g_test_add_func ("/gui-e2e/reader/follow-detaches-last", test_follow_reader_detaches_last);
  g_test_add_func ("/gui-e2e/qt/writer", test_qt_writer);
  g_test_add_func ("/gui-e2e/qt/reader", test_qt_reader);
  g_test_add_func ("/gui-e2e/lock/reader-waits", test_reader_waits);
  g_test_add_func ("/gui-e2e/lock/reader-times-out", test_reader_times_out);
  g_test_add_func ("/gui-e2e/reader/not-found", test_reader_not_found);
  g_test_add_func ("/gui-e2e/bad-options", test_bad_options);
  g_test_add_func ("/gui-e2e/lab/write-follow", test_lab_write_follow);
  g_test_add_func ("/gui-e2e/screenshot/show", test_screenshot_show);
  g_test_add_func ("/gui-e2e/screenshot/scale", test_screenshot_scale);
  g_test_add_func ("/gui-e2e/writer/open-use-close", test_writer_open_use_close);
  g_test_add_func ("/gui-e2e/reader/open-use-close", test_reader_open_use_close);

  status = g_test_run ();
  if (open_use_close_ran)
    g_test_message ("figure: gui-open-use-close=%u lsan-reports=%u", n_open_use_close,
                    n_sanitizer_reports);
  g_clear_pointer (&x_display, XCloseDisplay);
  return status;
}
