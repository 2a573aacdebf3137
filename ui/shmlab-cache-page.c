/* shmlab-cache-page.c — the Writer's Cache page
 *
 * The cache lives in the segment of the session's key, on its backend. A
 * change (add, edit, delete, clear, the hot data) makes it if the key has
 * no segment yet; a look never does. Every job — attaching, the change under
 * the cache's writer lock, the look at the whole table — runs in a worker
 * (ShmlabCacheClient), one at a time; this page shows what they report.
 * While it is on screen it looks again every second, so entries other
 * processes change and their access counts show.
 *
 * Signals: "note" (text, is-error) for the step log; "failed" (title,
 * message) and "succeeded" for the window's banner; "looked" when a new
 * look is on show (its copy is for the inspector).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-cache-page.h"

#include <inttypes.h>
#include <glib/gi18n.h>

#include <string.h>

#include "shmlab-cache-hot-data.h"
#include "shmlab-command.h"
#include "shmlab-error.h"
#include "shmlab-limits.h"

#define LOOK_INTERVAL_MS 1000

struct _ShmlabCachePage
{
  GtkWidget parent_instance;

  /* Template widgets */
  GtkWidget *add_button;
  GtkWidget *form;
  GtkEntry *key_entry;
  GtkEntry *value_entry;
  GtkSpinButton *ttl_spin;
  GtkCheckButton *never_check;
  GtkLabel *form_note;
  GtkWidget *save_button;
  ShmlabCacheTable *table;
  GtkLabel *status_label;

  /* Owned */
  ShmlabSession *session;
  ShmlabCacheClient *client;     /* for the session's key, made at the first job */
  GCancellable *cancellable;     /* the client's jobs' */
  ShmlabCacheSnapshot *snapshot; /* the last look */

  guint look_source;
  guint64 jobs_started;          /* jobs are numbered as they start… */
  guint64 job_shown;             /* …and an older job's look never replaces a newer one's */
  gboolean busy;                 /* a change runs: no other until it ends */
  gboolean looking;              /* a look alone runs */
  gboolean editing;              /* the form changes the entry selected: its key stays */
  gboolean stopped;
};

