/* shmlab-cache-page.h — the Writer's Cache page: the entries of the cache in
 * the key's segment, added, edited and deleted with their expiry
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "shmlab-cache-client.h"
#include "shmlab-cache-table.h"
#include "shmlab-session.h"

G_BEGIN_DECLS

#define SHMLAB_TYPE_CACHE_PAGE (shmlab_cache_page_get_type ())
G_DECLARE_FINAL_TYPE (ShmlabCachePage, shmlab_cache_page, SHMLAB, CACHE_PAGE, GtkWidget)

void                       shmlab_cache_page_set_session  (ShmlabCachePage *self,
                                                           ShmlabSession   *session);
void                       shmlab_cache_page_load_hot_data (ShmlabCachePage *self);
void                       shmlab_cache_page_fill_form    (ShmlabCachePage *self,
                                                           const char      *key,
                                                           const char      *value,
                                                           guint            ttl_seconds);
gboolean                   shmlab_cache_page_get_busy     (ShmlabCachePage *self);
const ShmlabCacheSnapshot *shmlab_cache_page_get_snapshot (ShmlabCachePage *self);
ShmlabCacheTable          *shmlab_cache_page_get_table    (ShmlabCachePage *self);
const char                *shmlab_cache_page_get_status   (ShmlabCachePage *self);
void                       shmlab_cache_page_stop         (ShmlabCachePage *self);

G_END_DECLS
