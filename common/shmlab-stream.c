/* shmlab-stream.c — the writer and the reader of a stream, whatever carries
 * it: frame numbers, times, the figures, the reader's buffers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-stream.h"

#include <glib/gi18n-lib.h>
#include <string.h>
#include <unistd.h>

#include "shmlab-stream-private.h"

G_DEFINE_QUARK (shmlab-stream-error-quark, shmlab_stream_error)

/* The transports: a new one is a file with its class and a line here. */
static const struct
{
  const char *name;
  const char *label;
  const ShmlabStreamTransportClass *klass;
} transports[SHMLAB_STREAM_N_TRANSPORTS] = {
  { "shm", N_("Shared memory"), &shmlab_stream_transport_shm },
  { "pipe", N_("Pipe"), &shmlab_stream_transport_pipe },
  { "socket", N_("Unix socket"), &shmlab_stream_transport_socket },
};

static const ShmlabStreamTransportClass *
transport_class (ShmlabStreamTransport transport)
{
  return (guint) transport < SHMLAB_STREAM_N_TRANSPORTS ? transports[transport].klass : NULL;
}

const char *
shmlab_stream_transport_name (ShmlabStreamTransport transport)
{
  g_return_val_if_fail (transport < SHMLAB_STREAM_N_TRANSPORTS, NULL);
  return transports[transport].name;
}

const char *
shmlab_stream_transport_label (ShmlabStreamTransport transport)
{
  g_return_val_if_fail (transport < SHMLAB_STREAM_N_TRANSPORTS, NULL);
  return _(transports[transport].label);
}

gboolean
shmlab_stream_transport_parse (const char            *name,
                               ShmlabStreamTransport *out)
{
  for (guint i = 0; i < SHMLAB_STREAM_N_TRANSPORTS; i++)
    if (g_strcmp0 (name, transports[i].name) == 0)
      {
        *out = (ShmlabStreamTransport) i;
        return TRUE;
      }
  return FALSE;
}

const char *
shmlab_stream_handoff_name (ShmlabStreamHandoff handoff)
{
  return handoff == SHMLAB_STREAM_HANDOFF_EVERY ? "every" : "latest";
}

gboolean
shmlab_stream_handoff_parse (const char          *name,
                             ShmlabStreamHandoff *out)
{
  if (g_strcmp0 (name, "latest") == 0)
    *out = SHMLAB_STREAM_HANDOFF_LATEST;
  else if (g_strcmp0 (name, "every") == 0)
    *out = SHMLAB_STREAM_HANDOFF_EVERY;
  else
    return FALSE;
  return TRUE;
}

void
shmlab_stream_config_init (ShmlabStreamConfig *config)
{
  memset (config, 0, sizeof *config);
  config->transport = SHMLAB_STREAM_TRANSPORT_SHM;
  config->handoff = SHMLAB_STREAM_HANDOFF_LATEST;
  config->buffers = 1;
  config->lock = TRUE;
  config->width = 1280;
  config->height = 720;
}

/* ---- the figures ---- */

#define RATE_SAMPLES 1024
#define LATENCY_SAMPLES 4096

typedef struct
{
  gint64 time[RATE_SAMPLES];
  gsize bytes[RATE_SAMPLES];
  guint next;
  guint n;
} RateWindow;

static void
rate_add (RateWindow *w,
          gint64      now,
          gsize       bytes)
{
  w->time[w->next] = now;
  w->bytes[w->next] = bytes;
  w->next = (w->next + 1) % RATE_SAMPLES;
  if (w->n < RATE_SAMPLES)
    w->n++;
}

/* Frames and bytes per second over the last second (or over the samples
 * kept, when more than RATE_SAMPLES came in that second). */
