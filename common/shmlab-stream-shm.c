/* shmlab-stream-shm.c — a stream through the key's shared memory segment:
 * one or two frame slots, the key's lock around each copy, and for "every
 * frame" the bounded buffer's two semaphores, "empty" and "full"
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-stream-private.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <linux/futex.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "shmlab-command.h"
#include "shmlab-error.h"
#include "shmlab-process.h"
#include "shmlab-segment.h"
#include "shmlab-stream-segment.h"


/* Waits while *@word is @value, up to @ms; shared between processes. */
static void
futex_wait (guint32 *word,
            guint32  value,
            guint    ms)
{
  struct timespec ts = { ms / 1000, (long) (ms % 1000) * 1000000 };

  syscall (SYS_futex, word, FUTEX_WAIT, value, &ts, NULL, 0);
}

static void
futex_wake (guint32 *word)
{
  syscall (SYS_futex, word, FUTEX_WAKE, G_MAXINT, NULL, NULL, 0);
}

/* sem_timedwait for at most @ms: TRUE when taken. */
static gboolean
sem_wait_slice (sem_t *sem,
                guint  ms)
{
  struct timespec ts;

  clock_gettime (CLOCK_REALTIME, &ts);
  ts.tv_nsec += (long) (ms % 1000) * 1000000;
  ts.tv_sec += ms / 1000 + ts.tv_nsec / 1000000000;
  ts.tv_nsec %= 1000000000;
  while (sem_timedwait (sem, &ts) != 0)
    if (errno != EINTR)
      return FALSE;
  return TRUE;
}

static gboolean
cancelled (GCancellable *cancellable,
           GError      **error)
{
  return g_cancellable_set_error_if_cancelled (cancellable, error);
}

/* ---- the writer ---- */

typedef struct
{
  ShmlabSegment *segment;
  ShmlabKey *key;
  ShmlabStreamSegmentHeader *head;
  guint8 *base;
  gsize size;
  gsize slot_size;
  guint n_slots;
  ShmlabStreamHandoff handoff;
  guint timeout_ms;
  guint32 next_slot;
} ShmWriter;

#define H(field) (self->head->field)
#define STORE(field, value) __atomic_store_n (&self->head->field, (value), __ATOMIC_RELEASE)
#define LOAD(field) __atomic_load_n (&self->head->field, __ATOMIC_ACQUIRE)

/* Either end's last step: the lock given back if this thread holds it, the
 * segment detached (and removed if this was its last user), the key let go. */
static void
let_go (ShmlabSegment **segment,
        ShmlabKey     **key)
{
  if (*segment != NULL)
    {
      if (shmlab_segment_is_locked (*segment))
        shmlab_segment_unlock (*segment, NULL);
      shmlab_segment_detach (*segment, NULL);
    }
  g_clear_object (segment);
  g_clear_pointer (key, shmlab_key_unref);
}

static void
shm_writer_close (gpointer state)
{
  ShmWriter *self = state;

  if (self == NULL)
    return;
  if (self->head != NULL)
    {
      STORE (state, SHMLAB_STREAM_STATE_ENDED);
      /* Readers waiting for a frame wake and see the end. */
      futex_wake (&H (published));
      /* A reader blocked on "full" sees the end at its next slice. */
    }
  /* A stream is live, not kept: a file the writer made goes with it, as a
   * POSIX name does. Readers keep their mapping and see the end. */
  if (self->segment != NULL && shmlab_backend_is_persistent (shmlab_key_get_backend (self->key)))
    {
      g_autoptr(ShmlabKey) key = shmlab_key_ref (self->key);

      let_go (&self->segment, &self->key);
      shmlab_segment_remove_for_key (key, TRUE, NULL);
    }
  else
    let_go (&self->segment, &self->key);
  g_free (self);
}

/* What is at the key already: a stream that ended or whose writer is gone
 * may be replaced; anything else is refused. */
