/* shmlab-cmd-remove.c — `shmlab remove`: remove a key's segment, its lock and
 * its key files, such as those a crashed program left behind
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-cli.h"

#include <glib/gi18n-lib.h>

#include "shmlab-segment.h"

#define COMMAND "remove"

static const char summary[] =
  N_("Remove the shared memory segment of KEY, its lock and its key files.");

static const char description[] =
  N_("For what a program that crashed left behind: the segment, the semaphore of its\n"
  "lock and, for System V, the key files in the temp dir. A segment that processes\n"
  "are still attached to is not removed unless --force is given; it then disappears\n"
  "from view at once, and its memory goes when the last of them detaches.\n"
  "\n"
  "Example:\n"
  "  shmlab remove demo");

int
shmlab_cmd_remove (int    argc,
                   char **argv)
{
  g_autofree char *backend_name = NULL;
  g_autofree char *kind_name = NULL;
  g_auto(GStrv) arguments = NULL;
  gboolean force = FALSE;
  const GOptionEntry entries[] = {
    { "force", 'f', G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &force,
      N_("Remove it even while processes are attached"), NULL },
    SHMLAB_CLI_BACKEND_OPTION (backend_name),
    SHMLAB_CLI_KEY_KIND_OPTION (kind_name),
    SHMLAB_CLI_ARGUMENTS_OPTION (arguments),
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  ShmlabBackend backend;
  ShmlabKeyKind kind;
  g_autoptr(ShmlabKey) value = NULL;
  const char *key = NULL;
  int status = SHMLAB_CLI_EXIT_OK;

  context = shmlab_cli_context_new (COMMAND, "KEY", summary, description, entries);
  if (!shmlab_cli_parse (context, COMMAND, &argc, &argv, &status) ||
      !shmlab_cli_get_key (COMMAND, arguments, 1, &key, &status) ||
      !shmlab_cli_parse_key (COMMAND, key, backend_name, kind_name, &backend, &kind,
                             &status))
    return status;

  value = shmlab_key_new_full (key, backend, kind, &error);
  if (value != NULL)
    key = shmlab_key_get_name (value);
  if (value == NULL || !shmlab_segment_remove_for_key (value, force, &error))
    {
      if (g_error_matches (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_IN_USE))
        {
          g_autofree char *hint = shmlab_command_for_key (COMMAND, key, backend, "--force");
          return shmlab_cli_fail_printf (_("%s; to force it: %s"), error->message, hint);
        }
      return shmlab_cli_fail_not_found (COMMAND, key, backend, error);
    }
  g_print (_("removed \"%s\" (%s)\n"), key, shmlab_backend_describe (backend));
  return SHMLAB_CLI_EXIT_OK;
}