static void
rate_get (const RateWindow *w,
          gint64            now,
          double           *fps,
          double           *mb_per_s)
{
  guint counted = 0;
  gsize bytes = 0;
  gint64 oldest = now;

  *fps = 0;
  *mb_per_s = 0;
  for (guint i = 0; i < w->n; i++)
    {
      guint at = (w->next + RATE_SAMPLES - 1 - i) % RATE_SAMPLES;

      if (now - w->time[at] > G_TIME_SPAN_SECOND * 1000)
        break;
      counted++;
      bytes += w->bytes[at];
      oldest = w->time[at];
    }
  if (counted == 0)
    return;
  if (counted < RATE_SAMPLES)
    {
      /* A whole second: what came in it. */
      *fps = counted;
      *mb_per_s = bytes / 1e6;
    }
  else if (now > oldest)
    {
      double seconds = (now - oldest) / 1e9;
      *fps = counted / seconds;
      *mb_per_s = bytes / 1e6 / seconds;
    }
}

/**
 * shmlab_stream_now_ns:
 *
 * The clock every time in a stream is read on (`CLOCK_MONOTONIC`, which
 * all processes of the machine share): a frame's write time in one process
 * and its arrival in another can be subtracted.
 *
 * Returns: nanoseconds
 */
gint64
shmlab_stream_now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

/* ---- the writer ---- */

struct _ShmlabStreamWriter
{
  const ShmlabStreamTransportClass *klass;
  gpointer state;
  ShmlabStreamConfig config;
  gint lock;
  guint64 frame_number;
  gsize frame_size;
  ShmlabStreamRowHook hook;
  gpointer hook_data;

  GMutex mutex;  /* guards what follows, read by get_stats() */
  guint64 frames_written;
  gint64 lock_wait_ns;
  gint64 handoff_wait_ns;
  RateWindow rate;
};

/**
 * shmlab_stream_writer_new:
 *
 * Opens the transport @config names for @key: makes the stream's segment,
 * FIFO or socket.
 */
ShmlabStreamWriter *
shmlab_stream_writer_new (ShmlabKey                *key,
                          const ShmlabStreamConfig *config,
                          GCancellable             *cancellable,
                          GError                  **error)
{
  g_autofree ShmlabStreamWriter *self = g_new0 (ShmlabStreamWriter, 1);

  g_return_val_if_fail (key != NULL && config != NULL, NULL);

  self->klass = transport_class (config->transport);
  if (self->klass == NULL)
    {
      g_set_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_INVALID,
                   _("There is no transport number %d."), (int) config->transport);
      return NULL;
    }
  self->config = *config;
  if (self->config.timeout_ms == 0)
    self->config.timeout_ms = SHMLAB_STREAM_DEFAULT_TIMEOUT_MS;
  if (!shmlab_stream_frame_size (config->width, config->height, &self->frame_size, error))
    return NULL;
  if (config->buffers < 1 || config->buffers > 2)
    {
      g_set_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_INVALID,
                   _("A stream holds one or two frames in its segment, not %u."), config->buffers);
      return NULL;
    }
  self->state = self->klass->writer_open (key, &self->config, cancellable, error);
  if (self->state == NULL)
    return NULL;
  self->lock = config->lock;
  g_mutex_init (&self->mutex);
  return g_steal_pointer (&self);
}

