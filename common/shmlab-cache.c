/* shmlab-cache.c — a key–value cache laid out entirely inside one shared
 * segment, done the way the second source article meant it
 *
 * Layout (this machine's byte order; every process is on this machine):
 *
 *   0      header, SHMLAB_CACHE_HEADER_SIZE bytes (Header below)
 *   4096   buckets: n_buckets × u32, each the first slot of its chain + 1
 *          (0: empty)
 *   …      slots, from a 64-byte boundary: n_slots × SHMLAB_CACHE_SLOT_SIZE
 *          (Slot below), linked by slot numbers + 1 — never by addresses,
 *          which mean nothing in another process
 *
 * Concurrency. One writer at a time holds a robust, process-shared mutex
 * (PTHREAD_MUTEX_ROBUST): when its holder dies, the next locker gets
 * EOWNERDEAD, repairs the table (recover()) and marks the mutex consistent,
 * so nobody is wedged. Readers take no lock: a sequence counter (a seqlock)
 * is odd while a writer changes the table; a reader copies what it needs,
 * checking every number it reads against the geometry it copied at open,
 * and tries again when the counter moved. After a few tries (a writer that
 * keeps writing, or one that died with the counter odd) it takes the mutex
 * itself, which also repairs a dead writer's table. Statistics are atomics,
 * never written under a read lock; first-time initialisation happens under
 * the segment's own lock, by its creator, before anyone can attach.
 *
 * Crash safety. A writer never changes an entry in place: it fills a free
 * slot, then makes it reachable with one 32-bit store (the bucket or the
 * previous entry's link), then frees the old one. A writer killed at any
 * instruction therefore leaves every reachable entry whole; what it leaves
 * inconsistent — the free list, the counts — recover() rebuilds from the
 * chains, cutting any link that leaves the pool or loops.
 *
 * The segment is hostile input: the geometry is checked once at open and
 * kept privately; every slot number, length and link read afterwards is
 * checked against it before use, and every walk is bounded.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-cache.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "shmlab-process.h"

/* ---- the error domain, with the field that is wrong ---- */

typedef struct
{
  const char *field;
} ShmlabCacheErrorPrivate;

static void
shmlab_cache_error_private_init (ShmlabCacheErrorPrivate *details)
{
  details->field = NULL;
}

static void
shmlab_cache_error_private_copy (const ShmlabCacheErrorPrivate *src,
                                 ShmlabCacheErrorPrivate       *dest)
{
  *dest = *src;
}

static void
shmlab_cache_error_private_clear (ShmlabCacheErrorPrivate *details)
{
}

G_DEFINE_EXTENDED_ERROR (ShmlabCacheError, shmlab_cache_error)

/* Which field of the segment a CORRUPT error is about (static), or NULL. */
const char *
shmlab_cache_error_get_field (const GError *error)
{
  if (error == NULL || error->domain != SHMLAB_CACHE_ERROR)
    return NULL;
  return shmlab_cache_error_get_private (error)->field;
}

static void set_corrupt (GError     **error,
                         const char  *field,
                         const char  *format,
                         ...) G_GNUC_PRINTF (3, 4);

static void
set_corrupt (GError     **error,
             const char  *field,
             const char  *format,
             ...)
{
  g_autofree char *detail = NULL;
  va_list ap;

  if (error == NULL)
    return;
  va_start (ap, format);
  detail = g_strdup_vprintf (format, ap);
  va_end (ap);
  *error = g_error_new (SHMLAB_CACHE_ERROR, SHMLAB_CACHE_ERROR_CORRUPT,
                        _("the cache in this segment is damaged: %s (field %s)"), detail, field);
  shmlab_cache_error_get_private (*error)->field = field;
}

/* ---- the layout ---- */

/* A reader process's own place, on a cache line of its own: only it writes
 * there, so its lookups move no line between processors. */
typedef struct
{
  guint32 pid;           /* the reader's, 0: free */
  guint32 inside;        /* 1 while it looks something up */
  gint64 since_ms;       /* when it took the place */
  guint64 hits;          /* its lookups that found an entry */
  guint64 misses;        /* … that did not */
  guint64 reserved[4];
} ReaderSlot;

G_STATIC_ASSERT (sizeof (ReaderSlot) == SHMLAB_CACHE_READER_SLOT_SIZE);
G_STATIC_ASSERT (G_STRUCT_OFFSET (ReaderSlot, hits) == SHMLAB_CACHE_READER_HITS_OFFSET);
G_STATIC_ASSERT (G_STRUCT_OFFSET (ReaderSlot, misses) == SHMLAB_CACHE_READER_MISSES_OFFSET);

typedef struct
{
  char magic[8];
  guint32 version;
  guint32 header_size;
  guint64 total_size;
  guint32 n_buckets;
  guint32 n_slots;
  guint32 slot_size;
  guint32 key_max;
  guint32 value_max;
  guint32 reserved0;
  guint64 buckets_offset;
  guint64 slots_offset;
  gint64 created_ms;
  /* The writer's: changed only under writer_lock. */
  guint32 seq;            /* odd while a writer changes the table */
  guint32 writer_pid;     /* who holds writer_lock now, 0 for none */
  guint32 n_entries;
  guint32 free_head;      /* first free slot + 1, 0: none */
  guint64 bytes_used;
  guint64 reserved1[4];
  /* Everyone's, by atomics. */
  guint64 hits;
  guint64 misses;
  guint64 sets;
  guint64 deletes;
  guint64 expired;
  guint64 recoveries;
  guint64 reserved2[10];
  /* The writers' lock, on a line of its own. */
  union
  {
    pthread_mutex_t mutex;
    guint8 bytes[128];
  } writer_lock __attribute__ ((aligned (64)));
  ReaderSlot readers[SHMLAB_CACHE_READER_SLOTS];
} Header;

G_STATIC_ASSERT (sizeof (Header) <= SHMLAB_CACHE_HEADER_SIZE);
G_STATIC_ASSERT (G_STRUCT_OFFSET (Header, readers) == SHMLAB_CACHE_READERS_OFFSET);
G_STATIC_ASSERT (sizeof (pthread_mutex_t) <= 128);

typedef struct
{
  guint32 next;          /* next slot of the chain + 1, 0: none; free list: next free + 1 */
  guint32 used;          /* 1: an entry, 0: free */
  guint32 key_len;
  guint32 value_len;
  guint32 hash;
  guint32 reserved0;
  gint64 expiry_ms;      /* 0: never */
  gint64 last_access_ms; /* atomic */
  guint64 access_count;  /* atomic */
  guint64 reserved1[2];
  char key[SHMLAB_CACHE_KEY_MAX + 1];
  guint8 value[SHMLAB_CACHE_VALUE_MAX];
} Slot;

