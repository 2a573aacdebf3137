/* fuzz-payload.c — the segment decoder fed hostile bytes: no crash, no read
 * past the end, no leak, and whatever decodes survives a round trip
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "shmlab-payload.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Writes @payload in @format into an exactly sized buffer and reads it back. */
static ShmlabPayload *
round_trip (const ShmlabPayload *payload,
            ShmlabFormat         format)
{
  g_autoptr(ShmlabEncoded) encoded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *buffer = NULL;
  ShmlabPayload *decoded;
  gsize size, written = 0;

  encoded = shmlab_payload_encode (payload, format, &error);
  g_assert_no_error (error);
  size = shmlab_encoded_get_size (encoded);
  buffer = g_malloc (size);
  g_assert_true (shmlab_encoded_write (encoded, buffer, size, SHMLAB_WRITE_FLAGS_NONE, 1,
                                       &written, &error));
  g_assert_no_error (error);
  g_assert_true (written == size);
  decoded = shmlab_payload_decode (buffer, size, &error);
  g_assert_no_error (error);
  return decoded;
}

static void
check_round_trip (const ShmlabPayload *payload)
{
  if (payload->kind == SHMLAB_PAYLOAD_KIND_TEXT)
    {
      g_autoptr(ShmlabPayload) frame = round_trip (payload, SHMLAB_FORMAT_FRAME);

      g_assert_true (g_utf8_validate (payload->text, payload->text_length, NULL));
      g_assert_true (strlen (payload->text) == payload->text_length);
      g_assert_cmpstr (frame->text, ==, payload->text);
      g_assert_true (frame->invalid_bytes <= payload->invalid_bytes);
      /* Plain text that starts like a frame is read as one, by design. */
      if (!g_str_has_prefix (payload->text, SHMLAB_FRAME_MAGIC))
        {
          g_autoptr(ShmlabPayload) plain = round_trip (payload, SHMLAB_FORMAT_TEXT);

          g_assert_cmpstr (plain->text, ==, payload->text);
        }
    }
  else
    {
      g_autoptr(ShmlabPayload) frame = NULL;

      g_assert_nonnull (payload->image);
      /* Large pictures cost time, not coverage. */
      if ((guint64) payload->image->width * payload->image->height > 4096)
        return;
      frame = round_trip (payload, SHMLAB_FORMAT_FRAME);
      g_assert_true (shmlab_image_equal (frame->image, payload->image));
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  /* An exact copy, so a read one byte too far is caught. */
  guint8 *copy = g_malloc (size > 0 ? size : 1);
  ShmlabFrameHeader header;
  ShmlabPayload *payload;
  GError *error = NULL;

  memcpy (copy, data, size);

  if (shmlab_frame_header_parse (copy, size, &header, &error))
    {
      g_assert_no_error (error);
      g_assert_true (header.header_size >= SHMLAB_FRAME_HEADER_SIZE);
      g_assert_true (header.header_size <= size);
      g_assert_true (header.payload_length <= size - header.header_size);
      g_assert_true (shmlab_frame_peek_generation (copy, size) == header.generation);
    }
  else
    {
      g_assert_nonnull (error);
      g_assert_true (shmlab_frame_peek_generation (copy, size) == 0);
      g_clear_error (&error);
    }

  payload = shmlab_payload_decode (copy, size, &error);
  if (payload != NULL)
    {
      g_assert_no_error (error);
      g_assert_true (payload->encoded_length <= size);
      check_round_trip (payload);
      shmlab_payload_free (payload);
    }
  else
    {
      g_assert_nonnull (error);
      g_assert_nonnull (error->message);
      g_clear_error (&error);
    }

  g_free (copy);
  return 0;
}
