/* test-reader-window.c — the Reader's window in-process: it reads what a
 * segment holds and shows it, follows changes, waits for a lock without
 * freezing, gives up after the timeout, and explains bad segments
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-test-gtk.h"
#include "shmlab-test-util.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtk/gtk.h>

#include "shmlab-app-support.h"
#include "shmlab-label-whole.h"
#include "shmlab-payload.h"
#include "shmlab-png.h"
#include "shmlab-reader-application.h"
#include "shmlab-reader-station.h"
#include "shmlab-segment.h"

/* Bounds every wait; reaching it fails the test, it never makes one pass. */
#define WAIT_SECONDS 30

typedef struct
{
  ShmlabReaderStation *window;
  guint n_results;
} ResultWait;

static gboolean
has_results (gpointer data)
{
  ResultWait *wait = data;
  return shmlab_reader_station_get_n_results (wait->window) >= wait->n_results &&
         !shmlab_session_get_busy (shmlab_station_get_session (SHMLAB_STATION (wait->window)));
}

/* Waits for the window to show its next result. */
static void
wait_next_result (ShmlabReaderStation *window)
{
  ResultWait wait = { window, shmlab_reader_station_get_n_results (window) + 1 };
  shmlab_test_wait_until (has_results, &wait, WAIT_SECONDS, "the window to show a result");
}

static gboolean
session_idle (gpointer data)
{
  return !shmlab_session_get_busy (shmlab_station_get_session (SHMLAB_STATION (data)));
}

static gboolean
session_waiting (gpointer data)
{
  return shmlab_session_get_waiting (shmlab_station_get_session (SHMLAB_STATION (data)));
}

static gboolean
session_detached (gpointer data)
{
  return !shmlab_session_get_attached (data) && !shmlab_session_get_busy (data);
}

static ShmlabReaderStation *
reader_new (const char *key)
{
  ShmlabReaderStation *window = shmlab_test_reader_new (NULL);
  ShmlabKeyBar *key_bar = shmlab_station_get_key_bar (SHMLAB_STATION (window));

  /* The toplevel list owns the window; the test keeps its own reference. */
  g_object_ref (window);
  shmlab_key_bar_set_key (key_bar, key);
  shmlab_key_bar_set_backend (key_bar, SHMLAB_BACKEND_SYSV);
  gtk_window_present (shmlab_test_window_of (window));
  return window;
}

/* Closes the window and proves it goes away, with everything it started,
 * its session's detach (which runs in a thread) included. */
static void
reader_close (ShmlabReaderStation *window)
{
  shmlab_test_close_station (window);
}

/* A segment made and filled the way a writer does, kept attached. */
static ShmlabSegment *
segment_new (const char *key,
             gsize       size)
{
  g_autoptr(GError) error = NULL;
  ShmlabSegment *segment = shmlab_segment_new (SHMLAB_BACKEND_SYSV);

  g_assert_true (shmlab_segment_set_key (segment, key, &error));
  g_assert_no_error (error);
  g_assert_true (shmlab_segment_create (segment, size, SHMLAB_ACCESS_READ_WRITE, NULL, &error));
  g_assert_no_error (error);
  return segment;
}

static void
segment_write_bytes (ShmlabSegment *segment,
                     const guint8  *bytes,
                     gsize          length)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (length, <=, shmlab_segment_get_size (segment));
  g_assert_true (shmlab_segment_lock (segment, NULL, &error));
  memcpy (shmlab_segment_get_data (segment), bytes, length);
  g_assert_true (shmlab_segment_unlock (segment, &error));
  g_assert_no_error (error);
}

static ShmlabEncoded *
encode (ShmlabPayload *payload,
        ShmlabFormat   format)
{
  g_autoptr(GError) error = NULL;
  ShmlabEncoded *encoded = shmlab_payload_encode (payload, format, &error);

  g_assert_no_error (error);
  return encoded;
}

static void
segment_write_encoded (ShmlabSegment *segment,
                       ShmlabEncoded *encoded,
                       guint64        generation)
{
  g_autoptr(GError) error = NULL;
  gsize written = 0;

  g_assert_true (shmlab_segment_lock (segment, NULL, &error));
  g_assert_true (shmlab_encoded_write (encoded, shmlab_segment_get_data (segment),
                                       shmlab_segment_get_size (segment),
                                       SHMLAB_WRITE_FLAGS_NONE, generation, &written, &error));
  g_assert_no_error (error);
  g_assert_true (shmlab_segment_unlock (segment, &error));
}

/* A segment holding @encoded exactly. */
static ShmlabSegment *
segment_new_with (const char    *key,
                  ShmlabEncoded *encoded)
{
  ShmlabSegment *segment = segment_new (key, shmlab_encoded_get_size (encoded));

  segment_write_encoded (segment, encoded, 1);
  return segment;
}

/* The texture on show holds exactly @image's pixels. */
static void
assert_texture_equals (GdkTexture  *texture,
                       ShmlabImage *image)
{
  int width, height;
  gsize stride;
  g_autofree guint8 *argb = NULL;

  g_assert_nonnull (texture);
  width = gdk_texture_get_width (texture);
  height = gdk_texture_get_height (texture);
  g_assert_cmpint (width, ==, image->width);
  g_assert_cmpint (height, ==, image->height);

  stride = (gsize) width * 4;
  argb = g_malloc0 (stride * height);
  /* Premultiplied ARGB32 in native order: for opaque pixels, the straight values. */
  gdk_texture_download (texture, argb, stride);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint32 pixel;
        const guint8 *p = image->pixels + (gsize) y * image->stride + (gsize) x * 4;

        memcpy (&pixel, argb + (gsize) y * stride + (gsize) x * 4, 4);
        if ((pixel >> 24) != p[3] || ((pixel >> 16) & 0xff) != p[0] ||
            ((pixel >> 8) & 0xff) != p[1] || (pixel & 0xff) != p[2])
          shmlab_test_fail ("pixel (%d, %d) is ARGB %08x on screen, RGBA %02x%02x%02x%02x in the "
                            "segment",
                            x, y, pixel, p[0], p[1], p[2], p[3]);
      }
}

static gboolean
contains (const char *haystack,
          const char *needle)
{
  gboolean found = haystack != NULL && strstr (haystack, needle) != NULL;

  if (!found)
    g_test_message ("“%s” not found in: %s", needle, haystack ? haystack : "(null)");
  return found;
}

static const char *
page_of (ShmlabReaderStation *window)
{
  return shmlab_content_view_get_page (shmlab_reader_station_get_content_view (window));
}

static char *
text_of (ShmlabReaderStation *window)
{
  return shmlab_content_view_get_text (shmlab_reader_station_get_content_view (window));
}

static char *
log_of (ShmlabReaderStation *window)
{
  return shmlab_step_log_to_text (shmlab_station_get_step_log (SHMLAB_STATION (window)));
}

static void
read_now (ShmlabReaderStation *window)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.read", NULL));
  wait_next_result (window);
}

static gboolean
button_sensitive (ShmlabReaderStation *window,
                  const char         *action)
{
  GtkWidget *button = shmlab_test_find_actionable (GTK_WIDGET (window), action);
  GtkWidget *titlebar = shmlab_test_find_by_type (GTK_WIDGET (window), GTK_TYPE_HEADER_BAR);

  if (button == NULL && titlebar != NULL)
    button = shmlab_test_find_actionable (titlebar, action);
  g_assert_nonnull (button);
  return gtk_widget_is_sensitive (button);
}

