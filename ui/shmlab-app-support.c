/* shmlab-app-support.c — what both applications share beyond widgets: the
 * common command-line options, screenshots, resources and styles
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-app-support.h"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <string.h>

#include "shmlab-cache-client.h"
#include "shmlab-cleanup.h"
#include "shmlab-command.h"
#include "shmlab-resources.h"
#include "shmlab-settings.h"
#include "shmlab-stream-player.h"
#include "shmlab-zoom.h"

#define EXIT_STATUS_KEY "shmlab-exit-status"

/* Screenshots show a still window: no transition caught halfway. */
static gboolean screenshot_mode;

/* --frame-probe: watches the program's first window. */
static ShmlabFrameProbe *frame_probe;

/* Each step is a mark in the probe's figures: a gap is seen beside the
 * step that came just before it. */
static void
mark_step (ShmlabSession    *session,
           const ShmlabStep *step,
           gpointer          user_data)
{
  g_autofree char *line = shmlab_step_to_string (step);

  shmlab_frame_probe_mark (frame_probe, line);
}

/* What --show opens: each is also the name of an application action. */
static const char *const shown_windows[] = { "help", "shortcuts", "cleanup", NULL };
/* --screenshot-scale: pixels per window pixel in the picture (0: the display's). */
static int screenshot_scale;

static void
apply_screenshot_mode (void)
{
  GdkDisplay *display = gdk_display_get_default ();

  if (screenshot_mode && display != NULL)
    g_object_set (gtk_settings_get_for_display (display), "gtk-enable-animations", FALSE, NULL);
}

