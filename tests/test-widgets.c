/* test-widgets.c — the widgets both windows share, each in a window, fed by
 * a real session: the key bar, the step log, the inspector, the content view
 * and the wait bar
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-test-gtk.h"
#include "shmlab-test-util.h"

#include <signal.h>
#include <string.h>

#include "shmlab-app-support.h"
#include "shmlab-content-view.h"
#include "shmlab-hostile.h"
#include "shmlab-i18n.h"
#include "shmlab-inspector.h"
#include "shmlab-key-bar.h"
#include "shmlab-reader-pane.h"
#include "shmlab-session.h"
#include "shmlab-step-log.h"
#include "shmlab-wait-bar.h"
#include "shmlab-writer-pane.h"

/* A wait for something that must happen soon; only a broken widget makes it run out. */
#define WAIT_SECONDS 30

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  shmlab_test_wait_until (shmlab_test_pointer_set, slot, WAIT_SECONDS, "an operation to finish");
  return *slot;
}

/* Runs what the main context still has to deliver (the last steps' notifications). */
static void
drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static GtkWindow *
window_with (GtkWidget *child)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());

  gtk_window_set_default_size (window, 1000, 700);
  gtk_window_set_child (window, child);
  gtk_window_present (window);
  return window;
}

/* Destroys @window and proves it, its widgets and @session all go away. */
static void
destroy_all (GtkWindow     *window,
             ShmlabSession *session)
{
  g_object_ref (window);
  gtk_window_destroy (window);
  drain ();
  g_assert_finalize_object (window);
  if (session)
    {
      drain ();
      g_assert_finalize_object (session);
    }
}

/* The @nth (from 0) descendant of @root of @type, depth first. */
static GtkWidget *
find_widget (GtkWidget *root,
             GType      type,
             guint      nth)
{
  GPtrArray *stack = g_ptr_array_new ();
  GtkWidget *found = NULL;

  g_ptr_array_add (stack, root);
  while (stack->len > 0 && found == NULL)
    {
      GtkWidget *widget = g_ptr_array_steal_index (stack, stack->len - 1);
      GPtrArray *children = g_ptr_array_new ();

      if (widget != root && G_TYPE_CHECK_INSTANCE_TYPE (widget, type) && nth-- == 0)
        found = widget;
      for (GtkWidget *child = gtk_widget_get_first_child (widget); child;
           child = gtk_widget_get_next_sibling (child))
        g_ptr_array_add (children, child);
      /* Pushed last child first, so the first child comes out first. */
      for (guint i = children->len; i > 0; i--)
        g_ptr_array_add (stack, g_ptr_array_index (children, i - 1));
      g_ptr_array_unref (children);
    }
  g_ptr_array_unref (stack);
  g_assert_nonnull (found);
  return found;
}

static ShmlabSession *
session_new (const char    *key,
             ShmlabBackend  backend)
{
  ShmlabSession *session = shmlab_session_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (shmlab_session_set_key (session, key, backend, &error));
  g_assert_no_error (error);
  return session;
}

static void
write_payload (ShmlabSession *session,
               ShmlabPayload *payload,
               ShmlabFormat   format)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(ShmlabEncoded) encoded = shmlab_payload_encode (payload, format, &error);

  g_assert_no_error (error);
  shmlab_session_write_all_async (session, encoded, 0, SHMLAB_WRITE_FLAGS_NONE, NULL,
                                  shmlab_test_store_result, &result);
  shmlab_session_step_finish (session, wait_result (&result), &error);
  g_assert_no_error (error);
  drain ();
}

static void
write_text (ShmlabSession *session,
            const char    *text,
            ShmlabFormat   format)
{
  g_autoptr(ShmlabPayload) payload = shmlab_payload_new_text (text, -1);

  write_payload (session, payload, format);
}

static ShmlabImage *
test_image (guint32 width,
            guint32 height)
{
  g_autoptr(GError) error = NULL;
  ShmlabImage *image = shmlab_image_new (width, height, &error);

  g_assert_no_error (error);
  for (guint32 y = 0; y < height; y++)
    for (guint32 x = 0; x < width; x++)
      {
        guint8 *p = image->pixels + (gsize) y * image->stride + (gsize) x * 4;

        p[0] = (guint8) (x * 7);
        p[1] = (guint8) (y * 13);
        p[2] = (guint8) (x + y);
        p[3] = 255;
      }
  return image;
}

static gboolean
contains (const char *haystack,
          const char *needle)
{
  return haystack != NULL && strstr (haystack, needle) != NULL;
}

/* ---- the key bar ---- */

static void
test_key_bar_follows_session (void)
{
  g_autofree char *key = shmlab_test_unique_key ("keybar");
  ShmlabSession *session = shmlab_session_new ();
  GtkWidget *bar = shmlab_key_bar_new ();
  GtkWindow *window = window_with (bar);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *detached = NULL;
  g_autofree char *sysv_key = NULL;
  g_autoptr(GError) error = NULL;

  /* A new session takes the bar's key: both apps start on the same default. */
  shmlab_key_bar_set_session (SHMLAB_KEY_BAR (bar), session);
  g_assert_cmpstr (shmlab_session_get_key (session), ==, SHMLAB_DEFAULT_KEY);
  g_assert_cmpstr (shmlab_key_bar_get_key (SHMLAB_KEY_BAR (bar)), ==, SHMLAB_DEFAULT_KEY);

  shmlab_key_bar_set_key (SHMLAB_KEY_BAR (bar), key);
  g_assert_true (shmlab_key_bar_apply (SHMLAB_KEY_BAR (bar), &error));
  g_assert_no_error (error);
  g_assert_cmpstr (shmlab_session_get_key (session), ==, key);
  g_assert_null (shmlab_key_bar_get_error_text (SHMLAB_KEY_BAR (bar)));

  before = shmlab_key_bar_get_status_text (SHMLAB_KEY_BAR (bar));
  g_assert_true (contains (before, shmlab_session_get_native_key (session)));
  g_assert_true (contains (before, "not attached"));
  g_assert_true (contains (before, "no segment with this key"));

  write_text (session, "twenty-one bytes long", SHMLAB_FORMAT_TEXT);
  after = shmlab_key_bar_get_status_text (SHMLAB_KEY_BAR (bar));
  sysv_key = g_strdup_printf ("System V key 0x%08x",
                              (guint32) shmlab_session_get_info (session)->sysv_key);
  g_assert_true (contains (after, shmlab_session_get_native_key (session)));
  g_assert_true (contains (after, sysv_key));
  g_assert_true (contains (after, " · attached · not locked · "));
  g_assert_true (contains (after, "size 22 bytes"));
  g_assert_true (contains (after, "attach count 1"));
  g_assert_false (contains (after, "stale"));

  /* The last detach removes the segment, as with Qt. */
  {
    g_autoptr(GAsyncResult) result = NULL;

    shmlab_session_detach_async (session, NULL, shmlab_test_store_result, &result);
    g_assert_true (shmlab_session_step_finish (session, wait_result (&result), &error));
    g_assert_no_error (error);
    drain ();
  }
  detached = shmlab_key_bar_get_status_text (SHMLAB_KEY_BAR (bar));
  g_assert_true (contains (detached, "not attached"));
  g_assert_true (contains (detached, "no segment with this key"));

  destroy_all (window, session);
}

