/* test-stream-source.c — where a stream's frames come from: the pattern
 * differs from one frame to the next in every band; a folder plays its
 * pictures in name order, fitted; a video is read through mmap, y4m and raw,
 * and every lie or cut in a file is a clear error
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "shmlab-image.h"
#include "shmlab-png.h"
#include "shmlab-stream-source.h"
#include "shmlab-test-util.h"

static char *
temp_file (const char   *name,
           const guint8 *bytes,
           gsize         length)
{
  char *path = g_build_filename (shmlab_test_get_temp_dir (), name, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, (const char *) bytes, (gssize) length, &error));
  return path;
}

/* Two frames next to each other differ in every band of 16 rows: a tear
 * anywhere shows. */
static void
test_pattern (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabStreamSource) source = shmlab_stream_source_new_pattern (640, 360, &error);
  g_autofree guint8 *a = g_malloc (640 * 360 * 4);
  g_autofree guint8 *b = g_malloc (640 * 360 * 4);
  g_autofree char *described = NULL;

  g_assert_no_error (error);
  g_assert_true (shmlab_stream_source_render (source, 1, 0, a, 640 * 4, &error));
  g_assert_true (shmlab_stream_source_render (source, 2, 20000000, b, 640 * 4, &error));
  for (guint band = 0; band < 360 / 16; band++)
    g_assert_true (memcmp (a + band * 16 * 640 * 4, b + band * 16 * 640 * 4, 16 * 640 * 4) != 0);
  /* Opaque. */
  for (gsize i = 3; i < 640 * 360 * 4; i += 4)
    g_assert_cmpuint (a[i], ==, 255);
  described = shmlab_stream_source_describe (source);
  g_assert_cmpstr (described, ==, "the test pattern, 640 × 360");
  g_assert_cmpuint (shmlab_stream_source_get_n_frames (source), ==, 0);

  g_assert_null (shmlab_stream_source_new_pattern (8, 360, &error));
  g_assert_error (error, SHMLAB_STREAM_SOURCE_ERROR, SHMLAB_STREAM_SOURCE_ERROR_SIZE);
}

/* How many pixels of rows @from to @to are the digits' white ink (the
 * stripes are saturated colours, never white). */
static guint
count_ink (const guint8 *rgba,
           guint32       width,
           guint32       from,
           guint32       to,
           guint8       *mask)
{
  guint count = 0;

  for (guint32 y = from; y < to; y++)
    for (guint32 x = 0; x < width; x++)
      {
        const guint8 *p = rgba + ((gsize) y * width + x) * 4;
        gboolean ink = p[0] == 255 && p[1] == 255 && p[2] == 255;

        if (mask != NULL)
          mask[(gsize) (y - from) * width + x] = ink;
        count += ink;
      }
  return count;
}

/* The frame's number is drawn large in the upper half, its time in the
 * lower: frame 1 and frame 8 differ in the number's shape, two times of one
 * frame only in the clock. */
