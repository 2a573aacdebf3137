/* shmlab-writer-application.c — the Writer application: its command line,
 * its keys, and what it does at start
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-writer-application.h"

#include <glib/gi18n.h>

#include <signal.h>
#include <string.h>

#include "shmlab-app-support.h"
#include "shmlab-help.h"
#include "shmlab-limits.h"
#include "shmlab-payload.h"
#include "shmlab-stream.h"
#include "shmlab-window.h"
#include "shmlab-writer-station.h"

struct _ShmlabWriterApplication
{
  GtkApplication parent_instance;

  ShmlabAppOptions options;
  char *size;
  char *text;
  ShmlabFormat format;
  gboolean write;
  gboolean stream;
  gboolean stream_options;
  gboolean cache;
  gboolean cache_load;
  ShmlabStreamConfig stream_config;
  double fps;
};

G_DEFINE_FINAL_TYPE (ShmlabWriterApplication, shmlab_writer_application, GTK_TYPE_APPLICATION)

static const GOptionEntry writer_entries[] = {
  { "size", 's', 0, G_OPTION_ARG_STRING, NULL,
    N_("The segment size: auto (what the content needs; the default) or bytes with a unit, "
    "such as 4KiB"), "SIZE" },
  { "text", 't', 0, G_OPTION_ARG_STRING, NULL, N_("The text to write"), "TEXT" },
  { "format", 'f', 0, G_OPTION_ARG_STRING, NULL,
    N_("auto (the default), text, qt-image or frame"), "FORMAT" },
  { "write", 'w', 0, G_OPTION_ARG_NONE, NULL,
    N_("Write to shared memory at once (after FILE is loaded)"), NULL },
  { "stream", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Open the Stream page and stream the test pattern at once"), NULL },
  { "stream-size", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("The test pattern's size: 320x180, 640x360, 1280x720 (the default), 1920x1080, 2560x1440 or 3840x2160"), "WxH" },
  { "fps", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Frames per second, 1 to 240, or max (default 50)"), "N" },
  { "no-lock", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Stream without taking the lock: readers see torn frames"), NULL },
  { "buffers", 0, 0, G_OPTION_ARG_STRING, NULL, N_("Frames the segment holds: 1 or 2"), "1|2" },
  { "handoff", 0, 0, G_OPTION_ARG_STRING, NULL, N_("latest or every"), "latest|every" },
  { "transport", 0, 0, G_OPTION_ARG_STRING, NULL, N_("shm, pipe or socket"), "shm|pipe|socket" },
  { "cache", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Open the Cache page: the shared cache in the key's segment"), NULL },
  { "cache-load", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Open the Cache page and load the article's hot data at once (making the cache)"), NULL },
  { NULL }
};

/* --stream and its choices, each checked at once. */
static gboolean
read_stream_options (ShmlabWriterApplication *self,
                     GVariantDict            *options,
                     GError                 **error)
{
  static const char *const sizes[] = {
    "320x180", "640x360", "1280x720", "1920x1080", "2560x1440", "3840x2160",
  };
  const char *text = NULL;

  shmlab_stream_config_init (&self->stream_config);
  self->fps = 50;
  self->stream = g_variant_dict_contains (options, "stream");
  if (g_variant_dict_lookup (options, "stream-size", "&s", &text))
    {
      self->stream_options = TRUE;
      g_autofree char *size = NULL;
      gboolean listed = FALSE;

      if (!shmlab_stream_parse_size (text, &self->stream_config.width, &self->stream_config.height, error))
        return FALSE;
      /* The Stream page offers these: another would not be what it shows. */
      size = g_strdup_printf ("%ux%u", self->stream_config.width, self->stream_config.height);
      for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
        listed = listed || strcmp (size, sizes[i]) == 0;
      if (!listed)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("--stream-size takes 320x180, 640x360, 1280x720, 1920x1080, 2560x1440 or 3840x2160, not “%s”."),
                       text);
          return FALSE;
        }
    }
  if (g_variant_dict_lookup (options, "fps", "&s", &text))
    {
      self->stream_options = TRUE;
      if (!shmlab_stream_parse_fps (text, &self->fps, error))
        return FALSE;
    }
  if (g_variant_dict_contains (options, "no-lock"))
    {
      self->stream_options = TRUE;
      self->stream_config.lock = FALSE;
    }
  if (g_variant_dict_lookup (options, "buffers", "&s", &text))
    {
      self->stream_options = TRUE;
      if (!shmlab_stream_parse_buffers (text, &self->stream_config.buffers, error))
        return FALSE;
    }
  if (g_variant_dict_lookup (options, "handoff", "&s", &text))
    {
      self->stream_options = TRUE;
      if (!shmlab_stream_parse_handoff (text, &self->stream_config.handoff, error))
        return FALSE;
    }
  if (g_variant_dict_lookup (options, "transport", "&s", &text))
    {
      self->stream_options = TRUE;
      if (!shmlab_stream_parse_transport (text, &self->stream_config.transport, error))
        return FALSE;
    }
  return TRUE;
}

