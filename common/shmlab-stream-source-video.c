/* shmlab-stream-source-video.c — a video file mapped with mmap and walked
 * frame by frame, as the article does: YUV4MPEG2 (.y4m), which carries its
 * own size and rate, or raw RGBA frames of a given size. The file is hostile:
 * its header is checked, its frames are indexed without reading their
 * pixels, and its size is looked at again before each frame.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-stream-source-private.h"
#include "shmlab-y4m.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* At most this many frames of a .y4m are indexed (32 MiB of offsets); a
 * longer file plays its first ones. A raw file needs no index. */
#define MAX_INDEXED_FRAMES (G_GUINT64_CONSTANT (1) << 22)

typedef struct
{
  char *path;
  int fd;
  const guint8 *map;
  gsize map_size;
  gboolean raw;
  ShmlabY4mHeader y4m;
  gsize frame_bytes;     /* the pixels of one frame */
  GArray *offsets;       /* gsize: where each .y4m frame's planes start */
} Video;

/* Walks the FRAME headers, never the pixels: a page or two per frame is read.
 * FALSE when not even the first frame is there. */
static gboolean
index_y4m (Video       *video,
           const char  *name,
           GError     **error)
{
  gsize offset = video->y4m.header_size, planes, rest;

  while (video->offsets->len < MAX_INDEXED_FRAMES &&
         (planes = shmlab_y4m_frame_at (&video->y4m, video->map, video->map_size, offset)) != 0)
    {
      g_array_append_val (video->offsets, planes);
      offset = planes + video->frame_bytes;
    }
  if (video->offsets->len > 0)
    return TRUE;
  rest = video->map_size - offset;
  if (rest == 0)
    g_set_error (error, SHMLAB_STREAM_SOURCE_ERROR, SHMLAB_STREAM_SOURCE_ERROR_TRUNCATED,
                 _("“%s” has a header but no frame: it is cut short. Make it again."), name);
  else if (memcmp (video->map + offset, "FRAME", MIN (rest, 5)) == 0)
    g_set_error (error, SHMLAB_STREAM_SOURCE_ERROR, SHMLAB_STREAM_SOURCE_ERROR_TRUNCATED,
                 _("“%s” is shorter than one frame of %u × %u: it is cut short, or its size is not that."),
                 name, video->y4m.width, video->y4m.height);
  else
    shmlab_stream_source_format_error (error, name, _("no “FRAME” follows its header"));
  return FALSE;
}

static gboolean
video_render (ShmlabStreamSource *self,
              guint64             n,
              gint64              time_ns,
              guint8             *rgba,
              gsize               stride,
              GError            **error)
{
  Video *video = self->priv;
  gsize at = video->raw ? (gsize) ((n - 1) % self->n_frames) * video->frame_bytes
                        : g_array_index (video->offsets, gsize, (n - 1) % video->offsets->len);
  const guint8 *frame = video->map + at;
  struct stat st;
  guint32 w = self->width, h = self->height;

  /* The file may have been cut since it was mapped: touching a page past
   * its end would be SIGBUS. Look before each frame. A file cut between
   * this look and the copy below still raises SIGBUS and ends the program:
   * guarding that copy too would take a signal handler in every program. */
  if (fstat (video->fd, &st) != 0 || (guint64) st.st_size < (guint64) at + video->frame_bytes)
    {
      g_autofree char *name = g_filename_display_basename (video->path);
      g_set_error (error, SHMLAB_STREAM_SOURCE_ERROR, SHMLAB_STREAM_SOURCE_ERROR_TRUNCATED,
                   _("“%s” got shorter while it was being played: open it again."), name);
      return FALSE;
    }
  if (video->raw)
    {
      for (guint32 y = 0; y < h; y++)
        memcpy (rgba + (gsize) y * stride, frame + (gsize) y * w * 4, (gsize) w * 4);
      return TRUE;
    }
  shmlab_y4m_convert (&video->y4m, frame, rgba, stride);
  return TRUE;
}

static char *
video_describe (ShmlabStreamSource *self)
{
  Video *video = self->priv;
  g_autofree char *name = g_filename_display_basename (video->path);
  const char *kind = video->raw ? "RGBA" : shmlab_y4m_chroma_label (video->y4m.chroma);
  gulong plural = (gulong) MIN (self->n_frames, G_MAXULONG);

  if (self->fps > 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%s: %u × %u, %g fps, %" PRIu64 " frame (%s)",
                                         "%s: %u × %u, %g fps, %" PRIu64 " frames (%s)", plural),
                            name, self->width, self->height, self->fps, self->n_frames, kind);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s: %u × %u, %" PRIu64 " frame (%s)",
                                       "%s: %u × %u, %" PRIu64 " frames (%s)", plural),
                          name, self->width, self->height, self->n_frames, kind);
}

