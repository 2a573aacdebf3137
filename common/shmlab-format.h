/* shmlab-format.h — the formats a segment can hold, and what a segment's
 * bytes are found to be: the format, the verdict, every field over its bytes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "shmlab-error.h"

G_BEGIN_DECLS

/**
 * ShmlabFormat:
 * @SHMLAB_FORMAT_AUTO: text as plain text, images as a frame (encoding
 *   only); in a #ShmlabDescription, no format
 * @SHMLAB_FORMAT_TEXT: the seed demo's UTF-8 bytes, NUL-terminated
 * @SHMLAB_FORMAT_QT_IMAGE: the Qt "Shared Memory Example" stream: a big-endian
 *   int32 1, then a complete PNG file
 * @SHMLAB_FORMAT_FRAME: a ShmLab frame: a 64-byte little-endian header, then
 *   the payload (UTF-8 text or raw RGBA8 rows)
 * @SHMLAB_FORMAT_STREAM: a ShmLab stream (shmlab-stream-segment.h): read,
 *   its newest frame; it is written frame by frame, never by Write
 * @SHMLAB_FORMAT_CACHE: a shared key–value cache (shmlab-cache.h): read, a
 *   text listing its entries; it is written entry by entry, never by Write
 *
 * Each format is one file, shmlab-format-NAME.c, and one entry of the table
 * in shmlab-format.c.
 */
typedef enum
{
  SHMLAB_FORMAT_AUTO,
  SHMLAB_FORMAT_TEXT,
  SHMLAB_FORMAT_QT_IMAGE,
  SHMLAB_FORMAT_FRAME,
  SHMLAB_FORMAT_STREAM,
  SHMLAB_FORMAT_CACHE,
} ShmlabFormat;

/**
 * ShmlabVerdict:
 * @SHMLAB_VERDICT_NO_BYTES: there are no bytes to look at
 * @SHMLAB_VERDICT_EMPTY: every byte is 0: a fresh segment, an empty text
 * @SHMLAB_VERDICT_VALID: the format's reader accepts the bytes
 * @SHMLAB_VERDICT_NOT_TEXT: read as text, but some bytes are not valid text
 *   (a reader shows them with a warning)
 * @SHMLAB_VERDICT_DAMAGED: the bytes are in the format, but its reader
 *   refuses them
 */
typedef enum
{
  SHMLAB_VERDICT_NO_BYTES,
  SHMLAB_VERDICT_EMPTY,
  SHMLAB_VERDICT_VALID,
  SHMLAB_VERDICT_NOT_TEXT,
  SHMLAB_VERDICT_DAMAGED,
} ShmlabVerdict;

/**
 * ShmlabDescribedField:
 * @name: the field's name, an identifier ("stride"; "stride (2)" in the
 *   second frame slot); never translated
 * @id: the format's id of the field (e.g. a #ShmlabFrameFieldId), -1 for a
 *   field that has none (a payload, a text)
 * @offset: where the field starts in the segment
 * @size: its bytes (0: none of them are at hand)
 * @value: the value for a person, translated
 * @wrong: the field is why the format's reader refuses the bytes
 */
typedef struct
{
  char *name;
  int id;
  gsize offset;
  gsize size;
  char *value;
  gboolean wrong;
} ShmlabDescribedField;

/**
 * ShmlabDescription:
 * @format: the format found, %SHMLAB_FORMAT_AUTO for none
 * @verdict: what a reader makes of the bytes
 * @problem: why a reader refuses them (%SHMLAB_VERDICT_DAMAGED)
 * @wrong_field: the index in @fields of the field that is wrong, -1 for none
 * @fields: (element-type ShmlabDescribedField): the fields, in the order
 *   they sit in the bytes
 * @checked: the whole content was checked (a frame's CRC, a PNG decoded);
 *   %FALSE when it lies past the bytes at hand
 * @title: what the bytes are, for a person ("ShmLab frame, damaged")
 * @detail: more of it, for a person (may be empty)
 * @message: (nullable): the reader's own message when it refuses the bytes
 *
 * What a segment's bytes are, as data: everything shown of a segment (the
 * inspector, `shmlab info`) comes from here, so it agrees with the readers.
 */
typedef struct
{
  ShmlabFormat format;
  ShmlabVerdict verdict;
  ShmlabPayloadProblem problem;
  int wrong_field;
  GPtrArray *fields;
  gboolean checked;
  char *title;
  char *detail;
  char *message;
} ShmlabDescription;

ShmlabDescription *shmlab_description_new     (const guint8            *bytes,
                                               gsize                    length,
                                               gsize                    segment_size);
void        shmlab_description_free           (ShmlabDescription       *self);
const ShmlabDescribedField *
            shmlab_description_get_field      (const ShmlabDescription *self,
                                               const char              *name);
const ShmlabDescribedField *
            shmlab_description_get_wrong_field (const ShmlabDescription *self);
char       *shmlab_description_to_string      (const ShmlabDescription *self);

const char *shmlab_verdict_to_string          (ShmlabVerdict            verdict);
const char *shmlab_payload_problem_to_string  (ShmlabPayloadProblem     problem);

const char *shmlab_format_to_string   (ShmlabFormat   format);
gboolean    shmlab_format_from_string (const char    *string,
                                       ShmlabFormat  *format,
                                       GError       **error);
const char *shmlab_format_describe    (ShmlabFormat   format);
char       *shmlab_format_describe_text_size (ShmlabFormat format,
                                              gsize        length);
const char *shmlab_format_get_choice      (ShmlabFormat  format);
const char *shmlab_format_get_summary     (ShmlabFormat  format);
const char *shmlab_format_get_explanation (ShmlabFormat  format);
const char *shmlab_format_get_qt_note     (ShmlabFormat  format,
                                           gboolean      image);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShmlabDescription, shmlab_description_free)

G_END_DECLS
