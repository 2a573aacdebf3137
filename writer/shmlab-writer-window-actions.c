/* shmlab-writer-window-actions.c — what the Writer's buttons and keys do:
 * the one-click write, the offers that follow its failures, and the steps
 * one by one
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-writer-window-private.h"

#include <inttypes.h>
#include <glib/gi18n.h>

#include "shmlab-encode-task.h"
#include "shmlab-error.h"
#include "shmlab-limits.h"

typedef enum
{
  JOB_WRITE,
  JOB_STEP_CREATE,
  JOB_STEP_ATTACH,
  JOB_STEP_LOCK,
  JOB_STEP_WRITE,
  JOB_STEP_UNLOCK,
  JOB_STEP_DETACH,
} JobKind;

/* What an offer's answer does before the job itself. */
typedef enum
{
  PRE_NONE,
  PRE_ATTACH,
  PRE_REMOVE,
} JobPre;

typedef struct
{
  JobKind kind;
  JobPre pre;
  ShmlabWriteFlags flags;
  gboolean auto_size;      /* "grow": the size the content needs, whatever the key bar says */
  gboolean into_attached;  /* into a segment another process made: its size stays */
  gsize size;
  ShmlabEncoded *encoded;
  char *key;               /* the key the job gave the session, if any */
  ShmlabBackend backend;
} Job;

static void
job_free (Job *job)
{
  g_clear_pointer (&job->encoded, shmlab_encoded_free);
  g_free (job->key);
  g_free (job);
}

static const char *
job_describe (JobKind kind)
{
  switch (kind)
    {
    case JOB_WRITE: return _("Writing to shared memory…");
    case JOB_STEP_CREATE: return _("Creating the segment…");
    case JOB_STEP_ATTACH: return _("Attaching…");
    case JOB_STEP_LOCK: return _("Locking…");
    case JOB_STEP_WRITE: return _("Copying in…");
    case JOB_STEP_UNLOCK: return _("Unlocking…");
    case JOB_STEP_DETACH: return _("Detaching…");
    default: return _("Working…");
    }
}

static const char *
job_noun (JobKind kind)
{
  switch (kind)
    {
    case JOB_WRITE: return _("writing");
    case JOB_STEP_CREATE: return _("creating");
    case JOB_STEP_ATTACH: return _("attaching");
    case JOB_STEP_LOCK: return _("locking");
    case JOB_STEP_WRITE: return _("copying in");
    case JOB_STEP_UNLOCK: return _("unlocking");
    case JOB_STEP_DETACH: return _("detaching");
    default: return _("working");
    }
}

static const char *
job_failure_title (JobKind kind)
{
  switch (kind)
    {
    case JOB_WRITE: return _("Could not write to shared memory");
    case JOB_STEP_CREATE: return _("Could not create the segment");
    case JOB_STEP_ATTACH: return _("Could not attach");
    case JOB_STEP_LOCK: return _("Could not lock");
    case JOB_STEP_WRITE: return _("Could not copy in");
    case JOB_STEP_UNLOCK: return _("Could not unlock");
    case JOB_STEP_DETACH: return _("Could not detach");
    default: return _("Could not do it");
    }
}

/* A new job, or NULL (the task already answered) while another runs. */
static GTask *
job_task_new (ShmlabWriterWindow  *self,
              JobKind              kind,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Job *job = g_new0 (Job, 1);

  job->kind = kind;
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_set_source_tag (task, shmlab_writer_window_write_async);
  if (!_shmlab_writer_window_begin_job (self, job_describe (kind), cancellable))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _("another operation is still running: wait for it, or cancel it"));
      g_object_unref (task);
      return NULL;
    }
  return task;
}

