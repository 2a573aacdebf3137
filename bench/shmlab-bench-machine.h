/* shmlab-bench-machine.h — the machine a bench ran on, as the report states it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  char *cpu_model;
  guint cores;
  char *kernel;
  guint64 memory_bytes;
  char *hypervisor;
  double load_average;  /* over the last minute when the run began; negative when unknown */
} ShmlabBenchMachine;

void     shmlab_bench_machine_read  (ShmlabBenchMachine *machine);
void     shmlab_bench_machine_clear (ShmlabBenchMachine *machine);
char    *shmlab_bench_machine_describe (const ShmlabBenchMachine *machine);

G_END_DECLS
