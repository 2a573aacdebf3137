/* shmlab-cmd-follow.c — `shmlab follow`: take a stream's frames as they
 * come, check each row, and print the figures
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-cli.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>
#include <time.h>

#include "shmlab-json.h"
#include "shmlab-stream.h"

#define COMMAND "follow"
#define TEARS_PRINTED 20

static const char summary[] = N_("Follow the stream on KEY: every frame checked row by row, and the figures.");

static const char description[] =
  N_("Takes the frames `shmlab stream KEY` or the Writer sends, as they come, and\n"
  "checks which frame each row came from. A frame whose rows came from two frames\n"
  "was torn: the writer overwrote it while this reader copied it. Prints each tear,\n"
  "then the figures: frames written, shown, skipped, torn and shown twice, frames\n"
  "per second, MB/s, the time from the writer's copy to this reader (median and\n"
  "99th percentile), and how long each side waited for the lock.\n"
  "\n"
  "Examples:\n"
  "  shmlab follow demo --seconds 10\n"
  "  shmlab follow demo --frames 600 --json");


static void
print_tear (const ShmlabStreamFrame *frame)
{
  g_autofree char *rows = shmlab_stream_check_describe (&frame->check, 0);

  g_printerr (_("  torn frame: %s\n"), rows);
}

static char *
stats_json (const char               *key,
            const ShmlabStreamConfig *config,
            const ShmlabStreamStats  *stats,
            double                    seconds,
            double                    average_fps,
            const char               *ended)
{
  g_autoptr(GString) quoted = g_string_new (NULL);

  shmlab_json_append_string (quoted, key);
  return g_strdup_printf (
    "{\n"
    "  \"key\": %s,\n"
    "  \"transport\": \"%s\",\n"
    "  \"handoff\": \"%s\",\n"
    "  \"buffers\": %u,\n"
    "  \"lock\": %s,\n"
    "  \"width\": %u,\n"
    "  \"height\": %u,\n"
    "  \"seconds\": %.3f,\n"
    "  \"frames_written\": %" PRIu64 ",\n"
    "  \"frames_shown\": %" PRIu64 ",\n"
    "  \"frames_skipped\": %" PRIu64 ",\n"
    "  \"frames_torn\": %" PRIu64 ",\n"
    "  \"frames_duplicated\": %" PRIu64 ",\n"
    "  \"fps\": %.2f,\n"
    "  \"fps_last_second\": %.2f,\n"
    "  \"mb_per_s\": %.1f,\n"
    "  \"latency_ms\": { \"p50\": %.3f, \"p99\": %.3f },\n"
    "  \"lock_wait_ms\": { \"writer\": %.3f, \"reader\": %.3f },\n"
    "  \"writer_handoff_wait_ms\": %.3f,\n"
    "  \"ended\": \"%s\"\n"
    "}\n",
    quoted->str, shmlab_stream_transport_name (config->transport),
    shmlab_stream_handoff_name (config->handoff), config->buffers,
    config->lock ? "true" : "false", config->width, config->height, seconds,
    stats->frames_written, stats->frames_shown, stats->frames_skipped, stats->frames_torn,
    stats->frames_duplicated, average_fps, stats->fps, stats->mb_per_s,
    stats->latency_p50_ms, stats->latency_p99_ms, stats->writer_lock_wait_ms,
    stats->reader_lock_wait_ms, stats->writer_handoff_wait_ms, ended);
}

int
shmlab_cmd_follow (int    argc,
                   char **argv)
{
  g_autofree char *backend_name = NULL;
  g_autofree char *kind_name = NULL;
  g_autofree char *transport_text = NULL;
  g_auto(GStrv) arguments = NULL;
  gboolean quiet = FALSE, json = FALSE;
  gint64 frames = 0;
  double seconds = 0, wait_s = 10, rate = 0;
  const GOptionEntry entries[] = {
    { "frames", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_INT64, &frames,
      N_("Stop after N frames"), "N" },
    { "seconds", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_DOUBLE, &seconds,
      N_("Stop after S seconds"), "S" },
    { "rate", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_DOUBLE, &rate,
      N_("Look for a new frame HZ times a second, on this reader's own clock, as a display does (default: as soon as the writer publishes one)"), "HZ" },
    { "wait", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_DOUBLE, &wait_s,
      N_("Wait up to S seconds for a stream to begin (default 10)"), "S" },
    { "transport", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &transport_text,
      N_("shm (the key's segment; the default), pipe or socket"), "shm|pipe|socket" },
    { "json", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &json,
      N_("Print the figures as JSON on standard output"), NULL },
    SHMLAB_CLI_BACKEND_OPTION (backend_name),
    SHMLAB_CLI_KEY_KIND_OPTION (kind_name),
    SHMLAB_CLI_QUIET_OPTION (quiet),
    SHMLAB_CLI_ARGUMENTS_OPTION (arguments),
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabKey) key = NULL;
  g_autoptr(ShmlabStreamReader) reader = NULL;
  ShmlabStreamTransport transport = SHMLAB_STREAM_TRANSPORT_SHM;
  ShmlabStreamConfig config;
  ShmlabStreamStats stats;
  ShmlabBackend backend;
  ShmlabKeyKind kind;
  GCancellable *interrupt;
  const char *key_name = NULL;
  const char *ended = "frames";
  gint64 start, deadline, first_shown = 0, last_shown = 0, next_progress;
  guint64 shown = 0, tears_printed = 0;
  int status = SHMLAB_CLI_EXIT_OK;

  context = shmlab_cli_context_new (COMMAND, "KEY", summary, description, entries);
  if (!shmlab_cli_parse (context, COMMAND, &argc, &argv, &status) ||
      !shmlab_cli_get_key (COMMAND, arguments, 1, &key_name, &status) ||
      !shmlab_cli_parse_key (COMMAND, key_name, backend_name, kind_name, &backend, &kind,
                             &status))
    return status;
  if (transport_text != NULL && !shmlab_stream_parse_transport (transport_text, &transport, &error))
    return shmlab_cli_usage_error (COMMAND, "%s", error->message);
  if (frames < 0)
    return shmlab_cli_usage_error (COMMAND, _("--frames takes a number of frames, 1 or more."));
  if (!(seconds >= 0 && seconds <= 86400))
    return shmlab_cli_usage_error (COMMAND, _("--seconds takes a time from 0 to 86400 seconds."));
  if (!(rate >= 0 && rate <= 1000))
    return shmlab_cli_usage_error (COMMAND, _("--rate takes a number of looks a second from 1 to 1000."));
  if (!(wait_s >= 0 && wait_s <= 86400))
    return shmlab_cli_usage_error (COMMAND, _("--wait takes a time from 0 to 86400 seconds."));
  shmlab_cli_set_quiet (quiet);
  key = shmlab_key_new_full (key_name, backend, kind, &error);
  if (key == NULL)
    return shmlab_cli_fail (error);
  interrupt = shmlab_cli_interrupt ();

  /* Wait for the stream to begin. */
  start = shmlab_stream_now_ns ();
  deadline = start + (gint64) (wait_s * 1e9);
  for (;;)
    {
      g_clear_error (&error);
      reader = shmlab_stream_reader_new (key, transport, interrupt, &error);
      if (reader != NULL)
        break;
      if (!g_error_matches (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_NO_STREAM) ||
          shmlab_stream_now_ns () >= deadline || g_cancellable_is_cancelled (interrupt))
        return shmlab_cli_fail (error);
      g_usleep (50000);
    }
  if (!quiet)
    g_printerr (_("following “%s” (%s); Ctrl+C to stop\n"), key_name,
                shmlab_stream_transport_label (transport));

  start = shmlab_stream_now_ns ();
  next_progress = start + G_GINT64_CONSTANT (1000000000);
  while (frames == 0 || shown < (guint64) frames)
    {
      g_autoptr(GError) local = NULL;
      g_autoptr(ShmlabStreamFrame) frame = NULL;
      gint64 now = shmlab_stream_now_ns ();

      if (seconds > 0 && now - start >= (gint64) (seconds * 1e9))
        {
          ended = "seconds";
          break;
        }
      if (rate > 0)
        {
          /* The reader's own clock: it looks when it is time, wherever the
           * writer is in its copy. */
          gint64 period = (gint64) (1e9 / rate);
          gint64 due = start + ((now - start) / period + 1) * period;
          struct timespec ts = { (due - now) / 1000000000, (due - now) % 1000000000 };

          nanosleep (&ts, NULL);
        }
      /* On its own clock the reader takes a frame only if one is there. */
      frame = shmlab_stream_reader_next (reader, rate > 0 ? 0 : 1000, interrupt, &local);
      if (frame == NULL)
        {
          if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
            continue;
          if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              ended = "interrupted";
              break;
            }
          if (g_error_matches (local, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_STOPPED))
            {
              if (!quiet)
                g_printerr (_("the stream stopped: %s\n"), local->message);
              ended = "stopped";
              break;
            }
          return shmlab_cli_fail (local);
        }
      now = shmlab_stream_now_ns ();
      shmlab_stream_reader_shown (reader, frame, now);
      shown++;
      if (first_shown == 0)
        first_shown = now;
      last_shown = now;
      if (shmlab_stream_check_is_torn (&frame->check) && !quiet)
        {
          if (tears_printed < TEARS_PRINTED)
            print_tear (frame);
          else if (tears_printed == TEARS_PRINTED)
            g_printerr (_("  (more torn frames: counted, not printed)\n"));
          tears_printed++;
        }
      if (!quiet && !json && now >= next_progress)
        {
          shmlab_stream_reader_get_stats (reader, &stats);
          g_printerr (_("  shown %" PRIu64 "  %.1f fps  torn %" PRIu64 "  skipped %" PRIu64 "  latency %.2f ms (p99 %.2f)\n"),
                      stats.frames_shown, stats.fps, stats.frames_torn, stats.frames_skipped,
                      stats.latency_p50_ms, stats.latency_p99_ms);
          next_progress = now + G_GINT64_CONSTANT (1000000000);
        }
    }

  shmlab_stream_reader_get_stats (reader, &stats);
  shmlab_stream_reader_get_config (reader, &config);
  {
    double elapsed = (shmlab_stream_now_ns () - start) / 1e9;
    double average = shown > 1 && last_shown > first_shown
                     ? (shown - 1) / ((last_shown - first_shown) / 1e9) : 0;

    if (json)
      {
        g_autofree char *escaped = g_strescape (key_name, NULL);
        g_autofree char *text = stats_json (escaped, &config, &stats, elapsed, average, ended);

        g_print ("%s", text);
      }
    else
      {
        g_print (_("frames written %" PRIu64 ", shown %" PRIu64 ", skipped %" PRIu64 ", torn %" PRIu64 ", shown twice %" PRIu64 "\n"),
                 stats.frames_written, stats.frames_shown, stats.frames_skipped,
                 stats.frames_torn, stats.frames_duplicated);
        g_print (_("%.1f frames per second, %.0f MB/s; from the writer's copy to here %.2f ms (median), %.2f ms (99th percentile)\n"),
                 average, stats.mb_per_s, stats.latency_p50_ms, stats.latency_p99_ms);
        g_print (_("waited for the lock: writer %.1f ms, reader %.1f ms; the writer waited for this reader %.1f ms\n"),
                 stats.writer_lock_wait_ms, stats.reader_lock_wait_ms, stats.writer_handoff_wait_ms);
      }
  }
  if (shown == 0)
    status = SHMLAB_CLI_EXIT_FAILURE;
  return status;
}
