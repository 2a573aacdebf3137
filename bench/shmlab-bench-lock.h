/* shmlab-bench-lock.h — the cost of an uncontended lock + unlock, per backend
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "shmlab-native-key.h"

G_BEGIN_DECLS

/**
 * ShmlabBenchLock:
 * @segment_ns: shmlab_segment_lock() + shmlab_segment_unlock(), no
 *   cancellable: what the bench's own transfers use
 * @cancellable_ns: the same with a GCancellable, as the shmlab commands and
 *   the apps' background tasks wait (in slices, to notice a cancel)
 * @primitive_ns: the bare system primitive: a semop() pair (System V) or
 *   sem_wait() + sem_post() (POSIX)
 */
typedef struct
{
  ShmlabBackend backend;
  gboolean measured;
  gboolean ok;
  char *error;
  double segment_ns;
  double cancellable_ns;
  double primitive_ns;
} ShmlabBenchLock;

gboolean shmlab_bench_measure_lock (ShmlabBackend          backend,
                                    double                 seconds,
                                    const char            *key,
                                    GCancellable          *cancellable,
                                    ShmlabBenchLock       *lock,
                                    GError               **error);

G_END_DECLS
