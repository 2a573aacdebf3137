/* shmlab-memory-map.c — every process that maps a key's segment, where,
 * and which of its pages are in memory: the article's diagram, read from
 * /proc
 *
 * /proc/PID/maps lists each mapping with the inode of what it maps: a System
 * V segment as "/SYSV<key in hex> (deleted)" with the segment's id as its
 * inode, a POSIX one as "/dev/shm/<name>". /proc/PID/pagemap has 8 bytes a
 * page: bit 63 says the page is present in that process's page table, bits
 * 0–54 its physical frame — zero unless the reader has CAP_SYS_ADMIN (since
 * Linux 4.0). Processes come and go while this reads: a pid gone, maps this
 * user may not read, a pagemap cut short are each an ordinary outcome.
 *
 * Everything here is read from files another process or the kernel wrote
 * and is checked as hostile input (shmlab-proc-maps.c for the lines).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-memory-map.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shmlab-backend-private.h"
#include "shmlab-json.h"
#include "shmlab-proc-maps.h"
#include "shmlab-segment.h"

#define PAGEMAP_PRESENT (G_GUINT64_CONSTANT (1) << 63)
#define PAGEMAP_FRAME_MASK ((G_GUINT64_CONSTANT (1) << 55) - 1)
/* Pagemap entries read at once: 32 KiB, 128 MiB of a mapping. */
#define PAGEMAP_CHUNK 4096
/* A maps file longer than this is not read (the kernel's limit of 65530
 * mappings makes about 7 MiB). */
#define MAX_MAPS_SIZE (64 * 1024 * 1024)

void
shmlab_map_identity_clear (ShmlabMapIdentity *identity)
{
  g_clear_pointer (&identity->path_prefix, g_free);
  g_clear_pointer (&identity->description, g_free);
}

static void
mapping_free (gpointer data)
{
  ShmlabMemoryMapping *mapping = data;

  g_free (mapping->program);
  g_free (mapping);
}

void
shmlab_memory_map_free (ShmlabMemoryMap *map)
{
  if (map == NULL)
    return;
  shmlab_map_identity_clear (&map->identity);
  g_clear_pointer (&map->mappings, g_ptr_array_unref);
  g_free (map);
}

static ShmlabMemoryMap *
map_new (void)
{
  ShmlabMemoryMap *map = g_new0 (ShmlabMemoryMap, 1);
  long page = sysconf (_SC_PAGESIZE);

  map->page_size = page > 0 ? (guint64) page : 4096;
  map->mappings = g_ptr_array_new_with_free_func (mapping_free);
  return map;
}

/* The program's name as the kernel keeps it (16 bytes at most), made valid
 * UTF-8 with no control characters: a process names itself. */
static char *
read_program (const char *process_dir)
{
  g_autofree char *path = g_build_filename (process_dir, "comm", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *valid = NULL;
  gsize length = 0;
  GString *clean;

  if (!g_file_get_contents (path, &contents, &length, NULL) || length > 64)
    return g_strdup ("?");
  while (length > 0 && contents[length - 1] == '\n')
    length--;
  valid = g_utf8_make_valid (contents, (gssize) length);
  clean = g_string_new (NULL);
  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      g_string_append_unichar (clean, g_unichar_iscntrl (c) ? 0xfffd : c);
    }
  if (clean->len == 0)
    g_string_append (clean, "?");
  return g_string_free (clean, FALSE);
}

static gboolean
matches (const ShmlabProcMapsEntry *entry,
         const ShmlabMapIdentity   *identity)
{
  return entry->path != NULL && g_str_has_prefix (entry->path, identity->path_prefix) &&
         entry->inode == identity->inode && entry->shared &&
         (!identity->match_device ||
          (entry->dev_major == identity->dev_major && entry->dev_minor == identity->dev_minor));
}

/* The frames seen so far, by page of the segment: the first mapping's, then
 * filled in by the others where it had none. */
typedef struct
{
  guint64 *frames;
  guint64 n_pages;
} Frames;

