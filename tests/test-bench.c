/* test-bench.c — `shmlab bench` checked for its shape and its honesty, never
 * its speed: every mechanism delivers every byte, the JSON parses and holds
 * every row and size, the chart is a PNG of the stated size, the file mode
 * reads back every byte it wrote, the cache mode checks every value it read
 * and stops the Redis server it started, bad options are one-line usage
 * errors, and nothing is left behind, even after Ctrl+C
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-test-util.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/wait.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "shmlab-image.h"
#include "shmlab-image-loader.h"
#include "shmlab-png.h"
#include "shmlab-segment.h"

static const char *const mechanisms[] = {
  "memcpy", "shm-sysv", "shm-posix", "shm-file", "shm-inplace", "pipe", "unix-socket",
  "tcp-loopback",
};

static const gint64 default_sizes[] = {
  64, 4096, 65536, 1048576, 16777216, 67108864,
};

/* A JSON value, from a parser made for these tests: strict RFC 8259, no extensions. */
typedef enum
{
  JSON_NULL,
  JSON_BOOLEAN,
  JSON_NUMBER,
  JSON_STRING,
  JSON_ARRAY,
  JSON_OBJECT,
} JsonKind;

typedef struct
{
  JsonKind kind;
  gboolean boolean;
  double number;
  char *string;
  GPtrArray *items;  /* JsonValue, for arrays and objects */
  GPtrArray *keys;   /* char *, for objects */
} JsonValue;

static void
json_value_free (gpointer data)
{
  JsonValue *value = data;

  if (value == NULL)
    return;
  g_free (value->string);
  g_clear_pointer (&value->items, g_ptr_array_unref);
  g_clear_pointer (&value->keys, g_ptr_array_unref);
  g_free (value);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JsonValue, json_value_free)

typedef struct
{
  const char *text;
  const char *p;
  char *error;
} JsonParser;

static JsonValue *json_parse_value (JsonParser *parser, guint depth);

static gboolean
json_fail (JsonParser *parser,
           const char *what)
{
  if (parser->error == NULL)
    parser->error = g_strdup_printf ("%s at offset %ld", what, (long) (parser->p - parser->text));
  return FALSE;
}

static void
json_skip_space (JsonParser *parser)
{
  while (*parser->p == ' ' || *parser->p == '\t' || *parser->p == '\n' || *parser->p == '\r')
    parser->p++;
}

static gboolean
json_parse_hex4 (JsonParser *parser,
                 gunichar   *code)
{
  *code = 0;
  for (guint i = 0; i < 4; i++)
    {
      int digit = g_ascii_xdigit_value (parser->p[i]);
      if (digit < 0)
        return json_fail (parser, "bad \\u escape");
      *code = *code * 16 + (gunichar) digit;
    }
  parser->p += 4;
  return TRUE;
}

