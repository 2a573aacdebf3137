/* test-stream-player.c — the player with the real engine and a reader in the
 * test: frames arrive, the figures and a preview come on the main context,
 * the lock switched live is seen in the frames, a new layout is a new
 * writer, frames are dated on their deadlines, a reader that takes nothing
 * stops the stream, a pipe's reader gone is a problem the stream outlives,
 * and stopping removes the segment and says nothing more
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <signal.h>
#include <string.h>

#include "shmlab-segment.h"
#include "shmlab-stream.h"
#include "shmlab-stream-player.h"
#include "shmlab-stream-source.h"
#include "shmlab-test-util.h"

#define WAIT_SECONDS 60
#define W 320
#define H 180

typedef struct
{
  ShmlabKey *key;
  ShmlabStreamPlayer *player;
  guint n_started;
  ShmlabStreamConfig started;
  guint n_stats;
  guint64 frame_number;
  guint32 preview_width;
  guint32 preview_height;
  guint n_problems;
  GError *problem;
  guint n_stopped;
  GError *stopped;
  ShmlabStreamReader *reader;
  ShmlabStreamTransport transport;
  gboolean want_unlocked;
  gboolean stop_expected;
} Fixture;

static void
on_main_context (void)
{
  /* The signals come where the player was started, never in its worker. */
  g_assert_true (g_main_context_is_owner (g_main_context_default ()));
}

static void
started_cb (ShmlabStreamPlayer       *player,
            const ShmlabStreamConfig *config,
            Fixture                  *fixture)
{
  on_main_context ();
  fixture->n_started++;
  fixture->started = *config;
}

static void
stats_cb (ShmlabStreamPlayer             *player,
          const ShmlabStreamPlayerReport *report,
          Fixture                        *fixture)
{
  on_main_context ();
  fixture->n_stats++;
  fixture->frame_number = report->frame_number;
  g_assert_cmpuint (report->stats.frames_written, >=, report->frame_number);
  if (report->preview != NULL)
    {
      g_assert_cmpuint (g_bytes_get_size (report->preview), ==,
                        (gsize) report->preview_width * report->preview_height * 4);
      fixture->preview_width = report->preview_width;
      fixture->preview_height = report->preview_height;
    }
}

static void
problem_cb (ShmlabStreamPlayer *player,
            const GError       *error,
            Fixture            *fixture)
{
  on_main_context ();
  fixture->n_problems++;
  g_clear_error (&fixture->problem);
  fixture->problem = g_error_copy (error);
}

static void
stopped_cb (ShmlabStreamPlayer *player,
            const GError       *error,
            Fixture            *fixture)
{
  on_main_context ();
  g_assert_nonnull (error);
  /* A stop no test waits for fails at once, with its reason, rather than
   * as a wait that gives up a minute later. */
  if (!fixture->stop_expected)
    g_error ("the player stopped: %s", error->message);
  g_assert_false (shmlab_stream_player_get_playing (player));
  fixture->n_stopped++;
  g_clear_error (&fixture->stopped);
  fixture->stopped = g_error_copy (error);
}

static void
fixture_set_up (Fixture    *fixture,
                const char *stem)
{
  g_autofree char *name = shmlab_test_unique_key (stem);
  g_autoptr(GError) error = NULL;

  memset (fixture, 0, sizeof *fixture);
  fixture->key = shmlab_key_new (name, SHMLAB_BACKEND_SYSV, &error);
  g_assert_no_error (error);
  fixture->player = shmlab_stream_player_new ();
  g_signal_connect (fixture->player, "started", G_CALLBACK (started_cb), fixture);
  g_signal_connect (fixture->player, "stats", G_CALLBACK (stats_cb), fixture);
  g_signal_connect (fixture->player, "problem", G_CALLBACK (problem_cb), fixture);
  g_signal_connect (fixture->player, "stopped", G_CALLBACK (stopped_cb), fixture);
}

static gboolean
workers_ended (gpointer data)
{
  return shmlab_stream_player_count_running () == 0;
}

/* Stopped: the worker ends, the segment goes, and no signal comes after. */
static void
fixture_tear_down (Fixture *fixture)
{
  guint started = fixture->n_started, stats = fixture->n_stats;
  guint problems = fixture->n_problems, stopped = fixture->n_stopped;

  g_clear_pointer (&fixture->reader, shmlab_stream_reader_free);
  shmlab_stream_player_stop (fixture->player);
  g_assert_false (shmlab_stream_player_get_playing (fixture->player));
  shmlab_test_wait_until (workers_ended, NULL, WAIT_SECONDS, "the player's worker to end");
  g_assert_true (shmlab_test_segment_gone (fixture->key));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (fixture->n_started, ==, started);
  g_assert_cmpuint (fixture->n_stats, ==, stats);
  g_assert_cmpuint (fixture->n_problems, ==, problems);
  g_assert_cmpuint (fixture->n_stopped, ==, stopped);
  g_assert_finalize_object (fixture->player);
  g_clear_pointer (&fixture->key, shmlab_key_unref);
  g_clear_error (&fixture->problem);
  g_clear_error (&fixture->stopped);
}

