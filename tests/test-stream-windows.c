/* test-stream-windows.c — the Writer's Stream page and the Reader's stream
 * view, with a writer or reader of the stream in the test: frames arrive,
 * the lock switched off is seen, a torn frame is marked at its row and
 * counted, a writer gone is said, and everything goes away
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>

#include "shmlab-app-support.h"
#include "shmlab-reader-station.h"
#include "shmlab-segment.h"
#include "shmlab-stream.h"
#include "shmlab-stream-player.h"
#include "shmlab-stream-segment.h"
#include "shmlab-test-gtk.h"
#include "shmlab-test-util.h"
#include "shmlab-writer-station.h"

#define WAIT_SECONDS 60
#define W 320
#define H 180

static ShmlabKey *
new_key (const char *stem)
{
  g_autofree char *name = shmlab_test_unique_key (stem);
  g_autoptr(GError) error = NULL;
  ShmlabKey *key = shmlab_key_new (name, SHMLAB_BACKEND_SYSV, &error);

  g_assert_no_error (error);
  return key;
}

static gboolean
streaming_frames (gpointer data)
{
  return shmlab_stream_panel_get_frames_written (data) >= 5;
}

typedef struct
{
  ShmlabKey *key;
  ShmlabStreamReader *reader;
  ShmlabStreamFrame *frame;
} ReaderLook;

static gboolean
reader_opened (gpointer data)
{
  ReaderLook *look = data;

  if (look->reader == NULL)
    look->reader = shmlab_stream_reader_new (look->key, SHMLAB_STREAM_TRANSPORT_SHM, NULL, NULL);
  return look->reader != NULL;
}

static gboolean
unlocked_frame (gpointer data)
{
  ReaderLook *look = data;
  g_autoptr(ShmlabStreamFrame) frame = shmlab_stream_reader_next (look->reader, 50, NULL, NULL);

  return frame != NULL && (frame->header.flags & SHMLAB_STREAM_FRAME_FLAG_UNLOCKED);
}

static GtkSwitch *
find_switch (GtkWidget *root)
{
  return GTK_SWITCH (shmlab_test_find_by_type (root, GTK_TYPE_SWITCH));
}

typedef struct
{
  ShmlabStation *window;
  const char *text;
} LogWait;

static gboolean
log_says (gpointer data)
{
  LogWait *wait = data;
  g_autofree char *text = shmlab_step_log_to_text (shmlab_station_get_step_log (wait->window));

  return strstr (text, wait->text) != NULL;
}

static void
assert_log_says (ShmlabWriterStation *window,
                 const char         *text)
{
  LogWait wait = { SHMLAB_STATION (window), text };

  shmlab_test_wait_until (log_says, &wait, WAIT_SECONDS, text);
}

/* The Writer streams; a reader sees its frames, then the lock switched off
 * in the frames' flags; stopping removes the segment. */
