/* shmlab-stream-source-pattern.c — the test pattern, made to show tearing:
 * each frame a colour far from the last one's, diagonal stripes that move,
 * and the frame's number and time drawn large
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-stream-source-private.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>
#include <string.h>

/* A 5 × 7 font: digits, ':', '.', '#', ' '. Each row's 5 bits, high bit left. */
static const guint8 glyphs[][7] = {
  { 0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e }, /* 0 */
  { 0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e }, /* 1 */
  { 0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f }, /* 2 */
  { 0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e }, /* 3 */
  { 0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02 }, /* 4 */
  { 0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e }, /* 5 */
  { 0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e }, /* 6 */
  { 0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08 }, /* 7 */
  { 0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e }, /* 8 */
  { 0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c }, /* 9 */
  { 0x00, 0x0c, 0x0c, 0x00, 0x0c, 0x0c, 0x00 }, /* : */
  { 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x0c }, /* . */
  { 0x0a, 0x0a, 0x1f, 0x0a, 0x1f, 0x0a, 0x0a }, /* # */
  { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 }, /*   */
};

static int
glyph_index (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  switch (c)
    {
    case ':': return 10;
    case '.': return 11;
    case '#': return 12;
    default: return 13;
    }
}

typedef struct
{
  guint8 *stripes;     /* one row of (width + period) pixels */
  guint32 period;
} Pattern;

/* A colour for frame @n: hues a golden-ratio turn apart, so that two
 * frames next to each other never look alike. */
static void
frame_colour (guint64 n,
              guint8  rgb[3],
              double  value)
{
  double hue = (double) ((n * 40503u) % 65536u) / 65536.0 * 6.0;
  int sector = (int) hue;
  double f = hue - sector;
  double p = 0, q = value * (1 - f), t = value * f;
  double r, g, b;

  switch (sector % 6)
    {
    case 0: r = value; g = t; b = p; break;
    case 1: r = q; g = value; b = p; break;
    case 2: r = p; g = value; b = t; break;
    case 3: r = p; g = q; b = value; break;
    case 4: r = t; g = p; b = value; break;
    default: r = value; g = p; b = q; break;
    }
  rgb[0] = (guint8) (r * 255);
  rgb[1] = (guint8) (g * 255);
  rgb[2] = (guint8) (b * 255);
}

static inline void
fill_span (guint8       *row,
           guint32       from,
           guint32       to,
           const guint8  rgba[4])
{
  guint32 value;

  memcpy (&value, rgba, 4);
  for (guint32 x = from; x < to; x++)
    memcpy (row + (gsize) x * 4, &value, 4);
}

/* Draws @text at (@x, @y), each font pixel @scale × @scale, clipped. */
static void
draw_text (guint8       *rgba,
           gsize         stride,
           guint32       width,
           guint32       height,
           const char   *text,
           guint32       x,
           guint32       y,
           guint32       scale,
           const guint8  ink[4])
{
  for (const char *c = text; *c != '\0'; c++, x += 6 * scale)
    {
      const guint8 *glyph = glyphs[glyph_index (*c)];

      for (guint gy = 0; gy < 7; gy++)
        for (guint gx = 0; gx < 5; gx++)
          {
            if (!(glyph[gy] & (0x10 >> gx)))
              continue;
            for (guint32 py = y + gy * scale; py < y + (gy + 1) * scale && py < height; py++)
              fill_span (rgba + (gsize) py * stride, MIN (x + gx * scale, width),
                         MIN (x + (gx + 1) * scale, width), ink);
          }
    }
}

static gboolean
pattern_render (ShmlabStreamSource *self,
                guint64             n,
                gint64              time_ns,
                guint8             *rgba,
                gsize               stride,
                GError            **error)
{
  Pattern *pattern = self->priv;
  guint32 w = self->width, h = self->height, period = pattern->period;
  guint8 light[3], dark[3];
  guint8 ink[4] = { 255, 255, 255, 255 }, shadow[4] = { 0, 0, 0, 255 };
  guint32 phase = (guint32) ((n * (period / 8 + 1)) % period);
  char number[32], clock[32];
  guint32 scale;
  gint64 ms = MAX (time_ns, 0) / 1000000;

  /* The stripes: a row of light and dark bands of the frame's colour; each
   * row starts further along it, so the bands run diagonally. */
  frame_colour (n, light, 1.0);
  frame_colour (n, dark, 0.55);
  for (guint32 x = 0; x < w + period; x++)
    {
      const guint8 *c = ((x + phase) % period) < period / 2 ? light : dark;
      guint8 *p = pattern->stripes + (gsize) x * 4;

      p[0] = c[0];
      p[1] = c[1];
      p[2] = c[2];
      p[3] = 255;
    }
  for (guint32 y = 0; y < h; y++)
    memcpy (rgba + (gsize) y * stride, pattern->stripes + (gsize) (y % period) * 4, (gsize) w * 4);

  /* The number and the time, large, with a shadow. */
  g_snprintf (number, sizeof number, "#%" PRIu64, n);
  g_snprintf (clock, sizeof clock, "%02d:%02d.%03d", (int) (ms / 60000 % 100),
              (int) (ms / 1000 % 60), (int) (ms % 1000));
  scale = MAX (1, MIN (h / 4 / 7, w / (guint32) (strlen (clock) + 1) / 6));
  draw_text (rgba, stride, w, h, number, scale / 2 + scale / 4, h / 8 + scale / 4, scale, shadow);
  draw_text (rgba, stride, w, h, number, scale / 2, h / 8, scale, ink);
  draw_text (rgba, stride, w, h, clock, scale / 2 + scale / 4, h / 2 + scale / 4, scale, shadow);
  draw_text (rgba, stride, w, h, clock, scale / 2, h / 2, scale, ink);
  return TRUE;
}

static char *
pattern_describe (ShmlabStreamSource *self)
{
  return g_strdup_printf (_("the test pattern, %u × %u"), self->width, self->height);
}

static void
pattern_finalize (ShmlabStreamSource *self)
{
  Pattern *pattern = self->priv;

  g_free (pattern->stripes);
  g_free (pattern);
}

static const ShmlabStreamSourceClass pattern_class = {
  .render = pattern_render,
  .describe = pattern_describe,
  .finalize = pattern_finalize,
};

ShmlabStreamSource *
shmlab_stream_source_new_pattern (guint32  width,
                                  guint32  height,
                                  GError **error)
{
  Pattern *pattern;

  if (!shmlab_stream_source_check_size (width, height, error))
    return NULL;
  pattern = g_new0 (Pattern, 1);
  pattern->period = MAX (16, MIN (width, height) / 6) & ~1u;
  pattern->stripes = g_malloc (((gsize) width + pattern->period) * 4);
  return shmlab_stream_source_alloc (&pattern_class, SHMLAB_STREAM_SOURCE_PATTERN,
                                     width, height, pattern);
}
