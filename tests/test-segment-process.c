/* test-segment-process.c — segments between real processes: the lock
 * excludes, a killed holder gives the System V lock back, a crash leaves a
 * stale segment that remove clears, and another user's segment is refused
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-test-util.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sched.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shmlab-payload.h"
#include "shmlab-segment.h"

/* A uid no account on the test machine has. */
#define OTHER_UID 54321

typedef struct
{
  ShmlabBackend backend;
  char *key;
  GArray *children;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->backend = GPOINTER_TO_INT (data);
  f->key = shmlab_test_unique_key ("process");
  f->children = g_array_new (FALSE, FALSE, sizeof (pid_t));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  for (guint i = 0; i < f->children->len; i++)
    {
      pid_t pid = g_array_index (f->children, pid_t, i);
      kill (pid, SIGKILL);
      waitpid (pid, NULL, 0);
    }
  g_array_unref (f->children);
  shmlab_segment_remove_key (f->key, f->backend, TRUE, NULL);
  g_free (f->key);
}

static ShmlabSegment *
segment_with_key (Fixture *f)
{
  ShmlabSegment *segment = shmlab_segment_new (f->backend);
  g_assert_true (shmlab_segment_set_key (segment, f->key, NULL));
  return segment;
}

/* Forks a child that runs @body and exits with its status; the child's end
 * of @pipe_fds (if any) is the write end. */
static pid_t
spawn_child (Fixture  *f,
             int     (*body) (Fixture *f, int report_fd),
             int      *read_fd)
{
  int fds[2];
  pid_t pid;

  g_assert_cmpint (pipe (fds), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      close (fds[0]);
      _exit (body (f, fds[1]));
    }
  close (fds[1]);
  *read_fd = fds[0];
  g_array_append_val (f->children, pid);
  return pid;
}

static int
wait_child (Fixture *f,
            pid_t    pid)
{
  int status = 0;

  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  for (guint i = 0; i < f->children->len; i++)
    if (g_array_index (f->children, pid_t, i) == pid)
      g_array_remove_index (f->children, i--);
  return status;
}

static void
wait_for_line (int         fd,
               const char *expected)
{
  char buffer[64] = { 0 };
  gsize length = strlen (expected), got = 0;

  while (got < length)
    {
      gssize n = read (fd, buffer + got, length - got);
      if (n < 0 && errno == EINTR)
        continue;
      g_assert_cmpint (n, >, 0);
      got += n;
    }
  g_assert_cmpstr (buffer, ==, expected);
}

typedef struct
{
  guint64 counter;
  gint32 inside;
  gint32 violations;
} Shared;

#define ROUNDS 3000

static int
exclusion_body (Fixture *f,
                int      report_fd)
{
  g_autoptr(ShmlabSegment) segment = segment_with_key (f);
  int violations = 0;

  if (!shmlab_segment_attach (segment, SHMLAB_ACCESS_READ_WRITE, NULL, NULL))
    return 2;
  for (int i = 0; i < ROUNDS; i++)
    {
      volatile Shared *shared;
      guint64 value;

      if (!shmlab_segment_lock (segment, NULL, NULL))
        return 3;
      shared = shmlab_segment_get_data (segment);
      if (shared->inside != 0)
        violations++;
      shared->inside = getpid ();
      value = shared->counter;
      sched_yield ();
      if (shared->inside != getpid ())
        violations++;
      shared->counter = value + 1;
      shared->inside = 0;
      if (!shmlab_segment_unlock (segment, NULL))
        return 4;
    }
  shmlab_segment_detach (segment, NULL);
  return violations > 0 ? 5 : 0;
}

/* Two processes increment one counter under the lock: no update is lost and
 * no process ever sees the other inside. */
static void
test_exclusion (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(ShmlabSegment) owner = segment_with_key (f);
  g_autoptr(GError) error = NULL;
  const Shared *shared;
  int fd_a, fd_b;
  pid_t a, b;
  int status_a, status_b;

  g_assert_true (shmlab_segment_create (owner, sizeof (Shared), SHMLAB_ACCESS_READ_WRITE, NULL, &error));
  g_assert_no_error (error);

  a = spawn_child (f, exclusion_body, &fd_a);
  b = spawn_child (f, exclusion_body, &fd_b);
  status_a = wait_child (f, a);
  status_b = wait_child (f, b);
  close (fd_a);
  close (fd_b);
  g_assert_true (WIFEXITED (status_a));
  g_assert_cmpint (WEXITSTATUS (status_a), ==, 0);
  g_assert_true (WIFEXITED (status_b));
  g_assert_cmpint (WEXITSTATUS (status_b), ==, 0);

  g_assert_true (shmlab_segment_lock (owner, NULL, &error));
  shared = shmlab_segment_get_const_data (owner);
  g_assert_cmpuint (shared->counter, ==, 2 * ROUNDS);
  g_assert_true (shmlab_segment_unlock (owner, &error));
}

