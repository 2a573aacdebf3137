/* shmlab-cmd-list.c — `shmlab list`: the segments this user can see, in a
 * table or as JSON
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-cli.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "shmlab-json.h"
#include "shmlab-limits.h"
#include "shmlab-payload.h"
#include "shmlab-segment.h"
#include "shmlab-users.h"

#define COMMAND "list"

/* At most this much of each segment is copied out to find its format. */
#define PEEK_MAX_BYTES ((gsize) 16 * 1024 * 1024)
#define PEEK_TIMEOUT_MS 200

static const char summary[] = N_("List the shared memory segments ShmLab and Qt programs made.");

static const char description[] =
  N_("Lists the segments of both backends (or only of --backend), with their key, size,\n"
  "how many processes are attached, owner, whether they are stale (no process\n"
  "attached: probably left by a program that crashed) and the format of what they\n"
  "hold. A key shown as letters followed by … is one whose full name cannot be\n"
  "recovered: Qt keeps only the letters of a key in its native name. The format is\n"
  "\"locked\" when the segment's lock was not free within 200 ms, and — when the\n"
  "segment could not be read.\n"
  "\n"
  "Only segments named in Qt's scheme are shown, those ShmLab and Qt programs\n"
  "make: a Qt-style key file in the temp dir, or a key made from one (System V),\n"
  "or a Qt-style name in /dev/shm (POSIX). A last line says how many others, such\n"
  "as the X server's, were left out; --all shows them too. --json always lists\n"
  "every segment, for scripts.\n"
  "\n"
  "Examples:\n"
  "  shmlab list\n"
  "  shmlab list --all --backend posix");

enum
{
  COLUMN_KEY,
  COLUMN_BACKEND,
  COLUMN_SIZE,
  COLUMN_ATTACHED,
  COLUMN_OWNER,
  COLUMN_STALE,
  COLUMN_FORMAT,
  N_COLUMNS
};

static const char *const column_titles[N_COLUMNS] = {
  NC_("list column", "KEY"), NC_("list column", "BACKEND"), NC_("list column", "SIZE"),
  NC_("list column", "ATTACHED"), NC_("list column", "OWNER"), NC_("list column", "STALE"),
  NC_("list column", "FORMAT"),
};

/* What a segment holds, in a few words, from a copy of its first bytes. */
static char *
describe_format (const ShmlabSegmentListing *listing)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(ShmlabPayload) payload = NULL;
  ShmlabSegmentInfo info;
  const guint8 *data;
  gsize length;

  if (listing->key == NULL)
    return g_strdup ("—");

  bytes = shmlab_segment_peek_key (listing->key, listing->backend,
                                   MIN (listing->info.size, PEEK_MAX_BYTES), PEEK_TIMEOUT_MS,
                                   &info, &error);
  if (bytes == NULL)
    return g_strdup (g_error_matches (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_TIMED_OUT)
                     ? _("locked") : "—");
  data = g_bytes_get_data (bytes, &length);

  payload = shmlab_payload_decode (data, length, &error);
  if (payload == NULL)
    {
      const ShmlabPayloadErrorDetails *details = shmlab_payload_error_get_details (error);

      return g_strdup (details != NULL && details->format == SHMLAB_FORMAT_FRAME
                       ? _("frame (damaged)") : _("unknown"));
    }
  if (payload->format == SHMLAB_FORMAT_FRAME)
    {
      if (payload->kind == SHMLAB_PAYLOAD_KIND_IMAGE)
        return g_strdup_printf (_("frame: %u×%u image"), payload->image->width,
                                payload->image->height);
      return g_strdup_printf (_("frame: text"));
    }
  if (payload->kind == SHMLAB_PAYLOAD_KIND_IMAGE)
    return g_strdup_printf (_("%s: %u×%u image"), shmlab_format_to_string (payload->format),
                            payload->image->width, payload->image->height);
  if (payload->invalid_bytes > 0)
    return g_strdup (_("text (not valid)"));
  return g_strdup (payload->text_length == 0 ? _("text (empty)") : _("text"));
}

