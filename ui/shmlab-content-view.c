/* shmlab-content-view.c — what a segment holds, shown: a text, a picture
 * scaled to fit with its size, or an explanation of why there is nothing to
 * show
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-content-view.h"

#include <glib/gi18n.h>

#include "shmlab-label-whole.h"
#include "shmlab-limits.h"
#include "shmlab-thread.h"

/* A text view lays out a long paragraph slowly: beyond this the text is cut for showing. */
#define TEXT_SHOWN_MAX (256 * 1024)
#define CHECKER_SIZE 8

struct _ShmlabContentView
{
  GtkWidget parent_instance;

  /* Template widgets */
  GtkStack *stack;
  GtkLabel *empty_label;
  GtkWidget *text_banner;
  GtkImage *text_banner_icon;
  GtkLabel *text_banner_label;
  GtkTextView *text_view;
  /* One line that never asks for height-for-width, under a text view that does. */
  GtkInscription *text_caption_label;
  GtkWidget *checkerboard;
  GtkPicture *picture;
  GtkLabel *caption_label;
  GtkLabel *problem_title;
  GtkLabel *problem_label;
  GtkWidget *problem_hint;

  /* Owned */
  GdkTexture *texture;
  /* Some pixel of the picture shown lets what is under it show through. */
  gboolean translucent;
  cairo_pattern_t *checker_pattern;
  GCancellable *preview_cancellable;
};

/* Drawing converts a whole texture each frame: a picture larger than this
 * is shown through a smaller preview, made in a thread. */
#define DIRECT_MAX_PIXELS (1024 * 1024)
#define PREVIEW_MAX_SIDE 1024

G_DEFINE_FINAL_TYPE (ShmlabContentView, shmlab_content_view, GTK_TYPE_WIDGET)

static void
image_unref_notify (gpointer data)
{
  shmlab_image_unref (data);
}

/**
 * shmlab_texture_new_for_image:
 * @image: straight-alpha RGBA8 pixels
 *
 * A texture over @image's pixels, without a copy: it holds a reference to
 * @image, whose pixels must not change from now on.
 *
 * Returns: (transfer full): the texture
 */
GdkTexture *
shmlab_texture_new_for_image (ShmlabImage *image)
{
  g_autoptr(GBytes) bytes = NULL;
  gsize span;

  g_return_val_if_fail (image != NULL, NULL);
  g_return_val_if_fail (image->width > 0 && image->height > 0, NULL);

  /* The rows of a frame may end at the last pixel, short of a whole stride:
   * claim only the bytes that are there. */
  span = (gsize) image->stride * (image->height - 1) + (gsize) image->width * 4;
  bytes = g_bytes_new_with_free_func (image->pixels, span, image_unref_notify,
                                      shmlab_image_ref (image));
  return gdk_memory_texture_new ((int) image->width, (int) image->height, GDK_MEMORY_R8G8B8A8,
                                 bytes, image->stride);
}

/* Light and dark squares, only under a picture through which they show. */
static void
draw_checkerboard (GtkDrawingArea *area,
                   cairo_t        *cr,
                   int             width,
                   int             height,
                   gpointer        user_data)
{
  ShmlabContentView *self = user_data;
  double image_width, image_height, scale;
  int w, h;

  if (self->texture == NULL || !self->translucent || width <= 0 || height <= 0)
    return;

  image_width = gdk_texture_get_width (self->texture);
  image_height = gdk_texture_get_height (self->texture);
  /* As GtkPicture places a "contain" picture: scaled to fit, centred. */
  scale = MIN (width / image_width, height / image_height);
  w = (int) (image_width * scale + 0.999);
  h = (int) (image_height * scale + 0.999);

  if (self->checker_pattern == NULL)
    {
      cairo_surface_t *tile = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 2 * CHECKER_SIZE,
                                                          2 * CHECKER_SIZE);
      cairo_t *tile_cr = cairo_create (tile);

      cairo_set_source_rgb (tile_cr, 1, 1, 1);
      cairo_paint (tile_cr);
      cairo_set_source_rgb (tile_cr, 0.8, 0.8, 0.8);
      cairo_rectangle (tile_cr, 0, 0, CHECKER_SIZE, CHECKER_SIZE);
      cairo_rectangle (tile_cr, CHECKER_SIZE, CHECKER_SIZE, CHECKER_SIZE, CHECKER_SIZE);
      cairo_fill (tile_cr);
      cairo_destroy (tile_cr);
      self->checker_pattern = cairo_pattern_create_for_surface (tile);
      cairo_pattern_set_extend (self->checker_pattern, CAIRO_EXTEND_REPEAT);
      cairo_surface_destroy (tile);
    }

  cairo_rectangle (cr, (width - w) / 2, (height - h) / 2, w, h);
  cairo_set_source (cr, self->checker_pattern);
  cairo_fill (cr);
}