static int
hold_lock_body (Fixture *f,
                int      report_fd)
{
  g_autoptr(ShmlabSegment) segment = segment_with_key (f);

  if (!shmlab_segment_attach (segment, SHMLAB_ACCESS_READ_WRITE, NULL, NULL) ||
      !shmlab_segment_lock (segment, NULL, NULL))
    return 2;
  if (write (report_fd, "locked", 6) != 6)
    return 3;
  for (;;)
    pause ();
}

/* System V: SEM_UNDO gives the lock of a killed holder back at once. */
static void
test_sysv_killed_holder (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(ShmlabSegment) owner = segment_with_key (f);
  g_autoptr(GError) error = NULL;
  int fd, status;
  pid_t holder;

  g_assert_true (shmlab_segment_create (owner, 64, SHMLAB_ACCESS_READ_WRITE, NULL, &error));
  holder = spawn_child (f, hold_lock_body, &fd);
  wait_for_line (fd, "locked");
  close (fd);

  /* Held: a short wait fails… */
  g_assert_false (shmlab_segment_lock_full (owner, 50, NULL, &error));
  g_assert_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_TIMED_OUT);
  g_clear_error (&error);

  /* …killed: the lock comes back within a second. */
  kill (holder, SIGKILL);
  status = wait_child (f, holder);
  g_assert_true (WIFSIGNALED (status));
  g_assert_true (shmlab_segment_lock_full (owner, 1000, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (shmlab_segment_unlock (owner, &error));
}

/* POSIX: a killed holder keeps the lock; remove clears it. */
static void
test_posix_killed_holder (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(ShmlabSegment) owner = segment_with_key (f);
  g_autoptr(ShmlabSegment) again = NULL;
  g_autoptr(GError) error = NULL;
  int fd;
  pid_t holder;

  g_assert_true (shmlab_segment_create (owner, 64, SHMLAB_ACCESS_READ_WRITE, NULL, &error));
  holder = spawn_child (f, hold_lock_body, &fd);
  wait_for_line (fd, "locked");
  close (fd);
  kill (holder, SIGKILL);
  wait_child (f, holder);

  g_assert_false (shmlab_segment_lock_full (owner, 200, NULL, &error));
  g_assert_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (error->message, "shmlab remove"));
  g_clear_error (&error);

  /* Detaching needs the lock too: it gives up after the timeout and stays attached. */
  shmlab_segment_set_lock_timeout (owner, 100);
  g_assert_false (shmlab_segment_detach (owner, &error));
  g_assert_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_TIMED_OUT);
  g_assert_true (shmlab_segment_is_attached (owner));
  g_clear_error (&error);
  g_clear_object (&owner);
  g_assert_true (shmlab_segment_remove_key (f->key, f->backend, TRUE, &error));
  g_assert_no_error (error);

  again = segment_with_key (f);
  g_assert_true (shmlab_segment_create (again, 64, SHMLAB_ACCESS_READ_WRITE, NULL, &error));
  g_assert_true (shmlab_segment_lock_full (again, 1000, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (shmlab_segment_unlock (again, &error));
}

static int
create_and_hang_body (Fixture *f,
                      int      report_fd)
{
  g_autoptr(ShmlabSegment) segment = segment_with_key (f);

  if (!shmlab_segment_create (segment, 100, SHMLAB_ACCESS_READ_WRITE, NULL, NULL))
    return 2;
  if (write (report_fd, "created", 7) != 7)
    return 3;
  for (;;)
    pause ();
}

/* A writer killed while attached leaves a stale segment: seen, then removed. */
static void
test_killed_writer_leaves_stale (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GPtrArray) listings = NULL;
  g_autoptr(GError) error = NULL;
  ShmlabSegmentInfo info;
  gboolean listed = FALSE;
  int fd;
  pid_t writer;

  writer = spawn_child (f, create_and_hang_body, &fd);
  wait_for_line (fd, "created");
  close (fd);

  g_assert_true (shmlab_segment_query_key (f->key, f->backend, &info, &error));
  g_assert_true (info.exists);
  g_assert_false (shmlab_segment_info_is_stale (&info));

  kill (writer, SIGKILL);
  wait_child (f, writer);

  /* Stale, unless the backend keeps its segments on purpose (a file). */
  g_assert_true (shmlab_segment_query_key (f->key, f->backend, &info, &error));
  g_assert_true (info.exists);
  g_assert_cmpint (shmlab_segment_info_is_stale (&info), ==,
                   !shmlab_backend_is_persistent (f->backend));

  listings = shmlab_segment_list (f->backend, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < listings->len; i++)
    {
      ShmlabSegmentListing *l = g_ptr_array_index (listings, i);
      if (l->info.exists && l->info.size == 100 && g_strcmp0 (l->key_letters, "shmlabtestprocess") == 0)
        {
          listed = TRUE;
          g_assert_cmpint (shmlab_segment_info_is_stale (&l->info), ==,
                           !shmlab_backend_is_persistent (f->backend));
        }
    }
  g_assert_true (listed);

  g_assert_true (shmlab_segment_remove_key (f->key, f->backend, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (shmlab_segment_query_key (f->key, f->backend, &info, &error));
  g_assert_false (info.exists);
}

static int
other_user_body (Fixture *f,
                 int      report_fd)
{
  g_autoptr(ShmlabSegment) segment = NULL;
  char byte;

  if (setresgid (OTHER_UID, OTHER_UID, OTHER_UID) != 0 || setresuid (OTHER_UID, OTHER_UID, OTHER_UID) != 0)
    return 2;
  segment = segment_with_key (f);
  if (!shmlab_segment_create (segment, 100, SHMLAB_ACCESS_READ_WRITE, NULL, NULL))
    return 3;
  if (write (report_fd, "created", 7) != 7)
    return 4;
  /* Hold until the parent closes its end (it reads nothing back: wait on a signal). */
  (void) byte;
  for (;;)
    pause ();
}

/* A segment of another uid is refused, and the message names its owner. */
static void
test_other_user (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(ShmlabSegment) mine = segment_with_key (f);
  g_autoptr(GError) error = NULL;
  int fd;
  pid_t other;

  if (geteuid () != 0)
    {
      g_test_skip ("acting as another user needs root (CI runs as root)");
      return;
    }

  /* The other user must be able to make key files, as in the real /tmp. */
  g_assert_cmpint (chmod (shmlab_test_get_temp_dir (), 01777), ==, 0);
  other = spawn_child (f, other_user_body, &fd);
  wait_for_line (fd, "created");
  close (fd);

  g_assert_false (shmlab_segment_attach (mine, SHMLAB_ACCESS_READ_ONLY, NULL, &error));
  g_assert_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_PERMISSION_DENIED);
  g_assert_nonnull (strstr (error->message, "54321"));
  g_assert_nonnull (strstr (error->message, "pick another key"));
  g_assert_false (shmlab_segment_is_attached (mine));
  g_clear_error (&error);

  g_assert_false (shmlab_segment_create (mine, 100, SHMLAB_ACCESS_READ_WRITE, NULL, &error));
  g_assert_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_PERMISSION_DENIED);
  g_assert_nonnull (strstr (error->message, "54321"));

  kill (other, SIGKILL);
  wait_child (f, other);
  g_assert_cmpint (chmod (shmlab_test_get_temp_dir (), 0700), ==, 0);
}