static void
test_key_bar_invalid_key (void)
{
  ShmlabSession *session = shmlab_session_new ();
  GtkWidget *bar = shmlab_key_bar_new ();
  GtkWindow *window = window_with (bar);
  GtkWidget *entry;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = shmlab_test_unique_key ("valid");

  shmlab_key_bar_set_session (SHMLAB_KEY_BAR (bar), session);
  entry = find_widget (bar, GTK_TYPE_ENTRY, 0);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, SHMLAB_DEFAULT_KEY);

  /* What a student types goes to the session on Enter. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  g_signal_emit_by_name (entry, "activate");
  g_assert_true (gtk_widget_has_css_class (entry, "error"));
  g_assert_true (contains (shmlab_key_bar_get_error_text (SHMLAB_KEY_BAR (bar)), "empty"));
  g_assert_cmpstr (shmlab_session_get_key (session), ==, SHMLAB_DEFAULT_KEY);

  g_assert_false (shmlab_key_bar_apply (SHMLAB_KEY_BAR (bar), &error));
  g_assert_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_KEY_ERROR);
  g_assert_cmpstr (error->message, ==, shmlab_key_bar_get_error_text (SHMLAB_KEY_BAR (bar)));
  g_clear_error (&error);

  /* Typing a good key clears the error at once, before it is applied. */
  gtk_editable_set_text (GTK_EDITABLE (entry), key);
  g_assert_false (gtk_widget_has_css_class (entry, "error"));
  g_assert_null (shmlab_key_bar_get_error_text (SHMLAB_KEY_BAR (bar)));
  g_signal_emit_by_name (entry, "activate");
  g_assert_cmpstr (shmlab_session_get_key (session), ==, key);

  /* Closing the window with a half-typed key in the focused entry is quiet. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  gtk_widget_grab_focus (entry);
  destroy_all (window, session);
}

static void
test_key_bar_size (void)
{
  GtkWidget *bar = shmlab_key_bar_new ();
  GtkWindow *window = window_with (bar);
  GtkWidget *size_entry = find_widget (bar, GTK_TYPE_ENTRY, 1);
  g_autoptr(GError) error = NULL;
  guint64 size = 1;

  g_assert_false (gtk_widget_is_visible (size_entry));
  shmlab_key_bar_set_show_size (SHMLAB_KEY_BAR (bar), TRUE);
  g_assert_true (gtk_widget_is_visible (size_entry));

  g_assert_true (shmlab_key_bar_get_size (SHMLAB_KEY_BAR (bar), &size, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (size, ==, 0);

  shmlab_key_bar_set_size_text (SHMLAB_KEY_BAR (bar), "Auto");
  g_assert_true (shmlab_key_bar_get_size (SHMLAB_KEY_BAR (bar), &size, &error));
  g_assert_cmpuint (size, ==, 0);

  shmlab_key_bar_set_size_text (SHMLAB_KEY_BAR (bar), "64 KiB");
  g_assert_true (shmlab_key_bar_get_size (SHMLAB_KEY_BAR (bar), &size, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (size, ==, 65536);

  shmlab_key_bar_set_size_text (SHMLAB_KEY_BAR (bar), "12 parsecs");
  g_assert_false (shmlab_key_bar_get_size (SHMLAB_KEY_BAR (bar), &size, &error));
  g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
  g_assert_true (contains (error->message, "“12 parsecs” is not a size"));
  g_assert_true (gtk_widget_has_css_class (size_entry, "error"));
  g_assert_true (contains (shmlab_key_bar_get_error_text (SHMLAB_KEY_BAR (bar)), "12 parsecs"));
  g_clear_error (&error);

  shmlab_key_bar_set_size_text (SHMLAB_KEY_BAR (bar), "0");
  g_assert_false (shmlab_key_bar_get_size (SHMLAB_KEY_BAR (bar), &size, &error));
  g_assert_true (contains (error->message, "0 bytes"));
  g_clear_error (&error);

  shmlab_key_bar_set_size_text (SHMLAB_KEY_BAR (bar), "1.5 MiB");
  g_assert_true (shmlab_key_bar_get_size (SHMLAB_KEY_BAR (bar), &size, &error));
  g_assert_cmpuint (size, ==, 1572864);
  g_assert_false (gtk_widget_has_css_class (size_entry, "error"));
  g_assert_null (shmlab_key_bar_get_error_text (SHMLAB_KEY_BAR (bar)));

  destroy_all (window, NULL);
}

/* The kind beside the key: "Native name" names /dev/shm/NAME itself; a Qt
 * string form typed chooses its kind and backend, and stays as typed. */
static void
test_key_bar_native (void)
{
  g_autofree char *key = shmlab_test_unique_key ("native");
  g_autofree char *string_form = g_strconcat ("posix:/", key, NULL);
  g_autofree char *native = g_strconcat ("/", key, NULL);
  ShmlabSession *session = shmlab_session_new ();
  GtkWidget *bar = shmlab_key_bar_new ();
  GtkWindow *window = window_with (bar);
  GtkWidget *kind = find_widget (bar, GTK_TYPE_DROP_DOWN, 0);
  GtkWidget *backend = find_widget (bar, GTK_TYPE_DROP_DOWN, 1);

  shmlab_key_bar_set_key (SHMLAB_KEY_BAR (bar), key);
  shmlab_key_bar_set_session (SHMLAB_KEY_BAR (bar), session);
  g_assert_true (g_str_has_prefix (shmlab_session_get_native_key (session), "/tmp") ||
                 strstr (shmlab_session_get_native_key (session), "qipc_sharedmemory_") != NULL);

  /* Native name, POSIX: the name as typed. */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (backend), 1);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (kind), 1);
  g_assert_cmpint (shmlab_key_bar_get_kind (SHMLAB_KEY_BAR (bar)), ==, SHMLAB_KEY_KIND_QT_NATIVE);
  g_assert_cmpstr (shmlab_session_get_native_key (session), ==, native);
  g_assert_cmpstr (shmlab_session_get_key (session), ==, string_form);
  g_assert_cmpstr (shmlab_key_bar_get_key (SHMLAB_KEY_BAR (bar)), ==, key);

  /* A "/" inside a POSIX name is refused, with the reason under the field. */
  shmlab_key_bar_set_key (SHMLAB_KEY_BAR (bar), "a/b");
  g_assert_nonnull (shmlab_key_bar_get_error_text (SHMLAB_KEY_BAR (bar)));
  g_assert_true (contains (shmlab_key_bar_get_error_text (SHMLAB_KEY_BAR (bar)), "“/”"));
  g_assert_cmpstr (shmlab_session_get_native_key (session), ==, native);

  /* Back to Qt key and System V; then the string form pasted. */
  shmlab_key_bar_set_kind (SHMLAB_KEY_BAR (bar), SHMLAB_KEY_KIND_QT_LEGACY);
  shmlab_key_bar_set_backend (SHMLAB_KEY_BAR (bar), SHMLAB_BACKEND_SYSV);
  shmlab_key_bar_set_key (SHMLAB_KEY_BAR (bar), string_form);
  g_assert_null (shmlab_key_bar_get_error_text (SHMLAB_KEY_BAR (bar)));
  g_assert_cmpint (shmlab_session_get_backend (session), ==, SHMLAB_BACKEND_POSIX);
  g_assert_cmpint (shmlab_key_bar_get_backend (SHMLAB_KEY_BAR (bar)), ==, SHMLAB_BACKEND_POSIX);
  g_assert_cmpint (shmlab_key_bar_get_kind (SHMLAB_KEY_BAR (bar)), ==, SHMLAB_KEY_KIND_QT_NATIVE);
  g_assert_cmpstr (shmlab_session_get_native_key (session), ==, native);
  g_assert_cmpstr (shmlab_key_bar_get_key (SHMLAB_KEY_BAR (bar)), ==, string_form);

  destroy_all (window, session);
}

static void
test_key_bar_posix (void)
{
  g_autofree char *key = shmlab_test_unique_key ("posix");
  ShmlabSession *session = shmlab_session_new ();
  GtkWidget *bar = shmlab_key_bar_new ();
  GtkWindow *window = window_with (bar);
  /* The first drop-down is the key's kind, the second the backend. */
  GtkWidget *dropdown = find_widget (bar, GTK_TYPE_DROP_DOWN, 1);
  g_autofree char *file = NULL;
  g_autofree char *status = NULL;

  shmlab_key_bar_set_key (SHMLAB_KEY_BAR (bar), key);
  shmlab_key_bar_set_session (SHMLAB_KEY_BAR (bar), session);

  /* Choosing POSIX in the drop-down applies it at once. */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (dropdown), 1);
  g_assert_cmpint (shmlab_session_get_backend (session), ==, SHMLAB_BACKEND_POSIX);
  g_assert_cmpint (shmlab_key_bar_get_backend (SHMLAB_KEY_BAR (bar)), ==, SHMLAB_BACKEND_POSIX);

  write_text (session, "posix", SHMLAB_FORMAT_TEXT);
  file = g_strdup_printf ("/dev/shm%s", shmlab_session_get_native_key (session));
  status = shmlab_key_bar_get_status_text (SHMLAB_KEY_BAR (bar));
  g_assert_true (g_str_has_prefix (shmlab_session_get_native_key (session), "/qipc_"));
  g_assert_true (contains (status, file));
  g_assert_true (contains (status, " · attached · "));
  g_assert_true (contains (status, "size 6 bytes"));

  /* A key set on the session elsewhere shows in the fields. */
  g_assert_true (shmlab_session_set_key (session, key, SHMLAB_BACKEND_SYSV, NULL));
  g_assert_cmpuint (gtk_drop_down_get_selected (GTK_DROP_DOWN (dropdown)), ==, 0);

  g_object_unref (session);
  /* The bar holds its own reference until the window goes. */
  destroy_all (window, NULL);
}

/* A writer killed while attached leaves a segment no process is attached to. */
static void
make_stale_segment (const char *key)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) writer = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  gboolean holding = FALSE;

  writer = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               G_SUBPROCESS_FLAGS_STDERR_MERGE,
                             &error, shmlab_test_cli_path (), "write", key, "--text", "left over",
                             NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (writer));
  while (!holding)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line);
      holding = g_str_has_prefix (line, "holding");
    }
  g_subprocess_send_signal (writer, SIGKILL);
  g_subprocess_wait (writer, NULL, &error);
  g_assert_no_error (error);
}