static void
test_pattern_digits (void)
{
  const guint32 w = 640, h = 360;
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabStreamSource) source = shmlab_stream_source_new_pattern (w, h, &error);
  g_autofree guint8 *a = g_malloc (w * h * 4);
  g_autofree guint8 *b = g_malloc (w * h * 4);
  g_autofree guint8 *mask_a = g_malloc (w * h);
  g_autofree guint8 *mask_b = g_malloc (w * h);
  guint ink_1, ink_8;

  g_assert_no_error (error);
  g_assert_true (shmlab_stream_source_render (source, 1, 0, a, w * 4, &error));
  g_assert_true (shmlab_stream_source_render (source, 8, 0, b, w * 4, &error));
  /* The number: "#1" has less ink than "#8", and in other places; it is a
   * quarter of the height tall, so it has thousands of pixels. */
  ink_1 = count_ink (a, w, 0, h / 2, mask_a);
  ink_8 = count_ink (b, w, 0, h / 2, mask_b);
  g_assert_cmpuint (ink_1, >, 1000);
  g_assert_cmpuint (ink_8, >, ink_1);
  g_assert_true (memcmp (mask_a, mask_b, w * h / 2) != 0);
  /* The clock of both reads 00:00.000: the same ink. */
  count_ink (a, w, h / 2, h, mask_a);
  count_ink (b, w, h / 2, h, mask_b);
  g_assert_true (memcmp (mask_a, mask_b, w * (h - h / 2)) == 0);

  /* Frame 8 again, 61.25 s later: the clock changed, the number did not. */
  g_assert_true (shmlab_stream_source_render (source, 8, G_GINT64_CONSTANT (61250000000), a, w * 4, &error));
  count_ink (a, w, 0, h / 2, mask_a);
  count_ink (b, w, 0, h / 2, mask_b);
  g_assert_true (memcmp (mask_a, mask_b, w * h / 2) == 0);
  count_ink (a, w, h / 2, h, mask_a);
  count_ink (b, w, h / 2, h, mask_b);
  g_assert_true (memcmp (mask_a, mask_b, w * (h - h / 2)) != 0);

  /* At 4K too, and with a row stride wider than the frame. */
  {
    g_autoptr(ShmlabStreamSource) big = shmlab_stream_source_new_pattern (3840, 2160, &error);
    gsize stride = 3840 * 4 + 64;
    g_autofree guint8 *frame = g_malloc0 (stride * 2160);

    g_assert_no_error (error);
    g_assert_true (shmlab_stream_source_render (big, 12345, G_GINT64_CONSTANT (3599999000000), frame, stride, &error));
    for (guint32 y = 0; y < 2160; y += 97)
      {
        g_assert_cmpuint (frame[y * stride + 3], ==, 255);
        g_assert_cmpuint (frame[y * stride + 3840 * 4 - 1], ==, 255);
        g_assert_cmpuint (frame[y * stride + 3840 * 4], ==, 0);
      }
  }
}

/* A y4m of 2 frames of 16 × 16, 4:2:0: one grey (Y 126, U V 128), one
 * red-ish (Y 81, U 90, V 240, BT.601 for 255 0 0). */
static GByteArray *
make_y4m (const char *header,
          guint       frames)
{
  GByteArray *bytes = g_byte_array_new ();
  static const guint8 yuv[2][3] = { { 126, 128, 128 }, { 81, 90, 240 } };

  g_byte_array_append (bytes, (const guint8 *) header, strlen (header));
  for (guint f = 0; f < frames; f++)
    {
      guint8 plane[256];

      g_byte_array_append (bytes, (const guint8 *) "FRAME\n", 6);
      memset (plane, yuv[f % 2][0], 256);
      g_byte_array_append (bytes, plane, 256);
      memset (plane, yuv[f % 2][1], 64);
      g_byte_array_append (bytes, plane, 64);
      memset (plane, yuv[f % 2][2], 64);
      g_byte_array_append (bytes, plane, 64);
    }
  return bytes;
}

static void
test_y4m (void)
{
  g_autoptr(GByteArray) bytes = make_y4m ("YUV4MPEG2 W16 H16 F25:1 Ip A1:1 C420jpeg\n", 2);
  g_autofree char *path = temp_file ("clip.y4m", bytes->data, bytes->len);
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabStreamSource) source = shmlab_stream_source_new_video (path, 0, 0, &error);
  guint8 rgba[16 * 16 * 4];
  g_autofree char *described = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (shmlab_stream_source_get_width (source), ==, 16);
  g_assert_cmpuint (shmlab_stream_source_get_n_frames (source), ==, 2);
  g_assert_cmpfloat (shmlab_stream_source_get_fps (source), ==, 25);
  g_assert_true (shmlab_stream_source_render (source, 1, 0, rgba, 64, &error));
  g_assert_cmpint (ABS (rgba[0] - 128), <=, 2);
  g_assert_cmpint (ABS (rgba[1] - 128), <=, 2);
  g_assert_cmpint (ABS (rgba[2] - 128), <=, 2);
  g_assert_true (shmlab_stream_source_render (source, 2, 0, rgba, 64, &error));
  g_assert_cmpint (rgba[0], >=, 250);
  g_assert_cmpint (rgba[1], <=, 5);
  g_assert_cmpint (rgba[2], <=, 5);
  /* It loops. */
  g_assert_true (shmlab_stream_source_render (source, 3, 0, rgba, 64, &error));
  g_assert_cmpint (ABS (rgba[0] - 128), <=, 2);
  described = shmlab_stream_source_describe (source);
  g_assert_cmpstr (described, ==, "clip.y4m: 16 × 16, 25 fps, 2 frames (YUV 4:2:0)");
}

