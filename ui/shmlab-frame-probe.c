/* shmlab-frame-probe.c — the window's frame clock, watched: the time
 * between consecutive frames, written as JSON (--frame-probe FILE)
 *
 * A tick callback on the window keeps its frame clock running at the
 * display's rate, and records for each frame the wall clock (read in the
 * tick) and the frame clock's own frame time. Anything that holds up the
 * main thread shows as a gap longer than one frame. The tick does no more
 * than append two numbers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-frame-probe.h"

#include <glib/gi18n.h>
#include <string.h>

/* The longest gaps listed by themselves in the JSON, with when they happened. */
#define LONG_GAPS_LISTED 20

typedef struct
{
  gint64 wall_us;   /* monotonic time in the tick */
  gint64 clock_us;  /* the frame clock's frame time */
} Tick;

typedef struct
{
  char *what;
  gint64 wall_us;
} Mark;

struct _ShmlabFrameProbe
{
  char *path;
  GtkWidget *window;
  guint tick_id;
  gulong unmap_id;
  GArray *ticks;     /* of Tick, in order */
  GArray *breaks;    /* of guint: ticks[i] follows a time off screen, not a gap */
  GArray *marks;     /* of Mark */
};

static void
mark_clear (gpointer data)
{
  g_free (((Mark *) data)->what);
}

/**
 * shmlab_frame_probe_new:
 * @path: (nullable): the JSON file shmlab_frame_probe_write() writes
 *
 * Returns: (transfer full): a probe watching nothing yet
 */
ShmlabFrameProbe *
shmlab_frame_probe_new (const char *path)
{
  ShmlabFrameProbe *probe = g_new0 (ShmlabFrameProbe, 1);

  probe->path = g_strdup (path);
  probe->ticks = g_array_sized_new (FALSE, FALSE, sizeof (Tick), 60 * 60);
  probe->breaks = g_array_new (FALSE, FALSE, sizeof (guint));
  probe->marks = g_array_new (FALSE, FALSE, sizeof (Mark));
  g_array_set_clear_func (probe->marks, mark_clear);
  return probe;
}

static void
detach (ShmlabFrameProbe *probe)
{
  if (probe->window == NULL)
    return;
  if (probe->tick_id != 0)
    gtk_widget_remove_tick_callback (probe->window, probe->tick_id);
  g_clear_signal_handler (&probe->unmap_id, probe->window);
  g_object_remove_weak_pointer (G_OBJECT (probe->window), (gpointer *) &probe->window);
  probe->tick_id = 0;
  probe->window = NULL;
}

void
shmlab_frame_probe_free (ShmlabFrameProbe *probe)
{
  if (probe == NULL)
    return;
  detach (probe);
  g_array_unref (probe->ticks);
  g_array_unref (probe->breaks);
  g_array_unref (probe->marks);
  g_free (probe->path);
  g_free (probe);
}

static gboolean
probe_tick (GtkWidget     *widget,
            GdkFrameClock *clock,
            gpointer       user_data)
{
  ShmlabFrameProbe *probe = user_data;
  Tick tick = { g_get_monotonic_time (), gdk_frame_clock_get_frame_time (clock) };

  g_array_append_val (probe->ticks, tick);
  return G_SOURCE_CONTINUE;
}

/* A window closing: what was measured is written then (SIGTERM closes the
 * windows too). One shown again later starts a new run of frames. */
static void
probe_unmap (GtkWidget        *window,
             ShmlabFrameProbe *probe)
{
  g_autoptr(GError) error = NULL;
  guint next = probe->ticks->len;

  g_array_append_val (probe->breaks, next);
  if (probe->path != NULL && !shmlab_frame_probe_write (probe, &error))
    g_printerr ("%s\n", error->message);
}

static void
probe_tick_done (gpointer user_data)
{
  ShmlabFrameProbe *probe = user_data;

  probe->tick_id = 0;
}

/**
 * shmlab_frame_probe_attach:
 * @window: the window whose frame clock is watched
 *
 * Keeps @window's frame clock ticking while it is on screen and records each
 * frame. When @window is unmapped (closed), the figures are written to the
 * probe's file.
 */
void
shmlab_frame_probe_attach (ShmlabFrameProbe *probe,
                           GtkWidget        *window)
{
  g_return_if_fail (probe != NULL);
  g_return_if_fail (GTK_IS_WIDGET (window));

  detach (probe);
  probe->window = window;
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &probe->window);
  probe->tick_id = gtk_widget_add_tick_callback (window, probe_tick, probe, probe_tick_done);
  probe->unmap_id = g_signal_connect (window, "unmap", G_CALLBACK (probe_unmap), probe);
}

