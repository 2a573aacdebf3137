/* shmlab-cache-table.c — a cache's entries as a table
 *
 * The rows are given by the window's last look at the cache (a private
 * copy): nothing here touches a segment. Expiries are absolute times, so
 * the countdown ticks once a second from the copy alone. A new look updates
 * rows in place, keeping the selection and the scroll.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-cache-table.h"

#include <inttypes.h>
#include <glib/gi18n.h>

#include <string.h>

/* Characters of a value shown in its cell. */
#define VALUE_CHARS 200

/* ---- one row ---- */

#define SHMLAB_TYPE_CACHE_ROW (shmlab_cache_row_get_type ())
G_DECLARE_FINAL_TYPE (ShmlabCacheRow, shmlab_cache_row, SHMLAB, CACHE_ROW, GObject)

struct _ShmlabCacheRow
{
  GObject parent_instance;

  ShmlabCacheEntry entry;
  char *key_text;
  char *value_text;
  char *expires_text;
  char *accesses_text;
};

enum
{
  ROW_PROP_0,
  ROW_PROP_KEY,
  ROW_PROP_VALUE,
  ROW_PROP_EXPIRES,
  ROW_PROP_ACCESSES,
  ROW_N_PROPS
};

static GParamSpec *row_properties[ROW_N_PROPS];

G_DEFINE_FINAL_TYPE (ShmlabCacheRow, shmlab_cache_row, G_TYPE_OBJECT)

static void
shmlab_cache_row_finalize (GObject *object)
{
  ShmlabCacheRow *self = SHMLAB_CACHE_ROW (object);

  g_free (self->entry.key);
  g_clear_pointer (&self->entry.value, g_bytes_unref);
  g_free (self->key_text);
  g_free (self->value_text);
  g_free (self->expires_text);
  g_free (self->accesses_text);
  G_OBJECT_CLASS (shmlab_cache_row_parent_class)->finalize (object);
}

