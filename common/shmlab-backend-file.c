/* shmlab-backend-file.c — File: a regular file, sized with ftruncate() and
 * mapped MAP_SHARED, locked by an fcntl() open-file-description lock on the
 * file itself
 *
 * The third way processes share memory, the one the second article maps a
 * video file with: the pages are the file's, in the page cache, and every
 * process that maps the file sees the same ones. It outlives every process
 * that used it — `ls -l` and `hexdump -C` show it, and one on a disk
 * survives a reboot — so detach never removes it; `shmlab remove` does.
 *
 * Names. A legacy key's file is in the temp dir, named as Qt names a key
 * file with ".shm" after it (/tmp/qipc_sharedmemory_demo89e4….shm): beside
 * a System V key file of the same key, never on it. A native key names the
 * file itself — a path from the root, else a name in $XDG_RUNTIME_DIR —
 * and "file:/PATH" is its string form (Qt has no such type: ShmLab writes
 * it the way Qt writes its own).
 *
 * The lock is F_OFD_SETLK on the whole file (a waiter tries again). The kernel gives it back
 * when its holder dies, and it keeps two openings in one process apart (the
 * Lab's two panes), which a classic fcntl() lock would not. It needs the
 * file: the lock opener makes it, empty, and an empty file is a lock with
 * no segment. Whoever takes the lock checks that the path still names the
 * file it locked — a remover may have unlinked it in between — and opens
 * it again if not; an empty file is removed only under its lock.
 *
 * Anyone who may write a file can cut it short while it is mapped: every
 * mapping is guarded against SIGBUS (shmlab-sigbus.c), and checked against
 * the file's size under the lock (mapping_intact).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-backend-private.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "shmlab-command.h"
#include "shmlab-frame.h"
#include "shmlab-native-key.h"
#include "shmlab-proc-maps.h"
#include "shmlab-process.h"
#include "shmlab-qt-key.h"
#include "shmlab-sigbus.h"
#include "shmlab-users.h"

/* What a legacy key's file name ends with. */
#define FILE_SUFFIX ".shm"

/* The longest a waiter sleeps between two tries of a busy lock, µs. */
#define LOCK_POLL_MAX_US 2000

/* What a mapping keeps: the open file, to look at its size again. */
typedef struct
{
  int fd;
} FileMapping;

static const char *
describe_type (mode_t mode)
{
  if (S_ISLNK (mode))
    return _("a symbolic link");
  if (S_ISDIR (mode))
    return _("a directory");
  if (S_ISFIFO (mode))
    return _("a FIFO");
  if (S_ISCHR (mode) || S_ISBLK (mode))
    return _("a device");
  return _("a special file");
}

/* Never opened: a device may do something on open, a FIFO may wait. */
static void
set_not_file_error (GError            **error,
                    const char         *key,
                    const char         *path,
                    const struct stat  *st)
{
  g_autofree char *owner = shmlab_user_describe (st->st_uid);

  g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_KEY_ERROR,
               _("%s, where the segment of key “%s” would be, is %s owned by %s, not a regular "
                 "file: ShmLab maps only plain files — pick another key, or another path"),
               path, key, describe_type (st->st_mode), owner);
}

static void
set_not_found_error (GError     **error,
                     const char  *key,
                     const char  *path)
{
  g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_NOT_FOUND,
               _("no segment has the key “%s” (there is no file %s): start the writer first, or "
                 "check the key's spelling and that both programs use the File backend"),
               key, path);
}

static void
set_errno_error (GError     **error,
                 int          saved_errno,
                 const char  *key,
                 const char  *path,
                 const char  *what)
{
  if (saved_errno == ENOENT)
    {
      g_autofree char *dir = g_path_get_dirname (path);

      g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_KEY_ERROR,
                   _("cannot %s the file %s of key “%s”: its directory %s does not exist — make "
                     "it first, or choose another path"),
                   what, path, key, dir);
    }
  else if (saved_errno == EROFS)
    g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_PERMISSION_DENIED,
                 _("cannot %s the file %s of key “%s”: it is on a read-only file system — "
                   "choose a path on a writable one"),
                 what, path, key);
  else if (saved_errno == ELOOP)
    g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_KEY_ERROR,
                 _("%s, where the segment of key “%s” would be, is a symbolic link, which ShmLab "
                   "does not follow: pick another key, or give the path it leads to"),
                 path, key);
  else
    shmlab_segment_set_errno_error (error, saved_errno, key, what);
}