static const GOptionEntry shared_entries[] = {
  { "key", 'k', 0, G_OPTION_ARG_STRING, NULL,
    N_("The key both programs agree on (default: “shmlab-demo”)"), "KEY" },
  { "backend", 'b', 0, G_OPTION_ARG_STRING, NULL,
    N_("sysv (System V, as Qt on Linux; the default), posix, or file (a file mapped with mmap)"), "BACKEND" },
  { "key-kind", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("How the key names the segment: legacy (Qt's setKey(), hashed; the default) or native "
       "(Qt 6.6's QNativeIpcKey: the name as given); a Qt string form such as "
       "posix:/QSharedMemoryExample is read as such"), "KIND" },
  { "lock-timeout", 0, 0, G_OPTION_ARG_INT, NULL,
    N_("How long to wait for the lock, in milliseconds (default 5000)"), "MS" },
  { "screenshot", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Once the window has drawn and its start-up action has finished, save it as a PNG and exit"),
    "FILE.png" },
  { "screenshot-delay", 0, 0, G_OPTION_ARG_INT, NULL,
    N_("Wait this long before taking the screenshot"), "MS" },
  { "screenshot-scale", 0, 0, G_OPTION_ARG_INT, NULL,
    N_("Draw the screenshot N times larger, 1 to 4 (default: the display's scale)"), "N" },
  { "zoom", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("How large the text is, in percent from 50 to 300 (default: as last time)"), "PERCENT" },
  { "print-steps", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Also print each step on standard output"), NULL },
  { "page", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("The side page shown first: steps (the default), segment or memory"), "PAGE" },
  { "show", 0, 0, G_OPTION_ARG_STRING, NULL,
    N_("Also open a window at start, in front: help (How it works), shortcuts or cleanup (Clean up stale segments); with --screenshot, that window is saved"),
    "WINDOW" },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version and exit"), NULL },
  { "frame-probe", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Record the time between the window's frames and write it as JSON to FILE when the window closes"),
    "FILE.json" },
  { NULL }
};

/* Adds --key, --backend, --key-kind, --lock-timeout, --screenshot, --screenshot-delay,
 * --screenshot-scale, --zoom, --print-steps, --page, --show, --version and
 * --frame-probe. */
void
shmlab_app_options_add (GApplication *app)
{
  g_application_add_main_option_entries (app, shared_entries);
}

/**
 * shmlab_app_options_read:
 * @options: the dictionary handed to GApplication::handle-local-options
 * @out: (out caller-allocates): the options, with defaults for the missing ones
 * @error: G_OPTION_ERROR_BAD_VALUE for a backend, key, delay, screenshot, scale or
 *   zoom that makes no sense
 */
gboolean
shmlab_app_options_read (GVariantDict      *options,
                         ShmlabAppOptions  *out,
                         GError           **error)
{
  const char *backend = NULL;
  const char *kind = NULL;
  const char *screenshot = NULL;
  const char *zoom = NULL;

  memset (out, 0, sizeof *out);
  out->backend = SHMLAB_BACKEND_DEFAULT;
  out->kind = SHMLAB_KEY_KIND_DEFAULT;
  out->lock_timeout_ms = 5000;

  if (g_variant_dict_lookup (options, "backend", "&s", &backend) &&
      !shmlab_backend_from_string (backend, &out->backend, error))
    return FALSE;
  if (g_variant_dict_lookup (options, "key-kind", "&s", &kind) &&
      !shmlab_key_kind_from_string (kind, &out->kind))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--key-kind takes legacy or native, not “%s”"), kind);
      return FALSE;
    }

  g_variant_dict_lookup (options, "key", "s", &out->key);
  if (out->key != NULL)
    {
      g_autoptr(ShmlabKey) value = shmlab_key_new_full (out->key, out->backend, out->kind, error);

      if (value == NULL)
        return FALSE;
      /* A Qt string form names its own kind and backend. */
      out->backend = shmlab_key_get_backend (value);
      out->kind = shmlab_key_get_kind (value);
    }

  if (g_variant_dict_lookup (options, "lock-timeout", "i", &out->lock_timeout_ms) &&
      out->lock_timeout_ms < 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--lock-timeout %d: give a number of milliseconds, 0 or more"),
                   out->lock_timeout_ms);
      return FALSE;
    }

  if (g_variant_dict_lookup (options, "screenshot", "^&ay", &screenshot))
    {
      g_autofree char *folded = g_ascii_strdown (screenshot, -1);

      /* A screenshot is always a PNG: a name that says otherwise would lie. */
      if (!g_str_has_suffix (folded, ".png"))
        {
          g_autofree char *shown = g_filename_display_name (screenshot);
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("--screenshot %s: a screenshot is saved as PNG: give a file name "
                         "ending in .png"), shown);
          return FALSE;
        }
      out->screenshot = g_strdup (screenshot);
      screenshot_mode = TRUE;
      apply_screenshot_mode ();
    }
  if (g_variant_dict_lookup (options, "screenshot-delay", "i", &out->screenshot_delay_ms) &&
      out->screenshot_delay_ms < 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--screenshot-delay %d: give a number of milliseconds, 0 or more"),
                   out->screenshot_delay_ms);
      return FALSE;
    }
  if (g_variant_dict_lookup (options, "screenshot-scale", "i", &out->screenshot_scale) &&
      (out->screenshot_scale < 1 || out->screenshot_scale > 4))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--screenshot-scale %d: give 1, 2, 3 or 4"), out->screenshot_scale);
      return FALSE;
    }
  screenshot_scale = out->screenshot_scale;
  if (g_variant_dict_lookup (options, "zoom", "&s", &zoom) &&
      !shmlab_zoom_parse (zoom, &out->zoom, error))
    return FALSE;
  out->print_steps = g_variant_dict_contains (options, "print-steps");
  if (g_variant_dict_lookup (options, "page", "s", &out->page) &&
      g_strcmp0 (out->page, "steps") != 0 && g_strcmp0 (out->page, "segment") != 0 &&
      g_strcmp0 (out->page, "memory") != 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--page %s: give “steps”, “segment” or “memory”"), out->page);
      return FALSE;
    }
  if (g_variant_dict_lookup (options, "show", "s", &out->show) &&
      !g_strv_contains (shown_windows, out->show))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--show %s: give “help”, “shortcuts” or “cleanup”"), out->show);
      return FALSE;
    }
  out->version = g_variant_dict_contains (options, "version");
  g_variant_dict_lookup (options, "frame-probe", "^ay", &out->frame_probe);
  return TRUE;
}

/* The --frame-probe of this program, or NULL: for a window to mark a moment. */
ShmlabFrameProbe *
shmlab_app_get_frame_probe (void)
{
  return frame_probe;
}

