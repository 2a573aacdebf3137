/* shmlab-cmd-info.c — `shmlab info`: what the system knows of a key's
 * segment, and what it holds
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-cli.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>

#include "shmlab-limits.h"
#include "shmlab-lock-holder.h"
#include "shmlab-payload.h"
#include "shmlab-segment.h"
#include "shmlab-users.h"

#define COMMAND "info"

/* At most this much of the segment is copied out to find its format. */
#define PEEK_MAX_BYTES ((gsize) 64 * 1024 * 1024)
#define PEEK_TIMEOUT_MS 1000
/* How many characters of a text are shown. */
#define TEXT_PREVIEW_CHARS 60

static const char summary[] =
  N_("Show what the system knows of the shared memory segment of KEY, and what it holds.");

static const char description[] =
  N_("Shows the native names of the segment and of its lock (the semaphore), the System V\n"
  "key and id, the size, how many processes are attached, the owner and permissions,\n"
  "the processes that created it and last used it, whether it is stale (left behind by\n"
  "a program that died), whether its lock is held and by which process (System V\n"
  "knows the holder; POSIX does not, but ShmLab's frames record it), and the format\n"
  "of its content with every field of its header.\n"
  "The content is copied out under the lock; when the lock is not free within a second\n"
  "the format is not shown.\n"
  "\n"
  "Example:\n"
  "  shmlab info demo");

static void
print_field (const char *name,
             const char *format,
             ...) G_GNUC_PRINTF (2, 3);

static void
print_field (const char *name,
             const char *format,
             ...)
{
  g_autofree char *value = NULL;
  va_list ap;

  va_start (ap, format);
  value = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_print ("%s%*s%s\n", name, (int) (18 - MIN (shmlab_cli_display_width (name), 18)), "", value);
}

/* The first characters of @text on one line, control characters escaped. */
static char *
text_preview (const char *text,
              gsize       length)
{
  GString *preview = g_string_new ("\"");
  const char *p = text;
  const char *end = text + length;
  guint n_chars = 0;

  while (p < end && *p != '\0' && n_chars < TEXT_PREVIEW_CHARS)
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '\n')
        g_string_append (preview, "\\n");
      else if (c == '\t')
        g_string_append (preview, "\\t");
      else if (c == '\r')
        g_string_append (preview, "\\r");
      else if (c == '"' || c == '\\')
        g_string_append_printf (preview, "\\%c", (char) c);
      else if (g_unichar_iscntrl (c))
        g_string_append_printf (preview, "\\u%04X", (guint) c);
      else
        g_string_append_unichar (preview, c);
      p = g_utf8_next_char (p);
      n_chars++;
    }
  g_string_append_c (preview, '"');
  if (p < end && *p != '\0')
    g_string_append (preview, "…");
  return g_string_free (preview, FALSE);
}

static char *
format_time (gint64 seconds)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (seconds);

  if (time == NULL || seconds <= 0)
    return g_strdup ("unknown");
  return g_date_time_format (time, "%Y-%m-%d %H:%M:%S");
}

static char *
format_time_us (gint64 microseconds)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (microseconds / G_USEC_PER_SEC);
  g_autoptr(GDateTime) exact = NULL;

  if (time == NULL || microseconds <= 0)
    return g_strdup_printf (_("%" PRId64 " µs (not a time)"), microseconds);
  exact = g_date_time_add (time, microseconds % G_USEC_PER_SEC);
  return g_date_time_format (exact != NULL ? exact : time, "%Y-%m-%d %H:%M:%S.%f");
}

static void
print_frame_header (const ShmlabFrameHeader *header)
{
  g_autofree char *write_time = format_time_us (header->write_time);
  const char *kind = header->kind == SHMLAB_PAYLOAD_KIND_TEXT    ? "text"
                     : header->kind == SHMLAB_PAYLOAD_KIND_IMAGE ? _("RGBA8 image")
                                                                 : "unknown";

  print_field ("  version", "%u", header->version);
  print_field ("  header_size", g_dngettext (GETTEXT_PACKAGE, "%u byte", "%u bytes",
                                             header->header_size), header->header_size);
  print_field ("  kind", "%u (%s)", header->kind, kind);
  print_field ("  width", "%u", header->width);
  print_field ("  height", "%u", header->height);
  print_field ("  stride", g_dngettext (GETTEXT_PACKAGE, "%u byte", "%u bytes", header->stride),
               header->stride);
  print_field ("  crc32", "0x%08x", header->crc32);
  print_field ("  payload_length", g_dngettext (GETTEXT_PACKAGE, "%" PRIu64 " byte",
                                                "%" PRIu64 " bytes",
                                                (gulong) MIN (header->payload_length, G_MAXULONG)),
               header->payload_length);
  print_field ("  generation", "%" G_GUINT64_FORMAT, header->generation);
  print_field ("  write_time", "%s", write_time);
  print_field ("  writer_pid", "%u", header->writer_pid);
}

