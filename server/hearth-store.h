/* hearth-store.h
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "hearth-chunk-id.h"

G_BEGIN_DECLS

#define HEARTH_STORE_ERROR (hearth_store_error_quark ())

typedef enum
{
  HEARTH_STORE_ERROR_FAILED,
  HEARTH_STORE_ERROR_CORRUPT,
  HEARTH_STORE_ERROR_TOO_NEW,
  HEARTH_STORE_ERROR_BAD_CHUNK,
  HEARTH_STORE_ERROR_TOO_LARGE,
  HEARTH_STORE_ERROR_NOT_FOUND,
} HearthStoreError;

/* The schema version of the index this build writes (PRAGMA user_version). */
#define HEARTH_STORE_SCHEMA_VERSION 1

/* One chunk handed to hearth_store_put_chunks(): @id is what the sender
 * claims is the SHA-256 of @data. */
typedef struct
{
  HearthChunkId  id;
  const guint8  *data;
  gsize          len;
} HearthStoreChunk;

typedef enum
{
  HEARTH_STORE_RESULT_STORED,     /* stored by this call, and durable */
  HEARTH_STORE_RESULT_ALREADY,    /* was stored before (or earlier in the call) */
  HEARTH_STORE_RESULT_BAD_HASH,   /* @data does not hash to @id; not stored */
  HEARTH_STORE_RESULT_TOO_LARGE,  /* over HEARTH_CHUNK_SIZE_MAX; not stored */
} HearthStoreResult;

typedef struct
{
  guint64 n_chunks;
  guint64 n_packs;
  guint64 stored_bytes;   /* the chunks' bytes as stored, record headers excluded */
  guint64 raw_bytes;      /* the chunks' bytes before compression */
} HearthStoreStats;

typedef enum
{
  HEARTH_STORE_PROBLEM_MISSING_PACK,   /* an index row names a pack that cannot be opened */
  HEARTH_STORE_PROBLEM_OUT_OF_BOUNDS,  /* an index row points past the end of its pack */
  HEARTH_STORE_PROBLEM_BAD_RECORD,     /* the record there is damaged or is not that chunk's */
  HEARTH_STORE_PROBLEM_BAD_DATA,       /* the chunk's bytes do not decompress or hash to its ID */
  HEARTH_STORE_PROBLEM_BAD_TRAILER,    /* a sealed pack's trailer is damaged */
} HearthStoreProblemKind;

typedef struct
{
  HearthStoreProblemKind  kind;
  char                   *chunk_hex;  /* NULL for a problem of a whole pack */
  char                   *pack;       /* the pack's file name, e.g. "00000001.pack" */
  char                   *message;
} HearthStoreProblem;

typedef struct
{
  guint64    n_chunks;
  guint64    n_packs;
  GPtrArray *problems;  /* (element-type HearthStoreProblem) */
} HearthStoreCheckReport;

void hearth_store_check_report_free (HearthStoreCheckReport *report);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HearthStoreCheckReport, hearth_store_check_report_free)

#define HEARTH_TYPE_STORE (hearth_store_get_type ())

/* The server's chunk store: pack files under DIR/packs and their SQLite
 * index DIR/store.db (docs/store.md).
 *
 * One thread at a time: a store may be handed to a worker thread and back,
 * but two threads must never call into the same store at once. The server
 * serializes every call on one worker. Only one process may open a data
 * directory (the server's own lock sees to it).
 *
 * hearth_store_close() seals the pack being written; dropping the last
 * reference without it does the same, but can only log a failure. */
G_DECLARE_FINAL_TYPE (HearthStore, hearth_store, HEARTH, STORE, GObject)

GQuark        hearth_store_error_quark    (void);

HearthStore  *hearth_store_open           (const char              *dir,
                                           GError                 **error);
gboolean      hearth_store_close          (HearthStore             *self,
                                           GError                 **error);
const char   *hearth_store_get_dir        (HearthStore             *self);

gboolean      hearth_store_put_chunks     (HearthStore             *self,
                                           const HearthStoreChunk  *chunks,
                                           guint                    n_chunks,
                                           HearthStoreResult       *results,
                                           GError                 **error);
gboolean      hearth_store_has_chunk      (HearthStore             *self,
                                           const HearthChunkId     *id,
                                           gboolean                *out_has,
                                           GError                 **error);
GBytes       *hearth_store_read_chunk     (HearthStore             *self,
                                           const HearthChunkId     *id,
                                           GError                 **error);
gboolean      hearth_store_get_stats      (HearthStore             *self,
                                           HearthStoreStats        *out_stats,
                                           GError                 **error);
gboolean      hearth_store_check          (HearthStore             *self,
                                           gboolean                 read_data,
                                           HearthStoreCheckReport **out_report,
                                           GError                 **error);
gboolean      hearth_store_rebuild_index  (HearthStore             *self,
                                           GError                 **error);

G_END_DECLS
