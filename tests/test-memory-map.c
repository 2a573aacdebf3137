/* test-memory-map.c — who maps a segment, where, and with which pages:
 * /proc lines read as hostile input, a crafted /proc tree (a pid gone,
 * maps another user may not read, a pagemap cut short), and real
 * processes of both backends, as root and as another user
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <gio/gunixinputstream.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shmlab-memory-map.h"
#include "shmlab-proc-maps.h"
#include "shmlab-segment.h"
#include "shmlab-test-util.h"

#define OTHER_UID 54323
#define OTHER_GID 54324
#define WAIT_SECONDS 20
#define SEGMENT_PAGES 256

/* ---- lines of /proc/PID/maps ---- */

static void
test_lines_good (void)
{
  static const char sysv[] = "7f3a1c000000-7f3a1c100000 rw-s 00000000 00:01 32769                      /SYSV51002027 (deleted)";
  static const char posix[] = "7f00aa001000-7f00aa002000 r--s 00001000 00:1a 4242 /dev/shm/qipc_x y";
  static const char anon[] = "7ffd1000-7ffd3000 rw-p 00000000 00:00 0";
  ShmlabProcMapsEntry entry;
  g_autoptr(GError) error = NULL;

  g_assert_true (shmlab_proc_maps_parse_line (sysv, strlen (sysv), &entry, &error));
  g_assert_no_error (error);
  g_assert_cmphex (entry.start, ==, 0x7f3a1c000000);
  g_assert_cmphex (entry.end, ==, 0x7f3a1c100000);
  g_assert_true (entry.readable && entry.writable && !entry.executable && entry.shared);
  g_assert_cmpuint (entry.inode, ==, 32769);
  g_assert_cmpstr (entry.path, ==, "/SYSV51002027");
  g_assert_true (entry.deleted);
  shmlab_proc_maps_entry_clear (&entry);

  /* A name with a space in it, an offset, a read-only mapping. */
  g_assert_true (shmlab_proc_maps_parse_line (posix, strlen (posix), &entry, &error));
  g_assert_cmpstr (entry.path, ==, "/dev/shm/qipc_x y");
  g_assert_false (entry.deleted);
  g_assert_false (entry.writable);
  g_assert_cmphex (entry.offset, ==, 0x1000);
  g_assert_cmpuint (entry.dev_major, ==, 0);
  g_assert_cmpuint (entry.dev_minor, ==, 0x1a);
  shmlab_proc_maps_entry_clear (&entry);

  g_assert_true (shmlab_proc_maps_parse_line (anon, strlen (anon), &entry, &error));
  g_assert_null (entry.path);
  g_assert_false (entry.shared);
  shmlab_proc_maps_entry_clear (&entry);

  /* The length is what counts, not a NUL: the line is read to its length. */
  g_assert_true (shmlab_proc_maps_parse_line (sysv, 51, &entry, &error));
  g_assert_null (entry.path);
  g_assert_cmpuint (entry.inode, ==, 32769);
  shmlab_proc_maps_entry_clear (&entry);
}

