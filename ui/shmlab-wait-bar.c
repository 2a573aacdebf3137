/* shmlab-wait-bar.c — "waiting for the lock held by another process", a
 * spinner and Cancel; and a progress bar for long copies and encodings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-wait-bar.h"

#include <glib/gi18n.h>

#include "shmlab-lock-holder.h"

#define TICK_MS 100

struct _ShmlabWaitBar
{
  GtkWidget parent_instance;

  /* Template widgets */
  GtkRevealer *revealer;
  GtkSpinner *spinner;
  GtkLabel *message_label;
  GtkLabel *elapsed_label;
  GtkLabel *limit_label;
  GtkProgressBar *progress_bar;
  GtkWidget *cancel_button;

  /* Owned */
  ShmlabSession *session;
  ShmlabWatch *watch;
  GCancellable *session_cancellable;
  GCancellable *work_cancellable;
  char *work_what;

  gboolean waiting;
  gboolean working;
  double progress;
  gint64 wait_start_us;
  gint64 work_start_us;
  guint tick_source;
};

G_DEFINE_FINAL_TYPE (ShmlabWaitBar, shmlab_wait_bar, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_SESSION,
  PROP_SHOWN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
format_seconds (gint64 ms)
{
  if (ms % 1000 == 0)
    return g_strdup_printf ("%" G_GINT64_FORMAT " s", ms / 1000);
  return g_strdup_printf ("%.1f s", ms / 1000.0);
}

static gboolean can_cancel (ShmlabWaitBar *self);

static void
update_elapsed (ShmlabWaitBar *self)
{
  gint64 start = self->waiting ? self->wait_start_us : self->work_start_us;
  gint64 elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  g_autofree char *text = g_strdup_printf ("%.1f s", elapsed_ms / 1000.0);

  gtk_label_set_text (self->elapsed_label, text);
  if (!self->waiting && self->working && self->progress < 0)
    gtk_progress_bar_pulse (self->progress_bar);
}

static gboolean
on_tick (gpointer user_data)
{
  update_elapsed (user_data);
  return G_SOURCE_CONTINUE;
}

static void
update (ShmlabWaitBar *self)
{
  gboolean shown = self->waiting || self->working;
  gboolean was_shown = gtk_revealer_get_reveal_child (self->revealer);

  if (self->waiting)
    {
      gint timeout = shmlab_session_get_lock_timeout (self->session);
      g_autofree char *seconds = format_seconds (timeout);
      g_autofree char *limit = timeout < 0 ? g_strdup (_("waits until it is free"))
                                           : g_strdup_printf (_("gives up after %s"), seconds);

      const ShmlabLockHolder *lock = self->watch && shmlab_watch_get_known (self->watch)
                                       ? shmlab_watch_get_lock (self->watch)
                                       : NULL;

      /* Who holds it, as far as the system says; never "not locked". */
      if (lock != NULL && lock->state == SHMLAB_LOCK_STATE_TAKEN)
        {
          g_autofree char *holder = shmlab_lock_holder_describe_other (lock);
          g_autofree char *message = g_strdup_printf (_("Waiting for the lock — %s"), holder);

          gtk_label_set_text (self->message_label, message);
        }
      else
        gtk_label_set_text (self->message_label, _("Waiting for the lock held by another process…"));
      gtk_label_set_text (self->limit_label, limit);
      gtk_widget_set_visible (GTK_WIDGET (self->limit_label), TRUE);
      gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), FALSE);
    }
  else if (self->working)
    {
      gtk_label_set_text (self->message_label, self->work_what);
      gtk_widget_set_visible (GTK_WIDGET (self->limit_label), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), TRUE);
      if (self->progress >= 0)
        gtk_progress_bar_set_fraction (self->progress_bar, CLAMP (self->progress, 0, 1));
    }

  gtk_widget_set_sensitive (self->cancel_button, can_cancel (self));
  gtk_spinner_set_spinning (self->spinner, shown);
  /* It slides in to be noticed, and goes at once when the wait is over. */
  gtk_revealer_set_transition_type (self->revealer, shown ? GTK_REVEALER_TRANSITION_TYPE_SLIDE_DOWN
                                                          : GTK_REVEALER_TRANSITION_TYPE_NONE);
  gtk_revealer_set_reveal_child (self->revealer, shown);
  gtk_widget_set_visible (GTK_WIDGET (self->revealer), shown);

  if (shown && self->tick_source == 0)
    self->tick_source = g_timeout_add (TICK_MS, on_tick, self);
  else if (!shown)
    g_clear_handle_id (&self->tick_source, g_source_remove);
  if (shown)
    update_elapsed (self);

  if (shown != was_shown)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOWN]);
}

