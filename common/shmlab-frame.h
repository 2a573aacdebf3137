/* shmlab-frame.h — the layout of a ShmLab frame: its header, its two slots,
 * its generation and its lock_holder word
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SHMLAB_FRAME_MAGIC "SHMLABFR"
#define SHMLAB_FRAME_VERSION 1
#define SHMLAB_FRAME_HEADER_SIZE 64

/* The kind numbers of the header (the payload's kinds use the same). */
#define SHMLAB_FRAME_KIND_TEXT 1
#define SHMLAB_FRAME_KIND_IMAGE 2

/**
 * ShmlabFrameHeader:
 *
 * The header of a ShmLab frame as it sits in the segment, every integer
 * little-endian:
 *
 * | offset | size | field          |
 * |--------|------|----------------|
 * | 0      | 8    | magic "SHMLABFR" |
 * | 8      | 2    | version (1)    |
 * | 10     | 2    | header_size (64) |
 * | 12     | 4    | kind (1 text, 2 RGBA8 image) |
 * | 16     | 4    | width (pixels; 0 for text) |
 * | 20     | 4    | height (pixels; 0 for text) |
 * | 24     | 4    | stride (bytes per row; 0 for text) |
 * | 28     | 4    | crc32 of the payload |
 * | 32     | 8    | payload_length |
 * | 40     | 8    | generation (each write adds one) |
 * | 48     | 8    | write_time (µs since the Unix epoch) |
 * | 56     | 4    | writer_pid |
 * | 60     | 4    | lock_holder (pid; first slot only) |
 *
 * The payload starts at header_size.
 *
 * Double buffering: a segment with room for two frames has a second slot at
 * shmlab_frame_second_slot(). A writer fills the slot that does not hold the
 * newest frame, payload first and generation last, and a reader takes the
 * newest slot whose CRC holds: a writer killed halfway leaves the previous
 * frame whole. A frame that needs more than half the segment has one slot.
 *
 * lock_holder, in the first slot, is the pid of the ShmLab process holding
 * the key's lock, 0 when none does: a POSIX semaphore is not given back when
 * its holder dies, and this is how a waiter finds out (see ShmlabSegment).
 */
typedef struct
{
  guint16 version;
  guint16 header_size;
  guint32 kind;
  guint32 width;
  guint32 height;
  guint32 stride;
  guint32 crc32;
  guint64 payload_length;
  guint64 generation;
  gint64 write_time;
  guint32 writer_pid;
  guint32 lock_holder;
} ShmlabFrameHeader;

/* The fields of the header, in the order they sit in it. */
typedef enum
{
  SHMLAB_FRAME_FIELD_MAGIC,
  SHMLAB_FRAME_FIELD_VERSION,
  SHMLAB_FRAME_FIELD_HEADER_SIZE,
  SHMLAB_FRAME_FIELD_KIND,
  SHMLAB_FRAME_FIELD_WIDTH,
  SHMLAB_FRAME_FIELD_HEIGHT,
  SHMLAB_FRAME_FIELD_STRIDE,
  SHMLAB_FRAME_FIELD_CRC32,
  SHMLAB_FRAME_FIELD_PAYLOAD_LENGTH,
  SHMLAB_FRAME_FIELD_GENERATION,
  SHMLAB_FRAME_FIELD_WRITE_TIME,
  SHMLAB_FRAME_FIELD_WRITER_PID,
  SHMLAB_FRAME_FIELD_LOCK_HOLDER,
  SHMLAB_FRAME_N_FIELDS
} ShmlabFrameFieldId;

/**
 * ShmlabFrameField:
 *
 * A field of the frame header with where it sits, for showing the header
 * over the bytes it comes from.
 */
typedef struct
{
  const char *name;
  guint offset;
  guint size;
} ShmlabFrameField;

/**
 * ShmlabFrameSlots:
 *
 * The frame slots of a segment whose headers hold, newest first.
 */
typedef struct
{
  guint n;
  gsize offset[2];
  ShmlabFrameHeader header[2];
} ShmlabFrameSlots;

const ShmlabFrameField *shmlab_frame_fields      (guint                   *n_fields);
guint64        shmlab_frame_read_field           (const guint8            *bytes,
                                                  ShmlabFrameFieldId       field);
gboolean       shmlab_frame_header_parse         (const guint8            *bytes,
                                                  gsize                    length,
                                                  ShmlabFrameHeader       *header,
                                                  GError                 **error);
gboolean       shmlab_frame_header_fits_segment  (const ShmlabFrameHeader *header,
                                                  guint64                  segment_size,
                                                  GError                 **error);
gsize          shmlab_frame_extent               (const ShmlabFrameHeader *header);
void           shmlab_frame_find_slots           (const guint8            *bytes,
                                                  gsize                    length,
                                                  ShmlabFrameSlots        *slots);
void           shmlab_frame_header_write         (guint8                  *dest,
                                                  const ShmlabFrameHeader *header);
void           shmlab_frame_forget_generation    (guint8                  *slot);
guint64        shmlab_frame_peek_generation      (const guint8            *bytes,
                                                  gsize                    length);
gsize          shmlab_frame_second_slot          (gsize                    length);
guint32       *shmlab_frame_lock_holder          (guint8                  *bytes,
                                                  gsize                    length);

G_END_DECLS
