/* shmlab-stream-panel.c — the Writer's Stream page: the source, the rate,
 * the lock, the buffers, the handoff and the transport; the stream played
 * in a worker, its figures four times a second
 *
 * Signals: "note" (text, is-error) for the step log.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-stream-panel.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>

#include "shmlab-stream-player.h"
#include "shmlab-stream-source.h"

#define FIGURES_INTERVAL_MS 250

static const guint32 sizes[][2] = {
  { 320, 180 }, { 640, 360 }, { 1280, 720 }, { 1920, 1080 }, { 2560, 1440 }, { 3840, 2160 },
};

enum { SOURCE_PATTERN, SOURCE_FOLDER, SOURCE_VIDEO };

struct _ShmlabStreamPanel
{
  GtkWidget parent_instance;

  GtkWidget *controls;
  GtkDropDown *source_dropdown;
  GtkLabel *source_label;
  GtkDropDown *size_dropdown;
  GtkSpinButton *fps_spin;
  GtkCheckButton *max_check;
  GtkSwitch *lock_switch;
  GtkDropDown *buffers_dropdown;
  GtkDropDown *handoff_dropdown;
  GtkDropDown *transport_dropdown;
  GtkToggleButton *stream_button;
  GtkLabel *status_label;
  GtkPicture *preview;
  GtkLabel *figures_label;

  ShmlabSession *session;
  char *path;                    /* the folder or the video chosen */
  GtkNativeDialog *chooser;
  ShmlabStreamPlayer *player;
  GCancellable *starting;        /* a start running in a worker */
  guint figures_source;
  gboolean streaming;
  gboolean restarting;
  guint64 frames_written;
  char *last_problem;
};

