/* test-image-loader.c — every common picture type opens: PNG through
 * libpng, JPEG, GIF, BMP, TIFF, WebP and ICO through GdkPixbuf's loaders,
 * with the PNG reader's limits and one sentence for what cannot be opened
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>

#include "shmlab-error.h"
#include "shmlab-image-loader.h"
#include "shmlab-png.h"
#include "shmlab-test-util.h"

/* A picture whose every pixel differs, so a turned or shifted copy shows. */
static GdkPixbuf *
make_pixbuf (int      width,
             int      height,
             gboolean alpha)
{
  GdkPixbuf *pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, alpha, 8, width, height);
  int channels = gdk_pixbuf_get_n_channels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint8 *p = pixels + y * stride + x * channels;

        p[0] = (guint8) (40 * x + 7);
        p[1] = (guint8) (60 * y + 11);
        p[2] = (guint8) (13 * (x + y) + 90);
        if (alpha)
          p[3] = (guint8) (255 - 20 * (x + y));
      }
  return pixbuf;
}

/* Two flat halves, red and blue, for JPEG, which keeps no pixel exactly. */
static GdkPixbuf *
make_halves (int width,
             int height)
{
  GdkPixbuf *pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint8 *p = pixels + y * stride + x * 3;
        gboolean left = x < width / 2;

        p[0] = left ? 220 : 20;
        p[1] = 30;
        p[2] = left ? 20 : 210;
      }
  return pixbuf;
}

static GBytes *
save_pixbuf (GdkPixbuf  *pixbuf,
             const char *type)
{
  g_autoptr(GError) error = NULL;
  gchar *buffer = NULL;
  gsize size = 0;

  g_assert_true (gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &size, type, &error, NULL));
  g_assert_no_error (error);
  return g_bytes_new_take (buffer, size);
}

static void
assert_same_pixels (const ShmlabImage *image,
                    GdkPixbuf         *pixbuf,
                    guint              tolerance)
{
  int channels = gdk_pixbuf_get_n_channels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);
  const guint8 *pixels = gdk_pixbuf_read_pixels (pixbuf);

  g_assert_cmpuint (image->width, ==, (guint) gdk_pixbuf_get_width (pixbuf));
  g_assert_cmpuint (image->height, ==, (guint) gdk_pixbuf_get_height (pixbuf));
  for (guint32 y = 0; y < image->height; y++)
    for (guint32 x = 0; x < image->width; x++)
      {
        const guint8 *want = pixels + y * stride + x * channels;
        const guint8 *got = image->pixels + (gsize) y * image->stride + (gsize) x * 4;

        /* JPEG blurs the colours where the halves meet: the blocks there are not compared. */
        if (tolerance > 0 && x >= image->width / 2 - 8 && x < image->width / 2 + 8)
          continue;
        for (int c = 0; c < 4; c++)
          {
            guint expected = c < channels ? want[c] : 255;
            guint diff = got[c] > expected ? got[c] - expected : expected - got[c];

            if (diff > tolerance)
              g_error ("pixel (%u, %u) channel %d is %u, not %u", x, y, c, got[c], expected);
          }
      }
}

static char *
temp_path (const char *name)
{
  return g_build_filename (shmlab_test_get_temp_dir (), name, NULL);
}

/* Both ways in: the bytes, and a file of them. */
static void
assert_loads (GBytes     *bytes,
              const char *file_name,
              const char *type,
              GdkPixbuf  *want,
              guint       tolerance)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabImage) from_bytes = NULL;
  g_autoptr(ShmlabImage) from_file = NULL;
  g_autofree char *path = temp_path (file_name);

  g_assert_cmpstr (shmlab_image_type_sniff (g_bytes_get_data (bytes, NULL),
                                            g_bytes_get_size (bytes)), ==, type);
  from_bytes = shmlab_image_load (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), NULL,
                                  &error);
  g_assert_no_error (error);
  assert_same_pixels (from_bytes, want, tolerance);

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (bytes, NULL),
                                      (gssize) g_bytes_get_size (bytes), NULL));
  from_file = shmlab_image_load_file (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (shmlab_image_equal (from_bytes, from_file));
  g_unlink (path);
}

static void
test_jpeg (void)
{
  g_autoptr(GdkPixbuf) halves = make_halves (48, 16);
  g_autoptr(GBytes) jpeg = save_pixbuf (halves, "jpeg");

  /* JPEG keeps flat areas close, never exact. */
  assert_loads (jpeg, "picture.jpg", "JPEG", halves, 40);
}

