/* test-session.c — the session runs each step off the main thread, reports
 * it, waits for a lock without blocking the main loop, can be cancelled, and
 * detaches in a thread when it is closed or dropped
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-test-util.h"

#include <string.h>

#include "shmlab-session.h"

typedef struct
{
  ShmlabBackend backend;
  char *key;
  GPtrArray *steps;
  GAsyncResult *result;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->backend = GPOINTER_TO_INT (data);
  f->key = shmlab_test_unique_key ("session");
  f->steps = g_ptr_array_new_with_free_func (g_free);
}

/* A bound on every wait: reaching it fails the test, it never paces it. */
#define WAIT_SECONDS 60
#define WAIT_LIMIT_US (WAIT_SECONDS * G_USEC_PER_SEC)

static gboolean
none_closing (gpointer data)
{
  return shmlab_session_count_closing () == 0;
}

/* Runs the main loop until every dropped or closed session has detached. */
static void
wait_closed (void)
{
  if (!shmlab_test_spin_until (none_closing, NULL, WAIT_SECONDS))
    g_error ("gave up waiting for %u closed sessions to detach", shmlab_session_count_closing ());
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  wait_closed ();
  shmlab_segment_remove_key (f->key, f->backend, TRUE, NULL);
  g_ptr_array_unref (f->steps);
  g_clear_object (&f->result);
  g_free (f->key);
}

static GThread *main_thread;

static void
on_step (ShmlabSession *session,
         ShmlabStep    *step,
         Fixture       *f)
{
  /* Signals reach the thread of the session's context, never the worker. */
  g_assert_true (g_thread_self () == main_thread);
  g_ptr_array_add (f->steps, g_strdup_printf ("%s%s", step->name, step->ok ? "" : "!"));
}

static ShmlabSession *
session_new (Fixture *f)
{
  ShmlabSession *session = shmlab_session_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (shmlab_session_set_key (session, f->key, f->backend, &error));
  g_assert_no_error (error);
  g_signal_connect (session, "step", G_CALLBACK (on_step), f);
  return session;
}

/* Runs the main loop until the operation started with shmlab_test_store_result is done. */
static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
run_step (ShmlabSession *session,
          void (*start) (ShmlabSession *, GCancellable *, GAsyncReadyCallback, gpointer))
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  start (session, NULL, shmlab_test_store_result, &result);
  g_assert_true (shmlab_session_step_finish (session, wait_result (&result), &error));
  g_assert_no_error (error);
}

static ShmlabEncoded *
encode_text (const char *text)
{
  g_autoptr(ShmlabPayload) payload = shmlab_payload_new_text (text, -1);
  g_autoptr(GError) error = NULL;
  ShmlabEncoded *encoded = shmlab_payload_encode (payload, SHMLAB_FORMAT_AUTO, &error);

  g_assert_no_error (error);
  return encoded;
}

static void
write_all (ShmlabSession *session,
           const char    *text,
           gsize          size,
           GError       **error)
{
  g_autoptr(ShmlabEncoded) encoded = encode_text (text);
  g_autoptr(GAsyncResult) result = NULL;

  shmlab_session_write_all_async (session, encoded, size, SHMLAB_WRITE_FLAGS_NONE, NULL,
                                  shmlab_test_store_result, &result);
  shmlab_session_step_finish (session, wait_result (&result), error);
}

static ShmlabReadResult *
read_all (ShmlabSession *session,
          GCancellable  *cancellable,
          GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  shmlab_session_read_all_async (session, cancellable, shmlab_test_store_result, &result);
  return shmlab_session_read_finish (session, wait_result (&result), error);
}

static char *
joined_steps (Fixture *f)
{
  g_ptr_array_add (f->steps, NULL);
  char *joined = g_strjoinv (" ", (char **) f->steps->pdata);
  g_ptr_array_set_size (f->steps, 0);
  return joined;
}

