/* shmlab-stream-follower.c — a followed frame scaled down off the screen's
 * thread, and the mailbox that hands the newest one to the screen.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-stream-follower.h"

#include "shmlab-stream-frame.h"

#define MIN_TARGET 16

/**
 * shmlab_stream_frame_downscale:
 * @frame: a frame as a reader took it
 * @target_width: the width it is shown at, in device pixels
 * @target_height: the height
 * @out_width: (out): the width of the result
 * @out_height: (out): the height of the result
 *
 * The frame's straight RGBA scaled to fit @target_width × @target_height,
 * keeping its aspect and never made larger; each pixel is the one under its
 * centre, which is a few milliseconds for a 3840 × 2160 frame shown at
 * 960 × 540 and keeps the rows of a torn frame sharp.
 *
 * Returns: (transfer full) (nullable): tightly packed RGBA, or %NULL when
 *   the frame's bytes are shorter than its header says
 */
GBytes *
shmlab_stream_frame_downscale (const ShmlabStreamFrame *frame,
                               guint                    target_width,
                               guint                    target_height,
                               guint                   *out_width,
                               guint                   *out_height)
{
  const ShmlabStreamFrameHeader *h = &frame->header;
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (frame->bytes, &size);
  const guint8 *pixels;
  double scale;
  guint32 w, ht;
  guint8 *out;
  g_autofree guint32 *sx = NULL;

  g_return_val_if_fail (out_width != NULL && out_height != NULL, NULL);
  *out_width = *out_height = 0;
  /* The header was checked when the frame was read; its bytes are checked
   * here again, as what a segment said. */
  if (h->width == 0 || h->height == 0 ||
      h->row_size < SHMLAB_STREAM_ROW_TAG_SIZE ||
      (h->row_size - SHMLAB_STREAM_ROW_TAG_SIZE) / 4 < h->width ||
      size < SHMLAB_STREAM_FRAME_HEADER_SIZE ||
      (size - SHMLAB_STREAM_FRAME_HEADER_SIZE) / h->row_size < h->height)
    return NULL;
  pixels = data + SHMLAB_STREAM_FRAME_HEADER_SIZE + SHMLAB_STREAM_ROW_TAG_SIZE;

  scale = MIN (1.0, MIN ((double) MAX (target_width, MIN_TARGET) / h->width,
                         (double) MAX (target_height, MIN_TARGET) / h->height));
  w = CLAMP ((guint32) (h->width * scale), 1, h->width);
  ht = CLAMP ((guint32) (h->height * scale), 1, h->height);
  out = g_malloc ((gsize) w * ht * 4);
  sx = g_new (guint32, w);
  for (guint32 x = 0; x < w; x++)
    sx[x] = (guint32) (((guint64) x * 2 + 1) * h->width / (2 * (guint64) w));
  for (guint32 y = 0; y < ht; y++)
    {
      guint32 row = (guint32) (((guint64) y * 2 + 1) * h->height / (2 * (guint64) ht));
      const guint32 *src = (const guint32 *) (gconstpointer) (pixels + (gsize) row * h->row_size);
      guint32 *dst = (guint32 *) (gpointer) (out + (gsize) y * w * 4);

      for (guint32 x = 0; x < w; x++)
        dst[x] = src[sx[x]];
    }
  *out_width = w;
  *out_height = ht;
  return g_bytes_new_take (out, (gsize) w * ht * 4);
}

/* ---- the mailbox ---- */

struct _ShmlabStreamMailbox
{
  GMutex mutex;
  GDestroyNotify free_func;
  gpointer item;
  gboolean torn;
};

/**
 * shmlab_stream_mailbox_new:
 * @free_func: frees an item the screen never took
 *
 * One place for one frame between the thread that prepares frames and the
 * screen: the latest wins, nothing queues — but a torn frame is not replaced
 * by a whole one before the screen has taken it, so that a tear is seen.
 */
ShmlabStreamMailbox *
shmlab_stream_mailbox_new (GDestroyNotify free_func)
{
  ShmlabStreamMailbox *self = g_new0 (ShmlabStreamMailbox, 1);

  g_mutex_init (&self->mutex);
  self->free_func = free_func;
  return self;
}

void
shmlab_stream_mailbox_free (ShmlabStreamMailbox *self)
{
  if (self == NULL)
    return;
  if (self->item != NULL && self->free_func != NULL)
    self->free_func (self->item);
  g_mutex_clear (&self->mutex);
  g_free (self);
}

/**
 * shmlab_stream_mailbox_put:
 * @item: (transfer full): the newest prepared frame
 * @torn: whether it is torn
 *
 * Returns: %TRUE when @item is in the mailbox; %FALSE when it was freed
 *   because a torn frame waits there
 */
gboolean
shmlab_stream_mailbox_put (ShmlabStreamMailbox *self,
                           gpointer             item,
                           gboolean             torn)
{
  gpointer old = NULL;
  gboolean kept = TRUE;

  g_return_val_if_fail (self != NULL && item != NULL, FALSE);
  g_mutex_lock (&self->mutex);
  if (self->item != NULL && self->torn && !torn)
    {
      old = item;
      kept = FALSE;
    }
  else
    {
      old = self->item;
      self->item = item;
      self->torn = torn;
    }
  g_mutex_unlock (&self->mutex);
  if (old != NULL && self->free_func != NULL)
    self->free_func (old);
  return kept;
}

/* Returns: (transfer full) (nullable): the newest frame, or %NULL when no
 * new one came since the last take. */
gpointer
shmlab_stream_mailbox_take (ShmlabStreamMailbox *self)
{
  gpointer item;

  g_return_val_if_fail (self != NULL, NULL);
  g_mutex_lock (&self->mutex);
  item = g_steal_pointer (&self->item);
  self->torn = FALSE;
  g_mutex_unlock (&self->mutex);
  return item;
}
