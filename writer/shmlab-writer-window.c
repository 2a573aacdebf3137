/* shmlab-writer-window.c — the Writer's window: its content (a text, or a
 * picture opened, dropped or pasted), its banners and its jobs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-writer-window-private.h"

#include "shmlab-app-support.h"

#include <glib/gi18n.h>

#include <stdio.h>
#include <string.h>

#include "shmlab-error.h"
#include "shmlab-limits.h"
#include "shmlab-png.h"

#define DEFAULT_TEXT "Hello, shared memory!"
#define IMAGE_HINT "Open a PNG (Ctrl+O), drop one here, or paste an image (Ctrl+V)"

G_DEFINE_FINAL_TYPE (ShmlabWriterWindow, shmlab_writer_window, GTK_TYPE_APPLICATION_WINDOW)

enum
{
  PROP_0,
  PROP_BUSY,
  PROP_STEP_BY_STEP,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The window is busy while a job of its own or a session step runs. */
gboolean
shmlab_writer_window_get_busy (ShmlabWriterWindow *self)
{
  g_return_val_if_fail (SHMLAB_IS_WRITER_WINDOW (self), FALSE);
  return self->job_running || (self->session != NULL && shmlab_session_get_busy (self->session));
}

static void
busy_changed (ShmlabWriterWindow *self)
{
  gboolean busy;

  if (self->closing)
    return;
  busy = shmlab_writer_window_get_busy (self);
  _shmlab_writer_window_update_actions (self);
  if (busy != self->was_busy)
    {
      self->was_busy = busy;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
    }
}

/* One job at a time (a write, a step, a load), shown in the wait bar with Cancel. */
gboolean
_shmlab_writer_window_begin_job (ShmlabWriterWindow *self,
                                 const char         *what,
                                 GCancellable       *cancellable)
{
  if (self->job_running || self->closing || shmlab_session_get_busy (self->session))
    return FALSE;

  self->job_running = TRUE;
  self->job_step_failed = FALSE;
  g_clear_object (&self->cancellable);
  self->cancellable = cancellable ? g_object_ref (cancellable) : g_cancellable_new ();
  shmlab_wait_bar_start_work (self->wait_bar, what, self->cancellable);
  busy_changed (self);
  return TRUE;
}

void
_shmlab_writer_window_end_job (ShmlabWriterWindow *self)
{
  self->job_running = FALSE;
  g_clear_object (&self->cancellable);
  if (self->closing)
    return;
  shmlab_wait_bar_stop_work (self->wait_bar);
  busy_changed (self);
}

/* Cancels the running job: a lock wait, a load, an encoding. */
void
shmlab_writer_window_cancel (ShmlabWriterWindow *self)
{
  g_return_if_fail (SHMLAB_IS_WRITER_WINDOW (self));
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

void
_shmlab_writer_window_note (ShmlabWriterWindow *self,
                            const char         *note,
                            gboolean            is_error)
{
  if (self->closing)
    return;
  shmlab_step_log_append_note (self->step_log, note, is_error);
  if (self->print_steps)
    g_printerr ("%s%s\n", is_error ? "error: " : "", note);
}

/* Messages from common/ start in lower case, to follow a colon; a banner shows them as sentences. */
static char *
sentence (const char *message)
{
  gunichar first = g_utf8_get_char_validated (message, -1);
  char upper[8] = { 0 };

  if (first == (gunichar) -1 || first == (gunichar) -2 || !g_unichar_islower (first))
    return g_strdup (message);
  g_unichar_to_utf8 (g_unichar_toupper (first), upper);
  return g_strconcat (upper, g_utf8_next_char (message), NULL);
}

/**
 * _shmlab_writer_window_show_error:
 * @log_it: also put it in the step log (when no failed step already says it)
 *
 * The error banner: what went wrong, in the student's words.
 */
void
_shmlab_writer_window_show_error (ShmlabWriterWindow *self,
                                  const char         *title,
                                  const char         *message,
                                  gboolean            log_it)
{
  g_autofree char *text = sentence (message);

  if (self->closing)
    return;
  g_free (self->error_text);
  self->error_text = g_strdup_printf ("%s: %s", title, message);
  gtk_label_set_text (self->error_title, title);
  gtk_label_set_text (self->error_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->error_bar), TRUE);
  if (log_it)
    _shmlab_writer_window_note (self, self->error_text, TRUE);
}

