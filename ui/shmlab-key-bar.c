/* shmlab-key-bar.c — the key, the backend (and in the Writer, the size),
 * with what they mean to the system shown underneath, always visible
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-key-bar.h"

#include <glib/gi18n.h>

#include "shmlab-label-whole.h"
#include "shmlab-limits.h"
#include "shmlab-lock-holder.h"
#include "shmlab-watch.h"

/* How long after the last keystroke a typed key is applied. */
#define APPLY_DELAY_MS 200

struct _ShmlabKeyBar
{
  GtkWidget parent_instance;

  /* Template widgets */
  GtkWidget *grid;
  GtkEntry *key_entry;
  GtkDropDown *kind_dropdown;
  GtkDropDown *backend_dropdown;
  GtkWidget *size_box;
  GtkEntry *size_entry;
  GtkLabel *error_label;
  GtkLabel *native_key_label;
  GtkLabel *attached_label;
  GtkLabel *locked_label;
  GtkLabel *size_label;
  GtkLabel *count_label;
  GtkWidget *stale_box;
  GtkLabel *stale_label;
  GtkWidget *remove_button;
  GtkWidget *qt_note_box;
  GtkLabel *qt_note_label;

  /* Owned */
  ShmlabSession *session;
  ShmlabWatch *watch;
  char *key_error;
  char *size_error;

  /* Set while the fields are filled from the session, so that does not apply. */
  gboolean syncing;
  /* Focus leaves the entries while the window goes away: nothing to apply then. */
  gboolean disposed;
  /* The typed key is applied when this fires. */
  guint apply_source;
};

G_DEFINE_FINAL_TYPE (ShmlabKeyBar, shmlab_key_bar, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_SESSION,
  PROP_SHOW_SIZE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_APPLIED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* What the system says of the segment: the watch's last look, or until
 * there is one, what the session saw after its last step. */
static const ShmlabSegmentInfo *
current_info (ShmlabKeyBar *self)
{
  if (self->watch != NULL && shmlab_watch_get_known (self->watch))
    return shmlab_watch_get_info (self->watch);
  return self->session ? shmlab_session_get_info (self->session) : NULL;
}

static void
update_error (ShmlabKeyBar *self)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (self->key_error)
    g_string_append (text, self->key_error);
  if (self->size_error)
    g_string_append_printf (text, "%s%s", text->len ? "\n" : "", self->size_error);

  gtk_label_set_text (self->error_label, text->str);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), text->len > 0);

  if (self->key_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->key_entry), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->key_entry), "error");
  if (self->size_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->size_entry), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->size_entry), "error");

  /* A screen reader says the problem with the field it belongs to. */
  if (self->key_error)
    gtk_accessible_update_state (GTK_ACCESSIBLE (self->key_entry), GTK_ACCESSIBLE_STATE_INVALID,
                                 GTK_ACCESSIBLE_INVALID_TRUE, -1);
  else
    gtk_accessible_reset_state (GTK_ACCESSIBLE (self->key_entry), GTK_ACCESSIBLE_STATE_INVALID);
  if (self->size_error)
    gtk_accessible_update_state (GTK_ACCESSIBLE (self->size_entry), GTK_ACCESSIBLE_STATE_INVALID,
                                 GTK_ACCESSIBLE_INVALID_TRUE, -1);
  else
    gtk_accessible_reset_state (GTK_ACCESSIBLE (self->size_entry), GTK_ACCESSIBLE_STATE_INVALID);
}

static void
set_key_error (ShmlabKeyBar *self,
               const char   *message)
{
  g_free (self->key_error);
  self->key_error = g_strdup (message);
  update_error (self);
}

static void
set_size_error (ShmlabKeyBar *self,
                const char   *message)
{
  g_free (self->size_error);
  self->size_error = g_strdup (message);
  update_error (self);
}

static void
set_pill (GtkLabel   *label,
          gboolean    on,
          const char *on_text,
          const char *off_text)
{
  gtk_label_set_text (label, on ? on_text : off_text);
  if (on)
    gtk_widget_add_css_class (GTK_WIDGET (label), "on");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (label), "on");
}

