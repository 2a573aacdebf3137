/* shmlab-qt-key.c — Qt 6.6's native IPC keys and their string form
 *
 * As qtbase's src/corelib/ipc/qtipccommon.cpp does it (see qt-compat facts):
 * toString() is `TYPE:NAME`, `%` percent-encoded, and a legacy key's adds
 * `?legacyKey=KEY`; ftok()'s project id is the type's number, 'Q' for plain
 * System V, `systemv-N` for another. What a typed key becomes, and which
 * names a type takes, is each backend's (its class's qt_native_name and
 * qt_native_check): QNativeIpcKey(key, PosixRealtime) uses the name as
 * given, a System V key goes into $XDG_RUNTIME_DIR unless absolute.
 * Everything typed or pasted is checked before it names anything in the
 * kernel or on disk.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-qt-key.h"

#include "shmlab-backend-private.h"

#include <glib/gi18n.h>
#include <string.h>

static gboolean
check_utf8 (const char  *text,
            gsize        length,
            GError     **error)
{
  if (g_utf8_validate_len (text, length, NULL))
    return TRUE;
  g_set_error_literal (error, SHMLAB_QT_KEY_ERROR, SHMLAB_QT_KEY_ERROR_NOT_UTF8,
                       _("The key is not valid UTF-8 text: type it again in a UTF-8 terminal "
                         "or window."));
  return FALSE;
}

static ShmlabQtNativeKey *
key_new (ShmlabBackend  backend,
         guint          ftok_id,
         char          *native_name,
         char          *legacy_key)
{
  ShmlabQtNativeKey *self = g_new0 (ShmlabQtNativeKey, 1);

  self->backend = backend;
  self->ftok_id = ftok_id;
  self->native_name = native_name;
  self->legacy_key = legacy_key;
  return self;
}

/**
 * shmlab_qt_native_key_new:
 * @key: what the user typed
 * @backend: %SHMLAB_BACKEND_POSIX or %SHMLAB_BACKEND_SYSV
 *
 * What `QNativeIpcKey(key, type)` gives on Linux: for POSIX the name as
 * typed; for System V the key itself when it is absolute, else
 * `$XDG_RUNTIME_DIR/key`, with ftok() id 'Q'.
 *
 * Returns: (transfer full) (nullable): the native key, or NULL with
 *   @error set (a #ShmlabQtKeyError)
 */
ShmlabQtNativeKey *
shmlab_qt_native_key_new (const char     *key,
                          ShmlabBackend   backend,
                          GError        **error)
{
  const ShmlabBackendClass *klass;
  g_autofree char *native = NULL;

  g_return_val_if_fail (key != NULL, NULL);

  if (!check_utf8 (key, strlen (key), error))
    return NULL;
  if (key[0] == '\0')
    {
      g_set_error_literal (error, SHMLAB_QT_KEY_ERROR, SHMLAB_QT_KEY_ERROR_EMPTY,
                           _("The key is empty: type a name."));
      return NULL;
    }
  klass = shmlab_backend_get (backend);
  if (klass->qt_native_name == NULL)
    {
      g_set_error (error, SHMLAB_QT_KEY_ERROR, SHMLAB_QT_KEY_ERROR_TYPE,
                   _("Qt has no native key for the %s backend: choose System V or POSIX."),
                   shmlab_backend_describe (backend));
      return NULL;
    }
  native = klass->qt_native_name (key, error);
  if (native == NULL)
    return NULL;
  return key_new (backend, klass->qt_key_ftok_id ? SHMLAB_QT_KEY_FTOK_ID : 0,
                  g_steal_pointer (&native), NULL);
}

/* %XX sequences decoded; NULL when one is broken or decodes to a NUL. */
static char *
percent_decode (const char *text,
                gsize       length)
{
  GString *out = g_string_sized_new (length);

  for (gsize i = 0; i < length; i++)
    {
      if (text[i] != '%')
        {
          g_string_append_c (out, text[i]);
          continue;
        }
      if (i + 2 >= length || !g_ascii_isxdigit (text[i + 1]) ||
          !g_ascii_isxdigit (text[i + 2]))
        goto broken;
      {
        char byte = (char) (g_ascii_xdigit_value (text[i + 1]) * 16 +
                            g_ascii_xdigit_value (text[i + 2]));
        if (byte == '\0')
          goto broken;
        g_string_append_c (out, byte);
        i += 2;
      }
    }
  return g_string_free (out, FALSE);

broken:
  g_string_free (out, TRUE);
  return NULL;
}

