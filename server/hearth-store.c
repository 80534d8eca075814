/* hearth-store.c
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "HearthStore"

#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <sqlite3.h>
#include <string.h>

#include "hearth-chunker.h"
#include "hearth-database.h"
#include "hearth-pack.h"
#include "hearth-sha256.h"
#include "hearth-store.h"
#include "hearth-store-private.h"

/* The store is pack files (hearth-pack.c) under DIR/packs and one SQLite
 * database, DIR/store.db, that says where each chunk is. The packs are
 * the truth: the database can be rebuilt from them alone
 * (hearth_store_rebuild_index()). docs/store.md has the formats.
 *
 * Thread model: one thread at a time (see hearth-store.h). The connection
 * is opened NOMUTEX, and the pack writer and the prepared statements are
 * state that no lock here protects. */

#define DB_NAME        "store.db"
#define PACKS_DIR_NAME "packs"

/* "HRST": marks store.db as a Hearth store index (PRAGMA application_id),
 * so that another program's database is never taken for an empty index. */
#define APPLICATION_ID 0x48525354

typedef enum
{
  STMT_BEGIN,
  STMT_COMMIT,
  STMT_ROLLBACK,
  STMT_HAS_CHUNK,
  STMT_LOOKUP_CHUNK,
  STMT_INSERT_CHUNK,
  STMT_FOREACH_CHUNK,
  STMT_PUT_PACK,
  STMT_LIST_PACKS,
  STMT_MAX_PACK,
  STMT_CLEAR_CHUNKS,
  STMT_CLEAR_PACKS,
  STMT_STATS,
  N_STATEMENTS
} StatementId;

#define CHUNK_COLUMNS "pack, record_offset, stored_len, raw_len, compression"

static const char * const statement_sql[N_STATEMENTS] = {
  [STMT_BEGIN] = "BEGIN IMMEDIATE",
  [STMT_COMMIT] = "COMMIT",
  [STMT_ROLLBACK] = "ROLLBACK",
  [STMT_HAS_CHUNK] = "SELECT 1 FROM chunks WHERE id = ?1",
  [STMT_LOOKUP_CHUNK] = "SELECT " CHUNK_COLUMNS " FROM chunks WHERE id = ?1",
  /* OR IGNORE: a chunk may have records in several packs (a batch whose
   * commit failed was sent again); the first one indexed stays. */
  [STMT_INSERT_CHUNK] =
    "INSERT OR IGNORE INTO chunks (id, " CHUNK_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
  [STMT_FOREACH_CHUNK] =
    "SELECT " CHUNK_COLUMNS ", id FROM chunks ORDER BY pack, record_offset",
  [STMT_PUT_PACK] = "INSERT OR REPLACE INTO packs (id, sealed) VALUES (?1, ?2)",
  [STMT_LIST_PACKS] = "SELECT id, sealed FROM packs ORDER BY id",
  [STMT_MAX_PACK] = "SELECT coalesce(max(id), 0) FROM packs",
  [STMT_CLEAR_CHUNKS] = "DELETE FROM chunks",
  [STMT_CLEAR_PACKS] = "DELETE FROM packs",
  [STMT_STATS] =
    "SELECT count(*), coalesce(sum(stored_len), 0), coalesce(sum(raw_len), 0),"
    "       (SELECT count(*) FROM packs)"
    "  FROM chunks",
};

struct _HearthStore
{
  GObject            parent_instance;

  char              *dir;
  char              *packs_dir;
  char              *db_path;
  sqlite3           *db;
  sqlite3_stmt      *statements[N_STATEMENTS];

  /* The pack being appended to, created at the first put after opening
   * or after the previous one was sealed. */
  HearthPackWriter  *writer;
  guint32            next_pack;
  guint64            pack_target_size;

  HearthSha256      *sha256;
  guint              closed : 1;
};

G_DEFINE_FINAL_TYPE (HearthStore, hearth_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (hearth-store-error-quark, hearth_store_error)

/* A chunk appended by the current put, waiting for its index row. */
typedef struct
{
  guint           index;
  guint32         pack;
  HearthPackEntry entry;
} PendingChunk;

/* Always returns FALSE, so that callers can `return set_sqlite_error (…)`. */
static gboolean
set_sqlite_error (sqlite3     *db,
                  const char  *db_path,
                  GError     **error,
                  int          rc)
{
  const char *detail = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc);

  switch (rc & 0xff)
    {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      g_set_error (error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_CORRUPT,
                   _("The store index “%s” is damaged (%s). Move it away and run “hearth-server check --rebuild-index” to rebuild it from the packs."),
                   db_path, detail);
      return FALSE;

    case SQLITE_FULL:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   _("The store index “%s” could not be written: the disk is full"),
                   db_path);
      return FALSE;

    default:
      g_set_error (error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_FAILED,
                   _("Could not use the store index “%s”: %s"),
                   db_path, detail);
      return FALSE;
    }
}

