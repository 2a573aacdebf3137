/* test-writer-window.c — the Writer's window, built and driven in-process
 * through its actions, its segments checked from outside
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "shmlab-app-support.h"
#include "shmlab-content-view.h"
#include "shmlab-error.h"
#include "shmlab-memory-view.h"
#include "shmlab-payload.h"
#include "shmlab-png.h"
#include "shmlab-segment.h"
#include "shmlab-step-log.h"
#include "shmlab-test-gtk.h"
#include "shmlab-test-util.h"
#include "shmlab-writer-pane.h"
#include "shmlab-writer-station.h"

/* A bound on every wait: reaching it fails the test, it never paces it. */
#define WAIT_SECONDS 60

static gboolean
window_idle (gpointer data)
{
  ShmlabWriterStation *window = data;
  return !shmlab_station_get_busy (SHMLAB_STATION (window));
}

static gboolean
widget_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static gboolean
session_waiting (gpointer data)
{
  return shmlab_session_get_waiting (data);
}

static ShmlabWriterStation *
window_new (const char *key)
{
  ShmlabWriterStation *window = g_object_ref_sink (shmlab_test_writer_new (NULL));

  shmlab_key_bar_set_key (shmlab_station_get_key_bar (SHMLAB_STATION (window)), key);
  gtk_window_present (shmlab_test_window_of (window));
  shmlab_test_wait_until (widget_mapped, window, WAIT_SECONDS, "the window to show");
  return window;
}

static gboolean
all_detached (gpointer data)
{
  return shmlab_session_count_closing () == 0;
}

/* Destroys the window and proves it, and its session, went away; then
 * waits for the session's detach, which runs in a thread. */
static void
window_close (ShmlabWriterStation *window)
{
  g_assert_true (window_idle (window));
  gtk_window_destroy (shmlab_test_window_of (window));
  g_assert_finalize_object (window);
  shmlab_test_wait_until (all_detached, NULL, WAIT_SECONDS,
                          "the closed window's session to detach");
}

static void
wait_idle (ShmlabWriterStation *window)
{
  shmlab_test_wait_until (window_idle, window, WAIT_SECONDS, "the window's job to end");
}

static void
activate (ShmlabWriterStation *window,
          const char         *action)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), action, NULL));
}

/* The check button labelled @label, e.g. in the settings popover. */
static GtkCheckButton *
find_check (GtkWidget  *root,
            const char *label)
{
  if (GTK_IS_CHECK_BUTTON (root) &&
      g_strcmp0 (gtk_check_button_get_label (GTK_CHECK_BUTTON (root)), label) == 0)
    return GTK_CHECK_BUTTON (root);
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkCheckButton *found = find_check (child, label);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* What a user sees: the button for @action is shown and can be clicked. */
static gboolean
can_click (ShmlabWriterStation *window,
           const char         *action)
{
  GtkWidget *button = shmlab_test_find_actionable (GTK_WIDGET (window), action);

  g_assert_nonnull (button);
  return gtk_widget_is_visible (button) && gtk_widget_is_sensitive (button);
}

/* The segment of @key as another process would read it. */
static ShmlabPayload *
peek_payload (const char *key,
              gsize      *segment_size)
{
  g_autoptr(GError) error = NULL;
  ShmlabSegmentInfo info;
  g_autoptr(GBytes) bytes = shmlab_segment_peek_key (key, SHMLAB_BACKEND_SYSV, G_MAXSIZE, 5000,
                                                     &info, &error);
  ShmlabPayload *payload;
  gsize length;
  const guint8 *data;

  g_assert_no_error (error);
  g_assert_nonnull (bytes);
  data = g_bytes_get_data (bytes, &length);
  payload = shmlab_payload_decode (data, length, &error);
  g_assert_no_error (error);
  if (segment_size != NULL)
    *segment_size = info.size;
  return payload;
}

#define assert_contains(haystack, needle) \
  G_STMT_START { \
    const char *h_ = (haystack); \
    if (h_ == NULL || strstr (h_, (needle)) == NULL) \
      g_error ("%s:%d: “%s” does not say “%s”", __FILE__, __LINE__, h_ ? h_ : "(nothing)", \
               (needle)); \
  } G_STMT_END

static gboolean
segment_exists (const char *key)
{
  ShmlabSegmentInfo info;

  if (!shmlab_segment_query_key (key, SHMLAB_BACKEND_SYSV, &info, NULL))
    return FALSE;
  return info.exists;
}

static ShmlabImage *
make_image (guint32  width,
            guint32  height,
            gboolean translucent)
{
  g_autoptr(GError) error = NULL;
  ShmlabImage *image = shmlab_image_new (width, height, &error);

  g_assert_no_error (error);
  for (guint32 y = 0; y < height; y++)
    for (guint32 x = 0; x < width; x++)
      {
        guint8 *p = image->pixels + (gsize) y * image->stride + (gsize) x * 4;
        p[0] = (guint8) (x * 7);
        p[1] = (guint8) (y * 11);
        p[2] = (guint8) ((x + y) * 5);
        /* Opaque, fully transparent (colour 0, as premultiplying keeps it) or see-through. */
        if ((x + y) % 5 == 0)
          p[0] = p[1] = p[2] = p[3] = 0;
        else
          p[3] = translucent && x % 3 == 0 ? (guint8) (40 + y) : 255;
      }
  return image;
}

static char *
write_png (const char  *name,
           ShmlabImage *image)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (shmlab_test_get_temp_dir (), name, NULL);

  shmlab_png_write_file (image, path, &error);
  g_assert_no_error (error);
  return path;
}

typedef struct
{
  gboolean done;
  gboolean ok;
  GError *error;
} Outcome;

static void
loaded_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Outcome *outcome = user_data;

  outcome->ok = shmlab_writer_station_load_image_finish (SHMLAB_WRITER_STATION (source), result,
                                                        &outcome->error);
  outcome->done = TRUE;
}

static gboolean
load (ShmlabWriterStation  *window,
      const char          *path,
      GError             **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  Outcome outcome = { 0 };

  shmlab_writer_station_load_image_async (window, file, NULL, loaded_cb, &outcome);
  shmlab_test_wait_until (shmlab_test_flag_set, &outcome.done, WAIT_SECONDS, "the picture to load");
  wait_idle (window);
  if (outcome.error)
    g_propagate_error (error, outcome.error);
  return outcome.ok;
}

/* `shmlab write` holding a segment of @key, once it has written. */
static GSubprocess *
start_cli_writer (const char *key)
{
  g_autoptr(GError) error = NULL;
  GSubprocess *process;
  g_autoptr(GDataInputStream) err = NULL;
  gboolean holding = FALSE;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDERR_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE,
                              &error, shmlab_test_cli_path (), "write", key, "--text",
                              "left here by the command-line writer", "--size", "1KiB", "--hold",
                              "120", NULL);
  g_assert_no_error (error);
  err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (process));
  while (!holding)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (err, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line); /* it ended before writing: its messages are above */
      g_test_message ("shmlab write: %s", line);
      holding = g_str_has_prefix (line, "holding");
    }
  return process;
}

/* A segment nobody is attached to: its writer was killed. */
static void
make_stale_segment (const char *key)
{
  g_autoptr(GSubprocess) process = start_cli_writer (key);
  g_autoptr(GError) error = NULL;
  ShmlabSegmentInfo info;

  g_subprocess_force_exit (process);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (shmlab_segment_query_key (key, SHMLAB_BACKEND_SYSV, &info, &error));
  g_assert_no_error (error);
  g_assert_true (info.exists);
  g_assert_cmpint (info.attach_count, ==, 0);
}

static void
test_new_destroy (void)
{
  g_autofree char *key = shmlab_test_unique_key ("wnew");
  ShmlabWriterStation *window = window_new (key);
  ShmlabSession *session = shmlab_station_get_session (SHMLAB_STATION (window));
  ShmlabStepLog *step_log = shmlab_station_get_step_log (SHMLAB_STATION (window));
  GtkWidget *write_button = shmlab_test_find_actionable (GTK_WIDGET (window), "win.write");

  g_object_add_weak_pointer (G_OBJECT (session), (gpointer *) &session);
  /* The widgets of both templates, the base window's and the Writer's, go with it. */
  g_object_add_weak_pointer (G_OBJECT (step_log), (gpointer *) &step_log);
  g_object_add_weak_pointer (G_OBJECT (write_button), (gpointer *) &write_button);
  g_assert_cmpstr (gtk_window_get_title (shmlab_test_window_of (window)), ==, "ShmLab Writer");
  g_assert_false (shmlab_station_get_busy (SHMLAB_STATION (window)));
  g_assert_cmpint (shmlab_writer_station_get_offer (window), ==, SHMLAB_WRITER_OFFER_NONE);
  g_assert_null (shmlab_writer_station_get_error_text (window));
  g_assert_cmpstr (shmlab_writer_station_get_page (window), ==, "text");
  g_assert_true (can_click (window, "win.write"));
  g_assert_true (can_click (window, "win.open"));
  /* The step bar is hidden until step-by-step mode is on. */
  g_assert_false (can_click (window, "win.step-create"));
  g_assert_false (shmlab_session_get_attached (session));
  g_assert_cmpstr (shmlab_session_get_key (session), ==, key);

  window_close (window);
  g_assert_null (session);
  g_assert_null (step_log);
  g_assert_null (write_button);
}

