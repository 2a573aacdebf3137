/* shmlab-reader-window.c — the Reader's window
 *
 * Every segment operation goes through the window's ShmlabSession, which runs
 * it in a thread; the window only starts operations and shows their results.
 * An operation in flight keeps the window (and the application) alive until
 * it returns, so closing the window cancels it instead of pulling the object
 * out from under it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-reader-window.h"

#include <glib/gi18n.h>

#include <string.h>

#include "shmlab-app-support.h"
#include "shmlab-error.h"
#include "shmlab-limits.h"

/* Follow mode polls a frame at every frame of the window (or every 16 ms
 * while it is not drawn), other formats four times a second, and a segment
 * that is gone, or fails, twice a second. */
#define POLL_FALLBACK_MS 16
#define POLL_SLOW_MS 250
#define POLL_GONE_MS 500

struct _ShmlabReaderWindow
{
  GtkApplicationWindow parent_instance;

  /* Template widgets */
  ShmlabKeyBar *key_bar;
  ShmlabContentView *content_view;
  GtkStack *side_stack;
  ShmlabStepLog *step_log;
  ShmlabInspector *inspector;
  GtkWidget *step_bar;
  ShmlabWaitBar *wait_bar;
  GtkWidget *read_button;
  GtkSpinButton *timeout_spin;
  GtkCheckButton *timeout_forever;

  /* Owned */
  ShmlabSession *session;
  GCancellable *op_cancellable;      /* the running read or step */
  GCancellable *follow_cancellable;  /* the polls of one Follow */
  char *problem;                     /* the last problem shown, "title: explanation" */
  ShmlabImage *shown_image;          /* the last picture shown, at full size */
  char *last_step_error;             /* the last failed step's message, not to log it twice */
  char *follow_error;                /* the last error while following, said once */
  ShmlabReadResult *followed;        /* the last content Follow showed */
  char *screenshot_path;             /* --screenshot, taken once the start-up action ended */
  guint screenshot_delay_ms;

  guint poll_source;
  guint poll_tick;
  guint n_results;
  gboolean following;
  gboolean step_by_step;
  gboolean polling;                  /* a poll is in flight */
  gboolean gone_said;                /* "the segment is gone" was said for this absence */
  gboolean last_was_frame;           /* the last content followed was a ShmLab frame */
  gboolean print_steps;
  gboolean print_content;
  gboolean syncing_timeout;
  gboolean closed;                   /* destroyed: operations in flight only let go */
};

G_DEFINE_FINAL_TYPE (ShmlabReaderWindow, shmlab_reader_window, GTK_TYPE_APPLICATION_WINDOW)

enum
{
  PROP_0,
  PROP_FOLLOWING,
  PROP_STEP_BY_STEP,
  N_PROPS
};

enum
{
  SIGNAL_RESULT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void schedule_poll (ShmlabReaderWindow *self, guint delay_ms);
static void update_actions (ShmlabReaderWindow *self);

/* An operation in flight: holds the window, and the application so that it
 * does not quit under the operation's feet. */
typedef struct
{
  ShmlabReaderWindow *self;
  GApplication *app;
} Pending;

static Pending *
pending_new (ShmlabReaderWindow *self)
{
  Pending *pending = g_new0 (Pending, 1);
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  pending->self = g_object_ref (self);
  if (app != NULL)
    {
      pending->app = G_APPLICATION (g_object_ref (app));
      g_application_hold (pending->app);
    }
  return pending;
}

static void
pending_free (Pending *pending)
{
  if (pending->app != NULL)
    {
      g_application_release (pending->app);
      g_object_unref (pending->app);
    }
  g_object_unref (pending->self);
  g_free (pending);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Pending, pending_free)

static void
note (ShmlabReaderWindow *self,
      const char         *text,
      gboolean            is_error)
{
  shmlab_step_log_append_note (self->step_log, text, is_error);
  if (self->print_steps)
    {
      g_print (_("note  %s\n"), text);
      fflush (stdout);
    }
}

/* SHA-256 of the picture's RGBA rows (padding left out), as a PNG of it would give. */
static char *
image_checksum (const ShmlabImage *image)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  for (guint32 y = 0; y < image->height; y++)
    g_checksum_update (checksum, image->pixels + (gsize) y * image->stride,
                       (gsize) image->width * 4);
  return g_strdup (g_checksum_get_string (checksum));
}

