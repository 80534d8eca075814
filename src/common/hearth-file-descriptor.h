/* hearth-file-descriptor.h
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "hearth-chunk-id.h"

G_BEGIN_DECLS

/* One chunk of a file: where it is and what it is. */
typedef struct
{
  guint64       offset;
  guint32       length;
  HearthChunkId id;
} HearthChunk;

/* A chunk as the file ID and the inventory encode it: its length as a
 * little-endian u32, then its ID (docs/chunking.md). */
#define HEARTH_CHUNK_ENCODED_LEN (4 + HEARTH_CHUNK_ID_LEN)

#define HEARTH_TYPE_FILE_DESCRIPTOR (hearth_file_descriptor_get_type ())

/* What Hearth knows of a file's content: its size and its ordered chunks,
 * and the file ID computed from them (docs/chunking.md). Immutable once
 * built; reference counted. */
typedef struct _HearthFileDescriptor HearthFileDescriptor;

GType                  hearth_file_descriptor_get_type      (void) G_GNUC_CONST;
HearthFileDescriptor  *hearth_file_descriptor_new           (const HearthChunk          *chunks,
                                                             guint                       n_chunks);
HearthFileDescriptor  *hearth_file_descriptor_ref           (HearthFileDescriptor       *self);
void                   hearth_file_descriptor_unref         (HearthFileDescriptor       *self);
guint64                hearth_file_descriptor_get_size      (const HearthFileDescriptor *self);
const HearthChunkId   *hearth_file_descriptor_get_id        (const HearthFileDescriptor *self);
guint                  hearth_file_descriptor_get_n_chunks  (const HearthFileDescriptor *self);
const HearthChunk     *hearth_file_descriptor_get_chunk     (const HearthFileDescriptor *self,
                                                             guint                       index);
const HearthChunk     *hearth_file_descriptor_get_chunks    (const HearthFileDescriptor *self,
                                                             guint                      *n_chunks);
void                   hearth_file_descriptor_encode_chunks (const HearthFileDescriptor *self,
                                                             guint8                     *out);
HearthFileDescriptor  *hearth_file_descriptor_new_from_encoded (const guint8            *encoded,
                                                             gsize                       len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthFileDescriptor, hearth_file_descriptor_unref)

G_END_DECLS
