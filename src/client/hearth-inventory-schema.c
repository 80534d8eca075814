/* hearth-inventory-schema.c
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "HearthInventory"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "hearth-inventory-private.h"

/* What the file on disk is: an inventory this build understands, sound,
 * and at the schema it writes. _hearth_inventory_open_database() makes
 * sure of all three before hearth-inventory.c prepares a statement on the
 * connection, and holds the schema and the migrations that reach it
 * (docs/inventory.md, "Opening and PRAGMAs" and "Migration policy").
 *
 * Nothing is written to a file before it is known to be an inventory this
 * build understands, or a new empty one: a file refused is left byte for
 * byte as it was, with no -wal or -shm file beside it. */

/* "HRTH": marks the file as a Hearth inventory (PRAGMA application_id), so
 * that some other program's SQLite database is never taken for an empty
 * inventory and given our tables. */
#define APPLICATION_ID 0x48525448

/* How long a statement waits for another connection's lock before it fails
 * with HEARTH_INVENTORY_ERROR_BUSY. The scanner commits every few thousand
 * files, which takes well under this. */
#define BUSY_TIMEOUT_MS 5000

/* PRAGMA quick_check reads every page of the database: about 1 ms per MiB
 * from the page cache, more from a cold disk (docs/inventory.md). Up to
 * this size, some 40,000 files, it costs a few tens of milliseconds at open
 * and is run; beyond it the check would cost more than it is worth on every
 * start, and damage is found instead by the statement that meets it, which
 * fails with HEARTH_INVENTORY_ERROR_CORRUPT all the same. */
#define QUICK_CHECK_MAX_BYTES (16 * 1024 * 1024)

/* Schema v1. Paths and symlink targets are BLOBs so that names which are
 * not UTF-8 come back byte for byte; STRICT makes SQLite refuse a value of
 * the wrong type instead of converting it, and a CHECK keeps the one
 * boolean a boolean. files_live covers the rescan's query (STMT_FOREACH_FILE
 * in hearth-inventory.c) and leaves out deleted rows. */
static gboolean
migrate_to_v1 (sqlite3  *db,
               GError  **error)
{
  static const char sql[] =
    "CREATE TABLE folders ("
    "  id           INTEGER PRIMARY KEY,"
    "  path         BLOB    NOT NULL UNIQUE,"
    "  added_ns     INTEGER NOT NULL,"
    "  last_scan_ns INTEGER NOT NULL DEFAULT 0,"
    "  mount_point  INTEGER NOT NULL DEFAULT 0 CHECK (mount_point IN (0, 1))"
    ") STRICT;"
    "CREATE TABLE files ("
    "  id             INTEGER PRIMARY KEY,"
    "  folder_id      INTEGER NOT NULL REFERENCES folders (id) ON DELETE CASCADE,"
    "  path           BLOB    NOT NULL,"
    "  type           INTEGER NOT NULL,"
    "  mode           INTEGER NOT NULL,"
    "  size           INTEGER NOT NULL,"
    "  mtime_ns       INTEGER NOT NULL,"
    "  ctime_ns       INTEGER NOT NULL,"
    "  inode          INTEGER NOT NULL,"
    "  scanned_ns     INTEGER NOT NULL,"
    "  deleted_ns     INTEGER,"
    "  symlink_target BLOB,"
    "  file_id        BLOB,"
    "  chunks         BLOB,"
    "  UNIQUE (folder_id, path)"
    ") STRICT;"
    "CREATE INDEX files_live ON files"
    "  (folder_id, path, type, mode, size, mtime_ns, ctime_ns, inode)"
    "  WHERE deleted_ns IS NULL;"
    "CREATE TABLE server_chunks ("
    "  id BLOB PRIMARY KEY NOT NULL"
    ") STRICT, WITHOUT ROWID;";

  return _hearth_inventory_exec (db, sql, error);
}

/* Entry N takes the schema from version N to N + 1. To change the schema,
 * append a step and raise HEARTH_INVENTORY_SCHEMA_VERSION; never edit a
 * step that has shipped, since databases out there are already past it. */
static const HearthInventoryMigration migrations[] = {
  migrate_to_v1,
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == HEARTH_INVENTORY_SCHEMA_VERSION);

/* What the steps of opening share. */
typedef struct
{
  const char                     *path;
  const char                     *display_path;
  const HearthInventoryMigration *migrations;
  guint                           n_migrations;
  sqlite3                        *db;
  gboolean                        had_wal;
} Opener;

typedef struct
{
  gint64 application_id;
  gint64 user_version;
  gint64 n_objects;
  gint64 size;
} DatabaseHeader;