static void
play_pattern (Fixture                  *fixture,
              const ShmlabStreamConfig *config,
              guint32                   width,
              guint32                   height,
              double                    fps)
{
  g_autoptr(GError) error = NULL;
  ShmlabStreamSource *source = shmlab_stream_source_new_pattern (width, height, &error);

  g_assert_no_error (error);
  shmlab_stream_player_play (fixture->player, fixture->key, config, source, fps);
  g_assert_true (shmlab_stream_player_get_playing (fixture->player));
}

static void
config_for (ShmlabStreamConfig    *config,
            ShmlabStreamTransport  transport,
            ShmlabStreamHandoff    handoff,
            guint                  buffers)
{
  shmlab_stream_config_init (config);
  config->transport = transport;
  config->handoff = handoff;
  config->buffers = buffers;
}

static gboolean
started_n (gpointer data)
{
  Fixture *fixture = data;

  return fixture->n_started >= 1 && fixture->n_stats >= 1 && fixture->frame_number >= 3 &&
         fixture->preview_width > 0;
}

static gboolean
reader_opened (gpointer data)
{
  Fixture *fixture = data;

  if (fixture->reader == NULL)
    fixture->reader = shmlab_stream_reader_new (fixture->key, fixture->transport, NULL, NULL);
  return fixture->reader != NULL;
}

/* A frame whose flag says what the test waits for; every frame it sees is
 * whole, since this writer is never paused mid-copy. */
static gboolean
frame_with_lock_as_wanted (gpointer data)
{
  Fixture *fixture = data;
  g_autoptr(ShmlabStreamFrame) frame = shmlab_stream_reader_next (fixture->reader, 50, NULL, NULL);
  gboolean unlocked;

  if (frame == NULL)
    return FALSE;
  g_assert_cmpuint (frame->header.width, ==, W);
  g_assert_cmpuint (frame->header.height, ==, H);
  unlocked = (frame->header.flags & SHMLAB_STREAM_FRAME_FLAG_UNLOCKED) != 0;
  return unlocked == fixture->want_unlocked;
}

/* The pattern plays: the figures and a preview come, a reader takes its
 * frames, and the lock switched off, then on, shows in the frames' flags. */
static void
test_plays (void)
{
  Fixture fixture;
  ShmlabStreamConfig config;

  fixture_set_up (&fixture, "play");
  config_for (&config, SHMLAB_STREAM_TRANSPORT_SHM, SHMLAB_STREAM_HANDOFF_LATEST, 1);
  play_pattern (&fixture, &config, W, H, 100);
  shmlab_test_wait_until (started_n, &fixture, WAIT_SECONDS, "frames written and the figures");
  g_assert_cmpuint (fixture.started.width, ==, W);
  g_assert_cmpuint (fixture.started.height, ==, H);
  g_assert_true (fixture.started.lock);
  g_assert_cmpuint (fixture.preview_width, ==, SHMLAB_STREAM_PLAYER_PREVIEW_WIDTH);
  g_assert_cmpuint (fixture.preview_height, ==, H * SHMLAB_STREAM_PLAYER_PREVIEW_WIDTH / W);
  g_assert_cmpuint (fixture.n_stopped, ==, 0);

  fixture.transport = SHMLAB_STREAM_TRANSPORT_SHM;
  shmlab_test_wait_until (reader_opened, &fixture, WAIT_SECONDS, "a reader to open the stream");
  fixture.want_unlocked = FALSE;
  shmlab_test_wait_until (frame_with_lock_as_wanted, &fixture, WAIT_SECONDS, "a frame with the lock");
  shmlab_stream_player_set_lock (fixture.player, FALSE);
  fixture.want_unlocked = TRUE;
  shmlab_test_wait_until (frame_with_lock_as_wanted, &fixture, WAIT_SECONDS, "a frame without the lock");
  shmlab_stream_player_set_lock (fixture.player, TRUE);
  fixture.want_unlocked = FALSE;
  shmlab_test_wait_until (frame_with_lock_as_wanted, &fixture, WAIT_SECONDS, "a frame with the lock again");

  fixture_tear_down (&fixture);
}

static gboolean
started_twice (gpointer data)
{
  return ((Fixture *) data)->n_started >= 2;
}

static gboolean
started_once (gpointer data)
{
  return ((Fixture *) data)->n_started >= 1;
}