static void
print_payload (const ShmlabPayload *payload)
{
  if (payload->kind == SHMLAB_PAYLOAD_KIND_IMAGE)
    {
      print_field (_("image"), _("%u×%u pixels"), payload->image->width, payload->image->height);
      return;
    }

  {
    g_autofree char *preview = text_preview (payload->text, payload->text_length);
    print_field (_("text"), g_dngettext (GETTEXT_PACKAGE, "%s (%zu byte)", "%s (%zu bytes)",
                                         payload->text_length),
                 preview, payload->text_length);
    if (payload->invalid_bytes > 0)
      print_field ("", g_dngettext (GETTEXT_PACKAGE,
                                    "%zu byte is not valid text: the segment may not hold text",
                                    "%zu bytes are not valid text: the segment may not hold text",
                                    payload->invalid_bytes),
                   payload->invalid_bytes);
  }
}

/* Shows what common/ finds in the segment's first bytes: the format, the
 * header of the frame a reader takes, the verdict, and the content. */
static void
print_content (GBytes                  *bytes,
               const ShmlabSegmentInfo *info)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabPayload) payload = NULL;
  g_autoptr(ShmlabDescription) found = NULL;
  g_autofree char *verdict = NULL;
  gsize length;
  const guint8 *data = g_bytes_get_data (bytes, &length);
  gboolean partial = length < info->size;

  found = shmlab_description_new (data, length, info->size);
  verdict = shmlab_description_to_string (found);
  payload = shmlab_payload_decode (data, length, &error);

  if (found->format != SHMLAB_FORMAT_AUTO)
    print_field (_("format"), "%s", shmlab_format_describe (found->format));
  if (found->format == SHMLAB_FORMAT_FRAME)
    {
      ShmlabFrameHeader header;

      /* Double buffered: the header of the frame a reader takes, the newest whole one. */
      if (payload != NULL)
        print_frame_header (&payload->header);
      else
        {
          shmlab_frame_header_parse (data, length, &header, NULL);
          print_frame_header (&header);
        }
      if (payload != NULL && shmlab_frame_second_slot (info->size) != 0 &&
          payload->encoded_length <= shmlab_frame_second_slot (info->size) + payload->frame_offset)
        print_field (_("slot"), _("%u of 2 (at byte %zu): a writer fills the other one"),
                     payload->frame_offset == 0 ? 1u : 2u, payload->frame_offset);
      if (payload != NULL && payload->note != NULL)
        print_field (_("note"), "%s", payload->note);
    }
  /* Stable words for machines: FORMAT VERDICT [PROBLEM FIELD]. */
  print_field ("verdict", "%s", verdict);

  if (payload == NULL)
    {
      if (found->format == SHMLAB_FORMAT_FRAME)
        print_field (_("damaged"), "%s%s", error->message,
                     partial ? _(" (only the start of the segment was read)") : "");
      else
        print_field (_("content"), _("not readable: %s%s"), error->message,
                     partial ? _(" (only the start of the segment was read)") : "");
      return;
    }
  if (payload->format == SHMLAB_FORMAT_QT_IMAGE)
    print_field (_("png"), g_dngettext (GETTEXT_PACKAGE, "%zu byte after the 4-byte marker",
                                        "%zu bytes after the 4-byte marker",
                                        payload->encoded_length - 4),
                 payload->encoded_length - 4);
  print_payload (payload);
}

static char *
describe_pid (pid_t pid)
{
  return pid > 0 ? g_strdup_printf ("%d", (int) pid) : g_strdup ("unknown");
}

/* "lock: held by 1234 (shmlab)", "lock: free" or "lock: taken (holder unknown)". */
static void
print_lock (ShmlabKey *value)
{
  g_autofree char *text = NULL;
  ShmlabLockHolder holder;

  if (!shmlab_lock_holder_query_for_key (value, &holder, NULL))
    return;
  text = shmlab_lock_holder_describe (&holder);
  print_field (C_("info field", "lock"), "%s", text);
}

