/* shmlab-cmd-stream.c — `shmlab stream`: send a stream of frames into a key,
 * with or without the lock, through shared memory, a pipe or a socket
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-cli.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <time.h>

#include "shmlab-stream.h"
#include "shmlab-stream-source.h"

#define COMMAND "stream"

static const char summary[] = N_("Stream frames into KEY, so a reader can follow them and see the race.");

static const char description[] =
  N_("Copies a test pattern, the pictures of a folder or the frames of a video file\n"
  "into KEY's segment, one frame after another, at --fps frames per second. Each\n"
  "row of a frame says which frame it belongs to, so `shmlab follow KEY` sees every\n"
  "frame that was torn: copied while the writer was overwriting it. Take the lock\n"
  "away with --no-lock and tears appear; with the lock, none.\n"
  "\n"
  "--handoff every makes the writer wait for the reader (two semaphores, \"empty\"\n"
  "and \"full\"): nothing lost, nothing shown twice. --transport pipe or socket sends\n"
  "the same frames through the kernel instead, to compare.\n"
  "\n"
  "Examples:\n"
  "  shmlab stream demo --size 1920x1080 --fps 60\n"
  "  shmlab stream demo --no-lock --fps max --size 3840x2160\n"
  "  shmlab stream demo --video clip.y4m --handoff every");


static void
print_progress (ShmlabStreamWriter *writer)
{
  ShmlabStreamStats stats;

  shmlab_stream_writer_get_stats (writer, &stats);
  g_printerr (_("  written %" PRIu64 "  %.1f fps  %.0f MB/s  waited for the lock %.1f ms, for the reader %.1f ms\n"),
              stats.frames_written, stats.fps, stats.mb_per_s,
              stats.writer_lock_wait_ms, stats.writer_handoff_wait_ms);
}

int
shmlab_cmd_stream (int    argc,
                   char **argv)
{
  g_autofree char *backend_name = NULL;
  g_autofree char *kind_name = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *video = NULL;
  g_autofree char *raw_size = NULL;
  g_autofree char *size_text = NULL;
  g_autofree char *fps_text = NULL;
  g_autofree char *buffers_text = NULL;
  g_autofree char *handoff_text = NULL;
  g_autofree char *transport_text = NULL;
  g_auto(GStrv) arguments = NULL;
  gboolean pattern = FALSE, no_lock = FALSE, quiet = FALSE;
  gint64 frames = 0;
  int timeout_s = 5;
  const GOptionEntry entries[] = {
    { "pattern", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &pattern,
      N_("Send the test pattern (the default): each frame another colour, its number drawn large"), NULL },
    { "folder", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &folder,
      N_("Send the pictures of DIR in name order, looped"), "DIR" },
    { "video", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &video,
      N_("Send the frames of FILE, mapped with mmap: YUV4MPEG2 (.y4m), or raw RGBA with --raw-size"), "FILE" },
    { "raw-size", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &raw_size,
      N_("The size of each frame of a raw RGBA --video"), "WxH" },
    { "size", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &size_text,
      N_("The frame size (default 1280x720; a folder's first picture; a video's own)"), "WxH" },
    { "fps", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &fps_text,
      N_("Frames per second, 1 to 240, or max (default 30, or the video's own rate)"), "N" },
    { "frames", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_INT64, &frames,
      N_("Stop after N frames (default: until Ctrl+C)"), "N" },
    { "no-lock", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &no_lock,
      N_("Copy each frame without taking the lock: readers see torn frames"), NULL },
    { "buffers", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &buffers_text,
      N_("Frames the segment holds: 1 (as in the Qt demo) or 2"), "1|2" },
    { "handoff", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &handoff_text,
      N_("latest (the reader takes the newest frame) or every (the writer waits for the reader)"), "latest|every" },
    { "transport", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &transport_text,
      N_("shm (the key's segment; the default), pipe or socket"), "shm|pipe|socket" },
    { "timeout", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_INT, &timeout_s,
      N_("Say so when the reader takes no frame for SECONDS (every frame, pipe, socket; default 5)"), "SECONDS" },
    SHMLAB_CLI_BACKEND_OPTION (backend_name),
    SHMLAB_CLI_KEY_KIND_OPTION (kind_name),
    SHMLAB_CLI_QUIET_OPTION (quiet),
    SHMLAB_CLI_ARGUMENTS_OPTION (arguments),
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabKey) key = NULL;
  g_autoptr(ShmlabStreamSource) source = NULL;
  g_autoptr(ShmlabStreamWriter) writer = NULL;
  g_autofree guint8 *rgba = NULL;
  g_autofree char *described = NULL;
  ShmlabStreamConfig config;
  ShmlabBackend backend;
  ShmlabKeyKind kind;
  GCancellable *interrupt;
  const char *key_name = NULL;
  guint32 width = 1280, height = 720, raw_w = 0, raw_h = 0;
  double fps = 30;
  gboolean fps_given;
  gint64 start, next_progress, period = 0;
  guint64 put = 0;
  gboolean reader_missing = FALSE;
  int status = SHMLAB_CLI_EXIT_OK;

  context = shmlab_cli_context_new (COMMAND, "KEY", summary, description, entries);
  if (!shmlab_cli_parse (context, COMMAND, &argc, &argv, &status) ||
      !shmlab_cli_get_key (COMMAND, arguments, 1, &key_name, &status) ||
      !shmlab_cli_parse_key (COMMAND, key_name, backend_name, kind_name, &backend, &kind,
                             &status))
    return status;
  shmlab_cli_set_quiet (quiet);
  shmlab_stream_config_init (&config);
  fps_given = fps_text != NULL;

  if ((pattern ? 1 : 0) + (folder != NULL ? 1 : 0) + (video != NULL ? 1 : 0) > 1)
    return shmlab_cli_usage_error (COMMAND, _("Choose one source: --pattern, --folder or --video."));
  if ((fps_text != NULL && !shmlab_stream_parse_fps (fps_text, &fps, &error)) ||
      (buffers_text != NULL && !shmlab_stream_parse_buffers (buffers_text, &config.buffers, &error)) ||
      (handoff_text != NULL && !shmlab_stream_parse_handoff (handoff_text, &config.handoff, &error)) ||
      (transport_text != NULL && !shmlab_stream_parse_transport (transport_text, &config.transport, &error)))
    return shmlab_cli_usage_error (COMMAND, "%s", error->message);
  if (frames < 0)
    return shmlab_cli_usage_error (COMMAND, _("--frames takes a number of frames, 1 or more."));
  if (timeout_s < 1 || timeout_s > 3600)
    return shmlab_cli_usage_error (COMMAND, _("--timeout takes a number of seconds from 1 to 3600, not %d."), timeout_s);
  if (size_text != NULL && !shmlab_stream_parse_size (size_text, &width, &height, &error))
    return shmlab_cli_usage_error (COMMAND, "--size: %s", error->message);
  if (raw_size != NULL && !shmlab_stream_parse_size (raw_size, &raw_w, &raw_h, &error))
    return shmlab_cli_usage_error (COMMAND, "--raw-size: %s", error->message);
  if (raw_size != NULL && video == NULL)
    return shmlab_cli_usage_error (COMMAND, _("--raw-size goes with --video."));

  key = shmlab_key_new_full (key_name, backend, kind, &error);
  if (key == NULL)
    return shmlab_cli_fail (error);
  interrupt = shmlab_cli_interrupt ();

  if (folder != NULL)
    source = shmlab_stream_source_new_folder (folder, size_text != NULL ? width : 0,
                                              size_text != NULL ? height : 0, interrupt, &error);
  else if (video != NULL)
    source = shmlab_stream_source_new_video (video, raw_w, raw_h, &error);
  else
    source = shmlab_stream_source_new_pattern (width, height, &error);
  if (source == NULL)
    return shmlab_cli_fail (error);
  if (!fps_given && shmlab_stream_source_get_fps (source) > 0)
    fps = MIN (shmlab_stream_source_get_fps (source), SHMLAB_STREAM_MAX_FPS);

  config.width = shmlab_stream_source_get_width (source);
  config.height = shmlab_stream_source_get_height (source);
  config.lock = !no_lock;
  config.timeout_ms = (guint) timeout_s * 1000;
  rgba = g_try_malloc ((gsize) config.width * config.height * 4);
  if (rgba == NULL)
    return shmlab_cli_fail_printf (_("There is not enough memory for one frame of %u × %u."),
                                   config.width, config.height);

  writer = shmlab_stream_writer_new (key, &config, interrupt, &error);
  if (writer == NULL)
    return shmlab_cli_fail (error);
  described = shmlab_stream_source_describe (source);
  if (!quiet)
    {
      g_autofree char *rate = fps > 0 ? g_strdup_printf (_("%g frames per second"), fps)
                                      : g_strdup (_("as fast as possible"));
      g_printerr (_("streaming %s into “%s” at %s — %s, %s, %s, %s; Ctrl+C to stop\n"),
                  described, key_name, rate,
                  shmlab_stream_transport_label (config.transport),
                  config.buffers == 2 ? _("two buffers") : _("one buffer"),
                  config.handoff == SHMLAB_STREAM_HANDOFF_EVERY ? _("every frame") : _("latest frame"),
                  config.transport != SHMLAB_STREAM_TRANSPORT_SHM ? _("no lock: the kernel copies")
                  : config.lock ? _("lock on") : _("lock OFF"));
    }

  if (fps > 0)
    period = (gint64) llround (1e9 / fps);
  start = shmlab_stream_now_ns ();
  next_progress = start + G_GINT64_CONSTANT (1000000000);
  while (frames == 0 || put < (guint64) frames)
    {
      g_autoptr(GError) local = NULL;
      gint64 now;

      if (g_cancellable_is_cancelled (interrupt))
        break;
      if (!shmlab_stream_source_render (source, put + 1, shmlab_stream_now_ns () - start, rgba,
                                        (gsize) config.width * 4, &local))
        return shmlab_cli_fail (local);
      if (period > 0)
        {
          /* Absolute deadlines: a late frame does not push the others. */
          gint64 due = start + (gint64) put * period;

          now = shmlab_stream_now_ns ();
          if (due > now)
            {
              struct timespec ts = { (due - now) / 1000000000, (due - now) % 1000000000 };
              nanosleep (&ts, NULL);
            }
        }
      if (shmlab_stream_writer_put (writer, rgba, (gsize) config.width * 4, shmlab_stream_now_ns () - start,
                                    interrupt, &local))
        {
          put++;
          reader_missing = FALSE;
        }
      else if (g_error_matches (local, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_NO_READER))
        {
          if (!reader_missing)
            g_printerr (_("shmlab: %s\n"), local->message);
          reader_missing = TRUE;
          /* The deadlines start again from here. */
          start = shmlab_stream_now_ns () - (gint64) put * period;
        }
      else if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        break;
      else
        return shmlab_cli_fail (local);

      now = shmlab_stream_now_ns ();
      if (!quiet && now >= next_progress)
        {
          print_progress (writer);
          next_progress = now + G_GINT64_CONSTANT (1000000000);
        }
    }
  if (!quiet)
    {
      ShmlabStreamStats stats;
      double seconds = (shmlab_stream_now_ns () - start) / 1e9;

      shmlab_stream_writer_get_stats (writer, &stats);
      g_printerr (_("stopped: %" PRIu64 " frames in %.1f s (%.1f fps); waited for the lock %.1f ms, for the reader %.1f ms\n"),
                  stats.frames_written, seconds, seconds > 0 ? stats.frames_written / seconds : 0,
                  stats.writer_lock_wait_ms, stats.writer_handoff_wait_ms);
    }
  return status;
}