static char *
describe_key (const ShmlabSegmentListing *listing)
{
  if (listing->key != NULL)
    return g_strdup (listing->key);
  if (listing->key_letters != NULL && *listing->key_letters != '\0')
    return g_strconcat (listing->key_letters, "…", NULL);
  /* A name found on disk need not be UTF-8. */
  return g_utf8_make_valid (listing->native_key, -1);
}

static char *
describe_attached (const ShmlabSegmentInfo *info)
{
  return g_strdup_printf ("%s%d", info->attach_count_exact ? "" : "≥", info->attach_count);
}

static void
append_padded (GString    *line,
               const char *text,
               gsize       width)
{
  gsize length = shmlab_cli_display_width (text);

  g_string_append (line, text);
  for (; length < width; length++)
    g_string_append_c (line, ' ');
}

static void
print_table (GPtrArray *rows)
{
  const char *titles[N_COLUMNS];
  gsize widths[N_COLUMNS];

  for (guint c = 0; c < N_COLUMNS; c++)
    {
      titles[c] = g_dpgettext2 (GETTEXT_PACKAGE, "list column", column_titles[c]);
      widths[c] = shmlab_cli_display_width (titles[c]);
    }
  for (guint r = 0; r < rows->len; r++)
    {
      char **row = g_ptr_array_index (rows, r);
      for (guint c = 0; c < N_COLUMNS; c++)
        widths[c] = MAX (widths[c], shmlab_cli_display_width (row[c]));
    }

  for (guint r = 0; r <= rows->len; r++)
    {
      const char *const *row = r == 0 ? titles
                                      : (const char *const *) g_ptr_array_index (rows, r - 1);
      g_autoptr(GString) line = g_string_new (NULL);

      for (guint c = 0; c < N_COLUMNS; c++)
        {
          append_padded (line, row[c], c + 1 < N_COLUMNS ? widths[c] + 2 : 0);
        }
      g_print ("%s\n", line->str);
    }
}

static void
append_json (GString                    *json,
             const ShmlabSegmentListing *listing,
             const char                 *format)
{
  g_autofree char *owner = shmlab_user_name (listing->info.owner_uid);

  g_string_append (json, "  {\"key\": ");
  shmlab_json_append_string (json, listing->key);
  g_string_append (json, ", \"key_letters\": ");
  shmlab_json_append_string (json, listing->key_letters);
  g_string_append (json, ", \"native_key\": ");
  {
    g_autofree char *native_key = g_utf8_make_valid (listing->native_key, -1);
    shmlab_json_append_string (json, native_key);
  }
  g_string_append_printf (json, ", \"backend\": \"%s\", \"size\": %" G_GSIZE_FORMAT
                          ", \"attach_count\": %d, \"attach_count_exact\": %s"
                          ", \"owner_uid\": %u, \"owner\": ",
                          shmlab_backend_to_string (listing->backend), listing->info.size,
                          listing->info.attach_count,
                          listing->info.attach_count_exact ? "true" : "false",
                          (guint) listing->info.owner_uid);
  shmlab_json_append_string (json, owner);
  g_string_append_printf (json, ", \"stale\": %s, \"format\": ",
                          shmlab_segment_info_is_stale (&listing->info) ? "true" : "false");
  shmlab_json_append_string (json, format);
  g_string_append (json, "}");
}