/* A statement run once, on the connection being opened. */
typedef sqlite3_stmt SingleRow;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SingleRow, sqlite3_finalize)

/* Like every set_*_error() of the inventory, always returns FALSE, so that
 * callers can `return set_sqlite_error (…)`. */
static gboolean
set_sqlite_error (Opener  *opener,
                  GError **error,
                  int      rc)
{
  return _hearth_inventory_set_sqlite_error (error, opener->db, opener->display_path, rc);
}

/* @version is a user_version, which SQLite keeps as a 32-bit integer. */
static gboolean
set_too_new_error (Opener  *opener,
                   GError **error,
                   gint64   version)
{
  g_set_error (error, HEARTH_INVENTORY_ERROR, HEARTH_INVENTORY_ERROR_TOO_NEW,
               _("This inventory (“%s”) was written by a newer version of Hearth (schema %d); this version understands up to %u. Install a newer Hearth to use it."),
               opener->display_path, (int) version, opener->n_migrations);
  return FALSE;
}

/* For statements whose errors the user may see; migration steps go through
 * _hearth_inventory_exec(), whose message the caller prefixes. */
static gboolean
run_sql (Opener      *opener,
         const char  *sql,
         GError     **error)
{
  int rc = sqlite3_exec (opener->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return set_sqlite_error (opener, error, rc);

  return TRUE;
}

/* Runs @sql, which yields exactly one row (a PRAGMA that reports a value,
 * a SELECT of values), and returns the statement on that row for the
 * caller to read. */
static SingleRow *
query_single_row (Opener      *opener,
                  const char  *sql,
                  GError     **error)
{
  g_autoptr(SingleRow) stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (opener->db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);

  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (opener, error, rc);
      return NULL;
    }

  return g_steal_pointer (&stmt);
}

/* Creates the file private to the user before SQLite sees it: SQLite would
 * create it world-readable (0644), and it names every file the user backs
 * up. The -wal and -shm files SQLite makes later copy this file's mode. */
static gboolean
create_private_file (Opener  *opener,
                     GError **error)
{
  int fd = g_open (opener->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  int saved_errno = errno;

  if (fd >= 0)
    return g_close (fd, error);

  if (saved_errno == EEXIST)
    return TRUE;

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               _("Could not create the inventory “%s”: %s"),
               opener->display_path, g_strerror (saved_errno));
  return FALSE;
}

/* No SQLITE_OPEN_CREATE: the file exists now, and if it went away in
 * between, SQLite must not make a new one with its default mode. NOMUTEX:
 * see the thread model at the top of hearth-inventory.c. */
static gboolean
open_connection (Opener  *opener,
                 GError **error)
{
  g_autofree char *wal = g_strconcat (opener->path, "-wal", NULL);
  int rc;

  opener->had_wal = g_file_test (wal, G_FILE_TEST_EXISTS);

  rc = sqlite3_open_v2 (opener->path, &opener->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                        NULL);
  if (rc != SQLITE_OK)
    {
      if (opener->db == NULL)
        {
          g_set_error (error, HEARTH_INVENTORY_ERROR, HEARTH_INVENTORY_ERROR_FAILED,
                       _("Could not use the inventory “%s”: %s"),
                       opener->display_path, sqlite3_errstr (rc));
          return FALSE;
        }
      return set_sqlite_error (opener, error, rc);
    }

  sqlite3_extended_result_codes (opener->db, TRUE);
  sqlite3_busy_timeout (opener->db, BUSY_TIMEOUT_MS);
  return TRUE;
}

/* The first statement run on the file, and read-only: for a file that is
 * not a database, or whose header promises more pages than the file has,
 * SQLite fails here with NOTADB or CORRUPT before anything is written. A
 * file of zero bytes reads as an empty database; SQLite then deletes any
 * -wal file beside it rather than replay it, since it cannot belong to
 * this file (docs/inventory.md, "Files on disk"). */
static gboolean
read_header (Opener          *opener,
             DatabaseHeader  *out,
             GError         **error)
{
  static const char sql[] =
    "SELECT (SELECT application_id FROM pragma_application_id),"
    "       (SELECT user_version FROM pragma_user_version),"
    "       (SELECT count(*) FROM sqlite_schema),"
    "       (SELECT page_count FROM pragma_page_count)"
    "     * (SELECT page_size FROM pragma_page_size)";
  g_autoptr(SingleRow) stmt = query_single_row (opener, sql, error);

  if (stmt == NULL)
    return FALSE;

  out->application_id = sqlite3_column_int64 (stmt, 0);
  out->user_version = sqlite3_column_int64 (stmt, 1);
  out->n_objects = sqlite3_column_int64 (stmt, 2);
  out->size = sqlite3_column_int64 (stmt, 3);
  return TRUE;
}

