/* shmlab-proc-maps.h — a line of /proc/PID/maps, read without trusting it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SHMLAB_PROC_MAPS_ERROR (shmlab_proc_maps_error_quark ())
GQuark shmlab_proc_maps_error_quark (void);

/**
 * ShmlabProcMapsError:
 * @SHMLAB_PROC_MAPS_ERROR_FIELD: a field is missing, malformed or out of
 *   range; the error's message names it
 */
typedef enum
{
  SHMLAB_PROC_MAPS_ERROR_FIELD,
} ShmlabProcMapsError;

/**
 * ShmlabProcMapsEntry:
 * @start: the first address of the mapping
 * @end: the address after its last byte (> @start)
 * @readable, @writable, @executable: its permissions
 * @shared: `s` (a change is seen by the others mapping it) rather than `p`
 * @offset: where in the object the mapping begins
 * @dev_major, @dev_minor: the device of the object mapped
 * @inode: its inode (a System V segment: its id)
 * @path: (nullable): the object's name, " (deleted)" cut off, owned
 * @deleted: the name ended in " (deleted)"
 */
typedef struct
{
  guint64 start;
  guint64 end;
  gboolean readable;
  gboolean writable;
  gboolean executable;
  gboolean shared;
  guint64 offset;
  guint32 dev_major;
  guint32 dev_minor;
  guint64 inode;
  char *path;
  gboolean deleted;
} ShmlabProcMapsEntry;

gboolean shmlab_proc_maps_parse_line (const char           *line,
                                      gsize                 length,
                                      ShmlabProcMapsEntry  *entry,
                                      GError              **error);
void     shmlab_proc_maps_entry_clear (ShmlabProcMapsEntry *entry);

gint     shmlab_proc_maps_count_file  (guint32               dev_major,
                                       guint32               dev_minor,
                                       guint64               inode,
                                       const char           *path_prefix);

G_END_DECLS