#define LOAD_WRITERS 4
#define LOAD_READERS 4
#define LOAD_WRITES 300
#define LOAD_SEGMENT_SIZE 4096

static int
load_writer_body (Fixture *f,
                  int      report_fd)
{
  g_autoptr(ShmlabSegment) segment = segment_with_key (f);

  if (!shmlab_segment_attach (segment, SHMLAB_ACCESS_READ_WRITE, NULL, NULL))
    return 2;
  for (int i = 0; i < LOAD_WRITES; i++)
    {
      /* Each text names its writer and carries a body long enough to tear. */
      g_autofree char *text = g_strdup_printf ("writer %d write %d %s", (int) getpid (), i,
                                               i % 2 ? "abcdefghijklmnopqrstuvwxyz" : "0123456789");
      g_autoptr(ShmlabPayload) payload = shmlab_payload_new_text (text, -1);
      g_autoptr(ShmlabEncoded) encoded = shmlab_payload_encode (payload, SHMLAB_FORMAT_FRAME, NULL);
      guint8 *data;

      if (encoded == NULL || !shmlab_segment_lock (segment, NULL, NULL))
        return 3;
      data = shmlab_segment_get_data (segment);
      if (!shmlab_encoded_write (encoded, data, LOAD_SEGMENT_SIZE, 0,
                                 shmlab_frame_peek_generation (data, LOAD_SEGMENT_SIZE) + 1, NULL,
                                 NULL))
        return 4;
      if (!shmlab_segment_unlock (segment, NULL))
        return 5;
    }
  return 0;
}

