/* shmlab-memory-view.c — the Memory tab: every process that maps the key's
 * segment, drawn as the article draws it, live
 *
 * One column a process (a process that maps the segment twice has two): its
 * address space with the segment at its own address, the page table under
 * it with each page filled when present and hollow when not, and arrows from
 * every column into one block of physical memory. What /proc says is read by
 * shmlab_memory_map_scan() in a worker, a few times a second while the tab
 * is on screen and never on the main thread; the main thread only draws.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-memory-view.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <math.h>

#include "shmlab-thread.h"
#include "shmlab-users.h"

/* A look every this many ms while on screen: the next starts only when the
 * last has ended, so a slow /proc never piles up looks. */
#define SCAN_INTERVAL_MS 400
/* Columns drawn; the rest are counted under the picture. */
#define MAX_COLUMNS 6

struct _ShmlabMemoryView
{
  GtkWidget parent_instance;

  /* Template widgets */
  GtkWidget *scroller;
  GtkLabel *summary_label;
  GtkDrawingArea *picture;
  GtkLabel *mappings_label;
  GtkLabel *physical_label;
  GtkLabel *lesson_label;

  /* Owned */
  ShmlabSession *session;
  ShmlabMemoryMap *map;
  GCancellable *cancellable;
  guint timer;
  gboolean scanning;
  guint scans;
  char *text;
};

G_DEFINE_FINAL_TYPE (ShmlabMemoryView, shmlab_memory_view, GTK_TYPE_WIDGET)

static void
scan_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  ShmlabMemoryMap *map;

  shmlab_thread_set_background ();
  map = shmlab_memory_map_scan (task_data, cancellable, &error);
  if (map == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, map, (GDestroyNotify) shmlab_memory_map_free);
}

static void update (ShmlabMemoryView *self, const GError *error);

static void
scan_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(ShmlabMemoryView) self = user_data;
  g_autoptr(GError) error = NULL;
  ShmlabMemoryMap *map = g_task_propagate_pointer (G_TASK (result), &error);

  self->scanning = FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_pointer (&self->map, shmlab_memory_map_free);
  self->map = map;
  self->scans++;
  update (self, error);
}

static void
start_scan (ShmlabMemoryView *self)
{
  ShmlabKey *key;
  g_autoptr(GTask) task = NULL;

  if (self->scanning || self->session == NULL)
    return;
  key = shmlab_session_get_key_value (self->session);
  if (key == NULL)
    return;
  self->scanning = TRUE;
  task = g_task_new (NULL, self->cancellable, scan_done, g_object_ref (self));
  g_task_set_task_data (task, shmlab_key_ref (key), (GDestroyNotify) shmlab_key_unref);
  g_task_run_in_thread (task, scan_thread);
}

static gboolean
tick (gpointer data)
{
  start_scan (SHMLAB_MEMORY_VIEW (data));
  return G_SOURCE_CONTINUE;
}

/* ---- what is shown ---- */

static char *
describe_mapping (const ShmlabMemoryMapping *m)
{
  g_autofree char *user = shmlab_user_name (m->uid);
  g_autofree char *present = m->present < 0
    ? g_strdup (_("pages present: unknown"))
    : g_strdup_printf (_("%" PRId64 " of %" PRIu64 " pages present"), m->present, m->n_pages);

  /* TRANSLATORS: pid, program, user, first and last address, read-write or read-only, pages */
  return g_strdup_printf (_("pid %u %s (%s): 0x%" PRIx64 "–0x%" PRIx64 ", %s, %s"), m->pid, m->program,
                          user, m->start, m->end, m->writable ? _("read-write") : _("read-only"),
                          present);
}

static void
update (ShmlabMemoryView *self,
        const GError     *error)
{
  g_autoptr(GString) list = g_string_new (NULL);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *summary = NULL;
  g_autofree char *physical = NULL;

  if (error != NULL)
    {
      summary = g_strdup_printf (_("Cannot look at the processes: %s"), error->message);
      physical = g_strdup ("");
    }
  else if (self->map == NULL || !self->map->exists)
    {
      summary = g_strdup (_("No segment has this key yet: nothing maps it. Write or create it, "
                            "and every process that attaches appears here."));
      physical = g_strdup ("");
    }
  else
    {
      g_autofree char *attached = shmlab_memory_map_describe_attached (self->map);

      summary = g_strdup_printf ("%s — %s", self->map->identity.description, attached);
      physical = shmlab_memory_map_describe_physical (self->map);
      for (guint i = 0; i < self->map->mappings->len; i++)
        {
          g_autofree char *line = describe_mapping (g_ptr_array_index (self->map->mappings, i));

          g_string_append_printf (list, "%s%s", i > 0 ? "\n" : "", line);
        }
    }
  gtk_label_set_text (self->summary_label, summary);
  gtk_label_set_text (self->mappings_label, list->str);
  gtk_widget_set_visible (GTK_WIDGET (self->mappings_label), list->len > 0);
  gtk_label_set_text (self->physical_label, physical);
  gtk_widget_set_visible (GTK_WIDGET (self->physical_label), physical[0] != '\0');
  gtk_widget_set_visible (GTK_WIDGET (self->picture), self->map != NULL && self->map->exists &&
                          self->map->mappings->len > 0);
  g_string_append_printf (text, "%s\n%s\n%s", summary, list->str, physical);
  g_free (self->text);
  self->text = g_string_free (g_steal_pointer (&text), FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->picture), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  self->text, -1);
  gtk_widget_queue_draw (GTK_WIDGET (self->picture));
}

