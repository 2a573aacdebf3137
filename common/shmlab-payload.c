/* shmlab-payload.c — what goes in a segment: plain text, the Qt example's
 * image stream, or a ShmLab frame
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-payload.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>

#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "shmlab-error.h"
#include "shmlab-png.h"

/* What QDataStream writes before the PNG of a QImage (big-endian qint32). */
#define QT_IMAGE_MARKER_SIZE 4
#define PNG_SIGNATURE_SIZE 8

static const guint8 qt_image_marker[QT_IMAGE_MARKER_SIZE] = { 0, 0, 0, 1 };
static const guint8 qt_null_image_marker[QT_IMAGE_MARKER_SIZE] = { 0, 0, 0, 0 };

enum
{
  FIELD_MAGIC,
  FIELD_VERSION,
  FIELD_HEADER_SIZE,
  FIELD_KIND,
  FIELD_WIDTH,
  FIELD_HEIGHT,
  FIELD_STRIDE,
  FIELD_CRC32,
  FIELD_PAYLOAD_LENGTH,
  FIELD_GENERATION,
  FIELD_WRITE_TIME,
  FIELD_WRITER_PID,
  FIELD_LOCK_HOLDER,
  N_FIELDS
};

static const ShmlabFrameField frame_fields[N_FIELDS] = {
  [FIELD_MAGIC] = { "magic", 0, 8 },
  [FIELD_VERSION] = { "version", 8, 2 },
  [FIELD_HEADER_SIZE] = { "header_size", 10, 2 },
  [FIELD_KIND] = { "kind", 12, 4 },
  [FIELD_WIDTH] = { "width", 16, 4 },
  [FIELD_HEIGHT] = { "height", 20, 4 },
  [FIELD_STRIDE] = { "stride", 24, 4 },
  [FIELD_CRC32] = { "crc32", 28, 4 },
  [FIELD_PAYLOAD_LENGTH] = { "payload_length", 32, 8 },
  [FIELD_GENERATION] = { "generation", 40, 8 },
  [FIELD_WRITE_TIME] = { "write_time", 48, 8 },
  [FIELD_WRITER_PID] = { "writer_pid", 56, 4 },
  [FIELD_LOCK_HOLDER] = { "lock_holder", 60, 4 },
};

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
 * shmlab_frame_fields:
 * @n_fields: (out): the number of fields
 *
 * The fields of the frame header in the order they sit in the segment,
 * lock_holder included, for a hex view.
 *
 * Returns: (array length=n_fields) (transfer none): a static table
 */
const ShmlabFrameField *
shmlab_frame_fields (guint *n_fields)
{
  if (n_fields)
    *n_fields = N_FIELDS;
  return frame_fields;
}

static guint32
crc32_of (const guint8 *data,
          gsize         length)
{
  return (guint32) crc32_z (crc32_z (0, Z_NULL, 0), data, length);
}

static guint16
read_le16 (const guint8 *p)
{
  return (guint16) (p[0] | (p[1] << 8));
}

static guint32
read_le32 (const guint8 *p)
{
  return (guint32) p[0] | ((guint32) p[1] << 8) | ((guint32) p[2] << 16) |
         ((guint32) p[3] << 24);
}

static guint64
read_le64 (const guint8 *p)
{
  return (guint64) read_le32 (p) | ((guint64) read_le32 (p + 4) << 32);
}

static void
write_le16 (guint8  *p,
            guint16  value)
{
  p[0] = value & 0xff;
  p[1] = (value >> 8) & 0xff;
}

static void
write_le32 (guint8  *p,
            guint32  value)
{
  for (int i = 0; i < 4; i++)
    p[i] = (value >> (8 * i)) & 0xff;
}

