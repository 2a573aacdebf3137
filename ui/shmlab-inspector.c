/* shmlab-inspector.c — the segment's first bytes in hex and ASCII, the
 * format found in them, and its fields over their bytes
 *
 * What the bytes are comes from common/ (shmlab_description_new()), the
 * same formats the readers decode with: the inspector shows the fields,
 * the verdict and the wrong field it is given, and knows no format. The
 * view refreshes at most a few times a second, so a Reader following a
 * busy writer does not spend its frames here.
 *
 * The hex lines are a GtkListView of labels, which lays out only the lines
 * in view: a text view laying out 4096 lines at once stalls the window.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-inspector.h"

#include <glib/gi18n.h>

#include <string.h>

#include "shmlab-format.h"
#include "shmlab-label-whole.h"
#include "shmlab-limits.h"

/* The hex view shows at most this many bytes (4096 lines). */
#define SHOWN_MAX (64 * 1024)
#define REFRESH_INTERVAL_MS 250

/* "00000000  53 48 4d 4c 41 42 46 52  01 00 40 00 01 00 00 00  SHMLABFR..@....." */
#define BYTES_PER_ROW 16
#define ROW_CHARS 76
#define HEX_START 10
#define ASCII_START 60

/* Light backgrounds that keep black text readable; one per field, in order. */
static const char *const field_colours[] = {
  "#fecaca", "#fed7aa", "#fde68a", "#d9f99d", "#bbf7d0", "#99f6e4", "#a5f3fc",
  "#bae6fd", "#c7d2fe", "#ddd6fe", "#f5d0fe", "#fbcfe8", "#e7e5e4", "#fef08a",
};
#define N_COLOURS G_N_ELEMENTS (field_colours)

typedef ShmlabDescribedField Field;

/* One past the field's last byte, without overflow. */
static gsize
field_end (const Field *field)
{
  return field->offset + MIN (field->size, G_MAXSIZE - field->offset);
}

/* The widgets of one row of the field list. */
typedef struct
{
  GtkWidget *row;
  GtkLabel *name;
  GtkLabel *range;
  GtkLabel *value;
  GtkWidget *wrong;
} FieldRow;

/* The lines of the hex view, made on demand (below). */
#define SHMLAB_TYPE_HEX_LINES (shmlab_hex_lines_get_type ())
G_DECLARE_FINAL_TYPE (ShmlabHexLines, shmlab_hex_lines, SHMLAB, HEX_LINES, GObject)

struct _ShmlabInspector
{
  GtkWidget parent_instance;

  /* Template widgets */
  GtkWidget *box;
  GtkLabel *format_title;
  GtkLabel *format_detail;
  GtkLabel *shown_label;
  GtkWidget *fields_box;
  GtkListBox *field_list;
  GtkLabel *field_error;
  GtkListView *hex_list;

  /* Owned */
  ShmlabSession *session;
  GBytes *bytes;
  gsize segment_size;
  ShmlabDescription *description;
  GPtrArray *rows;       /* FieldRow, one per field */
  char *format_text;
  char *wrong_field;
  char *highlighted;
  char *selected;

  ShmlabHexLines *hex_lines;
  GHashTable *bound_items;  /* the GtkListItems shown now */

  guint refresh_source;
  gint64 last_refresh_us;
  gboolean dirty;
  gboolean updating_rows;
  /* Rows lose the pointer and the selection while the widget goes away. */
  gboolean disposed;
};

