/* shmlab-hostile.c — a corpus of crafted segments, each with what a reader of
 * it should be told
 *
 * The frames are laid out here byte by byte, not with the library's encoder,
 * so that the corpus tests the decoder against the format as documented.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-hostile.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "shmlab-payload.h"
#include "shmlab-png.h"

/* The frame header, as shmlab-frame.h documents it. */
#define OFF_VERSION 8
#define OFF_HEADER_SIZE 10
#define OFF_KIND 12
#define OFF_WIDTH 16
#define OFF_HEIGHT 20
#define OFF_STRIDE 24
#define OFF_CRC32 28
#define OFF_PAYLOAD_LENGTH 32
#define OFF_GENERATION 40
#define OFF_WRITE_TIME 48
#define OFF_WRITER_PID 56
#define HEADER_SIZE 64

#define KIND_TEXT 1
#define KIND_IMAGE 2

/* The picture of the image frames: small, so every case stays small. */
#define SIDE 16
#define TIGHT_PAYLOAD (SIDE * SIDE * 4)


static void
put_le16 (guint8  *p,
          guint16  value)
{
  p[0] = value & 0xff;
  p[1] = value >> 8;
}

static void
put_le32 (guint8  *p,
          guint32  value)
{
  for (guint i = 0; i < 4; i++)
    p[i] = (value >> (8 * i)) & 0xff;
}

static void
put_le64 (guint8  *p,
          guint64  value)
{
  for (guint i = 0; i < 8; i++)
    p[i] = (value >> (8 * i)) & 0xff;
}

static void
put_be32 (guint8  *p,
          guint32  value)
{
  for (guint i = 0; i < 4; i++)
    p[i] = (value >> (8 * (3 - i))) & 0xff;
}

/**
 * shmlab_hostile_crc32:
 *
 * The CRC-32 of ISO 3309 (as zlib's crc32()), bit by bit: slow, and
 * independent of the code under test.
 */
guint32
shmlab_hostile_crc32 (const guint8 *data,
                      gsize         length)
{
  guint32 crc = 0xffffffff;

  for (gsize i = 0; i < length; i++)
    {
      crc ^= data[i];
      for (guint bit = 0; bit < 8; bit++)
        crc = (crc >> 1) ^ (0xedb88320 & (0u - (crc & 1)));
    }
  return crc ^ 0xffffffff;
}

/* A valid frame around @payload, as a writer lays it out. */
static GByteArray *
frame_new (guint32       kind,
           guint32       width,
           guint32       height,
           guint32       stride,
           const guint8 *payload,
           gsize         length)
{
  GByteArray *frame = g_byte_array_sized_new (HEADER_SIZE + length);
  guint8 header[HEADER_SIZE] = { 0 };

  memcpy (header, "SHMLABFR", 8);
  put_le16 (header + OFF_VERSION, 1);
  put_le16 (header + OFF_HEADER_SIZE, HEADER_SIZE);
  put_le32 (header + OFF_KIND, kind);
  put_le32 (header + OFF_WIDTH, width);
  put_le32 (header + OFF_HEIGHT, height);
  put_le32 (header + OFF_STRIDE, stride);
  put_le32 (header + OFF_CRC32, shmlab_hostile_crc32 (payload, length));
  put_le64 (header + OFF_PAYLOAD_LENGTH, length);
  put_le64 (header + OFF_GENERATION, 1);
  put_le64 (header + OFF_WRITE_TIME, G_GUINT64_CONSTANT (1700000000000000));
  put_le32 (header + OFF_WRITER_PID, 4242);
  g_byte_array_append (frame, header, HEADER_SIZE);
  if (length > 0)
    g_byte_array_append (frame, payload, (guint) length);
  return frame;
}

static GByteArray *
text_frame_new (const char *text,
                gsize       length)
{
  return frame_new (KIND_TEXT, 0, 0, 0, (const guint8 *) text, length);
}

/**
 * shmlab_hostile_text_frame:
 * @text: the payload, not necessarily valid UTF-8
 * @length: its bytes
 *
 * A valid text frame, as a writer lays it out.
 */
