/* hearth-server-identity.h
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define HEARTH_SERVER_IDENTITY_ERROR (hearth_server_identity_error_quark ())

typedef enum
{
  /* The identity could not be created or read (permissions, disk full, no
   * TLS backend); retrying after fixing the cause can succeed. */
  HEARTH_SERVER_IDENTITY_ERROR_FAILED,
  /* The key or certificate on disk is damaged, missing its partner, or the
   * two do not belong together. Never repaired automatically. */
  HEARTH_SERVER_IDENTITY_ERROR_CORRUPT,
} HearthServerIdentityError;

#define HEARTH_TYPE_SERVER_IDENTITY (hearth_server_identity_get_type ())

G_DECLARE_FINAL_TYPE (HearthServerIdentity, hearth_server_identity, HEARTH, SERVER_IDENTITY, GObject)

GQuark                hearth_server_identity_error_quark      (void);

HearthServerIdentity *hearth_server_identity_load_or_create   (const char           *data_dir,
                                                               GError              **error);
GTlsCertificate      *hearth_server_identity_get_certificate  (HearthServerIdentity *self);
const char           *hearth_server_identity_get_fingerprint  (HearthServerIdentity *self);

G_END_DECLS
