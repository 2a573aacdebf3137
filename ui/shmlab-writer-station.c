/* shmlab-writer-station.c — the Writer, as a station: the content pane, the one
 * click that writes it, the offers that follow its failures, and the steps
 * only the Writer has (create, write); the rest is ShmlabStation's
 *
 * Each asynchronous operation carries its own state: Write (the one click),
 * Create and Copy (the steps), Load (a picture opened, dropped or pasted).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-writer-station.h"
#include "shmlab-users.h"

#include <glib/gi18n.h>

#include <inttypes.h>

#include "shmlab-a11y.h"
#include "shmlab-encode-task.h"
#include "shmlab-error.h"
#include "shmlab-image-loader.h"
#include "shmlab-limits.h"
#include "shmlab-writer-pane.h"

/* What asked the question of the offer banner, so that its answer
 * continues the same way. */
typedef enum
{
  OFFER_FROM_WRITE,
  OFFER_FROM_ATTACHED,
  OFFER_FROM_STEP_CREATE,
  OFFER_FROM_STEP_WRITE,
} OfferSource;

struct _ShmlabWriterStation
{
  ShmlabStation parent_instance;

  /* Template widgets */
  ShmlabWriterPane *pane;
  GtkDropDown *format_dropdown;
  GtkWidget *write_button;
  ShmlabWriterBanner *banner;

  /* Owned */
  GtkNativeDialog *chooser;
  char *attached_key;  /* the key the session had when it attached */
  ShmlabBackend attached_backend;

  /* State */
  OfferSource offer_source;
  ShmlabWriteFlags offer_flags;
  gboolean offer_stale;
  gboolean error_from_key;  /* the error banner says the key cannot be used */
  gboolean present_write;  /* the next write was asked for by the user: say how it went */
  gboolean refocus_write;  /* after the next write the focus goes back to Write */
};

G_DEFINE_FINAL_TYPE (ShmlabWriterStation, shmlab_writer_station, SHMLAB_TYPE_STATION)

/* A session call that starts one step. */
typedef void (*StepFunc) (ShmlabWriterStation  *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data);

static void update_actions (ShmlabStation *window);

static ShmlabSession *
session_of (ShmlabWriterStation *self)
{
  return shmlab_station_get_session (SHMLAB_STATION (self));
}

static gboolean
is_closed (ShmlabWriterStation *self)
{
  return shmlab_station_get_closed (SHMLAB_STATION (self));
}

static void
note (ShmlabWriterStation *self,
      const char         *text,
      gboolean            is_error)
{
  shmlab_station_note (SHMLAB_STATION (self), text, is_error);
}

/* ---- banners ---- */

/* The error banner; @log_it: also in the step log (when no failed step says it already). */
static void
show_error (ShmlabWriterStation *self,
            const char         *title,
            const char         *message,
            gboolean            log_it)
{
  if (is_closed (self))
    return;
  self->error_from_key = FALSE;
  shmlab_writer_banner_show_error (self->banner, title, message);
  if (log_it)
    note (self, shmlab_writer_banner_get_error_text (self->banner), TRUE);
}

static void
hide_error (ShmlabWriterStation *self)
{
  self->error_from_key = FALSE;
  if (!is_closed (self))
    shmlab_writer_banner_hide_error (self->banner);
}

/* The question banner; which ways on it shows follows from the offer and its source. */
static void
show_offer (ShmlabWriterStation *self,
            ShmlabWriterOffer   offer,
            OfferSource         source,
            const char         *title,
            const char         *message,
            const char         *grow_label,
            const char         *cut_label)
{
  gboolean text = g_strcmp0 (shmlab_writer_station_get_page (self), "text") == 0;
  ShmlabWriterWays ways = 0;

  if (is_closed (self))
    return;
  if (offer == SHMLAB_WRITER_OFFER_EXISTS)
    ways = SHMLAB_WRITER_WAY_ATTACH | SHMLAB_WRITER_WAY_OTHER_KEY |
           (self->offer_stale ? SHMLAB_WRITER_WAY_REMOVE : 0);
  else if (offer == SHMLAB_WRITER_OFFER_TOO_LARGE)
    ways = (source == OFFER_FROM_WRITE ? SHMLAB_WRITER_WAY_GROW : 0) |
           (text ? SHMLAB_WRITER_WAY_CUT : 0);
  self->offer_source = source;
  shmlab_writer_banner_show_offer (self->banner, offer, ways, title, message, grow_label,
                                   cut_label);
}

static void
hide_offer (ShmlabWriterStation *self)
{
  if (!is_closed (self))
    shmlab_writer_banner_hide_offer (self->banner);
}

ShmlabWriterOffer
shmlab_writer_station_get_offer (ShmlabWriterStation *self)
{
  g_return_val_if_fail (SHMLAB_IS_WRITER_STATION (self), SHMLAB_WRITER_OFFER_NONE);
  return shmlab_writer_banner_get_offer (self->banner);
}

/* The offer banner's title and message, or NULL when it is hidden. */
const char *
shmlab_writer_station_get_offer_text (ShmlabWriterStation *self)
{
  g_return_val_if_fail (SHMLAB_IS_WRITER_STATION (self), NULL);
  return shmlab_writer_banner_get_offer_text (self->banner);
}

/* The error banner's title and message, or NULL when it is hidden. */
const char *
shmlab_writer_station_get_error_text (ShmlabWriterStation *self)
{
  g_return_val_if_fail (SHMLAB_IS_WRITER_STATION (self), NULL);
  return shmlab_writer_banner_get_error_text (self->banner);
}

static void
show_exists_offer (ShmlabWriterStation *self,
                   OfferSource         source,
                   ShmlabWriteFlags    flags,
                   const GError       *error)
{
  const ShmlabSegmentInfo *info = shmlab_session_get_info (session_of (self));
  const char *title;

  /* A file nobody maps is kept on purpose, not left behind: it may go too. */
  gboolean kept_file = info->exists && info->persistent && info->attach_count == 0 &&
                       shmlab_user_is_me (info->owner_uid);

  self->offer_stale = shmlab_segment_info_is_stale (info) || kept_file;
  self->offer_flags = flags;
  if (kept_file)
    title = _("A file kept from an earlier write holds this key.");
  else if (self->offer_stale)
    title = _("A segment left behind by a program that ended holds this key.");
  else
    title = _("Another program's segment holds this key.");
  hide_error (self);
  show_offer (self, SHMLAB_WRITER_OFFER_EXISTS, source, title, error->message, NULL, NULL);
}

