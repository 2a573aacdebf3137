/* shmlab-proc-maps.c — a line of /proc/PID/maps, read without trusting it
 *
 * The kernel writes "START-END PERMS OFFSET MAJOR:MINOR INODE   PATH": hex
 * addresses, four permission letters, a hex offset, a hex device, a decimal
 * inode, then the path after padding (none for anonymous memory). What is
 * read here may come from a fuzzer or a file made to look like one, so every
 * field is checked, every number is bounded, and nothing is assumed about
 * the line's length or its end.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-proc-maps.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/* The kernel's path limit, and " (deleted)" after it. */
#define MAX_PATH 4096
#define DELETED " (deleted)"

G_DEFINE_QUARK (shmlab-proc-maps-error-quark, shmlab_proc_maps_error)

typedef struct
{
  const char *p;
  const char *end;
} Cursor;

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* A number in @base (16 or 10) of at least one digit, no sign, no
 * overflow past @max. */
static gboolean
read_number (Cursor  *cursor,
             guint    base,
             guint64  max,
             guint64 *out)
{
  guint64 value = 0;
  const char *first = cursor->p;

  while (cursor->p < cursor->end)
    {
      int digit = base == 16 ? hex_value (*cursor->p)
                             : (*cursor->p >= '0' && *cursor->p <= '9' ? *cursor->p - '0' : -1);

      if (digit < 0)
        break;
      if (value > (max - (guint64) digit) / base)
        return FALSE;
      value = value * base + (guint64) digit;
      cursor->p++;
    }
  *out = value;
  return cursor->p > first;
}

static gboolean
expect (Cursor *cursor,
        char    c)
{
  if (cursor->p >= cursor->end || *cursor->p != c)
    return FALSE;
  cursor->p++;
  return TRUE;
}

static gboolean
field_error (GError    **error,
             const char *field)
{
  g_set_error (error, SHMLAB_PROC_MAPS_ERROR, SHMLAB_PROC_MAPS_ERROR_FIELD,
               /* TRANSLATORS: %s is a field of /proc/PID/maps: "address range",
                * "permissions", "offset", "device", "inode" or "path" */
               _("a line of /proc/PID/maps has no valid %s"), field);
  return FALSE;
}

/**
 * shmlab_proc_maps_parse_line:
 * @line: one line, without its newline; need not end in NUL
 * @length: its length in bytes
 * @entry: (out caller-allocates): what it says; clear with
 *   shmlab_proc_maps_entry_clear() after a success
 *
 * Reads one line of /proc/PID/maps. A line that does not say exactly what
 * the kernel writes is refused, naming the first field that is wrong.
 */
gboolean
shmlab_proc_maps_parse_line (const char           *line,
                             gsize                 length,
                             ShmlabProcMapsEntry  *entry,
                             GError              **error)
{
  Cursor cursor = { line, line + length };
  guint64 major, minor;
  const char *perms;
  gsize path_length;

  memset (entry, 0, sizeof *entry);
  if (line == NULL)
    return field_error (error, _("address range"));

  if (!read_number (&cursor, 16, G_MAXUINT64, &entry->start) || !expect (&cursor, '-') ||
      !read_number (&cursor, 16, G_MAXUINT64, &entry->end) || entry->end <= entry->start ||
      !expect (&cursor, ' '))
    return field_error (error, _("address range"));

  perms = cursor.p;
  if (cursor.end - cursor.p < 5 ||
      (perms[0] != 'r' && perms[0] != '-') || (perms[1] != 'w' && perms[1] != '-') ||
      (perms[2] != 'x' && perms[2] != '-') || (perms[3] != 's' && perms[3] != 'p') ||
      perms[4] != ' ')
    return field_error (error, _("permissions"));
  entry->readable = perms[0] == 'r';
  entry->writable = perms[1] == 'w';
  entry->executable = perms[2] == 'x';
  entry->shared = perms[3] == 's';
  cursor.p += 5;

  if (!read_number (&cursor, 16, G_MAXUINT64, &entry->offset) || !expect (&cursor, ' '))
    return field_error (error, _("offset"));

  if (!read_number (&cursor, 16, G_MAXUINT32, &major) || !expect (&cursor, ':') ||
      !read_number (&cursor, 16, G_MAXUINT32, &minor) || !expect (&cursor, ' '))
    return field_error (error, _("device"));
  entry->dev_major = (guint32) major;
  entry->dev_minor = (guint32) minor;

  if (!read_number (&cursor, 10, G_MAXUINT64, &entry->inode))
    return field_error (error, _("inode"));

  /* The path, after the padding; none for anonymous memory. */
  if (cursor.p < cursor.end && *cursor.p != ' ')
    return field_error (error, _("inode"));
  while (cursor.p < cursor.end && *cursor.p == ' ')
    cursor.p++;
  path_length = (gsize) (cursor.end - cursor.p);
  if (path_length == 0)
    return TRUE;
  if (path_length > MAX_PATH + strlen (DELETED) || memchr (cursor.p, '\0', path_length) != NULL ||
      memchr (cursor.p, '\n', path_length) != NULL)
    return field_error (error, _("path"));
  if (path_length > strlen (DELETED) &&
      memcmp (cursor.end - strlen (DELETED), DELETED, strlen (DELETED)) == 0)
    {
      entry->deleted = TRUE;
      path_length -= strlen (DELETED);
    }
  entry->path = g_strndup (cursor.p, path_length);
  return TRUE;
}

void
shmlab_proc_maps_entry_clear (ShmlabProcMapsEntry *entry)
{
  g_clear_pointer (&entry->path, g_free);
}

/**
 * shmlab_proc_maps_count_file:
 * @dev_major, @dev_minor, @inode: the file
 * @path_prefix: how its path begins ("/dev/shm/", or the path itself)
 *
 * Shared mappings of one file in every /proc/PID/maps this user may read:
 * the twin of System V's shm_nattch for a file. Processes of other users
 * are not seen, so the count is exact only for root.
 */
gint
shmlab_proc_maps_count_file (guint32     dev_major,
                             guint32     dev_minor,
                             guint64     inode,
                             const char *path_prefix)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;
  gint count = 0;

  while (proc != NULL && (name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *maps_path = NULL;
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (!g_ascii_isdigit (name[0]))
        continue;
      maps_path = g_build_filename ("/proc", name, "maps", NULL);
      if (!g_file_get_contents (maps_path, &contents, &length, NULL))
        continue;
      for (const char *line = contents, *end; line < contents + length; line = end + 1)
        {
          ShmlabProcMapsEntry entry;

          end = memchr (line, '\n', (gsize) (contents + length - line));
          if (end == NULL)
            end = contents + length;
          if (!shmlab_proc_maps_parse_line (line, (gsize) (end - line), &entry, NULL))
            continue;
          if (entry.shared && entry.inode == inode && entry.dev_major == dev_major &&
              entry.dev_minor == dev_minor && entry.path != NULL &&
              g_str_has_prefix (entry.path, path_prefix))
            count++;
          shmlab_proc_maps_entry_clear (&entry);
        }
    }
  return count;
}
