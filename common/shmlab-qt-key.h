/* shmlab-qt-key.h — Qt 6.6's native IPC keys (QNativeIpcKey): what a key
 * becomes for each type, and the string form a Qt program prints
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "shmlab-backend.h"
#include "shmlab-error.h"

G_BEGIN_DECLS


/**
 * ShmlabQtNativeKey:
 * @backend: %SHMLAB_BACKEND_POSIX or %SHMLAB_BACKEND_SYSV
 * @ftok_id: System V: the ftok() project id, 1–255 (%SHMLAB_QT_KEY_FTOK_ID
 *   unless the string form says another); 0 for POSIX
 * @native_name: as Qt hands it to the kernel: POSIX the name as given
 *   (shm_open() and sem_open() drop a leading `/`); System V the key file's
 *   absolute path
 * @legacy_key: the legacy key a string form carried (`?legacyKey=`), or NULL
 *
 * A native key: a type and a name used as given — no hash, no prefix. The
 * segment and its lock share the name (POSIX `/dev/shm/NAME` and
 * `/dev/shm/sem.NAME`; System V one ftok() key for shmget() and semget()).
 */
typedef struct
{
  ShmlabBackend backend;
  guint ftok_id;
  char *native_name;
  char *legacy_key;
} ShmlabQtNativeKey;

ShmlabQtNativeKey *shmlab_qt_native_key_new       (const char               *key,
                                                   ShmlabBackend             backend,
                                                   GError                  **error);
ShmlabQtNativeKey *shmlab_qt_native_key_parse     (const char               *text,
                                                   GError                  **error);
char              *shmlab_qt_native_key_to_string (const ShmlabQtNativeKey  *self);
gboolean           shmlab_qt_native_key_is_string_form (const char          *text);
void               shmlab_qt_native_key_free      (ShmlabQtNativeKey        *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShmlabQtNativeKey, shmlab_qt_native_key_free)

G_END_DECLS
