/* shmlab-format-text.c — the seed demo's format: UTF-8 text up to a NUL
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-format-private.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "shmlab-limits.h"

/* At most this much text is decoded to describe it. */
#define DESCRIBE_MAX (1024 * 1024)
/* Characters of the text shown as its field's value. */
#define PREVIEW_CHARS 40

/* Plain text is what anything else is read as. */
static gboolean
text_recognise (const guint8 *bytes,
                gsize         length)
{
  return TRUE;
}

static ShmlabPayload *
text_decode (const guint8  *bytes,
             gsize          length,
             GBytes        *owner,
             GError       **error)
{
  ShmlabPayload *self;
  const guint8 *nul = length > 0 ? memchr (bytes, '\0', length) : NULL;
  gsize text_length = nul ? (gsize) (nul - bytes) : length;

  self = g_new0 (ShmlabPayload, 1);
  self->format = SHMLAB_FORMAT_TEXT;
  shmlab_payload_set_text (self, (const char *) bytes, text_length);
  self->encoded_length = nul ? text_length + 1 : length;
  return self;
}

static gboolean
text_encode (ShmlabEncoded        *encoded,
             const ShmlabPayload  *payload,
             GError              **error)
{
  const char *text = payload->text ? payload->text : "";
  gsize text_length = payload->text ? payload->text_length : 0;

  if (payload->kind != SHMLAB_PAYLOAD_KIND_TEXT)
    {
      g_set_error (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_UNSUPPORTED,
                   _("an image cannot be written as plain text: pick the frame or qt-image "
                   "format"));
      return FALSE;
    }
  /* A cut must land on a character boundary, so the text must be UTF-8 with no NUL. */
  if (g_utf8_validate (text, text_length, NULL))
    encoded->data = g_bytes_new (text, text_length);
  else
    {
      char *valid = g_utf8_make_valid (text, text_length);
      encoded->data = g_bytes_new_take (valid, strlen (valid));
    }
  return TRUE;
}

static gsize
text_write (const ShmlabEncoded *self,
            guint8              *dest,
            gsize                dest_size,
            gsize                keep,
            guint64              generation)
{
  if (keep > 0)
    memcpy (dest, g_bytes_get_data (self->data, NULL), keep);
  dest[keep] = '\0';
  return keep + 1;
}

static char *
text_preview (const char *text)
{
  GString *preview = g_string_new ("“");
  const char *p = text;
  guint n = 0;

  for (; *p && n < PREVIEW_CHARS; p = g_utf8_next_char (p), n++)
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '\n')
        g_string_append (preview, "⏎");
      else if (g_unichar_iscntrl (c))
        g_string_append (preview, "·");
      else
        g_string_append_unichar (preview, c);
    }
  g_string_append (preview, *p ? "…”" : "”");
  return g_string_free (preview, FALSE);
}

static void
text_describe (ShmlabDescription *description,
               const guint8      *bytes,
               gsize              length,
               gsize              segment_size)
{
  const guint8 *nul = memchr (bytes, '\0', length);
  gsize text_length = nul ? (gsize) (nul - bytes) : length;
  g_autoptr(ShmlabPayload) payload = NULL;
  g_autofree char *size = NULL;

  description->format = SHMLAB_FORMAT_TEXT;
  if (shmlab_format_is_all_zero (bytes, length))
    {
      description->verdict = SHMLAB_VERDICT_EMPTY;
      description->checked = TRUE;
      description->title = g_strdup (_("Nothing: every byte is 0"));
      description->detail = g_strdup (_("A fresh segment, an empty text, or the Qt example's mark "
                                      "of an empty image (00 00 00 00)."));
      return;
    }

  /* Plain text is what a reader takes anything else for: decoding it is cheap. */
  payload = text_decode (bytes, MIN (text_length, (gsize) DESCRIBE_MAX), NULL, NULL);
  description->checked = text_length <= DESCRIBE_MAX;
  if (payload->invalid_bytes > 0)
    {
      description->verdict = SHMLAB_VERDICT_NOT_TEXT;
      description->title = g_strdup (_("Unknown bytes"));
      description->detail = g_strdup_printf (_("Not a ShmLab frame, not a Qt example image, and "
                                             "not UTF-8 text: %zu of the %zu bytes before the "
                                             "first NUL are not valid UTF-8 or are control "
                                             "characters."),
                                             payload->invalid_bytes, text_length);
      return;
    }

  description->verdict = SHMLAB_VERDICT_VALID;
  size = shmlab_format_bytes (text_length);
  description->title = g_strdup (_("Plain text (Qt demo)"));
  if (nul)
    description->detail = g_strdup_printf (_("%s of UTF-8 text, then a NUL"), size);
  else
    description->detail = g_strdup_printf (_("%s of UTF-8 text, with no NUL in the bytes at hand"),
                                           size);
  shmlab_description_add_field (description, "text", -1, 0, text_length,
                                text_preview (payload->text));
  if (nul)
    shmlab_description_add_field (description, "NUL", -1, text_length, 1,
                                  g_strdup (_("0 = the end of the text")));
}

static char *
text_size_label (gsize length)
{
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%zu byte of UTF-8 (+1 NUL = %zu in the segment)",
                                       "%zu bytes of UTF-8 (+1 NUL = %zu in the segment)", length),
                          length, length + 1);
}

const ShmlabFormatClass shmlab_format_text = {
  .id = SHMLAB_FORMAT_TEXT,
  .name = "text",
  .phrase = N_("plain text (Qt demo)"),
  .text_noun = N_("the text"),
  .image_noun = NULL,
  .cut_advice = N_("even a cut text needs 1 byte for its NUL: grow the segment"),
  .choice = N_("Plain text (Qt demo)"),
  .summary = N_("UTF-8 and a NUL: the Qt demo reads it"),
  .explanation = N_("Plain text: the text's UTF-8 bytes and a NUL, as the Qt shared memory "
                    "demo writes and reads it. It holds no picture."),
  .qt_text_note = NULL,
  .qt_image_note = N_("plain text holds no picture: for Qt's example, choose Qt example image"),
  .prefix_size = 0,
  .suffix_size = 1,
  .recognise = text_recognise,
  .decode = text_decode,
  .encode = text_encode,
  .write = text_write,
  .describe = text_describe,
  .text_size_label = text_size_label,
};
