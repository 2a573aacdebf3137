/* shmlab-reader-window.c — the Reader's window: the pane that shows a
 * segment, the one click that reads it, Follow, and the step only the
 * Reader has (read); the rest is ShmlabWindow's
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-reader-window.h"

#include <glib/gi18n.h>

#include <stdio.h>

#include "shmlab-a11y.h"
#include "shmlab-app-support.h"
#include "shmlab-error.h"
#include "shmlab-follower.h"
#include "shmlab-stream-view.h"
#include "shmlab-reader-resources.h"

struct _ShmlabReaderWindow
{
  ShmlabWindow parent_instance;

  /* Template widgets */
  ShmlabReaderPane *pane;
  GtkStack *content_stack;
  ShmlabStreamView *stream_view;
  gboolean stream_mode;      /* following a stream, in the stream view */
  GtkWidget *read_button;

  /* Owned */
  ShmlabFollower *follower;
  char *screenshot_path;             /* --screenshot, taken once the start-up action ended */

  guint screenshot_delay_ms;
  guint n_results;
  gboolean print_content;
  gboolean problem_from_key;  /* the pane says the key cannot be used */
};

G_DEFINE_FINAL_TYPE (ShmlabReaderWindow, shmlab_reader_window, SHMLAB_TYPE_WINDOW)

enum
{
  PROP_0,
  PROP_FOLLOWING,
  N_PROPS
};

enum
{
  SIGNAL_RESULT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static ShmlabSession *
session_of (ShmlabReaderWindow *self)
{
  return shmlab_window_get_session (SHMLAB_WINDOW (self));
}

static gboolean
is_closed (ShmlabReaderWindow *self)
{
  return shmlab_window_get_closed (SHMLAB_WINDOW (self));
}

static void
note (ShmlabReaderWindow *self,
      const char         *text,
      gboolean            is_error)
{
  shmlab_window_note (SHMLAB_WINDOW (self), text, is_error);
}

/* --print-content: what the window now shows, one line on standard output. */
static void
print_content (ShmlabReaderWindow *self)
{
  g_autofree char *line = NULL;

  if (!self->print_content)
    return;
  line = shmlab_reader_pane_describe (self->pane);
  g_print ("content: %s\n", line);
  fflush (stdout);
}

/* What the pane shows now, read out by a screen reader. */
static void
present_result (ShmlabReaderWindow *self)
{
  ShmlabContentView *view = shmlab_reader_pane_get_content_view (self->pane);

  shmlab_a11y_present_result (shmlab_content_view_get_result_widget (view));
}

/* The start-up action has shown its result, or waits (worth a picture too). */
static void
take_startup_screenshot (ShmlabReaderWindow *self)
{
  g_autofree char *path = g_steal_pointer (&self->screenshot_path);

  if (path != NULL && !is_closed (self))
    shmlab_window_screenshot_when_ready (GTK_WINDOW (self), path, self->screenshot_delay_ms);
}

/* Something new is on show (or a failure is): tell whoever waits for it. */
static void
result_shown (ShmlabReaderWindow *self,
              gboolean            ok)
{
  self->n_results++;
  print_content (self);
  take_startup_screenshot (self);
  g_signal_emit (self, signals[SIGNAL_RESULT], 0, ok);
}

static const char *
error_title (const GError *error)
{
  if (error->domain == SHMLAB_SEGMENT_ERROR)
    switch (error->code)
      {
      case SHMLAB_SEGMENT_ERROR_NOT_FOUND: return _("No segment to read");
      case SHMLAB_SEGMENT_ERROR_TIMED_OUT: return _("The lock was not released in time");
      case SHMLAB_SEGMENT_ERROR_PERMISSION_DENIED: return _("Not allowed to read this segment");
      case SHMLAB_SEGMENT_ERROR_KEY_ERROR: return _("This key cannot be used");
      case SHMLAB_SEGMENT_ERROR_LOCK_ERROR: return _("The lock failed");
      case SHMLAB_SEGMENT_ERROR_OUT_OF_RESOURCES: return _("The system is out of shared memory");
      case SHMLAB_SEGMENT_ERROR_INVALID_SIZE: return _("The segment has a size that cannot be read");
      default: return _("Could not read the segment");
      }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return _("Cancelled");
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE))
    return _("Not enough memory");
  return _("Could not read the segment");
}

