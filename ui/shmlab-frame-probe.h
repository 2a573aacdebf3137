/* shmlab-frame-probe.h — the window's frame clock, watched: the time
 * between consecutive frames, written as JSON (--frame-probe FILE)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Gaps in the first second after the window is on screen are start-up,
 * counted apart from the others. */
#define SHMLAB_FRAME_PROBE_SETTLE_MS 1000
/* One frame at 60 Hz: a gap longer than this is a frame missed. */
#define SHMLAB_FRAME_PROBE_FRAME_MS 16.7

typedef struct _ShmlabFrameProbe ShmlabFrameProbe;

ShmlabFrameProbe *shmlab_frame_probe_new    (const char        *path);
void              shmlab_frame_probe_free   (ShmlabFrameProbe  *probe);
void              shmlab_frame_probe_attach (ShmlabFrameProbe  *probe,
                                             GtkWidget         *window);
void              shmlab_frame_probe_mark   (ShmlabFrameProbe  *probe,
                                             const char        *what);
guint             shmlab_frame_probe_get_frames (ShmlabFrameProbe *probe);
char             *shmlab_frame_probe_to_json (ShmlabFrameProbe *probe);
gboolean          shmlab_frame_probe_write  (ShmlabFrameProbe  *probe,
                                             GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShmlabFrameProbe, shmlab_frame_probe_free)

G_END_DECLS