void
_shmlab_writer_window_hide_error (ShmlabWriterWindow *self)
{
  g_clear_pointer (&self->error_text, g_free);
  if (!self->closing)
    gtk_widget_set_visible (GTK_WIDGET (self->error_bar), FALSE);
}

/* The question banner; which buttons it shows follows from the offer and its source. */
void
_shmlab_writer_window_show_offer (ShmlabWriterWindow *self,
                                  ShmlabWriterOffer   offer,
                                  ShmlabOfferSource   source,
                                  const char         *title,
                                  const char         *message)
{
  gboolean exists = offer == SHMLAB_WRITER_OFFER_EXISTS;
  gboolean too_large = offer == SHMLAB_WRITER_OFFER_TOO_LARGE;
  gboolean text = g_strcmp0 (shmlab_writer_window_get_page (self), "text") == 0;
  g_autofree char *shown = sentence (message);

  if (self->closing)
    return;
  self->offer = offer;
  self->offer_source = source;
  g_free (self->offer_text);
  self->offer_text = g_strdup_printf ("%s %s", title, shown);
  gtk_label_set_text (self->offer_title, title);
  gtk_label_set_text (self->offer_label, shown);
  gtk_info_bar_set_message_type (self->offer_bar, exists ? GTK_MESSAGE_QUESTION : GTK_MESSAGE_WARNING);
  gtk_image_set_from_icon_name (self->offer_icon, exists ? "dialog-question-symbolic"
                                                         : "dialog-warning-symbolic");
  gtk_widget_set_visible (self->attach_button, exists);
  gtk_widget_set_visible (self->remove_button, exists && self->offer_stale);
  gtk_widget_set_visible (self->other_key_button, exists);
  gtk_widget_set_visible (self->grow_button, too_large && source == SHMLAB_OFFER_FROM_WRITE);
  gtk_widget_set_visible (self->cut_button, too_large && text);
  gtk_widget_set_visible (GTK_WIDGET (self->offer_bar), TRUE);
  _shmlab_writer_window_update_actions (self);
}

void
_shmlab_writer_window_hide_offer (ShmlabWriterWindow *self)
{
  self->offer = SHMLAB_WRITER_OFFER_NONE;
  g_clear_pointer (&self->offer_text, g_free);
  if (self->closing)
    return;
  gtk_widget_set_visible (GTK_WIDGET (self->offer_bar), FALSE);
  _shmlab_writer_window_update_actions (self);
}

ShmlabWriterOffer
shmlab_writer_window_get_offer (ShmlabWriterWindow *self)
{
  g_return_val_if_fail (SHMLAB_IS_WRITER_WINDOW (self), SHMLAB_WRITER_OFFER_NONE);
  return self->offer;
}

/* The offer banner's title and message, or NULL when it is hidden. */
const char *
shmlab_writer_window_get_offer_text (ShmlabWriterWindow *self)
{
  g_return_val_if_fail (SHMLAB_IS_WRITER_WINDOW (self), NULL);
  return self->offer_text;
}

/* The error banner's title and message, or NULL when it is hidden. */
const char *
shmlab_writer_window_get_error_text (ShmlabWriterWindow *self)
{
  g_return_val_if_fail (SHMLAB_IS_WRITER_WINDOW (self), NULL);
  return self->error_text;
}

static void
offer_bar_response_cb (ShmlabWriterWindow *self,
                       int                 response)
{
  if (response == GTK_RESPONSE_CLOSE)
    _shmlab_writer_window_hide_offer (self);
}

static void
error_bar_response_cb (ShmlabWriterWindow *self,
                       int                 response)
{
  if (response == GTK_RESPONSE_CLOSE)
    _shmlab_writer_window_hide_error (self);
}

/* ---- content ---- */

ShmlabFormat
shmlab_writer_window_get_format (ShmlabWriterWindow *self)
{
  guint selected;

  g_return_val_if_fail (SHMLAB_IS_WRITER_WINDOW (self), SHMLAB_FORMAT_AUTO);
  selected = gtk_drop_down_get_selected (self->format_dropdown);
  return selected <= SHMLAB_FORMAT_FRAME ? (ShmlabFormat) selected : SHMLAB_FORMAT_AUTO;
}

