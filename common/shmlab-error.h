/* shmlab-error.h — the error domains of common/
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * ShmlabSegmentError:
 *
 * Mirrors QSharedMemory::SharedMemoryError (%SHMLAB_SEGMENT_ERROR_NONE is Qt's
 * NoError, never the code of a #GError), one code for each of Qt's, so a
 * student can match what ShmLab says with what a Qt program reports.
 * %SHMLAB_SEGMENT_ERROR_TIMED_OUT is a lock error that ran out of time (Qt's
 * lock cannot time out); %SHMLAB_SEGMENT_ERROR_IN_USE refuses to remove a
 * segment that processes are still attached to;
 * %SHMLAB_SEGMENT_ERROR_TRUNCATED says a File segment was cut short while
 * mapped, so what is mapped past its end is not the file's.
 */
typedef enum
{
  SHMLAB_SEGMENT_ERROR_NONE = -1,
  SHMLAB_SEGMENT_ERROR_PERMISSION_DENIED,
  SHMLAB_SEGMENT_ERROR_INVALID_SIZE,
  SHMLAB_SEGMENT_ERROR_KEY_ERROR,
  SHMLAB_SEGMENT_ERROR_ALREADY_EXISTS,
  SHMLAB_SEGMENT_ERROR_NOT_FOUND,
  SHMLAB_SEGMENT_ERROR_LOCK_ERROR,
  SHMLAB_SEGMENT_ERROR_OUT_OF_RESOURCES,
  SHMLAB_SEGMENT_ERROR_UNKNOWN,
  SHMLAB_SEGMENT_ERROR_TIMED_OUT,
  SHMLAB_SEGMENT_ERROR_IN_USE,
  SHMLAB_SEGMENT_ERROR_TRUNCATED,
} ShmlabSegmentError;

#define SHMLAB_SEGMENT_ERROR (shmlab_segment_error_quark ())
GQuark shmlab_segment_error_quark (void);
const char *shmlab_segment_error_to_qt_name (ShmlabSegmentError code);

/**
 * ShmlabPayloadError:
 * @SHMLAB_PAYLOAD_ERROR_TOO_LARGE: the content does not fit the segment
 * @SHMLAB_PAYLOAD_ERROR_MALFORMED: a header field or length is wrong; the
 *   message names the first wrong field
 * @SHMLAB_PAYLOAD_ERROR_CHECKSUM: the payload's CRC-32 is not the header's
 * @SHMLAB_PAYLOAD_ERROR_UNSUPPORTED: a format or kind this version cannot write
 *   or read
 */
typedef enum
{
  SHMLAB_PAYLOAD_ERROR_TOO_LARGE,
  SHMLAB_PAYLOAD_ERROR_MALFORMED,
  SHMLAB_PAYLOAD_ERROR_CHECKSUM,
  SHMLAB_PAYLOAD_ERROR_UNSUPPORTED,
} ShmlabPayloadError;

#define SHMLAB_PAYLOAD_ERROR (shmlab_payload_error_quark ())
GQuark shmlab_payload_error_quark (void);

/**
 * ShmlabPayloadProblem:
 * @SHMLAB_PAYLOAD_PROBLEM_NONE: no problem (or the error says none as data)
 * @SHMLAB_PAYLOAD_PROBLEM_MISSING: the field lies past the end of the bytes
 * @SHMLAB_PAYLOAD_PROBLEM_WRONG_VALUE: the field holds a value the format
 *   does not know (a magic, a version, a kind, a marker)
 * @SHMLAB_PAYLOAD_PROBLEM_TOO_SMALL: the field is smaller than the rest of
 *   the header needs (a header size, a stride, a length)
 * @SHMLAB_PAYLOAD_PROBLEM_TOO_LARGE: the field is larger than ShmLab allows
 * @SHMLAB_PAYLOAD_PROBLEM_PAST_END: the field says more bytes than there are
 * @SHMLAB_PAYLOAD_PROBLEM_CHECKSUM: the checksum does not match the payload
 * @SHMLAB_PAYLOAD_PROBLEM_DAMAGED: the file the format carries (a PNG) is
 *   damaged or cut off
 *
 * Why a decoder refused a segment, as data: see
 * shmlab_payload_error_get_details().
 */
typedef enum
{
  SHMLAB_PAYLOAD_PROBLEM_NONE,
  SHMLAB_PAYLOAD_PROBLEM_MISSING,
  SHMLAB_PAYLOAD_PROBLEM_WRONG_VALUE,
  SHMLAB_PAYLOAD_PROBLEM_TOO_SMALL,
  SHMLAB_PAYLOAD_PROBLEM_TOO_LARGE,
  SHMLAB_PAYLOAD_PROBLEM_PAST_END,
  SHMLAB_PAYLOAD_PROBLEM_CHECKSUM,
  SHMLAB_PAYLOAD_PROBLEM_DAMAGED,
} ShmlabPayloadProblem;

/**
 * ShmlabPayloadErrorDetails:
 * @format: the #ShmlabFormat whose decoder refused the bytes (0: not known)
 * @problem: what is wrong
 * @field: the format's id of the field that is wrong, -1 for none
 * @field_name: (nullable): that field's name in the format's field table
 *   ("stride", "marker"): an identifier, never translated
 * @slot: where the frame (or stream) holding the field starts in the segment
 *
 * What a #GError of SHMLAB_PAYLOAD_ERROR carries besides its message, so
 * that no caller ever searches the message for a field's name.
 */
