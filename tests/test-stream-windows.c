/* test-stream-windows.c — the Writer's Stream page and the Reader's stream
 * view, with a writer or reader of the stream in the test: frames arrive,
 * the lock switched off is seen, a torn frame is marked at its row and
 * counted, a writer gone is said, and everything goes away
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "shmlab-app-support.h"
#include "shmlab-reader-window.h"
#include "shmlab-segment.h"
#include "shmlab-stream.h"
#include "shmlab-stream-segment.h"
#include "shmlab-test-gtk.h"
#include "shmlab-test-util.h"
#include "shmlab-writer-window.h"

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

static gboolean
segment_gone (gpointer data)
{
  ShmlabSegmentInfo info = { 0 };
  gboolean gone = shmlab_segment_query_for_key (data, &info, NULL) && !info.exists;

  shmlab_segment_info_clear (&info);
  return gone;
}

static GtkSwitch *
find_switch (GtkWidget *root)
{
  return GTK_SWITCH (shmlab_test_find_by_type (root, GTK_TYPE_SWITCH));
}

/* The Writer streams; a reader sees its frames, then the lock switched off
 * in the frames' flags; stopping removes the segment. */
static void
test_writer_streams (void)
{
  g_autoptr(ShmlabKey) key = new_key ("wstream");
  ShmlabWriterWindow *window = shmlab_writer_window_new (NULL);
  ShmlabStreamPanel *panel = shmlab_writer_window_get_stream_panel (window);
  ReaderLook look = { key, NULL, NULL };
  ShmlabStreamConfig config;

  g_object_ref (window);
  shmlab_key_bar_set_key (shmlab_window_get_key_bar (SHMLAB_WINDOW (window)), shmlab_key_get_name (key));
  shmlab_key_bar_set_backend (shmlab_window_get_key_bar (SHMLAB_WINDOW (window)), SHMLAB_BACKEND_SYSV);
  gtk_window_present (GTK_WINDOW (window));
  shmlab_stream_config_init (&config);
  config.width = W;
  config.height = H;
  shmlab_stream_panel_configure (panel, &config, 60);
  shmlab_writer_window_set_page (window, "stream");
  /* Write has nothing to do on the Stream page. */
  g_assert_false (gtk_widget_get_sensitive (shmlab_test_find_actionable (GTK_WIDGET (window), "win.write")));
  shmlab_stream_panel_set_streaming (panel, TRUE);
  shmlab_test_wait_until (streaming_frames, panel, WAIT_SECONDS, "the Writer to stream");
  shmlab_test_wait_until (reader_opened, &look, WAIT_SECONDS, "a reader to open the stream");

  gtk_switch_set_active (find_switch (GTK_WIDGET (panel)), FALSE);
  shmlab_test_wait_until (unlocked_frame, &look, WAIT_SECONDS, "a frame copied without the lock");
  shmlab_stream_reader_free (look.reader);

  shmlab_stream_panel_set_streaming (panel, FALSE);
  shmlab_test_wait_until (segment_gone, key, WAIT_SECONDS, "the stream's segment to go");
  gtk_window_destroy (GTK_WINDOW (window));
  shmlab_test_wait_until (shmlab_test_only_test_holds, window, WAIT_SECONDS, "the window to go");
  g_object_unref (window);
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

static GtkWidget *
find_label_starting (GtkWidget  *root,
                     const char *start)
{
  if (GTK_IS_LABEL (root) && g_str_has_prefix (gtk_label_get_text (GTK_LABEL (root)), start))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label_starting (child, start);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_label_containing (GtkWidget  *root,
                       const char *part)
{
  if (GTK_IS_LABEL (root) && strstr (gtk_label_get_text (GTK_LABEL (root)), part) != NULL)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label_containing (child, part);
      if (found != NULL)
        return found;
    }
  return NULL;
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

  return find_label_containing (GTK_WIDGET (wait->view), wait->part) != NULL;
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
  ShmlabReaderWindow *window;
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

  window = shmlab_reader_window_new (NULL);
  g_object_ref (window);
  shmlab_key_bar_set_key (shmlab_window_get_key_bar (SHMLAB_WINDOW (window)), shmlab_key_get_name (key));
  shmlab_key_bar_set_backend (shmlab_window_get_key_bar (SHMLAB_WINDOW (window)), SHMLAB_BACKEND_SYSV);
  gtk_window_present (GTK_WINDOW (window));
  view = shmlab_reader_window_get_stream_view (window);
  shmlab_reader_window_set_following (window, TRUE);
  shmlab_test_wait_until (shown_some, view, WAIT_SECONDS, "the first frame on screen");
  g_assert_true (shmlab_reader_window_get_following (window));
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
  g_assert_nonnull (find_label_starting (GTK_WIDGET (view), "Frame 2 was torn: rows 0–60 from frame 2, rows 61–179 from frame 1."));

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
  g_assert_nonnull (find_label_starting (GTK_WIDGET (view), "Frame 2 was torn:"));

  /* The writer goes: the view says so. */
  shmlab_stream_writer_free (writer);
  {
    GtkWidget *status = find_label_starting (GTK_WIDGET (view), "Following");

    g_assert_nonnull (status);
    shmlab_test_wait_until (says_stopped, status, WAIT_SECONDS, "the view to say the stream stopped");
  }

  shmlab_reader_window_set_following (window, FALSE);
  g_assert_false (shmlab_reader_window_get_following (window));
  gtk_window_destroy (GTK_WINDOW (window));
  shmlab_test_wait_until (shmlab_test_only_test_holds, window, WAIT_SECONDS, "the window to go");
  g_object_unref (window);
  shmlab_test_wait_until (segment_gone, key, WAIT_SECONDS, "the stream's segment to go");
  g_mutex_clear (&seam.mutex);
  g_cond_clear (&seam.cond);
}

/* No stream yet: the view says it waits, on which key, and how to start one. */
static void
test_reader_waits (void)
{
  g_autoptr(ShmlabKey) key = new_key ("rwait");
  g_autofree char *expected = NULL;
  ShmlabReaderWindow *window;
  ShmlabStreamView *view;
  LabelWait wait;

  window = shmlab_reader_window_new (NULL);
  g_object_ref (window);
  shmlab_key_bar_set_key (shmlab_window_get_key_bar (SHMLAB_WINDOW (window)), shmlab_key_get_name (key));
  shmlab_key_bar_set_backend (shmlab_window_get_key_bar (SHMLAB_WINDOW (window)), SHMLAB_BACKEND_SYSV);
  shmlab_reader_window_set_transport (window, SHMLAB_STREAM_TRANSPORT_PIPE);
  gtk_window_present (GTK_WINDOW (window));
  view = shmlab_reader_window_get_stream_view (window);
  shmlab_reader_window_set_following (window, TRUE);
  expected = g_strdup_printf ("Waiting for a stream on “%s” — start shmlab-writer --stream, or shmlab stream",
                              shmlab_key_get_name (key));
  wait = (LabelWait) { view, expected };
  shmlab_test_wait_until (label_shows, &wait, WAIT_SECONDS, "the view to say it waits for a stream");
  wait.part = "--transport=pipe";
  g_assert_true (label_shows (&wait));
  g_assert_cmpuint (shmlab_stream_view_get_frames_shown (view), ==, 0);

  shmlab_reader_window_set_following (window, FALSE);
  gtk_window_destroy (GTK_WINDOW (window));
  shmlab_test_wait_until (shmlab_test_only_test_holds, window, WAIT_SECONDS, "the window to go");
  g_object_unref (window);
  g_assert_true (segment_gone (key));
}

int
main (int   argc,
      char *argv[])
{
  shmlab_test_init (&argc, &argv);
  gtk_init ();
  shmlab_app_support_init ();

  g_test_add_func ("/stream-windows/writer-streams", test_writer_streams);
  g_test_add_func ("/stream-windows/reader-follows", test_reader_follows);
  g_test_add_func ("/stream-windows/reader-waits", test_reader_waits);
  return g_test_run ();
}