static void
set_page (ShmlabContentView *self,
          const char        *page)
{
  gtk_stack_set_visible_child_name (self->stack, page);
}

static void
clear_texture (ShmlabContentView *self)
{
  g_cancellable_cancel (self->preview_cancellable);
  g_clear_object (&self->preview_cancellable);
  g_clear_object (&self->texture);
  self->translucent = FALSE;
  gtk_picture_set_paintable (self->picture, NULL);
  gtk_label_set_text (self->caption_label, "");
  gtk_widget_queue_draw (self->checkerboard);
}

static void
set_banner (ShmlabContentView *self,
            const char        *text,
            gboolean           is_warning)
{
  gtk_label_set_text (self->text_banner_label, text ? text : "");
  gtk_widget_set_visible (self->text_banner, text != NULL);
  gtk_image_set_from_icon_name (self->text_banner_icon, is_warning ? "dialog-warning-symbolic"
                                                                   : "dialog-information-symbolic");
  if (is_warning)
    gtk_widget_remove_css_class (self->text_banner, "info");
  else
    gtk_widget_add_css_class (self->text_banner, "info");
}

/* As a picture's caption: what the text is — its bytes, characters, lines,
 * encoding and format. */
static char *
text_caption (const ShmlabPayload *payload)
{
  g_autofree char *bytes = shmlab_format_bytes (payload->text_source_length);
  g_autofree char *characters = NULL;
  g_autofree char *lines = NULL;
  g_autofree char *encoding = NULL;

  characters = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%zu character", "%zu characters",
                                             payload->text_characters),
                                payload->text_characters);
  lines = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%zu line", "%zu lines",
                                        payload->text_lines),
                           payload->text_lines);
  if (payload->invalid_bytes == 0)
    encoding = g_strdup (_("UTF-8"));
  else
    encoding = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "UTF-8 but for %zu byte",
                                             "UTF-8 but for %zu bytes", payload->invalid_bytes),
                                payload->invalid_bytes);
  /* TRANSLATORS: bytes · characters · lines · encoding · format, e.g.
   * "12 bytes · 12 characters · 1 line · UTF-8 · plain text (Qt demo)" */
  return g_strdup_printf (_("%s · %s · %s · %s · %s"), bytes, characters, lines, encoding,
                          shmlab_format_describe (payload->format));
}

static void
show_text (ShmlabContentView   *self,
           const ShmlabPayload *payload)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  gsize length = payload->text ? payload->text_length : 0;
  g_autoptr(GString) banner = g_string_new (NULL);
  g_autofree char *caption = NULL;

  if (length > TEXT_SHOWN_MAX)
    {
      g_autofree char *shown = shmlab_format_bytes (TEXT_SHOWN_MAX);
      g_autofree char *total = shmlab_format_bytes (length);
      /* Cut on a character boundary: the text is valid UTF-8. */
      const char *end = g_utf8_find_prev_char (payload->text, payload->text + TEXT_SHOWN_MAX + 1);

      length = end ? (gsize) (end - payload->text) : 0;
      g_string_append_printf (banner, _("Showing the first %s of %s of text. "), shown, total);
    }

  gtk_text_buffer_set_text (buffer, length ? payload->text : "", (int) length);

  if (payload->invalid_bytes > 0)
    g_string_append_printf (banner,
                            g_dngettext (GETTEXT_PACKAGE,
                                         "%zu byte was not valid UTF-8 text (shown as �) or was a "
                                         "control character: the segment may not hold text.",
                                         "%zu bytes were not valid UTF-8 text (shown as �) or were "
                                         "control characters: the segment may not hold text.",
                                         payload->invalid_bytes),
                            payload->invalid_bytes);
  if (payload->text_length == 0)
    set_banner (self, _("The segment holds an empty text: its first byte is 0 (NUL)."), FALSE);
  else
    set_banner (self, banner->len ? banner->str : NULL, TRUE);

  clear_texture (self);
  caption = text_caption (payload);
  gtk_inscription_set_text (self->text_caption_label, caption);
  /* One line: in a narrow window, the end that is cut off is here. */
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->text_caption_label), caption);
  set_page (self, "text");
}

