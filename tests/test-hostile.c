/* test-hostile.c — `shmlab read` and `shmlab info` on crafted segments: each
 * gets its own message, nothing crashes, nothing is left, and little memory
 * changes nothing; and a frame that changes while it is read is shown whole
 * or refused, never mixed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-test-util.h"

#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "shmlab-format.h"
#include "shmlab-hostile.h"
#include "shmlab-image-loader.h"
#include "shmlab-png.h"
#include "shmlab-segment.h"

/* A segment of a few kilobytes must be read, or refused, with this much memory. */
#define LOW_MEMORY_MIB 256

#if defined(__SANITIZE_ADDRESS__)
#define HAVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_ASAN 1
#endif
#endif

/* The frame that changes while it is read: at most this many reads, or this long. */
#define TORN_MAX_READS 100
#define TORN_MAX_SECONDS 5
#define TORN_TEXT_LINES 2048

static GPtrArray *corpus;
static guint n_cli_reads;
static guint n_torn_detected;

typedef struct
{
  const ShmlabHostileCase *hostile;
  ShmlabBackend backend;
  gboolean low_memory;
} CaseRun;

/* The lines of @text that `shmlab` wrote for a person ("shmlab: …"), as
 * opposed to its step lines, which start with two spaces. */
static guint
count_message_lines (const char *text,
                     char      **last_message)
{
  g_auto(GStrv) lines = g_strsplit (text ? text : "", "\n", -1);
  guint n = 0;

  if (last_message)
    *last_message = NULL;
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "shmlab: "))
      {
        n++;
        if (last_message)
          {
            g_free (*last_message);
            *last_message = g_strdup (lines[i]);
          }
      }
  return n;
}

/* The last line of @text, without its newline. */
static char *
last_line (const char *text)
{
  g_autofree char *copy = g_strdup (text ? text : "");
  char *end = copy + strlen (copy);
  char *start;

  if (end > copy && end[-1] == '\n')
    *--end = '\0';
  start = strrchr (copy, '\n');
  return g_strdup (start ? start + 1 : copy);
}

/* Every line of standard error is a step line or the one message. */
static char *
check_stderr (const char *err,
              gboolean    want_message,
              const char *prefix)
{
  g_autofree char *message = NULL;
  g_autofree char *last = last_line (err);
  guint n = count_message_lines (err, &message);
  g_auto(GStrv) lines = g_strsplit (err ? err : "", "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (*lines[i] != '\0' && !g_str_has_prefix (lines[i], "  ") &&
        !g_str_has_prefix (lines[i], "shmlab: "))
      return g_strdup_printf ("standard error has a line that is neither a step nor a message: "
                              "“%s”", lines[i]);
  if (!want_message)
    return n == 0 ? NULL : g_strdup_printf ("a message where none was due: “%s”", message);
  if (n != 1)
    return g_strdup_printf ("%u messages on standard error instead of one:\n%s", n, err);
  if (g_strcmp0 (last, message) != 0)
    return g_strdup_printf ("the message is not the last line of standard error:\n%s", err);
  if (!g_str_has_prefix (message, prefix))
    return g_strdup_printf ("the message does not start with “%s”: “%s”", prefix, message);
  return NULL;
}

static const char *
backend_name (ShmlabBackend backend)
{
  return shmlab_backend_to_string (backend);
}

/* `shmlab read KEY`, with little memory when @low_memory: under
 * AddressSanitizer no allocation may exceed it, else the address space may not. */
static void
run_read (const char     *key,
          ShmlabBackend   backend,
          const char     *output,
          gboolean        low_memory,
          char          **out,
          char          **err,
          int            *status)
{
  const char *args[] = { "read", key, "--backend", backend_name (backend),
                         output ? "--output" : NULL, output, NULL };
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) envp = g_get_environ ();
  g_autoptr(GError) error = NULL;
  g_autofree char *options = NULL;
  int wait_status = 0;

  if (!low_memory)
    {
      g_assert_true (shmlab_test_run_cli (out, err, status, args[0], args[1], args[2], args[3],
                                          args[4], args[5], NULL));
      return;
    }

