/* shmlab-help.h — the "How it works" window, the keyboard shortcuts window
 * and the About dialog both applications show from their menu
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef enum
{
  SHMLAB_HELP_WRITER,
  SHMLAB_HELP_READER,
  SHMLAB_HELP_LAB,
} ShmlabHelpRole;

#define SHMLAB_LESSON_URL "https://github.com/shmlab/shmlab/blob/main/docs/lesson.md"

void       shmlab_help_install           (GtkApplication *app,
                                          ShmlabHelpRole  role);
GtkWindow *shmlab_help_show_how_it_works (GtkWindow      *parent,
                                          ShmlabHelpRole  role);
GtkWindow *shmlab_help_show_about        (GtkWindow      *parent,
                                          ShmlabHelpRole  role);
GtkWindow *shmlab_help_new_shortcuts_window (ShmlabHelpRole role);
GtkWindow *shmlab_help_show_shortcuts    (GtkWindow      *parent,
                                          ShmlabHelpRole  role);

G_END_DECLS
