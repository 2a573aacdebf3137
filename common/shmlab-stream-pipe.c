/* shmlab-stream-pipe.c — a stream through a FIFO named from the key in the
 * user's runtime directory: every byte copied into the kernel and out again
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-stream-fd.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The kernel's largest pipe buffer an unprivileged user may ask for. */
#define PIPE_SIZE (1 << 20)

typedef struct
{
  char *path;
  ShmlabStreamFdEnd io;
  gboolean ever;   /* reader: a byte came */
  ShmlabKey *key;
} Pipe;

static void
pipe_close (gpointer state)
{
  Pipe *self = state;

  if (self == NULL)
    return;
  shmlab_stream_fd_end_clear (&self->io);
  g_free (self->path);
  g_clear_pointer (&self->key, shmlab_key_unref);
  g_free (self);
}

static void
pipe_writer_close (gpointer state)
{
  Pipe *self = state;

  if (self != NULL && self->path != NULL)
    g_unlink (self->path);
  pipe_close (self);
}

static gpointer
pipe_writer_open (ShmlabKey                *key,
                  const ShmlabStreamConfig *config,
                  GCancellable             *cancellable,
                  GError                  **error)
{
  Pipe *self = g_new0 (Pipe, 1);
  struct stat st;

  self->io.fd = -1;
  self->key = shmlab_key_ref (key);
  self->io.timeout_ms = config->timeout_ms;
  self->path = shmlab_stream_transport_path (SHMLAB_STREAM_TRANSPORT_PIPE, key);
  /* Never follow a link, never take what is not this user's FIFO. */
  if (lstat (self->path, &st) == 0)
    {
      if (!S_ISFIFO (st.st_mode) || st.st_uid != getuid ())
        {
          g_set_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_BUSY,
                       _("“%s” exists and is not a FIFO of yours: remove it, or choose another key."),
                       self->path);
          g_free (g_steal_pointer (&self->path));
          pipe_close (self);
          return NULL;
        }
      /* A FIFO a writer killed earlier left behind: made again below. */
      g_unlink (self->path);
    }
  if (mkfifo (self->path, 0600) != 0)
    {
      int saved = errno;
      g_set_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_TRANSPORT,
                   _("Cannot make the FIFO “%s”: %s."), self->path, g_strerror (saved));
      g_free (g_steal_pointer (&self->path));
      pipe_close (self);
      return NULL;
    }
  return self;
}

/* Opens the FIFO's writing end once a reader has opened the other. */
static gboolean
wait_for_reader (Pipe         *self,
                 GCancellable *cancellable,
                 GError      **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) self->io.timeout_ms * 1000;

  while (self->io.fd < 0)
    {
      self->io.fd = open (self->path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
      if (self->io.fd >= 0)
        break;
      if (errno != ENXIO && errno != EINTR)
        {
          g_set_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_TRANSPORT,
                       _("Cannot open the FIFO “%s”: %s."), self->path, g_strerror (errno));
          return FALSE;
        }
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (g_get_monotonic_time () >= deadline)
        {
          g_set_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_NO_READER,
                       _("No reader opened the FIFO “%s”: start a Reader following with the pipe, or shmlab follow --transport=pipe."),
                       self->path);
          return FALSE;
        }
      g_usleep (SHMLAB_STREAM_WAIT_SLICE_MS * 1000 / 4);
    }
  fcntl (self->io.fd, F_SETPIPE_SZ, PIPE_SIZE);
  return TRUE;
}

static gboolean
pipe_writer_put (gpointer                       state,
                 const ShmlabStreamFrameHeader *header,
                 const guint8                  *rgba,
                 gsize                          stride,
                 gboolean                       lock,
                 ShmlabStreamRowHook            hook,
                 gpointer                       hook_data,
                 ShmlabStreamPutTimes          *times,
                 GCancellable                  *cancellable,
                 GError                       **error)
{
  Pipe *self = state;

  if (!wait_for_reader (self, cancellable, error))
    return FALSE;
  return shmlab_stream_fd_put (&self->io, header, rgba, stride, hook, hook_data,
                               _("The reader closed the pipe: waiting for another."),
                               _("The reader takes nothing from the pipe: the writer waits while the pipe is full."),
                               times, cancellable, error);
}

static gpointer
pipe_reader_open (ShmlabKey     *key,
                  GCancellable  *cancellable,
                  GError       **error)
{
  Pipe *self = g_new0 (Pipe, 1);
  struct stat st;

  self->key = shmlab_key_ref (key);
  self->path = shmlab_stream_transport_path (SHMLAB_STREAM_TRANSPORT_PIPE, key);
  if (lstat (self->path, &st) != 0 || !S_ISFIFO (st.st_mode))
    {
      g_autofree char *command = shmlab_stream_fd_no_stream_command (key, "pipe");

      g_set_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_NO_STREAM,
                   /* Translators: %s is a command to paste into a shell */
                   _("Nothing streams through a pipe on this key yet. Start the Writer's stream with the pipe, or: %s"),
                   command);
      self->io.fd = -1;
      pipe_close (self);
      return NULL;
    }
  self->io.fd = open (self->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
  if (self->io.fd < 0)
    {
      g_set_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_TRANSPORT,
                   _("Cannot open the FIFO “%s”: %s."), self->path, g_strerror (errno));
      pipe_close (self);
      return NULL;
    }
  fcntl (self->io.fd, F_SETPIPE_SZ, PIPE_SIZE);
  return self;
}

static ShmlabStreamFrame *
pipe_reader_next (gpointer                state,
                  ShmlabStreamPool       *pool,
                  guint                   timeout_ms,
                  ShmlabStreamReaderInfo *info,
                  GCancellable           *cancellable,
                  GError                **error)
{
  Pipe *self = state;

  info->config.transport = SHMLAB_STREAM_TRANSPORT_PIPE;
  return shmlab_stream_fd_reader_next (self->io.fd, &self->ever, pool, timeout_ms, info, cancellable, error);
}

const ShmlabStreamTransportClass shmlab_stream_transport_pipe = {
  .id = SHMLAB_STREAM_TRANSPORT_PIPE,
  .writer_open = pipe_writer_open,
  .writer_put = pipe_writer_put,
  .writer_close = pipe_writer_close,
  .reader_open = pipe_reader_open,
  .reader_next = pipe_reader_next,
  .reader_close = pipe_close,
};