static gboolean
store_sqlite_error (HearthStore  *self,
                    GError      **error,
                    int           rc)
{
  return set_sqlite_error (self->db, self->db_path, error, rc);
}

/* Runs a statement that returns no rows, and resets it. */
static gboolean
run_statement (HearthStore  *self,
               sqlite3_stmt *stmt,
               GError      **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);

  if (rc != SQLITE_DONE)
    return store_sqlite_error (self, error, rc);

  return TRUE;
}

static void
rollback (HearthStore *self)
{
  if (!sqlite3_get_autocommit (self->db))
    run_statement (self, self->statements[STMT_ROLLBACK], NULL);
}

static char *
pack_file_name (guint32 number)
{
  return g_strdup_printf ("%08u.pack", number);
}

char *
_hearth_store_dup_pack_path (HearthStore *self,
                             guint32      number)
{
  g_autofree char *name = pack_file_name (number);

  return g_build_filename (self->packs_dir, name, NULL);
}

void
_hearth_store_set_pack_target_size (HearthStore *self,
                                    guint64      size)
{
  self->pack_target_size = size;
}

/* A pack's number from its file name, exactly "NNNNNNNN.pack". */
static gboolean
parse_pack_file_name (const char *name,
                      guint32    *out_number)
{
  char digits[9];
  guint64 number;

  if (strlen (name) != 13 || !g_str_has_suffix (name, ".pack"))
    return FALSE;

  memcpy (digits, name, 8);
  digits[8] = '\0';
  if (!g_ascii_string_to_unsigned (digits, 10, 1, G_MAXUINT32, &number, NULL))
    return FALSE;

  *out_number = (guint32) number;
  return TRUE;
}

static int
compare_pack_numbers (gconstpointer a,
                      gconstpointer b)
{
  guint32 x = *(const guint32 *) a;
  guint32 y = *(const guint32 *) b;

  return (x > y) - (x < y);
}

/* The pack files in DIR/packs, by number. */
static GArray *
list_pack_files (HearthStore  *self,
                 GError      **error)
{
  g_autoptr(GDir) dir = g_dir_open (self->packs_dir, 0, error);
  g_autoptr(GArray) numbers = g_array_new (FALSE, FALSE, sizeof (guint32));
  const char *name;

  if (dir == NULL)
    return NULL;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      guint32 number;

      if (parse_pack_file_name (name, &number))
        g_array_append_val (numbers, number);
    }

  g_array_sort (numbers, compare_pack_numbers);
  return g_steal_pointer (&numbers);
}

/* Schema v1. chunks is keyed by the chunk ID and WITHOUT ROWID, so that a
 * lookup is one B-tree descent and a row costs no second key. packs says
 * which packs exist and which were sealed, so that check can tell a pack
 * that lost its trailer from one that never had one. STRICT makes SQLite
 * refuse a value of the wrong type instead of converting it. */
static const char migrate_to_v1_sql[] =
  "CREATE TABLE packs ("
  "  id     INTEGER PRIMARY KEY,"
  "  sealed INTEGER NOT NULL CHECK (sealed IN (0, 1))"
  ") STRICT;"
  "CREATE TABLE chunks ("
  "  id            BLOB    PRIMARY KEY NOT NULL CHECK (length (id) = 32),"
  "  pack          INTEGER NOT NULL,"
  "  record_offset INTEGER NOT NULL,"
  "  stored_len    INTEGER NOT NULL,"
  "  raw_len       INTEGER NOT NULL,"
  "  compression   INTEGER NOT NULL"
  ") STRICT, WITHOUT ROWID;";

/* Entry N takes the schema from version N to N + 1. To change the schema,
 * append a step and raise HEARTH_STORE_SCHEMA_VERSION; never edit a step
 * that has shipped, since indexes out there are already past it. */
static const char * const migrations[] = {
  migrate_to_v1_sql,
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == HEARTH_STORE_SCHEMA_VERSION);

static gboolean
open_database (HearthStore  *self,
               GError      **error)
{
  const HearthDatabaseSchema schema = {
    .application_id = APPLICATION_ID,
    .migrations = migrations,
    .n_migrations = G_N_ELEMENTS (migrations),
    .error_domain = HEARTH_STORE_ERROR,
    .error_corrupt = HEARTH_STORE_ERROR_CORRUPT,
    .error_too_new = HEARTH_STORE_ERROR_TOO_NEW,
    .set_sqlite_error = set_sqlite_error,
  };
  int rc;

  self->db = hearth_database_open (self->db_path, &schema, error);
  if (self->db == NULL)
    return FALSE;

  for (guint i = 0; i < N_STATEMENTS; i++)
    {
      rc = sqlite3_prepare_v3 (self->db, statement_sql[i], -1,
                               SQLITE_PREPARE_PERSISTENT, &self->statements[i], NULL);
      if (rc != SQLITE_OK)
        return store_sqlite_error (self, error, rc);
    }

  return TRUE;
}

