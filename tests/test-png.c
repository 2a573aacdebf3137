/* test-png.c — tests of PNG reading and writing: every colour type, damaged
 * and hostile files, limits
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <png.h>
#include <zlib.h>

#include "shmlab-error.h"
#include "shmlab-image-loader.h"
#include "shmlab-png.h"
#include "shmlab-test-util.h"

/* A PNG to build with libpng's own writer: any IHDR, palette and tRNS. */
typedef struct
{
  guint32 width;
  guint32 height;
  int color_type;
  int bit_depth;
  int interlace;
  const png_color *palette;
  int n_palette;
  const png_byte *trans_alpha;
  int n_trans;
  const png_color_16 *trans_color;
  /* width × channels × height samples, each at most 2^bit_depth − 1 */
  const guint16 *samples;
} PngSpec;

static const guint32 test_sizes[][2] = {
  { 1, 1 }, { 2, 1 }, { 1, 2 }, { 3, 3 }, { 13, 7 }, { 7, 13 }, { 33, 5 },
};

static int
channels_of (int color_type)
{
  switch (color_type)
    {
    case PNG_COLOR_TYPE_GRAY: return 1;
    case PNG_COLOR_TYPE_PALETTE: return 1;
    case PNG_COLOR_TYPE_GRAY_ALPHA: return 2;
    case PNG_COLOR_TYPE_RGB: return 3;
    case PNG_COLOR_TYPE_RGB_ALPHA: return 4;
    default: g_assert_not_reached ();
    }
}

static const char *
color_type_name (int color_type)
{
  switch (color_type)
    {
    case PNG_COLOR_TYPE_GRAY: return "grey";
    case PNG_COLOR_TYPE_PALETTE: return "palette";
    case PNG_COLOR_TYPE_GRAY_ALPHA: return "grey+alpha";
    case PNG_COLOR_TYPE_RGB: return "RGB";
    case PNG_COLOR_TYPE_RGB_ALPHA: return "RGBA";
    default: g_assert_not_reached ();
    }
}

static void
on_test_png_error (png_structp     png,
                   png_const_charp message)
{
  g_error ("libpng could not write the test PNG: %s", message);
}

static void
append_to_array (png_structp png,
                 png_bytep   data,
                 size_t      count)
{
  g_byte_array_append (png_get_io_ptr (png), data, (guint) count);
}

static void
flush_nothing (png_structp png)
{
}

/* Packs the samples as the PNG stores them: several to a byte below 8 bits,
 * most significant first; big-endian at 16 bits. */
static guint8 *
pack_rows (const PngSpec *spec,
           gsize         *row_bytes_out)
{
  int channels = channels_of (spec->color_type);
  gsize samples_per_row = (gsize) spec->width * channels;
  gsize row_bytes = (samples_per_row * spec->bit_depth + 7) / 8;
  guint8 *rows = g_malloc0 (row_bytes * spec->height);

  for (guint32 y = 0; y < spec->height; y++)
    {
      guint8 *row = rows + y * row_bytes;

      for (gsize i = 0; i < samples_per_row; i++)
        {
          guint16 v = spec->samples[y * samples_per_row + i];

          g_assert_cmpuint (v, <=, (1u << spec->bit_depth) - 1);
          if (spec->bit_depth == 16)
            {
              row[2 * i] = v >> 8;
              row[2 * i + 1] = v & 0xff;
            }
          else if (spec->bit_depth == 8)
            row[i] = (guint8) v;
          else
            {
              gsize bit = i * spec->bit_depth;
              row[bit / 8] |= (guint8) (v << (8 - spec->bit_depth - bit % 8));
            }
        }
    }

  *row_bytes_out = row_bytes;
  return rows;
}

