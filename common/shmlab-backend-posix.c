/* shmlab-backend-posix.c — POSIX: segments by shm_open("/qipc_sharedmemory_…")
 * and semaphores by sem_open("/qipc_systemsem_…")
 *
 * The process that created a POSIX segment unlinks its name when it
 * detaches; mappings other processes already made stay valid until they
 * unmap. (Qt 6.6 never unlinks, and leaks into /dev/shm.) A holder that
 * dies keeps a POSIX semaphore taken: see lock_kept_by_dead_holder.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-backend-private.h"
#include "shmlab-command.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <string.h>
#include <sys/mman.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "shmlab-frame.h"
#include "shmlab-proc-maps.h"
#include "shmlab-users.h"

#define DEV_SHM "/dev/shm"

static char *
dev_shm_path (const char *native_key)
{
  return g_build_filename (DEV_SHM, native_key + 1, NULL);
}

static void
info_from_stat (ShmlabSegmentInfo *info,
                const char        *native_key,
                const struct stat *st)
{
  info->exists = TRUE;
  info->size = st->st_size;
  info->owner_uid = st->st_uid;
  info->mode = st->st_mode & 0777;
  info->id = -1;
  info->change_time = MAX (st->st_mtime, st->st_ctime);
  info->attach_count = shmlab_proc_maps_count_file (major (st->st_dev), minor (st->st_dev),
                                                    st->st_ino, DEV_SHM "/");
  info->attach_count_exact = geteuid () == 0;
}

static void
set_errno_error (GError     **error,
                 int          saved_errno,
                 const char  *key,
                 const char  *what)
{
  /* shm_open() says EINVAL for a name it cannot take. */
  if (saved_errno == EINVAL)
    g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_KEY_ERROR,
                 _("cannot %s the segment of key “%s”: %s"), what, key, g_strerror (saved_errno));
  else
    shmlab_segment_set_errno_error (error, saved_errno, key, what);
}

/* /dev/shm is writable by every user: something planted under a segment's
 * name (a symbolic link to a file of someone else, a FIFO) is never used. */
static void
set_not_segment_error (GError            **error,
                       const char         *key,
                       const char         *path,
                       const struct stat  *st)
{
  g_autofree char *owner = shmlab_user_describe (st->st_uid);

  g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_KEY_ERROR,
               _("%s, where the segment of key “%s” would be, is %s owned by %s, not a segment: "
               "refusing to use it, since it could point the key at someone else's file — pick "
               "another key, or delete it if you trust it"),
               path, key,
               S_ISLNK (st->st_mode)   ? _("a symbolic link")
               : S_ISDIR (st->st_mode) ? _("a directory")
                                       : _("a special file"),
               owner);
}

static gboolean
map_fd (const char        *key,
        const char        *native_key,
        int                fd,
        ShmlabAccessMode   mode,
        ShmlabMapping     *mapping,
        GError           **error)
{
  struct stat st;
  void *data;

  if (fstat (fd, &st) != 0)
    {
      set_errno_error (error, errno, key, _("inspect"));
      return FALSE;
    }
  if (!S_ISREG (st.st_mode))
    {
      g_autofree char *path = dev_shm_path (native_key);
      set_not_segment_error (error, key, path, &st);
      return FALSE;
    }
  if (st.st_uid != geteuid ())
    {
      shmlab_segment_set_not_mine_error (error, key, st.st_uid);
      return FALSE;
    }
  if (st.st_size <= 0)
    {
      g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_INVALID_SIZE,
                   _("the segment of key “%s” has size 0: it is being created right now, or a "
                   "program crashed while creating it — try again, or remove it"),
                   key);
      return FALSE;
    }
  if ((guint64) st.st_size > G_MAXSIZE)
    {
      g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_INVALID_SIZE,
                   _("the segment of key “%s” is larger than this process can map"), key);
      return FALSE;
    }

  data = mmap (NULL, st.st_size, mode == SHMLAB_ACCESS_READ_ONLY ? PROT_READ : PROT_READ | PROT_WRITE,
               MAP_SHARED, fd, 0);
  if (data == MAP_FAILED)
    {
      set_errno_error (error, errno, key, _("map"));
      return FALSE;
    }

  mapping->data = data;
  mapping->size = st.st_size;
  mapping->mode = mode;
  mapping->id = -1;
  return TRUE;
}