static void
update_native_key (ShmlabKeyBar *self)
{
  const ShmlabSegmentInfo *info;
  const char *native;
  g_autofree char *text = NULL;

  if (self->session == NULL || shmlab_session_get_native_key (self->session) == NULL)
    {
      gtk_label_set_text (self->native_key_label, "—");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->native_key_label), NULL);
      return;
    }

  native = shmlab_session_get_native_key (self->session);
  info = current_info (self);
  text = shmlab_segment_describe_native_key (shmlab_session_get_backend (self->session), native,
                                             info);

  gtk_label_set_text (self->native_key_label, text);
  /* The path is long: the tooltip shows all of it when the label is cut. */
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->native_key_label), text);
}

static void
update_state (ShmlabKeyBar *self)
{
  const ShmlabSegmentInfo *info = NULL;
  const ShmlabLockHolder *lock = NULL;
  gboolean attached = FALSE;
  gboolean locked = FALSE;
  guint64 size = 0;
  g_autofree char *size_text = NULL;
  g_autofree char *count_text = NULL;
  g_autofree char *other_holder = NULL;

  if (self->session)
    {
      info = current_info (self);
      attached = shmlab_session_get_attached (self->session);
      locked = shmlab_session_get_locked (self->session);
      size = attached ? shmlab_session_get_size (self->session) : (info->exists ? info->size : 0);
      if (self->watch != NULL && shmlab_watch_get_known (self->watch))
        lock = shmlab_watch_get_lock (self->watch);
    }

  set_pill (self->attached_label, attached, _("attached"), _("not attached"));
  /* Held here: "locked"; held elsewhere: by whom, as far as the system knows. */
  if (!locked && lock != NULL && lock->state == SHMLAB_LOCK_STATE_TAKEN)
    other_holder = shmlab_lock_holder_describe_other (lock);
  set_pill (self->locked_label, locked, _("locked"), _("not locked"));
  if (other_holder != NULL)
    {
      gtk_label_set_text (self->locked_label, other_holder);
      gtk_widget_add_css_class (GTK_WIDGET (self->locked_label), "elsewhere");
    }
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->locked_label), "elsewhere");

  if (info == NULL || (!attached && !info->exists))
    {
      size_text = g_strdup (_("no segment with this key"));
      count_text = g_strdup ("");
    }
  else
    {
      g_autofree char *bytes = shmlab_format_bytes (size);

      size_text = g_strdup_printf (_("size %s"), bytes);
      if (!info->exists)
        count_text = g_strdup ("");
      else if (info->attach_count_exact)
        count_text = g_strdup_printf (_("attach count %d"), info->attach_count);
      else
        count_text = g_strdup_printf (_("attach count at least %d"), info->attach_count);
    }
  gtk_label_set_text (self->size_label, size_text);
  gtk_label_set_text (self->count_label, count_text);
  gtk_widget_set_visible (GTK_WIDGET (self->count_label), *count_text != '\0');
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->count_label),
                               info && info->exists && !info->attach_count_exact
                                 ? _("The system keeps no count for a POSIX segment or a file: "
                                     "this counts the processes of this user that map it, others "
                                     "cannot be seen")
                                 : _("How many processes are attached to the segment now "
                                   "(shm_nattch)"));
  /* Left behind, or a file kept that nobody maps: either may be removed here. */
  gtk_widget_set_visible (self->stale_box,
                          info && (shmlab_segment_info_is_stale (info) ||
                                   (info->exists && info->persistent && info->attach_count == 0)));
  if (self->session != NULL)
    gtk_label_set_text (self->stale_label,
                        shmlab_backend_stale_note (shmlab_session_get_backend (self->session)));

  update_native_key (self);
}

/* The kind chosen beside the key. */
static ShmlabKeyKind
selected_kind (ShmlabKeyBar *self)
{
  return gtk_drop_down_get_selected (self->kind_dropdown) == SHMLAB_KEY_KIND_QT_NATIVE
           ? SHMLAB_KEY_KIND_QT_NATIVE : SHMLAB_KEY_KIND_QT_LEGACY;
}

/* The key the fields name now, or NULL (with @error) when it cannot be used. */
static ShmlabKey *
typed_key (ShmlabKeyBar  *self,
           GError       **error)
{
  return shmlab_key_new_full (gtk_editable_get_text (GTK_EDITABLE (self->key_entry)),
                              shmlab_key_bar_get_backend (self), selected_kind (self), error);
}