/* One frame of @chroma, @w × @h, every pixel grey (Y 126, U V 128) but the
 * last: Y 81 with the last chroma sample U 90, V 240 (red). */
static GByteArray *
make_y4m_one_red_corner (const char *chroma,
                         guint32     w,
                         guint32     h,
                         gsize       cw,
                         gsize       ch)
{
  GByteArray *bytes = g_byte_array_new ();
  g_autofree char *header = g_strdup_printf ("YUV4MPEG2 W%u H%u F30000:1001 Ip C%s XYSCSS=%s\n",
                                             w, h, chroma, chroma);
  g_autofree guint8 *plane = g_malloc ((gsize) w * h);

  g_byte_array_append (bytes, (const guint8 *) header, strlen (header));
  g_byte_array_append (bytes, (const guint8 *) "FRAME Ip\n", 9);
  memset (plane, 126, (gsize) w * h);
  plane[(gsize) w * h - 1] = 81;
  g_byte_array_append (bytes, plane, w * h);
  for (guint c = 0; c < 2 && cw > 0; c++)
    {
      memset (plane, 128, cw * ch);
      plane[cw * ch - 1] = c == 0 ? 90 : 240;
      g_byte_array_append (bytes, plane, (guint) (cw * ch));
    }
  return bytes;
}

static void
assert_rgb (const guint8 *p,
            int           r,
            int           g,
            int           b)
{
  if (ABS (p[0] - r) > 2 || ABS (p[1] - g) > 2 || ABS (p[2] - b) > 2 || p[3] != 255)
    g_error ("%u %u %u %u, not %d %d %d 255", p[0], p[1], p[2], p[3], r, g, b);
}

/* Odd sizes round their chroma planes up; 4:2:2, 4:4:4 and mono are read
 * too; the frame header's parameters are skipped. */
