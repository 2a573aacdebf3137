/* shmlab-session-steps.c — the protocol steps, as QSharedMemory names them
 *
 * Each runs in the worker of the running operation, touches the segment,
 * and reports itself (name, detail, result, duration) to the main context.
 * The operations (shmlab-session-operations.c) are made of these.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-session-private.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "shmlab-limits.h"

/* How much of the segment the inspector gets to see. */
#define SNAPSHOT_BYTES (64 * 1024)

ShmlabSessionTimer
shmlab_session_timer_start (const char *name)
{
  return (ShmlabSessionTimer) { g_get_monotonic_time (), name };
}

/* Reports a finished step; returns @ok so steps read as one expression. */
gboolean
shmlab_session_report (ShmlabSessionRun   *data,
                       ShmlabSessionTimer  timer,
                       gboolean            ok,
                       const GError       *error,
                       GBytes             *snapshot,
                       const char         *format,
                       ...)
{
  ShmlabStep *step = g_new0 (ShmlabStep, 1);
  va_list ap;

  step->name = g_strdup (timer.name);
  if (format != NULL)
    {
      va_start (ap, format);
      step->detail = g_strdup_vprintf (format, ap);
      va_end (ap);
    }
  step->ok = ok;
  step->error = (!ok && error) ? g_error_copy (error) : NULL;
  step->duration_us = g_get_monotonic_time () - timer.start;
  step->time_us = g_get_real_time ();
  shmlab_session_post_step (data, step, snapshot);
  return ok;
}

static gboolean implicit_lock (ShmlabSessionRun *data, GCancellable *cancellable, gboolean *took,
                               GError **error);
static void implicit_unlock (ShmlabSessionRun *data, gboolean took);

static char *
size_text (guint64 bytes)
{
  return shmlab_format_bytes (bytes);
}

gboolean
shmlab_session_step_detach (ShmlabSessionRun  *data,
                            GError           **error)
{
  ShmlabSession *self = data->self;
  ShmlabSessionTimer t = shmlab_session_timer_start ("detach");
  GError *local_error = NULL;
  gboolean took = FALSE;
  /* Only closing ends this wait: a cancelled read still detaches. */
  gboolean ok = implicit_lock (data, data->close_cancellable, &took, &local_error) &&
                shmlab_segment_detach (self->segment, &local_error);
  gboolean removed = ok && shmlab_segment_get_removed_on_detach (self->segment);
  gboolean nobody_left = FALSE;

  implicit_unlock (data, took);
  if (ok)
    {
      self->last_id = -1;
      self->made_segment = FALSE;
      g_clear_pointer (&self->last_bytes, g_bytes_unref);
      self->last_generation = 0;
    }
  if (ok && !removed)
    {
      ShmlabSegmentInfo info;

      /* Not removed, yet nobody maps it: a POSIX segment this process did
       * not make (one Qt 6 left, say) stays until someone removes it. */
      if (shmlab_segment_query_for_key (shmlab_segment_get_key_value (self->segment), &info, NULL) &&
          info.exists && info.attach_count == 0)
        nobody_left = TRUE;
      shmlab_segment_info_clear (&info);
    }
  shmlab_session_report (data, t, ok, local_error, NULL, "%s",
                         !ok ? "" : removed ? _("segment removed: this was the last process")
                         : nobody_left && shmlab_backend_is_persistent (shmlab_session_get_backend (self))
                           ? _("the file stays, though no process maps it any more: a file is kept "
                               "until someone removes it")
                         : nobody_left ? _("the segment stays, though no process is attached any "
                                           "more: only the process that made it removes it")
                                       : _("the segment lives on while others are attached"));
  if (!ok)
    g_propagate_error (error, local_error);
  return ok;
}

