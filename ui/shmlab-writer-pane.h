/* shmlab-writer-pane.h — what the Writer writes: a text, or a picture
 * opened, dropped or pasted; its Stream and Cache pages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "shmlab-cache-page.h"
#include "shmlab-stream-panel.h"

#include "shmlab-image.h"
#include "shmlab-payload.h"

G_BEGIN_DECLS

#define SHMLAB_TYPE_WRITER_PANE (shmlab_writer_pane_get_type ())
G_DECLARE_FINAL_TYPE (ShmlabWriterPane, shmlab_writer_pane, SHMLAB, WRITER_PANE, GtkWidget)

GtkWidget     *shmlab_writer_pane_new                (void);

void           shmlab_writer_pane_set_text           (ShmlabWriterPane    *self,
                                                      const char          *text);
char          *shmlab_writer_pane_get_text           (ShmlabWriterPane    *self);
void           shmlab_writer_pane_set_image          (ShmlabWriterPane    *self,
                                                      ShmlabImage         *image,
                                                      const char          *name);
ShmlabImage   *shmlab_writer_pane_get_image          (ShmlabWriterPane    *self);
void           shmlab_writer_pane_set_format         (ShmlabWriterPane    *self,
                                                      ShmlabFormat         format);
ShmlabFormat   shmlab_writer_pane_get_format         (ShmlabWriterPane    *self);
void           shmlab_writer_pane_set_page           (ShmlabWriterPane    *self,
                                                      const char          *page);
const char    *shmlab_writer_pane_get_page           (ShmlabWriterPane    *self);
gboolean       shmlab_writer_pane_get_text_has_focus (ShmlabWriterPane    *self);
GtkWidget     *shmlab_writer_pane_show_result        (ShmlabWriterPane    *self,
                                                      const char          *text);
const char    *shmlab_writer_pane_get_result         (ShmlabWriterPane    *self);
ShmlabPayload *shmlab_writer_pane_make_payload       (ShmlabWriterPane    *self,
                                                      GError             **error);

void           shmlab_writer_pane_load_file_async    (ShmlabWriterPane    *self,
                                                      GFile               *file,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
void           shmlab_writer_pane_paste_async        (ShmlabWriterPane    *self,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
ShmlabImage   *shmlab_writer_pane_load_finish        (ShmlabWriterPane    *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

ShmlabStreamPanel *shmlab_writer_pane_get_stream_panel (ShmlabWriterPane *self);
ShmlabCachePage   *shmlab_writer_pane_get_cache_page   (ShmlabWriterPane *self);

G_END_DECLS
