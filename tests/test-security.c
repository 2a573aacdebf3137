/* test-security.c — other users: segments, locks and key files are private to
 * their creator (0600, key files 0640), another uid can neither read nor
 * write them, a key another user holds is refused with their name, and a key
 * file replaced by a symbolic link is never followed
 *
 * The second user is a uid no account has, reached with setresuid(), which
 * needs root (CI runs as root); each test says why when it cannot run.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-test-util.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <semaphore.h>
#include <signal.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "shmlab-segment.h"

/* Fails the test with a message, through abort() so the test's cleanup runs. */
#define fail_test(...) \
  G_STMT_START { g_test_message (__VA_ARGS__); g_assert_not_reached (); } G_STMT_END

/* A uid and a gid no account on the test machine has. */
#define OTHER_UID 54321
#define OTHER_GID 54322

#define SECRET "root's secret"
#define THEIRS "the other user's text"

/* The figure: what the other side tried across the user boundary, and how much was refused. */
static guint attempts;
static guint refused;

/* Symbolic links, FIFOs and files a test planted: removed at teardown, or
 * when an assertion aborts (the shared cleanup does not know of them). */
static GPtrArray *planted;

typedef struct
{
  ShmlabBackend backend;
  char *key;
  GArray *children;      /* pid_t of forked children, waited for at teardown */
  GArray *hold_fds;      /* the write end each child holds on until it reads EOF */
  GPid writer;           /* root's `shmlab write`, 0 when none */
  int writer_stdin;
  int writer_stderr;
} Fixture;

static void
remove_planted (void)
{
  for (guint i = 0; planted != NULL && i < planted->len; i++)
    unlink (g_ptr_array_index (planted, i));
  if (planted != NULL)
    g_ptr_array_set_size (planted, 0);
}

static void
cleanup_on_signal (int signum)
{
  /* Root's cleanup removes what either user made; children let go when the pipes close. */
  remove_planted ();
  shmlab_test_cleanup ();
  signal (signum, SIG_DFL);
  raise (signum);
}

static int
become_other_user (void)
{
  if (setgroups (0, NULL) != 0 || setresgid (OTHER_GID, OTHER_GID, OTHER_GID) != 0 ||
      setresuid (OTHER_UID, OTHER_UID, OTHER_UID) != 0)
    return errno;
  return 0;
}

static void
spawn_setup_other_user (gpointer data)
{
  /* Never run a command as root that was meant to run as the other user. */
  if (become_other_user () != 0)
    _exit (125);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->backend = GPOINTER_TO_INT (data);
  f->key = shmlab_test_unique_key ("security");
  f->children = g_array_new (FALSE, FALSE, sizeof (pid_t));
  f->hold_fds = g_array_new (FALSE, FALSE, sizeof (int));
  f->writer_stdin = -1;
  f->writer_stderr = -1;
  /* The other user makes key files in the temp dir, as in the real /tmp (sticky, open to all). */
  g_assert_cmpint (chmod (shmlab_test_get_temp_dir (), 01777), ==, 0);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  /* Children let go when their hold pipe closes: they detach, and what they created goes. */
  for (guint i = 0; i < f->hold_fds->len; i++)
    close (g_array_index (f->hold_fds, int, i));
  for (guint i = 0; i < f->children->len; i++)
    waitpid (g_array_index (f->children, pid_t, i), NULL, 0);
  if (f->writer != 0)
    {
      close (f->writer_stdin);
      close (f->writer_stderr);
      waitpid (f->writer, NULL, 0);
    }

  remove_planted ();

  /* Root removes what is left of either user, on every backend. */
  {
    guint n_backends;
    const ShmlabBackend *backends = shmlab_backend_all (&n_backends);

    for (guint b = 0; b < n_backends; b++)
      shmlab_segment_remove_key (f->key, backends[b], TRUE, NULL);
  }
  g_assert_cmpint (chmod (shmlab_test_get_temp_dir (), 0700), ==, 0);

  g_array_unref (f->children);
  g_array_unref (f->hold_fds);
  g_free (f->key);
}

static const char *
backend_name (Fixture *f)
{
  return shmlab_backend_to_string (f->backend);
}

static char *
native_path (Fixture          *f,
             ShmlabNativeKind  kind)
{
  g_autofree char *native = shmlab_native_key (f->key, f->backend, kind, NULL);

  g_assert_nonnull (native);
  if (f->backend != SHMLAB_BACKEND_POSIX)
    return g_steal_pointer (&native);
  if (kind == SHMLAB_NATIVE_SEMAPHORE)
    return g_strconcat ("/dev/shm/sem.", native + 1, NULL);
  return g_strconcat ("/dev/shm", native, NULL);
}

/* Runs `shmlab ARGS…` as root or as the other user; returns its exit status. */
static int run_cli (gboolean as_other, char **out, char **err, const char *first_arg, ...)
  G_GNUC_NULL_TERMINATED;