static void
test_lines_hostile (void)
{
  static const struct { const char *line; const char *field; } cases[] = {
    { "", "address range" },
    { "zz-10 rw-s 0 00:01 1 /SYSV0", "address range" },
    { "2000-1000 rw-s 0 00:01 1 /SYSV0", "address range" },
    { "1000-1000 rw-s 0 00:01 1 /SYSV0", "address range" },
    { "1000 rw-s 0 00:01 1 /SYSV0", "address range" },
    { "10000000000000000-20000000000000000 rw-s 0 00:01 1 /SYSV0", "address range" },
    { "1000-2000 rwxs0 00:01 1 /SYSV0", "permissions" },
    { "1000-2000 rw-q 0 00:01 1 /SYSV0", "permissions" },
    { "1000-2000 rw", "permissions" },
    { "1000-2000 rw-s  00:01 1 /SYSV0", "offset" },
    { "1000-2000 rw-s 0 0001 1 /SYSV0", "device" },
    { "1000-2000 rw-s 0 100000000:01 1 /SYSV0", "device" },
    { "1000-2000 rw-s 0 00:01 x /SYSV0", "inode" },
    { "1000-2000 rw-s 0 00:01 99999999999999999999999 /SYSV0", "inode" },
    { "1000-2000 rw-s 0 00:01 12x /SYSV0", "inode" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      ShmlabProcMapsEntry entry;
      g_autoptr(GError) error = NULL;
      g_autofree char *expected = g_strdup_printf ("has no valid %s", cases[i].field);

      g_test_message ("%s", cases[i].line);
      g_assert_false (shmlab_proc_maps_parse_line (cases[i].line, strlen (cases[i].line), &entry, &error));
      g_assert_error (error, SHMLAB_PROC_MAPS_ERROR, SHMLAB_PROC_MAPS_ERROR_FIELD);
      g_assert_nonnull (strstr (error->message, expected));
    }

  /* A NUL or a newline inside the path, and a path longer than the kernel's. */
  {
    static const char with_nul[] = "1000-2000 rw-s 0 00:01 1 /SYSV\0x";
    g_autofree char *long_path = g_strdup_printf ("1000-2000 rw-s 0 00:01 1 /%0*d", 5000, 0);
    ShmlabProcMapsEntry entry;
    g_autoptr(GError) error = NULL;

    g_assert_false (shmlab_proc_maps_parse_line (with_nul, sizeof with_nul - 1, &entry, &error));
    g_assert_nonnull (strstr (error->message, "path"));
    g_clear_error (&error);
    g_assert_false (shmlab_proc_maps_parse_line (long_path, strlen (long_path), &entry, &error));
    g_assert_nonnull (strstr (error->message, "path"));
  }
}

/* ---- a crafted /proc ---- */

static void
write_file (const char *dir,
            const char *name,
            const char *contents,
            gssize      length)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, length, NULL));
}

/* A pagemap whose entries for @n pages from @first_page are @entries. */
static void
write_pagemap (const char    *dir,
               guint64        first_page,
               const guint64 *entries,
               guint          n)
{
  g_autofree char *path = g_build_filename (dir, "pagemap", NULL);
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (pwrite (fd, entries, n * 8, (off_t) (first_page * 8)), ==, (gssize) (n * 8));
  close (fd);
}

static char *
make_process (const char *root,
              const char *pid,
              const char *comm,
              const char *maps)
{
  char *dir = g_build_filename (root, pid, NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  if (comm != NULL)
    write_file (dir, "comm", comm, -1);
  if (maps != NULL)
    write_file (dir, "maps", maps, -1);
  return dir;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileEnumerator) children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                                                   G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS,
                                                                   NULL, NULL);
  GFileInfo *info;

  while (children != NULL && (info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, g_file_info_get_name (info), NULL);

      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        remove_tree (child);
      else
        g_unlink (child);
      g_object_unref (info);
    }
  g_rmdir (path);
}

#define P (G_GUINT64_CONSTANT (1) << 63)

static const ShmlabMapIdentity fake_identity = { (char *) "/SYSV", 42, FALSE, 0, 0,
                                                 (char *) "System V segment id 42" };

/* Two processes map segment 42 at different addresses; their lines sit
 * among hostile ones; a third maps another segment; a fourth's pagemap is
 * cut short; a fifth is listed but gone; names that are not pids are
 * passed over. */