G_DEFINE_FINAL_TYPE (ShmlabInspector, shmlab_inspector, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void refresh (ShmlabInspector *self);

static guint
n_fields (ShmlabInspector *self)
{
  return self->description ? self->description->fields->len : 0;
}

static Field *
field_at (ShmlabInspector *self,
          guint            index)
{
  return g_ptr_array_index (self->description->fields, index);
}

/* ---- what the bytes are ---- */

/* Shows what common/ finds in the bytes: the inspector knows no format. */
static void
analyse (ShmlabInspector *self,
         const char     **problem)
{
  gsize length = 0;
  const guint8 *data = self->bytes ? g_bytes_get_data (self->bytes, &length) : NULL;
  const ShmlabDescribedField *wrong;

  g_clear_pointer (&self->description, shmlab_description_free);
  self->description = shmlab_description_new (data, length, self->segment_size);
  wrong = shmlab_description_get_wrong_field (self->description);
  *problem = self->description->verdict == SHMLAB_VERDICT_DAMAGED ? self->description->message
                                                                  : NULL;

  gtk_label_set_text (self->format_title, self->description->title);
  gtk_label_set_text (self->format_detail, self->description->detail);
  gtk_widget_set_visible (GTK_WIDGET (self->format_detail), *self->description->detail != '\0');

  g_free (self->wrong_field);
  self->wrong_field = wrong ? g_strdup (wrong->name) : NULL;
  g_free (self->format_text);
  if (*self->description->detail != '\0')
    self->format_text = g_strdup_printf ("%s: %s", self->description->title,
                                         self->description->detail);
  else
    self->format_text = g_strdup (self->description->title);
}

/* ---- the hex view ---- */

static gsize
hex_column (gsize column)
{
  return HEX_START + column * 3 + (column >= 8 ? 1 : 0);
}

/* One line of the dump: offset, 16 bytes in hex, the same in ASCII. */
static void
hex_line (GString      *line,
          const guint8 *data,
          gsize         offset,
          gsize         n)
{
  static const char digits[] = "0123456789abcdef";

  g_string_truncate (line, 0);
  g_string_append_printf (line, "%08" G_GSIZE_MODIFIER "x  ", offset);
  for (gsize i = 0; i < BYTES_PER_ROW; i++)
    {
      if (i < n)
        {
          g_string_append_c (line, digits[data[i] >> 4]);
          g_string_append_c (line, digits[data[i] & 0xf]);
          g_string_append_c (line, ' ');
        }
      else
        g_string_append (line, "   ");
      if (i == 7)
        g_string_append_c (line, ' ');
    }
  g_string_append_c (line, ' ');
  for (gsize i = 0; i < n; i++)
    g_string_append_c (line, data[i] >= 0x20 && data[i] < 0x7f ? (char) data[i] : '.');
}

/* The dump as a list model: a line is made only when the list view asks
 * for it, so new bytes cost nothing for the lines out of view. */
struct _ShmlabHexLines
{
  GObject parent_instance;

  GBytes *bytes;
  gsize length;
};

static GType
shmlab_hex_lines_get_item_type (GListModel *model)
{
  return GTK_TYPE_STRING_OBJECT;
}

static guint
shmlab_hex_lines_get_n_items (GListModel *model)
{
  ShmlabHexLines *self = SHMLAB_HEX_LINES (model);

  return (guint) ((self->length + BYTES_PER_ROW - 1) / BYTES_PER_ROW);
}

static gpointer
shmlab_hex_lines_get_item (GListModel *model,
                           guint       position)
{
  ShmlabHexLines *self = SHMLAB_HEX_LINES (model);
  gsize offset = (gsize) position * BYTES_PER_ROW;
  g_autoptr(GString) line = NULL;

  if (position >= shmlab_hex_lines_get_n_items (model))
    return NULL;
  line = g_string_sized_new (ROW_CHARS + 1);
  hex_line (line, (const guint8 *) g_bytes_get_data (self->bytes, NULL) + offset, offset,
            MIN (BYTES_PER_ROW, self->length - offset));
  return gtk_string_object_new (line->str);
}

static void
shmlab_hex_lines_model_init (GListModelInterface *iface)
{
  iface->get_item_type = shmlab_hex_lines_get_item_type;
  iface->get_n_items = shmlab_hex_lines_get_n_items;
  iface->get_item = shmlab_hex_lines_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (ShmlabHexLines, shmlab_hex_lines, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      shmlab_hex_lines_model_init))

static void
shmlab_hex_lines_finalize (GObject *object)
{
  g_clear_pointer (&SHMLAB_HEX_LINES (object)->bytes, g_bytes_unref);

  G_OBJECT_CLASS (shmlab_hex_lines_parent_class)->finalize (object);
}

static void
shmlab_hex_lines_class_init (ShmlabHexLinesClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = shmlab_hex_lines_finalize;
}

static void
shmlab_hex_lines_init (ShmlabHexLines *self)
{
}

/* Shows the first @length bytes of @bytes (NULL: none); only the lines that
 * differ are announced, so the list view keeps the others as they are. */
static void
shmlab_hex_lines_set_bytes (ShmlabHexLines *self,
                            GBytes         *bytes,
                            gsize           length)
{
  g_autoptr(GBytes) old_bytes = g_steal_pointer (&self->bytes);
  gsize old_length = self->length;
  guint removed = shmlab_hex_lines_get_n_items (G_LIST_MODEL (self));
  guint first = 0;
  guint last;

  self->bytes = bytes ? g_bytes_ref (bytes) : NULL;
  self->length = bytes ? MIN (length, g_bytes_get_size (bytes)) : 0;

  if (old_bytes && self->bytes && old_length == self->length)
    {
      const guint8 *a = g_bytes_get_data (old_bytes, NULL);
      const guint8 *b = g_bytes_get_data (self->bytes, NULL);
      gsize start = 0;
      gsize end = self->length;

      while (start < end && a[start] == b[start])
        start++;
      while (end > start && a[end - 1] == b[end - 1])
        end--;
      if (start == end)
        return;
      first = (guint) (start / BYTES_PER_ROW);
      last = (guint) ((end - 1) / BYTES_PER_ROW);
      g_list_model_items_changed (G_LIST_MODEL (self), first, last - first + 1, last - first + 1);
      return;
    }

  g_list_model_items_changed (G_LIST_MODEL (self), 0, removed,
                              shmlab_hex_lines_get_n_items (G_LIST_MODEL (self)));
}

static gsize
shown_length (ShmlabInspector *self)
{
  return self->bytes ? MIN (g_bytes_get_size (self->bytes), (gsize) SHOWN_MAX) : 0;
}

static Field *
find_field (ShmlabInspector *self,
            const char      *name)
{
  for (guint i = 0; name && i < n_fields (self); i++)
    {
      Field *field = field_at (self, i);
      if (g_str_equal (field->name, name))
        return field;
    }
  return NULL;
}

static const char *
field_name_at (ShmlabInspector *self,
               guint            index)
{
  return field_at (self, index)->name;
}

static void
insert_attribute (PangoAttrList  *attrs,
                  PangoAttribute *attr,
                  guint           start,
                  guint           end)
{
  attr->start_index = start;
  attr->end_index = end;
  pango_attr_list_insert (attrs, attr);
}

/* Marks bytes [first, last] of a line in both the hex and the ASCII columns. */
static void
mark_bytes (PangoAttrList *attrs,
            const char    *colour,
            gboolean       strong,
            gboolean       wrong,
            gsize          first,
            gsize          last)
{
  guint ranges[2][2] = {
    { (guint) hex_column (first), (guint) hex_column (last) + 2 },
    { (guint) (ASCII_START + first), (guint) (ASCII_START + last + 1) },
  };
  PangoColor colour_value;

  for (guint r = 0; r < 2; r++)
    {
      guint start = ranges[r][0];
      guint end = ranges[r][1];

      if (colour && pango_color_parse (&colour_value, colour))
        insert_attribute (attrs, pango_attr_background_new (colour_value.red, colour_value.green,
                                                            colour_value.blue),
                          start, end);
      if (strong)
        {
          insert_attribute (attrs, pango_attr_foreground_new (0xffff, 0xffff, 0xffff), start,
                            end);
          insert_attribute (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD), start, end);
        }
      else
        insert_attribute (attrs, pango_attr_foreground_new (0, 0, 0), start, end);
      if (wrong)
        {
          insert_attribute (attrs, pango_attr_underline_new (PANGO_UNDERLINE_ERROR), start, end);
          if (!strong)
            insert_attribute (attrs, pango_attr_foreground_new (0xa500, 0x1d00, 0x2d00), start,
                              end);
        }
    }
}