static GBytes *
build_png (const PngSpec *spec)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autofree guint8 *rows = NULL;
  g_autofree png_bytep *row_pointers = g_new (png_bytep, spec->height);
  png_structp png;
  png_infop info;
  gsize row_bytes;

  rows = pack_rows (spec, &row_bytes);
  for (guint32 y = 0; y < spec->height; y++)
    row_pointers[y] = rows + y * row_bytes;

  png = png_create_write_struct (PNG_LIBPNG_VER_STRING, NULL, on_test_png_error, NULL);
  info = png_create_info_struct (png);
  g_assert_nonnull (info);
  png_set_write_fn (png, out, append_to_array, flush_nothing);
  png_set_IHDR (png, info, spec->width, spec->height, spec->bit_depth, spec->color_type,
                spec->interlace, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (spec->palette != NULL)
    png_set_PLTE (png, info, spec->palette, spec->n_palette);
  if (spec->trans_alpha != NULL || spec->trans_color != NULL)
    png_set_tRNS (png, info, spec->trans_alpha, spec->n_trans, spec->trans_color);
  png_write_info (png, info);
  png_set_interlace_handling (png);
  png_write_image (png, row_pointers);
  png_write_end (png, NULL);
  png_destroy_write_struct (&png, &info);

  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* A sample reduced to 8 bits as the PNG specification says: low bit depths
 * are scaled up to fill 0–255, 16 bits rounds to nearest. */
static guint8
to_8_bits (guint v,
           int   bit_depth)
{
  switch (bit_depth)
    {
    case 1: return v ? 255 : 0;
    case 2: return (guint8) (v * 85);
    case 4: return (guint8) (v * 17);
    case 8: return (guint8) v;
    case 16: return (guint8) ((v + 128) / 257);
    default: g_assert_not_reached ();
    }
}

static void
expected_pixel (const PngSpec *spec,
                gsize          index,
                guint8         rgba[4])
{
  int channels = channels_of (spec->color_type);
  const guint16 *s = spec->samples + index * channels;
  int bd = spec->bit_depth;

  switch (spec->color_type)
    {
    case PNG_COLOR_TYPE_PALETTE:
      g_assert_cmpint (s[0], <, spec->n_palette);
      rgba[0] = spec->palette[s[0]].red;
      rgba[1] = spec->palette[s[0]].green;
      rgba[2] = spec->palette[s[0]].blue;
      rgba[3] = s[0] < spec->n_trans ? spec->trans_alpha[s[0]] : 255;
      break;
    case PNG_COLOR_TYPE_GRAY:
      rgba[0] = rgba[1] = rgba[2] = to_8_bits (s[0], bd);
      rgba[3] = spec->trans_color != NULL && s[0] == spec->trans_color->gray ? 0 : 255;
      break;
    case PNG_COLOR_TYPE_GRAY_ALPHA:
      rgba[0] = rgba[1] = rgba[2] = to_8_bits (s[0], bd);
      rgba[3] = to_8_bits (s[1], bd);
      break;
    case PNG_COLOR_TYPE_RGB:
      for (int c = 0; c < 3; c++)
        rgba[c] = to_8_bits (s[c], bd);
      rgba[3] = spec->trans_color != NULL && s[0] == spec->trans_color->red &&
                    s[1] == spec->trans_color->green && s[2] == spec->trans_color->blue
                  ? 0
                  : 255;
      break;
    case PNG_COLOR_TYPE_RGB_ALPHA:
      for (int c = 0; c < 4; c++)
        rgba[c] = to_8_bits (s[c], bd);
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
check_decodes (const PngSpec *spec)
{
  g_autoptr(GBytes) png = build_png (spec);
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabImage) image = NULL;
  g_autofree char *label =
    g_strdup_printf ("%s %d-bit %ux%u%s%s", color_type_name (spec->color_type), spec->bit_depth,
                     spec->width, spec->height,
                     spec->interlace == PNG_INTERLACE_ADAM7 ? " interlaced" : "",
                     spec->trans_alpha != NULL || spec->trans_color != NULL ? " with tRNS" : "");
  gsize length, consumed = 0;
  const guint8 *data = g_bytes_get_data (png, &length);

  image = shmlab_png_read (data, length, NULL, &consumed, &error);
  if (error != NULL)
    g_error ("%s: %s", label, error->message);
  g_assert_nonnull (image);
  g_assert_cmpuint (consumed, ==, length);
  g_assert_cmpuint (image->width, ==, spec->width);
  g_assert_cmpuint (image->height, ==, spec->height);
  g_assert_cmpuint (image->stride, >=, spec->width * 4);

  for (guint32 y = 0; y < spec->height; y++)
    for (guint32 x = 0; x < spec->width; x++)
      {
        const guint8 *got = image->pixels + (gsize) y * image->stride + (gsize) x * 4;
        guint8 want[4];

        expected_pixel (spec, (gsize) y * spec->width + x, want);
        if (memcmp (got, want, 4) != 0)
          {
            g_test_fail_printf ("%s: pixel (%u, %u) is %02x %02x %02x %02x, expected %02x %02x "
                                "%02x %02x",
                                label, x, y, got[0], got[1], got[2], got[3], want[0], want[1],
                                want[2], want[3]);
            return;
          }
      }
}

/* Samples from a fixed generator, with the extremes and 16-bit rounding
 * edges first so every image holds them. */
static guint16 *
make_samples (gsize count,
              int   bit_depth,
              guint seed)
{
  static const guint16 edges16[] = { 0, 65535, 257 * 10 + 128, 257 * 10 + 129, 0x1234, 0xff00,
                                     0x00ff, 0x8080, 0x7f80 };
  guint16 *samples = g_new (guint16, count);
  guint32 max = (1u << bit_depth) - 1;
  guint32 state = seed * 2654435761u + 1;

  for (gsize i = 0; i < count; i++)
    {
      state = state * 1103515245u + 12345u;
      samples[i] = (guint16) ((state >> 8) & max);
    }
  if (count > 0)
    samples[0] = 0;
  if (count > 1)
    samples[1] = (guint16) max;
  if (bit_depth == 16)
    for (gsize i = 0; i < G_N_ELEMENTS (edges16) && i < count; i++)
      samples[i] = edges16[i];
  return samples;
}

static void
test_decode_palette (void)
{
  static const int depths[] = { 1, 2, 4, 8 };

  for (gsize d = 0; d < G_N_ELEMENTS (depths); d++)
    for (int interlace = 0; interlace <= 1; interlace++)
      for (int with_trns = 0; with_trns <= 1; with_trns++)
        for (gsize s = 0; s < G_N_ELEMENTS (test_sizes); s++)
          {
            int bd = depths[d];
            /* 8-bit palettes need not be full: use fewer than 256 entries. */
            int n_palette = bd == 8 ? 200 : 1 << bd;
            png_color palette[256];
            png_byte trans[256];
            PngSpec spec = {
              .width = test_sizes[s][0],
              .height = test_sizes[s][1],
              .color_type = PNG_COLOR_TYPE_PALETTE,
              .bit_depth = bd,
              .interlace = interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
              .palette = palette,
              .n_palette = n_palette,
            };
            gsize count = (gsize) spec.width * spec.height;
            g_autofree guint16 *samples = g_new (guint16, count);

            for (int i = 0; i < n_palette; i++)
              {
                palette[i].red = (png_byte) (i * 37 + 5);
                palette[i].green = (png_byte) (255 - i * 11);
                palette[i].blue = (png_byte) (i * 101 + 3);
                trans[i] = (png_byte) (i * 53 + 1);
              }
            /* Only the first entries have alpha; the rest stay opaque. */
            if (with_trns)
              {
                spec.trans_alpha = trans;
                spec.n_trans = MAX (1, n_palette / 2);
              }
            for (gsize i = 0; i < count; i++)
              samples[i] = (guint16) ((i * 7 + s) % n_palette);
            samples[count - 1] = (guint16) (n_palette - 1);
            spec.samples = samples;
            check_decodes (&spec);
          }
}

/* Grey, grey+alpha, RGB or RGBA at @bd bits, with a tRNS colour that some
 * pixels match when @with_trns. */
static void
check_direct_colour (int color_type,
                     int bd,
                     int interlace,
                     int with_trns,
                     guint32 width,
                     guint32 height)
{
  int channels = channels_of (color_type);
  gsize count = (gsize) width * height * channels;
  g_autofree guint16 *samples = make_samples (count, bd, width * 31 + height + bd);
  png_color_16 trans = { 0 };
  PngSpec spec = {
    .width = width,
    .height = height,
    .color_type = color_type,
    .bit_depth = bd,
    .interlace = interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
    .samples = samples,
  };

  if (with_trns)
    {
      /* The transparent colour is the last pixel's, and every third pixel's. */
      const guint16 *last = samples + count - channels;

      for (gsize i = 0; i + channels <= count; i += 3 * channels)
        memcpy (samples + i, last, channels * sizeof (guint16));
      if (color_type == PNG_COLOR_TYPE_GRAY)
        trans.gray = last[0];
      else
        {
          trans.red = last[0];
          trans.green = last[1];
          trans.blue = last[2];
        }
      spec.trans_color = &trans;
    }
  check_decodes (&spec);
}

static void
test_decode_grey (void)
{
  static const int depths[] = { 1, 2, 4, 8, 16 };

  for (gsize d = 0; d < G_N_ELEMENTS (depths); d++)
    for (int interlace = 0; interlace <= 1; interlace++)
      for (int with_trns = 0; with_trns <= 1; with_trns++)
        for (gsize s = 0; s < G_N_ELEMENTS (test_sizes); s++)
          check_direct_colour (PNG_COLOR_TYPE_GRAY, depths[d], interlace, with_trns,
                               test_sizes[s][0], test_sizes[s][1]);
}

static void
test_decode_grey_alpha (void)
{
  for (int bd = 8; bd <= 16; bd += 8)
    for (int interlace = 0; interlace <= 1; interlace++)
      for (gsize s = 0; s < G_N_ELEMENTS (test_sizes); s++)
        check_direct_colour (PNG_COLOR_TYPE_GRAY_ALPHA, bd, interlace, FALSE, test_sizes[s][0],
                             test_sizes[s][1]);
}

static void
test_decode_rgb (void)
{
  for (int bd = 8; bd <= 16; bd += 8)
    for (int interlace = 0; interlace <= 1; interlace++)
      for (int with_trns = 0; with_trns <= 1; with_trns++)
        for (gsize s = 0; s < G_N_ELEMENTS (test_sizes); s++)
          check_direct_colour (PNG_COLOR_TYPE_RGB, bd, interlace, with_trns, test_sizes[s][0],
                               test_sizes[s][1]);
}

static void
test_decode_rgba (void)
{
  for (int bd = 8; bd <= 16; bd += 8)
    for (int interlace = 0; interlace <= 1; interlace++)
      for (gsize s = 0; s < G_N_ELEMENTS (test_sizes); s++)
        check_direct_colour (PNG_COLOR_TYPE_RGB_ALPHA, bd, interlace, FALSE, test_sizes[s][0],
                             test_sizes[s][1]);
}

static void
test_decode_widest (void)
{
  /* Exactly the default limit is accepted. */
  check_direct_colour (PNG_COLOR_TYPE_GRAY, 8, FALSE, FALSE, SHMLAB_IMAGE_MAX_DIMENSION, 1);
  check_direct_colour (PNG_COLOR_TYPE_GRAY, 1, TRUE, FALSE, 1, SHMLAB_IMAGE_MAX_DIMENSION);
}

/* Random RGBA, including transparent pixels that keep their colour. */
static ShmlabImage *
make_random_image (guint32 width,
                   guint32 height,
                   guint32 seed)
{
  g_autoptr(GError) error = NULL;
  ShmlabImage *image = shmlab_image_new (width, height, &error);
  GRand *rand = g_rand_new_with_seed (seed);

  g_assert_no_error (error);
  for (guint32 y = 0; y < height; y++)
    for (guint32 x = 0; x < width * 4; x++)
      image->pixels[(gsize) y * image->stride + x] = (guint8) g_rand_int_range (rand, 0, 256);
  image->pixels[3] = 0;
  image->pixels[0] = 0xff;
  g_rand_free (rand);
  return image;
}

static GBytes *
write_or_fail (const ShmlabImage *image)
{
  g_autoptr(GError) error = NULL;
  GBytes *png = shmlab_png_write (image, &error);

  g_assert_no_error (error);
  g_assert_nonnull (png);
  return png;
}

static void
test_round_trip (void)
{
  static const guint32 sizes[][2] = {
    { 1, 1 }, { 2, 1 }, { 1, 2 }, { 3, 3 }, { 5, 7 }, { 13, 1 }, { 127, 3 }, { 256, 256 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(ShmlabImage) image = make_random_image (sizes[i][0], sizes[i][1], (guint32) i);
      g_autoptr(GBytes) png = write_or_fail (image);
      g_autoptr(ShmlabImage) back = NULL;
      g_autoptr(GError) error = NULL;
      gsize length, consumed = 0;
      const guint8 *data = g_bytes_get_data (png, &length);

      g_assert_true (shmlab_png_has_signature (data, length));
      /* 8-bit RGBA, not interlaced: IHDR bytes 24 (depth), 25 (type), 28 (interlace). */
      g_assert_cmpuint (data[24], ==, 8);
      g_assert_cmpuint (data[25], ==, PNG_COLOR_TYPE_RGB_ALPHA);
      g_assert_cmpuint (data[28], ==, 0);

      back = shmlab_png_read (data, length, NULL, &consumed, &error);
      g_assert_no_error (error);
      g_assert_nonnull (back);
      g_assert_cmpuint (consumed, ==, length);
      g_assert_true (shmlab_image_equal (image, back));
    }
}

static void
test_write_honours_stride (void)
{
  g_autoptr(ShmlabImage) tight = make_random_image (5, 4, 99);
  g_autofree guint8 *padded_pixels = g_malloc (4 * 32);
  ShmlabImage padded = { .width = 5, .height = 4, .stride = 32, .pixels = padded_pixels };
  g_autoptr(GBytes) png = NULL;
  g_autoptr(ShmlabImage) back = NULL;
  g_autoptr(GError) error = NULL;

  /* The padding holds junk that must not reach the file. */
  memset (padded_pixels, 0x5a, 4 * 32);
  for (guint32 y = 0; y < 4; y++)
    memcpy (padded_pixels + y * 32, tight->pixels + y * tight->stride, 20);

  png = write_or_fail (&padded);
  back = shmlab_png_read (g_bytes_get_data (png, NULL), g_bytes_get_size (png), NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (shmlab_image_equal (tight, back));
}

static void
test_write_invalid (void)
{
  guint8 pixels[64] = { 0 };
  ShmlabImage narrow = { .width = 4, .height = 2, .stride = 12, .pixels = pixels };
  ShmlabImage empty = { .width = 0, .height = 2, .stride = 16, .pixels = pixels };
  g_autoptr(GError) error = NULL;
  GBytes *png;

  png = shmlab_png_write (&narrow, &error);
  g_assert_null (png);
  g_assert_error (error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_INVALID_SIZE);
  g_assert_nonnull (strstr (error->message, "stride is 12"));
  g_assert_nonnull (strstr (error->message, "needs 16"));
  g_clear_error (&error);

  png = shmlab_png_write (&empty, &error);
  g_assert_null (png);
  g_assert_error (error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_INVALID_SIZE);
}

static void
test_signature (void)
{
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  guint8 copy[8];

  g_assert_true (shmlab_png_has_signature (signature, 8));
  g_assert_false (shmlab_png_has_signature (signature, 7));
  g_assert_false (shmlab_png_has_signature (NULL, 0));
  for (gsize i = 0; i < 8; i++)
    {
      memcpy (copy, signature, 8);
      copy[i] ^= 0x20;
      g_assert_false (shmlab_png_has_signature (copy, 8));
    }
  /* What a text-mode transfer does to a PNG. */
  g_assert_false (shmlab_png_has_signature ((const guint8 *) "\x89PNG\n\x1a\n\n", 8));
}

static void
test_limits_default (void)
{
  ShmlabPngLimits limits;

  memset (&limits, 0xff, sizeof limits);
  shmlab_png_limits_init_default (&limits);
  g_assert_cmpuint (limits.max_dimension, ==, SHMLAB_IMAGE_MAX_DIMENSION);
  g_assert_cmpuint (limits.max_dimension, ==, 16384);
  g_assert_cmpuint (limits.max_pixel_bytes, ==, G_GUINT64_CONSTANT (1) << 30);
  g_assert_cmpuint (limits.max_chunk_bytes, ==, 8 * 1024 * 1024);
}

static guint8 *
dup_bytes (GBytes *bytes,
           gsize  *length)
{
  return g_memdup2 (g_bytes_get_data (bytes, NULL), *length = g_bytes_get_size (bytes));
}

static guint32
load_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static void
store_be32 (guint8 *p,
            guint32 v)
{
  p[0] = v >> 24;
  p[1] = v >> 16;
  p[2] = v >> 8;
  p[3] = v;
}

/* The offset of the first chunk of @type, at its length field. */
static gsize
find_chunk (const guint8 *data,
            gsize         length,
            const char   *type)
{
  gsize offset = 8;

  while (offset + 12 <= length)
    {
      if (memcmp (data + offset + 4, type, 4) == 0)
        return offset;
      offset += 12 + load_be32 (data + offset);
    }
  g_assert_not_reached ();
}

static void
fix_crc (guint8 *data,
         gsize   chunk)
{
  guint32 size = load_be32 (data + chunk);

  store_be32 (data + chunk + 8 + size, crc32 (crc32 (0, Z_NULL, 0), data + chunk + 4, 4 + size));
}

/* A PNG made by hand: signature and IHDR only, or IHDR, one IDAT of @idat and
 * IEND, each with a correct CRC. */
static GBytes *
make_raw_png (guint32       width,
              guint32       height,
              int           bit_depth,
              int           color_type,
              const guint8 *idat,
              gsize         idat_length)
{
  GByteArray *out = g_byte_array_new ();
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  guint8 ihdr[25] = { 0, 0, 0, 13, 'I', 'H', 'D', 'R' };

  g_byte_array_append (out, signature, 8);
  store_be32 (ihdr + 8, width);
  store_be32 (ihdr + 12, height);
  ihdr[16] = (guint8) bit_depth;
  ihdr[17] = (guint8) color_type;
  g_byte_array_append (out, ihdr, sizeof ihdr);
  fix_crc (out->data, 8);

  if (idat != NULL)
    {
      guint8 header[8] = { 0, 0, 0, 0, 'I', 'D', 'A', 'T' };
      guint8 iend[12] = { 0, 0, 0, 0, 'I', 'E', 'N', 'D' };
      gsize chunk = out->len;
      guint8 crc[4] = { 0 };

      store_be32 (header, (guint32) idat_length);
      g_byte_array_append (out, header, 8);
      g_byte_array_append (out, idat, (guint) idat_length);
      g_byte_array_append (out, crc, 4);
      fix_crc (out->data, chunk);
      chunk = out->len;
      g_byte_array_append (out, iend, 12);
      fix_crc (out->data, chunk);
    }
  return g_byte_array_free_to_bytes (out);
}

/* A small valid image with a palette, tRNS and interlacing: many chunks. */
static GBytes *
make_palette_png (void)
{
  static const png_color palette[4] = { { 1, 2, 3 }, { 40, 50, 60 }, { 200, 100, 0 }, { 9, 9, 9 } };
  static const png_byte trans[2] = { 0, 128 };
  guint16 samples[9 * 5];
  PngSpec spec = {
    .width = 9,
    .height = 5,
    .color_type = PNG_COLOR_TYPE_PALETTE,
    .bit_depth = 2,
    .interlace = PNG_INTERLACE_ADAM7,
    .palette = palette,
    .n_palette = 4,
    .trans_alpha = trans,
    .n_trans = 2,
    .samples = samples,
  };

  for (gsize i = 0; i < G_N_ELEMENTS (samples); i++)
    samples[i] = (guint16) (i % 4);
  return build_png (&spec);
}

static void
assert_read_fails (const guint8 *data,
                   gsize         length,
                   const ShmlabPngLimits *limits,
                   gint          code,
                   const char   *first_needle,
                   ...) G_GNUC_NULL_TERMINATED;

/* Reading fails with @code, and the message holds every needle. */
static void
assert_read_fails (const guint8          *data,
                   gsize                  length,
                   const ShmlabPngLimits *limits,
                   gint                   code,
                   const char            *first_needle,
                   ...)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabImage) image = NULL;
  gsize consumed = 12345;
  va_list args;

  image = shmlab_png_read (data, length, limits, &consumed, &error);
  g_assert_null (image);
  g_assert_error (error, SHMLAB_IMAGE_ERROR, code);
  g_assert_cmpuint (consumed, ==, 0);

  va_start (args, first_needle);
  for (const char *needle = first_needle; needle != NULL; needle = va_arg (args, const char *))
    if (strstr (error->message, needle) == NULL)
      g_test_fail_printf ("the message “%s” does not say “%s”", error->message, needle);
  va_end (args);
}

static void
test_corrupt_not_png (void)
{
  static const char text[] = "GIF89a this is not a PNG file at all, just some text to look at";
  g_autofree guint8 *garbage = g_malloc (4096);

  for (gsize i = 0; i < 4096; i++)
    garbage[i] = (guint8) (i * 131 + 7);
  assert_read_fails (garbage, 4096, NULL, SHMLAB_IMAGE_ERROR_CORRUPT, "signature", NULL);
  assert_read_fails ((const guint8 *) text, sizeof text, NULL, SHMLAB_IMAGE_ERROR_CORRUPT,
                     "not a PNG", NULL);
  assert_read_fails ((const guint8 *) "x", 1, NULL, SHMLAB_IMAGE_ERROR_CORRUPT, "signature", NULL);
  assert_read_fails ((const guint8 *) "", 0, NULL, SHMLAB_IMAGE_ERROR_CORRUPT, "empty", NULL);
  assert_read_fails (NULL, 0, NULL, SHMLAB_IMAGE_ERROR_CORRUPT, "empty", NULL);
}

static void
test_corrupt_ihdr_crc (void)
{
  g_autoptr(GBytes) png = make_palette_png ();
  gsize length;
  g_autofree guint8 *data = dup_bytes (png, &length);

  data[8 + 8 + 13] ^= 0x01;
  assert_read_fails (data, length, NULL, SHMLAB_IMAGE_ERROR_CORRUPT, "IHDR", "CRC", NULL);

  /* A damaged CRC with a huge size in IHDR: the damage is what is reported. */
  data[8 + 8 + 13] ^= 0x01;
  store_be32 (data + 16, 100000);
  assert_read_fails (data, length, NULL, SHMLAB_IMAGE_ERROR_CORRUPT, "IHDR", "CRC", NULL);
}

static void
test_corrupt_idat_zlib (void)
{
  g_autoptr(GBytes) png = make_palette_png ();
  gsize length, idat;
  g_autofree guint8 *data = dup_bytes (png, &length);

  /* The zlib header, with a correct CRC so only zlib can notice. */
  idat = find_chunk (data, length, "IDAT");
  data[idat + 8] = 0xff;
  data[idat + 9] = 0xff;
  fix_crc (data, idat);
  assert_read_fails (data, length, NULL, SHMLAB_IMAGE_ERROR_CORRUPT, "IDAT", NULL);
}

static void
test_corrupt_idat_stream (void)
{
  g_autoptr(GBytes) png = make_palette_png ();
  g_autoptr(ShmlabImage) want = NULL;
  gsize length, idat, size;
  g_autofree guint8 *original = dup_bytes (png, &length);

  want = shmlab_png_read (original, length, NULL, NULL, NULL);
  g_assert_nonnull (want);

  /* Every byte of the deflate stream and its Adler-32 in turn: the result is
   * an error, or (when only the padding bits after the last block changed)
   * the very same pixels, never different ones. */
  idat = find_chunk (original, length, "IDAT");
  size = load_be32 (original + idat);
  for (gsize i = 2; i < size; i++)
    {
      g_autofree guint8 *data = g_memdup2 (original, length);
      g_autoptr(GError) error = NULL;
      g_autoptr(ShmlabImage) image = NULL;

      data[idat + 8 + i] ^= 0x55;
      fix_crc (data, idat);
      image = shmlab_png_read (data, length, NULL, NULL, &error);
      if (image != NULL)
        g_assert_true (shmlab_image_equal (image, want));
      else
        g_assert_error (error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_CORRUPT);
    }
}

static void
test_corrupt_missing_iend (void)
{
  g_autoptr(GBytes) png = make_palette_png ();
  gsize length;
  g_autofree guint8 *data = dup_bytes (png, &length);
  g_autofree char *cut_text = g_strdup_printf ("after %" G_GSIZE_FORMAT " of", length - 12);

  g_assert_cmpmem (data + length - 8, 4, "IEND", 4);

  /* All the pixels are there, the end is not: the length of the PNG is unknown. */
  assert_read_fails (data, length - 12, NULL, SHMLAB_IMAGE_ERROR_TRUNCATED, cut_text, "IEND",
                     "truncated", NULL);

  /* In a zero-filled segment the IEND is followed by zeros, not by the end. */
  memset (data + length - 12, 0, 12);
  assert_read_fails (data, length, NULL, SHMLAB_IMAGE_ERROR_CORRUPT, "chunk", NULL);
}

static void
check_every_cut (GBytes *png)
{
  gsize length;
  const guint8 *whole = g_bytes_get_data (png, &length);

  for (gsize cut = 1; cut < length; cut++)
    {
      /* A copy of exactly @cut bytes, so a read past it is caught by ASan. */
      g_autofree guint8 *data = g_memdup2 (whole, cut);
      g_autofree char *cut_text = g_strdup_printf ("after %" G_GSIZE_FORMAT " of", cut);

      assert_read_fails (data, cut, NULL, SHMLAB_IMAGE_ERROR_TRUNCATED, cut_text, "truncated",
                         NULL);
    }
}

static void
test_corrupt_truncated (void)
{
  g_autoptr(GBytes) palette_png = make_palette_png ();
  g_autoptr(ShmlabImage) image = make_random_image (37, 29, 7);
  g_autoptr(GBytes) rgba_png = write_or_fail (image);

  check_every_cut (palette_png);
  check_every_cut (rgba_png);
}

static void
test_corrupt_chunks (void)
{
  g_autoptr(GBytes) png = make_palette_png ();
  gsize length, plte;
  g_autofree guint8 *data = dup_bytes (png, &length);

  /* An unknown critical chunk (upper-case first letter) cannot be skipped. */
  plte = find_chunk (data, length, "PLTE");
  memcpy (data + plte + 4, "QLTE", 4);
  fix_crc (data, plte);
  assert_read_fails (data, length, NULL, SHMLAB_IMAGE_ERROR_CORRUPT, "QLTE", NULL);

  /* A chunk type that is not letters. */
  memcpy (data + plte + 4, "PL\x01" "E", 4);
  fix_crc (data, plte);
  assert_read_fails (data, length, NULL, SHMLAB_IMAGE_ERROR_CORRUPT, "chunk", NULL);

  /* A palette image without its palette. */
  memcpy (data + plte + 4, "pLTE", 4);
  fix_crc (data, plte);
  assert_read_fails (data, length, NULL, SHMLAB_IMAGE_ERROR_CORRUPT, "damaged", NULL);

  /* A chunk that claims to go on past the end of the data. */
  memcpy (data + plte + 4, "PLTE", 4);
  fix_crc (data, plte);
  store_be32 (data + plte, 0x7ffffff0);
  assert_read_fails (data, length, NULL, SHMLAB_IMAGE_ERROR_TRUNCATED, "truncated", NULL);
}

/* @png with a tEXt chunk after IHDR whose CRC is wrong: libpng warns only. */
static GBytes *
insert_bad_ancillary_chunk (GBytes *png)
{
  static const guint8 text[] = "\0\0\0\x0b" "tEXt" "Title\0hello" "\xde\xad\xbe\xef";
  GByteArray *out = g_byte_array_new ();
  const guint8 *data = g_bytes_get_data (png, NULL);

  g_byte_array_append (out, data, 33);
  g_byte_array_append (out, text, sizeof text - 1);
  g_byte_array_append (out, data + 33, (guint) g_bytes_get_size (png) - 33);
  return g_byte_array_free_to_bytes (out);
}

static void
read_with_warning (void)
{
  g_autoptr(GBytes) png = make_palette_png ();
  g_autoptr(GBytes) warned = insert_bad_ancillary_chunk (png);
  g_autoptr(ShmlabImage) want = NULL;
  g_autoptr(ShmlabImage) got = NULL;
  g_autoptr(GError) error = NULL;
  gsize consumed = 0;

  want = shmlab_png_read (g_bytes_get_data (png, NULL), g_bytes_get_size (png), NULL, NULL, &error);
  g_assert_no_error (error);
  got = shmlab_png_read (g_bytes_get_data (warned, NULL), g_bytes_get_size (warned), NULL,
                         &consumed, &error);
  g_assert_no_error (error);
  g_assert_nonnull (got);
  g_assert_cmpuint (consumed, ==, g_bytes_get_size (warned));
  g_assert_true (shmlab_image_equal (want, got));
}

static void
test_warnings_are_quiet (void)
{
  if (g_test_subprocess ())
    {
      read_with_warning ();
      return;
    }

  /* The warning goes to g_debug(), which prints nothing unless asked. */
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("");
  g_test_trap_assert_stdout_unmatched ("*libpng*");
}

static void
test_limits_huge_ihdr (void)
{
  static const guint32 sizes[][2] = {
    { 100000, 100000 }, { 16385, 1 }, { 1, 16385 }, { 0x7fffffff, 0x7fffffff },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      /* No IDAT at all: had the reader gone on, it would report truncation. */
      g_autoptr(GBytes) png = make_raw_png (sizes[i][0], sizes[i][1], 8, PNG_COLOR_TYPE_RGB_ALPHA,
                                            NULL, 0);
      g_autofree char *size_text = g_strdup_printf ("%u × %u", sizes[i][0], sizes[i][1]);

      assert_read_fails (g_bytes_get_data (png, NULL), g_bytes_get_size (png), NULL,
                         SHMLAB_IMAGE_ERROR_TOO_LARGE, size_text, "16384", NULL);
    }
}

static void
test_limits_zero_size (void)
{
  static const guint32 sizes[][2] = { { 0, 1 }, { 1, 0 }, { 0, 0 } };
  static const guint8 idat[] = { 0x78, 0x9c, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01 };

  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(GBytes) png = make_raw_png (sizes[i][0], sizes[i][1], 8, PNG_COLOR_TYPE_GRAY, idat,
                                            sizeof idat);
      g_autofree char *size_text = g_strdup_printf ("%u × %u", sizes[i][0], sizes[i][1]);

      assert_read_fails (g_bytes_get_data (png, NULL), g_bytes_get_size (png), NULL,
                         SHMLAB_IMAGE_ERROR_CORRUPT, size_text, NULL);
    }
}

static void
test_limits_bad_ihdr (void)
{
  static const guint8 idat[] = { 0x78, 0x9c, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01 };
  /* Bit depth 3, RGB at 4 bits, colour type 5: not in the PNG specification. */
  static const int forms[][2] = { { 3, PNG_COLOR_TYPE_GRAY }, { 4, PNG_COLOR_TYPE_RGB }, { 8, 5 } };

  for (gsize i = 0; i < G_N_ELEMENTS (forms); i++)
    {
      g_autoptr(GBytes) png = make_raw_png (1, 1, forms[i][0], forms[i][1], idat, sizeof idat);

      assert_read_fails (g_bytes_get_data (png, NULL), g_bytes_get_size (png), NULL,
                         SHMLAB_IMAGE_ERROR_CORRUPT, "IHDR", NULL);
    }
}

static GBytes *
make_grey_png (guint32 width,
               guint32 height)
{
  g_autofree guint16 *samples = make_samples ((gsize) width * height, 8, 1);
  PngSpec spec = {
    .width = width,
    .height = height,
    .color_type = PNG_COLOR_TYPE_GRAY,
    .bit_depth = 8,
    .samples = samples,
  };

  return build_png (&spec);
}

static void
assert_reads (GBytes                *png,
              const ShmlabPngLimits *limits)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabImage) image =
    shmlab_png_read (g_bytes_get_data (png, NULL), g_bytes_get_size (png), limits, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (image);
}

