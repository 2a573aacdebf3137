/* shmlab-image-loader.h — a picture file of any common type to an RGBA8
 * image: PNG through libpng, the others through GdkPixbuf's loaders
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "shmlab-image.h"
#include "shmlab-png.h"

G_BEGIN_DECLS

ShmlabImage *shmlab_image_load                (const guint8          *data,
                                               gsize                  length,
                                               const ShmlabPngLimits *limits,
                                               GError               **error);
ShmlabImage *shmlab_image_load_file           (const char            *path,
                                               const ShmlabPngLimits *limits,
                                               GError               **error);
const char  *shmlab_image_type_sniff          (const guint8          *data,
                                               gsize                  length);
gboolean     shmlab_image_type_can_load       (const char            *type);
char       **shmlab_image_types_dup_mime_types (void);

G_END_DECLS
