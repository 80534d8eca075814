/* test-inventory.c
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hearth-inventory.h"
#include "hearth-inventory-private.h"
#include "hearth-sha256.h"
#include "hearth-test-util.h"

#define HEARTH_APPLICATION_ID 0x48525448

#define N_MANY       50000
#define MANY_BASE_NS G_GINT64_CONSTANT (1700000000000000000)

typedef struct
{
  char *dir;
  char *path;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->dir = hearth_test_make_tmpdir ();
  fixture->path = g_build_filename (fixture->dir, "inventory.db", NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  hearth_test_rm_rf (fixture->dir);
  g_clear_pointer (&fixture->dir, g_free);
  g_clear_pointer (&fixture->path, g_free);
}

#define TEST_ADD(name, func) \
  g_test_add (name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

static HearthInventory *
open_inventory (const char *path)
{
  g_autoptr(GError) error = NULL;
  HearthInventory *inventory = hearth_inventory_open (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (inventory);
  return inventory;
}

/* Runs a query returning one integer on a connection of the test's own. */
static gint64
query_int (sqlite3    *db,
           const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static char *
query_text (sqlite3    *db,
            const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return value;
}

static void
exec_sql (sqlite3    *db,
          const char *sql)
{
  char *message = NULL;
  int rc = sqlite3_exec (db, sql, NULL, NULL, &message);

  if (rc != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

static sqlite3 *
open_raw (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  return db;
}

static GBytes *
read_bytes (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

static HearthFileStat
make_stat (HearthFileType type,
           guint64        size,
           gint64         mtime_ns)
{
  HearthFileStat stat = {
    .type = type,
    .mode = type == HEARTH_FILE_TYPE_DIRECTORY ? 0755 : 0644,
    .size = size,
    .mtime_ns = mtime_ns,
    .ctime_ns = mtime_ns + 17,
    .inode = (guint64) mtime_ns * 3 + 1,
  };

  return stat;
}

/* A descriptor whose chunks are the SHA-256 of seeded random data of the
 * given lengths, as the chunker would make them. */
static HearthFileDescriptor *
make_descriptor (const guint32 *lengths,
                 guint          n_chunks,
                 guint64        seed)
{
  g_autofree HearthChunk *chunks = g_new0 (HearthChunk, MAX (n_chunks, 1));
  HearthTestRng rng;
  guint64 offset = 0;

  hearth_test_rng_init (&rng, seed);

  for (guint i = 0; i < n_chunks; i++)
    {
      g_autofree guint8 *data = g_malloc (lengths[i]);

      hearth_test_rng_fill (&rng, data, lengths[i]);
      chunks[i].offset = offset;
      chunks[i].length = lengths[i];
      hearth_sha256_digest (data, lengths[i], &chunks[i].id);
      offset += lengths[i];
    }

  return hearth_file_descriptor_new (chunks, n_chunks);
}

static void
assert_descriptors_equal (HearthFileDescriptor *a,
                          HearthFileDescriptor *b)
{
  guint n_a, n_b;
  const HearthChunk *chunks_a = hearth_file_descriptor_get_chunks (a, &n_a);
  const HearthChunk *chunks_b = hearth_file_descriptor_get_chunks (b, &n_b);

  g_assert_cmpuint (n_a, ==, n_b);
  g_assert_cmpuint (hearth_file_descriptor_get_size (a), ==, hearth_file_descriptor_get_size (b));
  g_assert_true (hearth_chunk_id_equal (hearth_file_descriptor_get_id (a),
                                        hearth_file_descriptor_get_id (b)));
  for (guint i = 0; i < n_a; i++)
    {
      g_assert_cmpuint (chunks_a[i].offset, ==, chunks_b[i].offset);
      g_assert_cmpuint (chunks_a[i].length, ==, chunks_b[i].length);
      g_assert_true (hearth_chunk_id_equal (&chunks_a[i].id, &chunks_b[i].id));
    }
}

static void
assert_stat_equal (const HearthFileStat *a,
                   const HearthFileStat *b)
{
  g_assert_cmpint (a->type, ==, b->type);
  g_assert_cmpuint (a->mode, ==, b->mode);
  g_assert_cmpuint (a->size, ==, b->size);
  g_assert_cmpint (a->mtime_ns, ==, b->mtime_ns);
  g_assert_cmpint (a->ctime_ns, ==, b->ctime_ns);
  g_assert_cmpuint (a->inode, ==, b->inode);
}

/* Opening must fail with @code and leave the file byte for byte as it was,
 * with no -wal or -shm file left behind. */
static void
assert_open_fails_untouched (const char *path,
                             int         code,
                             const char *message_part)
{
  g_autoptr(GBytes) before = read_bytes (path);
  g_autoptr(GBytes) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthInventory) inventory = NULL;
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  g_autofree char *basename = g_path_get_basename (path);

  inventory = hearth_inventory_open (path, &error);
  g_assert_error (error, HEARTH_INVENTORY_ERROR, code);
  g_assert_null (inventory);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, basename));
  if (message_part != NULL)
    g_assert_nonnull (strstr (error->message, message_part));

  after = read_bytes (path);
  g_assert_true (g_bytes_equal (before, after));
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (shm, G_FILE_TEST_EXISTS));
}

