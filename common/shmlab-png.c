/* shmlab-png.c — PNG files to and from RGBA8 images, through libpng
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-png.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>

#include <setjmp.h>
#include <string.h>

#include <png.h>
#include <zlib.h>

#include "shmlab-error.h"

#define PNG_SIGNATURE_BYTES 8
/* Signature, then the IHDR chunk: length, type, 13 bytes of fields, CRC. */
#define PNG_IHDR_END (PNG_SIGNATURE_BYTES + 4 + 4 + 13 + 4)

/* Speed matters more than the last few per cent of size. */
#define SHMLAB_PNG_COMPRESSION_LEVEL 2

typedef struct
{
  /* The input, and how far libpng has read it. */
  const guint8 *data;
  gsize length;
  gsize offset;
  gboolean truncated;

  ShmlabPngLimits limits;
  png_structp png;
  png_infop info;
  ShmlabImage *image;

  /* What went wrong: a check of ours sets @error, libpng sets @message. */
  GError *error;
  char *message;
  char *warning;
} ReadContext;

typedef struct
{
  png_structp png;
  png_infop info;
  GByteArray *out;
  char *message;
} WriteContext;

/**
 * shmlab_png_limits_init_default:
 * @limits: (out): the limits to fill
 *
 * 16384 pixels a side, 1 GiB of pixels, 8 MiB for one ancillary chunk.
 */
void
shmlab_png_limits_init_default (ShmlabPngLimits *limits)
{
  g_return_if_fail (limits != NULL);

  limits->max_dimension = SHMLAB_IMAGE_MAX_DIMENSION;
  limits->max_pixel_bytes = G_GUINT64_CONSTANT (1024) * 1024 * 1024;
  limits->max_chunk_bytes = G_GUINT64_CONSTANT (8) * 1024 * 1024;
}

gboolean
shmlab_png_has_signature (const guint8 *data,
                          gsize         length)
{
  return data != NULL && length >= PNG_SIGNATURE_BYTES &&
         png_sig_cmp (data, 0, PNG_SIGNATURE_BYTES) == 0;
}

/* A zero field of @in keeps its default, as shmlab_image_size_check() does. */
static void
resolve_limits (const ShmlabPngLimits *in,
                ShmlabPngLimits       *out)
{
  shmlab_png_limits_init_default (out);
  if (in == NULL)
    return;
  if (in->max_dimension != 0)
    out->max_dimension = in->max_dimension;
  if (in->max_pixel_bytes != 0)
    out->max_pixel_bytes = in->max_pixel_bytes;
  if (in->max_chunk_bytes != 0)
    out->max_chunk_bytes = in->max_chunk_bytes;
}

static guint32
load_be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

/**
 * shmlab_image_check_dimensions:
 * @type_name: the picture's type for a person: "PNG", "JPEG"…
 * @width: the width the picture says it has
 * @height: its height
 * @limits: what may be decoded
 * @error: SHMLAB_IMAGE_ERROR_CORRUPT for no pixel, _TOO_LARGE past @limits
 *
 * What every picture reader checks before it takes the pixels' memory.
 */
gboolean
shmlab_image_check_dimensions (const char            *type_name,
                               int                    width,
                               int                    height,
                               const ShmlabPngLimits *limits,
                               GError               **error)
{
  guint64 pixels, bytes;

  if (width <= 0 || height <= 0)
    {
      g_set_error (error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_CORRUPT,
                   _("the %s picture says it is %d × %d pixels, but a picture has at least one "
                   "pixel: the file is damaged"),
                   type_name, width, height);
      return FALSE;
    }
  if ((guint) width > limits->max_dimension || (guint) height > limits->max_dimension)
    {
      g_set_error (error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_TOO_LARGE,
                   _("the %s picture is %d × %d pixels, larger than the limit of %u pixels a "
                   "side: scale the image down first"),
                   type_name, width, height, limits->max_dimension);
      return FALSE;
    }
  if (!g_uint64_checked_mul (&pixels, (guint64) width, (guint64) height) ||
      !g_uint64_checked_mul (&bytes, pixels, 4))
    bytes = G_MAXUINT64;
  if (bytes > limits->max_pixel_bytes)
    {
      g_autofree char *limit_text =
        g_format_size_full (limits->max_pixel_bytes, G_FORMAT_SIZE_IEC_UNITS);

      g_set_error (error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_TOO_LARGE,
                   _("the %s picture is %d × %d pixels, which need %" PRIu64 " bytes of memory "
                   "(4 per pixel), more than the limit of %" PRIu64 " bytes (%s): "
                   "scale the image down first"),
                   type_name, width, height, bytes, limits->max_pixel_bytes, limit_text);
      return FALSE;
    }
  return TRUE;
}