static void
test_new_destroy (void)
{
  g_autofree char *key = shmlab_test_unique_key ("rnew");
  ShmlabReaderStation *window = reader_new (key);

  g_assert_cmpstr (gtk_window_get_title (shmlab_test_window_of (window)), ==, "ShmLab Reader");
  g_assert_nonnull (shmlab_station_get_session (SHMLAB_STATION (window)));
  g_assert_false (shmlab_reader_station_get_following (window));
  g_assert_true (button_sensitive (window, "win.read"));
  g_assert_true (button_sensitive (window, "win.follow"));
  g_assert_cmpstr (shmlab_station_get_side_page (SHMLAB_STATION (window)), ==, "steps");
  reader_close (window);
}

static void
test_read_text (void)
{
  g_autofree char *key = shmlab_test_unique_key ("rtext");
  g_autoptr(ShmlabPayload) payload = shmlab_payload_new_text ("Hello, 共享内存", -1);
  g_autoptr(ShmlabEncoded) encoded = encode (payload, SHMLAB_FORMAT_TEXT);
  g_autoptr(ShmlabSegment) writer = segment_new_with (key, encoded);
  ShmlabReaderStation *window = reader_new (key);
  g_autofree char *text = NULL;
  g_autofree char *log = NULL;

  read_now (window);
  g_assert_cmpstr (page_of (window), ==, "text");
  text = text_of (window);
  g_assert_cmpstr (text, ==, "Hello, 共享内存");
  g_assert_null (shmlab_reader_station_get_problem (window));
  /* Captioned as a picture is: "Hello, " is 7 bytes, 共享内存 12. */
  g_assert_cmpstr (shmlab_content_view_get_caption (shmlab_reader_station_get_content_view (window)),
                   ==, "19 bytes · 11 characters · 1 line · UTF-8 · plain text (Qt demo)");

  /* The log shows the protocol, and the read left the segment alone. */
  log = log_of (window);
  g_assert_true (contains (log, "attach"));
  g_assert_true (contains (log, "lock"));
  g_assert_true (contains (log, "copy"));
  g_assert_true (contains (log, "unlock"));
  g_assert_true (contains (log, "detach"));
  g_assert_false (shmlab_session_get_attached (shmlab_station_get_session (SHMLAB_STATION (window))));
  g_assert_true (shmlab_segment_is_attached (writer));
  reader_close (window);
}

/* Read asked for by the user: the focus moves onto what it shows, the text
 * read or the sentence saying why not, which a screen reader reads; a read
 * at start moves nothing. */
static void
test_read_result_focus (void)
{
  g_autofree char *key = shmlab_test_unique_key ("rfocus");
  g_autoptr(ShmlabPayload) payload = shmlab_payload_new_text ("你好", -1);
  g_autoptr(ShmlabEncoded) encoded = encode (payload, SHMLAB_FORMAT_TEXT);
  g_autoptr(ShmlabSegment) writer = segment_new_with (key, encoded);
  ShmlabReaderStation *window = reader_new (key);
  ShmlabKeyBar *key_bar = shmlab_station_get_key_bar (SHMLAB_STATION (window));
  GtkWidget *focus;
  GtkTextIter start, end;
  g_autofree char *text = NULL;
  g_autofree char *missing = shmlab_test_unique_key ("rfocusnone");
  const char *said;

  shmlab_reader_station_read (window);
  wait_next_result (window);
  g_assert_cmpstr (page_of (window), ==, "text");
  g_assert_false (GTK_IS_TEXT_VIEW (gtk_root_get_focus (GTK_ROOT (shmlab_test_window_of (window)))));

  read_now (window);
  focus = gtk_root_get_focus (GTK_ROOT (shmlab_test_window_of (window)));
  g_assert_true (GTK_IS_TEXT_VIEW (focus));
  gtk_text_buffer_get_bounds (gtk_text_view_get_buffer (GTK_TEXT_VIEW (focus)), &start, &end);
  text = gtk_text_iter_get_text (&start, &end);
  g_assert_cmpstr (text, ==, "你好");

  shmlab_key_bar_set_key (key_bar, missing);
  read_now (window);
  g_assert_cmpstr (page_of (window), ==, "problem");
  focus = gtk_root_get_focus (GTK_ROOT (shmlab_test_window_of (window)));
  g_assert_true (GTK_IS_LABEL (focus));
  said = gtk_label_get_text (GTK_LABEL (focus));
  g_assert_true (contains (said, missing));
  g_assert_true (contains (shmlab_reader_station_get_problem (window), said));
  /* The segment read is still there, held by the test. */
  g_assert_true (shmlab_segment_is_attached (writer));
  reader_close (window);
}

static void
test_read_image (gconstpointer data)
{
  ShmlabFormat format = GPOINTER_TO_INT (data);
  g_autofree char *key = shmlab_test_unique_key ("rimage");
  g_autoptr(ShmlabImage) image = shmlab_test_gradient_new (67, 45);
  g_autoptr(ShmlabPayload) payload = shmlab_payload_new_image (image);
  g_autoptr(ShmlabEncoded) encoded = encode (payload, format);
  g_autoptr(ShmlabSegment) writer = segment_new_with (key, encoded);
  ShmlabReaderStation *window = reader_new (key);
  ShmlabContentView *view = shmlab_reader_station_get_content_view (window);

  read_now (window);
  g_assert_cmpstr (page_of (window), ==, "image");
  assert_texture_equals (shmlab_content_view_get_texture (view), image);
  g_assert_true (contains (shmlab_content_view_get_caption (view), "67"));
  g_assert_true (contains (shmlab_content_view_get_caption (view), "45"));
  g_assert_true (shmlab_segment_is_attached (writer));
  reader_close (window);
}

/* Nothing under the key: the window says so and how to fix it. */
static void
test_read_not_found (void)
{
  g_autofree char *key = shmlab_test_unique_key ("rnone");
  ShmlabReaderStation *window = reader_new (key);
  g_autofree char *log = NULL;

  read_now (window);
  g_assert_cmpstr (page_of (window), ==, "problem");
  g_assert_true (contains (shmlab_reader_station_get_problem (window), "No segment"));
  g_assert_true (contains (shmlab_reader_station_get_problem (window), key));
  g_assert_true (contains (shmlab_reader_station_get_problem (window), "start the writer"));
  log = log_of (window);
  g_assert_true (contains (log, "start the writer"));
  reader_close (window);
}

/* The key has a segment, but in the other backend: the window names it. */
static void
test_read_other_backend (void)
{
  g_autofree char *key = shmlab_test_unique_key ("rother");
  g_autoptr(ShmlabPayload) payload = shmlab_payload_new_text ("over here", -1);
  g_autoptr(ShmlabEncoded) encoded = encode (payload, SHMLAB_FORMAT_TEXT);
  g_autoptr(ShmlabSegment) writer = segment_new_with (key, encoded);
  ShmlabReaderStation *window = reader_new (key);
  ShmlabKeyBar *key_bar = shmlab_station_get_key_bar (SHMLAB_STATION (window));
  g_autofree char *expected = NULL;

  shmlab_key_bar_set_backend (key_bar, SHMLAB_BACKEND_POSIX);
  read_now (window);
  g_assert_cmpstr (page_of (window), ==, "problem");
  expected = g_strdup_printf ("no POSIX segment has the key “%s”, but a System V one does: "
                              "choose System V", key);
  g_assert_true (contains (shmlab_reader_station_get_problem (window), expected));

  /* Choosing it reads it. */
  shmlab_key_bar_set_backend (key_bar, SHMLAB_BACKEND_SYSV);
  read_now (window);
  {
    g_autofree char *text = text_of (window);
    g_assert_cmpstr (text, ==, "over here");
  }
  g_assert_true (shmlab_segment_is_attached (writer));
  reader_close (window);
}