/* The dropdown lists the formats in the order of ShmlabFormat. */
void
shmlab_writer_window_set_format (ShmlabWriterWindow *self,
                                 ShmlabFormat        format)
{
  g_return_if_fail (SHMLAB_IS_WRITER_WINDOW (self));
  g_return_if_fail (format <= SHMLAB_FORMAT_FRAME);
  gtk_drop_down_set_selected (self->format_dropdown, format);
}

const char *
shmlab_writer_window_get_page (ShmlabWriterWindow *self)
{
  g_return_val_if_fail (SHMLAB_IS_WRITER_WINDOW (self), NULL);
  return gtk_stack_get_visible_child_name (self->content_stack);
}

/* "text" or "image": what the next write sends. */
void
shmlab_writer_window_set_page (ShmlabWriterWindow *self,
                               const char         *page)
{
  g_return_if_fail (SHMLAB_IS_WRITER_WINDOW (self));
  g_return_if_fail (g_strcmp0 (page, "text") == 0 || g_strcmp0 (page, "image") == 0);
  /* Focus leaving a hidden text view would land on the caption and select it. */
  if (g_str_equal (page, "image") && gtk_widget_has_focus (GTK_WIDGET (self->text_view)))
    gtk_widget_grab_focus (self->write_button);
  gtk_stack_set_visible_child_name (self->content_stack, page);
}

char *
shmlab_writer_window_get_text (ShmlabWriterWindow *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (SHMLAB_IS_WRITER_WINDOW (self), NULL);
  buffer = gtk_text_view_get_buffer (self->text_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

/* Replaces the text and shows the Text page. */
void
shmlab_writer_window_set_text (ShmlabWriterWindow *self,
                               const char         *text)
{
  g_return_if_fail (SHMLAB_IS_WRITER_WINDOW (self));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), text ? text : "", -1);
  shmlab_writer_window_set_page (self, "text");
}

static void
update_byte_count (ShmlabWriterWindow *self)
{
  g_autofree char *text = shmlab_writer_window_get_text (self);
  gsize length = strlen (text);
  const char *unit = length == 1 ? _("byte") : _("bytes");
  g_autofree char *label = NULL;

  switch (shmlab_writer_window_get_format (self))
    {
    case SHMLAB_FORMAT_FRAME:
      label = g_strdup_printf (_("%zu %s of UTF-8 (+64-byte frame header ="
                               " %zu in the segment)"),
                               length, unit, length + SHMLAB_FRAME_HEADER_SIZE);
      break;
    case SHMLAB_FORMAT_QT_IMAGE:
      label = g_strdup_printf (_("%zu %s of UTF-8 — the Qt example image format "
                               "holds only pictures: pick another format to write text"),
                               length, unit);
      break;
    default:
      label = g_strdup_printf (_("%zu %s of UTF-8 (+1 NUL = %zu"
                               " in the segment)"), length, unit, length + 1);
      break;
    }
  gtk_label_set_text (self->byte_count_label, label);
}

ShmlabImage *
shmlab_writer_window_get_image (ShmlabWriterWindow *self)
{
  g_return_val_if_fail (SHMLAB_IS_WRITER_WINDOW (self), NULL);
  return self->image;
}

/**
 * shmlab_writer_window_set_image:
 * @image: (nullable): the picture, or NULL for none
 * @name: (nullable): where it came from, for the caption
 *
 * Shows the picture on the Image page and makes it the page written.
 */
void
shmlab_writer_window_set_image (ShmlabWriterWindow *self,
                                ShmlabImage        *image,
                                const char         *name)
{
  g_autofree char *bytes = NULL;
  g_autofree char *caption = NULL;

  g_return_if_fail (SHMLAB_IS_WRITER_WINDOW (self));

  if (image != NULL)
    shmlab_image_ref (image);
  g_clear_pointer (&self->image, shmlab_image_unref);
  self->image = image;
  g_free (self->image_name);
  self->image_name = g_strdup (name);

  if (image == NULL)
    {
      shmlab_content_view_show_empty (self->image_view, IMAGE_HINT);
      return;
    }

  bytes = shmlab_format_bytes ((guint64) image->width * image->height * 4);
  caption = g_strdup_printf (_("%s%s%u × %u pixels, %s of RGBA"), name ? name : "",
                             name ? " — " : "", image->width, image->height, bytes);
  shmlab_content_view_show_image (self->image_view, image, caption);
  shmlab_writer_window_set_page (self, "image");
}

