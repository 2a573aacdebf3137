/* shmlab-stream-frame.c — one frame of a stream: its header, and rows that
 * say which frame they came from
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-stream-frame.h"

#include <inttypes.h>
#include <string.h>
#include <xxhash.h>

#include <glib/gi18n-lib.h>
#include "shmlab-stream.h"

#define OFF_MAGIC 0
#define OFF_VERSION 8
#define OFF_HEADER_SIZE 10
#define OFF_WIDTH 12
#define OFF_HEIGHT 16
#define OFF_ROW_SIZE 20
#define OFF_FRAME_NUMBER 24
#define OFF_WRITE_TIME 32
#define OFF_SOURCE_TIME 40
#define OFF_FLAGS 48
#define OFF_WRITER_PID 52

static inline void
put16 (guint8 *p, guint16 v)
{
  v = GUINT16_TO_LE (v);
  memcpy (p, &v, sizeof v);
}

static inline void
put32 (guint8 *p, guint32 v)
{
  v = GUINT32_TO_LE (v);
  memcpy (p, &v, sizeof v);
}

static inline void
put64 (guint8 *p, guint64 v)
{
  v = GUINT64_TO_LE (v);
  memcpy (p, &v, sizeof v);
}

static inline guint16
get16 (const guint8 *p)
{
  guint16 v;
  memcpy (&v, p, sizeof v);
  return GUINT16_FROM_LE (v);
}

static inline guint32
get32 (const guint8 *p)
{
  guint32 v;
  memcpy (&v, p, sizeof v);
  return GUINT32_FROM_LE (v);
}

static inline guint64
get64 (const guint8 *p)
{
  guint64 v;
  memcpy (&v, p, sizeof v);
  return GUINT64_FROM_LE (v);
}

/**
 * shmlab_stream_frame_size:
 * @frame_size: (out): header and rows, in bytes
 *
 * Checks a stream's size against its limits and says how many bytes one of
 * its frames takes.
 *
 * Returns: %FALSE with %SHMLAB_STREAM_ERROR_INVALID when a side is out of
 *   range
 */
gboolean
shmlab_stream_frame_size (guint32  width,
                          guint32  height,
                          gsize   *frame_size,
                          GError **error)
{
  if (width < SHMLAB_STREAM_MIN_SIDE || height < SHMLAB_STREAM_MIN_SIDE ||
      width > SHMLAB_STREAM_MAX_WIDTH || height > SHMLAB_STREAM_MAX_HEIGHT)
    {
      g_set_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_INVALID,
                   /* Translators: a stream's frame size; the limits follow */
                   _("A stream frame of %u × %u pixels is not possible: each side must be from %u to %u × %u pixels."),
                   width, height, SHMLAB_STREAM_MIN_SIDE,
                   SHMLAB_STREAM_MAX_WIDTH, SHMLAB_STREAM_MAX_HEIGHT);
      return FALSE;
    }
  /* Below the limits nothing here can overflow 64 bits. */
  *frame_size = SHMLAB_STREAM_FRAME_HEADER_SIZE +
                (gsize) height * (SHMLAB_STREAM_ROW_TAG_SIZE + (gsize) width * 4);
  return TRUE;
}

static inline guint64
row_hash (const guint8 *pixels,
          gsize         length,
          guint64       frame_number)
{
  return XXH3_64bits_withSeed (pixels, length, frame_number);
}

/**
 * shmlab_stream_frame_write:
 * @dest: room for shmlab_stream_frame_size() bytes
 * @header: width, height, frame number, times, flags, writer pid (row_size
 *   is worked out)
 * @rgba: height rows of width × 4 bytes, @rgba_stride apart
 * @hook: (nullable): called after each row, for tests
 *
 * Writes the header, then each row: its tag, then its pixels. The writer
 * hashes each source row just before copying it, while it is in the cache.
 */
