/* shmlab-stream-view.c — the Reader following a stream. A worker takes the
 * frames and scales each down to the size it is shown at; the main thread
 * takes the newest at each tick of the frame clock and draws it, a torn one
 * with a red line where its two frames meet and their numbers.
 *
 * In "latest" through shared memory the worker looks for a new frame at
 * each tick, as a display reads at its own rate — so without the lock it
 * catches a writer in the middle of its copy. In "every frame", and through
 * a pipe or a socket, it takes every frame as fast as they come and the
 * screen shows the newest.
 *
 * Signals: "note" (text, is-error) for the step log.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-stream-view.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "shmlab-command.h"
#include "shmlab-stream-follower.h"

#define FIGURES_INTERVAL_US (250 * 1000)
#define REOPEN_MS 300
/* A torn frame's marks stay this long, even over whole frames after it, so
 * that an eye catches them; then the note of the last tear fades. */
#define TEAR_HOLD_US (1000 * 1000)
#define TEAR_FADE_US (4000 * 1000)

/* ---- the canvas: the picture and its marks ---- */

typedef struct
{
  double at;            /* where, 0 (top) to 1 (bottom) */
  guint64 above;        /* the frame of the rows above (0: rows mixed) */
  guint64 below;
} Mark;

#define SHMLAB_TYPE_STREAM_CANVAS (shmlab_stream_canvas_get_type ())
G_DECLARE_FINAL_TYPE (ShmlabStreamCanvas, shmlab_stream_canvas, SHMLAB, STREAM_CANVAS, GtkWidget)

struct _ShmlabStreamCanvas
{
  GtkWidget parent_instance;
  GdkTexture *texture;
  GArray *marks;
  double marks_alpha;   /* 1 on the torn frame, less over whole ones after it */
  double aspect;        /* of the stream */
};

G_DEFINE_FINAL_TYPE (ShmlabStreamCanvas, shmlab_stream_canvas, GTK_TYPE_WIDGET)

static void
canvas_fit (ShmlabStreamCanvas *self,
            graphene_rect_t    *rect)
{
  double w = gtk_widget_get_width (GTK_WIDGET (self));
  double h = gtk_widget_get_height (GTK_WIDGET (self));
  double aspect = self->aspect > 0 ? self->aspect : 16.0 / 9.0;
  double fw = w, fh = w / aspect;

  if (fh > h)
    {
      fh = h;
      fw = h * aspect;
    }
  graphene_rect_init (rect, (float) ((w - fw) / 2), (float) ((h - fh) / 2), (float) fw, (float) fh);
}

static void
canvas_snapshot (GtkWidget   *widget,
                 GtkSnapshot *snapshot)
{
  ShmlabStreamCanvas *self = SHMLAB_STREAM_CANVAS (widget);
  graphene_rect_t rect;
  GdkRGBA black = { 0, 0, 0, 1 }, red = { 0.93f, 0.1f, 0.1f, 1 }, white = { 1, 1, 1, 1 };
  float alpha = (float) CLAMP (self->marks_alpha, 0.3, 1.0);
  float last_label = -G_MAXFLOAT;

  canvas_fit (self, &rect);
  gtk_snapshot_append_color (snapshot, &black, &rect);
  if (self->texture == NULL)
    return;
  gtk_snapshot_append_texture (snapshot, self->texture, &rect);

  for (guint i = 0; i < self->marks->len; i++)
    {
      const Mark *mark = &g_array_index (self->marks, Mark, i);
      float y = rect.origin.y + (float) (mark->at * rect.size.height);
      graphene_rect_t line = GRAPHENE_RECT_INIT (rect.origin.x, y - 1.5f, rect.size.width, 3);
      g_autofree char *above = mark->above ? g_strdup_printf (_("frame %" PRIu64), mark->above)
                                           : g_strdup (_("rows mixed"));
      g_autofree char *below = mark->below ? g_strdup_printf (_("frame %" PRIu64), mark->below)
                                           : g_strdup (_("rows mixed"));
      g_autofree char *text = g_strdup_printf ("▲ %s   ▼ %s", above, below);
      g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, text);
      int tw, th;
      graphene_rect_t box;

      red.alpha = alpha;
      white.alpha = alpha;
      gtk_snapshot_append_color (snapshot, &red, &line);
      pango_layout_get_pixel_size (layout, &tw, &th);
      /* Marks closer than a label's height: the lines, one label. */
      if (y - last_label < th + 6)
        continue;
      last_label = y;
      box = GRAPHENE_RECT_INIT (rect.origin.x + 8, y - th - 4, tw + 8, th + 2);
      if (box.origin.y < rect.origin.y)
        box.origin.y = y + 4;
      gtk_snapshot_append_color (snapshot, &red, &box);
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (box.origin.x + 4, box.origin.y + 1));
      gtk_snapshot_append_layout (snapshot, layout, &white);
      gtk_snapshot_restore (snapshot);
    }
}

