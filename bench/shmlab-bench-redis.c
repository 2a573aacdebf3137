/* shmlab-bench-redis.c — a Redis server of the bench's own
 *
 * The bench compares its shared cache with a real Redis, so it starts one:
 * redis-server with a configuration file in a fresh temp dir (0700) that
 * only this user can enter — a Unix socket there, no TCP port, nothing saved
 * to disk, in the foreground. The server gets a process group of its own
 * (Ctrl+C in the terminal reaches the bench, which then stops it in order),
 * and dies with the bench if the bench is killed. It is stopped with
 * SHUTDOWN NOSAVE, then SIGTERM, then SIGKILL, each after a bounded wait,
 * and the temp dir goes with everything in it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-bench-redis.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shmlab-bench-stats.h"

/* How long the server has to answer PING after it is started. */
#define START_TIMEOUT_NS (G_GINT64_CONSTANT (10) * 1000000000)
/* How long it has to end after SHUTDOWN, then after SIGTERM. */
#define SHUTDOWN_TIMEOUT_NS (G_GINT64_CONSTANT (5) * 1000000000)
#define TERM_TIMEOUT_NS (G_GINT64_CONSTANT (3) * 1000000000)
/* How long a request may wait for its answer. */
#define REQUEST_TIMEOUT_SECONDS 10

G_DEFINE_QUARK (shmlab-bench-redis-error-quark, shmlab_bench_redis_error)

struct _ShmlabBenchRedis
{
  char *dir;
  char *config;
  char *log;
  char *socket;
  char *version;
  pid_t pid;
  gboolean running;
};

const char *
shmlab_bench_redis_get_socket (ShmlabBenchRedis *self)
{
  return self->socket;
}

const char *
shmlab_bench_redis_get_dir (ShmlabBenchRedis *self)
{
  return self->dir;
}

const char *
shmlab_bench_redis_get_version (ShmlabBenchRedis *self)
{
  return self->version;
}

int
shmlab_bench_redis_get_pid (ShmlabBenchRedis *self)
{
  return (int) self->pid;
}

/* "the last lines of its log", for a server that would not start. */
static char *
log_tail (const char *path)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) tail = g_string_new (NULL);
  guint n, shown = 0;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return g_strdup (_("it wrote no log"));
  lines = g_strsplit (contents, "\n", -1);
  n = g_strv_length (lines);
  for (guint i = n; i-- > 0 && shown < 3;)
    {
      g_strstrip (lines[i]);
      if (lines[i][0] == '\0')
        continue;
      if (shown++ > 0)
        g_string_prepend (tail, " / ");
      g_string_prepend (tail, lines[i]);
    }
  if (tail->len == 0)
    return g_strdup (_("its log is empty"));
  return g_utf8_make_valid (tail->str, -1);
}

/**
 * shmlab_bench_redis_connect:
 *
 * A client of the server at @socket_path, whose requests give up after a
 * few seconds without an answer.
 */
redisContext *
shmlab_bench_redis_connect (const char  *socket_path,
                            GError     **error)
{
  struct timeval timeout = { REQUEST_TIMEOUT_SECONDS, 0 };
  g_autoptr(redisContext) context = redisConnectUnixWithTimeout (socket_path, timeout);

  if (context == NULL)
    {
      g_set_error (error, SHMLAB_BENCH_REDIS_ERROR, SHMLAB_BENCH_REDIS_ERROR_REQUEST,
                   _("cannot connect to Redis at %s: out of memory"), socket_path);
      return NULL;
    }
  if (context->err != 0)
    {
      g_set_error (error, SHMLAB_BENCH_REDIS_ERROR, SHMLAB_BENCH_REDIS_ERROR_REQUEST,
                   _("cannot connect to Redis at %s: %s"), socket_path, context->errstr);
      return NULL;
    }
  if (redisSetTimeout (context, timeout) != REDIS_OK)
    {
      g_set_error (error, SHMLAB_BENCH_REDIS_ERROR, SHMLAB_BENCH_REDIS_ERROR_REQUEST,
                   _("cannot set a timeout on the connection to Redis at %s: %s"), socket_path,
                   context->errstr);
      return NULL;
    }
  return g_steal_pointer (&context);
}

