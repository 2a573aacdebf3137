/* fuzz-payload.c — the segment decoder fed hostile bytes: no crash, no read
 * past the end, no leak, both decoders agree, whatever decodes survives a
 * round trip, and a frame written over the bytes is the frame read back
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "shmlab-error.h"
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
      /* Plain text that starts like a frame ("SHMLAB…") is read as one, by design. */
      if (!g_str_has_prefix (payload->text, "SHMLAB"))
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

/* The header checks, and which generation a writer would build on. */
static void
check_headers (const guint8 *bytes,
               gsize         size)
{
  ShmlabFrameHeader header, second_header;
  GError *error = NULL;
  gsize second = shmlab_frame_second_slot (size);
  guint64 peek = shmlab_frame_peek_generation (bytes, size);
  guint32 *lock_holder = shmlab_frame_lock_holder ((guint8 *) bytes, size);

  g_assert_true (second == 0 || (second % SHMLAB_FRAME_HEADER_SIZE == 0 && second <= size / 2));
  /* The field lies within the first header, wherever it is. */
  g_assert_true (lock_holder == NULL ||
                 (size >= SHMLAB_FRAME_HEADER_SIZE && (const guint8 *) lock_holder >= bytes &&
                  (const guint8 *) (lock_holder + 1) <= bytes + SHMLAB_FRAME_HEADER_SIZE));

  if (shmlab_frame_header_parse (bytes, size, &header, &error))
    {
      g_assert_no_error (error);
      g_assert_true (header.header_size >= SHMLAB_FRAME_HEADER_SIZE);
      g_assert_true (header.header_size <= size);
      g_assert_true (header.payload_length <= size - header.header_size);
      /* The newest of both slots: never older than the first. */
      g_assert_true (peek >= header.generation);
    }
  else
    {
      g_assert_nonnull (error);
      g_assert_nonnull (error->message);
      g_clear_error (&error);
      /* Without a first frame, the generation is the second slot's, if any. */
      if (second == 0)
        g_assert_true (peek == 0);
      else if (shmlab_frame_header_parse (bytes + second, size - second, &second_header, NULL))
        g_assert_true (peek == second_header.generation);
      else
        g_assert_true (peek == 0);
    }
}

/* Both decoders (copying, and sharing the rows of a GBytes) say the same. */
static void
check_decoders_agree (const ShmlabPayload *payload,
                      const GError        *error,
                      const guint8        *bytes,
                      gsize                size)
{
  g_autoptr(GBytes) owner = g_bytes_new (bytes, size);
  g_autoptr(ShmlabPayload) shared = NULL;
  g_autoptr(GError) shared_error = NULL;

  shared = shmlab_payload_decode_bytes (owner, &shared_error);
  if (payload == NULL)
    {
      g_assert_null (shared);
      g_assert_nonnull (shared_error);
      g_assert_true (shared_error->domain == error->domain);
      g_assert_cmpint (shared_error->code, ==, error->code);
      g_assert_cmpstr (shared_error->message, ==, error->message);
      return;
    }

  g_assert_no_error (shared_error);
  g_assert_nonnull (shared);
  g_assert_cmpint (shared->kind, ==, payload->kind);
  g_assert_cmpint (shared->format, ==, payload->format);
  g_assert_true (shared->encoded_length == payload->encoded_length);
  g_assert_true (shared->frame_offset == payload->frame_offset);
  g_assert_cmpstr (shared->note, ==, payload->note);
  if (payload->kind == SHMLAB_PAYLOAD_KIND_TEXT)
    g_assert_cmpstr (shared->text, ==, payload->text);
  else
    g_assert_true (shmlab_image_equal (shared->image, payload->image));
}

/* A writer writes a text frame over whatever the segment held, with the
 * next generation: the reader must then see that frame, not an old one. */
