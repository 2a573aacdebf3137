/* shmlab-backend.h — the kinds of shared memory ShmLab speaks, chosen once
 * and called through a table (see shmlab-backend-private.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * ShmlabBackend:
 * @SHMLAB_BACKEND_SYSV: System V shared memory and semaphores, named through
 *   key files in the temp dir and ftok() — what Qt uses on Linux
 * @SHMLAB_BACKEND_POSIX: shm_open() and sem_open(), named "/qipc_…" — what Qt
 *   built with QT_POSIX_IPC uses
 * @SHMLAB_BACKEND_FILE: a regular file mapped with mmap(MAP_SHARED), locked
 *   by fcntl() on the file itself: shared memory that stays until removed
 */
typedef enum
{
  SHMLAB_BACKEND_SYSV,
  SHMLAB_BACKEND_POSIX,
  SHMLAB_BACKEND_FILE,
} ShmlabBackend;

/* What a key names when no backend is given: what Qt uses on Linux. */
#define SHMLAB_BACKEND_DEFAULT SHMLAB_BACKEND_SYSV

/* A backend's functions and facts: one per backend file. */
typedef struct _ShmlabBackendClass ShmlabBackendClass;

const ShmlabBackendClass *shmlab_backend_get          (ShmlabBackend   backend);
const ShmlabBackend      *shmlab_backend_all          (guint          *n_backends);
guint                     shmlab_backend_index        (ShmlabBackend   backend);

const char *shmlab_backend_to_string    (ShmlabBackend     backend);
const char *shmlab_backend_describe     (ShmlabBackend     backend);
const char *shmlab_backend_option       (ShmlabBackend     backend);
const char *shmlab_backend_describe_choice (ShmlabBackend  backend);
const char *shmlab_backend_stale_note   (ShmlabBackend     backend);
gboolean    shmlab_backend_from_string  (const char       *string,
                                         ShmlabBackend    *backend,
                                         GError          **error);
gboolean    shmlab_backend_lock_kept_by_dead_holder (ShmlabBackend backend);
gboolean    shmlab_backend_is_persistent (ShmlabBackend    backend);
guint       shmlab_backend_lock_syscalls (ShmlabBackend    backend);
const char *shmlab_backend_lock_calls   (ShmlabBackend     backend);

/* A bare semaphore of the backend's kind, for the bench to compare with. */
gpointer    shmlab_backend_bare_lock_open  (ShmlabBackend  backend,
                                            GError       **error);
gboolean    shmlab_backend_bare_lock_pair  (ShmlabBackend  backend,
                                            gpointer       bare);
void        shmlab_backend_bare_lock_close (ShmlabBackend  backend,
                                            gpointer       bare);

/* The ftok() project id of Qt's System V keys: its type's number, 'Q'. */
#define SHMLAB_QT_KEY_FTOK_ID 0x51

/* The longest POSIX name whose semaphore ("sem." + name) the kernel takes. */
#define SHMLAB_QT_KEY_POSIX_NAME_MAX 251

G_END_DECLS
