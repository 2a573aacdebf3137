/* shmlab-payload.h — what goes in a segment: plain text, the Qt example's
 * image stream, or a ShmLab frame
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "shmlab-image.h"

G_BEGIN_DECLS

/**
 * ShmlabFormat:
 * @SHMLAB_FORMAT_AUTO: text as plain text, images as a frame (encoding only)
 * @SHMLAB_FORMAT_TEXT: the seed demo's UTF-8 bytes, NUL-terminated
 * @SHMLAB_FORMAT_QT_IMAGE: the Qt "Shared Memory Example" stream: a big-endian
 *   int32 1, then a complete PNG file
 * @SHMLAB_FORMAT_FRAME: a ShmLab frame: a 64-byte little-endian header, then
 *   the payload (UTF-8 text or raw RGBA8 rows)
 */
typedef enum
{
  SHMLAB_FORMAT_AUTO,
  SHMLAB_FORMAT_TEXT,
  SHMLAB_FORMAT_QT_IMAGE,
  SHMLAB_FORMAT_FRAME,
} ShmlabFormat;

typedef enum
{
  SHMLAB_PAYLOAD_KIND_TEXT = 1,
  SHMLAB_PAYLOAD_KIND_IMAGE = 2,
} ShmlabPayloadKind;

#define SHMLAB_FRAME_MAGIC "SHMLABFR"
#define SHMLAB_FRAME_VERSION 1
#define SHMLAB_FRAME_HEADER_SIZE 64

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

const ShmlabFrameField *shmlab_frame_fields (guint *n_fields);

/**
 * ShmlabPayload:
 * @kind: text or image
 * @format: the format it was found in (decoding) or is meant for (encoding)
 * @text: (nullable): valid UTF-8, NUL-terminated; bytes that were not valid
 *   UTF-8 in the segment are U+FFFD here
 * @text_length: bytes in @text, without the NUL
 * @invalid_bytes: how many bytes of the segment's text were not valid UTF-8
 *   or were control characters (a hint that the segment is not text at all)
 * @image: (nullable): the picture, for an image
 * @header: the frame header, when @format is %SHMLAB_FORMAT_FRAME
 * @encoded_length: how many bytes of the segment the payload occupied
 * @frame_offset: where the frame shown starts in the segment (0, or the
 *   second slot of a double-buffered segment)
 * @note: (nullable): why the other slot of a double-buffered segment was not
 *   shown (an incomplete write, a damaged frame), for the step log
 */
typedef struct
{
  ShmlabPayloadKind kind;
  ShmlabFormat format;
  char *text;
  gsize text_length;
  gsize invalid_bytes;
  ShmlabImage *image;
  ShmlabFrameHeader header;
  gsize encoded_length;
  gsize frame_offset;
  char *note;
} ShmlabPayload;

ShmlabPayload *shmlab_payload_new_text   (const char         *text,
                                          gssize              length);
ShmlabPayload *shmlab_payload_new_image  (ShmlabImage        *image);
void           shmlab_payload_free       (ShmlabPayload      *self);

ShmlabPayload *shmlab_payload_decode     (const guint8       *bytes,
                                          gsize               length,
                                          GError            **error);

ShmlabPayload *shmlab_payload_decode_bytes (GBytes           *bytes,
                                            GError          **error);

gboolean       shmlab_frame_header_parse (const guint8       *bytes,
                                          gsize               length,
                                          ShmlabFrameHeader  *header,
                                          GError            **error);
guint64        shmlab_frame_peek_generation (const guint8    *bytes,
                                             gsize            length);
gsize          shmlab_frame_second_slot  (gsize               length);
guint32       *shmlab_frame_lock_holder  (guint8             *bytes,
                                          gsize               length);

const char    *shmlab_format_to_string   (ShmlabFormat        format);
gboolean       shmlab_format_from_string (const char         *string,
                                          ShmlabFormat       *format,
                                          GError            **error);
const char    *shmlab_format_describe    (ShmlabFormat        format);

/**
 * ShmlabEncoded:
 *
 * A payload made ready to be copied into a segment: the slow part (PNG
 * encoding, the CRC-32) is done when it is made, outside the lock, so that
 * shmlab_encoded_write() under the lock is a header and one memcpy().
 * Reference counted: shmlab_encoded_ref(), and shmlab_encoded_free() drops
 * one reference.
 */
typedef struct _ShmlabEncoded ShmlabEncoded;

typedef enum
{
  SHMLAB_WRITE_FLAGS_NONE = 0,
  /* Cut text to fit, as the seed demo does (images are never cut). */
  SHMLAB_WRITE_FLAGS_CUT = 1 << 0,
} ShmlabWriteFlags;

ShmlabEncoded *shmlab_payload_encode     (const ShmlabPayload *payload,
                                          ShmlabFormat         format,
                                          GError             **error);
ShmlabFormat   shmlab_encoded_get_format (const ShmlabEncoded *self);
gsize          shmlab_encoded_get_size   (const ShmlabEncoded *self);
gboolean       shmlab_encoded_write      (const ShmlabEncoded *self,
                                          guint8              *dest,
                                          gsize                dest_size,
                                          ShmlabWriteFlags     flags,
                                          guint64              generation,
                                          gsize               *written,
                                          GError             **error);
ShmlabEncoded *shmlab_encoded_ref        (ShmlabEncoded       *self);
/* Drops a reference: frees the encoded payload with the last one. */
void           shmlab_encoded_free       (ShmlabEncoded       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShmlabPayload, shmlab_payload_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShmlabEncoded, shmlab_encoded_free)

G_END_DECLS
