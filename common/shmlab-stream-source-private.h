/* shmlab-stream-source-private.h — what each kind of source fills in
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "shmlab-stream-source.h"
#include "shmlab-stream-frame.h"

G_BEGIN_DECLS

typedef struct
{
  gboolean (*render)   (ShmlabStreamSource *self,
                        guint64             frame_number,
                        gint64              time_ns,
                        guint8             *rgba,
                        gsize               stride,
                        GError            **error);
  char    *(*describe) (ShmlabStreamSource *self);
  void     (*finalize) (ShmlabStreamSource *self);
} ShmlabStreamSourceClass;

struct _ShmlabStreamSource
{
  const ShmlabStreamSourceClass *klass;
  ShmlabStreamSourceKind kind;
  guint32 width;
  guint32 height;
  double fps;
  guint64 n_frames;
  gpointer priv;
};

ShmlabStreamSource *shmlab_stream_source_alloc (const ShmlabStreamSourceClass *klass,
                                                ShmlabStreamSourceKind         kind,
                                                guint32                        width,
                                                guint32                        height,
                                                gpointer                       priv);
gboolean            shmlab_stream_source_check_size (guint32                   width,
                                                guint32                        height,
                                                GError                       **error);
/* "“NAME” is not a video ShmLab reads: WHAT. Give …"; returns FALSE. */
gboolean            shmlab_stream_source_format_error (GError                **error,
                                                const char                    *name,
                                                const char                    *what);

G_END_DECLS
