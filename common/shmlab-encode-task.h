/* shmlab-encode-task.h — encoding a payload in a thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "shmlab-payload.h"

G_BEGIN_DECLS

/* Encoding (PNG for the Qt format, the CRC) can take long: run it in a thread. */
void           shmlab_payload_encode_async  (ShmlabPayload        *payload,
                                             ShmlabFormat          format,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
ShmlabEncoded *shmlab_payload_encode_finish (GAsyncResult         *result,
                                             GError              **error);

G_END_DECLS
