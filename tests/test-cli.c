/* test-cli.c — the shmlab command as a person or a script uses it: round
 * trips of text and pictures on both backends, info, list, remove, the lock,
 * and a clear one-line message for every mistake
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-test-util.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/wait.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "shmlab-command.h"
#include "shmlab-image.h"
#include "shmlab-image-loader.h"
#include "shmlab-png.h"
#include "shmlab-segment.h"

#define HELLO "你好, shared memory"

/* A shmlab process that keeps running (write or lock), cleaned up at the end
 * of the test even when an assertion failed. */
typedef struct
{
  GSubprocess *process;
  GDataInputStream *err;
  GString *err_text;
  gboolean finished;
  int status;
} CliProcess;

static void
cli_process_free (gpointer data)
{
  CliProcess *self = data;

  if (!self->finished)
    {
      g_subprocess_send_signal (self->process, SIGKILL);
      g_subprocess_wait (self->process, NULL, NULL);
    }
  g_clear_object (&self->err);
  g_clear_object (&self->process);
  g_string_free (self->err_text, TRUE);
  g_free (self);
}

static GPtrArray *
cli_argv (const char *first_arg,
          va_list     ap)
{
  GPtrArray *argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (gpointer) shmlab_test_cli_path ());
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  g_ptr_array_add (argv, NULL);
  return argv;
}

/* Reads stderr lines until one starts with @prefix; FALSE when the process
 * ended first. */
static gboolean
cli_process_wait_for (CliProcess *self,
                      const char *prefix)
{
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *line = g_data_input_stream_read_line (self->err, NULL, NULL, &error);

      g_assert_no_error (error);
      if (line == NULL)
        return FALSE;
      g_string_append (self->err_text, line);
      g_string_append_c (self->err_text, '\n');
      if (g_str_has_prefix (line, prefix))
        return TRUE;
    }
}

/**
 * cli_start:
 * @ready: how the stderr line starts that says the process is ready
 * @input: (nullable): text for its standard input, which is then closed
 *
 * Starts `shmlab ARGS…` with a pipe for stdin (whose end makes write and lock
 * let go) and returns once it printed @ready. Never sleeps: it reads.
 */
static CliProcess *
cli_start (const char *ready,
           const char *input,
           const char *first_arg,
           ...) G_GNUC_NULL_TERMINATED;

static CliProcess *
cli_start (const char *ready,
           const char *input,
           const char *first_arg,
           ...)
{
  g_autoptr(GPtrArray) argv = NULL;
  g_autoptr(GError) error = NULL;
  CliProcess *self = g_new0 (CliProcess, 1);
  va_list ap;

  va_start (ap, first_arg);
  argv = cli_argv (first_arg, ap);
  va_end (ap);

  self->err_text = g_string_new (NULL);
  self->process = g_subprocess_newv ((const char *const *) argv->pdata,
                                     G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                     G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                     G_SUBPROCESS_FLAGS_STDERR_PIPE,
                                     &error);
  g_assert_no_error (error);
  if (self->process == NULL)
    {
      self->finished = TRUE;
      g_test_queue_destroy (cli_process_free, self);
      return self;
    }
  g_test_queue_destroy (cli_process_free, self);
  self->err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (self->process));

  if (input != NULL)
    {
      GOutputStream *in = g_subprocess_get_stdin_pipe (self->process);
      g_output_stream_write_all (in, input, strlen (input), NULL, NULL, &error);
      g_assert_no_error (error);
      g_output_stream_close (in, NULL, NULL);
    }

  if (!cli_process_wait_for (self, ready))
    g_test_message ("the process ended before saying “%s”; it said:\n%s", ready,
                    self->err_text->str);
  g_assert_nonnull (strstr (self->err_text->str, ready));
  return self;
}

/* Reads the rest of its stderr, waits for it and returns its exit status. */
static int
cli_process_finish (CliProcess *self)
{
  g_autoptr(GError) error = NULL;

  if (self->finished)
    return self->status;
  while (self->err != NULL && cli_process_wait_for (self, "\x01never"))
    ;
  g_subprocess_wait (self->process, NULL, &error);
  g_assert_no_error (error);
  self->finished = TRUE;
  if (g_subprocess_get_if_exited (self->process))
    self->status = g_subprocess_get_exit_status (self->process);
  else
    self->status = 128 + g_subprocess_get_term_sig (self->process);
  return self->status;
}

static int
cli_process_close_stdin (CliProcess *self)
{
  if (self->process != NULL && !self->finished)
    g_output_stream_close (g_subprocess_get_stdin_pipe (self->process), NULL, NULL);
  return cli_process_finish (self);
}

static int
cli_process_signal (CliProcess *self,
                    int         signal_number)
{
  if (self->process != NULL && !self->finished)
    g_subprocess_send_signal (self->process, signal_number);
  return cli_process_finish (self);
}

/**
 * cli_run_full:
 * @input: (nullable): bytes for its standard input
 * @out: (out) (optional): its standard output, exactly
 * @err: (out) (optional): its standard error
 *
 * Runs `shmlab ARGS…` to completion; returns its exit status.
 */
static int
cli_run_full (GBytes      *input,
              GBytes     **out,
              char       **err,
              const char  *first_arg,
              ...) G_GNUC_NULL_TERMINATED;