static void
test_open_fresh (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(HearthInventory) inventory = open_inventory (fixture->path);
  g_autofree char *journal_mode = NULL;
  g_autofree char *path_prop = NULL;
  g_autoptr(HearthFolder) folder = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *wal = g_strconcat (fixture->path, "-wal", NULL);
  sqlite3 *db = _hearth_inventory_get_db (inventory);
  struct stat st;

  g_assert_cmpuint (hearth_inventory_get_schema_version (inventory), ==, HEARTH_INVENTORY_SCHEMA_VERSION);
  g_assert_cmpstr (hearth_inventory_get_path (inventory), ==, fixture->path);
  g_object_get (inventory, "path", &path_prop, NULL);
  g_assert_cmpstr (path_prop, ==, fixture->path);

  g_assert_cmpint (query_int (db, "PRAGMA user_version"), ==, HEARTH_INVENTORY_SCHEMA_VERSION);
  g_assert_cmpint (query_int (db, "PRAGMA application_id"), ==, HEARTH_APPLICATION_ID);
  journal_mode = query_text (db, "PRAGMA journal_mode");
  g_assert_cmpstr (journal_mode, ==, "wal");
  g_assert_cmpint (query_int (db, "PRAGMA synchronous"), ==, 1);
  g_assert_cmpint (query_int (db, "PRAGMA foreign_keys"), ==, 1);
  g_assert_cmpint (query_int (db, "PRAGMA busy_timeout"), >, 0);

  g_assert_cmpint (g_stat (fixture->path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* The WAL holds the same names; SQLite gives it the database's mode. */
  folder = hearth_inventory_add_folder (inventory, "/home/ann/Pictures", &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (wal, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  g_assert_cmpint (hearth_inventory_count_files (inventory, 0, &error), ==, 0);
  g_assert_no_error (error);
}

static void
test_open_missing_dir (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "nowhere", "inventory.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthInventory) inventory = hearth_inventory_open (path, &error);

  g_assert_null (inventory);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "inventory.db"));
}

static void
test_open_reopen (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  HearthFileStat stat = make_stat (HEARTH_FILE_TYPE_DIRECTORY, 0, 1000);
  gint64 folder_id;

  {
    g_autoptr(HearthInventory) inventory = open_inventory (fixture->path);
    g_autoptr(HearthFolder) folder = hearth_inventory_add_folder (inventory, "/data", &error);

    g_assert_no_error (error);
    folder_id = folder->id;
    hearth_inventory_put_file (inventory, folder_id, "sub", &stat, NULL, NULL, 5, &error);
    g_assert_no_error (error);
  }

  {
    g_autoptr(HearthInventory) inventory = open_inventory (fixture->path);
    g_autoptr(HearthFolder) folder = hearth_inventory_find_folder (inventory, "/data", &error);
    g_autoptr(HearthInventoryFile) file = NULL;

    g_assert_no_error (error);
    g_assert_cmpint (folder->id, ==, folder_id);
    file = hearth_inventory_get_file (inventory, folder_id, "sub", &error);
    g_assert_no_error (error);
    assert_stat_equal (&file->stat, &stat);
  }
}

/* A database as an older Hearth would have left it before creating the
 * schema: SQLite's empty file with user_version 0. */
static void
test_migrate_from_v0 (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(HearthInventory) inventory = NULL;
  sqlite3 *db = open_raw (fixture->path);

  exec_sql (db, "PRAGMA page_size = 8192; VACUUM; PRAGMA user_version = 0");
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM sqlite_schema"), ==, 0);
  sqlite3_close (db);

  inventory = open_inventory (fixture->path);
  db = _hearth_inventory_get_db (inventory);
  g_assert_cmpint (query_int (db, "PRAGMA user_version"), ==, 1);
  g_assert_cmpint (query_int (db, "PRAGMA page_size"), ==, 8192);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'"), ==, 3);
}

static gboolean
migrate_to_v2_add_column (sqlite3  *db,
                          GError  **error)
{
  return _hearth_inventory_exec (db,
                                 "ALTER TABLE files ADD COLUMN note BLOB;"
                                 "UPDATE files SET note = CAST (path || x'21' AS BLOB)",
                                 error);
}

static gboolean
migrate_to_v2_fail (sqlite3  *db,
                    GError  **error)
{
  /* Changes the schema first, so that the test sees it rolled back. */
  return _hearth_inventory_exec (db,
                                 "ALTER TABLE files ADD COLUMN note BLOB;"
                                 "INSERT INTO no_such_table VALUES (1)",
                                 error);
}

/* Foreign keys are off while the steps run: a step that leaves a file
 * pointing at no folder must be caught before the commit. */
static gboolean
migrate_to_v2_orphan (sqlite3  *db,
                      GError  **error)
{
  return _hearth_inventory_exec (db,
                                 "INSERT INTO files (folder_id, path, type, mode, size,"
                                 "                   mtime_ns, ctime_ns, inode, scanned_ns)"
                                 " VALUES (999, x'6f', 1, 420, 0, 0, 0, 0, 0)",
                                 error);
}

static void
put_sample_files (HearthInventory *inventory,
                  gint64           folder_id,
                  guint            n_files)
{
  static const guint32 lengths[] = { 1000, 2000, 3 };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < n_files; i++)
    {
      g_autoptr(HearthFileDescriptor) descriptor = make_descriptor (lengths, G_N_ELEMENTS (lengths), i);
      g_autofree char *path = g_strdup_printf ("dir/file-%05u", i);
      HearthFileStat stat = make_stat (HEARTH_FILE_TYPE_REGULAR, 3003, 1000 + i);

      hearth_inventory_put_file (inventory, folder_id, path, &stat, NULL, descriptor, 42, &error);
      g_assert_no_error (error);
    }
}

/* Closing leaves the commits in the WAL, beside the database, and the
 * next connection reads them from there. */
static void
test_open_wal_kept (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *wal = g_strconcat (fixture->path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (fixture->path, "-shm", NULL);
  struct stat st;
  sqlite3 *db;

  {
    g_autoptr(HearthInventory) inventory = open_inventory (fixture->path);
    g_autoptr(HearthFolder) folder = hearth_inventory_add_folder (inventory, "/data", &error);

    g_assert_no_error (error);
    put_sample_files (inventory, folder->id, 10);
  }

  g_assert_cmpint (g_stat (wal, &st), ==, 0);
  g_assert_cmpint (st.st_size, >, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (shm, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  db = open_raw (fixture->path);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM files"), ==, 10);
  sqlite3_close (db);
}

/* The user moved a damaged inventory away, as its error message says, and
 * left its -wal and -shm behind: the new inventory must start empty, not
 * replay the old one's commits into itself. */
static void
test_open_stale_wal (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *wal = g_strconcat (fixture->path, "-wal", NULL);
  g_autofree char *moved = g_build_filename (fixture->dir, "damaged.db", NULL);

  {
    g_autoptr(HearthInventory) inventory = open_inventory (fixture->path);
    g_autoptr(HearthFolder) folder = hearth_inventory_add_folder (inventory, "/data", &error);

    g_assert_no_error (error);
    put_sample_files (inventory, folder->id, 10);
  }
  g_assert_true (g_file_test (wal, G_FILE_TEST_EXISTS));
  g_assert_cmpint (g_rename (fixture->path, moved), ==, 0);

  {
    g_autoptr(HearthInventory) inventory = open_inventory (fixture->path);
    g_autoptr(GPtrArray) folders = hearth_inventory_list_folders (inventory, &error);
    g_autoptr(HearthFolder) folder = NULL;

    g_assert_no_error (error);
    g_assert_cmpuint (folders->len, ==, 0);
    g_assert_cmpint (hearth_inventory_count_files (inventory, 0, &error), ==, 0);
    g_assert_no_error (error);

    /* and it works as a new one */
    folder = hearth_inventory_add_folder (inventory, "/data", &error);
    g_assert_no_error (error);
    put_sample_files (inventory, folder->id, 3);
    g_assert_cmpint (hearth_inventory_count_files (inventory, 0, &error), ==, 3);
  }

  {
    g_autoptr(HearthInventory) inventory = open_inventory (fixture->path);

    g_assert_cmpint (hearth_inventory_count_files (inventory, 0, &error), ==, 3);
    g_assert_no_error (error);
  }
}

static void
test_migrate_appended_step (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const HearthInventoryMigration *v1;
  HearthInventoryMigration steps[2];
  guint n_v1;
  gint64 folder_id;

  v1 = _hearth_inventory_get_migrations (&n_v1);
  g_assert_cmpuint (n_v1, ==, HEARTH_INVENTORY_SCHEMA_VERSION);
  g_assert_cmpuint (n_v1, ==, 1);
  steps[0] = v1[0];
  steps[1] = migrate_to_v2_add_column;

  {
    g_autoptr(HearthInventory) inventory = open_inventory (fixture->path);
    g_autoptr(HearthFolder) folder = hearth_inventory_add_folder (inventory, "/data", &error);

    g_assert_no_error (error);
    folder_id = folder->id;
    put_sample_files (inventory, folder_id, 10);
  }

  /* A step that fails leaves the database at version 1, its data whole. */
  {
    HearthInventoryMigration failing[2] = { v1[0], migrate_to_v2_fail };
    g_autoptr(HearthInventory) inventory = NULL;

    inventory = _hearth_inventory_open_with_migrations (fixture->path, failing, 2, &error);
    g_assert_null (inventory);
    g_assert_error (error, HEARTH_INVENTORY_ERROR, HEARTH_INVENTORY_ERROR_FAILED);
    g_assert_nonnull (strstr (error->message, "schema 2"));
    g_assert_nonnull (strstr (error->message, "no_such_table"));
    g_clear_error (&error);
  }

  {
    g_autoptr(HearthInventory) inventory = open_inventory (fixture->path);
    sqlite3 *db = _hearth_inventory_get_db (inventory);

    g_assert_cmpint (query_int (db, "PRAGMA user_version"), ==, 1);
    g_assert_cmpint (query_int (db, "SELECT count(*) FROM pragma_table_info ('files') WHERE name = 'note'"), ==, 0);
    g_assert_cmpint (hearth_inventory_count_files (inventory, folder_id, &error), ==, 10);
  }

  /* The appended step runs once, and the data survives it. */
  for (guint round = 0; round < 2; round++)
    {
      g_autoptr(HearthInventory) inventory = NULL;
      g_autoptr(HearthInventoryFile) file = NULL;
      g_autofree char *note = NULL;
      sqlite3 *db;

      inventory = _hearth_inventory_open_with_migrations (fixture->path, steps, 2, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (hearth_inventory_get_schema_version (inventory), ==, 2);
      db = _hearth_inventory_get_db (inventory);
      g_assert_cmpint (query_int (db, "PRAGMA user_version"), ==, 2);
      note = query_text (db, "SELECT note FROM files WHERE path = CAST ('dir/file-00003' AS BLOB)");
      g_assert_cmpstr (note, ==, "dir/file-00003!");

      g_assert_cmpint (hearth_inventory_count_files (inventory, folder_id, &error), ==, 10);
      file = hearth_inventory_get_file (inventory, folder_id, "dir/file-00007", &error);
      g_assert_no_error (error);
      g_assert_cmpint (file->stat.mtime_ns, ==, 1007);
      g_assert_cmpuint (hearth_file_descriptor_get_n_chunks (file->descriptor), ==, 3);

      /* Closing leaves the WAL for the next open; fold it in, so that what
       * follows sees the file a newer Hearth would leave after a
       * checkpoint, with no -wal and -shm of ours around it. */
      exec_sql (db, "PRAGMA journal_mode = DELETE");
    }

  /* This build only knows version 1 and must not touch the file. */
  assert_open_fails_untouched (fixture->path, HEARTH_INVENTORY_ERROR_TOO_NEW, "schema 2");
}

/* On a fresh file every step runs in one transaction: when the last one
 * fails, the first one's tables are gone too. */
static void
test_migrate_failure_fresh (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthInventory) inventory = NULL;
  guint n_v1;
  const HearthInventoryMigration *v1 = _hearth_inventory_get_migrations (&n_v1);
  HearthInventoryMigration failing[2] = { v1[0], migrate_to_v2_fail };
  sqlite3 *db;

  inventory = _hearth_inventory_open_with_migrations (fixture->path, failing, 2, &error);
  g_assert_null (inventory);
  g_assert_error (error, HEARTH_INVENTORY_ERROR, HEARTH_INVENTORY_ERROR_FAILED);

  db = open_raw (fixture->path);
  g_assert_cmpint (query_int (db, "PRAGMA user_version"), ==, 0);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM sqlite_schema"), ==, 0);
  sqlite3_close (db);

  /* and this build can still start from scratch */
  g_clear_object (&inventory);
  inventory = open_inventory (fixture->path);
  g_assert_cmpuint (hearth_inventory_get_schema_version (inventory), ==, 1);
}

static void
test_migrate_orphan_rows (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthInventory) inventory = NULL;
  guint n_v1;
  const HearthInventoryMigration *v1 = _hearth_inventory_get_migrations (&n_v1);
  HearthInventoryMigration orphaning[2] = { v1[0], migrate_to_v2_orphan };
  sqlite3 *db;

  {
    g_autoptr(HearthInventory) v1_inventory = open_inventory (fixture->path);
    g_autoptr(HearthFolder) folder = hearth_inventory_add_folder (v1_inventory, "/data", &error);

    g_assert_no_error (error);
    put_sample_files (v1_inventory, folder->id, 4);
  }

  inventory = _hearth_inventory_open_with_migrations (fixture->path, orphaning, 2, &error);
  g_assert_null (inventory);
  g_assert_error (error, HEARTH_INVENTORY_ERROR, HEARTH_INVENTORY_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "pointing at nothing"));

  db = open_raw (fixture->path);
  g_assert_cmpint (query_int (db, "PRAGMA user_version"), ==, 1);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM files"), ==, 4);
  sqlite3_close (db);
}

static void
test_too_new (Fixture       *fixture,
              gconstpointer  data)
{
  sqlite3 *db = open_raw (fixture->path);
  g_autofree char *sql = g_strdup_printf ("PRAGMA application_id = %d;"
                                          "PRAGMA journal_mode = WAL;"
                                          "CREATE TABLE things (x);"
                                          "PRAGMA user_version = 7",
                                          HEARTH_APPLICATION_ID);

  exec_sql (db, sql);
  sqlite3_close (db);

  assert_open_fails_untouched (fixture->path, HEARTH_INVENTORY_ERROR_TOO_NEW,
                               "newer version of Hearth (schema 7); this version understands up to 1");
}

/* A newer Hearth leaves its last commits in the WAL, as this one does.
 * Refusing its file must leave the WAL as it was, not fold it in. */
static void
test_too_new_with_wal (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *wal = g_strconcat (fixture->path, "-wal", NULL);
  g_autofree char *sql = g_strdup_printf ("PRAGMA application_id = %d;"
                                          "PRAGMA journal_mode = WAL;"
                                          "CREATE TABLE things (x);"
                                          "INSERT INTO things VALUES (1);"
                                          "PRAGMA user_version = 7",
                                          HEARTH_APPLICATION_ID);
  g_autoptr(GBytes) db_before = NULL;
  g_autoptr(GBytes) wal_before = NULL;
  g_autoptr(GBytes) db_after = NULL;
  g_autoptr(GBytes) wal_after = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthInventory) inventory = NULL;
  sqlite3 *db = open_raw (fixture->path);

  sqlite3_db_config (db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
  exec_sql (db, sql);
  sqlite3_close (db);

  db_before = read_bytes (fixture->path);
  wal_before = read_bytes (wal);
  g_assert_cmpuint (g_bytes_get_size (wal_before), >, 0);

  /* The version is in the WAL only: the open reads through it. */
  inventory = hearth_inventory_open (fixture->path, &error);
  g_assert_null (inventory);
  g_assert_error (error, HEARTH_INVENTORY_ERROR, HEARTH_INVENTORY_ERROR_TOO_NEW);
  g_assert_nonnull (strstr (error->message, "schema 7"));

  g_assert_true (g_file_test (wal, G_FILE_TEST_EXISTS));
  db_after = read_bytes (fixture->path);
  wal_after = read_bytes (wal);
  g_assert_true (g_bytes_equal (db_before, db_after));
  g_assert_true (g_bytes_equal (wal_before, wal_after));
}

/* No Hearth writes a negative version: it is damage, not a newer Hearth. */
static void
test_negative_version (Fixture       *fixture,
                       gconstpointer  data)
{
  sqlite3 *db = open_raw (fixture->path);
  g_autofree char *sql = g_strdup_printf ("PRAGMA application_id = %d;"
                                          "CREATE TABLE things (x);"
                                          "PRAGMA user_version = -3",
                                          HEARTH_APPLICATION_ID);

  exec_sql (db, sql);
  sqlite3_close (db);

  assert_open_fails_untouched (fixture->path, HEARTH_INVENTORY_ERROR_CORRUPT, "damaged (schema version -3)");
}

static void
test_foreign_database (Fixture       *fixture,
                       gconstpointer  data)
{
  sqlite3 *db = open_raw (fixture->path);

  exec_sql (db, "CREATE TABLE recipes (name TEXT); INSERT INTO recipes VALUES ('bread')");
  sqlite3_close (db);

  assert_open_fails_untouched (fixture->path, HEARTH_INVENTORY_ERROR_CORRUPT, "not a Hearth inventory");
}

static void
test_corrupt_random (Fixture       *fixture,
                     gconstpointer  data)
{
  hearth_test_write_random (fixture->path, 3 * 4096 + 17, 7);
  assert_open_fails_untouched (fixture->path, HEARTH_INVENTORY_ERROR_CORRUPT, NULL);

  hearth_test_write_random (fixture->path, 10, 8);
  assert_open_fails_untouched (fixture->path, HEARTH_INVENTORY_ERROR_CORRUPT, NULL);
}

static void
test_corrupt_text (Fixture       *fixture,
                   gconstpointer  data)
{
  static const char text[] = "These are my notes.\nNot a database at all.\n";

  hearth_test_write_file (fixture->path, text, strlen (text));
  assert_open_fails_untouched (fixture->path, HEARTH_INVENTORY_ERROR_CORRUPT, "damaged");
}

/* Writes an inventory of a few hundred pages and checkpoints it, so that
 * the whole of it is in the main file. */
static gsize
write_real_inventory (const char *path)
{
  g_autoptr(HearthInventory) inventory = open_inventory (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthFolder) folder = hearth_inventory_add_folder (inventory, "/data", &error);
  struct stat st;
  sqlite3 *db;

  g_assert_no_error (error);
  hearth_inventory_begin (inventory, &error);
  g_assert_no_error (error);
  put_sample_files (inventory, folder->id, 2000);
  hearth_inventory_commit (inventory, &error);
  g_assert_no_error (error);
  g_clear_object (&inventory);

  /* The inventory leaves its WAL for the next open. */
  db = open_raw (path);
  exec_sql (db, "PRAGMA wal_checkpoint (TRUNCATE)");
  sqlite3_close (db);

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_size, >, 100 * 4096);
  return st.st_size;
}

static void
test_corrupt_truncated (Fixture       *fixture,
                        gconstpointer  data)
{
  gsize size = write_real_inventory (fixture->path);

  /* Cut inside the last page: the page count in the header still agrees
   * with the file's size, and only the quick check sees the damage. */
  g_assert_cmpint (truncate (fixture->path, size - 1000), ==, 0);
  assert_open_fails_untouched (fixture->path, HEARTH_INVENTORY_ERROR_CORRUPT, "damaged");

  /* Half the pages gone: SQLite sees it reading the header. */
  g_assert_cmpint (truncate (fixture->path, size / 2), ==, 0);
  assert_open_fails_untouched (fixture->path, HEARTH_INVENTORY_ERROR_CORRUPT, "damaged");
}

static void
test_corrupt_damaged_page (Fixture       *fixture,
                           gconstpointer  data)
{
  gsize size = write_real_inventory (fixture->path);
  g_autoptr(GBytes) bytes = read_bytes (fixture->path);
  g_autofree guint8 *copy = g_memdup2 (g_bytes_get_data (bytes, NULL), size);
  HearthTestRng rng;

  /* Scribble over one page in the middle, header intact. */
  hearth_test_rng_init (&rng, 99);
  hearth_test_rng_fill (&rng, copy + (size / 4096 / 2) * 4096, 4096);
  hearth_test_write_file (fixture->path, copy, size);

  assert_open_fails_untouched (fixture->path, HEARTH_INVENTORY_ERROR_CORRUPT, "damaged");
}

/* Damage SQLite cannot see: a chunk list that does not parse, or whose
 * file ID does not match, or an unknown type. Reads fail with CORRUPT. */
static void
test_corrupt_entries (Fixture       *fixture,
                      gconstpointer  data)
{
  static const char * const damage[] = {
    "UPDATE files SET chunks = x'0102030405' WHERE path = CAST ('dir/file-00001' AS BLOB)",
    "UPDATE files SET chunks = substr (chunks, 37) WHERE path = CAST ('dir/file-00002' AS BLOB)",
    "UPDATE files SET file_id = NULL WHERE path = CAST ('dir/file-00003' AS BLOB)",
    "UPDATE files SET chunks = zeroblob (36), file_id = zeroblob (32) WHERE path = CAST ('dir/file-00004' AS BLOB)",
    "UPDATE files SET type = 9 WHERE path = CAST ('dir/file-00005' AS BLOB)",
  };
  g_autoptr(HearthInventory) inventory = open_inventory (fixture->path);
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthFolder) folder = hearth_inventory_add_folder (inventory, "/data", &error);
  sqlite3 *db = _hearth_inventory_get_db (inventory);

  g_assert_no_error (error);
  put_sample_files (inventory, folder->id, 6);

  for (guint i = 0; i < G_N_ELEMENTS (damage); i++)
    {
      g_autofree char *path = g_strdup_printf ("dir/file-%05u", i + 1);
      g_autoptr(HearthInventoryFile) file = NULL;

      exec_sql (db, damage[i]);
      file = hearth_inventory_get_file (inventory, folder->id, path, &error);
      g_assert_null (file);
      g_assert_error (error, HEARTH_INVENTORY_ERROR, HEARTH_INVENTORY_ERROR_CORRUPT);
      g_assert_nonnull (strstr (error->message, path));
      g_clear_error (&error);
    }

  /* The undamaged one still reads, and the walk reports the bad type. */
  {
    g_autoptr(HearthInventoryFile) file = hearth_inventory_get_file (inventory, folder->id, "dir/file-00000", &error);

    g_assert_no_error (error);
    g_assert_nonnull (file->descriptor);
  }
}

