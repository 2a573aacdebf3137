/* shmlab-bench-stream.c — the stream measured, each run a writer process and
 * this process following it, as two programs would
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-bench-stream.h"

#include <inttypes.h>
#include <errno.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "shmlab-bench-stats.h"


static void
run_free (gpointer data)
{
  ShmlabBenchStreamRun *run = data;

  g_free (run->error);
  g_free (run);
}

ShmlabBenchStream *
shmlab_bench_stream_new (void)
{
  ShmlabBenchStream *self = g_new0 (ShmlabBenchStream, 1);

  self->runs = g_ptr_array_new_with_free_func (run_free);
  return self;
}

void
shmlab_bench_stream_free (ShmlabBenchStream *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->runs);
  g_free (self);
}

/* Pixels that change along each row, the same in every frame: the run
 * measures carrying frames, not drawing them. */
static guint8 *
make_pixels (guint32 width,
             guint32 height)
{
  gsize size = (gsize) width * height * 4;
  guint8 *rgba = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    rgba[i] = (guint8) (i * 13 + i / 4096);
  return rgba;
}

static volatile sig_atomic_t writer_stop;

static void
on_term (int signum)
{
  writer_stop = 1;
}

/* The writer process: streams until it has sent @frames (0: until killed),
 * at @fps (0: as fast as it can). Exits 0, or 1 on an error. */
static int
writer_main (ShmlabKey                *key,
             const ShmlabStreamConfig *config,
             double                    fps,
             guint64                   frames)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabStreamWriter) writer = NULL;
  g_autofree guint8 *rgba = make_pixels (config->width, config->height);
  gint64 period = fps > 0 ? (gint64) llround (1e9 / fps) : 0;
  gint64 start;
  guint64 put = 0;

  writer = shmlab_stream_writer_new (key, config, NULL, &error);
  if (writer == NULL)
    {
      g_printerr ("shmlab bench: %s\n", error->message);
      return 1;
    }
  start = shmlab_bench_now_ns ();
  while ((frames == 0 || put < frames) && !writer_stop)
    {
      if (period > 0)
        {
          gint64 due = start + (gint64) put * period, now = shmlab_bench_now_ns ();

          if (due > now)
            {
              struct timespec ts = { (due - now) / 1000000000, (due - now) % 1000000000 };
              nanosleep (&ts, NULL);
            }
        }
      if (!shmlab_stream_writer_put (writer, rgba, (gsize) config->width * 4, 0, NULL, &error))
        {
          if (g_error_matches (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_NO_READER))
            {
              g_clear_error (&error);
              continue;
            }
          g_printerr ("shmlab bench: %s\n", error->message);
          return 1;
        }
      put++;
    }
  return 0;
}

static gboolean
follow_run (ShmlabBenchStreamRun *run,
            const char           *key_name,
            double                seconds,
            GCancellable         *cancellable,
            GError              **error)
{
  g_autoptr(ShmlabKey) key = shmlab_key_new (key_name, SHMLAB_BACKEND_DEFAULT, error);
  g_autoptr(ShmlabStreamReader) reader = NULL;
  gint64 deadline, warm_up, first = 0, last = 0;
  guint64 shown = 0;
  int status = 0;
  pid_t pid;

  if (key == NULL)
    return FALSE;
  pid = fork ();
  if (pid < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   _("Could not start the writer process: %s"), g_strerror (errno));
      return FALSE;
    }
  if (pid == 0)
    {
      struct sigaction action = { 0 };

      /* SIGTERM ends the stream cleanly: the writer marks it ended and
       * removes its segment. */
      sigset_t term;

      action.sa_handler = on_term;
      sigaction (SIGTERM, &action, NULL);
      /* The command's interrupt thread blocked it; this process has none. */
      sigemptyset (&term);
      sigaddset (&term, SIGTERM);
      sigprocmask (SIG_UNBLOCK, &term, NULL);
      _exit (writer_main (key, &run->config, run->fps_asked, run->frames_asked));
    }

  deadline = shmlab_bench_now_ns () + 20 * G_GINT64_CONSTANT (1000000000);
  while (reader == NULL)
    {
      g_autoptr(GError) local = NULL;

      reader = shmlab_stream_reader_new (key, run->config.transport, cancellable, &local);
      if (reader != NULL)
        break;
      if (!g_error_matches (local, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_NO_STREAM) ||
          shmlab_bench_now_ns () > deadline || waitpid (pid, &status, WNOHANG) == pid)
        {
          kill (pid, SIGKILL);
          waitpid (pid, &status, 0);
          g_propagate_error (error, g_steal_pointer (&local));
          if (error != NULL && *error == NULL)
            g_set_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_NO_STREAM,
                         _("The writer process ended before it streamed."));
          return FALSE;
        }
      g_usleep (5000);
    }

  /* The frames of the first moments are not counted: the writer began
   * before this reader was there, so their latency says nothing. */
  warm_up = run->frames_asked > 0 ? 0 : shmlab_bench_now_ns () + G_GINT64_CONSTANT (300000000);
  deadline = shmlab_bench_now_ns () + (gint64) (seconds * 1e9) + (warm_up > 0 ? 300000000 : 0);
  while (run->frames_asked > 0 || shmlab_bench_now_ns () < deadline)
    {
      g_autoptr(GError) local = NULL;
      g_autoptr(ShmlabStreamFrame) frame = shmlab_stream_reader_next (reader, 2000, cancellable, &local);
      gint64 now;

      if (frame == NULL)
        {
          if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
            continue;
          if (g_error_matches (local, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_STOPPED))
            break;
          kill (pid, SIGKILL);
          waitpid (pid, &status, 0);
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      now = shmlab_bench_now_ns ();
      if (now < warm_up || frame->header.write_time < warm_up)
        continue;
      shmlab_stream_reader_shown (reader, frame, now);
      if (first == 0)
        first = now;
      last = now;
      shown++;
    }
  shmlab_stream_reader_get_stats (reader, &run->stats);
  kill (pid, SIGTERM);
  waitpid (pid, &status, 0);
  shmlab_stream_reader_free (g_steal_pointer (&reader));
  run->seconds = (last - first) / 1e9;
  run->fps = shown > 1 && last > first ? (shown - 1) / run->seconds : 0;
  return TRUE;
}

