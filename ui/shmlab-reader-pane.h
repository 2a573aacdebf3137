/* shmlab-reader-pane.h — what the Reader shows of a segment: its content,
 * or the problem that keeps it from being shown
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "shmlab-content-view.h"
#include "shmlab-session.h"

G_BEGIN_DECLS

#define SHMLAB_TYPE_READER_PANE (shmlab_reader_pane_get_type ())
G_DECLARE_FINAL_TYPE (ShmlabReaderPane, shmlab_reader_pane, SHMLAB, READER_PANE, GtkWidget)

GtkWidget         *shmlab_reader_pane_new              (void);

ShmlabContentView *shmlab_reader_pane_get_content_view (ShmlabReaderPane       *self);
const char        *shmlab_reader_pane_get_page         (ShmlabReaderPane       *self);
const char        *shmlab_reader_pane_get_problem      (ShmlabReaderPane       *self);

void               shmlab_reader_pane_show_empty       (ShmlabReaderPane       *self,
                                                        const char             *hint);
void               shmlab_reader_pane_show_result      (ShmlabReaderPane       *self,
                                                        const ShmlabReadResult *result);
void               shmlab_reader_pane_show_problem     (ShmlabReaderPane       *self,
                                                        const char             *title,
                                                        const char             *explanation,
                                                        gboolean                has_bytes);
char              *shmlab_reader_pane_describe         (ShmlabReaderPane       *self);

G_END_DECLS