static void
show_too_large_offer (ShmlabWriterStation *self,
                      OfferSource         source,
                      ShmlabWriteFlags    flags,
                      ShmlabEncoded      *encoded,
                      const GError       *error)
{
  gsize needed = shmlab_encoded_get_size (encoded);
  gsize have = shmlab_session_get_size (session_of (self));
  gsize over = needed > have ? needed - have : 0;
  g_autofree char *have_text = shmlab_format_bytes (have);
  g_autofree char *title = NULL;
  g_autofree char *grow = NULL;
  g_autofree char *cut = NULL;
  g_autofree char *message = NULL;
  gboolean is_text = g_strcmp0 (shmlab_writer_station_get_page (self), "text") == 0;

  title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                        "The content is %zu byte too large for the segment of %s.",
                                        "The content is %zu bytes too large for the segment of %s.",
                                        over),
                           over, have_text);
  if (source == OFFER_FROM_ATTACHED)
    message = g_strdup_printf (_("%s. This segment was made by another program, so its size "
                               "stays: %s"), error->message,
                               is_text ? _("cut the text, or detach and write a new segment.")
                                       : _("detach, then write a new segment."));
  else if (source == OFFER_FROM_STEP_WRITE)
    message = g_strdup_printf (_("%s. Step by step: cut the text, or unlock, detach and create "
                               "a larger segment."), error->message);
  else if (!is_text)
    message = g_strdup_printf (_("%s. A picture cannot be cut, only a text can."), error->message);
  else
    message = g_strdup_printf ("%s.", error->message);

  grow = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "_Grow the segment to %zu byte",
                                       "_Grow the segment to %zu bytes", needed),
                          needed);
  cut = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Cut the te_xt to fit (%zu byte fewer)",
                                      "Cut the te_xt to fit (%zu bytes fewer)", over),
                         over);
  self->offer_flags = flags;
  hide_error (self);
  show_offer (self, SHMLAB_WRITER_OFFER_TOO_LARGE, source, title, message, grow, cut);
}

/* A failure with no way on: a note when cancelled, else the error banner. */
static void
show_failure (ShmlabStation *window,
              const char   *title,
              const char   *noun,
              const GError *error,
              gboolean      said)
{
  ShmlabWriterStation *self = SHMLAB_WRITER_STATION (window);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *text = g_strdup_printf (_("%s: cancelled"), noun);

      if (!said)
        note (self, text, FALSE);
      return;
    }
  hide_offer (self);
  show_error (self, title, error->message, !said);
  self->error_from_key = g_error_matches (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_KEY_ERROR);
}

/* A key that can be used now: a banner saying it could not is past. */
static void
key_applied_cb (ShmlabWriterStation *self)
{
  if (self->error_from_key)
    hide_error (self);
}

/* A job or step that ended well clears what the last one said. */
static void
step_done (ShmlabStation *window)
{
  ShmlabWriterStation *self = SHMLAB_WRITER_STATION (window);

  hide_error (self);
  hide_offer (self);
}

static gboolean
too_large_with_a_way_on (ShmlabWriterStation *self,
                         ShmlabEncoded      *encoded,
                         const GError       *error)
{
  return g_error_matches (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_TOO_LARGE) &&
         encoded != NULL && shmlab_session_get_attached (session_of (self));
}

/* ---- what the jobs share ---- */

static GError *
closed_error (void)
{
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("the window was closed"));
}

/* A new job with its own @state, or NULL (the task already answered) while another runs. */
static GTask *
job_new (ShmlabWriterStation  *self,
         const char          *what,
         gpointer             state,
         GDestroyNotify       state_free,
         gpointer             source_tag,
         GCancellable        *cancellable,
         GAsyncReadyCallback  callback,
         gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_task_data (task, state, state_free);
  g_task_set_source_tag (task, source_tag);
  if (!shmlab_station_begin_job (SHMLAB_STATION (self), what, cancellable))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _("another operation is still running: wait for it, or cancel it"));
      g_object_unref (task);
      return NULL;
    }
  return task;
}

static GCancellable *
job_cancellable (ShmlabWriterStation *self)
{
  return shmlab_station_get_cancellable (SHMLAB_STATION (self));
}

/* The key bar's key becomes the session's. */
static gboolean
apply_key (ShmlabWriterStation  *self,
           GError             **error)
{
  return shmlab_key_bar_apply (shmlab_station_get_key_bar (SHMLAB_STATION (self)), error);
}

/* Attached to a segment of the current key that another process made. */
static gboolean
attached_to_foreign (ShmlabWriterStation *self)
{
  ShmlabSession *session = session_of (self);

  return shmlab_session_get_attached (session) &&
         !shmlab_session_get_created (session) &&
         self->attached_key != NULL &&
         g_strcmp0 (self->attached_key, shmlab_session_get_key (session)) == 0 &&
         self->attached_backend == shmlab_session_get_backend (session);
}

