/* shmlab-stream.h — a stream of frames from one writer to one reader, through
 * shared memory, a pipe or a Unix socket, with the race made visible
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "shmlab-key.h"
#include "shmlab-stream-frame.h"

G_BEGIN_DECLS

/**
 * ShmlabStreamTransport:
 * @SHMLAB_STREAM_TRANSPORT_SHM: the key's shared memory segment, with its lock
 * @SHMLAB_STREAM_TRANSPORT_PIPE: a FIFO named from the key in the user's
 *   runtime directory
 * @SHMLAB_STREAM_TRANSPORT_SOCKET: a Unix stream socket named the same way
 */
typedef enum
{
  SHMLAB_STREAM_TRANSPORT_SHM,
  SHMLAB_STREAM_TRANSPORT_PIPE,
  SHMLAB_STREAM_TRANSPORT_SOCKET,
  SHMLAB_STREAM_N_TRANSPORTS
} ShmlabStreamTransport;

/**
 * ShmlabStreamHandoff:
 * @SHMLAB_STREAM_HANDOFF_LATEST: the reader takes the newest frame; frames
 *   may be skipped, never waited for
 * @SHMLAB_STREAM_HANDOFF_EVERY: the bounded buffer: two semaphores, "empty"
 *   and "full"; the writer waits for the reader, nothing is lost or shown
 *   twice
 */
typedef enum
{
  SHMLAB_STREAM_HANDOFF_LATEST,
  SHMLAB_STREAM_HANDOFF_EVERY,
} ShmlabStreamHandoff;

/**
 * ShmlabStreamConfig:
 * @transport: how frames travel
 * @handoff: latest or every frame (shared memory; a pipe and a socket always
 *   hand over every frame)
 * @buffers: frames the segment holds, 1 (as in the Qt demo) or 2
 * @lock: whether the writer takes the key's lock for each copy; can be
 *   switched while streaming (shmlab_stream_writer_set_lock())
 * @width: @height: the frame size
 * @timeout_ms: how long the writer waits for a reader that takes no frame
 *   (every frame, pipe, socket) before it says so; 0 for the default (5 s)
 */
typedef struct
{
  ShmlabStreamTransport transport;
  ShmlabStreamHandoff handoff;
  guint buffers;
  gboolean lock;
  guint32 width;
  guint32 height;
  guint timeout_ms;
} ShmlabStreamConfig;

void shmlab_stream_config_init (ShmlabStreamConfig *config);

/**
 * ShmlabStreamError:
 * @SHMLAB_STREAM_ERROR_NO_STREAM: nothing streams on this key (yet)
 * @SHMLAB_STREAM_ERROR_STOPPED: the writer stopped or went away
 * @SHMLAB_STREAM_ERROR_NO_READER: the reader went away or takes no frame
 * @SHMLAB_STREAM_ERROR_NOT_A_STREAM: the key's segment holds something else
 * @SHMLAB_STREAM_ERROR_BUSY: another writer streams on this key
 * @SHMLAB_STREAM_ERROR_MALFORMED: a header field is wrong (hostile or damaged)
 * @SHMLAB_STREAM_ERROR_INVALID: a size, rate or option out of range
 * @SHMLAB_STREAM_ERROR_TRANSPORT: the pipe or socket failed (errno in the
 *   message)
 */
typedef enum
{
  SHMLAB_STREAM_ERROR_NO_STREAM,
  SHMLAB_STREAM_ERROR_STOPPED,
  SHMLAB_STREAM_ERROR_NO_READER,
  SHMLAB_STREAM_ERROR_NOT_A_STREAM,
  SHMLAB_STREAM_ERROR_BUSY,
  SHMLAB_STREAM_ERROR_MALFORMED,
  SHMLAB_STREAM_ERROR_INVALID,
  SHMLAB_STREAM_ERROR_TRANSPORT,
} ShmlabStreamError;

#define SHMLAB_STREAM_ERROR (shmlab_stream_error_quark ())
GQuark shmlab_stream_error_quark (void);

/**
 * ShmlabStreamStats:
 *
 * The figures of one side of a stream. A writer fills the written and
 * waiting fields; a reader all of them (what the writer wrote it reads from
 * the segment; through a pipe or a socket, frames_written is the newest
 * frame number it has seen).
 */
typedef struct
{
  guint64 frames_written;
  guint64 frames_shown;
  guint64 frames_skipped;
  guint64 frames_torn;
  guint64 frames_duplicated;
  double fps;                 /* over the last second */
  double mb_per_s;            /* frame bytes over the last second */
  double latency_p50_ms;      /* writer's copy → reader has it */
  double latency_p99_ms;
  double writer_lock_wait_ms; /* total time the writer waited for the lock */
  double reader_lock_wait_ms; /* … the reader */
  double writer_handoff_wait_ms; /* … the writer waited for an empty buffer */
} ShmlabStreamStats;

/* The words for a person, translated. */
const char *shmlab_stream_transport_name  (ShmlabStreamTransport transport); /* "shm", "pipe", "socket" */
const char *shmlab_stream_transport_label (ShmlabStreamTransport transport); /* "Shared memory", … */
gboolean    shmlab_stream_transport_parse (const char *name, ShmlabStreamTransport *out);
const char *shmlab_stream_handoff_name    (ShmlabStreamHandoff handoff);     /* "latest", "every" */
gboolean    shmlab_stream_handoff_parse   (const char *name, ShmlabStreamHandoff *out);
/* Where a pipe's FIFO or a socket lives for @key: $XDG_RUNTIME_DIR (or the
 * temp directory) / shmlab-stream-<escaped key>.fifo|.sock */
