/* hearth-file-stat.h
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <sys/stat.h>

G_BEGIN_DECLS

/* The kinds of entry Hearth backs up. The values are stored on disk and on
 * the wire: never renumber them. */
typedef enum
{
  HEARTH_FILE_TYPE_REGULAR   = 1,
  HEARTH_FILE_TYPE_DIRECTORY = 2,
  HEARTH_FILE_TYPE_SYMLINK   = 3,
} HearthFileType;

/* The metadata that tells whether a file may have changed since it was
 * last read. When all of it matches, the file is not opened again. */
typedef struct
{
  HearthFileType type;
  guint32        mode;
  guint64        size;
  gint64         mtime_ns;
  gint64         ctime_ns;
  guint64        inode;
} HearthFileStat;

gboolean    hearth_file_stat_from_stat  (HearthFileStat       *out,
                                         const struct stat    *st);
gboolean    hearth_file_stat_equal      (const HearthFileStat *a,
                                         const HearthFileStat *b);
const char *hearth_file_type_to_string  (HearthFileType        type);

G_END_DECLS
