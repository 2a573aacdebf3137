/* test-stale.c — `shmlab remove --stale`, `--id` and `--native`: what
 * crashed programs of any kind left (ShmLab's writers killed, Qt's legacy
 * names with their empty key files, a System V key whose file is gone,
 * POSIX names in /dev/shm) is listed and removed with its locks and key
 * files; another user's, another program's and one in use are never
 * touched unless named exactly.
 *
 * `--stale` looks at the whole machine, so each case runs in a child with
 * an IPC namespace and a /dev/shm of its own: the tests never see, and
 * never remove, what belongs to the machine.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-test-util.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "shmlab-segment.h"

/* A uid no account on the test machine has. */
#define OTHER_UID 54321
#define WAIT_MS 10000

/* What a case found wrong, sent to the parent. */
static GString *problems;

#define CHECK(condition, ...) \
  G_STMT_START { \
    if (!(condition)) \
      g_string_append_printf (problems, __VA_ARGS__), g_string_append_c (problems, '\n'); \
  } G_STMT_END

/* Runs shmlab; returns its exit status, with what it printed (both
 * streams) in @out. */
static int
cli (char       **out,
     const char  *first,
     ...)
{
  g_autofree char *err = NULL;
  int status = -1;
  va_list ap;

  va_start (ap, first);
  if (!shmlab_test_run_cliv (out, &err, &status, first, ap))
    status = -1;
  va_end (ap);
  if (out != NULL && *out != NULL && err != NULL)
    {
      char *both = g_strconcat (*out, err, NULL);
      g_free (*out);
      *out = both;
    }
  return status;
}

/* A ShmLab writer killed with SIGKILL while it holds @key: its segment,
 * lock and key files stay. */
static void
killed_writer (const char *key,
               const char *backend)
{
  const char *argv[] = { shmlab_test_cli_path (), "write", key, "--backend", backend, "--text",
                         "left", "--hold", "60", "-q", NULL };
  g_autoptr(ShmlabKey) value = NULL;
  ShmlabBackend b;
  GPid pid;

  g_assert_true (shmlab_backend_from_string (backend, &b, NULL));
  value = shmlab_key_new (key, b, NULL);
  g_assert_true (g_spawn_async (NULL, (char **) argv, NULL,
                                G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL |
                                  G_SPAWN_STDERR_TO_DEV_NULL,
                                NULL, NULL, &pid, NULL));
  for (int waited = 0; shmlab_test_segment_gone (value) && waited < WAIT_MS; waited += 10)
    g_usleep (10000);
  kill (pid, SIGKILL);
  waitpid (pid, NULL, 0);
}

/* Qt's legacy name for @key with @prefix, in @dir ("" for /dev/shm's "/"). */
static char *
qt_name (const char *dir,
         const char *prefix,
         const char *key)
{
  g_autofree char *sha1 = g_compute_checksum_for_string (G_CHECKSUM_SHA1, key, -1);

  return g_strconcat (dir, "/", prefix, key, sha1, NULL);
}

static void
empty_file (const char *path)
{
  int fd = open (path, O_CREAT | O_EXCL | O_WRONLY, 0640);

  g_assert_cmpint (fd, >=, 0);
  close (fd);
}

static int
sysv_segment (key_t key)
{
  int id = shmget (key, 100, IPC_CREAT | IPC_EXCL | 0600);

  g_assert_cmpint (id, >=, 0);
  return id;
}

static gboolean
sysv_id_exists (int id)
{
  struct shmid_ds ds;

  return shmctl (id, IPC_STAT, &ds) == 0;
}