static void
test_limits_custom_dimension (void)
{
  ShmlabPngLimits limits;
  g_autoptr(GBytes) fits = make_grey_png (64, 64);
  g_autoptr(GBytes) wide = make_grey_png (65, 1);
  g_autoptr(GBytes) tall = make_grey_png (1, 65);

  shmlab_png_limits_init_default (&limits);
  limits.max_dimension = 64;
  assert_reads (fits, &limits);
  assert_read_fails (g_bytes_get_data (wide, NULL), g_bytes_get_size (wide), &limits,
                     SHMLAB_IMAGE_ERROR_TOO_LARGE, "the PNG picture is 65 × 1", "limit of 64 pixels", NULL);
  assert_read_fails (g_bytes_get_data (tall, NULL), g_bytes_get_size (tall), &limits,
                     SHMLAB_IMAGE_ERROR_TOO_LARGE, "1 × 65", "limit of 64 pixels", NULL);

  /* The defaults let them through. */
  assert_reads (wide, NULL);
  assert_reads (tall, NULL);
}

static void
test_limits_pixel_bytes (void)
{
  ShmlabPngLimits limits;
  g_autoptr(GBytes) fits = make_grey_png (16, 16);
  g_autoptr(GBytes) over = make_grey_png (17, 16);

  /* 16 × 16 × 4 is exactly 1024 bytes. */
  shmlab_png_limits_init_default (&limits);
  limits.max_pixel_bytes = 1024;
  assert_reads (fits, &limits);
  assert_read_fails (g_bytes_get_data (over, NULL), g_bytes_get_size (over), &limits,
                     SHMLAB_IMAGE_ERROR_TOO_LARGE, "17 × 16", "need 1088 bytes",
                     "limit of 1024 bytes", NULL);
}