static void
canvas_finalize (GObject *object)
{
  ShmlabStreamCanvas *self = SHMLAB_STREAM_CANVAS (object);

  g_clear_object (&self->texture);
  g_array_unref (self->marks);
  G_OBJECT_CLASS (shmlab_stream_canvas_parent_class)->finalize (object);
}

static void
shmlab_stream_canvas_class_init (ShmlabStreamCanvasClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = canvas_finalize;
  GTK_WIDGET_CLASS (klass)->snapshot = canvas_snapshot;
  gtk_widget_class_set_accessible_role (GTK_WIDGET_CLASS (klass), GTK_ACCESSIBLE_ROLE_IMG);
}

static void
shmlab_stream_canvas_init (ShmlabStreamCanvas *self)
{
  self->marks = g_array_new (FALSE, FALSE, sizeof (Mark));
}

/* ---- the worker ---- */

/* A frame made ready for the screen. */
typedef struct
{
  GdkTexture *texture;
  guint32 width;             /* of the stream */
  guint32 height;
  guint64 frame_number;
  GArray *marks;
  gboolean torn;
  char *tear_text;           /* what the rows say, for a torn frame */
} Prepared;

static void
prepared_free (Prepared *prepared)
{
  if (prepared == NULL)
    return;
  g_clear_object (&prepared->texture);
  g_clear_pointer (&prepared->marks, g_array_unref);
  g_free (prepared->tear_text);
  g_free (prepared);
}

typedef struct
{
  gatomicrefcount ref_count;
  GMutex mutex;
  GCond cond;
  ShmlabKey *key;
  ShmlabStreamTransport transport;
  gboolean quit;
  gboolean want;             /* the screen would take a frame */
  int target_width;
  int target_height;
  ShmlabStreamMailbox *mailbox;   /* Prepared *, the newest */
  char *status;
  gboolean status_is_error;
  GPtrArray *notes;          /* char *, for the step log */
  ShmlabStreamStats stats;
  ShmlabStreamConfig config;
  gboolean have_config;
} Follow;

static Follow *
follow_ref (Follow *follow)
{
  g_atomic_ref_count_inc (&follow->ref_count);
  return follow;
}

static void
follow_unref (Follow *follow)
{
  if (!g_atomic_ref_count_dec (&follow->ref_count))
    return;
  shmlab_key_unref (follow->key);
  shmlab_stream_mailbox_free (follow->mailbox);
  g_free (follow->status);
  g_ptr_array_unref (follow->notes);
  g_mutex_clear (&follow->mutex);
  g_cond_clear (&follow->cond);
  g_free (follow);
}

/* Under the mutex. */
static void
set_status_locked (Follow     *follow,
                   const char *text,
                   gboolean    is_error,
                   gboolean    also_note)
{
  if (g_strcmp0 (follow->status, text) == 0)
    return;
  g_free (follow->status);
  follow->status = g_strdup (text);
  follow->status_is_error = is_error;
  if (also_note)
    g_ptr_array_add (follow->notes, g_strdup (text));
}


