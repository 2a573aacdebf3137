/* shmlab-step-log.c — every operation as one line: what, result, duration,
 * and on failure the message; with Clear and Copy
 *
 * The lines live in a GListStore shown by a GtkListView, which makes row
 * widgets only for the lines in view: thousands of steps stay cheap.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-step-log.h"

#include <glib/gi18n.h>

#include "shmlab-label-whole.h"

/* Beyond this the oldest lines go: a log following a segment for hours must not grow forever. */
#define MAX_LINES 5000

/* One line of the log, a step or a note of the application. */
#define SHMLAB_TYPE_STEP_LINE (shmlab_step_line_get_type ())
G_DECLARE_FINAL_TYPE (ShmlabStepLine, shmlab_step_line, SHMLAB, STEP_LINE, GObject)

struct _ShmlabStepLine
{
  GObject parent_instance;

  char *time_text;
  char *name;
  char *detail;
  char *message;
  char *duration_text;
  gboolean ok;
  gboolean is_note;
};

G_DEFINE_FINAL_TYPE (ShmlabStepLine, shmlab_step_line, G_TYPE_OBJECT)

static void
shmlab_step_line_finalize (GObject *object)
{
  ShmlabStepLine *self = SHMLAB_STEP_LINE (object);

  g_free (self->time_text);
  g_free (self->name);
  g_free (self->detail);
  g_free (self->message);
  g_free (self->duration_text);

  G_OBJECT_CLASS (shmlab_step_line_parent_class)->finalize (object);
}

static void
shmlab_step_line_class_init (ShmlabStepLineClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = shmlab_step_line_finalize;
}

static void
shmlab_step_line_init (ShmlabStepLine *self)
{
}

/* "14:03:27.512", local time. */
static char *
format_time (gint64 time_us)
{
  g_autoptr(GDateTime) time = NULL;
  g_autofree char *seconds = NULL;

  time_us = MAX (time_us, 0);
  time = g_date_time_new_from_unix_local (time_us / G_USEC_PER_SEC);
  if (time == NULL)
    return g_strdup ("--:--:--.---");
  seconds = g_date_time_format (time, "%H:%M:%S");
  return g_strdup_printf ("%s.%03d", seconds, (int) ((time_us % G_USEC_PER_SEC) / 1000));
}

static char *
format_duration (gint64 duration_us)
{
  duration_us = MAX (duration_us, 0);
  if (duration_us < 1000)
    return g_strdup_printf (_("%.2f ms"), duration_us / 1000.0);
  if (duration_us < G_USEC_PER_SEC)
    return g_strdup_printf (_("%.1f ms"), duration_us / 1000.0);
  return g_strdup_printf ("%.2f s", (double) duration_us / G_USEC_PER_SEC);
}

/* The line as Copy puts it on the clipboard. */
static void
step_line_append_text (ShmlabStepLine *line,
                       GString        *text)
{
  if (line->is_note)
    {
      g_string_append_printf (text, "%s  %s%s\n", line->time_text, line->ok ? "" : "✗ ",
                              line->detail);
      return;
    }
  g_string_append_printf (text, "%s  %-7s  ", line->time_text, line->name);
  if (line->detail && *line->detail)
    g_string_append_printf (text, "%s  ", line->detail);
  g_string_append_printf (text, "%s  %s", line->ok ? "✓" : _("✗ failed"), line->duration_text);
  if (line->message)
    g_string_append_printf (text, ": %s", line->message);
  g_string_append_c (text, '\n');
}

struct _ShmlabStepLog
{
  GtkWidget parent_instance;

  /* Template widgets */
  GtkWidget *box;
  GtkLabel *count_label;
  GtkWidget *copy_button;
  GtkWidget *clear_button;
  GtkScrolledWindow *scrolled;
  GtkListView *list_view;

  /* Owned */
  GListStore *lines;
  ShmlabSession *session;

  /* The view follows the newest line until the user scrolls up. */
  gboolean follow;
  double last_value;
  double last_upper;
  guint scroll_tick;
  guint dropped;
};

G_DEFINE_FINAL_TYPE (ShmlabStepLog, shmlab_step_log, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_SESSION,
  PROP_N_LINES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The widgets of one row, made once per visible row and reused. */
typedef struct
{
  GtkLabel *time;
  GtkLabel *name;
  GtkLabel *detail;
  GtkLabel *result;
  GtkLabel *duration;
  GtkLabel *error;
} Row;

static GtkLabel *
row_label (GtkGrid    *grid,
           const char *css_class,
           int         column,
           int         row,
           int         width)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_valign (label, GTK_ALIGN_START);
  if (css_class)
    gtk_widget_add_css_class (label, css_class);
  gtk_grid_attach (grid, label, column, row, width, 1);
  return GTK_LABEL (label);
}

