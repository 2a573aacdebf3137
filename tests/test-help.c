/* test-help.c — the "How it works" window and the About dialog: what they
 * say, that the menu's actions open them, and that they go away when closed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-test-util.h"

#include <string.h>

#include "shmlab-app-support.h"
#include "shmlab-help.h"

/* Bounded: fails rather than hangs when the window never goes. */
static void
destroy_and_assert_finalized (GtkWindow *window)
{
  g_object_ref (window);
  gtk_window_destroy (window);
  for (int i = 0; i < 100; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_finalize_object (window);
}

static void
collect_labels (GtkWidget *widget,
                GString   *visible_text)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget))
    {
      g_string_append (visible_text, gtk_label_get_text (GTK_LABEL (widget)));
      g_string_append_c (visible_text, '\n');
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_labels (child, visible_text);
}

static char *
visible_text (GtkWindow *window)
{
  GString *text = g_string_new (NULL);

  collect_labels (GTK_WIDGET (window), text);
  return g_string_free (text, FALSE);
}

static void
test_how_it_works (gconstpointer data)
{
  ShmlabHelpRole role = GPOINTER_TO_INT (data);
  GtkWindow *parent = GTK_WINDOW (gtk_window_new ());
  GtkWindow *help;
  g_autofree char *text = NULL;

  gtk_window_present (parent);
  help = shmlab_help_show_how_it_works (parent, role);
  g_assert_true (GTK_IS_WINDOW (help));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (help)));
  g_assert_true (gtk_window_get_transient_for (help) == parent);

  text = visible_text (help);
  /* The chain a student must learn, and the two tabs it explains. */
  for (const char *const *word = (const char *const[]) { "native key", "segment", "semaphore",
                                                         "Create", "attach", "Lock", "Copy",
                                                         "Unlock", "Detach", "Steps", "Segment",
                                                         "docs/lesson.md", NULL };
       *word != NULL; word++)
    if (strstr (text, *word) == NULL)
      g_error ("the help does not mention “%s”:\n%s", *word, text);
  if (role == SHMLAB_HELP_WRITER)
    {
      g_assert_nonnull (strstr (text, "This window is the Writer"));
      g_assert_null (strstr (text, "This window is the Reader"));
    }
  else
    {
      g_assert_nonnull (strstr (text, "This window is the Reader"));
      g_assert_null (strstr (text, "This window is the Writer"));
    }

  destroy_and_assert_finalized (help);
  destroy_and_assert_finalized (parent);
}

/* Escape closes "How it works": the window's own shortcut, as GTK finds it. */
static void
test_escape_closes (void)
{
  GtkWindow *help = shmlab_help_show_how_it_works (NULL, SHMLAB_HELP_WRITER);
  g_autoptr(GtkShortcutTrigger) escape = gtk_shortcut_trigger_parse_string ("Escape");
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (help));
  GtkShortcut *closing = NULL;

  g_object_ref (help);
  for (guint i = 0; i < g_list_model_get_n_items (controllers) && closing == NULL; i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);

          if (gtk_shortcut_trigger_equal (gtk_shortcut_get_trigger (shortcut), escape))
            closing = shortcut;
        }
    }
  g_assert_nonnull (closing);
  g_assert_true (gtk_shortcut_action_activate (gtk_shortcut_get_action (closing),
                                               GTK_SHORTCUT_ACTION_EXCLUSIVE, GTK_WIDGET (help),
                                               NULL));
  g_clear_object (&controllers);
  for (int i = 0; i < 100; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (help)));
  g_assert_finalize_object (help);
}

static void
test_about (gconstpointer data)
{
  ShmlabHelpRole role = GPOINTER_TO_INT (data);
  GtkWindow *parent = GTK_WINDOW (gtk_window_new ());
  GtkWindow *window;
  GtkAboutDialog *about;
  const char *version;

  gtk_window_present (parent);
  window = shmlab_help_show_about (parent, role);
  g_assert_true (GTK_IS_ABOUT_DIALOG (window));
  about = GTK_ABOUT_DIALOG (window);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_assert_true (gtk_window_get_transient_for (window) == parent);
  g_assert_true (gtk_window_get_modal (window));

  g_assert_cmpstr (gtk_about_dialog_get_program_name (about), ==,
                   role == SHMLAB_HELP_WRITER ? "ShmLab Writer" : "ShmLab Reader");
  version = gtk_about_dialog_get_version (about);
  g_assert_nonnull (version);
  g_assert_true (g_regex_match_simple ("^[0-9]+\\.[0-9]+\\.[0-9]+", version, 0, 0));
  g_assert_cmpint (gtk_about_dialog_get_license_type (about), ==, GTK_LICENSE_GPL_3_0);
  g_assert_cmpstr (gtk_about_dialog_get_website (about), ==, SHMLAB_LESSON_URL);

  destroy_and_assert_finalized (window);
  destroy_and_assert_finalized (parent);
}

static GtkWindow *
find_transient_child (GtkWindow *parent,
                      GType      type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (window != parent && G_TYPE_CHECK_INSTANCE_TYPE (window, type)
          && gtk_window_get_transient_for (window) == parent)
        return window;
    }
  return NULL;
}

static void
test_actions (void)
{
  g_autoptr(GtkApplication) app = gtk_application_new ("io.github.shmlab.TestHelp",
                                                       G_APPLICATION_NON_UNIQUE);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) accels = NULL;
  GtkWindow *window;
  GtkWindow *help;
  GtkWindow *about;

  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  shmlab_help_install (app, SHMLAB_HELP_READER);

  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "help"));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "about"));
  accels = gtk_application_get_accels_for_action (app, "app.help");
  g_assert_nonnull (accels);
  g_assert_true (g_strv_contains ((const char *const *) accels, "F1"));

  window = GTK_WINDOW (gtk_application_window_new (app));
  gtk_window_present (window);

  g_action_group_activate_action (G_ACTION_GROUP (app), "help", NULL);
  help = find_transient_child (window, GTK_TYPE_WINDOW);
  g_assert_nonnull (help);
  g_assert_false (GTK_IS_ABOUT_DIALOG (help));
  destroy_and_assert_finalized (help);

  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  about = find_transient_child (window, GTK_TYPE_ABOUT_DIALOG);
  g_assert_nonnull (about);
  g_assert_cmpstr (gtk_about_dialog_get_program_name (GTK_ABOUT_DIALOG (about)), ==,
                   "ShmLab Reader");
  destroy_and_assert_finalized (about);

  destroy_and_assert_finalized (window);
}

int
main (int argc, char **argv)
{
  shmlab_test_init (&argc, &argv);
  gtk_init ();
  shmlab_app_support_init ();

  g_test_add_data_func ("/help/how-it-works/writer", GINT_TO_POINTER (SHMLAB_HELP_WRITER),
                        test_how_it_works);
  g_test_add_data_func ("/help/how-it-works/reader", GINT_TO_POINTER (SHMLAB_HELP_READER),
                        test_how_it_works);
  g_test_add_data_func ("/help/about/writer", GINT_TO_POINTER (SHMLAB_HELP_WRITER), test_about);
  g_test_add_data_func ("/help/about/reader", GINT_TO_POINTER (SHMLAB_HELP_READER), test_about);
  g_test_add_func ("/help/actions", test_actions);
  g_test_add_func ("/help/escape-closes", test_escape_closes);
  return g_test_run ();
}
