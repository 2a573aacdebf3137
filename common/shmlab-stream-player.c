/* shmlab-stream-player.c — a stream played in a worker thread: the source
 * rendered, paced on absolute deadlines, put into the writer; the figures,
 * a problem or the end said on the main context of whoever started it
 *
 * Signals (on that context, never after stop()):
 *   "started" (const ShmlabStreamConfig *): a writer was made and streams
 *   "stats" (const ShmlabStreamPlayerReport *): at most four times a second
 *   "problem" (GError *): the stream goes on, but something is wrong (the
 *     reader went away; the writer waits for another)
 *   "stopped" (GError *): the stream ended by itself, and why
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-stream-player.h"

#include <string.h>
#include <time.h>

typedef struct
{
  ShmlabKey *key;
  ShmlabStreamConfig config;
  ShmlabStreamSource *source;
} Request;

/* What the player and its worker share; each holds a reference. */
typedef struct
{
  gatomicrefcount ref_count;
  GMainContext *context;
  GWeakRef player;

  GMutex mutex;                /* guards what follows */
  GCond cond;                  /* a stop or a new request wakes the worker */
  gboolean stop;
  Request *pending;
  GCancellable *interrupt;     /* stops a put or the making of a writer */
  ShmlabStreamWriter *writer;  /* the worker's; reached here by set_lock() */
  gboolean lock;
  gint64 period_ns;            /* 0: as fast as possible */

  gint report_queued;          /* atomic: a report waits on the context */
} Run;

struct _ShmlabStreamPlayer
{
  GObject parent_instance;

  Run *run;                    /* NULL when not playing */
};

enum
{
  PROP_0,
  PROP_PLAYING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum { SIGNAL_STARTED, SIGNAL_STATS, SIGNAL_PROBLEM, SIGNAL_STOPPED, N_SIGNALS };
static guint signals[N_SIGNALS];

static gint n_running;         /* atomic: workers alive */

G_DEFINE_FINAL_TYPE (ShmlabStreamPlayer, shmlab_stream_player, G_TYPE_OBJECT)


static void
request_free (Request *request)
{
  if (request == NULL)
    return;
  g_clear_pointer (&request->key, shmlab_key_unref);
  g_clear_pointer (&request->source, shmlab_stream_source_free);
  g_free (request);
}

static Run *
run_ref (Run *run)
{
  g_atomic_ref_count_inc (&run->ref_count);
  return run;
}

static void
run_unref (Run *run)
{
  if (!g_atomic_ref_count_dec (&run->ref_count))
    return;
  request_free (run->pending);
  g_clear_object (&run->interrupt);
  g_weak_ref_clear (&run->player);
  g_main_context_unref (run->context);
  g_mutex_clear (&run->mutex);
  g_cond_clear (&run->cond);
  g_free (run);
}

/* Under the run's mutex: the put or the writer being made gives up now. */
static void
interrupt_locked (Run *run)
{
  g_cancellable_cancel (run->interrupt);
  g_object_unref (run->interrupt);
  run->interrupt = g_cancellable_new ();
  g_cond_broadcast (&run->cond);
}

static gsize
period_for (double fps)
{
  return fps > 0 ? (gsize) (1e9 / CLAMP (fps, 1e-3, 1e6) + 0.5) : 0;
}

/* ---- what the worker says, handed to the main context ---- */

typedef enum { SAY_STARTED, SAY_STATS, SAY_PROBLEM, SAY_STOPPED } SayKind;

typedef struct
{
  Run *run;
  SayKind kind;
  ShmlabStreamPlayerReport report;
  GError *error;
} Saying;

static void
saying_free (gpointer data)
{
  Saying *saying = data;

  if (saying->kind == SAY_STATS)
    g_atomic_int_set (&saying->run->report_queued, 0);
  g_clear_pointer (&saying->report.preview, g_bytes_unref);
  g_clear_error (&saying->error);
  run_unref (saying->run);
  g_free (saying);
}

static gboolean
say_on_context (gpointer data)
{
  Saying *saying = data;
  g_autoptr(ShmlabStreamPlayer) self = g_weak_ref_get (&saying->run->player);

  /* Stopped, or playing another run since: not for this player now. */
  if (self == NULL || self->run != saying->run)
    return G_SOURCE_REMOVE;
  switch (saying->kind)
    {
    case SAY_STARTED:
      g_signal_emit (self, signals[SIGNAL_STARTED], 0, &saying->report.config);
      break;
    case SAY_STATS:
      g_signal_emit (self, signals[SIGNAL_STATS], 0, &saying->report);
      break;
    case SAY_PROBLEM:
      g_signal_emit (self, signals[SIGNAL_PROBLEM], 0, saying->error);
      break;
    case SAY_STOPPED:
      g_clear_pointer (&self->run, run_unref);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAYING]);
      g_signal_emit (self, signals[SIGNAL_STOPPED], 0, saying->error);
      break;
    }
  return G_SOURCE_REMOVE;
}

