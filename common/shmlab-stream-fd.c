/* shmlab-stream-fd.c — what a pipe and a socket share: a frame written to a
 * file descriptor and read from one, in slices, cancellable; and the name of
 * the FIFO or socket of a key
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-stream-fd.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "shmlab-command.h"

/* Longest name kept readable; beyond it the key is hashed. */
#define NAME_MAX_KEY 48

static gint64
now_ms (void)
{
  return g_get_monotonic_time () / 1000;
}

/* Where a pipe's FIFO or a socket lives for @key: the runtime directory
 * (the temp directory when there is none), "shmlab-stream-" and the key with
 * every byte that is not a letter, digit, '.', '-' or '_' as %XX; a long key
 * as the start of its SHA-256. */
char *
shmlab_stream_transport_path (ShmlabStreamTransport transport,
                              ShmlabKey            *key)
{
  const char *name = shmlab_key_get_name (key);
  const char *dir = g_getenv ("XDG_RUNTIME_DIR");
  const char *suffix = transport == SHMLAB_STREAM_TRANSPORT_PIPE ? ".fifo" : ".sock";
  g_autoptr(GString) file = g_string_new ("shmlab-stream-");
  g_autofree char *path = NULL;

  if (dir == NULL || !g_path_is_absolute (dir) || !g_file_test (dir, G_FILE_TEST_IS_DIR))
    dir = g_get_tmp_dir ();
  if (strlen (name) <= NAME_MAX_KEY)
    for (const guchar *p = (const guchar *) name; *p != '\0'; p++)
      {
        if (g_ascii_isalnum (*p) || *p == '-' || *p == '_' || (*p == '.' && p != (const guchar *) name))
          g_string_append_c (file, (char) *p);
        else
          g_string_append_printf (file, "%%%02X", *p);
      }
  if (strlen (name) > NAME_MAX_KEY || file->len > 14 + 3 * NAME_MAX_KEY / 2)
    {
      g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, name, -1);

      g_string_truncate (file, 14);
      g_string_append_printf (file, "sha-%.24s", hash);
    }
  g_string_append (file, suffix);
  path = g_build_filename (dir, file->str, NULL);
  /* A socket's address holds 107 bytes: a long directory gets the hash. */
  if (strlen (path) > 100 && !g_str_has_prefix (file->str + 14, "sha-"))
    {
      g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, name, -1);
      g_autofree char *short_name = g_strdup_printf ("shmlab-stream-sha-%.24s%s", hash, suffix);

      g_free (path);
      path = g_build_filename (dir, short_name, NULL);
    }
  return g_steal_pointer (&path);
}

char *
shmlab_stream_fd_no_stream_command (ShmlabKey  *key,
                                    const char *transport)
{
  g_autofree char *option = g_strdup_printf ("--transport=%s", transport);

  return shmlab_command_for_key ("stream", shmlab_key_get_name (key),
                                 shmlab_key_get_backend (key), option);
}

void
shmlab_stream_fd_end_clear (ShmlabStreamFdEnd *end)
{
  if (end->fd >= 0)
    close (end->fd);
  end->fd = -1;
  g_clear_pointer (&end->buffer, g_free);
  end->buffer_size = 0;
}

/* Waits up to one slice for @events on @fd (and the cancellable).
 * Returns FALSE with @error when cancelled. */
