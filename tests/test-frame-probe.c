/* test-frame-probe.c — --frame-probe: the window's frames are recorded and
 * written as JSON that a script can read, with figures that make sense
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-test-util.h"

#include <string.h>

#include "shmlab-app-support.h"
#include "shmlab-frame-probe.h"

/* What a script checks of the file: it is one JSON object, with the figures
 * named in the docs, frames > 0 and the gaps in order (median ≤ p99 ≤
 * worst). Python's json module reads it, as tools/frame-probe does. */
static const char check_json[] =
  "import json, sys\n"
  "d = json.load(open(sys.argv[1], encoding='utf-8'))\n"
  "for k in ('program', 'frames', 'worst_gap_ms', 'gaps_over_16_7', 'gaps_over_25',\n"
  "          'p99_gap_ms', 'median_gap_ms', 'seconds', 'wall_clock', 'startup',\n"
  "          'long_gaps', 'marks'):\n"
  "    assert k in d, 'no ' + k\n"
  "assert d['program'] == sys.argv[2], d['program']\n"
  "for f in (d, d['wall_clock']):\n"
  "    assert isinstance(f['frames'], int) and f['frames'] > 0, f['frames']\n"
  "    assert 0 < f['median_gap_ms'] <= f['p99_gap_ms'] <= f['worst_gap_ms'], f\n"
  "    assert 0 <= f['gaps_over_25'] <= f['gaps_over_16_7'] <= f['frames'], f\n"
  "marks = [m['what'] for m in d['marks']]\n"
  "assert sys.argv[3] == '' or sys.argv[3] in marks, marks\n";

static void
assert_probe_file (const char *path,
                   const char *program,
                   const char *mark)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;
  const char *python = g_getenv ("SHMLAB_PYTHON");
  const char *argv[] = { python ? python : "python3", "-c", check_json, path, program,
                         mark ? mark : "", NULL };

  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_autofree char *text = NULL;
      g_file_get_contents (path, &text, NULL, NULL);
      g_test_message ("%s\n%s", err, text);
    }
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

typedef struct
{
  ShmlabFrameProbe *probe;
  guint frames;
} Frames;

static gboolean
enough_frames (gpointer data)
{
  Frames *frames = data;

  /* The first second is start-up: the figures are those after it. */
  return shmlab_frame_probe_get_frames (frames->probe) >= frames->frames;
}

/* A window with a probe: closing it writes the file, whose marks are
 * escaped as JSON (quotes, a backslash, a tab, Chinese). */
static void
test_window (void)
{
  g_autofree char *path = g_build_filename (shmlab_test_get_temp_dir (), "probe.json", NULL);
  g_autoptr(ShmlabFrameProbe) probe = shmlab_frame_probe_new (path);
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  Frames frames = { probe, 90 };
  const char *mark = "“写入” \"q\" \\ \t end";

  gtk_window_set_default_size (window, 200, 100);
  shmlab_frame_probe_attach (probe, GTK_WIDGET (window));
  gtk_window_present (window);
  shmlab_test_wait_until (enough_frames, &frames, 30, "the window's frames");
  shmlab_frame_probe_mark (probe, mark);
  frames.frames += 10;
  shmlab_test_wait_until (enough_frames, &frames, 30, "ten more frames");
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  gtk_window_destroy (window);
  assert_probe_file (path, g_get_prgname (), mark);
}

/* The option every program takes: the Reader's window, closed by a
 * screenshot, leaves its figures in the file. */
static void
test_option (void)
{
  g_autofree char *key = shmlab_test_unique_key ("probe");
  g_autofree char *json = g_build_filename (shmlab_test_get_temp_dir (), "reader.json", NULL);
  g_autofree char *png = g_build_filename (shmlab_test_get_temp_dir (), "reader.png", NULL);
  g_autoptr(GError) error = NULL;
  int status = 0;
  const char *argv[] = { g_getenv ("SHMLAB_READER"), "--key", key, "--screenshot", png,
                         "--screenshot-delay", "2000", "--frame-probe", json, NULL };

  g_assert_nonnull (argv[0]);
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL,
                &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  assert_probe_file (json, "shmlab-reader", NULL);
}

int
main (int argc, char **argv)
{
  shmlab_test_init (&argc, &argv);
  gtk_init ();
  shmlab_app_support_init ();

  g_test_add_func ("/frame-probe/window", test_window);
  g_test_add_func ("/frame-probe/option", test_option);
  return g_test_run ();
}
