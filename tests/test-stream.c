/* test-stream.c — the stream through shared memory: frames whole with the
 * lock, torn where a lock-less writer was when the reader copied, every
 * frame handed over in "every frame", and a damaged segment refused
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shmlab-backend.h"
#include "shmlab-segment.h"
#include "shmlab-stream.h"
#include "shmlab-stream-segment.h"
#include "shmlab-test-util.h"

#define W 64
#define H 48

/* A frame whose every pixel says its number. */
static void
fill (guint8  *rgba,
      guint64  number)
{
  for (gsize i = 0; i < (gsize) W * H * 4; i++)
    rgba[i] = (guint8) (number * 37 + i);
}

static ShmlabKey *
new_key (ShmlabBackend backend,
         const char   *stem)
{
  g_autofree char *name = shmlab_test_unique_key (stem);
  g_autoptr(GError) error = NULL;
  ShmlabKey *key = shmlab_key_new (name, backend, &error);

  g_assert_no_error (error);
  return key;
}

static void
config_for (ShmlabStreamConfig  *config,
            ShmlabStreamHandoff  handoff,
            guint                buffers,
            gboolean             lock)
{
  shmlab_stream_config_init (config);
  config->width = W;
  config->height = H;
  config->handoff = handoff;
  config->buffers = buffers;
  config->lock = lock;
  config->timeout_ms = 20000;
}

/* A frame written and checked as it is: one run, the right number, its
 * pixels where the header says. */