#ifdef HAVE_ASAN
  options = g_strdup_printf ("%s:max_allocation_size_mb=%d:allocator_may_return_null=1",
                             g_environ_getenv (envp, "ASAN_OPTIONS")
                               ? g_environ_getenv (envp, "ASAN_OPTIONS") : "",
                             LOW_MEMORY_MIB);
  envp = g_environ_setenv (envp, "ASAN_OPTIONS", options, TRUE);
#else
  options = g_strdup_printf ("ulimit -v %d && exec \"$0\" \"$@\"", LOW_MEMORY_MIB * 1024);
  g_ptr_array_add (argv, (gpointer) "/bin/sh");
  g_ptr_array_add (argv, (gpointer) "-c");
  g_ptr_array_add (argv, options);
#endif
  g_ptr_array_add (argv, (gpointer) shmlab_test_cli_path ());
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, envp, G_SPAWN_DEFAULT, NULL, NULL,
                               out, err, &wait_status, &error));
  g_assert_no_error (error);
  *status = WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : 128 + WTERMSIG (wait_status);
}

/* `shmlab read`: what is wrong with what it did, or NULL. */
static char *
check_read (const ShmlabHostileCase *hostile,
            const char              *key,
            ShmlabBackend            backend,
            gboolean                 low_memory)
{
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *output = NULL;
  g_autofree char *message = NULL;
  g_autofree char *problem = NULL;
  g_autofree char *expected_out = NULL;
  int status = -1;

  if (hostile->outcome == SHMLAB_HOSTILE_IMAGE)
    output = g_build_filename (shmlab_test_get_temp_dir (), "hostile.png", NULL);
  run_read (key, backend, output, low_memory, &out, &err, &status);
  n_cli_reads++;
  g_test_message ("read: status %d, stdout %zu bytes, stderr:\n%s", status, strlen (out), err);

  if (status > 2)
    return g_strdup_printf ("shmlab read died or failed badly (status %d):\n%s", status, err);
  count_message_lines (err, &message);

  switch (hostile->outcome)
    {
    case SHMLAB_HOSTILE_REFUSED:
      if (status != 1)
        return g_strdup_printf ("shmlab read exited with %d, not 1, for a segment it cannot show; "
                                "it printed “%s”", status, out);
      if (*out != '\0')
        return g_strdup_printf ("shmlab read failed but printed “%s” on standard output", out);
      if ((problem = check_stderr (err, TRUE, "shmlab: ")) != NULL)
        return g_steal_pointer (&problem);
      if (g_str_has_prefix (message, "shmlab: warning: "))
        return g_strdup_printf ("a warning where a failure was due: “%s”", message);
      {
        g_autofree char *decoded_message = NULL;
        g_autofree char *decoded = shmlab_hostile_decoded_verdict (hostile->bytes,
                                                                   &decoded_message);

        /* Refused for the decoder's reason, the one the verdict names. */
        if (decoded_message == NULL || strstr (message, decoded_message) == NULL)
          return g_strdup_printf ("shmlab read says “%s”, but the decoder's verdict is “%s”: “%s”",
                                  message, decoded, decoded_message ? decoded_message : "(none)");
      }
      return shmlab_hostile_missing_fragment (hostile, message);

    case SHMLAB_HOSTILE_WARNED:
    case SHMLAB_HOSTILE_TEXT:
      if (status != 0)
        return g_strdup_printf ("shmlab read exited with %d for a text: “%s”", status, message);
      expected_out = g_strconcat (hostile->text, "\n", NULL);
      if (g_strcmp0 (out, expected_out) != 0)
        return g_strdup_printf ("shmlab read printed “%s”, not “%s”", out, hostile->text);
      if (hostile->outcome == SHMLAB_HOSTILE_TEXT)
        return check_stderr (err, FALSE, NULL);
      if ((problem = check_stderr (err, TRUE, "shmlab: warning: ")) != NULL)
        return g_steal_pointer (&problem);
      return shmlab_hostile_missing_fragment (hostile, message);

    case SHMLAB_HOSTILE_IMAGE:
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(ShmlabImage) saved = NULL;

        if (status != 0)
          return g_strdup_printf ("shmlab read exited with %d for a picture: “%s”", status,
                                  message);
        if ((problem = check_stderr (err, FALSE, NULL)) != NULL)
          return g_steal_pointer (&problem);
        saved = shmlab_image_load_file (output, NULL, &error);
        g_unlink (output);
        if (saved == NULL)
          return g_strdup_printf ("the picture saved is not a PNG: %s", error->message);
        if (!shmlab_image_equal (saved, hostile->image))
          return g_strdup_printf ("the picture saved (%u × %u) is not the one in the segment",
                                  saved->width, saved->height);
        return NULL;
      }

    default:
      g_assert_not_reached ();
    }
}