enum
{
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

enum
{
  SIGNAL_NOTE,
  SIGNAL_FAILED,
  SIGNAL_SUCCEEDED,
  SIGNAL_LOOKED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (ShmlabCachePage, shmlab_cache_page, GTK_TYPE_WIDGET)

static void look (ShmlabCachePage *self);
static void show_form (ShmlabCachePage *self,
                       gboolean         visible);

static void
note (ShmlabCachePage *self,
      const char      *text,
      gboolean         is_error)
{
  g_signal_emit (self, signals[SIGNAL_NOTE], 0, text, is_error);
}

static void
update_actions (ShmlabCachePage *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean ready = !self->busy && !self->stopped && self->session != NULL;
  gboolean selected = shmlab_cache_table_get_selected (self->table) != NULL;
  gboolean form = gtk_widget_get_visible (self->form);

  gtk_widget_action_set_enabled (widget, "cache.add", ready);
  gtk_widget_action_set_enabled (widget, "cache.edit", ready && selected);
  gtk_widget_action_set_enabled (widget, "cache.delete", ready && selected);
  gtk_widget_action_set_enabled (widget, "cache.clear-expired", ready);
  gtk_widget_action_set_enabled (widget, "cache.load-hot", ready);
  gtk_widget_action_set_enabled (widget, "cache.save", ready && form);
  gtk_widget_action_set_enabled (widget, "cache.cancel", form);
}

static void
set_busy (ShmlabCachePage *self,
          gboolean         busy)
{
  if (self->busy == busy)
    return;
  self->busy = busy;
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static const char *
key_name (ShmlabCachePage *self)
{
  ShmlabKey *key = self->client != NULL ? shmlab_cache_client_get_key (self->client) : NULL;

  return key != NULL ? shmlab_key_get_name (key) : "";
}

/* ---- what a look shows ---- */

static void
set_status (ShmlabCachePage *self,
            const char      *text)
{
  gtk_label_set_text (self->status_label, text);
}

static void
show_snapshot (ShmlabCachePage     *self,
               ShmlabCacheSnapshot *snapshot)
{
  const ShmlabCacheStats *stats = &snapshot->stats;
  g_autofree char *text = NULL;

  g_clear_pointer (&self->snapshot, shmlab_cache_snapshot_free);
  self->snapshot = snapshot;
  if (snapshot->error != NULL)
    {
      shmlab_cache_table_set_entries (self->table, NULL);
      shmlab_cache_table_set_placeholder (self->table, _("The cache in this segment is damaged: "
                                                         "the Segment tab names the field."));
      text = g_strdup_printf (_("No table to show — %s. The Segment tab marks the field that "
                                "is wrong."), snapshot->error->message);
    }
  else
    {
      g_autofree char *used = shmlab_format_bytes (stats->bytes_used);
      g_autofree char *taken = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                             "%u of %u slots taken",
                                                             "%u of %u slots taken",
                                                             stats->n_slots),
                                                snapshot->entries->len, stats->n_slots);

      shmlab_cache_table_set_placeholder (self->table,
                                          _("The cache is empty: Add an entry, or load the "
                                            "article's hot data."));
      shmlab_cache_table_set_entries (self->table, snapshot->entries);
      /* TRANSLATORS: "5 of 1000 slots taken · 295 bytes of keys and values · 3 hits, 1 miss" */
      text = g_strdup_printf (_("%s · %s of keys and values · %" PRIu64 " hits, %" PRIu64
                                " misses"),
                              taken, used, stats->hits, stats->misses);
    }
  set_status (self, text);
  update_actions (self);
  g_signal_emit (self, signals[SIGNAL_LOOKED], 0);
}

/* No look to show: nothing in the table, and why. */
static void
show_no_cache (ShmlabCachePage *self,
               const char      *placeholder,
               const char      *status)
{
  g_clear_pointer (&self->snapshot, shmlab_cache_snapshot_free);
  shmlab_cache_table_set_entries (self->table, NULL);
  shmlab_cache_table_set_placeholder (self->table, placeholder);
  set_status (self, status);
  update_actions (self);
  g_signal_emit (self, signals[SIGNAL_LOOKED], 0);
}

/* ---- jobs ---- */

/* A job of this page: what the log says when it ends well, and what
 * follows. The change's own data is @change_data (freed with @free_change). */
typedef struct
{
  ShmlabCachePage *self;
  ShmlabCacheClient *client;
  guint64 number;
  gboolean change;
  gboolean close_form;
  const char *fail_title;
  char *done;
  char *select;
  gpointer change_data;
  GDestroyNotify free_change;
  char *(*describe_done) (gpointer change_data);
} Job;

static void
job_free (Job *job)
{
  g_clear_object (&job->self);
  g_clear_object (&job->client);
  g_free (job->done);
  g_free (job->select);
  if (job->free_change != NULL)
    job->free_change (job->change_data);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Job, job_free)

/* What the table says when a look found no cache to show. */
static const char *
look_failure_title (const GError *error)
{
  if (g_error_matches (error, SHMLAB_CACHE_ERROR, SHMLAB_CACHE_ERROR_NOT_A_CACHE))
    return _("This key's segment holds something else than a cache.");
  if (g_error_matches (error, SHMLAB_CACHE_ERROR, SHMLAB_CACHE_ERROR_CORRUPT))
    return _("The cache in this segment is damaged.");
  return _("The cache cannot be read.");
}

/* The error's sentence, with what to do when the cache's own words do not say. */
static char *
failure_message (ShmlabCachePage *self,
                 const GError    *error)
{
  ShmlabKey *key = shmlab_cache_client_get_key (self->client);
  g_autofree char *remove = shmlab_command_for_key ("remove", shmlab_key_get_name (key),
                                                    shmlab_key_get_backend (key), NULL);

  if (g_error_matches (error, SHMLAB_CACHE_ERROR, SHMLAB_CACHE_ERROR_CORRUPT))
    return g_strdup_printf (_("%s. Remove the segment (%s), then make a new cache here."),
                            error->message, remove);
  if (g_error_matches (error, SHMLAB_CACHE_ERROR, SHMLAB_CACHE_ERROR_NOT_A_CACHE))
    return g_strdup_printf (_("%s. Choose another key, or remove this segment (%s)."),
                            error->message, remove);
  return g_strdup (error->message);
}

static gboolean
look_cb (gpointer data)
{
  ShmlabCachePage *self = data;

  self->look_source = 0;
  look (self);
  return G_SOURCE_REMOVE;
}

/* Looks again in a second while on screen and a cache is there. */
static void
schedule_look (ShmlabCachePage *self)
{
  if (self->look_source != 0 || self->stopped || self->snapshot == NULL ||
      !gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;
  self->look_source = g_timeout_add (LOOK_INTERVAL_MS, look_cb, self);
}

static void
job_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(Job) job = user_data;
  ShmlabCachePage *self = job->self;
  g_autoptr(GError) error = NULL;
  ShmlabCacheSnapshot *snapshot;

  snapshot = shmlab_cache_client_run_finish (SHMLAB_CACHE_CLIENT (source), result, &error);
  /* The window closed, or the key changed meanwhile: nothing to show. */
  if (self->stopped || job->client != self->client)
    {
      g_clear_pointer (&snapshot, shmlab_cache_snapshot_free);
      return;
    }
  if (job->change)
    set_busy (self, FALSE);
  else
    self->looking = FALSE;

  if (snapshot != NULL)
    {
      gboolean made = job->change && shmlab_cache_client_get_created (self->client) &&
                      self->snapshot == NULL;

      if (job->number > self->job_shown)
        {
          self->job_shown = job->number;
          show_snapshot (self, snapshot);
        }
      else
        g_clear_pointer (&snapshot, shmlab_cache_snapshot_free);
      if (made && self->snapshot != NULL)
        {
          g_autofree char *text = g_strdup_printf (_("cache: made a cache of %u entries in the "
                                                     "segment of “%s”"),
                                                   self->snapshot->stats.n_slots,
                                                   key_name (self));

          note (self, text, FALSE);
        }
      if (job->describe_done != NULL)
        job->done = job->describe_done (job->change_data);
      if (job->done != NULL)
        note (self, job->done, FALSE);
      if (job->change)
        {
          if (job->close_form)
            {
              show_form (self, FALSE);
              gtk_widget_grab_focus (self->add_button);
            }
          if (job->select != NULL)
            shmlab_cache_table_select (self->table, job->select);
          g_signal_emit (self, signals[SIGNAL_SUCCEEDED], 0);
        }
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    ;
  else if (!job->change)
    {
      /* A look is no action of the user's: the page says it, no banner. */
      if (job->number < self->job_shown)
        ;
      else if (g_error_matches (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_NOT_FOUND))
        {
          g_autofree char *text = g_strdup_printf (_("No cache has the key “%s” yet: Add an "
                                                     "entry, or load the article's hot data, "
                                                     "to make one in its segment."),
                                                   key_name (self));

          show_no_cache (self, _("No cache in this segment yet."), text);
        }
      else
        {
          g_autofree char *message = failure_message (self, error);

          show_no_cache (self, look_failure_title (error), message);
        }
    }
  else
    {
      g_autofree char *message = failure_message (self, error);
      g_autofree char *logged = g_strdup_printf (_("cache: %s"), error->message);

      note (self, logged, TRUE);
      g_signal_emit (self, signals[SIGNAL_FAILED], 0, job->fail_title, message);
    }
  schedule_look (self);
}

/* The client of the session's key, made when there is none. */
static ShmlabCacheClient *
client_of_key (ShmlabCachePage *self)
{
  ShmlabKey *key = self->session != NULL ? shmlab_session_get_key_value (self->session) : NULL;

  if (self->client == NULL && key != NULL)
    {
      self->client = shmlab_cache_client_new (key, TRUE,
                                              shmlab_session_get_lock_timeout (self->session));
      self->cancellable = g_cancellable_new ();
    }
  return self->client;
}

/* Runs @job: a change when @change is not NULL (FALSE while another change
 * runs), else a look (skipped while one runs). The client runs them one
 * after another. */
static gboolean
run (ShmlabCachePage   *self,
     ShmlabCacheChange  change,
     Job               *job)
{
  g_autoptr(Job) owned = job;
  ShmlabCacheClient *client;
  gpointer change_data;

  if (self->stopped || (change != NULL && self->busy) || (change == NULL && self->looking))
    return FALSE;
  if ((client = client_of_key (self)) == NULL)
    {
      if (change != NULL)
        g_signal_emit (self, signals[SIGNAL_FAILED], 0, owned->fail_title,
                       _("There is no key to use: type one in the Key field; the cache lives "
                         "in its segment."));
      return FALSE;
    }
  g_clear_handle_id (&self->look_source, g_source_remove);
  owned->self = g_object_ref (self);
  owned->client = g_object_ref (client);
  owned->change = change != NULL;
  owned->number = ++self->jobs_started;
  if (change != NULL)
    set_busy (self, TRUE);
  else
    self->looking = TRUE;
  shmlab_cache_client_set_lock_timeout (client, shmlab_session_get_lock_timeout (self->session));
  change_data = owned->change_data;
  shmlab_cache_client_run_async (client, change, change_data, NULL, self->cancellable,
                                 job_done_cb, g_steal_pointer (&owned));
  return TRUE;
}

static Job *
job_new (gpointer        change_data,
         GDestroyNotify  free_change)
{
  Job *job = g_new0 (Job, 1);

  job->change_data = change_data;
  job->free_change = free_change;
  return job;
}

/* Looks at the cache of the session's key in a worker, never making one. */
static void
look (ShmlabCachePage *self)
{
  run (self, NULL, job_new (NULL, NULL));
}

/* ---- the changes, each with its own data, run in the worker ---- */

typedef struct
{
  char *key;
  char *value;
  guint ttl_seconds;  /* 0: never */
} SetChange;

static void
set_change_free (gpointer data)
{
  SetChange *change = data;

  g_free (change->key);
  g_free (change->value);
  g_free (change);
}

static gboolean
set_in_worker (ShmlabCache  *cache,
               gpointer      data,
               GError      **error)
{
  SetChange *change = data;
  gint64 expiry = change->ttl_seconds > 0
                  ? shmlab_cache_now_ms () + (gint64) change->ttl_seconds * 1000 : 0;

  return shmlab_cache_set (cache, change->key, (const guint8 *) change->value,
                           strlen (change->value), expiry, error);
}

static gboolean
delete_in_worker (ShmlabCache  *cache,
                  gpointer      data,
                  GError      **error)
{
  return shmlab_cache_delete (cache, data, error);
}

static gboolean
load_hot_in_worker (ShmlabCache  *cache,
                    gpointer      data,
                    GError      **error)
{
  return shmlab_cache_hot_data_load (cache, error);
}

static gboolean
clear_expired_in_worker (ShmlabCache  *cache,
                         gpointer      data,
                         GError      **error)
{
  return shmlab_cache_clear_expired (cache, data, error);
}

static char *
describe_cleared (gpointer data)
{
  guint cleared = *(guint *) data;

  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "cache: %u expired entry cleared",
                                       "cache: %u expired entries cleared", cleared),
                          cleared);
}