void
shmlab_stream_frame_write (guint8                        *dest,
                           const ShmlabStreamFrameHeader *header,
                           const guint8                  *rgba,
                           gsize                          rgba_stride,
                           ShmlabStreamRowHook            hook,
                           gpointer                       hook_data)
{
  gsize pixels = (gsize) header->width * 4;
  gsize row_size = SHMLAB_STREAM_ROW_TAG_SIZE + pixels;
  guint8 head[SHMLAB_STREAM_FRAME_HEADER_SIZE] = { 0 };
  guint8 *row = dest + SHMLAB_STREAM_FRAME_HEADER_SIZE;

  memcpy (head + OFF_MAGIC, SHMLAB_STREAM_FRAME_MAGIC, 8);
  put16 (head + OFF_VERSION, SHMLAB_STREAM_FRAME_VERSION);
  put16 (head + OFF_HEADER_SIZE, SHMLAB_STREAM_FRAME_HEADER_SIZE);
  put32 (head + OFF_WIDTH, header->width);
  put32 (head + OFF_HEIGHT, header->height);
  put32 (head + OFF_ROW_SIZE, (guint32) row_size);
  put64 (head + OFF_FRAME_NUMBER, header->frame_number);
  put64 (head + OFF_WRITE_TIME, (guint64) header->write_time);
  put64 (head + OFF_SOURCE_TIME, (guint64) header->source_time);
  put32 (head + OFF_FLAGS, header->flags);
  put32 (head + OFF_WRITER_PID, header->writer_pid);
  memcpy (dest, head, sizeof head);

  for (guint32 r = 0; r < header->height; r++, row += row_size)
    {
      const guint8 *src = rgba + (gsize) r * rgba_stride;
      guint8 tag[SHMLAB_STREAM_ROW_TAG_SIZE];

      put64 (tag, header->frame_number);
      put64 (tag + 8, row_hash (src, pixels, header->frame_number));
      memcpy (row, tag, sizeof tag);
      memcpy (row + SHMLAB_STREAM_ROW_TAG_SIZE, src, pixels);
      if (hook != NULL)
        hook (r, hook_data);
    }
}

static gboolean
malformed (GError    **error,
           const char *field,
           guint64     value)
{
  g_set_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_MALFORMED,
               /* Translators: %s is a header field's name, e.g. "width" */
               _("The stream frame's header is damaged: its field “%s” holds %" PRIu64 ", which is not possible."),
               field, value);
  return FALSE;
}

/**
 * shmlab_stream_frame_header_parse:
 * @bytes: (array length=length): a copy of at least the header
 *
 * Reads a frame header and checks every field against the others and the
 * limits. @length only has to hold the header.
 */
gboolean
shmlab_stream_frame_header_parse (const guint8            *bytes,
                                  gsize                    length,
                                  ShmlabStreamFrameHeader *header,
                                  GError                 **error)
{
  guint16 version, header_size;
  gsize size;

  if (length < SHMLAB_STREAM_FRAME_HEADER_SIZE)
    return malformed (error, "length", length);
  if (memcmp (bytes + OFF_MAGIC, SHMLAB_STREAM_FRAME_MAGIC, 8) != 0)
    {
      g_set_error (error, SHMLAB_STREAM_ERROR, SHMLAB_STREAM_ERROR_MALFORMED,
                   _("This is not a stream frame: it does not begin with “%s”."),
                   SHMLAB_STREAM_FRAME_MAGIC);
      return FALSE;
    }
  version = get16 (bytes + OFF_VERSION);
  if (version != SHMLAB_STREAM_FRAME_VERSION)
    return malformed (error, "version", version);
  header_size = get16 (bytes + OFF_HEADER_SIZE);
  if (header_size != SHMLAB_STREAM_FRAME_HEADER_SIZE)
    return malformed (error, "header_size", header_size);

  header->width = get32 (bytes + OFF_WIDTH);
  header->height = get32 (bytes + OFF_HEIGHT);
  header->row_size = get32 (bytes + OFF_ROW_SIZE);
  header->frame_number = get64 (bytes + OFF_FRAME_NUMBER);
  header->write_time = (gint64) get64 (bytes + OFF_WRITE_TIME);
  header->source_time = (gint64) get64 (bytes + OFF_SOURCE_TIME);
  header->flags = get32 (bytes + OFF_FLAGS);
  header->writer_pid = get32 (bytes + OFF_WRITER_PID);

  if (header->width < SHMLAB_STREAM_MIN_SIDE || header->width > SHMLAB_STREAM_MAX_WIDTH)
    return malformed (error, "width", header->width);
  if (header->height < SHMLAB_STREAM_MIN_SIDE || header->height > SHMLAB_STREAM_MAX_HEIGHT)
    return malformed (error, "height", header->height);
  if (!shmlab_stream_frame_size (header->width, header->height, &size, NULL))
    return malformed (error, "width", header->width);
  if (header->row_size != SHMLAB_STREAM_ROW_TAG_SIZE + (guint64) header->width * 4)
    return malformed (error, "row_size", header->row_size);
  if (header->frame_number == 0)
    return malformed (error, "frame_number", 0);
  return TRUE;
}