enum
{
  PROP_0,
  PROP_STREAMING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum { SIGNAL_NOTE, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (ShmlabStreamPanel, shmlab_stream_panel, GTK_TYPE_WIDGET)

static void
note (ShmlabStreamPanel *self,
      const char        *text,
      gboolean           is_error)
{
  g_signal_emit (self, signals[SIGNAL_NOTE], 0, text, is_error);
}

static void
set_status (ShmlabStreamPanel *self,
            const char        *text,
            gboolean           is_error)
{
  gtk_label_set_text (self->status_label, text != NULL ? text : "");
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
}

static double
chosen_fps (ShmlabStreamPanel *self)
{
  return gtk_check_button_get_active (self->max_check) ? 0 : gtk_spin_button_get_value (self->fps_spin);
}

static void
read_config (ShmlabStreamPanel  *self,
             ShmlabStreamConfig *config)
{
  guint size = MIN (gtk_drop_down_get_selected (self->size_dropdown), G_N_ELEMENTS (sizes) - 1);

  shmlab_stream_config_init (config);
  config->width = sizes[size][0];
  config->height = sizes[size][1];
  config->lock = gtk_switch_get_active (self->lock_switch);
  config->buffers = gtk_drop_down_get_selected (self->buffers_dropdown) == 1 ? 2 : 1;
  config->handoff = gtk_drop_down_get_selected (self->handoff_dropdown) == 1
                    ? SHMLAB_STREAM_HANDOFF_EVERY : SHMLAB_STREAM_HANDOFF_LATEST;
  config->transport = (ShmlabStreamTransport) MIN (gtk_drop_down_get_selected (self->transport_dropdown),
                                                   SHMLAB_STREAM_N_TRANSPORTS - 1);
}

/* ---- the figures ---- */

static void
show_figures (ShmlabStreamPanel             *self,
              const ShmlabStreamPlayerState *state)
{
  g_autofree char *text = NULL;
  ShmlabStreamConfig config;

  read_config (self, &config);
  text = g_strdup_printf (_("Frames written: %" PRIu64 "\n"
                            "Frames per second: %.1f\n"
                            "Throughput: %.0f MB/s\n"
                            "Waited for the lock: %.1f ms\n"
                            "Waited for the reader: %.1f ms"),
                          state->stats.frames_written, state->stats.fps, state->stats.mb_per_s,
                          state->stats.writer_lock_wait_ms, state->stats.writer_handoff_wait_ms);
  gtk_label_set_text (self->figures_label, text);
  self->frames_written = state->stats.frames_written;
  if (state->preview != NULL)
    {
      g_autoptr(GdkTexture) texture =
        gdk_memory_texture_new ((int) state->preview_width, (int) state->preview_height,
                                GDK_MEMORY_R8G8B8A8, state->preview,
                                (gsize) state->preview_width * 4);
      gtk_picture_set_paintable (self->preview, GDK_PAINTABLE (texture));
    }
}

static gboolean
figures_tick (gpointer data)
{
  ShmlabStreamPanel *self = data;
  ShmlabStreamPlayerState state;

  if (self->player == NULL)
    {
      self->figures_source = 0;
      return G_SOURCE_REMOVE;
    }
  shmlab_stream_player_get_state (self->player, &state);
  show_figures (self, &state);
  if (state.problem != NULL && g_strcmp0 (state.problem->message, self->last_problem) != 0)
    {
      g_free (self->last_problem);
      self->last_problem = g_strdup (state.problem->message);
      set_status (self, state.problem->message, TRUE);
      note (self, state.problem->message, TRUE);
    }
  else if (state.problem == NULL && self->last_problem != NULL)
    {
      g_clear_pointer (&self->last_problem, g_free);
      set_status (self, _("Streaming."), FALSE);
    }
  if (state.stopped)
    {
      /* The source failed: the stream cannot go on. */
      shmlab_stream_player_state_clear (&state);
      shmlab_stream_panel_set_streaming (self, FALSE);
      self->figures_source = 0;
      return G_SOURCE_REMOVE;
    }
  shmlab_stream_player_state_clear (&state);
  return G_SOURCE_CONTINUE;
}

/* ---- starting, in a worker: the source may take time to open ---- */

typedef struct
{
  ShmlabKey *key;
  ShmlabStreamConfig config;
  double fps;
  int source;
  char *path;
} StartJob;

static void
start_job_free (gpointer data)
{
  StartJob *job = data;

  g_clear_pointer (&job->key, shmlab_key_unref);
  g_free (job->path);
  g_free (job);
}

static void
start_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  StartJob *job = task_data;
  GError *error = NULL;
  ShmlabStreamSource *source;
  ShmlabStreamPlayer *player;

  switch (job->source)
    {
    case SOURCE_FOLDER:
      source = shmlab_stream_source_new_folder (job->path, job->config.width, job->config.height,
                                                cancellable, &error);
      break;
    case SOURCE_VIDEO:
      source = shmlab_stream_source_new_video (job->path, 0, 0, &error);
      break;
    default:
      source = shmlab_stream_source_new_pattern (job->config.width, job->config.height, &error);
      break;
    }
  if (source == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (job->source == SOURCE_VIDEO && job->fps <= 0 && shmlab_stream_source_get_fps (source) > 0)
    job->fps = shmlab_stream_source_get_fps (source);
  player = shmlab_stream_player_start (job->key, &job->config, source, job->fps, &error);
  if (player == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (g_cancellable_is_cancelled (cancellable))
    {
      shmlab_stream_player_stop (player);
      g_task_return_error_if_cancelled (task);
      return;
    }
  g_task_return_pointer (task, player, (GDestroyNotify) shmlab_stream_player_stop);
}

static void
started_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      data)
{
  ShmlabStreamPanel *self = SHMLAB_STREAM_PANEL (object);
  g_autoptr(GError) error = NULL;
  ShmlabStreamPlayer *player = g_task_propagate_pointer (G_TASK (result), &error);
  ShmlabStreamConfig config;

  g_clear_object (&self->starting);
  if (player == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_status (self, error->message, TRUE);
      note (self, error->message, TRUE);
      self->streaming = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STREAMING]);
      return;
    }
  self->player = player;
  read_config (self, &config);
  shmlab_stream_player_set_lock (player, config.lock);
  set_status (self, _("Streaming."), FALSE);
  {
    g_autofree char *text =
      g_strdup_printf (_("stream started: %u × %u through %s, %s, %s, %s"),
                       config.width, config.height, shmlab_stream_transport_label (config.transport),
                       config.buffers == 2 ? _("two frames in the segment")
                                          : _("one frame in the segment"),
                       config.handoff == SHMLAB_STREAM_HANDOFF_EVERY ? _("every frame") : _("latest frame"),
                       config.transport != SHMLAB_STREAM_TRANSPORT_SHM ? _("no lock: the kernel copies")
                       : config.lock ? _("lock on") : _("lock OFF"));
    note (self, text, FALSE);
  }
  if (self->figures_source == 0)
    self->figures_source = g_timeout_add (FIGURES_INTERVAL_MS, figures_tick, self);
}

static void
start (ShmlabStreamPanel *self)
{
  g_autoptr(GTask) task = NULL;
  StartJob *job = g_new0 (StartJob, 1);
  ShmlabKey *key = self->session != NULL ? shmlab_session_get_key_value (self->session) : NULL;

  if (key == NULL)
    {
      g_free (job);
      set_status (self, _("Set a key first: the stream goes to the key's segment."), TRUE);
      self->streaming = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STREAMING]);
      return;
    }
  job->key = shmlab_key_ref (key);
  read_config (self, &job->config);
  job->fps = chosen_fps (self);
  job->source = (int) gtk_drop_down_get_selected (self->source_dropdown);
  job->path = g_strdup (self->path);
  if (job->source != SOURCE_PATTERN && job->path == NULL)
    job->source = SOURCE_PATTERN;
  self->starting = g_cancellable_new ();
  set_status (self, _("Starting…"), FALSE);
  task = g_task_new (self, self->starting, started_cb, NULL);
  g_task_set_task_data (task, job, start_job_free);
  g_task_run_in_thread (task, start_thread);
}

