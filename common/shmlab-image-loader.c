/* shmlab-image-loader.c — a picture file of any common type to an RGBA8
 * image: PNG through libpng, the others through GdkPixbuf's loaders
 *
 * Each type is recognised by its own first bytes here, before any loader
 * sees them, so only the loaders of the types below ever run on a file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-image-loader.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>

#include "shmlab-error.h"

/* A bigger file is refused before it is read into memory. */
#define SHMLAB_IMAGE_MAX_FILE_BYTES (G_GUINT64_CONSTANT (512) * 1024 * 1024)

typedef struct
{
  /* Its name for a person, never translated: "JPEG". */
  const char *name;
  /* GdkPixbuf's name of its loader; NULL for PNG, which libpng reads. */
  const char *loader;
  const char *mime_type;
  /* The Debian package that holds the loader, when it is not GdkPixbuf's own. */
  const char *package;
  gboolean (*sniff) (const guint8 *data,
                     gsize         length);
} PictureType;

static gboolean
sniff_png (const guint8 *data,
           gsize         length)
{
  static const guint8 signature[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

  /* A truncated signature is a truncated PNG, which libpng names as such. */
  return length > 0 && memcmp (data, signature, MIN (length, sizeof signature)) == 0;
}

static gboolean
sniff_jpeg (const guint8 *data,
            gsize         length)
{
  return length >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff;
}

static gboolean
sniff_gif (const guint8 *data,
           gsize         length)
{
  return length >= 6 && (memcmp (data, "GIF87a", 6) == 0 || memcmp (data, "GIF89a", 6) == 0);
}

static gboolean
sniff_bmp (const guint8 *data,
           gsize         length)
{
  return length >= 14 && data[0] == 'B' && data[1] == 'M';
}

static gboolean
sniff_tiff (const guint8 *data,
            gsize         length)
{
  return length >= 4 &&
         (memcmp (data, "II*\0", 4) == 0 || memcmp (data, "MM\0*", 4) == 0);
}

static gboolean
sniff_webp (const guint8 *data,
            gsize         length)
{
  return length >= 12 && memcmp (data, "RIFF", 4) == 0 && memcmp (data + 8, "WEBP", 4) == 0;
}

static gboolean
sniff_ico (const guint8 *data,
           gsize         length)
{
  /* Reserved 0, type 1 (icon) or 2 (cursor), at least one image. */
  return length >= 6 && data[0] == 0 && data[1] == 0 && (data[2] == 1 || data[2] == 2) &&
         data[3] == 0 && (data[4] != 0 || data[5] != 0);
}

/* The types ShmLab opens, in the order they are tried. */
static const PictureType picture_types[] = {
  { "PNG", NULL, "image/png", NULL, sniff_png },
  { "JPEG", "jpeg", "image/jpeg", NULL, sniff_jpeg },
  { "GIF", "gif", "image/gif", NULL, sniff_gif },
  { "BMP", "bmp", "image/bmp", NULL, sniff_bmp },
  { "TIFF", "tiff", "image/tiff", NULL, sniff_tiff },
  { "WebP", "webp", "image/webp", "webp-pixbuf-loader", sniff_webp },
  { "ICO", "ico", "image/vnd.microsoft.icon", NULL, sniff_ico },
};

static const PictureType *
find_type (const guint8 *data,
           gsize         length)
{
  for (guint i = 0; i < G_N_ELEMENTS (picture_types); i++)
    if (picture_types[i].sniff (data, length))
      return &picture_types[i];
  return NULL;
}

/**
 * shmlab_image_type_sniff:
 * @data: (array length=length): a file's first bytes
 *
 * Returns: (nullable): the picture type the bytes start like ("JPEG"), or
 *   %NULL when they are no type ShmLab opens
 */
const char *
shmlab_image_type_sniff (const guint8 *data,
                         gsize         length)
{
  const PictureType *type;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  type = find_type (data, length);
  return type ? type->name : NULL;
}

static gboolean
has_loader (const PictureType *type)
{
  g_autoptr(GSList) formats = NULL;
  gboolean found = FALSE;

  if (type->loader == NULL)
    return TRUE;
  formats = gdk_pixbuf_get_formats ();
  for (GSList *l = formats; l != NULL && !found; l = l->next)
    {
      g_autofree char *name = gdk_pixbuf_format_get_name (l->data);

      found = g_strcmp0 (name, type->loader) == 0 && !gdk_pixbuf_format_is_disabled (l->data);
    }
  return found;
}

/**
 * shmlab_image_type_can_load:
 * @type: a type's name as shmlab_image_type_sniff() gives it ("WebP")
 *
 * Whether this system has a loader for @type (PNG always has one).
 */
gboolean
shmlab_image_type_can_load (const char *type)
{
  for (guint i = 0; i < G_N_ELEMENTS (picture_types); i++)
    if (g_ascii_strcasecmp (type, picture_types[i].name) == 0)
      return has_loader (&picture_types[i]);
  return FALSE;
}

/**
 * shmlab_image_types_dup_mime_types:
 *
 * The MIME types of the pictures that open here, for a file chooser.
 *
 * Returns: (transfer full): a %NULL-terminated array
 */
char **
shmlab_image_types_dup_mime_types (void)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  char **result;

  for (guint i = 0; i < G_N_ELEMENTS (picture_types); i++)
    if (has_loader (&picture_types[i]))
      g_strv_builder_add (builder, picture_types[i].mime_type);
  result = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return result;
}