static void
test_key_bar_stale (void)
{
  g_autofree char *key = shmlab_test_unique_key ("stale");
  ShmlabSession *session = session_new (key, SHMLAB_BACKEND_SYSV);
  GtkWidget *bar = shmlab_key_bar_new ();
  GtkWindow *window = window_with (bar);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *status = NULL;

  shmlab_key_bar_set_session (SHMLAB_KEY_BAR (bar), session);
  g_assert_cmpstr (shmlab_key_bar_get_key (SHMLAB_KEY_BAR (bar)), ==, key);
  make_stale_segment (key);

  /* Creating fails: the key is taken; the step refreshes what the bar shows. */
  shmlab_session_create_async (session, 100, NULL, shmlab_test_store_result, &result);
  g_assert_false (shmlab_session_step_finish (session, wait_result (&result), &error));
  g_assert_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_ALREADY_EXISTS);
  g_clear_object (&result);
  drain ();

  status = shmlab_key_bar_get_status_text (SHMLAB_KEY_BAR (bar));
  g_assert_true (contains (status, "not attached"));
  g_assert_true (contains (status, "size 10 bytes"));
  g_assert_true (contains (status, "attach count 0"));
  g_assert_true (contains (status, "stale: no process is attached"));

  destroy_all (window, session);
}

/* File, the third entry of the backend list: its native key is a file's
 * path, in the temp dir for a Qt key, the path itself for a native name. */
static void
test_key_bar_file (void)
{
  g_autofree char *key = shmlab_test_unique_key ("file");
  g_autofree char *path = g_build_filename (shmlab_test_get_temp_dir (), "typed.shm", NULL);
  g_autofree char *string_form = g_strconcat ("file:", path, NULL);
  ShmlabSession *session = shmlab_session_new ();
  GtkWidget *bar = shmlab_key_bar_new ();
  GtkWindow *window = window_with (bar);
  GtkWidget *dropdown = find_widget (bar, GTK_TYPE_DROP_DOWN, 1);
  g_autofree char *status = NULL;

  shmlab_key_bar_set_key (SHMLAB_KEY_BAR (bar), key);
  shmlab_key_bar_set_session (SHMLAB_KEY_BAR (bar), session);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (dropdown), 2);
  g_assert_cmpint (shmlab_session_get_backend (session), ==, SHMLAB_BACKEND_FILE);
  g_assert_true (g_str_has_prefix (shmlab_session_get_native_key (session),
                                   shmlab_test_get_temp_dir ()));
  g_assert_true (g_str_has_suffix (shmlab_session_get_native_key (session), ".shm"));

  write_text (session, "in a file", SHMLAB_FORMAT_TEXT);
  status = shmlab_key_bar_get_status_text (SHMLAB_KEY_BAR (bar));
  g_assert_true (contains (status, shmlab_session_get_native_key (session)));
  g_assert_true (contains (status, "ls -l shows it"));
  g_assert_true (contains (status, " · attached · "));
  g_assert_true (g_file_test (shmlab_session_get_native_key (session), G_FILE_TEST_IS_REGULAR));

  /* A native name is the path itself; its string form names it whole. */
  shmlab_key_bar_set_kind (SHMLAB_KEY_BAR (bar), SHMLAB_KEY_KIND_QT_NATIVE);
  shmlab_key_bar_set_key (SHMLAB_KEY_BAR (bar), path);
  g_assert_null (shmlab_key_bar_get_error_text (SHMLAB_KEY_BAR (bar)));
  g_assert_cmpstr (shmlab_session_get_native_key (session), ==, path);
  g_assert_cmpstr (shmlab_session_get_key (session), ==, string_form);

  destroy_all (window, session);
  shmlab_segment_remove_key (key, SHMLAB_BACKEND_FILE, TRUE, NULL);
}

/* A file nobody maps is kept, not stale: the bar says so, and offers its removal. */
static void
test_key_bar_file_kept (void)
{
  g_autofree char *key = shmlab_test_unique_key ("kept");
  ShmlabSession *session = session_new (key, SHMLAB_BACKEND_FILE);
  GtkWidget *bar = shmlab_key_bar_new ();
  GtkWindow *window = window_with (bar);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *status = NULL;
  g_autofree char *out = NULL, *err = NULL;
  int exit_status;

  g_assert_true (shmlab_test_run_cli (&out, &err, &exit_status, "write", key, "--backend", "file",
                                      "--text", "kept", "--hold", "0", "-q", NULL));
  g_assert_cmpint (exit_status, ==, 0);
  shmlab_key_bar_set_session (SHMLAB_KEY_BAR (bar), session);

  shmlab_session_create_async (session, 100, NULL, shmlab_test_store_result, &result);
  g_assert_false (shmlab_session_step_finish (session, wait_result (&result), &error));
  g_assert_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_ALREADY_EXISTS);
  g_clear_object (&result);
  drain ();

  status = shmlab_key_bar_get_status_text (SHMLAB_KEY_BAR (bar));
  g_assert_true (contains (status, "size 5 bytes"));
  g_assert_true (contains (status, "kept: a file stays until it is removed"));
  g_assert_false (contains (status, "stale"));

  destroy_all (window, session);
  shmlab_segment_remove_key (key, SHMLAB_BACKEND_FILE, FALSE, NULL);
}

/* ---- the step log ---- */

typedef struct
{
  char *text;
  gboolean done;
} ClipboardRead;

static void
on_clipboard_text (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  ClipboardRead *read = user_data;
  g_autoptr(GError) error = NULL;

  read->text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, &error);
  g_assert_no_error (error);
  read->done = TRUE;
}

static gboolean
clipboard_read_done (gpointer data)
{
  return ((ClipboardRead *) data)->done;
}

static void
test_step_log_steps (void)
{
  g_autofree char *key = shmlab_test_unique_key ("log");
  g_autofree char *missing = shmlab_test_unique_key ("missing");
  ShmlabSession *session = session_new (key, SHMLAB_BACKEND_SYSV);
  GtkWidget *log = shmlab_step_log_new ();
  GtkWindow *window = window_with (log);
  GtkWidget *copy_button = find_widget (log, GTK_TYPE_BUTTON, 0);
  GtkWidget *clear_button = find_widget (log, GTK_TYPE_BUTTON, 1);
  g_auto(GStrv) lines = NULL;
  g_autofree char *text = NULL;
  ClipboardRead read = { NULL, FALSE };
  const char *expected[] = { "setKey", "create", "lock", "copy", "unlock" };

  shmlab_step_log_set_session (SHMLAB_STEP_LOG (log), session);
  g_assert_cmpuint (shmlab_step_log_get_n_lines (SHMLAB_STEP_LOG (log)), ==, 0);
  g_assert_false (gtk_widget_get_sensitive (copy_button));

  write_text (session, "hello log", SHMLAB_FORMAT_TEXT);
  g_assert_cmpuint (shmlab_step_log_get_n_lines (SHMLAB_STEP_LOG (log)), ==,
                    G_N_ELEMENTS (expected));
  text = shmlab_step_log_to_text (SHMLAB_STEP_LOG (log));
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, G_N_ELEMENTS (expected) + 1);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *name = g_strdup_printf ("  %-7s  ", expected[i]);

      /* "14:03:27.512  create   10 bytes, mode 0600  ✓  0.04 ms" */
      g_assert_true (g_ascii_isdigit (lines[i][0]));
      g_assert_cmpint (lines[i][2], ==, ':');
      g_assert_cmpint (lines[i][8], ==, '.');
      g_assert_true (contains (lines[i], name));
      g_assert_true (contains (lines[i], "  ✓  "));
      g_assert_true (g_str_has_suffix (lines[i], " ms"));
    }
  g_assert_true (contains (lines[1], "10 bytes, mode 0600"));
  /* The format's own brackets stand alone: not "(plain text (Qt demo))". */
  g_assert_true (contains (lines[3], "10 bytes in as plain text (Qt demo)"));
  g_assert_null (strstr (lines[3], "))"));
  g_assert_cmpstr (lines[G_N_ELEMENTS (expected)], ==, "");

  /* A failed step shows its message. */
  {
    ShmlabSession *other = session_new (missing, SHMLAB_BACKEND_SYSV);
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *failed = NULL;

    shmlab_step_log_set_session (SHMLAB_STEP_LOG (log), other);
    shmlab_session_attach_async (other, SHMLAB_ACCESS_READ_ONLY, NULL, shmlab_test_store_result,
                                 &result);
    g_assert_false (shmlab_session_step_finish (other, wait_result (&result), &error));
    g_assert_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_NOT_FOUND);
    drain ();
    failed = shmlab_step_log_to_text (SHMLAB_STEP_LOG (log));
    g_assert_true (contains (failed, "attach   read-only  ✗ failed  "));
    g_assert_true (contains (failed, error->message));
    g_object_unref (other);
  }

  shmlab_step_log_append_note (SHMLAB_STEP_LOG (log), "the segment is gone — waiting for the writer",
                               FALSE);
  g_clear_pointer (&text, g_free);
  text = shmlab_step_log_to_text (SHMLAB_STEP_LOG (log));
  g_assert_true (g_str_has_suffix (text, "  the segment is gone — waiting for the writer\n"));
  g_assert_cmpuint (shmlab_step_log_get_n_lines (SHMLAB_STEP_LOG (log)), ==, 8);

  /* Copy puts the whole log on the clipboard. */
  g_assert_true (gtk_widget_get_sensitive (copy_button));
  g_signal_emit_by_name (copy_button, "clicked");
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (log), NULL, on_clipboard_text, &read);
  shmlab_test_wait_until (clipboard_read_done, &read, WAIT_SECONDS, "the clipboard");
  g_assert_cmpstr (read.text, ==, text);
  g_free (read.text);

  g_signal_emit_by_name (clear_button, "clicked");
  g_assert_cmpuint (shmlab_step_log_get_n_lines (SHMLAB_STEP_LOG (log)), ==, 0);
  g_clear_pointer (&text, g_free);
  text = shmlab_step_log_to_text (SHMLAB_STEP_LOG (log));
  g_assert_cmpstr (text, ==, "");
  g_assert_false (gtk_widget_get_sensitive (clear_button));

  destroy_all (window, session);
}