/* The next pack number is past every pack the index or the folder knows,
 * so that a pack left out of the index (store.db deleted, say) is never
 * overwritten. */
static gboolean
find_next_pack (HearthStore  *self,
                GError      **error)
{
  sqlite3_stmt *stmt = self->statements[STMT_MAX_PACK];
  g_autoptr(GArray) files = NULL;
  guint64 max = 0;
  int rc;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    max = (guint64) sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    return store_sqlite_error (self, error, rc);

  files = list_pack_files (self, error);
  if (files == NULL)
    return FALSE;
  if (files->len > 0)
    max = MAX (max, g_array_index (files, guint32, files->len - 1));

  if (max >= G_MAXUINT32)
    {
      g_set_error (error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_FAILED,
                   _("The store “%s” has run out of pack numbers"), self->dir);
      return FALSE;
    }

  self->next_pack = (guint32) max + 1;
  return TRUE;
}

static gboolean
put_pack_row (HearthStore  *self,
              guint32       number,
              gboolean      sealed,
              GError      **error)
{
  sqlite3_stmt *stmt = self->statements[STMT_PUT_PACK];

  sqlite3_bind_int64 (stmt, 1, number);
  sqlite3_bind_int (stmt, 2, sealed ? 1 : 0);
  return run_statement (self, stmt, error);
}

/* The pack row goes in before any record does, so that check knows of
 * every pack that holds acknowledged chunks. */
static gboolean
ensure_writer (HearthStore  *self,
               GError      **error)
{
  g_autoptr(HearthPackWriter) writer = NULL;
  g_autofree char *path = NULL;
  g_autofree char *name = NULL;
  guint32 number = self->next_pack;

  if (self->writer != NULL)
    return TRUE;

  path = _hearth_store_dup_pack_path (self, number);
  name = pack_file_name (number);
  writer = hearth_pack_writer_create (path, name, number, error);
  if (writer == NULL)
    return FALSE;

  self->next_pack++;

  if (!put_pack_row (self, number, FALSE, error))
    return FALSE;

  self->writer = g_steal_pointer (&writer);
  return TRUE;
}

/* Sealing syncs the pack, trailer and records, before the row says so:
 * a row that says sealed always names a pack whose trailer is on disk. */
static gboolean
seal_writer (HearthStore  *self,
             GError      **error)
{
  g_autoptr(HearthPackWriter) writer = g_steal_pointer (&self->writer);

  if (writer == NULL)
    return TRUE;

  if (!hearth_pack_writer_seal (writer, error))
    return FALSE;

  return put_pack_row (self, hearth_pack_writer_get_number (writer), TRUE, error);
}

/* After a failed write or sync: what the kernel holds for the pack is no
 * longer known (a failed fsync may have dropped dirty pages), so the pack
 * is left as it is, unsealed, and the next put starts a new one. Its
 * records of this batch are in no index row; a rebuild may pick them up,
 * which is harmless since they are verified then. */
static void
abandon_writer (HearthStore *self,
                guint64      batch_start)
{
  if (self->writer == NULL)
    return;

  if (batch_start >= HEARTH_PACK_HEADER_SIZE)
    hearth_pack_writer_truncate (self->writer, batch_start, NULL);

  g_clear_pointer (&self->writer, hearth_pack_writer_free);
}

