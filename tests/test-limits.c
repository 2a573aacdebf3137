/* test-limits.c — the system's limits on shared memory: a segment at SHMMAX
 * and one byte past it, past what SHMALL leaves, one more than SHMMNI
 * segments, larger than /dev/shm's free space, and a system with no System V
 * IPC: each fails at create with its explanation and the way out, and what
 * fits works, through the library and through `shmlab write`
 *
 * The limits are set in a private IPC namespace (kernel.shm*) and on a small
 * tmpfs mounted on /dev/shm in a private mount namespace, in a forked child:
 * the machine's own limits and /dev/shm are never touched. That needs root
 * (CI runs as root); each test says why when it cannot run.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-test-util.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "shmlab-limits.h"
#include "shmlab-segment.h"

/* Fails the test with a message, through abort() so the test's cleanup runs. */
#define fail_test(...) \
  G_STMT_START { g_test_message (__VA_ARGS__); g_assert_not_reached (); } G_STMT_END

/* The size of the tmpfs mounted on /dev/shm for the POSIX cases. */
#define DEV_SHM_SIZE (G_GUINT64_CONSTANT (1) << 20)

/* The figure: limit cases checked, in all tests. */
static guint limit_cases;

/* A child in its own namespaces reports one line per case on this pipe:
 * "ok NAME" or "fail NAME: WHY". */
typedef struct
{
  int fd;
} Report;

static void
report_line (Report     *r,
             gboolean    ok,
             const char *name,
             const char *why)
{
  g_autofree char *line = g_strdup_printf ("%s %s%s%s", ok ? "ok" : "fail", name, why ? ": " : "",
                                           why ? why : "");
  g_autofree char *flat = g_strdelimit (g_strdup (line), "\n", ' ');
  g_autofree char *with_end = g_strconcat (flat, "\n", NULL);

  if (write (r->fd, with_end, strlen (with_end)) < 0)
    _exit (3);
}

/* The first of the NULL-terminated @parts missing from @message, or NULL. */
static const char *
missing_part (const char *message,
              va_list     parts)
{
  for (const char *part = va_arg (parts, const char *); part != NULL;
       part = va_arg (parts, const char *))
    if (message == NULL || strstr (message, part) == NULL)
      return part;
  return NULL;
}

/* A case that must work: @ok, or @why it did not. */
static void
expect_success (Report     *r,
                const char *name,
                gboolean    ok,
                const char *why)
{
  report_line (r, ok, name, ok ? NULL : (why ? why : "failed"));
}

/* A check around the cases (nothing left, the setting up): reported only when it fails. */
static void
expect_clean (Report     *r,
              const char *name,
              gboolean    ok)
{
  if (!ok)
    report_line (r, FALSE, name, "not so");
}

/* A library call that must fail with @code and a message holding every part. */
static void expect_refusal (Report *r, const char *name, gboolean ok, const GError *error,
                            ShmlabSegmentError code, ...) G_GNUC_NULL_TERMINATED;

static void
expect_refusal (Report             *r,
                const char         *name,
                gboolean            ok,
                const GError       *error,
                ShmlabSegmentError  code,
                ...)
{
  g_autofree char *why = NULL;
  const char *missing;
  va_list parts;

  va_start (parts, code);
  missing = error ? missing_part (error->message, parts) : NULL;
  va_end (parts);

  if (ok || error == NULL)
    why = g_strdup ("it worked, but must not");
  else if (!g_error_matches (error, SHMLAB_SEGMENT_ERROR, code))
    why = g_strdup_printf ("error code %d, not %d: %s", error->code, code, error->message);
  else if (missing != NULL)
    why = g_strdup_printf ("the message does not say “%s”: %s", missing, error->message);
  report_line (r, why == NULL, name, why);
}

/* A `shmlab` run that must exit with status 1 and say every part on stderr. */
static void expect_cli_refusal (Report *r, const char *name, int status, const char *err, ...)
  G_GNUC_NULL_TERMINATED;