static void
test_limits_zero_means_default (void)
{
  ShmlabPngLimits limits = { 0 };
  g_autoptr(GBytes) png = make_grey_png (300, 2);
  g_autoptr(GBytes) huge = make_raw_png (16385, 1, 8, PNG_COLOR_TYPE_GRAY, NULL, 0);

  assert_reads (png, &limits);
  assert_read_fails (g_bytes_get_data (huge, NULL), g_bytes_get_size (huge), &limits,
                     SHMLAB_IMAGE_ERROR_TOO_LARGE, "16384", NULL);
}

/* A private ancillary chunk of @size bytes after IHDR. */
static GBytes *
insert_big_chunk (GBytes *png,
                  gsize   size)
{
  GByteArray *out = g_byte_array_new ();
  const guint8 *data = g_bytes_get_data (png, NULL);
  g_autofree guint8 *chunk = g_malloc0 (size + 12);

  store_be32 (chunk, (guint32) size);
  memcpy (chunk + 4, "prIv", 4);
  fix_crc (chunk, 0);
  g_byte_array_append (out, data, 33);
  g_byte_array_append (out, chunk, (guint) size + 12);
  g_byte_array_append (out, data + 33, (guint) g_bytes_get_size (png) - 33);
  return g_byte_array_free_to_bytes (out);
}

