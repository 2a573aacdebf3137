/* shmlab-frame.c — the layout of a ShmLab frame: its header, its two slots,
 * its generation and its lock_holder word
 *
 * Nothing here knows what a payload means beyond the header's numbers: the
 * frame format (shmlab-format-frame.c) decodes payloads, and the segment
 * reaches the lock_holder word through this file alone.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-frame.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>

#include <stdatomic.h>
#include <string.h>

#include "shmlab-error.h"
#include "shmlab-image.h"
#include "shmlab-stream-segment.h"

static const ShmlabFrameField frame_fields[SHMLAB_FRAME_N_FIELDS] = {
  [SHMLAB_FRAME_FIELD_MAGIC] = { "magic", 0, 8 },
  [SHMLAB_FRAME_FIELD_VERSION] = { "version", 8, 2 },
  [SHMLAB_FRAME_FIELD_HEADER_SIZE] = { "header_size", 10, 2 },
  [SHMLAB_FRAME_FIELD_KIND] = { "kind", 12, 4 },
  [SHMLAB_FRAME_FIELD_WIDTH] = { "width", 16, 4 },
  [SHMLAB_FRAME_FIELD_HEIGHT] = { "height", 20, 4 },
  [SHMLAB_FRAME_FIELD_STRIDE] = { "stride", 24, 4 },
  [SHMLAB_FRAME_FIELD_CRC32] = { "crc32", 28, 4 },
  [SHMLAB_FRAME_FIELD_PAYLOAD_LENGTH] = { "payload_length", 32, 8 },
  [SHMLAB_FRAME_FIELD_GENERATION] = { "generation", 40, 8 },
  [SHMLAB_FRAME_FIELD_WRITE_TIME] = { "write_time", 48, 8 },
  [SHMLAB_FRAME_FIELD_WRITER_PID] = { "writer_pid", 56, 4 },
  [SHMLAB_FRAME_FIELD_LOCK_HOLDER] = { "lock_holder", 60, 4 },
};

/**
 * shmlab_frame_fields:
 * @n_fields: (out): the number of fields
 *
 * The fields of the frame header in the order they sit in the segment,
 * lock_holder included, for a hex view.
 *
 * Returns: (array length=n_fields) (transfer none): a static table, indexed
 *   by #ShmlabFrameFieldId
 */
const ShmlabFrameField *
shmlab_frame_fields (guint *n_fields)
{
  if (n_fields)
    *n_fields = SHMLAB_FRAME_N_FIELDS;
  return frame_fields;
}

static guint64
read_le (const guint8 *p,
         gsize         size)
{
  guint64 value = 0;

  for (gsize i = size; i > 0; i--)
    value = (value << 8) | p[i - 1];
  return value;
}

static void
write_le (guint8  *p,
          gsize    size,
          guint64  value)
{
  for (gsize i = 0; i < size; i++)
    p[i] = (value >> (8 * i)) & 0xff;
}

/**
 * shmlab_frame_read_field:
 * @bytes: the start of a frame header, with the whole field within reach
 *
 * The field's little-endian value (the magic's first 8 bytes as one number).
 */
guint64
shmlab_frame_read_field (const guint8       *bytes,
                         ShmlabFrameFieldId  field)
{
  g_return_val_if_fail (field < SHMLAB_FRAME_N_FIELDS, 0);
  return read_le (bytes + frame_fields[field].offset, frame_fields[field].size);
}

/* Sets @error about @field, with the field and the problem as data. */
G_GNUC_PRINTF (4, 5) static gboolean
set_field_error (GError               **error,
                 ShmlabFrameFieldId     field,
                 ShmlabPayloadProblem   problem,
                 const char            *format,
                 ...)
{
  GError *local_error;
  va_list ap;

  if (error == NULL)
    return FALSE;
  va_start (ap, format);
  local_error = g_error_new_valist (SHMLAB_PAYLOAD_ERROR,
                                    problem == SHMLAB_PAYLOAD_PROBLEM_CHECKSUM
                                      ? SHMLAB_PAYLOAD_ERROR_CHECKSUM
                                      : SHMLAB_PAYLOAD_ERROR_MALFORMED,
                                    format, ap);
  va_end (ap);
  shmlab_payload_error_set_field (local_error, problem, (int) field, frame_fields[field].name);
  g_propagate_error (error, local_error);
  return FALSE;
}

static gboolean
set_field_missing (ShmlabFrameFieldId   id,
                   gsize                length,
                   GError             **error)
{
  const ShmlabFrameField *field = &frame_fields[id];

  return set_field_error (error, id, SHMLAB_PAYLOAD_PROBLEM_MISSING,
                          _("frame field “%s” (bytes %u to %u) lies past the end of the %zu"
                          "-byte segment: the segment is too small for a frame header, or damaged"),
                          field->name, field->offset, field->offset + field->size - 1, length);
}

