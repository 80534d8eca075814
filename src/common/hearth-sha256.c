/* hearth-sha256.c
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <openssl/evp.h>

#include "hearth-sha256.h"

struct _HearthSha256
{
  EVP_MD_CTX *ctx;
};

/* EVP_sha256() returns libcrypto's static implementation, which needs no
 * fetch from a provider on every use and, unlike an explicit fetch, cannot
 * fail on a system whose OpenSSL configuration lacks the default provider.
 * libcrypto picks the SHA-NI or AVX2 code path itself at start-up. */
static const EVP_MD *
sha256_md (void)
{
  return EVP_sha256 ();
}

HearthSha256 *
hearth_sha256_new (void)
{
  HearthSha256 *self = g_new0 (HearthSha256, 1);

  self->ctx = EVP_MD_CTX_new ();
  /* Only allocation failure can make these fail, and GLib aborts on that
   * everywhere else too. */
  if (self->ctx == NULL || EVP_DigestInit_ex (self->ctx, sha256_md (), NULL) != 1)
    g_error ("libcrypto could not set up SHA-256: out of memory");

  return self;
}

void
hearth_sha256_free (HearthSha256 *self)
{
  if (self == NULL)
    return;

  EVP_MD_CTX_free (self->ctx);
  g_free (self);
}

void
hearth_sha256_reset (HearthSha256 *self)
{
  EVP_DigestInit_ex (self->ctx, sha256_md (), NULL);
}

void
hearth_sha256_update (HearthSha256 *self,
                      const void   *data,
                      gsize         len)
{
  EVP_DigestUpdate (self->ctx, data, len);
}

/* Writes the digest and resets @self for the next message. */
void
hearth_sha256_finish (HearthSha256  *self,
                      HearthChunkId *out)
{
  unsigned int len = HEARTH_CHUNK_ID_LEN;

  EVP_DigestFinal_ex (self->ctx, out->bytes, &len);
  EVP_DigestInit_ex (self->ctx, sha256_md (), NULL);
}

void
hearth_sha256_digest (const void    *data,
                      gsize          len,
                      HearthChunkId *out)
{
  unsigned int out_len = HEARTH_CHUNK_ID_LEN;

  EVP_Digest (data, len, out->bytes, &out_len, sha256_md (), NULL);
}
