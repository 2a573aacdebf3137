/* shmlab-stream-follower.h — what a follower of a stream does off the
 * screen's thread: scale the newest frame down to the size it is shown at,
 * and hand it over through a mailbox where the latest wins.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "shmlab-stream.h"

G_BEGIN_DECLS

GBytes  *shmlab_stream_frame_downscale (const ShmlabStreamFrame *frame,
                                        guint                    target_width,
                                        guint                    target_height,
                                        guint                   *out_width,
                                        guint                   *out_height);

typedef struct _ShmlabStreamMailbox ShmlabStreamMailbox;

ShmlabStreamMailbox *shmlab_stream_mailbox_new  (GDestroyNotify       free_func);
void                 shmlab_stream_mailbox_free (ShmlabStreamMailbox *self);
gboolean             shmlab_stream_mailbox_put  (ShmlabStreamMailbox *self,
                                                 gpointer             item,
                                                 gboolean             torn);
gpointer             shmlab_stream_mailbox_take (ShmlabStreamMailbox *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShmlabStreamMailbox, shmlab_stream_mailbox_free)

G_END_DECLS