/* What --version prints: "shmlab-writer 0.1.0". */
void
shmlab_app_print_version (void)
{
  g_print ("%s %s\n", g_get_prgname (), SHMLAB_VERSION);
}

void
shmlab_app_options_clear (ShmlabAppOptions *options)
{
  g_clear_pointer (&options->key, g_free);
  g_clear_pointer (&options->screenshot, g_free);
  g_clear_pointer (&options->page, g_free);
  g_clear_pointer (&options->show, g_free);
  g_clear_pointer (&options->frame_probe, g_free);
}

/* Opens the window --show names, once its main window is on screen: each
 * is the application action of the same name (app.help, app.shortcuts). */
static void
show_on_map (GtkWidget *window,
             gpointer   user_data)
{
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (window));
  const char *action = user_data;

  g_signal_handlers_disconnect_by_func (window, show_on_map, user_data);
  if (g_str_equal (action, "cleanup"))
    shmlab_cleanup_show (GTK_WINDOW (window));
  else if (app != NULL && g_action_group_has_action (G_ACTION_GROUP (app), action))
    g_action_group_activate_action (G_ACTION_GROUP (app), action, NULL);
}

static void
show_data_free (gpointer  data,
                GClosure *closure)
{
  g_free (data);
}

/**
 * shmlab_app_options_apply:
 * @options: what the command line asked for
 * @station: a new station (the Writer or the Reader)
 *
 * Gives @station the key, backend, lock timeout, --print-steps and side
 * page of @options: what every program's station takes from its command
 * line. With --frame-probe, the first station's frames are recorded.
 */
void
shmlab_app_options_apply (const ShmlabAppOptions *options,
                          ShmlabStation          *station)
{
  ShmlabKeyBar *key_bar = shmlab_station_get_key_bar (station);

  shmlab_key_bar_set_kind (key_bar, options->kind);
  shmlab_key_bar_set_backend (key_bar, options->backend);
  shmlab_key_bar_set_key (key_bar, options->key ? options->key : SHMLAB_DEFAULT_KEY);
  shmlab_session_set_lock_timeout (shmlab_station_get_session (station), options->lock_timeout_ms);
  shmlab_station_set_print_steps (station, options->print_steps);
  if (options->page != NULL)
    shmlab_station_set_side_page (station, options->page);
  if (options->frame_probe != NULL && frame_probe == NULL)
    {
      frame_probe = shmlab_frame_probe_new (options->frame_probe);
      shmlab_frame_probe_attach (frame_probe, GTK_WIDGET (station));
      g_signal_connect_object (shmlab_station_get_session (station), "step",
                               G_CALLBACK (mark_step), station, 0);
    }
}

/**
 * shmlab_app_options_apply_window:
 * @options: what the command line asked for
 * @window: a program's new main window
 *
 * Opens what --show names once @window is on screen. The window of an
 * application also gets the size its program's window had last time, and
 * keeps it when it closes — except for a screenshot, which is always taken
 * at the window's own default size.
 */
void
shmlab_app_options_apply_window (const ShmlabAppOptions *options,
                                 GtkWindow              *window)
{
  if (options->show != NULL)
    g_signal_connect_data (window, "map", G_CALLBACK (show_on_map), g_strdup (options->show),
                           show_data_free, G_CONNECT_AFTER);
  if (options->screenshot == NULL)
    {
      GtkApplication *app = gtk_window_get_application (GTK_WINDOW (window));
      const char *id = app != NULL ? g_application_get_application_id (G_APPLICATION (app)) : NULL;
      const char *dot = id != NULL ? strrchr (id, '.') : NULL;

      if (dot != NULL)
        {
          g_autofree char *program = g_ascii_strdown (dot + 1, -1);
          shmlab_settings_track_window (GTK_WINDOW (window), program);
        }
    }
}

/**
 * shmlab_app_options_startup:
 * @options: what the command line asked for
 * @app: the application, in its startup
 *
 * Sets up what the command line decides for the whole program: the zoom,
 * with its actions and keys. A --zoom holds for this run; without it the
 * zoom is the one remembered, and a change is remembered — except for a
 * screenshot, which is taken at 100 % unless --zoom says otherwise, and
 * changes nothing remembered.
 */
