/* test-kill.c — a writer killed anywhere: SIGKILL at random moments of a
 * write loop, and after each kill a reader gets the lock within a second
 * and reads a whole frame, the last one written or the one before it
 *
 * System V gives a dead holder's lock back by itself; on POSIX the reader
 * finds the holder's pid in the frame, sees that it has ended, and takes
 * the lock over, saying so.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-test-util.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shmlab-error.h"
#include "shmlab-payload.h"
#include "shmlab-segment.h"

/* At least this many kills (SHMLAB_TEST_KILLS for more), and at most this
 * long for each 240 of them. */
#define KILLS 240
#define KILL_SECONDS 60
/* The text of a frame: large enough that a kill often lands inside its copy. */
#define TEXT_BYTES (256 * 1024)
#define SEGMENT_SIZE (2 * (SHMLAB_FRAME_HEADER_SIZE + TEXT_BYTES + 64))
/* The reader waits this long at most: the one second. */
#define READER_TIMEOUT_MS 1000

typedef struct
{
  ShmlabBackend backend;
  char *key;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->backend = GPOINTER_TO_INT (data);
  f->key = shmlab_test_unique_key ("kill");
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_free (f->key);
}

static ShmlabSegment *
segment_with_key (Fixture *f)
{
  ShmlabSegment *segment = shmlab_segment_new (f->backend);
  g_autoptr(GError) error = NULL;

  shmlab_segment_set_key (segment, f->key, &error);
  g_assert_no_error (error);
  return segment;
}

/* What generation @generation says, so a read can tell a mix from a whole. */
static char *
text_for_generation (guint64 generation)
{
  char *text = g_malloc (TEXT_BYTES + 1);
  int head = g_snprintf (text, TEXT_BYTES, "generation %" G_GUINT64_FORMAT "\n", generation);

  memset (text + head, 'a' + (int) (generation % 26), TEXT_BYTES - head);
  text[TEXT_BYTES] = '\0';
  return text;
}

/* The child: writes frames as fast as it can until it is killed. */
static G_GNUC_NORETURN void
writer_child (Fixture *f,
              int      ready_fd)
{
  g_autoptr(ShmlabSegment) segment = segment_with_key (f);
  gboolean told = FALSE;

  if (!shmlab_segment_attach (segment, SHMLAB_ACCESS_READ_WRITE, NULL, NULL))
    _exit (2);
  for (;;)
    {
      guint8 *data;
      guint64 generation;
      g_autofree char *text = NULL;
      g_autoptr(ShmlabPayload) payload = NULL;
      g_autoptr(ShmlabEncoded) encoded = NULL;
      gint64 started = g_get_monotonic_time ();

      if (!shmlab_segment_lock (segment, NULL, NULL))
        _exit (3);
      data = shmlab_segment_get_data (segment);
      generation = shmlab_frame_peek_generation (data, SEGMENT_SIZE) + 1;
      /* Encoding under the lock on purpose: more of the loop is inside it. */
      text = text_for_generation (generation);
      payload = shmlab_payload_new_text (text, TEXT_BYTES);
      encoded = shmlab_payload_encode (payload, SHMLAB_FORMAT_FRAME, NULL);
      if (encoded == NULL ||
          !shmlab_encoded_write (encoded, data, SEGMENT_SIZE, 0, generation, NULL, NULL))
        _exit (4);
      if (!shmlab_segment_unlock (segment, NULL))
        _exit (5);
      if (!told)
        {
          /* One whole write done: from now on it may be killed anywhere.
           * How long it took tells the killer how to spread its kills. */
          gint64 took = g_get_monotonic_time () - started;

          if (write (ready_fd, &took, sizeof took) != sizeof took)
            _exit (6);
          told = TRUE;
        }
    }
}

typedef struct
{
  guint kills;
  guint reads;
  guint torn_older_slot;   /* the kill landed inside a copy */
  guint taken_over;        /* POSIX: the dead holder's lock taken over */
  guint64 last_generation;
} KillCounts;