/* What the next write sends: the page shown decides. */
ShmlabPayload *
_shmlab_writer_window_make_payload (ShmlabWriterWindow  *self,
                                    GError             **error)
{
  if (g_strcmp0 (shmlab_writer_window_get_page (self), "image") == 0)
    {
      if (self->image == NULL)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               _("there is no picture to write: open a PNG (Ctrl+O), drop one on "
                               "the Image page, paste one (Ctrl+V), or write the Text page "
                               "instead"));
          return NULL;
        }
      return shmlab_payload_new_image (self->image);
    }
  else
    {
      g_autofree char *text = shmlab_writer_window_get_text (self);
      return shmlab_payload_new_text (text, -1);
    }
}

/* ---- loading pictures off the main thread ---- */

static void
load_file_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  GFile *file = task_data;
  g_autofree char *path = g_file_get_path (file);
  ShmlabPngLimits limits;
  GError *error = NULL;
  ShmlabImage *image;

  shmlab_png_limits_init_default (&limits);
  if (path != NULL)
    image = shmlab_png_read_file (path, &limits, &error);
  else
    {
      g_autoptr(GBytes) bytes = g_file_load_bytes (file, cancellable, NULL, &error);
      gsize length = 0;
      const guint8 *data = bytes ? g_bytes_get_data (bytes, &length) : NULL;

      image = bytes ? shmlab_png_read (data, length, &limits, NULL, &error) : NULL;
    }

  if (image == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, image, (GDestroyNotify) shmlab_image_unref);
}

/* GTK hands clipboard pictures over as cairo's premultiplied ARGB: undo both. */
static void
texture_to_image_thread (GTask        *task,
                         gpointer      source_object,
                         gpointer      task_data,
                         GCancellable *cancellable)
{
  GdkTexture *texture = task_data;
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  g_autoptr(ShmlabImage) image = NULL;
  GError *error = NULL;

  image = shmlab_image_new (MAX (width, 0), MAX (height, 0), &error);
  if (image == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  gdk_texture_download (texture, image->pixels, image->stride);
  for (guint32 y = 0; y < image->height; y++)
    {
      guint8 *row = image->pixels + (gsize) y * image->stride;

      if (g_task_return_error_if_cancelled (task))
        return;
      for (guint32 x = 0; x < image->width; x++)
        {
          guint32 argb;
          guint a, r, g, b;

          memcpy (&argb, row + (gsize) x * 4, 4);
          a = argb >> 24;
          r = (argb >> 16) & 0xff;
          g = (argb >> 8) & 0xff;
          b = argb & 0xff;
          if (a != 0 && a != 255)
            {
              r = MIN (255u, (r * 255 + a / 2) / a);
              g = MIN (255u, (g * 255 + a / 2) / a);
              b = MIN (255u, (b * 255 + a / 2) / a);
            }
          else if (a == 0)
            r = g = b = 0;
          row[x * 4 + 0] = r;
          row[x * 4 + 1] = g;
          row[x * 4 + 2] = b;
          row[x * 4 + 3] = a;
        }
    }
  g_task_return_pointer (task, g_steal_pointer (&image), (GDestroyNotify) shmlab_image_unref);
}

typedef struct
{
  char *name;
  gboolean pasted;
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_free (data->name);
  g_free (data);
}

/* The end of a load or paste: show the picture, or say why there is none. */
static void
load_finish (GTask  *outer,
             ShmlabImage *image,
             GError *error)
{
  ShmlabWriterWindow *self = g_task_get_source_object (outer);
  LoadData *data = g_task_get_task_data (outer);

  _shmlab_writer_window_end_job (self);
  if (self->closing)
    {
      g_clear_error (&error);
      g_task_return_new_error (outer, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("the window was closed"));
      return;
    }

  if (image != NULL)
    {
      g_autofree char *note = NULL;

      _shmlab_writer_window_hide_error (self);
      shmlab_writer_window_set_image (self, image, data->name);
      /* What comes next is writing it. */
      gtk_widget_grab_focus (self->write_button);
      note = data->pasted
               ? g_strdup_printf (_("pasted %s: %u × %u pixels"), data->name, image->width,
                                  image->height)
               : g_strdup_printf (_("opened %s: %u × %u pixels"), data->name, image->width,
                                  image->height);
      _shmlab_writer_window_note (self, note, FALSE);
      g_task_return_boolean (outer, TRUE);
      return;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *note = data->pasted
                              ? g_strdup_printf (_("pasting %s: cancelled"), data->name)
                              : g_strdup_printf (_("opening %s: cancelled"), data->name);
      _shmlab_writer_window_note (self, note, FALSE);
    }
  else
    {
      g_autofree char *title = data->pasted ? g_strdup (_("Cannot paste the picture"))
                                            : g_strdup_printf (_("Cannot open “%s”"), data->name);
      _shmlab_writer_window_show_error (self, title, error->message, TRUE);
    }
  g_task_return_error (outer, error);
}

static void
load_thread_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *outer = user_data;
  GError *error = NULL;
  ShmlabImage *image = g_task_propagate_pointer (G_TASK (result), &error);

  load_finish (outer, image, error);
  g_clear_pointer (&image, shmlab_image_unref);
  g_object_unref (outer);
}

