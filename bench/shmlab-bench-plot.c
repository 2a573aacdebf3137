/* shmlab-bench-plot.c — the chart of a benchmark run: throughput and
 * latency against message size, log scales, one line per mechanism
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-bench-plot.h"

#include <glib/gi18n-lib.h>

#include <cairo.h>
#include <math.h>

#define PANEL_TOP 120.0
#define PANEL_BOTTOM 570.0
#define LEGEND_Y 665.0

typedef struct
{
  double left, right, top, bottom;
  double x_min, x_max;  /* log2 of the size */
  double y_min, y_max;  /* log10 of the value */
} Panel;

typedef double (*Value) (const ShmlabBenchResult *result);

/* Colour-blind-safe colours (Okabe and Ito), one per mechanism. */
static const double colours[SHMLAB_BENCH_N_MECHANISMS][3] = {
  [SHMLAB_BENCH_MEMCPY] = { 0.25, 0.25, 0.25 },
  [SHMLAB_BENCH_SHM_SYSV] = { 0.00, 0.45, 0.70 },
  [SHMLAB_BENCH_SHM_POSIX] = { 0.34, 0.71, 0.91 },
  /* The palette's black; memcpy's line, in grey, is dashed. */
  [SHMLAB_BENCH_SHM_FILE] = { 0.00, 0.00, 0.00 },
  [SHMLAB_BENCH_SHM_INPLACE] = { 0.00, 0.62, 0.45 },
  [SHMLAB_BENCH_PIPE] = { 0.90, 0.62, 0.00 },
  [SHMLAB_BENCH_UNIX_SOCKET] = { 0.84, 0.37, 0.00 },
  [SHMLAB_BENCH_TCP_LOOPBACK] = { 0.80, 0.47, 0.65 },
};

static double
throughput_gb (const ShmlabBenchResult *result)
{
  return result->throughput_median / 1e9;
}

static double
latency_ns (const ShmlabBenchResult *result)
{
  return result->latency_median_ns;
}

static double
panel_x (const Panel *panel,
         guint64      size)
{
  return panel->left + (log2 ((double) size) - panel->x_min) / (panel->x_max - panel->x_min) *
                       (panel->right - panel->left);
}

static double
panel_y (const Panel *panel,
         double       value)
{
  return panel->bottom - (log10 (value) - panel->y_min) / (panel->y_max - panel->y_min) *
                         (panel->bottom - panel->top);
}

static void
show_text (cairo_t    *cr,
           const char *text,
           double      x,
           double      y,
           double      align_x,
           double      align_y)
{
  cairo_text_extents_t extents;

  cairo_text_extents (cr, text, &extents);
  cairo_move_to (cr, x - extents.x_bearing - extents.width * align_x,
                 y - extents.y_bearing - extents.height * align_y);
  cairo_show_text (cr, text);
}

/* Decades that hold every value measured, at least one. */
static void
value_range (const ShmlabBenchReport *report,
             Value                    value,
             double                  *y_min,
             double                  *y_max)
{
  double low = INFINITY, high = -INFINITY;

  for (guint r = 0; r < report->rows->len; r++)
    {
      const ShmlabBenchRow *row = g_ptr_array_index (report->rows, r);
      for (guint i = 0; i < row->n_results; i++)
        {
          double v = row->results[i].ok ? value (&row->results[i]) : NAN;
          if (isfinite (v) && v > 0)
            {
              low = MIN (low, log10 (v));
              high = MAX (high, log10 (v));
            }
        }
    }
  if (!isfinite (low))
    low = 0, high = 1;
  /* A point on the frame is hard to see: keep a margin inside it. */
  *y_min = floor (low - 0.05);
  *y_max = MAX (ceil (high + 0.05), *y_min + 1);
}

static char *
decade_label (double decade,
              gboolean time)
{
  double value = pow (10, decade);

  if (time && decade >= 0)
    {
      static const char *units[] = { "ns", "µs", "ms", "s" };
      int d = (int) decade;
      int unit = CLAMP (d / 3, 0, 3);

      return g_strdup_printf ("%.0f %s", pow (10, d - 3 * unit), units[unit]);
    }
  if (time)
    return shmlab_bench_format_ns (value);
  if (decade >= 0)
    return g_strdup_printf ("%.0f", value);
  return g_strdup_printf ("%.*f", (int) -decade, value);
}

static void
draw_marker (cairo_t *cr,
             guint    shape,
             double   x,
             double   y)
{
  const double r = 4.5;

  switch (shape % 4)
    {
    case 0:
      cairo_arc (cr, x, y, r, 0, 2 * G_PI);
      break;
    case 1:
      cairo_rectangle (cr, x - r, y - r, 2 * r, 2 * r);
      break;
    case 2:
      cairo_move_to (cr, x, y - r * 1.2);
      cairo_line_to (cr, x + r * 1.1, y + r * 0.8);
      cairo_line_to (cr, x - r * 1.1, y + r * 0.8);
      cairo_close_path (cr);
      break;
    default:
      cairo_move_to (cr, x, y - r * 1.3);
      cairo_line_to (cr, x + r * 1.1, y);
      cairo_line_to (cr, x, y + r * 1.3);
      cairo_line_to (cr, x - r * 1.1, y);
      cairo_close_path (cr);
      break;
    }
  cairo_fill (cr);
}

