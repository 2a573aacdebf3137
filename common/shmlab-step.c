/* shmlab-step.c — one line of the step log
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-step.h"

#include <glib/gi18n-lib.h>

G_DEFINE_BOXED_TYPE (ShmlabStep, shmlab_step, shmlab_step_copy, shmlab_step_free)

ShmlabStep *
shmlab_step_copy (const ShmlabStep *step)
{
  ShmlabStep *copy = g_new0 (ShmlabStep, 1);

  copy->name = g_strdup (step->name);
  copy->detail = g_strdup (step->detail);
  copy->ok = step->ok;
  copy->error = step->error ? g_error_copy (step->error) : NULL;
  copy->duration_us = step->duration_us;
  copy->time_us = step->time_us;
  return copy;
}

void
shmlab_step_free (ShmlabStep *step)
{
  if (step == NULL)
    return;
  g_free (step->name);
  g_free (step->detail);
  g_clear_error (&step->error);
  g_free (step);
}

/* "lock  ok  0.01 ms", or with the error on failure: one line of a log. */
char *
shmlab_step_to_string (const ShmlabStep *step)
{
  GString *line = g_string_new (step->name);

  if (step->detail && *step->detail)
    g_string_append_printf (line, "  %s", step->detail);
  g_string_append_printf (line, _("  %s  %.2f ms"), step->ok ? "ok" : "failed",
                          step->duration_us / 1000.0);
  if (step->error)
    g_string_append_printf (line, ": %s", step->error->message);
  return g_string_free (line, FALSE);
}