static int
cli_run_full (GBytes      *input,
              GBytes     **out,
              char       **err,
              const char  *first_arg,
              ...)
{
  g_autoptr(GPtrArray) argv = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GBytes) out_bytes = NULL;
  g_autoptr(GBytes) err_bytes = NULL;
  g_autoptr(GBytes) no_input = g_bytes_new (NULL, 0);
  va_list ap;

  va_start (ap, first_arg);
  argv = cli_argv (first_arg, ap);
  va_end (ap);

  process = g_subprocess_newv ((const char *const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  g_assert_no_error (error);
  if (process == NULL)
    return -1;
  g_subprocess_communicate (process, input ? input : no_input, NULL, &out_bytes, &err_bytes,
                            &error);
  g_assert_no_error (error);
  if (out != NULL)
    *out = out_bytes ? g_bytes_ref (out_bytes) : g_bytes_new (NULL, 0);
  if (err != NULL)
    *err = err_bytes != NULL && g_bytes_get_size (err_bytes) > 0
           ? g_strndup (g_bytes_get_data (err_bytes, NULL), g_bytes_get_size (err_bytes))
           : g_strdup ("");
  if (g_subprocess_get_if_exited (process))
    return g_subprocess_get_exit_status (process);
  return 128 + g_subprocess_get_term_sig (process);
}

/* `shmlab ARGS…` with its output as text. */
#define run_cli(out, err, ...) \
  (shmlab_test_run_cli ((out), (err), &cli_status, __VA_ARGS__, NULL), cli_status)
static int cli_status;

static guint
count_lines (const char *text)
{
  guint n = 0;

  for (const char *p = text; p != NULL && *p; p++)
    if (*p == '\n')
      n++;
  return n;
}

static gboolean
contains (const char *haystack,
          const char *needle)
{
  gboolean found = haystack != NULL && strstr (haystack, needle) != NULL;

  if (!found)
    g_test_message ("“%s” not found in:\n%s", needle, haystack ? haystack : "(null)");
  return found;
}

/* The value on the line "NAME   VALUE" of `shmlab info`. */
static char *
info_field (const char *out,
            const char *name)
{
  g_auto(GStrv) lines = g_strsplit (out ? out : "", "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], name) && lines[i][strlen (name)] == ' ')
      return g_strstrip (g_strdup (lines[i] + strlen (name)));
  g_test_message ("no field “%s” in:\n%s", name, out ? out : "(null)");
  return g_strdup ("");
}

/* A failure is one line; a usage error is one line and where to read more. */
#define assert_error(status, err, expected_status, word)                     \
  G_STMT_START                                                               \
  {                                                                          \
    g_assert_cmpint ((status), ==, (expected_status));                       \
    g_assert_true (contains ((err), "shmlab: "));                            \
    g_assert_true (contains ((err), (word)));                                \
    if ((expected_status) == 2)                                              \
      {                                                                      \
        g_assert_cmpuint (count_lines (err), ==, 2);                         \
        g_assert_true (contains ((err), "\nTry: shmlab "));                  \
      }                                                                      \
    else                                                                     \
      g_assert_cmpuint (count_lines (err), ==, 1);                           \
  }                                                                          \
  G_STMT_END

/* No segment, lock or key file is left for @key on any backend. */
static void
assert_nothing_left (const char *key)
{
  guint n_backends;
  const ShmlabBackend *backends = shmlab_backend_all (&n_backends);

  for (guint i = 0; i < n_backends; i++)
    {
      g_autoptr(GError) error = NULL;
      ShmlabSegmentInfo info;

      /* A key that is not valid cannot name anything. */
      if (!shmlab_key_validate (key, NULL))
        continue;
      g_assert_true (shmlab_segment_query_key (key, backends[i], &info, &error));
      g_assert_no_error (error);
      g_assert_false (info.exists);
    }

  if (shmlab_key_validate (key, NULL))
    {
      g_autofree char *segment_file = shmlab_native_key (key, SHMLAB_BACKEND_SYSV,
                                                         SHMLAB_NATIVE_SEGMENT, NULL);
      g_autofree char *semaphore_file = shmlab_native_key (key, SHMLAB_BACKEND_SYSV,
                                                           SHMLAB_NATIVE_SEMAPHORE, NULL);
      g_autofree char *posix_segment = shmlab_native_key (key, SHMLAB_BACKEND_POSIX,
                                                          SHMLAB_NATIVE_SEGMENT, NULL);
      g_autofree char *posix_semaphore = shmlab_native_key (key, SHMLAB_BACKEND_POSIX,
                                                            SHMLAB_NATIVE_SEMAPHORE, NULL);
      /* Linux shows POSIX shared memory and named semaphores in /dev/shm. */
      g_autofree char *posix_segment_file = g_strconcat ("/dev/shm", posix_segment, NULL);
      g_autofree char *posix_semaphore_file = g_strconcat ("/dev/shm/sem.", posix_semaphore + 1,
                                                           NULL);

      g_assert_false (g_file_test (segment_file, G_FILE_TEST_EXISTS));
      g_assert_false (g_file_test (semaphore_file, G_FILE_TEST_EXISTS));
      g_assert_false (g_file_test (posix_segment_file, G_FILE_TEST_EXISTS));
      g_assert_false (g_file_test (posix_semaphore_file, G_FILE_TEST_EXISTS));
    }
  if (shmlab_key_validate (key, NULL))
    {
      /* The File backend's file, which is also its lock. */
      g_autofree char *file = shmlab_native_key (key, SHMLAB_BACKEND_FILE, SHMLAB_NATIVE_SEGMENT,
                                                 NULL);

      g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
    }
}

/* The last writer of @key is gone: nothing is left, except, when @backend
 * keeps its segments (a file), the segment itself, which no process uses
 * any more and `shmlab remove` takes away. */
static void
assert_last_detached (const char    *key,
                      ShmlabBackend  backend)
{
  if (shmlab_backend_is_persistent (backend))
    {
      g_autofree char *out = NULL, *err = NULL;
      g_autoptr(GError) error = NULL;
      ShmlabSegmentInfo info;

      g_assert_true (shmlab_segment_query_key (key, backend, &info, &error));
      g_assert_no_error (error);
      g_assert_true (info.exists);
      g_assert_cmpint (info.attach_count, ==, 0);
      g_assert_cmpint (run_cli (&out, &err, "remove", key, "--backend",
                                shmlab_backend_to_string (backend)), ==, 0);
    }
  assert_nothing_left (key);
}

static char *
temp_file (const char *name)
{
  return g_build_filename (shmlab_test_get_temp_dir (), name, NULL);
}

static ShmlabImage *
make_image (guint32 width,
            guint32 height)
{
  g_autoptr(GError) error = NULL;
  ShmlabImage *image = shmlab_image_new (width, height, &error);

  g_assert_no_error (error);
  for (guint32 y = 0; image != NULL && y < height; y++)
    for (guint32 x = 0; x < width; x++)
      {
        guint8 *p = image->pixels + (gsize) y * image->stride + (gsize) x * 4;
        p[0] = (guint8) (x * 37);
        p[1] = (guint8) (y * 53);
        p[2] = (guint8) (x * y * 11);
        p[3] = (guint8) (255 - x * 9);
      }
  return image;
}

static void
test_usage (void)
{
  g_autofree char *key = shmlab_test_unique_key ("usage");
  const char *commands[] = { "write", "read", "info", "list", "remove", "lock" };

  {
    g_autofree char *out = NULL, *err = NULL;
    assert_error (run_cli (&out, &err, NULL), err, 2, "COMMAND");
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_error (run_cli (&out, &err, "frobnicate"), err, 2, "unknown command “frobnicate”");
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_error (run_cli (&out, &err, "write"), err, 2, "missing KEY");
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_error (run_cli (&out, &err, "read"), err, 2, "missing KEY");
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_error (run_cli (&out, &err, "write", key, "--text", "a", "--file", "b.png"), err, 2,
                  "only one of --text, --file and -");
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_error (run_cli (&out, &err, "write", key), err, 2, "no content");
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_error (run_cli (&out, &err, "read", key, "--bogus"), err, 2, "--bogus");
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_error (run_cli (&out, &err, "read", key, "extra"), err, 2, "“extra”");
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_error (run_cli (&out, &err, "write", key, "--text", "x", "--size", "abc"), err, 2,
                  "“abc” is not a size");
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_error (run_cli (&out, &err, "write", key, "--text", "x", "--backend", "foo"), err, 2,
                  "backend “foo”");
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_error (run_cli (&out, &err, "write", key, "--text", "x", "--format", "bogus"), err, 2,
                  "“bogus” is not a format");
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_error (run_cli (&out, &err, "write", key, "--text", "x", "--hold", "soon"), err, 2,
                  "--hold");
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_error (run_cli (&out, &err, "write", key, "--text", "x", "--attach", "--size", "1KiB"),
                  err, 2, "--attach");
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_error (run_cli (&out, &err, "read", key, "--lock-timeout", "-5"), err, 2,
                  "--lock-timeout");
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_error (run_cli (&out, &err, "help", "frobnicate"), err, 2, "“frobnicate”");
  }
  assert_nothing_left (key);

  {
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint (run_cli (&out, &err, "--help"), ==, 0);
    for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
      g_assert_true (contains (out, commands[i]));
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint (run_cli (&out, &err, "--version"), ==, 0);
    g_assert_true (g_str_has_prefix (out, "shmlab "));
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint (run_cli (&out, &err, "help", "write"), ==, 0);
    g_assert_true (contains (out, "shmlab write"));
    g_assert_true (contains (out, "--text"));
    g_assert_true (contains (out, "--hold"));
  }
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *out = NULL, *err = NULL;
      g_autofree char *usage = g_strdup_printf ("shmlab %s [OPTION…]", commands[i]);

      g_assert_cmpint (run_cli (&out, &err, commands[i], "--help"), ==, 0);
      g_assert_true (contains (out, usage));
      g_assert_true (contains (out, "--backend"));
      g_assert_cmpstr (err, ==, "");
    }
}

static void
test_text_round_trip (gconstpointer data)
{
  ShmlabBackend backend = GPOINTER_TO_INT (data);
  const char *backend_name = shmlab_backend_to_string (backend);
  g_autofree char *key = shmlab_test_unique_key ("text");
  g_autofree char *native = shmlab_native_key (key, backend, SHMLAB_NATIVE_SEGMENT, NULL);
  g_autofree char *holding = g_strdup_printf ("holding \"%s\" (100 bytes, %s)", key,
                                              shmlab_backend_describe (backend));
  CliProcess *writer;

  writer = cli_start ("holding", NULL, "write", key, "--text", HELLO, "--size", "100",
                      "--backend", backend_name, NULL);
  g_assert_true (contains (writer->err_text->str, native));
  g_assert_true (contains (writer->err_text->str, "create   100 bytes  ok"));
  g_assert_true (contains (writer->err_text->str, "copy     22 bytes in (text)  ok"));
  g_assert_true (contains (writer->err_text->str, holding));

  {
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint (run_cli (&out, &err, "read", key, "--backend", backend_name), ==, 0);
    g_assert_cmpstr (out, ==, HELLO "\n");
    g_assert_true (contains (err, "attach   100 bytes, read-only  ok"));
    g_assert_true (contains (err, "copy     100 bytes out  ok"));
    g_assert_true (contains (err, "segment kept"));
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint (run_cli (&out, &err, "read", key, "--backend", backend_name, "--quiet"),
                     ==, 0);
    g_assert_cmpstr (out, ==, HELLO "\n");
    g_assert_cmpstr (err, ==, "");
  }

  g_assert_cmpint (cli_process_close_stdin (writer), ==, 0);
  if (shmlab_backend_is_persistent (backend))
    {
      g_autofree char *remove = shmlab_command_for_key ("remove", key, backend, NULL);
      g_autofree char *out = NULL, *err = NULL;

      /* A file stays: the way to remove it is named, and works. */
      g_assert_true (contains (writer->err_text->str, "stdin closed; file kept, though no process "
                                                      "maps it any more"));
      g_assert_true (contains (writer->err_text->str, remove));
      g_assert_cmpint (run_cli (&out, &err, "read", key, "--backend", backend_name, "--quiet"),
                       ==, 0);
      g_assert_cmpstr (out, ==, HELLO "\n");
      g_clear_pointer (&out, g_free);
      g_clear_pointer (&err, g_free);
      g_assert_cmpint (run_cli (&out, &err, "remove", key, "--backend", backend_name), ==, 0);
    }
  else
    g_assert_true (contains (writer->err_text->str, "stdin closed; segment removed: last process"));

  {
    g_autofree char *out = NULL, *err = NULL;
    assert_error (run_cli (&out, &err, "info", key, "--backend", backend_name), err, 1,
                  "no segment");
  }
  assert_nothing_left (key);

  /* Text from standard input, in a frame; a signal ends the hold. */
  writer = cli_start ("holding", "line one\nline two\n", "write", key, "-", "--format", "frame",
                      "--backend", backend_name, NULL);
  g_assert_true (contains (writer->err_text->str, "(frame, generation 1)"));
  g_assert_true (contains (writer->err_text->str, "press Ctrl+C to detach"));
  {
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint (run_cli (&out, &err, "read", key, "--backend", backend_name), ==, 0);
    g_assert_cmpstr (out, ==, "line one\nline two\n");
    g_assert_true (contains (err, "decode   frame, 18 bytes of text  ok"));
  }
  g_assert_cmpint (cli_process_signal (writer, SIGTERM), ==, 0);
  g_assert_true (contains (writer->err_text->str, shmlab_backend_is_persistent (backend)
                                                    ? "SIGTERM; file kept"
                                                    : "SIGTERM; segment removed"));
  assert_last_detached (key, backend);
}

static void
test_text_cut (void)
{
  g_autofree char *key = shmlab_test_unique_key ("cut");
  CliProcess *writer;

  {
    g_autofree char *out = NULL, *err = NULL;
    assert_error (run_cli (&out, &err, "write", key, "--text", "abcdefghij", "--size", "8",
                           "--quiet"),
                  err, 1, "needs 11 bytes but the segment holds 8");
    g_assert_true (contains (err, "use --cut to cut the text, or a larger --size"));
  }
  assert_nothing_left (key);

  /* Cut on a character boundary: 8 bytes hold one NUL and two 3-byte characters. */
  writer = cli_start ("holding", NULL, "write", key, "--text", "你好你好", "--size", "8", "--cut",
                      NULL);
  g_assert_true (contains (writer->err_text->str, "7 bytes in (text, cut from 13 bytes)"));
  {
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint (run_cli (&out, &err, "read", key, "--quiet"), ==, 0);
    g_assert_cmpstr (out, ==, "你好\n");
  }
  g_assert_cmpint (cli_process_close_stdin (writer), ==, 0);
  assert_nothing_left (key);
}

static void
test_image_round_trip (gconstpointer data)
{
  const char *format = data;
  g_autofree char *key = shmlab_test_unique_key ("image");
  g_autofree char *in_name = g_strdup_printf ("in-%s.png", format);
  g_autofree char *out_name = g_strdup_printf ("out-%s.png", format);
  g_autofree char *in_path = temp_file (in_name);
  g_autofree char *out_path = temp_file (out_name);
  g_autoptr(ShmlabImage) image = make_image (7, 5);
  g_autoptr(ShmlabImage) read_back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *copied = NULL;
  CliProcess *writer;

  g_assert_true (shmlab_png_write_file (image, in_path, &error));
  g_assert_no_error (error);

  writer = cli_start ("holding", NULL, "write", key, "--file", in_path, "--format", format, NULL);
  copied = g_strdup_printf ("bytes in (%s", format);
  g_assert_true (contains (writer->err_text->str, copied));

  {
    g_autofree char *out = NULL, *err = NULL;
    g_autofree char *decoded = g_strdup_printf ("decode   %s, 7×5 image  ok", format);
    g_assert_cmpint (run_cli (&out, &err, "read", key), ==, 1);
    g_assert_true (contains (err, decoded));
    g_assert_true (contains (err, "shmlab: the segment holds a 7×5 image: give --output FILE.png"));
    g_assert_cmpstr (out, ==, "");
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint (run_cli (&out, &err, "read", key, "--output", out_path, "--quiet"), ==, 0);
    g_assert_cmpstr (err, ==, "");
  }
  read_back = shmlab_image_load_file (out_path, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (read_back);
  if (read_back != NULL)
    g_assert_true (shmlab_image_equal (image, read_back));

  {
    g_autofree char *out = NULL, *err = NULL;
    g_autofree char *described = g_strdup_printf ("%s", g_str_equal (format, "frame")
                                                  ? "frame: 7×5 image" : "qt-image: 7×5 image");
    g_assert_cmpint (run_cli (&out, &err, "list", "--backend", "sysv"), ==, 0);
    g_assert_true (contains (out, described));
  }

  g_assert_cmpint (cli_process_close_stdin (writer), ==, 0);
  assert_nothing_left (key);
}

/* `shmlab write --file` takes a JPEG or a BMP as it takes a PNG, and
 * `shmlab read` gives the picture back. */
static void
test_image_types (gconstpointer data)
{
  const char *type = data;
  gboolean exact = !g_str_equal (type, "jpeg");
  g_autofree char *key = shmlab_test_unique_key ("imgtype");
  g_autofree char *in_name = g_strdup_printf ("in.%s", type);
  g_autofree char *in_path = temp_file (in_name);
  g_autofree char *out_path = temp_file ("out-type.png");
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 32, 16);
  g_autoptr(ShmlabImage) read_back = NULL;
  g_autoptr(GError) error = NULL;
  CliProcess *writer;

  /* Flat halves, which JPEG keeps close. */
  for (int y = 0; y < 16; y++)
    for (int x = 0; x < 32; x++)
      {
        guint8 *p = gdk_pixbuf_get_pixels (pixbuf) + y * gdk_pixbuf_get_rowstride (pixbuf) + x * 3;
        p[0] = x < 16 ? 200 : 10;
        p[1] = (guint8) (exact ? y * 9 : 40);
        p[2] = x < 16 ? 30 : 220;
      }
  g_assert_true (gdk_pixbuf_save (pixbuf, in_path, type, &error, NULL));
  g_assert_no_error (error);

  writer = cli_start ("holding", NULL, "write", key, "--file", in_path, NULL);
  g_assert_true (contains (writer->err_text->str, "bytes in (frame"));
  {
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint (run_cli (&out, &err, "read", key, "--output", out_path, "--quiet"), ==, 0);
    g_assert_cmpstr (err, ==, "");
  }
  read_back = shmlab_image_load_file (out_path, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (read_back);
  if (read_back != NULL)
    {
      g_assert_cmpuint (read_back->width, ==, 32);
      g_assert_cmpuint (read_back->height, ==, 16);
      for (int y = 0; y < 16; y++)
        for (int x = 0; x < 32; x += 31)
          {
            const guint8 *want = gdk_pixbuf_read_pixels (pixbuf) +
                                 y * gdk_pixbuf_get_rowstride (pixbuf) + x * 3;
            const guint8 *got = read_back->pixels + (gsize) y * read_back->stride + (gsize) x * 4;

            for (int c = 0; c < 3; c++)
              g_assert_cmpint (ABS ((int) got[c] - (int) want[c]), <=, exact ? 0 : 40);
            g_assert_cmpuint (got[3], ==, 255);
          }
    }

  g_assert_cmpint (cli_process_close_stdin (writer), ==, 0);
  assert_nothing_left (key);
  g_unlink (in_path);
  g_unlink (out_path);
}

static void
test_raw (void)
{
  g_autofree char *key = shmlab_test_unique_key ("raw");
  g_autofree char *raw_path = temp_file ("raw.bin");
  g_autofree char *contents = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  static const guint8 expected[16] = { 'a', 'b', 'c', 0 };
  gsize length = 0;
  CliProcess *writer;

  writer = cli_start ("holding", NULL, "write", key, "--text", "abc", "--format", "text",
                      "--size", "16", NULL);

  g_assert_cmpint (cli_run_full (NULL, &out, &err, "read", key, "--raw", "--quiet", NULL), ==, 0);
  g_assert_cmpstr (err, ==, "");
  g_assert_cmpmem (g_bytes_get_data (out, NULL), g_bytes_get_size (out), expected, sizeof expected);

  {
    g_autofree char *text_out = NULL, *text_err = NULL;
    g_assert_cmpint (run_cli (&text_out, &text_err, "read", key, "--raw", "--output", raw_path),
                     ==, 0);
    g_assert_cmpstr (text_out, ==, "");
  }
  g_assert_true (g_file_get_contents (raw_path, &contents, &length, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (contents, length, expected, sizeof expected);

  g_assert_cmpint (cli_process_close_stdin (writer), ==, 0);
  assert_nothing_left (key);
}

static void
test_attach (void)
{
  g_autofree char *key = shmlab_test_unique_key ("attach");
  CliProcess *writer;

  writer = cli_start ("holding", NULL, "write", key, "--text", "one", "--format", "frame",
                      "--size", "1KiB", NULL);
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_error (run_cli (&out, &err, "write", key, "--text", "two", "--quiet"), err, 1,
                  "--attach");
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint (run_cli (&out, &err, "write", key, "--attach", "--text", "two", "--format",
                              "frame", "--hold", "0.1"),
                     ==, 0);
    g_assert_cmpstr (out, ==, "");
    g_assert_true (contains (err, "(1024 bytes), read-write  ok"));
    g_assert_true (contains (err, "(frame, generation 2)"));
    g_assert_true (contains (err, "holding \"" ));
    g_assert_true (contains (err, "(1024 bytes, System V) for 0.1 s"));
    g_assert_true (contains (err, "(time is up; segment kept: 1 other process is attached)"));
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    g_autofree char *generation = NULL;
    g_assert_cmpint (run_cli (&out, &err, "info", key), ==, 0);
    generation = info_field (out, "  generation");
    g_assert_cmpstr (generation, ==, "2");
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint (run_cli (&out, &err, "read", key, "--quiet"), ==, 0);
    g_assert_cmpstr (out, ==, "two\n");
  }
  g_assert_cmpint (cli_process_close_stdin (writer), ==, 0);
  assert_nothing_left (key);
}

static void
test_info (void)
{
  g_autofree char *key = shmlab_test_unique_key ("info");
  g_autofree char *native = shmlab_native_key (key, SHMLAB_BACKEND_SYSV, SHMLAB_NATIVE_SEGMENT,
                                               NULL);
  g_autofree char *semaphore = shmlab_native_key (key, SHMLAB_BACKEND_SYSV,
                                                  SHMLAB_NATIVE_SEMAPHORE, NULL);
  CliProcess *writer;

  writer = cli_start ("holding", NULL, "write", key, "--text", "hello info", "--format", "frame",
                      "--size", "1KiB", NULL);
  {
    g_autofree char *out = NULL, *err = NULL;
    g_autofree char *value = NULL;
    g_autofree char *pid = g_strdup (g_subprocess_get_identifier (writer->process));

    g_assert_cmpint (run_cli (&out, &err, "info", key), ==, 0);
    g_assert_cmpstr (err, ==, "");
    value = info_field (out, "key");
    g_assert_cmpstr (value, ==, key);
    g_clear_pointer (&value, g_free);
    value = info_field (out, "backend");
    g_assert_cmpstr (value, ==, "System V (sysv)");
    g_clear_pointer (&value, g_free);
    value = info_field (out, "segment");
    g_assert_cmpstr (value, ==, native);
    g_clear_pointer (&value, g_free);
    value = info_field (out, "semaphore");
    g_assert_cmpstr (value, ==, semaphore);
    g_clear_pointer (&value, g_free);
    value = info_field (out, "System V key");
    g_assert_true (g_str_has_prefix (value, "0x"));
    g_clear_pointer (&value, g_free);
    value = info_field (out, "size");
    g_assert_true (contains (value, "1024 bytes"));
    g_clear_pointer (&value, g_free);
    value = info_field (out, "attached");
    g_assert_cmpstr (value, ==, "1 process");
    g_clear_pointer (&value, g_free);
    value = info_field (out, "owner");
    g_assert_true (g_str_has_prefix (value, "you"));
    g_clear_pointer (&value, g_free);
    value = info_field (out, "mode");
    g_assert_cmpstr (value, ==, "0600");
    g_clear_pointer (&value, g_free);
    value = info_field (out, "creator pid");
    g_assert_cmpstr (value, ==, pid);
    g_clear_pointer (&value, g_free);
    value = info_field (out, "stale");
    g_assert_cmpstr (value, ==, "no");
    g_clear_pointer (&value, g_free);
    value = info_field (out, "format");
    g_assert_cmpstr (value, ==, "ShmLab frame");
    g_clear_pointer (&value, g_free);
    value = info_field (out, "  kind");
    g_assert_cmpstr (value, ==, "1 (text)");
    g_clear_pointer (&value, g_free);
    value = info_field (out, "  payload_length");
    g_assert_cmpstr (value, ==, "10 bytes");
    g_clear_pointer (&value, g_free);
    value = info_field (out, "  writer_pid");
    g_assert_cmpstr (value, ==, pid);
    g_clear_pointer (&value, g_free);
    value = info_field (out, "text");
    g_assert_cmpstr (value, ==, "\"hello info\" (10 bytes)");
    g_clear_pointer (&value, g_free);
    g_assert_true (contains (out, "  crc32"));
    g_assert_true (contains (out, "  write_time"));
  }

  /* A writer killed while attached leaves a stale segment. */
  g_assert_cmpint (cli_process_signal (writer, SIGKILL), ==, 128 + SIGKILL);
  {
    g_autofree char *out = NULL, *err = NULL;
    g_autofree char *value = NULL;
    g_autofree char *remove_hint = g_strdup_printf (": shmlab remove %s", key);

    g_assert_cmpint (run_cli (&out, &err, "info", key), ==, 0);
    value = info_field (out, "attached");
    g_assert_cmpstr (value, ==, "0 processes");
    g_clear_pointer (&value, g_free);
    value = info_field (out, "stale");
    g_assert_true (g_str_has_prefix (value, "yes: no process is attached"));
    g_assert_true (contains (value, remove_hint));
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint (run_cli (&out, &err, "list", "--backend", "sysv"), ==, 0);
    g_assert_true (contains (out, key));
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint (run_cli (&out, &err, "remove", key), ==, 0);
  }
  assert_nothing_left (key);
}

/* The row of `shmlab list` for @key, or NULL. */
static char *
list_row (const char *out,
          const char *key)
{
  g_auto(GStrv) lines = g_strsplit (out ? out : "", "\n", -1);
  g_autofree char *prefix = g_strdup_printf ("%s ", key);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      return g_strdup (lines[i]);
  return NULL;
}

static void
test_list (void)
{
  g_autofree char *key = shmlab_test_unique_key ("list");
  CliProcess *sysv_writer, *posix_writer;

  sysv_writer = cli_start ("holding", NULL, "write", key, "--text", "listed", NULL);
  /* POSIX names keep only the key's letters: the full key cannot be shown. */
  posix_writer = cli_start ("holding", NULL, "write", key, "--text", "listed", "--size", "777",
                            "--backend", "posix", NULL);
  {
    g_autofree char *out = NULL, *err = NULL;
    g_autofree char *row = NULL;
    g_autofree char *posix_row = NULL;

    g_assert_cmpint (run_cli (&out, &err, "list"), ==, 0);
    g_assert_true (g_str_has_prefix (out, "KEY "));
    g_assert_true (contains (out, "FORMAT"));
    row = list_row (out, key);
    g_assert_nonnull (row);
    g_assert_true (contains (row, " sysv "));
    g_assert_true (contains (row, " 7 bytes "));
    g_assert_true (contains (row, " 1 "));
    g_assert_true (contains (row, " no "));
    g_assert_true (g_str_has_suffix (row, " text"));
    posix_row = list_row (out, "shmlabtestlist…");
    g_assert_nonnull (posix_row);
    g_assert_true (contains (posix_row, " posix "));
    g_assert_true (contains (out, " 777 bytes "));
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    g_autofree char *row = NULL;

    g_assert_cmpint (run_cli (&out, &err, "list", "--backend", "posix"), ==, 0);
    row = list_row (out, key);
    g_assert_null (row);
    g_assert_true (contains (out, " 777 bytes "));
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    g_autofree char *entry = g_strdup_printf ("{\"key\": \"%s\"", key);

    g_assert_cmpint (run_cli (&out, &err, "list", "--json", "--backend", "sysv"), ==, 0);
    g_assert_true (g_str_has_prefix (out, "[\n"));
    g_assert_true (contains (out, entry));
    g_assert_true (contains (out, "\"stale\": false"));
  }
  g_assert_cmpint (cli_process_close_stdin (sysv_writer), ==, 0);
  g_assert_cmpint (cli_process_close_stdin (posix_writer), ==, 0);
  {
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint (run_cli (&out, &err, "list"), ==, 0);
    g_assert_null (strstr (out, key));
    g_assert_null (strstr (out, " 777 bytes "));
  }
  assert_nothing_left (key);
}

static void
test_remove (gconstpointer data)
{
  ShmlabBackend backend = GPOINTER_TO_INT (data);
  const char *backend_name = shmlab_backend_to_string (backend);
  g_autofree char *key = shmlab_test_unique_key ("remove");
  CliProcess *writer;

  writer = cli_start ("holding", NULL, "write", key, "--text", "keep me", "--backend",
                      backend_name, NULL);
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_error (run_cli (&out, &err, "remove", key, "--backend", backend_name), err, 1,
                  "attached by 1 process");
    g_assert_true (contains (err, "--force"));
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint (run_cli (&out, &err, "read", key, "--quiet", "--backend", backend_name),
                     ==, 0);
    g_assert_cmpstr (out, ==, "keep me\n");
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint (run_cli (&out, &err, "remove", key, "--force", "--backend", backend_name),
                     ==, 0);
    g_assert_true (contains (out, "removed"));
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_error (run_cli (&out, &err, "info", key, "--backend", backend_name), err, 1,
                  "no segment");
  }
  assert_nothing_left (key);

  /* The writer keeps its mapping and still detaches cleanly. */
  g_assert_cmpint (cli_process_close_stdin (writer), ==, 0);
  g_assert_true (contains (writer->err_text->str, "segment already removed by another process"));
}

/* A writer detaching from a segment removed under it leaves nothing behind:
 * no lock, no key file. */
static void
test_remove_then_detach (gconstpointer data)
{
  ShmlabBackend backend = GPOINTER_TO_INT (data);
  const char *backend_name = shmlab_backend_to_string (backend);
  g_autofree char *key = shmlab_test_unique_key ("removed");
  CliProcess *writer;

  writer = cli_start ("holding", NULL, "write", key, "--text", "gone", "--backend", backend_name,
                      NULL);
  {
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint (run_cli (&out, &err, "remove", key, "--force", "--backend", backend_name),
                     ==, 0);
  }
  g_assert_cmpint (cli_process_close_stdin (writer), ==, 0);
  assert_nothing_left (key);
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_error (run_cli (&out, &err, "remove", key, "--backend", backend_name), err, 1,
                  "nothing to remove");
  }
}

static void
test_lock_timeout (gconstpointer data)
{
  ShmlabBackend backend = GPOINTER_TO_INT (data);
  const char *backend_name = shmlab_backend_to_string (backend);
  g_autofree char *key = shmlab_test_unique_key ("lock");
  CliProcess *writer, *locker;

  writer = cli_start ("holding", NULL, "write", key, "--text", "behind a lock", "--backend",
                      backend_name, NULL);
  locker = cli_start ("locked", NULL, "lock", key, "--backend", backend_name, NULL);
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_error (run_cli (&out, &err, "read", key, "--lock-timeout", "200", "--quiet",
                           "--backend", backend_name),
                  err, 1, "not released within 200 ms");
    g_assert_cmpstr (out, ==, "");
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    g_autofree char *format = NULL;

    g_assert_cmpint (run_cli (&out, &err, "info", key, "--backend", backend_name), ==, 0);
    format = info_field (out, "format");
    g_assert_true (g_str_has_prefix (format, "unknown: the lock was not free"));
  }
  if (backend == SHMLAB_BACKEND_SYSV)
    {
      g_autofree char *out = NULL, *err = NULL;
      g_autofree char *row = NULL;

      g_assert_cmpint (run_cli (&out, &err, "list", "--backend", backend_name), ==, 0);
      row = list_row (out, key);
      g_assert_true (g_str_has_suffix (row, " locked"));
    }
  g_assert_cmpint (cli_process_close_stdin (locker), ==, 0);
  g_assert_true (contains (locker->err_text->str, "unlock   (stdin closed)  ok"));
  {
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint (run_cli (&out, &err, "read", key, "--lock-timeout", "200", "--quiet",
                              "--backend", backend_name),
                     ==, 0);
    g_assert_cmpstr (out, ==, "behind a lock\n");
  }
  g_assert_cmpint (cli_process_close_stdin (writer), ==, 0);
  assert_last_detached (key, backend);
}

