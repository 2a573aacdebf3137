/* shmlab-label-whole.h — labels that show a path or a native name keep it
 * whole: wrapped anywhere if they must, but never with a hyphen added
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void     shmlab_label_show_whole    (GtkLabel *label);
gboolean shmlab_label_is_shown_whole (GtkLabel *label);

G_END_DECLS