/* Reads @mapping's pagemap entries: present pages, their bins, their frames.
 * Leaves present at -1 when the pagemap cannot be read whole. */
static void
read_pagemap (const char          *process_dir,
              ShmlabMemoryMapping *mapping,
              guint64              first_page,
              guint64              page_size,
              Frames              *frames,
              gboolean            *frames_visible)
{
  g_autofree char *path = g_build_filename (process_dir, "pagemap", NULL);
  g_autofree guint64 *chunk = NULL;
  guint64 bin_pages[SHMLAB_MEMORY_MAP_BINS] = { 0 };
  guint64 bin_present[SHMLAB_MEMORY_MAP_BINS] = { 0 };
  guint64 start_index = mapping->start / page_size;
  guint64 present = 0;
  gboolean same = TRUE;
  int fd;

  mapping->present = -1;
  mapping->same_frames = TRUE;
  mapping->n_bins = (guint) MIN (mapping->n_pages, (guint64) SHMLAB_MEMORY_MAP_BINS);
  /* The entry of page i is at 8 × i: past G_MAXINT64 / 8 it has no offset. */
  if (mapping->n_pages == 0 || start_index > (guint64) G_MAXINT64 / 8 - mapping->n_pages)
    return;
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return;
  chunk = g_new (guint64, PAGEMAP_CHUNK);
  for (guint64 done = 0; done < mapping->n_pages;)
    {
      guint64 want = MIN ((guint64) PAGEMAP_CHUNK, mapping->n_pages - done);
      ssize_t got = pread (fd, chunk, want * 8, (off_t) ((start_index + done) * 8));

      if (got < 0 && errno == EINTR)
        continue;
      if (got != (ssize_t) (want * 8))
        {
          close (fd);
          return;
        }
      for (guint64 i = 0; i < want; i++)
        {
          guint64 page = done + i;
          guint bin = (guint) (page * mapping->n_bins / mapping->n_pages);
          guint64 frame = chunk[i] & PAGEMAP_FRAME_MASK;

          bin_pages[bin]++;
          if (!(chunk[i] & PAGEMAP_PRESENT))
            continue;
          present++;
          bin_present[bin]++;
          if (frame == 0)
            continue;
          *frames_visible = TRUE;
          if (mapping->first_frame == 0)
            mapping->first_frame = frame;
          if (frames->frames != NULL && first_page + page < frames->n_pages)
            {
              guint64 *known = &frames->frames[first_page + page];

              if (*known == 0)
                *known = frame;
              else if (*known != frame)
                same = FALSE;
            }
        }
      done += want;
    }
  close (fd);
  mapping->present = (gint64) present;
  mapping->same_frames = same;
  for (guint b = 0; b < mapping->n_bins; b++)
    mapping->bins[b] = bin_pages[b] ? (guint8) (bin_present[b] * 255 / bin_pages[b]) : 0;
}

static gint
compare_mappings (gconstpointer a,
                  gconstpointer b)
{
  const ShmlabMemoryMapping *x = *(ShmlabMemoryMapping *const *) a;
  const ShmlabMemoryMapping *y = *(ShmlabMemoryMapping *const *) b;

  if (x->pid != y->pid)
    return x->pid < y->pid ? -1 : 1;
  return x->start < y->start ? -1 : x->start > y->start;
}

/* A directory of /proc that is a process: digits only, a pid that fits. */
static gboolean
parse_pid (const char *name,
           guint32    *pid)
{
  guint64 value = 0;

  if (name[0] == '\0' || strlen (name) > 10)
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    {
      if (!g_ascii_isdigit (*p))
        return FALSE;
      value = value * 10 + (guint64) (*p - '0');
    }
  if (value == 0 || value > G_MAXINT32)
    return FALSE;
  *pid = (guint32) value;
  return TRUE;
}

