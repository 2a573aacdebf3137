/* shmlab-help.c — the "How it works" window, the keyboard shortcuts window
 * and the About dialog, reached from both windows' menus as app.help (F1),
 * app.shortcuts (Ctrl+?) and app.about; and F10, which opens the menu
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-help.h"

#include <glib/gi18n.h>

#ifndef SHMLAB_VERSION
#error "the build defines SHMLAB_VERSION"
#endif

#define ROLE_KEY "shmlab-help-role"

static ShmlabHelpRole
app_role (GApplication *app)
{
  return (ShmlabHelpRole) GPOINTER_TO_INT (g_object_get_data (G_OBJECT (app), ROLE_KEY));
}

/* The menu's popover keeps the focus and stays open over the new window:
 * close it first. */
static GtkWindow *
active_window_closing_popover (GtkApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (app);
  GtkWidget *focus;
  GtkWidget *popover;

  if (window == NULL)
    return NULL;
  focus = gtk_root_get_focus (GTK_ROOT (window));
  popover = focus != NULL ? gtk_widget_get_ancestor (focus, GTK_TYPE_POPOVER) : NULL;
  if (popover != NULL)
    gtk_popover_popdown (GTK_POPOVER (popover));
  return window;
}

static void
help_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);

  shmlab_help_show_how_it_works (active_window_closing_popover (app),
                                 app_role (G_APPLICATION (app)));
}

static void
shortcuts_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);

  shmlab_help_show_shortcuts (active_window_closing_popover (app),
                              app_role (G_APPLICATION (app)));
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);

  shmlab_help_show_about (active_window_closing_popover (app),
                          app_role (G_APPLICATION (app)));
}

/**
 * shmlab_help_install:
 * @app: the application, from its startup
 * @role: which program it is
 *
 * Adds app.help (F1), app.shortcuts (Ctrl+?) and app.about, which open on
 * the active window, and F10 for the window's menu (win.show-menu).
 */
void
shmlab_help_install (GtkApplication *app,
                     ShmlabHelpRole  role)
{
  static const GActionEntry entries[] = {
    { "help", help_activated, NULL, NULL, NULL, { 0 } },
    { "shortcuts", shortcuts_activated, NULL, NULL, NULL, { 0 } },
    { "about", about_activated, NULL, NULL, NULL, { 0 } },
  };
  static const char *const help_accels[] = { "F1", NULL };
  static const char *const shortcuts_accels[] = { "<Control>question", NULL };
  static const char *const menu_accels[] = { "F10", NULL };

  g_return_if_fail (GTK_IS_APPLICATION (app));

  g_object_set_data (G_OBJECT (app), ROLE_KEY, GINT_TO_POINTER (role));
  g_action_map_add_action_entries (G_ACTION_MAP (app), entries, G_N_ELEMENTS (entries), app);
  gtk_application_set_accels_for_action (app, "app.help", help_accels);
  gtk_application_set_accels_for_action (app, "app.shortcuts", shortcuts_accels);
  gtk_application_set_accels_for_action (app, "win.show-menu", menu_accels);
}

/**
 * shmlab_help_show_how_it_works:
 * @parent: (nullable): the window it explains
 * @role: which program it explains
 *
 * Returns: (transfer none): the help window, shown; it goes away when closed
 */
GtkWindow *
shmlab_help_show_how_it_works (GtkWindow      *parent,
                               ShmlabHelpRole  role)
{
  g_autoptr(GtkBuilder) builder = gtk_builder_new ();
  g_autoptr(GError) error = NULL;
  GtkWindow *window;
  GtkWidget *role_label;

  gtk_builder_set_translation_domain (builder, GETTEXT_PACKAGE);
  if (!gtk_builder_add_from_resource (builder, "/io/github/shmlab/shmlab-help.ui", &error))
    g_error ("the built-in help window is broken: %s", error->message);

  window = GTK_WINDOW (gtk_builder_get_object (builder, "help_window"));
  /* The Lab is both: it keeps both programs' paragraphs. */
  if (role != SHMLAB_HELP_LAB)
    {
      role_label = GTK_WIDGET (gtk_builder_get_object (builder,
                                                       role == SHMLAB_HELP_WRITER
                                                       ? "reader_label" : "writer_label"));
      gtk_widget_set_visible (role_label, FALSE);
    }
  if (parent != NULL)
    {
      gtk_window_set_transient_for (window, parent);
      gtk_window_set_destroy_with_parent (window, TRUE);
    }
  gtk_window_present (window);
  return window;
}

