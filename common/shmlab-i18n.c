/* shmlab-i18n.c — message catalogues for every ShmLab program: the installed
 * ones, or the build tree's when a program runs from there
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-i18n.h"

#include <locale.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#ifndef SHMLAB_LOCALEDIR
#error "SHMLAB_LOCALEDIR must be defined by the build"
#endif
#ifndef SHMLAB_BUILD_ROOT
#error "SHMLAB_BUILD_ROOT must be defined by the build"
#endif

/* TRUE when the running executable lives under the build tree. */
static gboolean
running_from_build_tree (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  gsize root_len = strlen (SHMLAB_BUILD_ROOT);

  if (exe == NULL || root_len == 0)
    return FALSE;
  return strncmp (exe, SHMLAB_BUILD_ROOT, root_len) == 0 && exe[root_len] == G_DIR_SEPARATOR;
}

/* SHMLAB_LOCALEDIR in the environment wins, then the build tree's catalogues
 * when running uninstalled, then the installed ones. */
const char *
shmlab_i18n_localedir (void)
{
  static const char *dir;

  if (g_once_init_enter (&dir))
    {
      const char *env = g_getenv ("SHMLAB_LOCALEDIR");
      const char *chosen;

      if (env != NULL && *env != '\0')
        chosen = g_intern_string (env);
      else if (running_from_build_tree ())
        chosen = SHMLAB_BUILD_ROOT G_DIR_SEPARATOR_S "po";
      else
        chosen = SHMLAB_LOCALEDIR;
      g_once_init_leave (&dir, chosen);
    }
  return dir;
}

/* LANGUAGE=zh_CN or zh_TW picks the catalogue under any UTF-8 locale, C.UTF-8
 * included; gettext ignores LANGUAGE only when the locale is plain "C". */
void
shmlab_i18n_init (void)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, shmlab_i18n_localedir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}
