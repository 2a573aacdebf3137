/* test-zoom.c — the zoom and what is remembered: the steps and --zoom, the
 * actions and their keys, text of every kind growing with the zoom, the
 * settings found by the uninstalled build, each window's size, and the
 * command line's screenshot options
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-test-gtk.h"
#include "shmlab-test-util.h"

#include <string.h>

#include <gtk/gtk.h>

#include "shmlab-app-support.h"
#include "shmlab-reader-station.h"
#include "shmlab-settings.h"
#include "shmlab-zoom.h"

static GtkApplication *app;

static void
assert_zoom_reset (void)
{
  shmlab_zoom_reset (shmlab_zoom_get_default ());
  g_assert_cmpint (shmlab_zoom_get_percent (shmlab_zoom_get_default ()), ==, 100);
}

/* The steps of Ctrl+plus and Ctrl+minus, and what --zoom accepts. */
static void
test_steps (void)
{
  static const int up[] = { 50, 67, 80, 90, 100, 110, 120, 133, 150, 170, 200, 240, 300 };
  static const char *const refused[] = { "49", "301", "abc", "", "15x", "-100", "150 %", "1e2" };
  int percent = 50;

  for (gsize i = 1; i < G_N_ELEMENTS (up); i++)
    {
      percent = shmlab_zoom_step (percent, 1);
      g_assert_cmpint (percent, ==, up[i]);
    }
  g_assert_cmpint (shmlab_zoom_step (300, 1), ==, 300);
  for (gsize i = G_N_ELEMENTS (up) - 1; i > 0; i--)
    {
      percent = shmlab_zoom_step (percent, -1);
      g_assert_cmpint (percent, ==, up[i - 1]);
    }
  g_assert_cmpint (shmlab_zoom_step (50, -1), ==, 50);
  /* A --zoom between two steps goes on to the nearest one. */
  g_assert_cmpint (shmlab_zoom_step (105, 1), ==, 110);
  g_assert_cmpint (shmlab_zoom_step (105, -1), ==, 100);

  g_assert_true (shmlab_zoom_parse ("150", &percent, NULL));
  g_assert_cmpint (percent, ==, 150);
  g_assert_true (shmlab_zoom_parse ("75%", &percent, NULL));
  g_assert_cmpint (percent, ==, 75);
  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *said = g_strdup_printf ("--zoom %s: give a percentage from 50 to 300, "
                                               "such as 150", refused[i]);

      g_assert_false (shmlab_zoom_parse (refused[i], &percent, &error));
      g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
      g_assert_cmpstr (error->message, ==, said);
    }
}

static gboolean
has_accel (const char *action,
           const char *accel)
{
  g_auto(GStrv) accels = gtk_application_get_accels_for_action (app, action);

  return g_strv_contains ((const char *const *) accels, accel);
}

static gboolean
action_enabled (const char *name)
{
  return g_action_group_get_action_enabled (G_ACTION_GROUP (app), name);
}

/* app.zoom-in, app.zoom-out and app.zoom-reset, their keys, their ends,
 * and the zoom they set remembered in the settings. */
