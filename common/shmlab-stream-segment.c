/* shmlab-stream-segment.c — a stream's segment: its header, read as hostile
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-stream-segment.h"

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#define SLOT_ALIGN 4096

/**
 * shmlab_stream_segment_size:
 * @slot_size: (out) (optional): one slot, a multiple of 4096
 * @segment_size: (out) (optional): the header and @n_slots slots
 */
gboolean
shmlab_stream_segment_size (guint32  width,
                            guint32  height,
                            guint    n_slots,
                            gsize   *slot_size,
                            gsize   *segment_size,
                            GError **error)
{
  gsize frame, slot;

  if (n_slots < 1 || n_slots > 2)
    {
      g_set_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_INVALID,
                   _("A stream holds one or two frames in its segment, not %u."), n_slots);
      return FALSE;
    }
  if (!shmlab_stream_frame_size (width, height, &frame, error))
    return FALSE;
  slot = (frame + SLOT_ALIGN - 1) / SLOT_ALIGN * SLOT_ALIGN;
  if (slot_size != NULL)
    *slot_size = slot;
  if (segment_size != NULL)
    *segment_size = SHMLAB_STREAM_SEGMENT_HEADER_SIZE + slot * n_slots;
  return TRUE;
}

gboolean
shmlab_stream_segment_is_stream (const guint8 *bytes,
                                 gsize         length)
{
  return bytes != NULL && length >= SHMLAB_STREAM_SEGMENT_HEADER_SIZE &&
         memcmp (bytes, SHMLAB_STREAM_SEGMENT_MAGIC, 8) == 0;
}

static gboolean
damaged_at (ShmlabStreamSegmentInfo *info,
            GError                 **error,
            const char              *field,
            guint64                  value)
{
  info->wrong_field = field;
  g_set_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_MALFORMED,
               /* Translators: %s is a field of the stream's header, e.g. "n_slots" */
               _("The stream's segment is damaged: its field “%s” holds %" PRIu64 ", which is not possible."),
               field, value);
  return FALSE;
}

#define LOAD(field) __atomic_load_n (&h->field, __ATOMIC_ACQUIRE)

gboolean
shmlab_stream_segment_parse (const guint8            *bytes,
                             gsize                    length,
                             ShmlabStreamSegmentInfo *info,
                             GError                 **error)
{
  const ShmlabStreamSegmentHeader *h = (const ShmlabStreamSegmentHeader *) (gconstpointer) bytes;
  guint16 version, header_size;
  guint32 handoff;
  gsize slot_size, needed;

  memset (info, 0, sizeof *info);
  if (bytes != NULL && length >= 8 && length < SHMLAB_STREAM_SEGMENT_HEADER_SIZE &&
      memcmp (bytes, SHMLAB_STREAM_SEGMENT_MAGIC, 8) == 0)
    {
      g_set_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_MALFORMED,
                   g_dngettext (GETTEXT_PACKAGE,
                                "The stream's segment is cut short: %zu byte, where its header alone takes 4096.",
                                "The stream's segment is cut short: %zu bytes, where its header alone takes 4096.",
                                length),
                   length);
      return FALSE;
    }
  if (!shmlab_stream_segment_is_stream (bytes, length))
    {
      g_set_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_NOT_A_STREAM,
                   _("The segment holds no stream."));
      return FALSE;
    }
  version = LOAD (version);
  if (version != SHMLAB_STREAM_SEGMENT_VERSION)
    return damaged_at (info, error, "version", version);
  header_size = LOAD (header_size);
  if (header_size != SHMLAB_STREAM_SEGMENT_HEADER_SIZE)
    return damaged_at (info, error, "header_size", header_size);

  info->state = LOAD (state);
  info->n_slots = LOAD (n_slots);
  handoff = LOAD (handoff);
  info->slot_size = LOAD (slot_size);
  info->stream_id = LOAD (stream_id);
  info->lock = LOAD (lock) != 0;
  info->writer_pid = LOAD (writer_pid);
  info->reader_pid = LOAD (reader_pid);
  info->width = LOAD (width);
  info->height = LOAD (height);
  info->latest_slot = LOAD (latest_slot);
  info->latest_frame = LOAD (latest_frame);
  info->write_count = LOAD (write_count);
  info->read_count = LOAD (read_count);
  info->writer_lock_wait_ns = LOAD (writer_lock_wait_ns);
  info->writer_handoff_wait_ns = LOAD (writer_handoff_wait_ns);
  info->reader_lock_wait_ns = LOAD (reader_lock_wait_ns);

  if (info->state != SHMLAB_STREAM_STATE_RUNNING && info->state != SHMLAB_STREAM_STATE_ENDED)
    return damaged_at (info, error, "state", info->state);
  if (handoff > SHMLAB_STREAM_HANDOFF_EVERY)
    return damaged_at (info, error, "handoff", handoff);
  info->handoff = (ShmlabStreamHandoff) handoff;
  if (info->n_slots < 1 || info->n_slots > 2)
    return damaged_at (info, error, "n_slots", info->n_slots);
  if (!shmlab_stream_segment_size (info->width, info->height, info->n_slots,
                                   &slot_size, &needed, NULL))
    return damaged_at (info, error, info->width < SHMLAB_STREAM_MIN_SIDE ||
                           info->width > SHMLAB_STREAM_MAX_WIDTH ? "width" : "height",
                    info->width < SHMLAB_STREAM_MIN_SIDE ||
                    info->width > SHMLAB_STREAM_MAX_WIDTH ? info->width : info->height);
  if (info->slot_size != slot_size)
    return damaged_at (info, error, "slot_size", info->slot_size);
  if (needed > length)
    return damaged_at (info, error, "slot_size", info->slot_size);
  if (info->latest_slot >= info->n_slots)
    return damaged_at (info, error, "latest_slot", info->latest_slot);
  return TRUE;
}

gsize
shmlab_stream_segment_slot_offset (const ShmlabStreamSegmentInfo *info,
                                   guint                          i)
{
  return SHMLAB_STREAM_SEGMENT_HEADER_SIZE + (gsize) info->slot_size * i;
}