/* A failed operation: in the window, and in the log unless its step said it already. */
static void
show_error (ShmlabReaderWindow *self,
            const GError       *error,
            gboolean            said)
{
  const char *explanation = error->message;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    explanation = _("the operation was cancelled before it finished: nothing new was read");
  shmlab_reader_pane_show_problem (self->pane, error_title (error), explanation, FALSE);
  self->problem_from_key = g_error_matches (error, SHMLAB_SEGMENT_ERROR,
                                            SHMLAB_SEGMENT_ERROR_KEY_ERROR);
  if (!said)
    note (self, explanation, TRUE);
}

static void
show_read_result (ShmlabReaderWindow     *self,
                  const ShmlabReadResult *result)
{
  const char *problem;

  self->problem_from_key = FALSE;
  shmlab_reader_pane_show_result (self->pane, result);
  problem = shmlab_reader_pane_get_problem (self->pane);
  if (problem == NULL)
    return;
  if (result->payload != NULL)
    note (self, problem, TRUE);
  /* The bytes tell more than the pane can. */
  shmlab_window_set_side_page (SHMLAB_WINDOW (self), "segment");
}

/* A step of the step-by-step bar failed. */
static void
show_failure (ShmlabWindow *window,
              const char   *title,
              const char   *noun,
              const GError *error,
              gboolean      said)
{
  ShmlabReaderWindow *self = SHMLAB_READER_WINDOW (window);

  show_error (self, error, said);
  result_shown (self, FALSE);
}

/* What the pane says before anything was read. */
static void
show_start_hint (ShmlabReaderWindow *self)
{
  shmlab_reader_pane_show_empty (self->pane,
                                 _("Press “Read from shared memory” (Ctrl+R) to see what the "
                                 "segment of the key holds, or “Follow” (Ctrl+F) to watch it."));
}

/* A key that can be used now: the pane saying it could not is past. */
static void
key_applied_cb (ShmlabReaderWindow *self)
{
  if (!self->problem_from_key)
    return;
  self->problem_from_key = FALSE;
  show_start_hint (self);
}

static gboolean
apply_key (ShmlabReaderWindow *self)
{
  g_autoptr(GError) error = NULL;

  if (shmlab_key_bar_apply (shmlab_window_get_key_bar (SHMLAB_WINDOW (self)), &error))
    return TRUE;
  show_error (self, error, shmlab_window_step_said (SHMLAB_WINDOW (self), error));
  result_shown (self, FALSE);
  return FALSE;
}

/* ---- reading: the one click, and the step Read ---- */

/* A read in flight: the window it shows in. */
typedef struct
{
  ShmlabReaderWindow *self;
  gboolean present;  /* asked for by the user: move the focus onto what it shows */
} Read;

static void
read_free (Read *read)
{
  g_object_unref (read->self);
  g_free (read);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Read, read_free)

static void
read_done_cb (GObject      *source,
              GAsyncResult *res,
              gpointer      user_data)
{
  g_autoptr(Read) read = user_data;
  ShmlabReaderWindow *self = read->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabReadResult) result = shmlab_session_read_finish (SHMLAB_SESSION (source), res,
                                                                    &error);

  shmlab_window_end_job (SHMLAB_WINDOW (self));
  if (is_closed (self))
    return;
  if (result != NULL)
    show_read_result (self, result);
  else
    show_error (self, error, shmlab_window_step_said (SHMLAB_WINDOW (self), error));
  result_shown (self, result != NULL && result->payload != NULL);
  if (read->present)
    present_result (self);
}

static Read *
read_new (ShmlabReaderWindow *self,
          gboolean            present)
{
  Read *read = g_new0 (Read, 1);

  read->self = g_object_ref (self);
  read->present = present;
  return read;
}

/**
 * shmlab_reader_window_read:
 *
 * The one click: attach, lock, copy, unlock, detach, then show the copy.
 * Does nothing while another operation runs or while following.
 */
static void
read_start (ShmlabReaderWindow *self,
            gboolean            present)
{
  if (shmlab_window_get_busy (SHMLAB_WINDOW (self)) || shmlab_reader_window_get_following (self))
    return;
  if (!apply_key (self))
    {
      if (present)
        present_result (self);
      return;
    }
  /* Quick unless it waits for the lock: the wait bar shows up only then. */
  if (!shmlab_window_begin_job (SHMLAB_WINDOW (self), NULL, NULL))
    return;
  shmlab_session_read_all_async (session_of (self),
                                 shmlab_window_get_cancellable (SHMLAB_WINDOW (self)),
                                 read_done_cb, read_new (self, present));
}

