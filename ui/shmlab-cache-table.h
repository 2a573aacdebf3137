/* shmlab-cache-table.h — a cache's entries as a table: key, value, a
 * countdown to their expiry, accesses; what the Writer's Cache page and the
 * Reader's cache view both show
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "shmlab-cache.h"

G_BEGIN_DECLS

#define SHMLAB_TYPE_CACHE_TABLE (shmlab_cache_table_get_type ())
G_DECLARE_FINAL_TYPE (ShmlabCacheTable, shmlab_cache_table, SHMLAB, CACHE_TABLE, GtkWidget)

GtkWidget              *shmlab_cache_table_new              (void);
void                    shmlab_cache_table_set_entries      (ShmlabCacheTable *self,
                                                             GPtrArray        *entries);
void                    shmlab_cache_table_set_placeholder  (ShmlabCacheTable *self,
                                                             const char       *text);
guint                   shmlab_cache_table_get_n_rows       (ShmlabCacheTable *self);
char                   *shmlab_cache_table_describe_row     (ShmlabCacheTable *self,
                                                             const char       *key);
const ShmlabCacheEntry *shmlab_cache_table_get_selected     (ShmlabCacheTable *self);
gboolean                shmlab_cache_table_select           (ShmlabCacheTable *self,
                                                             const char       *key);

char                   *shmlab_cache_describe_countdown     (gint64            expiry_ms,
                                                             gint64            now_ms);

G_END_DECLS
