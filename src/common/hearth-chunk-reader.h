/* hearth-chunk-reader.h
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <sys/stat.h>

#include "hearth-file-descriptor.h"

G_BEGIN_DECLS

/* Called once per chunk, in file order, with the chunk's bytes. Return
 * FALSE and set @error to stop reading. */
typedef gboolean (*HearthChunkFunc) (const HearthChunk  *chunk,
                                     const guint8       *data,
                                     gpointer            user_data,
                                     GError            **error);

/* Reads a file once, in large sequential reads, cutting and hashing it in
 * the same pass. Its buffer is a fixed size, whatever the file's, and is
 * reused from file to file: keep one reader per thread. */
typedef struct _HearthChunkReader HearthChunkReader;

HearthChunkReader    *hearth_chunk_reader_new      (void);
void                  hearth_chunk_reader_free     (HearthChunkReader  *self);
HearthFileDescriptor *hearth_chunk_reader_read_fd  (HearthChunkReader  *self,
                                                    int                 fd,
                                                    HearthChunkFunc     func,
                                                    gpointer            user_data,
                                                    GCancellable       *cancellable,
                                                    GError            **error);
HearthFileDescriptor *hearth_chunk_reader_read_path (HearthChunkReader *self,
                                                    const char         *path,
                                                    HearthChunkFunc     func,
                                                    gpointer            user_data,
                                                    GCancellable       *cancellable,
                                                    GError            **error);

int                   hearth_chunk_reader_open_file_at (int          dir_fd,
                                                        const char  *path,
                                                        struct stat *st,
                                                        GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthChunkReader, hearth_chunk_reader_free)

G_END_DECLS