static void
stop (ShmlabStreamPanel *self)
{
  if (self->starting != NULL)
    {
      g_cancellable_cancel (self->starting);
      g_clear_object (&self->starting);
    }
  if (self->player != NULL)
    {
      ShmlabStreamPlayerState state;

      shmlab_stream_player_get_state (self->player, &state);
      show_figures (self, &state);
      shmlab_stream_player_state_clear (&state);
      shmlab_stream_player_stop (g_steal_pointer (&self->player));
      if (!self->restarting)
        {
          g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                                "stream stopped after %" PRIu64 " frame",
                                                                "stream stopped after %" PRIu64 " frames",
                                                                self->frames_written),
                                                   self->frames_written);
          note (self, text, FALSE);
        }
    }
  g_clear_handle_id (&self->figures_source, g_source_remove);
  g_clear_pointer (&self->last_problem, g_free);
  set_status (self, NULL, FALSE);
}

void
shmlab_stream_panel_set_streaming (ShmlabStreamPanel *self,
                                   gboolean           streaming)
{
  g_return_if_fail (SHMLAB_IS_STREAM_PANEL (self));
  streaming = !!streaming;
  if (self->streaming == streaming)
    return;
  self->streaming = streaming;
  if (streaming)
    start (self);
  else
    stop (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STREAMING]);
}

gboolean
shmlab_stream_panel_get_streaming (ShmlabStreamPanel *self)
{
  return self->streaming;
}

guint64
shmlab_stream_panel_get_frames_written (ShmlabStreamPanel *self)
{
  return self->frames_written;
}

/* Buffers, handoff and transport are the stream's layout: a new stream. */
static void
restart (ShmlabStreamPanel *self)
{
  if (!self->streaming)
    return;
  self->restarting = TRUE;
  stop (self);
  self->restarting = FALSE;
  note (self, _("stream started again with the new choice: a reader following it starts again too"), FALSE);
  start (self);
}

static void
layout_changed_cb (ShmlabStreamPanel *self)
{
  restart (self);
}

static void
lock_changed_cb (ShmlabStreamPanel *self)
{
  gboolean lock = gtk_switch_get_active (self->lock_switch);

  if (self->player == NULL)
    return;
  shmlab_stream_player_set_lock (self->player, lock);
  note (self, lock ? _("lock on: the writer takes the semaphore around each copy — no reader can see half a frame")
                   : _("lock OFF: the writer copies without the semaphore — a reader copying at the same time gets a torn frame"),
        FALSE);
}

static void
rate_changed_cb (ShmlabStreamPanel *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->fps_spin), !gtk_check_button_get_active (self->max_check));
  if (self->player != NULL)
    shmlab_stream_player_set_fps (self->player, chosen_fps (self));
}

/* ---- choosing a folder or a video ---- */

static void
describe_choice (ShmlabStreamPanel *self)
{
  guint source = gtk_drop_down_get_selected (self->source_dropdown);

  gtk_widget_set_sensitive (GTK_WIDGET (self->size_dropdown), source != SOURCE_VIDEO);
  if (source == SOURCE_PATTERN || self->path == NULL)
    gtk_label_set_text (self->source_label,
                        source == SOURCE_PATTERN
                        ? _("Each frame another colour, its number and time drawn large.")
                        : _("Nothing chosen yet: the test pattern is used."));
  else
    {
      g_autofree char *shown = g_filename_display_name (self->path);
      gtk_label_set_text (self->source_label, shown);
    }
}

static void
chooser_response_cb (GtkNativeDialog   *chooser,
                     int                response,
                     ShmlabStreamPanel *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file != NULL)
        {
          g_free (self->path);
          self->path = g_file_get_path (file);
          restart (self);
        }
    }
  describe_choice (self);
  gtk_native_dialog_destroy (chooser);
  g_clear_object (&self->chooser);
}

static void
source_changed_cb (ShmlabStreamPanel *self)
{
  guint source = gtk_drop_down_get_selected (self->source_dropdown);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *chooser;

  g_clear_pointer (&self->path, g_free);
  describe_choice (self);
  if (source == SOURCE_PATTERN)
    {
      restart (self);
      return;
    }
  if (self->chooser != NULL)
    return;
  chooser = gtk_file_chooser_native_new (source == SOURCE_FOLDER ? _("Choose a folder of pictures")
                                                                 : _("Choose a video file"),
                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         source == SOURCE_FOLDER ? GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER
                                                                 : GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Choose"), _("_Cancel"));
  if (source == SOURCE_VIDEO)
    {
      g_autoptr(GtkFileFilter) videos = gtk_file_filter_new ();
      g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

      gtk_file_filter_set_name (videos, _("YUV4MPEG2 videos (.y4m)"));
      gtk_file_filter_add_pattern (videos, "*.y4m");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), videos);
      gtk_file_filter_set_name (all, _("All files"));
      gtk_file_filter_add_pattern (all, "*");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), all);
    }
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), self);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->chooser);
}