void
shmlab_app_options_startup (const ShmlabAppOptions *options,
                            GtkApplication         *app)
{
  shmlab_zoom_install (app, options->zoom, options->zoom == 0 && options->screenshot == NULL);
}

/**
 * shmlab_app_support_init:
 *
 * Registers the templates and loads the styles; call it from each
 * application's startup (and from GUI tests after gtk_init()). Safe to call
 * more than once.
 */
void
shmlab_app_support_init (void)
{
  static gsize resources_done = 0;
  static GdkDisplay *styled_display = NULL;
  GdkDisplay *display;
  GApplication *app = g_application_get_default ();

  if (g_once_init_enter (&resources_done))
    {
      shmlab_register_resource ();
      g_once_init_leave (&resources_done, 1);
    }

  display = gdk_display_get_default ();
  if (display != NULL && display != styled_display)
    {
      g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();

      gtk_css_provider_load_from_resource (provider, "/io/github/shmlab/style.css");
      gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                                  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
      styled_display = display;
      /* Uninstalled, the action and application icons come from the resource. */
      gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (display),
                                        "/io/github/shmlab/icons");
    }
  /* The application id is also the name of its icon. */
  if (app != NULL && g_application_get_application_id (app) != NULL)
    gtk_window_set_default_icon_name (g_application_get_application_id (app));
  apply_screenshot_mode ();
}

/* Overrides what shmlab_app_run() returns (a failed screenshot exits 1). */
void
shmlab_app_set_exit_status (GApplication *app,
                            int           status)
{
  g_object_set_data (G_OBJECT (app), EXIT_STATUS_KEY, GINT_TO_POINTER (status + 1));
}

/* main()'s one line: runs the application and frees it. */
int
shmlab_app_run (GApplication  *app,
                int            argc,
                char         **argv)
{
  int status = g_application_run (app, argc, argv);
  int override = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (app), EXIT_STATUS_KEY));

  g_object_unref (app);
  return override ? override - 1 : status;
}

/* Destroys every window of @app; each lets its session detach. */
void
shmlab_app_close_windows (GApplication *app)
{
  GList *windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (app)));

  /* A window that goes with its parent (destroy-with-parent) may be gone
   * before its turn comes: only those still the application's are destroyed. */
  for (GList *l = windows; l != NULL; l = l->next)
    if (g_list_find (gtk_application_get_windows (GTK_APPLICATION (app)), l->data) != NULL)
      gtk_window_destroy (l->data);
  g_list_free (windows);
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  shmlab_app_close_windows (G_APPLICATION (user_data));
}

/**
 * shmlab_app_add_quit:
 * @app: a program with windows that may stand side by side (the Writer, the Lab)
 *
 * app.quit closes every window (each lets its session detach); Ctrl+Q quits,
 * Ctrl+W closes the window in front.
 */
void
shmlab_app_add_quit (GtkApplication *app)
{
  static const GActionEntry entries[] = {
    { "quit", quit_activated, NULL, NULL, NULL, { 0 } },
  };
  static const char *const close_accels[] = { "<Control>w", NULL };
  static const char *const quit_accels[] = { "<Control>q", NULL };

  g_action_map_add_action_entries (G_ACTION_MAP (app), entries, G_N_ELEMENTS (entries), app);
  gtk_application_set_accels_for_action (app, "window.close", close_accels);
  gtk_application_set_accels_for_action (app, "app.quit", quit_accels);
}

static guint signal_sources[2];

static gboolean
close_on_signal (gpointer user_data)
{
  shmlab_app_close_windows (G_APPLICATION (user_data));
  return G_SOURCE_CONTINUE;
}

/* SIGINT and SIGTERM end the program as closing its windows does: detached,
 * not with a stale segment. */
void
shmlab_app_quit_on_signals (GApplication *app)
{
  signal_sources[0] = g_unix_signal_add (SIGINT, close_on_signal, app);
  signal_sources[1] = g_unix_signal_add (SIGTERM, close_on_signal, app);
}

