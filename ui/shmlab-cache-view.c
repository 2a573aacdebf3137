/* shmlab-cache-view.c — the Reader's view of a shared cache
 *
 * A Read or a Follow found a cache in the key's segment: from then on this
 * view reads it itself, through a ShmlabCacheClient attached read-only. A
 * look — a copy taken under the cache's sequence counter, decoded — runs in
 * a worker: once for a Read, twice a second while following (the next only
 * once the last has ended). The countdowns tick on the screen's thread from
 * the last copy; nothing here touches the segment.
 *
 * Signal: "looked" when a look (or its failure) is on show.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-cache-view.h"

#include <inttypes.h>
#include <glib/gi18n.h>

#include "shmlab-limits.h"

/* Follow's pace: twice a second, as the Reader follows a segment. */
#define LOOK_INTERVAL_MS 500

struct _ShmlabCacheView
{
  GtkWidget parent_instance;

  /* Template widgets */
  GtkLabel *title_label;
  GtkLabel *state_label;
  GtkLabel *problem_label;
  GtkLabel *pointer_label;
  ShmlabCacheTable *table;
  GtkLabel *hits_value;
  GtkLabel *misses_value;
  GtkLabel *hit_rate_value;
  GtkLabel *entries_value;
  GtkLabel *memory_value;
  GtkLabel *readers_value;
  GtkLabel *writer_value;
  GtkLabel *recoveries_value;
  GtkLabel *changes_value;
  GtkLabel *expired_value;

  /* Owned */
  ShmlabCacheClient *client;
  GCancellable *cancellable;
  ShmlabCacheSnapshot *snapshot;
  char *problem;

  guint look_source;
  gint64 look_started_us;
  guint interval_ms;
  gboolean following;
  gboolean looking;
};

enum
{
  SIGNAL_LOOKED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (ShmlabCacheView, shmlab_cache_view, GTK_TYPE_WIDGET)

static void look (ShmlabCacheView *self);

/* A figure's value; a screen reader hears it with its title, "Hits: 13"
 * (the .ui puts each title just before its value, and hides the titles from
 * screen readers: the figure is said once). */
static void
set_figure (GtkLabel   *label,
            const char *text)
{
  GtkWidget *title = gtk_widget_get_prev_sibling (GTK_WIDGET (label));
  g_autofree char *spoken = NULL;

  gtk_label_set_text (label, text);
  if (!GTK_IS_LABEL (title))
    return;
  /* TRANSLATORS: a figure of the cache as a screen reader says it: "Hits: 13" */
  spoken = g_strdup_printf (_("%s: %s"), gtk_label_get_text (GTK_LABEL (title)), text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_PROPERTY_LABEL, spoken,
                                  -1);
}

static void
set_figure_number (GtkLabel *label,
                   guint64   value)
{
  g_autofree char *text = g_strdup_printf ("%" PRIu64, value);

  set_figure (label, text);
}

static void
show_figures (ShmlabCacheView     *self,
              ShmlabCacheSnapshot *snapshot)
{
  const ShmlabCacheStats *stats = &snapshot->stats;
  g_autofree char *rate = NULL;
  g_autofree char *entries = NULL;
  g_autofree char *used = shmlab_format_bytes (stats->bytes_used);
  g_autofree char *limit = shmlab_format_bytes (stats->bytes_limit);
  g_autofree char *memory = NULL;
  g_autofree char *writer = NULL;
  g_autofree char *changes = NULL;

  set_figure_number (self->hits_value, stats->hits);
  set_figure_number (self->misses_value, stats->misses);
  if (stats->hits + stats->misses > 0)
    rate = g_strdup_printf (_("%.1f %%"),
                            100.0 * (double) stats->hits / (double) (stats->hits + stats->misses));
  else
    rate = g_strdup (_("no lookups yet"));
  set_figure (self->hit_rate_value, rate);
  entries = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u slot", "%u of %u slots",
                                          stats->n_slots),
                             snapshot->entries != NULL ? snapshot->entries->len : stats->entries,
                             stats->n_slots);
  set_figure (self->entries_value, entries);
  memory = g_strdup_printf (_("%s of %s"), used, limit);
  set_figure (self->memory_value, memory);
  set_figure_number (self->readers_value, stats->readers_inside);
  if (stats->writer_pid == 0)
    writer = g_strdup (_("free"));
  else if (snapshot->writer_name != NULL && *snapshot->writer_name != '\0')
    writer = g_strdup_printf (_("held by process %u (%s)"), stats->writer_pid,
                              snapshot->writer_name);
  else
    writer = g_strdup_printf (_("held by process %u"), stats->writer_pid);
  set_figure (self->writer_value, writer);
  set_figure_number (self->recoveries_value, stats->recoveries);
  changes = g_strdup_printf ("%" PRIu64 ", %" PRIu64, stats->sets, stats->deletes);
  set_figure (self->changes_value, changes);
  set_figure_number (self->expired_value, stats->expired);
}