char       *shmlab_stream_transport_path  (ShmlabStreamTransport transport,
                                           ShmlabKey            *key);

/* ---- the writer ---- */

typedef struct _ShmlabStreamWriter ShmlabStreamWriter;

ShmlabStreamWriter *shmlab_stream_writer_new      (ShmlabKey                *key,
                                                   const ShmlabStreamConfig *config,
                                                   GCancellable             *cancellable,
                                                   GError                  **error);
/* Copies one frame of width × height RGBA into the transport, waiting (in
 * slices, cancellable) for the lock, an empty buffer or a reader. */
gboolean            shmlab_stream_writer_put      (ShmlabStreamWriter       *self,
                                                   const guint8             *rgba,
                                                   gsize                     stride,
                                                   gint64                    source_time,
                                                   GCancellable             *cancellable,
                                                   GError                  **error);
void                shmlab_stream_writer_set_lock (ShmlabStreamWriter       *self,
                                                   gboolean                  lock);
/* For tests: called after each row the writer copies. */
void                shmlab_stream_writer_set_row_hook (ShmlabStreamWriter  *self,
                                                   ShmlabStreamRowHook       hook,
                                                   gpointer                  user_data);
void                shmlab_stream_writer_get_stats (ShmlabStreamWriter      *self,
                                                   ShmlabStreamStats        *stats);
const ShmlabStreamConfig *shmlab_stream_writer_get_config (ShmlabStreamWriter *self);
/* Marks the stream ended, detaches and removes what it made. */
void                shmlab_stream_writer_free     (ShmlabStreamWriter       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShmlabStreamWriter, shmlab_stream_writer_free)

/* ---- the reader ---- */

/**
 * ShmlabStreamFrame:
 * @header: the frame's header as copied
 * @check: what its rows say
 * @bytes: the whole frame as copied (header, then tagged rows); the pixels
 *   of row r are at 64 + r × row_size + 16
 * @received_time: CLOCK_MONOTONIC ns when the copy ended
 */
typedef struct
{
  ShmlabStreamFrameHeader header;
  ShmlabStreamCheck check;
  GBytes *bytes;
  gint64 received_time;
  /*< private >*/
  gatomicrefcount ref_count;
} ShmlabStreamFrame;

ShmlabStreamFrame  *shmlab_stream_frame_ref       (ShmlabStreamFrame        *frame);
void                shmlab_stream_frame_unref     (ShmlabStreamFrame        *frame);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShmlabStreamFrame, shmlab_stream_frame_unref)

typedef struct _ShmlabStreamReader ShmlabStreamReader;

ShmlabStreamReader *shmlab_stream_reader_new      (ShmlabKey                *key,
                                                   ShmlabStreamTransport     transport,
                                                   GCancellable             *cancellable,
                                                   GError                  **error);
/* The next frame: waits up to @timeout_ms (cancellable) for one; 0 only
 * looks whether one is there, as a display that reads at its own rate. A stream
 * whose writer has gone is SHMLAB_STREAM_ERROR_STOPPED; G_IO_ERROR_TIMED_OUT
 * when no frame came in time but the writer is still there. */
ShmlabStreamFrame  *shmlab_stream_reader_next     (ShmlabStreamReader       *self,
                                                   guint                     timeout_ms,
                                                   GCancellable             *cancellable,
                                                   GError                  **error);
/* The reader showed @frame now (the windows call it when the frame is on
 * screen; the CLI right after next()): counts it and its latency. */
void                shmlab_stream_reader_shown    (ShmlabStreamReader       *self,
                                                   const ShmlabStreamFrame  *frame,
                                                   gint64                    shown_time);
void                shmlab_stream_reader_get_stats (ShmlabStreamReader      *self,
                                                   ShmlabStreamStats        *stats);
/* What the writer set, as the reader last saw it (shared memory only; a pipe
 * and a socket report their own transport, every frame, no lock). */
void                shmlab_stream_reader_get_config (ShmlabStreamReader     *self,
                                                   ShmlabStreamConfig       *config);
void                shmlab_stream_reader_free     (ShmlabStreamReader       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShmlabStreamReader, shmlab_stream_reader_free)

G_END_DECLS

G_BEGIN_DECLS
/* "1920x1080" (or with ×) into a width and a height within the stream's
 * limits; SHMLAB_STREAM_ERROR_INVALID with a sentence saying what to type. */
gint64   shmlab_stream_now_ns (void);

/* A person's option values, each refused with G_OPTION_ERROR_BAD_VALUE and a
 * sentence naming the option and what it takes. */
#define SHMLAB_STREAM_MAX_FPS 240
gboolean shmlab_stream_parse_fps       (const char            *text,
                                        double                *fps,
                                        GError               **error);
gboolean shmlab_stream_parse_buffers   (const char            *text,
                                        guint                 *buffers,
                                        GError               **error);
gboolean shmlab_stream_parse_handoff   (const char            *text,
                                        ShmlabStreamHandoff   *handoff,
                                        GError               **error);
gboolean shmlab_stream_parse_transport (const char            *text,
                                        ShmlabStreamTransport *transport,
                                        GError               **error);

gboolean shmlab_stream_parse_size (const char *text,
                                   guint32    *width,
                                   guint32    *height,
                                   GError    **error);
G_END_DECLS
