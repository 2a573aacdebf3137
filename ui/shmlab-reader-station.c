/* shmlab-reader-station.c — the Reader, as a station: the pane that shows a
 * segment, the one click that reads it, Follow, and the step only the
 * Reader has (read); the rest is ShmlabStation's
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-reader-station.h"

#include <glib/gi18n.h>

#include <stdio.h>

#include "shmlab-a11y.h"
#include "shmlab-app-support.h"
#include "shmlab-cache-view.h"
#include "shmlab-error.h"
#include "shmlab-follower.h"
#include "shmlab-stream-view.h"

struct _ShmlabReaderStation
{
  ShmlabStation parent_instance;

  /* Template widgets */
  ShmlabReaderPane *pane;
  GtkStack *content_stack;
  ShmlabStreamView *stream_view;
  ShmlabCacheView *cache_view;
  gboolean stream_mode;      /* following a stream, in the stream view */
  gboolean cache_mode;       /* following a cache, in the cache view */
  gboolean cache_result;     /* the cache view's next look is the result of a read or follow */
  gboolean cache_present;    /* …which the user asked for: the focus goes onto it */
  GtkWidget *read_button;

  /* Owned */
  ShmlabFollower *follower;
  char *screenshot_path;             /* --screenshot, taken once the start-up action ended */

  guint screenshot_delay_ms;
  guint n_results;
  gboolean print_content;
  gboolean problem_from_key;  /* the pane says the key cannot be used */
};

G_DEFINE_FINAL_TYPE (ShmlabReaderStation, shmlab_reader_station, SHMLAB_TYPE_STATION)

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

static gboolean first_result (ShmlabReaderStation *self);

static ShmlabSession *
session_of (ShmlabReaderStation *self)
{
  return shmlab_station_get_session (SHMLAB_STATION (self));
}

static gboolean
is_closed (ShmlabReaderStation *self)
{
  return shmlab_station_get_closed (SHMLAB_STATION (self));
}

static void
note (ShmlabReaderStation *self,
      const char         *text,
      gboolean            is_error)
{
  shmlab_station_note (SHMLAB_STATION (self), text, is_error);
}

/* --print-content: what the window now shows, one line on standard output. */
static void
print_content (ShmlabReaderStation *self)
{
  g_autofree char *line = NULL;

  if (!self->print_content)
    return;
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->content_stack), "cache") == 0)
    line = shmlab_cache_view_describe (self->cache_view);
  else
    line = shmlab_reader_pane_describe (self->pane);
  g_print ("content: %s\n", line);
  fflush (stdout);
}

/* What the pane shows now, read out by a screen reader. */
static void
present_result (ShmlabReaderStation *self)
{
  ShmlabContentView *view = shmlab_reader_pane_get_content_view (self->pane);

  shmlab_a11y_present_result (shmlab_content_view_get_result_widget (view));
}

/* The start-up action has shown its result, or waits (worth a picture too). */
static void
take_startup_screenshot (ShmlabReaderStation *self)
{
  g_autofree char *path = g_steal_pointer (&self->screenshot_path);

  if (path != NULL && !is_closed (self))
    shmlab_window_screenshot_when_ready (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), path,
                                         self->screenshot_delay_ms);
}