static void
test_frame_round_trip (void)
{
  g_autofree guint8 *rgba = g_malloc (W * H * 4);
  g_autofree guint8 *frame = NULL;
  ShmlabStreamFrameHeader in = { .width = W, .height = H, .frame_number = 7, .write_time = 5 };
  ShmlabStreamFrameHeader out;
  ShmlabStreamCheck check;
  g_autoptr(GError) error = NULL;
  gsize size;

  g_assert_true (shmlab_stream_frame_size (W, H, &size, &error));
  g_assert_cmpuint (size, ==, 64 + H * (16 + W * 4));
  frame = g_malloc (size);
  fill (rgba, 7);
  shmlab_stream_frame_write (frame, &in, rgba, W * 4, NULL, NULL);
  g_assert_true (shmlab_stream_frame_check (frame, size, &out, &check, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (out.frame_number, ==, 7);
  g_assert_cmpuint (out.row_size, ==, 16 + W * 4);
  g_assert_cmpuint (check.n_runs, ==, 1);
  g_assert_cmpuint (check.runs[0].n_rows, ==, H);
  g_assert_cmpuint (check.runs[0].frame_number, ==, 7);
  g_assert_false (shmlab_stream_check_is_torn (&check));
  g_assert_cmpmem (frame + 64 + 5 * out.row_size + 16, W * 4, rgba + 5 * W * 4, W * 4);
  shmlab_stream_check_clear (&check);

  /* Rows 0–19 from frame 8, the rest from 7: two runs, the tear at row 20. */
  {
    g_autofree guint8 *other = g_malloc (size);
    ShmlabStreamFrameHeader in8 = in;

    in8.frame_number = 8;
    fill (rgba, 8);
    shmlab_stream_frame_write (other, &in8, rgba, W * 4, NULL, NULL);
    memcpy (frame, other, 64 + 20 * out.row_size);
    /* … and one byte of row 30 changed: that row matches no frame. */
    frame[64 + 30 * out.row_size + 16 + 3] ^= 0xff;
    g_assert_true (shmlab_stream_frame_check (frame, size, &out, &check, &error));
    g_assert_true (shmlab_stream_check_is_torn (&check));
    g_assert_cmpuint (check.n_runs, ==, 4);
    g_assert_cmpuint (check.runs[0].frame_number, ==, 8);
    g_assert_cmpuint (check.runs[0].n_rows, ==, 20);
    g_assert_cmpuint (check.runs[1].frame_number, ==, 7);
    g_assert_cmpuint (check.runs[1].first_row, ==, 20);
    g_assert_cmpuint (check.runs[2].frame_number, ==, 0);
    g_assert_cmpuint (check.runs[2].first_row, ==, 30);
    g_assert_cmpuint (check.mixed_rows, ==, 1);
    g_assert_cmpuint (check.oldest_frame, ==, 7);
    g_assert_cmpuint (check.newest_frame, ==, 8);
    /* What a reader says of it: a row alone is "row", runs past the
     * limit are counted. */
    {
      g_autofree char *all = shmlab_stream_check_describe (&check, 0);
      g_autofree char *two = shmlab_stream_check_describe (&check, 2);

      g_assert_cmpstr (all, ==, "rows 0–19 from frame 8, rows 20–29 from frame 7, "
                                "row 30 mixed during the copy, rows 31–47 from frame 7");
      g_assert_cmpstr (two, ==, "rows 0–19 from frame 8, rows 20–29 from frame 7, and 2 more");
    }
    shmlab_stream_check_clear (&check);
  }
}

/* Hostile headers: each refused by name, nothing allocated for their sizes. */
static void
test_frame_hostile (void)
{
  g_autofree guint8 *rgba = g_malloc0 (W * H * 4);
  gsize size;
  g_autofree guint8 *frame = NULL;
  ShmlabStreamFrameHeader in = { .width = W, .height = H, .frame_number = 1 };
  static const struct { guint offset; guint32 value; const char *field; } cases[] = {
    { 12, 0, "width" }, { 12, 100000, "width" }, { 16, 1, "height" },
    { 16, 0xffffffff, "height" }, { 20, 17, "row_size" }, { 8, 9, "version" },
    { 10, 4096, "header_size" },
  };

  shmlab_stream_frame_size (W, H, &size, NULL);
  frame = g_malloc (size);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      ShmlabStreamFrameHeader out;
      ShmlabStreamCheck check;

      shmlab_stream_frame_write (frame, &in, rgba, W * 4, NULL, NULL);
      if (cases[i].offset == 8 || cases[i].offset == 10)
        {
          guint16 v = (guint16) cases[i].value;
          memcpy (frame + cases[i].offset, &v, 2);
        }
      else
        memcpy (frame + cases[i].offset, &cases[i].value, 4);
      g_assert_false (shmlab_stream_frame_check (frame, size, &out, &check, &error));
      g_assert_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_MALFORMED);
      g_assert_nonnull (strstr (error->message, cases[i].field));
      g_assert_null (check.runs);
    }
  /* A frame shorter than its header says. */
  {
    g_autoptr(GError) error = NULL;
    ShmlabStreamFrameHeader out;
    ShmlabStreamCheck check;

    shmlab_stream_frame_write (frame, &in, rgba, W * 4, NULL, NULL);
    g_assert_false (shmlab_stream_frame_check (frame, size - 1, &out, &check, &error));
    g_assert_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_MALFORMED);
  }
}

typedef struct
{
  ShmlabStreamWriter *writer;
  guint frames;
  GCancellable *cancellable;
  GError *error;
  guint written;
} WriterJob;

static gpointer
writer_thread (gpointer data)
{
  WriterJob *job = data;
  g_autofree guint8 *rgba = g_malloc (W * H * 4);
  g_autoptr(ShmlabStreamWriter) writer = job->writer;

  for (guint i = 1; i <= job->frames; i++)
    {
      fill (rgba, i);
      if (!shmlab_stream_writer_put (writer, rgba, W * 4, 0, job->cancellable, &job->error))
        return NULL;
      job->written = i;
    }
  return NULL;
}

/* Opens a reader once the writer has made the stream. */
static ShmlabStreamReader *
open_reader (ShmlabKey *key)
{
  /* A bound, not a timing: a writer started under valgrind on a busy
   * machine may take many seconds to make its segment. */
  for (int i = 0; i < 6000; i++)
    {
      g_autoptr(GError) error = NULL;
      ShmlabStreamReader *reader =
        shmlab_stream_reader_new (key, SHMLAB_STREAM_TRANSPORT_SHM, NULL, &error);

      if (reader != NULL)
        return reader;
      g_assert_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_NO_STREAM);
      g_usleep (10000);
    }
  g_assert_not_reached ();
}

