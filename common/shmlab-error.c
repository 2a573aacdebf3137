/* shmlab-error.c — the error domains of common/
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-error.h"

G_DEFINE_QUARK (shmlab-segment-error-quark, shmlab_segment_error)
G_DEFINE_QUARK (shmlab-qt-key-error-quark, shmlab_qt_key_error)
typedef ShmlabPayloadErrorDetails ShmlabPayloadErrorPrivate;

static void
shmlab_payload_error_private_init (ShmlabPayloadErrorPrivate *details)
{
  details->field = -1;
}

static void
shmlab_payload_error_private_copy (const ShmlabPayloadErrorPrivate *src,
                                   ShmlabPayloadErrorPrivate       *dest)
{
  *dest = *src;
}

static void
shmlab_payload_error_private_clear (ShmlabPayloadErrorPrivate *details)
{
}

/* The payload domain carries its details (an extended error domain). */
G_DEFINE_EXTENDED_ERROR (ShmlabPayloadError, shmlab_payload_error)

/**
 * shmlab_payload_error_get_details:
 * @error: (nullable): any error
 *
 * Returns: (nullable): the details of an error of SHMLAB_PAYLOAD_ERROR,
 *   %NULL for any other error
 */
const ShmlabPayloadErrorDetails *
shmlab_payload_error_get_details (const GError *error)
{
  if (error == NULL || error->domain != SHMLAB_PAYLOAD_ERROR)
    return NULL;
  return shmlab_payload_error_get_private (error);
}

/* Says which field of the format is wrong, and why; @field_name is static. */
void
shmlab_payload_error_set_field (GError               *error,
                                ShmlabPayloadProblem  problem,
                                int                   field,
                                const char           *field_name)
{
  ShmlabPayloadErrorPrivate *details;

  if (error == NULL || error->domain != SHMLAB_PAYLOAD_ERROR)
    return;
  details = shmlab_payload_error_get_private (error);
  details->problem = problem;
  details->field = field;
  details->field_name = field_name;
}

void
shmlab_payload_error_set_format (GError *error,
                                 int     format)
{
  if (error != NULL && error->domain == SHMLAB_PAYLOAD_ERROR)
    shmlab_payload_error_get_private (error)->format = format;
}

void
shmlab_payload_error_set_slot (GError *error,
                               gsize   slot)
{
  if (error != NULL && error->domain == SHMLAB_PAYLOAD_ERROR)
    shmlab_payload_error_get_private (error)->slot = slot;
}
G_DEFINE_QUARK (shmlab-image-error-quark, shmlab_image_error)

/* The name Qt gives the same failure, as QSharedMemory::error() returns it. */
const char *
shmlab_segment_error_to_qt_name (ShmlabSegmentError code)
{
  switch (code)
    {
    case SHMLAB_SEGMENT_ERROR_PERMISSION_DENIED: return "PermissionDenied";
    case SHMLAB_SEGMENT_ERROR_INVALID_SIZE: return "InvalidSize";
    case SHMLAB_SEGMENT_ERROR_KEY_ERROR: return "KeyError";
    case SHMLAB_SEGMENT_ERROR_ALREADY_EXISTS: return "AlreadyExists";
    case SHMLAB_SEGMENT_ERROR_NOT_FOUND: return "NotFound";
    case SHMLAB_SEGMENT_ERROR_LOCK_ERROR: return "LockError";
    case SHMLAB_SEGMENT_ERROR_OUT_OF_RESOURCES: return "OutOfResources";
    case SHMLAB_SEGMENT_ERROR_TIMED_OUT: return "LockError";
    case SHMLAB_SEGMENT_ERROR_IN_USE: return "UnknownError";
    case SHMLAB_SEGMENT_ERROR_TRUNCATED: return "UnknownError";
    case SHMLAB_SEGMENT_ERROR_UNKNOWN:
    default: return "UnknownError";
    }
}