void
shmlab_reader_window_read (ShmlabReaderWindow *self)
{
  g_return_if_fail (SHMLAB_IS_READER_WINDOW (self));
  read_start (self, FALSE);
}

/* Asked for by the user: when it ends, the focus goes onto what it shows. */
static void
read_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  read_start (SHMLAB_READER_WINDOW (widget), TRUE);
}

/* The step Read: copy the segment out under the lock, and show the copy. */
static void
step_read_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ShmlabReaderWindow *self = SHMLAB_READER_WINDOW (widget);

  if (!shmlab_window_begin_job (SHMLAB_WINDOW (self), _("Copying out…"), NULL))
    return;
  shmlab_session_read_async (session_of (self),
                             shmlab_window_get_cancellable (SHMLAB_WINDOW (self)),
                             read_done_cb, read_new (self, FALSE));
}

/* ---- Follow ---- */

gboolean
shmlab_reader_window_get_following (ShmlabReaderWindow *self)
{
  g_return_val_if_fail (SHMLAB_IS_READER_WINDOW (self), FALSE);
  return self->stream_mode ||
         (self->follower != NULL && shmlab_follower_get_following (self->follower));
}

/* The key's segment holds a stream, or the stream comes through a pipe or
 * a socket: the stream view follows it instead of the segment's reads. */
static void
enter_stream_mode (ShmlabReaderWindow *self)
{
  ShmlabKey *key = shmlab_session_get_key_value (session_of (self));

  if (self->stream_mode || key == NULL)
    return;
  self->stream_mode = TRUE;
  if (shmlab_follower_get_following (self->follower))
    shmlab_follower_stop (self->follower);
  gtk_stack_set_visible_child_name (self->content_stack, "stream");
  shmlab_stream_view_start (self->stream_view, key);
  shmlab_window_update_actions (SHMLAB_WINDOW (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOWING]);
}

static void
leave_stream_mode (ShmlabReaderWindow *self)
{
  if (!self->stream_mode)
    return;
  self->stream_mode = FALSE;
  shmlab_stream_view_stop (self->stream_view);
  gtk_stack_set_visible_child_name (self->content_stack, "read");
  note (self, _("stopped following the stream"), FALSE);
  shmlab_window_update_actions (SHMLAB_WINDOW (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOWING]);
}

/* The stream view's transport, as --transport gives it. */
void
shmlab_reader_window_set_transport (ShmlabReaderWindow    *self,
                                    ShmlabStreamTransport  transport)
{
  g_return_if_fail (SHMLAB_IS_READER_WINDOW (self));
  shmlab_stream_view_set_transport (self->stream_view, transport);
}

ShmlabStreamView *
shmlab_reader_window_get_stream_view (ShmlabReaderWindow *self)
{
  g_return_val_if_fail (SHMLAB_IS_READER_WINDOW (self), NULL);
  return self->stream_view;
}

/**
 * shmlab_reader_window_set_following:
 *
 * Follow: stay attached and show each new write as it comes. Turning it off
 * stops polling and detaches.
 */
void
shmlab_reader_window_set_following (ShmlabReaderWindow *self,
                                    gboolean            following)
{
  g_autofree char *text = NULL;

  g_return_if_fail (SHMLAB_IS_READER_WINDOW (self));

  following = !!following;
  if (shmlab_reader_window_get_following (self) == following || is_closed (self))
    return;
  if (!following)
    {
      if (self->stream_mode)
        leave_stream_mode (self);
      else
        shmlab_follower_stop (self->follower);
      return;
    }
  if (!apply_key (self))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOWING]);
      return;
    }
  if (shmlab_stream_view_get_transport (self->stream_view) != SHMLAB_STREAM_TRANSPORT_SHM)
    {
      text = g_strdup_printf (_("following the stream on “%s” through the %s"),
                              shmlab_session_get_key (session_of (self)),
                              shmlab_stream_view_get_transport (self->stream_view) == SHMLAB_STREAM_TRANSPORT_PIPE
                              ? _("pipe") : _("socket"));
      note (self, text, FALSE);
      enter_stream_mode (self);
      return;
    }
  text = g_strdup_printf (_("following “%s”: every new write is shown as it comes"),
                          shmlab_session_get_key (session_of (self)));
  note (self, text, FALSE);
  shmlab_follower_start (self->follower);
}

