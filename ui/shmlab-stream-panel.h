/* shmlab-stream-panel.h — the Writer's Stream page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "shmlab-session.h"
#include "shmlab-stream.h"

G_BEGIN_DECLS

#define SHMLAB_TYPE_STREAM_PANEL (shmlab_stream_panel_get_type ())
G_DECLARE_FINAL_TYPE (ShmlabStreamPanel, shmlab_stream_panel, SHMLAB, STREAM_PANEL, GtkWidget)

void     shmlab_stream_panel_set_session   (ShmlabStreamPanel        *self,
                                            ShmlabSession            *session);
/* What the command line asks for (--stream-size, --fps, --no-lock, …). */
void     shmlab_stream_panel_configure     (ShmlabStreamPanel        *self,
                                            const ShmlabStreamConfig *config,
                                            double                    fps);
/* The source as if chosen (0 the pattern, 1 a folder, 2 a video), without
 * the file chooser: for --stream options and tests. */
void     shmlab_stream_panel_set_source    (ShmlabStreamPanel        *self,
                                            guint                     kind,
                                            const char               *path);
/* The size of raw RGBA frames, as typed in its field ("640x360"). */
void     shmlab_stream_panel_set_raw_size  (ShmlabStreamPanel        *self,
                                            const char               *size);
void     shmlab_stream_panel_set_streaming (ShmlabStreamPanel        *self,
                                            gboolean                  streaming);
gboolean shmlab_stream_panel_get_streaming (ShmlabStreamPanel        *self);
guint64  shmlab_stream_panel_get_frames_written (ShmlabStreamPanel   *self);

G_END_DECLS