typedef struct
{
  const PictureType *type;
  const ShmlabPngLimits *limits;
  GError *error;
} LoadContext;

/* Before the loader takes the pixels' memory: a size of 0 × 0 makes it stop. */
static void
size_prepared_cb (GdkPixbufLoader *loader,
                  int              width,
                  int              height,
                  LoadContext     *ctx)
{
  if (ctx->error == NULL &&
      !shmlab_image_check_dimensions (ctx->type->name, width, height, ctx->limits, &ctx->error))
    gdk_pixbuf_loader_set_size (loader, 0, 0);
}

/* GdkPixbuf's rows, RGB or RGBA, to a straight RGBA8 image. */
static ShmlabImage *
image_from_pixbuf (const PictureType     *type,
                   GdkPixbuf             *pixbuf,
                   const ShmlabPngLimits *limits,
                   GError               **error)
{
  int width = gdk_pixbuf_get_width (pixbuf);
  int height = gdk_pixbuf_get_height (pixbuf);
  int channels = gdk_pixbuf_get_n_channels (pixbuf);
  int rowstride = gdk_pixbuf_get_rowstride (pixbuf);
  gsize available = gdk_pixbuf_get_byte_length (pixbuf);
  const guint8 *pixels = gdk_pixbuf_read_pixels (pixbuf);
  g_autoptr(ShmlabImage) image = NULL;
  guint64 needed;

  if (!shmlab_image_check_dimensions (type->name, width, height, limits, error))
    return NULL;
  /* The last row may stop at its pixels, short of a whole stride. */
  needed = (guint64) rowstride * (guint64) (height - 1) +
           (guint64) width * (guint64) MAX (channels, 0);
  if (gdk_pixbuf_get_colorspace (pixbuf) != GDK_COLORSPACE_RGB ||
      gdk_pixbuf_get_bits_per_sample (pixbuf) != 8 || (channels != 3 && channels != 4) ||
      (channels == 4) != gdk_pixbuf_get_has_alpha (pixbuf) || rowstride < width * channels ||
      needed > available || pixels == NULL)
    {
      g_set_error (error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_CORRUPT,
                   _("the %s loader gave pixels of a layout ShmLab does not know (%d channels, "
                   "%d bits): convert the picture to PNG first"),
                   type->name, channels, gdk_pixbuf_get_bits_per_sample (pixbuf));
      return NULL;
    }

  image = shmlab_image_new ((guint32) width, (guint32) height, error);
  if (image == NULL)
    return NULL;
  for (int y = 0; y < height; y++)
    {
      const guint8 *src = pixels + (gsize) y * (gsize) rowstride;
      guint8 *dest = image->pixels + (gsize) y * image->stride;

      if (channels == 4)
        memcpy (dest, src, (gsize) width * 4);
      else
        for (int x = 0; x < width; x++, src += 3, dest += 4)
          {
            dest[0] = src[0];
            dest[1] = src[1];
            dest[2] = src[2];
            dest[3] = 0xff;
          }
    }
  return g_steal_pointer (&image);
}

