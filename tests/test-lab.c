/* test-lab.c — the Lab: the Writer and the Reader side by side in one
 * window and one process. What one pane writes the other reads; while the
 * Reader follows, this one process maps the segment twice, at two
 * addresses, and the Memory tab says so; each pane's actions are its own;
 * closing the window detaches both and leaves nothing behind.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-test-gtk.h"
#include "shmlab-test-util.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "shmlab-app-support.h"
#include "shmlab-lab-window.h"
#include "shmlab-memory-map.h"
#include "shmlab-segment.h"

#define WAIT_SECONDS 30

typedef struct
{
  ShmlabLabWindow *window;
  ShmlabWriterStation *writer;
  ShmlabReaderStation *reader;
} Lab;

static gboolean
widget_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static gboolean
stations_idle (gpointer data)
{
  Lab *lab = data;

  return !shmlab_station_get_busy (SHMLAB_STATION (lab->writer)) &&
         !shmlab_station_get_busy (SHMLAB_STATION (lab->reader));
}

static void
lab_open (Lab        *lab,
          const char *key)
{
  lab->window = g_object_ref_sink (shmlab_lab_window_new (NULL));
  lab->writer = shmlab_lab_window_get_writer (lab->window);
  lab->reader = shmlab_lab_window_get_reader (lab->window);
  shmlab_key_bar_set_key (shmlab_station_get_key_bar (SHMLAB_STATION (lab->writer)), key);
  shmlab_key_bar_set_key (shmlab_station_get_key_bar (SHMLAB_STATION (lab->reader)), key);
  gtk_window_present (GTK_WINDOW (lab->window));
  shmlab_test_wait_until (widget_mapped, lab->window, WAIT_SECONDS, "the Lab to show");
}

static void
lab_close (Lab       *lab,
           ShmlabKey *key)
{
  shmlab_test_wait_until (stations_idle, lab, WAIT_SECONDS, "both panes to be idle");
  gtk_window_destroy (GTK_WINDOW (lab->window));
  g_assert_finalize_object (lab->window);
  shmlab_test_wait_until (shmlab_test_all_detached, NULL, WAIT_SECONDS, "both panes' sessions to detach");
  /* The last detach removed the segment. */
  shmlab_test_wait_until (shmlab_test_segment_gone, key, WAIT_SECONDS, "the segment to go");
}

typedef struct
{
  ShmlabKey *key;
  ShmlabMemoryMap *map;
} Look;

static gboolean
mapped_twice (gpointer data)
{
  Look *look = data;

  g_clear_pointer (&look->map, shmlab_memory_map_free);
  look->map = shmlab_memory_map_scan (look->key, NULL, NULL);
  /* The kernel's count is read just before /proc: a look that raced the
   * attach sees one and two; the next one agrees. */
  return look->map != NULL && look->map->exists && look->map->mappings->len == 2 &&
         look->map->attach_count == 2;
}

typedef struct
{
  ShmlabMemoryView *view;
  guint want;
} ViewLook;

static gboolean
view_shows (gpointer data)
{
  ViewLook *look = data;
  const ShmlabMemoryMap *map = shmlab_memory_view_get_map (look->view);

  return map != NULL && map->exists && map->mappings->len == look->want;
}

/* The Writer's pane writes, the Reader's pane follows: one pid, two
 * mappings at two addresses (the Writer's read-write, the Reader's
 * read-only), the same memory; the Reader's Memory tab, in front in the
 * Lab, shows both. */
static void
test_one_process_two_mappings (void)
{
  g_autofree char *name = shmlab_test_unique_key ("lab");
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabKey) key = shmlab_key_new (name, SHMLAB_BACKEND_SYSV, &error);
  Lab lab;
  Look look = { key, NULL };
  ViewLook view_look = { NULL, 2 };
  const ShmlabMemoryMapping *a, *b;

  g_assert_no_error (error);
  lab_open (&lab, name);
  g_assert_cmpstr (shmlab_station_get_side_page (SHMLAB_STATION (lab.reader)), ==, "memory");

  shmlab_writer_station_set_text (lab.writer, "one memory, two addresses");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (lab.writer), "win.write", NULL));
  shmlab_test_wait_until (stations_idle, &lab, WAIT_SECONDS, "the write");
  g_assert_null (shmlab_writer_station_get_error_text (lab.writer));

  shmlab_reader_station_set_following (lab.reader, TRUE);
  shmlab_test_wait_until (mapped_twice, &look, WAIT_SECONDS, "two mappings of the segment");
  a = g_ptr_array_index (look.map->mappings, 0);
  b = g_ptr_array_index (look.map->mappings, 1);
  g_assert_cmpuint (a->pid, ==, (guint32) getpid ());
  g_assert_cmpuint (b->pid, ==, (guint32) getpid ());
  g_assert_cmpuint (a->start, !=, b->start);
  g_assert_cmpuint (a->end - a->start, ==, b->end - b->start);
  g_assert_true (a->writable != b->writable);
  g_assert_true (look.map->attach_count_exact);

  view_look.view = SHMLAB_MEMORY_VIEW (shmlab_test_find_by_type (GTK_WIDGET (lab.reader),
                                                                 SHMLAB_TYPE_MEMORY_VIEW));
  g_assert_nonnull (view_look.view);
  shmlab_test_wait_until (view_shows, &view_look, WAIT_SECONDS,
                          "the Reader's Memory tab to show both mappings");
  g_assert_nonnull (strstr (shmlab_memory_view_get_text (view_look.view), "attached: 2 (all shown)"));

  shmlab_reader_station_set_following (lab.reader, FALSE);
  g_clear_pointer (&look.map, shmlab_memory_map_free);
  lab_close (&lab, key);
}

