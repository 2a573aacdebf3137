/* shmlab-format-qt-image.c — the Qt "Shared Memory Example" image stream: a
 * big-endian int32 1 (what QDataStream writes before a QImage), then a
 * complete PNG file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-format-private.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "shmlab-png.h"

#define MARKER_SIZE 4
#define PNG_SIGNATURE_SIZE 8
/* The PNG's signature, its IHDR chunk's length and type, and the IHDR's first 10 bytes. */
#define IHDR_END 30

static const guint8 image_marker[MARKER_SIZE] = { 0, 0, 0, 1 };

typedef enum
{
  FIELD_MARKER,
  FIELD_PNG_SIGNATURE,
  FIELD_CHUNK,
  FIELD_PNG_WIDTH,
  FIELD_PNG_HEIGHT,
  FIELD_BIT_DEPTH,
  FIELD_COLOUR_TYPE,
  N_FIELDS
} QtField;

static const struct
{
  const char *name;
  gsize offset;
  gsize size;
} fields[N_FIELDS] = {
  [FIELD_MARKER] = { "marker", 0, 4 },
  [FIELD_PNG_SIGNATURE] = { "png_signature", 4, 8 },
  [FIELD_CHUNK] = { "chunk", 12, 8 },
  [FIELD_PNG_WIDTH] = { "png_width", 20, 4 },
  [FIELD_PNG_HEIGHT] = { "png_height", 24, 4 },
  [FIELD_BIT_DEPTH] = { "bit_depth", 28, 1 },
  [FIELD_COLOUR_TYPE] = { "colour_type", 29, 1 },
};

static guint32
read_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static gboolean
has_png (const guint8 *bytes,
         gsize         length)
{
  return length >= MARKER_SIZE + PNG_SIGNATURE_SIZE &&
         shmlab_png_has_signature (bytes + MARKER_SIZE, length - MARKER_SIZE);
}

/* The marker 1, or a damaged stream: another marker before a PNG, or the
 * null image's 0 with more than zeros after it. */
static gboolean
qt_image_recognise (const guint8 *bytes,
                    gsize         length)
{
  if (length < MARKER_SIZE || bytes[0] != 0 || bytes[1] != 0 || bytes[2] != 0)
    return FALSE;
  if (bytes[3] == 1)
    return TRUE;
  if (bytes[3] > 1)
    return has_png (bytes, length);
  return !shmlab_format_is_all_zero (bytes + MARKER_SIZE, length - MARKER_SIZE);
}

static void
set_field_error (GError     **error,
                 QtField      field,
                 const char  *message)
{
  GError *local_error = g_error_new_literal (SHMLAB_PAYLOAD_ERROR,
                                             SHMLAB_PAYLOAD_ERROR_MALFORMED, message);

  shmlab_payload_error_set_field (local_error, SHMLAB_PAYLOAD_PROBLEM_WRONG_VALUE, field,
                                  fields[field].name);
  g_propagate_error (error, local_error);
}

static ShmlabPayload *
qt_image_decode (const guint8  *bytes,
                 gsize          length,
                 GBytes        *owner,
                 GError       **error)
{
  g_autoptr(ShmlabPayload) self = NULL;
  g_autoptr(GError) local_error = NULL;
  ShmlabPngLimits limits;
  gsize consumed = 0;

  if (bytes[3] == 1 && !has_png (bytes, length))
    {
      set_field_error (error, FIELD_PNG_SIGNATURE,
                       _("the segment starts with 00 00 00 01, the Qt example's image marker, but "
                       "no PNG file follows it: the image was cut off, or the segment holds "
                       "something else"));
      return NULL;
    }
  if (bytes[3] > 1)
    {
      g_autofree char *message =
        g_strdup_printf (_("the segment holds a PNG file after the marker 00 00 00 %02x, but the Qt "
                         "example's marker is 00 00 00 01: it was written by another program, or "
                         "is damaged"),
                         bytes[3]);
      set_field_error (error, FIELD_MARKER, message);
      return NULL;
    }
  if (bytes[3] == 0)
    {
      set_field_error (error, FIELD_MARKER,
                       _("the segment starts with 00 00 00 00, the Qt example's mark of a null "
                       "image, but more data follows: the Qt writer sent an empty image, or the "
                       "segment holds neither text nor an image"));
      return NULL;
    }

  self = g_new0 (ShmlabPayload, 1);
  shmlab_png_limits_init_default (&limits);
  self->format = SHMLAB_FORMAT_QT_IMAGE;
  self->kind = SHMLAB_PAYLOAD_KIND_IMAGE;
  self->image = shmlab_png_read (bytes + MARKER_SIZE, length - MARKER_SIZE, &limits, &consumed,
                                 &local_error);
  if (self->image == NULL)
    {
      /* The PNG came from another program: it is that program's to write again. */
      if (!g_error_matches (local_error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_TOO_LARGE))
        {
          char *message = g_strconcat (local_error->message,
                                       _(" — the program that wrote the segment put a damaged PNG "
                                       "in it: write it again"), NULL);
          g_free (local_error->message);
          local_error->message = message;
        }
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  _("Qt example image: "));
      return NULL;
    }
  self->encoded_length = MARKER_SIZE + MIN (consumed, length - MARKER_SIZE);
  return g_steal_pointer (&self);
}