static gboolean
wait_fd (int           fd,
         short         events,
         GCancellable *cancellable,
         GError      **error)
{
  struct pollfd fds[2] = { { fd, events, 0 }, { -1, POLLIN, 0 } };
  GPollFD cancel;
  nfds_t n = 1;

  if (cancellable != NULL && g_cancellable_make_pollfd (cancellable, &cancel))
    {
      fds[1].fd = cancel.fd;
      n = 2;
    }
  poll (fds, n, SHMLAB_STREAM_WAIT_SLICE_MS);
  if (n == 2)
    g_cancellable_release_fd (cancellable);
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

ShmlabStreamFdResult
shmlab_stream_fd_write (int            fd,
                        gboolean       socket,
                        const guint8  *data,
                        gsize          length,
                        guint          timeout_ms,
                        GCancellable  *cancellable,
                        GError       **error)
{
  gint64 deadline = now_ms () + timeout_ms;
  gsize done = 0;
  sigset_t pipe_signal, old_mask;
  ShmlabStreamFdResult result = SHMLAB_STREAM_FD_OK;

  /* A FIFO whose reader left raises SIGPIPE in the writing thread: blocked
   * here, and taken back below, so that it is EPIPE, never the end of the
   * program. A socket has MSG_NOSIGNAL. */
  sigemptyset (&pipe_signal);
  sigaddset (&pipe_signal, SIGPIPE);
  if (!socket)
    pthread_sigmask (SIG_BLOCK, &pipe_signal, &old_mask);
  while (done < length)
    {
      gssize n = socket ? send (fd, data + done, length - done, MSG_NOSIGNAL)
                        : write (fd, data + done, length - done);

      if (n > 0)
        {
          done += (gsize) n;
          deadline = now_ms () + timeout_ms;
          continue;
        }
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        {
          if (!wait_fd (fd, POLLOUT, cancellable, error))
            {
              result = SHMLAB_STREAM_FD_FAILED;
              break;
            }
          if (now_ms () >= deadline)
            {
              result = SHMLAB_STREAM_FD_TIMED_OUT;
              break;
            }
          continue;
        }
      if (n < 0 && (errno == EPIPE || errno == ECONNRESET))
        {
          result = SHMLAB_STREAM_FD_GONE;
          break;
        }
      g_set_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_TRANSPORT,
                   _("Sending a frame failed: %s."), g_strerror (errno));
      result = SHMLAB_STREAM_FD_FAILED;
      break;
    }
  if (!socket)
    {
      struct timespec zero = { 0, 0 };

      while (sigtimedwait (&pipe_signal, NULL, &zero) > 0)
        ;
      pthread_sigmask (SIG_SETMASK, &old_mask, NULL);
    }
  return result;
}

/* Reads exactly @length bytes. @any says whether a byte came already. */
static ShmlabStreamFdResult
read_exactly (int           fd,
              guint8       *data,
              gsize         length,
              gint64        deadline,
              gboolean     *any,
              GCancellable *cancellable,
              GError      **error)
{
  gsize done = 0;

  while (done < length)
    {
      gssize n = read (fd, data + done, length - done);

      if (n > 0)
        {
          done += (gsize) n;
          *any = TRUE;
          continue;
        }
      if (n == 0)
        {
          /* The end: the writer went away — or a FIFO has had none yet,
           * and poll() would not wait for one. */
          if (*any)
            return SHMLAB_STREAM_FD_GONE;
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return SHMLAB_STREAM_FD_FAILED;
          if (now_ms () >= deadline)
            return SHMLAB_STREAM_FD_TIMED_OUT;
          g_usleep (10000);
          continue;
        }
      else if (errno == EINTR)
        continue;
      else if (errno != EAGAIN && errno != EWOULDBLOCK)
        {
          if (errno == ECONNRESET)
            return SHMLAB_STREAM_FD_GONE;
          g_set_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_TRANSPORT,
                       _("Receiving a frame failed: %s."), g_strerror (errno));
          return SHMLAB_STREAM_FD_FAILED;
        }
      if (!wait_fd (fd, POLLIN, cancellable, error))
        return SHMLAB_STREAM_FD_FAILED;
      /* Once a frame has begun, it is finished whatever the timeout. */
      if (done == 0 && now_ms () >= deadline)
        return SHMLAB_STREAM_FD_TIMED_OUT;
    }
  return SHMLAB_STREAM_FD_OK;
}