/**
 * shmlab_app_shutdown:
 * @program: the program's name, for a message
 *
 * For GApplication::shutdown: a screenshot or a quit stops the main loop with
 * windows open; close them and wait (at most 10 s) until their sessions have
 * detached, so the last detach removes the segment as with Qt.
 */
void
shmlab_app_shutdown (GApplication *app,
                     const char   *program)
{
  shmlab_app_close_windows (app);
  if (!shmlab_app_wait_detached (10000))
    {
      const char *const list[] = { "shmlab", "list", NULL };
      g_autofree char *command = shmlab_shell_join (list);

      g_printerr (_("%s: a step still runs after 10 s; the segment may be left behind (this "
                    "lists what is left: %s)\n"),
                  program, command);
    }
  for (guint i = 0; i < G_N_ELEMENTS (signal_sources); i++)
    g_clear_handle_id (&signal_sources[i], g_source_remove);
  /* Its window is closed: the figures are written. */
  g_clear_pointer (&frame_probe, shmlab_frame_probe_free);
}

static gboolean
keep_waiting (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/**
 * shmlab_app_wait_detached:
 * @timeout_ms: the longest wait
 *
 * Runs the main context until the sessions of closed windows have detached,
 * the workers of stopped streams have ended and closed caches have let go;
 * for an application's shutdown, after a screenshot or a quit stopped its
 * main loop with windows open. Returns FALSE if some were still busy.
 */
gboolean
shmlab_app_wait_detached (guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint wake = g_timeout_add (10, keep_waiting, NULL);

  /* A stream's worker removes its segment, FIFO or socket as it ends. */
  while ((shmlab_session_count_closing () > 0 || shmlab_stream_player_count_running () > 0 ||
          shmlab_cache_client_count_closing () > 0) &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
  return shmlab_session_count_closing () == 0 && shmlab_stream_player_count_running () == 0 &&
         shmlab_cache_client_count_closing () == 0;
}

/**
 * shmlab_widget_save_png:
 * @widget: a realized widget with a size
 * @path: where to save
 * @scale: pixels in the picture per pixel of the window, or 0 for the
 *   display's scale (2 on a HiDPI screen)
 * @error: a #GError
 *
 * Draws @widget as it is now, at its real size times @scale, into a PNG
 * file. Text and symbolic icons are drawn at that scale, not enlarged.
 */
gboolean
shmlab_widget_save_png (GtkWidget   *widget,
                        const char  *path,
                        int          scale,
                        GError     **error)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GskRenderNode *node;
  GtkSnapshot *snapshot;
  GtkNative *native = gtk_widget_get_native (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  if (native == NULL || !gtk_widget_get_realized (widget) || width <= 0 || height <= 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                   _("cannot take a screenshot: the window has not been drawn yet"));
      return FALSE;
    }

  if (scale <= 0)
    scale = gdk_surface_get_scale_factor (gtk_native_get_surface (native));
  scale = CLAMP (scale, 1, 4);

  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gtk_snapshot_scale (snapshot, scale, scale);
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("cannot take a screenshot: the window drew nothing"));
      return FALSE;
    }

  texture = gsk_renderer_render_texture (gtk_native_get_renderer (native), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width * scale, height * scale));
  gsk_render_node_unref (node);

  if (!gdk_texture_save_to_png (texture, path))
    {
      g_autofree char *dir = g_path_get_dirname (path);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("cannot save the screenshot to %s: check that %s exists and is writable"),
                   path, dir);
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  GtkWindow *window;
  char *path;
  guint delay_ms;
  guint frames;
  gboolean painting;
} Screenshot;

static void
screenshot_free (Screenshot *shot)
{
  g_clear_object (&shot->window);
  g_free (shot->path);
  g_free (shot);
}

/* What is saved: a window opened in front of @shot's (--show), or it. */
static GtkWindow *
screenshot_target (Screenshot *shot)
{
  g_autoptr(GListModel) toplevels = g_object_ref (gtk_window_get_toplevels ());

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (gtk_window_get_transient_for (window) == shot->window &&
          gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;
    }
  return shot->window;
}

