/* shmlab-stream-private.h — the transport table: what a way of carrying a
 * stream (shared memory, a pipe, a socket) fills in
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "shmlab-stream.h"

G_BEGIN_DECLS

/* How long one wait lasts before a transport looks at the cancellable, the
 * other side's liveness and the clock again. */
#define SHMLAB_STREAM_WAIT_SLICE_MS 100
#define SHMLAB_STREAM_DEFAULT_TIMEOUT_MS 5000
/* A writer that has not written nor waited for this long is gone. */
#define SHMLAB_STREAM_STALE_MS 1000

/* What the writer's put spent, added by the transport. */
typedef struct
{
  gint64 lock_wait_ns;
  gint64 handoff_wait_ns;
} ShmlabStreamPutTimes;

/* What a reader's transport knows beyond the frame. */
typedef struct
{
  guint64 frames_written;      /* newest frame number the writer reports */
  gint64 reader_lock_wait_ns;  /* added by this call */
  gint64 writer_lock_wait_ns;  /* the writer's total, when it publishes it */
  gint64 writer_handoff_wait_ns;
  ShmlabStreamConfig config;   /* as the writer set it */
} ShmlabStreamReaderInfo;

/* A buffer for a frame, from the reader's pool; its GBytes gives it back. */
typedef struct _ShmlabStreamPool ShmlabStreamPool;
ShmlabStreamPool *shmlab_stream_pool_new   (void);
void              shmlab_stream_pool_free  (ShmlabStreamPool *pool);
/* A writable buffer of @size bytes and the GBytes that will own it. Fill
 * the buffer before handing the GBytes to anyone. */
GBytes           *shmlab_stream_pool_take  (ShmlabStreamPool *pool,
                                            gsize             size,
                                            guint8          **data);

/* A frame made from a filled buffer whose header and check are done. */
ShmlabStreamFrame *shmlab_stream_frame_new (GBytes                        *bytes,
                                            const ShmlabStreamFrameHeader *header,
                                            ShmlabStreamCheck             *check_taken);

typedef struct
{
  ShmlabStreamTransport id;

  gpointer (*writer_open)  (ShmlabKey                *key,
                            const ShmlabStreamConfig *config,
                            GCancellable             *cancellable,
                            GError                  **error);
  /* Writes the frame: shmlab_stream_frame_write() of @header and @rgba into
   * the medium, waiting as the transport must. @lock is the writer's
   * current choice (shared memory only). */
  gboolean (*writer_put)   (gpointer                       state,
                            const ShmlabStreamFrameHeader *header,
                            const guint8                  *rgba,
                            gsize                          stride,
                            gboolean                       lock,
                            ShmlabStreamRowHook            hook,
                            gpointer                       hook_data,
                            ShmlabStreamPutTimes          *times,
                            GCancellable                  *cancellable,
                            GError                       **error);
  void     (*writer_close) (gpointer                       state);

  gpointer (*reader_open)  (ShmlabKey                *key,
                            GCancellable             *cancellable,
                            GError                  **error);
  /* The next frame, copied into a buffer of @pool and checked. */
  ShmlabStreamFrame *(*reader_next) (gpointer                state,
                            ShmlabStreamPool         *pool,
                            guint                     timeout_ms,
                            ShmlabStreamReaderInfo   *info,
                            GCancellable             *cancellable,
                            GError                  **error);
  void     (*reader_close) (gpointer                       state);
} ShmlabStreamTransportClass;

extern const ShmlabStreamTransportClass shmlab_stream_transport_shm;
extern const ShmlabStreamTransportClass shmlab_stream_transport_pipe;
extern const ShmlabStreamTransportClass shmlab_stream_transport_socket;

G_END_DECLS