/* The Size field: 0 for Auto. */
static gboolean
read_size (ShmlabWriterStation  *self,
           gsize               *size,
           GError             **error)
{
  guint64 bytes = 0;

  if (!shmlab_key_bar_get_size (shmlab_station_get_key_bar (SHMLAB_STATION (self)), &bytes, error))
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

/* Encodes the page shown in a thread; @callback gets the encoding's result. */
static void
encode_content (GTask               *task,
                GAsyncReadyCallback  callback,
                GError             **error)
{
  ShmlabWriterStation *self = g_task_get_source_object (task);
  ShmlabPayload *payload = shmlab_writer_pane_make_payload (self->pane, error);

  if (payload == NULL)
    return;
  shmlab_wait_bar_start_work (shmlab_station_get_wait_bar (SHMLAB_STATION (self)),
                              payload->kind == SHMLAB_PAYLOAD_KIND_IMAGE
                              ? _("Encoding the picture…") : _("Encoding the text…"),
                              job_cancellable (self));
  shmlab_payload_encode_async (payload, shmlab_writer_station_get_format (self),
                               job_cancellable (self), callback, task);
}

/* The encoding is done: the encoded content, or NULL when the job must end with @error. */
static ShmlabEncoded *
encoded_finish (GTask        *task,
                GAsyncResult *result,
                const char   *what,
                GError      **error)
{
  ShmlabWriterStation *self = g_task_get_source_object (task);
  ShmlabEncoded *encoded = shmlab_payload_encode_finish (result, error);

  if (encoded == NULL)
    return NULL;
  if (is_closed (self))
    {
      g_propagate_error (error, closed_error ());
      shmlab_encoded_free (encoded);
      return NULL;
    }
  if (g_cancellable_set_error_if_cancelled (job_cancellable (self), error))
    {
      shmlab_encoded_free (encoded);
      return NULL;
    }
  shmlab_wait_bar_start_work (shmlab_station_get_wait_bar (SHMLAB_STATION (self)), what,
                              job_cancellable (self));
  return encoded;
}

/* The end of every job: the window is free again, then says how it went
 * (@present: how a failure shows, NULL for no way on). */
static void
job_return (GTask       *task,
            GError      *error,
            void       (*present) (GTask *task, const GError *error, gboolean said),
            const char  *title,
            const char  *noun)
{
  ShmlabWriterStation *self = g_task_get_source_object (task);

  shmlab_station_end_job (SHMLAB_STATION (self));
  if (error == NULL)
    {
      if (!is_closed (self))
        step_done (SHMLAB_STATION (self));
      g_task_return_boolean (task, TRUE);
    }
  else
    {
      if (!is_closed (self))
        {
          gboolean said = shmlab_station_step_said (SHMLAB_STATION (self), error);

          if (present == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            show_failure (SHMLAB_STATION (self), title, noun, error, said);
          else
            present (task, error, said);
        }
      g_task_return_error (task, error);
    }
  g_object_unref (task);
}

/* ---- the one click: Write ---- */

typedef struct
{
  StepFunc first;          /* what an offer's answer does before the write, or NULL */
  ShmlabWriteFlags flags;
  gboolean auto_size;      /* "grow": the size the content needs, whatever the key bar says */
  gboolean into_attached;  /* into a segment another process made: its size stays */
  gsize size;
  ShmlabEncoded *encoded;
  gboolean present;        /* asked for by the user: move the focus onto how it went */
  gboolean refocus;        /* then the focus goes back to Write (insensitive while it ran) */
} Write;

static void
write_free (Write *write)
{
  g_clear_pointer (&write->encoded, shmlab_encoded_free);
  g_free (write);
}

static void
write_present (GTask        *task,
               const GError *error,
               gboolean      said)
{
  ShmlabWriterStation *self = g_task_get_source_object (task);
  Write *write = g_task_get_task_data (task);

  if (g_error_matches (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_ALREADY_EXISTS))
    show_exists_offer (self, OFFER_FROM_WRITE, write->flags, error);
  else if (too_large_with_a_way_on (self, write->encoded, error))
    show_too_large_offer (self, write->into_attached ? OFFER_FROM_ATTACHED : OFFER_FROM_WRITE,
                          write->flags, write->encoded, error);
  else
    show_failure (SHMLAB_STATION (self), _("Could not write to shared memory"), _("writing"),
                  error, said);
}

/* What a write that ended well did, in one sentence. */
static char *
written_text (ShmlabWriterStation *self,
              const Write        *write)
{
  ShmlabSession *session = session_of (self);
  guint64 written = write->encoded != NULL ? shmlab_encoded_get_size (write->encoded) : 0;
  g_autofree char *bytes = NULL;

  /* A text cut to fit fills the segment, no more. */
  written = MIN (written, (guint64) shmlab_session_get_size (session));
  bytes = shmlab_format_bytes (written);
  return g_strdup_printf (_("Wrote %s into the segment of “%s”."), bytes,
                          shmlab_session_get_key (session));
}

static void
write_return (GTask  *task,
              GError *error)
{
  g_autoptr(ShmlabWriterStation) self = g_object_ref (g_task_get_source_object (task));
  Write *write = g_task_get_task_data (task);
  gboolean present = write->present;
  gboolean refocus = write->refocus;
  gboolean failed = error != NULL;
  g_autofree char *written = NULL;
  GtkWidget *result = NULL;

  if (!failed && !is_closed (self))
    written = written_text (self, write);
  job_return (task, error, write_present, _("Could not write to shared memory"), _("writing"));
  if (is_closed (self))
    return;
  result = shmlab_writer_pane_show_result (self->pane, written);
  if (failed)
    result = shmlab_writer_banner_get_message (self->banner);
  if (present && result != NULL)
    shmlab_a11y_present_result (result);
  else if (refocus)
    gtk_widget_grab_focus (self->write_button);
}

static void
write_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GError *error = NULL;

  shmlab_session_step_finish (SHMLAB_SESSION (source), result, &error);
  write_return (user_data, error);
}

static void
write_encoded_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  ShmlabWriterStation *self = g_task_get_source_object (task);
  Write *write = g_task_get_task_data (task);
  GError *error = NULL;

  write->encoded = encoded_finish (task, result, _("Writing to shared memory…"), &error);
  if (write->encoded == NULL)
    {
      write_return (task, error);
      return;
    }
  shmlab_session_write_all_async (session_of (self), write->encoded, write->size, write->flags,
                                  job_cancellable (self), write_done_cb, task);
}

static void
write_run (GTask *task)
{
  ShmlabWriterStation *self = g_task_get_source_object (task);
  Write *write = g_task_get_task_data (task);
  GError *error = NULL;

  if (!apply_key (self, &error))
    goto fail;
  /* A segment another process made keeps its size: write into it as it is. */
  write->into_attached = attached_to_foreign (self);
  if (!write->into_attached && !write->auto_size && !read_size (self, &write->size, &error))
    goto fail;
  encode_content (task, write_encoded_cb, &error);
  if (error == NULL)
    return;
fail:
  write_return (task, error);
}

static void
write_first_done_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GTask *task = user_data;
  ShmlabWriterStation *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!shmlab_session_step_finish (SHMLAB_SESSION (source), result, &error) || is_closed (self))
    {
      write_return (task, error ? error : closed_error ());
      return;
    }
  write_run (task);
}

static void
write_start (ShmlabWriterStation  *self,
             StepFunc             first,
             ShmlabWriteFlags     flags,
             gboolean             auto_size,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  Write *write = g_new0 (Write, 1);
  GTask *task;
  GError *error = NULL;

  write->first = first;
  write->flags = flags;
  write->auto_size = auto_size;
  write->present = self->present_write;
  write->refocus = self->refocus_write;
  self->present_write = FALSE;
  self->refocus_write = FALSE;
  task = job_new (self, _("Writing to shared memory…"), write, (GDestroyNotify) write_free,
                  shmlab_writer_station_write_async, cancellable, callback, user_data);
  if (task == NULL)
    return;
  if (first == NULL)
    write_run (task);
  else if (!apply_key (self, &error))
    write_return (task, error);
  else
    first (self, job_cancellable (self), write_first_done_cb, task);
}

