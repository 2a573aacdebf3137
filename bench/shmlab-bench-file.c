/* shmlab-bench-file.c — a large file read two ways: through one mmap(), as
 * the second article maps its video file, and through read() into a buffer
 * of a few sizes, every byte checked against what was written
 *
 * The bench makes the file itself, in the temp dir: a random mebibyte,
 * stamped with its number, over and over, then fsync(). It reads it back
 * run after run, the ways taking turns so that each sees the machine in the
 * same state. The file has just been written, so its pages are in the page
 * cache: what is timed is getting the bytes out of memory the kernel keeps
 * for the file, unless --cold drops them first (posix_fadvise(), which needs
 * no root and touches no other file). mincore() says how many were there at
 * the start of each run, so the output states what was measured instead of
 * assuming it. The file goes at the end, whatever happened.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-bench-file.h"
#include "shmlab-bench-progress.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <math.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "shmlab-bench-cell.h"
#include "shmlab-bench-checksum.h"
#include "shmlab-bench-report.h"
#include "shmlab-bench-stats.h"
#include "shmlab-command.h"
#include "shmlab-json.h"
#include "shmlab-native-key.h"

#define GIB (1024.0 * 1024.0 * 1024.0)
/* The file is written a mebibyte at a time, each stamped with its number. */
#define CHUNK ((gsize) 1 << 20)
/* The mapping is summed in pieces this large, a cancel looked at between them. */
#define MAP_PIECE ((gsize) 64 << 20)

/* read()'s buffers: a page, a pipe's worth, a mebibyte. */
static const gsize read_buffers[] = { 4 << 10, 64 << 10, 1 << 20 };

static void
way_clear (gpointer data)
{
  ShmlabBenchFileWay *way = data;

  g_free (way->name);
  g_clear_pointer (&way->seconds, g_array_unref);
}

ShmlabBenchFile *
shmlab_bench_file_new (void)
{
  ShmlabBenchFile *self = g_new0 (ShmlabBenchFile, 1);

  self->ways = g_array_new (FALSE, TRUE, sizeof (ShmlabBenchFileWay));
  g_array_set_clear_func (self->ways, way_clear);
  return self;
}

void
shmlab_bench_file_free (ShmlabBenchFile *self)
{
  if (self == NULL)
    return;
  shmlab_bench_machine_clear (&self->machine);
  g_array_unref (self->ways);
  g_free (self->path);
  g_free (self);
}

static gboolean
set_errno_error (GError     **error,
                 int          saved_errno,
                 const char  *format,
                 ...) G_GNUC_PRINTF (3, 4);

/* "WHAT: the system's reason", as an error of the errno's kind; FALSE. */
static gboolean
set_errno_error (GError     **error,
                 int          saved_errno,
                 const char  *format,
                 ...)
{
  g_autofree char *what = NULL;
  va_list ap;

  va_start (ap, format);
  what = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "%s: %s", what,
               g_strerror (saved_errno));
  return FALSE;
}

/**
 * shmlab_bench_file_check_space:
 * @dir: where the file would be made
 *
 * Whether a file of @size fits on the disk of @dir and leaves
 * SHMLAB_BENCH_FILE_SPARE_SPACE free; if not, the error says what to do.
 */
gboolean
shmlab_bench_file_check_space (const char  *dir,
                               guint64      size,
                               GError     **error)
{
  struct statvfs st;
  guint64 available;

  if (statvfs (dir, &st) != 0)
    return set_errno_error (error, errno, _("cannot look at the disk of %s"), dir);
  available = (guint64) st.f_bavail * st.f_frsize;
  if (available >= size && available - size >= SHMLAB_BENCH_FILE_SPARE_SPACE)
    return TRUE;

  {
    g_autofree char *available_text = shmlab_bench_format_size (available);
    g_autofree char *size_text = shmlab_bench_format_size (size);
    g_autofree char *spare_text = shmlab_bench_format_size (SHMLAB_BENCH_FILE_SPARE_SPACE);

    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                 _("the disk of %s has %s free: not room enough for a %s file with %s to spare. "
                   "Choose a smaller --file-size, free some space there, or set TMPDIR to a "
                   "folder on a disk with more room"),
                 dir, available_text, size_text, spare_text);
  }
  return FALSE;
}