int
shmlab_cmd_list (int    argc,
                 char **argv)
{
  g_autofree char *backend_name = NULL;
  g_auto(GStrv) arguments = NULL;
  gboolean json = FALSE;
  gboolean all = FALSE;
  const GOptionEntry entries[] = {
    { "all", 'a', G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &all,
      N_("Show every segment, also those neither ShmLab nor Qt made"), NULL },
    { "json", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &json,
      N_("Print a JSON array of every segment instead of a table"), NULL },
    { "backend", 'b', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &backend_name,
      N_("Only the segments of BACKEND: sysv, posix or file (default: all)"), "BACKEND" },
    SHMLAB_CLI_ARGUMENTS_OPTION (arguments),
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GPtrArray) listings = g_ptr_array_new_with_free_func (
    (GDestroyNotify) shmlab_segment_listing_free);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr(GString) json_text = g_string_new ("[\n");
  ShmlabBackend chosen;
  guint n_backends;
  const ShmlabBackend *backends = shmlab_backend_all (&n_backends);
  guint n_failed = 0;
  guint n_left_out = 0;
  int status = SHMLAB_CLI_EXIT_OK;

  context = shmlab_cli_context_new (COMMAND, NULL, summary, description, entries);
  if (!shmlab_cli_parse (context, COMMAND, &argc, &argv, &status))
    return status;
  if (arguments != NULL && arguments[0] != NULL)
    {
      g_autofree char *shown = g_utf8_make_valid (arguments[0], -1);
      return shmlab_cli_usage_error (COMMAND, _("unexpected argument “%s”: list takes no key"), shown);
    }
  if (backend_name != NULL)
    {
      if (!shmlab_cli_parse_backend (COMMAND, backend_name, &chosen, &status))
        return status;
      backends = &chosen;
      n_backends = 1;
    }

  for (guint b = 0; b < n_backends; b++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) found = shmlab_segment_list (backends[b], &error);

      if (found == NULL)
        {
          /* One backend missing (System V in some containers) leaves the other. */
          if (n_backends == 1)
            return shmlab_cli_fail (error);
          shmlab_cli_warn ("%s", error->message);
          n_failed++;
          continue;
        }
      for (guint i = 0; i < found->len; i++)
        g_ptr_array_add (listings, g_ptr_array_steal_index (found, i--));
    }
  if (n_failed == n_backends)
    return SHMLAB_CLI_EXIT_FAILURE;

  for (guint i = 0; i < listings->len; i++)
    {
      const ShmlabSegmentListing *listing = g_ptr_array_index (listings, i);
      g_autofree char *format = NULL;

      /* Another program's segment (the X server's): not what a student made. */
      if (!json && !all && !listing->qt_named)
        {
          n_left_out++;
          continue;
        }
      format = describe_format (listing);

      if (json)
        {
          append_json (json_text, listing, format);
          g_string_append (json_text, i + 1 < listings->len ? ",\n" : "\n");
        }
      else
        {
          char **row = g_new0 (char *, N_COLUMNS + 1);

          row[COLUMN_KEY] = describe_key (listing);
          row[COLUMN_BACKEND] = g_strdup (shmlab_backend_to_string (listing->backend));
          row[COLUMN_SIZE] = shmlab_format_bytes (listing->info.size);
          row[COLUMN_ATTACHED] = describe_attached (&listing->info);
          row[COLUMN_OWNER] = shmlab_user_name (listing->info.owner_uid);
          row[COLUMN_STALE] = g_strdup (shmlab_segment_info_is_stale (&listing->info) ? _("yes")
                                                                                      : _("no"));
          row[COLUMN_FORMAT] = g_steal_pointer (&format);
          g_ptr_array_add (rows, row);
        }
    }

  if (json)
    {
      g_string_append (json_text, "]\n");
      g_print ("%s", json_text->str);
    }
  else if (rows->len == 0 && n_left_out == 0)
    g_print (_("no segments\n"));
  else if (rows->len > 0)
    print_table (rows);

  if (n_left_out > 0)
    {
      const char *const list_all[] = { "shmlab", "list", "--all", NULL };
      g_autofree char *command = shmlab_shell_join (list_all);

      g_print (g_dngettext (GETTEXT_PACKAGE,
                            "%u other segment, which neither ShmLab nor Qt made, is left out; "
                            "this shows it: %s\n",
                            "%u other segments, which neither ShmLab nor Qt made, are left out; "
                            "this shows them: %s\n", n_left_out),
               n_left_out, command);
    }
  return SHMLAB_CLI_EXIT_OK;
}