static void
test_writer_streams (void)
{
  g_autoptr(ShmlabKey) key = new_key ("wstream");
  ShmlabWriterStation *window = shmlab_test_writer_new (NULL);
  ShmlabStreamPanel *panel = shmlab_writer_station_get_stream_panel (window);
  ReaderLook look = { key, NULL, NULL };
  ShmlabStreamConfig config;

  g_object_ref (window);
  shmlab_key_bar_set_key (shmlab_station_get_key_bar (SHMLAB_STATION (window)), shmlab_key_get_name (key));
  shmlab_key_bar_set_backend (shmlab_station_get_key_bar (SHMLAB_STATION (window)), SHMLAB_BACKEND_SYSV);
  gtk_window_present (shmlab_test_window_of (window));
  shmlab_stream_config_init (&config);
  config.width = W;
  config.height = H;
  shmlab_stream_panel_configure (panel, &config, 60);
  shmlab_writer_station_set_page (window, "stream");
  /* Write has nothing to do on the Stream page. */
  g_assert_false (gtk_widget_get_sensitive (shmlab_test_find_actionable (GTK_WIDGET (window), "win.write")));
  shmlab_stream_panel_set_streaming (panel, TRUE);
  shmlab_test_wait_until (streaming_frames, panel, WAIT_SECONDS, "the Writer to stream");
  shmlab_test_wait_until (reader_opened, &look, WAIT_SECONDS, "a reader to open the stream");

  assert_log_says (window, "stream started: 320 × 180 through Shared memory, one frame in the segment, latest frame, lock on");

  gtk_switch_set_active (find_switch (GTK_WIDGET (panel)), FALSE);
  shmlab_test_wait_until (unlocked_frame, &look, WAIT_SECONDS, "a frame copied without the lock");
  shmlab_stream_reader_free (look.reader);
  assert_log_says (window, "lock OFF: the writer copies without the semaphore");

  shmlab_stream_panel_set_streaming (panel, FALSE);
  shmlab_test_wait_until (shmlab_test_segment_gone, key, WAIT_SECONDS, "the stream's segment to go");
  assert_log_says (window, "stream stopped after ");
  gtk_window_destroy (shmlab_test_window_of (window));
  shmlab_test_wait_until (shmlab_test_only_test_holds, window, WAIT_SECONDS, "the window to go");
  g_object_unref (window);
}

/* A reader of another end, opened when the writer is there, and the last
 * frame it took. */
typedef struct
{
  ShmlabKey *key;
  ShmlabStreamTransport transport;
  ShmlabStreamReader *reader;
  ShmlabStreamFrame *frame;
} Look;

static gboolean
look_frame (gpointer data)
{
  Look *look = data;

  if (look->reader == NULL)
    look->reader = shmlab_stream_reader_new (look->key, look->transport, NULL, NULL);
  if (look->reader == NULL)
    return FALSE;
  g_clear_pointer (&look->frame, shmlab_stream_frame_unref);
  look->frame = shmlab_stream_reader_next (look->reader, 50, NULL, NULL);
  return look->frame != NULL;
}

static void
look_clear (Look *look)
{
  g_clear_pointer (&look->frame, shmlab_stream_frame_unref);
  g_clear_pointer (&look->reader, shmlab_stream_reader_free);
}

/* Through a pipe: the reader goes away, the Writer says so in its steps and
 * beside the button, and goes on streaming for the next reader. */
static void
test_writer_pipe_reader_gone (void)
{
  g_autoptr(ShmlabKey) key = new_key ("wpipe");
  ShmlabWriterStation *window = shmlab_test_writer_new (NULL);
  ShmlabStreamPanel *panel = shmlab_writer_station_get_stream_panel (window);
  Look look = { key, SHMLAB_STREAM_TRANSPORT_PIPE, NULL, NULL };
  ShmlabStreamConfig config;

  g_object_ref (window);
  shmlab_key_bar_set_key (shmlab_station_get_key_bar (SHMLAB_STATION (window)), shmlab_key_get_name (key));
  shmlab_key_bar_set_backend (shmlab_station_get_key_bar (SHMLAB_STATION (window)), SHMLAB_BACKEND_SYSV);
  gtk_window_present (shmlab_test_window_of (window));
  shmlab_stream_config_init (&config);
  config.width = W;
  config.height = H;
  config.transport = SHMLAB_STREAM_TRANSPORT_PIPE;
  shmlab_stream_panel_configure (panel, &config, 60);
  shmlab_writer_station_set_page (window, "stream");
  shmlab_stream_panel_set_streaming (panel, TRUE);
  assert_log_says (window, "stream started: 320 × 180 through Pipe");
  shmlab_test_wait_until (look_frame, &look, WAIT_SECONDS, "a frame through the pipe");
  look_clear (&look);

  assert_log_says (window, "The reader closed the pipe: waiting for another.");
  g_assert_nonnull (shmlab_test_find_label (GTK_WIDGET (panel), FALSE, "The reader closed the pipe: waiting for another."));
  g_assert_true (shmlab_stream_panel_get_streaming (panel));
  shmlab_test_wait_until (look_frame, &look, WAIT_SECONDS, "a frame for the next reader");
  look_clear (&look);

  shmlab_stream_panel_set_streaming (panel, FALSE);
  gtk_window_destroy (shmlab_test_window_of (window));
  shmlab_test_wait_until (shmlab_test_only_test_holds, window, WAIT_SECONDS, "the window to go");
  g_object_unref (window);
}

