/* hearth-inventory.c
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "HearthInventory"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "hearth-inventory.h"
#include "hearth-inventory-private.h"

/* The inventory is one SQLite database per client profile. The schema,
 * the chunk-list encoding and the reasons for each PRAGMA are written down
 * in docs/inventory.md; the comments here say what the code relies on.
 * hearth-inventory-schema.c opens the file and brings it to the current
 * schema; this file is what runs on the open connection.
 *
 * The connection is opened in SQLite's multi-thread mode (NOMUTEX): a
 * HearthInventory is used by one thread at a time, and the prepared
 * statements it caches are state that SQLite's own mutex would not protect
 * anyway, since a bind/step/reset sequence spans several calls. Handing the
 * object to a worker thread and back goes through GTask, whose locking
 * orders the memory accesses of the two threads. */

typedef enum
{
  STMT_BEGIN,
  STMT_COMMIT,
  STMT_ROLLBACK,
  STMT_SAVEPOINT,
  STMT_RELEASE,
  STMT_ROLLBACK_TO,
  STMT_ADD_FOLDER,
  STMT_FIND_FOLDER,
  STMT_GET_FOLDER,
  STMT_LIST_FOLDERS,
  STMT_REMOVE_FOLDER,
  STMT_SET_FOLDER_SCANNED,
  STMT_SET_FOLDER_MOUNT_POINT,
  STMT_FOREACH_FILE,
  STMT_PUT_FILE,
  STMT_MARK_DELETED,
  STMT_GET_FILE,
  STMT_COUNT_FOLDER_FILES,
  STMT_COUNT_ALL_FILES,
  STMT_ADD_SERVER_CHUNK,
  STMT_HAS_SERVER_CHUNK,
  STMT_FORGET_SERVER_CHUNKS,
  N_STATEMENTS
} StatementId;

#define FOLDER_COLUMNS "id, path, added_ns, last_scan_ns, mount_point"

/* The stat columns come in HearthFileStat's order; read_stat() relies on it. */
#define STAT_COLUMNS "type, mode, size, mtime_ns, ctime_ns, inode"

static const char * const statement_sql[N_STATEMENTS] = {
  /* IMMEDIATE takes the write lock now, waiting up to the busy timeout. A
   * deferred transaction would take it at its first write instead, and if
   * another connection had written since this one's first read, that write
   * would fail with SQLITE_BUSY at once, without waiting, leaving the
   * caller to redo the whole batch. */
  [STMT_BEGIN] = "BEGIN IMMEDIATE",
  [STMT_COMMIT] = "COMMIT",
  [STMT_ROLLBACK] = "ROLLBACK",
  [STMT_SAVEPOINT] = "SAVEPOINT hearth_inventory_call",
  [STMT_RELEASE] = "RELEASE hearth_inventory_call",
  [STMT_ROLLBACK_TO] = "ROLLBACK TO hearth_inventory_call",

  [STMT_ADD_FOLDER] =
    "INSERT INTO folders (path, added_ns) VALUES (?1, ?2)",
  [STMT_FIND_FOLDER] =
    "SELECT " FOLDER_COLUMNS " FROM folders WHERE path = ?1",
  [STMT_GET_FOLDER] =
    "SELECT " FOLDER_COLUMNS " FROM folders WHERE id = ?1",
  [STMT_LIST_FOLDERS] =
    "SELECT " FOLDER_COLUMNS " FROM folders ORDER BY id",
  [STMT_REMOVE_FOLDER] =
    "DELETE FROM folders WHERE id = ?1",
  [STMT_SET_FOLDER_SCANNED] =
    "UPDATE folders SET last_scan_ns = ?2 WHERE id = ?1",
  [STMT_SET_FOLDER_MOUNT_POINT] =
    "UPDATE folders SET mount_point = ?2 WHERE id = ?1",

  /* The rescan's hot path: a range of the files_live index, which holds
   * every column asked for, so the table itself is never read. */
  [STMT_FOREACH_FILE] =
    "SELECT path, " STAT_COLUMNS " FROM files INDEXED BY files_live"
    " WHERE folder_id = ?1 AND deleted_ns IS NULL ORDER BY path",
  [STMT_PUT_FILE] =
    "INSERT INTO files (folder_id, path, " STAT_COLUMNS ","
    "                   scanned_ns, deleted_ns, symlink_target, file_id, chunks)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, NULL, ?10, ?11, ?12)"
    " ON CONFLICT (folder_id, path) DO UPDATE SET"
    "   type = excluded.type, mode = excluded.mode, size = excluded.size,"
    "   mtime_ns = excluded.mtime_ns, ctime_ns = excluded.ctime_ns,"
    "   inode = excluded.inode, scanned_ns = excluded.scanned_ns,"
    "   deleted_ns = NULL, symlink_target = excluded.symlink_target,"
    "   file_id = excluded.file_id, chunks = excluded.chunks",
  /* coalesce() keeps the time a file was first seen gone; the row still
   * counts as changed, so changes() tells a missing row from a deleted one. */
  [STMT_MARK_DELETED] =
    "UPDATE files SET deleted_ns = coalesce (deleted_ns, ?3)"
    " WHERE folder_id = ?1 AND path = ?2",
  [STMT_GET_FILE] =
    "SELECT " STAT_COLUMNS ", scanned_ns, deleted_ns, symlink_target, file_id, chunks"
    " FROM files WHERE folder_id = ?1 AND path = ?2",
  [STMT_COUNT_FOLDER_FILES] =
    "SELECT count(*) FROM files WHERE folder_id = ?1 AND deleted_ns IS NULL",
  [STMT_COUNT_ALL_FILES] =
    "SELECT count(*) FROM files WHERE deleted_ns IS NULL",

  [STMT_ADD_SERVER_CHUNK] =
    "INSERT OR IGNORE INTO server_chunks (id) VALUES (?1)",
  [STMT_HAS_SERVER_CHUNK] =
    "SELECT 1 FROM server_chunks WHERE id = ?1",
  [STMT_FORGET_SERVER_CHUNKS] =
    "DELETE FROM server_chunks",
};