static void
set_form_error (GError     **error,
                const char  *text)
{
  g_set_error (error, SHMLAB_QT_KEY_ERROR, SHMLAB_QT_KEY_ERROR_FORM,
               _("“%s” is not a Qt key in its string form: that is TYPE:NAME, as "
                 "QNativeIpcKey::toString() prints it, e.g. “posix:/QSharedMemoryExample” or "
                 "“systemv:/tmp/demo”."),
               text);
}

/* The type before the colon: the backend whose Qt keys have it, and the
 * ftok() id ("systemv-42"). */
static gboolean
parse_type (const char     *type,
            ShmlabBackend  *backend,
            guint          *ftok_id,
            GError        **error)
{
  guint n_backends;
  const ShmlabBackend *backends = shmlab_backend_all (&n_backends);

  for (guint i = 0; i < n_backends; i++)
    {
      const ShmlabBackendClass *klass = shmlab_backend_get (backends[i]);
      gsize length = klass->qt_key_type != NULL ? strlen (klass->qt_key_type) : 0;

      if (length == 0 || strncmp (type, klass->qt_key_type, length) != 0)
        continue;
      *backend = backends[i];
      *ftok_id = klass->qt_key_ftok_id ? SHMLAB_QT_KEY_FTOK_ID : 0;
      if (type[length] == '\0')
        return TRUE;
      if (type[length] == '-' && klass->qt_key_ftok_id)
        {
          guint64 id = 0;

          if (!g_ascii_string_to_unsigned (type + length + 1, 10, 1, 255, &id, NULL))
            {
              g_set_error (error, SHMLAB_QT_KEY_ERROR, SHMLAB_QT_KEY_ERROR_FTOK_ID,
                           _("“%s”: the number after “systemv-” is ftok()'s project id, from 1 "
                             "to 255."),
                           type);
              return FALSE;
            }
          *ftok_id = (guint) id;
          return TRUE;
        }
    }
  if (g_str_equal (type, "windows"))
    g_set_error_literal (error, SHMLAB_QT_KEY_ERROR, SHMLAB_QT_KEY_ERROR_TYPE,
                         _("A “windows:” key names a Windows object, which Linux has not: "
                           "ask the Qt program for a posix: or systemv: key."));
  else
    g_set_error (error, SHMLAB_QT_KEY_ERROR, SHMLAB_QT_KEY_ERROR_TYPE,
                 _("“%s” is no type of Qt key: give posix, systemv or systemv-N."), type);
  return FALSE;
}

/**
 * shmlab_qt_native_key_parse:
 * @text: what QNativeIpcKey::toString() printed, e.g.
 *   `posix:/QSharedMemoryExample`, `systemv-42:/tmp/demo`,
 *   `systemv:/tmp/x?legacyKey=demo`
 *
 * Returns: (transfer full) (nullable): the native key, or NULL with @error
 *   set (a #ShmlabQtKeyError)
 */
