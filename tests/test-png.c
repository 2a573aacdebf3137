#include "shmlab-test-util.h"

static void
test_placeholder (void)
{
  g_test_skip ("not written yet");
}

int
main (int argc, char **argv)
{
  shmlab_test_init (&argc, &argv);
  g_test_add_func ("/png/placeholder", test_placeholder);
  return g_test_run ();
}