static gboolean
quick_check (Opener  *opener,
             GError **error)
{
  g_autoptr(SingleRow) stmt = query_single_row (opener, "PRAGMA quick_check (1)", error);
  const char *result;

  if (stmt == NULL)
    return FALSE;

  /* A report starts "*** in database main ***" on a line of its own; the
   * line after it says what is wrong. */
  result = (const char *) sqlite3_column_text (stmt, 0);
  if (result != NULL && g_str_has_prefix (result, "*** ") && strchr (result, '\n') != NULL)
    result = strchr (result, '\n') + 1;

  if (g_strcmp0 (result, "ok") != 0)
    return _hearth_inventory_set_damaged_error (error, opener->display_path,
                                                result != NULL ? result : "?");

  return TRUE;
}

/* A version this build knows, one a newer Hearth wrote, or a value no
 * Hearth writes. */
static gboolean
check_version (Opener  *opener,
               gint64   version,
               GError **error)
{
  if (version < 0)
    {
      g_autofree char *detail = g_strdup_printf (_("schema version %d"), (int) version);

      return _hearth_inventory_set_damaged_error (error, opener->display_path, detail);
    }

  if (version > opener->n_migrations)
    return set_too_new_error (opener, error, version);

  return TRUE;
}

static gboolean
check_header (Opener                *opener,
              const DatabaseHeader  *header,
              GError               **error)
{
  gboolean is_empty = header->application_id == 0 &&
                      header->user_version == 0 &&
                      header->n_objects == 0;

  if (!is_empty && header->application_id != APPLICATION_ID)
    {
      g_set_error (error, HEARTH_INVENTORY_ERROR, HEARTH_INVENTORY_ERROR_CORRUPT,
                   _("“%s” is another program’s database, not a Hearth inventory. Hearth has left it as it was; move it away to let Hearth create its inventory there."),
                   opener->display_path);
      return FALSE;
    }

  if (!check_version (opener, header->user_version, error))
    return FALSE;

  if (!is_empty && header->size <= QUICK_CHECK_MAX_BYTES)
    return quick_check (opener, error);

  return TRUE;
}

static gboolean
set_journal_mode_wal (Opener  *opener,
                      GError **error)
{
  g_autoptr(SingleRow) stmt = query_single_row (opener, "PRAGMA journal_mode = WAL", error);
  const char *mode;

  if (stmt == NULL)
    return FALSE;

  /* File systems without shared memory (some network mounts) cannot hold
   * a WAL; SQLite then stays in its rollback journal, which is slower but
   * just as correct, so this is not an error. */
  mode = (const char *) sqlite3_column_text (stmt, 0);
  if (g_strcmp0 (mode, "wal") != 0)
    g_debug ("Inventory %s stays in journal mode %s", opener->display_path, mode);

  return TRUE;
}

