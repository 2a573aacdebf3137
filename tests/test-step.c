/* test-step.c — a line of the step log: copied whole, freed, boxed, and
 * written as one line
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "shmlab-segment.h"
#include "shmlab-step.h"
#include "shmlab-test-util.h"

static ShmlabStep *
step_new (const char *name,
          const char *detail,
          gboolean    ok,
          GError     *error)
{
  ShmlabStep *step = g_new0 (ShmlabStep, 1);

  step->name = g_strdup (name);
  step->detail = g_strdup (detail);
  step->ok = ok;
  step->error = error;
  step->duration_us = 1234;
  step->time_us = 1700000000000000;
  return step;
}

/* A copy owns everything, the error too: freeing the original leaves it whole. */
static void
test_copy (void)
{
  ShmlabStep *step = step_new ("lock", "waited for another process to unlock", FALSE,
                               g_error_new_literal (SHMLAB_SEGMENT_ERROR,
                                                    SHMLAB_SEGMENT_ERROR_TIMED_OUT, "timed out"));
  g_autoptr(ShmlabStep) copy = shmlab_step_copy (step);

  g_assert_true (copy->name != step->name);
  g_assert_true (copy->error != step->error);
  shmlab_step_free (step);
  g_assert_cmpstr (copy->name, ==, "lock");
  g_assert_cmpstr (copy->detail, ==, "waited for another process to unlock");
  g_assert_false (copy->ok);
  g_assert_error (copy->error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_TIMED_OUT);
  g_assert_cmpint (copy->duration_us, ==, 1234);
  g_assert_cmpint (copy->time_us, ==, 1700000000000000);

  shmlab_step_free (NULL);
}

/* The "step" signal carries it as a boxed type. */
static void
test_boxed (void)
{
  g_autoptr(ShmlabStep) step = step_new ("create", "100 bytes, mode 0600", TRUE, NULL);
  GValue value = G_VALUE_INIT;
  const ShmlabStep *held;

  g_assert_true (G_TYPE_IS_BOXED (SHMLAB_TYPE_STEP));
  g_assert_cmpstr (g_type_name (SHMLAB_TYPE_STEP), ==, "ShmlabStep");
  g_value_init (&value, SHMLAB_TYPE_STEP);
  g_value_set_boxed (&value, step);
  held = g_value_get_boxed (&value);
  g_assert_true (held != step);
  g_assert_cmpstr (held->name, ==, "create");
  g_assert_cmpstr (held->detail, ==, "100 bytes, mode 0600");
  g_assert_true (held->ok);
  g_assert_null (held->error);
  g_value_unset (&value);
}

/* One line of a log: name, detail, result and duration, and why it failed. */
static void
test_to_string (void)
{
  g_autoptr(ShmlabStep) ok = step_new ("unlock", NULL, TRUE, NULL);
  g_autoptr(ShmlabStep) detailed = step_new ("copy", "22 bytes in (plain text)", TRUE, NULL);
  g_autoptr(ShmlabStep) empty_detail = step_new ("lock", "", TRUE, NULL);
  g_autoptr(ShmlabStep) failed =
    step_new ("attach", NULL, FALSE,
              g_error_new_literal (SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_NOT_FOUND,
                                   "no segment"));
  g_autofree char *ok_line = shmlab_step_to_string (ok);
  g_autofree char *detailed_line = shmlab_step_to_string (detailed);
  g_autofree char *empty_line = shmlab_step_to_string (empty_detail);
  g_autofree char *failed_line = shmlab_step_to_string (failed);

  g_assert_cmpstr (ok_line, ==, "unlock  ok  1.23 ms");
  g_assert_cmpstr (detailed_line, ==, "copy  22 bytes in (plain text)  ok  1.23 ms");
  g_assert_cmpstr (empty_line, ==, "lock  ok  1.23 ms");
  g_assert_cmpstr (failed_line, ==, "attach  failed  1.23 ms: no segment");
}

int
main (int argc, char **argv)
{
  shmlab_test_init (&argc, &argv);
  g_test_add_func ("/step/copy", test_copy);
  g_test_add_func ("/step/boxed", test_boxed);
  g_test_add_func ("/step/to-string", test_to_string);
  return g_test_run ();
}
