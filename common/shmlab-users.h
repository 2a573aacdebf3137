/* shmlab-users.h — who owns what: user names for uids
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

char    *shmlab_user_name         (uid_t uid);
char    *shmlab_user_describe     (uid_t uid);
gboolean shmlab_user_is_me        (uid_t uid);

G_END_DECLS
