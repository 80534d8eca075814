/* hearth-certificate-pin.c
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "HearthEngine"

#include "config.h"

#include <openssl/crypto.h>
#include <string.h>

#include "hearth-certificate-pin.h"
#include "hearth-chunk-id.h"
#include "hearth-sha256.h"

static gboolean
digest_of_certificate (GTlsCertificate *certificate,
                       HearthChunkId   *digest)
{
  g_autoptr(GByteArray) der = NULL;

  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL || der->len == 0)
    return FALSE;

  hearth_sha256_digest (der->data, der->len, digest);
  return TRUE;
}

/**
 * hearth_certificate_fingerprint:
 * @certificate: any #GTlsCertificate
 *
 * Returns: (transfer full) (nullable): the SHA-256 of @certificate's DER
 *   encoding as 64 lower-case hex digits, or %NULL if it has none
 */
char *
hearth_certificate_fingerprint (GTlsCertificate *certificate)
{
  HearthChunkId digest;

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);

  if (!digest_of_certificate (certificate, &digest))
    return NULL;

  return hearth_chunk_id_dup_hex (&digest);
}

/* Either case: a person may copy a pin from anywhere. */
static gboolean
parse_fingerprint (const char    *fingerprint,
                   HearthChunkId *digest)
{
  if (strlen (fingerprint) != HEARTH_CERTIFICATE_FINGERPRINT_LEN)
    return FALSE;

  for (guint i = 0; i < HEARTH_CHUNK_ID_LEN; i++)
    {
      int hi = g_ascii_xdigit_value (fingerprint[2 * i]);
      int lo = g_ascii_xdigit_value (fingerprint[2 * i + 1]);

      if (hi < 0 || lo < 0)
        return FALSE;
      digest->bytes[i] = (guint8) (hi << 4 | lo);
    }

  return TRUE;
}

/**
 * hearth_certificate_pin_matches:
 * @fingerprint: a pinned fingerprint, 64 hex digits (either case)
 * @peer: the certificate a server presented
 *
 * Whether @peer is the certificate @fingerprint pins: for a client's
 * #GTlsConnection::accept-certificate handler, which must compare every
 * time, not only when other validation fails.
 *
 * Returns: %TRUE if it is; %FALSE if not, or if @fingerprint is malformed
 */
gboolean
hearth_certificate_pin_matches (const char      *fingerprint,
                                GTlsCertificate *peer)
{
  HearthChunkId pinned;
  HearthChunkId presented;

  g_return_val_if_fail (fingerprint != NULL, FALSE);
  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (peer), FALSE);

  if (!parse_fingerprint (fingerprint, &pinned) ||
      !digest_of_certificate (peer, &presented))
    return FALSE;

  /* The pin is not secret, but a constant-time compare costs nothing and
   * leaves no timing question to reason about. */
  return CRYPTO_memcmp (pinned.bytes, presented.bytes, HEARTH_CHUNK_ID_LEN) == 0;
}
