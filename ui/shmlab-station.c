/* shmlab-station.c — the base of the Writer and the Reader: one session
 * with its key bar, content, steps, segment and memory tabs, and a header
 * bar, as a widget
 *
 * A station is the whole of a Writer or a Reader. Alone in a window
 * (ShmlabWindow) its header bar is the window's title bar; in the Lab two
 * stations sit side by side, each header bar a pane's own, with its title.
 *
 * Every segment operation goes through the station's ShmlabSession, which
 * runs it in a thread; the station starts operations, one job at a time,
 * and shows their results. When its window goes, the station cancels what
 * runs and lets the session detach in a thread while the application stays
 * alive.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-station.h"

#include <glib/gi18n.h>

#include <stdio.h>

#include "shmlab-zoom.h"
#include "shmlab-a11y.h"
#include "shmlab-cleanup.h"

typedef struct
{
  /* Template widgets */
  GtkWidget *box;
  GtkHeaderBar *header_bar;
  GtkCheckButton *step_by_step_check;
  GtkSpinButton *timeout_spin;
  GtkCheckButton *timeout_forever;
  GtkButton *zoom_reset_button;
  ShmlabKeyBar *key_bar;
  GtkBox *banner_box;
  GtkPaned *paned;
  GtkMenuButton *menu_button;
  GtkStackSwitcher *side_switcher;
  GtkStack *side_stack;
  GtkStackPage *segment_page;
  ShmlabStepLog *step_log;
  ShmlabInspector *inspector;
  ShmlabMemoryView *memory_view;
  GtkWidget *step_bar;
  ShmlabWaitBar *wait_bar;

  /* Owned */
  ShmlabSession *session;
  GCancellable *cancellable;  /* the running job's; NULL when idle */
  GApplication *job_app;      /* held while a job runs */
  GApplication *app;          /* the last application its window had, for closing */
  GtkWindow *root;            /* the window it is in, watched for its application */
  char *title;
  GtkWidget *title_label;     /* the header bar's title when embedded; NULL alone */
  GtkEventController *shortcuts; /* the application's keys for its actions */
  gboolean embedded;
  char *last_step_error;      /* the last failed step's message, not to say it twice */

  /* State */
  gboolean job_running;
  gboolean step_by_step;
  gboolean print_steps;
  gboolean syncing_timeout;
  gboolean was_busy;
  gboolean closed;            /* destroyed: jobs end quietly, widgets are left alone */
} ShmlabStationPrivate;

static void shmlab_station_buildable_init (GtkBuildableIface *iface);

G_DEFINE_TYPE_WITH_CODE (ShmlabStation, shmlab_station, GTK_TYPE_WIDGET,
                         G_ADD_PRIVATE (ShmlabStation)
                         G_IMPLEMENT_INTERFACE (GTK_TYPE_BUILDABLE, shmlab_station_buildable_init))

enum
{
  PROP_0,
  PROP_BUSY,
  PROP_STEP_BY_STEP,
  PROP_STEP_HINT,
  PROP_PANE_POSITION,
  PROP_SEGMENT_TITLE,
  PROP_TITLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];
static GtkBuildableIface *parent_buildable_iface;

static void update_shortcuts (ShmlabStation  *self,
                              GtkApplication *app);

/* A subclass's template places its widgets by child type. */
static void
shmlab_station_buildable_add_child (GtkBuildable *buildable,
                                   GtkBuilder   *builder,
                                   GObject      *child,
                                   const char   *type)
{
  ShmlabStationPrivate *priv = shmlab_station_get_instance_private (SHMLAB_STATION (buildable));

  if (g_strcmp0 (type, "start") == 0)
    gtk_header_bar_pack_start (priv->header_bar, GTK_WIDGET (child));
  else if (g_strcmp0 (type, "end") == 0)
    gtk_header_bar_pack_end (priv->header_bar, GTK_WIDGET (child));
  else if (g_strcmp0 (type, "banner") == 0)
    gtk_box_append (priv->banner_box, GTK_WIDGET (child));
  else if (g_strcmp0 (type, "content") == 0)
    gtk_paned_set_start_child (priv->paned, GTK_WIDGET (child));
  else if (g_strcmp0 (type, "step") == 0)
    gtk_box_append (GTK_BOX (priv->step_bar), GTK_WIDGET (child));
  else
    parent_buildable_iface->add_child (buildable, builder, child, type);
}

static void
shmlab_station_buildable_init (GtkBuildableIface *iface)
{
  parent_buildable_iface = g_type_interface_peek_parent (iface);
  iface->add_child = shmlab_station_buildable_add_child;
}

/* ---- state ---- */

/* The window is busy while a job of its own or a session step runs. */
gboolean
shmlab_station_get_busy (ShmlabStation *self)
{
  ShmlabStationPrivate *priv;

  g_return_val_if_fail (SHMLAB_IS_STATION (self), FALSE);
  priv = shmlab_station_get_instance_private (self);
  return priv->job_running || (priv->session != NULL && shmlab_session_get_busy (priv->session));
}