static void
test_lossless (gconstpointer data)
{
  const char *loader = data;
  /* BMP holds no alpha; TIFF's is premultiplied, so it keeps only opaque pixels exact. */
  gboolean alpha = g_str_equal (loader, "ico");
  g_autoptr(GdkPixbuf) pixbuf = make_pixbuf (5, 3, alpha);
  g_autoptr(GBytes) bytes = save_pixbuf (pixbuf, loader);
  g_autofree char *name = g_strdup_printf ("picture.%s", loader);
  const char *type = g_str_equal (loader, "bmp")    ? "BMP"
                     : g_str_equal (loader, "tiff") ? "TIFF"
                                                    : "ICO";

  assert_loads (bytes, name, type, pixbuf, 0);
}

/* GdkPixbuf saves no GIF: this one is made by hand, every pixel a code of
 * its own after a clear code, so the LZW table never grows. */
static GBytes *
make_gif (const guint8 palette[4][3],
          const guint8 *indices,
          guint8        width,
          guint8        height)
{
  GByteArray *gif = g_byte_array_new ();
  static const guint8 header[] = { 'G', 'I', 'F', '8', '9', 'a' };
  guint8 screen[] = { width, 0, height, 0, 0x81 /* global table of 4 */, 0, 0 };
  guint8 image[] = { 0x2c, 0, 0, 0, 0, width, 0, height, 0, 0 };
  guint8 packed[64] = { 0 };
  guint bits = 0;
  guint8 code_size = 2, block;

  g_assert_cmpuint ((guint) width * height * 6 + 6, <=, sizeof packed * 8);
  g_byte_array_append (gif, header, sizeof header);
  g_byte_array_append (gif, screen, sizeof screen);
  g_byte_array_append (gif, &palette[0][0], 12);
  g_byte_array_append (gif, image, sizeof image);
  g_byte_array_append (gif, &code_size, 1);

  /* Codes of 3 bits, least significant first: clear (4), the pixel, …, end (5). */
  for (guint i = 0; i <= (guint) width * height; i++)
    {
      guint codes[2] = { 4, i < (guint) width * height ? indices[i] : 5 };

      for (guint c = (i < (guint) width * height ? 0 : 1); c < 2; c++)
        for (guint b = 0; b < 3; b++, bits++)
          if (codes[c] & (1u << b))
            packed[bits / 8] |= (guint8) (1u << (bits % 8));
    }
  block = (guint8) ((bits + 7) / 8);
  g_byte_array_append (gif, &block, 1);
  g_byte_array_append (gif, packed, block);
  g_byte_array_append (gif, (const guint8 *) "\0;", 2);
  return g_byte_array_free_to_bytes (gif);
}

static void
test_gif (void)
{
  static const guint8 palette[4][3] = {
    { 255, 0, 0 }, { 0, 200, 0 }, { 0, 0, 180 }, { 250, 250, 10 },
  };
  static const guint8 indices[] = { 0, 1, 2, 3, 2, 1 };
  g_autoptr(GBytes) gif = NULL;
  g_autoptr(GdkPixbuf) want = NULL;
  guint8 *pixels;

  if (!shmlab_image_type_can_load ("GIF"))
    {
      g_test_skip ("this system has no GdkPixbuf loader for GIF");
      return;
    }
  gif = make_gif (palette, indices, 3, 2);
  want = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 3, 2);
  pixels = gdk_pixbuf_get_pixels (want);
  for (guint i = 0; i < G_N_ELEMENTS (indices); i++)
    memcpy (pixels + (i / 3) * gdk_pixbuf_get_rowstride (want) + (i % 3) * 3,
            palette[indices[i]], 3);
  assert_loads (gif, "picture.gif", "GIF", want, 0);
}

static void
test_webp (void)
{
  g_autoptr(GdkPixbuf) pixbuf = make_halves (48, 16);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) webp = NULL;
  gchar *buffer = NULL;
  gsize size = 0;

  if (!shmlab_image_type_can_load ("WebP"))
    {
      g_test_skip ("this system has no GdkPixbuf loader for WebP (Debian: webp-pixbuf-loader)");
      return;
    }
  if (!gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &size, "webp", &error, NULL))
    {
      g_test_skip_printf ("the WebP loader here cannot save a picture to try: %s",
                          error->message);
      return;
    }
  webp = g_bytes_new_take (buffer, size);
  /* Lossy, as JPEG. */
  assert_loads (webp, "picture.webp", "WebP", pixbuf, 40);
}

/* A JPEG's SOF0 says how large it is: this one says 20000 × 20000. */
static GBytes *
make_huge_jpeg (guint16 width,
                guint16 height)
{
  g_autoptr(GdkPixbuf) small = make_halves (16, 16);
  g_autoptr(GBytes) jpeg = save_pixbuf (small, "jpeg");
  gsize length = g_bytes_get_size (jpeg);
  guint8 *data = g_memdup2 (g_bytes_get_data (jpeg, NULL), length);

  for (gsize i = 2; i + 9 < length; i++)
    if (data[i] == 0xff && data[i + 1] == 0xc0)
      {
        data[i + 5] = (guint8) (height >> 8);
        data[i + 6] = (guint8) height;
        data[i + 7] = (guint8) (width >> 8);
        data[i + 8] = (guint8) width;
        return g_bytes_new_take (data, length);
      }
  g_assert_not_reached ();
}

