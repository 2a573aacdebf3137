/* shmlab-backend-sysv.c — System V: segments named by a key file and
 * ftok(), and the semaphore beside each, as Qt does on Linux
 *
 * The lock: a one-value semaphore named by ftok() of its own key file; lock
 * and unlock use SEM_UNDO, so the kernel gives the lock back when a holder
 * dies. Qt removes and re-creates the semaphore, so its id is never trusted
 * for long: EINVAL or EIDRM means "resolve the key again".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-backend-private.h"
#include "shmlab-command.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <stdio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <inttypes.h>
#include <limits.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <time.h>
#include <unistd.h>

#include "shmlab-key-file.h"
#include "shmlab-sysv-calls.h"
#include "shmlab-users.h"

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
  if (saved_errno == ENOSYS)
    g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_UNKNOWN,
                 _("cannot %s the segment of key “%s”: this system has no System V shared memory "
                 "(common in containers) — use the POSIX backend instead (choose POSIX, or add "
                 "--backend posix to the command)"),
                 what, key);
  else
    shmlab_segment_set_errno_error (error, saved_errno, key, what);
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

/* SHMALL in bytes, or G_MAXUINT64 when unlimited or unknown. */
static guint64
shmall_bytes (const ShmlabLimits *limits)
{
  guint64 all;

  if (limits->shmall == G_MAXUINT64 ||
      !g_uint64_checked_mul (&all, limits->shmall, limits->page_size))
    return G_MAXUINT64;
  return all;
}

static guint64
sysv_max_size (const ShmlabLimits *limits)
{
  return MIN (MIN (limits->shmmax, limits->memory_total), shmall_bytes (limits));
}

static char *
sysv_describe_limits (const ShmlabLimits *limits)
{
  g_autofree char *memory = shmlab_format_bytes (limits->memory_total);
  g_autofree char *shmmax = shmlab_format_bytes (limits->shmmax);
  g_autofree char *shmall = shmlab_format_bytes (shmall_bytes (limits));

  return g_strdup_printf (_("this system allows one System V segment up to SHMMAX = %s and "
                          "all of them together up to SHMALL = %s (the POSIX backend is bound "
                          "by neither), and has %s of memory (RAM and swap)"),
                          shmmax, shmall, memory);
}

static void
sysv_set_memory_error (GError             **error,
                       const ShmlabLimits  *limits,
                       const char          *key,
                       guint64              size)
{
  g_autofree char *wanted = shmlab_format_bytes (size);
  g_autofree char *memory = shmlab_format_bytes (limits->memory_total);
  g_autofree char *shmmax = shmlab_format_bytes (limits->shmmax);

  g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_INVALID_SIZE,
               _("a segment of %s for key “%s” is larger than all the memory of this system, "
               "RAM and swap together: %s, so no setting allows it; SHMMAX is %s: pick a "
               "smaller size"),
               wanted, key, memory, shmmax);
}

/* A System V segment over SHMMAX: the kernel says EINVAL, this says which limit. */
static void
set_shmmax_error (GError             **error,
                  const ShmlabLimits  *limits,
                  const char          *key,
                  guint64              size)
{
  g_autofree char *wanted = shmlab_format_bytes (size);
  g_autofree char *shmmax = shmlab_format_bytes (limits->shmmax);

  g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_INVALID_SIZE,
               _("a segment of %s for key “%s” is larger than SHMMAX = %s, the largest System V "
               "segment this system allows: pick a smaller size, use the POSIX backend, or raise "
               "the limit as root (sysctl -w kernel.shmmax=%" PRIu64 ")"),
               wanted, key, shmmax, size);
}

static void
set_shmall_error (GError             **error,
                  const ShmlabLimits  *limits,
                  const char          *key,
                  guint64              size)
{
  g_autofree char *wanted = shmlab_format_bytes (size);
  g_autofree char *shmall = shmlab_format_bytes (shmall_bytes (limits));

  g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_INVALID_SIZE,
               _("a segment of %s for key “%s” is larger than SHMALL = %s (%" PRIu64
               " pages of %" PRIu64 " bytes), what all System V segments together may "
               "use on this system: pick a smaller size, use the POSIX backend, or raise the limit "
               "as root (sysctl -w kernel.shmall=%" PRIu64 ")"),
               wanted, key, shmall, limits->shmall, limits->page_size,
               shmlab_limits_pages (limits, size));
}

