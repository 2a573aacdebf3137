/* shmlab-stream-frame.h — one frame of a stream as it travels: a header, then
 * rows that each carry the number of the frame they belong to and a hash
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SHMLAB_STREAM_FRAME_MAGIC "SHMLABSF"
#define SHMLAB_STREAM_FRAME_VERSION 1
#define SHMLAB_STREAM_FRAME_HEADER_SIZE 64
/* Each row starts with its tag: the frame number, then the row's hash. */
#define SHMLAB_STREAM_ROW_TAG_SIZE 16
/* Sizes a stream takes, each side. */
#define SHMLAB_STREAM_MIN_SIDE 16
#define SHMLAB_STREAM_MAX_WIDTH 7680
#define SHMLAB_STREAM_MAX_HEIGHT 4320

/**
 * ShmlabStreamFrameHeader:
 *
 * The header of a stream frame, every integer little-endian:
 *
 * | offset | size | field |
 * |--------|------|-------|
 * | 0      | 8    | magic "SHMLABSF" |
 * | 8      | 2    | version (1) |
 * | 10     | 2    | header_size (64) |
 * | 12     | 4    | width (pixels) |
 * | 16     | 4    | height (pixels) |
 * | 20     | 4    | row_size (16 + width × 4) |
 * | 24     | 8    | frame_number (the first frame is 1) |
 * | 32     | 8    | write_time (CLOCK_MONOTONIC ns when the writer began the copy) |
 * | 40     | 8    | source_time (ns from the source's start) |
 * | 48     | 4    | flags (SHMLAB_STREAM_FRAME_FLAG_*) |
 * | 52     | 4    | writer_pid |
 * | 56     | 8    | reserved, 0 |
 *
 * Then height rows of row_size bytes. Row r is
 * `frame_number (8) | XXH3-64 of its pixels seeded with that number (8) |
 * width × 4 bytes of straight RGBA`.
 *
 * Each row says which frame it came from, and its hash says whether that
 * is true of all its bytes: a copy taken while a writer without the lock was
 * overwriting it shows, row by row, where one frame meets the other.
 */
typedef struct
{
  guint32 width;
  guint32 height;
  guint32 row_size;
  guint64 frame_number;
  gint64  write_time;
  gint64  source_time;
  guint32 flags;
  guint32 writer_pid;
} ShmlabStreamFrameHeader;

/* The writer did not take the lock for this frame. */
#define SHMLAB_STREAM_FRAME_FLAG_UNLOCKED (1u << 0)

/**
 * ShmlabStreamRun:
 * @first_row: the first row of the run
 * @n_rows: how many rows
 * @frame_number: the frame they came from; 0 for rows whose bytes match no
 *   frame (a writer overwrote them during the copy)
 *
 * Rows next to each other that came from the same frame.
 */
typedef struct
{
  guint32 first_row;
  guint32 n_rows;
  guint64 frame_number;
} ShmlabStreamRun;

/**
 * ShmlabStreamCheck:
 *
 * What the rows of one copied frame say: the runs of rows from one frame,
 * top to bottom. A frame is torn when it has more than one run, or a run of
 * mixed rows (frame_number 0).
 */
typedef struct
{
  guint64 frame_number;      /* the header's */
  guint n_runs;
  ShmlabStreamRun *runs;     /* n_runs, owned */
  guint32 mixed_rows;        /* rows whose hash did not hold */
  guint64 oldest_frame;      /* the smallest frame number among the rows */
  guint64 newest_frame;      /* the largest */
} ShmlabStreamCheck;

/* A hook a test uses to pause a writer after a row: a deterministic tear. */
typedef void (*ShmlabStreamRowHook) (guint32 row, gpointer user_data);

gboolean shmlab_stream_frame_size        (guint32                        width,
                                          guint32                        height,
                                          gsize                         *frame_size,
                                          GError                       **error);
void     shmlab_stream_frame_write       (guint8                        *dest,
                                          const ShmlabStreamFrameHeader *header,
                                          const guint8                  *rgba,
                                          gsize                          rgba_stride,
                                          ShmlabStreamRowHook            hook,
                                          gpointer                       hook_data);
gboolean shmlab_stream_frame_header_parse (const guint8                 *bytes,
                                          gsize                          length,
                                          ShmlabStreamFrameHeader       *header,
                                          GError                       **error);
gboolean shmlab_stream_frame_copy        (guint8                        *dest,
                                          gsize                          dest_size,
                                          const volatile guint8         *src,
                                          gsize                          src_size,
                                          ShmlabStreamFrameHeader       *header,
                                          ShmlabStreamCheck             *check,
                                          GError                       **error);
gboolean shmlab_stream_frame_check       (const guint8                  *frame,
                                          gsize                          length,
                                          ShmlabStreamFrameHeader       *header,
                                          ShmlabStreamCheck             *check,
                                          GError                       **error);
gboolean shmlab_stream_check_is_torn     (const ShmlabStreamCheck       *check);
void     shmlab_stream_check_clear       (ShmlabStreamCheck             *check);
char    *shmlab_stream_check_describe    (const ShmlabStreamCheck       *check,
                                          guint                          max_runs);

G_END_DECLS
