/* shmlab-sysv-calls.h — the System V calls that find or make objects, with a
 * test seam that makes them fail as on a system without System V IPC
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

int shmlab_sysv_shmget (key_t key,
                        size_t size,
                        int    flags);
int shmlab_sysv_semget (key_t key,
                        int    n_sems,
                        int    flags);

G_END_DECLS