/* A file a writer left (the File backend keeps it): read a while later by
 * a Reader on File; a Reader on System V is told which backend has it. */
static void
test_read_kept_file (void)
{
  g_autofree char *key = shmlab_test_unique_key ("rfile");
  g_autofree char *out = NULL, *err = NULL;
  ShmlabReaderStation *window = NULL;
  ShmlabKeyBar *key_bar = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_assert_true (shmlab_test_run_cli (&out, &err, &status, "write", key, "--backend", "file",
                                      "--text", "kept in a file", "--hold", "0", "-q", NULL));
  g_assert_cmpint (status, ==, 0);

  window = reader_new (key);
  key_bar = shmlab_station_get_key_bar (SHMLAB_STATION (window));
  read_now (window);
  g_assert_cmpstr (page_of (window), ==, "problem");
  expected = g_strdup_printf ("no System V segment has the key “%s”, but a File one does: "
                              "choose File", key);
  g_assert_true (contains (shmlab_reader_station_get_problem (window), expected));

  shmlab_key_bar_set_backend (key_bar, SHMLAB_BACKEND_FILE);
  read_now (window);
  {
    g_autofree char *text = text_of (window);
    g_assert_cmpstr (text, ==, "kept in a file");
  }
  reader_close (window);
  /* Read and closed: the file is still there, for the next reader. */
  g_assert_true (shmlab_segment_remove_key (key, SHMLAB_BACKEND_FILE, FALSE, &error));
  g_assert_no_error (error);
}

typedef struct
{
  ShmlabReaderStation *window;
  const char *text;
} TextWait;

static gboolean
shows_text (gpointer data)
{
  TextWait *wait = data;
  g_autofree char *text = NULL;

  if (g_strcmp0 (page_of (wait->window), "text") != 0)
    return FALSE;
  text = text_of (wait->window);
  return g_strcmp0 (text, wait->text) == 0;
}

static void
wait_for_text (ShmlabReaderStation *window,
               const char         *expected)
{
  TextWait wait = { window, expected };
  g_autofree char *what = g_strdup_printf ("the window to show “%s”", expected);

  shmlab_test_wait_until (shows_text, &wait, WAIT_SECONDS, what);
}

static void
write_text_as (ShmlabSegment *segment,
               const char    *text,
               ShmlabFormat   format,
               guint64        generation)
{
  g_autoptr(ShmlabPayload) payload = shmlab_payload_new_text (text, -1);
  g_autoptr(ShmlabEncoded) encoded = encode (payload, format);

  segment_write_encoded (segment, encoded, generation);
}