/**
 * set_sysv_full_error:
 * @n_segments: the System V segments that exist now
 * @pages_used: the pages they take together
 *
 * Explains an ENOSPC from shmget(): SHMALL has too little left, or SHMMNI
 * segments exist already. The kernel tests SHMALL first, so does this.
 */
static void
set_sysv_full_error (GError             **error,
                     const ShmlabLimits  *limits,
                     const char          *key,
                     guint64              size,
                     guint                n_segments,
                     guint64              pages_used)
{
  g_autofree char *wanted = shmlab_format_bytes (size);
  guint64 needed = shmlab_limits_pages (limits, size);
  guint64 total;

  if (!g_uint64_checked_add (&total, pages_used, needed))
    total = G_MAXUINT64;
  if (limits->shmall != G_MAXUINT64 && total > limits->shmall)
    {
      guint64 left = limits->shmall > pages_used ? limits->shmall - pages_used : 0;
      /* The size alone: it stands in brackets already. */
      g_autofree char *all = g_format_size_full (shmall_bytes (limits), G_FORMAT_SIZE_IEC_UNITS);
      g_autofree char *left_bytes = NULL;
      g_autofree char *list = shmlab_command_for_backend ("list", SHMLAB_BACKEND_SYSV);
      g_autofree char *in_use = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                              "%u segment", "%u segments",
                                                              n_segments),
                                                 n_segments);
      guint64 bytes;

      left_bytes = g_format_size_full (g_uint64_checked_mul (&bytes, left, limits->page_size)
                                         ? bytes : G_MAXUINT64, G_FORMAT_SIZE_IEC_UNITS);

      g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_OUT_OF_RESOURCES,
                   _("a segment of %s for key “%s” does not fit in what SHMALL leaves: all "
                   "System V segments together may use %" PRIu64 " pages (%s), %"
                   PRIu64 " are in use (%s), so %" PRIu64 " pages (%s) are "
                   "left and this one needs %" PRIu64 ": remove segments no longer "
                   "needed (this lists them: %s; so does ipcs -m), "
                   "pick a smaller size, use the POSIX backend, or raise the limit as root "
                   "(sysctl -w kernel.shmall=%" PRIu64 ")"),
                   wanted, key, limits->shmall, all, pages_used, in_use, left, left_bytes,
                   needed, list, total);
      return;
    }

  if (limits->shmmni != G_MAXUINT64 && n_segments >= limits->shmmni)
    {
      /* Linux's default is 4096 and its ceiling 32768 (IPCMNI). */
      guint64 raised = MIN (MAX (MIN (limits->shmmni, 16384) * 2, 4096), 32768);
      g_autofree char *list = shmlab_command_for_backend ("list", SHMLAB_BACKEND_SYSV);

      g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_OUT_OF_RESOURCES,
                   _("cannot create a segment for key “%s”: this system allows at most SHMMNI = %"
                   PRIu64 " System V segments and %u exist already: remove those no longer "
                   "needed (this lists them: %s; so does ipcs -m), use the POSIX backend, or "
                   "raise the limit as root (sysctl -w kernel.shmmni=%" PRIu64 ")"),
                   key, limits->shmmni, n_segments, list, MAX (raised, (guint64) n_segments + 1));
      return;
    }

  {
    g_autofree char *described = sysv_describe_limits (limits);
    g_autofree char *list = shmlab_command_for_backend ("list", SHMLAB_BACKEND_SYSV);

    g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_OUT_OF_RESOURCES,
                 _("a segment of %s for key “%s” cannot be created: the system's limit on the "
                 "number of segments (SHMMNI = %" PRIu64 ", %u exist) or on all of them "
                 "together (SHMALL) is reached; %s — remove segments no longer needed (this "
                 "lists them: %s), or use the POSIX backend"),
                 wanted, key, limits->shmmni, n_segments, described, list);
  }
}

/* SHMMAX and SHMALL; what SHMALL has left and SHMMNI only shmget() can tell. */
static gboolean
sysv_check_size (const ShmlabLimits  *limits,
                 const char          *key,
                 guint64              size,
                 GError             **error)
{
  if (limits->shmmax != G_MAXUINT64 && size > limits->shmmax)
    {
      set_shmmax_error (error, limits, key, size);
      return FALSE;
    }
  if (limits->shmall != G_MAXUINT64 && shmlab_limits_pages (limits, size) > limits->shmall)
    {
      set_shmall_error (error, limits, key, size);
      return FALSE;
    }
  return TRUE;
}

