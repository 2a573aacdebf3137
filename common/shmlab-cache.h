/* shmlab-cache.h — a key–value cache laid out entirely inside one shared
 * segment: many readers at once, one writer, no pointers, and a lock that
 * survives a holder killed at any instruction
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The article's limits: a key of up to 255 bytes, a value of up to 4 KiB. */
#define SHMLAB_CACHE_KEY_MAX 255
#define SHMLAB_CACHE_VALUE_MAX 4096

/* What a cache segment starts with. */
#define SHMLAB_CACHE_MAGIC "SHMCACHE"
#define SHMLAB_CACHE_VERSION 1

/* The header's size, and the size of one entry's slot in the pool. */
#define SHMLAB_CACHE_HEADER_SIZE 4096
#define SHMLAB_CACHE_SLOT_SIZE 4416

/* The geometry a new cache gets unless told otherwise (about 4.4 MiB). */
#define SHMLAB_CACHE_DEFAULT_SLOTS 1000
#define SHMLAB_CACHE_DEFAULT_BUCKETS 1024

/* The largest geometry accepted from a segment (and made). */
#define SHMLAB_CACHE_MAX_SLOTS (1u << 20)
#define SHMLAB_CACHE_MAX_BUCKETS (1u << 20)

/* Reader processes with a place of their own in the header (where each
 * counts its own hits and misses, and says when it is inside); more are
 * served, counted in the shared counters, not seen inside. */
#define SHMLAB_CACHE_READER_SLOTS 32
/* Where those places are, and the size of one (a cache line). */
#define SHMLAB_CACHE_READERS_OFFSET 384
#define SHMLAB_CACHE_READER_SLOT_SIZE 64
/* In one place: its reader's own hits and misses. */
#define SHMLAB_CACHE_READER_HITS_OFFSET 16
#define SHMLAB_CACHE_READER_MISSES_OFFSET 24

#define SHMLAB_CACHE_ERROR (shmlab_cache_error_quark ())
GQuark shmlab_cache_error_quark (void);

/**
 * ShmlabCacheError:
 * @SHMLAB_CACHE_ERROR_NOT_A_CACHE: the segment holds something else (no
 *   magic), or a cache of another version
 * @SHMLAB_CACHE_ERROR_CORRUPT: a field of the segment is out of range, a
 *   chain loops or leaves the pool: the error's data names the field (see
 *   shmlab_cache_error_get_field())
 * @SHMLAB_CACHE_ERROR_FULL: every slot of the pool holds an entry
 * @SHMLAB_CACHE_ERROR_TOO_LARGE: a key or value over its limit
 * @SHMLAB_CACHE_ERROR_BAD_KEY: an empty key
 * @SHMLAB_CACHE_ERROR_NOT_FOUND: no entry has the key (or it expired)
 * @SHMLAB_CACHE_ERROR_BUSY: the writer lock was not free in time
 * @SHMLAB_CACHE_ERROR_BAD_GEOMETRY: a size asked for a new cache is out
 *   of range
 */
typedef enum
{
  SHMLAB_CACHE_ERROR_NOT_A_CACHE,
  SHMLAB_CACHE_ERROR_CORRUPT,
  SHMLAB_CACHE_ERROR_FULL,
  SHMLAB_CACHE_ERROR_TOO_LARGE,
  SHMLAB_CACHE_ERROR_BAD_KEY,
  SHMLAB_CACHE_ERROR_NOT_FOUND,
  SHMLAB_CACHE_ERROR_BUSY,
  SHMLAB_CACHE_ERROR_BAD_GEOMETRY,
} ShmlabCacheError;

/**
 * ShmlabCacheStats:
 * @n_buckets, @n_slots: the geometry
 * @entries: entries in the table now
 * @bytes_used: their keys and values, bytes
 * @bytes_limit: the most keys and values could take (every slot full)
 * @hits, @misses: lookups that found an entry, and that did not (the
 *   shared counters and every reader's own, added up)
 * @sets, @deletes, @expired: entries written, deleted, and cleared
 *   because they expired
 * @recoveries: times a writer found the lock's last holder dead and
 *   repaired what it left
 * @readers_inside: readers reading right now (live processes only)
 * @writer_pid: the process holding the writer lock now, 0 for none
 * @seq: the sequence counter: odd while a writer changes the table
 *
 * Counters are read one by one, without a lock: each is exact, together
 * they are a moment's picture.
 */