/* Reads until the writer stops; returns the stats. */
static void
follow (ShmlabStreamReader *reader,
        ShmlabStreamStats  *stats,
        guint64             last_frame)
{
  guint64 newest = 0;

  while (newest < last_frame)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ShmlabStreamFrame) frame = shmlab_stream_reader_next (reader, 30000, NULL, &error);

      if (frame == NULL)
        {
          g_assert_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_STOPPED);
          break;
        }
      shmlab_stream_reader_shown (reader, frame, g_get_monotonic_time () * 1000);
      newest = MAX (newest, frame->check.newest_frame);
    }
  shmlab_stream_reader_get_stats (reader, stats);
}

/* With the lock, whatever the buffers and the handoff: no frame torn; in
 * "every frame" none skipped nor shown twice. */
static void
run_stream (ShmlabBackend       backend,
            ShmlabStreamHandoff handoff,
            guint               buffers,
            guint               frames)
{
  g_autoptr(ShmlabKey) key = new_key (backend, "stream");
  WriterJob job = { .frames = frames };
  g_autoptr(ShmlabStreamReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  ShmlabStreamConfig config;
  ShmlabStreamStats stats;
  GThread *thread;

  config_for (&config, handoff, buffers, TRUE);
  job.writer = shmlab_stream_writer_new (key, &config, NULL, &error);
  g_assert_no_error (error);
  reader = open_reader (key);
  thread = g_thread_new ("writer", writer_thread, &job);
  follow (reader, &stats, frames);
  g_thread_join (thread);
  g_assert_no_error (job.error);
  g_assert_cmpuint (job.written, ==, frames);
  g_assert_cmpuint (stats.frames_torn, ==, 0);
  g_assert_cmpuint (stats.frames_duplicated, ==, 0);
  g_assert_cmpuint (stats.frames_shown, >, 0);
  if (handoff == SHMLAB_STREAM_HANDOFF_EVERY)
    {
      /* The reader may have come after the first frames were written; from
       * then on, nothing lost. */
      g_assert_cmpuint (stats.frames_skipped, ==, 0);
      g_assert_cmpuint (stats.frames_shown, >=, frames - buffers);
    }
  shmlab_stream_reader_free (g_steal_pointer (&reader));
}

static void
test_locked_latest (gconstpointer data)
{
  run_stream (GPOINTER_TO_INT (data), SHMLAB_STREAM_HANDOFF_LATEST, 1, 1000);
  run_stream (GPOINTER_TO_INT (data), SHMLAB_STREAM_HANDOFF_LATEST, 2, 300);
}

static void
test_every_frame (gconstpointer data)
{
  run_stream (GPOINTER_TO_INT (data), SHMLAB_STREAM_HANDOFF_EVERY, 1, 1000);
  run_stream (GPOINTER_TO_INT (data), SHMLAB_STREAM_HANDOFF_EVERY, 2, 1000);
}

/* The deterministic tear: a writer without the lock stops after row 20 of
 * frame 2 while the reader copies; the reader sees rows 0–20 from frame 2
 * and the rest from frame 1. */
typedef struct
{
  GMutex mutex;
  GCond cond;
  gboolean paused;
  gboolean go_on;
} Seam;

static void
pause_at_row_20 (guint32  row,
                 gpointer data)
{
  Seam *seam = data;

  if (row != 20)
    return;
  g_mutex_lock (&seam->mutex);
  seam->paused = TRUE;
  g_cond_broadcast (&seam->cond);
  while (!seam->go_on)
    g_cond_wait (&seam->cond, &seam->mutex);
  g_mutex_unlock (&seam->mutex);
}

typedef struct
{
  ShmlabStreamWriter *writer;
  guint8 *rgba;
  GError *error;
} PutJob;

static gpointer
put_thread (gpointer data)
{
  PutJob *job = data;

  shmlab_stream_writer_put (job->writer, job->rgba, W * 4, 0, NULL, &job->error);
  return NULL;
}

static void
test_deterministic_tear (gconstpointer data)
{
  g_autoptr(ShmlabKey) key = new_key (GPOINTER_TO_INT (data), "tear");
  g_autofree guint8 *rgba = g_malloc (W * H * 4);
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabStreamWriter) writer = NULL;
  g_autoptr(ShmlabStreamReader) reader = NULL;
  g_autoptr(ShmlabStreamFrame) first = NULL;
  g_autoptr(ShmlabStreamFrame) torn = NULL;
  ShmlabStreamConfig config;
  ShmlabStreamConfig seen;
  ShmlabStreamStats stats;
  Seam seam = { 0 };
  PutJob job;
  GThread *thread;

  config_for (&config, SHMLAB_STREAM_HANDOFF_LATEST, 1, FALSE);
  writer = shmlab_stream_writer_new (key, &config, NULL, &error);
  g_assert_no_error (error);
  fill (rgba, 1);
  g_assert_true (shmlab_stream_writer_put (writer, rgba, W * 4, 0, NULL, &error));
  reader = open_reader (key);
  first = shmlab_stream_reader_next (reader, 10000, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (shmlab_stream_check_is_torn (&first->check));
  shmlab_stream_reader_shown (reader, first, g_get_monotonic_time () * 1000);
  shmlab_stream_reader_get_config (reader, &seen);
  g_assert_false (seen.lock);
  g_assert_cmpuint (seen.buffers, ==, 1);

  g_mutex_init (&seam.mutex);
  g_cond_init (&seam.cond);
  shmlab_stream_writer_set_row_hook (writer, pause_at_row_20, &seam);
  fill (rgba, 2);
  job = (PutJob) { writer, rgba, NULL };
  thread = g_thread_new ("put", put_thread, &job);
  g_mutex_lock (&seam.mutex);
  while (!seam.paused)
    g_cond_wait (&seam.cond, &seam.mutex);
  g_mutex_unlock (&seam.mutex);

  /* The writer is in the middle of frame 2 and has not published it: in
   * "latest" the reader would wait for it; a reader that reads now — as
   * one that came a moment earlier would — sees the tear. Make it read by
   * forcing the publication count. */
  {
    ShmlabSegment *peek = shmlab_segment_new_for_key (key);
    ShmlabStreamSegmentHeader *head;

    g_assert_true (shmlab_segment_attach (peek, SHMLAB_ACCESS_READ_WRITE, NULL, &error));
    head = shmlab_segment_get_data (peek);
    __atomic_add_fetch (&head->published, 1, __ATOMIC_RELEASE);
    torn = shmlab_stream_reader_next (reader, 10000, NULL, &error);
    __atomic_sub_fetch (&head->published, 1, __ATOMIC_RELEASE);
    shmlab_segment_detach (peek, NULL);
    g_object_unref (peek);
  }
  g_assert_no_error (error);
  g_mutex_lock (&seam.mutex);
  seam.go_on = TRUE;
  g_cond_broadcast (&seam.cond);
  g_mutex_unlock (&seam.mutex);
  g_thread_join (thread);
  g_assert_no_error (job.error);

  g_assert_true (shmlab_stream_check_is_torn (&torn->check));
  g_assert_cmpuint (torn->check.n_runs, ==, 2);
  g_assert_cmpuint (torn->check.runs[0].frame_number, ==, 2);
  g_assert_cmpuint (torn->check.runs[0].n_rows, ==, 21);
  g_assert_cmpuint (torn->check.runs[1].frame_number, ==, 1);
  g_assert_cmpuint (torn->check.runs[1].first_row, ==, 21);
  g_assert_true (torn->header.flags & SHMLAB_STREAM_FRAME_FLAG_UNLOCKED);
  shmlab_stream_reader_shown (reader, torn, g_get_monotonic_time () * 1000);
  shmlab_stream_reader_get_stats (reader, &stats);
  g_assert_cmpuint (stats.frames_torn, ==, 1);
  g_assert_cmpuint (stats.frames_shown, ==, 2);
  g_mutex_clear (&seam.mutex);
  g_cond_clear (&seam.cond);
}

/* The writer stops: the reader says so, and the segment goes with the last
 * of them. */
static void
test_writer_stops (gconstpointer data)
{
  ShmlabBackend backend = GPOINTER_TO_INT (data);
  g_autoptr(ShmlabKey) key = new_key (backend, "stop");
  g_autofree guint8 *rgba = g_malloc0 (W * H * 4);
  g_autoptr(GError) error = NULL;
  ShmlabStreamConfig config;
  ShmlabStreamWriter *writer;
  g_autoptr(ShmlabStreamReader) reader = NULL;
  g_autoptr(ShmlabStreamFrame) frame = NULL;
  ShmlabSegmentInfo info = { 0 };

  config_for (&config, SHMLAB_STREAM_HANDOFF_LATEST, 2, TRUE);
  writer = shmlab_stream_writer_new (key, &config, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (shmlab_stream_writer_put (writer, rgba, W * 4, 0, NULL, &error));
  reader = open_reader (key);
  shmlab_stream_writer_free (writer);
  /* The frame already there is still given, whole; then the end. */
  frame = shmlab_stream_reader_next (reader, 10000, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (frame->header.frame_number, ==, 1);
  g_assert_false (shmlab_stream_check_is_torn (&frame->check));
  g_clear_pointer (&frame, shmlab_stream_frame_unref);
  frame = shmlab_stream_reader_next (reader, 10000, NULL, &error);
  g_assert_null (frame);
  g_assert_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_STOPPED);
  shmlab_stream_reader_free (g_steal_pointer (&reader));
  g_assert_true (shmlab_segment_query_for_key (key, &info, NULL));
  g_assert_false (info.exists);
  shmlab_segment_info_clear (&info);
}

/* A key holding something else, and a stream whose header was damaged. */
static void
test_not_a_stream (gconstpointer data)
{
  ShmlabBackend backend = GPOINTER_TO_INT (data);
  g_autoptr(ShmlabKey) key = new_key (backend, "other");
  g_autoptr(ShmlabSegment) segment = shmlab_segment_new_for_key (key);
  g_autoptr(GError) error = NULL;
  ShmlabStreamConfig config;
  ShmlabStreamReader *reader;
  ShmlabStreamWriter *writer;
  gsize size;
  guint8 *bytes;

  g_assert_true (shmlab_segment_create (segment, 8192, SHMLAB_ACCESS_READ_WRITE, NULL, &error));
  /* A fresh, all-zero segment is a stream about to start: put a text there. */
  memcpy (shmlab_segment_get_data (segment), "hello", 6);
  reader = shmlab_stream_reader_new (key, SHMLAB_STREAM_TRANSPORT_SHM, NULL, &error);
  g_assert_null (reader);
  g_assert_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_NOT_A_STREAM);
  g_clear_error (&error);
  config_for (&config, SHMLAB_STREAM_HANDOFF_LATEST, 1, TRUE);
  writer = shmlab_stream_writer_new (key, &config, NULL, &error);
  g_assert_null (writer);
  g_assert_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_NOT_A_STREAM);
  g_assert_nonnull (strstr (error->message, "shmlab remove"));
  g_clear_error (&error);

  /* A stream header with every field checked against the segment. */
  bytes = shmlab_segment_get_data (segment);
  size = shmlab_segment_get_size (segment);
  {
    ShmlabStreamSegmentHeader *h = (ShmlabStreamSegmentHeader *) (gpointer) bytes;
    ShmlabStreamSegmentInfo info;

    memset (bytes, 0, SHMLAB_STREAM_SEGMENT_HEADER_SIZE);
    memcpy (h->magic, SHMLAB_STREAM_SEGMENT_MAGIC, 8);
    h->version = 1;
    h->header_size = 4096;
    h->state = 1;
    h->n_slots = 1;
    h->width = W;
    h->height = H;
    shmlab_stream_segment_size (W, H, 1, &size, NULL, NULL);
    h->slot_size = size;
    /* The slot does not fit in 8192 bytes. */
    g_assert_false (shmlab_stream_segment_parse (bytes, 8192, &info, &error));
    g_assert_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_MALFORMED);
    g_clear_error (&error);
    h->n_slots = 7;
    g_assert_false (shmlab_stream_segment_parse (bytes, G_MAXSIZE, &info, &error));
    g_assert_nonnull (strstr (error->message, "n_slots"));
    g_clear_error (&error);
    h->n_slots = 2;
    h->latest_slot = 2;
    g_assert_false (shmlab_stream_segment_parse (bytes, G_MAXSIZE, &info, &error));
    g_assert_nonnull (strstr (error->message, "latest_slot"));
    g_clear_error (&error);
    h->latest_slot = 0;
    h->width = 0xffffffff;
    g_assert_false (shmlab_stream_segment_parse (bytes, G_MAXSIZE, &info, &error));
    g_assert_nonnull (strstr (error->message, "width"));
    g_clear_error (&error);
  }
  g_assert_true (shmlab_segment_detach (segment, NULL));
}