static void
test_actions (void)
{
  ShmlabZoom *zoom = shmlab_zoom_get_default ();
  GSettings *settings = shmlab_settings_get ();

  g_assert_true (has_accel ("app.zoom-in", "<Control>plus"));
  g_assert_true (has_accel ("app.zoom-in", "<Control>equal"));
  g_assert_true (has_accel ("app.zoom-in", "<Control>KP_Add"));
  g_assert_true (has_accel ("app.zoom-out", "<Control>minus"));
  g_assert_true (has_accel ("app.zoom-out", "<Control>KP_Subtract"));
  g_assert_true (has_accel ("app.zoom-reset", "<Control>0"));
  g_assert_true (has_accel ("app.zoom-reset", "<Control>KP_0"));

  g_assert_nonnull (settings);
  g_assert_cmpint (shmlab_zoom_get_percent (zoom), ==, 100);
  g_assert_false (action_enabled ("zoom-reset"));

  g_action_group_activate_action (G_ACTION_GROUP (app), "zoom-in", NULL);
  g_assert_cmpint (shmlab_zoom_get_percent (zoom), ==, 110);
  g_assert_cmpint (g_settings_get_int (settings, "zoom"), ==, 110);
  g_assert_true (action_enabled ("zoom-reset"));

  g_action_group_activate_action (G_ACTION_GROUP (app), "zoom-out", NULL);
  g_action_group_activate_action (G_ACTION_GROUP (app), "zoom-out", NULL);
  g_assert_cmpint (shmlab_zoom_get_percent (zoom), ==, 90);
  g_assert_cmpint (g_settings_get_int (settings, "zoom"), ==, 90);

  /* A zoom set elsewhere (another window, the settings) is the program's. */
  g_settings_set_int (settings, "zoom", 240);
  g_assert_cmpint (shmlab_zoom_get_percent (zoom), ==, 240);
  g_action_group_activate_action (G_ACTION_GROUP (app), "zoom-in", NULL);
  g_assert_cmpint (shmlab_zoom_get_percent (zoom), ==, 300);
  g_assert_false (action_enabled ("zoom-in"));
  g_assert_true (action_enabled ("zoom-out"));

  shmlab_zoom_set_percent (zoom, 50);
  g_assert_false (action_enabled ("zoom-out"));

  g_action_group_activate_action (G_ACTION_GROUP (app), "zoom-reset", NULL);
  g_assert_cmpint (g_settings_get_int (settings, "zoom"), ==, 100);
  assert_zoom_reset ();
}

static int
natural_height (GtkWidget *widget)
{
  int natural = 0;

  gtk_widget_measure (widget, GTK_ORIENTATION_VERTICAL, -1, NULL, &natural, NULL, NULL);
  return natural;
}

static int
natural_width (GtkWidget *widget)
{
  int natural = 0;

  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &natural, NULL, NULL);
  return natural;
}

/* How high a line of text is in @widget's font, as it draws it now. */
static int
text_height (GtkWidget *widget)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, "共享内存 shared");
  int height = 0;

  pango_layout_get_pixel_size (layout, NULL, &height);
  return height;
}

/* @after is @before times @factor, give or take rounding and fixed padding. */
static void
assert_scaled (int    before,
               int    after,
               double factor)
{
  g_test_message ("%d → %d (×%.2f)", before, after, factor);
  g_assert_cmpfloat ((double) after / before, >=, factor * 0.8);
  g_assert_cmpfloat ((double) after / before, <=, factor * 1.2);
}

static GtkWidget *
find_label (GtkWidget  *root,
            const char *text)
{
  if (GTK_IS_LABEL (root) && strstr (gtk_label_get_text (GTK_LABEL (root)), text) != NULL)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label (child, text);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
run_once (gpointer data)
{
  gboolean *done = data;
  *done = TRUE;
  return G_SOURCE_REMOVE;
}

static void
settle (void)
{
  gboolean done = FALSE;

  g_timeout_add (50, run_once, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* Runs the main loop until @measure (@widget) is @value or is no longer
 * @value (@differs); gives up after 30 s and fails the test. */
static void
wait_for (int      (*measure) (GtkWidget *),
          GtkWidget *widget,
          int        value,
          gboolean   differs)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while ((measure (widget) != value) != differs)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("gave up waiting for the restyle after a zoom change");
      settle ();
    }
}

/* What a class reads grows with the zoom: the window's labels, the text of
 * a text view, a CSS size in points (the content's text); and the menu
 * says the zoom. */
static void
test_scales_text (void)
{
  ShmlabZoom *zoom = shmlab_zoom_get_default ();
  ShmlabReaderStation *window = shmlab_test_reader_new (app);
  GtkWidget *caption = find_label (GTK_WIDGET (window), "Native key");
  GtkWidget *view = gtk_text_view_new ();
  GtkWidget *big = gtk_label_new ("Shared memory");
  GtkWidget *other = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *reset = NULL;
  GtkWidget *titlebar = GTK_WIDGET (window);
  GtkWidget *menu_button = NULL;
  int caption_height, caption_width, view_height, big_height, caption_height_200;

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), "共享内存 shared", -1);
  gtk_widget_add_css_class (big, "problem-title");  /* 18pt in style.css */
  gtk_box_append (GTK_BOX (box), view);
  gtk_box_append (GTK_BOX (box), big);
  gtk_window_set_child (GTK_WINDOW (other), box);
  g_assert_nonnull (caption);
  gtk_window_present (shmlab_test_window_of (window));
  gtk_window_present (GTK_WINDOW (other));
  settle ();

  caption_height = natural_height (caption);
  caption_width = natural_width (caption);
  view_height = text_height (view);
  big_height = natural_height (big);

  shmlab_zoom_set_percent (zoom, 200);
  wait_for (natural_height, caption, caption_height, TRUE);
  wait_for (natural_height, big, big_height, TRUE);
  wait_for (text_height, view, view_height, TRUE);
  assert_scaled (caption_width, natural_width (caption), 2.0);
  assert_scaled (caption_height, natural_height (caption), 2.0);
  assert_scaled (view_height, text_height (view), 2.0);
  assert_scaled (big_height, natural_height (big), 2.0);

  menu_button = shmlab_test_find_by_type (titlebar, GTK_TYPE_MENU_BUTTON);
  g_assert_nonnull (menu_button);
  reset = GTK_WIDGET (gtk_popover_get_child (gtk_menu_button_get_popover (GTK_MENU_BUTTON (menu_button))));
  reset = find_label (reset, "%");
  g_assert_nonnull (reset);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (reset)), ==, "200 %");

  caption_height_200 = natural_height (caption);
  shmlab_zoom_set_percent (zoom, 50);
  wait_for (natural_height, caption, caption_height_200, TRUE);
  assert_scaled (caption_height, natural_height (caption), 0.5);
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (reset)), ==, "50 %");

  assert_zoom_reset ();
  wait_for (natural_height, caption, caption_height, FALSE);
  gtk_window_destroy (shmlab_test_window_of (window));
  gtk_window_destroy (GTK_WINDOW (other));
}