static guint64
posix_max_size (const ShmlabLimits *limits)
{
  return MIN (limits->dev_shm_free, limits->memory_total);
}

static char *
posix_describe_limits (const ShmlabLimits *limits)
{
  g_autofree char *memory = shmlab_format_bytes (limits->memory_total);
  g_autofree char *free_space = shmlab_format_bytes (limits->dev_shm_free);
  g_autofree char *total = shmlab_format_bytes (limits->dev_shm_total);

  return g_strdup_printf (_("/dev/shm has %s free of %s, and the system has %s of memory "
                          "(RAM and swap)"),
                          free_space, total, memory);
}

static void
posix_set_memory_error (GError             **error,
                        const ShmlabLimits  *limits,
                        const char          *key,
                        guint64              size)
{
  g_autofree char *wanted = shmlab_format_bytes (size);
  g_autofree char *memory = shmlab_format_bytes (limits->memory_total);
  g_autofree char *free_space = shmlab_format_bytes (limits->dev_shm_free);

  g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_OUT_OF_RESOURCES,
               _("a segment of %s for key “%s” is larger than all the memory of this system, "
               "RAM and swap together: %s, so no setting allows it; /dev/shm has %s free: "
               "pick a smaller size"),
               wanted, key, memory, free_space);
}

/* A POSIX segment larger than what /dev/shm has free. */
static void
set_dev_shm_error (GError             **error,
                   const ShmlabLimits  *limits,
                   const char          *key,
                   guint64              size)
{
  g_autofree char *wanted = shmlab_format_bytes (size);
  g_autofree char *free_space = shmlab_format_bytes (limits->dev_shm_free);
  g_autofree char *total = shmlab_format_bytes (limits->dev_shm_total);
  g_autofree char *list = shmlab_command_for_backend ("list", SHMLAB_BACKEND_POSIX);

  g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_OUT_OF_RESOURCES,
               _("a segment of %s for key “%s” does not fit in /dev/shm, which has %s free of %s: "
               "pick a smaller size, remove segments no longer needed (this lists them: %s), "
               "use the System V backend, or as root make /dev/shm larger (mount -o "
               "remount,size=… /dev/shm)"),
               wanted, key, free_space, total, list);
}

static gboolean
posix_check_size (const ShmlabLimits  *limits,
                  const char          *key,
                  guint64              size,
                  GError             **error)
{
  if (limits->dev_shm_free != G_MAXUINT64 && size > limits->dev_shm_free)
    {
      set_dev_shm_error (error, limits, key, size);
      return FALSE;
    }
  return TRUE;
}

static gboolean posix_query (const char         *key,
                             const char         *native_key,
                             ShmlabSegmentInfo  *info,
                             GError            **error);

static gboolean
posix_create (const char     *key,
              const char     *native_key,
              gsize           size,
              ShmlabAccessMode mode,
              ShmlabMapping  *mapping,
              GError        **error)
{
  int fd, rc;

  fd = shm_open (native_key, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;

      if (saved_errno == EEXIST)
        {
          ShmlabSegmentInfo info;
          if (posix_query (key, native_key, &info, error))
            shmlab_segment_set_exists_error (error, key, SHMLAB_BACKEND_POSIX, &info);
        }
      else
        set_errno_error (error, saved_errno, key, _("create"));
      return FALSE;
    }

  if (ftruncate (fd, size) != 0)
    {
      int saved_errno = errno;
      shm_unlink (native_key);
      close (fd);
      shmlab_segment_set_size_error (error, SHMLAB_SEGMENT_ERROR_INVALID_SIZE, key,
                                     SHMLAB_BACKEND_POSIX, size, g_strerror (saved_errno));
      return FALSE;
    }

  /* Reserve the pages now: a full /dev/shm then fails here, not with SIGBUS at the first write. */
  rc = posix_fallocate (fd, 0, size);
  if (rc != 0 && rc != EOPNOTSUPP && rc != EINVAL)
    {
      shm_unlink (native_key);
      close (fd);
      if (rc == ENOSPC)
        {
          ShmlabLimits limits;

          /* Read after the unlink: the free space a smaller segment could have. */
          shmlab_limits_read (&limits);
          set_dev_shm_error (error, &limits, key, size);
        }
      else
        shmlab_segment_set_size_error (error, SHMLAB_SEGMENT_ERROR_OUT_OF_RESOURCES, key,
                                       SHMLAB_BACKEND_POSIX, size, g_strerror (rc));
      return FALSE;
    }

  if (!map_fd (key, native_key, fd, mode, mapping, error))
    {
      shm_unlink (native_key);
      close (fd);
      return FALSE;
    }
  close (fd);
  mapping->created = TRUE;
  return TRUE;
}