static gint
shmlab_writer_application_handle_local_options (GApplication *app,
                                                GVariantDict *options)
{
  ShmlabWriterApplication *self = SHMLAB_WRITER_APPLICATION (app);
  g_autoptr(GError) error = NULL;
  const char *format = NULL;

  shmlab_app_options_clear (&self->options);
  if (!shmlab_app_options_read (options, &self->options, &error))
    goto fail;
  if (self->options.version)
    {
      shmlab_app_print_version ();
      return 0;
    }

  if (g_variant_dict_lookup (options, "size", "s", &self->size) &&
      g_ascii_strcasecmp (self->size, "auto") != 0)
    {
      guint64 bytes;

      if (!shmlab_parse_size (self->size, &bytes, &error))
        goto fail;
    }
  g_variant_dict_lookup (options, "text", "s", &self->text);
  if (g_variant_dict_lookup (options, "format", "&s", &format) &&
      !shmlab_format_from_string (format, &self->format, &error))
    goto fail;
  self->write = g_variant_dict_contains (options, "write");
  if (!read_stream_options (self, options, &error))
    goto fail;
  self->cache_load = g_variant_dict_contains (options, "cache-load");
  self->cache = self->cache_load || g_variant_dict_contains (options, "cache");

  return -1;

fail:
  /* A command line that makes no sense: 2, as the Reader and `shmlab` say. */
  g_printerr (_("shmlab-writer: %s\n"), error->message);
  return 2;
}


static void
shmlab_writer_application_startup (GApplication *app)
{
  G_APPLICATION_CLASS (shmlab_writer_application_parent_class)->startup (app);

  shmlab_app_support_init ();
  shmlab_app_options_startup (&SHMLAB_WRITER_APPLICATION (app)->options, GTK_APPLICATION (app));
  shmlab_help_install (GTK_APPLICATION (app), SHMLAB_HELP_WRITER);
  shmlab_app_quit_on_signals (app);
  shmlab_app_add_quit (GTK_APPLICATION (app));
  shmlab_writer_station_set_accels (GTK_APPLICATION (app));
}

/* A screenshot or g_application_quit() stops the main loop with windows
 * still open: close them here, and let their sessions detach. */
static void
shmlab_writer_application_shutdown (GApplication *app)
{
  shmlab_app_shutdown (app, "shmlab-writer");
  G_APPLICATION_CLASS (shmlab_writer_application_parent_class)->shutdown (app);
}

/* The application of @station's window; NULL once the window is gone. */
static ShmlabWriterApplication *
application_of (ShmlabWriterStation *station)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (station));
  GtkApplication *app = GTK_IS_WINDOW (root) ? gtk_window_get_application (GTK_WINDOW (root)) : NULL;

  return app != NULL ? SHMLAB_WRITER_APPLICATION (app) : NULL;
}

static ShmlabWriterStation *
create_window (ShmlabWriterApplication *self)
{
  ShmlabWriterStation *station = shmlab_writer_station_new ();
  ShmlabWindow *window = shmlab_window_new (GTK_APPLICATION (self), SHMLAB_STATION (station));

  shmlab_app_options_apply (&self->options, SHMLAB_STATION (station));
  shmlab_app_options_apply_window (&self->options, GTK_WINDOW (window));
  if (self->size != NULL)
    shmlab_key_bar_set_size_text (shmlab_station_get_key_bar (SHMLAB_STATION (station)), self->size);
  shmlab_writer_station_set_format (station, self->format);
  if (self->text != NULL)
    shmlab_writer_station_set_text (station, self->text);
  if (self->stream || self->stream_options)
    shmlab_stream_panel_configure (shmlab_writer_station_get_stream_panel (station),
                                   &self->stream_config, self->fps);
  return station;
}

static void
take_screenshot (ShmlabWriterStation *station)
{
  ShmlabWriterApplication *self = application_of (station);

  g_signal_handlers_disconnect_by_func (station, take_screenshot, NULL);
  if (self != NULL)
    shmlab_window_screenshot_when_ready (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (station))),
                                         self->options.screenshot,
                                         self->options.screenshot_delay_ms);
}

/* The start-up action is over (it may have failed: that shows in the window). */
static void
startup_done (ShmlabWriterStation *station)
{
  ShmlabWriterApplication *self = application_of (station);

  if (self == NULL || self->options.screenshot == NULL)
    return;
  /* A quick write can end before the window is even on screen. */
  if (gtk_widget_get_mapped (GTK_WIDGET (station)))
    take_screenshot (station);
  else
    g_signal_connect (station, "map", G_CALLBACK (take_screenshot), NULL);
}

static void
startup_written_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  ShmlabWriterStation *station = SHMLAB_WRITER_STATION (source);

  shmlab_writer_station_write_finish (station, result, NULL);
  startup_done (station);
}

/* The Cache page has shown its first look (or its failure). */
static void startup_cache_looked (ShmlabCachePage     *page,
                                  ShmlabWriterStation *station);