/* The frame scaled to fit @tw × @th, each pixel the one under its centre. */
static Prepared *
prepare (const ShmlabStreamFrame *frame,
         int                      tw,
         int                      th)
{
  Prepared *prepared = g_new0 (Prepared, 1);
  const ShmlabStreamFrameHeader *h = &frame->header;
  guint w = 0, ht = 0;
  g_autoptr(GBytes) bytes = shmlab_stream_frame_downscale (frame, (guint) MAX (tw, 0), (guint) MAX (th, 0),
                                                           &w, &ht);

  if (bytes != NULL)
    prepared->texture = gdk_memory_texture_new ((int) w, (int) ht, GDK_MEMORY_R8G8B8A8, bytes,
                                                (gsize) w * 4);
  prepared->width = h->width;
  prepared->height = h->height;
  prepared->frame_number = frame->check.newest_frame ? frame->check.newest_frame : h->frame_number;
  prepared->marks = g_array_new (FALSE, FALSE, sizeof (Mark));
  prepared->torn = shmlab_stream_check_is_torn (&frame->check);
  for (guint i = 1; i < frame->check.n_runs; i++)
    {
      Mark mark = { (double) frame->check.runs[i].first_row / h->height,
                    frame->check.runs[i - 1].frame_number, frame->check.runs[i].frame_number };
      g_array_append_val (prepared->marks, mark);
    }
  if (prepared->torn)
    {
      g_autofree char *runs = shmlab_stream_check_describe (&frame->check, 6);
      prepared->tear_text = g_strdup_printf (_("Frame %" PRIu64 " was torn: %s. The writer overwrote it while this reader copied it — it did not take the lock."),
                                             prepared->frame_number, runs);
    }
  return prepared;
}

static gboolean
config_equal (const ShmlabStreamConfig *a,
              const ShmlabStreamConfig *b)
{
  return a->transport == b->transport && a->handoff == b->handoff && a->buffers == b->buffers &&
         a->lock == b->lock && a->width == b->width && a->height == b->height;
}