/* The key the user set since the last step takes effect now. */
gboolean
shmlab_session_step_apply_key (ShmlabSessionRun  *data,
                               GError           **error)
{
  ShmlabSession *self = data->self;
  ShmlabSessionTimer t;
  GError *local_error = NULL;
  gboolean ok;

  if (data->key == NULL)
    {
      g_set_error_literal (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_KEY_ERROR,
                           _("no key is set: type a key first"));
      return FALSE;
    }

  if (self->segment != NULL &&
      shmlab_key_equal (shmlab_segment_get_key_value (self->segment), data->key))
    {
      shmlab_segment_set_lock_timeout (self->segment, data->lock_timeout);
      return TRUE;
    }

  if (self->segment != NULL && shmlab_segment_is_attached (self->segment) &&
      !shmlab_session_step_detach (data, error))
    return FALSE;

  t = shmlab_session_timer_start ("setKey");
  if (self->segment == NULL ||
      shmlab_segment_get_backend (self->segment) != shmlab_key_get_backend (data->key))
    {
      g_clear_object (&self->segment);
      self->segment = shmlab_segment_new (shmlab_key_get_backend (data->key));
    }
  ok = shmlab_segment_set_key_value (self->segment, data->key, &local_error);
  shmlab_segment_set_lock_timeout (self->segment, data->lock_timeout);
  /* TRANSLATORS: the setKey step, “key” → native name (backend): quote the key as your
   * language does */
  shmlab_session_report (data, t, ok, local_error, NULL, _("“%s” → %s (%s)"),
                         shmlab_key_get_name (data->key),
                         ok ? shmlab_segment_get_native_key (self->segment) : "—",
                         shmlab_backend_describe (shmlab_key_get_backend (data->key)));
  if (!ok)
    g_propagate_error (error, local_error);
  return ok;
}

gboolean
shmlab_session_require (ShmlabSessionRun  *data,
                        gboolean           attached,
                        gboolean           locked,
                        const char        *what,
                        GError           **error)
{
  ShmlabSegment *segment = data->self->segment;

  if (attached && (segment == NULL || !shmlab_segment_is_attached (segment)))
    {
      g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_NOT_FOUND,
                   _("cannot %s: not attached to a segment — create or attach first"), what);
      return FALSE;
    }
  if (locked && !shmlab_segment_is_locked (segment))
    {
      g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_LOCK_ERROR,
                   _("cannot %s without the lock: lock first"), what);
      return FALSE;
    }
  return TRUE;
}

gboolean
shmlab_session_step_create (ShmlabSessionRun  *data,
                            gsize              size,
                            GCancellable      *cancellable,
                            GError           **error)
{
  ShmlabSession *self = data->self;
  ShmlabSessionTimer t = shmlab_session_timer_start ("create");
  g_autofree char *text = size_text (size);
  GError *local_error = NULL;
  gboolean took = FALSE;
  gboolean ok = implicit_lock (data, cancellable, &took, &local_error) &&
                shmlab_segment_create (self->segment, size, SHMLAB_ACCESS_READ_WRITE, cancellable,
                                       &local_error);

  implicit_unlock (data, took);
  if (ok)
    {
      ShmlabSegmentInfo info;
      self->made_segment = TRUE;
      self->last_id = shmlab_segment_query (self->segment, &info, NULL) ? info.id : -1;
    }
  shmlab_session_report (data, t, ok, local_error, NULL, _("%s, mode 0600"), text);
  if (!ok)
    g_propagate_error (error, local_error);
  return ok;
}

gboolean
shmlab_session_step_attach (ShmlabSessionRun  *data,
                            ShmlabAccessMode   mode,
                            GCancellable      *cancellable,
                            GError           **error)
{
  ShmlabSession *self = data->self;
  ShmlabSessionTimer t = shmlab_session_timer_start ("attach");
  GError *local_error = NULL;
  g_autofree char *text = NULL;
  gboolean took = FALSE;
  gboolean ok = implicit_lock (data, cancellable, &took, &local_error) &&
                shmlab_segment_attach (self->segment, mode, cancellable, &local_error);

  implicit_unlock (data, took);
  if (ok)
    {
      ShmlabSegmentInfo info;
      self->last_id = shmlab_segment_query (self->segment, &info, NULL) ? info.id : -1;
      text = size_text (shmlab_segment_get_size (self->segment));
    }
  shmlab_session_report (data, t, ok, local_error, NULL, "%s%s%s", text ? text : "",
                         text ? ", " : "",
                         mode == SHMLAB_ACCESS_READ_ONLY ? _("read-only") : _("read-write"));
  if (!ok)
    g_propagate_error (error, local_error);
  return ok;
}

/* Takes the lock: at once if free, else says the session waits and waits
 * (the lock timeout, or until cancelled). */
