/* test-watch.c — the watch on a key: it sees a segment come and go and the
 * lock taken, from a worker, without making anything, and goes away clean
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <unistd.h>

#include "shmlab-backend-private.h"
#include "shmlab-segment.h"
#include "shmlab-test-util.h"
#include "shmlab-watch.h"

/* A bound on every wait: reaching it fails the test, it never paces it. */
#define WAIT_SECONDS 60

static gboolean
segment_seen (gpointer data)
{
  ShmlabWatch *watch = data;

  return shmlab_watch_get_known (watch) && shmlab_watch_get_info (watch)->exists;
}

static gboolean
segment_gone (gpointer data)
{
  ShmlabWatch *watch = data;

  return shmlab_watch_get_known (watch) && !shmlab_watch_get_info (watch)->exists;
}

static gboolean
segment_unattached (gpointer data)
{
  ShmlabWatch *watch = data;

  return shmlab_watch_get_known (watch) && shmlab_watch_get_info (watch)->exists &&
         shmlab_watch_get_info (watch)->attach_count == 0;
}

static gboolean
lock_taken (gpointer data)
{
  ShmlabWatch *watch = data;

  return shmlab_watch_get_known (watch) &&
         shmlab_watch_get_lock (watch)->state == SHMLAB_LOCK_STATE_TAKEN;
}

static gboolean
lock_free (gpointer data)
{
  ShmlabWatch *watch = data;

  return shmlab_watch_get_known (watch) &&
         shmlab_watch_get_lock (watch)->state == SHMLAB_LOCK_STATE_FREE;
}

static void
count_changes (guint *changes)
{
  (*changes)++;
}

/* A segment appears, its lock is taken and given back, it goes: the watch
 * sees each, and says "changed" only when something did. */
static void
test_follows (gconstpointer data)
{
  ShmlabBackend backend = GPOINTER_TO_INT (data);
  const ShmlabBackendClass *klass = shmlab_backend_get (backend);
  g_autofree char *name = shmlab_test_unique_key ("watch");
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabKey) key = shmlab_key_new (name, backend, &error);
  g_autoptr(ShmlabWatch) watch = shmlab_watch_new (50);
  g_autoptr(ShmlabSegment) segment = NULL;
  guint changes = 0, before;

  g_assert_no_error (error);
  g_signal_connect_swapped (watch, "changed", G_CALLBACK (count_changes), &changes);
  g_assert_false (shmlab_watch_get_known (watch));
  shmlab_watch_set_key (watch, key);
  shmlab_test_wait_until (segment_gone, watch, WAIT_SECONDS, "the first look");
  g_assert_cmpuint (changes, ==, 1);
  g_assert_cmpint (shmlab_watch_get_lock (watch)->state, ==, SHMLAB_LOCK_STATE_NONE);
  /* Looking made nothing. */
  g_assert_false (klass->lock_exists (shmlab_key_get_semaphore_name (key)));
  g_assert_false (klass->name_exists (shmlab_key_get_segment_name (key)));

  segment = shmlab_segment_new_for_key (key);
  g_assert_true (shmlab_segment_create (segment, 3000, SHMLAB_ACCESS_READ_WRITE, NULL, &error));
  g_assert_no_error (error);
  shmlab_test_wait_until (segment_seen, watch, WAIT_SECONDS, "the segment to be seen");
  g_assert_cmpuint (shmlab_watch_get_info (watch)->size, ==, 3000);
  g_assert_cmpint (shmlab_watch_get_info (watch)->attach_count, ==, 1);
  shmlab_test_wait_until (lock_free, watch, WAIT_SECONDS, "the lock to be seen free");

  g_assert_true (shmlab_segment_lock (segment, NULL, &error));
  g_assert_no_error (error);
  shmlab_test_wait_until (lock_taken, watch, WAIT_SECONDS, "the lock to be seen taken");
  /* Taken by this process: the system says so for a System V semaphore;
   * a text segment records no holder for a POSIX one. */
  g_assert_true (shmlab_watch_get_lock (watch)->pid == 0 ||
                 shmlab_watch_get_lock (watch)->pid == getpid ());

  /* Nothing changes: a refresh looks, and says nothing. */
  before = changes;
  shmlab_watch_refresh (watch);
  shmlab_watch_refresh (watch);
  g_assert_true (shmlab_segment_unlock (segment, &error));
  g_assert_no_error (error);
  shmlab_test_wait_until (lock_free, watch, WAIT_SECONDS, "the lock to be seen free again");
  g_assert_cmpuint (changes, ==, before + 1);

  g_assert_true (shmlab_segment_detach (segment, &error));
  g_assert_no_error (error);
  /* A file stays after its last detach: seen unused, then gone once removed. */
  if (klass->persistent)
    {
      shmlab_test_wait_until (segment_unattached, watch, WAIT_SECONDS,
                              "the file to be seen unused");
      g_assert_true (shmlab_segment_remove_for_key (key, FALSE, &error));
      g_assert_no_error (error);
    }
  shmlab_test_wait_until (segment_gone, watch, WAIT_SECONDS, "the segment to be seen gone");

  shmlab_watch_stop (watch);
  g_assert_false (shmlab_watch_get_known (watch));
}