static void add_fd_tests (void);
static void test_writer_killed (gconstpointer data);
static void test_reader_killed (gconstpointer data);

static void
add (const char     *name,
     GTestDataFunc   func)
{
  guint n;
  const ShmlabBackend *backends = shmlab_backend_all (&n);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_strdup_printf ("/stream/%s/%s",
                                               shmlab_backend_to_string (backends[i]), name);
      g_test_add_data_func (path, GINT_TO_POINTER (backends[i]), func);
    }
}

int
main (int    argc,
      char **argv)
{
  shmlab_test_init (&argc, &argv);
  g_test_add_func ("/stream/frame/round-trip", test_frame_round_trip);
  g_test_add_func ("/stream/frame/hostile", test_frame_hostile);
  add ("locked-latest", test_locked_latest);
  add ("every-frame", test_every_frame);
  add ("deterministic-tear", test_deterministic_tear);
  add ("writer-stops", test_writer_stops);
  add ("not-a-stream", test_not_a_stream);
  add ("writer-killed", test_writer_killed);
  add ("reader-killed", test_reader_killed);
  add_fd_tests ();
  return g_test_run ();
}

/* ---- a pipe and a socket ---- */

typedef struct
{
  ShmlabStreamWriter *writer;
  guint frames;
  guint written;
  GError *error;
} FdJob;

