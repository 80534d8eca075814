/* test-inventory-schema.c
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
#include "hearth-test-util.h"
#include "inventory-test-util.h"

#define HEARTH_APPLICATION_ID 0x48525448

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

  return g_test_run ();
}
