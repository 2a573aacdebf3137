/* test-payload.c — the three segment formats: round trips, detection, the
 * Qt example's bytes, hostile frame headers, cutting and generations
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <zlib.h>

#include "shmlab-error.h"
#include "shmlab-payload.h"
#include "shmlab-png.h"
#include "shmlab-test-util.h"

static const guint8 png_signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

/* Decodes from an exactly sized heap copy, so a read past the end is caught
 * by AddressSanitizer or valgrind. */
static ShmlabPayload *
decode_exact (const guint8  *bytes,
              gsize          length,
              GError       **error)
{
  g_autofree guint8 *copy = g_memdup2 (bytes, length);

  return shmlab_payload_decode (copy, length, error);
}

static gboolean
parse_exact (const guint8       *bytes,
             gsize               length,
             ShmlabFrameHeader  *header,
             GError            **error)
{
  g_autofree guint8 *copy = g_memdup2 (bytes, length);

  return shmlab_frame_header_parse (copy, length, header, error);
}

/* Encodes and writes into a buffer of exactly the needed size. */
static GByteArray *
encode_to_bytes (const ShmlabPayload *payload,
                 ShmlabFormat         format,
                 guint64              generation)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabEncoded) encoded = shmlab_payload_encode (payload, format, &error);
  GByteArray *bytes;
  gsize written = 0;

  g_assert_no_error (error);
  g_assert_nonnull (encoded);
  bytes = g_byte_array_sized_new (shmlab_encoded_get_size (encoded));
  g_byte_array_set_size (bytes, shmlab_encoded_get_size (encoded));
  g_assert_true (shmlab_encoded_write (encoded, bytes->data, bytes->len,
                                       SHMLAB_WRITE_FLAGS_NONE, generation, &written,
                                       &error));
  g_assert_no_error (error);
  g_assert_cmpuint (written, ==, bytes->len);
  return bytes;
}

static ShmlabImage *
make_test_image (guint32 width,
                 guint32 height)
{
  g_autoptr(GError) error = NULL;
  ShmlabImage *image = shmlab_image_new (width, height, &error);

  g_assert_no_error (error);
  for (guint32 y = 0; y < height; y++)
    for (guint32 x = 0; x < width; x++)
      {
        guint8 *p = image->pixels + (gsize) y * image->stride + (gsize) x * 4;

        p[0] = (guint8) (x * 7 + y);
        p[1] = (guint8) (y * 13);
        p[2] = (guint8) (x ^ y);
        p[3] = (guint8) (255 - x - y);
      }
  return image;
}

static guint16
get_le16 (const guint8 *p)
{
  return (guint16) (p[0] | (p[1] << 8));
}

static guint32
get_le32 (const guint8 *p)
{
  return (guint32) p[0] | ((guint32) p[1] << 8) | ((guint32) p[2] << 16) |
         ((guint32) p[3] << 24);
}

static guint64
get_le64 (const guint8 *p)
{
  return (guint64) get_le32 (p) | ((guint64) get_le32 (p + 4) << 32);
}

static void
put_le (guint8  *p,
        guint    size,
        guint64  value)
{
  for (guint i = 0; i < size; i++)
    p[i] = (value >> (8 * i)) & 0xff;
}

static guint32
zlib_crc (const guint8 *data,
          gsize         length)
{
  return (guint32) crc32_z (crc32_z (0, Z_NULL, 0), data, length);
}

/* A frame built by hand from the header table, independent of the encoder. */
static GByteArray *
make_frame (guint32       kind,
            guint32       width,
            guint32       height,
            guint32       stride,
            const guint8 *payload,
            gsize         payload_length,
            guint16       header_size)
{
  GByteArray *frame = g_byte_array_new ();

  g_byte_array_set_size (frame, header_size + payload_length);
  memset (frame->data, 0, header_size);
  memcpy (frame->data, "SHMLABFR", 8);
  put_le (frame->data + 8, 2, 1);
  put_le (frame->data + 10, 2, header_size);
  put_le (frame->data + 12, 4, kind);
  put_le (frame->data + 16, 4, width);
  put_le (frame->data + 20, 4, height);
  put_le (frame->data + 24, 4, stride);
  put_le (frame->data + 28, 4, zlib_crc (payload, payload_length));
  put_le (frame->data + 32, 8, payload_length);
  put_le (frame->data + 40, 8, 7);
  put_le (frame->data + 48, 8, 1700000000000000);
  put_le (frame->data + 56, 4, 4242);
  if (payload_length > 0)
    memcpy (frame->data + header_size, payload, payload_length);
  return frame;
}

static GByteArray *
make_text_frame (const char *text)
{
  return make_frame (SHMLAB_PAYLOAD_KIND_TEXT, 0, 0, 0, (const guint8 *) text, strlen (text),
                     64);
}

/* A 3 × 2 image frame: 24 bytes of pixels. */
static GByteArray *
make_image_frame (void)
{
  guint8 pixels[24];

  for (guint i = 0; i < sizeof pixels; i++)
    pixels[i] = (guint8) (i * 11);
  return make_frame (SHMLAB_PAYLOAD_KIND_IMAGE, 3, 2, 12, pixels, sizeof pixels, 64);
}

static void
assert_text_round_trip (const char   *text,
                        ShmlabFormat  format)
{
  g_autoptr(ShmlabPayload) payload = shmlab_payload_new_text (text, -1);
  g_autoptr(GByteArray) bytes = encode_to_bytes (payload, format, 1);
  g_autoptr(ShmlabPayload) decoded = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = strlen (text);

  if (format == SHMLAB_FORMAT_FRAME)
    {
      g_assert_cmpuint (bytes->len, ==, 64 + length);
      g_assert_cmpmem (bytes->data + 64, length, text, length);
    }
  else
    {
      /* What the seed demo reads: the bytes of the text, then a NUL. */
      g_assert_cmpuint (bytes->len, ==, length + 1);
      g_assert_cmpmem (bytes->data, length, text, length);
      g_assert_cmpint (bytes->data[length], ==, 0);
    }

  decoded = decode_exact (bytes->data, bytes->len, &error);
  g_assert_no_error (error);
  g_assert_cmpint (decoded->kind, ==, SHMLAB_PAYLOAD_KIND_TEXT);
  g_assert_cmpint (decoded->format, ==,
                   format == SHMLAB_FORMAT_FRAME ? SHMLAB_FORMAT_FRAME : SHMLAB_FORMAT_TEXT);
  g_assert_cmpstr (decoded->text, ==, text);
  g_assert_cmpuint (decoded->text_length, ==, length);
  g_assert_cmpuint (decoded->invalid_bytes, ==, 0);
  g_assert_null (decoded->image);
  g_assert_cmpuint (decoded->encoded_length, ==, bytes->len);
}

static void
test_text_round_trip (void)
{
  const char *texts[] = { "hello", "你好, shared memory", "", "tab\tand\nnew line\r\n" };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      assert_text_round_trip (texts[i], SHMLAB_FORMAT_AUTO);
      assert_text_round_trip (texts[i], SHMLAB_FORMAT_TEXT);
      assert_text_round_trip (texts[i], SHMLAB_FORMAT_FRAME);
    }
}