static char *
json_parse_string (JsonParser *parser)
{
  g_autoptr(GString) out = g_string_new (NULL);

  parser->p++;  /* the opening quote */
  for (;;)
    {
      guchar c = (guchar) *parser->p;

      if (c == '\0' || c < 0x20)
        {
          json_fail (parser, "unterminated string or raw control character");
          return NULL;
        }
      parser->p++;
      if (c == '"')
        break;
      if (c != '\\')
        {
          g_string_append_c (out, (char) c);
          continue;
        }
      c = (guchar) *parser->p++;
      switch (c)
        {
        case '"': g_string_append_c (out, '"'); break;
        case '\\': g_string_append_c (out, '\\'); break;
        case '/': g_string_append_c (out, '/'); break;
        case 'b': g_string_append_c (out, '\b'); break;
        case 'f': g_string_append_c (out, '\f'); break;
        case 'n': g_string_append_c (out, '\n'); break;
        case 'r': g_string_append_c (out, '\r'); break;
        case 't': g_string_append_c (out, '\t'); break;
        case 'u':
          {
            gunichar code, low;

            if (!json_parse_hex4 (parser, &code))
              return NULL;
            if (code >= 0xd800 && code < 0xdc00)
              {
                if (parser->p[0] != '\\' || parser->p[1] != 'u')
                  {
                    json_fail (parser, "lone surrogate");
                    return NULL;
                  }
                parser->p += 2;
                if (!json_parse_hex4 (parser, &low) || low < 0xdc00 || low >= 0xe000)
                  {
                    json_fail (parser, "bad surrogate pair");
                    return NULL;
                  }
                code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
              }
            g_string_append_unichar (out, code);
            break;
          }
        default:
          json_fail (parser, "unknown escape");
          return NULL;
        }
    }
  if (!g_utf8_validate (out->str, out->len, NULL))
    {
      json_fail (parser, "string is not UTF-8");
      return NULL;
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static gboolean
json_parse_number (JsonParser *parser,
                   double     *number)
{
  const char *start = parser->p, *p = parser->p;
  g_autofree char *copy = NULL;

  /* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
  if (*p == '-')
    p++;
  if (*p == '0')
    p++;
  else if (g_ascii_isdigit (*p))
    while (g_ascii_isdigit (*p))
      p++;
  else
    return json_fail (parser, "bad number");
  if (*p == '.')
    {
      p++;
      if (!g_ascii_isdigit (*p))
        return json_fail (parser, "bad fraction");
      while (g_ascii_isdigit (*p))
        p++;
    }
  if (*p == 'e' || *p == 'E')
    {
      p++;
      if (*p == '+' || *p == '-')
        p++;
      if (!g_ascii_isdigit (*p))
        return json_fail (parser, "bad exponent");
      while (g_ascii_isdigit (*p))
        p++;
    }
  copy = g_strndup (start, p - start);
  *number = g_ascii_strtod (copy, NULL);
  parser->p = p;
  return TRUE;
}

static JsonValue *
json_parse_container (JsonParser *parser,
                      guint       depth,
                      gboolean    object)
{
  g_autoptr(JsonValue) value = g_new0 (JsonValue, 1);
  char close = object ? '}' : ']';

  value->kind = object ? JSON_OBJECT : JSON_ARRAY;
  value->items = g_ptr_array_new_with_free_func (json_value_free);
  if (object)
    value->keys = g_ptr_array_new_with_free_func (g_free);
  parser->p++;
  json_skip_space (parser);
  if (*parser->p == close)
    {
      parser->p++;
      return g_steal_pointer (&value);
    }
  for (;;)
    {
      JsonValue *item;

      json_skip_space (parser);
      if (object)
        {
          char *key;

          if (*parser->p != '"')
            {
              json_fail (parser, "expected a key");
              return NULL;
            }
          key = json_parse_string (parser);
          if (key == NULL)
            return NULL;
          g_ptr_array_add (value->keys, key);
          json_skip_space (parser);
          if (*parser->p++ != ':')
            {
              json_fail (parser, "expected ':'");
              return NULL;
            }
        }
      item = json_parse_value (parser, depth + 1);
      if (item == NULL)
        return NULL;
      g_ptr_array_add (value->items, item);
      json_skip_space (parser);
      if (*parser->p == ',')
        {
          parser->p++;
          continue;
        }
      if (*parser->p == close)
        {
          parser->p++;
          return g_steal_pointer (&value);
        }
      json_fail (parser, object ? "expected ',' or '}'" : "expected ',' or ']'");
      return NULL;
    }
}

static JsonValue *
json_parse_value (JsonParser *parser,
                  guint       depth)
{
  JsonValue *value;

  if (depth > 64)
    {
      json_fail (parser, "nested too deep");
      return NULL;
    }
  json_skip_space (parser);
  switch (*parser->p)
    {
    case '{':
      return json_parse_container (parser, depth, TRUE);
    case '[':
      return json_parse_container (parser, depth, FALSE);
    case '"':
      {
        char *string = json_parse_string (parser);
        if (string == NULL)
          return NULL;
        value = g_new0 (JsonValue, 1);
        value->kind = JSON_STRING;
        value->string = string;
        return value;
      }
    default:
      break;
    }

  value = g_new0 (JsonValue, 1);
  if (g_str_has_prefix (parser->p, "true") || g_str_has_prefix (parser->p, "false"))
    {
      value->kind = JSON_BOOLEAN;
      value->boolean = *parser->p == 't';
      parser->p += value->boolean ? 4 : 5;
    }
  else if (g_str_has_prefix (parser->p, "null"))
    {
      value->kind = JSON_NULL;
      parser->p += 4;
    }
  else
    {
      value->kind = JSON_NUMBER;
      if (!json_parse_number (parser, &value->number))
        {
          json_value_free (value);
          return NULL;
        }
    }
  return value;
}

static JsonValue *
json_parse (const char  *text,
            char       **error)
{
  JsonParser parser = { text, text, NULL };
  JsonValue *value = json_parse_value (&parser, 0);

  if (value != NULL)
    {
      json_skip_space (&parser);
      if (*parser.p != '\0')
        {
          json_fail (&parser, "text after the value");
          g_clear_pointer (&value, json_value_free);
        }
    }
  *error = parser.error;
  return value;
}

/* The member @key of @object, asserted to exist and be of @kind. */
static JsonValue *
json_get (const JsonValue *object,
          const char      *key,
          JsonKind         kind)
{
  g_assert_nonnull (object);
  g_assert_cmpint (object->kind, ==, JSON_OBJECT);
  for (guint i = 0; i < object->keys->len; i++)
    if (g_str_equal (g_ptr_array_index (object->keys, i), key))
      {
        JsonValue *value = g_ptr_array_index (object->items, i);
        if (value->kind != kind)
          g_error ("JSON member “%s” is of kind %d, not %d", key, value->kind, kind);
        return value;
      }
  g_error ("JSON object has no member “%s”", key);
  return NULL;
}

static double
json_number (const JsonValue *object,
             const char      *key)
{
  return json_get (object, key, JSON_NUMBER)->number;
}

static const char *
json_string (const JsonValue *object,
             const char      *key)
{
  return json_get (object, key, JSON_STRING)->string;
}

static gboolean
json_boolean (const JsonValue *object,
              const char      *key)
{
  return json_get (object, key, JSON_BOOLEAN)->boolean;
}

static const JsonValue *
json_item (const JsonValue *array,
           guint            index)
{
  g_assert_cmpint (array->kind, ==, JSON_ARRAY);
  g_assert_cmpuint (index, <, array->items->len);
  return g_ptr_array_index (array->items, index);
}

static guint
count_lines (const char *text)
{
  guint lines = 0;

  for (const char *p = text; *p; p++)
    lines += *p == '\n';
  return lines;
}

/* System V key files and File segments live in the temp dir, private to
 * this test, as does the file --file reads: none is left there. */
static void
assert_temp_dir_clean (void)
{
  g_autoptr(GDir) dir = g_dir_open (shmlab_test_get_temp_dir (), 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_assert_false (g_str_has_prefix (name, "qipc_"));
      g_assert_false (g_str_has_prefix (name, "shmlab-bench-"));
    }
}

/* Nothing is left under any key the bench may have made: no segment, lock or
 * key file, on any backend; and no file of its own in the temp dir. */
static void
assert_nothing_left (const char *key_prefix)
{
  static const char *const others[] = {
    "lock-sysv", "lock-posix", "lock-file", "image-frame", "image-qt",
  };
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);

  for (guint m = 0; m < G_N_ELEMENTS (mechanisms); m++)
    for (guint s = 0; s < G_N_ELEMENTS (default_sizes); s++)
      g_ptr_array_add (keys, g_strdup_printf ("%s-%s-%" G_GINT64_FORMAT, key_prefix,
                                              mechanisms[m], default_sizes[s]));
  for (guint i = 0; i < G_N_ELEMENTS (others); i++)
    g_ptr_array_add (keys, g_strdup_printf ("%s-%s", key_prefix, others[i]));

  for (guint i = 0; i < keys->len; i++)
    {
      const char *key = g_ptr_array_index (keys, i);
      guint n_backends;
      const ShmlabBackend *backends = shmlab_backend_all (&n_backends);

      shmlab_test_track_key (key);
      for (guint b = 0; b < n_backends; b++)
        {
          ShmlabBackend backend = backends[b];
          g_autoptr(GError) error = NULL;

          /* Removal finds nothing to remove only when nothing is left. */
          g_assert_false (shmlab_segment_remove_key (key, backend, TRUE, &error));
          g_assert_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_NOT_FOUND);
        }
    }

  assert_temp_dir_clean ();
}

typedef struct
{
  char *out;
  char *err;
  int status;
  JsonValue *json;
  char *plot;
} QuickRun;

static QuickRun quick;

/* One `shmlab bench --quick --json --plot`, shared by the tests that read it. */
static const QuickRun *
quick_run (void)
{
  g_autofree char *parse_error = NULL;

  if (quick.out != NULL)
    return &quick;
  quick.plot = g_build_filename (shmlab_test_get_temp_dir (), "bench.png", NULL);
  g_assert_true (shmlab_test_run_cli (&quick.out, &quick.err, &quick.status, "bench", "--quick",
                                      "--json", "--plot", quick.plot, NULL));
  g_test_message ("stderr:\n%s", quick.err);
  quick.json = json_parse (quick.out, &parse_error);
  if (quick.json == NULL)
    g_test_message ("the JSON does not parse: %s\n%s", parse_error, quick.out);
  return &quick;
}

static void
test_quick_every_byte (void)
{
  const QuickRun *run = quick_run ();
  const JsonValue *rows;

  g_assert_cmpint (run->status, ==, 0);
  g_assert_nonnull (run->json);
  g_assert_true (json_boolean (run->json, "ok"));

  rows = json_get (run->json, "mechanisms", JSON_ARRAY);
  for (guint m = 0; m < rows->items->len; m++)
    {
      const JsonValue *sizes = json_get (json_item (rows, m), "sizes", JSON_ARRAY);

      for (guint s = 0; s < sizes->items->len; s++)
        {
          const JsonValue *cell = json_item (sizes, s);
          const JsonValue *checksum = json_get (cell, "checksum", JSON_OBJECT);
          double messages = json_number (cell, "messages");

          g_test_message ("%s at %.0f bytes: %.0f messages, checksums %s / %s",
                          json_string (json_item (rows, m), "name"), json_number (cell, "size"),
                          messages, json_string (checksum, "sent"),
                          json_string (checksum, "received"));
          g_assert_true (json_boolean (cell, "ok"));
          g_assert_cmpint (json_get (cell, "error", JSON_NULL)->kind, ==, JSON_NULL);
          g_assert_true (json_boolean (checksum, "ok"));
          g_assert_cmpfloat (json_number (checksum, "mismatches"), ==, 0);
          g_assert_cmpstr (json_string (checksum, "sent"), ==, json_string (checksum, "received"));
          g_assert_true (g_str_has_prefix (json_string (checksum, "sent"), "0x"));
          g_assert_cmpfloat (messages, >, 0);
          g_assert_cmpfloat (json_number (cell, "bytes"), ==,
                             messages * json_number (cell, "size"));
        }
    }
}

static void
test_quick_json_shape (void)
{
  const QuickRun *run = quick_run ();
  const JsonValue *machine, *options, *rows, *locks, *placement;
  const ShmlabBackend *backends;
  guint n_backends;

  g_assert_nonnull (run->json);
  g_assert_cmpstr (json_string (run->json, "format"), ==, "shmlab-bench 1");

  machine = json_get (run->json, "machine", JSON_OBJECT);
  g_assert_cmpstr (json_string (machine, "cpu_model"), !=, "");
  g_assert_cmpfloat (json_number (machine, "cores"), >=, 1);
  g_assert_true (g_str_has_prefix (json_string (machine, "kernel"), "Linux "));
  g_assert_cmpfloat (json_number (machine, "memory_bytes"), >, 0);

  options = json_get (run->json, "options", JSON_OBJECT);
  g_assert_true (json_boolean (options, "quick"));
  placement = json_get (run->json, "placement", JSON_OBJECT);
  g_assert_true (json_boolean (placement, "checks_off_clock"));
  g_assert_cmpfloat (json_number (placement, "writer_cpu"), ==,
                     json_number (placement, "reader_cpu"));

  /* Every row, in the order the help lists them, with every size. */
  rows = json_get (run->json, "mechanisms", JSON_ARRAY);
  g_assert_cmpuint (rows->items->len, ==, G_N_ELEMENTS (mechanisms));
  for (guint m = 0; m < G_N_ELEMENTS (mechanisms); m++)
    {
      const JsonValue *row = json_item (rows, m);
      const JsonValue *sizes = json_get (row, "sizes", JSON_ARRAY);

      g_assert_cmpstr (json_string (row, "name"), ==, mechanisms[m]);
      if (g_str_equal (mechanisms[m], "shm-file"))
        g_assert_cmpstr (json_string (row, "backend"), ==, "file");
      g_assert_cmpfloat (json_number (row, "processes"), ==, m == 0 ? 1 : 2);
      g_assert_cmpfloat (json_number (row, "copies_per_message"), >=, 1);
      g_assert_cmpstr (json_string (row, "syscalls_per_message_stated"), !=, "");
      g_assert_cmpuint (sizes->items->len, ==, G_N_ELEMENTS (default_sizes));
      for (guint s = 0; s < G_N_ELEMENTS (default_sizes); s++)
        {
          const JsonValue *cell = json_item (sizes, s);
          const JsonValue *latency = json_get (cell, "latency_ns", JSON_OBJECT);
          const JsonValue *throughput = json_get (cell, "throughput_gb_per_s", JSON_OBJECT);
          double median = json_number (throughput, "median");

          g_assert_cmpfloat (json_number (cell, "size"), ==, (double) default_sizes[s]);
          g_assert_cmpfloat (json_number (latency, "median"), >, 0);
          g_assert_cmpfloat (json_number (latency, "p99"), >=, json_number (latency, "median"));
          g_assert_cmpfloat (json_number (latency, "samples"), >=, 3);
          g_assert_cmpfloat (median, >, 0);
          g_assert_cmpfloat (json_number (throughput, "min"), <=, median);
          g_assert_cmpfloat (json_number (throughput, "max"), >=, median);
          g_assert_cmpfloat (json_number (throughput, "runs"), ==, 3);
          g_assert_cmpfloat (json_number (cell, "syscalls_per_message"), >=, 0);
          /* Each side locks and unlocks once a message: fcntl() and two
           * fstat() to take the lock, fcntl() to give it back. */
          if (g_str_equal (mechanisms[m], "shm-file"))
            g_assert_cmpfloat (json_number (cell, "syscalls_per_message"), >=, 8);
        }
    }

  /* One lock row for each backend, in the order of the table. */
  locks = json_get (run->json, "lock_unlock_ns", JSON_ARRAY);
  backends = shmlab_backend_all (&n_backends);
  g_assert_cmpuint (locks->items->len, ==, n_backends);
  for (guint i = 0; i < n_backends; i++)
    {
      const JsonValue *lock = json_item (locks, i);
      g_assert_cmpstr (json_string (lock, "backend"), ==, shmlab_backend_to_string (backends[i]));
      g_assert_true (json_boolean (lock, "ok"));
      g_assert_cmpfloat (json_number (lock, "segment"), >, 0);
      g_assert_cmpfloat (json_number (lock, "primitive"), >, 0);
    }
  g_assert_cmpint (json_get (run->json, "image", JSON_NULL)->kind, ==, JSON_NULL);
  g_assert_cmpuint (json_get (run->json, "targets", JSON_ARRAY)->items->len, >, 0);
}

static void
test_quick_plot (void)
{
  const QuickRun *run = quick_run ();
  const JsonValue *plot;
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabImage) image = NULL;

  g_assert_nonnull (run->json);
  plot = json_get (run->json, "plot", JSON_OBJECT);
  g_assert_cmpstr (json_string (plot, "path"), ==, run->plot);
  image = shmlab_image_load_file (run->plot, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (image->width, ==, json_number (plot, "width"));
  g_assert_cmpfloat (image->height, ==, json_number (plot, "height"));
  g_assert_cmpuint (image->width, >=, 800);
  g_assert_cmpuint (image->height, >=, 400);
}

static void
test_quick_nothing_left (void)
{
  const QuickRun *run = quick_run ();

  g_assert_nonnull (run->json);
  assert_nothing_left (json_string (run->json, "key_prefix"));
}

static void
test_table (void)
{
  g_autofree char *out = NULL, *err = NULL;
  int status;

  g_assert_true (shmlab_test_run_cli (&out, &err, &status, "bench", "--quick", "--quiet",
                                      "--sizes", "64,4KiB", "--mechanisms", "memcpy,pipe",
                                      "--seconds", "0.5", NULL));
  g_test_message ("%s%s", out, err);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (err, ==, "");
  g_assert_nonnull (strstr (out, "what was received matches what was sent"));
  g_assert_nonnull (strstr (out, "\nmemcpy "));
  g_assert_nonnull (strstr (out, "\npipe "));
  g_assert_null (strstr (out, "\nshm-sysv "));
  g_assert_nonnull (strstr (out, "64 B"));
  g_assert_nonnull (strstr (out, "4 KiB"));
  g_assert_null (strstr (out, "64 MiB"));
  g_assert_null (strstr (out, "FAILED"));
}

/* bench --map --quick: one look timed with 1, 10 and 100 processes that
 * map the segment, each look finding all of them and the creator's pages;
 * its segments and children gone after. */
static void
test_map (void)
{
  static const guint attached[] = { 1, 10, 100 };
  g_autofree char *out = NULL, *err = NULL, *parse_error = NULL, *list = NULL;
  g_autoptr(JsonValue) json = NULL;
  const JsonValue *runs;
  int status;

  g_assert_true (shmlab_test_run_cli (&out, &err, &status, "bench", "--map", "--quick", "--json",
                                      NULL));
  g_test_message ("%s%s", out, err);
  g_assert_cmpint (status, ==, 0);
  json = json_parse (out, &parse_error);
  g_assert_cmpstr (parse_error, ==, NULL);
  runs = json_get (json, "map", JSON_ARRAY);
  g_assert_cmpuint (runs->items->len, ==, G_N_ELEMENTS (attached));
  for (guint i = 0; i < G_N_ELEMENTS (attached); i++)
    {
      const JsonValue *run = json_item (runs, i);

      g_assert_cmpfloat (json_number (run, "attached"), ==, attached[i]);
      g_assert_cmpfloat (json_number (run, "size"), ==, 65536);
      /* The creator filled all 16 pages; a forked child touched none. */
      g_assert_cmpfloat (json_number (run, "pages_present"), ==, 65536 / sysconf (_SC_PAGESIZE));
      g_assert_cmpfloat (json_number (run, "processes"), >=, attached[i]);
      g_assert_cmpfloat (json_number (run, "median_ms"), >, 0);
      g_assert_cmpfloat (json_number (run, "max_ms"), >=, json_number (run, "median_ms"));
    }
  g_assert_true (shmlab_test_run_cli (&list, NULL, &status, "list", "--all", "--json", NULL));
  g_assert_null (strstr (list, "-map-"));
}

static void
test_image (void)
{
  g_autofree char *path = g_build_filename (shmlab_test_get_temp_dir (), "small.png", NULL);
  g_autofree char *out = NULL, *err = NULL, *parse_error = NULL;
  g_autoptr(ShmlabImage) picture = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonValue) json = NULL;
  const JsonValue *image;
  int status;

  picture = shmlab_image_new (96, 64, &error);
  g_assert_no_error (error);
  for (guint32 y = 0; y < picture->height; y++)
    for (guint32 x = 0; x < picture->width; x++)
      {
        guint8 *p = picture->pixels + y * picture->stride + x * 4;
        p[0] = x * 2, p[1] = y * 3, p[2] = (x ^ y) & 0xff, p[3] = 0xff - x;
      }
  g_assert_true (shmlab_png_write_file (picture, path, &error));
  g_assert_no_error (error);

  g_assert_true (shmlab_test_run_cli (&out, &err, &status, "bench", "--image", path, "--json",
                                      "--seconds", "0.5", NULL));
  g_test_message ("%s%s", out, err);
  g_assert_cmpint (status, ==, 0);
  json = json_parse (out, &parse_error);
  g_assert_cmpstr (parse_error, ==, NULL);
  g_assert_true (json_boolean (json, "ok"));
  g_assert_cmpuint (json_get (json, "mechanisms", JSON_ARRAY)->items->len, ==, 0);

  image = json_get (json, "image", JSON_OBJECT);
  g_assert_cmpfloat (json_number (image, "width"), ==, 96);
  g_assert_cmpfloat (json_number (image, "height"), ==, 64);
  g_assert_false (json_boolean (image, "upload_measured"));
  for (guint i = 0; i < 2; i++)
    {
      const JsonValue *path_times = json_get (image, i == 0 ? "frame" : "qt_image", JSON_OBJECT);

      /* Read back pixel for pixel, both ways. */
      g_assert_true (json_boolean (path_times, "identical"));
      g_assert_cmpfloat (json_number (path_times, "runs"), >=, 1);
      g_assert_cmpfloat (json_number (path_times, "total_ms"), >, 0);
    }
  /* A frame is its 64-byte header and the rows. */
  g_assert_cmpfloat (json_number (json_get (image, "frame", JSON_OBJECT), "bytes"), ==,
                     64 + 96 * 64 * 4);
  g_assert_cmpfloat (json_number (image, "ratio"), >, 0);
  assert_nothing_left (json_string (json, "key_prefix"));
}

