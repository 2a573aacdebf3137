/* test-command.c — the commands messages suggest: each one, pasted into a
 * shell as it stands in the message, in every language, is read back as the
 * arguments it means
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-test-util.h"

#include <string.h>

#include "shmlab-backend-private.h"
#include "shmlab-command.h"
#include "shmlab-i18n.h"
#include "shmlab-segment.h"
#include "shmlab-semaphore.h"

/* Words a shell would split, expand, glob or take for an option. */
static const char *const nasty[] = {
  "demo", "two words", "it's", "“curly”", "$HOME", "`id`", "$(id)", "a*b?", "-x", "--",
  "tab\there", "line\nbreak", "back\\slash", "\"double\"", "你好", "a;b|c&d", "~user", "#hash",
  "", "'", "!bang", "x=1", NULL
};

/* What sh makes of @line: its words, each printed with a NUL after it. */
static GStrv
shell_split (const char *line)
{
  g_autofree char *script = g_strdup_printf ("set -- %s\nprintf '%%s\\0' \"$@\"", line);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) sh = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GStrvBuilder) words = g_strv_builder_new ();
  const char *data;
  gsize size, start = 0;

  sh = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "/bin/sh", "-c", script, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate (sh, NULL, NULL, &out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (sh));
  data = g_bytes_get_data (out, &size);
  for (gsize i = 0; i < size; i++)
    if (data[i] == '\0')
      {
        g_strv_builder_add (words, data + start);
        start = i + 1;
      }
  return g_strv_builder_end (words);
}

/* A shell, and GLib's own parser, read @line back as @expected. */
static void
assert_reads_back (const char         *line,
                   const char * const *expected)
{
  g_auto(GStrv) split = shell_split (line);
  g_auto(GStrv) parsed = NULL;
  g_autoptr(GError) error = NULL;

  g_test_message ("%s", line);
  g_assert_cmpstrv (split, expected);
  g_assert_true (g_shell_parse_argv (line, NULL, &parsed, &error));
  g_assert_no_error (error);
  g_assert_cmpstrv (parsed, expected);
}

static void
test_quote (void)
{
  g_autofree char *bare = shmlab_shell_quote_arg ("shmlab-demo_1.0/x@y:z,%+=");
  g_autofree char *spaced = shmlab_shell_quote_arg ("two words");
  g_autofree char *curly = shmlab_shell_quote_arg ("“shmlab-demo”");

  /* Safe words stay bare; the rest gets straight single quotes. */
  g_assert_cmpstr (bare, ==, "shmlab-demo_1.0/x@y:z,%+=");
  g_assert_cmpstr (spaced, ==, "'two words'");
  g_assert_cmpstr (curly, ==, "'“shmlab-demo”'");

  for (guint i = 0; nasty[i] != NULL; i++)
    {
      const char *const one[] = { nasty[i], NULL };
      g_autofree char *word = shmlab_shell_quote_arg (nasty[i]);

      assert_reads_back (word, one);
    }
  {
    g_autofree char *line = shmlab_shell_join (nasty);
    assert_reads_back (line, nasty);
  }
}

/* "shmlab COMMAND [--backend NAME] [OPTION] [--] KEY" for every key and backend. */
static void
test_command_for_key (void)
{
  guint n_backends;
  const ShmlabBackend *backends = shmlab_backend_all (&n_backends);

  for (guint b = 0; b < n_backends; b++)
    for (guint i = 0; nasty[i] != NULL; i++)
      {
        g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
        g_auto(GStrv) expected = NULL;
        g_autofree char *line = shmlab_command_for_key ("remove", nasty[i], backends[b],
                                                        "--force");

        g_strv_builder_add_many (builder, "shmlab", "remove", NULL);
        if (backends[b] != SHMLAB_BACKEND_DEFAULT)
          g_strv_builder_add_many (builder, "--backend", shmlab_backend_to_string (backends[b]),
                                   NULL);
        g_strv_builder_add (builder, "--force");
        if (nasty[i][0] == '-')
          g_strv_builder_add (builder, "--");
        g_strv_builder_add (builder, nasty[i]);
        expected = g_strv_builder_end (builder);
        assert_reads_back (line, (const char *const *) expected);
      }

  {
    g_autofree char *plain = shmlab_command_for_key ("info", "demo", SHMLAB_BACKEND_DEFAULT, NULL);
    g_autofree char *list = shmlab_command_for_backend ("list", SHMLAB_BACKEND_POSIX);

    g_assert_cmpstr (plain, ==, "shmlab info demo");
    g_assert_cmpstr (list, ==, "shmlab list --backend posix");
  }
}

