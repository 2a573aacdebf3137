/* shmlab-segment-private.h — what ShmlabSegment asks of a backend
 *
 * Every function here that changes a segment runs with the segment's lock
 * held, as Qt runs create, attach and detach.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "shmlab-segment.h"

G_BEGIN_DECLS

/* One process's view of a segment it is attached to. */
typedef struct
{
  gpointer data;
  gsize size;
  ShmlabAccessMode mode;
  int id;            /* System V segment id */
  gboolean created;  /* this process created it (POSIX: and so unlinks it) */
} ShmlabMapping;

gboolean shmlab_sysv_create   (const char *key, const char *native_key, gsize size, ShmlabAccessMode mode,
                               ShmlabMapping *mapping, GError **error);
gboolean shmlab_sysv_attach   (const char *key, const char *native_key, ShmlabAccessMode mode,
                               ShmlabMapping *mapping, GError **error);
gboolean shmlab_sysv_detach   (const char *native_key, ShmlabMapping *mapping,
                               gboolean remove_if_last, gboolean *removed, GError **error);
gboolean shmlab_sysv_query    (const char *key, const char *native_key,
                               ShmlabSegmentInfo *info, GError **error);
gboolean shmlab_sysv_remove   (const char *key, const char *native_key,
                               const ShmlabSegmentInfo *info, GError **error);
gboolean shmlab_sysv_list     (GPtrArray *listings, GError **error);

gboolean shmlab_posix_create  (const char *key, const char *native_key, gsize size, ShmlabAccessMode mode,
                               ShmlabMapping *mapping, GError **error);
gboolean shmlab_posix_attach  (const char *key, const char *native_key, ShmlabAccessMode mode,
                               ShmlabMapping *mapping, GError **error);
gboolean shmlab_posix_detach  (const char *native_key, ShmlabMapping *mapping,
                               gboolean remove_if_last, gboolean *removed, GError **error);
gboolean shmlab_posix_query   (const char *key, const char *native_key,
                               ShmlabSegmentInfo *info, GError **error);
gboolean shmlab_posix_remove  (const char *key, const char *native_key,
                               const ShmlabSegmentInfo *info, GError **error);
gboolean shmlab_posix_list    (GPtrArray *listings, GError **error);

void     shmlab_segment_set_exists_error   (GError **error, const char *key, ShmlabBackend backend,
                                            const ShmlabSegmentInfo *info);
void     shmlab_segment_set_not_mine_error (GError **error, const char *key, uid_t owner);
void     shmlab_segment_set_size_error     (GError **error, ShmlabSegmentError code, const char *key,
                                            ShmlabBackend backend, guint64 size, const char *reason);

G_END_DECLS