G_STATIC_ASSERT (sizeof (Slot) == SHMLAB_CACHE_SLOT_SIZE);
G_STATIC_ASSERT (G_STRUCT_OFFSET (Slot, key) == 64);

/* How many times a reader tries without the lock before taking it. */
#define OPTIMISTIC_TRIES 64

/* How long a cache operation waits for the writer lock by default, ms. */
#define DEFAULT_LOCK_TIMEOUT_MS 5000

struct _ShmlabCache
{
  guint8 *memory;
  ReaderSlot *place;     /* this process's place among the readers, or NULL */
  guint32 place_pid;     /* … taken by this pid (a forked child takes its own) */
  gsize size;
  /* The geometry, checked once at open and trusted from then on. */
  guint32 n_buckets;
  guint32 n_slots;
  guint64 buckets_offset;
  guint64 slots_offset;
  gint lock_timeout_ms;
};

#define HEADER(self) ((Header *) (gpointer) (self)->memory)

static guint32 *
bucket_at (ShmlabCache *self,
           guint32      bucket)
{
  return (guint32 *) (gpointer) (self->memory + self->buckets_offset) + bucket;
}

static Slot *
slot_at (ShmlabCache *self,
         guint32      slot)
{
  return (Slot *) (gpointer) (self->memory + self->slots_offset + (guint64) slot * sizeof (Slot));
}

gint64
shmlab_cache_now_ms (void)
{
  return g_get_real_time () / 1000;
}

/* djb2, as the article hashes its keys. */
static guint32
hash_key (const char *key,
          gsize       length)
{
  guint32 hash = 5381;

  for (gsize i = 0; i < length; i++)
    hash = hash * 33 + (guchar) key[i];
  return hash;
}

void
shmlab_cache_entry_free (ShmlabCacheEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->key);
  g_clear_pointer (&entry->value, g_bytes_unref);
  g_free (entry);
}

/* ---- geometry ---- */

static gboolean
layout (guint32   n_slots,
        guint32   n_buckets,
        guint64  *buckets_offset,
        guint64  *slots_offset,
        guint64  *total)
{
  guint64 buckets_end, slots_bytes;

  *buckets_offset = SHMLAB_CACHE_HEADER_SIZE;
  buckets_end = *buckets_offset + (guint64) n_buckets * sizeof (guint32);
  *slots_offset = (buckets_end + 63) & ~(guint64) 63;
  return g_uint64_checked_mul (&slots_bytes, n_slots, sizeof (Slot)) &&
         g_uint64_checked_add (total, *slots_offset, slots_bytes);
}

static gboolean
check_geometry (guint32   n_slots,
                guint32   n_buckets,
                GError  **error)
{
  if (n_slots < 1 || n_slots > SHMLAB_CACHE_MAX_SLOTS)
    {
      g_set_error (error, SHMLAB_CACHE_ERROR, SHMLAB_CACHE_ERROR_BAD_GEOMETRY,
                   _("a cache holds from 1 to %u entries, not %u: pick a number in that range"),
                   SHMLAB_CACHE_MAX_SLOTS, n_slots);
      return FALSE;
    }
  if (n_buckets < 1 || n_buckets > SHMLAB_CACHE_MAX_BUCKETS)
    {
      g_set_error (error, SHMLAB_CACHE_ERROR, SHMLAB_CACHE_ERROR_BAD_GEOMETRY,
                   _("a cache has from 1 to %u buckets, not %u: pick a number in that range"),
                   SHMLAB_CACHE_MAX_BUCKETS, n_buckets);
      return FALSE;
    }
  return TRUE;
}

/**
 * shmlab_cache_size_for:
 * @size: (out): the segment size a cache of @n_slots entries and
 *   @n_buckets buckets needs
 */
gboolean
shmlab_cache_size_for (guint32   n_slots,
                       guint32   n_buckets,
                       gsize    *size,
                       GError  **error)
{
  guint64 buckets_offset, slots_offset, total;

  if (!check_geometry (n_slots, n_buckets, error))
    return FALSE;
  if (!layout (n_slots, n_buckets, &buckets_offset, &slots_offset, &total) || total > G_MAXSIZE)
    {
      g_set_error (error, SHMLAB_CACHE_ERROR, SHMLAB_CACHE_ERROR_BAD_GEOMETRY,
                   _("a cache of %u entries is larger than this system can map"), n_slots);
      return FALSE;
    }
  *size = (gsize) total;
  return TRUE;
}

/* Whether @bytes begin like a cache (the magic): its decoder says the rest. */
gboolean
shmlab_cache_is_cache (const guint8 *bytes,
                       gsize         length)
{
  return length >= 8 && memcmp (bytes, SHMLAB_CACHE_MAGIC, 8) == 0;
}

/**
 * shmlab_cache_init:
 * @memory: a fresh segment of @size bytes, which no other process uses yet
 *   (its creator holds the segment's lock)
 *
 * Lays an empty cache out in @memory. The magic is written last, so that a
 * process that sees it sees everything else.
 */
gboolean
shmlab_cache_init (guint8   *memory,
                   gsize     size,
                   guint32   n_slots,
                   guint32   n_buckets,
                   GError  **error)
{
  Header *header = (Header *) (gpointer) memory;
  pthread_mutexattr_t attr;
  guint64 buckets_offset, slots_offset, total;
  int rc;

  if (!check_geometry (n_slots, n_buckets, error))
    return FALSE;
  if (!layout (n_slots, n_buckets, &buckets_offset, &slots_offset, &total) || total > size)
    {
      g_set_error (error, SHMLAB_CACHE_ERROR, SHMLAB_CACHE_ERROR_BAD_GEOMETRY,
                   _("a cache of %u entries needs %" PRIu64 " bytes; the segment has %" PRIu64),
                   n_slots, total, (guint64) size);
      return FALSE;
    }

  memset (memory, 0, slots_offset);
  header->version = SHMLAB_CACHE_VERSION;
  header->header_size = SHMLAB_CACHE_HEADER_SIZE;
  header->total_size = total;
  header->n_buckets = n_buckets;
  header->n_slots = n_slots;
  header->slot_size = sizeof (Slot);
  header->key_max = SHMLAB_CACHE_KEY_MAX;
  header->value_max = SHMLAB_CACHE_VALUE_MAX;
  header->buckets_offset = buckets_offset;
  header->slots_offset = slots_offset;
  header->created_ms = shmlab_cache_now_ms ();
  /* Every slot free, in order. */
  for (guint32 i = 0; i < n_slots; i++)
    {
      Slot *slot = (Slot *) (gpointer) (memory + slots_offset + (guint64) i * sizeof (Slot));

      memset (slot, 0, G_STRUCT_OFFSET (Slot, key) + 1);
      slot->next = i + 1 < n_slots ? i + 2 : 0;
    }
  header->free_head = 1;

  pthread_mutexattr_init (&attr);
  pthread_mutexattr_setpshared (&attr, PTHREAD_PROCESS_SHARED);
  pthread_mutexattr_setrobust (&attr, PTHREAD_MUTEX_ROBUST);
  rc = pthread_mutex_init (&header->writer_lock.mutex, &attr);
  pthread_mutexattr_destroy (&attr);
  if (rc != 0)
    {
      g_set_error (error, SHMLAB_CACHE_ERROR, SHMLAB_CACHE_ERROR_BAD_GEOMETRY,
                   _("cannot make the cache's lock: %s"), g_strerror (rc));
      return FALSE;
    }
  __atomic_thread_fence (__ATOMIC_RELEASE);
  memcpy (header->magic, SHMLAB_CACHE_MAGIC, 8);
  return TRUE;
}

