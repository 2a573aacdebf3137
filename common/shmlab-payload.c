/* shmlab-payload.c — what goes in a segment: plain text, the Qt example's
 * image stream, or a ShmLab frame, decoded and encoded through the format
 * table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-format-private.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "shmlab-error.h"

/* Bytes that are not valid UTF-8, plus control characters other than tab and
 * line ends: a hint that the segment does not hold text at all. */
static gsize
count_suspicious_bytes (const char *text,
                        gsize       length)
{
  const char *p = text;
  const char *end;
  gsize count = 0;

  if (length == 0)
    return 0;
  end = text + length;
  while (p < end)
    {
      const char *invalid = NULL;
      gboolean valid = g_utf8_validate (p, end - p, &invalid);
      const char *run_end = valid ? end : invalid;

      for (const char *q = p; q < run_end; q = g_utf8_next_char (q))
        {
          gunichar c = g_utf8_get_char (q);

          if (g_unichar_iscntrl (c) && c != '\t' && c != '\n' && c != '\r')
            count += g_utf8_next_char (q) - q;
        }

      if (valid)
        break;
      /* g_utf8_make_valid() replaces each such byte with one U+FFFD. */
      count++;
      p = invalid + 1;
    }

  return count;
}

/* Fills the text fields from bytes that were never trusted to be UTF-8. */
void
shmlab_payload_set_text (ShmlabPayload *self,
                  const char    *bytes,
                  gsize          length)
{
  self->kind = SHMLAB_PAYLOAD_KIND_TEXT;
  self->invalid_bytes = count_suspicious_bytes (bytes, length);
  if (length == 0)
    self->text = g_strdup ("");
  else
    self->text = g_utf8_make_valid (bytes, length);
  self->text_length = strlen (self->text);
  self->text_source_length = length;
  /* Counted here, where the text is decoded (off the main thread). */
  self->text_characters = (gsize) g_utf8_strlen (self->text, (gssize) self->text_length);
  self->text_lines = 0;
  for (const char *p = self->text; (p = strchr (p, '\n')) != NULL; p++)
    self->text_lines++;
  if (self->text_length > 0 && self->text[self->text_length - 1] != '\n')
    self->text_lines++;
}

/**
 * shmlab_payload_new_text:
 * @text: the text; need not be valid UTF-8
 * @length: bytes in @text, or -1 when it is NUL-terminated
 *
 * A text payload. Bytes that are not valid UTF-8 (a NUL among them) become
 * U+FFFD and are counted in @invalid_bytes.
 */
ShmlabPayload *
shmlab_payload_new_text (const char *text,
                         gssize      length)
{
  ShmlabPayload *self;

  g_return_val_if_fail (text != NULL || length == 0, NULL);

  if (length < 0)
    length = strlen (text);

  self = g_new0 (ShmlabPayload, 1);
  self->format = SHMLAB_FORMAT_AUTO;
  shmlab_payload_set_text (self, text, length);
  return self;
}

/**
 * shmlab_payload_new_image:
 * @image: the picture; the payload takes a reference of its own
 */
ShmlabPayload *
shmlab_payload_new_image (ShmlabImage *image)
{
  ShmlabPayload *self;

  g_return_val_if_fail (image != NULL, NULL);

  self = g_new0 (ShmlabPayload, 1);
  self->kind = SHMLAB_PAYLOAD_KIND_IMAGE;
  self->format = SHMLAB_FORMAT_AUTO;
  self->image = shmlab_image_ref (image);
  return self;
}

void
shmlab_payload_free (ShmlabPayload *self)
{
  if (self == NULL)
    return;
  g_free (self->text);
  g_free (self->note);
  g_clear_pointer (&self->image, shmlab_image_unref);
  g_free (self);
}