static gboolean
replace_old (ShmWriter    *self,
             GCancellable *cancellable,
             GError      **error)
{
  g_autoptr(ShmlabSegment) old = shmlab_segment_new_for_key (self->key);
  g_autoptr(GError) local = NULL;
  ShmlabStreamSegmentInfo info;
  gboolean replaceable;

  if (!shmlab_segment_attach (old, SHMLAB_ACCESS_READ_ONLY, cancellable, &local))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (!shmlab_stream_segment_parse (shmlab_segment_get_const_data (old),
                                    shmlab_segment_get_size (old), &info, NULL))
    {
      g_autofree char *command = shmlab_command_for_key ("remove", shmlab_key_get_name (self->key),
                                                         shmlab_key_get_backend (self->key), NULL);
      shmlab_segment_detach (old, NULL);
      g_set_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_NOT_A_STREAM,
                   /* Translators: %s is a command to paste into a shell */
                   _("The key's segment already holds something that is not a stream. Choose another key, or remove it: %s"),
                   command);
      return FALSE;
    }
  replaceable = info.state == SHMLAB_STREAM_STATE_ENDED ||
                shmlab_process_has_ended (info.writer_pid) ||
                info.writer_pid == (guint32) getpid ();
  shmlab_segment_detach (old, NULL);
  if (!replaceable)
    {
      g_set_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_BUSY,
                   _("Another writer (pid %u) is streaming on this key. Stop it first, or choose another key."),
                   info.writer_pid);
      return FALSE;
    }
  /* Readers of the old stream keep their mapping, see it ended, and come
   * to the new one. */
  return shmlab_segment_remove_for_key (self->key, TRUE, error);
}

static gpointer
shm_writer_open (ShmlabKey                *key,
                 const ShmlabStreamConfig *config,
                 GCancellable             *cancellable,
                 GError                  **error)
{
  ShmWriter *self = g_new0 (ShmWriter, 1);
  gsize slot_size, size;
  guint64 id;

  self->key = shmlab_key_ref (key);
  self->n_slots = config->buffers;
  self->handoff = config->handoff;
  self->timeout_ms = config->timeout_ms;
  if (!shmlab_stream_segment_size (config->width, config->height, config->buffers,
                                   &slot_size, &size, error))
    goto fail;
  self->slot_size = slot_size;
  self->segment = shmlab_segment_new_for_key (key);
  for (int attempt = 0; ; attempt++)
    {
      g_autoptr(GError) local = NULL;

      if (shmlab_segment_create (self->segment, size, SHMLAB_ACCESS_READ_WRITE, cancellable, &local))
        break;
      if (attempt > 0 || !g_error_matches (local, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_ALREADY_EXISTS))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          goto fail;
        }
      if (!replace_old (self, cancellable, error))
        goto fail;
    }
  self->base = shmlab_segment_get_data (self->segment);
  self->size = shmlab_segment_get_size (self->segment);
  self->head = (ShmlabStreamSegmentHeader *) (gpointer) self->base;

  /* The header, under the lock; the magic last, so a reader that finds it
   * finds the rest. */
  if (!shmlab_segment_lock_full (self->segment, (int) self->timeout_ms, cancellable, error))
    goto fail;
  memset (self->base, 0, SHMLAB_STREAM_SEGMENT_HEADER_SIZE);
  H (version) = SHMLAB_STREAM_SEGMENT_VERSION;
  H (header_size) = SHMLAB_STREAM_SEGMENT_HEADER_SIZE;
  H (state) = SHMLAB_STREAM_STATE_RUNNING;
  H (n_slots) = config->buffers;
  H (handoff) = config->handoff;
  H (slot_size) = slot_size;
  id = ((guint64) g_random_int () << 32) | g_random_int ();
  H (stream_id) = id != 0 ? id : 1;
  H (lock) = config->lock ? 1 : 0;
  H (writer_pid) = (guint32) getpid ();
  H (width) = config->width;
  H (height) = config->height;
  H (writer_heartbeat) = shmlab_stream_now_ns ();
  sem_init (&H (empty).sem, 1, config->buffers);
  sem_init (&H (full).sem, 1, 0);
  __atomic_thread_fence (__ATOMIC_RELEASE);
  memcpy (H (magic), SHMLAB_STREAM_SEGMENT_MAGIC, 8);
  /* The lock's holder word needs the magic; the lock is ours meanwhile. */
  shmlab_segment_unlock (self->segment, NULL);
  return self;

fail:
  shm_writer_close (self);
  return NULL;
}

/* In "every frame", waits for an empty slot: in slices, looking at the
 * cancellable and at the reader between them. */
