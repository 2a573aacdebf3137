/* shmlab-bench-file.h — a large file read two ways: through one mmap(), as
 * the second article maps its video file, and through read() into a buffer
 * of a few sizes, every byte checked against what was written
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "shmlab-bench-machine.h"
#include "shmlab-bench-progress.h"

G_BEGIN_DECLS

#define SHMLAB_BENCH_FILE_DEFAULT_SIZE (G_GUINT64_CONSTANT (1) << 30)
/* Below this a run is over before the clock can tell the ways apart. */
#define SHMLAB_BENCH_FILE_MIN_SIZE (G_GUINT64_CONSTANT (1) << 20)
#define SHMLAB_BENCH_FILE_MAX_SIZE (G_GUINT64_CONSTANT (512) << 30)
/* Free space the file leaves on its disk, at least. */
#define SHMLAB_BENCH_FILE_SPARE_SPACE (G_GUINT64_CONSTANT (64) << 20)

/**
 * ShmlabBenchFileWay:
 * @name: "mmap", "read 4 KiB", …
 * @buffer: bytes each read() asks for; 0 for mmap
 * @seconds: (element-type double): each run, from the first system call to
 *   the last, the checksum of every byte included
 * @syscalls_per_run: mmap() and munmap(), or every read() (the last one
 *   finds the end)
 * @minor_faults, @major_faults: page faults per run, on average (a major
 *   one waited for the disk)
 * @resident_min, @resident_max: the share of the file's pages in the page
 *   cache at the start of a run (mincore()), over the runs; negative when
 *   it could not be told
 * @checksum_read: the checksum of what the last run read
 * @mismatches: runs whose checksum was not the one written
 */
typedef struct
{
  char *name;
  gsize buffer;
  GArray *seconds;
  double median_seconds;
  double min_seconds;
  double max_seconds;
  guint64 syscalls_per_run;
  double minor_faults;
  double major_faults;
  double resident_min;
  double resident_max;
  guint64 checksum_read;
  guint mismatches;
} ShmlabBenchFileWay;

/**
 * ShmlabBenchFile:
 * @path: the file made and removed
 * @tmpfs: the temp dir is in memory (tmpfs): the file never goes to a disk
 * @cold: the file's pages were dropped from the page cache before each run
 * @write_seconds, @fsync_seconds: making the file
 * @checksum_written: the checksum of every byte written
 * @ways: (element-type ShmlabBenchFileWay)
 */
typedef struct
{
  ShmlabBenchMachine machine;
  char *path;
  guint64 size;
  gboolean tmpfs;
  gboolean cold;
  guint runs;
  double write_seconds;
  double fsync_seconds;
  guint64 checksum_written;
  GArray *ways;
  double elapsed;
} ShmlabBenchFile;

ShmlabBenchFile *shmlab_bench_file_new         (void);
void             shmlab_bench_file_free        (ShmlabBenchFile          *self);
gboolean         shmlab_bench_file_check_space (const char               *dir,
                                                guint64                   size,
                                                GError                  **error);
gboolean         shmlab_bench_file_measure     (ShmlabBenchFile          *self,
                                                guint64                   size,
                                                guint                     runs,
                                                gboolean                  cold,
                                                const char               *key_prefix,
                                                GCancellable             *cancellable,
                                                const ShmlabBenchProgress *progress,
                                                GError                  **error);
gboolean         shmlab_bench_file_ok          (const ShmlabBenchFile    *self);
char            *shmlab_bench_file_table       (const ShmlabBenchFile    *self);
char            *shmlab_bench_file_json        (const ShmlabBenchFile    *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShmlabBenchFile, shmlab_bench_file_free)

G_END_DECLS
