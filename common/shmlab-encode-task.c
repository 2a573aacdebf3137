/* shmlab-encode-task.c — shmlab_payload_encode() in a thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-encode-task.h"

#include "shmlab-thread.h"

static void
encode_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ShmlabPayload *payload = task_data;
  GError *error = NULL;
  ShmlabEncoded *encoded;

  shmlab_thread_set_background ();
  encoded = shmlab_payload_encode (payload, payload->format, &error);

  if (encoded == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, encoded, (GDestroyNotify) shmlab_encoded_free);
}

/**
 * shmlab_payload_encode_async:
 * @payload: (transfer full): what to encode; freed once encoded
 * @format: how
 *
 * shmlab_payload_encode() in a thread: PNG encoding of a large image takes
 * seconds.
 */
void
shmlab_payload_encode_async (ShmlabPayload       *payload,
                             ShmlabFormat         format,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  payload->format = format;
  g_task_set_source_tag (task, shmlab_payload_encode_async);
  g_task_set_task_data (task, payload, (GDestroyNotify) shmlab_payload_free);
  g_task_run_in_thread (task, encode_thread);
}

ShmlabEncoded *
shmlab_payload_encode_finish (GAsyncResult  *result,
                              GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