static gboolean
posix_attach (const char        *key,
              const char        *native_key,
              ShmlabAccessMode   mode,
              ShmlabMapping     *mapping,
              GError           **error)
{
  gboolean ok;
  int fd;

  /* O_NONBLOCK: opening a FIFO planted under the name must not wait for a writer. */
  fd = shm_open (native_key,
                 (mode == SHMLAB_ACCESS_READ_ONLY ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NONBLOCK, 0);
  if (fd < 0)
    {
      int saved_errno = errno;
      g_autofree char *path = dev_shm_path (native_key);
      struct stat st;

      if (saved_errno == ELOOP && lstat (path, &st) == 0)
        set_not_segment_error (error, key, path, &st);
      else if (saved_errno == ENOENT)
        g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_NOT_FOUND,
                     _("no segment has the key “%s” (there is no %s): start the writer first, or "
                     "check the key's spelling and that both programs use the POSIX backend"),
                     key, path);
      else if ((saved_errno == EACCES || saved_errno == EPERM) && stat (path, &st) == 0)
        shmlab_segment_set_not_mine_error (error, key, st.st_uid);
      else
        set_errno_error (error, saved_errno, key, _("open"));
      return FALSE;
    }

  ok = map_fd (key, native_key, fd, mode, mapping, error);
  close (fd);
  mapping->created = FALSE;
  return ok;
}

static gboolean
posix_detach (const char     *native_key,
              ShmlabMapping  *mapping,
              gboolean        remove_if_last,
              gboolean       *removed,
              GError        **error)
{
  *removed = FALSE;
  if (munmap (mapping->data, mapping->size) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_UNKNOWN, _("cannot unmap: %s"),
                   g_strerror (saved_errno));
      return FALSE;
    }
  mapping->data = NULL;

  /* The creator takes the name away; other mappings stay valid until unmapped. */
  if (remove_if_last && mapping->created && shm_unlink (native_key) == 0)
    *removed = TRUE;
  return TRUE;
}

static gboolean
posix_query (const char         *key,
             const char         *native_key,
             ShmlabSegmentInfo  *info,
             GError            **error)
{
  g_autofree char *path = dev_shm_path (native_key);
  struct stat st;

  shmlab_segment_info_clear (info);
  if (lstat (path, &st) != 0)
    {
      int saved_errno = errno;
      if (saved_errno == ENOENT)
        return TRUE;
      set_errno_error (error, saved_errno, key, _("inspect"));
      return FALSE;
    }
  if (!S_ISREG (st.st_mode))
    {
      set_not_segment_error (error, key, path, &st);
      return FALSE;
    }
  info_from_stat (info, native_key, &st);
  return TRUE;
}

