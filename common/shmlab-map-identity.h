/* shmlab-map-identity.h — how one segment shows in /proc/PID/maps, in
 * every process that maps it; a backend fills it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * ShmlabMapIdentity:
 * @path_prefix: how the mapping's path begins in /proc/PID/maps
 *   ("/SYSV", "/dev/shm/")
 * @inode: the inode it shows (a System V segment: its id)
 * @match_device: whether @dev_major:@dev_minor must match too
 * @description: the identity every mapping shares, for a person
 *   ("System V segment id 32769", "/dev/shm/x, inode 42 on device 0:26")
 *
 * How one segment shows in every process that maps it; a backend fills it.
 */
typedef struct
{
  char *path_prefix;
  guint64 inode;
  gboolean match_device;
  guint32 dev_major;
  guint32 dev_minor;
  char *description;
} ShmlabMapIdentity;

void shmlab_map_identity_clear (ShmlabMapIdentity *identity);

G_END_DECLS
