/* shmlab-label-whole.c — labels that show a path or a native name keep it
 * whole: wrapped anywhere if they must, but never with a hyphen added
 *
 * Pango hyphenates a word it breaks; in "/tmp/qipc_sharedmemory_demo…" the
 * added "-" looks like part of the name, and a student copies it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-label-whole.h"

/**
 * shmlab_label_show_whole:
 * @label: a label that shows paths, native names or messages holding them
 *
 * Makes @label show all its text, never ellipsized: wrapped between words or
 * else between any two characters (so a long name does not widen the
 * window), and never with a hyphen added where it breaks a word. Attributes @label
 * already has are kept.
 */
void
shmlab_label_show_whole (GtkLabel *label)
{
  PangoAttrList *current = gtk_label_get_attributes (label);
  g_autoptr(PangoAttrList) attrs = current != NULL ? pango_attr_list_copy (current)
                                                   : pango_attr_list_new ();

  pango_attr_list_change (attrs, pango_attr_insert_hyphens_new (FALSE));
  gtk_label_set_attributes (label, attrs);
  gtk_label_set_ellipsize (label, PANGO_ELLIPSIZE_NONE);
  gtk_label_set_wrap (label, TRUE);
  gtk_label_set_wrap_mode (label, PANGO_WRAP_WORD_CHAR);
}

static gboolean
is_no_hyphens (PangoAttribute *attr,
               gpointer        user_data)
{
  return attr->klass->type == PANGO_ATTR_INSERT_HYPHENS && !((PangoAttrInt *) attr)->value &&
         attr->start_index == PANGO_ATTR_INDEX_FROM_TEXT_BEGINNING &&
         attr->end_index == PANGO_ATTR_INDEX_TO_TEXT_END;
}

/* Whether shmlab_label_show_whole() was applied to @label (for tests). */
gboolean
shmlab_label_is_shown_whole (GtkLabel *label)
{
  PangoAttrList *attrs = gtk_label_get_attributes (label);
  PangoAttrList *found;
  gboolean whole;

  if (attrs == NULL || gtk_label_get_wrap_mode (label) != PANGO_WRAP_WORD_CHAR)
    return FALSE;
  found = pango_attr_list_filter (attrs, is_no_hyphens, NULL);
  whole = found != NULL;
  if (found != NULL)
    pango_attr_list_unref (found);
  return whole;
}
