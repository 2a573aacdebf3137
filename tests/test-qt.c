/* test-qt.c — ShmLab and real Qt programs (QSharedMemory through PyQt5) meet
 * in the same segment and under the same lock by the same key
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-test-util.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/wait.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "shmlab-image.h"
#include "shmlab-image-loader.h"
#include "shmlab-png.h"
#include "shmlab-segment.h"

/* Bounds every wait; reaching it fails the test, it never makes one pass. */
#define PEER_TIMEOUT_SECONDS 60

/* How long a `shmlab lock` may hold: far longer than any test needs. */
#define LOCK_HOLD_SECONDS "600"

#define EXAMPLE_KEY "QSharedMemoryExample"
#define EXAMPLE_SAFE_NAME "QSharedMemoryExampleff77196351dd7c1c8f79461ad32f21726fe31f5b"

/* Why the Qt peer cannot run here, or NULL when it can. */
static char *qt_missing_reason;

/* Peers still running, killed if an assertion aborts the test program. */
static pid_t live_peers[16];
static struct sigaction previous_abort_action;

/* A program the test started: Qt peer or shmlab, and what it printed. */
typedef struct
{
  char *name;
  GSubprocess *process;
  GDataInputStream *output;
  GString *transcript;
  guint slot;
  gboolean finished;
  int status;
} Peer;

/* The peers of one test, and the ids that must be gone when it ends. */
typedef struct
{
  GPtrArray *peers;
  int shm_id;
  int sem_id;
} Fixture;

/* semctl() leaves this union for its caller to define. */
union semun_arg
{
  int val;
  struct semid_ds *buf;
  unsigned short *array;
};

static void
kill_peers_on_abort (int signum)
{
  /* Before the shared cleanup runs, so no peer re-creates what it removes. */
  for (guint i = 0; i < G_N_ELEMENTS (live_peers); i++)
    if (live_peers[i] > 0)
      {
        kill (live_peers[i], SIGKILL);
        waitpid (live_peers[i], NULL, 0);
      }
  sigaction (SIGABRT, &previous_abort_action, NULL);
  raise (signum);
}

static void
peer_free (Peer *peer)
{
  if (!peer->finished)
    {
      g_subprocess_force_exit (peer->process);
      g_subprocess_wait (peer->process, NULL, NULL);
      live_peers[peer->slot] = 0;
    }
  g_free (peer->name);
  g_clear_object (&peer->output);
  g_clear_object (&peer->process);
  g_string_free (peer->transcript, TRUE);
  g_free (peer);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->peers = g_ptr_array_new_with_free_func ((GDestroyNotify) peer_free);
  fixture->shm_id = -1;
  fixture->sem_id = -1;
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_ptr_array_unref (fixture->peers);
}

static gboolean
skip_without_qt (void)
{
  if (qt_missing_reason == NULL)
    return FALSE;
  g_test_skip (qt_missing_reason);
  return TRUE;
}

/* Runs the main context until *result arrives. Past the timeout it cancels
 * and still waits for the cancelled result, so no callback outlives us. */
static gboolean
await_result (GAsyncResult **result,
              GCancellable  *cancellable)
{
  if (shmlab_test_spin_until (shmlab_test_pointer_set, result, PEER_TIMEOUT_SECONDS))
    return TRUE;
  g_cancellable_cancel (cancellable);
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return FALSE;
}

/* Shows a program's output in the test log, one message per line, before a
 * failure is reported. */
static void
show_output (const char *command,
             const char *output)
{
  g_auto(GStrv) lines = g_strsplit (output, "\n", -1);

  g_test_message ("output of “%s”:", command);
  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0' || lines[i + 1] != NULL)
      g_test_message ("  %s", lines[i]);
}

static void
peer_show_transcript (Peer *peer)
{
  show_output (peer->name, peer->transcript->str);
}

/* argv[name_start] onwards, its first element without a directory. */
static char *
describe_command (const char * const *argv,
                  guint               name_start)
{
  g_autofree char *program = g_path_get_basename (argv[name_start]);
  g_autoptr(GString) name = g_string_new (program);

  for (guint i = name_start + 1; argv[i] != NULL; i++)
    g_string_append_printf (name, " %s", argv[i]);
  return g_string_free (g_steal_pointer (&name), FALSE);
}

