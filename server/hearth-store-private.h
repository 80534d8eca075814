/* hearth-store-private.h
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "hearth-store.h"

G_BEGIN_DECLS

/* The size at which a pack is sealed and the next one started. */
#define HEARTH_STORE_PACK_TARGET_SIZE (64 * 1024 * 1024)

/* For tests: packs small enough to roll over after a few chunks. */
void  _hearth_store_set_pack_target_size (HearthStore *self,
                                          guint64      size);
char *_hearth_store_dup_pack_path        (HearthStore *self,
                                          guint32      number);

G_END_DECLS
