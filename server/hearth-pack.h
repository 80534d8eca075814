/* hearth-pack.h
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "hearth-chunk-id.h"

G_BEGIN_DECLS

/* The pack file format, "Store format v1" in docs/store.md. A pack is a
 * header, chunk records each with a header of its own, and, once sealed,
 * an index of its records (the trailer) and a fixed-size footer. Errors
 * are in HEARTH_STORE_ERROR (CORRUPT for damage) or G_IO_ERROR (the
 * operating system's). */

#define HEARTH_PACK_FORMAT_VERSION      1
#define HEARTH_PACK_HEADER_SIZE         16
#define HEARTH_PACK_RECORD_HEADER_SIZE  52
#define HEARTH_PACK_INDEX_ENTRY_SIZE    56
#define HEARTH_PACK_FOOTER_SIZE         56

typedef enum
{
  HEARTH_PACK_COMPRESSION_NONE = 0,
  HEARTH_PACK_COMPRESSION_ZSTD = 1,
} HearthPackCompression;

/* Where a chunk's record is in its pack, and how its bytes are stored.
 * @offset is that of the record header; the stored bytes follow it. */
typedef struct
{
  HearthChunkId id;
  guint64       offset;
  guint32       raw_len;
  guint32       stored_len;
  guint8        compression;
} HearthPackEntry;

/* The size of the record an entry describes, header included. */
static inline guint64
hearth_pack_entry_record_size (const HearthPackEntry *entry)
{
  return HEARTH_PACK_RECORD_HEADER_SIZE + (guint64) entry->stored_len;
}

typedef struct _HearthPackWriter HearthPackWriter;
typedef struct _HearthPackReader HearthPackReader;

HearthPackWriter *hearth_pack_writer_create     (const char             *path,
                                                 const char             *display_name,
                                                 guint32                 number,
                                                 GError                **error);
void              hearth_pack_writer_free       (HearthPackWriter       *self);
guint32           hearth_pack_writer_get_number (HearthPackWriter       *self);
guint64           hearth_pack_writer_get_size   (HearthPackWriter       *self);
guint             hearth_pack_writer_get_n_entries (HearthPackWriter    *self);
gboolean          hearth_pack_writer_append     (HearthPackWriter       *self,
                                                 const HearthChunkId    *id,
                                                 const guint8           *data,
                                                 gsize                   len,
                                                 HearthPackEntry        *out_entry,
                                                 GError                **error);
gboolean          hearth_pack_writer_sync       (HearthPackWriter       *self,
                                                 GError                **error);
gboolean          hearth_pack_writer_truncate   (HearthPackWriter       *self,
                                                 guint64                 size,
                                                 GError                **error);
gboolean          hearth_pack_writer_seal       (HearthPackWriter       *self,
                                                 GError                **error);

HearthPackReader *hearth_pack_reader_open       (const char             *path,
                                                 const char             *display_name,
                                                 GError                **error);
void              hearth_pack_reader_free       (HearthPackReader       *self);
guint32           hearth_pack_reader_get_number (HearthPackReader       *self);
guint64           hearth_pack_reader_get_size   (HearthPackReader       *self);
gboolean          hearth_pack_reader_read_entry (HearthPackReader       *self,
                                                 guint64                 offset,
                                                 HearthPackEntry        *out_entry,
                                                 GError                **error);
GBytes           *hearth_pack_reader_read_chunk (HearthPackReader       *self,
                                                 const HearthPackEntry  *entry,
                                                 GError                **error);
gboolean          hearth_pack_reader_read_trailer (HearthPackReader     *self,
                                                 GArray                **out_entries,
                                                 GError                **error);
gboolean          hearth_pack_reader_scan       (HearthPackReader       *self,
                                                 GArray                **out_entries,
                                                 guint64                *out_end,
                                                 GError                **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthPackWriter, hearth_pack_writer_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthPackReader, hearth_pack_reader_free)

G_END_DECLS
