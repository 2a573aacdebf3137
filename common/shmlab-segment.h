/* shmlab-segment.h — a keyed shared-memory segment under a semaphore: the C
 * twin of Qt's QSharedMemory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <sys/types.h>

#include "shmlab-error.h"
#include "shmlab-key.h"
#include "shmlab-native-key.h"

G_BEGIN_DECLS

/**
 * ShmlabAccessMode:
 * @SHMLAB_ACCESS_READ_ONLY: map the segment read-only (QSharedMemory::ReadOnly)
 * @SHMLAB_ACCESS_READ_WRITE: map it for reading and writing (QSharedMemory::ReadWrite)
 */
typedef enum
{
  SHMLAB_ACCESS_READ_ONLY,
  SHMLAB_ACCESS_READ_WRITE,
} ShmlabAccessMode;

/**
 * ShmlabSegmentInfo:
 * @exists: whether the system has a segment for the key
 * @size: its size in bytes
 * @attach_count: processes attached to it now; for POSIX, the processes
 *   this user may inspect that map it (others cannot be seen)
 * @attach_count_exact: FALSE when @attach_count may miss processes
 * @owner_uid: the uid that owns it
 * @creator_pid: the process that created it (System V; 0 when unknown)
 * @last_pid: the last process that attached or detached (System V; 0 when unknown)
 * @mode: its permission bits (0600 for segments made by ShmLab or Qt)
 * @id: the System V segment id (-1 for POSIX)
 * @sysv_key: the System V key from ftok() (0 for POSIX)
 * @change_time: the last attach, detach or change, seconds since the epoch
 * @persistent: it is meant to outlive every process that used it (a file):
 *   one nobody maps is not stale
 */
typedef struct
{
  gboolean exists;
  gsize size;
  gint attach_count;
  gboolean attach_count_exact;
  uid_t owner_uid;
  pid_t creator_pid;
  pid_t last_pid;
  guint mode;
  gint id;
  gint32 sysv_key;
  gint64 change_time;
  gboolean persistent;
} ShmlabSegmentInfo;

#define SHMLAB_TYPE_SEGMENT (shmlab_segment_get_type ())
G_DECLARE_FINAL_TYPE (ShmlabSegment, shmlab_segment, SHMLAB, SEGMENT, GObject)

ShmlabSegment     *shmlab_segment_new                (ShmlabBackend       backend);
ShmlabSegment     *shmlab_segment_new_for_key        (ShmlabKey          *key);
ShmlabBackend      shmlab_segment_get_backend        (ShmlabSegment      *self);

gboolean           shmlab_segment_set_key            (ShmlabSegment      *self,
                                                      const char         *key,
                                                      GError            **error);
void               shmlab_segment_set_key_kind       (ShmlabSegment      *self,
                                                      ShmlabKeyKind       kind);
gboolean           shmlab_segment_set_key_value      (ShmlabSegment      *self,
                                                      ShmlabKey          *key,
                                                      GError            **error);
ShmlabKey         *shmlab_segment_get_key_value      (ShmlabSegment      *self);
const char        *shmlab_segment_get_key            (ShmlabSegment      *self);
const char        *shmlab_segment_get_native_key     (ShmlabSegment      *self);
const char        *shmlab_segment_get_semaphore_key  (ShmlabSegment      *self);

void               shmlab_segment_set_lock_timeout   (ShmlabSegment      *self,
                                                      gint                timeout_ms);
gint               shmlab_segment_get_lock_timeout   (ShmlabSegment      *self);

gboolean           shmlab_segment_create             (ShmlabSegment      *self,
                                                      gsize               size,
                                                      ShmlabAccessMode    mode,
                                                      GCancellable       *cancellable,
                                                      GError            **error);
gboolean           shmlab_segment_attach             (ShmlabSegment      *self,
                                                      ShmlabAccessMode    mode,
                                                      GCancellable       *cancellable,
                                                      GError            **error);
gboolean           shmlab_segment_detach             (ShmlabSegment      *self,
                                                      GError            **error);
gboolean           shmlab_segment_is_attached        (ShmlabSegment      *self);
gboolean           shmlab_segment_get_removed_on_detach (ShmlabSegment   *self);