static gpointer
fd_writer_thread (gpointer data)
{
  FdJob *job = data;
  g_autofree guint8 *rgba = g_malloc (W * H * 4);

  for (guint i = 1; i <= job->frames; i++)
    {
      fill (rgba, i);
      if (!shmlab_stream_writer_put (job->writer, rgba, W * 4, 0, NULL, &job->error))
        return NULL;
      job->written = i;
    }
  return NULL;
}

static ShmlabStreamReader *
open_fd_reader (ShmlabKey             *key,
                ShmlabStreamTransport  transport)
{
  for (int i = 0; i < 2000; i++)
    {
      g_autoptr(GError) error = NULL;
      ShmlabStreamReader *reader = shmlab_stream_reader_new (key, transport, NULL, &error);

      if (reader != NULL)
        return reader;
      g_assert_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_NO_STREAM);
      g_usleep (10000);
    }
  g_assert_not_reached ();
}

/* Every frame through, in order, whole; the writer's end is the reader's
 * STOPPED; the FIFO or socket is gone after. */
static void
test_fd_every_frame (gconstpointer data)
{
  ShmlabStreamTransport transport = GPOINTER_TO_INT (data);
  g_autoptr(ShmlabKey) key = new_key (SHMLAB_BACKEND_DEFAULT, "fd");
  g_autofree char *path = shmlab_stream_transport_path (transport, key);
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabStreamReader) reader = NULL;
  ShmlabStreamConfig config;
  ShmlabStreamStats stats;
  FdJob job = { .frames = 100 };
  GThread *thread;
  guint64 expected = 1;

  /* No writer: nothing to follow, and the message says what to start. */
  reader = shmlab_stream_reader_new (key, transport, NULL, &error);
  g_assert_null (reader);
  g_assert_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_NO_STREAM);
  g_assert_nonnull (strstr (error->message, "shmlab stream --transport="));
  g_clear_error (&error);

  config_for (&config, SHMLAB_STREAM_HANDOFF_EVERY, 1, TRUE);
  config.transport = transport;
  job.writer = shmlab_stream_writer_new (key, &config, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  thread = g_thread_new ("writer", fd_writer_thread, &job);
  reader = open_fd_reader (key, transport);
  while (expected <= job.frames)
    {
      g_autoptr(ShmlabStreamFrame) frame = shmlab_stream_reader_next (reader, 20000, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (frame->header.frame_number, ==, expected);
      g_assert_false (shmlab_stream_check_is_torn (&frame->check));
      {
        g_autofree guint8 *pixels = g_malloc (W * H * 4);

        fill (pixels, expected);
        g_assert_cmpmem ((const guint8 *) g_bytes_get_data (frame->bytes, NULL) + 64 + 16, W * 4,
                         pixels, W * 4);
      }
      shmlab_stream_reader_shown (reader, frame, g_get_monotonic_time () * 1000);
      expected++;
    }
  g_thread_join (thread);
  g_assert_no_error (job.error);
  shmlab_stream_reader_get_stats (reader, &stats);
  g_assert_cmpuint (stats.frames_shown, ==, 100);
  g_assert_cmpuint (stats.frames_skipped, ==, 0);
  shmlab_stream_writer_free (job.writer);
  g_assert_null (shmlab_stream_reader_next (reader, 20000, NULL, &error));
  g_assert_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_STOPPED);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

/* The reader goes away: the writer says so, and lives. */
static void
test_fd_reader_gone (gconstpointer data)
{
  ShmlabStreamTransport transport = GPOINTER_TO_INT (data);
  g_autoptr(ShmlabKey) key = new_key (SHMLAB_BACKEND_DEFAULT, "fdgone");
  g_autofree guint8 *rgba = g_malloc0 (W * H * 4);
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabStreamWriter) writer = NULL;
  ShmlabStreamReader *reader;
  ShmlabStreamConfig config;
  gboolean refused = FALSE;

  config_for (&config, SHMLAB_STREAM_HANDOFF_EVERY, 1, TRUE);
  config.transport = transport;
  config.timeout_ms = 2000;
  writer = shmlab_stream_writer_new (key, &config, NULL, &error);
  g_assert_no_error (error);
  /* No reader at all: the writer waits, then says so. */
  g_assert_false (shmlab_stream_writer_put (writer, rgba, W * 4, 0, NULL, &error));
  g_assert_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_NO_READER);
  g_clear_error (&error);
  reader = open_fd_reader (key, transport);
  g_assert_true (shmlab_stream_writer_put (writer, rgba, W * 4, 0, NULL, &error));
  shmlab_stream_reader_free (reader);
  /* The frames already in the kernel's buffer may go through; then EPIPE. */
  for (int i = 0; i < 10000 && !refused; i++)
    if (!shmlab_stream_writer_put (writer, rgba, W * 4, 0, NULL, &error))
      {
        g_assert_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_NO_READER);
        refused = TRUE;
      }
  g_assert_true (refused);
}