/* ---- the form ---- */

static void
show_form (ShmlabCachePage *self,
           gboolean         visible)
{
  gtk_widget_set_visible (self->form, visible);
  update_actions (self);
}

static void
never_toggled_cb (ShmlabCachePage *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->ttl_spin),
                            !gtk_check_button_get_active (self->never_check));
}

/**
 * shmlab_cache_page_fill_form:
 * @ttl_seconds: when the entry expires, in seconds from its writing; 0 for never
 *
 * Shows the form to add an entry, filled in; Save (cache.save) writes it.
 */
void
shmlab_cache_page_fill_form (ShmlabCachePage *self,
                             const char      *key,
                             const char      *value,
                             guint            ttl_seconds)
{
  g_return_if_fail (SHMLAB_IS_CACHE_PAGE (self));
  gtk_editable_set_text (GTK_EDITABLE (self->key_entry), key != NULL ? key : "");
  gtk_editable_set_text (GTK_EDITABLE (self->value_entry), value != NULL ? value : "");
  gtk_check_button_set_active (self->never_check, ttl_seconds == 0);
  if (ttl_seconds > 0)
    gtk_spin_button_set_value (self->ttl_spin, ttl_seconds);
  show_form (self, TRUE);
}

static void
add_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  ShmlabCachePage *self = SHMLAB_CACHE_PAGE (widget);

  self->editing = FALSE;
  gtk_editable_set_editable (GTK_EDITABLE (self->key_entry), TRUE);
  gtk_label_set_text (self->form_note, _("A new entry; an entry with this key is replaced."));
  shmlab_cache_page_fill_form (self, "", "", 0);
  gtk_spin_button_set_value (self->ttl_spin, 300);
  gtk_widget_grab_focus (GTK_WIDGET (self->key_entry));
}