/* Follow: each write shows, the last of three in a row too; off detaches. */
static void
test_follow (gconstpointer data)
{
  ShmlabFormat format = GPOINTER_TO_INT (data);
  g_autofree char *key = shmlab_test_unique_key ("rfollow");
  g_autoptr(ShmlabSegment) writer = segment_new (key, 4096);
  ShmlabReaderStation *window = reader_new (key);
  ShmlabSession *session = shmlab_station_get_session (SHMLAB_STATION (window));

  write_text_as (writer, "zeroth", format, 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.follow", NULL));
  g_assert_true (shmlab_reader_station_get_following (window));
  wait_for_text (window, "zeroth");
  g_assert_true (shmlab_session_get_attached (session));
  /* Reading once and the steps make no sense while following. */
  g_assert_false (button_sensitive (window, "win.read"));
  g_assert_false (button_sensitive (window, "win.step-attach"));

  /* Three writes in a row, with no chance for the window to poll between them. */
  write_text_as (writer, "first", format, 2);
  write_text_as (writer, "second", format, 3);
  write_text_as (writer, "third", format, 4);
  wait_for_text (window, "third");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.follow", NULL));
  g_assert_false (shmlab_reader_station_get_following (window));
  /* The poll in flight returns, then the detach runs. */
  shmlab_test_wait_until (session_detached, session, WAIT_SECONDS, "the detach after Follow");
  g_assert_true (button_sensitive (window, "win.read"));
  reader_close (window);
}

static gboolean
log_mentions_gone (gpointer data)
{
  g_autofree char *log = log_of (data);
  return strstr (log, "the segment is gone") != NULL;
}

typedef struct
{
  ShmlabSession *session;
  guint ops;
} OpCount;

static void
count_ops (ShmlabSession *session,
           GParamSpec    *pspec,
           OpCount       *count)
{
  if (!shmlab_session_get_busy (session))
    count->ops++;
}

static gboolean
three_more_ops (gpointer data)
{
  return ((OpCount *) data)->ops >= 3;
}

/* A followed segment that goes away is said once; when it is back, it shows. */
static void
test_follow_gone (void)
{
  g_autofree char *key = shmlab_test_unique_key ("rgone");
  ShmlabSegment *writer = segment_new (key, 4096);
  ShmlabReaderStation *window = reader_new (key);
  ShmlabSession *session = shmlab_station_get_session (SHMLAB_STATION (window));
  OpCount count = { session, 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL;
  gulong handler;

  write_text_as (writer, "before", SHMLAB_FORMAT_FRAME, 1);
  shmlab_reader_station_set_following (window, TRUE);
  wait_for_text (window, "before");

  g_clear_object (&writer);
  /* The Reader keeps it alive by being attached: remove it for good. */
  g_assert_true (shmlab_segment_remove_key (key, SHMLAB_BACKEND_SYSV, TRUE, &error));
  g_assert_no_error (error);
  shmlab_test_wait_until (log_mentions_gone, window, WAIT_SECONDS,
                          "the window to say the segment is gone");
  g_assert_cmpstr (page_of (window), ==, "problem");
  g_assert_true (contains (shmlab_reader_station_get_problem (window), "waiting for the writer"));

  /* It keeps looking, quietly. */
  handler = g_signal_connect (session, "notify::busy", G_CALLBACK (count_ops), &count);
  shmlab_test_wait_until (three_more_ops, &count, WAIT_SECONDS, "three more polls");
  g_signal_handler_disconnect (session, handler);
  log = log_of (window);
  g_assert_cmpuint (shmlab_test_count_occurrences (log, "the segment is gone"), ==, 1);

  writer = segment_new (key, 4096);
  write_text_as (writer, "after", SHMLAB_FORMAT_FRAME, 1);
  wait_for_text (window, "after");

  shmlab_reader_station_set_following (window, FALSE);
  reader_close (window);
  g_clear_object (&writer);
}

/* Another holder of the lock: the window waits, says so, then reads. */
static void
test_wait_for_lock (void)
{
  g_autofree char *key = shmlab_test_unique_key ("rwait");
  g_autoptr(ShmlabPayload) payload = shmlab_payload_new_text ("behind the lock", -1);
  g_autoptr(ShmlabEncoded) encoded = encode (payload, SHMLAB_FORMAT_TEXT);
  g_autoptr(ShmlabSegment) writer = segment_new_with (key, encoded);
  g_autoptr(GError) error = NULL;
  ShmlabReaderStation *window = reader_new (key);
  ShmlabSession *session = shmlab_station_get_session (SHMLAB_STATION (window));
  guint results = shmlab_reader_station_get_n_results (window);
  g_autofree char *log = NULL;

  shmlab_session_set_lock_timeout (session, -1);
  g_assert_true (shmlab_segment_lock (writer, NULL, &error));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.read", NULL));
  shmlab_test_wait_until (session_waiting, window, WAIT_SECONDS, "the read to wait for the lock");
  g_assert_true (shmlab_wait_bar_is_shown (shmlab_station_get_wait_bar (SHMLAB_STATION (window))));
  g_assert_false (button_sensitive (window, "win.read"));
  g_assert_cmpuint (shmlab_reader_station_get_n_results (window), ==, results);
  log = log_of (window);
  g_assert_true (contains (log, "waiting for the lock"));

  g_assert_true (shmlab_segment_unlock (writer, &error));
  wait_next_result (window);
  wait_for_text (window, "behind the lock");
  g_assert_false (shmlab_session_get_waiting (session));
  g_assert_true (button_sensitive (window, "win.read"));
  reader_close (window);
}

static void
test_lock_timeout (void)
{
  g_autofree char *key = shmlab_test_unique_key ("rtimeout");
  g_autoptr(ShmlabPayload) payload = shmlab_payload_new_text ("never read", -1);
  g_autoptr(ShmlabEncoded) encoded = encode (payload, SHMLAB_FORMAT_TEXT);
  g_autoptr(ShmlabSegment) writer = segment_new_with (key, encoded);
  g_autoptr(GError) error = NULL;
  ShmlabReaderStation *window = reader_new (key);
  g_autofree char *log = NULL;

  shmlab_session_set_lock_timeout (shmlab_station_get_session (SHMLAB_STATION (window)), 1000);
  g_assert_true (shmlab_segment_lock (writer, NULL, &error));
  read_now (window);
  g_assert_true (shmlab_segment_unlock (writer, &error));

  g_assert_cmpstr (page_of (window), ==, "problem");
  g_assert_true (contains (shmlab_reader_station_get_problem (window), "not released in time"));
  g_assert_true (contains (shmlab_reader_station_get_problem (window), "1000 ms"));
  log = log_of (window);
  g_assert_true (contains (log, "1000 ms"));
  g_assert_false (shmlab_wait_bar_is_shown (shmlab_station_get_wait_bar (SHMLAB_STATION (window))));
  reader_close (window);
}

static void
finalized (gpointer  data,
           GObject  *where_the_object_was)
{
  *(gboolean *) data = TRUE;
}

/* Closing the window mid-wait cancels the wait: no hang, no crash. */
static void
test_close_while_waiting (void)
{
  g_autofree char *key = shmlab_test_unique_key ("rclose");
  g_autoptr(ShmlabPayload) payload = shmlab_payload_new_text ("unread", -1);
  g_autoptr(ShmlabEncoded) encoded = encode (payload, SHMLAB_FORMAT_TEXT);
  g_autoptr(ShmlabSegment) writer = segment_new_with (key, encoded);
  g_autoptr(GError) error = NULL;
  ShmlabReaderStation *window = reader_new (key);
  gboolean gone = FALSE;

  shmlab_session_set_lock_timeout (shmlab_station_get_session (SHMLAB_STATION (window)), -1);
  g_assert_true (shmlab_segment_lock (writer, NULL, &error));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.read", NULL));
  shmlab_test_wait_until (session_waiting, window, WAIT_SECONDS, "the read to wait for the lock");

  g_object_weak_ref (G_OBJECT (window), finalized, &gone);
  gtk_window_destroy (shmlab_test_window_of (window));
  g_object_unref (window);
  shmlab_test_wait_until (shmlab_test_flag_set, &gone, WAIT_SECONDS,
                          "the closed window to go away while the lock is still held");
  g_assert_true (shmlab_segment_unlock (writer, &error));
}

static gint
attach_count (const char *key)
{
  ShmlabSegmentInfo info;
  g_autoptr(GError) error = NULL;

  g_assert_true (shmlab_segment_query_key (key, SHMLAB_BACKEND_SYSV, &info, &error));
  g_assert_no_error (error);
  return info.exists ? info.attach_count : -1;
}

static gboolean
count_tick (gpointer data)
{
  (*(guint *) data)++;
  return G_SOURCE_CONTINUE;
}

static gboolean
ticked_thrice (gpointer data)
{
  return *(guint *) data >= 3;
}

/* Closing the window while it is the segment's last user and another
 * process holds the lock: the window goes at once, the main loop runs on,
 * and the detach, once the holder lets go, removes the segment. */
static void
test_close_while_locked (void)
{
  g_autofree char *key = shmlab_test_unique_key ("rcloselocked");
  g_autoptr(ShmlabPayload) payload = shmlab_payload_new_text ("the reader stays last", -1);
  g_autoptr(ShmlabEncoded) encoded = encode (payload, SHMLAB_FORMAT_TEXT);
  ShmlabSegment *writer = segment_new_with (key, encoded);
  ShmlabReaderStation *window = reader_new (key);
  g_autoptr(GSubprocess) holder = NULL;
  gboolean gone = FALSE;
  guint ticks = 0;
  guint tick;

  /* Longer than any test runs: only the holder letting go ends the wait. */
  shmlab_session_set_lock_timeout (shmlab_station_get_session (SHMLAB_STATION (window)), 600 * 1000);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.step-by-step", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.step-attach", NULL));
  shmlab_test_wait_until (session_idle, window, WAIT_SECONDS, "attach");
  g_assert_true (shmlab_session_get_attached (shmlab_station_get_session (SHMLAB_STATION (window))));
  g_clear_object (&writer);
  g_assert_cmpint (attach_count (key), ==, 1);
  holder = shmlab_test_start_lock_holder (key, SHMLAB_BACKEND_SYSV);

  g_object_weak_ref (G_OBJECT (window), finalized, &gone);
  gtk_window_destroy (shmlab_test_window_of (window));
  g_object_unref (window);
  shmlab_test_wait_until (shmlab_test_flag_set, &gone, WAIT_SECONDS,
                          "the closed window to go away while the lock is still held");
  g_assert_cmpuint (shmlab_session_count_closing (), ==, 1);

  tick = g_timeout_add (1, count_tick, &ticks);
  shmlab_test_wait_until (ticked_thrice, &ticks, WAIT_SECONDS, "the main loop to run on");
  g_source_remove (tick);
  g_assert_cmpint (attach_count (key), ==, 1);
  g_assert_cmpuint (shmlab_session_count_closing (), ==, 1);

  shmlab_test_release_lock_holder (holder);
  shmlab_test_wait_until (shmlab_test_all_detached, NULL, WAIT_SECONDS, "the detach once the lock is free");
  g_assert_cmpint (attach_count (key), ==, -1);
}