/* Whether @path names the file @fd has open now (not removed, not replaced). */
static gboolean
still_names (const char *path,
             int         fd)
{
  struct stat by_path, by_fd;

  return lstat (path, &by_path) == 0 && fstat (fd, &by_fd) == 0 &&
         by_path.st_dev == by_fd.st_dev && by_path.st_ino == by_fd.st_ino;
}

/* The same for a lock just taken, in one call: a file removed or renamed
 * over since it was opened has no name left (ShmLab makes no other links). */
static gboolean
still_named (int fd)
{
  struct stat st;

  return fstat (fd, &st) == 0 && st.st_nlink > 0;
}

/**
 * open_file:
 * @flags: O_RDONLY or O_RDWR
 * @create: make the file, empty and 0600, when there is none
 * @created: (out) (optional): it was made now
 * @st: (out): what fstat() says of it
 *
 * Opens the regular file @path of this user, never through a symbolic
 * link, and never opening anything else (a device, a FIFO, a directory).
 *
 * Returns: the file descriptor, or -1 with @error set
 */
static int
open_file (const char   *key,
           const char   *path,
           int           flags,
           gboolean      create,
           gboolean     *created,
           struct stat  *st,
           GError      **error)
{
  struct stat before;
  int fd;

  if (created != NULL)
    *created = FALSE;
  if (create)
    {
      fd = open (path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (fd >= 0)
        {
          if (created != NULL)
            *created = TRUE;
          if (fstat (fd, st) == 0)
            return fd;
          set_errno_error (error, errno, key, path, _("inspect"));
          close (fd);
          return -1;
        }
      if (errno != EEXIST)
        {
          set_errno_error (error, errno, key, path, _("create"));
          return -1;
        }
    }

  if (lstat (path, &before) != 0)
    {
      if (errno == ENOENT)
        set_not_found_error (error, key, path);
      else
        set_errno_error (error, errno, key, path, _("inspect"));
      return -1;
    }
  if (!S_ISREG (before.st_mode))
    {
      set_not_file_error (error, key, path, &before);
      return -1;
    }
  if (!shmlab_user_is_me (before.st_uid))
    {
      shmlab_segment_set_not_mine_error (error, key, before.st_uid);
      return -1;
    }

  fd = open (path, flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    {
      if (errno == ENOENT)
        set_not_found_error (error, key, path);
      else
        set_errno_error (error, errno, key, path, _("open"));
      return -1;
    }
  if (fstat (fd, st) != 0 || st->st_dev != before.st_dev || st->st_ino != before.st_ino ||
      !S_ISREG (st->st_mode))
    {
      /* Replaced between the look and the open: look again. */
      close (fd);
      g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_UNKNOWN,
                   _("the file %s of key “%s” was replaced while it was being opened: try again"),
                   path, key);
      return -1;
    }
  return fd;
}

static void
info_from_stat (ShmlabSegmentInfo *info,
                const char        *path,
                const struct stat *st)
{
  info->exists = TRUE;
  info->size = st->st_size;
  info->owner_uid = st->st_uid;
  info->mode = st->st_mode & 0777;
  info->id = -1;
  info->change_time = MAX (st->st_mtime, st->st_ctime);
  info->attach_count = shmlab_proc_maps_count_file (major (st->st_dev), minor (st->st_dev),
                                                    st->st_ino, path);
  info->attach_count_exact = geteuid () == 0;
  info->persistent = TRUE;
}

/* The key's file in the temp dir; the lock's name gives the same file. */
static char *
file_native_name (const char *safe_name)
{
  g_autofree char *dir = shmlab_native_key_temp_dir ();
  g_autofree char *name = NULL;

  if (g_str_has_prefix (safe_name, SHMLAB_SEMAPHORE_PREFIX))
    name = g_strconcat (SHMLAB_SEGMENT_PREFIX, safe_name + strlen (SHMLAB_SEMAPHORE_PREFIX),
                        FILE_SUFFIX, NULL);
  else
    name = g_strconcat (safe_name, FILE_SUFFIX, NULL);
  return g_build_filename (dir, name, NULL);
}

/* The lock is the file itself: nothing else is left beside it. */
static gboolean
file_name_exists (const char *native_key)
{
  return FALSE;
}

static char *
file_describe_native_key (const char              *native_key,
                          const ShmlabSegmentInfo *info)
{
  return g_strdup_printf (_("%s  (a file: ls -l shows it, hexdump -C reads it)"), native_key);
}

static gboolean
map_fd (const char         *key,
        int                 fd,
        const struct stat  *st,
        ShmlabAccessMode    mode,
        ShmlabMapping      *mapping,
        GError            **error)
{
  FileMapping *handle;
  void *data;

  if ((guint64) st->st_size > G_MAXSIZE)
    {
      g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_INVALID_SIZE,
                   _("the segment of key “%s” is larger than this process can map"), key);
      return FALSE;
    }
  /* Only what fstat() said: a page past the end would be SIGBUS. */
  data = mmap (NULL, st->st_size,
               mode == SHMLAB_ACCESS_READ_ONLY ? PROT_READ : PROT_READ | PROT_WRITE, MAP_SHARED,
               fd, 0);
  if (data == MAP_FAILED)
    {
      shmlab_segment_set_errno_error (error, errno, key, _("map"));
      return FALSE;
    }
  if (!shmlab_sigbus_guard_add (data, st->st_size, error))
    {
      munmap (data, st->st_size);
      return FALSE;
    }
  handle = g_new0 (FileMapping, 1);
  handle->fd = fd;
  mapping->data = data;
  mapping->size = st->st_size;
  mapping->mode = mode;
  mapping->id = -1;
  mapping->handle = handle;
  return TRUE;
}