gboolean
shmlab_station_get_closed (ShmlabStation *self)
{
  ShmlabStationPrivate *priv;

  g_return_val_if_fail (SHMLAB_IS_STATION (self), TRUE);
  priv = shmlab_station_get_instance_private (self);
  return priv->closed;
}

gboolean
shmlab_station_get_job_running (ShmlabStation *self)
{
  ShmlabStationPrivate *priv;

  g_return_val_if_fail (SHMLAB_IS_STATION (self), FALSE);
  priv = shmlab_station_get_instance_private (self);
  return priv->job_running;
}

/* Every action's sensitivity, from the window's and the session's state. */
void
shmlab_station_update_actions (ShmlabStation *self)
{
  ShmlabStationPrivate *priv = shmlab_station_get_instance_private (self);
  ShmlabStationClass *klass = SHMLAB_STATION_GET_CLASS (self);
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean busy, attached, locked, free_to_step;

  if (priv->session == NULL || priv->closed)
    return;

  busy = shmlab_station_get_busy (self);
  attached = shmlab_session_get_attached (priv->session);
  locked = shmlab_session_get_locked (priv->session);
  free_to_step = !busy && (klass->can_step == NULL || klass->can_step (self));

  gtk_widget_action_set_enabled (widget, "win.cancel", priv->job_running);
  gtk_widget_action_set_enabled (widget, "win.step-attach", free_to_step && !attached);
  gtk_widget_action_set_enabled (widget, "win.step-lock", free_to_step && attached && !locked);
  gtk_widget_action_set_enabled (widget, "win.step-unlock", free_to_step && locked);
  gtk_widget_action_set_enabled (widget, "win.step-detach", free_to_step && attached);

  if (klass->update_actions != NULL)
    klass->update_actions (self);
}

static void
busy_changed (ShmlabStation *self)
{
  ShmlabStationPrivate *priv = shmlab_station_get_instance_private (self);
  gboolean busy;

  if (priv->closed)
    return;
  busy = shmlab_station_get_busy (self);
  shmlab_station_update_actions (self);
  if (busy != priv->was_busy)
    {
      priv->was_busy = busy;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
    }
}

/**
 * shmlab_station_begin_job:
 * @what: (nullable): what runs, shown in the wait bar at once; NULL for a
 *   quick step, for which the wait bar shows only while it waits for the lock
 * @cancellable: (nullable): the caller's, or NULL for a new one
 *
 * One job at a time (a one-click action, a step, a load), with Cancel. The
 * application is held until shmlab_station_end_job(), so that it does not
 * quit under the job's feet.
 *
 * Returns: FALSE when another job or step runs, or the window is closed
 */
gboolean
shmlab_station_begin_job (ShmlabStation *self,
                         const char   *what,
                         GCancellable *cancellable)
{
  ShmlabStationPrivate *priv;
  g_return_val_if_fail (SHMLAB_IS_STATION (self), FALSE);
  priv = shmlab_station_get_instance_private (self);

  if (priv->job_running || priv->closed || shmlab_session_get_busy (priv->session))
    return FALSE;

  priv->job_running = TRUE;
  g_clear_pointer (&priv->last_step_error, g_free);
  g_clear_object (&priv->cancellable);
  priv->cancellable = cancellable ? g_object_ref (cancellable) : g_cancellable_new ();
  if (priv->app != NULL)
    {
      priv->job_app = g_object_ref (priv->app);
      g_application_hold (priv->job_app);
    }
  if (what != NULL)
    shmlab_wait_bar_start_work (priv->wait_bar, what, priv->cancellable);
  else
    shmlab_wait_bar_set_cancellable (priv->wait_bar, priv->cancellable);
  busy_changed (self);
  return TRUE;
}

/* The running job's cancellable; NULL when none runs. */
GCancellable *
shmlab_station_get_cancellable (ShmlabStation *self)
{
  ShmlabStationPrivate *priv;

  g_return_val_if_fail (SHMLAB_IS_STATION (self), NULL);
  priv = shmlab_station_get_instance_private (self);
  return priv->cancellable;
}

void
shmlab_station_end_job (ShmlabStation *self)
{
  ShmlabStationPrivate *priv;
  g_autoptr(GApplication) app = NULL;

  g_return_if_fail (SHMLAB_IS_STATION (self));
  priv = shmlab_station_get_instance_private (self);

  priv->job_running = FALSE;
  g_clear_object (&priv->cancellable);
  app = g_steal_pointer (&priv->job_app);
  if (!priv->closed)
    {
      shmlab_wait_bar_stop_work (priv->wait_bar);
      shmlab_wait_bar_set_cancellable (priv->wait_bar, NULL);
      busy_changed (self);
    }
  if (app != NULL)
    g_application_release (app);
}