static gboolean
acquire (ShmlabSessionRun  *data,
         GCancellable      *cancellable,
         gboolean          *waited,
         GError           **error)
{
  ShmlabSegment *segment = data->self->segment;
  GError *local_error = NULL;
  gboolean ok;

  *waited = FALSE;
  ok = shmlab_segment_lock_full (segment, 0, NULL, &local_error);
  if (!ok && g_error_matches (local_error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_TIMED_OUT) &&
      data->lock_timeout != 0)
    {
      g_clear_error (&local_error);
      *waited = TRUE;
      shmlab_session_post_waiting (data, TRUE);
      ok = shmlab_segment_lock_full (segment, data->lock_timeout, cancellable, &local_error);
      shmlab_session_post_waiting (data, FALSE);
    }
  if (!ok)
    g_propagate_error (error, local_error);
  else
    {
      /* A POSIX lock taken over from a holder that died: the student hears why. */
      g_autofree char *note = shmlab_segment_take_lock_note (segment);

      if (note != NULL)
        shmlab_session_report (data, shmlab_session_timer_start ("lock"), TRUE, NULL, NULL, "%s",
                               note);
    }
  return ok;
}

/* create, attach and detach run under the lock, as Qt's do: take it here so
 * that a wait for it shows, unless the student already holds it. */
static gboolean
implicit_lock (ShmlabSessionRun  *data,
               GCancellable      *cancellable,
               gboolean          *took,
               GError           **error)
{
  gboolean waited;

  *took = FALSE;
  if (shmlab_segment_is_locked (data->self->segment))
    return TRUE;
  if (!acquire (data, cancellable, &waited, error))
    return FALSE;
  *took = TRUE;
  return TRUE;
}

static void
implicit_unlock (ShmlabSessionRun *data,
                 gboolean          took)
{
  if (took)
    shmlab_segment_unlock (data->self->segment, NULL);
}

gboolean
shmlab_session_step_lock (ShmlabSessionRun  *data,
                          GCancellable      *cancellable,
                          GError           **error)
{
  ShmlabSessionTimer t = shmlab_session_timer_start ("lock");
  GError *local_error = NULL;
  gboolean waited;
  gboolean ok = acquire (data, cancellable, &waited, &local_error);

  shmlab_session_report (data, t, ok, local_error, NULL, "%s",
                         waited && ok ? _("waited for another process to unlock") : "");
  if (!ok)
    g_propagate_error (error, local_error);
  return ok;
}

gboolean
shmlab_session_step_unlock (ShmlabSessionRun  *data,
                            GError           **error)
{
  ShmlabSessionTimer t = shmlab_session_timer_start ("unlock");
  GError *local_error = NULL;
  gboolean ok = shmlab_segment_unlock (data->self->segment, &local_error);

  shmlab_session_report (data, t, ok, local_error, NULL, NULL);
  if (!ok)
    g_propagate_error (error, local_error);
  return ok;
}

static GBytes *
snapshot_of (ShmlabSegment *segment)
{
  gsize size = shmlab_segment_get_size (segment);

  return g_bytes_new (shmlab_segment_get_const_data (segment), MIN (size, SNAPSHOT_BYTES));
}

gboolean
shmlab_session_step_copy_in (ShmlabSessionRun  *data,
                             ShmlabEncoded     *encoded,
                             ShmlabWriteFlags   flags,
                             GError           **error)
{
  ShmlabSegment *segment = data->self->segment;
  ShmlabSessionTimer t = shmlab_session_timer_start ("copy");
  GError *local_error = NULL;
  g_autoptr(GBytes) snapshot = NULL;
  guint8 *dest = shmlab_segment_get_data (segment);
  gsize size = shmlab_segment_get_size (segment);
  gsize written = 0;
  guint64 generation = shmlab_frame_peek_generation (dest, size) + 1;
  gboolean ok;

  if (shmlab_segment_get_access_mode (segment) != SHMLAB_ACCESS_READ_WRITE)
    {
      g_set_error_literal (&local_error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_PERMISSION_DENIED,
                           _("cannot write: attached read-only — detach and attach read-write"));
      ok = FALSE;
    }
  else
    ok = shmlab_encoded_write (encoded, dest, size, flags, generation, &written,
                               &local_error);
  if (ok)
    snapshot = snapshot_of (segment);
  /* "as": the format's name may have brackets of its own, "plain text (Qt demo)". */
  {
    gsize count = ok ? written : shmlab_encoded_get_size (encoded);
    const char *format = shmlab_format_describe (shmlab_encoded_get_format (encoded));

    if (ok && written < shmlab_encoded_get_size (encoded))
      shmlab_session_report (data, t, ok, local_error, snapshot,
                             g_dngettext (GETTEXT_PACKAGE, "%zu byte in as %s, cut to fit",
                                          "%zu bytes in as %s, cut to fit", count),
                             count, format);
    else
      shmlab_session_report (data, t, ok, local_error, snapshot,
                             g_dngettext (GETTEXT_PACKAGE, "%zu byte in as %s",
                                          "%zu bytes in as %s", count),
                             count, format);
  }
  if (!ok)
    g_propagate_error (error, local_error);
  return ok;
}