static void
set_problem (ShmlabCacheView *self,
             const char      *text)
{
  g_free (self->problem);
  self->problem = g_strdup (text);
  gtk_label_set_text (self->problem_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), text != NULL);
}

static void
show_state (ShmlabCacheView *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *time = g_date_time_format (now, "%H:%M:%S");
  g_autofree char *text = NULL;

  if (self->following)
    text = g_strdup_printf (_("Following: this view stays attached read-only and copies the "
                              "cache twice a second, the last copy at %s; the countdowns run "
                              "from it."), time);
  else
    text = g_strdup_printf (_("Copied at %s, then let go. Follow (Ctrl+F) shows it live."), time);
  if (self->snapshot != NULL && !self->snapshot->settled && self->snapshot->error == NULL)
    {
      g_autofree char *more = g_strconcat (text, " ",
                                           _("A writer kept changing the table while it was "
                                             "copied: this copy may mix two moments."),
                                           NULL);

      g_free (text);
      text = g_steal_pointer (&more);
    }
  gtk_label_set_text (self->state_label, text);
}

static void
show_snapshot (ShmlabCacheView     *self,
               ShmlabCacheSnapshot *snapshot)
{
  g_clear_pointer (&self->snapshot, shmlab_cache_snapshot_free);
  self->snapshot = snapshot;
  show_figures (self, snapshot);
  gtk_label_set_text (self->pointer_label,
                      snapshot->pointer_note != NULL ? snapshot->pointer_note : "");
  gtk_widget_set_visible (GTK_WIDGET (self->pointer_label), snapshot->pointer_note != NULL);
  if (snapshot->error != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("No table to show — %s. The Segment tab marks "
                                                 "the field that is wrong."),
                                               snapshot->error->message);

      set_problem (self, text);
      shmlab_cache_table_set_entries (self->table, NULL);
      shmlab_cache_table_set_placeholder (self->table,
                                          _("No entries to show: a reader refuses this cache."));
    }
  else
    {
      set_problem (self, NULL);
      shmlab_cache_table_set_placeholder (self->table, _("The cache is empty."));
      shmlab_cache_table_set_entries (self->table, snapshot->entries);
    }
  show_state (self);
}

static gboolean
look_cb (gpointer data)
{
  ShmlabCacheView *self = data;

  self->look_source = 0;
  look (self);
  return G_SOURCE_REMOVE;
}

typedef struct
{
  ShmlabCacheView *self;
  ShmlabCacheClient *client;
} Look;

static void
look_free (Look *look)
{
  g_object_unref (look->self);
  g_object_unref (look->client);
  g_free (look);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Look, look_free)