struct _HearthInventory
{
  GObject                         parent_instance;

  char                           *path;
  char                           *display_path;
  sqlite3                        *db;
  sqlite3_stmt                   *statements[N_STATEMENTS];
  const HearthInventoryMigration *migrations;
  guint                           n_migrations;
};

enum {
  PROP_0,
  PROP_PATH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HearthInventory, hearth_inventory, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, initable_iface_init))

G_DEFINE_QUARK (hearth-inventory-error-quark, hearth_inventory_error)

/* A statement borrowed from the cache. Leaving its scope resets it and
 * clears its bindings, never finalizes it: a statement left un-reset would
 * hold its read snapshot open and keep WAL checkpoints from completing,
 * and a binding left in place would point at the caller's freed memory. */
typedef sqlite3_stmt InventoryStatement;

static void
inventory_statement_release (InventoryStatement *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (InventoryStatement, inventory_statement_release)

static HearthInventoryError
error_code_from_sqlite (int rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return HEARTH_INVENTORY_ERROR_CORRUPT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return HEARTH_INVENTORY_ERROR_BUSY;
    default:
      return HEARTH_INVENTORY_ERROR_FAILED;
    }
}

/**
 * _hearth_inventory_set_damaged_error:
 * @detail: what is wrong, as SQLite or the check that found it says
 *
 * Like every set_*_error() of the inventory, always returns %FALSE, so
 * that callers can `return set_…_error (…)`.
 */
gboolean
_hearth_inventory_set_damaged_error (GError     **error,
                                     const char  *display_path,
                                     const char  *detail)
{
  g_set_error (error, HEARTH_INVENTORY_ERROR, HEARTH_INVENTORY_ERROR_CORRUPT,
               _("The inventory “%s” is damaged (%s). Move the file away and scan your folders again to rebuild it."),
               display_path, detail);
  return FALSE;
}

gboolean
_hearth_inventory_set_sqlite_error (GError     **error,
                                    sqlite3     *db,
                                    const char  *display_path,
                                    int          rc)
{
  HearthInventoryError code = error_code_from_sqlite (rc);
  const char *detail = sqlite3_errmsg (db);

  switch (code)
    {
    case HEARTH_INVENTORY_ERROR_CORRUPT:
      return _hearth_inventory_set_damaged_error (error, display_path, detail);

    case HEARTH_INVENTORY_ERROR_BUSY:
      g_set_error (error, HEARTH_INVENTORY_ERROR, code,
                   _("The inventory “%s” is in use by another Hearth program. Try again when it has finished."),
                   display_path);
      return FALSE;

    case HEARTH_INVENTORY_ERROR_FAILED:
    case HEARTH_INVENTORY_ERROR_TOO_NEW:
    case HEARTH_INVENTORY_ERROR_NOT_FOUND:
    case HEARTH_INVENTORY_ERROR_EXISTS:
    default:
      g_set_error (error, HEARTH_INVENTORY_ERROR, code,
                   _("Could not use the inventory “%s”: %s"),
                   display_path, detail);
      return FALSE;
    }
}

static gboolean
set_sqlite_error (HearthInventory  *self,
                  GError          **error,
                  int               rc)
{
  return _hearth_inventory_set_sqlite_error (error, self->db, self->display_path, rc);
}

static gboolean
set_damaged_entry_error (HearthInventory  *self,
                         GError          **error,
                         const char       *path)
{
  g_autofree char *display = g_filename_display_name (path);

  g_set_error (error, HEARTH_INVENTORY_ERROR, HEARTH_INVENTORY_ERROR_CORRUPT,
               _("The inventory “%s” is damaged: the entry for “%s” cannot be read. Move the file away and scan your folders again to rebuild it."),
               self->display_path, display);
  return FALSE;
}

static gboolean
set_folder_not_found_error (GError **error,
                            gint64   folder_id)
{
  /* xgettext cannot see through G_GINT64_FORMAT: format the number apart. */
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, folder_id);

  g_set_error (error, HEARTH_INVENTORY_ERROR, HEARTH_INVENTORY_ERROR_NOT_FOUND,
               _("There is no backed-up folder with ID %s"), id);
  return FALSE;
}

static gboolean
set_file_not_found_error (GError     **error,
                          const char  *path)
{
  g_autofree char *display = g_filename_display_name (path);

  g_set_error (error, HEARTH_INVENTORY_ERROR, HEARTH_INVENTORY_ERROR_NOT_FOUND,
               _("Nothing is recorded for “%s”"), display);
  return FALSE;
}

