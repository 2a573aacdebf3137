/* shmlab-cli.c — what the commands of the shmlab tool share: option parsing,
 * messages, timed steps and holding a segment or lock until told to let go
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-cli.h"
#include "shmlab-command.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib-unix.h>
#include <pthread.h>

#include "shmlab-error.h"

static GCancellable *interrupt_cancellable;
static int interrupt_signal;

/* The longest hold a GLib timeout can measure, in whole seconds. */
#define HOLD_MAX_SECONDS (G_MAXUINT / 1000)

static gboolean quiet;

/* Messages end in one line, whatever the library put in them. */
static char *
one_line (const char *message)
{
  char *line = g_utf8_make_valid (message, -1);

  g_strstrip (line);
  for (char *p = line; *p; p++)
    if (*p == '\n' || *p == '\r')
      *p = ' ';
  return line;
}

/**
 * shmlab_cli_context_new:
 * @command: the command's name, such as "write"
 * @parameters: what follows the options in the usage line, such as "KEY"
 * @summary: one sentence on what the command does
 * @description: (nullable): what `--help` shows after the options
 * @entries: the command's options
 *
 * An option context whose `--help` reads "shmlab COMMAND [OPTION…] PARAMETERS".
 */
GOptionContext *
shmlab_cli_context_new (const char         *command,
                        const char         *parameters,
                        const char         *summary,
                        const char         *description,
                        const GOptionEntry *entries)
{
  g_autofree char *program = g_strdup_printf (_("shmlab %s"), command);
  GOptionContext *context = g_option_context_new (parameters);

  /* GOption builds the usage line from the program name. */
  g_set_prgname (program);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _(summary));
  if (description != NULL)
    g_option_context_set_description (context, _(description));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  return context;
}

/* Parses the options; on a mistake prints it and sets @status to 2. */
gboolean
shmlab_cli_parse (GOptionContext   *context,
                  const char       *command,
                  int              *argc,
                  char           ***argv,
                  int              *status)
{
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *status = shmlab_cli_usage_error (command, "%s", error->message);
      return FALSE;
    }
  return TRUE;
}

/* --backend NAME, sysv when not given. */
gboolean
shmlab_cli_parse_backend (const char    *command,
                          const char    *name,
                          ShmlabBackend *backend,
                          int           *status)
{
  g_autoptr(GError) error = NULL;

  if (name == NULL)
    {
      *backend = SHMLAB_BACKEND_DEFAULT;
      return TRUE;
    }
  if (!shmlab_backend_from_string (name, backend, &error))
    {
      *status = shmlab_cli_usage_error (command, "%s", error->message);
      return FALSE;
    }
  return TRUE;
}

/**
 * shmlab_cli_parse_key:
 * @key: the KEY argument
 * @backend_name: (nullable): --backend's value
 * @kind_name: (nullable): --key-kind's value
 *
 * The backend and the kind of key a keyed command works with, and the key
 * checked: one that cannot be used is a failure (1). A Qt string form names
 * its own backend; a --backend that says another is a usage error (2).
 */
gboolean
shmlab_cli_parse_key (const char    *command,
                      const char    *key,
                      const char    *backend_name,
                      const char    *kind_name,
                      ShmlabBackend *backend,
                      ShmlabKeyKind *kind,
                      int           *status)
{
  g_autoptr(ShmlabKey) value = NULL;
  g_autoptr(GError) error = NULL;

  if (!shmlab_cli_parse_backend (command, backend_name, backend, status))
    return FALSE;
  *kind = SHMLAB_KEY_KIND_DEFAULT;
  if (kind_name != NULL && !shmlab_key_kind_from_string (kind_name, kind))
    {
      *status = shmlab_cli_usage_error (command, _("--key-kind takes legacy or native, not “%s”"),
                                        kind_name);
      return FALSE;
    }
  /* A key that is not valid is a failure (1), said before any step. */
  value = shmlab_key_new_full (key, *backend, *kind, &error);
  if (value == NULL)
    {
      *status = shmlab_cli_fail (error);
      return FALSE;
    }
  if (shmlab_key_get_backend (value) != *backend)
    {
      if (backend_name != NULL)
        {
          *status = shmlab_cli_usage_error (command,
                                            _("the key “%s” names a %s segment, and --backend "
                                              "says %s: leave --backend out"),
                                            key, shmlab_backend_to_string (shmlab_key_get_backend (value)),
                                            backend_name);
          return FALSE;
        }
      *backend = shmlab_key_get_backend (value);
    }
  return TRUE;
}

