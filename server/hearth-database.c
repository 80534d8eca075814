/* hearth-database.c
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "HearthDatabase"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "hearth-database.h"

/* Opening one of the server's SQLite databases (store.db, group.db): each
 * is marked with its PRAGMA application_id and carries its schema version
 * in PRAGMA user_version, and is brought up to the version this build
 * writes by running the pending steps of its migrations. */

#define BUSY_TIMEOUT_MS 5000

typedef sqlite3_stmt SingleRow;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SingleRow, sqlite3_finalize)

gboolean
hearth_database_exec (sqlite3                     *db,
                      const char                  *path,
                      const HearthDatabaseSchema  *schema,
                      const char                  *sql,
                      GError                     **error)
{
  int rc;

  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (schema != NULL, FALSE);
  g_return_val_if_fail (sql != NULL, FALSE);

  rc = sqlite3_exec (db, sql, NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    return schema->set_sqlite_error (db, path, error, rc);

  return TRUE;
}

static SingleRow *
query_single_row (sqlite3                     *db,
                  const char                  *path,
                  const HearthDatabaseSchema  *schema,
                  const char                  *sql,
                  GError                     **error)
{
  g_autoptr(SingleRow) stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);

  if (rc != SQLITE_ROW)
    {
      schema->set_sqlite_error (db, path, error, rc);
      return NULL;
    }

  return g_steal_pointer (&stmt);
}

/* SQLite would create the file with mode 0644; it is created private
 * first, and the -wal and -shm files copy its mode. */
static gboolean
create_private_file (const char  *path,
                     GError     **error)
{
  int fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  int saved_errno = errno;

  if (fd >= 0)
    return g_close (fd, error);

  if (saved_errno == EEXIST)
    return TRUE;

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               _("Could not create the database “%s”: %s"),
               path, g_strerror (saved_errno));
  return FALSE;
}

static gboolean
check_version (const char                  *path,
               const HearthDatabaseSchema  *schema,
               gint64                       version,
               GError                     **error)
{
  if (version < 0)
    return schema->set_sqlite_error (NULL, path, error, SQLITE_CORRUPT);

  if (version > (gint64) schema->n_migrations)
    {
      g_set_error (error, schema->error_domain, schema->error_too_new,
                   _("The database “%s” was written by a newer version of Hearth (schema %d); this version understands up to %u. Install a newer Hearth to use it."),
                   path, (int) version, schema->n_migrations);
      return FALSE;
    }

  return TRUE;
}

/* The first statement run on the file, and read-only: a file that is not
 * a database fails here, with NOTADB, before anything is written. */
static gboolean
check_header (sqlite3                     *db,
              const char                  *path,
              const HearthDatabaseSchema  *schema,
              gint64                      *out_version,
              GError                     **error)
{
  static const char sql[] =
    "SELECT (SELECT application_id FROM pragma_application_id),"
    "       (SELECT user_version FROM pragma_user_version),"
    "       (SELECT count(*) FROM sqlite_schema)";
  g_autoptr(SingleRow) stmt = query_single_row (db, path, schema, sql, error);
  gint64 application_id;
  gboolean is_empty;

  if (stmt == NULL)
    return FALSE;

  application_id = sqlite3_column_int64 (stmt, 0);
  *out_version = sqlite3_column_int64 (stmt, 1);
  is_empty = application_id == 0 && *out_version == 0 && sqlite3_column_int64 (stmt, 2) == 0;

  if (!is_empty && application_id != (gint32) schema->application_id)
    {
      g_set_error (error, schema->error_domain, schema->error_corrupt,
                   _("“%s” is another program’s database, not one of Hearth’s. It was left as it is."),
                   path);
      return FALSE;
    }

  return check_version (path, schema, *out_version, error);
}

