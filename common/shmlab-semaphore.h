/* shmlab-semaphore.h — the lock beside a segment: Qt's QSystemSemaphore
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "shmlab-key.h"
#include "shmlab-native-key.h"

G_BEGIN_DECLS

typedef struct _ShmlabSemaphore ShmlabSemaphore;

ShmlabSemaphore *shmlab_semaphore_new             (const char       *key,
                                                   ShmlabBackend     backend,
                                                   GError          **error);
ShmlabSemaphore *shmlab_semaphore_new_for_key     (ShmlabKey        *key,
                                                   GError          **error);
void             shmlab_semaphore_free            (ShmlabSemaphore  *self);
const char      *shmlab_semaphore_get_native_key  (ShmlabSemaphore  *self);
gboolean         shmlab_semaphore_open            (ShmlabSemaphore  *self,
                                                   GError          **error);
gboolean         shmlab_semaphore_acquire         (ShmlabSemaphore  *self,
                                                   gint              timeout_ms,
                                                   GCancellable     *cancellable,
                                                   GError          **error);
void             shmlab_semaphore_set_holder_record (ShmlabSemaphore *self,
                                                     guint32         *word,
                                                     guint32          value);
/* Asked between slices of a wait: TRUE when the caller took over the lock
 * of a holder that is gone (POSIX only; see ShmlabSegment). */
typedef gboolean (*ShmlabSemaphoreTakeOver) (gpointer user_data);
gboolean         shmlab_semaphore_acquire_full    (ShmlabSemaphore  *self,
                                                   gint              timeout_ms,
                                                   GCancellable     *cancellable,
                                                   ShmlabSemaphoreTakeOver take_over,
                                                   gpointer          user_data,
                                                   GError          **error);
gboolean         shmlab_semaphore_release         (ShmlabSemaphore  *self,
                                                   GError          **error);
gboolean         shmlab_semaphore_get_created     (ShmlabSemaphore  *self);
void             shmlab_semaphore_remove          (ShmlabSemaphore  *self);
gboolean         shmlab_semaphore_exists          (const char       *key,
                                                   ShmlabBackend     backend);
void             shmlab_semaphore_remove_key      (const char       *key,
                                                   ShmlabBackend     backend);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShmlabSemaphore, shmlab_semaphore_free)

G_END_DECLS
