/* shmlab-memory-map.h — every process that maps a key's segment, where,
 * and which of its pages are in memory: the article's diagram, read from
 * /proc
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <sys/types.h>

#include "shmlab-key.h"
#include "shmlab-map-identity.h"

G_BEGIN_DECLS

/* How many bins a mapping's pages are drawn in, at most. */
#define SHMLAB_MEMORY_MAP_BINS 64

/**
 * ShmlabMemoryMapping:
 * @pid, @uid, @program: the process (its `comm`, valid UTF-8)
 * @start, @end: where this process has the segment (its own addresses)
 * @writable: mapped read-write (else read-only); always shared
 * @n_pages: pages in the mapping
 * @present: pages present in this process's page table now, -1 if its
 *   pagemap cannot be read
 * @bins: @n_bins shares of present pages, 0 (none) to 255 (all), in address
 *   order; for drawing
 * @first_frame: the physical frame of the first present page, 0 when the
 *   kernel hides frames from this user
 * @same_frames: every page present both here and in the first mapping is
 *   on the same physical frame (meaningful only when frames are visible)
 */
typedef struct
{
  guint32 pid;
  uid_t uid;
  char *program;
  guint64 start;
  guint64 end;
  gboolean writable;
  guint64 n_pages;
  gint64 present;
  guint n_bins;
  guint8 bins[SHMLAB_MEMORY_MAP_BINS];
  guint64 first_frame;
  gboolean same_frames;
} ShmlabMemoryMapping;

/**
 * ShmlabMemoryMap:
 * @exists: a segment has the key
 * @identity: what every mapping of it shares
 * @size: its size in bytes; @page_size the system's page
 * @attach_count: how many attachments the kernel counts;
 *   @attach_count_exact: it is the kernel's own count (System V), not what
 *   /proc showed this user
 * @mappings: (element-type ShmlabMemoryMapping): in pid then address order
 * @n_processes: processes looked at
 * @n_unreadable: processes whose maps this user may not read (other users')
 * @frames_visible: the kernel shows this user physical frames (root or
 *   CAP_SYS_ADMIN, since Linux 4.0)
 * @frames_same: frames are visible, and every mapping's present pages are on
 *   the same frames
 */
typedef struct
{
  gboolean exists;
  ShmlabMapIdentity identity;
  guint64 size;
  guint64 page_size;
  gint attach_count;
  gboolean attach_count_exact;
  GPtrArray *mappings;
  guint n_processes;
  guint n_unreadable;
  gboolean frames_visible;
  gboolean frames_same;
} ShmlabMemoryMap;

ShmlabMemoryMap *shmlab_memory_map_scan       (ShmlabKey        *key,
                                               GCancellable     *cancellable,
                                               GError          **error);
ShmlabMemoryMap *shmlab_memory_map_scan_proc  (const char       *proc_root,
                                               const ShmlabMapIdentity *identity,
                                               guint64           size,
                                               GCancellable     *cancellable,
                                               GError          **error);
guint            shmlab_memory_map_count_hidden (const ShmlabMemoryMap *map);
guint64          shmlab_memory_map_first_frame  (const ShmlabMemoryMap *map);
char            *shmlab_memory_map_describe_attached (const ShmlabMemoryMap *map);
char            *shmlab_memory_map_describe_physical (const ShmlabMemoryMap *map);
const char      *shmlab_memory_map_lesson       (void);
char            *shmlab_memory_map_to_json    (const ShmlabMemoryMap *map,
                                               ShmlabKey             *key);
void             shmlab_memory_map_free       (ShmlabMemoryMap  *map);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShmlabMemoryMap, shmlab_memory_map_free)

G_END_DECLS
