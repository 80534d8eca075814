/* hearth-scanner.h
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "hearth-inventory.h"
#include "hearth-scan-report.h"

G_BEGIN_DECLS

#define HEARTH_SCANNER_ERROR (hearth_scanner_error_quark ())

typedef enum
{
  HEARTH_SCANNER_ERROR_FAILED,
  HEARTH_SCANNER_ERROR_FOLDER_MISSING,
  HEARTH_SCANNER_ERROR_FOLDER_UNREADABLE,
  HEARTH_SCANNER_ERROR_BUSY,
} HearthScannerError;

#define HEARTH_TYPE_SCANNER (hearth_scanner_get_type ())

G_DECLARE_FINAL_TYPE (HearthScanner, hearth_scanner, HEARTH, SCANNER, GObject)

GQuark            hearth_scanner_error_quark   (void);

HearthScanner    *hearth_scanner_new           (HearthInventory      *inventory);
HearthInventory  *hearth_scanner_get_inventory (HearthScanner        *self);
guint             hearth_scanner_get_n_workers (HearthScanner        *self);
void              hearth_scanner_set_n_workers (HearthScanner        *self,
                                                guint                 n_workers);
void              hearth_scanner_add_exclude   (HearthScanner        *self,
                                                const char           *absolute_path);

void              hearth_scanner_scan_async    (HearthScanner        *self,
                                                gint64                folder_id,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
HearthScanReport *hearth_scanner_scan_finish   (HearthScanner        *self,
                                                GAsyncResult         *result,
                                                GError              **error);

G_END_DECLS
