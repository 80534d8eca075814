/* hearth-test-util.c
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <glib/gstdio.h>
#include <grp.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hearth-test-util.h"

void
hearth_test_rng_init (HearthTestRng *rng,
                      guint64        seed)
{
  rng->state = seed;
}

guint64
hearth_test_rng_next (HearthTestRng *rng)
{
  guint64 z = (rng->state += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

void
hearth_test_rng_fill (HearthTestRng *rng,
                      guint8        *buf,
                      gsize          len)
{
  gsize i = 0;

  for (; i + 8 <= len; i += 8)
    {
      guint64 v = GUINT64_TO_LE (hearth_test_rng_next (rng));
      memcpy (buf + i, &v, 8);
    }

  if (i < len)
    {
      guint64 v = GUINT64_TO_LE (hearth_test_rng_next (rng));
      memcpy (buf + i, &v, len - i);
    }
}

/* Returns @len bytes of the seeded stream (never NULL, even for 0). */
guint8 *
hearth_test_random_bytes (gsize   len,
                          guint64 seed)
{
  guint8 *buf = g_malloc (MAX (len, 1));
  HearthTestRng rng;

  hearth_test_rng_init (&rng, seed);
  hearth_test_rng_fill (&rng, buf, len);
  return buf;
}

char *
hearth_test_make_tmpdir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("hearth-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

/* Removes what is inside @dir_fd, working by name from descriptors, so
 * that trees deeper than PATH_MAX (which tests make on purpose) go too, and
 * giving back access to directories tests made unreadable. */
static void
remove_contents (int dir_fd)
{
  DIR *dir;
  struct dirent *entry;
  int fd = dup (dir_fd);

  if (fd < 0 || (dir = fdopendir (fd)) == NULL)
    {
      if (fd >= 0)
        close (fd);
      return;
    }

  while ((entry = readdir (dir)) != NULL)
    {
      const char *name = entry->d_name;
      struct stat st;
      int child;

      if (strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
        continue;
      if (fstatat (dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        continue;

      if (S_ISDIR (st.st_mode))
        {
          fchmodat (dir_fd, name, 0700, 0);
          child = openat (dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (child >= 0)
            {
              remove_contents (child);
              close (child);
            }
          unlinkat (dir_fd, name, AT_REMOVEDIR);
        }
      else
        {
          unlinkat (dir_fd, name, 0);
        }
    }
  closedir (dir);
}

void
hearth_test_rm_rf (const char *path)
{
  int fd;

  if (path == NULL)
    return;

  chmod (path, 0700);
  fd = open (path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0)
    {
      remove_contents (fd);
      close (fd);
    }
  rmdir (path);
}

void
hearth_test_write_file (const char *path,
                        const void *data,
                        gsize       len)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, data, len, &error);
  g_assert_no_error (error);
}

void
hearth_test_write_random (const char *path,
                          gsize       len,
                          guint64     seed)
{
  g_autofree guint8 *buf = hearth_test_random_bytes (len, seed);

  hearth_test_write_file (path, buf, len);
}

/* Permission tests need a user that permissions apply to. As root (CI),
 * the test runs again in a subprocess that becomes "nobody" before it
 * makes any file; otherwise it runs in a subprocess as it is. */
void
hearth_test_run_unprivileged (const char *test_path)
{
  g_test_trap_subprocess (test_path, 0,
                          G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* For the subprocess: returns FALSE, with the test failed, when root could
 * not become "nobody". A skip here would pass in the parent unseen. */
gboolean
hearth_test_drop_root (void)
{
  if (geteuid () != 0)
    return TRUE;

  if (setgroups (0, NULL) != 0 || setgid (65534) != 0 || setuid (65534) != 0)
    {
      g_test_fail_printf ("cannot drop root privileges to test permissions: %s",
                          g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

/* The path of a built program, which meson gives the tests in @env_var. */
const char *
hearth_test_program_path (const char *env_var)
{
  const char *path = g_getenv (env_var);

  g_assert_nonnull (path);
  return path;
}

/* Runs @argv with @envp and collects its output and exit status. */
void
hearth_test_run_argv (HearthTestRun       *run,
                      const char * const  *argv,
                      char               **envp)
{
  g_autoptr(GError) error = NULL;
  int wait_status;

  g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_DEFAULT, NULL, NULL,
                &run->out, &run->err, &wait_status, &error);
  g_assert_no_error (error);

  /* A crash or a sanitizer abort is never an acceptable answer. */
  g_assert_true (WIFEXITED (wait_status));
  run->status = WEXITSTATUS (wait_status);
}

void
hearth_test_run_clear (HearthTestRun *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}