static ShmlabBenchStreamRun *
add_run (ShmlabBenchStream    *self,
         const char           *name,
         ShmlabStreamTransport transport,
         ShmlabStreamHandoff   handoff,
         guint                 buffers,
         guint32               width,
         guint32               height,
         double                fps,
         guint64               frames)
{
  ShmlabBenchStreamRun *run = g_new0 (ShmlabBenchStreamRun, 1);

  run->name = name;
  shmlab_stream_config_init (&run->config);
  run->config.transport = transport;
  run->config.handoff = handoff;
  run->config.buffers = buffers;
  run->config.width = width;
  run->config.height = height;
  run->config.timeout_ms = 30000;
  run->fps_asked = fps;
  run->frames_asked = frames;
  g_ptr_array_add (self->runs, run);
  return run;
}

static double
median_ms (GArray *samples)
{
  return shmlab_bench_median ((double *) (gpointer) samples->data, samples->len) / 1e6;
}

/* One 4K frame handed over in this process, and its two plain copies. */
static gboolean
measure_handoff (ShmlabBenchStreamHandoff *handoff,
                 const char               *key_name,
                 guint                     runs,
                 GError                  **error)
{
  g_autoptr(ShmlabKey) key = shmlab_key_new (key_name, SHMLAB_BACKEND_DEFAULT, error);
  g_autoptr(ShmlabStreamWriter) writer = NULL;
  g_autoptr(ShmlabStreamReader) reader = NULL;
  g_autoptr(GArray) put = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) next = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) copy = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) crc = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree guint8 *rgba = NULL;
  g_autofree guint8 *target = NULL;
  ShmlabStreamConfig config;
  gsize size;

  if (key == NULL)
    return FALSE;
  shmlab_stream_config_init (&config);
  config.width = handoff->width = 3840;
  config.height = handoff->height = 2160;
  handoff->runs = runs;
  size = (gsize) config.width * config.height * 4;
  rgba = make_pixels (config.width, config.height);
  target = g_malloc (size);
  memset (target, 0, size);
  writer = shmlab_stream_writer_new (key, &config, NULL, error);
  if (writer == NULL)
    return FALSE;
  reader = shmlab_stream_reader_new (key, SHMLAB_STREAM_TRANSPORT_SHM, NULL, error);
  if (reader == NULL)
    return FALSE;
  for (guint i = 0; i < runs; i++)
    {
      g_autoptr(ShmlabStreamFrame) frame = NULL;
      gint64 t0 = shmlab_bench_now_ns (), t1, t2, t3, t4;
      double d;
      volatile uLong sum;

      if (!shmlab_stream_writer_put (writer, rgba, (gsize) config.width * 4, 0, NULL, error))
        return FALSE;
      t1 = shmlab_bench_now_ns ();
      frame = shmlab_stream_reader_next (reader, 5000, NULL, error);
      if (frame == NULL)
        return FALSE;
      t2 = shmlab_bench_now_ns ();
      memcpy (target, rgba, size);
      t3 = shmlab_bench_now_ns ();
      sum = crc32 (0, rgba, (uInt) MIN (size, G_MAXUINT));
      (void) sum;
      t4 = shmlab_bench_now_ns ();
      d = (double) (t1 - t0); g_array_append_val (put, d);
      d = (double) (t2 - t1); g_array_append_val (next, d);
      d = (double) (t3 - t2); g_array_append_val (copy, d);
      d = (double) (t4 - t3); g_array_append_val (crc, d);
    }
  handoff->put_ms = median_ms (put);
  handoff->next_ms = median_ms (next);
  handoff->copy_ms = median_ms (copy);
  handoff->crc32_ms = median_ms (crc);
  return TRUE;
}