static gboolean
chunk_is_indexed (HearthStore          *self,
                  const HearthChunkId  *id,
                  gboolean             *out_has,
                  GError              **error)
{
  sqlite3_stmt *stmt = self->statements[STMT_HAS_CHUNK];
  int rc;

  sqlite3_bind_blob (stmt, 1, id->bytes, HEARTH_CHUNK_ID_LEN, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return store_sqlite_error (self, error, rc);

  *out_has = rc == SQLITE_ROW;
  return TRUE;
}

static gboolean
insert_chunk_row (HearthStore            *self,
                  guint32                 pack,
                  const HearthPackEntry  *entry,
                  GError                **error)
{
  sqlite3_stmt *stmt = self->statements[STMT_INSERT_CHUNK];

  sqlite3_bind_blob (stmt, 1, entry->id.bytes, HEARTH_CHUNK_ID_LEN, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, pack);
  sqlite3_bind_int64 (stmt, 3, (sqlite3_int64) entry->offset);
  sqlite3_bind_int64 (stmt, 4, entry->stored_len);
  sqlite3_bind_int64 (stmt, 5, entry->raw_len);
  sqlite3_bind_int (stmt, 6, entry->compression);
  return run_statement (self, stmt, error);
}

static gboolean
index_pending (HearthStore  *self,
               GArray       *pending,
               GError      **error)
{
  if (!run_statement (self, self->statements[STMT_BEGIN], error))
    return FALSE;

  for (guint i = 0; i < pending->len; i++)
    {
      PendingChunk *p = &g_array_index (pending, PendingChunk, i);

      if (!insert_chunk_row (self, p->pack, &p->entry, error))
        {
          rollback (self);
          return FALSE;
        }
    }

  if (!run_statement (self, self->statements[STMT_COMMIT], error))
    {
      rollback (self);
      return FALSE;
    }

  return TRUE;
}

/* Reads the columns of CHUNK_COLUMNS from @first on. Values outside
 * their types' ranges are left for the pack reader to refuse, as
 * impossible lengths or an offset past the end of the pack. */
static void
read_chunk_columns (sqlite3_stmt    *stmt,
                    int              first,
                    guint32         *out_pack,
                    HearthPackEntry *out_entry)
{
  *out_pack = (guint32) sqlite3_column_int64 (stmt, first);
  out_entry->offset = (guint64) sqlite3_column_int64 (stmt, first + 1);
  out_entry->stored_len = (guint32) sqlite3_column_int64 (stmt, first + 2);
  out_entry->raw_len = (guint32) sqlite3_column_int64 (stmt, first + 3);
  out_entry->compression = (guint8) sqlite3_column_int (stmt, first + 4);
}

static HearthPackReader *
open_pack_reader (HearthStore  *self,
                  guint32       number,
                  GError      **error)
{
  g_autofree char *path = _hearth_store_dup_pack_path (self, number);
  g_autofree char *name = pack_file_name (number);

  return hearth_pack_reader_open (path, name, error);
}

static void
hearth_store_dispose (GObject *object)
{
  HearthStore *self = HEARTH_STORE (object);

  if (!self->closed)
    {
      g_autoptr(GError) error = NULL;

      if (!hearth_store_close (self, &error))
        g_warning ("Could not close the store %s: %s", self->dir, error->message);
    }

  G_OBJECT_CLASS (hearth_store_parent_class)->dispose (object);
}

static void
hearth_store_finalize (GObject *object)
{
  HearthStore *self = HEARTH_STORE (object);

  g_clear_pointer (&self->writer, hearth_pack_writer_free);
  for (guint i = 0; i < N_STATEMENTS; i++)
    g_clear_pointer (&self->statements[i], sqlite3_finalize);
  g_clear_pointer (&self->db, sqlite3_close);
  g_clear_pointer (&self->sha256, hearth_sha256_free);
  g_free (self->dir);
  g_free (self->packs_dir);
  g_free (self->db_path);

  G_OBJECT_CLASS (hearth_store_parent_class)->finalize (object);
}

static void
hearth_store_class_init (HearthStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hearth_store_dispose;
  object_class->finalize = hearth_store_finalize;
}

static void
hearth_store_init (HearthStore *self)
{
  self->pack_target_size = HEARTH_STORE_PACK_TARGET_SIZE;
  self->next_pack = 1;
  self->sha256 = hearth_sha256_new ();
}

/**
 * hearth_store_open:
 * @dir: the store's folder; created, private to the user, when missing
 *
 * Opens the store in @dir, creating DIR/packs and the index DIR/store.db
 * when missing, and brings the index to the current schema.
 *
 * Returns: (transfer full): the store, or %NULL with @error set:
 *   HEARTH_STORE_ERROR_CORRUPT for an index that is damaged or not one,
 *   HEARTH_STORE_ERROR_TOO_NEW for one a newer Hearth wrote
 */
HearthStore *
hearth_store_open (const char  *dir,
                   GError     **error)
{
  g_autoptr(HearthStore) self = NULL;

  g_return_val_if_fail (dir != NULL, NULL);

  self = g_object_new (HEARTH_TYPE_STORE, NULL);
  self->dir = g_strdup (dir);
  self->packs_dir = g_build_filename (dir, PACKS_DIR_NAME, NULL);
  self->db_path = g_build_filename (dir, DB_NAME, NULL);

  if (!hearth_database_make_private_dir (self->packs_dir, error) ||
      !open_database (self, error) ||
      !find_next_pack (self, error))
    {
      /* Nothing to seal: no writer was made. */
      self->closed = TRUE;
      return NULL;
    }

  return g_steal_pointer (&self);
}

/**
 * hearth_store_close:
 *
 * Seals the pack being written and closes the index. No other call may
 * follow. On failure the pack stays unsealed, which loses nothing: its
 * acknowledged chunks are indexed and their records durable.
 */
gboolean
hearth_store_close (HearthStore  *self,
                    GError      **error)
{
  gboolean ok;

  g_return_val_if_fail (HEARTH_IS_STORE (self), FALSE);
  g_return_val_if_fail (!self->closed, FALSE);

  self->closed = TRUE;
  ok = seal_writer (self, error);
  g_clear_pointer (&self->writer, hearth_pack_writer_free);

  for (guint i = 0; i < N_STATEMENTS; i++)
    g_clear_pointer (&self->statements[i], sqlite3_finalize);
  g_clear_pointer (&self->db, sqlite3_close);

  return ok;
}

const char *
hearth_store_get_dir (HearthStore *self)
{
  g_return_val_if_fail (HEARTH_IS_STORE (self), NULL);

  return self->dir;
}

/* What put_chunks does with one chunk before anything is written. */
static HearthStoreResult
classify_chunk (HearthStore             *self,
                const HearthStoreChunk  *chunk,
                GHashTable              *seen,
                gboolean                *out_append,
                GError                 **error)
{
  HearthChunkId digest;
  gboolean has = FALSE;

  *out_append = FALSE;

  if (chunk->len > HEARTH_CHUNK_SIZE_MAX)
    return HEARTH_STORE_RESULT_TOO_LARGE;

  hearth_sha256_reset (self->sha256);
  hearth_sha256_update (self->sha256, chunk->data, chunk->len);
  hearth_sha256_finish (self->sha256, &digest);
  if (!hearth_chunk_id_equal (&digest, &chunk->id))
    return HEARTH_STORE_RESULT_BAD_HASH;

  if (g_hash_table_contains (seen, &chunk->id))
    return HEARTH_STORE_RESULT_ALREADY;

  if (!chunk_is_indexed (self, &chunk->id, &has, error))
    return HEARTH_STORE_RESULT_ALREADY;

  if (has)
    return HEARTH_STORE_RESULT_ALREADY;

  g_hash_table_add (seen, (gpointer) &chunk->id);
  *out_append = TRUE;
  return HEARTH_STORE_RESULT_STORED;
}

/**
 * hearth_store_put_chunks:
 * @chunks: (array length=n_chunks): the chunks to store
 * @results: (array length=n_chunks) (out caller-allocates): what became
 *   of each chunk
 *
 * Stores every chunk whose bytes hash to its ID and that the store does
 * not hold yet. Chunks of the same call may repeat; the later ones are
 * ALREADY.
 *
 * The order of the steps is what makes an acknowledgement a promise:
 *
 *   1. append the records to the pack (rolling over to a new pack, which
 *      seals and syncs the full one, when the target size is reached);
 *   2. fdatasync() the pack;
 *   3. insert the index rows in one transaction and commit it (WAL,
 *      synchronous=FULL: the commit is on disk when COMMIT returns);
 *   4. return STORED.
 *
 * A row is committed only after the bytes it points at are on disk, so
 * every row of the index names a record that survives a power loss, and
 * a chunk the caller was told is STORED has both. A crash before step 3
 * completes leaves records that no row names: wasted space, never a wrong
 * answer. hearth_store_rebuild_index() picks them up (verifying them), a
 * later put of the same chunk appends it again, and the index keeps the
 * first row. The opposite order would let a crash leave a row pointing at
 * bytes that never reached the disk: a chunk acknowledged and lost.
 *
 * Returns: %FALSE with @error set when the store itself failed (the
 *   disk is full, an I/O error, the index failed); then no chunk of
 *   this call is stored by it, and @results is undefined
 */
gboolean
hearth_store_put_chunks (HearthStore             *self,
                         const HearthStoreChunk  *chunks,
                         guint                    n_chunks,
                         HearthStoreResult       *results,
                         GError                 **error)
{
  g_autoptr(GHashTable) seen = NULL;
  g_autoptr(GArray) pending = NULL;
  guint64 batch_start = 0;

  g_return_val_if_fail (HEARTH_IS_STORE (self), FALSE);
  g_return_val_if_fail (!self->closed, FALSE);
  g_return_val_if_fail (n_chunks == 0 || (chunks != NULL && results != NULL), FALSE);

  seen = g_hash_table_new (hearth_chunk_id_hash, hearth_chunk_id_equal);
  pending = g_array_new (FALSE, FALSE, sizeof (PendingChunk));

  for (guint i = 0; i < n_chunks; i++)
    {
      const HearthStoreChunk *chunk = &chunks[i];
      GError *local_error = NULL;
      PendingChunk p = { .index = i };
      gboolean append;

      results[i] = classify_chunk (self, chunk, seen, &append, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          abandon_writer (self, batch_start);
          return FALSE;
        }
      if (!append)
        continue;

      if (self->writer != NULL &&
          hearth_pack_writer_get_n_entries (self->writer) > 0 &&
          hearth_pack_writer_get_size (self->writer) + HEARTH_PACK_RECORD_HEADER_SIZE + chunk->len >
            self->pack_target_size)
        {
          if (!seal_writer (self, error))
            {
              abandon_writer (self, 0);
              return FALSE;
            }
        }

      if (self->writer == NULL)
        {
          if (!ensure_writer (self, error))
            return FALSE;
          batch_start = hearth_pack_writer_get_size (self->writer);
        }
      else if (batch_start == 0)
        {
          batch_start = hearth_pack_writer_get_size (self->writer);
        }

      p.pack = hearth_pack_writer_get_number (self->writer);
      if (!hearth_pack_writer_append (self->writer, &chunk->id, chunk->data, chunk->len,
                                      &p.entry, error))
        {
          abandon_writer (self, batch_start);
          return FALSE;
        }
      g_array_append_val (pending, p);
    }

  if (pending->len == 0)
    return TRUE;

  if (self->writer != NULL && !hearth_pack_writer_sync (self->writer, error))
    {
      abandon_writer (self, 0);
      return FALSE;
    }

  return index_pending (self, pending, error);
}

gboolean
hearth_store_has_chunk (HearthStore          *self,
                        const HearthChunkId  *id,
                        gboolean             *out_has,
                        GError              **error)
{
  g_return_val_if_fail (HEARTH_IS_STORE (self), FALSE);
  g_return_val_if_fail (!self->closed, FALSE);
  g_return_val_if_fail (id != NULL && out_has != NULL, FALSE);

  return chunk_is_indexed (self, id, out_has, error);
}

/* Looks up @id's row. Returns FALSE with @error set, NOT_FOUND included. */
static gboolean
lookup_chunk (HearthStore          *self,
              const HearthChunkId  *id,
              guint32              *out_pack,
              HearthPackEntry      *out_entry,
              GError              **error)
{
  sqlite3_stmt *stmt = self->statements[STMT_LOOKUP_CHUNK];
  int rc;

  sqlite3_bind_blob (stmt, 1, id->bytes, HEARTH_CHUNK_ID_LEN, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      out_entry->id = *id;
      read_chunk_columns (stmt, 0, out_pack, out_entry);
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);

  if (rc == SQLITE_DONE)
    {
      char hex[HEARTH_CHUNK_ID_HEX_LEN + 1];

      hearth_chunk_id_to_hex (id, hex);
      g_set_error (error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_NOT_FOUND,
                   _("The store has no chunk %s"), hex);
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    return store_sqlite_error (self, error, rc);

  return TRUE;
}

/**
 * hearth_store_read_chunk:
 *
 * Reads a chunk, decompressed and verified against its ID.
 *
 * Returns: (transfer full): the chunk's bytes, or %NULL with @error set:
 *   HEARTH_STORE_ERROR_NOT_FOUND when the store does not hold it,
 *   HEARTH_STORE_ERROR_CORRUPT (naming the pack) when its record is damaged
 */
GBytes *
hearth_store_read_chunk (HearthStore          *self,
                         const HearthChunkId  *id,
                         GError              **error)
{
  g_autoptr(HearthPackReader) reader = NULL;
  HearthPackEntry entry = { 0 };
  guint32 pack = 0;

  g_return_val_if_fail (HEARTH_IS_STORE (self), NULL);
  g_return_val_if_fail (!self->closed, NULL);
  g_return_val_if_fail (id != NULL, NULL);

  if (!lookup_chunk (self, id, &pack, &entry, error))
    return NULL;

  reader = open_pack_reader (self, pack, error);
  if (reader == NULL)
    return NULL;

  return hearth_pack_reader_read_chunk (reader, &entry, error);
}

gboolean
hearth_store_get_stats (HearthStore       *self,
                        HearthStoreStats  *out_stats,
                        GError           **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (HEARTH_IS_STORE (self), FALSE);
  g_return_val_if_fail (!self->closed, FALSE);
  g_return_val_if_fail (out_stats != NULL, FALSE);

  stmt = self->statements[STMT_STATS];
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      out_stats->n_chunks = (guint64) sqlite3_column_int64 (stmt, 0);
      out_stats->stored_bytes = (guint64) sqlite3_column_int64 (stmt, 1);
      out_stats->raw_bytes = (guint64) sqlite3_column_int64 (stmt, 2);
      out_stats->n_packs = (guint64) sqlite3_column_int64 (stmt, 3);
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_ROW)
    return store_sqlite_error (self, error, rc);

  return TRUE;
}

static void
problem_free (gpointer data)
{
  HearthStoreProblem *problem = data;

  g_free (problem->chunk_hex);
  g_free (problem->pack);
  g_free (problem->message);
  g_free (problem);
}

void
hearth_store_check_report_free (HearthStoreCheckReport *report)
{
  if (report == NULL)
    return;

  g_clear_pointer (&report->problems, g_ptr_array_unref);
  g_free (report);
}

static void
add_problem (HearthStoreCheckReport  *report,
             HearthStoreProblemKind   kind,
             const HearthChunkId     *id,
             guint32                  pack,
             const char              *message)
{
  HearthStoreProblem *problem = g_new0 (HearthStoreProblem, 1);

  problem->kind = kind;
  problem->chunk_hex = id != NULL ? hearth_chunk_id_dup_hex (id) : NULL;
  problem->pack = pack_file_name (pack);
  problem->message = g_strdup (message);
  g_ptr_array_add (report->problems, problem);
}

/* A sealed pack's trailer must read back whole. Packs the index says are
 * not sealed are read by their records and need no trailer. */
static gboolean
check_packs (HearthStore             *self,
             HearthStoreCheckReport  *report,
             GHashTable              *readers,
             GError                 **error)
{
  sqlite3_stmt *stmt = self->statements[STMT_LIST_PACKS];
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      guint32 number = (guint32) sqlite3_column_int64 (stmt, 0);
      gboolean sealed = sqlite3_column_int (stmt, 1) != 0;
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GArray) entries = NULL;
      HearthPackReader *reader = open_pack_reader (self, number, &local_error);

      report->n_packs++;
      g_hash_table_insert (readers, GUINT_TO_POINTER (number), reader);

      if (reader == NULL)
        add_problem (report, HEARTH_STORE_PROBLEM_MISSING_PACK, NULL, number, local_error->message);
      else if (sealed && !hearth_pack_reader_read_trailer (reader, &entries, &local_error))
        add_problem (report, HEARTH_STORE_PROBLEM_BAD_TRAILER, NULL, number, local_error->message);
      else if (sealed && entries == NULL)
        add_problem (report, HEARTH_STORE_PROBLEM_BAD_TRAILER, NULL, number,
                     _("The pack is recorded as sealed but has no trailer"));
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    return store_sqlite_error (self, error, rc);

  return TRUE;
}

