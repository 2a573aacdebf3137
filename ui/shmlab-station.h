/* shmlab-station.h — what the Writer and the Reader share, as a widget: a session driven from a
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

#define SHMLAB_TYPE_STATION (shmlab_station_get_type ())
G_DECLARE_DERIVABLE_TYPE (ShmlabStation, shmlab_station, SHMLAB, STATION, GtkWidget)

/**
 * ShmlabStationClass:
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
struct _ShmlabStationClass
{
  GtkWidgetClass parent_class;

  ShmlabAccessMode attach_mode;

  void     (*show_failure)   (ShmlabStation *self,
                              const char   *title,
                              const char   *noun,
                              const GError *error,
                              gboolean      said);
  void     (*step_done)      (ShmlabStation *self);
  void     (*update_actions) (ShmlabStation *self);
  gboolean (*can_step)       (ShmlabStation *self);
  void     (*closing)        (ShmlabStation *self);

  gpointer padding[8];
};

ShmlabSession   *shmlab_station_get_session      (ShmlabStation *self);
ShmlabKeyBar    *shmlab_station_get_key_bar      (ShmlabStation *self);
ShmlabStepLog   *shmlab_station_get_step_log     (ShmlabStation *self);
ShmlabInspector *shmlab_station_get_inspector    (ShmlabStation *self);
ShmlabWaitBar   *shmlab_station_get_wait_bar     (ShmlabStation *self);

const char      *shmlab_station_get_title       (ShmlabStation *self);
void             shmlab_station_set_embedded    (ShmlabStation *self,
                                                 gboolean       embedded);
void             shmlab_station_set_decoration_layout (ShmlabStation *self,
                                                       const char    *layout);

gboolean         shmlab_station_get_busy         (ShmlabStation *self);
gboolean         shmlab_station_get_closed       (ShmlabStation *self);
const char      *shmlab_station_get_side_page    (ShmlabStation *self);
void             shmlab_station_set_side_page    (ShmlabStation *self,
                                                 const char   *page);
gboolean         shmlab_station_get_step_by_step (ShmlabStation *self);
void             shmlab_station_set_step_by_step (ShmlabStation *self,
                                                 gboolean      step_by_step);
void             shmlab_station_set_print_steps  (ShmlabStation *self,
                                                 gboolean      print_steps);
gboolean         shmlab_station_get_print_steps  (ShmlabStation *self);

void             shmlab_station_note             (ShmlabStation *self,
                                                 const char   *text,
                                                 gboolean      is_error);
gboolean         shmlab_station_step_said        (ShmlabStation *self,
                                                 const GError *error);

gboolean         shmlab_station_begin_job        (ShmlabStation *self,
                                                 const char   *what,
                                                 GCancellable *cancellable);
GCancellable    *shmlab_station_get_cancellable  (ShmlabStation *self);
gboolean         shmlab_station_get_job_running  (ShmlabStation *self);
void             shmlab_station_end_job          (ShmlabStation *self);
void             shmlab_station_cancel           (ShmlabStation *self);
void             shmlab_station_update_actions   (ShmlabStation *self);

G_END_DECLS