static int
run_cli (gboolean     as_other,
         char       **out,
         char       **err,
         const char  *first_arg,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  va_list ap;
  int wait_status = 0;

  g_ptr_array_add (argv, (gpointer) shmlab_test_cli_path ());
  va_start (ap, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT,
                as_other ? spawn_setup_other_user : NULL, NULL, out, err, &wait_status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  return WEXITSTATUS (wait_status);
}

/* Whether the other user can be had here; skips the test with the reason when not. */
static gboolean
other_user_ready (void)
{
  static gboolean probed;
  static char *why_not;

  if (!probed)
    {
      int fds[2];
      pid_t pid;
      char reason[256] = { 0 };
      gssize n;

      probed = TRUE;
      if (geteuid () != 0)
        why_not = g_strdup ("acting as another user needs root (CI runs as root): run the tests "
                            "as root to check that other users are kept out");
      else
        {
          g_assert_cmpint (pipe (fds), ==, 0);
          pid = fork ();
          g_assert_cmpint (pid, >=, 0);
          if (pid == 0)
            {
              int e = become_other_user ();
              close (fds[0]);
              if (e != 0)
                {
                  const char *text = strerror (e);
                  if (write (fds[1], text, strlen (text)) < 0)
                    _exit (2);
                  _exit (1);
                }
              if (access (shmlab_test_get_temp_dir (), W_OK | X_OK) != 0)
                {
                  static const char text[] = "cannot make files in the temp dir (the "
                                             "directories above it must be open to others)";
                  if (write (fds[1], text, sizeof text - 1) < 0)
                    _exit (2);
                  _exit (1);
                }
              _exit (0);
            }
          close (fds[1]);
          n = read (fds[0], reason, sizeof reason - 1);
          close (fds[0]);
          waitpid (pid, NULL, 0);
          if (n > 0)
            why_not = g_strdup_printf ("cannot act as uid %d: %s", OTHER_UID, reason);
        }

      if (why_not == NULL)
        {
          g_autofree char *out = NULL, *err = NULL;
          int status = run_cli (TRUE, &out, &err, "--version", NULL);
          if (status != 0)
            why_not = g_strdup_printf ("uid %d cannot run %s (exit status %d): the build "
                                       "directory must be open to other users",
                                       OTHER_UID, shmlab_test_cli_path (), status);
        }
    }

  if (why_not != NULL)
    {
      g_test_skip (why_not);
      return FALSE;
    }
  return TRUE;
}

/* Reads @fd until a line starts with @prefix; the text read so far on failure. */
static void
read_until_line (int          fd,
                 const char  *prefix,
                 const char  *who)
{
  g_autoptr(GString) text = g_string_new (NULL);
  gsize line_start = 0;

  for (;;)
    {
      char c;
      gssize n = read (fd, &c, 1);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        fail_test ("%s ended before saying “%s”; it said:\n%s", who, prefix, text->str);
      g_string_append_c (text, c);
      if (c != '\n')
        continue;
      if (g_str_has_prefix (text->str + line_start, prefix))
        return;
      line_start = text->len;
    }
}

/* Root's `shmlab write KEY --text TEXT`, holding until its standard input closes. */
static void
start_root_writer (Fixture    *f,
                   const char *text)
{
  g_autoptr(GError) error = NULL;
  const char *argv[] = { shmlab_test_cli_path (), "write", f->key, "--text", text, "--backend",
                         backend_name (f), NULL };

  g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                            &f->writer, &f->writer_stdin, NULL, &f->writer_stderr, &error);
  g_assert_no_error (error);
  read_until_line (f->writer_stderr, "holding", "shmlab write");
}

static void
stop_root_writer (Fixture *f)
{
  char buffer[4096];
  int status = 0;

  close (f->writer_stdin);
  while (read (f->writer_stderr, buffer, sizeof buffer) > 0)
    ;
  close (f->writer_stderr);
  g_assert_cmpint (waitpid (f->writer, &status, 0), ==, f->writer);
  f->writer = 0;
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
}

/* Forks a child that runs @body as the other user, reporting on the pipe
 * whose read end is returned. With @hold, the child also gets the read end of
 * a pipe the parent keeps open until teardown: @body waits on it with
 * wait_for_release() to hold on to what it made. */
typedef int (*ChildBody) (Fixture *f, int report_fd, int hold_fd);

static int
fork_other_user (Fixture   *f,
                 ChildBody  body,
                 gboolean   hold)
{
  int report[2], hold_pipe[2] = { -1, -1 };
  pid_t pid;

  g_assert_cmpint (pipe (report), ==, 0);
  if (hold)
    g_assert_cmpint (pipe (hold_pipe), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      int status;

      /* The parent's handlers would remove its temp dir: a child dies plainly. */
      signal (SIGABRT, SIG_DFL);
      signal (SIGSEGV, SIG_DFL);
      signal (SIGTERM, SIG_DFL);
      signal (SIGINT, SIG_DFL);
      close (report[0]);
      for (guint i = 0; i < f->hold_fds->len; i++)
        close (g_array_index (f->hold_fds, int, i));
      if (hold)
        close (hold_pipe[1]);
      if (become_other_user () != 0)
        _exit (125);
      status = body (f, report[1], hold_pipe[0]);
      close (report[1]);
      _exit (status);
    }
  close (report[1]);
  g_array_append_val (f->children, pid);
  if (hold)
    {
      close (hold_pipe[0]);
      g_array_append_val (f->hold_fds, hold_pipe[1]);
    }
  return report[0];
}