static InventoryStatement *
lookup_statement (HearthInventory  *self,
                  StatementId       id,
                  GError          **error)
{
  if (self->statements[id] == NULL)
    {
      int rc = sqlite3_prepare_v3 (self->db, statement_sql[id], -1,
                                   SQLITE_PREPARE_PERSISTENT,
                                   &self->statements[id], NULL);

      if (rc != SQLITE_OK)
        {
          set_sqlite_error (self, error, rc);
          return NULL;
        }
    }

  /* Only a callback of hearth_inventory_foreach_file() could get here
   * while a statement is still running, by re-entering the same call. */
  g_return_val_if_fail (!sqlite3_stmt_busy (self->statements[id]), NULL);

  return self->statements[id];
}

/* For statements that return no rows. */
static gboolean
run_statement (HearthInventory  *self,
               StatementId       id,
               GError          **error)
{
  g_autoptr(InventoryStatement) stmt = lookup_statement (self, id, error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (self, error, rc);

  return TRUE;
}

/* sqlite3_bind_blob() binds NULL for a NULL pointer, even with a length of
 * zero; an empty name or chunk list must stay an empty BLOB. */
static void
bind_bytes (sqlite3_stmt *stmt,
            int           index,
            const void   *data,
            gsize         len)
{
  static const guint8 empty[1];

  sqlite3_bind_blob64 (stmt, index, data != NULL ? data : empty, len, SQLITE_STATIC);
}

static void
bind_path (sqlite3_stmt *stmt,
           int           index,
           const char   *path)
{
  bind_bytes (stmt, index, path, strlen (path));
}

/* Copies a path column into @out. A path holding a NUL byte was never
 * written by this code, and would be truncated silently by every user of
 * the string: refuse it. */
static gboolean
read_path (sqlite3_stmt *stmt,
           int           column,
           GString      *out)
{
  const void *bytes = sqlite3_column_blob (stmt, column);
  gsize len = sqlite3_column_bytes (stmt, column);

  g_string_truncate (out, 0);
  if (len == 0)
    return sqlite3_column_type (stmt, column) == SQLITE_BLOB;

  if (memchr (bytes, '\0', len) != NULL)
    return FALSE;

  g_string_append_len (out, bytes, len);
  return TRUE;
}

static char *
dup_path (sqlite3_stmt *stmt,
          int           column)
{
  g_autoptr(GString) path = g_string_new (NULL);

  if (!read_path (stmt, column, path))
    return NULL;

  return g_string_free (g_steal_pointer (&path), FALSE);
}

/* Reads STAT_COLUMNS starting at @first. The integers are stored as
 * SQLite's signed 64-bit values: sizes and inodes above G_MAXINT64 come
 * back negative and are cast back to the same bits. */
static gboolean
read_stat (sqlite3_stmt   *stmt,
           int             first,
           HearthFileStat *out)
{
  gint64 type = sqlite3_column_int64 (stmt, first);

  if (type != HEARTH_FILE_TYPE_REGULAR &&
      type != HEARTH_FILE_TYPE_DIRECTORY &&
      type != HEARTH_FILE_TYPE_SYMLINK)
    return FALSE;

  out->type = (HearthFileType) type;
  out->mode = (guint32) sqlite3_column_int64 (stmt, first + 1);
  out->size = (guint64) sqlite3_column_int64 (stmt, first + 2);
  out->mtime_ns = sqlite3_column_int64 (stmt, first + 3);
  out->ctime_ns = sqlite3_column_int64 (stmt, first + 4);
  out->inode = (guint64) sqlite3_column_int64 (stmt, first + 5);
  return TRUE;
}

static void
bind_stat (sqlite3_stmt         *stmt,
           int                   first,
           const HearthFileStat *stat)
{
  sqlite3_bind_int64 (stmt, first, stat->type);
  sqlite3_bind_int64 (stmt, first + 1, stat->mode);
  sqlite3_bind_int64 (stmt, first + 2, (gint64) stat->size);
  sqlite3_bind_int64 (stmt, first + 3, stat->mtime_ns);
  sqlite3_bind_int64 (stmt, first + 4, stat->ctime_ns);
  sqlite3_bind_int64 (stmt, first + 5, (gint64) stat->inode);
}

/* The chunk list is stored as hearth_file_descriptor_encode_chunks()
 * writes it: per chunk, its length (u32 LE) and its ID. Offsets are not
 * stored: each chunk starts where the previous one ended. The stored file
 * ID is recomputed from the chunks and compared, which catches a damaged
 * list that still parses. */
static HearthFileDescriptor *
decode_chunks (const guint8 *encoded,
               gsize         len,
               const void   *file_id,
               gsize         file_id_len)
{
  g_autoptr(HearthFileDescriptor) descriptor = NULL;

  if (file_id_len != HEARTH_CHUNK_ID_LEN)
    return NULL;

  descriptor = hearth_file_descriptor_new_from_encoded (encoded, len);
  if (descriptor == NULL)
    return NULL;

  /* The stored ID is checked, not trusted: a chunk list that does not hash
   * to it was damaged. */
  if (memcmp (hearth_file_descriptor_get_id (descriptor)->bytes, file_id, HEARTH_CHUNK_ID_LEN) != 0)
    return NULL;

  return g_steal_pointer (&descriptor);
}

static HearthFolder *
read_folder (sqlite3_stmt *stmt)
{
  g_autoptr(HearthFolder) folder = g_new0 (HearthFolder, 1);

  folder->id = sqlite3_column_int64 (stmt, 0);
  folder->path = dup_path (stmt, 1);
  folder->added_ns = sqlite3_column_int64 (stmt, 2);
  folder->last_scan_ns = sqlite3_column_int64 (stmt, 3);
  folder->is_mount_point = sqlite3_column_int64 (stmt, 4) != 0;

  if (folder->path == NULL)
    return NULL;

  return g_steal_pointer (&folder);
}

static HearthFolder *
query_one_folder (HearthInventory     *self,
                  InventoryStatement  *stmt,
                  GError             **error)
{
  HearthFolder *folder;
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_DONE)
    {
      g_set_error_literal (error, HEARTH_INVENTORY_ERROR, HEARTH_INVENTORY_ERROR_NOT_FOUND,
                           _("The folder is not backed up"));
      return NULL;
    }

  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (self, error, rc);
      return NULL;
    }

  folder = read_folder (stmt);
  if (folder == NULL)
    set_damaged_entry_error (self, error, "/");

  return folder;
}