static gpointer
follow_thread (gpointer data)
{
  Follow *follow = data;
  ShmlabStreamReader *reader = NULL;
  gint64 last_stats = 0;
  gboolean announced = FALSE;
  g_autofree char *stopped = NULL;   /* why the last stream ended */

  g_mutex_lock (&follow->mutex);
  while (!follow->quit)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ShmlabStreamFrame) frame = NULL;
      ShmlabStreamConfig config;
      gboolean every;
      int tw, th;

      if (reader == NULL)
        {
          ShmlabStreamTransport transport = follow->transport;

          g_mutex_unlock (&follow->mutex);
          reader = shmlab_stream_reader_new (follow->key, transport, NULL, &error);
          g_mutex_lock (&follow->mutex);
          if (reader == NULL)
            {
              gboolean none = g_error_matches (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_NO_STREAM);
              g_autofree char *text = NULL;

              if (none && stopped != NULL)
                text = g_strdup_printf (_("%s Waiting for a stream to start again."), stopped);
              else if (none)
                {
                  g_autofree char *option = transport == SHMLAB_STREAM_TRANSPORT_SHM ? NULL
                                            : g_strdup_printf ("--transport=%s",
                                                               shmlab_stream_transport_name (transport));
                  g_autofree char *command = shmlab_command_for_key ("stream", shmlab_key_get_name (follow->key),
                                                                     shmlab_key_get_backend (follow->key),
                                                                     option);

                  /* TRANSLATORS: the first %s is the key, the second a command to paste. */
                  text = g_strdup_printf (_("Waiting for a stream on “%s” — start shmlab-writer --stream, or %s"),
                                          shmlab_key_get_name (follow->key), command);
                }
              else
                text = g_strdup (error->message);

              set_status_locked (follow, text, !none, FALSE);
              g_cond_wait_until (&follow->cond, &follow->mutex,
                                 g_get_monotonic_time () + REOPEN_MS * 1000);
              continue;
            }
          announced = FALSE;
          set_status_locked (follow, _("Following the stream."), FALSE, FALSE);
        }

      shmlab_stream_reader_get_config (reader, &config);
      every = config.transport != SHMLAB_STREAM_TRANSPORT_SHM ||
              config.handoff == SHMLAB_STREAM_HANDOFF_EVERY;
      if (!every)
        {
          /* A display's reader: it looks when the screen wants a frame. */
          while (!follow->want && !follow->quit)
            if (!g_cond_wait_until (&follow->cond, &follow->mutex,
                                    g_get_monotonic_time () + 100 * 1000))
              break;
          if (follow->quit)
            break;
          follow->want = FALSE;
        }
      tw = follow->target_width;
      th = follow->target_height;
      g_mutex_unlock (&follow->mutex);
      frame = shmlab_stream_reader_next (reader, every ? 100 : 0, NULL, &error);
      if (frame != NULL)
        {
          Prepared *prepared;

          shmlab_stream_reader_shown (reader, frame, g_get_monotonic_time () * 1000);
          prepared = prepare (frame, tw, th);
          g_mutex_lock (&follow->mutex);
          if (prepared->texture != NULL)
            shmlab_stream_mailbox_put (follow->mailbox, prepared, prepared->torn);
          else
            prepared_free (prepared);
        }
      else
        {
          g_mutex_lock (&follow->mutex);
          if (g_error_matches (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_STOPPED) ||
              !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
            {
              g_autofree char *text = g_strdup_printf (_("The stream stopped: %s"), error->message);

              set_status_locked (follow, text, FALSE, TRUE);
              g_free (stopped);
              stopped = g_strdup (text);
              g_mutex_unlock (&follow->mutex);
              shmlab_stream_reader_free (g_steal_pointer (&reader));
              g_mutex_lock (&follow->mutex);
              continue;
            }
        }

      shmlab_stream_reader_get_config (reader, &config);
      if (!announced || !config_equal (&config, &follow->config))
        {
          g_autofree char *text = NULL;

          if (announced && config.lock != follow->config.lock)
            text = g_strdup (config.lock ? _("the writer takes the lock again: no more torn frames")
                                         : _("the writer switched the lock off: frames may be torn"));
          else if (!announced && frame != NULL)
            text = g_strdup_printf (_("following a stream: %u × %u through %s, %s, %s"),
                                    config.width, config.height,
                                    shmlab_stream_transport_label (config.transport),
                                    config.handoff == SHMLAB_STREAM_HANDOFF_EVERY ? _("every frame") : _("latest frame"),
                                    config.transport != SHMLAB_STREAM_TRANSPORT_SHM ? _("no lock: the kernel copies")
                                    : config.lock ? _("lock on") : _("lock OFF"));
          if (text != NULL)
            g_ptr_array_add (follow->notes, g_steal_pointer (&text));
          if (frame != NULL)
            {
              announced = TRUE;
              follow->config = config;
              follow->have_config = TRUE;
            }
        }
      if (g_get_monotonic_time () - last_stats > FIGURES_INTERVAL_US)
        {
          shmlab_stream_reader_get_stats (reader, &follow->stats);
          last_stats = g_get_monotonic_time ();
        }
    }
  g_mutex_unlock (&follow->mutex);
  shmlab_stream_reader_free (reader);
  follow_unref (follow);
  return NULL;
}

/* ---- the view ---- */

struct _ShmlabStreamView
{
  GtkWidget parent_instance;

  ShmlabStreamCanvas *canvas;
  GtkDropDown *transport_dropdown;
  GtkCheckButton *hold_check;
  GtkLabel *status_label;
  GtkLabel *figures_label;
  GtkLabel *tear_label;

