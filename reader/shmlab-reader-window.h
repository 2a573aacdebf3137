/* shmlab-reader-window.h — the Reader's window: read a keyed segment once,
 * or follow it, step by step if wished, and show what it holds
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "shmlab-content-view.h"
#include "shmlab-reader-pane.h"
#include "shmlab-stream-view.h"
#include "shmlab-window.h"

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

#define SHMLAB_TYPE_READER_WINDOW (shmlab_reader_window_get_type ())
G_DECLARE_FINAL_TYPE (ShmlabReaderWindow, shmlab_reader_window, SHMLAB, READER_WINDOW, ShmlabWindow)

ShmlabReaderWindow *shmlab_reader_window_new              (GtkApplication     *application);

ShmlabReaderPane   *shmlab_reader_window_get_pane         (ShmlabReaderWindow *self);
ShmlabContentView  *shmlab_reader_window_get_content_view (ShmlabReaderWindow *self);
const char         *shmlab_reader_window_get_problem      (ShmlabReaderWindow *self);
guint               shmlab_reader_window_get_n_results    (ShmlabReaderWindow *self);

void                shmlab_reader_window_read             (ShmlabReaderWindow *self);
void                shmlab_reader_window_set_following    (ShmlabReaderWindow *self,
                                                           gboolean            following);
gboolean            shmlab_reader_window_get_following    (ShmlabReaderWindow *self);
void                shmlab_reader_window_set_print_content (ShmlabReaderWindow *self,
                                                           gboolean            print_content);
void                shmlab_reader_window_start            (ShmlabReaderWindow *self,
                                                           ShmlabReaderStart   action,
                                                           const char         *screenshot,
                                                           guint               screenshot_delay_ms);

void              shmlab_reader_window_set_transport  (ShmlabReaderWindow    *self,
                                                       ShmlabStreamTransport  transport);
ShmlabStreamView *shmlab_reader_window_get_stream_view (ShmlabReaderWindow    *self);

G_END_DECLS