static void
test_fake_proc (void)
{
  g_autofree char *root = g_dir_make_tmp ("shmlab-proc-XXXXXX", NULL);
  guint64 page = (guint64) sysconf (_SC_PAGESIZE);
  g_autofree char *p100 = NULL, *p200 = NULL, *p300 = NULL, *p400 = NULL;
  g_autofree char *maps100 = NULL, *maps200 = NULL, *maps400 = NULL;
  guint64 frames100[4] = { P | 0x1234, 0, P | 0x1236, 0 };
  guint64 frames200[4] = { P | 0x1234, P | 0x1235, P | 0x1236, P | 0x1237 };
  g_autoptr(ShmlabMemoryMap) map = NULL;
  g_autoptr(GError) error = NULL;
  const ShmlabMemoryMapping *a, *b;

  g_assert_nonnull (root);
  maps100 = g_strdup_printf ("garbage line\n"
                             "%" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER "x rw-s 00000000 00:01 42   /SYSV0000abcd (deleted)\n"
                             "1000-2000 rw-s 0 00:01 42 /SYSV\n"        /* a private copy? no: shared, counted */
                             "1000-2000 rw-p 0 00:01 42 /SYSV0000abcd\n" /* private: not the segment */
                             "ffff-0 rw-s 0 00:01 42 /SYSV0000abcd\n",
                             16 * page, 20 * page);
  p100 = make_process (root, "100", "writer\n", maps100);
  write_pagemap (p100, 16, frames100, 4);
  maps200 = g_strdup_printf ("%" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER "x r--s 00000000 00:01 42 /SYSV0000abcd (deleted)\n",
                             64 * page, 68 * page);
  p200 = make_process (root, "200", "reader\x01\xff\n", maps200);
  write_pagemap (p200, 64, frames200, 4);
  p300 = make_process (root, "300", "other\n", "1000-5000 rw-s 0 00:01 43 /SYSV0000abce (deleted)\n");
  maps400 = g_strdup_printf ("%" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER "x rw-s 0 00:01 42 /SYSV0000abcd (deleted)\n",
                             128 * page, 132 * page);
  p400 = make_process (root, "400", "short\n", maps400);
  write_pagemap (p400, 128, frames200, 2);   /* 2 of its 4 entries */
  g_free (make_process (root, "500", NULL, NULL));   /* gone: no maps */
  g_free (make_process (root, "self", "x\n", maps200));
  g_free (make_process (root, "12ab", "x\n", maps200));
  g_free (make_process (root, "99999999999", "x\n", maps200));

  map = shmlab_memory_map_scan_proc (root, &fake_identity, 4 * page, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (map);
  /* 100 twice (its real mapping and the one-page line that is shared), 200, 400. */
  g_assert_cmpuint (map->mappings->len, ==, 4);
  g_assert_cmpuint (map->n_processes, ==, 4);
  g_assert_cmpuint (map->n_unreadable, ==, 0);

  a = g_ptr_array_index (map->mappings, 1);
  g_assert_cmpuint (a->pid, ==, 100);
  g_assert_cmpstr (a->program, ==, "writer");
  g_assert_cmphex (a->start, ==, 16 * page);
  g_assert_true (a->writable);
  g_assert_cmpuint (a->n_pages, ==, 4);
  g_assert_cmpint (a->present, ==, 2);
  g_assert_cmpuint (a->n_bins, ==, 4);
  g_assert_cmpuint (a->bins[0], ==, 255);
  g_assert_cmpuint (a->bins[1], ==, 0);
  g_assert_cmphex (a->first_frame, ==, 0x1234);

  b = g_ptr_array_index (map->mappings, 2);
  g_assert_cmpuint (b->pid, ==, 200);
  /* Its name's control byte and bad byte shown as U+FFFD. */
  g_assert_cmpstr (b->program, ==, "reader\xef\xbf\xbd\xef\xbf\xbd");
  g_assert_false (b->writable);
  g_assert_cmpint (b->present, ==, 4);
  g_assert_true (b->same_frames);

  /* The pagemap cut short: present unknown, nothing made up. */
  g_assert_cmpuint (((ShmlabMemoryMapping *) g_ptr_array_index (map->mappings, 3))->pid, ==, 400);
  g_assert_cmpint (((ShmlabMemoryMapping *) g_ptr_array_index (map->mappings, 3))->present, ==, -1);

  g_assert_true (map->frames_visible);
  g_clear_pointer (&map, shmlab_memory_map_free);

  /* Another frame under the same page: the frames are not the same. */
  frames200[1] = P | 0x9999;
  frames200[2] = P | 0x8888;
  write_pagemap (p200, 64, frames200, 4);
  map = shmlab_memory_map_scan_proc (root, &fake_identity, 4 * page, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (map->frames_same);
  g_clear_pointer (&map, shmlab_memory_map_free);

  /* A root that cannot be listed is an error naming it. */
  {
    g_autofree char *missing = g_build_filename (root, "nowhere", NULL);

    g_assert_null (shmlab_memory_map_scan_proc (missing, &fake_identity, page, NULL, &error));
    g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  }
  remove_tree (root);
}

/* Maps this user may not read (another user's process) are counted, not
 * hidden; as root the look is made by a child that is another user. */
static void
test_fake_proc_unreadable (void)
{
  g_autofree char *root = g_dir_make_tmp ("shmlab-proc-XXXXXX", NULL);
  g_autofree char *p100 = make_process (root, "100", "mine\n",
                                        "1000-2000 rw-s 0 00:01 42 /SYSV0000abcd (deleted)\n");
  g_autofree char *p200 = make_process (root, "200", "theirs\n",
                                        "3000-4000 rw-s 0 00:01 42 /SYSV0000abcd (deleted)\n");
  g_autofree char *maps200 = g_build_filename (p200, "maps", NULL);
  pid_t child;
  int status;

  /* The other user must reach the tree: the test's temp dir is root's. */
  g_assert_cmpint (chmod (shmlab_test_get_temp_dir (), 01777), ==, 0);
  g_assert_cmpint (chmod (root, 0755), ==, 0);
  g_assert_cmpint (chmod (maps200, 0), ==, 0);
  if (geteuid () == 0)
    {
      /* Root reads anything: the other user looks, and owns process 100's maps. */
      g_autofree char *maps100 = g_build_filename (p100, "maps", NULL);

      g_assert_cmpint (chown (maps100, OTHER_UID, OTHER_GID), ==, 0);
    }
  child = fork ();
  g_assert_cmpint (child, >=, 0);
  if (child == 0)
    {
      g_autoptr(ShmlabMemoryMap) map = NULL;

      if (geteuid () == 0 &&
          (setgroups (0, NULL) != 0 || setresgid (OTHER_GID, OTHER_GID, OTHER_GID) != 0 ||
           setresuid (OTHER_UID, OTHER_UID, OTHER_UID) != 0))
        _exit (10);
      map = shmlab_memory_map_scan_proc (root, &fake_identity, 4096, NULL, NULL);
      if (map == NULL)
        _exit (11);
      if (map->mappings->len != 1 || map->n_processes != 2 || map->n_unreadable != 1)
        _exit (12);
      _exit (0);
    }
  g_assert_cmpint (waitpid (child, &status, 0), ==, child);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  remove_tree (root);
}

/* ---- real processes ---- */

typedef struct
{
  ShmlabKey *key;
  guint want;
  ShmlabMemoryMap *map;
} Look;

static gboolean
mappings_are (gpointer data)
{
  Look *look = data;

  g_clear_pointer (&look->map, shmlab_memory_map_free);
  look->map = shmlab_memory_map_scan (look->key, NULL, NULL);
  /* The kernel's count is read just before /proc: the two agree once the
   * processes have settled. */
  return look->map != NULL && look->map->exists && look->map->mappings->len == look->want &&
         (!look->map->attach_count_exact || look->map->attach_count == (gint) look->want);
}

static void
child_as_other_user (gpointer data)
{
  if (setgroups (0, NULL) != 0 || setresgid (OTHER_GID, OTHER_GID, OTHER_GID) != 0 ||
      setresuid (OTHER_UID, OTHER_UID, OTHER_UID) != 0)
    _exit (125);
}

static GSubprocess *
start_full (GSubprocessFlags  output,
            gboolean          other_user,
            const char       *first,
            va_list           ap)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                       output);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GSubprocess *process;
  const char *arg;

  if (other_user)
    g_subprocess_launcher_set_child_setup (launcher, child_as_other_user, NULL, NULL);
  g_ptr_array_add (argv, (gpointer) shmlab_test_cli_path ());
  for (arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  return process;
}

static GSubprocess *
start (gboolean     other_user,
       const char  *first,
       ...)
{
  GSubprocess *process;
  va_list ap;

  va_start (ap, first);
  process = start_full (G_SUBPROCESS_FLAGS_STDERR_SILENCE, other_user, first, ap);
  va_end (ap);
  return process;
}

/* A `shmlab read … -q --hold` that has copied: once the copy is done and
 * the lock given back, it says on standard error (its only words there
 * with -q) that it holds the key @text, in whatever language. */
static GSubprocess *
start_reader_and_wait_for (const char *text,
                           gboolean    other_user,
                           const char *first,
                           ...)
{
  g_autoptr(GString) out = g_string_new (NULL);
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
  GSubprocess *process;
  struct pollfd poll_fd;
  va_list ap;

  va_start (ap, first);
  process = start_full (G_SUBPROCESS_FLAGS_STDERR_PIPE, other_user, first, ap);
  va_end (ap);
  poll_fd.fd = g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (g_subprocess_get_stderr_pipe (process)));
  poll_fd.events = POLLIN;
  while (strstr (out->str, text) == NULL)
    {
      gint64 left_ms = (deadline - g_get_monotonic_time ()) / 1000;
      char buffer[256];
      gssize n = 0;

      if (left_ms <= 0 || poll (&poll_fd, 1, (int) left_ms) <= 0 ||
          (n = read (poll_fd.fd, buffer, sizeof buffer)) <= 0)
        shmlab_test_fail ("the reader did not print “%s” within %d s (it printed “%s”)", text,
                          WAIT_SECONDS, out->str);
      g_string_append_len (out, buffer, n);
    }
  return process;
}