/* In a child: returns when the parent closes its end (at teardown, or when it dies). */
static void
wait_for_release (int hold_fd)
{
  char byte;

  while (read (hold_fd, &byte, 1) < 0 && errno == EINTR)
    ;
}

static gboolean
contains (const char *text,
          const char *part)
{
  return text != NULL && strstr (text, part) != NULL;
}

/* A refusal the other side met: counted, and its message checked. */
static void
assert_refused (int           status,
                char *const  *err_out,
                const char   *owner)
{
  const char *err = *err_out;

  attempts++;
  if (status != 1 || !contains (err, owner) || !contains (err, "another key"))
    fail_test ("expected exit status 1 and a message that names %s and suggests another key; "
               "got status %d and:\n%s", owner, status, err);
  refused++;
}

static void
assert_still_root_secret (Fixture *f)
{
  g_autofree char *out = NULL, *err = NULL;

  g_assert_cmpint (run_cli (FALSE, &out, &err, "read", f->key, "--backend", backend_name (f), "-q",
                            NULL), ==, 0);
  g_assert_cmpstr (out, ==, SECRET "\n");
}

/* Segments and locks 0600, key files 0640, owned by whoever ran `shmlab write` (root in CI). */
static void
test_modes (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *segment = native_path (f, SHMLAB_NATIVE_SEGMENT);
  g_autofree char *semaphore = native_path (f, SHMLAB_NATIVE_SEMAPHORE);
  struct stat st;

  start_root_writer (f, SECRET);

  if (f->backend == SHMLAB_BACKEND_SYSV)
    {
      struct shmid_ds shm;
      struct semid_ds sem;
      union { struct semid_ds *buf; } arg = { &sem };
      key_t shm_key = ftok (segment, 'Q');
      key_t sem_key = ftok (semaphore, 'Q');
      int shm_id = shmget (shm_key, 0, 0);
      int sem_id = semget (sem_key, 1, 0);

      g_assert_cmpint (shm_id, >=, 0);
      g_assert_cmpint (shmctl (shm_id, IPC_STAT, &shm), ==, 0);
      g_assert_cmpuint (shm.shm_perm.uid, ==, geteuid ());
      g_assert_cmpuint (shm.shm_perm.cuid, ==, geteuid ());
      g_assert_cmpuint (shm.shm_perm.mode & 0777, ==, 0600);

      g_assert_cmpint (sem_id, >=, 0);
      g_assert_cmpint (semctl (sem_id, 0, IPC_STAT, arg), ==, 0);
      g_assert_cmpuint (sem.sem_perm.uid, ==, geteuid ());
      g_assert_cmpuint (sem.sem_perm.cuid, ==, geteuid ());
      g_assert_cmpuint (sem.sem_perm.mode & 0777, ==, 0600);

      /* The key files, as Qt makes them: 0640 (under the umask 022 main() sets). */
      for (guint i = 0; i < 2; i++)
        {
          const char *path = i == 0 ? segment : semaphore;
          g_assert_cmpint (lstat (path, &st), ==, 0);
          g_assert_true (S_ISREG (st.st_mode));
          g_assert_cmpuint (st.st_uid, ==, geteuid ());
          g_assert_cmpuint (st.st_mode & 07777, ==, 0640);
        }
    }
  else
    {
      for (guint i = 0; i < 2; i++)
        {
          const char *path = i == 0 ? segment : semaphore;
          int fd = open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

          g_assert_cmpint (fd, >=, 0);
          g_assert_cmpint (fstat (fd, &st), ==, 0);
          close (fd);
          g_assert_true (S_ISREG (st.st_mode));
          g_assert_cmpuint (st.st_uid, ==, geteuid ());
          g_assert_cmpuint (st.st_mode & 07777, ==, 0600);
        }
    }

  stop_root_writer (f);
}

/* One direct attempt of the other user: its name and the errno it got (0: it worked). */
static void
report_attempt (int         fd,
                const char *name,
                int         result,
                int         saved_errno)
{
  g_autofree char *line = g_strdup_printf ("%s %d\n", name, result < 0 ? saved_errno : 0);
  if (write (fd, line, strlen (line)) < 0)
    _exit (3);
}

#define ATTEMPT(fd, name, call) \
  do { errno = 0; int result_ = (call); report_attempt (fd, name, result_, errno); } while (0)

static int
shmat_result (int id,
              int flags)
{
  void *data = shmat (id, NULL, flags);

  if (data == (void *) -1)
    return -1;
  shmdt (data);
  return 0;
}

static int
open_result (int fd)
{
  if (fd >= 0)
    close (fd);
  return fd < 0 ? -1 : 0;
}