/* A PNG's sides are below 2^31 by its specification: larger is past any limit. */
static gboolean
check_dimensions (guint32                width,
                  guint32                height,
                  const ShmlabPngLimits *limits,
                  GError               **error)
{
  return shmlab_image_check_dimensions ("PNG", (int) MIN (width, (guint32) G_MAXINT),
                                        (int) MIN (height, (guint32) G_MAXINT), limits, error);
}

/* Checks the size in IHDR before libpng starts, so a huge image is refused
 * with its dimensions named; a damaged IHDR is left for libpng to report. */
static gboolean
check_header (const guint8          *data,
              gsize                  length,
              const ShmlabPngLimits *limits,
              GError               **error)
{
  const guint8 *chunk = data + PNG_SIGNATURE_BYTES;

  if (length < PNG_IHDR_END || load_be32 (chunk) != 13 || memcmp (chunk + 4, "IHDR", 4) != 0)
    return TRUE;
  if (crc32 (crc32 (0, Z_NULL, 0), chunk + 4, 4 + 13) != load_be32 (chunk + 4 + 4 + 13))
    return TRUE;

  return check_dimensions (load_be32 (chunk + 8), load_be32 (chunk + 12), limits, error);
}

static void
on_png_error (png_structp     png,
              png_const_charp message)
{
  char **slot = png_get_error_ptr (png);

  if (*slot == NULL)
    *slot = g_strdup (message);
  png_longjmp (png, 1);
}

static void
on_png_read_warning (png_structp     png,
                     png_const_charp message)
{
  ReadContext *ctx = png_get_io_ptr (png);

  g_debug ("libpng warning while reading a PNG: %s", message);
  if (ctx != NULL && ctx->warning == NULL)
    ctx->warning = g_strdup (message);
}

static void
on_png_write_warning (png_structp     png,
                      png_const_charp message)
{
  g_debug ("libpng warning while writing a PNG: %s", message);
}

static void
read_from_buffer (png_structp png,
                  png_bytep   out,
                  size_t      count)
{
  ReadContext *ctx = png_get_io_ptr (png);

  if (count > ctx->length - ctx->offset)
    {
      ctx->truncated = TRUE;
      png_error (png, "the data ends early");
    }
  memcpy (out, ctx->data + ctx->offset, count);
  ctx->offset += count;
}

/* Everything that may longjmp lives here; all state is in @ctx, outside this
 * frame, so nothing is indeterminate after the jump. */
