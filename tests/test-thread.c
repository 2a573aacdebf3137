/* test-thread.c — a worker that gives way to the window: it runs at the
 * background priority, and the main thread keeps its own
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gio/gio.h>

#include "shmlab-test-util.h"
#include "shmlab-thread.h"

static void
background_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  shmlab_thread_set_background ();
  g_task_return_boolean (task, shmlab_thread_is_background ());
}

static void
test_background (void)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);
  g_autoptr(GError) error = NULL;

  /* The main thread draws the window: it is not made background. */
  g_assert_false (shmlab_thread_is_background ());
  g_task_run_in_thread_sync (task, background_thread);
  g_assert_true (g_task_propagate_boolean (task, &error));
  g_assert_no_error (error);
  g_assert_false (shmlab_thread_is_background ());
}

int
main (int argc, char **argv)
{
  shmlab_test_init (&argc, &argv);
  g_test_add_func ("/thread/background", test_background);
  return g_test_run ();
}