/* The geometry of the header at @memory, checked against @size. */
static gboolean
read_geometry (const guint8  *memory,
               gsize          size,
               guint32       *n_slots,
               guint32       *n_buckets,
               guint64       *buckets_offset,
               guint64       *slots_offset,
               GError       **error)
{
  const Header *header = (const Header *) (gconstpointer) memory;
  guint64 total;

  if (size < SHMLAB_CACHE_HEADER_SIZE || !shmlab_cache_is_cache (memory, size))
    {
      g_set_error (error, SHMLAB_CACHE_ERROR, SHMLAB_CACHE_ERROR_NOT_A_CACHE,
                   _("this segment holds no cache (it does not start with %s)"),
                   SHMLAB_CACHE_MAGIC);
      return FALSE;
    }
  if (header->version != SHMLAB_CACHE_VERSION)
    {
      g_set_error (error, SHMLAB_CACHE_ERROR, SHMLAB_CACHE_ERROR_NOT_A_CACHE,
                   _("this cache has version %u; ShmLab reads version %u"), header->version,
                   SHMLAB_CACHE_VERSION);
      return FALSE;
    }
  if (header->header_size != SHMLAB_CACHE_HEADER_SIZE)
    {
      set_corrupt (error, "header_size", _("the header says it is %u bytes, not %u"),
                   header->header_size, SHMLAB_CACHE_HEADER_SIZE);
      return FALSE;
    }
  if (header->slot_size != sizeof (Slot) || header->key_max != SHMLAB_CACHE_KEY_MAX ||
      header->value_max != SHMLAB_CACHE_VALUE_MAX)
    {
      set_corrupt (error, "slot_size", _("slots of %u bytes for keys of %u and values of %u "
                                          "bytes, not %u, %u and %u"),
                   header->slot_size, header->key_max, header->value_max, (guint) sizeof (Slot),
                   SHMLAB_CACHE_KEY_MAX, SHMLAB_CACHE_VALUE_MAX);
      return FALSE;
    }
  if (header->n_slots < 1 || header->n_slots > SHMLAB_CACHE_MAX_SLOTS)
    {
      set_corrupt (error, "n_slots", _("%u entries, outside 1 to %u"), header->n_slots,
                   SHMLAB_CACHE_MAX_SLOTS);
      return FALSE;
    }
  if (header->n_buckets < 1 || header->n_buckets > SHMLAB_CACHE_MAX_BUCKETS)
    {
      set_corrupt (error, "n_buckets", _("%u buckets, outside 1 to %u"), header->n_buckets,
                   SHMLAB_CACHE_MAX_BUCKETS);
      return FALSE;
    }
  if (!layout (header->n_slots, header->n_buckets, buckets_offset, slots_offset, &total) ||
      header->buckets_offset != *buckets_offset || header->slots_offset != *slots_offset)
    {
      set_corrupt (error, "slots_offset", _("the offsets %" PRIu64 " and %" PRIu64 " do not "
                                             "follow from the geometry"),
                   header->buckets_offset, header->slots_offset);
      return FALSE;
    }
  if (total > size || header->total_size != total)
    {
      set_corrupt (error, "total_size", _("the cache needs %" PRIu64 " bytes and says %" PRIu64
                                           "; the segment has %" PRIu64),
                   total, header->total_size, (guint64) size);
      return FALSE;
    }
  *n_slots = header->n_slots;
  *n_buckets = header->n_buckets;
  return TRUE;
}

/**
 * shmlab_cache_open:
 * @memory: a read-write mapping of a cache segment of @size bytes; it must
 *   outlive the returned view
 *
 * Returns: (transfer full): a view of the cache, or NULL with NOT_A_CACHE
 *   or CORRUPT (naming the field)
 */
ShmlabCache *
shmlab_cache_open (guint8   *memory,
                   gsize     size,
                   GError  **error)
{
  ShmlabCache *self;
  guint32 n_slots, n_buckets;
  guint64 buckets_offset, slots_offset;

  __atomic_thread_fence (__ATOMIC_ACQUIRE);
  if (!read_geometry (memory, size, &n_slots, &n_buckets, &buckets_offset, &slots_offset, error))
    return NULL;
  self = g_new0 (ShmlabCache, 1);
  self->memory = memory;
  self->size = size;
  self->n_slots = n_slots;
  self->n_buckets = n_buckets;
  self->buckets_offset = buckets_offset;
  self->slots_offset = slots_offset;
  self->lock_timeout_ms = DEFAULT_LOCK_TIMEOUT_MS;
  return self;
}

/**
 * shmlab_cache_open_copy:
 * @memory: a private, writable copy of a cache segment (an inspector's, a
 *   test's), of @size bytes
 *
 * As shmlab_cache_open(), for a copy: the copy's writer lock is made anew,
 * since the bytes it copied are the state of other processes' lock (maybe
 * held, maybe damaged), which means nothing here.
 */
ShmlabCache *
shmlab_cache_open_copy (guint8   *memory,
                        gsize     size,
                        GError  **error)
{
  ShmlabCache *self = shmlab_cache_open (memory, size, error);
  pthread_mutexattr_t attr;

  if (self == NULL)
    return NULL;
  pthread_mutexattr_init (&attr);
  pthread_mutexattr_setrobust (&attr, PTHREAD_MUTEX_ROBUST);
  pthread_mutex_init (&HEADER (self)->writer_lock.mutex, &attr);
  pthread_mutexattr_destroy (&attr);
  HEADER (self)->writer_pid = 0;
  return self;
}

static void fold_place (Header     *header,
                        ReaderSlot *place);

/* Gives this process's place among the readers back, what it counted kept. */
void
shmlab_cache_free (ShmlabCache *self)
{
  if (self == NULL)
    return;
  if (self->place != NULL && self->place_pid == shmlab_process_self ())
    {
      fold_place (HEADER (self), self->place);
      __atomic_store_n (&self->place->pid, 0, __ATOMIC_RELEASE);
    }
  g_free (self);
}

/* How long a writer (or a reader that falls back to the lock) waits for it. */
void
shmlab_cache_set_lock_timeout (ShmlabCache *self,
                               gint         timeout_ms)
{
  self->lock_timeout_ms = timeout_ms;
}

