/* hearth-certificate-pin.h
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A server is known by the SHA-256 of its certificate's DER encoding: an
 * invite code carries it, and clients compare every certificate a server
 * presents with it (docs/protocol.md). */
#define HEARTH_CERTIFICATE_FINGERPRINT_LEN 64

char     *hearth_certificate_fingerprint  (GTlsCertificate *certificate);
gboolean  hearth_certificate_pin_matches  (const char      *fingerprint,
                                           GTlsCertificate *peer);

G_END_DECLS