/* --print-content: what the window now shows, one line on standard output. */
static void
print_content (ShmlabReaderWindow *self)
{
  const char *page = shmlab_content_view_get_page (self->content_view);

  if (!self->print_content)
    return;

  if (g_strcmp0 (page, "image") == 0 && self->shown_image != NULL)
    {
      g_autofree char *sum = image_checksum (self->shown_image);

      g_print ("content: image %u × %u, sha256 %s\n", self->shown_image->width,
               self->shown_image->height, sum);
    }
  else if (g_strcmp0 (page, "text") == 0)
    {
      g_autofree char *text = shmlab_content_view_get_text (self->content_view);
      g_autofree char *escaped = g_strescape (text ? text : "", NULL);

      g_print ("content: text \"%s\"\n", escaped);
    }
  else if (g_strcmp0 (page, "problem") == 0)
    g_print ("content: problem %s\n", self->problem ? self->problem : "");
  else
    g_print ("content: %s\n", page ? page : "nothing");
  fflush (stdout);
}

/* The start-up action has shown its result, or waits (worth a picture too). */
static void
take_startup_screenshot (ShmlabReaderWindow *self)
{
  g_autofree char *path = g_steal_pointer (&self->screenshot_path);

  if (path != NULL && !self->closed)
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

/* @has_bytes: something was read, and the inspector shows it */
static void
show_problem (ShmlabReaderWindow *self,
              const char         *title,
              const char         *explanation,
              gboolean            has_bytes)
{
  g_free (self->problem);
  g_clear_pointer (&self->shown_image, shmlab_image_unref);
  self->problem = g_strdup_printf ("%s: %s", title, explanation);
  if (has_bytes)
    shmlab_content_view_show_bad_bytes (self->content_view, title, explanation);
  else
    shmlab_content_view_show_problem (self->content_view, title, explanation);
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

static const char *
decode_error_title (const GError *error)
{
  if (error->domain == SHMLAB_PAYLOAD_ERROR)
    switch (error->code)
      {
      case SHMLAB_PAYLOAD_ERROR_MALFORMED: return _("The segment's content is damaged");
      case SHMLAB_PAYLOAD_ERROR_CHECKSUM: return _("The content does not match its checksum");
      case SHMLAB_PAYLOAD_ERROR_UNSUPPORTED: return _("ShmLab cannot show this content");
      case SHMLAB_PAYLOAD_ERROR_TOO_LARGE: return _("The content is larger than the segment");
      default: break;
      }
  if (error->domain == SHMLAB_IMAGE_ERROR)
    return _("The picture in the segment cannot be decoded");
  return _("The segment holds nothing ShmLab can show");
}

/* A failed operation: in the window, and in the log unless its step said it already. */
static void
show_error (ShmlabReaderWindow *self,
            const GError       *error)
{
  const char *explanation = error->message;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    explanation = _("the operation was cancelled before it finished: nothing new was read");
  show_problem (self, error_title (error), explanation, FALSE);
  if (g_strcmp0 (self->last_step_error, error->message) != 0)
    note (self, explanation, TRUE);
  g_clear_pointer (&self->last_step_error, g_free);
}

static void
show_read_result (ShmlabReaderWindow     *self,
                  const ShmlabReadResult *result)
{
  if (result->payload != NULL)
    {
      shmlab_content_view_show_payload (self->content_view, result->payload);
      g_clear_pointer (&self->shown_image, shmlab_image_unref);
      if (result->payload->image != NULL)
        self->shown_image = shmlab_image_ref (result->payload->image);
      g_clear_pointer (&self->problem, g_free);
      self->last_was_frame = result->payload->format == SHMLAB_FORMAT_FRAME;
      if (result->payload->kind == SHMLAB_PAYLOAD_KIND_TEXT && result->payload->invalid_bytes > 0)
        {
          gsize n = result->payload->invalid_bytes;
          g_autofree char *text = g_strdup_printf (
            n == 1 ? _("%zu byte of the segment is not valid UTF-8 text: it is "
                     "shown as �; the Segment tab shows the bytes themselves")
                   : _("%zu bytes of the segment are not valid UTF-8 text: they "
                     "are shown as �; the Segment tab shows the bytes themselves"), n);
          note (self, text, TRUE);
          self->problem = g_steal_pointer (&text);
          /* Much of it may not be text at all: the bytes tell. */
          gtk_stack_set_visible_child_name (self->side_stack, "segment");
        }
    }
  else
    {
      const GError *error = result->decode_error;
      gsize size = result->bytes ? g_bytes_get_size (result->bytes) : 0;

      self->last_was_frame = size >= 8 && memcmp (g_bytes_get_data (result->bytes, NULL),
                                                   SHMLAB_FRAME_MAGIC, 8) == 0;
      show_problem (self, error ? decode_error_title (error) : _("Nothing to show"),
                    error ? error->message : _("the bytes are in no format ShmLab knows"), TRUE);

      gtk_stack_set_visible_child_name (self->side_stack, "segment");
    }
}

/* Segment steps are quick unless they wait for the lock: the wait bar shows
 * up only then, and its Cancel cancels the operation. */
static void
start_op (ShmlabReaderWindow *self)
{
  g_clear_object (&self->op_cancellable);
  self->op_cancellable = g_cancellable_new ();
  shmlab_wait_bar_set_cancellable (self->wait_bar, self->op_cancellable);
}

static void
end_op (ShmlabReaderWindow *self)
{
  shmlab_wait_bar_set_cancellable (self->wait_bar, self->following ? self->follow_cancellable
                                                                    : NULL);
  g_clear_object (&self->op_cancellable);
}

static void
read_done (GObject      *source,
           GAsyncResult *res,
           gpointer      user_data)
{
  g_autoptr(Pending) pending = user_data;
  ShmlabReaderWindow *self = pending->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabReadResult) result = shmlab_session_read_finish (SHMLAB_SESSION (source), res,
                                                                    &error);

  if (self->closed)
    return;
  end_op (self);
  if (result != NULL)
    show_read_result (self, result);
  else
    show_error (self, error);
  update_actions (self);
  result_shown (self, result != NULL && result->payload != NULL);
}

static gboolean
apply_key (ShmlabReaderWindow *self)
{
  g_autoptr(GError) error = NULL;

  if (shmlab_key_bar_apply (self->key_bar, &error))
    return TRUE;
  show_error (self, error);
  result_shown (self, FALSE);
  return FALSE;
}

/**
 * shmlab_reader_window_read:
 *
 * The one click: attach, lock, copy, unlock, detach, then show the copy.
 * Does nothing while another operation runs or while following.
 */
void
shmlab_reader_window_read (ShmlabReaderWindow *self)
{
  g_return_if_fail (SHMLAB_IS_READER_WINDOW (self));

  if (shmlab_session_get_busy (self->session) || self->following || !apply_key (self))
    return;
  start_op (self);
  shmlab_session_read_all_async (self->session, self->op_cancellable, read_done,
                                 pending_new (self));
}

static void
detach_done (GObject      *source,
             GAsyncResult *res,
             gpointer      user_data)
{
  g_autoptr(Pending) pending = user_data;

  /* The step log shows a failure; there is nothing else to do about it. */
  shmlab_session_step_finish (SHMLAB_SESSION (source), res, NULL);
  if (!pending->self->closed)
    update_actions (pending->self);
}

static void
detach_if_attached (ShmlabReaderWindow *self)
{
  if (!shmlab_session_get_attached (self->session) || shmlab_session_get_busy (self->session))
    return;
  shmlab_session_detach_async (self->session, NULL, detach_done, pending_new (self));
}

static void
stop_poll_timers (ShmlabReaderWindow *self)
{
  g_clear_handle_id (&self->poll_source, g_source_remove);
  if (self->poll_tick != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->poll_tick);
      self->poll_tick = 0;
    }
}

