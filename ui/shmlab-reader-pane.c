/* shmlab-reader-pane.c — what the Reader shows of a segment: the content
 * of a read, or the problem that keeps it from being shown
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-reader-pane.h"

#include <glib/gi18n.h>

#include "shmlab-error.h"

struct _ShmlabReaderPane
{
  GtkWidget parent_instance;

  /* Template widgets */
  ShmlabContentView *content_view;

  /* Owned */
  char *problem;              /* the last problem shown, "title: explanation" */
  ShmlabImage *shown_image;   /* the last picture shown, at full size */
};

G_DEFINE_FINAL_TYPE (ShmlabReaderPane, shmlab_reader_pane, GTK_TYPE_WIDGET)

/* SHA-256 of the picture's RGBA rows (padding left out), as a PNG of it would give. */
static char *
image_checksum (const ShmlabImage *image)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  for (guint32 y = 0; y < image->height; y++)
    g_checksum_update (checksum, image->pixels + (gsize) y * image->stride,
                       (gsize) image->width * 4);
  return g_strdup (g_checksum_get_string (checksum));
}

/**
 * shmlab_reader_pane_describe:
 *
 * What the pane shows, in one line: "image W × H, sha256 …", "text \"…\"",
 * "problem …", or the page's name.
 */
char *
shmlab_reader_pane_describe (ShmlabReaderPane *self)
{
  const char *page;

  g_return_val_if_fail (SHMLAB_IS_READER_PANE (self), NULL);
  page = shmlab_content_view_get_page (self->content_view);

  if (g_strcmp0 (page, "image") == 0 && self->shown_image != NULL)
    {
      g_autofree char *sum = image_checksum (self->shown_image);

      return g_strdup_printf ("image %u × %u, sha256 %s", self->shown_image->width,
                              self->shown_image->height, sum);
    }
  if (g_strcmp0 (page, "text") == 0)
    {
      g_autofree char *text = shmlab_content_view_get_text (self->content_view);
      g_autofree char *escaped = g_strescape (text ? text : "", NULL);

      return g_strdup_printf ("text \"%s\"", escaped);
    }
  if (g_strcmp0 (page, "problem") == 0)
    return g_strdup_printf ("problem %s", self->problem ? self->problem : "");
  return g_strdup (page ? page : "nothing");
}

/**
 * shmlab_reader_pane_show_problem:
 * @has_bytes: something was read (and the inspector shows it)
 */
void
shmlab_reader_pane_show_problem (ShmlabReaderPane *self,
                                 const char       *title,
                                 const char       *explanation,
                                 gboolean          has_bytes)
{
  g_return_if_fail (SHMLAB_IS_READER_PANE (self));

  g_free (self->problem);
  g_clear_pointer (&self->shown_image, shmlab_image_unref);
  self->problem = g_strdup_printf ("%s: %s", title, explanation);
  if (has_bytes)
    shmlab_content_view_show_bad_bytes (self->content_view, title, explanation);
  else
    shmlab_content_view_show_problem (self->content_view, title, explanation);
}

static const char *
decode_error_title (const GError *error)
{
  if (error->domain == SHMLAB_PAYLOAD_ERROR)
    switch (error->code)
      {
      case SHMLAB_PAYLOAD_ERROR_MALFORMED: return _("The segment's content is damaged");
      case SHMLAB_PAYLOAD_ERROR_CHECKSUM: return _("The content does not match its checksum");
      case SHMLAB_PAYLOAD_ERROR_UNSUPPORTED: return _("ShmLab cannot show this content");
      case SHMLAB_PAYLOAD_ERROR_TOO_LARGE: return _("The content is larger than the segment");
      default: break;
      }
  if (error->domain == SHMLAB_IMAGE_ERROR)
    return _("The picture in the segment cannot be decoded");
  return _("The segment holds nothing ShmLab can show");
}