/* ---- set-up ---- */

void
shmlab_stream_panel_set_session (ShmlabStreamPanel *self,
                                 ShmlabSession     *session)
{
  g_set_object (&self->session, session);
}

void
shmlab_stream_panel_configure (ShmlabStreamPanel        *self,
                               const ShmlabStreamConfig *config,
                               double                    fps)
{
  guint size = 2;

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    if (sizes[i][0] == config->width && sizes[i][1] == config->height)
      size = i;
  gtk_drop_down_set_selected (self->size_dropdown, size);
  gtk_switch_set_active (self->lock_switch, config->lock);
  gtk_drop_down_set_selected (self->buffers_dropdown, config->buffers == 2 ? 1 : 0);
  gtk_drop_down_set_selected (self->handoff_dropdown,
                              config->handoff == SHMLAB_STREAM_HANDOFF_EVERY ? 1 : 0);
  gtk_drop_down_set_selected (self->transport_dropdown, config->transport);
  gtk_check_button_set_active (self->max_check, fps <= 0);
  if (fps > 0)
    gtk_spin_button_set_value (self->fps_spin, fps);
}

static void
shmlab_stream_panel_dispose (GObject *object)
{
  ShmlabStreamPanel *self = SHMLAB_STREAM_PANEL (object);

  self->restarting = TRUE;
  stop (self);
  if (self->chooser != NULL)
    {
      gtk_native_dialog_destroy (self->chooser);
      g_clear_object (&self->chooser);
    }
  g_clear_object (&self->session);
  g_clear_pointer (&self->path, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), SHMLAB_TYPE_STREAM_PANEL);
  {
    GtkWidget *child;

    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
      gtk_widget_unparent (child);
  }
  G_OBJECT_CLASS (shmlab_stream_panel_parent_class)->dispose (object);
}

static void
shmlab_stream_panel_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  ShmlabStreamPanel *self = SHMLAB_STREAM_PANEL (object);

  switch (prop_id)
    {
    case PROP_STREAMING:
      g_value_set_boolean (value, self->streaming);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
shmlab_stream_panel_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  ShmlabStreamPanel *self = SHMLAB_STREAM_PANEL (object);

  switch (prop_id)
    {
    case PROP_STREAMING:
      shmlab_stream_panel_set_streaming (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
shmlab_stream_panel_class_init (ShmlabStreamPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = shmlab_stream_panel_dispose;
  object_class->get_property = shmlab_stream_panel_get_property;
  object_class->set_property = shmlab_stream_panel_set_property;

  properties[PROP_STREAMING] = g_param_spec_boolean ("streaming", NULL, NULL, FALSE,
                                                     G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY |
                                                     G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_NOTE] = g_signal_new ("note", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                       G_TYPE_STRING, G_TYPE_BOOLEAN);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/shmlab/shmlab-stream-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, ShmlabStreamPanel, controls);
  gtk_widget_class_bind_template_child (widget_class, ShmlabStreamPanel, source_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ShmlabStreamPanel, source_label);
  gtk_widget_class_bind_template_child (widget_class, ShmlabStreamPanel, size_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ShmlabStreamPanel, fps_spin);
  gtk_widget_class_bind_template_child (widget_class, ShmlabStreamPanel, max_check);
  gtk_widget_class_bind_template_child (widget_class, ShmlabStreamPanel, lock_switch);
  gtk_widget_class_bind_template_child (widget_class, ShmlabStreamPanel, buffers_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ShmlabStreamPanel, handoff_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ShmlabStreamPanel, transport_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ShmlabStreamPanel, stream_button);
  gtk_widget_class_bind_template_child (widget_class, ShmlabStreamPanel, status_label);
  gtk_widget_class_bind_template_child (widget_class, ShmlabStreamPanel, preview);
  gtk_widget_class_bind_template_child (widget_class, ShmlabStreamPanel, figures_label);
  gtk_widget_class_bind_template_callback (widget_class, source_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, rate_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, lock_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, layout_changed_cb);
  gtk_widget_class_install_property_action (widget_class, "stream.toggle", "streaming");
}

static void
shmlab_stream_panel_init (ShmlabStreamPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_drop_down_set_selected (self->size_dropdown, 2);
  describe_choice (self);
  gtk_label_set_text (self->figures_label, "");
}