/* ---- the picture ---- */

static void
set_colour (cairo_t    *cr,
            const char *spec,
            double      alpha)
{
  GdkRGBA rgba;

  gdk_rgba_parse (&rgba, spec);
  cairo_set_source_rgba (cr, rgba.red, rgba.green, rgba.blue, alpha);
}

static void
draw_text (GtkWidget  *widget,
           cairo_t    *cr,
           const char *text,
           double      x,
           double      y,
           double      width,
           gboolean    bold)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (widget, NULL);
  g_autofree char *markup = g_markup_printf_escaped (bold ? "<b>%s</b>" : "%s", text);

  pango_layout_set_markup (layout, markup, -1);
  pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
  g_object_unref (layout);
}

static void
draw_arrow (cairo_t *cr,
            double   x0,
            double   y0,
            double   x1,
            double   y1)
{
  double angle = atan2 (y1 - y0, x1 - x0);

  cairo_move_to (cr, x0, y0);
  cairo_line_to (cr, x1, y1);
  cairo_stroke (cr);
  cairo_move_to (cr, x1, y1);
  cairo_line_to (cr, x1 - 8 * cos (angle - 0.4), y1 - 8 * sin (angle - 0.4));
  cairo_line_to (cr, x1 - 8 * cos (angle + 0.4), y1 - 8 * sin (angle + 0.4));
  cairo_close_path (cr);
  cairo_fill (cr);
}

static void
draw_picture (GtkDrawingArea *area,
              cairo_t        *cr,
              int             width,
              int             height,
              gpointer        data)
{
  ShmlabMemoryView *self = data;
  GtkWidget *widget = GTK_WIDGET (area);
  const ShmlabMemoryMap *map = self->map;
  guint n;
  double column, space_top = 40, space_bottom = height * 0.48, table_top, table_h = 22;
  double phys_top = height - 56, phys_h = 50;
  /* The user half of a 64-bit address space: where a mapping sits in it. */
  const double span = (double) (G_GUINT64_CONSTANT (1) << 47);

  if (map == NULL || !map->exists || map->mappings->len == 0)
    return;
  n = MIN (map->mappings->len, MAX_COLUMNS);
  column = (double) width / n;
  table_top = space_bottom + 26;
  cairo_set_line_width (cr, 1.5);

  for (guint i = 0; i < n; i++)
    {
      const ShmlabMemoryMapping *m = g_ptr_array_index (map->mappings, i);
      double x = i * column + 8, w = column - 16;
      double where = MIN ((double) m->start / span, 0.97);
      double band_y = space_top + where * (space_bottom - space_top - 14);
      g_autofree char *title = g_strdup_printf (_("pid %u %s"), m->pid, m->program);
      g_autofree char *address = g_strdup_printf ("0x%" PRIx64, m->start);

      set_colour (cr, "#111827", 1);
      draw_text (widget, cr, title, x, 2, w, TRUE);
      draw_text (widget, cr, _("address space"), x, 20, w, FALSE);
      /* The address space, and the segment at this process's address. */
      set_colour (cr, "#9ca3af", 1);
      cairo_rectangle (cr, x, space_top, w, space_bottom - space_top);
      cairo_stroke (cr);
      set_colour (cr, m->writable ? "#2563eb" : "#16a34a", 0.85);
      cairo_rectangle (cr, x + 1, band_y, w - 2, 14);
      cairo_fill (cr);
      /* Its address beside the band, inside the box. */
      set_colour (cr, "#111827", 1);
      draw_text (widget, cr, address, x, band_y > (space_top + space_bottom) / 2 ? band_y - 19 : band_y + 15,
                 w, FALSE);

      /* The page table: a cell a bin, filled as much as its pages are present. */
      set_colour (cr, "#111827", 1);
      draw_text (widget, cr, _("page table"), x, space_bottom + 4, w, FALSE);
      for (guint b = 0; b < m->n_bins; b++)
        {
          double cw = w / m->n_bins;
          double cx = x + b * cw;

          if (m->present >= 0 && m->bins[b] > 0)
            {
              set_colour (cr, "#f59e0b", 0.25 + 0.75 * m->bins[b] / 255.0);
              cairo_rectangle (cr, cx, table_top, MAX (cw - 1, 1), table_h);
              cairo_fill (cr);
            }
          set_colour (cr, "#92400e", 1);
          cairo_set_line_width (cr, 0.75);
          cairo_rectangle (cr, cx + 0.5, table_top + 0.5, MAX (cw - 2, 0.5), table_h - 1);
          cairo_stroke (cr);
        }
      cairo_set_line_width (cr, 1.5);

      /* From the band through the page table, into the one memory. */
      set_colour (cr, "#374151", 1);
      draw_arrow (cr, x + w * 0.9, space_bottom, x + w * 0.9, table_top - 2);
      draw_arrow (cr, x + w / 2, table_top + table_h + 2, width / 2.0 + (i - (n - 1) / 2.0) * 12,
                  phys_top - 2);
    }

  /* Physical memory: one block for all. */
  set_colour (cr, "#7c3aed", 0.18);
  cairo_rectangle (cr, width * 0.05, phys_top, width * 0.9, phys_h);
  cairo_fill (cr);
  set_colour (cr, "#5b21b6", 1);
  cairo_rectangle (cr, width * 0.05, phys_top, width * 0.9, phys_h);
  cairo_stroke (cr);
  {
    g_autofree char *frame = shmlab_memory_map_first_frame (map) != 0
      ? g_strdup_printf (_("physical memory, from frame 0x%" PRIx64), shmlab_memory_map_first_frame (map))
      : g_strdup (_("physical memory (frames hidden from this user)"));

    set_colour (cr, "#111827", 1);
    draw_text (widget, cr, frame, width * 0.05 + 4, phys_top + 4, width * 0.9 - 8, TRUE);
    draw_text (widget, cr, map->identity.description, width * 0.05 + 4, phys_top + 24,
               width * 0.9 - 8, FALSE);
  }
}