static gboolean
dev_shm_exists (const char *name)
{
  g_autofree char *path = g_strconcat ("/dev/shm/", name[0] == '/' ? name + 1 : name, NULL);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

static int
semaphores_left (void)
{
  struct seminfo info;

  return semctl (0, 0, SEM_INFO, (void *) &info) < 0 ? -1 : info.semusz;
}

/* Every kind of leftover found, listed by --dry-run and left there, then
 * removed by --stale with its lock and key files; a second look finds
 * nothing. */
static void
finds_and_removes_body (const char *dir)
{
  g_autofree char *qt_file = qt_name (dir, "qipc_sharedmemory_", "qtcrash");
  g_autofree char *qt_lock_file = qt_name (dir, "qipc_systemsem_", "qtcrash");
  g_autofree char *posix_name = qt_name ("", "qipc_sharedmemory_", "qtposix");
  g_autofree char *posix_lock = qt_name ("", "qipc_systemsem_", "qtposix");
  g_autofree char *orphan_file = g_build_filename (dir, "orphan-key", NULL);
  g_autofree char *out = NULL;
  g_autoptr(ShmlabKey) sysv_key = shmlab_key_new ("killedsysv", SHMLAB_BACKEND_SYSV, NULL);
  g_autoptr(ShmlabKey) posix_key = shmlab_key_new ("killedposix", SHMLAB_BACKEND_POSIX, NULL);
  int qt_id, orphan_id, fd, status;
  sem_t *sem;

  killed_writer ("killedsysv", "sysv");
  killed_writer ("killedposix", "posix");
  CHECK (!shmlab_test_segment_gone (sysv_key), "the killed System V writer left no segment");
  CHECK (!shmlab_test_segment_gone (posix_key), "the killed POSIX writer left no segment");

  /* A Qt program that crashed: empty key files, its segment and semaphore. */
  empty_file (qt_file);
  empty_file (qt_lock_file);
  qt_id = sysv_segment (ftok (qt_file, 'Q'));
  g_assert_cmpint (semget (ftok (qt_lock_file, 'Q'), 1, IPC_CREAT | 0600), >=, 0);
  /* A System V key made the Qt way whose key file is gone. */
  empty_file (orphan_file);
  orphan_id = sysv_segment (ftok (orphan_file, 'Q'));
  g_unlink (orphan_file);
  /* A Qt legacy POSIX pair in /dev/shm. */
  fd = shm_open (posix_name, O_CREAT | O_EXCL | O_RDWR, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, 64), ==, 0);
  close (fd);
  sem = sem_open (posix_lock, O_CREAT | O_EXCL, 0600, 1);
  g_assert_true (sem != SEM_FAILED);
  sem_close (sem);

  status = cli (&out, "remove", "--stale", "--dry-run", NULL);
  CHECK (status == 0, "--dry-run ended with %d: %s", status, out);
  CHECK (strstr (out, "5 stale segments") != NULL, "--dry-run did not list 5: %s", out);
  CHECK (strstr (out, qt_file) != NULL && strstr (out, posix_name) != NULL &&
           strstr (out, "0x51") != NULL,
         "--dry-run did not name the Qt file, the POSIX name and the orphan key: %s", out);
  CHECK (sysv_id_exists (qt_id) && sysv_id_exists (orphan_id) && dev_shm_exists (posix_name),
         "--dry-run removed something");
  g_clear_pointer (&out, g_free);

  status = cli (&out, "remove", "--stale", NULL);
  CHECK (status == 0, "--stale ended with %d: %s", status, out);
  CHECK (strstr (out, "removed 5 segments") != NULL, "--stale did not remove 5: %s", out);
  CHECK (shmlab_test_segment_gone (sysv_key) && shmlab_test_segment_gone (posix_key),
         "a killed writer's segment is still there");
  CHECK (!sysv_id_exists (qt_id), "the Qt program's segment is still there");
  CHECK (!sysv_id_exists (orphan_id), "the segment whose key file was gone is still there");
  CHECK (!g_file_test (qt_file, G_FILE_TEST_EXISTS) &&
           !g_file_test (qt_lock_file, G_FILE_TEST_EXISTS),
         "the Qt program's key files are still there");
  CHECK (!dev_shm_exists (posix_name) && !dev_shm_exists (g_strconcat ("sem.", posix_lock + 1, NULL)),
         "the POSIX segment or its semaphore is still there");
  CHECK (semaphores_left () == 0, "%d System V semaphores are left", semaphores_left ());
  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    const char *name = d ? g_dir_read_name (d) : NULL;
    CHECK (name == NULL, "a key file is left in the temp dir: %s", name);
  }
  g_clear_pointer (&out, g_free);

  status = cli (&out, "remove", "--stale", NULL);
  CHECK (status == 0 && strstr (out, "nothing stale") != NULL, "a second --stale found: %s", out);
}