/* Something new is on show (or a failure is): tell whoever waits for it. */
static void
result_shown (ShmlabReaderStation *self,
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

/* Which content is on show: "read" (the pane), "stream" or "cache". The
 * cache view's own copies go to the inspector, not the session's. */
static void
show_content (ShmlabReaderStation *self,
              const char          *name)
{
  ShmlabInspector *inspector = shmlab_station_get_inspector (SHMLAB_STATION (self));
  gboolean cache = g_str_equal (name, "cache");

  if (!cache && g_strcmp0 (gtk_stack_get_visible_child_name (self->content_stack), "cache") == 0)
    shmlab_inspector_set_session (inspector, session_of (self));
  else if (cache)
    shmlab_inspector_set_session (inspector, NULL);
  gtk_stack_set_visible_child_name (self->content_stack, name);
}

/* A failed operation: in the window, and in the log unless its step said it already. */
static void
show_error (ShmlabReaderStation *self,
            const GError       *error,
            gboolean            said)
{
  const char *explanation = error->message;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    explanation = _("the operation was cancelled before it finished: nothing new was read");
  show_content (self, "read");
  shmlab_reader_pane_show_problem (self->pane, error_title (error), explanation, FALSE);
  self->problem_from_key = g_error_matches (error, SHMLAB_SEGMENT_ERROR,
                                            SHMLAB_SEGMENT_ERROR_KEY_ERROR);
  if (!said)
    note (self, explanation, TRUE);
}

static void
show_read_result (ShmlabReaderStation     *self,
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
  shmlab_station_set_side_page (SHMLAB_STATION (self), "segment");
}

static gboolean
holds_cache (const ShmlabReadResult *result)
{
  return result != NULL && result->payload != NULL &&
         result->payload->format == SHMLAB_FORMAT_CACHE;
}

/* The segment holds a shared cache: the cache view reads it from here on,
 * once (a Read) or live (Follow); its first look is the result. */
static void
open_cache_view (ShmlabReaderStation *self,
                 gboolean             follow,
                 gboolean             present)
{
  ShmlabSession *session = session_of (self);
  ShmlabKey *key = shmlab_session_get_key_value (session);
  g_autofree char *text = NULL;

  if (key == NULL)
    return;
  self->cache_result = TRUE;
  self->cache_present = present;
  show_content (self, "cache");
  if (follow)
    {
      self->cache_mode = TRUE;
      if (shmlab_follower_get_following (self->follower))
        shmlab_follower_stop (self->follower);
      text = g_strdup_printf (_("“%s” holds a shared cache: following its table, a look twice "
                                "a second"), shmlab_key_get_name (key));
      note (self, text, FALSE);
    }
  shmlab_cache_view_start (self->cache_view, key, shmlab_session_get_lock_timeout (session),
                           follow);
  if (follow)
    {
      shmlab_station_update_actions (SHMLAB_STATION (self));
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOWING]);
    }
}

static void
leave_cache_mode (ShmlabReaderStation *self)
{
  if (!self->cache_mode)
    return;
  self->cache_mode = FALSE;
  shmlab_cache_view_stop (self->cache_view);
  note (self, _("stopped following the cache"), FALSE);
  shmlab_station_update_actions (SHMLAB_STATION (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOWING]);
}

/* A look of the cache view is on show: its copy in the inspector, and the
 * result of the read or follow that opened it. */
static void
cache_looked_cb (ShmlabReaderStation *self)
{
  const ShmlabCacheSnapshot *snapshot = shmlab_cache_view_get_snapshot (self->cache_view);
  const char *problem = shmlab_cache_view_get_problem (self->cache_view);

  if (is_closed (self) ||
      g_strcmp0 (gtk_stack_get_visible_child_name (self->content_stack), "cache") != 0)
    return;
  if (snapshot != NULL)
    shmlab_inspector_set_bytes (shmlab_station_get_inspector (SHMLAB_STATION (self)),
                                snapshot->bytes, snapshot->segment_size);
  if (problem != NULL && snapshot != NULL)
    shmlab_station_set_side_page (SHMLAB_STATION (self), "segment");
  if (self->cache_result)
    {
      self->cache_result = FALSE;
      if (problem != NULL)
        note (self, problem, TRUE);
      result_shown (self, problem == NULL);
      if (self->cache_present)
        shmlab_a11y_present_result (shmlab_cache_view_get_result_widget (self->cache_view));
      self->cache_present = FALSE;
    }
  else if (first_result (self))
    result_shown (self, problem == NULL);
}

/* A step of the step-by-step bar failed. */
static void
show_failure (ShmlabStation *window,
              const char   *title,
              const char   *noun,
              const GError *error,
              gboolean      said)
{
  ShmlabReaderStation *self = SHMLAB_READER_STATION (window);

  show_error (self, error, said);
  result_shown (self, FALSE);
}

/* What the pane says before anything was read. */
static void
show_start_hint (ShmlabReaderStation *self)
{
  shmlab_reader_pane_show_empty (self->pane,
                                 _("Press “Read from shared memory” (Ctrl+R) to see what the "
                                 "segment of the key holds, or “Follow” (Ctrl+F) to watch it."));
}

/* A key that can be used now: the pane saying it could not is past. */
static void
key_applied_cb (ShmlabReaderStation *self)
{
  if (!self->problem_from_key)
    return;
  self->problem_from_key = FALSE;
  show_start_hint (self);
}