static Peer *
peer_spawn (Fixture            *fixture,
            gboolean            merge_stderr,
            const char * const *argv,
            guint               name_start)
{
  g_autoptr(GError) error = NULL;
  GSubprocessFlags flags = G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE;
  Peer *peer = g_new0 (Peer, 1);
  const char *identifier;
  guint slot;

  if (merge_stderr)
    flags |= G_SUBPROCESS_FLAGS_STDERR_MERGE;
  peer->name = describe_command (argv, name_start);
  peer->transcript = g_string_new (NULL);
  peer->process = g_subprocess_newv (argv, flags, &error);
  g_assert_no_error (error);
  peer->output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (peer->process));
  g_ptr_array_add (fixture->peers, peer);

  for (slot = 0; slot < G_N_ELEMENTS (live_peers) && live_peers[slot] != 0; slot++)
    ;
  g_assert_cmpuint (slot, <, G_N_ELEMENTS (live_peers));
  identifier = g_subprocess_get_identifier (peer->process);
  g_assert_nonnull (identifier);
  live_peers[slot] = (pid_t) g_ascii_strtoll (identifier, NULL, 10);
  peer->slot = slot;
  return peer;
}

static Peer *
spawn_peer_valist (Fixture    *fixture,
                   gboolean    merge_stderr,
                   const char *program,
                   const char *script,
                   const char *first_arg,
                   va_list     ap)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *arg;

  g_ptr_array_add (argv, (gpointer) program);
  if (script != NULL)
    g_ptr_array_add (argv, (gpointer) script);
  for (arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  g_ptr_array_add (argv, NULL);
  return peer_spawn (fixture, merge_stderr, (const char * const *) argv->pdata,
                     script != NULL ? 1 : 0);
}

static Peer *spawn_qt  (Fixture    *fixture,
                        const char *first_arg,
                        ...) G_GNUC_NULL_TERMINATED;
static Peer *spawn_cli (Fixture    *fixture,
                        gboolean    merge_stderr,
                        const char *first_arg,
                        ...) G_GNUC_NULL_TERMINATED;

/* Starts the Qt peer; its stderr joins its stdout, so errors show in the transcript. */
static Peer *
spawn_qt (Fixture    *fixture,
          const char *first_arg,
          ...)
{
  g_autofree char *script = shmlab_test_source_file ("qt", "qt-peer.py", NULL);
  va_list ap;
  Peer *peer;

  va_start (ap, first_arg);
  peer = spawn_peer_valist (fixture, TRUE, g_getenv ("SHMLAB_PYTHON"), script, first_arg, ap);
  va_end (ap);
  return peer;
}

/* Starts the shmlab tool; merge_stderr puts its step lines in the transcript. */
static Peer *
spawn_cli (Fixture    *fixture,
           gboolean    merge_stderr,
           const char *first_arg,
           ...)
{
  va_list ap;
  Peer *peer;

  va_start (ap, first_arg);
  peer = spawn_peer_valist (fixture, merge_stderr, shmlab_test_cli_path (), NULL, first_arg, ap);
  va_end (ap);
  return peer;
}

/* The next line the peer prints, or NULL once its output has ended. */
static char *
peer_read_line (Peer *peer)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *line;

  g_data_input_stream_read_line_async (peer->output, G_PRIORITY_DEFAULT, cancellable,
                                       shmlab_test_store_result, &result);
  if (!await_result (&result, cancellable))
    {
      peer_show_transcript (peer);
      shmlab_test_fail ("“%s” printed nothing for %d seconds", peer->name, PEER_TIMEOUT_SECONDS);
      return NULL;
    }
  line = g_data_input_stream_read_line_finish_utf8 (peer->output, result, NULL, &error);
  g_assert_no_error (error);
  if (line != NULL)
    g_string_append_printf (peer->transcript, "%s\n", line);
  return line;
}

/* Reads until a line starting with prefix: the peer's sign it is ready. */
static void
peer_wait_for_line (Peer       *peer,
                    const char *prefix)
{
  for (;;)
    {
      g_autofree char *line = peer_read_line (peer);

      if (line == NULL)
        {
          peer_show_transcript (peer);
          shmlab_test_fail ("“%s” ended without printing a line starting with “%s”", peer->name,
                            prefix);
          return;
        }
      if (g_str_has_prefix (line, prefix))
        return;
    }
}

/* Closes the peer's stdin (how a holder is told to let go), reads the rest of
 * its output and waits for it to exit. Returns its exit status, or 128 plus
 * the signal that ended it. */