/* Image dimensions: the first wrong one of width, height and stride. */
static gboolean
check_image_dimensions (const ShmlabFrameHeader  *header,
                        GError                  **error)
{
  const ShmlabFrameFieldId sides[] = { SHMLAB_FRAME_FIELD_WIDTH, SHMLAB_FRAME_FIELD_HEIGHT };
  guint32 values[] = { header->width, header->height };

  for (guint i = 0; i < G_N_ELEMENTS (sides); i++)
    {
      if (values[i] == 0)
        return set_field_error (error, sides[i], SHMLAB_PAYLOAD_PROBLEM_TOO_SMALL,
                                _("frame field “%s” is 0 but an image frame is at least 1 pixel on each "
                                "side: the segment was not written by a ShmLab writer, or is damaged"),
                                frame_fields[sides[i]].name);
      if (values[i] > SHMLAB_IMAGE_MAX_DIMENSION)
        return set_field_error (error, sides[i], SHMLAB_PAYLOAD_PROBLEM_TOO_LARGE,
                                _("frame field “%s” is %u pixels but images are limited to %d pixels a "
                                "side: the segment was not written by a ShmLab writer, or is damaged"),
                                frame_fields[sides[i]].name, values[i], SHMLAB_IMAGE_MAX_DIMENSION);
    }

  /* width ≤ 16384, so a row of pixels fits in 32 bits. */
  if (header->stride < header->width * 4)
    return set_field_error (error, SHMLAB_FRAME_FIELD_STRIDE, SHMLAB_PAYLOAD_PROBLEM_TOO_SMALL,
                            _("frame field “stride” is %u but a row of %u pixels needs %u bytes: the "
                            "segment was not written by a ShmLab writer, or is damaged"),
                            header->stride, header->width, header->width * 4);

  return TRUE;
}

/* Text frames carry no dimensions: each of width, height and stride is 0. */
static gboolean
check_text_dimensions (const ShmlabFrameHeader  *header,
                       GError                  **error)
{
  const ShmlabFrameFieldId ids[] = {
    SHMLAB_FRAME_FIELD_WIDTH, SHMLAB_FRAME_FIELD_HEIGHT, SHMLAB_FRAME_FIELD_STRIDE,
  };
  guint32 values[] = { header->width, header->height, header->stride };

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    if (values[i] != 0)
      return set_field_error (error, ids[i], SHMLAB_PAYLOAD_PROBLEM_WRONG_VALUE,
                              _("frame field “%s” is %u but a text frame has 0 there: the segment was "
                              "not written by a ShmLab writer, or is damaged"),
                              frame_fields[ids[i]].name, values[i]);
  return TRUE;
}

/* The bytes an image of the header's size needs: the last row only its pixels. */
static gboolean
image_bytes_needed (const ShmlabFrameHeader *h,
                    guint64                 *needed)
{
  return g_uint64_checked_mul (needed, h->stride, (guint64) h->height - 1) &&
         g_uint64_checked_add (needed, *needed, (guint64) h->width * 4);
}

/**
 * shmlab_frame_header_parse:
 * @bytes: (array length=length): the segment's bytes, never trusted
 * @length: how many bytes there are
 * @header: (out): the header
 * @error: a #GError in SHMLAB_PAYLOAD_ERROR (MALFORMED), whose details
 *   (shmlab_payload_error_get_details()) name the field and the problem
 *
 * Reads and checks a frame header: magic, version, header_size, kind, width,
 * height, stride, then that the payload_length bytes lie within @length,
 * in that order; the error names the first wrong field. The payload's CRC-32
 * is not checked here (that needs a pass over the payload, which
 * shmlab_payload_decode() makes).
 *
 * On failure @header still holds every field that lies within @length (zero
 * past the end), so a damaged header can be shown.
 */
