/* test-reader-hostile.c — one Reader window reads every crafted segment in
 * turn: each gets its explanation, in the content view and in the step log,
 * and a good segment still reads fine after it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-test-gtk.h"
#include "shmlab-test-util.h"

#include <locale.h>
#include <string.h>

#include <gtk/gtk.h>

#include "shmlab-app-support.h"
#include "shmlab-hostile.h"
#include "shmlab-reader-station.h"
#include "shmlab-segment.h"

/* Bounds every wait; reaching it fails the test, it never makes one pass. */
#define WAIT_SECONDS 30

#define GOOD_TEXT "the good segment reads fine"

static GPtrArray *corpus;
static ShmlabReaderStation *window;
static ShmlabSegment *good_segment;
static char *good_key;
static guint n_inputs;

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

/* One window for every case, made at first use. */
static ShmlabReaderStation *
get_window (void)
{
  if (window == NULL)
    {
      g_autoptr(GBytes) good = shmlab_hostile_text_frame (GOOD_TEXT, strlen (GOOD_TEXT));

      good_key = shmlab_test_unique_key ("rgood");
      good_segment = shmlab_hostile_segment_new (good_key, SHMLAB_BACKEND_SYSV, good);
      /* The toplevel list owns the window; the test keeps its own reference. */
      window = g_object_ref (shmlab_test_reader_new (NULL));
      shmlab_key_bar_set_backend (shmlab_station_get_key_bar (SHMLAB_STATION (window)), SHMLAB_BACKEND_SYSV);
      gtk_window_present (shmlab_test_window_of (window));
    }
  return window;
}

/* Reads @key the way a student does: type it, press Read, wait for the result. */
static void
read_key (const char *key)
{
  ResultWait wait = { window, shmlab_reader_station_get_n_results (window) + 1 };

  shmlab_key_bar_set_key (shmlab_station_get_key_bar (SHMLAB_STATION (window)), key);
  shmlab_step_log_clear (shmlab_station_get_step_log (SHMLAB_STATION (window)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.read", NULL));
  if (!shmlab_test_spin_until (has_results, &wait, WAIT_SECONDS))
    shmlab_test_fail ("the window showed no result within %d s of reading “%s”", WAIT_SECONDS, key);
}

static ShmlabContentView *
content_view (void)
{
  return shmlab_reader_station_get_content_view (window);
}

static const char *
page_of (void)
{
  return shmlab_content_view_get_page (content_view ());
}

static char *
text_of (void)
{
  return shmlab_content_view_get_text (content_view ());
}

/* The last line of the step log that says something failed. */
static char *
last_failed_step (void)
{
  g_autofree char *log = shmlab_step_log_to_text (shmlab_station_get_step_log (SHMLAB_STATION (window)));
  g_auto(GStrv) lines = g_strsplit (log, "\n", -1);
  char *found = NULL;

  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], "✗") != NULL)
      {
        g_free (found);
        found = g_strdup (lines[i]);
      }
  return found;
}

/* The texture on show holds exactly @image's (opaque) pixels. */
static char *
check_texture (ShmlabImage *image)
{
  GdkTexture *texture = shmlab_content_view_get_texture (content_view ());
  g_autofree guint8 *argb = NULL;
  gsize stride;
  int width, height;

  if (texture == NULL)
    return g_strdup ("no picture is on show");
  width = gdk_texture_get_width (texture);
  height = gdk_texture_get_height (texture);
  if (width != (int) image->width || height != (int) image->height)
    return g_strdup_printf ("the picture on show is %d × %d, not %u × %u", width, height,
                            image->width, image->height);

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
          return g_strdup_printf ("pixel (%d, %d) is ARGB %08x on screen, RGBA "
                                  "%02x%02x%02x%02x in the segment", x, y, pixel, p[0], p[1],
                                  p[2], p[3]);
      }
  return NULL;
}