/* The field colours of one line, and the strong mark of the highlighted field. */
static void
style_line (ShmlabInspector *self,
            GtkListItem     *item)
{
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  gsize row_start = (gsize) gtk_list_item_get_position (item) * BYTES_PER_ROW;
  gsize row_end = MIN (row_start + BYTES_PER_ROW, shown_length (self));
  g_autoptr(PangoAttrList) attrs = pango_attr_list_new ();

  for (guint i = 0; i < n_fields (self); i++)
    {
      Field *field = field_at (self, i);
      gsize start = MAX (field->offset, row_start);
      gsize end = MIN (field_end (field), row_end);
      gboolean strong = g_strcmp0 (field->name, self->highlighted) == 0;

      if (start >= end)
        continue;
      mark_bytes (attrs, strong ? "#1c71d8" : field_colours[i % N_COLOURS], strong, field->wrong,
                  start - row_start, end - 1 - row_start);
    }
  gtk_label_set_attributes (label, attrs);
}

static void
on_setup_line (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               ShmlabInspector          *self)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "hex-line");
  gtk_list_item_set_child (item, label);
  gtk_list_item_set_activatable (item, FALSE);
}

static void
on_bind_line (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              ShmlabInspector          *self)
{
  GtkStringObject *line = gtk_list_item_get_item (item);

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)),
                      gtk_string_object_get_string (line));
  style_line (self, item);
  g_hash_table_add (self->bound_items, item);
}