/* Reads as the Reader does: lock (one second at most), copy, unlock, decode. */
static void
read_after_kill (ShmlabSegment *reader,
                 KillCounts    *counts)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabPayload) payload = NULL;
  g_autofree guint8 *copy = g_malloc (SEGMENT_SIZE);
  g_autofree char *expected = NULL;
  g_autofree char *note = NULL;

  if (!shmlab_segment_lock_full (reader, READER_TIMEOUT_MS, NULL, &error))
    {
      const guint8 *mapped = shmlab_segment_get_const_data (reader);
      guint32 holder = mapped[60] | mapped[61] << 8 | mapped[62] << 16 | (guint32) mapped[63] << 24;

      g_error ("after kill %u the reader did not get the lock within %d ms (lock_holder %u): %s",
               counts->kills, READER_TIMEOUT_MS, holder, error->message);
    }
  note = shmlab_segment_take_lock_note (reader);
  memcpy (copy, shmlab_segment_get_const_data (reader), SEGMENT_SIZE);
  g_assert_true (shmlab_segment_unlock (reader, &error));
  g_assert_no_error (error);
  counts->reads++;

  if (note != NULL)
    {
      /* Only POSIX needs it, and it says what happened. */
      g_assert_cmpint (shmlab_segment_get_backend (reader), ==, SHMLAB_BACKEND_POSIX);
      g_assert_nonnull (strstr (note, "ended without giving it back"));
      g_assert_nonnull (strstr (note, "took the lock over"));
      counts->taken_over++;
    }

  if (shmlab_frame_peek_generation (copy, SEGMENT_SIZE) == 0)
    return;  /* killed before its first write was whole: nothing to read yet */
  payload = shmlab_payload_decode (copy, SEGMENT_SIZE, &error);
  if (payload == NULL)
    g_error ("after kill %u the segment held no whole frame: %s", counts->kills, error->message);
  /* CRC held; the text must be the one its generation says: never a mix. */
  expected = text_for_generation (payload->header.generation);
  g_assert_cmpuint (payload->text_length, ==, TEXT_BYTES);
  g_assert_true (memcmp (payload->text, expected, TEXT_BYTES) == 0);
  /* The last one written or the one before: generations never go back. */
  g_assert_cmpuint (payload->header.generation, >=, counts->last_generation);
  counts->last_generation = payload->header.generation;
  /* The generation goes last, so a torn copy stays the older slot: count the
   * kills that landed inside one by the other slot's CRC. */
  {
    gsize second = shmlab_frame_second_slot (SEGMENT_SIZE);
    gsize other = payload->frame_offset == 0 ? second : 0;
    g_autoptr(ShmlabPayload) older = NULL;
    g_autoptr(GError) older_error = NULL;

    older = shmlab_payload_decode (copy + other, other == 0 ? second : SEGMENT_SIZE - second,
                                   &older_error);
    if (g_error_matches (older_error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_CHECKSUM))
      counts->torn_older_slot++;
  }
}

static void
test_kill_anywhere (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(ShmlabSegment) owner = segment_with_key (f);
  g_autoptr(ShmlabSegment) reader = segment_with_key (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (0x5eed);
  KillCounts counts = { 0 };
  const char *asked = g_getenv ("SHMLAB_TEST_KILLS");
  guint kills = asked != NULL ? (guint) MAX (g_ascii_strtoull (asked, NULL, 10), KILLS) : KILLS;
  gint64 deadline = g_get_monotonic_time () +
                    (gint64) KILL_SECONDS * G_USEC_PER_SEC * ((kills + KILLS - 1) / KILLS);
  ShmlabSegmentInfo info;

  /* The test owns the segment, so it outlives every writer. */
  g_assert_true (shmlab_segment_create (owner, SEGMENT_SIZE, SHMLAB_ACCESS_READ_WRITE, NULL,
                                        &error));
  g_assert_no_error (error);
  g_assert_true (shmlab_segment_attach (reader, SHMLAB_ACCESS_READ_ONLY, NULL, &error));
  g_assert_no_error (error);

  /* At least one kill must land inside a copy, or the double buffer went
   * untested: a few more rounds until one does (one kill in 10 to 40 here). */
  while (counts.kills < kills || counts.torn_older_slot == 0)
    {
      int ready[2];
      gint64 took;
      pid_t pid;
      int status;

      if (g_get_monotonic_time () > deadline)
        g_error ("only %u kills (%u inside a copy) in %d s", counts.kills,
                 counts.torn_older_slot, KILL_SECONDS);
      g_assert_cmpint (pipe (ready), ==, 0);
      pid = fork ();
      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        {
          close (ready[0]);
          writer_child (f, ready[1]);
        }
      close (ready[1]);
      /* Wait for its first whole write, then let it run for up to two more,
       * however fast this build is: kills land anywhere in the loop. */
      g_assert_cmpint (read (ready[0], &took, sizeof took), ==, sizeof took);
      close (ready[0]);
      g_usleep (g_rand_int_range (rand, 0, (gint32) CLAMP (2 * took, 100, 100000)));
      g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      g_assert_true (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);
      counts.kills++;

      read_after_kill (reader, &counts);
    }

  g_test_message ("figure: %s-kills=%u %s-reads-verified=%u %s-killed-mid-copy=%u "
                  "%s-locks-taken-over=%u %s-last-generation=%" G_GUINT64_FORMAT,
                  shmlab_backend_to_string (f->backend), counts.kills,
                  shmlab_backend_to_string (f->backend), counts.reads,
                  shmlab_backend_to_string (f->backend), counts.torn_older_slot,
                  shmlab_backend_to_string (f->backend), counts.taken_over,
                  shmlab_backend_to_string (f->backend), counts.last_generation);
  g_assert_cmpuint (counts.reads, ==, counts.kills);
  /* The writers got somewhere: more than one generation per kill on average. */
  g_assert_cmpuint (counts.last_generation, >=, counts.kills);
  /* Kills did land inside copies, so the double buffer was tested. */
  g_assert_cmpuint (counts.torn_older_slot, >, 0);
  if (shmlab_backend_lock_kept_by_dead_holder (f->backend))
    g_assert_cmpuint (counts.taken_over, >, 0);
  else
    g_assert_cmpuint (counts.taken_over, ==, 0);

  /* Nothing is left once the test lets go: no writer stayed attached. */
  g_assert_true (shmlab_segment_query (owner, &info, &error));
  g_assert_no_error (error);
  if (info.attach_count_exact)
    g_assert_cmpuint (info.attach_count, ==, 2);
  g_assert_true (shmlab_segment_detach (reader, &error));
  g_assert_true (shmlab_segment_detach (owner, &error));
  g_assert_no_error (error);
  /* Gone, or kept with nobody attached when the backend keeps its segments (a file). */
  g_assert_true (shmlab_segment_query_key (f->key, f->backend, &info, NULL));
  g_assert_cmpint (info.exists, ==, shmlab_backend_is_persistent (f->backend));
  g_assert_cmpint (info.attach_count, ==, 0);
}

/* A child that locks the segment (attached read-write, so its pid goes in
 * the frame) and then waits to be killed, holding the lock. */
static pid_t
start_lock_holder (Fixture *f)
{
  int ready[2];
  char byte;
  pid_t pid;

  g_assert_cmpint (pipe (ready), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      g_autoptr(ShmlabSegment) segment = segment_with_key (f);

      close (ready[0]);
      if (!shmlab_segment_attach (segment, SHMLAB_ACCESS_READ_WRITE, NULL, NULL) ||
          !shmlab_segment_lock (segment, NULL, NULL) || write (ready[1], "l", 1) != 1)
        _exit (2);
      for (;;)
        pause ();
    }
  close (ready[1]);
  g_assert_cmpint (read (ready[0], &byte, 1), ==, 1);
  close (ready[0]);
  return pid;
}

static void
kill_and_reap (pid_t pid)
{
  int status;

  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFSIGNALED (status));
}