/* The steps one at a time, each button usable only when the step makes sense. */
static void
test_step_by_step (void)
{
  g_autofree char *key = shmlab_test_unique_key ("rsteps");
  g_autoptr(ShmlabPayload) payload = shmlab_payload_new_text ("one step at a time", -1);
  g_autoptr(ShmlabEncoded) encoded = encode (payload, SHMLAB_FORMAT_TEXT);
  g_autoptr(ShmlabSegment) writer = segment_new_with (key, encoded);
  ShmlabReaderStation *window = reader_new (key);
  ShmlabSession *session = shmlab_station_get_session (SHMLAB_STATION (window));
  GtkWidget *widget = GTK_WIDGET (window);

  g_assert_true (gtk_widget_activate_action (widget, "win.step-by-step", NULL));
  g_assert_true (shmlab_station_get_step_by_step (SHMLAB_STATION (window)));
  g_assert_true (gtk_widget_is_visible (shmlab_test_find_actionable (widget, "win.step-lock")));

  g_assert_true (button_sensitive (window, "win.step-attach"));
  g_assert_false (button_sensitive (window, "win.step-lock"));
  g_assert_false (button_sensitive (window, "win.step-read"));
  g_assert_false (button_sensitive (window, "win.step-unlock"));
  g_assert_false (button_sensitive (window, "win.step-detach"));

  gtk_widget_activate_action (widget, "win.step-attach", NULL);
  shmlab_test_wait_until (session_idle, window, WAIT_SECONDS, "attach");
  g_assert_true (shmlab_session_get_attached (session));
  g_assert_false (button_sensitive (window, "win.step-attach"));
  g_assert_true (button_sensitive (window, "win.step-lock"));
  g_assert_false (button_sensitive (window, "win.step-read"));
  g_assert_true (button_sensitive (window, "win.step-detach"));

  gtk_widget_activate_action (widget, "win.step-lock", NULL);
  shmlab_test_wait_until (session_idle, window, WAIT_SECONDS, "lock");
  g_assert_true (shmlab_session_get_locked (session));
  g_assert_false (button_sensitive (window, "win.step-lock"));
  g_assert_true (button_sensitive (window, "win.step-read"));
  g_assert_true (button_sensitive (window, "win.step-unlock"));
  /* Holding the lock, a one-click read would wait for itself. */
  g_assert_false (button_sensitive (window, "win.read"));

  gtk_widget_activate_action (widget, "win.step-read", NULL);
  wait_next_result (window);
  wait_for_text (window, "one step at a time");
  g_assert_true (shmlab_session_get_locked (session));

  gtk_widget_activate_action (widget, "win.step-unlock", NULL);
  shmlab_test_wait_until (session_idle, window, WAIT_SECONDS, "unlock");
  g_assert_false (shmlab_session_get_locked (session));
  g_assert_true (button_sensitive (window, "win.step-lock"));
  g_assert_false (button_sensitive (window, "win.step-read"));

  gtk_widget_activate_action (widget, "win.step-detach", NULL);
  shmlab_test_wait_until (session_idle, window, WAIT_SECONDS, "detach");
  g_assert_false (shmlab_session_get_attached (session));
  g_assert_true (button_sensitive (window, "win.step-attach"));
  g_assert_false (button_sensitive (window, "win.step-detach"));

  /* The writer's segment lived on while the Reader came and went. */
  g_assert_true (shmlab_segment_is_attached (writer));
  gtk_widget_activate_action (widget, "win.step-by-step", NULL);
  g_assert_false (gtk_widget_is_visible (shmlab_test_find_actionable (widget, "win.step-lock")));
  reader_close (window);
}

/* Reads a segment holding @bytes and returns the window, which showed a
 * problem or a text with a warning. */
static ShmlabReaderStation *
read_bad_segment (const char   *key,
                  const guint8 *bytes,
                  gsize         length)
{
  g_autoptr(ShmlabSegment) writer = segment_new (key, length);
  ShmlabReaderStation *window;

  segment_write_bytes (writer, bytes, length);
  window = reader_new (key);
  read_now (window);
  g_test_message ("page %s: %s", page_of (window), shmlab_reader_station_get_problem (window));
  return window;
}

/* The problem named, and the bytes one click away in front. */
static void
assert_problem (ShmlabReaderStation *window,
                const char         *word)
{
  g_autofree char *log = log_of (window);

  g_assert_cmpstr (page_of (window), ==, "problem");
  g_assert_true (contains (shmlab_reader_station_get_problem (window), word));
  g_assert_true (contains (log, word));
  g_assert_cmpstr (shmlab_station_get_side_page (SHMLAB_STATION (window)), ==, "segment");
  g_assert_nonnull (shmlab_inspector_get_bytes (shmlab_station_get_inspector (SHMLAB_STATION (window))));
}

static void
test_bad_garbage (void)
{
  g_autofree char *key = shmlab_test_unique_key ("rgarbage");
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240611);
  guint8 bytes[4096];
  ShmlabReaderStation *window;
  g_autofree char *text = NULL;

  /* No NUL, so all of it is taken for text, and most of it is not. */
  for (gsize i = 0; i < sizeof bytes; i++)
    bytes[i] = g_rand_int_range (rand, 1, 256);
  window = read_bad_segment (key, bytes, sizeof bytes);
  g_assert_cmpstr (page_of (window), ==, "text");
  text = text_of (window);
  g_assert_true (contains (text, "\xef\xbf\xbd"));
  g_assert_true (contains (shmlab_reader_station_get_problem (window), "not valid UTF-8"));
  g_assert_cmpstr (shmlab_station_get_side_page (SHMLAB_STATION (window)), ==, "segment");
  reader_close (window);
}

static GBytes *
encoded_bytes (ShmlabEncoded *encoded)
{
  g_autoptr(GError) error = NULL;
  gsize size = shmlab_encoded_get_size (encoded);
  guint8 *bytes = g_malloc0 (size);
  gsize written = 0;

  g_assert_true (shmlab_encoded_write (encoded, bytes, size, SHMLAB_WRITE_FLAGS_NONE, 1, &written,
                                       &error));
  g_assert_no_error (error);
  return g_bytes_new_take (bytes, size);
}

static void
put_le32 (guint8  *p,
          guint32  value)
{
  p[0] = value;
  p[1] = value >> 8;
  p[2] = value >> 16;
  p[3] = value >> 24;
}

static void
test_bad_frame_dimensions (void)
{
  g_autofree char *key = shmlab_test_unique_key ("rlying");
  g_autoptr(ShmlabImage) image = shmlab_test_gradient_new (16, 16);
  g_autoptr(ShmlabPayload) payload = shmlab_payload_new_image (image);
  g_autoptr(ShmlabEncoded) encoded = encode (payload, SHMLAB_FORMAT_FRAME);
  g_autoptr(GBytes) good = encoded_bytes (encoded);
  gsize length;
  g_autofree guint8 *bytes = g_memdup2 (g_bytes_get_data (good, &length), g_bytes_get_size (good));
  ShmlabReaderStation *window;

  /* A width the segment has no room for, then one beyond any picture. */
  put_le32 (bytes + 16, 1000);
  window = read_bad_segment (key, bytes, length);
  assert_problem (window, "stride");
  assert_problem (window, "1000 pixels");
  reader_close (window);

  g_clear_pointer (&key, g_free);
  key = shmlab_test_unique_key ("rhuge");
  put_le32 (bytes + 16, 60000);
  window = read_bad_segment (key, bytes, length);
  assert_problem (window, "width");
  assert_problem (window, "60000");
  reader_close (window);
}

static void
test_bad_frame_crc (void)
{
  g_autofree char *key = shmlab_test_unique_key ("rcrc");
  g_autoptr(ShmlabImage) image = shmlab_test_gradient_new (16, 16);
  g_autoptr(ShmlabPayload) payload = shmlab_payload_new_image (image);
  g_autoptr(ShmlabEncoded) encoded = encode (payload, SHMLAB_FORMAT_FRAME);
  g_autoptr(GBytes) good = encoded_bytes (encoded);
  gsize length;
  g_autofree guint8 *bytes = g_memdup2 (g_bytes_get_data (good, &length), g_bytes_get_size (good));
  ShmlabReaderStation *window;

  bytes[SHMLAB_FRAME_HEADER_SIZE + 100] ^= 0x5a;
  window = read_bad_segment (key, bytes, length);
  assert_problem (window, "CRC");
  reader_close (window);
}

static void
test_bad_qt_png (void)
{
  g_autofree char *key = shmlab_test_unique_key ("rqtpng");
  g_autoptr(ShmlabImage) image = shmlab_test_gradient_new (32, 32);
  g_autoptr(ShmlabPayload) payload = shmlab_payload_new_image (image);
  g_autoptr(ShmlabEncoded) encoded = encode (payload, SHMLAB_FORMAT_QT_IMAGE);
  g_autoptr(GBytes) good = encoded_bytes (encoded);
  gsize length;
  g_autofree guint8 *bytes = g_memdup2 (g_bytes_get_data (good, &length), g_bytes_get_size (good));
  ShmlabReaderStation *window;

  /* The stream's mark and the PNG signature stay; the chunks after are noise. */
  g_assert_cmpuint (length, >, 64);
  for (gsize i = 4 + 8 + 8; i < length; i++)
    bytes[i] ^= 0xa5;
  window = read_bad_segment (key, bytes, length);
  assert_problem (window, "PNG");
  reader_close (window);
}