/* How often a create or a lock opener starts again when its key file is
 * replaced under it: a process that looks for a lock every few ms (a
 * reader waiting for a writer) makes and removes it as often, so a slow
 * creator must be able to wait for a gap. From the fourth try on, each
 * waits a millisecond first: a few seconds in all at most. */
#define KEY_FILE_ATTEMPTS 2000
#define KEY_FILE_PAUSE_AFTER 3

static void
pause_before_attempt (guint attempt)
{
  if (attempt > KEY_FILE_PAUSE_AFTER)
    g_usleep (1000);
}

/* Whether @native_key still gives @ipc_key: false when the file was
 * removed (or removed and made again) since its key was read. */
static gboolean
key_file_still_names (const char *native_key,
                      key_t       ipc_key)
{
  key_t now;

  return shmlab_key_file_ftok (native_key, &now, NULL) && now == ipc_key;
}

/* ftok() of a key file just made or found. A remover takes the file aside
 * for a moment (see shmlab_key_file_remove_if_key()): gone now, it is made
 * again by the caller, a few times at most (@attempt counts them); FALSE
 * with @attempt < KEY_FILE_ATTEMPTS means "start again", with no error. */
static gboolean
key_file_ftok_again (const char  *native_key,
                     key_t       *ipc_key,
                     guint       *attempt,
                     GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (shmlab_key_file_ftok (native_key, ipc_key, &local_error))
    return TRUE;
  if (g_error_matches (local_error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_NOT_FOUND) &&
      ++*attempt < KEY_FILE_ATTEMPTS)
    return FALSE;
  *attempt = KEY_FILE_ATTEMPTS;
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static gboolean
sysv_create (const char     *key,
             const char     *native_key,
             gsize           size,
             ShmlabAccessMode mode,
             ShmlabMapping  *mapping,
             GError        **error)
{
  gboolean created_file;
  key_t ipc_key;
  int id;
  guint attempt = 0;

again:
  if (!shmlab_key_file_ensure (native_key, key, &created_file, error))
    return FALSE;
  if (!key_file_ftok_again (native_key, &ipc_key, &attempt, error))
    {
      if (attempt < KEY_FILE_ATTEMPTS)
        {
          pause_before_attempt (attempt);
          goto again;
        }
      return FALSE;
    }

  id = shmlab_sysv_shmget (ipc_key, size, 0600 | IPC_CREAT | IPC_EXCL);
  if (id >= 0 && !key_file_still_names (native_key, ipc_key))
    {
      /* The key file went (a remover unlinks it before it removes the old
       * segment) between ftok() and shmget(): this segment's key would
       * name nothing. Give it back and make the key again. */
      shmctl (id, IPC_RMID, NULL);
      if (++attempt < KEY_FILE_ATTEMPTS)
        {
          pause_before_attempt (attempt);
          goto again;
        }
      set_errno_error (error, EAGAIN, key, _("create"));
      return FALSE;
    }
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
        set_shmmax_error (error, &limits, key, size);
      else if (saved_errno == EINVAL)
        shmlab_segment_set_size_error (error, SHMLAB_SEGMENT_ERROR_INVALID_SIZE, key,
                                       SHMLAB_BACKEND_SYSV, size, _("the system refuses that size"));
      else if (saved_errno == ENOSPC)
        {
          g_autoptr(GArray) entries = read_proc_shm ();
          guint64 pages = 0;

          for (guint i = 0; i < entries->len; i++)
            pages += shmlab_limits_pages (&limits, g_array_index (entries, ProcShm, i).size);
          set_sysv_full_error (error, &limits, key, size, entries->len, pages);
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

static gboolean
sysv_attach (const char        *key,
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

static gboolean
sysv_detach (const char     *native_key,
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

  /* As Qt: the last process to detach removes the segment and its key
   * file. The file goes first: a creator that read the file's key before
   * then finds the file gone after its shmget() and starts again, so no
   * segment is ever left with a key no file gives. */
  if (remove_if_last && shmctl (mapping->id, IPC_STAT, &ds) == 0 && ds.shm_nattch == 0)
    {
      /* A file that no longer gives this segment's key is a newer one. */
      key_t orphan;
      int orphan_id;

      shmlab_key_file_remove_if_key (native_key, ds.shm_perm.__key, &orphan);
      if (orphan != -1 && (orphan_id = shmlab_sysv_shmget (orphan, 0, 0600)) >= 0)
        shmctl (orphan_id, IPC_RMID, NULL);
      if (shmctl (mapping->id, IPC_RMID, NULL) == 0)
        *removed = TRUE;
    }
  return TRUE;
}

static gboolean
sysv_query (const char         *key,
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

static gboolean
sysv_remove (const char               *key,
             const char               *native_key,
             const ShmlabSegmentInfo  *info,
             GError                  **error)
{
  struct shmid_ds ds;

  /* The key file goes before the segment (see sysv_detach()), once it is
   * sure the segment may be removed by this process. */
  if (info->exists && shmctl (info->id, IPC_STAT, &ds) == 0 && geteuid () != 0 &&
      ds.shm_perm.uid != geteuid () && ds.shm_perm.cuid != geteuid ())
    {
      shmlab_segment_set_not_mine_error (error, key, ds.shm_perm.uid);
      return FALSE;
    }
  /* A key whose file is gone is named "0x…": there is no file to remove. */
  if (native_key[0] == '/')
    shmlab_key_file_remove (native_key);
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
  return TRUE;
}

static gboolean
sysv_list (GPtrArray  *listings,
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
          l->qt_named = l->key_letters != NULL;
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
        {
          l->native_key = g_strdup_printf ("0x%08x", (guint) e->key);
          /* ftok (file, 'Q') puts 'Q' in the top byte: Qt's scheme, its key file gone. */
          l->qt_named = e->key != IPC_PRIVATE && ((guint32) e->key >> 24) == 'Q';
        }
      if (l->key_letters == NULL)
        l->key_letters = g_strdup ("");
      g_ptr_array_add (listings, l);
    }
  return TRUE;
}

/* The owner of a System V semaphore, from /proc (readable without rights on it). */
static gboolean
sysv_semaphore_owner (key_t  ipc_key,
                      uid_t *owner)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/sysvipc/sem", &contents, NULL, NULL))
    return FALSE;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 1; lines[i]; i++)
    {
      int k, id, nsems;
      unsigned perms, uid;
      if (sscanf (lines[i], "%d %d %o %d %u", &k, &id, &perms, &nsems, &uid) == 5 &&
          (key_t) k == ipc_key)
        {
          *owner = uid;
          return TRUE;
        }
    }
  return FALSE;
}

/* Finds the semaphore of the key, creating it (set to 1) when there is none. */
static gboolean
sysv_lock_open (ShmlabSemaphore  *self,
                GError          **error)
{
  key_t ipc_key;
  gboolean created_file;
  int id;
  guint attempt = 0;

  if (self->id >= 0)
    return TRUE;
again:
  if (!shmlab_key_file_ensure (self->native_key, self->key, &created_file, error))
    return FALSE;
  self->created_key_file |= created_file;
  if (!key_file_ftok_again (self->native_key, &ipc_key, &attempt, error))
    {
      if (attempt < KEY_FILE_ATTEMPTS)
        {
          pause_before_attempt (attempt);
          goto again;
        }
      return FALSE;
    }

  id = shmlab_sysv_semget (ipc_key, 1, 0600 | IPC_CREAT | IPC_EXCL);
  if (id >= 0)
    {
      union { int val; } arg = { 1 };

      /* The key file went between ftok() and semget() (a remover unlinks
       * it first): this semaphore's key would name nothing, and it would
       * stay behind. Give it back and make the key again. */
      if (!key_file_still_names (self->native_key, ipc_key))
        {
          semctl (id, 0, IPC_RMID);
          if (++attempt < KEY_FILE_ATTEMPTS)
            {
              pause_before_attempt (attempt);
              goto again;
            }
          errno = EAGAIN;
          id = -1;
        }
      /* A new semaphore is 0 (locked) until its creator sets it, as Qt does. */
      else if (semctl (id, 0, SETVAL, arg) != 0)
        {
          int saved_errno = errno;
          semctl (id, 0, IPC_RMID);
          g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_LOCK_ERROR,
                       _("cannot set up the lock of key “%s”: %s"), self->key, g_strerror (saved_errno));
          return FALSE;
        }
      else
        self->created = TRUE;
    }
  else if (errno == EEXIST)
    {
      /* Opened, never made here: made without its creator's SETVAL it
       * would stay locked. Gone in between, it is made again. */
      id = shmlab_sysv_semget (ipc_key, 1, 0600);
      if (id < 0 && errno == ENOENT && ++attempt < KEY_FILE_ATTEMPTS)
        {
          pause_before_attempt (attempt);
          goto again;
        }
      /* Root may open anyone's lock: ShmLab takes only the user's own, as it maps only theirs. */
      if (id >= 0)
        {
          struct semid_ds ds;
          union { struct semid_ds *buf; } arg = { &ds };

          if (semctl (id, 0, IPC_STAT, arg) == 0 && !shmlab_user_is_me (ds.sem_perm.uid))
            {
              if (created_file)
                shmlab_key_file_remove (self->native_key);
              shmlab_semaphore_set_owner_error (self, ds.sem_perm.uid, error);
              return FALSE;
            }
        }
    }

  if (id < 0)
    {
      int saved_errno = errno;
      g_autofree char *list = shmlab_command_for_backend ("list", SHMLAB_BACKEND_SYSV);
      uid_t owner;

      /* No lock came of it: the key file this call made goes again. */
      if (created_file)
        shmlab_key_file_remove (self->native_key);

      if ((saved_errno == EACCES || saved_errno == EPERM) && sysv_semaphore_owner (ipc_key, &owner))
        shmlab_semaphore_set_owner_error (self, owner, error);
      else if (saved_errno == ENOSPC)
        g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_OUT_OF_RESOURCES,
                     _("cannot create the lock of key “%s”: the system's limit on semaphores "
                     "(kernel.sem) is reached — remove stale segments (this lists them: %s)"),
                     self->key, list);
      else if (saved_errno == ENOSYS)
        g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_UNKNOWN,
                     _("this system has no System V semaphores (common in containers): "
                     "use the POSIX backend instead (choose POSIX, or add --backend posix to the "
                     "command)"));
      else
        g_set_error (error, SHMLAB_SEGMENT_ERROR,
                     saved_errno == EACCES ? SHMLAB_SEGMENT_ERROR_PERMISSION_DENIED
                                           : SHMLAB_SEGMENT_ERROR_LOCK_ERROR,
                     _("cannot open the lock of key “%s”: %s"), self->key, g_strerror (saved_errno));
      return FALSE;
    }

  self->id = id;
  return TRUE;
}

