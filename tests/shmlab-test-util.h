/* shmlab-test-util.h — what every test program shares: a private temp dir,
 * unique keys, and the removal of every segment a test made, even when it
 * fails
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <glib.h>

#include "shmlab-native-key.h"

G_BEGIN_DECLS

/* Every key a test makes starts with this, so a leak is easy to find. */
#define SHMLAB_TEST_KEY_PREFIX "shmlabtest"

void        shmlab_test_init          (int           *argc,
                                       char        ***argv);
const char *shmlab_test_get_temp_dir  (void);
char       *shmlab_test_unique_key    (const char    *stem);
void        shmlab_test_track_key     (const char    *key);
void        shmlab_test_cleanup       (void);
char       *shmlab_test_build_file    (const char    *name);
char       *shmlab_test_source_file   (const char    *first_part,
                                       ...) G_GNUC_NULL_TERMINATED;
const char *shmlab_test_cli_path      (void);
gboolean    shmlab_test_run_cli       (char         **out,
                                       char         **err,
                                       int           *status,
                                       const char    *first_arg,
                                       ...) G_GNUC_NULL_TERMINATED;

char        *shmlab_test_process_name        (GSubprocess   *process);
GSubprocess *shmlab_test_start_lock_holder   (const char    *key,
                                             ShmlabBackend  backend);
void         shmlab_test_release_lock_holder (GSubprocess   *holder);

G_END_DECLS
