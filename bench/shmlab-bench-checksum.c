/* shmlab-bench-checksum.c — the checksum every benchmark message is checked
 * with: fast enough to read every byte, and cheap to update for a new stamp
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-bench-checksum.h"

#include <string.h>

static inline guint64
load_le64 (const guint8 *p)
{
  guint64 word;

  memcpy (&word, p, sizeof word);
  return GUINT64_FROM_LE (word);
}

/* The finalizer of SplitMix64: every bit of the input moves the output. */
static inline guint64
mix (guint64 x)
{
  x ^= x >> 30;
  x *= G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  x ^= x >> 27;
  x *= G_GUINT64_CONSTANT (0x94d049bb133111eb);
  x ^= x >> 31;
  return x;
}

void
shmlab_bench_sum_init (ShmlabBenchSum *sum)
{
  memset (sum, 0, sizeof *sum);
}

/**
 * shmlab_bench_sum_update:
 * @length: a multiple of 32, except for the last piece of a message
 *
 * Word i of the message goes to lane i mod 4, where a += word and b += a:
 * b weighs each word by its place, so a swap of two words shows.
 */
void
shmlab_bench_sum_update (ShmlabBenchSum *sum,
                         const guint8   *data,
                         gsize           length)
{
  guint64 a0 = sum->a[0], a1 = sum->a[1], a2 = sum->a[2], a3 = sum->a[3];
  guint64 b0 = sum->b[0], b1 = sum->b[1], b2 = sum->b[2], b3 = sum->b[3];
  gsize groups = length / 32;
  gsize rest = length % 32;
  const guint8 *p = data;

  for (gsize i = 0; i < groups; i++, p += 32)
    {
      a0 += load_le64 (p);
      a1 += load_le64 (p + 8);
      a2 += load_le64 (p + 16);
      a3 += load_le64 (p + 24);
      b0 += a0;
      b1 += a1;
      b2 += a2;
      b3 += a3;
    }
  sum->a[0] = a0, sum->a[1] = a1, sum->a[2] = a2, sum->a[3] = a3;
  sum->b[0] = b0, sum->b[1] = b1, sum->b[2] = b2, sum->b[3] = b3;
  sum->words += groups * 4;

  /* The tail: whole words, then the last bytes padded with zeros. */
  for (guint lane = 0; rest > 0; lane++)
    {
      guint64 word = 0;
      gsize take = MIN (rest, 8);

      if (take == 8)
        word = load_le64 (p);
      else
        for (gsize i = 0; i < take; i++)
          word |= (guint64) p[i] << (8 * i);
      sum->a[lane] += word;
      sum->b[lane] += sum->a[lane];
      sum->words++;
      p += take;
      rest -= take;
    }
}

guint64
shmlab_bench_sum_value (const ShmlabBenchSum *sum)
{
  guint64 h = mix (sum->words + G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));

  for (guint lane = 0; lane < 4; lane++)
    {
      h = mix (h ^ sum->a[lane]);
      h = mix (h ^ sum->b[lane]);
    }
  return h;
}

guint64
shmlab_bench_checksum (const guint8 *data,
                       gsize         length)
{
  ShmlabBenchSum sum;

  shmlab_bench_sum_init (&sum);
  shmlab_bench_sum_update (&sum, data, length);
  return shmlab_bench_sum_value (&sum);
}

/**
 * shmlab_bench_sum_restamp:
 * @sum: the sum of a whole message
 * @old_word: its first 64-bit word
 * @new_word: another first word
 *
 * The checksum the same message would have with @new_word first, without
 * reading it again: the first word is the first of lane 0, which b counts
 * once for every word of that lane.
 */
guint64
shmlab_bench_sum_restamp (const ShmlabBenchSum *sum,
                          guint64               old_word,
                          guint64               new_word)
{
  ShmlabBenchSum stamped = *sum;
  guint64 delta = new_word - old_word;
  guint64 lane_words = (sum->words + 3) / 4;

  stamped.a[0] += delta;
  stamped.b[0] += delta * lane_words;
  return shmlab_bench_sum_value (&stamped);
}