static void
test_limits_chunk_bytes (void)
{
  ShmlabPngLimits limits;
  g_autoptr(GBytes) png = make_grey_png (4, 4);
  g_autoptr(GBytes) small = insert_big_chunk (png, 1000);
  g_autoptr(GBytes) big = insert_big_chunk (png, 5000);
  g_autoptr(ShmlabImage) noisy = make_random_image (64, 64, 3);
  g_autoptr(GBytes) big_idat = write_or_fail (noisy);
  gsize length;
  g_autofree guint8 *data = dup_bytes (big_idat, &length);

  shmlab_png_limits_init_default (&limits);
  limits.max_chunk_bytes = 4096;
  assert_reads (small, &limits);
  /* An ancillary chunk over the limit is skipped unread, not refused. */
  assert_reads (big, &limits);
  /* The image data is not held to the chunk limit: 16 KiB of noise in one IDAT. */
  g_assert_cmpuint (load_be32 (data + find_chunk (data, length, "IDAT")), >, 4096);
  assert_reads (big_idat, &limits);
}

static void
test_consumed (void)
{
  g_autoptr(GBytes) png = make_palette_png ();
  gsize length = g_bytes_get_size (png);
  static const gsize trailers[] = { 0, 1, 12, 4096 };

  for (gsize i = 0; i < G_N_ELEMENTS (trailers); i++)
    {
      g_autofree guint8 *data = g_malloc (length + trailers[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(ShmlabImage) image = NULL;
      gsize consumed = 0;

      /* What follows a PNG in a segment: zeros, or leftovers of a bigger one. */
      memcpy (data, g_bytes_get_data (png, NULL), length);
      for (gsize t = 0; t < trailers[i]; t++)
        data[length + t] = (guint8) (i % 2 ? 0 : t * 17 + 1);
      image = shmlab_png_read (data, length + trailers[i], NULL, &consumed, &error);
      g_assert_no_error (error);
      g_assert_nonnull (image);
      g_assert_cmpuint (consumed, ==, length);
    }
}

static char *
temp_path (const char *name)
{
  return g_build_filename (shmlab_test_get_temp_dir (), name, NULL);
}

static void
test_file_round_trip (void)
{
  g_autoptr(ShmlabImage) image = make_random_image (19, 11, 5);
  g_autoptr(ShmlabImage) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = temp_path ("round-trip.png");
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_true (shmlab_png_write_file (image, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_true (shmlab_png_has_signature ((const guint8 *) contents, length));

  back = shmlab_image_load_file (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (shmlab_image_equal (image, back));

  /* Writing again replaces the file. */
  g_clear_pointer (&back, shmlab_image_unref);
  image->pixels[0] ^= 0xff;
  g_assert_true (shmlab_png_write_file (image, path, &error));
  g_assert_no_error (error);
  back = shmlab_image_load_file (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (shmlab_image_equal (image, back));
  g_unlink (path);
}

static void
test_file_missing (void)
{
  g_autofree char *path = temp_path ("there-is-no-such.png");
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabImage) image = shmlab_image_load_file (path, NULL, &error);

  g_assert_null (image);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "check the path"));
}

static void
test_file_not_regular (void)
{
  g_autofree char *fifo = temp_path ("a-pipe.png");
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabImage) image = NULL;

  image = shmlab_image_load_file (shmlab_test_get_temp_dir (), NULL, &error);
  g_assert_null (image);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR);
  g_assert_nonnull (strstr (error->message, shmlab_test_get_temp_dir ()));
  g_clear_error (&error);

  /* A pipe with no writer: refused, not waited on. */
  if (mkfifo (fifo, 0600) != 0)
    {
      g_test_skip_printf ("mkfifo failed (%s), so a pipe cannot be tried", g_strerror (errno));
      return;
    }
  image = shmlab_image_load_file (fifo, NULL, &error);
  g_assert_null (image);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL);
  g_assert_nonnull (strstr (error->message, fifo));
  g_unlink (fifo);
}