/* ---- the widget ---- */

static void
shmlab_memory_view_map (GtkWidget *widget)
{
  ShmlabMemoryView *self = SHMLAB_MEMORY_VIEW (widget);

  GTK_WIDGET_CLASS (shmlab_memory_view_parent_class)->map (widget);
  if (self->timer == 0)
    self->timer = g_timeout_add (SCAN_INTERVAL_MS, tick, self);
  start_scan (self);
}

static void
shmlab_memory_view_unmap (GtkWidget *widget)
{
  ShmlabMemoryView *self = SHMLAB_MEMORY_VIEW (widget);

  g_clear_handle_id (&self->timer, g_source_remove);
  GTK_WIDGET_CLASS (shmlab_memory_view_parent_class)->unmap (widget);
}

static void
shmlab_memory_view_dispose (GObject *object)
{
  ShmlabMemoryView *self = SHMLAB_MEMORY_VIEW (object);

  g_clear_handle_id (&self->timer, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->session);
  gtk_widget_dispose_template (GTK_WIDGET (self), SHMLAB_TYPE_MEMORY_VIEW);
  G_OBJECT_CLASS (shmlab_memory_view_parent_class)->dispose (object);
}

static void
shmlab_memory_view_finalize (GObject *object)
{
  ShmlabMemoryView *self = SHMLAB_MEMORY_VIEW (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->map, shmlab_memory_map_free);
  g_free (self->text);
  G_OBJECT_CLASS (shmlab_memory_view_parent_class)->finalize (object);
}

static void
shmlab_memory_view_class_init (ShmlabMemoryViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = shmlab_memory_view_dispose;
  object_class->finalize = shmlab_memory_view_finalize;
  widget_class->map = shmlab_memory_view_map;
  widget_class->unmap = shmlab_memory_view_unmap;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/shmlab/shmlab-memory-view.ui");
  gtk_widget_class_bind_template_child (widget_class, ShmlabMemoryView, scroller);
  gtk_widget_class_bind_template_child (widget_class, ShmlabMemoryView, summary_label);
  gtk_widget_class_bind_template_child (widget_class, ShmlabMemoryView, picture);
  gtk_widget_class_bind_template_child (widget_class, ShmlabMemoryView, mappings_label);
  gtk_widget_class_bind_template_child (widget_class, ShmlabMemoryView, physical_label);
  gtk_widget_class_bind_template_child (widget_class, ShmlabMemoryView, lesson_label);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
shmlab_memory_view_init (ShmlabMemoryView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  gtk_drawing_area_set_draw_func (self->picture, draw_picture, self, NULL);
  gtk_label_set_text (self->lesson_label, shmlab_memory_map_lesson ());
  update (self, NULL);
}

GtkWidget *
shmlab_memory_view_new (void)
{
  return g_object_new (SHMLAB_TYPE_MEMORY_VIEW, NULL);
}

/* The session whose key is looked at; a new key is looked at next tick. */
void
shmlab_memory_view_set_session (ShmlabMemoryView *self,
                                ShmlabSession    *session)
{
  g_return_if_fail (SHMLAB_IS_MEMORY_VIEW (self));
  g_set_object (&self->session, session);
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    start_scan (self);
}

/* What the last look found (NULL before the first); for tests. */
const ShmlabMemoryMap *
shmlab_memory_view_get_map (ShmlabMemoryView *self)
{
  return self->map;
}

/* How many looks have ended; for tests. */
guint
shmlab_memory_view_get_scans (ShmlabMemoryView *self)
{
  return self->scans;
}

/* What the tab says in words (the picture's description too). */
const char *
shmlab_memory_view_get_text (ShmlabMemoryView *self)
{
  return self->text;
}
