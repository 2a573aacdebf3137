/* shmlab-cmd-bench.c — `shmlab bench`: measure what the articles claim about
 * shared memory, pipes and sockets, on this machine, with every byte checked
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-cli.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <sched.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "shmlab-bench-cache.h"
#include "shmlab-bench-cell.h"
#include "shmlab-bench-file.h"
#include "shmlab-bench-image.h"
#include "shmlab-bench-map.h"
#include "shmlab-bench-stream.h"
#include "shmlab-bench-machine.h"
#include "shmlab-bench-mechanisms.h"
#include "shmlab-bench-plot.h"
#include "shmlab-bench-report.h"
#include "shmlab-bench-run.h"
#include "shmlab-bench-stats.h"
#include "shmlab-limits.h"

#define COMMAND "bench"

#define DEFAULT_SECONDS 34.0
#define QUICK_SECONDS 3.0
#define IMAGE_SECONDS 10.0
#define QUICK_IMAGE_SECONDS 2.0
#define MAX_SECONDS 3600.0
/* At most this share of the time, and this long per backend, goes to the locks. */
#define LOCK_SHARE 0.03
#define LOCK_MAX_SECONDS 0.6

static const char summary[] =
  N_("Measure how fast shared memory, pipes and sockets move bytes between two processes.");

static const char description[] =
  N_("Each mechanism moves messages between two processes made for it (memcpy: within one),\n"
  "and the receiver checks every byte of every message against what was sent: a\n"
  "mismatch is reported as a failure, never as a figure. For each message size it\n"
  "measures the one-way latency (half a ping-pong round trip; median and 99th\n"
  "percentile) and the throughput (a stream; the median of several runs), and for each\n"
  "backend the cost of an uncontended lock + unlock.\n"
  "\n"
  "Mechanisms: memcpy (one process: the most a core can copy), shm-sysv, shm-posix and\n"
  "shm-file (the apps' path on each backend: lock, copy in, unlock, signal; wake, lock,\n"
  "copy out, unlock), shm-inplace (the reader uses the bytes where they are: no copy\n"
  "out), pipe, unix-socket and tcp-loopback (127.0.0.1).\n"
  "\n"
  "The default run takes under a minute; --quick a few seconds. --image measures instead\n"
  "a picture's way from the Writer to the Reader, as a ShmLab frame and in the Qt\n"
  "example's PNG format. --file reads a large file it makes in the temp dir through one\n"
  "mmap() and through read() into buffers of 4 KiB, 64 KiB and 1 MiB, every byte\n"
  "checked; the file has just been written, so the page cache is warm unless --cold\n"
  "drops the file's pages before each run. Segments are made under keys starting with\n"
  "“shmlab-bench-” and removed at the end, also after a failure or Ctrl+C, and so is\n"
  "the file. Progress goes to standard error; the table (or the JSON) to standard output.\n"
  "\n"
  "--cache measures the shared cache (shmlab cache) against the same table behind one\n"
  "lock and against a Redis server: 100 hot keys, values of 300 B and 4 KiB, one writer\n"
  "process setting them (10000 times a second; --writer-rate) while 1, 2 and 4 reader\n"
  "processes get them, and the writer alone; every value read is checked against what\n"
  "was set. The bench starts redis-server itself, on a Unix socket in a temp dir of its\n"
  "own, with no TCP port and nothing saved, and stops it at the end; without\n"
  "redis-server only the cache's rows are measured, and it says what to install.\n"
  "\n"
  "Examples:\n"
  "  shmlab bench\n"
  "  shmlab bench --quick --plot bench.png\n"
  "  shmlab bench --sizes 64,1MiB --mechanisms shm-posix,pipe --seconds 5 --json\n"
  "  shmlab bench --image data/sample.png\n"
  "  shmlab bench --file --file-size 256MiB\n"
  "  shmlab bench --cache --quick");

static const guint64 default_sizes[] = {
  64, 4 << 10, 64 << 10, 1 << 20, 16 << 20, 64 << 20,
};

static int
compare_sizes (gconstpointer a,
               gconstpointer b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;

  return (x > y) - (x < y);
}