/* bench --file on a small file, warm or cold: every way read back every
 * byte written, its calls are what its buffer makes them, and the file is
 * gone after. */
static void
run_file (gboolean cold)
{
  static const struct
  {
    const char *name;
    const char *method;
    double buffer;  /* 0 for mmap */
  } ways[] = {
    { "mmap", "mmap", 0 }, { "read 4 KiB", "read", 4096 }, { "read 64 KiB", "read", 65536 },
    { "read 1 MiB", "read", 1048576 },
  };
  const double size = 8 << 20;
  g_autofree char *out = NULL, *err = NULL, *parse_error = NULL, *expected_path = NULL;
  g_autofree char *text = NULL, *text_err = NULL;
  g_autoptr(JsonValue) json = NULL;
  const JsonValue *file, *rows;
  const char *written;
  int status;

  g_assert_true (shmlab_test_run_cli (&out, &err, &status, "bench", "--file", "--file-size",
                                      "8MiB", "--quick", "--json", cold ? "--cold" : "--quiet",
                                      NULL));
  g_test_message ("%s%s", out, err);
  g_assert_cmpint (status, ==, 0);
  json = json_parse (out, &parse_error);
  g_assert_cmpstr (parse_error, ==, NULL);
  g_assert_cmpstr (json_string (json, "format"), ==, "shmlab-bench-file 1");
  g_assert_true (json_boolean (json, "ok"));
  g_assert_cmpstr (json_string (json, "cache"), ==, cold ? "cold" : "warm");
  g_assert_cmpfloat (json_number (json, "runs"), ==, 3);
  g_assert_true (g_str_has_prefix (json_string (json_get (json, "machine", JSON_OBJECT),
                                                "kernel"), "Linux "));

  file = json_get (json, "file", JSON_OBJECT);
  g_assert_cmpfloat (json_number (file, "size"), ==, size);
  g_assert_cmpfloat (json_number (file, "write_seconds"), >, 0);
  g_assert_cmpfloat (json_number (file, "fsync_seconds"), >=, 0);
  written = json_string (file, "checksum");
  g_assert_true (g_str_has_prefix (written, "0x"));
  g_assert_cmpuint (strlen (written), ==, 18);
  /* Made in the temp dir, named after the run, and removed. */
  expected_path = g_build_filename (shmlab_test_get_temp_dir (), "shmlab-bench-", NULL);
  g_assert_true (g_str_has_prefix (json_string (file, "path"), expected_path));
  g_assert_true (g_str_has_suffix (json_string (file, "path"), "-file"));
  g_assert_false (g_file_test (json_string (file, "path"), G_FILE_TEST_EXISTS));

  rows = json_get (json, "ways", JSON_ARRAY);
  g_assert_cmpuint (rows->items->len, ==, G_N_ELEMENTS (ways));
  for (guint w = 0; w < G_N_ELEMENTS (ways); w++)
    {
      const JsonValue *way = json_item (rows, w);
      const JsonValue *seconds = json_get (way, "seconds", JSON_OBJECT);
      const JsonValue *rate = json_get (way, "gib_per_s", JSON_OBJECT);
      const JsonValue *checksum = json_get (way, "checksum", JSON_OBJECT);
      const JsonValue *resident = json_get (way, "resident_at_start", JSON_OBJECT);
      const JsonValue *faults = json_get (way, "page_faults_per_run", JSON_OBJECT);

      g_assert_cmpstr (json_string (way, "name"), ==, ways[w].name);
      g_assert_cmpstr (json_string (way, "method"), ==, ways[w].method);
      if (ways[w].buffer == 0)
        g_assert_cmpint (json_get (way, "buffer", JSON_NULL)->kind, ==, JSON_NULL);
      else
        g_assert_cmpfloat (json_number (way, "buffer"), ==, ways[w].buffer);
      g_assert_cmpfloat (json_number (way, "runs"), ==, 3);

      /* Both ways read back exactly what was written, in every run. */
      g_assert_true (json_boolean (checksum, "ok"));
      g_assert_cmpfloat (json_number (checksum, "mismatched_runs"), ==, 0);
      g_assert_cmpstr (json_string (checksum, "written"), ==, written);
      g_assert_cmpstr (json_string (checksum, "read"), ==, written);

      /* mmap() and munmap(); or one read() a buffer, and the one that finds the end. */
      g_assert_cmpfloat (json_number (way, "syscalls_per_run"), ==,
                         ways[w].buffer == 0 ? 2 : size / ways[w].buffer + 1);
      g_assert_cmpfloat (json_number (faults, "minor"), >=, 0);
      g_assert_cmpfloat (json_number (faults, "major"), >=, 0);
      g_assert_cmpfloat (json_number (resident, "min"), >=, 0);
      g_assert_cmpfloat (json_number (resident, "min"), <=, json_number (resident, "max"));
      g_assert_cmpfloat (json_number (resident, "max"), <=, 1);

      g_assert_cmpfloat (json_number (seconds, "median"), >, 0);
      g_assert_cmpfloat (json_number (seconds, "min"), <=, json_number (seconds, "median"));
      g_assert_cmpfloat (json_number (seconds, "max"), >=, json_number (seconds, "median"));
      /* Both printed with six significant digits. */
      g_assert_cmpfloat_with_epsilon (json_number (rate, "median"),
                                      size / (1 << 30) / json_number (seconds, "median"),
                                      json_number (rate, "median") * 1e-4);
    }
  /* With --cold the progress shows; --quiet leaves standard error empty. */
  if (cold)
    g_assert_nonnull (strstr (err, "reading it, run 3 of 3: mmap read 4 KiB read 64 KiB "
                              "read 1 MiB"));
  else
    g_assert_cmpstr (err, ==, "");
  assert_temp_dir_clean ();

  /* The same as a table, which says what the page cache held. */
  g_assert_true (shmlab_test_run_cli (&text, &text_err, &status, "bench", "--file", "--file-size",
                                      "8MiB", "--quick", "--quiet", cold ? "--cold" : NULL,
                                      NULL));
  g_test_message ("%s%s", text, text_err);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (text_err, ==, "");
  g_assert_true (g_str_has_prefix (text, "Reading a 8 MiB file, every byte, through one mmap() "
                                   "and through read() (median of 3 runs each"));
  g_assert_nonnull (strstr (text, "\nPage cache: "));
  g_assert_nonnull (strstr (text, "\nmmap "));
  g_assert_nonnull (strstr (text, "\nread 4 KiB "));
  g_assert_nonnull (strstr (text, "\nread 1 MiB "));
  g_assert_nonnull (strstr (text, "\nEvery byte of every run was checked"));
  g_assert_null (strstr (text, "WRONG"));
  assert_temp_dir_clean ();
}