static int
peer_finish (Peer *peer)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *line;

  g_assert_false (peer->finished);
  g_output_stream_close (g_subprocess_get_stdin_pipe (peer->process), NULL, NULL);
  while ((line = peer_read_line (peer)) != NULL)
    g_free (line);

  g_subprocess_wait_async (peer->process, cancellable, shmlab_test_store_result, &result);
  if (!await_result (&result, cancellable))
    {
      peer_show_transcript (peer);
      shmlab_test_fail ("“%s” closed its output but did not exit within %d seconds", peer->name,
                        PEER_TIMEOUT_SECONDS);
      return -1;
    }
  g_subprocess_wait_finish (peer->process, result, &error);
  g_assert_no_error (error);

  live_peers[peer->slot] = 0;
  peer->finished = TRUE;
  if (g_subprocess_get_if_exited (peer->process))
    peer->status = g_subprocess_get_exit_status (peer->process);
  else
    peer->status = 128 + g_subprocess_get_term_sig (peer->process);
  return peer->status;
}

/* peer_finish() that expects exit status 0 and shows the transcript if not. */
static void
peer_finish_ok (Peer *peer)
{
  if (peer_finish (peer) != 0)
    {
      peer_show_transcript (peer);
      shmlab_test_fail ("“%s” exited with status %d", peer->name, peer->status);
    }
}

/* The key file Qt makes for key, derived here by Qt's rule, not by ShmLab's code. */
static char *
qt_key_file (const char *key,
             const char *prefix)
{
  g_autofree char *sha1 = g_compute_checksum_for_string (G_CHECKSUM_SHA1, key, -1);
  g_autoptr(GString) name = g_string_new (prefix);

  for (const char *p = key; *p != '\0'; p++)
    if (g_ascii_isalpha (*p))
      g_string_append_c (name, *p);
  g_string_append (name, sha1);
  return g_build_filename (shmlab_test_get_temp_dir (), name->str, NULL);
}

static key_t
qt_sysv_key (const char *key,
             const char *prefix)
{
  g_autofree char *path = qt_key_file (key, prefix);
  key_t sysv_key;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    shmlab_test_fail ("the key file %s does not exist", path);
  sysv_key = ftok (path, 'Q');
  if (sysv_key == -1)
    shmlab_test_fail ("ftok(%s, 'Q') failed: %s", path, g_strerror (errno));
  return sysv_key;
}

/* Remembers the ids of key's segment and semaphore, to prove both gone later. */
static void
record_ipc_ids (Fixture    *fixture,
                const char *key)
{
  fixture->shm_id = shmget (qt_sysv_key (key, "qipc_sharedmemory_"), 0, 0);
  if (fixture->shm_id == -1)
    shmlab_test_fail ("no System V segment for the key “%s”: %s", key, g_strerror (errno));
  fixture->sem_id = semget (qt_sysv_key (key, "qipc_systemsem_"), 1, 0);
  if (fixture->sem_id == -1)
    shmlab_test_fail ("no System V semaphore for the key “%s”: %s", key, g_strerror (errno));
}

/* How many processes wait for key's lock now (-1 when there is no lock). */
static int
lock_waiters (const char *key)
{
  g_autofree char *path = qt_key_file (key, "qipc_systemsem_");
  key_t sysv_key = ftok (path, 'Q');
  int sem_id = sysv_key == -1 ? -1 : semget (sysv_key, 1, 0);

  return sem_id == -1 ? -1 : semctl (sem_id, 0, GETNCNT);
}

/* Returns once the kernel shows waiter blocked on key's lock; fails the test
 * if waiter finishes first, which would mean the lock did not exclude it. */
static void
wait_until_blocked_on_lock (const char *key,
                            Peer       *waiter)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) exited = NULL;
  gint64 deadline = g_get_monotonic_time () + PEER_TIMEOUT_SECONDS * G_USEC_PER_SEC;

  g_subprocess_wait_async (waiter->process, cancellable, shmlab_test_store_result, &exited);
  while (lock_waiters (key) < 1)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      if (exited != NULL)
        {
          peer_finish (waiter);
          peer_show_transcript (waiter);
          shmlab_test_fail ("“%s” finished while another process held the lock of “%s”",
                            waiter->name, key);
          return;
        }
      if (g_get_monotonic_time () > deadline)
        {
          shmlab_test_fail ("“%s” did not start waiting for the lock of “%s” within %d seconds",
                            waiter->name, key, PEER_TIMEOUT_SECONDS);
          return;
        }
      g_usleep (10 * 1000);
    }
  g_cancellable_cancel (cancellable);
  while (exited == NULL)
    g_main_context_iteration (NULL, TRUE);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static GPtrArray *