static void
on_unbind_line (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                ShmlabInspector          *self)
{
  g_hash_table_remove (self->bound_items, item);
}

static void
apply_highlight (ShmlabInspector *self,
                 gboolean         scroll)
{
  Field *field = find_field (self, self->highlighted);
  GHashTableIter iter;
  gpointer item;

  g_hash_table_iter_init (&iter, self->bound_items);
  while (g_hash_table_iter_next (&iter, &item, NULL))
    style_line (self, item);

  if (scroll && field && field->size > 0 && field->offset < shown_length (self))
    gtk_widget_activate_action (GTK_WIDGET (self->hex_list), "list.scroll-to-item", "u",
                                (guint) (field->offset / BYTES_PER_ROW));
}

static void
rebuild_hex (ShmlabInspector *self)
{
  shmlab_hex_lines_set_bytes (self->hex_lines, self->bytes, shown_length (self));
  /* Lines the list view kept bound may have new fields or a new highlight. */
  apply_highlight (self, FALSE);
}

/* ---- the field list ---- */

static void
on_row_enter (GtkEventControllerMotion *motion,
              double                    x,
              double                    y,
              ShmlabInspector          *self)
{
  GtkWidget *row = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (motion));
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (row), "shmlab-field"));

  if (!self->disposed && index < n_fields (self))
    shmlab_inspector_highlight_field (self, field_name_at (self, index));
}

static void
on_row_leave (GtkEventControllerMotion *motion,
              ShmlabInspector          *self)
{
  if (!self->disposed)
    shmlab_inspector_highlight_field (self, self->selected);
}

static void
on_field_selected (ShmlabInspector *self,
                   GtkListBoxRow   *row)
{
  guint index;

  if (self->updating_rows || self->disposed)
    return;
  g_clear_pointer (&self->selected, g_free);
  if (row != NULL)
    {
      index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (row), "shmlab-field"));
      if (index < n_fields (self))
        self->selected = g_strdup (field_name_at (self, index));
    }
  g_free (self->highlighted);
  self->highlighted = g_strdup (self->selected);
  apply_highlight (self, TRUE);
}

static GtkLabel *
row_label (GtkBox     *box,
           const char *css_class,
           int         width_chars)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (width_chars > 0)
    gtk_label_set_width_chars (GTK_LABEL (label), width_chars);
  if (css_class)
    gtk_widget_add_css_class (label, css_class);
  gtk_box_append (box, label);
  return GTK_LABEL (label);
}

static FieldRow *
field_row_new (ShmlabInspector *self,
               guint            index)
{
  FieldRow *row = g_new0 (FieldRow, 1);
  GtkBox *box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12));
  GtkEventController *motion;

  row->name = row_label (box, NULL, 16);
  row->range = row_label (box, "field-offset", 7);
  row->value = row_label (box, "field-value", 0);
  gtk_widget_set_hexpand (GTK_WIDGET (row->value), TRUE);
  gtk_label_set_ellipsize (row->value, PANGO_ELLIPSIZE_END);
  row->wrong = GTK_WIDGET (row_label (box, "field-wrong-mark", 0));
  gtk_label_set_text (GTK_LABEL (row->wrong), _("✗ wrong"));

  row->row = gtk_list_box_row_new ();
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row->row), GTK_WIDGET (box));
  g_object_set_data (G_OBJECT (row->row), "shmlab-field", GUINT_TO_POINTER (index));

  motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "enter", G_CALLBACK (on_row_enter), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_row_leave), self);
  gtk_widget_add_controller (row->row, motion);
  return row;
}