static void
expect_cli_refusal (Report     *r,
                    const char *name,
                    int         status,
                    const char *err,
                    ...)
{
  g_autofree char *why = NULL;
  const char *missing;
  va_list parts;

  va_start (parts, err);
  missing = missing_part (err, parts);
  va_end (parts);

  if (status != 1)
    why = g_strdup_printf ("exit status %d, not 1: %s", status, err);
  else if (missing != NULL)
    why = g_strdup_printf ("the message does not say “%s”: %s", missing, err);
  report_line (r, why == NULL, name, why);
}

/* `shmlab ARGS…`: its exit status (128 + N for a signal), stderr in @err. */
static int run_cli (char **err, const char *first_arg, ...) G_GNUC_NULL_TERMINATED;

static int
run_cli (char       **err,
         const char  *first_arg,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  va_list ap;
  int wait_status = 0;

  g_ptr_array_add (argv, (gpointer) shmlab_test_cli_path ());
  va_start (ap, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, err,
                     &wait_status, &error))
    {
      *err = g_strdup (error->message);
      return -1;
    }
  return WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : 128 + WTERMSIG (wait_status);
}

static char *
size_arg (guint64 size)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT, size);
}

static char *
bytes_text (guint64 size)
{
  return g_strdup_printf ("%" G_GUINT64_FORMAT " bytes", size);
}

static gboolean
write_sysctl (const char *name,
              guint64     value)
{
  g_autofree char *path = g_strconcat ("/proc/sys/kernel/", name, NULL);
  g_autofree char *text = g_strdup_printf ("%" G_GUINT64_FORMAT "\n", value);
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  gboolean ok;
  int saved_errno;

  if (fd < 0)
    return FALSE;
  ok = write (fd, text, strlen (text)) == (gssize) strlen (text);
  saved_errno = errno;
  close (fd);
  errno = saved_errno;
  return ok;
}

/* Private IPC and, with CLONE_NEWNS, a private /dev/shm of DEV_SHM_SIZE. NULL or why not. */
static char *
enter_namespaces (int flags)
{
  g_autofree char *options = g_strdup_printf ("size=%" G_GUINT64_FORMAT ",mode=1777", DEV_SHM_SIZE);

  if (unshare (flags) != 0)
    return g_strdup_printf ("unshare (%s) failed: %s",
                            flags & CLONE_NEWNS ? "CLONE_NEWNS" : "CLONE_NEWIPC",
                            g_strerror (errno));
  if ((flags & CLONE_NEWNS) == 0)
    return NULL;
  /* The type is ignored here, but memory checkers read it: give one. */
  if (mount ("none", "/", "none", MS_REC | MS_PRIVATE, NULL) != 0)
    return g_strdup_printf ("making / private failed: %s", g_strerror (errno));
  if (mount ("shmlabtest", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, options) != 0)
    return g_strdup_printf ("mounting a tmpfs on /dev/shm failed: %s", g_strerror (errno));
  return NULL;
}

/* Whether a child may have @flags' namespaces; NULL, or why not. */
static char *
namespaces_refused (int flags)
{
  int fds[2];
  char why[512] = { 0 };
  gssize n;
  pid_t pid;
  int status;

  if (geteuid () != 0)
    return g_strdup ("private IPC and mount namespaces need root (CI runs as root): run the tests "
                     "as root to check the limits");

  g_assert_cmpint (pipe (fds), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      char *reason = enter_namespaces (flags);

      /* The namespace's own limits must be writable too (/proc/sys may be read-only). */
      if (reason == NULL && (flags & CLONE_NEWIPC) && !write_sysctl ("shmmni", 4096))
        reason = g_strdup_printf ("cannot write /proc/sys/kernel/shmmni in a private IPC "
                                  "namespace: %s", g_strerror (errno));
      close (fds[0]);
      if (reason != NULL && write (fds[1], reason, strlen (reason)) < 0)
        _exit (2);
      _exit (reason != NULL);
    }
  close (fds[1]);
  n = read (fds[0], why, sizeof why - 1);
  close (fds[0]);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  if (n > 0)
    return g_strdup (why);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return g_strdup ("the namespace probe failed");
  return NULL;
}

