/* shmlab-bench-process.h — the processes a measurement forks: started so
 * that they die with the bench, watched without waking them, stopped all
 * at once when one fails, on Ctrl+C or past a deadline, and reaped
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include <sys/types.h>

G_BEGIN_DECLS

/* The most processes one measurement watches at once. */
#define SHMLAB_BENCH_MAX_PROCESSES 8

/**
 * ShmlabBenchProcess:
 * @role: what it is, for a message ("writer", "reader")
 * @pid: -1 until started
 * @pidfd: a pidfd to poll for its end, -1 where the system has none
 * @running: started and not reaped yet
 * @stopped: killed by the bench because another one failed or time ran out
 * @status: its wait status, once reaped
 */
typedef struct
{
  const char *role;
  pid_t pid;
  int pidfd;
  gboolean running;
  gboolean stopped;
  int status;
} ShmlabBenchProcess;

typedef enum
{
  SHMLAB_BENCH_SUPERVISE_DONE,
  SHMLAB_BENCH_SUPERVISE_CANCELLED,
  SHMLAB_BENCH_SUPERVISE_TIMED_OUT,
} ShmlabBenchSuperviseOutcome;

/* What a forked process runs; its return value is its exit status. */
typedef int (*ShmlabBenchProcessMain) (gpointer data);

void     shmlab_bench_process_init             (ShmlabBenchProcess      *process,
                                                const char              *role);
gboolean shmlab_bench_process_spawn            (ShmlabBenchProcess      *process,
                                                ShmlabBenchProcessMain   main_func,
                                                gpointer                 data,
                                                GError                 **error);
void     shmlab_bench_process_reap             (ShmlabBenchProcess      *process,
                                                gboolean                 block);
void     shmlab_bench_process_kill_and_reap    (ShmlabBenchProcess      *process);
gboolean shmlab_bench_process_failed           (const ShmlabBenchProcess *process);
char    *shmlab_bench_process_describe_failure (const ShmlabBenchProcess *process,
                                                const char              *reported);

ShmlabBenchSuperviseOutcome
         shmlab_bench_supervise                (ShmlabBenchProcess      *processes,
                                                guint                    n_processes,
                                                gint64                   deadline,
                                                GCancellable            *cancellable);

G_END_DECLS