/* Run from the build directory, with no variable pointing there, the
 * programs find their schema. */
static void
test_schema_uninstalled (void)
{
  g_autoptr(GSettingsSchema) schema = NULL;

  g_assert_null (g_getenv ("GSETTINGS_SCHEMA_DIR"));
  g_assert_nonnull (shmlab_settings_schema_source ());
  schema = g_settings_schema_source_lookup (shmlab_settings_schema_source (), "io.github.shmlab",
                                            TRUE);
  g_assert_nonnull (schema);
  g_assert_true (g_settings_schema_has_key (schema, "zoom"));
  g_assert_nonnull (shmlab_settings_get ());
}

static void
window_size (GtkWindow *window,
             int       *width,
             int       *height)
{
  gtk_window_get_default_size (window, width, height);
}

/* Each program's window comes back at the size it was closed at; the other
 * program's size is its own. */
static void
test_window_size (void)
{
  GSettings *settings = shmlab_settings_get ();
  g_autoptr(GSettings) reader = g_settings_get_child (settings, "reader");
  g_autoptr(GSettings) writer = g_settings_get_child (settings, "writer");
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  int width, height;

  shmlab_settings_track_window (window, "reader");
  window_size (window, &width, &height);
  g_assert_cmpint (width, ==, 1200);
  g_assert_cmpint (height, ==, 760);
  gtk_window_present (window);
  gtk_window_set_default_size (window, 900, 640);
  settle ();
  gtk_window_destroy (window);
  g_assert_cmpint (g_settings_get_int (reader, "width"), ==, 900);
  g_assert_cmpint (g_settings_get_int (reader, "height"), ==, 640);
  g_assert_cmpint (g_settings_get_int (writer, "width"), ==, 1200);

  window = GTK_WINDOW (gtk_window_new ());
  shmlab_settings_track_window (window, "reader");
  window_size (window, &width, &height);
  g_assert_cmpint (width, ==, 900);
  g_assert_cmpint (height, ==, 640);
  gtk_window_destroy (window);

  /* The Lab, never closed yet, opens large enough for its two panes. */
  window = GTK_WINDOW (gtk_window_new ());
  shmlab_settings_track_window (window, "lab");
  window_size (window, &width, &height);
  g_assert_cmpint (width, ==, 1600);
  g_assert_cmpint (height, ==, 1000);
  gtk_window_destroy (window);

  /* A program the settings know nothing of keeps its default size. */
  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 300, 200);
  shmlab_settings_track_window (window, "nonesuch");
  window_size (window, &width, &height);
  g_assert_cmpint (width, ==, 300);
  gtk_window_destroy (window);

  g_settings_reset (reader, "width");
  g_settings_reset (reader, "height");
  g_settings_reset (reader, "maximized");
}