gboolean
shmlab_stream_writer_put (ShmlabStreamWriter *self,
                          const guint8       *rgba,
                          gsize               stride,
                          gint64              source_time,
                          GCancellable       *cancellable,
                          GError            **error)
{
  ShmlabStreamFrameHeader header = { 0 };
  ShmlabStreamPutTimes times = { 0 };
  gboolean lock = g_atomic_int_get (&self->lock);
  gboolean ok;

  g_return_val_if_fail (stride >= (gsize) self->config.width * 4, FALSE);

  header.width = self->config.width;
  header.height = self->config.height;
  header.row_size = SHMLAB_STREAM_ROW_TAG_SIZE + self->config.width * 4;
  header.frame_number = self->frame_number + 1;
  header.source_time = source_time;
  header.flags = lock ? 0 : SHMLAB_STREAM_FRAME_FLAG_UNLOCKED;
  header.writer_pid = (guint32) getpid ();
  header.write_time = shmlab_stream_now_ns ();
  ok = self->klass->writer_put (self->state, &header, rgba, stride, lock,
                                self->hook, self->hook_data, &times,
                                cancellable, error);
  g_mutex_lock (&self->mutex);
  self->lock_wait_ns += times.lock_wait_ns;
  self->handoff_wait_ns += times.handoff_wait_ns;
  if (ok)
    {
      self->frame_number++;
      self->frames_written++;
      rate_add (&self->rate, shmlab_stream_now_ns (), self->frame_size);
    }
  g_mutex_unlock (&self->mutex);
  return ok;
}

void
shmlab_stream_writer_set_lock (ShmlabStreamWriter *self,
                               gboolean            lock)
{
  g_atomic_int_set (&self->lock, lock ? 1 : 0);
}

void
shmlab_stream_writer_set_row_hook (ShmlabStreamWriter  *self,
                                   ShmlabStreamRowHook  hook,
                                   gpointer             user_data)
{
  self->hook = hook;
  self->hook_data = user_data;
}

void
shmlab_stream_writer_get_stats (ShmlabStreamWriter *self,
                                ShmlabStreamStats  *stats)
{
  memset (stats, 0, sizeof *stats);
  g_mutex_lock (&self->mutex);
  stats->frames_written = self->frames_written;
  rate_get (&self->rate, shmlab_stream_now_ns (), &stats->fps, &stats->mb_per_s);
  stats->writer_lock_wait_ms = self->lock_wait_ns / 1e6;
  stats->writer_handoff_wait_ms = self->handoff_wait_ns / 1e6;
  g_mutex_unlock (&self->mutex);
}

const ShmlabStreamConfig *
shmlab_stream_writer_get_config (ShmlabStreamWriter *self)
{
  return &self->config;
}

void
shmlab_stream_writer_free (ShmlabStreamWriter *self)
{
  if (self == NULL)
    return;
  self->klass->writer_close (self->state);
  g_mutex_clear (&self->mutex);
  g_free (self);
}

/* ---- the reader's buffers ---- */

#define POOL_KEEP 4

struct _ShmlabStreamPool
{
  gatomicrefcount ref_count;
  GMutex mutex;
  GPtrArray *free;   /* PoolBuffer */
};

typedef struct
{
  ShmlabStreamPool *pool;
  gsize size;
  guint8 *data;
} PoolBuffer;

static ShmlabStreamPool *
pool_ref (ShmlabStreamPool *pool)
{
  g_atomic_ref_count_inc (&pool->ref_count);
  return pool;
}

static void
pool_buffer_destroy (gpointer data)
{
  PoolBuffer *buffer = data;

  g_free (buffer->data);
  g_free (buffer);
}

static void
pool_unref (ShmlabStreamPool *pool)
{
  if (!g_atomic_ref_count_dec (&pool->ref_count))
    return;
  g_ptr_array_unref (pool->free);
  g_mutex_clear (&pool->mutex);
  g_free (pool);
}

ShmlabStreamPool *
shmlab_stream_pool_new (void)
{
  ShmlabStreamPool *pool = g_new0 (ShmlabStreamPool, 1);

  g_atomic_ref_count_init (&pool->ref_count);
  g_mutex_init (&pool->mutex);
  pool->free = g_ptr_array_new_with_free_func (pool_buffer_destroy);
  return pool;
}

void
shmlab_stream_pool_free (ShmlabStreamPool *pool)
{
  if (pool != NULL)
    pool_unref (pool);
}