static gboolean
entries_match (const HearthPackEntry *a,
               const HearthPackEntry *b)
{
  return hearth_chunk_id_equal (&a->id, &b->id) &&
         a->offset == b->offset &&
         a->raw_len == b->raw_len &&
         a->stored_len == b->stored_len &&
         a->compression == b->compression;
}

static void
check_chunk (HearthStoreCheckReport *report,
             GHashTable             *readers,
             HearthStore            *self,
             guint32                 pack,
             const HearthPackEntry  *entry,
             gboolean                read_data)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  HearthPackReader *reader;
  HearthPackEntry found;

  if (!g_hash_table_lookup_extended (readers, GUINT_TO_POINTER (pack), NULL, (gpointer *) &reader))
    {
      reader = open_pack_reader (self, pack, &local_error);
      g_hash_table_insert (readers, GUINT_TO_POINTER (pack), reader);
      if (reader == NULL)
        {
          add_problem (report, HEARTH_STORE_PROBLEM_MISSING_PACK, &entry->id, pack, local_error->message);
          return;
        }
    }

  if (reader == NULL)
    {
      add_problem (report, HEARTH_STORE_PROBLEM_MISSING_PACK, &entry->id, pack,
                   _("The chunk’s pack cannot be opened"));
      return;
    }

  if (entry->offset < HEARTH_PACK_HEADER_SIZE ||
      entry->offset > hearth_pack_reader_get_size (reader) ||
      hearth_pack_entry_record_size (entry) > hearth_pack_reader_get_size (reader) - entry->offset)
    {
      add_problem (report, HEARTH_STORE_PROBLEM_OUT_OF_BOUNDS, &entry->id, pack,
                   _("The chunk’s record lies past the end of its pack"));
      return;
    }

  if (!hearth_pack_reader_read_entry (reader, entry->offset, &found, &local_error))
    {
      add_problem (report, HEARTH_STORE_PROBLEM_BAD_RECORD, &entry->id, pack, local_error->message);
      return;
    }

  if (!entries_match (entry, &found))
    {
      add_problem (report, HEARTH_STORE_PROBLEM_BAD_RECORD, &entry->id, pack,
                   _("The record at the chunk’s offset is not the one the index describes"));
      return;
    }

  if (!read_data)
    return;

  bytes = hearth_pack_reader_read_chunk (reader, entry, &local_error);
  if (bytes == NULL)
    add_problem (report, HEARTH_STORE_PROBLEM_BAD_DATA, &entry->id, pack, local_error->message);
}