static void
following_changed_cb (ShmlabReaderWindow *self)
{
  gboolean following = shmlab_reader_window_get_following (self);

  if (is_closed (self))
    return;
  shmlab_wait_bar_set_cancellable (shmlab_window_get_wait_bar (SHMLAB_WINDOW (self)),
                                   following ? shmlab_follower_get_cancellable (self->follower)
                                             : NULL);
  if (!following)
    note (self, _("stopped following"), FALSE);
  shmlab_window_update_actions (SHMLAB_WINDOW (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOWING]);
}

/* The first result after start-up is told even when it is no news. */
static gboolean
first_result (ShmlabReaderWindow *self)
{
  return self->n_results == 0 || self->screenshot_path != NULL;
}

static void
follow_content_cb (ShmlabReaderWindow     *self,
                   const ShmlabReadResult *result)
{
  /* A stream: followed frame by frame from here. */
  if (result->payload != NULL && result->payload->format == SHMLAB_FORMAT_STREAM)
    {
      show_read_result (self, result);
      result_shown (self, TRUE);
      enter_stream_mode (self);
      return;
    }
  show_read_result (self, result);
  result_shown (self, result->payload != NULL);
}

static void
follow_unchanged_cb (ShmlabReaderWindow *self,
                     gboolean            ok)
{
  if (first_result (self))
    result_shown (self, ok);
}

static void
follow_gone_cb (ShmlabReaderWindow *self,
                gboolean            never_seen)
{
  const char *key = shmlab_session_get_key (session_of (self));
  g_autofree char *text = NULL;

  note (self, never_seen ? _("no segment has this key yet — waiting for the writer")
                         : _("the segment is gone — waiting for the writer"), FALSE);
  text = g_strdup_printf (_("No segment has the key “%s” now. Follow keeps looking twice a "
                          "second and shows the content as soon as a writer creates the "
                          "segment%s."), key ? key : "", never_seen ? "" : _(" again"));
  self->problem_from_key = FALSE;
  shmlab_reader_pane_show_problem (self->pane,
                                   never_seen ? _("No segment yet — waiting for the writer")
                                              : _("The segment is gone — waiting for the writer"),
                                   text, FALSE);
  result_shown (self, FALSE);
}

static void
follow_failed_cb (ShmlabReaderWindow *self,
                  const GError       *error)
{
  show_error (self, error, shmlab_window_step_said (SHMLAB_WINDOW (self), error));
  result_shown (self, FALSE);
}

static void
follow_stopped_cb (ShmlabReaderWindow *self,
                   const GError       *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    note (self, _("following stopped: the wait for the lock was cancelled"), FALSE);
  else
    note (self, _("following stopped: this key cannot be read"), TRUE);
}

/* ---- the window ---- */

static gboolean
can_step (ShmlabWindow *window)
{
  return !shmlab_reader_window_get_following (SHMLAB_READER_WINDOW (window));
}

/* The Reader's own actions' sensitivity; ShmlabWindow sets the shared steps'. */
static void
update_actions (ShmlabWindow *window)
{
  ShmlabReaderWindow *self = SHMLAB_READER_WINDOW (window);
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean busy = shmlab_window_get_busy (window);
  gboolean locked = shmlab_session_get_locked (session_of (self));
  gboolean following = shmlab_reader_window_get_following (self);

  gtk_widget_action_set_enabled (widget, "win.read", !busy && !following && !locked);
  gtk_widget_action_set_enabled (widget, "win.follow",
                                 following || (!shmlab_window_get_job_running (window) && !locked));
  gtk_widget_action_set_enabled (widget, "win.step-read", !busy && !following && locked);
}

