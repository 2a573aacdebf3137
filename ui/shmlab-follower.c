/* shmlab-follower.c — Follow's policy, below the window that shows it
 *
 * Follow stays attached and polls: a ShmLab frame at every frame of the
 * clock widget (or every 16 ms while it is not drawn), other formats four
 * times a second, and a segment that is gone, or fails, twice a second. It
 * tells a change once, an absence once, a failure once while it stays the
 * same; a cancelled lock wait, or a key that cannot be read, stops it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-follower.h"

#include <string.h>

#include "shmlab-error.h"

#define POLL_FALLBACK_MS 16
#define POLL_SLOW_MS 250
#define POLL_GONE_MS 500

struct _ShmlabFollower
{
  GObject parent_instance;

  /* Owned */
  ShmlabSession *session;
  GCancellable *cancellable;   /* the polls of one Follow */
  ShmlabReadResult *followed;  /* the last content told */
  char *error_message;         /* the last failure told, said once */

  /* Borrowed */
  GtkWidget *clock;            /* weak: whose frames pace the polls of a frame */

  guint poll_source;
  guint poll_tick;
  gboolean following;
  gboolean polling;            /* a poll is in flight */
  gboolean gone_said;          /* the absence was told */
  gboolean last_was_frame;     /* the last content was a ShmLab frame */
  gboolean abandoned;          /* its window went away: polls in flight only let go */
};

G_DEFINE_FINAL_TYPE (ShmlabFollower, shmlab_follower, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_FOLLOWING,
  N_PROPS
};

enum
{
  SIGNAL_CONTENT,
  SIGNAL_UNCHANGED,
  SIGNAL_GONE,
  SIGNAL_FAILED,
  SIGNAL_STOPPED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void schedule_poll (ShmlabFollower *self, guint delay_ms);

static void
stop_timers (ShmlabFollower *self)
{
  g_clear_handle_id (&self->poll_source, g_source_remove);
  if (self->poll_tick != 0)
    {
      if (self->clock != NULL)
        gtk_widget_remove_tick_callback (self->clock, self->poll_tick);
      self->poll_tick = 0;
    }
}

static void
detach_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  /* The step log shows a failure; there is nothing else to do about it. */
  shmlab_session_step_finish (SHMLAB_SESSION (source), result, NULL);
}

static void
detach_if_attached (ShmlabFollower *self)
{
  if (!shmlab_session_get_attached (self->session) || shmlab_session_get_busy (self->session))
    return;
  shmlab_session_detach_async (self->session, NULL, detach_done_cb, NULL);
}

/* A ShmLab frame, whole or damaged, as the decoder saw it: frames are polled
 * at every frame of the display. */
static gboolean
is_frame (const ShmlabReadResult *result)
{
  const ShmlabPayloadErrorDetails *details;

  if (result->payload != NULL)
    return result->payload->format == SHMLAB_FORMAT_FRAME;
  details = result->decode_error ? shmlab_payload_error_get_details (result->decode_error) : NULL;
  return details != NULL && details->format == SHMLAB_FORMAT_FRAME;
}

/* Following ends: no more polls; the session detaches unless a poll in flight will. */
static void
end_following (ShmlabFollower *self,
               gboolean        detach)
{
  if (!self->following)
    return;
  self->following = FALSE;
  stop_timers (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (detach && !self->polling)
    detach_if_attached (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOWING]);
}

static void
stop_on_error (ShmlabFollower *self,
               const GError   *error)
{
  g_signal_emit (self, signals[SIGNAL_STOPPED], 0, error);
  end_following (self, TRUE);
}