gboolean
shmlab_cli_parse_lock_timeout (const char *command,
                               int         timeout_ms,
                               int        *status)
{
  if (timeout_ms < -1)
    {
      *status = shmlab_cli_usage_error (command,
                                        _("--lock-timeout takes a number of milliseconds (0 or "
                                        "more, or -1 to wait as long as it takes), not %d"),
                                        timeout_ms);
      return FALSE;
    }
  return TRUE;
}

/**
 * shmlab_cli_get_key:
 * @command: the command's name, for the usage hint
 * @arguments: (nullable): what is left after the options
 * @max_arguments: how many of them the command takes, the key included
 * @key: (out) (transfer none): the key, checked by shmlab_cli_parse_key()
 * @status: (out): the exit status when this fails
 *
 * The first argument is the key. A missing key or too many arguments is a
 * usage error (2).
 */
gboolean
shmlab_cli_get_key (const char  *command,
                    char       **arguments,
                    guint        max_arguments,
                    const char **key,
                    int         *status)
{
  guint n_arguments = arguments ? g_strv_length (arguments) : 0;

  if (n_arguments == 0)
    {
      *status = shmlab_cli_usage_error (command, _("missing KEY: give the key both programs use, "
                                                 "such as “demo”"));
      return FALSE;
    }
  if (n_arguments > max_arguments)
    {
      g_autofree char *extra = g_utf8_make_valid (arguments[max_arguments], -1);
      *status = shmlab_cli_usage_error (command, _("unexpected argument “%s” after the key"), extra);
      return FALSE;
    }
  *key = arguments[0];
  return TRUE;
}

/* Prints "shmlab: MESSAGE" and returns the failure status, 1. */
int
shmlab_cli_fail (const GError *error)
{
  g_autofree char *line = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      int signum = g_atomic_int_get (&interrupt_signal);
      g_printerr (_("shmlab: interrupted by %s while waiting; let go of everything it held\n"),
                  signum == SIGINT ? _("Ctrl+C (SIGINT)") : signum == SIGTERM ? "SIGTERM" : "SIGHUP");
      return SHMLAB_CLI_EXIT_FAILURE;
    }
  line = one_line (error->message);

  g_printerr (_("shmlab: %s\n"), line);
  return SHMLAB_CLI_EXIT_FAILURE;
}

int
shmlab_cli_fail_printf (const char *format,
                        ...)
{
  va_list ap;
  g_autofree char *message = NULL;
  g_autofree char *line = NULL;

  va_start (ap, format);
  message = g_strdup_vprintf (format, ap);
  va_end (ap);
  line = one_line (message);
  g_printerr (_("shmlab: %s\n"), line);
  return SHMLAB_CLI_EXIT_FAILURE;
}

/* Prints the mistake and where to read how the command is used; returns 2. */
int
shmlab_cli_usage_error (const char *command,
                        const char *format,
                        ...)
{
  va_list ap;
  g_autofree char *message = NULL;
  g_autofree char *line = NULL;

  va_start (ap, format);
  message = g_strdup_vprintf (format, ap);
  va_end (ap);
  line = one_line (message);
  g_printerr (_("shmlab: %s\n"), line);
  {
    const char *const with_command[] = { "shmlab", command, "--help", NULL };
    const char *const alone[] = { "shmlab", "--help", NULL };
    g_autofree char *help = shmlab_shell_join (command != NULL ? with_command : alone);

    /* TRANSLATORS: %s is a command to paste: keep it last, with no quotes around it */
    g_printerr (_("Try: %s\n"), help);
  }
  return SHMLAB_CLI_EXIT_USAGE;
}