static void
pool_give_back (gpointer data)
{
  PoolBuffer *buffer = data;
  ShmlabStreamPool *pool = buffer->pool;

  buffer->pool = NULL;
  g_mutex_lock (&pool->mutex);
  if (pool->free->len < POOL_KEEP)
    g_ptr_array_add (pool->free, buffer);
  else
    pool_buffer_destroy (buffer);
  g_mutex_unlock (&pool->mutex);
  pool_unref (pool);
}

GBytes *
shmlab_stream_pool_take (ShmlabStreamPool *pool,
                         gsize             size,
                         guint8          **data)
{
  PoolBuffer *buffer = NULL;

  g_mutex_lock (&pool->mutex);
  for (guint i = 0; i < pool->free->len; i++)
    {
      PoolBuffer *candidate = g_ptr_array_index (pool->free, i);

      if (candidate->size == size)
        {
          buffer = g_ptr_array_steal_index_fast (pool->free, i);
          break;
        }
    }
  g_mutex_unlock (&pool->mutex);
  if (buffer == NULL)
    {
      buffer = g_new0 (PoolBuffer, 1);
      buffer->size = size;
      /* Its pages touched now, outside any lock: the first copy into it is
       * then as fast as the others. */
      buffer->data = g_malloc0 (size);
    }
  buffer->pool = pool_ref (pool);
  *data = buffer->data;
  return g_bytes_new_with_free_func (buffer->data, size, pool_give_back, buffer);
}

/* ---- frames ---- */

ShmlabStreamFrame *
shmlab_stream_frame_new (GBytes                        *bytes,
                         const ShmlabStreamFrameHeader *header,
                         ShmlabStreamCheck             *check_taken)
{
  ShmlabStreamFrame *frame = g_new0 (ShmlabStreamFrame, 1);

  g_atomic_ref_count_init (&frame->ref_count);
  frame->bytes = g_bytes_ref (bytes);
  frame->header = *header;
  frame->check = *check_taken;
  memset (check_taken, 0, sizeof *check_taken);
  frame->received_time = shmlab_stream_now_ns ();
  return frame;
}

ShmlabStreamFrame *
shmlab_stream_frame_ref (ShmlabStreamFrame *frame)
{
  g_atomic_ref_count_inc (&frame->ref_count);
  return frame;
}

void
shmlab_stream_frame_unref (ShmlabStreamFrame *frame)
{
  if (frame == NULL || !g_atomic_ref_count_dec (&frame->ref_count))
    return;
  shmlab_stream_check_clear (&frame->check);
  g_bytes_unref (frame->bytes);
  g_free (frame);
}

/* ---- the reader ---- */

struct _ShmlabStreamReader
{
  const ShmlabStreamTransportClass *klass;
  gpointer state;
  ShmlabStreamPool *pool;

  GMutex mutex;  /* guards what follows: next() and shown() may be on two threads */
  ShmlabStreamReaderInfo info;
  guint64 last_shown;
  guint64 frames_shown;
  guint64 frames_skipped;
  guint64 frames_torn;
  guint64 frames_duplicated;
  gint64 reader_lock_wait_ns;
  RateWindow rate;
  double latency_ms[LATENCY_SAMPLES];
  guint latency_next;
  guint latency_n;
};

ShmlabStreamReader *
shmlab_stream_reader_new (ShmlabKey             *key,
                          ShmlabStreamTransport  transport,
                          GCancellable          *cancellable,
                          GError               **error)
{
  g_autofree ShmlabStreamReader *self = g_new0 (ShmlabStreamReader, 1);

  self->klass = transport_class (transport);
  if (self->klass == NULL)
    {
      g_set_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_INVALID,
                   _("There is no transport number %d."), (int) transport);
      return NULL;
    }
  self->state = self->klass->reader_open (key, cancellable, error);
  if (self->state == NULL)
    return NULL;
  self->pool = shmlab_stream_pool_new ();
  shmlab_stream_config_init (&self->info.config);
  self->info.config.transport = transport;
  g_mutex_init (&self->mutex);
  return g_steal_pointer (&self);
}