  Follow *follow;
  guint tick_id;
  gint64 last_figures;
  gboolean first_tear_told;
  gint64 tear_at;            /* when the last torn frame went on screen, or 0 */
  guint64 frames_shown;
  guint64 frames_torn;
};

enum { SIGNAL_NOTE, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (ShmlabStreamView, shmlab_stream_view, GTK_TYPE_WIDGET)

/* What the writer set, in one line under the figures. */
static char *
describe_config (const ShmlabStreamConfig *config)
{
  const char *lock = config->transport != SHMLAB_STREAM_TRANSPORT_SHM ? _("no lock: the kernel copies")
                     : config->lock ? _("lock on") : _("lock OFF");
  const char *handoff = config->handoff == SHMLAB_STREAM_HANDOFF_EVERY ? _("every frame") : _("latest frame");

  /* TRANSLATORS: the writer's settings: transport, lock, buffers, handoff. */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Writer: %s, %s,\n%u buffer, %s",
                                       "Writer: %s, %s,\n%u buffers, %s", config->buffers),
                          shmlab_stream_transport_label (config->transport), lock,
                          config->buffers, handoff);
}

static void
show_figures (ShmlabStreamView         *self,
              const ShmlabStreamStats  *stats,
              const ShmlabStreamConfig *config)
{
  g_autofree char *text =
    g_strdup_printf (_("Frames written: %" PRIu64 "\n"
                       "Taken by this reader: %" PRIu64 "\n"
                       "Skipped: %" PRIu64 "\n"
                       "Torn: %" PRIu64 "\n"
                       "Taken twice: %" PRIu64 "\n"
                       "Frames per second: %.1f\n"
                       "Throughput: %.0f MB/s\n"
                       "Latency: %.1f ms (99%%: %.1f ms)\n"
                       "Lock waits: writer %.0f ms, reader %.0f ms"),
                     stats->frames_written, stats->frames_shown, stats->frames_skipped,
                     stats->frames_torn, stats->frames_duplicated, stats->fps, stats->mb_per_s,
                     stats->latency_p50_ms, stats->latency_p99_ms, stats->writer_lock_wait_ms,
                     stats->reader_lock_wait_ms);

  if (config != NULL)
    {
      g_autofree char *writer = describe_config (config);
      g_autofree char *both = g_strconcat (text, "\n", writer, NULL);

      gtk_label_set_text (self->figures_label, both);
    }
  else
    gtk_label_set_text (self->figures_label, text);
  self->frames_shown = stats->frames_shown;
  self->frames_torn = stats->frames_torn;
}

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       data)
{
  ShmlabStreamView *self = SHMLAB_STREAM_VIEW (data);
  Follow *follow = self->follow;
  Prepared *prepared = NULL;
  g_autoptr(GPtrArray) notes = NULL;
  g_autofree char *status = NULL;
  gboolean status_is_error = FALSE;
  ShmlabStreamStats stats;
  ShmlabStreamConfig config;
  gboolean have_config = FALSE;
  gboolean figures = FALSE;
  gint64 now = g_get_monotonic_time ();
  int scale = gtk_widget_get_scale_factor (widget);
  gboolean hold = gtk_check_button_get_active (self->hold_check) &&
                  self->canvas->marks->len > 0;

  if (follow == NULL)
    return G_SOURCE_REMOVE;
  g_mutex_lock (&follow->mutex);
  follow->target_width = gtk_widget_get_width (GTK_WIDGET (self->canvas)) * scale;
  follow->target_height = gtk_widget_get_height (GTK_WIDGET (self->canvas)) * scale;
  if (!hold)
    {
      prepared = shmlab_stream_mailbox_take (follow->mailbox);
      follow->want = TRUE;
      g_cond_signal (&follow->cond);
    }
  if (follow->notes->len > 0)
    {
      notes = follow->notes;
      follow->notes = g_ptr_array_new_with_free_func (g_free);
    }
  status = g_strdup (follow->status);
  status_is_error = follow->status_is_error;
  if (g_get_monotonic_time () - self->last_figures > FIGURES_INTERVAL_US)
    {
      stats = follow->stats;
      config = follow->config;
      have_config = follow->have_config;
      figures = TRUE;
    }
  g_mutex_unlock (&follow->mutex);

  if (prepared != NULL)
    {
      g_set_object (&self->canvas->texture, prepared->texture);
      self->canvas->aspect = (double) prepared->width / prepared->height;
      /* A whole frame soon after a torn one keeps the torn one's marks. */
      if (prepared->torn || self->tear_at == 0 || now - self->tear_at >= TEAR_HOLD_US)
        {
          g_array_set_size (self->canvas->marks, 0);
          g_array_append_vals (self->canvas->marks, prepared->marks->data, prepared->marks->len);
          self->canvas->marks_alpha = 1.0;
        }
      else
        self->canvas->marks_alpha = 0.6;
      gtk_widget_queue_draw (GTK_WIDGET (self->canvas));
      if (prepared->torn)
        {
          self->tear_at = now;
          gtk_widget_set_opacity (GTK_WIDGET (self->tear_label), 1.0);
          gtk_label_set_text (self->tear_label, prepared->tear_text);
          if (!self->first_tear_told)
            {
              self->first_tear_told = TRUE;
              g_signal_emit (self, signals[SIGNAL_NOTE], 0, prepared->tear_text, FALSE);
            }
        }
      prepared_free (prepared);
    }
  else if (self->tear_at != 0 && self->canvas->marks->len > 0 && !hold &&
           now - self->tear_at >= TEAR_HOLD_US)
    {
      /* The held marks go even when no frame comes to replace them. */
      g_array_set_size (self->canvas->marks, 0);
      gtk_widget_queue_draw (GTK_WIDGET (self->canvas));
    }
  /* The note of the last tear fades, and stays readable. */
  if (hold)
    gtk_widget_set_opacity (GTK_WIDGET (self->tear_label), 1.0);
  else if (self->tear_at != 0 && now - self->tear_at > TEAR_HOLD_US)
    gtk_widget_set_opacity (GTK_WIDGET (self->tear_label),
                            MAX (0.45, 1.0 - (double) (now - self->tear_at - TEAR_HOLD_US) / TEAR_FADE_US));
  for (guint i = 0; notes != NULL && i < notes->len; i++)
    g_signal_emit (self, signals[SIGNAL_NOTE], 0, g_ptr_array_index (notes, i), FALSE);
  if (g_strcmp0 (status, gtk_label_get_text (self->status_label)) != 0)
    gtk_label_set_text (self->status_label, status != NULL ? status : "");
  if (status_is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
  if (figures)
    {
      self->last_figures = g_get_monotonic_time ();
      show_figures (self, &stats, have_config ? &config : NULL);
    }
  return G_SOURCE_CONTINUE;
}

void
shmlab_stream_view_start (ShmlabStreamView *self,
                          ShmlabKey        *key)
{
  Follow *follow;

  g_return_if_fail (SHMLAB_IS_STREAM_VIEW (self));
  shmlab_stream_view_stop (self);
  follow = g_new0 (Follow, 1);
  g_atomic_ref_count_init (&follow->ref_count);
  g_mutex_init (&follow->mutex);
  g_cond_init (&follow->cond);
  follow->key = shmlab_key_ref (key);
  follow->transport = shmlab_stream_view_get_transport (self);
  follow->notes = g_ptr_array_new_with_free_func (g_free);
  follow->mailbox = shmlab_stream_mailbox_new ((GDestroyNotify) prepared_free);
  follow->target_width = 640;
  follow->target_height = 360;
  follow->status = g_strdup (_("Looking for a stream…"));
  self->follow = follow;
  self->first_tear_told = FALSE;
  self->tear_at = 0;
  gtk_widget_set_opacity (GTK_WIDGET (self->tear_label), 1.0);
  g_array_set_size (self->canvas->marks, 0);
  g_clear_object (&self->canvas->texture);
  gtk_label_set_text (self->tear_label, "");
  g_thread_unref (g_thread_new ("shmlab-follow", follow_thread, follow_ref (follow)));
  self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), tick_cb, self, NULL);
}

