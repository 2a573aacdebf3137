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
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "shmlab-proc-maps.h"

#include <gio/gio.h>

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

/* What a pointer entry holds: the address, the pid whose heap it is in, and
 * where the segment was in that process. */
char *
shmlab_pointer_entry_format (guint64 address,
                             guint32 pid,
                             guint64 segment)
{
  return g_strdup_printf ("0x%" PRIx64 " pid %u segment 0x%" PRIx64, address, pid, segment);
}

/* Reads it back, from another process (hostile: the whole text must match). */
gboolean
shmlab_pointer_entry_parse (const char *text,
                            gsize       length,
                            guint64    *address,
                            guint32    *pid,
                            guint64    *segment)
{
  g_autofree char *copy = g_strndup (text, length);
  int consumed = 0;

  return strlen (copy) == length &&
         sscanf (copy, "0x%" SCNx64 " pid %" SCNu32 " segment 0x%" SCNx64 "%n", address, pid,
                 segment, &consumed) == 3 &&
         consumed > 0 && copy[consumed] == '\0';
}

/**
 * shmlab_pointer_entry_explain:
 * @name: the entry's key
 * @text: its value, @length bytes
 * @offset: where the entry is in the segment
 * @here_segment: where the segment is mapped in this process
 *
 * What the pointer another process stored means here, in three sentences:
 * what it was there, what it falls in here (looked up, never followed), and
 * where the segment is in each.
 */
char *
shmlab_pointer_entry_explain (const char  *name,
                              const char  *text,
                              gsize        length,
                              guint64      offset,
                              guint64      here_segment,
                              GError     **error)
{
  ShmlabPointerProbe probe;
  g_autofree char *meaning = NULL;
  guint64 address, their_segment;
  guint32 pid;

  if (!shmlab_pointer_entry_parse (text, length, &address, &pid, &their_segment))
    {
      g_autofree char *shown = g_utf8_make_valid (text, MIN (length, 80));

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("“%s” holds no pointer as pointer-store writes it (0x… pid … segment "
                     "0x…): “%s”"),
                   name, shown);
      return NULL;
    }
  if (!shmlab_pointer_probe (address, &probe, error))
    return NULL;
  meaning = shmlab_pointer_probe_describe (&probe);
  shmlab_pointer_probe_clear (&probe);
  return g_strdup_printf (_("process %u stored 0x%" PRIx64 " in “%s”: in its own address space, "
                            "the address of a string in its heap.\n"
                            "Here, in process %u: %s.\n"
                            "The segment is at 0x%" PRIx64 " in process %u and at 0x%" PRIx64
                            " here: one memory at two addresses. An entry's offset from the "
                            "segment's start means the same in both — this one is at offset %"
                            PRIu64 " — so a table in shared memory links its entries by offsets, "
                            "never by pointers."),
                          pid, address, name, (guint) getpid (), meaning, their_segment, pid,
                          here_segment, offset);
}
