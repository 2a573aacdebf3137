/* shmlab-cmd-remove.c — `shmlab remove`: remove a key's segment, its lock and
 * its key files, such as those a crashed program left behind
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-cli.h"

#include <glib/gi18n-lib.h>

#include "shmlab-segment.h"
#include "shmlab-limits.h"
#include "shmlab-stale.h"

#define COMMAND "remove"

static const char summary[] =
  N_("Remove the shared memory segment of KEY, its lock and its key files; or every "
     "stale one (--stale), or one by its System V id (--id) or native name (--native).");

static const char description[] =
  N_("For what a program that crashed left behind: the segment, the semaphore of its\n"
  "lock and, for System V, the key files in the temp dir. A segment that processes\n"
  "are still attached to is not removed unless --force is given; it then disappears\n"
  "from view at once, and its memory goes when the last of them detaches.\n"
  "\n"
  "--stale removes every segment of yours, in every backend, that no process uses\n"
  "and that is named the Qt way (ShmLab's and Qt's, and System V keys whose key\n"
  "file is gone), with their locks and key files: it lists them first, and with\n"
  "--dry-run only lists them. Another user's segments, and segments other programs\n"
  "name their own way, are never touched unless named exactly with --id or\n"
  "--native.\n"
  "\n"
  "Examples:\n"
  "  shmlab remove demo\n"
  "  shmlab remove --stale --dry-run\n"
  "  shmlab remove --id 32800797\n"
  "  shmlab remove --native /QSharedMemoryExample");

/* One line of the list: backend, native name, size, age. */
static void
print_stale (const ShmlabSegmentListing *l)
{
  g_autofree char *size = shmlab_format_bytes (l->info.size);
  g_autofree char *age = shmlab_stale_describe_age (l->info.change_time);

  g_print ("  %-9s %-12s %-14s %s\n", shmlab_backend_describe (l->backend), size, age,
           l->native_key);
}

/* --stale: the list first, then each removed (or, with --dry-run, none). */
static int
remove_stale (gboolean dry_run)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) stale = shmlab_stale_find (&error);
  guint removed = 0, failed = 0;

  if (stale == NULL)
    return shmlab_cli_fail (error);
  if (stale->len == 0)
    {
      g_print (_("nothing stale: every segment of yours named the Qt way is in use\n"));
      return SHMLAB_CLI_EXIT_OK;
    }
  g_print (g_dngettext (GETTEXT_PACKAGE, "%u stale segment (no process uses it):\n",
                        "%u stale segments (no process uses them):\n", stale->len),
           stale->len);
  g_print ("  %-9s %-12s %-14s %s\n", _("BACKEND"), _("SIZE"), _("AGE"), _("NATIVE NAME"));
  for (guint i = 0; i < stale->len; i++)
    print_stale (g_ptr_array_index (stale, i));
  if (dry_run)
    {
      g_print (_("nothing removed (--dry-run)\n"));
      return SHMLAB_CLI_EXIT_OK;
    }
  for (guint i = 0; i < stale->len; i++)
    {
      const ShmlabSegmentListing *l = g_ptr_array_index (stale, i);
      g_autoptr(GError) local_error = NULL;

      if (shmlab_stale_remove (l, &local_error))
        removed++;
      else
        {
          failed++;
          shmlab_cli_warn ("%s", local_error->message);
        }
    }
  g_print (g_dngettext (GETTEXT_PACKAGE, "removed %u segment with its lock and key files\n",
                        "removed %u segments with their locks and key files\n", removed),
           removed);
  return failed == 0 ? SHMLAB_CLI_EXIT_OK : SHMLAB_CLI_EXIT_FAILURE;
}

/* --id ID or --native NAME: exactly that segment, whoever named it. */
static int
remove_named (int         id,
              const char *native,
              gboolean    force)
{
  g_autoptr(GError) error = NULL;
  ShmlabSegmentListing *l = id >= 0 ? shmlab_stale_find_id (id, &error)
                                    : shmlab_stale_find_named (native, &error);
  int status;

  if (l == NULL)
    return shmlab_cli_fail (error);
  /* --force: processes attached keep what they mapped; nobody new finds it. */
  if (force)
    l->info.attach_count = 0;
  if (shmlab_stale_remove (l, &error))
    {
      g_print (_("removed %s (%s)\n"), l->native_key, shmlab_backend_describe (l->backend));
      status = SHMLAB_CLI_EXIT_OK;
    }
  else if (g_error_matches (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_IN_USE))
    status = shmlab_cli_fail_printf (_("%s; to force it, add --force"), error->message);
  else
    status = shmlab_cli_fail (error);
  shmlab_segment_listing_free (l);
  return status;
}

int
shmlab_cmd_remove (int    argc,
                   char **argv)
{
  g_autofree char *backend_name = NULL;
  g_autofree char *kind_name = NULL;
  g_auto(GStrv) arguments = NULL;
  gboolean force = FALSE, stale = FALSE, dry_run = FALSE;
  g_autofree char *native = NULL;
  int id = -1;
  const GOptionEntry entries[] = {
    { "force", 'f', G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &force,
      N_("Remove it even while processes are attached"), NULL },
    { "stale", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &stale,
      N_("Remove every stale segment of yours named the Qt way, in every backend (no KEY)"), NULL },
    { "dry-run", 'n', G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &dry_run,
      N_("With --stale: list what would be removed, remove nothing"), NULL },
    { "id", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_INT, &id,
      N_("Remove the System V segment of this id (as ipcs -m shows it; no KEY)"), "ID" },
    { "native", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &native,
      N_("Remove the segment of this native name: a key file's path, a /dev/shm name, or a System V key 0x… whose key file is gone (no KEY)"),
      "NAME" },
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
  if (!shmlab_cli_parse (context, COMMAND, &argc, &argv, &status))
    return status;
  if ((stale ? 1 : 0) + (id >= 0 ? 1 : 0) + (native != NULL ? 1 : 0) > 1)
    return shmlab_cli_usage_error (COMMAND, _("--stale, --id and --native each choose what to "
                                              "remove: give one of them"));
  if (dry_run && !stale)
    return shmlab_cli_usage_error (COMMAND, _("--dry-run goes with --stale"));
  if ((stale || id >= 0 || native != NULL) && arguments != NULL && arguments[0] != NULL)
    return shmlab_cli_usage_error (COMMAND, _("--stale, --id and --native take no KEY"));
  if (stale)
    return remove_stale (dry_run);
  if (id >= 0 || native != NULL)
    return remove_named (id, native, force);
  if (!shmlab_cli_get_key (COMMAND, arguments, 1, &key, &status) ||
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