static int
load_reader_body (Fixture *f,
                  int      report_fd)
{
  g_autoptr(ShmlabSegment) segment = segment_with_key (f);
  guint64 last_generation = 0;
  guint8 copy[LOAD_SEGMENT_SIZE];
  int reads = 0;

  if (!shmlab_segment_attach (segment, SHMLAB_ACCESS_READ_ONLY, NULL, NULL))
    return 2;
  /* Read until the writers are done: the last generation is theirs in all. */
  while (last_generation < (guint64) LOAD_WRITERS * LOAD_WRITES)
    {
      g_autoptr(ShmlabPayload) payload = NULL;
      g_autoptr(GError) error = NULL;

      if (!shmlab_segment_lock (segment, NULL, NULL))
        return 3;
      memcpy (copy, shmlab_segment_get_const_data (segment), sizeof copy);
      if (!shmlab_segment_unlock (segment, NULL))
        return 4;
      reads++;
      if (shmlab_frame_peek_generation (copy, sizeof copy) == 0)
        continue;  /* nothing written yet */
      payload = shmlab_payload_decode (copy, sizeof copy, &error);
      /* A torn frame fails its CRC; a reordered one goes back in generation. */
      if (payload == NULL || !g_str_has_prefix (payload->text, "writer ") ||
          payload->header.generation < last_generation)
        return 5;
      last_generation = payload->header.generation;
    }
  /* How many whole frames it read, for the figure. */
  if (write (report_fd, &reads, sizeof reads) != sizeof reads)
    return 7;
  return reads > 0 ? 0 : 6;
}

/* Four writers and four readers on one key: every read is a whole frame,
 * generations never go back, nobody deadlocks, nothing is left. */
static void
test_load (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(ShmlabSegment) owner = segment_with_key (f);
  g_autoptr(GError) error = NULL;
  pid_t pids[LOAD_WRITERS + LOAD_READERS];
  int fds[LOAD_WRITERS + LOAD_READERS];
  ShmlabSegmentInfo info;
  guint total_reads = 0;

  g_assert_true (shmlab_segment_create (owner, LOAD_SEGMENT_SIZE, SHMLAB_ACCESS_READ_WRITE, NULL,
                                        &error));
  g_assert_no_error (error);
  for (int i = 0; i < LOAD_READERS; i++)
    pids[i] = spawn_child (f, load_reader_body, &fds[i]);
  for (int i = 0; i < LOAD_WRITERS; i++)
    pids[LOAD_READERS + i] = spawn_child (f, load_writer_body, &fds[LOAD_READERS + i]);

  for (guint i = 0; i < G_N_ELEMENTS (pids); i++)
    {
      int status = wait_child (f, pids[i]);
      int reads = 0;

      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 0);
      if (i < LOAD_READERS)
        {
          g_assert_cmpint (read (fds[i], &reads, sizeof reads), ==, sizeof reads);
          total_reads += reads;
        }
      close (fds[i]);
    }
  g_test_message ("figure: %s-load-writes=%d %s-load-reads-verified=%u",
                  shmlab_backend_to_string (f->backend), LOAD_WRITERS * LOAD_WRITES,
                  shmlab_backend_to_string (f->backend), total_reads);

  g_assert_true (shmlab_segment_detach (owner, &error));
  g_assert_cmpint (shmlab_segment_get_removed_on_detach (owner), ==,
                   !shmlab_backend_is_persistent (f->backend));
  g_assert_true (shmlab_segment_query_key (f->key, f->backend, &info, NULL));
  g_assert_cmpint (info.exists, ==, shmlab_backend_is_persistent (f->backend));
}

/* Rounds each process of the create–remove race runs. */
#define RACE_ROUNDS 1500

/* One process of the race: a writer creates, locks, writes and detaches
 * (the last detach removes the segment, its lock and their key files); a
 * reader attaches, locks and detaches when there is a segment. */
