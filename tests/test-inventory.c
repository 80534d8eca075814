/* test-inventory.c
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <sqlite3.h>
#include <string.h>

#include "hearth-inventory.h"
#include "hearth-inventory-private.h"
#include "hearth-sha256.h"
#include "inventory-test-util.h"

#define N_MANY       50000
#define MANY_BASE_NS G_GINT64_CONSTANT (1700000000000000000)

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