/* The value of @name's line in `shmlab info`'s output, or NULL. */
static char *
info_line (const char *out,
           const char *name)
{
  g_auto(GStrv) lines = g_strsplit (out ? out : "", "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], name) && lines[i][strlen (name)] == ' ')
      return g_strstrip (g_strdup (lines[i] + strlen (name)));
  return NULL;
}

/* `shmlab info`: it shows the segment, and what is wrong with its content. */
static char *
check_info (const ShmlabHostileCase *hostile,
            const char              *key,
            ShmlabBackend            backend)
{
  g_autofree char *out = NULL, *err = NULL;
  int status = -1;

  g_assert_true (shmlab_test_run_cli (&out, &err, &status, "info", key, "--backend",
                                      backend_name (backend), NULL));
  g_test_message ("info: status %d, stderr “%s”, stdout:\n%s", status, err, out);
  if (status != 0)
    return g_strdup_printf ("shmlab info exited with %d: %s", status, err);
  if (*err != '\0')
    return g_strdup_printf ("shmlab info wrote on standard error: %s", err);
  if (!g_str_has_prefix (out, "key ") || strstr (out, "\nsize ") == NULL)
    return g_strdup_printf ("shmlab info shows no key or no size:\n%s", out);
  if (hostile->outcome != SHMLAB_HOSTILE_REFUSED && strstr (out, "\nformat ") == NULL)
    return g_strdup_printf ("shmlab info shows no format:\n%s", out);
  {
    g_autofree char *decoded = shmlab_hostile_decoded_verdict (hostile->bytes, NULL);
    g_autofree char *shown = info_line (out, "verdict");

    /* The same verdict as the readers' decoder: valid, which format, which problem. */
    if (g_strcmp0 (shown, decoded) != 0)
      return g_strdup_printf ("shmlab info gives the verdict “%s”, the decoder “%s”:\n%s",
                              shown ? shown : "(none)", decoded, out);
  }

  switch (hostile->outcome)
    {
    case SHMLAB_HOSTILE_REFUSED:
      if (strstr (out, "\ndamaged ") == NULL && strstr (out, "\ncontent ") == NULL)
        return g_strdup_printf ("shmlab info does not say the content is damaged:\n%s", out);
      return shmlab_hostile_missing_fragment (hostile, out);
    case SHMLAB_HOSTILE_WARNED:
    case SHMLAB_HOSTILE_TEXT:
      return strstr (out, "\ntext ") ? NULL
                                     : g_strdup_printf ("shmlab info shows no text:\n%s", out);
    case SHMLAB_HOSTILE_IMAGE:
      return strstr (out, "\nimage ") ? NULL
                                      : g_strdup_printf ("shmlab info shows no image:\n%s", out);
    default:
      g_assert_not_reached ();
    }
}

/* What the inspector and `shmlab info` describe (shmlab_description_new())
 * against the readers' decoder and the outcome the corpus expects. */
static char *
check_description (const ShmlabHostileCase *hostile)
{
  gsize length;
  const guint8 *bytes = g_bytes_get_data (hostile->bytes, &length);
  g_autoptr(ShmlabDescription) description = shmlab_description_new (bytes, length, length);
  g_autofree char *described = shmlab_description_to_string (description);
  g_autofree char *decoded = shmlab_hostile_decoded_verdict (hostile->bytes, NULL);
  gboolean refused = description->verdict == SHMLAB_VERDICT_DAMAGED;

  if (g_strcmp0 (described, decoded) != 0)
    return g_strdup_printf ("the description says “%s”, the decoder “%s”", described, decoded);
  if (refused != (hostile->outcome == SHMLAB_HOSTILE_REFUSED))
    return g_strdup_printf ("the description says “%s” for a case that is %s", described,
                            shmlab_hostile_outcome_to_string (hostile->outcome));
  if (refused && description->message == NULL)
    return g_strdup ("the description of a refused case has no message");
  return NULL;
}

static void
test_case (gconstpointer data)
{
  const CaseRun *run = data;
  const ShmlabHostileCase *hostile = run->hostile;
  g_autofree char *key = shmlab_test_unique_key ("hostile");
  g_autofree char *problem = NULL;
  ShmlabSegment *segment;

  g_test_message ("case %s: %zu bytes, %s expected%s", hostile->name,
                  g_bytes_get_size (hostile->bytes),
                  shmlab_hostile_outcome_to_string (hostile->outcome),
                  run->low_memory ? ", with little memory" : "");
  problem = check_description (hostile);
  segment = shmlab_hostile_segment_new (key, run->backend, hostile->bytes);
  if (problem == NULL)
    problem = check_read (hostile, key, run->backend, run->low_memory);
  if (problem == NULL && !run->low_memory)
    problem = check_info (hostile, key, run->backend);
  shmlab_hostile_segment_let_go (segment);
  shmlab_hostile_assert_nothing_left (key);

  /* A TAP result is one line. */
  if (problem != NULL)
    g_strdelimit (problem, "\n", ' ');
  if (problem != NULL && hostile->bug != NULL)
    g_test_incomplete_printf ("known bug: %s (here: %s)", hostile->bug, problem);
  else if (problem != NULL)
    g_test_fail_printf ("case %s: %s", hostile->name, problem);
}

/* Two texts of the same length, different in every line. */
static char *
torn_text (char letter)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < TORN_TEXT_LINES; i++)
    g_string_append_printf (text, "%c%c%c line %05u of the frame\n", letter, letter, letter, i);
  return g_string_free (text, FALSE);
}

