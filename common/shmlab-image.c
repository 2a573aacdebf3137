/* shmlab-image.c — an RGBA8 picture in memory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-image.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>

#include <string.h>

#include "shmlab-error.h"

/**
 * shmlab_image_size_check:
 * @width: requested width
 * @height: requested height
 * @max_dimension: the largest side accepted (0 for SHMLAB_IMAGE_MAX_DIMENSION)
 * @stride_out: (out) (optional): the row stride, width × 4
 * @bytes_out: (out) (optional): the pixel memory, stride × height
 * @error: a #GError in SHMLAB_IMAGE_ERROR
 *
 * Checks that an image of these dimensions can exist, with overflow-safe
 * arithmetic, before anything is allocated.
 */
gboolean
shmlab_image_size_check (guint64   width,
                         guint64   height,
                         guint64   max_dimension,
                         guint32  *stride_out,
                         gsize    *bytes_out,
                         GError  **error)
{
  guint64 stride, bytes;

  if (max_dimension == 0)
    max_dimension = SHMLAB_IMAGE_MAX_DIMENSION;

  if (width == 0 || height == 0)
    {
      g_set_error (error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_INVALID_SIZE,
                   _("an image of %" PRIu64 " × %" PRIu64
                   " pixels is empty: width and height must be at least 1"),
                   width, height);
      return FALSE;
    }

  if (width > max_dimension || height > max_dimension)
    {
      g_set_error (error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_TOO_LARGE,
                   _("an image of %" PRIu64 " × %" PRIu64
                   " pixels is larger than the limit of %" PRIu64
                   " pixels a side: scale it down first"),
                   width, height, max_dimension);
      return FALSE;
    }

  if (!g_uint64_checked_mul (&stride, width, 4) || stride > G_MAXUINT32 ||
      !g_uint64_checked_mul (&bytes, stride, height) || bytes > G_MAXSIZE)
    {
      g_set_error (error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_TOO_LARGE,
                   _("an image of %" PRIu64 " × %" PRIu64
                   " pixels needs more memory than this system can address"),
                   width, height);
      return FALSE;
    }

  if (stride_out)
    *stride_out = (guint32) stride;
  if (bytes_out)
    *bytes_out = (gsize) bytes;
  return TRUE;
}

/**
 * shmlab_image_new:
 * @width: width in pixels
 * @height: height in pixels
 * @error: return location for a #GError
 *
 * Allocates a transparent black image, or fails with a #GError when the
 * dimensions are empty, above SHMLAB_IMAGE_MAX_DIMENSION or the memory is not
 * there. Never aborts on a failed allocation.
 */
ShmlabImage *
shmlab_image_new (guint32   width,
                  guint32   height,
                  GError  **error)
{
  ShmlabImage *self;
  guint32 stride;
  gsize bytes;
  guint8 *pixels;

  if (!shmlab_image_size_check (width, height, 0, &stride, &bytes, error))
    return NULL;

  pixels = g_try_malloc0 (bytes);
  if (pixels == NULL)
    {
      g_set_error (error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_TOO_LARGE,
                   _("not enough memory for an image of %u × %u pixels (%zu bytes)"),
                   width, height, bytes);
      return NULL;
    }

  self = g_new0 (ShmlabImage, 1);
  self->width = width;
  self->height = height;
  self->stride = stride;
  self->pixels = pixels;
  g_atomic_ref_count_init (&self->ref_count);
  return self;
}

/**
 * shmlab_image_new_for_bytes:
 * @bytes: memory that holds the rows; the image keeps a reference
 * @offset: where the first row starts in @bytes
 * @width: width in pixels
 * @height: height in pixels
 * @stride: bytes from one row to the next, at least @width × 4
 * @error: a #GError when the rows do not fit in @bytes
 *
 * An image over rows that are already in memory (a private copy of a
 * segment), without copying them. Every bound is checked against @bytes.
 */
ShmlabImage *
shmlab_image_new_for_bytes (GBytes   *bytes,
                            gsize     offset,
                            guint32   width,
                            guint32   height,
                            guint32   stride,
                            GError  **error)
{
  ShmlabImage *self;
  guint32 row;
  guint64 span;
  gsize size = g_bytes_get_size (bytes);

  if (!shmlab_image_size_check (width, height, 0, &row, NULL, error))
    return NULL;
  if (stride < row ||
      !g_uint64_checked_mul (&span, stride, (guint64) height - 1) ||
      !g_uint64_checked_add (&span, span, row) ||
      !g_uint64_checked_add (&span, span, offset) || span > size)
    {
      g_set_error (error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_INVALID_SIZE,
                   _("%u rows of %u pixels, %u bytes apart from byte %zu"
                   ", do not fit in %zu bytes"),
                   height, width, stride, offset, size);
      return NULL;
    }

  self = g_new0 (ShmlabImage, 1);
  self->width = width;
  self->height = height;
  self->stride = stride;
  self->storage = g_bytes_ref (bytes);
  self->pixels = (guint8 *) g_bytes_get_data (bytes, NULL) + offset;
  g_atomic_ref_count_init (&self->ref_count);
  return self;
}

