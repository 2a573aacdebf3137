/* shmlab-pointer-probe.h — what an address another process wrote means in
 * this one, found in /proc/self/maps and never by following it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * ShmlabPointerPlace:
 * @SHMLAB_POINTER_UNMAPPED: nothing is mapped there: following it would
 *   crash (SIGSEGV)
 * @SHMLAB_POINTER_HEAP: this process's heap
 * @SHMLAB_POINTER_STACK: a stack of this process
 * @SHMLAB_POINTER_FILE: a mapping of a file (a library, the program…)
 * @SHMLAB_POINTER_SHARED: a shared mapping (a segment, maybe the very one)
 * @SHMLAB_POINTER_ANONYMOUS: private memory with no name (malloc's large
 *   blocks, thread stacks)
 * @SHMLAB_POINTER_OTHER: a kernel area ([vdso], [vvar]…)
 */
typedef enum
{
  SHMLAB_POINTER_UNMAPPED,
  SHMLAB_POINTER_HEAP,
  SHMLAB_POINTER_STACK,
  SHMLAB_POINTER_FILE,
  SHMLAB_POINTER_SHARED,
  SHMLAB_POINTER_ANONYMOUS,
  SHMLAB_POINTER_OTHER,
} ShmlabPointerPlace;

/**
 * ShmlabPointerProbe:
 * @address: the address looked up
 * @place: what kind of memory it falls in, here
 * @start, @end: the mapping it falls in (0, 0 when unmapped)
 * @readable, @writable: the mapping's permissions
 * @path: (nullable): the mapping's name ("[heap]", a file's path)
 */
typedef struct
{
  guint64 address;
  ShmlabPointerPlace place;
  guint64 start;
  guint64 end;
  gboolean readable;
  gboolean writable;
  char *path;
} ShmlabPointerProbe;

gboolean shmlab_pointer_probe      (guint64              address,
                                    ShmlabPointerProbe  *probe,
                                    GError             **error);
gboolean shmlab_pointer_probe_in   (const char          *maps,
                                    gsize                length,
                                    guint64              address,
                                    ShmlabPointerProbe  *probe);
void     shmlab_pointer_probe_clear (ShmlabPointerProbe *probe);
char    *shmlab_pointer_probe_describe (const ShmlabPointerProbe *probe);

/* The prefix of the entries `shmlab cache KEY pointer-store` makes. */
#define SHMLAB_POINTER_ENTRY_PREFIX "pointer:"

char    *shmlab_pointer_entry_format  (guint64              address,
                                       guint32              pid,
                                       guint64              segment);
gboolean shmlab_pointer_entry_parse   (const char          *text,
                                       gsize                length,
                                       guint64             *address,
                                       guint32             *pid,
                                       guint64             *segment);
char    *shmlab_pointer_entry_explain (const char          *name,
                                       const char          *text,
                                       gsize                length,
                                       guint64              offset,
                                       guint64              here_segment,
                                       GError             **error);

G_END_DECLS