static gboolean
parse_sizes (const char  *text,
             GArray      *sizes,
             int         *status)
{
  g_auto(GStrv) parts = NULL;
  g_autofree char *max_text = shmlab_bench_format_size (SHMLAB_BENCH_MAX_SIZE);

  if (text == NULL)
    {
      g_array_append_vals (sizes, default_sizes, G_N_ELEMENTS (default_sizes));
      return TRUE;
    }

  parts = g_strsplit (text, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *shown = g_utf8_make_valid (g_strstrip (parts[i]), -1);
      guint64 size;
      gboolean seen = FALSE;

      if (*parts[i] == '\0')
        {
          *status = shmlab_cli_usage_error (COMMAND, _("--sizes has an empty size between commas: "
                                                     "write sizes such as 64,4KiB,1MiB"));
          return FALSE;
        }
      if (!shmlab_parse_size (parts[i], &size, &error))
        {
          *status = shmlab_cli_usage_error (COMMAND, _("--sizes: %s"), error->message);
          return FALSE;
        }
      if (size < SHMLAB_BENCH_MIN_SIZE || size > SHMLAB_BENCH_MAX_SIZE)
        {
          *status = shmlab_cli_usage_error (COMMAND, _("--sizes: “%s” is %s: each message size "
                                            "must be from %d bytes (room for its stamp) to %s, "
                                            "such as 64,4KiB,1MiB"),
                                            shown,
                                            size == 0 ? _("0 bytes, a message that carries nothing")
                                                      : size < SHMLAB_BENCH_MIN_SIZE
                                                        ? _("too small") : _("too large"),
                                            SHMLAB_BENCH_MIN_SIZE, max_text);
          return FALSE;
        }
      for (guint j = 0; j < sizes->len; j++)
        seen |= g_array_index (sizes, guint64, j) == size;
      if (!seen)
        g_array_append_val (sizes, size);
    }
  g_array_sort (sizes, compare_sizes);
  return TRUE;
}

static gboolean
parse_mechanisms (const char            *text,
                  gboolean               chosen[SHMLAB_BENCH_N_MECHANISMS],
                  int                   *status)
{
  g_auto(GStrv) parts = NULL;

  if (text == NULL || g_strcmp0 (text, "all") == 0)
    {
      for (guint i = 0; i < SHMLAB_BENCH_N_MECHANISMS; i++)
        chosen[i] = TRUE;
      return TRUE;
    }

  parts = g_strsplit (text, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      ShmlabBenchMechanism mechanism;

      if (!shmlab_bench_mechanism_from_string (g_strstrip (parts[i]), &mechanism))
        {
          g_autofree char *shown = g_utf8_make_valid (parts[i], -1);
          g_autofree char *names = shmlab_bench_mechanism_names ();
          *status = shmlab_cli_usage_error (COMMAND, _("--mechanisms: unknown mechanism “%s”: use "
                                            "%s, separated by commas"), shown, names);
          return FALSE;
        }
      chosen[mechanism] = TRUE;
    }
  return TRUE;
}

static gboolean
parse_seconds (const char *text,
               double      fallback,
               double     *seconds,
               int        *status)
{
  char *end = NULL;
  double value;

  if (text == NULL)
    {
      *seconds = fallback;
      return TRUE;
    }
  errno = 0;
  value = g_ascii_strtod (text, &end);
  if (errno != 0 || end == text || *end != '\0' || !isfinite (value) || value <= 0 ||
      value > MAX_SECONDS)
    {
      g_autofree char *shown = g_utf8_make_valid (text, -1);
      *status = shmlab_cli_usage_error (COMMAND, _("--seconds takes a number of seconds greater "
                                        "than 0 and at most %.0f, such as 20 or 2.5, not “%s”"),
                                        MAX_SECONDS, shown);
      return FALSE;
    }
  *seconds = value;
  return TRUE;
}

