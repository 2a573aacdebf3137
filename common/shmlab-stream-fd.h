/* shmlab-stream-fd.h — what a pipe and a socket share: a frame written to a
 * file descriptor and read from one, in slices, cancellable
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "shmlab-stream-private.h"

G_BEGIN_DECLS

typedef enum
{
  SHMLAB_STREAM_FD_OK,
  SHMLAB_STREAM_FD_GONE,      /* the other end went away (EPIPE, EOF) */
  SHMLAB_STREAM_FD_TIMED_OUT,
  SHMLAB_STREAM_FD_FAILED,    /* @error is set */
} ShmlabStreamFdResult;

/* Writes @length bytes; the socket with MSG_NOSIGNAL, the FIFO with SIGPIPE
 * blocked in this thread. */
ShmlabStreamFdResult shmlab_stream_fd_write  (int            fd,
                                              gboolean       socket,
                                              const guint8  *data,
                                              gsize          length,
                                              guint          timeout_ms,
                                              GCancellable  *cancellable,
                                              GError       **error);
/* Reads one frame: its header, checked, then its rows into a buffer of
 * @pool; *@frame is set on OK. *@ever says whether any byte ever came: an
 * end of file before that is a writer yet to come, after it a writer gone. */
ShmlabStreamFdResult shmlab_stream_fd_read_frame (int          fd,
                                              ShmlabStreamPool   *pool,
                                              guint               timeout_ms,
                                              gboolean           *ever,
                                              ShmlabStreamFrame **frame,
                                              GCancellable       *cancellable,
                                              GError            **error);
ShmlabStreamFrame   *shmlab_stream_fd_reader_next (int                     fd,
                                              gboolean               *ever,
                                              ShmlabStreamPool       *pool,
                                              guint                   timeout_ms,
                                              ShmlabStreamReaderInfo *info,
                                              GCancellable           *cancellable,
                                              GError                **error);
/* What a pipe's or a socket's end keeps: the descriptor (-1 while there is
 * no other end), and for a writer the frame, built once per size. */
typedef struct
{
  int fd;
  gboolean socket;
  guint timeout_ms;
  guint8 *buffer;
  gsize buffer_size;
} ShmlabStreamFdEnd;

/* Builds the frame and writes it whole. A reader gone closes the descriptor
 * and is NO_READER saying @gone; a reader that takes nothing for the
 * timeout is NO_READER saying @stalled (both translated by the caller). */
gboolean shmlab_stream_fd_put                 (ShmlabStreamFdEnd             *end,
                                              const ShmlabStreamFrameHeader *header,
                                              const guint8                  *rgba,
                                              gsize                          stride,
                                              ShmlabStreamRowHook            hook,
                                              gpointer                       hook_data,
                                              const char                    *gone,
                                              const char                    *stalled,
                                              ShmlabStreamPutTimes          *times,
                                              GCancellable                  *cancellable,
                                              GError                       **error);
void     shmlab_stream_fd_end_clear           (ShmlabStreamFdEnd             *end);
char   *shmlab_stream_fd_no_stream_command   (ShmlabKey     *key,
                                              const char    *transport);

G_END_DECLS
