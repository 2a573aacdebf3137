/* test-bench-checksum.c — the checksum every message of the bench carries:
 * known values for known bytes, the same sum fed in pieces, every bit and
 * every moved word seen, and a new stamp without reading again
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "shmlab-bench-checksum.h"
#include "shmlab-test-util.h"

static guint8 *
counting_bytes (gsize length)
{
  guint8 *data = g_malloc (MAX (length, 1));

  for (gsize i = 0; i < length; i++)
    data[i] = (guint8) (i * 7 + 3);
  return data;
}

/* Values from the definition (four Fletcher lanes over little-endian
 * 64-bit words, the last one padded with zeros, then SplitMix64's finalizer
 * over the word count and the lanes), worked out apart from this code: a
 * change of the checksum changes every "checksum" of the JSON. */
static void
test_known_values (void)
{
  static const char fox[] = "The quick brown fox jumps over the lazy dog";
  guint8 counting[100];
  guint8 bytes[1024];

  for (gsize i = 0; i < sizeof counting; i++)
    counting[i] = (guint8) i;
  for (gsize i = 0; i < sizeof bytes; i++)
    bytes[i] = (guint8) i;

  g_assert_cmphex (shmlab_bench_checksum (NULL, 0), ==, G_GUINT64_CONSTANT (0xc50dd9468318f0a0));
  g_assert_cmphex (shmlab_bench_checksum (counting, sizeof counting), ==,
                   G_GUINT64_CONSTANT (0x1dc2c98d5e5a0b0b));
  g_assert_cmphex (shmlab_bench_checksum ((const guint8 *) fox, strlen (fox)), ==,
                   G_GUINT64_CONSTANT (0xd1ce28ab297a1a83));
  g_assert_cmphex (shmlab_bench_checksum (bytes, sizeof bytes), ==,
                   G_GUINT64_CONSTANT (0x02db94f9c0933769));
}

/* Fed in pieces of multiples of 32 bytes, the sum is the same. */
static void
test_pieces (void)
{
  static const gsize pieces[] = { 32, 64, 256, 4096 };
  static const gsize lengths[] = { 1, 8, 31, 32, 33, 100, 1000, 12345 };

  for (gsize l = 0; l < G_N_ELEMENTS (lengths); l++)
    {
      g_autofree guint8 *data = counting_bytes (lengths[l]);
      guint64 whole = shmlab_bench_checksum (data, lengths[l]);

      for (gsize p = 0; p < G_N_ELEMENTS (pieces); p++)
        {
          ShmlabBenchSum sum;
          gsize done = 0;

          shmlab_bench_sum_init (&sum);
          while (done < lengths[l])
            {
              gsize take = MIN (pieces[p], lengths[l] - done);
              shmlab_bench_sum_update (&sum, data + done, take);
              done += take;
            }
          g_assert_cmpuint (sum.words, ==, (lengths[l] + 7) / 8);
          g_assert_cmphex (shmlab_bench_sum_value (&sum), ==, whole);
        }
    }
}

/* Every single flipped bit, and every word moved to another place (in the
 * same lane or another), changes the sum. */
static void
test_sees_changes (void)
{
  g_autofree guint8 *data = counting_bytes (256);
  guint64 original = shmlab_bench_checksum (data, 256);
  static const guint swaps[][2] = { { 0, 1 }, { 1, 2 }, { 0, 4 }, { 3, 31 }, { 5, 9 } };

  for (gsize bit = 0; bit < 256 * 8; bit++)
    {
      data[bit / 8] ^= (guint8) (1u << (bit % 8));
      g_assert_cmphex (shmlab_bench_checksum (data, 256), !=, original);
      data[bit / 8] ^= (guint8) (1u << (bit % 8));
    }
  g_assert_cmphex (shmlab_bench_checksum (data, 256), ==, original);

  for (gsize s = 0; s < G_N_ELEMENTS (swaps); s++)
    {
      guint8 word[8];

      memcpy (word, data + 8 * swaps[s][0], 8);
      memcpy (data + 8 * swaps[s][0], data + 8 * swaps[s][1], 8);
      memcpy (data + 8 * swaps[s][1], word, 8);
      g_assert_cmphex (shmlab_bench_checksum (data, 256), !=, original);
      memcpy (data + 8 * swaps[s][1], data + 8 * swaps[s][0], 8);
      memcpy (data + 8 * swaps[s][0], word, 8);
      g_assert_cmphex (shmlab_bench_checksum (data, 256), ==, original);
    }
}

/* A new first word (the stamp) gives the checksum the stamped message has,
 * computed without reading the message again. */
static void
test_restamp (void)
{
  static const gsize lengths[] = { 8, 9, 40, 100, 1000, 4099 };
  static const guint64 stamps[] = {
    0, 1, G_GUINT64_CONSTANT (0x8000000000000001), G_GUINT64_CONSTANT (0xffffffffffffffff),
  };

  for (gsize l = 0; l < G_N_ELEMENTS (lengths); l++)
    {
      g_autofree guint8 *data = counting_bytes (lengths[l]);
      ShmlabBenchSum sum;
      guint64 old_word;

      memcpy (&old_word, data, 8);
      old_word = GUINT64_FROM_LE (old_word);
      shmlab_bench_sum_init (&sum);
      shmlab_bench_sum_update (&sum, data, lengths[l]);

      for (gsize s = 0; s < G_N_ELEMENTS (stamps); s++)
        {
          guint64 le = GUINT64_TO_LE (stamps[s]);

          memcpy (data, &le, 8);
          g_assert_cmphex (shmlab_bench_sum_restamp (&sum, old_word, stamps[s]), ==,
                           shmlab_bench_checksum (data, lengths[l]));
        }
      g_assert_cmphex (shmlab_bench_sum_restamp (&sum, old_word, old_word), ==,
                       shmlab_bench_sum_value (&sum));
    }
}

int
main (int argc, char **argv)
{
  shmlab_test_init (&argc, &argv);
  g_test_add_func ("/bench/checksum/known-values", test_known_values);
  g_test_add_func ("/bench/checksum/pieces", test_pieces);
  g_test_add_func ("/bench/checksum/sees-changes", test_sees_changes);
  g_test_add_func ("/bench/checksum/restamp", test_restamp);
  return g_test_run ();
}