/**
 * shmlab_reader_pane_show_result:
 *
 * Shows what a read copied out: its content, or why it cannot be shown. A
 * problem (shmlab_reader_pane_get_problem()) is left when the bytes
 * themselves tell more than the pane can.
 */
void
shmlab_reader_pane_show_result (ShmlabReaderPane       *self,
                                const ShmlabReadResult *result)
{
  g_return_if_fail (SHMLAB_IS_READER_PANE (self));

  if (result->payload != NULL)
    {
      shmlab_content_view_show_payload (self->content_view, result->payload);
      g_clear_pointer (&self->shown_image, shmlab_image_unref);
      if (result->payload->image != NULL)
        self->shown_image = shmlab_image_ref (result->payload->image);
      g_clear_pointer (&self->problem, g_free);
      if (result->payload->kind == SHMLAB_PAYLOAD_KIND_TEXT && result->payload->invalid_bytes > 0)
        {
          gsize n = result->payload->invalid_bytes;

          self->problem = g_strdup_printf (
            g_dngettext (GETTEXT_PACKAGE,
                         "%zu byte of the segment is not valid UTF-8 text: it is shown as �; "
                         "the Segment tab shows the bytes themselves",
                         "%zu bytes of the segment are not valid UTF-8 text: they are shown as "
                         "�; the Segment tab shows the bytes themselves", n), n);
        }
    }
  else
    {
      const GError *error = result->decode_error;

      shmlab_reader_pane_show_problem (self, error ? decode_error_title (error)
                                                   : _("Nothing to show"),
                                       error ? error->message
                                             : _("the bytes are in no format ShmLab knows"),
                                       TRUE);
    }
}

/* The last problem shown, "title: explanation"; NULL when content is on show. */
const char *
shmlab_reader_pane_get_problem (ShmlabReaderPane *self)
{
  g_return_val_if_fail (SHMLAB_IS_READER_PANE (self), NULL);
  return self->problem;
}

void
shmlab_reader_pane_show_empty (ShmlabReaderPane *self,
                               const char       *hint)
{
  g_return_if_fail (SHMLAB_IS_READER_PANE (self));
  g_clear_pointer (&self->problem, g_free);
  g_clear_pointer (&self->shown_image, shmlab_image_unref);
  shmlab_content_view_show_empty (self->content_view, hint);
}

const char *
shmlab_reader_pane_get_page (ShmlabReaderPane *self)
{
  g_return_val_if_fail (SHMLAB_IS_READER_PANE (self), NULL);
  return shmlab_content_view_get_page (self->content_view);
}

ShmlabContentView *
shmlab_reader_pane_get_content_view (ShmlabReaderPane *self)
{
  g_return_val_if_fail (SHMLAB_IS_READER_PANE (self), NULL);
  return self->content_view;
}

static void
shmlab_reader_pane_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), SHMLAB_TYPE_READER_PANE);
  G_OBJECT_CLASS (shmlab_reader_pane_parent_class)->dispose (object);
}

static void
shmlab_reader_pane_finalize (GObject *object)
{
  ShmlabReaderPane *self = SHMLAB_READER_PANE (object);

  g_free (self->problem);
  g_clear_pointer (&self->shown_image, shmlab_image_unref);

  G_OBJECT_CLASS (shmlab_reader_pane_parent_class)->finalize (object);
}

static void
shmlab_reader_pane_class_init (ShmlabReaderPaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = shmlab_reader_pane_dispose;
  object_class->finalize = shmlab_reader_pane_finalize;

  g_type_ensure (SHMLAB_TYPE_CONTENT_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/shmlab/shmlab-reader-pane.ui");
  gtk_widget_class_bind_template_child (widget_class, ShmlabReaderPane, content_view);
}

static void
shmlab_reader_pane_init (ShmlabReaderPane *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
shmlab_reader_pane_new (void)
{
  return g_object_new (SHMLAB_TYPE_READER_PANE, NULL);
}