static gboolean
not_streaming (gpointer data)
{
  return !shmlab_stream_panel_get_streaming (data);
}

/* Every frame, and no reader comes: after the writer's timeout the stream
 * stops, and the Writer says why and what to do; the button is up again. */
static void
test_writer_every_frame_no_reader (void)
{
  g_autoptr(ShmlabKey) key = new_key ("wevery");
  ShmlabWriterStation *window = shmlab_test_writer_new (NULL);
  ShmlabStreamPanel *panel = shmlab_writer_station_get_stream_panel (window);
  ShmlabStreamConfig config;
  const char *said = "The stream stopped: No reader took a frame for 5 seconds: with “every frame” the "
                     "writer waits for the reader. Start a reader, or hand over the latest frame instead.";

  g_object_ref (window);
  shmlab_key_bar_set_key (shmlab_station_get_key_bar (SHMLAB_STATION (window)), shmlab_key_get_name (key));
  shmlab_key_bar_set_backend (shmlab_station_get_key_bar (SHMLAB_STATION (window)), SHMLAB_BACKEND_SYSV);
  gtk_window_present (shmlab_test_window_of (window));
  shmlab_stream_config_init (&config);
  config.width = W;
  config.height = H;
  config.handoff = SHMLAB_STREAM_HANDOFF_EVERY;
  shmlab_stream_panel_configure (panel, &config, 60);
  shmlab_writer_station_set_page (window, "stream");
  shmlab_stream_panel_set_streaming (panel, TRUE);
  shmlab_test_wait_until (not_streaming, panel, WAIT_SECONDS, "the stream to stop");
  assert_log_says (window, said);
  g_assert_nonnull (shmlab_test_find_label (GTK_WIDGET (panel), FALSE, said));
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (
    shmlab_test_find_actionable (GTK_WIDGET (panel), "stream.toggle"))));
  shmlab_test_wait_until (shmlab_test_segment_gone, key, WAIT_SECONDS, "the stream's segment to go");

  gtk_window_destroy (shmlab_test_window_of (window));
  shmlab_test_wait_until (shmlab_test_only_test_holds, window, WAIT_SECONDS, "the window to go");
  g_object_unref (window);
}

typedef struct
{
  GtkWidget *root;
  const char *part;
} TextWait;

static gboolean
shows_text (gpointer data)
{
  TextWait *wait = data;

  return shmlab_test_find_label (wait->root, FALSE, wait->part) != NULL;
}

static gboolean
frame_of_size (gpointer data)
{
  ReaderLook *look = data;
  g_autoptr(ShmlabStreamFrame) frame = NULL;

  if (look->reader == NULL)
    look->reader = shmlab_stream_reader_new (look->key, SHMLAB_STREAM_TRANSPORT_SHM, NULL, NULL);
  if (look->reader == NULL)
    return FALSE;
  frame = shmlab_stream_reader_next (look->reader, 50, NULL, NULL);
  return frame != NULL && frame->header.width == 320 && frame->header.height == 180;
}

/* A video file chosen: a file of raw RGBA frames is refused until its size
 * is typed, then said and streamed at that size; a .y4m says its size and
 * rate, and the rate is taken. */
