/* hearth-file-stat.c
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "HearthEngine"

#include "config.h"

#include "hearth-file-stat.h"

/* File systems store times beyond what 64-bit nanoseconds hold (past
 * 2262, before 1678): those are clamped, never wrapped. */
static gint64
timespec_to_ns (const struct timespec *ts)
{
  gint64 ns;

  if (__builtin_mul_overflow ((gint64) ts->tv_sec, G_GINT64_CONSTANT (1000000000), &ns) ||
      __builtin_add_overflow (ns, (gint64) ts->tv_nsec, &ns))
    return ts->tv_sec < 0 ? G_MININT64 : G_MAXINT64;

  return ns;
}

/* Returns FALSE for the kinds Hearth does not back up (devices, sockets,
 * pipes), leaving @out untouched. */
gboolean
hearth_file_stat_from_stat (HearthFileStat    *out,
                            const struct stat *st)
{
  HearthFileType type;

  if (S_ISREG (st->st_mode))
    type = HEARTH_FILE_TYPE_REGULAR;
  else if (S_ISDIR (st->st_mode))
    type = HEARTH_FILE_TYPE_DIRECTORY;
  else if (S_ISLNK (st->st_mode))
    type = HEARTH_FILE_TYPE_SYMLINK;
  else
    return FALSE;

  out->type = type;
  out->mode = st->st_mode & 07777;
  out->size = type == HEARTH_FILE_TYPE_DIRECTORY ? 0 : (guint64) st->st_size;
  out->mtime_ns = timespec_to_ns (&st->st_mtim);
  out->ctime_ns = timespec_to_ns (&st->st_ctim);
  out->inode = (guint64) st->st_ino;
  return TRUE;
}

gboolean
hearth_file_stat_equal (const HearthFileStat *a,
                        const HearthFileStat *b)
{
  return a->type == b->type &&
         a->mode == b->mode &&
         a->size == b->size &&
         a->mtime_ns == b->mtime_ns &&
         a->ctime_ns == b->ctime_ns &&
         a->inode == b->inode;
}

const char *
hearth_file_type_to_string (HearthFileType type)
{
  switch (type)
    {
    case HEARTH_FILE_TYPE_REGULAR:
      return "file";
    case HEARTH_FILE_TYPE_DIRECTORY:
      return "directory";
    case HEARTH_FILE_TYPE_SYMLINK:
      return "symlink";
    default:
      return "unknown";
    }
}