static void
test_bad_one_byte (void)
{
  g_autofree char *key = shmlab_test_unique_key ("rone");
  const guint8 byte = 0xff;
  ShmlabReaderStation *window = read_bad_segment (key, &byte, 1);
  g_autofree char *text = NULL;

  g_assert_cmpstr (page_of (window), ==, "text");
  text = text_of (window);
  g_assert_cmpstr (text, ==, "\xef\xbf\xbd");
  g_assert_true (contains (shmlab_reader_station_get_problem (window), "not valid UTF-8"));
  g_assert_cmpstr (shmlab_station_get_side_page (SHMLAB_STATION (window)), ==, "segment");
  reader_close (window);
}

/* Ctrl+R reads, Ctrl+F follows; the main action has its mnemonic. */
static void
test_keys (void)
{
  g_autoptr(ShmlabReaderApplication) app = shmlab_reader_application_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) read = NULL;
  g_auto(GStrv) follow = NULL;
  g_autofree char *key = shmlab_test_unique_key ("rkeys");
  ShmlabReaderStation *window;
  GtkWidget *button;

  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  read = gtk_application_get_actions_for_accel (GTK_APPLICATION (app), "<Control>r");
  follow = gtk_application_get_actions_for_accel (GTK_APPLICATION (app), "<Control>f");
  g_assert_true (g_strv_contains ((const char *const *) read, "win.read"));
  g_assert_true (g_strv_contains ((const char *const *) follow, "win.follow"));

  window = reader_new (key);
  button = shmlab_test_find_actionable (shmlab_test_find_by_type (GTK_WIDGET (window), GTK_TYPE_HEADER_BAR), "win.read");
  g_assert_nonnull (button);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (button)), ==, "_Read from shared memory");
  g_assert_true (gtk_button_get_use_underline (GTK_BUTTON (button)));
  reader_close (window);
}

/* POSIX: a writer killed while it held the lock keeps a POSIX semaphore
 * taken for good; the Reader finds the dead holder's pid in the frame, takes
 * the lock over, reads, and says so instead of waiting for ever. */
static void
test_dead_holder_posix (void)
{
  g_autofree char *key = shmlab_test_unique_key ("rdead");
  g_autoptr(ShmlabPayload) payload = shmlab_payload_new_text ("written before the crash", -1);
  g_autoptr(ShmlabEncoded) encoded = encode (payload, SHMLAB_FORMAT_FRAME);
  g_autoptr(ShmlabSegment) writer = shmlab_segment_new (SHMLAB_BACKEND_POSIX);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *log = NULL;
  g_autofree char *pid_text = NULL;
  ShmlabReaderStation *window;
  int ready[2];
  char byte;
  pid_t holder;
  int status;

  g_assert_true (shmlab_segment_set_key (writer, key, &error));
  g_assert_true (shmlab_segment_create (writer, 4096, SHMLAB_ACCESS_READ_WRITE, NULL, &error));
  g_assert_no_error (error);
  segment_write_encoded (writer, encoded, 1);

  /* A child that takes the lock, says so, and is killed holding it. */
  g_assert_cmpint (pipe (ready), ==, 0);
  holder = fork ();
  g_assert_cmpint (holder, >=, 0);
  if (holder == 0)
    {
      g_autoptr(ShmlabSegment) child = shmlab_segment_new (SHMLAB_BACKEND_POSIX);

      if (!shmlab_segment_set_key (child, key, NULL) ||
          !shmlab_segment_attach (child, SHMLAB_ACCESS_READ_WRITE, NULL, NULL) ||
          !shmlab_segment_lock (child, NULL, NULL) || write (ready[1], "l", 1) != 1)
        _exit (2);
      for (;;)
        pause ();
    }
  close (ready[1]);
  g_assert_cmpint (read (ready[0], &byte, 1), ==, 1);
  close (ready[0]);
  g_assert_cmpint (kill (holder, SIGKILL), ==, 0);
  g_assert_cmpint (waitpid (holder, &status, 0), ==, holder);
  /* The writer's own handle would wait for that lock when it lets go. */
  shmlab_segment_set_lock_timeout (writer, 300);

  window = reader_new (key);
  shmlab_key_bar_set_backend (shmlab_station_get_key_bar (SHMLAB_STATION (window)), SHMLAB_BACKEND_POSIX);
  read_now (window);
  g_assert_cmpstr (page_of (window), ==, "text");
  text = text_of (window);
  g_assert_cmpstr (text, ==, "written before the crash");
  log = log_of (window);
  pid_text = g_strdup_printf ("process %d,", (int) holder);
  g_assert_true (contains (log, pid_text));
  g_assert_true (contains (log, "ended without giving it back"));
  g_assert_true (contains (log, "took the lock over"));
  reader_close (window);
}

/* The command line's options, read as the application reads them, then
 * given to a window: the key, the lock timeout and the side page; a page
 * that does not exist is refused with the way out. */
static void
test_options (void)
{
  g_autofree char *key = shmlab_test_unique_key ("options");
  g_autoptr(GVariantDict) dict = g_variant_dict_new (NULL);
  g_auto(ShmlabAppOptions) options = { 0 };
  g_autoptr(GError) error = NULL;
  ShmlabReaderStation *window;

  g_variant_dict_insert (dict, "key", "s", key);
  g_variant_dict_insert (dict, "lock-timeout", "i", 1234);
  g_variant_dict_insert (dict, "page", "s", "segment");
  g_assert_true (shmlab_app_options_read (dict, &options, &error));
  g_assert_no_error (error);

  window = shmlab_test_reader_new (NULL);
  g_object_ref (window);
  shmlab_app_options_apply (&options, SHMLAB_STATION (window));
  gtk_window_present (shmlab_test_window_of (window));
  g_assert_cmpstr (shmlab_key_bar_get_key (shmlab_station_get_key_bar (SHMLAB_STATION (window))), ==, key);
  g_assert_cmpint (shmlab_session_get_lock_timeout (shmlab_station_get_session (SHMLAB_STATION (window))),
                   ==, 1234);
  g_assert_cmpstr (shmlab_station_get_side_page (SHMLAB_STATION (window)), ==, "segment");
  reader_close (window);

  shmlab_app_options_clear (&options);
  g_variant_dict_insert (dict, "page", "s", "bytes");
  g_assert_false (shmlab_app_options_read (dict, &options, &error));
  g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
  g_assert_cmpstr (error->message, ==, "--page bytes: give “steps”, “segment” or “memory”");
}

/* `shmlab write KEY … --hold`, another process, once it has written; it
 * lets go when its standard input closes. */
static GSubprocess *
start_cli_writer (const char *key,
                  const char *size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) err = NULL;
  GSubprocess *process;
  gboolean holding = FALSE;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE |
                                G_SUBPROCESS_FLAGS_STDOUT_SILENCE,
                              &error, shmlab_test_cli_path (), "write", key, "--text",
                              "written by another process", "--size", size, NULL);
  g_assert_no_error (error);
  err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (process));
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (err), FALSE);
  while (!holding)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (err, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line); /* it ended before writing: its messages are above */
      holding = g_str_has_prefix (line, "holding");
    }
  return process;
}