static void
test_writer_video (void)
{
  g_autoptr(ShmlabKey) key = new_key ("wvideo");
  g_autofree char *raw = g_build_filename (shmlab_test_get_temp_dir (), "clip.rgba", NULL);
  g_autofree char *y4m = g_build_filename (shmlab_test_get_temp_dir (), "clip.y4m", NULL);
  g_autofree guint8 *pixels = g_malloc0 (320 * 180 * 4 * 2);
  g_autoptr(GString) video = g_string_new ("YUV4MPEG2 W320 H180 F25:1 C420jpeg\n");
  g_autoptr(GError) error = NULL;
  ShmlabWriterStation *window = shmlab_test_writer_new (NULL);
  ShmlabStreamPanel *panel = shmlab_writer_station_get_stream_panel (window);
  ReaderLook look = { key, NULL, NULL };
  TextWait wait = { GTK_WIDGET (panel), NULL };

  g_assert_true (g_file_set_contents (raw, (const char *) pixels, 320 * 180 * 4 * 2, &error));
  for (guint i = 0; i < 3; i++)
    {
      g_string_append (video, "FRAME\n");
      g_string_append_len (video, (const char *) pixels, 320 * 180 * 3 / 2);
    }
  g_assert_true (g_file_set_contents (y4m, video->str, (gssize) video->len, &error));
  g_assert_no_error (error);

  g_object_ref (window);
  shmlab_key_bar_set_key (shmlab_station_get_key_bar (SHMLAB_STATION (window)), shmlab_key_get_name (key));
  shmlab_key_bar_set_backend (shmlab_station_get_key_bar (SHMLAB_STATION (window)), SHMLAB_BACKEND_SYSV);
  gtk_window_present (shmlab_test_window_of (window));
  shmlab_writer_station_set_page (window, "stream");

  shmlab_stream_panel_set_source (panel, 2, raw);
  wait.part = "no size was given for raw RGBA frames";
  shmlab_test_wait_until (shows_text, &wait, WAIT_SECONDS, "the raw file refused without a size");
  shmlab_stream_panel_set_raw_size (panel, "320x180");
  wait.part = "clip.rgba: 320 × 180, 2 frames (RGBA)";
  shmlab_test_wait_until (shows_text, &wait, WAIT_SECONDS, "the raw file described at its size");

  shmlab_stream_panel_set_streaming (panel, TRUE);
  assert_log_says (window, "stream started: 320 × 180 through Shared memory");
  shmlab_test_wait_until (frame_of_size, &look, WAIT_SECONDS, "a frame of the raw file");
  g_clear_pointer (&look.reader, shmlab_stream_reader_free);
  shmlab_stream_panel_set_streaming (panel, FALSE);
  shmlab_test_wait_until (shmlab_test_segment_gone, key, WAIT_SECONDS, "the stream's segment to go");

  shmlab_stream_panel_set_source (panel, 2, y4m);
  wait.part = "clip.y4m: 320 × 180, 25 fps, 3 frames (YUV 4:2:0)";
  shmlab_test_wait_until (shows_text, &wait, WAIT_SECONDS, "the y4m described");
  g_assert_cmpfloat (gtk_spin_button_get_value (GTK_SPIN_BUTTON (
    shmlab_test_find_by_type (GTK_WIDGET (panel), GTK_TYPE_SPIN_BUTTON))), ==, 25);

  gtk_window_destroy (shmlab_test_window_of (window));
  shmlab_test_wait_until (shmlab_test_only_test_holds, window, WAIT_SECONDS, "the window to go");
  g_object_unref (window);
  g_unlink (raw);
  g_unlink (y4m);
}

/* ---- the Reader ---- */

typedef struct
{
  GMutex mutex;
  GCond cond;
  gboolean paused;
  gboolean go_on;
} Seam;

static void
pause_at_row_60 (guint32  row,
                 gpointer data)
{
  Seam *seam = data;

  if (row != 60)
    return;
  g_mutex_lock (&seam->mutex);
  seam->paused = TRUE;
  g_cond_broadcast (&seam->cond);
  while (!seam->go_on)
    g_cond_wait (&seam->cond, &seam->mutex);
  g_mutex_unlock (&seam->mutex);
}

typedef struct
{
  ShmlabStreamWriter *writer;
  guint8 *rgba;
  ShmlabStreamView *view;
} PutJob;