/* Cancels the running job: a lock wait, a load, an encoding. */
void
shmlab_station_cancel (ShmlabStation *self)
{
  ShmlabStationPrivate *priv;

  g_return_if_fail (SHMLAB_IS_STATION (self));
  priv = shmlab_station_get_instance_private (self);
  if (priv->cancellable != NULL)
    g_cancellable_cancel (priv->cancellable);
}

/**
 * shmlab_station_note:
 * @is_error: whether it says something went wrong
 *
 * A line of the step log that is no step; with --print-steps, also on
 * standard output, among the steps.
 */
void
shmlab_station_note (ShmlabStation *self,
                    const char   *text,
                    gboolean      is_error)
{
  ShmlabStationPrivate *priv;

  g_return_if_fail (SHMLAB_IS_STATION (self));
  priv = shmlab_station_get_instance_private (self);
  if (priv->closed)
    return;
  shmlab_step_log_append_note (priv->step_log, text, is_error);
  if (priv->print_steps)
    {
      g_print (_("note  %s\n"), text);
      fflush (stdout);
    }
}

/* Whether the last failed step said @error already (the log need not say it twice). */
gboolean
shmlab_station_step_said (ShmlabStation *self,
                         const GError *error)
{
  ShmlabStationPrivate *priv;
  gboolean said;

  g_return_val_if_fail (SHMLAB_IS_STATION (self), FALSE);
  priv = shmlab_station_get_instance_private (self);
  said = error != NULL && g_strcmp0 (priv->last_step_error, error->message) == 0;
  g_clear_pointer (&priv->last_step_error, g_free);
  return said;
}

/* ---- the step-by-step actions ---- */

/* One step of the step-by-step bar: how it is shown, and how it starts. */
typedef struct
{
  const char *what;      /* in the wait bar */
  const char *noun;      /* "locking: cancelled" */
  const char *failure;   /* the banner's title */
  gboolean apply_key;
  void (*start) (ShmlabStation        *self,
                 ShmlabSession       *session,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data);
} StepInfo;

/* A step in flight: its own description and the window it belongs to. */
typedef struct
{
  ShmlabStation *self;
  const StepInfo *info;
} Step;

static void
step_free (Step *step)
{
  g_object_unref (step->self);
  g_free (step);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Step, step_free)

static void
show_failure (ShmlabStation *self,
              const char   *title,
              const char   *noun,
              const GError *error)
{
  ShmlabStationClass *klass = SHMLAB_STATION_GET_CLASS (self);
  gboolean said = shmlab_station_step_said (self, error);

  if (klass->show_failure != NULL)
    klass->show_failure (self, title, noun, error, said);
}

static void
step_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(Step) step = user_data;
  ShmlabStationPrivate *priv = shmlab_station_get_instance_private (step->self);
  g_autoptr(GError) error = NULL;
  gboolean ok = shmlab_session_step_finish (SHMLAB_SESSION (source), result, &error);

  shmlab_station_end_job (step->self);
  if (priv->closed)
    return;
  if (ok)
    {
      if (SHMLAB_STATION_GET_CLASS (step->self)->step_done != NULL)
        SHMLAB_STATION_GET_CLASS (step->self)->step_done (step->self);
      return;
    }
  show_failure (step->self, _(step->info->failure), _(step->info->noun), error);
}

static void
run_step (ShmlabStation   *self,
          const StepInfo *info)
{
  ShmlabStationPrivate *priv = shmlab_station_get_instance_private (self);
  g_autoptr(GError) error = NULL;
  Step *step;

  if (!shmlab_station_begin_job (self, _(info->what), NULL))
    return;
  if (info->apply_key && !shmlab_key_bar_apply (priv->key_bar, &error))
    {
      shmlab_station_end_job (self);
      show_failure (self, _(info->failure), _(info->noun), error);
      return;
    }
  step = g_new0 (Step, 1);
  step->self = g_object_ref (self);
  step->info = info;
  info->start (self, priv->session, priv->cancellable, step_done_cb, step);
}

static void
start_attach (ShmlabStation        *self,
              ShmlabSession       *session,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  shmlab_session_attach_async (session, SHMLAB_STATION_GET_CLASS (self)->attach_mode, cancellable,
                               callback, user_data);
}

static void
start_lock (ShmlabStation        *self,
            ShmlabSession       *session,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  shmlab_session_lock_async (session, cancellable, callback, user_data);
}

static void
start_unlock (ShmlabStation        *self,
              ShmlabSession       *session,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  shmlab_session_unlock_async (session, cancellable, callback, user_data);
}

static void
start_detach (ShmlabStation        *self,
              ShmlabSession       *session,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  shmlab_session_detach_async (session, cancellable, callback, user_data);
}