/**
 * hearth_store_check:
 * @read_data: also read every chunk, decompress it and verify its hash
 * @out_report: (out) (transfer full): what was checked and found
 *
 * Checks that every index row points at a record of its pack, within the
 * file, whose header agrees with the row, and that every pack the index
 * says is sealed has a sound trailer. Damage goes into the report; the
 * call fails only when the index cannot be read.
 */
gboolean
hearth_store_check (HearthStore             *self,
                    gboolean                 read_data,
                    HearthStoreCheckReport **out_report,
                    GError                 **error)
{
  g_autoptr(HearthStoreCheckReport) report = NULL;
  g_autoptr(GHashTable) readers = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (HEARTH_IS_STORE (self), FALSE);
  g_return_val_if_fail (!self->closed, FALSE);
  g_return_val_if_fail (out_report != NULL, FALSE);

  report = g_new0 (HearthStoreCheckReport, 1);
  report->problems = g_ptr_array_new_with_free_func (problem_free);
  readers = g_hash_table_new_full (NULL, NULL, NULL,
                                   (GDestroyNotify) hearth_pack_reader_free);

  if (!check_packs (self, report, readers, error))
    return FALSE;

  stmt = self->statements[STMT_FOREACH_CHUNK];
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      HearthPackEntry entry = { 0 };
      guint32 pack;

      read_chunk_columns (stmt, 0, &pack, &entry);
      if (sqlite3_column_bytes (stmt, 5) == HEARTH_CHUNK_ID_LEN)
        memcpy (entry.id.bytes, sqlite3_column_blob (stmt, 5), HEARTH_CHUNK_ID_LEN);

      report->n_chunks++;
      check_chunk (report, readers, self, pack, &entry, read_data);
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    return store_sqlite_error (self, error, rc);

  *out_report = g_steal_pointer (&report);
  return TRUE;
}