static void
field_row_update (FieldRow    *row,
                  const Field *field,
                  const char  *colour)
{
  g_autofree char *markup = NULL;
  g_autofree char *range = NULL;
  g_autofree char *label = NULL;

  markup = g_markup_printf_escaped (_("<span background=\"%s\" foreground=\"#000000\"> %s </span>"),
                                    colour, field->name);
  gtk_label_set_markup (row->name, markup);
  if (field->size == 1)
    range = g_strdup_printf ("%" G_GSIZE_FORMAT, field->offset);
  else
    range = g_strdup_printf ("%" G_GSIZE_FORMAT "–%" G_GSIZE_FORMAT, field->offset,
                             field_end (field) - 1);
  gtk_label_set_text (row->range, field->size ? range : "");
  gtk_label_set_text (row->value, field->value);
  gtk_widget_set_tooltip_text (GTK_WIDGET (row->value), field->value);
  gtk_widget_set_visible (row->wrong, field->wrong);
  if (field->wrong)
    {
      gtk_widget_add_css_class (GTK_WIDGET (row->range), "field-wrong");
      gtk_widget_add_css_class (GTK_WIDGET (row->value), "field-wrong");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (row->range), "field-wrong");
      gtk_widget_remove_css_class (GTK_WIDGET (row->value), "field-wrong");
    }

  label = g_strdup_printf (_("%s, bytes %s: %s%s"), field->name, range, field->value,
                           field->wrong ? ", wrong" : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (row->row), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  label, -1);
}

/* Reuses the rows when the fields are the same ones, keeping hover and selection. */
static void
update_rows (ShmlabInspector *self)
{
  gboolean same = self->rows->len == n_fields (self);

  for (guint i = 0; same && i < n_fields (self); i++)
    {
      FieldRow *row = g_ptr_array_index (self->rows, i);
      same = g_str_equal (field_name_at (self, i), g_object_get_data (G_OBJECT (row->row),
                                                                      "shmlab-name"));
    }

  self->updating_rows = TRUE;
  if (!same)
    {
      GtkWidget *child;

      while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->field_list))) != NULL)
        gtk_list_box_remove (self->field_list, child);
      g_ptr_array_set_size (self->rows, 0);
      for (guint i = 0; i < n_fields (self); i++)
        {
          FieldRow *row = field_row_new (self, i);

          g_object_set_data_full (G_OBJECT (row->row), "shmlab-name",
                                  g_strdup (field_name_at (self, i)), g_free);
          gtk_list_box_append (self->field_list, row->row);
          g_ptr_array_add (self->rows, row);
          if (g_strcmp0 (self->selected, field_name_at (self, i)) == 0)
            gtk_list_box_select_row (self->field_list, GTK_LIST_BOX_ROW (row->row));
        }
    }
  for (guint i = 0; i < n_fields (self); i++)
    field_row_update (g_ptr_array_index (self->rows, i), field_at (self, i),
                      field_colours[i % N_COLOURS]);
  self->updating_rows = FALSE;

  gtk_widget_set_visible (self->fields_box, n_fields (self) > 0);
}

/* ---- refreshing ---- */

static void
update_shown_label (ShmlabInspector *self)
{
  gsize length = self->bytes ? g_bytes_get_size (self->bytes) : 0;
  gsize shown = shown_length (self);
  gsize total = MAX (self->segment_size, length);
  g_autofree char *shown_text = shmlab_format_bytes (shown);
  g_autofree char *total_text = shmlab_format_bytes (total);
  g_autofree char *text = NULL;

  if (length == 0)
    text = g_strdup ("");
  else if (shown < total)
    text = g_strdup_printf (_("Showing the first %s of the %s segment"), shown_text, total_text);
  else
    text = g_strdup_printf (_("Showing all %s of the segment"), shown_text);
  gtk_label_set_text (self->shown_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->shown_label), length > 0);
}

