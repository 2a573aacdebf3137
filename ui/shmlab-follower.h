/* shmlab-follower.h — Follow's policy: when to poll a segment, and what a
 * change, an absence or a failure means, told as signals
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "shmlab-session.h"

G_BEGIN_DECLS

#define SHMLAB_TYPE_FOLLOWER (shmlab_follower_get_type ())
G_DECLARE_FINAL_TYPE (ShmlabFollower, shmlab_follower, SHMLAB, FOLLOWER, GObject)

ShmlabFollower         *shmlab_follower_new             (ShmlabSession  *session,
                                                         GtkWidget      *clock);

void                    shmlab_follower_start           (ShmlabFollower *self);
void                    shmlab_follower_stop            (ShmlabFollower *self);
void                    shmlab_follower_abandon         (ShmlabFollower *self);
gboolean                shmlab_follower_get_following   (ShmlabFollower *self);
gboolean                shmlab_follower_get_polling     (ShmlabFollower *self);
GCancellable           *shmlab_follower_get_cancellable (ShmlabFollower *self);
const ShmlabReadResult *shmlab_follower_get_last        (ShmlabFollower *self);

G_END_DECLS
