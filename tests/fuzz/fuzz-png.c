/* fuzz-png.c — libFuzzer target for the PNG reader
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <zlib.h>

#include "shmlab-error.h"
#include "shmlab-png.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
read_once (const uint8_t *data,
           size_t         size)
{
  ShmlabPngLimits limits;
  GError *error = NULL;
  ShmlabImage *image;
  gsize consumed = 0;

  /* Smaller images than the default keep every run fast. */
  shmlab_png_limits_init_default (&limits);
  limits.max_dimension = 2048;

  image = shmlab_png_read (data, size, &limits, &consumed, &error);
  if (image == NULL)
    {
      if (error == NULL || error->domain != SHMLAB_IMAGE_ERROR || consumed != 0)
        __builtin_trap ();
      g_error_free (error);
      return;
    }
  if (error != NULL || consumed == 0 || consumed > size || image->width > 2048 ||
      image->height > 2048)
    __builtin_trap ();

  /* What was decoded writes back and reads back the same. */
  if ((gsize) image->width * image->height <= 64 * 64)
    {
      GBytes *png = shmlab_png_write (image, &error);
      ShmlabImage *again;

      if (png == NULL)
        __builtin_trap ();
      again = shmlab_png_read (g_bytes_get_data (png, NULL), g_bytes_get_size (png), &limits,
                               NULL, &error);
      if (again == NULL || !shmlab_image_equal (image, again))
        __builtin_trap ();
      shmlab_image_unref (again);
      g_bytes_unref (png);
    }

  shmlab_image_unref (image);
}

static uint32_t
load_be32 (const uint8_t *p)
{
  return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16) | ((uint32_t) p[2] << 8) | p[3];
}

/* Rewrites every chunk's CRC to match its data; returns whether any changed. */
static gboolean
fix_crcs (uint8_t *data,
          size_t   size)
{
  gboolean changed = FALSE;
  size_t offset = 8;

  while (offset + 12 <= size && load_be32 (data + offset) <= size - offset - 12)
    {
      uint32_t length = load_be32 (data + offset);
      uint8_t *crc_at = data + offset + 8 + length;
      uint32_t crc = (uint32_t) crc32 (crc32 (0, Z_NULL, 0), data + offset + 4, length + 4);

      if (load_be32 (crc_at) != crc)
        {
          crc_at[0] = (uint8_t) (crc >> 24);
          crc_at[1] = (uint8_t) (crc >> 16);
          crc_at[2] = (uint8_t) (crc >> 8);
          crc_at[3] = (uint8_t) crc;
          changed = TRUE;
        }
      offset += 12 + (size_t) length;
    }
  return changed;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  uint8_t *copy;

  read_once (data, size);

  /* Most mutations break a CRC, and libpng stops there: try the input again
   * with correct CRCs so the chunk contents themselves get exercised. */
  copy = g_memdup2 (data, size);
  if (copy != NULL && fix_crcs (copy, size))
    read_once (copy, size);
  g_free (copy);
  return 0;
}