/**
 * shmlab_content_view_get_result_widget:
 *
 * Returns: (transfer none): the widget that holds what is shown: the text,
 *   the picture, or the sentence saying why there is neither
 */
GtkWidget *
shmlab_content_view_get_result_widget (ShmlabContentView *self)
{
  const char *page;

  g_return_val_if_fail (SHMLAB_IS_CONTENT_VIEW (self), NULL);

  page = gtk_stack_get_visible_child_name (self->stack);
  if (g_strcmp0 (page, "text") == 0)
    return GTK_WIDGET (self->text_view);
  if (g_strcmp0 (page, "image") == 0)
    return GTK_WIDGET (self->picture);
  if (g_strcmp0 (page, "problem") == 0)
    return GTK_WIDGET (self->problem_label);
  return GTK_WIDGET (self->empty_label);
}

static void
shmlab_content_view_dispose (GObject *object)
{
  ShmlabContentView *self = SHMLAB_CONTENT_VIEW (object);

  g_cancellable_cancel (self->preview_cancellable);
  g_clear_object (&self->preview_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), SHMLAB_TYPE_CONTENT_VIEW);
  g_clear_object (&self->texture);
  g_clear_pointer (&self->checker_pattern, cairo_pattern_destroy);

  G_OBJECT_CLASS (shmlab_content_view_parent_class)->dispose (object);
}

static void
shmlab_content_view_class_init (ShmlabContentViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = shmlab_content_view_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/shmlab/shmlab-content-view.ui");
  gtk_widget_class_bind_template_child (widget_class, ShmlabContentView, stack);
  gtk_widget_class_bind_template_child (widget_class, ShmlabContentView, empty_label);
  gtk_widget_class_bind_template_child (widget_class, ShmlabContentView, text_banner);
  gtk_widget_class_bind_template_child (widget_class, ShmlabContentView, text_banner_icon);
  gtk_widget_class_bind_template_child (widget_class, ShmlabContentView, text_banner_label);
  gtk_widget_class_bind_template_child (widget_class, ShmlabContentView, text_view);
  gtk_widget_class_bind_template_child (widget_class, ShmlabContentView, text_caption_label);
  gtk_widget_class_bind_template_child (widget_class, ShmlabContentView, checkerboard);
  gtk_widget_class_bind_template_child (widget_class, ShmlabContentView, picture);
  gtk_widget_class_bind_template_child (widget_class, ShmlabContentView, caption_label);
  gtk_widget_class_bind_template_child (widget_class, ShmlabContentView, problem_title);
  gtk_widget_class_bind_template_child (widget_class, ShmlabContentView, problem_label);
  gtk_widget_class_bind_template_child (widget_class, ShmlabContentView, problem_hint);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "shmlab-content-view");
}

static void
shmlab_content_view_init (ShmlabContentView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  shmlab_label_show_whole (self->problem_label);
  /* GTK 4.8 hands an inscription's text to the accessibility tree unchecked:
   * NULL (its default) is a critical there. */
  gtk_inscription_set_text (self->text_caption_label, "");

  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self->checkerboard), draw_checkerboard, self,
                                  NULL);
  shmlab_content_view_show_empty (self, NULL);
}

GtkWidget *
shmlab_content_view_new (void)
{
  return g_object_new (SHMLAB_TYPE_CONTENT_VIEW, NULL);
}

/**
 * shmlab_content_view_show_payload:
 * @payload: (nullable): a decoded segment; NULL shows the empty page
 *
 * Text goes to the text page (with a warning when bytes were not UTF-8),
 * an image to the image page with its size and format.
 */
void
shmlab_content_view_show_payload (ShmlabContentView   *self,
                                  const ShmlabPayload *payload)
{
  g_autofree char *bytes = NULL;
  g_autofree char *caption = NULL;

  g_return_if_fail (SHMLAB_IS_CONTENT_VIEW (self));

  if (payload == NULL)
    {
      shmlab_content_view_show_empty (self, NULL);
      return;
    }

  if (payload->kind == SHMLAB_PAYLOAD_KIND_TEXT)
    {
      show_text (self, payload);
      return;
    }

  if (payload->kind == SHMLAB_PAYLOAD_KIND_IMAGE && payload->image != NULL)
    {
      bytes = shmlab_format_bytes (payload->encoded_length
                                     ? payload->encoded_length
                                     : shmlab_image_get_byte_size (payload->image));
      caption = g_strdup_printf (_("%u × %u pixels · %s · %s"), payload->image->width,
                                 payload->image->height, bytes,
                                 shmlab_format_describe (payload->format));
      shmlab_content_view_show_image (self, payload->image, caption);
      return;
    }

  shmlab_content_view_show_problem (self, _("Nothing to show"),
                                    _("The segment was decoded, but it holds neither a text nor "
                                    "an image."));
}