/* Runs @body in a forked child with its own namespaces, and asserts every
 * case it reports. The child never returns into the test program. */
static void
run_in_namespaces (int    flags,
                   void (*body) (Report *r))
{
  g_autofree char *refused = namespaces_refused (flags);
  g_autoptr(GString) text = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;
  guint ok = 0, failed = 0;
  char buffer[4096];
  int fds[2];
  gssize n;
  pid_t pid;
  int status;

  if (refused != NULL)
    {
      g_test_skip (refused);
      return;
    }

  g_assert_cmpint (pipe (fds), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      Report r = { fds[1] };
      g_autofree char *why = NULL;

      /* The parent's handlers would remove its temp dir: a child dies plainly. */
      signal (SIGABRT, SIG_DFL);
      signal (SIGSEGV, SIG_DFL);
      signal (SIGTERM, SIG_DFL);
      signal (SIGINT, SIG_DFL);
      g_autofree char *own_temp_dir = NULL;

      close (fds[0]);
      why = enter_namespaces (flags);
      /* A tmpfs mounted on /dev/shm hides this program's temp dir (which
       * the tests keep there): the programs the child runs, and a memory
       * checker around them, get one in /tmp, gone with the child. */
      if (why == NULL && !g_file_test (shmlab_test_get_temp_dir (), G_FILE_TEST_IS_DIR))
        {
          own_temp_dir = g_mkdtemp (g_strdup ("/tmp/shmlab-test-ns-XXXXXX"));
          if (own_temp_dir == NULL)
            why = g_strdup_printf ("cannot make a temp dir in /tmp: %s", g_strerror (errno));
          else
            g_setenv ("TMPDIR", own_temp_dir, TRUE);
        }
      if (why != NULL)
        report_line (&r, FALSE, "namespaces", why);
      else
        body (&r);
      if (own_temp_dir != NULL)
        shmlab_test_remove_tree (own_temp_dir);
      _exit (0);
    }
  close (fds[1]);
  while ((n = read (fds[0], buffer, sizeof buffer)) > 0)
    g_string_append_len (text, buffer, n);
  close (fds[0]);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);

  lines = g_strsplit (text->str, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "ok "))
        ok++;
      else if (*lines[i] != '\0')
        {
          failed++;
          g_test_message ("%s", lines[i]);
        }
    }
  limit_cases += ok;

  /* A SIGBUS here is what reserving /dev/shm's pages at create prevents. */
  if (WIFSIGNALED (status))
    fail_test ("the child died of signal %d (%s) after %u cases", WTERMSIG (status),
               g_strsignal (WTERMSIG (status)), ok);
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  if (failed > 0)
    fail_test ("%u of %u limit cases failed (see above)", failed, failed + ok);
  g_assert_cmpuint (ok, >, 0);
}

static ShmlabSegment *
segment_for (ShmlabBackend  backend,
             const char    *key)
{
  ShmlabSegment *segment = shmlab_segment_new (backend);
  g_assert_true (shmlab_segment_set_key (segment, key, NULL));
  return segment;
}

/* Touches every page, as a writer filling the segment would. */
static gboolean
write_every_page (ShmlabSegment *segment)
{
  volatile guint8 *data = shmlab_segment_get_data (segment);
  gsize size = shmlab_segment_get_size (segment);
  long page = sysconf (_SC_PAGESIZE);

  if (data == NULL || size == 0)
    return FALSE;
  for (gsize offset = 0; offset < size; offset += (gsize) page)
    data[offset] = (guint8) (offset / (gsize) page + 1);
  data[size - 1] = 0xA5;
  for (gsize offset = 0; offset < size; offset += (gsize) page)
    if (data[offset] != (guint8) (offset / (gsize) page + 1))
      return FALSE;
  return data[size - 1] == 0xA5;
}