static void
test_text_decode_stops_at_nul (void)
{
  static const guint8 with_nul[] = "hello\0old text";
  static const guint8 no_nul[] = { 'a', 'b', 'c' };
  g_autoptr(ShmlabPayload) a = NULL;
  g_autoptr(ShmlabPayload) b = NULL;
  g_autoptr(ShmlabPayload) c = NULL;
  g_autoptr(GError) error = NULL;

  a = decode_exact (with_nul, sizeof with_nul, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (a->text, ==, "hello");
  g_assert_cmpuint (a->encoded_length, ==, 6);

  b = decode_exact (no_nul, sizeof no_nul, &error);
  g_assert_no_error (error);
  g_assert_cmpint (b->format, ==, SHMLAB_FORMAT_TEXT);
  g_assert_cmpstr (b->text, ==, "abc");
  g_assert_cmpuint (b->encoded_length, ==, 3);

  c = shmlab_payload_decode (NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (c->text, ==, "");
  g_assert_cmpuint (c->encoded_length, ==, 0);
}

static void
test_text_invalid_utf8 (void)
{
  /* Two bytes that are never UTF-8, a control character, a character cut short. */
  static const guint8 bytes[] = { 'a', 'b', 0xff, 0xfe, 'c', 0x01, '\t', 0xe4, 0xbd };
  g_autoptr(ShmlabPayload) decoded = NULL;
  g_autoptr(ShmlabPayload) made = NULL;
  g_autoptr(GError) error = NULL;

  decoded = decode_exact (bytes, sizeof bytes, &error);
  g_assert_no_error (error);
  g_assert_true (g_utf8_validate (decoded->text, -1, NULL));
  g_assert_cmpstr (decoded->text, ==,
                   "ab\xef\xbf\xbd\xef\xbf\xbd" "c\x01\t\xef\xbf\xbd\xef\xbf\xbd");
  g_assert_cmpuint (decoded->text_length, ==, strlen (decoded->text));
  /* 0xff, 0xfe, 0x01, 0xe4, 0xbd; the tab is fine. */
  g_assert_cmpuint (decoded->invalid_bytes, ==, 5);

  made = shmlab_payload_new_text ("a\0b", 3);
  g_assert_cmpstr (made->text, ==, "a\xef\xbf\xbd" "b");
  g_assert_cmpuint (made->invalid_bytes, ==, 1);
}

static void
test_text_frame_invalid_utf8 (void)
{
  static const guint8 payload[] = { 'o', 'k', 0xc3, 0x28, 0x7f };
  g_autoptr(GByteArray) frame = make_frame (SHMLAB_PAYLOAD_KIND_TEXT, 0, 0, 0, payload,
                                            sizeof payload, 64);
  g_autoptr(ShmlabPayload) decoded = NULL;
  g_autoptr(GError) error = NULL;

  decoded = decode_exact (frame->data, frame->len, &error);
  g_assert_no_error (error);
  g_assert_cmpint (decoded->format, ==, SHMLAB_FORMAT_FRAME);
  g_assert_cmpstr (decoded->text, ==, "ok\xef\xbf\xbd(\x7f");
  /* 0xc3 starts a character 0x28 does not continue; 0x7f is DEL. */
  g_assert_cmpuint (decoded->invalid_bytes, ==, 2);
}

static void
test_zeros_and_null_qt_image (void)
{
  guint8 zeros[100] = { 0 };
  guint8 null_image[16] = { 0, 0, 0, 0, 'P', 'N', 'G' };
  g_autoptr(ShmlabPayload) fresh = NULL;
  g_autoptr(ShmlabPayload) broken = NULL;
  g_autoptr(GError) error = NULL;

  /* A fresh segment, and the 4 bytes Qt writes for a null image: empty text. */
  fresh = decode_exact (zeros, sizeof zeros, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fresh->format, ==, SHMLAB_FORMAT_TEXT);
  g_assert_cmpstr (fresh->text, ==, "");
  g_clear_pointer (&fresh, shmlab_payload_free);
  fresh = decode_exact (zeros, 4, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (fresh->text, ==, "");

  broken = decode_exact (null_image, sizeof null_image, &error);
  g_assert_error (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, "empty image"));
  g_assert_null (broken);
}

static void
assert_image_frame_round_trip (ShmlabImage *image)
{
  g_autoptr(ShmlabPayload) payload = shmlab_payload_new_image (image);
  g_autoptr(GByteArray) bytes = encode_to_bytes (payload, SHMLAB_FORMAT_AUTO, 5);
  g_autoptr(ShmlabPayload) decoded = NULL;
  g_autoptr(GError) error = NULL;
  gsize row = (gsize) image->width * 4;

  g_assert_cmpuint (bytes->len, ==, 64 + row * image->height);
  g_assert_cmpmem (bytes->data, 8, "SHMLABFR", 8);
  g_assert_cmpuint (get_le16 (bytes->data + 8), ==, 1);
  g_assert_cmpuint (get_le16 (bytes->data + 10), ==, 64);
  g_assert_cmpuint (get_le32 (bytes->data + 12), ==, 2);
  g_assert_cmpuint (get_le32 (bytes->data + 16), ==, image->width);
  g_assert_cmpuint (get_le32 (bytes->data + 20), ==, image->height);
  g_assert_cmpuint (get_le32 (bytes->data + 24), ==, row);
  g_assert_cmpuint (get_le32 (bytes->data + 28), ==,
                    zlib_crc (bytes->data + 64, row * image->height));
  g_assert_cmpuint (get_le64 (bytes->data + 32), ==, row * image->height);
  g_assert_cmpuint (get_le64 (bytes->data + 40), ==, 5);
  /* The writer holds the lock while it writes: lock_holder is its pid. */
  g_assert_cmpuint (get_le32 (bytes->data + 60), ==, (guint32) getpid ());
  for (guint32 y = 0; y < image->height; y++)
    g_assert_cmpmem (bytes->data + 64 + y * row, row,
                     image->pixels + (gsize) y * image->stride, row);

  decoded = decode_exact (bytes->data, bytes->len, &error);
  g_assert_no_error (error);
  g_assert_cmpint (decoded->format, ==, SHMLAB_FORMAT_FRAME);
  g_assert_cmpint (decoded->kind, ==, SHMLAB_PAYLOAD_KIND_IMAGE);
  g_assert_nonnull (decoded->image);
  g_assert_true (shmlab_image_equal (decoded->image, image));
  g_assert_cmpuint (decoded->image->stride, ==, row);
  g_assert_cmpuint (decoded->header.width, ==, image->width);
  g_assert_cmpuint (decoded->header.generation, ==, 5);
  g_assert_cmpuint (decoded->encoded_length, ==, bytes->len);
  g_assert_null (decoded->text);
}

static void
test_frame_image_round_trip (void)
{
  const guint32 sizes[][2] = { { 1, 1 }, { 3, 2 }, { 17, 5 }, { 64, 64 }, { 1, 300 } };
  g_autoptr(ShmlabImage) padded = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(ShmlabImage) image = make_test_image (sizes[i][0], sizes[i][1]);

      assert_image_frame_round_trip (image);
    }

  /* An image whose rows are further apart than its pixels: the frame packs them. */
  padded = make_test_image (5, 3);
  padded->stride = 32;
  padded->pixels = g_realloc (padded->pixels, 32 * 3);
  for (guint32 y = 3; y-- > 0;)
    {
      memmove (padded->pixels + y * 32, padded->pixels + y * 20, 20);
      memset (padded->pixels + y * 32 + 20, 0xee, 12);
    }
  assert_image_frame_round_trip (padded);
}

static void
test_frame_image_decode_wide_stride (void)
{
  /* 2 × 3 pixels, rows 12 bytes apart, the last row only its 8 bytes. */
  guint8 pixels[12 * 2 + 8];
  g_autoptr(GByteArray) frame = NULL;
  g_autoptr(ShmlabPayload) decoded = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < sizeof pixels; i++)
    pixels[i] = (guint8) i;
  frame = make_frame (SHMLAB_PAYLOAD_KIND_IMAGE, 2, 3, 12, pixels, sizeof pixels, 64);
  decoded = decode_exact (frame->data, frame->len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (decoded->image->width, ==, 2);
  g_assert_cmpuint (decoded->image->height, ==, 3);
  g_assert_cmpuint (decoded->image->stride, ==, 8);
  for (guint y = 0; y < 3; y++)
    g_assert_cmpmem (decoded->image->pixels + y * 8, 8, pixels + y * 12, 8);
}

static void
test_frame_longer_header (void)
{
  /* A later header may be longer: the payload starts at header_size. */
  g_autoptr(GByteArray) frame = make_frame (SHMLAB_PAYLOAD_KIND_TEXT, 0, 0, 0,
                                            (const guint8 *) "later", 5, 96);
  g_autoptr(ShmlabPayload) decoded = NULL;
  g_autoptr(GError) error = NULL;

  decoded = decode_exact (frame->data, frame->len, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (decoded->text, ==, "later");
  g_assert_cmpuint (decoded->header.header_size, ==, 96);
  g_assert_cmpuint (decoded->encoded_length, ==, 101);
}

static void
test_frame_header_fields_written (void)
{
  g_autoptr(ShmlabPayload) payload = shmlab_payload_new_text ("time", -1);
  g_autoptr(GByteArray) bytes = NULL;
  g_autoptr(ShmlabPayload) decoded = NULL;
  g_autoptr(GError) error = NULL;
  gint64 before, after;

  before = g_get_real_time ();
  bytes = encode_to_bytes (payload, SHMLAB_FORMAT_FRAME, 1);
  after = g_get_real_time ();

  g_assert_cmpuint (get_le32 (bytes->data + 56), ==, (guint32) getpid ());
  g_assert_cmpint ((gint64) get_le64 (bytes->data + 48), >=, before);
  g_assert_cmpint ((gint64) get_le64 (bytes->data + 48), <=, after);
  g_assert_cmpuint (get_le32 (bytes->data + 12), ==, 1);
  g_assert_cmpuint (get_le32 (bytes->data + 16), ==, 0);
  g_assert_cmpuint (get_le32 (bytes->data + 20), ==, 0);
  g_assert_cmpuint (get_le32 (bytes->data + 24), ==, 0);
  g_assert_cmpuint (get_le32 (bytes->data + 28), ==, zlib_crc ((const guint8 *) "time", 4));
  g_assert_cmpuint (get_le64 (bytes->data + 32), ==, 4);

  decoded = decode_exact (bytes->data, bytes->len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (decoded->header.writer_pid, ==, (guint32) getpid ());
  g_assert_cmpint (decoded->header.write_time, >=, before);
  g_assert_cmpint (decoded->header.write_time, <=, after);
  g_assert_cmpuint (decoded->header.version, ==, 1);
  g_assert_cmpuint (decoded->header.header_size, ==, 64);
  g_assert_cmpuint (decoded->header.crc32, ==, zlib_crc ((const guint8 *) "time", 4));
}

static void
test_qt_image_layout (void)
{
  g_autoptr(ShmlabImage) image = make_test_image (9, 7);
  g_autoptr(ShmlabPayload) payload = shmlab_payload_new_image (image);
  g_autoptr(GByteArray) bytes = encode_to_bytes (payload, SHMLAB_FORMAT_QT_IMAGE, 1);
  g_autoptr(GBytes) png = NULL;
  g_autoptr(ShmlabImage) from_png = NULL;
  g_autoptr(ShmlabPayload) decoded = NULL;
  g_autoptr(GError) error = NULL;
  ShmlabPngLimits limits;
  const guint8 *png_data;
  gsize png_length, consumed = 0;

  /* QDataStream << QImage: qint32 1, big-endian, then the PNG file. */
  g_assert_cmpuint (bytes->data[0], ==, 0x00);
  g_assert_cmpuint (bytes->data[1], ==, 0x00);
  g_assert_cmpuint (bytes->data[2], ==, 0x00);
  g_assert_cmpuint (bytes->data[3], ==, 0x01);
  g_assert_cmpmem (bytes->data + 4, 8, png_signature, 8);
  /* The file ends with the IEND chunk: length 0, "IEND", its CRC. */
  g_assert_cmpmem (bytes->data + bytes->len - 12, 12,
                   "\0\0\0\0IEND\xae\x42\x60\x82", 12);

  png = shmlab_png_write (image, &error);
  g_assert_no_error (error);
  png_data = g_bytes_get_data (png, &png_length);
  g_assert_cmpuint (bytes->len, ==, 4 + png_length);
  g_assert_cmpmem (bytes->data + 4, bytes->len - 4, png_data, png_length);

  /* The rest is a PNG file any reader takes. */
  shmlab_png_limits_init_default (&limits);
  from_png = shmlab_png_read (bytes->data + 4, bytes->len - 4, &limits, &consumed, &error);
  g_assert_no_error (error);
  g_assert_true (shmlab_image_equal (from_png, image));
  g_assert_cmpuint (consumed, ==, png_length);

  decoded = decode_exact (bytes->data, bytes->len, &error);
  g_assert_no_error (error);
  g_assert_cmpint (decoded->format, ==, SHMLAB_FORMAT_QT_IMAGE);
  g_assert_cmpint (decoded->kind, ==, SHMLAB_PAYLOAD_KIND_IMAGE);
  g_assert_true (shmlab_image_equal (decoded->image, image));
  g_assert_cmpuint (decoded->encoded_length, ==, bytes->len);
}

static void
test_qt_image_round_trip (void)
{
  const guint32 sizes[][2] = { { 1, 1 }, { 2, 3 }, { 33, 8 }, { 128, 96 } };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(ShmlabImage) image = make_test_image (sizes[i][0], sizes[i][1]);
      g_autoptr(ShmlabPayload) payload = shmlab_payload_new_image (image);
      g_autoptr(ShmlabEncoded) encoded = NULL;
      g_autoptr(ShmlabPayload) decoded = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree guint8 *segment = NULL;
      gsize size, written = 0, segment_size;

      encoded = shmlab_payload_encode (payload, SHMLAB_FORMAT_QT_IMAGE, &error);
      g_assert_no_error (error);
      g_assert_cmpint (shmlab_encoded_get_format (encoded), ==, SHMLAB_FORMAT_QT_IMAGE);
      size = shmlab_encoded_get_size (encoded);

      /* A segment larger than the stream, its tail left over from before. */
      segment_size = size + 100;
      segment = g_malloc (segment_size);
      memset (segment, 0x5a, segment_size);
      g_assert_true (shmlab_encoded_write (encoded, segment, segment_size,
                                           SHMLAB_WRITE_FLAGS_NONE, 1, &written, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (written, ==, size);
      g_assert_cmpuint (segment[size], ==, 0x5a);

      decoded = decode_exact (segment, segment_size, &error);
      g_assert_no_error (error);
      g_assert_cmpint (decoded->format, ==, SHMLAB_FORMAT_QT_IMAGE);
      g_assert_true (shmlab_image_equal (decoded->image, image));
      g_assert_cmpuint (decoded->encoded_length, ==, size);
    }
}

static void
test_qt_image_corrupt (void)
{
  guint8 bytes[40] = { 0, 0, 0, 1 };
  g_autoptr(ShmlabPayload) decoded = NULL;
  g_autoptr(GError) error = NULL;

  memcpy (bytes + 4, png_signature, 8);
  memset (bytes + 12, 0xab, sizeof bytes - 12);
  decoded = decode_exact (bytes, sizeof bytes, &error);
  g_assert_null (decoded);
  g_assert_nonnull (error);
  g_assert_true (g_str_has_prefix (error->message, "Qt example image: "));
  g_assert_cmpuint (strlen (error->message), >, strlen ("Qt example image: "));
}

static void
test_detection (void)
{
  g_autoptr(ShmlabImage) image = make_test_image (4, 4);
  g_autoptr(ShmlabPayload) image_payload = shmlab_payload_new_image (image);
  g_autoptr(ShmlabPayload) text_payload = shmlab_payload_new_text ("SHMLAB", -1);
  g_autoptr(GByteArray) frame = encode_to_bytes (image_payload, SHMLAB_FORMAT_FRAME, 1);
  g_autoptr(GByteArray) qt = encode_to_bytes (image_payload, SHMLAB_FORMAT_QT_IMAGE, 1);
  g_autoptr(GByteArray) text = encode_to_bytes (text_payload, SHMLAB_FORMAT_TEXT, 1);
  g_autoptr(ShmlabPayload) a = NULL;
  g_autoptr(ShmlabPayload) b = NULL;
  g_autoptr(ShmlabPayload) c = NULL;
  g_autoptr(ShmlabPayload) d = NULL;
  g_autoptr(GError) error = NULL;
  static const guint8 magic_then_text[] = "SHMLABFR and then some text";

  a = decode_exact (frame->data, frame->len, &error);
  g_assert_no_error (error);
  g_assert_cmpint (a->format, ==, SHMLAB_FORMAT_FRAME);
  b = decode_exact (qt->data, qt->len, &error);
  g_assert_no_error (error);
  g_assert_cmpint (b->format, ==, SHMLAB_FORMAT_QT_IMAGE);
  /* "SHMLAB" is a text that merely starts like the magic. */
  c = decode_exact (text->data, text->len, &error);
  g_assert_no_error (error);
  g_assert_cmpint (c->format, ==, SHMLAB_FORMAT_TEXT);
  g_assert_cmpstr (c->text, ==, "SHMLAB");

  /* The magic is never read as text, even when text follows it. */
  d = decode_exact (magic_then_text, sizeof magic_then_text, &error);
  g_assert_null (d);
  g_assert_error (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_MALFORMED);
}

/* Decodes @frame and checks the error names @field and carries @number. */
static void
assert_rejected (GByteArray *frame,
                 gint        code,
                 const char *field,
                 const char *number)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) parse_error = NULL;
  g_autoptr(ShmlabPayload) decoded = NULL;
  g_autofree char *quoted = g_strdup_printf ("“%s”", field);
  ShmlabFrameHeader header;

  decoded = decode_exact (frame->data, frame->len, &error);
  g_assert_null (decoded);
  g_assert_error (error, SHMLAB_PAYLOAD_ERROR, code);
  if (strstr (error->message, quoted) == NULL || strstr (error->message, number) == NULL)
    g_error ("expected “%s” and %s in: %s", field, number, error->message);

  if (code == SHMLAB_PAYLOAD_ERROR_MALFORMED)
    {
      /* The header parser finds the same fault; a bad CRC needs the payload. */
      g_assert_false (parse_exact (frame->data, frame->len, &header, &parse_error));
      g_assert_error (parse_error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_MALFORMED);
      g_assert_cmpstr (parse_error->message, ==, error->message);
    }
  else
    {
      g_assert_true (parse_exact (frame->data, frame->len, &header, &parse_error));
      g_assert_no_error (parse_error);
    }
  g_assert_cmpuint (shmlab_frame_peek_generation (frame->data, frame->len), ==,
                    code == SHMLAB_PAYLOAD_ERROR_MALFORMED ? 0 : 7);
}

static void
test_malformed_magic (void)
{
  g_autoptr(GByteArray) frame = make_text_frame ("x");
  g_autoptr(GError) error = NULL;
  ShmlabFrameHeader header;

  frame->data[7] = 'X';
  g_assert_false (parse_exact (frame->data, frame->len, &header, &error));
  g_assert_error (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, "“magic”"));
  g_assert_nonnull (strstr (error->message, "53 48 4d 4c 41 42 46 58"));
  g_assert_nonnull (strstr (error->message, "SHMLABFR"));
  g_clear_error (&error);

  /* Too short to hold the magic at all. */
  g_assert_false (parse_exact ((const guint8 *) "SHMLA", 5, &header, &error));
  g_assert_error (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, "“magic”"));
  g_assert_nonnull (strstr (error->message, "5-byte segment"));
  g_clear_error (&error);
  g_assert_false (shmlab_frame_header_parse (NULL, 0, &header, &error));
  g_assert_nonnull (strstr (error->message, "“magic”"));
}