/* Holding the lock of a key nobody created leaves no lock or key file. */
static void
test_lock_alone (gconstpointer data)
{
  ShmlabBackend backend = GPOINTER_TO_INT (data);
  const char *backend_name = shmlab_backend_to_string (backend);
  g_autofree char *key = shmlab_test_unique_key ("lockalone");
  g_autofree char *out = NULL, *err = NULL;

  g_assert_cmpint (run_cli (&out, &err, "lock", key, "--hold", "0", "--backend", backend_name),
                   ==, 0);
  g_assert_true (contains (err, "  lock     ok"));
  g_assert_true (contains (err, "unlock   (time is up)  ok"));
  assert_nothing_left (key);
}

/* `shmlab info` says who holds the lock, as every lock-timeout message
 * that sends the user there promises. */
static void
test_info_lock (gconstpointer data)
{
  ShmlabBackend backend = GPOINTER_TO_INT (data);
  const char *backend_name = shmlab_backend_to_string (backend);
  g_autofree char *key = shmlab_test_unique_key ("infolock");
  g_autofree char *alone = shmlab_test_unique_key ("infolockalone");
  CliProcess *writer, *locker;

  writer = cli_start ("holding", NULL, "write", key, "--text", "locked away", "--format", "frame",
                      "--backend", backend_name, NULL);
  {
    g_autofree char *out = NULL, *err = NULL, *value = NULL;

    g_assert_cmpint (run_cli (&out, &err, "info", key, "--backend", backend_name), ==, 0);
    value = info_field (out, "lock");
    g_assert_cmpstr (value, ==, "free");
  }

  locker = cli_start ("locked", NULL, "lock", key, "--backend", backend_name, NULL);
  {
    g_autofree char *out = NULL, *err = NULL, *value = NULL;
    g_autofree char *comm = shmlab_test_process_name (locker->process);
    g_autofree char *held = g_strdup_printf ("held by %s (%s)",
                                             g_subprocess_get_identifier (locker->process), comm);

    g_assert_cmpint (run_cli (&out, &err, "info", key, "--backend", backend_name), ==, 0);
    value = info_field (out, "lock");
    g_assert_cmpstr (value, ==, held);
    g_clear_pointer (&value, g_free);
    /* The content cannot be copied out meanwhile: the line says why, and who. */
    value = info_field (out, "format");
    g_assert_true (contains (value, "not free within"));
    g_assert_true (contains (value, held));
  }
  {
    /* A reader that gives up sends the user to the command that said all that. */
    g_autofree char *out = NULL, *err = NULL;
    g_autofree char *hint = shmlab_command_for_key ("info", key, backend, NULL);

    g_assert_cmpint (run_cli (&out, &err, "read", key, "--lock-timeout", "200", "--backend",
                              backend_name), ==, 1);
    g_assert_true (contains (err, hint));
  }
  g_assert_cmpint (cli_process_close_stdin (locker), ==, 0);
  g_assert_cmpint (cli_process_close_stdin (writer), ==, 0);

  /* A lock held with no segment: the failure still says who holds it. */
  locker = cli_start ("locked", NULL, "lock", alone, "--backend", backend_name, NULL);
  {
    g_autofree char *out = NULL, *err = NULL, *value = NULL;

    g_assert_cmpint (run_cli (&out, &err, "info", alone, "--backend", backend_name), ==, 1);
    value = info_field (out, "lock");
    if (backend == SHMLAB_BACKEND_SYSV)
      {
        g_autofree char *comm = shmlab_test_process_name (locker->process);
        g_autofree char *held = g_strdup_printf ("held by %s (%s)",
                                                 g_subprocess_get_identifier (locker->process),
                                                 comm);
        g_assert_cmpstr (value, ==, held);
      }
    else
      g_assert_cmpstr (value, ==, "taken (holder unknown)");
    g_assert_true (contains (err, "no segment"));
  }
  g_assert_cmpint (cli_process_close_stdin (locker), ==, 0);
  assert_last_detached (key, backend);
  assert_nothing_left (alone);
}

