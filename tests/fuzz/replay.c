/* replay.c — runs a fuzz target's entry point once on each saved input, so
 * every build replays the kept corpus and the inputs that once crashed
 *
 * Arguments are files or directories (every file in them, in name order,
 * skipping dot files). Prints TAP: one "ok" or "not ok" per input.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* "corpus/payload/frame-text" of a long path: enough to find it. */
static const char *
short_name (const char *path)
{
  const char *p = path + strlen (path);
  int slashes = 0;

  while (p > path)
    {
      if (p[-1] == '/' && ++slashes == 3)
        break;
      p--;
    }
  return p;
}

static gboolean
collect_inputs (const char  *path,
                GPtrArray   *inputs,
                GError     **error)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                       "“%s” is neither a file nor a directory: check the paths given to "
                       "the replay", path);
          return FALSE;
        }
      g_ptr_array_add (inputs, g_strdup (path));
      return TRUE;
    }

  dir = g_dir_open (path, 0, error);
  if (dir == NULL)
    return FALSE;
  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *full = NULL;

      /* Dot files keep empty directories in version control; they are not inputs. */
      if (name[0] == '.')
        continue;
      full = g_build_filename (path, name, NULL);
      if (g_file_test (full, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (names, g_steal_pointer (&full));
    }
  g_ptr_array_sort (names, compare_paths);
  g_ptr_array_extend_and_steal (inputs, g_steal_pointer (&names));
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func (g_free);
  int status = 0;
  int i;

  if (argc < 2)
    {
      fprintf (stderr, "usage: %s FILE-OR-DIRECTORY…\n", argv[0]);
      return 2;
    }

  for (i = 1; i < argc; i++)
    {
      g_autoptr(GError) error = NULL;

      if (!collect_inputs (argv[i], inputs, &error))
        {
          printf ("1..0 # no inputs: %s\n", error->message);
          fprintf (stderr, "%s\n", error->message);
          return 1;
        }
    }

  printf ("1..%u\n", inputs->len);
  for (guint n = 0; n < inputs->len; n++)
    {
      const char *path = g_ptr_array_index (inputs, n);
      const char *name = short_name (path);
      g_autoptr(GError) error = NULL;
      g_autofree char *contents = NULL;
      gsize size = 0;
      pid_t child;
      int wait_status = 0;

      if (!g_file_get_contents (path, &contents, &size, &error))
        {
          printf ("not ok %u %s # %s\n", n + 1, name, error->message);
          status = 1;
          continue;
        }
      /* Each input in a child of its own: one that crashes is one "not ok",
       * and the others still run. */
      fflush (stdout);
      child = fork ();
      if (child < 0)
        {
          printf ("not ok %u %s # fork() failed: %s\n", n + 1, name, g_strerror (errno));
          status = 1;
          continue;
        }
      if (child == 0)
        {
          /* An exactly sized copy, so a read one byte past the end is caught. */
          guint8 *exact = g_malloc (size > 0 ? size : 1);

          memcpy (exact, contents, size);
          LLVMFuzzerTestOneInput (exact, size);
          g_free (exact);
          g_free (contents);
          g_ptr_array_unref (g_steal_pointer (&inputs));
          /* exit(), not _exit(): LeakSanitizer checks at exit. */
          exit (0);
        }
      while (waitpid (child, &wait_status, 0) < 0 && errno == EINTR)
        ;
      if (WIFEXITED (wait_status) && WEXITSTATUS (wait_status) == 0)
        printf ("ok %u %s\n", n + 1, name);
      else
        {
          status = 1;
          if (WIFSIGNALED (wait_status))
            printf ("not ok %u %s # killed by signal %d (%s)\n", n + 1, name,
                    WTERMSIG (wait_status), g_strsignal (WTERMSIG (wait_status)));
          else
            printf ("not ok %u %s # exit status %d\n", n + 1, name, WEXITSTATUS (wait_status));
        }
    }
  return status;
}
