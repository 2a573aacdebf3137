/* shmlab-pointer-probe.c — what an address another process wrote means in
 * this one
 *
 * The second source article links its cache's entries by raw pointers into
 * the producer's heap. In any other process such a number is an address in
 * the wrong address space: nothing, or something else. This looks the
 * number up in this process's own /proc/self/maps — it never follows it —
 * and says which of this process's mappings, if any, it falls in.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-pointer-probe.h"

#include <glib/gi18n-lib.h>

#include <inttypes.h>
#include <string.h>

#include "shmlab-proc-maps.h"

static ShmlabPointerPlace
place_of (const ShmlabProcMapsEntry *entry)
{
  if (entry->path == NULL || entry->path[0] == '\0')
    return entry->shared ? SHMLAB_POINTER_SHARED : SHMLAB_POINTER_ANONYMOUS;
  if (g_str_equal (entry->path, "[heap]"))
    return SHMLAB_POINTER_HEAP;
  if (g_str_has_prefix (entry->path, "[stack"))
    return SHMLAB_POINTER_STACK;
  if (entry->path[0] == '[')
    return SHMLAB_POINTER_OTHER;
  if (entry->shared || g_str_has_prefix (entry->path, "/SYSV") ||
      g_str_has_prefix (entry->path, "/dev/shm/"))
    return SHMLAB_POINTER_SHARED;
  return SHMLAB_POINTER_FILE;
}

/**
 * shmlab_pointer_probe_in:
 * @maps: the text of a maps file (hostile: every line checked)
 *
 * Fills @probe with the mapping of @maps that holds @address, if any.
 *
 * Returns: whether @address is mapped there
 */
gboolean
shmlab_pointer_probe_in (const char         *maps,
                         gsize               length,
                         guint64             address,
                         ShmlabPointerProbe *probe)
{
  memset (probe, 0, sizeof *probe);
  probe->address = address;
  probe->place = SHMLAB_POINTER_UNMAPPED;
  for (const char *line = maps, *end; line < maps + length; line = end + 1)
    {
      ShmlabProcMapsEntry entry;

      end = memchr (line, '\n', (gsize) (maps + length - line));
      if (end == NULL)
        end = maps + length;
      if (!shmlab_proc_maps_parse_line (line, (gsize) (end - line), &entry, NULL))
        continue;
      if (address >= entry.start && address < entry.end)
        {
          probe->place = place_of (&entry);
          probe->start = entry.start;
          probe->end = entry.end;
          probe->readable = entry.readable;
          probe->writable = entry.writable;
          probe->path = g_steal_pointer (&entry.path);
          shmlab_proc_maps_entry_clear (&entry);
          return TRUE;
        }
      shmlab_proc_maps_entry_clear (&entry);
    }
  return FALSE;
}

/* Looks @address up in this process's own maps. */
gboolean
shmlab_pointer_probe (guint64              address,
                      ShmlabPointerProbe  *probe,
                      GError             **error)
{
  g_autofree char *maps = NULL;
  gsize length = 0;

  if (!g_file_get_contents ("/proc/self/maps", &maps, &length, error))
    return FALSE;
  shmlab_pointer_probe_in (maps, length, address, probe);
  return TRUE;
}

void
shmlab_pointer_probe_clear (ShmlabPointerProbe *probe)
{
  g_clear_pointer (&probe->path, g_free);
}

/* What the address means here, in a sentence. */
char *
shmlab_pointer_probe_describe (const ShmlabPointerProbe *probe)
{
  switch (probe->place)
    {
    case SHMLAB_POINTER_UNMAPPED:
      return g_strdup_printf (_("0x%" PRIx64 " is not mapped in this process: following it "
                                "would crash it (SIGSEGV)"),
                              probe->address);
    case SHMLAB_POINTER_HEAP:
      return g_strdup_printf (_("0x%" PRIx64 " falls in this process's own heap (0x%" PRIx64
                                "–0x%" PRIx64 "): following it would read this process's data, "
                                "not what the other process meant"),
                              probe->address, probe->start, probe->end);
    case SHMLAB_POINTER_STACK:
      return g_strdup_printf (_("0x%" PRIx64 " falls in this process's stack: following it would "
                                "read whatever this process keeps there now"),
                              probe->address);
    case SHMLAB_POINTER_SHARED:
      return g_strdup_printf (_("0x%" PRIx64 " falls in a shared mapping of this process (%s): "
                                "even then, the same memory is at another address in the other "
                                "process"),
                              probe->address, probe->path != NULL ? probe->path : _("no name"));
    case SHMLAB_POINTER_FILE:
      return g_strdup_printf (_("0x%" PRIx64 " falls in this process's mapping of %s: following "
                                "it would read that file's bytes, not what the other process "
                                "meant"),
                              probe->address, probe->path);
    case SHMLAB_POINTER_ANONYMOUS:
      return g_strdup_printf (_("0x%" PRIx64 " falls in private memory of this process with no "
                                "name: following it would read this process's data"),
                              probe->address);
    case SHMLAB_POINTER_OTHER:
    default:
      return g_strdup_printf (_("0x%" PRIx64 " falls in %s, an area the kernel maps into every "
                                "process"),
                              probe->address, probe->path != NULL ? probe->path : "?");
    }
}