static gboolean
sysv_lock_acquire (ShmlabSemaphore  *self,
                   gint64            slice_ms,
                   GError          **error)
{
  struct sembuf op = { 0, -1, SEM_UNDO };
  int rc;

  if (self->id < 0 && !sysv_lock_open (self, error))
    return FALSE;
  if (slice_ms < 0)
    rc = semop (self->id, &op, 1);
  else
    {
      struct timespec ts = { slice_ms / 1000, (slice_ms % 1000) * 1000000L };
      rc = semtimedop (self->id, &op, 1, &ts);
    }
  if (rc == 0)
    return TRUE;

  switch (errno)
    {
    case EINTR:
    case EAGAIN:
      return FALSE;
    case EINVAL:
    case EIDRM:
      /* Removed (Qt re-creates it on create()): resolve the key again. */
      self->id = -1;
      return FALSE;
    default:
      {
        int saved_errno = errno;
        g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_LOCK_ERROR,
                     _("cannot take the lock of key “%s”: %s"), self->key, g_strerror (saved_errno));
        return FALSE;
      }
    }
}

static gboolean
sysv_lock_release (ShmlabSemaphore  *self,
                   GError          **error)
{
  struct sembuf op = { 0, +1, SEM_UNDO };
  int rc, saved_errno;

  do
    rc = self->id >= 0 ? semop (self->id, &op, 1) : (errno = EIDRM, -1);
  while (rc != 0 && errno == EINTR);
  if (rc == 0)
    return TRUE;
  saved_errno = errno;
  /* Removed while held (Qt's create() does that): there is nothing to give back. */
  if (saved_errno == EIDRM || saved_errno == EINVAL)
    {
      self->id = -1;
      return TRUE;
    }
  g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_LOCK_ERROR,
               _("cannot release the lock of key “%s”: %s"), self->key, g_strerror (saved_errno));
  return FALSE;
}