static const StepInfo attach_step = {
  N_("Attaching…"), N_("attaching"), N_("Could not attach"), TRUE, start_attach,
};
static const StepInfo lock_step = {
  N_("Locking…"), N_("locking"), N_("Could not lock"), FALSE, start_lock,
};
static const StepInfo unlock_step = {
  N_("Unlocking…"), N_("unlocking"), N_("Could not unlock"), FALSE, start_unlock,
};
static const StepInfo detach_step = {
  N_("Detaching…"), N_("detaching"), N_("Could not detach"), FALSE, start_detach,
};

static void
step_attach_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  run_step (SHMLAB_STATION (widget), &attach_step);
}

static void
step_lock_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  run_step (SHMLAB_STATION (widget), &lock_step);
}

static void
step_unlock_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  run_step (SHMLAB_STATION (widget), &unlock_step);
}

static void
step_detach_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  run_step (SHMLAB_STATION (widget), &detach_step);
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  shmlab_station_cancel (SHMLAB_STATION (widget));
}

/* ---- settings ---- */

gboolean
shmlab_station_get_step_by_step (ShmlabStation *self)
{
  ShmlabStationPrivate *priv;

  g_return_val_if_fail (SHMLAB_IS_STATION (self), FALSE);
  priv = shmlab_station_get_instance_private (self);
  return priv->step_by_step;
}

void
shmlab_station_set_step_by_step (ShmlabStation *self,
                                gboolean      step_by_step)
{
  ShmlabStationPrivate *priv;

  g_return_if_fail (SHMLAB_IS_STATION (self));
  priv = shmlab_station_get_instance_private (self);

  step_by_step = !!step_by_step;
  if (priv->step_by_step == step_by_step)
    return;
  priv->step_by_step = step_by_step;
  gtk_widget_set_visible (priv->step_bar, step_by_step);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STEP_BY_STEP]);
}

/* The lock timeout: seconds, or as long as it takes (-1, as Qt waits). */
static void
session_timeout_changed (ShmlabStation *self)
{
  ShmlabStationPrivate *priv = shmlab_station_get_instance_private (self);
  gint timeout = shmlab_session_get_lock_timeout (priv->session);

  if (priv->closed)
    return;
  priv->syncing_timeout = TRUE;
  gtk_check_button_set_active (priv->timeout_forever, timeout < 0);
  gtk_widget_set_sensitive (GTK_WIDGET (priv->timeout_spin), timeout >= 0);
  if (timeout >= 0 &&
      ABS (gtk_spin_button_get_value (priv->timeout_spin) - timeout / 1000.0) > 0.0005)
    gtk_spin_button_set_value (priv->timeout_spin, timeout / 1000.0);
  priv->syncing_timeout = FALSE;
}

static void
timeout_controls_changed (ShmlabStation *self)
{
  ShmlabStationPrivate *priv = shmlab_station_get_instance_private (self);
  gint timeout;

  if (priv->syncing_timeout || priv->session == NULL)
    return;
  if (gtk_check_button_get_active (priv->timeout_forever))
    timeout = -1;
  else
    timeout = (gint) (gtk_spin_button_get_value (priv->timeout_spin) * 1000.0 + 0.5);
  shmlab_session_set_lock_timeout (priv->session, timeout);
}

/* Bound to no window: the last detach, after the window is gone, prints too. */
static void
print_step (ShmlabSession    *session,
            const ShmlabStep *step,
            gpointer          user_data)
{
  g_autofree char *line = shmlab_step_to_string (step);

  g_print ("%s\n", line);
  fflush (stdout);
}

/* --print-steps: each step and note as one line on standard output, as it happens. */
void
shmlab_station_set_print_steps (ShmlabStation *self,
                               gboolean      print_steps)
{
  ShmlabStationPrivate *priv;

  g_return_if_fail (SHMLAB_IS_STATION (self));
  priv = shmlab_station_get_instance_private (self);

  print_steps = !!print_steps;
  if (priv->print_steps == print_steps || priv->session == NULL)
    return;
  priv->print_steps = print_steps;
  if (print_steps)
    g_signal_connect (priv->session, "step", G_CALLBACK (print_step), NULL);
  else
    g_signal_handlers_disconnect_by_func (priv->session, print_step, NULL);
}

gboolean
shmlab_station_get_print_steps (ShmlabStation *self)
{
  ShmlabStationPrivate *priv;

  g_return_val_if_fail (SHMLAB_IS_STATION (self), FALSE);
  priv = shmlab_station_get_instance_private (self);
  return priv->print_steps;
}

static void
session_step_cb (ShmlabSession    *session,
                 const ShmlabStep *step,
                 ShmlabStation     *self)
{
  ShmlabStationPrivate *priv = shmlab_station_get_instance_private (self);

  if (!step->ok && step->error != NULL)
    {
      g_free (priv->last_step_error);
      priv->last_step_error = g_strdup (step->error->message);
    }
}

/* ---- accessors ---- */

ShmlabSession *
shmlab_station_get_session (ShmlabStation *self)
{
  ShmlabStationPrivate *priv;

  g_return_val_if_fail (SHMLAB_IS_STATION (self), NULL);
  priv = shmlab_station_get_instance_private (self);
  return priv->session;
}