static void
shmlab_cache_row_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  ShmlabCacheRow *self = SHMLAB_CACHE_ROW (object);

  switch (prop_id)
    {
    case ROW_PROP_KEY:
      g_value_set_string (value, self->key_text);
      break;
    case ROW_PROP_VALUE:
      g_value_set_string (value, self->value_text);
      break;
    case ROW_PROP_EXPIRES:
      g_value_set_string (value, self->expires_text);
      break;
    case ROW_PROP_ACCESSES:
      g_value_set_string (value, self->accesses_text);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
shmlab_cache_row_class_init (ShmlabCacheRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = shmlab_cache_row_finalize;
  object_class->get_property = shmlab_cache_row_get_property;
  row_properties[ROW_PROP_KEY] = g_param_spec_string ("key", NULL, NULL, NULL, flags);
  row_properties[ROW_PROP_VALUE] = g_param_spec_string ("value", NULL, NULL, NULL, flags);
  row_properties[ROW_PROP_EXPIRES] = g_param_spec_string ("expires", NULL, NULL, NULL, flags);
  row_properties[ROW_PROP_ACCESSES] = g_param_spec_string ("accesses", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, ROW_N_PROPS, row_properties);
}

static void
shmlab_cache_row_init (ShmlabCacheRow *self)
{
}

/* Sets @field to @text (taken), telling its cell when it changed. */
static void
row_set (ShmlabCacheRow *self,
         char          **field,
         char           *text,
         guint           prop)
{
  if (g_strcmp0 (*field, text) == 0)
    {
      g_free (text);
      return;
    }
  g_free (*field);
  *field = text;
  g_object_notify_by_pspec (G_OBJECT (self), row_properties[prop]);
}

static void
row_update_countdown (ShmlabCacheRow *self,
                      gint64          now_ms)
{
  row_set (self, &self->expires_text,
           shmlab_cache_describe_countdown (self->entry.expiry_ms, now_ms), ROW_PROP_EXPIRES);
}

/* The row shows a copy of @entry. */
static void
row_update (ShmlabCacheRow         *self,
            const ShmlabCacheEntry *entry,
            gint64                  now_ms)
{
  g_free (self->entry.key);
  g_clear_pointer (&self->entry.value, g_bytes_unref);
  self->entry = *entry;
  self->entry.key = g_strdup (entry->key);
  self->entry.value = g_bytes_ref (entry->value);

  row_set (self, &self->key_text, g_utf8_make_valid (entry->key, -1), ROW_PROP_KEY);
  row_set (self, &self->value_text, shmlab_cache_describe_value (entry->value, VALUE_CHARS),
           ROW_PROP_VALUE);
  row_set (self, &self->accesses_text, g_strdup_printf ("%" PRIu64, entry->access_count),
           ROW_PROP_ACCESSES);
  row_update_countdown (self, now_ms);
}

static ShmlabCacheRow *
row_new (const ShmlabCacheEntry *entry,
         gint64                  now_ms)
{
  ShmlabCacheRow *self = g_object_new (SHMLAB_TYPE_CACHE_ROW, NULL);

  row_update (self, entry, now_ms);
  return self;
}

/* ---- words ---- */

/**
 * shmlab_cache_describe_countdown:
 * @expiry_ms: when the entry expires, ms since the epoch; 0 for never
 *
 * Returns: (transfer full): "never", "expired", "42 s", "4 min 59 s",
 *   "2 h 05 min" or "3 d 4 h"
 */
char *
shmlab_cache_describe_countdown (gint64 expiry_ms,
                                 gint64 now_ms)
{
  gint64 left;

  if (expiry_ms == 0)
    return g_strdup (C_("expires", "never"));
  if (expiry_ms <= now_ms)
    return g_strdup (C_("expires", "expired"));
  left = (expiry_ms - now_ms + 999) / 1000;
  if (left < 60)
    return g_strdup_printf (_("%" PRId64 " s"), left);
  if (left < 3600)
    return g_strdup_printf (_("%" PRId64 " min %02" PRId64 " s"), left / 60, left % 60);
  if (left < 86400)
    return g_strdup_printf (_("%" PRId64 " h %02" PRId64 " min"), left / 3600, left % 3600 / 60);
  return g_strdup_printf (_("%" PRId64 " d %" PRId64 " h"), left / 86400, left % 86400 / 3600);
}

/* ---- the table ---- */

struct _ShmlabCacheTable
{
  GtkWidget parent_instance;

  /* Template widgets */
  GtkStack *stack;
  GtkColumnView *column_view;
  GtkLabel *placeholder;

  /* Owned */
  GListStore *rows;
  GtkSingleSelection *selection;

  guint tick_source;
};

enum
{
  PROP_0,
  PROP_SELECTED_KEY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (ShmlabCacheTable, shmlab_cache_table, GTK_TYPE_WIDGET)

static ShmlabCacheRow *
row_at (ShmlabCacheTable *self,
        guint             position)
{
  g_autoptr(ShmlabCacheRow) row = g_list_model_get_item (G_LIST_MODEL (self->rows), position);

  /* The store keeps it alive. */
  return row;
}

static void
show_rows (ShmlabCacheTable *self)
{
  gtk_stack_set_visible_child (self->stack,
                               g_list_model_get_n_items (G_LIST_MODEL (self->rows)) > 0
                               ? GTK_WIDGET (gtk_widget_get_parent (GTK_WIDGET (self->column_view)))
                               : GTK_WIDGET (self->placeholder));
}

/**
 * shmlab_cache_table_set_entries:
 * @entries: (element-type ShmlabCacheEntry) (nullable): the entries in the
 *   order to show them; NULL for none
 *
 * Rows of keys that stay are updated in place: the selection stays on its
 * key.
 */
void
shmlab_cache_table_set_entries (ShmlabCacheTable *self,
                                GPtrArray        *entries)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->rows));
  guint count = entries != NULL ? entries->len : 0;
  gint64 now = shmlab_cache_now_ms ();
  gboolean same = n == count;

  g_return_if_fail (SHMLAB_IS_CACHE_TABLE (self));

  for (guint i = 0; same && i < count; i++)
    same = g_str_equal (row_at (self, i)->entry.key,
                        ((ShmlabCacheEntry *) g_ptr_array_index (entries, i))->key);
  if (same)
    for (guint i = 0; i < count; i++)
      row_update (row_at (self, i), g_ptr_array_index (entries, i), now);
  else
    {
      g_autoptr(GHashTable) old = g_hash_table_new (g_str_hash, g_str_equal);
      g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);

      for (guint i = 0; i < n; i++)
        g_hash_table_insert (old, row_at (self, i)->entry.key, row_at (self, i));
      for (guint i = 0; i < count; i++)
        {
          const ShmlabCacheEntry *entry = g_ptr_array_index (entries, i);
          ShmlabCacheRow *row = g_hash_table_lookup (old, entry->key);

          if (row != NULL)
            {
              /* The same object: the selection follows it. */
              g_hash_table_remove (old, entry->key);
              g_object_ref (row);
              row_update (row, entry, now);
            }
          else
            row = row_new (entry, now);
          g_ptr_array_add (rows, row);
        }
      g_list_store_splice (self->rows, 0, n, rows->pdata, rows->len);
    }
  show_rows (self);
}

/* What the table says when it has no row. */
void
shmlab_cache_table_set_placeholder (ShmlabCacheTable *self,
                                    const char       *text)
{
  g_return_if_fail (SHMLAB_IS_CACHE_TABLE (self));
  gtk_label_set_text (self->placeholder, text);
}

guint
shmlab_cache_table_get_n_rows (ShmlabCacheTable *self)
{
  g_return_val_if_fail (SHMLAB_IS_CACHE_TABLE (self), 0);
  return g_list_model_get_n_items (G_LIST_MODEL (self->rows));
}

/**
 * shmlab_cache_table_describe_row:
 *
 * Returns: (transfer full) (nullable): the row of @key as it is shown,
 *   "key | value | expires in | accesses", or NULL when there is none
 */