void
shmlab_stream_view_stop (ShmlabStreamView *self)
{
  g_return_if_fail (SHMLAB_IS_STREAM_VIEW (self));
  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
  if (self->follow == NULL)
    return;
  /* The worker ends within a wait slice, on its own. */
  g_mutex_lock (&self->follow->mutex);
  self->follow->quit = TRUE;
  g_cond_signal (&self->follow->cond);
  g_mutex_unlock (&self->follow->mutex);
  g_clear_pointer (&self->follow, follow_unref);
}

gboolean
shmlab_stream_view_get_following (ShmlabStreamView *self)
{
  return self->follow != NULL;
}

void
shmlab_stream_view_set_transport (ShmlabStreamView      *self,
                                  ShmlabStreamTransport  transport)
{
  gtk_drop_down_set_selected (self->transport_dropdown, transport);
}

ShmlabStreamTransport
shmlab_stream_view_get_transport (ShmlabStreamView *self)
{
  return (ShmlabStreamTransport) MIN (gtk_drop_down_get_selected (self->transport_dropdown),
                                      SHMLAB_STREAM_N_TRANSPORTS - 1);
}

guint64
shmlab_stream_view_get_frames_shown (ShmlabStreamView *self)
{
  return self->frames_shown;
}

guint64
shmlab_stream_view_get_frames_torn (ShmlabStreamView *self)
{
  return self->frames_torn;
}