/* ---- the writer lock, and repairing what a dead writer left ---- */

static guint32
load32 (const guint32 *word)
{
  return __atomic_load_n (word, __ATOMIC_ACQUIRE);
}

static void
store32 (guint32 *word,
         guint32  value)
{
  __atomic_store_n (word, value, __ATOMIC_RELEASE);
}

/**
 * recover:
 *
 * Rebuilds what a writer maintains from what readers follow: walks every
 * chain, cuts a link that leaves the pool, points back into a chain or at a
 * slot already reached, or reaches an entry that is not whole; drops the
 * second of two entries with one key; then makes every slot not reached
 * free, and counts again. With @repair FALSE, changes nothing and says what
 * is wrong. Runs under the writer lock.
 */
static gboolean
walk_table (ShmlabCache  *self,
            gboolean      repair,
            GError      **error)
{
  Header *header = HEADER (self);
  g_autofree guint8 *reached = g_malloc0 (self->n_slots);
  guint32 n_entries = 0;
  guint64 bytes = 0;

  for (guint32 b = 0; b < self->n_buckets; b++)
    {
      guint32 *link = bucket_at (self, b);

      while (*link != 0)
        {
          guint32 index = *link - 1;
          Slot *slot;
          const char *problem = NULL;
          const char *field = NULL;

          if (index >= self->n_slots)
            problem = _("a link leaves the pool"), field = "next";
          else if (reached[index])
            problem = _("a chain loops, or two chains share an entry"), field = "next";
          else
            {
              slot = slot_at (self, index);
              if (slot->key_len == 0 || slot->key_len > SHMLAB_CACHE_KEY_MAX)
                problem = _("a key length is out of range"), field = "key_len";
              else if (slot->value_len > SHMLAB_CACHE_VALUE_MAX)
                problem = _("a value length is out of range"), field = "value_len";
              else if (slot->hash % self->n_buckets != b ||
                       hash_key (slot->key, slot->key_len) != slot->hash)
                problem = _("an entry is in the wrong bucket"), field = "hash";
            }
          if (problem == NULL)
            {
              /* Two entries with one key: the later one goes (a replace cut short). */
              guint32 *other = bucket_at (self, b);

              slot = slot_at (self, index);
              while (*other != *link)
                {
                  Slot *before = slot_at (self, *other - 1);

                  if (before->key_len == slot->key_len &&
                      memcmp (before->key, slot->key, slot->key_len) == 0)
                    {
                      problem = _("two entries have one key");
                      field = "key";
                      break;
                    }
                  other = &before->next;
                }
            }
          if (problem != NULL)
            {
              if (!repair)
                {
                  set_corrupt (error, field, _("in bucket %u: %s"), b, problem);
                  return FALSE;
                }
              /* A duplicate is unlinked; anything else ends the chain here. */
              if (g_str_equal (field, "key"))
                *link = slot_at (self, index)->next;
              else
                *link = 0;
              continue;
            }
          reached[index] = 1;
          n_entries++;
          bytes += slot->key_len + slot->value_len;
          link = &slot->next;
        }
    }

  if (!repair)
    {
      if (header->n_entries != n_entries || header->bytes_used != bytes)
        {
          set_corrupt (error, "n_entries", _("it counts %u entries of %" PRIu64 " bytes; the "
                                              "chains hold %u of %" PRIu64),
                       header->n_entries, header->bytes_used, n_entries, bytes);
          return FALSE;
        }
      return TRUE;
    }

  /* Everything not reached is free. */
  header->free_head = 0;
  for (guint32 i = self->n_slots; i-- > 0;)
    {
      Slot *slot = slot_at (self, i);

      slot->used = reached[i];
      if (!reached[i])
        {
          slot->next = header->free_head;
          header->free_head = i + 1;
        }
    }
  header->n_entries = n_entries;
  header->bytes_used = bytes;
  return TRUE;
}

static void
set_busy_error (ShmlabCache  *self,
                GError      **error)
{
  guint32 holder = load32 (&HEADER (self)->writer_pid);

  if (holder != 0)
    g_set_error (error, SHMLAB_CACHE_ERROR, SHMLAB_CACHE_ERROR_BUSY,
                 _("the cache's writer lock is held by process %u and was not free within %d ms: "
                   "wait and try again"),
                 holder, self->lock_timeout_ms);
  else
    g_set_error (error, SHMLAB_CACHE_ERROR, SHMLAB_CACHE_ERROR_BUSY,
                 _("the cache's writer lock was not free within %d ms: wait and try again"),
                 self->lock_timeout_ms);
}

/* Takes the writer lock, repairing the table when its last holder died. */
static gboolean
lock_writer (ShmlabCache  *self,
             GError      **error)
{
  Header *header = HEADER (self);
  struct timespec deadline;
  int rc;

  clock_gettime (CLOCK_REALTIME, &deadline);
  deadline.tv_sec += self->lock_timeout_ms / 1000;
  deadline.tv_nsec += (self->lock_timeout_ms % 1000) * 1000000L;
  if (deadline.tv_nsec >= 1000000000L)
    {
      deadline.tv_sec++;
      deadline.tv_nsec -= 1000000000L;
    }
  do
    rc = self->lock_timeout_ms < 0 ? pthread_mutex_lock (&header->writer_lock.mutex)
                                   : pthread_mutex_timedlock (&header->writer_lock.mutex,
                                                              &deadline);
  while (rc == EINTR);

  if (rc == EOWNERDEAD)
    {
      /* Its holder died, maybe in the middle of a change: repair, then go on. */
      walk_table (self, TRUE, NULL);
      if (header->seq & 1)
        store32 (&header->seq, header->seq + 1);
      __atomic_fetch_add (&header->recoveries, 1, __ATOMIC_RELAXED);
      pthread_mutex_consistent (&header->writer_lock.mutex);
      rc = 0;
    }
  if (rc == ETIMEDOUT)
    {
      set_busy_error (self, error);
      return FALSE;
    }
  if (rc != 0)
    {
      g_set_error (error, SHMLAB_CACHE_ERROR, SHMLAB_CACHE_ERROR_CORRUPT,
                   _("cannot take the cache's writer lock: %s"), g_strerror (rc));
      shmlab_cache_error_get_private (*error)->field = "writer_lock";
      return FALSE;
    }
  store32 (&header->writer_pid, shmlab_process_self ());
  return TRUE;
}

static void
unlock_writer (ShmlabCache *self)
{
  Header *header = HEADER (self);

  store32 (&header->writer_pid, 0);
  pthread_mutex_unlock (&header->writer_lock.mutex);
}

/* A writer's change begins: readers that started before it try again. */
static void
change_begin (ShmlabCache *self)
{
  Header *header = HEADER (self);

  store32 (&header->seq, header->seq + 1);
  __atomic_thread_fence (__ATOMIC_SEQ_CST);
}

