/* shmlab-bench-map.h — what one look at /proc costs `shmlab map` and the
 * Memory tab: with 1, 10 and 100 processes attached, and a 1 GiB segment
 * whose pages are all present
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * ShmlabBenchMapRun:
 * @attached: processes that map the segment (this one and its children)
 * @size: the segment's size in bytes
 * @pages_present: present pages the look found, over all mappings
 * @processes: processes the look went through (the whole machine's)
 * @median_ms, @max_ms: one look, over @looks
 */
typedef struct
{
  guint attached;
  guint64 size;
  guint64 pages_present;
  guint processes;
  guint looks;
  double median_ms;
  double max_ms;
} ShmlabBenchMapRun;

typedef struct
{
  GArray *runs;   /* ShmlabBenchMapRun */
} ShmlabBenchMap;

ShmlabBenchMap *shmlab_bench_map_new     (void);
void            shmlab_bench_map_free    (ShmlabBenchMap *self);
gboolean        shmlab_bench_map_measure (ShmlabBenchMap *self,
                                          gboolean        quick,
                                          const char     *key_prefix,
                                          GCancellable   *cancellable,
                                          GError        **error);
char           *shmlab_bench_map_table   (const ShmlabBenchMap *self);
char           *shmlab_bench_map_json    (const ShmlabBenchMap *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShmlabBenchMap, shmlab_bench_map_free)

G_END_DECLS