/**
 * shmlab_writer_station_write_async:
 *
 * The one click: the key bar's key and size, the page shown encoded in the
 * format picked, then the session's write (create if needed, lock, copy,
 * unlock). A failure that has a way on shows an offer banner; every failure
 * shows in the window and comes back as the error.
 */
void
shmlab_writer_station_write_async (ShmlabWriterStation  *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (SHMLAB_IS_WRITER_STATION (self));
  write_start (self, NULL, SHMLAB_WRITE_FLAGS_NONE, FALSE, cancellable, callback, user_data);
}

gboolean
shmlab_writer_station_write_finish (ShmlabWriterStation  *self,
                                   GAsyncResult        *result,
                                   GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- the step Create ---- */

typedef struct
{
  gsize size;
  ShmlabEncoded *encoded;
} Create;

static void
create_free (Create *create)
{
  g_clear_pointer (&create->encoded, shmlab_encoded_free);
  g_free (create);
}

static void
create_present (GTask        *task,
                const GError *error,
                gboolean      said)
{
  ShmlabWriterStation *self = g_task_get_source_object (task);

  if (g_error_matches (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_ALREADY_EXISTS))
    show_exists_offer (self, OFFER_FROM_STEP_CREATE, SHMLAB_WRITE_FLAGS_NONE, error);
  else
    show_failure (SHMLAB_STATION (self), _("Could not create the segment"), _("creating"), error,
                  said);
}

static void
create_return (GTask  *task,
               GError *error)
{
  job_return (task, error, create_present, _("Could not create the segment"), _("creating"));
}

static void
create_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GError *error = NULL;

  shmlab_session_step_finish (SHMLAB_SESSION (source), result, &error);
  create_return (user_data, error);
}

/* Auto size: as large as the content encoded. */
static void
create_encoded_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  ShmlabWriterStation *self = g_task_get_source_object (task);
  Create *create = g_task_get_task_data (task);
  GError *error = NULL;

  create->encoded = encoded_finish (task, result, _("Creating the segment…"), &error);
  if (create->encoded == NULL)
    {
      create_return (task, error);
      return;
    }
  shmlab_session_create_async (session_of (self), shmlab_encoded_get_size (create->encoded),
                               job_cancellable (self), create_done_cb, task);
}

static void
create_run (GTask *task)
{
  ShmlabWriterStation *self = g_task_get_source_object (task);
  Create *create = g_task_get_task_data (task);
  GError *error = NULL;

  if (!apply_key (self, &error) || !read_size (self, &create->size, &error))
    {
      create_return (task, error);
      return;
    }
  if (create->size != 0)
    {
      shmlab_session_create_async (session_of (self), create->size, job_cancellable (self),
                                   create_done_cb, task);
      return;
    }
  encode_content (task, create_encoded_cb, &error);
  if (error != NULL)
    create_return (task, error);
}

static void
create_first_done_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GTask *task = user_data;
  ShmlabWriterStation *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!shmlab_session_step_finish (SHMLAB_SESSION (source), result, &error) || is_closed (self))
    {
      create_return (task, error ? error : closed_error ());
      return;
    }
  create_run (task);
}

static void
create_start (ShmlabWriterStation *self,
              StepFunc            first)
{
  GTask *task = job_new (self, _("Creating the segment…"), g_new0 (Create, 1),
                         (GDestroyNotify) create_free, create_start, NULL, NULL, NULL);
  GError *error = NULL;

  if (task == NULL)
    return;
  if (first == NULL)
    create_run (task);
  else if (!apply_key (self, &error))
    create_return (task, error);
  else
    first (self, job_cancellable (self), create_first_done_cb, task);
}

/* ---- the step Write (copy in) ---- */

typedef struct
{
  ShmlabWriteFlags flags;
  ShmlabEncoded *encoded;
} Copy;

static void
copy_free (Copy *copy)
{
  g_clear_pointer (&copy->encoded, shmlab_encoded_free);
  g_free (copy);
}

static void
copy_present (GTask        *task,
              const GError *error,
              gboolean      said)
{
  ShmlabWriterStation *self = g_task_get_source_object (task);
  Copy *copy = g_task_get_task_data (task);

  if (too_large_with_a_way_on (self, copy->encoded, error))
    show_too_large_offer (self, OFFER_FROM_STEP_WRITE, copy->flags, copy->encoded, error);
  else
    show_failure (SHMLAB_STATION (self), _("Could not copy in"), _("copying in"), error, said);
}

static void
copy_return (GTask  *task,
             GError *error)
{
  job_return (task, error, copy_present, _("Could not copy in"), _("copying in"));
}

static void
copy_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GError *error = NULL;

  shmlab_session_step_finish (SHMLAB_SESSION (source), result, &error);
  copy_return (user_data, error);
}

static void
copy_encoded_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  ShmlabWriterStation *self = g_task_get_source_object (task);
  Copy *copy = g_task_get_task_data (task);
  GError *error = NULL;

  copy->encoded = encoded_finish (task, result, _("Copying in…"), &error);
  if (copy->encoded == NULL)
    {
      copy_return (task, error);
      return;
    }
  shmlab_session_write_async (session_of (self), copy->encoded, copy->flags,
                              job_cancellable (self), copy_done_cb, task);
}

static void
copy_start (ShmlabWriterStation *self,
            ShmlabWriteFlags    flags)
{
  Copy *copy = g_new0 (Copy, 1);
  GTask *task;
  GError *error = NULL;

  copy->flags = flags;
  task = job_new (self, _("Copying in…"), copy, (GDestroyNotify) copy_free, copy_start,
                  NULL, NULL, NULL);
  if (task == NULL)
    return;
  encode_content (task, copy_encoded_cb, &error);
  if (error != NULL)
    copy_return (task, error);
}

/* ---- the steps an offer's answer takes first ---- */

static void
attach_first (ShmlabWriterStation  *self,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  shmlab_session_attach_async (session_of (self), SHMLAB_ACCESS_READ_WRITE, cancellable,
                               callback, user_data);
}

static void
remove_first (ShmlabWriterStation  *self,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  shmlab_session_remove_async (session_of (self), FALSE, cancellable, callback, user_data);
}

/* ---- loading pictures: Load ---- */

typedef struct
{
  char *name;
  gboolean pasted;
} Load;

static void
load_free (Load *load)
{
  g_free (load->name);
  g_free (load);
}

