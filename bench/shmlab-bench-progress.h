/* shmlab-bench-progress.h — how a measurement says how far it has come
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * ShmlabBenchProgress:
 * @func: called with each piece of progress, as text for a person (pieces
 *   of one line, then its end)
 * @user_data: passed to @func
 *
 * Where a run says how far it has come; %NULL says nothing.
 */
typedef struct
{
  void (*func) (const char *text,
                gpointer    user_data);
  gpointer user_data;
} ShmlabBenchProgress;

void shmlab_bench_say (const ShmlabBenchProgress  *progress,
                       const char                *format,
                       ...) G_GNUC_PRINTF (2, 3);

G_END_DECLS
