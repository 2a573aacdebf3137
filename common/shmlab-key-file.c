/* shmlab-key-file.c — the files in the temp dir that name System V objects
 *
 * Qt creates an empty file with O_CREAT|O_EXCL, mode 0640, and ftok()s it
 * with 'Q'. ShmLab does the same, writes the key into files it creates (so
 * `shmlab list` can show it; Qt ignores the contents), and refuses a path
 * that is a symbolic link or not a regular file, since ftok() would follow it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-key-file.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shmlab-error.h"
#include "shmlab-native-key.h"
#include "shmlab-users.h"

static void
set_errno_error (GError     **error,
                 int          saved_errno,
                 const char  *path)
{
  g_autofree char *dir = g_path_get_dirname (path);

  g_set_error (error, SHMLAB_SEGMENT_ERROR,
               saved_errno == EACCES || saved_errno == EPERM ? SHMLAB_SEGMENT_ERROR_PERMISSION_DENIED
                                                             : SHMLAB_SEGMENT_ERROR_KEY_ERROR,
               _("cannot use the key file %s: %s — check that %s exists and that you may write in it "
               "(the directory comes from TMPDIR)"),
               path, g_strerror (saved_errno), dir);
}

/* A key file named as Qt's legacy scheme names them: ShmLab writes the key
 * into the ones it makes. Any other (a native key's) is made empty, as Qt
 * makes it, and removed only while it is still empty. */
static gboolean
is_legacy_name (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);

  return g_str_has_prefix (base, SHMLAB_SEGMENT_PREFIX) || g_str_has_prefix (base, SHMLAB_SEMAPHORE_PREFIX);
}

/**
 * shmlab_key_file_check:
 * @path: the key file
 * @exists: (out): whether it is there
 * @error: a KEY_ERROR when something other than a regular file is there
 */
gboolean
shmlab_key_file_check (const char  *path,
                       gboolean    *exists,
                       GError     **error)
{
  struct stat st;

  if (lstat (path, &st) != 0)
    {
      int saved_errno = errno;

      if (saved_errno == ENOENT)
        {
          *exists = FALSE;
          return TRUE;
        }
      set_errno_error (error, saved_errno, path);
      return FALSE;
    }

  if (S_ISLNK (st.st_mode) || !S_ISREG (st.st_mode))
    {
      g_autofree char *owner = shmlab_user_describe (st.st_uid);
      g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_KEY_ERROR,
                   _("the key file %s is %s owned by %s, not a plain file: refusing to use it, "
                   "since it could point the key at someone else's segment — pick another key, "
                   "or delete that file if you trust it"),
                   path,
                   S_ISLNK (st.st_mode)   ? _("a symbolic link")
                   : S_ISDIR (st.st_mode) ? _("a directory")
                                          : _("a special file"),
                   owner);
      return FALSE;
    }

  *exists = TRUE;
  return TRUE;
}

/**
 * shmlab_key_file_ensure:
 * @path: the key file
 * @key: the user's key, written into a file this call creates
 * @created: (out): whether this call created it
 * @error: a #GError
 *
 * Creates the key file as Qt does (O_CREAT|O_EXCL, 0640) unless a regular
 * file is already there.
 */
gboolean
shmlab_key_file_ensure (const char  *path,
                        const char  *key,
                        gboolean    *created,
                        GError     **error)
{
  gboolean exists;
  int fd = -1;

  *created = FALSE;

  /* A file removed between open() and lstat() is made again, a few times at most. */
  for (guint attempt = 0; fd < 0; attempt++)
    {
      int saved_errno;

      fd = open (path, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC | O_NOFOLLOW, 0640);
      if (fd >= 0)
        break;
      saved_errno = errno;
      if (saved_errno != EEXIST || attempt == 3)
        {
          set_errno_error (error, saved_errno, path);
          return FALSE;
        }
      if (!shmlab_key_file_check (path, &exists, error))
        return FALSE;
      if (exists)
        return TRUE;
    }

  if (key != NULL && is_legacy_name (path))
    {
      gsize length = strlen (key);
      /* A short write only loses the hint for `shmlab list`; the file is what matters. */
      if (write (fd, key, length) != (gssize) length)
        g_debug ("could not write the key into %s", path);
    }
  close (fd);
  *created = TRUE;
  return TRUE;
}

