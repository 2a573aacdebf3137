/* test-stream-follower.c — a followed frame scaled down, and the mailbox
 * where the newest frame waits for the screen.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "shmlab-stream-follower.h"
#include "shmlab-stream-frame.h"
#include "shmlab-test-util.h"

/* A frame whose pixel (x, y) is RGBA (x, y, 7, 255), x and y below 256. */
static ShmlabStreamFrame *
frame_new (guint32 width,
           guint32 height)
{
  ShmlabStreamFrame *frame = g_new0 (ShmlabStreamFrame, 1);
  g_autofree guint8 *rgba = g_malloc ((gsize) width * height * 4);
  g_autoptr(GError) error = NULL;
  gsize size = 0;
  guint8 *bytes;

  for (guint32 y = 0; y < height; y++)
    for (guint32 x = 0; x < width; x++)
      {
        guint8 *p = rgba + ((gsize) y * width + x) * 4;

        p[0] = (guint8) x;
        p[1] = (guint8) y;
        p[2] = 7;
        p[3] = 255;
      }
  g_assert_true (shmlab_stream_frame_size (width, height, &size, &error));
  g_assert_no_error (error);
  bytes = g_malloc0 (size);
  frame->header.width = width;
  frame->header.height = height;
  frame->header.row_size = SHMLAB_STREAM_ROW_TAG_SIZE + width * 4;
  frame->header.frame_number = 1;
  shmlab_stream_frame_write (bytes, &frame->header, rgba, (gsize) width * 4, NULL, NULL);
  frame->bytes = g_bytes_new_take (bytes, size);
  g_atomic_ref_count_init (&frame->ref_count);
  return frame;
}

/* Scaled to half: each pixel is the one under its centre; the aspect kept;
 * never made larger; a frame shorter than its header is refused. */
static void
test_downscale (void)
{
  g_autoptr(ShmlabStreamFrame) frame = frame_new (200, 100);
  g_autoptr(GBytes) half = NULL, same = NULL;
  guint w = 0, h = 0;
  const guint8 *p;

  half = shmlab_stream_frame_downscale (frame, 100, 1000, &w, &h);
  g_assert_nonnull (half);
  g_assert_cmpuint (w, ==, 100);
  g_assert_cmpuint (h, ==, 50);
  g_assert_cmpuint (g_bytes_get_size (half), ==, 100 * 50 * 4);
  p = g_bytes_get_data (half, NULL);
  /* Pixel (10, 20) of the result is pixel (21, 41) of the frame. */
  p += (20 * 100 + 10) * 4;
  g_assert_cmpuint (p[0], ==, 21);
  g_assert_cmpuint (p[1], ==, 41);
  g_assert_cmpuint (p[2], ==, 7);
  g_assert_cmpuint (p[3], ==, 255);

  same = shmlab_stream_frame_downscale (frame, 4000, 4000, &w, &h);
  g_assert_nonnull (same);
  g_assert_cmpuint (w, ==, 200);
  g_assert_cmpuint (h, ==, 100);

  frame->header.height = 1000;   /* a header that lies */
  g_assert_null (shmlab_stream_frame_downscale (frame, 100, 100, &w, &h));
  g_assert_cmpuint (w, ==, 0);
  frame->header.height = 100;
  frame->header.row_size = 8;
  g_assert_null (shmlab_stream_frame_downscale (frame, 100, 100, &w, &h));
}

static guint n_freed;

static void
count_free (gpointer item)
{
  n_freed++;
  g_free (item);
}

/* The latest wins and nothing queues; a torn frame waits for the screen
 * even when whole ones come after it; a torn one replaces a torn one. */
static void
test_mailbox (void)
{
  g_autoptr(ShmlabStreamMailbox) box = shmlab_stream_mailbox_new (count_free);
  g_autofree char *taken = NULL;

  n_freed = 0;
  g_assert_null (shmlab_stream_mailbox_take (box));
  g_assert_true (shmlab_stream_mailbox_put (box, g_strdup ("1"), FALSE));
  g_assert_true (shmlab_stream_mailbox_put (box, g_strdup ("2"), FALSE));
  g_assert_cmpuint (n_freed, ==, 1);
  taken = shmlab_stream_mailbox_take (box);
  g_assert_cmpstr (taken, ==, "2");
  g_clear_pointer (&taken, g_free);
  g_assert_null (shmlab_stream_mailbox_take (box));

  g_assert_true (shmlab_stream_mailbox_put (box, g_strdup ("3 torn"), TRUE));
  g_assert_false (shmlab_stream_mailbox_put (box, g_strdup ("4"), FALSE));
  g_assert_cmpuint (n_freed, ==, 2);
  g_assert_true (shmlab_stream_mailbox_put (box, g_strdup ("5 torn"), TRUE));
  g_assert_cmpuint (n_freed, ==, 3);
  taken = shmlab_stream_mailbox_take (box);
  g_assert_cmpstr (taken, ==, "5 torn");
  g_clear_pointer (&taken, g_free);

  /* Taken, the torn one no longer holds the place. */
  g_assert_true (shmlab_stream_mailbox_put (box, g_strdup ("6"), FALSE));
  /* Left in the box: freed with it. */
  g_clear_pointer (&box, shmlab_stream_mailbox_free);
  g_assert_cmpuint (n_freed, ==, 4);
}

int
main (int   argc,
      char *argv[])
{
  shmlab_test_init (&argc, &argv);

  g_test_add_func ("/stream-follower/downscale", test_downscale);
  g_test_add_func ("/stream-follower/mailbox", test_mailbox);
  return g_test_run ();
}
