/* hearth-invite-code.h
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define HEARTH_INVITE_CODE_ERROR (hearth_invite_code_error_quark ())

typedef enum
{
  HEARTH_INVITE_CODE_ERROR_INVALID,
} HearthInviteCodeError;

#define HEARTH_INVITE_CODE_DEFAULT_PORT 4327

/* The same as HEARTH_GROUP_SECRET_LEN: 32 bytes, unpadded base64url. */
#define HEARTH_INVITE_CODE_SECRET_LEN 43

/* Longer input is refused before it is looked at; a real code is under
 * 400 bytes (docs/invite-code.md). */
#define HEARTH_INVITE_CODE_MAX_INPUT 1024

/* What joining a server takes: where it is, the SHA-256 fingerprint of its
 * certificate (64 lower-case hex digits, see hearth-certificate-pin.h) and
 * a single-use secret (43 characters of unpadded base64url). @host is a DNS
 * name, an IPv4 address or an IPv6 address without brackets. The text form
 * is described in docs/invite-code.md. */
typedef struct
{
  char    *host;
  guint16  port;
  char    *fingerprint;
  char    *secret;
} HearthInviteCode;

GQuark            hearth_invite_code_error_quark     (void);

HearthInviteCode *hearth_invite_code_new             (const char              *host,
                                                      guint16                  port,
                                                      const char              *fingerprint,
                                                      const char              *secret);
HearthInviteCode *hearth_invite_code_parse           (const char              *text,
                                                      GError                 **error);
HearthInviteCode *hearth_invite_code_parse_data      (const char              *data,
                                                      gsize                    length,
                                                      GError                 **error);
char             *hearth_invite_code_to_string       (const HearthInviteCode  *code);
char             *hearth_invite_code_dup_server_url  (const HearthInviteCode  *code);
void              hearth_invite_code_free            (HearthInviteCode        *code);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthInviteCode, hearth_invite_code_free)

G_END_DECLS