static void
test_malformed_short_header (void)
{
  g_autoptr(GByteArray) frame = make_text_frame ("some text");
  g_autoptr(GByteArray) longer = make_text_frame ("some text");

  /* The magic and nothing else: the version is missing. */
  g_byte_array_set_size (frame, 9);
  assert_rejected (frame, SHMLAB_PAYLOAD_ERROR_MALFORMED, "version", "9-byte segment");
  /* Up to the header size, which says more bytes than there are (cut from a
   * whole frame: growing a cut array again leaves its new bytes unset). */
  g_byte_array_set_size (longer, 40);
  assert_rejected (longer, SHMLAB_PAYLOAD_ERROR_MALFORMED, "header_size", "only 40");
}

static void
test_malformed_version (void)
{
  g_autoptr(GByteArray) frame = make_text_frame ("x");

  put_le (frame->data + 8, 2, 2);
  assert_rejected (frame, SHMLAB_PAYLOAD_ERROR_MALFORMED, "version", "is 2");
}

static void
test_malformed_header_size (void)
{
  g_autoptr(GByteArray) small = make_text_frame ("x");
  g_autoptr(GByteArray) large = make_text_frame ("x");

  put_le (small->data + 10, 2, 63);
  assert_rejected (small, SHMLAB_PAYLOAD_ERROR_MALFORMED, "header_size", "is 63");
  put_le (small->data + 10, 2, 0);
  assert_rejected (small, SHMLAB_PAYLOAD_ERROR_MALFORMED, "header_size", "is 0");

  put_le (large->data + 10, 2, 65535);
  assert_rejected (large, SHMLAB_PAYLOAD_ERROR_MALFORMED, "header_size",
                   "says 65535 bytes but the segment holds only 65");
}