static int
sem_open_result (const char *name)
{
  sem_t *sem = sem_open (name, 0);

  if (sem == SEM_FAILED)
    return -1;
  sem_close (sem);
  return 0;
}

/* The other user, with system calls rather than ShmLab, at root's segment. */
static int
direct_attempts_body (Fixture *f,
                      int      report_fd,
                      int      hold_fd)
{
  g_autofree char *segment = native_path (f, SHMLAB_NATIVE_SEGMENT);
  g_autofree char *semaphore = native_path (f, SHMLAB_NATIVE_SEMAPHORE);

  if (f->backend == SHMLAB_BACKEND_SYSV)
    {
      key_t shm_key = ftok (segment, 'Q');
      key_t sem_key = ftok (semaphore, 'Q');
      /* Asking for no rights finds the ids; every use of them is checked. */
      int shm_id = shmget (shm_key, 0, 0);
      int sem_id = semget (sem_key, 1, 0);
      struct shmid_ds shm;
      struct sembuf op = { 0, -1, IPC_NOWAIT | SEM_UNDO };
      union { int val; } zero = { 0 };

      if (shm_key == -1 || sem_key == -1 || shm_id < 0 || sem_id < 0)
        return 4;
      ATTEMPT (report_fd, "shmget-read-write", shmget (shm_key, 0, 0600));
      ATTEMPT (report_fd, "shmget-read-only", shmget (shm_key, 0, 0400));
      ATTEMPT (report_fd, "shmat-read-only", shmat_result (shm_id, SHM_RDONLY));
      ATTEMPT (report_fd, "shmat-read-write", shmat_result (shm_id, 0));
      ATTEMPT (report_fd, "shmctl-stat", shmctl (shm_id, IPC_STAT, &shm));
      ATTEMPT (report_fd, "shmctl-remove", shmctl (shm_id, IPC_RMID, NULL));
      ATTEMPT (report_fd, "semop-lock", semop (sem_id, &op, 1));
      ATTEMPT (report_fd, "semctl-setval", semctl (sem_id, 0, SETVAL, zero));
      ATTEMPT (report_fd, "semctl-remove", semctl (sem_id, 0, IPC_RMID));
      ATTEMPT (report_fd, "key-file-write", open_result (open (segment, O_WRONLY | O_NOFOLLOW)));
      ATTEMPT (report_fd, "key-file-unlink", unlink (segment));
      ATTEMPT (report_fd, "lock-key-file-write",
               open_result (open (semaphore, O_WRONLY | O_NOFOLLOW)));
      ATTEMPT (report_fd, "lock-key-file-unlink", unlink (semaphore));
    }
  else if (f->backend == SHMLAB_BACKEND_FILE)
    {
      ATTEMPT (report_fd, "open-read-write", open_result (open (segment, O_RDWR | O_NOFOLLOW)));
      ATTEMPT (report_fd, "open-read-only", open_result (open (segment, O_RDONLY | O_NOFOLLOW)));
      /* Shrinking it would make root's next write die of SIGBUS. */
      ATTEMPT (report_fd, "truncate", truncate (segment, 0));
      /* The temp dir is sticky, as /tmp: only the owner removes a file. */
      ATTEMPT (report_fd, "unlink", unlink (segment));
    }
  else
    {
      g_autofree char *shm_name = shmlab_native_key (f->key, f->backend, SHMLAB_NATIVE_SEGMENT,
                                                     NULL);
      g_autofree char *sem_name = shmlab_native_key (f->key, f->backend, SHMLAB_NATIVE_SEMAPHORE,
                                                     NULL);

      ATTEMPT (report_fd, "shm_open-read-write", open_result (shm_open (shm_name, O_RDWR, 0)));
      ATTEMPT (report_fd, "shm_open-read-only", open_result (shm_open (shm_name, O_RDONLY, 0)));
      /* Shrinking it would make root's next write die of SIGBUS. */
      ATTEMPT (report_fd, "truncate", truncate (segment, 0));
      ATTEMPT (report_fd, "shm_unlink", shm_unlink (shm_name));
      ATTEMPT (report_fd, "sem_open", sem_open_result (sem_name));
      ATTEMPT (report_fd, "sem_unlink", sem_unlink (sem_name));
    }
  return 0;
}

