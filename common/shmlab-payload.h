/* shmlab-payload.h — what goes in a segment: plain text, the Qt example's
 * image stream, or a ShmLab frame, decoded and encoded through the format
 * table (shmlab-format.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "shmlab-format.h"
#include "shmlab-frame.h"
#include "shmlab-image.h"

G_BEGIN_DECLS

/* The payload's kinds are the frame header's numbers. */
typedef enum
{
  SHMLAB_PAYLOAD_KIND_TEXT = SHMLAB_FRAME_KIND_TEXT,
  SHMLAB_PAYLOAD_KIND_IMAGE = SHMLAB_FRAME_KIND_IMAGE,
} ShmlabPayloadKind;

/**
 * ShmlabPayload:
 * @kind: text or image
 * @format: the format it was found in (decoding) or is meant for (encoding)
 * @text: (nullable): valid UTF-8, NUL-terminated; bytes that were not valid
 *   UTF-8 in the segment are U+FFFD here
 * @text_length: bytes in @text, without the NUL
 * @text_source_length: bytes the text took where it came from (the
 *   segment), without a NUL; differs from @text_length when bytes that were
 *   not UTF-8 became U+FFFD
 * @text_characters: characters in @text
 * @text_lines: lines in @text: its line feeds, and one more when the text
 *   does not end with one (0 for an empty text)
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
  gsize text_source_length;
  gsize text_characters;
  gsize text_lines;
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