static void
test_bad_input (void)
{
  g_autofree char *key = shmlab_test_unique_key ("bad");
  g_autofree char *long_key = g_strnfill (256, '7');
  g_autofree char *missing = temp_file ("missing.png");
  g_autofree char *corrupt = temp_file ("corrupt.png");
  g_autofree char *truncated = temp_file ("truncated.png");
  g_autoptr(ShmlabImage) image = make_image (40, 30);
  g_autoptr(GError) error = NULL;
  g_autofree char *png = NULL;
  gsize png_length = 0;
  const char *backends[] = { "sysv", "posix" };

  g_assert_true (g_file_set_contents (corrupt, "this is not a picture", -1, &error));
  g_assert_no_error (error);
  g_assert_true (shmlab_png_write_file (image, truncated, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (truncated, &png, &png_length, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (truncated, png, (gssize) png_length / 2, &error));
  g_assert_no_error (error);

  {
    g_autofree char *out = NULL, *err = NULL;
    assert_error (run_cli (&out, &err, "write", "", "--text", "x", "-q"), err, 1, "key is empty");
    assert_nothing_left ("");
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_error (run_cli (&out, &err, "write", long_key, "--text", "x", "-q"), err, 1, "255");
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_error (run_cli (&out, &err, "read", "bad\xff", "-q"), err, 1, "not valid UTF-8");
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_error (run_cli (&out, &err, "write", key, "--text", "bad\xfe", "-q"), err, 1,
                  "not valid UTF-8");
  }
  {
    g_autoptr(GBytes) input = g_bytes_new_static ("caf\xe9\n", 5);
    g_autofree char *err = NULL;
    assert_error (cli_run_full (input, NULL, &err, "write", key, "-", "-q", NULL), err, 1,
                  "standard input is not valid UTF-8 text: byte 3 (0xE9)");
  }
  for (guint i = 0; i < G_N_ELEMENTS (backends); i++)
    {
      g_autofree char *out = NULL, *err = NULL;
      g_autofree char *out2 = NULL, *err2 = NULL;

      assert_error (run_cli (&out, &err, "write", key, "--text", "x", "--size", "0", "-q",
                             "--backend", backends[i]),
                    err, 1, "0 bytes");
      assert_error (run_cli (&out2, &err2, "write", key, "--text", "x", "--size", "1PiB", "-q",
                             "--backend", backends[i]),
                    err2, 1, "1125899906842624 bytes");
      g_assert_true (contains (err2, "allows"));
    }
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_error (run_cli (&out, &err, "write", key, "--file", missing, "-q"), err, 1, missing);
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_error (run_cli (&out, &err, "write", key, "--file", corrupt, "-q"), err, 1,
                  "not a picture ShmLab can open");
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_error (run_cli (&out, &err, "write", key, "--file", truncated, "-q"), err, 1, "PNG");
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_error (run_cli (&out, &err, "write", key, "--text", "abcdefghij", "--size", "4",
                           "--format", "frame", "--cut", "-q"),
                  err, 1, "64-byte frame header");
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_error (run_cli (&out, &err, "write", key, "--attach", "--text", "x", "-q"), err, 1,
                  "no segment");
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_error (run_cli (&out, &err, "read", key, "-q"), err, 1, "no segment");
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_error (run_cli (&out, &err, "info", key), err, 1, "no segment");
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_error (run_cli (&out, &err, "remove", key), err, 1, "nothing to remove");
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_error (run_cli (&out, &err, "read", key, "-q", "--backend", "posix"), err, 1,
                  "no segment");
  }
  assert_nothing_left (key);
}

/* A segment of bytes that are not text is shown, with a warning. */
static void
test_garbage (void)
{
  g_autofree char *key = shmlab_test_unique_key ("garbage");
  g_autoptr(ShmlabSegment) segment = shmlab_segment_new (SHMLAB_BACKEND_SYSV);
  g_autoptr(GError) error = NULL;
  guint8 *data;

  g_assert_true (shmlab_segment_set_key (segment, key, &error));
  g_assert_true (shmlab_segment_create (segment, 64, SHMLAB_ACCESS_READ_WRITE, NULL, &error));
  g_assert_no_error (error);
  if (!shmlab_segment_is_attached (segment))
    return;
  data = shmlab_segment_get_data (segment);
  memcpy (data, "ok ", 3);
  for (guint i = 3; i < 35; i++)
    data[i] = (guint8) (0x80 + i);

  {
    g_autofree char *out = NULL, *err = NULL;
    g_autofree char *hint = g_strdup_printf ("look at it with: shmlab info %s", key);

    g_assert_cmpint (run_cli (&out, &err, "read", key, "-q"), ==, 0);
    g_assert_true (g_str_has_prefix (out, "ok \xef\xbf\xbd"));
    g_assert_true (g_utf8_validate (out, -1, NULL));
    g_assert_true (contains (err, "shmlab: warning: 32 bytes were not valid text, shown as "
                                  "U+FFFD"));
    g_assert_true (contains (err, hint));
    g_assert_cmpuint (count_lines (err), ==, 1);
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint (run_cli (&out, &err, "info", key), ==, 0);
    g_assert_true (contains (out, "32 bytes are not valid text"));
  }

  g_assert_true (shmlab_segment_detach (segment, &error));
  g_assert_no_error (error);
  assert_nothing_left (key);
}

/* The command a message suggests on its last line: from its last "shmlab
 * COMMAND " to the end of that line, exactly as a person would select it. */
static char *
suggested_command (const char *message,
                   const char *command)
{
  g_autofree char *start = g_strdup_printf ("shmlab %s ", command);
  const char *found = NULL;
  const char *end;

  for (const char *p = message; p != NULL && (p = strstr (p, start)) != NULL; p++)
    found = p;
  if (found == NULL)
    {
      g_test_message ("no “%s” in:\n%s", start, message ? message : "(null)");
      return NULL;
    }
  /* Nothing that would be pasted with it: no quote of any kind before it. */
  if (found > message)
    {
      const char *before = g_utf8_prev_char (found);
      gunichar c = g_utf8_get_char (before);

      g_assert_true (c != '\'' && c != '"' && c != '`' && c != 0x201C && c != 0x2018 &&
                     c != 0x300C);
    }
  end = strchr (found, '\n');
  return g_strndup (found, end ? (gsize) (end - found) : strlen (found));
}

/* Pastes @command into sh, where `shmlab` is the program under test, after
 * checking that a shell splits it into @expected. Returns its exit status. */
static int
paste_into_shell (const char         *command,
                  const char * const *expected,
                  char              **out)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = NULL;
  g_autofree char *script = NULL;
  g_autofree char *err = NULL;
  g_autofree char *ignored = NULL;
  int wait_status = 0;

  g_test_message ("pasting: %s", command);
  g_assert_true (g_shell_parse_argv (command, NULL, &argv, &error));
  g_assert_no_error (error);
  g_assert_cmpstrv (argv, expected);

  script = g_strdup_printf ("shmlab () { \"$0\" \"$@\"; }\n%s", command);
  {
    const char *const sh[] = { "/bin/sh", "-c", script, shmlab_test_cli_path (), NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) sh, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                 out ? out : &ignored, &err, &wait_status, &error));
  }
  g_assert_no_error (error);
  g_test_message ("it said: %s", err);
  return WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : 128 + WTERMSIG (wait_status);
}