void
shmlab_cli_warn (const char *format,
                 ...)
{
  va_list ap;
  g_autofree char *message = NULL;
  g_autofree char *line = NULL;

  va_start (ap, format);
  message = g_strdup_vprintf (format, ap);
  va_end (ap);
  line = one_line (message);
  g_printerr (_("shmlab: warning: %s\n"), line);
}

/* A key that names no segment of @backend but one of another: the command
 * that reaches it, else @error as it is. */
int
shmlab_cli_fail_not_found (const char    *command,
                           const char    *key,
                           ShmlabBackend  backend,
                           const GError  *error)
{
  ShmlabBackend other;

  if (g_error_matches (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_NOT_FOUND) &&
      shmlab_segment_find_other_backend (key, backend, &other))
    {
      /* --backend even for the default: it is what was wrong. */
      const char *argv[] = { "shmlab", command, "--backend", shmlab_backend_to_string (other),
                             key[0] == '-' ? "--" : key, key[0] == '-' ? key : NULL, NULL };
      g_autofree char *hint = shmlab_shell_join (argv);

      return shmlab_cli_fail_printf (_("no %s segment has the key “%s”, but a %s one does: %s"),
                                     shmlab_backend_describe (backend), key,
                                     shmlab_backend_describe (other), hint);
    }
  return shmlab_cli_fail (error);
}

/* Columns @text takes on a terminal: a translation may hold wide characters. */
gsize
shmlab_cli_display_width (const char *text)
{
  gsize width = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    width += g_unichar_iswide (g_utf8_get_char (p)) ? 2 : 1;
  return width;
}

void
shmlab_cli_set_quiet (gboolean value)
{
  quiet = value;
}

void
shmlab_cli_step_begin (ShmlabCliStep *step,
                       const char    *name)
{
  step->name = name;
  step->started = g_get_monotonic_time ();
}

void
shmlab_cli_step_end (ShmlabCliStep *step,
                     gboolean       ok,
                     const char    *format,
                     ...)
{
  double ms = (double) (g_get_monotonic_time () - step->started) / 1000.0;
  g_autofree char *detail = NULL;
  va_list ap;

  if (quiet)
    return;

  if (format != NULL)
    {
      va_start (ap, format);
      detail = g_strdup_vprintf (format, ap);
      va_end (ap);
    }

  if (detail != NULL && *detail != '\0')
    g_printerr (_("  %-8s %s  %s  %.2f ms\n"), step->name, detail, ok ? _("ok") : _("failed"), ms);
  else
    g_printerr (_("  %-8s %s  %.2f ms\n"), step->name, ok ? _("ok") : _("failed"), ms);
}

/* A lock taken over from a holder that died is news, even with --quiet. */
void
shmlab_cli_print_lock_note (ShmlabSegment *segment)
{
  g_autofree char *note = shmlab_segment_take_lock_note (segment);

  if (note != NULL)
    g_printerr (_("  note     %s\n"), note);
}

/* What became of the segment after a detach, for the step line. */
char *
shmlab_cli_describe_detach (ShmlabSegment *segment)
{
  ShmlabSegmentInfo info;

  if (shmlab_segment_get_removed_on_detach (segment))
    return g_strdup (_("segment removed: last process"));
  if (!shmlab_segment_query_for_key (shmlab_segment_get_key_value (segment), &info, NULL))
    return g_strdup (_("segment kept"));
  if (!info.exists)
    return g_strdup (_("segment already removed by another process"));
  if (info.attach_count == 0 && info.persistent)
    {
      g_autofree char *remove = shmlab_command_for_key ("remove", shmlab_segment_get_key (segment),
                                                        shmlab_segment_get_backend (segment), NULL);

      return g_strdup_printf (_("file kept, though no process maps it any more: a file stays "
                                "until it is removed (%s)"),
                              remove);
    }
  if (info.attach_count == 0)
    return g_strdup (_("segment kept, though no process is attached any more: only the "
                       "process that made it removes it"));
  if (info.attach_count_exact)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "segment kept: %d other process is attached",
                                         "segment kept: %d other processes are attached",
                                         info.attach_count),
                            info.attach_count);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "segment kept: at least %d other process is attached",
                                       "segment kept: at least %d other processes are attached",
                                       info.attach_count),
                          info.attach_count);
}