gboolean
shmlab_frame_header_parse (const guint8       *bytes,
                           gsize               length,
                           ShmlabFrameHeader  *header,
                           GError            **error)
{
  const ShmlabFrameField *f = frame_fields;
  ShmlabFrameHeader h = { 0 };
  gsize available;
  guint64 needed;

  g_return_val_if_fail (bytes != NULL || length == 0, FALSE);

#define FITS(id) (f[id].offset + f[id].size <= length)
#define READ(id) (FITS (id) ? shmlab_frame_read_field (bytes, id) : 0)
  h.version = (guint16) READ (SHMLAB_FRAME_FIELD_VERSION);
  h.header_size = (guint16) READ (SHMLAB_FRAME_FIELD_HEADER_SIZE);
  h.kind = (guint32) READ (SHMLAB_FRAME_FIELD_KIND);
  h.width = (guint32) READ (SHMLAB_FRAME_FIELD_WIDTH);
  h.height = (guint32) READ (SHMLAB_FRAME_FIELD_HEIGHT);
  h.stride = (guint32) READ (SHMLAB_FRAME_FIELD_STRIDE);
  h.crc32 = (guint32) READ (SHMLAB_FRAME_FIELD_CRC32);
  h.payload_length = READ (SHMLAB_FRAME_FIELD_PAYLOAD_LENGTH);
  h.generation = READ (SHMLAB_FRAME_FIELD_GENERATION);
  h.write_time = (gint64) READ (SHMLAB_FRAME_FIELD_WRITE_TIME);
  h.writer_pid = (guint32) READ (SHMLAB_FRAME_FIELD_WRITER_PID);
  h.lock_holder = (guint32) READ (SHMLAB_FRAME_FIELD_LOCK_HOLDER);
#undef READ
  if (header)
    *header = h;

  if (!FITS (SHMLAB_FRAME_FIELD_MAGIC))
    return set_field_missing (SHMLAB_FRAME_FIELD_MAGIC, length, error);
  if (memcmp (bytes, SHMLAB_FRAME_MAGIC, f[SHMLAB_FRAME_FIELD_MAGIC].size) != 0)
    {
      g_autoptr(GString) found = g_string_new (NULL);

      for (guint i = 0; i < f[SHMLAB_FRAME_FIELD_MAGIC].size; i++)
        g_string_append_printf (found, i ? " %02x" : "%02x", bytes[i]);
      return set_field_error (error, SHMLAB_FRAME_FIELD_MAGIC, SHMLAB_PAYLOAD_PROBLEM_WRONG_VALUE,
                              _("frame field “magic” is %s but a ShmLab frame starts with “%s” "
                              "(53 48 4d 4c 41 42 46 52): the segment does not hold a ShmLab frame"),
                              found->str, SHMLAB_FRAME_MAGIC);
    }

  if (!FITS (SHMLAB_FRAME_FIELD_VERSION))
    return set_field_missing (SHMLAB_FRAME_FIELD_VERSION, length, error);
  if (h.version != SHMLAB_FRAME_VERSION)
    return set_field_error (error, SHMLAB_FRAME_FIELD_VERSION, SHMLAB_PAYLOAD_PROBLEM_WRONG_VALUE,
                            _("frame field “version” is %u but this ShmLab reads version %d: the segment "
                            "was written by another ShmLab version, or is damaged"),
                            h.version, SHMLAB_FRAME_VERSION);

  if (!FITS (SHMLAB_FRAME_FIELD_HEADER_SIZE))
    return set_field_missing (SHMLAB_FRAME_FIELD_HEADER_SIZE, length, error);
  if (h.header_size < SHMLAB_FRAME_HEADER_SIZE)
    return set_field_error (error, SHMLAB_FRAME_FIELD_HEADER_SIZE, SHMLAB_PAYLOAD_PROBLEM_TOO_SMALL,
                            _("frame field “header_size” is %u but a version %d header is %d bytes: the "
                            "segment was not written by a ShmLab writer, or is damaged"),
                            h.header_size, SHMLAB_FRAME_VERSION, SHMLAB_FRAME_HEADER_SIZE);
  if (h.header_size > length)
    return set_field_error (error, SHMLAB_FRAME_FIELD_HEADER_SIZE, SHMLAB_PAYLOAD_PROBLEM_PAST_END,
                            _("frame field “header_size” says %u bytes but the segment holds only"
                            " %zu: the segment is too small for the frame, or damaged"),
                            h.header_size, length);
#undef FITS
  /* From here on the whole fixed header lies within the bytes. */
  available = length - h.header_size;

  if (h.kind != SHMLAB_FRAME_KIND_TEXT && h.kind != SHMLAB_FRAME_KIND_IMAGE)
    return set_field_error (error, SHMLAB_FRAME_FIELD_KIND, SHMLAB_PAYLOAD_PROBLEM_WRONG_VALUE,
                            _("frame field “kind” is %u but ShmLab knows only %d (text) and %d (RGBA8 "
                            "image): the segment was written by another ShmLab version, or is damaged"),
                            h.kind, SHMLAB_FRAME_KIND_TEXT, SHMLAB_FRAME_KIND_IMAGE);

  if (h.kind == SHMLAB_FRAME_KIND_TEXT && !check_text_dimensions (&h, error))
    return FALSE;
  if (h.kind == SHMLAB_FRAME_KIND_IMAGE && !check_image_dimensions (&h, error))
    return FALSE;

  if (h.payload_length > available)
    return set_field_error (error, SHMLAB_FRAME_FIELD_PAYLOAD_LENGTH, SHMLAB_PAYLOAD_PROBLEM_PAST_END,
                            _("frame field “payload_length” says %" PRIu64 " bytes but only"
                            " %zu follow the header: the segment is too small for the frame, "
                            "or damaged"),
                            h.payload_length, available);

  if (h.kind == SHMLAB_FRAME_KIND_IMAGE &&
      (!image_bytes_needed (&h, &needed) || h.payload_length < needed))
    return set_field_error (error, SHMLAB_FRAME_FIELD_PAYLOAD_LENGTH, SHMLAB_PAYLOAD_PROBLEM_TOO_SMALL,
                            _("frame field “payload_length” is %" PRIu64 " bytes but an "
                            "image of %u × %u pixels with rows %u bytes apart needs %"
                            PRIu64 ": the segment was not written by a ShmLab writer, "
                            "or is damaged"),
                            h.payload_length, h.width, h.height, h.stride, needed);

  return TRUE;
}

