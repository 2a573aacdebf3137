/* shmlab-test-util.h — what every test program shares: a private temp dir,
 * unique keys, and the removal of every segment a test made, even when it
 * fails
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <glib.h>

#include "shmlab-image.h"
#include "shmlab-native-key.h"

G_BEGIN_DECLS

/* Every key a test makes starts with this, so a leak is easy to find. */
#define SHMLAB_TEST_KEY_PREFIX "shmlabtest"

/* A failed assertion with a message (it aborts, so the test's keys are removed). */
#define shmlab_test_fail(...) \
  G_STMT_START \
  { \
    g_autofree char *shmlab_test_fail_message_ = g_strdup_printf (__VA_ARGS__); \
    g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, \
                         shmlab_test_fail_message_); \
  } \
  G_STMT_END

/* What a test waits for, asked again each time the main context has run. */
typedef gboolean (*ShmlabTestCondition) (gpointer data);

void        shmlab_test_init          (int           *argc,
                                       char        ***argv);
const char *shmlab_test_get_temp_dir  (void);
void        shmlab_test_remove_tree    (const char    *path);
char       *shmlab_test_unique_key    (const char    *stem);
void        shmlab_test_track_key     (const char    *key);
void        shmlab_test_cleanup       (void);
char       *shmlab_test_build_file    (const char    *name);
ShmlabImage *shmlab_test_gradient_new (guint32        width,
                                       guint32        height);
char       *shmlab_test_source_file   (const char    *first_part,
                                       ...) G_GNUC_NULL_TERMINATED;
const char *shmlab_test_cli_path      (void);
gboolean    shmlab_test_run_cli       (char         **out,
                                       char         **err,
                                       int           *status,
                                       const char    *first_arg,
                                       ...) G_GNUC_NULL_TERMINATED;
gboolean    shmlab_test_run_cliv      (char         **out,
                                       char         **err,
                                       int           *status,
                                       const char    *first_arg,
                                       va_list        ap);

/* Running the main context until a condition holds, bounded by @seconds:
 * spin_until says whether it came to hold, wait_until fails the test
 * ("gave up waiting for @what") when it did not. */
gboolean shmlab_test_spin_until        (ShmlabTestCondition  condition,
                                        gpointer             data,
                                        guint                seconds);
#define shmlab_test_wait_until(condition, data, seconds, what) \
  shmlab_test_wait_until_at (__FILE__, __LINE__, G_STRFUNC, condition, data, seconds, what)
void     shmlab_test_wait_until_at     (const char          *file,
                                        int                  line,
                                        const char          *func,
                                        ShmlabTestCondition  condition,
                                        gpointer             data,
                                        guint                seconds,
                                        const char          *what);
gboolean shmlab_test_segment_gone      (gpointer             key);
gboolean shmlab_test_segment_there     (gpointer             key);
gboolean shmlab_test_flag_set          (gpointer             data);
gboolean shmlab_test_pointer_set       (gpointer             data);
gboolean shmlab_test_pointer_cleared   (gpointer             data);
gboolean shmlab_test_only_test_holds   (gpointer             object);
void     shmlab_test_store_result      (GObject             *source,
                                        GAsyncResult        *result,
                                        gpointer             user_data);
guint    shmlab_test_count_occurrences (const char          *haystack,
                                        const char          *needle);

char        *shmlab_test_process_name        (GSubprocess   *process);
GSubprocess *shmlab_test_start_lock_holder   (const char    *key,
                                             ShmlabBackend  backend);
void         shmlab_test_release_lock_holder (GSubprocess   *holder);

G_END_DECLS