static void
check_direct_attempts (Fixture *f)
{
  static const struct { const char *name; int expected; } sysv[] = {
    { "shmget-read-write", EACCES }, { "shmget-read-only", EACCES },
    { "shmat-read-only", EACCES }, { "shmat-read-write", EACCES },
    { "shmctl-stat", EACCES }, { "shmctl-remove", EPERM },
    { "semop-lock", EACCES }, { "semctl-setval", EACCES }, { "semctl-remove", EPERM },
    { "key-file-write", EACCES }, { "key-file-unlink", EPERM },
    { "lock-key-file-write", EACCES }, { "lock-key-file-unlink", EPERM },
  }, posix[] = {
    { "shm_open-read-write", EACCES }, { "shm_open-read-only", EACCES },
    { "truncate", EACCES }, { "shm_unlink", EACCES },
    { "sem_open", EACCES }, { "sem_unlink", EACCES },
  }, file[] = {
    { "open-read-write", EACCES }, { "open-read-only", EACCES },
    { "truncate", EACCES }, { "unlink", EPERM },
  };
  const struct { const char *name; int expected; } *expected_results =
    f->backend == SHMLAB_BACKEND_SYSV ? (gconstpointer) sysv
    : f->backend == SHMLAB_BACKEND_FILE ? (gconstpointer) file : (gconstpointer) posix;
  const guint n_expected = f->backend == SHMLAB_BACKEND_SYSV ? G_N_ELEMENTS (sysv)
                           : f->backend == SHMLAB_BACKEND_FILE ? G_N_ELEMENTS (file)
                                                               : G_N_ELEMENTS (posix);
  g_autoptr(GString) text = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;
  int fd = fork_other_user (f, direct_attempts_body, FALSE);
  pid_t pid = g_array_index (f->children, pid_t, f->children->len - 1);
  char buffer[1024];
  gssize n;
  int status;

  while ((n = read (fd, buffer, sizeof buffer)) > 0)
    g_string_append_len (text, buffer, n);
  close (fd);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_array_set_size (f->children, f->children->len - 1);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);

  lines = g_strsplit (g_strstrip (text->str), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, n_expected);
  for (guint i = 0; i < n_expected; i++)
    {
      const char *name = expected_results[i].name;
      int expected = expected_results[i].expected;
      g_autofree char *wanted = g_strdup_printf ("%s %d", name, expected);

      attempts++;
      if (g_strcmp0 (lines[i], wanted) == 0)
        refused++;
      else
        fail_test ("uid %d, %s: expected %s (errno %d), got “%s” (0 means it worked)", OTHER_UID,
                   name, g_strerror (expected), expected, lines[i]);
    }
}

/* Root's segment, lock and key files: the other user reads, writes, locks and
 * removes nothing, with shmlab or with system calls, and the text is intact. */
static void
test_other_user_refused (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *native = shmlab_native_key (f->key, f->backend, SHMLAB_NATIVE_SEGMENT, NULL);
  const char *b = backend_name (f);

  if (!other_user_ready ())
    return;

  start_root_writer (f, SECRET);
  assert_still_root_secret (f);

  {
    g_autofree char *out = NULL, *err = NULL;
    int status = run_cli (TRUE, &out, &err, "read", f->key, "--backend", b, "-q", NULL);
    assert_refused (status, &err, "root");
    g_assert_false (contains (out, SECRET));
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_refused (run_cli (TRUE, &out, &err, "write", f->key, "--hold", "0", "--text", "x",
                             "--backend", b, "-q", NULL), &err, "root");
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_refused (run_cli (TRUE, &out, &err, "write", f->key, "--hold", "0", "--attach",
                             "--text", "x", "--backend", b, "-q", NULL), &err, "root");
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_refused (run_cli (TRUE, &out, &err, "lock", f->key, "--hold", "0", "--lock-timeout", "0",
                             "--backend", b, "-q", NULL), &err, "root");
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_refused (run_cli (TRUE, &out, &err, "remove", f->key, "--force", "--backend", b,
                             NULL), &err, "root");
  }
  {
    /* Listing does not show root's segment to the other user (it is not readable by them). */
    g_autofree char *out = NULL, *err = NULL;
    g_autofree char *name = g_path_get_basename (native);
    g_assert_cmpint (run_cli (TRUE, &out, &err, "list", "--backend", b, NULL), ==, 0);
    attempts++;
    g_assert_false (contains (out, name));
    g_assert_false (contains (out, f->key));
    refused++;
  }

  check_direct_attempts (f);
  assert_still_root_secret (f);
  stop_root_writer (f);
}

/* The other user's segment, made and filled by a child running as uid
 * OTHER_UID, held (with its lock when @keep_lock) until teardown. */
static int
other_holder_body (Fixture  *f,
                   int       report_fd,
                   int       hold_fd,
                   gboolean  keep_lock)
{
  g_autoptr(ShmlabSegment) segment = shmlab_segment_new (f->backend);
  g_autoptr(GError) error = NULL;
  const char *reply = "ready\n";

  if (!shmlab_segment_set_key (segment, f->key, &error) ||
      !shmlab_segment_create (segment, 256, SHMLAB_ACCESS_READ_WRITE, NULL, &error) ||
      !shmlab_segment_lock (segment, NULL, &error))
    {
      g_autofree char *line = g_strdup_printf ("error %s\n", error->message);
      if (write (report_fd, line, strlen (line)) < 0)
        return 3;
      return 2;
    }
  memcpy (shmlab_segment_get_data (segment), THEIRS, sizeof THEIRS);
  if (!keep_lock && !shmlab_segment_unlock (segment, &error))
    return 4;
  if (write (report_fd, reply, strlen (reply)) < 0)
    return 5;
  wait_for_release (hold_fd);
  /* Unlocked and detached here: the last detach removes what it made. */
  return 0;
}