static void
refresh (ShmlabInspector *self)
{
  const char *problem = NULL;

  g_clear_handle_id (&self->refresh_source, g_source_remove);
  self->dirty = FALSE;
  self->last_refresh_us = g_get_monotonic_time ();

  analyse (self, &problem);
  update_rows (self);
  gtk_label_set_text (self->field_error, problem ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->field_error), problem != NULL);
  update_shown_label (self);
  rebuild_hex (self);
}

static gboolean
on_refresh_timeout (gpointer user_data)
{
  ShmlabInspector *self = user_data;

  self->refresh_source = 0;
  if (self->dirty)
    refresh (self);
  return G_SOURCE_REMOVE;
}

/* Refreshes now, or after the interval when the last refresh was recent. */
static void
schedule_refresh (ShmlabInspector *self)
{
  gint64 since_ms = (g_get_monotonic_time () - self->last_refresh_us) / 1000;

  self->dirty = TRUE;
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;
  if (since_ms >= REFRESH_INTERVAL_MS)
    refresh (self);
  else if (self->refresh_source == 0)
    self->refresh_source = g_timeout_add ((guint) (REFRESH_INTERVAL_MS - since_ms),
                                          on_refresh_timeout, self);
}

static void
flush (ShmlabInspector *self)
{
  if (self->dirty)
    refresh (self);
}

/**
 * shmlab_inspector_flush:
 *
 * Shows the latest bytes now, rather than at the next of the view's
 * (rate-limited) refreshes: for a screenshot, which must show what is true.
 */
void
shmlab_inspector_flush (ShmlabInspector *self)
{
  g_return_if_fail (SHMLAB_IS_INSPECTOR (self));
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  flush (self);
}

static void
update_from_session (ShmlabInspector *self)
{
  const ShmlabSegmentInfo *info = shmlab_session_get_info (self->session);
  GBytes *snapshot = shmlab_session_get_snapshot (self->session);
  gsize size;

  if (shmlab_session_get_attached (self->session))
    size = shmlab_session_get_size (self->session);
  else if (info->exists)
    size = info->size;
  else
    size = snapshot ? g_bytes_get_size (snapshot) : 0;
  shmlab_inspector_set_bytes (self, snapshot, size);
}

static void
shmlab_inspector_map (GtkWidget *widget)
{
  ShmlabInspector *self = SHMLAB_INSPECTOR (widget);

  GTK_WIDGET_CLASS (shmlab_inspector_parent_class)->map (widget);
  flush (self);
}

/* Wrapping labels take more lines when narrower, and a paned keeps the side panel
 * narrow as it grows: with no width given, the minimum height is the narrowest one's. */
static void
shmlab_inspector_measure (GtkWidget      *widget,
                          GtkOrientation  orientation,
                          int             for_size,
                          int            *minimum,
                          int            *natural,
                          int            *minimum_baseline,
                          int            *natural_baseline)
{
  ShmlabInspector *self = SHMLAB_INSPECTOR (widget);
  int min_width, min_height_at_min_width;

  *minimum = *natural = 0;
  if (self->box == NULL)
    return;

  gtk_widget_measure (self->box, orientation, for_size, minimum, natural, minimum_baseline,
                      natural_baseline);
  if (orientation != GTK_ORIENTATION_VERTICAL || for_size >= 0)
    return;

  gtk_widget_measure (self->box, GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL, NULL);
  gtk_widget_measure (self->box, GTK_ORIENTATION_VERTICAL, min_width, &min_height_at_min_width,
                      NULL, NULL, NULL);
  *minimum = MAX (*minimum, min_height_at_min_width);
  *natural = MAX (*natural, *minimum);
}

static GtkSizeRequestMode
shmlab_inspector_get_request_mode (GtkWidget *widget)
{
  ShmlabInspector *self = SHMLAB_INSPECTOR (widget);

  return self->box ? gtk_widget_get_request_mode (self->box) : GTK_SIZE_REQUEST_CONSTANT_SIZE;
}

static void
shmlab_inspector_size_allocate (GtkWidget *widget,
                                int        width,
                                int        height,
                                int        baseline)
{
  ShmlabInspector *self = SHMLAB_INSPECTOR (widget);

  if (self->box != NULL)
    gtk_widget_allocate (self->box, width, height, baseline, NULL);
}