static void
test_file_warm (void)
{
  run_file (FALSE);
}

static void
test_file_cold (void)
{
  run_file (TRUE);
}

/* A file larger than the free space of the temp dir's disk is refused
 * before anything is written, with what to do instead. */
static void
test_file_no_space (void)
{
  g_autofree char *out = NULL, *err = NULL, *size = NULL;
  struct statvfs st;
  guint64 available, asked;
  int status;

  g_assert_cmpint (statvfs (shmlab_test_get_temp_dir (), &st), ==, 0);
  available = (guint64) st.f_bavail * st.f_frsize;
  /* More than there is, by a margin no other program frees in a moment. */
  asked = (available >> 20) + 1024;
  if (asked > (G_GUINT64_CONSTANT (512) << 10))
    {
      g_test_skip ("the temp dir's disk has more free space than --file-size takes");
      return;
    }
  size = g_strdup_printf ("%" G_GUINT64_FORMAT "MiB", asked);
  g_assert_true (shmlab_test_run_cli (&out, &err, &status, "bench", "--file", "--file-size",
                                      size, "--quiet", NULL));
  g_test_message ("%s", err);
  g_assert_cmpint (status, ==, 1);
  g_assert_cmpstr (out, ==, "");
  g_assert_true (g_str_has_prefix (err, "shmlab: the disk of "));
  g_assert_nonnull (strstr (err, " free: not room enough for a "));
  g_assert_nonnull (strstr (err, "Choose a smaller --file-size"));
  g_assert_nonnull (strstr (err, "set TMPDIR to a folder on a disk with more room"));
  g_assert_cmpuint (count_lines (err), ==, 1);
  assert_temp_dir_clean ();
}

