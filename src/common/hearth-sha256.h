/* hearth-sha256.h
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "hearth-chunk-id.h"

G_BEGIN_DECLS

/* Incremental SHA-256 from OpenSSL's libcrypto, which uses the CPU's SHA
 * extensions when present. See docs/chunking.md for why this library. A
 * HearthSha256 can be reset and reused; keep one per thread. */
typedef struct _HearthSha256 HearthSha256;

HearthSha256 *hearth_sha256_new     (void);
void          hearth_sha256_free    (HearthSha256        *self);
void          hearth_sha256_reset   (HearthSha256        *self);
void          hearth_sha256_update  (HearthSha256        *self,
                                     const void          *data,
                                     gsize                len);
void          hearth_sha256_finish  (HearthSha256        *self,
                                     HearthChunkId       *out);
void          hearth_sha256_digest  (const void          *data,
                                     gsize                len,
                                     HearthChunkId       *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthSha256, hearth_sha256_free)

G_END_DECLS
