/* shmlab-bench-lock.c — what an uncontended lock and unlock of a segment
 * costs on each backend, through ShmlabSegment and bare
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-bench-lock.h"

#include <glib/gi18n-lib.h>

#include <errno.h>

#include "shmlab-bench-cell.h"
#include "shmlab-bench-stats.h"
#include "shmlab-segment.h"

/* Pairs per timed batch: long enough that reading the clock costs nothing. */
#define BATCH 1000
#define MAX_BATCHES 4096

typedef enum
{
  VARIANT_SEGMENT,
  VARIANT_CANCELLABLE,
  VARIANT_PRIMITIVE,
} Variant;

typedef struct
{
  ShmlabSegment *segment;
  GCancellable *cancellable;
  ShmlabBackend backend;
  gpointer bare;  /* a bare semaphore of the backend's kind */
} LockSubject;

static gboolean
lock_pair (LockSubject  *subject,
           Variant       variant,
           GError      **error)
{
  if (variant == VARIANT_PRIMITIVE)
    {
      if (shmlab_backend_bare_lock_pair (subject->backend, subject->bare))
        return TRUE;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   _("the bare semaphore failed: %s"), g_strerror (errno));
      return FALSE;
    }

  return shmlab_segment_lock (subject->segment,
                              variant == VARIANT_CANCELLABLE ? subject->cancellable : NULL,
                              error) &&
         shmlab_segment_unlock (subject->segment, error);
}

/* The median over batches of the time of one lock + unlock, in ns. */
static gboolean
time_pairs (LockSubject  *subject,
            Variant       variant,
            double        seconds,
            double       *ns,
            GError      **error)
{
  g_autofree double *batches = g_new (double, MAX_BATCHES);
  gint64 deadline;
  guint n = 0;

  /* Warm up: the first calls open the semaphore and fault in its page. */
  for (guint i = 0; i < 100; i++)
    if (!lock_pair (subject, variant, error))
      return FALSE;

  deadline = shmlab_bench_now_ns () + (gint64) (seconds * 1e9);
  while (n < MAX_BATCHES && (n < 5 || shmlab_bench_now_ns () < deadline))
    {
      gint64 start = shmlab_bench_now_ns ();

      for (guint i = 0; i < BATCH; i++)
        if (!lock_pair (subject, variant, error))
          return FALSE;
      batches[n++] = (double) (shmlab_bench_now_ns () - start) / BATCH;
      if (g_cancellable_set_error_if_cancelled (subject->cancellable, error))
        return FALSE;
    }
  *ns = shmlab_bench_median (batches, n);
  return TRUE;
}

/**
 * shmlab_bench_measure_lock:
 * @key: a key of the bench's own, for a small segment made and removed here
 * @lock: (out): the three costs, or why they could not be had
 *
 * Times lock + unlock with nobody else around. Returns %FALSE only when
 * interrupted; a failure is kept in @lock.
 */
gboolean
shmlab_bench_measure_lock (ShmlabBackend     backend,
                           double            seconds,
                           const char       *key,
                           GCancellable     *cancellable,
                           ShmlabBenchLock  *lock,
                           GError          **error)
{
  g_autoptr(ShmlabSegment) segment = shmlab_segment_new (backend);
  g_autoptr(GError) local_error = NULL;
  LockSubject subject = { segment, cancellable, backend, NULL };
  gboolean ok;

  lock->backend = backend;
  lock->measured = TRUE;
  lock->ok = FALSE;

  ok = shmlab_segment_set_key (segment, key, &local_error) &&
       shmlab_segment_create (segment, 4096, SHMLAB_ACCESS_READ_WRITE, cancellable, &local_error);
  if (ok)
    ok = time_pairs (&subject, VARIANT_SEGMENT, seconds / 3, &lock->segment_ns, &local_error) &&
         time_pairs (&subject, VARIANT_CANCELLABLE, seconds / 3, &lock->cancellable_ns,
                     &local_error);
  if (ok && (ok = (subject.bare = shmlab_backend_bare_lock_open (backend, &local_error)) != NULL))
    {
      ok = time_pairs (&subject, VARIANT_PRIMITIVE, seconds / 3, &lock->primitive_ns,
                       &local_error);
      shmlab_backend_bare_lock_close (backend, subject.bare);
    }

  if (shmlab_segment_is_locked (segment))
    shmlab_segment_unlock (segment, NULL);
  if (shmlab_segment_is_attached (segment))
    shmlab_segment_detach (segment, NULL);
  shmlab_bench_remove_key (key, backend);

  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  lock->ok = ok;
  if (!ok)
    lock->error = g_strdup (local_error->message);
  return TRUE;
}
