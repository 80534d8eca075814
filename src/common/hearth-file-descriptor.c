/* hearth-file-descriptor.c
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "HearthEngine"

#include "config.h"

#include <string.h>

#include "hearth-file-descriptor.h"
#include "hearth-sha256.h"

struct _HearthFileDescriptor
{
  gatomicrefcount  ref_count;
  guint            n_chunks;
  guint64          size;
  HearthChunkId    id;
  HearthChunk      chunks[];
};

G_DEFINE_BOXED_TYPE (HearthFileDescriptor, hearth_file_descriptor,
                     hearth_file_descriptor_ref, hearth_file_descriptor_unref)

/* The file ID is the SHA-256 of this encoding (docs/chunking.md):
 *
 *   "hearth.file.v1" 0x00 | size: u64 LE | per chunk: length u32 LE, ID
 *
 * The tag keeps a file ID from ever equalling a chunk ID; the size and the
 * lengths make the encoding unambiguous without a separate count. */
static void
encode_chunks (const HearthChunk *chunks,
               guint              n_chunks,
               guint8            *out)
{
  for (guint i = 0; i < n_chunks; i++)
    {
      guint32 length_le = GUINT32_TO_LE (chunks[i].length);
      guint8 *p = out + (gsize) i * HEARTH_CHUNK_ENCODED_LEN;

      memcpy (p, &length_le, sizeof length_le);
      memcpy (p + sizeof length_le, chunks[i].id.bytes, HEARTH_CHUNK_ID_LEN);
    }
}

static void
compute_file_id (HearthFileDescriptor *self)
{
  static const char tag[] = "hearth.file.v1";
  const gsize header_len = sizeof tag + sizeof (guint64);
  gsize len = header_len + (gsize) self->n_chunks * HEARTH_CHUNK_ENCODED_LEN;
  guint8 small[sizeof tag + sizeof (guint64) + 4 * HEARTH_CHUNK_ENCODED_LEN];
  g_autofree guint8 *large = NULL;
  guint64 size_le = GUINT64_TO_LE (self->size);
  guint8 *encoding;

  /* One digest call over the whole encoding: most files have a chunk or
   * two, and a hashing context per file would cost more than the hash. */
  encoding = len <= sizeof small ? small : (large = g_malloc (len));
  memcpy (encoding, tag, sizeof tag);
  memcpy (encoding + sizeof tag, &size_le, sizeof size_le);
  encode_chunks (self->chunks, self->n_chunks, encoding + header_len);

  hearth_sha256_digest (encoding, len, &self->id);
}

/**
 * hearth_file_descriptor_new:
 * @chunks: (array length=n_chunks): the file's chunks, in order
 * @n_chunks: how many
 *
 * Offsets must run on without gaps from 0: each chunk starts where the
 * previous one ended.
 *
 * Returns: (transfer full): a new descriptor, or %NULL when the chunks do
 *   not tile the file
 */
HearthFileDescriptor *
hearth_file_descriptor_new (const HearthChunk *chunks,
                            guint              n_chunks)
{
  HearthFileDescriptor *self;
  guint64 offset = 0;

  g_return_val_if_fail (chunks != NULL || n_chunks == 0, NULL);

  for (guint i = 0; i < n_chunks; i++)
    {
      if (chunks[i].offset != offset || chunks[i].length == 0)
        return NULL;
      offset += chunks[i].length;
    }

  self = g_malloc (sizeof *self + (gsize) n_chunks * sizeof (HearthChunk));
  g_atomic_ref_count_init (&self->ref_count);
  self->n_chunks = n_chunks;
  self->size = offset;
  if (n_chunks > 0)
    memcpy (self->chunks, chunks, (gsize) n_chunks * sizeof (HearthChunk));
  compute_file_id (self);

  return self;
}

HearthFileDescriptor *
hearth_file_descriptor_ref (HearthFileDescriptor *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
hearth_file_descriptor_unref (HearthFileDescriptor *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref_count))
    g_free (self);
}

guint64
hearth_file_descriptor_get_size (const HearthFileDescriptor *self)
{
  return self->size;
}

const HearthChunkId *
hearth_file_descriptor_get_id (const HearthFileDescriptor *self)
{
  return &self->id;
}

guint
hearth_file_descriptor_get_n_chunks (const HearthFileDescriptor *self)
{
  return self->n_chunks;
}

const HearthChunk *
hearth_file_descriptor_get_chunk (const HearthFileDescriptor *self,
                                  guint                       index)
{
  g_return_val_if_fail (index < self->n_chunks, NULL);

  return &self->chunks[index];
}

const HearthChunk *
hearth_file_descriptor_get_chunks (const HearthFileDescriptor *self,
                                   guint                      *n_chunks)
{
  if (n_chunks != NULL)
    *n_chunks = self->n_chunks;
  return self->chunks;
}

/**
 * hearth_file_descriptor_encode_chunks:
 * @out: room for n_chunks × %HEARTH_CHUNK_ENCODED_LEN bytes
 *
 * Writes the chunk list as the file ID hashes it.
 */
void
hearth_file_descriptor_encode_chunks (const HearthFileDescriptor *self,
                                      guint8                     *out)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (out != NULL || self->n_chunks == 0);

  encode_chunks (self->chunks, self->n_chunks, out);
}

/**
 * hearth_file_descriptor_new_from_encoded:
 * @encoded: (array length=len): a chunk list as
 *   hearth_file_descriptor_encode_chunks() writes it
 *
 * Returns: (transfer full) (nullable): the descriptor, or %NULL when
 *   @encoded is not a whole number of chunks or holds an empty chunk
 */
HearthFileDescriptor *
hearth_file_descriptor_new_from_encoded (const guint8 *encoded,
                                         gsize         len)
{
  g_autofree HearthChunk *chunks = NULL;
  gsize n_chunks = len / HEARTH_CHUNK_ENCODED_LEN;
  guint64 offset = 0;

  g_return_val_if_fail (encoded != NULL || len == 0, NULL);

  if (len % HEARTH_CHUNK_ENCODED_LEN != 0 || n_chunks > G_MAXUINT)
    return NULL;

  chunks = g_new (HearthChunk, MAX (n_chunks, 1));
  for (gsize i = 0; i < n_chunks; i++)
    {
      const guint8 *p = encoded + i * HEARTH_CHUNK_ENCODED_LEN;
      guint32 length_le;

      memcpy (&length_le, p, sizeof length_le);
      chunks[i].offset = offset;
      chunks[i].length = GUINT32_FROM_LE (length_le);
      memcpy (chunks[i].id.bytes, p + sizeof length_le, HEARTH_CHUNK_ID_LEN);
      offset += chunks[i].length;
    }

  return hearth_file_descriptor_new (chunks, (guint) n_chunks);
}
