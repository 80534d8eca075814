/* hearth-file-stat.c
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "hearth-file-stat.h"

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
  out->mtime_ns = (gint64) st->st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000) + st->st_mtim.tv_nsec;
  out->ctime_ns = (gint64) st->st_ctim.tv_sec * G_GINT64_CONSTANT (1000000000) + st->st_ctim.tv_nsec;
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