static gboolean
is_tmpfs (const char *dir)
{
  struct statfs st;

  return statfs (dir, &st) == 0 && st.f_type == TMPFS_MAGIC;
}

static gboolean
write_all (int            fd,
           const guint8  *data,
           gsize          length,
           guint64        offset,
           const char    *path,
           GError       **error)
{
  while (length > 0)
    {
      ssize_t n = pwrite (fd, data, length, (off_t) offset);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return set_errno_error (error, n < 0 ? errno : EIO, _("cannot write %s"), path);
      data += n;
      length -= (gsize) n;
      offset += (guint64) n;
    }
  return TRUE;
}

/* Fills the file with known bytes, and keeps their checksum. */
static gboolean
write_file (ShmlabBenchFile  *self,
            int               fd,
            GCancellable     *cancellable,
            GError          **error)
{
  g_autofree guint8 *chunk = shmlab_bench_pattern_new (CHUNK);
  ShmlabBenchSum sum;
  gint64 start;
  int failed;

  if (chunk == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                           _("not enough memory for the bench's 1 MiB of known bytes"));
      return FALSE;
    }
  /* All the blocks first: a disk that fills up says so before any byte is written. */
  failed = posix_fallocate (fd, 0, (off_t) self->size);
  if (failed != 0)
    return set_errno_error (error, failed, _("cannot make room for %s"), self->path);

  shmlab_bench_sum_init (&sum);
  start = shmlab_bench_now_ns ();
  for (guint64 offset = 0, index = 0; offset < self->size; offset += CHUNK, index++)
    {
      gsize length = (gsize) MIN (CHUNK, self->size - offset);
      guint64 stamp = GUINT64_TO_LE (index);

      /* Each mebibyte its own: one moved to another place would show. */
      memcpy (chunk, &stamp, sizeof stamp);
      if (!write_all (fd, chunk, length, offset, self->path, error))
        return FALSE;
      shmlab_bench_sum_update (&sum, chunk, length);
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
    }
  self->write_seconds = (double) (shmlab_bench_now_ns () - start) / 1e9;

  start = shmlab_bench_now_ns ();
  if (fsync (fd) != 0)
    return set_errno_error (error, errno, _("cannot write %s to its disk (fsync)"), self->path);
  self->fsync_seconds = (double) (shmlab_bench_now_ns () - start) / 1e9;
  self->checksum_written = shmlab_bench_sum_value (&sum);
  return TRUE;
}

/* The share of the file's pages in the page cache now, without touching
 * them; negative when the system does not say. */
static double
resident_share (int     fd,
                guint64 size)
{
  long page = sysconf (_SC_PAGESIZE);
  gsize pages = (gsize) ((size + (guint64) page - 1) / (guint64) page);
  g_autofree unsigned char *present = g_try_malloc (pages);
  guint64 resident = 0;
  void *map;
  int failed;

  if (present == NULL)
    return -1;
  map = mmap (NULL, (gsize) size, PROT_READ, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED)
    return -1;
  failed = mincore (map, (gsize) size, present);
  munmap (map, (gsize) size);
  if (failed != 0)
    return -1;
  for (gsize i = 0; i < pages; i++)
    resident += present[i] & 1;
  return (double) resident / (double) pages;
}