static void
race_worker (const char *key,
             gboolean    writer)
{
  for (guint round = 0; round < RACE_ROUNDS; round++)
    {
      g_autoptr(ShmlabSegment) segment = shmlab_segment_new (SHMLAB_BACKEND_SYSV);
      gboolean there;

      if (!shmlab_segment_set_key (segment, key, NULL))
        _exit (3);
      shmlab_segment_set_lock_timeout (segment, 2000);
      there = writer ? shmlab_segment_create (segment, 4096, SHMLAB_ACCESS_READ_WRITE, NULL, NULL)
                     : shmlab_segment_attach (segment, SHMLAB_ACCESS_READ_ONLY, NULL, NULL);
      if (!there)
        continue;
      if (shmlab_segment_lock (segment, NULL, NULL))
        shmlab_segment_unlock (segment, NULL);
      shmlab_segment_detach (segment, NULL);
    }
  _exit (0);
}

/* How many System V semaphores and segments this IPC namespace holds. */
static void
count_sysv (int *semaphores,
            int *segments)
{
  struct seminfo sem_info;
  struct shm_info shm_info;

  *semaphores = semctl (0, 0, SEM_INFO, (void *) &sem_info) < 0 ? -1 : sem_info.semusz;
  *segments = shmctl (0, SHM_INFO, (struct shmid_ds *) (void *) &shm_info) < 0 ? -1
                                                                           : (int) shm_info.used_ids;
}

/* Two writers and two readers of one key, each making and removing the
 * segment and its lock a thousand times over, in an IPC namespace of their
 * own: once they are done and the key is removed, nothing is left. A remover
 * that took the key file away after the semaphore let a reader make a new
 * semaphore under the old file's key, which no file named any more and no
 * `shmlab remove` could find. */
static void
test_sysv_create_remove_race (Fixture       *f,
                              gconstpointer  data)
{
  int fds[2], status, semaphores = -1, segments = -1;
  pid_t pid;

  if (geteuid () != 0)
    {
      g_test_skip ("an IPC namespace of its own needs root");
      return;
    }
  g_assert_cmpint (pipe (fds), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      pid_t workers[4];
      int counts[2];

      signal (SIGABRT, SIG_DFL);
      signal (SIGTERM, SIG_DFL);
      close (fds[0]);
      if (unshare (CLONE_NEWIPC) != 0)
        _exit (2);
      for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
        if ((workers[i] = fork ()) == 0)
          race_worker (f->key, i % 2 == 0);
      for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
        waitpid (workers[i], NULL, 0);
      shmlab_segment_remove_key (f->key, SHMLAB_BACKEND_SYSV, TRUE, NULL);
      count_sysv (&counts[0], &counts[1]);
      if (write (fds[1], counts, sizeof counts) != sizeof counts)
        _exit (4);
      _exit (0);
    }
  close (fds[1]);
  {
    int counts[2];
    if (read (fds[0], counts, sizeof counts) == sizeof counts)
      {
        semaphores = counts[0];
        segments = counts[1];
      }
  }
  close (fds[0]);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_test_message ("left after %d rounds of 4 processes: %d semaphores, %d segments",
                  RACE_ROUNDS, semaphores, segments);
  g_assert_cmpint (semaphores, ==, 0);
  g_assert_cmpint (segments, ==, 0);
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
      g_autofree char *path = g_strdup_printf ("/segment-process/%s/%s", shmlab_backend_to_string (backends[b]),
                                               name);

      g_test_add (path, Fixture, GINT_TO_POINTER (backends[b]), fixture_setup, func,
                  fixture_teardown);
    }
}

int
main (int argc, char **argv)
{
  shmlab_test_init (&argc, &argv);

  add_each ("exclusion", test_exclusion);
  add_each ("load", test_load);
  add_each ("killed-writer-leaves-stale", test_killed_writer_leaves_stale);
  add_each ("other-user", test_other_user);
  g_test_add ("/segment-process/sysv/killed-holder-releases", Fixture,
              GINT_TO_POINTER (SHMLAB_BACKEND_SYSV), fixture_setup, test_sysv_killed_holder,
              fixture_teardown);
  g_test_add ("/segment-process/posix/killed-holder-keeps-lock", Fixture,
              GINT_TO_POINTER (SHMLAB_BACKEND_POSIX), fixture_setup, test_posix_killed_holder,
              fixture_teardown);
  g_test_add ("/segment-process/sysv/create-remove-race", Fixture,
              GINT_TO_POINTER (SHMLAB_BACKEND_SYSV), fixture_setup, test_sysv_create_remove_race,
              fixture_teardown);
  return g_test_run ();
}
