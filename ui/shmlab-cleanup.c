/* shmlab-cleanup.c — the stale segments of this user, looked for and
 * removed in a worker (a look reads /proc and every key file; a removal
 * may wait on the system), each row with its own Remove, and one for all
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-cleanup.h"

#include <glib/gi18n-lib.h>

#include "shmlab-limits.h"
#include "shmlab-stale.h"

struct _ShmlabCleanup
{
  GtkWindow parent_instance;

  GtkListBox *list;
  GtkLabel *status_label;
  GtkWidget *refresh_button;
  GtkWidget *remove_all_button;

  GPtrArray *stale;        /* what the last look found */
  GCancellable *cancellable;
  guint busy;
};

G_DEFINE_FINAL_TYPE (ShmlabCleanup, shmlab_cleanup, GTK_TYPE_WINDOW)

static void look (ShmlabCleanup *self);

static void
set_busy (ShmlabCleanup *self,
          gboolean       busy)
{
  self->busy += busy ? 1 : -1;
  gtk_widget_set_sensitive (self->refresh_button, self->busy == 0);
  gtk_widget_set_sensitive (self->remove_all_button,
                            self->busy == 0 && self->stale != NULL && self->stale->len > 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->list), self->busy == 0);
}

static void
say (ShmlabCleanup *self,
     const char    *text)
{
  gtk_label_set_text (self->status_label, text);
}

static void remove_rows (ShmlabCleanup *self,
                         GPtrArray     *which);

static void
on_row_remove_clicked (GtkButton     *button,
                       ShmlabCleanup *self)
{
  ShmlabSegmentListing *l = g_object_get_data (G_OBJECT (button), "shmlab-stale");
  g_autoptr(GPtrArray) one = g_ptr_array_new ();

  g_ptr_array_add (one, l);
  remove_rows (self, one);
}

/* One row: the backend, the size, how long ago it last changed, the name. */
static GtkWidget *
row_new (ShmlabCleanup              *self,
         const ShmlabSegmentListing *l)
{
  g_autofree char *size = shmlab_format_bytes (l->info.size);
  g_autofree char *age = shmlab_stale_describe_age (l->info.change_time);
  g_autofree char *ago = g_strdup_printf (_("changed %s ago"), age);
  g_autofree char *remove_name = g_strdup_printf (_("Remove %s"), l->native_key);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *name = gtk_label_new (l->native_key);
  GtkWidget *details = gtk_label_new (NULL);
  GtkWidget *button = gtk_button_new_with_label (_("Remove"));
  g_autofree char *text = g_strdup_printf ("%s · %s · %s", shmlab_backend_describe (l->backend),
                                           size, ago);

  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 6);
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_set_tooltip_text (name, l->native_key);
  gtk_widget_set_hexpand (name, TRUE);
  gtk_widget_add_css_class (name, "monospace");
  gtk_label_set_text (GTK_LABEL (details), text);
  gtk_widget_add_css_class (details, "dim-label");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  remove_name, -1);
  g_object_set_data (G_OBJECT (button), "shmlab-stale", (gpointer) l);
  g_signal_connect (button, "clicked", G_CALLBACK (on_row_remove_clicked), self);
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), details);
  gtk_box_append (GTK_BOX (box), button);
  return box;
}

static void
show_stale (ShmlabCleanup *self,
            GPtrArray     *stale)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  g_clear_pointer (&self->stale, g_ptr_array_unref);
  self->stale = g_ptr_array_ref (stale);
  for (guint i = 0; i < stale->len; i++)
    gtk_list_box_append (self->list, row_new (self, g_ptr_array_index (stale, i)));
}

static void
find_in_thread (GTask        *task,
                gpointer      source,
                gpointer      data,
                GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *stale = shmlab_stale_find (&error);

  if (stale != NULL)
    g_task_return_pointer (task, stale, (GDestroyNotify) g_ptr_array_unref);
  else
    g_task_return_error (task, error);
}

static void
found (GObject      *source,
       GAsyncResult *result,
       gpointer      user_data)
{
  ShmlabCleanup *self = SHMLAB_CLEANUP (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) stale = g_task_propagate_pointer (G_TASK (result), &error);
  /* What the removal before this look said, or NULL. */
  const char *removed = g_task_get_task_data (G_TASK (result));
  g_autofree char *text = NULL;

  if (stale == NULL)
    {
      set_busy (self, FALSE);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        say (self, error->message);
      return;
    }
  show_stale (self, stale);
  if (stale->len == 0)
    text = g_strdup (_("Nothing stale: every segment of yours named the Qt way is in use."));
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%u stale segment: no process uses it.",
                                         "%u stale segments: no process uses them.", stale->len),
                            stale->len);
  if (removed != NULL)
    {
      g_autofree char *both = g_strconcat (removed, " ", text, NULL);
      say (self, both);
    }
  else
    say (self, text);
  set_busy (self, FALSE);
}

/* Looks again; @removed: what the removal before it said, or NULL. */
static void
look_saying (ShmlabCleanup *self,
             const char    *removed)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, found, NULL);

  g_task_set_source_tag (task, look_saying);
  g_task_set_task_data (task, g_strdup (removed), g_free);
  set_busy (self, TRUE);
  say (self, _("Looking for stale segments…"));
  g_task_run_in_thread (task, find_in_thread);
}

static void
look (ShmlabCleanup *self)
{
  look_saying (self, NULL);
}

typedef struct
{
  GPtrArray *which;   /* of ShmlabSegmentListing, owned by the window's list */
  guint removed;
  GString *problems;
} Removal;

