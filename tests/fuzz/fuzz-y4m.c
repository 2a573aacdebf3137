/* fuzz-y4m.c — a video file's YUV4MPEG2 bytes, hostile: the stream header,
 * the walk from one FRAME marker to the next, and the conversion of the
 * frames found. No crash, no read past the end, no leak; what is accepted
 * keeps within the bytes and the stream's limits.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "shmlab-stream-frame.h"
#include "shmlab-y4m.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Frames converted per input; their pixels are at most the input. */
#define MAX_FRAMES 4

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  /* A copy of exactly @size bytes, so that a read past the end is seen. */
  g_autofree guint8 *bytes = g_memdup2 (data, size);
  g_autoptr(GError) error = NULL;
  ShmlabY4mHeader header;
  gsize offset, planes;
  guint n = 0;

  if (!shmlab_y4m_parse_header (bytes, size, "fuzz.y4m", &header, &error))
    {
      g_assert_true (error != NULL && g_utf8_validate (error->message, -1, NULL));
      return 0;
    }
  g_assert_true (header.header_size <= size && header.header_size <= SHMLAB_Y4M_HEADER_MAX);
  g_assert_true (header.width >= SHMLAB_STREAM_MIN_SIDE && header.width <= SHMLAB_STREAM_MAX_WIDTH);
  g_assert_true (header.height >= SHMLAB_STREAM_MIN_SIDE && header.height <= SHMLAB_STREAM_MAX_HEIGHT);
  g_assert_true (header.frame_size >= (gsize) header.width * header.height);

  offset = header.header_size;
  while (n < MAX_FRAMES && (planes = shmlab_y4m_frame_at (&header, bytes, size, offset)) != 0)
    {
      gsize stride = (gsize) header.width * 4 + 4;
      g_autofree guint8 *rgba = g_malloc (stride * header.height);

      g_assert_true (planes > offset && planes <= size && size - planes >= header.frame_size);
      shmlab_y4m_convert (&header, bytes + planes, rgba, stride);
      for (guint32 y = 0; y < header.height; y++)
        g_assert_true (rgba[y * stride + 3] == 255);
      offset = planes + header.frame_size;
      n++;
    }
  return 0;
}
