/* test-qt-key.c — Qt 6.6's native keys: what QNativeIpcKey gives for a key
 * of each type, its string form printed and parsed (the known answers of
 * the Qt facts), and every bad name or string refused with its reason
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-test-util.h"

#include <limits.h>
#include <string.h>

#include "shmlab-qt-key.h"

static void
assert_native (const char    *key,
               ShmlabBackend  backend,
               const char    *native,
               guint          ftok_id,
               const char    *string_form)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabQtNativeKey) made = shmlab_qt_native_key_new (key, backend, &error);
  g_autofree char *printed = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (made->backend, ==, backend);
  g_assert_cmpstr (made->native_name, ==, native);
  g_assert_cmpuint (made->ftok_id, ==, ftok_id);
  g_assert_null (made->legacy_key);
  printed = shmlab_qt_native_key_to_string (made);
  g_assert_cmpstr (printed, ==, string_form);
}

/* QNativeIpcKey(key, type) on Linux: POSIX as typed; System V the path,
 * in XDG_RUNTIME_DIR when relative; ftok() id 'Q'. */
static void
test_new (void)
{
  g_autofree char *runtime = g_strdup (g_getenv ("XDG_RUNTIME_DIR"));

  assert_native ("QSharedMemoryExample", SHMLAB_BACKEND_POSIX, "QSharedMemoryExample", 0,
                 "posix:QSharedMemoryExample");
  assert_native ("/QSharedMemoryExample", SHMLAB_BACKEND_POSIX, "/QSharedMemoryExample", 0,
                 "posix:/QSharedMemoryExample");
  assert_native ("共享 内存", SHMLAB_BACKEND_POSIX, "共享 内存", 0, "posix:共享 内存");
  g_setenv ("XDG_RUNTIME_DIR", "/run/user/1000", TRUE);
  assert_native ("demo", SHMLAB_BACKEND_SYSV, "/run/user/1000/demo", 0x51,
                 "systemv:/run/user/1000/demo");
  assert_native ("/tmp/demo", SHMLAB_BACKEND_SYSV, "/tmp/demo", 0x51, "systemv:/tmp/demo");
  if (runtime != NULL)
    g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  else
    g_unsetenv ("XDG_RUNTIME_DIR");
}

static void
assert_parsed (const char    *text,
               ShmlabBackend  backend,
               guint          ftok_id,
               const char    *native,
               const char    *legacy,
               const char    *printed_again)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabQtNativeKey) parsed = shmlab_qt_native_key_parse (text, &error);
  g_autofree char *printed = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (parsed->backend, ==, backend);
  g_assert_cmpuint (parsed->ftok_id, ==, ftok_id);
  g_assert_cmpstr (parsed->native_name, ==, native);
  g_assert_cmpstr (parsed->legacy_key, ==, legacy);
  printed = shmlab_qt_native_key_to_string (parsed);
  g_assert_cmpstr (printed, ==, printed_again);
  g_assert_true (shmlab_qt_native_key_is_string_form (text));
}

/* What a Qt program prints with toString(), read back and printed again. */
static void
test_string_form (void)
{
  assert_parsed ("posix:/QSharedMemoryExample", SHMLAB_BACKEND_POSIX, 0, "/QSharedMemoryExample",
                 NULL, "posix:/QSharedMemoryExample");
  assert_parsed ("systemv:/run/user/1000/demo", SHMLAB_BACKEND_SYSV, 0x51, "/run/user/1000/demo",
                 NULL, "systemv:/run/user/1000/demo");
  assert_parsed ("systemv-42:/tmp/demo", SHMLAB_BACKEND_SYSV, 42, "/tmp/demo", NULL,
                 "systemv-42:/tmp/demo");
  /* 81 is 'Q': plain System V. */
  assert_parsed ("systemv-81:/tmp/demo", SHMLAB_BACKEND_SYSV, 0x51, "/tmp/demo", NULL,
                 "systemv:/tmp/demo");
  /* Percent-encoding: decoded on the way in, '%', '?' and '#' encoded out. */
  assert_parsed ("posix:/100%25", SHMLAB_BACKEND_POSIX, 0, "/100%", NULL, "posix:/100%25");
  assert_parsed ("systemv:/tmp/why%3F%23", SHMLAB_BACKEND_SYSV, 0x51, "/tmp/why?#", NULL,
                 "systemv:/tmp/why%3F%23");
  assert_parsed ("posix:/%E5%85%B1%E4%BA%AB", SHMLAB_BACKEND_POSIX, 0, "/共享", NULL,
                 "posix:/共享");
  /* A path that starts with two slashes is written so it cannot read as a host. */
  assert_parsed ("systemv:/%2Ftmp/x", SHMLAB_BACKEND_SYSV, 0x51, "//tmp/x", NULL,
                 "systemv:/%2Ftmp/x");
  /* A legacy key's string form carries the key it came from. */
  assert_parsed ("systemv:/tmp/qipc_sharedmemory_demo89e495e7941cf9e40e6980d14a16bf023ccd4c91"
                 "?legacyKey=demo",
                 SHMLAB_BACKEND_SYSV, 0x51,
                 "/tmp/qipc_sharedmemory_demo89e495e7941cf9e40e6980d14a16bf023ccd4c91", "demo",
                 "systemv:/tmp/qipc_sharedmemory_demo89e495e7941cf9e40e6980d14a16bf023ccd4c91"
                 "?legacyKey=demo");
  assert_parsed ("posix:/x?legacyKey=a%26b%25", SHMLAB_BACKEND_POSIX, 0, "/x", "a&b%",
                 "posix:/x?legacyKey=a%26b%25");
  g_assert_false (shmlab_qt_native_key_is_string_form ("demo"));
  g_assert_false (shmlab_qt_native_key_is_string_form ("/tmp/demo"));
}

