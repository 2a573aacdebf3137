/* shmlab-segment-sysv.c — System V segments, named and sized as Qt does
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-segment-private.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <stdio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>

#include "shmlab-key-file.h"
#include "shmlab-limits.h"
#include "shmlab-semaphore.h"
#include "shmlab-sysv-calls.h"

/* One line of /proc/sysvipc/shm, which lists every segment whatever its mode. */
typedef struct
{
  key_t key;
  int id;
  guint mode;
  guint64 size;
  pid_t cpid;
  pid_t lpid;
  gint nattch;
  uid_t uid;
  gint64 ctime;
} ProcShm;

static GArray *
read_proc_shm (void)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  GArray *entries = g_array_new (FALSE, TRUE, sizeof (ProcShm));

  if (!g_file_get_contents ("/proc/sysvipc/shm", &contents, NULL, NULL))
    return entries;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 1; lines[i]; i++)
    {
      ProcShm e = { 0 };
      int key, id, cpid, lpid, nattch;
      unsigned perms, uid, gid, cuid, cgid;
      unsigned long long size;
      long long atime, dtime, ctime;

      if (sscanf (lines[i], "%d %d %o %llu %d %d %d %u %u %u %u %lld %lld %lld", &key, &id, &perms,
                  &size, &cpid, &lpid, &nattch, &uid, &gid, &cuid, &cgid, &atime, &dtime,
                  &ctime) != 14)
        continue;
      e.key = key;
      e.id = id;
      e.mode = perms & 0777;
      e.size = size;
      e.cpid = cpid;
      e.lpid = lpid;
      e.nattch = nattch;
      e.uid = uid;
      e.ctime = MAX (ctime, MAX (atime, dtime));
      g_array_append_val (entries, e);
    }
  return entries;
}

static void
info_from_proc (ShmlabSegmentInfo *info,
                const ProcShm     *e)
{
  info->exists = TRUE;
  info->size = e->size;
  info->attach_count = e->nattch;
  info->attach_count_exact = TRUE;
  info->owner_uid = e->uid;
  info->creator_pid = e->cpid;
  info->last_pid = e->lpid;
  info->mode = e->mode;
  info->id = e->id;
  info->sysv_key = e->key;
  info->change_time = e->ctime;
}

static gboolean
query_ipc_key (key_t              ipc_key,
               ShmlabSegmentInfo *info)
{
  g_autoptr(GArray) entries = read_proc_shm ();
  struct shmid_ds ds;
  int id;

  for (guint i = 0; i < entries->len; i++)
    if (g_array_index (entries, ProcShm, i).key == ipc_key)
      {
        info_from_proc (info, &g_array_index (entries, ProcShm, i));
        return TRUE;
      }

  /* Without /proc, ask the kernel (this needs read permission). */
  id = shmlab_sysv_shmget (ipc_key, 0, 0);
  if (id >= 0 && shmctl (id, IPC_STAT, &ds) == 0)
    {
      ProcShm e = { ipc_key, id, ds.shm_perm.mode & 0777, ds.shm_segsz, ds.shm_cpid,
                    ds.shm_lpid, (gint) ds.shm_nattch, ds.shm_perm.uid,
                    MAX (ds.shm_ctime, MAX (ds.shm_atime, ds.shm_dtime)) };
      info_from_proc (info, &e);
      return TRUE;
    }
  return FALSE;
}

static void
set_errno_error (GError     **error,
                 int          saved_errno,
                 const char  *key,
                 const char  *what)
{
  ShmlabSegmentError code;

  switch (saved_errno)
    {
    case EACCES:
    case EPERM: code = SHMLAB_SEGMENT_ERROR_PERMISSION_DENIED; break;
    case ENOENT:
    case EIDRM: code = SHMLAB_SEGMENT_ERROR_NOT_FOUND; break;
    case ENOMEM:
    case ENOSPC:
    case EMFILE: code = SHMLAB_SEGMENT_ERROR_OUT_OF_RESOURCES; break;
    default: code = SHMLAB_SEGMENT_ERROR_UNKNOWN; break;
    }

  if (saved_errno == ENOSYS)
    g_set_error (error, SHMLAB_SEGMENT_ERROR, code,
                 _("cannot %s the segment of key “%s”: this system has no System V shared memory "
                 "(common in containers) — use the POSIX backend instead (shmlab … --backend "
                 "posix)"),
                 what, key);
  else
    g_set_error (error, SHMLAB_SEGMENT_ERROR, code, _("cannot %s the segment of key “%s”: %s"), what,
                 key, g_strerror (saved_errno));
}

