/* shmlab-stale.c — finding and removing what crashed programs left behind
 *
 * A segment is stale when it exists, belongs to this user and no process
 * uses it: no process attached (System V's count) or maps it (POSIX, by
 * /proc). Only segments named the Qt way are found on their own — ShmLab's
 * and Qt's legacy names, and System V keys made by ftok() with Qt's 'Q'
 * whose key file is gone — never another program's; anything else is
 * removed only when named exactly (shmlab_stale_find_named() or _id()).
 * Removing one takes its lock and its key files with it, through the
 * backend class.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-stale.h"

#include <glib/gi18n-lib.h>

#include <inttypes.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "shmlab-backend-private.h"
#include "shmlab-error.h"
#include "shmlab-native-key.h"
#include "shmlab-users.h"

static gboolean
is_stale (const ShmlabSegmentListing *l)
{
  return l->info.exists && l->info.attach_count == 0 && shmlab_user_is_me (l->info.owner_uid);
}

/* Every listing of every backend, in the order of the table. */
static GPtrArray *
list_all (GError **error)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) shmlab_segment_listing_free);
  guint n_backends;
  const ShmlabBackend *backends = shmlab_backend_all (&n_backends);

  for (guint b = 0; b < n_backends; b++)
    {
      g_autoptr(GPtrArray) listings = shmlab_segment_list (backends[b], error);

      if (listings == NULL)
        return NULL;
      for (guint i = 0; i < listings->len; i++)
        g_ptr_array_add (all, g_steal_pointer (&listings->pdata[i]));
    }
  return g_steal_pointer (&all);
}

/**
 * shmlab_stale_find:
 *
 * Returns: (transfer full) (element-type ShmlabSegmentListing): the stale
 *   segments named the Qt way, in every backend
 */
GPtrArray *
shmlab_stale_find (GError **error)
{
  g_autoptr(GPtrArray) all = list_all (error);
  GPtrArray *stale;

  if (all == NULL)
    return NULL;
  stale = g_ptr_array_new_with_free_func ((GDestroyNotify) shmlab_segment_listing_free);
  for (guint i = 0; i < all->len; i++)
    {
      ShmlabSegmentListing *l = g_ptr_array_index (all, i);

      if (l->qt_named && is_stale (l))
        g_ptr_array_add (stale, g_steal_pointer (&all->pdata[i]));
    }
  return stale;
}

/* POSIX names may be given with or without their "/". */
static gboolean
same_name (const char *listed,
           const char *given)
{
  return g_str_equal (listed, given) || (listed[0] == '/' && g_str_equal (listed + 1, given));
}

/**
 * shmlab_stale_find_named:
 * @native_name: a key file's path, a /dev/shm name, or a System V key
 *   "0x51…" no file names any more
 *
 * The segment of that exact name, stale or not, this user's or not.
 *
 * Returns: (transfer full) (nullable): its listing, or NULL with a
 *   NOT_FOUND error
 */
ShmlabSegmentListing *
shmlab_stale_find_named (const char  *native_name,
                         GError     **error)
{
  g_autoptr(GPtrArray) all = list_all (error);

  if (all == NULL)
    return NULL;
  for (guint i = 0; i < all->len; i++)
    {
      ShmlabSegmentListing *l = g_ptr_array_index (all, i);

      if (same_name (l->native_key, native_name))
        return g_steal_pointer (&all->pdata[i]);
    }
  g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_NOT_FOUND,
               _("no segment has the native name “%s”: `shmlab list` shows the names there are"),
               native_name);
  return NULL;
}

/**
 * shmlab_stale_find_id:
 * @id: a System V segment id, as `ipcs -m` shows it
 *
 * Returns: (transfer full) (nullable): its listing, or NULL with a
 *   NOT_FOUND error
 */
ShmlabSegmentListing *
shmlab_stale_find_id (int      id,
                      GError **error)
{
  g_autoptr(GPtrArray) all = list_all (error);

  if (all == NULL)
    return NULL;
  for (guint i = 0; i < all->len; i++)
    {
      ShmlabSegmentListing *l = g_ptr_array_index (all, i);

      if (l->info.id >= 0 && l->info.id == id)
        return g_steal_pointer (&all->pdata[i]);
    }
  g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_NOT_FOUND,
               _("no System V segment this user can see has the id %d: `ipcs -m` lists the ids"),
               id);
  return NULL;
}

/* The lock beside a segment of this native name: Qt's legacy names have a
 * "qipc_systemsem_" twin, a native name is its own lock's name. NULL when
 * no file names it (a System V key whose key file is gone). */
static char *
lock_name_of (const char *native_key)
{
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;

  if (native_key[0] != '/')
    return NULL;
  dir = g_path_get_dirname (native_key);
  base = g_path_get_basename (native_key);
  if (!g_str_has_prefix (base, SHMLAB_SEGMENT_PREFIX))
    return g_strdup (native_key);
  {
    g_autofree char *twin = g_strconcat (SHMLAB_SEMAPHORE_PREFIX, base + strlen (SHMLAB_SEGMENT_PREFIX),
                                         NULL);
    /* A POSIX name "/qipc_…" has the root as its directory. */
    return g_str_equal (dir, "/") ? g_strconcat ("/", twin, NULL) : g_build_filename (dir, twin, NULL);
  }
}

/**
 * shmlab_stale_remove:
 * @stale: a listing from shmlab_stale_find(), _find_named() or _find_id()
 * @error: IN_USE when a process uses it now, or why the system refused
 *
 * Removes the segment, its lock and their key files: another user's only
 * as root, one in use never.
 */
gboolean
shmlab_stale_remove (const ShmlabSegmentListing  *stale,
                     GError                     **error)
{
  const ShmlabBackendClass *klass = shmlab_backend_get (stale->backend);
  const char *name = stale->key != NULL ? stale->key : stale->native_key;
  g_autofree char *lock = lock_name_of (stale->native_key);

  if (stale->info.attach_count > 0)
    {
      g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_IN_USE,
                   g_dngettext (GETTEXT_PACKAGE,
                                "“%s” is in use: %d process has it attached",
                                "“%s” is in use: %d processes have it attached",
                                stale->info.attach_count),
                   stale->native_key, stale->info.attach_count);
      return FALSE;
    }
  if (!shmlab_user_is_me (stale->info.owner_uid) && geteuid () != 0)
    {
      shmlab_segment_set_not_mine_error (error, name, stale->info.owner_uid);
      return FALSE;
    }
  if (!klass->remove (name, stale->native_key, &stale->info, error))
    return FALSE;
  if (lock != NULL)
    klass->lock_remove_name (lock);
  return TRUE;
}

/* "3 min", "2 h", "5 days": how long ago @change_time was. */
char *
shmlab_stale_describe_age (gint64 change_time)
{
  gint64 seconds = MAX (0, (gint64) time (NULL) - change_time);

  if (change_time <= 0)
    return g_strdup (_("unknown"));
  if (seconds < 120)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" PRId64 " second",
                                         "%" PRId64 " seconds", (gulong) seconds), seconds);
  if (seconds < 2 * 3600)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" PRId64 " minute",
                                         "%" PRId64 " minutes", (gulong) (seconds / 60)),
                            seconds / 60);
  if (seconds < 2 * 86400)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" PRId64 " hour",
                                         "%" PRId64 " hours", (gulong) (seconds / 3600)),
                            seconds / 3600);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" PRId64 " day",
                                       "%" PRId64 " days", (gulong) (seconds / 86400)),
                          seconds / 86400);
}
