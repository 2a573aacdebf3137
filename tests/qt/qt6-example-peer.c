/* qt6-example-peer.c — a program that does on Linux exactly what Qt 6.7's
 * Shared Memory Example does with its native key (QNativeIpcKey, POSIX):
 * the segment shm_open(NAME) and its lock sem_open(NAME), no hash, no
 * prefix; a QDataStream of a QImage in it (the big-endian 32-bit 1, then a
 * PNG file); create() failing with "already exists" attaches instead; the
 * creator of the lock removes it when it ends, and nobody ever removes the
 * segment (Qt 6 leaves POSIX segments in /dev/shm). Debian's Qt is 6.4,
 * which has no native keys: this is the peer the tests meet instead.
 *
 *   qt6-example-peer load NAME FILE.png   load, write, say "loaded", stay
 *                                         until SIGTERM or end of input
 *   qt6-example-peer read NAME OUT.png    attach read-only, copy under the
 *                                         lock, save the PNG, exit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static sem_t *lock_sem = SEM_FAILED;
static int created_lock;
static char lock_name[300];

static int
fail (const char *what)
{
  fprintf (stderr, "qt6-example-peer: %s: %s\n", what, strerror (errno));
  return 1;
}

/* QSystemSemaphore(key, 1, Create) of a native POSIX key. */
static int
open_lock (const char *name)
{
  snprintf (lock_name, sizeof lock_name, "%s", name);
  lock_sem = sem_open (name, O_CREAT | O_EXCL, 0600, 1);
  if (lock_sem != SEM_FAILED)
    created_lock = 1;
  else if (errno == EEXIST)
    lock_sem = sem_open (name, 0);
  return lock_sem == SEM_FAILED ? -1 : 0;
}

static int
lock (void)
{
  while (sem_wait (lock_sem) != 0)
    if (errno != EINTR)
      return -1;
  return 0;
}

static void
unlock (void)
{
  sem_post (lock_sem);
}

/* ~QSystemSemaphore: the creator unlinks the name. */
static void
close_lock (void)
{
  if (lock_sem != SEM_FAILED)
    sem_close (lock_sem);
  if (created_lock)
    sem_unlink (lock_name);
}

static volatile sig_atomic_t stopping;

static void
on_signal (int signum)
{
  (void) signum;
  stopping = 1;
}

static int
load (const char *name,
      const char *file)
{
  FILE *in = fopen (file, "rb");
  unsigned char *png = NULL;
  long png_size;
  size_t size;
  unsigned char *data;
  struct stat st;
  int fd;
  char byte;

  if (in == NULL || fseek (in, 0, SEEK_END) != 0 || (png_size = ftell (in)) <= 0 ||
      fseek (in, 0, SEEK_SET) != 0 || (png = malloc ((size_t) png_size)) == NULL ||
      fread (png, 1, (size_t) png_size, in) != (size_t) png_size)
    return fail (file);
  fclose (in);
  size = 4 + (size_t) png_size;

  if (open_lock (name) != 0)
    return fail ("sem_open");
  /* create(size), under the lock as QSharedMemory runs it; "already
   * exists" attaches instead, as the example does. */
  if (lock () != 0)
    return fail ("sem_wait");
  fd = shm_open (name, O_RDWR | O_CREAT | O_EXCL, 0600);
  if (fd >= 0)
    {
      if (ftruncate (fd, (off_t) size) != 0)
        return fail ("ftruncate");
    }
  else if (errno == EEXIST)
    fd = shm_open (name, O_RDWR, 0600);
  if (fd < 0 || fstat (fd, &st) != 0)
    return fail ("shm_open");
  data = mmap (NULL, (size_t) st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close (fd);
  unlock ();
  if (data == MAP_FAILED)
    return fail ("mmap");

  /* lock(); memcpy(to, from, qMin(size(), size)); unlock(); */
  if (lock () != 0)
    return fail ("sem_wait");
  data[0] = 0;
  data[1] = 0;
  data[2] = 0;
  data[3] = 1;
  memcpy (data + 4, png, (size_t) st.st_size - 4 < (size_t) png_size ? (size_t) st.st_size - 4
                                                                     : (size_t) png_size);
  unlock ();
  free (png);

  {
    /* No SA_RESTART: the signal ends the read() below. */
    struct sigaction action = { .sa_handler = on_signal };

    sigaction (SIGTERM, &action, NULL);
    sigaction (SIGINT, &action, NULL);
  }
  printf ("loaded %zu bytes\n", size);
  fflush (stdout);
  while (!stopping && read (STDIN_FILENO, &byte, 1) > 0)
    ;
  /* detach(): unmapped; on Linux Qt 6 never unlinks the segment. */
  munmap (data, (size_t) st.st_size);
  close_lock ();
  return 0;
}

static int
read_to (const char *name,
         const char *file)
{
  unsigned char *copy;
  const unsigned char *data;
  struct stat st;
  FILE *out;
  int fd;

  if (open_lock (name) != 0)
    return fail ("sem_open");
  fd = shm_open (name, O_RDONLY, 0);
  if (fd < 0 || fstat (fd, &st) != 0)
    return fail ("shm_open");
  if (st.st_size < 5)
    {
      fprintf (stderr, "qt6-example-peer: the segment holds %lld bytes, no image\n",
               (long long) st.st_size);
      return 1;
    }
  data = mmap (NULL, (size_t) st.st_size, PROT_READ, MAP_SHARED, fd, 0);
  close (fd);
  if (data == MAP_FAILED)
    return fail ("mmap");
  copy = malloc ((size_t) st.st_size);
  if (copy == NULL || lock () != 0)
    return fail ("lock");
  memcpy (copy, data, (size_t) st.st_size);
  unlock ();
  munmap ((void *) data, (size_t) st.st_size);
  close_lock ();

  if (copy[0] != 0 || copy[1] != 0 || copy[2] != 0 || copy[3] != 1)
    {
      fprintf (stderr, "qt6-example-peer: no QImage in the segment (marker %02x%02x%02x%02x)\n",
               copy[0], copy[1], copy[2], copy[3]);
      return 1;
    }
  out = fopen (file, "wb");
  if (out == NULL || fwrite (copy + 4, 1, (size_t) st.st_size - 4, out) != (size_t) st.st_size - 4 ||
      fclose (out) != 0)
    return fail (file);
  free (copy);
  printf ("read %lld bytes\n", (long long) st.st_size);
  return 0;
}

int
main (int    argc,
      char **argv)
{
  if (argc == 4 && strcmp (argv[1], "load") == 0)
    return load (argv[2], argv[3]);
  if (argc == 4 && strcmp (argv[1], "read") == 0)
    return read_to (argv[2], argv[3]);
  fprintf (stderr, "usage: qt6-example-peer load|read NAME FILE.png\n");
  return 2;
}