static void
poll_done (GObject      *source,
           GAsyncResult *res,
           gpointer      user_data)
{
  g_autoptr(Pending) pending = user_data;
  ShmlabReaderWindow *self = pending->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabReadResult) result = shmlab_session_read_finish (SHMLAB_SESSION (source), res,
                                                                    &error);
  gboolean first = self->n_results == 0 || self->screenshot_path != NULL;
  guint delay;

  self->polling = FALSE;
  if (self->closed)
    return;
  if (!self->following)
    {
      detach_if_attached (self);
      update_actions (self);
      return;
    }

  if (result != NULL)
    {
      gboolean came_back = self->gone_said || self->follow_error != NULL;

      self->gone_said = FALSE;
      g_clear_pointer (&self->follow_error, g_free);
      if (result->changed)
        {
          show_read_result (self, result);
          g_clear_pointer (&self->followed, shmlab_read_result_free);
          self->followed = g_steal_pointer (&result);
          result_shown (self, self->followed->payload != NULL);
        }
      else if (came_back && self->followed != NULL)
        {
          /* The same bytes as before the error: show them again over it. */
          show_read_result (self, self->followed);
          result_shown (self, self->followed->payload != NULL);
        }
      else if (first)
        result_shown (self, TRUE);
      delay = self->last_was_frame ? 0 : POLL_SLOW_MS;
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Cancel in the wait bar: stop following. */
      note (self, _("following stopped: the wait for the lock was cancelled"), FALSE);
      shmlab_reader_window_set_following (self, FALSE);
      return;
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PENDING))
    delay = POLL_SLOW_MS;
  else if (g_error_matches (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_NOT_FOUND))
    {
      if (!self->gone_said)
        {
          const char *key = shmlab_session_get_key (self->session);
          gboolean never_seen = self->followed == NULL;
          g_autofree char *text = NULL;

          self->gone_said = TRUE;
          note (self, never_seen ? _("no segment has this key yet — waiting for the writer")
                                 : _("the segment is gone — waiting for the writer"), FALSE);
          text = g_strdup_printf (_("No segment has the key “%s” now. Follow keeps looking twice a "
                                  "second and shows the content as soon as a writer creates the "
                                  "segment%s."), key ? key : "", never_seen ? "" : _(" again"));
          show_problem (self, never_seen ? _("No segment yet — waiting for the writer")
                                         : _("The segment is gone — waiting for the writer"), text,
                        FALSE);
          result_shown (self, FALSE);
        }
      else if (first)
        result_shown (self, FALSE);
      delay = POLL_GONE_MS;
    }
  else
    {
      if (g_strcmp0 (self->follow_error, error->message) != 0)
        {
          g_free (self->follow_error);
          self->follow_error = g_strdup (error->message);
          show_error (self, error);
          result_shown (self, FALSE);
        }
      else if (first)
        result_shown (self, FALSE);
      if (g_error_matches (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_KEY_ERROR) ||
          g_error_matches (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_PERMISSION_DENIED))
        {
          note (self, _("following stopped: this key cannot be read"), TRUE);
          shmlab_reader_window_set_following (self, FALSE);
          return;
        }
      delay = POLL_GONE_MS;
    }
  schedule_poll (self, delay);
}