typedef struct
{
  GBytes *bytes;
  guint32 width;
  guint32 height;
  guint32 stride;
  gboolean translucent;
} Preview;

static void
preview_free (Preview *preview)
{
  g_bytes_unref (preview->bytes);
  g_free (preview);
}

/* In a thread: the picture scaled to fit, as cairo draws it (premultiplied BGRA). */
static void
make_preview (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  g_autoptr(ShmlabImage) scaled = NULL;
  Preview *preview;
  guint8 *out;

  shmlab_thread_set_background ();
  scaled = shmlab_image_scale_to_fit (task_data, PREVIEW_MAX_SIDE);
  preview = g_new0 (Preview, 1);
  out = g_malloc ((gsize) scaled->width * scaled->height * 4);

  for (guint32 y = 0; y < scaled->height; y++)
    {
      const guint8 *p = scaled->pixels + (gsize) y * scaled->stride;
      guint8 *q = out + (gsize) y * scaled->width * 4;
      for (guint32 x = 0; x < scaled->width; x++, p += 4, q += 4)
        {
          q[0] = (guint8) ((p[2] * p[3] + 127) / 255);
          q[1] = (guint8) ((p[1] * p[3] + 127) / 255);
          q[2] = (guint8) ((p[0] * p[3] + 127) / 255);
          q[3] = p[3];
        }
    }
  preview->translucent = !shmlab_image_is_opaque (task_data);
  preview->width = scaled->width;
  preview->height = scaled->height;
  preview->stride = scaled->width * 4;
  preview->bytes = g_bytes_new_take (out, (gsize) preview->stride * preview->height);
  g_task_return_pointer (task, preview, (GDestroyNotify) preview_free);
}