static gboolean
read_guarded (ReadContext *ctx)
{
  png_uint_32 width, height;
  int bit_depth, color_type, passes;
  guint64 least_inflated, most_inflated;

  if (setjmp (png_jmpbuf (ctx->png)))
    return FALSE;

  png_read_info (ctx->png, ctx->info);
  png_get_IHDR (ctx->png, ctx->info, &width, &height, &bit_depth, &color_type, NULL, NULL, NULL);
  if (!check_dimensions (width, height, &ctx->limits, &ctx->error))
    return FALSE;

  /* Each row is a filter byte and its pixels, deflated at most 1032:1: a
   * PNG whose remaining bytes cannot hold its rows is refused before the
   * picture's memory is taken. */
  least_inflated = (guint64) height * (1 + (guint64) png_get_rowbytes (ctx->png, ctx->info));
  most_inflated = (guint64) (ctx->length - ctx->offset) * 1032;
  if (most_inflated < least_inflated)
    {
      g_set_error (&ctx->error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_TRUNCATED,
                   g_dngettext (GETTEXT_PACKAGE,
                                "the PNG ends after %zu of its bytes, too few to hold the %u × %u "
                                "pixels it says it has even compressed: the PNG is truncated or "
                                "damaged",
                                "the PNG ends after %zu of its bytes, too few to hold the %u × %u "
                                "pixels it says it has even compressed: the PNG is truncated or "
                                "damaged", ctx->length),
                   ctx->length, (guint) width, (guint) height);
      return FALSE;
    }

  if (bit_depth == 16)
    png_set_scale_16 (ctx->png);
  /* Palette to RGB, grey below 8 bits to 8 bits, tRNS to an alpha channel. */
  png_set_expand (ctx->png);
  if (!(color_type & PNG_COLOR_MASK_COLOR))
    png_set_gray_to_rgb (ctx->png);
  if (!(color_type & PNG_COLOR_MASK_ALPHA) && !png_get_valid (ctx->png, ctx->info, PNG_INFO_tRNS))
    png_set_add_alpha (ctx->png, 0xff, PNG_FILLER_AFTER);
  passes = png_set_interlace_handling (ctx->png);
  png_read_update_info (ctx->png, ctx->info);

  /* The rows are written straight into the image: they must fit exactly. */
  if (png_get_bit_depth (ctx->png, ctx->info) != 8 || png_get_channels (ctx->png, ctx->info) != 4 ||
      png_get_rowbytes (ctx->png, ctx->info) != (size_t) width * 4)
    {
      g_set_error (&ctx->error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_CORRUPT,
                   _("the PNG (colour type %d, %d bits) could not be converted to 8-bit RGBA: "
                   "save it again as an ordinary RGB or RGBA PNG"),
                   color_type, bit_depth);
      return FALSE;
    }

  ctx->image = shmlab_image_new (width, height, &ctx->error);
  if (ctx->image == NULL)
    return FALSE;

  for (int pass = 0; pass < passes; pass++)
    for (guint32 y = 0; y < height; y++)
      png_read_row (ctx->png, ctx->image->pixels + (gsize) y * ctx->image->stride, NULL);

  png_read_end (ctx->png, NULL);
  return TRUE;
}

static void
set_read_error (ReadContext *ctx,
                GError     **error)
{
  if (ctx->error != NULL)
    g_propagate_error (error, g_steal_pointer (&ctx->error));
  else if (ctx->truncated)
    g_set_error (error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_TRUNCATED,
                 g_dngettext (GETTEXT_PACKAGE,
                              "the PNG ends after %zu of its bytes, before its IEND chunk: the "
                              "PNG is truncated",
                              "the PNG ends after %zu of its bytes, before its IEND chunk: the "
                              "PNG is truncated", ctx->length),
                 ctx->length);
  else if (ctx->message != NULL && ctx->warning != NULL &&
           strcmp (ctx->message, "Invalid IHDR data") == 0)
    /* libpng names what is wrong with IHDR only in a warning. */
    g_set_error (error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_CORRUPT,
                 _("the PNG header is damaged (libpng reports “%s”: “%s”): it cannot be decoded"),
                 ctx->message, ctx->warning);
  else
    g_set_error (error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_CORRUPT,
                 _("the PNG is damaged (libpng reports “%s”): it cannot be decoded"),
                 ctx->message != NULL ? ctx->message : _("unknown error"));
}

/**
 * shmlab_png_read:
 * @data: (array length=length): the PNG file's bytes
 * @length: how many bytes @data holds; nothing past them is read
 * @limits: (nullable): the size limits, %NULL for the defaults; a zero field
 *   keeps its default
 * @consumed: (out) (optional): how many bytes the PNG takes, up to and
 *   including its IEND chunk; bytes after it are ignored
 * @error: a #GError in SHMLAB_IMAGE_ERROR
 *
 * Decodes a PNG of any colour type, bit depth and interlacing into straight
 * RGBA8. 16-bit samples are rounded to 8 bits; tRNS becomes alpha.
 *
 * Returns: (transfer full) (nullable): the image, or %NULL with @error set
 */
