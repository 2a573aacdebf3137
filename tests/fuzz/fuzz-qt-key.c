/* fuzz-qt-key.c — a Qt key's string form as someone could paste it: never a
 * crash, a read past the end or a leak; what is accepted prints to a form
 * that reads back to the same key, and every refusal says why in UTF-8.
 * The same text as a key to type, for each backend.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "shmlab-qt-key.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
check_refusal (const GError *error)
{
  g_assert_true (error != NULL && error->domain == SHMLAB_QT_KEY_ERROR);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  /* The text up to its first NUL, as a C string of its own. */
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabQtNativeKey) parsed = shmlab_qt_native_key_parse (text, &error);
  guint n_backends;
  const ShmlabBackend *backends = shmlab_backend_all (&n_backends);

  if (parsed != NULL)
    {
      g_autofree char *printed = shmlab_qt_native_key_to_string (parsed);
      g_autoptr(GError) again_error = NULL;
      g_autoptr(ShmlabQtNativeKey) again = shmlab_qt_native_key_parse (printed, &again_error);

      g_assert_true (error == NULL);
      g_assert_true (again != NULL);
      g_assert_true (again->backend == parsed->backend);
      g_assert_true (again->ftok_id == parsed->ftok_id);
      g_assert_true (g_str_equal (again->native_name, parsed->native_name));
      g_assert_true (g_strcmp0 (again->legacy_key, parsed->legacy_key) == 0);
    }
  else
    check_refusal (error);

  g_setenv ("XDG_RUNTIME_DIR", "/run/user/1000", TRUE);
  for (guint i = 0; i < n_backends; i++)
    {
      g_autoptr(GError) new_error = NULL;
      g_autoptr(ShmlabQtNativeKey) made = shmlab_qt_native_key_new (text, backends[i],
                                                                     &new_error);
      if (made != NULL)
        {
          g_autofree char *printed = shmlab_qt_native_key_to_string (made);
          g_autoptr(ShmlabQtNativeKey) again = shmlab_qt_native_key_parse (printed, NULL);

          g_assert_true (again != NULL && g_str_equal (again->native_name, made->native_name));
        }
      else
        check_refusal (new_error);
    }
  return 0;
}