/* A Reader opened before its Writer: the segment shows up in the key bar,
 * and goes again, with no click. */
static void
test_segment_appears (void)
{
  g_autofree char *key = shmlab_test_unique_key ("rappears");
  ShmlabReaderStation *window = reader_new (key);
  g_autoptr(GSubprocess) writer = NULL;
  g_autoptr(GError) error = NULL;
  guint results = shmlab_reader_station_get_n_results (window);

  shmlab_test_wait_for_status (SHMLAB_STATION (window), "no segment with this key", WAIT_SECONDS);
  writer = start_cli_writer (key, "4KiB");
  shmlab_test_wait_for_status (SHMLAB_STATION (window), "(4096 bytes)", WAIT_SECONDS);
  shmlab_test_wait_for_status (SHMLAB_STATION (window), "attach count 1", WAIT_SECONDS);
  g_assert_cmpuint (shmlab_reader_station_get_n_results (window), ==, results);
  g_assert_false (shmlab_session_get_attached (shmlab_station_get_session (SHMLAB_STATION (window))));

  /* The writer lets go; the last detach removes the segment. */
  g_assert_true (g_output_stream_close (g_subprocess_get_stdin_pipe (writer), NULL, &error));
  g_assert_true (g_subprocess_wait_check (writer, NULL, &error));
  g_assert_no_error (error);
  shmlab_test_wait_for_status (SHMLAB_STATION (window), "no segment with this key", WAIT_SECONDS);
  reader_close (window);
}

typedef struct
{
  ShmlabWaitBar *bar;
  const char *needle;
} WaitBarWait;

static gboolean
wait_bar_says (gpointer data)
{
  WaitBarWait *wait = data;
  const char *message = shmlab_wait_bar_get_message (wait->bar);

  return message != NULL && strstr (message, wait->needle) != NULL;
}

/* While the Reader waits, the wait bar and the key bar name the holder. */
static void
test_wait_names_holder (void)
{
  g_autofree char *key = shmlab_test_unique_key ("rholder");
  g_autoptr(ShmlabPayload) payload = shmlab_payload_new_text ("held elsewhere", -1);
  g_autoptr(ShmlabEncoded) encoded = encode (payload, SHMLAB_FORMAT_TEXT);
  g_autoptr(ShmlabSegment) writer = segment_new_with (key, encoded);
  ShmlabReaderStation *window = reader_new (key);
  ShmlabSession *session = shmlab_station_get_session (SHMLAB_STATION (window));
  ShmlabWaitBar *bar = shmlab_station_get_wait_bar (SHMLAB_STATION (window));
  g_autoptr(GSubprocess) holder = shmlab_test_start_lock_holder (key, SHMLAB_BACKEND_SYSV);
  g_autofree char *comm = shmlab_test_process_name (holder);
  g_autofree char *named = g_strdup_printf ("locked by another process: %s (%s)",
                                            g_subprocess_get_identifier (holder), comm);
  WaitBarWait wait = { bar, named };
  g_autofree char *status = NULL;

  /* The writer stays attached; another process holds the lock. */
  g_assert_true (shmlab_segment_is_attached (writer));
  shmlab_session_set_lock_timeout (session, -1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.read", NULL));
  shmlab_test_wait_until (session_waiting, window, WAIT_SECONDS, "the read to wait for the lock");
  shmlab_test_wait_until (wait_bar_says, &wait, WAIT_SECONDS, named);
  shmlab_test_wait_for_status (SHMLAB_STATION (window), named, WAIT_SECONDS);
  status = shmlab_key_bar_get_status_text (shmlab_station_get_key_bar (SHMLAB_STATION (window)));
  g_assert_false (contains (status, "not locked"));

  shmlab_test_release_lock_holder (holder);
  wait_next_result (window);
  wait_for_text (window, "held elsewhere");
  shmlab_test_wait_for_status (SHMLAB_STATION (window), "not locked", WAIT_SECONDS);
  reader_close (window);
}

typedef struct
{
  ShmlabReaderStation *window;
  const char *key;
} KeyWait;

static gboolean
problem_gone_with_key (gpointer data)
{
  KeyWait *wait = data;

  return shmlab_reader_station_get_problem (wait->window) == NULL &&
         g_strcmp0 (shmlab_session_get_key (shmlab_station_get_session (SHMLAB_STATION (wait->window))),
                    wait->key) == 0;
}

/* A read with an empty key says why; a key typed (no Enter) takes it away. */
static void
test_typed_key_clears_problem (void)
{
  g_autofree char *key = shmlab_test_unique_key ("rtyped");
  ShmlabReaderStation *window = reader_new (key);
  ShmlabKeyBar *key_bar = shmlab_station_get_key_bar (SHMLAB_STATION (window));
  GtkEditable *entry = NULL;
  KeyWait wait = { window, key };

  for (GtkWidget *w = gtk_widget_get_first_child (GTK_WIDGET (key_bar)); w != NULL && entry == NULL;)
    {
      if (GTK_IS_ENTRY (w))
        entry = GTK_EDITABLE (w);
      else if (gtk_widget_get_first_child (w) != NULL)
        w = gtk_widget_get_first_child (w);
      else
        {
          while (w != NULL && gtk_widget_get_next_sibling (w) == NULL)
            w = gtk_widget_get_parent (w);
          w = w ? gtk_widget_get_next_sibling (w) : NULL;
        }
    }
  g_assert_nonnull (entry);

  gtk_editable_set_text (entry, "");
  /* Refused at once, before anything starts. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.read", NULL));
  g_assert_true (contains (shmlab_reader_station_get_problem (window), "key is empty"));

  gtk_editable_set_text (entry, key);
  g_assert_null (shmlab_key_bar_get_error_text (key_bar));
  shmlab_test_wait_until (problem_gone_with_key, &wait, WAIT_SECONDS, "the key's problem to go");
  reader_close (window);
}

/* The labels under @root whose text holds @text. */
static void
collect_labels (GtkWidget  *root,
                const char *text,
                GPtrArray  *found)
{
  if (GTK_IS_LABEL (root) && strstr (gtk_label_get_text (GTK_LABEL (root)), text) != NULL)
    g_ptr_array_add (found, root);
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_labels (child, text, found);
}

/* Whether @label draws a glyph its text does not have: a hyphen Pango adds
 * where it breaks a word (one glyph per character otherwise, in Latin). */
static gboolean
draws_added_hyphen (GtkLabel *label)
{
  PangoLayout *layout = gtk_label_get_layout (label);
  PangoLayoutIter *iter = pango_layout_get_iter (layout);
  gboolean added = FALSE;

  do
    {
      PangoLayoutRun *run = pango_layout_iter_get_run_readonly (iter);

      if (run != NULL && run->glyphs->num_glyphs > run->item->num_chars)
        added = TRUE;
    }
  while (pango_layout_iter_next_run (iter));
  pango_layout_iter_free (iter);
  return added;
}

typedef struct
{
  ShmlabReaderStation *window;
  const char *text;
} LabelWait;

static gboolean
label_shown (gpointer data)
{
  LabelWait *wait = data;
  g_autoptr(GPtrArray) found = g_ptr_array_new ();

  collect_labels (GTK_WIDGET (wait->window), wait->text, found);
  for (guint i = 0; i < found->len; i++)
    if (gtk_widget_get_mapped (found->pdata[i]) && gtk_widget_get_width (found->pdata[i]) > 0)
      return TRUE;
  return FALSE;
}

/* At 1024 × 768 the step log keeps a readable column for its details (the
 * native name of setKey wraps onto a few lines, not ten), and the content
 * gives way. */
static void
test_layout_1024 (void)
{
  g_autofree char *key = shmlab_test_unique_key ("rlayout");
  g_autoptr(ShmlabPayload) payload = shmlab_payload_new_text ("Hello", -1);
  g_autoptr(ShmlabEncoded) encoded = encode (payload, SHMLAB_FORMAT_TEXT);
  g_autoptr(ShmlabSegment) writer = segment_new_with (key, encoded);
  ShmlabReaderStation *window = shmlab_test_reader_new (NULL);
  ShmlabKeyBar *key_bar = shmlab_station_get_key_bar (SHMLAB_STATION (window));
  g_autoptr(GPtrArray) found = g_ptr_array_new ();
  LabelWait wait = { window, "qipc_sharedmemory_" };
  GtkLabel *detail = NULL;
  int lines;

  g_object_ref (window);
  gtk_window_set_default_size (shmlab_test_window_of (window), 1024, 768);
  shmlab_key_bar_set_key (key_bar, key);
  shmlab_key_bar_set_backend (key_bar, SHMLAB_BACKEND_SYSV);
  gtk_window_present (shmlab_test_window_of (window));
  read_now (window);

  /* The setKey line: the key, an arrow, the native path. */
  shmlab_test_wait_until (label_shown, &wait, WAIT_SECONDS, "the setKey line to be drawn");
  collect_labels (GTK_WIDGET (shmlab_station_get_step_log (SHMLAB_STATION (window))),
                  "qipc_sharedmemory_", found);
  g_assert_cmpuint (found->len, >=, 1);
  detail = found->pdata[0];
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, 1024);
  g_test_message ("step detail column: %d px", gtk_widget_get_width (GTK_WIDGET (detail)));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (detail)), >=, 180);
  lines = pango_layout_get_line_count (gtk_label_get_layout (detail));
  g_test_message ("setKey detail: %d lines", lines);
  g_assert_cmpint (lines, <=, 7);
  g_assert_true (shmlab_segment_is_attached (writer));
  reader_close (window);
}