static gboolean file_query (const char         *key,
                            const char         *native_key,
                            ShmlabSegmentInfo  *info,
                            GError            **error);

/* The file system of @fd is full: say how full, and the way out. */
static void
set_full_error (GError      **error,
                const char   *key,
                const char   *path,
                int           fd,
                guint64       size)
{
  g_autofree char *wanted = shmlab_format_bytes (size);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *free_space = NULL;
  struct statvfs vfs;

  free_space = shmlab_format_bytes (fstatvfs (fd, &vfs) == 0
                                      ? (guint64) vfs.f_bavail * vfs.f_frsize : 0);
  g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_OUT_OF_RESOURCES,
               _("a segment of %s for key “%s” does not fit on the disk of %s, which has %s "
                 "free: pick a smaller size, free some space there, or give a native key "
                 "a path on another disk"),
               wanted, key, dir, free_space);
}

static gboolean
file_create (const char        *key,
             const char        *native_key,
             gsize              size,
             ShmlabAccessMode   mode,
             ShmlabMapping     *mapping,
             GError           **error)
{
  struct stat st;
  int fd, rc;

  fd = open_file (key, native_key, O_RDWR, TRUE, NULL, &st, error);
  if (fd < 0)
    return FALSE;
  if (st.st_size > 0)
    {
      ShmlabSegmentInfo info;

      close (fd);
      if (file_query (key, native_key, &info, error))
        shmlab_segment_set_exists_error (error, key, SHMLAB_BACKEND_FILE, &info);
      return FALSE;
    }

  if (ftruncate (fd, size) != 0)
    {
      int saved_errno = errno;

      if (saved_errno == ENOSPC || saved_errno == EDQUOT)
        set_full_error (error, key, native_key, fd, size);
      else
        shmlab_segment_set_size_error (error, SHMLAB_SEGMENT_ERROR_INVALID_SIZE, key,
                                       SHMLAB_BACKEND_FILE, size, g_strerror (saved_errno));
      if (ftruncate (fd, 0) != 0)
        g_debug ("could not empty %s again: %s", native_key, g_strerror (errno));
      close (fd);
      return FALSE;
    }
  /* Blocks reserved now: a full disk fails here, not with SIGBUS at the first write. */
  rc = posix_fallocate (fd, 0, size);
  if (rc != 0 && rc != EOPNOTSUPP && rc != EINVAL)
    {
      if (rc == ENOSPC || rc == EDQUOT)
        set_full_error (error, key, native_key, fd, size);
      else
        shmlab_segment_set_size_error (error, SHMLAB_SEGMENT_ERROR_OUT_OF_RESOURCES, key,
                                       SHMLAB_BACKEND_FILE, size, g_strerror (rc));
      /* Back to an empty file: a lock, no segment. */
      if (ftruncate (fd, 0) != 0)
        g_debug ("could not empty %s again: %s", native_key, g_strerror (errno));
      close (fd);
      return FALSE;
    }
  if (fstat (fd, &st) != 0 || (guint64) st.st_size != size ||
      !map_fd (key, fd, &st, mode, mapping, error))
    {
      if (error != NULL && *error == NULL)
        shmlab_segment_set_size_error (error, SHMLAB_SEGMENT_ERROR_UNKNOWN, key,
                                       SHMLAB_BACKEND_FILE, size, _("the file changed size"));
      if (ftruncate (fd, 0) != 0)
        g_debug ("could not empty %s again: %s", native_key, g_strerror (errno));
      close (fd);
      return FALSE;
    }
  mapping->created = TRUE;
  return TRUE;
}

