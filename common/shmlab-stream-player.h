/* shmlab-stream-player.h — a stream played in a worker thread: a source's
 * frames, paced, into a writer; what it does said on the main context
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "shmlab-stream.h"
#include "shmlab-stream-source.h"

G_BEGIN_DECLS

/* The preview in a report is at most this wide. */
#define SHMLAB_STREAM_PLAYER_PREVIEW_WIDTH 320
/* Reports come at most this often. */
#define SHMLAB_STREAM_PLAYER_REPORT_INTERVAL_MS 250

/**
 * ShmlabStreamPlayerReport:
 * @config: what streams (the writer's config, its size the source's)
 * @fps: the rate asked for; 0 is as fast as possible
 * @stats: the writer's figures
 * @frame_number: the frame just written (1, 2, … since the writer was made)
 * @preview: (nullable): that frame made small, straight RGBA,
 *   @preview_width × @preview_height, rows of @preview_width × 4 bytes
 *
 * What ShmlabStreamPlayer::stats hands over; valid during the emission.
 */
typedef struct
{
  ShmlabStreamConfig config;
  double fps;
  ShmlabStreamStats stats;
  guint64 frame_number;
  GBytes *preview;
  guint32 preview_width;
  guint32 preview_height;
} ShmlabStreamPlayerReport;

#define SHMLAB_TYPE_STREAM_PLAYER (shmlab_stream_player_get_type ())
G_DECLARE_FINAL_TYPE (ShmlabStreamPlayer, shmlab_stream_player, SHMLAB, STREAM_PLAYER, GObject)

ShmlabStreamPlayer *shmlab_stream_player_new      (void);
/* Starts playing @source (taken) into a writer of @config for @key; while
 * it plays, the worker frees the writer (which removes what it made) and
 * makes a new one: a new transport, buffers, handoff or size. The signals
 * come on the thread-default main context of the caller of the first
 * play(). Returns at once; a writer that cannot be made is ::stopped. */
void                shmlab_stream_player_play     (ShmlabStreamPlayer       *self,
                                                   ShmlabKey                *key,
                                                   const ShmlabStreamConfig *config,
                                                   ShmlabStreamSource       *source,
                                                   double                    fps);
/* Live, from the next frame. */
void                shmlab_stream_player_set_lock (ShmlabStreamPlayer       *self,
                                                   gboolean                  lock);
/* Live; @fps 0 is as fast as possible. */
void                shmlab_stream_player_set_fps  (ShmlabStreamPlayer       *self,
                                                   double                    fps);
gboolean            shmlab_stream_player_get_playing (ShmlabStreamPlayer    *self);
/* Returns at once; the worker ends within one wait slice, frees the writer
 * (its segment, FIFO or socket goes) and no signal comes after. */
void                shmlab_stream_player_stop     (ShmlabStreamPlayer       *self);

/* Workers of every player still running, stopped or not: a program waits
 * for 0 before it exits, so that no segment is left behind. */
guint               shmlab_stream_player_count_running (void);

G_END_DECLS