/* What the shell must make of "shmlab COMMAND [--backend B] [OPTION] -- KEY". */
static GStrv
expected_argv (const char    *command,
               ShmlabBackend  backend,
               const char    *option,
               const char    *key)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_strv_builder_add_many (builder, "shmlab", command, NULL);
  if (backend != SHMLAB_BACKEND_DEFAULT)
    g_strv_builder_add_many (builder, "--backend", shmlab_backend_to_string (backend), NULL);
  if (option != NULL)
    g_strv_builder_add (builder, option);
  g_strv_builder_add_many (builder, "--", key, NULL);
  return g_strv_builder_end (builder);
}

/* Every command a message suggests works when pasted into a shell, in every
 * language, for a key a shell would otherwise split, expand or take for an
 * option. */
static void
test_suggested_commands (gconstpointer data)
{
  static const char *const languages[] = { "", "zh_CN", "zh_TW" };
  ShmlabBackend backend = GPOINTER_TO_INT (data);
  const char *backend_name = shmlab_backend_to_string (backend);

  for (guint i = 0; i < G_N_ELEMENTS (languages); i++)
    {
      g_autofree char *unique = shmlab_test_unique_key ("paste");
      g_autofree char *key = g_strdup_printf ("-%s it's “q” $HOME", unique);
      g_auto(GStrv) info = expected_argv ("info", backend, NULL, key);
      g_auto(GStrv) force = expected_argv ("remove", backend, "--force", key);
      CliProcess *writer, *locker;

      g_test_message ("LANGUAGE=%s", languages[i]);
      shmlab_test_track_key (key);
      /* The processes that hold are read in English; the messages in each language. */
      g_setenv ("LANGUAGE", "", TRUE);
      writer = cli_start ("holding", NULL, "write", "--text", "pasted", "--backend", backend_name,
                          "--", key, NULL);
      locker = cli_start ("locked", NULL, "lock", "--backend", backend_name, "--", key, NULL);
      g_setenv ("LANGUAGE", languages[i], TRUE);

      /* The lock timeout names the holder's command. */
      {
        g_autofree char *out = NULL, *err = NULL;
        g_autofree char *command = NULL;

        g_assert_cmpint (run_cli (&out, &err, "read", "--lock-timeout", "100", "--backend",
                                  backend_name, "--", key),
                         ==, 1);
        command = suggested_command (err, "info");
        g_assert_nonnull (command);
        if (command != NULL)
          {
            g_autofree char *shown = NULL;

            g_assert_cmpint (paste_into_shell (command, (const char *const *) info, &shown), ==, 0);
            g_assert_true (contains (shown, key));
          }
      }
      g_assert_cmpint (cli_process_close_stdin (locker), ==, 0);

      /* Removing a segment in use says how to force it. */
      {
        g_autofree char *out = NULL, *err = NULL;
        g_autofree char *command = NULL;

        g_assert_cmpint (run_cli (&out, &err, "remove", "--backend", backend_name, "--", key),
                         ==, 1);
        command = suggested_command (err, "remove");
        g_assert_nonnull (command);
        if (command != NULL)
          g_assert_cmpint (paste_into_shell (command, (const char *const *) force, NULL), ==, 0);
      }
      g_assert_cmpint (cli_process_close_stdin (writer), ==, 0);
      assert_nothing_left (key);
    }
  g_setenv ("LANGUAGE", "", TRUE);
}