static gboolean
apply_key (ShmlabReaderStation *self)
{
  g_autoptr(GError) error = NULL;

  if (shmlab_key_bar_apply (shmlab_station_get_key_bar (SHMLAB_STATION (self)), &error))
    return TRUE;
  show_error (self, error, shmlab_station_step_said (SHMLAB_STATION (self), error));
  result_shown (self, FALSE);
  return FALSE;
}

/* ---- reading: the one click, and the step Read ---- */

/* A read in flight: the window it shows in. */
typedef struct
{
  ShmlabReaderStation *self;
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
  ShmlabReaderStation *self = read->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabReadResult) result = shmlab_session_read_finish (SHMLAB_SESSION (source), res,
                                                                    &error);

  shmlab_station_end_job (SHMLAB_STATION (self));
  if (is_closed (self))
    return;
  if (holds_cache (result))
    {
      show_read_result (self, result);
      open_cache_view (self, FALSE, read->present);
      return;
    }
  show_content (self, "read");
  if (result != NULL)
    show_read_result (self, result);
  else
    show_error (self, error, shmlab_station_step_said (SHMLAB_STATION (self), error));
  result_shown (self, result != NULL && result->payload != NULL);
  if (read->present)
    present_result (self);
}

static Read *
read_new (ShmlabReaderStation *self,
          gboolean            present)
{
  Read *read = g_new0 (Read, 1);

  read->self = g_object_ref (self);
  read->present = present;
  return read;
}

/**
 * shmlab_reader_station_read:
 *
 * The one click: attach, lock, copy, unlock, detach, then show the copy.
 * Does nothing while another operation runs or while following.
 */
static void
read_start (ShmlabReaderStation *self,
            gboolean            present)
{
  if (shmlab_station_get_busy (SHMLAB_STATION (self)) || shmlab_reader_station_get_following (self))
    return;
  if (!apply_key (self))
    {
      if (present)
        present_result (self);
      return;
    }
  /* Quick unless it waits for the lock: the wait bar shows up only then. */
  if (!shmlab_station_begin_job (SHMLAB_STATION (self), NULL, NULL))
    return;
  shmlab_session_read_all_async (session_of (self),
                                 shmlab_station_get_cancellable (SHMLAB_STATION (self)),
                                 read_done_cb, read_new (self, present));
}

void
shmlab_reader_station_read (ShmlabReaderStation *self)
{
  g_return_if_fail (SHMLAB_IS_READER_STATION (self));
  read_start (self, FALSE);
}

/* Asked for by the user: when it ends, the focus goes onto what it shows. */
static void
read_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  read_start (SHMLAB_READER_STATION (widget), TRUE);
}

/* The step Read: copy the segment out under the lock, and show the copy. */
static void
step_read_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ShmlabReaderStation *self = SHMLAB_READER_STATION (widget);

  if (!shmlab_station_begin_job (SHMLAB_STATION (self), _("Copying out…"), NULL))
    return;
  shmlab_session_read_async (session_of (self),
                             shmlab_station_get_cancellable (SHMLAB_STATION (self)),
                             read_done_cb, read_new (self, FALSE));
}

/* ---- Follow ---- */

gboolean
shmlab_reader_station_get_following (ShmlabReaderStation *self)
{
  g_return_val_if_fail (SHMLAB_IS_READER_STATION (self), FALSE);
  return self->stream_mode || self->cache_mode ||
         (self->follower != NULL && shmlab_follower_get_following (self->follower));
}

/* The key's segment holds a stream, or the stream comes through a pipe or
 * a socket: the stream view follows it instead of the segment's reads. */
static void
enter_stream_mode (ShmlabReaderStation *self)
{
  ShmlabKey *key = shmlab_session_get_key_value (session_of (self));

  if (self->stream_mode || key == NULL)
    return;
  self->stream_mode = TRUE;
  if (shmlab_follower_get_following (self->follower))
    shmlab_follower_stop (self->follower);
  show_content (self, "stream");
  shmlab_stream_view_start (self->stream_view, key);
  shmlab_station_update_actions (SHMLAB_STATION (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOWING]);
}

static void
leave_stream_mode (ShmlabReaderStation *self)
{
  if (!self->stream_mode)
    return;
  self->stream_mode = FALSE;
  shmlab_stream_view_stop (self->stream_view);
  show_content (self, "read");
  note (self, _("stopped following the stream"), FALSE);
  shmlab_station_update_actions (SHMLAB_STATION (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOWING]);
}