/* Nothing of @key is left: no segment, and (System V) no key file. */
static gboolean
nothing_left (ShmlabBackend  backend,
              const char    *key)
{
  g_autofree char *native = shmlab_native_key (key, backend, SHMLAB_NATIVE_SEGMENT, NULL);
  ShmlabSegmentInfo info;

  if (!shmlab_segment_query_key (key, backend, &info, NULL) || info.exists)
    return FALSE;
  return backend != SHMLAB_BACKEND_SYSV || !g_file_test (native, G_FILE_TEST_EXISTS);
}

#define SHMMAX_TEST 40000

static void
shmmax_body (Report *r)
{
  g_autofree char *key = shmlab_test_unique_key ("shmmax");
  g_autofree char *at = size_arg (SHMMAX_TEST);
  g_autofree char *past = size_arg (SHMMAX_TEST + 1);
  g_autofree char *value = bytes_text (SHMMAX_TEST);

  if (!write_sysctl ("shmmax", SHMMAX_TEST))
    {
      report_line (r, FALSE, "shmmax", "cannot set kernel.shmmax in the namespace");
      return;
    }

  {
    g_autoptr(ShmlabSegment) segment = segment_for (SHMLAB_BACKEND_SYSV, key);
    g_autoptr(GError) error = NULL;
    gboolean ok = shmlab_segment_create (segment, SHMMAX_TEST, SHMLAB_ACCESS_READ_WRITE, NULL,
                                         &error);

    expect_success (r, "library: a segment of exactly SHMMAX is created and written",
                    ok && shmlab_segment_get_size (segment) == SHMMAX_TEST &&
                      write_every_page (segment),
                    error ? error->message : NULL);
    if (ok)
      shmlab_segment_detach (segment, NULL);
  }
  {
    g_autoptr(ShmlabSegment) segment = segment_for (SHMLAB_BACKEND_SYSV, key);
    g_autoptr(GError) error = NULL;
    gboolean ok = shmlab_segment_create (segment, SHMMAX_TEST + 1, SHMLAB_ACCESS_READ_WRITE, NULL,
                                         &error);

    expect_refusal (r, "library: SHMMAX + 1 byte is refused, naming SHMMAX, its value, the way out",
                    ok, error, SHMLAB_SEGMENT_ERROR_INVALID_SIZE, "SHMMAX", value, "smaller size",
                    "POSIX", "sysctl", NULL);
    expect_clean (r, "library: nothing is left of the refused segment",
                  nothing_left (SHMLAB_BACKEND_SYSV, key));
  }
  {
    g_autofree char *err = NULL;
    int status = run_cli (&err, "write", key, "--text", "at SHMMAX", "--size", at, "--hold", "0",
                          "-q", NULL);
    expect_success (r, "shmlab write: --size SHMMAX works", status == 0, err);
  }
  {
    g_autofree char *err = NULL;
    int status = run_cli (&err, "write", key, "--text", "past SHMMAX", "--size", past, "--hold",
                          "0", "-q", NULL);
    expect_cli_refusal (r, "shmlab write: --size SHMMAX + 1 is refused, naming SHMMAX, the way out",
                        status, err, "SHMMAX", value, "smaller size", "POSIX", "sysctl", NULL);
    expect_clean (r, "shmlab write: nothing is left of the refused segment",
                  nothing_left (SHMLAB_BACKEND_SYSV, key));
  }
}

/* kernel.shmmax: exactly SHMMAX works, one byte more is explained. */
static void
test_shmmax (void)
{
  run_in_namespaces (CLONE_NEWIPC, shmmax_body);
}

#define SHMALL_PAGES 16