static void
screenshot_take (Screenshot *shot)
{
  g_autoptr(GError) error = NULL;
  GtkApplication *app = gtk_window_get_application (shot->window);
  GtkWindow *target = screenshot_target (shot);
  GtkNative *native = gtk_widget_get_native (GTK_WIDGET (target));
  int scale = screenshot_scale;

  if (scale == 0 && native != NULL && gtk_native_get_surface (native) != NULL)
    scale = gdk_surface_get_scale_factor (gtk_native_get_surface (native));
  scale = CLAMP (scale, 1, 4);
  if (shmlab_widget_save_png (GTK_WIDGET (target), shot->path, scale, &error))
    g_print (_("screenshot saved to %s (%d × %d)\n"), shot->path,
             gtk_widget_get_width (GTK_WIDGET (target)) * scale,
             gtk_widget_get_height (GTK_WIDGET (target)) * scale);
  else
    {
      g_printerr ("%s\n", error->message);
      if (app != NULL)
        shmlab_app_set_exit_status (G_APPLICATION (app), 1);
    }

  if (app != NULL)
    g_application_quit (G_APPLICATION (app));
  else
    gtk_window_destroy (shot->window);
}

/* After the paint, when the window's layout is up to date (a tick comes before it). */
static void
screenshot_after_paint (GdkFrameClock *clock,
                        Screenshot    *shot)
{
  screenshot_take (shot);
  g_signal_handlers_disconnect_by_func (clock, screenshot_after_paint, shot);
}

static void
screenshot_painted_done (gpointer  user_data,
                         GClosure *closure)
{
  screenshot_free (user_data);
}

static void
screenshot_tick_done (gpointer user_data)
{
  Screenshot *shot = user_data;

  if (!shot->painting)
    screenshot_free (shot);
}

/* Two frames after the delay: the first lays out what changed, the second is painted. */
static gboolean
screenshot_tick (GtkWidget     *widget,
                 GdkFrameClock *clock,
                 gpointer       user_data)
{
  Screenshot *shot = user_data;

  gtk_widget_queue_draw (widget);
  if (++shot->frames < 2)
    return G_SOURCE_CONTINUE;
  shot->painting = TRUE;
  g_signal_connect_data (clock, "after-paint", G_CALLBACK (screenshot_after_paint), shot,
                         screenshot_painted_done, 0);
  return G_SOURCE_REMOVE;
}

/* Every station's inspector in @widget, however deep. */
static void
flush_inspectors (GtkWidget *widget)
{
  if (SHMLAB_IS_STATION (widget))
    {
      shmlab_inspector_flush (shmlab_station_get_inspector (SHMLAB_STATION (widget)));
      return;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    flush_inspectors (child);
}

static gboolean
screenshot_after_delay (gpointer user_data)
{
  Screenshot *shot = user_data;

  /* The segment's bytes as they are now, not as the last rate-limited refresh saw them. */
  flush_inspectors (GTK_WIDGET (shot->window));
  gtk_widget_queue_draw (GTK_WIDGET (shot->window));
  gtk_widget_add_tick_callback (GTK_WIDGET (screenshot_target (shot)), screenshot_tick, shot,
                                screenshot_tick_done);
  return G_SOURCE_REMOVE;
}

/**
 * shmlab_window_screenshot_when_ready:
 * @window: a window that has been presented
 * @path: the PNG to write
 * @delay_ms: how long to wait first (animations, a spinner mid-wait)
 *
 * Call once the window's start-up action has finished. Waits @delay_ms and
 * then two frames, saves the window at its real size, and quits the
 * application (exit status 1, with the reason on stderr, if it failed).
 */
void
shmlab_window_screenshot_when_ready (GtkWindow  *window,
                                     const char *path,
                                     guint       delay_ms)
{
  Screenshot *shot = g_new0 (Screenshot, 1);

  screenshot_mode = TRUE;
  apply_screenshot_mode ();
  shot->window = g_object_ref (window);
  shot->path = g_strdup (path);
  shot->delay_ms = delay_ms;
  g_timeout_add (MAX (delay_ms, 1), screenshot_after_delay, shot);
}
