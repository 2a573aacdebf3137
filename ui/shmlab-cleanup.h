/* shmlab-cleanup.h — "Clean up stale segments…": the stale segments of
 * this user in every backend, each with its size and age, and their removal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define SHMLAB_TYPE_CLEANUP (shmlab_cleanup_get_type ())
G_DECLARE_FINAL_TYPE (ShmlabCleanup, shmlab_cleanup, SHMLAB, CLEANUP, GtkWindow)

ShmlabCleanup *shmlab_cleanup_show       (GtkWindow     *parent);
gboolean       shmlab_cleanup_get_busy   (ShmlabCleanup *self);
guint          shmlab_cleanup_get_n_rows (ShmlabCleanup *self);
const char    *shmlab_cleanup_get_status (ShmlabCleanup *self);

G_END_DECLS