ShmlabStreamFrame *
shmlab_stream_reader_next (ShmlabStreamReader *self,
                           guint               timeout_ms,
                           GCancellable       *cancellable,
                           GError            **error)
{
  ShmlabStreamReaderInfo info;
  ShmlabStreamFrame *frame;

  g_mutex_lock (&self->mutex);
  info = self->info;
  g_mutex_unlock (&self->mutex);
  info.reader_lock_wait_ns = 0;
  frame = self->klass->reader_next (self->state, self->pool, timeout_ms, &info,
                                    cancellable, error);
  g_mutex_lock (&self->mutex);
  self->reader_lock_wait_ns += info.reader_lock_wait_ns;
  self->info = info;
  if (frame != NULL && frame->header.frame_number > self->info.frames_written)
    self->info.frames_written = frame->header.frame_number;
  g_mutex_unlock (&self->mutex);
  return frame;
}

/* The frame whose rows the picture shows: the newest among them. */
static guint64
frame_identity (const ShmlabStreamFrame *frame)
{
  return frame->check.newest_frame != 0 ? frame->check.newest_frame : frame->header.frame_number;
}

void
shmlab_stream_reader_shown (ShmlabStreamReader      *self,
                            const ShmlabStreamFrame *frame,
                            gint64                   shown_time)
{
  guint64 number = frame_identity (frame);

  g_mutex_lock (&self->mutex);
  self->frames_shown++;
  if (shmlab_stream_check_is_torn (&frame->check))
    self->frames_torn++;
  if (self->last_shown != 0 && number <= self->last_shown)
    self->frames_duplicated++;
  else
    {
      if (self->last_shown != 0 && number > self->last_shown + 1)
        self->frames_skipped += number - self->last_shown - 1;
      self->last_shown = number;
    }
  rate_add (&self->rate, shown_time, g_bytes_get_size (frame->bytes));
  if (shown_time >= frame->header.write_time)
    {
      self->latency_ms[self->latency_next] = (shown_time - frame->header.write_time) / 1e6;
      self->latency_next = (self->latency_next + 1) % LATENCY_SAMPLES;
      if (self->latency_n < LATENCY_SAMPLES)
        self->latency_n++;
    }
  g_mutex_unlock (&self->mutex);
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

void
shmlab_stream_reader_get_stats (ShmlabStreamReader *self,
                                ShmlabStreamStats  *stats)
{
  g_autofree double *sorted = NULL;
  guint n;

  memset (stats, 0, sizeof *stats);
  g_mutex_lock (&self->mutex);
  stats->frames_written = self->info.frames_written;
  stats->frames_shown = self->frames_shown;
  stats->frames_skipped = self->frames_skipped;
  stats->frames_torn = self->frames_torn;
  stats->frames_duplicated = self->frames_duplicated;
  rate_get (&self->rate, shmlab_stream_now_ns (), &stats->fps, &stats->mb_per_s);
  stats->reader_lock_wait_ms = self->reader_lock_wait_ns / 1e6;
  stats->writer_lock_wait_ms = self->info.writer_lock_wait_ns / 1e6;
  stats->writer_handoff_wait_ms = self->info.writer_handoff_wait_ns / 1e6;
  n = self->latency_n;
  sorted = g_memdup2 (self->latency_ms, sizeof (double) * LATENCY_SAMPLES);
  g_mutex_unlock (&self->mutex);
  if (n > 0)
    {
      qsort (sorted, n, sizeof (double), compare_double);
      stats->latency_p50_ms = sorted[(n - 1) / 2];
      stats->latency_p99_ms = sorted[MIN (n - 1, (guint) (n * 0.99))];
    }
}

void
shmlab_stream_reader_get_config (ShmlabStreamReader *self,
                                 ShmlabStreamConfig *config)
{
  g_mutex_lock (&self->mutex);
  *config = self->info.config;
  g_mutex_unlock (&self->mutex);
}

void
shmlab_stream_reader_free (ShmlabStreamReader *self)
{
  if (self == NULL)
    return;
  self->klass->reader_close (self->state);
  shmlab_stream_pool_free (self->pool);
  g_mutex_clear (&self->mutex);
  g_free (self);
}

gboolean
shmlab_stream_parse_size (const char *text,
                          guint32    *width,
                          guint32    *height,
                          GError    **error)
{
  g_autofree char *copy = g_strstrip (g_strdup (text != NULL ? text : ""));
  g_autofree char *ascii = NULL;
  char *sep, *end;
  guint64 w, h;
  gsize size;

  /* "1920×1080" as well as "1920x1080". */
  {
    GString *s = g_string_new (copy);
    g_string_replace (s, "×", "x", 0);
    g_string_replace (s, "X", "x", 0);
    ascii = g_string_free (s, FALSE);
  }
  sep = strchr (ascii, 'x');
  if (sep == NULL || sep == ascii || sep[1] == '\0' || !g_ascii_isdigit (ascii[0]) ||
      !g_ascii_isdigit (sep[1]))
    goto bad;
  w = g_ascii_strtoull (ascii, &end, 10);
  if (end != sep)
    goto bad;
  h = g_ascii_strtoull (sep + 1, &end, 10);
  if (*end != '\0')
    goto bad;
  if (w > G_MAXUINT32 || h > G_MAXUINT32 ||
      !shmlab_stream_frame_size ((guint32) w, (guint32) h, &size, error))
    {
      if (w > G_MAXUINT32 || h > G_MAXUINT32)
        shmlab_stream_frame_size (G_MAXUINT32, G_MAXUINT32, &size, error);
      return FALSE;
    }
  *width = (guint32) w;
  *height = (guint32) h;
  return TRUE;

bad:
  g_set_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_INVALID,
               /* Translators: %s is what the user typed; keep 1920x1080 as it is */
               _("“%s” is not a size: give a width and a height in pixels, such as 1920x1080."),
               text != NULL ? text : "");
  return FALSE;
}