static void
test_step_log_limit (void)
{
  GtkWidget *log = shmlab_step_log_new ();
  GtkWindow *window = window_with (log);
  g_autofree char *text = NULL;
  ShmlabStep step = { "copy", NULL, TRUE, NULL, 10, 0 };

  for (guint i = 0; i < 5100; i++)
    {
      g_autofree char *detail = g_strdup_printf ("step %u", i);

      step.detail = detail;
      step.time_us = g_get_real_time ();
      shmlab_step_log_append (SHMLAB_STEP_LOG (log), &step);
    }

  /* The oldest lines go first. */
  g_assert_cmpuint (shmlab_step_log_get_n_lines (SHMLAB_STEP_LOG (log)), ==, 5000);
  text = shmlab_step_log_to_text (SHMLAB_STEP_LOG (log));
  g_assert_false (contains (text, "step 99  "));
  g_assert_true (contains (text, "copy     step 100  ✓"));
  g_assert_true (contains (text, "step 5099  ✓  0.01 ms\n"));

  destroy_all (window, NULL);
}

/* ---- the inspector ---- */

static void
test_inspector_frame (void)
{
  g_autofree char *key = shmlab_test_unique_key ("frame");
  ShmlabSession *session = session_new (key, SHMLAB_BACKEND_SYSV);
  GtkWidget *inspector = shmlab_inspector_new ();
  GtkWindow *window = window_with (inspector);
  g_autofree char *hex = NULL;
  g_autofree char *value = NULL;

  shmlab_inspector_set_session (SHMLAB_INSPECTOR (inspector), session);
  g_assert_true (contains (shmlab_inspector_get_format_text (SHMLAB_INSPECTOR (inspector)),
                           "No bytes yet"));

  write_text (session, "frame text", SHMLAB_FORMAT_FRAME);
  g_assert_cmpuint (g_bytes_get_size (shmlab_inspector_get_bytes (SHMLAB_INSPECTOR (inspector))),
                    ==, 74);
  hex = shmlab_inspector_get_hex_text (SHMLAB_INSPECTOR (inspector));
  g_assert_true (g_str_has_prefix (
    hex, "00000000  53 48 4d 4c 41 42 46 52  01 00 40 00 01 00 00 00  SHMLABFR..@....."));
  /* 74 bytes: four full lines and one of 10. */
  g_assert_true (contains (hex, "\n00000040  "));
  g_assert_false (contains (hex, "\n00000050"));
  g_assert_cmpstr (shmlab_inspector_get_format_text (SHMLAB_INSPECTOR (inspector)), ==,
                   "ShmLab frame: text, 10 bytes of payload, generation 1; CRC-32 correct");
  g_assert_null (shmlab_inspector_get_wrong_field (SHMLAB_INSPECTOR (inspector)));

  value = shmlab_inspector_get_field_value (SHMLAB_INSPECTOR (inspector), "payload_length");
  g_assert_cmpstr (value, ==, "10 bytes");
  g_clear_pointer (&value, g_free);
  value = shmlab_inspector_get_field_value (SHMLAB_INSPECTOR (inspector), "magic");
  g_assert_cmpstr (value, ==, "“SHMLABFR”");
  g_clear_pointer (&value, g_free);
  value = shmlab_inspector_get_field_value (SHMLAB_INSPECTOR (inspector), "kind");
  g_assert_cmpstr (value, ==, "1 = text");
  g_clear_pointer (&value, g_free);
  value = shmlab_inspector_get_field_value (SHMLAB_INSPECTOR (inspector), "writer_pid");
  g_assert_cmpint (atoi (value), ==, getpid ());
  g_clear_pointer (&value, g_free);

  /* Every field of the header is listed, lock_holder included. */
  {
    guint n_fields;
    const ShmlabFrameField *fields = shmlab_frame_fields (&n_fields);

    for (guint i = 0; i < n_fields; i++)
      {
        value = shmlab_inspector_get_field_value (SHMLAB_INSPECTOR (inspector), fields[i].name);
        g_assert_nonnull (value);
        g_clear_pointer (&value, g_free);
      }
  }

  shmlab_inspector_highlight_field (SHMLAB_INSPECTOR (inspector), "crc32");
  shmlab_inspector_highlight_field (SHMLAB_INSPECTOR (inspector), "no such field");
  shmlab_inspector_highlight_field (SHMLAB_INSPECTOR (inspector), NULL);

  destroy_all (window, session);
}

static void
test_inspector_formats (void)
{
  g_autofree char *key = shmlab_test_unique_key ("formats");
  ShmlabSession *session = session_new (key, SHMLAB_BACKEND_SYSV);
  GtkWidget *inspector = shmlab_inspector_new ();
  GtkWindow *window = window_with (inspector);
  ShmlabInspector *self = SHMLAB_INSPECTOR (inspector);
  g_autofree char *hex = NULL;
  g_autofree char *value = NULL;

  shmlab_inspector_set_session (self, session);

  write_text (session, "plain", SHMLAB_FORMAT_TEXT);
  g_assert_cmpstr (shmlab_inspector_get_format_text (self), ==,
                   "Plain text (Qt demo): 5 bytes of UTF-8 text, then a NUL");
  hex = shmlab_inspector_get_hex_text (self);
  {
    /* Six bytes, then blanks for ten more (and the gap after the eighth), then ASCII. */
    g_autofree char *line = g_strdup_printf ("00000000  70 6c 61 69 6e 00 %*splain.", 32, "");

    g_assert_cmpstr (hex, ==, line);
  }
  value = shmlab_inspector_get_field_value (self, "text");
  g_assert_cmpstr (value, ==, "“plain”");
  g_clear_pointer (&value, g_free);

  {
    g_autoptr(ShmlabImage) image = test_image (3, 2);
    g_autoptr(ShmlabPayload) payload = shmlab_payload_new_image (image);

    write_payload (session, payload, SHMLAB_FORMAT_QT_IMAGE);
  }
  g_assert_true (g_str_has_prefix (shmlab_inspector_get_format_text (self),
                                   "Qt example image (PNG stream): a PNG file of 3 × 2 pixels"));
  value = shmlab_inspector_get_field_value (self, "png_width");
  g_assert_cmpstr (value, ==, "3 pixels");
  g_clear_pointer (&value, g_free);
  g_clear_pointer (&hex, g_free);
  hex = shmlab_inspector_get_hex_text (self);
  g_assert_true (g_str_has_prefix (hex, "00000000  00 00 00 01 89 50 4e 47  0d 0a 1a 0a "));

  /* A 128 × 128 frame is larger than the 64 KiB the session shows. */
  {
    g_autoptr(ShmlabImage) image = test_image (128, 128);
    g_autoptr(ShmlabPayload) payload = shmlab_payload_new_image (image);

    write_payload (session, payload, SHMLAB_FORMAT_FRAME);
  }
  g_assert_cmpuint (g_bytes_get_size (shmlab_inspector_get_bytes (self)), ==, 65536);
  g_assert_true (contains (shmlab_inspector_get_format_text (self),
                           "ShmLab frame: RGBA8 image of 128 × 128 pixels"));
  g_assert_true (contains (shmlab_inspector_get_format_text (self), "CRC-32 is not checked"));
  g_assert_null (shmlab_inspector_get_wrong_field (self));
  g_clear_pointer (&hex, g_free);
  hex = shmlab_inspector_get_hex_text (self);
  {
    g_autoptr(ShmlabImage) image = test_image (128, 128);
    /* The last 16 bytes shown are pixels 108 to 111 of the last row. */
    const guint8 *p = image->pixels + 127 * image->stride + 108 * 4;
    g_autoptr(GString) line = g_string_new ("\n0000fff0  ");

    for (guint i = 0; i < 16; i++)
      g_string_append_printf (line, i == 8 ? " %02x " : "%02x ", p[i]);
    g_string_append_c (line, ' ');
    for (guint i = 0; i < 16; i++)
      g_string_append_c (line, p[i] >= 0x20 && p[i] < 0x7f ? (char) p[i] : '.');
    g_assert_true (g_str_has_suffix (hex, line->str));
  }

  destroy_all (window, session);
}