/* One mapping of the whole file, summed where it is. */
static gboolean
read_by_mmap (ShmlabBenchFile  *self,
              int               fd,
              GCancellable     *cancellable,
              guint64          *checksum,
              guint64          *syscalls,
              GError          **error)
{
  gsize size = (gsize) self->size;
  const guint8 *map = mmap (NULL, size, PROT_READ, MAP_SHARED, fd, 0);
  ShmlabBenchSum sum;

  if (map == MAP_FAILED)
    return set_errno_error (error, errno, _("cannot map %s"), self->path);
  shmlab_bench_sum_init (&sum);
  for (gsize offset = 0; offset < size; offset += MAP_PIECE)
    {
      shmlab_bench_sum_update (&sum, map + offset, MIN (MAP_PIECE, size - offset));
      if (g_cancellable_is_cancelled (cancellable))
        break;
    }
  munmap ((void *) map, size);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  *checksum = shmlab_bench_sum_value (&sum);
  *syscalls = 2;
  return TRUE;
}

/* read() from the start to the end, @buffer_size bytes asked each time,
 * each buffer summed once full. */
static gboolean
read_by_read (ShmlabBenchFile  *self,
              int               fd,
              guint8           *buffer,
              gsize             buffer_size,
              GCancellable     *cancellable,
              guint64          *checksum,
              guint64          *syscalls,
              GError          **error)
{
  ShmlabBenchSum sum;
  guint64 total = 0, calls = 0;
  gsize filled;

  if (lseek (fd, 0, SEEK_SET) != 0)
    return set_errno_error (error, errno, _("cannot read %s"), self->path);
  shmlab_bench_sum_init (&sum);
  do
    {
      filled = 0;
      while (filled < buffer_size)
        {
          ssize_t n = read (fd, buffer + filled, buffer_size - filled);

          calls++;
          if (n < 0 && errno == EINTR)
            continue;
          if (n < 0)
            return set_errno_error (error, errno, _("cannot read %s"), self->path);
          if (n == 0)
            break;
          filled += (gsize) n;
        }
      /* Whole buffers are multiples of 32 bytes: only the last piece is shorter. */
      shmlab_bench_sum_update (&sum, buffer, filled);
      total += filled;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
    }
  while (filled == buffer_size);

  if (total != self->size)
    {
      g_autofree char *total_text = shmlab_bench_format_size (total);
      g_autofree char *size_text = shmlab_bench_format_size (self->size);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("read %s of %s, a file of %s: another program changed it during the bench"),
                   total_text, self->path, size_text);
      return FALSE;
    }
  *checksum = shmlab_bench_sum_value (&sum);
  *syscalls = calls;
  return TRUE;
}


static void
add_way (ShmlabBenchFile *self,
         gsize            buffer)
{
  ShmlabBenchFileWay way = { 0 };

  if (buffer == 0)
    way.name = g_strdup ("mmap");
  else
    {
      g_autofree char *size = shmlab_bench_format_size (buffer);
      way.name = g_strdup_printf ("read %s", size);
    }
  way.buffer = buffer;
  way.seconds = g_array_new (FALSE, FALSE, sizeof (double));
  way.resident_min = INFINITY;
  way.resident_max = -INFINITY;
  g_array_append_val (self->ways, way);
}

