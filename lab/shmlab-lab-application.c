/* shmlab-lab-application.c — the Lab application: its options, its keys
 * (the Writer's and the Reader's) and its one window per activation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-lab-application.h"

#include <glib/gi18n.h>

#include "shmlab-app-support.h"
#include "shmlab-help.h"
#include "shmlab-lab-window.h"

struct _ShmlabLabApplication
{
  GtkApplication parent_instance;

  ShmlabAppOptions options;
  char *text;
  gboolean write_at_start;
  gboolean read_at_start;
  gboolean follow_at_start;
};

G_DEFINE_FINAL_TYPE (ShmlabLabApplication, shmlab_lab_application, GTK_TYPE_APPLICATION)

static const GOptionEntry lab_entries[] = {
  { "text", 't', 0, G_OPTION_ARG_STRING, NULL, N_("The text the Writer's pane holds"), "TEXT" },
  { "write", 'w', 0, G_OPTION_ARG_NONE, NULL,
    N_("Write to shared memory from the Writer's pane once the window is open"), NULL },
  { "read", 'r', 0, G_OPTION_ARG_NONE, NULL,
    N_("Then read it in the Reader's pane (after the write, with --write)"), NULL },
  { "follow", 'f', 0, G_OPTION_ARG_NONE, NULL,
    N_("Then follow it in the Reader's pane: it stays attached, and the Memory tab shows "
       "this one process mapping the segment twice"), NULL },
  { NULL }
};

static gint
shmlab_lab_application_handle_local_options (GApplication *app,
                                             GVariantDict *options)
{
  ShmlabLabApplication *self = SHMLAB_LAB_APPLICATION (app);
  g_autoptr(GError) error = NULL;

  shmlab_app_options_clear (&self->options);
  g_clear_pointer (&self->text, g_free);
  if (!shmlab_app_options_read (options, &self->options, &error))
    {
      g_printerr (_("shmlab-lab: %s\n"), error->message);
      return 2;
    }
  if (self->options.version)
    {
      shmlab_app_print_version ();
      return 0;
    }
  g_variant_dict_lookup (options, "text", "s", &self->text);
  self->write_at_start = g_variant_dict_contains (options, "write");
  self->read_at_start = g_variant_dict_contains (options, "read");
  self->follow_at_start = g_variant_dict_contains (options, "follow");
  return -1;
}

static void
shmlab_lab_application_startup (GApplication *app)
{
  G_APPLICATION_CLASS (shmlab_lab_application_parent_class)->startup (app);

  shmlab_app_support_init ();
  shmlab_app_options_startup (&SHMLAB_LAB_APPLICATION (app)->options, GTK_APPLICATION (app));
  shmlab_help_install (GTK_APPLICATION (app), SHMLAB_HELP_LAB);
  shmlab_app_quit_on_signals (app);
  shmlab_app_add_quit (GTK_APPLICATION (app));
  /* Each pane's keys act in it while the focus is there. */
  shmlab_writer_station_set_accels (GTK_APPLICATION (app));
  shmlab_reader_station_set_accels (GTK_APPLICATION (app));
}

static void
shmlab_lab_application_shutdown (GApplication *app)
{
  shmlab_app_shutdown (app, "shmlab-lab");
  G_APPLICATION_CLASS (shmlab_lab_application_parent_class)->shutdown (app);
}

/* The start-up is over: the picture, when one was asked for. */
static void
startup_done (ShmlabLabWindow *window)
{
  ShmlabLabApplication *self =
    SHMLAB_LAB_APPLICATION (gtk_window_get_application (GTK_WINDOW (window)));

  if (self != NULL && self->options.screenshot != NULL)
    shmlab_window_screenshot_when_ready (GTK_WINDOW (window), self->options.screenshot,
                                         self->options.screenshot_delay_ms);
}

/* The Reader's pane reads or follows (and takes the picture when it has
 * shown the first result). */