static void
test_round_trip (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(ShmlabSession) writer = session_new (f);
  g_autoptr(ShmlabSession) reader = session_new (f);
  g_autoptr(ShmlabReadResult) read = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *writer_steps = NULL;
  g_autofree char *reader_steps = NULL;

  write_all (writer, "你好, shared memory", 0, &error);
  g_assert_no_error (error);
  writer_steps = joined_steps (f);
  g_assert_cmpstr (writer_steps, ==, "setKey create lock copy unlock");
  g_assert_true (shmlab_session_get_attached (writer));
  g_assert_true (shmlab_session_get_created (writer));
  g_assert_false (shmlab_session_get_locked (writer));
  g_assert_cmpuint (shmlab_session_get_size (writer), ==, strlen ("你好, shared memory") + 1);
  g_assert_cmpint (shmlab_session_get_info (writer)->attach_count, ==, 1);
  g_assert_nonnull (shmlab_session_get_snapshot (writer));

  read = read_all (reader, NULL, &error);
  g_assert_no_error (error);
  reader_steps = joined_steps (f);
  g_assert_cmpstr (reader_steps, ==, "setKey attach lock copy unlock detach decode");
  g_assert_nonnull (read->payload);
  g_assert_cmpstr (read->payload->text, ==, "你好, shared memory");
  g_assert_cmpint (read->payload->format, ==, SHMLAB_FORMAT_TEXT);
  g_assert_false (shmlab_session_get_attached (reader));
}

/* While the main loop is not running, the worker could own the default
 * context: steps must still wait for the main thread, and come in order. */
static void
test_idle_main_loop (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(ShmlabSession) writer = session_new (f);
  g_autoptr(ShmlabEncoded) encoded = encode_text ("while the loop sleeps");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *steps = NULL;
  ShmlabSegmentInfo info;

  shmlab_session_write_all_async (writer, encoded, 0, 0, NULL, shmlab_test_store_result, &result);
  /* Not iterating: wait (bounded) until the worker has made the segment. */
  for (int i = 0; i < 2000; i++)
    {
      if (shmlab_segment_query_key (f->key, f->backend, &info, NULL) && info.exists)
        break;
      g_usleep (1000);
    }
  g_usleep (50 * 1000);
  g_assert_cmpuint (f->steps->len, ==, 0);
  g_assert_true (shmlab_session_step_finish (writer, wait_result (&result), &error));
  steps = joined_steps (f);
  g_assert_cmpstr (steps, ==, "setKey create lock copy unlock");
}

/* A second write of the same size reuses the segment: no detach, no create. */
static void
test_reuse (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(ShmlabSession) writer = session_new (f);
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  write_all (writer, "first", 100, &error);
  g_assert_no_error (error);
  first = joined_steps (f);
  write_all (writer, "second", 100, &error);
  g_assert_no_error (error);
  second = joined_steps (f);
  g_assert_cmpstr (second, ==, "lock copy unlock");
}

/* Attached to a segment someone else left: the one click writes into it. */
static void
test_write_into_attached (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(ShmlabSession) first = session_new (f);
  g_autoptr(ShmlabSession) second = session_new (f);
  g_autoptr(ShmlabSession) reader = session_new (f);
  g_autoptr(ShmlabReadResult) read = NULL;
  g_autoptr(GAsyncResult) attached = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *steps = NULL;

  write_all (first, "left behind", 64, &error);
  g_assert_no_error (error);
  shmlab_session_attach_async (second, SHMLAB_ACCESS_READ_WRITE, NULL, shmlab_test_store_result,
                               &attached);
  g_assert_true (shmlab_session_step_finish (second, wait_result (&attached), &error));
  g_ptr_array_set_size (f->steps, 0);

  write_all (second, "written by the second", 0, &error);
  g_assert_no_error (error);
  steps = joined_steps (f);
  g_assert_cmpstr (steps, ==, "lock copy unlock");
  g_assert_false (shmlab_session_get_created (second));

  read = read_all (reader, NULL, &error);
  g_assert_cmpstr (read->payload->text, ==, "written by the second");
  g_clear_pointer (&steps, g_free);
  g_ptr_array_set_size (f->steps, 0);

  /* Its size is not ours: a size asked for is ignored… */
  write_all (second, "still the same segment", 999, &error);
  g_assert_no_error (error);
  steps = joined_steps (f);
  g_assert_cmpstr (steps, ==, "lock copy unlock");
  g_clear_pointer (&steps, g_free);

  /* …and what does not fit says so, instead of a new segment being tried. */
  write_all (second, "a text far longer than the sixty-four bytes the first writer made "
                     "this segment hold", 0, &error);
  g_assert_error (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_TOO_LARGE);
  steps = joined_steps (f);
  g_assert_cmpstr (steps, ==, "lock copy! unlock");
  g_assert_true (shmlab_session_get_attached (second));
}