static int
other_holder_unlocked (Fixture *f,
                       int      report_fd,
                       int      hold_fd)
{
  return other_holder_body (f, report_fd, hold_fd, FALSE);
}

static int
other_holder_locked (Fixture *f,
                     int      report_fd,
                     int      hold_fd)
{
  return other_holder_body (f, report_fd, hold_fd, TRUE);
}

static void
start_other_holder (Fixture   *f,
                    ChildBody  body)
{
  int fd = fork_other_user (f, body, TRUE);
  char buffer[1024] = { 0 };
  gssize n = read (fd, buffer, sizeof buffer - 1);

  close (fd);
  if (n <= 0 || strcmp (buffer, "ready\n") != 0)
    fail_test ("the other user's child could not make its segment: %s",
               n > 0 ? buffer : "(nothing)");
}

/* What the other user made is all there, theirs and unchanged. */
static void
assert_theirs_intact (Fixture *f)
{
  g_autofree char *segment = native_path (f, SHMLAB_NATIVE_SEGMENT);
  g_autofree char *semaphore = native_path (f, SHMLAB_NATIVE_SEMAPHORE);
  ShmlabSegmentInfo info;
  struct stat st;

  g_assert_true (shmlab_segment_query_key (f->key, f->backend, &info, NULL));
  g_assert_true (info.exists);
  g_assert_cmpuint (info.owner_uid, ==, OTHER_UID);
  g_assert_cmpuint (info.size, ==, 256);
  g_assert_cmpuint (info.mode, ==, 0600);

  /* Root reads the bytes with system calls: ShmLab itself refuses to. */
  if (f->backend == SHMLAB_BACKEND_SYSV)
    {
      int id = shmget (ftok (segment, 'Q'), 0, 0);
      const char *data;
      struct semid_ds sem;
      union { struct semid_ds *buf; } arg = { &sem };

      g_assert_cmpint (id, >=, 0);
      data = shmat (id, NULL, SHM_RDONLY);
      g_assert_true (data != (void *) -1);
      g_assert_cmpstr (data, ==, THEIRS);
      shmdt (data);
      for (guint i = 0; i < 2; i++)
        {
          g_assert_cmpint (lstat (i == 0 ? segment : semaphore, &st), ==, 0);
          g_assert_true (S_ISREG (st.st_mode));
          g_assert_cmpuint (st.st_uid, ==, OTHER_UID);
        }
      g_assert_cmpint (semctl (semget (ftok (semaphore, 'Q'), 1, 0), 0, IPC_STAT, arg), ==, 0);
      g_assert_cmpuint (sem.sem_perm.uid, ==, OTHER_UID);
    }
  else
    {
      char data[sizeof THEIRS] = { 0 };
      int fd = open (segment, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

      g_assert_cmpint (fd, >=, 0);
      g_assert_cmpint (read (fd, data, sizeof data), ==, sizeof data);
      close (fd);
      g_assert_cmpstr (data, ==, THEIRS);
      g_assert_cmpint (lstat (semaphore, &st), ==, 0);
      g_assert_cmpuint (st.st_uid, ==, OTHER_UID);
    }
}

/* The other user holds the key: root's shmlab, not forced, names them, suggests
 * another key, and neither takes over nor removes anything of theirs. */
static void
test_other_user_holds_key (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(ShmlabSegment) mine = NULL;
  g_autoptr(GError) error = NULL;
  const char *b = backend_name (f);
  const char *owner = "uid 54321";

  if (!other_user_ready ())
    return;

  start_other_holder (f, other_holder_unlocked);
  assert_theirs_intact (f);

  {
    g_autofree char *out = NULL, *err = NULL;
    assert_refused (run_cli (FALSE, &out, &err, "write", f->key, "--hold", "0", "--text", "mine",
                             "--backend", b, "-q", NULL), &err, owner);
    /* --attach would be refused just the same: it is no way out here. */
    g_assert_false (contains (err, "--attach"));
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_refused (run_cli (FALSE, &out, &err, "write", f->key, "--hold", "0", "--attach",
                             "--text", "mine", "--backend", b, "-q", NULL), &err, owner);
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_refused (run_cli (FALSE, &out, &err, "read", f->key, "--backend", b, "-q", NULL), &err,
                    owner);
    g_assert_false (contains (out, THEIRS));
  }

  /* The library says the same to a program. */
  mine = shmlab_segment_new (f->backend);
  g_assert_true (shmlab_segment_set_key (mine, f->key, &error));
  attempts++;
  g_assert_false (shmlab_segment_attach (mine, SHMLAB_ACCESS_READ_WRITE, NULL, &error));
  g_assert_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_PERMISSION_DENIED);
  g_assert_true (contains (error->message, owner) && contains (error->message, "another key"));
  refused++;
  g_clear_error (&error);
  attempts++;
  g_assert_false (shmlab_segment_create (mine, 256, SHMLAB_ACCESS_READ_WRITE, NULL, &error));
  g_assert_true (contains (error->message, owner) && contains (error->message, "another key"));
  refused++;
  g_clear_error (&error);
  g_assert_false (shmlab_segment_is_attached (mine));
  g_clear_object (&mine);

  assert_theirs_intact (f);
}

