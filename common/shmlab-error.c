/* shmlab-error.c — the error domains of common/
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-error.h"

G_DEFINE_QUARK (shmlab-segment-error-quark, shmlab_segment_error)
G_DEFINE_QUARK (shmlab-payload-error-quark, shmlab_payload_error)
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
    case SHMLAB_SEGMENT_ERROR_UNKNOWN:
    default: return "UnknownError";
    }
}
