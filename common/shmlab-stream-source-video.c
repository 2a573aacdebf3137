/* shmlab-stream-source-video.c — a video file mapped with mmap and walked
 * frame by frame, as the article does: YUV4MPEG2 (.y4m), which carries its
 * own size and rate, or raw RGBA frames of a given size. The file is hostile:
 * its header is checked, its frames are indexed without reading their
 * pixels, and its size is looked at again before each frame.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-stream-source-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define Y4M_MAGIC "YUV4MPEG2 "
#define Y4M_HEADER_MAX 1024
#define Y4M_FRAME_HEADER_MAX 256

typedef enum
{
  CHROMA_420,
  CHROMA_422,
  CHROMA_444,
  CHROMA_MONO,
  CHROMA_RGBA,   /* a raw file */
} Chroma;

typedef struct
{
  char *path;
  int fd;
  const guint8 *map;
  gsize map_size;
  Chroma chroma;
  gsize frame_bytes;     /* the pixels of one frame */
  GArray *offsets;       /* gsize: where each frame's pixels start */
} Video;

static gboolean
format_error (GError    **error,
              const char *path,
              const char *what)
{
  g_autofree char *name = g_filename_display_basename (path);

  g_set_error (error, SHMLAB_STREAM_SOURCE_ERROR, SHMLAB_STREAM_SOURCE_ERROR_FORMAT,
               /* Translators: the first %s is a file name, the second what is wrong with it */
               _("“%s” is not a video ShmLab reads: %s. Give a YUV4MPEG2 file (.y4m; ffmpeg -i in.mp4 -pix_fmt yuv420p out.y4m), or raw RGBA frames with their size."),
               name, what);
  return FALSE;
}

/* A whole number in @text up to a non-digit; FALSE when none or too big. */
static gboolean
parse_uint (const char  *text,
            const char **end,
            guint64      max,
            guint64     *out)
{
  guint64 value = 0;
  const char *p = text;

  while (g_ascii_isdigit (*p))
    {
      value = value * 10 + (guint64) (*p - '0');
      if (value > max)
        return FALSE;
      p++;
    }
  if (p == text)
    return FALSE;
  *end = p;
  *out = value;
  return TRUE;
}

static gboolean
parse_y4m_header (ShmlabStreamSource *self,
                  Video              *video,
                  gsize              *header_end,
                  GError            **error)
{
  const char *p, *end;
  const guint8 *newline;
  gsize limit = MIN (video->map_size, Y4M_HEADER_MAX);
  guint64 w = 0, h = 0;
  gsize cw, ch;

  newline = memchr (video->map, '\n', limit);
  if (newline == NULL)
    return format_error (error, video->path, _("its header line does not end"));
  *header_end = (gsize) (newline - video->map) + 1;
  video->chroma = CHROMA_420;
  p = (const char *) video->map + strlen (Y4M_MAGIC);
  end = (const char *) newline;
  while (p < end)
    {
      const char *token = p, *after;
      guint64 num, den;

      while (p < end && *p != ' ')
        p++;
      switch (token[0])
        {
        case 'W':
          if (!parse_uint (token + 1, &after, G_MAXUINT32, &w) || after != p)
            return format_error (error, video->path, _("its width (W) is not a number"));
          break;
        case 'H':
          if (!parse_uint (token + 1, &after, G_MAXUINT32, &h) || after != p)
            return format_error (error, video->path, _("its height (H) is not a number"));
          break;
        case 'F':
          if (!parse_uint (token + 1, &after, G_MAXUINT32, &num) || *after != ':' ||
              !parse_uint (after + 1, &after, G_MAXUINT32, &den) || after != p || den == 0)
            return format_error (error, video->path, _("its rate (F) is not two numbers such as 25:1"));
          self->fps = (double) num / (double) den;
          if (!(self->fps > 0 && self->fps <= 1000))
            self->fps = 0;
          break;
        case 'C':
          {
            g_autofree char *space = g_strndup (token + 1, (gsize) (p - token - 1));

            if (g_str_has_prefix (space, "420") && strchr (space, 'p') == NULL)
              video->chroma = CHROMA_420;
            else if (g_str_equal (space, "422"))
              video->chroma = CHROMA_422;
            else if (g_str_equal (space, "444"))
              video->chroma = CHROMA_444;
            else if (g_str_equal (space, "mono"))
              video->chroma = CHROMA_MONO;
            else
              return format_error (error, video->path,
                                   _("its colour space (C) is not 8-bit 4:2:0, 4:2:2, 4:4:4 or mono"));
          }
          break;
        default:
          break; /* interlacing, aspect, extensions: not needed to show it */
        }
      while (p < end && *p == ' ')
        p++;
    }
  if (w == 0 || h == 0)
    return format_error (error, video->path, _("its header gives no width (W) or height (H)"));
  if (!shmlab_stream_source_check_size ((guint32) MIN (w, G_MAXUINT32), (guint32) MIN (h, G_MAXUINT32), error))
    return FALSE;
  self->width = (guint32) w;
  self->height = (guint32) h;
  switch (video->chroma)
    {
    case CHROMA_420: cw = (w + 1) / 2; ch = (h + 1) / 2; break;
    case CHROMA_422: cw = (w + 1) / 2; ch = h; break;
    case CHROMA_444: cw = w; ch = h; break;
    default: cw = 0; ch = 0; break;
    }
  video->frame_bytes = (gsize) (w * h) + 2 * cw * ch;
  return TRUE;
}