static void
on_setup_row (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              ShmlabStepLog            *self)
{
  GtkGrid *grid = GTK_GRID (gtk_grid_new ());
  Row *row = g_new0 (Row, 1);

  gtk_grid_set_column_spacing (grid, 12);
  row->time = row_label (grid, "step-time", 0, 0, 1);
  row->name = row_label (grid, "step-name", 1, 0, 1);
  gtk_label_set_width_chars (row->name, 7);
  row->detail = row_label (grid, NULL, 2, 0, 1);
  gtk_widget_set_hexpand (GTK_WIDGET (row->detail), TRUE);
  shmlab_label_show_whole (row->detail);
  /* Wide enough for a few words a line, at any zoom: a name wraps, not each letter. */
  gtk_label_set_width_chars (row->detail, 20);
  row->result = row_label (grid, NULL, 3, 0, 1);
  row->duration = row_label (grid, "step-duration", 4, 0, 1);
  gtk_label_set_xalign (row->duration, 1);
  gtk_label_set_width_chars (row->duration, 9);
  row->error = row_label (grid, "step-error", 1, 1, 4);
  shmlab_label_show_whole (row->error);

  g_object_set_data_full (G_OBJECT (grid), "shmlab-row", row, g_free);
  gtk_list_item_set_child (item, GTK_WIDGET (grid));
  gtk_list_item_set_activatable (item, FALSE);
}

static void
set_class (GtkLabel   *label,
           const char *css_class,
           gboolean    on)
{
  if (on)
    gtk_widget_add_css_class (GTK_WIDGET (label), css_class);
  else
    gtk_widget_remove_css_class (GTK_WIDGET (label), css_class);
}

/* An empty label is hidden, so that a screen reader does not stop at it. */
static void
set_text_shown (GtkLabel   *label,
                const char *text)
{
  gtk_label_set_text (label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL && *text != '\0');
}

/* Where a cell sits in its row's grid. */
static void
place (GtkLabel *label,
       int       column,
       int       width)
{
  GtkWidget *grid = gtk_widget_get_parent (GTK_WIDGET (label));
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (grid);
  GtkGridLayoutChild *child =
    GTK_GRID_LAYOUT_CHILD (gtk_layout_manager_get_layout_child (layout, GTK_WIDGET (label)));

  gtk_grid_layout_child_set_column (child, column);
  gtk_grid_layout_child_set_column_span (child, width);
}

static void
on_bind_row (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             ShmlabStepLog            *self)
{
  ShmlabStepLine *line = gtk_list_item_get_item (item);
  Row *row = g_object_get_data (G_OBJECT (gtk_list_item_get_child (item)), "shmlab-row");

  gboolean has_detail = line->detail != NULL && *line->detail != '\0';

  set_text_shown (row->time, line->time_text);
  set_text_shown (row->name, line->is_note ? NULL : line->name);
  set_text_shown (row->detail, line->detail);
  /* A note has no step name: its text starts where the name would. */
  place (row->detail, line->is_note ? 1 : 2, line->is_note ? 2 : 1);
  set_class (row->detail, "step-note", line->is_note);
  set_class (row->detail, "failed", line->is_note && !line->ok);

  set_text_shown (row->result, line->is_note && line->ok ? NULL : line->ok ? "✓" : "✗");
  /* Without a detail the mark keeps its place at the end of the row. */
  gtk_widget_set_hexpand (GTK_WIDGET (row->result), !has_detail);
  gtk_label_set_xalign (row->result, has_detail ? 0 : 1);
  set_class (row->result, "step-ok", line->ok);
  set_class (row->result, "step-failed", !line->ok);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row->result), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  line->ok ? _("succeeded") : _("failed"), -1);

  set_text_shown (row->duration, line->is_note ? NULL : line->duration_text);
  set_text_shown (row->error, line->message);
}

