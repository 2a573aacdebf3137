/* main.c — the Lab
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-app-support.h"
#include "shmlab-i18n.h"
#include "shmlab-lab-application.h"

int
main (int argc, char **argv)
{
  shmlab_i18n_init ();
  return shmlab_app_run (G_APPLICATION (shmlab_lab_application_new ()), argc, argv);
}