qipc_files_in_temp_dir (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (shmlab_test_get_temp_dir (), 0, &error);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "qipc_"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  return names;
}

/* What a user checks after every program let go: no segment, no semaphore,
 * no key file. */
static void
assert_nothing_left (Fixture    *fixture,
                     const char *key)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) files = qipc_files_in_temp_dir ();
  ShmlabSegmentInfo info;
  struct shmid_ds shm_ds;
  struct semid_ds sem_ds;
  union semun_arg arg = { .buf = &sem_ds };

  g_assert_true (shmlab_segment_query_key (key, SHMLAB_BACKEND_SYSV, &info, &error));
  g_assert_no_error (error);
  if (info.exists)
    shmlab_test_fail ("the segment of “%s” is still there (%d attached)", key, info.attach_count);

  if (files->len > 0)
    shmlab_test_fail ("key files were left in the temp dir, the first is %s",
                      (char *) g_ptr_array_index (files, 0));

  if (fixture->shm_id >= 0 && shmctl (fixture->shm_id, IPC_STAT, &shm_ds) == 0)
    shmlab_test_fail ("System V segment %d of “%s” is still there (%d attached)", fixture->shm_id,
                      key, (int) shm_ds.shm_nattch);
  if (fixture->sem_id >= 0 && semctl (fixture->sem_id, 0, IPC_STAT, arg) == 0)
    shmlab_test_fail ("System V semaphore %d of “%s” is still there", fixture->sem_id, key);
}

/* The error a command ends with comes last on stderr, after its steps. */
static char *
last_line (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = g_strv_length (lines);

  /* A final newline leaves one empty string after the last line. */
  if (n >= 2 && *lines[n - 1] == '\0')
    return g_strdup (lines[n - 2]);
  return g_strdup (n > 0 ? lines[n - 1] : "");
}

/* What `shmlab read KEY` prints for a text segment. */
static char *
shmlab_read_text (const char *key)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = -1;

  g_assert_true (shmlab_test_run_cli (&out, &err, &status, "read", key, NULL));
  if (status != 0)
    shmlab_test_fail ("`shmlab read %s` exited with %d: %s", key, status, g_strstrip (err));
  return g_steal_pointer (&out);
}

/* A picture with every kind of alpha, including colour under alpha 0. */
static ShmlabImage *
make_test_image (void)
{
  static const guint8 alpha[] = { 255, 128, 0, 1, 254 };
  g_autoptr(GError) error = NULL;
  ShmlabImage *image = shmlab_image_new (G_N_ELEMENTS (alpha), 3, &error);

  g_assert_no_error (error);
  for (guint32 y = 0; y < image->height; y++)
    for (guint32 x = 0; x < image->width; x++)
      {
        guint8 *pixel = image->pixels + (gsize) y * image->stride + (gsize) x * 4;

        pixel[0] = (guint8) (x * 50);
        pixel[1] = (guint8) (y * 80);
        pixel[2] = 7;
        pixel[3] = alpha[x];
      }
  return image;
}

static char *
write_test_png (const char *name)
{
  g_autoptr(ShmlabImage) image = make_test_image ();
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (shmlab_test_get_temp_dir (), name, NULL);

  g_assert_true (shmlab_png_write_file (image, path, &error));
  g_assert_no_error (error);
  return path;
}

