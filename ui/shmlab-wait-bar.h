/* shmlab-wait-bar.h — "waiting for the lock held by another process", a
 * spinner and Cancel; and a progress bar for long copies and encodings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "shmlab-session.h"
#include "shmlab-watch.h"

G_BEGIN_DECLS

#define SHMLAB_TYPE_WAIT_BAR (shmlab_wait_bar_get_type ())
G_DECLARE_FINAL_TYPE (ShmlabWaitBar, shmlab_wait_bar, SHMLAB, WAIT_BAR, GtkWidget)

GtkWidget *shmlab_wait_bar_new           (void);
void       shmlab_wait_bar_set_session   (ShmlabWaitBar *self,
                                          ShmlabSession *session);
void       shmlab_wait_bar_start_work    (ShmlabWaitBar *self,
                                          const char    *what,
                                          GCancellable  *cancellable);
void       shmlab_wait_bar_set_progress  (ShmlabWaitBar *self,
                                          double         fraction);
void       shmlab_wait_bar_stop_work     (ShmlabWaitBar *self);
gboolean   shmlab_wait_bar_is_shown      (ShmlabWaitBar *self);
void       shmlab_wait_bar_set_cancellable (ShmlabWaitBar *self,
                                          GCancellable  *cancellable);
const char *shmlab_wait_bar_get_message  (ShmlabWaitBar *self);
void       shmlab_wait_bar_set_watch     (ShmlabWaitBar *self,
                                          ShmlabWatch   *watch);

G_END_DECLS
