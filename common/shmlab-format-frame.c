/* shmlab-format-frame.c — the ShmLab frame: a 64-byte header (its layout is
 * shmlab-frame.h), then UTF-8 text or RGBA8 rows, in one or two slots
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-format-private.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>

#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "shmlab-limits.h"

/* What marks a frame, damaged or not: "SHMLAB" and two more bytes. */
#define MAGIC_PREFIX 6

static gboolean
frame_recognise (const guint8 *bytes,
                 gsize         length)
{
  return length >= strlen (SHMLAB_FRAME_MAGIC) && memcmp (bytes, SHMLAB_FRAME_MAGIC, MAGIC_PREFIX) == 0;
}

static ShmlabPayload *
decode_frame (const guint8  *bytes,
              gsize          length,
              GBytes        *owner,
              GError       **error)
{
  g_autoptr(ShmlabPayload) self = g_new0 (ShmlabPayload, 1);
  g_autoptr(GError) local_error = NULL;
  const guint8 *payload;
  guint32 crc;

  self->format = SHMLAB_FORMAT_FRAME;
  if (!shmlab_frame_header_parse (bytes, length, &self->header, error))
    return NULL;

  payload = bytes + self->header.header_size;
  /* parse checked payload_length ≤ length − header_size, so both fit in gsize. */
  crc = shmlab_format_crc32 (payload, (gsize) self->header.payload_length);
  if (crc != self->header.crc32)
    {
      g_set_error (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_CHECKSUM,
                   _("frame field “crc32” is 0x%08x but the %" PRIu64 "-byte payload "
                   "has CRC-32 0x%08x: the payload changed after it was written (a write "
                   "without the lock?), or the segment is damaged"),
                   self->header.crc32, self->header.payload_length, crc);
      if (error != NULL)
        shmlab_payload_error_set_field (*error, SHMLAB_PAYLOAD_PROBLEM_CHECKSUM,
                                        SHMLAB_FRAME_FIELD_CRC32,
                                        shmlab_frame_fields (NULL)[SHMLAB_FRAME_FIELD_CRC32].name);
      return NULL;
    }

  self->kind = self->header.kind;
  self->encoded_length = shmlab_frame_extent (&self->header);

  if (self->kind == SHMLAB_PAYLOAD_KIND_TEXT)
    {
      shmlab_payload_set_text (self, (const char *) payload, (gsize) self->header.payload_length);
      return g_steal_pointer (&self);
    }

  /* Rows that already sit in a private copy are shown from it: no second copy. */
  if (owner != NULL)
    {
      gsize offset = (gsize) (payload - (const guint8 *) g_bytes_get_data (owner, NULL));

      self->image = shmlab_image_new_for_bytes (owner, offset, self->header.width,
                                                self->header.height, self->header.stride,
                                                &local_error);
      if (self->image == NULL)
        {
          g_set_error (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_MALFORMED,
                       _("ShmLab frame: %s"), local_error->message);
          return NULL;
        }
      return g_steal_pointer (&self);
    }

  /* The dimensions were checked: only memory can be missing here. */
  self->image = shmlab_image_new (self->header.width, self->header.height, &local_error);
  if (self->image == NULL)
    {
      g_set_error (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_TOO_LARGE,
                   _("ShmLab frame: %s"), local_error->message);
      return NULL;
    }
  for (guint32 y = 0; y < self->header.height; y++)
    memcpy (self->image->pixels + (gsize) y * self->image->stride,
            payload + (gsize) y * self->header.stride, (gsize) self->header.width * 4);

  return g_steal_pointer (&self);
}

/* A segment starting with a frame: the newest slot whose payload holds, or
 * else the other one, with a note on why the newest was passed over. */
