/* shmlab-window.h — a program's window around one station (the Writer or
 * the Reader): the station's header bar is its title bar, and its title
 * the window's
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "shmlab-station.h"

G_BEGIN_DECLS

#define SHMLAB_TYPE_WINDOW (shmlab_window_get_type ())
G_DECLARE_FINAL_TYPE (ShmlabWindow, shmlab_window, SHMLAB, WINDOW, GtkApplicationWindow)

ShmlabWindow  *shmlab_window_new         (GtkApplication *application,
                                          ShmlabStation  *station);
ShmlabStation *shmlab_window_get_station (ShmlabWindow   *self);

G_END_DECLS