static void
test_file_too_big (void)
{
  g_autofree char *path = temp_path ("huge.png");
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabImage) image = NULL;
  int fd;

  /* Sparse: it takes no space, and must be refused before it is read. */
  fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  g_assert_cmpint (fd, >=, 0);
  if (ftruncate (fd, (off_t) 512 * 1024 * 1024 + 1) != 0)
    {
      g_close (fd, NULL);
      g_unlink (path);
      g_test_skip_printf ("cannot make a sparse 512 MiB file here: %s", g_strerror (errno));
      return;
    }
  g_close (fd, NULL);

  image = shmlab_image_load_file (path, NULL, &error);
  g_assert_null (image);
  g_assert_error (error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "536870913 bytes"));
  g_unlink (path);
}

static void
test_file_not_png (void)
{
  g_autofree char *path = temp_path ("not-a.png");
  g_autoptr(GBytes) png = make_palette_png ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabImage) image = NULL;

  g_assert_true (g_file_set_contents (path, "hello", 5, NULL));
  image = shmlab_image_load_file (path, NULL, &error);
  g_assert_null (image);
  g_assert_error (error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_UNKNOWN_TYPE);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "not a picture ShmLab can open"));
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (png, NULL),
                                      (gssize) g_bytes_get_size (png) - 20, NULL));
  image = shmlab_image_load_file (path, NULL, &error);
  g_assert_null (image);
  g_assert_error (error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_TRUNCATED);
  g_assert_nonnull (strstr (error->message, path));
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (path, "", 0, NULL));
  image = shmlab_image_load_file (path, NULL, &error);
  g_assert_null (image);
  g_assert_error (error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_UNKNOWN_TYPE);
  g_assert_nonnull (strstr (error->message, "empty"));
  g_unlink (path);
}

