/* fuzz-maps.c — /proc/PID/maps as another process or a crafted file could
 * make it: every line read, no crash, no read past the end, no leak; what is
 * accepted is an address range that is not empty, and a path with no NUL
 * and no newline.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "shmlab-proc-maps.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  /* A copy of exactly @size bytes, so that a read past the end is seen
   * (none for no bytes: g_memdup2() gives NULL, and NULL + 0 is undefined). */
  g_autofree char *bytes = size > 0 ? g_memdup2 (data, size) : NULL;
  const char *line = bytes, *end;

  if (size == 0)
    return 0;

  while (line < bytes + size)
    {
      ShmlabProcMapsEntry entry;
      g_autoptr(GError) error = NULL;

      end = memchr (line, '\n', (size_t) (bytes + size - line));
      if (end == NULL)
        end = bytes + size;
      if (shmlab_proc_maps_parse_line (line, (gsize) (end - line), &entry, &error))
        {
          g_assert_true (error == NULL);
          g_assert_true (entry.end > entry.start);
          if (entry.path != NULL)
            {
              g_assert_true (strlen (entry.path) > 0);
              g_assert_true (strchr (entry.path, '\n') == NULL);
            }
          shmlab_proc_maps_entry_clear (&entry);
        }
      else
        g_assert_true (error != NULL && g_utf8_validate (error->message, -1, NULL));
      line = end + 1;
    }
  return 0;
}
