/* shmlab-image.h — an RGBA8 picture in memory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Images larger than this on either side are refused by default. */
#define SHMLAB_IMAGE_MAX_DIMENSION 16384

/**
 * ShmlabImage:
 * @width: width in pixels, at least 1
 * @height: height in pixels, at least 1
 * @stride: bytes from one row to the next, at least width × 4
 * @pixels: @stride × @height bytes of straight (not premultiplied) RGBA,
 *   8 bits per channel, in the order R, G, B, A
 *
 * Reference counted; fields are read-only once the image is shared. An image
 * made by shmlab_image_new_for_bytes() shares immutable bytes: never write
 * its pixels.
 */
typedef struct
{
  guint32 width;
  guint32 height;
  guint32 stride;
  guint8 *pixels;
  /*< private >*/
  gatomicrefcount ref_count;
  GBytes *storage;
} ShmlabImage;

ShmlabImage *shmlab_image_new            (guint32       width,
                                          guint32       height,
                                          GError      **error);
ShmlabImage *shmlab_image_new_for_bytes  (GBytes       *bytes,
                                          gsize         offset,
                                          guint32       width,
                                          guint32       height,
                                          guint32       stride,
                                          GError      **error);
ShmlabImage *shmlab_image_ref            (ShmlabImage  *self);
void         shmlab_image_unref          (ShmlabImage  *self);
gsize        shmlab_image_get_byte_size  (const ShmlabImage *self);
gboolean     shmlab_image_equal          (const ShmlabImage *a,
                                          const ShmlabImage *b);
gboolean     shmlab_image_is_opaque      (const ShmlabImage *self);
ShmlabImage *shmlab_image_scale_to_fit   (ShmlabImage  *self,
                                          guint32       max_side);
gboolean     shmlab_image_size_check     (guint64       width,
                                          guint64       height,
                                          guint64       max_dimension,
                                          guint32      *stride_out,
                                          gsize        *bytes_out,
                                          GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShmlabImage, shmlab_image_unref)

G_END_DECLS
