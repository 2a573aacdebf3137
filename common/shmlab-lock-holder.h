/* shmlab-lock-holder.h — whether a key's lock is taken and, where the
 * system knows it, by which process
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <sys/types.h>

#include "shmlab-key.h"

G_BEGIN_DECLS

/**
 * ShmlabLockState:
 * @SHMLAB_LOCK_STATE_NONE: the key has no lock (nobody made one yet)
 * @SHMLAB_LOCK_STATE_FREE: the lock exists and nobody holds it
 * @SHMLAB_LOCK_STATE_TAKEN: a process holds it
 */
typedef enum
{
  SHMLAB_LOCK_STATE_NONE,
  SHMLAB_LOCK_STATE_FREE,
  SHMLAB_LOCK_STATE_TAKEN,
} ShmlabLockState;

/* /proc/PID/comm holds at most 15 bytes; room for a longer one cut whole. */
#define SHMLAB_PROCESS_NAME_MAX 64

/**
 * ShmlabLockHolder:
 * @state: none, free or taken
 * @pid: the holder while taken, 0 when the system does not say
 * @name: its program name (/proc/PID/comm), "" when unknown
 *
 * A plain value: it can be copied and compared with memcmp() (clear it
 * with shmlab_lock_holder_clear() first).
 */
typedef struct
{
  ShmlabLockState state;
  pid_t pid;
  char name[SHMLAB_PROCESS_NAME_MAX];
} ShmlabLockHolder;

void      shmlab_lock_holder_clear          (ShmlabLockHolder       *holder);
gboolean  shmlab_lock_holder_query_for_key  (ShmlabKey              *key,
                                             ShmlabLockHolder       *holder,
                                             GError                **error);
char     *shmlab_lock_holder_describe       (const ShmlabLockHolder *holder);
char     *shmlab_lock_holder_describe_other (const ShmlabLockHolder *holder);
gboolean  shmlab_process_get_name           (pid_t                   pid,
                                             char                   *name,
                                             gsize                   size);

G_END_DECLS
