/* test-qt6-example.c — ShmLab and Qt 6.7's Shared Memory Example meet by
 * its native key, QSharedMemoryExample: a POSIX segment and semaphore of
 * that very name, a QImage in it. The peer is tests/qt/qt6-example-peer.c,
 * which does on Linux exactly what the example does (Debian's Qt, 6.4, has
 * no native keys). Both ways, in the windows and with `shmlab`; and what
 * Qt leaves behind (its POSIX segment) is found and removed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-test-gtk.h"
#include "shmlab-test-util.h"

#include <string.h>

#include <glib/gstdio.h>

#include "shmlab-app-support.h"
#include "shmlab-key-bar.h"
#include "shmlab-png.h"
#include "shmlab-reader-station.h"
#include "shmlab-writer-station.h"

#define WAIT_SECONDS 30

static void
assert_same_pixels (const ShmlabImage *a,
                    const ShmlabImage *b)
{
  g_assert_cmpuint (a->width, ==, b->width);
  g_assert_cmpuint (a->height, ==, b->height);
  for (guint32 y = 0; y < a->height; y++)
    if (memcmp (a->pixels + (gsize) y * a->stride, b->pixels + (gsize) y * b->stride,
                (gsize) a->width * 4) != 0)
      shmlab_test_fail ("row %u differs", y);
}

static const char *
peer_path (void)
{
  const char *path = g_getenv ("SHMLAB_QT6_PEER");

  g_assert_nonnull (path);
  return path;
}

/* The example, loaded with @png: it says "loaded" once the image is in. */
static GSubprocess *
peer_load (const char *name,
           const char *png)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  GSubprocess *peer;

  peer = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                           peer_path (), "load", name, png, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (peer));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  if (line == NULL || !g_str_has_prefix (line, "loaded"))
    shmlab_test_fail ("the example did not load %s (it said “%s”)", png, line ? line : "nothing");
  return peer;
}

static void
peer_quit (GSubprocess *peer)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (peer, SIGTERM);
  g_assert_true (g_subprocess_wait_check (peer, NULL, &error));
  g_assert_no_error (error);
  g_object_unref (peer);
}