GBytes *
shmlab_hostile_text_frame (const char *text,
                           gsize       length)
{
  return g_byte_array_free_to_bytes (text_frame_new (text, length));
}

/* Opaque, a different colour in every pixel: a shifted row or channel shows. */
static ShmlabImage *
picture_new (void)
{
  ShmlabImage *image = shmlab_image_new (SIDE, SIDE, NULL);

  g_assert (image != NULL);
  for (guint32 y = 0; y < SIDE; y++)
    for (guint32 x = 0; x < SIDE; x++)
      {
        guint8 *p = image->pixels + (gsize) y * image->stride + (gsize) x * 4;
        p[0] = x * 16;
        p[1] = y * 16;
        p[2] = (x * 7 + y * 13) & 0xff;
        p[3] = 255;
      }
  return image;
}

/* The picture's rows @stride bytes apart, padding as noise; the last row
 * stops at its pixels when @tight_end. */
static GByteArray *
rows_new (ShmlabImage *image,
          guint32      stride,
          gboolean     tight_end)
{
  gsize length = (gsize) stride * image->height;
  GByteArray *rows;

  if (tight_end)
    length -= stride - (gsize) image->width * 4;
  rows = g_byte_array_sized_new (length);
  g_byte_array_set_size (rows, length);
  memset (rows->data, 0xee, length);
  for (guint32 y = 0; y < image->height; y++)
    memcpy (rows->data + (gsize) y * stride, image->pixels + (gsize) y * image->stride,
            (gsize) image->width * 4);
  return rows;
}

static GByteArray *
image_frame_new (ShmlabImage *image,
                 guint32      stride,
                 gboolean     tight_end)
{
  g_autoptr(GByteArray) rows = rows_new (image, stride, tight_end);

  return frame_new (KIND_IMAGE, image->width, image->height, stride, rows->data, rows->len);
}

/* The 16 × 16 picture as a valid, tightly packed image frame. */
static GByteArray *
tight_image_frame_new (ShmlabImage *image)
{
  return image_frame_new (image, image->width * 4, FALSE);
}

static GByteArray *
bytes_of (const void *data,
          gsize       length)
{
  GByteArray *array = g_byte_array_sized_new (length);

  g_byte_array_append (array, data, (guint) length);
  return array;
}

static GByteArray *
filled (guint8 value,
        gsize  length)
{
  GByteArray *array = g_byte_array_sized_new (length);

  g_byte_array_set_size (array, length);
  memset (array->data, value, length);
  return array;
}

/* The Qt example's stream: a big-endian int32 marker, then @png. */
static GByteArray *
qt_stream_new (guint32       marker,
               const guint8 *png,
               gsize         length)
{
  GByteArray *stream = g_byte_array_sized_new (4 + length);
  guint8 head[4];

  put_be32 (head, marker);
  g_byte_array_append (stream, head, 4);
  g_byte_array_append (stream, png, (guint) length);
  return stream;
}

static void
append_png_chunk (GByteArray   *png,
                  const char   *type,
                  const guint8 *data,
                  guint32       length)
{
  g_autoptr(GByteArray) typed = bytes_of (type, 4);
  guint8 be[4];

  put_be32 (be, length);
  g_byte_array_append (png, be, 4);
  if (length > 0)
    g_byte_array_append (typed, data, length);
  g_byte_array_append (png, typed->data, typed->len);
  put_be32 (be, shmlab_hostile_crc32 (typed->data, typed->len));
  g_byte_array_append (png, be, 4);
}

/* A PNG whose IHDR (with a valid CRC) claims @width × @height RGBA8 pixels;
 * @idat: (nullable): the one IDAT chunk's data. */