static gboolean
wait_empty (ShmWriter            *self,
            ShmlabStreamPutTimes *times,
            GCancellable         *cancellable,
            GError              **error)
{
  gint64 start = shmlab_stream_now_ns ();
  gint64 deadline = start + (gint64) self->timeout_ms * 1000000;

  while (!sem_wait_slice (&H (empty).sem, SHMLAB_STREAM_WAIT_SLICE_MS))
    {
      guint32 reader = LOAD (reader_pid);
      gint64 now = shmlab_stream_now_ns ();

      STORE (writer_heartbeat, now);
      times->handoff_wait_ns = now - start;
      if (cancelled (cancellable, error))
        return FALSE;
      if (reader != 0 && shmlab_process_has_ended (reader))
        {
          /* No one waits on the semaphores now: start them again empty,
           * dropping what the reader never took. */
          STORE (reader_pid, 0);
          STORE (read_count, LOAD (write_count));
          sem_init (&H (full).sem, 1, 0);
          sem_init (&H (empty).sem, 1, self->n_slots);
          g_set_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_NO_READER,
                       _("The reader (pid %u) ended while the writer waited for it to take a frame. Start a reader again, or hand over the latest frame instead of every frame."),
                       reader);
          return FALSE;
        }
      if (now >= deadline)
        {
          g_set_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_NO_READER,
                       g_dngettext (GETTEXT_PACKAGE,
                                    "No reader took a frame for %u second: with “every frame” the writer waits for the reader. Start a reader, or hand over the latest frame instead.",
                                    "No reader took a frame for %u seconds: with “every frame” the writer waits for the reader. Start a reader, or hand over the latest frame instead.",
                                    MAX (1, self->timeout_ms / 1000)),
                       MAX (1, self->timeout_ms / 1000));
          return FALSE;
        }
    }
  times->handoff_wait_ns = shmlab_stream_now_ns () - start;
  return TRUE;
}

static gboolean
shm_writer_put (gpointer                       state,
                const ShmlabStreamFrameHeader *header,
                const guint8                  *rgba,
                gsize                          stride,
                gboolean                       lock,
                ShmlabStreamRowHook            hook,
                gpointer                       hook_data,
                ShmlabStreamPutTimes          *times,
                GCancellable                  *cancellable,
                GError                       **error)
{
  ShmWriter *self = state;
  gboolean every = self->handoff == SHMLAB_STREAM_HANDOFF_EVERY;
  guint32 slot;

  /* A file cut short under the stream: stop, rather than write into zeros. */
  if (!shmlab_segment_check_intact (self->segment, error))
    return FALSE;
  STORE (writer_heartbeat, shmlab_stream_now_ns ());
  STORE (lock, lock ? 1 : 0);
  if (every)
    {
      if (!wait_empty (self, times, cancellable, error))
        return FALSE;
      slot = (guint32) (LOAD (write_count) % self->n_slots);
    }
  else
    slot = self->next_slot;

  if (lock)
    {
      gint64 start = shmlab_stream_now_ns ();
      gboolean ok = shmlab_segment_lock_full (self->segment, -1, cancellable, error);

      times->lock_wait_ns = shmlab_stream_now_ns () - start;
      if (!ok)
        {
          if (every)
            sem_post (&H (empty).sem);
          return FALSE;
        }
    }

  shmlab_stream_frame_write (self->base + SHMLAB_STREAM_SEGMENT_HEADER_SIZE + self->slot_size * slot,
                             header, rgba, stride, hook, hook_data);
  STORE (latest_slot, slot);
  STORE (latest_frame, header->frame_number);
  if (every)
    STORE (write_count, LOAD (write_count) + 1);
  __atomic_add_fetch (&H (writer_lock_wait_ns), times->lock_wait_ns, __ATOMIC_RELAXED);
  __atomic_add_fetch (&H (writer_handoff_wait_ns), times->handoff_wait_ns, __ATOMIC_RELAXED);
  /* Published before the unlock: a reader that takes the lock next and
   * copies this frame counts it as seen. */
  __atomic_add_fetch (&H (published), 1, __ATOMIC_RELEASE);
  if (lock)
    shmlab_segment_unlock (self->segment, NULL);

  self->next_slot = (slot + 1) % self->n_slots;
  STORE (writer_heartbeat, shmlab_stream_now_ns ());
  if (every)
    sem_post (&H (full).sem);
  futex_wake (&H (published));
  return TRUE;
}

/* ---- the reader ---- */

typedef struct
{
  ShmlabSegment *segment;
  ShmlabKey *key;
  ShmlabStreamSegmentHeader *head;
  guint8 *base;
  gsize size;
  guint64 stream_id;
  guint32 seen;   /* "published" when the last frame was taken */
} ShmReader;

#undef H
#undef STORE
#undef LOAD
#define H(field) (self->head->field)
#define STORE(field, value) __atomic_store_n (&self->head->field, (value), __ATOMIC_RELEASE)
#define LOAD(field) __atomic_load_n (&self->head->field, __ATOMIC_ACQUIRE)

