/* shmlab-zoom.c — how large both windows draw their text: one zoom for the
 * whole program, with its actions, keys and command-line option
 *
 * The zoom scales the display's text resolution (GtkSettings'
 * gtk-xft-dpi), which every font follows: the theme's, the key bar's, the
 * text view's, the step log's, the inspector's, the help window's, menus and
 * dialogs, and the sizes style.css gives in points. Sizes in pixels
 * (margins, icons) stay as they are, as in GNOME's own zoom.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-zoom.h"

#include <glib/gi18n.h>

#include <errno.h>
#include <stdlib.h>

#include "shmlab-settings.h"

/* The steps of Ctrl+plus and Ctrl+minus, as GNOME Text Editor's. */
static const int levels[] = { 50, 67, 80, 90, 100, 110, 120, 133, 150, 170, 200, 240, 300 };

/* What the display's resolution is without a zoom: 96 dpi, in 1024ths. */
#define DEFAULT_XFT_DPI (96 * 1024)

struct _ShmlabZoom
{
  GObject parent_instance;

  int percent;
};

G_DEFINE_FINAL_TYPE (ShmlabZoom, shmlab_zoom, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_PERCENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/**
 * shmlab_zoom_step:
 * @percent: a zoom, on a step or between two
 * @direction: 1 for the next larger step, -1 for the next smaller one
 *
 * Returns: the next step from @percent in @direction, or @percent's end
 *   (50 or 300) when there is none
 */
int
shmlab_zoom_step (int percent,
                  int direction)
{
  if (direction > 0)
    {
      for (gsize i = 0; i < G_N_ELEMENTS (levels); i++)
        if (levels[i] > percent)
          return levels[i];
      return SHMLAB_ZOOM_MAX;
    }
  for (gsize i = G_N_ELEMENTS (levels); i > 0; i--)
    if (levels[i - 1] < percent)
      return levels[i - 1];
  return SHMLAB_ZOOM_MIN;
}

/**
 * shmlab_zoom_parse:
 * @text: what follows --zoom: "150" or "150%"
 * @percent: (out): the zoom
 * @error: G_OPTION_ERROR_BAD_VALUE when @text is no whole percentage from 50 to 300
 */
gboolean
shmlab_zoom_parse (const char  *text,
                   int         *percent,
                   GError     **error)
{
  char *end = NULL;
  gint64 value;

  errno = 0;
  value = g_ascii_strtoll (text, &end, 10);
  if (end != NULL && *end == '%')
    end++;
  if (errno != 0 || end == text || end == NULL || *end != '\0' || !g_ascii_isdigit (*text) ||
      value < SHMLAB_ZOOM_MIN || value > SHMLAB_ZOOM_MAX)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--zoom %s: give a percentage from %d to %d, such as 150"),
                   text, SHMLAB_ZOOM_MIN, SHMLAB_ZOOM_MAX);
      return FALSE;
    }
  *percent = (int) value;
  return TRUE;
}

/* What the ☰ menu shows between − and +: "150 %". */
char *
shmlab_zoom_format (int percent)
{
  /* TRANSLATORS: the zoom in the menu; %d is a number, %% the percent sign. */
  return g_strdup_printf (_("%d %%"), percent);
}

/* Every font of the display follows its resolution: scale the system's. */
static void
apply_to_display (int percent)
{
  GdkDisplay *display = gdk_display_get_default ();
  GtkSettings *settings;
  int dpi = 0;

  if (display == NULL)
    return;
  settings = gtk_settings_get_for_display (display);
  gtk_settings_reset_property (settings, "gtk-xft-dpi");
  if (percent == SHMLAB_ZOOM_DEFAULT)
    return;
  g_object_get (settings, "gtk-xft-dpi", &dpi, NULL);
  if (dpi <= 0)
    dpi = DEFAULT_XFT_DPI;
  g_object_set (settings, "gtk-xft-dpi", (int) ((gint64) dpi * percent / 100), NULL);
}

int
shmlab_zoom_get_percent (ShmlabZoom *self)
{
  g_return_val_if_fail (SHMLAB_IS_ZOOM (self), SHMLAB_ZOOM_DEFAULT);
  return self->percent;
}

/* Sets the zoom of every window of the program; clamped to 50–300 %. */
void
shmlab_zoom_set_percent (ShmlabZoom *self,
                         int         percent)
{
  g_return_if_fail (SHMLAB_IS_ZOOM (self));

  percent = CLAMP (percent, SHMLAB_ZOOM_MIN, SHMLAB_ZOOM_MAX);
  if (percent == self->percent)
    return;
  self->percent = percent;
  apply_to_display (percent);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PERCENT]);
}

void
shmlab_zoom_in (ShmlabZoom *self)
{
  shmlab_zoom_set_percent (self, shmlab_zoom_step (shmlab_zoom_get_percent (self), 1));
}

