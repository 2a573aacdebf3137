/* shmlab-session.h — a segment driven step by step off the main thread,
 * each step reported with its result and duration
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "shmlab-payload.h"
#include "shmlab-segment.h"
#include "shmlab-step.h"

G_BEGIN_DECLS

/**
 * ShmlabReadResult:
 * @bytes: the private copy of the whole segment, taken under the lock
 * @payload: (nullable): what it holds, decoded
 * @decode_error: (nullable): why it could not be decoded
 * @changed: for shmlab_session_poll_async(): whether it differs from the
 *   last read (when FALSE, @bytes and @payload are NULL)
 */
typedef struct
{
  GBytes *bytes;
  ShmlabPayload *payload;
  GError *decode_error;
  gboolean changed;
} ShmlabReadResult;

void shmlab_read_result_free (ShmlabReadResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShmlabReadResult, shmlab_read_result_free)

#define SHMLAB_TYPE_SESSION (shmlab_session_get_type ())
G_DECLARE_FINAL_TYPE (ShmlabSession, shmlab_session, SHMLAB, SESSION, GObject)

ShmlabSession     *shmlab_session_new                 (void);

gboolean           shmlab_session_set_key             (ShmlabSession        *self,
                                                       const char           *key,
                                                       ShmlabBackend         backend,
                                                       GError              **error);
gboolean           shmlab_session_set_key_full        (ShmlabSession        *self,
                                                       const char           *key,
                                                       ShmlabBackend         backend,
                                                       ShmlabKeyKind         kind,
                                                       GError              **error);
const char        *shmlab_session_get_key             (ShmlabSession        *self);
ShmlabKey         *shmlab_session_get_key_value       (ShmlabSession        *self);
ShmlabBackend      shmlab_session_get_backend         (ShmlabSession        *self);
const char        *shmlab_session_get_native_key      (ShmlabSession        *self);
const char        *shmlab_session_get_semaphore_key   (ShmlabSession        *self);
void               shmlab_session_set_lock_timeout    (ShmlabSession        *self,
                                                       gint                  timeout_ms);
gint               shmlab_session_get_lock_timeout    (ShmlabSession        *self);

gboolean           shmlab_session_get_attached        (ShmlabSession        *self);
gboolean           shmlab_session_get_locked          (ShmlabSession        *self);
gboolean           shmlab_session_get_busy            (ShmlabSession        *self);
gboolean           shmlab_session_get_waiting         (ShmlabSession        *self);
gsize              shmlab_session_get_size            (ShmlabSession        *self);
gboolean           shmlab_session_get_created         (ShmlabSession        *self);
const ShmlabSegmentInfo *shmlab_session_get_info      (ShmlabSession        *self);
GBytes            *shmlab_session_get_snapshot        (ShmlabSession        *self);

/* One step each; they run in a thread, one at a time (G_IO_ERROR_PENDING otherwise). */
void               shmlab_session_create_async        (ShmlabSession        *self,
                                                       gsize                 size,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
void               shmlab_session_attach_async        (ShmlabSession        *self,
                                                       ShmlabAccessMode      mode,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
void               shmlab_session_lock_async          (ShmlabSession        *self,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
void               shmlab_session_unlock_async        (ShmlabSession        *self,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
void               shmlab_session_detach_async        (ShmlabSession        *self,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
void               shmlab_session_write_async         (ShmlabSession        *self,
                                                       ShmlabEncoded        *encoded,
                                                       ShmlabWriteFlags      flags,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
void               shmlab_session_read_async          (ShmlabSession        *self,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
void               shmlab_session_remove_async        (ShmlabSession        *self,
                                                       gboolean              force,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);

/* The one-click sequences of the Writer and the Reader. */
void               shmlab_session_write_all_async     (ShmlabSession        *self,
                                                       ShmlabEncoded        *encoded,
                                                       gsize                 size,
                                                       ShmlabWriteFlags      flags,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
void               shmlab_session_read_all_async      (ShmlabSession        *self,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
void               shmlab_session_poll_async          (ShmlabSession        *self,
                                                       GCancellable         *cancellable,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);

gboolean           shmlab_session_step_finish         (ShmlabSession        *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);
ShmlabReadResult  *shmlab_session_read_finish         (ShmlabSession        *self,
                                                       GAsyncResult         *result,
                                                       GError              **error);

/* Closing: the detach runs in a thread; the session may go at once. */
void               shmlab_session_close_async         (ShmlabSession        *self,
                                                       GAsyncReadyCallback   callback,
                                                       gpointer              user_data);
gboolean           shmlab_session_close_finish        (GAsyncResult         *result,
                                                       GError              **error);
gboolean           shmlab_session_get_closed          (ShmlabSession        *self);
guint              shmlab_session_count_closing       (void);

G_END_DECLS