/* One run of @way, timed from its first system call to its last. */
static gboolean
time_way (ShmlabBenchFile     *self,
          ShmlabBenchFileWay  *way,
          int                  fd,
          guint8              *buffer,
          GCancellable        *cancellable,
          GError             **error)
{
  struct rusage before, after;
  guint64 checksum = 0, syscalls = 0;
  double resident, seconds;
  gint64 start;
  gboolean done;
  int failed;

  /* Clean pages since the fsync(): the kernel may let them all go. */
  if (self->cold && (failed = posix_fadvise (fd, 0, 0, POSIX_FADV_DONTNEED)) != 0)
    return set_errno_error (error, failed, _("cannot drop the pages of %s from the page cache"),
                            self->path);
  resident = resident_share (fd, self->size);
  if (resident < 0 || way->resident_min < 0)
    way->resident_min = way->resident_max = -1;
  else
    {
      way->resident_min = MIN (way->resident_min, resident);
      way->resident_max = MAX (way->resident_max, resident);
    }

  getrusage (RUSAGE_SELF, &before);
  start = shmlab_bench_now_ns ();
  done = way->buffer == 0
         ? read_by_mmap (self, fd, cancellable, &checksum, &syscalls, error)
         : read_by_read (self, fd, buffer, way->buffer, cancellable, &checksum, &syscalls, error);
  seconds = (double) (shmlab_bench_now_ns () - start) / 1e9;
  getrusage (RUSAGE_SELF, &after);
  if (!done)
    return FALSE;

  g_array_append_val (way->seconds, seconds);
  way->syscalls_per_run = syscalls;
  way->minor_faults += (double) (after.ru_minflt - before.ru_minflt);
  way->major_faults += (double) (after.ru_majflt - before.ru_majflt);
  way->checksum_read = checksum;
  if (checksum != self->checksum_written)
    way->mismatches++;
  return TRUE;
}

static void
finish_way (ShmlabBenchFileWay *way)
{
  double *seconds = (double *) way->seconds->data;
  guint runs = way->seconds->len;

  if (runs == 0)
    return;
  way->median_seconds = shmlab_bench_median (seconds, runs);
  way->min_seconds = seconds[0];
  way->max_seconds = seconds[runs - 1];
  way->minor_faults /= runs;
  way->major_faults /= runs;
}

/* Removes the file; what cannot be is a warning on stderr, in one line,
 * with the command that removes it. */
static void
remove_file (const char *path)
{
  g_autofree char *shown = NULL;
  g_autofree char *quoted = NULL;
  g_autofree char *line = NULL;
  int saved_errno;

  if (unlink (path) == 0 || errno == ENOENT)
    return;
  saved_errno = errno;
  shown = g_filename_display_name (path);
  quoted = shmlab_shell_quote_arg (path);
  line = g_strdup_printf (_("could not remove the bench's file %s: %s; remove it with: rm -- %s"),
                          shown, g_strerror (saved_errno), quoted);
  g_printerr (_("shmlab: warning: %s\n"), line);
}

/**
 * shmlab_bench_file_measure:
 * @size: the file's size, from SHMLAB_BENCH_FILE_MIN_SIZE to
 *   SHMLAB_BENCH_FILE_MAX_SIZE
 * @runs: runs of each way
 * @cold: drop the file's pages from the page cache before each run
 * @key_prefix: the file is named after it, in the temp dir
 *
 * Makes the file, reads it every way @runs times, and removes it — also
 * after an error and when @cancellable is cancelled (Ctrl+C).
 */