static void
print_info (ShmlabKey               *value,
            const ShmlabSegmentInfo *info)
{
  const char *key = shmlab_key_get_name (value);
  ShmlabBackend backend = shmlab_key_get_backend (value);
  const char *segment_name = shmlab_key_get_segment_name (value);
  const char *semaphore_name = shmlab_key_get_semaphore_name (value);
  g_autofree char *qt_string = shmlab_key_to_qt_string (value);
  g_autofree char *size = shmlab_format_bytes (info->size);
  g_autofree char *owner = shmlab_user_describe (info->owner_uid);
  g_autofree char *changed = format_time (info->change_time);
  g_autofree char *creator_pid = describe_pid (info->creator_pid);
  g_autofree char *last_pid = describe_pid (info->last_pid);

  print_field (_("key"), "%s", key);
  print_field (_("backend"), "%s (%s)", shmlab_backend_describe (backend),
               shmlab_backend_to_string (backend));
  print_field (_("kind"), "%s (%s)", shmlab_key_kind_describe (shmlab_key_get_kind (value)),
               shmlab_key_kind_to_string (shmlab_key_get_kind (value)));
  if (qt_string != NULL)
    print_field (_("Qt string form"), "%s", qt_string);
  print_field (_("segment"), "%s", segment_name);
  print_field (_("semaphore"), "%s", semaphore_name);
  /* A System V segment has a key and an id of the kernel's. */
  if (info->id >= 0)
    {
      print_field (_("System V key"), "0x%08x", (guint32) info->sysv_key);
      print_field (_("id"), "%d", info->id);
    }
  print_field (_("size"), "%s", size);
  if (info->attach_count_exact)
    print_field (_("attached"), g_dngettext (GETTEXT_PACKAGE, "%d process", "%d processes",
                                             info->attach_count),
                 info->attach_count);
  else
    print_field (_("attached"),
                 g_dngettext (GETTEXT_PACKAGE,
                              "%d process (approximate: processes of other users cannot be seen)",
                              "%d processes (approximate: processes of other users cannot be seen)",
                              info->attach_count),
                 info->attach_count);
  print_field (_("owner"), "%s", owner);
  print_field (_("mode"), "0%03o", info->mode & 0777);
  print_field (_("creator pid"), "%s", creator_pid);
  print_field (_("last pid"), "%s", last_pid);
  print_field (_("changed"), "%s", changed);
  if (shmlab_segment_info_is_stale (info))
    {
      g_autofree char *hint = shmlab_command_for_key ("remove", key, backend, NULL);
      print_field (_("stale"), _("yes: no process is attached — probably left by a program that "
                   "crashed; remove it with: %s"), hint);
    }
  else if (info->persistent && info->attach_count == 0)
    {
      g_autofree char *hint = shmlab_command_for_key ("remove", key, backend, NULL);
      print_field (_("stale"), _("no: a file is kept until it is removed, whoever uses it; "
                                 "remove it with: %s"), hint);
    }
  else
    print_field (_("stale"), "%s", _("no"));
  print_lock (value);
}

int
shmlab_cmd_info (int    argc,
                 char **argv)
{
  g_autofree char *backend_name = NULL;
  g_autofree char *kind_name = NULL;
  g_auto(GStrv) arguments = NULL;
  const GOptionEntry entries[] = {
    SHMLAB_CLI_BACKEND_OPTION (backend_name),
    SHMLAB_CLI_KEY_KIND_OPTION (kind_name),
    SHMLAB_CLI_ARGUMENTS_OPTION (arguments),
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  ShmlabSegmentInfo info;
  ShmlabSegmentInfo peek_info;
  ShmlabBackend backend;
  ShmlabKeyKind kind;
  g_autoptr(ShmlabKey) value = NULL;
  const char *key = NULL;
  int status = SHMLAB_CLI_EXIT_OK;

  context = shmlab_cli_context_new (COMMAND, "KEY", summary, description, entries);
  if (!shmlab_cli_parse (context, COMMAND, &argc, &argv, &status) ||
      !shmlab_cli_get_key (COMMAND, arguments, 1, &key, &status) ||
      !shmlab_cli_parse_key (COMMAND, key, backend_name, kind_name, &backend, &kind,
                             &status))
    return status;

  value = shmlab_key_new_full (key, backend, kind, &error);
  if (value == NULL || !shmlab_segment_query_for_key (value, &info, &error))
    return shmlab_cli_fail (error);
  key = shmlab_key_get_name (value);

  if (!info.exists)
    {
      /* A lock can be held without a segment (`shmlab lock`): who holds it is still news. */
      ShmlabLockHolder holder;

      if (shmlab_lock_holder_query_for_key (value, &holder, NULL) &&
          holder.state == SHMLAB_LOCK_STATE_TAKEN)
        print_lock (value);
      /* Attaching says best why there is nothing, in the library's words. */
      bytes = shmlab_segment_peek_for_key (value, 1, 0, &peek_info, &error);
      if (bytes == NULL && g_error_matches (error, SHMLAB_SEGMENT_ERROR,
                                            SHMLAB_SEGMENT_ERROR_NOT_FOUND))
        return shmlab_cli_fail_not_found (COMMAND, key, backend, error);
      g_clear_error (&error);
      return shmlab_cli_fail_printf (_("there is no %s segment for key “%s”: nobody created it, or "
                                     "it was removed"), shmlab_backend_describe (backend), key);
    }

  print_info (value, &info);

  bytes = shmlab_segment_peek_for_key (value, MIN (info.size, PEEK_MAX_BYTES), PEEK_TIMEOUT_MS,
                                       &peek_info, &error);
  if (bytes == NULL)
    {
      if (g_error_matches (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_TIMED_OUT))
        {
          g_autofree char *held = NULL;
          ShmlabLockHolder holder;

          if (!shmlab_lock_holder_query_for_key (value, &holder, NULL))
            shmlab_lock_holder_clear (&holder);
          held = shmlab_lock_holder_describe (&holder);
          print_field (_("format"), _("unknown: the lock was not free within %d ms (lock: %s)"),
                       PEEK_TIMEOUT_MS, held);
        }
      else
        print_field (_("format"), _("unknown: %s"), error->message);
      return SHMLAB_CLI_EXIT_OK;
    }
  print_content (bytes, &info);
  return SHMLAB_CLI_EXIT_OK;
}