static GByteArray *
png_claiming (guint32       width,
              guint32       height,
              const guint8 *idat,
              guint32       idat_length)
{
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  GByteArray *png = bytes_of (signature, sizeof signature);
  guint8 ihdr[13] = { 0 };

  put_be32 (ihdr, width);
  put_be32 (ihdr + 4, height);
  ihdr[8] = 8;  /* bits per sample */
  ihdr[9] = 6;  /* RGBA */
  append_png_chunk (png, "IHDR", ihdr, sizeof ihdr);
  if (idat != NULL)
    append_png_chunk (png, "IDAT", idat, idat_length);
  append_png_chunk (png, "IEND", NULL, 0);
  return png;
}

static ShmlabHostileCase *
add_case (GPtrArray            *corpus,
          const char           *name,
          GByteArray           *bytes,
          ShmlabHostileOutcome  outcome,
          const char           *first_fragment,
          ...)
{
  ShmlabHostileCase *self = g_new0 (ShmlabHostileCase, 1);
  g_autoptr(GStrvBuilder) fragments = g_strv_builder_new ();
  va_list ap;

  self->name = g_strdup (name);
  self->bytes = g_byte_array_free_to_bytes (bytes);
  self->outcome = outcome;
  va_start (ap, first_fragment);
  for (const char *f = first_fragment; f != NULL; f = va_arg (ap, const char *))
    g_strv_builder_add (fragments, f);
  va_end (ap);
  self->fragments = g_strv_builder_end (fragments);
  g_ptr_array_add (corpus, self);
  return self;
}

/* Segments that are not frames, or barely. */
static void
add_small_cases (GPtrArray *corpus)
{
  static const char plain[] = "plain text, no NUL at its end";
  static const char control[] = "bell\a, then \x1b[31mred";
  g_autoptr(GByteArray) valid = text_frame_new ("hello, world", 12);
  ShmlabHostileCase *c;

  c = add_case (corpus, "one-byte-ff", filled (0xff, 1), SHMLAB_HOSTILE_WARNED,
                "1 byte", "not valid", NULL);
  c->text = g_strdup ("\xef\xbf\xbd");
  c = add_case (corpus, "one-byte-nul", filled (0, 1), SHMLAB_HOSTILE_WARNED, "empty text", NULL);
  c->text = g_strdup ("");
  add_case (corpus, "magic-only", bytes_of ("SHMLABFR", 8), SHMLAB_HOSTILE_REFUSED,
            "“version” (bytes 8 to 9)", "8-byte segment", NULL);
  add_case (corpus, "header-cut-short", bytes_of (valid->data, 40), SHMLAB_HOSTILE_REFUSED,
            "“header_size” says 64 bytes", "only 40", NULL);
  c = add_case (corpus, "plain-text-no-nul", bytes_of (plain, strlen (plain)),
                SHMLAB_HOSTILE_TEXT, NULL);
  c->text = g_strdup (plain);
  /* A bell and a terminal escape, then the NUL that ends a text. */
  c = add_case (corpus, "control-characters", bytes_of (control, sizeof control),
                SHMLAB_HOSTILE_WARNED, "2 bytes", "not valid", NULL);
  c->text = g_strdup (control);
  c = add_case (corpus, "all-ff", filled (0xff, 64), SHMLAB_HOSTILE_WARNED,
                "64 bytes", "not valid", NULL);
  {
    GString *replacements = g_string_new (NULL);
    for (guint i = 0; i < 64; i++)
      g_string_append (replacements, "\xef\xbf\xbd");
    c->text = g_string_free (replacements, FALSE);
  }
  c = add_case (corpus, "all-zero", filled (0, 64), SHMLAB_HOSTILE_WARNED, "empty text", NULL);
  c->text = g_strdup ("");
}

