/* shmlab-key-bar.h — the key, the backend (and in the Writer, the size),
 * with what they mean to the system shown underneath, always visible
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "shmlab-session.h"
#include "shmlab-watch.h"

G_BEGIN_DECLS

#define SHMLAB_TYPE_KEY_BAR (shmlab_key_bar_get_type ())
G_DECLARE_FINAL_TYPE (ShmlabKeyBar, shmlab_key_bar, SHMLAB, KEY_BAR, GtkWidget)

/* The key both apps start with, so they work together with no typing. */
#define SHMLAB_DEFAULT_KEY "shmlab-demo"

GtkWidget     *shmlab_key_bar_new          (void);
void           shmlab_key_bar_set_session  (ShmlabKeyBar  *self,
                                            ShmlabSession *session);
ShmlabSession *shmlab_key_bar_get_session  (ShmlabKeyBar  *self);
ShmlabWatch   *shmlab_key_bar_get_watch    (ShmlabKeyBar  *self);
void           shmlab_key_bar_set_show_size (ShmlabKeyBar *self,
                                            gboolean       show_size);
void           shmlab_key_bar_set_key      (ShmlabKeyBar  *self,
                                            const char    *key);
const char    *shmlab_key_bar_get_key      (ShmlabKeyBar  *self);
void           shmlab_key_bar_set_backend  (ShmlabKeyBar  *self,
                                            ShmlabBackend  backend);
ShmlabBackend  shmlab_key_bar_get_backend  (ShmlabKeyBar  *self);
void           shmlab_key_bar_set_kind     (ShmlabKeyBar  *self,
                                            ShmlabKeyKind  kind);
ShmlabKeyKind  shmlab_key_bar_get_kind     (ShmlabKeyBar  *self);
void           shmlab_key_bar_set_size_text (ShmlabKeyBar *self,
                                            const char    *text);
gboolean       shmlab_key_bar_get_size     (ShmlabKeyBar  *self,
                                            guint64       *size,
                                            GError       **error);
gboolean       shmlab_key_bar_apply        (ShmlabKeyBar  *self,
                                            GError       **error);
char          *shmlab_key_bar_get_status_text (ShmlabKeyBar *self);
const char    *shmlab_key_bar_get_error_text (ShmlabKeyBar *self);
void           shmlab_key_bar_set_qt_note  (ShmlabKeyBar  *self,
                                            const char    *note);
const char    *shmlab_key_bar_get_qt_note  (ShmlabKeyBar  *self);

G_END_DECLS