static void
looked_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(Look) data = user_data;
  ShmlabCacheView *self = data->self;
  g_autoptr(GError) error = NULL;
  ShmlabCacheSnapshot *snapshot;
  gint64 took_ms;

  snapshot = shmlab_cache_client_run_finish (SHMLAB_CACHE_CLIENT (source), result, &error);
  if (data->client != self->client)
    {
      g_clear_pointer (&snapshot, shmlab_cache_snapshot_free);
      return;
    }
  self->looking = FALSE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (snapshot != NULL)
    show_snapshot (self, snapshot);
  else
    {
      g_autofree char *text = g_strdup_printf (_("No table to show — %s"), error->message);

      set_problem (self, text);
      show_state (self);
    }
  /* A read looks once: the cache is let go of at once. */
  if (!self->following)
    {
      shmlab_cache_client_close (self->client);
      g_clear_object (&self->client);
    }
  else
    {
      /* A huge cache takes long to copy: then it is looked at less often. */
      took_ms = (g_get_monotonic_time () - self->look_started_us) / 1000;
      self->interval_ms = (guint) CLAMP (took_ms * 5, LOOK_INTERVAL_MS, 10000);
      self->look_source = g_timeout_add (self->interval_ms, look_cb, self);
    }
  g_signal_emit (self, signals[SIGNAL_LOOKED], 0);
}

static void
look (ShmlabCacheView *self)
{
  Look *data;

  if (self->client == NULL || self->looking)
    return;
  data = g_new0 (Look, 1);
  data->self = g_object_ref (self);
  data->client = g_object_ref (self->client);
  self->looking = TRUE;
  self->look_started_us = g_get_monotonic_time ();
  shmlab_cache_client_run_async (self->client, NULL, NULL, NULL, self->cancellable, looked_cb,
                                 data);
}

/* Lets go of the cache (in a thread); what was shown stays. */
static void
let_go (ShmlabCacheView *self)
{
  g_clear_handle_id (&self->look_source, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->client != NULL)
    shmlab_cache_client_close (self->client);
  g_clear_object (&self->client);
  self->looking = FALSE;
}

/**
 * shmlab_cache_view_start:
 * @follow: stay attached and look twice a second; FALSE: look once
 *
 * Reads the cache in @key's segment, read-only, in a worker.
 */
void
shmlab_cache_view_start (ShmlabCacheView *self,
                         ShmlabKey       *key,
                         gint             lock_timeout_ms,
                         gboolean         follow)
{
  g_autofree char *title = NULL;

  g_return_if_fail (SHMLAB_IS_CACHE_VIEW (self));
  g_return_if_fail (key != NULL);

  let_go (self);
  self->following = follow;
  self->interval_ms = LOOK_INTERVAL_MS;
  self->client = shmlab_cache_client_new (key, FALSE, lock_timeout_ms);
  self->cancellable = g_cancellable_new ();
  title = g_strdup_printf (_("The shared cache in the segment of “%s”"),
                           shmlab_key_get_name (key));
  gtk_label_set_text (self->title_label, title);
  look (self);
}

/* Stops following: the last look stays on show, its countdowns running. */
void
shmlab_cache_view_stop (ShmlabCacheView *self)
{
  g_return_if_fail (SHMLAB_IS_CACHE_VIEW (self));
  let_go (self);
  if (self->following)
    {
      self->following = FALSE;
      if (self->snapshot != NULL)
        gtk_label_set_text (self->state_label, _("Stopped following: the last look stays on "
                                                 "show."));
    }
}

gboolean
shmlab_cache_view_get_following (ShmlabCacheView *self)
{
  g_return_val_if_fail (SHMLAB_IS_CACHE_VIEW (self), FALSE);
  return self->following;
}

/* The last look on show, NULL before the first. */
const ShmlabCacheSnapshot *
shmlab_cache_view_get_snapshot (ShmlabCacheView *self)
{
  g_return_val_if_fail (SHMLAB_IS_CACHE_VIEW (self), NULL);
  return self->snapshot;
}

/* Why no table is shown (a damaged cache, one that cannot be read), or NULL. */
const char *
shmlab_cache_view_get_problem (ShmlabCacheView *self)
{
  g_return_val_if_fail (SHMLAB_IS_CACHE_VIEW (self), NULL);
  return self->problem;
}