static void
shmall_body (Report *r)
{
  const guint64 page = (guint64) sysconf (_SC_PAGESIZE);
  g_autofree char *first_key = shmlab_test_unique_key ("shmall-first");
  g_autofree char *key = shmlab_test_unique_key ("shmall");
  g_autoptr(ShmlabSegment) first = segment_for (SHMLAB_BACKEND_SYSV, first_key);
  g_autoptr(GError) error = NULL;
  g_autofree char *over_left = size_arg (8 * page);
  g_autofree char *over_all = size_arg ((SHMALL_PAGES + 4) * page);
  g_autofree char *all_bytes = bytes_text (SHMALL_PAGES * page);

  if (!write_sysctl ("shmall", SHMALL_PAGES))
    {
      report_line (r, FALSE, "shmall", "cannot set kernel.shmall in the namespace");
      return;
    }

  /* 12 of the 16 pages in use leave 4. */
  if (!shmlab_segment_create (first, 12 * page, SHMLAB_ACCESS_READ_WRITE, NULL, &error))
    {
      report_line (r, FALSE, "shmall: the first segment", error->message);
      return;
    }

  {
    g_autoptr(ShmlabSegment) segment = segment_for (SHMLAB_BACKEND_SYSV, key);
    g_autoptr(GError) local_error = NULL;
    gboolean ok = shmlab_segment_create (segment, 8 * page, SHMLAB_ACCESS_READ_WRITE, NULL,
                                         &local_error);

    expect_refusal (r, "library: 8 pages when SHMALL leaves 4 is refused, naming what is left",
                    ok, local_error, SHMLAB_SEGMENT_ERROR_OUT_OF_RESOURCES, "SHMALL", "16 pages",
                    "4 pages", "needs 8", ": shmlab list;", "ipcs -m", "smaller size", "POSIX",
                    "kernel.shmall=20", NULL);
    expect_clean (r, "library: nothing is left of it", nothing_left (SHMLAB_BACKEND_SYSV, key));
  }
  {
    g_autofree char *err = NULL;
    int status = run_cli (&err, "write", key, "--text", "over SHMALL", "--size", over_left,
                          "--hold", "0", "-q", NULL);
    expect_cli_refusal (r, "shmlab write: 8 pages when SHMALL leaves 4 is refused, naming SHMALL",
                        status, err, "SHMALL", "4 pages", ": shmlab list;", "kernel.shmall", NULL);
  }
  {
    g_autoptr(ShmlabSegment) segment = segment_for (SHMLAB_BACKEND_SYSV, key);
    g_autoptr(GError) local_error = NULL;
    gboolean ok = shmlab_segment_create (segment, 4 * page, SHMLAB_ACCESS_READ_WRITE, NULL,
                                         &local_error);

    expect_success (r, "library: exactly what SHMALL leaves works",
                    ok && write_every_page (segment), local_error ? local_error->message : NULL);
    if (ok)
      shmlab_segment_detach (segment, NULL);
  }
  {
    g_autoptr(ShmlabSegment) segment = segment_for (SHMLAB_BACKEND_SYSV, key);
    g_autoptr(GError) local_error = NULL;
    gboolean ok = shmlab_segment_create (segment, (SHMALL_PAGES + 4) * page,
                                         SHMLAB_ACCESS_READ_WRITE, NULL, &local_error);

    expect_refusal (r, "library: more than SHMALL in all is refused, naming SHMALL, its value",
                    ok, local_error, SHMLAB_SEGMENT_ERROR_INVALID_SIZE, "SHMALL", all_bytes,
                    "sysctl", NULL);
  }
  {
    g_autofree char *err = NULL;
    int status = run_cli (&err, "write", key, "--text", "over SHMALL", "--size", over_all,
                          "--hold", "0", "-q", NULL);
    expect_cli_refusal (r, "shmlab write: more than SHMALL in all is refused, naming SHMALL",
                        status, err, "SHMALL", all_bytes, NULL);
  }

  shmlab_segment_detach (first, NULL);
  expect_clean (r, "everything is removed",
                nothing_left (SHMLAB_BACKEND_SYSV, first_key) &&
                  nothing_left (SHMLAB_BACKEND_SYSV, key));
}

/* kernel.shmall: a segment within SHMMAX but over what SHMALL leaves. */
static void
test_shmall (void)
{
  run_in_namespaces (CLONE_NEWIPC, shmall_body);
}

