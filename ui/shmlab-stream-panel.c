/* shmlab-stream-panel.c — the Writer's Stream page: the source, the rate,
 * the lock, the buffers, the handoff and the transport; the stream played
 * by ShmlabStreamPlayer in its worker, its figures four times a second
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

static const guint32 sizes[][2] = {
  { 320, 180 }, { 640, 360 }, { 1280, 720 }, { 1920, 1080 }, { 2560, 1440 }, { 3840, 2160 },
};

enum { SOURCE_PATTERN, SOURCE_FOLDER, SOURCE_VIDEO };

struct _ShmlabStreamPanel
{
  GtkWidget parent_instance;

  /* template widgets */
  GtkWidget *controls;
  GtkDropDown *source_dropdown;
  GtkWidget *choose_button;
  GtkLabel *source_label;
  GtkWidget *raw_size_title;
  GtkEntry *raw_size_entry;
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

  /* owned */
  ShmlabSession *session;
  ShmlabStreamPlayer *player;
  char *path;                    /* the folder or the video chosen */
  guint32 raw_width;             /* raw RGBA's size, 0 × 0 when none typed */
  guint32 raw_height;
  GtkNativeDialog *chooser;
  GCancellable *opening;         /* the source opened for the stream */
  GCancellable *describing;      /* the chosen file opened to say what it is */
  char *last_problem;

  gboolean setting_source;       /* set_source(): no file chooser */
  gboolean streaming;            /* asked for; the player may still be starting */
  gboolean started_once;         /* a writer was made since Stream was pressed */
  gboolean has_problem;
  guint64 problem_frame;
  guint64 frames_written;
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

static guint
chosen_source (ShmlabStreamPanel *self)
{
  guint source = gtk_drop_down_get_selected (self->source_dropdown);

  /* A folder or a video not chosen yet: the pattern meanwhile. */
  return source != SOURCE_PATTERN && self->path == NULL ? SOURCE_PATTERN : source;
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

/* ---- opening a source, in a worker: a folder is decoded, a video mapped ---- */

typedef struct
{
  guint kind;
  char *path;
  guint32 width;
  guint32 height;
  guint32 raw_width;
  guint32 raw_height;
  ShmlabKey *key;                /* for a stream; NULL to describe */
  ShmlabStreamConfig config;
} OpenJob;

static void
open_job_free (gpointer data)
{
  OpenJob *job = data;

  g_clear_pointer (&job->key, shmlab_key_unref);
  g_free (job->path);
  g_free (job);
}

static void
open_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  OpenJob *job = task_data;
  GError *error = NULL;
  ShmlabStreamSource *source;

  switch (job->kind)
    {
    case SOURCE_FOLDER:
      source = shmlab_stream_source_new_folder (job->path, job->width, job->height, cancellable, &error);
      break;
    case SOURCE_VIDEO:
      source = shmlab_stream_source_new_video (job->path, job->raw_width, job->raw_height, &error);
      break;
    default:
      source = shmlab_stream_source_new_pattern (job->width, job->height, &error);
      break;
    }
  if (source == NULL)
    g_task_return_error (task, error);
  else if (g_task_return_error_if_cancelled (task))
    shmlab_stream_source_free (source);
  else
    g_task_return_pointer (task, source, (GDestroyNotify) shmlab_stream_source_free);
}

static void
open_source (ShmlabStreamPanel   *self,
             ShmlabKey           *key,
             GCancellable       **cancellable,
             GAsyncReadyCallback  callback)
{
  g_autoptr(GTask) task = NULL;
  OpenJob *job = g_new0 (OpenJob, 1);

  read_config (self, &job->config);
  job->kind = key != NULL ? chosen_source (self) : gtk_drop_down_get_selected (self->source_dropdown);
  job->path = g_strdup (self->path);
  job->width = job->config.width;
  job->height = job->config.height;
  job->raw_width = self->raw_width;
  job->raw_height = self->raw_height;
  job->key = key != NULL ? shmlab_key_ref (key) : NULL;

  if (*cancellable != NULL)
    g_cancellable_cancel (*cancellable);
  g_clear_object (cancellable);
  *cancellable = g_cancellable_new ();
  task = g_task_new (self, *cancellable, callback, NULL);
  g_task_set_task_data (task, job, open_job_free);
  g_task_run_in_thread (task, open_thread);
}