static void
shmlab_inspector_dispose (GObject *object)
{
  ShmlabInspector *self = SHMLAB_INSPECTOR (object);

  self->disposed = TRUE;
  shmlab_inspector_set_session (self, NULL);
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), SHMLAB_TYPE_INSPECTOR);
  g_clear_pointer (&self->bytes, g_bytes_unref);
  g_clear_object (&self->hex_lines);

  G_OBJECT_CLASS (shmlab_inspector_parent_class)->dispose (object);
}

static void
shmlab_inspector_finalize (GObject *object)
{
  ShmlabInspector *self = SHMLAB_INSPECTOR (object);

  g_clear_pointer (&self->description, shmlab_description_free);
  g_ptr_array_unref (self->rows);
  g_hash_table_unref (self->bound_items);
  g_free (self->format_text);
  g_free (self->wrong_field);
  g_free (self->highlighted);
  g_free (self->selected);

  G_OBJECT_CLASS (shmlab_inspector_parent_class)->finalize (object);
}

static void
shmlab_inspector_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  ShmlabInspector *self = SHMLAB_INSPECTOR (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
shmlab_inspector_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  ShmlabInspector *self = SHMLAB_INSPECTOR (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      shmlab_inspector_set_session (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
shmlab_inspector_class_init (ShmlabInspectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = shmlab_inspector_dispose;
  object_class->finalize = shmlab_inspector_finalize;
  object_class->get_property = shmlab_inspector_get_property;
  object_class->set_property = shmlab_inspector_set_property;
  widget_class->map = shmlab_inspector_map;
  widget_class->measure = shmlab_inspector_measure;
  widget_class->get_request_mode = shmlab_inspector_get_request_mode;
  widget_class->size_allocate = shmlab_inspector_size_allocate;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, SHMLAB_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/shmlab/shmlab-inspector.ui");
  gtk_widget_class_bind_template_child (widget_class, ShmlabInspector, box);
  gtk_widget_class_bind_template_child (widget_class, ShmlabInspector, format_title);
  gtk_widget_class_bind_template_child (widget_class, ShmlabInspector, format_detail);
  gtk_widget_class_bind_template_child (widget_class, ShmlabInspector, shown_label);
  gtk_widget_class_bind_template_child (widget_class, ShmlabInspector, fields_box);
  gtk_widget_class_bind_template_child (widget_class, ShmlabInspector, field_list);
  gtk_widget_class_bind_template_child (widget_class, ShmlabInspector, field_error);
  gtk_widget_class_bind_template_child (widget_class, ShmlabInspector, hex_list);
  gtk_widget_class_bind_template_callback (widget_class, on_field_selected);

  gtk_widget_class_set_css_name (widget_class, "shmlab-inspector");
}

static void
shmlab_inspector_init (ShmlabInspector *self)
{
  GtkListItemFactory *factory;

  gtk_widget_init_template (GTK_WIDGET (self));
  shmlab_label_show_whole (self->format_detail);
  shmlab_label_show_whole (self->field_error);

  self->rows = g_ptr_array_new_with_free_func (g_free);
  self->bound_items = g_hash_table_new (NULL, NULL);
  self->hex_lines = g_object_new (SHMLAB_TYPE_HEX_LINES, NULL);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (on_setup_line), self);
  g_signal_connect (factory, "bind", G_CALLBACK (on_bind_line), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (on_unbind_line), self);
  gtk_list_view_set_factory (self->hex_list, factory);
  g_object_unref (factory);
  gtk_list_view_set_model (self->hex_list, GTK_SELECTION_MODEL (gtk_no_selection_new (
                                             G_LIST_MODEL (g_object_ref (self->hex_lines)))));
  g_object_unref (gtk_list_view_get_model (self->hex_list));

  refresh (self);
}

GtkWidget *
shmlab_inspector_new (void)
{
  return g_object_new (SHMLAB_TYPE_INSPECTOR, NULL);
}

/* Follows the session's snapshot (the first bytes its last write or read saw). */
void
shmlab_inspector_set_session (ShmlabInspector *self,
                              ShmlabSession   *session)
{
  g_return_if_fail (SHMLAB_IS_INSPECTOR (self));
  g_return_if_fail (session == NULL || SHMLAB_IS_SESSION (session));

  if (self->session == session)
    return;
  if (self->session)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_set_object (&self->session, session);
  if (session)
    {
      g_signal_connect_swapped (session, "notify::snapshot", G_CALLBACK (update_from_session),
                                self);
      g_signal_connect_swapped (session, "notify::size", G_CALLBACK (update_from_session), self);
      g_signal_connect_swapped (session, "notify::info", G_CALLBACK (update_from_session), self);
      update_from_session (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

/**
 * shmlab_inspector_set_bytes:
 * @bytes: (nullable): the segment's first bytes, or all of them
 * @segment_size: the size of the whole segment (0: just @bytes)
 *
 * Shows up to the first 64 KiB of @bytes; the view refreshes at most four
 * times a second.
 */
void
shmlab_inspector_set_bytes (ShmlabInspector *self,
                            GBytes          *bytes,
                            gsize            segment_size)
{
  g_return_if_fail (SHMLAB_IS_INSPECTOR (self));

  if (bytes == self->bytes ||
      (bytes && self->bytes && g_bytes_equal (bytes, self->bytes)))
    {
      if (segment_size != self->segment_size)
        {
          self->segment_size = segment_size;
          update_shown_label (self);
        }
      return;
    }

  g_clear_pointer (&self->bytes, g_bytes_unref);
  self->bytes = bytes ? g_bytes_ref (bytes) : NULL;
  self->segment_size = segment_size;
  schedule_refresh (self);
}

GBytes *
shmlab_inspector_get_bytes (ShmlabInspector *self)
{
  g_return_val_if_fail (SHMLAB_IS_INSPECTOR (self), NULL);
  return self->bytes;
}

/* "ShmLab frame: text, 22 bytes of payload, …", "Plain text (Qt demo): …". */
const char *
shmlab_inspector_get_format_text (ShmlabInspector *self)
{
  g_return_val_if_fail (SHMLAB_IS_INSPECTOR (self), NULL);
  flush (self);
  return self->format_text;
}

/* Marks @field_name's bytes strongly and scrolls to them (NULL: none). */
void
shmlab_inspector_highlight_field (ShmlabInspector *self,
                                  const char      *field_name)
{
  g_return_if_fail (SHMLAB_IS_INSPECTOR (self));

  flush (self);
  if (g_strcmp0 (field_name, self->highlighted) == 0)
    return;
  g_free (self->highlighted);
  self->highlighted = g_strdup (field_name);
  apply_highlight (self, field_name != NULL);
}

/* The lines of the hex view, as shown, separated by newlines. */
char *
shmlab_inspector_get_hex_text (ShmlabInspector *self)
{
  GListModel *lines;
  GString *text;
  guint n;

  g_return_val_if_fail (SHMLAB_IS_INSPECTOR (self), NULL);
  flush (self);
  lines = G_LIST_MODEL (self->hex_lines);
  n = g_list_model_get_n_items (lines);
  text = g_string_sized_new ((gsize) n * (ROW_CHARS + 1));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GtkStringObject) line = g_list_model_get_item (lines, i);
      g_string_append_printf (text, "%s%s", i ? "\n" : "", gtk_string_object_get_string (line));
    }
  return g_string_free (text, FALSE);
}

/* The value shown for a field, or NULL when the format has no such field. */
char *
shmlab_inspector_get_field_value (ShmlabInspector *self,
                                  const char      *field_name)
{
  Field *field;

  g_return_val_if_fail (SHMLAB_IS_INSPECTOR (self), NULL);
  flush (self);
  field = find_field (self, field_name);
  return field ? g_strdup (field->value) : NULL;
}

/* The header field the format's check found wrong, or NULL. */
const char *
shmlab_inspector_get_wrong_field (ShmlabInspector *self)
{
  g_return_val_if_fail (SHMLAB_IS_INSPECTOR (self), NULL);
  flush (self);
  return self->wrong_field;
}

/* What the inspector shows, as data: the format, the verdict, the fields. */
const ShmlabDescription *
shmlab_inspector_get_description (ShmlabInspector *self)
{
  g_return_val_if_fail (SHMLAB_IS_INSPECTOR (self), NULL);
  flush (self);
  return self->description;
}