static void
test_too_large (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(ShmlabSession) writer = session_new (f);
  g_autoptr(GError) error = NULL;

  write_all (writer, "this text needs more than ten bytes", 10, &error);
  g_assert_error (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_TOO_LARGE);
  g_assert_false (shmlab_session_get_locked (writer));
  g_assert_false (shmlab_session_get_busy (writer));
}

typedef struct
{
  ShmlabSession *holder;
  GCancellable *cancellable;
  gboolean saw_waiting;
  GAsyncResult *unlock_result;
} WaitData;

static void
on_waiting (ShmlabSession *session,
            GParamSpec    *pspec,
            WaitData      *wait)
{
  if (!shmlab_session_get_waiting (session))
    return;
  wait->saw_waiting = TRUE;
  /* The reader now waits without blocking this loop: release, or cancel. */
  if (wait->cancellable)
    g_cancellable_cancel (wait->cancellable);
  else
    shmlab_session_unlock_async (wait->holder, NULL, shmlab_test_store_result,
                                 &wait->unlock_result);
}

static void
test_wait_for_lock (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(ShmlabSession) writer = session_new (f);
  g_autoptr(ShmlabSession) reader = session_new (f);
  g_autoptr(ShmlabReadResult) read = NULL;
  g_autoptr(GError) error = NULL;
  WaitData wait = { writer, NULL, FALSE, NULL };

  write_all (writer, "waited for", 0, &error);
  run_step (writer, shmlab_session_lock_async);
  g_assert_true (shmlab_session_get_locked (writer));

  shmlab_session_set_lock_timeout (reader, -1);
  g_signal_connect (reader, "notify::waiting", G_CALLBACK (on_waiting), &wait);
  read = read_all (reader, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (wait.saw_waiting);
  g_assert_false (shmlab_session_get_waiting (reader));
  g_assert_cmpstr (read->payload->text, ==, "waited for");
  g_assert_true (shmlab_session_step_finish (writer, wait_result (&wait.unlock_result), NULL));
  g_clear_object (&wait.unlock_result);
}

static void
test_cancel_wait (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(ShmlabSession) writer = session_new (f);
  g_autoptr(ShmlabSession) reader = session_new (f);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  ShmlabReadResult *read;
  WaitData wait = { writer, cancellable, FALSE, NULL };

  write_all (writer, "never read", 0, &error);
  run_step (writer, shmlab_session_lock_async);
  shmlab_session_set_lock_timeout (reader, -1);
  g_signal_connect (reader, "notify::waiting", G_CALLBACK (on_waiting), &wait);
  read = read_all (reader, cancellable, &error);
  g_assert_null (read);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (wait.saw_waiting);
  g_assert_false (shmlab_session_get_attached (reader));
  run_step (writer, shmlab_session_unlock_async);
}

static void
test_timeout (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(ShmlabSession) writer = session_new (f);
  g_autoptr(ShmlabSession) reader = session_new (f);
  g_autoptr(GError) error = NULL;
  ShmlabReadResult *read;

  write_all (writer, "locked away", 0, &error);
  run_step (writer, shmlab_session_lock_async);
  shmlab_session_set_lock_timeout (reader, 100);
  read = read_all (reader, NULL, &error);
  g_assert_null (read);
  g_assert_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_TIMED_OUT);
  run_step (writer, shmlab_session_unlock_async);
}

