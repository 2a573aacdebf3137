/* shmlab-y4m.h — YUV4MPEG2 (.y4m) read from bytes that are not trusted: the
 * stream header, where each frame's planes begin, and a frame converted to
 * RGBA (BT.601, limited range, y4m's default)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SHMLAB_Y4M_MAGIC "YUV4MPEG2 "
/* Longer header lines are refused; a frame header longer than
 * SHMLAB_Y4M_FRAME_HEADER_MAX ends the frames. */
#define SHMLAB_Y4M_HEADER_MAX 1024
#define SHMLAB_Y4M_FRAME_HEADER_MAX 256

typedef enum
{
  SHMLAB_Y4M_420,
  SHMLAB_Y4M_422,
  SHMLAB_Y4M_444,
  SHMLAB_Y4M_MONO,
} ShmlabY4mChroma;

typedef struct
{
  guint32 width;
  guint32 height;
  double fps;              /* 0 when the header gives none (or an absurd one) */
  ShmlabY4mChroma chroma;
  gsize header_size;       /* up to and with the header's newline */
  gsize frame_size;        /* the planes of one frame */
} ShmlabY4mHeader;

gboolean shmlab_y4m_has_magic    (const guint8          *bytes,
                                  gsize                  length);
/* @name (a file's name, for a person) is what the errors say. */
gboolean shmlab_y4m_parse_header (const guint8          *bytes,
                                  gsize                  length,
                                  const char            *name,
                                  ShmlabY4mHeader       *header,
                                  GError               **error);
/* Where the planes of the frame whose FRAME marker is at @offset begin, or
 * 0 when no whole frame begins there (no marker, or cut short). */
gsize    shmlab_y4m_frame_at     (const ShmlabY4mHeader *header,
                                  const guint8          *bytes,
                                  gsize                  length,
                                  gsize                  offset);
/* @planes: header->frame_size bytes. */
void     shmlab_y4m_convert      (const ShmlabY4mHeader *header,
                                  const guint8          *planes,
                                  guint8                *rgba,
                                  gsize                  stride);
const char *shmlab_y4m_chroma_label (ShmlabY4mChroma     chroma);

G_END_DECLS