static void
update_count (ShmlabStepLog *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->lines));
  g_autofree char *text = NULL;

  if (n == 0)
    text = g_strdup (_("none yet: each operation appears here"));
  else if (self->dropped > 0)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "the last %u lines (%u older one dropped)",
                                         "the last %u lines (%u older ones dropped)",
                                         self->dropped),
                            n, self->dropped);
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u line", "%u lines", n), n);
  gtk_label_set_text (self->count_label, text);
  gtk_widget_set_sensitive (self->copy_button, n > 0);
  gtk_widget_set_sensitive (self->clear_button, n > 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_LINES]);
}

static gboolean
scroll_to_end_tick (GtkWidget     *widget,
                    GdkFrameClock *clock,
                    gpointer       user_data)
{
  ShmlabStepLog *self = user_data;
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scrolled);

  self->scroll_tick = 0;
  if (self->follow)
    gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment) -
                                          gtk_adjustment_get_page_size (adjustment));
  return G_SOURCE_REMOVE;
}

/* At the next frame: the list may be in the middle of its layout now. */
static void
scroll_to_end (ShmlabStepLog *self)
{
  if (self->scroll_tick == 0)
    self->scroll_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self->list_view),
                                                      scroll_to_end_tick, self, NULL);
}

/* The list grew or its rows were measured: keep the newest line in view. */
static void
on_upper_changed (ShmlabStepLog *self)
{
  if (self->follow)
    scroll_to_end (self);
}

/* Following stops when the user scrolls up, and starts again at the bottom. */
static void
on_value_changed (GtkAdjustment *adjustment,
                  ShmlabStepLog *self)
{
  double value = gtk_adjustment_get_value (adjustment);
  double upper = gtk_adjustment_get_upper (adjustment);

  if (value >= upper - gtk_adjustment_get_page_size (adjustment) - 4)
    self->follow = TRUE;
  else if (value < self->last_value && upper == self->last_upper)
    self->follow = FALSE;
  self->last_value = value;
  self->last_upper = upper;
}

static void
add_line (ShmlabStepLog  *self,
          ShmlabStepLine *line)
{
  guint n;

  g_list_store_append (self->lines, line);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->lines));
  if (n > MAX_LINES)
    {
      g_list_store_splice (self->lines, 0, n - MAX_LINES, NULL, 0);
      self->dropped += n - MAX_LINES;
      n = MAX_LINES;
    }
  update_count (self);
  if (self->follow)
    scroll_to_end (self);
}

static void
on_step (ShmlabSession *session,
         ShmlabStep    *step,
         ShmlabStepLog *self)
{
  shmlab_step_log_append (self, step);
}

static void
on_copy_clicked (ShmlabStepLog *self)
{
  g_autofree char *text = shmlab_step_log_to_text (self);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), text);
}

static void
on_clear_clicked (ShmlabStepLog *self)
{
  shmlab_step_log_clear (self);
}

static void
shmlab_step_log_dispose (GObject *object)
{
  ShmlabStepLog *self = SHMLAB_STEP_LOG (object);

  shmlab_step_log_set_session (self, NULL);
  if (self->scroll_tick)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self->list_view), self->scroll_tick);
  self->scroll_tick = 0;
  gtk_widget_dispose_template (GTK_WIDGET (self), SHMLAB_TYPE_STEP_LOG);
  g_clear_object (&self->lines);

  G_OBJECT_CLASS (shmlab_step_log_parent_class)->dispose (object);
}