static gpointer
put_thread (gpointer data)
{
  PutJob *job = data;

  shmlab_stream_writer_put (job->writer, job->rgba, W * 4, 0, NULL, NULL);
  return NULL;
}

static gboolean
shown_some (gpointer data)
{
  return shmlab_stream_view_get_frames_shown (data) >= 1;
}

static gboolean
tear_marked (gpointer data)
{
  return shmlab_stream_view_get_n_marks (data) == 1 && shmlab_stream_view_get_frames_torn (data) == 1;
}

static gboolean
paused (gpointer data)
{
  Seam *seam = data;
  gboolean yes;

  g_mutex_lock (&seam->mutex);
  yes = seam->paused;
  g_mutex_unlock (&seam->mutex);
  return yes;
}

static gboolean
says_stopped (gpointer data)
{
  GtkWidget *label = data;

  return strstr (gtk_label_get_text (GTK_LABEL (label)), "stopped") != NULL;
}

typedef struct
{
  ShmlabStreamView *view;
  const char *part;
} LabelWait;

static gboolean
label_shows (gpointer data)
{
  LabelWait *wait = data;

  return shmlab_test_find_label (GTK_WIDGET (wait->view), FALSE, wait->part) != NULL;
}

/* Whole frames after the torn one: its marks go (after being held a moment),
 * the count stays at one. */
static gboolean
marks_gone_after_whole_frames (gpointer data)
{
  PutJob *job = data;

  g_assert_true (shmlab_stream_writer_put (job->writer, job->rgba, W * 4, 0, NULL, NULL));
  return shmlab_stream_view_get_n_marks (job->view) == 0;
}

/* Follow finds the stream, shows it, marks the tear a lock-less writer makes
 * at row 60 — the red line at a third of the picture — and counts it; the
 * writer's end is said. */