/* A hostile header down the pipe: refused by name, nothing allocated for it. */
static void
test_fd_hostile (void)
{
  g_autoptr(ShmlabKey) key = new_key (SHMLAB_BACKEND_DEFAULT, "fdbad");
  g_autofree char *path = shmlab_stream_transport_path (SHMLAB_STREAM_TRANSPORT_PIPE, key);
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabStreamReader) reader = NULL;
  g_autoptr(ShmlabStreamFrame) frame = NULL;
  guint8 head[64] = "SHMLABSF";
  guint32 huge = 0x7fffffff;
  int fd;

  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  reader = shmlab_stream_reader_new (key, SHMLAB_STREAM_TRANSPORT_PIPE, NULL, &error);
  g_assert_no_error (error);
  fd = open (path, O_WRONLY);
  g_assert_cmpint (fd, >=, 0);
  head[8] = 1;
  head[10] = 64;
  memcpy (head + 12, &huge, 4);
  memcpy (head + 16, &huge, 4);
  g_assert_cmpint (write (fd, head, sizeof head), ==, sizeof head);
  frame = shmlab_stream_reader_next (reader, 10000, NULL, &error);
  g_assert_null (frame);
  g_assert_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, "width"));
  close (fd);
  unlink (path);
}

static void
add_fd_tests (void)
{
  g_test_add_data_func ("/stream/pipe/every-frame", GINT_TO_POINTER (SHMLAB_STREAM_TRANSPORT_PIPE), test_fd_every_frame);
  g_test_add_data_func ("/stream/socket/every-frame", GINT_TO_POINTER (SHMLAB_STREAM_TRANSPORT_SOCKET), test_fd_every_frame);
  g_test_add_data_func ("/stream/pipe/reader-gone", GINT_TO_POINTER (SHMLAB_STREAM_TRANSPORT_PIPE), test_fd_reader_gone);
  g_test_add_data_func ("/stream/socket/reader-gone", GINT_TO_POINTER (SHMLAB_STREAM_TRANSPORT_SOCKET), test_fd_reader_gone);
  g_test_add_func ("/stream/pipe/hostile", test_fd_hostile);
}

