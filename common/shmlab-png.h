/* shmlab-png.h — PNG files to and from RGBA8 images, through libpng
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "shmlab-image.h"

G_BEGIN_DECLS

/**
 * ShmlabPngLimits:
 * @max_dimension: the largest width or height accepted (default 16384)
 * @max_pixel_bytes: the most pixel memory (width × height × 4) accepted
 *   (default 1 GiB)
 * @max_chunk_bytes: the most memory libpng may spend on one ancillary chunk
 *   (default 8 MiB)
 *
 * Guards against decompression bombs: a small file that claims a huge image
 * is refused before anything is allocated.
 */
typedef struct
{
  guint32 max_dimension;
  guint64 max_pixel_bytes;
  guint64 max_chunk_bytes;
} ShmlabPngLimits;

void         shmlab_png_limits_init_default (ShmlabPngLimits       *limits);

gboolean     shmlab_image_check_dimensions  (const char            *type_name,
                                             int                    width,
                                             int                    height,
                                             const ShmlabPngLimits *limits,
                                             GError               **error);
ShmlabImage *shmlab_png_read                (const guint8          *data,
                                             gsize                  length,
                                             const ShmlabPngLimits *limits,
                                             gsize                 *consumed,
                                             GError               **error);
GBytes      *shmlab_png_write               (const ShmlabImage     *image,
                                             GError               **error);
gboolean     shmlab_png_write_file          (const ShmlabImage     *image,
                                             const char            *path,
                                             GError               **error);
gboolean     shmlab_png_has_signature       (const guint8          *data,
                                             gsize                  length);

G_END_DECLS