static void
preview_ready (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  ShmlabContentView *self = SHMLAB_CONTENT_VIEW (source);
  g_autofree char *caption = user_data;
  g_autofree char *shown = NULL;
  Preview *preview = g_task_propagate_pointer (G_TASK (result), NULL);

  if (preview == NULL || g_task_had_error (G_TASK (result)) ||
      g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    {
      g_clear_pointer (&preview, preview_free);
      return;
    }

  g_clear_object (&self->texture);
  self->texture = gdk_memory_texture_new ((int) preview->width, (int) preview->height,
                                          GDK_MEMORY_B8G8R8A8_PREMULTIPLIED, preview->bytes,
                                          preview->stride);
  self->translucent = preview->translucent;
  shown = g_strdup_printf (_("%s (shown scaled to %u × %u)"), caption, preview->width,
                           preview->height);
  gtk_picture_set_paintable (self->picture, GDK_PAINTABLE (self->texture));
  gtk_label_set_text (self->caption_label, shown);
  gtk_widget_queue_draw (self->checkerboard);
  preview_free (preview);
}

/**
 * shmlab_content_view_show_image:
 * @image: the picture (the view keeps a reference; its pixels must not change)
 * @caption: (nullable): what to say under it; NULL: its size in pixels and bytes
 *
 * A picture of up to a megapixel is shown as it is, at once. A larger one is
 * shown through a preview scaled to fit, made in a thread, so that neither
 * showing nor redrawing it holds up the window.
 */
void
shmlab_content_view_show_image (ShmlabContentView *self,
                                ShmlabImage       *image,
                                const char        *caption)
{
  g_autofree char *default_caption = NULL;
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (SHMLAB_IS_CONTENT_VIEW (self));
  g_return_if_fail (image != NULL);

  if (caption == NULL)
    {
      g_autofree char *bytes = shmlab_format_bytes (shmlab_image_get_byte_size (image));

      default_caption = g_strdup_printf (_("%u × %u pixels · %s"), image->width, image->height,
                                         bytes);
      caption = default_caption;
    }

  clear_texture (self);
  gtk_picture_set_alternative_text (self->picture, caption);
  set_page (self, "image");

  if ((guint64) image->width * image->height <= DIRECT_MAX_PIXELS)
    {
      self->texture = shmlab_texture_new_for_image (image);
      /* A megapixel at most: a millisecond or so. */
      self->translucent = !shmlab_image_is_opaque (image);
      gtk_picture_set_paintable (self->picture, GDK_PAINTABLE (self->texture));
      gtk_label_set_text (self->caption_label, caption);
      gtk_widget_queue_draw (self->checkerboard);
      return;
    }

  gtk_label_set_text (self->caption_label, caption);
  self->preview_cancellable = g_cancellable_new ();
  task = g_task_new (self, self->preview_cancellable, preview_ready, g_strdup (caption));
  g_task_set_source_tag (task, shmlab_content_view_show_image);
  g_task_set_task_data (task, shmlab_image_ref (image), (GDestroyNotify) shmlab_image_unref);
  g_task_run_in_thread (task, make_preview);
}

static void
show_problem (ShmlabContentView *self,
              const char        *title,
              const char        *explanation,
              gboolean           has_bytes)
{
  gtk_label_set_text (self->problem_title, title ? title : "");
  gtk_label_set_text (self->problem_label, explanation ? explanation : "");
  gtk_widget_set_visible (GTK_WIDGET (self->problem_label), explanation && *explanation);
  gtk_widget_set_visible (self->problem_hint, has_bytes);
  clear_texture (self);
  set_page (self, "problem");
}

/* @title: one line ("No segment"); @explanation: why, and what to do. */
void
shmlab_content_view_show_problem (ShmlabContentView *self,
                                  const char        *title,
                                  const char        *explanation)
{
  g_return_if_fail (SHMLAB_IS_CONTENT_VIEW (self));
  show_problem (self, title, explanation, FALSE);
}

/* As show_problem, for bytes that were read but cannot be shown: points at
 * the inspector, which shows them. */
void
shmlab_content_view_show_bad_bytes (ShmlabContentView *self,
                                    const char        *title,
                                    const char        *explanation)
{
  g_return_if_fail (SHMLAB_IS_CONTENT_VIEW (self));
  show_problem (self, title, explanation, TRUE);
}

/* @hint: (nullable): what to do to see something, e.g. "Press Read". */
void
shmlab_content_view_show_empty (ShmlabContentView *self,
                                const char        *hint)
{
  g_return_if_fail (SHMLAB_IS_CONTENT_VIEW (self));

  gtk_label_set_text (self->empty_label, hint ? hint : _("Nothing to show yet."));
  clear_texture (self);
  set_page (self, "empty");
}

/* "empty", "text", "image" or "problem". */
const char *
shmlab_content_view_get_page (ShmlabContentView *self)
{
  g_return_val_if_fail (SHMLAB_IS_CONTENT_VIEW (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

/* The text shown on the text page (the problem's explanation on the problem page). */
char *
shmlab_content_view_get_text (ShmlabContentView *self)
{
  const char *page;

  g_return_val_if_fail (SHMLAB_IS_CONTENT_VIEW (self), NULL);

  page = shmlab_content_view_get_page (self);
  if (g_strcmp0 (page, "text") == 0)
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
      GtkTextIter start, end;

      gtk_text_buffer_get_bounds (buffer, &start, &end);
      return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
    }
  if (g_strcmp0 (page, "problem") == 0)
    return g_strdup_printf ("%s\n%s", gtk_label_get_text (self->problem_title),
                            gtk_label_get_text (self->problem_label));
  if (g_strcmp0 (page, "empty") == 0)
    return g_strdup (gtk_label_get_text (self->empty_label));
  return g_strdup ("");
}

/* The texture shown (for a picture above a megapixel, its scaled preview once
 * made), or NULL. (transfer none) */
GdkTexture *
shmlab_content_view_get_texture (ShmlabContentView *self)
{
  g_return_val_if_fail (SHMLAB_IS_CONTENT_VIEW (self), NULL);
  return self->texture;
}

/* What is said under the text or the picture shown. */
const char *
shmlab_content_view_get_caption (ShmlabContentView *self)
{
  g_return_val_if_fail (SHMLAB_IS_CONTENT_VIEW (self), NULL);
  if (g_strcmp0 (shmlab_content_view_get_page (self), "text") == 0)
    return gtk_inscription_get_text (self->text_caption_label);
  return gtk_label_get_text (self->caption_label);
}

/* The banner over the text (invalid bytes, a cut, an empty text), or NULL. */
const char *
shmlab_content_view_get_notice (ShmlabContentView *self)
{
  g_return_val_if_fail (SHMLAB_IS_CONTENT_VIEW (self), NULL);
  if (g_strcmp0 (shmlab_content_view_get_page (self), "text") != 0 ||
      !gtk_widget_get_visible (self->text_banner))
    return NULL;
  return gtk_label_get_text (self->text_banner_label);
}
