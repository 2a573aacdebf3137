/* shmlab-cmd-write.c — `shmlab write`: put text or a picture in a key's
 * segment, then stay attached as the Qt demo's writer does
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-cli.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "shmlab-limits.h"
#include "shmlab-payload.h"
#include "shmlab-image-loader.h"
#include "shmlab-png.h"
#include "shmlab-segment.h"
#include "shmlab-users.h"

#define COMMAND "write"

/* More text than this on standard input is refused. */
#define STDIN_MAX_BYTES ((gsize) 64 * 1024 * 1024)

static const char summary[] =
  N_("Put text or a picture in the shared memory segment of KEY, then stay attached.");

static const char description[] =
  N_("The content comes from exactly one of --text TEXT, --file IMAGE, or - (text read\n"
  "from standard input, UTF-8). It is encoded before the lock is taken, then the\n"
  "segment is created (or, with --attach, attached), locked, written and unlocked.\n"
  "\n"
  "Formats: auto (text as plain text, pictures as a ShmLab frame), text (the Qt demo's\n"
  "NUL-terminated UTF-8), qt-image (the Qt \"Shared Memory Example\" stream: a 32-bit 1\n"
  "and a PNG file), frame (a 64-byte ShmLab header, then the text or RGBA pixels).\n"
  "\n"
  "Like the Qt demo's writer, shmlab stays attached afterwards, so the segment lives on\n"
  "for readers: until --hold SECONDS are up, or else until Ctrl+C, SIGTERM or the end\n"
  "of standard input (only a signal when the content came from standard input or\n"
  "standard input is /dev/null, as for `shmlab write … &` in a script). The last\n"
  "process to detach from a System V segment removes it. Steps go to standard error,\n"
  "each with its result and how long it took.\n"
  "\n"
  "Examples:\n"
  "  shmlab write demo --text \"Hello, shared memory\"\n"
  "  shmlab write QSharedMemoryExample --file cat.png --format qt-image --hold 60\n"
  "  date | shmlab write demo - --size 1KiB");

/* Reads all of standard input, up to STDIN_MAX_BYTES. */
static GBytes *
read_stdin (GError **error)
{
  g_autoptr(GByteArray) array = g_byte_array_new ();
  guint8 buffer[65536];

  for (;;)
    {
      ssize_t n = read (STDIN_FILENO, buffer, sizeof buffer);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       _("cannot read standard input: %s"), g_strerror (saved_errno));
          return NULL;
        }
      if (n == 0)
        break;
      if ((gsize) n > STDIN_MAX_BYTES - array->len)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                       _("standard input holds more than 64 MiB of text, more than shmlab "
                       "writes: send less, or put a picture in with --file"));
          return NULL;
        }
      g_byte_array_append (array, buffer, (guint) n);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&array));
}

/* Text must be UTF-8 with no NUL, or a reader would see something else. */
static gboolean
check_text (const char  *text,
            gsize        length,
            const char  *source,
            GError     **error)
{
  const char *end = NULL;
  gsize offset;

  if (g_utf8_validate_len (text, length, &end))
    return TRUE;

  offset = (gsize) (end - text);
  if (*end == '\0')
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 _("%s holds a NUL byte at offset %zu: text cannot contain one "
                 "(a reader stops there); put binary data in with --file IMAGE"),
                 source, offset);
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 _("%s is not valid UTF-8 text: byte %zu (0x%02X) starts no "
                 "character; convert it to UTF-8 (for example with iconv) first"),
                 source, offset, (guint) (guint8) *end);
  return FALSE;
}

static ShmlabPayload *
build_payload (const char  *text,
               const char  *file,
               gboolean     from_stdin,
               GError     **error)
{
  if (text != NULL)
    {
      if (!check_text (text, strlen (text), _("the text given with --text"), error))
        return NULL;
      return shmlab_payload_new_text (text, -1);
    }

  if (from_stdin)
    {
      g_autoptr(GBytes) bytes = read_stdin (error);
      const char *data;
      gsize length;

      if (bytes == NULL)
        return NULL;
      data = g_bytes_get_data (bytes, &length);
      if (!check_text (data, length, _("standard input"), error))
        return NULL;
      return shmlab_payload_new_text (length > 0 ? data : "", (gssize) length);
    }

  {
    ShmlabPngLimits limits;
    g_autoptr(ShmlabImage) image = NULL;

    shmlab_png_limits_init_default (&limits);
    image = shmlab_image_load_file (file, &limits, error);
    if (image == NULL)
      return NULL;
    return shmlab_payload_new_image (image);
  }
}