static void
show_exists_offer (ShmlabWriterWindow *self,
                   Job                *job,
                   const GError       *error)
{
  const ShmlabSegmentInfo *info = shmlab_session_get_info (self->session);
  const char *title;

  self->offer_stale = shmlab_segment_info_is_stale (info);
  self->offer_flags = job->flags;
  if (self->offer_stale)
    title = _("A segment left behind by a program that ended holds this key.");
  else
    title = _("Another program's segment holds this key.");
  _shmlab_writer_window_show_offer (self, SHMLAB_WRITER_OFFER_EXISTS,
                                    job->kind == JOB_STEP_CREATE ? SHMLAB_OFFER_FROM_STEP_CREATE
                                                                 : SHMLAB_OFFER_FROM_WRITE,
                                    title, error->message);
}

static void
show_too_large_offer (ShmlabWriterWindow *self,
                      Job                *job,
                      const GError       *error)
{
  gsize needed = job->encoded ? shmlab_encoded_get_size (job->encoded) : 0;
  gsize have = shmlab_session_get_size (self->session);
  gsize over = needed > have ? needed - have : 0;
  g_autofree char *have_text = shmlab_format_bytes (have);
  g_autofree char *title = NULL;
  g_autofree char *grow = NULL;
  g_autofree char *cut = NULL;
  g_autofree char *message = NULL;
  gboolean is_text = g_strcmp0 (shmlab_writer_window_get_page (self), "text") == 0;
  ShmlabOfferSource source;

  if (job->kind == JOB_STEP_WRITE)
    source = SHMLAB_OFFER_FROM_STEP_WRITE;
  else if (job->into_attached)
    source = SHMLAB_OFFER_FROM_ATTACHED;
  else
    source = SHMLAB_OFFER_FROM_WRITE;

  title = g_strdup_printf (_("The content is %zu %s too large for the segment of %s."),
                           over, over == 1 ? _("byte") : _("bytes"), have_text);
  if (source == SHMLAB_OFFER_FROM_ATTACHED)
    message = g_strdup_printf (_("%s. This segment was made by another program, so its size "
                               "stays: %s"), error->message,
                               is_text ? _("cut the text, or detach and write a new segment.")
                                       : _("detach, then write a new segment."));
  else if (source == SHMLAB_OFFER_FROM_STEP_WRITE)
    message = g_strdup_printf (_("%s. Step by step: cut the text, or unlock, detach and create "
                               "a larger segment."), error->message);
  else if (!is_text)
    message = g_strdup_printf (_("%s. A picture cannot be cut, only a text can."), error->message);
  else
    message = g_strdup_printf ("%s.", error->message);

  grow = g_strdup_printf (_("_Grow the segment to %zu bytes"), needed);
  cut = g_strdup_printf (_("Cut the te_xt to fit (%zu %s fewer)"), over,
                         over == 1 ? _("byte") : _("bytes"));
  gtk_button_set_label (GTK_BUTTON (self->grow_button), grow);
  gtk_button_set_label (GTK_BUTTON (self->cut_button), cut);

  self->offer_flags = job->flags;
  _shmlab_writer_window_show_offer (self, SHMLAB_WRITER_OFFER_TOO_LARGE, source, title, message);
}

/* Says how a job failed: an offer when there is a way on, else the error banner. */
static void
present_failure (ShmlabWriterWindow *self,
                 Job                *job,
                 const GError       *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *note = g_strdup_printf (_("%s: cancelled"), job_noun (job->kind));
      if (!self->job_step_failed)
        _shmlab_writer_window_note (self, note, FALSE);
      return;
    }

  if (g_error_matches (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_ALREADY_EXISTS) &&
      (job->kind == JOB_WRITE || job->kind == JOB_STEP_CREATE))
    {
      _shmlab_writer_window_hide_error (self);
      show_exists_offer (self, job, error);
      return;
    }

  if (g_error_matches (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_TOO_LARGE) &&
      (job->kind == JOB_WRITE || job->kind == JOB_STEP_WRITE) && job->encoded != NULL &&
      shmlab_session_get_attached (self->session))
    {
      _shmlab_writer_window_hide_error (self);
      show_too_large_offer (self, job, error);
      return;
    }

  _shmlab_writer_window_hide_offer (self);
  _shmlab_writer_window_show_error (self, job_failure_title (job->kind), error->message,
                                    !self->job_step_failed);
}