static void
test_file_write_fails (void)
{
  g_autoptr(ShmlabImage) image = make_random_image (3, 3, 1);
  g_autofree char *path = g_build_filename (shmlab_test_get_temp_dir (), "no-such-folder",
                                            "out.png", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (shmlab_png_write_file (image, path, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_nonnull (strstr (error->message, "no-such-folder"));
  g_assert_nonnull (strstr (error->message, "folder exists"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

int
main (int argc, char **argv)
{
  shmlab_test_init (&argc, &argv);
  g_test_add_func ("/png/signature", test_signature);
  g_test_add_func ("/png/round-trip", test_round_trip);
  g_test_add_func ("/png/write/honours-stride", test_write_honours_stride);
  g_test_add_func ("/png/write/invalid", test_write_invalid);
  g_test_add_func ("/png/decode/palette", test_decode_palette);
  g_test_add_func ("/png/decode/grey", test_decode_grey);
  g_test_add_func ("/png/decode/grey-alpha", test_decode_grey_alpha);
  g_test_add_func ("/png/decode/rgb", test_decode_rgb);
  g_test_add_func ("/png/decode/rgba", test_decode_rgba);
  g_test_add_func ("/png/decode/widest", test_decode_widest);
  g_test_add_func ("/png/consumed", test_consumed);
  g_test_add_func ("/png/corrupt/not-png", test_corrupt_not_png);
  g_test_add_func ("/png/corrupt/ihdr-crc", test_corrupt_ihdr_crc);
  g_test_add_func ("/png/corrupt/idat-zlib", test_corrupt_idat_zlib);
  g_test_add_func ("/png/corrupt/idat-stream", test_corrupt_idat_stream);
  g_test_add_func ("/png/corrupt/missing-iend", test_corrupt_missing_iend);
  g_test_add_func ("/png/corrupt/truncated", test_corrupt_truncated);
  g_test_add_func ("/png/corrupt/chunks", test_corrupt_chunks);
  g_test_add_func ("/png/corrupt/warnings-are-quiet", test_warnings_are_quiet);
  g_test_add_func ("/png/limits/default", test_limits_default);
  g_test_add_func ("/png/limits/huge-ihdr", test_limits_huge_ihdr);
  g_test_add_func ("/png/limits/zero-size", test_limits_zero_size);
  g_test_add_func ("/png/limits/bad-ihdr", test_limits_bad_ihdr);
  g_test_add_func ("/png/limits/custom-dimension", test_limits_custom_dimension);
  g_test_add_func ("/png/limits/pixel-bytes", test_limits_pixel_bytes);
  g_test_add_func ("/png/limits/zero-means-default", test_limits_zero_means_default);
  g_test_add_func ("/png/limits/chunk-bytes", test_limits_chunk_bytes);
  g_test_add_func ("/png/file/round-trip", test_file_round_trip);
  g_test_add_func ("/png/file/missing", test_file_missing);
  g_test_add_func ("/png/file/not-regular", test_file_not_regular);
  g_test_add_func ("/png/file/too-big", test_file_too_big);
  g_test_add_func ("/png/file/not-png", test_file_not_png);
  g_test_add_func ("/png/file/write-fails", test_file_write_fails);
  return g_test_run ();
}
