/* shmlab-cache-view.h — the Reader's view of a shared cache: its entries
 * with a countdown to their expiry, and its figures, once or live
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "shmlab-cache-client.h"
#include "shmlab-cache-table.h"
#include "shmlab-key.h"

G_BEGIN_DECLS

#define SHMLAB_TYPE_CACHE_VIEW (shmlab_cache_view_get_type ())
G_DECLARE_FINAL_TYPE (ShmlabCacheView, shmlab_cache_view, SHMLAB, CACHE_VIEW, GtkWidget)

void                       shmlab_cache_view_start        (ShmlabCacheView *self,
                                                           ShmlabKey       *key,
                                                           gint             lock_timeout_ms,
                                                           gboolean         follow);
void                       shmlab_cache_view_stop         (ShmlabCacheView *self);
gboolean                   shmlab_cache_view_get_following (ShmlabCacheView *self);
const ShmlabCacheSnapshot *shmlab_cache_view_get_snapshot (ShmlabCacheView *self);
const char                *shmlab_cache_view_get_problem  (ShmlabCacheView *self);
char                      *shmlab_cache_view_describe     (ShmlabCacheView *self);
ShmlabCacheTable          *shmlab_cache_view_get_table    (ShmlabCacheView *self);
const char                *shmlab_cache_view_get_pointer_note (ShmlabCacheView *self);
GtkWidget                 *shmlab_cache_view_get_result_widget (ShmlabCacheView *self);

G_END_DECLS
