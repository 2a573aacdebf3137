/* shmlab-step-log.h — every operation as one line: what, result, duration,
 * and on failure the message; with Clear and Copy
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "shmlab-session.h"

G_BEGIN_DECLS

#define SHMLAB_TYPE_STEP_LOG (shmlab_step_log_get_type ())
G_DECLARE_FINAL_TYPE (ShmlabStepLog, shmlab_step_log, SHMLAB, STEP_LOG, GtkWidget)

GtkWidget *shmlab_step_log_new          (void);
void       shmlab_step_log_set_session  (ShmlabStepLog    *self,
                                         ShmlabSession    *session);
void       shmlab_step_log_append       (ShmlabStepLog    *self,
                                         const ShmlabStep *step);
void       shmlab_step_log_append_note  (ShmlabStepLog    *self,
                                         const char       *note,
                                         gboolean          is_error);
void       shmlab_step_log_clear        (ShmlabStepLog    *self);
guint      shmlab_step_log_get_n_lines  (ShmlabStepLog    *self);
char      *shmlab_step_log_to_text      (ShmlabStepLog    *self);

G_END_DECLS