/* The records of a pack that was never sealed, or whose trailer is
 * damaged, found by walking them. Each is read and verified, since this
 * is the pack a crash interrupted: a record whose header reached the disk
 * but whose bytes did not must not be indexed. */
static GArray *
scan_unsealed_pack (HearthPackReader  *reader,
                    const char        *name,
                    GError           **error)
{
  g_autoptr(GArray) scanned = NULL;
  GArray *verified;
  guint64 end = 0;

  if (!hearth_pack_reader_scan (reader, &scanned, &end, error))
    return NULL;

  if (end < hearth_pack_reader_get_size (reader))
    g_debug ("Pack %s: records end at byte %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT,
             name, end, hearth_pack_reader_get_size (reader));

  verified = g_array_new (FALSE, FALSE, sizeof (HearthPackEntry));
  for (guint i = 0; i < scanned->len; i++)
    {
      const HearthPackEntry *entry = &g_array_index (scanned, HearthPackEntry, i);
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GBytes) bytes = hearth_pack_reader_read_chunk (reader, entry, &local_error);

      if (bytes != NULL)
        g_array_append_val (verified, *entry);
      else if (g_error_matches (local_error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_CORRUPT))
        g_message ("Rebuilding the store index: skipped a damaged record: %s", local_error->message);
      else
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          g_array_unref (verified);
          return NULL;
        }
    }

  return verified;
}