static void
test_y4m_chroma (void)
{
  static const struct { const char *chroma; guint32 w, h; gsize cw, ch; const char *label; } cases[] = {
    { "420jpeg", 17, 19, 9, 10, "YUV 4:2:0" },
    { "420mpeg2", 16, 16, 8, 8, "YUV 4:2:0" },
    { "422", 17, 16, 9, 16, "YUV 4:2:2" },
    { "444", 16, 17, 16, 17, "YUV 4:4:4" },
    { "mono", 17, 17, 0, 0, "mono" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint32 w = cases[i].w, h = cases[i].h;
      g_autoptr(GByteArray) bytes = make_y4m_one_red_corner (cases[i].chroma, w, h, cases[i].cw, cases[i].ch);
      g_autofree char *name = g_strdup_printf ("chroma-%s.y4m", cases[i].chroma);
      g_autofree char *path = temp_file (name, bytes->data, bytes->len);
      g_autoptr(GError) error = NULL;
      g_autoptr(ShmlabStreamSource) source = shmlab_stream_source_new_video (path, 0, 0, &error);
      g_autofree guint8 *rgba = g_malloc ((gsize) w * h * 4);
      g_autofree char *described = NULL;
      g_autofree char *expected = NULL;
      gsize last = ((gsize) w * h - 1) * 4;

      g_assert_no_error (error);
      g_assert_cmpuint (shmlab_stream_source_get_width (source), ==, w);
      g_assert_cmpuint (shmlab_stream_source_get_height (source), ==, h);
      g_assert_cmpuint (shmlab_stream_source_get_n_frames (source), ==, 1);
      g_assert_true (shmlab_stream_source_render (source, 1, 0, rgba, (gsize) w * 4, &error));
      assert_rgb (rgba, 128, 128, 128);
      /* The pixel before the last takes the grey sample unless it shares
       * the last one (4:2:x with an even width). */
      if (cases[i].cw == 0)
        assert_rgb (rgba + last, 76, 76, 76);
      else
        assert_rgb (rgba + last, 255, 0, 0);
      if (cases[i].cw == w || cases[i].cw == 0 || w % 2 == 1)
        assert_rgb (rgba + last - 4, 128, 128, 128);
      described = shmlab_stream_source_describe (source);
      expected = g_strdup_printf ("%s: %u × %u, 29.97 fps, 1 frame (%s)", name, w, h, cases[i].label);
      g_assert_cmpstr (described, ==, expected);
    }
}

/* A frame whose FRAME marker is missing ends the video there; the frames
 * before it play. */
static void
test_y4m_marker_missing (void)
{
  g_autoptr(GByteArray) bytes = make_y4m ("YUV4MPEG2 W16 H16 F25:1\n", 3);
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabStreamSource) source = NULL;
  gsize second = strlen ("YUV4MPEG2 W16 H16 F25:1\n") + 6 + 384;

  memcpy (bytes->data + second, "FRAMX", 5);
  path = temp_file ("two-lost.y4m", bytes->data, bytes->len);
  source = shmlab_stream_source_new_video (path, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (shmlab_stream_source_get_n_frames (source), ==, 1);
}

/* A 12 GB y4m (sparse: only its header and FRAME markers are written) is
 * indexed by its markers and its last frame shown, without reading the
 * rest: a reader of the whole file would run out of memory or time. */
static void
test_y4m_huge (void)
{
  const char header[] = "YUV4MPEG2 W3840 H2160 F60:1 C420jpeg\n";
  const gsize frame = 6 + (gsize) 3840 * 2160 * 3 / 2;
  const guint n = 1000;
  g_autofree char *path = g_build_filename (shmlab_test_get_temp_dir (), "huge.y4m", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabStreamSource) source = NULL;
  g_autofree guint8 *rgba = g_malloc ((gsize) 3840 * 2160 * 4);
  int fd = g_open (path, O_RDWR | O_CREAT | O_TRUNC, 0600);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (pwrite (fd, header, strlen (header), 0), ==, (gssize) strlen (header));
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (pwrite (fd, "FRAME\n", 6, (off_t) (strlen (header) + i * frame)), ==, 6);
  g_assert_cmpint (ftruncate (fd, (off_t) (strlen (header) + n * frame)), ==, 0);
  close (fd);

  source = shmlab_stream_source_new_video (path, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (shmlab_stream_source_get_n_frames (source), ==, n);
  g_assert_true (shmlab_stream_source_render (source, n, 0, rgba, (gsize) 3840 * 4, &error));
  /* Y 0, U V 0: limited range's below-black with no chroma reads as green. */
  g_assert_cmpuint (rgba[3], ==, 255);
  g_assert_cmpuint (rgba[1], >, 100);
  g_assert_cmpint (g_remove (path), ==, 0);
}

/* Cut short, lying, or not a video at all: each an error naming the file. */
static void
test_video_hostile (void)
{
  static const struct { const char *header; guint frames; gssize cut; int code; } cases[] = {
    { "YUV4MPEG2 W16 H16 F25:1 C420jpeg\n", 1, 100, SHMLAB_STREAM_SOURCE_ERROR_TRUNCATED },
    { "YUV4MPEG2 W16 H16 F25:1 C420jpeg\n", 0, -1, SHMLAB_STREAM_SOURCE_ERROR_TRUNCATED },
    { "YUV4MPEG2 W100000 H16 F25:1\n", 1, -1, SHMLAB_STREAM_SOURCE_ERROR_SIZE },
    { "YUV4MPEG2 W99999999999999999999 H16\n", 1, -1, SHMLAB_STREAM_SOURCE_ERROR_FORMAT },
    { "YUV4MPEG2 H16 F25:1\n", 1, -1, SHMLAB_STREAM_SOURCE_ERROR_FORMAT },
    { "YUV4MPEG2 W16 H16 F25:0\n", 1, -1, SHMLAB_STREAM_SOURCE_ERROR_FORMAT },
    { "YUV4MPEG2 W16 H16 C420p10\n", 1, -1, SHMLAB_STREAM_SOURCE_ERROR_FORMAT },
    { "YUV4MPEG2 W16 H16 F25:1", 0, -1, SHMLAB_STREAM_SOURCE_ERROR_FORMAT },
    { "YUV4MPEG2 W4096 H4096 F25:1 C420jpeg\n", 1, -1, SHMLAB_STREAM_SOURCE_ERROR_TRUNCATED },
    { "GIF89a not a video at all\n", 0, -1, SHMLAB_STREAM_SOURCE_ERROR_FORMAT },
    { "YUV4MPEG2 W0 H16 F25:1\n", 1, -1, SHMLAB_STREAM_SOURCE_ERROR_FORMAT },
    { "YUV4MPEG2 W16 H-16 F25:1\n", 1, -1, SHMLAB_STREAM_SOURCE_ERROR_FORMAT },
    { "YUV4MPEG2 W16 H16 F25:1\n", 1, 30, SHMLAB_STREAM_SOURCE_ERROR_TRUNCATED },
    { "YUV4MPEG2 W16 H16 F25:1\n", 1, 4, SHMLAB_STREAM_SOURCE_ERROR_TRUNCATED },
    { "YUV4MPEG2 W8 H8 F25:1\n", 1, -1, SHMLAB_STREAM_SOURCE_ERROR_SIZE },
    { "YUV4MPEG2 W16 H16 F25:1 C420\nfRAME\n", 0, -1, SHMLAB_STREAM_SOURCE_ERROR_FORMAT },
    { "YUV4MPEG2 W16 H16 F25:1 C420\nFRAME", 0, -1, SHMLAB_STREAM_SOURCE_ERROR_TRUNCATED },
    { "YUV4MPEG2 W7680 H4320 F25:1\nFRAME\n", 0, -1, SHMLAB_STREAM_SOURCE_ERROR_TRUNCATED },
    { "YUV4MPEG2", 0, -1, SHMLAB_STREAM_SOURCE_ERROR_FORMAT },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GByteArray) bytes = make_y4m (cases[i].header, cases[i].frames);
      g_autofree char *name = g_strdup_printf ("bad%u.y4m", i);
      g_autofree char *path = NULL;
      g_autoptr(GError) error = NULL;
      ShmlabStreamSource *source;

      if (cases[i].cut >= 0)
        g_byte_array_set_size (bytes, (guint) MIN ((gsize) bytes->len, strlen (cases[i].header) + (gsize) cases[i].cut));
      path = temp_file (name, bytes->data, bytes->len);
      source = shmlab_stream_source_new_video (path, 0, 0, &error);
      g_assert_null (source);
      g_assert_error (error, SHMLAB_STREAM_SOURCE_ERROR, cases[i].code);
      if (strstr (error->message, name) == NULL)
        g_error ("case %u: %s", i, error->message);
    }
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *missing = g_build_filename (shmlab_test_get_temp_dir (), "none.y4m", NULL);

    g_assert_null (shmlab_stream_source_new_video (missing, 0, 0, &error));
    g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
    g_clear_error (&error);
    g_assert_null (shmlab_stream_source_new_video (shmlab_test_get_temp_dir (), 0, 0, &error));
    g_assert_error (error, SHMLAB_STREAM_SOURCE_ERROR, SHMLAB_STREAM_SOURCE_ERROR_FORMAT);
  }
}