static GTask *
load_task_new (ShmlabWriterWindow  *self,
               const char          *name,
               gboolean             pasted,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  GTask *outer = g_task_new (self, cancellable, callback, user_data);
  LoadData *data = g_new0 (LoadData, 1);
  g_autofree char *what = NULL;

  data->name = g_strdup (name);
  data->pasted = pasted;
  g_task_set_task_data (outer, data, (GDestroyNotify) load_data_free);
  g_task_set_source_tag (outer, shmlab_writer_window_load_image_async);

  what = pasted ? g_strdup (_("Reading the picture on the clipboard…"))
                : g_strdup_printf (_("Opening %s…"), name);
  if (!_shmlab_writer_window_begin_job (self, what, cancellable))
    {
      g_task_return_new_error (outer, G_IO_ERROR, G_IO_ERROR_PENDING,
                               _("another operation is still running: wait for it, or cancel it"));
      g_object_unref (outer);
      return NULL;
    }
  return outer;
}

/**
 * shmlab_writer_window_load_image_async:
 * @file: a PNG file
 *
 * Reads and decodes @file in a thread, then shows it on the Image page.
 * Failures show in the window's banner and log, and come back as the error.
 */
void
shmlab_writer_window_load_image_async (ShmlabWriterWindow  *self,
                                       GFile               *file,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autofree char *name = NULL;
  g_autoptr(GTask) inner = NULL;
  GTask *outer;

  g_return_if_fail (SHMLAB_IS_WRITER_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  name = g_file_get_basename (file);
  outer = load_task_new (self, name, FALSE, cancellable, callback, user_data);
  if (outer == NULL)
    return;

  inner = g_task_new (NULL, self->cancellable, load_thread_done, outer);
  g_task_set_task_data (inner, g_object_ref (file), g_object_unref);
  /* Cancel answers at once; libpng finishes on its own and its result is dropped. */
  g_task_set_return_on_cancel (inner, TRUE);
  g_task_run_in_thread (inner, load_file_thread);
}

gboolean
shmlab_writer_window_load_image_finish (ShmlabWriterWindow  *self,
                                        GAsyncResult        *result,
                                        GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* A clipboard error, in the student's words. */
static GError *
paste_error (GError *error)
{
  GError *plain;

  if (error == NULL)
    return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("the window was closed"));
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return error;
  plain = g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       _("the clipboard holds no picture that can be read (%s): copy an image in "
                       "another program first, or open a PNG with Ctrl+O"),
                       error->message);
  g_error_free (error);
  return plain;
}

static void
paste_fail (GTask  *outer,
            GError *error)
{
  load_finish (outer, NULL, paste_error (error));
  g_object_unref (outer);
}

static void
png_bytes_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  GBytes *bytes = task_data;
  ShmlabPngLimits limits;
  gsize length;
  const guint8 *data = g_bytes_get_data (bytes, &length);
  GError *error = NULL;
  ShmlabImage *image;

  shmlab_png_limits_init_default (&limits);
  image = shmlab_png_read (data, length, &limits, NULL, &error);
  if (image == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, image, (GDestroyNotify) shmlab_image_unref);
}

static void
paste_spliced_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *outer = user_data;
  ShmlabWriterWindow *self = g_task_get_source_object (outer);
  GError *error = NULL;
  g_autoptr(GTask) inner = NULL;

  if (g_output_stream_splice_finish (G_OUTPUT_STREAM (source), result, &error) < 0 ||
      self->closing)
    {
      paste_fail (outer, error);
      return;
    }

  inner = g_task_new (NULL, self->cancellable, load_thread_done, outer);
  g_task_set_task_data (inner,
                        g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (source)),
                        (GDestroyNotify) g_bytes_unref);
  g_task_set_return_on_cancel (inner, TRUE);
  g_task_run_in_thread (inner, png_bytes_thread);
}