typedef struct
{
  int format;
  ShmlabPayloadProblem problem;
  int field;
  const char *field_name;
  gsize slot;
} ShmlabPayloadErrorDetails;

const ShmlabPayloadErrorDetails *shmlab_payload_error_get_details (const GError *error);
void shmlab_payload_error_set_field  (GError               *error,
                                      ShmlabPayloadProblem  problem,
                                      int                   field,
                                      const char           *field_name);
void shmlab_payload_error_set_format (GError               *error,
                                      int                   format);
void shmlab_payload_error_set_slot   (GError               *error,
                                      gsize                 slot);

/**
 * ShmlabImageError:
 * @SHMLAB_IMAGE_ERROR_INVALID_SIZE: an empty image
 * @SHMLAB_IMAGE_ERROR_TOO_LARGE: above the dimension or memory limits
 * @SHMLAB_IMAGE_ERROR_CORRUPT: the file is not a valid picture of its type
 * @SHMLAB_IMAGE_ERROR_TRUNCATED: the PNG ends before its image data does
 * @SHMLAB_IMAGE_ERROR_UNKNOWN_TYPE: the bytes are no picture type ShmLab opens
 * @SHMLAB_IMAGE_ERROR_NO_LOADER: a picture type ShmLab opens, but this system
 *   has no loader for it
 */
typedef enum
{
  SHMLAB_IMAGE_ERROR_INVALID_SIZE,
  SHMLAB_IMAGE_ERROR_TOO_LARGE,
  SHMLAB_IMAGE_ERROR_CORRUPT,
  SHMLAB_IMAGE_ERROR_TRUNCATED,
  SHMLAB_IMAGE_ERROR_UNKNOWN_TYPE,
  SHMLAB_IMAGE_ERROR_NO_LOADER,
} ShmlabImageError;

#define SHMLAB_IMAGE_ERROR (shmlab_image_error_quark ())
GQuark shmlab_image_error_quark (void);

/**
 * ShmlabQtKeyError:
 * @SHMLAB_QT_KEY_ERROR_EMPTY: the name is empty
 * @SHMLAB_QT_KEY_ERROR_SLASH: a POSIX name holds a `/` after its first
 *   character (the kernel refuses it)
 * @SHMLAB_QT_KEY_ERROR_TOO_LONG: longer than the system takes
 * @SHMLAB_QT_KEY_ERROR_NOT_UTF8: not UTF-8
 * @SHMLAB_QT_KEY_ERROR_NO_RUNTIME_DIR: a relative System V key, and no
 *   XDG_RUNTIME_DIR to put it in
 * @SHMLAB_QT_KEY_ERROR_NOT_ABSOLUTE: a System V string form whose path does
 *   not start at the root
 * @SHMLAB_QT_KEY_ERROR_TYPE: a string form of a type Linux has not
 *   (`windows`) or that Qt does not know
 * @SHMLAB_QT_KEY_ERROR_FTOK_ID: `systemv-N` with N not in 1–255
 * @SHMLAB_QT_KEY_ERROR_FORM: not `TYPE:NAME[?legacyKey=KEY]`
 * @SHMLAB_QT_KEY_ERROR_PLACE: a System V key file's path with a `.` or `..`
 *   part, or that leads outside the runtime and temp directories without
 *   being typed as that absolute path
 * @SHMLAB_QT_KEY_ERROR_SYMLINK: a directory on the key file's path is a
 *   symbolic link, or the key file is one
 * @SHMLAB_QT_KEY_ERROR_NOT_A_FILE: the key file's path names a directory,
 *   a device, a FIFO or a socket, or its directory is missing
 * @SHMLAB_QT_KEY_ERROR_OTHER_USERS_DIR: running as root, the key file's
 *   directory belongs to another user
 */
typedef enum
{
  SHMLAB_QT_KEY_ERROR_EMPTY,
  SHMLAB_QT_KEY_ERROR_SLASH,
  SHMLAB_QT_KEY_ERROR_TOO_LONG,
  SHMLAB_QT_KEY_ERROR_NOT_UTF8,
  SHMLAB_QT_KEY_ERROR_NO_RUNTIME_DIR,
  SHMLAB_QT_KEY_ERROR_NOT_ABSOLUTE,
  SHMLAB_QT_KEY_ERROR_TYPE,
  SHMLAB_QT_KEY_ERROR_FTOK_ID,
  SHMLAB_QT_KEY_ERROR_FORM,
  SHMLAB_QT_KEY_ERROR_PLACE,
  SHMLAB_QT_KEY_ERROR_SYMLINK,
  SHMLAB_QT_KEY_ERROR_NOT_A_FILE,
  SHMLAB_QT_KEY_ERROR_OTHER_USERS_DIR,
} ShmlabQtKeyError;

#define SHMLAB_QT_KEY_ERROR (shmlab_qt_key_error_quark ())
GQuark shmlab_qt_key_error_quark (void);

G_END_DECLS