static void
draw_panel (cairo_t                 *cr,
            const ShmlabBenchReport *report,
            Panel                   *panel,
            const char              *title,
            const char              *y_title,
            Value                    value,
            gboolean                 time)
{
  guint64 first = g_array_index (report->sizes, guint64, 0);
  guint64 last = g_array_index (report->sizes, guint64, report->sizes->len - 1);
  guint label_every = report->sizes->len > 8 ? 2 : 1;

  panel->x_min = log2 ((double) first) - 0.5;
  panel->x_max = log2 ((double) last) + 0.5;
  value_range (report, value, &panel->y_min, &panel->y_max);

  cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
  cairo_set_font_size (cr, 19);
  show_text (cr, title, (panel->left + panel->right) / 2, panel->top - 22, 0.5, 1);

  /* Grid: a line per decade, and one per size measured. */
  cairo_set_font_size (cr, 14);
  cairo_set_line_width (cr, 1);
  for (double d = panel->y_min; d <= panel->y_max + 1e-9; d++)
    {
      double y = panel_y (panel, pow (10, d));
      g_autofree char *label = decade_label (d, time);

      cairo_set_source_rgb (cr, 0.86, 0.86, 0.86);
      cairo_move_to (cr, panel->left, y);
      cairo_line_to (cr, panel->right, y);
      cairo_stroke (cr);
      cairo_set_source_rgb (cr, 0.2, 0.2, 0.2);
      show_text (cr, label, panel->left - 8, y, 1, 0.5);
    }
  for (guint i = 0; i < report->sizes->len; i++)
    {
      guint64 size = g_array_index (report->sizes, guint64, i);
      double x = panel_x (panel, size);

      cairo_set_source_rgb (cr, 0.93, 0.93, 0.93);
      cairo_move_to (cr, x, panel->top);
      cairo_line_to (cr, x, panel->bottom);
      cairo_stroke (cr);
      if (i % label_every == 0 || i + 1 == report->sizes->len)
        {
          g_autofree char *label = shmlab_bench_format_size (size);
          cairo_set_source_rgb (cr, 0.2, 0.2, 0.2);
          show_text (cr, label, x, panel->bottom + 10, 0.5, 0);
        }
    }

  cairo_set_source_rgb (cr, 0.3, 0.3, 0.3);
  cairo_rectangle (cr, panel->left, panel->top, panel->right - panel->left,
                   panel->bottom - panel->top);
  cairo_stroke (cr);

  cairo_set_font_size (cr, 15);
  show_text (cr, _("message size (log scale)"), (panel->left + panel->right) / 2,
             panel->bottom + 38, 0.5, 0);
  cairo_save (cr);
  cairo_translate (cr, panel->left - 80, (panel->top + panel->bottom) / 2);
  cairo_rotate (cr, -G_PI / 2);
  show_text (cr, y_title, 0, 0, 0.5, 0.5);
  cairo_restore (cr);

  /* One line per mechanism; a failed measurement leaves a gap. */
  cairo_save (cr);
  cairo_rectangle (cr, panel->left, panel->top, panel->right - panel->left,
                   panel->bottom - panel->top);
  cairo_clip (cr);
  for (guint r = 0; r < report->rows->len; r++)
    {
      const ShmlabBenchRow *row = g_ptr_array_index (report->rows, r);
      const double *colour = colours[row->mechanism];
      gboolean drawing = FALSE;

      cairo_set_source_rgb (cr, colour[0], colour[1], colour[2]);
      cairo_set_line_width (cr, 2.5);
      if (row->mechanism == SHMLAB_BENCH_MEMCPY)
        cairo_set_dash (cr, (double[]) { 8, 5 }, 2, 0);
      for (guint i = 0; i < row->n_results; i++)
        {
          const ShmlabBenchResult *result = &row->results[i];
          double v = result->ok ? value (result) : NAN;

          if (!isfinite (v) || v <= 0)
            {
              drawing = FALSE;
              continue;
            }
          if (drawing)
            cairo_line_to (cr, panel_x (panel, result->size), panel_y (panel, v));
          else
            cairo_move_to (cr, panel_x (panel, result->size), panel_y (panel, v));
          drawing = TRUE;
        }
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
      for (guint i = 0; i < row->n_results; i++)
        {
          const ShmlabBenchResult *result = &row->results[i];
          double v = result->ok ? value (result) : NAN;

          if (isfinite (v) && v > 0)
            draw_marker (cr, row->mechanism, panel_x (panel, result->size), panel_y (panel, v));
        }
    }
  cairo_restore (cr);
}