static gboolean
can_cancel (ShmlabWaitBar *self)
{
  if (self->waiting && self->session_cancellable &&
      !g_cancellable_is_cancelled (self->session_cancellable))
    return TRUE;
  return self->working && self->work_cancellable &&
         !g_cancellable_is_cancelled (self->work_cancellable);
}

static void
on_cancel_clicked (ShmlabWaitBar *self)
{
  if (self->waiting && self->session_cancellable)
    g_cancellable_cancel (self->session_cancellable);
  if (self->working && self->work_cancellable)
    g_cancellable_cancel (self->work_cancellable);
  gtk_widget_set_sensitive (self->cancel_button, FALSE);
}

static void
on_waiting_changed (ShmlabWaitBar *self)
{
  gboolean waiting = shmlab_session_get_waiting (self->session);

  if (waiting && !self->waiting)
    {
      self->wait_start_us = g_get_monotonic_time ();
      /* Who holds it is worth a look now, not at the next tick. */
      if (self->watch != NULL)
        shmlab_watch_refresh (self->watch);
    }
  self->waiting = waiting;
  update (self);
}

static void
shmlab_wait_bar_dispose (GObject *object)
{
  ShmlabWaitBar *self = SHMLAB_WAIT_BAR (object);

  g_clear_handle_id (&self->tick_source, g_source_remove);
  if (self->session)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->session);
  shmlab_wait_bar_set_watch (self, NULL);
  g_clear_object (&self->session_cancellable);
  g_clear_object (&self->work_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), SHMLAB_TYPE_WAIT_BAR);

  G_OBJECT_CLASS (shmlab_wait_bar_parent_class)->dispose (object);
}

static void
shmlab_wait_bar_finalize (GObject *object)
{
  ShmlabWaitBar *self = SHMLAB_WAIT_BAR (object);

  g_free (self->work_what);

  G_OBJECT_CLASS (shmlab_wait_bar_parent_class)->finalize (object);
}

static void
shmlab_wait_bar_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  ShmlabWaitBar *self = SHMLAB_WAIT_BAR (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_SHOWN:
      g_value_set_boolean (value, shmlab_wait_bar_is_shown (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
shmlab_wait_bar_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  ShmlabWaitBar *self = SHMLAB_WAIT_BAR (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      shmlab_wait_bar_set_session (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
shmlab_wait_bar_class_init (ShmlabWaitBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = shmlab_wait_bar_dispose;
  object_class->finalize = shmlab_wait_bar_finalize;
  object_class->get_property = shmlab_wait_bar_get_property;
  object_class->set_property = shmlab_wait_bar_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, SHMLAB_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOWN] =
    g_param_spec_boolean ("shown", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/shmlab/shmlab-wait-bar.ui");
  gtk_widget_class_bind_template_child (widget_class, ShmlabWaitBar, revealer);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWaitBar, spinner);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWaitBar, message_label);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWaitBar, elapsed_label);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWaitBar, limit_label);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWaitBar, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWaitBar, cancel_button);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "shmlab-wait-bar");
}

static void
shmlab_wait_bar_init (ShmlabWaitBar *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->progress = -1;
  gtk_widget_set_visible (GTK_WIDGET (self->revealer), FALSE);
}

GtkWidget *
shmlab_wait_bar_new (void)
{
  return g_object_new (SHMLAB_TYPE_WAIT_BAR, NULL);
}

