/* shmlab-sigbus.h — mappings of files that another program may cut short:
 * touching a page past the end of such a file raises SIGBUS, which kills a
 * process unless it is caught; a guarded mapping is read as zeros instead,
 * and says so afterwards
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How many mappings one process may guard at once. */
#define SHMLAB_SIGBUS_GUARDS 256

gboolean shmlab_sigbus_guard_add     (gpointer   data,
                                      gsize      size,
                                      GError   **error);
void     shmlab_sigbus_guard_remove  (gpointer   data);
gboolean shmlab_sigbus_guard_tripped (gpointer   data);

G_END_DECLS