static gboolean
typed_key_is (ShmlabKeyBar *self,
              ShmlabKey    *key)
{
  g_autoptr(ShmlabKey) typed = typed_key (self, NULL);

  return typed != NULL && shmlab_key_equal (typed, key);
}

static gboolean
typed_key_valid (ShmlabKeyBar *self)
{
  g_autoptr(ShmlabKey) typed = typed_key (self, NULL);

  return typed != NULL;
}

/* The session's key changed elsewhere (an option, another widget): show it. */
static void
sync_from_session (ShmlabKeyBar *self)
{
  const char *key;
  ShmlabBackend backend;

  if (self->session == NULL)
    return;
  key = shmlab_session_get_key (self->session);
  backend = shmlab_session_get_backend (self->session);
  self->syncing = TRUE;
  /* The field keeps what was typed while it names the session's key (a
   * native key's name is Qt's string form of it). */
  if (key && !typed_key_is (self, shmlab_session_get_key_value (self->session)))
    gtk_editable_set_text (GTK_EDITABLE (self->key_entry), key);
  if (key && gtk_drop_down_get_selected (self->backend_dropdown) != shmlab_backend_index (backend))
    gtk_drop_down_set_selected (self->backend_dropdown, shmlab_backend_index (backend));
  if (key)
    gtk_drop_down_set_selected (self->kind_dropdown,
                                (guint) shmlab_key_get_kind (shmlab_session_get_key_value (self->session)));
  self->syncing = FALSE;
}

/* The session's key is watched: the bar shows what the system says of it. */
static void
watch_session_key (ShmlabKeyBar *self)
{
  shmlab_watch_set_key (self->watch, self->session ? shmlab_session_get_key_value (self->session)
                                                   : NULL);
  update_state (self);
}

/* This window's own step changed the segment or its lock: look again now. */
static void
session_state_changed (ShmlabKeyBar *self)
{
  shmlab_watch_refresh (self->watch);
  update_state (self);
}

static void
apply_quietly (ShmlabKeyBar *self)
{
  g_clear_handle_id (&self->apply_source, g_source_remove);
  if (!self->syncing && !self->disposed)
    shmlab_key_bar_apply (self, NULL);
}

static void
on_key_activate (ShmlabKeyBar *self)
{
  apply_quietly (self);
}

/* A pause in typing: a key that can be used is applied, so the native key
 * follows what is typed. A key that cannot waits for Enter or focus-out to
 * say why: half a key is no mistake yet. */
static gboolean
apply_typed_key (gpointer user_data)
{
  ShmlabKeyBar *self = user_data;

  self->apply_source = 0;
  if (typed_key_valid (self))
    apply_quietly (self);
  return G_SOURCE_REMOVE;
}

/* Typing clears an error as soon as the key is right again; it never adds
 * one. The key is applied a moment after the last keystroke (which is also
 * how a key set through the accessibility tree, whose activate GTK 4.8's
 * entry ignores, takes effect). */
static void
on_key_changed (ShmlabKeyBar *self)
{
  if (self->disposed || self->syncing)
    return;
  if (self->key_error && typed_key_valid (self))
    set_key_error (self, NULL);
  g_clear_handle_id (&self->apply_source, g_source_remove);
  if (self->session != NULL)
    {
      self->apply_source = g_timeout_add (APPLY_DELAY_MS, apply_typed_key, self);
      g_source_set_static_name (g_main_context_find_source_by_id (NULL, self->apply_source),
                                "[shmlab] apply typed key");
    }
}

static void
on_backend_selected (ShmlabKeyBar *self)
{
  apply_quietly (self);
}

static void
on_kind_selected (ShmlabKeyBar *self)
{
  apply_quietly (self);
}