static gboolean
index_pack (HearthStore  *self,
            guint32       number,
            GError      **error)
{
  g_autofree char *name = pack_file_name (number);
  g_autoptr(HearthPackReader) reader = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GArray) entries = NULL;
  gboolean sealed;

  reader = open_pack_reader (self, number, &local_error);
  if (reader == NULL)
    {
      if (!g_error_matches (local_error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_CORRUPT) &&
          !g_error_matches (local_error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_TOO_NEW))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_message ("Rebuilding the store index: skipped a pack: %s", local_error->message);
      return TRUE;
    }

  if (!hearth_pack_reader_read_trailer (reader, &entries, &local_error))
    {
      g_message ("Rebuilding the store index: reading the records instead: %s", local_error->message);
      g_clear_error (&local_error);
    }

  sealed = entries != NULL;
  if (!sealed)
    {
      entries = scan_unsealed_pack (reader, name, error);
      if (entries == NULL)
        return FALSE;
    }

  for (guint i = 0; i < entries->len; i++)
    {
      if (!insert_chunk_row (self, number, &g_array_index (entries, HearthPackEntry, i), error))
        return FALSE;
    }

  return put_pack_row (self, number, sealed, error);
}

static gboolean
rebuild_locked (HearthStore  *self,
                GArray       *numbers,
                GError      **error)
{
  if (!run_statement (self, self->statements[STMT_CLEAR_CHUNKS], error) ||
      !run_statement (self, self->statements[STMT_CLEAR_PACKS], error))
    return FALSE;

  for (guint i = 0; i < numbers->len; i++)
    {
      if (!index_pack (self, g_array_index (numbers, guint32, i), error))
        return FALSE;
    }

  return run_statement (self, self->statements[STMT_COMMIT], error);
}

/**
 * hearth_store_rebuild_index:
 *
 * Replaces the index with one built from the packs alone: a sealed pack
 * from its trailer, any other by walking and verifying its records (a
 * record cut short at the end is ignored). Packs that are not packs are
 * skipped with a message. One transaction: on failure the old index stays.
 */
gboolean
hearth_store_rebuild_index (HearthStore  *self,
                            GError      **error)
{
  g_autoptr(GArray) numbers = NULL;

  g_return_val_if_fail (HEARTH_IS_STORE (self), FALSE);
  g_return_val_if_fail (!self->closed, FALSE);

  numbers = list_pack_files (self, error);
  if (numbers == NULL)
    return FALSE;

  if (!run_statement (self, self->statements[STMT_BEGIN], error))
    return FALSE;

  if (!rebuild_locked (self, numbers, error))
    {
      rollback (self);
      return FALSE;
    }

  return TRUE;
}