static void
test_write_text (void)
{
  g_autofree char *key = shmlab_test_unique_key ("wtext");
  ShmlabWriterStation *window = window_new (key);
  ShmlabSession *session = shmlab_station_get_session (SHMLAB_STATION (window));
  g_autoptr(ShmlabPayload) payload = NULL;
  g_autoptr(ShmlabPayload) again = NULL;
  const char *text = "Grüße aus dem Writer — ShmLab";
  gsize size = 0;

  shmlab_writer_station_set_text (window, text);
  activate (window, "win.write");
  g_assert_true (shmlab_station_get_busy (SHMLAB_STATION (window)));
  g_assert_false (can_click (window, "win.write"));
  wait_idle (window);

  g_assert_null (shmlab_writer_station_get_error_text (window));
  g_assert_cmpint (shmlab_writer_station_get_offer (window), ==, SHMLAB_WRITER_OFFER_NONE);
  g_assert_true (shmlab_session_get_attached (session));
  g_assert_false (shmlab_session_get_locked (session));
  payload = peek_payload (key, &size);
  g_assert_cmpint (payload->kind, ==, SHMLAB_PAYLOAD_KIND_TEXT);
  g_assert_cmpint (payload->format, ==, SHMLAB_FORMAT_TEXT);
  g_assert_cmpstr (payload->text, ==, text);
  /* Auto: exactly the UTF-8 bytes and the NUL. */
  g_assert_cmpuint (size, ==, strlen (text) + 1);

  /* A second write of a shorter text, as a frame, reuses nothing it should not. */
  shmlab_writer_station_set_text (window, "short");
  shmlab_writer_station_set_format (window, SHMLAB_FORMAT_FRAME);
  activate (window, "win.write");
  wait_idle (window);
  g_assert_null (shmlab_writer_station_get_error_text (window));
  again = peek_payload (key, NULL);
  g_assert_cmpint (again->format, ==, SHMLAB_FORMAT_FRAME);
  g_assert_cmpstr (again->text, ==, "short");

  /* Closing detaches; the writer was the last process, so the segment is gone. */
  window_close (window);
  g_assert_false (segment_exists (key));
}

static void
test_write_image (void)
{
  g_autofree char *key = shmlab_test_unique_key ("wimage");
  g_autoptr(ShmlabImage) image = make_image (37, 23, TRUE);
  g_autofree char *path = write_png ("picture.png", image);
  ShmlabWriterStation *window = window_new (key);
  g_autoptr(GError) error = NULL;
  static const ShmlabFormat formats[] = { SHMLAB_FORMAT_FRAME, SHMLAB_FORMAT_QT_IMAGE,
                                          SHMLAB_FORMAT_AUTO };

  g_assert_true (load (window, path, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (shmlab_writer_station_get_page (window), ==, "image");
  g_assert_true (shmlab_image_equal (shmlab_writer_station_get_image (window), image));

  for (gsize i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_autoptr(ShmlabPayload) payload = NULL;

      shmlab_writer_station_set_format (window, formats[i]);
      activate (window, "win.write");
      wait_idle (window);
      g_assert_null (shmlab_writer_station_get_error_text (window));
      payload = peek_payload (key, NULL);
      g_assert_cmpint (payload->kind, ==, SHMLAB_PAYLOAD_KIND_IMAGE);
      g_assert_cmpint (payload->format, ==,
                       formats[i] == SHMLAB_FORMAT_AUTO ? SHMLAB_FORMAT_FRAME : formats[i]);
      g_assert_true (shmlab_image_equal (payload->image, image));
    }

  window_close (window);
  g_assert_false (segment_exists (key));
}

static void
test_too_large_cut (void)
{
  g_autofree char *key = shmlab_test_unique_key ("wcut");
  ShmlabWriterStation *window = window_new (key);
  g_autoptr(ShmlabPayload) payload = NULL;
  const char *text = "This text is longer than eight bytes";
  gsize size = 0;

  shmlab_key_bar_set_size_text (shmlab_station_get_key_bar (SHMLAB_STATION (window)), "8");
  shmlab_writer_station_set_text (window, text);
  activate (window, "win.write");
  wait_idle (window);

  /* 36 bytes and the NUL in 8 bytes: 29 too many. */
  g_assert_cmpint (shmlab_writer_station_get_offer (window), ==, SHMLAB_WRITER_OFFER_TOO_LARGE);
  assert_contains (shmlab_writer_station_get_offer_text (window), "29 bytes too large");
  assert_contains (shmlab_writer_station_get_offer_text (window), "needs 37 bytes");
  g_assert_true (can_click (window, "win.offer-grow"));
  g_assert_true (can_click (window, "win.offer-cut"));
  g_assert_false (can_click (window, "win.offer-attach"));
  g_assert_null (shmlab_writer_station_get_error_text (window));

  activate (window, "win.offer-cut");
  wait_idle (window);
  g_assert_cmpint (shmlab_writer_station_get_offer (window), ==, SHMLAB_WRITER_OFFER_NONE);
  g_assert_null (shmlab_writer_station_get_error_text (window));
  g_assert_false (can_click (window, "win.offer-cut"));
  payload = peek_payload (key, &size);
  g_assert_cmpuint (size, ==, 8);
  g_assert_cmpstr (payload->text, ==, "This te");

  window_close (window);
  g_assert_false (segment_exists (key));
}

static void
test_too_large_grow (void)
{
  g_autofree char *key = shmlab_test_unique_key ("wgrow");
  ShmlabWriterStation *window = window_new (key);
  ShmlabKeyBar *key_bar = shmlab_station_get_key_bar (SHMLAB_STATION (window));
  g_autoptr(ShmlabPayload) payload = NULL;
  const char *text = "This text needs more than four bytes";
  gsize size = 0;
  guint64 asked = 1;

  shmlab_key_bar_set_size_text (key_bar, "4 B");
  shmlab_writer_station_set_text (window, text);
  activate (window, "win.write");
  wait_idle (window);
  g_assert_cmpint (shmlab_writer_station_get_offer (window), ==, SHMLAB_WRITER_OFFER_TOO_LARGE);

  activate (window, "win.offer-grow");
  wait_idle (window);
  g_assert_cmpint (shmlab_writer_station_get_offer (window), ==, SHMLAB_WRITER_OFFER_NONE);
  payload = peek_payload (key, &size);
  g_assert_cmpstr (payload->text, ==, text);
  g_assert_cmpuint (size, ==, strlen (text) + 1);
  /* The size is Auto from now on. */
  g_assert_true (shmlab_key_bar_get_size (key_bar, &asked, NULL));
  g_assert_cmpuint (asked, ==, 0);

  window_close (window);
}

static gboolean
offer_taken (gpointer data)
{
  return shmlab_writer_station_get_offer (data) == SHMLAB_WRITER_OFFER_NONE;
}

/* After Grow the segment, the next key pressed goes to Write, not over the key. */
static void
test_grow_focus (void)
{
  g_autofree char *key = shmlab_test_unique_key ("wgrowf");
  ShmlabWriterStation *window = window_new (key);
  ShmlabKeyBar *key_bar = shmlab_station_get_key_bar (SHMLAB_STATION (window));
  GtkWidget *grow;
  GtkWidget *write =
    shmlab_test_find_actionable (shmlab_test_find_by_type (GTK_WIDGET (window), GTK_TYPE_HEADER_BAR), "win.write");

  shmlab_key_bar_set_size_text (key_bar, "4 B");
  shmlab_writer_station_set_text (window, "This text needs more than four bytes");
  activate (window, "win.write");
  wait_idle (window);
  g_assert_cmpint (shmlab_writer_station_get_offer (window), ==, SHMLAB_WRITER_OFFER_TOO_LARGE);

  grow = shmlab_test_find_actionable (GTK_WIDGET (window), "win.offer-grow");
  g_assert_true (gtk_widget_grab_focus (grow));
  /* A button pressed from the keyboard clicks a moment later. */
  g_assert_true (gtk_widget_activate (grow));
  shmlab_test_wait_until (offer_taken, window, WAIT_SECONDS, "the offer to be taken");
  wait_idle (window);
  g_assert_true (gtk_root_get_focus (GTK_ROOT (shmlab_test_window_of (window))) == write);
  g_assert_cmpstr (shmlab_key_bar_get_key (key_bar), ==, key);

  window_close (window);
}

/* The question's close button is named, and Escape in the banner closes it too. */
static void
test_offer_close (void)
{
  g_autofree char *key = shmlab_test_unique_key ("wclose");
  ShmlabWriterStation *window = window_new (key);
  ShmlabKeyBar *key_bar = shmlab_station_get_key_bar (SHMLAB_STATION (window));
  GtkWidget *bar;

  shmlab_key_bar_set_size_text (key_bar, "4 B");
  shmlab_writer_station_set_text (window, "This text needs more than four bytes");
  activate (window, "win.write");
  wait_idle (window);
  g_assert_cmpint (shmlab_writer_station_get_offer (window), ==, SHMLAB_WRITER_OFFER_TOO_LARGE);

  bar = shmlab_test_find_by_type (GTK_WIDGET (window), GTK_TYPE_INFO_BAR);
  g_assert_nonnull (bar);
  g_assert_true (gtk_widget_get_visible (bar));
  /* The key binding Escape is bound to in an info bar. */
  g_signal_emit_by_name (bar, "close");
  g_assert_cmpint (shmlab_writer_station_get_offer (window), ==, SHMLAB_WRITER_OFFER_NONE);
  g_assert_false (gtk_widget_get_visible (bar));

  window_close (window);
}

/* Tab leaves the text; Ctrl+Tab types a tab into it. */
static void
test_text_tab (void)
{
  g_autofree char *key = shmlab_test_unique_key ("wtab");
  ShmlabWriterStation *window = window_new (key);
  GtkTextView *view =
    GTK_TEXT_VIEW (shmlab_test_find_by_type (GTK_WIDGET (window), GTK_TYPE_TEXT_VIEW));
  g_autoptr(GtkShortcutTrigger) ctrl_tab = gtk_shortcut_trigger_parse_string ("<Control>Tab");
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (view));
  GtkShortcut *typing_tab = NULL;
  GtkTextIter end;
  g_autofree char *text = NULL;

  g_assert_true (gtk_text_view_get_editable (view));
  g_assert_false (gtk_text_view_get_accepts_tab (view));

  /* Ctrl+Tab: found as GTK finds it, among the text's own shortcuts. */
  for (guint i = 0; i < g_list_model_get_n_items (controllers) && typing_tab == NULL; i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);

          if (gtk_shortcut_trigger_equal (gtk_shortcut_get_trigger (shortcut), ctrl_tab))
            typing_tab = shortcut;
        }
    }
  g_assert_nonnull (typing_tab);

  shmlab_writer_station_set_text (window, "a");
  gtk_text_buffer_get_end_iter (gtk_text_view_get_buffer (view), &end);
  gtk_text_buffer_place_cursor (gtk_text_view_get_buffer (view), &end);
  g_assert_true (gtk_shortcut_action_activate (gtk_shortcut_get_action (typing_tab),
                                               GTK_SHORTCUT_ACTION_EXCLUSIVE, GTK_WIDGET (view),
                                               gtk_shortcut_get_arguments (typing_tab)));
  text = shmlab_writer_station_get_text (window);
  g_assert_cmpstr (text, ==, "a\t");

  window_close (window);
}