static gboolean
map (const char        *key,
     int                id,
     ShmlabAccessMode   mode,
     ShmlabMapping     *mapping,
     GError           **error)
{
  struct shmid_ds ds;
  void *data;

  data = shmat (id, NULL, mode == SHMLAB_ACCESS_READ_ONLY ? SHM_RDONLY : 0);
  if (data == (void *) -1)
    {
      int saved_errno = errno;
      if (saved_errno == EINVAL || saved_errno == EIDRM)
        g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_NOT_FOUND,
                     _("the segment of key “%s” was removed while attaching: create it again"), key);
      else
        set_errno_error (error, saved_errno, key, _("attach to"));
      return FALSE;
    }

  if (shmctl (id, IPC_STAT, &ds) != 0)
    {
      int saved_errno = errno;
      shmdt (data);
      set_errno_error (error, saved_errno, key, _("inspect"));
      return FALSE;
    }

  /* Only this user's segments: another user's could be changed under us at will. */
  if (ds.shm_perm.uid != geteuid ())
    {
      shmdt (data);
      shmlab_segment_set_not_mine_error (error, key, ds.shm_perm.uid);
      return FALSE;
    }

  mapping->data = data;
  mapping->size = ds.shm_segsz;
  mapping->mode = mode;
  mapping->id = id;
  return TRUE;
}

gboolean
shmlab_sysv_create (const char     *key,
                    const char     *native_key,
                    gsize           size,
                    ShmlabAccessMode mode,
                    ShmlabMapping  *mapping,
                    GError        **error)
{
  gboolean created_file;
  key_t ipc_key;
  int id;

  if (!shmlab_key_file_ensure (native_key, key, &created_file, error))
    return FALSE;
  if (!shmlab_key_file_ftok (native_key, &ipc_key, error))
    return FALSE;

  id = shmlab_sysv_shmget (ipc_key, size, 0600 | IPC_CREAT | IPC_EXCL);
  if (id < 0)
    {
      int saved_errno = errno;
      ShmlabSegmentInfo info = { 0 };
      ShmlabLimits limits;

      if (saved_errno == EEXIST)
        {
          shmlab_segment_info_clear (&info);
          query_ipc_key (ipc_key, &info);
          shmlab_segment_set_exists_error (error, key, SHMLAB_BACKEND_SYSV, &info);
          return FALSE;
        }

      if (created_file)
        shmlab_key_file_remove (native_key);

      shmlab_limits_read (&limits);
      if (saved_errno == EINVAL && limits.shmmax != G_MAXUINT64 && size > limits.shmmax)
        shmlab_limits_set_shmmax_error (error, &limits, key, size);
      else if (saved_errno == EINVAL)
        shmlab_segment_set_size_error (error, SHMLAB_SEGMENT_ERROR_INVALID_SIZE, key,
                                       SHMLAB_BACKEND_SYSV, size, _("the system refuses that size"));
      else if (saved_errno == ENOSPC)
        {
          g_autoptr(GArray) entries = read_proc_shm ();
          guint64 pages = 0;

          for (guint i = 0; i < entries->len; i++)
            pages += shmlab_limits_pages (&limits, g_array_index (entries, ProcShm, i).size);
          shmlab_limits_set_sysv_full_error (error, &limits, key, size, entries->len, pages);
        }
      else if (saved_errno == ENOMEM)
        shmlab_segment_set_size_error (error, SHMLAB_SEGMENT_ERROR_OUT_OF_RESOURCES, key,
                                       SHMLAB_BACKEND_SYSV, size, _("there is not enough memory"));
      else
        set_errno_error (error, saved_errno, key, _("create"));
      return FALSE;
    }

  if (!map (key, id, mode, mapping, error))
    {
      shmctl (id, IPC_RMID, NULL);
      if (created_file)
        shmlab_key_file_remove (native_key);
      return FALSE;
    }
  mapping->created = TRUE;
  return TRUE;
}

gboolean
shmlab_sysv_attach (const char        *key,
                    const char        *native_key,
                    ShmlabAccessMode   mode,
                    ShmlabMapping     *mapping,
                    GError           **error)
{
  g_autoptr(GError) local_error = NULL;
  key_t ipc_key;
  int id;

  if (!shmlab_key_file_ftok (native_key, &ipc_key, &local_error))
    {
      if (g_error_matches (local_error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_NOT_FOUND))
        {
          g_autofree char *dir = shmlab_native_key_temp_dir ();
          g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_NOT_FOUND,
                       _("no segment has the key “%s” (there is no key file %s): start the writer "
                       "first, or check the key's spelling and that both programs use the same "
                       "temp dir (%s)"),
                       key, native_key, dir);
          return FALSE;
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  id = shmlab_sysv_shmget (ipc_key, 0, mode == SHMLAB_ACCESS_READ_ONLY ? 0400 : 0600);
  if (id < 0)
    {
      int saved_errno = errno;
      ShmlabSegmentInfo info;

      shmlab_segment_info_clear (&info);
      if (saved_errno == ENOENT)
        g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_NOT_FOUND,
                     _("no segment has the key “%s” (its key file %s is there, left over from an "
                     "earlier segment): start the writer first"),
                     key, native_key);
      else if ((saved_errno == EACCES || saved_errno == EPERM) && query_ipc_key (ipc_key, &info))
        shmlab_segment_set_not_mine_error (error, key, info.owner_uid);
      else
        set_errno_error (error, saved_errno, key, _("find"));
      return FALSE;
    }

  return map (key, id, mode, mapping, error);
}