static void
change_end (ShmlabCache *self)
{
  Header *header = HEADER (self);

  __atomic_thread_fence (__ATOMIC_SEQ_CST);
  store32 (&header->seq, header->seq + 1);
}

/* ---- readers ---- */

/* Folds what a place counted into the shared counters, and empties it. */
static void
fold_place (Header     *header,
            ReaderSlot *place)
{
  __atomic_fetch_add (&header->hits, __atomic_exchange_n (&place->hits, 0, __ATOMIC_ACQ_REL),
                      __ATOMIC_RELAXED);
  __atomic_fetch_add (&header->misses,
                      __atomic_exchange_n (&place->misses, 0, __ATOMIC_ACQ_REL),
                      __ATOMIC_RELAXED);
  __atomic_store_n (&place->inside, 0, __ATOMIC_RELEASE);
}

/* This process's place among the readers: taken at its first lookup, kept
 * until shmlab_cache_free(); a place whose reader was killed is taken over,
 * what it counted folded into the shared counters first. NULL when every
 * place is taken by a live reader. */
static ReaderSlot *
reader_place (ShmlabCache *self)
{
  Header *header = HEADER (self);
  guint32 me = shmlab_process_self ();

  if (self->place != NULL && self->place_pid == me)
    return self->place;
  self->place = NULL;
  for (guint i = 0; i < SHMLAB_CACHE_READER_SLOTS && self->place == NULL; i++)
    {
      ReaderSlot *place = &header->readers[i];
      guint32 pid = __atomic_load_n (&place->pid, __ATOMIC_ACQUIRE);

      if (pid != 0 && (pid == me || !shmlab_process_has_ended (pid)))
        continue;
      if (!__atomic_compare_exchange_n (&place->pid, &pid, me, FALSE, __ATOMIC_ACQ_REL,
                                        __ATOMIC_RELAXED))
        continue;
      fold_place (header, place);
      __atomic_store_n (&place->since_ms, shmlab_cache_now_ms (), __ATOMIC_RELAXED);
      self->place = place;
    }
  self->place_pid = me;
  return self->place;
}

/* Inside while reading: written in this reader's own place only. */
static ReaderSlot *
enter_reader (ShmlabCache *self)
{
  ReaderSlot *place = reader_place (self);

  if (place != NULL)
    __atomic_store_n (&place->inside, 1, __ATOMIC_RELEASE);
  return place;
}

static void
leave_reader (ShmlabCache *self,
              ReaderSlot  *place)
{
  if (place != NULL)
    __atomic_store_n (&place->inside, 0, __ATOMIC_RELEASE);
}

/* A hit or a miss: in this reader's place, else in the shared counters. */
static void
count_lookup (ShmlabCache *self,
              gboolean     hit)
{
  ReaderSlot *place = reader_place (self);
  guint64 *counter = place != NULL ? (hit ? &place->hits : &place->misses)
                                   : (hit ? &HEADER (self)->hits : &HEADER (self)->misses);

  __atomic_fetch_add (counter, 1, __ATOMIC_RELAXED);
}

/* What a lookup copied: found or not, and the entry. */
typedef struct
{
  gboolean found;
  guint32 index;
  guint32 key_len;
  guint32 value_len;
  gint64 expiry_ms;
  gint64 last_access_ms;
  guint64 access_count;
  guint32 next;
  guint8 value[SHMLAB_CACHE_VALUE_MAX];
} Lookup;

/* One walk of @key's chain, every number checked; FALSE when something
 * read does not hold (a writer was changing it, or the segment is bad). */
static gboolean
lookup_once (ShmlabCache *self,
             const char  *key,
             gsize        key_len,
             guint32      bucket,
             Lookup      *out)
{
  guint32 index = load32 (bucket_at (self, bucket));
  guint32 steps = 0;

  out->found = FALSE;
  while (index != 0)
    {
      Slot *slot;
      guint32 slot_key_len, value_len;

      if (index - 1 >= self->n_slots || ++steps > self->n_slots)
        return FALSE;
      slot = slot_at (self, index - 1);
      slot_key_len = __atomic_load_n (&slot->key_len, __ATOMIC_RELAXED);
      if (slot_key_len == key_len && memcmp (slot->key, key, key_len) == 0)
        {
          value_len = __atomic_load_n (&slot->value_len, __ATOMIC_RELAXED);
          if (value_len > SHMLAB_CACHE_VALUE_MAX)
            return FALSE;
          out->found = TRUE;
          out->index = index - 1;
          out->key_len = slot_key_len;
          out->value_len = value_len;
          out->expiry_ms = slot->expiry_ms;
          out->last_access_ms = __atomic_load_n (&slot->last_access_ms, __ATOMIC_RELAXED);
          out->access_count = __atomic_load_n (&slot->access_count, __ATOMIC_RELAXED);
          out->next = slot->next;
          memcpy (out->value, slot->value, value_len);
          return TRUE;
        }
      index = __atomic_load_n (&slot->next, __ATOMIC_RELAXED);
    }
  return TRUE;
}

static gboolean
check_key (const char  *key,
           gsize       *key_len,
           GError     **error)
{
  gsize length = key != NULL ? strlen (key) : 0;

  if (length == 0)
    {
      g_set_error_literal (error, SHMLAB_CACHE_ERROR, SHMLAB_CACHE_ERROR_BAD_KEY,
                           _("the cache key is empty: give a key such as “user:1001”"));
      return FALSE;
    }
  if (length > SHMLAB_CACHE_KEY_MAX)
    {
      g_set_error (error, SHMLAB_CACHE_ERROR, SHMLAB_CACHE_ERROR_TOO_LARGE,
                   _("the cache key is %" PRIu64 " bytes long; at most %d are allowed: use a "
                     "shorter key"),
                   (guint64) length, SHMLAB_CACHE_KEY_MAX);
      return FALSE;
    }
  *key_len = length;
  return TRUE;
}

/* A lookup: without the lock while no writer gets in the way, else with it. */
static gboolean
lookup (ShmlabCache  *self,
        const char   *key,
        Lookup       *out,
        GError      **error)
{
  Header *header = HEADER (self);
  ReaderSlot *inside;
  gsize key_len;
  guint32 bucket;
  gboolean done = FALSE;

  if (!check_key (key, &key_len, error))
    return FALSE;
  bucket = hash_key (key, key_len) % self->n_buckets;
  inside = enter_reader (self);
  for (guint attempt = 0; attempt < OPTIMISTIC_TRIES && !done; attempt++)
    {
      guint32 before = load32 (&header->seq);
      gboolean whole;

      if (before & 1)
        {
          /* A writer is inside: let it run (it may be waiting for this processor). */
          g_thread_yield ();
          continue;
        }
      whole = lookup_once (self, key, key_len, bucket, out);
      __atomic_thread_fence (__ATOMIC_ACQUIRE);
      done = whole && load32 (&header->seq) == before;
    }
  if (!done)
    {
      /* A writer keeps changing it, or died changing it: read under the lock. */
      if (!lock_writer (self, error))
        {
          leave_reader (self, inside);
          return FALSE;
        }
      if (!lookup_once (self, key, key_len, bucket, out))
        {
          unlock_writer (self);
          leave_reader (self, inside);
          set_corrupt (error, "next", _("the chain of bucket %u is broken"), bucket);
          return FALSE;
        }
      unlock_writer (self);
    }
  leave_reader (self, inside);
  return TRUE;
}

