/* shmlab-stream-source.c — where a stream's frames come from: what every
 * source shares
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-stream-source-private.h"

#include <glib/gi18n-lib.h>

#include "shmlab-stream-frame.h"

G_DEFINE_QUARK (shmlab-stream-source-error-quark, shmlab_stream_source_error)

ShmlabStreamSource *
shmlab_stream_source_alloc (const ShmlabStreamSourceClass *klass,
                            ShmlabStreamSourceKind         kind,
                            guint32                        width,
                            guint32                        height,
                            gpointer                       priv)
{
  ShmlabStreamSource *self = g_new0 (ShmlabStreamSource, 1);

  self->klass = klass;
  self->kind = kind;
  self->width = width;
  self->height = height;
  self->priv = priv;
  return self;
}

gboolean
shmlab_stream_source_check_size (guint32  width,
                                 guint32  height,
                                 GError **error)
{
  if (width < SHMLAB_STREAM_MIN_SIDE || height < SHMLAB_STREAM_MIN_SIDE ||
      width > SHMLAB_STREAM_MAX_WIDTH || height > SHMLAB_STREAM_MAX_HEIGHT)
    {
      g_set_error (error, SHMLAB_STREAM_SOURCE_ERROR, SHMLAB_STREAM_SOURCE_ERROR_SIZE,
                   _("A stream frame of %u × %u pixels is not possible: each side must be from %u to %u × %u pixels."),
                   width, height, SHMLAB_STREAM_MIN_SIDE, SHMLAB_STREAM_MAX_WIDTH,
                   SHMLAB_STREAM_MAX_HEIGHT);
      return FALSE;
    }
  return TRUE;
}

gboolean
shmlab_stream_source_format_error (GError    **error,
                                   const char *name,
                                   const char *what)
{
  g_set_error (error, SHMLAB_STREAM_SOURCE_ERROR, SHMLAB_STREAM_SOURCE_ERROR_FORMAT,
               /* Translators: the first %s is a file name, the second what is wrong with it */
               _("“%s” is not a video ShmLab reads: %s. Give a YUV4MPEG2 file (.y4m; ffmpeg -i in.mp4 -pix_fmt yuv420p out.y4m), or raw RGBA frames with their size."),
               name, what);
  return FALSE;
}

ShmlabStreamSourceKind
shmlab_stream_source_get_kind (ShmlabStreamSource *self)
{
  return self->kind;
}

guint32
shmlab_stream_source_get_width (ShmlabStreamSource *self)
{
  return self->width;
}

guint32
shmlab_stream_source_get_height (ShmlabStreamSource *self)
{
  return self->height;
}

double
shmlab_stream_source_get_fps (ShmlabStreamSource *self)
{
  return self->fps;
}

guint64
shmlab_stream_source_get_n_frames (ShmlabStreamSource *self)
{
  return self->n_frames;
}

char *
shmlab_stream_source_describe (ShmlabStreamSource *self)
{
  return self->klass->describe (self);
}

gboolean
shmlab_stream_source_render (ShmlabStreamSource *self,
                             guint64             frame_number,
                             gint64              time_ns,
                             guint8             *rgba,
                             gsize               stride,
                             GError            **error)
{
  g_return_val_if_fail (frame_number >= 1, FALSE);
  g_return_val_if_fail (stride >= (gsize) self->width * 4, FALSE);
  return self->klass->render (self, frame_number, time_ns, rgba, stride, error);
}

void
shmlab_stream_source_free (ShmlabStreamSource *self)
{
  if (self == NULL)
    return;
  if (self->klass->finalize != NULL)
    self->klass->finalize (self);
  g_free (self);
}