static ShmlabSegment *
create_with_text (Fixture    *f,
                  const char *text,
                  ShmlabFormat format)
{
  ShmlabSegment *owner = segment_with_key (f);
  g_autoptr(ShmlabPayload) payload = shmlab_payload_new_text (text, -1);
  g_autoptr(ShmlabEncoded) encoded = shmlab_payload_encode (payload, format, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (shmlab_segment_create (owner, 4096, SHMLAB_ACCESS_READ_WRITE, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (shmlab_segment_lock (owner, NULL, &error));
  g_assert_true (shmlab_encoded_write (encoded, shmlab_segment_get_data (owner), 4096, 0, 1,
                                       NULL, &error));
  g_assert_true (shmlab_segment_unlock (owner, &error));
  g_assert_no_error (error);
  return owner;
}

/* POSIX: `shmlab read` finds the dead holder and says so, instead of
 * waiting for ever (it waits as long as it takes by default, as Qt does). */
static void
test_dead_holder_cli (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(ShmlabSegment) owner = create_with_text (f, "still here", SHMLAB_FORMAT_FRAME);
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *pid_text = NULL;
  pid_t holder = start_lock_holder (f);
  int status;

  kill_and_reap (holder);
  pid_text = g_strdup_printf ("process %d,", (int) holder);
  g_assert_true (shmlab_test_run_cli (&out, &err, &status, "read", f->key, "--backend", "posix",
                                      NULL));
  g_assert_cmpint (status, ==, 0);
  g_assert_true (shmlab_segment_is_attached (owner));
  g_assert_cmpstr (out, ==, "still here\n");
  g_assert_nonnull (strstr (err, pid_text));
  g_assert_nonnull (strstr (err, "ended without giving it back"));
  g_assert_nonnull (strstr (err, "took the lock over"));

  /* Given back properly afterwards: the next reader waits for nobody. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_true (shmlab_test_run_cli (&out, &err, &status, "read", f->key, "--backend", "posix",
                                      "--lock-timeout", "1000", NULL));
  g_assert_cmpint (status, ==, 0);
  g_assert_null (strstr (err, "took the lock over"));
}

/* A holder that is alive is never robbed, however long it holds on. */
static void
test_live_holder_kept (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(ShmlabSegment) owner = create_with_text (f, "mine", SHMLAB_FORMAT_FRAME);
  g_autofree char *out = NULL, *err = NULL;
  pid_t holder = start_lock_holder (f);
  int status;

  g_assert_true (shmlab_test_run_cli (&out, &err, &status, "read", f->key, "--backend",
                                      shmlab_backend_to_string (f->backend), "--lock-timeout",
                                      "300", NULL));
  kill_and_reap (holder);
  g_assert_true (shmlab_segment_is_attached (owner));
  g_assert_cmpint (status, !=, 0);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "held by another process"));
  g_assert_null (strstr (err, "took the lock over"));
}

/* A holder that left no pid (the segment holds plain text, as Qt's example
 * writes it) cannot be found: the wait ends with the way out. */
static void
test_dead_holder_unknown (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(ShmlabSegment) owner = create_with_text (f, "plain", SHMLAB_FORMAT_TEXT);
  g_autofree char *out = NULL, *err = NULL;
  pid_t holder = start_lock_holder (f);
  int status;

  /* The test's own handle waits for that lock too when it lets go: not long. */
  shmlab_segment_set_lock_timeout (owner, 300);
  kill_and_reap (holder);
  g_assert_true (shmlab_test_run_cli (&out, &err, &status, "read", f->key, "--backend", "posix",
                                      "--lock-timeout", "300", NULL));
  g_assert_cmpint (status, !=, 0);
  g_assert_nonnull (strstr (err, "was not released within 300 ms"));
  g_assert_nonnull (strstr (err, "shmlab remove"));

  /* The way out works: the lock is cleared and the segment read again. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_true (shmlab_test_run_cli (&out, &err, &status, "remove", f->key, "--backend", "posix",
                                      "--force", NULL));
  g_assert_cmpint (status, ==, 0);
}

/* `shmlab lock` holds a POSIX lock without attaching: it records itself
 * through a mapping of its own, and is found just the same when killed. */
static void
test_dead_holder_unattached (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(ShmlabSegment) owner = create_with_text (f, "held by shmlab lock", SHMLAB_FORMAT_FRAME);
  g_autoptr(GSubprocess) holder = shmlab_test_start_lock_holder (f->key, SHMLAB_BACKEND_POSIX);
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *pid_text = g_strdup_printf ("process %s,",
                                               g_subprocess_get_identifier (holder));
  int status;

  g_subprocess_force_exit (holder);
  g_assert_true (g_subprocess_wait (holder, NULL, NULL));
  g_assert_true (g_subprocess_get_if_signaled (holder));
  g_assert_true (shmlab_test_run_cli (&out, &err, &status, "read", f->key, "--backend", "posix",
                                      "--lock-timeout", "5000", NULL));
  g_assert_cmpint (status, ==, 0);
  g_assert_true (shmlab_segment_is_attached (owner));
  g_assert_cmpstr (out, ==, "held by shmlab lock\n");
  g_assert_nonnull (strstr (err, pid_text));
  g_assert_nonnull (strstr (err, "took the lock over"));
}

int
main (int argc, char **argv)
{
  shmlab_test_init (&argc, &argv);
  {
    guint n_backends;
    const ShmlabBackend *backends = shmlab_backend_all (&n_backends);

    /* Killed anywhere, on every backend; a lock kept by its dead holder, where one is. */
    for (guint b = 0; b < n_backends; b++)
      {
        g_autofree char *anywhere = g_strdup_printf ("/kill/%s/anywhere",
                                                     shmlab_backend_to_string (backends[b]));
        g_autofree char *kept = g_strdup_printf ("/kill/%s/live-holder-kept",
                                                 shmlab_backend_to_string (backends[b]));

        g_test_add (anywhere, Fixture, GINT_TO_POINTER (backends[b]), fixture_set_up,
                    test_kill_anywhere, fixture_tear_down);
        g_test_add (kept, Fixture, GINT_TO_POINTER (backends[b]), fixture_set_up,
                    test_live_holder_kept, fixture_tear_down);
      }
  }
  g_test_add ("/kill/posix/dead-holder-cli", Fixture, GINT_TO_POINTER (SHMLAB_BACKEND_POSIX),
              fixture_set_up, test_dead_holder_cli, fixture_tear_down);
  g_test_add ("/kill/posix/dead-holder-unattached", Fixture, GINT_TO_POINTER (SHMLAB_BACKEND_POSIX),
              fixture_set_up, test_dead_holder_unattached, fixture_tear_down);
  g_test_add ("/kill/posix/dead-holder-unknown", Fixture, GINT_TO_POINTER (SHMLAB_BACKEND_POSIX),
              fixture_set_up, test_dead_holder_unknown, fixture_tear_down);
  return g_test_run ();
}