/* In the child: rewrite the segment, alternately @a and @b, without the lock,
 * until killed or orphaned. Only memcpy() and getppid() here: no locks. */
G_GNUC_NORETURN static void
keep_rewriting (guint8       *mem,
                const guint8 *a,
                const guint8 *b,
                gsize         length,
                pid_t         parent)
{
  for (;;)
    {
      memcpy (mem, b, length);
      memcpy (mem, a, length);
      if (getppid () != parent)
        _exit (0);
    }
}

/* A writer that ignores the lock: every read shows one whole frame, or is
 * refused by the CRC; a mix of the two is never shown. */
static void
test_torn (gconstpointer data)
{
  ShmlabBackend backend = GPOINTER_TO_INT (data);
  g_autofree char *key = shmlab_test_unique_key ("torn");
  g_autofree char *text_a = torn_text ('a');
  g_autofree char *text_b = torn_text ('b');
  g_autoptr(GBytes) frame_a = shmlab_hostile_text_frame (text_a, strlen (text_a));
  g_autoptr(GBytes) frame_b = shmlab_hostile_text_frame (text_b, strlen (text_b));
  g_autofree char *failure = NULL;
  gint64 deadline = g_get_monotonic_time () + TORN_MAX_SECONDS * G_USEC_PER_SEC;
  guint n_a = 0, n_b = 0, n_torn = 0, n_reads = 0;
  ShmlabSegment *segment;
  pid_t parent = getpid ();
  pid_t child;
  int wait_status;

  g_assert_cmpuint (g_bytes_get_size (frame_a), ==, g_bytes_get_size (frame_b));
  segment = shmlab_hostile_segment_new (key, backend, frame_a);

  child = fork ();
  g_assert_cmpint (child, >=, 0);
  if (child == 0)
    keep_rewriting (shmlab_segment_get_data (segment), g_bytes_get_data (frame_a, NULL),
                    g_bytes_get_data (frame_b, NULL), g_bytes_get_size (frame_a), parent);

  while (failure == NULL && n_reads < TORN_MAX_READS &&
         (n_reads == 0 || g_get_monotonic_time () < deadline))
    {
      g_autofree char *out = NULL, *err = NULL;
      int status = -1;

      g_assert_true (shmlab_test_run_cli (&out, &err, &status, "read", key, "--backend",
                                          backend_name (backend), "--quiet", NULL));
      n_reads++;
      /* The texts end with a newline: shmlab prints them as they are. */
      if (status == 0 && strcmp (out, text_a) == 0 && *err == '\0')
        n_a++;
      else if (status == 0 && strcmp (out, text_b) == 0 && *err == '\0')
        n_b++;
      else if (status == 1 && *out == '\0' && strstr (err, "“crc32”") != NULL &&
               count_message_lines (err, NULL) == 1)
        n_torn++;
      else
        failure = g_strdup_printf ("read %u: status %d, %zu bytes on standard output (%s), "
                                   "standard error “%s”", n_reads, status, strlen (out),
                                   strncmp (out, "aaa", 3) == 0 || strncmp (out, "bbb", 3) == 0
                                     ? "a mix of the two frames" : "neither frame", err);
    }

  g_assert_cmpint (kill (child, SIGKILL), ==, 0);
  while (waitpid (child, &wait_status, 0) < 0 && errno == EINTR)
    ;
  shmlab_hostile_segment_let_go (segment);
  shmlab_hostile_assert_nothing_left (key);

  n_cli_reads += n_reads;
  n_torn_detected += n_torn;
  g_test_message ("%s: %u reads: %u of the first frame, %u of the second, %u refused as torn",
                  backend_name (backend), n_reads, n_a, n_b, n_torn);
  if (failure != NULL)
    {
      g_strdelimit (failure, "\n", ' ');
      g_test_fail_printf ("a frame rewritten while it was read: %s", failure);
    }
}

