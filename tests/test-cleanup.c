/* test-cleanup.c — "Clean up stale segments…": a segment a crashed Qt
 * program left (an empty key file, the segment, its semaphore) is listed
 * with its size and age, and its row's Remove takes it away with its lock
 * and key files; the sentence under the list says what happened
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-test-gtk.h"
#include "shmlab-test-util.h"

#include <fcntl.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <unistd.h>

#include "shmlab-app-support.h"
#include "shmlab-cleanup.h"

#define WAIT_SECONDS 30

static gboolean
idle (gpointer window)
{
  return !shmlab_cleanup_get_busy (window);
}

/* The row's Remove button of the row that names @name. */
static GtkWidget *
remove_button_of (GtkWidget  *root,
                  const char *name)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_LABEL (child) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (child)), name) == 0)
        {
          GtkWidget *button = gtk_widget_get_last_child (root);
          return GTK_IS_BUTTON (button) ? button : NULL;
        }
      if ((found = remove_button_of (child, name)) != NULL)
        return found;
    }
  return NULL;
}

static gboolean
window_gone (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
test_remove_row (void)
{
  g_autofree char *key = shmlab_test_unique_key ("crashedqt");
  g_autofree char *sha1 = g_compute_checksum_for_string (G_CHECKSUM_SHA1, key, -1);
  g_autofree char *letters = g_strdup (key);
  g_autofree char *file = NULL, *lock_file = NULL;
  ShmlabCleanup *window;
  GtkWidget *remove;
  int fd, id, sem_id;

  /* Qt's safe name keeps the key's letters only. */
  {
    char *out = letters;
    for (const char *p = key; *p; p++)
      if (g_ascii_isalpha (*p))
        *out++ = *p;
    *out = '\0';
  }
  file = g_strdup_printf ("%s/qipc_sharedmemory_%s%s", shmlab_test_get_temp_dir (), letters, sha1);
  lock_file = g_strdup_printf ("%s/qipc_systemsem_%s%s", shmlab_test_get_temp_dir (), letters, sha1);
  fd = open (file, O_CREAT | O_EXCL | O_WRONLY, 0640);
  g_assert_cmpint (fd, >=, 0);
  close (fd);
  fd = open (lock_file, O_CREAT | O_EXCL | O_WRONLY, 0640);
  g_assert_cmpint (fd, >=, 0);
  close (fd);
  id = shmget (ftok (file, 'Q'), 4096, IPC_CREAT | IPC_EXCL | 0600);
  g_assert_cmpint (id, >=, 0);
  sem_id = semget (ftok (lock_file, 'Q'), 1, IPC_CREAT | IPC_EXCL | 0600);
  g_assert_cmpint (sem_id, >=, 0);

  window = shmlab_cleanup_show (NULL);
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  shmlab_test_wait_until (idle, window, WAIT_SECONDS, "the first look");
  g_assert_cmpuint (shmlab_cleanup_get_n_rows (window), >=, 1);
  g_assert_nonnull (strstr (shmlab_cleanup_get_status (window), "stale segment"));
  remove = remove_button_of (GTK_WIDGET (window), file);
  if (remove == NULL)
    shmlab_test_fail ("no row names %s", file);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (remove)), ==, "Remove");
  g_signal_emit_by_name (remove, "clicked");
  g_assert_true (shmlab_cleanup_get_busy (window));
  shmlab_test_wait_until (idle, window, WAIT_SECONDS, "the removal and the look after it");
  g_assert_nonnull (strstr (shmlab_cleanup_get_status (window), "Removed 1 segment"));
  g_assert_null (remove_button_of (GTK_WIDGET (window), file));

  {
    struct shmid_ds ds;
    g_assert_cmpint (shmctl (id, IPC_STAT, &ds), ==, -1);
    g_assert_cmpint (semctl (sem_id, 0, GETVAL), ==, -1);
  }
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (lock_file, G_FILE_TEST_EXISTS));

  gtk_window_destroy (GTK_WINDOW (window));
  shmlab_test_wait_until (window_gone, &window, WAIT_SECONDS, "the window to go");
}

int
main (int    argc,
      char **argv)
{
  shmlab_test_init (&argc, &argv);
  gtk_init ();
  shmlab_app_support_init ();

  g_test_add_func ("/cleanup/remove-row", test_remove_row);
  return g_test_run ();
}
