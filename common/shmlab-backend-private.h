/* shmlab-backend-private.h — what a backend is: the interface each backend
 * file fills (System V, POSIX), and what the backends share
 *
 * Every function here that changes a segment runs with the segment's lock
 * held, as Qt runs create, attach and detach.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "shmlab-backend.h"
#include "shmlab-limits.h"
#include "shmlab-lock-holder.h"
#include "shmlab-map-identity.h"
#include "shmlab-segment.h"
#include "shmlab-semaphore.h"

G_BEGIN_DECLS

/* One process's view of a segment it is attached to. */
typedef struct
{
  gpointer data;
  gsize size;
  ShmlabAccessMode mode;
  int id;            /* System V segment id */
  gboolean created;  /* this process created it (POSIX: and so unlinks it) */
  gpointer handle;   /* what else the backend keeps while mapped (File: the open file) */
} ShmlabMapping;

/* The lock beside a segment; the backend keeps its handle in @id or @handle. */
struct _ShmlabSemaphore
{
  const ShmlabBackendClass *backend;
  char *key;
  char *native_key;

  int id;                /* an id, -1 until resolved (System V); File: the open file */
  gpointer handle;       /* a handle, NULL until opened (POSIX) */
  gboolean created;      /* this process created the semaphore (and so may remove it) */
  gboolean created_key_file;
  guint32 *holder_word;  /* where to record the holder the moment it is taken */
  guint32 holder_value;
};

/**
 * ShmlabBackendClass:
 * @id: its value
 * @name: its name on the command line, "sysv"
 * @label: its name for a person, N_()
 * @choice: its name in a list to choose from, N_()
 * @option: what a suggested command adds to name it, "" for the default
 * @size_advice: the way out of a size the limits refuse, after "pick a
 *   smaller size"
 * @stale_note: what a segment of this kind that no process uses is, most
 *   likely, in a few words for the key bar, N_()
 * @from_qt: Qt programs use this kind of shared memory (so a key has Qt's
 *   string form)
 * @native_is_path: a native name is a file's path (System V's key file,
 *   File's file itself), which a native key may choose: where it may be is
 *   checked (shmlab_key_file_check_place())
 * @lock_in_segment: the lock is the segment's own file, one native name
 *   for both (an empty file: a lock, no segment yet)
 * @persistent: the segment is meant to outlive every process that used it
 *   (a file): detach never removes it, and one nobody maps is not stale
 * @bounded_by_memory: a segment can be no larger than RAM and swap together
 * @holder_in_frame: the system does not say who holds the lock: the holder
 *   records itself in the frame (see shmlab_frame_lock_holder())
 * @lock_kept_by_dead_holder: a holder that dies keeps the lock (the kernel
 *   gives a System V semaphore or a file lock back, not a POSIX semaphore):
 *   a waiter takes the lock of a recorded holder that is gone over
 * @lock_syscalls: system calls one uncontended lock or unlock costs
 * @lock_calls: (nullable): what they are, for the bench's report, N_()
 * @native_name: the native name of a valid key's segment or semaphore
 * @describe_native_key: the native name with what it means, for a person
 *   (@info: what the system says of the segment now)
 * @map_identity: how the segment of @native_key (which @info describes)
 *   shows in /proc/PID/maps, and what all its mappings share
 * @name_exists: whether something of the segment's native name is left
 *   besides the segment itself (a key file), to be removed with it
 * @create, @attach, @detach, @query, @remove, @list: the segment
 * @lock_open, @lock_acquire, @lock_release, @lock_close, @lock_remove: the
 *   lock of one #ShmlabSemaphore
 * @lock_exists, @lock_remove_name: the lock of a native name, whoever has it
 * @lock_holder: whether the lock of @semaphore_native exists and is taken,
 *   and its holder's pid in @holder when the system knows it (0 when not),
 *   looked at without taking or making anything
 * @bare_lock_open, @bare_lock_pair, @bare_lock_close: a bare semaphore of
 *   the same kind, with none of ShmLab's checks, for the bench to compare with
 * @max_size: the largest segment one could hope to create now
 * @describe_limits: one sentence on the limits that matter, for messages
 * @check_size: whether a segment of @size could be created now (after the
 *   check against the memory, which is the same for all)
 * @set_memory_error: the error for a segment larger than all the memory
 * @mapping_intact: (nullable): whether all of @mapping is still backed by
 *   the segment (File: the file may have been cut short since it was
 *   mapped); NULL when it always is
 * @qt_key_type: the type of Qt 6.6's native keys of this kind, as their
 *   string form writes it ("posix", "systemv"); File, which Qt has not,
 *   takes "file" in the same form
 * @qt_key_ftok_id: whether those keys carry an ftok() project id
 * @qt_native_name: what `QNativeIpcKey(key, type)` makes of a typed @key,
 *   checked (a #ShmlabQtKeyError otherwise)
 * @qt_native_check: whether @native_name is one this kind can take
 *
 * A backend: one file, one of these, one entry in the table of
 * shmlab-backend.c. Nothing outside the backend files asks which backend
 * it is: they call through this.
 */