static gboolean
hearth_inventory_initable_init (GInitable     *initable,
                                GCancellable  *cancellable,
                                GError       **error)
{
  HearthInventory *self = HEARTH_INVENTORY (initable);

  g_return_val_if_fail (self->path != NULL, FALSE);
  g_return_val_if_fail (self->db == NULL, FALSE);

  self->db = _hearth_inventory_open_database (self->path, self->display_path,
                                              self->migrations, self->n_migrations,
                                              error);
  return self->db != NULL;
}

static void
initable_iface_init (GInitableIface *iface)
{
  iface->init = hearth_inventory_initable_init;
}

static void
hearth_inventory_finalize (GObject *object)
{
  HearthInventory *self = (HearthInventory *)object;

  for (guint i = 0; i < N_STATEMENTS; i++)
    g_clear_pointer (&self->statements[i], sqlite3_finalize);

  /* Closing does not checkpoint (SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, set
   * at open): the WAL and its -wal and -shm files stay for the next open,
   * which reads the commits from there. */
  if (self->db != NULL)
    {
      int rc = sqlite3_close (self->db);

      if (rc != SQLITE_OK)
        g_warning ("Could not close the inventory %s: %s",
                   self->display_path, sqlite3_errstr (rc));
      self->db = NULL;
    }

  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->display_path, g_free);

  G_OBJECT_CLASS (hearth_inventory_parent_class)->finalize (object);
}