gboolean
shmlab_bench_stream_measure (ShmlabBenchStream *self,
                             double             seconds,
                             gboolean           quick,
                             const char        *key_prefix,
                             GCancellable      *cancellable,
                             GError           **error)
{
  gint64 started = shmlab_bench_now_ns ();
  guint64 every_frames = quick ? 1000 : 10000;
  double each = MAX (1.0, seconds / 5);

  add_run (self, "1080p60", SHMLAB_STREAM_TRANSPORT_SHM, SHMLAB_STREAM_HANDOFF_LATEST, 1,
           1920, 1080, 60, 0);
  add_run (self, "4k-max-shm", SHMLAB_STREAM_TRANSPORT_SHM, SHMLAB_STREAM_HANDOFF_EVERY, 2,
           3840, 2160, 0, 0);
  add_run (self, "4k-max-pipe", SHMLAB_STREAM_TRANSPORT_PIPE, SHMLAB_STREAM_HANDOFF_EVERY, 2,
           3840, 2160, 0, 0);
  add_run (self, "4k-max-socket", SHMLAB_STREAM_TRANSPORT_SOCKET, SHMLAB_STREAM_HANDOFF_EVERY, 2,
           3840, 2160, 0, 0);
  add_run (self, "every-frame", SHMLAB_STREAM_TRANSPORT_SHM, SHMLAB_STREAM_HANDOFF_EVERY, 2,
           320, 180, 0, every_frames);
  g_assert (self->runs->len == SHMLAB_BENCH_STREAM_N_RUNS);

  for (guint i = 0; i < self->runs->len; i++)
    {
      ShmlabBenchStreamRun *run = g_ptr_array_index (self->runs, i);
      g_autofree char *key = g_strdup_printf ("%s-stream-%u", key_prefix, i);
      g_autoptr(GError) local = NULL;

      run->ok = follow_run (run, key, each, cancellable, &local);
      if (!run->ok)
        {
          if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              g_propagate_error (error, g_steal_pointer (&local));
              return FALSE;
            }
          run->error = g_strdup (local->message);
        }
    }
  {
    g_autofree char *key = g_strdup_printf ("%s-stream-handoff", key_prefix);

    if (!measure_handoff (&self->handoff, key, quick ? 10 : 60, error))
      return FALSE;
  }
  self->elapsed = (shmlab_bench_now_ns () - started) / 1e9;
  return TRUE;
}

static const ShmlabBenchStreamRun *
find (const ShmlabBenchStream *self,
      const char              *name)
{
  for (guint i = 0; i < self->runs->len; i++)
    {
      const ShmlabBenchStreamRun *run = g_ptr_array_index (self->runs, i);

      if (g_str_equal (run->name, name))
        return run;
    }
  return NULL;
}