gboolean
shmlab_bench_file_measure (ShmlabBenchFile            *self,
                           guint64                     size,
                           guint                       runs,
                           gboolean                    cold,
                           const char                 *key_prefix,
                           GCancellable               *cancellable,
                           const ShmlabBenchProgress  *progress,
                           GError                    **error)
{
  g_autofree char *dir = shmlab_native_key_temp_dir ();
  g_autofree char *size_text = shmlab_bench_format_size (size);
  g_autofree char *name = g_strdup_printf ("%s-file", key_prefix);
  gint64 started = shmlab_bench_now_ns ();
  guint8 *buffer = NULL;
  gboolean ok = FALSE;
  int fd;

  g_return_val_if_fail (size >= SHMLAB_BENCH_FILE_MIN_SIZE && size <= SHMLAB_BENCH_FILE_MAX_SIZE &&
                        size <= G_MAXSIZE, FALSE);
  g_return_val_if_fail (runs > 0, FALSE);

  self->size = size;
  self->runs = runs;
  self->cold = cold;
  self->path = g_build_filename (dir, name, NULL);
  self->tmpfs = is_tmpfs (dir);
  shmlab_bench_machine_read (&self->machine);
  add_way (self, 0);
  for (guint i = 0; i < G_N_ELEMENTS (read_buffers); i++)
    add_way (self, read_buffers[i]);

  if (!shmlab_bench_file_check_space (dir, size, error))
    return FALSE;
  fd = open (self->path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      if (errno == EEXIST)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                     _("%s is there already, left by an earlier run: remove it, then run the "
                       "bench again"), self->path);
      else
        set_errno_error (error, errno, _("cannot make %s"), self->path);
      return FALSE;
    }

  shmlab_bench_say (progress, _("writing %s of known bytes into %s"), size_text, self->path);
  if (!write_file (self, fd, cancellable, error))
    {
      shmlab_bench_say (progress, "\n");
      goto out;
    }
  shmlab_bench_say (progress, _(": %.2f s, and %.2f s for fsync()\n"), self->write_seconds,
       self->fsync_seconds);

  buffer = g_aligned_alloc0 (1, read_buffers[G_N_ELEMENTS (read_buffers) - 1], 4096);
  for (guint run = 0; run < runs; run++)
    {
      gint64 run_started = shmlab_bench_now_ns ();

      shmlab_bench_say (progress, _("reading it, run %u of %u:"), run + 1, runs);
      for (guint w = 0; w < self->ways->len; w++)
        {
          ShmlabBenchFileWay *way = &g_array_index (self->ways, ShmlabBenchFileWay, w);

          shmlab_bench_say (progress, " %s", way->name);
          if (!time_way (self, way, fd, buffer, cancellable, error))
            {
              shmlab_bench_say (progress, "\n");
              goto out;
            }
        }
      shmlab_bench_say (progress, "  (%.1f s)\n", (double) (shmlab_bench_now_ns () - run_started) / 1e9);
    }
  for (guint w = 0; w < self->ways->len; w++)
    finish_way (&g_array_index (self->ways, ShmlabBenchFileWay, w));
  ok = TRUE;

out:
  close (fd);
  remove_file (self->path);
  g_aligned_free (buffer);
  self->elapsed = (double) (shmlab_bench_now_ns () - started) / 1e9;
  return ok;
}

/* Every run of every way read back what was written. */
gboolean
shmlab_bench_file_ok (const ShmlabBenchFile *self)
{
  if (self->ways->len == 0)
    return FALSE;
  for (guint w = 0; w < self->ways->len; w++)
    {
      const ShmlabBenchFileWay *way = &g_array_index (self->ways, ShmlabBenchFileWay, w);

      if (way->mismatches > 0 || way->seconds->len != self->runs)
        return FALSE;
    }
  return TRUE;
}

static double
gib_per_second (const ShmlabBenchFile *self,
                double                 seconds)
{
  return seconds > 0 ? (double) self->size / GIB / seconds : NAN;
}

static char *
format_percent (double share)
{
  if (share < 0)
    return g_strdup ("?");
  return g_strdup_printf ("%.0f%%", floor (share * 100 + 0.5));
}

/* "100%", or "0% to 3%" when the runs saw different shares. */
static char *
format_share_range (double low,
                    double high)
{
  g_autofree char *low_text = format_percent (low);
  g_autofree char *high_text = format_percent (high);

  if (g_str_equal (low_text, high_text))
    return g_steal_pointer (&low_text);
  return g_strdup_printf (_("%s to %s"), low_text, high_text);
}