static gboolean
file_attach (const char        *key,
             const char        *native_key,
             ShmlabAccessMode   mode,
             ShmlabMapping     *mapping,
             GError           **error)
{
  struct stat st;
  int fd;

  fd = open_file (key, native_key, mode == SHMLAB_ACCESS_READ_ONLY ? O_RDONLY : O_RDWR, FALSE,
                  NULL, &st, error);
  if (fd < 0)
    return FALSE;
  if (st.st_size <= 0)
    {
      close (fd);
      g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_NOT_FOUND,
                   _("no segment has the key “%s”: its file %s is empty, so far only a lock — "
                     "start the writer first"),
                   key, native_key);
      return FALSE;
    }
  if (!map_fd (key, fd, &st, mode, mapping, error))
    {
      close (fd);
      return FALSE;
    }
  mapping->created = FALSE;
  return TRUE;
}

/* A file stays when its users go: detaching only unmaps. */
static gboolean
file_detach (const char     *native_key,
             ShmlabMapping  *mapping,
             gboolean        remove_if_last,
             gboolean       *removed,
             GError        **error)
{
  FileMapping *handle = mapping->handle;

  *removed = FALSE;
  shmlab_sigbus_guard_remove (mapping->data);
  if (munmap (mapping->data, mapping->size) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_UNKNOWN, _("cannot unmap: %s"),
                   g_strerror (saved_errno));
      return FALSE;
    }
  mapping->data = NULL;
  if (handle != NULL)
    close (handle->fd);
  g_clear_pointer (&mapping->handle, g_free);
  return TRUE;
}

/* Whether all that is mapped is still the file's: no page was read past a
 * new end, and the file is at least as long as the mapping. */
static gboolean
file_mapping_intact (const char           *key,
                     const ShmlabMapping  *mapping,
                     GError              **error)
{
  FileMapping *handle = mapping->handle;
  struct stat st;

  if (handle == NULL || mapping->data == NULL)
    return TRUE;
  if (shmlab_sigbus_guard_tripped (mapping->data))
    {
      g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_TRUNCATED,
                   _("the file of key “%s” was cut short while this program used it: what it "
                     "read past the new end is zeros, not the file's — detach, and attach again"),
                   key);
      return FALSE;
    }
  if (fstat (handle->fd, &st) == 0 && (guint64) st.st_size < mapping->size)
    {
      g_autofree char *now = shmlab_format_bytes (st.st_size);
      g_autofree char *mapped = shmlab_format_bytes (mapping->size);

      g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_TRUNCATED,
                   _("the file of key “%s” is now %s, shorter than the %s mapped: another program "
                     "cut it short. Touching a page past its end would kill a program (SIGBUS), "
                     "so ShmLab stopped — detach, and write it again"),
                   key, now, mapped);
      return FALSE;
    }
  return TRUE;
}

