/* test-qt-native.c — Qt 6.6's native keys through `shmlab`: a POSIX name
 * and a System V key file used as given, the segment and its lock under
 * one name; Qt's string form pasted as is; and the rules that keep a key
 * file from touching what it must not
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-test-util.h"

#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "shmlab-key.h"
#include "shmlab-segment.h"

#define WAIT_SECONDS 20
/* A uid no account on the test machine has. */
#define OTHER_UID 54321

/* `shmlab write … --hold 60` in the background, until stop(). */
static GSubprocess *
start_writer (const char *first,
              ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GSubprocess *process;
  const char *arg;
  va_list ap;

  g_ptr_array_add (argv, (gpointer) shmlab_test_cli_path ());
  g_ptr_array_add (argv, (gpointer) "write");
  va_start (ap, first);
  for (arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (argv, (gpointer) "--hold");
  g_ptr_array_add (argv, (gpointer) "60");
  g_ptr_array_add (argv, (gpointer) "-q");
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_newv ((const char *const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                               &error);
  g_assert_no_error (error);
  return process;
}

static void
stop (GSubprocess *process)
{
  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait (process, NULL, NULL);
  g_object_unref (process);
}

/* Runs shmlab and asserts its exit status; returns what it printed. */
static char *
run (int          expected_status,
     char       **err_out,
     const char  *first,
     ...)
{
  g_autofree char *out = NULL, *err = NULL;
  int status = -1;
  va_list ap;

  va_start (ap, first);
  g_assert_true (shmlab_test_run_cliv (&out, &err, &status, first, ap));
  va_end (ap);
  if (status != expected_status)
    shmlab_test_fail ("`shmlab %s …` ended with status %d, not %d; it said:\n%s%s", first, status,
                      expected_status, out, err);
  if (err_out != NULL)
    *err_out = g_steal_pointer (&err);
  return g_steal_pointer (&out);
}

static gboolean
file_exists (gpointer path)
{
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

/* A POSIX native key: /dev/shm/NAME for the segment and /dev/shm/sem.NAME
 * for its lock, no hash, no prefix; read back by the name and by Qt's
 * string form; both gone once the writer ends. */
static void
test_posix_round_trip (void)
{
  g_autofree char *name = shmlab_test_unique_key ("native");
  g_autofree char *segment_file = g_strconcat ("/dev/shm/", name, NULL);
  g_autofree char *lock_file = g_strconcat ("/dev/shm/sem.", name, NULL);
  g_autofree char *string_form = g_strconcat ("posix:/", name, NULL);
  g_autofree char *out = NULL, *info = NULL;
  GSubprocess *writer;

  writer = start_writer ("--key-kind", "native", "--backend", "posix", name, "--text", "native posix",
                         NULL);
  shmlab_test_wait_until (file_exists, segment_file, WAIT_SECONDS, "/dev/shm/NAME");
  g_assert_true (g_file_test (lock_file, G_FILE_TEST_IS_REGULAR));

  g_clear_pointer (&out, g_free);
  out = run (0, NULL, "read", "-q", "-k", "native", "-b", "posix", name, NULL);
  g_assert_cmpstr (out, ==, "native posix\n");
  g_clear_pointer (&out, g_free);
  /* The string form names its backend: no --backend, no --key-kind. */
  out = run (0, NULL, "read", "-q", string_form, NULL);
  g_assert_cmpstr (out, ==, "native posix\n");
  info = run (0, NULL, "info", string_form, NULL);
  g_assert_nonnull (strstr (info, "native"));
  g_assert_nonnull (strstr (info, string_form));
  g_assert_nonnull (strstr (info, "POSIX"));
  /* The legacy reading of the same word is another segment. */
  g_clear_pointer (&out, g_free);
  out = run (1, NULL, "read", "-q", "-b", "posix", name, NULL);

  stop (writer);
  g_assert_false (g_file_test (segment_file, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (lock_file, G_FILE_TEST_EXISTS));
}

/* A System V native key: a relative name is a key file in the runtime dir,
 * made empty as Qt makes it; one ftok() key for the segment and the
 * semaphore; the file goes with the segment. */
static void
test_sysv_round_trip (void)
{
  g_autofree char *name = shmlab_test_unique_key ("native");
  g_autofree char *key_file = g_build_filename (g_getenv ("XDG_RUNTIME_DIR"), name, NULL);
  g_autofree char *string_form = g_strconcat ("systemv:", key_file, NULL);
  g_autofree char *out = NULL;
  struct shmid_ds ds;
  GSubprocess *writer;
  struct stat st;
  key_t ipc_key;
  int shm_id, sem_id;

  writer = start_writer ("-k", "native", name, "--text", "native sysv", NULL);
  shmlab_test_wait_until (file_exists, key_file, WAIT_SECONDS, "the key file in XDG_RUNTIME_DIR");
  g_assert_cmpint (g_stat (key_file, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0640);
  ipc_key = ftok (key_file, 'Q');
  g_assert_cmpint (ipc_key, !=, -1);
  shm_id = shmget (ipc_key, 0, 0);
  g_assert_cmpint (shm_id, >=, 0);
  g_assert_cmpint (shmctl (shm_id, IPC_STAT, &ds), ==, 0);
  g_assert_cmpuint (ds.shm_segsz, ==, strlen ("native sysv") + 1);
  /* The lock is made at the first lock, under the same key. */
  sem_id = semget (ipc_key, 1, 0);
  g_assert_cmpint (sem_id, >=, 0);

  out = run (0, NULL, "read", "-q", string_form, NULL);
  g_assert_cmpstr (out, ==, "native sysv\n");
  g_clear_pointer (&out, g_free);
  out = run (0, NULL, "read", "-q", "-k", "native", key_file, NULL);
  g_assert_cmpstr (out, ==, "native sysv\n");

  stop (writer);
  g_assert_false (g_file_test (key_file, G_FILE_TEST_EXISTS));
  g_assert_cmpint (shmget (ipc_key, 0, 0), ==, -1);
}

/* Qt's string forms: a legacy key's is that legacy key; a --backend that
 * says another is a usage error; another ftok id or type is refused. */
static void
test_string_forms (void)
{
  g_autofree char *name = shmlab_test_unique_key ("legacy");
  g_autoptr(ShmlabKey) legacy = shmlab_key_new (name, SHMLAB_BACKEND_SYSV, NULL);
  g_autofree char *legacy_form = shmlab_key_to_qt_string (legacy);
  g_autofree char *err = NULL, *out = NULL;
  GSubprocess *writer;

  g_assert_nonnull (strstr (legacy_form, "?legacyKey="));
  writer = start_writer (name, "--text", "legacy", NULL);
  shmlab_test_wait_until (shmlab_test_segment_there, legacy, WAIT_SECONDS, "the legacy segment");
  out = run (0, NULL, "read", "-q", legacy_form, NULL);
  g_assert_cmpstr (out, ==, "legacy\n");
  stop (writer);

  g_clear_pointer (&out, g_free);
  out = run (2, &err, "read", "--backend", "sysv", "posix:/shmlabtest-x", NULL);
  g_assert_nonnull (strstr (err, "--backend"));
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&out, g_free);
  out = run (1, &err, "read", "systemv-42:/tmp/shmlabtest-x", NULL);
  g_assert_nonnull (strstr (err, "42"));
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&out, g_free);
  out = run (1, &err, "read", "windows:shmlabtest-x", NULL);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&out, g_free);
  out = run (2, &err, "read", "--key-kind", "hashed", "x", NULL);
  g_assert_nonnull (strstr (err, "legacy or native"));
}

/* Bad names, each refused with its reason, nothing made. */
static void
test_bad_names (void)
{
  g_autofree char *long_name = g_strnfill (SHMLAB_QT_KEY_POSIX_NAME_MAX + 1, 'x');
  const struct
  {
    const char *backend;
    const char *key;
    const char *says;
  } cases[] = {
    { "posix", "a/b", "“/”" },
    { "posix", "/", "empty" },
    { "posix", long_name, "bytes long" },
    { "posix", "caf\xe9", "UTF-8" },
    { "sysv", "../escape", "“..”" },
    { "sysv", "/tmp/./x", "“..”" },
    { "sysv", "/no-such-dir-shmlab/x", "does not exist" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *err = NULL;
      g_autofree char *out = run (1, &err, "write", "-k", "native", "-b", cases[i].backend,
                                  cases[i].key, "--text", "x", "--hold", "0", NULL);

      /* The key is printed escaped: a test's output must stay UTF-8. */
      g_autofree char *shown = g_strescape (cases[i].key, NULL);

      g_test_message ("%s %s: %s%s", cases[i].backend, shown, out, err);
      if (strstr (err, cases[i].says) == NULL)
        shmlab_test_fail ("a %s native key “%s” was refused without saying “%s”: %s",
                          cases[i].backend, shown, cases[i].says, err);
    }
  g_assert_false (g_file_test ("/dev/shm/a", G_FILE_TEST_EXISTS));
}

/* The key file of a System V native key: any existing file may serve as a
 * key, and is never removed unless empty; a symbolic link, a directory or
 * a FIFO is refused; as root, another user's directory is refused. */
static void
test_sysv_key_file_rules (void)
{
  const char *temp = shmlab_test_get_temp_dir ();
  g_autofree char *precious = g_build_filename (temp, "precious.txt", NULL);
  g_autofree char *real_dir = g_build_filename (temp, "real", NULL);
  g_autofree char *link_dir = g_build_filename (temp, "link", NULL);
  g_autofree char *through_link = g_build_filename (link_dir, "key", NULL);
  g_autofree char *in_real_dir = g_build_filename (real_dir, "key", NULL);
  g_autofree char *link_file = g_build_filename (temp, "link-file", NULL);
  g_autofree char *fifo = g_build_filename (temp, "fifo", NULL);
  g_autofree char *others = g_build_filename (temp, "others", NULL);
  g_autofree char *in_others = g_build_filename (others, "key", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *err = NULL, *out = NULL;

  /* A file with data as the key: used, and kept with its data. */
  g_assert_true (g_file_set_contents (precious, "keep me", -1, NULL));
  out = run (0, NULL, "write", "-q", "-k", "native", precious, "--text", "x", "--hold", "0", NULL);
  g_assert_true (g_file_get_contents (precious, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "keep me");
  g_assert_cmpint (shmget (ftok (precious, 'Q'), 0, 0), ==, -1);

  g_assert_cmpint (g_mkdir (real_dir, 0700), ==, 0);
  g_assert_cmpint (symlink (real_dir, link_dir), ==, 0);
  g_clear_pointer (&out, g_free);
  out = run (1, &err, "write", "-k", "native", through_link, "--text", "x", "--hold", "0", NULL);
  g_assert_nonnull (strstr (err, "symbolic link"));
  g_assert_false (g_file_test (in_real_dir, G_FILE_TEST_EXISTS));

  g_assert_cmpint (symlink (precious, link_file), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  out = run (1, &err, "write", "-k", "native", link_file, "--text", "x", "--hold", "0", NULL);
  g_assert_nonnull (strstr (err, "symbolic link"));

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  out = run (1, &err, "write", "-k", "native", real_dir, "--text", "x", "--hold", "0", NULL);
  g_assert_nonnull (strstr (err, "directory"));

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  out = run (1, &err, "write", "-k", "native", fifo, "--text", "x", "--hold", "0", NULL);
  g_assert_nonnull (strstr (err, "special file"));

  if (geteuid () == 0)
    {
      g_assert_cmpint (g_mkdir (others, 0755), ==, 0);
      g_assert_cmpint (chown (others, OTHER_UID, OTHER_UID), ==, 0);
      g_clear_pointer (&out, g_free);
      g_clear_pointer (&err, g_free);
      out = run (1, &err, "write", "-k", "native", in_others, "--text", "x", "--hold", "0", NULL);
      g_assert_nonnull (strstr (err, "another user's directory"));
      g_assert_false (g_file_test (in_others, G_FILE_TEST_EXISTS));
    }
  else
    g_test_message ("not root: the other user's directory case needs root and was not run");
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *runtime = NULL;

  shmlab_test_init (&argc, &argv);
  /* Relative System V native keys live in the runtime dir: this test's own. */
  runtime = g_build_filename (shmlab_test_get_temp_dir (), "run", NULL);
  g_assert_cmpint (g_mkdir (runtime, 0700), ==, 0);
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  g_setenv ("LANGUAGE", "", TRUE);

  g_test_add_func ("/qt-native/posix/round-trip", test_posix_round_trip);
  g_test_add_func ("/qt-native/sysv/round-trip", test_sysv_round_trip);
  g_test_add_func ("/qt-native/string-forms", test_string_forms);
  g_test_add_func ("/qt-native/bad-names", test_bad_names);
  g_test_add_func ("/qt-native/sysv/key-file-rules", test_sysv_key_file_rules);
  return g_test_run ();
}