static void
paste_stream_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *outer = user_data;
  ShmlabWriterWindow *self = g_task_get_source_object (outer);
  GError *error = NULL;
  g_autoptr(GInputStream) stream = gdk_clipboard_read_finish (GDK_CLIPBOARD (source), result,
                                                               NULL, &error);
  g_autoptr(GOutputStream) memory = NULL;

  if (stream == NULL || self->closing)
    {
      paste_fail (outer, error);
      return;
    }
  /* Gathered on the main loop without blocking it; decoded in a thread. */
  memory = g_memory_output_stream_new_resizable ();
  g_output_stream_splice_async (memory, stream,
                                G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE |
                                G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                G_PRIORITY_DEFAULT, self->cancellable, paste_spliced_cb, outer);
}

static void
paste_texture_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *outer = user_data;
  ShmlabWriterWindow *self = g_task_get_source_object (outer);
  GError *error = NULL;
  g_autoptr(GdkTexture) texture = gdk_clipboard_read_texture_finish (GDK_CLIPBOARD (source),
                                                                     result, &error);
  g_autoptr(GTask) inner = NULL;

  if (texture == NULL || self->closing)
    {
      paste_fail (outer, error);
      return;
    }

  inner = g_task_new (NULL, self->cancellable, load_thread_done, outer);
  g_task_set_task_data (inner, g_steal_pointer (&texture), g_object_unref);
  g_task_set_return_on_cancel (inner, TRUE);
  g_task_run_in_thread (inner, texture_to_image_thread);
}

/* Ctrl+V: the clipboard's picture; a PNG as it is (exact), any other
 * picture through GTK's texture (premultiplied, so undone in a thread). */
void
_shmlab_writer_window_paste (ShmlabWriterWindow *self)
{
  static const char *const png_types[] = { "image/png", NULL };
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (self));
  GdkContentFormats *formats = gdk_clipboard_get_formats (clipboard);
  GTask *outer = load_task_new (self, _("the clipboard picture"), TRUE, NULL, NULL, NULL);

  if (outer == NULL)
    return;
  shmlab_writer_window_set_page (self, "image");
  if (gdk_content_formats_contain_mime_type (formats, "image/png"))
    gdk_clipboard_read_async (clipboard, (const char **) png_types, G_PRIORITY_DEFAULT,
                              self->cancellable, paste_stream_cb, outer);
  else
    gdk_clipboard_read_texture_async (clipboard, self->cancellable, paste_texture_cb, outer);
}

static void
chooser_response_cb (GtkNativeDialog    *chooser,
                     int                 response,
                     ShmlabWriterWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      if (file != NULL)
        shmlab_writer_window_load_image_async (self, file, NULL, NULL, NULL);
    }
  gtk_native_dialog_destroy (chooser);
  g_clear_object (&self->chooser);
}

/* Ctrl+O: a PNG through the desktop's file chooser. */
void
_shmlab_writer_window_open (ShmlabWriterWindow *self)
{
  g_autoptr(GtkFileFilter) png = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();
  GtkFileChooserNative *chooser;

  if (self->chooser != NULL)
    {
      gtk_native_dialog_show (self->chooser);
      return;
    }

  chooser = gtk_file_chooser_native_new (_("Open a PNG picture"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_file_filter_set_name (png, _("PNG pictures"));
  gtk_file_filter_add_mime_type (png, "image/png");
  gtk_file_filter_add_suffix (png, "png");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), png);
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), all);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), self);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->chooser);
}

static gboolean
drop_cb (GtkDropTarget      *target,
         const GValue       *value,
         double              x,
         double              y,
         ShmlabWriterWindow *self)
{
  GFile *file = NULL;

  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      GSList *files = g_value_get_boxed (value);
      file = files ? files->data : NULL;
    }
  else if (G_VALUE_HOLDS (value, G_TYPE_FILE))
    file = g_value_get_object (value);

  if (file == NULL || shmlab_writer_window_get_busy (self))
    return FALSE;
  shmlab_writer_window_load_image_async (self, file, NULL, NULL, NULL);
  return TRUE;
}

/* ---- the rest of the window ---- */