static void
test_malformed_kind (void)
{
  g_autoptr(GByteArray) frame = make_text_frame ("x");

  put_le (frame->data + 12, 4, 3);
  assert_rejected (frame, SHMLAB_PAYLOAD_ERROR_MALFORMED, "kind", "is 3");
  put_le (frame->data + 12, 4, 0);
  assert_rejected (frame, SHMLAB_PAYLOAD_ERROR_MALFORMED, "kind", "is 0");
}

static void
test_malformed_width (void)
{
  g_autoptr(GByteArray) frame = make_image_frame ();
  g_autoptr(GByteArray) text = make_text_frame ("x");

  put_le (frame->data + 16, 4, 0);
  assert_rejected (frame, SHMLAB_PAYLOAD_ERROR_MALFORMED, "width", "is 0");
  put_le (frame->data + 16, 4, 16385);
  assert_rejected (frame, SHMLAB_PAYLOAD_ERROR_MALFORMED, "width", "16385");
  put_le (frame->data + 16, 4, G_MAXUINT32);
  assert_rejected (frame, SHMLAB_PAYLOAD_ERROR_MALFORMED, "width", "4294967295");

  put_le (text->data + 16, 4, 5);
  assert_rejected (text, SHMLAB_PAYLOAD_ERROR_MALFORMED, "width", "is 5");
}

static void
test_malformed_height (void)
{
  g_autoptr(GByteArray) frame = make_image_frame ();
  g_autoptr(GByteArray) text = make_text_frame ("x");

  put_le (frame->data + 20, 4, 0);
  assert_rejected (frame, SHMLAB_PAYLOAD_ERROR_MALFORMED, "height", "is 0");
  put_le (frame->data + 20, 4, 20000);
  assert_rejected (frame, SHMLAB_PAYLOAD_ERROR_MALFORMED, "height", "20000");

  put_le (text->data + 20, 4, 1);
  assert_rejected (text, SHMLAB_PAYLOAD_ERROR_MALFORMED, "height", "is 1");
}

static void
test_malformed_stride (void)
{
  g_autoptr(GByteArray) frame = make_image_frame ();
  g_autoptr(GByteArray) huge = make_image_frame ();
  g_autoptr(GByteArray) text = make_text_frame ("x");
  g_autofree char *needed = NULL;

  /* 3 pixels need 12 bytes a row. */
  put_le (frame->data + 24, 4, 11);
  assert_rejected (frame, SHMLAB_PAYLOAD_ERROR_MALFORMED, "stride", "needs 12");

  /* The largest stride × height the fields can hold: no overflow, a clean refusal. */
  put_le (huge->data + 16, 4, 1);
  put_le (huge->data + 20, 4, SHMLAB_IMAGE_MAX_DIMENSION);
  put_le (huge->data + 24, 4, G_MAXUINT32);
  needed = g_strdup_printf ("needs %" G_GUINT64_FORMAT,
                            (guint64) G_MAXUINT32 * (SHMLAB_IMAGE_MAX_DIMENSION - 1) + 4);
  assert_rejected (huge, SHMLAB_PAYLOAD_ERROR_MALFORMED, "payload_length", needed);

  put_le (text->data + 24, 4, 64);
  assert_rejected (text, SHMLAB_PAYLOAD_ERROR_MALFORMED, "stride", "is 64");
}

static void
test_malformed_payload_length (void)
{
  g_autoptr(GByteArray) text = make_text_frame ("x");
  g_autoptr(GByteArray) image = make_image_frame ();
  g_autoptr(GByteArray) big = g_byte_array_new ();

  /* The example of the house rules: 936 bytes follow a 64-byte header. */
  g_byte_array_set_size (big, 1000);
  memset (big->data, 'a', big->len);
  g_byte_array_unref (text);
  text = make_frame (SHMLAB_PAYLOAD_KIND_TEXT, 0, 0, 0, big->data, 936, 64);
  put_le (text->data + 32, 8, 5000);
  assert_rejected (text, SHMLAB_PAYLOAD_ERROR_MALFORMED, "payload_length",
                   "says 5000 bytes but only 936 follow the header");

  /* So large that header_size + payload_length would wrap around. */
  put_le (text->data + 32, 8, G_MAXUINT64);
  assert_rejected (text, SHMLAB_PAYLOAD_ERROR_MALFORMED, "payload_length",
                   "18446744073709551615");
  put_le (text->data + 32, 8, G_MAXUINT64 - 63);
  assert_rejected (text, SHMLAB_PAYLOAD_ERROR_MALFORMED, "payload_length",
                   "18446744073709551552");

  /* 3 × 2 pixels need 24 bytes; the header says 20 and 20 are there. */
  g_byte_array_set_size (image, 64 + 20);
  put_le (image->data + 32, 8, 20);
  assert_rejected (image, SHMLAB_PAYLOAD_ERROR_MALFORMED, "payload_length", "needs 24");
}

static void
test_malformed_crc32 (void)
{
  g_autoptr(GByteArray) text = make_text_frame ("checked");
  g_autoptr(GByteArray) image = make_image_frame ();
  g_autofree char *found = NULL;

  text->data[64] = 'C';
  found = g_strdup_printf ("0x%08x", get_le32 (text->data + 28));
  assert_rejected (text, SHMLAB_PAYLOAD_ERROR_CHECKSUM, "crc32", found);

  put_le (image->data + 28, 4, 0xdeadbeef);
  assert_rejected (image, SHMLAB_PAYLOAD_ERROR_CHECKSUM, "crc32", "0xdeadbeef");
}

static void
test_header_parse_partial (void)
{
  g_autoptr(GByteArray) frame = make_image_frame ();
  g_autoptr(GError) error = NULL;
  ShmlabFrameHeader header;

  /* A damaged header can still be shown field by field. */
  put_le (frame->data + 12, 4, 9);
  g_assert_false (parse_exact (frame->data, frame->len, &header, &error));
  g_assert_cmpuint (header.version, ==, 1);
  g_assert_cmpuint (header.kind, ==, 9);
  g_assert_cmpuint (header.width, ==, 3);
  g_assert_cmpuint (header.generation, ==, 7);
  g_assert_cmpuint (header.writer_pid, ==, 4242);
  g_clear_error (&error);

  g_assert_false (parse_exact (frame->data, 18, &header, &error));
  g_assert_cmpuint (header.kind, ==, 9);
  g_assert_cmpuint (header.width, ==, 0);
  g_assert_cmpuint (header.writer_pid, ==, 0);
}

