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

  if (key != NULL)
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

  /* Only a plain file: never follow or remove what someone planted. */
  if (shmlab_key_file_check (path, &exists, NULL) && exists)
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
  key_t found;

  *orphan = -1;
  if (!shmlab_key_file_check (path, &exists, NULL) || !exists || rename (path, taken) != 0)
    return FALSE;
  found = ftok (taken, 'Q');
  if (found == ipc_key)
    {
      g_unlink (taken);
      return TRUE;
    }
  if (link (taken, path) != 0)
    *orphan = found;
  g_unlink (taken);
  return FALSE;
}
