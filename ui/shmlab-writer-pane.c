/* shmlab-writer-pane.c — what the Writer writes: a text, or a picture
 * opened, dropped or pasted, and what it costs in the segment
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-writer-pane.h"

#include <glib/gi18n.h>

#include <string.h>

#include "shmlab-a11y.h"
#include "shmlab-content-view.h"
#include "shmlab-image-loader.h"
#include "shmlab-limits.h"
#include "shmlab-png.h"
#include "shmlab-thread.h"

#define DEFAULT_TEXT N_("Hello, shared memory!")
#define IMAGE_HINT N_("Open a picture (Ctrl+O), drop one here, or paste one (Ctrl+V)")

struct _ShmlabWriterPane
{
  GtkWidget parent_instance;

  /* Template widgets */
  GtkStack *content_stack;
  ShmlabStreamPanel *stream_panel;
  ShmlabCachePage *cache_page;
  GtkTextView *text_view;
  GtkLabel *byte_count_label;
  GtkLabel *result_label;
  GtkStackSwitcher *page_switcher;
  ShmlabContentView *image_view;

  /* Owned */
  ShmlabImage *image;
  char *image_name;

  ShmlabFormat format;
};

G_DEFINE_FINAL_TYPE (ShmlabWriterPane, shmlab_writer_pane, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_PAGE,
  N_PROPS
};

enum
{
  SIGNAL_FILE_DROPPED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void update_byte_count (ShmlabWriterPane *self);

ShmlabFormat
shmlab_writer_pane_get_format (ShmlabWriterPane *self)
{
  g_return_val_if_fail (SHMLAB_IS_WRITER_PANE (self), SHMLAB_FORMAT_AUTO);
  return self->format;
}

/* The format the text will be written in: the byte count says what it costs. */
void
shmlab_writer_pane_set_format (ShmlabWriterPane *self,
                               ShmlabFormat      format)
{
  g_return_if_fail (SHMLAB_IS_WRITER_PANE (self));
  g_return_if_fail (format <= SHMLAB_FORMAT_FRAME);
  if (self->format == format)
    return;
  self->format = format;
  update_byte_count (self);
}

const char *
shmlab_writer_pane_get_page (ShmlabWriterPane *self)
{
  g_return_val_if_fail (SHMLAB_IS_WRITER_PANE (self), NULL);
  return gtk_stack_get_visible_child_name (self->content_stack);
}

/* "text" or "image": what the next write sends; "stream" or "cache": a page
 * that writes on its own. */
void
shmlab_writer_pane_set_page (ShmlabWriterPane *self,
                             const char       *page)
{
  g_return_if_fail (SHMLAB_IS_WRITER_PANE (self));
  g_return_if_fail (g_strcmp0 (page, "text") == 0 || g_strcmp0 (page, "image") == 0 ||
                    g_strcmp0 (page, "stream") == 0 || g_strcmp0 (page, "cache") == 0);
  gtk_stack_set_visible_child_name (self->content_stack, page);
}

/* Whether the text has the keyboard focus (it must not stay on a hidden page). */
gboolean
shmlab_writer_pane_get_text_has_focus (ShmlabWriterPane *self)
{
  g_return_val_if_fail (SHMLAB_IS_WRITER_PANE (self), FALSE);
  return gtk_widget_has_focus (GTK_WIDGET (self->text_view));
}

char *
shmlab_writer_pane_get_text (ShmlabWriterPane *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (SHMLAB_IS_WRITER_PANE (self), NULL);
  buffer = gtk_text_view_get_buffer (self->text_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

/* Replaces the text. */
void
shmlab_writer_pane_set_text (ShmlabWriterPane *self,
                               const char         *text)
{
  g_return_if_fail (SHMLAB_IS_WRITER_PANE (self));
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), text ? text : "", -1);
}

static void
update_byte_count (ShmlabWriterPane *self)
{
  g_autofree char *text = shmlab_writer_pane_get_text (self);
  g_autofree char *label =
    shmlab_format_describe_text_size (shmlab_writer_pane_get_format (self), strlen (text));

  gtk_label_set_text (self->byte_count_label, label);
}

ShmlabImage *
shmlab_writer_pane_get_image (ShmlabWriterPane *self)
{
  g_return_val_if_fail (SHMLAB_IS_WRITER_PANE (self), NULL);
  return self->image;
}

/**
 * shmlab_writer_pane_set_image:
 * @image: (nullable): the picture, or NULL for none
 * @name: (nullable): where it came from, for the caption
 *
 * Shows the picture on the Image page.
 */
void
shmlab_writer_pane_set_image (ShmlabWriterPane *self,
                                ShmlabImage        *image,
                                const char         *name)
{
  g_autofree char *bytes = NULL;
  g_autofree char *caption = NULL;

  g_return_if_fail (SHMLAB_IS_WRITER_PANE (self));

  if (image != NULL)
    shmlab_image_ref (image);
  g_clear_pointer (&self->image, shmlab_image_unref);
  self->image = image;
  g_free (self->image_name);
  self->image_name = g_strdup (name);

  if (image == NULL)
    {
      shmlab_content_view_show_empty (self->image_view, _(IMAGE_HINT));
      return;
    }

  bytes = shmlab_format_bytes ((guint64) image->width * image->height * 4);
  caption = g_strdup_printf (_("%s%s%u × %u pixels, %s of RGBA"), name ? name : "",
                             name ? " — " : "", image->width, image->height, bytes);
  shmlab_content_view_show_image (self->image_view, image, caption);
}

/* What the next write sends: the page shown decides. */
ShmlabPayload *
shmlab_writer_pane_make_payload (ShmlabWriterPane  *self,
                                    GError             **error)
{
  if (g_strcmp0 (shmlab_writer_pane_get_page (self), "image") == 0)
    {
      if (self->image == NULL)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               _("there is no picture to write: open one (Ctrl+O), drop one on "
                               "the Image page, paste one (Ctrl+V), or write the Text page "
                               "instead"));
          return NULL;
        }
      return shmlab_payload_new_image (self->image);
    }
  else
    {
      g_autofree char *text = shmlab_writer_pane_get_text (self);
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

  shmlab_thread_set_background ();
  shmlab_png_limits_init_default (&limits);
  if (path != NULL)
    image = shmlab_image_load_file (path, &limits, &error);
  else
    {
      g_autoptr(GBytes) bytes = g_file_load_bytes (file, cancellable, NULL, &error);
      gsize length = 0;
      const guint8 *data = bytes ? g_bytes_get_data (bytes, &length) : NULL;

      image = bytes ? shmlab_image_load (data, length, &limits, &error) : NULL;
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

  shmlab_thread_set_background ();
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

  shmlab_thread_set_background ();
  shmlab_png_limits_init_default (&limits);
  image = shmlab_png_read (data, length, &limits, NULL, &error);
  if (image == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, image, (GDestroyNotify) shmlab_image_unref);
}

static void
image_thread_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) outer = user_data;
  GError *error = NULL;
  ShmlabImage *image = g_task_propagate_pointer (G_TASK (result), &error);

  if (image == NULL)
    g_task_return_error (outer, error);
  else
    g_task_return_pointer (outer, image, (GDestroyNotify) shmlab_image_unref);
}

