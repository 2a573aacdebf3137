/* shmlab-y4m.c — YUV4MPEG2 read from bytes that are not trusted: the stream
 * header, where each frame's planes begin, and a frame converted to RGBA
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-y4m.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "shmlab-stream-source-private.h"

gboolean
shmlab_y4m_has_magic (const guint8 *bytes,
                      gsize         length)
{
  return length >= strlen (SHMLAB_Y4M_MAGIC) &&
         memcmp (bytes, SHMLAB_Y4M_MAGIC, strlen (SHMLAB_Y4M_MAGIC)) == 0;
}

/* A whole number at @text up to a non-digit; FALSE when none or above @max.
 * The header's newline stops it, so it never runs past the header. */
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
parse_chroma (const char      *token,
              gsize            length,
              ShmlabY4mChroma *chroma)
{
  static const struct { const char *name; ShmlabY4mChroma chroma; } names[] = {
    { "420", SHMLAB_Y4M_420 },
    { "420jpeg", SHMLAB_Y4M_420 },
    { "420mpeg2", SHMLAB_Y4M_420 },
    { "420paldv", SHMLAB_Y4M_420 },
    { "422", SHMLAB_Y4M_422 },
    { "444", SHMLAB_Y4M_444 },
    { "mono", SHMLAB_Y4M_MONO },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (strlen (names[i].name) == length && memcmp (names[i].name, token, length) == 0)
      {
        *chroma = names[i].chroma;
        return TRUE;
      }
  return FALSE;
}

gboolean
shmlab_y4m_parse_header (const guint8     *bytes,
                         gsize             length,
                         const char       *name,
                         ShmlabY4mHeader  *header,
                         GError          **error)
{
  const char *p, *end;
  const guint8 *newline;
  guint64 w = 0, h = 0;
  gsize cw, ch;

  memset (header, 0, sizeof *header);
  header->chroma = SHMLAB_Y4M_420;
  if (!shmlab_y4m_has_magic (bytes, length))
    return shmlab_stream_source_format_error (error, name, _("it does not begin with “YUV4MPEG2”"));
  newline = memchr (bytes, '\n', MIN (length, SHMLAB_Y4M_HEADER_MAX));
  if (newline == NULL)
    return shmlab_stream_source_format_error (error, name, _("its header line does not end"));
  header->header_size = (gsize) (newline - bytes) + 1;
  p = (const char *) bytes + strlen (SHMLAB_Y4M_MAGIC);
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
            return shmlab_stream_source_format_error (error, name, _("its width (W) is not a number"));
          break;
        case 'H':
          if (!parse_uint (token + 1, &after, G_MAXUINT32, &h) || after != p)
            return shmlab_stream_source_format_error (error, name, _("its height (H) is not a number"));
          break;
        case 'F':
          if (!parse_uint (token + 1, &after, G_MAXUINT32, &num) || *after != ':' ||
              !parse_uint (after + 1, &after, G_MAXUINT32, &den) || after != p || den == 0)
            return shmlab_stream_source_format_error (error, name, _("its rate (F) is not two numbers such as 25:1"));
          header->fps = (double) num / (double) den;
          if (!(header->fps > 0 && header->fps <= 1000))
            header->fps = 0;
          break;
        case 'C':
          if (!parse_chroma (token + 1, (gsize) (p - token - 1), &header->chroma))
            return shmlab_stream_source_format_error (error, name,
                                                      _("its colour space (C) is not 8-bit 4:2:0, 4:2:2, 4:4:4 or mono"));
          break;
        default:
          break; /* interlacing, aspect, extensions: not needed to show it */
        }
      while (p < end && *p == ' ')
        p++;
    }
  if (w == 0 || h == 0)
    return shmlab_stream_source_format_error (error, name, _("its header gives no width (W) or height (H)"));
  if (!shmlab_stream_source_check_size ((guint32) w, (guint32) h, error))
    {
      /* Translators: a file name, then why its frames cannot be streamed */
      g_prefix_error (error, _("“%s”: "), name);
      return FALSE;
    }
  header->width = (guint32) w;
  header->height = (guint32) h;
  /* An odd side rounds up: the last chroma sample covers one pixel. */
  switch (header->chroma)
    {
    case SHMLAB_Y4M_420: cw = (w + 1) / 2; ch = (h + 1) / 2; break;
    case SHMLAB_Y4M_422: cw = (w + 1) / 2; ch = h; break;
    case SHMLAB_Y4M_444: cw = w; ch = h; break;
    default: cw = 0; ch = 0; break;
    }
  /* Within the stream's limits, so no overflow. */
  header->frame_size = (gsize) (w * h) + 2 * cw * ch;
  return TRUE;
}