ShmlabImage *
shmlab_png_read (const guint8          *data,
                 gsize                  length,
                 const ShmlabPngLimits *limits,
                 gsize                 *consumed,
                 GError               **error)
{
  ReadContext ctx = { 0 };
  ShmlabImage *image = NULL;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (consumed != NULL)
    *consumed = 0;

  if (length == 0)
    {
      g_set_error_literal (error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_CORRUPT,
                           _("the data is empty (0 bytes), so it holds no PNG: "
                           "save the image again or choose another file"));
      return NULL;
    }
  if (length < PNG_SIGNATURE_BYTES && png_sig_cmp (data, 0, length) == 0)
    {
      g_set_error (error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_TRUNCATED,
                   g_dngettext (GETTEXT_PACKAGE,
                                "the PNG ends after %zu of its bytes, inside its 8-byte "
                                "signature: the PNG is truncated",
                                "the PNG ends after %zu of its bytes, inside its 8-byte "
                                "signature: the PNG is truncated", length),
                   length);
      return NULL;
    }
  if (!shmlab_png_has_signature (data, length))
    {
      g_set_error_literal (error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_CORRUPT,
                           _("the data does not start with the 8-byte PNG signature, so it is not "
                           "a PNG file: convert the image to PNG first"));
      return NULL;
    }

  ctx.data = data;
  ctx.length = length;
  resolve_limits (limits, &ctx.limits);

  if (!check_header (data, length, &ctx.limits, error))
    return NULL;

  ctx.png = png_create_read_struct (PNG_LIBPNG_VER_STRING, &ctx.message, on_png_error,
                                    on_png_read_warning);
  if (ctx.png != NULL)
    ctx.info = png_create_info_struct (ctx.png);
  if (ctx.png == NULL || ctx.info == NULL)
    {
      png_destroy_read_struct (ctx.png != NULL ? &ctx.png : NULL, NULL, NULL);
      g_set_error_literal (error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_TOO_LARGE,
                           _("not enough memory to start reading a PNG: close other programs and "
                           "try again"));
      return NULL;
    }

  png_set_read_fn (ctx.png, &ctx, read_from_buffer);
  png_set_user_limits (ctx.png, MIN (ctx.limits.max_dimension, PNG_UINT_31_MAX),
                       MIN (ctx.limits.max_dimension, PNG_UINT_31_MAX));
  png_set_chunk_malloc_max (ctx.png, MIN (ctx.limits.max_chunk_bytes, G_MAXSIZE));
  /* Skip every chunk but IHDR, PLTE, tRNS, IDAT and IEND unparsed: none changes
   * the RGBA pixels, and zTXt, iTXt or iCCP could cost memory and time. */
  png_set_keep_unknown_chunks (ctx.png, PNG_HANDLE_CHUNK_NEVER, NULL, -1);

  if (read_guarded (&ctx))
    {
      image = g_steal_pointer (&ctx.image);
      if (consumed != NULL)
        *consumed = ctx.offset;
    }
  else
    set_read_error (&ctx, error);

  png_destroy_read_struct (&ctx.png, &ctx.info, NULL);
  g_clear_pointer (&ctx.image, shmlab_image_unref);
  g_clear_error (&ctx.error);
  g_free (ctx.message);
  g_free (ctx.warning);
  return image;
}

static void
write_to_array (png_structp png,
                png_bytep   data,
                size_t      count)
{
  WriteContext *ctx = png_get_io_ptr (png);

  /* GByteArray counts in guint. */
  if (count > G_MAXUINT - ctx->out->len)
    png_error (png, "the PNG would be larger than 4 GiB");
  g_byte_array_append (ctx->out, data, (guint) count);
}

static void
flush_nothing (png_structp png)
{
}