static ShmlabImage *
load_with_pixbuf (const PictureType     *type,
                  const guint8          *data,
                  gsize                  length,
                  const ShmlabPngLimits *limits,
                  GError               **error)
{
  g_autoptr(GdkPixbufLoader) loader = NULL;
  g_autoptr(GdkPixbuf) oriented = NULL;
  g_autoptr(GError) local_error = NULL;
  LoadContext ctx = { type, limits, NULL };
  GdkPixbuf *pixbuf;
  gboolean written;

  loader = gdk_pixbuf_loader_new_with_type (type->loader, NULL);
  if (loader == NULL)
    {
      if (type->package != NULL)
        g_set_error (error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_NO_LOADER,
                     _("the file is a %s picture, but this system has no loader for %s "
                     "pictures: install the package %s, or convert the picture to PNG first"),
                     type->name, type->name, type->package);
      else
        g_set_error (error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_NO_LOADER,
                     _("the file is a %s picture, but this system has no loader for %s "
                     "pictures: convert the picture to PNG first"),
                     type->name, type->name);
      return NULL;
    }
  g_signal_connect (loader, "size-prepared", G_CALLBACK (size_prepared_cb), &ctx);

  written = gdk_pixbuf_loader_write (loader, data, length, &local_error);
  /* A loader must be closed, even one that failed. */
  if (!gdk_pixbuf_loader_close (loader, written ? &local_error : NULL))
    written = FALSE;

  if (ctx.error != NULL)
    {
      g_propagate_error (error, ctx.error);
      return NULL;
    }
  pixbuf = written ? gdk_pixbuf_loader_get_pixbuf (loader) : NULL;
  if (pixbuf == NULL)
    {
      if (g_error_matches (local_error, GDK_PIXBUF_ERROR, GDK_PIXBUF_ERROR_INSUFFICIENT_MEMORY))
        g_set_error (error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_TOO_LARGE,
                     _("not enough memory to decode the %s picture: close other programs and "
                     "try again"),
                     type->name);
      else
        g_set_error (error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_CORRUPT,
                     _("the %s picture is damaged (its loader reports “%s”): it cannot be "
                     "decoded"),
                     type->name, local_error ? local_error->message : _("unknown error"));
      return NULL;
    }

  /* A photo stored on its side, as the camera held it, is shown upright. */
  oriented = gdk_pixbuf_apply_embedded_orientation (pixbuf);
  return image_from_pixbuf (type, oriented ? oriented : pixbuf, limits, error);
}

static ShmlabImage *
load (const guint8          *data,
      gsize                  length,
      const ShmlabPngLimits *limits,
      gboolean               from_file,
      GError               **error)
{
  const PictureType *type;
  ShmlabPngLimits resolved;

  shmlab_png_limits_init_default (&resolved);
  if (limits != NULL && limits->max_dimension != 0)
    resolved.max_dimension = limits->max_dimension;
  if (limits != NULL && limits->max_pixel_bytes != 0)
    resolved.max_pixel_bytes = limits->max_pixel_bytes;
  if (limits != NULL && limits->max_chunk_bytes != 0)
    resolved.max_chunk_bytes = limits->max_chunk_bytes;

  if (length == 0)
    {
      g_set_error_literal (error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_UNKNOWN_TYPE,
                           from_file ? _("the file is empty (0 bytes), so it holds no picture: "
                                       "choose another file")
                                     : _("the data is empty (0 bytes), so it holds no picture"));
      return NULL;
    }

  type = find_type (data, length);
  if (type == NULL)
    {
      g_set_error_literal (error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_UNKNOWN_TYPE,
                           from_file ? _("the file is not a picture ShmLab can open (PNG, JPEG, "
                                       "GIF, BMP, TIFF, WebP or ICO): choose a picture, or "
                                       "convert this file to PNG first")
                                     : _("the data is not a picture ShmLab can open (PNG, JPEG, "
                                       "GIF, BMP, TIFF, WebP or ICO)"));
      return NULL;
    }

  if (type->loader == NULL)
    return shmlab_png_read (data, length, &resolved, NULL, error);
  return load_with_pixbuf (type, data, length, &resolved, error);
}

/**
 * shmlab_image_load:
 * @data: (array length=length): a picture file's bytes
 * @limits: (nullable): as for shmlab_png_read(), for every type
 * @error: a #GError in SHMLAB_IMAGE_ERROR
 *
 * Decodes a PNG (through libpng) or a JPEG, GIF, BMP, TIFF, WebP or ICO
 * (through GdkPixbuf, when this system has its loader) into straight RGBA8.
 * A GIF gives its first frame; a photo is turned as its EXIF orientation
 * says. A picture larger than @limits is refused before its pixels'
 * memory is taken. Takes time: call it off the main thread.
 *
 * Returns: (transfer full) (nullable): the image, or %NULL with @error set
 */
