/* shmlab-test-gtk.c — what the tests of the windows share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-test-gtk.h"

#include <string.h>

#include "shmlab-test-util.h"

/**
 * shmlab_test_find_by_type:
 *
 * Returns: (transfer none) (nullable): the first widget of @type in @root's
 *   tree, @root itself included, depth first
 */
/* A Writer in a ShmlabWindow of its own, as the program makes it; the
 * window owns it (shmlab_test_window_of() finds the window). */
ShmlabWriterStation *
shmlab_test_writer_new (GtkApplication *application)
{
  ShmlabWriterStation *station = shmlab_writer_station_new ();

  shmlab_window_new (application, SHMLAB_STATION (station));
  return station;
}

ShmlabReaderStation *
shmlab_test_reader_new (GtkApplication *application)
{
  ShmlabReaderStation *station = shmlab_reader_station_new ();

  shmlab_window_new (application, SHMLAB_STATION (station));
  return station;
}

GtkWindow *
shmlab_test_window_of (gpointer station)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (station));

  g_assert_true (GTK_IS_WINDOW (root));
  return GTK_WINDOW (root);
}

GtkWidget *
shmlab_test_find_by_type (GtkWidget *root,
                          GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = shmlab_test_find_by_type (child, type);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/**
 * shmlab_test_find_actionable:
 *
 * Returns: (transfer none) (nullable): the first widget in @root's tree,
 *   @root itself included, bound to @action (e.g. "win.read")
 */
GtkWidget *
shmlab_test_find_actionable (GtkWidget  *root,
                             const char *action)
{
  if (GTK_IS_ACTIONABLE (root) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (root)), action) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = shmlab_test_find_actionable (child, action);
      if (found != NULL)
        return found;
    }
  return NULL;
}

typedef struct
{
  ShmlabStation *window;
  const char *needle;
} StatusWait;

/* What the key bar says under the fields, as a user reads it. */
static gboolean
status_says (gpointer data)
{
  StatusWait *wait = data;
  g_autofree char *status = shmlab_key_bar_get_status_text (
    shmlab_station_get_key_bar (wait->window));

  return strstr (status, wait->needle) != NULL;
}

/**
 * shmlab_test_wait_for_status:
 *
 * Runs the main context until the key bar of @window says @needle, failing
 * the test ("gave up waiting for @needle") after @seconds.
 */
void
shmlab_test_wait_for_status (ShmlabStation *window,
                             const char   *needle,
                             guint         seconds)
{
  StatusWait wait = { window, needle };

  shmlab_test_wait_until (status_says, &wait, seconds, needle);
}

/**
 * shmlab_test_find_label:
 * @at_start: @text must begin the label's text, not only stand in it
 *
 * Returns: (transfer none) (nullable): the first label in @root's tree,
 *   @root itself included, whose text holds @text
 */
GtkWidget *
shmlab_test_find_label (GtkWidget  *root,
                        gboolean    at_start,
                        const char *text)
{
  if (GTK_IS_LABEL (root))
    {
      const char *label = gtk_label_get_text (GTK_LABEL (root));

      if (at_start ? g_str_has_prefix (label, text) : strstr (label, text) != NULL)
        return root;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = shmlab_test_find_label (child, at_start, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/**
 * shmlab_test_find_button:
 *
 * Returns: (transfer none) (nullable): the first button in @root's tree,
 *   @root itself included, labelled exactly @label (underline included)
 */
GtkWidget *
shmlab_test_find_button (GtkWidget  *root,
                         const char *label)
{
  if (GTK_IS_BUTTON (root) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (root)), label) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = shmlab_test_find_button (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Whether every closed session has detached (its detach runs in a thread). */
gboolean
shmlab_test_all_detached (gpointer unused)
{
  return shmlab_session_count_closing () == 0;
}

/* Closes @station's window and proves it goes away, with everything it
 * started, its session's detach included. The test holds one reference. */
void
shmlab_test_close_station (gpointer station)
{
  gtk_window_destroy (shmlab_test_window_of (station));
  shmlab_test_wait_until (shmlab_test_only_test_holds, station, 60,
                          "the window's operations to let go of it");
  g_assert_finalize_object (station);
  shmlab_test_wait_until (shmlab_test_all_detached, NULL, 60,
                          "the closed window's session to detach");
}