/* Detaches (when attached), printing the step; FALSE when that failed. */
static gboolean
detach_step (ShmlabSegment  *segment,
             const char     *reason,
             GError        **error)
{
  ShmlabCliStep step;
  gboolean ok;

  if (!shmlab_segment_is_attached (segment))
    return TRUE;

  shmlab_cli_step_begin (&step, "detach");
  ok = shmlab_segment_detach (segment, error);
  if (ok)
    {
      g_autofree char *outcome = shmlab_cli_describe_detach (segment);
      shmlab_cli_step_end (&step, TRUE, "(%s%s%s)", reason ? reason : "", reason ? "; " : "",
                           outcome);
    }
  else
    shmlab_cli_step_end (&step, FALSE, NULL);
  return ok;
}

static void
unlock_step (ShmlabSegment *segment)
{
  g_autoptr(GError) error = NULL;
  ShmlabCliStep step;
  gboolean ok;

  if (!shmlab_segment_is_locked (segment))
    return;
  shmlab_cli_step_begin (&step, "unlock");
  ok = shmlab_segment_unlock (segment, &error);
  shmlab_cli_step_end (&step, ok, "%s", ok ? "" : error->message);
}

/* What a person can do about content that does not fit. */
static const char *
fit_hint (ShmlabPayloadKind kind,
          gboolean          cut,
          gboolean          attach)
{
  if (kind == SHMLAB_PAYLOAD_KIND_TEXT && !cut)
    return attach ? _("use --cut to cut the text, or remove the segment and write again "
                    "with a larger --size")
                  : _("use --cut to cut the text, or a larger --size");
  return attach ? _("remove the segment and write again with a larger --size")
                : _("use a larger --size");
}