/* Runs @thread on @data, then answers @outer with its picture. */
static void
decode_in_thread (GTask          *outer,
                  gpointer        data,
                  GDestroyNotify  data_free,
                  GTaskThreadFunc thread)
{
  g_autoptr(GTask) inner = g_task_new (NULL, g_task_get_cancellable (outer), image_thread_done,
                                       outer);

  g_task_set_task_data (inner, data, data_free);
  /* Cancel answers at once; the decoder finishes on its own and its result is dropped. */
  g_task_set_return_on_cancel (inner, TRUE);
  g_task_run_in_thread (inner, thread);
}

/**
 * shmlab_writer_pane_load_file_async:
 * @file: a picture file (PNG, JPEG, GIF, BMP, TIFF, WebP, ICO)
 *
 * Reads and decodes @file in a thread. The picture is not shown yet: see
 * shmlab_writer_pane_set_image().
 */
void
shmlab_writer_pane_load_file_async (ShmlabWriterPane    *self,
                                    GFile               *file,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  GTask *outer;

  g_return_if_fail (SHMLAB_IS_WRITER_PANE (self));
  g_return_if_fail (G_IS_FILE (file));

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, shmlab_writer_pane_load_file_async);
  decode_in_thread (outer, g_object_ref (file), g_object_unref, load_file_thread);
}

/* Returns: (transfer full): the picture, or NULL with @error set */
ShmlabImage *
shmlab_writer_pane_load_finish (ShmlabWriterPane  *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
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
                       "another program first, or open a picture file with Ctrl+O"),
                       error->message);
  g_error_free (error);
  return plain;
}