static ShmlabPayload *
frame_decode (const guint8  *bytes,
              gsize          length,
              GBytes        *owner,
              GError       **error)
{
  g_autoptr(GError) newest_error = NULL;
  g_autoptr(GError) first_error = NULL;
  ShmlabFrameSlots slots;
  ShmlabFrameHeader first;
  ShmlabPayload *self = NULL;
  guint chosen;

  shmlab_frame_find_slots (bytes, length, &slots);
  /* The first slot's own message, when its header is what is wrong. */
  if (slots.n == 0 || (slots.n == 1 && slots.offset[0] != 0))
    shmlab_frame_header_parse (bytes, length, &first, &first_error);
  if (slots.n == 0)
    {
      g_propagate_error (error, g_steal_pointer (&first_error));
      return NULL;
    }

  for (chosen = 0; chosen < slots.n; chosen++)
    {
      self = decode_frame (bytes + slots.offset[chosen], length - slots.offset[chosen], owner,
                           chosen == 0 ? &newest_error : NULL);
      if (self != NULL)
        break;
    }
  if (self == NULL)
    {
      shmlab_payload_error_set_slot (newest_error, slots.offset[0]);
      g_propagate_error (error, g_steal_pointer (&newest_error));
      return NULL;
    }

  self->frame_offset = slots.offset[chosen];
  self->encoded_length += self->frame_offset;
  if (chosen > 0)
    self->note = g_strdup_printf (_("the frame slot at byte %zu holds generation %" PRIu64
                                    " by process %u, which is incomplete (%s); showing generation %"
                                    PRIu64 ", the last complete frame: its writer stopped while "
                                    "writing (killed?)"),
                                  slots.offset[0], slots.header[0].generation,
                                  slots.header[0].writer_pid, newest_error->message,
                                  self->header.generation);
  else if (first_error != NULL)
    self->note = g_strdup_printf (_("the frame slot at byte 0 holds no complete header (%s); "
                                    "showing generation %" PRIu64 " from the slot at byte %zu: "
                                    "a writer stopped while writing (killed?)"),
                                  first_error->message, self->header.generation,
                                  self->frame_offset);
  return self;
}

static void
image_unref_notify (gpointer data)
{
  shmlab_image_unref (data);
}

/* The image's rows packed tight (stride = width × 4), as a frame carries them. */
static GBytes *
image_tight_bytes (ShmlabImage  *image,
                   GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  guint32 stride;
  gsize size;
  guint8 *pixels;

  if (!shmlab_image_size_check (image->width, image->height, 0, &stride, &size,
                                &local_error))
    {
      g_set_error (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_TOO_LARGE,
                   _("cannot write the image as a ShmLab frame: %s"), local_error->message);
      return NULL;
    }
  if (image->stride == stride)
    return g_bytes_new_with_free_func (image->pixels, size, image_unref_notify,
                                       shmlab_image_ref (image));

  pixels = g_try_malloc (size);
  if (pixels == NULL)
    {
      g_set_error (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_TOO_LARGE,
                   _("not enough memory to copy an image of %u × %u pixels (%zu"
                   " bytes) for writing"),
                   image->width, image->height, size);
      return NULL;
    }
  for (guint32 y = 0; y < image->height; y++)
    memcpy (pixels + (gsize) y * stride, image->pixels + (gsize) y * image->stride, stride);
  return g_bytes_new_take (pixels, size);
}

static gboolean
frame_encode (ShmlabEncoded        *encoded,
              const ShmlabPayload  *payload,
              GError              **error)
{
  if (payload->kind == SHMLAB_PAYLOAD_KIND_TEXT)
    {
      if (!shmlab_format_text.encode (encoded, payload, error))
        return FALSE;
    }
  else
    {
      encoded->data = image_tight_bytes (payload->image, error);
      if (encoded->data == NULL)
        return FALSE;
      encoded->width = payload->image->width;
      encoded->height = payload->image->height;
      encoded->stride = encoded->width * 4;
    }
  encoded->crc32 = shmlab_format_crc32 (g_bytes_get_data (encoded->data, NULL),
                                        g_bytes_get_size (encoded->data));
  return TRUE;
}

/* Where a frame of @size bytes goes: the slot not holding the newest frame
 * when both can hold it, else the first slot. */
static gsize
frame_slot_for_write (const guint8 *dest,
                      gsize         dest_size,
                      gsize         size)
{
  gsize second = shmlab_frame_second_slot (dest_size);
  ShmlabFrameSlots slots;

  if (second == 0 || size > second)
    return 0;
  shmlab_frame_find_slots (dest, dest_size, &slots);
  if (slots.n == 0 || slots.offset[0] != 0)
    return 0;
  /* A frame in the first slot that reaches into the second keeps it. */
  return shmlab_frame_extent (&slots.header[0]) <= second ? second : 0;
}

