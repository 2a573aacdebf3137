/* shmlab-writer-window-private.h — what the Writer window's files share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "shmlab-writer-window.h"

#include "shmlab-content-view.h"
#include "shmlab-inspector.h"
#include "shmlab-key-bar.h"
#include "shmlab-step-log.h"
#include "shmlab-wait-bar.h"

G_BEGIN_DECLS

/* What kind of job asked the question of the offer banner, so that its
 * answer continues the same way. */
typedef enum
{
  SHMLAB_OFFER_FROM_WRITE,
  SHMLAB_OFFER_FROM_ATTACHED,
  SHMLAB_OFFER_FROM_STEP_CREATE,
  SHMLAB_OFFER_FROM_STEP_WRITE,
} ShmlabOfferSource;

struct _ShmlabWriterWindow
{
  GtkApplicationWindow parent_instance;

  /* Template widgets */
  ShmlabKeyBar *key_bar;
  GtkDropDown *format_dropdown;
  GtkWidget *write_button;
  GtkSpinButton *timeout_spin;
  GtkInfoBar *offer_bar;
  GtkImage *offer_icon;
  GtkLabel *offer_title;
  GtkLabel *offer_label;
  GtkWidget *attach_button;
  GtkWidget *remove_button;
  GtkWidget *other_key_button;
  GtkWidget *grow_button;
  GtkWidget *cut_button;
  GtkInfoBar *error_bar;
  GtkLabel *error_title;
  GtkLabel *error_label;
  GtkWidget *content_box;
  GtkStack *content_stack;
  GtkTextView *text_view;
  GtkLabel *byte_count_label;
  ShmlabContentView *image_view;
  ShmlabStepLog *step_log;
  ShmlabInspector *inspector;
  GtkWidget *step_bar;
  ShmlabWaitBar *wait_bar;

  /* Owned */
  ShmlabSession *session;
  ShmlabImage *image;
  char *image_name;
  GCancellable *cancellable;  /* the running job's; NULL when idle */
  GtkNativeDialog *chooser;
  char *offer_text;
  char *error_text;
  char *attached_key;  /* the key of the segment the session is attached to */
  ShmlabBackend attached_backend;

  /* State */
  ShmlabWriterOffer offer;
  ShmlabOfferSource offer_source;
  ShmlabWriteFlags offer_flags;
  gboolean offer_stale;
  gboolean job_running;
  gboolean job_step_failed;  /* the session logged a failed step during the job */
  gboolean step_by_step;
  gboolean print_steps;
  gboolean closing;  /* destroyed: jobs end quietly, widgets are left alone */
  gboolean was_busy;
};

/* shmlab-writer-window.c */
gboolean      _shmlab_writer_window_begin_job     (ShmlabWriterWindow *self,
                                                   const char         *what,
                                                   GCancellable       *cancellable);
void          _shmlab_writer_window_end_job       (ShmlabWriterWindow *self);
void          _shmlab_writer_window_show_error    (ShmlabWriterWindow *self,
                                                   const char         *title,
                                                   const char         *message,
                                                   gboolean            log_it);
void          _shmlab_writer_window_hide_error    (ShmlabWriterWindow *self);
void          _shmlab_writer_window_show_offer    (ShmlabWriterWindow *self,
                                                   ShmlabWriterOffer   offer,
                                                   ShmlabOfferSource   source,
                                                   const char         *title,
                                                   const char         *message);
void          _shmlab_writer_window_hide_offer    (ShmlabWriterWindow *self);
void          _shmlab_writer_window_note          (ShmlabWriterWindow *self,
                                                   const char         *note,
                                                   gboolean            is_error);
ShmlabPayload *_shmlab_writer_window_make_payload (ShmlabWriterWindow *self,
                                                   GError            **error);
void          _shmlab_writer_window_open          (ShmlabWriterWindow *self);
void          _shmlab_writer_window_paste         (ShmlabWriterWindow *self);

/* shmlab-writer-window-actions.c */
void          _shmlab_writer_window_class_init_actions (GtkWidgetClass     *widget_class);
void          _shmlab_writer_window_update_actions     (ShmlabWriterWindow *self);

G_END_DECLS