static void
set_not_found (GError     **error,
               const char  *key,
               gboolean     expired)
{
  /* A key read from a segment may be any bytes: a message is UTF-8. */
  g_autofree char *shown = g_utf8_make_valid (key, -1);

  g_set_error (error, SHMLAB_CACHE_ERROR, SHMLAB_CACHE_ERROR_NOT_FOUND,
               expired ? _("“%s” has expired") : _("no entry has the key “%s”"), shown);
}

/**
 * shmlab_cache_get:
 *
 * Looks @key up and copies its entry out; counts a hit or a miss, and the
 * entry's access, by atomics.
 *
 * Returns: (transfer full): the entry, or NULL: NOT_FOUND (a miss, or
 *   expired), BUSY, CORRUPT
 */
ShmlabCacheEntry *
shmlab_cache_get (ShmlabCache  *self,
                  const char   *key,
                  GError      **error)
{
  Lookup lookup_data;
  Lookup *found = &lookup_data;
  ShmlabCacheEntry *entry;
  gint64 now = shmlab_cache_now_ms ();
  Slot *slot;

  if (!lookup (self, key, found, error))
    return NULL;
  if (!found->found || (found->expiry_ms != 0 && found->expiry_ms <= now))
    {
      count_lookup (self, FALSE);
      set_not_found (error, key, found->found);
      return NULL;
    }
  count_lookup (self, TRUE);
  /* The entry's own figures (approximate if it was replaced meanwhile); its
   * last access to the tenth of a second, written only when it moved, so
   * readers of one hot entry do not keep taking its line from each other. */
  slot = slot_at (self, found->index);
  /* (Compared so that no value a segment holds overflows the subtraction.) */
  if (found->last_access_ms <= now - 100 || found->last_access_ms > now)
    __atomic_store_n (&slot->last_access_ms, now, __ATOMIC_RELAXED);
  __atomic_fetch_add (&slot->access_count, 1, __ATOMIC_RELAXED);

  entry = g_new0 (ShmlabCacheEntry, 1);
  entry->key = g_strdup (key);
  entry->value = g_bytes_new (found->value, found->value_len);
  entry->expiry_ms = found->expiry_ms;
  entry->last_access_ms = now;
  entry->access_count = found->access_count + 1;
  entry->slot = found->index;
  entry->offset = self->slots_offset + (guint64) found->index * sizeof (Slot);
  entry->next_offset = found->next != 0 && found->next - 1 < self->n_slots
                         ? self->slots_offset + (guint64) (found->next - 1) * sizeof (Slot) : 0;
  entry->bucket = hash_key (key, strlen (key)) % self->n_buckets;
  return entry;
}

