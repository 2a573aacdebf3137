/* shmlab-cmd-read.c — `shmlab read`: copy a key's segment out under its lock,
 * then show what the private copy holds
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-cli.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "shmlab-limits.h"
#include "shmlab-payload.h"
#include "shmlab-png.h"
#include "shmlab-segment.h"

#define COMMAND "read"

static const char summary[] =
  N_("Copy the shared memory segment of KEY out under its lock and show what it holds.");

static const char description[] =
  N_("The segment is attached read-only, locked, copied whole into private memory,\n"
  "unlocked and detached; only then is the copy decoded, so a writer is never kept\n"
  "waiting and nothing read from shared memory is trusted before it is checked.\n"
  "\n"
  "Text is printed on standard output (with a newline added when it has none).\n"
  "A picture needs --output FILE.png. --raw writes the segment's bytes exactly as\n"
  "they are, to standard output or to --output. Steps go to standard error.\n"
  "\n"
  "Examples:\n"
  "  shmlab read demo\n"
  "  shmlab read QSharedMemoryExample --output cat.png\n"
  "  shmlab read demo --raw | hexdump -C | head");

/* Writes everything or says why not. */
static gboolean
write_stdout (const void  *data,
              gsize        length,
              GError     **error)
{
  if ((length > 0 && fwrite (data, 1, length, stdout) != length) || fflush (stdout) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("cannot write to standard output: %s"), g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

static gboolean
write_output (const char  *output,
              const void  *data,
              gsize        length,
              GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (output == NULL)
    return write_stdout (data, length, error);
  if (!g_file_set_contents (output, data, (gssize) length, &local_error))
    {
      g_set_error (error, local_error->domain, local_error->code,
                   _("cannot save to “%s”: %s"), output, local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* Copies the whole segment out between lock and unlock, printing each step. */
/* Stays attached, for `shmlab map` to see this process's mapping: after
 * the copy every page is present; with --attach-only, none is yet. */
static void
hold_attached (const char *key,
               const char *size_shown,
               gboolean    attach_only,
               double      seconds)
{
  g_autofree char *reason = NULL;
  int signal_number = 0;
  ShmlabCliHoldEnd end;

  g_printerr (attach_only ? _("attached to \"%s\" (%s) without touching it, for %g s; press Ctrl+C to detach sooner\n")
                          : _("attached to \"%s\" (%s) after the copy, for %g s; press Ctrl+C to detach sooner\n"),
              key, size_shown, seconds);
  end = shmlab_cli_hold (seconds, FALSE, &signal_number);
  reason = shmlab_cli_describe_hold_end (end, signal_number);
  g_debug ("%s", reason);
}

static GBytes *
copy_segment (ShmlabSegment  *segment,
              const char     *key,
              int             lock_timeout,
              gboolean        attach_only,
              double          hold_seconds,
              GError        **error)
{
  g_autofree guint8 *copy = NULL;
  g_autofree char *size_shown = NULL;
  g_autoptr(GError) local_error = NULL;
  ShmlabCliStep step;
  gsize size = 0;
  gboolean ok;

  shmlab_cli_step_begin (&step, "setKey");
  ok = shmlab_segment_set_key (segment, key, error);
  shmlab_cli_step_end (&step, ok, "\"%s\" → %s", key,
                       ok ? shmlab_segment_get_native_key (segment) : "?");
  if (!ok)
    return NULL;
  if (lock_timeout >= 0)
    shmlab_segment_set_lock_timeout (segment, lock_timeout);

  shmlab_cli_step_begin (&step, "attach");
  ok = shmlab_segment_attach (segment, SHMLAB_ACCESS_READ_ONLY, shmlab_cli_interrupt (), error);
  shmlab_cli_print_lock_note (segment);
  if (ok)
    {
      size = shmlab_segment_get_size (segment);
      size_shown = shmlab_format_bytes (size);
    }
  shmlab_cli_step_end (&step, ok, "%s%s", ok ? size_shown : "", ok ? ", read-only" : "");
  if (!ok)
    return NULL;

  if (!attach_only)
    {
      shmlab_cli_step_begin (&step, "lock");
      ok = shmlab_segment_lock (segment, shmlab_cli_interrupt (), error);
      shmlab_cli_step_end (&step, ok, NULL);
      shmlab_cli_print_lock_note (segment);
    }

  if (ok && !attach_only)
    {
      shmlab_cli_step_begin (&step, "copy");
      copy = g_try_malloc (MAX (size, 1));
      if (copy == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                       _("not enough memory to copy the segment (%s): close other programs, "
                       "or read it with a program that does not copy it"), size_shown);
          ok = FALSE;
        }
      else
        memcpy (copy, shmlab_segment_get_const_data (segment), size);
      shmlab_cli_step_end (&step, ok, g_dngettext (GETTEXT_PACKAGE, "%zu byte out",
                                                   "%zu bytes out", size), size);

      shmlab_cli_step_begin (&step, "unlock");
      if (shmlab_segment_unlock (segment, &local_error))
        shmlab_cli_step_end (&step, TRUE, NULL);
      else
        shmlab_cli_step_end (&step, FALSE, "%s", local_error->message);
      g_clear_error (&local_error);
    }

  if (ok && hold_seconds != 0)
    hold_attached (key, size_shown, attach_only, hold_seconds);

  shmlab_cli_step_begin (&step, "detach");
  if (shmlab_segment_detach (segment, &local_error))
    {
      g_autofree char *outcome = shmlab_cli_describe_detach (segment);
      shmlab_cli_step_end (&step, TRUE, "(%s)", outcome);
    }
  else
    shmlab_cli_step_end (&step, FALSE, "%s", local_error->message);

  if (!ok || attach_only)
    return NULL;
  return g_bytes_new_take (g_steal_pointer (&copy), size);
}

/* An empty text is often no text at all: a segment nothing was written to
 * yet, or one whose first byte is 0 but that holds something else. */
static void
warn_empty_text (const guint8  *data,
                 gsize          length,
                 const char    *key,
                 ShmlabBackend  backend)
{
  gsize nonzero = 0;

  for (gsize i = 0; i < length; i++)
    if (data[i] != 0)
      nonzero++;

  if (nonzero == 0 && length == 1)
    shmlab_cli_warn (_("the segment holds an empty text: its only byte is 0, so nothing has been "
                     "written to it yet, or an empty text was"));
  else if (nonzero == 0)
    shmlab_cli_warn (_("the segment holds an empty text: all %zu of its bytes are 0, so nothing "
                     "has been written to it yet, or an empty text was"), length);
  else
    {
      g_autofree char *hint = shmlab_command_for_key ("info", key, backend, NULL);
      shmlab_cli_warn (g_dngettext (GETTEXT_PACKAGE,
                                    "the segment holds an empty text: its first byte is 0 (NUL), "
                                    "yet %zu of its %zu bytes is not 0, so it may hold something "
                                    "other than text; look at it with: %s",
                                    "the segment holds an empty text: its first byte is 0 (NUL), "
                                    "yet %zu of its %zu bytes are not 0, so it may hold something "
                                    "other than text; look at it with: %s", nonzero),
                       nonzero, length, hint);
    }
}

int
shmlab_cmd_read (int    argc,
                 char **argv)
{
  g_autofree char *output = NULL;
  g_autofree char *backend_name = NULL;
  g_autofree char *kind_name = NULL;
  g_auto(GStrv) arguments = NULL;
  g_autofree char *hold_text = NULL;
  gboolean raw = FALSE;
  gboolean quiet = FALSE;
  gboolean attach_only = FALSE;
  double hold_seconds = 0;
  int lock_timeout = -1;
  const GOptionEntry entries[] = {
    { "output", 'o', G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &output,
      N_("Save to FILE instead of printing (a picture is saved as PNG)"), "FILE" },
    { "raw", 'r', G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &raw,
      N_("Write the segment's bytes exactly as they are, without decoding them"), NULL },
    { "hold", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &hold_text,
      N_("Stay attached SECONDS after the copy (Ctrl+C detaches sooner), to look with shmlab map"),
      "SECONDS" },
    { "attach-only", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &attach_only,
      N_("With --hold: attach and touch nothing, no lock, no copy (attaching maps no page yet)"),
      NULL },
    SHMLAB_CLI_LOCK_TIMEOUT_OPTION (lock_timeout),
    SHMLAB_CLI_BACKEND_OPTION (backend_name),
    SHMLAB_CLI_KEY_KIND_OPTION (kind_name),
    SHMLAB_CLI_QUIET_OPTION (quiet),
    SHMLAB_CLI_ARGUMENTS_OPTION (arguments),
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabSegment) segment = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(ShmlabPayload) payload = NULL;
  ShmlabBackend backend;
  ShmlabKeyKind kind;
  ShmlabCliStep step;
  const guint8 *data;
  const char *key = NULL;
  gsize length;
  int status = SHMLAB_CLI_EXIT_OK;

  context = shmlab_cli_context_new (COMMAND, "KEY", summary, description, entries);
  if (!shmlab_cli_parse (context, COMMAND, &argc, &argv, &status) ||
      !shmlab_cli_get_key (COMMAND, arguments, 1, &key, &status) ||
      !shmlab_cli_parse_lock_timeout (COMMAND, lock_timeout, &status) ||
      !shmlab_cli_parse_key (COMMAND, key, backend_name, kind_name, &backend, &kind,
                             &status) ||
      (hold_text != NULL && !shmlab_cli_parse_hold (COMMAND, hold_text, &hold_seconds, &status)))
    return status;
  if (attach_only && hold_text == NULL)
    return shmlab_cli_usage_error (COMMAND, _("--attach-only goes with --hold SECONDS: without it "
                                              "the reader would attach and detach at once"));
  shmlab_cli_set_quiet (quiet);

  segment = shmlab_segment_new (backend);
  shmlab_segment_set_key_kind (segment, kind);
  bytes = copy_segment (segment, key, lock_timeout, attach_only, hold_seconds, &error);
  /* The key as every message and suggested command names it. */
  if (shmlab_segment_get_key_value (segment) != NULL)
    key = shmlab_key_get_name (shmlab_segment_get_key_value (segment));
  if (bytes == NULL && attach_only && error == NULL)
    return SHMLAB_CLI_EXIT_OK;
  if (bytes == NULL)
    return shmlab_cli_fail_not_found (COMMAND, key, backend, error);
  data = g_bytes_get_data (bytes, &length);

  if (raw)
    {
      if (!write_output (output, data, length, &error))
        return shmlab_cli_fail (error);
      return SHMLAB_CLI_EXIT_OK;
    }

  /* Decoding works on the private copy: the segment may change meanwhile. */
  shmlab_cli_step_begin (&step, "decode");
  payload = shmlab_payload_decode (data, length, &error);
  if (payload == NULL)
    {
      shmlab_cli_step_end (&step, FALSE, NULL);
      return shmlab_cli_fail (error);
    }
  if (payload->kind == SHMLAB_PAYLOAD_KIND_IMAGE)
    shmlab_cli_step_end (&step, TRUE, _("%s, %u×%u image"), shmlab_format_to_string (payload->format),
                         payload->image->width, payload->image->height);
  else
    shmlab_cli_step_end (&step, TRUE,
                         g_dngettext (GETTEXT_PACKAGE, "%s, %zu byte of text",
                                      "%s, %zu bytes of text", payload->text_length),
                         shmlab_format_to_string (payload->format), payload->text_length);
  if (payload->note != NULL)
    shmlab_cli_warn ("%s", payload->note);

  if (payload->kind == SHMLAB_PAYLOAD_KIND_IMAGE)
    {
      if (output == NULL)
        return shmlab_cli_fail_printf (_("the segment holds a %u×%u image: give --output FILE.png "
                                       "to save it"), payload->image->width,
                                       payload->image->height);
      if (!shmlab_png_write_file (payload->image, output, &error))
        return shmlab_cli_fail (error);
      return SHMLAB_CLI_EXIT_OK;
    }

  if (payload->invalid_bytes > 0)
    {
      g_autofree char *hint = shmlab_command_for_key ("info", key, backend, NULL);
      shmlab_cli_warn (g_dngettext (GETTEXT_PACKAGE,
                                    "%zu byte was not valid text, shown as U+FFFD (�); the "
                                    "segment may not hold text; look at it with: %s",
                                    "%zu bytes were not valid text, shown as U+FFFD (�); the "
                                    "segment may not hold text; look at it with: %s",
                                    payload->invalid_bytes),
                       payload->invalid_bytes, hint);
    }
  else if (payload->format == SHMLAB_FORMAT_TEXT && payload->text_length == 0)
    warn_empty_text (data, length, key, backend);

  if (!write_output (output, payload->text, payload->text_length, &error))
    return shmlab_cli_fail (error);
  if (output == NULL && (payload->text_length == 0 ||
                         payload->text[payload->text_length - 1] != '\n') &&
      !write_stdout ("\n", 1, &error))
    return shmlab_cli_fail (error);
  return SHMLAB_CLI_EXIT_OK;
}