/* Another user's, another program's, and one in use: --stale leaves them;
 * --id and --native remove exactly what they name (one in use only with
 * --force). */
static void
leaves_others_body (const char *dir)
{
  g_autofree char *out = NULL;
  g_autofree char *id_text = NULL, *other_id_text = NULL;
  const char *in_use_argv[] = { shmlab_test_cli_path (), "write", "inuse", "--text", "busy",
                                "--hold", "60", "-q", NULL };
  g_autoptr(ShmlabKey) in_use_key = shmlab_key_new ("inuse", SHMLAB_BACKEND_SYSV, NULL);
  struct shmid_ds ds;
  int app_id, other_id, fd, status;
  GPid in_use;

  /* Another program's segment, named its own way. */
  app_id = sysv_segment (0x12345678);
  fd = shm_open ("/someapp-cache", O_CREAT | O_EXCL | O_RDWR, 0600);
  g_assert_cmpint (fd, >=, 0);
  close (fd);
  /* Another user's, named the Qt way. */
  other_id = sysv_segment ((key_t) (0x51000000 | 0x00abcdef));
  g_assert_cmpint (shmctl (other_id, IPC_STAT, &ds), ==, 0);
  ds.shm_perm.uid = OTHER_UID;
  g_assert_cmpint (shmctl (other_id, IPC_SET, &ds), ==, 0);
  /* One in use. */
  g_assert_true (g_spawn_async (NULL, (char **) in_use_argv, NULL,
                                G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL |
                                  G_SPAWN_STDERR_TO_DEV_NULL,
                                NULL, NULL, &in_use, NULL));
  for (int waited = 0; shmlab_test_segment_gone (in_use_key) && waited < WAIT_MS; waited += 10)
    g_usleep (10000);

  status = cli (&out, "remove", "--stale", NULL);
  CHECK (status == 0 && strstr (out, "nothing stale") != NULL,
         "--stale found something among another user's, another program's and one in use: %s",
         out);
  CHECK (sysv_id_exists (app_id) && sysv_id_exists (other_id) && dev_shm_exists ("someapp-cache") &&
           !shmlab_test_segment_gone (in_use_key),
         "--stale removed something it must not");
  g_clear_pointer (&out, g_free);

  /* Named exactly, they go. */
  id_text = g_strdup_printf ("%d", app_id);
  status = cli (&out, "remove", "--id", id_text, NULL);
  CHECK (status == 0 && !sysv_id_exists (app_id), "--id %s: %d, %s", id_text, status, out);
  g_clear_pointer (&out, g_free);
  other_id_text = g_strdup_printf ("%d", other_id);
  status = cli (&out, "remove", "--id", other_id_text, NULL);
  CHECK (status == 0 && !sysv_id_exists (other_id), "--id of another user's, as root: %d, %s",
         status, out);
  g_clear_pointer (&out, g_free);
  status = cli (&out, "remove", "--native", "someapp-cache", NULL);
  CHECK (status == 0 && !dev_shm_exists ("someapp-cache"), "--native someapp-cache: %d, %s", status,
         out);
  g_clear_pointer (&out, g_free);
  {
    g_autofree char *native = g_strdup (shmlab_key_get_segment_name (in_use_key));
    status = cli (&out, "remove", "--native", native, NULL);
    CHECK (status == 1 && strstr (out, "--force") != NULL && !shmlab_test_segment_gone (in_use_key),
           "--native of one in use was not refused with the way out: %d, %s", status, out);
    g_clear_pointer (&out, g_free);
    status = cli (&out, "remove", "--native", native, "--force", NULL);
    CHECK (status == 0 && shmlab_test_segment_gone (in_use_key), "--native --force: %d, %s",
           status, out);
    g_clear_pointer (&out, g_free);
  }
  status = cli (&out, "remove", "--native", "/no-such-name", NULL);
  CHECK (status == 1 && strstr (out, "no-such-name") != NULL, "--native of nothing: %d, %s",
         status, out);
  kill (in_use, SIGTERM);
  waitpid (in_use, NULL, 0);
}