static void
test_inspector_damaged (void)
{
  GtkWidget *inspector = shmlab_inspector_new ();
  GtkWindow *window = window_with (inspector);
  ShmlabInspector *self = SHMLAB_INSPECTOR (inspector);
  guint8 frame[128] = "SHMLABFR";
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *value = NULL;

  /* An image frame whose rows are shorter than its width says. */
  frame[8] = 1;
  frame[10] = 64;
  frame[12] = 2;
  frame[16] = 4;
  frame[20] = 4;
  frame[24] = 12;
  frame[32] = 64;
  bytes = g_bytes_new (frame, sizeof frame);
  shmlab_inspector_set_bytes (self, bytes, sizeof frame);
  g_assert_true (g_str_has_prefix (shmlab_inspector_get_format_text (self),
                                   "ShmLab frame, damaged"));
  g_assert_cmpstr (shmlab_inspector_get_wrong_field (self), ==, "stride");
  value = shmlab_inspector_get_field_value (self, "stride");
  g_assert_cmpstr (value, ==, "12 bytes per row");
  g_clear_pointer (&value, g_free);
  shmlab_inspector_highlight_field (self, "stride");

  /* The payload changed after the CRC was taken. */
  frame[24] = 16;
  g_clear_pointer (&bytes, g_bytes_unref);
  bytes = g_bytes_new (frame, sizeof frame);
  shmlab_inspector_set_bytes (self, bytes, sizeof frame);
  g_assert_cmpstr (shmlab_inspector_get_wrong_field (self), ==, "crc32");

  /* A header cut short: the fields past the end are listed as missing. */
  g_clear_pointer (&bytes, g_bytes_unref);
  bytes = g_bytes_new (frame, 20);
  shmlab_inspector_set_bytes (self, bytes, 20);
  g_assert_cmpstr (shmlab_inspector_get_wrong_field (self), ==, "header_size");
  value = shmlab_inspector_get_field_value (self, "crc32");
  g_assert_true (contains (value, "past the end"));
  g_clear_pointer (&value, g_free);

  /* Bytes in no format. */
  {
    const guint8 junk[] = { 0xff, 0xfe, 0x01, 0x02, 'a', 0x80, 0x00 };

    g_clear_pointer (&bytes, g_bytes_unref);
    bytes = g_bytes_new (junk, sizeof junk);
    shmlab_inspector_set_bytes (self, bytes, 4096);
    g_assert_true (g_str_has_prefix (shmlab_inspector_get_format_text (self), "Unknown bytes"));
    g_assert_null (shmlab_inspector_get_field_value (self, "magic"));
  }

  /* A fresh segment. */
  {
    const guint8 zeros[32] = { 0 };

    g_clear_pointer (&bytes, g_bytes_unref);
    bytes = g_bytes_new (zeros, sizeof zeros);
    shmlab_inspector_set_bytes (self, bytes, sizeof zeros);
    g_assert_true (g_str_has_prefix (shmlab_inspector_get_format_text (self),
                                     "Nothing: every byte is 0"));
  }

  shmlab_inspector_set_bytes (self, NULL, 0);
  g_assert_true (contains (shmlab_inspector_get_format_text (self), "No bytes yet"));
  value = shmlab_inspector_get_hex_text (self);
  g_assert_cmpstr (value, ==, "");

  destroy_all (window, NULL);
}

/* The windows' paned keeps the side panel narrow as it grows: at no width may the
 * inspector need more height than it reports for no given width. */
static void
test_inspector_height_for_width (void)
{
  GtkWidget *inspector = shmlab_inspector_new ();
  GtkWindow *window = window_with (inspector);
  g_autofree guint8 *frame = g_malloc0 (64 + 16 * 16 * 4);
  g_autoptr(GBytes) bytes = NULL;
  int min_width, min_height;

  /* A 16 × 16 image frame whose payload_length says 2^64 - 1 bytes. */
  memcpy (frame, "SHMLABFR", 8);
  frame[8] = 1;
  frame[10] = 64;
  frame[12] = 2;
  frame[16] = 16;
  frame[20] = 16;
  frame[24] = 64;
  memset (frame + 32, 0xff, 8);
  bytes = g_bytes_new (frame, 64 + 16 * 16 * 4);
  shmlab_inspector_set_bytes (SHMLAB_INSPECTOR (inspector), bytes, g_bytes_get_size (bytes));
  g_assert_cmpstr (shmlab_inspector_get_wrong_field (SHMLAB_INSPECTOR (inspector)), ==,
                   "payload_length");

  gtk_widget_measure (inspector, GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL, NULL);
  gtk_widget_measure (inspector, GTK_ORIENTATION_VERTICAL, -1, &min_height, NULL, NULL, NULL);
  for (int width = min_width; width <= 2000; width += 10)
    {
      int min_height_for_width;

      gtk_widget_measure (inspector, GTK_ORIENTATION_VERTICAL, width, &min_height_for_width,
                          NULL, NULL, NULL);
      if (min_height_for_width > min_height)
        {
          g_test_fail_printf ("the inspector needs %d pixels of height at a width of %d, but "
                              "reports a minimum height of %d: a paned that keeps it this wide "
                              "overlaps its widgets", min_height_for_width, width, min_height);
          break;
        }
    }

  destroy_all (window, NULL);
}

/* ---- the content view ---- */

static void
test_content_view_pages (void)
{
  g_autofree char *key = shmlab_test_unique_key ("content");
  ShmlabSession *writer = session_new (key, SHMLAB_BACKEND_SYSV);
  ShmlabSession *reader = session_new (key, SHMLAB_BACKEND_SYSV);
  GtkWidget *view = shmlab_content_view_new ();
  GtkWindow *window = window_with (view);
  ShmlabContentView *self = SHMLAB_CONTENT_VIEW (view);
  g_autofree char *text = NULL;

  g_assert_cmpstr (shmlab_content_view_get_page (self), ==, "empty");
  shmlab_content_view_show_empty (self, "Press Read");
  text = shmlab_content_view_get_text (self);
  g_assert_cmpstr (text, ==, "Press Read");
  g_clear_pointer (&text, g_free);

  /* Text, as a reader gets it from a writer. */
  write_text (writer, "Hello, shared memory — ✓", SHMLAB_FORMAT_AUTO);
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(ShmlabReadResult) read = NULL;

    shmlab_session_read_all_async (reader, NULL, shmlab_test_store_result, &result);
    read = shmlab_session_read_finish (reader, wait_result (&result), &error);
    g_assert_no_error (error);
    g_assert_nonnull (read->payload);
    shmlab_content_view_show_payload (self, read->payload);
  }
  g_assert_cmpstr (shmlab_content_view_get_page (self), ==, "text");
  text = shmlab_content_view_get_text (self);
  g_assert_cmpstr (text, ==, "Hello, shared memory — ✓");
  g_clear_pointer (&text, g_free);
  g_assert_null (shmlab_content_view_get_notice (self));
  g_assert_null (shmlab_content_view_get_texture (self));

  /* Bytes that are not UTF-8 are replaced, and said so. */
  {
    const guint8 bytes[] = { 'o', 'k', 0xff, ' ', 0xc3, '!', 0 };
    g_autoptr(GError) error = NULL;
    g_autoptr(ShmlabPayload) payload = shmlab_payload_decode (bytes, sizeof bytes, &error);

    g_assert_no_error (error);
    shmlab_content_view_show_payload (self, payload);
    text = shmlab_content_view_get_text (self);
    g_assert_cmpstr (text, ==, "ok\xef\xbf\xbd \xef\xbf\xbd!");
    g_clear_pointer (&text, g_free);
    g_assert_true (g_str_has_prefix (shmlab_content_view_get_notice (self),
                                     "2 bytes were not valid UTF-8 text (shown as �)"));
  }

  /* An empty text says it is empty. */
  {
    g_autoptr(ShmlabPayload) payload = shmlab_payload_new_text ("", 0);

    shmlab_content_view_show_payload (self, payload);
    g_assert_cmpstr (shmlab_content_view_get_page (self), ==, "text");
    g_assert_true (contains (shmlab_content_view_get_notice (self), "empty text"));
  }

  /* An image shows with its size. */
  {
    g_autoptr(ShmlabImage) image = test_image (5, 3);
    g_autoptr(ShmlabPayload) payload = shmlab_payload_new_image (image);
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(ShmlabReadResult) read = NULL;

    write_payload (writer, payload, SHMLAB_FORMAT_FRAME);
    shmlab_session_read_all_async (reader, NULL, shmlab_test_store_result, &result);
    read = shmlab_session_read_finish (reader, wait_result (&result), &error);
    g_assert_no_error (error);
    shmlab_content_view_show_payload (self, read->payload);
    g_assert_cmpstr (shmlab_content_view_get_page (self), ==, "image");
    g_assert_cmpstr (shmlab_content_view_get_caption (self), ==,
                     "5 × 3 pixels · 124 bytes · ShmLab frame");
    g_assert_cmpint (gdk_texture_get_width (shmlab_content_view_get_texture (self)), ==, 5);
    g_assert_cmpint (gdk_texture_get_height (shmlab_content_view_get_texture (self)), ==, 3);
  }

  shmlab_content_view_show_problem (self, "Not a ShmLab frame",
                                    "frame field “stride” is 12 but a row of 4 pixels needs 16");
  g_assert_cmpstr (shmlab_content_view_get_page (self), ==, "problem");
  g_assert_null (shmlab_content_view_get_texture (self));
  text = shmlab_content_view_get_text (self);
  g_assert_true (contains (text, "Not a ShmLab frame"));
  g_assert_true (contains (text, "“stride” is 12"));

  g_object_unref (reader);
  destroy_all (window, writer);
}

