/* shmlab-i18n.h — message catalogues for every ShmLab program
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

const char *shmlab_i18n_localedir (void);
void        shmlab_i18n_init      (void);

G_END_DECLS
