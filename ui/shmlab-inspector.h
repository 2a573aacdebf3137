/* shmlab-inspector.h — the segment's first bytes in hex and ASCII, the
 * format found in them, and a frame's header fields over their bytes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "shmlab-format.h"
#include "shmlab-session.h"

G_BEGIN_DECLS

#define SHMLAB_TYPE_INSPECTOR (shmlab_inspector_get_type ())
G_DECLARE_FINAL_TYPE (ShmlabInspector, shmlab_inspector, SHMLAB, INSPECTOR, GtkWidget)

GtkWidget  *shmlab_inspector_new            (void);
void        shmlab_inspector_set_session    (ShmlabInspector *self,
                                             ShmlabSession   *session);
void        shmlab_inspector_flush          (ShmlabInspector *self);
void        shmlab_inspector_set_bytes      (ShmlabInspector *self,
                                             GBytes          *bytes,
                                             gsize            segment_size);
GBytes     *shmlab_inspector_get_bytes      (ShmlabInspector *self);
const char *shmlab_inspector_get_format_text (ShmlabInspector *self);
void        shmlab_inspector_highlight_field (ShmlabInspector *self,
                                             const char      *field_name);
char       *shmlab_inspector_get_hex_text   (ShmlabInspector *self);
char       *shmlab_inspector_get_field_value (ShmlabInspector *self,
                                             const char      *field_name);
const char *shmlab_inspector_get_wrong_field (ShmlabInspector *self);
const ShmlabDescription *
            shmlab_inspector_get_description (ShmlabInspector *self);

G_END_DECLS