/* --cpus: where the two processes run. "apart" needs two processors. */
static gboolean
parse_cpus (const char *text,
            int         cpus[2],
            int        *status)
{
  cpu_set_t set;
  int allowed[2] = { -1, -1 };
  guint n_allowed = 0;

  cpus[0] = cpus[1] = -1;
  if (text == NULL)
    text = "same";
  if (g_strcmp0 (text, "any") == 0)
    return TRUE;
  if (g_strcmp0 (text, "same") != 0 && g_strcmp0 (text, "apart") != 0)
    {
      g_autofree char *shown = g_utf8_make_valid (text, -1);
      *status = shmlab_cli_usage_error (COMMAND, _("--cpus takes same (both processes on one "
                                        "processor), apart (one each) or any (where the "
                                        "scheduler puts them), not “%s”"), shown);
      return FALSE;
    }

  CPU_ZERO (&set);
  if (sched_getaffinity (0, sizeof set, &set) == 0)
    for (int cpu = 0; cpu < CPU_SETSIZE && n_allowed < 2; cpu++)
      if (CPU_ISSET (cpu, &set))
        allowed[n_allowed++] = cpu;
  if (n_allowed == 0)
    allowed[n_allowed++] = 0;
  if (g_strcmp0 (text, "apart") == 0 && n_allowed < 2)
    {
      *status = shmlab_cli_usage_error (COMMAND, _("--cpus apart needs two processors, and this "
                                        "program may run on only one: use same or any"));
      return FALSE;
    }
  cpus[0] = allowed[0];
  cpus[1] = g_strcmp0 (text, "apart") == 0 ? allowed[1] : allowed[0];
  return TRUE;
}

/* The chart is drawn after a minute of measuring: find out now that it cannot be saved. */
static gboolean
check_plot_path (const char *path,
                 int        *status)
{
  g_autofree char *folder = g_path_get_dirname (path);
  g_autofree char *shown = g_filename_display_name (path);

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      *status = shmlab_cli_usage_error (COMMAND, _("--plot “%s” is a folder: give a file name "
                                        "such as bench.png"), shown);
      return FALSE;
    }
  if (!g_file_test (folder, G_FILE_TEST_IS_DIR) || access (folder, W_OK) != 0)
    {
      g_autofree char *folder_shown = g_filename_display_name (folder);
      *status = shmlab_cli_usage_error (COMMAND, _("--plot “%s”: the folder “%s” does not exist "
                                        "or cannot be written: choose another path"),
                                        shown, folder_shown);
      return FALSE;
    }
  return TRUE;
}

/* The backends whose lock is measured: those a chosen mechanism uses. */
static guint
count_lock_backends (const gboolean chosen[SHMLAB_BENCH_N_MECHANISMS])
{
  guint n_backends, n = 0;
  const ShmlabBackend *backends = shmlab_backend_all (&n_backends);

  for (guint b = 0; b < n_backends; b++)
    {
      gboolean needed = FALSE;

      for (guint m = 0; m < SHMLAB_BENCH_N_MECHANISMS; m++)
        {
          ShmlabBackend uses;
          needed |= chosen[m] && shmlab_bench_mechanism_uses_shm (m, &uses) && uses == backends[b];
        }
      n += needed;
    }
  return n;
}

/* The run's own progress, on standard error as it comes. */
static void
print_progress (const char *text,
                gpointer    user_data)
{
  fputs (text, stderr);
  fflush (stderr);
}

/* --file-size: a size the file mode can time and the disk may hold. */
static gboolean
parse_file_size (const char *text,
                 guint64    *size,
                 int        *status)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *min_text = shmlab_bench_format_size (SHMLAB_BENCH_FILE_MIN_SIZE);
  g_autofree char *max_text = shmlab_bench_format_size (SHMLAB_BENCH_FILE_MAX_SIZE);
  g_autofree char *shown = NULL;

  if (text == NULL)
    {
      *size = SHMLAB_BENCH_FILE_DEFAULT_SIZE;
      return TRUE;
    }
  shown = g_utf8_make_valid (text, -1);
  if (!shmlab_parse_size (text, size, &error))
    {
      *status = shmlab_cli_usage_error (COMMAND, _("--file-size: %s"), error->message);
      return FALSE;
    }
  if (*size < SHMLAB_BENCH_FILE_MIN_SIZE || *size > SHMLAB_BENCH_FILE_MAX_SIZE)
    {
      *status = shmlab_cli_usage_error (COMMAND, _("--file-size: “%s” is %s: the file must be "
                                        "from %s to %s, such as 256MiB or 1GiB"),
                                        shown,
                                        *size == 0 ? _("0 bytes, a file with nothing to read")
                                                   : *size < SHMLAB_BENCH_FILE_MIN_SIZE
                                                     ? _("too small to time") : _("too large"),
                                        min_text, max_text);
      return FALSE;
    }
  return TRUE;
}