/* What the chosen folder or video is: its size and rate, or what is wrong. */
static void
described_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      data)
{
  ShmlabStreamPanel *self = SHMLAB_STREAM_PANEL (object);
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabStreamSource) source = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree char *text = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->describing);
  if (source == NULL)
    {
      gtk_label_set_text (self->source_label, error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->source_label), "error");
      return;
    }
  text = shmlab_stream_source_describe (source);
  gtk_label_set_text (self->source_label, text);
  gtk_widget_remove_css_class (GTK_WIDGET (self->source_label), "error");
  /* A video plays at its own rate unless another is chosen. */
  if (shmlab_stream_source_get_fps (source) > 0)
    gtk_spin_button_set_value (self->fps_spin, CLAMP (shmlab_stream_source_get_fps (source), 1, 240));
}

static void
describe_choice (ShmlabStreamPanel *self)
{
  guint source = gtk_drop_down_get_selected (self->source_dropdown);

  gtk_widget_set_sensitive (GTK_WIDGET (self->size_dropdown), source != SOURCE_VIDEO);
  gtk_widget_set_visible (self->choose_button, source != SOURCE_PATTERN);
  gtk_widget_set_visible (self->raw_size_title, source == SOURCE_VIDEO);
  gtk_widget_set_visible (GTK_WIDGET (self->raw_size_entry), source == SOURCE_VIDEO);
  gtk_widget_remove_css_class (GTK_WIDGET (self->source_label), "error");
  if (self->describing != NULL)
    {
      g_cancellable_cancel (self->describing);
      g_clear_object (&self->describing);
    }
  if (source == SOURCE_PATTERN)
    gtk_label_set_text (self->source_label,
                        _("Each frame another colour, its number and time drawn large."));
  else if (self->path == NULL)
    gtk_label_set_text (self->source_label, _("Nothing chosen yet: the test pattern is used."));
  else
    {
      g_autofree char *shown = g_filename_display_name (self->path);
      g_autofree char *text = g_strdup_printf (_("Opening “%s”…"), shown);

      gtk_label_set_text (self->source_label, text);
      open_source (self, NULL, &self->describing, described_cb);
    }
}

/* ---- what the player says ---- */

static void
show_figures (ShmlabStreamPanel              *self,
              const ShmlabStreamPlayerReport *report)
{
  g_autofree char *text = NULL;

  text = g_strdup_printf (_("Frames written: %" PRIu64 "\n"
                            "Frames per second: %.1f\n"
                            "Throughput: %.0f MB/s\n"
                            "Waited for the lock: %.1f ms\n"
                            "Waited for the reader: %.1f ms"),
                          report->stats.frames_written, report->stats.fps, report->stats.mb_per_s,
                          report->stats.writer_lock_wait_ms, report->stats.writer_handoff_wait_ms);
  gtk_label_set_text (self->figures_label, text);
  self->frames_written = report->stats.frames_written;
  if (report->preview != NULL)
    {
      g_autoptr(GdkTexture) texture =
        gdk_memory_texture_new ((int) report->preview_width, (int) report->preview_height,
                                GDK_MEMORY_R8G8B8A8, report->preview,
                                (gsize) report->preview_width * 4);
      gtk_picture_set_paintable (self->preview, GDK_PAINTABLE (texture));
    }
}

static void
player_stats_cb (ShmlabStreamPlayer             *player,
                 const ShmlabStreamPlayerReport *report,
                 ShmlabStreamPanel              *self)
{
  show_figures (self, report);
  /* Frames flow again after a problem: it is over. */
  if (self->has_problem && report->frame_number > self->problem_frame)
    {
      self->has_problem = FALSE;
      g_clear_pointer (&self->last_problem, g_free);
      set_status (self, _("Streaming."), FALSE);
    }
}

static void
player_started_cb (ShmlabStreamPlayer       *player,
                   const ShmlabStreamConfig *config,
                   ShmlabStreamPanel        *self)
{
  g_autofree char *text = NULL;
  const char *buffers = config->buffers == 2 ? _("two frames in the segment") : _("one frame in the segment");
  const char *handoff = config->handoff == SHMLAB_STREAM_HANDOFF_EVERY ? _("every frame") : _("latest frame");
  const char *lock = config->transport != SHMLAB_STREAM_TRANSPORT_SHM ? _("no lock: the kernel copies")
                     : config->lock ? _("lock on") : _("lock OFF");

  set_status (self, _("Streaming."), FALSE);
  self->has_problem = FALSE;
  g_clear_pointer (&self->last_problem, g_free);
  if (self->started_once)
    text = g_strdup_printf (_("stream started again with the new choice: %u × %u through %s, %s, %s, %s — "
                              "a reader following it starts again too"),
                            config->width, config->height, shmlab_stream_transport_label (config->transport),
                            buffers, handoff, lock);
  else
    text = g_strdup_printf (_("stream started: %u × %u through %s, %s, %s, %s"),
                            config->width, config->height, shmlab_stream_transport_label (config->transport),
                            buffers, handoff, lock);
  self->started_once = TRUE;
  note (self, text, FALSE);
}