/* Adds @row, from @frame_number (0: mixed), to @runs. */
static void
runs_add (GArray  *runs,
          guint32  row,
          guint64  frame_number)
{
  if (runs->len > 0)
    {
      ShmlabStreamRun *last = &g_array_index (runs, ShmlabStreamRun, runs->len - 1);

      if (last->frame_number == frame_number && last->first_row + last->n_rows == row)
        {
          last->n_rows++;
          return;
        }
    }
  g_array_append_val (runs, ((ShmlabStreamRun) { row, 1, frame_number }));
}

static void
check_finish (ShmlabStreamCheck *check,
              const ShmlabStreamFrameHeader *header,
              GArray            *runs)
{
  check->frame_number = header->frame_number;
  check->n_runs = runs->len;
  check->runs = (ShmlabStreamRun *) (gpointer) g_array_free (runs, FALSE);
}

static inline void
check_row (const guint8      *row,
           guint32            r,
           gsize              pixels,
           GArray            *runs,
           ShmlabStreamCheck *check)
{
  guint64 number = get64 (row);
  guint64 hash = get64 (row + 8);

  if (number == 0 || row_hash (row + SHMLAB_STREAM_ROW_TAG_SIZE, pixels, number) != hash)
    {
      check->mixed_rows++;
      number = 0;
    }
  else
    {
      if (check->oldest_frame == 0 || number < check->oldest_frame)
        check->oldest_frame = number;
      if (number > check->newest_frame)
        check->newest_frame = number;
    }
  runs_add (runs, r, number);
}

/**
 * shmlab_stream_frame_check:
 * @frame: (array length=length): a whole frame, already copied
 * @header: (out): its header
 * @check: (out): what its rows say; clear it with shmlab_stream_check_clear()
 *
 * Returns: %FALSE when the header is wrong or @length is not the frame's
 */
gboolean
shmlab_stream_frame_check (const guint8            *frame,
                           gsize                    length,
                           ShmlabStreamFrameHeader *header,
                           ShmlabStreamCheck       *check,
                           GError                 **error)
{
  g_autoptr(GArray) runs = NULL;
  gsize size, pixels;
  const guint8 *row;

  memset (check, 0, sizeof *check);
  if (!shmlab_stream_frame_header_parse (frame, length, header, error))
    return FALSE;
  shmlab_stream_frame_size (header->width, header->height, &size, NULL);
  if (length < size)
    return malformed (error, "length", length);

  pixels = (gsize) header->width * 4;
  runs = g_array_new (FALSE, FALSE, sizeof (ShmlabStreamRun));
  row = frame + SHMLAB_STREAM_FRAME_HEADER_SIZE;
  for (guint32 r = 0; r < header->height; r++, row += header->row_size)
    check_row (row, r, pixels, runs, check);
  check_finish (check, header, g_steal_pointer (&runs));
  return TRUE;
}

