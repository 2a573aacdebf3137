/* shmlab-limits.c — how much shared memory this system allows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-limits.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>

#include <errno.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "shmlab-error.h"

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
}

/* SHMALL in bytes, or G_MAXUINT64 when unlimited or unknown. */
static guint64
shmall_bytes (const ShmlabLimits *limits)
{
  guint64 all;

  if (limits->shmall == G_MAXUINT64 ||
      !g_uint64_checked_mul (&all, limits->shmall, limits->page_size))
    return G_MAXUINT64;
  return all;
}

/* The largest segment one could hope to create now on @backend. */
guint64
shmlab_limits_max_size (const ShmlabLimits *limits,
                        ShmlabBackend       backend)
{
  if (backend == SHMLAB_BACKEND_POSIX)
    return MIN (limits->dev_shm_free, limits->memory_total);
  return MIN (MIN (limits->shmmax, limits->memory_total), shmall_bytes (limits));
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
    return g_strdup_printf ("%" G_GUINT64_FORMAT " %s", bytes, bytes == 1 ? _("byte") : _("bytes"));
  human = g_format_size_full (bytes, G_FORMAT_SIZE_IEC_UNITS);
  return g_strdup_printf (_("%s (%" PRIu64 " bytes)"), human, bytes);
}

/* One sentence on the limits that matter for @backend, for error messages. */
char *
shmlab_limits_describe (const ShmlabLimits *limits,
                        ShmlabBackend       backend)
{
  g_autofree char *memory = shmlab_format_bytes (limits->memory_total);

  if (backend == SHMLAB_BACKEND_POSIX)
    {
      g_autofree char *free_space = shmlab_format_bytes (limits->dev_shm_free);
      g_autofree char *total = shmlab_format_bytes (limits->dev_shm_total);
      return g_strdup_printf (_("/dev/shm has %s free of %s, and the system has %s of memory "
                              "(RAM and swap)"),
                              free_space, total, memory);
    }
  else
    {
      g_autofree char *shmmax = shmlab_format_bytes (limits->shmmax);
      g_autofree char *shmall = shmlab_format_bytes (shmall_bytes (limits));
      return g_strdup_printf (_("this system allows one System V segment up to SHMMAX = %s and "
                              "all of them together up to SHMALL = %s (the POSIX backend is bound "
                              "by neither), and has %s of memory (RAM and swap)"),
                              shmmax, shmall, memory);
    }
}

/* The pages a segment of @size takes, as the kernel counts them against SHMALL. */
guint64
shmlab_limits_pages (const ShmlabLimits *limits,
                     guint64             size)
{
  guint64 page = MAX (limits->page_size, 1);
  return size / page + (size % page != 0);
}

static void
set_memory_error (GError             **error,
                  const ShmlabLimits  *limits,
                  ShmlabBackend        backend,
                  const char          *key,
                  guint64              size)
{
  g_autofree char *wanted = shmlab_format_bytes (size);
  g_autofree char *memory = shmlab_format_bytes (limits->memory_total);

  if (backend == SHMLAB_BACKEND_POSIX)
    {
      g_autofree char *free_space = shmlab_format_bytes (limits->dev_shm_free);
      g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_OUT_OF_RESOURCES,
                   _("a segment of %s for key “%s” is larger than all the memory of this system "
                   "(RAM and swap together: %s), so no setting allows it (/dev/shm has %s free): "
                   "pick a smaller size"),
                   wanted, key, memory, free_space);
    }
  else
    {
      g_autofree char *shmmax = shmlab_format_bytes (limits->shmmax);
      g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_INVALID_SIZE,
                   _("a segment of %s for key “%s” is larger than all the memory of this system "
                   "(RAM and swap together: %s), so no setting allows it (SHMMAX is %s): pick a "
                   "smaller size"),
                   wanted, key, memory, shmmax);
    }
}