/**
 * shmlab_frame_header_fits_segment:
 * @header: a header whose fields up to stride passed shmlab_frame_header_parse()
 * @segment_size: the size of the whole segment
 * @error: as shmlab_frame_header_parse()
 *
 * With only the first bytes of a larger segment at hand, checks the payload
 * against the segment's size instead of against the bytes.
 */
gboolean
shmlab_frame_header_fits_segment (const ShmlabFrameHeader  *h,
                                  guint64                   segment_size,
                                  GError                  **error)
{
  guint64 needed;

  if (h->header_size > segment_size || h->payload_length > segment_size - h->header_size)
    return set_field_error (error, SHMLAB_FRAME_FIELD_PAYLOAD_LENGTH, SHMLAB_PAYLOAD_PROBLEM_PAST_END,
                            _("frame field “payload_length” says %" PRIu64 " bytes but the %"
                            PRIu64 "-byte segment has room for less after the %u-byte header: "
                            "the segment is too small for the frame, or damaged"),
                            h->payload_length, segment_size, h->header_size);
  if (h->kind == SHMLAB_FRAME_KIND_IMAGE &&
      (!image_bytes_needed (h, &needed) || h->payload_length < needed))
    return set_field_error (error, SHMLAB_FRAME_FIELD_PAYLOAD_LENGTH, SHMLAB_PAYLOAD_PROBLEM_TOO_SMALL,
                            _("frame field “payload_length” is %" PRIu64 " bytes but an image "
                            "of %u × %u pixels with rows %u bytes apart needs more: the segment was "
                            "not written by a ShmLab writer, or is damaged"),
                            h->payload_length, h->width, h->height, h->stride);
  return TRUE;
}

/**
 * shmlab_frame_second_slot:
 * @length: the segment's size
 *
 * Where the second frame slot of a segment of @length bytes starts: half
 * the segment, rounded down to 64 bytes. 0 when the segment is too small to
 * have one.
 */
gsize
shmlab_frame_second_slot (gsize length)
{
  gsize offset = (length / 2) & ~(gsize) (SHMLAB_FRAME_HEADER_SIZE - 1);

  return offset >= SHMLAB_FRAME_HEADER_SIZE ? offset : 0;
}

/**
 * shmlab_frame_extent:
 *
 * The bytes a frame takes from the start of its slot: its header and its
 * payload (which shmlab_frame_header_parse() found within the bytes).
 */
gsize
shmlab_frame_extent (const ShmlabFrameHeader *header)
{
  return header->header_size + (gsize) header->payload_length;
}

/**
 * shmlab_frame_find_slots:
 * @slots: (out): the slots whose headers hold, newest first
 *
 * The second slot counts only when the first slot's frame (if any) ends
 * before it: otherwise its bytes are the first frame's payload.
 */
void
shmlab_frame_find_slots (const guint8     *bytes,
                         gsize             length,
                         ShmlabFrameSlots *slots)
{
  gsize second = shmlab_frame_second_slot (length);
  gboolean first_ok;

  slots->n = 0;
  first_ok = shmlab_frame_header_parse (bytes, length, &slots->header[0], NULL);
  if (first_ok)
    slots->offset[slots->n++] = 0;
  if (second != 0 && (!first_ok || shmlab_frame_extent (&slots->header[0]) <= second) &&
      shmlab_frame_header_parse (bytes + second, length - second, &slots->header[slots->n], NULL))
    {
      slots->offset[slots->n++] = second;
      if (slots->n == 2 && slots->header[1].generation > slots->header[0].generation)
        {
          ShmlabFrameHeader newer = slots->header[1];

          slots->header[1] = slots->header[0];
          slots->header[0] = newer;
          slots->offset[1] = 0;
          slots->offset[0] = second;
        }
    }
}

