/* shmlab-test-gtk.c — what the tests of the windows share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-test-gtk.h"

/**
 * shmlab_test_find_by_type:
 *
 * Returns: (transfer none) (nullable): the first widget of @type in @root's
 *   tree, @root itself included, depth first
 */
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