static void
test_reader_follows (void)
{
  g_autoptr(ShmlabKey) key = new_key ("rstream");
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *rgba = g_malloc (W * H * 4);
  ShmlabStreamWriter *writer;
  ShmlabReaderStation *window;
  ShmlabStreamView *view;
  ShmlabStreamConfig config;
  Seam seam = { 0 };
  PutJob job;
  GThread *thread;

  shmlab_stream_config_init (&config);
  config.width = W;
  config.height = H;
  config.lock = FALSE;
  writer = shmlab_stream_writer_new (key, &config, NULL, &error);
  g_assert_no_error (error);
  memset (rgba, 0x40, W * H * 4);
  g_assert_true (shmlab_stream_writer_put (writer, rgba, W * 4, 0, NULL, &error));

  window = shmlab_test_reader_new (NULL);
  g_object_ref (window);
  shmlab_key_bar_set_key (shmlab_station_get_key_bar (SHMLAB_STATION (window)), shmlab_key_get_name (key));
  shmlab_key_bar_set_backend (shmlab_station_get_key_bar (SHMLAB_STATION (window)), SHMLAB_BACKEND_SYSV);
  gtk_window_present (shmlab_test_window_of (window));
  view = shmlab_reader_station_get_stream_view (window);
  shmlab_reader_station_set_following (window, TRUE);
  shmlab_test_wait_until (shown_some, view, WAIT_SECONDS, "the first frame on screen");
  g_assert_true (shmlab_reader_station_get_following (window));
  g_assert_cmpuint (shmlab_stream_view_get_frames_torn (view), ==, 0);

  /* The writer stops in the middle of frame 2; the reader's next look (made
   * to happen now by publishing early) copies rows 0–60 of frame 2 and the
   * rest of frame 1. */
  g_mutex_init (&seam.mutex);
  g_cond_init (&seam.cond);
  shmlab_stream_writer_set_row_hook (writer, pause_at_row_60, &seam);
  memset (rgba, 0xc0, W * H * 4);
  job = (PutJob) { writer, rgba };
  thread = g_thread_new ("put", put_thread, &job);
  shmlab_test_wait_until (paused, &seam, WAIT_SECONDS, "the writer to pause mid-copy");
  {
    g_autoptr(ShmlabSegment) peek = shmlab_segment_new_for_key (key);
    ShmlabStreamSegmentHeader *head;

    g_assert_true (shmlab_segment_attach (peek, SHMLAB_ACCESS_READ_WRITE, NULL, &error));
    head = shmlab_segment_get_data (peek);
    __atomic_add_fetch (&head->published, 1, __ATOMIC_RELEASE);
    shmlab_test_wait_until (tear_marked, view, WAIT_SECONDS, "the tear marked and counted");
    shmlab_segment_detach (peek, NULL);
  }
  g_mutex_lock (&seam.mutex);
  seam.go_on = TRUE;
  g_cond_broadcast (&seam.cond);
  g_mutex_unlock (&seam.mutex);
  g_thread_join (thread);
  g_assert_nonnull (shmlab_test_find_label (GTK_WIDGET (view), TRUE, "Frame 2 was torn: rows 0–60 from frame 2, rows 61–179 from frame 1."));

  /* The figures say what the writer set. */
  {
    LabelWait wait = { view, "Writer: Shared memory, lock OFF" };

    shmlab_test_wait_until (label_shows, &wait, WAIT_SECONDS, "the writer's settings in the figures");
  }

  /* Whole frames follow: the tear's marks go, the count stays, the note of
   * the tear stays readable. */
  shmlab_stream_writer_set_row_hook (writer, NULL, NULL);
  job.view = view;
  shmlab_test_wait_until (marks_gone_after_whole_frames, &job, WAIT_SECONDS, "the tear's marks to go");
  g_assert_cmpuint (shmlab_stream_view_get_frames_torn (view), ==, 1);
  g_assert_nonnull (shmlab_test_find_label (GTK_WIDGET (view), TRUE, "Frame 2 was torn:"));

  /* The writer goes: the view says so. */
  shmlab_stream_writer_free (writer);
  {
    GtkWidget *status = shmlab_test_find_label (GTK_WIDGET (view), TRUE, "Following");

    g_assert_nonnull (status);
    shmlab_test_wait_until (says_stopped, status, WAIT_SECONDS, "the view to say the stream stopped");
  }

  shmlab_reader_station_set_following (window, FALSE);
  g_assert_false (shmlab_reader_station_get_following (window));
  gtk_window_destroy (shmlab_test_window_of (window));
  shmlab_test_wait_until (shmlab_test_only_test_holds, window, WAIT_SECONDS, "the window to go");
  g_object_unref (window);
  shmlab_test_wait_until (shmlab_test_segment_gone, key, WAIT_SECONDS, "the stream's segment to go");
  g_mutex_clear (&seam.mutex);
  g_cond_clear (&seam.cond);
}

/* No stream yet: the view says it waits, on which key, and how to start one. */
static void
test_reader_waits (void)
{
  g_autoptr(ShmlabKey) key = new_key ("rwait");
  g_autofree char *expected = NULL;
  ShmlabReaderStation *window;
  ShmlabStreamView *view;
  LabelWait wait;

  window = shmlab_test_reader_new (NULL);
  g_object_ref (window);
  shmlab_key_bar_set_key (shmlab_station_get_key_bar (SHMLAB_STATION (window)), shmlab_key_get_name (key));
  shmlab_key_bar_set_backend (shmlab_station_get_key_bar (SHMLAB_STATION (window)), SHMLAB_BACKEND_SYSV);
  shmlab_reader_station_set_transport (window, SHMLAB_STREAM_TRANSPORT_PIPE);
  gtk_window_present (shmlab_test_window_of (window));
  view = shmlab_reader_station_get_stream_view (window);
  shmlab_reader_station_set_following (window, TRUE);
  expected = g_strdup_printf ("Waiting for a stream on “%s” — start shmlab-writer --stream, or shmlab stream",
                              shmlab_key_get_name (key));
  wait = (LabelWait) { view, expected };
  shmlab_test_wait_until (label_shows, &wait, WAIT_SECONDS, "the view to say it waits for a stream");
  wait.part = "--transport=pipe";
  g_assert_true (label_shows (&wait));
  g_assert_cmpuint (shmlab_stream_view_get_frames_shown (view), ==, 0);

  shmlab_reader_station_set_following (window, FALSE);
  gtk_window_destroy (shmlab_test_window_of (window));
  shmlab_test_wait_until (shmlab_test_only_test_holds, window, WAIT_SECONDS, "the window to go");
  g_object_unref (window);
  g_assert_true (shmlab_test_segment_gone (key));
}