/* ---- processes that die ---- */

/* `shmlab stream` killed mid-stream: the reader says the stream stopped,
 * and the segment goes with it. */
static void
test_writer_killed (gconstpointer data)
{
  ShmlabBackend backend = GPOINTER_TO_INT (data);
  g_autoptr(ShmlabKey) key = new_key (backend, "killed");
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) writer = NULL;
  g_autoptr(ShmlabStreamReader) reader = NULL;
  ShmlabSegmentInfo info = { 0 };
  guint64 frames = 0;

  writer = g_subprocess_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error, shmlab_test_cli_path (),
                             "stream", "--backend", shmlab_backend_to_string (backend), "--size",
                             "64x48", "--fps", "200", "--quiet", shmlab_key_get_name (key), NULL);
  g_assert_no_error (error);
  reader = open_reader (key);
  while (frames < 10)
    {
      g_autoptr(ShmlabStreamFrame) frame = shmlab_stream_reader_next (reader, 10000, NULL, &error);

      g_assert_no_error (error);
      g_assert_false (shmlab_stream_check_is_torn (&frame->check));
      frames++;
    }
  g_subprocess_force_exit (writer);
  g_assert_true (g_subprocess_wait (writer, NULL, NULL));
  for (;;)
    {
      g_autoptr(ShmlabStreamFrame) frame = shmlab_stream_reader_next (reader, 10000, NULL, &error);

      if (frame == NULL)
        break;
    }
  g_assert_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_STOPPED);
  g_assert_nonnull (strstr (error->message, "ended without stopping"));
  shmlab_stream_reader_free (g_steal_pointer (&reader));
  /* What the killed writer made goes with its last reader (System V), or
   * stays for `shmlab remove` (POSIX keeps a name until it is unlinked). */
  g_assert_true (shmlab_segment_query_for_key (key, &info, NULL));
  if (info.exists)
    g_assert_true (shmlab_segment_remove_for_key (key, TRUE, NULL));
  shmlab_segment_info_clear (&info);
}