/* Memory for a copy of @size bytes, its pages already mapped: taking them
 * one fault at a time while holding the lock would make others wait. */
guint8 *
shmlab_session_prepare_copy (gsize size)
{
  long page = 4096;
  guint8 *copy = g_try_malloc (MAX (size, 1));

  if (copy != NULL)
    for (gsize i = 0; i < size; i += (gsize) page)
      ((volatile guint8 *) copy)[i] = 0;
  return copy;
}

/* The whole segment into a private copy (made ready beforehand by
 * prepare_copy() when the size was known): everything after works on it. */
GBytes *
shmlab_session_step_copy_out (ShmlabSessionRun  *data,
                              guint8            *prepared,
                              GError           **error)
{
  ShmlabSegment *segment = data->self->segment;
  ShmlabSessionTimer t = shmlab_session_timer_start ("copy");
  gsize size = shmlab_segment_get_size (segment);
  guint8 *copy = prepared ? prepared : g_try_malloc (MAX (size, 1));
  GError *local_error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) snapshot = NULL;

  if (copy == NULL)
    {
      g_autofree char *text = size_text (size);
      g_set_error (&local_error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   _("not enough memory to copy the segment of %s out: free memory or read a "
                   "smaller segment"), text);
      shmlab_session_report (data, t, FALSE, local_error, NULL, NULL);
      g_propagate_error (error, local_error);
      return NULL;
    }
  memcpy (copy, shmlab_segment_get_const_data (segment), size);
  bytes = g_bytes_new_take (copy, size);
  snapshot = g_bytes_new_from_bytes (bytes, 0, MIN (size, SNAPSHOT_BYTES));
  shmlab_session_report (data, t, TRUE, NULL, snapshot,
                         g_dngettext (GETTEXT_PACKAGE, "%zu byte out", "%zu bytes out", size),
                         size);
  return g_steal_pointer (&bytes);
}

ShmlabReadResult *
shmlab_session_step_decode (ShmlabSessionRun *data,
                            GBytes           *bytes)
{
  ShmlabReadResult *result = g_new0 (ShmlabReadResult, 1);
  ShmlabSessionTimer t = shmlab_session_timer_start ("decode");
  result->bytes = g_bytes_ref (bytes);
  result->changed = TRUE;
  result->payload = shmlab_payload_decode_bytes (bytes, &result->decode_error);
  if (result->payload == NULL)
    shmlab_session_report (data, t, FALSE, result->decode_error, NULL, NULL);
  else if (result->payload->kind == SHMLAB_PAYLOAD_KIND_IMAGE)
    shmlab_session_report (data, t, TRUE, NULL, NULL, _("%s, %u × %u pixels"),
                           shmlab_format_describe (result->payload->format),
                           result->payload->image->width, result->payload->image->height);
  else
    shmlab_session_report (data, t, TRUE, NULL, NULL,
                           result->payload->invalid_bytes
                             ? g_dngettext (GETTEXT_PACKAGE,
                                            "%s, %zu byte of text, some not valid UTF-8",
                                            "%s, %zu bytes of text, some not valid UTF-8",
                                            result->payload->text_length)
                             : g_dngettext (GETTEXT_PACKAGE, "%s, %zu byte of text",
                                            "%s, %zu bytes of text", result->payload->text_length),
                           shmlab_format_describe (result->payload->format),
                           result->payload->text_length);
  /* The newest slot was torn by a writer that died: what is shown, and why. */
  if (result->payload != NULL && result->payload->note != NULL)
    shmlab_session_report (data, shmlab_session_timer_start ("decode"), TRUE, NULL, NULL, "%s",
                           result->payload->note);
  return result;
}

/* Unlocks after a failure, keeping the first error. */
void
shmlab_session_unlock_quietly (ShmlabSessionRun *data)
{
  if (shmlab_segment_is_locked (data->self->segment))
    shmlab_session_step_unlock (data, NULL);
}
