/* shmlab-bench-image.h — a picture's way from the Writer to the Reader,
 * step by step, as a ShmLab frame and in the Qt example's format
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "shmlab-backend.h"

G_BEGIN_DECLS

/* The pictures go through the Reader's default path: System V, as Qt on Linux. */
#define SHMLAB_BENCH_IMAGE_BACKEND SHMLAB_BACKEND_DEFAULT

/**
 * ShmlabBenchImagePath:
 * @copy_out_ms: as the Reader copies out: into a new buffer, whose pages
 *   are first touched by the copy
 * @copy_out_again_ms: the same copy again into that buffer, now touched:
 *   the copy alone, for comparison (not part of @total_ms)
 *
 * One way of taking a picture from the writer's memory to the reader's:
 * each step's median time over @runs, in milliseconds.
 */
typedef struct
{
  const char *name;
  gsize bytes;
  guint runs;
  gboolean identical;
  double encode_ms;
  double copy_in_ms;
  double copy_out_ms;
  double copy_out_again_ms;
  double decode_ms;
  double total_ms;
} ShmlabBenchImagePath;

typedef struct
{
  char *path;
  guint32 width;
  guint32 height;
  ShmlabBenchImagePath frame;
  ShmlabBenchImagePath qt;
} ShmlabBenchImage;

gboolean shmlab_bench_measure_image (const char        *path,
                                     double             seconds,
                                     const char        *key_prefix,
                                     GCancellable      *cancellable,
                                     ShmlabBenchImage  *image,
                                     GError           **error);

G_END_DECLS
