/* shmlab-stream-source.h — where a stream's frames come from: a test pattern
 * made to show tearing, a folder of pictures, or a video file mapped with
 * mmap (YUV4MPEG2 or raw RGBA)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  SHMLAB_STREAM_SOURCE_PATTERN,
  SHMLAB_STREAM_SOURCE_FOLDER,
  SHMLAB_STREAM_SOURCE_VIDEO,
} ShmlabStreamSourceKind;

/**
 * ShmlabStreamSourceError:
 * @SHMLAB_STREAM_SOURCE_ERROR_EMPTY: a folder with no picture ShmLab opens
 * @SHMLAB_STREAM_SOURCE_ERROR_FORMAT: a video that is neither YUV4MPEG2 nor
 *   raw RGBA of the size given, or a header that lies (the message names
 *   the file and what is wrong)
 * @SHMLAB_STREAM_SOURCE_ERROR_TRUNCATED: a video shorter than one frame
 * @SHMLAB_STREAM_SOURCE_ERROR_SIZE: a size outside the stream's limits
 */
typedef enum
{
  SHMLAB_STREAM_SOURCE_ERROR_EMPTY,
  SHMLAB_STREAM_SOURCE_ERROR_FORMAT,
  SHMLAB_STREAM_SOURCE_ERROR_TRUNCATED,
  SHMLAB_STREAM_SOURCE_ERROR_SIZE,
} ShmlabStreamSourceError;

#define SHMLAB_STREAM_SOURCE_ERROR (shmlab_stream_source_error_quark ())
GQuark shmlab_stream_source_error_quark (void);

typedef struct _ShmlabStreamSource ShmlabStreamSource;

/* The pattern, at any size the stream takes (SHMLAB_STREAM_MIN_SIDE to
 * SHMLAB_STREAM_MAX_WIDTH × SHMLAB_STREAM_MAX_HEIGHT). */
ShmlabStreamSource *shmlab_stream_source_new_pattern (guint32        width,
                                                      guint32        height,
                                                      GError       **error);
/* Every picture in @dir ShmLab opens, in name order, fitted (letterboxed)
 * into width × height; 0 × 0 takes the first picture's size. */
ShmlabStreamSource *shmlab_stream_source_new_folder  (const char    *dir,
                                                      guint32        width,
                                                      guint32        height,
                                                      GCancellable  *cancellable,
                                                      GError       **error);
/* A video file, mapped, never read whole: YUV4MPEG2 (recognised by its
 * first bytes; carries its own size and rate) or, when @raw_width and
 * @raw_height are given, raw RGBA frames of that size. */
ShmlabStreamSource *shmlab_stream_source_new_video   (const char    *path,
                                                      guint32        raw_width,
                                                      guint32        raw_height,
                                                      GError       **error);

ShmlabStreamSourceKind shmlab_stream_source_get_kind   (ShmlabStreamSource *self);
guint32     shmlab_stream_source_get_width             (ShmlabStreamSource *self);
guint32     shmlab_stream_source_get_height            (ShmlabStreamSource *self);
/* The source's own rate (a .y4m's), or 0 when it has none. */
double      shmlab_stream_source_get_fps               (ShmlabStreamSource *self);
/* How many frames before it loops (0: endless, as the pattern). */
guint64     shmlab_stream_source_get_n_frames          (ShmlabStreamSource *self);
/* A line for a person: "Test pattern, 1920 × 1080", "clip.y4m: 640 × 360,
 * 25 fps, 250 frames (YUV 4:2:0)", … */
char       *shmlab_stream_source_describe              (ShmlabStreamSource *self);

/* Renders frame @frame_number (1, 2, …; a source with n frames loops) into
 * @rgba, width × height straight RGBA with @stride bytes per row. Any thread;
 * one thread at a time per source. */
gboolean    shmlab_stream_source_render                (ShmlabStreamSource *self,
                                                        guint64             frame_number,
                                                        gint64              time_ns,
                                                        guint8             *rgba,
                                                        gsize               stride,
                                                        GError            **error);
void        shmlab_stream_source_free                  (ShmlabStreamSource *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShmlabStreamSource, shmlab_stream_source_free)

G_END_DECLS
