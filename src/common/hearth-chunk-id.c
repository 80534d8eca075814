/* hearth-chunk-id.c
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "HearthEngine"

#include "config.h"

#include <string.h>

#include "hearth-chunk-id.h"

void
hearth_chunk_id_to_hex (const HearthChunkId *id,
                        char                 out[HEARTH_CHUNK_ID_HEX_LEN + 1])
{
  static const char digits[] = "0123456789abcdef";

  for (guint i = 0; i < HEARTH_CHUNK_ID_LEN; i++)
    {
      out[2 * i] = digits[id->bytes[i] >> 4];
      out[2 * i + 1] = digits[id->bytes[i] & 0xf];
    }
  out[HEARTH_CHUNK_ID_HEX_LEN] = '\0';
}

char *
hearth_chunk_id_dup_hex (const HearthChunkId *id)
{
  char *hex = g_malloc (HEARTH_CHUNK_ID_HEX_LEN + 1);

  hearth_chunk_id_to_hex (id, hex);
  return hex;
}

/* Only lower-case hex is accepted: an ID has exactly one spelling, so IDs
 * can be compared as strings wherever they travel as text. */
gboolean
hearth_chunk_id_parse_hex (const char    *hex,
                           HearthChunkId *out)
{
  HearthChunkId id;

  g_return_val_if_fail (out != NULL, FALSE);

  if (hex == NULL || strlen (hex) != HEARTH_CHUNK_ID_HEX_LEN)
    return FALSE;

  for (guint i = 0; i < HEARTH_CHUNK_ID_HEX_LEN; i++)
    {
      char c = hex[i];
      int v;

      if (c >= '0' && c <= '9')
        v = c - '0';
      else if (c >= 'a' && c <= 'f')
        v = c - 'a' + 10;
      else
        return FALSE;

      if (i % 2 == 0)
        id.bytes[i / 2] = (guint8) (v << 4);
      else
        id.bytes[i / 2] |= (guint8) v;
    }

  *out = id;
  return TRUE;
}

gboolean
hearth_chunk_id_equal (gconstpointer a,
                       gconstpointer b)
{
  return memcmp (a, b, HEARTH_CHUNK_ID_LEN) == 0;
}

guint
hearth_chunk_id_hash (gconstpointer id)
{
  guint h;

  /* The bytes are a cryptographic hash already: any four of them are as
   * well spread as a hash function could make them. */
  memcpy (&h, id, sizeof h);
  return h;
}

int
hearth_chunk_id_compare (const HearthChunkId *a,
                         const HearthChunkId *b)
{
  return memcmp (a->bytes, b->bytes, HEARTH_CHUNK_ID_LEN);
}