static void
edit_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ShmlabCachePage *self = SHMLAB_CACHE_PAGE (widget);
  const ShmlabCacheEntry *entry = shmlab_cache_table_get_selected (self->table);
  gint64 now = shmlab_cache_now_ms ();
  g_autofree char *value = NULL;
  gsize length;
  const char *data;

  if (entry == NULL)
    return;
  data = g_bytes_get_data (entry->value, &length);
  value = g_utf8_make_valid (data, length);
  self->editing = TRUE;
  gtk_editable_set_editable (GTK_EDITABLE (self->key_entry), FALSE);
  gtk_label_set_text (self->form_note, _("The entry is written again whole, in a new slot."));
  shmlab_cache_page_fill_form (self, entry->key, value,
                               entry->expiry_ms == 0 ? 0
                               : entry->expiry_ms <= now ? 1
                               : (guint) CLAMP ((entry->expiry_ms - now + 999) / 1000, 1,
                                                315360000));
  gtk_widget_grab_focus (GTK_WIDGET (self->value_entry));
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ShmlabCachePage *self = SHMLAB_CACHE_PAGE (widget);
  SetChange *change = g_new0 (SetChange, 1);
  Job *job;
  g_autofree char *bytes = NULL;

  change->key = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->key_entry)));
  change->value = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->value_entry)));
  change->ttl_seconds = gtk_check_button_get_active (self->never_check)
                        ? 0 : (guint) gtk_spin_button_get_value_as_int (self->ttl_spin);
  bytes = shmlab_format_bytes (strlen (change->value));
  job = job_new (change, set_change_free);
  job->select = g_strdup (change->key);
  job->close_form = TRUE;
  job->fail_title = _("Could not save the entry");
  if (change->ttl_seconds > 0)
    job->done = g_strdup_printf (_("cache: “%s” set, %s of value, expires in %u s"),
                                 change->key, bytes, change->ttl_seconds);
  else
    job->done = g_strdup_printf (_("cache: “%s” set, %s of value, never expires"),
                                 change->key, bytes);
  run (self, set_in_worker, job);
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ShmlabCachePage *self = SHMLAB_CACHE_PAGE (widget);

  show_form (self, FALSE);
  gtk_widget_grab_focus (self->add_button);
}

