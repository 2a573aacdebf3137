/* shmlab-hostile.h — a corpus of crafted segments, each with what a reader of
 * it should be told
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "shmlab-image.h"
#include "shmlab-segment.h"

G_BEGIN_DECLS

/**
 * ShmlabHostileOutcome:
 * @SHMLAB_HOSTILE_REFUSED: nothing can be shown; the message says why
 * @SHMLAB_HOSTILE_WARNED: a text is shown, with a warning
 * @SHMLAB_HOSTILE_TEXT: a text is shown as it is
 * @SHMLAB_HOSTILE_IMAGE: a picture is shown
 */
typedef enum
{
  SHMLAB_HOSTILE_REFUSED,
  SHMLAB_HOSTILE_WARNED,
  SHMLAB_HOSTILE_TEXT,
  SHMLAB_HOSTILE_IMAGE,
} ShmlabHostileOutcome;

/**
 * ShmlabHostileCase:
 * @name: a short name, usable in a test path
 * @bytes: the segment's bytes, exactly: the segment is made this size
 * @outcome: what a reader of the segment should do
 * @fragments: what the message (refused, warned) must contain, each of them:
 *   the field it names and its value, in words every reader shares
 * @text: (nullable): the text shown (warned, text)
 * @image: (nullable): the picture shown (image)
 * @bug: (nullable): a known bug that keeps the readers from @outcome today,
 *   here or under some condition (little memory), described; where it shows,
 *   the case is reported incomplete instead of failed
 */
typedef struct
{
  char *name;
  GBytes *bytes;
  ShmlabHostileOutcome outcome;
  GStrv fragments;
  char *text;
  ShmlabImage *image;
  const char *bug;
} ShmlabHostileCase;

GPtrArray  *shmlab_hostile_corpus_new        (void);
void        shmlab_hostile_case_free         (ShmlabHostileCase       *self);
const char *shmlab_hostile_outcome_to_string (ShmlabHostileOutcome     outcome);
char       *shmlab_hostile_missing_fragment  (const ShmlabHostileCase *self,
                                              const char              *message);
guint32     shmlab_hostile_crc32             (const guint8            *data,
                                              gsize                    length);
GBytes     *shmlab_hostile_text_frame        (const char              *text,
                                              gsize                    length);
char       *shmlab_hostile_decoded_verdict   (GBytes                  *bytes,
                                              char                   **message);

ShmlabSegment *shmlab_hostile_segment_new     (const char              *key,
                                              ShmlabBackend            backend,
                                              GBytes                  *bytes);
void        shmlab_hostile_segment_let_go    (ShmlabSegment           *segment);
void        shmlab_hostile_assert_nothing_left (const char            *key);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShmlabHostileCase, shmlab_hostile_case_free)

G_END_DECLS