ShmlabKeyBar *
shmlab_station_get_key_bar (ShmlabStation *self)
{
  ShmlabStationPrivate *priv;

  g_return_val_if_fail (SHMLAB_IS_STATION (self), NULL);
  priv = shmlab_station_get_instance_private (self);
  return priv->key_bar;
}

ShmlabStepLog *
shmlab_station_get_step_log (ShmlabStation *self)
{
  ShmlabStationPrivate *priv;

  g_return_val_if_fail (SHMLAB_IS_STATION (self), NULL);
  priv = shmlab_station_get_instance_private (self);
  return priv->step_log;
}

ShmlabInspector *
shmlab_station_get_inspector (ShmlabStation *self)
{
  ShmlabStationPrivate *priv;

  g_return_val_if_fail (SHMLAB_IS_STATION (self), NULL);
  priv = shmlab_station_get_instance_private (self);
  return priv->inspector;
}

ShmlabWaitBar *
shmlab_station_get_wait_bar (ShmlabStation *self)
{
  ShmlabStationPrivate *priv;

  g_return_val_if_fail (SHMLAB_IS_STATION (self), NULL);
  priv = shmlab_station_get_instance_private (self);
  return priv->wait_bar;
}

/* "steps", "segment" or "memory": which tab of the side panel is in front. */
const char *
shmlab_station_get_side_page (ShmlabStation *self)
{
  ShmlabStationPrivate *priv;

  g_return_val_if_fail (SHMLAB_IS_STATION (self), NULL);
  priv = shmlab_station_get_instance_private (self);
  return gtk_stack_get_visible_child_name (priv->side_stack);
}

void
shmlab_station_set_side_page (ShmlabStation *self,
                             const char   *page)
{
  ShmlabStationPrivate *priv;

  g_return_if_fail (SHMLAB_IS_STATION (self));
  priv = shmlab_station_get_instance_private (self);
  gtk_stack_set_visible_child_name (priv->side_stack, page);
}

const char *
shmlab_station_get_title (ShmlabStation *self)
{
  ShmlabStationPrivate *priv;

  g_return_val_if_fail (SHMLAB_IS_STATION (self), NULL);
  priv = shmlab_station_get_instance_private (self);
  return priv->title;
}

/**
 * shmlab_station_set_embedded:
 * @embedded: TRUE in a pane beside another station
 *
 * Alone in its window (the default), the station's header bar shows the
 * window's title, and its tabs (steps, segment, memory) sit beside its
 * content. Embedded, the header bar shows the station's own title, the
 * tabs sit below the content, so that two stations fit side by side, and
 * the application's keys act on it only while the focus is inside it.
 * Which window buttons its header bar shows is
 * shmlab_station_set_decoration_layout()'s.
 */
void
shmlab_station_set_embedded (ShmlabStation *self,
                             gboolean       embedded)
{
  ShmlabStationPrivate *priv;

  g_return_if_fail (SHMLAB_IS_STATION (self));
  priv = shmlab_station_get_instance_private (self);
  embedded = !!embedded;
  if (priv->embedded != embedded)
    {
      priv->embedded = embedded;
      if (priv->app != NULL)
        update_shortcuts (self, GTK_APPLICATION (priv->app));
    }
  gtk_orientable_set_orientation (GTK_ORIENTABLE (priv->paned),
                                  embedded ? GTK_ORIENTATION_VERTICAL : GTK_ORIENTATION_HORIZONTAL);
  if (embedded && priv->title_label == NULL)
    {
      priv->title_label = gtk_label_new (priv->title);
      gtk_widget_add_css_class (priv->title_label, "title");
      gtk_header_bar_set_title_widget (priv->header_bar, priv->title_label);
    }
  else if (!embedded && priv->title_label != NULL)
    {
      gtk_header_bar_set_title_widget (priv->header_bar, NULL);
      priv->title_label = NULL;
    }
}

/**
 * shmlab_station_set_decoration_layout:
 * @layout: (nullable): the window buttons its header bar shows, as
 *   #GtkHeaderBar:decoration-layout; NULL for the desktop's
 *
 * Two stations side by side share the window's buttons: the left one
 * shows those the desktop puts on the left, the right one the others.
 */
void
shmlab_station_set_decoration_layout (ShmlabStation *self,
                                      const char    *layout)
{
  ShmlabStationPrivate *priv;

  g_return_if_fail (SHMLAB_IS_STATION (self));
  priv = shmlab_station_get_instance_private (self);
  gtk_header_bar_set_decoration_layout (priv->header_bar, layout);
}

/* ---- closing ---- */

static void
session_closed_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GApplication) app = user_data;
  g_autoptr(GError) error = NULL;

  if (!shmlab_session_close_finish (result, &error))
    g_printerr ("%s: %s\n", g_get_prgname (), error->message);
  if (app != NULL)
    g_application_release (app);
}