static void
written_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_assert_true (shmlab_writer_station_write_finish (SHMLAB_WRITER_STATION (source), result, NULL));
  *(gboolean *) user_data = TRUE;
}

/* Write asked for by the user: the focus moves onto what it did, which a
 * screen reader reads; a write at start moves nothing. */
static void
test_write_result_focus (void)
{
  g_autofree char *key = shmlab_test_unique_key ("wresult");
  ShmlabWriterStation *window = window_new (key);
  g_autofree char *said = g_strdup_printf ("Wrote 7 bytes into the segment of “%s”.", key);
  GtkWidget *focus;
  GtkWidget *before;
  gboolean written = FALSE;

  shmlab_writer_station_set_text (window, "你好");
  before = gtk_root_get_focus (GTK_ROOT (shmlab_test_window_of (window)));
  shmlab_writer_station_write_async (window, NULL, written_cb, &written);
  shmlab_test_wait_until (shmlab_test_flag_set, &written, WAIT_SECONDS,
                          "the write at start to end");
  g_assert_true (gtk_root_get_focus (GTK_ROOT (shmlab_test_window_of (window))) == before);

  activate (window, "win.write");
  wait_idle (window);
  focus = gtk_root_get_focus (GTK_ROOT (shmlab_test_window_of (window)));
  g_assert_true (GTK_IS_LABEL (focus));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (focus)), ==, said);
  g_assert_cmpint (gtk_label_get_selection_bounds (GTK_LABEL (focus), NULL, NULL), ==, FALSE);

  /* A failure: the sentence saying what went wrong. */
  shmlab_key_bar_set_key (shmlab_station_get_key_bar (SHMLAB_STATION (window)), "");
  activate (window, "win.write");
  wait_idle (window);
  focus = gtk_root_get_focus (GTK_ROOT (shmlab_test_window_of (window)));
  g_assert_true (GTK_IS_LABEL (focus));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (focus)), !=, "");
  g_assert_true (gtk_widget_is_visible (focus));

  /* A job refused at once answers from an idle, which holds the window until it runs. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  window_close (window);
}

static void
test_image_cannot_be_cut (void)
{
  g_autofree char *key = shmlab_test_unique_key ("wimgcut");
  g_autoptr(ShmlabImage) image = make_image (8, 8, FALSE);
  ShmlabWriterStation *window = window_new (key);

  shmlab_writer_station_set_image (window, image, "tiny");
  shmlab_key_bar_set_size_text (shmlab_station_get_key_bar (SHMLAB_STATION (window)), "100");
  activate (window, "win.write");
  wait_idle (window);

  /* 64 + 8 × 8 × 4 = 320 bytes in 100. */
  g_assert_cmpint (shmlab_writer_station_get_offer (window), ==, SHMLAB_WRITER_OFFER_TOO_LARGE);
  assert_contains (shmlab_writer_station_get_offer_text (window), "220 bytes too large");
  assert_contains (shmlab_writer_station_get_offer_text (window), "cannot be cut");
  g_assert_true (can_click (window, "win.offer-grow"));
  g_assert_false (can_click (window, "win.offer-cut"));

  window_close (window);
}

static void
test_stale_remove (void)
{
  g_autofree char *key = shmlab_test_unique_key ("wstale");
  ShmlabWriterStation *window = NULL;
  g_autoptr(ShmlabPayload) payload = NULL;
  const char *offer;

  make_stale_segment (key);
  window = window_new (key);
  shmlab_writer_station_set_text (window, "a fresh start");
  activate (window, "win.write");
  wait_idle (window);

  g_assert_cmpint (shmlab_writer_station_get_offer (window), ==, SHMLAB_WRITER_OFFER_EXISTS);
  offer = shmlab_writer_station_get_offer_text (window);
  assert_contains (offer, "attached by no process");
  assert_contains (offer, "left behind");
  g_assert_true (can_click (window, "win.offer-attach"));
  g_assert_true (can_click (window, "win.offer-remove"));
  g_assert_true (can_click (window, "win.offer-other-key"));
  g_assert_false (can_click (window, "win.offer-cut"));

  activate (window, "win.offer-remove");
  wait_idle (window);
  g_assert_cmpint (shmlab_writer_station_get_offer (window), ==, SHMLAB_WRITER_OFFER_NONE);
  g_assert_null (shmlab_writer_station_get_error_text (window));
  payload = peek_payload (key, NULL);
  g_assert_cmpstr (payload->text, ==, "a fresh start");
  g_assert_true (shmlab_session_get_created (shmlab_station_get_session (SHMLAB_STATION (window))));

  window_close (window);
  g_assert_false (segment_exists (key));
}

/* A file kept from an earlier write (the File backend keeps what nobody
 * maps): the Writer says so, not "left behind", and offers to remove it. */
static void
test_file_kept_remove (void)
{
  g_autofree char *key = shmlab_test_unique_key ("wkept");
  g_autofree char *out = NULL, *err = NULL;
  ShmlabWriterStation *window = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  ShmlabSegmentInfo info;
  const char *offer;
  int status;

  g_assert_true (shmlab_test_run_cli (&out, &err, &status, "write", key, "--backend", "file",
                                      "--text", "yesterday's", "--hold", "0", "-q", NULL));
  g_assert_cmpint (status, ==, 0);
  window = window_new (key);
  shmlab_key_bar_set_backend (shmlab_station_get_key_bar (SHMLAB_STATION (window)),
                              SHMLAB_BACKEND_FILE);
  shmlab_writer_station_set_text (window, "today's");
  activate (window, "win.write");
  wait_idle (window);

  g_assert_cmpint (shmlab_writer_station_get_offer (window), ==, SHMLAB_WRITER_OFFER_EXISTS);
  offer = shmlab_writer_station_get_offer_text (window);
  assert_contains (offer, "A file kept from an earlier write holds this key.");
  assert_contains (offer, "stays until it is removed");
  g_assert_null (strstr (offer, "crashed"));
  g_assert_true (can_click (window, "win.offer-attach"));
  g_assert_true (can_click (window, "win.offer-remove"));

  activate (window, "win.offer-remove");
  wait_idle (window);
  g_assert_cmpint (shmlab_writer_station_get_offer (window), ==, SHMLAB_WRITER_OFFER_NONE);
  g_assert_null (shmlab_writer_station_get_error_text (window));
  bytes = shmlab_segment_peek_key (key, SHMLAB_BACKEND_FILE, G_MAXSIZE, 5000, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), 8, "today's", 8);

  /* Closing leaves the new file, as the File backend does. */
  window_close (window);
  g_assert_true (shmlab_segment_query_key (key, SHMLAB_BACKEND_FILE, &info, NULL));
  g_assert_true (info.exists);
  g_assert_cmpint (info.attach_count, ==, 0);
  g_assert_true (shmlab_segment_remove_key (key, SHMLAB_BACKEND_FILE, FALSE, &error));
  g_assert_no_error (error);
}