static gboolean
count_cb (const char           *path,
          const HearthFileStat *stat,
          gpointer              user_data)
{
  guint *count = user_data;

  (*count)++;
  return TRUE;
}

static void
test_corrupt_entry_in_walk (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(HearthInventory) inventory = open_inventory (fixture->path);
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthFolder) folder = hearth_inventory_add_folder (inventory, "/data", &error);
  guint count = 0;

  g_assert_no_error (error);
  put_sample_files (inventory, folder->id, 3);
  exec_sql (_hearth_inventory_get_db (inventory),
            "UPDATE files SET type = 0 WHERE path = CAST ('dir/file-00001' AS BLOB)");

  g_assert_false (hearth_inventory_foreach_file (inventory, folder->id, count_cb, &count, &error));
  g_assert_error (error, HEARTH_INVENTORY_ERROR, HEARTH_INVENTORY_ERROR_CORRUPT);
  g_assert_cmpuint (count, ==, 1);
}

static void
test_folders (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(HearthInventory) inventory = open_inventory (fixture->path);
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthFolder) pictures = NULL;
  g_autoptr(HearthFolder) odd = NULL;
  g_autoptr(HearthFolder) again = NULL;
  g_autoptr(HearthFolder) found = NULL;
  g_autoptr(GPtrArray) folders = NULL;
  HearthFileStat stat = make_stat (HEARTH_FILE_TYPE_REGULAR, 0, 1);
  gint64 before_ns = g_get_real_time () * 1000;
  const char *odd_path = "/home/ren\xe9/M\xfcsik";

  pictures = hearth_inventory_add_folder (inventory, "/home/ann/Pictures", &error);
  g_assert_no_error (error);
  g_assert_cmpint (pictures->id, >, 0);
  g_assert_cmpstr (pictures->path, ==, "/home/ann/Pictures");
  g_assert_cmpint (pictures->added_ns, >=, before_ns);
  g_assert_cmpint (pictures->last_scan_ns, ==, 0);

  odd = hearth_inventory_add_folder (inventory, odd_path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (odd->id, !=, pictures->id);

  again = hearth_inventory_add_folder (inventory, "/home/ann/Pictures", &error);
  g_assert_null (again);
  g_assert_error (error, HEARTH_INVENTORY_ERROR, HEARTH_INVENTORY_ERROR_EXISTS);
  g_assert_nonnull (strstr (error->message, "/home/ann/Pictures"));
  g_clear_error (&error);

  found = hearth_inventory_find_folder (inventory, odd_path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (found->id, ==, odd->id);
  g_assert_cmpmem (found->path, strlen (found->path), odd_path, strlen (odd_path));
  g_assert_cmpint (found->added_ns, ==, odd->added_ns);
  g_clear_pointer (&found, hearth_folder_free);

  found = hearth_inventory_find_folder (inventory, "/home/ann/Pictures/", &error);
  g_assert_null (found);
  g_assert_error (error, HEARTH_INVENTORY_ERROR, HEARTH_INVENTORY_ERROR_NOT_FOUND);
  g_clear_error (&error);

  hearth_inventory_set_folder_scanned (inventory, pictures->id, 123456789, &error);
  g_assert_no_error (error);
  found = hearth_inventory_get_folder (inventory, pictures->id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found->path, ==, "/home/ann/Pictures");
  g_assert_cmpint (found->last_scan_ns, ==, 123456789);
  g_clear_pointer (&found, hearth_folder_free);

  g_assert_false (hearth_inventory_set_folder_scanned (inventory, 999, 1, &error));
  g_assert_error (error, HEARTH_INVENTORY_ERROR, HEARTH_INVENTORY_ERROR_NOT_FOUND);
  g_clear_error (&error);

  found = hearth_inventory_get_folder (inventory, 999, &error);
  g_assert_null (found);
  g_assert_error (error, HEARTH_INVENTORY_ERROR, HEARTH_INVENTORY_ERROR_NOT_FOUND);
  g_clear_error (&error);

  folders = hearth_inventory_list_folders (inventory, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (folders->len, ==, 2);
  g_assert_cmpint (((HearthFolder *) folders->pdata[0])->id, ==, pictures->id);
  g_assert_cmpstr (((HearthFolder *) folders->pdata[1])->path, ==, odd_path);
  g_clear_pointer (&folders, g_ptr_array_unref);

  /* Removing a folder takes its files along, and only its files. */
  hearth_inventory_put_file (inventory, pictures->id, "a", &stat, NULL, NULL, 1, &error);
  g_assert_no_error (error);
  hearth_inventory_put_file (inventory, pictures->id, "b", &stat, NULL, NULL, 1, &error);
  g_assert_no_error (error);
  hearth_inventory_put_file (inventory, odd->id, "a", &stat, NULL, NULL, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hearth_inventory_count_files (inventory, 0, &error), ==, 3);

  hearth_inventory_remove_folder (inventory, pictures->id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hearth_inventory_count_files (inventory, pictures->id, &error), ==, 0);
  g_assert_cmpint (hearth_inventory_count_files (inventory, odd->id, &error), ==, 1);
  g_assert_cmpint (query_int (_hearth_inventory_get_db (inventory), "SELECT count(*) FROM files"), ==, 1);

  g_assert_false (hearth_inventory_remove_folder (inventory, pictures->id, &error));
  g_assert_error (error, HEARTH_INVENTORY_ERROR, HEARTH_INVENTORY_ERROR_NOT_FOUND);
  g_clear_error (&error);

  folders = hearth_inventory_list_folders (inventory, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (folders->len, ==, 1);

  /* and a removed path can be added again */
  again = hearth_inventory_add_folder (inventory, "/home/ann/Pictures", &error);
  g_assert_no_error (error);
  g_assert_cmpint (again->id, !=, odd->id);
}

static HearthFolder *
get_folder (HearthInventory *inventory,
            gint64           folder_id)
{
  g_autoptr(GError) error = NULL;
  HearthFolder *folder = hearth_inventory_get_folder (inventory, folder_id, &error);

  g_assert_no_error (error);
  return folder;
}

static void
test_folders_mount_point (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 usb_id, home_id;

  {
    g_autoptr(HearthInventory) inventory = open_inventory (fixture->path);
    g_autoptr(HearthFolder) usb = hearth_inventory_add_folder (inventory, "/media/ann/USB", &error);
    g_autoptr(HearthFolder) home = hearth_inventory_add_folder (inventory, "/home/ann", &error);
    g_autoptr(HearthFolder) found = NULL;
    g_autoptr(GPtrArray) folders = NULL;

    g_assert_no_error (error);
    g_assert_false (usb->is_mount_point);
    usb_id = usb->id;
    home_id = home->id;

    found = get_folder (inventory, usb_id);
    g_assert_false (found->is_mount_point);
    g_clear_pointer (&found, hearth_folder_free);

    g_assert_true (hearth_inventory_set_folder_mount_point (inventory, usb_id, TRUE, &error));
    g_assert_no_error (error);
    /* Setting the value it already has is not "no such folder". */
    g_assert_true (hearth_inventory_set_folder_mount_point (inventory, usb_id, TRUE, &error));
    g_assert_no_error (error);

    /* every way of reading a folder sees it, and only for that folder */
    found = get_folder (inventory, usb_id);
    g_assert_true (found->is_mount_point);
    g_assert_cmpint (found->last_scan_ns, ==, 0);
    g_clear_pointer (&found, hearth_folder_free);
    found = hearth_inventory_find_folder (inventory, "/media/ann/USB", &error);
    g_assert_no_error (error);
    g_assert_true (found->is_mount_point);
    g_clear_pointer (&found, hearth_folder_free);
    found = get_folder (inventory, home_id);
    g_assert_false (found->is_mount_point);
    g_clear_pointer (&found, hearth_folder_free);

    folders = hearth_inventory_list_folders (inventory, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (folders->len, ==, 2);
    g_assert_true (((HearthFolder *) folders->pdata[0])->is_mount_point);
    g_assert_false (((HearthFolder *) folders->pdata[1])->is_mount_point);

    /* Stored as 1, and the column takes nothing but 0 and 1. */
    g_assert_cmpint (query_int (_hearth_inventory_get_db (inventory),
                                "SELECT mount_point FROM folders WHERE path = CAST ('/media/ann/USB' AS BLOB)"), ==, 1);
    g_assert_cmpint (sqlite3_exec (_hearth_inventory_get_db (inventory),
                                   "UPDATE folders SET mount_point = 2", NULL, NULL, NULL), ==, SQLITE_CONSTRAINT_CHECK);

    g_assert_false (hearth_inventory_set_folder_mount_point (inventory, 999, TRUE, &error));
    g_assert_error (error, HEARTH_INVENTORY_ERROR, HEARTH_INVENTORY_ERROR_NOT_FOUND);
    g_assert_nonnull (strstr (error->message, "999"));
    g_clear_error (&error);

    /* a rolled-back change is undone */
    hearth_inventory_begin (inventory, &error);
    g_assert_no_error (error);
    hearth_inventory_set_folder_mount_point (inventory, home_id, TRUE, &error);
    g_assert_no_error (error);
    hearth_inventory_rollback (inventory);
  }

  /* kept across opening again, and can be cleared */
  {
    g_autoptr(HearthInventory) inventory = open_inventory (fixture->path);
    g_autoptr(HearthFolder) usb = get_folder (inventory, usb_id);
    g_autoptr(HearthFolder) home = get_folder (inventory, home_id);

    g_assert_true (usb->is_mount_point);
    g_assert_false (home->is_mount_point);
    g_clear_pointer (&usb, hearth_folder_free);

    hearth_inventory_set_folder_mount_point (inventory, usb_id, FALSE, &error);
    g_assert_no_error (error);
    usb = get_folder (inventory, usb_id);
    g_assert_false (usb->is_mount_point);
  }
}

static void
test_files_round_trip (Fixture       *fixture,
                       gconstpointer  data)
{
  static const guint32 lengths[] = { 65536, 1, 131072, 7000 };
  g_autoptr(HearthInventory) inventory = open_inventory (fixture->path);
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthFolder) folder = hearth_inventory_add_folder (inventory, "/data", &error);
  g_autoptr(HearthFileDescriptor) several = make_descriptor (lengths, G_N_ELEMENTS (lengths), 1);
  g_autoptr(HearthFileDescriptor) empty = make_descriptor (NULL, 0, 2);
  const char *odd_path = "caf\xe9/\xff\xfe.txt";
  const char *odd_target = "../\x80\x81 target";
  HearthFileStat regular = make_stat (HEARTH_FILE_TYPE_REGULAR, hearth_file_descriptor_get_size (several), 1700000000123456789);
  HearthFileStat zero = make_stat (HEARTH_FILE_TYPE_REGULAR, 0, 5);
  HearthFileStat unread = make_stat (HEARTH_FILE_TYPE_REGULAR, 10, 6);
  HearthFileStat link = make_stat (HEARTH_FILE_TYPE_SYMLINK, strlen (odd_target), -3);
  HearthFileStat dir = make_stat (HEARTH_FILE_TYPE_DIRECTORY, 0, 7);

  g_assert_no_error (error);

  /* values that only survive if stored with all 64 bits */
  regular.inode = G_MAXUINT64 - 5;
  regular.mode = 0104755;
  dir.size = G_MAXUINT64;

  hearth_inventory_put_file (inventory, folder->id, odd_path, &regular, NULL, several, 11, &error);
  g_assert_no_error (error);
  hearth_inventory_put_file (inventory, folder->id, "empty", &zero, NULL, empty, 12, &error);
  g_assert_no_error (error);
  hearth_inventory_put_file (inventory, folder->id, "unread", &unread, NULL, NULL, 13, &error);
  g_assert_no_error (error);
  hearth_inventory_put_file (inventory, folder->id, "link", &link, odd_target, NULL, 14, &error);
  g_assert_no_error (error);
  hearth_inventory_put_file (inventory, folder->id, "caf\xe9", &dir, NULL, NULL, 15, &error);
  g_assert_no_error (error);

  {
    g_autoptr(HearthInventoryFile) file = hearth_inventory_get_file (inventory, folder->id, odd_path, &error);

    g_assert_no_error (error);
    g_assert_cmpint (file->folder_id, ==, folder->id);
    g_assert_cmpmem (file->path, strlen (file->path), odd_path, strlen (odd_path));
    assert_stat_equal (&file->stat, &regular);
    g_assert_null (file->symlink_target);
    g_assert_nonnull (file->descriptor);
    assert_descriptors_equal (file->descriptor, several);
    g_assert_cmpint (file->scanned_ns, ==, 11);
    g_assert_cmpint (file->deleted_ns, ==, 0);
  }

  {
    g_autoptr(HearthInventoryFile) file = hearth_inventory_get_file (inventory, folder->id, "empty", &error);

    g_assert_no_error (error);
    g_assert_nonnull (file->descriptor);
    g_assert_cmpuint (hearth_file_descriptor_get_n_chunks (file->descriptor), ==, 0);
    assert_descriptors_equal (file->descriptor, empty);
  }

  {
    g_autoptr(HearthInventoryFile) file = hearth_inventory_get_file (inventory, folder->id, "unread", &error);

    g_assert_no_error (error);
    assert_stat_equal (&file->stat, &unread);
    g_assert_null (file->descriptor);
  }

  {
    g_autoptr(HearthInventoryFile) file = hearth_inventory_get_file (inventory, folder->id, "link", &error);

    g_assert_no_error (error);
    assert_stat_equal (&file->stat, &link);
    g_assert_cmpmem (file->symlink_target, strlen (file->symlink_target), odd_target, strlen (odd_target));
    g_assert_null (file->descriptor);
  }

  {
    g_autoptr(HearthInventoryFile) file = hearth_inventory_get_file (inventory, folder->id, "caf\xe9", &error);

    g_assert_no_error (error);
    assert_stat_equal (&file->stat, &dir);
    g_assert_null (file->descriptor);
    g_assert_null (file->symlink_target);
    g_assert_cmpint (file->scanned_ns, ==, 15);
  }

  /* Stored as BLOBs: the bytes, not some re-encoding of them. */
  g_assert_cmpint (query_int (_hearth_inventory_get_db (inventory),
                              "SELECT count(*) FROM files WHERE path = x'636166e92ffffe2e747874'"), ==, 1);
  g_assert_cmpint (query_int (_hearth_inventory_get_db (inventory),
                              "SELECT length (chunks) FROM files WHERE path = x'636166e92ffffe2e747874'"), ==, 4 * 36);

  g_assert_cmpint (hearth_inventory_count_files (inventory, folder->id, &error), ==, 5);
  g_assert_no_error (error);

  /* the folder's own entry has the empty path */
  hearth_inventory_put_file (inventory, folder->id, "", &dir, NULL, NULL, 16, &error);
  g_assert_no_error (error);
  {
    g_autoptr(HearthInventoryFile) file = hearth_inventory_get_file (inventory, folder->id, "", &error);

    g_assert_no_error (error);
    g_assert_cmpstr (file->path, ==, "");
    g_assert_cmpint (file->scanned_ns, ==, 16);
  }
  g_assert_cmpint (query_int (_hearth_inventory_get_db (inventory),
                              "SELECT count(*) FROM files WHERE path = x''"), ==, 1);

  {
    g_autoptr(HearthInventoryFile) file = hearth_inventory_get_file (inventory, folder->id, "caf\xc3\xa9", &error);

    g_assert_null (file);
    g_assert_error (error, HEARTH_INVENTORY_ERROR, HEARTH_INVENTORY_ERROR_NOT_FOUND);
    g_clear_error (&error);
  }

  g_assert_false (hearth_inventory_put_file (inventory, folder->id + 100, "x", &dir, NULL, NULL, 1, &error));
  g_assert_error (error, HEARTH_INVENTORY_ERROR, HEARTH_INVENTORY_ERROR_NOT_FOUND);
}

typedef struct
{
  GPtrArray *paths;
  GArray    *stats;
  guint      stop_after;
} Collected;

static gboolean
collect_cb (const char           *path,
            const HearthFileStat *stat,
            gpointer              user_data)
{
  Collected *collected = user_data;

  g_ptr_array_add (collected->paths, g_strdup (path));
  g_array_append_val (collected->stats, *stat);
  return collected->stop_after == 0 || collected->paths->len < collected->stop_after;
}

static void
collected_clear (Collected *collected)
{
  g_clear_pointer (&collected->paths, g_ptr_array_unref);
  g_clear_pointer (&collected->stats, g_array_unref);
}

static void
collect (HearthInventory *inventory,
         gint64           folder_id,
         guint            stop_after,
         Collected       *out)
{
  g_autoptr(GError) error = NULL;

  out->paths = g_ptr_array_new_with_free_func (g_free);
  out->stats = g_array_new (FALSE, FALSE, sizeof (HearthFileStat));
  out->stop_after = stop_after;
  hearth_inventory_foreach_file (inventory, folder_id, collect_cb, out, &error);
  g_assert_no_error (error);
}

static void
test_files_update_delete_revive (Fixture       *fixture,
                                 gconstpointer  data)
{
  static const guint32 lengths_a[] = { 100, 200 };
  static const guint32 lengths_b[] = { 50 };
  g_autoptr(HearthInventory) inventory = open_inventory (fixture->path);
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthFolder) folder = hearth_inventory_add_folder (inventory, "/data", &error);
  g_autoptr(HearthFolder) other = hearth_inventory_add_folder (inventory, "/other", &error);
  g_autoptr(HearthFileDescriptor) a = make_descriptor (lengths_a, 2, 1);
  g_autoptr(HearthFileDescriptor) b = make_descriptor (lengths_b, 1, 2);
  HearthFileStat stat_a = make_stat (HEARTH_FILE_TYPE_REGULAR, 300, 100);
  HearthFileStat stat_b = make_stat (HEARTH_FILE_TYPE_REGULAR, 50, 200);
  HearthFileStat stat_dir = make_stat (HEARTH_FILE_TYPE_DIRECTORY, 0, 300);
  Collected collected = { 0 };

  g_assert_no_error (error);

  hearth_inventory_put_file (inventory, folder->id, "b.txt", &stat_a, NULL, a, 1, &error);
  g_assert_no_error (error);
  hearth_inventory_put_file (inventory, folder->id, "a", &stat_dir, NULL, NULL, 1, &error);
  g_assert_no_error (error);
  hearth_inventory_put_file (inventory, folder->id, "a/c", &stat_a, NULL, a, 1, &error);
  g_assert_no_error (error);
  hearth_inventory_put_file (inventory, other->id, "b.txt", &stat_b, NULL, b, 1, &error);
  g_assert_no_error (error);

  /* in byte order, only this folder's */
  collect (inventory, folder->id, 0, &collected);
  g_assert_cmpuint (collected.paths->len, ==, 3);
  g_assert_cmpstr (collected.paths->pdata[0], ==, "a");
  g_assert_cmpstr (collected.paths->pdata[1], ==, "a/c");
  g_assert_cmpstr (collected.paths->pdata[2], ==, "b.txt");
  assert_stat_equal (&g_array_index (collected.stats, HearthFileStat, 0), &stat_dir);
  assert_stat_equal (&g_array_index (collected.stats, HearthFileStat, 2), &stat_a);
  collected_clear (&collected);

  /* returning FALSE stops the walk */
  collect (inventory, folder->id, 2, &collected);
  g_assert_cmpuint (collected.paths->len, ==, 2);
  collected_clear (&collected);

  /* Update in place: the same row, new metadata and content. */
  hearth_inventory_put_file (inventory, folder->id, "b.txt", &stat_b, NULL, b, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpint (query_int (_hearth_inventory_get_db (inventory), "SELECT count(*) FROM files"), ==, 4);
  {
    g_autoptr(HearthInventoryFile) file = hearth_inventory_get_file (inventory, folder->id, "b.txt", &error);

    g_assert_no_error (error);
    assert_stat_equal (&file->stat, &stat_b);
    assert_descriptors_equal (file->descriptor, b);
    g_assert_cmpint (file->scanned_ns, ==, 2);
  }

  /* A file that became a symlink loses its chunks. */
  {
    HearthFileStat stat_link = make_stat (HEARTH_FILE_TYPE_SYMLINK, 3, 400);
    g_autoptr(HearthInventoryFile) file = NULL;

    hearth_inventory_put_file (inventory, folder->id, "a/c", &stat_link, "b.t", NULL, 3, &error);
    g_assert_no_error (error);
    file = hearth_inventory_get_file (inventory, folder->id, "a/c", &error);
    g_assert_no_error (error);
    g_assert_null (file->descriptor);
    g_assert_cmpstr (file->symlink_target, ==, "b.t");
  }

  /* Deleted: kept, but skipped by the walk and the count. */
  hearth_inventory_mark_deleted (inventory, folder->id, "b.txt", 5000, &error);
  g_assert_no_error (error);
  hearth_inventory_mark_deleted (inventory, folder->id, "b.txt", 6000, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hearth_inventory_count_files (inventory, folder->id, &error), ==, 2);
  g_assert_cmpint (hearth_inventory_count_files (inventory, 0, &error), ==, 3);
  collect (inventory, folder->id, 0, &collected);
  g_assert_cmpuint (collected.paths->len, ==, 2);
  g_assert_cmpstr (collected.paths->pdata[0], ==, "a");
  g_assert_cmpstr (collected.paths->pdata[1], ==, "a/c");
  collected_clear (&collected);
  {
    g_autoptr(HearthInventoryFile) file = hearth_inventory_get_file (inventory, folder->id, "b.txt", &error);

    g_assert_no_error (error);
    g_assert_cmpint (file->deleted_ns, ==, 5000);
    assert_stat_equal (&file->stat, &stat_b);
    assert_descriptors_equal (file->descriptor, b);
  }

  /* the same name in the other folder is untouched */
  {
    g_autoptr(HearthInventoryFile) file = hearth_inventory_get_file (inventory, other->id, "b.txt", &error);

    g_assert_no_error (error);
    g_assert_cmpint (file->deleted_ns, ==, 0);
  }

  g_assert_false (hearth_inventory_mark_deleted (inventory, folder->id, "nope", 1, &error));
  g_assert_error (error, HEARTH_INVENTORY_ERROR, HEARTH_INVENTORY_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Revived by putting it again. */
  hearth_inventory_put_file (inventory, folder->id, "b.txt", &stat_a, NULL, a, 7, &error);
  g_assert_no_error (error);
  {
    g_autoptr(HearthInventoryFile) file = hearth_inventory_get_file (inventory, folder->id, "b.txt", &error);

    g_assert_no_error (error);
    g_assert_cmpint (file->deleted_ns, ==, 0);
    g_assert_cmpint (file->scanned_ns, ==, 7);
    assert_descriptors_equal (file->descriptor, a);
  }
  collect (inventory, folder->id, 0, &collected);
  g_assert_cmpuint (collected.paths->len, ==, 3);
  collected_clear (&collected);

  /* a folder that does not exist has nothing */
  collect (inventory, 12345, 0, &collected);
  g_assert_cmpuint (collected.paths->len, ==, 0);
  collected_clear (&collected);
  g_assert_cmpint (hearth_inventory_count_files (inventory, 12345, &error), ==, 0);
  g_assert_no_error (error);
}

typedef struct
{
  guint   count;
  gint64  mtime_sum;
  char   *last;
  gboolean ordered;
} WalkCheck;

static gboolean
walk_check_cb (const char           *path,
               const HearthFileStat *stat,
               gpointer              user_data)
{
  WalkCheck *check = user_data;

  if (check->last != NULL && strcmp (check->last, path) >= 0)
    check->ordered = FALSE;
  g_free (check->last);
  check->last = g_strdup (path);
  check->count++;
  check->mtime_sum += stat->mtime_ns - MANY_BASE_NS;
  return TRUE;
}

static void
test_files_many (Fixture       *fixture,
                 gconstpointer  data)
{
  static const guint32 lengths[] = { 4096 };
  g_autoptr(HearthInventory) inventory = open_inventory (fixture->path);
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthFolder) folder = hearth_inventory_add_folder (inventory, "/data", &error);
  g_autoptr(HearthFileDescriptor) descriptor = make_descriptor (lengths, 1, 5);
  g_autoptr(GTimer) timer = g_timer_new ();
  WalkCheck check = { 0, 0, NULL, TRUE };
  gint64 expected_sum = 0;
  double put_s, walk_s;

  g_assert_no_error (error);

  hearth_inventory_begin (inventory, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < N_MANY; i++)
    {
      char path[64];
      HearthFileStat stat = make_stat (HEARTH_FILE_TYPE_REGULAR, 4096, MANY_BASE_NS + i);

      /* written out of order, to see the walk sort them */
      g_snprintf (path, sizeof path, "dir-%02u/photo-%06u.jpg", i % 37, (i * 7919) % N_MANY);
      hearth_inventory_put_file (inventory, folder->id, path, &stat, NULL, descriptor, 1, &error);
      g_assert_no_error (error);
      expected_sum += i;
    }
  hearth_inventory_commit (inventory, &error);
  g_assert_no_error (error);
  put_s = g_timer_elapsed (timer, NULL);

  /* twice: the second is the warm-cache rescan */
  for (guint round = 0; round < 2; round++)
    {
      check.count = 0;
      check.mtime_sum = 0;
      check.ordered = TRUE;
      g_clear_pointer (&check.last, g_free);
      g_timer_start (timer);
      hearth_inventory_foreach_file (inventory, folder->id, walk_check_cb, &check, &error);
      g_assert_no_error (error);
      walk_s = g_timer_elapsed (timer, NULL);
      g_test_message ("walked %u files in %.1f ms", check.count, walk_s * 1000);
    }
  g_test_message ("put %u files in one transaction in %.1f ms", N_MANY, put_s * 1000);

  g_assert_cmpuint (check.count, ==, N_MANY);
  g_assert_cmpint (check.mtime_sum, ==, expected_sum);
  g_assert_true (check.ordered);
  g_free (check.last);

  g_assert_cmpint (hearth_inventory_count_files (inventory, folder->id, &error), ==, N_MANY);
  g_assert_no_error (error);

  /* and removing the folder takes them all */
  hearth_inventory_remove_folder (inventory, folder->id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hearth_inventory_count_files (inventory, 0, &error), ==, 0);
}

static void
test_server_chunks (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(HearthInventory) inventory = open_inventory (fixture->path);
  g_autoptr(GError) error = NULL;
  HearthChunkId ids[300];
  HearthChunkId absent;
  gboolean has = TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    hearth_sha256_digest (&i, sizeof i, &ids[i]);
  hearth_sha256_digest ("absent", 6, &absent);

  /* outside a transaction: all at once */
  hearth_inventory_add_server_chunks (inventory, ids, 100, &error);
  g_assert_no_error (error);

  hearth_inventory_begin (inventory, &error);
  g_assert_no_error (error);
  /* overlapping the first batch: duplicates are fine */
  hearth_inventory_add_server_chunks (inventory, ids + 50, 250, &error);
  g_assert_no_error (error);
  hearth_inventory_add_server_chunks (inventory, ids, 0, &error);
  g_assert_no_error (error);
  hearth_inventory_commit (inventory, &error);
  g_assert_no_error (error);

  g_assert_cmpint (query_int (_hearth_inventory_get_db (inventory), "SELECT count(*) FROM server_chunks"), ==, 300);

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      has = FALSE;
      hearth_inventory_has_server_chunk (inventory, &ids[i], &has, &error);
      g_assert_no_error (error);
      g_assert_true (has);
    }
  hearth_inventory_has_server_chunk (inventory, &absent, &has, &error);
  g_assert_no_error (error);
  g_assert_false (has);

  hearth_inventory_forget_server_chunks (inventory, &error);
  g_assert_no_error (error);
  has = TRUE;
  hearth_inventory_has_server_chunk (inventory, &ids[7], &has, &error);
  g_assert_no_error (error);
  g_assert_false (has);
}

static void
test_transactions (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(HearthInventory) inventory = open_inventory (fixture->path);
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthFolder) folder = hearth_inventory_add_folder (inventory, "/data", &error);
  g_autoptr(HearthFolder) gone = NULL;
  HearthFileStat stat = make_stat (HEARTH_FILE_TYPE_DIRECTORY, 0, 1);
  HearthChunkId id;
  gboolean has = TRUE;

  g_assert_no_error (error);
  hearth_sha256_digest ("x", 1, &id);

  hearth_inventory_begin (inventory, &error);
  g_assert_no_error (error);
  gone = hearth_inventory_add_folder (inventory, "/gone", &error);
  g_assert_no_error (error);
  put_sample_files (inventory, folder->id, 20);
  hearth_inventory_add_server_chunks (inventory, &id, 1, &error);
  g_assert_no_error (error);
  hearth_inventory_mark_deleted (inventory, folder->id, "dir/file-00000", 9, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hearth_inventory_count_files (inventory, folder->id, &error), ==, 19);
  hearth_inventory_rollback (inventory);

  g_assert_cmpint (hearth_inventory_count_files (inventory, 0, &error), ==, 0);
  g_assert_no_error (error);
  hearth_inventory_has_server_chunk (inventory, &id, &has, &error);
  g_assert_no_error (error);
  g_assert_false (has);
  g_clear_pointer (&gone, hearth_folder_free);
  gone = hearth_inventory_find_folder (inventory, "/gone", &error);
  g_assert_error (error, HEARTH_INVENTORY_ERROR, HEARTH_INVENTORY_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* rollback without a transaction does nothing */
  hearth_inventory_rollback (inventory);

  /* committed data is seen by another connection */
  hearth_inventory_begin (inventory, &error);
  g_assert_no_error (error);
  hearth_inventory_put_file (inventory, folder->id, "kept", &stat, NULL, NULL, 1, &error);
  g_assert_no_error (error);
  hearth_inventory_commit (inventory, &error);
  g_assert_no_error (error);

  {
    g_autoptr(HearthInventory) second = open_inventory (fixture->path);

    g_assert_cmpint (hearth_inventory_count_files (second, folder->id, &error), ==, 1);
    g_assert_no_error (error);
  }

  /* A commit that fails leaves no transaction open. Deferring the foreign
   * key check moves the failure from the write to COMMIT, which SQLite
   * would leave open for a retry. */
  hearth_inventory_begin (inventory, &error);
  g_assert_no_error (error);
  exec_sql (_hearth_inventory_get_db (inventory), "PRAGMA defer_foreign_keys = ON");
  hearth_inventory_put_file (inventory, folder->id, "doomed", &stat, NULL, NULL, 1, &error);
  g_assert_no_error (error);
  hearth_inventory_put_file (inventory, folder->id + 100, "orphan", &stat, NULL, NULL, 1, &error);
  g_assert_no_error (error);
  g_assert_false (hearth_inventory_commit (inventory, &error));
  g_assert_error (error, HEARTH_INVENTORY_ERROR, HEARTH_INVENTORY_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_true (sqlite3_get_autocommit (_hearth_inventory_get_db (inventory)));
  g_assert_cmpint (hearth_inventory_count_files (inventory, 0, &error), ==, 1);
  hearth_inventory_begin (inventory, &error);
  g_assert_no_error (error);
  hearth_inventory_rollback (inventory);
}

/* Two connections: while one holds the write lock, the other's writes
 * wait out the busy timeout and fail with BUSY; reads go on (WAL). */
static void
test_busy (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(HearthInventory) first = open_inventory (fixture->path);
  g_autoptr(HearthInventory) second = open_inventory (fixture->path);
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthFolder) folder = hearth_inventory_add_folder (first, "/data", &error);
  g_autoptr(HearthFolder) blocked = NULL;

  g_assert_no_error (error);
  sqlite3_busy_timeout (_hearth_inventory_get_db (second), 20);

  hearth_inventory_begin (first, &error);
  g_assert_no_error (error);

  g_assert_false (hearth_inventory_begin (second, &error));
  g_assert_error (error, HEARTH_INVENTORY_ERROR, HEARTH_INVENTORY_ERROR_BUSY);
  g_clear_error (&error);

  blocked = hearth_inventory_add_folder (second, "/other", &error);
  g_assert_null (blocked);
  g_assert_error (error, HEARTH_INVENTORY_ERROR, HEARTH_INVENTORY_ERROR_BUSY);
  g_clear_error (&error);

  g_assert_cmpint (hearth_inventory_count_files (second, 0, &error), ==, 0);
  g_assert_no_error (error);

  hearth_inventory_commit (first, &error);
  g_assert_no_error (error);

  blocked = hearth_inventory_add_folder (second, "/other", &error);
  g_assert_no_error (error);
}

static guint
count_statements (sqlite3  *db,
                  guint    *n_busy)
{
  guint n = 0;

  *n_busy = 0;
  for (sqlite3_stmt *stmt = sqlite3_next_stmt (db, NULL); stmt != NULL; stmt = sqlite3_next_stmt (db, stmt))
    {
      n++;
      if (sqlite3_stmt_busy (stmt))
        (*n_busy)++;
    }
  return n;
}

static gboolean
stop_at_once_cb (const char           *path,
                 const HearthFileStat *stat,
                 gpointer              user_data)
{
  return FALSE;
}

static void
run_workload (HearthInventory *inventory,
              gint64           folder_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthInventoryFile) file = NULL;
  g_autoptr(HearthFolder) folder = NULL;
  HearthChunkId id;
  gboolean has;

  hearth_sha256_digest ("y", 1, &id);
  hearth_inventory_begin (inventory, &error);
  g_assert_no_error (error);
  put_sample_files (inventory, folder_id, 5);
  hearth_inventory_add_server_chunks (inventory, &id, 1, &error);
  g_assert_no_error (error);
  hearth_inventory_commit (inventory, &error);
  g_assert_no_error (error);
  file = hearth_inventory_get_file (inventory, folder_id, "dir/file-00001", &error);
  g_assert_no_error (error);
  folder = hearth_inventory_get_folder (inventory, folder_id, &error);
  g_assert_no_error (error);
  hearth_inventory_has_server_chunk (inventory, &id, &has, &error);
  g_assert_no_error (error);
  /* a walk stopped early must not leave its statement running */
  hearth_inventory_foreach_file (inventory, folder_id, stop_at_once_cb, NULL, &error);
  g_assert_no_error (error);
}

/* Each kind of statement is prepared once and reused, and none is left
 * running (a running statement would hold a read snapshot open and keep
 * the WAL from being checkpointed). */
static void
test_statements_reused (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(HearthInventory) inventory = open_inventory (fixture->path);
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthFolder) folder = hearth_inventory_add_folder (inventory, "/data", &error);
  sqlite3 *db = _hearth_inventory_get_db (inventory);
  guint n_first, n_second, n_busy;

  g_assert_no_error (error);

  run_workload (inventory, folder->id);
  n_first = count_statements (db, &n_busy);
  g_assert_cmpuint (n_busy, ==, 0);
  g_assert_cmpuint (n_first, >=, 8);

  run_workload (inventory, folder->id);
  n_second = count_statements (db, &n_busy);
  g_assert_cmpuint (n_busy, ==, 0);
  g_assert_cmpuint (n_second, ==, n_first);
}