/* The application's keys for this station's actions (Ctrl+Return writes,
 * F10 opens the menu). A window runs the application's keys on itself, and
 * a station's actions are not found there: here they run on the station,
 * before any of its widgets sees the key. Alone in its window, wherever the
 * focus is (even nowhere); embedded beside another station, while the
 * focus is inside it, so that each pane's keys are its own. */
static void
update_shortcuts (ShmlabStation *self,
                  GtkApplication *app)
{
  ShmlabStationPrivate *priv = shmlab_station_get_instance_private (self);
  GtkWidgetClass *klass = GTK_WIDGET_GET_CLASS (self);
  GtkEventController *controller = gtk_shortcut_controller_new ();
  const char *name, *property;
  const GVariantType *parameter;
  GType owner;

  gtk_event_controller_set_static_name (controller, "shmlab-station-shortcuts");
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (controller),
                                     priv->embedded ? GTK_SHORTCUT_SCOPE_LOCAL
                                                    : GTK_SHORTCUT_SCOPE_GLOBAL);
  /* GTK 4.8 writes every out argument: none may be NULL. */
  for (guint i = 0; gtk_widget_class_query_action (klass, i, &owner, &name, &parameter, &property);
       i++)
    {
      g_auto(GStrv) accels = gtk_application_get_accels_for_action (app, name);

      for (guint a = 0; accels != NULL && accels[a] != NULL; a++)
        {
          GtkShortcutTrigger *trigger = gtk_shortcut_trigger_parse_string (accels[a]);

          if (trigger != NULL)
            gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                                  gtk_shortcut_new (trigger,
                                                                    gtk_named_action_new (name)));
        }
    }
  if (priv->shortcuts != NULL)
    gtk_widget_remove_controller (GTK_WIDGET (self), priv->shortcuts);
  priv->shortcuts = controller;
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}

/* gtk_window_destroy() lets go of the application before the window
 * closes: remember it, to hold it while the session detaches. */
static void
application_changed (ShmlabStation *self)
{
  ShmlabStationPrivate *priv = shmlab_station_get_instance_private (self);
  GtkApplication *app = priv->root != NULL ? gtk_window_get_application (priv->root) : NULL;

  if (app != NULL && app != GTK_APPLICATION (priv->app))
    {
      g_set_object (&priv->app, G_APPLICATION (app));
      update_shortcuts (self, app);
    }
}

static void
shmlab_station_root (GtkWidget *widget)
{
  ShmlabStation *self = SHMLAB_STATION (widget);
  ShmlabStationPrivate *priv = shmlab_station_get_instance_private (self);
  GtkRoot *root;

  GTK_WIDGET_CLASS (shmlab_station_parent_class)->root (widget);
  root = gtk_widget_get_root (widget);
  if (GTK_IS_WINDOW (root))
    {
      priv->root = GTK_WINDOW (root);
      g_signal_connect_object (root, "notify::application", G_CALLBACK (application_changed), self,
                               G_CONNECT_SWAPPED);
      application_changed (self);
    }
}

static void
shmlab_station_unroot (GtkWidget *widget)
{
  ShmlabStationPrivate *priv = shmlab_station_get_instance_private (SHMLAB_STATION (widget));

  if (priv->root != NULL)
    g_signal_handlers_disconnect_by_func (priv->root, application_changed, widget);
  priv->root = NULL;
  GTK_WIDGET_CLASS (shmlab_station_parent_class)->unroot (widget);
}

/* The window goes away: cancel what runs; the session detaches in a thread
 * (the last detach removes the segment) while the application stays alive. */
static void
begin_closing (ShmlabStation *self)
{
  ShmlabStationPrivate *priv = shmlab_station_get_instance_private (self);
  ShmlabStationClass *klass = SHMLAB_STATION_GET_CLASS (self);
  g_autoptr(GApplication) app = NULL;

  if (priv->closed)
    return;
  priv->closed = TRUE;
  /* The key bar's watch looks no more once the window is closing. */
  shmlab_watch_stop (shmlab_key_bar_get_watch (priv->key_bar));
  if (klass->closing != NULL)
    klass->closing (self);
  if (priv->cancellable != NULL)
    g_cancellable_cancel (priv->cancellable);
  if (priv->session == NULL)
    return;

  g_signal_handlers_disconnect_by_data (priv->session, self);
  app = g_steal_pointer (&priv->app);
  if (app != NULL)
    g_application_hold (app);
  shmlab_session_close_async (priv->session, session_closed_cb, g_steal_pointer (&app));
}

/* gtk_window_destroy() unrealizes the station even while a job still holds it. */
static void
shmlab_station_unrealize (GtkWidget *widget)
{
  begin_closing (SHMLAB_STATION (widget));
  GTK_WIDGET_CLASS (shmlab_station_parent_class)->unrealize (widget);
}