static void
test_stale_attach (void)
{
  g_autofree char *key = shmlab_test_unique_key ("wattach");
  ShmlabWriterStation *window = NULL;
  ShmlabSession *session;
  g_autoptr(ShmlabPayload) first = NULL;
  g_autoptr(ShmlabPayload) second = NULL;
  gsize size = 0;

  make_stale_segment (key);
  window = window_new (key);
  session = shmlab_station_get_session (SHMLAB_STATION (window));
  shmlab_writer_station_set_text (window, "written into the old segment");
  activate (window, "win.write");
  wait_idle (window);
  g_assert_cmpint (shmlab_writer_station_get_offer (window), ==, SHMLAB_WRITER_OFFER_EXISTS);

  activate (window, "win.offer-attach");
  wait_idle (window);
  g_assert_cmpint (shmlab_writer_station_get_offer (window), ==, SHMLAB_WRITER_OFFER_NONE);
  g_assert_null (shmlab_writer_station_get_error_text (window));
  g_assert_true (shmlab_session_get_attached (session));
  g_assert_false (shmlab_session_get_created (session));
  g_assert_false (shmlab_session_get_locked (session));
  first = peek_payload (key, &size);
  g_assert_cmpstr (first->text, ==, "written into the old segment");
  /* The segment keeps the size its maker gave it. */
  g_assert_cmpuint (size, ==, 1024);

  /* The next write goes into the same segment, without a question. */
  shmlab_writer_station_set_text (window, "and again");
  activate (window, "win.write");
  wait_idle (window);
  g_assert_cmpint (shmlab_writer_station_get_offer (window), ==, SHMLAB_WRITER_OFFER_NONE);
  second = peek_payload (key, NULL);
  g_assert_cmpstr (second->text, ==, "and again");

  /* This window was the last one attached: closing removes the segment. */
  window_close (window);
  g_assert_false (segment_exists (key));
}

static void
test_live_segment (void)
{
  g_autofree char *key = shmlab_test_unique_key ("wlive");
  g_autoptr(GSubprocess) holder = start_cli_writer (key);
  ShmlabWriterStation *window = window_new (key);
  g_autoptr(GError) error = NULL;
  const char *offer;

  activate (window, "win.write");
  wait_idle (window);
  g_assert_cmpint (shmlab_writer_station_get_offer (window), ==, SHMLAB_WRITER_OFFER_EXISTS);
  offer = shmlab_writer_station_get_offer_text (window);
  assert_contains (offer, "attached by 1 process");
  g_assert_true (can_click (window, "win.offer-attach"));
  g_assert_true (can_click (window, "win.offer-other-key"));
  /* Nobody removes a segment a live process uses. */
  g_assert_false (can_click (window, "win.offer-remove"));

  window_close (window);
  g_subprocess_send_signal (holder, SIGTERM);
  g_subprocess_wait (holder, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (segment_exists (key));
}

static void
test_steps (void)
{
  g_autofree char *key = shmlab_test_unique_key ("wsteps");
  ShmlabWriterStation *window = window_new (key);
  ShmlabSession *session = shmlab_station_get_session (SHMLAB_STATION (window));
  g_autoptr(ShmlabPayload) payload = NULL;
  static const char *const steps[] = {
    "win.step-create", "win.step-attach", "win.step-lock",
    "win.step-write", "win.step-unlock", "win.step-detach",
  };

  activate (window, "win.step-by-step");
  shmlab_writer_station_set_text (window, "one step at a time");

  g_assert_true (can_click (window, "win.step-create"));
  g_assert_true (can_click (window, "win.step-attach"));
  g_assert_false (can_click (window, "win.step-lock"));
  g_assert_false (can_click (window, "win.step-write"));
  g_assert_false (can_click (window, "win.step-unlock"));
  g_assert_false (can_click (window, "win.step-detach"));

  activate (window, "win.step-create");
  /* While a step runs, no other can be clicked. */
  for (gsize i = 0; i < G_N_ELEMENTS (steps); i++)
    g_assert_false (can_click (window, steps[i]));
  wait_idle (window);
  g_assert_null (shmlab_writer_station_get_error_text (window));
  g_assert_true (shmlab_session_get_attached (session));
  g_assert_false (can_click (window, "win.step-create"));
  g_assert_false (can_click (window, "win.step-attach"));
  g_assert_true (can_click (window, "win.step-lock"));
  g_assert_false (can_click (window, "win.step-write"));
  g_assert_false (can_click (window, "win.step-unlock"));
  g_assert_true (can_click (window, "win.step-detach"));

  activate (window, "win.step-lock");
  wait_idle (window);
  g_assert_true (shmlab_session_get_locked (session));
  g_assert_false (can_click (window, "win.step-lock"));
  g_assert_true (can_click (window, "win.step-write"));
  g_assert_true (can_click (window, "win.step-unlock"));

  activate (window, "win.step-write");
  wait_idle (window);
  g_assert_null (shmlab_writer_station_get_error_text (window));
  g_assert_true (shmlab_session_get_locked (session));

  activate (window, "win.step-unlock");
  wait_idle (window);
  g_assert_false (shmlab_session_get_locked (session));
  g_assert_true (can_click (window, "win.step-lock"));
  g_assert_false (can_click (window, "win.step-write"));
  g_assert_false (can_click (window, "win.step-unlock"));

  payload = peek_payload (key, NULL);
  g_assert_cmpstr (payload->text, ==, "one step at a time");

  activate (window, "win.step-detach");
  wait_idle (window);
  g_assert_false (shmlab_session_get_attached (session));
  g_assert_true (can_click (window, "win.step-create"));
  g_assert_false (can_click (window, "win.step-detach"));
  /* The only process attached detached: the segment is gone. */
  g_assert_false (segment_exists (key));

  /* Step mode off hides the bar again. */
  activate (window, "win.step-by-step");
  g_assert_false (can_click (window, "win.step-create"));
  window_close (window);
}

static guint
log_lines (ShmlabWriterStation *window)
{
  GtkWidget *log = shmlab_test_find_by_type (GTK_WIDGET (window), SHMLAB_TYPE_STEP_LOG);

  g_assert_nonnull (log);
  return shmlab_step_log_get_n_lines (SHMLAB_STEP_LOG (log));
}

static void
check_bad_png (ShmlabWriterStation *window,
               const char         *path,
               const char         *name,
               const char         *says)
{
  g_autoptr(GError) error = NULL;
  guint lines = log_lines (window);
  const char *banner;

  g_assert_false (load (window, path, &error));
  g_assert_nonnull (error);
  banner = shmlab_writer_station_get_error_text (window);
  g_assert_nonnull (banner);
  g_test_message ("%s: %s", name, banner);
  assert_contains (banner, name);
  assert_contains (banner, says);
  g_assert_cmpuint (log_lines (window), ==, lines + 1);
  g_assert_null (shmlab_writer_station_get_image (window));
  g_assert_false (shmlab_station_get_busy (SHMLAB_STATION (window)));
}

static void
test_bad_png (void)
{
  g_autofree char *key = shmlab_test_unique_key ("wbadpng");
  ShmlabWriterStation *window = window_new (key);
  g_autoptr(ShmlabImage) image = make_image (16, 16, FALSE);
  g_autofree char *good = write_png ("good.png", image);
  g_autofree char *missing = g_build_filename (shmlab_test_get_temp_dir (), "missing.png", NULL);
  g_autofree char *corrupt = g_build_filename (shmlab_test_get_temp_dir (), "corrupt.png", NULL);
  g_autofree char *truncated = g_build_filename (shmlab_test_get_temp_dir (), "half.png", NULL);
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GError) error = NULL;

  g_file_set_contents (corrupt, "this is a text file, not a picture", -1, &error);
  g_assert_no_error (error);
  g_file_get_contents (good, &contents, &length, &error);
  g_assert_no_error (error);
  g_file_set_contents (truncated, contents, length / 2, &error);
  g_assert_no_error (error);

  check_bad_png (window, missing, "missing.png", "could not open");
  check_bad_png (window, corrupt, "corrupt.png", "not a picture ShmLab can open");
  check_bad_png (window, truncated, "half.png", "truncated");

  /* A failed load leaves the page as it was; nothing to write on the Image
   * page: said, and nothing is created. */
  g_assert_cmpstr (shmlab_writer_station_get_page (window), ==, "text");
  shmlab_writer_station_set_page (window, "image");
  activate (window, "win.write");
  wait_idle (window);
  assert_contains (shmlab_writer_station_get_error_text (window), "no picture");
  g_assert_false (segment_exists (key));

  /* A good file afterwards clears the banner. */
  g_assert_true (load (window, good, &error));
  g_assert_no_error (error);
  g_assert_null (shmlab_writer_station_get_error_text (window));
  window_close (window);
}