static void
poll_now (ShmlabReaderWindow *self)
{
  if (!self->following || self->polling || self->closed)
    return;
  self->polling = TRUE;
  shmlab_session_poll_async (self->session, self->follow_cancellable, poll_done,
                             pending_new (self));
}

static gboolean
poll_tick_cb (GtkWidget     *widget,
              GdkFrameClock *clock,
              gpointer       user_data)
{
  ShmlabReaderWindow *self = SHMLAB_READER_WINDOW (widget);

  self->poll_tick = 0;
  poll_now (self);
  return G_SOURCE_REMOVE;
}

static gboolean
poll_timeout_cb (gpointer user_data)
{
  ShmlabReaderWindow *self = user_data;

  self->poll_source = 0;
  poll_now (self);
  return G_SOURCE_REMOVE;
}

/* The next poll: at the next frame (0), or after @delay_ms. */
static void
schedule_poll (ShmlabReaderWindow *self,
               guint               delay_ms)
{
  stop_poll_timers (self);
  if (delay_ms == 0 && gtk_widget_get_mapped (GTK_WIDGET (self)))
    self->poll_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self), poll_tick_cb, NULL, NULL);
  else
    self->poll_source = g_timeout_add (delay_ms ? delay_ms : POLL_FALLBACK_MS, poll_timeout_cb,
                                       self);
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
  g_return_if_fail (SHMLAB_IS_READER_WINDOW (self));

  following = !!following;
  if (self->following == following)
    return;

  if (following)
    {
      g_autofree char *text = NULL;

      if (!apply_key (self))
        {
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOWING]);
          return;
        }
      self->following = TRUE;
      self->gone_said = FALSE;
      self->last_was_frame = FALSE;
      g_clear_pointer (&self->follow_error, g_free);
      g_clear_pointer (&self->followed, shmlab_read_result_free);
      g_clear_object (&self->follow_cancellable);
      self->follow_cancellable = g_cancellable_new ();
      shmlab_wait_bar_set_cancellable (self->wait_bar, self->follow_cancellable);
      text = g_strdup_printf (_("following “%s”: every new write is shown as it comes"),
                              shmlab_session_get_key (self->session));
      note (self, text, FALSE);
      poll_now (self);
    }
  else
    {
      self->following = FALSE;
      stop_poll_timers (self);
      g_cancellable_cancel (self->follow_cancellable);
      g_clear_object (&self->follow_cancellable);
      if (!self->closed)
        {
          shmlab_wait_bar_set_cancellable (self->wait_bar, NULL);
          note (self, _("stopped following"), FALSE);
          /* Else the poll in flight detaches when it returns. */
          if (!self->polling)
            detach_if_attached (self);
        }
    }
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOWING]);
}

