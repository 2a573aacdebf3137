/* shmlab-stale.h — what crashed programs left behind: segments of this
 * user no process uses, named the Qt way (ShmLab's and Qt's), in every
 * backend; and their removal, with their locks and key files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "shmlab-segment.h"

G_BEGIN_DECLS

GPtrArray *shmlab_stale_find        (GError                     **error);
gboolean   shmlab_stale_remove      (const ShmlabSegmentListing  *stale,
                                     GError                     **error);
ShmlabSegmentListing *shmlab_stale_find_named (const char         *native_name,
                                               GError            **error);
ShmlabSegmentListing *shmlab_stale_find_id    (int                 id,
                                               GError            **error);
char      *shmlab_stale_describe_age (gint64                      change_time);

G_END_DECLS