/* A stale segment's `shmlab info` says how to remove it, pasteably, in every language. */
static void
test_suggested_remove (void)
{
  static const char *const languages[] = { "", "zh_CN", "zh_TW" };

  for (guint i = 0; i < G_N_ELEMENTS (languages); i++)
    {
      g_autofree char *unique = shmlab_test_unique_key ("stale");
      g_autofree char *key = g_strdup_printf ("-%s (a) `b` 'c'", unique);
      g_auto(GStrv) remove = expected_argv ("remove", SHMLAB_BACKEND_SYSV, NULL, key);
      CliProcess *writer;

      shmlab_test_track_key (key);
      g_setenv ("LANGUAGE", "", TRUE);
      writer = cli_start ("holding", NULL, "write", "--text", "stale", "--", key, NULL);
      g_assert_cmpint (cli_process_signal (writer, SIGKILL), ==, 128 + SIGKILL);
      g_setenv ("LANGUAGE", languages[i], TRUE);
      {
        g_autofree char *out = NULL, *err = NULL;
        g_autofree char *command = NULL;

        g_assert_cmpint (run_cli (&out, &err, "info", "--", key), ==, 0);
        command = suggested_command (out, "remove");
        g_assert_nonnull (command);
        if (command != NULL)
          g_assert_cmpint (paste_into_shell (command, (const char *const *) remove, NULL), ==, 0);
      }
      assert_nothing_left (key);
    }
  g_setenv ("LANGUAGE", "", TRUE);
}

/* Reading with the backend the key has no segment in names the one it has,
 * with the command that reads it. */
static void
test_other_backend (gconstpointer data)
{
  ShmlabBackend backend = GPOINTER_TO_INT (data);
  guint n_backends;
  const ShmlabBackend *backends = shmlab_backend_all (&n_backends);
  g_autofree char *key = shmlab_test_unique_key ("other");
  CliProcess *writer;

  writer = cli_start ("holding", NULL, "write", key, "--text", "over here", "--backend",
                      shmlab_backend_to_string (backend), NULL);
  for (guint i = 0; i < n_backends; i++)
    {
      g_autofree char *out = NULL, *err = NULL;
      g_autofree char *said = NULL;
      g_autofree char *command = NULL;
      const char *const expected[] = { "shmlab", "read", "--backend",
                                       shmlab_backend_to_string (backend), key, NULL };

      if (backends[i] == backend)
        continue;
      assert_error (run_cli (&out, &err, "read", key, "--quiet", "--backend",
                             shmlab_backend_to_string (backends[i])),
                    err, 1, "but a");
      said = g_strdup_printf ("no %s segment has the key “%s”, but a %s one does: ",
                              shmlab_backend_describe (backends[i]), key,
                              shmlab_backend_describe (backend));
      g_assert_true (contains (err, said));
      command = suggested_command (err, "read");
      g_assert_nonnull (command);
      if (command != NULL)
        {
          g_autofree char *read = NULL;

          g_assert_cmpint (paste_into_shell (command, expected, &read), ==, 0);
          g_assert_cmpstr (read, ==, "over here\n");
        }
    }
  g_assert_cmpint (cli_process_close_stdin (writer), ==, 0);
  assert_last_detached (key, backend);
}

/* A count of one reads as one; a size error names every unit it takes; no
 * bracket opens inside another. */