static gboolean
qt_image_encode (ShmlabEncoded        *encoded,
                 const ShmlabPayload  *payload,
                 GError              **error)
{
  g_autoptr(GError) local_error = NULL;

  if (payload->kind != SHMLAB_PAYLOAD_KIND_IMAGE)
    {
      g_set_error (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_UNSUPPORTED,
                   _("text cannot be written as a Qt example image, which holds only a "
                   "picture: pick the text or frame format"));
      return FALSE;
    }
  encoded->data = shmlab_png_write (payload->image, &local_error);
  if (encoded->data == NULL)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  _("Qt example image: "));
      return FALSE;
    }
  return TRUE;
}

static gsize
qt_image_write (const ShmlabEncoded *self,
                guint8              *dest,
                gsize                dest_size,
                gsize                keep,
                guint64              generation)
{
  memcpy (dest, image_marker, MARKER_SIZE);
  if (keep > 0)
    memcpy (dest + MARKER_SIZE, g_bytes_get_data (self->data, NULL), keep);
  return MARKER_SIZE + keep;
}

static ShmlabDescribedField *
add_field (ShmlabDescription *description,
           QtField            field,
           char              *value)
{
  return shmlab_description_add_field (description, fields[field].name, field,
                                       fields[field].offset, fields[field].size, value);
}

static const char *
colour_type_name (guint8 type)
{
  switch (type)
    {
    case 0: return _("grey");
    case 2: return "RGB";
    case 3: return _("palette");
    case 4: return _("grey + alpha");
    case 6: return "RGBA";
    default: return _("invalid");
    }
}

/* The PNG's first chunk, which must be its IHDR: what a light look sees. */
static void
describe_png_header (ShmlabDescription *description,
                     const guint8      *bytes,
                     gsize              length)
{
  gboolean has_ihdr = length >= IHDR_END && memcmp (bytes + 16, "IHDR", 4) == 0;
  ShmlabDescribedField *chunk;

  add_field (description, FIELD_PNG_SIGNATURE, g_strdup ("“\\x89PNG\\r\\n\\x1a\\n”"));
  if (length < IHDR_END)
    {
      description->detail = g_strdup (_("A PNG file follows the 4-byte marker, but it ends before "
                                      "saying its size."));
      return;
    }
  chunk = add_field (description, FIELD_CHUNK,
                     g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u byte of “%.4s”",
                                                   "%u bytes of “%.4s”", read_be32 (bytes + 12)),
                                      read_be32 (bytes + 12), has_ihdr ? "IHDR" : "????"));
  if (!has_ihdr)
    {
      chunk->wrong = TRUE;
      description->wrong_field = (int) description->fields->len - 1;
      description->detail = g_strdup (_("A PNG file follows the 4-byte marker, but its first "
                                      "chunk is not IHDR: the PNG is damaged."));
      return;
    }
  add_field (description, FIELD_PNG_WIDTH,
             g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u pixel", "%u pixels",
                                           read_be32 (bytes + 20)),
                              read_be32 (bytes + 20)));
  add_field (description, FIELD_PNG_HEIGHT,
             g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u pixel", "%u pixels",
                                           read_be32 (bytes + 24)),
                              read_be32 (bytes + 24)));
  add_field (description, FIELD_BIT_DEPTH,
             g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u bit", "%u bits", bytes[28]),
                              bytes[28]));
  add_field (description, FIELD_COLOUR_TYPE,
             g_strdup_printf ("%u = %s", bytes[29], colour_type_name (bytes[29])));
  description->detail = g_strdup_printf (_("a PNG file of %u × %u pixels follows the 4-byte "
                                         "marker"),
                                         read_be32 (bytes + 20), read_be32 (bytes + 24));
}