/* The example reading what is there into @png. */
static void
peer_read (const char *name,
           const char *png)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL, *err = NULL;
  int status;

  g_assert_true (g_spawn_sync (NULL, (char *[]) { (char *) peer_path (), "read", (char *) name,
                                                  (char *) png, NULL },
                               NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    shmlab_test_fail ("the example could not read %s: %s", name, err);
}

static ShmlabImage *
png_file_read (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *data = NULL;
  ShmlabPngLimits limits;
  ShmlabImage *image;
  gsize length;

  g_assert_true (g_file_get_contents (path, (char **) &data, &length, &error));
  shmlab_png_limits_init_default (&limits);
  image = shmlab_png_read (data, length, &limits, NULL, &error);
  g_assert_no_error (error);
  return image;
}

static gboolean
dev_shm_has (gpointer name)
{
  g_autofree char *path = g_strconcat ("/dev/shm/", (const char *) name, NULL);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

static gboolean
dev_shm_lacks (gpointer name)
{
  return !dev_shm_has (name);
}

static gboolean
says_left_behind (gpointer station)
{
  g_autofree char *status =
    shmlab_key_bar_get_status_text (shmlab_station_get_key_bar (SHMLAB_STATION (station)));

  return strstr (status, "Qt 6 programs do not remove POSIX segments") != NULL;
}

/* The key bar set to a native POSIX name, as a student sets it. */
static void
set_native_key (ShmlabStation *station,
                const char    *name)
{
  ShmlabKeyBar *key_bar = shmlab_station_get_key_bar (station);

  shmlab_key_bar_set_kind (key_bar, SHMLAB_KEY_KIND_QT_NATIVE);
  shmlab_key_bar_set_backend (key_bar, SHMLAB_BACKEND_POSIX);
  shmlab_key_bar_set_key (key_bar, name);
  g_assert_null (shmlab_key_bar_get_error_text (key_bar));
}

typedef struct
{
  ShmlabReaderStation *station;
  guint n_results;
} ResultWait;

static gboolean
has_result (gpointer data)
{
  ResultWait *wait = data;

  return shmlab_reader_station_get_n_results (wait->station) >= wait->n_results &&
         !shmlab_session_get_busy (shmlab_station_get_session (SHMLAB_STATION (wait->station)));
}

/* The example loads a picture; the Reader, given the native name, shows
 * it pixel for pixel; `shmlab read` saves it. When the example quits, its
 * segment stays (Qt 6 never removes POSIX segments): a window on the key
 * says so, and its Remove button takes it away. */
static void
test_example_to_reader (void)
{
  g_autofree char *name = shmlab_test_unique_key ("qt6");
  g_autofree char *png = g_build_filename (shmlab_test_get_temp_dir (), "loaded.png", NULL);
  g_autofree char *saved = g_build_filename (shmlab_test_get_temp_dir (), "saved.png", NULL);
  g_autoptr(ShmlabImage) image = shmlab_test_gradient_new (83, 61);
  g_autoptr(ShmlabImage) shown = NULL;
  g_autoptr(ShmlabImage) read_back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL, *err = NULL;
  ShmlabReaderStation *reader;
  GdkTexture *texture;
  ResultWait wait;
  GSubprocess *peer;
  int status;

  g_assert_true (shmlab_png_write_file (image, png, &error));
  peer = peer_load (name, png);
  g_assert_true (dev_shm_has (name));

  reader = shmlab_test_reader_new (NULL);
  g_object_ref (reader);
  gtk_window_present (shmlab_test_window_of (reader));
  set_native_key (SHMLAB_STATION (reader), name);
  wait = (ResultWait) { reader, shmlab_reader_station_get_n_results (reader) + 1 };
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (reader), "win.read", NULL));
  shmlab_test_wait_until (has_result, &wait, WAIT_SECONDS, "the Reader's result");
  g_assert_null (shmlab_reader_station_get_problem (reader));
  texture = shmlab_content_view_get_texture (shmlab_reader_station_get_content_view (reader));
  g_assert_nonnull (texture);
  {
    gsize stride = (gsize) gdk_texture_get_width (texture) * 4;
    g_autofree guint8 *argb = g_malloc (stride * gdk_texture_get_height (texture));

    shown = shmlab_image_new (gdk_texture_get_width (texture), gdk_texture_get_height (texture),
                              &error);
    g_assert_no_error (error);
    gdk_texture_download (texture, argb, stride);
    for (guint32 y = 0; y < shown->height; y++)
      for (guint32 x = 0; x < shown->width; x++)
        {
          guint32 pixel;
          guint8 *p = shown->pixels + (gsize) y * shown->stride + (gsize) x * 4;

          memcpy (&pixel, argb + (gsize) y * stride + (gsize) x * 4, 4);
          p[0] = (pixel >> 16) & 0xff;
          p[1] = (pixel >> 8) & 0xff;
          p[2] = pixel & 0xff;
          p[3] = pixel >> 24;
        }
  }
  assert_same_pixels (shown, image);
  shmlab_test_close_station (reader);

  g_assert_true (shmlab_test_run_cli (&out, &err, &status, "read", "-q", "--key-kind", "native",
                                      "--backend", "posix", name, "--output", saved, NULL));
  if (status != 0)
    shmlab_test_fail ("shmlab read of the example's segment failed: %s", err);
  read_back = png_file_read (saved);
  assert_same_pixels (read_back, image);

  /* Qt 6 leaves its POSIX segment behind; its lock goes with its creator. */
  peer_quit (peer);
  g_assert_true (dev_shm_has (name));
  {
    g_autofree char *lock = g_strconcat ("sem.", name, NULL);
    g_assert_false (dev_shm_has (lock));
  }

  /* A window on the key says what it is, and its Remove button removes it. */
  reader = shmlab_test_reader_new (NULL);
  g_object_ref (reader);
  gtk_window_present (shmlab_test_window_of (reader));
  set_native_key (SHMLAB_STATION (reader), name);
  shmlab_test_wait_until (says_left_behind, reader, WAIT_SECONDS, "the note that Qt left it");
  {
    ShmlabKeyBar *key_bar = shmlab_station_get_key_bar (SHMLAB_STATION (reader));
    GtkWidget *remove = shmlab_test_find_button (GTK_WIDGET (key_bar), "Remo_ve");

    g_assert_nonnull (remove);
    g_assert_true (gtk_widget_is_visible (remove));
    g_signal_emit_by_name (remove, "clicked");
  }
  shmlab_test_wait_until (dev_shm_lacks, name, WAIT_SECONDS, "the left segment to go");
  shmlab_test_close_station (reader);
}

static void
written_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!shmlab_writer_station_write_finish (SHMLAB_WRITER_STATION (source), result, &error))
    shmlab_test_fail ("the Writer could not write: %s", error->message);
  *(gboolean *) user_data = TRUE;
}

/* The Writer, given the native name and Qt's image format, writes a
 * picture; the example reads it pixel for pixel. */
static void
test_writer_to_example (void)
{
  g_autofree char *name = shmlab_test_unique_key ("qt6w");
  g_autofree char *png = g_build_filename (shmlab_test_get_temp_dir (), "from-writer.png", NULL);
  g_autoptr(ShmlabImage) image = shmlab_test_gradient_new (57, 39);
  g_autoptr(ShmlabImage) read_back = NULL;
  ShmlabWriterStation *writer;
  gboolean written = FALSE;

  writer = shmlab_test_writer_new (NULL);
  g_object_ref (writer);
  gtk_window_present (shmlab_test_window_of (writer));
  set_native_key (SHMLAB_STATION (writer), name);
  shmlab_writer_station_set_format (writer, SHMLAB_FORMAT_QT_IMAGE);
  shmlab_writer_station_set_image (writer, image, "gradient.png");
  shmlab_writer_station_write_async (writer, NULL, written_cb, &written);
  shmlab_test_wait_until (shmlab_test_flag_set, &written, WAIT_SECONDS, "the Writer's write");
  g_assert_true (dev_shm_has (name));

  peer_read (name, png);
  read_back = png_file_read (png);
  assert_same_pixels (read_back, image);

  /* The Writer made the segment: its last detach removes it (ShmLab's way). */
  shmlab_test_close_station (writer);
  g_assert_false (dev_shm_has (name));
}

int
main (int    argc,
      char **argv)
{
  shmlab_test_init (&argc, &argv);
  gtk_init ();
  shmlab_app_support_init ();

  g_test_add_func ("/qt6-example/example-to-reader", test_example_to_reader);
  g_test_add_func ("/qt6-example/writer-to-example", test_writer_to_example);
  return g_test_run ();
}