/* Enter in the form saves (GTK 4.8 has no default button in a page). */
static void
entry_activate_cb (ShmlabCachePage *self)
{
  if (gtk_widget_get_visible (self->form))
    gtk_widget_activate_action (GTK_WIDGET (self), "cache.save", NULL);
}

/* ---- the other actions ---- */

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ShmlabCachePage *self = SHMLAB_CACHE_PAGE (widget);
  const ShmlabCacheEntry *entry = shmlab_cache_table_get_selected (self->table);
  Job *job;

  if (entry == NULL)
    return;
  job = job_new (g_strdup (entry->key), g_free);
  job->done = g_strdup_printf (_("cache: “%s” deleted"), entry->key);
  job->fail_title = _("Could not delete the entry");
  run (self, delete_in_worker, job);
}

static void
clear_expired_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  Job *job = job_new (g_new0 (guint, 1), g_free);

  job->describe_done = describe_cleared;
  job->fail_title = _("Could not clear the expired entries");
  run (SHMLAB_CACHE_PAGE (widget), clear_expired_in_worker, job);
}

/**
 * shmlab_cache_page_load_hot_data:
 *
 * Puts the article's five hot entries in, as `shmlab cache KEY producer`
 * does, in a worker.
 */
void
shmlab_cache_page_load_hot_data (ShmlabCachePage *self)
{
  guint n;
  Job *job;

  g_return_if_fail (SHMLAB_IS_CACHE_PAGE (self));
  shmlab_cache_hot_data_get (&n);
  job = job_new (NULL, NULL);
  job->done = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "cache: the article's hot data loaded, %u entry",
                                            "cache: the article's hot data loaded, %u entries",
                                            n),
                               n);
  job->fail_title = _("Could not load the article's hot data");
  run (self, load_hot_in_worker, job);
}

