/* shmlab-bench-image.c — a picture from the Writer's memory to the Reader's,
 * step by step, as a ShmLab frame and in the Qt example's format
 *
 * Both paths do what the apps do: encode outside the lock; lock, write,
 * unlock; a new buffer with its pages touched, then lock, copy out, unlock;
 * decode the copy in place (a frame's rows are not copied again). The
 * Reader's upload of the picture to a texture happens in its window and is
 * not measured here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-bench-image.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "shmlab-bench-cell.h"
#include "shmlab-bench-stats.h"
#include "shmlab-payload.h"
#include "shmlab-image-loader.h"
#include "shmlab-png.h"
#include "shmlab-segment.h"

#define MAX_RUNS 32

typedef struct
{
  double encode[MAX_RUNS];
  double copy_in[MAX_RUNS];
  double copy_out[MAX_RUNS];
  double copy_out_again[MAX_RUNS];
  double decode[MAX_RUNS];
  double total[MAX_RUNS];
} Times;

static double
ms_since (gint64 start)
{
  return (double) (shmlab_bench_now_ns () - start) / 1e6;
}

/* Creates the writer's segment and attaches the reader's, then touches
 * every page of both, as a writer that wrote before and a reader that read
 * before have. */
static gboolean
open_segments (ShmlabSegment  *writer,
               ShmlabSegment  *reader,
               const char     *key,
               gsize           size,
               GCancellable   *cancellable,
               GError        **error)
{
  const volatile guint8 *mapped;
  guint8 sink = 0;
  gsize page = 4096;

  if (!shmlab_segment_set_key (writer, key, error) ||
      !shmlab_segment_create (writer, size, SHMLAB_ACCESS_READ_WRITE, cancellable, error) ||
      !shmlab_segment_set_key (reader, key, error) ||
      !shmlab_segment_attach (reader, SHMLAB_ACCESS_READ_ONLY, cancellable, error))
    return FALSE;
  memset (shmlab_segment_get_data (writer), 0, size);
  mapped = shmlab_segment_get_const_data (reader);
  for (gsize i = 0; i < size; i += page)
    sink ^= mapped[i];
  (void) sink;
  return TRUE;
}

static void
close_segments (ShmlabSegment *writer,
                ShmlabSegment *reader,
                const char    *key)
{
  if (shmlab_segment_is_locked (writer))
    shmlab_segment_unlock (writer, NULL);
  if (shmlab_segment_is_locked (reader))
    shmlab_segment_unlock (reader, NULL);
  if (shmlab_segment_is_attached (reader))
    shmlab_segment_detach (reader, NULL);
  if (shmlab_segment_is_attached (writer))
    shmlab_segment_detach (writer, NULL);
  shmlab_bench_remove_key (key, SHMLAB_BENCH_IMAGE_BACKEND);
}

/* One write and one read of @payload in @format; the times go in @times[@run]. */
static gboolean
one_run (ShmlabPayload        *payload,
         ShmlabFormat          format,
         ShmlabSegment        *writer,
         ShmlabSegment        *reader,
         const char           *key,
         guint                 run,
         GCancellable         *cancellable,
         Times                *times,
         ShmlabBenchImagePath *path,
         GError              **error)
{
  g_autoptr(ShmlabEncoded) encoded = NULL;
  g_autoptr(ShmlabPayload) decoded = NULL;
  g_autofree guint8 *copy = NULL;
  g_autoptr(GBytes) copy_bytes = NULL;
  gint64 start;
  gsize size, written = 0;
  gboolean ok;

  start = shmlab_bench_now_ns ();
  encoded = shmlab_payload_encode (payload, format, error);
  times->encode[run] = ms_since (start);
  if (encoded == NULL)
    return FALSE;
  size = shmlab_encoded_get_size (encoded);

  if (!shmlab_segment_is_attached (writer) &&
      !open_segments (writer, reader, key, size, cancellable, error))
    return FALSE;
  if (shmlab_segment_get_size (writer) < size)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("the picture encoded to %zu bytes once and to more the next "
                   "time: the encoder is not deterministic"), size);
      return FALSE;
    }

  start = shmlab_bench_now_ns ();
  if (!shmlab_segment_lock (writer, cancellable, error))
    return FALSE;
  ok = shmlab_encoded_write (encoded, shmlab_segment_get_data (writer),
                             shmlab_segment_get_size (writer), SHMLAB_WRITE_FLAGS_NONE, run + 1,
                             &written, error);
  if (!shmlab_segment_unlock (writer, ok ? error : NULL) || !ok)
    return FALSE;
  times->copy_in[run] = ms_since (start);

  /* As the Reader: a new buffer for each read, its pages touched before the
   * lock is taken, then filled under the lock. */
  start = shmlab_bench_now_ns ();
  copy = g_try_malloc (written);
  if (copy == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   _("not enough memory for a copy of %zu bytes"), written);
      return FALSE;
    }
  for (gsize i = 0; i < written; i += 4096)
    ((volatile guint8 *) copy)[i] = 0;
  if (!shmlab_segment_lock (reader, cancellable, error))
    {
      g_free (copy);
      return FALSE;
    }
  memcpy (copy, shmlab_segment_get_const_data (reader), written);
  if (!shmlab_segment_unlock (reader, error))
    {
      g_free (copy);
      return FALSE;
    }
  times->copy_out[run] = ms_since (start);

  /* The copy alone, into pages already touched: what a reused buffer would cost. */
  start = shmlab_bench_now_ns ();
  if (!shmlab_segment_lock (reader, cancellable, error))
    return FALSE;
  memcpy (copy, shmlab_segment_get_const_data (reader), written);
  if (!shmlab_segment_unlock (reader, error))
    return FALSE;
  times->copy_out_again[run] = ms_since (start);

  /* The Reader decodes its copy in place: a frame's rows are not copied again. */
  start = shmlab_bench_now_ns ();
  copy_bytes = g_bytes_new_take (g_steal_pointer (&copy), written);
  decoded = shmlab_payload_decode_bytes (copy_bytes, error);
  times->decode[run] = ms_since (start);
  if (decoded == NULL)
    return FALSE;

  times->total[run] = times->encode[run] + times->copy_in[run] + times->copy_out[run] +
                      times->decode[run];
  path->bytes = written;
  path->identical = decoded->image != NULL && shmlab_image_equal (decoded->image, payload->image);
  if (!path->identical)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("the picture read back through %s differs from the one written"),
                   path->name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
