/* shmlab-app-support.h — what both applications share beyond widgets: the
 * common command-line options, screenshots, resources and styles
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "shmlab-frame-probe.h"
#include "shmlab-native-key.h"
#include "shmlab-session.h"
#include "shmlab-station.h"

G_BEGIN_DECLS

/**
 * ShmlabAppOptions:
 * @key: --key (NULL: the default key)
 * @backend: --backend (or what a Qt string form given as --key names)
 * @kind: --key-kind
 * @lock_timeout_ms: --lock-timeout (default 5000)
 * @screenshot: --screenshot FILE.png: draw the window once ready, save, exit
 * @screenshot_delay_ms: --screenshot-delay MS
 * @screenshot_scale: --screenshot-scale N, 1 to 4 (0: the display's scale)
 * @zoom: --zoom PERCENT, 50 to 300 (0: the zoom remembered)
 * @print_steps: --print-steps: also print each step on standard output
 * @page: --page: the side page shown first, "steps" or "segment" (NULL: steps)
 * @show: --show: a window opened at start in front, "help" or "shortcuts" (NULL: none)
 * @version: --version: print the version and exit
 * @frame_probe: --frame-probe FILE: record the gaps between the window's
 *   frames and write them as JSON to FILE when it closes
 */
typedef struct
{
  char *key;
  ShmlabBackend backend;
  ShmlabKeyKind kind;
  gint lock_timeout_ms;
  char *screenshot;
  gint screenshot_delay_ms;
  gint screenshot_scale;
  gint zoom;
  gboolean print_steps;
  char *page;
  char *show;
  gboolean version;
  char *frame_probe;
} ShmlabAppOptions;

void     shmlab_app_options_add        (GApplication     *app);
gboolean shmlab_app_options_read       (GVariantDict     *options,
                                        ShmlabAppOptions *out,
                                        GError          **error);
void     shmlab_app_options_clear      (ShmlabAppOptions *options);
void     shmlab_app_options_apply      (const ShmlabAppOptions *options,
                                        ShmlabStation          *station);
void     shmlab_app_options_apply_window (const ShmlabAppOptions *options,
                                          GtkWindow              *window);
void     shmlab_app_options_startup    (const ShmlabAppOptions *options,
                                        GtkApplication   *app);
void     shmlab_app_print_version      (void);
ShmlabFrameProbe *shmlab_app_get_frame_probe (void);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ShmlabAppOptions, shmlab_app_options_clear)

void     shmlab_app_support_init       (void);
int      shmlab_app_run                (GApplication     *app,
                                        int               argc,
                                        char            **argv);
void     shmlab_app_set_exit_status    (GApplication     *app,
                                        int               status);

void     shmlab_window_screenshot_when_ready (GtkWindow  *window,
                                              const char *path,
                                              guint       delay_ms);
void     shmlab_app_close_windows      (GApplication     *app);
void     shmlab_app_add_quit           (GtkApplication   *app);
void     shmlab_app_quit_on_signals    (GApplication     *app);
void     shmlab_app_shutdown           (GApplication     *app,
                                        const char       *program);
gboolean shmlab_app_wait_detached      (guint             timeout_ms);
gboolean shmlab_widget_save_png        (GtkWidget        *widget,
                                        const char       *path,
                                        int               scale,
                                        GError          **error);

G_END_DECLS