#define SHMMNI_TEST 3

static void
shmmni_body (Report *r)
{
  ShmlabSegment *segments[SHMMNI_TEST] = { NULL };
  char *keys[SHMMNI_TEST] = { NULL };
  g_autofree char *key = shmlab_test_unique_key ("shmmni");
  g_autofree char *limit = g_strdup_printf ("SHMMNI = %d", SHMMNI_TEST);
  g_autofree char *count = g_strdup_printf ("%d exist", SHMMNI_TEST);
  gboolean made = TRUE;

  if (!write_sysctl ("shmmni", SHMMNI_TEST))
    {
      report_line (r, FALSE, "shmmni", "cannot set kernel.shmmni in the namespace");
      return;
    }

  for (guint i = 0; i < SHMMNI_TEST; i++)
    {
      g_autoptr(GError) error = NULL;

      keys[i] = shmlab_test_unique_key ("shmmni-full");
      segments[i] = segment_for (SHMLAB_BACKEND_SYSV, keys[i]);
      if (!shmlab_segment_create (segments[i], 64, SHMLAB_ACCESS_READ_WRITE, NULL, &error))
        {
          report_line (r, FALSE, "shmmni: the segments up to the limit", error->message);
          made = FALSE;
          break;
        }
    }
  expect_clean (r, "library: SHMMNI segments are created", made);

  if (made)
    {
      {
        g_autoptr(ShmlabSegment) segment = segment_for (SHMLAB_BACKEND_SYSV, key);
        g_autoptr(GError) error = NULL;
        gboolean ok = shmlab_segment_create (segment, 64, SHMLAB_ACCESS_READ_WRITE, NULL, &error);

        expect_refusal (r, "library: one segment more than SHMMNI is explained", ok, error,
                        SHMLAB_SEGMENT_ERROR_OUT_OF_RESOURCES, limit, count, ": shmlab list;",
                        "ipcs", "kernel.shmmni", NULL);
        expect_clean (r, "library: nothing is left of it",
                      nothing_left (SHMLAB_BACKEND_SYSV, key));
      }
      {
        g_autofree char *err = NULL;
        int status = run_cli (&err, "write", key, "--text", "one too many", "--hold", "0", "-q",
                              NULL);
        expect_cli_refusal (r, "shmlab write: one segment more than SHMMNI is explained", status,
                            err, limit, count, ": shmlab list;", "ipcs -m", "kernel.shmmni",
                            NULL);
      }
      {
        /* What the message points at: `shmlab list` shows the segments that exist. */
        g_autofree char *out = NULL, *err = NULL;
        const char *argv[] = { shmlab_test_cli_path (), "list", "--backend", "sysv", NULL };
        int wait_status = 0;
        gboolean listed = g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                        &out, &err, &wait_status, NULL) &&
                          g_spawn_check_wait_status (wait_status, NULL);

        for (guint i = 0; i < SHMMNI_TEST && listed; i++)
          listed = strstr (out, keys[i]) != NULL;
        expect_success (r, "shmlab list shows the segments that count against SHMMNI", listed, out);
      }
      {
        /* The way out: remove one, and the next create works. */
        g_autofree char *err = NULL;
        int status;

        shmlab_segment_detach (segments[0], NULL);
        status = run_cli (&err, "write", key, "--text", "room again", "--hold", "0", "-q", NULL);
        expect_success (r, "shmlab write: with one segment removed, it works", status == 0, err);
      }
    }

  for (guint i = 0; i < SHMMNI_TEST; i++)
    {
      if (segments[i] != NULL && shmlab_segment_is_attached (segments[i]))
        shmlab_segment_detach (segments[i], NULL);
      g_clear_object (&segments[i]);
      g_free (keys[i]);
    }
}

/* kernel.shmmni: the per-system count of segments, and how to free some. */
static void
test_shmmni (void)
{
  run_in_namespaces (CLONE_NEWIPC, shmmni_body);
}