/* The end of every job: the window is free again, then says how it went. */
static void
job_return (GTask  *task,
            GError *error)
{
  ShmlabWriterWindow *self = g_task_get_source_object (task);
  Job *job = g_task_get_task_data (task);

  _shmlab_writer_window_end_job (self);
  if (self->session != NULL && !shmlab_session_get_attached (self->session))
    g_clear_pointer (&self->attached_key, g_free);
  else if (job->key != NULL && self->session != NULL)
    {
      /* The segment the session is attached to is the one of the key this job used. */
      g_free (self->attached_key);
      self->attached_key = g_strdup (job->key);
      self->attached_backend = job->backend;
    }
  if (error == NULL)
    {
      if (!self->closing)
        {
          _shmlab_writer_window_hide_error (self);
          _shmlab_writer_window_hide_offer (self);
        }
      g_task_return_boolean (task, TRUE);
    }
  else
    {
      if (!self->closing)
        present_failure (self, job, error);
      g_task_return_error (task, error);
    }
  g_object_unref (task);
}

static GError *
closed_error (void)
{
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("the window was closed"));
}

static void
step_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  shmlab_session_step_finish (SHMLAB_SESSION (source), result, &error);
  job_return (task, error);
}

/* The key bar's key becomes the session's for this job's steps. */
static gboolean
apply_key (GTask   *task,
           GError **error)
{
  ShmlabWriterWindow *self = g_task_get_source_object (task);
  Job *job = g_task_get_task_data (task);

  if (!shmlab_key_bar_apply (self->key_bar, error))
    return FALSE;
  g_free (job->key);
  job->key = g_strdup (shmlab_session_get_key (self->session));
  job->backend = shmlab_session_get_backend (self->session);
  return TRUE;
}

/* Attached to a segment of the current key that another process made. */
static gboolean
attached_to_foreign (ShmlabWriterWindow *self)
{
  return shmlab_session_get_attached (self->session) &&
         !shmlab_session_get_created (self->session) &&
         self->attached_key != NULL &&
         g_strcmp0 (self->attached_key, shmlab_session_get_key (self->session)) == 0 &&
         self->attached_backend == shmlab_session_get_backend (self->session);
}

/* The Size field: 0 for Auto. */
static gboolean
read_size (ShmlabWriterWindow  *self,
           gsize               *size,
           GError             **error)
{
  guint64 bytes = 0;

  if (!shmlab_key_bar_get_size (self->key_bar, &bytes, error))
    return FALSE;
  if (bytes > G_MAXSIZE)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("a segment of %" PRIu64 " bytes cannot be addressed on this "
                   "computer: pick a smaller size"), bytes);
      return FALSE;
    }
  *size = (gsize) bytes;
  return TRUE;
}

static void
write_encoded_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  ShmlabWriterWindow *self = g_task_get_source_object (task);
  Job *job = g_task_get_task_data (task);
  GError *error = NULL;

  job->encoded = shmlab_payload_encode_finish (result, &error);
  if (job->encoded == NULL || self->closing)
    {
      job_return (task, error ? error : closed_error ());
      return;
    }

  if (g_cancellable_set_error_if_cancelled (self->cancellable, &error))
    {
      job_return (task, error);
      return;
    }

  shmlab_wait_bar_start_work (self->wait_bar, job_describe (job->kind), self->cancellable);
  switch (job->kind)
    {
    case JOB_STEP_CREATE:
      shmlab_session_create_async (self->session, shmlab_encoded_get_size (job->encoded),
                                   self->cancellable, step_done_cb, task);
      break;
    case JOB_STEP_WRITE:
      shmlab_session_write_async (self->session, job->encoded, job->flags, self->cancellable,
                                  step_done_cb, task);
      break;
    default:
      shmlab_session_write_all_async (self->session, job->encoded, job->size, job->flags,
                                      self->cancellable, step_done_cb, task);
      break;
    }
}