static void
test_limits (void)
{
  g_autoptr(GBytes) huge = make_huge_jpeg (20000, 20000);
  g_autoptr(GdkPixbuf) small = make_halves (100, 100);
  g_autoptr(GBytes) jpeg = save_pixbuf (small, "jpeg");
  g_autofree char *path = temp_path ("huge.jpg");
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabImage) image = NULL;
  ShmlabPngLimits limits = { 0 };

  /* Refused from its header, before 1.6 GB are asked for. */
  g_assert_true (g_file_set_contents (path, g_bytes_get_data (huge, NULL),
                                      (gssize) g_bytes_get_size (huge), NULL));
  image = shmlab_image_load_file (path, NULL, &error);
  g_assert_null (image);
  g_assert_error (error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_TOO_LARGE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "huge.jpg"));
  g_assert_nonnull (strstr (error->message, "JPEG picture is 20000 × 20000 pixels"));
  g_assert_nonnull (strstr (error->message, "limit of 16384 pixels a side"));
  g_assert_nonnull (strstr (error->message, "scale the image down first"));
  g_clear_error (&error);
  g_unlink (path);

  /* The memory limit, as for a PNG. */
  limits.max_pixel_bytes = 1000;
  image = shmlab_image_load (g_bytes_get_data (jpeg, NULL), g_bytes_get_size (jpeg), &limits,
                             &error);
  g_assert_null (image);
  g_assert_error (error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "100 × 100 pixels, which need 40000 bytes"));
}

/* What cannot be opened gets one sentence: what happened, what to do, once. */
static void
test_cannot_open (void)
{
  static const struct
  {
    const char *name;
    const char *contents;
    gssize length;
    int code;
    const char *says;
  } cases[] = {
    { "empty.png", "", 0, SHMLAB_IMAGE_ERROR_UNKNOWN_TYPE, "is empty (0 bytes)" },
    { "notes.txt", "just some words", -1, SHMLAB_IMAGE_ERROR_UNKNOWN_TYPE,
      "not a picture ShmLab can open" },
    { "broken.jpg", "\xff\xd8\xff\xe0 this is no JPEG after all", -1, SHMLAB_IMAGE_ERROR_CORRUPT,
      "JPEG picture is damaged" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = temp_path (cases[i].name);
      g_autoptr(GError) error = NULL;
      g_autoptr(ShmlabImage) image = NULL;

      g_assert_true (g_file_set_contents (path, cases[i].contents, cases[i].length, NULL));
      image = shmlab_image_load_file (path, NULL, &error);
      g_assert_null (image);
      g_assert_error (error, SHMLAB_IMAGE_ERROR, cases[i].code);
      g_test_message ("%s: %s", cases[i].name, error->message);
      g_assert_nonnull (strstr (error->message, cases[i].name));
      g_assert_nonnull (strstr (error->message, cases[i].says));
      /* One piece of advice, one sentence. */
      g_assert_cmpuint (shmlab_test_count_occurrences (error->message, "choose"), ==, 1);
      g_assert_cmpuint (shmlab_test_count_occurrences (error->message, "; "), <=, 1);
      g_unlink (path);
    }
}

/* What a file chooser offers: what this system can open. */
static void
test_mime_types (void)
{
  g_auto(GStrv) types = shmlab_image_types_dup_mime_types ();

  g_assert_true (g_strv_contains ((const char *const *) types, "image/png"));
  g_assert_true (g_strv_contains ((const char *const *) types, "image/jpeg"));
  g_assert_cmpint (g_strv_contains ((const char *const *) types, "image/webp"), ==,
                   shmlab_image_type_can_load ("WebP"));
  g_assert_false (shmlab_image_type_can_load ("SVG"));
}

int
main (int argc, char **argv)
{
  shmlab_test_init (&argc, &argv);
  g_test_add_func ("/image-loader/jpeg", test_jpeg);
  g_test_add_data_func ("/image-loader/bmp", "bmp", test_lossless);
  g_test_add_data_func ("/image-loader/tiff", "tiff", test_lossless);
  g_test_add_data_func ("/image-loader/ico", "ico", test_lossless);
  g_test_add_func ("/image-loader/gif", test_gif);
  g_test_add_func ("/image-loader/webp", test_webp);
  g_test_add_func ("/image-loader/limits", test_limits);
  g_test_add_func ("/image-loader/cannot-open", test_cannot_open);
  g_test_add_func ("/image-loader/mime-types", test_mime_types);
  return g_test_run ();
}
