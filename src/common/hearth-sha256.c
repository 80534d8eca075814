/* hearth-sha256.c
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "HearthEngine"

#include "config.h"

#include <openssl/evp.h>

#include "hearth-sha256.h"

struct _HearthSha256
{
  EVP_MD_CTX *ctx;
};

/* OpenSSL 3 looks an algorithm up in its provider store, under a lock,
 * every time a context is initialised with EVP_sha256(). Fetching it once
 * takes that lookup out of the per-chunk path: with many small files it
 * cost more than hashing their bytes. libcrypto picks the SHA-NI or AVX2
 * code itself. Should the fetch fail (an OpenSSL configuration without the
 * default provider), the implicit lookup still works, only slower. */
static const EVP_MD *
sha256_md (void)
{
  static const EVP_MD *md;

  if (g_once_init_enter (&md))
    {
      const EVP_MD *fetched = EVP_MD_fetch (NULL, "SHA256", NULL);

      g_once_init_leave (&md, fetched != NULL ? fetched : EVP_sha256 ());
    }

  return md;
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
