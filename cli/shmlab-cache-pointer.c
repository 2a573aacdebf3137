/* shmlab-cache-pointer.c — `shmlab cache KEY pointer-store|pointer-read`
 *
 * The second source article's cache links its entries with pointers into
 * the producer's heap. pointer-store does that on purpose, once, in an
 * entry of its own: the address of a string in its heap, and where the
 * segment is in its address space. pointer-read, in another process, looks
 * the address up in its own /proc/self/maps — never following it — and
 * says what it would hit there, beside where the segment is in each.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-cache-pointer.h"
#include "shmlab-cli.h"

#include <glib/gi18n-lib.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "shmlab-pointer-probe.h"


/* What the other process meant: kept in this one's heap while it runs. */
static const char pointed_text[] = "Alice's profile: {\"name\": \"Alice\", \"city\": \"Beijing\"}";

int
shmlab_cli_cache_pointer_store (ShmlabCacheSegment *store,
                                double              hold_seconds)
{
  ShmlabCache *cache = shmlab_cache_segment_get_cache (store);
  g_autofree char *profile = g_strdup (pointed_text);
  g_autofree char *name = g_strdup_printf (SHMLAB_POINTER_ENTRY_PREFIX "%u", (guint) getpid ());
  guint64 address = (guint64) (guintptr) profile;
  guint64 segment = (guint64) (guintptr) shmlab_segment_get_data (shmlab_cache_segment_get_segment (store));
  g_autofree char *value = shmlab_pointer_entry_format (address, (guint32) getpid (), segment);
  g_autoptr(GError) error = NULL;
  ShmlabPointerProbe probe;
  g_autofree char *here = NULL;
  g_autofree char *end_reason = NULL;
  ShmlabCliHoldEnd end;
  int signal_number = 0;

  if (!shmlab_cache_set (cache, name, (const guint8 *) value, strlen (value), 0, &error))
    return shmlab_cli_fail (error);
  if (shmlab_pointer_probe (address, &probe, NULL) && probe.path != NULL)
    here = g_strdup_printf ("%s 0x%" PRIx64 "–0x%" PRIx64, probe.path, probe.start, probe.end);
  shmlab_pointer_probe_clear (&probe);
  g_print (_("stored “%s”: the address 0x%" PRIx64 " of “%s” in this process's heap — a "
             "pointer, as the article's cache links its entries\n"),
           name, address, profile);
  g_print (_("in this process (%u) the segment is at 0x%" PRIx64 ", and 0x%" PRIx64 " is in its "
             "own memory (%s), where the string is\n"),
           (guint) getpid (), segment, address, here != NULL ? here : "?");
  {
    ShmlabSegment *held = shmlab_cache_segment_get_segment (store);
    g_autofree char *command = shmlab_command_for_key ("cache",
                                                       shmlab_key_get_name (shmlab_segment_get_key_value (held)),
                                                       shmlab_segment_get_backend (held), NULL);

    g_print (_("now read it from another process: %s pointer-read\n"), command);
  }
  fflush (stdout);

  end = shmlab_cli_hold (hold_seconds, hold_seconds < 0 && shmlab_cli_can_watch_stdin (),
                         &signal_number);
  end_reason = shmlab_cli_describe_hold_end (end, signal_number);
  /* The pointer goes with the heap it pointed into. */
  shmlab_cache_delete (cache, name, NULL);
  g_printerr (_("removed “%s” (%s)\n"), name, end_reason);
  return SHMLAB_CLI_EXIT_OK;
}

/* The first "pointer:…" entry, when no name is given. */
static char *
first_pointer (ShmlabCache  *cache,
               GError      **error)
{
  g_autoptr(GPtrArray) entries = shmlab_cache_list (cache, error);

  if (entries == NULL)
    return NULL;
  for (guint i = 0; i < entries->len; i++)
    {
      ShmlabCacheEntry *entry = g_ptr_array_index (entries, i);

      if (g_str_has_prefix (entry->key, SHMLAB_POINTER_ENTRY_PREFIX))
        return g_strdup (entry->key);
    }
  g_set_error (error, SHMLAB_CACHE_ERROR, SHMLAB_CACHE_ERROR_NOT_FOUND,
               _("no entry of this cache holds a pointer: run `shmlab cache KEY pointer-store` in "
                 "another terminal first"));
  return NULL;
}

int
shmlab_cli_cache_pointer_read (ShmlabCacheSegment *store,
                               const char         *name)
{
  ShmlabCache *cache = shmlab_cache_segment_get_cache (store);
  g_autoptr(GError) error = NULL;
  g_autofree char *found_name = NULL;
  g_autoptr(ShmlabCacheEntry) entry = NULL;
  g_autofree char *explained = NULL;
  guint64 here_segment = (guint64) (guintptr) shmlab_segment_get_data (shmlab_cache_segment_get_segment (store));
  gsize length;
  const char *text;

  if (name == NULL)
    name = found_name = first_pointer (cache, &error);
  if (name == NULL || (entry = shmlab_cache_get (cache, name, &error)) == NULL)
    return shmlab_cli_fail (error);
  /* Another process wrote it: read as text, checked whole; looked up, never followed. */
  text = g_bytes_get_data (entry->value, &length);
  explained = shmlab_pointer_entry_explain (name, text, length, entry->offset, here_segment,
                                            &error);
  if (explained == NULL)
    return shmlab_cli_fail (error);
  g_print ("%s\n", explained);
  return SHMLAB_CLI_EXIT_OK;
}
