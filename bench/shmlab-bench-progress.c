/* shmlab-bench-progress.c — how a measurement says how far it has come
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-bench-progress.h"

/* Says @format's text through @progress, when there is one to hear it. */
void
shmlab_bench_say (const ShmlabBenchProgress *progress,
                  const char                *format,
                  ...)
{
  va_list ap;
  g_autofree char *text = NULL;

  if (progress == NULL || progress->func == NULL)
    return;
  va_start (ap, format);
  text = g_strdup_vprintf (format, ap);
  va_end (ap);
  progress->func (text, progress->user_data);
}