static void
stop (GSubprocess *process)
{
  if (process == NULL)
    return;
  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait (process, NULL, NULL);
  g_object_unref (process);
}

static const ShmlabMemoryMapping *
mapping_of (const ShmlabMemoryMap *map,
            GSubprocess           *process)
{
  guint32 pid = (guint32) atoi (g_subprocess_get_identifier (process));

  for (guint i = 0; i < map->mappings->len; i++)
    {
      const ShmlabMemoryMapping *mapping = g_ptr_array_index (map->mappings, i);

      if (mapping->pid == pid)
        return mapping;
    }
  shmlab_test_fail ("pid %u maps nothing", pid);
  return NULL;
}

/* A writer, a reader that copied, and one that only attached: three
 * processes, three addresses, one memory; the copy brought every page in,
 * the plain attach none (or the one page of the lock's record); a detach
 * is gone at the next look. As another user the frames are hidden. */
static void
run_real (ShmlabBackend backend,
          gboolean      other_user)
{
  g_autofree char *key_name = shmlab_test_unique_key (other_user ? "mapother" : "map");
  g_autofree char *size = g_strdup_printf ("%ld", SEGMENT_PAGES * sysconf (_SC_PAGESIZE));
  const char *backend_name = shmlab_backend_to_string (backend);
  g_autoptr(ShmlabKey) key = shmlab_key_new (key_name, backend, NULL);
  GSubprocess *writer, *reader, *toucher;
  const ShmlabMemoryMapping *w, *r, *t;
  Look look = { key, 1, NULL };

  if (other_user)
    g_assert_cmpint (chmod (shmlab_test_get_temp_dir (), 01777), ==, 0);
  writer = start (other_user, "write", key_name, "--backend", backend_name, "--text", "hello",
                  "--size", size, "--hold", "60", NULL);
  shmlab_test_wait_until (mappings_are, &look, WAIT_SECONDS, "the writer's mapping");
  /* Looked at once its copy is done: not while it is still reading. */
  reader = start_reader_and_wait_for (key_name, other_user, "read", key_name, "--backend", backend_name,
                                      "--hold", "60", "-q", NULL);
  toucher = start (other_user, "read", key_name, "--backend", backend_name, "--hold", "60",
                   "--attach-only", NULL);
  look.want = 3;
  shmlab_test_wait_until (mappings_are, &look, WAIT_SECONDS, "three mappings");

  w = mapping_of (look.map, writer);
  r = mapping_of (look.map, reader);
  t = mapping_of (look.map, toucher);
  g_assert_true (w->writable);
  g_assert_false (r->writable);
  g_assert_cmpuint (r->n_pages, ==, SEGMENT_PAGES);
  /* The copy read every page: all present in the reader. */
  g_test_message ("present: writer %" G_GINT64_FORMAT ", reader %" G_GINT64_FORMAT
                  ", attached only %" G_GINT64_FORMAT, w->present, r->present, t->present);
  g_assert_cmpint (r->present, ==, SEGMENT_PAGES);
  g_assert_cmpint (t->present, >=, 0);
  g_assert_cmpint (t->present, <=, 1);
  g_assert_cmpint (look.map->attach_count, ==, 3);
  g_assert_cmpuint (shmlab_memory_map_count_hidden (look.map), ==, 0);
  if (geteuid () == 0)
    {
      /* Root sees the frames: the same in all three. */
      g_assert_true (look.map->frames_visible);
      g_assert_true (look.map->frames_same);
      g_assert_cmphex (w->first_frame, ==, r->first_frame);
    }

  /* The other user's look: the same mappings, the frames hidden, and the
   * sentence that says so with the identity. */
  if (other_user)
    {
      g_autofree char *out = NULL, *err = NULL;
      g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                           G_SUBPROCESS_FLAGS_STDERR_PIPE);
      g_autoptr(GSubprocess) map = NULL;
      g_autoptr(GError) error = NULL;

      g_subprocess_launcher_set_child_setup (launcher, child_as_other_user, NULL, NULL);
      g_subprocess_launcher_setenv (launcher, "LANGUAGE", "", TRUE);
      map = g_subprocess_launcher_spawn (launcher, &error, shmlab_test_cli_path (), "map", key_name,
                                         "--backend", backend_name, NULL);
      g_assert_no_error (error);
      g_assert_true (g_subprocess_communicate_utf8 (map, NULL, NULL, &out, &err, &error));
      g_assert_cmpint (g_subprocess_get_exit_status (map), ==, 0);
      g_test_message ("%s", out);
      g_assert_nonnull (strstr (out, "the kernel shows frame numbers only to root"));
      g_assert_nonnull (strstr (out, backend == SHMLAB_BACKEND_POSIX ? "the file /dev/shm/"
                                     : backend == SHMLAB_BACKEND_FILE ? "the file /"
                                                                      : "System V segment id"));
      g_assert_nonnull (strstr (out, "The addresses differ, the memory is one"));
    }

  /* A detach is gone at the next look. */
  stop (toucher);
  look.want = 2;
  shmlab_test_wait_until (mappings_are, &look, WAIT_SECONDS, "the detached mapping gone");
  stop (reader);
  stop (writer);
  g_clear_pointer (&look.map, shmlab_memory_map_free);
  shmlab_segment_remove_key (key_name, backend, TRUE, NULL);
}