void
shmlab_zoom_out (ShmlabZoom *self)
{
  shmlab_zoom_set_percent (self, shmlab_zoom_step (shmlab_zoom_get_percent (self), -1));
}

void
shmlab_zoom_reset (ShmlabZoom *self)
{
  shmlab_zoom_set_percent (self, SHMLAB_ZOOM_DEFAULT);
}

/* The one zoom of the program (its windows share the display). */
ShmlabZoom *
shmlab_zoom_get_default (void)
{
  static ShmlabZoom *zoom;

  if (g_once_init_enter (&zoom))
    g_once_init_leave (&zoom, g_object_new (SHMLAB_TYPE_ZOOM, NULL));
  return zoom;
}

static void
shmlab_zoom_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  ShmlabZoom *self = SHMLAB_ZOOM (object);

  switch (prop_id)
    {
    case PROP_PERCENT:
      g_value_set_int (value, self->percent);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
shmlab_zoom_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  ShmlabZoom *self = SHMLAB_ZOOM (object);

  switch (prop_id)
    {
    case PROP_PERCENT:
      shmlab_zoom_set_percent (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
shmlab_zoom_class_init (ShmlabZoomClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = shmlab_zoom_get_property;
  object_class->set_property = shmlab_zoom_set_property;

  properties[PROP_PERCENT] =
    g_param_spec_int ("percent", NULL, NULL, SHMLAB_ZOOM_MIN, SHMLAB_ZOOM_MAX,
                      SHMLAB_ZOOM_DEFAULT,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
shmlab_zoom_init (ShmlabZoom *self)
{
  self->percent = SHMLAB_ZOOM_DEFAULT;
}

/* The actions: what the keys and the menu's − 100 % + row call. */

static void
zoom_in_activated (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  shmlab_zoom_in (shmlab_zoom_get_default ());
}

static void
zoom_out_activated (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  shmlab_zoom_out (shmlab_zoom_get_default ());
}

static void
zoom_reset_activated (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  shmlab_zoom_reset (shmlab_zoom_get_default ());
}

/* At an end, its key and button do nothing, and look it. */
static void
update_actions (GActionMap *map)
{
  int percent = shmlab_zoom_get_percent (shmlab_zoom_get_default ());

  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (map, "zoom-in")),
                               percent < SHMLAB_ZOOM_MAX);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (map, "zoom-out")),
                               percent > SHMLAB_ZOOM_MIN);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (map, "zoom-reset")),
                               percent != SHMLAB_ZOOM_DEFAULT);
}

/**
 * shmlab_zoom_install:
 * @app: the application, in its startup
 * @percent: the zoom to start with (--zoom), or 0 for the one remembered
 * @remember: whether the zoom is read from and kept in the settings
 *
 * Adds app.zoom-in, app.zoom-out and app.zoom-reset with their keys
 * (Ctrl+plus, Ctrl+=, Ctrl+KP_Add; Ctrl+minus, Ctrl+KP_Subtract; Ctrl+0,
 * Ctrl+KP_0) and sets the zoom. With @remember, a zoom changed later is kept
 * for the next run.
 */
void
shmlab_zoom_install (GtkApplication *app,
                     int             percent,
                     gboolean        remember)
{
  static const GActionEntry entries[] = {
    { "zoom-in", zoom_in_activated, NULL, NULL, NULL, { 0 } },
    { "zoom-out", zoom_out_activated, NULL, NULL, NULL, { 0 } },
    { "zoom-reset", zoom_reset_activated, NULL, NULL, NULL, { 0 } },
  };
  static const struct { const char *action; const char *accels[4]; } accels[] = {
    { "app.zoom-in", { "<Control>plus", "<Control>equal", "<Control>KP_Add", NULL } },
    { "app.zoom-out", { "<Control>minus", "<Control>KP_Subtract", NULL } },
    { "app.zoom-reset", { "<Control>0", "<Control>KP_0", NULL } },
  };
  ShmlabZoom *zoom = shmlab_zoom_get_default ();
  GSettings *settings = remember ? shmlab_settings_get () : NULL;

  g_action_map_add_action_entries (G_ACTION_MAP (app), entries, G_N_ELEMENTS (entries), app);
  for (gsize i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (app, accels[i].action, accels[i].accels);
  g_signal_connect_object (zoom, "notify::percent", G_CALLBACK (update_actions), app,
                           G_CONNECT_SWAPPED);

  if (settings != NULL)
    g_settings_bind (settings, "zoom", zoom, "percent", G_SETTINGS_BIND_DEFAULT);
  if (percent > 0 || settings == NULL)
    shmlab_zoom_set_percent (zoom, percent > 0 ? percent : SHMLAB_ZOOM_DEFAULT);
  update_actions (G_ACTION_MAP (app));
}