/* As read_guarded(): all state in @ctx, outside the frame that calls setjmp. */
static gboolean
write_guarded (WriteContext      *ctx,
               const ShmlabImage *image)
{
  if (setjmp (png_jmpbuf (ctx->png)))
    return FALSE;

  png_set_IHDR (ctx->png, ctx->info, image->width, image->height, 8, PNG_COLOR_TYPE_RGBA,
                PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_set_compression_level (ctx->png, SHMLAB_PNG_COMPRESSION_LEVEL);
  png_write_info (ctx->png, ctx->info);
  for (guint32 y = 0; y < image->height; y++)
    png_write_row (ctx->png, image->pixels + (gsize) y * image->stride);
  png_write_end (ctx->png, NULL);
  return TRUE;
}

/**
 * shmlab_png_write:
 * @image: the image to encode
 * @error: a #GError in SHMLAB_IMAGE_ERROR
 *
 * Encodes @image as an 8-bit RGBA, non-interlaced PNG.
 *
 * Returns: (transfer full) (nullable): the PNG file's bytes
 */
GBytes *
shmlab_png_write (const ShmlabImage *image,
                  GError           **error)
{
  WriteContext ctx = { 0 };
  GBytes *result = NULL;

  g_return_val_if_fail (image != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!shmlab_image_size_check (image->width, image->height, 0, NULL, NULL, error))
    return NULL;
  if (image->pixels == NULL || image->stride / 4 < image->width)
    {
      g_set_error (error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_INVALID_SIZE,
                   _("the image’s row stride is %u bytes but a row of %u pixels needs %" PRIu64
                   ": the image was not made by shmlab_image_new(), or is damaged"),
                   image->stride, image->width, (guint64) image->width * 4);
      return NULL;
    }

  ctx.png = png_create_write_struct (PNG_LIBPNG_VER_STRING, &ctx.message, on_png_error,
                                     on_png_write_warning);
  if (ctx.png != NULL)
    ctx.info = png_create_info_struct (ctx.png);
  if (ctx.png == NULL || ctx.info == NULL)
    {
      png_destroy_write_struct (ctx.png != NULL ? &ctx.png : NULL, NULL);
      g_set_error_literal (error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_TOO_LARGE,
                           _("not enough memory to start writing a PNG: close other programs and "
                           "try again"));
      return NULL;
    }

  ctx.out = g_byte_array_new ();
  png_set_write_fn (ctx.png, &ctx, write_to_array, flush_nothing);

  if (write_guarded (&ctx, image))
    result = g_byte_array_free_to_bytes (g_steal_pointer (&ctx.out));
  else
    g_set_error (error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_TOO_LARGE,
                 _("could not encode the %u × %u image as PNG (libpng reports “%s”): "
                 "close other programs to free memory, or save a smaller image"),
                 image->width, image->height,
                 ctx.message != NULL ? ctx.message : _("unknown error"));

  png_destroy_write_struct (&ctx.png, &ctx.info);
  if (ctx.out != NULL)
    g_byte_array_unref (ctx.out);
  g_free (ctx.message);
  return result;
}

/**
 * shmlab_png_write_file:
 * @image: the image to save
 * @path: where to save it; replaced atomically, so a reader never sees half
 *   a file
 * @error: a #GError in SHMLAB_IMAGE_ERROR or G_FILE_ERROR
 *
 * Returns: %TRUE when the whole file was written
 */
gboolean
shmlab_png_write_file (const ShmlabImage *image,
                       const char        *path,
                       GError           **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize length;
  const char *data;

  g_return_val_if_fail (image != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  bytes = shmlab_png_write (image, error);
  if (bytes == NULL)
    return FALSE;

  data = g_bytes_get_data (bytes, &length);
  if (!g_file_set_contents (path, data, (gssize) length, &local_error))
    {
      g_set_error (error, local_error->domain, local_error->code,
                   _("could not save the PNG: %s; check that the folder exists and that you may "
                   "write to it"),
                   local_error->message);
      return FALSE;
    }
  return TRUE;
}