/**
 * shmlab_bench_redis_request:
 * @type: the kind of answer expected (REDIS_REPLY_STATUS, …)
 * @first_arg: the command, then its arguments, each a string, then NULL
 *
 * Sends one request and waits for its answer.
 *
 * Returns: (transfer full): the answer, or NULL with REQUEST (no answer,
 *   an error, or an answer of another kind)
 */
redisReply *
shmlab_bench_redis_request (redisContext  *context,
                            int            type,
                            GError       **error,
                            const char    *first_arg,
                            ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GArray) lengths = g_array_new (FALSE, FALSE, sizeof (size_t));
  g_autoptr(redisReply) reply = NULL;
  va_list ap;

  va_start (ap, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    {
      size_t length = strlen (arg);

      g_ptr_array_add (args, (gpointer) arg);
      g_array_append_val (lengths, length);
    }
  va_end (ap);

  reply = redisCommandArgv (context, (int) args->len, (const char **) args->pdata,
                            (const size_t *) (gconstpointer) lengths->data);
  if (reply == NULL)
    {
      g_set_error (error, SHMLAB_BENCH_REDIS_ERROR, SHMLAB_BENCH_REDIS_ERROR_REQUEST,
                   _("Redis did not answer %s: %s"), first_arg, context->errstr);
      return NULL;
    }
  if (reply->type != type)
    {
      g_autofree char *text = reply->str != NULL ? g_utf8_make_valid (reply->str, -1)
                                                 : g_strdup_printf ("%d", reply->type);

      g_set_error (error, SHMLAB_BENCH_REDIS_ERROR, SHMLAB_BENCH_REDIS_ERROR_REQUEST,
                   _("Redis answered %s with “%s”, not what it answers when it works"),
                   first_arg, text);
      return NULL;
    }
  return g_steal_pointer (&reply);
}

/* In the server's process, between fork() and exec(): only system calls. */
static void
child_setup (gpointer data)
{
  pid_t parent = GPOINTER_TO_INT (data);
  sigset_t none;

  /* Ctrl+C goes to the bench, which stops the server in order. */
  setpgid (0, 0);
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (getppid () != parent)
    _exit (1);
  /* The bench blocks these signals to wait for them in a thread: the server must not. */
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
}

/* What never changes; the socket and the dir, which may hold any byte, go
 * on the command line, which redis-server quotes itself. */
static const char config_text[] =
  "# made by shmlab bench, removed when it ends\n"
  "port 0\n"
  "unixsocketperm 700\n"
  "daemonize no\n"
  "supervised no\n"
  "save \"\"\n"
  "appendonly no\n"
  "databases 1\n"
  "logfile \"\"\n"
  "loglevel warning\n"
  "always-show-logo no\n";

static gboolean
write_config (ShmlabBenchRedis  *self,
              GError           **error)
{
  int fd = g_open (self->config, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  gboolean ok;

  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, SHMLAB_BENCH_REDIS_ERROR, SHMLAB_BENCH_REDIS_ERROR_START,
                   _("cannot write Redis's configuration %s: %s"), self->config,
                   g_strerror (saved_errno));
      return FALSE;
    }
  ok = write (fd, config_text, strlen (config_text)) == (ssize_t) strlen (config_text);
  close (fd);
  if (!ok)
    g_set_error (error, SHMLAB_BENCH_REDIS_ERROR, SHMLAB_BENCH_REDIS_ERROR_START,
                 _("cannot write Redis's configuration %s"), self->config);
  return ok;
}

/* Whether the server has ended (and is reaped). */
static gboolean
has_ended (ShmlabBenchRedis *self)
{
  pid_t got;

  if (!self->running)
    return TRUE;
  do
    got = waitpid (self->pid, NULL, WNOHANG);
  while (got < 0 && errno == EINTR);
  if (got == self->pid || (got < 0 && errno == ECHILD))
    self->running = FALSE;
  return !self->running;
}

