/* shmlab-stream-view.h — the Reader following a stream
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "shmlab-key.h"
#include "shmlab-stream.h"

G_BEGIN_DECLS

#define SHMLAB_TYPE_STREAM_VIEW (shmlab_stream_view_get_type ())
G_DECLARE_FINAL_TYPE (ShmlabStreamView, shmlab_stream_view, SHMLAB, STREAM_VIEW, GtkWidget)

void                  shmlab_stream_view_start         (ShmlabStreamView      *self,
                                                        ShmlabKey             *key);
void                  shmlab_stream_view_stop          (ShmlabStreamView      *self);
gboolean              shmlab_stream_view_get_following (ShmlabStreamView      *self);
void                  shmlab_stream_view_set_transport (ShmlabStreamView      *self,
                                                        ShmlabStreamTransport  transport);
ShmlabStreamTransport shmlab_stream_view_get_transport (ShmlabStreamView      *self);
void                  shmlab_stream_view_set_stop_at_tear (ShmlabStreamView *self,
                                                        gboolean          stop);
/* What is on screen, for tests and screenshots. */
guint64               shmlab_stream_view_get_frames_shown (ShmlabStreamView   *self);
guint64               shmlab_stream_view_get_frames_torn  (ShmlabStreamView   *self);
guint                 shmlab_stream_view_get_n_marks      (ShmlabStreamView   *self);

G_END_DECLS
