/* shmlab-lab-window.h — the Lab's one window: the Writer on the left, the
 * Reader on the right, in one process
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "shmlab-reader-station.h"
#include "shmlab-writer-station.h"

G_BEGIN_DECLS

#define SHMLAB_TYPE_LAB_WINDOW (shmlab_lab_window_get_type ())
G_DECLARE_FINAL_TYPE (ShmlabLabWindow, shmlab_lab_window, SHMLAB, LAB_WINDOW, GtkApplicationWindow)

ShmlabLabWindow     *shmlab_lab_window_new        (GtkApplication  *application);
ShmlabWriterStation *shmlab_lab_window_get_writer (ShmlabLabWindow *self);
ShmlabReaderStation *shmlab_lab_window_get_reader (ShmlabLabWindow *self);

G_END_DECLS
