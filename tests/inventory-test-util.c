/* inventory-test-util.c
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "hearth-sha256.h"
#include "hearth-test-util.h"
#include "inventory-test-util.h"

void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->dir = hearth_test_make_tmpdir ();
  fixture->path = g_build_filename (fixture->dir, "inventory.db", NULL);
}

void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  hearth_test_rm_rf (fixture->dir);
  g_clear_pointer (&fixture->dir, g_free);
  g_clear_pointer (&fixture->path, g_free);
}

HearthInventory *
open_inventory (const char *path)
{
  g_autoptr(GError) error = NULL;
  HearthInventory *inventory = hearth_inventory_open (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (inventory);
  return inventory;
}

sqlite3 *
open_raw (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  return db;
}

void
exec_sql (sqlite3    *db,
          const char *sql)
{
  char *message = NULL;
  int rc = sqlite3_exec (db, sql, NULL, NULL, &message);

  if (rc != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

/* Runs a query returning one integer on a connection of the test's own. */
gint64
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

char *
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

GBytes *
read_bytes (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

HearthFileStat
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
HearthFileDescriptor *
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

void
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

void
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
