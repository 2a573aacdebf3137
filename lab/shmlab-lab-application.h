/* shmlab-lab-application.h — the Lab application: the Writer and the
 * Reader in one window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define SHMLAB_TYPE_LAB_APPLICATION (shmlab_lab_application_get_type ())
G_DECLARE_FINAL_TYPE (ShmlabLabApplication, shmlab_lab_application, SHMLAB, LAB_APPLICATION,
                      GtkApplication)

ShmlabLabApplication *shmlab_lab_application_new (void);

G_END_DECLS