gboolean           shmlab_segment_lock               (ShmlabSegment      *self,
                                                      GCancellable       *cancellable,
                                                      GError            **error);
gboolean           shmlab_segment_lock_full          (ShmlabSegment      *self,
                                                      gint                timeout_ms,
                                                      GCancellable       *cancellable,
                                                      GError            **error);
gboolean           shmlab_segment_unlock             (ShmlabSegment      *self,
                                                      GError            **error);
char              *shmlab_segment_take_lock_note     (ShmlabSegment      *self);
gboolean           shmlab_segment_check_intact       (ShmlabSegment      *self,
                                                      GError            **error);
gboolean           shmlab_segment_is_locked          (ShmlabSegment      *self);

gsize              shmlab_segment_get_size           (ShmlabSegment      *self);
gpointer           shmlab_segment_get_data           (ShmlabSegment      *self);
const void        *shmlab_segment_get_const_data     (ShmlabSegment      *self);
ShmlabAccessMode   shmlab_segment_get_access_mode    (ShmlabSegment      *self);

ShmlabSegmentError shmlab_segment_get_error          (ShmlabSegment      *self);
const char        *shmlab_segment_get_error_string   (ShmlabSegment      *self);

gboolean           shmlab_segment_query              (ShmlabSegment      *self,
                                                      ShmlabSegmentInfo  *info,
                                                      GError            **error);

gboolean           shmlab_segment_query_key          (const char         *key,
                                                      ShmlabBackend       backend,
                                                      ShmlabSegmentInfo  *info,
                                                      GError            **error);
gboolean           shmlab_segment_find_other_backend (const char         *key,
                                                      ShmlabBackend       backend,
                                                      ShmlabBackend      *other);
gboolean           shmlab_segment_query_for_key      (ShmlabKey          *key,
                                                      ShmlabSegmentInfo  *info,
                                                      GError            **error);
gboolean           shmlab_segment_remove_for_key     (ShmlabKey          *key,
                                                      gboolean            force,
                                                      GError            **error);
gboolean           shmlab_segment_remove_key         (const char         *key,
                                                      ShmlabBackend       backend,
                                                      gboolean            force,
                                                      GError            **error);

/**
 * ShmlabSegmentListing:
 * @backend: where it lives
 * @key: (nullable): the user's key, when it can be recovered (a key file
 *   written by ShmLab holds it)
 * @key_letters: the letters of the key kept in the native name ("" when the
 *   segment has no Qt-style name)
 * @native_key: the key file path (System V, Qt-style), "0x…" (other System V
 *   segments) or the /dev/shm name (POSIX)
 * @qt_named: its native name is one Qt's scheme makes — a Qt-style key file,
 *   or a key ftok() made with Qt's 'Q' whose file is gone (System V), or a
 *   Qt-style name (POSIX) — so ShmLab or a Qt program made it; not so for
 *   other programs' segments, such as the X server's
 * @info: what the system says of it
 *
 * One segment found by shmlab_segment_list().
 */
typedef struct
{
  ShmlabBackend backend;
  char *key;
  char *key_letters;
  char *native_key;
  gboolean qt_named;
  ShmlabSegmentInfo info;
} ShmlabSegmentListing;

void               shmlab_segment_listing_free       (ShmlabSegmentListing *listing);
GPtrArray         *shmlab_segment_list               (ShmlabBackend       backend,
                                                      GError            **error);
GBytes            *shmlab_segment_peek_key           (const char         *key,
                                                      ShmlabBackend       backend,
                                                      gsize               max_bytes,
                                                      gint                timeout_ms,
                                                      ShmlabSegmentInfo  *info,
                                                      GError            **error);
GBytes            *shmlab_segment_peek_for_key       (ShmlabKey          *key,
                                                      gsize               max_bytes,
                                                      gint                timeout_ms,
                                                      ShmlabSegmentInfo  *info,
                                                      GError            **error);
gboolean           shmlab_segment_info_is_stale      (const ShmlabSegmentInfo *info);
char              *shmlab_segment_describe_native_key (ShmlabBackend     backend,
                                                      const char        *native_key,
                                                      const ShmlabSegmentInfo *info);
void               shmlab_segment_info_clear         (ShmlabSegmentInfo  *info);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShmlabSegmentListing, shmlab_segment_listing_free)

G_END_DECLS