static void
content_page_changed_cb (ShmlabWriterWindow *self)
{
  if (self->closing)
    return;
  /* A too-large offer to cut applies to text only. */
  if (self->offer == SHMLAB_WRITER_OFFER_TOO_LARGE)
    _shmlab_writer_window_hide_offer (self);
  _shmlab_writer_window_update_actions (self);
}

static void
timeout_changed_cb (ShmlabWriterWindow *self)
{
  double seconds = gtk_spin_button_get_value (self->timeout_spin);

  if (self->session != NULL)
    shmlab_session_set_lock_timeout (self->session, (gint) (seconds * 1000 + 0.5));
}

static void
session_timeout_changed (ShmlabWriterWindow *self)
{
  double seconds = shmlab_session_get_lock_timeout (self->session) / 1000.0;

  if (self->closing)
    return;
  if (ABS (gtk_spin_button_get_value (self->timeout_spin) - seconds) > 0.0005)
    gtk_spin_button_set_value (self->timeout_spin, seconds);
}

static void
session_step_cb (ShmlabSession      *session,
                 const ShmlabStep   *step,
                 ShmlabWriterWindow *self)
{
  if (!step->ok)
    self->job_step_failed = TRUE;
}

/* Bound to no window: the last detach, after the window is gone, prints too. */
static void
print_step (ShmlabSession    *session,
            const ShmlabStep *step,
            gpointer          user_data)
{
  g_autofree char *line = shmlab_step_to_string (step);

  g_print ("%s\n", line);
  fflush (stdout);
}

/* --print-steps: each step as one line on standard output, as it happens. */
void
shmlab_writer_window_set_print_steps (ShmlabWriterWindow *self,
                                      gboolean            print_steps)
{
  g_return_if_fail (SHMLAB_IS_WRITER_WINDOW (self));

  print_steps = !!print_steps;
  if (self->print_steps == print_steps || self->session == NULL)
    return;
  self->print_steps = print_steps;
  if (print_steps)
    g_signal_connect (self->session, "step", G_CALLBACK (print_step), NULL);
  else
    g_signal_handlers_disconnect_by_func (self->session, print_step, NULL);
}

ShmlabSession *
shmlab_writer_window_get_session (ShmlabWriterWindow *self)
{
  g_return_val_if_fail (SHMLAB_IS_WRITER_WINDOW (self), NULL);
  return self->session;
}

ShmlabKeyBar *
shmlab_writer_window_get_key_bar (ShmlabWriterWindow *self)
{
  g_return_val_if_fail (SHMLAB_IS_WRITER_WINDOW (self), NULL);
  return self->key_bar;
}

/* The window goes away: cancel what runs; the session detaches in a thread
 * (the last detach removes the segment) while the application stays alive. */
static void
begin_closing (ShmlabWriterWindow *self)
{
  if (self->closing)
    return;
  self->closing = TRUE;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->chooser != NULL)
    {
      gtk_native_dialog_destroy (self->chooser);
      g_clear_object (&self->chooser);
    }
  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      shmlab_app_close_session (self->session);
    }
}

/* gtk_window_destroy() unrealizes even while a job still holds the window. */
static void
shmlab_writer_window_unrealize (GtkWidget *widget)
{
  begin_closing (SHMLAB_WRITER_WINDOW (widget));
  GTK_WIDGET_CLASS (shmlab_writer_window_parent_class)->unrealize (widget);
}

static void
shmlab_writer_window_dispose (GObject *object)
{
  ShmlabWriterWindow *self = SHMLAB_WRITER_WINDOW (object);

  begin_closing (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), SHMLAB_TYPE_WRITER_WINDOW);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (shmlab_writer_window_parent_class)->dispose (object);
}

static void
shmlab_writer_window_finalize (GObject *object)
{
  ShmlabWriterWindow *self = SHMLAB_WRITER_WINDOW (object);

  g_clear_pointer (&self->image, shmlab_image_unref);
  g_free (self->image_name);
  g_free (self->offer_text);
  g_free (self->error_text);
  g_free (self->attached_key);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (shmlab_writer_window_parent_class)->finalize (object);
}

static void
shmlab_writer_window_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  ShmlabWriterWindow *self = SHMLAB_WRITER_WINDOW (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, shmlab_writer_window_get_busy (self));
      break;
    case PROP_STEP_BY_STEP:
      g_value_set_boolean (value, self->step_by_step);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