static gsize
frame_write (const ShmlabEncoded *self,
             guint8              *dest,
             gsize                dest_size,
             gsize                keep,
             guint64              generation)
{
  gsize data_length;
  const guint8 *data = g_bytes_get_data (self->data, &data_length);
  gsize slot = frame_slot_for_write (dest, dest_size, SHMLAB_FRAME_HEADER_SIZE + keep);
  gsize second = shmlab_frame_second_slot (dest_size);
  ShmlabFrameHeader header = {
    .kind = self->kind,
    .width = self->width,
    .height = self->height,
    .stride = self->stride,
    /* A cut text gets the CRC-32 of what was kept. */
    .crc32 = keep < data_length ? shmlab_format_crc32 (data, keep) : self->crc32,
    .payload_length = keep,
    /* Generation 0 means "no frame": after 2^64 - 1 writes it starts again at 1. */
    .generation = generation == 0 ? 1 : generation,
    .write_time = g_get_real_time (),
    .writer_pid = (guint32) getpid (),
    .lock_holder = slot == 0 ? (guint32) getpid () : 0,
  };

  /* The payload first, then the header, whose generation makes it count. */
  if (keep > 0)
    memcpy (dest + slot + SHMLAB_FRAME_HEADER_SIZE, data, keep);
  atomic_thread_fence (memory_order_release);
  shmlab_frame_header_write (dest + slot, &header);
  /* Whatever the other slot holds must now count as older: a damaged
   * frame with a larger generation, one that wrapped, or one a longer
   * frame had hidden in its payload. */
  if (second != 0 && (slot == second || SHMLAB_FRAME_HEADER_SIZE + keep <= second))
    {
      gsize other = slot == 0 ? second : 0;
      ShmlabFrameHeader old;

      if (shmlab_frame_header_parse (dest + other, dest_size - other, &old, NULL) &&
          old.generation >= header.generation)
        shmlab_frame_forget_generation (dest + other);
    }
  return SHMLAB_FRAME_HEADER_SIZE + keep;
}

static char *
describe_time (gint64 time_us)
{
  g_autoptr(GDateTime) time = NULL;
  g_autofree char *text = NULL;

  if (time_us <= 0 || (time = g_date_time_new_from_unix_local (time_us / G_USEC_PER_SEC)) == NULL)
    return g_strdup_printf ("%" G_GINT64_FORMAT, time_us);
  text = g_date_time_format (time, "%Y-%m-%d %H:%M:%S");
  return g_strdup_printf ("%s.%03d", text, (int) ((time_us % G_USEC_PER_SEC) / 1000));
}

/* A header field's value, for a person. */
static char *
describe_field (ShmlabFrameFieldId  id,
                const guint8       *header)
{
  guint64 value = shmlab_frame_read_field (header, id);

  switch (id)
    {
    case SHMLAB_FRAME_FIELD_MAGIC:
      {
        char text[9];

        for (gsize i = 0; i < 8; i++)
          text[i] = g_ascii_isprint (header[i]) ? (char) header[i] : '.';
        text[8] = '\0';
        /* TRANSLATORS: a text field's value, quoted as your language quotes */
        return g_strdup_printf (_("“%s”"), text);
      }
    case SHMLAB_FRAME_FIELD_KIND:
      return g_strdup_printf ("%" G_GUINT64_FORMAT " = %s", value,
                              value == SHMLAB_FRAME_KIND_TEXT    ? _("text")
                              : value == SHMLAB_FRAME_KIND_IMAGE ? _("RGBA8 image")
                                                                 : _("unknown"));
    case SHMLAB_FRAME_FIELD_WIDTH:
    case SHMLAB_FRAME_FIELD_HEIGHT:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" PRIu64 " pixel",
                                           "%" PRIu64 " pixels", (gulong) MIN (value, G_MAXULONG)),
                              value);
    case SHMLAB_FRAME_FIELD_STRIDE:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" PRIu64 " byte per row",
                                           "%" PRIu64 " bytes per row",
                                           (gulong) MIN (value, G_MAXULONG)),
                              value);
    case SHMLAB_FRAME_FIELD_HEADER_SIZE:
    case SHMLAB_FRAME_FIELD_PAYLOAD_LENGTH:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" PRIu64 " byte",
                                           "%" PRIu64 " bytes", (gulong) MIN (value, G_MAXULONG)),
                              value);
    case SHMLAB_FRAME_FIELD_CRC32:
      return g_strdup_printf ("0x%08" G_GINT64_MODIFIER "x", value);
    case SHMLAB_FRAME_FIELD_WRITE_TIME:
      return describe_time ((gint64) value);
    case SHMLAB_FRAME_FIELD_VERSION:
    case SHMLAB_FRAME_FIELD_GENERATION:
    case SHMLAB_FRAME_FIELD_WRITER_PID:
    case SHMLAB_FRAME_FIELD_LOCK_HOLDER:
    case SHMLAB_FRAME_N_FIELDS:
    default:
      return g_strdup_printf ("%" G_GUINT64_FORMAT, value);
    }
}