static void
session_waiting_changed (ShmlabReaderWindow *self)
{
  ShmlabSession *session = session_of (self);
  g_autofree char *text = NULL;
  gint timeout = shmlab_session_get_lock_timeout (session);

  if (!shmlab_session_get_waiting (session))
    return;
  if (timeout < 0)
    text = g_strdup_printf (_("waiting for the lock of “%s” held by another process, as long as "
                            "it takes"), shmlab_session_get_key (session));
  else
    text = g_strdup_printf (_("waiting for the lock of “%s” held by another process (giving up "
                            "after %.1f s)"), shmlab_session_get_key (session),
                            timeout / 1000.0);
  /* Following a busy writer meets its lock often: the wait bar shows that, the log need not. */
  if (!shmlab_reader_window_get_following (self))
    {
      if (g_strcmp0 (shmlab_reader_pane_get_page (self->pane), "empty") == 0)
        shmlab_reader_pane_show_empty (self->pane,
                                        _("Waiting for the lock: another process holds it. The "
                                        "read goes on as soon as it is free."));
      note (self, text, FALSE);
      if (self->print_content)
        {
          g_print (_("waiting: %s\n"), text);
          fflush (stdout);
        }
    }
  /* A screenshot with a delay may show the wait itself. */
  if (self->screenshot_delay_ms > 0)
    take_startup_screenshot (self);
}

/* The window goes away: Follow stops without a word; the session closes. */
static void
closing (ShmlabWindow *window)
{
  ShmlabReaderWindow *self = SHMLAB_READER_WINDOW (window);

  g_signal_handlers_disconnect_by_data (self->follower, self);
  shmlab_follower_abandon (self->follower);
}

static void
shmlab_reader_window_dispose (GObject *object)
{
  ShmlabReaderWindow *self = SHMLAB_READER_WINDOW (object);

  G_OBJECT_CLASS (shmlab_reader_window_parent_class)->dispose (object);
  g_clear_object (&self->follower);
}

static void
shmlab_reader_window_finalize (GObject *object)
{
  ShmlabReaderWindow *self = SHMLAB_READER_WINDOW (object);

  g_free (self->screenshot_path);

  G_OBJECT_CLASS (shmlab_reader_window_parent_class)->finalize (object);
}