/* Each field of the header wrong, in a text frame "hello, world". */
static void
add_header_cases (GPtrArray *corpus)
{
  const char *text = "hello, world";
  guint32 crc = shmlab_hostile_crc32 ((const guint8 *) text, 12);
  g_autofree char *crc_text = g_strdup_printf ("“crc32” is 0x%08x", crc);
  g_autofree char *zeros_crc = NULL;
  GByteArray *f;
  ShmlabHostileCase *c;

  f = text_frame_new (text, 12);
  f->data[7] = 'X';
  c = add_case (corpus, "magic-near-miss", f, SHMLAB_HOSTILE_REFUSED,
                "“magic” is 53 48 4d 4c 41 42 46 58", NULL);

  f = text_frame_new (text, 12);
  put_le16 (f->data + OFF_VERSION, 2);
  add_case (corpus, "version-2", f, SHMLAB_HOSTILE_REFUSED, "“version” is 2", NULL);
  f = text_frame_new (text, 12);
  put_le16 (f->data + OFF_VERSION, 0xffff);
  add_case (corpus, "version-65535", f, SHMLAB_HOSTILE_REFUSED, "“version” is 65535", NULL);

  f = text_frame_new (text, 12);
  put_le16 (f->data + OFF_HEADER_SIZE, 0);
  add_case (corpus, "header-size-0", f, SHMLAB_HOSTILE_REFUSED, "“header_size” is 0",
            "64 bytes", NULL);
  f = text_frame_new (text, 12);
  put_le16 (f->data + OFF_HEADER_SIZE, 63);
  add_case (corpus, "header-size-63", f, SHMLAB_HOSTILE_REFUSED, "“header_size” is 63",
            "64 bytes", NULL);
  f = text_frame_new (text, 12);
  put_le16 (f->data + OFF_HEADER_SIZE, 0xffff);
  add_case (corpus, "header-size-65535", f, SHMLAB_HOSTILE_REFUSED,
            "“header_size” says 65535 bytes", "only 76", NULL);
  f = text_frame_new (text, 12);
  put_le16 (f->data + OFF_HEADER_SIZE, 77);
  add_case (corpus, "header-size-past-end", f, SHMLAB_HOSTILE_REFUSED,
            "“header_size” says 77 bytes", "only 76", NULL);
  /* Larger than the header written, yet inside the segment: the payload is
   * looked for in the wrong place, and its CRC tells. */
  f = text_frame_new (text, 12);
  put_le16 (f->data + OFF_HEADER_SIZE, 128);
  g_byte_array_set_size (f, 140);
  memset (f->data + 76, 0, 64);
  {
    guint8 zeros[12] = { 0 };
    zeros_crc = g_strdup_printf ("CRC-32 0x%08x", shmlab_hostile_crc32 (zeros, 12));
  }
  add_case (corpus, "header-size-inside", f, SHMLAB_HOSTILE_REFUSED, crc_text, zeros_crc, NULL);

  f = text_frame_new (text, 12);
  put_le32 (f->data + OFF_KIND, 0);
  add_case (corpus, "kind-0", f, SHMLAB_HOSTILE_REFUSED, "“kind” is 0", NULL);
  f = text_frame_new (text, 12);
  put_le32 (f->data + OFF_KIND, 3);
  add_case (corpus, "kind-3", f, SHMLAB_HOSTILE_REFUSED, "“kind” is 3", NULL);
  f = text_frame_new (text, 12);
  put_le32 (f->data + OFF_KIND, G_MAXUINT32);
  add_case (corpus, "kind-max", f, SHMLAB_HOSTILE_REFUSED, "“kind” is 4294967295", NULL);

  f = text_frame_new (text, 12);
  put_le32 (f->data + OFF_WIDTH, 5);
  add_case (corpus, "text-width-5", f, SHMLAB_HOSTILE_REFUSED, "“width” is 5", "text frame",
            NULL);

  f = text_frame_new (text, 12);
  put_le32 (f->data + OFF_CRC32, 0xdeadbeef);
  {
    g_autofree char *real = g_strdup_printf ("CRC-32 0x%08x", crc);
    add_case (corpus, "text-bad-crc", f, SHMLAB_HOSTILE_REFUSED, "“crc32” is 0xdeadbeef",
              "12-byte payload", real, NULL);
  }

  c = add_case (corpus, "text-invalid-utf8", text_frame_new ("caf\xe9 au lait", 12),
                SHMLAB_HOSTILE_WARNED, "1 byte", "not valid", NULL);
  c->text = g_strdup ("caf\xef\xbf\xbd au lait");
  c = add_case (corpus, "text-with-nul", text_frame_new ("before\0after", 12),
                SHMLAB_HOSTILE_WARNED, "1 byte", "not valid", NULL);
  c->text = g_strdup ("before\xef\xbf\xbd" "after");
}

