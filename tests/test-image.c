/* test-image.c — tests of the RGBA8 image: sizes, limits, equality
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "shmlab-error.h"
#include "shmlab-image.h"
#include "shmlab-test-util.h"

static void
test_new (void)
{
  static const guint32 sizes[][2] = { { 1, 1 }, { 3, 1 }, { 1, 5 }, { 17, 9 }, { 16384, 1 } };

  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ShmlabImage) image = shmlab_image_new (sizes[i][0], sizes[i][1], &error);

      g_assert_no_error (error);
      g_assert_nonnull (image);
      g_assert_cmpuint (image->width, ==, sizes[i][0]);
      g_assert_cmpuint (image->height, ==, sizes[i][1]);
      g_assert_cmpuint (image->stride, ==, sizes[i][0] * 4);
      g_assert_cmpuint (shmlab_image_get_byte_size (image), ==, (gsize) sizes[i][0] * 4 * sizes[i][1]);
      /* A new image is transparent black. */
      for (gsize b = 0; b < shmlab_image_get_byte_size (image); b++)
        g_assert_cmpuint (image->pixels[b], ==, 0);
    }
}

static void
test_new_empty (void)
{
  static const guint32 sizes[][2] = { { 0, 1 }, { 1, 0 }, { 0, 0 } };

  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ShmlabImage) image = shmlab_image_new (sizes[i][0], sizes[i][1], &error);
      g_autofree char *size_text = g_strdup_printf ("%u × %u", sizes[i][0], sizes[i][1]);

      g_assert_null (image);
      g_assert_error (error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_INVALID_SIZE);
      g_assert_nonnull (strstr (error->message, size_text));
    }
}

static void
test_new_too_large (void)
{
  static const guint32 sizes[][2] = { { 16385, 1 }, { 1, 16385 }, { G_MAXUINT32, G_MAXUINT32 } };

  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ShmlabImage) image = shmlab_image_new (sizes[i][0], sizes[i][1], &error);
      g_autofree char *size_text = g_strdup_printf ("%u × %u", sizes[i][0], sizes[i][1]);

      g_assert_null (image);
      g_assert_error (error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_TOO_LARGE);
      g_assert_nonnull (strstr (error->message, size_text));
      g_assert_nonnull (strstr (error->message, "16384"));
    }
}