ShmlabStreamFdResult
shmlab_stream_fd_read_frame (int                 fd,
                             ShmlabStreamPool   *pool,
                             guint               timeout_ms,
                             gboolean           *ever,
                             ShmlabStreamFrame **frame,
                             GCancellable       *cancellable,
                             GError            **error)
{
  guint8 head[SHMLAB_STREAM_FRAME_HEADER_SIZE];
  ShmlabStreamFrameHeader header;
  ShmlabStreamCheck check;
  g_autoptr(GBytes) bytes = NULL;
  gint64 deadline = now_ms () + timeout_ms;
  gboolean any = *ever;
  ShmlabStreamFdResult result;
  guint8 *dest;
  gsize size;

  result = read_exactly (fd, head, sizeof head, deadline, &any, cancellable, error);
  *ever = any;
  if (result != SHMLAB_STREAM_FD_OK)
    return result;
  /* The header is hostile: its sizes are checked before anything is
   * allocated for them. */
  if (!shmlab_stream_frame_header_parse (head, sizeof head, &header, error) ||
      !shmlab_stream_frame_size (header.width, header.height, &size, error))
    return SHMLAB_STREAM_FD_FAILED;
  bytes = shmlab_stream_pool_take (pool, size, &dest);
  memcpy (dest, head, sizeof head);
  result = read_exactly (fd, dest + sizeof head, size - sizeof head, G_MAXINT64, &any,
                         cancellable, error);
  if (result != SHMLAB_STREAM_FD_OK)
    return result;
  if (!shmlab_stream_frame_check (dest, size, &header, &check, error))
    return SHMLAB_STREAM_FD_FAILED;
  *frame = shmlab_stream_frame_new (bytes, &header, &check);
  return SHMLAB_STREAM_FD_OK;
}

/* The next frame from @fd, as the reader of a pipe or a socket takes it:
 * the writer gone is STOPPED, no frame in time TIMED_OUT. */
ShmlabStreamFrame *
shmlab_stream_fd_reader_next (int                     fd,
                gboolean               *ever,
                ShmlabStreamPool       *pool,
                guint                   timeout_ms,
                ShmlabStreamReaderInfo *info,
                GCancellable           *cancellable,
                GError                **error)
{
  ShmlabStreamFrame *frame = NULL;

  switch (shmlab_stream_fd_read_frame (fd, pool, timeout_ms, ever, &frame, cancellable, error))
    {
    case SHMLAB_STREAM_FD_OK:
      info->config.handoff = SHMLAB_STREAM_HANDOFF_EVERY;
      info->config.buffers = 1;
      info->config.lock = FALSE;
      info->config.width = frame->header.width;
      info->config.height = frame->header.height;
      return frame;
    case SHMLAB_STREAM_FD_GONE:
      g_set_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_STOPPED,
                   _("The writer stopped the stream."));
      return NULL;
    case SHMLAB_STREAM_FD_TIMED_OUT:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, _("No new frame came in time."));
      return NULL;
    default:
      return NULL;
    }
}


gboolean
shmlab_stream_fd_put (ShmlabStreamFdEnd             *end,
                      const ShmlabStreamFrameHeader *header,
                      const guint8                  *rgba,
                      gsize                          stride,
                      ShmlabStreamRowHook            hook,
                      gpointer                       hook_data,
                      const char                    *gone,
                      const char                    *stalled,
                      ShmlabStreamPutTimes          *times,
                      GCancellable                  *cancellable,
                      GError                       **error)
{
  gint64 start = g_get_monotonic_time ();
  gsize size;

  shmlab_stream_frame_size (header->width, header->height, &size, NULL);
  if (end->buffer_size != size)
    {
      g_free (end->buffer);
      end->buffer = g_malloc (size);
      end->buffer_size = size;
    }
  shmlab_stream_frame_write (end->buffer, header, rgba, stride, hook, hook_data);
  switch (shmlab_stream_fd_write (end->fd, end->socket, end->buffer, size, end->timeout_ms,
                                  cancellable, error))
    {
    case SHMLAB_STREAM_FD_OK:
      times->handoff_wait_ns = (g_get_monotonic_time () - start) * 1000;
      return TRUE;
    case SHMLAB_STREAM_FD_GONE:
      close (end->fd);
      end->fd = -1;
      g_set_error_literal (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_NO_READER, gone);
      return FALSE;
    case SHMLAB_STREAM_FD_TIMED_OUT:
      g_set_error_literal (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_NO_READER, stalled);
      return FALSE;
    case SHMLAB_STREAM_FD_FAILED:
    default:
      return FALSE;
    }
}
