/* shmlab-watch.h — what the system says of a key's segment and lock, asked
 * again every half second in a worker thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "shmlab-key.h"
#include "shmlab-lock-holder.h"
#include "shmlab-segment.h"

G_BEGIN_DECLS

/* How often a watch asks, in milliseconds. */
#define SHMLAB_WATCH_INTERVAL_MS 500

#define SHMLAB_TYPE_WATCH (shmlab_watch_get_type ())
G_DECLARE_FINAL_TYPE (ShmlabWatch, shmlab_watch, SHMLAB, WATCH, GObject)

ShmlabWatch             *shmlab_watch_new        (guint        interval_ms);
void                     shmlab_watch_set_key    (ShmlabWatch *self,
                                                  ShmlabKey   *key);
ShmlabKey               *shmlab_watch_get_key    (ShmlabWatch *self);
void                     shmlab_watch_refresh    (ShmlabWatch *self);
void                     shmlab_watch_stop       (ShmlabWatch *self);
gboolean                 shmlab_watch_get_known  (ShmlabWatch *self);
const ShmlabSegmentInfo *shmlab_watch_get_info   (ShmlabWatch *self);
const ShmlabLockHolder  *shmlab_watch_get_lock   (ShmlabWatch *self);

G_END_DECLS
