/* hearth-file-hasher.h
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "hearth-file-descriptor.h"
#include "hearth-file-stat.h"

G_BEGIN_DECLS

typedef enum
{
  HEARTH_HASH_OK,
  HEARTH_HASH_VANISHED,     /* gone before it could be read */
  HEARTH_HASH_UNREADABLE,   /* message says why */
  HEARTH_HASH_CHANGING,     /* changed on every try while read */
  HEARTH_HASH_REPLACED,     /* now a symlink, a folder or a pipe */
  HEARTH_HASH_CANCELLED,
} HearthHashOutcome;

/* One file to read. The hasher fills in the outcome and, when it is
 * HEARTH_HASH_OK, the metadata the content matches and its descriptor. */
typedef struct
{
  char                 *path;     /* relative to the folder */
  const char           *name;     /* the last component, within path */
  gboolean              is_new;
  HearthHashOutcome     outcome;
  HearthFileStat        stat;
  HearthFileDescriptor *descriptor;
  char                 *message;
} HearthHashItem;

/* Files of one directory, opened by name relative to @dir_fd. */
typedef struct
{
  int      dir_fd;
  guint64  bytes;
  GArray  *items;   /* of HearthHashItem */
} HearthHashBatch;

HearthHashBatch  *hearth_hash_batch_new            (int                   dir_fd);
void              hearth_hash_batch_add            (HearthHashBatch      *batch,
                                                    const char           *path,
                                                    const HearthFileStat *stat,
                                                    gboolean              is_new);
void              hearth_hash_batch_free           (HearthHashBatch      *batch);

/* A pool of threads that read batches of files, each thread with its own
 * HearthChunkReader, the largest batches first. Batches go in with push()
 * and come back, done, from pop(), on the thread that pushed them. */
typedef struct _HearthFileHasher HearthFileHasher;

HearthFileHasher *hearth_file_hasher_new           (guint                 n_workers,
                                                    GCancellable         *cancellable,
                                                    GError              **error);
void              hearth_file_hasher_free          (HearthFileHasher     *self);
void              hearth_file_hasher_push          (HearthFileHasher     *self,
                                                    HearthHashBatch      *batch);
HearthHashBatch  *hearth_file_hasher_pop           (HearthFileHasher     *self,
                                                    gint64                timeout_us);
guint             hearth_file_hasher_get_in_flight (HearthFileHasher     *self);
guint64           hearth_file_hasher_get_bytes_read (HearthFileHasher    *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthHashBatch, hearth_hash_batch_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthFileHasher, hearth_file_hasher_free)

G_END_DECLS
