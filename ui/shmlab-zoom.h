/* shmlab-zoom.h — how large both windows draw their text: one zoom for the
 * whole program, with its actions, keys and command-line option
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define SHMLAB_ZOOM_MIN     50
#define SHMLAB_ZOOM_DEFAULT 100
#define SHMLAB_ZOOM_MAX     300

#define SHMLAB_TYPE_ZOOM (shmlab_zoom_get_type ())
G_DECLARE_FINAL_TYPE (ShmlabZoom, shmlab_zoom, SHMLAB, ZOOM, GObject)

ShmlabZoom *shmlab_zoom_get_default   (void);
int         shmlab_zoom_get_percent   (ShmlabZoom   *self);
void        shmlab_zoom_set_percent   (ShmlabZoom   *self,
                                       int           percent);
void        shmlab_zoom_in            (ShmlabZoom   *self);
void        shmlab_zoom_out           (ShmlabZoom   *self);
void        shmlab_zoom_reset         (ShmlabZoom   *self);
char       *shmlab_zoom_format        (int           percent);

int         shmlab_zoom_step          (int           percent,
                                       int           direction);
gboolean    shmlab_zoom_parse         (const char   *text,
                                       int          *percent,
                                       GError      **error);

void        shmlab_zoom_install       (GtkApplication *app,
                                       int             percent,
                                       gboolean        remember);

G_END_DECLS
