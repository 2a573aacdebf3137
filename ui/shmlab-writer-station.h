/* shmlab-writer-station.h — the Writer, as a station: a text or a picture, copied
 * into a keyed segment in one click or step by step
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "shmlab-cache-page.h"
#include "shmlab-image.h"
#include "shmlab-payload.h"
#include "shmlab-stream-panel.h"
#include "shmlab-station.h"
#include "shmlab-writer-banner.h"

G_BEGIN_DECLS

#define SHMLAB_TYPE_WRITER_STATION (shmlab_writer_station_get_type ())
G_DECLARE_FINAL_TYPE (ShmlabWriterStation, shmlab_writer_station, SHMLAB, WRITER_STATION, ShmlabStation)

ShmlabWriterStation *shmlab_writer_station_new             (void);
void                 shmlab_writer_station_set_accels      (GtkApplication      *app);

void                shmlab_writer_station_set_text        (ShmlabWriterStation  *self,
                                                          const char          *text);
char               *shmlab_writer_station_get_text        (ShmlabWriterStation  *self);
void                shmlab_writer_station_set_image       (ShmlabWriterStation  *self,
                                                          ShmlabImage         *image,
                                                          const char          *name);
ShmlabImage        *shmlab_writer_station_get_image       (ShmlabWriterStation  *self);
void                shmlab_writer_station_set_format      (ShmlabWriterStation  *self,
                                                          ShmlabFormat         format);
ShmlabFormat        shmlab_writer_station_get_format      (ShmlabWriterStation  *self);
void                shmlab_writer_station_set_page        (ShmlabWriterStation  *self,
                                                          const char          *page);
const char         *shmlab_writer_station_get_page        (ShmlabWriterStation  *self);

void                shmlab_writer_station_load_image_async  (ShmlabWriterStation  *self,
                                                            GFile               *file,
                                                            GCancellable        *cancellable,
                                                            GAsyncReadyCallback  callback,
                                                            gpointer             user_data);
gboolean            shmlab_writer_station_load_image_finish (ShmlabWriterStation  *self,
                                                            GAsyncResult        *result,
                                                            GError             **error);
void                shmlab_writer_station_write_async       (ShmlabWriterStation  *self,
                                                            GCancellable        *cancellable,
                                                            GAsyncReadyCallback  callback,
                                                            gpointer             user_data);
gboolean            shmlab_writer_station_write_finish      (ShmlabWriterStation  *self,
                                                            GAsyncResult        *result,
                                                            GError             **error);

ShmlabWriterOffer   shmlab_writer_station_get_offer         (ShmlabWriterStation  *self);
const char         *shmlab_writer_station_get_offer_text    (ShmlabWriterStation  *self);
const char         *shmlab_writer_station_get_error_text    (ShmlabWriterStation  *self);
const char         *shmlab_writer_station_get_qt_note       (ShmlabWriterStation  *self);

ShmlabStreamPanel  *shmlab_writer_station_get_stream_panel (ShmlabWriterStation *self);
ShmlabCachePage    *shmlab_writer_station_get_cache_page   (ShmlabWriterStation *self);

G_END_DECLS
