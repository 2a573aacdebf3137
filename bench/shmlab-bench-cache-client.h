/* shmlab-bench-cache-client.h — what the cache bench compares, each behind
 * one table of functions: the shared cache, the same table behind one
 * lock, and Redis
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include <pthread.h>

#include "shmlab-key.h"

G_BEGIN_DECLS

/**
 * ShmlabBenchCacheSubject:
 * @SHMLAB_BENCH_CACHE_SHARED: ShmlabCache in a segment: a get takes no lock
 * @SHMLAB_BENCH_CACHE_LOCKED: the same cache, with one process-shared
 *   mutex taken around every get and every set
 * @SHMLAB_BENCH_CACHE_REDIS: a Redis server, GET and SET over a Unix socket
 */
typedef enum
{
  SHMLAB_BENCH_CACHE_SHARED,
  SHMLAB_BENCH_CACHE_LOCKED,
  SHMLAB_BENCH_CACHE_REDIS,
  SHMLAB_BENCH_CACHE_N_SUBJECTS,
} ShmlabBenchCacheSubject;

/**
 * ShmlabBenchCacheSubjectInfo:
 * @name: as in the JSON ("shm-cache")
 * @label: for a person, untranslated (N_)
 * @get_path: what one get does, untranslated (N_)
 */
typedef struct
{
  const char *name;
  const char *label;
  const char *get_path;
} ShmlabBenchCacheSubjectInfo;

/**
 * ShmlabBenchCacheTarget:
 * @key: the cache's key (the shared cache, with or without the lock)
 * @lock: the mutex every get and set takes (the locked cache)
 * @redis_socket: the Redis server's Unix socket
 *
 * Where a client finds what it uses.
 */
typedef struct
{
  ShmlabKey *key;
  pthread_mutex_t *lock;
  const char *redis_socket;
} ShmlabBenchCacheTarget;

typedef struct _ShmlabBenchCacheClient ShmlabBenchCacheClient;

const ShmlabBenchCacheSubjectInfo *
         shmlab_bench_cache_subject_info  (ShmlabBenchCacheSubject        subject);

gboolean shmlab_bench_cache_lock_init     (pthread_mutex_t               *lock,
                                           GError                       **error);

ShmlabBenchCacheClient *
         shmlab_bench_cache_client_open   (ShmlabBenchCacheSubject        subject,
                                           const ShmlabBenchCacheTarget  *target,
                                           GError                       **error);
gboolean shmlab_bench_cache_client_set    (ShmlabBenchCacheClient        *self,
                                           const char                    *key,
                                           const guint8                  *value,
                                           gsize                          length,
                                           GError                       **error);
gboolean shmlab_bench_cache_client_get    (ShmlabBenchCacheClient        *self,
                                           const char                    *key,
                                           guint8                        *buffer,
                                           gsize                          capacity,
                                           gsize                         *length,
                                           GError                       **error);
void     shmlab_bench_cache_client_close  (ShmlabBenchCacheClient        *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShmlabBenchCacheClient, shmlab_bench_cache_client_close)

G_END_DECLS