/* --file alone: make, read and remove the file; the output on standard output. */
static int
measure_file (const char *size_text,
              gboolean    cold,
              gboolean    quick,
              gboolean    json,
              gboolean    quiet,
              const char *key_prefix)
{
  const ShmlabBenchProgress shown_progress = { print_progress, NULL };
  g_autoptr(ShmlabBenchFile) measured = shmlab_bench_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;
  int status = SHMLAB_CLI_EXIT_OK;
  guint64 size;

  if (!parse_file_size (size_text, &size, &status))
    return status;
  if (!shmlab_bench_file_measure (measured, size, quick ? 3 : 7, cold, key_prefix,
                                  shmlab_cli_interrupt (), quiet ? NULL : &shown_progress,
                                  &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_printerr (_("shmlab: the bench was interrupted: its file was removed, so nothing was "
                      "measured in full\n"));
          return SHMLAB_CLI_EXIT_FAILURE;
        }
      return shmlab_cli_fail (error);
    }
  output = json ? shmlab_bench_file_json (measured) : shmlab_bench_file_table (measured);
  g_print ("%s", output);
  if (!shmlab_bench_file_ok (measured))
    return shmlab_cli_fail_printf (_("some runs did not read back what was written (see “WRONG” "
                                   "above, or “ok”: false in the JSON): their figures are not "
                                   "given"));
  return status;
}

/* --writer-rate: sets a second, or "max" for without pause (0). */
static gboolean
parse_writer_rate (const char *text,
                   guint      *rate,
                   int        *status)
{
  guint64 value;

  if (text == NULL)
    {
      *rate = SHMLAB_BENCH_CACHE_WRITER_RATE;
      return TRUE;
    }
  if (g_strcmp0 (text, "max") == 0)
    {
      *rate = 0;
      return TRUE;
    }
  if (!g_ascii_string_to_unsigned (text, 10, 1, SHMLAB_BENCH_CACHE_MAX_WRITER_RATE, &value, NULL))
    {
      g_autofree char *shown = g_utf8_make_valid (text, -1);
      *status = shmlab_cli_usage_error (COMMAND, _("--writer-rate takes the sets a second the "
                                        "writer makes, a whole number from 1 to %u, or max for "
                                        "without pause, not “%s”"),
                                        SHMLAB_BENCH_CACHE_MAX_WRITER_RATE, shown);
      return FALSE;
    }
  *rate = (guint) value;
  return TRUE;
}

/* --cache alone: the cache, the same behind one lock, and Redis. */
static int
measure_cache (const char *seconds_text,
               const char *writer_rate_text,
               gboolean    quick,
               gboolean    json,
               gboolean    quiet,
               const char *key_prefix)
{
  const ShmlabBenchProgress shown_progress = { print_progress, NULL };
  g_autoptr(ShmlabBenchCache) measured = shmlab_bench_cache_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;
  int status = SHMLAB_CLI_EXIT_OK;
  double seconds;
  guint writer_rate;

  if (!parse_seconds (seconds_text, quick ? SHMLAB_BENCH_CACHE_QUICK_SECONDS
                                          : SHMLAB_BENCH_CACHE_SECONDS,
                      &seconds, &status) ||
      !parse_writer_rate (writer_rate_text, &writer_rate, &status))
    return status;
  if (!shmlab_bench_cache_measure (measured, seconds, quick, writer_rate, key_prefix,
                                   shmlab_cli_interrupt (),
                                   quiet ? NULL : &shown_progress, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_printerr (_("shmlab: the bench was interrupted: its processes and its Redis server "
                      "were stopped, its segment and temp dir removed, so nothing was measured "
                      "in full\n"));
          return SHMLAB_CLI_EXIT_FAILURE;
        }
      return shmlab_cli_fail (error);
    }
  /* Said even with --quiet: the rows it leaves out are not in the output. */
  if (!measured->redis_available)
    g_printerr (_("shmlab: note: %s\n"), measured->redis_note);
  output = json ? shmlab_bench_cache_json (measured) : shmlab_bench_cache_table (measured);
  g_print ("%s", output);
  if (!shmlab_bench_cache_ok (measured))
    return shmlab_cli_fail_printf (_("some rows failed (see “FAILED” above, or “ok”: false in the "
                                   "JSON): their figures are not given"));
  return status;
}