/**
 * shmlab_help_new_shortcuts_window:
 * @role: which program's keys it lists
 *
 * Returns: (transfer full): the keyboard shortcuts window, not shown yet
 */
GtkWindow *
shmlab_help_new_shortcuts_window (ShmlabHelpRole role)
{
  g_autoptr(GtkBuilder) builder = gtk_builder_new ();
  g_autoptr(GError) error = NULL;
  const char *path = role == SHMLAB_HELP_WRITER ? "/io/github/shmlab/shmlab-shortcuts-writer.ui"
                     : role == SHMLAB_HELP_READER ? "/io/github/shmlab/shmlab-shortcuts-reader.ui"
                     : "/io/github/shmlab/shmlab-shortcuts-lab.ui";

  gtk_builder_set_translation_domain (builder, GETTEXT_PACKAGE);
  if (!gtk_builder_add_from_resource (builder, path, &error))
    g_error ("the built-in shortcuts window is broken: %s", error->message);
  return g_object_ref_sink (GTK_WINDOW (gtk_builder_get_object (builder, "shortcuts_window")));
}

/**
 * shmlab_help_show_shortcuts:
 * @parent: (nullable): the window whose keys it lists
 * @role: which program's keys it lists
 *
 * Returns: (transfer none): the keyboard shortcuts window, shown; it goes
 *   away when closed
 */
GtkWindow *
shmlab_help_show_shortcuts (GtkWindow      *parent,
                            ShmlabHelpRole  role)
{
  GtkWindow *window = shmlab_help_new_shortcuts_window (role);

  if (parent != NULL)
    {
      gtk_window_set_transient_for (window, parent);
      gtk_window_set_destroy_with_parent (window, TRUE);
    }
  gtk_window_present (window);
  /* The window list holds it from here on. */
  g_object_unref (window);
  return window;
}

/**
 * shmlab_help_show_about:
 * @parent: (nullable): the window it is shown over
 * @role: which program it describes
 *
 * Returns: (transfer none): the About dialog, shown; it goes away when closed
 */
GtkWindow *
shmlab_help_show_about (GtkWindow      *parent,
                        ShmlabHelpRole  role)
{
  const char *authors[] = { _("The ShmLab authors"), NULL };
  GtkWidget *dialog = gtk_about_dialog_new ();
  GtkAboutDialog *about = GTK_ABOUT_DIALOG (dialog);

  gtk_about_dialog_set_program_name (about, role == SHMLAB_HELP_WRITER ? _("ShmLab Writer")
                                     : role == SHMLAB_HELP_READER ? _("ShmLab Reader")
                                     : _("ShmLab Lab"));
  gtk_about_dialog_set_logo_icon_name (about, role == SHMLAB_HELP_WRITER ? "io.github.shmlab.Writer"
                                       : role == SHMLAB_HELP_READER ? "io.github.shmlab.Reader"
                                       : "io.github.shmlab.Lab");
  gtk_about_dialog_set_version (about, SHMLAB_VERSION);
  gtk_about_dialog_set_comments (about,
                                 _("Learn how two programs share memory: a key, a segment, "
                                   "a lock, and every step between them, the way Qt’s "
                                   "QSharedMemory demo does it."));
  gtk_about_dialog_set_license_type (about, GTK_LICENSE_GPL_3_0);
  gtk_about_dialog_set_authors (about, authors);
  /* TRANSLATORS: point this at the lesson in your language if there is one,
   * e.g. docs/lesson.zh_CN.md */
  gtk_about_dialog_set_website (about, _(SHMLAB_LESSON_URL));
  gtk_about_dialog_set_website_label (about, _("The lesson: eight experiments with shared memory"));
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  if (parent != NULL)
    {
      gtk_window_set_transient_for (GTK_WINDOW (dialog), parent);
      gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
    }
  gtk_window_present (GTK_WINDOW (dialog));
  return GTK_WINDOW (dialog);
}
