/* shmlab-writer-banner.c — the Writer's two banners
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-writer-banner.h"

#include "shmlab-label-whole.h"
#include "shmlab-a11y.h"

struct _ShmlabWriterBanner
{
  GtkBox parent_instance;

  /* Template widgets */
  GtkInfoBar *offer_bar;
  GtkImage *offer_icon;
  GtkLabel *offer_title;
  GtkLabel *offer_label;
  GtkWidget *attach_button;
  GtkWidget *remove_button;
  GtkWidget *other_key_button;
  GtkWidget *grow_button;
  GtkWidget *cut_button;
  GtkInfoBar *error_bar;
  GtkLabel *error_title;
  GtkLabel *error_label;

  /* Owned */
  char *offer_text;
  char *error_text;
  ShmlabWriterOffer offer;
};

G_DEFINE_FINAL_TYPE (ShmlabWriterBanner, shmlab_writer_banner, GTK_TYPE_BOX)

enum
{
  PROP_0,
  PROP_OFFER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

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

/* The error banner: what went wrong, in the student's words. */
void
shmlab_writer_banner_show_error (ShmlabWriterBanner *self,
                                 const char         *title,
                                 const char         *message)
{
  g_autofree char *text = sentence (message);

  g_return_if_fail (SHMLAB_IS_WRITER_BANNER (self));
  g_free (self->error_text);
  self->error_text = g_strdup_printf ("%s: %s", title, message);
  gtk_label_set_text (self->error_title, title);
  gtk_label_set_text (self->error_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->error_bar), TRUE);
}

void
shmlab_writer_banner_hide_error (ShmlabWriterBanner *self)
{
  g_return_if_fail (SHMLAB_IS_WRITER_BANNER (self));
  g_clear_pointer (&self->error_text, g_free);
  gtk_widget_set_visible (GTK_WIDGET (self->error_bar), FALSE);
}

/**
 * shmlab_writer_banner_get_message:
 *
 * Returns: (transfer none) (nullable): the label that says what went wrong
 *   or what the question is about, or NULL when no banner is shown
 */
GtkWidget *
shmlab_writer_banner_get_message (ShmlabWriterBanner *self)
{
  g_return_val_if_fail (SHMLAB_IS_WRITER_BANNER (self), NULL);

  if (gtk_widget_get_visible (GTK_WIDGET (self->error_bar)))
    return GTK_WIDGET (self->error_label);
  if (gtk_widget_get_visible (GTK_WIDGET (self->offer_bar)))
    return GTK_WIDGET (self->offer_label);
  return NULL;
}

/* The error banner's title and message, or NULL when it is hidden. */
const char *
shmlab_writer_banner_get_error_text (ShmlabWriterBanner *self)
{
  g_return_val_if_fail (SHMLAB_IS_WRITER_BANNER (self), NULL);
  return self->error_text;
}

/**
 * shmlab_writer_banner_show_offer:
 * @ways: the buttons shown
 * @grow_label: (nullable): the Grow button's label, with the size it grows to
 * @cut_label: (nullable): the Cut button's label, with what it cuts
 *
 * The question banner: a question for a segment that exists, a warning for
 * content too large.
 */
void
shmlab_writer_banner_show_offer (ShmlabWriterBanner *self,
                                 ShmlabWriterOffer   offer,
                                 ShmlabWriterWays    ways,
                                 const char         *title,
                                 const char         *message,
                                 const char         *grow_label,
                                 const char         *cut_label)
{
  gboolean exists = offer == SHMLAB_WRITER_OFFER_EXISTS;
  g_autofree char *shown = sentence (message);

  g_return_if_fail (SHMLAB_IS_WRITER_BANNER (self));
  g_free (self->offer_text);
  self->offer_text = g_strdup_printf ("%s %s", title, shown);
  gtk_label_set_text (self->offer_title, title);
  gtk_label_set_text (self->offer_label, shown);
  gtk_info_bar_set_message_type (self->offer_bar, exists ? GTK_MESSAGE_QUESTION : GTK_MESSAGE_WARNING);
  gtk_image_set_from_icon_name (self->offer_icon, exists ? "dialog-question-symbolic"
                                                         : "dialog-warning-symbolic");
  if (grow_label != NULL)
    {
      gtk_button_set_label (GTK_BUTTON (self->grow_button), grow_label);
      shmlab_a11y_name_once (self->grow_button);
    }
  if (cut_label != NULL)
    {
      gtk_button_set_label (GTK_BUTTON (self->cut_button), cut_label);
      shmlab_a11y_name_once (self->cut_button);
    }
  gtk_widget_set_visible (self->attach_button, (ways & SHMLAB_WRITER_WAY_ATTACH) != 0);
  gtk_widget_set_visible (self->remove_button, (ways & SHMLAB_WRITER_WAY_REMOVE) != 0);
  gtk_widget_set_visible (self->other_key_button, (ways & SHMLAB_WRITER_WAY_OTHER_KEY) != 0);
  gtk_widget_set_visible (self->grow_button, (ways & SHMLAB_WRITER_WAY_GROW) != 0);
  gtk_widget_set_visible (self->cut_button, (ways & SHMLAB_WRITER_WAY_CUT) != 0);
  gtk_widget_set_visible (GTK_WIDGET (self->offer_bar), TRUE);
  self->offer = offer;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OFFER]);
}

