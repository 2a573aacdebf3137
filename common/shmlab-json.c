/* shmlab-json.c — a string written into JSON, whatever bytes it holds
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-json.h"

#include <math.h>

/**
 * shmlab_json_append_string:
 * @json: where to append
 * @text: (nullable): any bytes up to a NUL (a key, a file name, a program's
 *   name: what others chose)
 *
 * Appends @text as a JSON string, or null. Bytes that are not UTF-8 become
 * U+FFFD, so the output is always valid JSON.
 */
void
shmlab_json_append_string (GString    *json,
                           const char *text)
{
  g_autofree char *valid = NULL;

  if (text == NULL)
    {
      g_string_append (json, "null");
      return;
    }
  valid = g_utf8_make_valid (text, -1);
  g_string_append_c (json, '"');
  for (const char *p = valid; *p; p++)
    {
      guchar c = (guchar) *p;

      if (c == '"' || c == '\\')
        g_string_append_printf (json, "\\%c", c);
      else if (c < 0x20 || c == 0x7f)
        g_string_append_printf (json, "\\u%04x", c);
      else
        g_string_append_c (json, (char) c);
    }
  g_string_append_c (json, '"');
}

/* A number with six significant digits, the same in every locale; null when
 * it is not finite (JSON has no NaN). */
void
shmlab_json_append_number (GString *json,
                           double   value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (value))
    g_string_append (json, "null");
  else
    g_string_append (json, g_ascii_formatd (buffer, sizeof buffer, "%.6g", value));
}