gboolean
shmlab_reader_window_get_following (ShmlabReaderWindow *self)
{
  g_return_val_if_fail (SHMLAB_IS_READER_WINDOW (self), FALSE);
  return self->following;
}

static void
step_done (GObject      *source,
           GAsyncResult *res,
           gpointer      user_data)
{
  g_autoptr(Pending) pending = user_data;
  ShmlabReaderWindow *self = pending->self;
  g_autoptr(GError) error = NULL;

  if (!shmlab_session_step_finish (SHMLAB_SESSION (source), res, &error) && !self->closed)
    {
      end_op (self);
      show_error (self, error);
      update_actions (self);
      result_shown (self, FALSE);
      return;
    }
  if (self->closed)
    return;
  end_op (self);
  update_actions (self);
}

/* The step-by-step buttons: win.step-attach, -lock, -read, -unlock, -detach. */
static void
step_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ShmlabReaderWindow *self = SHMLAB_READER_WINDOW (widget);
  const char *step = action_name + strlen ("win.step-");
  GCancellable *cancellable;

  if (shmlab_session_get_busy (self->session))
    return;
  if (g_str_equal (step, "attach") && !apply_key (self))
    return;
  start_op (self);
  cancellable = self->op_cancellable;

  if (g_str_equal (step, "attach"))
    shmlab_session_attach_async (self->session, SHMLAB_ACCESS_READ_ONLY, cancellable, step_done,
                                 pending_new (self));
  else if (g_str_equal (step, "lock"))
    shmlab_session_lock_async (self->session, cancellable, step_done, pending_new (self));
  else if (g_str_equal (step, "read"))
    shmlab_session_read_async (self->session, cancellable, read_done, pending_new (self));
  else if (g_str_equal (step, "unlock"))
    shmlab_session_unlock_async (self->session, cancellable, step_done, pending_new (self));
  else
    shmlab_session_detach_async (self->session, cancellable, step_done, pending_new (self));
}

static void
read_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  shmlab_reader_window_read (SHMLAB_READER_WINDOW (widget));
}

void
shmlab_reader_window_set_step_by_step (ShmlabReaderWindow *self,
                                       gboolean            step_by_step)
{
  g_return_if_fail (SHMLAB_IS_READER_WINDOW (self));

  step_by_step = !!step_by_step;
  if (self->step_by_step == step_by_step)
    return;
  self->step_by_step = step_by_step;
  gtk_widget_set_visible (self->step_bar, step_by_step);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STEP_BY_STEP]);
}

gboolean
shmlab_reader_window_get_step_by_step (ShmlabReaderWindow *self)
{
  g_return_val_if_fail (SHMLAB_IS_READER_WINDOW (self), FALSE);
  return self->step_by_step;
}