void
shmlab_writer_banner_hide_offer (ShmlabWriterBanner *self)
{
  g_return_if_fail (SHMLAB_IS_WRITER_BANNER (self));
  g_clear_pointer (&self->offer_text, g_free);
  gtk_widget_set_visible (GTK_WIDGET (self->offer_bar), FALSE);
  if (self->offer == SHMLAB_WRITER_OFFER_NONE)
    return;
  self->offer = SHMLAB_WRITER_OFFER_NONE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OFFER]);
}

ShmlabWriterOffer
shmlab_writer_banner_get_offer (ShmlabWriterBanner *self)
{
  g_return_val_if_fail (SHMLAB_IS_WRITER_BANNER (self), SHMLAB_WRITER_OFFER_NONE);
  return self->offer;
}

/* The question banner's title and message, or NULL when it is hidden. */
const char *
shmlab_writer_banner_get_offer_text (ShmlabWriterBanner *self)
{
  g_return_val_if_fail (SHMLAB_IS_WRITER_BANNER (self), NULL);
  return self->offer_text;
}

static void
offer_bar_response_cb (ShmlabWriterBanner *self,
                       int                 response)
{
  /* Its close button, or Escape in it. */
  if (response == GTK_RESPONSE_CLOSE || response == GTK_RESPONSE_CANCEL)
    shmlab_writer_banner_hide_offer (self);
}

static void
error_bar_response_cb (ShmlabWriterBanner *self,
                       int                 response)
{
  /* Its close button, or Escape in it. */
  if (response == GTK_RESPONSE_CLOSE || response == GTK_RESPONSE_CANCEL)
    shmlab_writer_banner_hide_error (self);
}

static void
shmlab_writer_banner_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  ShmlabWriterBanner *self = SHMLAB_WRITER_BANNER (object);

  switch (prop_id)
    {
    case PROP_OFFER: g_value_set_int (value, self->offer); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
shmlab_writer_banner_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), SHMLAB_TYPE_WRITER_BANNER);
  G_OBJECT_CLASS (shmlab_writer_banner_parent_class)->dispose (object);
}

static void
shmlab_writer_banner_finalize (GObject *object)
{
  ShmlabWriterBanner *self = SHMLAB_WRITER_BANNER (object);

  g_free (self->offer_text);
  g_free (self->error_text);
  G_OBJECT_CLASS (shmlab_writer_banner_parent_class)->finalize (object);
}

static void
shmlab_writer_banner_class_init (ShmlabWriterBannerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = shmlab_writer_banner_get_property;
  object_class->dispose = shmlab_writer_banner_dispose;
  object_class->finalize = shmlab_writer_banner_finalize;

  /* Which question is asked (a ShmlabWriterOffer). */
  properties[PROP_OFFER] =
    g_param_spec_int ("offer", NULL, NULL, SHMLAB_WRITER_OFFER_NONE, SHMLAB_WRITER_OFFER_TOO_LARGE,
                      SHMLAB_WRITER_OFFER_NONE,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/shmlab/shmlab-writer-banner.ui");
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterBanner, offer_bar);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterBanner, offer_icon);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterBanner, offer_title);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterBanner, offer_label);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterBanner, attach_button);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterBanner, remove_button);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterBanner, other_key_button);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterBanner, grow_button);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterBanner, cut_button);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterBanner, error_bar);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterBanner, error_title);
  gtk_widget_class_bind_template_child (widget_class, ShmlabWriterBanner, error_label);
  gtk_widget_class_bind_template_callback (widget_class, offer_bar_response_cb);
  gtk_widget_class_bind_template_callback (widget_class, error_bar_response_cb);
}

static void
shmlab_writer_banner_init (ShmlabWriterBanner *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  shmlab_label_show_whole (self->offer_label);
  shmlab_label_show_whole (self->error_label);
}