static ShmlabPayload *
decode (const guint8  *bytes,
        gsize          length,
        GBytes        *owner,
        GError       **error)
{
  const ShmlabFormatClass *klass;
  GError *local_error = NULL;
  ShmlabPayload *self;

  g_return_val_if_fail (bytes != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  klass = shmlab_format_recognise (bytes, length);
  self = klass->decode (bytes, length, owner, &local_error);
  if (self == NULL)
    {
      shmlab_payload_error_set_format (local_error, klass->id);
      g_propagate_error (error, local_error);
    }
  return self;
}

/**
 * shmlab_payload_decode:
 * @bytes: (array length=length): a private copy of the segment, never trusted
 * @length: how many bytes there are
 * @error: a #GError in SHMLAB_PAYLOAD_ERROR, whose details
 *   (shmlab_payload_error_get_details()) say the format, the field and the
 *   problem as data; or in SHMLAB_IMAGE_ERROR for the PNG of a Qt example
 *   image (its message then starts "Qt example image: ")
 *
 * Finds what the segment holds: the first format of the table (see
 * shmlab-format.c) that recognises the bytes decodes them, in this order:
 *
 * - bytes starting "SHMLAB" (8 bytes or more) are a ShmLab frame, and are
 *   rejected if it is not valid (never read as text);
 * - 00 00 00 01 then the PNG signature is the Qt example's image stream;
 *   bytes after the PNG's end are ignored;
 * - 00 00 00 00 is the Qt example's mark of a null image: when only zeros
 *   follow (Qt's 4-byte segment, or a fresh one) it is read as empty text,
 *   when anything else follows it is refused (MALFORMED);
 * - anything else is plain text up to the first NUL.
 *
 * @bytes are only read.
 */
ShmlabPayload *
shmlab_payload_decode (const guint8  *bytes,
                       gsize          length,
                       GError       **error)
{
  return decode (bytes, length, NULL, error);
}

/**
 * shmlab_payload_decode_bytes:
 * @bytes: a private copy of the segment
 * @error: as shmlab_payload_decode()
 *
 * As shmlab_payload_decode(), but the picture of a ShmLab frame shares the
 * rows of @bytes instead of copying them: reading a frame costs the segment,
 * one copy, and whatever shows it.
 */
ShmlabPayload *
shmlab_payload_decode_bytes (GBytes  *bytes,
                             GError **error)
{
  gsize length;
  const guint8 *data = g_bytes_get_data (bytes, &length);

  return decode (data, length, bytes, error);
}

/**
 * shmlab_payload_encode:
 * @payload: text or an image
 * @format: %SHMLAB_FORMAT_AUTO (text as plain text, images as a frame), or
 *   the format wanted
 * @error: a #GError in SHMLAB_PAYLOAD_ERROR (UNSUPPORTED when @payload cannot
 *   take @format), or SHMLAB_IMAGE_ERROR from the PNG encoder
 *
 * Does the slow part of a write (the PNG file, the CRC-32) so that
 * shmlab_encoded_write() under the lock is cheap.
 */
ShmlabEncoded *
shmlab_payload_encode (const ShmlabPayload  *payload,
                       ShmlabFormat          format,
                       GError              **error)
{
  g_autoptr(ShmlabEncoded) self = NULL;
  const ShmlabFormatClass *klass;

  g_return_val_if_fail (payload != NULL, NULL);
  g_return_val_if_fail (payload->kind == SHMLAB_PAYLOAD_KIND_TEXT ||
                        payload->kind == SHMLAB_PAYLOAD_KIND_IMAGE, NULL);
  g_return_val_if_fail (payload->kind != SHMLAB_PAYLOAD_KIND_IMAGE || payload->image != NULL,
                        NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (format == SHMLAB_FORMAT_AUTO)
    format = payload->kind == SHMLAB_PAYLOAD_KIND_TEXT ? SHMLAB_FORMAT_TEXT : SHMLAB_FORMAT_FRAME;
  klass = shmlab_format_lookup (format);
  if (klass == NULL)
    {
      g_set_error (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_UNSUPPORTED,
                   _("format %d is unknown: pick text, qt-image or frame"), (int) format);
      return NULL;
    }

  self = g_new0 (ShmlabEncoded, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->format = format;
  self->kind = payload->kind;
  if (!klass->encode (self, payload, error))
    return NULL;
  return g_steal_pointer (&self);
}

ShmlabFormat
shmlab_encoded_get_format (const ShmlabEncoded *self)
{
  return self->format;
}

/**
 * shmlab_encoded_get_size:
 *
 * The exact number of bytes shmlab_encoded_write() needs for the whole
 * payload: the text and its NUL, 4 + the PNG, or 64 + the frame's payload.
 */
gsize
shmlab_encoded_get_size (const ShmlabEncoded *self)
{
  const ShmlabFormatClass *klass = shmlab_format_lookup (self->format);

  return klass->prefix_size + g_bytes_get_size (self->data) + klass->suffix_size;
}

/* The longest prefix of valid UTF-8 @text within @max bytes that ends on a
 * character boundary. */
static gsize
utf8_cut_length (const guint8 *text,
                 gsize         length,
                 gsize         max)
{
  if (length <= max)
    return length;
  /* A byte 10xxxxxx continues a character: the cut must come before it. */
  while (max > 0 && (text[max] & 0xc0) == 0x80)
    max--;
  return max;
}

static gboolean
set_too_large (const ShmlabEncoded  *self,
               gsize                 dest_size,
               ShmlabWriteFlags      flags,
               GError              **error)
{
  const ShmlabFormatClass *klass = shmlab_format_lookup (self->format);
  gsize needed = shmlab_encoded_get_size (self);
  const char *what;
  const char *advice;

  if (self->kind == SHMLAB_PAYLOAD_KIND_IMAGE)
    {
      what = _(klass->image_noun);
      advice = (flags & SHMLAB_WRITE_FLAGS_CUT)
               ? _("images cannot be cut: grow the segment, or scale the image down")
               : _("grow the segment, or scale the image down");
    }
  else
    {
      what = _(klass->text_noun);
      advice = (flags & SHMLAB_WRITE_FLAGS_CUT) ? _(klass->cut_advice)
                                                : _("grow the segment, or cut the text");
    }

  g_set_error (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_TOO_LARGE,
               g_dngettext (GETTEXT_PACKAGE,
                            "%s needs %zu bytes but the segment holds %zu: %zu byte too many — %s",
                            "%s needs %zu bytes but the segment holds %zu: %zu bytes too many — %s",
                            needed - dest_size),
               what, needed, dest_size, needed - dest_size, advice);
  return FALSE;
}

/**
 * shmlab_encoded_write:
 * @dest: (array length=dest_size): the segment's memory, locked
 * @dest_size: the segment's size
 * @flags: %SHMLAB_WRITE_FLAGS_CUT to cut text that does not fit
 * @generation: the frame's generation (shmlab_frame_peek_generation() of the
 *   old bytes + 1); ignored by the other formats
 * @written: (out) (optional): how many bytes were written
 * @error: a #GError in SHMLAB_PAYLOAD_ERROR (TOO_LARGE)
 *
 * Copies the payload into @dest: one memcpy() and a header. A frame goes to
 * the slot that does not hold the newest frame when the segment has room
 * for two (see #ShmlabFrameHeader), else to the start. Text cut to fit
 * ends on a character boundary; a cut frame gets the CRC-32 of what was kept.
 * Nothing is written on failure. Bytes past @written are left as they were.
 */
gboolean
shmlab_encoded_write (const ShmlabEncoded  *self,
                      guint8               *dest,
                      gsize                 dest_size,
                      ShmlabWriteFlags      flags,
                      guint64               generation,
                      gsize                *written,
                      GError              **error)
{
  const ShmlabFormatClass *klass = shmlab_format_lookup (self->format);
  gsize data_length;
  const guint8 *data = g_bytes_get_data (self->data, &data_length);
  gsize keep = data_length;
  gsize count;

  g_return_val_if_fail (dest != NULL || dest_size == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (written)
    *written = 0;

  if (shmlab_encoded_get_size (self) > dest_size)
    {
      /* Room for the header or marker, and the NUL, then some text. */
      gsize room = klass->prefix_size + klass->suffix_size;

      if (!(flags & SHMLAB_WRITE_FLAGS_CUT) || self->kind != SHMLAB_PAYLOAD_KIND_TEXT ||
          dest_size < room)
        return set_too_large (self, dest_size, flags, error);
      keep = utf8_cut_length (data, data_length, dest_size - room);
    }

  count = klass->write (self, dest, dest_size, keep, generation);
  if (written)
    *written = count;
  return TRUE;
}

void
shmlab_encoded_free (ShmlabEncoded *self)
{
  if (self == NULL || !g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_clear_pointer (&self->data, g_bytes_unref);
  g_free (self);
}

/* Encoded payloads are shared with the thread that copies them in. */
ShmlabEncoded *
shmlab_encoded_ref (ShmlabEncoded *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}
