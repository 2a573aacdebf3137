/* shmlab-native-key.c — how a user's key becomes the names the system uses,
 * exactly as Qt's QSharedMemory derives them (see qt-compat.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-native-key.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "shmlab-backend-private.h"
#include "shmlab-error.h"

/* The longest name one path component may have (NAME_MAX on Linux). */
#define NAME_LIMIT 255

/**
 * shmlab_key_validate:
 * @key: a key as a person typed it
 * @error: a SHMLAB_SEGMENT_ERROR_KEY_ERROR saying what is wrong
 *
 * A key is non-empty, valid UTF-8 and at most 255 bytes, and its native name
 * fits in a file name.
 */
gboolean
shmlab_key_validate (const char  *key,
                     GError     **error)
{
  gsize length, letters = 0;

  if (key == NULL || *key == '\0')
    {
      g_set_error_literal (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_KEY_ERROR,
                           _("the key is empty: type a name such as “demo” (both programs must use the same key)"));
      return FALSE;
    }

  length = strlen (key);
  if (!g_utf8_validate (key, -1, NULL))
    {
      g_set_error_literal (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_KEY_ERROR,
                           _("the key is not valid UTF-8 text: type it again, or check the terminal's encoding"));
      return FALSE;
    }

  if (length > SHMLAB_KEY_MAX_BYTES)
    {
      g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_KEY_ERROR,
                   _("the key is %zu bytes long; at most %d are allowed: pick a shorter key"),
                   length, SHMLAB_KEY_MAX_BYTES);
      return FALSE;
    }

  for (const char *p = key; *p; p++)
    if (g_ascii_isalpha (*p))
      letters++;

  /* Qt keeps every letter in the native name, which must fit in NAME_MAX. */
  if (strlen (SHMLAB_SEGMENT_PREFIX) + letters + 40 + strlen ("sem.") > NAME_LIMIT)
    {
      g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_KEY_ERROR,
                   _("the key has %zu letters; its native name would be longer than "
                   "the %d bytes a file name may have: use at most %d letters (digits and punctuation do not count)"),
                   letters, NAME_LIMIT,
                   (int) (NAME_LIMIT - strlen (SHMLAB_SEGMENT_PREFIX) - 40 - strlen ("sem.")));
      return FALSE;
    }

  return TRUE;
}

/**
 * shmlab_native_key_safe_name:
 *
 * Qt's makePlatformSafeKey(): the prefix, the key's ASCII letters, then the
 * lowercase hex SHA-1 of the key's UTF-8 bytes.
 */
char *
shmlab_native_key_safe_name (const char       *key,
                             ShmlabNativeKind  kind)
{
  GString *name = g_string_new (kind == SHMLAB_NATIVE_SEMAPHORE ? SHMLAB_SEMAPHORE_PREFIX
                                                                : SHMLAB_SEGMENT_PREFIX);
  g_autofree char *sha1 = g_compute_checksum_for_string (G_CHECKSUM_SHA1, key, -1);

  for (const char *p = key; *p; p++)
    if (g_ascii_isalpha (*p))
      g_string_append_c (name, *p);
  g_string_append (name, sha1);
  return g_string_free (name, FALSE);
}

/* QDir::tempPath(): $TMPDIR without a trailing slash, else /tmp. */
char *
shmlab_native_key_temp_dir (void)
{
  const char *tmpdir = g_getenv ("TMPDIR");
  gsize length;

  if (tmpdir == NULL || *tmpdir == '\0')
    return g_strdup ("/tmp");

  length = strlen (tmpdir);
  while (length > 1 && tmpdir[length - 1] == '/')
    length--;
  return g_strndup (tmpdir, length);
}

/**
 * shmlab_native_key:
 * @key: the user's key
 * @backend: System V or POSIX
 * @kind: the segment or its semaphore
 * @error: a KEY_ERROR for a key that is not valid
 *
 * System V: the key file path in the temp dir, whose ftok() is the IPC key.
 * POSIX: the name given to shm_open() or sem_open(), "/qipc_…".
 */
char *
shmlab_native_key (const char        *key,
                   ShmlabBackend      backend,
                   ShmlabNativeKind   kind,
                   GError           **error)
{
  g_autofree char *safe = NULL;

  if (!shmlab_key_validate (key, error))
    return NULL;

  safe = shmlab_native_key_safe_name (key, kind);
  return shmlab_backend_get (backend)->native_name (safe);
}

/**
 * shmlab_native_key_to_key:
 * @native_key: a path, a /dev/shm name or a bare safe name
 * @kind: (out) (optional): which prefix it had
 *
 * Recovers what a native name keeps of the key: its letters. Returns NULL
 * when the name is not Qt-style.
 */
char *
shmlab_native_key_to_key (const char       *native_key,
                          ShmlabNativeKind *kind)
{
  const char *base = strrchr (native_key, '/');
  const char *rest;
  gsize length;

  base = base ? base + 1 : native_key;
  if (g_str_has_prefix (base, "sem."))
    base += 4;

  if (g_str_has_prefix (base, SHMLAB_SEGMENT_PREFIX))
    {
      rest = base + strlen (SHMLAB_SEGMENT_PREFIX);
      if (kind)
        *kind = SHMLAB_NATIVE_SEGMENT;
    }
  else if (g_str_has_prefix (base, SHMLAB_SEMAPHORE_PREFIX))
    {
      rest = base + strlen (SHMLAB_SEMAPHORE_PREFIX);
      if (kind)
        *kind = SHMLAB_NATIVE_SEMAPHORE;
    }
  else
    return NULL;

  length = strlen (rest);
  if (length < 40)
    return NULL;
  for (gsize i = length - 40; i < length; i++)
    if (!g_ascii_isxdigit (rest[i]) || g_ascii_isupper (rest[i]))
      return NULL;
  for (gsize i = 0; i < length - 40; i++)
    if (!g_ascii_isalpha (rest[i]))
      return NULL;
  return g_strndup (rest, length - 40);
}
