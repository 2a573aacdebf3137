/* shmlab-a11y.h — what a screen reader hears: names said once, and the
 * result of an action the user started
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

char *shmlab_a11y_strip_mnemonic   (const char       *text);
void  shmlab_a11y_name_once        (GtkWidget        *button);
void  shmlab_a11y_name_buttons_once (GtkWidget      *root);
void  shmlab_a11y_name_stack_pages (GtkStackSwitcher *switcher);
void  shmlab_a11y_present_result   (GtkWidget        *holder);

G_END_DECLS