int
shmlab_cmd_write (int    argc,
                  char **argv)
{
  g_autofree char *text = NULL;
  g_autofree char *file = NULL;
  g_autofree char *format_name = NULL;
  g_autofree char *size_text = NULL;
  g_autofree char *hold_text = NULL;
  g_autofree char *backend_name = NULL;
  g_autofree char *kind_name = NULL;
  g_auto(GStrv) arguments = NULL;
  gboolean attach = FALSE;
  gboolean cut = FALSE;
  gboolean quiet = FALSE;
  int lock_timeout = -1;
  const GOptionEntry entries[] = {
    { "text", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &text,
      N_("Write TEXT (UTF-8)"), "TEXT" },
    { "file", 'f', G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &file,
      N_("Write the picture in IMAGE: a PNG, JPEG, GIF, BMP, TIFF or WebP file"), "IMAGE" },
    { "format", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &format_name,
      N_("How to lay the content out: auto (the default), text, qt-image or frame"), "FORMAT" },
    { "size", 's', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &size_text,
      N_("Create a segment of BYTES, such as 100, 4KiB or 1MiB "
      "(default: exactly what the content needs)"),
      "BYTES" },
    { "attach", 'a', G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &attach,
      N_("Write into the segment that exists instead of creating one"), NULL },
    { "cut", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &cut,
      N_("Cut text that does not fit, as the Qt demo does (pictures are never cut)"), NULL },
    { "hold", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &hold_text,
      N_("Stay attached for SECONDS, then detach (default: until Ctrl+C or the end of standard input)"),
      "SECONDS" },
    SHMLAB_CLI_LOCK_TIMEOUT_OPTION (lock_timeout),
    SHMLAB_CLI_BACKEND_OPTION (backend_name),
    SHMLAB_CLI_KEY_KIND_OPTION (kind_name),
    SHMLAB_CLI_QUIET_OPTION (quiet),
    SHMLAB_CLI_ARGUMENTS_OPTION (arguments),
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabPayload) payload = NULL;
  g_autoptr(ShmlabEncoded) encoded = NULL;
  g_autoptr(ShmlabSegment) segment = NULL;
  g_autofree char *size_shown = NULL;
  g_autofree char *end_reason = NULL;
  ShmlabFormat format = SHMLAB_FORMAT_AUTO;
  ShmlabBackend backend;
  ShmlabKeyKind kind;
  ShmlabCliStep step;
  ShmlabCliHoldEnd end;
  const char *key = NULL;
  gboolean from_stdin = FALSE;
  gboolean watch_stdin;
  guint64 size = 0;
  gsize written = 0;
  double hold_seconds;
  int status = SHMLAB_CLI_EXIT_OK;
  int signal_number = 0;
  guint n_sources;
  gboolean ok;

  context = shmlab_cli_context_new (COMMAND, _("KEY (--text TEXT | --file IMAGE | -)"),
                                    summary, description, entries);
  if (!shmlab_cli_parse (context, COMMAND, &argc, &argv, &status))
    return status;

  if (arguments != NULL && arguments[0] != NULL && arguments[1] != NULL)
    {
      if (strcmp (arguments[1], "-") == 0)
        from_stdin = TRUE;
      else
        {
          g_autofree char *shown = g_utf8_make_valid (arguments[1], -1);
          return shmlab_cli_usage_error (COMMAND, _("unexpected argument “%s” after the key: "
                                         "write text with --text, a picture with --file, or "
                                         "- for standard input"), shown);
        }
    }
  if (!shmlab_cli_get_key (COMMAND, arguments, from_stdin ? 2 : 1, &key, &status))
    return status;

  n_sources = (text != NULL) + (file != NULL) + (from_stdin ? 1 : 0);
  if (n_sources == 0)
    return shmlab_cli_usage_error (COMMAND, _("no content: give --text TEXT, --file IMAGE, "
                                            "or - to read text from standard input"));
  if (n_sources > 1)
    return shmlab_cli_usage_error (COMMAND, _("give only one of --text, --file and -: a segment "
                                            "holds one thing at a time"));
  if (attach && size_text != NULL)
    return shmlab_cli_usage_error (COMMAND, _("--size and --attach do not go together: an "
                                            "existing segment keeps the size it was created with"));
  if (format_name != NULL && !shmlab_format_from_string (format_name, &format, &error))
    return shmlab_cli_usage_error (COMMAND, _("--format: %s"), error->message);
  if (size_text != NULL && !shmlab_parse_size (size_text, &size, &error))
    return shmlab_cli_usage_error (COMMAND, _("--size: %s"), error->message);
  if (!shmlab_cli_parse_hold (COMMAND, hold_text, &hold_seconds, &status) ||
      !shmlab_cli_parse_lock_timeout (COMMAND, lock_timeout, &status) ||
      !shmlab_cli_parse_key (COMMAND, key, backend_name, kind_name, &backend, &kind,
                             &status))
    return status;
  shmlab_cli_set_quiet (quiet);

  /* The slow part (reading, PNG, CRC) happens before the lock is taken. */
  payload = build_payload (text, file, from_stdin, &error);
  if (payload == NULL)
    return shmlab_cli_fail (error);
  encoded = shmlab_payload_encode (payload, format, &error);
  if (encoded == NULL)
    return shmlab_cli_fail (error);
  if (size_text == NULL)
    size = shmlab_encoded_get_size (encoded);
  if (size > G_MAXSIZE)
    return shmlab_cli_fail_printf (_("--size %s is more memory than this system can address"),
                                   size_text);

  segment = shmlab_segment_new (backend);
  shmlab_segment_set_key_kind (segment, kind);

  shmlab_cli_step_begin (&step, "setKey");
  ok = shmlab_segment_set_key (segment, key, &error);
  shmlab_cli_step_end (&step, ok, "\"%s\" → %s", key,
                       ok ? shmlab_segment_get_native_key (segment) : "?");
  if (!ok)
    return shmlab_cli_fail (error);
  /* From here on, the key as every message and suggested command names it. */
  key = shmlab_key_get_name (shmlab_segment_get_key_value (segment));
  if (lock_timeout >= 0)
    shmlab_segment_set_lock_timeout (segment, lock_timeout);

  if (attach)
    {
      shmlab_cli_step_begin (&step, "attach");
      ok = shmlab_segment_attach (segment, SHMLAB_ACCESS_READ_WRITE, shmlab_cli_interrupt (), &error);
      shmlab_cli_print_lock_note (segment);
      if (ok)
        size_shown = shmlab_format_bytes (shmlab_segment_get_size (segment));
      shmlab_cli_step_end (&step, ok, "%s%s", ok ? size_shown : "", ok ? ", read-write" : "");
    }
  else
    {
      size_shown = shmlab_format_bytes (size);
      shmlab_cli_step_begin (&step, "create");
      ok = shmlab_segment_create (segment, (gsize) size, SHMLAB_ACCESS_READ_WRITE, shmlab_cli_interrupt (), &error);
      shmlab_cli_step_end (&step, ok, "%s", size_shown);
      if (!ok && g_error_matches (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_ALREADY_EXISTS))
        {
          ShmlabSegmentInfo info;

          /* --attach is a way out only for a segment of one's own. */
          if (shmlab_segment_query (segment, &info, NULL) && info.exists &&
              shmlab_user_is_me (info.owner_uid))
            /* Before the message, which ends with a command to paste. */
            return shmlab_cli_fail_printf (_("--attach writes into the segment that is there; %s"),
                                           error->message);
        }
    }
  if (!ok)
    return shmlab_cli_fail (error);

  shmlab_cli_step_begin (&step, "lock");
  ok = shmlab_segment_lock (segment, shmlab_cli_interrupt (), &error);
  shmlab_cli_print_lock_note (segment);
  shmlab_cli_step_end (&step, ok, NULL);
  if (!ok)
    {
      detach_step (segment, NULL, NULL);
      return shmlab_cli_fail (error);
    }

  shmlab_cli_step_begin (&step, "copy");
  {
    guint8 *data = shmlab_segment_get_data (segment);
    gsize segment_size = shmlab_segment_get_size (segment);
    guint64 generation = shmlab_frame_peek_generation (data, segment_size) + 1;

    ok = shmlab_encoded_write (encoded, data, segment_size,
                               cut ? SHMLAB_WRITE_FLAGS_CUT : SHMLAB_WRITE_FLAGS_NONE,
                               generation, &written, &error);
    if (!ok)
      shmlab_cli_step_end (&step, FALSE,
                           g_dngettext (GETTEXT_PACKAGE, "%zu byte in (%s)", "%zu bytes in (%s)",
                                        shmlab_encoded_get_size (encoded)),
                           shmlab_encoded_get_size (encoded),
                           shmlab_format_to_string (shmlab_encoded_get_format (encoded)));
    else if (written < shmlab_encoded_get_size (encoded))
      shmlab_cli_step_end (&step, TRUE,
                           g_dngettext (GETTEXT_PACKAGE, "%zu byte in (%s, cut from %zu bytes)",
                                        "%zu bytes in (%s, cut from %zu bytes)", written),
                           written, shmlab_format_to_string (shmlab_encoded_get_format (encoded)),
                           shmlab_encoded_get_size (encoded));
    else if (shmlab_encoded_get_format (encoded) == SHMLAB_FORMAT_FRAME)
      shmlab_cli_step_end (&step, TRUE,
                           g_dngettext (GETTEXT_PACKAGE,
                                        "%zu byte in (frame, generation %" PRIu64 ")",
                                        "%zu bytes in (frame, generation %" PRIu64 ")", written),
                           written, generation);
    else
      shmlab_cli_step_end (&step, TRUE,
                           g_dngettext (GETTEXT_PACKAGE, "%zu byte in (%s)", "%zu bytes in (%s)",
                                        written),
                           written, shmlab_format_to_string (shmlab_encoded_get_format (encoded)));
  }

  unlock_step (segment);
  if (!ok)
    {
      detach_step (segment, NULL, NULL);
      if (g_error_matches (error, SHMLAB_PAYLOAD_ERROR, SHMLAB_PAYLOAD_ERROR_TOO_LARGE))
        return shmlab_cli_fail_printf ("%s; %s", error->message,
                                       fit_hint (payload->kind, cut, attach));
      return shmlab_cli_fail (error);
    }

  watch_stdin = hold_seconds < 0 && !from_stdin && shmlab_cli_can_watch_stdin ();
  if (hold_seconds > 0)
    g_printerr (g_dngettext (GETTEXT_PACKAGE,
                             "holding \"%s\" (%zu byte, %s) for %g s; press Ctrl+C to detach "
                             "sooner\n",
                             "holding \"%s\" (%zu bytes, %s) for %g s; press Ctrl+C to detach "
                             "sooner\n", shmlab_segment_get_size (segment)),
                key, shmlab_segment_get_size (segment), shmlab_backend_describe (backend),
                hold_seconds);
  else if (hold_seconds < 0 && watch_stdin)
    g_printerr (g_dngettext (GETTEXT_PACKAGE,
                             "holding \"%s\" (%zu byte, %s); press Ctrl+C or close stdin to "
                             "detach\n",
                             "holding \"%s\" (%zu bytes, %s); press Ctrl+C or close stdin to "
                             "detach\n", shmlab_segment_get_size (segment)),
                key, shmlab_segment_get_size (segment), shmlab_backend_describe (backend));
  else if (hold_seconds < 0)
    g_printerr (g_dngettext (GETTEXT_PACKAGE,
                             "holding \"%s\" (%zu byte, %s); press Ctrl+C to detach\n",
                             "holding \"%s\" (%zu bytes, %s); press Ctrl+C to detach\n",
                             shmlab_segment_get_size (segment)),
                key, shmlab_segment_get_size (segment), shmlab_backend_describe (backend));

  end = shmlab_cli_hold (hold_seconds, watch_stdin, &signal_number);
  end_reason = shmlab_cli_describe_hold_end (end, signal_number);
  if (!detach_step (segment, end_reason, &error))
    status = shmlab_cli_fail (error);
  return status;
}
