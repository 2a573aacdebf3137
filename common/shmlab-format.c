/* shmlab-format.c — the table of formats, and the description of a
 * segment's bytes that the inspector and `shmlab info` show
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-format-private.h"

#include <glib/gi18n-lib.h>

#include <zlib.h>

/* Every format, in the order they are tried on a segment's bytes: the
 * first that recognises them decodes them. Plain text takes anything, so
 * it comes last. A new format is one file and one line here. */
static const ShmlabFormatClass *const formats[] = {
  &shmlab_format_stream,
  &shmlab_format_cache,
  &shmlab_format_frame,
  &shmlab_format_qt_image,
  &shmlab_format_text,
};

/* The class of @format, or NULL (AUTO and unknown values have none). */
const ShmlabFormatClass *
shmlab_format_lookup (ShmlabFormat format)
{
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    if (formats[i]->id == format)
      return formats[i];
  return NULL;
}

/* The format that claims @bytes: never NULL, plain text claims anything. */
const ShmlabFormatClass *
shmlab_format_recognise (const guint8 *bytes,
                         gsize         length)
{
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    if (formats[i]->recognise (bytes, length))
      return formats[i];
  g_assert_not_reached ();
}

guint32
shmlab_format_crc32 (const guint8 *data,
                     gsize         length)
{
  return (guint32) crc32_z (crc32_z (0, Z_NULL, 0), data, length);
}

gboolean
shmlab_format_is_all_zero (const guint8 *bytes,
                           gsize         length)
{
  for (gsize i = 0; i < length; i++)
    if (bytes[i] != 0)
      return FALSE;
  return TRUE;
}

/**
 * shmlab_format_to_string:
 *
 * The name of @format on the command line: "auto", "text", "qt-image" or
 * "frame".
 */
const char *
shmlab_format_to_string (ShmlabFormat format)
{
  const ShmlabFormatClass *klass = shmlab_format_lookup (format);

  if (format == SHMLAB_FORMAT_AUTO)
    return "auto";
  return klass ? klass->name : "unknown";
}

/**
 * shmlab_format_from_string:
 * @string: a name as shmlab_format_to_string() gives it (any case)
 * @format: (out): the format
 * @error: a #GError in G_OPTION_ERROR (BAD_VALUE), so it can be returned from
 *   an option callback as is
 */
gboolean
shmlab_format_from_string (const char    *string,
                           ShmlabFormat  *format,
                           GError       **error)
{
  if (string != NULL && g_ascii_strcasecmp (string, "auto") == 0)
    {
      *format = SHMLAB_FORMAT_AUTO;
      return TRUE;
    }
  /* The command line lists them in the order they were added. */
  for (ShmlabFormat f = SHMLAB_FORMAT_TEXT; string != NULL && shmlab_format_lookup (f); f++)
    if (g_ascii_strcasecmp (string, shmlab_format_lookup (f)->name) == 0)
      {
        *format = f;
        return TRUE;
      }

  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("“%s” is not a format: use auto, text, qt-image or frame"),
               string ? string : "");
  return FALSE;
}

/**
 * shmlab_format_describe:
 *
 * A phrase for @format to show a person, e.g. "plain text (Qt demo)".
 */
const char *
shmlab_format_describe (ShmlabFormat format)
{
  const ShmlabFormatClass *klass = shmlab_format_lookup (format);

  if (format == SHMLAB_FORMAT_AUTO)
    return _("automatic (text as plain text, images as a ShmLab frame)");
  return klass ? _(klass->phrase) : _("unknown format");
}

/**
 * shmlab_format_describe_text_size:
 * @format: where the text goes (%SHMLAB_FORMAT_AUTO: as plain text)
 * @length: the text's bytes of UTF-8
 *
 * What the text becomes in a segment of @format, for a person: "12 bytes of
 * UTF-8 (+1 NUL = 13 in the segment)", or why @format cannot hold text.
 */
char *
shmlab_format_describe_text_size (ShmlabFormat format,
                                  gsize        length)
{
  const ShmlabFormatClass *klass =
    shmlab_format_lookup (format == SHMLAB_FORMAT_AUTO ? SHMLAB_FORMAT_TEXT : format);

  g_return_val_if_fail (klass != NULL, NULL);
  return klass->text_size_label (length);
}

/**
 * shmlab_format_get_choice:
 *
 * @format's name in a list to choose from: "Auto", "Plain text (Qt demo)".
 */