/* Takes @saying: an idle on the run's context (never called in this thread,
 * even when no one iterates that context at the moment). */
static void
say (Saying *saying)
{
  g_autoptr(GSource) source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, say_on_context, saying, saying_free);
  g_source_set_static_name (source, "[shmlab] stream player");
  g_source_attach (source, saying->run->context);
}

static Saying *
saying_new (Run     *run,
            SayKind  kind)
{
  Saying *saying = g_new0 (Saying, 1);

  saying->run = run_ref (run);
  saying->kind = kind;
  return saying;
}

static void
say_error (Run     *run,
           SayKind  kind,
           GError  *error)
{
  Saying *saying = saying_new (run, kind);

  saying->error = g_error_copy (error);
  say (saying);
}

/* A small copy of @rgba for the page's preview: the pixel under each
 * centre. */
static GBytes *
make_preview (const guint8 *rgba,
              gsize         stride,
              guint32       width,
              guint32       height,
              guint32      *out_width,
              guint32      *out_height)
{
  guint32 w = MIN (width, SHMLAB_STREAM_PLAYER_PREVIEW_WIDTH);
  guint32 h = MAX (1, (guint32) ((guint64) height * w / width));
  guint8 *out = g_malloc_n ((gsize) w * h, 4);

  for (guint32 y = 0; y < h; y++)
    {
      const guint8 *src = rgba + (gsize) (((guint64) y * 2 + 1) * height / (2 * (guint64) h)) * stride;

      for (guint32 x = 0; x < w; x++)
        memcpy (out + ((gsize) y * w + x) * 4,
                src + (gsize) (((guint64) x * 2 + 1) * width / (2 * (guint64) w)) * 4, 4);
    }
  *out_width = w;
  *out_height = h;
  return g_bytes_new_take (out, (gsize) w * h * 4);
}

static void
say_stats (Run                      *run,
           ShmlabStreamWriter       *writer,
           const ShmlabStreamConfig *config,
           gint64                    period,
           guint64                   frame_number,
           const guint8             *rgba,
           gsize                     stride)
{
  Saying *saying = saying_new (run, SAY_STATS);

  saying->report.config = *config;
  saying->report.fps = period > 0 ? 1e9 / period : 0;
  shmlab_stream_writer_get_stats (writer, &saying->report.stats);
  saying->report.frame_number = frame_number;
  if (rgba != NULL)
    saying->report.preview = make_preview (rgba, stride, config->width, config->height,
                                           &saying->report.preview_width,
                                           &saying->report.preview_height);
  g_atomic_int_set (&run->report_queued, 1);
  say (saying);
}

/* ---- the worker ---- */

/* Sleeps until @due (CLOCK_MONOTONIC ns) unless a stop, a new request or
 * another rate (the period was @period) comes first; FALSE then. With @due
 * G_MAXINT64, sleeps until one of those comes. */
static gboolean
wait_until (Run    *run,
            gint64  due,
            gint64  period)
{
  gboolean go_on;

  g_mutex_lock (&run->mutex);
  while (!run->stop && run->pending == NULL && run->period_ns == period)
    {
      gint64 now = shmlab_stream_now_ns ();

      if (now >= due)
        break;
      if (due == G_MAXINT64)
        g_cond_wait (&run->cond, &run->mutex);
      else
        /* g_get_monotonic_time() is CLOCK_MONOTONIC in µs: the same clock. */
        g_cond_wait_until (&run->cond, &run->mutex,
                           g_get_monotonic_time () + (due - now + 999) / 1000);
    }
  go_on = !run->stop && run->pending == NULL && run->period_ns == period;
  g_mutex_unlock (&run->mutex);
  return go_on;
}