static gboolean
file_query (const char         *key,
            const char         *native_key,
            ShmlabSegmentInfo  *info,
            GError            **error)
{
  struct stat st;

  shmlab_segment_info_clear (info);
  if (lstat (native_key, &st) != 0)
    {
      int saved_errno = errno;

      if (saved_errno == ENOENT || saved_errno == ENOTDIR)
        return TRUE;
      set_errno_error (error, saved_errno, key, native_key, _("inspect"));
      return FALSE;
    }
  if (!S_ISREG (st.st_mode))
    {
      set_not_file_error (error, key, native_key, &st);
      return FALSE;
    }
  /* An empty file is a lock with no segment in it. */
  if (st.st_size > 0)
    info_from_stat (info, native_key, &st);
  return TRUE;
}

static gboolean
file_remove (const char               *key,
             const char               *native_key,
             const ShmlabSegmentInfo  *info,
             GError                  **error)
{
  if (info->exists && unlink (native_key) != 0 && errno != ENOENT)
    {
      int saved_errno = errno;

      if (saved_errno == EACCES || saved_errno == EPERM)
        shmlab_segment_set_not_mine_error (error, key, info->owner_uid);
      else
        set_errno_error (error, saved_errno, key, native_key, _("remove"));
      return FALSE;
    }
  return TRUE;
}

/* The legacy keys' files in the temp dir (a native key's file may be
 * anywhere: `shmlab info` finds it by its key). */
static gboolean
file_list (GPtrArray  *listings,
           GError    **error)
{
  g_autofree char *dir_path = shmlab_native_key_temp_dir ();
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;
  uid_t me = geteuid ();

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *bare = NULL;
      ShmlabSegmentListing *l;
      struct stat st;

      if (!g_str_has_prefix (name, SHMLAB_SEGMENT_PREFIX) || !g_str_has_suffix (name, FILE_SUFFIX))
        continue;
      path = g_build_filename (dir_path, name, NULL);
      if (lstat (path, &st) != 0 || !S_ISREG (st.st_mode) || st.st_size == 0)
        continue;
      if (me != 0 && st.st_uid != me && (st.st_mode & 0004) == 0)
        continue;
      bare = g_strndup (name, strlen (name) - strlen (FILE_SUFFIX));

      l = g_new0 (ShmlabSegmentListing, 1);
      l->backend = SHMLAB_BACKEND_FILE;
      info_from_stat (&l->info, path, &st);
      l->native_key = g_steal_pointer (&path);
      l->key_letters = shmlab_native_key_to_key (bare, NULL);
      l->qt_named = l->key_letters != NULL;
      if (l->key_letters == NULL)
        l->key_letters = g_strdup ("");
      g_ptr_array_add (listings, l);
    }
  return TRUE;
}

/* The lock: the file, opened read-write (made empty when there is none). */
static gboolean
file_lock_open (ShmlabSemaphore  *self,
                GError          **error)
{
  struct stat st;
  gboolean created = FALSE;
  int fd;

  if (self->id >= 0)
    return TRUE;
  fd = open_file (self->key, self->native_key, O_RDWR, TRUE, &created, &st, error);
  if (fd < 0)
    return FALSE;
  self->id = fd;
  self->created = created;
  return TRUE;
}

static int
set_lock (int    fd,
          short  type,
          int    command)
{
  struct flock lock = { .l_type = type, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };

  return fcntl (fd, command, &lock);
}

static void
set_lock_error (ShmlabSemaphore  *self,
                int               saved_errno,
                GError          **error)
{
  g_set_error (error, SHMLAB_SEGMENT_ERROR,
               saved_errno == ENOLCK ? SHMLAB_SEGMENT_ERROR_OUT_OF_RESOURCES
                                     : SHMLAB_SEGMENT_ERROR_LOCK_ERROR,
               _("cannot take the lock of key “%s” (a lock on the file %s): %s"), self->key,
               self->native_key, g_strerror (saved_errno));
}

/* A wait tries F_OFD_SETLK again and again, sleeping a little longer each
 * time, up to LOCK_POLL_MAX_US: the kernel has no timed wait for file
 * locks, and its endless one (F_OFD_SETLKW) is not used either — a program
 * run under a checker that does not know that call can block (valgrind 3.19)
 * would stall every other thread of the process, among them the holder. A
 * waiter is therefore late by at most LOCK_POLL_MAX_US. */
