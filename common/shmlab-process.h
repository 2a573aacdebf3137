/* shmlab-process.h — whether another process still runs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean shmlab_process_has_ended (guint32 pid);
guint32  shmlab_process_self      (void);

G_END_DECLS