static void
player_problem_cb (ShmlabStreamPlayer *player,
                   const GError       *error,
                   ShmlabStreamPanel  *self)
{
  self->has_problem = TRUE;
  self->problem_frame = self->frames_written;
  if (g_strcmp0 (error->message, self->last_problem) == 0)
    return;
  g_free (self->last_problem);
  self->last_problem = g_strdup (error->message);
  set_status (self, error->message, TRUE);
  note (self, error->message, TRUE);
}

static void
player_stopped_cb (ShmlabStreamPlayer *player,
                   const GError       *error,
                   ShmlabStreamPanel  *self)
{
  g_autofree char *text = g_strdup_printf (_("The stream stopped: %s"), error->message);

  if (self->opening != NULL)
    {
      g_cancellable_cancel (self->opening);
      g_clear_object (&self->opening);
    }
  self->streaming = FALSE;
  self->started_once = FALSE;
  g_clear_pointer (&self->last_problem, g_free);
  set_status (self, text, TRUE);
  note (self, text, TRUE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STREAMING]);
}

/* ---- starting, stopping ---- */

static void
opened_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      data)
{
  ShmlabStreamPanel *self = SHMLAB_STREAM_PANEL (object);
  OpenJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  ShmlabStreamSource *source = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->opening);
  if (!self->streaming)
    {
      g_clear_pointer (&source, shmlab_stream_source_free);
      return;
    }
  if (source == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("The stream cannot start: %s"), error->message);

      if (shmlab_stream_player_get_playing (self->player))
        {
          shmlab_stream_player_stop (self->player);
          self->started_once = FALSE;
        }
      set_status (self, text, TRUE);
      note (self, text, TRUE);
      self->streaming = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STREAMING]);
      return;
    }
  /* The lock and the rate as they are now, not when the source was asked for. */
  job->config.lock = gtk_switch_get_active (self->lock_switch);
  shmlab_stream_player_play (self->player, job->key, &job->config, source, chosen_fps (self));
}

static void
start (ShmlabStreamPanel *self)
{
  ShmlabKey *key = self->session != NULL ? shmlab_session_get_key_value (self->session) : NULL;

  if (key == NULL)
    {
      set_status (self, _("Set a key first: the stream goes to the key's segment."), TRUE);
      self->streaming = FALSE;
      return;
    }
  if (!shmlab_stream_player_get_playing (self->player))
    set_status (self, _("Starting…"), FALSE);
  open_source (self, key, &self->opening, opened_cb);
}

static void
stop (ShmlabStreamPanel *self)
{
  if (self->opening != NULL)
    {
      g_cancellable_cancel (self->opening);
      g_clear_object (&self->opening);
    }
  if (shmlab_stream_player_get_playing (self->player))
    {
      shmlab_stream_player_stop (self->player);
      if (self->started_once)
        {
          g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                                "stream stopped after %" PRIu64 " frame",
                                                                "stream stopped after %" PRIu64 " frames",
                                                                self->frames_written),
                                                   self->frames_written);
          note (self, text, FALSE);
        }
    }
  self->started_once = FALSE;
  self->has_problem = FALSE;
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

/* Size, source, buffers, handoff and transport make another stream: the
 * player makes a new writer in its worker. */
static void
restart (ShmlabStreamPanel *self)
{
  if (self->streaming)
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

  if (!shmlab_stream_player_get_playing (self->player))
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
  shmlab_stream_player_set_fps (self->player, chosen_fps (self));
}

/* The raw size typed: checked, then the video opened again with it. */
static void
raw_size_changed_cb (ShmlabStreamPanel *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->raw_size_entry));
  g_autoptr(GError) error = NULL;
  guint32 width = 0, height = 0;

  if (*text != '\0' && !shmlab_stream_parse_size (text, &width, &height, &error))
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->raw_size_entry), "error");
      set_status (self, error->message, TRUE);
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self->raw_size_entry), "error");
  if (width == self->raw_width && height == self->raw_height)
    return;
  self->raw_width = width;
  self->raw_height = height;
  if (!self->streaming)
    set_status (self, NULL, FALSE);
  describe_choice (self);
  restart (self);
}

