/* hearth-profile.h
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "hearth-inventory.h"

G_BEGIN_DECLS

#define HEARTH_PROFILE_ENV "HEARTH_PROFILE"

#define HEARTH_TYPE_PROFILE (hearth_profile_get_type ())

G_DECLARE_FINAL_TYPE (HearthProfile, hearth_profile, HEARTH, PROFILE, GObject)

char            *hearth_profile_default_dir    (void);
HearthProfile   *hearth_profile_open           (const char     *dir,
                                                GError        **error);
const char      *hearth_profile_get_dir        (HearthProfile  *self);
HearthInventory *hearth_profile_get_inventory  (HearthProfile  *self);

G_END_DECLS