/* Whether @key has an entry that has not expired; counts a hit or a miss. */
gboolean
shmlab_cache_exists (ShmlabCache  *self,
                     const char   *key,
                     GError      **error)
{
  g_autoptr(ShmlabCacheEntry) entry = NULL;
  g_autoptr(GError) local_error = NULL;

  entry = shmlab_cache_get (self, key, &local_error);
  if (entry != NULL)
    return TRUE;
  if (!g_error_matches (local_error, SHMLAB_CACHE_ERROR, SHMLAB_CACHE_ERROR_NOT_FOUND))
    g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/* ---- the writer's changes ---- */

/* The link that points at @key's entry in @bucket (or at the chain's end). */
static guint32 *
find_link (ShmlabCache *self,
           const char  *key,
           gsize        key_len,
           guint32      bucket,
           GError     **error)
{
  guint32 *link = bucket_at (self, bucket);
  guint32 steps = 0;

  while (*link != 0)
    {
      Slot *slot;

      if (*link - 1 >= self->n_slots || ++steps > self->n_slots)
        {
          set_corrupt (error, "next", _("the chain of bucket %u leaves the pool or loops"),
                       bucket);
          return NULL;
        }
      slot = slot_at (self, *link - 1);
      if (slot->key_len == key_len && memcmp (slot->key, key, key_len) == 0)
        return link;
      link = &slot->next;
    }
  return link;
}

/* Gives a slot no chain reaches back to the free list. */
static void
free_slot (ShmlabCache *self,
           guint32      index)
{
  Header *header = HEADER (self);
  Slot *slot = slot_at (self, index);

  slot->used = 0;
  slot->next = header->free_head;
  header->free_head = index + 1;
}

/**
 * shmlab_cache_set:
 * @expiry_ms: when it expires, ms since the epoch; 0 for never
 *
 * Puts @key's entry in, or replaces it whole: a new slot is filled, then
 * made reachable with one store, then the old one freed.
 *
 * Returns: FALSE with TOO_LARGE, BAD_KEY, FULL (nothing written), BUSY,
 *   CORRUPT
 */
gboolean
shmlab_cache_set (ShmlabCache   *self,
                  const char    *key,
                  const guint8  *value,
                  gsize          value_len,
                  gint64         expiry_ms,
                  GError       **error)
{
  Header *header = HEADER (self);
  gsize key_len;
  guint32 hash, bucket, index, old = 0;
  guint32 *link;
  Slot *slot;

  if (!check_key (key, &key_len, error))
    return FALSE;
  if (value_len > SHMLAB_CACHE_VALUE_MAX)
    {
      g_set_error (error, SHMLAB_CACHE_ERROR, SHMLAB_CACHE_ERROR_TOO_LARGE,
                   _("the value is %" PRIu64 " bytes; a cache entry holds at most %d: store "
                     "less, or split it"),
                   (guint64) value_len, SHMLAB_CACHE_VALUE_MAX);
      return FALSE;
    }
  hash = hash_key (key, key_len);
  bucket = hash % self->n_buckets;
  if (!lock_writer (self, error))
    return FALSE;

  link = find_link (self, key, key_len, bucket, error);
  if (link == NULL)
    goto fail;
  index = header->free_head;
  if (index == 0 || index - 1 >= self->n_slots)
    {
      g_set_error (error, SHMLAB_CACHE_ERROR, SHMLAB_CACHE_ERROR_FULL,
                   _("the cache is full: its %u entries are all taken — delete some, clear the "
                     "expired ones, or make a larger cache"),
                   self->n_slots);
      goto fail;
    }
  index--;
  slot = slot_at (self, index);

  change_begin (self);
  /* Taken off the free list first: a writer killed now leaves it unreached, reclaimed. */
  header->free_head = slot->next;
  slot->used = 1;
  slot->key_len = key_len;
  slot->value_len = value_len;
  slot->hash = hash;
  slot->expiry_ms = expiry_ms;
  slot->last_access_ms = 0;
  slot->access_count = 0;
  memcpy (slot->key, key, key_len);
  slot->key[key_len] = '\0';
  memcpy (slot->value, value, value_len);
  if (*link != 0)
    {
      old = *link;
      slot->next = slot_at (self, old - 1)->next;
    }
  else
    slot->next = 0;
  __atomic_thread_fence (__ATOMIC_RELEASE);
  /* One store, and the new entry is the one every reader finds. */
  store32 (link, index + 1);
  if (old != 0)
    {
      Slot *before = slot_at (self, old - 1);

      header->bytes_used -= before->key_len + before->value_len;
      free_slot (self, old - 1);
    }
  else
    header->n_entries++;
  header->bytes_used += key_len + value_len;
  change_end (self);

  __atomic_fetch_add (&header->sets, 1, __ATOMIC_RELAXED);
  unlock_writer (self);
  return TRUE;

fail:
  unlock_writer (self);
  return FALSE;
}

/* Unlinks the entry @link points at; under the lock, inside a change. */
static void
unlink_entry (ShmlabCache *self,
              guint32     *link)
{
  Header *header = HEADER (self);
  guint32 index = *link - 1;
  Slot *slot = slot_at (self, index);

  store32 (link, slot->next);
  header->n_entries--;
  header->bytes_used -= slot->key_len + slot->value_len;
  free_slot (self, index);
}

/* Deletes @key's entry: NOT_FOUND when there is none. */
gboolean
shmlab_cache_delete (ShmlabCache  *self,
                     const char   *key,
                     GError      **error)
{
  Header *header = HEADER (self);
  gsize key_len;
  guint32 *link;

  if (!check_key (key, &key_len, error) || !lock_writer (self, error))
    return FALSE;
  link = find_link (self, key, key_len, hash_key (key, key_len) % self->n_buckets, error);
  if (link == NULL || *link == 0)
    {
      if (link != NULL)
        set_not_found (error, key, FALSE);
      unlock_writer (self);
      return FALSE;
    }
  change_begin (self);
  unlink_entry (self, link);
  change_end (self);
  __atomic_fetch_add (&header->deletes, 1, __ATOMIC_RELAXED);
  unlock_writer (self);
  return TRUE;
}

/* Deletes every entry whose time is up; @cleared: how many. */
gboolean
shmlab_cache_clear_expired (ShmlabCache  *self,
                            guint        *cleared,
                            GError      **error)
{
  Header *header = HEADER (self);
  gint64 now = shmlab_cache_now_ms ();
  guint count = 0;

  if (cleared != NULL)
    *cleared = 0;
  if (!lock_writer (self, error))
    return FALSE;
  change_begin (self);
  for (guint32 b = 0; b < self->n_buckets; b++)
    {
      guint32 *link = bucket_at (self, b);
      guint32 steps = 0;

      while (*link != 0 && *link - 1 < self->n_slots && ++steps <= self->n_slots)
        {
          Slot *slot = slot_at (self, *link - 1);

          if (slot->expiry_ms != 0 && slot->expiry_ms <= now)
            {
              unlink_entry (self, link);
              count++;
            }
          else
            link = &slot->next;
        }
    }
  change_end (self);
  __atomic_fetch_add (&header->expired, count, __ATOMIC_RELAXED);
  unlock_writer (self);
  if (cleared != NULL)
    *cleared = count;
  return TRUE;
}

/* ---- looking at all of it ---- */

/* Every entry of the chains at @memory, every link and length checked
 * against the geometry given (the one to trust). */
static GPtrArray *
collect (const guint8 *memory,
         guint32       n_slots,
         guint32       n_buckets,
         guint64       buckets_offset,
         guint64       slots_offset,
         GError      **error)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) shmlab_cache_entry_free);
  g_autofree guint8 *reached = g_malloc0 (n_slots);

  for (guint32 b = 0; b < n_buckets; b++)
    {
      guint32 index = *((const guint32 *) (gconstpointer) (memory + buckets_offset) + b);

      while (index != 0)
        {
          const Slot *slot;
          ShmlabCacheEntry *entry;

          if (index - 1 >= n_slots)
            {
              set_corrupt (error, "next", _("in bucket %u, a link to slot %u leaves the pool of "
                                             "%u"),
                           b, index - 1, n_slots);
              return NULL;
            }
          if (reached[index - 1])
            {
              set_corrupt (error, "next", _("in bucket %u, the chain comes back to slot %u"),
                           b, index - 1);
              return NULL;
            }
          reached[index - 1] = 1;
          slot = (const Slot *) (gconstpointer) (memory + slots_offset +
                                                 (guint64) (index - 1) * sizeof (Slot));
          if (slot->key_len == 0 || slot->key_len > SHMLAB_CACHE_KEY_MAX)
            {
              set_corrupt (error, "key_len", _("slot %u has a key of %u bytes"), index - 1,
                           slot->key_len);
              return NULL;
            }
          if (slot->value_len > SHMLAB_CACHE_VALUE_MAX)
            {
              set_corrupt (error, "value_len", _("slot %u has a value of %u bytes"), index - 1,
                           slot->value_len);
              return NULL;
            }
          if (memchr (slot->key, '\0', slot->key_len) != NULL)
            {
              set_corrupt (error, "key", _("slot %u has a key with a NUL in it"), index - 1);
              return NULL;
            }
          entry = g_new0 (ShmlabCacheEntry, 1);
          entry->key = g_strndup (slot->key, slot->key_len);
          entry->value = g_bytes_new (slot->value, slot->value_len);
          entry->expiry_ms = slot->expiry_ms;
          entry->last_access_ms = slot->last_access_ms;
          entry->access_count = slot->access_count;
          entry->slot = index - 1;
          entry->offset = slots_offset + (guint64) (index - 1) * sizeof (Slot);
          entry->next_offset = slot->next != 0 && slot->next - 1 < n_slots
                                 ? slots_offset + (guint64) (slot->next - 1) * sizeof (Slot)
                                 : 0;
          entry->bucket = b;
          g_ptr_array_add (entries, entry);
          index = slot->next;
        }
    }
  return g_steal_pointer (&entries);
}

