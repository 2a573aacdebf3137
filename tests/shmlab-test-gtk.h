/* shmlab-test-gtk.h — what the tests of the windows share: a Writer or a
 * Reader in a window of its own, finding a widget in a window's tree,
 * waiting for what its key bar says
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "shmlab-reader-station.h"
#include "shmlab-window.h"
#include "shmlab-writer-station.h"

G_BEGIN_DECLS

ShmlabWriterStation *shmlab_test_writer_new (GtkApplication *application);
ShmlabReaderStation *shmlab_test_reader_new (GtkApplication *application);
GtkWindow           *shmlab_test_window_of  (gpointer        station);


GtkWidget *shmlab_test_find_by_type    (GtkWidget  *root,
                                        GType       type);
GtkWidget *shmlab_test_find_actionable (GtkWidget  *root,
                                        const char *action);
GtkWidget *shmlab_test_find_label      (GtkWidget  *root,
                                        gboolean    at_start,
                                        const char *text);
GtkWidget *shmlab_test_find_button     (GtkWidget  *root,
                                        const char *label);
gboolean   shmlab_test_all_detached    (gpointer    unused);
void       shmlab_test_close_station   (gpointer    station);
void       shmlab_test_wait_for_status (ShmlabStation *station,
                                        const char    *needle,
                                        guint          seconds);

G_END_DECLS