/* The texture shows the image's pixels: R, G, B, A straight, as
 * gdk_texture_download() gives them premultiplied in B, G, R, A order. */
static void
test_content_view_texture (void)
{
  g_autoptr(ShmlabImage) image = test_image (7, 5);
  g_autoptr(GdkTexture) texture = NULL;
  GtkWidget *view = shmlab_content_view_new ();
  GtkWindow *window = window_with (view);
  guint8 downloaded[7 * 5 * 4];
  const guint8 *half;

  /* A transparent and a half-transparent pixel. */
  image->pixels[3] = 0;
  image->pixels[image->stride + 7] = 128;
  texture = shmlab_texture_new_for_image (image);
  /* The texture keeps the pixels alive on its own. */
  g_clear_pointer (&image, shmlab_image_unref);
  image = test_image (7, 5);

  g_assert_cmpint (gdk_texture_get_width (texture), ==, 7);
  g_assert_cmpint (gdk_texture_get_height (texture), ==, 5);
  gdk_texture_download (texture, downloaded, 7 * 4);
  for (guint y = 0; y < 5; y++)
    for (guint x = 0; x < 7; x++)
      {
        const guint8 *want = image->pixels + y * image->stride + x * 4;
        const guint8 *got = downloaded + (y * 7 + x) * 4;

        if ((x == 0 && y == 0) || (x == 1 && y == 1))
          continue;
        g_assert_cmpuint (got[0], ==, want[2]);
        g_assert_cmpuint (got[1], ==, want[1]);
        g_assert_cmpuint (got[2], ==, want[0]);
        g_assert_cmpuint (got[3], ==, 255);
      }
  g_assert_cmpuint (downloaded[0] | downloaded[1] | downloaded[2] | downloaded[3], ==, 0);
  half = downloaded + (7 + 1) * 4;
  g_assert_cmpuint (half[3], ==, 128);
  g_assert_cmpint (abs ((int) half[2] - image->pixels[image->stride + 4] * 128 / 255), <=, 1);

  /* show_image shows that same picture. */
  image->pixels[0] = 1;
  shmlab_content_view_show_image (SHMLAB_CONTENT_VIEW (view), image, NULL);
  g_assert_cmpstr (shmlab_content_view_get_page (SHMLAB_CONTENT_VIEW (view)), ==, "image");
  g_assert_cmpstr (shmlab_content_view_get_caption (SHMLAB_CONTENT_VIEW (view)), ==,
                   "7 × 5 pixels · 140 bytes");
  gdk_texture_download (shmlab_content_view_get_texture (SHMLAB_CONTENT_VIEW (view)), downloaded,
                        7 * 4);
  g_assert_cmpuint (downloaded[2], ==, 1);

  destroy_all (window, NULL);
}

/* Text is captioned as a picture is: bytes, characters, lines (plurals
 * counted), encoding and format. */
static void
test_content_view_text_caption (void)
{
  static const struct
  {
    const char *bytes;
    const char *caption;
  } cases[] = {
    { "你好\nHi", "9 bytes · 5 characters · 2 lines · UTF-8 · plain text (Qt demo)" },
    { "a", "1 byte · 1 character · 1 line · UTF-8 · plain text (Qt demo)" },
    { "one\ntwo\n", "8 bytes · 8 characters · 2 lines · UTF-8 · plain text (Qt demo)" },
    { "ok\xff", "3 bytes · 3 characters · 1 line · UTF-8 but for 1 byte · "
               "plain text (Qt demo)" },
    { "\xfe\xff", "2 bytes · 2 characters · 1 line · UTF-8 but for 2 bytes · "
                  "plain text (Qt demo)" },
  };
  GtkWidget *view = shmlab_content_view_new ();
  GtkWindow *window = window_with (view);
  ShmlabContentView *self = SHMLAB_CONTENT_VIEW (view);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      /* As a segment holds it: the text, then its NUL. */
      g_autoptr(ShmlabPayload) payload =
        shmlab_payload_decode ((const guint8 *) cases[i].bytes, strlen (cases[i].bytes) + 1,
                               &error);

      g_assert_no_error (error);
      shmlab_content_view_show_payload (self, payload);
      g_assert_cmpstr (shmlab_content_view_get_page (self), ==, "text");
      g_assert_cmpstr (shmlab_content_view_get_caption (self), ==, cases[i].caption);
    }

  /* A text in a frame names the frame. */
  {
    g_autoptr(ShmlabPayload) text = shmlab_payload_new_text ("frame", -1);
    g_autoptr(ShmlabEncoded) encoded = NULL;
    g_autoptr(ShmlabPayload) back = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree guint8 *segment = g_malloc0 (256);

    encoded = shmlab_payload_encode (text, SHMLAB_FORMAT_FRAME, &error);
    g_assert_no_error (error);
    shmlab_encoded_write (encoded, segment, 256, SHMLAB_WRITE_FLAGS_NONE, 1, NULL, &error);
    g_assert_no_error (error);
    back = shmlab_payload_decode (segment, 256, &error);
    g_assert_no_error (error);
    shmlab_content_view_show_payload (self, back);
    g_assert_cmpstr (shmlab_content_view_get_caption (self), ==,
                     "5 bytes · 5 characters · 1 line · UTF-8 · ShmLab frame");
  }

  destroy_all (window, NULL);
}

/* How many pixels @widget paints, as the screen would get them. */
static guint
painted_pixels (GtkWidget *widget)
{
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GskRenderer) renderer = gsk_cairo_renderer_new ();
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *pixels = NULL;
  guint painted = 0;

  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);
  /* Drawn now, as the next frame would draw it. */
  GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    return 0;
  g_assert_true (gsk_renderer_realize (renderer, NULL, &error));
  g_assert_no_error (error);
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  pixels = g_malloc ((gsize) width * height * 4);
  gdk_texture_download (texture, pixels, (gsize) width * 4);
  for (gsize i = 0; i < (gsize) width * height; i++)
    painted += pixels[i * 4 + 3] != 0;
  gsk_renderer_unrealize (renderer);
  return painted;
}

/* The checkerboard that shows transparency is under a picture only when
 * some pixel of it lets it show through. */