static gboolean
read_once (gpointer data)
{
  Lab *lab = data;

  return shmlab_reader_station_get_n_results (lab->reader) > 0 &&
         !shmlab_station_get_busy (SHMLAB_STATION (lab->reader));
}

/* The Lab meets separate programs by the same key: what another process
 * wrote and holds, the Lab's Reader reads; what the Lab's Writer writes,
 * another process reads. */
static void
test_other_processes (void)
{
  g_autofree char *name = shmlab_test_unique_key ("labother");
  g_autoptr(GError) error = NULL;
  g_autoptr(ShmlabKey) key = shmlab_key_new (name, SHMLAB_BACKEND_SYSV, &error);
  g_autoptr(GSubprocess) holder = NULL;
  g_autofree char *shown = NULL;
  g_autofree char *out = NULL;
  Lab lab;

  g_assert_no_error (error);
  holder = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                             &error, shmlab_test_cli_path (), "write", name, "--text",
                             "from another process", "--hold", "60", NULL);
  g_assert_no_error (error);
  shmlab_test_wait_until (shmlab_test_segment_there, key, WAIT_SECONDS, "shmlab write to make its segment");

  lab_open (&lab, name);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (lab.reader), "win.read", NULL));
  shmlab_test_wait_until (read_once, &lab, WAIT_SECONDS, "the Lab's Reader to read");
  g_assert_null (shmlab_reader_station_get_problem (lab.reader));
  shown = shmlab_content_view_get_text (shmlab_reader_station_get_content_view (lab.reader));
  g_assert_cmpstr (shown, ==, "from another process");

  /* The other process goes (it was the last attached: its segment goes too). */
  g_subprocess_send_signal (holder, SIGTERM);
  g_assert_true (g_subprocess_wait (holder, NULL, &error));
  g_assert_no_error (error);
  shmlab_test_wait_until (shmlab_test_segment_gone, key, WAIT_SECONDS, "the other process's segment to go");

  shmlab_writer_station_set_text (lab.writer, "from the Lab");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (lab.writer), "win.write", NULL));
  shmlab_test_wait_until (stations_idle, &lab, WAIT_SECONDS, "the write");
  g_assert_null (shmlab_writer_station_get_error_text (lab.writer));
  {
    const char *argv[] = { shmlab_test_cli_path (), "read", name, NULL };
    int status = -1;

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                                 NULL, &status, &error));
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_assert_nonnull (strstr (out, "from the Lab"));
  }
  lab_close (&lab, key);
}

/* Each pane answers its own actions only: the Writer's pane has no Read,
 * the Reader's no Write; each header bar carries its own title, and the
 * window's buttons are shared out between them. */
static void
test_panes_apart (void)
{
  g_autofree char *name = shmlab_test_unique_key ("labapart");
  g_autoptr(ShmlabKey) key = shmlab_key_new (name, SHMLAB_BACKEND_SYSV, NULL);
  GtkWidget *writer_bar, *reader_bar;
  Lab lab;

  lab_open (&lab, name);
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (lab.writer), "win.read", NULL));
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (lab.reader), "win.write", NULL));
  g_assert_nonnull (shmlab_test_find_label (GTK_WIDGET (lab.writer), FALSE, "ShmLab Writer"));
  g_assert_nonnull (shmlab_test_find_label (GTK_WIDGET (lab.reader), FALSE, "ShmLab Reader"));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (lab.window)), ==, "ShmLab Lab");

  writer_bar = shmlab_test_find_by_type (GTK_WIDGET (lab.writer), GTK_TYPE_HEADER_BAR);
  reader_bar = shmlab_test_find_by_type (GTK_WIDGET (lab.reader), GTK_TYPE_HEADER_BAR);
  g_assert_true (g_str_has_suffix (gtk_header_bar_get_decoration_layout (GTK_HEADER_BAR (writer_bar)), ":"));
  g_assert_true (g_str_has_prefix (gtk_header_bar_get_decoration_layout (GTK_HEADER_BAR (reader_bar)), ":"));
  lab_close (&lab, key);
}

int
main (int    argc,
      char **argv)
{
  shmlab_test_init (&argc, &argv);
  gtk_init ();
  shmlab_app_support_init ();

  g_test_add_func ("/lab/one-process-two-mappings", test_one_process_two_mappings);
  g_test_add_func ("/lab/panes-apart", test_panes_apart);
  g_test_add_func ("/lab/other-processes", test_other_processes);
  return g_test_run ();
}
