/* shmlab-settings.h — what the programs remember between runs (GSettings
 * io.github.shmlab): the zoom, and each program's window size
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

GSettingsSchemaSource *shmlab_settings_schema_source (void);
GSettings             *shmlab_settings_get           (void);
void                   shmlab_settings_track_window  (GtkWindow  *window,
                                                      const char *program);

G_END_DECLS