static gboolean
file_lock_acquire (ShmlabSemaphore  *self,
                   gint64            slice_ms,
                   GError          **error)
{
  gint64 deadline = slice_ms < 0 ? -1 : g_get_monotonic_time () + slice_ms * 1000;
  gulong pause_us = 20;

  for (;;)
    {
      gint64 now;

      if (self->id < 0 && !file_lock_open (self, error))
        return FALSE;
      if (set_lock (self->id, F_WRLCK, F_OFD_SETLK) == 0)
        {
          if (still_named (self->id))
            return TRUE;
          /* Removed while we waited: a lock of a file nobody finds. Open the new one. */
          close (self->id);
          self->id = -1;
          continue;
        }
      if (errno == EINTR)
        continue;
      if (errno != EAGAIN && errno != EACCES)
        {
          set_lock_error (self, errno, error);
          return FALSE;
        }
      now = g_get_monotonic_time ();
      if (deadline >= 0 && now >= deadline)
        return FALSE;
      g_usleep (deadline < 0 ? (gint64) pause_us : MIN ((gint64) pause_us, deadline - now));
      pause_us = MIN (pause_us * 2, LOCK_POLL_MAX_US);
    }
}

static gboolean
file_lock_release (ShmlabSemaphore  *self,
                   GError          **error)
{
  int saved_errno;

  if (self->id >= 0 && set_lock (self->id, F_UNLCK, F_OFD_SETLK) == 0)
    return TRUE;
  saved_errno = self->id >= 0 ? errno : EINVAL;
  g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_LOCK_ERROR,
               _("cannot release the lock of key “%s”: %s"), self->key, g_strerror (saved_errno));
  return FALSE;
}

static void
file_lock_close (ShmlabSemaphore *self)
{
  if (self->id >= 0)
    close (self->id);
  self->id = -1;
}

/* Removes @path if it is an empty file of this user that nobody has
 * locked: taken under its own lock, so that no one is between opening it
 * and sizing it. */