static void
startup_read (ShmlabLabWindow *window)
{
  ShmlabLabApplication *self =
    SHMLAB_LAB_APPLICATION (gtk_window_get_application (GTK_WINDOW (window)));

  if (self == NULL)
    return;
  if (self->read_at_start || self->follow_at_start)
    shmlab_reader_station_start (shmlab_lab_window_get_reader (window),
                                 self->follow_at_start ? SHMLAB_READER_START_FOLLOW
                                                       : SHMLAB_READER_START_READ,
                                 self->options.screenshot, self->options.screenshot_delay_ms);
  else
    startup_done (window);
}

static void
startup_written_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(ShmlabLabWindow) window = user_data;

  /* A failed write shows in the Writer's pane; the Reader's read says what it finds. */
  shmlab_writer_station_write_finish (SHMLAB_WRITER_STATION (source), result, NULL);
  startup_read (window);
}

static void
shmlab_lab_application_activate (GApplication *app)
{
  ShmlabLabApplication *self = SHMLAB_LAB_APPLICATION (app);
  ShmlabLabWindow *window = shmlab_lab_window_new (GTK_APPLICATION (app));
  ShmlabWriterStation *writer = shmlab_lab_window_get_writer (window);
  ShmlabReaderStation *reader = shmlab_lab_window_get_reader (window);
  g_autofree char *page = g_strdup (self->options.page);

  /* Both panes take the key, the backend and the timeout; a --page is the
   * Reader's, whose tabs start on Memory otherwise. */
  g_clear_pointer (&self->options.page, g_free);
  shmlab_app_options_apply (&self->options, SHMLAB_STATION (writer));
  self->options.page = g_steal_pointer (&page);
  shmlab_app_options_apply (&self->options, SHMLAB_STATION (reader));
  shmlab_app_options_apply_window (&self->options, GTK_WINDOW (window));
  if (self->text != NULL)
    shmlab_writer_station_set_text (writer, self->text);

  if (self->options.screenshot != NULL)
    g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  gtk_window_present (GTK_WINDOW (window));

  if (self->write_at_start)
    shmlab_writer_station_write_async (writer, NULL, startup_written_cb, g_object_ref (window));
  else
    startup_read (window);
}

static void
shmlab_lab_application_finalize (GObject *object)
{
  ShmlabLabApplication *self = SHMLAB_LAB_APPLICATION (object);

  shmlab_app_options_clear (&self->options);
  g_free (self->text);
  G_OBJECT_CLASS (shmlab_lab_application_parent_class)->finalize (object);
}

static void
shmlab_lab_application_class_init (ShmlabLabApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = shmlab_lab_application_finalize;
  app_class->handle_local_options = shmlab_lab_application_handle_local_options;
  app_class->startup = shmlab_lab_application_startup;
  app_class->shutdown = shmlab_lab_application_shutdown;
  app_class->activate = shmlab_lab_application_activate;
}

static void
shmlab_lab_application_init (ShmlabLabApplication *self)
{
  self->options.lock_timeout_ms = 5000;
  shmlab_app_options_add (G_APPLICATION (self));
  g_application_add_main_option_entries (G_APPLICATION (self), lab_entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), NULL);
  g_application_set_option_context_summary (
    G_APPLICATION (self),
    _("The ShmLab Writer and Reader side by side in one window, one process, one key: "
      "write on the left, read on the right, and see on the Memory tab the one "
      "segment this process maps twice, at two addresses."));
  g_application_set_option_context_description (
    G_APPLICATION (self),
    _("Either pane can also meet separate Writer and Reader programs, the shmlab\n"
    "command or a Qt program by the same key.\n"
    "\n"
    "Example:\n"
    "  shmlab-lab --key demo --text \"hello\" --write --follow"));
}

ShmlabLabApplication *
shmlab_lab_application_new (void)
{
  return g_object_new (SHMLAB_TYPE_LAB_APPLICATION,
                       "application-id", "io.github.shmlab.Lab",
                       "flags", G_APPLICATION_NON_UNIQUE,
                       NULL);
}