/* Raw RGBA: whole frames only; a file that shrinks is refused, not SIGBUS. */
static void
test_raw (void)
{
  gsize frame = 16 * 16 * 4;
  g_autofree guint8 *bytes = g_malloc (frame * 3 + 7);
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabStreamSource) source = NULL;
  guint8 rgba[16 * 16 * 4];
  g_autofree char *described = NULL;

  for (gsize i = 0; i < frame * 3 + 7; i++)
    bytes[i] = (guint8) (i / frame + 1);
  path = temp_file ("clip.rgba", bytes, frame * 3 + 7);
  source = shmlab_stream_source_new_video (path, 16, 16, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (shmlab_stream_source_get_n_frames (source), ==, 3);
  g_assert_cmpfloat (shmlab_stream_source_get_fps (source), ==, 0);
  described = shmlab_stream_source_describe (source);
  g_assert_cmpstr (described, ==, "clip.rgba: 16 × 16, 3 frames (RGBA)");
  g_assert_true (shmlab_stream_source_render (source, 2, 0, rgba, 64, &error));
  g_assert_cmpuint (rgba[0], ==, 2);
  /* Frame 4 is frame 1 again. */
  g_assert_true (shmlab_stream_source_render (source, 4, 0, rgba, 64, &error));
  g_assert_cmpuint (rgba[0], ==, 1);
  /* The file is cut to one frame while mapped. */
  g_assert_cmpint (truncate (path, (off_t) frame), ==, 0);
  g_assert_false (shmlab_stream_source_render (source, 3, 0, rgba, 64, &error));
  g_assert_error (error, SHMLAB_STREAM_SOURCE_ERROR, SHMLAB_STREAM_SOURCE_ERROR_TRUNCATED);
  g_assert_nonnull (strstr (error->message, "clip.rgba"));
  g_clear_error (&error);
  /* The frame still there plays. */
  g_assert_true (shmlab_stream_source_render (source, 1, 0, rgba, 64, &error));
  g_assert_no_error (error);

  /* Shorter than one frame; a size outside the limits; no size at all. */
  g_clear_pointer (&source, shmlab_stream_source_free);
  g_assert_null (shmlab_stream_source_new_video (path, 32, 32, &error));
  g_assert_error (error, SHMLAB_STREAM_SOURCE_ERROR, SHMLAB_STREAM_SOURCE_ERROR_TRUNCATED);
  g_clear_error (&error);
  g_assert_null (shmlab_stream_source_new_video (path, 16, 8, &error));
  g_assert_error (error, SHMLAB_STREAM_SOURCE_ERROR, SHMLAB_STREAM_SOURCE_ERROR_SIZE);
  g_assert_nonnull (strstr (error->message, "clip.rgba"));
  g_clear_error (&error);
  g_assert_null (shmlab_stream_source_new_video (path, 0, 0, &error));
  g_assert_error (error, SHMLAB_STREAM_SOURCE_ERROR, SHMLAB_STREAM_SOURCE_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "raw RGBA"));
}