/* The end of a load or paste: show the picture, or say why there is none. */
static void
load_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ShmlabWriterStation *self = g_task_get_source_object (task);
  Load *load = g_task_get_task_data (task);
  GError *error = NULL;
  g_autoptr(ShmlabImage) image = shmlab_writer_pane_load_finish (SHMLAB_WRITER_PANE (source),
                                                                 result, &error);

  shmlab_station_end_job (SHMLAB_STATION (self));
  if (is_closed (self))
    {
      g_clear_error (&error);
      g_task_return_error (task, closed_error ());
      return;
    }

  if (image != NULL)
    {
      g_autofree char *text = NULL;

      hide_error (self);
      shmlab_writer_station_set_image (self, image, load->name);
      /* What comes next is writing it. */
      gtk_widget_grab_focus (self->write_button);
      text = load->pasted
               ? g_strdup_printf (_("pasted %s: %u × %u pixels"), load->name, image->width,
                                  image->height)
               : g_strdup_printf (_("opened %s: %u × %u pixels"), load->name, image->width,
                                  image->height);
      note (self, text, FALSE);
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *text = load->pasted
                              ? g_strdup_printf (_("pasting %s: cancelled"), load->name)
                              : g_strdup_printf (_("opening %s: cancelled"), load->name);
      note (self, text, FALSE);
    }
  else
    {
      g_autofree char *title = load->pasted ? g_strdup (_("Cannot paste the picture"))
                                            : g_strdup_printf (_("Cannot open “%s”"), load->name);
      show_error (self, title, error->message, TRUE);
    }
  g_task_return_error (task, error);
}

static GTask *
load_new (ShmlabWriterStation  *self,
          const char          *name,
          gboolean             pasted,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  Load *load = g_new0 (Load, 1);
  g_autofree char *what = NULL;

  load->name = g_strdup (name);
  load->pasted = pasted;
  what = pasted ? g_strdup (_("Reading the picture on the clipboard…"))
                : g_strdup_printf (_("Opening %s…"), name);
  return job_new (self, what, load, (GDestroyNotify) load_free,
                  shmlab_writer_station_load_image_async, cancellable, callback, user_data);
}

/**
 * shmlab_writer_station_load_image_async:
 * @file: a picture file: PNG, JPEG, GIF, BMP, TIFF, WebP or ICO
 *
 * Reads and decodes @file in a thread, then shows it on the Image page.
 * Failures show in the window's banner and log, and come back as the error.
 */
void
shmlab_writer_station_load_image_async (ShmlabWriterStation  *self,
                                       GFile               *file,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autofree char *name = NULL;
  GTask *task;

  g_return_if_fail (SHMLAB_IS_WRITER_STATION (self));
  g_return_if_fail (G_IS_FILE (file));

  name = g_file_get_basename (file);
  task = load_new (self, name, FALSE, cancellable, callback, user_data);
  if (task != NULL)
    shmlab_writer_pane_load_file_async (self->pane, file, job_cancellable (self), load_done_cb,
                                        task);
}

gboolean
shmlab_writer_station_load_image_finish (ShmlabWriterStation  *self,
                                        GAsyncResult        *result,
                                        GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Ctrl+V on the Image page: the clipboard's picture. */
static void
paste (ShmlabWriterStation *self)
{
  GTask *task = load_new (self, _("the clipboard picture"), TRUE, NULL, NULL, NULL);

  if (task == NULL)
    return;
  shmlab_writer_station_set_page (self, "image");
  shmlab_writer_pane_paste_async (self->pane, job_cancellable (self), load_done_cb, task);
}

static void
chooser_response_cb (GtkNativeDialog    *chooser,
                     int                 response,
                     ShmlabWriterStation *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      if (file != NULL)
        shmlab_writer_station_load_image_async (self, file, NULL, NULL, NULL);
    }
  gtk_native_dialog_destroy (chooser);
  g_clear_object (&self->chooser);
}

/* Ctrl+O: a picture through the desktop's file chooser. */
static void
open_picture (ShmlabWriterStation *self)
{
  g_autoptr(GtkFileFilter) pictures = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();
  g_auto(GStrv) mime_types = shmlab_image_types_dup_mime_types ();
  GtkFileChooserNative *chooser;

  if (self->chooser != NULL)
    {
      gtk_native_dialog_show (self->chooser);
      return;
    }

  chooser = gtk_file_chooser_native_new (_("Open a picture"),
                                         GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_file_filter_set_name (pictures, _("Pictures"));
  /* The types a loader of this system opens, no more. */
  for (guint i = 0; mime_types[i] != NULL; i++)
    gtk_file_filter_add_mime_type (pictures, mime_types[i]);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), pictures);
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), all);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), self);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->chooser);
}

static gboolean
file_dropped_cb (ShmlabWriterPane   *pane,
                 GFile              *file,
                 ShmlabWriterStation *self)
{
  if (shmlab_station_get_busy (SHMLAB_STATION (self)))
    return FALSE;
  shmlab_writer_station_load_image_async (self, file, NULL, NULL, NULL);
  return TRUE;
}

/* ---- content ---- */

ShmlabFormat
shmlab_writer_station_get_format (ShmlabWriterStation *self)
{
  guint selected;

  g_return_val_if_fail (SHMLAB_IS_WRITER_STATION (self), SHMLAB_FORMAT_AUTO);
  selected = gtk_drop_down_get_selected (self->format_dropdown);
  return selected <= SHMLAB_FORMAT_FRAME ? (ShmlabFormat) selected : SHMLAB_FORMAT_AUTO;
}

/* The dropdown lists the formats in the order of ShmlabFormat. */
void
shmlab_writer_station_set_format (ShmlabWriterStation *self,
                                 ShmlabFormat        format)
{
  g_return_if_fail (SHMLAB_IS_WRITER_STATION (self));
  g_return_if_fail (format <= SHMLAB_FORMAT_FRAME);
  gtk_drop_down_set_selected (self->format_dropdown, format);
}

/* Whether a Qt program can read what the next write sends, said beside the
 * backend's "Qt compatible". */
static void
update_qt_note (ShmlabWriterStation *self)
{
  gboolean image = g_strcmp0 (shmlab_writer_pane_get_page (self->pane), "image") == 0;
  gboolean cache = g_strcmp0 (shmlab_writer_pane_get_page (self->pane), "cache") == 0;

  shmlab_key_bar_set_qt_note (shmlab_station_get_key_bar (SHMLAB_STATION (self)),
                              shmlab_format_get_qt_note (cache ? SHMLAB_FORMAT_CACHE
                                                         : shmlab_writer_station_get_format (self),
                                                         image));
}

static void
format_changed_cb (ShmlabWriterStation *self)
{
  ShmlabFormat format = shmlab_writer_station_get_format (self);

  shmlab_writer_pane_set_format (self->pane, format);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->format_dropdown),
                               shmlab_format_get_explanation (format));
  update_qt_note (self);
}