/* Waits up to @timeout_ns for the server to end; whether it did. */
static gboolean
wait_for_end (ShmlabBenchRedis *self,
              gint64            timeout_ns)
{
  gint64 deadline = shmlab_bench_now_ns () + timeout_ns;

  while (!has_ended (self))
    {
      if (shmlab_bench_now_ns () >= deadline)
        return FALSE;
      g_usleep (2000);
    }
  return TRUE;
}

/* The server answers PING: FALSE while it does not yet. */
static gboolean
answers (ShmlabBenchRedis *self)
{
  g_autoptr(redisContext) context = NULL;
  g_autoptr(redisReply) pong = NULL;
  g_autoptr(redisReply) info = NULL;

  if (!g_file_test (self->socket, G_FILE_TEST_EXISTS))
    return FALSE;
  context = shmlab_bench_redis_connect (self->socket, NULL);
  if (context == NULL)
    return FALSE;
  pong = shmlab_bench_redis_request (context, REDIS_REPLY_STATUS, NULL, "PING", NULL);
  if (pong == NULL || g_strcmp0 (pong->str, "PONG") != 0)
    return FALSE;
  info = shmlab_bench_redis_request (context, REDIS_REPLY_STRING, NULL, "INFO", "server", NULL);
  if (info != NULL)
    {
      const char *line = strstr (info->str, "redis_version:");

      if (line != NULL)
        self->version = g_strndup (line + strlen ("redis_version:"),
                                   strcspn (line + strlen ("redis_version:"), "\r\n"));
    }
  if (self->version == NULL)
    self->version = g_strdup (_("of an unknown version"));
  return TRUE;
}

/* Removes what the server and the bench put in the temp dir, then the dir. */
static void
remove_dir (ShmlabBenchRedis *self)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (self->dir == NULL)
    return;
  dir = g_dir_open (self->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (self->dir, name, NULL);

      g_unlink (path);
    }
  if (g_rmdir (self->dir) != 0 && errno != ENOENT)
    {
      int saved_errno = errno;

      g_printerr (_("shmlab: warning: could not remove the Redis server's temp dir %s: %s; "
                    "remove it with: rm -r %s\n"),
                  self->dir, g_strerror (saved_errno), self->dir);
    }
}

/**
 * shmlab_bench_redis_stop:
 *
 * Stops the server — SHUTDOWN NOSAVE, SIGTERM after 5 s, SIGKILL after 3 s
 * more — reaps it, removes its temp dir and frees @self.
 */
void
shmlab_bench_redis_stop (ShmlabBenchRedis *self)
{
  if (self == NULL)
    return;
  if (self->running)
    {
      g_autoptr(redisContext) context = shmlab_bench_redis_connect (self->socket, NULL);

      /* It closes the connection as it ends: no answer is the answer. */
      if (context != NULL)
        freeReplyObject (redisCommand (context, "SHUTDOWN NOSAVE"));
      if (context == NULL || !wait_for_end (self, SHUTDOWN_TIMEOUT_NS))
        {
          kill (self->pid, SIGTERM);
          if (!wait_for_end (self, TERM_TIMEOUT_NS))
            {
              kill (self->pid, SIGKILL);
              while (waitpid (self->pid, NULL, 0) < 0 && errno == EINTR)
                ;
              self->running = FALSE;
            }
        }
    }
  remove_dir (self);
  g_free (self->dir);
  g_free (self->config);
  g_free (self->log);
  g_free (self->socket);
  g_free (self->version);
  g_free (self);
}

/**
 * shmlab_bench_redis_start:
 * @key_prefix: "shmlab-bench-PID": the temp dir is named after it
 *
 * Starts redis-server on a Unix socket in a temp dir of its own and waits
 * until it answers PING.
 *
 * Returns: (transfer full): the server, or NULL with MISSING (no
 *   redis-server on the PATH), START, or G_IO_ERROR_CANCELLED
 */