static void
test_figures (void)
{
  g_test_message ("figure: hostile-inputs=%u cli-reads=%u torn-reads-detected=%u", corpus->len,
                  n_cli_reads, n_torn_detected);
}

int
main (int    argc,
      char **argv)
{
  guint n_backends;
  const ShmlabBackend *backends = shmlab_backend_all (&n_backends);
  g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func (g_free);
  int status;

  /* The messages logged are UTF-8: shown as they are, not as “?”. */
  setlocale (LC_ALL, "");
  shmlab_test_init (&argc, &argv);
  corpus = shmlab_hostile_corpus_new ();

  for (guint b = 0; b < n_backends; b++)
    for (guint i = 0; i < corpus->len; i++)
      {
        CaseRun *run = g_new0 (CaseRun, 1);
        g_autofree char *path = NULL;

        run->hostile = g_ptr_array_index (corpus, i);
        run->backend = backends[b];
        path = g_strdup_printf ("/hostile/%s/%s", backend_name (backends[b]), run->hostile->name);
        g_ptr_array_add (runs, run);
        g_test_add_data_func (path, run, test_case);
      }
  for (guint i = 0; i < corpus->len; i++)
    {
      CaseRun *run = g_new0 (CaseRun, 1);
      g_autofree char *path = NULL;

      run->hostile = g_ptr_array_index (corpus, i);
      run->backend = SHMLAB_BACKEND_SYSV;
      run->low_memory = TRUE;
      path = g_strdup_printf ("/hostile/low-memory/%s", run->hostile->name);
      g_ptr_array_add (runs, run);
      g_test_add_data_func (path, run, test_case);
    }
  for (guint b = 0; b < n_backends; b++)
    {
      g_autofree char *path = g_strdup_printf ("/hostile/%s/torn-frame", backend_name (backends[b]));

      g_test_add_data_func (path, GINT_TO_POINTER (backends[b]), test_torn);
    }
  /* In a suite of its own, added last: it runs after every other one. */
  g_test_add_func ("/hostile/summary/figures", test_figures);

  status = g_test_run ();
  g_clear_pointer (&corpus, g_ptr_array_unref);
  return status;
}