/* The list of formats: each one's name, and what it is and who reads it. */
static void
format_item_setup_cb (GtkSignalListItemFactory *factory,
                      GtkListItem              *item)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *choice = gtk_label_new (NULL);
  GtkWidget *summary = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (choice), 0);
  gtk_label_set_xalign (GTK_LABEL (summary), 0);
  gtk_label_set_wrap (GTK_LABEL (summary), TRUE);
  /* The list is as wide as its narrowest line allows: make that a readable one. */
  gtk_label_set_width_chars (GTK_LABEL (summary), 52);
  gtk_label_set_max_width_chars (GTK_LABEL (summary), 60);
  gtk_widget_add_css_class (summary, "dim-label");
  gtk_widget_add_css_class (summary, "caption");
  gtk_box_append (GTK_BOX (box), choice);
  gtk_box_append (GTK_BOX (box), summary);
  gtk_list_item_set_child (item, box);
}

static void
format_item_bind_cb (GtkSignalListItemFactory *factory,
                     GtkListItem              *item)
{
  GtkWidget *choice = gtk_widget_get_first_child (gtk_list_item_get_child (item));
  /* The list holds the formats in the order of ShmlabFormat. */
  ShmlabFormat format = (ShmlabFormat) gtk_list_item_get_position (item);

  gtk_label_set_text (GTK_LABEL (choice), shmlab_format_get_choice (format));
  gtk_label_set_text (GTK_LABEL (gtk_widget_get_next_sibling (choice)),
                      shmlab_format_get_summary (format));
}

static void
fill_format_list (ShmlabWriterStation *self)
{
  g_autoptr(GtkStringList) choices = gtk_string_list_new (NULL);
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  for (ShmlabFormat format = SHMLAB_FORMAT_AUTO; format <= SHMLAB_FORMAT_FRAME; format++)
    gtk_string_list_append (choices, shmlab_format_get_choice (format));
  gtk_drop_down_set_model (self->format_dropdown, G_LIST_MODEL (choices));
  g_signal_connect (factory, "setup", G_CALLBACK (format_item_setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (format_item_bind_cb), NULL);
  gtk_drop_down_set_list_factory (self->format_dropdown, factory);
}

/* The Qt note, for tests: NULL when a Qt program reads what is written. */
const char *
shmlab_writer_station_get_qt_note (ShmlabWriterStation *self)
{
  g_return_val_if_fail (SHMLAB_IS_WRITER_STATION (self), NULL);
  return shmlab_key_bar_get_qt_note (shmlab_station_get_key_bar (SHMLAB_STATION (self)));
}

const char *
shmlab_writer_station_get_page (ShmlabWriterStation *self)
{
  g_return_val_if_fail (SHMLAB_IS_WRITER_STATION (self), NULL);
  return shmlab_writer_pane_get_page (self->pane);
}

/* "text" or "image": what the next write sends. */
void
shmlab_writer_station_set_page (ShmlabWriterStation *self,
                               const char         *page)
{
  g_return_if_fail (SHMLAB_IS_WRITER_STATION (self));
  /* Focus leaving a hidden text view would land on the caption and select it. */
  if (g_strcmp0 (page, "image") == 0 && shmlab_writer_pane_get_text_has_focus (self->pane))
    gtk_widget_grab_focus (self->write_button);
  shmlab_writer_pane_set_page (self->pane, page);
}

char *
shmlab_writer_station_get_text (ShmlabWriterStation *self)
{
  g_return_val_if_fail (SHMLAB_IS_WRITER_STATION (self), NULL);
  return shmlab_writer_pane_get_text (self->pane);
}

/* Replaces the text and shows the Text page. */
void
shmlab_writer_station_set_text (ShmlabWriterStation *self,
                               const char         *text)
{
  g_return_if_fail (SHMLAB_IS_WRITER_STATION (self));
  shmlab_writer_pane_set_text (self->pane, text);
  shmlab_writer_station_set_page (self, "text");
}

ShmlabImage *
shmlab_writer_station_get_image (ShmlabWriterStation *self)
{
  g_return_val_if_fail (SHMLAB_IS_WRITER_STATION (self), NULL);
  return shmlab_writer_pane_get_image (self->pane);
}

/**
 * shmlab_writer_station_set_image:
 * @image: (nullable): the picture, or NULL for none
 * @name: (nullable): where it came from, for the caption
 *
 * Shows the picture on the Image page and makes it the page written.
 */
void
shmlab_writer_station_set_image (ShmlabWriterStation *self,
                                ShmlabImage        *image,
                                const char         *name)
{
  g_return_if_fail (SHMLAB_IS_WRITER_STATION (self));
  shmlab_writer_pane_set_image (self->pane, image, name);
  if (image != NULL)
    shmlab_writer_station_set_page (self, "image");
}

/* The Cache page's last look, in the inspector (the session's snapshot is
 * not the cache's: its writers do not go through the session). */
static void
cache_looked_cb (ShmlabWriterStation *self)
{
  ShmlabCachePage *page = shmlab_writer_pane_get_cache_page (self->pane);
  const ShmlabCacheSnapshot *snapshot = shmlab_cache_page_get_snapshot (page);
  ShmlabInspector *inspector = shmlab_station_get_inspector (SHMLAB_STATION (self));

  if (is_closed (self) || g_strcmp0 (shmlab_writer_station_get_page (self), "cache") != 0)
    return;
  shmlab_inspector_set_session (inspector, NULL);
  if (snapshot != NULL)
    shmlab_inspector_set_bytes (inspector, snapshot->bytes, snapshot->segment_size);
}

static void
page_changed_cb (ShmlabWriterStation *self)
{
  if (is_closed (self))
    return;
  /* A too-large offer to cut applies to text only. */
  if (shmlab_writer_banner_get_offer (self->banner) == SHMLAB_WRITER_OFFER_TOO_LARGE)
    hide_offer (self);
  if (g_strcmp0 (shmlab_writer_station_get_page (self), "cache") == 0)
    cache_looked_cb (self);
  else
    shmlab_inspector_set_session (shmlab_station_get_inspector (SHMLAB_STATION (self)),
                                  session_of (self));
  update_qt_note (self);
  update_actions (SHMLAB_STATION (self));
}

/* A change of the Cache page failed: the banner says what to do. */
static void
cache_failed_cb (ShmlabWriterStation *self,
                 const char          *title,
                 const char          *message)
{
  if (is_closed (self))
    return;
  hide_offer (self);
  show_error (self, title, message, FALSE);
  shmlab_a11y_present_result (shmlab_writer_banner_get_message (self->banner));
}

static void
cache_succeeded_cb (ShmlabWriterStation *self)
{
  hide_error (self);
}

/* The key the session has when it attaches is the key of its segment. */
static void
attached_changed_cb (ShmlabWriterStation *self)
{
  ShmlabSession *session = session_of (self);

  g_clear_pointer (&self->attached_key, g_free);
  if (!shmlab_session_get_attached (session))
    return;
  self->attached_key = g_strdup (shmlab_session_get_key (session));
  self->attached_backend = shmlab_session_get_backend (session);
}

/* ---- actions ---- */

static void
write_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  ShmlabWriterStation *self = SHMLAB_WRITER_STATION (widget);

  self->present_write = TRUE;
  shmlab_writer_station_write_async (self, NULL, NULL, NULL);
  self->present_write = FALSE;
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  open_picture (SHMLAB_WRITER_STATION (widget));
}