static void
shmlab_station_dispose (GObject *object)
{
  ShmlabStation *self = SHMLAB_STATION (object);
  ShmlabStationPrivate *priv = shmlab_station_get_instance_private (self);

  begin_closing (self);
  /* Closed already: its detach runs in a thread of its own. */
  g_clear_object (&priv->session);
  g_clear_object (&priv->app);
  g_clear_pointer (&priv->box, gtk_widget_unparent);

  G_OBJECT_CLASS (shmlab_station_parent_class)->dispose (object);
}

static void
shmlab_station_finalize (GObject *object)
{
  ShmlabStationPrivate *priv = shmlab_station_get_instance_private (SHMLAB_STATION (object));

  g_clear_object (&priv->cancellable);
  g_free (priv->last_step_error);
  g_free (priv->title);
  if (priv->job_app != NULL)
    {
      g_application_release (priv->job_app);
      g_clear_object (&priv->job_app);
    }

  G_OBJECT_CLASS (shmlab_station_parent_class)->finalize (object);
}

static void
shmlab_station_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  ShmlabStation *self = SHMLAB_STATION (object);
  ShmlabStationPrivate *priv = shmlab_station_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, shmlab_station_get_busy (self));
      break;
    case PROP_STEP_BY_STEP:
      g_value_set_boolean (value, priv->step_by_step);
      break;
    case PROP_STEP_HINT:
      g_value_set_string (value,
                          gtk_widget_get_tooltip_text (GTK_WIDGET (priv->step_by_step_check)));
      break;
    case PROP_PANE_POSITION:
      g_value_set_int (value, gtk_paned_get_position (priv->paned));
      break;
    case PROP_SEGMENT_TITLE:
      g_value_set_string (value, gtk_stack_page_get_title (priv->segment_page));
      break;
    case PROP_TITLE:
      g_value_set_string (value, priv->title);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
shmlab_station_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  ShmlabStation *self = SHMLAB_STATION (object);
  ShmlabStationPrivate *priv = shmlab_station_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_STEP_BY_STEP:
      shmlab_station_set_step_by_step (self, g_value_get_boolean (value));
      break;
    case PROP_STEP_HINT:
      gtk_widget_set_tooltip_text (GTK_WIDGET (priv->step_by_step_check),
                                   g_value_get_string (value));
      break;
    case PROP_PANE_POSITION:
      gtk_paned_set_position (priv->paned, g_value_get_int (value));
      break;
    case PROP_SEGMENT_TITLE:
      gtk_stack_page_set_title (priv->segment_page, g_value_get_string (value));
      shmlab_a11y_name_stack_pages (priv->side_switcher);
      break;
    case PROP_TITLE:
      g_free (priv->title);
      priv->title = g_value_dup_string (value);
      if (priv->title_label != NULL)
        gtk_label_set_label (GTK_LABEL (priv->title_label), priv->title);
      g_object_notify_by_pspec (object, pspec);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* F10, as in every GNOME application with a menu. */
static void
show_menu_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ShmlabStationPrivate *priv = shmlab_station_get_instance_private (SHMLAB_STATION (widget));

  gtk_menu_button_popup (priv->menu_button);
}

/* "Clean up stale segments…": its own window, above this one. */
static void
cleanup_stale_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  ShmlabStationPrivate *priv = shmlab_station_get_instance_private (SHMLAB_STATION (widget));
  GtkRoot *root = gtk_widget_get_root (widget);

  gtk_menu_button_popdown (priv->menu_button);
  shmlab_cleanup_show (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL);
}

