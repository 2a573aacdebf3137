/* test-focus-ring.c — every stop Tab reaches in the Writer and the Reader
 * shows that it has the focus: the window drawn with the focus there differs,
 * around that stop, from the window drawn with the focus nowhere
 *
 * With SHMLAB_FOCUS_SHOTS=DIR each stop is also saved as DIR/WINDOW-NN.png,
 * to look at.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-test-util.h"

#include <stdlib.h>
#include <string.h>

#include <gtk/gtk.h>

#include "shmlab-app-support.h"
#include "shmlab-i18n.h"
#include "shmlab-reader-station.h"
#include "shmlab-test-gtk.h"
#include "shmlab-writer-station.h"

/* How far outside a widget its focus ring may be drawn. */
#define RING_MARGIN 6
#define MAX_STOPS 80

typedef struct
{
  guchar *pixels;
  int width;
  int height;
  gsize stride;
} Picture;

static void
picture_clear (Picture *picture)
{
  g_clear_pointer (&picture->pixels, g_free);
}

static gboolean
wake (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Lets the window restyle, lay out and draw after a focus change. */
static void
settle (void)
{
  for (int frame = 0; frame < 3; frame++)
    {
      gboolean woken = FALSE;

      g_timeout_add (20, wake, &woken);
      while (!woken)
        g_main_context_iteration (NULL, TRUE);
    }
}

static Picture
draw (GtkWidget *window)
{
  Picture picture = { NULL, gtk_widget_get_width (window), gtk_widget_get_height (window), 0 };
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (window);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  GskRenderNode *node;
  g_autoptr(GdkTexture) texture = NULL;

  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), picture.width, picture.height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, picture.width,
                                                              picture.height));
  gsk_render_node_unref (node);
  picture.stride = (gsize) picture.width * 4;
  picture.pixels = g_malloc (picture.stride * picture.height);
  gdk_texture_download (texture, picture.pixels, picture.stride);
  return picture;
}

/* Whether @a and @b differ anywhere in @area (clipped to the pictures). */
static gboolean
differ_in (const Picture         *a,
           const Picture         *b,
           const graphene_rect_t *area)
{
  int x0 = MAX (0, (int) area->origin.x - RING_MARGIN);
  int y0 = MAX (0, (int) area->origin.y - RING_MARGIN);
  int x1 = MIN (a->width, (int) (area->origin.x + area->size.width) + RING_MARGIN);
  int y1 = MIN (a->height, (int) (area->origin.y + area->size.height) + RING_MARGIN);

  g_assert_cmpint (a->width, ==, b->width);
  g_assert_cmpint (a->height, ==, b->height);
  for (int y = y0; y < y1; y++)
    if (x1 > x0 && memcmp (a->pixels + y * a->stride + x0 * 4, b->pixels + y * b->stride + x0 * 4,
                           (gsize) (x1 - x0) * 4) != 0)
      return TRUE;
  return FALSE;
}

/* The largest change of a colour channel just outside @area: a ring there
 * that a person sees from a distance changes a pixel by a lot. */
static int
contrast_outside (const Picture         *a,
                  const Picture         *b,
                  const graphene_rect_t *area)
{
  int left = (int) area->origin.x, top = (int) area->origin.y;
  int right = (int) (area->origin.x + area->size.width);
  int bottom = (int) (area->origin.y + area->size.height);
  int most = 0;

  for (int y = MAX (0, top - RING_MARGIN); y < MIN (a->height, bottom + RING_MARGIN); y++)
    for (int x = MAX (0, left - RING_MARGIN); x < MIN (a->width, right + RING_MARGIN); x++)
      {
        if (x >= left && x < right && y >= top && y < bottom)
          continue;
        for (int c = 0; c < 3; c++)
          most = MAX (most, abs (a->pixels[y * a->stride + x * 4 + c] -
                                 b->pixels[y * b->stride + x * 4 + c]));
      }
  return most;
}

static char *
describe (GtkWidget *widget)
{
  const char *text = NULL;

  if (GTK_IS_LABEL (widget))
    text = gtk_label_get_text (GTK_LABEL (widget));
  else if (GTK_IS_BUTTON (widget))
    text = gtk_button_get_label (GTK_BUTTON (widget));
  else if (GTK_IS_EDITABLE (widget))
    text = gtk_editable_get_text (GTK_EDITABLE (widget));
  return g_strdup_printf ("%s “%.40s” in %s in %s", G_OBJECT_TYPE_NAME (widget),
                          text != NULL ? text : "",
                          G_OBJECT_TYPE_NAME (gtk_widget_get_parent (widget)),
                          G_OBJECT_TYPE_NAME (gtk_widget_get_parent (gtk_widget_get_parent (widget))));
}