/* An image frame with one field changed. */
static GByteArray *
image_frame_with (ShmlabImage *image,
                  guint        offset,
                  guint64      value,
                  guint        size)
{
  GByteArray *f = tight_image_frame_new (image);

  if (size == 4)
    put_le32 (f->data + offset, (guint32) value);
  else
    put_le64 (f->data + offset, value);
  return f;
}

static void
add_image_cases (GPtrArray *corpus)
{
  g_autoptr(ShmlabImage) image = picture_new ();
  g_autofree char *needs_max = NULL;
  g_autofree char *needs_2_30 = NULL;
  g_autofree char *orig_crc = NULL;
  ShmlabHostileCase *c;
  GByteArray *f;

  add_case (corpus, "image-width-0", image_frame_with (image, OFF_WIDTH, 0, 4),
            SHMLAB_HOSTILE_REFUSED, "“width” is 0", NULL);
  add_case (corpus, "image-height-0", image_frame_with (image, OFF_HEIGHT, 0, 4),
            SHMLAB_HOSTILE_REFUSED, "“height” is 0", NULL);

  /* width × height × 4 past 32 bits, then past 64 bits. */
  f = image_frame_with (image, OFF_WIDTH, 65536, 4);
  put_le32 (f->data + OFF_HEIGHT, 65536);
  add_case (corpus, "image-65536-squared", f, SHMLAB_HOSTILE_REFUSED,
            "“width” is 65536 pixels", "16384", NULL);
  f = image_frame_with (image, OFF_WIDTH, G_MAXUINT32, 4);
  put_le32 (f->data + OFF_HEIGHT, G_MAXUINT32);
  add_case (corpus, "image-max-squared", f, SHMLAB_HOSTILE_REFUSED,
            "“width” is 4294967295 pixels", NULL);
  /* The largest picture allowed, in a segment of a kilobyte. */
  f = image_frame_with (image, OFF_WIDTH, 16384, 4);
  put_le32 (f->data + OFF_HEIGHT, 16384);
  put_le32 (f->data + OFF_STRIDE, 65536);
  add_case (corpus, "image-largest-in-1k", f, SHMLAB_HOSTILE_REFUSED,
            "“payload_length” is 1024 bytes", "16384 × 16384", "needs 1073741824", NULL);

  add_case (corpus, "stride-63", image_frame_with (image, OFF_STRIDE, 63, 4),
            SHMLAB_HOSTILE_REFUSED, "“stride” is 63", "16 pixels needs 64 bytes", NULL);
  add_case (corpus, "stride-0", image_frame_with (image, OFF_STRIDE, 0, 4),
            SHMLAB_HOSTILE_REFUSED, "“stride” is 0", "16 pixels needs 64 bytes", NULL);
  needs_max = g_strdup_printf ("needs %" PRIu64,
                               (guint64) G_MAXUINT32 * (SIDE - 1) + SIDE * 4);
  add_case (corpus, "stride-max", image_frame_with (image, OFF_STRIDE, G_MAXUINT32, 4),
            SHMLAB_HOSTILE_REFUSED, "“payload_length” is 1024 bytes", "4294967295 bytes apart",
            needs_max, NULL);
  /* stride × height is 2^34: wrong in 32-bit arithmetic. */
  needs_2_30 = g_strdup_printf ("needs %" PRIu64,
                                (guint64) (1u << 30) * (SIDE - 1) + SIDE * 4);
  add_case (corpus, "stride-times-height-past-32-bits",
            image_frame_with (image, OFF_STRIDE, 1u << 30, 4), SHMLAB_HOSTILE_REFUSED,
            "1073741824 bytes apart", needs_2_30, NULL);

  add_case (corpus, "payload-length-past-end",
            image_frame_with (image, OFF_PAYLOAD_LENGTH, TIGHT_PAYLOAD + 1, 8),
            SHMLAB_HOSTILE_REFUSED, "“payload_length” says 1025 bytes", "only 1024 follow", NULL);
  add_case (corpus, "payload-length-max",
            image_frame_with (image, OFF_PAYLOAD_LENGTH, G_MAXUINT64, 8),
            SHMLAB_HOSTILE_REFUSED, "“payload_length” says 18446744073709551615 bytes",
            "only 1024 follow", NULL);
  add_case (corpus, "payload-length-half",
            image_frame_with (image, OFF_PAYLOAD_LENGTH, TIGHT_PAYLOAD / 2, 8),
            SHMLAB_HOSTILE_REFUSED, "“payload_length” is 512 bytes", "16 × 16", "needs 1024",
            NULL);
  add_case (corpus, "payload-length-one-short",
            image_frame_with (image, OFF_PAYLOAD_LENGTH, TIGHT_PAYLOAD - 1, 8),
            SHMLAB_HOSTILE_REFUSED, "“payload_length” is 1023 bytes", "needs 1024", NULL);

  f = tight_image_frame_new (image);
  orig_crc = g_strdup_printf ("“crc32” is 0x%08x", shmlab_hostile_crc32 (f->data + HEADER_SIZE,
                                                                         TIGHT_PAYLOAD));
  f->data[HEADER_SIZE + 100] ^= 0x5a;
  add_case (corpus, "image-bad-crc", f, SHMLAB_HOSTILE_REFUSED, orig_crc, "1024-byte payload",
            NULL);

  /* Valid, if unusual: rows 80 bytes apart and the last one only 64 bytes long. */
  c = add_case (corpus, "image-padded-stride", image_frame_new (image, 80, TRUE),
                SHMLAB_HOSTILE_IMAGE, NULL);
  c->image = shmlab_image_ref (image);
  /* Valid, if unusual: a 65-byte header puts every pixel at an odd address. */
  {
    g_autoptr(GByteArray) tight = tight_image_frame_new (image);
    guint8 zero = 0;

    f = g_byte_array_sized_new (tight->len + 1);
    g_byte_array_append (f, tight->data, HEADER_SIZE);
    g_byte_array_append (f, &zero, 1);
    g_byte_array_append (f, tight->data + HEADER_SIZE, tight->len - HEADER_SIZE);
    put_le16 (f->data + OFF_HEADER_SIZE, HEADER_SIZE + 1);
    c = add_case (corpus, "image-odd-header-size", f, SHMLAB_HOSTILE_IMAGE, NULL);
    c->image = shmlab_image_ref (image);
  }
}