/* A usage error is one line naming what was wrong, and where to read more. */
static void
assert_usage_error (const char *expected,
                    const char *first_arg,
                    ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GError) error = NULL;
  int wait_status = 0;
  va_list ap;

  g_ptr_array_add (argv, (gpointer) shmlab_test_cli_path ());
  g_ptr_array_add (argv, (gpointer) "bench");
  va_start (ap, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, &err, &wait_status, &error));
  g_assert_no_error (error);
  g_test_message ("%s", err);
  g_assert_true (WIFEXITED (wait_status));
  g_assert_cmpint (WEXITSTATUS (wait_status), ==, 2);
  g_assert_cmpstr (out, ==, "");
  g_assert_true (g_str_has_prefix (err, "shmlab: "));
  g_assert_nonnull (strstr (err, expected));
  g_assert_cmpuint (count_lines (err), ==, 2);
  g_assert_nonnull (strstr (err, "\nTry: shmlab bench --help\n"));
}

static void
test_usage (void)
{
  assert_usage_error ("--sizes: “0” is 0 bytes", "--sizes", "0", NULL);
  assert_usage_error ("“abc” is not a size", "--sizes", "abc", NULL);
  assert_usage_error ("--sizes has an empty size", "--sizes", "64,,4KiB", NULL);
  assert_usage_error ("“512MiB” is too large", "--sizes", "64,512MiB", NULL);
  assert_usage_error ("unknown mechanism “nope”", "--mechanisms", "nope", NULL);
  assert_usage_error ("unknown mechanism “nope”", "--mechanisms", "pipe,nope", NULL);
  assert_usage_error ("--seconds takes a number of seconds greater than 0", "--seconds", "-1",
                      NULL);
  assert_usage_error ("not “0”", "--seconds", "0", NULL);
  assert_usage_error ("not “soon”", "--seconds", "soon", NULL);
  assert_usage_error ("--cpus takes same", "--cpus", "elsewhere", NULL);
  assert_usage_error ("unexpected argument “extra”", "extra", NULL);
  assert_usage_error ("--image measures a picture's way alone", "--image", "a.png", "--plot",
                      "b.png", NULL);
  assert_usage_error ("does not exist", "--plot", "/nonexistent-folder/bench.png", NULL);
  assert_usage_error ("--file-size: “0” is 0 bytes", "--file", "--file-size", "0", NULL);
  assert_usage_error ("--file-size: “4KiB” is too small to time: the file must be from 1 MiB to "
                      "512 GiB", "--file", "--file-size", "4KiB", NULL);
  assert_usage_error ("--file-size: “1TiB” is too large", "--file", "--file-size", "1TiB", NULL);
  assert_usage_error ("--file-size: “big” is not a size", "--file", "--file-size", "big", NULL);
  assert_usage_error ("--file-size goes with --file", "--file-size", "8MiB", NULL);
  assert_usage_error ("--cold goes with --file", "--cold", NULL);
  assert_usage_error ("--file measures reading a file alone", "--file", "--mechanisms", "pipe",
                      NULL);
  assert_usage_error ("--file measures reading a file alone", "--file", "--map", NULL);
  assert_usage_error ("--cache measures the shared cache against Redis alone", "--cache",
                      "--sizes", "64", NULL);
  assert_usage_error ("--cache measures the shared cache against Redis alone", "--cache",
                      "--mechanisms", "pipe", NULL);
  assert_usage_error ("--cache measures the shared cache against Redis alone", "--cache",
                      "--file", NULL);
  assert_usage_error ("--cache measures the shared cache against Redis alone", "--map",
                      "--cache", NULL);
  assert_usage_error ("--cache measures the shared cache against Redis alone", "--cache",
                      "--plot", "bench.png", NULL);
  assert_usage_error ("--cache measures the shared cache against Redis alone", "--cache",
                      "--cpus", "apart", NULL);
  assert_usage_error ("not “0”", "--cache", "--seconds", "0", NULL);
  assert_usage_error ("--writer-rate goes with --cache", "--writer-rate", "100", NULL);
  assert_usage_error ("--writer-rate takes the sets a second the writer makes, a whole number "
                      "from 1 to 10000000, or max for without pause, not “0”", "--cache",
                      "--writer-rate", "0", NULL);
  assert_usage_error ("not “fast”", "--cache", "--writer-rate", "fast", NULL);
}

