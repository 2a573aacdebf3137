/* shmlab-reader-application.h — the Reader application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define SHMLAB_TYPE_READER_APPLICATION (shmlab_reader_application_get_type ())
G_DECLARE_FINAL_TYPE (ShmlabReaderApplication, shmlab_reader_application, SHMLAB, READER_APPLICATION, GtkApplication)

ShmlabReaderApplication *shmlab_reader_application_new (void);

G_END_DECLS