/* The format list and its tooltip come from the format table, and the
 * Writer says beside the backend when no Qt program can read what it would
 * write. */
static void
test_format_words (void)
{
  g_autofree char *key = shmlab_test_unique_key ("wwords");
  ShmlabWriterStation *window = window_new (key);
  g_autoptr(ShmlabImage) image = make_image (8, 8, FALSE);
  g_autofree char *path = write_png ("words.png", image);
  GtkWidget *titlebar = shmlab_test_find_by_type (GTK_WIDGET (window), GTK_TYPE_HEADER_BAR);
  GtkDropDown *dropdown = NULL;
  GListModel *model;
  g_autoptr(GError) error = NULL;

  /* The format's list is in the header bar (the backend's, in the key bar). */
  g_assert_nonnull (titlebar);
  dropdown = GTK_DROP_DOWN (shmlab_test_find_by_type (titlebar, GTK_TYPE_DROP_DOWN));
  g_assert_nonnull (dropdown);
  model = gtk_drop_down_get_model (dropdown);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 4);
  for (ShmlabFormat f = SHMLAB_FORMAT_AUTO; f <= SHMLAB_FORMAT_FRAME; f++)
    g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (model), f), ==,
                     shmlab_format_get_choice (f));
  g_assert_nonnull (gtk_drop_down_get_list_factory (dropdown));

  /* Auto, on the Text page: the Qt demo reads it. */
  g_assert_cmpint (shmlab_writer_station_get_format (window), ==, SHMLAB_FORMAT_AUTO);
  assert_contains (gtk_widget_get_tooltip_text (GTK_WIDGET (dropdown)),
                   "text as plain text, which the Qt demo reads");
  assert_contains (gtk_widget_get_tooltip_text (GTK_WIDGET (dropdown)), "ShmLab frame");
  g_assert_null (shmlab_writer_station_get_qt_note (window));

  /* A picture in Auto is a frame: said, with what to choose. */
  g_assert_true (load (window, path, &error));
  g_assert_no_error (error);
  assert_contains (shmlab_writer_station_get_qt_note (window), "no Qt program reads a ShmLab frame");
  assert_contains (shmlab_writer_station_get_qt_note (window), "choose Qt example image");
  shmlab_writer_station_set_format (window, SHMLAB_FORMAT_QT_IMAGE);
  g_assert_null (shmlab_writer_station_get_qt_note (window));
  assert_contains (gtk_widget_get_tooltip_text (GTK_WIDGET (dropdown)), "Shared Memory Example");

  /* Back on the Text page, a frame is no Qt demo's text either. */
  shmlab_writer_station_set_page (window, "text");
  assert_contains (shmlab_writer_station_get_qt_note (window), "choose Plain text");
  shmlab_writer_station_set_format (window, SHMLAB_FORMAT_FRAME);
  assert_contains (shmlab_writer_station_get_qt_note (window), "no Qt program reads a ShmLab frame");
  shmlab_writer_station_set_format (window, SHMLAB_FORMAT_TEXT);
  g_assert_null (shmlab_writer_station_get_qt_note (window));

  window_close (window);
}

/* An opaque @image saved by GdkPixbuf as @type ("jpeg", "bmp", "tiff"). */
static char *
write_with_pixbuf (const char  *name,
                   ShmlabImage *image,
                   const char  *type)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new (image->pixels, shmlab_image_get_byte_size (image));
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new_from_bytes (bytes, GDK_COLORSPACE_RGB, TRUE, 8,
                                                           (int) image->width,
                                                           (int) image->height,
                                                           (int) image->stride);
  char *path = g_build_filename (shmlab_test_get_temp_dir (), name, NULL);

  gdk_pixbuf_save (pixbuf, path, type, &error, NULL);
  g_assert_no_error (error);
  return path;
}

/* JPEG, BMP and TIFF open as a PNG does, from Open and from a drop; what
 * cannot be opened is said in one sentence. */
static void
test_open_picture_types (void)
{
  static const char *const types[] = { "bmp", "tiff", "jpeg" };
  g_autofree char *key = shmlab_test_unique_key ("wtypes");
  ShmlabWriterStation *window = window_new (key);
  g_autoptr(ShmlabImage) image = make_image (24, 16, FALSE);
  GtkWidget *pane = shmlab_test_find_by_type (GTK_WIDGET (window), SHMLAB_TYPE_WRITER_PANE);
  g_autofree char *empty = g_build_filename (shmlab_test_get_temp_dir (), "empty.jpg", NULL);
  g_autoptr(GError) error = NULL;

  /* Opaque everywhere: BMP and JPEG keep no alpha. */
  for (guint32 i = 0; i < image->width * image->height; i++)
    image->pixels[i * 4 + 3] = 255;

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autofree char *name = g_strdup_printf ("picture.%s", types[i]);
      g_autofree char *path = write_with_pixbuf (name, image, types[i]);
      g_autoptr(GFile) file = g_file_new_for_path (path);
      ShmlabImage *shown;
      gboolean taken = FALSE;

      g_assert_true (load (window, path, &error));
      g_assert_no_error (error);
      shown = shmlab_writer_station_get_image (window);
      g_assert_nonnull (shown);
      g_assert_cmpuint (shown->width, ==, 24);
      g_assert_cmpuint (shown->height, ==, 16);
      if (!g_str_equal (types[i], "jpeg"))
        g_assert_true (shmlab_image_equal (shown, image));
      g_assert_null (shmlab_writer_station_get_error_text (window));

      /* Dropped: taken, and shown once it is decoded. */
      shmlab_writer_station_set_page (window, "text");
      g_signal_emit_by_name (pane, "file-dropped", file, &taken);
      g_assert_true (taken);
      shmlab_test_wait_until (window_idle, window, WAIT_SECONDS, "the dropped picture to load");
      g_assert_cmpstr (shmlab_writer_station_get_page (window), ==, "image");
      g_assert_null (shmlab_writer_station_get_error_text (window));
      g_unlink (path);
    }

  /* An empty file: the advice comes once. */
  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  g_assert_false (load (window, empty, &error));
  g_assert_error (error, SHMLAB_IMAGE_ERROR, SHMLAB_IMAGE_ERROR_UNKNOWN_TYPE);
  assert_contains (shmlab_writer_station_get_error_text (window), "empty.jpg");
  assert_contains (shmlab_writer_station_get_error_text (window), "is empty (0 bytes)");
  g_assert_null (strstr (strstr (shmlab_writer_station_get_error_text (window), "choose") + 1,
                         "choose"));
  g_unlink (empty);
  window_close (window);
}

static void
test_format_mismatch (void)
{
  g_autofree char *key = shmlab_test_unique_key ("wmismatch");
  ShmlabWriterStation *window = window_new (key);

  shmlab_writer_station_set_text (window, "text is no picture");
  shmlab_writer_station_set_format (window, SHMLAB_FORMAT_QT_IMAGE);
  activate (window, "win.write");
  wait_idle (window);
  assert_contains (shmlab_writer_station_get_error_text (window), "Qt example image");
  g_assert_false (segment_exists (key));
  window_close (window);
}

static void
paste (ShmlabWriterStation *window)
{
  activate (window, "win.paste");
  wait_idle (window);
}

static void
test_paste (void)
{
  g_autofree char *key = shmlab_test_unique_key ("wpaste");
  ShmlabWriterStation *window = window_new (key);
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (window));
  g_autoptr(ShmlabImage) translucent = make_image (21, 13, TRUE);
  g_autoptr(ShmlabImage) opaque = make_image (9, 12, FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) png = shmlab_png_write (translucent, &error);
  g_autoptr(GdkContentProvider) png_provider = NULL;
  g_autoptr(GdkTexture) texture = shmlab_texture_new_for_image (opaque);
  g_autoptr(GBytes) tiff = gdk_texture_save_to_tiff_bytes (texture);
  g_autoptr(GdkContentProvider) tiff_provider = NULL;

  g_assert_no_error (error);

  /* A PNG on the clipboard comes in exactly, see-through pixels too. */
  png_provider = gdk_content_provider_new_for_bytes ("image/png", png);
  gdk_clipboard_set_content (clipboard, png_provider);
  paste (window);
  g_assert_null (shmlab_writer_station_get_error_text (window));
  g_assert_cmpstr (shmlab_writer_station_get_page (window), ==, "image");
  g_assert_true (shmlab_image_equal (shmlab_writer_station_get_image (window), translucent));

  /* Any other picture goes through GTK's premultiplied texture. */
  tiff_provider = gdk_content_provider_new_for_bytes ("image/tiff", tiff);
  gdk_clipboard_set_content (clipboard, tiff_provider);
  paste (window);
  g_assert_null (shmlab_writer_station_get_error_text (window));
  g_assert_true (shmlab_image_equal (shmlab_writer_station_get_image (window), opaque));

  /* Text is not a picture: said, and the last picture stays. */
  gdk_clipboard_set_text (clipboard, "just words");
  paste (window);
  assert_contains (shmlab_writer_station_get_error_text (window), "no picture");
  g_assert_true (shmlab_image_equal (shmlab_writer_station_get_image (window), opaque));

  window_close (window);
}