/* One process's mappings of the segment, added to @map. */
static void
scan_process (ShmlabMemoryMap         *map,
              const char              *process_dir,
              guint32                  pid,
              const ShmlabMapIdentity *identity,
              Frames                  *frames)
{
  g_autofree char *maps_path = g_build_filename (process_dir, "maps", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) local = NULL;
  struct stat st;
  gsize length = 0;
  const char *line, *end;

  if (!g_file_get_contents (maps_path, &contents, &length, &local))
    {
      /* Gone since the listing (ENOENT, ESRCH) is no process; another
       * user's is one this user may not look at. */
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_ACCES) ||
          g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_PERM))
        {
          map->n_processes++;
          map->n_unreadable++;
        }
      return;
    }
  map->n_processes++;
  if (length > MAX_MAPS_SIZE || stat (process_dir, &st) != 0)
    return;

  for (line = contents; line < contents + length; line = end + 1)
    {
      ShmlabProcMapsEntry entry;
      ShmlabMemoryMapping *mapping;
      guint64 first_page;

      end = memchr (line, '\n', (gsize) (contents + length - line));
      if (end == NULL)
        end = contents + length;
      if (!shmlab_proc_maps_parse_line (line, (gsize) (end - line), &entry, NULL))
        continue;
      if (!matches (&entry, identity))
        {
          shmlab_proc_maps_entry_clear (&entry);
          continue;
        }
      mapping = g_new0 (ShmlabMemoryMapping, 1);
      mapping->pid = pid;
      mapping->uid = st.st_uid;
      mapping->program = read_program (process_dir);
      mapping->start = entry.start;
      mapping->end = entry.end;
      mapping->writable = entry.writable;
      mapping->n_pages = (entry.end - entry.start + map->page_size - 1) / map->page_size;
      first_page = entry.offset / map->page_size;
      read_pagemap (process_dir, mapping, first_page, map->page_size, frames, &map->frames_visible);
      g_ptr_array_add (map->mappings, mapping);
      shmlab_proc_maps_entry_clear (&entry);
    }
}

/**
 * shmlab_memory_map_scan_proc:
 * @proc_root: "/proc", or a tree laid out like it (for tests)
 * @identity: how the segment shows in maps
 * @size: the segment's size in bytes
 *
 * Looks at every process under @proc_root for mappings of the segment.
 * Fails only when @proc_root cannot be listed or @cancellable is cancelled.
 */
ShmlabMemoryMap *
shmlab_memory_map_scan_proc (const char               *proc_root,
                             const ShmlabMapIdentity  *identity,
                             guint64                   size,
                             GCancellable             *cancellable,
                             GError                  **error)
{
  g_autoptr(ShmlabMemoryMap) map = map_new ();
  g_autoptr(GDir) dir = NULL;
  g_autofree guint64 *frame_store = NULL;
  Frames frames = { NULL, 0 };
  const char *name;

  map->exists = TRUE;
  map->size = size;
  map->identity.path_prefix = g_strdup (identity->path_prefix);
  map->identity.inode = identity->inode;
  map->identity.match_device = identity->match_device;
  map->identity.dev_major = identity->dev_major;
  map->identity.dev_minor = identity->dev_minor;
  map->identity.description = g_strdup (identity->description);

  dir = g_dir_open (proc_root, 0, error);
  if (dir == NULL)
    return NULL;
  /* One frame a page of the segment, to see whether all share them; none
   * kept for a segment too large to hold them for. */
  frames.n_pages = (size + map->page_size - 1) / map->page_size;
  if (frames.n_pages > 0 && frames.n_pages <= (G_GUINT64_CONSTANT (1) << 24))
    frames.frames = frame_store = g_try_new0 (guint64, frames.n_pages);

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *process_dir = NULL;
      guint32 pid;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      if (!parse_pid (name, &pid))
        continue;
      process_dir = g_build_filename (proc_root, name, NULL);
      scan_process (map, process_dir, pid, identity, &frames);
    }
  g_ptr_array_sort (map->mappings, compare_mappings);

  map->frames_same = map->frames_visible && map->mappings->len > 0;
  for (guint i = 0; i < map->mappings->len; i++)
    {
      ShmlabMemoryMapping *mapping = g_ptr_array_index (map->mappings, i);

      if (!mapping->same_frames)
        map->frames_same = FALSE;
    }
  map->attach_count = (gint) map->mappings->len;
  return g_steal_pointer (&map);
}