typedef struct
{
  guint32 n_buckets;
  guint32 n_slots;
  guint32 entries;
  guint64 bytes_used;
  guint64 bytes_limit;
  guint64 hits;
  guint64 misses;
  guint64 sets;
  guint64 deletes;
  guint64 expired;
  guint64 recoveries;
  guint32 readers_inside;
  guint32 writer_pid;
  guint32 seq;
} ShmlabCacheStats;

/**
 * ShmlabCacheEntry:
 * @key: the key, NUL-terminated (it holds no NUL)
 * @value: a private copy of the value
 * @expiry_ms: when it expires, milliseconds since the epoch; 0: never
 * @last_access_ms: the last lookup that found it (0: never looked up)
 * @access_count: lookups that found it
 * @slot: its slot in the pool
 * @offset: where its slot starts in the segment
 * @next_offset: where the next entry of its chain starts, 0 for none
 * @bucket: its bucket
 */
typedef struct
{
  char *key;
  GBytes *value;
  gint64 expiry_ms;
  gint64 last_access_ms;
  guint64 access_count;
  guint32 slot;
  guint64 offset;
  guint64 next_offset;
  guint32 bucket;
} ShmlabCacheEntry;

void shmlab_cache_entry_free (ShmlabCacheEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShmlabCacheEntry, shmlab_cache_entry_free)

const char *shmlab_cache_error_get_field (const GError *error);

typedef struct _ShmlabCache ShmlabCache;

gboolean     shmlab_cache_size_for      (guint32        n_slots,
                                         guint32        n_buckets,
                                         gsize         *size,
                                         GError       **error);
gboolean     shmlab_cache_is_cache      (const guint8  *bytes,
                                         gsize          length);
gboolean     shmlab_cache_init          (guint8        *memory,
                                         gsize          size,
                                         guint32        n_slots,
                                         guint32        n_buckets,
                                         GError       **error);
ShmlabCache *shmlab_cache_open          (guint8        *memory,
                                         gsize          size,
                                         GError       **error);
ShmlabCache *shmlab_cache_open_copy     (guint8        *memory,
                                         gsize          size,
                                         GError       **error);
void         shmlab_cache_free          (ShmlabCache   *self);

void         shmlab_cache_set_lock_timeout (ShmlabCache *self,
                                            gint         timeout_ms);
gboolean     shmlab_cache_set           (ShmlabCache   *self,
                                         const char    *key,
                                         const guint8  *value,
                                         gsize          value_len,
                                         gint64         expiry_ms,
                                         GError       **error);
ShmlabCacheEntry *
             shmlab_cache_get           (ShmlabCache   *self,
                                         const char    *key,
                                         GError       **error);
gboolean     shmlab_cache_delete        (ShmlabCache   *self,
                                         const char    *key,
                                         GError       **error);
gboolean     shmlab_cache_exists        (ShmlabCache   *self,
                                         const char    *key,
                                         GError       **error);
gboolean     shmlab_cache_clear_expired (ShmlabCache   *self,
                                         guint         *cleared,
                                         GError       **error);
GPtrArray   *shmlab_cache_list          (ShmlabCache   *self,
                                         GError       **error);
void         shmlab_cache_get_stats     (ShmlabCache   *self,
                                         ShmlabCacheStats *stats);
gboolean     shmlab_cache_check         (ShmlabCache   *self,
                                         GError       **error);
gboolean     shmlab_cache_hold_writer_lock    (ShmlabCache *self,
                                               GError     **error);
void         shmlab_cache_release_writer_lock (ShmlabCache *self);

GPtrArray   *shmlab_cache_decode        (const guint8  *bytes,
                                         gsize          length,
                                         ShmlabCacheStats *stats,
                                         GError       **error);

gint64       shmlab_cache_now_ms        (void);
char        *shmlab_cache_describe_value (GBytes       *value,
                                          gsize         max_chars);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShmlabCache, shmlab_cache_free)

G_END_DECLS