static void
shmlab_step_log_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  ShmlabStepLog *self = SHMLAB_STEP_LOG (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_N_LINES:
      g_value_set_uint (value, shmlab_step_log_get_n_lines (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
shmlab_step_log_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  ShmlabStepLog *self = SHMLAB_STEP_LOG (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      shmlab_step_log_set_session (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
shmlab_step_log_class_init (ShmlabStepLogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = shmlab_step_log_dispose;
  object_class->get_property = shmlab_step_log_get_property;
  object_class->set_property = shmlab_step_log_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, SHMLAB_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_LINES] =
    g_param_spec_uint ("n-lines", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/shmlab/shmlab-step-log.ui");
  gtk_widget_class_bind_template_child (widget_class, ShmlabStepLog, box);
  gtk_widget_class_bind_template_child (widget_class, ShmlabStepLog, count_label);
  gtk_widget_class_bind_template_child (widget_class, ShmlabStepLog, copy_button);
  gtk_widget_class_bind_template_child (widget_class, ShmlabStepLog, clear_button);
  gtk_widget_class_bind_template_child (widget_class, ShmlabStepLog, scrolled);
  gtk_widget_class_bind_template_child (widget_class, ShmlabStepLog, list_view);
  gtk_widget_class_bind_template_callback (widget_class, on_copy_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_clear_clicked);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "shmlab-step-log");
}

static void
shmlab_step_log_init (ShmlabStepLog *self)
{
  GtkListItemFactory *factory;
  GtkAdjustment *adjustment;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->follow = TRUE;
  self->lines = g_list_store_new (SHMLAB_TYPE_STEP_LINE);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (on_setup_row), self);
  g_signal_connect (factory, "bind", G_CALLBACK (on_bind_row), self);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (gtk_no_selection_new (
                                              G_LIST_MODEL (g_object_ref (self->lines)))));
  g_object_unref (gtk_list_view_get_model (self->list_view));

  adjustment = gtk_scrolled_window_get_vadjustment (self->scrolled);
  g_signal_connect_object (adjustment, "notify::upper", G_CALLBACK (on_upper_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (adjustment, "notify::page-size", G_CALLBACK (on_upper_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (adjustment, "value-changed", G_CALLBACK (on_value_changed), self, 0);

  update_count (self);
}

GtkWidget *
shmlab_step_log_new (void)
{
  return g_object_new (SHMLAB_TYPE_STEP_LOG, NULL);
}

/* Logs each step of @session from now on (NULL: none). */
void
shmlab_step_log_set_session (ShmlabStepLog *self,
                             ShmlabSession *session)
{
  g_return_if_fail (SHMLAB_IS_STEP_LOG (self));
  g_return_if_fail (session == NULL || SHMLAB_IS_SESSION (session));

  if (self->session == session)
    return;
  if (self->session)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_set_object (&self->session, session);
  if (session)
    g_signal_connect (session, "step", G_CALLBACK (on_step), self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

void
shmlab_step_log_append (ShmlabStepLog    *self,
                        const ShmlabStep *step)
{
  g_autoptr(ShmlabStepLine) line = NULL;

  g_return_if_fail (SHMLAB_IS_STEP_LOG (self));
  g_return_if_fail (step != NULL);

  line = g_object_new (SHMLAB_TYPE_STEP_LINE, NULL);
  line->time_text = format_time (step->time_us);
  line->name = g_strdup (step->name ? step->name : "?");
  line->detail = g_strdup (step->detail);
  line->ok = step->ok;
  line->message = (!step->ok && step->error) ? g_strdup (step->error->message) : NULL;
  line->duration_text = format_duration (step->duration_us);
  add_line (self, line);
}

/**
 * shmlab_step_log_append_note:
 * @note: what the application wants to say, e.g. "the segment is gone —
 *   waiting for the writer"
 * @is_error: shown in the error colour
 */
void
shmlab_step_log_append_note (ShmlabStepLog *self,
                             const char    *note,
                             gboolean       is_error)
{
  g_autoptr(ShmlabStepLine) line = NULL;

  g_return_if_fail (SHMLAB_IS_STEP_LOG (self));
  g_return_if_fail (note != NULL);

  line = g_object_new (SHMLAB_TYPE_STEP_LINE, NULL);
  line->time_text = format_time (g_get_real_time ());
  line->name = g_strdup ("");
  line->detail = g_strdup (note);
  line->ok = !is_error;
  line->is_note = TRUE;
  line->duration_text = g_strdup ("");
  add_line (self, line);
}

void
shmlab_step_log_clear (ShmlabStepLog *self)
{
  g_return_if_fail (SHMLAB_IS_STEP_LOG (self));

  g_list_store_remove_all (self->lines);
  self->dropped = 0;
  self->follow = TRUE;
  update_count (self);
}

guint
shmlab_step_log_get_n_lines (ShmlabStepLog *self)
{
  g_return_val_if_fail (SHMLAB_IS_STEP_LOG (self), 0);
  return g_list_model_get_n_items (G_LIST_MODEL (self->lines));
}

/* The whole log, one line per step, as Copy puts it on the clipboard. */
char *
shmlab_step_log_to_text (ShmlabStepLog *self)
{
  GListModel *model;
  GString *text;
  guint n;

  g_return_val_if_fail (SHMLAB_IS_STEP_LOG (self), NULL);

  model = G_LIST_MODEL (self->lines);
  n = g_list_model_get_n_items (model);
  text = g_string_sized_new (n * 80);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ShmlabStepLine) line = g_list_model_get_item (model, i);
      step_line_append_text (line, text);
    }
  return g_string_free (text, FALSE);
}