/* Every label that shows a native name keeps it whole: never a hyphen
 * added where it wraps, nor an ellipsis; and it can be selected and copied. */
static void
test_names_whole (void)
{
  /* Long enough to wrap even in the key bar. */
  g_autofree char *key = shmlab_test_unique_key ("rwhole-no-such-segment-with-a-name-so-long-"
                                                 "that-it-has-to-wrap-somewhere");
  ShmlabReaderStation *window = shmlab_test_reader_new (NULL);
  ShmlabKeyBar *key_bar = shmlab_station_get_key_bar (SHMLAB_STATION (window));
  g_autoptr(GPtrArray) found = g_ptr_array_new ();
  LabelWait wait = { window, "qipc_sharedmemory_" };
  gboolean key_bar_seen = FALSE;
  gboolean step_log_seen = FALSE;

  g_object_ref (window);
  gtk_window_set_default_size (shmlab_test_window_of (window), 1024, 768);
  shmlab_key_bar_set_key (key_bar, key);
  shmlab_key_bar_set_backend (key_bar, SHMLAB_BACKEND_SYSV);
  gtk_window_present (shmlab_test_window_of (window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.read", NULL));
  wait_next_result (window);
  shmlab_test_wait_until (label_shown, &wait, WAIT_SECONDS, "the native name to be drawn");

  collect_labels (GTK_WIDGET (window), "qipc_sharedmemory_", found);
  g_assert_cmpuint (found->len, >=, 2);
  for (guint i = 0; i < found->len; i++)
    {
      GtkLabel *label = found->pdata[i];

      if (!gtk_widget_get_mapped (GTK_WIDGET (label)))
        continue;
      g_test_message ("“%s”: %d lines", gtk_label_get_text (label),
                      pango_layout_get_line_count (gtk_label_get_layout (label)));
      g_assert_true (shmlab_label_is_shown_whole (label));
      g_assert_cmpint (gtk_label_get_ellipsize (label), ==, PANGO_ELLIPSIZE_NONE);
      g_assert_false (draws_added_hyphen (label));
      if (gtk_widget_is_ancestor (GTK_WIDGET (label), GTK_WIDGET (key_bar)))
        {
          key_bar_seen = TRUE;
          g_assert_true (gtk_label_get_selectable (label));
        }
      else if (gtk_widget_is_ancestor (GTK_WIDGET (label),
                                       GTK_WIDGET (shmlab_station_get_step_log (SHMLAB_STATION (window)))))
        {
          step_log_seen = TRUE;
          /* The case that showed hyphens: a name broken over lines. */
          g_assert_cmpint (pango_layout_get_line_count (gtk_label_get_layout (label)), >, 1);
        }
    }
  g_assert_true (key_bar_seen);
  g_assert_true (step_log_seen);
  reader_close (window);
}

int
main (int   argc,
      char *argv[])
{
  shmlab_test_init (&argc, &argv);
  gtk_init ();
  shmlab_app_support_init ();

  g_test_add_func ("/reader-window/new-destroy", test_new_destroy);
  g_test_add_func ("/reader-window/options", test_options);
  g_test_add_func ("/reader-window/keys", test_keys);
  g_test_add_func ("/reader-window/read/text", test_read_text);
  g_test_add_func ("/reader-window/a11y/read-result-focus", test_read_result_focus);
  g_test_add_func ("/reader-window/read/other-backend", test_read_other_backend);
  g_test_add_func ("/reader-window/read/kept-file", test_read_kept_file);
  g_test_add_data_func ("/reader-window/read/image-frame", GINT_TO_POINTER (SHMLAB_FORMAT_FRAME),
                        test_read_image);
  g_test_add_data_func ("/reader-window/read/image-qt", GINT_TO_POINTER (SHMLAB_FORMAT_QT_IMAGE),
                        test_read_image);
  g_test_add_func ("/reader-window/read/not-found", test_read_not_found);
  g_test_add_data_func ("/reader-window/follow/frame", GINT_TO_POINTER (SHMLAB_FORMAT_FRAME),
                        test_follow);
  g_test_add_data_func ("/reader-window/follow/text", GINT_TO_POINTER (SHMLAB_FORMAT_TEXT),
                        test_follow);
  g_test_add_func ("/reader-window/follow/gone", test_follow_gone);
  g_test_add_func ("/reader-window/lock/wait", test_wait_for_lock);
  g_test_add_func ("/reader-window/live/segment-appears", test_segment_appears);
  g_test_add_func ("/reader-window/live/wait-names-holder", test_wait_names_holder);
  g_test_add_func ("/reader-window/live/typed-key-clears-problem", test_typed_key_clears_problem);
  g_test_add_func ("/reader-window/lock/timeout", test_lock_timeout);
  g_test_add_func ("/reader-window/lock/close-while-waiting", test_close_while_waiting);
  g_test_add_func ("/reader-window/lock/close-while-locked", test_close_while_locked);
  g_test_add_func ("/reader-window/lock/dead-holder-posix", test_dead_holder_posix);
  g_test_add_func ("/reader-window/step-by-step", test_step_by_step);
  g_test_add_func ("/reader-window/bad/garbage", test_bad_garbage);
  g_test_add_func ("/reader-window/bad/frame-dimensions", test_bad_frame_dimensions);
  g_test_add_func ("/reader-window/bad/frame-crc", test_bad_frame_crc);
  g_test_add_func ("/reader-window/bad/qt-corrupt-png", test_bad_qt_png);
  g_test_add_func ("/reader-window/bad/one-byte", test_bad_one_byte);
  g_test_add_func ("/reader-window/layout-1024", test_layout_1024);
  g_test_add_func ("/reader-window/names-whole", test_names_whole);

  return g_test_run ();
}