static void
write_le64 (guint8  *p,
            guint64  value)
{
  for (int i = 0; i < 8; i++)
    p[i] = (value >> (8 * i)) & 0xff;
}

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
static void
payload_set_text (ShmlabPayload *self,
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
  payload_set_text (self, text, length);
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

static gboolean
set_field_missing (const ShmlabFrameField  *field,
                   gsize                    length,
                   GError                 **error)
{
  g_set_error (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_MALFORMED,
               _("frame field “%s” (bytes %u to %u) lies past the end of the %zu"
               "-byte segment: the segment is too small for a frame header, or damaged"),
               field->name, field->offset, field->offset + field->size - 1, length);
  return FALSE;
}

/* Image dimensions: the first wrong one of width, height and stride. */
static gboolean
check_image_dimensions (const ShmlabFrameHeader  *header,
                        GError                  **error)
{
  const char *sides[] = { "width", "height" };
  guint32 values[] = { header->width, header->height };

  for (guint i = 0; i < G_N_ELEMENTS (sides); i++)
    {
      if (values[i] == 0)
        {
          g_set_error (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_MALFORMED,
                       _("frame field “%s” is 0 but an image frame is at least 1 pixel on each "
                       "side: the segment was not written by a ShmLab writer, or is damaged"),
                       sides[i]);
          return FALSE;
        }
      if (values[i] > SHMLAB_IMAGE_MAX_DIMENSION)
        {
          g_set_error (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_MALFORMED,
                       _("frame field “%s” is %u pixels but images are limited to %d pixels a "
                       "side: the segment was not written by a ShmLab writer, or is damaged"),
                       sides[i], values[i], SHMLAB_IMAGE_MAX_DIMENSION);
          return FALSE;
        }
    }

  /* width ≤ 16384, so a row of pixels fits in 32 bits. */
  if (header->stride < header->width * 4)
    {
      g_set_error (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_MALFORMED,
                   _("frame field “stride” is %u but a row of %u pixels needs %u bytes: the "
                   "segment was not written by a ShmLab writer, or is damaged"),
                   header->stride, header->width, header->width * 4);
      return FALSE;
    }

  return TRUE;
}

/* Text frames carry no dimensions: each of width, height and stride is 0. */
static gboolean
check_text_dimensions (const ShmlabFrameHeader  *header,
                       GError                  **error)
{
  const char *names[] = { "width", "height", "stride" };
  guint32 values[] = { header->width, header->height, header->stride };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (values[i] != 0)
      {
        g_set_error (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_MALFORMED,
                     _("frame field “%s” is %u but a text frame has 0 there: the segment was "
                     "not written by a ShmLab writer, or is damaged"),
                     names[i], values[i]);
        return FALSE;
      }
  return TRUE;
}

/**
 * shmlab_frame_header_parse:
 * @bytes: (array length=length): the segment's bytes, never trusted
 * @length: how many bytes there are
 * @header: (out): the header
 * @error: a #GError in SHMLAB_PAYLOAD_ERROR (MALFORMED)
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
  guint64 row_bytes, needed;

  g_return_val_if_fail (bytes != NULL || length == 0, FALSE);

#define FITS(id) (f[id].offset + f[id].size <= length)
  if (FITS (FIELD_VERSION))
    h.version = read_le16 (bytes + f[FIELD_VERSION].offset);
  if (FITS (FIELD_HEADER_SIZE))
    h.header_size = read_le16 (bytes + f[FIELD_HEADER_SIZE].offset);
  if (FITS (FIELD_KIND))
    h.kind = read_le32 (bytes + f[FIELD_KIND].offset);
  if (FITS (FIELD_WIDTH))
    h.width = read_le32 (bytes + f[FIELD_WIDTH].offset);
  if (FITS (FIELD_HEIGHT))
    h.height = read_le32 (bytes + f[FIELD_HEIGHT].offset);
  if (FITS (FIELD_STRIDE))
    h.stride = read_le32 (bytes + f[FIELD_STRIDE].offset);
  if (FITS (FIELD_CRC32))
    h.crc32 = read_le32 (bytes + f[FIELD_CRC32].offset);
  if (FITS (FIELD_PAYLOAD_LENGTH))
    h.payload_length = read_le64 (bytes + f[FIELD_PAYLOAD_LENGTH].offset);
  if (FITS (FIELD_GENERATION))
    h.generation = read_le64 (bytes + f[FIELD_GENERATION].offset);
  if (FITS (FIELD_WRITE_TIME))
    h.write_time = (gint64) read_le64 (bytes + f[FIELD_WRITE_TIME].offset);
  if (FITS (FIELD_WRITER_PID))
    h.writer_pid = read_le32 (bytes + f[FIELD_WRITER_PID].offset);
  if (FITS (FIELD_LOCK_HOLDER))
    h.lock_holder = read_le32 (bytes + f[FIELD_LOCK_HOLDER].offset);
  if (header)
    *header = h;

  if (!FITS (FIELD_MAGIC))
    return set_field_missing (&f[FIELD_MAGIC], length, error);
  if (memcmp (bytes, SHMLAB_FRAME_MAGIC, f[FIELD_MAGIC].size) != 0)
    {
      g_autoptr(GString) found = g_string_new (NULL);

      for (guint i = 0; i < f[FIELD_MAGIC].size; i++)
        g_string_append_printf (found, i ? " %02x" : "%02x", bytes[i]);
      g_set_error (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_MALFORMED,
                   _("frame field “magic” is %s but a ShmLab frame starts with “%s” "
                   "(53 48 4d 4c 41 42 46 52): the segment does not hold a ShmLab frame"),
                   found->str, SHMLAB_FRAME_MAGIC);
      return FALSE;
    }

  if (!FITS (FIELD_VERSION))
    return set_field_missing (&f[FIELD_VERSION], length, error);
  if (h.version != SHMLAB_FRAME_VERSION)
    {
      g_set_error (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_MALFORMED,
                   _("frame field “version” is %u but this ShmLab reads version %d: the segment "
                   "was written by another ShmLab version, or is damaged"),
                   h.version, SHMLAB_FRAME_VERSION);
      return FALSE;
    }

  if (!FITS (FIELD_HEADER_SIZE))
    return set_field_missing (&f[FIELD_HEADER_SIZE], length, error);
  if (h.header_size < SHMLAB_FRAME_HEADER_SIZE)
    {
      g_set_error (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_MALFORMED,
                   _("frame field “header_size” is %u but a version %d header is %d bytes: the "
                   "segment was not written by a ShmLab writer, or is damaged"),
                   h.header_size, SHMLAB_FRAME_VERSION, SHMLAB_FRAME_HEADER_SIZE);
      return FALSE;
    }
  if (h.header_size > length)
    {
      g_set_error (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_MALFORMED,
                   _("frame field “header_size” says %u bytes but the segment holds only"
                   " %zu: the segment is too small for the frame, or damaged"),
                   h.header_size, length);
      return FALSE;
    }
#undef FITS
  /* From here on the whole fixed header lies within the bytes. */
  available = length - h.header_size;

  if (h.kind != SHMLAB_PAYLOAD_KIND_TEXT && h.kind != SHMLAB_PAYLOAD_KIND_IMAGE)
    {
      g_set_error (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_MALFORMED,
                   _("frame field “kind” is %u but ShmLab knows only %d (text) and %d (RGBA8 "
                   "image): the segment was written by another ShmLab version, or is damaged"),
                   h.kind, SHMLAB_PAYLOAD_KIND_TEXT, SHMLAB_PAYLOAD_KIND_IMAGE);
      return FALSE;
    }

  if (h.kind == SHMLAB_PAYLOAD_KIND_TEXT && !check_text_dimensions (&h, error))
    return FALSE;
  if (h.kind == SHMLAB_PAYLOAD_KIND_IMAGE && !check_image_dimensions (&h, error))
    return FALSE;

  if (h.payload_length > available)
    {
      g_set_error (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_MALFORMED,
                   _("frame field “payload_length” says %" PRIu64 " bytes but only"
                   " %zu follow the header: the segment is too small for the frame, "
                   "or damaged"),
                   h.payload_length, available);
      return FALSE;
    }

  if (h.kind == SHMLAB_PAYLOAD_KIND_IMAGE)
    {
      /* The last row needs only its pixels, not a whole stride. */
      row_bytes = (guint64) h.width * 4;
      if (!g_uint64_checked_mul (&needed, h.stride, (guint64) h.height - 1) ||
          !g_uint64_checked_add (&needed, needed, row_bytes) ||
          h.payload_length < needed)
        {
          g_set_error (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_MALFORMED,
                       _("frame field “payload_length” is %" PRIu64 " bytes but an "
                       "image of %u × %u pixels with rows %u bytes apart needs %"
                       PRIu64 ": the segment was not written by a ShmLab writer, "
                       "or is damaged"),
                       h.payload_length, h.width, h.height, h.stride, needed);
          return FALSE;
        }
    }

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

/* The frame slots of a segment whose headers hold, newest first. */
typedef struct
{
  guint n;
  gsize offset[2];
  ShmlabFrameHeader header[2];
} FrameSlots;

static gsize
slot_extent (const ShmlabFrameHeader *header)
{
  /* parse checked that both lie within the segment. */
  return header->header_size + (gsize) header->payload_length;
}

/* The second slot counts only when the first slot's frame (if any) ends
 * before it: otherwise its bytes are the first frame's payload. */
static void
find_slots (const guint8 *bytes,
            gsize         length,
            FrameSlots   *slots)
{
  gsize second = shmlab_frame_second_slot (length);
  gboolean first_ok;

  slots->n = 0;
  first_ok = shmlab_frame_header_parse (bytes, length, &slots->header[0], NULL);
  if (first_ok)
    slots->offset[slots->n++] = 0;
  if (second != 0 && (!first_ok || slot_extent (&slots->header[0]) <= second) &&
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
  FrameSlots slots;

  if (bytes == NULL)
    return 0;
  find_slots (bytes, length, &slots);
  return slots.n > 0 ? slots.header[0].generation : 0;
}

/**
 * shmlab_frame_lock_holder:
 * @bytes: (array length=length): the mapped segment
 *
 * The lock_holder field of the segment's first slot, for atomic access, or
 * %NULL when the segment does not start with a frame.
 *
 * Returns: (nullable): the field, a little-endian pid
 */
guint32 *
shmlab_frame_lock_holder (guint8 *bytes,
                          gsize   length)
{
  const ShmlabFrameField *f = &frame_fields[FIELD_LOCK_HOLDER];

  if (bytes == NULL || length < SHMLAB_FRAME_HEADER_SIZE ||
      memcmp (bytes, SHMLAB_FRAME_MAGIC, frame_fields[FIELD_MAGIC].size) != 0 ||
      ((guintptr) (bytes + f->offset) % sizeof (guint32)) != 0)
    return NULL;
  return (guint32 *) (gpointer) (bytes + f->offset);
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
  crc = crc32_of (payload, (gsize) self->header.payload_length);
  if (crc != self->header.crc32)
    {
      g_set_error (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_CHECKSUM,
                   _("frame field “crc32” is 0x%08x but the %" PRIu64 "-byte payload "
                   "has CRC-32 0x%08x: the payload changed after it was written (a write "
                   "without the lock?), or the segment is damaged"),
                   self->header.crc32, self->header.payload_length, crc);
      return NULL;
    }

  self->kind = self->header.kind;
  self->encoded_length = self->header.header_size + (gsize) self->header.payload_length;

  if (self->kind == SHMLAB_PAYLOAD_KIND_TEXT)
    {
      payload_set_text (self, (const char *) payload, (gsize) self->header.payload_length);
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
decode_frames (const guint8  *bytes,
               gsize          length,
               GBytes        *owner,
               GError       **error)
{
  g_autoptr(GError) newest_error = NULL;
  g_autoptr(GError) first_error = NULL;
  FrameSlots slots;
  ShmlabFrameHeader first;
  ShmlabPayload *self = NULL;
  guint chosen;

  find_slots (bytes, length, &slots);
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

static ShmlabPayload *
decode_qt_image (const guint8  *bytes,
                 gsize          length,
                 GError       **error)
{
  g_autoptr(ShmlabPayload) self = g_new0 (ShmlabPayload, 1);
  g_autoptr(GError) local_error = NULL;
  ShmlabPngLimits limits;
  gsize consumed = 0;

  shmlab_png_limits_init_default (&limits);
  self->format = SHMLAB_FORMAT_QT_IMAGE;
  self->kind = SHMLAB_PAYLOAD_KIND_IMAGE;
  self->image = shmlab_png_read (bytes + QT_IMAGE_MARKER_SIZE, length - QT_IMAGE_MARKER_SIZE,
                                 &limits, &consumed, &local_error);
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
  self->encoded_length = QT_IMAGE_MARKER_SIZE + MIN (consumed,
                                                     length - QT_IMAGE_MARKER_SIZE);
  return g_steal_pointer (&self);
}

static gboolean
is_all_zero (const guint8 *bytes,
             gsize         length)
{
  for (gsize i = 0; i < length; i++)
    if (bytes[i] != 0)
      return FALSE;
  return TRUE;
}

static ShmlabPayload *
decode (const guint8  *bytes,
        gsize          length,
        GBytes        *owner,
        GError       **error)
{
  ShmlabPayload *self;
  const guint8 *nul;
  gsize text_length;

  g_return_val_if_fail (bytes != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* "SHMLAB" and two more bytes is a frame, or a damaged one: never text. */
  if (length >= strlen (SHMLAB_FRAME_MAGIC) && memcmp (bytes, SHMLAB_FRAME_MAGIC, 6) == 0)
    return decode_frames (bytes, length, owner, error);

  if (length >= QT_IMAGE_MARKER_SIZE && bytes[0] == 0 && bytes[1] == 0 && bytes[2] == 0 &&
      bytes[3] == 1 &&
      !shmlab_png_has_signature (bytes + QT_IMAGE_MARKER_SIZE, length - QT_IMAGE_MARKER_SIZE))
    {
      g_set_error (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_MALFORMED,
                   _("the segment starts with 00 00 00 01, the Qt example's image marker, but "
                   "no PNG file follows it: the image was cut off, or the segment holds "
                   "something else"));
      return NULL;
    }
  if (length >= QT_IMAGE_MARKER_SIZE + PNG_SIGNATURE_SIZE && bytes[0] == 0 && bytes[1] == 0 &&
      bytes[2] == 0 && bytes[3] > 1 &&
      shmlab_png_has_signature (bytes + QT_IMAGE_MARKER_SIZE, length - QT_IMAGE_MARKER_SIZE))
    {
      g_set_error (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_MALFORMED,
                   _("the segment holds a PNG file after the marker 00 00 00 %02x, but the Qt "
                   "example's marker is 00 00 00 01: it was written by another program, or "
                   "is damaged"),
                   bytes[3]);
      return NULL;
    }

  if (length >= QT_IMAGE_MARKER_SIZE + PNG_SIGNATURE_SIZE &&
      memcmp (bytes, qt_image_marker, QT_IMAGE_MARKER_SIZE) == 0 &&
      shmlab_png_has_signature (bytes + QT_IMAGE_MARKER_SIZE, length - QT_IMAGE_MARKER_SIZE))
    return decode_qt_image (bytes, length, error);

  if (length >= QT_IMAGE_MARKER_SIZE &&
      memcmp (bytes, qt_null_image_marker, QT_IMAGE_MARKER_SIZE) == 0 &&
      !is_all_zero (bytes + QT_IMAGE_MARKER_SIZE, length - QT_IMAGE_MARKER_SIZE))
    {
      g_set_error (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_MALFORMED,
                   _("the segment starts with 00 00 00 00, the Qt example's mark of a null "
                   "image, but more data follows: the Qt writer sent an empty image, or the "
                   "segment holds neither text nor an image"));
      return NULL;
    }

  nul = length > 0 ? memchr (bytes, '\0', length) : NULL;
  text_length = nul ? (gsize) (nul - bytes) : length;

  self = g_new0 (ShmlabPayload, 1);
  self->format = SHMLAB_FORMAT_TEXT;
  payload_set_text (self, (const char *) bytes, text_length);
  self->encoded_length = nul ? text_length + 1 : length;
  return self;
}

/**
 * shmlab_payload_decode:
 * @bytes: (array length=length): a private copy of the segment, never trusted
 * @length: how many bytes there are
 * @error: a #GError in SHMLAB_PAYLOAD_ERROR, or in SHMLAB_IMAGE_ERROR for the
 *   PNG of a Qt example image (its message then starts "Qt example image: ")
 *
 * Finds what the segment holds, checked in this order:
 *
 * - bytes starting "SHMLABFR" are a ShmLab frame, and are rejected if it is
 *   not valid (never read as text);
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
 * shmlab_format_to_string:
 *
 * The name of @format on the command line: "auto", "text", "qt-image" or
 * "frame".
 */
const char *
shmlab_format_to_string (ShmlabFormat format)
{
  switch (format)
    {
    case SHMLAB_FORMAT_AUTO: return "auto";
    case SHMLAB_FORMAT_TEXT: return "text";
    case SHMLAB_FORMAT_QT_IMAGE: return "qt-image";
    case SHMLAB_FORMAT_FRAME: return "frame";
    default: return "unknown";
    }
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
  static const ShmlabFormat all[] = {
    SHMLAB_FORMAT_AUTO, SHMLAB_FORMAT_TEXT, SHMLAB_FORMAT_QT_IMAGE, SHMLAB_FORMAT_FRAME,
  };

  for (guint i = 0; string != NULL && i < G_N_ELEMENTS (all); i++)
    if (g_ascii_strcasecmp (string, shmlab_format_to_string (all[i])) == 0)
      {
        *format = all[i];
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
  switch (format)
    {
    case SHMLAB_FORMAT_AUTO: return _("automatic (text as plain text, images as a ShmLab frame)");
    case SHMLAB_FORMAT_TEXT: return _("plain text (Qt demo)");
    case SHMLAB_FORMAT_QT_IMAGE: return _("Qt example image (PNG stream)");
    case SHMLAB_FORMAT_FRAME: return _("ShmLab frame");
    default: return _("unknown format");
    }
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
  g_autoptr(GError) local_error = NULL;
  gboolean is_text;

  g_return_val_if_fail (payload != NULL, NULL);
  g_return_val_if_fail (payload->kind == SHMLAB_PAYLOAD_KIND_TEXT ||
                        payload->kind == SHMLAB_PAYLOAD_KIND_IMAGE, NULL);
  g_return_val_if_fail (payload->kind != SHMLAB_PAYLOAD_KIND_IMAGE || payload->image != NULL,
                        NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  is_text = payload->kind == SHMLAB_PAYLOAD_KIND_TEXT;
  if (format == SHMLAB_FORMAT_AUTO)
    format = is_text ? SHMLAB_FORMAT_TEXT : SHMLAB_FORMAT_FRAME;

  if (format == SHMLAB_FORMAT_TEXT && !is_text)
    {
      g_set_error (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_UNSUPPORTED,
                   _("an image cannot be written as plain text: pick the frame or qt-image "
                   "format"));
      return NULL;
    }
  if (format == SHMLAB_FORMAT_QT_IMAGE && is_text)
    {
      g_set_error (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_UNSUPPORTED,
                   _("text cannot be written as a Qt example image, which holds only a "
                   "picture: pick the text or frame format"));
      return NULL;
    }
  if (format != SHMLAB_FORMAT_TEXT && format != SHMLAB_FORMAT_QT_IMAGE &&
      format != SHMLAB_FORMAT_FRAME)
    {
      g_set_error (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_UNSUPPORTED,
                   _("format %d is unknown: pick text, qt-image or frame"), (int) format);
      return NULL;
    }

  self = g_new0 (ShmlabEncoded, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->format = format;
  self->kind = payload->kind;

  if (is_text)
    {
      const char *text = payload->text ? payload->text : "";
      gsize text_length = payload->text ? payload->text_length : 0;

      /* A cut must land on a character boundary, so the text must be UTF-8 with no NUL. */
      if (g_utf8_validate (text, text_length, NULL))
        self->data = g_bytes_new (text, text_length);
      else
        {
          char *valid = g_utf8_make_valid (text, text_length);
          self->data = g_bytes_new_take (valid, strlen (valid));
        }
    }
  else if (format == SHMLAB_FORMAT_QT_IMAGE)
    {
      self->data = shmlab_png_write (payload->image, &local_error);
      if (self->data == NULL)
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                      _("Qt example image: "));
          return NULL;
        }
    }
  else
    {
      self->data = image_tight_bytes (payload->image, error);
      if (self->data == NULL)
        return NULL;
      self->width = payload->image->width;
      self->height = payload->image->height;
      self->stride = self->width * 4;
    }

  if (format == SHMLAB_FORMAT_FRAME)
    self->crc32 = crc32_of (g_bytes_get_data (self->data, NULL), g_bytes_get_size (self->data));

  return g_steal_pointer (&self);
}

ShmlabFormat
shmlab_encoded_get_format (const ShmlabEncoded *self)
{
  return self->format;
}

/* Bytes before the data: the frame header, the Qt marker, or none for text. */
static gsize
encoded_prefix_size (const ShmlabEncoded *self)
{
  switch (self->format)
    {
    case SHMLAB_FORMAT_FRAME: return SHMLAB_FRAME_HEADER_SIZE;
    case SHMLAB_FORMAT_QT_IMAGE: return QT_IMAGE_MARKER_SIZE;
    default: return 0;
    }
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
  gsize size = encoded_prefix_size (self) + g_bytes_get_size (self->data);

  return self->format == SHMLAB_FORMAT_TEXT ? size + 1 : size;
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

/* Where a frame of @size bytes goes: the slot not holding the newest frame
 * when both can hold it, else the first slot. */
static gsize
frame_slot_for_write (const guint8 *dest,
                      gsize         dest_size,
                      gsize         size)
{
  gsize second = shmlab_frame_second_slot (dest_size);
  FrameSlots slots;

  if (second == 0 || size > second)
    return 0;
  find_slots (dest, dest_size, &slots);
  if (slots.n == 0 || slots.offset[0] != 0)
    return 0;
  /* A frame in the first slot that reaches into the second keeps it. */
  return slot_extent (&slots.header[0]) <= second ? second : 0;
}

/* The generation goes last: until it is written the slot is older than the
 * other one, so a writer stopped halfway leaves the newest frame alone. */
static void
write_frame_header (const ShmlabEncoded *self,
                    guint8              *dest,
                    guint64              payload_length,
                    guint32              crc,
                    guint64              generation,
                    guint32              lock_holder)
{
  const ShmlabFrameField *f = frame_fields;

  memcpy (dest + f[FIELD_MAGIC].offset, SHMLAB_FRAME_MAGIC, f[FIELD_MAGIC].size);
  write_le16 (dest + f[FIELD_VERSION].offset, SHMLAB_FRAME_VERSION);
  write_le16 (dest + f[FIELD_HEADER_SIZE].offset, SHMLAB_FRAME_HEADER_SIZE);
  write_le32 (dest + f[FIELD_KIND].offset, self->kind);
  write_le32 (dest + f[FIELD_WIDTH].offset, self->width);
  write_le32 (dest + f[FIELD_HEIGHT].offset, self->height);
  write_le32 (dest + f[FIELD_STRIDE].offset, self->stride);
  write_le32 (dest + f[FIELD_CRC32].offset, crc);
  write_le64 (dest + f[FIELD_PAYLOAD_LENGTH].offset, payload_length);
  write_le64 (dest + f[FIELD_WRITE_TIME].offset, (guint64) g_get_real_time ());
  write_le32 (dest + f[FIELD_WRITER_PID].offset, (guint32) getpid ());
  write_le32 (dest + f[FIELD_LOCK_HOLDER].offset, lock_holder);
  atomic_thread_fence (memory_order_release);
  write_le64 (dest + f[FIELD_GENERATION].offset, generation);
}

static gboolean
set_too_large (const ShmlabEncoded  *self,
               gsize                 dest_size,
               ShmlabWriteFlags      flags,
               GError              **error)
{
  gsize needed = shmlab_encoded_get_size (self);
  const char *what;
  const char *advice;

  if (self->kind == SHMLAB_PAYLOAD_KIND_IMAGE)
    {
      what = self->format == SHMLAB_FORMAT_QT_IMAGE ? _("the Qt example image")
                                                    : _("the image frame");
      advice = (flags & SHMLAB_WRITE_FLAGS_CUT)
               ? _("images cannot be cut: grow the segment, or scale the image down")
               : _("grow the segment, or scale the image down");
    }
  else
    {
      what = self->format == SHMLAB_FORMAT_FRAME ? _("the text frame") : _("the text");
      if (!(flags & SHMLAB_WRITE_FLAGS_CUT))
        advice = _("grow the segment, or cut the text");
      else if (self->format == SHMLAB_FORMAT_FRAME)
        advice = _("even a cut text needs the 64-byte frame header: grow the segment");
      else
        advice = _("even a cut text needs 1 byte for its NUL: grow the segment");
    }

  g_set_error (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_TOO_LARGE,
               _("%s needs %zu bytes but the segment holds %zu"
               ": %zu %s too many — %s"),
               what, needed, dest_size, needed - dest_size,
               needed - dest_size == 1 ? _("byte") : _("bytes"), advice);
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
  gsize prefix = encoded_prefix_size (self);
  gsize data_length;
  const guint8 *data = g_bytes_get_data (self->data, &data_length);
  gsize keep = data_length;
  guint32 crc = self->crc32;

  g_return_val_if_fail (dest != NULL || dest_size == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (written)
    *written = 0;

  if (shmlab_encoded_get_size (self) > dest_size)
    {
      gsize room;

      if (!(flags & SHMLAB_WRITE_FLAGS_CUT) || self->kind != SHMLAB_PAYLOAD_KIND_TEXT)
        return set_too_large (self, dest_size, flags, error);
      /* Room for the header (frame) or the NUL (plain text), then some text. */
      room = prefix + (self->format == SHMLAB_FORMAT_TEXT ? 1 : 0);
      if (dest_size < room)
        return set_too_large (self, dest_size, flags, error);
      keep = utf8_cut_length (data, data_length, dest_size - room);
      if (self->format == SHMLAB_FORMAT_FRAME)
        crc = crc32_of (data, keep);
    }

  switch (self->format)
    {
    case SHMLAB_FORMAT_FRAME:
      {
        gsize slot = frame_slot_for_write (dest, dest_size, prefix + keep);

        gsize second = shmlab_frame_second_slot (dest_size);

        /* Generation 0 means "no frame": after 2^64 - 1 writes it starts again at 1. */
        if (generation == 0)
          generation = 1;
        /* The payload first, then the header, whose generation makes it count. */
        if (keep > 0)
          memcpy (dest + slot + prefix, data, keep);
        atomic_thread_fence (memory_order_release);
        write_frame_header (self, dest + slot, keep, crc, generation,
                            slot == 0 ? (guint32) getpid () : 0);
        /* Whatever the other slot holds must now count as older: a damaged
         * frame with a larger generation, one that wrapped, or one a longer
         * frame had hidden in its payload. */
        if (second != 0 && (slot == second || prefix + keep <= second))
          {
            gsize other = slot == 0 ? second : 0;
            ShmlabFrameHeader header;

            if (shmlab_frame_header_parse (dest + other, dest_size - other, &header, NULL) &&
                header.generation >= generation)
              write_le64 (dest + other + frame_fields[FIELD_GENERATION].offset, 0);
          }
        if (written)
          *written = prefix + keep;
        return TRUE;
      }
    case SHMLAB_FORMAT_QT_IMAGE:
      memcpy (dest, qt_image_marker, QT_IMAGE_MARKER_SIZE);
      break;
    default:
      break;
    }
  if (keep > 0)
    memcpy (dest + prefix, data, keep);
  if (self->format == SHMLAB_FORMAT_TEXT)
    dest[keep] = '\0';

  if (written)
    *written = prefix + keep + (self->format == SHMLAB_FORMAT_TEXT ? 1 : 0);
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
