/* shmlab-settings.c — what the programs remember between runs (GSettings
 * io.github.shmlab): the zoom, and each program's window size
 *
 * An installed program finds its schema where GLib looks for every schema.
 * Run from its build directory, it looks first in the schema compiled there,
 * so that the uninstalled build remembers too, with no variable to set; an
 * installed program never looks there. Without a schema at all, nothing is
 * remembered and everything else works.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-settings.h"

#define SCHEMA_ID "io.github.shmlab"

/* Whether this program is the one in the build directory. */
static gboolean
running_uninstalled (void)
{
#ifdef SHMLAB_BUILD_ROOT
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);

  return exe != NULL && g_str_has_prefix (exe, SHMLAB_BUILD_ROOT "/");
#else
  return FALSE;
#endif
}

/**
 * shmlab_settings_schema_source:
 *
 * Returns: (transfer none) (nullable): where the schemas are looked up: the
 *   build directory's first when running uninstalled, then the system's
 */
GSettingsSchemaSource *
shmlab_settings_schema_source (void)
{
  static gsize looked_up;
  static GSettingsSchemaSource *source;

  if (g_once_init_enter (&looked_up))
    {
      GSettingsSchemaSource *found = g_settings_schema_source_get_default ();

      if (found != NULL)
        g_settings_schema_source_ref (found);
#ifdef SHMLAB_SCHEMA_BUILD_DIR
      if (running_uninstalled ())
        {
          GSettingsSchemaSource *built =
            g_settings_schema_source_new_from_directory (SHMLAB_SCHEMA_BUILD_DIR, found, FALSE,
                                                         NULL);
          if (built != NULL)
            {
              g_clear_pointer (&found, g_settings_schema_source_unref);
              found = built;
            }
        }
#endif
      source = found;
      g_once_init_leave (&looked_up, 1);
    }
  return source;
}

/**
 * shmlab_settings_get:
 *
 * Returns: (transfer none) (nullable): the programs' settings, or NULL when
 *   their schema is not installed (then nothing is remembered)
 */
GSettings *
shmlab_settings_get (void)
{
  static gsize looked_up;
  static GSettings *settings;

  if (g_once_init_enter (&looked_up))
    {
      GSettingsSchemaSource *source = shmlab_settings_schema_source ();
      g_autoptr(GSettingsSchema) schema =
        source != NULL ? g_settings_schema_source_lookup (source, SCHEMA_ID, TRUE) : NULL;

      if (schema != NULL)
        settings = g_settings_new_full (schema, NULL, NULL);
      else
        g_info ("schema %s not found: the zoom and the window size are not remembered",
                SCHEMA_ID);
      g_once_init_leave (&looked_up, 1);
    }
  return settings;
}

static void
window_save_size (GtkWindow *window,
                  GSettings *settings)
{
  int width = 0;
  int height = 0;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_delay (settings);
  if (width > 0 && height > 0)
    {
      g_settings_set_int (settings, "width", width);
      g_settings_set_int (settings, "height", height);
    }
  g_settings_set_boolean (settings, "maximized", gtk_window_is_maximized (window));
  g_settings_apply (settings);
}

static void
sizes_free (gpointer  data,
            GClosure *closure)
{
  g_object_unref (data);
}

/**
 * shmlab_settings_track_window:
 * @window: a window not yet shown
 * @program: "writer" or "reader": whose size it is
 *
 * Gives @window the size @program's window had when it was last closed, and
 * remembers its size when it closes. Does nothing without the schema, or
 * for a program it has no size for.
 */
void
shmlab_settings_track_window (GtkWindow  *window,
                              const char *program)
{
  GSettings *settings = shmlab_settings_get ();
  g_autoptr(GSettings) sizes = NULL;
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) children = NULL;

  if (settings == NULL)
    return;
  g_object_get (settings, "settings-schema", &schema, NULL);
  children = g_settings_schema_list_children (schema);
  if (!g_strv_contains ((const char *const *) children, program))
    return;
  sizes = g_settings_get_child (settings, program);
  gtk_window_set_default_size (window, g_settings_get_int (sizes, "width"),
                               g_settings_get_int (sizes, "height"));
  if (g_settings_get_boolean (sizes, "maximized"))
    gtk_window_maximize (window);
  /* Unrealized by a close, Ctrl+Q or a signal alike, while its size still holds. */
  g_signal_connect_data (window, "unrealize", G_CALLBACK (window_save_size),
                         g_steal_pointer (&sizes), sizes_free, 0);
}