/* Encodes the page shown (in a thread), then goes on with the job. */
static void
encode_content (GTask *task)
{
  ShmlabWriterWindow *self = g_task_get_source_object (task);
  GError *error = NULL;
  ShmlabPayload *payload = _shmlab_writer_window_make_payload (self, &error);

  if (payload == NULL)
    {
      job_return (task, error);
      return;
    }
  shmlab_wait_bar_start_work (self->wait_bar,
                              payload->kind == SHMLAB_PAYLOAD_KIND_IMAGE
                              ? _("Encoding the picture…") : _("Encoding the text…"),
                              self->cancellable);
  shmlab_payload_encode_async (payload, shmlab_writer_window_get_format (self), self->cancellable,
                               write_encoded_cb, task);
}

static void job_run (GTask *task);

static void
pre_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  ShmlabWriterWindow *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!shmlab_session_step_finish (SHMLAB_SESSION (source), result, &error) || self->closing)
    {
      job_return (task, error ? error : closed_error ());
      return;
    }
  job_run (task);
}

static void
job_run (GTask *task)
{
  ShmlabWriterWindow *self = g_task_get_source_object (task);
  Job *job = g_task_get_task_data (task);
  GCancellable *cancellable = self->cancellable;
  GError *error = NULL;

  if (job->pre != PRE_NONE)
    {
      JobPre pre = job->pre;

      job->pre = PRE_NONE;
      if (!apply_key (task, &error))
        job_return (task, error);
      else if (pre == PRE_ATTACH)
        shmlab_session_attach_async (self->session, SHMLAB_ACCESS_READ_WRITE, cancellable,
                                     pre_done_cb, task);
      else
        shmlab_session_remove_async (self->session, FALSE, cancellable, pre_done_cb, task);
      return;
    }

  switch (job->kind)
    {
    case JOB_WRITE:
      if (!apply_key (task, &error))
        break;
      /* A segment another process made keeps its size: write into it as it is. */
      job->into_attached = attached_to_foreign (self);
      if (!job->into_attached && !job->auto_size && !read_size (self, &job->size, &error))
        break;
      encode_content (task);
      return;

    case JOB_STEP_CREATE:
      if (!apply_key (task, &error) || !read_size (self, &job->size, &error))
        break;
      if (job->size == 0)
        encode_content (task);
      else
        shmlab_session_create_async (self->session, job->size, cancellable, step_done_cb, task);
      return;

    case JOB_STEP_ATTACH:
      if (!apply_key (task, &error))
        break;
      shmlab_session_attach_async (self->session, SHMLAB_ACCESS_READ_WRITE, cancellable,
                                   step_done_cb, task);
      return;

    case JOB_STEP_LOCK:
      if (!apply_key (task, &error))
        break;
      shmlab_session_lock_async (self->session, cancellable, step_done_cb, task);
      return;

    case JOB_STEP_WRITE:
      encode_content (task);
      return;

    case JOB_STEP_UNLOCK:
      shmlab_session_unlock_async (self->session, cancellable, step_done_cb, task);
      return;

    case JOB_STEP_DETACH:
      shmlab_session_detach_async (self->session, cancellable, step_done_cb, task);
      return;

    default:
      g_assert_not_reached ();
    }

  job_return (task, error);
}

static void
job_start (ShmlabWriterWindow *self,
           JobKind             kind,
           JobPre              pre,
           ShmlabWriteFlags    flags,
           gboolean            auto_size)
{
  GTask *task = job_task_new (self, kind, NULL, NULL, NULL);
  Job *job;

  if (task == NULL)
    return;
  job = g_task_get_task_data (task);
  job->pre = pre;
  job->flags = flags;
  job->auto_size = auto_size;
  job_run (task);
}