shmlab_writer_window_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  ShmlabWriterWindow *self = SHMLAB_WRITER_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STEP_BY_STEP:
      if (self->step_by_step != g_value_get_boolean (value))
        {
          self->step_by_step = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
shmlab_writer_window_class_init (ShmlabWriterWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = shmlab_writer_window_dispose;
  object_class->finalize = shmlab_writer_window_finalize;
  object_class->get_property = shmlab_writer_window_get_property;
  object_class->set_property = shmlab_writer_window_set_property;
  widget_class->unrealize = shmlab_writer_window_unrealize;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STEP_BY_STEP] =
    g_param_spec_boolean ("step-by-step", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (SHMLAB_TYPE_KEY_BAR);
  g_type_ensure (SHMLAB_TYPE_STEP_LOG);
  g_type_ensure (SHMLAB_TYPE_INSPECTOR);
  g_type_ensure (SHMLAB_TYPE_CONTENT_VIEW);
  g_type_ensure (SHMLAB_TYPE_WAIT_BAR);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/shmlab/shmlab-writer-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterWindow, key_bar);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterWindow, format_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterWindow, write_button);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterWindow, timeout_spin);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterWindow, offer_bar);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterWindow, offer_icon);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterWindow, offer_title);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterWindow, offer_label);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterWindow, attach_button);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterWindow, remove_button);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterWindow, other_key_button);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterWindow, grow_button);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterWindow, cut_button);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterWindow, error_bar);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterWindow, error_title);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterWindow, error_label);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterWindow, content_box);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterWindow, text_view);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterWindow, byte_count_label);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterWindow, image_view);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterWindow, step_log);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterWindow, inspector);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterWindow, step_bar);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterWindow, wait_bar);
  gtk_widget_class_bind_template_callback (widget_class, offer_bar_response_cb);
  gtk_widget_class_bind_template_callback (widget_class, error_bar_response_cb);
  gtk_widget_class_bind_template_callback (widget_class, content_page_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, timeout_changed_cb);

  _shmlab_writer_window_class_init_actions (widget_class);
}

static void
shmlab_writer_window_init (ShmlabWriterWindow *self)
{
  GtkTextBuffer *buffer;
  GtkDropTarget *drop;
  GType drop_types[] = { GDK_TYPE_FILE_LIST, G_TYPE_FILE };

  gtk_widget_init_template (GTK_WIDGET (self));

  self->session = shmlab_session_new ();
  shmlab_key_bar_set_show_size (self->key_bar, TRUE);
  shmlab_key_bar_set_session (self->key_bar, self->session);
  shmlab_step_log_set_session (self->step_log, self->session);
  shmlab_inspector_set_session (self->inspector, self->session);
  shmlab_wait_bar_set_session (self->wait_bar, self->session);

  g_signal_connect_swapped (self->session, "notify::busy", G_CALLBACK (busy_changed), self);
  g_signal_connect_swapped (self->session, "notify::attached",
                            G_CALLBACK (_shmlab_writer_window_update_actions), self);
  g_signal_connect_swapped (self->session, "notify::locked",
                            G_CALLBACK (_shmlab_writer_window_update_actions), self);
  g_signal_connect_swapped (self->session, "notify::lock-timeout",
                            G_CALLBACK (session_timeout_changed), self);
  g_signal_connect (self->session, "step", G_CALLBACK (session_step_cb), self);

  buffer = gtk_text_view_get_buffer (self->text_view);
  g_signal_connect_swapped (buffer, "changed", G_CALLBACK (update_byte_count), self);
  g_signal_connect_swapped (self->format_dropdown, "notify::selected",
                            G_CALLBACK (update_byte_count), self);
  gtk_text_buffer_set_text (buffer, DEFAULT_TEXT, -1);
  update_byte_count (self);

  shmlab_content_view_show_empty (self->image_view, IMAGE_HINT);

  drop = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  gtk_drop_target_set_gtypes (drop, drop_types, G_N_ELEMENTS (drop_types));
  g_signal_connect (drop, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (self->content_box, GTK_EVENT_CONTROLLER (drop));

  g_object_bind_property (self, "step-by-step", self->step_bar, "visible",
                          G_BINDING_SYNC_CREATE);
  session_timeout_changed (self);
  _shmlab_writer_window_update_actions (self);
}

ShmlabWriterWindow *
shmlab_writer_window_new (GtkApplication *application)
{
  return g_object_new (SHMLAB_TYPE_WRITER_WINDOW, "application", application, NULL);
}