static gboolean
posix_remove (const char               *key,
              const char               *native_key,
              const ShmlabSegmentInfo  *info,
              GError                  **error)
{
  if (info->exists && shm_unlink (native_key) != 0 && errno != ENOENT)
    {
      int saved_errno = errno;
      if (saved_errno == EACCES || saved_errno == EPERM)
        shmlab_segment_set_not_mine_error (error, key, info->owner_uid);
      else
        set_errno_error (error, saved_errno, key, _("remove"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
posix_list (GPtrArray  *listings,
            GError    **error)
{
  g_autoptr(GDir) dir = g_dir_open (DEV_SHM, 0, NULL);
  const char *name;
  uid_t me = geteuid ();

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (DEV_SHM, name, NULL);
      g_autofree char *native = g_strconcat ("/", name, NULL);
      ShmlabSegmentListing *l;
      struct stat st;

      if (g_str_has_prefix (name, "sem.") || lstat (path, &st) != 0 || !S_ISREG (st.st_mode))
        continue;
      if (me != 0 && st.st_uid != me && (st.st_mode & 0004) == 0)
        continue;

      l = g_new0 (ShmlabSegmentListing, 1);
      l->backend = SHMLAB_BACKEND_POSIX;
      info_from_stat (&l->info, native, &st);
      l->native_key = g_steal_pointer (&native);
      l->key_letters = shmlab_native_key_to_key (name, NULL);
      l->qt_named = l->key_letters != NULL;
      if (l->key_letters == NULL)
        l->key_letters = g_strdup ("");
      g_ptr_array_add (listings, l);
    }
  return TRUE;
}

/* The file behind a POSIX semaphore's name. */
static char *
sem_path (const char *native_key)
{
  return g_strconcat ("/dev/shm/sem.", native_key + 1, NULL);
}

/* Opens the semaphore of the key, creating it (set to 1) when there is none. */
static gboolean
posix_lock_open (ShmlabSemaphore  *self,
                 GError          **error)
{
  g_autofree char *path = NULL;
  struct stat st;
  sem_t *sem;

  if (self->handle != NULL)
    return TRUE;
  path = sem_path (self->native_key);
  sem = sem_open (self->native_key, O_CREAT | O_EXCL, 0600, 1);
  if (sem != SEM_FAILED)
    self->created = TRUE;
  else if (errno == EEXIST)
    {
      sem = sem_open (self->native_key, 0);
      /* Root may open anyone's lock: ShmLab takes only the user's own. */
      if (sem != SEM_FAILED && stat (path, &st) == 0 && !shmlab_user_is_me (st.st_uid))
        {
          sem_close (sem);
          shmlab_semaphore_set_owner_error (self, st.st_uid, error);
          return FALSE;
        }
    }

  if (sem == SEM_FAILED)
    {
      int saved_errno = errno;

      if ((saved_errno == EACCES || saved_errno == EPERM) && stat (path, &st) == 0)
        shmlab_semaphore_set_owner_error (self, st.st_uid, error);
      else
        g_set_error (error, SHMLAB_SEGMENT_ERROR,
                     saved_errno == EACCES ? SHMLAB_SEGMENT_ERROR_PERMISSION_DENIED
                     : saved_errno == ENAMETOOLONG ? SHMLAB_SEGMENT_ERROR_KEY_ERROR
                     : saved_errno == EMFILE || saved_errno == ENFILE || saved_errno == ENOSPC
                         ? SHMLAB_SEGMENT_ERROR_OUT_OF_RESOURCES
                         : SHMLAB_SEGMENT_ERROR_LOCK_ERROR,
                     _("cannot open the lock %s of key “%s”: %s"), path, self->key,
                     g_strerror (saved_errno));
      return FALSE;
    }

  self->handle = sem;
  return TRUE;
}

static gboolean
posix_lock_acquire (ShmlabSemaphore  *self,
                    gint64            slice_ms,
                    GError          **error)
{
  int rc;

  if (self->handle == NULL && !posix_lock_open (self, error))
    return FALSE;
  if (slice_ms < 0)
    rc = sem_wait (self->handle);
  else
    {
      struct timespec ts;
      clock_gettime (CLOCK_MONOTONIC, &ts);
      ts.tv_sec += slice_ms / 1000;
      ts.tv_nsec += (slice_ms % 1000) * 1000000L;
      if (ts.tv_nsec >= 1000000000L)
        {
          ts.tv_sec++;
          ts.tv_nsec -= 1000000000L;
        }
      rc = sem_clockwait (self->handle, CLOCK_MONOTONIC, &ts);
    }
  if (rc == 0)
    return TRUE;
  if (errno != ETIMEDOUT && errno != EINTR)
    {
      int saved_errno = errno;
      g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_LOCK_ERROR,
                   _("cannot take the lock of key “%s”: %s"), self->key, g_strerror (saved_errno));
    }
  return FALSE;
}

static gboolean
posix_lock_release (ShmlabSemaphore  *self,
                    GError          **error)
{
  int saved_errno;

  if (self->handle != NULL && sem_post (self->handle) == 0)
    return TRUE;
  saved_errno = self->handle ? errno : EINVAL;
  g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_LOCK_ERROR,
               _("cannot release the lock of key “%s”: %s"), self->key, g_strerror (saved_errno));
  return FALSE;
}

static void
posix_lock_close (ShmlabSemaphore *self)
{
  if (self->handle != NULL)
    sem_close (self->handle);
  self->handle = NULL;
}

static void
posix_lock_remove (ShmlabSemaphore *self)
{
  sem_unlink (self->native_key);
}

static gboolean
posix_lock_exists (const char *native_key)
{
  g_autofree char *path = sem_path (native_key);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

static void
posix_lock_remove_name (const char *native_key)
{
  sem_unlink (native_key);
}

/* The pid a ShmLab frame recorded as the lock's holder, read through a
 * read-only mapping of the header alone; 0 for any other content. */
static pid_t
frame_lock_holder (const char *segment_native)
{
  struct stat st;
  gpointer data;
  guint32 *word;
  guint32 value = 0;
  int fd;

  fd = shm_open (segment_native, O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0);
  if (fd < 0)
    return 0;
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode) || st.st_size < SHMLAB_FRAME_HEADER_SIZE)
    {
      close (fd);
      return 0;
    }
  data = mmap (NULL, SHMLAB_FRAME_HEADER_SIZE, PROT_READ, MAP_SHARED, fd, 0);
  close (fd);
  if (data == MAP_FAILED)
    return 0;
  word = shmlab_frame_lock_holder (data, SHMLAB_FRAME_HEADER_SIZE);
  if (word != NULL)
    value = GUINT32_FROM_LE (__atomic_load_n (word, __ATOMIC_ACQUIRE));
  munmap (data, SHMLAB_FRAME_HEADER_SIZE);
  return value <= G_MAXINT32 ? (pid_t) value : 0;
}