static gboolean
read_options (ShmlabAppOptions *options,
              GError          **error,
              const char       *first_name,
              ...) G_GNUC_NULL_TERMINATED;

/* The options as the application reads them, given as name, GVariant pairs. */
static gboolean
read_options (ShmlabAppOptions *options,
              GError          **error,
              const char       *first_name,
              ...)
{
  g_autoptr(GVariantDict) dict = g_variant_dict_new (NULL);
  va_list ap;

  va_start (ap, first_name);
  for (const char *name = first_name; name != NULL; name = va_arg (ap, const char *))
    g_variant_dict_insert_value (dict, name, va_arg (ap, GVariant *));
  va_end (ap);
  shmlab_app_options_clear (options);
  return shmlab_app_options_read (dict, options, error);
}

/* --zoom, --screenshot and --screenshot-scale, read as the programs read
 * them: what makes no sense is refused with the option and the way out. */
static void
test_options (void)
{
  g_auto(ShmlabAppOptions) options = { 0 };
  static const struct { const char *name; const char *type; const char *value; const char *said; }
  refused[] = {
    { "zoom", "s", "20", "--zoom 20: give a percentage from 50 to 300, such as 150" },
    { "zoom", "s", "big", "--zoom big: give a percentage from 50 to 300, such as 150" },
    { "screenshot", "ay", "shot.jpg",
      "--screenshot shot.jpg: a screenshot is saved as PNG: give a file name ending in .png" },
    { "screenshot", "ay", "png", "--screenshot png: a screenshot is saved as PNG: give a file "
      "name ending in .png" },
    { "screenshot-scale", "i", "0", "--screenshot-scale 0: give 1, 2, 3 or 4" },
    { "screenshot-scale", "i", "5", "--screenshot-scale 5: give 1, 2, 3 or 4" },
  };

  g_assert_true (read_options (&options, NULL, NULL, NULL));
  g_assert_cmpint (options.zoom, ==, 0);
  g_assert_cmpint (options.screenshot_scale, ==, 0);
  g_assert_true (read_options (&options, NULL, "zoom", g_variant_new_string ("150%"), NULL));
  g_assert_cmpint (options.zoom, ==, 150);
  g_assert_true (read_options (&options, NULL, "screenshot", g_variant_new_bytestring ("Shot.PNG"),
                               "screenshot-scale", g_variant_new_int32 (2), NULL));
  g_assert_cmpstr (options.screenshot, ==, "Shot.PNG");
  g_assert_cmpint (options.screenshot_scale, ==, 2);

  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) error = NULL;
      GVariant *value = g_str_equal (refused[i].type, "s") ? g_variant_new_string (refused[i].value)
                        : g_str_equal (refused[i].type, "ay")
                          ? g_variant_new_bytestring (refused[i].value)
                          : g_variant_new_int32 (atoi (refused[i].value));

      g_assert_false (read_options (&options, &error, refused[i].name, value, NULL));
      g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
      g_assert_cmpstr (error->message, ==, refused[i].said);
    }
  /* Reading options sets no zoom: that is the application's startup. */
  g_assert_cmpint (shmlab_zoom_get_percent (shmlab_zoom_get_default ()), ==, 100);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  shmlab_test_init (&argc, &argv);
  gtk_init ();
  shmlab_app_support_init ();

  app = gtk_application_new ("io.github.shmlab.ZoomTest", G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  shmlab_zoom_install (app, 0, TRUE);

  g_test_add_func ("/zoom/steps", test_steps);
  g_test_add_func ("/zoom/actions", test_actions);
  g_test_add_func ("/zoom/scales-text", test_scales_text);
  g_test_add_func ("/zoom/schema-uninstalled", test_schema_uninstalled);
  g_test_add_func ("/zoom/window-size", test_window_size);
  g_test_add_func ("/zoom/options", test_options);

  status = g_test_run ();
  g_object_unref (app);
  return status;
}
