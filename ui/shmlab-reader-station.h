/* shmlab-reader-station.h — the Reader, as a station: read a keyed segment once,
 * or follow it, step by step if wished, and show what it holds
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "shmlab-cache-view.h"
#include "shmlab-content-view.h"
#include "shmlab-reader-pane.h"
#include "shmlab-stream-view.h"
#include "shmlab-station.h"

G_BEGIN_DECLS

/**
 * ShmlabReaderStart:
 * @SHMLAB_READER_START_NOTHING: wait for the student
 * @SHMLAB_READER_START_READ: read once (--read)
 * @SHMLAB_READER_START_FOLLOW: follow the segment (--follow)
 */
typedef enum
{
  SHMLAB_READER_START_NOTHING,
  SHMLAB_READER_START_READ,
  SHMLAB_READER_START_FOLLOW,
} ShmlabReaderStart;

#define SHMLAB_TYPE_READER_STATION (shmlab_reader_station_get_type ())
G_DECLARE_FINAL_TYPE (ShmlabReaderStation, shmlab_reader_station, SHMLAB, READER_STATION, ShmlabStation)

ShmlabReaderStation *shmlab_reader_station_new              (void);
void                 shmlab_reader_station_set_accels       (GtkApplication     *app);

ShmlabReaderPane   *shmlab_reader_station_get_pane         (ShmlabReaderStation *self);
ShmlabContentView  *shmlab_reader_station_get_content_view (ShmlabReaderStation *self);
const char         *shmlab_reader_station_get_problem      (ShmlabReaderStation *self);
guint               shmlab_reader_station_get_n_results    (ShmlabReaderStation *self);

void                shmlab_reader_station_read             (ShmlabReaderStation *self);
void                shmlab_reader_station_set_following    (ShmlabReaderStation *self,
                                                           gboolean            following);
gboolean            shmlab_reader_station_get_following    (ShmlabReaderStation *self);
void                shmlab_reader_station_set_print_content (ShmlabReaderStation *self,
                                                           gboolean            print_content);
void                shmlab_reader_station_start            (ShmlabReaderStation *self,
                                                           ShmlabReaderStart   action,
                                                           const char         *screenshot,
                                                           guint               screenshot_delay_ms);

void              shmlab_reader_station_set_transport  (ShmlabReaderStation    *self,
                                                       ShmlabStreamTransport  transport);
ShmlabStreamView *shmlab_reader_station_get_stream_view (ShmlabReaderStation    *self);
ShmlabCacheView  *shmlab_reader_station_get_cache_view  (ShmlabReaderStation    *self);

G_END_DECLS
