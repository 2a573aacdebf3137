/* shmlab-bench-redis.h — a Redis server of the bench's own: started on a
 * private Unix socket with nothing kept on disk, asked whether it answers,
 * and stopped with everything it made
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include <hiredis/hiredis.h>

G_BEGIN_DECLS

/* The package that brings redis-server, and the command that installs it. */
#define SHMLAB_BENCH_REDIS_PACKAGE "redis-server"
#define SHMLAB_BENCH_REDIS_INSTALL "sudo apt-get install " SHMLAB_BENCH_REDIS_PACKAGE

#define SHMLAB_BENCH_REDIS_ERROR (shmlab_bench_redis_error_quark ())
GQuark shmlab_bench_redis_error_quark (void);

/**
 * ShmlabBenchRedisError:
 * @SHMLAB_BENCH_REDIS_ERROR_MISSING: no redis-server on the PATH
 * @SHMLAB_BENCH_REDIS_ERROR_START: it could not be started, ended at once,
 *   or did not answer PING in time
 * @SHMLAB_BENCH_REDIS_ERROR_REQUEST: a request failed, or its answer was not
 *   the one expected
 */
typedef enum
{
  SHMLAB_BENCH_REDIS_ERROR_MISSING,
  SHMLAB_BENCH_REDIS_ERROR_START,
  SHMLAB_BENCH_REDIS_ERROR_REQUEST,
} ShmlabBenchRedisError;

typedef struct _ShmlabBenchRedis ShmlabBenchRedis;

ShmlabBenchRedis *shmlab_bench_redis_start       (const char        *key_prefix,
                                                  GCancellable      *cancellable,
                                                  GError           **error);
void              shmlab_bench_redis_stop        (ShmlabBenchRedis  *self);
const char       *shmlab_bench_redis_get_socket  (ShmlabBenchRedis  *self);
const char       *shmlab_bench_redis_get_dir     (ShmlabBenchRedis  *self);
const char       *shmlab_bench_redis_get_version (ShmlabBenchRedis  *self);
int               shmlab_bench_redis_get_pid     (ShmlabBenchRedis  *self);

redisContext     *shmlab_bench_redis_connect     (const char        *socket_path,
                                                  GError           **error);
redisReply       *shmlab_bench_redis_request     (redisContext      *context,
                                                  int                type,
                                                  GError           **error,
                                                  const char        *first_arg,
                                                  ...) G_GNUC_NULL_TERMINATED;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShmlabBenchRedis, shmlab_bench_redis_stop)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (redisContext, redisFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (redisReply, freeReplyObject)

G_END_DECLS