static void
test_content_view_checkerboard (void)
{
  g_autoptr(ShmlabImage) image = test_image (40, 30);
  GtkWidget *view = shmlab_content_view_new ();
  GtkWindow *window = window_with (view);
  GtkWidget *checkerboard = NULL;

  for (guint32 i = 0; i < image->width * image->height; i++)
    image->pixels[i * 4 + 3] = 255;
  shmlab_content_view_show_image (SHMLAB_CONTENT_VIEW (view), image, NULL);
  checkerboard = shmlab_test_find_by_type (view, GTK_TYPE_DRAWING_AREA);
  g_assert_nonnull (checkerboard);
  while (gtk_widget_get_width (checkerboard) == 0)
    g_main_context_iteration (NULL, TRUE);
  drain ();
  g_assert_cmpuint (painted_pixels (checkerboard), ==, 0);

  /* One see-through pixel: the board shows, under the picture only. */
  g_clear_pointer (&image, shmlab_image_unref);
  image = test_image (40, 30);
  for (guint32 i = 0; i < image->width * image->height; i++)
    image->pixels[i * 4 + 3] = 255;
  image->pixels[3] = 100;
  shmlab_content_view_show_image (SHMLAB_CONTENT_VIEW (view), image, NULL);
  drain ();
  g_assert_cmpuint (painted_pixels (checkerboard), >, 0);
  g_assert_cmpuint (painted_pixels (checkerboard), <,
                    (guint) (gtk_widget_get_width (checkerboard) *
                             gtk_widget_get_height (checkerboard)));

  destroy_all (window, NULL);
}

/* ---- the wait bar ---- */

static gboolean
bar_shown (gpointer data)
{
  return shmlab_wait_bar_is_shown (data);
}

static gboolean
bar_hidden (gpointer data)
{
  return !shmlab_wait_bar_is_shown (data);
}

static void
test_wait_bar_work (void)
{
  GtkWidget *bar = shmlab_wait_bar_new ();
  GtkWindow *window = window_with (bar);
  GtkWidget *cancel = find_widget (bar, GTK_TYPE_BUTTON, 0);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  g_assert_false (shmlab_wait_bar_is_shown (SHMLAB_WAIT_BAR (bar)));
  g_assert_null (shmlab_wait_bar_get_message (SHMLAB_WAIT_BAR (bar)));

  shmlab_wait_bar_start_work (SHMLAB_WAIT_BAR (bar), "Encoding the image as PNG…", cancellable);
  g_assert_true (shmlab_wait_bar_is_shown (SHMLAB_WAIT_BAR (bar)));
  g_assert_cmpstr (shmlab_wait_bar_get_message (SHMLAB_WAIT_BAR (bar)), ==,
                   "Encoding the image as PNG…");
  g_assert_true (gtk_widget_is_visible (find_widget (bar, GTK_TYPE_PROGRESS_BAR, 0)));
  shmlab_wait_bar_set_progress (SHMLAB_WAIT_BAR (bar), 0.25);
  g_assert_cmpfloat (gtk_progress_bar_get_fraction (
                       GTK_PROGRESS_BAR (find_widget (bar, GTK_TYPE_PROGRESS_BAR, 0))), ==, 0.25);

  g_assert_true (gtk_widget_get_sensitive (cancel));
  g_signal_emit_by_name (cancel, "clicked");
  g_assert_true (g_cancellable_is_cancelled (cancellable));
  g_assert_false (gtk_widget_get_sensitive (cancel));

  shmlab_wait_bar_stop_work (SHMLAB_WAIT_BAR (bar));
  g_assert_false (shmlab_wait_bar_is_shown (SHMLAB_WAIT_BAR (bar)));

  destroy_all (window, NULL);
}

