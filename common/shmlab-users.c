/* shmlab-users.c — who owns what: user names for uids
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-users.h"

#include <glib/gi18n-lib.h>

#include <pwd.h>
#include <unistd.h>

/* The login name of @uid, or "uid N" for a uid with no account. */
char *
shmlab_user_name (uid_t uid)
{
  struct passwd pwd, *result = NULL;
  char buffer[4096];

  if (getpwuid_r (uid, &pwd, buffer, sizeof buffer, &result) == 0 && result != NULL)
    return g_strdup (result->pw_name);
  return g_strdup_printf (_("uid %u"), (unsigned) uid);
}

/* "you (alice)" for this user, "user bob" or "uid 12345 (no account)" for others. */
char *
shmlab_user_describe (uid_t uid)
{
  struct passwd pwd, *result = NULL;
  char buffer[4096];
  gboolean known = getpwuid_r (uid, &pwd, buffer, sizeof buffer, &result) == 0 && result != NULL;

  if (shmlab_user_is_me (uid))
    return known ? g_strdup_printf (_("you (%s)"), result->pw_name) : g_strdup (_("you"));
  if (known)
    return g_strdup_printf (_("user %s"), result->pw_name);
  return g_strdup_printf (_("uid %u (no account)"), (unsigned) uid);
}

gboolean
shmlab_user_is_me (uid_t uid)
{
  return uid == geteuid ();
}