static gboolean
migrate_locked (sqlite3                     *db,
                const char                  *path,
                const HearthDatabaseSchema  *schema,
                GError                     **error)
{
  g_autoptr(SingleRow) stmt = query_single_row (db, path, schema, "PRAGMA user_version", error);
  g_autofree char *set_version = NULL;
  gint64 version;

  if (stmt == NULL)
    return FALSE;

  /* Read again under the write lock: another process may have upgraded
   * the file since check_header() looked. */
  version = sqlite3_column_int64 (stmt, 0);
  if (!check_version (path, schema, version, error))
    return FALSE;

  for (guint v = (guint) version; v < schema->n_migrations; v++)
    {
      if (!hearth_database_exec (db, path, schema, schema->migrations[v], error))
        {
          g_prefix_error (error, _("Could not upgrade to schema %u: "), v + 1);
          return FALSE;
        }
    }

  /* PRAGMA takes no bound parameters; both values are integers of ours.
   * application_id is a signed 32-bit field in the header. */
  set_version = g_strdup_printf ("PRAGMA application_id = %d; PRAGMA user_version = %u",
                                 (gint32) schema->application_id, schema->n_migrations);
  return hearth_database_exec (db, path, schema, set_version, error);
}

/* Every pending step in one transaction, so that a failure or a crash
 * part way leaves the database at its old version. */
static gboolean
migrate (sqlite3                     *db,
         const char                  *path,
         const HearthDatabaseSchema  *schema,
         GError                     **error)
{
  if (!hearth_database_exec (db, path, schema, "BEGIN IMMEDIATE", error))
    return FALSE;

  if (!migrate_locked (db, path, schema, error) ||
      !hearth_database_exec (db, path, schema, "COMMIT", error))
    {
      if (!sqlite3_get_autocommit (db))
        sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }

  return TRUE;
}

static gboolean
prepare_database (sqlite3                     *db,
                  const char                  *path,
                  const HearthDatabaseSchema  *schema,
                  GError                     **error)
{
  gint64 version = 0;

  sqlite3_extended_result_codes (db, TRUE);
  sqlite3_busy_timeout (db, BUSY_TIMEOUT_MS);

  if (!check_header (db, path, schema, &version, error))
    return FALSE;

  /* FULL, not NORMAL: in WAL mode NORMAL lets a power loss take back the
   * last commits, and a commit is what the server acknowledges: a client
   * drops its copy of a chunk once the store has committed it, and a
   * redeemed invite must stay used, a revoked device revoked. */
  if (!hearth_database_exec (db, path, schema, "PRAGMA journal_mode = WAL", error) ||
      !hearth_database_exec (db, path, schema, "PRAGMA synchronous = FULL", error))
    return FALSE;

  if (version < (gint64) schema->n_migrations && !migrate (db, path, schema, error))
    return FALSE;

  return TRUE;
}

/**
 * hearth_database_open:
 * @path: the database file, created (mode 0600) if missing
 * @schema: what the database should be
 * @error: return location for an error
 *
 * Opens @path for one thread at a time (NOMUTEX), checks that it is
 * empty or one of @schema's, and brings it to @schema's newest version.
 *
 * Returns: (transfer full): the connection, to be closed with
 *   sqlite3_close(), or %NULL with @error set: @schema's corrupt code for
 *   a file that is damaged or not one of ours, its too-new code for one
 *   a newer Hearth wrote, else what @schema's set_sqlite_error says
 */
sqlite3 *
hearth_database_open (const char                  *path,
                      const HearthDatabaseSchema  *schema,
                      GError                     **error)
{
  sqlite3 *db = NULL;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (schema != NULL, NULL);
  g_return_val_if_fail (schema->set_sqlite_error != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!create_private_file (path, error))
    return NULL;

  /* Even when it fails, sqlite3_open_v2() usually returns a handle,
   * which holds the message and must be closed. */
  rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      schema->set_sqlite_error (db, path, error, rc);
      sqlite3_close (db);
      return NULL;
    }

  if (!prepare_database (db, path, schema, error))
    {
      sqlite3_close (db);
      return NULL;
    }

  return db;
}

/**
 * hearth_database_make_private_dir:
 *
 * Creates @path and its parents, readable by the server's user alone:
 * the data directory and the folders in it hold the family's data.
 */
gboolean
hearth_database_make_private_dir (const char  *path,
                                  GError     **error)
{
  if (g_mkdir_with_parents (path, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not create the folder “%s”: %s"),
                   path, g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}
