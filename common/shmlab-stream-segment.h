/* shmlab-stream-segment.h — a stream's shared memory segment: a header with
 * the handoff's counters and semaphores, then one or two frame slots
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <semaphore.h>

#include "shmlab-stream.h"

G_BEGIN_DECLS

#define SHMLAB_STREAM_SEGMENT_MAGIC "SHMLABST"
#define SHMLAB_STREAM_SEGMENT_VERSION 1
#define SHMLAB_STREAM_SEGMENT_HEADER_SIZE 4096

#define SHMLAB_STREAM_STATE_RUNNING 1
#define SHMLAB_STREAM_STATE_ENDED 2

/**
 * ShmlabStreamSegmentHeader:
 *
 * The first 4096 bytes of a stream's segment, as they sit in it (this
 * machine's byte order, naturally aligned, so both sides use atomics on
 * them; only little-endian machines are supported):
 *
 * | offset | size | field |
 * |--------|------|-------|
 * | 0 | 8 | magic "SHMLABST" |
 * | 8 | 2 | version (1) |
 * | 10 | 2 | header_size (4096) |
 * | 12 | 4 | state (1 running, 2 ended) |
 * | 16 | 4 | n_slots (1 or 2) |
 * | 20 | 4 | handoff (0 latest, 1 every frame) |
 * | 24 | 8 | slot_size |
 * | 32 | 8 | stream_id (new for each stream) |
 * | 40 | 4 | lock (1 when the writer takes the lock) |
 * | 44 | 4 | writer_pid |
 * | 48 | 4 | reader_pid |
 * | 52 | 4 | published (a futex word: frames published, modulo 2³²) |
 * | 56 | 4 | width |
 * | 60 | 4 | lock_holder (as in a frame: the POSIX lock's holder) |
 * | 64 | 4 | height |
 * | 68 | 4 | latest_slot |
 * | 72 | 8 | latest_frame |
 * | 80 | 8 | writer_heartbeat (CLOCK_MONOTONIC ns) |
 * | 88 | 8 | reader_heartbeat |
 * | 96 | 8 | write_count (every frame: frames put) |
 * | 104 | 8 | read_count (every frame: frames taken) |
 * | 112 | 8 | writer_lock_wait_ns |
 * | 120 | 8 | writer_handoff_wait_ns |
 * | 128 | 8 | reader_lock_wait_ns |
 * | 256 | 32 | sem_t empty (every frame: free slots) |
 * | 320 | 32 | sem_t full (every frame: slots holding a frame) |
 *
 * Slot i starts at 4096 + i × slot_size and holds one stream frame
 * (shmlab-stream-frame.h).
 */
typedef struct
{
  char magic[8];
  guint16 version;
  guint16 header_size;
  guint32 state;
  guint32 n_slots;
  guint32 handoff;
  guint64 slot_size;
  guint64 stream_id;
  guint32 lock;
  guint32 writer_pid;
  guint32 reader_pid;
  guint32 published;
  guint32 width;
  guint32 lock_holder;
  guint32 height;
  guint32 latest_slot;
  guint64 latest_frame;
  gint64 writer_heartbeat;
  gint64 reader_heartbeat;
  guint64 write_count;
  guint64 read_count;
  gint64 writer_lock_wait_ns;
  gint64 writer_handoff_wait_ns;
  gint64 reader_lock_wait_ns;
  guint8 reserved1[256 - 136];
  union { sem_t sem; guint8 room[64]; } empty;
  union { sem_t sem; guint8 room[64]; } full;
} ShmlabStreamSegmentHeader;

G_STATIC_ASSERT (G_STRUCT_OFFSET (ShmlabStreamSegmentHeader, lock_holder) == 60);
G_STATIC_ASSERT (G_STRUCT_OFFSET (ShmlabStreamSegmentHeader, reader_lock_wait_ns) == 128);
G_STATIC_ASSERT (G_STRUCT_OFFSET (ShmlabStreamSegmentHeader, empty) == 256);
G_STATIC_ASSERT (G_STRUCT_OFFSET (ShmlabStreamSegmentHeader, full) == 320);
G_STATIC_ASSERT (sizeof (ShmlabStreamSegmentHeader) <= SHMLAB_STREAM_SEGMENT_HEADER_SIZE);
G_STATIC_ASSERT (G_BYTE_ORDER == G_LITTLE_ENDIAN);

/**
 * ShmlabStreamSegmentInfo:
 *
 * What a stream segment's header says, copied and checked.
 */
typedef struct
{
  guint32 state;
  guint32 n_slots;
  ShmlabStreamHandoff handoff;
  guint64 slot_size;
  guint64 stream_id;
  gboolean lock;
  guint32 writer_pid;
  guint32 reader_pid;
  guint32 width;
  guint32 height;
  guint32 latest_slot;
  guint64 latest_frame;
  guint64 write_count;
  guint64 read_count;
  gint64 writer_lock_wait_ns;
  gint64 writer_handoff_wait_ns;
  gint64 reader_lock_wait_ns;
  const char *wrong_field;   /* when parse fails on a field: its name */
} ShmlabStreamSegmentInfo;

gboolean shmlab_stream_segment_size  (guint32                   width,
                                      guint32                   height,
                                      guint                     n_slots,
                                      gsize                    *slot_size,
                                      gsize                    *segment_size,
                                      GError                  **error);
gboolean shmlab_stream_segment_is_stream (const guint8          *bytes,
                                      gsize                     length);
/* Reads the header of @bytes (the mapped segment, or a copy) field by field
 * and checks each against the segment's @length. */
gboolean shmlab_stream_segment_parse (const guint8             *bytes,
                                      gsize                     length,
                                      ShmlabStreamSegmentInfo  *info,
                                      GError                  **error);
/* Where slot @i starts; only for a parsed @info. */
gsize    shmlab_stream_segment_slot_offset (const ShmlabStreamSegmentInfo *info,
                                      guint                     i);

G_END_DECLS
