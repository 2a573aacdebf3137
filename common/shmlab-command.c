/* shmlab-command.c — commands a message suggests, written so that they can
 * be pasted into a shell as they are
 *
 * A command in a message is built here, never in a translation: the message
 * takes it whole as one %s, so no language can change its quotes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-command.h"

#include <string.h>

/* Characters a shell takes literally anywhere in a word (as Python's shlex.quote). */
static gboolean
is_safe_word (const char *arg)
{
  if (*arg == '\0')
    return FALSE;
  for (const char *p = arg; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("@%+=:,./_-", *p) == NULL)
      return FALSE;
  return TRUE;
}

/**
 * shmlab_shell_quote_arg:
 * @arg: one argument
 *
 * @arg as a POSIX shell reads it back as one word: bare when it holds only
 * characters a shell takes literally, else in 'single quotes' (a quote
 * inside as '\'' ). Straight quotes only, so that a pasted command works.
 *
 * Returns: (transfer full): the word
 */
char *
shmlab_shell_quote_arg (const char *arg)
{
  return is_safe_word (arg) ? g_strdup (arg) : g_shell_quote (arg);
}

/* @argv as one line a shell splits back into @argv. */
char *
shmlab_shell_join (const char * const *argv)
{
  GString *line = g_string_new (NULL);

  for (guint i = 0; argv[i] != NULL; i++)
    {
      g_autofree char *word = shmlab_shell_quote_arg (argv[i]);

      if (i > 0)
        g_string_append_c (line, ' ');
      g_string_append (line, word);
    }
  return g_string_free (line, FALSE);
}

/**
 * shmlab_command_for_key:
 * @command: a shmlab command, "remove"
 * @key: the key it acts on
 * @backend: the key's backend, named when it is not the default
 * @option: (nullable): one more option, "--force"
 *
 * "shmlab COMMAND [--backend NAME] [OPTION] KEY", ready to paste: the key
 * quoted when a shell would split or expand it, and after "--" when it
 * begins with a dash, so that it is not taken for an option.
 *
 * Returns: (transfer full): the command line
 */
char *
shmlab_command_for_key (const char    *command,
                        const char    *key,
                        ShmlabBackend  backend,
                        const char    *option)
{
  const char *argv[8];
  guint n = 0;

  argv[n++] = "shmlab";
  argv[n++] = command;
  /* The table says whether the backend must be named. */
  if (*shmlab_backend_option (backend) != '\0')
    {
      argv[n++] = "--backend";
      argv[n++] = shmlab_backend_to_string (backend);
    }
  if (option != NULL)
    argv[n++] = option;
  if (key[0] == '-')
    argv[n++] = "--";
  argv[n++] = key;
  argv[n] = NULL;
  return shmlab_shell_join (argv);
}

/* "shmlab COMMAND [--backend NAME]", for a command that takes no key, "list". */
char *
shmlab_command_for_backend (const char    *command,
                            ShmlabBackend  backend)
{
  const char *argv[] = { "shmlab", command, NULL, NULL, NULL };

  if (*shmlab_backend_option (backend) != '\0')
    {
      argv[2] = "--backend";
      argv[3] = shmlab_backend_to_string (backend);
    }
  return shmlab_shell_join (argv);
}
