/* hearth-inventory-private.h
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "hearth-inventory.h"

G_BEGIN_DECLS

/* One step of the schema: takes a database at version N to N + 1. It runs
 * inside the transaction that runs every pending step, with foreign keys
 * off (so that a step may rebuild a table), and must not commit. */
typedef gboolean (*HearthInventoryMigration) (sqlite3  *db,
                                              GError  **error);

/* hearth-inventory-schema.c: what the file on disk is. */
const HearthInventoryMigration *_hearth_inventory_get_migrations        (guint                          *n_migrations);
sqlite3                        *_hearth_inventory_open_database         (const char                     *path,
                                                                         const char                     *display_path,
                                                                         const HearthInventoryMigration *migrations,
                                                                         guint                           n_migrations,
                                                                         GError                        **error);

/* hearth-inventory.c */
HearthInventory                *_hearth_inventory_open_with_migrations (const char                     *path,
                                                                         const HearthInventoryMigration *migrations,
                                                                         guint                           n_migrations,
                                                                         GError                        **error);
sqlite3                        *_hearth_inventory_get_db                (HearthInventory                *self);
gboolean                        _hearth_inventory_exec                  (sqlite3                        *db,
                                                                         const char                     *sql,
                                                                         GError                        **error);
gboolean                        _hearth_inventory_set_sqlite_error      (GError                        **error,
                                                                         sqlite3                        *db,
                                                                         const char                     *display_path,
                                                                         int                             rc);
gboolean                        _hearth_inventory_set_damaged_error     (GError                        **error,
                                                                         const char                     *display_path,
                                                                         const char                     *detail);

G_END_DECLS