static void
video_close (Video *video)
{
  if (video->map != NULL)
    munmap ((gpointer) video->map, video->map_size);
  if (video->fd >= 0)
    close (video->fd);
  if (video->offsets != NULL)
    g_array_unref (video->offsets);
  g_free (video->path);
  g_free (video);
}

static void
video_finalize (ShmlabStreamSource *self)
{
  video_close (self->priv);
}

static const ShmlabStreamSourceClass video_class = {
  .render = video_render,
  .describe = video_describe,
  .finalize = video_finalize,
};

ShmlabStreamSource *
shmlab_stream_source_new_video (const char *path,
                                guint32     raw_width,
                                guint32     raw_height,
                                GError    **error)
{
  g_autofree char *name = g_filename_display_basename (path);
  ShmlabStreamSource *self;
  Video *video = g_new0 (Video, 1);
  struct stat st;

  video->fd = -1;
  video->path = g_strdup (path);
  video->offsets = g_array_new (FALSE, FALSE, sizeof (gsize));
  video->fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (video->fd < 0 || fstat (video->fd, &st) != 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot open “%s”: %s."), name, g_strerror (saved));
      video_close (video);
      return NULL;
    }
  if (!S_ISREG (st.st_mode))
    {
      shmlab_stream_source_format_error (error, name, _("it is not a regular file"));
      video_close (video);
      return NULL;
    }
  if (st.st_size <= 0 || (guint64) st.st_size > G_MAXSIZE)
    {
      g_set_error (error, SHMLAB_STREAM_SOURCE_ERROR, SHMLAB_STREAM_SOURCE_ERROR_TRUNCATED,
                   _("“%s” is empty."), name);
      video_close (video);
      return NULL;
    }
  video->map_size = (gsize) st.st_size;
  /* Read-only and private, as the article maps its video: pages come in
   * as they are touched, never the whole file. */
  video->map = mmap (NULL, video->map_size, PROT_READ, MAP_PRIVATE, video->fd, 0);
  if (video->map == MAP_FAILED)
    {
      int saved = errno;
      video->map = NULL;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot map “%s”: %s."), name, g_strerror (saved));
      video_close (video);
      return NULL;
    }
  madvise ((gpointer) video->map, video->map_size, MADV_SEQUENTIAL);
  self = shmlab_stream_source_alloc (&video_class, SHMLAB_STREAM_SOURCE_VIDEO, 0, 0, video);

  if (shmlab_y4m_has_magic (video->map, video->map_size))
    {
      if (!shmlab_y4m_parse_header (video->map, video->map_size, name, &video->y4m, error))
        goto fail;
      video->frame_bytes = video->y4m.frame_size;
      if (!index_y4m (video, name, error))
        goto fail;
      self->width = video->y4m.width;
      self->height = video->y4m.height;
      self->fps = video->y4m.fps;
      self->n_frames = video->offsets->len;
    }
  else if (raw_width > 0 && raw_height > 0)
    {
      if (!shmlab_stream_source_check_size (raw_width, raw_height, error))
        {
          g_prefix_error (error, _("“%s”: "), name);
          goto fail;
        }
      self->width = raw_width;
      self->height = raw_height;
      video->raw = TRUE;
      video->frame_bytes = (gsize) raw_width * raw_height * 4;
      /* Whole frames only; a partial one at the end is left out. */
      self->n_frames = video->map_size / video->frame_bytes;
      if (self->n_frames == 0)
        {
          g_set_error (error, SHMLAB_STREAM_SOURCE_ERROR, SHMLAB_STREAM_SOURCE_ERROR_TRUNCATED,
                       _("“%s” is shorter than one frame of %u × %u: it is cut short, or its size is not that."),
                       name, self->width, self->height);
          goto fail;
        }
    }
  else
    {
      shmlab_stream_source_format_error (error, name, _("it does not begin with “YUV4MPEG2”, and no size was given for raw RGBA frames"));
      goto fail;
    }
  return self;

fail:
  shmlab_stream_source_free (self);
  return NULL;
}