static void
remove_if_empty (const char *path)
{
  struct stat st;
  int fd;

  if (lstat (path, &st) != 0 || !S_ISREG (st.st_mode) || st.st_size != 0 ||
      !shmlab_user_is_me (st.st_uid))
    return;
  fd = open (path, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    return;
  if (set_lock (fd, F_WRLCK, F_OFD_SETLK) == 0 && fstat (fd, &st) == 0 && st.st_size == 0 &&
      still_names (path, fd))
    unlink (path);
  close (fd);
}

static void
file_lock_remove (ShmlabSemaphore *self)
{
  remove_if_empty (self->native_key);
}

static gboolean
file_lock_exists (const char *native_key)
{
  struct stat st;

  return lstat (native_key, &st) == 0 && S_ISREG (st.st_mode);
}

static void
file_lock_remove_name (const char *native_key)
{
  remove_if_empty (native_key);
}

/* Whether the file is locked now, asked without locking it (F_OFD_GETLK);
 * the kernel does not say by whom (-1), a ShmLab frame does. */
static ShmlabLockState
file_lock_holder (const char *segment_native,
                  const char *semaphore_native,
                  pid_t      *holder)
{
  struct flock lock = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
  guint8 header[SHMLAB_FRAME_HEADER_SIZE];
  struct stat st;
  guint32 *word;
  int fd;

  *holder = 0;
  if (lstat (semaphore_native, &st) != 0 || !S_ISREG (st.st_mode))
    return SHMLAB_LOCK_STATE_NONE;
  fd = open (semaphore_native, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    return SHMLAB_LOCK_STATE_NONE;
  if (fcntl (fd, F_OFD_GETLK, &lock) != 0)
    {
      close (fd);
      return SHMLAB_LOCK_STATE_NONE;
    }
  if (lock.l_type == F_UNLCK)
    {
      close (fd);
      return SHMLAB_LOCK_STATE_FREE;
    }
  if (pread (fd, header, sizeof header, 0) == (ssize_t) sizeof header &&
      (word = shmlab_frame_lock_holder (header, sizeof header)) != NULL)
    {
      guint32 value = GUINT32_FROM_LE (*word);

      /* A holder that died holds nothing: the kernel gave its lock back. */
      if (value != 0 && value <= G_MAXINT32 && !shmlab_process_has_ended (value))
        *holder = (pid_t) value;
    }
  close (fd);
  return SHMLAB_LOCK_STATE_TAKEN;
}

/* A lock on an unnamed file in the temp dir, with none of ShmLab's checks. */
static gpointer
file_bare_lock_open (GError **error)
{
  g_autofree char *dir = shmlab_native_key_temp_dir ();
  int fd = open (dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("cannot make a bare %s lock to compare with: %s"), "fcntl",
                   g_strerror (saved_errno));
      return NULL;
    }
  return GINT_TO_POINTER (fd + 1);
}

static gboolean
file_bare_lock_pair (gpointer bare)
{
  int fd = GPOINTER_TO_INT (bare) - 1;

  return set_lock (fd, F_WRLCK, F_OFD_SETLK) == 0 && set_lock (fd, F_UNLCK, F_OFD_SETLK) == 0;
}

static void
file_bare_lock_close (gpointer bare)
{
  close (GPOINTER_TO_INT (bare) - 1);
}

static guint64
file_max_size (const ShmlabLimits *limits)
{
  return limits->temp_dir_free;
}

static char *
file_describe_limits (const ShmlabLimits *limits)
{
  g_autofree char *dir = shmlab_native_key_temp_dir ();
  g_autofree char *free_space = shmlab_format_bytes (limits->temp_dir_free);
  g_autofree char *total = shmlab_format_bytes (limits->temp_dir_total);

  return g_strdup_printf (_("the disk of %s has %s free of %s"), dir, free_space, total);
}

static gboolean
file_check_size (const ShmlabLimits  *limits,
                 const char          *key,
                 guint64              size,
                 GError             **error)
{
  if ((guint64) size > G_MAXSIZE || (guint64) size > (guint64) G_MAXINT64)
    {
      shmlab_segment_set_size_error (error, SHMLAB_SEGMENT_ERROR_INVALID_SIZE, key,
                                     SHMLAB_BACKEND_FILE, size,
                                     _("larger than a file can be mapped"));
      return FALSE;
    }
  /* A legacy key's file goes to the temp dir; a native key's disk is
   * known when its file is sized (posix_fallocate() then says). */
  if (!g_str_has_prefix (key, "file:") && limits->temp_dir_free != G_MAXUINT64 &&
      size > limits->temp_dir_free)
    {
      g_autofree char *wanted = shmlab_format_bytes (size);
      g_autofree char *dir = shmlab_native_key_temp_dir ();
      g_autofree char *free_space = shmlab_format_bytes (limits->temp_dir_free);

      g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_OUT_OF_RESOURCES,
                   _("a segment of %s for key “%s” does not fit on the disk of %s, which has %s "
                     "free: pick a smaller size, free some space there, or give a native key "
                     "a path on another disk"),
                   wanted, key, dir, free_space);
      return FALSE;
    }
  return TRUE;
}

/* Never asked (a file is not bounded by the memory), but said plainly. */
static void
file_set_memory_error (GError             **error,
                       const ShmlabLimits  *limits,
                       const char          *key,
                       guint64              size)
{
  shmlab_segment_set_size_error (error, SHMLAB_SEGMENT_ERROR_OUT_OF_RESOURCES, key,
                                 SHMLAB_BACKEND_FILE, size, _("larger than the memory"));
}

/* A native key of this kind is a path from the root, which the system can take. */
static gboolean
file_qt_native_check (const char  *path,
                      GError     **error)
{
  gsize length = strlen (path);

  if (path[0] != '/')
    {
      g_set_error (error, SHMLAB_QT_KEY_ERROR, SHMLAB_QT_KEY_ERROR_NOT_ABSOLUTE,
                   _("A File native key is a file's path, and “%s” does not start at the root: "
                     "give it whole, e.g. “file:/tmp/demo”."),
                   path);
      return FALSE;
    }
  if (length >= PATH_MAX)
    {
      g_set_error (error, SHMLAB_QT_KEY_ERROR, SHMLAB_QT_KEY_ERROR_TOO_LONG,
                   _("The file's path is %" PRIu64 " bytes long; the system takes at most %d. "
                     "Choose a shorter key."),
                   (guint64) length, PATH_MAX - 1);
      return FALSE;
    }
  if (path[length - 1] == '/')
    {
      g_set_error (error, SHMLAB_QT_KEY_ERROR, SHMLAB_QT_KEY_ERROR_NOT_A_FILE,
                   _("“%s” ends with “/”, so it names a directory: add the file's name, "
                     "e.g. “%sdemo”."),
                   path, path);
      return FALSE;
    }
  return TRUE;
}