static void
write_png (const char *dir,
           const char *name,
           guint32     width,
           guint32     height,
           guint8      value)
{
  g_autoptr(GError) error = NULL;
  ShmlabImage *image = shmlab_image_new (width, height, &error);
  g_autofree char *path = g_build_filename (dir, name, NULL);

  memset (image->pixels, value, (gsize) image->stride * height);
  g_assert_true (shmlab_png_write_file (image, path, &error));
  shmlab_image_unref (image);
}

/* Name order, looped, letterboxed; files that are not pictures skipped; a
 * folder with none refused. */
static void
test_folder (void)
{
  g_autofree char *dir = g_build_filename (shmlab_test_get_temp_dir (), "pictures", NULL);
  g_autofree char *empty = g_build_filename (shmlab_test_get_temp_dir (), "empty", NULL);
  g_autofree char *junk = g_build_filename (dir, "c-notes.txt", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabStreamSource) source = NULL;
  g_autofree char *missing = g_build_filename (shmlab_test_get_temp_dir (), "not-there", NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree guint8 *rgba = g_malloc (64 * 32 * 4);
  g_autofree char *described = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (empty, 0700), ==, 0);
  write_png (dir, "b.png", 32, 32, 200);
  write_png (dir, "a.png", 64, 32, 100);
  g_assert_true (g_file_set_contents (junk, "not a picture", -1, NULL));
  source = shmlab_stream_source_new_folder (dir, 0, 0, NULL, &error);
  g_assert_no_error (error);
  /* The first picture's size; two pictures. */
  g_assert_cmpuint (shmlab_stream_source_get_width (source), ==, 64);
  g_assert_cmpuint (shmlab_stream_source_get_n_frames (source), ==, 2);
  g_assert_true (shmlab_stream_source_render (source, 1, 0, rgba, 64 * 4, &error));
  g_assert_cmpuint (rgba[0], ==, 100);
  g_assert_true (shmlab_stream_source_render (source, 2, 0, rgba, 64 * 4, &error));
  /* b.png, 32 × 32, centred: black bars left and right. */
  g_assert_cmpuint (rgba[0], ==, 0);
  g_assert_cmpuint (rgba[(16 * 64 + 32) * 4], ==, 200);
  g_assert_true (shmlab_stream_source_render (source, 3, 0, rgba, 64 * 4, &error));
  g_assert_cmpuint (rgba[0], ==, 100);
  described = shmlab_stream_source_describe (source);
  g_assert_cmpstr (described, ==, "pictures: 2 pictures, 64 × 32");
  g_clear_pointer (&source, shmlab_stream_source_free);

  /* Into 32 × 32: a.png (64 × 32) gets bars above and below. */
  source = shmlab_stream_source_new_folder (dir, 32, 32, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (shmlab_stream_source_render (source, 1, 0, rgba, 32 * 4, &error));
  g_assert_cmpuint (rgba[0], ==, 0);
  g_assert_cmpuint (rgba[3], ==, 255);
  g_assert_cmpuint (rgba[(16 * 32 + 16) * 4], ==, 100);
  g_assert_cmpuint (rgba[(31 * 32 + 16) * 4], ==, 0);
  g_clear_pointer (&source, shmlab_stream_source_free);

  /* A size no stream takes is refused before any picture is loaded. */
  g_assert_null (shmlab_stream_source_new_folder (dir, 8, 8, NULL, &error));
  g_assert_error (error, SHMLAB_STREAM_SOURCE_ERROR, SHMLAB_STREAM_SOURCE_ERROR_SIZE);
  g_clear_error (&error);

  /* Opening can be called off. */
  g_cancellable_cancel (cancellable);
  g_assert_null (shmlab_stream_source_new_folder (dir, 0, 0, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  /* A folder that is not there. */
  g_assert_null (shmlab_stream_source_new_folder (missing, 0, 0, NULL, &error));
  g_assert_error (error, SHMLAB_STREAM_SOURCE_ERROR, SHMLAB_STREAM_SOURCE_ERROR_EMPTY);
  g_assert_nonnull (strstr (error->message, "not-there"));
  g_clear_error (&error);

  g_assert_null (shmlab_stream_source_new_folder (empty, 0, 0, NULL, &error));
  g_assert_error (error, SHMLAB_STREAM_SOURCE_ERROR, SHMLAB_STREAM_SOURCE_ERROR_EMPTY);
  g_assert_nonnull (strstr (error->message, "empty"));
  g_assert_nonnull (strstr (error->message, "Choose another folder"));
  g_remove (junk);
}

int
main (int    argc,
      char **argv)
{
  shmlab_test_init (&argc, &argv);
  g_test_add_func ("/stream-source/pattern", test_pattern);
  g_test_add_func ("/stream-source/pattern-digits", test_pattern_digits);
  g_test_add_func ("/stream-source/y4m", test_y4m);
  g_test_add_func ("/stream-source/y4m-chroma", test_y4m_chroma);
  g_test_add_func ("/stream-source/y4m-marker-missing", test_y4m_marker_missing);
  g_test_add_func ("/stream-source/y4m-huge", test_y4m_huge);
  g_test_add_func ("/stream-source/video-hostile", test_video_hostile);
  g_test_add_func ("/stream-source/raw", test_raw);
  g_test_add_func ("/stream-source/folder", test_folder);
  return g_test_run ();
}