static void
startup_cache_done (ShmlabCachePage     *page,
                    ShmlabWriterStation *station)
{
  g_signal_handlers_disconnect_by_func (page, startup_cache_done, station);
  g_signal_handlers_disconnect_by_func (page, startup_cache_looked, station);
  startup_done (station);
}

static void
startup_cache_looked (ShmlabCachePage     *page,
                      ShmlabWriterStation *station)
{
  /* A load's own look comes once it is done. */
  if (!shmlab_cache_page_get_busy (page))
    startup_cache_done (page, station);
}

static void
startup_write (ShmlabWriterStation *station)
{
  ShmlabWriterApplication *self = application_of (station);

  if (self != NULL && self->cache)
    {
      ShmlabCachePage *page = shmlab_writer_station_get_cache_page (station);

      g_signal_connect (page, "looked", G_CALLBACK (startup_cache_looked), station);
      g_signal_connect (page, "failed", G_CALLBACK (startup_cache_done), station);
      shmlab_writer_station_set_page (station, "cache");
      if (self->cache_load)
        shmlab_cache_page_load_hot_data (page);
    }
  else if (self != NULL && self->stream)
    {
      shmlab_writer_station_set_page (station, "stream");
      shmlab_stream_panel_set_streaming (shmlab_writer_station_get_stream_panel (station), TRUE);
      startup_done (station);
    }
  else if (self != NULL && self->write)
    shmlab_writer_station_write_async (station, NULL, startup_written_cb, NULL);
  else
    startup_done (station);
}

static void
startup_loaded_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  ShmlabWriterStation *station = SHMLAB_WRITER_STATION (source);

  /* Nothing to write when the file could not be read: the banner says why. */
  if (shmlab_writer_station_load_image_finish (station, result, NULL))
    startup_write (station);
  else
    startup_done (station);
}

static void
shmlab_writer_application_activate (GApplication *app)
{
  ShmlabWriterStation *station = create_window (SHMLAB_WRITER_APPLICATION (app));

  gtk_window_present (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (station))));
  startup_write (station);
}

static void
shmlab_writer_application_open (GApplication  *app,
                                GFile        **files,
                                gint           n_files,
                                const gchar   *hint)
{
  ShmlabWriterStation *station = create_window (SHMLAB_WRITER_APPLICATION (app));

  gtk_window_present (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (station))));
  if (n_files > 1)
    g_printerr (_("shmlab-writer: a segment holds one picture: opening the first file only\n"));
  shmlab_writer_station_load_image_async (station, files[0], NULL, startup_loaded_cb, NULL);
}

static void
shmlab_writer_application_finalize (GObject *object)
{
  ShmlabWriterApplication *self = SHMLAB_WRITER_APPLICATION (object);

  shmlab_app_options_clear (&self->options);
  g_free (self->size);
  g_free (self->text);

  G_OBJECT_CLASS (shmlab_writer_application_parent_class)->finalize (object);
}

static void
shmlab_writer_application_class_init (ShmlabWriterApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = shmlab_writer_application_finalize;
  app_class->handle_local_options = shmlab_writer_application_handle_local_options;
  app_class->startup = shmlab_writer_application_startup;
  app_class->shutdown = shmlab_writer_application_shutdown;
  app_class->activate = shmlab_writer_application_activate;
  app_class->open = shmlab_writer_application_open;
}

static void
shmlab_writer_application_init (ShmlabWriterApplication *self)
{
  self->options.backend = SHMLAB_BACKEND_DEFAULT;
  self->options.lock_timeout_ms = 5000;
  self->format = SHMLAB_FORMAT_AUTO;

  shmlab_app_options_add (G_APPLICATION (self));
  g_application_add_main_option_entries (G_APPLICATION (self), writer_entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), "[FILE]");
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Write a text or a picture into shared memory, "
                                              "as the Qt shared memory demo's writer does."));
  g_application_set_option_context_description (
    G_APPLICATION (self),
    _("FILE is a picture to open on the Image page: PNG, JPEG, GIF, BMP, TIFF or WebP.\n"
      "With --write the Writer writes at start (after FILE is loaded) and stays\n"
      "attached while its window is open; closing it detaches, and the last detach\n"
      "removes the segment.\n"
      "\n"
      "Examples:\n"
      "  shmlab-writer --text \"hello\" --write\n"
      "  shmlab-writer picture.png --key demo --format qt-image --write\n"
      "  shmlab-writer --text \"a long text\" --size 16 --write   (too large: it offers to cut)\n"
      "  shmlab-writer --key hot --cache-load   (the article's cache, with its hot data)"));
}

ShmlabWriterApplication *
shmlab_writer_application_new (void)
{
  return g_object_new (SHMLAB_TYPE_WRITER_APPLICATION,
                       "application-id", "io.github.shmlab.Writer",
                       "flags", G_APPLICATION_NON_UNIQUE | G_APPLICATION_HANDLES_OPEN,
                       NULL);
}
