/* hearth-chunk-id.h
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HEARTH_CHUNK_ID_LEN     32
#define HEARTH_CHUNK_ID_HEX_LEN 64

/* The SHA-256 of a chunk's bytes (or of a file descriptor, for file IDs).
 * A plain value type: copy it with `=`, compare it with hearth_chunk_id_equal(). */
typedef struct
{
  guint8 bytes[HEARTH_CHUNK_ID_LEN];
} HearthChunkId;

void      hearth_chunk_id_to_hex     (const HearthChunkId *id,
                                      char                 out[HEARTH_CHUNK_ID_HEX_LEN + 1]);
char     *hearth_chunk_id_dup_hex    (const HearthChunkId *id);
gboolean  hearth_chunk_id_parse_hex  (const char          *hex,
                                      HearthChunkId       *out);
gboolean  hearth_chunk_id_equal      (gconstpointer        a,
                                      gconstpointer        b);
guint     hearth_chunk_id_hash       (gconstpointer        id);
int       hearth_chunk_id_compare    (const HearthChunkId *a,
                                      const HearthChunkId *b);

G_END_DECLS