static gpointer
play_thread (gpointer data)
{
  Run *run = data;
  ShmlabStreamWriter *writer = NULL;
  ShmlabStreamSource *source = NULL;
  ShmlabStreamConfig config = { 0 };
  g_autofree guint8 *rgba = NULL;
  gsize stride = 0;
  gint64 start = 0, next_due = 0, last_report = 0, last_period = 0;
  guint64 written = 0;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GCancellable) interrupt = NULL;
      Request *request;
      gint64 period, due, put_start, now;
      gboolean ok;

      g_mutex_lock (&run->mutex);
      if (run->stop)
        {
          g_mutex_unlock (&run->mutex);
          break;
        }
      request = g_steal_pointer (&run->pending);
      if (request != NULL)
        run->writer = NULL;
      interrupt = g_object_ref (run->interrupt);
      period = run->period_ns;
      g_mutex_unlock (&run->mutex);

      if (request != NULL)
        {
          /* The old writer goes first, with what it made: the new one may
           * take the same key. */
          g_clear_pointer (&writer, shmlab_stream_writer_free);
          g_clear_pointer (&source, shmlab_stream_source_free);
          source = g_steal_pointer (&request->source);
          config = request->config;
          config.width = shmlab_stream_source_get_width (source);
          config.height = shmlab_stream_source_get_height (source);
          writer = shmlab_stream_writer_new (request->key, &config, interrupt, &error);
          request_free (request);
          if (writer == NULL)
            {
              if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
                continue;
              say_error (run, SAY_STOPPED, error);
              break;
            }
          g_mutex_lock (&run->mutex);
          run->writer = writer;
          shmlab_stream_writer_set_lock (writer, run->lock);
          g_mutex_unlock (&run->mutex);
          config = *shmlab_stream_writer_get_config (writer);
          stride = (gsize) config.width * 4;
          g_free (rgba);
          rgba = g_malloc_n (stride, config.height);
          written = 0;
          start = next_due = shmlab_stream_now_ns ();
          last_period = period;
          last_report = 0;
          {
            Saying *saying = saying_new (run, SAY_STARTED);

            saying->report.config = config;
            say (saying);
          }
        }

      if (writer == NULL)
        {
          /* Its making was interrupted: the next request or the stop. */
          wait_until (run, G_MAXINT64, period);
          continue;
        }

      /* The next frame is rendered for the moment it is due and carries
       * that time; a worker behind by whole periods (it waited for a
       * reader) skips those deadlines, on the same grid: no drift, no
       * rush, no frame dated in the past. */
      now = shmlab_stream_now_ns ();
      if (period != last_period)
        {
          /* Another rate: its clock starts now. */
          next_due = now;
          last_period = period;
        }
      if (period > 0)
        {
          if (next_due + period <= now)
            next_due += (now - next_due) / period * period;
          due = next_due;
          next_due += period;
        }
      else
        due = now;
      if (!shmlab_stream_source_render (source, written + 1, due - start, rgba, stride, &error))
        {
          say_error (run, SAY_STOPPED, error);
          break;
        }
      if (period > 0 && !wait_until (run, due, period))
        continue;

      put_start = shmlab_stream_now_ns ();
      ok = shmlab_stream_writer_put (writer, rgba, stride, due - start, interrupt, &error);
      now = shmlab_stream_now_ns ();
      if (ok)
        written++;
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        continue;
      else if (g_error_matches (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_NO_READER) &&
               config.transport == SHMLAB_STREAM_TRANSPORT_SHM &&
               config.handoff == SHMLAB_STREAM_HANDOFF_EVERY &&
               now - put_start >= (gint64) config.timeout_ms * 1000000)
        {
          /* Every frame, and no reader took one in all that time: the
           * writer would wait for ever. */
          say_error (run, SAY_STOPPED, error);
          break;
        }
      else if (g_error_matches (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_NO_READER))
        /* A reader went away: the writer waits for another. */
        say_error (run, SAY_PROBLEM, error);
      else
        {
          say_error (run, SAY_STOPPED, error);
          break;
        }

      if (now - last_report >= (gint64) SHMLAB_STREAM_PLAYER_REPORT_INTERVAL_MS * 1000000 &&
          !g_atomic_int_get (&run->report_queued))
        {
          last_report = now;
          say_stats (run, writer, &config, period, written, ok ? rgba : NULL, stride);
        }
    }

  g_mutex_lock (&run->mutex);
  run->writer = NULL;
  g_mutex_unlock (&run->mutex);
  shmlab_stream_writer_free (writer);
  shmlab_stream_source_free (source);
  run_unref (run);
  g_atomic_int_add (&n_running, -1);
  return NULL;
}

/* ---- the player ---- */

ShmlabStreamPlayer *
shmlab_stream_player_new (void)
{
  return g_object_new (SHMLAB_TYPE_STREAM_PLAYER, NULL);
}