/* What the page cache held at the start of the runs, as mincore() said. */
static void
append_cache (GString               *out,
              const ShmlabBenchFile *self)
{
  double low = INFINITY, high = -INFINITY;
  g_autofree char *share = NULL;

  for (guint w = 0; w < self->ways->len; w++)
    {
      const ShmlabBenchFileWay *way = &g_array_index (self->ways, ShmlabBenchFileWay, w);

      if (way->resident_min < 0 || way->resident_max < 0)
        {
          low = high = -1;
          break;
        }
      low = MIN (low, way->resident_min);
      high = MAX (high, way->resident_max);
    }
  share = format_share_range (low, high);

  if (low < 0 || !isfinite (low))
    g_string_append (out, _("Page cache: not known (mincore() did not say how much of the file "
                          "it held).\n"));
  else if (self->tmpfs)
    g_string_append_printf (out, _("Page cache: the temp dir is in memory (tmpfs), where the "
                                 "file's pages are its only copy: %s of them were there at the "
                                 "start of each run (mincore), whatever --cold asks, and no run "
                                 "read a disk.\n"), share);
  else if (!self->cold && low >= 0.995)
    g_string_append_printf (out, _("Page cache: WARM. The file had just been written, so its "
                                 "pages were still in memory: %s of them at the start of every "
                                 "run (mincore). Nothing was read from the disk: these figures "
                                 "are the cost of getting the bytes out of the page cache. "
                                 "--cold drops the file's pages before each run.\n"), share);
  else if (!self->cold)
    g_string_append_printf (out, _("Page cache: WARM, but only %s of the file's pages were in "
                                 "memory at the start of a run (mincore): the rest came from "
                                 "the disk. Is there too little free memory for a file this "
                                 "large?\n"), share);
  else
    g_string_append_printf (out, _("Page cache: COLD. Before each run the file's pages were "
                                 "dropped from the page cache (posix_fadvise "
                                 "POSIX_FADV_DONTNEED): %s of them were still there at its "
                                 "start (mincore); the rest came from the disk — or from the "
                                 "host's cache, in a virtual machine.\n"), share);
}

/**
 * shmlab_bench_file_table:
 *
 * The measurement for a person: the file, the page cache, one line a way.
 */
