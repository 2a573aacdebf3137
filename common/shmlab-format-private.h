/* shmlab-format-private.h — the interface every format implements, and what
 * the formats share with the payload code
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "shmlab-payload.h"

G_BEGIN_DECLS

struct _ShmlabEncoded
{
  ShmlabFormat format;
  ShmlabPayloadKind kind;
  /* Text without its NUL, the PNG file, or tightly packed RGBA8 rows. */
  GBytes *data;
  guint32 width;
  guint32 height;
  guint32 stride;
  guint32 crc32;
  gatomicrefcount ref_count;
};

/**
 * ShmlabFormatClass:
 * @id: the format's value
 * @name: its name on the command line ("qt-image")
 * @phrase: its name for a person, marked with N_()
 * @text_noun: (nullable): "the text frame", for a message: N_(), %NULL when
 *   the format cannot hold text
 * @image_noun: (nullable): as @text_noun, for an image
 * @cut_advice: (nullable): why even a cut text does not fit, N_()
 * @choice: its name in a list to choose from ("Plain text (Qt demo)"), N_()
 * @summary: what it is and who reads it, one line under @choice, N_()
 * @explanation: the same in a sentence or two, for a tooltip, N_()
 * @qt_text_note: (nullable): why no Qt program reads a text written in it,
 *   and what to choose instead, N_(); %NULL when the Qt demo reads it
 * @qt_image_note: (nullable): as @qt_text_note, for a picture
 * @prefix_size: the bytes before the data (a header, a marker)
 * @suffix_size: the bytes after it (a NUL)
 * @recognise: whether the bytes are in this format, or a damaged copy of
 *   it: the format's decoder then says what it makes of them
 * @decode: the payload in @bytes (@owner, when not %NULL, holds @bytes and
 *   may be shared by the payload); an error of SHMLAB_PAYLOAD_ERROR carries
 *   the wrong field as data (shmlab_payload_error_set_field())
 * @encode: fills @encoded (whose format and kind are set) from @payload
 * @write: copies @keep bytes of the encoded data, with the format's prefix
 *   and suffix, into @dest (checked to have room); returns the bytes written
 * @describe: fills @description (format, verdict, fields, title, detail)
 *   for the first @length bytes of a @segment_size-byte segment
 * @text_size_label: what @length bytes of UTF-8 become in the segment, for
 *   the Writer's byte count
 *
 * A format: one file, one of these, one entry of the table in
 * shmlab-format.c. The table is searched in order, and the first format
 * that recognises the bytes decodes them: plain text, which takes anything,
 * comes last.
 */
typedef struct
{
  ShmlabFormat id;
  const char *name;
  const char *phrase;
  const char *text_noun;
  const char *image_noun;
  const char *cut_advice;
  const char *choice;
  const char *summary;
  const char *explanation;
  const char *qt_text_note;
  const char *qt_image_note;
  gsize prefix_size;
  gsize suffix_size;

  gboolean       (*recognise) (const guint8         *bytes,
                               gsize                 length);
  ShmlabPayload *(*decode)    (const guint8         *bytes,
                               gsize                 length,
                               GBytes               *owner,
                               GError              **error);
  gboolean       (*encode)    (ShmlabEncoded        *encoded,
                               const ShmlabPayload  *payload,
                               GError              **error);
  gsize          (*write)     (const ShmlabEncoded  *self,
                               guint8               *dest,
                               gsize                 dest_size,
                               gsize                 keep,
                               guint64               generation);
  void           (*describe)  (ShmlabDescription    *description,
                               const guint8         *bytes,
                               gsize                 length,
                               gsize                 segment_size);
  char          *(*text_size_label) (gsize           length);
} ShmlabFormatClass;

extern const ShmlabFormatClass shmlab_format_text;
extern const ShmlabFormatClass shmlab_format_qt_image;
extern const ShmlabFormatClass shmlab_format_frame;
extern const ShmlabFormatClass shmlab_format_stream;
extern const ShmlabFormatClass shmlab_format_cache;

const ShmlabFormatClass *shmlab_format_lookup     (ShmlabFormat   format);
const ShmlabFormatClass *shmlab_format_recognise  (const guint8  *bytes,
                                                   gsize          length);

/* Shared by the formats. */
guint32  shmlab_format_crc32        (const guint8      *data,
                                     gsize              length);
gboolean shmlab_format_is_all_zero  (const guint8      *bytes,
                                     gsize              length);
void     shmlab_payload_set_text    (ShmlabPayload     *self,
                                     const char        *bytes,
                                     gsize              length);
ShmlabDescribedField *shmlab_description_add_field (ShmlabDescription *self,
                                                    const char        *name,
                                                    int                id,
                                                    gsize              offset,
                                                    gsize              size,
                                                    char              *value);
void     shmlab_description_set_error (ShmlabDescription *self,
                                       const GError      *error,
                                       const char        *suffix);

G_END_DECLS
