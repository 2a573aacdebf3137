/* shmlab-cache-pointer.h — `shmlab cache KEY pointer-store|pointer-read`:
 * why a pointer cannot cross processes, shown without following one
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "shmlab-cache-segment.h"

G_BEGIN_DECLS

int shmlab_cli_cache_pointer_store (ShmlabCacheSegment *store,
                                    double              hold_seconds);
int shmlab_cli_cache_pointer_read  (ShmlabCacheSegment *store,
                                    const char         *name);

G_END_DECLS
