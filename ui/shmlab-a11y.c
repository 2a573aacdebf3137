/* shmlab-a11y.c — what a screen reader hears: names said once, and the
 * result of an action the user started
 *
 * GTK 4.8 names a button after its label (with the mnemonic's underscore)
 * and again after the label inside it; a stack page after its title,
 * underscore included. These helpers give one plain name instead. And GTK
 * 4.8 has no way to announce a text: focus moved onto the text that holds a
 * result is what a screen reader reads out.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-a11y.h"

#include <string.h>

/**
 * shmlab_a11y_strip_mnemonic:
 * @text: a label with mnemonic underscores ("Se_gment", "a__b")
 *
 * Returns: (transfer full): @text as it is shown ("Segment", "a_b")
 */
char *
shmlab_a11y_strip_mnemonic (const char *text)
{
  GString *plain;

  g_return_val_if_fail (text != NULL, NULL);

  plain = g_string_sized_new (strlen (text));
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '_')
        {
          if (p[1] != '_')
            continue;
          p++;
        }
      g_string_append_c (plain, *p);
    }
  return g_string_free (plain, FALSE);
}

/**
 * shmlab_a11y_name_once:
 * @button: a button whose child is a label, perhaps with a mnemonic; before
 *   it is shown
 *
 * Names @button after the text its label shows, and hides the label from
 * assistive technologies, so that the name is said once, without its
 * underscore.
 */
void
shmlab_a11y_name_once (GtkWidget *button)
{
  GtkWidget *child;
  const char *text;

  g_return_if_fail (GTK_IS_BUTTON (button));

  child = gtk_button_get_child (GTK_BUTTON (button));
  g_return_if_fail (GTK_IS_LABEL (child));

  text = gtk_label_get_text (GTK_LABEL (child));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
  /* The label would name the button a second time. */
  gtk_accessible_reset_relation (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
  if (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (child)) !=
      GTK_ACCESSIBLE_ROLE_PRESENTATION)
    g_object_set (child, "accessible-role", GTK_ACCESSIBLE_ROLE_PRESENTATION, NULL);
}

/**
 * shmlab_a11y_name_buttons_once:
 * @root: a widget whose buttons are all made; before it is shown
 *
 * shmlab_a11y_name_once() for every button under @root (@root included)
 * whose label has a mnemonic.
 */
void
shmlab_a11y_name_buttons_once (GtkWidget *root)
{
  g_return_if_fail (GTK_IS_WIDGET (root));

  if (GTK_IS_BUTTON (root))
    {
      GtkWidget *child = gtk_button_get_child (GTK_BUTTON (root));

      if (GTK_IS_LABEL (child) && gtk_label_get_use_underline (GTK_LABEL (child)))
        shmlab_a11y_name_once (root);
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    shmlab_a11y_name_buttons_once (child);
}

/**
 * shmlab_a11y_name_stack_pages:
 * @switcher: a stack switcher with its stack, whose pages have their titles;
 *   before it is shown
 *
 * Names each page and each of @switcher's tabs after the page's title as
 * shown, once.
 */
void
shmlab_a11y_name_stack_pages (GtkStackSwitcher *switcher)
{
  GtkStack *stack;
  g_autoptr(GtkSelectionModel) pages = NULL;
  guint n;

  g_return_if_fail (GTK_IS_STACK_SWITCHER (switcher));

  stack = gtk_stack_switcher_get_stack (switcher);
  g_return_if_fail (stack != NULL);

  pages = gtk_stack_get_pages (stack);
  n = g_list_model_get_n_items (G_LIST_MODEL (pages));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (G_LIST_MODEL (pages), i);
      GtkStackPage *page = GTK_STACK_PAGE (item);
      const char *title = gtk_stack_page_get_title (page);
      g_autofree char *plain = title != NULL ? shmlab_a11y_strip_mnemonic (title) : NULL;

      if (plain != NULL)
        gtk_accessible_update_property (GTK_ACCESSIBLE (page), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        plain, -1);
    }

  for (GtkWidget *tab = gtk_widget_get_first_child (GTK_WIDGET (switcher));
       tab != NULL;
       tab = gtk_widget_get_next_sibling (tab))
    if (GTK_IS_BUTTON (tab) && GTK_IS_LABEL (gtk_button_get_child (GTK_BUTTON (tab))))
      shmlab_a11y_name_once (tab);
}

/**
 * shmlab_a11y_present_result:
 * @holder: the label, text view or picture that holds what an action the
 *   user started ended with (what was read, or the sentence saying why not)
 *
 * Moves the focus onto @holder, which makes a screen reader read it out.
 * Call it only after an action the user started, never while they type.
 */
void
shmlab_a11y_present_result (GtkWidget *holder)
{
  g_return_if_fail (GTK_IS_WIDGET (holder));

  if (!gtk_widget_get_mapped (holder))
    return;
  gtk_widget_set_focusable (holder, TRUE);
  gtk_widget_grab_focus (holder);
  /* A label focused selects all its text, which the next key would copy or lose. */
  if (GTK_IS_LABEL (holder))
    gtk_label_select_region (GTK_LABEL (holder), 0, 0);
}