static void
test_decode_read_only (void)
{
  g_autoptr(ShmlabImage) image = make_test_image (6, 6);
  g_autoptr(ShmlabPayload) payload = shmlab_payload_new_image (image);
  g_autoptr(GByteArray) bytes = encode_to_bytes (payload, SHMLAB_FORMAT_FRAME, 3);
  g_autoptr(ShmlabPayload) decoded = NULL;
  g_autoptr(GError) error = NULL;
  gsize page = sysconf (_SC_PAGESIZE);
  gsize size = (bytes->len + page - 1) / page * page;
  guint8 *map;

  /* Decoding only reads: a read-only mapping is enough. */
  map = mmap (NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  g_assert_true (map != MAP_FAILED);
  memcpy (map, bytes->data, bytes->len);
  g_assert_cmpint (mprotect (map, size, PROT_READ), ==, 0);
  decoded = shmlab_payload_decode (map, bytes->len, &error);
  g_assert_no_error (error);
  g_assert_true (shmlab_image_equal (decoded->image, image));
  g_assert_cmpuint (shmlab_frame_peek_generation (map, bytes->len), ==, 3);
  munmap (map, size);
}

static void
assert_too_large (ShmlabPayload    *payload,
                  ShmlabFormat      format,
                  gsize             dest_size,
                  ShmlabWriteFlags  flags,
                  const char       *expected)
{
  g_autoptr(ShmlabEncoded) encoded = shmlab_payload_encode (payload, format, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *dest = g_malloc (dest_size + 1);
  g_autofree guint8 *before = NULL;
  gsize written = 99;

  memset (dest, 0x33, dest_size + 1);
  before = g_memdup2 (dest, dest_size + 1);
  g_assert_false (shmlab_encoded_write (encoded, dest, dest_size, flags, 1, &written, &error));
  g_assert_error (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_TOO_LARGE);
  if (strstr (error->message, expected) == NULL)
    g_error ("expected “%s” in: %s", expected, error->message);
  g_assert_cmpuint (written, ==, 0);
  /* Nothing was written. */
  g_assert_cmpmem (dest, dest_size + 1, before, dest_size + 1);
}

static void
test_write_too_large (void)
{
  g_autoptr(ShmlabPayload) text = shmlab_payload_new_text ("hello world", -1);
  g_autoptr(ShmlabImage) image = make_test_image (10, 10);
  g_autoptr(ShmlabPayload) picture = shmlab_payload_new_image (image);
  g_autoptr(ShmlabEncoded) qt = shmlab_payload_encode (picture, SHMLAB_FORMAT_QT_IMAGE, NULL);
  g_autofree char *qt_expected = NULL;
  gsize qt_size = shmlab_encoded_get_size (qt);

  assert_too_large (text, SHMLAB_FORMAT_TEXT, 10, SHMLAB_WRITE_FLAGS_NONE,
                    "needs 12 bytes but the segment holds 10: 2 bytes too many — grow the "
                    "segment, or cut the text");
  assert_too_large (text, SHMLAB_FORMAT_FRAME, 70, SHMLAB_WRITE_FLAGS_NONE,
                    "needs 75 bytes but the segment holds 70: 5 bytes too many");
  /* Even a cut text needs its NUL, or the frame header. */
  assert_too_large (text, SHMLAB_FORMAT_TEXT, 0, SHMLAB_WRITE_FLAGS_CUT,
                    "needs 12 bytes but the segment holds 0: 12 bytes too many");
  assert_too_large (text, SHMLAB_FORMAT_FRAME, 63, SHMLAB_WRITE_FLAGS_CUT, "64-byte");

  assert_too_large (picture, SHMLAB_FORMAT_FRAME, 100, SHMLAB_WRITE_FLAGS_NONE,
                    "needs 464 bytes but the segment holds 100: 364 bytes too many");
  assert_too_large (picture, SHMLAB_FORMAT_FRAME, 463, SHMLAB_WRITE_FLAGS_CUT,
                    "images cannot be cut");
  qt_expected = g_strdup_printf ("needs %" G_GSIZE_FORMAT " bytes but the segment holds %"
                                 G_GSIZE_FORMAT ": 1 byte too many",
                                 qt_size, qt_size - 1);
  assert_too_large (picture, SHMLAB_FORMAT_QT_IMAGE, qt_size - 1, SHMLAB_WRITE_FLAGS_CUT,
                    qt_expected);
}

static void
test_write_cut_text (void)
{
  /* 1 + 3 + 3 + 4 bytes: cuts may only fall at 0, 1, 4, 7 and 11. */
  const char *text = "a你好😀";
  const gsize boundaries[] = { 0, 1, 1, 1, 4, 4, 4, 7, 7, 7, 7, 11 };
  g_autoptr(ShmlabPayload) payload = shmlab_payload_new_text (text, -1);
  g_autoptr(ShmlabEncoded) plain = shmlab_payload_encode (payload, SHMLAB_FORMAT_TEXT, NULL);
  g_autoptr(ShmlabEncoded) frame = shmlab_payload_encode (payload, SHMLAB_FORMAT_FRAME, NULL);

  g_assert_cmpuint (strlen (text), ==, 11);
  g_assert_cmpuint (shmlab_encoded_get_size (plain), ==, 12);
  g_assert_cmpuint (shmlab_encoded_get_size (frame), ==, 75);

  for (gsize room = 0; room < G_N_ELEMENTS (boundaries); room++)
    {
      g_autofree guint8 *dest = g_malloc (room + 1);
      g_autofree guint8 *frame_dest = g_malloc (64 + room);
      g_autoptr(ShmlabPayload) decoded = NULL;
      g_autoptr(ShmlabPayload) decoded_frame = NULL;
      g_autoptr(GError) error = NULL;
      gsize written = 0;
      gsize keep = boundaries[room];

      /* Plain text: room bytes of text and the NUL. */
      memset (dest, 0x77, room + 1);
      g_assert_true (shmlab_encoded_write (plain, dest, room + 1, SHMLAB_WRITE_FLAGS_CUT, 0,
                                           &written, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (written, ==, keep + 1);
      g_assert_cmpmem (dest, keep, text, keep);
      g_assert_cmpint (dest[keep], ==, 0);
      decoded = decode_exact (dest, room + 1, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (decoded->text_length, ==, keep);
      g_assert_cmpuint (decoded->invalid_bytes, ==, 0);
      g_assert_true (strncmp (decoded->text, text, keep) == 0);

      /* A frame: the header, then as much text as fits, with its own CRC-32. */
      g_assert_true (shmlab_encoded_write (frame, frame_dest, 64 + room,
                                           SHMLAB_WRITE_FLAGS_CUT, 4, &written, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (written, ==, 64 + keep);
      g_assert_cmpuint (get_le64 (frame_dest + 32), ==, keep);
      decoded_frame = decode_exact (frame_dest, 64 + room, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (decoded_frame->text_length, ==, keep);
      g_assert_cmpuint (decoded_frame->invalid_bytes, ==, 0);
      g_assert_cmpmem (decoded_frame->text, keep, text, keep);
      g_assert_cmpuint (decoded_frame->header.generation, ==, 4);
    }
}

static void
test_write_cut_one_byte (void)
{
  g_autoptr(ShmlabPayload) payload = shmlab_payload_new_text ("does not fit", -1);
  g_autoptr(ShmlabEncoded) encoded = shmlab_payload_encode (payload, SHMLAB_FORMAT_AUTO, NULL);
  g_autoptr(GError) error = NULL;
  guint8 dest[1] = { 'x' };
  gsize written = 0;

  g_assert_true (shmlab_encoded_write (encoded, dest, 1, SHMLAB_WRITE_FLAGS_CUT, 0, &written,
                                       &error));
  g_assert_no_error (error);
  g_assert_cmpuint (written, ==, 1);
  g_assert_cmpint (dest[0], ==, 0);
}

static void
test_write_leaves_tail (void)
{
  g_autoptr(ShmlabPayload) payload = shmlab_payload_new_text ("hi", -1);
  g_autoptr(ShmlabEncoded) encoded = shmlab_payload_encode (payload, SHMLAB_FORMAT_TEXT, NULL);
  g_autoptr(GError) error = NULL;
  guint8 dest[8];
  gsize written = 0;

  /* As the seed demo: the text, its NUL, and whatever was there before. */
  memcpy (dest, "ABCDEFGH", 8);
  g_assert_true (shmlab_encoded_write (encoded, dest, sizeof dest, SHMLAB_WRITE_FLAGS_NONE, 0,
                                       &written, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (written, ==, 3);
  g_assert_cmpmem (dest, 8, "hi\0DEFGH", 8);
}

static void
test_generation (void)
{
  g_autoptr(ShmlabPayload) payload = shmlab_payload_new_text ("counted", -1);
  g_autoptr(ShmlabEncoded) encoded = shmlab_payload_encode (payload, SHMLAB_FORMAT_FRAME, NULL);
  g_autoptr(GByteArray) text = NULL;
  guint8 segment[100] = { 0 };

  /* A fresh segment holds no frame: the first write is generation 1. */
  g_assert_cmpuint (shmlab_frame_peek_generation (segment, sizeof segment), ==, 0);
  for (guint64 expected = 1; expected <= 3; expected++)
    {
      g_autoptr(ShmlabPayload) decoded = NULL;
      g_autoptr(GError) error = NULL;
      guint64 next = shmlab_frame_peek_generation (segment, sizeof segment) + 1;

      g_assert_cmpuint (next, ==, expected);
      g_assert_true (shmlab_encoded_write (encoded, segment, sizeof segment,
                                           SHMLAB_WRITE_FLAGS_NONE, next, NULL, &error));
      g_assert_no_error (error);
      decoded = decode_exact (segment, sizeof segment, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (decoded->header.generation, ==, expected);
    }
  g_assert_cmpuint (shmlab_frame_peek_generation (segment, sizeof segment), ==, 3);

  /* Not a frame, or a damaged one: start again from 0. */
  segment[8] = 9;
  g_assert_cmpuint (shmlab_frame_peek_generation (segment, sizeof segment), ==, 0);
  g_assert_cmpuint (shmlab_frame_peek_generation (segment, 20), ==, 0);
  g_assert_cmpuint (shmlab_frame_peek_generation (NULL, 0), ==, 0);
  text = make_text_frame ("x");
  g_assert_cmpuint (shmlab_frame_peek_generation ((const guint8 *) "plain text", 10), ==, 0);
  g_assert_cmpuint (shmlab_frame_peek_generation (text->data, text->len), ==, 7);
}

static void
test_encode_formats (void)
{
  g_autoptr(ShmlabImage) image = make_test_image (2, 2);
  g_autoptr(ShmlabPayload) picture = shmlab_payload_new_image (image);
  g_autoptr(ShmlabPayload) text = shmlab_payload_new_text ("words", -1);
  g_autoptr(ShmlabEncoded) a = NULL;
  g_autoptr(ShmlabEncoded) b = NULL;
  g_autoptr(ShmlabEncoded) c = NULL;
  g_autoptr(GError) error = NULL;

  a = shmlab_payload_encode (text, SHMLAB_FORMAT_AUTO, &error);
  g_assert_no_error (error);
  g_assert_cmpint (shmlab_encoded_get_format (a), ==, SHMLAB_FORMAT_TEXT);
  g_assert_cmpuint (shmlab_encoded_get_size (a), ==, 6);
  b = shmlab_payload_encode (picture, SHMLAB_FORMAT_AUTO, &error);
  g_assert_no_error (error);
  g_assert_cmpint (shmlab_encoded_get_format (b), ==, SHMLAB_FORMAT_FRAME);
  g_assert_cmpuint (shmlab_encoded_get_size (b), ==, 64 + 16);

  c = shmlab_payload_encode (picture, SHMLAB_FORMAT_TEXT, &error);
  g_assert_null (c);
  g_assert_error (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "frame"));
  g_assert_nonnull (strstr (error->message, "qt-image"));
  g_clear_error (&error);

  c = shmlab_payload_encode (text, SHMLAB_FORMAT_QT_IMAGE, &error);
  g_assert_null (c);
  g_assert_error (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "Qt example image"));
}

static void
test_format_strings (void)
{
  const ShmlabFormat formats[] = {
    SHMLAB_FORMAT_AUTO, SHMLAB_FORMAT_TEXT, SHMLAB_FORMAT_QT_IMAGE, SHMLAB_FORMAT_FRAME,
  };
  const char *names[] = { "auto", "text", "qt-image", "frame" };
  g_autoptr(GError) error = NULL;
  ShmlabFormat format = SHMLAB_FORMAT_TEXT;

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      ShmlabFormat parsed = SHMLAB_FORMAT_AUTO;

      g_assert_cmpstr (shmlab_format_to_string (formats[i]), ==, names[i]);
      g_assert_true (shmlab_format_from_string (names[i], &parsed, &error));
      g_assert_no_error (error);
      g_assert_cmpint (parsed, ==, formats[i]);
    }
  g_assert_true (shmlab_format_from_string ("Qt-Image", &format, &error));
  g_assert_cmpint (format, ==, SHMLAB_FORMAT_QT_IMAGE);

  g_assert_cmpstr (shmlab_format_describe (SHMLAB_FORMAT_TEXT), ==, "plain text (Qt demo)");
  g_assert_cmpstr (shmlab_format_describe (SHMLAB_FORMAT_QT_IMAGE), ==,
                   "Qt example image (PNG stream)");
  g_assert_cmpstr (shmlab_format_describe (SHMLAB_FORMAT_FRAME), ==, "ShmLab frame");

  format = SHMLAB_FORMAT_FRAME;
  g_assert_false (shmlab_format_from_string ("png", &format, &error));
  g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
  g_assert_nonnull (strstr (error->message, "“png”"));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_assert_nonnull (strstr (error->message, names[i]));
  g_assert_cmpint (format, ==, SHMLAB_FORMAT_FRAME);
}

static void
test_frame_fields (void)
{
  const char *names[] = {
    "magic", "version", "header_size", "kind", "width", "height", "stride", "crc32",
    "payload_length", "generation", "write_time", "writer_pid", "lock_holder",
  };
  guint n_fields = 0;
  const ShmlabFrameField *fields = shmlab_frame_fields (&n_fields);
  guint offset = 0;

  g_assert_cmpuint (n_fields, ==, G_N_ELEMENTS (names));
  for (guint i = 0; i < n_fields; i++)
    {
      g_assert_cmpstr (fields[i].name, ==, names[i]);
      g_assert_cmpuint (fields[i].offset, ==, offset);
      offset += fields[i].size;
    }
  g_assert_cmpuint (offset, ==, SHMLAB_FRAME_HEADER_SIZE);
  g_assert_cmpuint (fields[8].offset, ==, 32);
  g_assert_cmpuint (fields[8].size, ==, 8);
}

/* Decoding a private copy shares its rows: the picture is not copied again. */
static void
test_decode_bytes_shares_rows (void)
{
  g_autoptr(ShmlabImage) image = make_test_image (7, 5);
  g_autoptr(ShmlabPayload) payload = shmlab_payload_new_image (image);
  g_autoptr(GByteArray) encoded = encode_to_bytes (payload, SHMLAB_FORMAT_FRAME, 1);
  g_autoptr(GBytes) bytes = g_bytes_new (encoded->data, encoded->len);
  g_autoptr(ShmlabPayload) shared = NULL;
  g_autoptr(ShmlabPayload) copied = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 *base = g_bytes_get_data (bytes, NULL);

  shared = shmlab_payload_decode_bytes (bytes, &error);
  g_assert_no_error (error);
  copied = shmlab_payload_decode (base, g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);

  g_assert_true (shared->image->pixels == base + SHMLAB_FRAME_HEADER_SIZE);
  g_assert_true (shmlab_image_equal (shared->image, copied->image));
  g_assert_true (shmlab_image_equal (shared->image, image));

  /* The bytes live as long as the picture does. */
  g_clear_pointer (&bytes, g_bytes_unref);
  g_assert_true (shmlab_image_equal (shared->image, image));
}

/* Writes text frame @text with @generation into @segment, as a writer does. */
static void
write_text_frame (guint8     *segment,
                  gsize       size,
                  const char *text,
                  guint64     generation)
{
  g_autoptr(ShmlabPayload) payload = shmlab_payload_new_text (text, -1);
  g_autoptr(ShmlabEncoded) encoded = shmlab_payload_encode (payload, SHMLAB_FORMAT_FRAME, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (shmlab_encoded_write (encoded, segment, size, SHMLAB_WRITE_FLAGS_NONE,
                                       generation, NULL, &error));
  g_assert_no_error (error);
}

static void
test_double_buffer_alternates (void)
{
  const gsize size = 512;
  gsize second = shmlab_frame_second_slot (size);
  g_autofree guint8 *segment = g_malloc0 (size);
  const char *texts[] = { "first", "second", "third", "fourth" };

  g_assert_cmpuint (second, ==, 256);
  g_assert_cmpuint (shmlab_frame_second_slot (127), ==, 0);
  g_assert_cmpuint (shmlab_frame_second_slot (128), ==, 64);
  g_assert_cmpuint (shmlab_frame_second_slot (1000), ==, 448);

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(ShmlabPayload) decoded = NULL;
      g_autoptr(GError) error = NULL;
      guint64 generation = shmlab_frame_peek_generation (segment, size) + 1;

      g_assert_cmpuint (generation, ==, i + 1);
      write_text_frame (segment, size, texts[i], generation);
      decoded = shmlab_payload_decode (segment, size, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (decoded->text, ==, texts[i]);
      g_assert_cmpuint (decoded->header.generation, ==, i + 1);
      /* Generation 1 in the first slot, 2 in the second, and so on. */
      g_assert_cmpuint (decoded->frame_offset, ==, i % 2 == 0 ? 0 : second);
      g_assert_null (decoded->note);
    }
  /* Only the first slot's header carries the lock holder. */
  g_assert_cmpuint (get_le32 (segment + 60), ==, (guint32) getpid ());
  g_assert_cmpuint (get_le32 (segment + second + 60), ==, 0);
}

/* A frame larger than half the segment has one slot; the next small frame
 * goes to the start again, and only then do the slots alternate. */
static void
test_double_buffer_big_frame (void)
{
  const gsize size = 512;
  g_autofree guint8 *segment = g_malloc0 (size);
  g_autofree char *big = g_strnfill (300, 'b');
  g_autoptr(ShmlabPayload) a = NULL, b = NULL, c = NULL;

  write_text_frame (segment, size, big, 1);
  a = shmlab_payload_decode (segment, size, NULL);
  g_assert_cmpstr (a->text, ==, big);
  g_assert_cmpuint (a->frame_offset, ==, 0);

  write_text_frame (segment, size, "small", 2);
  b = shmlab_payload_decode (segment, size, NULL);
  g_assert_cmpstr (b->text, ==, "small");
  g_assert_cmpuint (b->frame_offset, ==, 0);

  write_text_frame (segment, size, "next", 3);
  c = shmlab_payload_decode (segment, size, NULL);
  g_assert_cmpstr (c->text, ==, "next");
  g_assert_cmpuint (c->frame_offset, ==, 256);
}

/* A stale frame in the second slot (from before the segment held text) is
 * older than what is written next, never shown over it. */
static void
test_double_buffer_stale_second_slot (void)
{
  const gsize size = 512;
  g_autofree guint8 *segment = g_malloc0 (size);
  g_autoptr(ShmlabPayload) text = NULL, frame = NULL;

  write_text_frame (segment, size, "old one", 1);
  write_text_frame (segment, size, "old two", 2);
  /* Plain text over the first slot: the second one is not shown. */
  memcpy (segment, "plain\0", 6);
  text = shmlab_payload_decode (segment, size, NULL);
  g_assert_cmpint (text->format, ==, SHMLAB_FORMAT_TEXT);
  g_assert_cmpstr (text->text, ==, "plain");

  write_text_frame (segment, size, "new", shmlab_frame_peek_generation (segment, size) + 1);
  frame = shmlab_payload_decode (segment, size, NULL);
  g_assert_cmpstr (frame->text, ==, "new");
  g_assert_cmpuint (frame->header.generation, ==, 3);
}

/* Plays a write back byte by byte in the order the writer stores them
 * (payload, header, generation) and stops it after @k bytes, as SIGKILL can. */
static void
replay_write_stopped (const guint8 *before,
                      const guint8 *after,
                      gsize         size,
                      gsize         slot,
                      gsize         payload_length,
                      gsize         k,
                      guint8       *out)
{
  gsize order[4][2] = {
    { slot + 64, slot + 64 + payload_length },
    { slot, slot + 40 },
    { slot + 48, slot + 64 },
    { slot + 40, slot + 48 },
  };

  memcpy (out, before, size);
  for (guint r = 0; r < G_N_ELEMENTS (order) && k > 0; r++)
    for (gsize i = order[r][0]; i < order[r][1] && k > 0; i++, k--)
      out[i] = after[i];
}

static void
check_stopped_writes (gsize    size,
                      gboolean double_buffered,
                      guint   *outcomes)
{
  g_autofree guint8 *before = g_malloc0 (size);
  g_autofree guint8 *after = NULL;
  g_autofree guint8 *stopped = g_malloc (size);
  g_autofree char *old_text = g_strnfill (double_buffered ? 100 : 300, 'o');
  g_autofree char *new_text = g_strnfill (double_buffered ? 100 : 300, 'n');
  gsize slot;
  gsize total;

  write_text_frame (before, size, "older", 1);
  write_text_frame (before, size, old_text, 2);
  after = g_memdup2 (before, size);
  write_text_frame (after, size, new_text, 3);
  {
    g_autoptr(ShmlabPayload) done = shmlab_payload_decode (after, size, NULL);
    slot = done->frame_offset;
  }
  total = 64 + strlen (new_text);

  for (gsize k = 0; k <= total; k++)
    {
      g_autoptr(ShmlabPayload) seen = NULL;
      g_autoptr(GError) error = NULL;

      replay_write_stopped (before, after, size, slot, strlen (new_text), k, stopped);
      seen = shmlab_payload_decode (stopped, size, &error);
      if (seen != NULL && strcmp (seen->text, old_text) == 0)
        outcomes[0]++;
      else if (seen != NULL && strcmp (seen->text, new_text) == 0)
        outcomes[1]++;
      else if (seen == NULL && !double_buffered)
        {
          /* One slot: a torn frame is refused, never shown. */
          g_assert_error (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_CHECKSUM);
          outcomes[2]++;
        }
      else
        g_error ("write stopped after %zu of %zu bytes: read %s", k, total,
                 seen ? seen->text : error->message);
    }
}

static void
test_double_buffer_stopped_anywhere (void)
{
  guint outcomes[3] = { 0 };

  /* Room for two: every stop leaves the old frame or the new one, whole. */
  check_stopped_writes (512, TRUE, outcomes);
  g_assert_cmpuint (outcomes[2], ==, 0);
  g_assert_cmpuint (outcomes[0], >, 100);
  g_assert_cmpuint (outcomes[1], >=, 1);

  /* Room for one: a stop in the middle is caught by the CRC. */
  memset (outcomes, 0, sizeof outcomes);
  check_stopped_writes (400, FALSE, outcomes);
  g_assert_cmpuint (outcomes[2], >, 100);
}

/* The newest slot torn: the other one is shown, with a note that says why. */
static void
test_double_buffer_note (void)
{
  const gsize size = 512;
  g_autofree guint8 *segment = g_malloc0 (size);
  g_autoptr(ShmlabPayload) seen = NULL;
  g_autoptr(GError) error = NULL;

  write_text_frame (segment, size, "complete", 1);
  write_text_frame (segment, size, "torn by a kill", 2);
  segment[256 + 64 + 3] ^= 0xff;
  seen = shmlab_payload_decode (segment, size, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (seen->text, ==, "complete");
  g_assert_nonnull (seen->note);
  g_assert_nonnull (strstr (seen->note, "generation 2"));
  g_assert_nonnull (strstr (seen->note, "incomplete"));
  g_assert_nonnull (strstr (seen->note, "generation 1"));
  g_assert_cmpuint (shmlab_frame_peek_generation (segment, size), ==, 2);
}

/* The first 64 KiB of a segment holding a 640 × 400 frame: its header checked
 * against the segment's size, its CRC left unchecked; the field that is
 * wrong comes as data, from the decoder's error too. */
static void
test_describe_partial_frame (void)
{
  g_autoptr(ShmlabImage) image = shmlab_image_new (640, 400, NULL);
  g_autoptr(ShmlabPayload) payload = shmlab_payload_new_image (image);
  g_autoptr(ShmlabEncoded) encoded = shmlab_payload_encode (payload, SHMLAB_FORMAT_FRAME, NULL);
  gsize size = shmlab_encoded_get_size (encoded);
  g_autofree guint8 *segment = g_malloc0 (size);
  g_autoptr(GError) error = NULL;
  const ShmlabPayloadErrorDetails *details;

  g_assert_cmpuint (size, ==, 64 + 640 * 400 * 4);
  g_assert_true (shmlab_encoded_write (encoded, segment, size, 0, 1, NULL, NULL));

  {
    g_autoptr(ShmlabDescription) description = shmlab_description_new (segment, 65536, size);
    g_autofree char *verdict = shmlab_description_to_string (description);

    g_assert_cmpstr (verdict, ==, "frame valid");
    g_assert_false (description->checked);
    g_assert_null (shmlab_description_get_wrong_field (description));
    g_assert_nonnull (shmlab_description_get_field (description, "payload_length"));
  }
  /* The same bytes in a segment too small for the payload. */
  {
    g_autoptr(ShmlabDescription) description = shmlab_description_new (segment, 65536, 100000);
    g_autofree char *verdict = shmlab_description_to_string (description);

    g_assert_cmpstr (verdict, ==, "frame damaged past-end payload_length");
    g_assert_cmpstr (shmlab_description_get_wrong_field (description)->name, ==,
                     "payload_length");
    g_assert_true (shmlab_description_get_wrong_field (description)->wrong);
  }
  /* The whole segment, one payload byte changed: the decoder and the description agree. */
  segment[1000] ^= 1;
  g_assert_null (shmlab_payload_decode (segment, size, &error));
  g_assert_error (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_CHECKSUM);
  details = shmlab_payload_error_get_details (error);
  g_assert_nonnull (details);
  g_assert_cmpint (details->format, ==, SHMLAB_FORMAT_FRAME);
  g_assert_cmpint (details->problem, ==, SHMLAB_PAYLOAD_PROBLEM_CHECKSUM);
  g_assert_cmpint (details->field, ==, SHMLAB_FRAME_FIELD_CRC32);
  g_assert_cmpstr (details->field_name, ==, "crc32");
  {
    g_autoptr(ShmlabDescription) description = shmlab_description_new (segment, size, size);

    g_assert_cmpint (description->verdict, ==, SHMLAB_VERDICT_DAMAGED);
    g_assert_cmpstr (shmlab_description_get_wrong_field (description)->name, ==, "crc32");
    g_assert_cmpstr (description->message, ==, error->message);
  }
  /* A copy of the error keeps its details. */
  {
    g_autoptr(GError) copy = g_error_copy (error);

    g_assert_cmpstr (shmlab_payload_error_get_details (copy)->field_name, ==, "crc32");
  }
}

/* Nothing, zeros, and bytes in no format. */
static void
test_describe_no_format (void)
{
  static const guint8 zeros[16] = { 0 };
  static const guint8 junk[] = { 0xff, 0xfe, 0x01, 0x02, 'a', 0x80, 0x00 };
  g_autoptr(ShmlabDescription) none = shmlab_description_new (NULL, 0, 0);
  g_autoptr(ShmlabDescription) empty = shmlab_description_new (zeros, sizeof zeros, 0);
  g_autoptr(ShmlabDescription) unknown = shmlab_description_new (junk, sizeof junk, 0);

  g_assert_cmpint (none->verdict, ==, SHMLAB_VERDICT_NO_BYTES);
  g_assert_cmpint (none->format, ==, SHMLAB_FORMAT_AUTO);
  g_assert_cmpint (empty->verdict, ==, SHMLAB_VERDICT_EMPTY);
  g_assert_cmpint (unknown->verdict, ==, SHMLAB_VERDICT_NOT_TEXT);
  g_assert_cmpuint (unknown->fields->len, ==, 0);
}

/* The Writer's byte count: what a text becomes in each format, said by the format itself. */
static void
test_format_text_size (void)
{
  g_autofree char *text = shmlab_format_describe_text_size (SHMLAB_FORMAT_TEXT, 5);
  g_autofree char *automatic = shmlab_format_describe_text_size (SHMLAB_FORMAT_AUTO, 1);
  g_autofree char *frame = shmlab_format_describe_text_size (SHMLAB_FORMAT_FRAME, 10);
  g_autofree char *qt = shmlab_format_describe_text_size (SHMLAB_FORMAT_QT_IMAGE, 3);

  g_assert_cmpstr (text, ==, "5 bytes of UTF-8 (+1 NUL = 6 in the segment)");
  g_assert_cmpstr (automatic, ==, "1 byte of UTF-8 (+1 NUL = 2 in the segment)");
  g_assert_cmpstr (frame, ==, "10 bytes of UTF-8 (+64-byte frame header = 74 in the segment)");
  g_assert_cmpstr (qt, ==, "3 bytes of UTF-8 — the Qt example image format holds only pictures: "
                           "pick another format to write text");
}

/* What a person is told of each format comes from the table: Auto says what
 * it does, and which content no Qt program can read, and what to choose. */
static void
test_format_words (void)
{
  static const struct
  {
    ShmlabFormat format;
    gboolean image;
    const char *note; /* NULL: a Qt program reads it */
  } cases[] = {
    { SHMLAB_FORMAT_AUTO, FALSE, NULL },
    { SHMLAB_FORMAT_AUTO, TRUE, "choose Qt example image" },
    { SHMLAB_FORMAT_TEXT, FALSE, NULL },
    { SHMLAB_FORMAT_TEXT, TRUE, "choose Qt example image" },
    { SHMLAB_FORMAT_QT_IMAGE, FALSE, "choose Plain text" },
    { SHMLAB_FORMAT_QT_IMAGE, TRUE, NULL },
    { SHMLAB_FORMAT_FRAME, FALSE, "choose Plain text" },
    { SHMLAB_FORMAT_FRAME, TRUE, "choose Qt example image" },
  };

  g_assert_cmpstr (shmlab_format_get_choice (SHMLAB_FORMAT_AUTO), ==, "Auto");
  g_assert_cmpstr (shmlab_format_get_choice (SHMLAB_FORMAT_TEXT), ==, "Plain text (Qt demo)");
  g_assert_cmpstr (shmlab_format_get_choice (SHMLAB_FORMAT_QT_IMAGE), ==,
                   "Qt example image (PNG stream)");
  g_assert_cmpstr (shmlab_format_get_choice (SHMLAB_FORMAT_FRAME), ==, "ShmLab frame");

  /* Auto says what it does with each, in the list and in its tooltip. */
  g_assert_nonnull (strstr (shmlab_format_get_summary (SHMLAB_FORMAT_AUTO),
                            "text as plain text, which the Qt demo reads"));
  g_assert_nonnull (strstr (shmlab_format_get_summary (SHMLAB_FORMAT_AUTO),
                            "pictures as a ShmLab frame, which Qt's example cannot read"));
  g_assert_nonnull (strstr (shmlab_format_get_explanation (SHMLAB_FORMAT_AUTO),
                            "choose Qt example image"));
  for (ShmlabFormat f = SHMLAB_FORMAT_AUTO; f <= SHMLAB_FORMAT_FRAME; f++)
    {
      g_assert_cmpstr (shmlab_format_get_summary (f), !=, "");
      g_assert_cmpstr (shmlab_format_get_explanation (f), !=, "");
    }

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *note = shmlab_format_get_qt_note (cases[i].format, cases[i].image);

      g_test_message ("%s %s: %s", shmlab_format_to_string (cases[i].format),
                      cases[i].image ? "picture" : "text", note ? note : "(Qt reads it)");
      if (cases[i].note == NULL)
        g_assert_null (note);
      else
        g_assert_nonnull (strstr (note, cases[i].note));
    }
}

int
main (int argc, char **argv)
{
  shmlab_test_init (&argc, &argv);
  g_test_add_func ("/payload/format/words", test_format_words);

  g_test_add_func ("/payload/text/round-trip", test_text_round_trip);
  g_test_add_func ("/payload/frame/decode-bytes-shares-rows", test_decode_bytes_shares_rows);
  g_test_add_func ("/payload/text/stops-at-nul", test_text_decode_stops_at_nul);
  g_test_add_func ("/payload/text/invalid-utf8", test_text_invalid_utf8);
  g_test_add_func ("/payload/text/zeros-and-null-qt-image", test_zeros_and_null_qt_image);
  g_test_add_func ("/payload/frame/text-invalid-utf8", test_text_frame_invalid_utf8);
  g_test_add_func ("/payload/frame/image-round-trip", test_frame_image_round_trip);
  g_test_add_func ("/payload/frame/image-wide-stride", test_frame_image_decode_wide_stride);
  g_test_add_func ("/payload/frame/longer-header", test_frame_longer_header);
  g_test_add_func ("/payload/frame/header-fields-written", test_frame_header_fields_written);
  g_test_add_func ("/payload/frame/fields-table", test_frame_fields);
  g_test_add_func ("/payload/frame/parse-partial", test_header_parse_partial);
  g_test_add_func ("/payload/frame/decode-read-only", test_decode_read_only);
  g_test_add_func ("/payload/malformed/magic", test_malformed_magic);
  g_test_add_func ("/payload/malformed/short-header", test_malformed_short_header);
  g_test_add_func ("/payload/malformed/version", test_malformed_version);
  g_test_add_func ("/payload/malformed/header-size", test_malformed_header_size);
  g_test_add_func ("/payload/malformed/kind", test_malformed_kind);
  g_test_add_func ("/payload/malformed/width", test_malformed_width);
  g_test_add_func ("/payload/malformed/height", test_malformed_height);
  g_test_add_func ("/payload/malformed/stride", test_malformed_stride);
  g_test_add_func ("/payload/malformed/payload-length", test_malformed_payload_length);
  g_test_add_func ("/payload/malformed/crc32", test_malformed_crc32);
  g_test_add_func ("/payload/qt-image/layout", test_qt_image_layout);
  g_test_add_func ("/payload/qt-image/round-trip", test_qt_image_round_trip);
  g_test_add_func ("/payload/qt-image/corrupt", test_qt_image_corrupt);
  g_test_add_func ("/payload/detection", test_detection);
  g_test_add_func ("/payload/write/too-large", test_write_too_large);
  g_test_add_func ("/payload/write/cut-text", test_write_cut_text);
  g_test_add_func ("/payload/write/cut-one-byte", test_write_cut_one_byte);
  g_test_add_func ("/payload/write/leaves-tail", test_write_leaves_tail);
  g_test_add_func ("/payload/generation", test_generation);
  g_test_add_func ("/payload/double-buffer/alternates", test_double_buffer_alternates);
  g_test_add_func ("/payload/double-buffer/big-frame", test_double_buffer_big_frame);
  g_test_add_func ("/payload/double-buffer/stale-second-slot", test_double_buffer_stale_second_slot);
  g_test_add_func ("/payload/double-buffer/stopped-anywhere", test_double_buffer_stopped_anywhere);
  g_test_add_func ("/payload/double-buffer/note", test_double_buffer_note);
  g_test_add_func ("/payload/encode/formats", test_encode_formats);
  g_test_add_func ("/payload/format/strings", test_format_strings);
  g_test_add_func ("/payload/describe/partial-frame", test_describe_partial_frame);
  g_test_add_func ("/payload/describe/no-format", test_describe_no_format);
  g_test_add_func ("/payload/format/text-size", test_format_text_size);

  return g_test_run ();
}