static void
test_plurals_and_units (void)
{
  g_autofree char *key = shmlab_test_unique_key ("plural");

  {
    g_autofree char *out = NULL, *err = NULL;

    g_assert_cmpint (run_cli (&out, &err, "write", key, "--text", "", "--hold", "0"), ==, 0);
    g_assert_true (contains (err, "  create   1 byte  ok"));
    g_assert_true (contains (err, "  copy     1 byte in (text)  ok"));
    g_assert_null (strstr (err, " 1 bytes"));
  }
  {
    g_autofree char *out = NULL, *err = NULL;

    g_assert_cmpint (run_cli (&out, &err, "write", key, "--text", "Hello", "--size", "1",
                              "--cut", "--hold", "0"),
                     ==, 0);
    g_assert_true (contains (err, "  copy     1 byte in (text, cut from 6 bytes)  ok"));
  }
  {
    g_autofree char *out = NULL, *err = NULL;

    assert_error (run_cli (&out, &err, "write", key, "--text", "x", "--size", "3XB"), err, 2,
                  "is not a size");
    g_assert_true (contains (err, "(B, KiB, MiB, GiB, TiB, PiB;"));
  }
  {
    g_autofree char *out = NULL, *err = NULL;

    /* Larger than any test machine's memory: refused, in one sentence without (( or )). */
    g_assert_cmpint (run_cli (&out, &err, "write", key, "--text", "x", "--size", "1PiB",
                              "--hold", "0", "-q"),
                     ==, 1);
    g_assert_true (contains (err, "PiB (1125899906842624 bytes) for key"));
    g_assert_null (strstr (err, "))"));
    g_assert_null (strstr (err, "(("));
  }
  assert_nothing_left (key);
}

/* Rows of `shmlab list --all` that neither ShmLab nor Qt made, by their key
 * column: a System V key not made with Qt's 'Q', or a /dev/shm name not in
 * Qt's scheme. */
static guint
count_foreign_rows (const char *out)
{
  g_auto(GStrv) lines = g_strsplit (out ? out : "", "\n", -1);
  guint n = 0;

  for (guint i = 1; lines[i] != NULL; i++)
    if ((g_str_has_prefix (lines[i], "0x") && !g_str_has_prefix (lines[i], "0x51")) ||
        (g_str_has_prefix (lines[i], "/") && !g_str_has_prefix (lines[i], "/qipc_")))
      n++;
  return n;
}

/* The last line of `shmlab list`: how many were left out, or NULL. */
static char *
left_out_line (const char *out,
               guint      *n)
{
  g_auto(GStrv) lines = g_strsplit (out ? out : "", "\n", -1);
  guint last = g_strv_length (lines);

  *n = 0;
  /* The output ends with a newline: the last line is the one before "". */
  if (last < 2 || strstr (lines[last - 2], " left out; ") == NULL)
    return NULL;
  *n = (guint) g_ascii_strtoull (lines[last - 2], NULL, 10);
  return g_strdup (lines[last - 2]);
}

/* Without options, `shmlab list` leaves out what other programs made (an
 * IPC_PRIVATE segment, as the X server's; a /dev/shm name not in Qt's
 * scheme), and its last line says how many and how to see them. */
static void
test_list_others (void)
{
  g_autofree char *key = shmlab_test_unique_key ("mine");
  g_autofree char *other_name = g_strdup_printf ("/shmlabtest-other-%d", (int) getpid ());
  const char *const all_argv[] = { "shmlab", "list", "--all", NULL };
  CliProcess *writer;
  int private_id, fd;

  private_id = shmget (IPC_PRIVATE, 4093, IPC_CREAT | 0600);
  g_assert_cmpint (private_id, >=, 0);
  fd = shm_open (other_name, O_RDWR | O_CREAT | O_EXCL, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, 4091), ==, 0);
  close (fd);
  writer = cli_start ("holding", NULL, "write", key, "--text", "mine", NULL);

  {
    g_autofree char *out = NULL, *err = NULL, *all = NULL, *all_err = NULL;
    g_autofree char *line = NULL;
    g_autofree char *command = NULL;
    g_autofree char *mine = NULL;
    g_autofree char *mine_in_all = NULL;
    guint n;

    g_assert_cmpint (run_cli (&out, &err, "list"), ==, 0);
    g_assert_cmpint (run_cli (&all, &all_err, "list", "--all"), ==, 0);
    /* What a student made is there; the others are not. */
    mine = list_row (out, key);
    g_assert_nonnull (mine);
    g_assert_null (strstr (out, "(4093 bytes)"));
    g_assert_null (strstr (out, other_name));
    /* They are counted, and the command that shows them works. */
    line = left_out_line (out, &n);
    g_assert_nonnull (line);
    g_assert_cmpuint (n, >=, 2);
    g_assert_cmpuint (n, ==, count_foreign_rows (all));
    g_assert_true (contains (line, "other segments, which neither ShmLab nor Qt made, are left "
                                   "out; this shows them: shmlab list --all"));
    command = suggested_command (out, "list");
    g_assert_cmpstr (command, ==, "shmlab list --all");
    /* `--all` shows them, and says nothing was left out. */
    mine_in_all = list_row (all, key);
    g_assert_nonnull (mine_in_all);
    g_assert_true (contains (all, "(4093 bytes)"));
    g_assert_true (contains (all, other_name));
    g_assert_null (strstr (all, "left out"));
    {
      g_autofree char *pasted = NULL;
      g_assert_cmpint (paste_into_shell (command, all_argv, &pasted), ==, 0);
      g_assert_true (contains (pasted, other_name));
    }
  }
  {
    /* --json, for scripts, lists every one in the same shape as before. */
    g_autofree char *out = NULL, *err = NULL;
    g_autofree char *entry = g_strdup_printf ("{\"key\": null, \"key_letters\": \"\", "
                                              "\"native_key\": \"%s\", \"backend\": \"posix\", "
                                              "\"size\": 4091, ", other_name);

    g_assert_cmpint (run_cli (&out, &err, "list", "--json"), ==, 0);
    g_assert_true (g_str_has_prefix (out, "[\n"));
    g_assert_true (contains (out, entry));
    g_assert_true (contains (out, "\"size\": 4093, "));
    g_assert_null (strstr (out, "left out"));
  }

  g_assert_cmpint (shmctl (private_id, IPC_RMID, NULL), ==, 0);
  g_assert_cmpint (shm_unlink (other_name), ==, 0);
  {
    /* With none left out, no last line: POSIX has only what the test made, or
     * the count still matches what --all shows. */
    g_autofree char *out = NULL, *err = NULL, *all = NULL, *all_err = NULL;
    g_autofree char *line = NULL;
    guint n;

    g_assert_cmpint (run_cli (&out, &err, "list", "--backend", "posix"), ==, 0);
    g_assert_cmpint (run_cli (&all, &all_err, "list", "--backend", "posix", "--all"), ==, 0);
    line = left_out_line (out, &n);
    g_assert_cmpuint (n, ==, count_foreign_rows (all));
    if (n == 0)
      g_assert_null (line);
    else if (n == 1)
      g_assert_true (contains (line, "1 other segment, which neither ShmLab nor Qt made, is left "
                                     "out; this shows it: shmlab list --all"));
  }
  g_assert_cmpint (cli_process_close_stdin (writer), ==, 0);
  assert_nothing_left (key);
}

/* tools/make-sample-video writes @name in the test's directory: 64 frames
 * of 320 × 180, y4m or (@raw) raw RGBA. */
static char *
make_sample_video (const char *name,
                   gboolean    raw)
{
  g_autofree char *script = shmlab_test_source_file ("..", "tools", "make-sample-video", NULL);
  char *path = temp_file (name);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) maker = NULL;
  const char *python = g_getenv ("SHMLAB_PYTHON");

  g_assert_nonnull (python);
  maker = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error, python, script,
                            "--frames", "64", "--size", "320x180", raw ? "--raw" : path,
                            raw ? path : NULL, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (maker, NULL, &error));
  g_assert_no_error (error);
  return path;
}

/* `shmlab follow KEY --frames N --json` while `shmlab stream KEY ARGS…`
 * runs; returns follow's JSON, with the stream stopped by Ctrl+C. */
static char *
follow_stream (const char *key,
               const char *frames,
               const char *first_arg,
               ...) G_GNUC_NULL_TERMINATED;

static char *
follow_stream (const char *key,
               const char *frames,
               const char *first_arg,
               ...)
{
  g_autoptr(GPtrArray) stream_argv = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  CliProcess *stream;
  va_list ap;

  va_start (ap, first_arg);
  stream_argv = cli_argv (first_arg, ap);
  va_end (ap);
  /* cli_start with the arguments gathered here. */
  stream = g_new0 (CliProcess, 1);
  stream->err_text = g_string_new (NULL);
  stream->process = g_subprocess_newv ((const char *const *) stream_argv->pdata,
                                       G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                       G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                       G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_test_queue_destroy (cli_process_free, stream);
  stream->err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (stream->process));
  if (!cli_process_wait_for (stream, "streaming "))
    g_test_message ("shmlab stream ended before streaming; it said:\n%s", stream->err_text->str);
  g_assert_nonnull (strstr (stream->err_text->str, "streaming "));

  g_assert_cmpint (run_cli (&out, &err, "follow", key, "--frames", frames, "--json"), ==, 0);
  g_assert_cmpint (cli_process_signal (stream, SIGINT), ==, 0);
  g_assert_true (contains (stream->err_text->str, "stopped: "));
  return out;
}