static void
assert_new_refused (const char      *key,
                    ShmlabBackend    backend,
                    ShmlabQtKeyError code,
                    const char      *said)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (shmlab_qt_native_key_new (key, backend, &error));
  g_assert_error (error, SHMLAB_QT_KEY_ERROR, (gint) code);
  if (said != NULL && strstr (error->message, said) == NULL)
    g_error ("“%s” does not say “%s”", error->message, said);
}

static void
assert_parse_refused (const char      *text,
                      ShmlabQtKeyError code,
                      const char      *said)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (shmlab_qt_native_key_parse (text, &error));
  g_assert_error (error, SHMLAB_QT_KEY_ERROR, (gint) code);
  if (said != NULL && strstr (error->message, said) == NULL)
    g_error ("“%s” does not say “%s”", error->message, said);
}

/* Every name the kernel would refuse, or that would name something else,
 * refused before it names anything, saying why and what to type. */
static void
test_refused (void)
{
  g_autofree char *longest = g_strnfill (SHMLAB_QT_KEY_POSIX_NAME_MAX, 'k');
  g_autofree char *too_long = g_strnfill (SHMLAB_QT_KEY_POSIX_NAME_MAX + 1, 'k');
  g_autofree char *long_path = g_strconcat ("/", too_long, NULL);
  g_autofree char *path_too_long = NULL;
  g_autofree char *form_too_long = NULL;
  g_autofree char *runtime = g_strdup (g_getenv ("XDG_RUNTIME_DIR"));
  g_autoptr(ShmlabQtNativeKey) fits = NULL;
  GString *path = g_string_new (NULL);

  while (path->len < PATH_MAX)
    g_string_append (path, "/dir");
  path_too_long = g_string_free (path, FALSE);
  form_too_long = g_strconcat ("systemv:", path_too_long, NULL);

  assert_new_refused ("", SHMLAB_BACKEND_POSIX, SHMLAB_QT_KEY_ERROR_EMPTY, NULL);
  assert_new_refused ("", SHMLAB_BACKEND_SYSV, SHMLAB_QT_KEY_ERROR_EMPTY, NULL);
  assert_new_refused ("/", SHMLAB_BACKEND_POSIX, SHMLAB_QT_KEY_ERROR_EMPTY, NULL);
  assert_new_refused ("a/b", SHMLAB_BACKEND_POSIX, SHMLAB_QT_KEY_ERROR_SLASH, "“a-b”");
  assert_new_refused ("/a/b", SHMLAB_BACKEND_POSIX, SHMLAB_QT_KEY_ERROR_SLASH, NULL);
  assert_new_refused (too_long, SHMLAB_BACKEND_POSIX, SHMLAB_QT_KEY_ERROR_TOO_LONG, "251");
  assert_new_refused (long_path, SHMLAB_BACKEND_POSIX, SHMLAB_QT_KEY_ERROR_TOO_LONG, NULL);
  fits = shmlab_qt_native_key_new (longest, SHMLAB_BACKEND_POSIX, NULL);
  g_assert_nonnull (fits);
  assert_new_refused ("bad\xff", SHMLAB_BACKEND_POSIX, SHMLAB_QT_KEY_ERROR_NOT_UTF8, NULL);
  assert_new_refused ("bad\xff", SHMLAB_BACKEND_SYSV, SHMLAB_QT_KEY_ERROR_NOT_UTF8, NULL);
  assert_new_refused (path_too_long, SHMLAB_BACKEND_SYSV, SHMLAB_QT_KEY_ERROR_TOO_LONG, NULL);

  /* A relative System V key with no XDG_RUNTIME_DIR, or a relative one. */
  g_unsetenv ("XDG_RUNTIME_DIR");
  assert_new_refused ("demo", SHMLAB_BACKEND_SYSV, SHMLAB_QT_KEY_ERROR_NO_RUNTIME_DIR,
                      "“/tmp/demo”");
  g_setenv ("XDG_RUNTIME_DIR", "run/user", TRUE);
  assert_new_refused ("demo", SHMLAB_BACKEND_SYSV, SHMLAB_QT_KEY_ERROR_NO_RUNTIME_DIR, NULL);
  if (runtime != NULL)
    g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  else
    g_unsetenv ("XDG_RUNTIME_DIR");

  assert_parse_refused ("demo", SHMLAB_QT_KEY_ERROR_FORM, "posix:/QSharedMemoryExample");
  assert_parse_refused (":demo", SHMLAB_QT_KEY_ERROR_FORM, NULL);
  assert_parse_refused ("windows:demo", SHMLAB_QT_KEY_ERROR_TYPE, "Linux");
  assert_parse_refused ("qt:demo", SHMLAB_QT_KEY_ERROR_TYPE, "posix, systemv or systemv-N");
  assert_parse_refused ("systemv-0:/tmp/x", SHMLAB_QT_KEY_ERROR_FTOK_ID, "1 to 255");
  assert_parse_refused ("systemv-256:/tmp/x", SHMLAB_QT_KEY_ERROR_FTOK_ID, NULL);
  assert_parse_refused ("systemv-x:/tmp/x", SHMLAB_QT_KEY_ERROR_FTOK_ID, NULL);
  assert_parse_refused ("systemv--1:/tmp/x", SHMLAB_QT_KEY_ERROR_FTOK_ID, NULL);
  assert_parse_refused ("posix://host/x", SHMLAB_QT_KEY_ERROR_FORM, NULL);
  assert_parse_refused ("posix:/x#part", SHMLAB_QT_KEY_ERROR_FORM, NULL);
  assert_parse_refused ("posix:/a%2", SHMLAB_QT_KEY_ERROR_FORM, NULL);
  assert_parse_refused ("posix:/a%zz", SHMLAB_QT_KEY_ERROR_FORM, NULL);
  assert_parse_refused ("posix:/a%00b", SHMLAB_QT_KEY_ERROR_FORM, NULL);
  assert_parse_refused ("posix:/x?other=1", SHMLAB_QT_KEY_ERROR_FORM, NULL);
  assert_parse_refused ("posix:/x?legacyKey=a&legacyKey=b", SHMLAB_QT_KEY_ERROR_FORM, NULL);
  assert_parse_refused ("posix:/x?legacyKey=%4", SHMLAB_QT_KEY_ERROR_FORM, NULL);
  assert_parse_refused ("posix:", SHMLAB_QT_KEY_ERROR_EMPTY, NULL);
  assert_parse_refused ("posix:/a/b", SHMLAB_QT_KEY_ERROR_SLASH, NULL);
  assert_parse_refused ("posix:/%FF", SHMLAB_QT_KEY_ERROR_NOT_UTF8, NULL);
  assert_parse_refused ("systemv:tmp/x", SHMLAB_QT_KEY_ERROR_NOT_ABSOLUTE, "systemv:/tmp/demo");
  assert_parse_refused ("systemv:", SHMLAB_QT_KEY_ERROR_NOT_ABSOLUTE, NULL);
  assert_parse_refused (form_too_long, SHMLAB_QT_KEY_ERROR_TOO_LONG, NULL);
  assert_parse_refused ("posix:\xff", SHMLAB_QT_KEY_ERROR_NOT_UTF8, NULL);
}

int
main (int    argc,
      char **argv)
{
  shmlab_test_init (&argc, &argv);

  g_test_add_func ("/qt-key/new", test_new);
  g_test_add_func ("/qt-key/string-form", test_string_form);
  g_test_add_func ("/qt-key/refused", test_refused);
  return g_test_run ();
}
