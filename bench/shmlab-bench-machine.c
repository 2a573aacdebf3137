/* shmlab-bench-machine.c — the machine a benchmark ran on, as the kernel
 * describes it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "shmlab-bench-machine.h"

#include <glib/gi18n-lib.h>

#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

/* The value of the first "NAME : value" line of /proc/cpuinfo, or NULL. */
static char *
cpuinfo_field (const char *contents,
               const char *name)
{
  g_auto(GStrv) lines = g_strsplit (contents, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *colon = strchr (lines[i], ':');

      if (colon == NULL)
        continue;
      *colon = '\0';
      if (strcmp (g_strstrip (lines[i]), name) == 0)
        return g_strstrip (g_utf8_make_valid (colon + 1, -1));
    }
  return NULL;
}

void
shmlab_bench_machine_read (ShmlabBenchMachine *machine)
{
  g_autofree char *cpuinfo = NULL;
  g_autofree char *flags = NULL;
  g_autofree char *loadavg = NULL;
  struct utsname name;
  long pages = sysconf (_SC_PHYS_PAGES), page_size = sysconf (_SC_PAGESIZE);

  memset (machine, 0, sizeof *machine);
  if (g_file_get_contents ("/proc/cpuinfo", &cpuinfo, NULL, NULL))
    {
      machine->cpu_model = cpuinfo_field (cpuinfo, "model name");
      flags = cpuinfo_field (cpuinfo, "flags");
    }
  if (machine->cpu_model == NULL)
    machine->cpu_model = g_strdup (_("unknown processor"));
  machine->cores = g_get_num_processors ();
  if (uname (&name) == 0)
    machine->kernel = g_strdup_printf ("%s %s", name.sysname, name.release);
  else
    machine->kernel = g_strdup (_("unknown kernel"));
  if (pages > 0 && page_size > 0)
    machine->memory_bytes = (guint64) pages * (guint64) page_size;
  /* Other programs running at the same time make every figure noisier. */
  machine->load_average = -1;
  if (g_file_get_contents ("/proc/loadavg", &loadavg, NULL, NULL))
    machine->load_average = g_ascii_strtod (loadavg, NULL);
  /* Timings in a virtual machine include the hypervisor's share. */
  if (flags != NULL)
    {
      g_auto(GStrv) words = g_strsplit (flags, " ", -1);
      if (g_strv_contains ((const char * const *) words, "hypervisor"))
        machine->hypervisor = g_strdup (_("virtual machine"));
    }
}

void
shmlab_bench_machine_clear (ShmlabBenchMachine *machine)
{
  g_clear_pointer (&machine->cpu_model, g_free);
  g_clear_pointer (&machine->kernel, g_free);
  g_clear_pointer (&machine->hypervisor, g_free);
}

/* "AMD EPYC, 2 cores, 23.5 GiB, Linux 6.1.0 (virtual machine)" */
char *
shmlab_bench_machine_describe (const ShmlabBenchMachine *machine)
{
  g_autofree char *memory = g_format_size_full (machine->memory_bytes, G_FORMAT_SIZE_IEC_UNITS);

  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s, %u core, %s of memory, %s%s%s%s",
                                       "%s, %u cores, %s of memory, %s%s%s%s", machine->cores),
                          machine->cpu_model, machine->cores, memory,
                          machine->kernel, machine->hypervisor ? " (" : "",
                          machine->hypervisor ? machine->hypervisor : "",
                          machine->hypervisor ? ")" : "");
}