static void
qt_image_describe (ShmlabDescription *description,
                   const guint8      *bytes,
                   gsize              length,
                   gsize              segment_size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabPayload) payload = NULL;
  gboolean whole = length >= segment_size;

  description->format = SHMLAB_FORMAT_QT_IMAGE;
  add_field (description, FIELD_MARKER,
             bytes[3] == 1 ? g_strdup (_("1 = an image follows"))
                           : g_strdup_printf ("%u", read_be32 (bytes)));
  if (has_png (bytes, length))
    describe_png_header (description, bytes, length);
  else if (bytes[3] == 1)
    {
      /* What stands where the PNG's signature should. */
      gsize size = MIN (PNG_SIGNATURE_SIZE, length - MARKER_SIZE);
      GString *found = g_string_new ("“");

      for (gsize i = 0; i < size; i++)
        g_string_append_c (found, g_ascii_isprint (bytes[MARKER_SIZE + i])
                                    ? (char) bytes[MARKER_SIZE + i] : '.');
      g_string_append (found, "”");
      shmlab_description_add_field (description, fields[FIELD_PNG_SIGNATURE].name,
                                    FIELD_PNG_SIGNATURE, fields[FIELD_PNG_SIGNATURE].offset, size,
                                    g_string_free (found, FALSE));
    }

  /* The PNG is decoded only when all of it is at hand. */
  if (whole || bytes[3] != 1 || !has_png (bytes, length))
    {
      payload = qt_image_decode (bytes, length, NULL, &error);
      description->checked = TRUE;
    }
  if (error == NULL && description->wrong_field < 0)
    {
      description->verdict = SHMLAB_VERDICT_VALID;
      description->title = g_strdup (_("Qt example image (PNG stream)"));
      return;
    }

  description->verdict = SHMLAB_VERDICT_DAMAGED;
  if (error != NULL)
    shmlab_description_set_error (description, error, NULL);
  if (bytes[3] == 0)
    {
      /* Zeros are what a fresh segment holds: nothing says this was ever a Qt stream. */
      description->title = g_strdup (_("Unknown bytes"));
      g_free (description->detail);
      description->detail = g_strdup (_("They start with 00 00 00 00, the Qt example's mark of an "
                                       "empty image, but more data follows."));
      return;
    }
  description->title = g_strdup (_("Qt example image (PNG stream), damaged"));
  if (description->detail == NULL)
    description->detail = g_strdup (description->wrong_field >= 0
                                      ? _("The bytes start with the Qt example's marker, but the "
                                          "field marked ✗ is wrong: a reader refuses them.")
                                      : _("The bytes start with the Qt example's marker, but a "
                                          "reader refuses them."));
}

static char *
qt_image_text_size_label (gsize length)
{
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%zu byte of UTF-8 — the Qt example image format holds "
                                       "only pictures: pick another format to write text",
                                       "%zu bytes of UTF-8 — the Qt example image format holds "
                                       "only pictures: pick another format to write text", length),
                          length);
}

const ShmlabFormatClass shmlab_format_qt_image = {
  .id = SHMLAB_FORMAT_QT_IMAGE,
  .name = "qt-image",
  .phrase = N_("Qt example image (PNG stream)"),
  .text_noun = NULL,
  .image_noun = N_("the Qt example image"),
  .cut_advice = NULL,
  .choice = N_("Qt example image (PNG stream)"),
  .summary = N_("a 1, then a PNG file: Qt's Shared Memory Example reads it"),
  .explanation = N_("Qt example image: a 32-bit 1, then a PNG file, as Qt's Shared Memory "
                    "Example writes and reads a picture. It holds no text."),
  .qt_text_note = N_("the Qt example image holds no text: for the Qt demo, choose Plain text"),
  .qt_image_note = NULL,
  .prefix_size = MARKER_SIZE,
  .suffix_size = 0,
  .recognise = qt_image_recognise,
  .decode = qt_image_decode,
  .encode = qt_image_encode,
  .write = qt_image_write,
  .describe = qt_image_describe,
  .text_size_label = qt_image_text_size_label,
};
