/* shmlab-watch.c — what the system says of a key's segment and lock, asked
 * again every half second in a worker thread
 *
 * Each look is a query of the segment (shmctl/stat) and of the lock
 * (semctl/sem_getvalue): it never takes the lock, never attaches and never
 * makes anything, so watching changes nothing another process sees. The
 * answer reaches the thread-default main context of the thread that made
 * the watch, as "changed" when it differs from the last one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-watch.h"

#include <string.h>

struct _ShmlabWatch
{
  GObject parent_instance;

  guint interval_ms;
  ShmlabKey *key;
  GMainContext *context;
  GSource *timer;
  GCancellable *cancellable;  /* of the look in flight, NULL when none */
  gboolean again;             /* look again as soon as the one in flight ends */

  gboolean known;
  ShmlabSegmentInfo info;
  ShmlabLockHolder lock;
};

G_DEFINE_FINAL_TYPE (ShmlabWatch, shmlab_watch, G_TYPE_OBJECT)

enum
{
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* One look: its key, and what it found. */
typedef struct
{
  ShmlabKey *key;
  ShmlabSegmentInfo info;
  ShmlabLockHolder lock;
} Look;

static void
look_free (Look *look)
{
  shmlab_key_unref (look->key);
  g_free (look);
}

static void start_look (ShmlabWatch *self);

static void
look_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Look *look = task_data;

  if (!shmlab_segment_query_for_key (look->key, &look->info, NULL))
    shmlab_segment_info_clear (&look->info);
  if (!shmlab_lock_holder_query_for_key (look->key, &look->lock, NULL))
    shmlab_lock_holder_clear (&look->lock);
  g_task_return_boolean (task, TRUE);
}

static void
look_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  ShmlabWatch *self = SHMLAB_WATCH (source);
  GTask *task = G_TASK (result);
  Look *look = g_task_get_task_data (task);
  gboolean changed;

  /* A look for a key no longer watched, or after stop: nothing to say. */
  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    return;
  g_clear_object (&self->cancellable);
  if (self->key == NULL || !shmlab_key_equal (self->key, look->key))
    return;

  changed = !self->known || memcmp (&self->info, &look->info, sizeof self->info) != 0 ||
            memcmp (&self->lock, &look->lock, sizeof self->lock) != 0;
  self->known = TRUE;
  self->info = look->info;
  self->lock = look->lock;
  if (self->again)
    {
      self->again = FALSE;
      start_look (self);
    }
  if (changed)
    g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
start_look (ShmlabWatch *self)
{
  g_autoptr(GTask) task = NULL;
  Look *look;

  if (self->key == NULL)
    return;
  if (self->cancellable != NULL)
    {
      self->again = TRUE;
      return;
    }
  look = g_new0 (Look, 1);
  look->key = shmlab_key_ref (self->key);
  self->cancellable = g_cancellable_new ();
  task = g_task_new (self, self->cancellable, look_done, NULL);
  g_task_set_source_tag (task, start_look);
  g_task_set_name (task, "[shmlab] watch");
  g_task_set_task_data (task, look, (GDestroyNotify) look_free);
  g_task_run_in_thread (task, look_thread);
}

static gboolean
on_timer (gpointer user_data)
{
  ShmlabWatch *self = user_data;

  /* One look at a time: a slow one is not piled upon. */
  if (self->cancellable == NULL)
    start_look (self);
  return G_SOURCE_CONTINUE;
}

static void
cancel_look (ShmlabWatch *self)
{
  self->again = FALSE;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
}

static void
stop_timer (ShmlabWatch *self)
{
  if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }
}

static void
shmlab_watch_dispose (GObject *object)
{
  ShmlabWatch *self = SHMLAB_WATCH (object);

  shmlab_watch_stop (self);
  G_OBJECT_CLASS (shmlab_watch_parent_class)->dispose (object);
}