/* Shows the bar while @session waits for a lock another process holds. */
void
shmlab_wait_bar_set_session (ShmlabWaitBar *self,
                             ShmlabSession *session)
{
  g_return_if_fail (SHMLAB_IS_WAIT_BAR (self));
  g_return_if_fail (session == NULL || SHMLAB_IS_SESSION (session));

  if (self->session == session)
    return;
  if (self->session)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_set_object (&self->session, session);
  self->waiting = FALSE;
  if (session)
    {
      g_signal_connect_swapped (session, "notify::waiting", G_CALLBACK (on_waiting_changed), self);
      g_signal_connect_swapped (session, "notify::lock-timeout", G_CALLBACK (update), self);
      on_waiting_changed (self);
    }
  else
    update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

/**
 * shmlab_wait_bar_set_cancellable:
 * @cancellable: (nullable): the cancellable of the session operation now
 *   running; Cancel cancels it while the session waits for the lock
 */
void
shmlab_wait_bar_set_cancellable (ShmlabWaitBar *self,
                                 GCancellable  *cancellable)
{
  g_return_if_fail (SHMLAB_IS_WAIT_BAR (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  g_set_object (&self->session_cancellable, cancellable);
  gtk_widget_set_sensitive (self->cancel_button, can_cancel (self));
}

/**
 * shmlab_wait_bar_start_work:
 * @what: what runs, e.g. "Encoding the image as PNG…"
 * @cancellable: (nullable): what Cancel cancels
 *
 * Shows the bar with a pulsing progress bar until shmlab_wait_bar_stop_work();
 * shmlab_wait_bar_set_progress() turns it into a fraction.
 */
void
shmlab_wait_bar_start_work (ShmlabWaitBar *self,
                            const char    *what,
                            GCancellable  *cancellable)
{
  g_return_if_fail (SHMLAB_IS_WAIT_BAR (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  g_free (self->work_what);
  self->work_what = g_strdup (what ? what : _("Working…"));
  g_set_object (&self->work_cancellable, cancellable);
  self->working = TRUE;
  self->progress = -1;
  self->work_start_us = g_get_monotonic_time ();
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  update (self);
}

/* @fraction: 0 to 1, or negative when how far is not known (the bar pulses). */
void
shmlab_wait_bar_set_progress (ShmlabWaitBar *self,
                              double         fraction)
{
  g_return_if_fail (SHMLAB_IS_WAIT_BAR (self));

  self->progress = fraction;
  if (self->working && fraction >= 0)
    gtk_progress_bar_set_fraction (self->progress_bar, CLAMP (fraction, 0, 1));
}

void
shmlab_wait_bar_stop_work (ShmlabWaitBar *self)
{
  g_return_if_fail (SHMLAB_IS_WAIT_BAR (self));

  self->working = FALSE;
  g_clear_object (&self->work_cancellable);
  update (self);
}

gboolean
shmlab_wait_bar_is_shown (ShmlabWaitBar *self)
{
  g_return_val_if_fail (SHMLAB_IS_WAIT_BAR (self), FALSE);
  return gtk_revealer_get_reveal_child (self->revealer);
}

/* What the bar says now ("Waiting for the lock…", or the work's name). */
const char *
shmlab_wait_bar_get_message (ShmlabWaitBar *self)
{
  g_return_val_if_fail (SHMLAB_IS_WAIT_BAR (self), NULL);
  return shmlab_wait_bar_is_shown (self) ? gtk_label_get_text (self->message_label) : NULL;
}

static void
on_watch_changed (ShmlabWaitBar *self)
{
  if (self->waiting)
    update (self);
}

/* The watch on the session's key (the key bar's): while waiting, the bar
 * names the lock's holder from it. */
void
shmlab_wait_bar_set_watch (ShmlabWaitBar *self,
                           ShmlabWatch   *watch)
{
  g_return_if_fail (SHMLAB_IS_WAIT_BAR (self));

  if (self->watch == watch)
    return;
  if (self->watch != NULL)
    g_signal_handlers_disconnect_by_data (self->watch, self);
  g_set_object (&self->watch, watch);
  if (watch != NULL)
    g_signal_connect_swapped (watch, "changed", G_CALLBACK (on_watch_changed), self);
}
