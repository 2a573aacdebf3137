/* shmlab-writer-banner.h — the Writer's two banners: what went wrong, and
 * the question a failure with a way on asks (attach, remove, another key,
 * grow, cut), whose buttons are the window's win.offer-* actions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/**
 * ShmlabWriterOffer:
 * @SHMLAB_WRITER_OFFER_NONE: no banner
 * @SHMLAB_WRITER_OFFER_EXISTS: the key names a segment this window did not
 *   create: attach to it, remove it (when stale), or pick another key
 * @SHMLAB_WRITER_OFFER_TOO_LARGE: the content does not fit the fixed size:
 *   grow the segment, or cut the text
 */
typedef enum
{
  SHMLAB_WRITER_OFFER_NONE,
  SHMLAB_WRITER_OFFER_EXISTS,
  SHMLAB_WRITER_OFFER_TOO_LARGE,
} ShmlabWriterOffer;

/* The ways on a question shows. */
typedef enum
{
  SHMLAB_WRITER_WAY_ATTACH = 1 << 0,
  SHMLAB_WRITER_WAY_REMOVE = 1 << 1,
  SHMLAB_WRITER_WAY_OTHER_KEY = 1 << 2,
  SHMLAB_WRITER_WAY_GROW = 1 << 3,
  SHMLAB_WRITER_WAY_CUT = 1 << 4,
} ShmlabWriterWays;

#define SHMLAB_TYPE_WRITER_BANNER (shmlab_writer_banner_get_type ())
G_DECLARE_FINAL_TYPE (ShmlabWriterBanner, shmlab_writer_banner, SHMLAB, WRITER_BANNER, GtkBox)

void              shmlab_writer_banner_show_error      (ShmlabWriterBanner *self,
                                                        const char         *title,
                                                        const char         *message);
void              shmlab_writer_banner_hide_error      (ShmlabWriterBanner *self);
const char       *shmlab_writer_banner_get_error_text  (ShmlabWriterBanner *self);
GtkWidget        *shmlab_writer_banner_get_message     (ShmlabWriterBanner *self);

void              shmlab_writer_banner_show_offer      (ShmlabWriterBanner *self,
                                                        ShmlabWriterOffer   offer,
                                                        ShmlabWriterWays    ways,
                                                        const char         *title,
                                                        const char         *message,
                                                        const char         *grow_label,
                                                        const char         *cut_label);
void              shmlab_writer_banner_hide_offer      (ShmlabWriterBanner *self);
ShmlabWriterOffer shmlab_writer_banner_get_offer       (ShmlabWriterBanner *self);
const char       *shmlab_writer_banner_get_offer_text  (ShmlabWriterBanner *self);

G_END_DECLS