/* What is wrong with what the window shows for @hostile, or NULL. */
static char *
check_shown (const ShmlabHostileCase *hostile)
{
  const char *page = page_of ();
  const char *problem = shmlab_reader_station_get_problem (window);
  const char *notice = shmlab_content_view_get_notice (content_view ());
  g_autofree char *text = text_of ();
  g_autofree char *step = last_failed_step ();
  g_autofree char *missing = NULL;

  g_test_message ("page %s; problem: %s; notice: %s; last failed step: %s", page,
                  problem ? problem : "(none)", notice ? notice : "(none)",
                  step ? step : "(none)");

  /* The Reader, its decoder and its Segment tab reach one verdict. */
  {
    ShmlabInspector *inspector = shmlab_station_get_inspector (SHMLAB_STATION (window));
    const ShmlabDescription *description = shmlab_inspector_get_description (inspector);
    g_autofree char *decoded = shmlab_hostile_decoded_verdict (hostile->bytes, NULL);
    g_autofree char *described = shmlab_description_to_string (description);

    if (g_strcmp0 (described, decoded) != 0)
      return g_strdup_printf ("the Segment tab says “%s”, the decoder “%s”", described, decoded);
    if ((g_strcmp0 (page, "problem") == 0) != (description->verdict == SHMLAB_VERDICT_DAMAGED))
      return g_strdup_printf ("the window shows its %s page, the Segment tab says “%s”", page,
                              described);
  }

  switch (hostile->outcome)
    {
    case SHMLAB_HOSTILE_REFUSED:
      if (g_strcmp0 (page, "problem") != 0)
        return g_strdup_printf ("the window shows its %s page, not an explanation, for a segment "
                                "it cannot show", page);
      if ((missing = shmlab_hostile_missing_fragment (hostile, problem)) != NULL)
        return g_strdup_printf ("in the content view: %s", missing);
      if ((missing = shmlab_hostile_missing_fragment (hostile, text)) != NULL)
        return g_strdup_printf ("on the problem page: %s", missing);
      if ((missing = shmlab_hostile_missing_fragment (hostile, step)) != NULL)
        return g_strdup_printf ("in the step log: %s", missing);
      /* The bytes that could not be shown are one click away, in front. */
      if (g_strcmp0 (shmlab_station_get_side_page (SHMLAB_STATION (window)), "segment") != 0)
        return g_strdup ("the side panel does not show the segment's bytes");
      if (shmlab_inspector_get_bytes (shmlab_station_get_inspector (SHMLAB_STATION (window))) == NULL)
        return g_strdup ("the inspector has no bytes to show");
      return NULL;

    case SHMLAB_HOSTILE_WARNED:
    case SHMLAB_HOSTILE_TEXT:
      if (g_strcmp0 (page, "text") != 0)
        return g_strdup_printf ("the window shows its %s page, not a text", page);
      if (g_strcmp0 (text, hostile->text) != 0)
        return g_strdup_printf ("the window shows “%s”, not “%s”", text, hostile->text);
      if (hostile->outcome == SHMLAB_HOSTILE_TEXT)
        return problem == NULL && notice == NULL
                 ? NULL
                 : g_strdup_printf ("a warning where none was due: %s", problem ? problem : notice);
      if ((missing = shmlab_hostile_missing_fragment (hostile, problem ? problem : notice)) != NULL)
        return g_strdup_printf ("in the warning: %s", missing);
      return NULL;

    case SHMLAB_HOSTILE_IMAGE:
      if (g_strcmp0 (page, "image") != 0)
        return g_strdup_printf ("the window shows its %s page, not a picture: %s", page,
                                problem ? problem : "");
      if (problem != NULL)
        return g_strdup_printf ("a problem where none was due: %s", problem);
      return check_texture (hostile->image);

    default:
      g_assert_not_reached ();
    }
}

static void
test_case (gconstpointer data)
{
  const ShmlabHostileCase *hostile = data;
  g_autofree char *key = shmlab_test_unique_key ("rhostile");
  g_autofree char *problem = NULL;
  g_autofree char *good = NULL;
  ShmlabSegment *segment;

  g_test_message ("case %s: %zu bytes, %s expected", hostile->name,
                  g_bytes_get_size (hostile->bytes),
                  shmlab_hostile_outcome_to_string (hostile->outcome));
  get_window ();
  segment = shmlab_hostile_segment_new (key, SHMLAB_BACKEND_SYSV, hostile->bytes);
  read_key (key);
  n_inputs++;
  problem = check_shown (hostile);
  g_assert_false (shmlab_session_get_attached (shmlab_station_get_session (SHMLAB_STATION (window))));
  shmlab_hostile_segment_let_go (segment);
  shmlab_hostile_assert_nothing_left (key);

  /* The window recovers: the good segment reads as ever. */
  read_key (good_key);
  g_assert_cmpstr (page_of (), ==, "text");
  good = text_of ();
  g_assert_cmpstr (good, ==, GOOD_TEXT);
  g_assert_null (shmlab_reader_station_get_problem (window));

  if (problem != NULL)
    g_strdelimit (problem, "\n", ' ');
  if (problem != NULL && hostile->bug != NULL)
    g_test_incomplete_printf ("known bug: %s (here: %s)", hostile->bug, problem);
  else if (problem != NULL)
    g_test_fail_printf ("case %s: %s", hostile->name, problem);
}

/* The window goes away with everything it started; nothing is left. */
static void
test_close (void)
{
  if (window != NULL)
    {
      gtk_window_destroy (shmlab_test_window_of (window));
      if (!shmlab_test_spin_until (shmlab_test_only_test_holds, window, WAIT_SECONDS))
        shmlab_test_fail ("the window's operations did not let go of it within %d s", WAIT_SECONDS);
      g_assert_finalize_object (g_steal_pointer (&window));
      shmlab_hostile_segment_let_go (g_steal_pointer (&good_segment));
      shmlab_hostile_assert_nothing_left (good_key);
    }
  g_test_message ("figure: reader-hostile-inputs=%u", n_inputs);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  /* The messages logged are UTF-8: shown as they are, not as “?”. */
  setlocale (LC_ALL, "");
  shmlab_test_init (&argc, &argv);
  gtk_init ();
  shmlab_app_support_init ();
  corpus = shmlab_hostile_corpus_new ();

  for (guint i = 0; i < corpus->len; i++)
    {
      const ShmlabHostileCase *hostile = g_ptr_array_index (corpus, i);
      g_autofree char *path = g_strdup_printf ("/reader-hostile/case/%s", hostile->name);

      g_test_add_data_func (path, hostile, test_case);
    }
  /* In a suite of its own, added last: it runs after every case. */
  g_test_add_func ("/reader-hostile/summary/close", test_close);

  status = g_test_run ();
  g_clear_pointer (&corpus, g_ptr_array_unref);
  g_clear_pointer (&good_key, g_free);
  return status;
}
