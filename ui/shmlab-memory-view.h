/* shmlab-memory-view.h — the Memory tab: every process that maps the key's
 * segment, drawn as the article draws it, live
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "shmlab-memory-map.h"
#include "shmlab-session.h"

G_BEGIN_DECLS

#define SHMLAB_TYPE_MEMORY_VIEW (shmlab_memory_view_get_type ())
G_DECLARE_FINAL_TYPE (ShmlabMemoryView, shmlab_memory_view, SHMLAB, MEMORY_VIEW, GtkWidget)

GtkWidget             *shmlab_memory_view_new         (void);
void                   shmlab_memory_view_set_session (ShmlabMemoryView *self,
                                                       ShmlabSession    *session);
const ShmlabMemoryMap *shmlab_memory_view_get_map     (ShmlabMemoryView *self);
guint                  shmlab_memory_view_get_scans   (ShmlabMemoryView *self);
const char            *shmlab_memory_view_get_text    (ShmlabMemoryView *self);

G_END_DECLS
