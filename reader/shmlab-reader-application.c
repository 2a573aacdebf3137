/* shmlab-reader-application.c — the Reader application: its options, its
 * accelerators and its one window per activation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-reader-application.h"

#include <glib/gi18n.h>

#include "shmlab-app-support.h"
#include "shmlab-help.h"
#include "shmlab-reader-station.h"
#include "shmlab-window.h"

struct _ShmlabReaderApplication
{
  GtkApplication parent_instance;

  ShmlabAppOptions options;
  gboolean read_at_start;
  gboolean follow_at_start;
  gboolean print_content;
  ShmlabStreamTransport transport;
  gboolean stop_at_tear;
};

G_DEFINE_FINAL_TYPE (ShmlabReaderApplication, shmlab_reader_application, GTK_TYPE_APPLICATION)

static const GOptionEntry reader_entries[] = {
  { "read", 'r', 0, G_OPTION_ARG_NONE, NULL,
    N_("Read from shared memory once the window is open"), NULL },
  { "follow", 'f', 0, G_OPTION_ARG_NONE, NULL,
    N_("Follow the segment from the start: show every new write as it comes"), NULL },
  { "transport", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Follow a stream through shm (the key's segment; the default), pipe or socket"), "shm|pipe|socket" },
  { "stop-at-tear", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Following a stream, keep the first torn frame on screen"), NULL },
  { "print-content", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Print what the window shows after each read on standard output (see below)"), NULL },
  { NULL }
};

static gint
shmlab_reader_application_handle_local_options (GApplication *app,
                                                GVariantDict *options)
{
  ShmlabReaderApplication *self = SHMLAB_READER_APPLICATION (app);
  g_autoptr(GError) error = NULL;
  const char *transport = NULL;

  shmlab_app_options_clear (&self->options);
  if (!shmlab_app_options_read (options, &self->options, &error))
    {
      g_printerr (_("shmlab-reader: %s\n"), error->message);
      return 2;
    }
  if (self->options.version)
    {
      shmlab_app_print_version ();
      return 0;
    }
  self->read_at_start = g_variant_dict_contains (options, "read");
  self->follow_at_start = g_variant_dict_contains (options, "follow");
  self->print_content = g_variant_dict_contains (options, "print-content");
  self->transport = SHMLAB_STREAM_TRANSPORT_SHM;
  self->stop_at_tear = g_variant_dict_contains (options, "stop-at-tear");
  if (g_variant_dict_lookup (options, "transport", "&s", &transport) &&
      !shmlab_stream_parse_transport (transport, &self->transport, &error))
    {
      g_printerr (_("shmlab-reader: %s\n"), error->message);
      return 2;
    }
  return -1;
}

static void
shmlab_reader_application_startup (GApplication *app)
{
  static const char *const quit_accels[] = { "<Control>q", "<Control>w", NULL };

  G_APPLICATION_CLASS (shmlab_reader_application_parent_class)->startup (app);

  shmlab_app_support_init ();
  shmlab_app_options_startup (&SHMLAB_READER_APPLICATION (app)->options, GTK_APPLICATION (app));
  shmlab_app_quit_on_signals (app);
  shmlab_help_install (GTK_APPLICATION (app), SHMLAB_HELP_READER);
  shmlab_reader_station_set_accels (GTK_APPLICATION (app));
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "window.close", quit_accels);
}

static void
shmlab_reader_application_activate (GApplication *app)
{
  ShmlabReaderApplication *self = SHMLAB_READER_APPLICATION (app);
  ShmlabReaderStation *station = shmlab_reader_station_new ();
  ShmlabWindow *window = shmlab_window_new (GTK_APPLICATION (app), SHMLAB_STATION (station));
  ShmlabReaderStart action = self->follow_at_start ? SHMLAB_READER_START_FOLLOW
                             : self->read_at_start ? SHMLAB_READER_START_READ
                             : SHMLAB_READER_START_NOTHING;

  shmlab_app_options_apply (&self->options, SHMLAB_STATION (station));
  shmlab_app_options_apply_window (&self->options, GTK_WINDOW (window));
  shmlab_reader_station_set_print_content (station, self->print_content);
  shmlab_reader_station_set_transport (station, self->transport);
  shmlab_stream_view_set_stop_at_tear (shmlab_reader_station_get_stream_view (station),
                                       self->stop_at_tear);

  /* A screenshot taken two frames after a change must not catch a cross-fade half way. */
  if (self->options.screenshot != NULL)
    g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  gtk_window_present (GTK_WINDOW (window));
  shmlab_reader_station_start (station, action, self->options.screenshot,
                               self->options.screenshot_delay_ms);
}