ShmlabImage *
shmlab_image_ref (ShmlabImage *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
shmlab_image_unref (ShmlabImage *self)
{
  g_return_if_fail (self != NULL);
  if (g_atomic_ref_count_dec (&self->ref_count))
    {
      if (self->storage != NULL)
        g_bytes_unref (self->storage);
      else
        g_free (self->pixels);
      g_free (self);
    }
}

gsize
shmlab_image_get_byte_size (const ShmlabImage *self)
{
  return (gsize) self->stride * self->height;
}

/* Same dimensions and the same visible pixels (padding past width × 4 is ignored). */
gboolean
shmlab_image_equal (const ShmlabImage *a,
                    const ShmlabImage *b)
{
  if (a->width != b->width || a->height != b->height)
    return FALSE;
  for (guint32 y = 0; y < a->height; y++)
    if (memcmp (a->pixels + (gsize) y * a->stride, b->pixels + (gsize) y * b->stride,
                (gsize) a->width * 4) != 0)
      return FALSE;
  return TRUE;
}

/* Whether every pixel's alpha is 255. Touches every pixel: call it off the
 * main thread for large images. */
gboolean
shmlab_image_is_opaque (const ShmlabImage *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  for (guint32 y = 0; y < self->height; y++)
    {
      const guint8 *p = self->pixels + (gsize) y * self->stride + 3;

      for (guint32 x = 0; x < self->width; x++, p += 4)
        if (*p != 0xff)
          return FALSE;
    }
  return TRUE;
}

/**
 * shmlab_image_scale_to_fit:
 * @self: the image
 * @max_side: the longest side the result may have
 *
 * A smaller copy for showing: each pixel the average of the pixels it covers
 * (weighted by alpha, so transparent pixels lend no colour). Touches every
 * source pixel once; call it off the main thread for large images.
 *
 * Returns: (transfer full): a new reference to @self when it already fits,
 *   else the scaled copy
 */
ShmlabImage *
shmlab_image_scale_to_fit (ShmlabImage *self,
                           guint32      max_side)
{
  ShmlabImage *out;
  guint32 width, height;
  double scale;

  g_return_val_if_fail (self != NULL && max_side > 0, NULL);

  if (self->width <= max_side && self->height <= max_side)
    return shmlab_image_ref (self);

  scale = (double) max_side / MAX (self->width, self->height);
  width = MAX (1, (guint32) (self->width * scale + 0.5));
  height = MAX (1, (guint32) (self->height * scale + 0.5));
  out = shmlab_image_new (width, height, NULL);
  if (out == NULL)
    return shmlab_image_ref (self);

  for (guint32 y = 0; y < height; y++)
    {
      guint32 y0 = (guint32) ((guint64) y * self->height / height);
      guint32 y1 = MAX (y0 + 1, (guint32) ((guint64) (y + 1) * self->height / height));
      guint8 *dest = out->pixels + (gsize) y * out->stride;

      for (guint32 x = 0; x < width; x++)
        {
          guint32 x0 = (guint32) ((guint64) x * self->width / width);
          guint32 x1 = MAX (x0 + 1, (guint32) ((guint64) (x + 1) * self->width / width));
          guint64 r = 0, g = 0, b = 0, a = 0, n = (guint64) (x1 - x0) * (y1 - y0);

          for (guint32 sy = y0; sy < y1; sy++)
            {
              const guint8 *p = self->pixels + (gsize) sy * self->stride + (gsize) x0 * 4;
              for (guint32 sx = x0; sx < x1; sx++, p += 4)
                {
                  r += (guint64) p[0] * p[3];
                  g += (guint64) p[1] * p[3];
                  b += (guint64) p[2] * p[3];
                  a += p[3];
                }
            }
          dest[x * 4 + 0] = a ? (guint8) (r / a) : 0;
          dest[x * 4 + 1] = a ? (guint8) (g / a) : 0;
          dest[x * 4 + 2] = a ? (guint8) (b / a) : 0;
          dest[x * 4 + 3] = (guint8) ((a + n / 2) / n);
        }
    }
  return out;
}