char *
shmlab_cache_table_describe_row (ShmlabCacheTable *self,
                                 const char       *key)
{
  g_return_val_if_fail (SHMLAB_IS_CACHE_TABLE (self), NULL);

  for (guint i = 0; i < shmlab_cache_table_get_n_rows (self); i++)
    {
      ShmlabCacheRow *row = row_at (self, i);

      if (g_str_equal (row->entry.key, key))
        return g_strdup_printf ("%s | %s | %s | %s", row->key_text, row->value_text,
                                row->expires_text, row->accesses_text);
    }
  return NULL;
}

/* The entry of the row selected, as the last look saw it; NULL for none. */
const ShmlabCacheEntry *
shmlab_cache_table_get_selected (ShmlabCacheTable *self)
{
  ShmlabCacheRow *row;

  g_return_val_if_fail (SHMLAB_IS_CACHE_TABLE (self), NULL);
  row = gtk_single_selection_get_selected_item (self->selection);
  return row != NULL ? &row->entry : NULL;
}

/* Selects the row of @key; FALSE when there is none. */
gboolean
shmlab_cache_table_select (ShmlabCacheTable *self,
                           const char       *key)
{
  g_return_val_if_fail (SHMLAB_IS_CACHE_TABLE (self), FALSE);

  for (guint i = 0; i < shmlab_cache_table_get_n_rows (self); i++)
    if (g_str_equal (row_at (self, i)->entry.key, key))
      {
        gtk_single_selection_set_selected (self->selection, i);
        return TRUE;
      }
  return FALSE;
}

/* The countdowns, from the copy alone. */
static void
tick (ShmlabCacheTable *self)
{
  gint64 now = shmlab_cache_now_ms ();

  for (guint i = 0; i < shmlab_cache_table_get_n_rows (self); i++)
    row_update_countdown (row_at (self, i), now);
}

static gboolean
tick_cb (gpointer data)
{
  tick (data);
  return G_SOURCE_CONTINUE;
}

static void
selection_changed_cb (ShmlabCacheTable *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_KEY]);
}

static void
shmlab_cache_table_map (GtkWidget *widget)
{
  ShmlabCacheTable *self = SHMLAB_CACHE_TABLE (widget);

  GTK_WIDGET_CLASS (shmlab_cache_table_parent_class)->map (widget);
  tick (self);
  if (self->tick_source == 0)
    self->tick_source = g_timeout_add_seconds (1, tick_cb, self);
}

static void
shmlab_cache_table_unmap (GtkWidget *widget)
{
  ShmlabCacheTable *self = SHMLAB_CACHE_TABLE (widget);

  g_clear_handle_id (&self->tick_source, g_source_remove);
  GTK_WIDGET_CLASS (shmlab_cache_table_parent_class)->unmap (widget);
}

static void
shmlab_cache_table_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  ShmlabCacheTable *self = SHMLAB_CACHE_TABLE (object);
  const ShmlabCacheEntry *entry;

  switch (prop_id)
    {
    case PROP_SELECTED_KEY:
      entry = shmlab_cache_table_get_selected (self);
      g_value_set_string (value, entry != NULL ? entry->key : NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
shmlab_cache_table_dispose (GObject *object)
{
  ShmlabCacheTable *self = SHMLAB_CACHE_TABLE (object);
  GtkWidget *child;

  g_clear_handle_id (&self->tick_source, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (object), SHMLAB_TYPE_CACHE_TABLE);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->selection);
  g_clear_object (&self->rows);
  G_OBJECT_CLASS (shmlab_cache_table_parent_class)->dispose (object);
}

static void
shmlab_cache_table_class_init (ShmlabCacheTableClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = shmlab_cache_table_dispose;
  object_class->get_property = shmlab_cache_table_get_property;
  widget_class->map = shmlab_cache_table_map;
  widget_class->unmap = shmlab_cache_table_unmap;

  properties[PROP_SELECTED_KEY] =
    g_param_spec_string ("selected-key", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The cells' templates look the rows' properties up by type name. */
  g_type_ensure (SHMLAB_TYPE_CACHE_ROW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/shmlab/shmlab-cache-table.ui");
  gtk_widget_class_bind_template_child (widget_class, ShmlabCacheTable, stack);
  gtk_widget_class_bind_template_child (widget_class, ShmlabCacheTable, column_view);
  gtk_widget_class_bind_template_child (widget_class, ShmlabCacheTable, placeholder);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
shmlab_cache_table_init (ShmlabCacheTable *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->rows = g_list_store_new (SHMLAB_TYPE_CACHE_ROW);
  self->selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->rows)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect_swapped (self->selection, "notify::selected-item",
                            G_CALLBACK (selection_changed_cb), self);
  show_rows (self);
}

GtkWidget *
shmlab_cache_table_new (void)
{
  return g_object_new (SHMLAB_TYPE_CACHE_TABLE, NULL);
}
