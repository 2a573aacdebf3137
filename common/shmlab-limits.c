/* shmlab-limits.c — how much shared memory this system allows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-limits.h"

#include "shmlab-backend-private.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>

#include <errno.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "shmlab-error.h"
#include "shmlab-native-key.h"

static guint64
read_proc_number (const char *path)
{
  g_autofree char *contents = NULL;
  guint64 value;
  char *end = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return G_MAXUINT64;
  errno = 0;
  value = g_ascii_strtoull (g_strstrip (contents), &end, 10);
  if (errno != 0 || end == contents)
    return G_MAXUINT64;
  return value;
}

/* MemTotal + SwapTotal from /proc/meminfo, in bytes. */
static guint64
read_memory_total (void)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  guint64 total = 0;
  gboolean found = FALSE;

  if (!g_file_get_contents ("/proc/meminfo", &contents, NULL, NULL))
    return G_MAXUINT64;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    if (g_str_has_prefix (lines[i], "MemTotal:") || g_str_has_prefix (lines[i], "SwapTotal:"))
      {
        const char *value = strchr (lines[i], ':') + 1;
        guint64 bytes;

        if (!g_uint64_checked_mul (&bytes, g_ascii_strtoull (value, NULL, 10), 1024) ||
            !g_uint64_checked_add (&total, total, bytes))
          return G_MAXUINT64;
        found = TRUE;
      }
  return found ? total : G_MAXUINT64;
}

/* Reads the limits in force now; what the system does not tell stays G_MAXUINT64. */
void
shmlab_limits_read (ShmlabLimits *limits)
{
  struct statvfs vfs;
  long page = sysconf (_SC_PAGESIZE);
  g_autofree char *temp_dir = NULL;

  limits->shmmax = read_proc_number ("/proc/sys/kernel/shmmax");
  limits->shmall = read_proc_number ("/proc/sys/kernel/shmall");
  limits->shmmni = read_proc_number ("/proc/sys/kernel/shmmni");
  limits->page_size = page > 0 ? (guint64) page : 4096;
  limits->memory_total = read_memory_total ();

  if (statvfs ("/dev/shm", &vfs) == 0)
    {
      limits->dev_shm_total = (guint64) vfs.f_blocks * vfs.f_frsize;
      limits->dev_shm_free = (guint64) vfs.f_bavail * vfs.f_frsize;
    }
  else
    {
      limits->dev_shm_total = G_MAXUINT64;
      limits->dev_shm_free = G_MAXUINT64;
    }

  temp_dir = shmlab_native_key_temp_dir ();
  if (statvfs (temp_dir, &vfs) == 0)
    {
      limits->temp_dir_total = (guint64) vfs.f_blocks * vfs.f_frsize;
      limits->temp_dir_free = (guint64) vfs.f_bavail * vfs.f_frsize;
    }
  else
    {
      limits->temp_dir_total = G_MAXUINT64;
      limits->temp_dir_free = G_MAXUINT64;
    }
}

/* The largest segment one could hope to create now on @backend. */
guint64
shmlab_limits_max_size (const ShmlabLimits *limits,
                        ShmlabBackend       backend)
{
  return shmlab_backend_get (backend)->max_size (limits);
}

/* "1 MiB (1048576 bytes)", or just "100 bytes" under a KiB. */
char *
shmlab_format_bytes (guint64 bytes)
{
  g_autofree char *human = NULL;

  /* Linux's default SHMMAX and SHMALL are "as much as can be counted". */
  if (bytes >= (G_GUINT64_CONSTANT (1) << 62))
    return g_strdup (_("unlimited"));
  if (bytes < 1024)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" PRIu64 " byte",
                                         "%" PRIu64 " bytes", (gulong) bytes),
                            bytes);
  human = g_format_size_full (bytes, G_FORMAT_SIZE_IEC_UNITS);
  return g_strdup_printf (_("%s (%" PRIu64 " bytes)"), human, bytes);
}

/* One sentence on the limits that matter for @backend, for error messages. */
char *
shmlab_limits_describe (const ShmlabLimits *limits,
                        ShmlabBackend       backend)
{
  return shmlab_backend_get (backend)->describe_limits (limits);
}

/* The pages a segment of @size takes, as the kernel counts them against SHMALL. */
guint64
shmlab_limits_pages (const ShmlabLimits *limits,
                     guint64             size)
{
  guint64 page = MAX (limits->page_size, 1);
  return size / page + (size % page != 0);
}