static gboolean
any_process_mentions (const char *marker)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;

  while (proc != NULL && (name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc", name, "cmdline", NULL);
      g_autofree char *contents = NULL;
      gsize length;

      if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (path, &contents, &length, NULL))
        continue;
      for (gsize i = 0; i + strlen (marker) <= length; i++)
        if (memcmp (contents + i, marker, strlen (marker)) == 0)
          return TRUE;
    }
  return FALSE;
}

/* Reads @stream into @text until @needle shows, or to its end when @needle is NULL. */
static void
read_stderr (GInputStream *stream,
             GString      *text,
             const char   *needle)
{
  while (needle == NULL || strstr (text->str, needle) == NULL)
    {
      g_autoptr(GError) error = NULL;
      char buffer[256];
      gssize n = g_input_stream_read (stream, buffer, sizeof buffer, NULL, &error);

      g_assert_no_error (error);
      if (n == 0)
        {
          g_assert_null (needle);
          return;
        }
      g_string_append_len (text, buffer, n);
    }
}

/* Ctrl+C in the middle of a measurement of @chosen, the first of them
 * begun: the processes it forked are gone, and so is every segment and
 * lock — a File segment too, which outlives its processes. */
static void
interrupt_measurement (const char *chosen,
                       const char *progress)
{
  g_autofree char *marker = g_build_filename (shmlab_test_get_temp_dir (), "interrupted.png", NULL);
  g_autofree char *key_prefix = NULL;
  g_autoptr(GString) err = g_string_new (NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                              &error, shmlab_test_cli_path (), "bench", "--sizes", "64MiB",
                              "--mechanisms", chosen, "--seconds", "60",
                              "--plot", marker, NULL);
  g_assert_no_error (error);
  key_prefix = g_strdup_printf ("shmlab-bench-%s", g_subprocess_get_identifier (process));

  /* The progress names each mechanism as its measurement begins. */
  read_stderr (g_subprocess_get_stderr_pipe (process), err, progress);
  g_subprocess_send_signal (process, SIGINT);
  read_stderr (g_subprocess_get_stderr_pipe (process), err, NULL);
  g_assert_true (g_subprocess_wait (process, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("stderr: %s", err->str);

  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 1);
  g_assert_nonnull (strstr (err->str, "\nshmlab: the bench was interrupted"));
  g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));

  /* Its children ran with its command line, which names the marker. */
  g_assert_false (any_process_mentions (marker));
  assert_nothing_left (key_prefix);
}

static void
test_interrupt (void)
{
  interrupt_measurement ("shm-sysv,shm-posix,pipe", "measuring 64 MiB  shm-sysv");
}

static void
test_interrupt_file_backend (void)
{
  interrupt_measurement ("shm-file,pipe", "measuring 64 MiB  shm-file");
}

