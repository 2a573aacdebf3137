/* shmlab-key.h — a key as a value: what the user typed, its kind, its
 * backend and the native names it gives, made once and passed down
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "shmlab-backend.h"

G_BEGIN_DECLS

/**
 * ShmlabKeyKind:
 * @SHMLAB_KEY_KIND_QT_LEGACY: Qt's legacy scheme: the native names are
 *   "qipc_sharedmemory_" / "qipc_systemsem_", the key's letters and the
 *   SHA-1 of the key (QSharedMemory::setKey())
 * @SHMLAB_KEY_KIND_QT_NATIVE: Qt 6.6's native keys (QNativeIpcKey): the
 *   name as given, shared by the segment and its lock — POSIX `/NAME`,
 *   System V a key file's path (see shmlab-qt-key.h); the key may also be
 *   Qt's string form, which names its own backend
 *
 * How a key becomes native names.
 */
typedef enum
{
  SHMLAB_KEY_KIND_QT_LEGACY,
  SHMLAB_KEY_KIND_QT_NATIVE,
} ShmlabKeyKind;

#define SHMLAB_KEY_KIND_DEFAULT SHMLAB_KEY_KIND_QT_LEGACY

typedef struct _ShmlabKey ShmlabKey;

#define SHMLAB_TYPE_KEY (shmlab_key_get_type ())
GType          shmlab_key_get_type           (void) G_GNUC_CONST;

ShmlabKey     *shmlab_key_new                (const char       *key,
                                              ShmlabBackend     backend,
                                              GError          **error);
ShmlabKey     *shmlab_key_new_full           (const char       *key,
                                              ShmlabBackend     backend,
                                              ShmlabKeyKind     kind,
                                              GError          **error);
ShmlabKey     *shmlab_key_ref                (ShmlabKey        *self);
void           shmlab_key_unref              (ShmlabKey        *self);

const char    *shmlab_key_get_name           (const ShmlabKey  *self);
ShmlabKeyKind  shmlab_key_get_kind           (const ShmlabKey  *self);
ShmlabBackend  shmlab_key_get_backend        (const ShmlabKey  *self);
const char    *shmlab_key_get_segment_name   (const ShmlabKey  *self);
const char    *shmlab_key_get_semaphore_name (const ShmlabKey  *self);
char          *shmlab_key_to_qt_string       (const ShmlabKey  *self);
gboolean       shmlab_key_is_native_path     (const ShmlabKey  *self);
gboolean       shmlab_key_equal              (const ShmlabKey  *a,
                                              const ShmlabKey  *b);

const char    *shmlab_key_kind_to_string     (ShmlabKeyKind     kind);
const char    *shmlab_key_kind_describe      (ShmlabKeyKind     kind);
gboolean       shmlab_key_kind_from_string   (const char       *string,
                                              ShmlabKeyKind    *kind);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShmlabKey, shmlab_key_unref)

G_END_DECLS