char *
shmlab_bench_file_table (const ShmlabBenchFile *self)
{
  GString *out = g_string_new (NULL);
  g_autofree char *machine = shmlab_bench_machine_describe (&self->machine);
  g_autofree char *size = shmlab_bench_format_size (self->size);
  g_autofree char *path = g_filename_display_name (self->path);
  const ShmlabBenchFileWay *mapped = NULL;

  g_string_append_printf (out, _("Reading a %s file, every byte, through one mmap() and through "
                                 "read() (median of %u runs each, the ways taking turns)\n"),
                          size, self->runs);
  g_string_append_printf (out, _("on %s\n"), machine);
  g_string_append_printf (out, _("The file: %s, %s of known bytes, written in %.2f s, fsync() "
                                 "%.2f s; removed at the end.\n"),
                          path, size, self->write_seconds, self->fsync_seconds);
  append_cache (out, self);

  g_string_append_c (out, '\n');
  shmlab_bench_append_cell (out, "way", 13, FALSE);
  shmlab_bench_append_cell (out, _("median"), 9, TRUE);
  shmlab_bench_append_cell (out, "GiB/s", 9, TRUE);
  shmlab_bench_append_cell (out, _("fastest"), 10, TRUE);
  shmlab_bench_append_cell (out, _("slowest"), 10, TRUE);
  shmlab_bench_append_cell (out, _("system calls"), 15, TRUE);
  shmlab_bench_append_cell (out, _("page faults"), 14, TRUE);
  g_string_append (out, _("   checksum\n"));
  for (guint w = 0; w < self->ways->len; w++)
    {
      const ShmlabBenchFileWay *way = &g_array_index (self->ways, ShmlabBenchFileWay, w);
      g_autofree char *median = shmlab_bench_format_ns (way->median_seconds * 1e9);
      g_autofree char *rate = g_strdup_printf ("%.2f", gib_per_second (self, way->median_seconds));
      g_autofree char *fastest = shmlab_bench_format_ns (way->min_seconds * 1e9);
      g_autofree char *slowest = shmlab_bench_format_ns (way->max_seconds * 1e9);
      g_autofree char *syscalls = g_strdup_printf ("%" PRIu64, way->syscalls_per_run);
      g_autofree char *faults = g_strdup_printf ("%.0f", way->minor_faults + way->major_faults);

      if (way->buffer == 0)
        mapped = way;
      shmlab_bench_append_cell (out, way->name, 13, FALSE);
      /* The figures of a way that read wrong bytes are not given. */
      shmlab_bench_append_cell (out, way->mismatches == 0 ? median : _("failed"), 9, TRUE);
      shmlab_bench_append_cell (out, way->mismatches == 0 ? rate : "—", 9, TRUE);
      shmlab_bench_append_cell (out, way->mismatches == 0 ? fastest : "—", 10, TRUE);
      shmlab_bench_append_cell (out, way->mismatches == 0 ? slowest : "—", 10, TRUE);
      shmlab_bench_append_cell (out, syscalls, 15, TRUE);
      shmlab_bench_append_cell (out, faults, 14, TRUE);
      g_string_append_printf (out, "   %s\n", way->mismatches == 0 ? _("ok") : _("WRONG"));
    }
  g_string_append (out, _("System calls and page faults are per run. mmap: one mmap() of the "
                        "whole file, read-only and shared, summed where it is (no copy; a page "
                        "fault brings in the first touch of a few pages at a time), then "
                        "munmap(). read: each call copies the next piece from the page cache "
                        "into the buffer, which is then summed.\n"));

  if (shmlab_bench_file_ok (self))
    g_string_append_printf (out, _("Every byte of every run was checked: what was read has the "
                                 "checksum of what was written (0x%016" PRIx64 ").\n"),
                            self->checksum_written);
  else
    g_string_append_printf (out, _("SOME RUNS READ WRONG BYTES (see WRONG above): their checksum "
                                 "was not the one written (0x%016" PRIx64 "), so their figures "
                                 "are not given.\n"), self->checksum_written);

  if (shmlab_bench_file_ok (self) && mapped != NULL && mapped->median_seconds > 0)
    {
      gboolean first = TRUE;

      g_string_append (out, _("The time of read() against one mmap():"));
      for (guint w = 0; w < self->ways->len; w++)
        {
          const ShmlabBenchFileWay *way = &g_array_index (self->ways, ShmlabBenchFileWay, w);
          g_autofree char *buffer = NULL;

          if (way->buffer == 0)
            continue;
          buffer = shmlab_bench_format_size (way->buffer);
          g_string_append_printf (out, _("%s %.2f× with %s"), first ? "" : ",",
                                  way->median_seconds / mapped->median_seconds, buffer);
          first = FALSE;
        }
      g_string_append (out, _(" (above 1: mmap() is faster).\n"));
    }
  g_string_append_printf (out, _("Measured in %.1f s.\n"), self->elapsed);
  return g_string_free (out, FALSE);
}

/* "{ "median": …, "min": …, "max": … }" */
static void
json_triple (GString *out,
             double   median,
             double   min,
             double   max)
{
  g_string_append (out, "{ \"median\": ");
  shmlab_json_append_number (out, median);
  g_string_append (out, ", \"min\": ");
  shmlab_json_append_number (out, min);
  g_string_append (out, ", \"max\": ");
  shmlab_json_append_number (out, max);
  g_string_append (out, " }");
}

/**
 * shmlab_bench_file_json:
 *
 * The same as JSON: the machine, the file, the page cache, and each way
 * with its times, rates, calls, faults and checksums.
 */