/**
 * shmlab_frame_peek_generation:
 *
 * The generation of the newest frame in @bytes (either slot), or 0 when no
 * slot holds a valid frame header. Cheap enough to call under the lock: the
 * payloads are not read.
 */
guint64
shmlab_frame_peek_generation (const guint8 *bytes,
                              gsize         length)
{
  ShmlabFrameSlots slots;

  if (bytes == NULL)
    return 0;
  shmlab_frame_find_slots (bytes, length, &slots);
  return slots.n > 0 ? slots.header[0].generation : 0;
}

/**
 * shmlab_frame_header_write:
 * @dest: the start of a slot, with room for the header
 * @header: the fields (header_size is written as 64, whatever it says)
 *
 * Writes the magic and every field, the generation last: until it is
 * written the slot is older than the other one, so a writer stopped halfway
 * leaves the newest frame alone.
 */
void
shmlab_frame_header_write (guint8                  *dest,
                           const ShmlabFrameHeader *header)
{
  const ShmlabFrameField *f = frame_fields;

#define PUT(id, value) write_le (dest + f[id].offset, f[id].size, (value))
  memcpy (dest + f[SHMLAB_FRAME_FIELD_MAGIC].offset, SHMLAB_FRAME_MAGIC,
          f[SHMLAB_FRAME_FIELD_MAGIC].size);
  PUT (SHMLAB_FRAME_FIELD_VERSION, SHMLAB_FRAME_VERSION);
  PUT (SHMLAB_FRAME_FIELD_HEADER_SIZE, SHMLAB_FRAME_HEADER_SIZE);
  PUT (SHMLAB_FRAME_FIELD_KIND, header->kind);
  PUT (SHMLAB_FRAME_FIELD_WIDTH, header->width);
  PUT (SHMLAB_FRAME_FIELD_HEIGHT, header->height);
  PUT (SHMLAB_FRAME_FIELD_STRIDE, header->stride);
  PUT (SHMLAB_FRAME_FIELD_CRC32, header->crc32);
  PUT (SHMLAB_FRAME_FIELD_PAYLOAD_LENGTH, header->payload_length);
  PUT (SHMLAB_FRAME_FIELD_WRITE_TIME, (guint64) header->write_time);
  PUT (SHMLAB_FRAME_FIELD_WRITER_PID, header->writer_pid);
  PUT (SHMLAB_FRAME_FIELD_LOCK_HOLDER, header->lock_holder);
  atomic_thread_fence (memory_order_release);
  PUT (SHMLAB_FRAME_FIELD_GENERATION, header->generation);
#undef PUT
}

/* The slot at @slot no longer counts as newer than any other. */
void
shmlab_frame_forget_generation (guint8 *slot)
{
  write_le (slot + frame_fields[SHMLAB_FRAME_FIELD_GENERATION].offset,
            frame_fields[SHMLAB_FRAME_FIELD_GENERATION].size, 0);
}

/**
 * shmlab_frame_lock_holder:
 * @bytes: (array length=length): the mapped segment
 *
 * The lock_holder field of the segment's first slot, for atomic access, or
 * %NULL when the segment does not start with a frame. A stream's segment
 * keeps the word at the same place (see shmlab-stream-segment.h).
 *
 * Returns: (nullable): the field, a little-endian pid
 */
guint32 *
shmlab_frame_lock_holder (guint8 *bytes,
                          gsize   length)
{
  const ShmlabFrameField *f = &frame_fields[SHMLAB_FRAME_FIELD_LOCK_HOLDER];

  if (bytes == NULL || length < SHMLAB_FRAME_HEADER_SIZE ||
      (memcmp (bytes, SHMLAB_FRAME_MAGIC, frame_fields[SHMLAB_FRAME_FIELD_MAGIC].size) != 0 &&
       memcmp (bytes, SHMLAB_STREAM_SEGMENT_MAGIC, frame_fields[SHMLAB_FRAME_FIELD_MAGIC].size) != 0) ||
      ((guintptr) (bytes + f->offset) % sizeof (guint32)) != 0)
    return NULL;
  return (guint32 *) (gpointer) (bytes + f->offset);
}