static void
test_busy (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(ShmlabSession) writer = session_new (f);
  g_autoptr(ShmlabEncoded) encoded = encode_text ("busy");
  g_autoptr(GAsyncResult) first = NULL;
  g_autoptr(GAsyncResult) second = NULL;
  g_autoptr(GError) error = NULL;

  shmlab_session_write_all_async (writer, encoded, 0, 0, NULL, shmlab_test_store_result, &first);
  g_assert_true (shmlab_session_get_busy (writer));
  shmlab_session_detach_async (writer, NULL, shmlab_test_store_result, &second);
  g_assert_false (shmlab_session_step_finish (writer, wait_result (&second), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
  g_clear_error (&error);
  g_assert_true (shmlab_session_step_finish (writer, wait_result (&first), &error));
  g_assert_no_error (error);
}

/* Step by step, as a student clicks through it. */
static void
test_step_by_step (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(ShmlabSession) writer = session_new (f);
  g_autoptr(ShmlabEncoded) encoded = encode_text ("one step at a time");
  g_autoptr(GAsyncResult) created = NULL;
  g_autoptr(GAsyncResult) written = NULL;
  g_autoptr(GAsyncResult) not_locked = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *steps = NULL;

  shmlab_session_create_async (writer, 64, NULL, shmlab_test_store_result, &created);
  g_assert_true (shmlab_session_step_finish (writer, wait_result (&created), &error));

  shmlab_session_write_async (writer, encoded, 0, NULL, shmlab_test_store_result, &not_locked);
  g_assert_false (shmlab_session_step_finish (writer, wait_result (&not_locked), &error));
  g_assert_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_LOCK_ERROR);
  g_clear_error (&error);

  run_step (writer, shmlab_session_lock_async);
  shmlab_session_write_async (writer, encoded, 0, NULL, shmlab_test_store_result, &written);
  g_assert_true (shmlab_session_step_finish (writer, wait_result (&written), &error));
  run_step (writer, shmlab_session_unlock_async);
  run_step (writer, shmlab_session_detach_async);
  steps = joined_steps (f);
  g_assert_cmpstr (steps, ==, "setKey create lock copy unlock detach");
  g_assert_false (shmlab_session_get_attached (writer));
}

static ShmlabReadResult *
poll (ShmlabSession *session,
      GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  shmlab_session_poll_async (session, NULL, shmlab_test_store_result, &result);
  return shmlab_session_read_finish (session, wait_result (&result), error);
}

static void
write_frame (ShmlabSession *writer,
             const char    *text)
{
  g_autoptr(ShmlabPayload) payload = shmlab_payload_new_text (text, -1);
  g_autoptr(ShmlabEncoded) encoded = shmlab_payload_encode (payload, SHMLAB_FORMAT_FRAME, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  shmlab_session_write_all_async (writer, encoded, 256, 0, NULL, shmlab_test_store_result, &result);
  g_assert_true (shmlab_session_step_finish (writer, wait_result (&result), &error));
  g_assert_no_error (error);
}

/* Follow: only new writes are read; a vanished segment is waited for. */
static void
test_follow (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(ShmlabSession) writer = session_new (f);
  g_autoptr(ShmlabSession) reader = session_new (f);
  g_autoptr(GError) error = NULL;
  ShmlabReadResult *read;

  write_frame (writer, "one");
  read = poll (reader, &error);
  g_assert_no_error (error);
  g_assert_true (read->changed);
  g_assert_cmpstr (read->payload->text, ==, "one");
  g_assert_cmpuint (read->payload->header.generation, ==, 1);
  shmlab_read_result_free (read);

  read = poll (reader, &error);
  g_assert_false (read->changed);
  g_assert_null (read->payload);
  shmlab_read_result_free (read);

  write_frame (writer, "two");
  write_frame (writer, "three");
  read = poll (reader, &error);
  g_assert_true (read->changed);
  g_assert_cmpstr (read->payload->text, ==, "three");
  g_assert_cmpuint (read->payload->header.generation, ==, 3);
  shmlab_read_result_free (read);
  g_assert_true (shmlab_session_get_attached (reader));

  /* The writer goes; System V keeps the segment while the reader is attached. */
  run_step (writer, shmlab_session_detach_async);
  run_step (reader, shmlab_session_detach_async);
  read = poll (reader, &error);
  g_assert_null (read);
  g_assert_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_NOT_FOUND);
  g_clear_error (&error);

  write_frame (writer, "back");
  read = poll (reader, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (read->payload->text, ==, "back");
  shmlab_read_result_free (read);
}

static void
test_remove (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(ShmlabSession) writer = session_new (f);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  ShmlabSegmentInfo info;

  write_all (writer, "to be removed", 0, &error);
  shmlab_session_remove_async (writer, FALSE, NULL, shmlab_test_store_result, &result);
  g_assert_true (shmlab_session_step_finish (writer, wait_result (&result), &error));
  g_assert_no_error (error);
  g_assert_true (shmlab_segment_query_key (f->key, f->backend, &info, NULL));
  g_assert_false (info.exists);
  g_assert_false (shmlab_session_get_attached (writer));
}

static gint
attach_count (Fixture *f)
{
  ShmlabSegmentInfo info;
  g_autoptr(GError) error = NULL;

  g_assert_true (shmlab_segment_query_key (f->key, f->backend, &info, &error));
  g_assert_no_error (error);
  return info.exists ? info.attach_count : -1;
}

/* The last session detached: the segment is gone, or, when the backend
 * keeps its segments (a file), still there with nobody attached. */
static void
assert_last_detached (Fixture *f)
{
  ShmlabSegmentInfo info;

  g_assert_true (shmlab_segment_query_key (f->key, f->backend, &info, NULL));
  g_assert_cmpint (info.exists, ==, shmlab_backend_is_persistent (f->backend));
  g_assert_cmpint (info.attach_count, ==, 0);
}

static gboolean
count_tick (gpointer data)
{
  (*(guint *) data)++;
  return G_SOURCE_CONTINUE;
}

/* The main loop turns while a closed session waits for the lock. */
static void
assert_loop_runs (void)
{
  guint ticks = 0;
  guint source = g_timeout_add (1, count_tick, &ticks);
  gint64 deadline = g_get_monotonic_time () + WAIT_LIMIT_US;

  while (ticks < 3 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (source);
  g_assert_cmpuint (ticks, >=, 3);
}

/* Dropping an attached session while another process holds the lock: the
 * unref returns at once, the detach waits in a thread, and once the holder
 * lets go it detaches under the lock, removing the segment it was last in. */
static void
test_drop_while_locked (Fixture       *f,
                        gconstpointer  data)
{
  ShmlabSession *writer = session_new (f);
  g_autoptr(GSubprocess) holder = NULL;
  g_autoptr(GError) error = NULL;

  write_all (writer, "detached once the lock is free", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (attach_count (f), ==, 1);
  /* Longer than any test runs: only the holder letting go ends the wait. */
  shmlab_session_set_lock_timeout (writer, 600 * 1000);
  holder = shmlab_test_start_lock_holder (f->key, f->backend);

  g_object_add_weak_pointer (G_OBJECT (writer), (gpointer *) &writer);
  g_object_unref (writer);
  /* Back while the holder still has the lock (it lets go only when told,
   * below): the session is gone, its segment still attached. */
  g_assert_null (writer);
  g_assert_cmpuint (shmlab_session_count_closing (), ==, 1);
  assert_loop_runs ();
  g_assert_cmpint (attach_count (f), ==, 1);
  g_assert_cmpuint (shmlab_session_count_closing (), ==, 1);

  shmlab_test_release_lock_holder (holder);
  wait_closed ();
  assert_last_detached (f);
}

/* Closing while a step waits for the lock: the step is cancelled at once,
 * then the detach waits for the lock in a thread of its own. */
static void
test_close_while_waiting (Fixture       *f,
                          gconstpointer  data)
{
  ShmlabSession *writer = session_new (f);
  g_autoptr(GSubprocess) holder = NULL;
  g_autoptr(GAsyncResult) created = NULL;
  g_autoptr(GAsyncResult) locked = NULL;
  g_autoptr(GAsyncResult) closed = NULL;
  g_autoptr(GAsyncResult) refused = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + WAIT_LIMIT_US;

  shmlab_session_create_async (writer, 64, NULL, shmlab_test_store_result, &created);
  g_assert_true (shmlab_session_step_finish (writer, wait_result (&created), &error));
  g_assert_no_error (error);
  shmlab_session_set_lock_timeout (writer, 600 * 1000);
  holder = shmlab_test_start_lock_holder (f->key, f->backend);

  shmlab_session_lock_async (writer, NULL, shmlab_test_store_result, &locked);
  while (!shmlab_session_get_waiting (writer) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (shmlab_session_get_waiting (writer));

  shmlab_session_close_async (writer, shmlab_test_store_result, &closed);
  g_assert_true (shmlab_session_get_closed (writer));
  g_object_add_weak_pointer (G_OBJECT (writer), (gpointer *) &writer);
  g_object_unref (writer);
  /* The step keeps the session until it returns: cancelled, not timed out. */
  g_assert_nonnull (writer);
  g_assert_false (shmlab_session_step_finish (writer, wait_result (&locked), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  /* Closed: nothing more runs. */
  shmlab_session_attach_async (writer, SHMLAB_ACCESS_READ_ONLY, NULL, shmlab_test_store_result,
                               &refused);
  g_assert_false (shmlab_session_step_finish (writer, wait_result (&refused), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_clear_error (&error);
  g_clear_object (&created);
  g_clear_object (&locked);
  g_clear_object (&refused);
  g_assert_null (writer);

  /* The detach waits for the lock the holder still has. */
  assert_loop_runs ();
  g_assert_null (closed);
  g_assert_cmpint (attach_count (f), ==, 1);

  shmlab_test_release_lock_holder (holder);
  g_assert_true (shmlab_session_close_finish (wait_result (&closed), &error));
  g_assert_no_error (error);
  wait_closed ();
  assert_last_detached (f);
}

/* A lock held past the lock timeout: closing still detaches, without the
 * lock, and says the segment (no longer attached) was left behind. */
static void
test_close_past_timeout (Fixture       *f,
                         gconstpointer  data)
{
  ShmlabSession *writer = session_new (f);
  g_autoptr(GSubprocess) holder = NULL;
  g_autoptr(GAsyncResult) closed = NULL;
  g_autoptr(GError) error = NULL;

  write_all (writer, "left behind", 0, &error);
  g_assert_no_error (error);
  shmlab_session_set_lock_timeout (writer, 100);
  holder = shmlab_test_start_lock_holder (f->key, f->backend);

  shmlab_session_close_async (writer, shmlab_test_store_result, &closed);
  g_clear_object (&writer);
  /* The holder never lets go: the lock timeout ends the wait. */
  g_assert_false (shmlab_session_close_finish (wait_result (&closed), &error));
  g_assert_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (error->message, f->key));
  g_assert_nonnull (strstr (error->message, "100 ms"));
  g_assert_nonnull (strstr (error->message, "shmlab remove"));
  g_clear_error (&error);
  wait_closed ();
  g_assert_cmpint (attach_count (f), ==, 0);

  shmlab_test_release_lock_holder (holder);
}

/* Closing twice, or a session that never had a segment: both just end. */
static void
test_close_twice (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(ShmlabSession) writer = session_new (f);
  g_autoptr(ShmlabSession) unused = session_new (f);
  g_autoptr(GAsyncResult) first = NULL;
  g_autoptr(GAsyncResult) second = NULL;
  g_autoptr(GAsyncResult) third = NULL;
  g_autoptr(GAsyncResult) empty = NULL;
  g_autoptr(GError) error = NULL;

  write_all (writer, "closed twice", 0, &error);
  g_assert_no_error (error);
  shmlab_session_close_async (writer, shmlab_test_store_result, &first);
  shmlab_session_close_async (writer, shmlab_test_store_result, &second);
  g_assert_true (shmlab_session_close_finish (wait_result (&first), &error));
  g_assert_true (shmlab_session_close_finish (wait_result (&second), &error));
  shmlab_session_close_async (writer, shmlab_test_store_result, &third);
  g_assert_true (shmlab_session_close_finish (wait_result (&third), &error));
  g_assert_no_error (error);
  assert_last_detached (f);

  shmlab_session_close_async (unused, shmlab_test_store_result, &empty);
  g_assert_true (shmlab_session_close_finish (wait_result (&empty), &error));
  g_assert_no_error (error);
  wait_closed ();
}

typedef struct
{
  Fixture *f;
  GSubprocess *holder;
  guint ticks;
  gboolean dropped;
  gboolean released;
  gboolean attached_while_held;
} HoldRun;

static gboolean
hold_run_tick (gpointer user_data)
{
  HoldRun *run = user_data;

  if (run->dropped && !run->released && ++run->ticks >= 3)
    {
      run->attached_while_held = attach_count (run->f) == 1;
      shmlab_test_release_lock_holder (run->holder);
      run->released = TRUE;
    }
  return G_SOURCE_CONTINUE;
}

static void
hold_run_closed (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GApplication) application = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (shmlab_session_close_finish (result, &error));
  g_assert_no_error (error);
  g_application_release (application);
}

static void
hold_run_activate (GApplication *application,
                   HoldRun      *run)
{
  ShmlabSession *writer = session_new (run->f);
  g_autoptr(GError) error = NULL;

  write_all (writer, "the application waits for this detach", 0, &error);
  g_assert_no_error (error);
  shmlab_session_set_lock_timeout (writer, 600 * 1000);
  run->holder = shmlab_test_start_lock_holder (run->f->key, run->f->backend);
  /* The session holds no application: its closer does, as a window's does. */
  g_application_hold (application);
  shmlab_session_close_async (writer, hold_run_closed, g_object_ref (application));
  g_object_unref (writer);
  run->dropped = TRUE;
}

/* Nothing else holds the application: held by whoever closes the session
 * until the close has finished, it runs on until the detach has ended, and
 * the detach ends only once the holder lets go. */
static void
test_application_held (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GApplication) application = NULL;
  HoldRun run = { f, NULL, 0, FALSE, FALSE, FALSE };
  g_autofree char *bus = NULL;
  guint tick;

  /* A private application: no session bus is looked for. */
  bus = g_strdup (g_getenv ("DBUS_SESSION_BUS_ADDRESS"));
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "disabled:", TRUE);
  application = g_application_new ("io.github.shmlab.test.Session", G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_get_default () == application);
  g_signal_connect (application, "activate", G_CALLBACK (hold_run_activate), &run);
  tick = g_timeout_add (1, hold_run_tick, &run);
  g_assert_cmpint (g_application_run (application, 0, NULL), ==, 0);
  g_source_remove (tick);
  if (bus != NULL)
    g_setenv ("DBUS_SESSION_BUS_ADDRESS", bus, TRUE);
  else
    g_unsetenv ("DBUS_SESSION_BUS_ADDRESS");

  g_assert_true (run.dropped);
  g_assert_true (run.released);
  g_assert_true (run.attached_while_held);
  g_assert_cmpuint (shmlab_session_count_closing (), ==, 0);
  assert_last_detached (f);
  g_clear_object (&run.holder);
}

typedef struct
{
  GMainLoop *loop;
  GAsyncResult *result;
} LoopClose;

static void
loop_closed (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  LoopClose *close = user_data;

  close->result = g_object_ref (result);
  g_main_loop_quit (close->loop);
}

static gboolean
release_holder (gpointer user_data)
{
  shmlab_test_release_lock_holder (user_data);
  return G_SOURCE_REMOVE;
}

/* No GApplication anywhere: a plain main loop closes a session while
 * another process holds its lock; the close finishes once the holder lets
 * go, detached under the lock, and the segment it was last in is gone. */
static void
test_close_without_application (Fixture       *f,
                                gconstpointer  data)
{
  ShmlabSession *writer = session_new (f);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  LoopClose close = { loop, NULL };
  g_autoptr(GSubprocess) holder = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_null (g_application_get_default ());
  write_all (writer, "closed in a plain main loop", 0, &error);
  g_assert_no_error (error);
  /* Longer than any test runs: only the holder letting go ends the wait. */
  shmlab_session_set_lock_timeout (writer, 600 * 1000);
  holder = shmlab_test_start_lock_holder (f->key, f->backend);

  shmlab_session_close_async (writer, loop_closed, &close);
  g_object_add_weak_pointer (G_OBJECT (writer), (gpointer *) &writer);
  g_object_unref (writer);
  g_assert_null (writer);
  g_assert_cmpuint (shmlab_session_count_closing (), ==, 1);

  /* The loop turns while the detach waits for the lock. */
  assert_loop_runs ();
  g_assert_null (close.result);
  g_assert_cmpint (attach_count (f), ==, 1);

  g_idle_add (release_holder, holder);
  g_main_loop_run (loop);
  g_assert_nonnull (close.result);
  g_assert_true (shmlab_session_close_finish (close.result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (shmlab_session_count_closing (), ==, 0);
  assert_last_detached (f);
  g_assert_null (g_application_get_default ());
  g_clear_object (&close.result);
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
      g_autofree char *path = g_strdup_printf ("/session/%s/%s", shmlab_backend_to_string (backends[b]),
                                               name);

      g_test_add (path, Fixture, GINT_TO_POINTER (backends[b]), fixture_setup, func,
                  fixture_teardown);
    }
}

int
main (int argc, char **argv)
{
  shmlab_test_init (&argc, &argv);
  main_thread = g_thread_self ();
  add_each ("round-trip", test_round_trip);
  add_each ("idle-main-loop", test_idle_main_loop);
  add_each ("reuse", test_reuse);
  add_each ("too-large", test_too_large);
  add_each ("write-into-attached", test_write_into_attached);
  add_each ("wait-for-lock", test_wait_for_lock);
  add_each ("cancel-wait", test_cancel_wait);
  add_each ("timeout", test_timeout);
  add_each ("busy", test_busy);
  add_each ("step-by-step", test_step_by_step);
  add_each ("remove", test_remove);
  add_each ("close/drop-while-locked", test_drop_while_locked);
  add_each ("close/while-waiting", test_close_while_waiting);
  add_each ("close/past-timeout", test_close_past_timeout);
  add_each ("close/twice", test_close_twice);
  add_each ("close/without-application", test_close_without_application);
  g_test_add ("/session/sysv/close/application-held", Fixture,
              GINT_TO_POINTER (SHMLAB_BACKEND_SYSV), fixture_setup, test_application_held,
              fixture_teardown);
  g_test_add ("/session/sysv/follow", Fixture, GINT_TO_POINTER (SHMLAB_BACKEND_SYSV),
              fixture_setup, test_follow, fixture_teardown);
  return g_test_run ();
}