static void
remove_in_thread (GTask        *task,
                  gpointer      source,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  GError *error = NULL;

  if (shmlab_segment_remove_for_key (task_data, FALSE, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
removed (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  ShmlabKeyBar *self = SHMLAB_KEY_BAR (source);
  g_autoptr(GError) error = NULL;

  gtk_widget_set_sensitive (self->remove_button, TRUE);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    set_key_error (self, error->message);
  if (self->watch != NULL)
    shmlab_watch_refresh (self->watch);
  update_state (self);
}

/* The stale segment of the session's key, removed in a worker: the same
 * as `shmlab remove`, refused while a process is attached. */
static void
on_remove_clicked (ShmlabKeyBar *self)
{
  g_autoptr(GTask) task = NULL;
  ShmlabKey *key;

  if (self->session == NULL || (key = shmlab_session_get_key_value (self->session)) == NULL)
    return;
  gtk_widget_set_sensitive (self->remove_button, FALSE);
  task = g_task_new (self, NULL, removed, NULL);
  g_task_set_source_tag (task, on_remove_clicked);
  g_task_set_task_data (task, shmlab_key_ref (key), (GDestroyNotify) shmlab_key_unref);
  g_task_run_in_thread (task, remove_in_thread);
}

static void
check_size (ShmlabKeyBar *self)
{
  guint64 size;

  if (!self->disposed)
    shmlab_key_bar_get_size (self, &size, NULL);
}

static void
on_size_activate (ShmlabKeyBar *self)
{
  check_size (self);
}

static void
on_size_changed (ShmlabKeyBar *self)
{
  guint64 size;

  if (!self->disposed && self->size_error && shmlab_key_bar_get_size (self, &size, NULL))
    set_size_error (self, NULL);
}

static void
on_key_focus_leave (ShmlabKeyBar *self)
{
  apply_quietly (self);
}

static void
on_size_focus_leave (ShmlabKeyBar *self)
{
  check_size (self);
}

static void
shmlab_key_bar_dispose (GObject *object)
{
  ShmlabKeyBar *self = SHMLAB_KEY_BAR (object);

  self->disposed = TRUE;
  g_clear_handle_id (&self->apply_source, g_source_remove);
  shmlab_key_bar_set_session (self, NULL);
  if (self->watch != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->watch, self);
      shmlab_watch_stop (self->watch);
      g_clear_object (&self->watch);
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), SHMLAB_TYPE_KEY_BAR);

  G_OBJECT_CLASS (shmlab_key_bar_parent_class)->dispose (object);
}

static void
shmlab_key_bar_finalize (GObject *object)
{
  ShmlabKeyBar *self = SHMLAB_KEY_BAR (object);

  g_free (self->key_error);
  g_free (self->size_error);

  G_OBJECT_CLASS (shmlab_key_bar_parent_class)->finalize (object);
}

static void
shmlab_key_bar_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  ShmlabKeyBar *self = SHMLAB_KEY_BAR (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_SHOW_SIZE:
      g_value_set_boolean (value, gtk_widget_get_visible (self->size_box));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
shmlab_key_bar_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  ShmlabKeyBar *self = SHMLAB_KEY_BAR (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      shmlab_key_bar_set_session (self, g_value_get_object (value));
      break;
    case PROP_SHOW_SIZE:
      shmlab_key_bar_set_show_size (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
shmlab_key_bar_class_init (ShmlabKeyBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = shmlab_key_bar_dispose;
  object_class->finalize = shmlab_key_bar_finalize;
  object_class->get_property = shmlab_key_bar_get_property;
  object_class->set_property = shmlab_key_bar_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, SHMLAB_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_SIZE] =
    g_param_spec_boolean ("show-size", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ShmlabKeyBar::applied:
   *
   * The fields' key was valid and given to the session (typed, Enter,
   * focus-out, or set): whatever said the key could not be used is past.
   */
  signals[SIGNAL_APPLIED] = g_signal_new ("applied", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/shmlab/shmlab-key-bar.ui");
  gtk_widget_class_bind_template_child (widget_class, ShmlabKeyBar, grid);
  gtk_widget_class_bind_template_child (widget_class, ShmlabKeyBar, key_entry);
  gtk_widget_class_bind_template_child (widget_class, ShmlabKeyBar, kind_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ShmlabKeyBar, backend_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ShmlabKeyBar, size_box);
  gtk_widget_class_bind_template_child (widget_class, ShmlabKeyBar, size_entry);
  gtk_widget_class_bind_template_child (widget_class, ShmlabKeyBar, error_label);
  gtk_widget_class_bind_template_child (widget_class, ShmlabKeyBar, native_key_label);
  gtk_widget_class_bind_template_child (widget_class, ShmlabKeyBar, attached_label);
  gtk_widget_class_bind_template_child (widget_class, ShmlabKeyBar, locked_label);
  gtk_widget_class_bind_template_child (widget_class, ShmlabKeyBar, size_label);
  gtk_widget_class_bind_template_child (widget_class, ShmlabKeyBar, count_label);
  gtk_widget_class_bind_template_child (widget_class, ShmlabKeyBar, stale_box);
  gtk_widget_class_bind_template_child (widget_class, ShmlabKeyBar, stale_label);
  gtk_widget_class_bind_template_child (widget_class, ShmlabKeyBar, remove_button);
  gtk_widget_class_bind_template_child (widget_class, ShmlabKeyBar, qt_note_box);
  gtk_widget_class_bind_template_child (widget_class, ShmlabKeyBar, qt_note_label);
  gtk_widget_class_bind_template_callback (widget_class, on_key_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_key_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_backend_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_kind_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_remove_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_size_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_size_changed);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "shmlab-key-bar");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
shmlab_key_bar_init (ShmlabKeyBar *self)
{
  GtkEventController *focus;

  self->watch = shmlab_watch_new (SHMLAB_WATCH_INTERVAL_MS);
  g_signal_connect_swapped (self->watch, "changed", G_CALLBACK (update_state), self);
  gtk_widget_init_template (GTK_WIDGET (self));
  shmlab_label_show_whole (self->native_key_label);
  shmlab_label_show_whole (self->error_label);

  self->syncing = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->key_entry), SHMLAB_DEFAULT_KEY);
  {
    g_autoptr(GtkStringList) choices = gtk_string_list_new (NULL);
    guint n_backends;
    const ShmlabBackend *backends = shmlab_backend_all (&n_backends);

    /* One choice a backend, in the order of the table. */
    for (guint i = 0; i < n_backends; i++)
      gtk_string_list_append (choices, shmlab_backend_describe_choice (backends[i]));
    gtk_drop_down_set_model (self->backend_dropdown, G_LIST_MODEL (choices));
    gtk_drop_down_set_selected (self->backend_dropdown,
                                shmlab_backend_index (SHMLAB_BACKEND_DEFAULT));
  }
  {
    /* One choice a kind, in the order of the enum. */
    g_autoptr(GtkStringList) kinds = gtk_string_list_new (NULL);

    gtk_string_list_append (kinds, shmlab_key_kind_describe (SHMLAB_KEY_KIND_QT_LEGACY));
    gtk_string_list_append (kinds, shmlab_key_kind_describe (SHMLAB_KEY_KIND_QT_NATIVE));
    gtk_drop_down_set_model (self->kind_dropdown, G_LIST_MODEL (kinds));
    gtk_drop_down_set_selected (self->kind_dropdown, SHMLAB_KEY_KIND_DEFAULT);
  }
  self->syncing = FALSE;

  focus = gtk_event_controller_focus_new ();
  g_signal_connect_swapped (focus, "leave", G_CALLBACK (on_key_focus_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self->key_entry), focus);

  focus = gtk_event_controller_focus_new ();
  g_signal_connect_swapped (focus, "leave", G_CALLBACK (on_size_focus_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self->size_entry), focus);

  update_state (self);
}

GtkWidget *
shmlab_key_bar_new (void)
{
  return g_object_new (SHMLAB_TYPE_KEY_BAR, NULL);
}

/**
 * shmlab_key_bar_set_session:
 * @session: (nullable): the session to show and to give the key to
 *
 * The bar shows the session's native key and state from now on. A session
 * that has a key puts it in the fields; one without gets the fields' key.
 */
void
shmlab_key_bar_set_session (ShmlabKeyBar  *self,
                            ShmlabSession *session)
{
  g_return_if_fail (SHMLAB_IS_KEY_BAR (self));
  g_return_if_fail (session == NULL || SHMLAB_IS_SESSION (session));

  if (self->session == session)
    return;

  if (self->session)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_set_object (&self->session, session);

  if (session)
    {
      static const char *const state_properties[] = {
        "notify::attached", "notify::locked", "notify::size", "notify::info",
      };

      for (gsize i = 0; i < G_N_ELEMENTS (state_properties); i++)
        g_signal_connect_swapped (session, state_properties[i], G_CALLBACK (session_state_changed),
                                  self);
      g_signal_connect_swapped (session, "notify::native-key", G_CALLBACK (watch_session_key), self);
      g_signal_connect_swapped (session, "notify::key", G_CALLBACK (sync_from_session), self);
      g_signal_connect_swapped (session, "notify::backend", G_CALLBACK (sync_from_session), self);

      if (shmlab_session_get_key (session) != NULL)
        sync_from_session (self);
      else
        shmlab_key_bar_apply (self, NULL);
    }

  if (!self->disposed)
    watch_session_key (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

/* The watch on the session's key, for whatever else shows the lock (the wait bar). */
ShmlabWatch *
shmlab_key_bar_get_watch (ShmlabKeyBar *self)
{
  g_return_val_if_fail (SHMLAB_IS_KEY_BAR (self), NULL);
  return self->watch;
}

ShmlabSession *
shmlab_key_bar_get_session (ShmlabKeyBar *self)
{
  g_return_val_if_fail (SHMLAB_IS_KEY_BAR (self), NULL);
  return self->session;
}

/* The Writer asks for a size; the Reader takes whatever the segment has. */
void
shmlab_key_bar_set_show_size (ShmlabKeyBar *self,
                              gboolean      show_size)
{
  g_return_if_fail (SHMLAB_IS_KEY_BAR (self));

  show_size = !!show_size;
  if (gtk_widget_get_visible (self->size_box) == show_size)
    return;
  gtk_widget_set_visible (self->size_box, show_size);
  if (!show_size)
    set_size_error (self, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_SIZE]);
}

/* Puts @key in the field and, with a session, applies it (errors show under it). */
void
shmlab_key_bar_set_key (ShmlabKeyBar *self,
                        const char   *key)
{
  g_return_if_fail (SHMLAB_IS_KEY_BAR (self));

  self->syncing = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->key_entry), key ? key : "");
  self->syncing = FALSE;
  if (self->session)
    shmlab_key_bar_apply (self, NULL);
}

const char *
shmlab_key_bar_get_key (ShmlabKeyBar *self)
{
  g_return_val_if_fail (SHMLAB_IS_KEY_BAR (self), NULL);
  return gtk_editable_get_text (GTK_EDITABLE (self->key_entry));
}

/* Selects @backend and, with a session, applies it. */
void
shmlab_key_bar_set_backend (ShmlabKeyBar  *self,
                            ShmlabBackend  backend)
{
  g_return_if_fail (SHMLAB_IS_KEY_BAR (self));

  self->syncing = TRUE;
  gtk_drop_down_set_selected (self->backend_dropdown, shmlab_backend_index (backend));
  self->syncing = FALSE;
  if (self->session)
    shmlab_key_bar_apply (self, NULL);
}

ShmlabBackend
shmlab_key_bar_get_backend (ShmlabKeyBar *self)
{
  guint n_backends;
  const ShmlabBackend *backends = shmlab_backend_all (&n_backends);
  guint selected;

  g_return_val_if_fail (SHMLAB_IS_KEY_BAR (self), SHMLAB_BACKEND_DEFAULT);
  selected = gtk_drop_down_get_selected (self->backend_dropdown);
  return selected < n_backends ? backends[selected] : SHMLAB_BACKEND_DEFAULT;
}

/* Selects @kind and, with a session, applies it. */
void
shmlab_key_bar_set_kind (ShmlabKeyBar  *self,
                         ShmlabKeyKind  kind)
{
  g_return_if_fail (SHMLAB_IS_KEY_BAR (self));

  self->syncing = TRUE;
  gtk_drop_down_set_selected (self->kind_dropdown, (guint) kind);
  self->syncing = FALSE;
  if (self->session)
    shmlab_key_bar_apply (self, NULL);
}

ShmlabKeyKind
shmlab_key_bar_get_kind (ShmlabKeyBar *self)
{
  g_return_val_if_fail (SHMLAB_IS_KEY_BAR (self), SHMLAB_KEY_KIND_DEFAULT);
  return selected_kind (self);
}

/* @text: "" or "Auto" for automatic, or a size such as "64 KiB". */
void
shmlab_key_bar_set_size_text (ShmlabKeyBar *self,
                              const char   *text)
{
  g_return_if_fail (SHMLAB_IS_KEY_BAR (self));

  gtk_editable_set_text (GTK_EDITABLE (self->size_entry),
                         text && g_ascii_strcasecmp (text, "auto") != 0 ? text : "");
  check_size (self);
}

/**
 * shmlab_key_bar_get_size:
 * @size: (out): the size in bytes, 0 for Auto
 * @error: why the text is not a size (also shown under the field)
 */
gboolean
shmlab_key_bar_get_size (ShmlabKeyBar  *self,
                         guint64       *size,
                         GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *text = NULL;
  guint64 bytes = 0;

  g_return_val_if_fail (SHMLAB_IS_KEY_BAR (self), FALSE);
  g_return_val_if_fail (size != NULL, FALSE);

  text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->size_entry))));
  if (*text == '\0' || g_ascii_strcasecmp (text, "auto") == 0)
    bytes = 0;
  else if (!shmlab_parse_size (text, &bytes, &local_error))
    ;
  else if (bytes == 0)
    g_set_error (&local_error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 _("a segment of 0 bytes cannot hold anything: leave the size empty (Auto) to "
                 "make it as large as the content needs, or give at least 1 byte"));

  if (local_error)
    {
      set_size_error (self, local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  set_size_error (self, NULL);
  *size = bytes;
  return TRUE;
}

/**
 * shmlab_key_bar_apply:
 * @error: a KEY_ERROR for a key that cannot be used (also shown under the
 *   field, which turns red)
 *
 * Gives the fields' key and backend to the session; they take effect with
 * its next operation. Without a session, only checks the key.
 */
gboolean
shmlab_key_bar_apply (ShmlabKeyBar  *self,
                      GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(ShmlabKey) value = NULL;
  const char *key;
  ShmlabBackend backend;
  gboolean ok;

  g_return_val_if_fail (SHMLAB_IS_KEY_BAR (self), FALSE);

  key = gtk_editable_get_text (GTK_EDITABLE (self->key_entry));
  backend = shmlab_key_bar_get_backend (self);
  if (self->session)
    ok = shmlab_session_set_key_full (self->session, key, backend, selected_kind (self), &local_error);
  else
    ok = (value = typed_key (self, &local_error)) != NULL;

  if (!ok)
    {
      set_key_error (self, local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  set_key_error (self, NULL);
  g_signal_emit (self, signals[SIGNAL_APPLIED], 0);
  return TRUE;
}

/* What the bar says under the fields, as one line: "native key · attached ·
 * not locked · size 22 bytes · attach count 1". */
char *
shmlab_key_bar_get_status_text (ShmlabKeyBar *self)
{
  GtkLabel *labels[] = {
    self->native_key_label, self->attached_label, self->locked_label, self->size_label,
    self->count_label,
  };
  GString *text;

  g_return_val_if_fail (SHMLAB_IS_KEY_BAR (self), NULL);

  text = g_string_new (NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (labels); i++)
    if (gtk_widget_get_visible (GTK_WIDGET (labels[i])))
      g_string_append_printf (text, "%s%s", text->len ? " · " : "",
                              gtk_label_get_text (labels[i]));
  if (gtk_widget_get_visible (self->stale_box))
    g_string_append_printf (text, " · %s", gtk_label_get_text (self->stale_label));
  return g_string_free (text, FALSE);
}

/* The message under the fields (a bad key or size), or NULL. */
const char *
shmlab_key_bar_get_error_text (ShmlabKeyBar *self)
{
  g_return_val_if_fail (SHMLAB_IS_KEY_BAR (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->error_label))
           ? gtk_label_get_text (self->error_label)
           : NULL;
}

/**
 * shmlab_key_bar_set_qt_note:
 * @note: (nullable): why no Qt program can read what is written, beside the
 *   backend's "Qt compatible"; %NULL when one can
 */
void
shmlab_key_bar_set_qt_note (ShmlabKeyBar *self,
                            const char   *note)
{
  g_return_if_fail (SHMLAB_IS_KEY_BAR (self));

  gtk_label_set_text (self->qt_note_label, note ? note : "");
  gtk_widget_set_visible (self->qt_note_box, note != NULL);
}

/* The note beside the backend, or NULL when none is shown. */
const char *
shmlab_key_bar_get_qt_note (ShmlabKeyBar *self)
{
  g_return_val_if_fail (SHMLAB_IS_KEY_BAR (self), NULL);
  return gtk_widget_get_visible (self->qt_note_box) ? gtk_label_get_text (self->qt_note_label)
                                                    : NULL;
}
