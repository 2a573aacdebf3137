/* placeholder until the segment lands */
#include "shmlab-segment.h"
gboolean
shmlab_segment_remove_key (const char *key, ShmlabBackend backend, gboolean force, GError **error)
{
  return TRUE;
}