static void
check_write_over (const guint8 *bytes,
                  gsize         size)
{
  static const char letters[] = "the quick brown fox jumps over the lazy dog, "
                                "then again and again until the end of the line";
  g_autoptr(ShmlabPayload) text = NULL;
  g_autoptr(ShmlabPayload) read_back = NULL;
  g_autoptr(ShmlabEncoded) encoded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *segment = NULL;
  guint64 generation, newest;
  gsize length, written = 0;

  if (size == 0)
    return;
  /* The last byte picks the length, so frames land on both sides of the middle. */
  length = bytes[size - 1] % (sizeof letters);
  text = shmlab_payload_new_text (letters, (gssize) length);
  encoded = shmlab_payload_encode (text, SHMLAB_FORMAT_FRAME, &error);
  g_assert_no_error (error);

  segment = g_memdup2 (bytes, size);
  generation = shmlab_frame_peek_generation (segment, size) + 1;
  if (!shmlab_encoded_write (encoded, segment, size, SHMLAB_WRITE_FLAGS_NONE, generation,
                             &written, &error))
    {
      g_assert_error (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_TOO_LARGE);
      g_assert_true (SHMLAB_FRAME_HEADER_SIZE + length > size);
      /* Nothing is written on failure. */
      g_assert_true (memcmp (segment, bytes, size) == 0);
      return;
    }
  g_assert_true (written == SHMLAB_FRAME_HEADER_SIZE + length);
  /* Generation 0 means "no frame": past 2^64 - 1 the writer starts again at 1. */
  if (generation == 0)
    generation = 1;

  read_back = shmlab_payload_decode (segment, size, &error);
  g_assert_no_error (error);
  g_assert_nonnull (read_back);
  g_assert_cmpint (read_back->format, ==, SHMLAB_FORMAT_FRAME);
  g_assert_cmpint (read_back->kind, ==, SHMLAB_PAYLOAD_KIND_TEXT);
  newest = shmlab_frame_peek_generation (segment, size);
  if (read_back->header.generation != generation || newest != generation)
    {
      gsize slot = memcmp (segment, bytes, MIN (size, SHMLAB_FRAME_HEADER_SIZE)) != 0
                   ? 0 : shmlab_frame_second_slot (size);

      g_error ("write lost: generation %" G_GUINT64_FORMAT " was written at byte %"
               G_GSIZE_FORMAT " but the reader shows generation %" G_GUINT64_FORMAT
               " from byte %" G_GSIZE_FORMAT " and the newest header says %"
               G_GUINT64_FORMAT "%s", generation, slot,
               read_back->header.generation, read_back->frame_offset, newest,
               generation == 1 ? " (the old bytes may have held the largest generation there "
                                 "is, and the next one wrapped)" : "");
    }
  g_assert_true (read_back->text_length == length);
  g_assert_true (memcmp (read_back->text, letters, length) == 0);
}

/* What the inspector and `shmlab info` show agrees with the decoder: a
 * refusal is described as damaged, in the decoder's format and words; and
 * the first half of the bytes, described as the start of a larger segment,
 * is read within its bounds. */
static void
check_description (const guint8        *bytes,
                   gsize                size,
                   const ShmlabPayload *payload,
                   const GError        *error)
{
  g_autoptr(ShmlabDescription) whole = shmlab_description_new (bytes, size, size);
  g_autoptr(ShmlabDescription) start = NULL;
  const ShmlabPayloadErrorDetails *details = shmlab_payload_error_get_details (error);

  g_assert_true ((whole->verdict == SHMLAB_VERDICT_DAMAGED) == (payload == NULL) || size == 0);
  if (payload != NULL && size > 0)
    g_assert_true (whole->format == payload->format);
  else if (details != NULL && size > 0)
    {
      g_assert_true ((int) whole->format == details->format);
      g_assert_true (g_strcmp0 (whole->message, error->message) == 0);
    }
  g_assert_true (whole->wrong_field < (int) whole->fields->len);
  g_assert_true (g_utf8_validate (whole->title, -1, NULL) && g_utf8_validate (whole->detail, -1, NULL));

  start = shmlab_description_new (bytes, size / 2, size);
  g_assert_true (start->wrong_field < (int) start->fields->len);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  /* An exact copy, so a read one byte too far is caught. */
  guint8 *copy = g_malloc (size > 0 ? size : 1);
  ShmlabPayload *payload;
  GError *error = NULL;

  memcpy (copy, data, size);

  check_headers (copy, size);

  payload = shmlab_payload_decode (copy, size, &error);
  check_decoders_agree (payload, error, copy, size);
  check_description (copy, size, payload, error);
  if (payload != NULL)
    {
      g_assert_no_error (error);
      g_assert_true (payload->encoded_length <= size);
      if (payload->format == SHMLAB_FORMAT_FRAME)
        {
          g_assert_true (payload->frame_offset == 0 ||
                         payload->frame_offset == shmlab_frame_second_slot (size));
          g_assert_true (payload->header.generation <= shmlab_frame_peek_generation (copy, size));
        }
      else
        g_assert_true (payload->frame_offset == 0 && payload->note == NULL);
      g_assert_true (payload->note == NULL || g_utf8_validate (payload->note, -1, NULL));
      check_round_trip (payload);
      shmlab_payload_free (payload);
    }
  else
    {
      g_assert_nonnull (error);
      g_assert_nonnull (error->message);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      g_clear_error (&error);
    }

  check_write_over (copy, size);

  g_free (copy);
  return 0;
}