/* Each step only when it makes sense, nothing while an operation runs. */
static void
update_actions (ShmlabReaderWindow *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean busy = shmlab_session_get_busy (self->session);
  gboolean attached = shmlab_session_get_attached (self->session);
  gboolean locked = shmlab_session_get_locked (self->session);
  gboolean free_to_step = !busy && !self->following;

  if (self->closed)
    return;
  gtk_widget_action_set_enabled (widget, "win.read", free_to_step && !locked);
  gtk_widget_action_set_enabled (widget, "win.follow",
                                 self->following || (self->op_cancellable == NULL && !locked));
  gtk_widget_action_set_enabled (widget, "win.step-attach", free_to_step && !attached);
  gtk_widget_action_set_enabled (widget, "win.step-lock", free_to_step && attached && !locked);
  gtk_widget_action_set_enabled (widget, "win.step-read", free_to_step && locked);
  gtk_widget_action_set_enabled (widget, "win.step-unlock", free_to_step && locked);
  gtk_widget_action_set_enabled (widget, "win.step-detach", free_to_step && attached);
}

static void
session_state_changed (ShmlabReaderWindow *self)
{
  update_actions (self);
}

static void
session_step (ShmlabReaderWindow *self,
              const ShmlabStep   *step)
{
  if (!step->ok && step->error != NULL)
    {
      g_free (self->last_step_error);
      self->last_step_error = g_strdup (step->error->message);
    }
  if (self->print_steps)
    {
      g_autofree char *line = shmlab_step_to_string (step);
      g_print ("%s\n", line);
      fflush (stdout);
    }
}