static void
test_cancel_lock_wait (void)
{
  g_autofree char *key = shmlab_test_unique_key ("wcancel");
  g_autoptr(ShmlabSegment) holder = shmlab_segment_new (SHMLAB_BACKEND_SYSV);
  ShmlabWriterStation *window;
  ShmlabSession *session;
  g_autoptr(GError) error = NULL;
  guint lines;

  g_assert_true (shmlab_segment_set_key (holder, key, &error));
  g_assert_true (shmlab_segment_create (holder, 64, SHMLAB_ACCESS_READ_WRITE, NULL, &error));
  g_assert_true (shmlab_segment_lock (holder, NULL, &error));
  g_assert_no_error (error);

  window = window_new (key);
  session = shmlab_station_get_session (SHMLAB_STATION (window));
  shmlab_session_set_lock_timeout (session, 600 * 1000);
  lines = log_lines (window);
  activate (window, "win.write");
  shmlab_test_wait_until (session_waiting, session, WAIT_SECONDS,
                          "the window to wait for the lock");

  activate (window, "win.cancel");
  wait_idle (window);
  g_assert_false (shmlab_session_get_waiting (session));
  /* Cancelling is no error: no red banner, a line in the log. */
  g_assert_null (shmlab_writer_station_get_error_text (window));
  g_assert_cmpint (shmlab_writer_station_get_offer (window), ==, SHMLAB_WRITER_OFFER_NONE);
  g_assert_cmpuint (log_lines (window), >, lines);

  window_close (window);
  g_assert_true (shmlab_segment_unlock (holder, &error));
  g_assert_no_error (error);
}

static void
test_close_while_waiting (void)
{
  g_autofree char *key = shmlab_test_unique_key ("wclosewait");
  g_autoptr(ShmlabSegment) holder = shmlab_segment_new (SHMLAB_BACKEND_SYSV);
  ShmlabWriterStation *window;
  ShmlabSession *session;
  g_autoptr(GError) error = NULL;
  ShmlabSegmentInfo info;

  g_assert_true (shmlab_segment_set_key (holder, key, &error));
  g_assert_true (shmlab_segment_create (holder, 64, SHMLAB_ACCESS_READ_WRITE, NULL, &error));
  g_assert_true (shmlab_segment_lock (holder, NULL, &error));
  g_assert_no_error (error);

  window = window_new (key);
  session = shmlab_station_get_session (SHMLAB_STATION (window));
  shmlab_session_set_lock_timeout (session, 600 * 1000);
  activate (window, "win.write");
  shmlab_test_wait_until (session_waiting, session, WAIT_SECONDS,
                          "the window to wait for the lock");

  /* Closing cancels the wait: the window and its session go away long before
   * the ten-minute lock timeout. */
  g_object_add_weak_pointer (G_OBJECT (session), (gpointer *) &session);
  gtk_window_destroy (shmlab_test_window_of (window));
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  g_object_unref (window);
  shmlab_test_wait_until (shmlab_test_pointer_cleared, &session, WAIT_SECONDS,
                          "the session to go away");
  shmlab_test_wait_until (shmlab_test_pointer_cleared, &window, WAIT_SECONDS,
                          "the window to go away");

  g_assert_true (shmlab_segment_query (holder, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpint (info.attach_count, ==, 1);
  g_assert_true (shmlab_segment_unlock (holder, &error));
  g_assert_no_error (error);
}

static void
test_close_while_loading (void)
{
  g_autofree char *key = shmlab_test_unique_key ("wcloseload");
  g_autoptr(ShmlabImage) image = make_image (1024, 1024, TRUE);
  g_autofree char *path = write_png ("large.png", image);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  ShmlabWriterStation *window = window_new (key);
  Outcome outcome = { 0 };

  shmlab_writer_station_load_image_async (window, file, NULL, loaded_cb, &outcome);
  gtk_window_destroy (shmlab_test_window_of (window));
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  g_object_unref (window);
  shmlab_test_wait_until (shmlab_test_flag_set, &outcome.done, WAIT_SECONDS, "the load to end");
  shmlab_test_wait_until (shmlab_test_pointer_cleared, &window, WAIT_SECONDS,
                          "the window to go away");
  g_assert_false (outcome.ok);
  g_assert_error (outcome.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&outcome.error);
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

/* What `ipcs -m` lists: a segment's System V key must not be among them. */
static char *
ipcs_segments (void)
{
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_assert_true (g_spawn_command_line_sync ("ipcs -m", &out, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return g_steal_pointer (&out);
}

typedef struct
{
  char *key;
  ShmlabWriterStation *window;
  GSubprocess *holder;
  char *sysv_key;
  char *key_file;
  guint ticks_after_close;
  gboolean written;
  gboolean closed;
  gboolean released;
  gboolean attached_while_held;
  gboolean listed_while_held;
} CloseRun;

static gboolean
close_run_tick (gpointer user_data)
{
  CloseRun *run = user_data;
  ShmlabSession *session;
  ShmlabSegmentInfo info;

  if (!run->closed)
    {
      if (run->window == NULL || shmlab_station_get_busy (SHMLAB_STATION (run->window)))
        return G_SOURCE_CONTINUE;
      session = shmlab_station_get_session (SHMLAB_STATION (run->window));
      run->written = shmlab_session_get_attached (session);
      g_assert_true (run->written);
      g_assert_true (shmlab_segment_query_key (run->key, SHMLAB_BACKEND_SYSV, &info, NULL));
      run->sysv_key = g_strdup_printf ("0x%08x", (guint32) info.sysv_key);
      run->key_file = g_strdup (shmlab_session_get_native_key (session));
      g_assert_true (g_file_test (run->key_file, G_FILE_TEST_EXISTS));

      /* Another process takes the lock, then the window closes. */
      run->holder = shmlab_test_start_lock_holder (run->key, SHMLAB_BACKEND_SYSV);
      gtk_window_destroy (shmlab_test_window_of (run->window));
      run->closed = TRUE;
      return G_SOURCE_CONTINUE;
    }

  /* The window is gone, the loop runs on; the detach waits for the lock. */
  if (!run->released && ++run->ticks_after_close >= 5)
    {
      g_autofree char *listed = ipcs_segments ();

      run->attached_while_held = attach_count (run->key) == 1;
      run->listed_while_held = strstr (listed, run->sysv_key) != NULL;
      shmlab_test_release_lock_holder (run->holder);
      run->released = TRUE;
    }
  return G_SOURCE_CONTINUE;
}

static void
close_run_activate (GApplication *application,
                    CloseRun     *run)
{
  run->window = shmlab_test_writer_new (GTK_APPLICATION (application));
  g_object_add_weak_pointer (G_OBJECT (run->window), (gpointer *) &run->window);
  shmlab_key_bar_set_key (shmlab_station_get_key_bar (SHMLAB_STATION (run->window)), run->key);
  /* Longer than any test runs: only the holder letting go ends the wait. */
  shmlab_session_set_lock_timeout (shmlab_station_get_session (SHMLAB_STATION (run->window)), 600 * 1000);
  shmlab_writer_station_set_text (run->window, "closed while another process holds the lock");
  gtk_window_present (shmlab_test_window_of (run->window));
  activate (run->window, "win.write");
}

/* Closing the window while another process holds the lock: the main loop
 * keeps running, the application lives on (nothing else holds it) until the
 * holder lets go and the detach under the lock removes the segment. */
static void
test_close_while_locked (void)
{
  g_autofree char *key = shmlab_test_unique_key ("wcloselocked");
  g_autoptr(GtkApplication) application = NULL;
  g_autofree char *listed = NULL;
  CloseRun run = { key, NULL, NULL, NULL, NULL, 0, FALSE, FALSE, FALSE, FALSE, FALSE };
  g_autofree char *bus = NULL;
  guint tick;

  /* A private application: no session bus is looked for. */
  bus = g_strdup (g_getenv ("DBUS_SESSION_BUS_ADDRESS"));
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "disabled:", TRUE);
  application = gtk_application_new ("io.github.shmlab.test.WriterClose",
                                     G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_get_default () == G_APPLICATION (application));
  g_signal_connect (application, "activate", G_CALLBACK (close_run_activate), &run);
  tick = g_timeout_add (1, close_run_tick, &run);
  g_assert_cmpint (g_application_run (G_APPLICATION (application), 0, NULL), ==, 0);
  g_source_remove (tick);
  if (bus != NULL)
    g_setenv ("DBUS_SESSION_BUS_ADDRESS", bus, TRUE);
  else
    g_unsetenv ("DBUS_SESSION_BUS_ADDRESS");

  g_assert_true (run.written);
  g_assert_true (run.closed);
  g_assert_null (run.window);
  /* The run ended only after the holder let go… */
  g_assert_true (run.released);
  g_assert_cmpuint (run.ticks_after_close, >=, 5);
  /* …while until then the segment was still there, attached once. */
  g_assert_true (run.attached_while_held);
  g_assert_true (run.listed_while_held);

  /* Nothing left: no detach pending, no segment, no key file. */
  g_assert_cmpuint (shmlab_session_count_closing (), ==, 0);
  g_assert_cmpint (attach_count (key), ==, -1);
  listed = ipcs_segments ();
  g_assert_null (strstr (listed, run.sysv_key));
  g_assert_false (g_file_test (run.key_file, G_FILE_TEST_EXISTS));
  g_clear_object (&run.holder);
  g_free (run.sysv_key);
  g_free (run.key_file);
}

/* A real Writer started with --write, waiting for its first write to end. */
static GSubprocess *
start_writer_process (const char  *key,
                      const char  *lock_timeout,
                      GInputStream **out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) steps = NULL;
  GSubprocess *process;
  gboolean written = FALSE;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                              &error, g_getenv ("SHMLAB_WRITER"), "--key", key, "--text",
                              "written by a real Writer", "--write", "--print-steps",
                              "--lock-timeout", lock_timeout, NULL);
  g_assert_no_error (error);
  steps = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (steps), FALSE);
  while (!written)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (steps, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line); /* it ended before writing */
      g_test_message ("shmlab-writer: %s", line);
      written = g_str_has_prefix (line, "unlock");
    }
  *out = g_object_ref (g_subprocess_get_stderr_pipe (process));
  return process;
}

