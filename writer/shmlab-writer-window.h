/* shmlab-writer-window.h — the Writer's window: a text or a picture, copied
 * into a keyed segment in one click or step by step
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "shmlab-image.h"
#include "shmlab-payload.h"
#include "shmlab-stream-panel.h"
#include "shmlab-window.h"
#include "shmlab-writer-banner.h"

G_BEGIN_DECLS

#define SHMLAB_TYPE_WRITER_WINDOW (shmlab_writer_window_get_type ())
G_DECLARE_FINAL_TYPE (ShmlabWriterWindow, shmlab_writer_window, SHMLAB, WRITER_WINDOW, ShmlabWindow)

ShmlabWriterWindow *shmlab_writer_window_new             (GtkApplication      *application);

void                shmlab_writer_window_set_text        (ShmlabWriterWindow  *self,
                                                          const char          *text);
char               *shmlab_writer_window_get_text        (ShmlabWriterWindow  *self);
void                shmlab_writer_window_set_image       (ShmlabWriterWindow  *self,
                                                          ShmlabImage         *image,
                                                          const char          *name);
ShmlabImage        *shmlab_writer_window_get_image       (ShmlabWriterWindow  *self);
void                shmlab_writer_window_set_format      (ShmlabWriterWindow  *self,
                                                          ShmlabFormat         format);
ShmlabFormat        shmlab_writer_window_get_format      (ShmlabWriterWindow  *self);
void                shmlab_writer_window_set_page        (ShmlabWriterWindow  *self,
                                                          const char          *page);
const char         *shmlab_writer_window_get_page        (ShmlabWriterWindow  *self);

void                shmlab_writer_window_load_image_async  (ShmlabWriterWindow  *self,
                                                            GFile               *file,
                                                            GCancellable        *cancellable,
                                                            GAsyncReadyCallback  callback,
                                                            gpointer             user_data);
gboolean            shmlab_writer_window_load_image_finish (ShmlabWriterWindow  *self,
                                                            GAsyncResult        *result,
                                                            GError             **error);
void                shmlab_writer_window_write_async       (ShmlabWriterWindow  *self,
                                                            GCancellable        *cancellable,
                                                            GAsyncReadyCallback  callback,
                                                            gpointer             user_data);
gboolean            shmlab_writer_window_write_finish      (ShmlabWriterWindow  *self,
                                                            GAsyncResult        *result,
                                                            GError             **error);

ShmlabWriterOffer   shmlab_writer_window_get_offer         (ShmlabWriterWindow  *self);
const char         *shmlab_writer_window_get_offer_text    (ShmlabWriterWindow  *self);
const char         *shmlab_writer_window_get_error_text    (ShmlabWriterWindow  *self);
const char         *shmlab_writer_window_get_qt_note       (ShmlabWriterWindow  *self);

ShmlabStreamPanel  *shmlab_writer_window_get_stream_panel (ShmlabWriterWindow *self);

G_END_DECLS