/* The other user holds the key and its lock: root is told whose key it is at
 * once, instead of waiting on (or taking) another user's lock. */
static void
test_other_user_holds_lock (Fixture       *f,
                            gconstpointer  data)
{
  const char *b = backend_name (f);
  const char *owner = "uid 54321";

  if (!other_user_ready ())
    return;

  start_other_holder (f, other_holder_locked);

  /* The timeout only bounds a failure: a right answer does not wait at all. */
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_refused (run_cli (FALSE, &out, &err, "read", f->key, "--backend", b, "--lock-timeout",
                             "3000", "-q", NULL), &err, owner);
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    assert_refused (run_cli (FALSE, &out, &err, "write", f->key, "--hold", "0", "--text", "mine",
                             "--backend", b, "--lock-timeout", "3000", "-q", NULL), &err, owner);
  }
  assert_theirs_intact (f);
}

typedef struct
{
  struct stat st;
  char *contents;
} Snapshot;

static void
snapshot_take (Snapshot   *s,
               const char *path)
{
  g_assert_cmpint (stat (path, &s->st), ==, 0);
  g_assert_true (g_file_get_contents (path, &s->contents, NULL, NULL));
}

static void
snapshot_assert_same (Snapshot   *s,
                      const char *path)
{
  struct stat now;
  g_autofree char *contents = NULL;

  g_assert_cmpint (stat (path, &now), ==, 0);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, s->contents);
  g_assert_cmpuint (now.st_uid, ==, s->st.st_uid);
  g_assert_cmpuint (now.st_mode, ==, s->st.st_mode);
  g_assert_cmpint (now.st_size, ==, s->st.st_size);
  g_assert_cmpint (now.st_mtim.tv_sec, ==, s->st.st_mtim.tv_sec);
  g_assert_cmpint (now.st_mtim.tv_nsec, ==, s->st.st_mtim.tv_nsec);
  g_clear_pointer (&s->contents, g_free);
}

/* Plants a symbolic link at @link, made by the other user when @as_other. */
static void
plant_symlink (Fixture    *f,
               const char *target,
               const char *link,
               gboolean    as_other)
{
  g_ptr_array_add (planted, g_strdup (link));
  if (as_other)
    {
      pid_t pid = fork ();
      int status;

      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        _exit (become_other_user () == 0 && symlink (target, link) == 0 ? 0 : 1);
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 0);
    }
  else
    g_assert_cmpint (symlink (target, link), ==, 0);
}

/* A file of the other user's, in the temp dir. */
static char *
make_their_file (Fixture *f)
{
  char *path = g_build_filename (shmlab_test_get_temp_dir (), "their-notes.txt", NULL);

  g_assert_true (g_file_set_contents (path, "notes of uid 54321\n", -1, NULL));
  g_assert_cmpint (chown (path, OTHER_UID, OTHER_GID), ==, 0);
  g_assert_cmpint (chmod (path, 0644), ==, 0);
  g_ptr_array_add (planted, g_strdup (path));
  return path;
}

/* Root's shmlab and library refuse what was planted at @path (a @what),
 * name it, leave @target (if any) as it was, and leave nothing of their own. */
static void
assert_planted_refused (Fixture    *f,
                        const char *path,
                        const char *what,
                        const char *target)
{
  g_autoptr(ShmlabSegment) segment = shmlab_segment_new (f->backend);
  g_autoptr(GError) error = NULL;
  g_autofree char *segment_path = native_path (f, SHMLAB_NATIVE_SEGMENT);
  g_autofree char *semaphore_path = native_path (f, SHMLAB_NATIVE_SEMAPHORE);
  const char *b = backend_name (f);
  Snapshot before = { 0 };
  ShmlabSegmentInfo info;
  struct stat st;

  if (target != NULL)
    snapshot_take (&before, target);
  {
    g_autofree char *out = NULL, *err = NULL;
    attempts++;
    g_assert_cmpint (run_cli (FALSE, &out, &err, "write", f->key, "--hold", "0", "--text", "x",
                              "--backend", b, "-q", NULL), ==, 1);
    if (!contains (err, path) || !contains (err, what) || !contains (err, "another key"))
      fail_test ("the message does not name %s, a %s, and suggest another key: %s", path, what,
                 err);
    refused++;
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    attempts++;
    g_assert_cmpint (run_cli (FALSE, &out, &err, "read", f->key, "--backend", b, "-q", NULL), ==,
                     1);
    g_assert_true (contains (err, path));
    refused++;
  }
  g_assert_true (shmlab_segment_set_key (segment, f->key, &error));
  attempts++;
  g_assert_false (shmlab_segment_create (segment, 64, SHMLAB_ACCESS_READ_WRITE, NULL, &error));
  g_assert_true (contains (error->message, path));
  refused++;
  g_clear_error (&error);
  attempts++;
  g_assert_false (shmlab_segment_attach (segment, SHMLAB_ACCESS_READ_ONLY, NULL, &error));
  g_assert_true (contains (error->message, path));
  refused++;
  g_clear_object (&segment);

  if (target != NULL)
    snapshot_assert_same (&before, target);
  g_assert_cmpint (lstat (path, &st), ==, 0);
  g_assert_true (g_str_equal (what, "symbolic link") ? S_ISLNK (st.st_mode)
                                                     : S_ISFIFO (st.st_mode));
  /* Nothing of root's was made beside it, or it was taken away again. */
  g_assert_true (g_str_equal (path, segment_path) ||
                 !g_file_test (segment_path, G_FILE_TEST_EXISTS));
  g_assert_true (g_str_equal (path, semaphore_path) ||
                 !g_file_test (semaphore_path, G_FILE_TEST_EXISTS));
  g_assert_false (shmlab_segment_query_key (f->key, f->backend, &info, NULL) && info.exists);
}