static void
paste_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  paste (SHMLAB_WRITER_STATION (widget));
}

/* Ctrl+V pastes a picture on the Image page only: on the Text page it is the text's. */
static gboolean
paste_shortcut (GtkWidget *widget,
                GVariant  *args,
                gpointer   user_data)
{
  ShmlabWriterStation *self = SHMLAB_WRITER_STATION (widget);

  if (g_strcmp0 (shmlab_writer_station_get_page (self), "image") != 0 ||
      shmlab_station_get_busy (SHMLAB_STATION (self)))
    return FALSE;
  paste (self);
  return TRUE;
}

static void
step_create_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  create_start (SHMLAB_WRITER_STATION (widget), NULL);
}

static void
step_write_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  copy_start (SHMLAB_WRITER_STATION (widget), SHMLAB_WRITE_FLAGS_NONE);
}

/* Takes the offer down; FALSE when there was none to answer. */
static gboolean
take_offer (ShmlabWriterStation *self)
{
  if (shmlab_writer_banner_get_offer (self->banner) == SHMLAB_WRITER_OFFER_NONE)
    return FALSE;
  hide_offer (self);
  return TRUE;
}

static void
offer_attach_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  ShmlabWriterStation *self = SHMLAB_WRITER_STATION (widget);
  OfferSource source = self->offer_source;
  ShmlabWriteFlags flags = self->offer_flags;

  if (!take_offer (self))
    return;
  if (source == OFFER_FROM_STEP_CREATE)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.step-attach", NULL);
  else
    write_start (self, attach_first, flags, FALSE, NULL, NULL, NULL);
}

static void
offer_remove_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  ShmlabWriterStation *self = SHMLAB_WRITER_STATION (widget);
  OfferSource source = self->offer_source;
  ShmlabWriteFlags flags = self->offer_flags;

  if (!take_offer (self))
    return;
  if (source == OFFER_FROM_STEP_CREATE)
    create_start (self, remove_first);
  else
    write_start (self, remove_first, flags, FALSE, NULL, NULL, NULL);
}

static void
offer_other_key_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  ShmlabWriterStation *self = SHMLAB_WRITER_STATION (widget);

  if (!take_offer (self))
    return;
  gtk_widget_child_focus (GTK_WIDGET (shmlab_station_get_key_bar (SHMLAB_STATION (self))),
                          GTK_DIR_TAB_FORWARD);
}

static void
offer_grow_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ShmlabWriterStation *self = SHMLAB_WRITER_STATION (widget);
  ShmlabWriteFlags flags = self->offer_flags & ~SHMLAB_WRITE_FLAGS_CUT;

  if (!take_offer (self))
    return;
  /* From now on the segment is as large as the content. */
  shmlab_key_bar_set_size_text (shmlab_station_get_key_bar (SHMLAB_STATION (self)), "Auto");
  /* The banner goes with the focused button, and Write is insensitive while
   * it writes: the focus waits on Write, not in the key, whose text the next
   * key pressed would replace. */
  gtk_widget_grab_focus (self->write_button);
  self->refocus_write = TRUE;
  write_start (self, NULL, flags, TRUE, NULL, NULL, NULL);
}

static void
offer_cut_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ShmlabWriterStation *self = SHMLAB_WRITER_STATION (widget);
  OfferSource source = self->offer_source;
  ShmlabWriteFlags flags = (self->offer_flags & ~SHMLAB_WRITE_FLAGS_CUT) | SHMLAB_WRITE_FLAGS_CUT;

  if (!take_offer (self))
    return;
  if (source == OFFER_FROM_STEP_WRITE)
    copy_start (self, flags);
  else
    write_start (self, NULL, flags, FALSE, NULL, NULL, NULL);
}

/* The Writer's own actions' sensitivity; ShmlabStation sets the shared steps'. */
static void
update_actions (ShmlabStation *window)
{
  ShmlabWriterStation *self = SHMLAB_WRITER_STATION (window);
  GtkWidget *widget = GTK_WIDGET (self);
  ShmlabSession *session = session_of (self);
  gboolean busy, attached, locked, exists, too_large;

  if (session == NULL || is_closed (self))
    return;

  busy = shmlab_station_get_busy (window);
  attached = shmlab_session_get_attached (session);
  locked = shmlab_session_get_locked (session);
  exists = !busy && shmlab_writer_banner_get_offer (self->banner) == SHMLAB_WRITER_OFFER_EXISTS;
  too_large = !busy && shmlab_writer_banner_get_offer (self->banner) == SHMLAB_WRITER_OFFER_TOO_LARGE;

  /* The Stream and Cache pages write with their own buttons. */
  gtk_widget_action_set_enabled (widget, "win.write",
                                 !busy && g_strcmp0 (shmlab_writer_station_get_page (self), "stream") != 0 &&
                                 g_strcmp0 (shmlab_writer_station_get_page (self), "cache") != 0);
  gtk_widget_action_set_enabled (widget, "win.open", !busy);
  gtk_widget_action_set_enabled (widget, "win.paste", !busy);
  gtk_widget_action_set_enabled (widget, "win.step-create", !busy && !attached);
  gtk_widget_action_set_enabled (widget, "win.step-write", !busy && locked);

  gtk_widget_action_set_enabled (widget, "win.offer-attach", exists);
  gtk_widget_action_set_enabled (widget, "win.offer-remove", exists && self->offer_stale);
  gtk_widget_action_set_enabled (widget, "win.offer-other-key", exists);
  gtk_widget_action_set_enabled (widget, "win.offer-grow",
                                 too_large && self->offer_source == OFFER_FROM_WRITE);
  gtk_widget_action_set_enabled (widget, "win.offer-cut",
                                 too_large &&
                                 g_strcmp0 (shmlab_writer_station_get_page (self), "text") == 0);
}