/* The fields of a frame header starting at byte @start, named with @suffix. */
static void
add_header_fields (ShmlabDescription *description,
                   const guint8      *bytes,
                   gsize              length,
                   gsize              start,
                   const char        *suffix)
{
  guint n_fields;
  const ShmlabFrameField *frame_fields = shmlab_frame_fields (&n_fields);

  for (guint i = 0; i < n_fields; i++)
    {
      const ShmlabFrameField *f = &frame_fields[i];
      g_autofree char *name = g_strconcat (f->name, suffix, NULL);
      gboolean fits = start <= length && f->offset + f->size <= length - start;

      shmlab_description_add_field (description, name, (int) i, start + f->offset, f->size,
                                    fits ? describe_field (i, bytes + start)
                                         : g_strdup (_("— (past the end of the bytes)")));
    }
}

/* A double-buffered segment: the second slot's header too, marked “(2)”. */
static void
describe_second_slot (ShmlabDescription       *description,
                      const guint8            *bytes,
                      gsize                    length,
                      gsize                    segment_size,
                      const ShmlabFrameHeader *first,
                      gboolean                 shown,
                      GString                 *detail)
{
  gsize second = shmlab_frame_second_slot (segment_size);
  ShmlabFrameHeader h;

  /* The second slot counts when the first slot's frame ends before it, or
   * when its frame is the one shown. */
  if (second == 0 || (!shown && first->header_size + first->payload_length > second) ||
      second > length || length - second < SHMLAB_FRAME_HEADER_SIZE ||
      memcmp (bytes + second, SHMLAB_FRAME_MAGIC, strlen (SHMLAB_FRAME_MAGIC)) != 0)
    return;

  add_header_fields (description, bytes, length, second, " (2)");
  /* The header alone: its payload may lie past the bytes at hand. */
  shmlab_frame_header_parse (bytes + second, length - second, &h, NULL);
  g_string_append_printf (detail, _("; double-buffered: the slot at byte %zu holds generation %"
                                    PRIu64 ", a reader takes the newer whole one"),
                          second, h.generation);
}

