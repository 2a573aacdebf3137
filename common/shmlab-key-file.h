/* shmlab-key-file.h — the empty files in the temp dir that name System V
 * objects through ftok(), made the safe way
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

gboolean shmlab_key_file_ensure (const char  *path,
                                 const char  *key,
                                 gboolean    *created,
                                 GError     **error);
gboolean shmlab_key_file_check  (const char  *path,
                                 gboolean    *exists,
                                 GError     **error);
gboolean shmlab_key_file_ftok   (const char  *path,
                                 key_t       *ipc_key,
                                 GError     **error);
char    *shmlab_key_file_read_key (const char *path);
void     shmlab_key_file_remove (const char  *path);
gboolean shmlab_key_file_check_place (const char  *path,
                                      gboolean     typed,
                                      GError     **error);
gboolean shmlab_key_file_remove_if_key (const char *path,
                                        key_t       ipc_key,
                                        key_t      *orphan);

G_END_DECLS
