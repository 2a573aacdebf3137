/* shmlab-stream-stub.c — the pipe and socket transports until they exist
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-stream-private.h"


char *
shmlab_stream_transport_path (ShmlabStreamTransport transport,
                              ShmlabKey            *key)
{
  return NULL;
}

const ShmlabStreamTransportClass shmlab_stream_transport_pipe = { .id = SHMLAB_STREAM_TRANSPORT_PIPE };
const ShmlabStreamTransportClass shmlab_stream_transport_socket = { .id = SHMLAB_STREAM_TRANSPORT_SOCKET };
