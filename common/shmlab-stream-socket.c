/* shmlab-stream-socket.c — a stream through a Unix stream socket named from
 * the key in the user's runtime directory: the writer listens, one reader
 * connects
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-stream-fd.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define SOCKET_BUFFER (4 << 20)

typedef struct
{
  char *path;
  int listener;
  ShmlabStreamFdEnd io;
  gboolean ever;
} Socket;

static void
socket_close (gpointer state)
{
  Socket *self = state;

  if (self == NULL)
    return;
  shmlab_stream_fd_end_clear (&self->io);
  if (self->listener >= 0)
    close (self->listener);
  g_free (self->path);
  g_free (self);
}

static void
socket_writer_close (gpointer state)
{
  Socket *self = state;

  if (self != NULL && self->listener >= 0 && self->path != NULL)
    g_unlink (self->path);
  socket_close (self);
}

static gboolean
address_for (const char         *path,
             struct sockaddr_un *address,
             GError            **error)
{
  memset (address, 0, sizeof *address);
  address->sun_family = AF_UNIX;
  if (strlen (path) >= sizeof address->sun_path)
    {
      g_set_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_TRANSPORT,
                   _("The socket's path “%s” is too long for a Unix socket: set XDG_RUNTIME_DIR or TMPDIR to a shorter directory."),
                   path);
      return FALSE;
    }
  memcpy (address->sun_path, path, strlen (path));
  return TRUE;
}

static void
set_buffers (int fd)
{
  int size = SOCKET_BUFFER;

  setsockopt (fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  setsockopt (fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
}

static gpointer
socket_writer_open (ShmlabKey                *key,
                    const ShmlabStreamConfig *config,
                    GCancellable             *cancellable,
                    GError                  **error)
{
  Socket *self = g_new0 (Socket, 1);
  struct sockaddr_un address;
  struct stat st;

  self->io.fd = -1;
  self->listener = -1;
  self->io.timeout_ms = config->timeout_ms;
  self->io.socket = TRUE;
  self->path = shmlab_stream_transport_path (SHMLAB_STREAM_TRANSPORT_SOCKET, key);
  if (!address_for (self->path, &address, error))
    goto fail;
  if (lstat (self->path, &st) == 0)
    {
      int probe;

      if (!S_ISSOCK (st.st_mode) || st.st_uid != getuid ())
        {
          g_set_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_BUSY,
                       _("“%s” exists and is not a socket of yours: remove it, or choose another key."),
                       self->path);
          goto fail;
        }
      /* Someone listening is a writer streaming; nobody, a socket left
       * behind by one that was killed. */
      probe = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (probe >= 0 && connect (probe, (struct sockaddr *) &address, sizeof address) == 0)
        {
          close (probe);
          g_set_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_BUSY,
                       _("Another writer is streaming through “%s”. Stop it first, or choose another key."),
                       self->path);
          goto fail;
        }
      if (probe >= 0)
        close (probe);
      g_unlink (self->path);
    }
  self->listener = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (self->listener < 0 ||
      bind (self->listener, (struct sockaddr *) &address, sizeof address) != 0 ||
      listen (self->listener, 1) != 0)
    {
      int saved = errno;
      g_set_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_TRANSPORT,
                   _("Cannot listen on the socket “%s”: %s."), self->path, g_strerror (saved));
      if (self->listener >= 0)
        {
          close (self->listener);
          self->listener = -1;
        }
      goto fail;
    }
  chmod (self->path, 0600);
  return self;

fail:
  socket_close (self);
  return NULL;
}

static gboolean
wait_for_reader (Socket       *self,
                 GCancellable *cancellable,
                 GError      **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) self->io.timeout_ms * 1000;

  while (self->io.fd < 0)
    {
      self->io.fd = accept4 (self->listener, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (self->io.fd >= 0)
        break;
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
        {
          g_set_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_TRANSPORT,
                       _("Cannot take a reader on the socket “%s”: %s."), self->path,
                       g_strerror (errno));
          return FALSE;
        }
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (g_get_monotonic_time () >= deadline)
        {
          g_set_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_NO_READER,
                       _("No reader connected to the socket “%s”: start a Reader following with the socket, or shmlab follow --transport=socket."),
                       self->path);
          return FALSE;
        }
      g_usleep (SHMLAB_STREAM_WAIT_SLICE_MS * 1000 / 4);
    }
  set_buffers (self->io.fd);
  return TRUE;
}

static gboolean
socket_writer_put (gpointer                       state,
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
  Socket *self = state;

  if (!wait_for_reader (self, cancellable, error))
    return FALSE;
  return shmlab_stream_fd_put (&self->io, header, rgba, stride, hook, hook_data,
                               _("The reader closed the socket: waiting for another."),
                               _("The reader takes nothing from the socket: the writer waits while its buffer is full."),
                               times, cancellable, error);
}

static gpointer
socket_reader_open (ShmlabKey     *key,
                    GCancellable  *cancellable,
                    GError       **error)
{
  Socket *self = g_new0 (Socket, 1);
  struct sockaddr_un address;

  self->listener = -1;
  self->path = shmlab_stream_transport_path (SHMLAB_STREAM_TRANSPORT_SOCKET, key);
  self->io.fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (self->io.fd < 0 || !address_for (self->path, &address, error))
    {
      if (self->io.fd < 0)
        g_set_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_TRANSPORT,
                     _("Cannot make a socket: %s."), g_strerror (errno));
      socket_close (self);
      return NULL;
    }
  if (connect (self->io.fd, (struct sockaddr *) &address, sizeof address) != 0)
    {
      int saved = errno;

      if (saved == ENOENT || saved == ECONNREFUSED)
        {
          g_autofree char *command = shmlab_stream_fd_no_stream_command (key, "socket");

          g_set_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_NO_STREAM,
                       /* Translators: %s is a command to paste into a shell */
                       _("Nothing streams through a socket on this key yet. Start the Writer's stream with the socket, or: %s"),
                       command);
        }
      else
        g_set_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_TRANSPORT,
                     _("Cannot connect to the socket “%s”: %s."), self->path, g_strerror (saved));
      socket_close (self);
      return NULL;
    }
  fcntl (self->io.fd, F_SETFL, fcntl (self->io.fd, F_GETFL) | O_NONBLOCK);
  set_buffers (self->io.fd);
  return self;
}

static ShmlabStreamFrame *
socket_reader_next (gpointer                state,
                    ShmlabStreamPool       *pool,
                    guint                   timeout_ms,
                    ShmlabStreamReaderInfo *info,
                    GCancellable           *cancellable,
                    GError                **error)
{
  Socket *self = state;

  info->config.transport = SHMLAB_STREAM_TRANSPORT_SOCKET;
  /* A connected socket is a writer there: an end of file is its end. */
  self->ever = TRUE;
  return shmlab_stream_fd_reader_next (self->io.fd, &self->ever, pool, timeout_ms, info,
                                       cancellable, error);
}

const ShmlabStreamTransportClass shmlab_stream_transport_socket = {
  .id = SHMLAB_STREAM_TRANSPORT_SOCKET,
  .writer_open = socket_writer_open,
  .writer_put = socket_writer_put,
  .writer_close = socket_writer_close,
  .reader_open = socket_reader_open,
  .reader_next = socket_reader_next,
  .reader_close = socket_close,
};