ShmlabQtNativeKey *
shmlab_qt_native_key_parse (const char  *text,
                            GError     **error)
{
  g_autofree char *type = NULL;
  g_autofree char *name = NULL;
  g_autofree char *legacy = NULL;
  const char *colon, *rest, *query;
  ShmlabBackend backend;
  guint ftok_id;

  g_return_val_if_fail (text != NULL, NULL);

  if (!check_utf8 (text, strlen (text), error))
    return NULL;
  colon = strchr (text, ':');
  if (colon == NULL || colon == text)
    {
      set_form_error (error, text);
      return NULL;
    }
  type = g_strndup (text, (gsize) (colon - text));
  if (!parse_type (type, &backend, &ftok_id, error))
    return NULL;

  rest = colon + 1;
  /* A host ("//host/…") or a fragment has no place in a key. */
  if (g_str_has_prefix (rest, "//") || strchr (rest, '#') != NULL)
    {
      set_form_error (error, text);
      return NULL;
    }
  query = strchr (rest, '?');
  name = percent_decode (rest, query != NULL ? (gsize) (query - rest) : strlen (rest));
  if (name == NULL)
    {
      set_form_error (error, text);
      return NULL;
    }
  if (query != NULL)
    {
      g_auto(GStrv) items = g_strsplit (query + 1, "&", -1);

      for (guint i = 0; items[i] != NULL; i++)
        {
          if (!g_str_has_prefix (items[i], "legacyKey=") || legacy != NULL)
            {
              set_form_error (error, text);
              return NULL;
            }
          legacy = percent_decode (items[i] + strlen ("legacyKey="),
                                   strlen (items[i]) - strlen ("legacyKey="));
          if (legacy == NULL)
            {
              set_form_error (error, text);
              return NULL;
            }
        }
    }
  if (!check_utf8 (name, strlen (name), error) ||
      (legacy != NULL && !check_utf8 (legacy, strlen (legacy), error)))
    return NULL;

  if (!shmlab_backend_get (backend)->qt_native_check (name, error))
    return NULL;
  return key_new (backend, ftok_id, g_steal_pointer (&name), g_steal_pointer (&legacy));
}

/* @text with @special percent-encoded (and '%' always). */
static void
append_encoded (GString    *out,
                const char *text,
                const char *special)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '%' || strchr (special, *p) != NULL)
        g_string_append_printf (out, "%%%02X", (guint) (guchar) *p);
      else
        g_string_append_c (out, *p);
    }
}

/**
 * shmlab_qt_native_key_to_string:
 *
 * What QNativeIpcKey::toString() prints for @self: `posix:NAME`,
 * `systemv:PATH` or `systemv-N:PATH`, with `?legacyKey=KEY` for a legacy key.
 *
 * Returns: (transfer full): the string form
 */
char *
shmlab_qt_native_key_to_string (const ShmlabQtNativeKey *self)
{
  GString *out = g_string_new (NULL);
  const char *name;

  g_return_val_if_fail (self != NULL, NULL);

  g_string_append (out, shmlab_backend_get (self->backend)->qt_key_type);
  if (self->ftok_id != 0 && self->ftok_id != SHMLAB_QT_KEY_FTOK_ID)
    g_string_append_printf (out, "-%u", self->ftok_id);
  g_string_append_c (out, ':');

  name = self->native_name;
  /* A path that starts "//" would read as a host: Qt writes "/%2F". */
  if (g_str_has_prefix (name, "//"))
    {
      g_string_append (out, "/%2F");
      name += 2;
    }
  append_encoded (out, name, "?#");
  if (self->legacy_key != NULL)
    {
      g_string_append (out, "?legacyKey=");
      append_encoded (out, self->legacy_key, "&#");
    }
  return g_string_free (out, FALSE);
}

/* Whether @text looks like a pasted string form rather than a key to type. */
gboolean
shmlab_qt_native_key_is_string_form (const char *text)
{
  guint n_backends;
  const ShmlabBackend *backends = shmlab_backend_all (&n_backends);

  if (text == NULL)
    return FALSE;
  if (g_str_has_prefix (text, "systemv-") || g_str_has_prefix (text, "windows:"))
    return TRUE;
  /* TYPE: for every type the table knows ("file:" is ShmLab's own, in Qt's form). */
  for (guint i = 0; i < n_backends; i++)
    {
      const char *type = shmlab_backend_get (backends[i])->qt_key_type;
      gsize length = type != NULL ? strlen (type) : 0;

      if (length > 0 && strncmp (text, type, length) == 0 && text[length] == ':')
        return TRUE;
    }
  return FALSE;
}

void
shmlab_qt_native_key_free (ShmlabQtNativeKey *self)
{
  if (self == NULL)
    return;
  g_free (self->native_name);
  g_free (self->legacy_key);
  g_free (self);
}