const char *
shmlab_format_get_choice (ShmlabFormat format)
{
  const ShmlabFormatClass *klass = shmlab_format_lookup (format);

  if (format == SHMLAB_FORMAT_AUTO)
    return _("Auto");
  return klass ? _(klass->choice) : _("unknown format");
}

/**
 * shmlab_format_get_summary:
 *
 * What @format is and which programs read it, in one line to show under its
 * choice.
 */
const char *
shmlab_format_get_summary (ShmlabFormat format)
{
  const ShmlabFormatClass *klass = shmlab_format_lookup (format);

  if (format == SHMLAB_FORMAT_AUTO)
    return _("text as plain text, which the Qt demo reads; pictures as a ShmLab frame, which "
             "Qt's example cannot read");
  return klass ? _(klass->summary) : "";
}

/**
 * shmlab_format_get_explanation:
 *
 * What @format does, in a sentence or two, for a tooltip.
 */
const char *
shmlab_format_get_explanation (ShmlabFormat format)
{
  const ShmlabFormatClass *klass = shmlab_format_lookup (format);

  if (format == SHMLAB_FORMAT_AUTO)
    return _("Auto writes a text as plain text, which the Qt demo reads, and a picture as a "
             "ShmLab frame, which Qt's Shared Memory Example cannot read: for that, choose "
             "Qt example image.");
  return klass ? _(klass->explanation) : "";
}

/**
 * shmlab_format_get_qt_note:
 * @format: the format chosen (%SHMLAB_FORMAT_AUTO: the one it picks)
 * @image: the content is a picture, not a text
 *
 * Why no Qt program reads this content written in @format, and what to
 * choose instead.
 *
 * Returns: (nullable): the note, or %NULL when a Qt program reads it
 */
const char *
shmlab_format_get_qt_note (ShmlabFormat format,
                           gboolean     image)
{
  const ShmlabFormatClass *klass;

  /* What Auto picks: plain text for a text, a frame for a picture. */
  if (format == SHMLAB_FORMAT_AUTO)
    format = image ? SHMLAB_FORMAT_FRAME : SHMLAB_FORMAT_TEXT;
  klass = shmlab_format_lookup (format);
  if (klass == NULL)
    return NULL;
  if (image)
    return klass->qt_image_note ? _(klass->qt_image_note) : NULL;
  return klass->qt_text_note ? _(klass->qt_text_note) : NULL;
}

/**
 * shmlab_verdict_to_string:
 *
 * A stable word for @verdict, for machines: "none", "empty", "valid",
 * "not-text" or "damaged".
 */
const char *
shmlab_verdict_to_string (ShmlabVerdict verdict)
{
  switch (verdict)
    {
    case SHMLAB_VERDICT_NO_BYTES: return "none";
    case SHMLAB_VERDICT_EMPTY: return "empty";
    case SHMLAB_VERDICT_VALID: return "valid";
    case SHMLAB_VERDICT_NOT_TEXT: return "not-text";
    case SHMLAB_VERDICT_DAMAGED: return "damaged";
    default: return "unknown";
    }
}

/**
 * shmlab_payload_problem_to_string:
 *
 * A stable word for @problem, for machines ("past-end", "checksum", …).
 */
const char *
shmlab_payload_problem_to_string (ShmlabPayloadProblem problem)
{
  switch (problem)
    {
    case SHMLAB_PAYLOAD_PROBLEM_NONE: return "none";
    case SHMLAB_PAYLOAD_PROBLEM_MISSING: return "missing";
    case SHMLAB_PAYLOAD_PROBLEM_WRONG_VALUE: return "wrong-value";
    case SHMLAB_PAYLOAD_PROBLEM_TOO_SMALL: return "too-small";
    case SHMLAB_PAYLOAD_PROBLEM_TOO_LARGE: return "too-large";
    case SHMLAB_PAYLOAD_PROBLEM_PAST_END: return "past-end";
    case SHMLAB_PAYLOAD_PROBLEM_CHECKSUM: return "checksum";
    case SHMLAB_PAYLOAD_PROBLEM_DAMAGED: return "damaged";
    default: return "unknown";
    }
}

static void
described_field_free (gpointer data)
{
  ShmlabDescribedField *field = data;

  g_free (field->name);
  g_free (field->value);
  g_free (field);
}