/* --hold SECONDS; -1 in @seconds when not given (hold until told to stop). */
gboolean
shmlab_cli_parse_hold (const char  *command,
                       const char  *text,
                       double      *seconds,
                       int         *status)
{
  char *end = NULL;
  double value;

  if (text == NULL)
    {
      *seconds = -1;
      return TRUE;
    }

  errno = 0;
  value = g_ascii_strtod (text, &end);
  if (errno != 0 || end == text || *end != '\0' || !isfinite (value) || value < 0 ||
      value > HOLD_MAX_SECONDS)
    {
      g_autofree char *shown = g_utf8_make_valid (text, -1);
      *status = shmlab_cli_usage_error (command,
                                        _("--hold takes a number of seconds from 0 to %u, "
                                        "such as 10 or 0.5, not “%s”"),
                                        HOLD_MAX_SECONDS, shown);
      return FALSE;
    }
  *seconds = value;
  return TRUE;
}

/* Whether the end of standard input can mean "let go": it must be open and
 * not /dev/null (what a shell gives a command started with & in a script),
 * and a terminal only when we are in its foreground (a background reader of
 * a terminal is stopped by SIGTTIN). */
gboolean
shmlab_cli_can_watch_stdin (void)
{
  struct stat in, null;

  if (fstat (STDIN_FILENO, &in) != 0)
    return FALSE;
  if (S_ISCHR (in.st_mode) && stat ("/dev/null", &null) == 0 && S_ISCHR (null.st_mode) &&
      in.st_rdev == null.st_rdev)
    return FALSE;
  if (isatty (STDIN_FILENO) && tcgetpgrp (STDIN_FILENO) != getpgrp ())
    return FALSE;
  return TRUE;
}

typedef struct
{
  GMainLoop *loop;
  ShmlabCliHoldEnd end;
  int signal_number;
} Hold;


/* SIGINT, SIGTERM and SIGHUP are taken by this thread alone, so that a
 * signal can cancel a wait for a lock as cleanly as it ends a hold. */
static GMutex interrupt_mutex;
static GCond interrupt_started;
static gboolean interrupt_running;

static gpointer
interrupt_thread (gpointer data)
{
  sigset_t *set = data;
  int signum;

  g_mutex_lock (&interrupt_mutex);
  interrupt_running = TRUE;
  g_cond_signal (&interrupt_started);
  g_mutex_unlock (&interrupt_mutex);

  for (;;)
    {
      if (sigwait (set, &signum) != 0)
        continue;
      /* A second Ctrl+C while cleaning up: stop at once. */
      if (g_atomic_int_get (&interrupt_signal) != 0)
        _exit (128 + signum);
      g_atomic_int_set (&interrupt_signal, signum);
      g_cancellable_cancel (interrupt_cancellable);
    }
  return NULL;
}

/* Call first in main(), before any other thread starts. */
void
shmlab_cli_interrupt_init (void)
{
  static sigset_t set;

  sigemptyset (&set);
  sigaddset (&set, SIGINT);
  sigaddset (&set, SIGTERM);
  sigaddset (&set, SIGHUP);
  pthread_sigmask (SIG_BLOCK, &set, NULL);
  interrupt_cancellable = g_cancellable_new ();
  g_thread_unref (g_thread_new ("signals", interrupt_thread, &set));

  /* A process that exits while a thread is still starting trips LeakSanitizer. */
  g_mutex_lock (&interrupt_mutex);
  while (!interrupt_running)
    g_cond_wait (&interrupt_started, &interrupt_mutex);
  g_mutex_unlock (&interrupt_mutex);
}

/* Cancelled by SIGINT, SIGTERM or SIGHUP: pass it to every wait. */
GCancellable *
shmlab_cli_interrupt (void)
{
  return interrupt_cancellable;
}