/* Tabs through @window; each stop must show a ring. */
static void
assert_rings (GtkWindow  *window,
              const char *name)
{
  GtkWidget *first = NULL;
  const char *shots = g_getenv ("SHMLAB_FOCUS_SHOTS");
  g_autoptr(GString) missing = g_string_new (NULL);
  int stops = 0;

  gtk_window_present (window);
  while (!gtk_widget_get_mapped (GTK_WIDGET (window)))
    g_main_context_iteration (NULL, TRUE);
  gtk_window_set_focus (window, NULL);
  settle ();

  for (stops = 0; stops < MAX_STOPS; stops++)
    {
      GtkWidget *focus;
      graphene_rect_t bounds;
      Picture with, without;

      if (!gtk_widget_child_focus (GTK_WIDGET (window), GTK_DIR_TAB_FORWARD))
        gtk_widget_child_focus (GTK_WIDGET (window), GTK_DIR_TAB_FORWARD);
      focus = gtk_root_get_focus (GTK_ROOT (window));
      g_assert_nonnull (focus);
      if (focus == first)
        break;
      if (first == NULL)
        first = focus;

      gtk_window_set_focus_visible (window, TRUE);
      settle ();
      with = draw (GTK_WIDGET (window));
      if (shots != NULL)
        {
          g_autofree char *file = g_strdup_printf ("%s-%02d.png", name, stops);
          g_autofree char *path = g_build_filename (shots, file, NULL);
          g_autoptr(GError) error = NULL;

          g_assert_true (shmlab_widget_save_png (GTK_WIDGET (window), path, 1, &error));
        }

      /* The same window with the focus nowhere, then back where it was. */
      g_object_ref (focus);
      gtk_window_set_focus (window, NULL);
      settle ();
      without = draw (GTK_WIDGET (window));
      g_assert_true (gtk_widget_compute_bounds (focus, GTK_WIDGET (window), &bounds));
      if (!differ_in (&with, &without, &bounds))
        {
          g_autofree char *what = describe (focus);
          g_string_append_printf (missing, "\n  stop %d: %s", stops, what);
        }
      /* The blue buttons: a ring of their own blue would not show on them. */
      else if (gtk_widget_has_css_class (focus, "suggested-action") &&
               contrast_outside (&with, &without, &bounds) < 128)
        {
          g_autofree char *what = describe (focus);
          g_string_append_printf (missing, "\n  stop %d: %s (barely visible)", stops, what);
        }
      gtk_widget_grab_focus (focus);
      g_object_unref (focus);
      picture_clear (&with);
      picture_clear (&without);
    }
  g_assert_cmpint (stops, <, MAX_STOPS);
  g_assert_cmpint (stops, >, 5);
  if (missing->len > 0)
    g_error ("%s: these focus stops show no focus ring:%s", name, missing->str);
}

static void
test_writer (void)
{
  g_autofree char *key = shmlab_test_unique_key ("ringw");
  ShmlabWriterStation *window = g_object_ref_sink (shmlab_test_writer_new (NULL));

  shmlab_key_bar_set_key (shmlab_station_get_key_bar (SHMLAB_STATION (window)), key);
  assert_rings (shmlab_test_window_of (window), "writer");
  gtk_window_destroy (shmlab_test_window_of (window));
  g_object_unref (window);
}

static void
test_reader (void)
{
  g_autofree char *key = shmlab_test_unique_key ("ringr");
  ShmlabReaderStation *window = g_object_ref_sink (shmlab_test_reader_new (NULL));

  shmlab_key_bar_set_key (shmlab_station_get_key_bar (SHMLAB_STATION (window)), key);
  assert_rings (shmlab_test_window_of (window), "reader");
  gtk_window_destroy (shmlab_test_window_of (window));
  g_object_unref (window);
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
  /* A text's cursor stays drawn while it has the focus. */
  g_object_set (gtk_settings_get_default (), "gtk-cursor-blink", FALSE,
                "gtk-enable-animations", FALSE, NULL);

  g_test_add_func ("/focus-ring/writer", test_writer);
  g_test_add_func ("/focus-ring/reader", test_reader);
  return g_test_run ();
}
