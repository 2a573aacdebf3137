/* shmlab-cmd-map.c — `shmlab map`: every process that maps a key's segment,
 * at which address, with how many of its pages present, and the one memory
 * behind them all
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-cli.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>

#include "shmlab-limits.h"
#include "shmlab-memory-map.h"
#include "shmlab-segment.h"
#include "shmlab-users.h"

#define COMMAND "map"

static const char summary[] =
  N_("Show every process that maps the shared memory segment of KEY, and where.");

static const char description[] =
  N_("Reads /proc: for each process attached to the segment, its pid, program and user,\n"
  "the virtual addresses where that process has the segment, read-only or read-write,\n"
  "and how many of its pages are present in that process's page table now. The\n"
  "addresses differ from process to process; the memory behind them is one: the same\n"
  "System V segment id, or the same file of /dev/shm, and for root the same physical\n"
  "frames. Attaching maps no page yet: a page comes in when the process first touches it.\n"
  "\n"
  "Examples:\n"
  "  shmlab write demo --text hello --hold 60 &\n"
  "  shmlab read demo --hold 60 &\n"
  "  shmlab map demo\n"
  "  sudo shmlab map demo        (shows the physical frames)");

/* @text and spaces to @columns on a terminal (a translation may hold wide
 * characters, an address range a dash of three bytes). */
static void
print_cell (const char *text,
            gsize       columns)
{
  gsize width = shmlab_cli_display_width (text);

  g_print ("%s%*s ", text, (int) (columns > width ? columns - width : 0), "");
}

static void
print_text (const ShmlabMemoryMap *map,
            const char            *key)
{
  g_autofree char *size = shmlab_format_bytes (map->size);
  g_autofree char *attached = shmlab_memory_map_describe_attached (map);
  g_autofree char *physical = shmlab_memory_map_describe_physical (map);
  guint64 pages = map->page_size ? (map->size + map->page_size - 1) / map->page_size : 0;

  g_print (g_dngettext (GETTEXT_PACKAGE, "“%s”: %s, %s, %" PRIu64 " page of %" PRIu64 " bytes\n",
                        "“%s”: %s, %s, %" PRIu64 " pages of %" PRIu64 " bytes\n", pages),
           key, map->identity.description, size, pages, map->page_size);
  g_print ("%s\n", attached);
  if (map->mappings->len > 0)
    {
      g_print ("\n  ");
      print_cell (_("PID"), 8);
      print_cell (_("PROGRAM"), 16);
      print_cell (_("USER"), 10);
      print_cell (_("ADDRESSES IN THAT PROCESS"), 31);
      print_cell (_("ACCESS"), 11);
      g_print ("%s\n", _("PAGES PRESENT"));
    }
  for (guint i = 0; i < map->mappings->len; i++)
    {
      const ShmlabMemoryMapping *m = g_ptr_array_index (map->mappings, i);
      g_autofree char *pid = g_strdup_printf ("%u", m->pid);
      g_autofree char *user = shmlab_user_name (m->uid);
      g_autofree char *range = g_strdup_printf ("0x%012" PRIx64 "–0x%012" PRIx64, m->start, m->end);
      g_autofree char *present = m->present < 0
        ? g_strdup (_("unknown (pagemap not readable)"))
        : g_strdup_printf (_("%" PRId64 " of %" PRIu64), m->present, m->n_pages);

      g_print ("  ");
      print_cell (pid, 8);
      print_cell (m->program, 16);
      print_cell (user, 10);
      print_cell (range, 31);
      print_cell (m->writable ? _("read-write") : _("read-only"), 11);
      g_print ("%s", present);
      if (m->first_frame != 0)
        g_print (_(", first frame 0x%" PRIx64), m->first_frame);
      g_print ("\n");
    }
  g_print ("\n%s\n%s\n", physical, shmlab_memory_map_lesson ());
}

int
shmlab_cmd_map (int    argc,
                char **argv)
{
  g_autofree char *backend_name = NULL;
  g_autofree char *kind_name = NULL;
  g_auto(GStrv) arguments = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &json,
      N_("Print everything as JSON, for scripts"), NULL },
    SHMLAB_CLI_BACKEND_OPTION (backend_name),
    SHMLAB_CLI_KEY_KIND_OPTION (kind_name),
    SHMLAB_CLI_ARGUMENTS_OPTION (arguments),
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabKey) key = NULL;
  g_autoptr(ShmlabMemoryMap) map = NULL;
  ShmlabBackend backend;
  ShmlabKeyKind kind;
  const char *key_name = NULL;
  int status = SHMLAB_CLI_EXIT_OK;

  context = shmlab_cli_context_new (COMMAND, "KEY", summary, description, entries);
  if (!shmlab_cli_parse (context, COMMAND, &argc, &argv, &status) ||
      !shmlab_cli_get_key (COMMAND, arguments, 1, &key_name, &status) ||
      !shmlab_cli_parse_key (COMMAND, key_name, backend_name, kind_name, &backend, &kind,
                             &status))
    return status;

  key = shmlab_key_new_full (key_name, backend, kind, &error);
  if (key == NULL)
    return shmlab_cli_fail (error);
  map = shmlab_memory_map_scan (key, shmlab_cli_interrupt (), &error);
  if (map == NULL)
    return shmlab_cli_fail (error);
  if (json)
    {
      g_autofree char *text = shmlab_memory_map_to_json (map, key);

      g_print ("%s", text);
      return map->exists ? SHMLAB_CLI_EXIT_OK : SHMLAB_CLI_EXIT_FAILURE;
    }
  if (!map->exists)
    {
      g_set_error (&error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_NOT_FOUND,
                   _("no %s segment has the key “%s”: nothing maps it; start the writer first, or "
                     "check the key's spelling"), shmlab_backend_describe (backend), key_name);
      return shmlab_cli_fail_not_found (COMMAND, key_name, backend, error);
    }
  print_text (map, key_name);
  return SHMLAB_CLI_EXIT_OK;
}
