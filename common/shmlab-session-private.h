/* shmlab-session-private.h — what the files of ShmlabSession share: the
 * instance, the state mirrored to the main thread, the running operation
 * the steps work on, and closing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "shmlab-session.h"

G_BEGIN_DECLS

/* What the main thread knows of the segment, captured by the worker. */
typedef struct
{
  gboolean attached;
  gboolean locked;
  gboolean created;
  gsize size;
  ShmlabSegmentInfo info;
  GBytes *snapshot;  /* NULL: unchanged */
} ShmlabSessionState;

/* A closed session's detach (shmlab-session-close.c). */
typedef struct _ShmlabSessionClosing ShmlabSessionClosing;

/* One entry of the table of operations (shmlab-session-operations.c). */
typedef struct _ShmlabSessionOperation ShmlabSessionOperation;

struct _ShmlabSession
{
  GObject parent_instance;

  GMainContext *context;

  /* Touched only by the operation running in a thread. */
  ShmlabSegment *segment;
  gboolean made_segment;  /* this session created the segment it is attached to */
  guint64 last_generation;
  GBytes *last_bytes;
  gint last_id;

  /* Main-thread state. */
  ShmlabKey *key;         /* NULL until a key is set */
  ShmlabBackend backend;  /* the key's, or the default before one is set */
  gint lock_timeout;
  gboolean busy;
  gboolean waiting;
  ShmlabSessionState state;

  /* Closing (main thread). */
  GCancellable *op_cancellable;     /* the running operation's */
  GCancellable *close_cancellable;  /* also ends the detaches of the running operation */
  ShmlabSessionClosing *closing;    /* set once closed */
};

/* The running operation as its steps see it: what every operation needs,
 * set on the main thread, read by the worker. What one operation alone
 * needs is in its own state, @op. */
typedef struct
{
  ShmlabSession *self;
  const ShmlabSessionOperation *operation;
  gpointer op;                /* the operation's own state, freed by the operation */
  ShmlabKey *key;             /* the session's key when the operation began, or NULL */
  gint lock_timeout;
  ShmlabSessionState state;   /* after the operation, for the main thread */
  GCancellable *cancellable;  /* the caller's, or closing, cancel it */
  GCancellable *caller_cancellable;
  gulong caller_handler;
  GCancellable *close_cancellable;
  gboolean ok;                /* the outcome, when no error */
  ShmlabReadResult *result;
} ShmlabSessionRun;

/* shmlab-session.c: the state mirrored to the main context. */
void     shmlab_session_apply_state    (ShmlabSession      *self,
                                        ShmlabSessionState *state);
void     shmlab_session_capture_state  (ShmlabSession      *self,
                                        ShmlabKey          *key,
                                        ShmlabSessionState *state);
void     shmlab_session_set_busy       (ShmlabSession      *self,
                                        gboolean            busy);
void     shmlab_session_post_step      (ShmlabSessionRun   *data,
                                        ShmlabStep         *step,
                                        GBytes             *snapshot);
void     shmlab_session_post_waiting   (ShmlabSessionRun   *data,
                                        gboolean            waiting);

/* shmlab-session-steps.c: the protocol steps, run in the worker; each
 * reports itself as a ShmlabStep. */
typedef struct
{
  gint64 start;
  const char *name;
} ShmlabSessionTimer;

ShmlabSessionTimer shmlab_session_timer_start     (const char         *name);
gboolean shmlab_session_report                    (ShmlabSessionRun   *data,
                                                   ShmlabSessionTimer  timer,
                                                   gboolean            ok,
                                                   const GError       *error,
                                                   GBytes             *snapshot,
                                                   const char         *format,
                                                   ...) G_GNUC_PRINTF (6, 7);
gboolean shmlab_session_require                   (ShmlabSessionRun   *data,
                                                   gboolean            attached,
                                                   gboolean            locked,
                                                   const char         *what,
                                                   GError            **error);
gboolean shmlab_session_step_apply_key            (ShmlabSessionRun   *data,
                                                   GError            **error);
gboolean shmlab_session_step_create               (ShmlabSessionRun   *data,
                                                   gsize               size,
                                                   GCancellable       *cancellable,
                                                   GError            **error);
gboolean shmlab_session_step_attach               (ShmlabSessionRun   *data,
                                                   ShmlabAccessMode    mode,
                                                   GCancellable       *cancellable,
                                                   GError            **error);
gboolean shmlab_session_step_lock                 (ShmlabSessionRun   *data,
                                                   GCancellable       *cancellable,
                                                   GError            **error);
gboolean shmlab_session_step_unlock               (ShmlabSessionRun   *data,
                                                   GError            **error);
void     shmlab_session_unlock_quietly            (ShmlabSessionRun   *data);
gboolean shmlab_session_step_detach               (ShmlabSessionRun   *data,
                                                   GError            **error);
gboolean shmlab_session_step_copy_in              (ShmlabSessionRun   *data,
                                                   ShmlabEncoded      *encoded,
                                                   ShmlabWriteFlags    flags,
                                                   GError            **error);
guint8  *shmlab_session_prepare_copy              (gsize               size);
GBytes  *shmlab_session_step_copy_out             (ShmlabSessionRun   *data,
                                                   guint8             *prepared,
                                                   GError            **error);
ShmlabReadResult *shmlab_session_step_decode      (ShmlabSessionRun   *data,
                                                   GBytes             *bytes);

/* shmlab-session-close.c: closing, on the main context. */
ShmlabSessionClosing *shmlab_session_closing_begin (ShmlabSession        *self);
void     shmlab_session_closing_start             (ShmlabSessionClosing *closing,
                                                   ShmlabSegment        *segment);
void     shmlab_session_closing_unref             (ShmlabSessionClosing *closing);

G_END_DECLS