static void
draw_legend (cairo_t                 *cr,
             const ShmlabBenchReport *report)
{
  double widths[SHMLAB_BENCH_N_MECHANISMS] = { 0 };
  double total = 0, x;

  cairo_set_font_size (cr, 16);
  for (guint r = 0; r < report->rows->len; r++)
    {
      const ShmlabBenchRow *row = g_ptr_array_index (report->rows, r);
      cairo_text_extents_t extents;

      cairo_text_extents (cr, shmlab_bench_mechanism_info (row->mechanism)->name, &extents);
      widths[r] = 44 + extents.x_advance + 34;
      total += widths[r];
    }

  x = (SHMLAB_BENCH_PLOT_WIDTH - total) / 2;
  for (guint r = 0; r < report->rows->len; r++)
    {
      const ShmlabBenchRow *row = g_ptr_array_index (report->rows, r);
      const double *colour = colours[row->mechanism];

      cairo_set_source_rgb (cr, colour[0], colour[1], colour[2]);
      cairo_set_line_width (cr, 2.5);
      if (row->mechanism == SHMLAB_BENCH_MEMCPY)
        cairo_set_dash (cr, (double[]) { 8, 5 }, 2, 0);
      cairo_move_to (cr, x, LEGEND_Y);
      cairo_line_to (cr, x + 36, LEGEND_Y);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
      draw_marker (cr, row->mechanism, x + 18, LEGEND_Y);
      cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
      show_text (cr, shmlab_bench_mechanism_info (row->mechanism)->name, x + 44, LEGEND_Y, 0,
                 0.5);
      x += widths[r];
    }
}

static cairo_status_t
append_png (void                *closure,
            const unsigned char *data,
            unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

/**
 * shmlab_bench_plot_write:
 * @path: where to save the PNG, SHMLAB_BENCH_PLOT_WIDTH × SHMLAB_BENCH_PLOT_HEIGHT
 *
 * Two panels side by side: throughput (higher is better) and one-way
 * latency (lower is better), both against message size.
 */
gboolean
shmlab_bench_plot_write (const ShmlabBenchReport  *report,
                         const char               *path,
                         GError                  **error)
{
  g_autoptr(GByteArray) png = g_byte_array_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *shown = g_filename_display_name (path);
  cairo_surface_t *surface;
  cairo_t *cr;
  cairo_status_t status;
  g_autofree char *machine = shmlab_bench_machine_describe (&report->machine);
  g_autofree char *subtitle = NULL;
  Panel throughput = { 110, 760, PANEL_TOP, PANEL_BOTTOM };
  Panel latency = { 920, 1570, PANEL_TOP, PANEL_BOTTOM };

  if (report->rows->len == 0 || report->sizes->len == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("there is nothing to draw: no mechanism was measured"));
      return FALSE;
    }

  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, SHMLAB_BENCH_PLOT_WIDTH,
                                        SHMLAB_BENCH_PLOT_HEIGHT);
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_select_font_face (cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);

  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_set_font_size (cr, 24);
  show_text (cr, _("shmlab bench: moving a message from one process to another"),
             SHMLAB_BENCH_PLOT_WIDTH / 2.0, 18, 0.5, 0);
  if (shmlab_bench_report_checks_off_clock (report))
    subtitle = g_strdup_printf (_("%s; both processes on one processor; medians; every byte "
                                "checked"), machine);
  else
    subtitle = g_strdup_printf (_("%s; medians; every byte checked"), machine);
  cairo_set_font_size (cr, 15);
  cairo_set_source_rgb (cr, 0.3, 0.3, 0.3);
  show_text (cr, subtitle, SHMLAB_BENCH_PLOT_WIDTH / 2.0, 52, 0.5, 0);

  draw_panel (cr, report, &throughput, _("Throughput (higher is better)"),
              _("GB/s (10⁹ bytes per second, log scale)"), throughput_gb, FALSE);
  draw_panel (cr, report, &latency, _("One-way latency (lower is better)"),
              _("median time per message (log scale)"), latency_ns, TRUE);
  draw_legend (cr, report);

  cairo_surface_flush (surface);
  status = cairo_status (cr);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_write_to_png_stream (surface, append_png, png);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  /* The chart is drawn once: let cairo give back its font caches. */
  cairo_debug_reset_static_data ();

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("cannot draw the chart for “%s”: %s"),
                   shown, cairo_status_to_string (status));
      return FALSE;
    }
  if (!g_file_set_contents (path, (const char *) png->data, png->len, &local_error))
    {
      g_set_error (error, local_error->domain, local_error->code,
                   _("cannot save the chart: %s (choose a --plot path in a folder you can write)"),
                   local_error->message);
      return FALSE;
    }
  return TRUE;
}