/* Another key: the old key's answers are never taken for the new one's. */
static void
test_key_change (void)
{
  g_autofree char *name = shmlab_test_unique_key ("watchone");
  g_autofree char *other_name = shmlab_test_unique_key ("watchtwo");
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabKey) key = shmlab_key_new (name, SHMLAB_BACKEND_SYSV, &error);
  g_autoptr(ShmlabKey) other = shmlab_key_new (other_name, SHMLAB_BACKEND_SYSV, &error);
  g_autoptr(ShmlabWatch) watch = shmlab_watch_new (SHMLAB_WATCH_INTERVAL_MS);
  g_autoptr(ShmlabSegment) segment = shmlab_segment_new_for_key (key);

  g_assert_true (shmlab_segment_create (segment, 100, SHMLAB_ACCESS_READ_WRITE, NULL, &error));
  g_assert_no_error (error);
  shmlab_watch_set_key (watch, key);
  /* At once, with the first look still in flight. */
  shmlab_watch_set_key (watch, other);
  g_assert_true (shmlab_watch_get_key (watch) == other);
  shmlab_test_wait_until (segment_gone, watch, WAIT_SECONDS, "the other key's first look");
  shmlab_watch_set_key (watch, key);
  shmlab_test_wait_until (segment_seen, watch, WAIT_SECONDS, "the first key's segment");

  shmlab_watch_set_key (watch, NULL);
  g_assert_false (shmlab_watch_get_known (watch));
  g_assert_true (shmlab_segment_detach (segment, &error));
  g_assert_no_error (error);
}

/* Stopped and let go with a look in flight (as a closing window does): the
 * watch goes once the look ends, and says nothing after it was stopped. A
 * watch only let go goes the same way. */
static void
test_unref_while_looking (void)
{
  g_autofree char *name = shmlab_test_unique_key ("watchgo");
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabKey) key = shmlab_key_new (name, SHMLAB_BACKEND_SYSV, &error);
  ShmlabWatch *watch = shmlab_watch_new (SHMLAB_WATCH_INTERVAL_MS);
  guint changes = 0;

  g_signal_connect_swapped (watch, "changed", G_CALLBACK (count_changes), &changes);
  g_object_add_weak_pointer (G_OBJECT (watch), (gpointer *) &watch);
  shmlab_watch_set_key (watch, key);
  shmlab_watch_stop (watch);
  g_object_unref (watch);
  shmlab_test_wait_until (shmlab_test_pointer_cleared, &watch, WAIT_SECONDS, "the watch to go");
  g_assert_cmpuint (changes, ==, 0);

  watch = shmlab_watch_new (SHMLAB_WATCH_INTERVAL_MS);
  g_object_add_weak_pointer (G_OBJECT (watch), (gpointer *) &watch);
  shmlab_watch_set_key (watch, key);
  g_object_unref (watch);
  shmlab_test_wait_until (shmlab_test_pointer_cleared, &watch, WAIT_SECONDS,
                          "the watch only let go to go");
}

int
main (int    argc,
      char **argv)
{
  shmlab_test_init (&argc, &argv);

  {
    guint n_backends;
    const ShmlabBackend *backends = shmlab_backend_all (&n_backends);

    for (guint b = 0; b < n_backends; b++)
      {
        g_autofree char *path = g_strdup_printf ("/watch/follows/%s",
                                                 shmlab_backend_to_string (backends[b]));

        g_test_add_data_func (path, GINT_TO_POINTER (backends[b]), test_follows);
      }
  }
  g_test_add_func ("/watch/key-change", test_key_change);
  g_test_add_func ("/watch/unref-while-looking", test_unref_while_looking);
  return g_test_run ();
}