static void
paste_fail (GTask  *outer,
            GError *error)
{
  g_task_return_error (outer, paste_error (error));
  g_object_unref (outer);
}

static void
paste_spliced_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *outer = user_data;
  GError *error = NULL;

  if (g_output_stream_splice_finish (G_OUTPUT_STREAM (source), result, &error) < 0)
    {
      paste_fail (outer, error);
      return;
    }
  decode_in_thread (outer,
                    g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (source)),
                    (GDestroyNotify) g_bytes_unref, png_bytes_thread);
}

static void
paste_stream_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *outer = user_data;
  GError *error = NULL;
  g_autoptr(GInputStream) stream = gdk_clipboard_read_finish (GDK_CLIPBOARD (source), result,
                                                               NULL, &error);
  g_autoptr(GOutputStream) memory = NULL;

  if (stream == NULL)
    {
      paste_fail (outer, error);
      return;
    }
  /* Gathered on the main loop without blocking it; decoded in a thread. */
  memory = g_memory_output_stream_new_resizable ();
  g_output_stream_splice_async (memory, stream,
                                G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE |
                                G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                G_PRIORITY_DEFAULT, g_task_get_cancellable (outer),
                                paste_spliced_cb, outer);
}

static void
paste_texture_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *outer = user_data;
  GError *error = NULL;
  GdkTexture *texture = gdk_clipboard_read_texture_finish (GDK_CLIPBOARD (source), result,
                                                           &error);

  if (texture == NULL)
    {
      paste_fail (outer, error);
      return;
    }
  decode_in_thread (outer, texture, g_object_unref, texture_to_image_thread);
}

/**
 * shmlab_writer_pane_paste_async:
 *
 * The clipboard's picture: a PNG as it is (exact), any other picture
 * through GTK's texture (premultiplied, so undone in a thread). Finish with
 * shmlab_writer_pane_load_finish(); the error is in the student's words.
 */
void
shmlab_writer_pane_paste_async (ShmlabWriterPane    *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  static const char *const png_types[] = { "image/png", NULL };
  GdkClipboard *clipboard;
  GdkContentFormats *formats;
  GTask *outer;

  g_return_if_fail (SHMLAB_IS_WRITER_PANE (self));

  clipboard = gtk_widget_get_clipboard (GTK_WIDGET (self));
  formats = gdk_clipboard_get_formats (clipboard);
  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, shmlab_writer_pane_paste_async);
  if (gdk_content_formats_contain_mime_type (formats, "image/png"))
    gdk_clipboard_read_async (clipboard, (const char **) png_types, G_PRIORITY_DEFAULT,
                              cancellable, paste_stream_cb, outer);
  else
    gdk_clipboard_read_texture_async (clipboard, cancellable, paste_texture_cb, outer);
}

static gboolean
drop_cb (GtkDropTarget    *target,
         const GValue     *value,
         double            x,
         double            y,
         ShmlabWriterPane *self)
{
  GFile *file = NULL;
  gboolean taken = FALSE;

  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      GSList *files = g_value_get_boxed (value);
      file = files ? files->data : NULL;
    }
  else if (G_VALUE_HOLDS (value, G_TYPE_FILE))
    file = g_value_get_object (value);

  if (file == NULL)
    return FALSE;
  g_signal_emit (self, signals[SIGNAL_FILE_DROPPED], 0, file, &taken);
  return taken;
}

static void
page_changed_cb (ShmlabWriterPane *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAGE]);
}

/* The text view takes the focus when the window opens. */
static gboolean
shmlab_writer_pane_grab_focus (GtkWidget *widget)
{
  ShmlabWriterPane *self = SHMLAB_WRITER_PANE (widget);

  if (g_strcmp0 (shmlab_writer_pane_get_page (self), "text") == 0)
    return gtk_widget_grab_focus (GTK_WIDGET (self->text_view));
  return GTK_WIDGET_CLASS (shmlab_writer_pane_parent_class)->grab_focus (widget);
}

static void
shmlab_writer_pane_dispose (GObject *object)
{
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (object), SHMLAB_TYPE_WRITER_PANE);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (shmlab_writer_pane_parent_class)->dispose (object);
}

static void
shmlab_writer_pane_finalize (GObject *object)
{
  ShmlabWriterPane *self = SHMLAB_WRITER_PANE (object);

  g_clear_pointer (&self->image, shmlab_image_unref);
  g_free (self->image_name);

  G_OBJECT_CLASS (shmlab_writer_pane_parent_class)->finalize (object);
}

