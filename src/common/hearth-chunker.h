/* hearth-chunker.h
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "hearth-sha256.h"

G_BEGIN_DECLS

/* Content-defined chunking (FastCDC with normalized chunking). These sizes
 * are part of the storage format: changing them changes every chunk ID of
 * every file larger than the minimum, so they are versioned with it
 * (docs/chunking.md). */
#define HEARTH_CHUNK_SIZE_MIN (512 * 1024)
#define HEARTH_CHUNK_SIZE_AVG (1024 * 1024)
#define HEARTH_CHUNK_SIZE_MAX (4096 * 1024)

/* Returns the length of the chunk that starts at @data. @len is the number
 * of bytes available there: at least HEARTH_CHUNK_SIZE_MAX unless the file
 * ends sooner, so that the cut does not depend on how the file was read.
 * Returns @len when @len <= HEARTH_CHUNK_SIZE_MIN, and 0 only for @len 0. */
gsize          hearth_chunker_next_cut       (const guint8  *data,
                                              gsize          len);

/* hearth_chunker_next_cut(), and the chunk's ID (the SHA-256 of its bytes)
 * in @id, in one pass: each stretch is hashed right after it is scanned,
 * while it is still in the CPU's caches. @sha must be fresh or reset, and
 * is left reset. */
gsize          hearth_chunker_next_chunk     (const guint8  *data,
                                              gsize          len,
                                              HearthSha256  *sha,
                                              HearthChunkId *id);

/* The format's constants, so that tests can check them against the
 * procedures in docs/chunking.md: the 256-entry gear table, and the masks
 * tested before and from HEARTH_CHUNK_SIZE_AVG. */
const guint64 *hearth_chunker_get_gear_table (void);
void           hearth_chunker_get_masks      (guint64       *mask_small,
                                              guint64       *mask_large);

G_END_DECLS
