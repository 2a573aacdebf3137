/* shmlab-format-stream.c — a stream's segment as a format: what Read, the
 * inspector and `shmlab info` make of it (the newest frame, and whether its
 * rows came from one frame)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-format-private.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "shmlab-error.h"
#include "shmlab-limits.h"
#include "shmlab-stream-segment.h"

static gboolean
stream_recognise (const guint8 *bytes,
                  gsize         length)
{
  return length >= 8 && memcmp (bytes, SHMLAB_STREAM_SEGMENT_MAGIC, 8) == 0;
}

static GError *
payload_error (GError     *from,
               const char *field)
{
  GError *error = g_error_new_literal (SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_MALFORMED,
                                       from->message);

  if (field != NULL)
    shmlab_payload_error_set_field (error, SHMLAB_PAYLOAD_PROBLEM_WRONG_VALUE, -1, field);
  shmlab_payload_error_set_format (error, SHMLAB_FORMAT_STREAM);
  return error;
}

/* The newest frame, checked; its rows say whether it is whole. */
static gboolean
newest_frame (const guint8            *bytes,
              gsize                    length,
              ShmlabStreamSegmentInfo *info,
              gsize                   *offset,
              ShmlabStreamFrameHeader *header,
              ShmlabStreamCheck       *check,
              GError                 **error)
{
  g_autoptr(GError) local = NULL;

  memset (check, 0, sizeof *check);
  if (!shmlab_stream_segment_parse (bytes, length, info, &local))
    {
      g_propagate_error (error, payload_error (local, info->wrong_field));
      return FALSE;
    }
  if (info->latest_frame == 0)
    {
      g_set_error_literal (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_MALFORMED,
                           _("The stream has no frame yet: its writer has just begun."));
      return FALSE;
    }
  *offset = shmlab_stream_segment_slot_offset (info, info->latest_slot);
  if (!shmlab_stream_frame_check (bytes + *offset, info->slot_size, header, check, &local))
    {
      g_propagate_error (error, payload_error (local, NULL));
      return FALSE;
    }
  return TRUE;
}


static ShmlabPayload *
stream_decode (const guint8  *bytes,
               gsize          length,
               GBytes        *owner,
               GError       **error)
{
  g_autoptr(ShmlabPayload) self = g_new0 (ShmlabPayload, 1);
  g_autoptr(GError) local = NULL;
  ShmlabStreamSegmentInfo info;
  ShmlabStreamFrameHeader header;
  ShmlabStreamCheck check;
  gsize offset;
  gsize pixels;

  if (!newest_frame (bytes, length, &info, &offset, &header, &check, error))
    return NULL;
  self->format = SHMLAB_FORMAT_STREAM;
  self->kind = SHMLAB_PAYLOAD_KIND_IMAGE;
  self->frame_offset = offset;
  self->encoded_length = offset + info.slot_size;
  pixels = offset + SHMLAB_STREAM_FRAME_HEADER_SIZE + SHMLAB_STREAM_ROW_TAG_SIZE;
  if (owner != NULL)
    self->image = shmlab_image_new_for_bytes (owner, pixels, header.width, header.height,
                                              header.row_size, &local);
  else
    {
      self->image = shmlab_image_new (header.width, header.height, &local);
      for (guint32 y = 0; self->image != NULL && y < header.height; y++)
        memcpy (self->image->pixels + (gsize) y * self->image->stride,
                bytes + pixels + (gsize) y * header.row_size, (gsize) header.width * 4);
    }
  if (self->image == NULL)
    {
      shmlab_stream_check_clear (&check);
      g_set_error (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_TOO_LARGE,
                   _("ShmLab stream: %s"), local->message);
      return NULL;
    }
  if (shmlab_stream_check_is_torn (&check))
    {
      g_autofree char *runs = shmlab_stream_check_describe (&check, 8);
      self->note = g_strdup_printf (_("frame %" PRIu64 " is torn: %s — a writer overwrote it while it was copied"),
                                    header.frame_number, runs);
    }
  shmlab_stream_check_clear (&check);
  return g_steal_pointer (&self);
}

static gboolean
stream_encode (ShmlabEncoded        *encoded,
               const ShmlabPayload  *payload,
               GError              **error)
{
  g_set_error_literal (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_UNSUPPORTED,
                       _("A stream is written frame by frame: use the Writer's Stream page or shmlab stream."));
  return FALSE;
}

static gsize
stream_write (const ShmlabEncoded *self,
              guint8              *dest,
              gsize                dest_size,
              gsize                keep,
              guint64              generation)
{
  g_return_val_if_reached (0);
}

#define FIELD(name) G_STRUCT_OFFSET (ShmlabStreamSegmentHeader, name), \
                    sizeof (((ShmlabStreamSegmentHeader *) 0)->name)

static void
add (ShmlabDescription *d,
     const char        *name,
     gsize              offset,
     gsize              size,
     gsize              length,
     char              *value)
{
  shmlab_description_add_field (d, name, -1, offset, offset + size <= length ? size : 0, value);
}

