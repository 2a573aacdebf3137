/* shmlab-command.h — commands a message suggests, written so that they can
 * be pasted into a shell as they are
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "shmlab-backend.h"

G_BEGIN_DECLS

char *shmlab_shell_quote_arg    (const char         *arg);
char *shmlab_shell_join         (const char * const *argv);
char *shmlab_command_for_key    (const char         *command,
                                 const char         *key,
                                 ShmlabBackend       backend,
                                 const char         *option);
char *shmlab_command_for_backend (const char        *command,
                                  ShmlabBackend      backend);

G_END_DECLS