static void
shmlab_station_class_init (ShmlabStationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = shmlab_station_dispose;
  object_class->finalize = shmlab_station_finalize;
  object_class->get_property = shmlab_station_get_property;
  object_class->set_property = shmlab_station_set_property;
  widget_class->unrealize = shmlab_station_unrealize;
  widget_class->root = shmlab_station_root;
  widget_class->unroot = shmlab_station_unroot;
  klass->attach_mode = SHMLAB_ACCESS_READ_WRITE;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STEP_BY_STEP] =
    g_param_spec_boolean ("step-by-step", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* What the step-by-step check's tooltip says: the subclass's steps. */
  properties[PROP_STEP_HINT] =
    g_param_spec_string ("step-hint", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /* Where the content pane ends and the side panel begins. */
  properties[PROP_PANE_POSITION] =
    g_param_spec_int ("pane-position", NULL, NULL, 0, G_MAXINT, 600,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /* The Segment tab's title, with a mnemonic free in the subclass's window. */
  properties[PROP_SEGMENT_TITLE] =
    g_param_spec_string ("segment-title", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  /* What it is, for a person: "ShmLab Writer". Alone, its window's title. */
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (SHMLAB_TYPE_KEY_BAR);
  g_type_ensure (SHMLAB_TYPE_STEP_LOG);
  g_type_ensure (SHMLAB_TYPE_INSPECTOR);
  g_type_ensure (SHMLAB_TYPE_MEMORY_VIEW);
  g_type_ensure (SHMLAB_TYPE_WAIT_BAR);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/shmlab/shmlab-station.ui");
  gtk_widget_class_bind_template_child_private (widget_class, ShmlabStation, box);
  gtk_widget_class_bind_template_child_private (widget_class, ShmlabStation, header_bar);
  gtk_widget_class_bind_template_child_private (widget_class, ShmlabStation, step_by_step_check);
  gtk_widget_class_bind_template_child_private (widget_class, ShmlabStation, timeout_spin);
  gtk_widget_class_bind_template_child_private (widget_class, ShmlabStation, timeout_forever);
  gtk_widget_class_bind_template_child_private (widget_class, ShmlabStation, key_bar);
  gtk_widget_class_bind_template_child_private (widget_class, ShmlabStation, banner_box);
  gtk_widget_class_bind_template_child_private (widget_class, ShmlabStation, paned);
  gtk_widget_class_bind_template_child_private (widget_class, ShmlabStation, zoom_reset_button);
  gtk_widget_class_bind_template_child_private (widget_class, ShmlabStation, menu_button);
  gtk_widget_class_bind_template_child_private (widget_class, ShmlabStation, side_switcher);
  gtk_widget_class_bind_template_child_private (widget_class, ShmlabStation, side_stack);
  gtk_widget_class_bind_template_child_private (widget_class, ShmlabStation, segment_page);
  gtk_widget_class_bind_template_child_private (widget_class, ShmlabStation, step_log);
  gtk_widget_class_bind_template_child_private (widget_class, ShmlabStation, inspector);
  gtk_widget_class_bind_template_child_private (widget_class, ShmlabStation, memory_view);
  gtk_widget_class_bind_template_child_private (widget_class, ShmlabStation, step_bar);
  gtk_widget_class_bind_template_child_private (widget_class, ShmlabStation, wait_bar);

  gtk_widget_class_install_action (widget_class, "win.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "win.show-menu", NULL, show_menu_action);
  gtk_widget_class_install_action (widget_class, "win.cleanup-stale", NULL, cleanup_stale_action);
  gtk_widget_class_install_property_action (widget_class, "win.step-by-step", "step-by-step");
  gtk_widget_class_install_action (widget_class, "win.step-attach", NULL, step_attach_action);
  gtk_widget_class_install_action (widget_class, "win.step-lock", NULL, step_lock_action);
  gtk_widget_class_install_action (widget_class, "win.step-unlock", NULL, step_unlock_action);
  gtk_widget_class_install_action (widget_class, "win.step-detach", NULL, step_detach_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.cancel", NULL);
}

/* The menu's "− 150 % +" row. */
static gboolean
zoom_to_label (GBinding     *binding,
               const GValue *from,
               GValue       *to,
               gpointer      user_data)
{
  g_value_take_string (to, shmlab_zoom_format (g_value_get_int (from)));
  return TRUE;
}

static void
shmlab_station_init (ShmlabStation *self)
{
  ShmlabStationPrivate *priv = shmlab_station_get_instance_private (self);

  gtk_widget_init_template (GTK_WIDGET (self));
  shmlab_a11y_name_stack_pages (priv->side_switcher);

  priv->session = shmlab_session_new ();
  shmlab_key_bar_set_session (priv->key_bar, priv->session);
  shmlab_step_log_set_session (priv->step_log, priv->session);
  shmlab_inspector_set_session (priv->inspector, priv->session);
  shmlab_memory_view_set_session (priv->memory_view, priv->session);
  shmlab_wait_bar_set_session (priv->wait_bar, priv->session);
  shmlab_wait_bar_set_watch (priv->wait_bar, shmlab_key_bar_get_watch (priv->key_bar));

  g_signal_connect_swapped (priv->session, "notify::busy", G_CALLBACK (busy_changed), self);
  g_signal_connect_swapped (priv->session, "notify::attached",
                            G_CALLBACK (shmlab_station_update_actions), self);
  g_signal_connect_swapped (priv->session, "notify::locked",
                            G_CALLBACK (shmlab_station_update_actions), self);
  g_signal_connect_swapped (priv->session, "notify::lock-timeout",
                            G_CALLBACK (session_timeout_changed), self);
  g_signal_connect (priv->session, "step", G_CALLBACK (session_step_cb), self);

  g_signal_connect_swapped (priv->timeout_spin, "value-changed",
                            G_CALLBACK (timeout_controls_changed), self);
  g_signal_connect_swapped (priv->timeout_forever, "toggled",
                            G_CALLBACK (timeout_controls_changed), self);
  session_timeout_changed (self);
  g_object_bind_property_full (shmlab_zoom_get_default (), "percent", priv->zoom_reset_button,
                               "label", G_BINDING_SYNC_CREATE, zoom_to_label, NULL, NULL, NULL);
}