static void
shm_reader_close (gpointer state)
{
  ShmReader *self = state;

  if (self == NULL)
    return;
  if (self->head != NULL)
    {
      guint32 me = (guint32) getpid ();

      __atomic_compare_exchange_n (&H (reader_pid), &me, 0, FALSE,
                                   __ATOMIC_RELEASE, __ATOMIC_RELAXED);
    }
  let_go (&self->segment, &self->key);
  g_free (self);
}

static gpointer
shm_reader_open (ShmlabKey     *key,
                 GCancellable  *cancellable,
                 GError       **error)
{
  ShmReader *self = g_new0 (ShmReader, 1);
  g_autoptr(GError) local = NULL;
  ShmlabStreamSegmentInfo info;

  self->key = shmlab_key_ref (key);
  self->segment = shmlab_segment_new_for_key (key);
  if (!shmlab_segment_attach (self->segment, SHMLAB_ACCESS_READ_WRITE, cancellable, &local))
    {
      if (g_error_matches (local, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_NOT_FOUND))
        {
          g_autofree char *command = shmlab_command_for_key ("stream", shmlab_key_get_name (key),
                                                             shmlab_key_get_backend (key), NULL);
          g_set_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_NO_STREAM,
                       /* Translators: %s is a command to paste into a shell */
                       _("Nothing streams on this key yet. Start the Writer's stream, or: %s"),
                       command);
        }
      else
        g_propagate_error (error, g_steal_pointer (&local));
      shm_reader_close (self);
      return NULL;
    }
  self->base = shmlab_segment_get_data (self->segment);
  self->size = shmlab_segment_get_size (self->segment);
  if (!shmlab_stream_segment_parse (self->base, self->size, &info, &local))
    {
      static const guint8 zero[8] = { 0 };

      if (g_error_matches (local, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_NOT_A_STREAM) &&
          self->size >= sizeof zero && memcmp (self->base, zero, sizeof zero) == 0)
        /* A writer has made the segment and not yet its header. */
        g_set_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_NO_STREAM,
                     _("The stream on this key is starting."));
      else if (g_error_matches (local, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_NOT_A_STREAM))
        g_set_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_NOT_A_STREAM,
                     _("The key's segment holds no stream: a writer put something else there. Read it instead of following it, or stream on another key."));
      else
        g_propagate_error (error, g_steal_pointer (&local));
      shm_reader_close (self);
      return NULL;
    }
  self->head = (ShmlabStreamSegmentHeader *) (gpointer) self->base;
  self->stream_id = info.stream_id;
  STORE (reader_pid, (guint32) getpid ());
  STORE (reader_heartbeat, shmlab_stream_now_ns ());
  /* In "latest", the frame already there is the first one to show. */
  self->seen = info.latest_frame != 0 ? LOAD (published) - 1 : LOAD (published);
  return self;
}

/* Whether the stream goes on: STOPPED when it ended, was replaced or its
 * writer is gone. */
static gboolean
still_streaming (ShmReader               *self,
                 ShmlabStreamSegmentInfo *info,
                 GError                 **error)
{
  /* A file cut short under the stream reads as zeros: say what happened. */
  if (!shmlab_segment_check_intact (self->segment, error) ||
      !shmlab_stream_segment_parse (self->base, self->size, info, error))
    return FALSE;
  /* In "every frame", the frames a writer left before it stopped are still
   * handed over. */
  if (info->stream_id == self->stream_id && info->handoff == SHMLAB_STREAM_HANDOFF_EVERY &&
      info->write_count > info->read_count)
    return TRUE;
  /* In "latest", a writer that stopped cleanly leaves its last frame whole:
   * a reader that has not taken it yet still does. */
  if (info->stream_id == self->stream_id && info->state == SHMLAB_STREAM_STATE_ENDED &&
      info->handoff == SHMLAB_STREAM_HANDOFF_LATEST && info->latest_frame != 0 &&
      LOAD (published) != self->seen)
    return TRUE;
  if (info->stream_id != self->stream_id || info->state == SHMLAB_STREAM_STATE_ENDED)
    {
      g_set_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_STOPPED,
                   info->stream_id != self->stream_id
                   ? _("The writer started the stream again.")
                   : _("The writer stopped the stream."));
      return FALSE;
    }
  if (shmlab_process_has_ended (info->writer_pid))
    {
      g_set_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_STOPPED,
                   _("The writer (pid %u) ended without stopping the stream."), info->writer_pid);
      return FALSE;
    }
  return TRUE;
}