static void
shmlab_watch_finalize (GObject *object)
{
  ShmlabWatch *self = SHMLAB_WATCH (object);

  g_clear_pointer (&self->key, shmlab_key_unref);
  g_main_context_unref (self->context);
  G_OBJECT_CLASS (shmlab_watch_parent_class)->finalize (object);
}

static void
shmlab_watch_class_init (ShmlabWatchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = shmlab_watch_dispose;
  object_class->finalize = shmlab_watch_finalize;

  /**
   * ShmlabWatch::changed:
   *
   * What the system says of the segment or the lock differs from the last
   * look (or this is the first look at the key).
   */
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
shmlab_watch_init (ShmlabWatch *self)
{
  self->context = g_main_context_ref_thread_default ();
  shmlab_segment_info_clear (&self->info);
  shmlab_lock_holder_clear (&self->lock);
}

/**
 * shmlab_watch_new:
 * @interval_ms: how often to look, e.g. %SHMLAB_WATCH_INTERVAL_MS
 *
 * A watch looks once a key is set, until it is stopped or goes away. A
 * look in flight when it goes holds it until the look ends (a moment).
 */
ShmlabWatch *
shmlab_watch_new (guint interval_ms)
{
  ShmlabWatch *self = g_object_new (SHMLAB_TYPE_WATCH, NULL);

  self->interval_ms = MAX (interval_ms, 10);
  return self;
}

/* Watches @key from now on (looking at once), or nothing for NULL. */
void
shmlab_watch_set_key (ShmlabWatch *self,
                      ShmlabKey   *key)
{
  g_return_if_fail (SHMLAB_IS_WATCH (self));

  if (key != NULL && self->key != NULL && shmlab_key_equal (key, self->key))
    return;
  cancel_look (self);
  g_clear_pointer (&self->key, shmlab_key_unref);
  self->key = key ? shmlab_key_ref (key) : NULL;
  self->known = FALSE;
  shmlab_segment_info_clear (&self->info);
  shmlab_lock_holder_clear (&self->lock);
  if (self->key == NULL)
    {
      stop_timer (self);
      return;
    }
  if (self->timer == NULL)
    {
      self->timer = g_timeout_source_new (self->interval_ms);
      g_source_set_callback (self->timer, on_timer, self, NULL);
      g_source_set_static_name (self->timer, "[shmlab] watch timer");
      g_source_attach (self->timer, self->context);
    }
  start_look (self);
}

ShmlabKey *
shmlab_watch_get_key (ShmlabWatch *self)
{
  g_return_val_if_fail (SHMLAB_IS_WATCH (self), NULL);
  return self->key;
}

/* Looks now rather than at the next tick: something just changed here. */
void
shmlab_watch_refresh (ShmlabWatch *self)
{
  g_return_if_fail (SHMLAB_IS_WATCH (self));
  start_look (self);
}

/* Looks no more; a look in flight is forgotten. */
void
shmlab_watch_stop (ShmlabWatch *self)
{
  g_return_if_fail (SHMLAB_IS_WATCH (self));

  cancel_look (self);
  stop_timer (self);
  g_clear_pointer (&self->key, shmlab_key_unref);
  self->known = FALSE;
}

/* Whether a look at the current key has ended yet. */
gboolean
shmlab_watch_get_known (ShmlabWatch *self)
{
  g_return_val_if_fail (SHMLAB_IS_WATCH (self), FALSE);
  return self->known;
}

/* What the last look found of the segment. */
const ShmlabSegmentInfo *
shmlab_watch_get_info (ShmlabWatch *self)
{
  g_return_val_if_fail (SHMLAB_IS_WATCH (self), NULL);
  return &self->info;
}

/* What the last look found of the lock. */
const ShmlabLockHolder *
shmlab_watch_get_lock (ShmlabWatch *self)
{
  g_return_val_if_fail (SHMLAB_IS_WATCH (self), NULL);
  return &self->lock;
}