/* The Reader reads shared memory, not files: say so rather than fail. */
static void
shmlab_reader_application_open (GApplication  *app,
                                GFile        **files,
                                gint           n_files,
                                const char    *hint)
{
  for (gint i = 0; i < n_files; i++)
    {
      g_autofree char *name = g_file_get_parse_name (files[i]);
      g_printerr (_("shmlab-reader: ignoring %s: the Reader reads a key's segment, not files "
                  "(give the key with --key; open files in the Writer)\n"), name);
    }
  g_application_activate (app);
}

static void
shmlab_reader_application_shutdown (GApplication *app)
{
  shmlab_app_shutdown (app, "shmlab-reader");
  G_APPLICATION_CLASS (shmlab_reader_application_parent_class)->shutdown (app);
}

static void
shmlab_reader_application_finalize (GObject *object)
{
  ShmlabReaderApplication *self = SHMLAB_READER_APPLICATION (object);

  shmlab_app_options_clear (&self->options);
  G_OBJECT_CLASS (shmlab_reader_application_parent_class)->finalize (object);
}

static void
shmlab_reader_application_class_init (ShmlabReaderApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = shmlab_reader_application_finalize;
  app_class->handle_local_options = shmlab_reader_application_handle_local_options;
  app_class->startup = shmlab_reader_application_startup;
  app_class->shutdown = shmlab_reader_application_shutdown;
  app_class->activate = shmlab_reader_application_activate;
  app_class->open = shmlab_reader_application_open;
}

static void
shmlab_reader_application_init (ShmlabReaderApplication *self)
{
  self->options.lock_timeout_ms = 5000;
  shmlab_app_options_add (G_APPLICATION (self));
  g_application_add_main_option_entries (G_APPLICATION (self), reader_entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), NULL);
  g_application_set_option_context_summary (
    G_APPLICATION (self),
    _("Read what a keyed shared memory segment holds — text or a picture — the way Qt's "
      "QSharedMemory demo does: attach, lock, copy, unlock, detach, then show the copy."));
  g_application_set_option_context_description (
    G_APPLICATION (self),
    _("With --read or --follow, --screenshot waits for the first result. Given a\n"
    "--screenshot-delay as well, a read that waits for a lock is pictured that long\n"
    "after the wait began (give a --lock-timeout longer than the delay).\n"
    "\n"
    "--print-content prints one line per result:\n"
    "  content: text \"…\"                   the text, C-escaped\n"
    "  content: image W × H, sha256 HEX    the picture's size and the SHA-256 of its\n"
    "                                      pixels as RGBA rows\n"
    "  content: problem TITLE: WHY         what went wrong\n"
    "and \"waiting: …\" when a read starts waiting for a lock.\n"
    "\n"
    "Example, with the Writer running:\n"
    "  shmlab-reader --read\n"
    "  shmlab-reader --key demo --follow"));
}

ShmlabReaderApplication *
shmlab_reader_application_new (void)
{
  return g_object_new (SHMLAB_TYPE_READER_APPLICATION,
                       "application-id", "io.github.shmlab.Reader",
                       "flags", G_APPLICATION_NON_UNIQUE | G_APPLICATION_HANDLES_OPEN,
                       NULL);
}