static void
test_wait_bar_lock (void)
{
  g_autofree char *key = shmlab_test_unique_key ("wait");
  ShmlabSession *holder = session_new (key, SHMLAB_BACKEND_SYSV);
  ShmlabSession *waiter = session_new (key, SHMLAB_BACKEND_SYSV);
  GtkWidget *bar = shmlab_wait_bar_new ();
  GtkWindow *window = window_with (bar);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  /* Long enough that only Cancel ends the wait. */
  shmlab_session_set_lock_timeout (waiter, 120000);
  shmlab_wait_bar_set_session (SHMLAB_WAIT_BAR (bar), waiter);

  /* Attaching takes the lock for a moment (as Qt's attach does): before the holder locks. */
  write_text (holder, "locked away", SHMLAB_FORMAT_TEXT);
  shmlab_session_attach_async (waiter, SHMLAB_ACCESS_READ_ONLY, NULL, shmlab_test_store_result,
                               &result);
  g_assert_true (shmlab_session_step_finish (waiter, wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  shmlab_session_lock_async (holder, NULL, shmlab_test_store_result, &result);
  g_assert_true (shmlab_session_step_finish (holder, wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  drain ();
  g_assert_false (shmlab_wait_bar_is_shown (SHMLAB_WAIT_BAR (bar)));

  shmlab_wait_bar_set_cancellable (SHMLAB_WAIT_BAR (bar), cancellable);
  shmlab_session_lock_async (waiter, cancellable, shmlab_test_store_result, &result);
  shmlab_test_wait_until (bar_shown, bar, WAIT_SECONDS,
                          "the wait bar to show the wait for the lock");
  g_assert_true (shmlab_session_get_waiting (waiter));
  g_assert_cmpstr (shmlab_wait_bar_get_message (SHMLAB_WAIT_BAR (bar)), ==,
                   "Waiting for the lock held by another process…");
  g_assert_true (contains (gtk_label_get_text (GTK_LABEL (find_widget (bar, GTK_TYPE_LABEL, 2))),
                           "gives up after 120 s"));

  g_signal_emit_by_name (find_widget (bar, GTK_TYPE_BUTTON, 0), "clicked");
  g_assert_false (shmlab_session_step_finish (waiter, wait_result (&result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  shmlab_test_wait_until (bar_hidden, bar, WAIT_SECONDS, "the wait bar to go");
  g_assert_false (shmlab_session_get_locked (waiter));
  shmlab_wait_bar_set_cancellable (SHMLAB_WAIT_BAR (bar), NULL);

  g_object_unref (holder);
  g_object_unref (waiter);
  destroy_all (window, NULL);
}

/* A double-buffered segment: both slots' headers are shown over their bytes. */
static void
test_inspector_two_slots (void)
{
  GtkWidget *inspector = shmlab_inspector_new ();
  GtkWindow *window = window_with (inspector);
  g_autofree guint8 *segment = g_malloc0 (512);
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *first = NULL, *second = NULL;

  for (guint64 generation = 1; generation <= 2; generation++)
    {
      g_autoptr(ShmlabPayload) payload = shmlab_payload_new_text (generation == 1 ? "one" : "two", -1);
      g_autoptr(ShmlabEncoded) encoded = shmlab_payload_encode (payload, SHMLAB_FORMAT_FRAME, NULL);

      g_assert_true (shmlab_encoded_write (encoded, segment, 512, 0, generation, NULL, NULL));
    }
  bytes = g_bytes_new (segment, 512);
  shmlab_inspector_set_bytes (SHMLAB_INSPECTOR (inspector), bytes, 512);

  first = shmlab_inspector_get_field_value (SHMLAB_INSPECTOR (inspector), "generation");
  second = shmlab_inspector_get_field_value (SHMLAB_INSPECTOR (inspector), "generation (2)");
  g_assert_cmpstr (first, ==, "1");
  g_assert_cmpstr (second, ==, "2");
  g_assert_true (contains (shmlab_inspector_get_format_text (SHMLAB_INSPECTOR (inspector)),
                           "double-buffered: the slot at byte 256 holds generation 2"));
  destroy_all (window, NULL);
}

/* In each language (this runs in a child whose LANGUAGE the parent set): a
 * valid frame larger than the bytes the session shows is valid, and each
 * damaged frame of the hostile corpus has its wrong field marked, the field
 * the decoder names as data. */
static void
test_inspector_language_child (void)
{
  const char *language = g_getenv ("LANGUAGE");
  const char *frame_title = g_strcmp0 (language, "zh_CN") == 0   ? "ShmLab 帧"
                            : g_strcmp0 (language, "zh_TW") == 0 ? "ShmLab 影格"
                                                                 : "ShmLab frame";
  g_autofree char *key = shmlab_test_unique_key ("language");
  ShmlabSession *session = session_new (key, SHMLAB_BACKEND_SYSV);
  GtkWidget *inspector = shmlab_inspector_new ();
  GtkWindow *window = window_with (inspector);
  ShmlabInspector *self = SHMLAB_INSPECTOR (inspector);
  g_autoptr(GPtrArray) corpus = shmlab_hostile_corpus_new ();
  const ShmlabDescription *description;
  guint n_frames = 0;

  g_test_message ("LANGUAGE=%s", language ? language : "(unset)");
  shmlab_inspector_set_session (self, session);

  /* A 640 × 400 picture as the Writer writes it: a frame of 1 000 064 bytes,
   * of which the session shows the first 64 KiB. */
  {
    g_autoptr(ShmlabImage) image = test_image (640, 400);
    g_autoptr(ShmlabPayload) payload = shmlab_payload_new_image (image);

    write_payload (session, payload, SHMLAB_FORMAT_FRAME);
  }
  g_assert_cmpuint (g_bytes_get_size (shmlab_inspector_get_bytes (self)), ==, 65536);
  g_assert_cmpuint (shmlab_session_get_size (session), >=, 64 + 640 * 400 * 4);
  description = shmlab_inspector_get_description (self);
  g_assert_cmpint (description->format, ==, SHMLAB_FORMAT_FRAME);
  g_assert_cmpint (description->verdict, ==, SHMLAB_VERDICT_VALID);
  g_assert_null (shmlab_inspector_get_wrong_field (self));
  /* In the language asked for, and saying valid. */
  g_assert_true (g_str_has_prefix (shmlab_inspector_get_format_text (self), frame_title));
  g_assert_false (contains (shmlab_inspector_get_format_text (self), "damaged"));
  g_assert_false (contains (shmlab_inspector_get_format_text (self), "损坏"));
  g_assert_false (contains (shmlab_inspector_get_format_text (self), "損壞"));
  shmlab_inspector_set_session (self, NULL);

  for (guint i = 0; i < corpus->len; i++)
    {
      const ShmlabHostileCase *hostile = g_ptr_array_index (corpus, i);
      gsize length;
      const guint8 *bytes = g_bytes_get_data (hostile->bytes, &length);
      g_autofree char *decoded = shmlab_hostile_decoded_verdict (hostile->bytes, NULL);
      g_auto(GStrv) words = g_strsplit (decoded, " ", 4);
      const char *wrong;

      if (!g_str_equal (words[0], "frame") || g_strcmp0 (words[1], "damaged") != 0)
        continue;
      n_frames++;
      shmlab_inspector_set_bytes (self, hostile->bytes, length);
      wrong = shmlab_inspector_get_wrong_field (self);
      g_test_message ("%s: %s; the inspector marks %s", hostile->name, decoded,
                      wrong ? wrong : "(none)");
      /* The field the decoder names, whatever the language. */
      g_assert_nonnull (words[3]);
      g_assert_cmpstr (wrong, ==, words[3]);
      /* And the field the corpus's English message names first, when it names one. */
      if (g_str_has_prefix (hostile->fragments[0], "“"))
        {
          const char *name = hostile->fragments[0] + strlen ("“");
          g_autofree char *field = g_strndup (name, strcspn (name, "”"));

          g_assert_cmpstr (wrong, ==, field);
        }
      g_assert_cmpint (shmlab_inspector_get_description (self)->verdict, ==,
                       SHMLAB_VERDICT_DAMAGED);
      g_assert_true (g_str_has_prefix (shmlab_inspector_get_format_text (self), frame_title));
      (void) bytes;
    }
  g_assert_cmpuint (n_frames, >=, 20);

  destroy_all (window, session);
}

static void
test_inspector_languages (void)
{
  static const char *const languages[] = { "", "zh_CN", "zh_TW" };

  for (guint i = 0; i < G_N_ELEMENTS (languages); i++)
    {
      g_setenv ("LANGUAGE", languages[i], TRUE);
      g_test_trap_subprocess ("/widgets/inspector/languages/child", 0,
                              G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
    }
  g_setenv ("LANGUAGE", "", TRUE);
}

/* In each language (a child, as for the inspector): the Writer's first text
 * is in that language, and so is a read text's caption. */
static void
test_content_language_child (void)
{
  const char *language = g_getenv ("LANGUAGE");
  gboolean cn = g_strcmp0 (language, "zh_CN") == 0;
  gboolean tw = g_strcmp0 (language, "zh_TW") == 0;
  ShmlabWriterPane *writer = SHMLAB_WRITER_PANE (shmlab_writer_pane_new ());
  GtkWindow *window = window_with (GTK_WIDGET (writer));
  g_autofree char *text = shmlab_writer_pane_get_text (writer);
  GtkWidget *view = shmlab_content_view_new ();
  GtkWindow *view_window = window_with (view);
  g_autoptr(ShmlabPayload) payload = shmlab_payload_decode ((const guint8 *) "ab\ncd", 6, NULL);

  g_test_message ("LANGUAGE=%s: %s", language ? language : "(unset)", text);
  g_assert_cmpstr (text, ==,
                   cn ? "你好，共享内存！" : tw ? "你好，共享記憶體！" : "Hello, shared memory!");

  shmlab_content_view_show_payload (SHMLAB_CONTENT_VIEW (view), payload);
  g_test_message ("%s", shmlab_content_view_get_caption (SHMLAB_CONTENT_VIEW (view)));
  g_assert_true (contains (shmlab_content_view_get_caption (SHMLAB_CONTENT_VIEW (view)),
                           cn   ? "5 个字符 · 2 行"
                           : tw ? "5 個字元 · 2 行"
                                : "5 characters · 2 lines"));

  destroy_all (view_window, NULL);
  destroy_all (window, NULL);
}

static void
test_content_languages (void)
{
  static const char *const languages[] = { "", "zh_CN", "zh_TW" };

  for (guint i = 0; i < G_N_ELEMENTS (languages); i++)
    {
      g_setenv ("LANGUAGE", languages[i], TRUE);
      g_test_trap_subprocess ("/widgets/content/languages/child", 0,
                              G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
    }
  g_setenv ("LANGUAGE", "", TRUE);
}

/* The two content panes side by side in one window, as a one-window lab
 * would host them: what one writes, the other shows. */
static void
test_panes_side_by_side (void)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  ShmlabWriterPane *writer = SHMLAB_WRITER_PANE (shmlab_writer_pane_new ());
  ShmlabReaderPane *reader = SHMLAB_READER_PANE (shmlab_reader_pane_new ());
  g_autoptr(GError) error = NULL;
  ShmlabReadResult result = { 0 };
  g_autofree char *shown = NULL;
  GtkWindow *window;

  gtk_box_append (GTK_BOX (box), GTK_WIDGET (writer));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (reader));
  window = window_with (box);

  shmlab_writer_pane_set_text (writer, "side by side");
  g_assert_cmpstr (shmlab_writer_pane_get_page (writer), ==, "text");
  result.payload = shmlab_writer_pane_make_payload (writer, &error);
  g_assert_no_error (error);

  shmlab_reader_pane_show_result (reader, &result);
  g_assert_null (shmlab_reader_pane_get_problem (reader));
  shown = shmlab_reader_pane_describe (reader);
  g_assert_cmpstr (shown, ==, "text \"side by side\"");

  g_clear_pointer (&result.payload, shmlab_payload_free);
  destroy_all (window, NULL);
}

int
main (int argc, char **argv)
{
  shmlab_test_init (&argc, &argv);
  /* The language test's children speak the language their parent set. */
  if (g_test_subprocess ())
    shmlab_i18n_init ();
  gtk_init ();
  shmlab_app_support_init ();

  g_test_add_func ("/widgets/key-bar/follows-session", test_key_bar_follows_session);
  g_test_add_func ("/widgets/key-bar/invalid-key", test_key_bar_invalid_key);
  g_test_add_func ("/widgets/key-bar/size", test_key_bar_size);
  g_test_add_func ("/widgets/key-bar/posix", test_key_bar_posix);
  g_test_add_func ("/widgets/key-bar/native", test_key_bar_native);
  g_test_add_func ("/widgets/key-bar/stale", test_key_bar_stale);
  g_test_add_func ("/widgets/key-bar/file", test_key_bar_file);
  g_test_add_func ("/widgets/key-bar/file-kept", test_key_bar_file_kept);
  g_test_add_func ("/widgets/step-log/steps", test_step_log_steps);
  g_test_add_func ("/widgets/step-log/limit", test_step_log_limit);
  g_test_add_func ("/widgets/inspector/frame", test_inspector_frame);
  g_test_add_func ("/widgets/inspector/two-slots", test_inspector_two_slots);
  g_test_add_func ("/widgets/inspector/formats", test_inspector_formats);
  g_test_add_func ("/widgets/inspector/damaged", test_inspector_damaged);
  g_test_add_func ("/widgets/inspector/height-for-width", test_inspector_height_for_width);
  g_test_add_func ("/widgets/inspector/languages", test_inspector_languages);
  g_test_add_func ("/widgets/inspector/languages/child", test_inspector_language_child);
  g_test_add_func ("/widgets/content-view/pages", test_content_view_pages);
  g_test_add_func ("/widgets/content-view/texture", test_content_view_texture);
  g_test_add_func ("/widgets/content-view/text-caption", test_content_view_text_caption);
  g_test_add_func ("/widgets/content-view/checkerboard", test_content_view_checkerboard);
  g_test_add_func ("/widgets/content/languages", test_content_languages);
  g_test_add_func ("/widgets/content/languages/child", test_content_language_child);
  g_test_add_func ("/widgets/wait-bar/work", test_wait_bar_work);
  g_test_add_func ("/widgets/wait-bar/lock", test_wait_bar_lock);
  g_test_add_func ("/widgets/panes/side-by-side", test_panes_side_by_side);
  return g_test_run ();
}