static void
removal_free (Removal *removal)
{
  g_ptr_array_unref (removal->which);
  g_string_free (removal->problems, TRUE);
  g_free (removal);
}

static void
remove_in_thread (GTask        *task,
                  gpointer      source,
                  gpointer      data,
                  GCancellable *cancellable)
{
  Removal *removal = data;

  for (guint i = 0; i < removal->which->len; i++)
    {
      g_autoptr(GError) error = NULL;

      if (shmlab_stale_remove (g_ptr_array_index (removal->which, i), &error))
        removal->removed++;
      else
        g_string_append_printf (removal->problems, "%s%s", removal->problems->len ? "; " : "",
                                error->message);
    }
  g_task_return_boolean (task, TRUE);
}

static void
removed_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  ShmlabCleanup *self = SHMLAB_CLEANUP (source);
  Removal *removal = g_task_get_task_data (G_TASK (result));
  g_autofree char *text = NULL;

  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "Removed %u segment with its lock and key files.",
                                       "Removed %u segments with their locks and key files.",
                                       removal->removed),
                          removal->removed);
  if (removal->problems->len > 0)
    {
      g_autofree char *with = g_strdup_printf ("%s %s", text, removal->problems->str);
      g_free (text);
      text = g_steal_pointer (&with);
    }
  set_busy (self, FALSE);
  if (!g_cancellable_is_cancelled (self->cancellable))
    {
      look_saying (self, text);
      /* The sentence takes the focus: a screen reader says what happened. */
      gtk_widget_grab_focus (GTK_WIDGET (self->status_label));
    }
}

static void
remove_rows (ShmlabCleanup *self,
             GPtrArray     *which)
{
  Removal *removal = g_new0 (Removal, 1);
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, removed_cb, NULL);

  removal->which = g_ptr_array_new ();
  removal->problems = g_string_new (NULL);
  for (guint i = 0; i < which->len; i++)
    g_ptr_array_add (removal->which, g_ptr_array_index (which, i));
  /* The rows' listings stay alive until the next look, which comes after. */
  g_task_set_task_data (task, removal, (GDestroyNotify) removal_free);
  g_task_set_source_tag (task, remove_rows);
  set_busy (self, TRUE);
  say (self, _("Removing…"));
  g_task_run_in_thread (task, remove_in_thread);
}

static void
on_refresh_clicked (ShmlabCleanup *self)
{
  look (self);
}

static void
on_remove_all_clicked (ShmlabCleanup *self)
{
  if (self->stale != NULL && self->stale->len > 0)
    remove_rows (self, self->stale);
}

static void
shmlab_cleanup_dispose (GObject *object)
{
  ShmlabCleanup *self = SHMLAB_CLEANUP (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), SHMLAB_TYPE_CLEANUP);
  G_OBJECT_CLASS (shmlab_cleanup_parent_class)->dispose (object);
}

static void
shmlab_cleanup_finalize (GObject *object)
{
  ShmlabCleanup *self = SHMLAB_CLEANUP (object);

  g_clear_pointer (&self->stale, g_ptr_array_unref);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (shmlab_cleanup_parent_class)->finalize (object);
}

static void
shmlab_cleanup_class_init (ShmlabCleanupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = shmlab_cleanup_dispose;
  object_class->finalize = shmlab_cleanup_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/shmlab/shmlab-cleanup.ui");
  gtk_widget_class_bind_template_child (widget_class, ShmlabCleanup, list);
  gtk_widget_class_bind_template_child (widget_class, ShmlabCleanup, status_label);
  gtk_widget_class_bind_template_child (widget_class, ShmlabCleanup, refresh_button);
  gtk_widget_class_bind_template_child (widget_class, ShmlabCleanup, remove_all_button);
  gtk_widget_class_bind_template_callback (widget_class, on_refresh_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_remove_all_clicked);
}

static void
shmlab_cleanup_init (ShmlabCleanup *self)
{
  GtkWidget *placeholder;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  placeholder = gtk_label_new (_("Nothing to clean up"));
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_margin_top (placeholder, 24);
  gtk_widget_set_margin_bottom (placeholder, 24);
  gtk_list_box_set_placeholder (self->list, placeholder);
}

/**
 * shmlab_cleanup_show:
 * @parent: (nullable): the window it belongs to
 *
 * Opens the window and looks for stale segments at once.
 *
 * Returns: (transfer none): the window
 */
ShmlabCleanup *
shmlab_cleanup_show (GtkWindow *parent)
{
  ShmlabCleanup *self = g_object_new (SHMLAB_TYPE_CLEANUP, NULL);

  if (parent != NULL)
    {
      gtk_window_set_transient_for (GTK_WINDOW (self), parent);
      if (gtk_window_get_application (parent) != NULL)
        gtk_window_set_application (GTK_WINDOW (self), gtk_window_get_application (parent));
    }
  gtk_window_present (GTK_WINDOW (self));
  look (self);
  return self;
}

/* Whether a look or a removal is under way. */
gboolean
shmlab_cleanup_get_busy (ShmlabCleanup *self)
{
  g_return_val_if_fail (SHMLAB_IS_CLEANUP (self), FALSE);
  return self->busy > 0;
}

guint
shmlab_cleanup_get_n_rows (ShmlabCleanup *self)
{
  g_return_val_if_fail (SHMLAB_IS_CLEANUP (self), 0);
  return self->stale != NULL ? self->stale->len : 0;
}

/* The sentence under the list: what the last look or removal found. */
const char *
shmlab_cleanup_get_status (ShmlabCleanup *self)
{
  g_return_val_if_fail (SHMLAB_IS_CLEANUP (self), NULL);
  return gtk_label_get_text (self->status_label);
}