char *
shmlab_bench_stream_table (const ShmlabBenchStream *self)
{
  GString *out = g_string_new (NULL);
  const ShmlabBenchStreamRun *shm = find (self, "4k-max-shm");
  const ShmlabBenchStreamRun *pipe = find (self, "4k-max-pipe");
  const ShmlabBenchStreamRun *sock = find (self, "4k-max-socket");

  g_string_append (out, _("The stream: a writer process sends, this process follows\n\n"));
  g_string_append_printf (out, "%-14s %-7s %-7s %-3s %-9s %9s %8s %7s %6s %8s %6s %9s %9s\n",
                          _("run"), _("via"), _("handoff"), _("buf"), _("size"), _("fps"),
                          _("MB/s"), _("shown"), _("torn"), _("skipped"), _("twice"),
                          _("lat p50"), _("lat p99"));
  for (guint i = 0; i < self->runs->len; i++)
    {
      const ShmlabBenchStreamRun *run = g_ptr_array_index (self->runs, i);
      g_autofree char *size = g_strdup_printf ("%ux%u", run->config.width, run->config.height);

      if (!run->ok)
        {
          g_string_append_printf (out, "%-14s %s: %s\n", run->name, _("FAILED"), run->error);
          continue;
        }
      g_string_append_printf (out, "%-14s %-7s %-7s %-3u %-9s %9.1f %8.0f %7" PRIu64
                              " %6" PRIu64 " %8" PRIu64 " %6" PRIu64
                              " %7.2fms %7.2fms\n",
                              run->name, shmlab_stream_transport_name (run->config.transport),
                              shmlab_stream_handoff_name (run->config.handoff), run->config.buffers,
                              size, run->fps, run->stats.mb_per_s, run->stats.frames_shown,
                              run->stats.frames_torn, run->stats.frames_skipped,
                              run->stats.frames_duplicated, run->stats.latency_p50_ms,
                              run->stats.latency_p99_ms);
    }
  if (shm && pipe && sock && shm->ok && pipe->ok && sock->ok && pipe->fps > 0 && sock->fps > 0)
    g_string_append_printf (out, _("\n4K as fast as possible: shared memory %.1f× the pipe's frame rate, %.1f× the socket's.\n"),
                            shm->fps / pipe->fps, shm->fps / sock->fps);
  g_string_append_printf (out, _("\nOne %u×%u frame handed over (median of %u): the writer's put %.2f ms, the reader's copy %.2f ms; one plain memcpy %.2f ms; a CRC-32 of it %.2f ms.\n"),
                          self->handoff.width, self->handoff.height, self->handoff.runs,
                          self->handoff.put_ms, self->handoff.next_ms, self->handoff.copy_ms,
                          self->handoff.crc32_ms);
  g_string_append_printf (out, _("Measured in %.0f s.\n"), self->elapsed);
  return g_string_free (out, FALSE);
}

char *
shmlab_bench_stream_json (const ShmlabBenchStream *self)
{
  GString *out = g_string_new ("{\n  \"stream\": [\n");

  for (guint i = 0; i < self->runs->len; i++)
    {
      const ShmlabBenchStreamRun *run = g_ptr_array_index (self->runs, i);
      g_autofree char *error = run->error ? g_strescape (run->error, NULL) : NULL;

      g_string_append_printf (out,
        "    { \"name\": \"%s\", \"ok\": %s, \"transport\": \"%s\", \"handoff\": \"%s\", "
        "\"buffers\": %u, \"lock\": %s, \"width\": %u, \"height\": %u, \"fps_asked\": %g, "
        "\"frames_asked\": %" PRIu64 ", \"seconds\": %.3f, \"fps\": %.2f, "
        "\"mb_per_s\": %.1f, \"frames_written\": %" PRIu64 ", \"frames_shown\": %"
        PRIu64 ", \"frames_torn\": %" PRIu64 ", \"frames_skipped\": %"
        PRIu64 ", \"frames_duplicated\": %" PRIu64
        ", \"latency_ms\": { \"p50\": %.3f, \"p99\": %.3f }, \"lock_wait_ms\": { \"writer\": %.3f, "
        "\"reader\": %.3f }%s%s%s }%s\n",
        run->name, run->ok ? "true" : "false",
        shmlab_stream_transport_name (run->config.transport),
        shmlab_stream_handoff_name (run->config.handoff), run->config.buffers,
        run->config.lock ? "true" : "false", run->config.width, run->config.height,
        run->fps_asked, run->frames_asked, run->seconds, run->fps, run->stats.mb_per_s,
        run->stats.frames_written, run->stats.frames_shown, run->stats.frames_torn,
        run->stats.frames_skipped, run->stats.frames_duplicated, run->stats.latency_p50_ms,
        run->stats.latency_p99_ms, run->stats.writer_lock_wait_ms, run->stats.reader_lock_wait_ms,
        error ? ", \"error\": \"" : "", error ? error : "", error ? "\"" : "",
        i + 1 < self->runs->len ? "," : "");
    }
  g_string_append_printf (out,
    "  ],\n  \"handoff\": { \"width\": %u, \"height\": %u, \"runs\": %u, \"put_ms\": %.3f, "
    "\"next_ms\": %.3f, \"copy_ms\": %.3f, \"crc32_ms\": %.3f },\n  \"elapsed\": %.1f\n}\n",
    self->handoff.width, self->handoff.height, self->handoff.runs, self->handoff.put_ms,
    self->handoff.next_ms, self->handoff.copy_ms, self->handoff.crc32_ms, self->elapsed);
  return g_string_free (out, FALSE);
}