/**
 * shmlab_limits_check_size:
 * @limits: the limits in force (shmlab_limits_read())
 * @size: the segment's size in bytes
 * @error: INVALID_SIZE (System V) or OUT_OF_RESOURCES (POSIX), naming the
 *   limit, its value and the way out
 *
 * Whether a segment of @size could be created now on @backend: not larger
 * than the memory, and what the backend itself allows (SHMMAX and SHMALL for
 * System V, the free space of /dev/shm for POSIX).
 */
gboolean
shmlab_limits_check_size (const ShmlabLimits  *limits,
                          ShmlabBackend        backend,
                          const char          *key,
                          guint64              size,
                          GError             **error)
{
  const ShmlabBackendClass *klass = shmlab_backend_get (backend);

  /* No setting helps a segment larger than the memory: say that first. */
  if (klass->bounded_by_memory && limits->memory_total != G_MAXUINT64 &&
      size > limits->memory_total)
    {
      klass->set_memory_error (error, limits, key, size);
      return FALSE;
    }
  return klass->check_size (limits, key, size, error);
}

/**
 * shmlab_parse_size:
 * @text: "100", "4096 B", "4 KiB", "1.5 MiB", "2k", "1G"…
 * @bytes: (out): the size
 * @error: a G_OPTION_ERROR_BAD_VALUE saying what was expected
 *
 * Units are powers of 1024 (B, KiB/K/KB, MiB/M/MB, GiB/G/GB, TiB/T/TB,
 * PiB/P/PB), case-insensitive. Zero parses: whether it is a valid size is for
 * the segment to say.
 */
gboolean
shmlab_parse_size (const char  *text,
                   guint64     *bytes,
                   GError     **error)
{
  /* The name a message lists first, then the other spellings. */
  static const struct { const char *suffix; guint shift; gboolean listed; } units[] = {
    { "", 0, FALSE }, { "B", 0, TRUE }, { "byte", 0, FALSE }, { "bytes", 0, FALSE },
    { "KiB", 10, TRUE }, { "k", 10, FALSE }, { "kb", 10, FALSE },
    { "MiB", 20, TRUE }, { "m", 20, FALSE }, { "mb", 20, FALSE },
    { "GiB", 30, TRUE }, { "g", 30, FALSE }, { "gb", 30, FALSE },
    { "TiB", 40, TRUE }, { "t", 40, FALSE }, { "tb", 40, FALSE },
    { "PiB", 50, TRUE }, { "p", 50, FALSE }, { "pb", 50, FALSE },
  };
  g_autoptr(GString) listed = g_string_new (NULL);
  g_autofree char *copy = NULL;
  char *end = NULL;
  double value;
  const char *suffix;

  if (text == NULL)
    text = "";
  copy = g_strstrip (g_strdup (text));

  if (*copy == '\0' || !(g_ascii_isdigit (*copy) || *copy == '.'))
    goto bad;

  errno = 0;
  value = g_ascii_strtod (copy, &end);
  if (errno != 0 || end == copy || value < 0)
    goto bad;

  suffix = end;
  while (*suffix == ' ')
    suffix++;

  for (gsize i = 0; i < G_N_ELEMENTS (units); i++)
    if (g_ascii_strcasecmp (suffix, units[i].suffix) == 0)
      {
        double scaled = value * (double) ((guint64) 1 << units[i].shift);

        if (scaled >= 18446744073709551616.0)
          {
            g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                         _("the size “%s” is larger than any computer's memory"), text);
            return FALSE;
          }
        if (scaled != (double) (guint64) scaled)
          {
            g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                         _("the size “%s” is not a whole number of bytes"), text);
            return FALSE;
          }
        *bytes = (guint64) scaled;
        return TRUE;
      }

bad:
  for (gsize i = 0; i < G_N_ELEMENTS (units); i++)
    if (units[i].listed)
      g_string_append_printf (listed, "%s%s", listed->len > 0 ? ", " : "", units[i].suffix);
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("“%s” is not a size: write a number of bytes, optionally with a unit (%s; "
               "K, M, G, T, P and KB, MB… mean the same, in any case), such as 100, 4KiB or "
               "1.5MiB"),
               text, listed->str);
  return FALSE;
}
