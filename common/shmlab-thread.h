/* shmlab-thread.h — a worker thread that gives way to the window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The nice value a worker thread takes: the main thread (which draws the
 * window) and the display server get the CPU first when both want it. */
#define SHMLAB_THREAD_BACKGROUND_NICE 10

void     shmlab_thread_set_background (void);
gboolean shmlab_thread_is_background  (void);

G_END_DECLS
