/* shmlab-bench-cache-client.c — what the cache bench compares, each behind
 * one table of functions
 *
 * A get copies the value into the caller's buffer and lets go of what the
 * client returned (the cache's entry, Redis's reply): the same work after
 * the lookup for every subject, and what a program does before it uses the
 * value.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-bench-cache-client.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <string.h>

#include "shmlab-bench-redis.h"
#include "shmlab-cache-segment.h"

/* How long a client waits for the cache's writer lock. */
#define LOCK_TIMEOUT_MS 5000

typedef struct
{
  gboolean (*open)  (ShmlabBenchCacheClient        *self,
                     const ShmlabBenchCacheTarget  *target,
                     GError                       **error);
  gboolean (*set)   (ShmlabBenchCacheClient        *self,
                     const char                    *key,
                     const guint8                  *value,
                     gsize                          length,
                     GError                       **error);
  gboolean (*get)   (ShmlabBenchCacheClient        *self,
                     const char                    *key,
                     guint8                        *buffer,
                     gsize                          capacity,
                     gsize                         *length,
                     GError                       **error);
  void     (*close) (ShmlabBenchCacheClient        *self);
} ClientClass;

struct _ShmlabBenchCacheClient
{
  const ClientClass *klass;
  ShmlabCacheSegment *store;
  ShmlabCache *cache;
  pthread_mutex_t *lock;
  redisContext *redis;
};

static const ShmlabBenchCacheSubjectInfo subjects[] = {
  [SHMLAB_BENCH_CACHE_SHARED] = {
    "shm-cache", N_("shared cache"),
    N_("ShmlabCache in a POSIX segment: a get takes no lock, copies the entry under a sequence "
       "counter and looks again if a writer changed it meanwhile"),
  },
  [SHMLAB_BENCH_CACHE_LOCKED] = {
    "shm-cache-locked", N_("shared cache, one lock"),
    N_("the same table, with one process-shared mutex taken around every get and every set: "
       "readers wait for each other and for the writer"),
  },
  [SHMLAB_BENCH_CACHE_REDIS] = {
    "redis", N_("Redis"),
    N_("a Redis server of the bench's own, GET and SET through hiredis over a Unix socket: one "
       "request and its answer at a time"),
  },
};

const ShmlabBenchCacheSubjectInfo *
shmlab_bench_cache_subject_info (ShmlabBenchCacheSubject subject)
{
  g_return_val_if_fail (subject < SHMLAB_BENCH_CACHE_N_SUBJECTS, NULL);
  return &subjects[subject];
}

/* A mutex for processes: robust, so that a process killed holding it does
 * not stop the others. */
gboolean
shmlab_bench_cache_lock_init (pthread_mutex_t  *lock,
                              GError          **error)
{
  pthread_mutexattr_t attr;
  int rc;

  pthread_mutexattr_init (&attr);
  pthread_mutexattr_setpshared (&attr, PTHREAD_PROCESS_SHARED);
  pthread_mutexattr_setrobust (&attr, PTHREAD_MUTEX_ROBUST);
  rc = pthread_mutex_init (lock, &attr);
  pthread_mutexattr_destroy (&attr);
  if (rc != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (rc),
                   _("cannot make the bench's lock: %s"), g_strerror (rc));
      return FALSE;
    }
  return TRUE;
}

static gboolean
take_lock (pthread_mutex_t  *lock,
           GError          **error)
{
  int rc = pthread_mutex_lock (lock);

  /* Its holder was killed: nothing it guarded is half done (the cache repairs itself). */
  if (rc == EOWNERDEAD)
    rc = pthread_mutex_consistent (lock);
  if (rc != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (rc),
                   _("cannot take the bench's lock: %s"), g_strerror (rc));
      return FALSE;
    }
  return TRUE;
}

/* ---- the shared cache ---- */

static gboolean
cache_open (ShmlabBenchCacheClient        *self,
            const ShmlabBenchCacheTarget  *target,
            GError                       **error)
{
  self->store = shmlab_cache_segment_open (target->key, FALSE, 0, 0, LOCK_TIMEOUT_MS, NULL, error);
  if (self->store == NULL)
    return FALSE;
  self->cache = shmlab_cache_segment_get_cache (self->store);
  return TRUE;
}

static gboolean
cache_set (ShmlabBenchCacheClient  *self,
           const char              *key,
           const guint8            *value,
           gsize                    length,
           GError                 **error)
{
  return shmlab_cache_set (self->cache, key, value, length, 0, error);
}

static gboolean
cache_get (ShmlabBenchCacheClient  *self,
           const char              *key,
           guint8                  *buffer,
           gsize                    capacity,
           gsize                   *length,
           GError                 **error)
{
  ShmlabCacheEntry *entry = shmlab_cache_get (self->cache, key, error);
  const guint8 *data;

  if (entry == NULL)
    return FALSE;
  data = g_bytes_get_data (entry->value, length);
  memcpy (buffer, data, MIN (*length, capacity));
  shmlab_cache_entry_free (entry);
  return TRUE;
}

static void
cache_close (ShmlabBenchCacheClient *self)
{
  g_clear_pointer (&self->store, shmlab_cache_segment_close);
  self->cache = NULL;
}

static const ClientClass cache_class = {
  cache_open, cache_set, cache_get, cache_close,
};

/* ---- the same, one lock around everything ---- */

static gboolean
locked_open (ShmlabBenchCacheClient        *self,
             const ShmlabBenchCacheTarget  *target,
             GError                       **error)
{
  self->lock = target->lock;
  return cache_open (self, target, error);
}