/* The pattern streamed with the lock and followed: every frame whole. */
static void
test_stream_follow (void)
{
  g_autofree char *key = shmlab_test_unique_key ("stream");
  g_autofree char *json = NULL;
  g_autofree char *out = NULL, *err = NULL;

  json = follow_stream (key, "20", "stream", key, "--size", "640x360", "--fps", "60", NULL);
  g_assert_true (contains (json, "\"frames_shown\": 20,"));
  g_assert_true (contains (json, "\"frames_torn\": 0,"));
  g_assert_true (contains (json, "\"lock\": true,"));
  g_assert_true (contains (json, "\"width\": 640,"));
  g_assert_true (contains (json, "\"height\": 360,"));
  g_assert_true (contains (json, "\"ended\": \"frames\""));

  /* On its own, 50 frames as fast as they go, then it stops by itself. */
  g_assert_cmpint (run_cli (&out, &err, "stream", key, "--frames", "50", "--fps", "max"), ==, 0);
  g_assert_true (contains (err, "streaming the test pattern, 1280 × 720 into"));
  g_assert_true (contains (err, "stopped: 50 frames"));
  assert_nothing_left (key);
}

/* A video made by tools/make-sample-video, y4m and raw, streamed at its own
 * size and followed. */
static void
test_stream_video (void)
{
  g_autofree char *key = shmlab_test_unique_key ("video");
  g_autofree char *y4m = make_sample_video ("sample.y4m", FALSE);
  g_autofree char *raw = make_sample_video ("sample.rgba", TRUE);
  g_autofree char *json = NULL;
  g_autofree char *json_raw = NULL;
  g_autofree char *out = NULL, *err = NULL;

  json = follow_stream (key, "10", "stream", key, "--video", y4m, "--fps", "120", NULL);
  g_assert_true (contains (json, "\"width\": 320,"));
  g_assert_true (contains (json, "\"height\": 180,"));
  g_assert_true (contains (json, "\"frames_torn\": 0,"));
  json_raw = follow_stream (key, "10", "stream", key, "--video", raw, "--raw-size", "320x180", NULL);
  g_assert_true (contains (json_raw, "\"width\": 320,"));
  g_assert_true (contains (json_raw, "\"frames_torn\": 0,"));

  /* Its own rate, size and length, said when it starts. */
  g_assert_cmpint (run_cli (&out, &err, "stream", key, "--video", y4m, "--frames", "3"), ==, 0);
  g_assert_true (contains (err, "sample.y4m: 320 × 180, 30 fps, 64 frames (YUV 4:2:0) into"));
  g_assert_true (contains (err, "at 30 frames per second"));
  assert_nothing_left (key);
}

/* Every bad value of stream and follow is a usage error naming it; a
 * source that is not there or not a video is one line naming it. */
static void
test_stream_bad_input (void)
{
  g_autofree char *key = shmlab_test_unique_key ("badstream");
  g_autofree char *missing = temp_file ("no-such-dir");
  g_autofree char *missing_video = temp_file ("no-such.y4m");
  g_autofree char *empty = temp_file ("empty-dir");
  g_autofree char *liar = temp_file ("liar.y4m");
  static const struct { const char *args[4]; const char *word; } usage[] = {
    { { "--fps", "0" }, "--fps takes a rate from 1 to 240" },
    { { "--fps", "241" }, "not “241”" },
    { { "--fps", "fast" }, "not “fast”" },
    { { "--buffers", "3" }, "--buffers takes 1 or 2, not “3”" },
    { { "--handoff", "sometimes" }, "--handoff takes latest or every" },
    { { "--transport", "carrier-pigeon" }, "--transport takes shm, pipe or socket" },
    { { "--size", "8x8" }, "--size" },
    { { "--size", "huge" }, "--size" },
    { { "--frames", "-1" }, "--frames takes a number of frames" },
    { { "--timeout", "0" }, "--timeout takes a number of seconds" },
    { { "--raw-size", "16x16" }, "--raw-size goes with --video" },
    { { "--pattern", "--video", "x.y4m" }, "Choose one source" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (usage); i++)
    {
      g_autofree char *out = NULL, *err = NULL;
      int status = run_cli (&out, &err, "stream", key, usage[i].args[0], usage[i].args[1],
                            usage[i].args[2]);

      assert_error (status, err, 2, usage[i].word);
    }
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_error (run_cli (&out, &err, "follow", key, "--frames", "-5"), err, 2, "--frames");
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_error (run_cli (&out, &err, "follow", key, "--transport", "tape"), err, 2, "not “tape”");
  }

  g_assert_cmpint (g_mkdir_with_parents (empty, 0700), ==, 0);
  g_assert_true (g_file_set_contents (liar, "YUV4MPEG2 W1920 H1080 F25:1\nFRAME\nshort", -1, NULL));
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_error (run_cli (&out, &err, "stream", key, "--folder", missing), err, 1,
                  "Cannot open the folder “");
    g_assert_true (contains (err, "no-such-dir"));
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_error (run_cli (&out, &err, "stream", key, "--folder", empty), err, 1,
                  "holds no picture ShmLab opens");
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_error (run_cli (&out, &err, "stream", key, "--video", missing_video), err, 1,
                  "Cannot open “no-such.y4m”");
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_error (run_cli (&out, &err, "stream", key, "--video", liar), err, 1,
                  "“liar.y4m” is shorter than one frame of 1920 × 1080");
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_error (run_cli (&out, &err, "stream", key, "--video", empty), err, 1,
                  "it is not a regular file");
  }
  g_rmdir (empty);
  g_remove (liar);
  assert_nothing_left (key);
}

/* `shmlab map`, `read --hold` and `bench --map` given what makes no sense:
 * each a sentence naming what was wrong, status 2 for usage, 1 for a key
 * with no segment (its JSON saying so too); nothing left behind. */
static void
test_map_bad_input (void)
{
  g_autofree char *key = shmlab_test_unique_key ("badmap");
  static const struct { const char *args[5]; int status; const char *word; } cases[] = {
    { { "map", NULL }, 2, "KEY" },
    { { "map", "k", "--backend", "shared", NULL }, 2, "unknown backend “shared”" },
    { { "map", "k", "--frames", NULL }, 2, "--frames" },
    { { "read", "k", "--attach-only", NULL }, 2, "--attach-only goes with --hold SECONDS" },
    { { "read", "k", "--hold", "soon", NULL }, 2, "--hold takes a number of seconds" },
    { { "bench", "--map", "--stream", NULL }, 2, "--map measures shmlab map alone" },
    { { "nonsense", NULL }, 2, "use one of write, read, info, list, remove, lock, stream, follow, map, cache, bench" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = NULL, *err = NULL;
      int status = run_cli (&out, &err, cases[i].args[0], cases[i].args[1], cases[i].args[2],
                            cases[i].args[3], cases[i].args[4]);

      assert_error (status, err, cases[i].status, cases[i].word);
    }
  {
    g_autofree char *out = NULL, *err = NULL;

    assert_error (run_cli (&out, &err, "map", key), err, 1, "nothing maps it");
    g_assert_true (contains (err, key));
  }
  {
    g_autofree char *out = NULL, *err = NULL;

    g_assert_cmpint (run_cli (&out, &err, "map", key, "--json"), ==, 1);
    g_assert_true (contains (out, "\"exists\": false"));
  }
}

/* @path/BACKEND for every backend in the table. */
static void
add_each (const char    *path,
          GTestDataFunc  func)
{
  guint n_backends;
  const ShmlabBackend *backends = shmlab_backend_all (&n_backends);

  for (guint b = 0; b < n_backends; b++)
    {
      g_autofree char *full = g_strdup_printf ("%s/%s", path,
                                               shmlab_backend_to_string (backends[b]));

      g_test_add_data_func (full, GINT_TO_POINTER (backends[b]), func);
    }
}

int
main (int    argc,
      char **argv)
{
  shmlab_test_init (&argc, &argv);
  /* A failed check must not skip the cleanup of the processes a test started. */
  g_test_set_nonfatal_assertions ();

  g_test_add_func ("/cli/usage", test_usage);
  add_each ("/cli/text", test_text_round_trip);
  g_test_add_func ("/cli/text/cut", test_text_cut);
  g_test_add_data_func ("/cli/image/frame", "frame", test_image_round_trip);
  g_test_add_data_func ("/cli/image/qt-image", "qt-image", test_image_round_trip);
  g_test_add_data_func ("/cli/image/jpeg", "jpeg", test_image_types);
  g_test_add_data_func ("/cli/image/bmp", "bmp", test_image_types);
  g_test_add_func ("/cli/raw", test_raw);
  g_test_add_func ("/cli/attach", test_attach);
  g_test_add_func ("/cli/info", test_info);
  add_each ("/cli/info-lock", test_info_lock);
  g_test_add_func ("/cli/list", test_list);
  g_test_add_func ("/cli/list/others", test_list_others);
  add_each ("/cli/remove", test_remove);
  add_each ("/cli/remove/then-detach", test_remove_then_detach);
  add_each ("/cli/lock-timeout", test_lock_timeout);
  add_each ("/cli/lock-alone", test_lock_alone);
  add_each ("/cli/suggested-commands", test_suggested_commands);
  g_test_add_func ("/cli/suggested-commands/stale", test_suggested_remove);
  add_each ("/cli/other-backend", test_other_backend);
  g_test_add_func ("/cli/plurals-and-units", test_plurals_and_units);
  g_test_add_func ("/cli/bad-input", test_bad_input);
  g_test_add_func ("/cli/garbage", test_garbage);
  g_test_add_func ("/cli/stream/follow", test_stream_follow);
  g_test_add_func ("/cli/stream/video", test_stream_video);
  g_test_add_func ("/cli/stream/bad-input", test_stream_bad_input);
  g_test_add_func ("/cli/map/bad-input", test_map_bad_input);
  return g_test_run ();
}
