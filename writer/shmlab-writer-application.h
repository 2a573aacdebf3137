/* shmlab-writer-application.h — the Writer application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define SHMLAB_TYPE_WRITER_APPLICATION (shmlab_writer_application_get_type ())
G_DECLARE_FINAL_TYPE (ShmlabWriterApplication, shmlab_writer_application, SHMLAB, WRITER_APPLICATION, GtkApplication)

ShmlabWriterApplication *shmlab_writer_application_new (void);

G_END_DECLS