static char *
read_all_text (GInputStream *stream)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();

  g_output_stream_splice (memory, stream, G_OUTPUT_STREAM_SPLICE_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (memory, "", 1, NULL, NULL, &error));
  g_assert_true (g_output_stream_close (memory, NULL, &error));
  g_assert_no_error (error);
  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (memory));
}

/* The real program: SIGTERM while another process holds the lock ends it
 * only once the holder lets go, detached and with the segment removed; a
 * lock held past the lock timeout ends it all the same, detached without
 * the lock, saying what it left behind. */
static void
test_process_close_while_locked (void)
{
  g_autofree char *key = shmlab_test_unique_key ("wproclocked");
  g_autofree char *late_key = shmlab_test_unique_key ("wproctimeout");
  g_autoptr(GSubprocess) writer = NULL;
  g_autoptr(GSubprocess) holder = NULL;
  g_autoptr(GInputStream) err = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *said = NULL;

  writer = start_writer_process (key, "600000", &err);
  g_assert_cmpint (attach_count (key), ==, 1);
  holder = shmlab_test_start_lock_holder (key, SHMLAB_BACKEND_SYSV);
  g_subprocess_send_signal (writer, SIGTERM);
  shmlab_test_release_lock_holder (holder);
  g_assert_true (g_subprocess_wait (writer, NULL, &error));
  g_assert_no_error (error);
  said = read_all_text (err);
  g_test_message ("shmlab-writer said: %s", said);
  g_assert_true (g_subprocess_get_if_exited (writer));
  g_assert_cmpint (g_subprocess_get_exit_status (writer), ==, 0);
  g_assert_null (strstr (said, "left behind"));
  g_assert_cmpint (attach_count (key), ==, -1);
  g_clear_object (&writer);
  g_clear_object (&holder);
  g_clear_object (&err);
  g_clear_pointer (&said, g_free);

  writer = start_writer_process (late_key, "200", &err);
  holder = shmlab_test_start_lock_holder (late_key, SHMLAB_BACKEND_SYSV);
  g_subprocess_send_signal (writer, SIGTERM);
  /* The holder never lets go while the Writer ends. */
  g_assert_true (g_subprocess_wait (writer, NULL, &error));
  g_assert_no_error (error);
  said = read_all_text (err);
  g_test_message ("shmlab-writer said: %s", said);
  g_assert_cmpint (g_subprocess_get_exit_status (writer), ==, 0);
  assert_contains (said, "left behind");
  assert_contains (said, late_key);
  assert_contains (said, "shmlab remove");
  g_assert_cmpint (attach_count (late_key), ==, 0);
  shmlab_test_release_lock_holder (holder);
}

/* One lock-timeout control in both windows: seconds, or as long as it
 * takes, and the session's timeout and the controls follow each other. */
static void
test_lock_timeout_forever (void)
{
  g_autofree char *key = shmlab_test_unique_key ("wforever");
  ShmlabWriterStation *window = window_new (key);
  ShmlabSession *session = shmlab_station_get_session (SHMLAB_STATION (window));
  GtkCheckButton *forever = find_check (GTK_WIDGET (window),
                                        "_Wait as long as it takes, as Qt does");
  /* The lock timeout's spin button sits with its check box (the Stream
   * page has a spin button of its own). */
  GtkSpinButton *spin =
    GTK_SPIN_BUTTON (shmlab_test_find_by_type (gtk_widget_get_parent (gtk_widget_get_parent (GTK_WIDGET (forever))),
                                               GTK_TYPE_SPIN_BUTTON));

  g_assert_nonnull (spin);
  g_assert_nonnull (forever);
  g_assert_false (gtk_check_button_get_active (forever));

  shmlab_session_set_lock_timeout (session, -1);
  g_assert_true (gtk_check_button_get_active (forever));
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (spin)));

  gtk_check_button_set_active (forever, FALSE);
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (spin)));
  g_assert_cmpint (shmlab_session_get_lock_timeout (session), ==,
                   (gint) (gtk_spin_button_get_value (spin) * 1000 + 0.5));

  gtk_spin_button_set_value (spin, 2.5);
  g_assert_cmpint (shmlab_session_get_lock_timeout (session), ==, 2500);
  gtk_check_button_set_active (forever, TRUE);
  g_assert_cmpint (shmlab_session_get_lock_timeout (session), ==, -1);
  window_close (window);
}

/* What the key bar says under the fields, as a user reads it. */
static char *
key_bar_status (ShmlabWriterStation *window)
{
  return shmlab_key_bar_get_status_text (shmlab_station_get_key_bar (SHMLAB_STATION (window)));
}

/* The Key field, as a user types into it. */
static GtkEditable *
key_entry_of (ShmlabWriterStation *window)
{
  GtkWidget *entry = shmlab_test_find_by_type (
    GTK_WIDGET (shmlab_station_get_key_bar (SHMLAB_STATION (window))), GTK_TYPE_ENTRY);

  g_assert_nonnull (entry);
  return GTK_EDITABLE (entry);
}

typedef struct
{
  ShmlabSession *session;
  const char *key;
} KeyWait;

static gboolean
session_has_key (gpointer data)
{
  KeyWait *wait = data;

  return g_strcmp0 (shmlab_session_get_key (wait->session), wait->key) == 0;
}

static gboolean
error_banner_gone (gpointer data)
{
  return shmlab_writer_station_get_error_text (data) == NULL;
}

/* A key typed is applied a moment after the last keystroke, without Enter;
 * a banner saying the key cannot be used goes as soon as it can. */
static void
test_typed_key (void)
{
  g_autofree char *key = shmlab_test_unique_key ("wtyped");
  g_autofree char *typed = shmlab_test_unique_key ("wtypednew");
  g_autofree char *native = shmlab_native_key (typed, SHMLAB_BACKEND_SYSV, SHMLAB_NATIVE_SEGMENT,
                                               NULL);
  ShmlabWriterStation *window = window_new (key);
  ShmlabSession *session = shmlab_station_get_session (SHMLAB_STATION (window));
  ShmlabKeyBar *key_bar = shmlab_station_get_key_bar (SHMLAB_STATION (window));
  GtkEditable *entry = key_entry_of (window);
  KeyWait wait = { session, typed };
  g_autofree char *status = NULL;

  /* Typed one keystroke at a time, as a person does. */
  gtk_editable_set_text (entry, "");
  for (const char *p = typed; *p != '\0'; p++)
    {
      int position = gtk_editable_get_position (entry);
      gtk_editable_insert_text (entry, p, 1, &position);
      gtk_editable_set_position (entry, position);
    }
  g_assert_cmpstr (shmlab_session_get_key (session), ==, key);
  shmlab_test_wait_until (session_has_key, &wait, WAIT_SECONDS, "the typed key to be applied");
  status = key_bar_status (window);
  assert_contains (status, native);
  g_assert_null (shmlab_key_bar_get_error_text (key_bar));

  /* An empty key: Write says why in the banner… */
  gtk_editable_set_text (entry, "");
  activate (window, "win.write");
  wait_idle (window);
  assert_contains (shmlab_writer_station_get_error_text (window), "key is empty");
  assert_contains (shmlab_key_bar_get_error_text (key_bar), "key is empty");

  /* … and a key typed again takes the banner and the field's error away. */
  gtk_editable_set_text (entry, typed);
  g_assert_null (shmlab_key_bar_get_error_text (key_bar));
  shmlab_test_wait_until (error_banner_gone, window, WAIT_SECONDS, "the key's banner to go");
  g_assert_cmpstr (shmlab_session_get_key (session), ==, typed);
  g_assert_false (segment_exists (typed));

  window_close (window);
}

