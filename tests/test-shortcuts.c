/* test-shortcuts.c — every key each program answers is in its keyboard
 * shortcuts window (Ctrl+?), the keys every window shares are there (F1,
 * F10, Ctrl+?), and F10 opens the menu
 *
 * With SHMLAB_FOCUS_SHOTS=DIR each window is also saved as
 * DIR/shortcuts-PROGRAM.png, to look at.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-test-gtk.h"
#include "shmlab-test-util.h"

#include <gtk/gtk.h>

#include "shmlab-app-support.h"
#include "shmlab-help.h"
#include "shmlab-i18n.h"
#include "shmlab-lab-application.h"
#include "shmlab-reader-application.h"
#include "shmlab-writer-application.h"
#include "shmlab-writer-station.h"

/* Key and modifiers of @accel, as one comparable value ("<Primary>O" and
 * "<Control>o" are the same key). */
static char *
normalize (const char *accel)
{
  guint key = 0;
  GdkModifierType mods = 0;

  if (!gtk_accelerator_parse (accel, &key, &mods))
    return NULL;
  return gtk_accelerator_name (gdk_keyval_to_lower (key), mods);
}

/* Every accelerator the window lists, normalized, into @listed. */
static void
collect_listed (GtkWidget  *widget,
                GHashTable *listed)
{
  if (GTK_IS_SHORTCUTS_SHORTCUT (widget))
    {
      g_autofree char *accelerators = NULL;
      g_auto(GStrv) each = NULL;

      g_object_get (widget, "accelerator", &accelerators, NULL);
      each = g_strsplit (accelerators != NULL ? accelerators : "", " ", -1);
      for (guint i = 0; each[i] != NULL; i++)
        {
          char *accel = *each[i] != '\0' ? normalize (each[i]) : NULL;

          if (accel != NULL)
            g_hash_table_add (listed, accel);
        }
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_listed (child, listed);
}

static gboolean
wake (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
save_picture (GtkWindow  *window,
              const char *name)
{
  const char *shots = g_getenv ("SHMLAB_FOCUS_SHOTS");
  g_autofree char *file = g_strdup_printf ("shortcuts-%s.png", name);
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  gboolean woken = FALSE;

  if (shots == NULL)
    return;
  path = g_build_filename (shots, file, NULL);
  gtk_window_present (window);
  g_timeout_add (300, wake, &woken);
  while (!woken)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (shmlab_widget_save_png (GTK_WIDGET (window), path, 1, &error));
}

static GHashTable *
listed_in_window (ShmlabHelpRole role)
{
  GHashTable *listed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GtkWindow *window = shmlab_help_new_shortcuts_window (role);

  g_assert_true (GTK_IS_SHORTCUTS_WINDOW (window));
  save_picture (window, role == SHMLAB_HELP_WRITER ? "writer"
                        : role == SHMLAB_HELP_READER ? "reader" : "lab");
  collect_listed (GTK_WIDGET (window), listed);
  gtk_window_destroy (window);
  g_assert_finalize_object (window);
  return listed;
}

/* Each accelerator set on @app is listed in its shortcuts window. */
static void
assert_all_listed (GtkApplication *app,
                   ShmlabHelpRole  role)
{
  g_autoptr(GHashTable) listed = listed_in_window (role);
  g_auto(GStrv) actions = NULL;
  guint n_accels = 0;
  const char *shared[] = { "F1", "F10", "<Control>question" };

  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  actions = gtk_application_list_action_descriptions (app);
  for (guint i = 0; actions[i] != NULL; i++)
    {
      g_auto(GStrv) accels = gtk_application_get_accels_for_action (app, actions[i]);

      for (guint j = 0; accels[j] != NULL; j++)
        {
          g_autofree char *accel = normalize (accels[j]);

          g_assert_nonnull (accel);
          if (!g_hash_table_contains (listed, accel))
            g_error ("%s (%s) is not in the keyboard shortcuts window", accels[j], actions[i]);
          n_accels++;
        }
    }
  /* The keys every window shares are among them. */
  for (guint i = 0; i < G_N_ELEMENTS (shared); i++)
    {
      g_autofree char *accel = normalize (shared[i]);
      g_assert_true (g_hash_table_contains (listed, accel));
    }
  g_assert_cmpuint (n_accels, >=, 6);
  g_assert_true (g_action_map_lookup_action (G_ACTION_MAP (app), "shortcuts") != NULL);
}

static void
test_writer_listed (void)
{
  g_autoptr(ShmlabWriterApplication) app = shmlab_writer_application_new ();

  assert_all_listed (GTK_APPLICATION (app), SHMLAB_HELP_WRITER);
}

static void
test_reader_listed (void)
{
  g_autoptr(ShmlabReaderApplication) app = shmlab_reader_application_new ();

  assert_all_listed (GTK_APPLICATION (app), SHMLAB_HELP_READER);
}

/* The Lab sets both stations' keys, and lists them all. */
static void
test_lab_listed (void)
{
  g_autoptr(ShmlabLabApplication) app = shmlab_lab_application_new ();

  assert_all_listed (GTK_APPLICATION (app), SHMLAB_HELP_LAB);
}

/* What an accelerator missing from the window looks like to the check above. */
static void
test_missing_is_found (void)
{
  g_autoptr(GHashTable) listed = listed_in_window (SHMLAB_HELP_WRITER);
  g_autofree char *listed_key = normalize ("<Primary>O");
  g_autofree char *unlisted_key = normalize ("<Control><Shift>F12");

  g_assert_true (g_hash_table_contains (listed, listed_key));
  g_assert_false (g_hash_table_contains (listed, unlisted_key));
}

/* F10 is the window's win.show-menu, which opens the ☰ menu. */
static void
test_f10_opens_menu (void)
{
  ShmlabWriterStation *window = g_object_ref_sink (shmlab_test_writer_new (NULL));
  GtkWidget *titlebar;
  GtkMenuButton *menu_button;
  GtkPopover *popover;

  gtk_window_present (shmlab_test_window_of (window));
  titlebar = GTK_WIDGET (window);
  menu_button = GTK_MENU_BUTTON (shmlab_test_find_by_type (titlebar, GTK_TYPE_MENU_BUTTON));
  popover = gtk_menu_button_get_popover (menu_button);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (popover)));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-menu", NULL));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (popover)));

  gtk_popover_popdown (popover);
  gtk_window_destroy (shmlab_test_window_of (window));
  g_assert_finalize_object (window);
}

int
main (int    argc,
      char **argv)
{
  shmlab_test_init (&argc, &argv);
  /* The pictures may be looked at in any language (LANGUAGE=zh_CN). */
  shmlab_i18n_init ();
  gtk_init ();
  shmlab_app_support_init ();

  g_test_add_func ("/shortcuts/writer-listed", test_writer_listed);
  g_test_add_func ("/shortcuts/reader-listed", test_reader_listed);
  g_test_add_func ("/shortcuts/lab-listed", test_lab_listed);
  g_test_add_func ("/shortcuts/missing-is-found", test_missing_is_found);
  g_test_add_func ("/shortcuts/f10-opens-menu", test_f10_opens_menu);
  return g_test_run ();
}
