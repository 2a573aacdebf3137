/* shmlab-test-gtk.h — what the tests of the windows share: finding a widget
 * in a window's tree
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

GtkWidget *shmlab_test_find_by_type    (GtkWidget  *root,
                                        GType       type);
GtkWidget *shmlab_test_find_actionable (GtkWidget  *root,
                                        const char *action);

G_END_DECLS
