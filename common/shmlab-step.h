/* shmlab-step.h — one line of the step log: an operation, its result and
 * how long it took
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * ShmlabStep:
 * @name: the operation as QSharedMemory names it: "setKey", "create",
 *   "attach", "lock", "copy", "unlock", "detach", "decode", "remove"
 * @detail: what it did or tried, for a person ("100 bytes", "read-only",
 *   "22 bytes in (plain text)")
 * @ok: whether it succeeded
 * @error: (nullable): why it failed
 * @duration_us: how long it took
 * @time_us: when it ended, µs since the Unix epoch
 *
 * One line of the step log.
 */
typedef struct
{
  char *name;
  char *detail;
  gboolean ok;
  GError *error;
  gint64 duration_us;
  gint64 time_us;
} ShmlabStep;

#define SHMLAB_TYPE_STEP (shmlab_step_get_type ())
GType       shmlab_step_get_type (void) G_GNUC_CONST;
ShmlabStep *shmlab_step_copy     (const ShmlabStep *step);
void        shmlab_step_free     (ShmlabStep       *step);
char       *shmlab_step_to_string (const ShmlabStep *step);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShmlabStep, shmlab_step_free)

G_END_DECLS