static void
poll_done_cb (GObject      *source,
              GAsyncResult *res,
              gpointer      user_data)
{
  g_autoptr(ShmlabFollower) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabReadResult) result = shmlab_session_read_finish (SHMLAB_SESSION (source), res,
                                                                    &error);
  guint delay;

  self->polling = FALSE;
  if (self->abandoned)
    return;
  if (!self->following)
    {
      detach_if_attached (self);
      return;
    }

  if (result != NULL)
    {
      gboolean came_back = self->gone_said || self->error_message != NULL;

      self->gone_said = FALSE;
      g_clear_pointer (&self->error_message, g_free);
      if (result->changed)
        {
          g_clear_pointer (&self->followed, shmlab_read_result_free);
          self->followed = g_steal_pointer (&result);
          self->last_was_frame = is_frame (self->followed);
          g_signal_emit (self, signals[SIGNAL_CONTENT], 0, self->followed);
        }
      else if (came_back && self->followed != NULL)
        /* The same bytes as before the error: shown again over it. */
        g_signal_emit (self, signals[SIGNAL_CONTENT], 0, self->followed);
      else
        g_signal_emit (self, signals[SIGNAL_UNCHANGED], 0, TRUE);
      delay = self->last_was_frame ? 0 : POLL_SLOW_MS;
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Cancel in the wait bar: stop following. */
      stop_on_error (self, error);
      return;
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PENDING))
    delay = POLL_SLOW_MS;
  else if (g_error_matches (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_NOT_FOUND))
    {
      if (!self->gone_said)
        {
          self->gone_said = TRUE;
          g_signal_emit (self, signals[SIGNAL_GONE], 0, self->followed == NULL);
        }
      else
        g_signal_emit (self, signals[SIGNAL_UNCHANGED], 0, FALSE);
      delay = POLL_GONE_MS;
    }
  else
    {
      if (g_strcmp0 (self->error_message, error->message) != 0)
        {
          g_free (self->error_message);
          self->error_message = g_strdup (error->message);
          g_signal_emit (self, signals[SIGNAL_FAILED], 0, error);
        }
      else
        g_signal_emit (self, signals[SIGNAL_UNCHANGED], 0, FALSE);
      if (self->abandoned || !self->following)
        return;
      if (g_error_matches (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_KEY_ERROR) ||
          g_error_matches (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_PERMISSION_DENIED))
        {
          stop_on_error (self, error);
          return;
        }
      delay = POLL_GONE_MS;
    }
  if (!self->abandoned && self->following)
    schedule_poll (self, delay);
}

static void
poll_now (ShmlabFollower *self)
{
  if (!self->following || self->polling || self->abandoned)
    return;
  self->polling = TRUE;
  shmlab_session_poll_async (self->session, self->cancellable, poll_done_cb,
                             g_object_ref (self));
}

static gboolean
poll_tick_cb (GtkWidget     *widget,
              GdkFrameClock *clock,
              gpointer       user_data)
{
  ShmlabFollower *self = user_data;

  self->poll_tick = 0;
  poll_now (self);
  return G_SOURCE_REMOVE;
}

static gboolean
poll_timeout_cb (gpointer user_data)
{
  ShmlabFollower *self = user_data;

  self->poll_source = 0;
  poll_now (self);
  return G_SOURCE_REMOVE;
}

/* The next poll: at the next frame (0), or after @delay_ms. */
static void
schedule_poll (ShmlabFollower *self,
               guint           delay_ms)
{
  stop_timers (self);
  if (delay_ms == 0 && self->clock != NULL && gtk_widget_get_mapped (self->clock))
    self->poll_tick = gtk_widget_add_tick_callback (self->clock, poll_tick_cb, self, NULL);
  else
    self->poll_source = g_timeout_add (delay_ms ? delay_ms : POLL_FALLBACK_MS, poll_timeout_cb,
                                       self);
}

/* Follow: polls from now on, with the session's key as it is. */
void
shmlab_follower_start (ShmlabFollower *self)
{
  g_return_if_fail (SHMLAB_IS_FOLLOWER (self));

  if (self->following || self->abandoned)
    return;
  self->following = TRUE;
  self->gone_said = FALSE;
  self->last_was_frame = FALSE;
  g_clear_pointer (&self->error_message, g_free);
  g_clear_pointer (&self->followed, shmlab_read_result_free);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  poll_now (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOWING]);
}

/* Stops polling and detaches (once the poll in flight, if any, returns). */
void
shmlab_follower_stop (ShmlabFollower *self)
{
  g_return_if_fail (SHMLAB_IS_FOLLOWER (self));
  end_following (self, TRUE);
}