static void
hearth_inventory_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  HearthInventory *self = HEARTH_INVENTORY (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hearth_inventory_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  HearthInventory *self = HEARTH_INVENTORY (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_assert (self->path == NULL);
      self->path = g_value_dup_string (value);
      self->display_path = self->path != NULL ? g_filename_display_name (self->path) : NULL;
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hearth_inventory_class_init (HearthInventoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = hearth_inventory_finalize;
  object_class->get_property = hearth_inventory_get_property;
  object_class->set_property = hearth_inventory_set_property;

  /**
   * HearthInventory:path:
   *
   * The database file, in the file system's encoding.
   */
  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE |
                          G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_EXPLICIT_NOTIFY |
                          G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hearth_inventory_init (HearthInventory *self)
{
  self->migrations = _hearth_inventory_get_migrations (&self->n_migrations);
}

/**
 * hearth_inventory_open:
 * @path: the database file; created private to the user when missing
 * @error: return location for an error
 *
 * Opens the inventory in @path and brings its schema up to
 * %HEARTH_INVENTORY_SCHEMA_VERSION. Fails with
 * %HEARTH_INVENTORY_ERROR_TOO_NEW for a file a newer Hearth wrote, and
 * with %HEARTH_INVENTORY_ERROR_CORRUPT for a file that is not an inventory
 * or is damaged; such files are left exactly as they were. A file that
 * cannot be created fails with a %G_IO_ERROR.
 *
 * Returns: (transfer full): the inventory, or %NULL with @error set
 */
HearthInventory *
hearth_inventory_open (const char  *path,
                       GError     **error)
{
  guint n_migrations;
  const HearthInventoryMigration *migrations = _hearth_inventory_get_migrations (&n_migrations);

  return _hearth_inventory_open_with_migrations (path, migrations, n_migrations, error);
}

/* As hearth_inventory_open(), with another list of migrations: a test can
 * append a step and watch the machinery run it. */
HearthInventory *
_hearth_inventory_open_with_migrations (const char                      *path,
                                        const HearthInventoryMigration  *steps,
                                        guint                            n_steps,
                                        GError                         **error)
{
  g_autoptr(HearthInventory) self = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (steps != NULL && n_steps > 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (HEARTH_TYPE_INVENTORY, "path", path, NULL);
  self->migrations = steps;
  self->n_migrations = n_steps;

  if (!g_initable_init (G_INITABLE (self), NULL, error))
    return NULL;

  return g_steal_pointer (&self);
}

gboolean
_hearth_inventory_exec (sqlite3     *db,
                        const char  *sql,
                        GError     **error)
{
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      g_set_error_literal (error, HEARTH_INVENTORY_ERROR, error_code_from_sqlite (rc),
                           sqlite3_errmsg (db));
      return FALSE;
    }

  return TRUE;
}

sqlite3 *
_hearth_inventory_get_db (HearthInventory *self)
{
  g_return_val_if_fail (HEARTH_IS_INVENTORY (self), NULL);

  return self->db;
}

const char *
hearth_inventory_get_path (HearthInventory *self)
{
  g_return_val_if_fail (HEARTH_IS_INVENTORY (self), NULL);

  return self->path;
}

/**
 * hearth_inventory_get_schema_version:
 *
 * Returns: the schema version of the open database, which is the newest
 *   this build knows (%HEARTH_INVENTORY_SCHEMA_VERSION)
 */
guint
hearth_inventory_get_schema_version (HearthInventory *self)
{
  g_return_val_if_fail (HEARTH_IS_INVENTORY (self), 0);

  return self->n_migrations;
}

/**
 * hearth_inventory_begin:
 *
 * Starts a transaction holding the database's write lock, waiting for
 * another process's lock for a few seconds before failing with
 * %HEARTH_INVENTORY_ERROR_BUSY. Calls made without one commit each on
 * their own.
 */
gboolean
hearth_inventory_begin (HearthInventory  *self,
                        GError          **error)
{
  g_return_val_if_fail (HEARTH_IS_INVENTORY (self), FALSE);
  g_return_val_if_fail (sqlite3_get_autocommit (self->db), FALSE);

  return run_statement (self, STMT_BEGIN, error);
}

/**
 * hearth_inventory_commit:
 *
 * Commits the transaction hearth_inventory_begin() started. When this
 * fails, the transaction has been rolled back: no transaction is left
 * open whatever the outcome.
 */
gboolean
hearth_inventory_commit (HearthInventory  *self,
                         GError          **error)
{
  g_return_val_if_fail (HEARTH_IS_INVENTORY (self), FALSE);
  g_return_val_if_fail (!sqlite3_get_autocommit (self->db), FALSE);

  /* SQLite leaves the transaction open when COMMIT fails, for a retry;
   * callers would rather not have to know that. */
  if (!run_statement (self, STMT_COMMIT, error))
    {
      hearth_inventory_rollback (self);
      return FALSE;
    }

  return TRUE;
}

/**
 * hearth_inventory_rollback:
 *
 * Discards the open transaction, if any: SQLite itself rolls back after
 * some errors (a full disk, an I/O error), so this is safe to call on
 * every failure path.
 */
void
hearth_inventory_rollback (HearthInventory *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (HEARTH_IS_INVENTORY (self));

  if (sqlite3_get_autocommit (self->db))
    return;

  if (!run_statement (self, STMT_ROLLBACK, &error))
    g_warning ("%s", error->message);
}

/* Makes a call of several statements all or nothing, inside the caller's
 * transaction or, without one, as its own. */
static gboolean
savepoint_begin (HearthInventory  *self,
                 GError          **error)
{
  return run_statement (self, STMT_SAVEPOINT, error);
}

static gboolean
savepoint_end (HearthInventory  *self,
               gboolean          success,
               GError          **error)
{
  if (success && run_statement (self, STMT_RELEASE, error))
    return TRUE;

  /* ROLLBACK TO keeps the savepoint; RELEASE then closes it, and with it
   * the transaction SAVEPOINT opened when there was none. Either fails
   * harmlessly when SQLite has already rolled back after an error. */
  run_statement (self, STMT_ROLLBACK_TO, NULL);
  run_statement (self, STMT_RELEASE, NULL);
  return FALSE;
}

/* Sets one column of a folder's row: @id is an UPDATE of ?2 where id = ?1.
 * SQLite counts a row as changed even when it already held the value, so
 * changes() is 0 only for a folder that does not exist. */
/* Runs a statement that changes rows: FALSE with @error set when SQLite
 * fails, else TRUE, with *@changed saying whether any row changed. */
static gboolean
step_changing_rows (HearthInventory  *self,
                    sqlite3_stmt     *stmt,
                    gboolean         *changed,
                    GError          **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE)
    return set_sqlite_error (self, error, rc);

  *changed = sqlite3_changes (self->db) > 0;
  return TRUE;
}

static gboolean
update_folder (HearthInventory  *self,
               StatementId       id,
               gint64            folder_id,
               gint64            value,
               GError          **error)
{
  g_autoptr(InventoryStatement) stmt = lookup_statement (self, id, error);
  gboolean changed = FALSE;

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, folder_id);
  sqlite3_bind_int64 (stmt, 2, value);

  if (!step_changing_rows (self, stmt, &changed, error))
    return FALSE;

  return changed || set_folder_not_found_error (error, folder_id);
}

/**
 * hearth_inventory_add_folder:
 * @path: an absolute path
 *
 * Returns: (transfer full): the new folder, or %NULL with
 *   %HEARTH_INVENTORY_ERROR_EXISTS when @path is already there
 */
HearthFolder *
hearth_inventory_add_folder (HearthInventory  *self,
                             const char       *path,
                             GError          **error)
{
  g_autoptr(InventoryStatement) stmt = NULL;
  HearthFolder *folder;
  gint64 now_ns = g_get_real_time () * 1000;
  int rc;

  g_return_val_if_fail (HEARTH_IS_INVENTORY (self), NULL);
  g_return_val_if_fail (path != NULL && g_path_is_absolute (path), NULL);

  stmt = lookup_statement (self, STMT_ADD_FOLDER, error);
  if (stmt == NULL)
    return NULL;

  bind_path (stmt, 1, path);
  sqlite3_bind_int64 (stmt, 2, now_ns);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
    {
      g_autofree char *display = g_filename_display_name (path);

      g_set_error (error, HEARTH_INVENTORY_ERROR, HEARTH_INVENTORY_ERROR_EXISTS,
                   _("The folder “%s” is already backed up"), display);
      return NULL;
    }
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error, rc);
      return NULL;
    }

  folder = g_new0 (HearthFolder, 1);
  folder->id = sqlite3_last_insert_rowid (self->db);
  folder->path = g_strdup (path);
  folder->added_ns = now_ns;
  folder->last_scan_ns = 0;
  return folder;
}

