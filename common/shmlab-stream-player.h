/* shmlab-stream-player.h — a stream played in a worker thread: a source's
 * frames, paced, into a writer; for the windows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "shmlab-stream.h"
#include "shmlab-stream-source.h"

G_BEGIN_DECLS

typedef struct _ShmlabStreamPlayer ShmlabStreamPlayer;

/**
 * ShmlabStreamPlayerState:
 *
 * What the player says, read by the main thread when it likes (a copy).
 */
typedef struct
{
  gboolean running;         /* the thread is playing */
  ShmlabStreamStats stats;
  guint64 frame_number;     /* the last frame written */
  GError *problem;          /* the last problem (a reader gone…), or NULL */
  gboolean stopped;         /* the thread ended; @problem says why if not asked */
  GBytes *preview;          /* the last frame, small: preview_width × preview_height RGBA */
  guint32 preview_width;
  guint32 preview_height;
} ShmlabStreamPlayerState;

void                shmlab_stream_player_state_clear (ShmlabStreamPlayerState *state);

/* Takes @source. @fps 0 is as fast as possible. */
ShmlabStreamPlayer *shmlab_stream_player_start    (ShmlabKey                *key,
                                                   const ShmlabStreamConfig *config,
                                                   ShmlabStreamSource       *source,
                                                   double                    fps,
                                                   GError                  **error);
void                shmlab_stream_player_set_lock (ShmlabStreamPlayer       *self,
                                                   gboolean                  lock);
void                shmlab_stream_player_set_fps  (ShmlabStreamPlayer       *self,
                                                   double                    fps);
void                shmlab_stream_player_get_state (ShmlabStreamPlayer      *self,
                                                   ShmlabStreamPlayerState  *state);
/* Stops the thread (it ends within a wait slice) and frees everything in
 * it; returns at once. */
void                shmlab_stream_player_stop     (ShmlabStreamPlayer       *self);

G_END_DECLS