/**
 * shmlab_frame_probe_mark:
 * @what: a word for what happens now ("loaded", "written")
 *
 * Records a moment, listed in the JSON with its time since the first frame,
 * so that a gap can be told apart by what came just before it.
 */
void
shmlab_frame_probe_mark (ShmlabFrameProbe *probe,
                         const char       *what)
{
  Mark mark;

  if (probe == NULL)
    return;
  mark.what = g_utf8_make_valid (what, -1);
  mark.wall_us = g_get_monotonic_time ();
  g_array_append_val (probe->marks, mark);
}

/* Frames recorded so far, the start-up ones included. */
guint
shmlab_frame_probe_get_frames (ShmlabFrameProbe *probe)
{
  g_return_val_if_fail (probe != NULL, 0);
  return probe->ticks->len;
}

typedef struct
{
  guint frames;
  double worst_ms;
  double worst_at_ms;
  guint over;
  guint over_half;
  double p99_ms;
  double median_ms;
} Figures;

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

/* The gaps of @gaps (in ms, each with when it ended in @at_ms), summed up. */
static Figures
figures_of (GArray *gaps,
            GArray *at_ms)
{
  Figures figures = { 0 };
  g_autofree double *sorted = NULL;

  figures.frames = gaps->len;
  if (gaps->len == 0)
    return figures;
  for (guint i = 0; i < gaps->len; i++)
    {
      double gap = g_array_index (gaps, double, i);

      if (gap > figures.worst_ms)
        {
          figures.worst_ms = gap;
          figures.worst_at_ms = g_array_index (at_ms, double, i);
        }
      if (gap > SHMLAB_FRAME_PROBE_FRAME_MS)
        figures.over++;
      if (gap > 1.5 * SHMLAB_FRAME_PROBE_FRAME_MS)
        figures.over_half++;
    }
  sorted = g_memdup2 (gaps->data, gaps->len * sizeof (double));
  qsort (sorted, gaps->len, sizeof (double), compare_doubles);
  /* Nearest rank. */
  figures.p99_ms = sorted[MIN (gaps->len - 1, (guint) ((gaps->len * 99 + 99) / 100) - 1)];
  figures.median_ms = sorted[gaps->len / 2];
  return figures;
}

static void
append_number (GString    *json,
               const char *name,
               double      value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_printf (json, "\"%s\": %s", name,
                          g_ascii_formatd (buffer, sizeof buffer, "%.3f", value));
}

static void
append_figures (GString       *json,
                const Figures *figures)
{
  g_string_append_printf (json, "\"frames\": %u, ", figures->frames);
  append_number (json, "worst_gap_ms", figures->worst_ms);
  g_string_append (json, ", ");
  append_number (json, "worst_gap_at_ms", figures->worst_at_ms);
  g_string_append_printf (json, ", \"gaps_over_16_7\": %u, \"gaps_over_25\": %u, ",
                          figures->over, figures->over_half);
  append_number (json, "p99_gap_ms", figures->p99_ms);
  g_string_append (json, ", ");
  append_number (json, "median_gap_ms", figures->median_ms);
}

/* @text as a JSON string: quotes, backslashes and control characters
 * escaped, the rest (UTF-8) as it is. */
static void
append_string (GString    *json,
               const char *text)
{
  g_string_append_c (json, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c == '"' || c == '\\')
        g_string_append_printf (json, "\\%c", c);
      else if (c < 0x20)
        g_string_append_printf (json, "\\u%04x", c);
      else
        g_string_append_c (json, (char) c);
    }
  g_string_append_c (json, '"');
}

static gboolean
is_break (ShmlabFrameProbe *probe,
          guint             i)
{
  for (guint b = 0; b < probe->breaks->len; b++)
    if (g_array_index (probe->breaks, guint, b) == i)
      return TRUE;
  return FALSE;
}

static int
compare_gaps_down (gconstpointer a,
                   gconstpointer b)
{
  const double *x = a;
  const double *y = b;

  return (x[1] < y[1]) - (x[1] > y[1]);
}

/**
 * shmlab_frame_probe_to_json:
 *
 * The figures as JSON: frames, worst gap (and when, in ms since the first
 * frame), gaps over one frame (16.7 ms) and over one and a half, the 99th
 * percentile and the median of the gaps between the frame clock's frame
 * times after the first second. The frame clock steps by whole refresh
 * periods, so a frame missed is a gap of 33.3 ms and an idle window shows
 * 16.7 ms and none over. The same gaps read on the wall clock in the tick
 * ("wall_clock": these carry the main loop's jitter of a millisecond or
 * two, so a frame missed is one over 25 ms there); the first second's
 * wall-clock gaps ("startup"); the longest wall-clock gaps with their
 * times; the marks.
 *
 * Returns: (transfer full): the JSON text, one object
 */
