/* shmlab-bench-stream.h — the stream measured: a 1080p stream at 60 frames
 * per second, 4K as fast as possible through shared memory, a pipe and a
 * socket, "every frame" over ten thousand frames, and what one 4K handoff
 * costs beside its two copies
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "shmlab-stream.h"

G_BEGIN_DECLS

/* The runs shmlab_bench_stream_measure() makes, each on its own key. */
#define SHMLAB_BENCH_STREAM_N_RUNS 5

/**
 * ShmlabBenchStreamRun:
 *
 * One stream followed: a writer process sending, this process following.
 */
typedef struct
{
  const char *name;            /* "1080p60", "4k-max-shm", … */
  ShmlabStreamConfig config;
  double fps_asked;            /* 0: as fast as possible */
  guint64 frames_asked;        /* 0: for the run's seconds */
  gboolean ok;
  char *error;                 /* when !ok */
  double seconds;
  double fps;                  /* frames shown per second, over the run */
  ShmlabStreamStats stats;
} ShmlabBenchStreamRun;

/**
 * ShmlabBenchStreamHandoff:
 *
 * One 4K frame handed over in this process, writer then reader, with the
 * lock: medians in milliseconds.
 */
typedef struct
{
  guint32 width;
  guint32 height;
  guint runs;
  double put_ms;        /* the writer's put: tags, hashes, copy in, lock */
  double next_ms;       /* the reader's next: copy out, hashes, lock */
  double copy_ms;       /* one plain memcpy of the same bytes */
  double crc32_ms;      /* zlib's CRC-32 of the frame, what a frame's check costs */
} ShmlabBenchStreamHandoff;

typedef struct
{
  GPtrArray *runs;     /* ShmlabBenchStreamRun */
  ShmlabBenchStreamHandoff handoff;
  double elapsed;
} ShmlabBenchStream;

ShmlabBenchStream *shmlab_bench_stream_new     (void);
void               shmlab_bench_stream_free    (ShmlabBenchStream *self);
gboolean           shmlab_bench_stream_measure (ShmlabBenchStream *self,
                                                double             seconds,
                                                gboolean           quick,
                                                const char        *key_prefix,
                                                GCancellable      *cancellable,
                                                GError           **error);
char              *shmlab_bench_stream_table   (const ShmlabBenchStream *self);
char              *shmlab_bench_stream_json    (const ShmlabBenchStream *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShmlabBenchStream, shmlab_bench_stream_free)

G_END_DECLS