/* The window goes away: the file chooser with it. */
static void
closing (ShmlabStation *window)
{
  ShmlabWriterStation *self = SHMLAB_WRITER_STATION (window);

  if (self->chooser != NULL)
    {
      gtk_native_dialog_destroy (self->chooser);
      g_clear_object (&self->chooser);
    }
  shmlab_stream_panel_set_streaming (shmlab_writer_pane_get_stream_panel (self->pane), FALSE);
  shmlab_cache_page_stop (shmlab_writer_pane_get_cache_page (self->pane));
}

static void
shmlab_writer_station_dispose (GObject *object)
{
  G_OBJECT_CLASS (shmlab_writer_station_parent_class)->dispose (object);
}

static void
shmlab_writer_station_finalize (GObject *object)
{
  ShmlabWriterStation *self = SHMLAB_WRITER_STATION (object);

  g_free (self->attached_key);

  G_OBJECT_CLASS (shmlab_writer_station_parent_class)->finalize (object);
}

static void
shmlab_writer_station_class_init (ShmlabWriterStationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  ShmlabStationClass *station_class = SHMLAB_STATION_CLASS (klass);

  object_class->dispose = shmlab_writer_station_dispose;
  object_class->finalize = shmlab_writer_station_finalize;
  station_class->attach_mode = SHMLAB_ACCESS_READ_WRITE;
  station_class->show_failure = show_failure;
  station_class->step_done = step_done;
  station_class->update_actions = update_actions;
  station_class->closing = closing;

  g_type_ensure (SHMLAB_TYPE_WRITER_PANE);
  g_type_ensure (SHMLAB_TYPE_WRITER_BANNER);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/shmlab/shmlab-writer-station.ui");
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterStation, pane);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterStation, format_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterStation, write_button);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterStation, banner);

  gtk_widget_class_install_action (widget_class, "win.write", NULL, write_action);
  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.paste", NULL, paste_action);
  gtk_widget_class_install_action (widget_class, "win.step-create", NULL, step_create_action);
  gtk_widget_class_install_action (widget_class, "win.step-write", NULL, step_write_action);
  gtk_widget_class_install_action (widget_class, "win.offer-attach", NULL, offer_attach_action);
  gtk_widget_class_install_action (widget_class, "win.offer-remove", NULL, offer_remove_action);
  gtk_widget_class_install_action (widget_class, "win.offer-other-key", NULL,
                                   offer_other_key_action);
  gtk_widget_class_install_action (widget_class, "win.offer-grow", NULL, offer_grow_action);
  gtk_widget_class_install_action (widget_class, "win.offer-cut", NULL, offer_cut_action);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_v, GDK_CONTROL_MASK, paste_shortcut, NULL);
}

static void
shmlab_writer_station_init (ShmlabWriterStation *self)
{
  ShmlabSession *session;
  ShmlabCachePage *cache_page;

  gtk_widget_init_template (GTK_WIDGET (self));
  /* Every button's name, once: the header's, the steps', the menu's. */
  shmlab_a11y_name_buttons_once (GTK_WIDGET (self));

  session = session_of (self);
  shmlab_key_bar_set_show_size (shmlab_station_get_key_bar (SHMLAB_STATION (self)), TRUE);
  g_signal_connect_swapped (shmlab_station_get_key_bar (SHMLAB_STATION (self)), "applied",
                            G_CALLBACK (key_applied_cb), self);
  g_signal_connect_object (session, "notify::attached", G_CALLBACK (attached_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_swapped (self->pane, "notify::page", G_CALLBACK (page_changed_cb), self);
  g_signal_connect (self->pane, "file-dropped", G_CALLBACK (file_dropped_cb), self);
  /* A question shown, answered or closed changes which ways on are open. */
  g_signal_connect_swapped (self->banner, "notify::offer",
                            G_CALLBACK (shmlab_station_update_actions), self);
  shmlab_stream_panel_set_session (shmlab_writer_pane_get_stream_panel (self->pane), session);
  g_signal_connect_swapped (shmlab_writer_pane_get_stream_panel (self->pane), "note",
                            G_CALLBACK (shmlab_station_note), self);
  cache_page = shmlab_writer_pane_get_cache_page (self->pane);
  shmlab_cache_page_set_session (cache_page, session);
  g_signal_connect_swapped (cache_page, "note", G_CALLBACK (shmlab_station_note), self);
  g_signal_connect_swapped (cache_page, "failed", G_CALLBACK (cache_failed_cb), self);
  g_signal_connect_swapped (cache_page, "succeeded", G_CALLBACK (cache_succeeded_cb), self);
  g_signal_connect_swapped (cache_page, "looked", G_CALLBACK (cache_looked_cb), self);
  fill_format_list (self);
  g_signal_connect_swapped (self->format_dropdown, "notify::selected",
                            G_CALLBACK (format_changed_cb), self);
  format_changed_cb (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->pane));
  shmlab_station_update_actions (SHMLAB_STATION (self));
}

ShmlabStreamPanel *
shmlab_writer_station_get_stream_panel (ShmlabWriterStation *self)
{
  g_return_val_if_fail (SHMLAB_IS_WRITER_STATION (self), NULL);
  return shmlab_writer_pane_get_stream_panel (self->pane);
}

ShmlabCachePage *
shmlab_writer_station_get_cache_page (ShmlabWriterStation *self)
{
  g_return_val_if_fail (SHMLAB_IS_WRITER_STATION (self), NULL);
  return shmlab_writer_pane_get_cache_page (self->pane);
}

/**
 * shmlab_writer_station_set_accels:
 * @app: a program that shows a Writer
 *
 * The Writer's keys: Ctrl+Return (and the keypad's Enter) writes, Ctrl+O
 * opens a picture.
 */
void
shmlab_writer_station_set_accels (GtkApplication *app)
{
  static const char *const write_accels[] = { "<Control>Return", "<Control>KP_Enter", NULL };
  static const char *const open_accels[] = { "<Control>o", NULL };

  gtk_application_set_accels_for_action (app, "win.write", write_accels);
  gtk_application_set_accels_for_action (app, "win.open", open_accels);
}

ShmlabWriterStation *
shmlab_writer_station_new (void)
{
  return g_object_new (SHMLAB_TYPE_WRITER_STATION, NULL);
}