static gboolean
hold_on_interrupt (GCancellable *cancellable,
                   gpointer      user_data)
{
  Hold *hold = user_data;

  hold->end = SHMLAB_CLI_HOLD_SIGNAL;
  hold->signal_number = g_atomic_int_get (&interrupt_signal);
  g_main_loop_quit (hold->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
hold_on_timeout (gpointer user_data)
{
  Hold *hold = user_data;

  hold->end = SHMLAB_CLI_HOLD_TIMEOUT;
  g_main_loop_quit (hold->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
hold_on_stdin (int           fd,
               GIOCondition  condition,
               gpointer      user_data)
{
  Hold *hold = user_data;
  char buffer[4096];
  ssize_t n;

  if (condition & G_IO_IN)
    {
      /* What is typed is thrown away; only the end of input matters. */
      n = read (fd, buffer, sizeof buffer);
      if (n > 0 || (n < 0 && (errno == EINTR || errno == EAGAIN)))
        return G_SOURCE_CONTINUE;
    }

  hold->end = SHMLAB_CLI_HOLD_STDIN_CLOSED;
  g_main_loop_quit (hold->loop);
  return G_SOURCE_CONTINUE;
}

/**
 * shmlab_cli_hold:
 * @seconds: how long to wait, or a negative number to wait until a signal
 *   (or the end of standard input)
 * @watch_stdin: whether the end of standard input ends the wait
 * @signal_number: (out) (optional): the signal that ended it
 *
 * Waits on a main loop until the time is up, SIGINT, SIGTERM or SIGHUP
 * arrives, or standard input is closed, so that the caller can let go of
 * what it holds cleanly whichever comes first.
 */
ShmlabCliHoldEnd
shmlab_cli_hold (double    seconds,
                 gboolean  watch_stdin,
                 int      *signal_number)
{
  GSource *interrupt_source = NULL;
  guint timeout_id = 0;
  guint stdin_id = 0;
  Hold hold = { NULL, SHMLAB_CLI_HOLD_TIMEOUT, 0 };

  if (seconds == 0)
    return SHMLAB_CLI_HOLD_TIMEOUT;

  hold.loop = g_main_loop_new (NULL, FALSE);
  if (interrupt_cancellable != NULL)
    {
      interrupt_source = g_cancellable_source_new (interrupt_cancellable);
      g_source_set_callback (interrupt_source, G_SOURCE_FUNC (hold_on_interrupt), &hold, NULL);
      g_source_attach (interrupt_source, NULL);
    }
  if (seconds > 0)
    timeout_id = g_timeout_add ((guint) MIN (seconds * 1000.0 + 0.5, (double) G_MAXUINT),
                                hold_on_timeout, &hold);
  if (watch_stdin)
    stdin_id = g_unix_fd_add (STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR, hold_on_stdin, &hold);

  g_main_loop_run (hold.loop);

  if (interrupt_source != NULL)
    {
      g_source_destroy (interrupt_source);
      g_source_unref (interrupt_source);
    }
  g_clear_handle_id (&timeout_id, g_source_remove);
  g_clear_handle_id (&stdin_id, g_source_remove);
  g_main_loop_unref (hold.loop);

  if (signal_number != NULL)
    *signal_number = hold.signal_number;
  return hold.end;
}

/* "time is up", "SIGINT", "stdin closed": why a hold ended, for a step line. */
char *
shmlab_cli_describe_hold_end (ShmlabCliHoldEnd end,
                              int              signal_number)
{
  switch (end)
    {
    case SHMLAB_CLI_HOLD_SIGNAL:
      switch (signal_number)
        {
        case SIGINT: return g_strdup ("SIGINT");
        case SIGTERM: return g_strdup ("SIGTERM");
        case SIGHUP: return g_strdup ("SIGHUP");
        default: return g_strdup_printf (_("signal %d"), signal_number);
        }
    case SHMLAB_CLI_HOLD_STDIN_CLOSED:
      return g_strdup (_("stdin closed"));
    case SHMLAB_CLI_HOLD_TIMEOUT:
    default:
      return g_strdup (_("time is up"));
    }
}
