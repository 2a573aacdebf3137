/* shmlab-lab-window.c — the Lab's one window
 *
 * The layout of the Qt demo's author, for one projector: the Writer's pane
 * on the left, the Reader's on the right, each a whole station with its own
 * key, steps and tabs (the tabs below its content, so both fit). Both run
 * in this one process and meet in a real segment: the Memory tab shows one
 * process that maps it twice, at two addresses. Either pane may also meet
 * other programs by the same key. The window draws no title bar: the left
 * pane's header bar shows the window buttons the desktop puts on the left,
 * the right one those on the right.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-lab-window.h"

#include <string.h>

#include "shmlab-lab-resources.h"

struct _ShmlabLabWindow
{
  GtkApplicationWindow parent_instance;

  GtkPaned *paned;
  ShmlabWriterStation *writer;
  ShmlabReaderStation *reader;
  gboolean halved;
};

G_DEFINE_FINAL_TYPE (ShmlabLabWindow, shmlab_lab_window, GTK_TYPE_APPLICATION_WINDOW)

/* The desktop's "left:right" window buttons, split between the two panes. */
static void
share_window_buttons (ShmlabLabWindow *self)
{
  g_autofree char *layout = NULL;
  g_autofree char *left = NULL;
  g_autofree char *right = NULL;
  const char *colon;

  g_object_get (gtk_widget_get_settings (GTK_WIDGET (self)), "gtk-decoration-layout", &layout,
                NULL);
  colon = layout != NULL ? strchr (layout, ':') : NULL;
  if (colon != NULL)
    {
      left = g_strdup_printf ("%.*s:", (int) (colon - layout), layout);
      right = g_strdup (colon);
    }
  else
    {
      left = g_strdup (":");
      right = g_strdup (":close");
    }
  shmlab_station_set_decoration_layout (SHMLAB_STATION (self->writer), left);
  shmlab_station_set_decoration_layout (SHMLAB_STATION (self->reader), right);
}

static void
shmlab_lab_window_size_allocate (GtkWidget *widget,
                                 int        width,
                                 int        height,
                                 int        baseline)
{
  ShmlabLabWindow *self = SHMLAB_LAB_WINDOW (widget);

  /* Two halves at first (set before the paned is given its room, which it
   * then shares out); the handle is the user's from then on. */
  if (!self->halved && width > 1)
    {
      self->halved = TRUE;
      gtk_paned_set_position (self->paned, width / 2);
    }
  GTK_WIDGET_CLASS (shmlab_lab_window_parent_class)->size_allocate (widget, width, height,
                                                                    baseline);
}

static void
shmlab_lab_window_class_init (ShmlabLabWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  widget_class->size_allocate = shmlab_lab_window_size_allocate;

  g_type_ensure (SHMLAB_TYPE_WRITER_STATION);
  g_type_ensure (SHMLAB_TYPE_READER_STATION);
  shmlab_lab_register_resource ();
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/shmlab/lab/shmlab-lab-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ShmlabLabWindow, paned);
  gtk_widget_class_bind_template_child (widget_class, ShmlabLabWindow, writer);
  gtk_widget_class_bind_template_child (widget_class, ShmlabLabWindow, reader);
}

static void
shmlab_lab_window_init (ShmlabLabWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  shmlab_station_set_embedded (SHMLAB_STATION (self->writer), TRUE);
  shmlab_station_set_embedded (SHMLAB_STATION (self->reader), TRUE);
  /* The Writer's steps as it writes; beside it, the Reader's view of the
   * one memory both map. */
  shmlab_station_set_side_page (SHMLAB_STATION (self->writer), "steps");
  shmlab_station_set_side_page (SHMLAB_STATION (self->reader), "memory");
  share_window_buttons (self);
  g_signal_connect_object (gtk_widget_get_settings (GTK_WIDGET (self)),
                           "notify::gtk-decoration-layout", G_CALLBACK (share_window_buttons),
                           self, G_CONNECT_SWAPPED);
}

ShmlabLabWindow *
shmlab_lab_window_new (GtkApplication *application)
{
  return g_object_new (SHMLAB_TYPE_LAB_WINDOW, "application", application, NULL);
}

ShmlabWriterStation *
shmlab_lab_window_get_writer (ShmlabLabWindow *self)
{
  g_return_val_if_fail (SHMLAB_IS_LAB_WINDOW (self), NULL);
  return self->writer;
}

ShmlabReaderStation *
shmlab_lab_window_get_reader (ShmlabLabWindow *self)
{
  g_return_val_if_fail (SHMLAB_IS_LAB_WINDOW (self), NULL);
  return self->reader;
}