/* Adds a field; takes @value. */
ShmlabDescribedField *
shmlab_description_add_field (ShmlabDescription *self,
                              const char        *name,
                              int                id,
                              gsize              offset,
                              gsize              size,
                              char              *value)
{
  ShmlabDescribedField *field = g_new0 (ShmlabDescribedField, 1);

  field->name = g_strdup (name);
  field->id = id;
  field->offset = offset;
  field->size = size;
  field->value = value;
  g_ptr_array_add (self->fields, field);
  return field;
}

/* The reader's refusal: its message, its problem, and the field it names
 * (called @name + @suffix in the fields), marked wrong. */
void
shmlab_description_set_error (ShmlabDescription *self,
                              const GError      *error,
                              const char        *suffix)
{
  const ShmlabPayloadErrorDetails *details = shmlab_payload_error_get_details (error);
  g_autofree char *name = NULL;

  g_free (self->message);
  self->message = g_strdup (error->message);
  /* Only a PNG's own errors come from another domain: the file is damaged. */
  self->problem = details ? details->problem : SHMLAB_PAYLOAD_PROBLEM_DAMAGED;
  if (details == NULL || details->field_name == NULL)
    return;
  name = g_strconcat (details->field_name, suffix, NULL);
  for (guint i = 0; i < self->fields->len; i++)
    {
      ShmlabDescribedField *field = g_ptr_array_index (self->fields, i);

      field->wrong = g_str_equal (field->name, name);
      if (field->wrong)
        self->wrong_field = (int) i;
    }
}

/**
 * shmlab_description_new:
 * @bytes: (array length=length) (nullable): the segment's first bytes, or
 *   all of them, never trusted
 * @segment_size: the size of the whole segment (0: just @bytes)
 *
 * What @bytes are, found by the format that recognises them, with the
 * verdict its reader would give. A payload that lies past @length is
 * checked against @segment_size instead, and @checked says so.
 */
ShmlabDescription *
shmlab_description_new (const guint8 *bytes,
                        gsize         length,
                        gsize         segment_size)
{
  ShmlabDescription *self = g_new0 (ShmlabDescription, 1);

  g_return_val_if_fail (bytes != NULL || length == 0, self);

  self->format = SHMLAB_FORMAT_AUTO;
  self->wrong_field = -1;
  self->fields = g_ptr_array_new_with_free_func (described_field_free);
  if (length == 0)
    {
      self->verdict = SHMLAB_VERDICT_NO_BYTES;
      self->title = g_strdup (_("No bytes yet"));
      self->detail = g_strdup (_("Write or read to see what the segment holds."));
      return self;
    }
  shmlab_format_recognise (bytes, length)->describe (self, bytes, length,
                                                     MAX (segment_size, length));
  if (self->detail == NULL)
    self->detail = g_strdup ("");
  return self;
}

void
shmlab_description_free (ShmlabDescription *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->fields);
  g_free (self->title);
  g_free (self->detail);
  g_free (self->message);
  g_free (self);
}

/* The field called @name, or NULL. */
const ShmlabDescribedField *
shmlab_description_get_field (const ShmlabDescription *self,
                              const char              *name)
{
  for (guint i = 0; name != NULL && i < self->fields->len; i++)
    {
      const ShmlabDescribedField *field = g_ptr_array_index (self->fields, i);

      if (g_str_equal (field->name, name))
        return field;
    }
  return NULL;
}

/* The field that is why a reader refuses the bytes, or NULL. */
const ShmlabDescribedField *
shmlab_description_get_wrong_field (const ShmlabDescription *self)
{
  return self->wrong_field >= 0 ? g_ptr_array_index (self->fields, self->wrong_field) : NULL;
}

/**
 * shmlab_description_to_string:
 *
 * The verdict in stable words, for machines and tests: "FORMAT VERDICT",
 * then for a refusal "PROBLEM FIELD" (FIELD "-" when none is named), e.g.
 * "frame damaged checksum crc32" or "text valid".
 */
char *
shmlab_description_to_string (const ShmlabDescription *self)
{
  const ShmlabDescribedField *wrong = shmlab_description_get_wrong_field (self);
  const char *format = self->format == SHMLAB_FORMAT_AUTO ? "none"
                                                          : shmlab_format_to_string (self->format);

  if (self->verdict != SHMLAB_VERDICT_DAMAGED)
    return g_strdup_printf ("%s %s", format, shmlab_verdict_to_string (self->verdict));
  return g_strdup_printf ("%s %s %s %s", format, shmlab_verdict_to_string (self->verdict),
                          shmlab_payload_problem_to_string (self->problem),
                          wrong ? wrong->name : "-");
}