/* ftok (path, 'Q') as Qt calls it, after checking the path is a plain file. */
gboolean
shmlab_key_file_ftok (const char  *path,
                      key_t       *ipc_key,
                      GError     **error)
{
  gboolean exists;
  key_t k;

  if (!shmlab_key_file_check (path, &exists, error))
    return FALSE;
  if (!exists)
    {
      g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_NOT_FOUND,
                   _("the key file %s does not exist"), path);
      return FALSE;
    }

  k = ftok (path, 'Q');
  if (k == -1)
    {
      set_errno_error (error, errno, path);
      return FALSE;
    }
  *ipc_key = k;
  return TRUE;
}

/* The key written into a key file by ShmLab, or NULL (Qt's files are empty). */
char *
shmlab_key_file_read_key (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length;
  gboolean exists;

  if (!shmlab_key_file_check (path, &exists, NULL) || !exists)
    return NULL;
  if (!g_file_get_contents (path, &contents, &length, NULL))
    return NULL;
  if (length == 0 || length > 255 || memchr (contents, '\0', length) ||
      !g_utf8_validate (contents, length, NULL))
    return NULL;
  return g_steal_pointer (&contents);
}

void
shmlab_key_file_remove (const char *path)
{
  gboolean exists;

  struct stat st;

  /* Only a plain file: never follow or remove what someone planted; and a
   * native key's only while empty, as Qt made it (a key may name any file). */
  if (shmlab_key_file_check (path, &exists, NULL) && exists &&
      (is_legacy_name (path) || (lstat (path, &st) == 0 && st.st_size == 0)))
    g_unlink (path);
}

/**
 * shmlab_key_file_remove_if_key:
 * @path: the key file
 * @ipc_key: the key ftok() gave when the object being removed was made
 * @orphan: (out): a key no file gives any more, or -1
 *
 * Removes the key file only when it still gives @ipc_key. Two processes can
 * remove one object at once, and a third make a new key file at the same
 * path in between: removing that new file would leave its object with a key
 * no file gives, which nothing could find again. So the file is first taken
 * away under a private name (rename() moves exactly one file, atomically),
 * looked at there, and put back when it is the newer one. When an even newer
 * file took its place meanwhile, the taken one's key comes back in @orphan:
 * its object can no longer be found, and the caller removes it.
 *
 * Returns: whether the file was removed
 */
gboolean
shmlab_key_file_remove_if_key (const char *path,
                               key_t       ipc_key,
                               key_t      *orphan)
{
  g_autofree char *taken = g_strdup_printf ("%s.removing-%ld", path, (long) getpid ());
  gboolean exists;
  struct stat st;
  key_t found;

  *orphan = -1;
  /* A native key may name any file: only an empty one, as Qt made it, goes. */
  if (!shmlab_key_file_check (path, &exists, NULL) || !exists ||
      (!is_legacy_name (path) && (lstat (path, &st) != 0 || st.st_size != 0)) ||
      rename (path, taken) != 0)
    return FALSE;
  found = ftok (taken, 'Q');
  if (found == ipc_key && (is_legacy_name (path) || (lstat (taken, &st) == 0 && st.st_size == 0)))
    {
      g_unlink (taken);
      return TRUE;
    }
  if (link (taken, path) == 0)
    g_unlink (taken);
  else if (!is_legacy_name (path) && lstat (taken, &st) == 0 && st.st_size != 0)
    rename (taken, path);  /* someone's data: back, whatever took the place */
  else
    {
      *orphan = found;
      g_unlink (taken);
    }
  return FALSE;
}

/* Whether @path lies inside the directory @dir (itself not included). */
static gboolean
path_is_under (const char *path,
               const char *dir)
{
  gsize length;

  if (dir == NULL || dir[0] != '/')
    return FALSE;
  length = strlen (dir);
  while (length > 1 && dir[length - 1] == '/')
    length--;
  return strncmp (path, dir, length) == 0 && path[length] == '/' && path[length + 1] != '\0';
}