static gboolean
get_user_version (Opener  *opener,
                  gint64  *version,
                  GError **error)
{
  g_autoptr(SingleRow) stmt = query_single_row (opener, "PRAGMA user_version", error);

  if (stmt == NULL)
    return FALSE;

  *version = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

static gboolean
check_foreign_keys (Opener  *opener,
                    GError **error)
{
  g_autoptr(SingleRow) stmt = NULL;

  stmt = query_single_row (opener, "SELECT EXISTS (SELECT * FROM pragma_foreign_key_check)", error);
  if (stmt == NULL)
    return FALSE;

  if (sqlite3_column_int64 (stmt, 0) != 0)
    {
      g_set_error (error, HEARTH_INVENTORY_ERROR, HEARTH_INVENTORY_ERROR_FAILED,
                   _("The upgrade left entries of the inventory “%s” pointing at nothing"),
                   opener->display_path);
      return FALSE;
    }

  return TRUE;
}

/* The version is read again under the write lock: another process may
 * have upgraded the file since check_header() looked. */
static gboolean
migrate_locked (Opener  *opener,
                GError **error)
{
  g_autofree char *set_version = NULL;
  gint64 version = 0;

  if (!get_user_version (opener, &version, error) ||
      !check_version (opener, version, error))
    return FALSE;

  for (guint v = (guint) version; v < opener->n_migrations; v++)
    {
      if (!opener->migrations[v] (opener->db, error))
        {
          g_prefix_error (error, _("Could not upgrade the inventory “%s” to schema %u: "),
                          opener->display_path, v + 1);
          return FALSE;
        }
    }

  if (!check_foreign_keys (opener, error))
    return FALSE;

  /* PRAGMA takes no bound parameters; both values are integers of ours. */
  set_version = g_strdup_printf ("PRAGMA application_id = %d; PRAGMA user_version = %u",
                                 APPLICATION_ID, opener->n_migrations);
  return run_sql (opener, set_version, error);
}

/* Runs every pending step in one transaction, so that a failure or a crash
 * part way leaves the database exactly at its old version. IMMEDIATE, as
 * in hearth_inventory_begin(), waits for another writer's lock instead of
 * failing at the first write. SQLite leaves the transaction open when
 * COMMIT fails; the rollback closes it. */
static gboolean
migrate (Opener  *opener,
         GError **error)
{
  if (!run_sql (opener, "PRAGMA foreign_keys = OFF", error) ||
      !run_sql (opener, "BEGIN IMMEDIATE", error))
    return FALSE;

  if (!migrate_locked (opener, error) ||
      !run_sql (opener, "COMMIT", error))
    {
      if (!sqlite3_get_autocommit (opener->db))
        sqlite3_exec (opener->db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }

  return TRUE;
}

static gboolean
open_checked (Opener  *opener,
              GError **error)
{
  DatabaseHeader header = { 0 };

  if (!create_private_file (opener, error) ||
      !open_connection (opener, error))
    return FALSE;

  if (!read_header (opener, &header, error) ||
      !check_header (opener, &header, error))
    return FALSE;

  if (!set_journal_mode_wal (opener, error))
    return FALSE;

  /* In WAL mode, NORMAL syncs the WAL at checkpoints rather than at every
   * commit. A commit survives the application crashing; only a power loss
   * or a kernel crash can take back the last commits, never corrupt the
   * file. That is the right trade for the inventory: it can be rebuilt by
   * scanning again, unlike the server's store, and the scanner commits
   * often. */
  if (!run_sql (opener, "PRAGMA synchronous = NORMAL", error))
    return FALSE;

  /* Each checkpoint syncs twice, on the thread that happens to commit. At
   * SQLite's default of 1000 pages a first scan of 50,000 files spent a
   * seventh of its time waiting on those syncs; at 8192 pages (32 MiB of
   * WAL) such a scan checkpoints once at most. Closing does not checkpoint
   * (below): the last commits stay in the WAL until a later commit finds
   * it past this size. */
  if (!run_sql (opener, "PRAGMA wal_autocheckpoint = 8192", error))
    return FALSE;

  if (header.user_version < opener->n_migrations && !migrate (opener, error))
    return FALSE;

  /* Closing would otherwise checkpoint the whole WAL and sync the database
   * before hearth-cli may exit: some 60 ms for a 30 MB WAL. The WAL is as
   * safe a place for committed data as the database file; the next open
   * reads it, and the automatic checkpoint moves it over once it has
   * grown. The -wal and -shm files therefore stay beside the database.
   * Only for an inventory we could open; for a file we refused, see
   * _hearth_inventory_open_database(). */
  sqlite3_db_config (opener->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);

  return run_sql (opener, "PRAGMA foreign_keys = ON", error);
}

/**
 * _hearth_inventory_open_database:
 * @path: the database file; created private to the user when missing
 * @display_path: @path for messages
 * @steps: (array length=n_steps): the migrations, from version 0
 *
 * Opens @path, checks that it is an inventory (or a new empty file) that
 * is not damaged and not too new, and brings it to schema @n_steps.
 *
 * Returns: (transfer full): the connection, or %NULL with @error set and
 *   the file left as it was
 */
sqlite3 *
_hearth_inventory_open_database (const char                      *path,
                                 const char                      *display_path,
                                 const HearthInventoryMigration  *steps,
                                 guint                            n_steps,
                                 GError                         **error)
{
  Opener opener = {
    .path = path,
    .display_path = display_path,
    .migrations = steps,
    .n_migrations = n_steps,
  };

  g_return_val_if_fail (path != NULL && display_path != NULL, NULL);
  g_return_val_if_fail (steps != NULL && n_steps > 0, NULL);

  if (!open_checked (&opener, error))
    {
      /* Closing folds the WAL into the database and removes the -wal and
       * -shm files. Ours hold nothing, but a WAL that was there before us
       * holds the refused file's last commits (a newer Hearth leaves one,
       * as this one does): it stays as it was, unfolded. */
      if (opener.db != NULL && opener.had_wal)
        sqlite3_db_config (opener.db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);

      /* Every statement of ours is finalized, so this cannot be busy. */
      sqlite3_close (opener.db);
      return NULL;
    }

  return opener.db;
}

const HearthInventoryMigration *
_hearth_inventory_get_migrations (guint *n_migrations)
{
  *n_migrations = G_N_ELEMENTS (migrations);
  return migrations;
}