static void
shmlab_writer_pane_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  ShmlabWriterPane *self = SHMLAB_WRITER_PANE (object);

  switch (prop_id)
    {
    case PROP_PAGE:
      g_value_set_string (value, shmlab_writer_pane_get_page (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
shmlab_writer_pane_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  ShmlabWriterPane *self = SHMLAB_WRITER_PANE (object);

  switch (prop_id)
    {
    case PROP_PAGE:
      shmlab_writer_pane_set_page (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
shmlab_writer_pane_class_init (ShmlabWriterPaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = shmlab_writer_pane_dispose;
  object_class->finalize = shmlab_writer_pane_finalize;
  object_class->get_property = shmlab_writer_pane_get_property;
  object_class->set_property = shmlab_writer_pane_set_property;
  widget_class->grab_focus = shmlab_writer_pane_grab_focus;

  properties[PROP_PAGE] =
    g_param_spec_string ("page", NULL, NULL, "text",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ShmlabWriterPane::file-dropped:
   * @file: the file dropped on the pane
   *
   * Returns: TRUE when the file is taken (then the drop succeeds)
   */
  signals[SIGNAL_FILE_DROPPED] =
    g_signal_new ("file-dropped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  g_signal_accumulator_true_handled, NULL, NULL,
                  G_TYPE_BOOLEAN, 1, G_TYPE_FILE);

  g_type_ensure (SHMLAB_TYPE_CONTENT_VIEW);
  g_type_ensure (SHMLAB_TYPE_STREAM_PANEL);
  g_type_ensure (SHMLAB_TYPE_CACHE_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/shmlab/shmlab-writer-pane.ui");
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterPane, content_stack);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterPane, stream_panel);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterPane, cache_page);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterPane, text_view);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterPane, byte_count_label);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterPane, result_label);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterPane, page_switcher);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterPane, image_view);
  gtk_widget_class_bind_template_callback (widget_class, page_changed_cb);
}

/* The Stream page. */
ShmlabStreamPanel *
shmlab_writer_pane_get_stream_panel (ShmlabWriterPane *self)
{
  g_return_val_if_fail (SHMLAB_IS_WRITER_PANE (self), NULL);
  return self->stream_panel;
}

/* The Cache page. */
ShmlabCachePage *
shmlab_writer_pane_get_cache_page (ShmlabWriterPane *self)
{
  g_return_val_if_fail (SHMLAB_IS_WRITER_PANE (self), NULL);
  return self->cache_page;
}

static void
shmlab_writer_pane_init (ShmlabWriterPane *self)
{
  GtkTextBuffer *buffer;
  GtkDropTarget *drop;
  GType drop_types[] = { GDK_TYPE_FILE_LIST, G_TYPE_FILE };

  gtk_widget_init_template (GTK_WIDGET (self));
  shmlab_a11y_name_stack_pages (self->page_switcher);

  self->format = SHMLAB_FORMAT_AUTO;
  buffer = gtk_text_view_get_buffer (self->text_view);
  g_signal_connect_swapped (buffer, "changed", G_CALLBACK (update_byte_count), self);
  gtk_text_buffer_set_text (buffer, _(DEFAULT_TEXT), -1);
  update_byte_count (self);

  shmlab_content_view_show_empty (self->image_view, _(IMAGE_HINT));

  drop = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  gtk_drop_target_set_gtypes (drop, drop_types, G_N_ELEMENTS (drop_types));
  g_signal_connect (drop, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
}

/**
 * shmlab_writer_pane_show_result:
 * @text: (nullable): what the last write did, or NULL to show nothing
 *
 * Returns: (transfer none): the label that says it
 */
GtkWidget *
shmlab_writer_pane_show_result (ShmlabWriterPane *self,
                                const char       *text)
{
  g_return_val_if_fail (SHMLAB_IS_WRITER_PANE (self), NULL);

  gtk_label_set_text (self->result_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->result_label), text != NULL);
  return GTK_WIDGET (self->result_label);
}

const char *
shmlab_writer_pane_get_result (ShmlabWriterPane *self)
{
  g_return_val_if_fail (SHMLAB_IS_WRITER_PANE (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->result_label)))
    return NULL;
  return gtk_label_get_text (self->result_label);
}

GtkWidget *
shmlab_writer_pane_new (void)
{
  return g_object_new (SHMLAB_TYPE_WRITER_PANE, NULL);
}