static gboolean
a_frame (gpointer data)
{
  Fixture *fixture = data;
  g_autoptr(ShmlabStreamFrame) frame = shmlab_stream_reader_next (fixture->reader, 50, NULL, NULL);

  return frame != NULL;
}

/* Another layout while playing: the worker frees the writer and makes a new
 * one on the same key, which a new reader finds with the new layout. */
static void
test_restarts (void)
{
  Fixture fixture;
  ShmlabStreamConfig config, seen;

  fixture_set_up (&fixture, "restart");
  config_for (&config, SHMLAB_STREAM_TRANSPORT_SHM, SHMLAB_STREAM_HANDOFF_LATEST, 1);
  play_pattern (&fixture, &config, W, H, 60);
  shmlab_test_wait_until (started_once, &fixture, WAIT_SECONDS, "the first writer");
  shmlab_test_wait_until (reader_opened, &fixture, WAIT_SECONDS, "a reader to open the stream");
  shmlab_test_wait_until (a_frame, &fixture, WAIT_SECONDS, "a frame");
  shmlab_stream_reader_get_config (fixture.reader, &seen);
  g_assert_cmpuint (seen.buffers, ==, 1);
  g_assert_cmpuint (seen.width, ==, W);
  g_clear_pointer (&fixture.reader, shmlab_stream_reader_free);

  config.buffers = 2;
  play_pattern (&fixture, &config, 2 * W, 2 * H, 60);
  shmlab_test_wait_until (started_twice, &fixture, WAIT_SECONDS, "the second writer");
  g_assert_cmpuint (fixture.started.buffers, ==, 2);
  g_assert_cmpuint (fixture.started.width, ==, 2 * W);
  shmlab_test_wait_until (reader_opened, &fixture, WAIT_SECONDS, "a reader to open the new stream");
  shmlab_test_wait_until (a_frame, &fixture, WAIT_SECONDS, "a frame of the new stream");
  shmlab_stream_reader_get_config (fixture.reader, &seen);
  g_assert_cmpuint (seen.buffers, ==, 2);
  g_assert_cmpuint (seen.width, ==, 2 * W);
  g_assert_cmpuint (fixture.n_stopped, ==, 0);

  fixture_tear_down (&fixture);
}

typedef struct
{
  Fixture *fixture;
  gint64 period;
  gint64 last_time;
  guint n;
} Deadlines;

static gboolean
frames_on_deadlines (gpointer data)
{
  Deadlines *deadlines = data;
  g_autoptr(ShmlabStreamFrame) frame =
    shmlab_stream_reader_next (deadlines->fixture->reader, 50, NULL, NULL);

  if (frame == NULL)
    return FALSE;
  shmlab_stream_reader_shown (deadlines->fixture->reader, frame, g_get_monotonic_time () * 1000);
  /* Each frame is dated on the grid of its deadlines, later than the last. */
  g_assert_cmpint (frame->header.source_time % deadlines->period, ==, 0);
  if (deadlines->n > 0)
    g_assert_cmpint (frame->header.source_time, >, deadlines->last_time);
  deadlines->last_time = frame->header.source_time;
  return ++deadlines->n >= 20;
}

/* At 200 frames per second every frame is dated on a grid of 5 ms from the
 * start, however late the reader takes it: absolute deadlines, no drift. */
static void
test_deadlines (void)
{
  Fixture fixture;
  ShmlabStreamConfig config;
  Deadlines deadlines = { &fixture, 5000000, 0, 0 };

  fixture_set_up (&fixture, "deadline");
  config_for (&config, SHMLAB_STREAM_TRANSPORT_SHM, SHMLAB_STREAM_HANDOFF_EVERY, 2);
  config.timeout_ms = 60000;
  play_pattern (&fixture, &config, W, H, 200);
  fixture.transport = SHMLAB_STREAM_TRANSPORT_SHM;
  shmlab_test_wait_until (reader_opened, &fixture, WAIT_SECONDS, "a reader to open the stream");
  shmlab_test_wait_until (frames_on_deadlines, &deadlines, WAIT_SECONDS, "twenty frames");
  fixture_tear_down (&fixture);
}

static gboolean
stopped (gpointer data)
{
  return ((Fixture *) data)->n_stopped > 0;
}

/* Every frame, and no reader: the writer waits its timeout, then the player
 * stops and says why and what to do; the segment goes. */