/* SIGTERM while --file reads its file: the file is removed all the same. */
static void
test_interrupt_file (void)
{
  g_autoptr(GString) err = g_string_new (NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  struct statvfs st;

  g_assert_cmpint (statvfs (shmlab_test_get_temp_dir (), &st), ==, 0);
  if ((guint64) st.f_bavail * st.f_frsize < (G_GUINT64_CONSTANT (1) << 30))
    {
      g_test_skip ("the temp dir's disk has less than 1 GiB free");
      return;
    }
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                              &error, shmlab_test_cli_path (), "bench", "--file", "--file-size",
                              "512MiB", NULL);
  g_assert_no_error (error);

  /* Seven runs of four ways through 512 MiB: far from over after the first word. */
  read_stderr (g_subprocess_get_stderr_pipe (process), err, "reading it, run 1 of 7: mmap");
  g_subprocess_send_signal (process, SIGTERM);
  read_stderr (g_subprocess_get_stderr_pipe (process), err, NULL);
  g_assert_true (g_subprocess_wait (process, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("stderr: %s", err->str);

  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 1);
  g_assert_nonnull (strstr (err->str, "\nshmlab: the bench was interrupted: its file was "
                            "removed"));
  assert_temp_dir_clean ();
}

/* ---- bench --cache ---- */

static const char *const cache_subjects[] = { "shm-cache", "shm-cache-locked", "redis" };
static const gint64 cache_value_sizes[] = { 300, 4096 };
static const guint cache_readers[] = { 0, 1, 2, 4 };

static gboolean
redis_installed (void)
{
  g_autofree char *path = g_find_program_in_path ("redis-server");

  return path != NULL;
}

/* Runs `shmlab bench ARGS…` with @path_env as its PATH (NULL: this one's). */
static void
run_bench_with_path (const char  *path_env,
                     char       **out,
                     char       **err,
                     int         *status,
                     const char  *first_arg,
                     ...)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  va_list ap;

  g_ptr_array_add (argv, (gpointer) shmlab_test_cli_path ());
  g_ptr_array_add (argv, (gpointer) "bench");
  va_start (ap, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  if (path_env != NULL)
    g_subprocess_launcher_setenv (launcher, "PATH", path_env, TRUE);
  process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  /* Its segment, should it fail before removing it. */
  {
    g_autofree char *key = g_strdup_printf ("shmlab-bench-%s-cache",
                                            g_subprocess_get_identifier (process));
    shmlab_test_track_key (key);
  }
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, out, err, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  *status = g_subprocess_get_exit_status (process);
}

/* Nothing a --cache run made is left: no segment under its key on any
 * backend, no temp dir, and no Redis server — neither its pid nor any
 * process whose command line names its socket. */
static void
assert_cache_left_nothing (const char *key_prefix,
                           const char *redis_socket,
                           double      redis_pid)
{
  g_autofree char *key = g_strdup_printf ("%s-cache", key_prefix);
  guint n_backends;
  const ShmlabBackend *backends = shmlab_backend_all (&n_backends);

  for (guint b = 0; b < n_backends; b++)
    {
      g_autoptr(GError) error = NULL;

      /* Removal finds nothing to remove only when nothing is left. */
      g_assert_false (shmlab_segment_remove_key (key, backends[b], TRUE, &error));
      g_assert_error (error, SHMLAB_SEGMENT_ERROR, SHMLAB_SEGMENT_ERROR_NOT_FOUND);
    }
  if (redis_socket != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (redis_socket);

      g_assert_false (g_file_test (redis_socket, G_FILE_TEST_EXISTS));
      g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
      g_assert_false (any_process_mentions (dir));
    }
  if (redis_pid > 0)
    {
      /* Reaped, not only ended: a zombie would still answer. */
      g_assert_cmpint (kill ((pid_t) redis_pid, 0), ==, -1);
      g_assert_cmpint (errno, ==, ESRCH);
    }
  assert_temp_dir_clean ();
}

/* The rows of a --cache run: every subject measured, every value size,
 * the writer alone and 1, 2 and 4 readers, each with its figures and its
 * checks all right. */
static void
assert_cache_rows (const JsonValue *json,
                   guint            n_subjects)
{
  const JsonValue *rows = json_get (json, "rows", JSON_ARRAY);
  guint i = 0;

  g_assert_cmpuint (rows->items->len, ==,
                    G_N_ELEMENTS (cache_value_sizes) * G_N_ELEMENTS (cache_readers) * n_subjects);
  for (guint v = 0; v < G_N_ELEMENTS (cache_value_sizes); v++)
    for (guint r = 0; r < G_N_ELEMENTS (cache_readers); r++)
      for (guint s = 0; s < n_subjects; s++)
        {
          const JsonValue *row = json_item (rows, i++);
          const JsonValue *latency = json_get (row, "latency_ns", JSON_OBJECT);
          const JsonValue *rate = json_get (row, "per_second", JSON_OBJECT);
          const JsonValue *checks = json_get (row, "checks", JSON_OBJECT);

          g_test_message ("%s, %.0f B, %.0f readers: %.0f values checked, %s",
                          json_string (row, "subject"), json_number (row, "value_size"),
                          json_number (row, "readers"), json_number (checks, "values_checked"),
                          json_boolean (row, "ok") ? "ok" : json_string (row, "error"));
          g_assert_cmpstr (json_string (row, "subject"), ==, cache_subjects[s]);
          g_assert_cmpfloat (json_number (row, "value_size"), ==, cache_value_sizes[v]);
          g_assert_cmpfloat (json_number (row, "readers"), ==, cache_readers[r]);
          g_assert_cmpfloat (json_number (row, "writers"), ==, 1);
          g_assert_cmpstr (json_string (row, "operation"), ==, cache_readers[r] == 0 ? "set"
                                                                                     : "get");
          g_assert_true (json_boolean (row, "ok"));
          g_assert_cmpint (json_get (row, "error", JSON_NULL)->kind, ==, JSON_NULL);
          g_assert_cmpfloat (json_number (row, "passes"), ==, 1);

          /* Every value read was the one set, and the keys were read back. */
          g_assert_true (json_boolean (checks, "ok"));
          g_assert_cmpfloat (json_number (checks, "mismatches"), ==, 0);
          g_assert_cmpint (json_get (checks, "first_mismatch", JSON_NULL)->kind, ==, JSON_NULL);
          g_assert_cmpfloat (json_number (checks, "values_checked"), >=,
                             json_number (json, "keys") + json_number (row, "operations") *
                             (cache_readers[r] > 0));
          g_assert_cmpfloat (json_number (checks, "sets"), >=, json_number (json, "keys"));

          g_assert_cmpfloat (json_number (row, "operations"), >, 0);
          g_assert_cmpfloat (json_number (latency, "median"), >, 0);
          g_assert_cmpfloat (json_number (latency, "p99"), >=, json_number (latency, "median"));
          g_assert_cmpfloat (json_number (latency, "samples"), >=, 1);
          g_assert_cmpfloat (json_number (latency, "samples"), <=,
                             json_number (row, "operations"));
          g_assert_cmpfloat (json_number (rate, "median"), >, 0);
          g_assert_cmpfloat (json_number (rate, "passes"), ==, 1);
          if (cache_readers[r] == 0)
            g_assert_cmpint (json_get (row, "writer_sets_per_second", JSON_NULL)->kind, ==,
                             JSON_NULL);
          else
            g_assert_cmpfloat (json_number (row, "writer_sets_per_second"), >, 0);
        }
}

/* bench --cache --quick: the cache, the same behind one lock and Redis,
 * every row measured with every value checked, and everything the run made
 * gone after it — the segment, the Redis server and its temp dir. */
static void
test_cache (void)
{
  g_autofree char *out = NULL, *err = NULL, *parse_error = NULL;
  g_autoptr(JsonValue) json = NULL;
  const JsonValue *redis, *options, *subjects, *cache;
  gboolean installed = redis_installed ();
  int status;

  run_bench_with_path (NULL, &out, &err, &status, "--cache", "--quick", "--json", NULL);
  g_test_message ("%s%s", out, err);
  g_assert_cmpint (status, ==, 0);
  json = json_parse (out, &parse_error);
  g_assert_cmpstr (parse_error, ==, NULL);
  g_assert_cmpstr (json_string (json, "format"), ==, "shmlab-bench-cache 1");
  g_assert_true (json_boolean (json, "ok"));
  g_assert_cmpfloat (json_number (json, "keys"), ==, 100);
  g_assert_cmpfloat (json_number (json, "clock_ns"), >, 0);

  options = json_get (json, "options", JSON_OBJECT);
  g_assert_true (json_boolean (options, "quick"));
  g_assert_cmpfloat (json_number (options, "passes"), ==, 1);
  g_assert_cmpfloat (json_number (options, "writer_rate"), ==, 10000);
  g_assert_cmpfloat (json_number (options, "window_seconds"), >, 0);

  cache = json_get (json, "cache", JSON_OBJECT);
  g_assert_cmpstr (json_string (cache, "backend"), ==, "posix");
  g_assert_true (g_str_has_prefix (json_string (cache, "key"), json_string (json, "key_prefix")));

  subjects = json_get (json, "subjects", JSON_ARRAY);
  g_assert_cmpuint (subjects->items->len, ==, G_N_ELEMENTS (cache_subjects));
  for (guint s = 0; s < G_N_ELEMENTS (cache_subjects); s++)
    {
      const JsonValue *subject = json_item (subjects, s);

      g_assert_cmpstr (json_string (subject, "name"), ==, cache_subjects[s]);
      g_assert_cmpstr (json_string (subject, "get"), !=, "");
      g_assert_true (json_boolean (subject, "measured") == (s < 2 || installed));
    }

  redis = json_get (json, "redis", JSON_OBJECT);
  g_assert_true (json_boolean (redis, "available") == installed);
  g_assert_cmpint (json_get (redis, "tcp_port", JSON_NULL)->kind, ==, JSON_NULL);
  g_assert_false (json_boolean (redis, "persistence"));
  if (installed)
    {
      const char *socket_path = json_string (redis, "socket");
      g_autofree char *expected = g_build_filename (shmlab_test_get_temp_dir (),
                                                    json_string (json, "key_prefix"), NULL);

      g_assert_cmpint (json_get (redis, "note", JSON_NULL)->kind, ==, JSON_NULL);
      g_assert_cmpstr (json_string (redis, "version"), !=, "");
      g_assert_cmpfloat (json_number (redis, "pid"), >, 0);
      /* In a temp dir of its own, named after the run. */
      g_assert_true (g_str_has_prefix (socket_path, expected));
      g_assert_true (g_str_has_suffix (socket_path, "/redis.sock"));
      assert_cache_rows (json, G_N_ELEMENTS (cache_subjects));
      assert_cache_left_nothing (json_string (json, "key_prefix"), socket_path,
                                 json_number (redis, "pid"));
    }
  else
    {
      g_assert_nonnull (strstr (json_string (redis, "note"), "sudo apt-get install redis-server"));
      assert_cache_rows (json, 2);
      assert_cache_left_nothing (json_string (json, "key_prefix"), NULL, 0);
      g_test_skip ("redis-server is not installed here (sudo apt-get install redis-server): the "
                   "shared cache was measured, the Redis rows were not");
    }
}

/* Without redis-server on the PATH the cache's rows are measured all the
 * same, and the run says what is missing and the command that installs it. */
static void
test_cache_without_redis (void)
{
  g_autofree char *out = NULL, *err = NULL, *parse_error = NULL, *text = NULL;
  g_autofree char *text_err = NULL;
  g_autoptr(JsonValue) json = NULL;
  const JsonValue *redis;
  int status;

  /* A writer without pause, too: its values are checked all the same. */
  run_bench_with_path ("/nonexistent", &out, &err, &status, "--cache", "--quick", "--seconds",
                       "1", "--writer-rate", "max", "--json", "--quiet", NULL);
  g_test_message ("%s%s", out, err);
  g_assert_cmpint (status, ==, 0);
  /* Said even with --quiet, in one line. */
  g_assert_cmpstr (err, ==, "shmlab: note: redis-server is not installed (it is not on the "
                   "PATH), so the cache is not compared with Redis; to compare, install it "
                   "with: sudo apt-get install redis-server\n");
  json = json_parse (out, &parse_error);
  g_assert_cmpstr (parse_error, ==, NULL);
  g_assert_true (json_boolean (json, "ok"));
  g_assert_cmpfloat (json_number (json_get (json, "options", JSON_OBJECT), "writer_rate"), ==, 0);
  redis = json_get (json, "redis", JSON_OBJECT);
  g_assert_false (json_boolean (redis, "available"));
  g_assert_cmpint (json_get (redis, "pid", JSON_NULL)->kind, ==, JSON_NULL);
  g_assert_cmpint (json_get (redis, "socket", JSON_NULL)->kind, ==, JSON_NULL);
  g_assert_nonnull (strstr (json_string (redis, "note"), "sudo apt-get install redis-server"));
  g_assert_false (json_boolean (json_item (json_get (json, "subjects", JSON_ARRAY), 2),
                                "measured"));
  assert_cache_rows (json, 2);
  assert_cache_left_nothing (json_string (json, "key_prefix"), NULL, 0);

  /* The table says it too, where the Redis rows would be. */
  run_bench_with_path ("/nonexistent", &text, &text_err, &status, "--cache", "--quick",
                       "--seconds", "1", NULL);
  g_test_message ("%s%s", text, text_err);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (text, "\n  Redis: NOT MEASURED — redis-server is not installed"));
  g_assert_null (strstr (text, "\n                   Redis "));
  g_assert_nonnull (strstr (text, "\nget, 4 readers     shared cache "));
  g_assert_nonnull (strstr (text, "\nEvery value read was checked: "));
  g_assert_null (strstr (text, "FAILED"));
  g_assert_nonnull (strstr (text_err, "\nshmlab: note: redis-server is not installed"));
  assert_temp_dir_clean ();
}