static void
sysv_lock_close (ShmlabSemaphore *self)
{
}

/* Removes the semaphore and its key file: the last user of the segment is gone. */
static void
sysv_lock_remove (ShmlabSemaphore *self)
{
  struct semid_ds ds;
  union { struct semid_ds *buf; } arg = { &ds };

  /* The key file first, as for the segment (see sysv_detach()), and only
   * while it still gives this semaphore's key: when another process removed
   * this semaphore already, the file may be a new one, whose semaphore is
   * someone else's and would be left with a key no file names. */
  if (self->id >= 0 && semctl (self->id, 0, IPC_STAT, arg) == 0)
    {
      key_t orphan;
      int orphan_id;

      shmlab_key_file_remove_if_key (self->native_key, ds.sem_perm.__key, &orphan);
      semctl (self->id, 0, IPC_RMID);
      if (orphan != -1 && (orphan_id = shmlab_sysv_semget (orphan, 1, 0600)) >= 0)
        semctl (orphan_id, 0, IPC_RMID);
    }
  self->id = -1;
}

/* Whether the semaphore's key file exists. */
static gboolean
sysv_lock_exists (const char *native_key)
{
  gboolean exists = FALSE;

  return shmlab_key_file_check (native_key, &exists, NULL) && exists;
}

/* Removes the semaphore of a key file and the file, whoever holds it. */
static void
sysv_lock_remove_name (const char *native_key)
{
  key_t ipc_key;
  int id;

  if (shmlab_key_file_ftok (native_key, &ipc_key, NULL) &&
      (id = shmlab_sysv_semget (ipc_key, 1, 0)) >= 0)
    {
      shmlab_key_file_remove (native_key);
      semctl (id, 0, IPC_RMID);
    }
  else
    shmlab_key_file_remove (native_key);
}