/**
 * hearth_inventory_find_folder:
 * @path: an absolute path, compared byte for byte
 *
 * Returns: (transfer full): the folder, or %NULL with
 *   %HEARTH_INVENTORY_ERROR_NOT_FOUND
 */
HearthFolder *
hearth_inventory_find_folder (HearthInventory  *self,
                              const char       *path,
                              GError          **error)
{
  g_autoptr(InventoryStatement) stmt = NULL;

  g_return_val_if_fail (HEARTH_IS_INVENTORY (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  stmt = lookup_statement (self, STMT_FIND_FOLDER, error);
  if (stmt == NULL)
    return NULL;

  bind_path (stmt, 1, path);
  return query_one_folder (self, stmt, error);
}

/**
 * hearth_inventory_get_folder:
 *
 * Returns: (transfer full): the folder, or %NULL with
 *   %HEARTH_INVENTORY_ERROR_NOT_FOUND
 */
HearthFolder *
hearth_inventory_get_folder (HearthInventory  *self,
                             gint64            folder_id,
                             GError          **error)
{
  g_autoptr(InventoryStatement) stmt = NULL;

  g_return_val_if_fail (HEARTH_IS_INVENTORY (self), NULL);

  stmt = lookup_statement (self, STMT_GET_FOLDER, error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, folder_id);
  return query_one_folder (self, stmt, error);
}

/**
 * hearth_inventory_list_folders:
 *
 * Returns: (transfer container) (element-type HearthFolder): every
 *   folder, in the order they were added; the array frees its elements
 */
GPtrArray *
hearth_inventory_list_folders (HearthInventory  *self,
                               GError          **error)
{
  g_autoptr(InventoryStatement) stmt = NULL;
  g_autoptr(GPtrArray) folders = NULL;
  int rc;

  g_return_val_if_fail (HEARTH_IS_INVENTORY (self), NULL);

  stmt = lookup_statement (self, STMT_LIST_FOLDERS, error);
  if (stmt == NULL)
    return NULL;

  folders = g_ptr_array_new_with_free_func ((GDestroyNotify) hearth_folder_free);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      HearthFolder *folder = read_folder (stmt);

      if (folder == NULL)
        {
          set_damaged_entry_error (self, error, "/");
          return NULL;
        }
      g_ptr_array_add (folders, folder);
    }

  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (self, error, rc);
      return NULL;
    }

  return g_steal_pointer (&folders);
}

/**
 * hearth_inventory_remove_folder:
 *
 * Removes the folder and every file recorded in it.
 */
gboolean
hearth_inventory_remove_folder (HearthInventory  *self,
                                gint64            folder_id,
                                GError          **error)
{
  g_autoptr(InventoryStatement) stmt = NULL;
  gboolean changed = FALSE;

  g_return_val_if_fail (HEARTH_IS_INVENTORY (self), FALSE);

  stmt = lookup_statement (self, STMT_REMOVE_FOLDER, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, folder_id);

  if (!step_changing_rows (self, stmt, &changed, error))
    return FALSE;

  return changed || set_folder_not_found_error (error, folder_id);
}

/**
 * hearth_inventory_set_folder_scanned:
 * @when_ns: when the scan completed
 *
 * Fails with %HEARTH_INVENTORY_ERROR_NOT_FOUND when @folder_id names no
 * folder.
 */
gboolean
hearth_inventory_set_folder_scanned (HearthInventory  *self,
                                     gint64            folder_id,
                                     gint64            when_ns,
                                     GError          **error)
{
  g_return_val_if_fail (HEARTH_IS_INVENTORY (self), FALSE);

  return update_folder (self, STMT_SET_FOLDER_SCANNED, folder_id, when_ns, error);
}

/**
 * hearth_inventory_set_folder_mount_point:
 * @is_mount_point: whether the folder's root is a mount point
 *
 * Records whether the folder's root was a mount point, for
 * #HearthFolder.is_mount_point; the scanner does, when a scan completes.
 * Fails with %HEARTH_INVENTORY_ERROR_NOT_FOUND when @folder_id names no
 * folder.
 */
gboolean
hearth_inventory_set_folder_mount_point (HearthInventory  *self,
                                         gint64            folder_id,
                                         gboolean          is_mount_point,
                                         GError          **error)
{
  g_return_val_if_fail (HEARTH_IS_INVENTORY (self), FALSE);

  return update_folder (self, STMT_SET_FOLDER_MOUNT_POINT, folder_id, is_mount_point ? 1 : 0, error);
}

/**
 * hearth_inventory_foreach_file:
 * @func: called for each file, directory and symlink of the folder that is
 *   not marked deleted, in byte order of path; the path and stat it gets
 *   are valid only during the call
 *
 * @func may call other functions of the inventory, but not this one, and
 * should not change the folder's files while the walk runs. A folder ID
 * that names no folder yields nothing.
 */
