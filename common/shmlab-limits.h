/* shmlab-limits.h — how much shared memory this system allows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "shmlab-error.h"
#include "shmlab-native-key.h"

G_BEGIN_DECLS

/**
 * ShmlabLimits:
 * @shmmax: the largest System V segment, bytes (kernel.shmmax)
 * @shmall: all System V segments together, in pages (kernel.shmall)
 * @shmmni: how many System V segments may exist (kernel.shmmni)
 * @page_size: the page size, bytes
 * @dev_shm_total: the size of /dev/shm, bytes (0 when unknown)
 * @dev_shm_free: what is free in /dev/shm for this user, bytes (0 when unknown)
 * @memory_total: RAM and swap together, bytes: no segment can be larger
 * @temp_dir_total, @temp_dir_free: the size of the temp dir's file system,
 *   and what is free there for this user, bytes: where File segments go
 *
 * A field the system does not tell is G_MAXUINT64.
 */
typedef struct
{
  guint64 shmmax;
  guint64 shmall;
  guint64 shmmni;
  guint64 page_size;
  guint64 dev_shm_total;
  guint64 dev_shm_free;
  guint64 memory_total;
  guint64 temp_dir_total;
  guint64 temp_dir_free;
} ShmlabLimits;

void     shmlab_limits_read                (ShmlabLimits        *limits);
guint64  shmlab_limits_max_size            (const ShmlabLimits  *limits,
                                            ShmlabBackend        backend);
char    *shmlab_limits_describe            (const ShmlabLimits  *limits,
                                            ShmlabBackend        backend);
guint64  shmlab_limits_pages               (const ShmlabLimits  *limits,
                                            guint64              size);
gboolean shmlab_limits_check_size          (const ShmlabLimits  *limits,
                                            ShmlabBackend        backend,
                                            const char          *key,
                                            guint64              size,
                                            GError             **error);
char    *shmlab_format_bytes               (guint64              bytes);
gboolean shmlab_parse_size                 (const char          *text,
                                            guint64             *bytes,
                                            GError             **error);

G_END_DECLS