/* The attach count follows the system, and says what `shmlab info` says. */
static void
test_live_attach_count (void)
{
  g_autofree char *key = shmlab_test_unique_key ("wcount");
  ShmlabWriterStation *window = window_new (key);
  g_autoptr(ShmlabSegment) other = shmlab_segment_new (SHMLAB_BACKEND_SYSV);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  int status = -1;

  shmlab_test_wait_for_status (SHMLAB_STATION (window), "no segment with this key", WAIT_SECONDS);
  shmlab_writer_station_set_text (window, "counted");
  activate (window, "win.write");
  wait_idle (window);
  shmlab_test_wait_for_status (SHMLAB_STATION (window), "attach count 1", WAIT_SECONDS);

  /* Another user of the segment attaches: no click here shows it. */
  g_assert_true (shmlab_segment_set_key (other, key, &error));
  g_assert_true (shmlab_segment_attach (other, SHMLAB_ACCESS_READ_ONLY, NULL, &error));
  g_assert_no_error (error);
  shmlab_test_wait_for_status (SHMLAB_STATION (window), "attach count 2", WAIT_SECONDS);
  g_assert_true (shmlab_test_run_cli (&out, NULL, &status, "info", key, NULL));
  g_assert_cmpint (status, ==, 0);
  assert_contains (out, "2 processes");

  g_assert_true (shmlab_segment_detach (other, &error));
  g_assert_no_error (error);
  shmlab_test_wait_for_status (SHMLAB_STATION (window), "attach count 1", WAIT_SECONDS);

  window_close (window);
  g_assert_false (segment_exists (key));
}

/* ---- the Memory tab ---- */

typedef struct
{
  ShmlabMemoryView *view;
  guint want;
  guint after;     /* a look that ended after this many */
} MemoryLook;

static gboolean
memory_shows (gpointer data)
{
  MemoryLook *look = data;
  const ShmlabMemoryMap *map = shmlab_memory_view_get_map (look->view);

  return shmlab_memory_view_get_scans (look->view) > look->after && map != NULL && map->exists &&
         map->mappings->len == look->want;
}

static const ShmlabMemoryMapping *
mapping_of_pid (const ShmlabMemoryMap *map,
                guint32                pid)
{
  for (guint i = 0; i < map->mappings->len; i++)
    if (((ShmlabMemoryMapping *) g_ptr_array_index (map->mappings, i))->pid == pid)
      return g_ptr_array_index (map->mappings, i);
  shmlab_test_fail ("pid %u maps nothing", pid);
  return NULL;
}

/* The Writer writes; its Memory tab shows this process with the segment
 * mapped read-write; a reader that copied it appears beside it at another
 * address with every page present, and goes when it detaches. The tab
 * says it all in words too, with the lesson. */
static void
test_memory_tab (void)
{
  g_autofree char *key = shmlab_test_unique_key ("wmemory");
  ShmlabWriterStation *window = window_new (key);
  ShmlabMemoryView *view = SHMLAB_MEMORY_VIEW (shmlab_test_find_by_type (GTK_WIDGET (window),
                                                                         SHMLAB_TYPE_MEMORY_VIEW));
  g_autoptr(GSubprocess) reader = NULL;
  g_autoptr(GError) error = NULL;
  MemoryLook look = { view, 1, 0 };
  const ShmlabMemoryMapping *mine, *theirs;
  guint32 reader_pid;

  g_assert_nonnull (view);
  shmlab_writer_station_set_text (window, "one memory");
  shmlab_key_bar_set_size_text (shmlab_station_get_key_bar (SHMLAB_STATION (window)), "64 KiB");
  activate (window, "win.write");
  wait_idle (window);
  g_assert_null (shmlab_writer_station_get_error_text (window));

  shmlab_station_set_side_page (SHMLAB_STATION (window), "memory");
  shmlab_test_wait_until (memory_shows, &look, WAIT_SECONDS, "the Memory tab to show the Writer");
  mine = mapping_of_pid (shmlab_memory_view_get_map (view), (guint32) getpid ());
  g_assert_true (mine->writable);
  g_assert_nonnull (strstr (shmlab_memory_view_get_text (view), "attached: 1 (all shown)"));

  reader = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                             shmlab_test_cli_path (), "read", key, "--hold", "60", NULL);
  g_assert_no_error (error);
  reader_pid = (guint32) atoi (g_subprocess_get_identifier (reader));
  look.want = 2;
  shmlab_test_wait_until (memory_shows, &look, WAIT_SECONDS, "the reader beside the Writer");
  mine = mapping_of_pid (shmlab_memory_view_get_map (view), (guint32) getpid ());
  theirs = mapping_of_pid (shmlab_memory_view_get_map (view), reader_pid);
  g_assert_false (theirs->writable);
  g_assert_cmpint (theirs->present, ==, (gint64) theirs->n_pages);
  g_assert_cmpuint (theirs->n_pages, ==, mine->n_pages);
  g_assert_nonnull (strstr (shmlab_memory_view_get_text (view), "attached: 2 (all shown)"));
  g_assert_nonnull (strstr (shmlab_memory_view_get_text (view), "read-only"));

  /* The reader detaches: gone at a later look. */
  g_subprocess_send_signal (reader, SIGTERM);
  g_assert_true (g_subprocess_wait (reader, NULL, NULL));
  look.want = 1;
  look.after = shmlab_memory_view_get_scans (view);
  shmlab_test_wait_until (memory_shows, &look, WAIT_SECONDS, "the reader's mapping gone");

  window_close (window);
}

int
main (int    argc,
      char **argv)
{
  shmlab_test_init (&argc, &argv);
  gtk_init ();
  shmlab_app_support_init ();

  g_test_add_func ("/writer-window/new-destroy", test_new_destroy);
  g_test_add_func ("/writer-window/write-text", test_write_text);
  g_test_add_func ("/writer-window/write-image", test_write_image);
  g_test_add_func ("/writer-window/too-large-cut", test_too_large_cut);
  g_test_add_func ("/writer-window/too-large-grow", test_too_large_grow);
  g_test_add_func ("/writer-window/keyboard/grow-focus", test_grow_focus);
  g_test_add_func ("/writer-window/keyboard/text-tab", test_text_tab);
  g_test_add_func ("/writer-window/keyboard/offer-close", test_offer_close);
  g_test_add_func ("/writer-window/a11y/write-result-focus", test_write_result_focus);
  g_test_add_func ("/writer-window/image-cannot-be-cut", test_image_cannot_be_cut);
  g_test_add_func ("/writer-window/stale-remove", test_stale_remove);
  g_test_add_func ("/writer-window/stale-attach", test_stale_attach);
  g_test_add_func ("/writer-window/file-kept-remove", test_file_kept_remove);
  g_test_add_func ("/writer-window/live-segment", test_live_segment);
  g_test_add_func ("/writer-window/typed-key", test_typed_key);
  g_test_add_func ("/writer-window/live-attach-count", test_live_attach_count);
  g_test_add_func ("/writer-window/steps", test_steps);
  g_test_add_func ("/writer-window/bad-png", test_bad_png);
  g_test_add_func ("/writer-window/open-picture-types", test_open_picture_types);
  g_test_add_func ("/writer-window/format-words", test_format_words);
  g_test_add_func ("/writer-window/format-mismatch", test_format_mismatch);
  g_test_add_func ("/writer-window/paste", test_paste);
  g_test_add_func ("/writer-window/cancel-lock-wait", test_cancel_lock_wait);
  g_test_add_func ("/writer-window/lock-timeout-forever", test_lock_timeout_forever);
  g_test_add_func ("/writer-window/close-while-waiting", test_close_while_waiting);
  g_test_add_func ("/writer-window/close-while-loading", test_close_while_loading);
  g_test_add_func ("/writer-window/close-while-locked", test_close_while_locked);
  g_test_add_func ("/writer-window/process/close-while-locked", test_process_close_while_locked);
  g_test_add_func ("/writer-window/memory-tab", test_memory_tab);
  return g_test_run ();
}