/* ---- the real program, with --stream ---- */

/* shmlab-writer --stream streams the pattern at the size asked, with the
 * lock or without it (--no-lock) as a reader sees in the frames; ended by
 * SIGTERM, it exits 0 and its segment is gone. */
static void
run_stream_process (gboolean lock)
{
  g_autoptr(ShmlabKey) key = new_key (lock ? "pstream" : "pnolock");
  g_autoptr(GSubprocess) writer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  Look look = { key, SHMLAB_STREAM_TRANSPORT_SHM, NULL, NULL };

  g_ptr_array_add (argv, (gpointer) g_getenv ("SHMLAB_WRITER"));
  g_ptr_array_add (argv, (gpointer) "--key");
  g_ptr_array_add (argv, (gpointer) shmlab_key_get_name (key));
  g_ptr_array_add (argv, (gpointer) "--stream");
  g_ptr_array_add (argv, (gpointer) "--stream-size");
  g_ptr_array_add (argv, (gpointer) "640x360");
  g_ptr_array_add (argv, (gpointer) "--fps");
  g_ptr_array_add (argv, (gpointer) "30");
  if (!lock)
    g_ptr_array_add (argv, (gpointer) "--no-lock");
  g_ptr_array_add (argv, NULL);
  writer = g_subprocess_newv ((const char *const *) argv->pdata, G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);

  shmlab_test_wait_until (look_frame, &look, WAIT_SECONDS, "a frame from shmlab-writer --stream");
  /* The size asked on the command line, rows from one frame, the lock as asked. */
  g_assert_cmpuint (look.frame->header.width, ==, 640);
  g_assert_cmpuint (look.frame->header.height, ==, 360);
  g_assert_cmpuint (look.frame->check.n_runs, ==, 1);
  g_assert_true (((look.frame->header.flags & SHMLAB_STREAM_FRAME_FLAG_UNLOCKED) != 0) == !lock);
  look_clear (&look);

  g_subprocess_send_signal (writer, SIGTERM);
  g_assert_true (g_subprocess_wait (writer, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (writer));
  g_assert_cmpint (g_subprocess_get_exit_status (writer), ==, 0);
  /* Gone when the program has ended: it waited for its stream's worker. */
  g_assert_true (shmlab_test_segment_gone (key));
}

static void
test_process_streams (void)
{
  run_stream_process (TRUE);
  run_stream_process (FALSE);
}

static gboolean
wrote_one (gpointer data)
{
  return shmlab_stream_panel_get_frames_written (data) >= 1;
}

/* In every frame with no reader the stream's worker waits for one, in
 * slices, when the stream is stopped: what a program runs before it exits
 * (shmlab_app_wait_detached) waits for that worker, which removes the
 * segment. */
static void
test_stop_waits_for_worker (void)
{
  g_autoptr(ShmlabKey) key = new_key ("wwaiting");
  ShmlabWriterStation *window = shmlab_test_writer_new (NULL);
  ShmlabStreamPanel *panel = shmlab_writer_station_get_stream_panel (window);
  ShmlabStreamConfig config;

  g_object_ref (window);
  shmlab_key_bar_set_key (shmlab_station_get_key_bar (SHMLAB_STATION (window)), shmlab_key_get_name (key));
  shmlab_key_bar_set_backend (shmlab_station_get_key_bar (SHMLAB_STATION (window)), SHMLAB_BACKEND_SYSV);
  gtk_window_present (shmlab_test_window_of (window));
  shmlab_stream_config_init (&config);
  config.width = W;
  config.height = H;
  config.handoff = SHMLAB_STREAM_HANDOFF_EVERY;
  shmlab_stream_panel_configure (panel, &config, 0);
  shmlab_writer_station_set_page (window, "stream");
  shmlab_stream_panel_set_streaming (panel, TRUE);
  /* One frame fills the one slot; the next waits for a reader. */
  shmlab_test_wait_until (wrote_one, panel, WAIT_SECONDS, "the Writer to write a frame");
  g_assert_false (shmlab_test_segment_gone (key));

  shmlab_stream_panel_set_streaming (panel, FALSE);
  g_assert_true (shmlab_app_wait_detached (10000));
  g_assert_cmpuint (shmlab_stream_player_count_running (), ==, 0);
  g_assert_true (shmlab_test_segment_gone (key));

  gtk_window_destroy (shmlab_test_window_of (window));
  shmlab_test_wait_until (shmlab_test_only_test_holds, window, WAIT_SECONDS, "the window to go");
  g_object_unref (window);
}

/* A stream option with a wrong value: exit 2 at once, a sentence that says
 * what the option takes, no window and no segment. */
static void
test_process_bad_options (void)
{
  static const struct { const char *option; const char *value; const char *said; } cases[] = {
    { "--stream-size", "100x100", "--stream-size takes 320x180" },
    { "--stream-size", "1000x1000", "--stream-size takes 320x180" },
    { "--stream-size", "wide", "" },
    { "--fps", "0", "--fps takes a rate from 1 to 240" },
    { "--fps", "241", "--fps takes a rate from 1 to 240" },
    { "--fps", "fast", "--fps takes a rate from 1 to 240" },
    { "--buffers", "3", "--buffers takes 1 or 2, not “3”." },
    { "--buffers", "two", "--buffers takes 1 or 2, not “two”." },
    { "--handoff", "sometimes", "--handoff takes latest or every, not “sometimes”." },
    { "--transport", "pigeon", "--transport takes shm, pipe or socket, not “pigeon”." },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(ShmlabKey) key = new_key ("pbad");
      g_autoptr(GSubprocess) writer = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *err = NULL;

      writer = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                                 g_getenv ("SHMLAB_WRITER"), "--key", shmlab_key_get_name (key), "--stream",
                                 cases[i].option, cases[i].value, NULL);
      g_assert_no_error (error);
      g_assert_true (g_subprocess_communicate_utf8 (writer, NULL, NULL, NULL, &err, &error));
      g_assert_no_error (error);
      g_test_message ("%s %s: %s", cases[i].option, cases[i].value, err);
      g_assert_true (g_subprocess_get_if_exited (writer));
      g_assert_cmpint (g_subprocess_get_exit_status (writer), ==, 2);
      g_assert_true (g_str_has_prefix (err, "shmlab-writer: "));
      g_assert_nonnull (strstr (err, cases[i].said));
      g_assert_true (shmlab_test_segment_gone (key));
    }
}

int
main (int   argc,
      char *argv[])
{
  shmlab_test_init (&argc, &argv);
  gtk_init ();
  shmlab_app_support_init ();

  g_test_add_func ("/stream-windows/writer-streams", test_writer_streams);
  g_test_add_func ("/stream-windows/writer-pipe-reader-gone", test_writer_pipe_reader_gone);
  g_test_add_func ("/stream-windows/writer-every-frame-no-reader", test_writer_every_frame_no_reader);
  g_test_add_func ("/stream-windows/writer-video", test_writer_video);
  g_test_add_func ("/stream-windows/reader-follows", test_reader_follows);
  g_test_add_func ("/stream-windows/reader-waits", test_reader_waits);
  g_test_add_func ("/stream-windows/process/streams", test_process_streams);
  g_test_add_func ("/stream-windows/stop-waits-for-worker", test_stop_waits_for_worker);
  g_test_add_func ("/stream-windows/process/bad-options", test_process_bad_options);
  return g_test_run ();
}