/* System V: a key file that is a symbolic link, planted by the other user at
 * /etc/passwd or by anyone at a file of the other user's, is never followed. */
static void
test_symlink_key_file (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *segment = native_path (f, SHMLAB_NATIVE_SEGMENT);
  g_autofree char *semaphore = native_path (f, SHMLAB_NATIVE_SEMAPHORE);
  g_autofree char *theirs = NULL;

  if (!other_user_ready ())
    return;

  plant_symlink (f, "/etc/passwd", segment, TRUE);
  assert_planted_refused (f, segment, "symbolic link", "/etc/passwd");
  g_assert_cmpint (unlink (segment), ==, 0);

  /* The lock's key file too: it is used first. */
  theirs = make_their_file (f);
  plant_symlink (f, theirs, semaphore, FALSE);
  assert_planted_refused (f, semaphore, "symbolic link", theirs);
  g_assert_cmpint (unlink (semaphore), ==, 0);

  plant_symlink (f, theirs, segment, FALSE);
  assert_planted_refused (f, segment, "symbolic link", theirs);
  g_assert_cmpint (unlink (segment), ==, 0);
}

static void
plant_fifo (Fixture    *f,
            const char *path)
{
  pid_t pid = fork ();
  int status;

  g_ptr_array_add (planted, g_strdup (path));
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    _exit (become_other_user () == 0 && mkfifo (path, 0666) == 0 && chmod (path, 0666) == 0 ? 0
                                                                                            : 1);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
}

/* POSIX: /dev/shm is open to all; a symbolic link planted under a segment's
 * name is refused the same way, and a FIFO neither blocks a reader nor is used. */
static void
test_planted_dev_shm (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *segment = native_path (f, SHMLAB_NATIVE_SEGMENT);
  g_autofree char *theirs = NULL;

  if (!other_user_ready ())
    return;

  plant_symlink (f, "/etc/passwd", segment, TRUE);
  assert_planted_refused (f, segment, "symbolic link", "/etc/passwd");
  g_assert_cmpint (unlink (segment), ==, 0);

  theirs = make_their_file (f);
  plant_symlink (f, theirs, segment, TRUE);
  assert_planted_refused (f, segment, "symbolic link", theirs);
  g_assert_cmpint (unlink (segment), ==, 0);

  plant_fifo (f, segment);
  assert_planted_refused (f, segment, "special file", NULL);
  g_assert_cmpint (unlink (segment), ==, 0);
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
      g_autofree char *path = g_strdup_printf ("/security/%s/%s", shmlab_backend_to_string (backends[b]),
                                               name);

      g_test_add (path, Fixture, GINT_TO_POINTER (backends[b]), fixture_setup, func,
                  fixture_teardown);
    }
}

int
main (int argc, char **argv)
{
  int status;

  shmlab_test_init (&argc, &argv);
  /* The modes a user gets with the usual umask: Qt's key files are 0640 less the umask. */
  umask (022);
  planted = g_ptr_array_new_with_free_func (g_free);
  signal (SIGABRT, cleanup_on_signal);
  signal (SIGSEGV, cleanup_on_signal);
  signal (SIGTERM, cleanup_on_signal);
  signal (SIGINT, cleanup_on_signal);

  add_each ("modes", test_modes);
  add_each ("other-user-refused", test_other_user_refused);
  add_each ("other-user-holds-key", test_other_user_holds_key);
  add_each ("other-user-holds-lock", test_other_user_holds_lock);
  g_test_add ("/security/sysv/symlink-key-file", Fixture, GINT_TO_POINTER (SHMLAB_BACKEND_SYSV),
              fixture_setup, test_symlink_key_file, fixture_teardown);
  g_test_add ("/security/posix/planted-dev-shm", Fixture, GINT_TO_POINTER (SHMLAB_BACKEND_POSIX),
              fixture_setup, test_planted_dev_shm, fixture_teardown);

  status = g_test_run ();
  g_test_message ("figure: other-user-attempts=%u refused=%u", attempts, refused);
  g_clear_pointer (&planted, g_ptr_array_unref);
  return status;
}