static void
test_no_reader_stops (void)
{
  Fixture fixture;
  ShmlabStreamConfig config;

  fixture_set_up (&fixture, "noreader");
  fixture.stop_expected = TRUE;
  config_for (&config, SHMLAB_STREAM_TRANSPORT_SHM, SHMLAB_STREAM_HANDOFF_EVERY, 1);
  config.timeout_ms = 300;
  play_pattern (&fixture, &config, W, H, 0);
  shmlab_test_wait_until (stopped, &fixture, WAIT_SECONDS, "the player to stop");
  g_assert_error (fixture.stopped, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_NO_READER);
  g_assert_nonnull (strstr (fixture.stopped->message, "Start a reader, or hand over the latest frame instead."));
  g_assert_cmpuint (fixture.n_started, ==, 1);
  g_assert_false (shmlab_stream_player_get_playing (fixture.player));
  shmlab_test_wait_until (shmlab_test_segment_gone, fixture.key, WAIT_SECONDS, "the stream's segment to go");
  fixture_tear_down (&fixture);
}

/* Another program streams on the key: the player cannot make its own
 * writer, and says so; the other program's segment stays. */
static void
test_busy_stops (void)
{
  Fixture fixture;
  ShmlabStreamConfig config;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) other = NULL;

  fixture_set_up (&fixture, "busy");
  fixture.stop_expected = TRUE;
  other = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                            shmlab_test_cli_path (), "stream", shmlab_key_get_name (fixture.key),
                            "--size", "320x180", "--fps", "10", "--quiet", NULL);
  g_assert_no_error (error);
  shmlab_test_wait_until (shmlab_test_segment_there, fixture.key, WAIT_SECONDS, "shmlab stream to make its segment");

  config_for (&config, SHMLAB_STREAM_TRANSPORT_SHM, SHMLAB_STREAM_HANDOFF_LATEST, 1);
  play_pattern (&fixture, &config, W, H, 30);
  shmlab_test_wait_until (stopped, &fixture, WAIT_SECONDS, "the player to stop");
  g_assert_error (fixture.stopped, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_BUSY);
  g_assert_cmpuint (fixture.n_started, ==, 0);
  shmlab_test_wait_until (workers_ended, NULL, WAIT_SECONDS, "the player's worker to end");
  g_assert_true (shmlab_test_segment_there (fixture.key));

  g_subprocess_send_signal (other, SIGTERM);
  g_assert_true (g_subprocess_wait (other, NULL, &error));
  g_assert_no_error (error);
  shmlab_test_wait_until (shmlab_test_segment_gone, fixture.key, WAIT_SECONDS, "shmlab stream's segment to go");
  fixture_tear_down (&fixture);
}

static gboolean
problem_said (gpointer data)
{
  return ((Fixture *) data)->n_problems > 0;
}

/* Through a pipe, the reader goes away: a problem, the stream goes on, and
 * the next reader gets frames. */
static void
test_pipe_reader_gone (void)
{
  Fixture fixture;
  ShmlabStreamConfig config;

  fixture_set_up (&fixture, "pipegone");
  config_for (&config, SHMLAB_STREAM_TRANSPORT_PIPE, SHMLAB_STREAM_HANDOFF_EVERY, 1);
  config.timeout_ms = 60000;
  play_pattern (&fixture, &config, W, H, 100);
  shmlab_test_wait_until (started_once, &fixture, WAIT_SECONDS, "the writer");
  fixture.transport = SHMLAB_STREAM_TRANSPORT_PIPE;
  shmlab_test_wait_until (reader_opened, &fixture, WAIT_SECONDS, "a reader to open the pipe");
  shmlab_test_wait_until (a_frame, &fixture, WAIT_SECONDS, "a frame through the pipe");
  g_clear_pointer (&fixture.reader, shmlab_stream_reader_free);

  shmlab_test_wait_until (problem_said, &fixture, WAIT_SECONDS, "the player to say the reader went");
  g_assert_error (fixture.problem, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_NO_READER);
  g_assert_nonnull (strstr (fixture.problem->message, "waiting for another"));
  g_assert_true (shmlab_stream_player_get_playing (fixture.player));
  g_assert_cmpuint (fixture.n_stopped, ==, 0);

  shmlab_test_wait_until (reader_opened, &fixture, WAIT_SECONDS, "another reader to open the pipe");
  shmlab_test_wait_until (a_frame, &fixture, WAIT_SECONDS, "a frame for the other reader");
  fixture_tear_down (&fixture);
}

int
main (int   argc,
      char *argv[])
{
  shmlab_test_init (&argc, &argv);

  g_test_add_func ("/stream-player/plays", test_plays);
  g_test_add_func ("/stream-player/restarts", test_restarts);
  g_test_add_func ("/stream-player/deadlines", test_deadlines);
  g_test_add_func ("/stream-player/no-reader-stops", test_no_reader_stops);
  g_test_add_func ("/stream-player/busy-stops", test_busy_stops);
  g_test_add_func ("/stream-player/pipe-reader-gone", test_pipe_reader_gone);
  return g_test_run ();
}