static void
stream_describe (ShmlabDescription *description,
                 const guint8      *bytes,
                 gsize              length,
                 gsize              segment_size)
{
  g_autoptr(GError) error = NULL;
  ShmlabStreamSegmentInfo info;
  ShmlabStreamFrameHeader header;
  ShmlabStreamCheck check;
  gsize offset = 0;
  gboolean ok;

  description->format = SHMLAB_FORMAT_STREAM;
  ok = newest_frame (bytes, MIN (length, segment_size > 0 ? segment_size : length),
                     &info, &offset, &header, &check, &error);
  if (length < SHMLAB_STREAM_SEGMENT_HEADER_SIZE)
    {
      add (description, "magic", 0, 8, length, g_strdup ("SHMLABST"));
      description->verdict = SHMLAB_VERDICT_DAMAGED;
      description->title = g_strdup (_("ShmLab stream"));
      description->detail = g_strdup (_("Only the start of the stream's header is at hand."));
      if (error != NULL)
        shmlab_description_set_error (description, error, NULL);
      shmlab_stream_check_clear (&check);
      return;
    }
  add (description, "magic", 0, 8, length, g_strdup ("SHMLABST"));
  add (description, "state", FIELD (state), length,
       g_strdup (info.state == SHMLAB_STREAM_STATE_RUNNING ? _("streaming")
                 : info.state == SHMLAB_STREAM_STATE_ENDED ? _("ended") : "?"));
  add (description, "n_slots", FIELD (n_slots), length,
       g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u frame buffer", "%u frame buffers", info.n_slots), info.n_slots));
  add (description, "handoff", FIELD (handoff), length,
       g_strdup (info.handoff == SHMLAB_STREAM_HANDOFF_EVERY
                 ? _("every frame: the writer waits on “empty”, the reader on “full”")
                 : _("latest: the reader takes the newest frame")));
  add (description, "slot_size", FIELD (slot_size), length, shmlab_format_bytes (info.slot_size));
  add (description, "lock", FIELD (lock), length,
       g_strdup (info.lock ? _("the writer takes the lock") : _("the writer copies WITHOUT the lock")));
  add (description, "writer_pid", FIELD (writer_pid), length, g_strdup_printf ("%u", info.writer_pid));
  add (description, "reader_pid", FIELD (reader_pid), length, g_strdup_printf ("%u", info.reader_pid));
  add (description, "width", FIELD (width), length, g_strdup_printf ("%u", info.width));
  add (description, "lock_holder", FIELD (lock_holder), length,
       g_strdup_printf ("%u", ((const ShmlabStreamSegmentHeader *) (gconstpointer) bytes)->lock_holder));
  add (description, "height", FIELD (height), length, g_strdup_printf ("%u", info.height));
  add (description, "latest_slot", FIELD (latest_slot), length, g_strdup_printf ("%u", info.latest_slot));
  add (description, "latest_frame", FIELD (latest_frame), length,
       g_strdup_printf ("%" PRIu64, info.latest_frame));
  add (description, "write_count", FIELD (write_count), length,
       g_strdup_printf ("%" PRIu64, info.write_count));
  add (description, "read_count", FIELD (read_count), length,
       g_strdup_printf ("%" PRIu64, info.read_count));
  add (description, "empty", FIELD (empty), length, g_strdup (_("semaphore: free frame buffers")));
  add (description, "full", FIELD (full), length, g_strdup (_("semaphore: frames waiting for the reader")));

  description->title = g_strdup (_("ShmLab stream"));
  if (!ok)
    {
      description->verdict = SHMLAB_VERDICT_DAMAGED;
      shmlab_description_set_error (description, error, NULL);
      description->detail = g_strdup (error->message);
      return;
    }
  description->checked = TRUE;
  description->verdict = SHMLAB_VERDICT_VALID;
  add (description, "frame_number", offset + 24, 8, length,
       g_strdup_printf ("%" PRIu64, header.frame_number));
  {
    g_autofree char *runs = shmlab_stream_check_describe (&check, 8);

    add (description, "rows", offset + SHMLAB_STREAM_FRAME_HEADER_SIZE,
         (gsize) header.height * header.row_size, length,
         g_strdup_printf (_("%u rows, each “frame number, hash, pixels”: %s"), header.height, runs));
    description->detail =
      shmlab_stream_check_is_torn (&check)
      ? g_strdup_printf (_("%u × %u, frame %" PRIu64 " in buffer %u — TORN: %s. The writer overwrote it while it was copied: that is the race the lock prevents."),
                         header.width, header.height, header.frame_number, info.latest_slot + 1, runs)
      : g_strdup_printf (_("%u × %u, frame %" PRIu64 " in buffer %u, whole: every row came from that frame."),
                         header.width, header.height, header.frame_number, info.latest_slot + 1);
  }
  shmlab_stream_check_clear (&check);
}

static char *
stream_text_size_label (gsize length)
{
  return g_strdup ("");
}

const ShmlabFormatClass shmlab_format_stream = {
  .id = SHMLAB_FORMAT_STREAM,
  .name = "stream",
  .phrase = N_("ShmLab stream"),
  .text_noun = NULL,
  .image_noun = NULL,
  .cut_advice = NULL,
  .choice = N_("ShmLab stream"),
  .summary = N_("frames one after another, each row saying which frame it came from"),
  .explanation = N_("ShmLab stream: a header with the handoff's counters and semaphores, then one "
                    "or two frames whose rows each carry their frame's number and a hash, so a "
                    "reader sees a torn frame. Written by the Writer's Stream page and shmlab stream."),
  .qt_text_note = N_("no Qt program reads a ShmLab stream"),
  .qt_image_note = N_("no Qt program reads a ShmLab stream"),
  .prefix_size = SHMLAB_STREAM_SEGMENT_HEADER_SIZE,
  .suffix_size = 0,
  .recognise = stream_recognise,
  .decode = stream_decode,
  .encode = stream_encode,
  .write = stream_write,
  .describe = stream_describe,
  .text_size_label = stream_text_size_label,
};
