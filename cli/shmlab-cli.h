/* shmlab-cli.h — the commands of the shmlab tool and what they share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "shmlab-command.h"
#include "shmlab-native-key.h"
#include "shmlab-segment.h"

G_BEGIN_DECLS

#define SHMLAB_CLI_EXIT_OK 0
#define SHMLAB_CLI_EXIT_FAILURE 1
#define SHMLAB_CLI_EXIT_USAGE 2

/* Each command gets its own name as argv[0] and returns the exit status. */
int shmlab_cmd_write  (int argc, char **argv);
int shmlab_cmd_read   (int argc, char **argv);
int shmlab_cmd_info   (int argc, char **argv);
int shmlab_cmd_list   (int argc, char **argv);
int shmlab_cmd_remove (int argc, char **argv);
int shmlab_cmd_lock   (int argc, char **argv);
int shmlab_cmd_bench  (int argc, char **argv);
int shmlab_cmd_stream (int argc, char **argv);
int shmlab_cmd_follow (int argc, char **argv);
int shmlab_cmd_map    (int argc, char **argv);
int shmlab_cmd_cache  (int argc, char **argv);

void          shmlab_cli_interrupt_init (void);
GCancellable *shmlab_cli_interrupt      (void);

#define SHMLAB_CLI_BACKEND_OPTION(variable) \
  { "backend", 'b', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &(variable), \
    "Where the segment lives: sysv (System V, as Qt on Linux; the default), posix, or file (a file mapped with mmap, kept until removed)", "BACKEND" }

#define SHMLAB_CLI_KEY_KIND_OPTION(variable) \
  { "key-kind", 'k', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &(variable), \
    "How KEY names the segment: legacy (Qt's setKey(), hashed; the default) or native " \
    "(Qt 6.6's QNativeIpcKey: the name as given). A Qt string form such as " \
    "posix:/QSharedMemoryExample is read as such", "KIND" }

#define SHMLAB_CLI_QUIET_OPTION(variable) \
  { "quiet", 'q', G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &(variable), \
    "Do not print the steps", NULL }

#define SHMLAB_CLI_LOCK_TIMEOUT_OPTION(variable) \
  { "lock-timeout", 't', G_OPTION_FLAG_NONE, G_OPTION_ARG_INT, &(variable), \
    "Give up when the lock is not free within MS milliseconds " \
    "(default: wait as long as it takes, as Qt does)", "MS" }

#define SHMLAB_CLI_ARGUMENTS_OPTION(variable) \
  { G_OPTION_REMAINING, 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME_ARRAY, &(variable), \
    NULL, NULL }

GOptionContext *shmlab_cli_context_new    (const char          *command,
                                           const char          *parameters,
                                           const char          *summary,
                                           const char          *description,
                                           const GOptionEntry  *entries);
gboolean        shmlab_cli_parse          (GOptionContext      *context,
                                           const char          *command,
                                           int                 *argc,
                                           char              ***argv,
                                           int                 *status);
gboolean        shmlab_cli_parse_backend  (const char          *command,
                                           const char          *name,
                                           ShmlabBackend       *backend,
                                           int                 *status);
gboolean        shmlab_cli_parse_key      (const char          *command,
                                           const char          *key,
                                           const char          *backend_name,
                                           const char          *kind_name,
                                           ShmlabBackend       *backend,
                                           ShmlabKeyKind       *kind,
                                           int                 *status);
gboolean        shmlab_cli_parse_lock_timeout (const char      *command,
                                           int                  timeout_ms,
                                           int                 *status);
gboolean        shmlab_cli_get_key        (const char          *command,
                                           char               **arguments,
                                           guint                max_arguments,
                                           const char         **key,
                                           int                 *status);

int             shmlab_cli_fail           (const GError        *error);
int             shmlab_cli_fail_not_found (const char          *command,
                                           const char          *key,
                                           ShmlabBackend        backend,
                                           const GError        *error);
int             shmlab_cli_fail_printf    (const char          *format,
                                           ...) G_GNUC_PRINTF (1, 2);
int             shmlab_cli_usage_error    (const char          *command,
                                           const char          *format,
                                           ...) G_GNUC_PRINTF (2, 3);
void            shmlab_cli_warn           (const char          *format,
                                           ...) G_GNUC_PRINTF (1, 2);
gsize           shmlab_cli_display_width  (const char          *text);

/**
 * ShmlabCliStep:
 *
 * One step of a command (setKey, create, lock…), timed from
 * shmlab_cli_step_begin() to shmlab_cli_step_end(), which prints it on
 * stderr as "  name  detail  ok  0.02 ms".
 */
typedef struct
{
  const char *name;
  gint64 started;
} ShmlabCliStep;

void            shmlab_cli_set_quiet      (gboolean             quiet);
void            shmlab_cli_step_begin     (ShmlabCliStep       *step,
                                           const char          *name);
void            shmlab_cli_step_end       (ShmlabCliStep       *step,
                                           gboolean             ok,
                                           const char          *format,
                                           ...) G_GNUC_PRINTF (3, 4);

void            shmlab_cli_print_lock_note (ShmlabSegment      *segment);
char           *shmlab_cli_describe_detach (ShmlabSegment      *segment);

/**
 * ShmlabCliHoldEnd:
 * @SHMLAB_CLI_HOLD_TIMEOUT: the time ran out
 * @SHMLAB_CLI_HOLD_SIGNAL: SIGINT, SIGTERM or SIGHUP arrived
 * @SHMLAB_CLI_HOLD_STDIN_CLOSED: standard input reached its end
 *
 * Why shmlab_cli_hold() returned.
 */
typedef enum
{
  SHMLAB_CLI_HOLD_TIMEOUT,
  SHMLAB_CLI_HOLD_SIGNAL,
  SHMLAB_CLI_HOLD_STDIN_CLOSED,
} ShmlabCliHoldEnd;

gboolean         shmlab_cli_parse_hold    (const char          *command,
                                           const char          *text,
                                           double              *seconds,
                                           int                 *status);
gboolean         shmlab_cli_can_watch_stdin (void);
ShmlabCliHoldEnd shmlab_cli_hold          (double               seconds,
                                           gboolean             watch_stdin,
                                           int                 *signal_number);
char            *shmlab_cli_describe_hold_end (ShmlabCliHoldEnd end,
                                           int                  signal_number);

G_END_DECLS