/**
 * shmlab_stream_parse_fps:
 * @text: "max", or a rate from 1 to %SHMLAB_STREAM_MAX_FPS
 * @fps: (out): frames per second, 0 for as fast as possible
 */
gboolean
shmlab_stream_parse_fps (const char  *text,
                         double      *fps,
                         GError     **error)
{
  char *end = NULL;
  double value;

  if (g_strcmp0 (text, "max") == 0)
    {
      *fps = 0;
      return TRUE;
    }
  value = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0' || !(value >= 1 && value <= SHMLAB_STREAM_MAX_FPS))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--fps takes a rate from 1 to %d frames per second, or max (as fast as possible), not “%s”."),
                   SHMLAB_STREAM_MAX_FPS, text);
      return FALSE;
    }
  *fps = value;
  return TRUE;
}

gboolean
shmlab_stream_parse_buffers (const char  *text,
                             guint       *buffers,
                             GError     **error)
{
  if (g_strcmp0 (text, "1") != 0 && g_strcmp0 (text, "2") != 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--buffers takes 1 or 2, not “%s”."), text);
      return FALSE;
    }
  *buffers = text[0] == '2' ? 2 : 1;
  return TRUE;
}

gboolean
shmlab_stream_parse_handoff (const char           *text,
                             ShmlabStreamHandoff  *handoff,
                             GError              **error)
{
  if (!shmlab_stream_handoff_parse (text, handoff))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--handoff takes latest or every, not “%s”."), text);
      return FALSE;
    }
  return TRUE;
}

gboolean
shmlab_stream_parse_transport (const char             *text,
                               ShmlabStreamTransport  *transport,
                               GError                **error)
{
  if (!shmlab_stream_transport_parse (text, transport))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--transport takes shm, pipe or socket, not “%s”."), text);
      return FALSE;
    }
  return TRUE;
}