/* Taken when its value is 0. A POSIX semaphore does not know who took it:
 * a ShmLab frame records that. */
static ShmlabLockState
posix_lock_holder (const char *segment_native,
                   const char *semaphore_native,
                   pid_t      *holder)
{
  sem_t *sem;
  int value = 0;
  gboolean known;

  *holder = 0;
  sem = sem_open (semaphore_native, 0);
  if (sem == SEM_FAILED)
    return SHMLAB_LOCK_STATE_NONE;
  known = sem_getvalue (sem, &value) == 0;
  sem_close (sem);
  if (!known)
    return SHMLAB_LOCK_STATE_NONE;
  if (value > 0)
    return SHMLAB_LOCK_STATE_FREE;
  *holder = frame_lock_holder (segment_native);
  return SHMLAB_LOCK_STATE_TAKEN;
}

/* An unnamed semaphore set to 1, with none of ShmLab's checks: what the bench compares with. */
static gpointer
posix_bare_lock_open (GError **error)
{
  sem_t *sem = g_new (sem_t, 1);

  if (sem_init (sem, 0, 1) == 0)
    return sem;
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
               _("cannot make a bare %s semaphore to compare with: %s"), "POSIX",
               g_strerror (errno));
  g_free (sem);
  return NULL;
}

static gboolean
posix_bare_lock_pair (gpointer bare)
{
  return sem_wait (bare) == 0 && sem_post (bare) == 0;
}

static void
posix_bare_lock_close (gpointer bare)
{
  sem_destroy (bare);
  g_free (bare);
}

/* The name, and the file it is under /dev/shm. */
static char *
posix_describe_native_key (const char              *native_key,
                           const ShmlabSegmentInfo *info)
{
  return g_strdup_printf (_("%s  (the file /dev/shm%s)"), native_key, native_key);
}

/* A POSIX name is the segment itself: nothing else is left. */
static gboolean
posix_name_exists (const char *native_key)
{
  return FALSE;
}

/* A POSIX segment is the file /dev/shm/NAME: the same device and inode in
 * every process that maps it. */
/* A Qt native POSIX name: one optional leading "/", then 1–251 bytes with
 * no "/" (its lock is "sem." and the name, in a 255-byte file name). */