char *
shmlab_frame_probe_to_json (ShmlabFrameProbe *probe)
{
  g_autoptr(GArray) wall = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) clock = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) startup = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) at = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) startup_at = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) listed = g_array_new (FALSE, FALSE, 2 * sizeof (double));
  GString *json = g_string_new ("{");
  gint64 first_us = 0;
  gint64 settled_us;
  Figures figures;
  double seconds = 0;

  if (probe->ticks->len > 0)
    {
      first_us = g_array_index (probe->ticks, Tick, 0).wall_us;
      seconds = (g_array_index (probe->ticks, Tick, probe->ticks->len - 1).wall_us - first_us) / 1e6;
    }
  settled_us = first_us + SHMLAB_FRAME_PROBE_SETTLE_MS * 1000;

  for (guint i = 1; i < probe->ticks->len; i++)
    {
      const Tick *now = &g_array_index (probe->ticks, Tick, i);
      const Tick *before = &g_array_index (probe->ticks, Tick, i - 1);
      double wall_ms = (now->wall_us - before->wall_us) / 1000.0;
      double clock_ms = (now->clock_us - before->clock_us) / 1000.0;
      double at_ms = (now->wall_us - first_us) / 1000.0;

      if (is_break (probe, i))
        continue;
      if (before->wall_us < settled_us)
        {
          g_array_append_val (startup, wall_ms);
          g_array_append_val (startup_at, at_ms);
          continue;
        }
      g_array_append_val (wall, wall_ms);
      g_array_append_val (clock, clock_ms);
      g_array_append_val (at, at_ms);
      if (wall_ms > 1.5 * SHMLAB_FRAME_PROBE_FRAME_MS)
        {
          double pair[2] = { at_ms, wall_ms };
          g_array_append_val (listed, pair);
        }
    }

  g_string_append (json, "\"program\": ");
  append_string (json, g_get_prgname () ? g_get_prgname () : "");
  g_string_append (json, ", ");
  figures = figures_of (clock, at);
  append_figures (json, &figures);
  g_string_append (json, ", ");
  append_number (json, "seconds", seconds);
  g_string_append_printf (json, ", \"settle_ms\": %d, ", SHMLAB_FRAME_PROBE_SETTLE_MS);
  append_number (json, "frame_ms", SHMLAB_FRAME_PROBE_FRAME_MS);

  g_string_append (json, ", \"wall_clock\": {");
  figures = figures_of (wall, at);
  append_figures (json, &figures);
  g_string_append (json, "}, \"startup\": {");
  figures = figures_of (startup, startup_at);
  append_figures (json, &figures);
  g_string_append (json, "}, \"long_gaps\": [");

  g_array_sort (listed, compare_gaps_down);
  for (guint i = 0; i < MIN (listed->len, LONG_GAPS_LISTED); i++)
    {
      const double *pair = (const double *) (listed->data + (gsize) i * 2 * sizeof (double));

      g_string_append (json, i > 0 ? ", {" : "{");
      append_number (json, "at_ms", pair[0]);
      g_string_append (json, ", ");
      append_number (json, "ms", pair[1]);
      g_string_append (json, "}");
    }
  g_string_append (json, "], \"marks\": [");
  for (guint i = 0; i < probe->marks->len; i++)
    {
      const Mark *mark = &g_array_index (probe->marks, Mark, i);

      g_string_append (json, i > 0 ? ", {\"what\": " : "{\"what\": ");
      append_string (json, mark->what);
      g_string_append (json, ", ");
      append_number (json, "at_ms", first_us ? (mark->wall_us - first_us) / 1000.0 : 0);
      g_string_append (json, "}");
    }
  g_string_append (json, "]}\n");
  return g_string_free (json, FALSE);
}

/**
 * shmlab_frame_probe_write:
 * @error: a G_FILE_ERROR when the file cannot be written
 *
 * Writes the figures so far to the probe's file, replacing it.
 */
gboolean
shmlab_frame_probe_write (ShmlabFrameProbe  *probe,
                          GError           **error)
{
  g_autofree char *json = NULL;
  g_autoptr(GError) local = NULL;

  g_return_val_if_fail (probe != NULL, FALSE);
  g_return_val_if_fail (probe->path != NULL, FALSE);

  json = shmlab_frame_probe_to_json (probe);
  if (!g_file_set_contents (probe->path, json, -1, &local))
    {
      g_set_error (error, local->domain, local->code,
                   _("cannot write the frame probe's figures: %s"), local->message);
      return FALSE;
    }
  return TRUE;
}