/* Runs @body in a forked child with an IPC namespace, a /dev/shm and a
 * temp dir of its own, and fails the test with what it found wrong. */
static void
run_isolated (void (*body) (const char *dir))
{
  char buffer[4096];
  g_autoptr(GString) text = g_string_new (NULL);
  int fds[2], status;
  gssize n;
  pid_t pid;

  if (geteuid () != 0)
    {
      g_test_skip ("an IPC namespace and a /dev/shm of its own need root (CI runs as root)");
      return;
    }
  g_assert_cmpint (pipe (fds), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      char dir[] = "/tmp/shmlab-test-stale-XXXXXX";

      /* The parent's handlers would remove its temp dir: a child dies plainly. */
      signal (SIGABRT, SIG_DFL);
      signal (SIGTERM, SIG_DFL);
      close (fds[0]);
      problems = g_string_new (NULL);
      if (unshare (CLONE_NEWIPC | CLONE_NEWNS) != 0 ||
          mount ("none", "/", "none", MS_REC | MS_PRIVATE, NULL) != 0 ||
          mount ("shmlabtest", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "size=16m,mode=1777") != 0 ||
          g_mkdtemp (dir) == NULL)
        g_string_append_printf (problems, "no namespaces of its own: %s\n", g_strerror (errno));
      else
        {
          g_setenv ("TMPDIR", dir, TRUE);
          g_setenv ("LANGUAGE", "", TRUE);
          body (dir);
          shmlab_test_remove_tree (dir);
        }
      if (write (fds[1], problems->str, problems->len) < 0)
        _exit (3);
      _exit (0);
    }
  close (fds[1]);
  while ((n = read (fds[0], buffer, sizeof buffer)) > 0)
    g_string_append_len (text, buffer, n);
  close (fds[0]);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    shmlab_test_fail ("the isolated child ended with wait status %d; it found:\n%s", status, text->str);
  if (text->len > 0)
    shmlab_test_fail ("%s", text->str);
}

static void
test_finds_and_removes (void)
{
  run_isolated (finds_and_removes_body);
}

static void
test_leaves_others (void)
{
  run_isolated (leaves_others_body);
}

/* Each wrong combination: a usage error (2) that says what to do. */
static void
test_usage (void)
{
  const char *cases[][5] = {
    { "--stale", "demo", NULL },
    { "--dry-run", NULL },
    { "--dry-run", "demo", NULL },
    { "--stale", "--id", "5", NULL },
    { "--id", "5", "--native", "/x", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = NULL;
      int status = cli (&out, "remove", cases[i][0], cases[i][1], cases[i][2], cases[i][3], NULL);

      if (status != 2 || (strstr (out, "--stale") == NULL && strstr (out, "--dry-run") == NULL))
        shmlab_test_fail ("shmlab remove %s %s: status %d, %s", cases[i][0],
                          cases[i][1] ? cases[i][1] : "", status, out);
    }
}

int
main (int    argc,
      char **argv)
{
  shmlab_test_init (&argc, &argv);
  g_setenv ("LANGUAGE", "", TRUE);

  g_test_add_func ("/stale/finds-and-removes", test_finds_and_removes);
  g_test_add_func ("/stale/leaves-others", test_leaves_others);
  g_test_add_func ("/stale/usage", test_usage);
  return g_test_run ();
}