static void
shmlab_reader_window_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  ShmlabReaderWindow *self = SHMLAB_READER_WINDOW (object);

  switch (prop_id)
    {
    case PROP_FOLLOWING:
      g_value_set_boolean (value, shmlab_reader_window_get_following (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
shmlab_reader_window_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  ShmlabReaderWindow *self = SHMLAB_READER_WINDOW (object);

  switch (prop_id)
    {
    case PROP_FOLLOWING:
      shmlab_reader_window_set_following (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
shmlab_reader_window_class_init (ShmlabReaderWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  ShmlabWindowClass *window_class = SHMLAB_WINDOW_CLASS (klass);

  object_class->dispose = shmlab_reader_window_dispose;
  object_class->finalize = shmlab_reader_window_finalize;
  object_class->get_property = shmlab_reader_window_get_property;
  object_class->set_property = shmlab_reader_window_set_property;
  window_class->attach_mode = SHMLAB_ACCESS_READ_ONLY;
  window_class->show_failure = show_failure;
  window_class->update_actions = update_actions;
  window_class->can_step = can_step;
  window_class->closing = closing;

  properties[PROP_FOLLOWING] =
    g_param_spec_boolean ("following", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ShmlabReaderWindow::result:
   * @ok: whether there is content on show (FALSE: a problem is)
   *
   * A read, a followed change or a failure has just been shown.
   */
  signals[SIGNAL_RESULT] = g_signal_new ("result", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  g_type_ensure (SHMLAB_TYPE_READER_PANE);
  shmlab_reader_register_resource ();

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/shmlab/reader/shmlab-reader-window.ui");
  g_type_ensure (SHMLAB_TYPE_STREAM_VIEW);
  gtk_widget_class_bind_template_child (widget_class, ShmlabReaderWindow, pane);
  gtk_widget_class_bind_template_child (widget_class, ShmlabReaderWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, ShmlabReaderWindow, stream_view);
  gtk_widget_class_bind_template_child (widget_class, ShmlabReaderWindow, read_button);

  gtk_widget_class_install_action (widget_class, "win.read", NULL, read_action);
  gtk_widget_class_install_property_action (widget_class, "win.follow", "following");
  gtk_widget_class_install_action (widget_class, "win.step-read", NULL, step_read_action);
}

static void
shmlab_reader_window_init (ShmlabReaderWindow *self)
{
  ShmlabSession *session;

  gtk_widget_init_template (GTK_WIDGET (self));
  /* Every button's name, once: the header's, the steps', the menu's. */
  shmlab_a11y_name_buttons_once (GTK_WIDGET (self));

  session = session_of (self);
  shmlab_key_bar_set_show_size (shmlab_window_get_key_bar (SHMLAB_WINDOW (self)), FALSE);
  g_signal_connect_swapped (shmlab_window_get_key_bar (SHMLAB_WINDOW (self)), "applied",
                            G_CALLBACK (key_applied_cb), self);
  show_start_hint (self);

  g_signal_connect_swapped (self->stream_view, "note", G_CALLBACK (shmlab_window_note), self);
  self->follower = shmlab_follower_new (session, GTK_WIDGET (self));
  g_signal_connect_swapped (self->follower, "notify::following",
                            G_CALLBACK (following_changed_cb), self);
  g_signal_connect_swapped (self->follower, "content", G_CALLBACK (follow_content_cb), self);
  g_signal_connect_swapped (self->follower, "unchanged", G_CALLBACK (follow_unchanged_cb), self);
  g_signal_connect_swapped (self->follower, "gone", G_CALLBACK (follow_gone_cb), self);
  g_signal_connect_swapped (self->follower, "failed", G_CALLBACK (follow_failed_cb), self);
  g_signal_connect_swapped (self->follower, "stopped", G_CALLBACK (follow_stopped_cb), self);
  g_signal_connect_object (session, "notify::waiting", G_CALLBACK (session_waiting_changed), self,
                           G_CONNECT_SWAPPED);

  shmlab_window_update_actions (SHMLAB_WINDOW (self));
  /* Enter reads: the key is already there in both apps. */
  gtk_window_set_focus (GTK_WINDOW (self), self->read_button);
}

ShmlabReaderWindow *
shmlab_reader_window_new (GtkApplication *application)
{
  return g_object_new (SHMLAB_TYPE_READER_WINDOW, "application", application, NULL);
}

ShmlabReaderPane *
shmlab_reader_window_get_pane (ShmlabReaderWindow *self)
{
  g_return_val_if_fail (SHMLAB_IS_READER_WINDOW (self), NULL);
  return self->pane;
}

ShmlabContentView *
shmlab_reader_window_get_content_view (ShmlabReaderWindow *self)
{
  g_return_val_if_fail (SHMLAB_IS_READER_WINDOW (self), NULL);
  return shmlab_reader_pane_get_content_view (self->pane);
}

/* The last problem shown, "title: explanation"; NULL when content is on show. */
const char *
shmlab_reader_window_get_problem (ShmlabReaderWindow *self)
{
  g_return_val_if_fail (SHMLAB_IS_READER_WINDOW (self), NULL);
  return shmlab_reader_pane_get_problem (self->pane);
}

/* How many results (reads, followed changes, failures) have been shown. */
guint
shmlab_reader_window_get_n_results (ShmlabReaderWindow *self)
{
  g_return_val_if_fail (SHMLAB_IS_READER_WINDOW (self), 0);
  return self->n_results;
}

/* --print-content: each result shown also goes to standard output, one line. */
void
shmlab_reader_window_set_print_content (ShmlabReaderWindow *self,
                                        gboolean            print_content)
{
  g_return_if_fail (SHMLAB_IS_READER_WINDOW (self));
  self->print_content = print_content;
}

/**
 * shmlab_reader_window_start:
 * @action: what to do at once: nothing, read once, or follow
 * @screenshot: (nullable): --screenshot: a PNG to save once the action has
 *   shown its first result (or, with @screenshot_delay_ms, once it waits for
 *   a lock), after which the application quits
 * @screenshot_delay_ms: --screenshot-delay
 *
 * The start-up action of a window that has been presented.
 */
void
shmlab_reader_window_start (ShmlabReaderWindow *self,
                            ShmlabReaderStart   action,
                            const char         *screenshot,
                            guint               screenshot_delay_ms)
{
  g_return_if_fail (SHMLAB_IS_READER_WINDOW (self));

  g_free (self->screenshot_path);
  self->screenshot_path = g_strdup (screenshot);
  self->screenshot_delay_ms = screenshot_delay_ms;
  switch (action)
    {
    case SHMLAB_READER_START_FOLLOW:
      shmlab_reader_window_set_following (self, TRUE);
      break;
    case SHMLAB_READER_START_READ:
      shmlab_reader_window_read (self);
      break;
    case SHMLAB_READER_START_NOTHING:
    default:
      take_startup_screenshot (self);
      break;
    }
}