/**
 * shmlab_writer_window_write_async:
 *
 * The one click: the key bar's key and size, the page shown encoded in the
 * format picked, then the session's write (create if needed, lock, copy,
 * unlock). A failure that has a way on shows an offer banner; every failure
 * shows in the window and comes back as the error.
 */
void
shmlab_writer_window_write_async (ShmlabWriterWindow  *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (SHMLAB_IS_WRITER_WINDOW (self));

  task = job_task_new (self, JOB_WRITE, cancellable, callback, user_data);
  if (task != NULL)
    job_run (task);
}

gboolean
shmlab_writer_window_write_finish (ShmlabWriterWindow  *self,
                                   GAsyncResult        *result,
                                   GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- actions ---- */

static void
write_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  shmlab_writer_window_write_async (SHMLAB_WRITER_WINDOW (widget), NULL, NULL, NULL);
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  _shmlab_writer_window_open (SHMLAB_WRITER_WINDOW (widget));
}

static void
paste_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  _shmlab_writer_window_paste (SHMLAB_WRITER_WINDOW (widget));
}

/* Ctrl+V pastes a picture on the Image page only: on the Text page it is the text's. */
static gboolean
paste_shortcut (GtkWidget *widget,
                GVariant  *args,
                gpointer   user_data)
{
  ShmlabWriterWindow *self = SHMLAB_WRITER_WINDOW (widget);

  if (g_strcmp0 (shmlab_writer_window_get_page (self), "image") != 0 ||
      shmlab_writer_window_get_busy (self))
    return FALSE;
  _shmlab_writer_window_paste (self);
  return TRUE;
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  shmlab_writer_window_cancel (SHMLAB_WRITER_WINDOW (widget));
}

static void
step_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  static const struct { const char *name; JobKind kind; } steps[] = {
    { "win.step-create", JOB_STEP_CREATE },
    { "win.step-attach", JOB_STEP_ATTACH },
    { "win.step-lock", JOB_STEP_LOCK },
    { "win.step-write", JOB_STEP_WRITE },
    { "win.step-unlock", JOB_STEP_UNLOCK },
    { "win.step-detach", JOB_STEP_DETACH },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (steps); i++)
    if (g_str_equal (action_name, steps[i].name))
      job_start (SHMLAB_WRITER_WINDOW (widget), steps[i].kind, PRE_NONE,
                 SHMLAB_WRITE_FLAGS_NONE, FALSE);
}

static void
offer_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  ShmlabWriterWindow *self = SHMLAB_WRITER_WINDOW (widget);
  ShmlabOfferSource source = self->offer_source;
  ShmlabWriteFlags flags = self->offer_flags & ~SHMLAB_WRITE_FLAGS_CUT;

  if (self->offer == SHMLAB_WRITER_OFFER_NONE)
    return;
  _shmlab_writer_window_hide_offer (self);

  if (g_str_equal (action_name, "win.offer-attach"))
    {
      if (source == SHMLAB_OFFER_FROM_STEP_CREATE)
        job_start (self, JOB_STEP_ATTACH, PRE_NONE, flags, FALSE);
      else
        job_start (self, JOB_WRITE, PRE_ATTACH, self->offer_flags, FALSE);
    }
  else if (g_str_equal (action_name, "win.offer-remove"))
    {
      if (source == SHMLAB_OFFER_FROM_STEP_CREATE)
        job_start (self, JOB_STEP_CREATE, PRE_REMOVE, flags, FALSE);
      else
        job_start (self, JOB_WRITE, PRE_REMOVE, self->offer_flags, FALSE);
    }
  else if (g_str_equal (action_name, "win.offer-other-key"))
    gtk_widget_child_focus (GTK_WIDGET (self->key_bar), GTK_DIR_TAB_FORWARD);
  else if (g_str_equal (action_name, "win.offer-grow"))
    {
      /* From now on the segment is as large as the content. */
      shmlab_key_bar_set_size_text (self->key_bar, "Auto");
      job_start (self, JOB_WRITE, PRE_NONE, flags, TRUE);
    }
  else if (g_str_equal (action_name, "win.offer-cut"))
    job_start (self, source == SHMLAB_OFFER_FROM_STEP_WRITE ? JOB_STEP_WRITE : JOB_WRITE,
               PRE_NONE, flags | SHMLAB_WRITE_FLAGS_CUT, FALSE);
}