static gboolean
locked_set (ShmlabBenchCacheClient  *self,
            const char              *key,
            const guint8            *value,
            gsize                    length,
            GError                 **error)
{
  gboolean ok;

  if (!take_lock (self->lock, error))
    return FALSE;
  ok = cache_set (self, key, value, length, error);
  pthread_mutex_unlock (self->lock);
  return ok;
}

static gboolean
locked_get (ShmlabBenchCacheClient  *self,
            const char              *key,
            guint8                  *buffer,
            gsize                    capacity,
            gsize                   *length,
            GError                 **error)
{
  gboolean ok;

  if (!take_lock (self->lock, error))
    return FALSE;
  ok = cache_get (self, key, buffer, capacity, length, error);
  pthread_mutex_unlock (self->lock);
  return ok;
}

static const ClientClass locked_class = {
  locked_open, locked_set, locked_get, cache_close,
};

/* ---- Redis ---- */

static gboolean
redis_open (ShmlabBenchCacheClient        *self,
            const ShmlabBenchCacheTarget  *target,
            GError                       **error)
{
  self->redis = shmlab_bench_redis_connect (target->redis_socket, error);
  return self->redis != NULL;
}

static gboolean
redis_set (ShmlabBenchCacheClient  *self,
           const char              *key,
           const guint8            *value,
           gsize                    length,
           GError                 **error)
{
  const char *argv[3] = { "SET", key, (const char *) value };
  size_t lengths[3] = { 3, strlen (key), length };
  redisReply *reply = redisCommandArgv (self->redis, 3, argv, lengths);
  gboolean ok = reply != NULL && reply->type == REDIS_REPLY_STATUS &&
                g_strcmp0 (reply->str, "OK") == 0;

  if (!ok)
    g_set_error (error, SHMLAB_BENCH_REDIS_ERROR, SHMLAB_BENCH_REDIS_ERROR_REQUEST,
                 _("Redis did not store “%s”: %s"), key,
                 reply == NULL ? self->redis->errstr
                 : reply->str != NULL ? reply->str : _("an answer of another kind"));
  freeReplyObject (reply);
  return ok;
}

static gboolean
redis_get (ShmlabBenchCacheClient  *self,
           const char              *key,
           guint8                  *buffer,
           gsize                    capacity,
           gsize                   *length,
           GError                 **error)
{
  const char *argv[2] = { "GET", key };
  size_t lengths[2] = { 3, strlen (key) };
  redisReply *reply = redisCommandArgv (self->redis, 2, argv, lengths);

  if (reply == NULL || reply->type != REDIS_REPLY_STRING)
    {
      g_set_error (error, SHMLAB_BENCH_REDIS_ERROR, SHMLAB_BENCH_REDIS_ERROR_REQUEST,
                   _("Redis did not give the value of “%s”: %s"), key,
                   reply == NULL ? self->redis->errstr
                   : reply->type == REDIS_REPLY_NIL ? _("it has none")
                   : reply->str != NULL ? reply->str : _("an answer of another kind"));
      freeReplyObject (reply);
      return FALSE;
    }
  *length = reply->len;
  memcpy (buffer, reply->str, MIN (*length, capacity));
  freeReplyObject (reply);
  return TRUE;
}

static void
redis_close (ShmlabBenchCacheClient *self)
{
  g_clear_pointer (&self->redis, redisFree);
}

static const ClientClass redis_class = {
  redis_open, redis_set, redis_get, redis_close,
};

static const ClientClass *const classes[] = {
  [SHMLAB_BENCH_CACHE_SHARED] = &cache_class,
  [SHMLAB_BENCH_CACHE_LOCKED] = &locked_class,
  [SHMLAB_BENCH_CACHE_REDIS] = &redis_class,
};

/**
 * shmlab_bench_cache_client_open:
 *
 * A client of @subject, found where @target says: in a forked process,
 * each opens its own.
 */
ShmlabBenchCacheClient *
shmlab_bench_cache_client_open (ShmlabBenchCacheSubject        subject,
                                const ShmlabBenchCacheTarget  *target,
                                GError                       **error)
{
  g_autoptr(ShmlabBenchCacheClient) self = g_new0 (ShmlabBenchCacheClient, 1);

  g_return_val_if_fail (subject < SHMLAB_BENCH_CACHE_N_SUBJECTS, NULL);
  self->klass = classes[subject];
  if (!self->klass->open (self, target, error))
    return NULL;
  return g_steal_pointer (&self);
}

gboolean
shmlab_bench_cache_client_set (ShmlabBenchCacheClient  *self,
                               const char              *key,
                               const guint8            *value,
                               gsize                    length,
                               GError                 **error)
{
  return self->klass->set (self, key, value, length, error);
}

/**
 * shmlab_bench_cache_client_get:
 * @length: (out): the value's length, which may be more than @capacity (then
 *   only @capacity bytes were copied)
 *
 * Copies @key's value into @buffer; FALSE when there is none, or on error.
 */
gboolean
shmlab_bench_cache_client_get (ShmlabBenchCacheClient  *self,
                               const char              *key,
                               guint8                  *buffer,
                               gsize                    capacity,
                               gsize                   *length,
                               GError                 **error)
{
  return self->klass->get (self, key, buffer, capacity, length, error);
}

void
shmlab_bench_cache_client_close (ShmlabBenchCacheClient *self)
{
  if (self == NULL)
    return;
  self->klass->close (self);
  g_free (self);
}
