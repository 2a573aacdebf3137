/* shmlab-bench-checksum.h — the checksum every message of the bench carries
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * ShmlabBenchSum:
 *
 * A Fletcher-style checksum over 64-bit words in four lanes, so that it runs
 * near memory speed and still sees a word moved to another place. Feed it
 * with shmlab_bench_sum_update() in pieces that are multiples of 32 bytes;
 * only the last piece may be shorter.
 */
typedef struct
{
  guint64 a[4];
  guint64 b[4];
  guint64 words;
} ShmlabBenchSum;

void    shmlab_bench_sum_init     (ShmlabBenchSum       *sum);
void    shmlab_bench_sum_update   (ShmlabBenchSum       *sum,
                                   const guint8         *data,
                                   gsize                 length);
guint64 shmlab_bench_sum_value    (const ShmlabBenchSum *sum);
guint64 shmlab_bench_checksum     (const guint8         *data,
                                   gsize                 length);
guint64 shmlab_bench_sum_restamp  (const ShmlabBenchSum *sum,
                                   guint64               old_word,
                                   guint64               new_word);

G_END_DECLS