static void
session_waiting_changed (ShmlabReaderWindow *self)
{
  g_autofree char *text = NULL;
  gint timeout = shmlab_session_get_lock_timeout (self->session);

  if (!shmlab_session_get_waiting (self->session))
    return;
  if (timeout < 0)
    text = g_strdup_printf (_("waiting for the lock of “%s” held by another process, as long as "
                            "it takes"), shmlab_session_get_key (self->session));
  else
    text = g_strdup_printf (_("waiting for the lock of “%s” held by another process (giving up "
                            "after %.1f s)"), shmlab_session_get_key (self->session),
                            timeout / 1000.0);
  /* Following a busy writer meets its lock often: the wait bar shows that, the log need not. */
  if (!self->following)
    {
      if (g_strcmp0 (shmlab_content_view_get_page (self->content_view), "empty") == 0)
        shmlab_content_view_show_empty (self->content_view,
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

static void
session_timeout_changed (ShmlabReaderWindow *self)
{
  gint timeout = shmlab_session_get_lock_timeout (self->session);

  self->syncing_timeout = TRUE;
  gtk_check_button_set_active (self->timeout_forever, timeout < 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->timeout_spin), timeout >= 0);
  if (timeout >= 0)
    gtk_spin_button_set_value (self->timeout_spin, timeout / 1000.0);
  self->syncing_timeout = FALSE;
}

static void
timeout_controls_changed (ShmlabReaderWindow *self)
{
  gint timeout;

  if (self->syncing_timeout)
    return;
  if (gtk_check_button_get_active (self->timeout_forever))
    timeout = -1;
  else
    timeout = (gint) (gtk_spin_button_get_value (self->timeout_spin) * 1000.0 + 0.5);
  shmlab_session_set_lock_timeout (self->session, timeout);
}

/* Stops everything: an operation in flight keeps the window alive, so this
 * cannot wait for dispose, which only comes once the operation returns. */
static void
shut_down (ShmlabReaderWindow *self)
{
  if (self->closed)
    return;
  self->closed = TRUE;
  shmlab_reader_window_set_following (self, FALSE);
  stop_poll_timers (self);
  g_cancellable_cancel (self->op_cancellable);
  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      shmlab_app_close_session (self->session);
    }
}

/* gtk_window_destroy() unrealizes the window. */
static void
shmlab_reader_window_unrealize (GtkWidget *widget)
{
  shut_down (SHMLAB_READER_WINDOW (widget));
  GTK_WIDGET_CLASS (shmlab_reader_window_parent_class)->unrealize (widget);
}

static void
shmlab_reader_window_dispose (GObject *object)
{
  ShmlabReaderWindow *self = SHMLAB_READER_WINDOW (object);

  shut_down (self);

  gtk_widget_dispose_template (GTK_WIDGET (self), SHMLAB_TYPE_READER_WINDOW);
  /* Closed already: its detach runs in a thread of its own. */
  g_clear_object (&self->session);

  G_OBJECT_CLASS (shmlab_reader_window_parent_class)->dispose (object);
}

static void
shmlab_reader_window_finalize (GObject *object)
{
  ShmlabReaderWindow *self = SHMLAB_READER_WINDOW (object);

  g_clear_object (&self->op_cancellable);
  g_clear_object (&self->follow_cancellable);
  g_free (self->problem);
  g_clear_pointer (&self->shown_image, shmlab_image_unref);
  g_free (self->last_step_error);
  g_free (self->follow_error);
  g_clear_pointer (&self->followed, shmlab_read_result_free);
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
    case PROP_FOLLOWING: g_value_set_boolean (value, self->following); break;
    case PROP_STEP_BY_STEP: g_value_set_boolean (value, self->step_by_step); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
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
    case PROP_STEP_BY_STEP:
      shmlab_reader_window_set_step_by_step (self, g_value_get_boolean (value));
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

  object_class->dispose = shmlab_reader_window_dispose;
  object_class->finalize = shmlab_reader_window_finalize;
  object_class->get_property = shmlab_reader_window_get_property;
  object_class->set_property = shmlab_reader_window_set_property;
  widget_class->unrealize = shmlab_reader_window_unrealize;

  properties[PROP_FOLLOWING] =
    g_param_spec_boolean ("following", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STEP_BY_STEP] =
    g_param_spec_boolean ("step-by-step", NULL, NULL, FALSE,
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

  g_type_ensure (SHMLAB_TYPE_KEY_BAR);
  g_type_ensure (SHMLAB_TYPE_CONTENT_VIEW);
  g_type_ensure (SHMLAB_TYPE_STEP_LOG);
  g_type_ensure (SHMLAB_TYPE_INSPECTOR);
  g_type_ensure (SHMLAB_TYPE_WAIT_BAR);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/shmlab/shmlab-reader-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ShmlabReaderWindow, key_bar);
  gtk_widget_class_bind_template_child (widget_class, ShmlabReaderWindow, content_view);
  gtk_widget_class_bind_template_child (widget_class, ShmlabReaderWindow, side_stack);
  gtk_widget_class_bind_template_child (widget_class, ShmlabReaderWindow, step_log);
  gtk_widget_class_bind_template_child (widget_class, ShmlabReaderWindow, inspector);
  gtk_widget_class_bind_template_child (widget_class, ShmlabReaderWindow, step_bar);
  gtk_widget_class_bind_template_child (widget_class, ShmlabReaderWindow, wait_bar);
  gtk_widget_class_bind_template_child (widget_class, ShmlabReaderWindow, read_button);
  gtk_widget_class_bind_template_child (widget_class, ShmlabReaderWindow, timeout_spin);
  gtk_widget_class_bind_template_child (widget_class, ShmlabReaderWindow, timeout_forever);

  gtk_widget_class_install_action (widget_class, "win.read", NULL, read_activated);
  gtk_widget_class_install_property_action (widget_class, "win.follow", "following");
  gtk_widget_class_install_property_action (widget_class, "win.step-by-step", "step-by-step");
  gtk_widget_class_install_action (widget_class, "win.step-attach", NULL, step_activated);
  gtk_widget_class_install_action (widget_class, "win.step-lock", NULL, step_activated);
  gtk_widget_class_install_action (widget_class, "win.step-read", NULL, step_activated);
  gtk_widget_class_install_action (widget_class, "win.step-unlock", NULL, step_activated);
  gtk_widget_class_install_action (widget_class, "win.step-detach", NULL, step_activated);
}

static void
shmlab_reader_window_init (ShmlabReaderWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->session = shmlab_session_new ();
  shmlab_key_bar_set_show_size (self->key_bar, FALSE);
  shmlab_key_bar_set_session (self->key_bar, self->session);
  shmlab_step_log_set_session (self->step_log, self->session);
  shmlab_inspector_set_session (self->inspector, self->session);
  shmlab_wait_bar_set_session (self->wait_bar, self->session);
  shmlab_content_view_show_empty (self->content_view,
                                  _("Press “Read from shared memory” (Ctrl+R) to see what the "
                                  "segment of the key holds, or “Follow” (Ctrl+F) to watch it."));

  g_signal_connect_swapped (self->session, "notify::attached",
                            G_CALLBACK (session_state_changed), self);
  g_signal_connect_swapped (self->session, "notify::locked",
                            G_CALLBACK (session_state_changed), self);
  g_signal_connect_swapped (self->session, "notify::busy",
                            G_CALLBACK (session_state_changed), self);
  g_signal_connect_swapped (self->session, "notify::waiting",
                            G_CALLBACK (session_waiting_changed), self);
  g_signal_connect_swapped (self->session, "notify::lock-timeout",
                            G_CALLBACK (session_timeout_changed), self);
  g_signal_connect_swapped (self->session, "step", G_CALLBACK (session_step), self);

  g_signal_connect_swapped (self->timeout_spin, "value-changed",
                            G_CALLBACK (timeout_controls_changed), self);
  g_signal_connect_swapped (self->timeout_forever, "toggled",
                            G_CALLBACK (timeout_controls_changed), self);
  session_timeout_changed (self);
  update_actions (self);
  /* Enter reads: the key is already there in both apps. */
  gtk_window_set_focus (GTK_WINDOW (self), self->read_button);
}

ShmlabReaderWindow *
shmlab_reader_window_new (GtkApplication *application)
{
  return g_object_new (SHMLAB_TYPE_READER_WINDOW, "application", application, NULL);
}

ShmlabSession *
shmlab_reader_window_get_session (ShmlabReaderWindow *self)
{
  g_return_val_if_fail (SHMLAB_IS_READER_WINDOW (self), NULL);
  return self->session;
}

ShmlabKeyBar *
shmlab_reader_window_get_key_bar (ShmlabReaderWindow *self)
{
  g_return_val_if_fail (SHMLAB_IS_READER_WINDOW (self), NULL);
  return self->key_bar;
}

ShmlabContentView *
shmlab_reader_window_get_content_view (ShmlabReaderWindow *self)
{
  g_return_val_if_fail (SHMLAB_IS_READER_WINDOW (self), NULL);
  return self->content_view;
}

ShmlabStepLog *
shmlab_reader_window_get_step_log (ShmlabReaderWindow *self)
{
  g_return_val_if_fail (SHMLAB_IS_READER_WINDOW (self), NULL);
  return self->step_log;
}

ShmlabInspector *
shmlab_reader_window_get_inspector (ShmlabReaderWindow *self)
{
  g_return_val_if_fail (SHMLAB_IS_READER_WINDOW (self), NULL);
  return self->inspector;
}

ShmlabWaitBar *
shmlab_reader_window_get_wait_bar (ShmlabReaderWindow *self)
{
  g_return_val_if_fail (SHMLAB_IS_READER_WINDOW (self), NULL);
  return self->wait_bar;
}

/* "steps" or "segment": which tab of the side panel is in front. */
const char *
shmlab_reader_window_get_side_page (ShmlabReaderWindow *self)
{
  g_return_val_if_fail (SHMLAB_IS_READER_WINDOW (self), NULL);
  return gtk_stack_get_visible_child_name (self->side_stack);
}

/* The last problem shown, "title: explanation"; NULL when content is on show. */
const char *
shmlab_reader_window_get_problem (ShmlabReaderWindow *self)
{
  g_return_val_if_fail (SHMLAB_IS_READER_WINDOW (self), NULL);
  return self->problem;
}

/* How many results (reads, followed changes, failures) have been shown. */
guint
shmlab_reader_window_get_n_results (ShmlabReaderWindow *self)
{
  g_return_val_if_fail (SHMLAB_IS_READER_WINDOW (self), 0);
  return self->n_results;
}

/* --print-steps: every step and note also goes to standard output. */
void
shmlab_reader_window_set_print_steps (ShmlabReaderWindow *self,
                                      gboolean            print_steps)
{
  g_return_if_fail (SHMLAB_IS_READER_WINDOW (self));
  self->print_steps = print_steps;
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