static void
add_qt_cases (GPtrArray *corpus)
{
  g_autoptr(ShmlabImage) image = picture_new ();
  g_autoptr(GBytes) png = shmlab_png_write (image, NULL);
  g_autoptr(GByteArray) huge = png_claiming (100000, 100000, NULL, 0);
  /* A zlib stream of nothing: the rows are missing. */
  static const guint8 empty_zlib[] = { 0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01 };
  g_autoptr(GByteArray) empty = png_claiming (16384, 16384, empty_zlib, sizeof empty_zlib);
  g_autofree char *ends_after = NULL;
  const guint8 *data;
  gsize length, half;

  g_assert (png != NULL);
  data = g_bytes_get_data (png, &length);
  half = length / 2;
  ends_after = g_strdup_printf ("ends after %zu of its bytes", half);

  add_case (corpus, "qt-truncated-png", qt_stream_new (1, data, half), SHMLAB_HOSTILE_REFUSED,
            "Qt example image", ends_after, "truncated", NULL);
  add_case (corpus, "qt-png-100000-squared", qt_stream_new (1, huge->data, huge->len),
            SHMLAB_HOSTILE_REFUSED, "Qt example image", "100000 × 100000", "16384", NULL);
  add_case (corpus, "qt-png-largest-no-rows", qt_stream_new (1, empty->data, empty->len),
                SHMLAB_HOSTILE_REFUSED, "Qt example image", "PNG", NULL);
  add_case (corpus, "qt-bad-marker", qt_stream_new (2, data, length), SHMLAB_HOSTILE_REFUSED,
                "00 00 00 02", NULL);
  add_case (corpus, "qt-marker-without-png",
                qt_stream_new (1, (const guint8 *) "this is no PNG file", 19),
                SHMLAB_HOSTILE_REFUSED, "00 00 00 01", "PNG", NULL);
  add_case (corpus, "qt-null-marker-then-png", qt_stream_new (0, data, length),
            SHMLAB_HOSTILE_REFUSED, "00 00 00 00", "null image", NULL);
}