/**
 * shmlab_memory_map_scan:
 * @key: the key whose segment to look for
 *
 * Every mapping of @key's segment this user can see, from /proc; a map with
 * exists FALSE when no segment has the key. May take long on a machine with
 * many processes or a large segment: call it in a worker.
 */
ShmlabMemoryMap *
shmlab_memory_map_scan (ShmlabKey     *key,
                        GCancellable  *cancellable,
                        GError       **error)
{
  const ShmlabBackendClass *backend = shmlab_backend_get (shmlab_key_get_backend (key));
  ShmlabMapIdentity identity = { 0 };
  ShmlabSegmentInfo info;
  ShmlabMemoryMap *map;

  if (!shmlab_segment_query_for_key (key, &info, error))
    return NULL;
  if (!info.exists)
    return map_new ();
  if (!backend->map_identity (shmlab_key_get_segment_name (key), &info, &identity, error))
    return NULL;
  map = shmlab_memory_map_scan_proc ("/proc", &identity, info.size, cancellable, error);
  shmlab_map_identity_clear (&identity);
  if (map != NULL && info.attach_count_exact)
    {
      map->attach_count = info.attach_count;
      map->attach_count_exact = TRUE;
    }
  return map;
}

/**
 * shmlab_memory_map_count_hidden:
 *
 * Attachments the kernel counts that /proc did not show this user (other
 * users' processes); 0 when the kernel gives no count of its own.
 */
guint
shmlab_memory_map_count_hidden (const ShmlabMemoryMap *map)
{
  if (!map->attach_count_exact || map->attach_count <= (gint) map->mappings->len)
    return 0;
  return (guint) map->attach_count - map->mappings->len;
}

/**
 * shmlab_memory_map_to_json:
 *
 * All of @map as one JSON object, for scripts and tests.
 */
char *
shmlab_memory_map_to_json (const ShmlabMemoryMap *map,
                           ShmlabKey             *key)
{
  g_autoptr(GString) json = g_string_new ("{\n  \"key\": ");

  shmlab_json_append_string (json, shmlab_key_get_name (key));
  g_string_append_printf (json, ",\n  \"backend\": \"%s\",\n  \"native_key\": ",
                          shmlab_backend_to_string (shmlab_key_get_backend (key)));
  shmlab_json_append_string (json, shmlab_key_get_segment_name (key));
  g_string_append_printf (json, ",\n  \"exists\": %s", map->exists ? "true" : "false");
  if (map->exists)
    {
      g_string_append (json, ",\n  \"identity\": ");
      shmlab_json_append_string (json, map->identity.description);
      g_string_append_printf (json, ",\n  \"inode\": %" PRIu64 ",\n"
                              "  \"size\": %" PRIu64 ",\n  \"page_size\": %" PRIu64 ",\n"
                              "  \"attach_count\": %d,\n  \"attach_count_exact\": %s,\n"
                              "  \"hidden\": %u,\n  \"processes_looked_at\": %u,\n"
                              "  \"processes_unreadable\": %u,\n"
                              "  \"frames_visible\": %s,\n  \"frames_same\": %s,\n"
                              "  \"mappings\": [",
                              map->identity.inode, map->size, map->page_size,
                              map->attach_count, map->attach_count_exact ? "true" : "false",
                              shmlab_memory_map_count_hidden (map), map->n_processes,
                              map->n_unreadable, map->frames_visible ? "true" : "false",
                              map->frames_same ? "true" : "false");
      for (guint i = 0; i < map->mappings->len; i++)
        {
          const ShmlabMemoryMapping *m = g_ptr_array_index (map->mappings, i);

          g_string_append_printf (json, "%s\n    { \"pid\": %u, \"uid\": %u, \"program\": ",
                                  i > 0 ? "," : "", m->pid, (guint) m->uid);
          shmlab_json_append_string (json, m->program);
          g_string_append_printf (json, ", \"start\": \"0x%" PRIx64 "\", \"end\": \"0x%" PRIx64 "\", "
                                  "\"writable\": %s, \"pages\": %" PRIu64 ", \"present\": %" PRId64 ", "
                                  "\"first_frame\": %" PRIu64 ", \"same_frames\": %s }",
                                  m->start, m->end, m->writable ? "true" : "false", m->n_pages,
                                  m->present, m->first_frame, m->same_frames ? "true" : "false");
        }
      g_string_append (json, map->mappings->len > 0 ? "\n  ]" : "]");
    }
  g_string_append (json, "\n}\n");
  return g_string_free (g_steal_pointer (&json), FALSE);
}