static void
fill_info (const ShmlabStreamSegmentInfo *seg,
           ShmlabStreamReaderInfo        *info)
{
  info->frames_written = seg->latest_frame;
  info->writer_lock_wait_ns = seg->writer_lock_wait_ns;
  info->writer_handoff_wait_ns = seg->writer_handoff_wait_ns;
  info->config.transport = SHMLAB_STREAM_TRANSPORT_SHM;
  info->config.handoff = seg->handoff;
  info->config.buffers = seg->n_slots;
  info->config.lock = seg->lock;
  info->config.width = seg->width;
  info->config.height = seg->height;
}

static ShmlabStreamFrame *
shm_reader_next (gpointer                state,
                 ShmlabStreamPool       *pool,
                 guint                   timeout_ms,
                 ShmlabStreamReaderInfo *info,
                 GCancellable           *cancellable,
                 GError                **error)
{
  ShmReader *self = state;
  ShmlabStreamSegmentInfo seg;
  ShmlabStreamFrameHeader header;
  ShmlabStreamCheck check;
  g_autoptr(GBytes) bytes = NULL;
  gint64 deadline = shmlab_stream_now_ns () + (gint64) timeout_ms * 1000000;
  gboolean every;
  guint32 slot, published = 0;
  guint8 *dest;
  gint64 start;
  gboolean ok;

  /* Wait for a frame: "full" in every frame, a new publication in latest. */
  for (;;)
    {
      guint slice = SHMLAB_STREAM_WAIT_SLICE_MS;
      gint64 left;

      if (cancelled (cancellable, error) || !still_streaming (self, &seg, error))
        return NULL;
      fill_info (&seg, info);
      STORE (reader_heartbeat, shmlab_stream_now_ns ());
      every = seg.handoff == SHMLAB_STREAM_HANDOFF_EVERY;
      left = (deadline - shmlab_stream_now_ns ()) / 1000000;
      if (left < slice)
        slice = (guint) MAX (left, 1);
      if (every)
        {
          if (timeout_ms == 0 ? sem_trywait (&H (full).sem) == 0
                              : sem_wait_slice (&H (full).sem, slice))
            break;
        }
      else
        {
          published = LOAD (published);
          if (published != self->seen && seg.latest_frame != 0)
            break;
          if (timeout_ms > 0)
            futex_wait (&H (published), published, slice);
        }
      if (shmlab_stream_now_ns () >= deadline)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       _("No new frame came in time."));
          return NULL;
        }
    }

  start = shmlab_stream_now_ns ();
  if (!shmlab_segment_lock_full (self->segment, -1, cancellable, error))
    {
      if (every)
        sem_post (&H (full).sem);
      return NULL;
    }
  info->reader_lock_wait_ns = shmlab_stream_now_ns () - start;
  published = LOAD (published);
  if (!still_streaming (self, &seg, error))
    {
      shmlab_segment_unlock (self->segment, NULL);
      return NULL;
    }
  slot = every ? (guint32) (seg.read_count % seg.n_slots) : seg.latest_slot;
  bytes = shmlab_stream_pool_take (pool, seg.slot_size, &dest);
  /* One plain copy under the lock, as a Qt reader makes it; the rows are
   * checked on the copy, after the unlock. */
  memcpy (dest, self->base + shmlab_stream_segment_slot_offset (&seg, slot), seg.slot_size);
  if (!shmlab_segment_check_intact (self->segment, error))
    {
      shmlab_segment_unlock (self->segment, NULL);
      return NULL;
    }
  if (every)
    STORE (read_count, seg.read_count + 1);
  __atomic_add_fetch (&H (reader_lock_wait_ns), info->reader_lock_wait_ns, __ATOMIC_RELAXED);
  shmlab_segment_unlock (self->segment, NULL);
  if (every)
    sem_post (&H (empty).sem);
  self->seen = published;
  fill_info (&seg, info);
  ok = shmlab_stream_frame_check (dest, seg.slot_size, &header, &check, error);
  if (!ok)
    return NULL;
  return shmlab_stream_frame_new (bytes, &header, &check);
}

const ShmlabStreamTransportClass shmlab_stream_transport_shm = {
  .id = SHMLAB_STREAM_TRANSPORT_SHM,
  .writer_open = shm_writer_open,
  .writer_put = shm_writer_put,
  .writer_close = shm_writer_close,
  .reader_open = shm_reader_open,
  .reader_next = shm_reader_next,
  .reader_close = shm_reader_close,
};
