/* shmlab-window.h — what every ShmLab window does: a session driven from a
 * key bar, its steps logged and its segment inspected, one job at a time
 * with Cancel, the step-by-step actions, the lock timeout and closing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "shmlab-inspector.h"
#include "shmlab-memory-view.h"
#include "shmlab-key-bar.h"
#include "shmlab-session.h"
#include "shmlab-step-log.h"
#include "shmlab-wait-bar.h"

G_BEGIN_DECLS

#define SHMLAB_TYPE_WINDOW (shmlab_window_get_type ())
G_DECLARE_DERIVABLE_TYPE (ShmlabWindow, shmlab_window, SHMLAB, WINDOW, GtkApplicationWindow)

/**
 * ShmlabWindowClass:
 * @attach_mode: how the Attach step attaches (the Writer read-write, the
 *   Reader read-only)
 * @show_failure: a job or a step failed: show it (@title names what
 *   failed, @noun the doing of it, "locking"; @said: a failed step in the
 *   log says it already)
 * @step_done: a step of the step-by-step bar ended well
 * @update_actions: set the sensitivity of the subclass's own actions
 * @can_step: whether the step-by-step actions may run now (besides busy)
 * @closing: the window goes away: stop what the subclass runs
 *
 * A subclass brings its content pane, its one-click action and its offers,
 * as children of type "start" and "end" (the header bar), "banner" (above
 * the content), "content" and "step" (the step-by-step bar's buttons).
 */
struct _ShmlabWindowClass
{
  GtkApplicationWindowClass parent_class;

  ShmlabAccessMode attach_mode;

  void     (*show_failure)   (ShmlabWindow *self,
                              const char   *title,
                              const char   *noun,
                              const GError *error,
                              gboolean      said);
  void     (*step_done)      (ShmlabWindow *self);
  void     (*update_actions) (ShmlabWindow *self);
  gboolean (*can_step)       (ShmlabWindow *self);
  void     (*closing)        (ShmlabWindow *self);

  gpointer padding[8];
};

ShmlabSession   *shmlab_window_get_session      (ShmlabWindow *self);
ShmlabKeyBar    *shmlab_window_get_key_bar      (ShmlabWindow *self);
ShmlabStepLog   *shmlab_window_get_step_log     (ShmlabWindow *self);
ShmlabInspector *shmlab_window_get_inspector    (ShmlabWindow *self);
ShmlabWaitBar   *shmlab_window_get_wait_bar     (ShmlabWindow *self);

gboolean         shmlab_window_get_busy         (ShmlabWindow *self);
gboolean         shmlab_window_get_closed       (ShmlabWindow *self);
const char      *shmlab_window_get_side_page    (ShmlabWindow *self);
void             shmlab_window_set_side_page    (ShmlabWindow *self,
                                                 const char   *page);
gboolean         shmlab_window_get_step_by_step (ShmlabWindow *self);
void             shmlab_window_set_step_by_step (ShmlabWindow *self,
                                                 gboolean      step_by_step);
void             shmlab_window_set_print_steps  (ShmlabWindow *self,
                                                 gboolean      print_steps);
gboolean         shmlab_window_get_print_steps  (ShmlabWindow *self);

void             shmlab_window_note             (ShmlabWindow *self,
                                                 const char   *text,
                                                 gboolean      is_error);
gboolean         shmlab_window_step_said        (ShmlabWindow *self,
                                                 const GError *error);

gboolean         shmlab_window_begin_job        (ShmlabWindow *self,
                                                 const char   *what,
                                                 GCancellable *cancellable);
GCancellable    *shmlab_window_get_cancellable  (ShmlabWindow *self);
gboolean         shmlab_window_get_job_running  (ShmlabWindow *self);
void             shmlab_window_end_job          (ShmlabWindow *self);
void             shmlab_window_cancel           (ShmlabWindow *self);
void             shmlab_window_update_actions   (ShmlabWindow *self);

G_END_DECLS