/* A System V segment over SHMMAX: the kernel says EINVAL, this says which limit. */
void
shmlab_limits_set_shmmax_error (GError             **error,
                                const ShmlabLimits  *limits,
                                const char          *key,
                                guint64              size)
{
  g_autofree char *wanted = shmlab_format_bytes (size);
  g_autofree char *shmmax = shmlab_format_bytes (limits->shmmax);

  g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_INVALID_SIZE,
               _("a segment of %s for key “%s” is larger than SHMMAX = %s, the largest System V "
               "segment this system allows: pick a smaller size, use the POSIX backend, or raise "
               "the limit as root (sysctl -w kernel.shmmax=%" PRIu64 ")"),
               wanted, key, shmmax, size);
}

static void
set_shmall_error (GError             **error,
                  const ShmlabLimits  *limits,
                  const char          *key,
                  guint64              size)
{
  g_autofree char *wanted = shmlab_format_bytes (size);
  g_autofree char *shmall = shmlab_format_bytes (shmall_bytes (limits));

  g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_INVALID_SIZE,
               _("a segment of %s for key “%s” is larger than SHMALL = %s (%" PRIu64
               " pages of %" PRIu64 " bytes), what all System V segments together may "
               "use on this system: pick a smaller size, use the POSIX backend, or raise the limit "
               "as root (sysctl -w kernel.shmall=%" PRIu64 ")"),
               wanted, key, shmall, limits->shmall, limits->page_size,
               shmlab_limits_pages (limits, size));
}

/**
 * shmlab_limits_set_sysv_full_error:
 * @n_segments: the System V segments that exist now
 * @pages_used: the pages they take together
 *
 * Explains an ENOSPC from shmget(): SHMALL has too little left, or SHMMNI
 * segments exist already. The kernel tests SHMALL first, so does this.
 */
void
shmlab_limits_set_sysv_full_error (GError             **error,
                                   const ShmlabLimits  *limits,
                                   const char          *key,
                                   guint64              size,
                                   guint                n_segments,
                                   guint64              pages_used)
{
  g_autofree char *wanted = shmlab_format_bytes (size);
  guint64 needed = shmlab_limits_pages (limits, size);
  guint64 total;

  if (!g_uint64_checked_add (&total, pages_used, needed))
    total = G_MAXUINT64;
  if (limits->shmall != G_MAXUINT64 && total > limits->shmall)
    {
      guint64 left = limits->shmall > pages_used ? limits->shmall - pages_used : 0;
      g_autofree char *all = shmlab_format_bytes (shmall_bytes (limits));
      g_autofree char *left_bytes = NULL;
      guint64 bytes;

      left_bytes = shmlab_format_bytes (g_uint64_checked_mul (&bytes, left, limits->page_size)
                                          ? bytes : G_MAXUINT64);
      g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_OUT_OF_RESOURCES,
                   _("a segment of %s for key “%s” does not fit in what SHMALL leaves: all "
                   "System V segments together may use %" PRIu64 " pages (%s), %"
                   PRIu64 " are in use (%u %s), so %" PRIu64 " pages (%s) are "
                   "left and this one needs %" PRIu64 ": remove segments no longer "
                   "needed (shmlab list, then shmlab remove KEY; or ipcs -m, then ipcrm -m ID), "
                   "pick a smaller size, use the POSIX backend, or raise the limit as root "
                   "(sysctl -w kernel.shmall=%" PRIu64 ")"),
                   wanted, key, limits->shmall, all, pages_used, n_segments,
                   n_segments == 1 ? _("segment") : _("segments"), left, left_bytes, needed, total);
      return;
    }

  if (limits->shmmni != G_MAXUINT64 && n_segments >= limits->shmmni)
    {
      /* Linux's default is 4096 and its ceiling 32768 (IPCMNI). */
      guint64 raised = MIN (MAX (MIN (limits->shmmni, 16384) * 2, 4096), 32768);
      g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_OUT_OF_RESOURCES,
                   _("cannot create a segment for key “%s”: this system allows at most SHMMNI = %"
                   PRIu64 " System V segments and %u exist already (shmlab list or "
                   "ipcs -m shows them): remove those no longer needed (shmlab remove KEY, or "
                   "ipcrm -m ID), use the POSIX backend, or raise the limit as root (sysctl -w "
                   "kernel.shmmni=%" PRIu64 ")"),
                   key, limits->shmmni, n_segments, MAX (raised, (guint64) n_segments + 1));
      return;
    }

  {
    g_autofree char *described = shmlab_limits_describe (limits, SHMLAB_BACKEND_SYSV);
    g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_OUT_OF_RESOURCES,
                 _("a segment of %s for key “%s” cannot be created: the system's limit on the "
                 "number of segments (SHMMNI = %" PRIu64 ", %u exist) or on all of them "
                 "together (SHMALL) is reached; %s — remove segments no longer needed "
                 "(shmlab list, shmlab remove KEY), or use the POSIX backend"),
                 wanted, key, limits->shmmni, n_segments, described);
  }
}