/* Stops for good without a word or a detach: the session is closing. */
void
shmlab_follower_abandon (ShmlabFollower *self)
{
  g_return_if_fail (SHMLAB_IS_FOLLOWER (self));
  self->abandoned = TRUE;
  end_following (self, FALSE);
  stop_timers (self);
}

gboolean
shmlab_follower_get_following (ShmlabFollower *self)
{
  g_return_val_if_fail (SHMLAB_IS_FOLLOWER (self), FALSE);
  return self->following;
}

gboolean
shmlab_follower_get_polling (ShmlabFollower *self)
{
  g_return_val_if_fail (SHMLAB_IS_FOLLOWER (self), FALSE);
  return self->polling;
}

/* What cancels the polls of this Follow (the wait bar's Cancel); NULL when not following. */
GCancellable *
shmlab_follower_get_cancellable (ShmlabFollower *self)
{
  g_return_val_if_fail (SHMLAB_IS_FOLLOWER (self), NULL);
  return self->cancellable;
}

/* The last content told, or NULL. */
const ShmlabReadResult *
shmlab_follower_get_last (ShmlabFollower *self)
{
  g_return_val_if_fail (SHMLAB_IS_FOLLOWER (self), NULL);
  return self->followed;
}

static void
shmlab_follower_dispose (GObject *object)
{
  ShmlabFollower *self = SHMLAB_FOLLOWER (object);

  self->abandoned = TRUE;
  stop_timers (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_weak_pointer (&self->clock);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (shmlab_follower_parent_class)->dispose (object);
}

static void
shmlab_follower_finalize (GObject *object)
{
  ShmlabFollower *self = SHMLAB_FOLLOWER (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->followed, shmlab_read_result_free);
  g_free (self->error_message);

  G_OBJECT_CLASS (shmlab_follower_parent_class)->finalize (object);
}

static void
shmlab_follower_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  ShmlabFollower *self = SHMLAB_FOLLOWER (object);

  switch (prop_id)
    {
    case PROP_FOLLOWING:
      g_value_set_boolean (value, self->following);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
shmlab_follower_class_init (ShmlabFollowerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = shmlab_follower_dispose;
  object_class->finalize = shmlab_follower_finalize;
  object_class->get_property = shmlab_follower_get_property;

  properties[PROP_FOLLOWING] =
    g_param_spec_boolean ("following", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ShmlabFollower::content:
   * @result: (type gpointer): the ShmlabReadResult to show
   *
   * New content, or the same again after an absence or a failure.
   */
  signals[SIGNAL_CONTENT] = g_signal_new ("content", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  /**
   * ShmlabFollower::unchanged:
   * @ok: whether content is what was told last (FALSE: an absence or a failure)
   *
   * A poll found nothing new to tell.
   */
  signals[SIGNAL_UNCHANGED] = g_signal_new ("unchanged", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                            G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
  /**
   * ShmlabFollower::gone:
   * @never_seen: no content was told yet in this Follow
   *
   * No segment has the key: told once per absence.
   */
  signals[SIGNAL_GONE] = g_signal_new ("gone", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
  /**
   * ShmlabFollower::failed:
   * @error: why the poll failed; told once while it stays the same
   */
  signals[SIGNAL_FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
  /**
   * ShmlabFollower::stopped:
   * @error: why Follow stopped on its own: cancelled (G_IO_ERROR_CANCELLED),
   *   or a key that cannot be read
   */
  signals[SIGNAL_STOPPED] = g_signal_new ("stopped", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
shmlab_follower_init (ShmlabFollower *self)
{
}

/**
 * shmlab_follower_new:
 * @session: the session to poll
 * @clock: the widget whose frames pace the polls of a frame
 */
ShmlabFollower *
shmlab_follower_new (ShmlabSession *session,
                     GtkWidget     *clock)
{
  ShmlabFollower *self;

  g_return_val_if_fail (SHMLAB_IS_SESSION (session), NULL);
  g_return_val_if_fail (GTK_IS_WIDGET (clock), NULL);

  self = g_object_new (SHMLAB_TYPE_FOLLOWER, NULL);
  self->session = g_object_ref (session);
  g_set_weak_pointer (&self->clock, clock);
  return self;
}