gboolean
shmlab_sysv_detach (const char     *native_key,
                    ShmlabMapping  *mapping,
                    gboolean        remove_if_last,
                    gboolean       *removed,
                    GError        **error)
{
  struct shmid_ds ds;

  *removed = FALSE;
  if (shmdt (mapping->data) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_UNKNOWN,
                   _("cannot detach: %s"), g_strerror (saved_errno));
      return FALSE;
    }
  mapping->data = NULL;

  /* As Qt: the last process to detach removes the segment and its key file. */
  if (remove_if_last && shmctl (mapping->id, IPC_STAT, &ds) == 0 && ds.shm_nattch == 0)
    {
      if (shmctl (mapping->id, IPC_RMID, NULL) == 0)
        {
          shmlab_key_file_remove (native_key);
          *removed = TRUE;
        }
    }
  return TRUE;
}

gboolean
shmlab_sysv_query (const char         *key,
                   const char         *native_key,
                   ShmlabSegmentInfo  *info,
                   GError            **error)
{
  g_autoptr(GError) local_error = NULL;
  key_t ipc_key;

  shmlab_segment_info_clear (info);
  if (!shmlab_key_file_ftok (native_key, &ipc_key, &local_error))
    {
      if (g_error_matches (local_error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_NOT_FOUND))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  info->sysv_key = ipc_key;
  query_ipc_key (ipc_key, info);
  return TRUE;
}

gboolean
shmlab_sysv_remove (const char               *key,
                    const char               *native_key,
                    const ShmlabSegmentInfo  *info,
                    GError                  **error)
{
  if (info->exists && shmctl (info->id, IPC_RMID, NULL) != 0 && errno != EINVAL && errno != EIDRM)
    {
      int saved_errno = errno;
      if (saved_errno == EPERM)
        {
          shmlab_segment_set_not_mine_error (error, key, info->owner_uid);
          return FALSE;
        }
      set_errno_error (error, saved_errno, key, _("remove"));
      return FALSE;
    }
  shmlab_key_file_remove (native_key);
  return TRUE;
}

gboolean
shmlab_sysv_list (GPtrArray  *listings,
                  GError    **error)
{
  g_autoptr(GArray) entries = read_proc_shm ();
  g_autoptr(GHashTable) by_key = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  g_autofree char *dir = shmlab_native_key_temp_dir ();
  g_autoptr(GDir) tmp = g_dir_open (dir, 0, NULL);
  const char *name;
  uid_t me = geteuid ();

  /* Key files name their segments: ftok() each one to match them. */
  while (tmp != NULL && (name = g_dir_read_name (tmp)) != NULL)
    {
      g_autofree char *path = NULL;
      key_t ipc_key;

      if (!g_str_has_prefix (name, SHMLAB_SEGMENT_PREFIX))
        continue;
      path = g_build_filename (dir, name, NULL);
      if (shmlab_key_file_ftok (path, &ipc_key, NULL))
        g_hash_table_insert (by_key, GINT_TO_POINTER (ipc_key), g_steal_pointer (&path));
    }

  for (guint i = 0; i < entries->len; i++)
    {
      const ProcShm *e = &g_array_index (entries, ProcShm, i);
      ShmlabSegmentListing *l;
      const char *path;

      /* What this user can see: theirs, or readable by them (root sees all). */
      if (me != 0 && e->uid != me && (e->mode & 0004) == 0)
        continue;

      l = g_new0 (ShmlabSegmentListing, 1);
      l->backend = SHMLAB_BACKEND_SYSV;
      info_from_proc (&l->info, e);
      path = e->key != IPC_PRIVATE ? g_hash_table_lookup (by_key, GINT_TO_POINTER (e->key)) : NULL;
      if (path != NULL)
        {
          l->native_key = g_strdup (path);
          l->key_letters = shmlab_native_key_to_key (path, NULL);
          l->key = shmlab_key_file_read_key (path);
          /* A key file written by ShmLab holds the key; trust it only if it hashes right. */
          if (l->key != NULL)
            {
              g_autofree char *expected = shmlab_native_key (l->key, SHMLAB_BACKEND_SYSV,
                                                             SHMLAB_NATIVE_SEGMENT, NULL);
              if (g_strcmp0 (expected, path) != 0)
                g_clear_pointer (&l->key, g_free);
            }
        }
      else
        l->native_key = g_strdup_printf ("0x%08x", (guint) e->key);
      if (l->key_letters == NULL)
        l->key_letters = g_strdup ("");
      g_ptr_array_add (listings, l);
    }
  return TRUE;
}