static void
load_hot_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  shmlab_cache_page_load_hot_data (SHMLAB_CACHE_PAGE (widget));
}

static void
selection_changed_cb (ShmlabCachePage *self)
{
  update_actions (self);
}

/* ---- the key ---- */

/* Another key or backend: another cache, looked at afresh. */
static void
key_changed_cb (ShmlabCachePage *self)
{
  if (self->client != NULL)
    {
      g_cancellable_cancel (self->cancellable);
      g_clear_object (&self->cancellable);
      shmlab_cache_client_close (self->client);
      g_clear_object (&self->client);
    }
  g_clear_handle_id (&self->look_source, g_source_remove);
  self->looking = FALSE;
  set_busy (self, FALSE);
  show_no_cache (self, "", "");
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    look (self);
}

void
shmlab_cache_page_set_session (ShmlabCachePage *self,
                               ShmlabSession   *session)
{
  g_return_if_fail (SHMLAB_IS_CACHE_PAGE (self));

  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_set_object (&self->session, session);
  if (session != NULL)
    {
      g_signal_connect_swapped (session, "notify::key", G_CALLBACK (key_changed_cb), self);
      g_signal_connect_swapped (session, "notify::backend", G_CALLBACK (key_changed_cb), self);
    }
  update_actions (self);
}

/**
 * shmlab_cache_page_stop:
 *
 * The window goes away: the running job is cancelled, the cache detached in
 * a thread, and nothing more runs.
 */
void
shmlab_cache_page_stop (ShmlabCachePage *self)
{
  g_return_if_fail (SHMLAB_IS_CACHE_PAGE (self));
  if (self->stopped)
    return;
  self->stopped = TRUE;
  g_clear_handle_id (&self->look_source, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->client != NULL)
    shmlab_cache_client_close (self->client);
  g_clear_object (&self->client);
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
}

gboolean
shmlab_cache_page_get_busy (ShmlabCachePage *self)
{
  g_return_val_if_fail (SHMLAB_IS_CACHE_PAGE (self), FALSE);
  return self->busy;
}

/* The last look, NULL when none is on show. */
const ShmlabCacheSnapshot *
shmlab_cache_page_get_snapshot (ShmlabCachePage *self)
{
  g_return_val_if_fail (SHMLAB_IS_CACHE_PAGE (self), NULL);
  return self->snapshot;
}

ShmlabCacheTable *
shmlab_cache_page_get_table (ShmlabCachePage *self)
{
  g_return_val_if_fail (SHMLAB_IS_CACHE_PAGE (self), NULL);
  return self->table;
}

/* The line under the table: the cache's figures, or why there are none. */
const char *
shmlab_cache_page_get_status (ShmlabCachePage *self)
{
  g_return_val_if_fail (SHMLAB_IS_CACHE_PAGE (self), NULL);
  return gtk_label_get_text (self->status_label);
}

