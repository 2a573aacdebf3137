/* shmlab-cmd-lock.c — `shmlab lock`: hold a key's lock for a while, so that
 * another program can be seen waiting for it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-cli.h"

#include <glib/gi18n-lib.h>

#include "shmlab-segment.h"

#define COMMAND "lock"

static const char summary[] = N_("Hold the lock of KEY, so you can watch another program wait for it.");

static const char description[] =
  N_("Takes the lock every reader and writer of KEY takes around its copy (Qt's\n"
  "QSharedMemory::lock(), a semaphore) and keeps it for --hold SECONDS, or else\n"
  "until Ctrl+C, SIGTERM or the end of standard input. The segment itself need not\n"
  "exist. Meanwhile run `shmlab read KEY` in another terminal: it waits, or gives up\n"
  "after its --lock-timeout.\n"
  "\n"
  "Example:\n"
  "  shmlab lock demo --hold 10");

int
shmlab_cmd_lock (int    argc,
                 char **argv)
{
  g_autofree char *hold_text = NULL;
  g_autofree char *backend_name = NULL;
  g_autofree char *kind_name = NULL;
  g_auto(GStrv) arguments = NULL;
  gboolean quiet = FALSE;
  int lock_timeout = -1;
  const GOptionEntry entries[] = {
    { "hold", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &hold_text,
      N_("Keep the lock for SECONDS (default: until Ctrl+C or the end of standard input)"),
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
  g_autoptr(ShmlabSegment) segment = NULL;
  g_autofree char *end_reason = NULL;
  ShmlabBackend backend;
  ShmlabKeyKind kind;
  ShmlabCliStep step;
  ShmlabCliHoldEnd end;
  const char *key = NULL;
  double hold_seconds;
  gboolean watch_stdin;
  gboolean ok;
  int signal_number = 0;
  int status = SHMLAB_CLI_EXIT_OK;

  context = shmlab_cli_context_new (COMMAND, "KEY", summary, description, entries);
  if (!shmlab_cli_parse (context, COMMAND, &argc, &argv, &status) ||
      !shmlab_cli_get_key (COMMAND, arguments, 1, &key, &status) ||
      !shmlab_cli_parse_hold (COMMAND, hold_text, &hold_seconds, &status) ||
      !shmlab_cli_parse_lock_timeout (COMMAND, lock_timeout, &status) ||
      !shmlab_cli_parse_key (COMMAND, key, backend_name, kind_name, &backend, &kind,
                             &status))
    return status;
  shmlab_cli_set_quiet (quiet);

  segment = shmlab_segment_new (backend);
  shmlab_segment_set_key_kind (segment, kind);
  shmlab_cli_step_begin (&step, "setKey");
  ok = shmlab_segment_set_key (segment, key, &error);
  shmlab_cli_step_end (&step, ok, "\"%s\" → %s", key,
                       ok ? shmlab_segment_get_semaphore_key (segment) : "?");
  if (!ok)
    return shmlab_cli_fail (error);
  /* From here on, the key as every message and suggested command names it. */
  key = shmlab_key_get_name (shmlab_segment_get_key_value (segment));

  shmlab_cli_step_begin (&step, "lock");
  ok = shmlab_segment_lock_full (segment, lock_timeout, shmlab_cli_interrupt (), &error);
  shmlab_cli_print_lock_note (segment);
  shmlab_cli_step_end (&step, ok, NULL);
  if (!ok)
    return shmlab_cli_fail (error);

  watch_stdin = hold_seconds < 0 && shmlab_cli_can_watch_stdin ();
  if (hold_seconds >= 0)
    g_printerr (_("locked \"%s\"; holding for %g s\n"), key, hold_seconds);
  else
    g_printerr (_("locked \"%s\"; press Ctrl+C%s to unlock\n"), key,
                watch_stdin ? _(" or close stdin") : "");

  end = shmlab_cli_hold (hold_seconds, watch_stdin, &signal_number);
  end_reason = shmlab_cli_describe_hold_end (end, signal_number);

  shmlab_cli_step_begin (&step, "unlock");
  ok = shmlab_segment_unlock (segment, &error);
  shmlab_cli_step_end (&step, ok, "(%s)", end_reason);
  if (!ok)
    return shmlab_cli_fail (error);
  return status;
}