static void
fill_stats (const Header     *header,
            guint32           n_slots,
            guint32           n_buckets,
            ShmlabCacheStats *stats)
{
  memset (stats, 0, sizeof *stats);
  stats->n_buckets = n_buckets;
  stats->n_slots = n_slots;
  stats->entries = MIN (__atomic_load_n (&header->n_entries, __ATOMIC_RELAXED), n_slots);
  stats->bytes_used = __atomic_load_n (&header->bytes_used, __ATOMIC_RELAXED);
  stats->bytes_limit = (guint64) n_slots * (SHMLAB_CACHE_KEY_MAX + SHMLAB_CACHE_VALUE_MAX);
  stats->hits = __atomic_load_n (&header->hits, __ATOMIC_RELAXED);
  stats->misses = __atomic_load_n (&header->misses, __ATOMIC_RELAXED);
  stats->sets = __atomic_load_n (&header->sets, __ATOMIC_RELAXED);
  stats->deletes = __atomic_load_n (&header->deletes, __ATOMIC_RELAXED);
  stats->expired = __atomic_load_n (&header->expired, __ATOMIC_RELAXED);
  stats->recoveries = __atomic_load_n (&header->recoveries, __ATOMIC_RELAXED);
  stats->writer_pid = __atomic_load_n (&header->writer_pid, __ATOMIC_RELAXED);
  stats->seq = __atomic_load_n (&header->seq, __ATOMIC_RELAXED);
  for (guint i = 0; i < SHMLAB_CACHE_READER_SLOTS; i++)
    {
      const ReaderSlot *place = &header->readers[i];
      guint32 pid = __atomic_load_n (&place->pid, __ATOMIC_RELAXED);
      guint64 hits = __atomic_load_n (&place->hits, __ATOMIC_RELAXED);
      guint64 misses = __atomic_load_n (&place->misses, __ATOMIC_RELAXED);

      /* Each reader's own counts (a killed one's too, until its place is
       * taken over); added without overflowing, whatever a segment says. */
      stats->hits = stats->hits + hits < stats->hits ? G_MAXUINT64 : stats->hits + hits;
      stats->misses = stats->misses + misses < stats->misses ? G_MAXUINT64 : stats->misses + misses;
      /* A reader killed inside left its flag: it is not inside any more. */
      if (pid != 0 && __atomic_load_n (&place->inside, __ATOMIC_RELAXED) != 0 &&
          !shmlab_process_has_ended (pid))
        stats->readers_inside++;
    }
}

/* The counters, each read atomically. */
void
shmlab_cache_get_stats (ShmlabCache      *self,
                        ShmlabCacheStats *stats)
{
  fill_stats (HEADER (self), self->n_slots, self->n_buckets, stats);
}

/**
 * shmlab_cache_list:
 *
 * Every entry, expired or not, as one moment saw them: copied without the
 * lock while no writer changed anything meanwhile, else under it.
 *
 * Returns: (transfer full) (element-type ShmlabCacheEntry): the entries,
 *   chain by chain
 */
GPtrArray *
shmlab_cache_list (ShmlabCache  *self,
                   GError      **error)
{
  Header *header = HEADER (self);
  GPtrArray *entries = NULL;

  for (guint attempt = 0; attempt < 8; attempt++)
    {
      guint32 before = load32 (&header->seq);

      if (before & 1)
        {
          g_thread_yield ();
          continue;
        }
      entries = collect (self->memory, self->n_slots, self->n_buckets, self->buckets_offset,
                         self->slots_offset, NULL);
      __atomic_thread_fence (__ATOMIC_ACQUIRE);
      if (entries != NULL && load32 (&header->seq) == before)
        return entries;
      g_clear_pointer (&entries, g_ptr_array_unref);
    }
  if (!lock_writer (self, error))
    return NULL;
  entries = collect (self->memory, self->n_slots, self->n_buckets, self->buckets_offset,
                     self->slots_offset, error);
  unlock_writer (self);
  return entries;
}

/* Whether the table holds together, under the writer lock: every chain in
 * the pool without loops, every entry whole and in its bucket, one entry
 * per key, the counts right. */
gboolean
shmlab_cache_check (ShmlabCache  *self,
                    GError      **error)
{
  gboolean ok;

  if (!lock_writer (self, error))
    return FALSE;
  ok = walk_table (self, FALSE, error);
  unlock_writer (self);
  return ok;
}

/**
 * shmlab_cache_hold_writer_lock:
 *
 * Takes the writer lock and keeps it, changing nothing: to show that
 * readers go on while a writer waits, and what happens to the next writer
 * when this process is killed holding it. Give it back with
 * shmlab_cache_release_writer_lock().
 */
gboolean
shmlab_cache_hold_writer_lock (ShmlabCache  *self,
                               GError      **error)
{
  return lock_writer (self, error);
}

void
shmlab_cache_release_writer_lock (ShmlabCache *self)
{
  unlock_writer (self);
}

/**
 * shmlab_cache_decode:
 * @bytes: a private copy of a segment
 * @stats: (out) (optional): its counters
 *
 * What a reader or the inspector makes of a copied segment: the header
 * checked, every chain followed with every link and length checked.
 *
 * Returns: (transfer full) (element-type ShmlabCacheEntry): the entries,
 *   or NULL with NOT_A_CACHE or CORRUPT (naming the field)
 */
GPtrArray *
shmlab_cache_decode (const guint8      *bytes,
                     gsize              length,
                     ShmlabCacheStats  *stats,
                     GError           **error)
{
  guint32 n_slots, n_buckets;
  guint64 buckets_offset, slots_offset;

  if (!read_geometry (bytes, length, &n_slots, &n_buckets, &buckets_offset, &slots_offset, error))
    return NULL;
  if (stats != NULL)
    fill_stats ((const Header *) (gconstpointer) bytes, n_slots, n_buckets, stats);
  return collect (bytes, n_slots, n_buckets, buckets_offset, slots_offset, error);
}

/**
 * shmlab_cache_describe_value:
 *
 * How a value is shown in a list, a table or the inspector, whoever wrote it.
 *
 * Returns: (transfer full): @value as text when it is UTF-8 without control
 *   characters (cut to @max_chars), else its size in bytes
 */
char *
shmlab_cache_describe_value (GBytes *value,
                             gsize   max_chars)
{
  gsize length;
  const char *data = g_bytes_get_data (value, &length);

  if (length == 0)
    return g_strdup ("\"\"");
  if (g_utf8_validate (data, length, NULL))
    {
      gboolean plain = TRUE;

      for (const char *p = data; p < data + length && plain; p = g_utf8_next_char (p))
        plain = !g_unichar_iscntrl (g_utf8_get_char (p));
      if (plain && g_utf8_strlen (data, length) <= (glong) max_chars)
        return g_strndup (data, length);
      if (plain)
        {
          g_autofree char *start = g_utf8_substring (data, 0, (glong) max_chars - 1);

          return g_strconcat (start, "…", NULL);
        }
    }
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "(%" PRIu64 " byte)",
                                       "(%" PRIu64 " bytes)", length), (guint64) length);
}