/* Taken when its value is 0; the last process that operated on it (GETPID)
 * is then the one whose semop() took it. */
static ShmlabLockState
sysv_lock_holder (const char *segment_native,
                  const char *semaphore_native,
                  pid_t      *holder)
{
  key_t ipc_key;
  int id, value, pid;

  *holder = 0;
  if (!shmlab_key_file_ftok (semaphore_native, &ipc_key, NULL) ||
      (id = shmlab_sysv_semget (ipc_key, 1, 0)) < 0 ||
      (value = semctl (id, 0, GETVAL)) < 0)
    return SHMLAB_LOCK_STATE_NONE;
  if (value > 0)
    return SHMLAB_LOCK_STATE_FREE;
  pid = semctl (id, 0, GETPID);
  *holder = pid > 0 ? (pid_t) pid : 0;
  return SHMLAB_LOCK_STATE_TAKEN;
}

/* A private semaphore set to 1, with none of ShmLab's checks: what the bench compares with. */
static gpointer
sysv_bare_lock_open (GError **error)
{
  union { int val; } arg = { 1 };
  int id = semget (IPC_PRIVATE, 1, 0600 | IPC_CREAT);

  if (id >= 0 && semctl (id, 0, SETVAL, arg) == 0)
    return GINT_TO_POINTER (id + 1);
  if (id >= 0)
    semctl (id, 0, IPC_RMID);
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
               _("cannot make a bare %s semaphore to compare with: %s"), _("System V"),
               g_strerror (errno));
  return NULL;
}

static gboolean
sysv_bare_lock_pair (gpointer bare)
{
  int id = GPOINTER_TO_INT (bare) - 1;
  struct sembuf down = { 0, -1, SEM_UNDO }, up = { 0, +1, SEM_UNDO };

  return semop (id, &down, 1) == 0 && semop (id, &up, 1) == 0;
}

static void
sysv_bare_lock_close (gpointer bare)
{
  semctl (GPOINTER_TO_INT (bare) - 1, 0, IPC_RMID);
}

/* The key file, and the System V key its ftok() gives once the segment exists. */
static char *
sysv_describe_native_key (const char              *native_key,
                          const ShmlabSegmentInfo *info)
{
  if (info->exists && info->sysv_key != 0)
    return g_strdup_printf (_("%s  →  System V key 0x%08x"), native_key, (guint32) info->sysv_key);
  return g_strdup_printf (_("%s  (no System V key until the segment exists)"), native_key);
}

/* A key file (or a link planted in its place) is left. */
static gboolean
sysv_name_exists (const char *native_key)
{
  return g_file_test (native_key, G_FILE_TEST_EXISTS | G_FILE_TEST_IS_SYMLINK);
}

/* A System V segment shows in maps as "/SYSV<key in hex> (deleted)" with
 * its id as the inode: the id is what every mapping shares. */
