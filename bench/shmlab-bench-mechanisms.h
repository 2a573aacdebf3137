/* shmlab-bench-mechanisms.h — the ways of moving bytes the bench compares,
 * by name and by what each costs on paper
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "shmlab-native-key.h"

G_BEGIN_DECLS

typedef enum
{
  SHMLAB_BENCH_MEMCPY,
  SHMLAB_BENCH_SHM_SYSV,
  SHMLAB_BENCH_SHM_POSIX,
  SHMLAB_BENCH_SHM_FILE,
  SHMLAB_BENCH_SHM_INPLACE,
  SHMLAB_BENCH_PIPE,
  SHMLAB_BENCH_UNIX_SOCKET,
  SHMLAB_BENCH_TCP_LOOPBACK,
  SHMLAB_BENCH_N_MECHANISMS,
} ShmlabBenchMechanism;

/**
 * ShmlabBenchMechanismInfo:
 * @name: as on the command line
 * @processes: 1 for memcpy, 2 for the others
 * @copies: copies of each message, the writer's and the reader's
 * @copies_detail: where they happen
 * @syscalls: system calls per message in a stream, stated from the code
 * @signal: how the reader learns that a message is there
 * @summary: what the mechanism does, in one sentence
 * @lock_syscalls: system calls one uncontended shmlab_segment_lock() makes
 *   on @backend, as strace shows them
 * @unlock_syscalls: the same for shmlab_segment_unlock()
 */
typedef struct
{
  const char *name;
  guint processes;
  guint copies;
  const char *copies_detail;
  const char *syscalls;
  const char *signal;
  const char *summary;
  gboolean uses_shm;      /* through a ShmlabSegment, … */
  ShmlabBackend backend;  /* … on this backend */
  guint lock_syscalls;
  guint unlock_syscalls;
} ShmlabBenchMechanismInfo;

const ShmlabBenchMechanismInfo *
         shmlab_bench_mechanism_info        (ShmlabBenchMechanism  mechanism);
gboolean shmlab_bench_mechanism_from_string (const char           *name,
                                             ShmlabBenchMechanism *mechanism);
char    *shmlab_bench_mechanism_names       (void);
gboolean shmlab_bench_mechanism_uses_shm    (ShmlabBenchMechanism  mechanism,
                                             ShmlabBackend        *backend);

G_END_DECLS