/* Every action's sensitivity, from the window's and the session's state. */
void
_shmlab_writer_window_update_actions (ShmlabWriterWindow *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean busy, attached, locked, exists, too_large;

  if (self->session == NULL || self->closing)
    return;

  busy = shmlab_writer_window_get_busy (self);
  attached = shmlab_session_get_attached (self->session);
  locked = shmlab_session_get_locked (self->session);
  exists = !busy && self->offer == SHMLAB_WRITER_OFFER_EXISTS;
  too_large = !busy && self->offer == SHMLAB_WRITER_OFFER_TOO_LARGE;

  gtk_widget_action_set_enabled (widget, "win.write", !busy);
  gtk_widget_action_set_enabled (widget, "win.open", !busy);
  gtk_widget_action_set_enabled (widget, "win.paste", !busy);
  gtk_widget_action_set_enabled (widget, "win.cancel", self->job_running);

  gtk_widget_action_set_enabled (widget, "win.step-create", !busy && !attached);
  gtk_widget_action_set_enabled (widget, "win.step-attach", !busy && !attached);
  gtk_widget_action_set_enabled (widget, "win.step-lock", !busy && attached && !locked);
  gtk_widget_action_set_enabled (widget, "win.step-write", !busy && locked);
  gtk_widget_action_set_enabled (widget, "win.step-unlock", !busy && locked);
  gtk_widget_action_set_enabled (widget, "win.step-detach", !busy && attached);

  gtk_widget_action_set_enabled (widget, "win.offer-attach", exists);
  gtk_widget_action_set_enabled (widget, "win.offer-remove", exists && self->offer_stale);
  gtk_widget_action_set_enabled (widget, "win.offer-other-key", exists);
  gtk_widget_action_set_enabled (widget, "win.offer-grow",
                                 too_large && self->offer_source == SHMLAB_OFFER_FROM_WRITE);
  gtk_widget_action_set_enabled (widget, "win.offer-cut",
                                 too_large &&
                                 g_strcmp0 (shmlab_writer_window_get_page (self), "text") == 0);
}

void
_shmlab_writer_window_class_init_actions (GtkWidgetClass *widget_class)
{
  static const char *const steps[] = {
    "win.step-create", "win.step-attach", "win.step-lock",
    "win.step-write", "win.step-unlock", "win.step-detach",
  };
  static const char *const offers[] = {
    "win.offer-attach", "win.offer-remove", "win.offer-other-key",
    "win.offer-grow", "win.offer-cut",
  };

  gtk_widget_class_install_action (widget_class, "win.write", NULL, write_action);
  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.paste", NULL, paste_action);
  gtk_widget_class_install_action (widget_class, "win.cancel", NULL, cancel_action);
  for (gsize i = 0; i < G_N_ELEMENTS (steps); i++)
    gtk_widget_class_install_action (widget_class, steps[i], NULL, step_action);
  for (gsize i = 0; i < G_N_ELEMENTS (offers); i++)
    gtk_widget_class_install_action (widget_class, offers[i], NULL, offer_action);
  gtk_widget_class_install_property_action (widget_class, "win.step-by-step", "step-by-step");

  gtk_widget_class_add_binding (widget_class, GDK_KEY_v, GDK_CONTROL_MASK, paste_shortcut, NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.cancel", NULL);
}