/* A POSIX segment larger than what /dev/shm has free. */
void
shmlab_limits_set_dev_shm_error (GError             **error,
                                 const ShmlabLimits  *limits,
                                 const char          *key,
                                 guint64              size)
{
  g_autofree char *wanted = shmlab_format_bytes (size);
  g_autofree char *free_space = shmlab_format_bytes (limits->dev_shm_free);
  g_autofree char *total = shmlab_format_bytes (limits->dev_shm_total);

  g_set_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_OUT_OF_RESOURCES,
               _("a segment of %s for key “%s” does not fit in /dev/shm, which has %s free of %s: "
               "pick a smaller size, remove segments no longer needed (shmlab list --backend "
               "posix, then shmlab remove --backend posix KEY), use the System V backend, or as "
               "root make /dev/shm larger (mount -o remount,size=… /dev/shm)"),
               wanted, key, free_space, total);
}

/**
 * shmlab_limits_check_size:
 * @limits: the limits in force (shmlab_limits_read())
 * @size: the segment's size in bytes
 * @error: INVALID_SIZE (System V) or OUT_OF_RESOURCES (POSIX), naming the
 *   limit, its value and the way out
 *
 * Whether a segment of @size could be created now on @backend: not larger
 * than the memory, and SHMMAX and SHMALL (System V) or the free space of
 * /dev/shm (POSIX). What SHMALL has left and SHMMNI only shmget() can tell.
 */
gboolean
shmlab_limits_check_size (const ShmlabLimits  *limits,
                          ShmlabBackend        backend,
                          const char          *key,
                          guint64              size,
                          GError             **error)
{
  /* No setting helps a segment larger than the memory: say that first. */
  if (limits->memory_total != G_MAXUINT64 && size > limits->memory_total)
    {
      set_memory_error (error, limits, backend, key, size);
      return FALSE;
    }

  if (backend == SHMLAB_BACKEND_POSIX)
    {
      if (limits->dev_shm_free != G_MAXUINT64 && size > limits->dev_shm_free)
        {
          shmlab_limits_set_dev_shm_error (error, limits, key, size);
          return FALSE;
        }
      return TRUE;
    }

  if (limits->shmmax != G_MAXUINT64 && size > limits->shmmax)
    {
      shmlab_limits_set_shmmax_error (error, limits, key, size);
      return FALSE;
    }
  if (limits->shmall != G_MAXUINT64 && shmlab_limits_pages (limits, size) > limits->shmall)
    {
      set_shmall_error (error, limits, key, size);
      return FALSE;
    }
  return TRUE;
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
  static const struct { const char *suffix; guint shift; } units[] = {
    { "", 0 }, { "b", 0 }, { "byte", 0 }, { "bytes", 0 },
    { "k", 10 }, { "kb", 10 }, { "kib", 10 },
    { "m", 20 }, { "mb", 20 }, { "mib", 20 },
    { "g", 30 }, { "gb", 30 }, { "gib", 30 },
    { "t", 40 }, { "tb", 40 }, { "tib", 40 },
    { "p", 50 }, { "pb", 50 }, { "pib", 50 },
  };
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
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("“%s” is not a size: write a number of bytes, optionally with a unit "
               "(B, KiB, MiB, GiB), such as 100, 4KiB or 1.5MiB"),
               text);
  return FALSE;
}