/* The stream view's transport, as --transport gives it. */
void
shmlab_reader_station_set_transport (ShmlabReaderStation    *self,
                                    ShmlabStreamTransport  transport)
{
  g_return_if_fail (SHMLAB_IS_READER_STATION (self));
  shmlab_stream_view_set_transport (self->stream_view, transport);
}

ShmlabStreamView *
shmlab_reader_station_get_stream_view (ShmlabReaderStation *self)
{
  g_return_val_if_fail (SHMLAB_IS_READER_STATION (self), NULL);
  return self->stream_view;
}

/**
 * shmlab_reader_station_set_following:
 *
 * Follow: stay attached and show each new write as it comes. Turning it off
 * stops polling and detaches.
 */
void
shmlab_reader_station_set_following (ShmlabReaderStation *self,
                                    gboolean            following)
{
  g_autofree char *text = NULL;

  g_return_if_fail (SHMLAB_IS_READER_STATION (self));

  following = !!following;
  if (shmlab_reader_station_get_following (self) == following || is_closed (self))
    return;
  if (!following)
    {
      if (self->stream_mode)
        leave_stream_mode (self);
      else if (self->cache_mode)
        leave_cache_mode (self);
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
following_changed_cb (ShmlabReaderStation *self)
{
  gboolean following = shmlab_reader_station_get_following (self);

  if (is_closed (self))
    return;
  shmlab_wait_bar_set_cancellable (shmlab_station_get_wait_bar (SHMLAB_STATION (self)),
                                   following ? shmlab_follower_get_cancellable (self->follower)
                                             : NULL);
  if (!following)
    note (self, _("stopped following"), FALSE);
  shmlab_station_update_actions (SHMLAB_STATION (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOWING]);
}

/* The first result after start-up is told even when it is no news. */
static gboolean
first_result (ShmlabReaderStation *self)
{
  return self->n_results == 0 || self->screenshot_path != NULL;
}

static void
follow_content_cb (ShmlabReaderStation     *self,
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
  /* A cache: its table, looked at live from here. */
  if (holds_cache (result))
    {
      show_read_result (self, result);
      open_cache_view (self, TRUE, FALSE);
      return;
    }
  show_content (self, "read");
  show_read_result (self, result);
  result_shown (self, result->payload != NULL);
}

static void
follow_unchanged_cb (ShmlabReaderStation *self,
                     gboolean            ok)
{
  if (first_result (self))
    result_shown (self, ok);
}

static void
follow_gone_cb (ShmlabReaderStation *self,
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
  show_content (self, "read");
  shmlab_reader_pane_show_problem (self->pane,
                                   never_seen ? _("No segment yet — waiting for the writer")
                                              : _("The segment is gone — waiting for the writer"),
                                   text, FALSE);
  result_shown (self, FALSE);
}

static void
follow_failed_cb (ShmlabReaderStation *self,
                  const GError       *error)
{
  show_error (self, error, shmlab_station_step_said (SHMLAB_STATION (self), error));
  result_shown (self, FALSE);
}

static void
follow_stopped_cb (ShmlabReaderStation *self,
                   const GError       *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    note (self, _("following stopped: the wait for the lock was cancelled"), FALSE);
  else
    note (self, _("following stopped: this key cannot be read"), TRUE);
}

/* ---- the window ---- */

static gboolean
can_step (ShmlabStation *window)
{
  return !shmlab_reader_station_get_following (SHMLAB_READER_STATION (window));
}

/* The Reader's own actions' sensitivity; ShmlabStation sets the shared steps'. */
static void
update_actions (ShmlabStation *window)
{
  ShmlabReaderStation *self = SHMLAB_READER_STATION (window);
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean busy = shmlab_station_get_busy (window);
  gboolean locked = shmlab_session_get_locked (session_of (self));
  gboolean following = shmlab_reader_station_get_following (self);

  gtk_widget_action_set_enabled (widget, "win.read", !busy && !following && !locked);
  gtk_widget_action_set_enabled (widget, "win.follow",
                                 following || (!shmlab_station_get_job_running (window) && !locked));
  gtk_widget_action_set_enabled (widget, "win.step-read", !busy && !following && locked);
}

static void
session_waiting_changed (ShmlabReaderStation *self)
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
  if (!shmlab_reader_station_get_following (self))
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
closing (ShmlabStation *window)
{
  ShmlabReaderStation *self = SHMLAB_READER_STATION (window);

  g_signal_handlers_disconnect_by_data (self->follower, self);
  shmlab_follower_abandon (self->follower);
  shmlab_cache_view_stop (self->cache_view);
}

static void
shmlab_reader_station_dispose (GObject *object)
{
  ShmlabReaderStation *self = SHMLAB_READER_STATION (object);

  G_OBJECT_CLASS (shmlab_reader_station_parent_class)->dispose (object);
  g_clear_object (&self->follower);
}

static void
shmlab_reader_station_finalize (GObject *object)
{
  ShmlabReaderStation *self = SHMLAB_READER_STATION (object);

  g_free (self->screenshot_path);

  G_OBJECT_CLASS (shmlab_reader_station_parent_class)->finalize (object);
}

static void
shmlab_reader_station_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  ShmlabReaderStation *self = SHMLAB_READER_STATION (object);

  switch (prop_id)
    {
    case PROP_FOLLOWING:
      g_value_set_boolean (value, shmlab_reader_station_get_following (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
shmlab_reader_station_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  ShmlabReaderStation *self = SHMLAB_READER_STATION (object);

  switch (prop_id)
    {
    case PROP_FOLLOWING:
      shmlab_reader_station_set_following (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* Enter reads: the key is already there in both apps. */
static void
shmlab_reader_station_root (GtkWidget *widget)
{
  ShmlabReaderStation *self = SHMLAB_READER_STATION (widget);
  GtkRoot *root;

  GTK_WIDGET_CLASS (shmlab_reader_station_parent_class)->root (widget);
  root = gtk_widget_get_root (widget);
  if (GTK_IS_WINDOW (root) && gtk_window_get_focus (GTK_WINDOW (root)) == NULL)
    gtk_window_set_focus (GTK_WINDOW (root), self->read_button);
}

static void
shmlab_reader_station_class_init (ShmlabReaderStationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  ShmlabStationClass *station_class = SHMLAB_STATION_CLASS (klass);

  object_class->dispose = shmlab_reader_station_dispose;
  widget_class->root = shmlab_reader_station_root;
  object_class->finalize = shmlab_reader_station_finalize;
  object_class->get_property = shmlab_reader_station_get_property;
  object_class->set_property = shmlab_reader_station_set_property;
  station_class->attach_mode = SHMLAB_ACCESS_READ_ONLY;
  station_class->show_failure = show_failure;
  station_class->update_actions = update_actions;
  station_class->can_step = can_step;
  station_class->closing = closing;

  properties[PROP_FOLLOWING] =
    g_param_spec_boolean ("following", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ShmlabReaderStation::result:
   * @ok: whether there is content on show (FALSE: a problem is)
   *
   * A read, a followed change or a failure has just been shown.
   */
  signals[SIGNAL_RESULT] = g_signal_new ("result", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);

  g_type_ensure (SHMLAB_TYPE_READER_PANE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/shmlab/shmlab-reader-station.ui");
  g_type_ensure (SHMLAB_TYPE_STREAM_VIEW);
  g_type_ensure (SHMLAB_TYPE_CACHE_VIEW);
  gtk_widget_class_bind_template_child (widget_class, ShmlabReaderStation, pane);
  gtk_widget_class_bind_template_child (widget_class, ShmlabReaderStation, cache_view);
  gtk_widget_class_bind_template_child (widget_class, ShmlabReaderStation, content_stack);
  gtk_widget_class_bind_template_child (widget_class, ShmlabReaderStation, stream_view);
  gtk_widget_class_bind_template_child (widget_class, ShmlabReaderStation, read_button);

  gtk_widget_class_install_action (widget_class, "win.read", NULL, read_action);
  gtk_widget_class_install_property_action (widget_class, "win.follow", "following");
  gtk_widget_class_install_action (widget_class, "win.step-read", NULL, step_read_action);
}

static void
shmlab_reader_station_init (ShmlabReaderStation *self)
{
  ShmlabSession *session;

  gtk_widget_init_template (GTK_WIDGET (self));
  /* Every button's name, once: the header's, the steps', the menu's. */
  shmlab_a11y_name_buttons_once (GTK_WIDGET (self));

  session = session_of (self);
  shmlab_key_bar_set_show_size (shmlab_station_get_key_bar (SHMLAB_STATION (self)), FALSE);
  g_signal_connect_swapped (shmlab_station_get_key_bar (SHMLAB_STATION (self)), "applied",
                            G_CALLBACK (key_applied_cb), self);
  show_start_hint (self);

  g_signal_connect_swapped (self->stream_view, "note", G_CALLBACK (shmlab_station_note), self);
  g_signal_connect_swapped (self->cache_view, "looked", G_CALLBACK (cache_looked_cb), self);
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

  shmlab_station_update_actions (SHMLAB_STATION (self));
}

/**
 * shmlab_reader_station_set_accels:
 * @app: a program that shows a Reader
 *
 * The Reader's keys: Ctrl+R reads, Ctrl+F follows.
 */
void
shmlab_reader_station_set_accels (GtkApplication *app)
{
  static const char *const read_accels[] = { "<Control>r", NULL };
  static const char *const follow_accels[] = { "<Control>f", NULL };

  gtk_application_set_accels_for_action (app, "win.read", read_accels);
  gtk_application_set_accels_for_action (app, "win.follow", follow_accels);
}

ShmlabReaderStation *
shmlab_reader_station_new (void)
{
  return g_object_new (SHMLAB_TYPE_READER_STATION, NULL);
}

ShmlabReaderPane *
shmlab_reader_station_get_pane (ShmlabReaderStation *self)
{
  g_return_val_if_fail (SHMLAB_IS_READER_STATION (self), NULL);
  return self->pane;
}

ShmlabContentView *
shmlab_reader_station_get_content_view (ShmlabReaderStation *self)
{
  g_return_val_if_fail (SHMLAB_IS_READER_STATION (self), NULL);
  return shmlab_reader_pane_get_content_view (self->pane);
}

/* The last problem shown, "title: explanation"; NULL when content is on show. */
const char *
shmlab_reader_station_get_problem (ShmlabReaderStation *self)
{
  g_return_val_if_fail (SHMLAB_IS_READER_STATION (self), NULL);
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->content_stack), "cache") == 0)
    return shmlab_cache_view_get_problem (self->cache_view);
  return shmlab_reader_pane_get_problem (self->pane);
}

ShmlabCacheView *
shmlab_reader_station_get_cache_view (ShmlabReaderStation *self)
{
  g_return_val_if_fail (SHMLAB_IS_READER_STATION (self), NULL);
  return self->cache_view;
}

/* How many results (reads, followed changes, failures) have been shown. */
guint
shmlab_reader_station_get_n_results (ShmlabReaderStation *self)
{
  g_return_val_if_fail (SHMLAB_IS_READER_STATION (self), 0);
  return self->n_results;
}

/* --print-content: each result shown also goes to standard output, one line. */
void
shmlab_reader_station_set_print_content (ShmlabReaderStation *self,
                                        gboolean            print_content)
{
  g_return_if_fail (SHMLAB_IS_READER_STATION (self));
  self->print_content = print_content;
}

/**
 * shmlab_reader_station_start:
 * @action: what to do at once: nothing, read once, or follow
 * @screenshot: (nullable): --screenshot: a PNG to save once the action has
 *   shown its first result (or, with @screenshot_delay_ms, once it waits for
 *   a lock), after which the application quits
 * @screenshot_delay_ms: --screenshot-delay
 *
 * The start-up action of a window that has been presented.
 */
void
shmlab_reader_station_start (ShmlabReaderStation *self,
                            ShmlabReaderStart   action,
                            const char         *screenshot,
                            guint               screenshot_delay_ms)
{
  g_return_if_fail (SHMLAB_IS_READER_STATION (self));

  g_free (self->screenshot_path);
  self->screenshot_path = g_strdup (screenshot);
  self->screenshot_delay_ms = screenshot_delay_ms;
  switch (action)
    {
    case SHMLAB_READER_START_FOLLOW:
      shmlab_reader_station_set_following (self, TRUE);
      break;
    case SHMLAB_READER_START_READ:
      shmlab_reader_station_read (self);
      break;
    case SHMLAB_READER_START_NOTHING:
    default:
      take_startup_screenshot (self);
      break;
    }
}
