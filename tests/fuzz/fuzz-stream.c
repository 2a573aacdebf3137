/* fuzz-stream.c — the stream's decoders fed hostile bytes: a frame (header
 * and tagged rows), a stream's segment header, and a valid frame damaged at
 * places the input chooses. No crash, no read past the end, no leak, and a
 * frame nobody damaged is whole.
 *
 * The first byte chooses: 0 a frame as it is, 1 a segment as it is, 2 a
 * valid frame made from the next bytes, then damaged.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "shmlab-format.h"
#include "shmlab-payload.h"
#include "shmlab-stream-frame.h"
#include "shmlab-stream-segment.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
frame_as_is (const guint8 *bytes,
             gsize         length)
{
  ShmlabStreamFrameHeader header;
  ShmlabStreamCheck check;
  g_autofree guint8 *copy = g_malloc (MAX (length, 1));

  if (shmlab_stream_frame_check (bytes, length, &header, &check, NULL))
    {
      guint32 rows = 0;

      for (guint i = 0; i < check.n_runs; i++)
        {
          g_assert_true (check.runs[i].first_row == rows);
          rows += check.runs[i].n_rows;
        }
      g_assert_true (rows == header.height);
      shmlab_stream_check_clear (&check);
    }
  if (shmlab_stream_frame_copy (copy, length, bytes, length, &header, &check, NULL))
    shmlab_stream_check_clear (&check);
}

static void
segment_as_is (const guint8 *bytes,
               gsize         length)
{
  ShmlabStreamSegmentInfo info;
  g_autoptr(ShmlabPayload) payload = NULL;
  g_autoptr(ShmlabDescription) description = NULL;
  /* Aligned, as a mapping is. */
  g_autofree guint8 *copy = g_malloc (MAX (length, 1));

  memcpy (copy, bytes, length);
  if (shmlab_stream_segment_parse (copy, length, &info, NULL))
    g_assert_true (shmlab_stream_segment_slot_offset (&info, info.n_slots - 1) + info.slot_size <= length);
  payload = shmlab_payload_decode (copy, length, NULL);
  description = shmlab_description_new (copy, length, length);
}

static void
damaged_frame (const guint8 *bytes,
               gsize         length)
{
  guint32 width, height;
  gsize size;
  g_autofree guint8 *rgba = NULL;
  g_autofree guint8 *frame = NULL;
  ShmlabStreamFrameHeader in = { 0 }, out;
  ShmlabStreamCheck check;
  gboolean touched_rows = FALSE;

  if (length < 3)
    return;
  width = SHMLAB_STREAM_MIN_SIDE + bytes[0] % 48;
  height = SHMLAB_STREAM_MIN_SIDE + bytes[1] % 48;
  in.width = width;
  in.height = height;
  in.frame_number = 1 + bytes[2];
  g_assert_true (shmlab_stream_frame_size (width, height, &size, NULL));
  rgba = g_malloc ((gsize) width * height * 4);
  for (gsize i = 0; i < (gsize) width * height * 4; i++)
    rgba[i] = (guint8) (i * 7 + bytes[2]);
  frame = g_malloc (size);
  shmlab_stream_frame_write (frame, &in, rgba, (gsize) width * 4, NULL, NULL);
  /* Then (offset: 2 bytes, value: 1 byte) triples. */
  for (gsize i = 3; i + 3 <= length; i += 3)
    {
      gsize at = ((gsize) bytes[i] << 8 | bytes[i + 1]) % size;

      if (frame[at] != bytes[i + 2] && at >= SHMLAB_STREAM_FRAME_HEADER_SIZE)
        touched_rows = TRUE;
      frame[at] = bytes[i + 2];
    }
  if (shmlab_stream_frame_check (frame, size, &out, &check, NULL))
    {
      if (!touched_rows)
        g_assert_false (shmlab_stream_check_is_torn (&check));
      shmlab_stream_check_clear (&check);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  if (size < 1)
    return 0;
  switch (data[0] % 3)
    {
    case 0:
      frame_as_is (data + 1, size - 1);
      break;
    case 1:
      segment_as_is (data + 1, size - 1);
      break;
    default:
      damaged_frame (data + 1, size - 1);
      break;
    }
  return 0;
}
