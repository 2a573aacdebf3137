/* shmlab-window.c — a program's window around one station
 *
 * The window has no title bar of its own: the station's header bar, at the
 * top of its content, is drawn as one (the window's title and buttons),
 * so the Writer's and the Reader's buttons sit where they always were.
 * Closing the window unroots the station, which lets its session detach in
 * a thread while the application stays alive.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-window.h"

struct _ShmlabWindow
{
  GtkApplicationWindow parent_instance;

  ShmlabStation *station;
};

G_DEFINE_FINAL_TYPE (ShmlabWindow, shmlab_window, GTK_TYPE_APPLICATION_WINDOW)

enum
{
  PROP_0,
  PROP_STATION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
shmlab_window_constructed (GObject *object)
{
  ShmlabWindow *self = SHMLAB_WINDOW (object);

  G_OBJECT_CLASS (shmlab_window_parent_class)->constructed (object);
  g_return_if_fail (SHMLAB_IS_STATION (self->station));
  shmlab_station_set_embedded (self->station, FALSE);
  g_object_bind_property (self->station, "title", self, "title", G_BINDING_SYNC_CREATE);
  gtk_window_set_child (GTK_WINDOW (self), GTK_WIDGET (self->station));
}

static void
shmlab_window_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  ShmlabWindow *self = SHMLAB_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STATION:
      self->station = g_value_get_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
shmlab_window_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  ShmlabWindow *self = SHMLAB_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STATION:
      g_value_set_object (value, self->station);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
shmlab_window_dispose (GObject *object)
{
  ShmlabWindow *self = SHMLAB_WINDOW (object);

  /* The window's child goes with it; the pointer is only a view of it. */
  self->station = NULL;
  G_OBJECT_CLASS (shmlab_window_parent_class)->dispose (object);
}

static void
shmlab_window_class_init (ShmlabWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = shmlab_window_constructed;
  object_class->dispose = shmlab_window_dispose;
  object_class->set_property = shmlab_window_set_property;
  object_class->get_property = shmlab_window_get_property;

  properties[PROP_STATION] =
    g_param_spec_object ("station", NULL, NULL, SHMLAB_TYPE_STATION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
shmlab_window_init (ShmlabWindow *self)
{
  GtkWidget *no_title_bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);

  /* The station's header bar is the title bar: the window draws none. */
  gtk_widget_set_visible (no_title_bar, FALSE);
  gtk_window_set_titlebar (GTK_WINDOW (self), no_title_bar);
  gtk_window_set_default_size (GTK_WINDOW (self), 1200, 760);
}

/**
 * shmlab_window_new:
 * @application: (nullable): the program, or NULL in a test
 * @station: (transfer floating): what the window shows
 */
ShmlabWindow *
shmlab_window_new (GtkApplication *application,
                   ShmlabStation  *station)
{
  return g_object_new (SHMLAB_TYPE_WINDOW, "application", application, "station", station, NULL);
}

ShmlabStation *
shmlab_window_get_station (ShmlabWindow *self)
{
  g_return_val_if_fail (SHMLAB_IS_WINDOW (self), NULL);
  return self->station;
}