/* Three processes mapping one segment of the backend @data. */
static void
test_real (gconstpointer data)
{
  run_real (GPOINTER_TO_INT (data), FALSE);
}

/* One process attached twice (as the Lab's two panes are): one pid, two
 * mappings at two addresses, one identity. */
static void
test_real_one_process_twice (void)
{
  g_autofree char *key_name = shmlab_test_unique_key ("maptwice");
  g_autoptr(ShmlabSegment) writer = shmlab_segment_new (SHMLAB_BACKEND_SYSV);
  g_autoptr(ShmlabSegment) reader = shmlab_segment_new (SHMLAB_BACKEND_SYSV);
  g_autoptr(ShmlabMemoryMap) map = NULL;
  g_autoptr(GError) error = NULL;
  const ShmlabMemoryMapping *a, *b;

  g_assert_true (shmlab_segment_set_key (writer, key_name, &error));
  g_assert_true (shmlab_segment_create (writer, 8192, SHMLAB_ACCESS_READ_WRITE, NULL, &error));
  g_assert_true (shmlab_segment_set_key (reader, key_name, &error));
  g_assert_true (shmlab_segment_attach (reader, SHMLAB_ACCESS_READ_ONLY, NULL, &error));
  g_assert_no_error (error);

  map = shmlab_memory_map_scan (shmlab_segment_get_key_value (writer), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (map->mappings->len, ==, 2);
  g_assert_cmpint (map->attach_count, ==, 2);
  a = g_ptr_array_index (map->mappings, 0);
  b = g_ptr_array_index (map->mappings, 1);
  g_assert_cmpuint (a->pid, ==, (guint32) getpid ());
  g_assert_cmpuint (b->pid, ==, (guint32) getpid ());
  g_assert_cmphex (a->start, !=, b->start);
  g_assert_true (a->writable != b->writable);
  g_assert_cmphex (a->start, ==, MIN ((guint64) (gsize) shmlab_segment_get_data (writer),
                                      (guint64) (gsize) shmlab_segment_get_const_data (reader)));

  g_assert_true (shmlab_segment_detach (reader, &error));
  g_assert_true (shmlab_segment_detach (writer, &error));
  g_assert_no_error (error);
}

static void
test_real_other_user (void)
{
  if (geteuid () != 0)
    {
      g_test_skip ("needs root to become another user: run the tests as root to see frames hidden from a user");
      return;
    }
  {
    guint n_backends;
    const ShmlabBackend *backends = shmlab_backend_all (&n_backends);

    for (guint b = 0; b < n_backends; b++)
      run_real (backends[b], TRUE);
  }
}

int
main (int    argc,
      char **argv)
{
  shmlab_test_init (&argc, &argv);
  g_test_add_func ("/memory-map/lines/good", test_lines_good);
  g_test_add_func ("/memory-map/lines/hostile", test_lines_hostile);
  g_test_add_func ("/memory-map/proc/crafted", test_fake_proc);
  g_test_add_func ("/memory-map/proc/unreadable", test_fake_proc_unreadable);
  {
    guint n_backends;
    const ShmlabBackend *backends = shmlab_backend_all (&n_backends);

    for (guint b = 0; b < n_backends; b++)
      {
        g_autofree char *path = g_strdup_printf ("/memory-map/real/%s",
                                                 shmlab_backend_to_string (backends[b]));

        g_test_add_data_func (path, GINT_TO_POINTER (backends[b]), test_real);
      }
  }
  g_test_add_func ("/memory-map/real/one-process-twice", test_real_one_process_twice);
  g_test_add_func ("/memory-map/real/other-user", test_real_other_user);
  return g_test_run ();
}