static guint64
dev_shm_free (void)
{
  struct statvfs vfs;

  if (statvfs ("/dev/shm", &vfs) != 0)
    return 0;
  return (guint64) vfs.f_bavail * vfs.f_frsize;
}

static gboolean
dev_shm_empty (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/dev/shm", 0, NULL);
  return dir != NULL && g_dir_read_name (dir) == NULL;
}

static void
dev_shm_body (Report *r)
{
  g_autofree char *key = shmlab_test_unique_key ("devshm");
  guint64 empty = dev_shm_free ();
  guint64 lock_cost, room;

  expect_clean (r, "/dev/shm is the small private tmpfs",
                empty > 0 && empty <= DEV_SHM_SIZE && dev_shm_empty ());

  {
    /* Holding the lock first: its semaphore (in /dev/shm too) is already made. */
    g_autoptr(ShmlabSegment) segment = segment_for (SHMLAB_BACKEND_POSIX, key);
    g_autoptr(GError) error = NULL;
    g_autofree char *free_text = NULL;
    gboolean ok;

    if (!shmlab_segment_lock (segment, NULL, &error))
      {
        report_line (r, FALSE, "dev-shm: lock", error->message);
        return;
      }
    room = dev_shm_free ();
    lock_cost = empty - room;
    free_text = bytes_text (room);

    ok = shmlab_segment_create (segment, room + 1, SHMLAB_ACCESS_READ_WRITE, NULL, &error);
    expect_refusal (r, "library: one byte more than /dev/shm has free is refused, naming it",
                    ok, error, SHMLAB_SEGMENT_ERROR_OUT_OF_RESOURCES, "/dev/shm", free_text,
                    "smaller size", NULL);
    g_clear_error (&error);
    if (ok)
      shmlab_segment_detach (segment, NULL);

    ok = shmlab_segment_create (segment, room, SHMLAB_ACCESS_READ_WRITE, NULL, &error);
    expect_success (r, "library: exactly /dev/shm's free space is created, reserved, and "
                    "every page written without SIGBUS",
                    ok && dev_shm_free () == 0 && write_every_page (segment),
                    error ? error->message : NULL);
    shmlab_segment_unlock (segment, NULL);
    if (ok)
      shmlab_segment_detach (segment, NULL);
  }
  expect_clean (r, "library: detaching gives /dev/shm's space back",
                dev_shm_free () == empty && dev_shm_empty ());

  {
    /* The free space seen before the lock is made: only reserving the pages
     * at create can tell it no longer fits, instead of a SIGBUS later. */
    g_autoptr(ShmlabSegment) segment = segment_for (SHMLAB_BACKEND_POSIX, key);
    g_autoptr(GError) error = NULL;
    g_autofree char *free_text = bytes_text (empty - lock_cost);
    gboolean ok = shmlab_segment_create (segment, empty, SHMLAB_ACCESS_READ_WRITE, NULL, &error);

    expect_refusal (r, "library: a segment the lock's page leaves no room for fails at "
                    "create, naming /dev/shm's free space",
                    ok, error, SHMLAB_SEGMENT_ERROR_OUT_OF_RESOURCES, "/dev/shm", free_text,
                    "smaller size", NULL);
    if (ok)
      shmlab_segment_detach (segment, NULL);
    expect_clean (r, "library: nothing is left in /dev/shm", dev_shm_empty ());
  }

  {
    g_autofree char *fits = size_arg (empty - lock_cost);
    g_autofree char *err = NULL;
    int status = run_cli (&err, "write", key, "--backend", "posix", "--text", "fits", "--size",
                          fits, "--hold", "0", "-q", NULL);
    expect_success (r, "shmlab write: the largest segment that fits beside its lock works",
                    status == 0, err);
  }
  {
    g_autofree char *over = size_arg (empty - lock_cost + 1);
    g_autofree char *free_text = bytes_text (empty - lock_cost);
    g_autofree char *err = NULL;
    int status = run_cli (&err, "write", key, "--backend", "posix", "--text", "over", "--size",
                          over, "--hold", "0", "-q", NULL);
    expect_cli_refusal (r, "shmlab write: one byte more fails at create, naming the free space",
                        status, err, "/dev/shm", free_text, "smaller size", NULL);
  }
  {
    g_autofree char *over = size_arg (empty + 1);
    g_autofree char *err = NULL;
    int status = run_cli (&err, "write", key, "--backend", "posix", "--text", "over", "--size",
                          over, "--hold", "0", "-q", NULL);
    expect_cli_refusal (r, "shmlab write: more than /dev/shm holds is refused, naming /dev/shm",
                        status, err, "/dev/shm", "free", NULL);
  }
  expect_clean (r, "nothing is left in /dev/shm", dev_shm_empty () && dev_shm_free () == empty);
}

