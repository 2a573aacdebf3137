/* shmlab-native-key.h — how a user's key becomes the names the system uses,
 * exactly as Qt's QSharedMemory derives them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <sys/types.h>

#include "shmlab-backend.h"

G_BEGIN_DECLS

/**
 * ShmlabNativeKind:
 * @SHMLAB_NATIVE_SEGMENT: the shared memory segment ("qipc_sharedmemory_")
 * @SHMLAB_NATIVE_SEMAPHORE: the lock beside it ("qipc_systemsem_")
 */
typedef enum
{
  SHMLAB_NATIVE_SEGMENT,
  SHMLAB_NATIVE_SEMAPHORE,
} ShmlabNativeKind;

#define SHMLAB_KEY_MAX_BYTES 255
#define SHMLAB_SEGMENT_PREFIX "qipc_sharedmemory_"
#define SHMLAB_SEMAPHORE_PREFIX "qipc_systemsem_"


gboolean    shmlab_key_validate         (const char       *key,
                                         GError          **error);
char       *shmlab_native_key_safe_name (const char       *key,
                                         ShmlabNativeKind  kind);
char       *shmlab_native_key_temp_dir  (void);
char       *shmlab_native_key           (const char       *key,
                                         ShmlabBackend     backend,
                                         ShmlabNativeKind  kind,
                                         GError          **error);
char       *shmlab_native_key_to_key    (const char       *native_key,
                                         ShmlabNativeKind *kind);

G_END_DECLS