/* What a pointer an entry holds means in this process, or NULL when none does. */
const char *
shmlab_cache_view_get_pointer_note (ShmlabCacheView *self)
{
  g_return_val_if_fail (SHMLAB_IS_CACHE_VIEW (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->pointer_label))
           ? gtk_label_get_text (self->pointer_label) : NULL;
}

/* The table of entries. */
ShmlabCacheTable *
shmlab_cache_view_get_table (ShmlabCacheView *self)
{
  g_return_val_if_fail (SHMLAB_IS_CACHE_VIEW (self), NULL);
  return self->table;
}

/* What a screen reader is taken to after a Read the user asked for. */
GtkWidget *
shmlab_cache_view_get_result_widget (ShmlabCacheView *self)
{
  g_return_val_if_fail (SHMLAB_IS_CACHE_VIEW (self), NULL);
  return self->problem != NULL ? GTK_WIDGET (self->problem_label)
                               : GTK_WIDGET (self->state_label);
}

/**
 * shmlab_cache_view_describe:
 *
 * What the view shows, in one line: "cache N entries, H hits, M misses,
 * R readers inside", or "problem …".
 */
char *
shmlab_cache_view_describe (ShmlabCacheView *self)
{
  const ShmlabCacheStats *stats;

  g_return_val_if_fail (SHMLAB_IS_CACHE_VIEW (self), NULL);
  if (self->problem != NULL)
    return g_strdup_printf ("problem %s", self->problem);
  if (self->snapshot == NULL)
    return g_strdup ("nothing");
  stats = &self->snapshot->stats;
  return g_strdup_printf ("cache %u entries, %" PRIu64 " hits, %" PRIu64 " misses, %u readers "
                          "inside", self->snapshot->entries->len, stats->hits, stats->misses,
                          stats->readers_inside);
}

static void
shmlab_cache_view_dispose (GObject *object)
{
  ShmlabCacheView *self = SHMLAB_CACHE_VIEW (object);
  GtkWidget *child;

  let_go (self);
  g_clear_pointer (&self->snapshot, shmlab_cache_snapshot_free);
  g_clear_pointer (&self->problem, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (object), SHMLAB_TYPE_CACHE_VIEW);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (shmlab_cache_view_parent_class)->dispose (object);
}

static void
shmlab_cache_view_class_init (ShmlabCacheViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = shmlab_cache_view_dispose;

  signals[SIGNAL_LOOKED] = g_signal_new ("looked", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (SHMLAB_TYPE_CACHE_TABLE);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/shmlab/shmlab-cache-view.ui");
  gtk_widget_class_bind_template_child (widget_class, ShmlabCacheView, title_label);
  gtk_widget_class_bind_template_child (widget_class, ShmlabCacheView, state_label);
  gtk_widget_class_bind_template_child (widget_class, ShmlabCacheView, problem_label);
  gtk_widget_class_bind_template_child (widget_class, ShmlabCacheView, pointer_label);
  gtk_widget_class_bind_template_child (widget_class, ShmlabCacheView, table);
  gtk_widget_class_bind_template_child (widget_class, ShmlabCacheView, hits_value);
  gtk_widget_class_bind_template_child (widget_class, ShmlabCacheView, misses_value);
  gtk_widget_class_bind_template_child (widget_class, ShmlabCacheView, hit_rate_value);
  gtk_widget_class_bind_template_child (widget_class, ShmlabCacheView, entries_value);
  gtk_widget_class_bind_template_child (widget_class, ShmlabCacheView, memory_value);
  gtk_widget_class_bind_template_child (widget_class, ShmlabCacheView, readers_value);
  gtk_widget_class_bind_template_child (widget_class, ShmlabCacheView, writer_value);
  gtk_widget_class_bind_template_child (widget_class, ShmlabCacheView, recoveries_value);
  gtk_widget_class_bind_template_child (widget_class, ShmlabCacheView, changes_value);
  gtk_widget_class_bind_template_child (widget_class, ShmlabCacheView, expired_value);
}

static void
shmlab_cache_view_init (ShmlabCacheView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  shmlab_cache_table_set_placeholder (self->table, "");
}
