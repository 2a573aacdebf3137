/* shmlab-backend.c — the table of backends, and what it tells a person
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-backend-private.h"

#include <glib/gi18n-lib.h>

/* In the order a listing shows them; the first is the default. */
static const ShmlabBackendClass *const backends[] = {
  &shmlab_backend_sysv,
  &shmlab_backend_posix,
  &shmlab_backend_file,
};

static const ShmlabBackend backend_ids[] = {
  SHMLAB_BACKEND_SYSV,
  SHMLAB_BACKEND_POSIX,
  SHMLAB_BACKEND_FILE,
};

G_STATIC_ASSERT (G_N_ELEMENTS (backends) == G_N_ELEMENTS (backend_ids));

/* The class of @backend: an unknown value is a programming error. */
const ShmlabBackendClass *
shmlab_backend_get (ShmlabBackend backend)
{
  for (guint i = 0; i < G_N_ELEMENTS (backends); i++)
    if (backends[i]->id == backend)
      return backends[i];
  g_return_val_if_reached (backends[0]);
}

/* Every backend, in the order of the table. */
const ShmlabBackend *
shmlab_backend_all (guint *n_backends)
{
  *n_backends = G_N_ELEMENTS (backend_ids);
  return backend_ids;
}

/* Where @backend is in shmlab_backend_all(). */
guint
shmlab_backend_index (ShmlabBackend backend)
{
  for (guint i = 0; i < G_N_ELEMENTS (backend_ids); i++)
    if (backend_ids[i] == backend)
      return i;
  g_return_val_if_reached (0);
}

/* Its name on the command line: "sysv", "posix". */
const char *
shmlab_backend_to_string (ShmlabBackend backend)
{
  return shmlab_backend_get (backend)->name;
}

/* The name a person reads in a window or a message. */
const char *
shmlab_backend_describe (ShmlabBackend backend)
{
  return _(shmlab_backend_get (backend)->label);
}

/* What a segment no process uses most likely is, for the key bar. */
const char *
shmlab_backend_stale_note (ShmlabBackend backend)
{
  return _(shmlab_backend_get (backend)->stale_note);
}

/* Its name in a list to choose from: "System V (Qt compatible)". */
const char *
shmlab_backend_describe_choice (ShmlabBackend backend)
{
  return _(shmlab_backend_get (backend)->choice);
}

/* What a suggested command adds to name @backend: "" for the default, else " --backend NAME". */
const char *
shmlab_backend_option (ShmlabBackend backend)
{
  return shmlab_backend_get (backend)->option;
}

gboolean
shmlab_backend_from_string (const char     *string,
                            ShmlabBackend  *backend,
                            GError        **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (backends); i++)
    if (g_strcmp0 (string, backends[i]->name) == 0)
      {
        *backend = backends[i]->id;
        return TRUE;
      }
  /* Qt's own word for it. */
  if (g_strcmp0 (string, "systemv") == 0)
    {
      *backend = SHMLAB_BACKEND_SYSV;
      return TRUE;
    }
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("unknown backend “%s”: use “sysv” (System V, as Qt), “posix” or “file”"),
               string ? string : "");
  return FALSE;
}

/* Whether a holder that dies keeps the lock (then ShmLab records holders, and takes over). */
gboolean
shmlab_backend_lock_kept_by_dead_holder (ShmlabBackend backend)
{
  return shmlab_backend_get (backend)->lock_kept_by_dead_holder;
}

/* Whether a segment outlives every process that used it (a file). */
gboolean
shmlab_backend_is_persistent (ShmlabBackend backend)
{
  return shmlab_backend_get (backend)->persistent;
}

/* System calls one uncontended lock or unlock costs. */
guint
shmlab_backend_lock_syscalls (ShmlabBackend backend)
{
  return shmlab_backend_get (backend)->lock_syscalls;
}

/* What they are, translated, or "" when there are none to name. */
const char *
shmlab_backend_lock_calls (ShmlabBackend backend)
{
  const char *calls = shmlab_backend_get (backend)->lock_calls;

  return calls ? _(calls) : "";
}

gpointer
shmlab_backend_bare_lock_open (ShmlabBackend   backend,
                               GError        **error)
{
  return shmlab_backend_get (backend)->bare_lock_open (error);
}

/* One lock and unlock of @bare. */
gboolean
shmlab_backend_bare_lock_pair (ShmlabBackend backend,
                               gpointer      bare)
{
  return shmlab_backend_get (backend)->bare_lock_pair (bare);
}

void
shmlab_backend_bare_lock_close (ShmlabBackend backend,
                                gpointer      bare)
{
  if (bare != NULL)
    shmlab_backend_get (backend)->bare_lock_close (bare);
}
