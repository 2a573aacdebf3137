/* test-native-key.c — keys become exactly Qt's native keys
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-test-util.h"

#include <string.h>

#include "shmlab-error.h"
#include "shmlab-native-key.h"

/* The known answers of qt-compat.md, with no TMPDIR set. */
static const struct
{
  const char *key;
  const char *native;
} known_answers[] = {
  { "QSharedMemoryExample",
    "/tmp/qipc_sharedmemory_QSharedMemoryExampleff77196351dd7c1c8f79461ad32f21726fe31f5b" },
  { "123", "/tmp/qipc_sharedmemory_40bd001563085fc35165329ea1ff5c5ecbdbbeef" },
  { "hello", "/tmp/qipc_sharedmemory_helloaaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d" },
};

static char *saved_tmpdir;

static void
save_tmpdir (void)
{
  saved_tmpdir = g_strdup (g_getenv ("TMPDIR"));
}

static void
restore_tmpdir (void)
{
  g_setenv ("TMPDIR", saved_tmpdir, TRUE);
  g_clear_pointer (&saved_tmpdir, g_free);
}

static void
test_known_answers (void)
{
  save_tmpdir ();
  g_unsetenv ("TMPDIR");
  for (gsize i = 0; i < G_N_ELEMENTS (known_answers); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *native = shmlab_native_key (known_answers[i].key, SHMLAB_BACKEND_SYSV,
                                                   SHMLAB_NATIVE_SEGMENT, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (native, ==, known_answers[i].native);
    }
  restore_tmpdir ();
}

static void
test_posix_names (void)
{
  g_autofree char *segment = shmlab_native_key ("hello", SHMLAB_BACKEND_POSIX,
                                                SHMLAB_NATIVE_SEGMENT, NULL);
  g_autofree char *semaphore = shmlab_native_key ("hello", SHMLAB_BACKEND_POSIX,
                                                  SHMLAB_NATIVE_SEMAPHORE, NULL);

  g_assert_cmpstr (segment, ==, "/qipc_sharedmemory_helloaaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d");
  g_assert_cmpstr (semaphore, ==, "/qipc_systemsem_helloaaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d");
}

static void
test_semaphore_key_file (void)
{
  g_autofree char *native = NULL;

  save_tmpdir ();
  g_unsetenv ("TMPDIR");
  native = shmlab_native_key ("hello", SHMLAB_BACKEND_SYSV, SHMLAB_NATIVE_SEMAPHORE, NULL);
  g_assert_cmpstr (native, ==, "/tmp/qipc_systemsem_helloaaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d");
  restore_tmpdir ();
}

static void
test_tmpdir (void)
{
  g_autofree char *with_slash = NULL;
  g_autofree char *plain = NULL;
  g_autofree char *empty = NULL;

  save_tmpdir ();
  g_setenv ("TMPDIR", "/var/tmp/lab/", TRUE);
  with_slash = shmlab_native_key ("123", SHMLAB_BACKEND_SYSV, SHMLAB_NATIVE_SEGMENT, NULL);
  g_setenv ("TMPDIR", "/var/tmp/lab", TRUE);
  plain = shmlab_native_key ("123", SHMLAB_BACKEND_SYSV, SHMLAB_NATIVE_SEGMENT, NULL);
  g_setenv ("TMPDIR", "", TRUE);
  empty = shmlab_native_key ("123", SHMLAB_BACKEND_SYSV, SHMLAB_NATIVE_SEGMENT, NULL);
  restore_tmpdir ();

  g_assert_cmpstr (with_slash, ==, "/var/tmp/lab/qipc_sharedmemory_40bd001563085fc35165329ea1ff5c5ecbdbbeef");
  g_assert_cmpstr (plain, ==, with_slash);
  g_assert_cmpstr (empty, ==, "/tmp/qipc_sharedmemory_40bd001563085fc35165329ea1ff5c5ecbdbbeef");
}

static void
test_non_ascii (void)
{
  /* Only ASCII letters are kept; the SHA-1 is of the UTF-8 bytes. */
  g_autofree char *sha1 = g_compute_checksum_for_string (G_CHECKSUM_SHA1, "Grüße 共享 42!", -1);
  g_autofree char *expected = g_strconcat ("qipc_sharedmemory_Gre", sha1, NULL);
  g_autofree char *safe = shmlab_native_key_safe_name ("Grüße 共享 42!", SHMLAB_NATIVE_SEGMENT);

  g_assert_cmpstr (safe, ==, expected);
}

static void
test_digits_only (void)
{
  g_autofree char *safe = shmlab_native_key_safe_name ("2024", SHMLAB_NATIVE_SEGMENT);
  g_autofree char *sha1 = g_compute_checksum_for_string (G_CHECKSUM_SHA1, "2024", -1);

  g_assert_true (g_str_has_prefix (safe, "qipc_sharedmemory_"));
  g_assert_cmpstr (safe + strlen ("qipc_sharedmemory_"), ==, sha1);
}

static void
test_invalid_keys (void)
{
  g_autoptr(GError) empty = NULL;
  g_autoptr(GError) long_key = NULL;
  g_autoptr(GError) bad_utf8 = NULL;
  g_autoptr(GError) many_letters = NULL;
  g_autofree char *too_long = g_strnfill (256, '7');
  g_autofree char *max_digits = g_strnfill (255, '7');
  g_autofree char *letters = g_strnfill (200, 'a');

  g_assert_false (shmlab_key_validate ("", &empty));
  g_assert_error (empty, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_KEY_ERROR);
  g_assert_nonnull (strstr (empty->message, "empty"));

  g_assert_false (shmlab_key_validate (too_long, &long_key));
  g_assert_error (long_key, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_KEY_ERROR);
  g_assert_nonnull (strstr (long_key->message, "256"));

  g_assert_true (shmlab_key_validate (max_digits, NULL));

  g_assert_false (shmlab_key_validate ("bad\xff", &bad_utf8));
  g_assert_error (bad_utf8, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_KEY_ERROR);
  g_assert_nonnull (strstr (bad_utf8->message, "UTF-8"));

  g_assert_false (shmlab_key_validate (letters, &many_letters));
  g_assert_error (many_letters, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_KEY_ERROR);
  g_assert_nonnull (strstr (many_letters->message, "letters"));
}

static void
test_key_from_native (void)
{
  ShmlabNativeKind kind;
  g_autofree char *letters = shmlab_native_key_to_key (
    "/tmp/qipc_sharedmemory_helloaaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d", &kind);
  g_autofree char *sem = shmlab_native_key_to_key (
    "sem.qipc_systemsem_helloaaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d", &kind);
  g_autofree char *other = shmlab_native_key_to_key ("/tmp/pulse-shm-1234", NULL);

  g_assert_cmpstr (letters, ==, "hello");
  g_assert_cmpstr (sem, ==, "hello");
  g_assert_cmpint (kind, ==, SHMLAB_NATIVE_SEMAPHORE);
  g_assert_null (other);
}

static void
test_backend_names (void)
{
  g_autoptr(GError) error = NULL;
  ShmlabBackend backend;

  g_assert_true (shmlab_backend_from_string ("posix", &backend, NULL));
  g_assert_cmpint (backend, ==, SHMLAB_BACKEND_POSIX);
  g_assert_true (shmlab_backend_from_string ("sysv", &backend, NULL));
  g_assert_cmpint (backend, ==, SHMLAB_BACKEND_SYSV);
  g_assert_false (shmlab_backend_from_string ("windows", &backend, &error));
  g_assert_nonnull (strstr (error->message, "sysv"));
}

int
main (int argc, char **argv)
{
  shmlab_test_init (&argc, &argv);
  g_test_add_func ("/native-key/known-answers", test_known_answers);
  g_test_add_func ("/native-key/posix-names", test_posix_names);
  g_test_add_func ("/native-key/semaphore-key-file", test_semaphore_key_file);
  g_test_add_func ("/native-key/tmpdir", test_tmpdir);
  g_test_add_func ("/native-key/non-ascii", test_non_ascii);
  g_test_add_func ("/native-key/digits-only", test_digits_only);
  g_test_add_func ("/native-key/invalid-keys", test_invalid_keys);
  g_test_add_func ("/native-key/key-from-native", test_key_from_native);
  g_test_add_func ("/native-key/backend-names", test_backend_names);
  return g_test_run ();
}
