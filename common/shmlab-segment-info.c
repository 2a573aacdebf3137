/* shmlab-segment-info.c — what the system says of a segment, and the
 * errors every backend gives in the same words
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-backend-private.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <string.h>

#include "shmlab-command.h"
#include "shmlab-users.h"

void
shmlab_segment_info_clear (ShmlabSegmentInfo *info)
{
  memset (info, 0, sizeof *info);
  info->id = -1;
  info->attach_count_exact = TRUE;
}

/* "probably left by a program that crashed" is the one thing a student needs to hear. */
void
shmlab_segment_set_exists_error (GError                  **error,
                                 const char               *key,
                                 ShmlabBackend             backend,
                                 const ShmlabSegmentInfo  *info)
{
  g_autofree char *size = shmlab_format_bytes (info->size);
  g_autofree char *owner = NULL;

  if (!info->exists)
    {
      g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_ALREADY_EXISTS,
                   _("key “%s” already names a segment (it vanished while being looked at): try again"),
                   key);
      return;
    }

  if (!shmlab_user_is_me (info->owner_uid))
    {
      shmlab_segment_set_not_mine_error (error, key, info->owner_uid);
      if (error && *error)
        (*error)->code = SHMLAB_SEGMENT_ERROR_ALREADY_EXISTS;
      return;
    }

  owner = shmlab_user_describe (info->owner_uid);
  if (info->attach_count == 0 && info->persistent)
    {
      g_autofree char *remove = shmlab_command_for_key ("remove", key, backend, NULL);

      g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_ALREADY_EXISTS,
                   _("key “%s” already names a file of %s owned by %s, which stays until it is "
                     "removed: attach to it, or remove it with: %s"),
                   key, size, owner, remove);
    }
  else if (info->attach_count == 0)
    {
      g_autofree char *remove = shmlab_command_for_key ("remove", key, backend, NULL);

      g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_ALREADY_EXISTS,
                   _("key “%s” already names a segment of %s owned by %s, attached by no "
                   "process — probably left by a program that crashed: attach to it, or remove "
                   "it with: %s"),
                   key, size, owner, remove);
    }
  else if (info->attach_count_exact)
    g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_ALREADY_EXISTS,
                 g_dngettext (GETTEXT_PACKAGE,
                              "key “%s” already names a segment of %s owned by %s, attached by "
                              "%d process: attach to it instead, or pick another key",
                              "key “%s” already names a segment of %s owned by %s, attached by "
                              "%d processes: attach to it instead, or pick another key",
                              info->attach_count),
                 key, size, owner, info->attach_count);
  else
    g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_ALREADY_EXISTS,
                 g_dngettext (GETTEXT_PACKAGE,
                              "key “%s” already names a segment of %s owned by %s, attached by "
                              "%d process or more: attach to it instead, or pick another key",
                              "key “%s” already names a segment of %s owned by %s, attached by "
                              "%d processes or more: attach to it instead, or pick another key",
                              info->attach_count),
                 key, size, owner, info->attach_count);
}

void
shmlab_segment_set_not_mine_error (GError     **error,
                                   const char  *key,
                                   uid_t        owner)
{
  g_autofree char *who = shmlab_user_describe (owner);
  g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_PERMISSION_DENIED,
               _("key “%s” belongs to %s: pick another key (ShmLab uses only your own segments)"),
               key, who);
}

void
shmlab_segment_set_size_error (GError             **error,
                               ShmlabSegmentError   code,
                               const char          *key,
                               ShmlabBackend        backend,
                               guint64              size,
                               const char          *reason)
{
  ShmlabLimits limits;
  g_autofree char *wanted = shmlab_format_bytes (size);
  g_autofree char *described = NULL;

  shmlab_limits_read (&limits);
  described = shmlab_limits_describe (&limits, backend);
  g_set_error (error, SHMLAB_SEGMENT_ERROR, code,
               _("a segment of %s for key “%s” does not fit: %s; %s — pick a smaller size%s"),
               wanted, key, reason, described,
               _(shmlab_backend_get (backend)->size_advice));
}

/* No process attached: left by a program that ended without detaching (crashed). */
gboolean
shmlab_segment_info_is_stale (const ShmlabSegmentInfo *info)
{
  return info->exists && info->attach_count == 0 && !info->persistent;
}

void
shmlab_segment_listing_free (ShmlabSegmentListing *listing)
{
  if (listing == NULL)
    return;
  g_free (listing->key);
  g_free (listing->key_letters);
  g_free (listing->native_key);
  g_free (listing);
}

/* The native name of a segment with what it means ("→ System V key 0x…"), for a person. */
char *
shmlab_segment_describe_native_key (ShmlabBackend            backend,
                                    const char              *native_key,
                                    const ShmlabSegmentInfo *info)
{
  return shmlab_backend_get (backend)->describe_native_key (native_key, info);
}

/* An errno from a segment call, in the student's words: cannot WHAT the segment of key “KEY”. */
void
shmlab_segment_set_errno_error (GError     **error,
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
    case ENAMETOOLONG: code = SHMLAB_SEGMENT_ERROR_KEY_ERROR; break;
    case ENOMEM:
    case ENOSPC:
    case EMFILE:
    case ENFILE: code = SHMLAB_SEGMENT_ERROR_OUT_OF_RESOURCES; break;
    default: code = SHMLAB_SEGMENT_ERROR_UNKNOWN; break;
    }
  g_set_error (error, SHMLAB_SEGMENT_ERROR, code, _("cannot %s the segment of key “%s”: %s"), what,
               key, g_strerror (saved_errno));
}

/* The lock of a key another user made. */
void
shmlab_semaphore_set_owner_error (ShmlabSemaphore  *self,
                                  uid_t             owner,
                                  GError          **error)
{
  g_autofree char *who = shmlab_user_describe (owner);
  g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_PERMISSION_DENIED,
               _("key “%s” belongs to %s (its lock is theirs): pick another key"),
               self->key, who);
}