/**
 * shmlab_stream_frame_copy:
 * @dest: (array length=dest_size): where the frame goes
 * @src: (array length=src_size): the frame in shared memory, which another
 *   process may be writing as it is read
 * @header: (out): the header as copied
 * @check: (out): what the copied rows say
 *
 * Copies the header, checks it, then copies each row and checks it while it
 * is still in the cache. Every decision is made on the copy, never on
 * @src, so a writer changing @src meanwhile makes a torn frame, not a
 * wrong length.
 */
gboolean
shmlab_stream_frame_copy (guint8                  *dest,
                          gsize                    dest_size,
                          const volatile guint8   *src,
                          gsize                    src_size,
                          ShmlabStreamFrameHeader *header,
                          ShmlabStreamCheck       *check,
                          GError                 **error)
{
  g_autoptr(GArray) runs = NULL;
  const guint8 *from = (const guint8 *) src;
  gsize size, pixels;
  guint8 *row;

  memset (check, 0, sizeof *check);
  if (src_size < SHMLAB_STREAM_FRAME_HEADER_SIZE || dest_size < SHMLAB_STREAM_FRAME_HEADER_SIZE)
    return malformed (error, "length", MIN (src_size, dest_size));
  memcpy (dest, from, SHMLAB_STREAM_FRAME_HEADER_SIZE);
  if (!shmlab_stream_frame_header_parse (dest, SHMLAB_STREAM_FRAME_HEADER_SIZE, header, error))
    return FALSE;
  shmlab_stream_frame_size (header->width, header->height, &size, NULL);
  if (size > src_size || size > dest_size)
    return malformed (error, "height", header->height);

  pixels = (gsize) header->width * 4;
  runs = g_array_new (FALSE, FALSE, sizeof (ShmlabStreamRun));
  row = dest + SHMLAB_STREAM_FRAME_HEADER_SIZE;
  from += SHMLAB_STREAM_FRAME_HEADER_SIZE;
  for (guint32 r = 0; r < header->height; r++, row += header->row_size, from += header->row_size)
    {
      memcpy (row, from, header->row_size);
      check_row (row, r, pixels, runs, check);
    }
  check_finish (check, header, g_steal_pointer (&runs));
  return TRUE;
}

gboolean
shmlab_stream_check_is_torn (const ShmlabStreamCheck *check)
{
  return check->n_runs > 1 || check->mixed_rows > 0;
}

void
shmlab_stream_check_clear (ShmlabStreamCheck *check)
{
  g_clear_pointer (&check->runs, g_free);
  check->n_runs = 0;
}

/**
 * shmlab_stream_check_describe:
 * @check: a check's result
 * @max_runs: how many runs to name at most, 0 for all
 *
 * The rows of a frame and where each run came from, in the reader's words:
 * "rows 0–20 from frame 2, rows 21–119 from frame 1"; runs past @max_runs
 * are counted: ", and 3 more".
 *
 * Returns: (transfer full): the description
 */
char *
shmlab_stream_check_describe (const ShmlabStreamCheck *check,
                              guint                    max_runs)
{
  GString *text = g_string_new (NULL);
  guint n = check->n_runs;

  if (max_runs > 0 && n > max_runs)
    n = max_runs;
  for (guint i = 0; i < n; i++)
    {
      const ShmlabStreamRun *run = &check->runs[i];

      if (i > 0)
        g_string_append (text, _(", "));
      if (run->n_rows == 1 && run->frame_number == 0)
        g_string_append_printf (text, _("row %u mixed during the copy"), run->first_row);
      else if (run->n_rows == 1)
        g_string_append_printf (text, _("row %u from frame %" PRIu64), run->first_row,
                                run->frame_number);
      else if (run->frame_number == 0)
        g_string_append_printf (text, _("rows %u–%u mixed during the copy"),
                                run->first_row, run->first_row + run->n_rows - 1);
      else
        g_string_append_printf (text, _("rows %u–%u from frame %" PRIu64),
                                run->first_row, run->first_row + run->n_rows - 1,
                                run->frame_number);
    }
  if (n < check->n_runs)
    /* TRANSLATORS: after the runs of rows named, how many runs are not */
    g_string_append_printf (text, _(", and %u more"), check->n_runs - n);
  return g_string_free (text, FALSE);
}