/* A Qt native System V key: a key file's path, from the root, and short
 * enough for the system. */
static gboolean
sysv_qt_native_check (const char  *path,
                      GError     **error)
{
  gsize length = strlen (path);

  if (path[0] != '/')
    {
      g_set_error (error, SHMLAB_QT_KEY_ERROR, SHMLAB_QT_KEY_ERROR_NOT_ABSOLUTE,
                   _("A System V native key is a file's path, and “%s” does not start at "
                     "the root: give it whole, e.g. “systemv:/tmp/demo”."),
                   path);
      return FALSE;
    }
  if (length >= PATH_MAX)
    {
      g_set_error (error, SHMLAB_QT_KEY_ERROR, SHMLAB_QT_KEY_ERROR_TOO_LONG,
                   _("The key file's path is %" PRIu64 " bytes long; the system takes "
                     "at most %d. Choose a shorter key."),
                   (guint64) length, PATH_MAX - 1);
      return FALSE;
    }
  return TRUE;
}

/* QNativeIpcKey(key, SystemV): the key itself when it is a path from the
 * root, else $XDG_RUNTIME_DIR/key. */
static char *
sysv_qt_native_name (const char  *key,
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
                       _("A relative System V native key lives in XDG_RUNTIME_DIR, which is "
                         "not set here. Give the key as a path from the root instead, "
                         "e.g. “/tmp/%s”."),
                       key);
          return NULL;
        }
      path = g_build_filename (runtime, key, NULL);
    }
  return sysv_qt_native_check (path, error) ? g_steal_pointer (&path) : NULL;
}

static gboolean
sysv_map_identity (const char              *native_key,
                   const ShmlabSegmentInfo *info,
                   ShmlabMapIdentity       *identity,
                   GError                 **error)
{
  identity->path_prefix = g_strdup ("/SYSV");
  identity->inode = (guint64) MAX (info->id, 0);
  identity->match_device = FALSE;
  identity->description = g_strdup_printf (_("System V segment id %d (IPC key 0x%08x)"), info->id,
                                           (guint32) info->sysv_key);
  return TRUE;
}

/* The key file's path in the temp dir: its ftok() is the IPC key. */
static char *
sysv_native_name (const char *safe_name)
{
  g_autofree char *dir = shmlab_native_key_temp_dir ();

  return g_build_filename (dir, safe_name, NULL);
}

const ShmlabBackendClass shmlab_backend_sysv = {
  .id = SHMLAB_BACKEND_SYSV,
  .name = "sysv",
  .label = N_("System V"),
  .choice = N_("System V (Qt compatible)"),
  .option = "",
  .size_advice = N_(", or raise the limit (sysctl kernel.shmmax / kernel.shmall)"),
  .stale_note = N_("stale: no process is attached"),
  .from_qt = TRUE,
  .native_is_path = TRUE,
  .lock_in_segment = FALSE,
  .persistent = FALSE,
  .bounded_by_memory = TRUE,
  .holder_in_frame = FALSE,
  .lock_kept_by_dead_holder = FALSE,
  .lock_syscalls = 1,
  .lock_calls = N_("   (2 × semop)"),
  .native_name = sysv_native_name,
  .name_exists = sysv_name_exists,
  .map_identity = sysv_map_identity,
  .qt_key_type = "systemv",
  .qt_key_ftok_id = TRUE,
  .qt_native_name = sysv_qt_native_name,
  .qt_native_check = sysv_qt_native_check,
  .describe_native_key = sysv_describe_native_key,
  .create = sysv_create,
  .attach = sysv_attach,
  .detach = sysv_detach,
  .query = sysv_query,
  .remove = sysv_remove,
  .list = sysv_list,
  .lock_open = sysv_lock_open,
  .lock_acquire = sysv_lock_acquire,
  .lock_release = sysv_lock_release,
  .lock_close = sysv_lock_close,
  .lock_remove = sysv_lock_remove,
  .lock_exists = sysv_lock_exists,
  .lock_remove_name = sysv_lock_remove_name,
  .lock_holder = sysv_lock_holder,
  .bare_lock_open = sysv_bare_lock_open,
  .bare_lock_pair = sysv_bare_lock_pair,
  .bare_lock_close = sysv_bare_lock_close,
  .max_size = sysv_max_size,
  .describe_limits = sysv_describe_limits,
  .check_size = sysv_check_size,
  .set_memory_error = sysv_set_memory_error,
};