static void
shmlab_cache_page_map (GtkWidget *widget)
{
  ShmlabCachePage *self = SHMLAB_CACHE_PAGE (widget);

  GTK_WIDGET_CLASS (shmlab_cache_page_parent_class)->map (widget);
  look (self);
}

static void
shmlab_cache_page_unmap (GtkWidget *widget)
{
  ShmlabCachePage *self = SHMLAB_CACHE_PAGE (widget);

  g_clear_handle_id (&self->look_source, g_source_remove);
  GTK_WIDGET_CLASS (shmlab_cache_page_parent_class)->unmap (widget);
}

static void
shmlab_cache_page_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  ShmlabCachePage *self = SHMLAB_CACHE_PAGE (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
shmlab_cache_page_dispose (GObject *object)
{
  ShmlabCachePage *self = SHMLAB_CACHE_PAGE (object);
  GtkWidget *child;

  shmlab_cache_page_stop (self);
  g_clear_object (&self->session);
  g_clear_pointer (&self->snapshot, shmlab_cache_snapshot_free);
  gtk_widget_dispose_template (GTK_WIDGET (object), SHMLAB_TYPE_CACHE_PAGE);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (shmlab_cache_page_parent_class)->dispose (object);
}

static void
shmlab_cache_page_class_init (ShmlabCachePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = shmlab_cache_page_dispose;
  object_class->get_property = shmlab_cache_page_get_property;
  widget_class->map = shmlab_cache_page_map;
  widget_class->unmap = shmlab_cache_page_unmap;

  properties[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                                                G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY |
                                                G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_NOTE] = g_signal_new ("note", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                       G_TYPE_STRING, G_TYPE_BOOLEAN);
  signals[SIGNAL_FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                         G_TYPE_STRING, G_TYPE_STRING);
  signals[SIGNAL_SUCCEEDED] = g_signal_new ("succeeded", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                            G_TYPE_NONE, 0);
  signals[SIGNAL_LOOKED] = g_signal_new ("looked", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (SHMLAB_TYPE_CACHE_TABLE);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/shmlab/shmlab-cache-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ShmlabCachePage, add_button);
  gtk_widget_class_bind_template_child (widget_class, ShmlabCachePage, form);
  gtk_widget_class_bind_template_child (widget_class, ShmlabCachePage, key_entry);
  gtk_widget_class_bind_template_child (widget_class, ShmlabCachePage, value_entry);
  gtk_widget_class_bind_template_child (widget_class, ShmlabCachePage, ttl_spin);
  gtk_widget_class_bind_template_child (widget_class, ShmlabCachePage, never_check);
  gtk_widget_class_bind_template_child (widget_class, ShmlabCachePage, form_note);
  gtk_widget_class_bind_template_child (widget_class, ShmlabCachePage, save_button);
  gtk_widget_class_bind_template_child (widget_class, ShmlabCachePage, table);
  gtk_widget_class_bind_template_child (widget_class, ShmlabCachePage, status_label);
  gtk_widget_class_bind_template_callback (widget_class, never_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, selection_changed_cb);

  gtk_widget_class_install_action (widget_class, "cache.add", NULL, add_action);
  gtk_widget_class_install_action (widget_class, "cache.edit", NULL, edit_action);
  gtk_widget_class_install_action (widget_class, "cache.delete", NULL, delete_action);
  gtk_widget_class_install_action (widget_class, "cache.clear-expired", NULL,
                                   clear_expired_action);
  gtk_widget_class_install_action (widget_class, "cache.load-hot", NULL, load_hot_action);
  gtk_widget_class_install_action (widget_class, "cache.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "cache.cancel", NULL, cancel_action);
}

static void
shmlab_cache_page_init (ShmlabCachePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_swapped (self->key_entry, "activate", G_CALLBACK (entry_activate_cb), self);
  g_signal_connect_swapped (self->value_entry, "activate", G_CALLBACK (entry_activate_cb), self);
  never_toggled_cb (self);
  shmlab_cache_table_set_placeholder (self->table, "");
  update_actions (self);
}
