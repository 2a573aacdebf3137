/* shmlab.c — the shmlab command: shared memory from a terminal, the way Qt's
 * QSharedMemory sees it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include "shmlab-cli.h"
#include "shmlab-i18n.h"

typedef struct
{
  const char *name;
  int (*run) (int argc, char **argv);
  const char *summary;
} Command;

static const Command commands[] = {
  { "write", shmlab_cmd_write, N_("Put text or a picture in a key's segment and stay attached") },
  { "read", shmlab_cmd_read, N_("Copy a key's segment out under its lock and show what it holds") },
  { "info", shmlab_cmd_info, N_("Show what the system knows of a key's segment") },
  { "list", shmlab_cmd_list, N_("List the segments ShmLab and Qt made (--all: every one)") },
  { "remove", shmlab_cmd_remove, N_("Remove a key's segment, its lock and its key files") },
  { "lock", shmlab_cmd_lock, N_("Hold a key's lock, so you can watch another program wait") },
  { "stream", shmlab_cmd_stream, N_("Stream frames into a key, with or without the lock") },
  { "follow", shmlab_cmd_follow, N_("Follow a key's stream: torn frames, rates and latency") },
  { "map", shmlab_cmd_map, N_("Show every process that maps a key's segment, and where") },
  { "cache", shmlab_cmd_cache, N_("Use a key–value cache in a key's segment: many readers, one writer") },
  { "bench", shmlab_cmd_bench, N_("Measure shared memory against pipes and sockets on this machine") },
};

/* "write, read, …, bench": every command, from the table. */
static char *
command_names (void)
{
  g_autoptr(GString) names = g_string_new (NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    g_string_append_printf (names, "%s%s", i > 0 ? ", " : "", commands[i].name);
  return g_string_free (g_steal_pointer (&names), FALSE);
}

static const Command *
find_command (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (commands[i].name, name) == 0)
      return &commands[i];
  return NULL;
}

static void
print_help (void)
{
  GString *help = g_string_new (NULL);

  g_string_append (help,
                   _("Usage:\n"
                   "  shmlab COMMAND [OPTION…] [KEY]\n"
                   "\n"
                   "Put text and pictures in shared memory and look at them. A key is found the\n"
                   "way Qt's QSharedMemory finds it, so a Qt program calling setKey() with the\n"
                   "same key shares the same segment and the same lock.\n"
                   "\n"
                   "Commands:\n"));
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    g_string_append_printf (help, "  %-8s %s\n", commands[i].name, _(commands[i].summary));
  g_string_append (help,
                   _("\n"
                   "Options:\n"
                   "  -h, --help     Show this help\n"
                   "  --version      Show the version\n"
                   "\n"
                   "Run “shmlab help COMMAND” or “shmlab COMMAND --help” for what a command\n"
                   "takes. Exit status: 0 on success, 1 when something failed, 2 when the\n"
                   "command line was not understood.\n"
                   "\n"
                   "Example, in two terminals:\n"
                   "  shmlab write demo --text \"Hello, shared memory\"\n"
                   "  shmlab read demo\n"));
  g_print ("%s", help->str);
  g_string_free (help, TRUE);
}

int
main (int    argc,
      char **argv)
{
  const Command *command;
  const char *name;

  shmlab_i18n_init ();
  g_set_prgname ("shmlab");
  shmlab_cli_interrupt_init ();

  if (argc < 2)
    {
      g_autofree char *names = command_names ();

      return shmlab_cli_usage_error (NULL, _("missing COMMAND: one of %s"), names);
    }

  name = argv[1];
  if (strcmp (name, "--help") == 0 || strcmp (name, "-h") == 0 || strcmp (name, "-?") == 0 ||
      (strcmp (name, "help") == 0 && argc == 2))
    {
      print_help ();
      return SHMLAB_CLI_EXIT_OK;
    }

  if (strcmp (name, "--version") == 0)
    {
      g_print (_("shmlab %s\n"), SHMLAB_VERSION);
      return SHMLAB_CLI_EXIT_OK;
    }

  if (strcmp (name, "help") == 0)
    {
      char *help_argv[] = { argv[2], (char *) "--help", NULL };

      if (argc > 3)
        return shmlab_cli_usage_error (NULL, _("“shmlab help” takes one command name"));
      command = find_command (argv[2]);
      if (command == NULL)
        {
          g_autofree char *shown = g_utf8_make_valid (argv[2], -1);
          return shmlab_cli_usage_error (NULL, _("unknown command “%s”"), shown);
        }
      return command->run (2, help_argv);
    }

  command = find_command (name);
  if (command == NULL)
    {
      g_autofree char *shown = g_utf8_make_valid (name, -1);

      if (name[0] == '-')
        {
          const char *const example[] = { "shmlab", "read", "demo", "--raw", NULL };
          g_autofree char *suggested = shmlab_shell_join (example);

          return shmlab_cli_usage_error (NULL, _("unknown option “%s”: options come after the "
                                                 "command, as in: %s"), shown, suggested);
        }
      {
        g_autofree char *names = command_names ();

        return shmlab_cli_usage_error (NULL, _("unknown command “%s”: use one of %s"), shown, names);
      }
    }

  return command->run (argc - 1, argv + 1);
}