static void
frame_describe (ShmlabDescription *description,
                const guint8      *bytes,
                gsize              length,
                gsize              segment_size)
{
  const ShmlabPayloadErrorDetails *details;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) detail = g_string_new (NULL);
  g_autofree char *payload_size = NULL;
  g_autoptr(ShmlabPayload) payload = NULL;
  ShmlabFrameHeader h;
  ShmlabFrameHeader first;
  gboolean ok;

  description->format = SHMLAB_FORMAT_FRAME;
  add_header_fields (description, bytes, length, 0, "");

  ok = shmlab_frame_header_parse (bytes, length, &h, &error);
  details = shmlab_payload_error_get_details (error);
  /* The bytes at hand end before the payload, but the segment may not. */
  if (!ok && length < segment_size && details != NULL &&
      details->problem == SHMLAB_PAYLOAD_PROBLEM_PAST_END &&
      (details->field == SHMLAB_FRAME_FIELD_PAYLOAD_LENGTH ||
       details->field == SHMLAB_FRAME_FIELD_HEADER_SIZE) &&
      h.header_size >= SHMLAB_FRAME_HEADER_SIZE && length >= SHMLAB_FRAME_HEADER_SIZE)
    {
      g_clear_error (&error);
      ok = shmlab_frame_header_fits_segment (&h, segment_size, &error);
    }

  /* The whole frame is at hand: the readers' own decoding gives the verdict. */
  if (length >= segment_size ||
      (ok && h.header_size <= length && h.payload_length <= length - h.header_size))
    {
      g_clear_error (&error);
      payload = frame_decode (bytes, length, NULL, &error);
      ok = payload != NULL;
      description->checked = TRUE;
    }

  if (!ok)
    {
      details = shmlab_payload_error_get_details (error);
      /* The newest slot is the one refused: its header is listed too. */
      if (details != NULL && details->slot != 0)
        add_header_fields (description, bytes, length, details->slot, " (2)");
      description->verdict = SHMLAB_VERDICT_DAMAGED;
      shmlab_description_set_error (description, error,
                                    details != NULL && details->slot != 0 ? " (2)" : NULL);
      description->title = g_strdup (_("ShmLab frame, damaged"));
      description->detail = g_strdup (description->wrong_field >= 0
                                         ? _("The bytes start with the frame magic, but the field "
                                             "marked ✗ is wrong: a reader refuses this frame.")
                                         : _("The bytes start with the frame magic, but a reader "
                                             "refuses this frame."));
      return;
    }

  /* The frame a reader shows: the newest whole one. */
  first = h;
  if (payload != NULL)
    h = payload->header;
  /* A text frame whose bytes are not all valid text is shown with a warning. */
  description->verdict = payload != NULL && payload->kind == SHMLAB_PAYLOAD_KIND_TEXT &&
                         payload->invalid_bytes > 0 ? SHMLAB_VERDICT_NOT_TEXT
                                                    : SHMLAB_VERDICT_VALID;
  payload_size = shmlab_format_bytes (h.payload_length);
  shmlab_description_add_field (description, "payload", -1,
                                (payload ? payload->frame_offset : 0) + h.header_size,
                                (gsize) MIN (h.payload_length, (guint64) G_MAXSIZE),
                                g_strdup_printf (_("%s of %s"), payload_size,
                                                 h.kind == SHMLAB_FRAME_KIND_TEXT
                                                   ? _("UTF-8 text")
                                                   : _("RGBA pixels, row by row")));
  description->title = g_strdup (_("ShmLab frame"));
  if (h.kind == SHMLAB_FRAME_KIND_TEXT)
    g_string_append_printf (detail, _("text, %s of payload"), payload_size);
  else
    g_string_append_printf (detail, _("RGBA8 image of %u × %u pixels, %s of payload"), h.width,
                            h.height, payload_size);
  g_string_append_printf (detail, ", generation %" G_GUINT64_FORMAT, h.generation);
  g_string_append (detail, description->checked
                             ? _("; CRC-32 correct")
                             : _("; the CRC-32 is not checked here, the payload goes "
                                 "beyond the bytes at hand"));
  describe_second_slot (description, bytes, length, segment_size, &first,
                        payload != NULL && payload->frame_offset != 0, detail);
  description->detail = g_string_free (g_steal_pointer (&detail), FALSE);
}

static char *
frame_text_size_label (gsize length)
{
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%zu byte of UTF-8 (+64-byte frame header = %zu in the "
                                       "segment)",
                                       "%zu bytes of UTF-8 (+64-byte frame header = %zu in the "
                                       "segment)", length),
                          length, length + SHMLAB_FRAME_HEADER_SIZE);
}

const ShmlabFormatClass shmlab_format_frame = {
  .id = SHMLAB_FORMAT_FRAME,
  .name = "frame",
  .phrase = N_("ShmLab frame"),
  .text_noun = N_("the text frame"),
  .image_noun = N_("the image frame"),
  .cut_advice = N_("even a cut text needs the 64-byte frame header: grow the segment"),
  .choice = N_("ShmLab frame"),
  .summary = N_("a header, then the text or the pixels: only ShmLab reads it"),
  .explanation = N_("ShmLab frame: a 64-byte header with the size, the kind and a checksum, "
                    "then the text or the RGBA pixels. Only ShmLab reads it; no Qt program "
                    "does."),
  .qt_text_note = N_("no Qt program reads a ShmLab frame: for the Qt demo, choose Plain text"),
  .qt_image_note = N_("no Qt program reads a ShmLab frame: for Qt's example, choose Qt example "
                      "image"),
  .prefix_size = SHMLAB_FRAME_HEADER_SIZE,
  .suffix_size = 0,
  .recognise = frame_recognise,
  .decode = frame_decode,
  .encode = frame_encode,
  .write = frame_write,
  .describe = frame_describe,
  .text_size_label = frame_text_size_label,
};
