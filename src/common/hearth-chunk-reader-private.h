/* hearth-chunk-reader-private.h
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "hearth-chunk-reader.h"

G_BEGIN_DECLS

/* A reader on the plain buffer that stands in where no mirrored mapping
 * can be had, so that tests cover that path too. */
HearthChunkReader *_hearth_chunk_reader_new_unmirrored (void);

G_END_DECLS
