/* shmlab-stream-source-folder.c — the pictures of a folder, in name order,
 * looped, each fitted into the stream's size with black bars
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-stream-source-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "shmlab-image-loader.h"

/* Fitted frames kept in memory; beyond this they are loaded again. */
#define KEEP_BYTES (G_GUINT64_CONSTANT (512) << 20)

typedef struct
{
  char *dir;
  GPtrArray *paths;   /* char *: the pictures that loaded */
  GPtrArray *fitted;  /* guint8 *, or NULL when not kept */
} Folder;

/* @image scaled to fit width × height, aspect kept, centred on black:
 * each target pixel takes the source pixel under its centre. */
static guint8 *
fit (const ShmlabImage *image,
     guint32            width,
     guint32            height)
{
  guint8 *out = g_malloc0 ((gsize) width * height * 4);
  double scale = MIN ((double) width / image->width, (double) height / image->height);
  guint32 w = MAX (1, MIN (width, (guint32) (image->width * scale + 0.5)));
  guint32 h = MAX (1, MIN (height, (guint32) (image->height * scale + 0.5)));
  guint32 x0 = (width - w) / 2, y0 = (height - h) / 2;
  g_autofree guint32 *sx = g_new (guint32, w);

  for (guint32 y = 0; y < height; y++)
    {
      guint32 *row = (guint32 *) (gpointer) (out + (gsize) y * width * 4);

      for (guint32 x = 0; x < width; x++)
        row[x] = GUINT32_TO_LE (0xff000000u); /* opaque black */
    }
  for (guint32 x = 0; x < w; x++)
    sx[x] = MIN (image->width - 1, (guint32) (((guint64) x * 2 + 1) * image->width / (2 * (guint64) w)));
  for (guint32 y = 0; y < h; y++)
    {
      guint32 srcy = MIN (image->height - 1, (guint32) (((guint64) y * 2 + 1) * image->height / (2 * (guint64) h)));
      const guint8 *src = image->pixels + (gsize) srcy * image->stride;
      guint8 *dst = out + ((gsize) (y + y0) * width + x0) * 4;

      for (guint32 x = 0; x < w; x++)
        memcpy (dst + (gsize) x * 4, src + (gsize) sx[x] * 4, 4);
    }
  return out;
}

static guint8 *
load_fitted (const char *path,
             guint32     width,
             guint32     height,
             GError    **error)
{
  g_autoptr(GError) local = NULL;
  ShmlabImage *image = shmlab_image_load_file (path, NULL, &local);
  guint8 *out;

  if (image == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  out = fit (image, width, height);
  shmlab_image_unref (image);
  return out;
}

static gboolean
folder_render (ShmlabStreamSource *self,
               guint64             n,
               gint64              time_ns,
               guint8             *rgba,
               gsize               stride,
               GError            **error)
{
  Folder *folder = self->priv;
  guint i = (guint) ((n - 1) % folder->paths->len);
  g_autofree guint8 *loaded = NULL;
  const guint8 *pixels = g_ptr_array_index (folder->fitted, i);

  if (pixels == NULL)
    {
      loaded = load_fitted (g_ptr_array_index (folder->paths, i), self->width, self->height, error);
      if (loaded == NULL)
        return FALSE;
      pixels = loaded;
    }
  for (guint32 y = 0; y < self->height; y++)
    memcpy (rgba + (gsize) y * stride, pixels + (gsize) y * self->width * 4, (gsize) self->width * 4);
  return TRUE;
}

static char *
folder_describe (ShmlabStreamSource *self)
{
  Folder *folder = self->priv;
  g_autofree char *name = g_filename_display_basename (folder->dir);

  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s: %u picture, %u × %u",
                                       "%s: %u pictures, %u × %u", folder->paths->len),
                          name, folder->paths->len, self->width, self->height);
}

static void
folder_finalize (ShmlabStreamSource *self)
{
  Folder *folder = self->priv;

  g_ptr_array_unref (folder->paths);
  g_ptr_array_unref (folder->fitted);
  g_free (folder->dir);
  g_free (folder);
}

static const ShmlabStreamSourceClass folder_class = {
  .render = folder_render,
  .describe = folder_describe,
  .finalize = folder_finalize,
};

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

ShmlabStreamSource *
shmlab_stream_source_new_folder (const char    *dir,
                                 guint32        width,
                                 guint32        height,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  g_autoptr(GDir) listing = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) local = NULL;
  g_autofree char *shown = g_filename_display_name (dir);
  Folder *folder;
  guint64 kept = 0;
  const char *name;

  if ((width != 0 || height != 0) && !shmlab_stream_source_check_size (width, height, error))
    return NULL;
  listing = g_dir_open (dir, 0, &local);
  if (listing == NULL)
    {
      g_set_error (error, SHMLAB_STREAM_SOURCE_ERROR, SHMLAB_STREAM_SOURCE_ERROR_EMPTY,
                   _("Cannot open the folder “%s”: %s. Choose a folder of pictures."),
                   shown, local->message);
      return NULL;
    }
  while ((name = g_dir_read_name (listing)) != NULL)
    if (name[0] != '.')
      g_ptr_array_add (names, g_build_filename (dir, name, NULL));
  g_ptr_array_sort (names, compare_names);

  folder = g_new0 (Folder, 1);
  folder->dir = g_strdup (dir);
  folder->paths = g_ptr_array_new_with_free_func (g_free);
  folder->fitted = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < names->len; i++)
    {
      const char *path = g_ptr_array_index (names, i);
      ShmlabImage *image;
      guint8 *fitted = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto fail;
      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        continue;
      image = shmlab_image_load_file (path, NULL, NULL);
      if (image == NULL)
        continue;
      if (width == 0 || height == 0)
        {
          width = CLAMP (image->width, SHMLAB_STREAM_MIN_SIDE, SHMLAB_STREAM_MAX_WIDTH);
          height = CLAMP (image->height, SHMLAB_STREAM_MIN_SIDE, SHMLAB_STREAM_MAX_HEIGHT);
        }
      if (kept + (guint64) width * height * 4 <= KEEP_BYTES)
        {
          fitted = fit (image, width, height);
          kept += (guint64) width * height * 4;
        }
      shmlab_image_unref (image);
      g_ptr_array_add (folder->paths, g_strdup (path));
      g_ptr_array_add (folder->fitted, fitted);
    }
  if (folder->paths->len == 0)
    {
      g_set_error (error, SHMLAB_STREAM_SOURCE_ERROR, SHMLAB_STREAM_SOURCE_ERROR_EMPTY,
                   _("The folder “%s” holds no picture ShmLab opens (PNG, JPEG, GIF, BMP, TIFF, WebP or ICO). Choose another folder."),
                   shown);
      goto fail;
    }
  if (!shmlab_stream_source_check_size (width, height, error))
    goto fail;
  {
    ShmlabStreamSource *self = shmlab_stream_source_alloc (&folder_class, SHMLAB_STREAM_SOURCE_FOLDER,
                                                           width, height, folder);
    self->n_frames = folder->paths->len;
    return self;
  }

fail:
  g_ptr_array_unref (folder->paths);
  g_ptr_array_unref (folder->fitted);
  g_free (folder->dir);
  g_free (folder);
  return NULL;
}