ShmlabBenchRedis *
shmlab_bench_redis_start (const char    *key_prefix,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_autoptr(ShmlabBenchRedis) self = g_new0 (ShmlabBenchRedis, 1);
  g_autofree char *program = g_find_program_in_path ("redis-server");
  g_autofree char *template = g_strdup_printf ("%s-redis-XXXXXX", key_prefix);
  g_autoptr(GError) local_error = NULL;
  const char *argv[7];
  struct sockaddr_un address;
  gint64 deadline;
  GPid pid;
  int log_fd;
  gboolean spawned;

  if (program == NULL)
    {
      g_set_error (error, SHMLAB_BENCH_REDIS_ERROR, SHMLAB_BENCH_REDIS_ERROR_MISSING,
                   _("redis-server is not installed (it is not on the PATH), so the cache is not "
                     "compared with Redis; to compare, install it with: %s"),
                   SHMLAB_BENCH_REDIS_INSTALL);
      return NULL;
    }

  self->dir = g_dir_make_tmp (template, &local_error);
  if (self->dir == NULL)
    {
      g_set_error (error, SHMLAB_BENCH_REDIS_ERROR, SHMLAB_BENCH_REDIS_ERROR_START,
                   _("cannot make a temp dir for the Redis server: %s"), local_error->message);
      return NULL;
    }
  self->config = g_build_filename (self->dir, "redis.conf", NULL);
  self->log = g_build_filename (self->dir, "redis.log", NULL);
  self->socket = g_build_filename (self->dir, "redis.sock", NULL);
  if (strlen (self->socket) >= sizeof address.sun_path)
    {
      g_set_error (error, SHMLAB_BENCH_REDIS_ERROR, SHMLAB_BENCH_REDIS_ERROR_START,
                   _("the Redis server's socket would be %s, %zu bytes: a Unix socket's path "
                     "takes at most %zu; set TMPDIR to a shorter folder, such as /tmp"),
                   self->socket, strlen (self->socket), sizeof address.sun_path - 1);
      return NULL;
    }
  if (!write_config (self, error))
    return NULL;

  log_fd = g_open (self->log, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (log_fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, SHMLAB_BENCH_REDIS_ERROR, SHMLAB_BENCH_REDIS_ERROR_START,
                   _("cannot make the Redis server's log %s: %s"), self->log,
                   g_strerror (saved_errno));
      return NULL;
    }
  argv[0] = program;
  argv[1] = self->config;
  argv[2] = "--unixsocket";
  argv[3] = self->socket;
  argv[4] = "--dir";
  argv[5] = self->dir;
  argv[6] = NULL;
  spawned = g_spawn_async_with_pipes_and_fds (self->dir, argv, NULL,
                                              G_SPAWN_DO_NOT_REAP_CHILD |
                                              G_SPAWN_STDIN_FROM_DEV_NULL,
                                              child_setup, GINT_TO_POINTER (getpid ()),
                                              -1, log_fd, log_fd, NULL, NULL, 0, &pid,
                                              NULL, NULL, NULL, &local_error);
  close (log_fd);
  if (!spawned)
    {
      g_set_error (error, SHMLAB_BENCH_REDIS_ERROR, SHMLAB_BENCH_REDIS_ERROR_START,
                   _("cannot start %s: %s"), program, local_error->message);
      return NULL;
    }
  self->pid = pid;
  self->running = TRUE;

  deadline = shmlab_bench_now_ns () + START_TIMEOUT_NS;
  while (!answers (self))
    {
      if (has_ended (self))
        {
          g_autofree char *tail = log_tail (self->log);

          g_set_error (error, SHMLAB_BENCH_REDIS_ERROR, SHMLAB_BENCH_REDIS_ERROR_START,
                       _("redis-server ended as soon as it was started: %s"), tail);
          return NULL;
        }
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      if (shmlab_bench_now_ns () >= deadline)
        {
          g_autofree char *tail = log_tail (self->log);

          g_set_error (error, SHMLAB_BENCH_REDIS_ERROR, SHMLAB_BENCH_REDIS_ERROR_START,
                       _("redis-server did not answer PING on %s within %.0f s, so it was "
                         "stopped (is the machine overloaded?); its log: %s"),
                       self->socket, (double) START_TIMEOUT_NS / 1e9, tail);
          return NULL;
        }
      g_usleep (5000);
    }
  return g_steal_pointer (&self);
}