/**
 * shmlab_memory_map_describe_attached:
 *
 * How many processes have the segment, against how many are shown:
 * "attached: 3 (2 shown; 1 belongs to another user)".
 */
char *
shmlab_memory_map_describe_attached (const ShmlabMemoryMap *map)
{
  guint shown = map->mappings->len;
  guint hidden = shmlab_memory_map_count_hidden (map);

  if (map->attach_count_exact && hidden > 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "attached: %d (%u shown; %u belongs to another user)",
                                         "attached: %d (%u shown; %u belong to other users)",
                                         hidden),
                            map->attach_count, shown, hidden);
  if (map->attach_count_exact)
    return g_strdup_printf (_("attached: %d (all shown)"), map->attach_count);
  if (map->n_unreadable > 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "mapped: %u, as far as this user can see (%u process of "
                                         "another user could not be looked at)",
                                         "mapped: %u, as far as this user can see (%u processes "
                                         "of other users could not be looked at)",
                                         map->n_unreadable),
                            shown, map->n_unreadable);
  return g_strdup_printf (_("mapped: %u"), shown);
}

/**
 * shmlab_memory_map_describe_physical:
 *
 * The physical side in one sentence: the same frames (as root), or why
 * frames are hidden and what identity all the mappings share instead.
 */
char *
shmlab_memory_map_describe_physical (const ShmlabMemoryMap *map)
{
  if (map->mappings->len == 0)
    return g_strdup_printf (_("No process this user can see has %s mapped."),
                            map->identity.description);
  if (map->frames_visible && map->frames_same)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Physical memory: the present pages are on the same "
                                         "frames in the %u mapping (first frame 0x%" PRIx64 ").",
                                         "Physical memory: the present pages are on the same "
                                         "frames in all %u mappings (first frame 0x%" PRIx64 ").",
                                         map->mappings->len),
                            map->mappings->len, shmlab_memory_map_first_frame (map));
  if (map->frames_visible)
    return g_strdup (_("Physical memory: some pages are on different frames in different "
                       "mappings — the kernel moved them while they were read; look again."));
  return g_strdup_printf (_("Physical memory: the kernel shows frame numbers only to root "
                            "(CAP_SYS_ADMIN) since Linux 4.0, so they are hidden here; every "
                            "mapping shown is %s — one memory."),
                          map->identity.description);
}

/* The first frame any mapping showed, 0 if none. */
guint64
shmlab_memory_map_first_frame (const ShmlabMemoryMap *map)
{
  for (guint i = 0; i < map->mappings->len; i++)
    {
      const ShmlabMemoryMapping *mapping = g_ptr_array_index (map->mappings, i);

      if (mapping->first_frame != 0)
        return mapping->first_frame;
    }
  return 0;
}

/**
 * shmlab_memory_map_lesson:
 *
 * The one line under the picture.
 */
const char *
shmlab_memory_map_lesson (void)
{
  return _("The addresses differ, the memory is one: a pointer stored in shared memory by one "
           "process means nothing in another.");
}