measure_path (ShmlabPayload        *payload,
              ShmlabFormat          format,
              const char           *key,
              double                seconds,
              guint                 min_runs,
              GCancellable         *cancellable,
              ShmlabBenchImagePath *path,
              GError              **error)
{
  g_autoptr(ShmlabSegment) writer = shmlab_segment_new (SHMLAB_BENCH_IMAGE_BACKEND);
  g_autoptr(ShmlabSegment) reader = shmlab_segment_new (SHMLAB_BENCH_IMAGE_BACKEND);
  g_autofree Times *times = g_new0 (Times, 1);
  gint64 deadline = shmlab_bench_now_ns () + (gint64) (seconds * 1e9);
  gboolean ok = TRUE;
  guint runs = 0;

  while (runs < MAX_RUNS && (runs < min_runs || shmlab_bench_now_ns () < deadline))
    {
      ok = one_run (payload, format, writer, reader, key, runs, cancellable, times, path, error) &&
           !g_cancellable_set_error_if_cancelled (cancellable, error);
      if (!ok)
        break;
      runs++;
    }
  close_segments (writer, reader, key);
  if (!ok)
    return FALSE;

  path->runs = runs;
  path->encode_ms = shmlab_bench_median (times->encode, runs);
  path->copy_in_ms = shmlab_bench_median (times->copy_in, runs);
  path->copy_out_ms = shmlab_bench_median (times->copy_out, runs);
  path->copy_out_again_ms = shmlab_bench_median (times->copy_out_again, runs);
  path->decode_ms = shmlab_bench_median (times->decode, runs);
  path->total_ms = shmlab_bench_median (times->total, runs);
  return TRUE;
}

/**
 * shmlab_bench_measure_image:
 * @path: a PNG file
 * @seconds: about how long to spend; each path runs at least once
 *
 * Times both paths on the picture in @path (System V, as the apps by
 * default), each step's median over the runs.
 */
gboolean
shmlab_bench_measure_image (const char        *path,
                            double             seconds,
                            const char        *key_prefix,
                            GCancellable      *cancellable,
                            ShmlabBenchImage  *image,
                            GError           **error)
{
  g_autoptr(ShmlabImage) picture = NULL;
  g_autoptr(ShmlabPayload) payload = NULL;
  g_autofree char *frame_key = g_strdup_printf ("%s-image-frame", key_prefix);
  g_autofree char *qt_key = g_strdup_printf ("%s-image-qt", key_prefix);
  g_autoptr(GError) local_error = NULL;

  memset (image, 0, sizeof *image);
  image->path = g_strdup (path);
  image->frame.name = _("a ShmLab frame");
  image->qt.name = _("the Qt example's format");

  picture = shmlab_image_load_file (path, NULL, &local_error);
  if (picture == NULL)
    {
      g_set_error (error, local_error->domain, local_error->code,
                   _("--image needs a picture: %s"), local_error->message);
      return FALSE;
    }
  image->width = picture->width;
  image->height = picture->height;
  payload = shmlab_payload_new_image (picture);

  /* The frame is fast: most of the time goes to the Qt format's PNG. */
  return measure_path (payload, SHMLAB_FORMAT_FRAME, frame_key, seconds * 0.25, 5, cancellable,
                       &image->frame, error) &&
         measure_path (payload, SHMLAB_FORMAT_QT_IMAGE, qt_key, seconds * 0.75, 1, cancellable,
                       &image->qt, error);
}