/* Keep the next torn frame on screen (the "Stop at a torn frame" box). */
void
shmlab_stream_view_set_stop_at_tear (ShmlabStreamView *self,
                                     gboolean          stop)
{
  gtk_check_button_set_active (self->hold_check, stop);
}

guint
shmlab_stream_view_get_n_marks (ShmlabStreamView *self)
{
  return self->canvas->marks->len;
}

static void
transport_changed_cb (ShmlabStreamView *self)
{
  g_autoptr(ShmlabKey) key = NULL;

  if (self->follow == NULL)
    return;
  key = shmlab_key_ref (self->follow->key);
  shmlab_stream_view_start (self, key);
}

static void
shmlab_stream_view_dispose (GObject *object)
{
  ShmlabStreamView *self = SHMLAB_STREAM_VIEW (object);

  shmlab_stream_view_stop (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), SHMLAB_TYPE_STREAM_VIEW);
  {
    GtkWidget *child;

    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
      gtk_widget_unparent (child);
  }
  G_OBJECT_CLASS (shmlab_stream_view_parent_class)->dispose (object);
}

static void
shmlab_stream_view_class_init (ShmlabStreamViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = shmlab_stream_view_dispose;
  signals[SIGNAL_NOTE] = g_signal_new ("note", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                       G_TYPE_STRING, G_TYPE_BOOLEAN);
  g_type_ensure (SHMLAB_TYPE_STREAM_CANVAS);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/shmlab/shmlab-stream-view.ui");
  gtk_widget_class_bind_template_child (widget_class, ShmlabStreamView, canvas);
  gtk_widget_class_bind_template_child (widget_class, ShmlabStreamView, transport_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ShmlabStreamView, hold_check);
  gtk_widget_class_bind_template_child (widget_class, ShmlabStreamView, status_label);
  gtk_widget_class_bind_template_child (widget_class, ShmlabStreamView, figures_label);
  gtk_widget_class_bind_template_child (widget_class, ShmlabStreamView, tear_label);
  gtk_widget_class_bind_template_callback (widget_class, transport_changed_cb);
}

static void
shmlab_stream_view_init (ShmlabStreamView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->canvas),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("The stream's newest frame"),
                                  -1);
}