char *
shmlab_bench_file_json (const ShmlabBenchFile *self)
{
  GString *out = g_string_new ("{\n");

  g_string_append_printf (out, "  \"format\": \"shmlab-bench-file 1\",\n  \"ok\": %s,\n",
                          shmlab_bench_file_ok (self) ? "true" : "false");
  g_string_append (out, "  \"machine\": { \"cpu_model\": ");
  shmlab_json_append_string (out, self->machine.cpu_model);
  g_string_append_printf (out, ", \"cores\": %u, \"kernel\": ", self->machine.cores);
  shmlab_json_append_string (out, self->machine.kernel);
  g_string_append_printf (out, ", \"memory_bytes\": %" G_GUINT64_FORMAT
                          ", \"virtual_machine\": %s, \"load_average\": ",
                          self->machine.memory_bytes,
                          self->machine.hypervisor ? "true" : "false");
  shmlab_json_append_number (out, self->machine.load_average >= 0 ? self->machine.load_average : NAN);
  g_string_append (out, " },\n  \"file\": { \"path\": ");
  shmlab_json_append_string (out, self->path);
  g_string_append_printf (out, ", \"size\": %" G_GUINT64_FORMAT ", \"tmpfs\": %s, "
                          "\"write_seconds\": ", self->size, self->tmpfs ? "true" : "false");
  shmlab_json_append_number (out, self->write_seconds);
  g_string_append (out, ", \"fsync_seconds\": ");
  shmlab_json_append_number (out, self->fsync_seconds);
  g_string_append_printf (out, ", \"checksum\": \"0x%016" PRIx64 "\" },\n",
                          self->checksum_written);
  g_string_append_printf (out, "  \"cache\": \"%s\",\n  \"runs\": %u,\n  \"ways\": [",
                          self->cold ? "cold" : "warm", self->runs);

  for (guint w = 0; w < self->ways->len; w++)
    {
      const ShmlabBenchFileWay *way = &g_array_index (self->ways, ShmlabBenchFileWay, w);

      g_string_append (out, w > 0 ? ",\n    { \"name\": " : "\n    { \"name\": ");
      shmlab_json_append_string (out, way->name);
      g_string_append_printf (out, ", \"method\": \"%s\", \"buffer\": ",
                              way->buffer == 0 ? "mmap" : "read");
      if (way->buffer == 0)
        g_string_append (out, "null");
      else
        g_string_append_printf (out, "%" G_GSIZE_FORMAT, way->buffer);
      g_string_append_printf (out, ", \"runs\": %u,\n      \"seconds\": ", way->seconds->len);
      if (way->mismatches > 0)
        g_string_append (out, "null,\n      \"gib_per_s\": null");
      else
        {
          json_triple (out, way->median_seconds, way->min_seconds, way->max_seconds);
          g_string_append (out, ",\n      \"gib_per_s\": ");
          json_triple (out, gib_per_second (self, way->median_seconds),
                       gib_per_second (self, way->max_seconds),
                       gib_per_second (self, way->min_seconds));
        }
      g_string_append_printf (out, ",\n      \"syscalls_per_run\": %" G_GUINT64_FORMAT
                              ", \"page_faults_per_run\": { \"minor\": ", way->syscalls_per_run);
      shmlab_json_append_number (out, way->minor_faults);
      g_string_append (out, ", \"major\": ");
      shmlab_json_append_number (out, way->major_faults);
      g_string_append (out, " },\n      \"resident_at_start\": { \"min\": ");
      shmlab_json_append_number (out, way->resident_min >= 0 ? way->resident_min : NAN);
      g_string_append (out, ", \"max\": ");
      shmlab_json_append_number (out, way->resident_max >= 0 ? way->resident_max : NAN);
      g_string_append_printf (out, " },\n      \"checksum\": { \"written\": \"0x%016" PRIx64 "\", "
                              "\"read\": \"0x%016" PRIx64 "\", \"mismatched_runs\": %u, "
                              "\"ok\": %s } }",
                              self->checksum_written, way->checksum_read, way->mismatches,
                              way->mismatches == 0 && way->seconds->len == self->runs &&
                              way->checksum_read == self->checksum_written ? "true" : "false");
    }
  g_string_append (out, self->ways->len > 0 ? "\n  ],\n" : "],\n");
  g_string_append (out, "  \"elapsed_seconds\": ");
  shmlab_json_append_number (out, self->elapsed);
  g_string_append (out, "\n}\n");
  return g_string_free (out, FALSE);
}