ShmlabImage *
shmlab_image_load (const guint8          *data,
                   gsize                  length,
                   const ShmlabPngLimits *limits,
                   GError               **error)
{
  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  return load (data, length, limits, FALSE, error);
}

/* Reads all of a regular file with one open descriptor, so what is checked is
 * what is read; O_NONBLOCK keeps a FIFO from hanging the open. */
static GBytes *
read_whole_file (const char *path,
                 GError    **error)
{
  g_autofree char *display = g_filename_display_name (path);
  g_autofree guint8 *data = NULL;
  struct stat st;
  gsize size, got = 0;
  int fd, saved_errno;

  fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0);
  if (fd < 0)
    {
      saved_errno = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("could not open the picture “%s”: %s; check the path and that you may read "
                   "the file"),
                   display, g_strerror (saved_errno));
      return NULL;
    }

  if (fstat (fd, &st) != 0)
    {
      saved_errno = errno;
      g_close (fd, NULL);
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("could not examine the file “%s”: %s; check that you may read it"),
                   display, g_strerror (saved_errno));
      return NULL;
    }

  if (S_ISDIR (st.st_mode))
    {
      g_close (fd, NULL);
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR,
                   _("“%s” is a folder, not a picture: choose a file inside it"), display);
      return NULL;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_close (fd, NULL);
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   _("“%s” is not a regular file (it is a device, pipe or socket): "
                   "choose a picture file"),
                   display);
      return NULL;
    }
  if (st.st_size < 0 || (guint64) st.st_size > SHMLAB_IMAGE_MAX_FILE_BYTES)
    {
      g_autofree char *limit_text =
        g_format_size_full (SHMLAB_IMAGE_MAX_FILE_BYTES, G_FORMAT_SIZE_IEC_UNITS);

      g_close (fd, NULL);
      g_set_error (error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_TOO_LARGE,
                   _("the file “%s” is %" PRId64 " bytes, more than the %s a picture may "
                   "have here: scale the image down or choose a smaller file"),
                   display, (gint64) st.st_size, limit_text);
      return NULL;
    }

  size = (gsize) st.st_size;
  data = g_try_malloc (MAX (size, 1));
  if (data == NULL)
    {
      g_close (fd, NULL);
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOMEM,
                   _("not enough memory to read the %zu bytes of “%s”: close "
                   "other programs and try again"),
                   size, display);
      return NULL;
    }

  while (got < size)
    {
      ssize_t n = read (fd, data + got, size - got);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          saved_errno = errno;
          g_close (fd, NULL);
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                       _("could not read the file “%s”: %s; check the disk and try again"),
                       display, g_strerror (saved_errno));
          return NULL;
        }
      if (n == 0)
        break; /* The file shrank while it was read: what is there gets decoded. */
      got += (gsize) n;
    }

  g_close (fd, NULL);
  return g_bytes_new_take (g_steal_pointer (&data), got);
}

/**
 * shmlab_image_load_file:
 * @path: the picture file, in the GLib file name encoding
 * @limits: (nullable): as for shmlab_image_load()
 * @error: a #GError in G_FILE_ERROR when the file cannot be read or is not a
 *   regular file, or in SHMLAB_IMAGE_ERROR when it is larger than 512 MiB or
 *   not a picture this reader accepts
 *
 * Every error is one sentence that names the file and says what to do.
 *
 * Returns: (transfer full) (nullable): the image, or %NULL with @error set
 */
ShmlabImage *
shmlab_image_load_file (const char            *path,
                        const ShmlabPngLimits *limits,
                        GError               **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *display = NULL;
  ShmlabImage *image;
  gsize length;
  const guint8 *data;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  bytes = read_whole_file (path, error);
  if (bytes == NULL)
    return NULL;

  data = g_bytes_get_data (bytes, &length);
  image = load (data, length, limits, TRUE, &local_error);
  if (image != NULL)
    return image;

  display = g_filename_display_name (path);
  /* A damaged picture's message says what is wrong; what to do about a file
   * is said here, once. */
  if (g_error_matches (local_error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_CORRUPT) ||
      g_error_matches (local_error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_TRUNCATED))
    g_set_error (error, local_error->domain, local_error->code,
                 _("“%s”: %s; save it again in full from an image editor, or choose another "
                 "file"),
                 display, local_error->message);
  else
    g_set_error (error, local_error->domain, local_error->code, "“%s”: %s", display,
                 local_error->message);
  return NULL;
}