static void
raw_size_focus_cb (ShmlabStreamPanel *self)
{
  if (!gtk_widget_has_focus (GTK_WIDGET (self->raw_size_entry)) &&
      !gtk_widget_has_focus (gtk_widget_get_first_child (GTK_WIDGET (self->raw_size_entry))))
    raw_size_changed_cb (self);
}

/* ---- choosing a folder or a video ---- */

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
          describe_choice (self);
          restart (self);
        }
    }
  gtk_native_dialog_destroy (chooser);
  g_clear_object (&self->chooser);
}

static void
choose (ShmlabStreamPanel *self)
{
  guint source = gtk_drop_down_get_selected (self->source_dropdown);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *chooser;

  if (source == SOURCE_PATTERN || self->chooser != NULL)
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
      gtk_file_filter_set_name (all, _("All files (raw RGBA: type its size)"));
      gtk_file_filter_add_pattern (all, "*");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), all);
    }
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), self);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->chooser);
}

static void
choose_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  choose (SHMLAB_STREAM_PANEL (widget));
}

static void
source_changed_cb (ShmlabStreamPanel *self)
{
  guint source = gtk_drop_down_get_selected (self->source_dropdown);

  g_clear_pointer (&self->path, g_free);
  describe_choice (self);
  if (source == SOURCE_PATTERN)
    restart (self);
  else if (!self->setting_source)
    choose (self);
}

void
shmlab_stream_panel_set_source (ShmlabStreamPanel *self,
                                guint              kind,
                                const char        *path)
{
  g_return_if_fail (SHMLAB_IS_STREAM_PANEL (self));
  g_return_if_fail (kind <= SOURCE_VIDEO);

  self->setting_source = TRUE;
  gtk_drop_down_set_selected (self->source_dropdown, kind);
  self->setting_source = FALSE;
  if (kind == SOURCE_PATTERN || path == NULL)
    return;
  g_free (self->path);
  self->path = g_strdup (path);
  describe_choice (self);
  restart (self);
}

void
shmlab_stream_panel_set_raw_size (ShmlabStreamPanel *self,
                                  const char        *size)
{
  g_return_if_fail (SHMLAB_IS_STREAM_PANEL (self));
  gtk_editable_set_text (GTK_EDITABLE (self->raw_size_entry), size);
  raw_size_changed_cb (self);
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

  if (self->player != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->player, self);
      stop (self);
      g_clear_object (&self->player);
    }
  if (self->describing != NULL)
    {
      g_cancellable_cancel (self->describing);
      g_clear_object (&self->describing);
    }
  if (self->chooser != NULL)
    {
      gtk_native_dialog_destroy (self->chooser);
      g_clear_object (&self->chooser);
    }
  g_clear_object (&self->session);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->last_problem, g_free);
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
  gtk_widget_class_bind_template_child (widget_class, ShmlabStreamPanel, choose_button);
  gtk_widget_class_bind_template_child (widget_class, ShmlabStreamPanel, source_label);
  gtk_widget_class_bind_template_child (widget_class, ShmlabStreamPanel, raw_size_title);
  gtk_widget_class_bind_template_child (widget_class, ShmlabStreamPanel, raw_size_entry);
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
  gtk_widget_class_bind_template_callback (widget_class, raw_size_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, raw_size_focus_cb);
  gtk_widget_class_install_action (widget_class, "stream.choose", NULL, choose_action);
  gtk_widget_class_install_property_action (widget_class, "stream.toggle", "streaming");
}

static void
shmlab_stream_panel_init (ShmlabStreamPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->player = shmlab_stream_player_new ();
  g_signal_connect (self->player, "started", G_CALLBACK (player_started_cb), self);
  g_signal_connect (self->player, "stats", G_CALLBACK (player_stats_cb), self);
  g_signal_connect (self->player, "problem", G_CALLBACK (player_problem_cb), self);
  g_signal_connect (self->player, "stopped", G_CALLBACK (player_stopped_cb), self);
  gtk_drop_down_set_selected (self->size_dropdown, 2);
  describe_choice (self);
  gtk_label_set_text (self->figures_label, "");
}