struct _ShmlabBackendClass
{
  ShmlabBackend id;
  const char *name;
  const char *label;
  const char *choice;
  const char *option;
  const char *size_advice;
  const char *stale_note;
  gboolean from_qt;
  gboolean native_is_path;
  gboolean lock_in_segment;
  gboolean persistent;
  gboolean bounded_by_memory;
  gboolean holder_in_frame;
  gboolean lock_kept_by_dead_holder;
  guint lock_syscalls;
  const char *lock_calls;

  char     *(*native_name)   (const char              *safe_name);
  gboolean  (*name_exists)   (const char              *native_key);
  gboolean  (*map_identity)  (const char              *native_key,
                              const ShmlabSegmentInfo *info,
                              ShmlabMapIdentity       *identity,
                              GError                 **error);
  char     *(*describe_native_key) (const char        *native_key,
                                    const ShmlabSegmentInfo *info);

  gboolean  (*create)        (const char              *key,
                              const char              *native_key,
                              gsize                    size,
                              ShmlabAccessMode         mode,
                              ShmlabMapping           *mapping,
                              GError                 **error);
  gboolean  (*attach)        (const char              *key,
                              const char              *native_key,
                              ShmlabAccessMode         mode,
                              ShmlabMapping           *mapping,
                              GError                 **error);
  gboolean  (*detach)        (const char              *native_key,
                              ShmlabMapping           *mapping,
                              gboolean                 remove_if_last,
                              gboolean                *removed,
                              GError                 **error);
  gboolean  (*query)         (const char              *key,
                              const char              *native_key,
                              ShmlabSegmentInfo       *info,
                              GError                 **error);
  gboolean  (*remove)        (const char              *key,
                              const char              *native_key,
                              const ShmlabSegmentInfo *info,
                              GError                 **error);
  gboolean  (*list)          (GPtrArray               *listings,
                              GError                 **error);

  gboolean  (*lock_open)     (ShmlabSemaphore         *lock,
                              GError                 **error);
  /* @slice_ms: the longest single wait, -1 for none; FALSE with no error: the slice ended */
  gboolean  (*lock_acquire)  (ShmlabSemaphore         *lock,
                              gint64                   slice_ms,
                              GError                 **error);
  gboolean  (*lock_release)  (ShmlabSemaphore         *lock,
                              GError                 **error);
  void      (*lock_close)    (ShmlabSemaphore         *lock);
  void      (*lock_remove)   (ShmlabSemaphore         *lock);
  gboolean  (*lock_exists)   (const char              *native_key);
  void      (*lock_remove_name) (const char           *native_key);
  ShmlabLockState (*lock_holder) (const char          *segment_native,
                                  const char          *semaphore_native,
                                  pid_t               *holder);

  gpointer  (*bare_lock_open)  (GError               **error);
  gboolean  (*bare_lock_pair)  (gpointer               bare);
  void      (*bare_lock_close) (gpointer               bare);

  guint64   (*max_size)        (const ShmlabLimits    *limits);
  char     *(*describe_limits) (const ShmlabLimits    *limits);
  gboolean  (*check_size)      (const ShmlabLimits    *limits,
                                const char            *key,
                                guint64                size,
                                GError               **error);
  void      (*set_memory_error) (GError              **error,
                                 const ShmlabLimits   *limits,
                                 const char           *key,
                                 guint64               size);
  gboolean  (*mapping_intact)  (const char            *key,
                                const ShmlabMapping   *mapping,
                                GError               **error);

  const char *qt_key_type;
  gboolean    qt_key_ftok_id;
  char     *(*qt_native_name)  (const char            *key,
                                GError               **error);
  gboolean  (*qt_native_check) (const char            *native_name,
                                GError               **error);
};

extern const ShmlabBackendClass shmlab_backend_sysv;
extern const ShmlabBackendClass shmlab_backend_posix;
extern const ShmlabBackendClass shmlab_backend_file;

/* What the backends share (shmlab-segment-info.c). */
void     shmlab_segment_set_errno_error    (GError **error, int saved_errno, const char *key,
                                            const char *what);
void     shmlab_segment_set_exists_error   (GError **error, const char *key, ShmlabBackend backend,
                                            const ShmlabSegmentInfo *info);
void     shmlab_segment_set_not_mine_error (GError **error, const char *key, uid_t owner);
void     shmlab_segment_set_size_error     (GError **error, ShmlabSegmentError code, const char *key,
                                            ShmlabBackend backend, guint64 size, const char *reason);
void     shmlab_semaphore_set_owner_error  (ShmlabSemaphore *self, uid_t owner, GError **error);

G_END_DECLS