/* Walks the FRAME headers, never the pixels. */
static void
index_y4m (Video *video,
           gsize  offset)
{
  while (offset < video->map_size && video->map_size - offset > 5 &&
         memcmp (video->map + offset, "FRAME", 5) == 0)
    {
      gsize limit = MIN (video->map_size - offset, Y4M_FRAME_HEADER_MAX);
      const guint8 *newline = memchr (video->map + offset, '\n', limit);
      gsize pixels;

      if (newline == NULL)
        break;
      pixels = (gsize) (newline - video->map) + 1;
      if (video->map_size - pixels < video->frame_bytes)
        break; /* the last frame is cut short */
      g_array_append_val (video->offsets, pixels);
      offset = pixels + video->frame_bytes;
    }
}

static inline guint8
clip (int v)
{
  return (guint8) (v < 0 ? 0 : v > 255 ? 255 : v);
}

/* BT.601, limited range (y4m's default), in integers. */
static void
convert_row (const guint8 *y,
             const guint8 *u,
             const guint8 *v,
             guint         shift,
             guint32       width,
             guint8       *out)
{
  for (guint32 x = 0; x < width; x++)
    {
      int c = 298 * (y[x] - 16);
      int d = u != NULL ? u[x >> shift] - 128 : 0;
      int e = v != NULL ? v[x >> shift] - 128 : 0;

      out[0] = clip ((c + 409 * e + 128) >> 8);
      out[1] = clip ((c - 100 * d - 208 * e + 128) >> 8);
      out[2] = clip ((c + 516 * d + 128) >> 8);
      out[3] = 255;
      out += 4;
    }
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
  gsize at = g_array_index (video->offsets, gsize, (n - 1) % video->offsets->len);
  const guint8 *frame = video->map + at;
  struct stat st;
  guint32 w = self->width, h = self->height;

  /* The file may have been cut since it was mapped: touching a page past
   * its end would be SIGBUS. Look before each frame. */
  if (fstat (video->fd, &st) != 0 || (guint64) st.st_size < at + video->frame_bytes)
    {
      g_autofree char *name = g_filename_display_basename (video->path);
      g_set_error (error, SHMLAB_STREAM_SOURCE_ERROR, SHMLAB_STREAM_SOURCE_ERROR_TRUNCATED,
                   _("“%s” got shorter while it was being played: open it again."), name);
      return FALSE;
    }
  if (video->chroma == CHROMA_RGBA)
    {
      for (guint32 y = 0; y < h; y++)
        memcpy (rgba + (gsize) y * stride, frame + (gsize) y * w * 4, (gsize) w * 4);
      return TRUE;
    }
  {
    gsize cw = video->chroma == CHROMA_444 ? w : (w + 1) / 2;
    gsize ch = video->chroma == CHROMA_420 ? (h + 1) / 2 : h;
    const guint8 *u = frame + (gsize) w * h, *v = u + cw * ch;
    guint shift = video->chroma == CHROMA_444 ? 0 : 1;

    for (guint32 y = 0; y < h; y++)
      {
        gsize cy = video->chroma == CHROMA_420 ? y / 2 : y;

        convert_row (frame + (gsize) y * w,
                     video->chroma == CHROMA_MONO ? NULL : u + cy * cw,
                     video->chroma == CHROMA_MONO ? NULL : v + cy * cw,
                     shift, w, rgba + (gsize) y * stride);
      }
  }
  return TRUE;
}

static char *
video_describe (ShmlabStreamSource *self)
{
  Video *video = self->priv;
  g_autofree char *name = g_filename_display_basename (video->path);
  static const char *const kinds[] = { "YUV 4:2:0", "YUV 4:2:2", "YUV 4:4:4", "mono", "RGBA" };

  if (self->fps > 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%s: %u × %u, %g fps, %u frame (%s)",
                                         "%s: %u × %u, %g fps, %u frames (%s)", video->offsets->len),
                            name, self->width, self->height, self->fps, video->offsets->len,
                            kinds[video->chroma]);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s: %u × %u, %u frame (%s)",
                                       "%s: %u × %u, %u frames (%s)", video->offsets->len),
                          name, self->width, self->height, video->offsets->len,
                          kinds[video->chroma]);
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
      format_error (error, path, _("it is not a regular file"));
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

  if (video->map_size >= strlen (Y4M_MAGIC) &&
      memcmp (video->map, Y4M_MAGIC, strlen (Y4M_MAGIC)) == 0)
    {
      gsize header_end;

      if (!parse_y4m_header (self, video, &header_end, error))
        goto fail;
      index_y4m (video, header_end);
    }
  else if (raw_width > 0 && raw_height > 0)
    {
      if (!shmlab_stream_source_check_size (raw_width, raw_height, error))
        goto fail;
      self->width = raw_width;
      self->height = raw_height;
      video->chroma = CHROMA_RGBA;
      video->frame_bytes = (gsize) raw_width * raw_height * 4;
      for (gsize at = 0; video->map_size - at >= video->frame_bytes && at < video->map_size;
           at += video->frame_bytes)
        g_array_append_val (video->offsets, at);
    }
  else
    {
      format_error (error, path, _("it does not begin with “YUV4MPEG2”, and no size was given for raw RGBA frames"));
      goto fail;
    }
  if (video->offsets->len == 0)
    {
      g_set_error (error, SHMLAB_STREAM_SOURCE_ERROR, SHMLAB_STREAM_SOURCE_ERROR_TRUNCATED,
                   _("“%s” is shorter than one frame of %u × %u: it is cut short, or its size is not that."),
                   name, self->width, self->height);
      goto fail;
    }
  self->n_frames = video->offsets->len;
  return self;

fail:
  shmlab_stream_source_free (self);
  return NULL;
}