/* @message holds @command whole, with no quote of any kind before it. */
static void
assert_suggests (const char *message,
                 const char *command)
{
  const char *found = strstr (message, command);

  g_test_message ("%s", message);
  g_assert_nonnull (found);
  if (found != NULL && found > message)
    {
      gunichar before = g_utf8_get_char (g_utf8_prev_char (found));

      g_assert_true (before != '\'' && before != '"' && before != '`' && before != 0x201C &&
                     before != 0x2018 && before != 0x300C && before != 0x300E);
    }
}

/* The messages of common/ that suggest a command, in the language of LANGUAGE. */
static void
test_messages_child (void)
{
  static const char key[] = "-it's “q” $HOME";
  guint n_backends;
  const ShmlabBackend *backends = shmlab_backend_all (&n_backends);

  if (g_getenv ("LANGUAGE") == NULL)
    g_setenv ("LANGUAGE", "", TRUE);
  g_test_message ("LANGUAGE=%s", g_getenv ("LANGUAGE"));
  shmlab_i18n_init ();

  for (guint b = 0; b < n_backends; b++)
    {
      g_autofree char *remove = shmlab_command_for_key ("remove", key, backends[b], NULL);
      g_autoptr(GError) error = NULL;
      ShmlabSegmentInfo stale;

      /* A key that names a segment left by a crash. */
      shmlab_segment_info_clear (&stale);
      stale.exists = TRUE;
      stale.size = 64;
      stale.owner_uid = getuid ();
      stale.attach_count = 0;
      shmlab_segment_set_exists_error (&error, key, backends[b], &stale);
      assert_suggests (error->message, remove);
      /* The catalogue was read: a translation says it in its own words. */
      if (*g_getenv ("LANGUAGE") != '\0')
        g_assert_null (strstr (error->message, "already names"));
      g_clear_error (&error);

      /* A lock another holds past the timeout. */
      {
        g_autofree char *unique = shmlab_test_unique_key ("lock");
        g_autoptr(ShmlabKey) value = NULL;
        ShmlabSemaphore *held, *waiting;

        value = shmlab_key_new (unique, backends[b], &error);
        g_assert_no_error (error);
        held = shmlab_semaphore_new_for_key (value, &error);
        waiting = shmlab_semaphore_new_for_key (value, &error);
        g_assert_true (shmlab_semaphore_open (held, &error));
        g_assert_true (shmlab_semaphore_acquire (held, -1, NULL, &error));
        g_assert_true (shmlab_semaphore_open (waiting, &error));
        g_assert_false (shmlab_semaphore_acquire (waiting, 0, NULL, &error));
        g_assert_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_TIMED_OUT);
        {
          g_autofree char *unique_info = shmlab_command_for_key ("info", unique, backends[b],
                                                                 NULL);
          g_autofree char *unique_remove = shmlab_command_for_key ("remove", unique, backends[b],
                                                                   NULL);

          assert_suggests (error->message, unique_info);
          if (shmlab_backend_lock_kept_by_dead_holder (backends[b]))
            assert_suggests (error->message, unique_remove);
        }
        g_clear_error (&error);
        g_assert_true (shmlab_semaphore_release (held, &error));
        shmlab_semaphore_remove (held);
        shmlab_semaphore_free (waiting);
        shmlab_semaphore_free (held);
      }
    }
}

static void
test_messages (void)
{
  static const char *const languages[] = { "", "zh_CN", "zh_TW" };

  for (guint i = 0; i < G_N_ELEMENTS (languages); i++)
    {
      g_setenv ("LANGUAGE", languages[i], TRUE);
      g_test_trap_subprocess ("/command/messages/child", 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
    }
  g_setenv ("LANGUAGE", "", TRUE);
}

int
main (int    argc,
      char **argv)
{
  shmlab_test_init (&argc, &argv);

  g_test_add_func ("/command/quote", test_quote);
  g_test_add_func ("/command/for-key", test_command_for_key);
  g_test_add_func ("/command/messages", test_messages);
  g_test_add_func ("/command/messages/child", test_messages_child);
  return g_test_run ();
}