/* A segment of exactly @bytes' size holding them, kept attached. */
ShmlabSegment *
shmlab_hostile_segment_new (const char    *key,
                            ShmlabBackend  backend,
                            GBytes        *bytes)
{
  g_autoptr(GError) error = NULL;
  ShmlabSegment *segment = shmlab_segment_new (backend);
  gsize length;
  const guint8 *data = g_bytes_get_data (bytes, &length);

  g_assert_true (shmlab_segment_set_key (segment, key, &error));
  g_assert_no_error (error);
  g_assert_true (shmlab_segment_create (segment, length, SHMLAB_ACCESS_READ_WRITE, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (shmlab_segment_get_size (segment), ==, length);
  g_assert_true (shmlab_segment_lock (segment, NULL, &error));
  memcpy (shmlab_segment_get_data (segment), data, length);
  g_assert_true (shmlab_segment_unlock (segment, &error));
  g_assert_no_error (error);
  return segment;
}

/* Detaches, which removes the segment when no one else is attached. */
void
shmlab_hostile_segment_let_go (ShmlabSegment *segment)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (shmlab_segment_detach (segment, &error));
  g_assert_no_error (error);
  g_object_unref (segment);
}

/* No segment, lock or key file is left for @key on either backend. */
void
shmlab_hostile_assert_nothing_left (const char *key)
{
  static const ShmlabBackend backends[] = { SHMLAB_BACKEND_SYSV, SHMLAB_BACKEND_POSIX };
  g_autofree char *segment_file = shmlab_native_key (key, SHMLAB_BACKEND_SYSV,
                                                     SHMLAB_NATIVE_SEGMENT, NULL);
  g_autofree char *semaphore_file = shmlab_native_key (key, SHMLAB_BACKEND_SYSV,
                                                       SHMLAB_NATIVE_SEMAPHORE, NULL);
  g_autofree char *posix_segment = shmlab_native_key (key, SHMLAB_BACKEND_POSIX,
                                                      SHMLAB_NATIVE_SEGMENT, NULL);
  g_autofree char *posix_semaphore = shmlab_native_key (key, SHMLAB_BACKEND_POSIX,
                                                        SHMLAB_NATIVE_SEMAPHORE, NULL);
  /* Linux shows POSIX shared memory and named semaphores in /dev/shm. */
  g_autofree char *posix_segment_file = g_strconcat ("/dev/shm", posix_segment, NULL);
  g_autofree char *posix_semaphore_file = g_strconcat ("/dev/shm/sem.", posix_semaphore + 1, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (backends); i++)
    {
      g_autoptr(GError) error = NULL;
      ShmlabSegmentInfo info;

      g_assert_true (shmlab_segment_query_key (key, backends[i], &info, &error));
      g_assert_no_error (error);
      g_assert_false (info.exists);
    }
  g_assert_false (g_file_test (segment_file, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (semaphore_file, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (posix_segment_file, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (posix_semaphore_file, G_FILE_TEST_EXISTS));
}

/**
 * shmlab_hostile_corpus_new:
 *
 * Every crafted segment, each the exact bytes of a segment (no second frame
 * slot, nothing read from byte 60).
 *
 * Returns: (transfer full) (element-type ShmlabHostileCase): the corpus
 */
GPtrArray *
shmlab_hostile_corpus_new (void)
{
  GPtrArray *corpus = g_ptr_array_new_with_free_func ((GDestroyNotify) shmlab_hostile_case_free);

  add_small_cases (corpus);
  add_header_cases (corpus);
  add_image_cases (corpus);
  add_qt_cases (corpus);
  return corpus;
}

void
shmlab_hostile_case_free (ShmlabHostileCase *self)
{
  if (self == NULL)
    return;
  g_free (self->name);
  g_bytes_unref (self->bytes);
  g_strfreev (self->fragments);
  g_free (self->text);
  g_clear_pointer (&self->image, shmlab_image_unref);
  g_free (self);
}

const char *
shmlab_hostile_outcome_to_string (ShmlabHostileOutcome outcome)
{
  switch (outcome)
    {
    case SHMLAB_HOSTILE_REFUSED: return "refused";
    case SHMLAB_HOSTILE_WARNED: return "text with a warning";
    case SHMLAB_HOSTILE_TEXT: return "text";
    case SHMLAB_HOSTILE_IMAGE: return "image";
    default: return "unknown";
    }
}

/**
 * shmlab_hostile_missing_fragment:
 * @message: (nullable): what a reader said
 *
 * Returns: (transfer full) (nullable): a sentence naming the first fragment
 *   of @self that @message lacks, or %NULL when it has them all
 */
char *
shmlab_hostile_missing_fragment (const ShmlabHostileCase *self,
                                 const char              *message)
{
  for (guint i = 0; self->fragments[i] != NULL; i++)
    if (message == NULL || strstr (message, self->fragments[i]) == NULL)
      return g_strdup_printf ("“%s” is not in the message “%s”", self->fragments[i],
                              message ? message : "(none)");
  return NULL;
}

/**
 * shmlab_hostile_decoded_verdict:
 * @bytes: a whole segment
 * @message: (out) (optional): the decoder's message when it refuses them
 *
 * What the readers' decoder (shmlab_payload_decode_bytes(), as the Reader
 * calls it) makes of @bytes, in the words of shmlab_description_to_string():
 * "FORMAT VERDICT" or "FORMAT damaged PROBLEM FIELD", taken from the
 * payload or from the error's details, never from its message.
 */
char *
shmlab_hostile_decoded_verdict (GBytes  *bytes,
                                char   **message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabPayload) payload = shmlab_payload_decode_bytes (bytes, &error);
  const ShmlabPayloadErrorDetails *details;
  gsize length;
  const guint8 *data = g_bytes_get_data (bytes, &length);
  gboolean all_zero = TRUE;

  if (message)
    *message = NULL;
  if (payload != NULL)
    {
      const char *verdict = "valid";

      for (gsize i = 0; i < length; i++)
        all_zero = all_zero && data[i] == 0;
      if (payload->kind == SHMLAB_PAYLOAD_KIND_TEXT && payload->invalid_bytes > 0)
        verdict = "not-text";
      else if (payload->kind == SHMLAB_PAYLOAD_KIND_TEXT && all_zero)
        verdict = "empty";
      return g_strdup_printf ("%s %s", shmlab_format_to_string (payload->format), verdict);
    }

  if (message)
    *message = g_strdup (error->message);
  details = shmlab_payload_error_get_details (error);
  /* Only the PNG of a Qt example image fails in another domain. */
  if (details == NULL)
    return g_strdup_printf ("%s damaged %s -", shmlab_format_to_string (SHMLAB_FORMAT_QT_IMAGE),
                            shmlab_payload_problem_to_string (SHMLAB_PAYLOAD_PROBLEM_DAMAGED));
  return g_strdup_printf ("%s damaged %s %s%s", shmlab_format_to_string (details->format),
                          shmlab_payload_problem_to_string (details->problem),
                          details->field_name ? details->field_name : "-",
                          details->field_name && details->slot != 0 ? " (2)" : "");
}
