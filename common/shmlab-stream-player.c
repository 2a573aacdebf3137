/* shmlab-stream-player.c — a stream played in a worker thread: the source
 * rendered, paced on absolute deadlines, put into the writer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-stream-player.h"

#include <string.h>
#include <time.h>

#define PREVIEW_WIDTH 320

struct _ShmlabStreamPlayer
{
  gatomicrefcount ref_count;
  GThread *thread;
  GCancellable *cancellable;
  ShmlabStreamWriter *writer;
  ShmlabStreamSource *source;
  ShmlabStreamConfig config;
  gint lock;
  gpointer period_ns; /* a gsize of ns, 0: as fast as possible; atomic */

  GMutex mutex;       /* guards the state */
  ShmlabStreamPlayerState state;
};

static gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void
shmlab_stream_player_state_clear (ShmlabStreamPlayerState *state)
{
  g_clear_error (&state->problem);
  g_clear_pointer (&state->preview, g_bytes_unref);
}

static void
player_unref (ShmlabStreamPlayer *self)
{
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  shmlab_stream_writer_free (self->writer);
  shmlab_stream_source_free (self->source);
  g_object_unref (self->cancellable);
  shmlab_stream_player_state_clear (&self->state);
  g_mutex_clear (&self->mutex);
  g_free (self);
}

/* A small copy of @rgba for the page's preview, every few frames. */
static GBytes *
make_preview (const guint8 *rgba,
              guint32       width,
              guint32       height,
              guint32      *out_width,
              guint32      *out_height)
{
  guint32 w = MIN (width, PREVIEW_WIDTH);
  guint32 h = MAX (1, (guint32) ((guint64) height * w / width));
  guint8 *out = g_malloc ((gsize) w * h * 4);

  for (guint32 y = 0; y < h; y++)
    {
      const guint8 *src = rgba + (gsize) ((guint64) y * height / h) * width * 4;

      for (guint32 x = 0; x < w; x++)
        memcpy (out + ((gsize) y * w + x) * 4, src + (gsize) ((guint64) x * width / w) * 4, 4);
    }
  *out_width = w;
  *out_height = h;
  return g_bytes_new_take (out, (gsize) w * h * 4);
}

static gpointer
play (gpointer data)
{
  ShmlabStreamPlayer *self = data;
  gsize stride = (gsize) self->config.width * 4;
  g_autofree guint8 *rgba = g_malloc (stride * self->config.height);
  gint64 start = now_ns (), next_due = start, last_preview = 0;
  guint64 n = 0;

  while (!g_cancellable_is_cancelled (self->cancellable))
    {
      g_autoptr(GError) error = NULL;
      gint64 period = (gint64) GPOINTER_TO_SIZE (g_atomic_pointer_get (&self->period_ns));
      gboolean ok;

      if (!shmlab_stream_source_render (self->source, n + 1, now_ns () - start, rgba, stride, &error))
        {
          g_mutex_lock (&self->mutex);
          g_clear_error (&self->state.problem);
          self->state.problem = g_steal_pointer (&error);
          g_mutex_unlock (&self->mutex);
          break;
        }
      if (period > 0)
        {
          gint64 now = now_ns ();

          /* Absolute deadlines; a writer far behind (it waited for a
           * reader) starts again from now rather than rushing. */
          if (next_due < now - 4 * period)
            next_due = now;
          while (next_due > now && !g_cancellable_is_cancelled (self->cancellable))
            {
              gint64 wait = MIN (next_due - now, G_GINT64_CONSTANT (50000000));
              struct timespec ts = { wait / 1000000000, wait % 1000000000 };

              nanosleep (&ts, NULL);
              now = now_ns ();
            }
          next_due += period;
        }
      shmlab_stream_writer_set_lock (self->writer, g_atomic_int_get (&self->lock));
      ok = shmlab_stream_writer_put (self->writer, rgba, stride, now_ns () - start,
                                     self->cancellable, &error);
      g_mutex_lock (&self->mutex);
      if (ok)
        {
          n++;
          self->state.frame_number = n;
          if (now_ns () - last_preview > 100000000)
            {
              last_preview = now_ns ();
              g_clear_pointer (&self->state.preview, g_bytes_unref);
              g_mutex_unlock (&self->mutex);
              {
                guint32 pw, ph;
                GBytes *preview = make_preview (rgba, self->config.width, self->config.height, &pw, &ph);

                g_mutex_lock (&self->mutex);
                g_clear_pointer (&self->state.preview, g_bytes_unref);
                self->state.preview = preview;
                self->state.preview_width = pw;
                self->state.preview_height = ph;
              }
            }
        }
      else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          /* A reader gone or missing: said, and the stream goes on. */
          g_clear_error (&self->state.problem);
          self->state.problem = g_steal_pointer (&error);
        }
      g_mutex_unlock (&self->mutex);
    }
  g_mutex_lock (&self->mutex);
  self->state.running = FALSE;
  self->state.stopped = TRUE;
  g_mutex_unlock (&self->mutex);
  player_unref (self);
  return NULL;
}

ShmlabStreamPlayer *
shmlab_stream_player_start (ShmlabKey                *key,
                            const ShmlabStreamConfig *config,
                            ShmlabStreamSource       *source,
                            double                    fps,
                            GError                  **error)
{
  ShmlabStreamPlayer *self;
  ShmlabStreamWriter *writer;
  ShmlabStreamConfig sized = *config;

  sized.width = shmlab_stream_source_get_width (source);
  sized.height = shmlab_stream_source_get_height (source);
  writer = shmlab_stream_writer_new (key, &sized, NULL, error);
  if (writer == NULL)
    {
      shmlab_stream_source_free (source);
      return NULL;
    }
  self = g_new0 (ShmlabStreamPlayer, 1);
  g_atomic_ref_count_init (&self->ref_count);
  g_mutex_init (&self->mutex);
  self->cancellable = g_cancellable_new ();
  self->writer = writer;
  self->source = source;
  self->config = sized;
  self->lock = sized.lock;
  shmlab_stream_player_set_fps (self, fps);
  self->state.running = TRUE;
  g_atomic_ref_count_inc (&self->ref_count);
  self->thread = g_thread_new ("shmlab-stream", play, self);
  g_thread_unref (self->thread);
  return self;
}

void
shmlab_stream_player_set_lock (ShmlabStreamPlayer *self,
                               gboolean            lock)
{
  g_atomic_int_set (&self->lock, lock ? 1 : 0);
}

void
shmlab_stream_player_set_fps (ShmlabStreamPlayer *self,
                              double              fps)
{
  gsize period = fps > 0 ? (gsize) (1e9 / fps + 0.5) : 0;

  g_atomic_pointer_set (&self->period_ns, GSIZE_TO_POINTER (period));
}

void
shmlab_stream_player_get_state (ShmlabStreamPlayer      *self,
                                ShmlabStreamPlayerState *state)
{
  memset (state, 0, sizeof *state);
  g_mutex_lock (&self->mutex);
  *state = self->state;
  state->problem = self->state.problem ? g_error_copy (self->state.problem) : NULL;
  state->preview = self->state.preview ? g_bytes_ref (self->state.preview) : NULL;
  g_mutex_unlock (&self->mutex);
  shmlab_stream_writer_get_stats (self->writer, &state->stats);
}

void
shmlab_stream_player_stop (ShmlabStreamPlayer *self)
{
  if (self == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  player_unref (self);
}