void
shmlab_stream_player_play (ShmlabStreamPlayer       *self,
                           ShmlabKey                *key,
                           const ShmlabStreamConfig *config,
                           ShmlabStreamSource       *source,
                           double                    fps)
{
  Request *request;
  Run *run;
  GThread *thread;

  g_return_if_fail (SHMLAB_IS_STREAM_PLAYER (self));
  g_return_if_fail (key != NULL && config != NULL && source != NULL);

  request = g_new0 (Request, 1);
  request->key = shmlab_key_ref (key);
  request->config = *config;
  request->source = source;

  if (self->run != NULL)
    {
      run = self->run;
      g_mutex_lock (&run->mutex);
      request_free (run->pending);
      run->pending = request;
      run->lock = config->lock;
      run->period_ns = (gint64) period_for (fps);
      interrupt_locked (run);
      g_mutex_unlock (&run->mutex);
      return;
    }

  run = g_new0 (Run, 1);
  g_atomic_ref_count_init (&run->ref_count);
  run->context = g_main_context_ref_thread_default ();
  g_weak_ref_init (&run->player, self);
  g_mutex_init (&run->mutex);
  g_cond_init (&run->cond);
  run->pending = request;
  run->interrupt = g_cancellable_new ();
  run->lock = config->lock;
  run->period_ns = (gint64) period_for (fps);
  self->run = run;

  g_atomic_int_inc (&n_running);
  thread = g_thread_new ("shmlab-stream", play_thread, run_ref (run));
  g_thread_unref (thread);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAYING]);
}

void
shmlab_stream_player_set_lock (ShmlabStreamPlayer *self,
                               gboolean            lock)
{
  g_return_if_fail (SHMLAB_IS_STREAM_PLAYER (self));
  if (self->run == NULL)
    return;
  g_mutex_lock (&self->run->mutex);
  self->run->lock = !!lock;
  if (self->run->writer != NULL)
    shmlab_stream_writer_set_lock (self->run->writer, lock);
  g_mutex_unlock (&self->run->mutex);
}

void
shmlab_stream_player_set_fps (ShmlabStreamPlayer *self,
                              double              fps)
{
  g_return_if_fail (SHMLAB_IS_STREAM_PLAYER (self));
  if (self->run == NULL)
    return;
  g_mutex_lock (&self->run->mutex);
  self->run->period_ns = (gint64) period_for (fps);
  /* A worker sleeping towards a far deadline (1 fps) takes the new rate now. */
  g_cond_broadcast (&self->run->cond);
  g_mutex_unlock (&self->run->mutex);
}

gboolean
shmlab_stream_player_get_playing (ShmlabStreamPlayer *self)
{
  g_return_val_if_fail (SHMLAB_IS_STREAM_PLAYER (self), FALSE);
  return self->run != NULL;
}

void
shmlab_stream_player_stop (ShmlabStreamPlayer *self)
{
  Run *run;

  g_return_if_fail (SHMLAB_IS_STREAM_PLAYER (self));
  run = g_steal_pointer (&self->run);
  if (run == NULL)
    return;
  g_mutex_lock (&run->mutex);
  run->stop = TRUE;
  interrupt_locked (run);
  g_mutex_unlock (&run->mutex);
  run_unref (run);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAYING]);
}

guint
shmlab_stream_player_count_running (void)
{
  return (guint) g_atomic_int_get (&n_running);
}

static void
shmlab_stream_player_dispose (GObject *object)
{
  ShmlabStreamPlayer *self = SHMLAB_STREAM_PLAYER (object);

  if (self->run != NULL)
    {
      Run *run = g_steal_pointer (&self->run);

      g_mutex_lock (&run->mutex);
      run->stop = TRUE;
      interrupt_locked (run);
      g_mutex_unlock (&run->mutex);
      run_unref (run);
    }
  G_OBJECT_CLASS (shmlab_stream_player_parent_class)->dispose (object);
}

static void
shmlab_stream_player_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  ShmlabStreamPlayer *self = SHMLAB_STREAM_PLAYER (object);

  switch (prop_id)
    {
    case PROP_PLAYING:
      g_value_set_boolean (value, self->run != NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
shmlab_stream_player_class_init (ShmlabStreamPlayerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = shmlab_stream_player_dispose;
  object_class->get_property = shmlab_stream_player_get_property;

  properties[PROP_PLAYING] = g_param_spec_boolean ("playing", NULL, NULL, FALSE,
                                                   G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                                                   G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_STARTED] = g_signal_new ("started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIGNAL_STATS] = g_signal_new ("stats", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIGNAL_PROBLEM] = g_signal_new ("problem", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
  signals[SIGNAL_STOPPED] = g_signal_new ("stopped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
shmlab_stream_player_init (ShmlabStreamPlayer *self)
{
}