static gboolean
posix_qt_native_check (const char  *name,
                       GError     **error)
{
  const char *bare = name[0] == '/' ? name + 1 : name;
  gsize length = strlen (bare);

  if (length == 0)
    {
      g_set_error_literal (error, SHMLAB_QT_KEY_ERROR, SHMLAB_QT_KEY_ERROR_EMPTY,
                           _("The key is empty: a POSIX name needs at least one character "
                             "after its “/”."));
      return FALSE;
    }
  if (strchr (bare, '/') != NULL)
    {
      g_autofree char *suggested = g_strdelimit (g_strdup (bare), "/", '-');

      g_set_error (error, SHMLAB_QT_KEY_ERROR, SHMLAB_QT_KEY_ERROR_SLASH,
                   _("“%s” holds a “/” after its first character, which a POSIX name may "
                     "not: the kernel refuses it (Qt says “bad name”). Leave the “/” out, "
                     "e.g. “%s”."),
                   name, suggested);
      return FALSE;
    }
  if (length > SHMLAB_QT_KEY_POSIX_NAME_MAX)
    {
      g_set_error (error, SHMLAB_QT_KEY_ERROR, SHMLAB_QT_KEY_ERROR_TOO_LONG,
                   _("The POSIX name is %" PRIu64 " bytes long; the system takes at "
                     "most %d (its lock is “sem.” and the name, in a 255-byte file name). "
                     "Choose a shorter key."),
                   (guint64) length, SHMLAB_QT_KEY_POSIX_NAME_MAX);
      return FALSE;
    }
  return TRUE;
}

/* QNativeIpcKey(key, PosixRealtime): the name as typed. */
static char *
posix_qt_native_name (const char  *key,
                      GError     **error)
{
  return posix_qt_native_check (key, error) ? g_strdup (key) : NULL;
}

static gboolean
posix_map_identity (const char              *native_key,
                    const ShmlabSegmentInfo *info,
                    ShmlabMapIdentity       *identity,
                    GError                 **error)
{
  g_autofree char *path = dev_shm_path (native_key);
  struct stat st;

  if (lstat (path, &st) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("cannot look at %s: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }
  identity->path_prefix = g_strconcat (DEV_SHM, "/", NULL);
  identity->inode = st.st_ino;
  identity->match_device = TRUE;
  identity->dev_major = major (st.st_dev);
  identity->dev_minor = minor (st.st_dev);
  identity->description = g_strdup_printf (_("the file %s (inode %" PRIu64 " on device %u:%u)"),
                                           path, (guint64) st.st_ino, identity->dev_major,
                                           identity->dev_minor);
  return TRUE;
}

/* The name given to shm_open() or sem_open(), "/qipc_…". */
static char *
posix_native_name (const char *safe_name)
{
  return g_strconcat ("/", safe_name, NULL);
}

const ShmlabBackendClass shmlab_backend_posix = {
  .id = SHMLAB_BACKEND_POSIX,
  .name = "posix",
  .label = N_("POSIX"),
  .choice = N_("POSIX"),
  .option = " --backend posix",
  .size_advice = N_(", or free space in /dev/shm"),
  .stale_note = N_("left behind: no process maps it — Qt 6 programs do not remove POSIX "
                   "segments when they exit"),
  .from_qt = TRUE,
  .native_is_path = FALSE,
  .lock_in_segment = FALSE,
  .persistent = FALSE,
  .bounded_by_memory = TRUE,
  .holder_in_frame = TRUE,
  .lock_kept_by_dead_holder = TRUE,
  .lock_syscalls = 0,
  .lock_calls = N_("   (sem_wait + sem_post)"),
  .native_name = posix_native_name,
  .name_exists = posix_name_exists,
  .map_identity = posix_map_identity,
  .qt_key_type = "posix",
  .qt_key_ftok_id = FALSE,
  .qt_native_name = posix_qt_native_name,
  .qt_native_check = posix_qt_native_check,
  .describe_native_key = posix_describe_native_key,
  .create = posix_create,
  .attach = posix_attach,
  .detach = posix_detach,
  .query = posix_query,
  .remove = posix_remove,
  .list = posix_list,
  .lock_open = posix_lock_open,
  .lock_acquire = posix_lock_acquire,
  .lock_release = posix_lock_release,
  .lock_close = posix_lock_close,
  .lock_remove = posix_lock_remove,
  .lock_exists = posix_lock_exists,
  .lock_remove_name = posix_lock_remove_name,
  .lock_holder = posix_lock_holder,
  .bare_lock_open = posix_bare_lock_open,
  .bare_lock_pair = posix_bare_lock_pair,
  .bare_lock_close = posix_bare_lock_close,
  .max_size = posix_max_size,
  .describe_limits = posix_describe_limits,
  .check_size = posix_check_size,
  .set_memory_error = posix_set_memory_error,
};