static int
interrupted (void)
{
  g_printerr (_("shmlab: the bench was interrupted: its processes were stopped and its segments "
              "removed, so nothing was measured in full\n"));
  return SHMLAB_CLI_EXIT_FAILURE;
}

int
shmlab_cmd_bench (int    argc,
                  char **argv)
{
  gboolean quick = FALSE, json = FALSE, quiet = FALSE;
  g_autofree char *seconds_text = NULL;
  g_autofree char *sizes_text = NULL;
  g_autofree char *mechanisms_text = NULL;
  g_autofree char *plot = NULL;
  g_autofree char *image = NULL;
  g_autofree char *cpus_text = NULL;
  gboolean stream = FALSE;
  gboolean map = FALSE;
  gboolean file = FALSE, cold = FALSE;
  gboolean cache = FALSE;
  g_autofree char *writer_rate_text = NULL;
  g_autofree char *file_size_text = NULL;
  g_auto(GStrv) arguments = NULL;
  const GOptionEntry entries[] = {
    { "quick", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &quick,
      N_("Measure for a few seconds instead of most of a minute (fewer runs, rougher figures)"),
      NULL },
    { "seconds", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &seconds_text,
      N_("Spend about SECONDS measuring (default 34; 3 with --quick; setting up adds a little)"),
      "SECONDS" },
    { "sizes", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &sizes_text,
      N_("Measure these message sizes (default 64,4KiB,64KiB,1MiB,16MiB,64MiB)"), "LIST" },
    { "mechanisms", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &mechanisms_text,
      N_("Measure only these, separated by commas (default: all)"), "LIST" },
    { "cpus", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &cpus_text,
      N_("Run the two processes on the same processor (the default), apart (one each), or any "
      "(where the scheduler puts them)"),
      "WHERE" },
    { "json", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &json,
      N_("Print the results as JSON instead of tables"), NULL },
    { "plot", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &plot,
      N_("Draw throughput and latency against size into FILE.png"), "FILE.png" },
    { "image", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &image,
      N_("Instead, time a picture's way from Writer to Reader, as a frame and as Qt's PNG"),
      "FILE.png" },
    { "stream", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &stream,
      N_("Instead, measure the stream: 1080p at 60 fps, 4K as fast as possible through shared "
      "memory, a pipe and a socket, every frame, and one 4K handoff"), NULL },
    { "map", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &map,
      N_("Instead, time one look at /proc as shmlab map makes it: 1, 10 and 100 processes "
      "attached, and a 1 GiB segment"), NULL },
    { "file", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &file,
      N_("Instead, read a large file made in the temp dir through one mmap() and through read() "
      "into buffers of 4 KiB, 64 KiB and 1 MiB, every byte checked (7 runs; 3 with --quick)"),
      NULL },
    { "file-size", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &file_size_text,
      N_("With --file, the file's size (default 1GiB)"), "SIZE" },
    { "cold", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &cold,
      N_("With --file, drop the file's pages from the page cache before each run (else they are "
      "there: it was just written)"), NULL },
    { "cache", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &cache,
      N_("Instead, measure the shared cache against the same table behind one lock and against "
      "a Redis server it starts: gets with 1, 2 and 4 readers while a writer sets, and sets"),
      NULL },
    { "writer-rate", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &writer_rate_text,
      N_("With --cache, the sets a second the writer makes while readers get (default 10000), "
      "or max for without pause"), "SETS" },
    { "quiet", 'q', G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &quiet,
      N_("Do not print the progress"), NULL },
    SHMLAB_CLI_ARGUMENTS_OPTION (arguments),
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(ShmlabBenchReport) report = shmlab_bench_report_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *key_prefix = g_strdup_printf ("%s-%d", SHMLAB_BENCH_KEY_PREFIX,
                                                 (int) getpid ());
  g_autofree char *output = NULL;
  gboolean chosen[SHMLAB_BENCH_N_MECHANISMS] = { FALSE };
  ShmlabBenchPlan plan = { 0 };
  const ShmlabBenchProgress shown_progress = { print_progress, NULL };
  gint64 started = shmlab_bench_now_ns ();
  guint n_chosen = 0, passes;
  double lock_seconds;
  int status = SHMLAB_CLI_EXIT_OK;
  gboolean ok;

  context = shmlab_cli_context_new (COMMAND, NULL, summary, description, entries);
  if (!shmlab_cli_parse (context, COMMAND, &argc, &argv, &status))
    return status;
  if (arguments != NULL && arguments[0] != NULL)
    {
      g_autofree char *shown = g_utf8_make_valid (arguments[0], -1);
      return shmlab_cli_usage_error (COMMAND, _("unexpected argument “%s”: bench takes only "
                                     "options"), shown);
    }
  if (cache)
    {
      if (file || map || stream || image != NULL || plot != NULL || sizes_text != NULL ||
          mechanisms_text != NULL || cpus_text != NULL || file_size_text != NULL || cold)
        return shmlab_cli_usage_error (COMMAND, _("--cache measures the shared cache against "
                                       "Redis alone: it does not go with --file, --map, "
                                       "--stream, --image, --plot, --sizes, --mechanisms, --cpus, "
                                       "--file-size or --cold (run them apart)"));
      return measure_cache (seconds_text, writer_rate_text, quick, json, quiet, key_prefix);
    }
  if (writer_rate_text != NULL)
    return shmlab_cli_usage_error (COMMAND, _("--writer-rate goes with --cache: add --cache to "
                                   "measure the shared cache with a writer at that rate"));
  if (!file && file_size_text != NULL)
    return shmlab_cli_usage_error (COMMAND, _("--file-size goes with --file: add --file to read a "
                                   "file of that size"));
  if (!file && cold)
    return shmlab_cli_usage_error (COMMAND, _("--cold goes with --file: add --file to read a file "
                                   "with a cold page cache"));
  if (file)
    {
      if (map || stream || image != NULL || plot != NULL || sizes_text != NULL ||
          mechanisms_text != NULL || seconds_text != NULL || cpus_text != NULL)
        return shmlab_cli_usage_error (COMMAND, _("--file measures reading a file alone: it does "
                                       "not go with --map, --stream, --image, --plot, --sizes, "
                                       "--mechanisms, --seconds or --cpus (run them apart)"));
      return measure_file (file_size_text, cold, quick, json, quiet, key_prefix);
    }
  if (map)
    {
      g_autoptr(ShmlabBenchMap) measured = shmlab_bench_map_new ();

      if (stream || image != NULL || plot != NULL || sizes_text != NULL || mechanisms_text != NULL ||
          seconds_text != NULL)
        return shmlab_cli_usage_error (COMMAND, _("--map measures shmlab map alone: it does not "
                                       "go with --stream, --image, --plot, --sizes, --mechanisms or --seconds (run them apart)"));
      if (!quiet)
        print_progress (_("timing one look at /proc with 1, 10 and 100 processes attached, and a 1 GiB segment\n"), NULL);
      ok = shmlab_bench_map_measure (measured, quick, key_prefix, shmlab_cli_interrupt (), &error);
      if (!ok && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return interrupted ();
      if (!ok)
        return shmlab_cli_fail (error);
      output = json ? shmlab_bench_map_json (measured) : shmlab_bench_map_table (measured);
      g_print ("%s", output);
      return status;
    }
  if (stream)
    {
      g_autoptr(ShmlabBenchStream) measured = shmlab_bench_stream_new ();
      double stream_seconds = quick ? 5 : 25;

      if (image != NULL || plot != NULL || sizes_text != NULL || mechanisms_text != NULL)
        return shmlab_cli_usage_error (COMMAND, _("--stream measures the stream alone: it does not "
                                       "go with --image, --plot, --sizes or --mechanisms (run them apart)"));
      if (!parse_seconds (seconds_text, stream_seconds, &stream_seconds, &status))
        return status;
      if (!quiet)
        print_progress (_("measuring the stream: a writer process, and this one following it\n"), NULL);
      ok = shmlab_bench_stream_measure (measured, stream_seconds, quick, key_prefix,
                                        shmlab_cli_interrupt (), &error);
      shmlab_bench_sweep_keys (key_prefix, report->sizes);
      if (!ok && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return interrupted ();
      if (!ok)
        return shmlab_cli_fail (error);
      output = json ? shmlab_bench_stream_json (measured) : shmlab_bench_stream_table (measured);
      g_print ("%s", output);
      for (guint i = 0; i < measured->runs->len; i++)
        if (!((ShmlabBenchStreamRun *) g_ptr_array_index (measured->runs, i))->ok)
          return shmlab_cli_fail_printf (_("some stream runs failed (see “FAILED” above, or “ok”: "
                                         "false in the JSON): their figures are not given"));
      return status;
    }
  if (image != NULL && (plot != NULL || sizes_text != NULL || mechanisms_text != NULL))
    return shmlab_cli_usage_error (COMMAND, _("--image measures a picture's way alone: it does not "
                                   "go with --plot, --sizes or --mechanisms (run them apart)"));
  if (!parse_seconds (seconds_text,
                      image != NULL ? (quick ? QUICK_IMAGE_SECONDS : IMAGE_SECONDS)
                                    : (quick ? QUICK_SECONDS : DEFAULT_SECONDS),
                      &report->seconds, &status) ||
      !parse_sizes (image != NULL ? NULL : sizes_text, report->sizes, &status) ||
      !parse_mechanisms (mechanisms_text, chosen, &status) ||
      !parse_cpus (cpus_text, report->cpus, &status) ||
      (plot != NULL && !check_plot_path (plot, &status)))
    return status;

  report->quick = quick;
  report->key_prefix = g_strdup (key_prefix);
  shmlab_bench_machine_read (&report->machine);

  if (image != NULL)
    {
      g_array_set_size (report->sizes, 0);
      if (!quiet)
        print_progress (_("measuring the picture's way, as a frame and in Qt's format\n"), NULL);
      report->image = g_new0 (ShmlabBenchImage, 1);
      ok = shmlab_bench_measure_image (image, report->seconds, key_prefix,
                                       shmlab_cli_interrupt (), report->image, &error);
      shmlab_bench_sweep_keys (key_prefix, report->sizes);
      if (!ok && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return interrupted ();
      if (!ok)
        return shmlab_cli_fail (error);
    }
  else
    {
      for (guint m = 0; m < SHMLAB_BENCH_N_MECHANISMS; m++)
        n_chosen += chosen[m];
      lock_seconds = MIN (LOCK_MAX_SECONDS, report->seconds * LOCK_SHARE);
      passes = report->passes = quick ? 1 : 3;
      plan.cell_seconds = MAX (report->seconds - count_lock_backends (chosen) * lock_seconds,
                               report->seconds / 2) /
                          (n_chosen * report->sizes->len * passes);
      /* Per pass; pooled over the passes, at least 6 round trips and 6 runs (3 with --quick). */
      plan.min_samples = quick ? 3 : 2;
      plan.runs = quick ? 3 : 2;
      plan.key_prefix = key_prefix;
      plan.cpus[0] = report->cpus[0];
      plan.cpus[1] = report->cpus[1];

      ok = shmlab_bench_measure_locks (report, chosen, lock_seconds, key_prefix,
                                       shmlab_cli_interrupt (), quiet ? NULL : &shown_progress,
                                       &error) &&
           shmlab_bench_measure_mechanisms (report, chosen, &plan, passes, shmlab_cli_interrupt (),
                                            quiet ? NULL : &shown_progress, &error);
      shmlab_bench_sweep_keys (key_prefix, report->sizes);
      if (!ok && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return interrupted ();
      if (!ok)
        return shmlab_cli_fail (error);
    }
  report->elapsed = (double) (shmlab_bench_now_ns () - started) / 1e9;

  if (plot != NULL)
    {
      if (shmlab_bench_plot_write (report, plot, &error))
        {
          report->plot_path = g_strdup (plot);
          report->plot_width = SHMLAB_BENCH_PLOT_WIDTH;
          report->plot_height = SHMLAB_BENCH_PLOT_HEIGHT;
        }
      else
        status = SHMLAB_CLI_EXIT_FAILURE;
    }

  output = json ? shmlab_bench_report_json (report) : shmlab_bench_report_table (report);
  g_print ("%s", output);
  if (error != NULL)
    return shmlab_cli_fail (error);
  if (!shmlab_bench_report_ok (report))
    return shmlab_cli_fail_printf (_("some measurements failed (see “FAILED” above, or “ok”: false "
                                   "in the JSON): their figures are not given"));
  return status;
}