/* `shmlab follow` killed in "every frame": the writer waiting for it says
 * the reader ended, and does not wait for ever. */
static void
test_reader_killed (gconstpointer data)
{
  ShmlabBackend backend = GPOINTER_TO_INT (data);
  g_autoptr(ShmlabKey) key = new_key (backend, "rkilled");
  g_autofree guint8 *rgba = g_malloc0 (W * H * 4);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) follower = NULL;
  g_autoptr(ShmlabStreamWriter) writer = NULL;
  ShmlabStreamConfig config;
  guint put = 0;

  config_for (&config, SHMLAB_STREAM_HANDOFF_EVERY, 1, TRUE);
  config.timeout_ms = 30000;
  writer = shmlab_stream_writer_new (key, &config, NULL, &error);
  g_assert_no_error (error);
  follower = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                               &error, shmlab_test_cli_path (), "follow", "--backend",
                               shmlab_backend_to_string (backend), "--quiet",
                               shmlab_key_get_name (key), NULL);
  g_assert_no_error (error);
  /* The follower takes frames: the writer gets past the one slot. */
  while (put < 5)
    {
      g_assert_true (shmlab_stream_writer_put (writer, rgba, W * 4, 0, NULL, &error));
      put++;
    }
  g_subprocess_force_exit (follower);
  g_assert_true (g_subprocess_wait (follower, NULL, NULL));
  for (guint i = 0; i < 100; i++)
    if (!shmlab_stream_writer_put (writer, rgba, W * 4, 0, NULL, &error))
      break;
  g_assert_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_NO_READER);
  g_assert_nonnull (strstr (error->message, "ended while the writer waited"));
}
