/* shmlab-json.h — a string written into JSON, whatever bytes it holds
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void shmlab_json_append_string (GString    *json,
                                const char *text);
void shmlab_json_append_number (GString    *json,
                                double      value);

G_END_DECLS