static void
test_size_check (void)
{
  g_autoptr(GError) error = NULL;
  guint32 stride = 0;
  gsize bytes = 0;

  /* 0 means the default limit, which is inclusive. */
  g_assert_true (shmlab_image_size_check (16384, 16384, 0, &stride, &bytes, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stride, ==, 65536);
  g_assert_cmpuint (bytes, ==, (gsize) 65536 * 16384);

  g_assert_true (shmlab_image_size_check (7, 3, 7, &stride, &bytes, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stride, ==, 28);
  g_assert_cmpuint (bytes, ==, 84);

  /* A caller's own limit is honoured and named. */
  g_assert_false (shmlab_image_size_check (8, 3, 7, NULL, NULL, &error));
  g_assert_error (error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "limit of 7 pixels"));
  g_clear_error (&error);

  g_assert_false (shmlab_image_size_check (0, 3, 7, NULL, NULL, &error));
  g_assert_error (error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_INVALID_SIZE);
}

static void
test_size_check_overflow (void)
{
  /* The stride (width × 4) no longer fits 32 bits. */
  static const guint64 sizes[][2] = {
    { G_GUINT64_CONSTANT (1) << 30, 1 },
    { G_GUINT64_CONSTANT (1) << 40, G_GUINT64_CONSTANT (1) << 40 },
    /* stride × height overflows 64 bits. */
    { G_GUINT64_CONSTANT (1) << 29, G_MAXUINT64 / 2 },
    { G_MAXUINT64, G_MAXUINT64 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(GError) error = NULL;
      guint32 stride = 12345;
      gsize bytes = 12345;

      g_assert_false (shmlab_image_size_check (sizes[i][0], sizes[i][1], G_MAXUINT64, &stride,
                                               &bytes, &error));
      g_assert_error (error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_TOO_LARGE);
      /* Nothing is written on failure. */
      g_assert_cmpuint (stride, ==, 12345);
      g_assert_cmpuint (bytes, ==, 12345);
    }
}

static void
fill_pattern (ShmlabImage *image)
{
  for (guint32 y = 0; y < image->height; y++)
    for (guint32 x = 0; x < image->width * 4; x++)
      image->pixels[(gsize) y * image->stride + x] = (guint8) (x * 7 + y * 13);
}

static void
test_equal (void)
{
  g_autoptr(ShmlabImage) a = shmlab_image_new (5, 3, NULL);
  g_autoptr(ShmlabImage) b = shmlab_image_new (5, 3, NULL);
  g_autoptr(ShmlabImage) c = shmlab_image_new (3, 5, NULL);

  fill_pattern (a);
  fill_pattern (b);
  fill_pattern (c);
  g_assert_true (shmlab_image_equal (a, a));
  g_assert_true (shmlab_image_equal (a, b));
  /* Same byte count, different shape. */
  g_assert_false (shmlab_image_equal (a, c));

  /* The last byte of the last pixel, and the alpha of the first. */
  b->pixels[shmlab_image_get_byte_size (b) - 1] ^= 1;
  g_assert_false (shmlab_image_equal (a, b));
  b->pixels[shmlab_image_get_byte_size (b) - 1] ^= 1;
  b->pixels[3] ^= 0x80;
  g_assert_false (shmlab_image_equal (a, b));
}

static void
test_equal_ignores_padding (void)
{
  g_autoptr(ShmlabImage) tight = shmlab_image_new (5, 3, NULL);
  g_autofree guint8 *padded_pixels = g_malloc (3 * 32);
  ShmlabImage padded = { .width = 5, .height = 3, .stride = 32, .pixels = padded_pixels };

  fill_pattern (tight);
  memset (padded_pixels, 0xaa, 3 * 32);
  fill_pattern (&padded);
  g_assert_true (shmlab_image_equal (tight, &padded));
  g_assert_true (shmlab_image_equal (&padded, tight));

  /* Padding is not compared; a visible pixel is. */
  padded_pixels[31] = 0x55;
  g_assert_true (shmlab_image_equal (tight, &padded));
  padded_pixels[32 + 19] ^= 0xff;
  g_assert_false (shmlab_image_equal (tight, &padded));
}

static void
test_ref (void)
{
  ShmlabImage *image = shmlab_image_new (2, 2, NULL);

  g_assert_true (shmlab_image_ref (image) == image);
  shmlab_image_unref (image);
  /* Still alive after one unref: the second releases it (checked by ASan and valgrind). */
  image->pixels[0] = 1;
  shmlab_image_unref (image);
}

/* Rows already in memory are used where they are, and must fit. */
static void
test_new_for_bytes (void)
{
  guint8 data[3 * 12];
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(ShmlabImage) image = NULL;
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < sizeof data; i++)
    data[i] = (guint8) i;
  bytes = g_bytes_new (data, sizeof data);

  /* 2 × 3 pixels, 12 bytes a row, starting 4 bytes in: the last row ends at 36. */
  image = shmlab_image_new_for_bytes (bytes, 4, 2, 3, 12, &error);
  g_assert_no_error (error);
  g_assert_true (image->pixels == (guint8 *) g_bytes_get_data (bytes, NULL) + 4);
  g_assert_cmpuint (image->pixels[12], ==, 16);
  g_clear_pointer (&image, shmlab_image_unref);

  image = shmlab_image_new_for_bytes (bytes, 5, 2, 3, 12, &error);
  g_assert_null (image);
  g_assert_error (error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_INVALID_SIZE);
  g_assert_nonnull (strstr (error->message, "do not fit"));
  g_clear_error (&error);

  image = shmlab_image_new_for_bytes (bytes, 0, 4, 2, 8, &error);
  g_assert_null (image);
  g_assert_error (error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_INVALID_SIZE);
  g_clear_error (&error);

  image = shmlab_image_new_for_bytes (bytes, 0, 2, G_MAXUINT32, 12, &error);
  g_assert_null (image);
  g_assert_nonnull (error);
}

int
main (int argc, char **argv)
{
  shmlab_test_init (&argc, &argv);
  g_test_add_func ("/image/new", test_new);
  g_test_add_func ("/image/new/empty", test_new_empty);
  g_test_add_func ("/image/new/too-large", test_new_too_large);
  g_test_add_func ("/image/size-check", test_size_check);
  g_test_add_func ("/image/size-check/overflow", test_size_check_overflow);
  g_test_add_func ("/image/equal", test_equal);
  g_test_add_func ("/image/equal/ignores-padding", test_equal_ignores_padding);
  g_test_add_func ("/image/ref", test_ref);
  g_test_add_func ("/image/new-for-bytes", test_new_for_bytes);
  return g_test_run ();
}
