/* shmlab-content-view.h — what a segment holds, shown: a text, a picture
 * scaled to fit with its size, or an explanation of why there is nothing to
 * show
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "shmlab-image.h"
#include "shmlab-payload.h"

G_BEGIN_DECLS

#define SHMLAB_TYPE_CONTENT_VIEW (shmlab_content_view_get_type ())
G_DECLARE_FINAL_TYPE (ShmlabContentView, shmlab_content_view, SHMLAB, CONTENT_VIEW, GtkWidget)

GtkWidget  *shmlab_content_view_new            (void);
void        shmlab_content_view_show_payload   (ShmlabContentView   *self,
                                                const ShmlabPayload *payload);
void        shmlab_content_view_show_image     (ShmlabContentView   *self,
                                                ShmlabImage         *image,
                                                const char          *caption);
void        shmlab_content_view_show_problem   (ShmlabContentView   *self,
                                                const char          *title,
                                                const char          *explanation);
void        shmlab_content_view_show_bad_bytes (ShmlabContentView   *self,
                                                const char          *title,
                                                const char          *explanation);
void        shmlab_content_view_show_empty     (ShmlabContentView   *self,
                                                const char          *hint);
const char *shmlab_content_view_get_page       (ShmlabContentView   *self);
char       *shmlab_content_view_get_text       (ShmlabContentView   *self);
GdkTexture *shmlab_content_view_get_texture    (ShmlabContentView   *self);
const char *shmlab_content_view_get_caption    (ShmlabContentView   *self);
const char *shmlab_content_view_get_notice     (ShmlabContentView   *self);
GtkWidget  *shmlab_content_view_get_result_widget (ShmlabContentView *self);

GdkTexture *shmlab_texture_new_for_image       (ShmlabImage         *image);

G_END_DECLS