gboolean
hearth_inventory_foreach_file (HearthInventory          *self,
                               gint64                    folder_id,
                               HearthInventoryFileFunc   func,
                               gpointer                  user_data,
                               GError                  **error)
{
  g_autoptr(GString) path = NULL;
  g_autoptr(InventoryStatement) stmt = NULL;
  int rc;

  g_return_val_if_fail (HEARTH_IS_INVENTORY (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  path = g_string_sized_new (256);
  stmt = lookup_statement (self, STMT_FOREACH_FILE, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, folder_id);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      HearthFileStat stat;

      if (!read_path (stmt, 0, path))
        return set_damaged_entry_error (self, error, "?");
      if (!read_stat (stmt, 1, &stat))
        return set_damaged_entry_error (self, error, path->str);

      if (!func (path->str, &stat, user_data))
        return TRUE;
    }

  if (rc != SQLITE_DONE)
    return set_sqlite_error (self, error, rc);

  return TRUE;
}

/**
 * hearth_inventory_put_file:
 * @path: relative to the folder, raw bytes
 * @symlink_target: (nullable): for symlinks, what the link points at
 * @descriptor: (nullable): for regular files whose content has been read
 *
 * Records a file, replacing what was recorded for @path before and
 * bringing it back if it was marked deleted. Fails with
 * %HEARTH_INVENTORY_ERROR_NOT_FOUND when @folder_id names no folder.
 */
gboolean
hearth_inventory_put_file (HearthInventory       *self,
                           gint64                 folder_id,
                           const char            *path,
                           const HearthFileStat  *stat,
                           const char            *symlink_target,
                           HearthFileDescriptor  *descriptor,
                           gint64                 scanned_ns,
                           GError               **error)
{
  g_autofree guint8 *encoded = NULL;
  g_autoptr(InventoryStatement) stmt = NULL;
  int rc;

  g_return_val_if_fail (HEARTH_IS_INVENTORY (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (stat != NULL, FALSE);
  g_return_val_if_fail (descriptor == NULL || stat->type == HEARTH_FILE_TYPE_REGULAR, FALSE);
  g_return_val_if_fail (symlink_target == NULL || stat->type == HEARTH_FILE_TYPE_SYMLINK, FALSE);

  stmt = lookup_statement (self, STMT_PUT_FILE, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, folder_id);
  bind_path (stmt, 2, path);
  bind_stat (stmt, 3, stat);
  sqlite3_bind_int64 (stmt, 9, scanned_ns);
  if (symlink_target != NULL)
    bind_path (stmt, 10, symlink_target);
  if (descriptor != NULL)
    {
      gsize encoded_len = (gsize) hearth_file_descriptor_get_n_chunks (descriptor) * HEARTH_CHUNK_ENCODED_LEN;

      /* NULL for an empty file, which bind_bytes() stores as an empty BLOB. */
      encoded = g_malloc (encoded_len);
      hearth_file_descriptor_encode_chunks (descriptor, encoded);
      bind_bytes (stmt, 11, hearth_file_descriptor_get_id (descriptor)->bytes, HEARTH_CHUNK_ID_LEN);
      bind_bytes (stmt, 12, encoded, encoded_len);
    }

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
    return set_folder_not_found_error (error, folder_id);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (self, error, rc);

  return TRUE;
}

/**
 * hearth_inventory_mark_deleted:
 *
 * Marks a recorded file as gone at @when_ns; its row stays, with its last
 * metadata and chunks. Marking a file already marked keeps the first time.
 * Fails with %HEARTH_INVENTORY_ERROR_NOT_FOUND when nothing is recorded
 * for @path.
 */
gboolean
hearth_inventory_mark_deleted (HearthInventory  *self,
                               gint64            folder_id,
                               const char       *path,
                               gint64            when_ns,
                               GError          **error)
{
  g_autoptr(InventoryStatement) stmt = NULL;
  gboolean changed = FALSE;

  g_return_val_if_fail (HEARTH_IS_INVENTORY (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (when_ns != 0, FALSE);

  stmt = lookup_statement (self, STMT_MARK_DELETED, error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, folder_id);
  bind_path (stmt, 2, path);
  sqlite3_bind_int64 (stmt, 3, when_ns);

  if (!step_changing_rows (self, stmt, &changed, error))
    return FALSE;

  return changed || set_file_not_found_error (error, path);
}

/**
 * hearth_inventory_get_file:
 *
 * Returns: (transfer full): what is recorded for @path, deleted or not
 *   (see @deleted_ns), or %NULL with %HEARTH_INVENTORY_ERROR_NOT_FOUND
 */
HearthInventoryFile *
hearth_inventory_get_file (HearthInventory  *self,
                           gint64            folder_id,
                           const char       *path,
                           GError          **error)
{
  g_autoptr(InventoryStatement) stmt = NULL;
  g_autoptr(HearthInventoryFile) file = NULL;
  int rc;

  g_return_val_if_fail (HEARTH_IS_INVENTORY (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  stmt = lookup_statement (self, STMT_GET_FILE, error);
  if (stmt == NULL)
    return NULL;

  sqlite3_bind_int64 (stmt, 1, folder_id);
  bind_path (stmt, 2, path);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      set_file_not_found_error (error, path);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (self, error, rc);
      return NULL;
    }

  file = g_new0 (HearthInventoryFile, 1);
  file->folder_id = folder_id;
  file->path = g_strdup (path);
  file->scanned_ns = sqlite3_column_int64 (stmt, 6);
  file->deleted_ns = sqlite3_column_int64 (stmt, 7);

  if (!read_stat (stmt, 0, &file->stat))
    {
      set_damaged_entry_error (self, error, path);
      return NULL;
    }

  if (sqlite3_column_type (stmt, 8) != SQLITE_NULL)
    {
      file->symlink_target = dup_path (stmt, 8);
      if (file->symlink_target == NULL)
        {
          set_damaged_entry_error (self, error, path);
          return NULL;
        }
    }

  if (sqlite3_column_type (stmt, 10) != SQLITE_NULL)
    {
      const void *file_id = sqlite3_column_blob (stmt, 9);
      gsize file_id_len = sqlite3_column_bytes (stmt, 9);
      const void *chunks = sqlite3_column_blob (stmt, 10);
      gsize chunks_len = sqlite3_column_bytes (stmt, 10);

      file->descriptor = decode_chunks (chunks, chunks_len, file_id, file_id_len);
      if (file->descriptor == NULL)
        {
          set_damaged_entry_error (self, error, path);
          return NULL;
        }
    }

  return g_steal_pointer (&file);
}

/**
 * hearth_inventory_count_files:
 * @folder_id: a folder, or 0 for every folder
 *
 * Counts the files, directories and symlinks not marked deleted. A folder
 * ID that names no folder counts 0.
 *
 * Returns: the count, or -1 with @error set
 */
gint64
hearth_inventory_count_files (HearthInventory  *self,
                              gint64            folder_id,
                              GError          **error)
{
  g_autoptr(InventoryStatement) stmt = NULL;
  int rc;

  g_return_val_if_fail (HEARTH_IS_INVENTORY (self), -1);

  stmt = lookup_statement (self, folder_id == 0 ? STMT_COUNT_ALL_FILES : STMT_COUNT_FOLDER_FILES, error);
  if (stmt == NULL)
    return -1;

  if (folder_id != 0)
    sqlite3_bind_int64 (stmt, 1, folder_id);

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (self, error, rc);
      return -1;
    }

  return sqlite3_column_int64 (stmt, 0);
}

/**
 * hearth_inventory_add_server_chunks:
 * @ids: (array length=n_ids): chunks the server is now known to hold
 *
 * Records @ids, all or none. Inside a transaction this is cheap; on its
 * own it commits once for the whole array.
 */
gboolean
hearth_inventory_add_server_chunks (HearthInventory      *self,
                                    const HearthChunkId  *ids,
                                    guint                 n_ids,
                                    GError              **error)
{
  gboolean success = TRUE;

  g_return_val_if_fail (HEARTH_IS_INVENTORY (self), FALSE);
  g_return_val_if_fail (ids != NULL || n_ids == 0, FALSE);

  if (n_ids == 0)
    return TRUE;

  if (!savepoint_begin (self, error))
    return FALSE;

  for (guint i = 0; i < n_ids && success; i++)
    {
      g_autoptr(InventoryStatement) stmt = lookup_statement (self, STMT_ADD_SERVER_CHUNK, error);
      int rc;

      if (stmt == NULL)
        {
          success = FALSE;
          break;
        }

      bind_bytes (stmt, 1, ids[i].bytes, HEARTH_CHUNK_ID_LEN);
      rc = sqlite3_step (stmt);
      if (rc != SQLITE_DONE)
        success = set_sqlite_error (self, error, rc);
    }

  return savepoint_end (self, success, error);
}

gboolean
hearth_inventory_has_server_chunk (HearthInventory      *self,
                                   const HearthChunkId  *id,
                                   gboolean             *has,
                                   GError              **error)
{
  g_autoptr(InventoryStatement) stmt = NULL;
  int rc;

  g_return_val_if_fail (HEARTH_IS_INVENTORY (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (has != NULL, FALSE);

  stmt = lookup_statement (self, STMT_HAS_SERVER_CHUNK, error);
  if (stmt == NULL)
    return FALSE;

  bind_bytes (stmt, 1, id->bytes, HEARTH_CHUNK_ID_LEN);

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return set_sqlite_error (self, error, rc);

  *has = rc == SQLITE_ROW;
  return TRUE;
}

/**
 * hearth_inventory_forget_server_chunks:
 *
 * Forgets every chunk recorded as held by the server, for when the server
 * may no longer hold them (a new server, a restored server).
 */
gboolean
hearth_inventory_forget_server_chunks (HearthInventory  *self,
                                       GError          **error)
{
  g_return_val_if_fail (HEARTH_IS_INVENTORY (self), FALSE);

  return run_statement (self, STMT_FORGET_SERVER_CHUNKS, error);
}

void
hearth_folder_free (HearthFolder *folder)
{
  if (folder == NULL)
    return;

  g_free (folder->path);
  g_free (folder);
}

void
hearth_inventory_file_free (HearthInventoryFile *file)
{
  if (file == NULL)
    return;

  g_free (file->path);
  g_free (file->symlink_target);
  g_clear_pointer (&file->descriptor, hearth_file_descriptor_unref);
  g_free (file);
}