/* The scanner's pattern: open on one thread, use on a worker, back. */
static gpointer
worker_thread (gpointer data)
{
  HearthInventory *inventory = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthFolder) folder = hearth_inventory_find_folder (inventory, "/data", &error);

  g_assert_no_error (error);
  hearth_inventory_begin (inventory, &error);
  g_assert_no_error (error);
  put_sample_files (inventory, folder->id, 100);
  hearth_inventory_commit (inventory, &error);
  g_assert_no_error (error);
  return NULL;
}

static void
test_worker_thread (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(HearthInventory) inventory = open_inventory (fixture->path);
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthFolder) folder = hearth_inventory_add_folder (inventory, "/data", &error);
  GThread *thread;

  g_assert_no_error (error);
  thread = g_thread_new ("inventory-worker", worker_thread, inventory);
  g_thread_join (thread);

  g_assert_cmpint (hearth_inventory_count_files (inventory, folder->id, &error), ==, 100);
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  TEST_ADD ("/inventory/open/fresh", test_open_fresh);
  TEST_ADD ("/inventory/open/missing-dir", test_open_missing_dir);
  TEST_ADD ("/inventory/open/reopen", test_open_reopen);
  TEST_ADD ("/inventory/open/wal-kept", test_open_wal_kept);
  TEST_ADD ("/inventory/open/stale-wal", test_open_stale_wal);
  TEST_ADD ("/inventory/migrate/from-v0", test_migrate_from_v0);
  TEST_ADD ("/inventory/migrate/appended-step", test_migrate_appended_step);
  TEST_ADD ("/inventory/migrate/failure-fresh", test_migrate_failure_fresh);
  TEST_ADD ("/inventory/migrate/orphan-rows", test_migrate_orphan_rows);
  TEST_ADD ("/inventory/migrate/too-new", test_too_new);
  TEST_ADD ("/inventory/migrate/too-new-with-wal", test_too_new_with_wal);
  TEST_ADD ("/inventory/corrupt/negative-version", test_negative_version);
  TEST_ADD ("/inventory/corrupt/foreign-database", test_foreign_database);
  TEST_ADD ("/inventory/corrupt/random", test_corrupt_random);
  TEST_ADD ("/inventory/corrupt/text", test_corrupt_text);
  TEST_ADD ("/inventory/corrupt/truncated", test_corrupt_truncated);
  TEST_ADD ("/inventory/corrupt/damaged-page", test_corrupt_damaged_page);
  TEST_ADD ("/inventory/corrupt/entries", test_corrupt_entries);
  TEST_ADD ("/inventory/corrupt/entry-in-walk", test_corrupt_entry_in_walk);
  TEST_ADD ("/inventory/folders", test_folders);
  TEST_ADD ("/inventory/folders/mount-point", test_folders_mount_point);
  TEST_ADD ("/inventory/files/round-trip", test_files_round_trip);
  TEST_ADD ("/inventory/files/update-delete-revive", test_files_update_delete_revive);
  TEST_ADD ("/inventory/files/many", test_files_many);
  TEST_ADD ("/inventory/server-chunks", test_server_chunks);
  TEST_ADD ("/inventory/transactions", test_transactions);
  TEST_ADD ("/inventory/busy", test_busy);
  TEST_ADD ("/inventory/statements-reused", test_statements_reused);
  TEST_ADD ("/inventory/worker-thread", test_worker_thread);

  return g_test_run ();
}