gsize
shmlab_y4m_frame_at (const ShmlabY4mHeader *header,
                     const guint8          *bytes,
                     gsize                  length,
                     gsize                  offset)
{
  const guint8 *newline;
  gsize planes;

  if (offset >= length || length - offset < 6 || memcmp (bytes + offset, "FRAME", 5) != 0 ||
      (bytes[offset + 5] != '\n' && bytes[offset + 5] != ' '))
    return 0;
  newline = memchr (bytes + offset + 5, '\n', MIN (length - offset - 5, SHMLAB_Y4M_FRAME_HEADER_MAX));
  if (newline == NULL)
    return 0;
  planes = (gsize) (newline - bytes) + 1;
  if (length - planes < header->frame_size)
    return 0;
  return planes;
}

/* BT.601, limited range, in 8.8 fixed point, by tables: 298 × (Y − 16)
 * for each Y, each chroma value's share of R, G and B (rounded), and a
 * clamp to 0…255. Y's share carries a bias of CLAMP_BIAS so that no sum is
 * negative; the clamp table takes it away. */
#define CLAMP_BIAS 384

typedef struct
{
  gint32 y[256];
  gint32 r_v[256];
  gint32 g_u[256];
  gint32 g_v[256];
  gint32 b_u[256];
  guint8 clamp[1024];
} Tables;

static const Tables *
get_tables (void)
{
  static Tables tables;
  static gsize ready = 0;

  if (g_once_init_enter (&ready))
    {
      for (int i = 0; i < 256; i++)
        {
          tables.y[i] = 298 * (i - 16) + (CLAMP_BIAS << 8);
          tables.r_v[i] = 409 * (i - 128) + 128;
          tables.g_u[i] = 128 - 100 * (i - 128);
          tables.g_v[i] = -208 * (i - 128);
          tables.b_u[i] = 516 * (i - 128) + 128;
        }
      for (int i = 0; i < 1024; i++)
        tables.clamp[i] = (guint8) CLAMP (i - CLAMP_BIAS, 0, 255);
      g_once_init_leave (&ready, 1);
    }
  return &tables;
}

/* From 0 × 256 + bias − 4 768 − 65 920 to 255 + bias + 65 660: within the
 * clamp table. */
static inline guint32
pixel (const Tables *t,
       gint32        luma,
       gint32        r,
       gint32        g,
       gint32        b)
{
  return GUINT32_TO_LE ((guint32) t->clamp[(luma + r) >> 8] |
                        (guint32) t->clamp[(luma + g) >> 8] << 8 |
                        (guint32) t->clamp[(luma + b) >> 8] << 16 |
                        0xff000000u);
}

/* A chroma sample serves 1 << @shift pixels side by side: its share is
 * looked up once. @u and @v NULL: grey. */
static void
convert_row (const Tables *t,
             const guint8 *y,
             const guint8 *u,
             const guint8 *v,
             guint         shift,
             guint32       width,
             guint8       *out)
{
  guint32 x = 0, p;

  if (u == NULL)
    {
      for (; x < width; x++)
        {
          p = pixel (t, t->y[y[x]], 128, 128, 128);
          memcpy (out + (gsize) x * 4, &p, 4);
        }
      return;
    }
  if (shift == 1)
    for (; x + 1 < width; x += 2)
      {
        guint8 cu = u[x >> 1], cv = v[x >> 1];
        gint32 r = t->r_v[cv], g = t->g_u[cu] + t->g_v[cv], b = t->b_u[cu];
        guint32 pair[2] = { pixel (t, t->y[y[x]], r, g, b), pixel (t, t->y[y[x + 1]], r, g, b) };

        memcpy (out + (gsize) x * 4, pair, 8);
      }
  for (; x < width; x++)
    {
      guint8 cu = u[x >> shift], cv = v[x >> shift];

      p = pixel (t, t->y[y[x]], t->r_v[cv], t->g_u[cu] + t->g_v[cv], t->b_u[cu]);
      memcpy (out + (gsize) x * 4, &p, 4);
    }
}

void
shmlab_y4m_convert (const ShmlabY4mHeader *header,
                    const guint8          *planes,
                    guint8                *rgba,
                    gsize                  stride)
{
  guint32 w = header->width, h = header->height;
  gsize cw = header->chroma == SHMLAB_Y4M_444 ? w : ((gsize) w + 1) / 2;
  gsize ch = header->chroma == SHMLAB_Y4M_420 ? ((gsize) h + 1) / 2 : h;
  const guint8 *u = planes + (gsize) w * h, *v = u + cw * ch;
  gboolean mono = header->chroma == SHMLAB_Y4M_MONO;
  const Tables *t = get_tables ();

  for (guint32 y = 0; y < h; y++)
    {
      gsize cy = header->chroma == SHMLAB_Y4M_420 ? y / 2 : y;

      convert_row (t, planes + (gsize) y * w, mono ? NULL : u + cy * cw,
                   mono ? NULL : v + cy * cw, header->chroma == SHMLAB_Y4M_444 ? 0 : 1, w,
                   rgba + (gsize) y * stride);
    }
}

const char *
shmlab_y4m_chroma_label (ShmlabY4mChroma chroma)
{
  static const char *const labels[] = { "YUV 4:2:0", "YUV 4:2:2", "YUV 4:4:4", "mono" };

  return chroma < G_N_ELEMENTS (labels) ? labels[chroma] : "?";
}