/* The Redis server's pid and socket, from the progress line that names them. */
static gboolean
find_redis_in_progress (const char  *progress,
                        int         *pid,
                        char       **socket_path)
{
  const char *line = strstr (progress, " answers (pid ");
  const char *end;

  if (line == NULL || (end = strchr (line, '\n')) == NULL)
    return FALSE;
  *pid = atoi (line + strlen (" answers (pid "));
  line = strstr (line, "), on ");
  g_assert_nonnull (line);
  *socket_path = g_strndup (line + strlen ("), on "), end - line - strlen ("), on "));
  return TRUE;
}

/* SIGTERM in the middle of the cache's measurement: its processes and the
 * Redis server are stopped, the segment and the server's temp dir removed. */
static void
test_cache_interrupt (void)
{
  g_autoptr(GString) err = g_string_new (NULL);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key_prefix = NULL, *key = NULL, *socket_path = NULL;
  gboolean installed = redis_installed ();
  int pid = 0;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                              &error, shmlab_test_cli_path (), "bench", "--cache", NULL);
  g_assert_no_error (error);
  key_prefix = g_strdup_printf ("shmlab-bench-%s", g_subprocess_get_identifier (process));
  key = g_strdup_printf ("%s-cache", key_prefix);
  shmlab_test_track_key (key);

  /* Half a minute of measuring: far from over once the readers have begun. */
  read_stderr (g_subprocess_get_stderr_pipe (process), err, "300 B values, get, 1 reader:");
  if (installed)
    g_assert_true (find_redis_in_progress (err->str, &pid, &socket_path));
  if (socket_path != NULL)
    g_assert_true (g_file_test (socket_path, G_FILE_TEST_EXISTS));
  g_subprocess_send_signal (process, SIGTERM);
  read_stderr (g_subprocess_get_stderr_pipe (process), err, NULL);
  g_assert_true (g_subprocess_wait (process, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("stderr: %s", err->str);

  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 1);
  g_assert_nonnull (strstr (err->str, "\nshmlab: the bench was interrupted: its processes and "
                            "its Redis server were stopped, its segment and temp dir removed"));
  assert_cache_left_nothing (key_prefix, socket_path, pid);
  if (!installed)
    g_test_skip ("redis-server is not installed here (sudo apt-get install redis-server): the "
                 "cache's processes were checked, not a Redis server's");
}

static void
quick_run_clear (void)
{
  g_free (quick.out);
  g_free (quick.err);
  g_free (quick.plot);
  json_value_free (quick.json);
  memset (&quick, 0, sizeof quick);
}

int
main (int    argc,
      char **argv)
{
  int status;

  shmlab_test_init (&argc, &argv);

  g_test_add_func ("/bench/quick/every-byte", test_quick_every_byte);
  g_test_add_func ("/bench/quick/json", test_quick_json_shape);
  g_test_add_func ("/bench/quick/plot", test_quick_plot);
  g_test_add_func ("/bench/quick/nothing-left", test_quick_nothing_left);
  g_test_add_func ("/bench/table", test_table);
  g_test_add_func ("/bench/image", test_image);
  g_test_add_func ("/bench/map", test_map);
  g_test_add_func ("/bench/usage", test_usage);
  g_test_add_func ("/bench/file/warm", test_file_warm);
  g_test_add_func ("/bench/file/cold", test_file_cold);
  g_test_add_func ("/bench/file/no-space", test_file_no_space);
  g_test_add_func ("/bench/interrupt", test_interrupt);
  g_test_add_func ("/bench/interrupt/file-backend", test_interrupt_file_backend);
  g_test_add_func ("/bench/interrupt/file", test_interrupt_file);
  g_test_add_func ("/bench/cache", test_cache);
  g_test_add_func ("/bench/cache/without-redis", test_cache_without_redis);
  g_test_add_func ("/bench/cache/interrupt", test_cache_interrupt);

  status = g_test_run ();
  quick_run_clear ();
  return status;
}