static void
assert_png_is_test_image (const char *path)
{
  g_autoptr(ShmlabImage) expected = make_test_image ();
  g_autoptr(ShmlabImage) image = NULL;
  g_autoptr(GError) error = NULL;

  image = shmlab_image_load_file (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (image->width, ==, expected->width);
  g_assert_cmpuint (image->height, ==, expected->height);
  g_assert_true (shmlab_image_equal (image, expected));
}

/* The Shared Memory Example's layout: qint32 1, big-endian, then one whole
 * PNG that ends exactly where the segment does. */
static void
assert_segment_is_qt_image (const char *key)
{
  static const guint8 header[] = { 0, 0, 0, 1, 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  static const guint8 iend[] = { 0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  ShmlabSegmentInfo info;
  const guint8 *data;
  gsize size;

  bytes = shmlab_segment_peek_key (key, SHMLAB_BACKEND_SYSV, G_MAXSIZE, 10000, &info, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (bytes, &size);
  g_assert_cmpuint (size, ==, info.size);
  g_assert_cmpuint (size, >, sizeof header + sizeof iend);
  g_assert_cmpmem (data, sizeof header, header, sizeof header);
  g_assert_cmpmem (data + size - sizeof iend, sizeof iend, iend, sizeof iend);
}

static void
check_qt_text_read_by_shmlab (Fixture    *fixture,
                              const char *text,
                              const char *size,
                              const char *expected)
{
  g_autofree char *key = shmlab_test_unique_key ("qttext");
  g_autofree char *expected_line = g_strconcat (expected, "\n", NULL);
  g_autofree char *out = NULL;
  Peer *writer;

  if (size != NULL)
    writer = spawn_qt (fixture, "write-text", key, text, "--size", size, NULL);
  else
    writer = spawn_qt (fixture, "write-text", key, text, NULL);
  peer_wait_for_line (writer, "ready");
  record_ipc_ids (fixture, key);

  out = shmlab_read_text (key);
  g_assert_cmpstr (out, ==, expected_line);

  peer_finish_ok (writer);
  assert_nothing_left (fixture, key);
}

static void
test_text_qt_to_shmlab_ascii (Fixture       *fixture,
                              gconstpointer  data)
{
  if (skip_without_qt ())
    return;
  check_qt_text_read_by_shmlab (fixture, "Hello from Qt", NULL, "Hello from Qt");
}

static void
test_text_qt_to_shmlab_utf8 (Fixture       *fixture,
                             gconstpointer  data)
{
  if (skip_without_qt ())
    return;
  /* create(100), as the demo does: the text, its NUL, then zeros. */
  check_qt_text_read_by_shmlab (fixture, "你好, shared memory", "100", "你好, shared memory");
}

static void
test_text_qt_to_shmlab_cut (Fixture       *fixture,
                            gconstpointer  data)
{
  if (skip_without_qt ())
    return;
  /* The demo cuts the text to the segment: no NUL, the reader stops at the end. */
  check_qt_text_read_by_shmlab (fixture, "hello world", "5", "hello");
}

static void
check_shmlab_text_read_by_qt (Fixture    *fixture,
                              const char *text)
{
  g_autofree char *key = shmlab_test_unique_key ("shmlabtext");
  g_autofree char *expected_line = g_strconcat (text, "\n", NULL);
  Peer *writer;
  Peer *reader;

  writer = spawn_cli (fixture, TRUE, "write", key, "--text", text, NULL);
  peer_wait_for_line (writer, "holding");
  record_ipc_ids (fixture, key);

  reader = spawn_qt (fixture, "read-text", key, NULL);
  peer_finish_ok (reader);
  g_assert_cmpstr (reader->transcript->str, ==, expected_line);

  peer_finish_ok (writer);
  assert_nothing_left (fixture, key);
}

static void
test_text_shmlab_to_qt_ascii (Fixture       *fixture,
                              gconstpointer  data)
{
  if (skip_without_qt ())
    return;
  check_shmlab_text_read_by_qt (fixture, "Hello from ShmLab");
}

static void
test_text_shmlab_to_qt_utf8 (Fixture       *fixture,
                             gconstpointer  data)
{
  if (skip_without_qt ())
    return;
  check_shmlab_text_read_by_qt (fixture, "你好, shared memory");
}

static void
test_text_qt_create_sees_shmlab (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autofree char *key = NULL;
  g_autofree char *out = NULL;
  Peer *writer;
  Peer *qt_writer;

  if (skip_without_qt ())
    return;

  key = shmlab_test_unique_key ("qtcreate");
  writer = spawn_cli (fixture, TRUE, "write", key, "--text", "first", NULL);
  peer_wait_for_line (writer, "holding");
  record_ipc_ids (fixture, key);

  qt_writer = spawn_qt (fixture, "write-text", key, "second", NULL);
  g_assert_cmpint (peer_finish (qt_writer), ==, 1);
  g_assert_cmpstr (qt_writer->transcript->str, ==,
                   "AlreadyExists: QSharedMemory::create: already exists\n");

  out = shmlab_read_text (key);
  g_assert_cmpstr (out, ==, "first\n");

  peer_finish_ok (writer);
  assert_nothing_left (fixture, key);
}

static void
test_text_shmlab_overwrites_qt (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autofree char *key = NULL;
  Peer *qt_writer;
  Peer *writer;
  Peer *reader;

  if (skip_without_qt ())
    return;

  /* A shorter text over a longer one: only its NUL ends it for Qt's reader. */
  key = shmlab_test_unique_key ("overwrite");
  qt_writer = spawn_qt (fixture, "write-text", key, "a long line written by Qt", "--size", "100",
                        NULL);
  peer_wait_for_line (qt_writer, "ready");
  record_ipc_ids (fixture, key);

  writer = spawn_cli (fixture, TRUE, "write", key, "--attach", "--text", "short", NULL);
  peer_wait_for_line (writer, "holding");
  reader = spawn_qt (fixture, "read-text", key, NULL);
  peer_finish_ok (reader);
  g_assert_cmpstr (reader->transcript->str, ==, "short\n");

  peer_finish_ok (writer);
  peer_finish_ok (qt_writer);
  assert_nothing_left (fixture, key);
}

static void
test_image_qt_to_shmlab (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *key = NULL;
  g_autofree char *png = NULL;
  g_autofree char *output = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = -1;
  Peer *writer;

  if (skip_without_qt ())
    return;

  key = shmlab_test_unique_key ("qtimage");
  png = write_test_png ("qt-input.png");
  output = g_build_filename (shmlab_test_get_temp_dir (), "shmlab-output.png", NULL);

  writer = spawn_qt (fixture, "write-image", key, png, NULL);
  peer_wait_for_line (writer, "ready");
  record_ipc_ids (fixture, key);
  assert_segment_is_qt_image (key);

  g_assert_true (shmlab_test_run_cli (&out, &err, &status, "read", key, "--output", output, NULL));
  if (status != 0)
    shmlab_test_fail ("`shmlab read %s --output %s` exited with %d: %s", key, output, status,
                      g_strstrip (err));
  assert_png_is_test_image (output);

  peer_finish_ok (writer);
  assert_nothing_left (fixture, key);
}

static void
test_image_shmlab_to_qt (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *key = NULL;
  g_autofree char *png = NULL;
  g_autofree char *output = NULL;
  Peer *writer;
  Peer *reader;

  if (skip_without_qt ())
    return;

  key = shmlab_test_unique_key ("shmlabimage");
  png = write_test_png ("shmlab-input.png");
  output = g_build_filename (shmlab_test_get_temp_dir (), "qt-output.png", NULL);

  writer = spawn_cli (fixture, TRUE, "write", key, "--file", png, "--format", "qt-image", NULL);
  peer_wait_for_line (writer, "holding");
  record_ipc_ids (fixture, key);
  assert_segment_is_qt_image (key);

  reader = spawn_qt (fixture, "read-image", key, output, NULL);
  peer_finish_ok (reader);
  assert_png_is_test_image (output);

  peer_finish_ok (writer);
  assert_nothing_left (fixture, key);
}

static void
test_lock_qt_holds (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *key = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *again = NULL;
  g_autofree char *error_line = NULL;
  int status = -1;
  Peer *writer;
  Peer *locker;
  Peer *reader;

  if (skip_without_qt ())
    return;

  key = shmlab_test_unique_key ("qtlock");
  writer = spawn_qt (fixture, "write-text", key, "guarded by Qt", NULL);
  peer_wait_for_line (writer, "ready");
  record_ipc_ids (fixture, key);
  locker = spawn_qt (fixture, "lock", key, NULL);
  peer_wait_for_line (locker, "locked");

  /* While Qt holds the lock, a bounded read gives up and says why. */
  g_assert_true (shmlab_test_run_cli (&out, &err, &status, "read", key, "--lock-timeout", "300",
                                     NULL));
  g_assert_cmpint (status, ==, 1);
  g_assert_cmpstr (out, ==, "");
  error_line = last_line (err);
  g_assert_true (g_str_has_prefix (error_line, "shmlab: "));
  g_assert_nonnull (strstr (error_line, "lock"));
  g_assert_nonnull (strstr (error_line, "300 ms"));

  /* An unbounded read waits in the kernel until Qt unlocks, then reads. */
  reader = spawn_cli (fixture, FALSE, "read", key, NULL);
  wait_until_blocked_on_lock (key, reader);
  peer_finish_ok (locker);
  peer_finish_ok (reader);
  g_assert_cmpstr (reader->transcript->str, ==, "guarded by Qt\n");

  again = shmlab_read_text (key);
  g_assert_cmpstr (again, ==, "guarded by Qt\n");

  peer_finish_ok (writer);
  assert_nothing_left (fixture, key);
}

static void
test_lock_shmlab_holds (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *key = NULL;
  Peer *writer;
  Peer *locker;
  Peer *reader;

  if (skip_without_qt ())
    return;

  key = shmlab_test_unique_key ("shmlablock");
  writer = spawn_cli (fixture, TRUE, "write", key, "--text", "guarded by ShmLab", NULL);
  peer_wait_for_line (writer, "holding");
  record_ipc_ids (fixture, key);
  locker = spawn_cli (fixture, TRUE, "lock", key, "--hold", LOCK_HOLD_SECONDS, NULL);
  peer_wait_for_line (locker, "locked");

  /* Qt's attach() takes the lock first, so the reader waits right there. */
  reader = spawn_qt (fixture, "read-text", key, NULL);
  wait_until_blocked_on_lock (key, reader);

  /* With --hold, shmlab lock lets go on SIGTERM (or Ctrl+C), not at end of input. */
  g_subprocess_send_signal (locker->process, SIGTERM);
  peer_finish_ok (locker);
  peer_finish_ok (reader);
  g_assert_cmpstr (reader->transcript->str, ==, "guarded by ShmLab\n");

  peer_finish_ok (writer);
  assert_nothing_left (fixture, key);
}

static void
test_native_key_known_answer (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *expected_path = NULL;
  g_autofree char *native_key = NULL;
  g_autofree char *sysv_key = NULL;
  g_autofree char *png = NULL;
  g_autofree char *output = NULL;
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GError) error = NULL;
  int status = -1;
  Peer *writer;

  if (skip_without_qt ())
    return;

  shmlab_test_track_key (EXAMPLE_KEY);
  expected_path = g_build_filename (shmlab_test_get_temp_dir (),
                                    "qipc_sharedmemory_" EXAMPLE_SAFE_NAME, NULL);
  png = write_test_png ("example-input.png");
  output = g_build_filename (shmlab_test_get_temp_dir (), "example-output.png", NULL);

  /* Qt's Shared Memory Example, under the key it really uses. */
  writer = spawn_qt (fixture, "write-image", EXAMPLE_KEY, png, NULL);
  peer_wait_for_line (writer, "ready");
  record_ipc_ids (fixture, EXAMPLE_KEY);

  /* Qt made exactly these two key files in $TMPDIR, and nothing else. */
  files = qipc_files_in_temp_dir ();
  g_assert_cmpuint (files->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (files, 0), ==, "qipc_sharedmemory_" EXAMPLE_SAFE_NAME);
  g_assert_cmpstr (g_ptr_array_index (files, 1), ==, "qipc_systemsem_" EXAMPLE_SAFE_NAME);

  native_key = shmlab_native_key (EXAMPLE_KEY, SHMLAB_BACKEND_SYSV, SHMLAB_NATIVE_SEGMENT, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (native_key, ==, expected_path);

  g_assert_true (shmlab_test_run_cli (&out, &err, &status, "info", EXAMPLE_KEY, NULL));
  if (status != 0)
    shmlab_test_fail ("`shmlab info " EXAMPLE_KEY "` exited with %d: %s", status, g_strstrip (err));
  if (strstr (out, expected_path) == NULL)
    {
      show_output ("shmlab info " EXAMPLE_KEY, out);
      shmlab_test_fail ("`shmlab info " EXAMPLE_KEY "` does not name the native key %s",
                        expected_path);
    }
  sysv_key = g_strdup_printf ("0x%08x", (unsigned int) qt_sysv_key (EXAMPLE_KEY,
                                                                     "qipc_sharedmemory_"));
  if (strstr (out, sysv_key) == NULL)
    {
      show_output ("shmlab info " EXAMPLE_KEY, out);
      shmlab_test_fail ("`shmlab info " EXAMPLE_KEY "` does not show Qt's System V key %s",
                        sysv_key);
    }

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_true (shmlab_test_run_cli (&out, &err, &status, "read", EXAMPLE_KEY, "--output",
                                     output, NULL));
  if (status != 0)
    shmlab_test_fail ("`shmlab read " EXAMPLE_KEY " --output %s` exited with %d: %s", output,
                      status, g_strstrip (err));
  assert_png_is_test_image (output);

  peer_finish_ok (writer);
  assert_nothing_left (fixture, EXAMPLE_KEY);
}

static void
test_posix_backend (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *script = NULL;
  g_autofree char *backend = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[4];
  int wait_status = 0;

  if (skip_without_qt ())
    return;

  script = shmlab_test_source_file ("qt", "qt-peer.py", NULL);
  argv[0] = g_getenv ("SHMLAB_PYTHON");
  argv[1] = script;
  argv[2] = "backend";
  argv[3] = NULL;
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &backend, &err,
                &wait_status, &error);
  g_assert_no_error (error);
  g_spawn_check_wait_status (wait_status, &error);
  g_assert_no_error (error);

  if (g_strcmp0 (backend, "posix\n") != 0)
    {
      g_test_skip ("this Qt's QSharedMemory uses System V only (Debian builds Qt without "
                   "QT_POSIX_IPC), so ShmLab's POSIX backend has no Qt peer to meet here");
      return;
    }

  /* A Qt built with QT_POSIX_IPC: the same text round trip over POSIX. */
  {
    g_autofree char *key = shmlab_test_unique_key ("qtposix");
    g_autofree char *out = NULL;
    g_autofree char *read_err = NULL;
    ShmlabSegmentInfo info;
    int status = -1;
    Peer *writer = spawn_qt (fixture, "write-text", key, "over POSIX", NULL);

    peer_wait_for_line (writer, "ready");
    g_assert_true (shmlab_test_run_cli (&out, &read_err, &status, "read", key, "--backend",
                                       "posix", NULL));
    g_assert_cmpint (status, ==, 0);
    g_assert_cmpstr (out, ==, "over POSIX\n");
    peer_finish_ok (writer);
    g_assert_true (shmlab_segment_query_key (key, SHMLAB_BACKEND_POSIX, &info, &error));
    g_assert_no_error (error);
    g_assert_false (info.exists);
  }
}

static char *
find_qt_missing_reason (void)
{
  const char *python = g_getenv ("SHMLAB_PYTHON");
  const char *argv[] = { python, "-c", "import PyQt5.QtCore, PyQt5.QtGui", NULL };
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int wait_status = 0;

  if (python == NULL || *python == '\0')
    return g_strdup ("SHMLAB_PYTHON is not set: run the tests through meson, which names the "
                     "Python that has PyQt5");
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, &err,
                     &wait_status, &error))
    return g_strdup_printf ("cannot run %s: %s", python, error->message);
  if (!g_spawn_check_wait_status (wait_status, NULL))
    {
      g_autofree char *why = last_line (g_strstrip (err));

      return g_strdup_printf ("%s cannot import PyQt5 (install python3-pyqt5): %s", python, why);
    }
  return NULL;
}

int
main (int    argc,
      char **argv)
{
  struct sigaction action = { 0 };

  shmlab_test_init (&argc, &argv);
  action.sa_handler = kill_peers_on_abort;
  sigemptyset (&action.sa_mask);
  sigaction (SIGABRT, &action, &previous_abort_action);
  qt_missing_reason = find_qt_missing_reason ();

#define ADD_TEST(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD_TEST ("/qt/text/qt-to-shmlab/ascii", test_text_qt_to_shmlab_ascii);
  ADD_TEST ("/qt/text/qt-to-shmlab/utf8-in-100-bytes", test_text_qt_to_shmlab_utf8);
  ADD_TEST ("/qt/text/qt-to-shmlab/cut-to-size", test_text_qt_to_shmlab_cut);
  ADD_TEST ("/qt/text/shmlab-to-qt/ascii", test_text_shmlab_to_qt_ascii);
  ADD_TEST ("/qt/text/shmlab-to-qt/utf8", test_text_shmlab_to_qt_utf8);
  ADD_TEST ("/qt/text/qt-create-sees-shmlab-segment", test_text_qt_create_sees_shmlab);
  ADD_TEST ("/qt/text/shmlab-overwrites-qt-segment", test_text_shmlab_overwrites_qt);
  ADD_TEST ("/qt/image/qt-to-shmlab", test_image_qt_to_shmlab);
  ADD_TEST ("/qt/image/shmlab-to-qt", test_image_shmlab_to_qt);
  ADD_TEST ("/qt/lock/qt-holds", test_lock_qt_holds);
  ADD_TEST ("/qt/lock/shmlab-holds", test_lock_shmlab_holds);
  ADD_TEST ("/qt/native-key/known-answer", test_native_key_known_answer);
  ADD_TEST ("/qt/posix/text", test_posix_backend);

#undef ADD_TEST

  return g_test_run ();
}