/* As Qt's System V native keys: the key itself when it is a path from the
 * root, else $XDG_RUNTIME_DIR/key. */
static char *
file_qt_native_name (const char  *key,
                     GError     **error)
{
  g_autofree char *path = NULL;

  if (key[0] == '/')
    path = g_strdup (key);
  else
    {
      const char *runtime = g_getenv ("XDG_RUNTIME_DIR");

      if (runtime == NULL || runtime[0] != '/')
        {
          g_set_error (error, SHMLAB_QT_KEY_ERROR, SHMLAB_QT_KEY_ERROR_NO_RUNTIME_DIR,
                       _("A relative File native key lives in XDG_RUNTIME_DIR, which is not set "
                         "here. Give the key as a path from the root instead, e.g. “/tmp/%s”."),
                       key);
          return NULL;
        }
      path = g_build_filename (runtime, key, NULL);
    }
  return file_qt_native_check (path, error) ? g_steal_pointer (&path) : NULL;
}

/* Every mapping of the file shows its path, device and inode. */
static gboolean
file_map_identity (const char              *native_key,
                   const ShmlabSegmentInfo *info,
                   ShmlabMapIdentity       *identity,
                   GError                 **error)
{
  struct stat st;

  if (lstat (native_key, &st) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("cannot look at %s: %s"), native_key, g_strerror (saved_errno));
      return FALSE;
    }
  identity->path_prefix = g_strdup (native_key);
  identity->inode = st.st_ino;
  identity->match_device = TRUE;
  identity->dev_major = major (st.st_dev);
  identity->dev_minor = minor (st.st_dev);
  identity->description = g_strdup_printf (_("the file %s (inode %" PRIu64 " on device %u:%u)"),
                                           native_key, (guint64) st.st_ino, identity->dev_major,
                                           identity->dev_minor);
  return TRUE;
}

const ShmlabBackendClass shmlab_backend_file = {
  .id = SHMLAB_BACKEND_FILE,
  .name = "file",
  .label = N_("File"),
  .choice = N_("File (mmap)"),
  .option = " --backend file",
  .size_advice = N_(", or free space on that disk"),
  .stale_note = N_("kept: a file stays until it is removed"),
  .from_qt = FALSE,
  .native_is_path = TRUE,
  .lock_in_segment = TRUE,
  .persistent = TRUE,
  .bounded_by_memory = FALSE,
  .holder_in_frame = TRUE,
  .lock_kept_by_dead_holder = FALSE,
  .lock_syscalls = 1,
  .lock_calls = N_("   (fcntl F_OFD_SETLK, and an fstat to take it)"),
  .native_name = file_native_name,
  .name_exists = file_name_exists,
  .map_identity = file_map_identity,
  .qt_key_type = "file",
  .qt_key_ftok_id = FALSE,
  .qt_native_name = file_qt_native_name,
  .qt_native_check = file_qt_native_check,
  .describe_native_key = file_describe_native_key,
  .create = file_create,
  .attach = file_attach,
  .detach = file_detach,
  .query = file_query,
  .remove = file_remove,
  .list = file_list,
  .lock_open = file_lock_open,
  .lock_acquire = file_lock_acquire,
  .lock_release = file_lock_release,
  .lock_close = file_lock_close,
  .lock_remove = file_lock_remove,
  .lock_exists = file_lock_exists,
  .lock_remove_name = file_lock_remove_name,
  .lock_holder = file_lock_holder,
  .bare_lock_open = file_bare_lock_open,
  .bare_lock_pair = file_bare_lock_pair,
  .bare_lock_close = file_bare_lock_close,
  .max_size = file_max_size,
  .describe_limits = file_describe_limits,
  .check_size = file_check_size,
  .set_memory_error = file_set_memory_error,
  .mapping_intact = file_mapping_intact,
};