/**
 * shmlab_key_file_check_place:
 * @path: a native System V key: the key file's absolute path
 * @typed: the person typed exactly this absolute path
 * @error: a #ShmlabQtKeyError saying what is wrong with the place
 *
 * Where a key file of a native key may be made (Qt makes it wherever the
 * key says): only in the runtime or temp directory unless the person typed
 * that very path; never through a `.` or `..` part or a directory that is
 * a symbolic link; and, as root, never in another user's directory.
 */
gboolean
shmlab_key_file_check_place (const char  *path,
                             gboolean     typed,
                             GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *real_dir = NULL;
  g_autofree char *temp_dir = shmlab_native_key_temp_dir ();
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  struct stat st;

  for (guint i = 1; parts[i] != NULL; i++)
    if (g_str_equal (parts[i], ".") || g_str_equal (parts[i], "..") ||
        (parts[i][0] == '\0' && parts[i + 1] != NULL))
      {
        g_set_error (error, SHMLAB_QT_KEY_ERROR, SHMLAB_QT_KEY_ERROR_PLACE,
                     _("The key file's path %s holds “.”, “..” or “//”: give the path "
                       "plainly, from the root, e.g. “/tmp/demo”."),
                     path);
        return FALSE;
      }
  if (!typed && !path_is_under (path, g_getenv ("XDG_RUNTIME_DIR")) &&
      !path_is_under (path, temp_dir))
    {
      g_set_error (error, SHMLAB_QT_KEY_ERROR, SHMLAB_QT_KEY_ERROR_PLACE,
                   _("The key file %s would be outside the runtime and temp directories: "
                     "ShmLab makes key files elsewhere only at a path typed in full, from "
                     "the root."),
                   path);
      return FALSE;
    }
  if (lstat (dir, &st) != 0 || !S_ISDIR (st.st_mode))
    {
      gboolean link = lstat (dir, &st) == 0 && S_ISLNK (st.st_mode);

      g_set_error (error, SHMLAB_QT_KEY_ERROR,
                   link ? SHMLAB_QT_KEY_ERROR_SYMLINK : SHMLAB_QT_KEY_ERROR_NOT_A_FILE,
                   link ? _("The key file's directory %s is a symbolic link, which ShmLab does "
                            "not follow: give the path it leads to.")
                        : _("The key file's directory %s does not exist: make it first, or "
                            "choose a key file in an existing directory such as /tmp."),
                   dir);
      return FALSE;
    }
  real_dir = realpath (dir, NULL);
  if (real_dir == NULL || !g_str_equal (real_dir, dir))
    {
      g_set_error (error, SHMLAB_QT_KEY_ERROR, SHMLAB_QT_KEY_ERROR_SYMLINK,
                   _("The key file's path %s goes through a symbolic link, which ShmLab "
                     "does not follow: give the path it leads to (%s)."),
                   path, real_dir != NULL ? real_dir : dir);
      return FALSE;
    }
  if (geteuid () == 0 && st.st_uid != 0)
    {
      g_autofree char *owner = shmlab_user_describe (st.st_uid);

      g_set_error (error, SHMLAB_QT_KEY_ERROR, SHMLAB_QT_KEY_ERROR_OTHER_USERS_DIR,
                   _("The key file's directory %s belongs to %s: as root, ShmLab makes and "
                     "removes nothing in another user's directory. Run as that user, or "
                     "choose a key file in /tmp."),
                   dir, owner);
      return FALSE;
    }
  if (lstat (path, &st) == 0 && !S_ISREG (st.st_mode))
    {
      g_set_error (error, SHMLAB_QT_KEY_ERROR,
                   S_ISLNK (st.st_mode) ? SHMLAB_QT_KEY_ERROR_SYMLINK : SHMLAB_QT_KEY_ERROR_NOT_A_FILE,
                   _("The key file %s is %s, not a plain file: choose another key."),
                   path,
                   S_ISLNK (st.st_mode)   ? _("a symbolic link")
                   : S_ISDIR (st.st_mode) ? _("a directory")
                                          : _("a special file"));
      return FALSE;
    }
  return TRUE;
}