/* POSIX: /dev/shm's free space, reserved at create so that no write meets SIGBUS. */
static void
test_dev_shm (void)
{
  run_in_namespaces (CLONE_NEWNS, dev_shm_body);
}

/* `shmlab` with the given environment; stderr in @err. */
static int run_cli_env (char **envp, char **err, const char *first_arg, ...) G_GNUC_NULL_TERMINATED;

static int
run_cli_env (char       **envp,
             char       **err,
             const char  *first_arg,
             ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  va_list ap;
  int wait_status = 0;

  g_ptr_array_add (argv, (gpointer) shmlab_test_cli_path ());
  va_start (ap, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, envp, G_SPAWN_DEFAULT, NULL, NULL, &out, err,
                &wait_status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  return WEXITSTATUS (wait_status);
}

/* A system without System V IPC (simulated by SHMLAB_TEST_NO_SYSV=1): shmlab
 * says so, points at --backend posix, leaves nothing, and that way out works. */
static void
test_no_sysv_cli (void)
{
  g_autofree char *key = shmlab_test_unique_key ("nosysv");
  g_autofree char *segment_file = shmlab_native_key (key, SHMLAB_BACKEND_SYSV,
                                                     SHMLAB_NATIVE_SEGMENT, NULL);
  g_autofree char *lock_file = shmlab_native_key (key, SHMLAB_BACKEND_SYSV, SHMLAB_NATIVE_SEMAPHORE,
                                                  NULL);
  g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), "SHMLAB_TEST_NO_SYSV", "1", TRUE);

  {
    g_autofree char *err = NULL;
    int status = run_cli_env (envp, &err, "write", key, "--text", "x", "--hold", "0", "-q", NULL);
    g_assert_cmpint (status, ==, 1);
    g_assert_nonnull (strstr (err, "System V"));
    g_assert_nonnull (strstr (err, "--backend posix"));
    limit_cases++;
  }
  {
    g_autofree char *err = NULL;
    int status = run_cli_env (envp, &err, "read", key, "-q", NULL);
    g_assert_cmpint (status, ==, 1);
    g_assert_nonnull (strstr (err, "System V"));
    g_assert_nonnull (strstr (err, "--backend posix"));
    limit_cases++;
  }
  g_assert_false (g_file_test (segment_file, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (lock_file, G_FILE_TEST_EXISTS));

  {
    g_autofree char *err = NULL;
    int status = run_cli_env (envp, &err, "write", key, "--backend", "posix", "--text", "x",
                              "--hold", "0", "-q", NULL);
    g_assert_cmpint (status, ==, 0);
    limit_cases++;
  }
}

int
main (int argc, char **argv)
{
  int status;

  shmlab_test_init (&argc, &argv);

  g_test_add_func ("/limits/sysv/shmmax", test_shmmax);
  g_test_add_func ("/limits/sysv/shmall", test_shmall);
  g_test_add_func ("/limits/sysv/shmmni", test_shmmni);
  g_test_add_func ("/limits/sysv/no-sysv-cli", test_no_sysv_cli);
  g_test_add_func ("/limits/posix/dev-shm", test_dev_shm);

  status = g_test_run ();
  g_test_message ("figure: limit-cases=%u", limit_cases);
  return status;
}
