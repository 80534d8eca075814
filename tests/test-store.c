/* test-store.c
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "HearthTest"

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "hearth-chunker.h"
#include "hearth-pack.h"
#include "hearth-sha256.h"
#include "hearth-store.h"
#include "hearth-store-private.h"
#include "hearth-test-util.h"

#define KiB 1024
#define MiB (1024 * 1024)

/* Owns the bytes of a few chunks, with their true IDs. */
typedef struct
{
  GPtrArray        *buffers;
  GArray           *chunks;   /* (element-type HearthStoreChunk) */
} ChunkSet;

static ChunkSet *
chunk_set_new (void)
{
  ChunkSet *set = g_new0 (ChunkSet, 1);

  set->buffers = g_ptr_array_new_with_free_func (g_free);
  set->chunks = g_array_new (FALSE, TRUE, sizeof (HearthStoreChunk));
  return set;
}

static void
chunk_set_free (ChunkSet *set)
{
  g_ptr_array_unref (set->buffers);
  g_array_unref (set->chunks);
  g_free (set);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChunkSet, chunk_set_free)

/* Takes @data. */
static const HearthStoreChunk *
chunk_set_add (ChunkSet *set,
               guint8   *data,
               gsize     len)
{
  HearthStoreChunk chunk = { .data = data, .len = len };

  hearth_sha256_digest (data, len, &chunk.id);
  g_ptr_array_add (set->buffers, data);
  g_array_append_val (set->chunks, chunk);
  return &g_array_index (set->chunks, HearthStoreChunk, set->chunks->len - 1);
}

static void
chunk_set_add_random (ChunkSet *set,
                      gsize     len,
                      guint64   seed)
{
  chunk_set_add (set, hearth_test_random_bytes (len, seed), len);
}

/* Text-like bytes that zstd shrinks a lot. */
static void
chunk_set_add_compressible (ChunkSet *set,
                            gsize     len,
                            guint64   seed)
{
  static const char words[] = "hearth family backup chunk store pack index ";
  guint8 *data = g_malloc (len + 1);
  HearthTestRng rng;

  hearth_test_rng_init (&rng, seed);
  for (gsize i = 0; i < len; i++)
    data[i] = (guint8) words[(i + (hearth_test_rng_next (&rng) % 3 == 0)) % (sizeof words - 1)];

  chunk_set_add (set, data, len);
}

static HearthStoreChunk *
chunk_set_get (ChunkSet *set,
               guint     i)
{
  return &g_array_index (set->chunks, HearthStoreChunk, i);
}

static void
put_all (HearthStore       *store,
         ChunkSet          *set,
         HearthStoreResult  expected)
{
  g_autofree HearthStoreResult *results = g_new0 (HearthStoreResult, set->chunks->len);
  g_autoptr(GError) error = NULL;

  g_assert_true (hearth_store_put_chunks (store, (const HearthStoreChunk *) set->chunks->data,
                                          set->chunks->len, results, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < set->chunks->len; i++)
    g_assert_cmpint (results[i], ==, expected);
}

static void
assert_has_all (HearthStore *store,
                ChunkSet    *set)
{
  for (guint i = 0; i < set->chunks->len; i++)
    {
      HearthStoreChunk *chunk = chunk_set_get (set, i);
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = hearth_store_read_chunk (store, &chunk->id, &error);

      g_assert_no_error (error);
      g_assert_nonnull (bytes);
      g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                       chunk->data, chunk->len);
    }
}

static HearthStoreStats
get_stats (HearthStore *store)
{
  g_autoptr(GError) error = NULL;
  HearthStoreStats stats = { 0 };

  g_assert_true (hearth_store_get_stats (store, &stats, &error));
  g_assert_no_error (error);
  return stats;
}

static HearthStore *
open_store (const char *dir)
{
  g_autoptr(GError) error = NULL;
  HearthStore *store = hearth_store_open (dir, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

static void
close_store (HearthStore *store)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (hearth_store_close (store, &error));
  g_assert_no_error (error);
  g_object_unref (store);
}

static guint64
file_size (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return (guint64) st.st_size;
}

static HearthStoreCheckReport *
run_check (HearthStore *store,
           gboolean     read_data)
{
  g_autoptr(GError) error = NULL;
  HearthStoreCheckReport *report = NULL;

  g_assert_true (hearth_store_check (store, read_data, &report, &error));
  g_assert_no_error (error);
  g_assert_nonnull (report);
  return report;
}

static void
test_round_trip (void)
{
  g_autofree char *dir = hearth_test_make_tmpdir ();
  g_autoptr(HearthStore) store = open_store (dir);
  g_autoptr(ChunkSet) set = chunk_set_new ();
  g_autofree char *packs = g_build_filename (dir, "packs", NULL);
  HearthStoreStats stats;
  GStatBuf st;

  chunk_set_add_compressible (set, MiB, 1);
  chunk_set_add_random (set, MiB, 2);
  chunk_set_add_random (set, 100, 3);
  chunk_set_add (set, g_malloc (1), 0);   /* empty: allowed, see docs/store.md */

  put_all (store, set, HEARTH_STORE_RESULT_STORED);
  assert_has_all (store, set);

  for (guint i = 0; i < set->chunks->len; i++)
    {
      gboolean has = FALSE;

      g_assert_true (hearth_store_has_chunk (store, &chunk_set_get (set, i)->id, &has, NULL));
      g_assert_true (has);
    }

  stats = get_stats (store);
  g_assert_cmpuint (stats.n_chunks, ==, 4);
  g_assert_cmpuint (stats.n_packs, ==, 1);
  g_assert_cmpuint (stats.raw_bytes, ==, 2 * MiB + 100);
  /* The compressible chunk shrank; the random ones were stored raw. */
  g_assert_cmpuint (stats.stored_bytes, <, MiB + 100 + MiB / 2);
  g_assert_cmpuint (stats.stored_bytes, >, MiB + 100);

  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_cmpint (g_stat (packs, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);

  g_clear_object (&store);
  hearth_test_rm_rf (dir);
}

static void
test_not_found (void)
{
  g_autofree char *dir = hearth_test_make_tmpdir ();
  g_autoptr(HearthStore) store = open_store (dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  HearthChunkId id;
  gboolean has = TRUE;

  hearth_sha256_digest ("nothing", 7, &id);
  g_assert_true (hearth_store_has_chunk (store, &id, &has, &error));
  g_assert_false (has);

  bytes = hearth_store_read_chunk (store, &id, &error);
  g_assert_error (error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_NOT_FOUND);
  g_assert_null (bytes);

  g_clear_object (&store);
  hearth_test_rm_rf (dir);
}

static void
test_duplicates (void)
{
  g_autofree char *dir = hearth_test_make_tmpdir ();
  g_autoptr(HearthStore) store = open_store (dir);
  g_autoptr(ChunkSet) set = chunk_set_new ();
  g_autofree char *pack = _hearth_store_dup_pack_path (store, 1);
  HearthStoreChunk twice[3];
  HearthStoreResult results[3];
  HearthStoreStats before, after;
  guint64 size;

  chunk_set_add_random (set, 300 * KiB, 10);
  chunk_set_add_compressible (set, 200 * KiB, 11);

  /* The same chunk twice in one call: stored once. */
  twice[0] = *chunk_set_get (set, 0);
  twice[1] = *chunk_set_get (set, 1);
  twice[2] = *chunk_set_get (set, 0);
  g_assert_true (hearth_store_put_chunks (store, twice, 3, results, NULL));
  g_assert_cmpint (results[0], ==, HEARTH_STORE_RESULT_STORED);
  g_assert_cmpint (results[1], ==, HEARTH_STORE_RESULT_STORED);
  g_assert_cmpint (results[2], ==, HEARTH_STORE_RESULT_ALREADY);

  before = get_stats (store);
  size = file_size (pack);
  g_assert_cmpuint (before.n_chunks, ==, 2);

  put_all (store, set, HEARTH_STORE_RESULT_ALREADY);

  after = get_stats (store);
  g_assert_cmpuint (after.n_chunks, ==, before.n_chunks);
  g_assert_cmpuint (after.stored_bytes, ==, before.stored_bytes);
  g_assert_cmpuint (file_size (pack), ==, size);
  assert_has_all (store, set);

  g_clear_object (&store);
  hearth_test_rm_rf (dir);
}

static void
test_bad_hash (void)
{
  g_autofree char *dir = hearth_test_make_tmpdir ();
  g_autoptr(HearthStore) store = open_store (dir);
  g_autoptr(ChunkSet) set = chunk_set_new ();
  HearthStoreResult results[3];
  HearthStoreChunk chunks[3];
  gboolean has = TRUE;

  chunk_set_add_random (set, 64 * KiB, 20);
  chunk_set_add_random (set, 64 * KiB, 21);

  /* Right bytes under another chunk's ID, a flipped ID, and a good one. */
  chunks[0] = *chunk_set_get (set, 0);
  chunks[0].id = chunk_set_get (set, 1)->id;
  chunks[1] = *chunk_set_get (set, 0);
  chunks[1].id.bytes[31] ^= 1;
  chunks[2] = *chunk_set_get (set, 0);

  g_assert_true (hearth_store_put_chunks (store, chunks, 3, results, NULL));
  g_assert_cmpint (results[0], ==, HEARTH_STORE_RESULT_BAD_HASH);
  g_assert_cmpint (results[1], ==, HEARTH_STORE_RESULT_BAD_HASH);
  g_assert_cmpint (results[2], ==, HEARTH_STORE_RESULT_STORED);

  g_assert_true (hearth_store_has_chunk (store, &chunks[0].id, &has, NULL));
  g_assert_false (has);
  g_assert_true (hearth_store_has_chunk (store, &chunks[1].id, &has, NULL));
  g_assert_false (has);
  g_assert_cmpuint (get_stats (store).n_chunks, ==, 1);
  g_assert_cmpuint (get_stats (store).raw_bytes, ==, 64 * KiB);

  g_clear_object (&store);
  hearth_test_rm_rf (dir);
}

static void
test_too_large (void)
{
  g_autofree char *dir = hearth_test_make_tmpdir ();
  g_autoptr(HearthStore) store = open_store (dir);
  g_autoptr(ChunkSet) set = chunk_set_new ();
  HearthStoreResult results[2];
  gboolean has = TRUE;

  chunk_set_add_random (set, HEARTH_CHUNK_SIZE_MAX + 1, 30);
  chunk_set_add_random (set, HEARTH_CHUNK_SIZE_MAX, 31);

  g_assert_true (hearth_store_put_chunks (store, (HearthStoreChunk *) set->chunks->data, 2, results, NULL));
  g_assert_cmpint (results[0], ==, HEARTH_STORE_RESULT_TOO_LARGE);
  g_assert_cmpint (results[1], ==, HEARTH_STORE_RESULT_STORED);

  g_assert_true (hearth_store_has_chunk (store, &chunk_set_get (set, 0)->id, &has, NULL));
  g_assert_false (has);
  g_assert_cmpuint (get_stats (store).n_chunks, ==, 1);

  g_clear_object (&store);
  hearth_test_rm_rf (dir);
}

static GArray *
read_trailer (const char *path)
{
  g_autoptr(HearthPackReader) reader = NULL;
  g_autoptr(GError) error = NULL;
  GArray *entries = NULL;

  reader = hearth_pack_reader_open (path, "test.pack", &error);
  g_assert_no_error (error);
  g_assert_true (hearth_pack_reader_read_trailer (reader, &entries, &error));
  g_assert_no_error (error);
  return entries;
}

static void
test_rollover_and_reopen (void)
{
  g_autofree char *dir = hearth_test_make_tmpdir ();
  g_autoptr(ChunkSet) set = chunk_set_new ();
  g_autoptr(ChunkSet) more = chunk_set_new ();
  HearthStore *store = open_store (dir);
  HearthStoreStats stats;
  guint n_entries = 0;

  /* Three 100 KiB records fit under 350 KiB, a fourth does not. */
  _hearth_store_set_pack_target_size (store, 350 * KiB);
  for (guint i = 0; i < 10; i++)
    chunk_set_add_random (set, 100 * KiB, 40 + i);

  put_all (store, set, HEARTH_STORE_RESULT_STORED);
  stats = get_stats (store);
  g_assert_cmpuint (stats.n_packs, ==, 4);
  g_assert_cmpuint (stats.n_chunks, ==, 10);
  assert_has_all (store, set);

  /* The full packs are sealed; the fourth is not until closing. */
  for (guint32 pack = 1; pack <= 3; pack++)
    {
      g_autofree char *path = _hearth_store_dup_pack_path (store, pack);
      g_autoptr(GArray) entries = read_trailer (path);

      g_assert_nonnull (entries);
      g_assert_cmpuint (entries->len, ==, 3);
      g_assert_cmpuint (file_size (path), <=, 350 * KiB + HEARTH_PACK_FOOTER_SIZE + 3 * HEARTH_PACK_INDEX_ENTRY_SIZE);
      n_entries += entries->len;
    }
  {
    g_autofree char *path = _hearth_store_dup_pack_path (store, 4);
    g_autoptr(GArray) entries = read_trailer (path);

    g_assert_null (entries);
  }

  close_store (store);

  store = open_store (dir);
  {
    g_autofree char *path = _hearth_store_dup_pack_path (store, 4);
    g_autoptr(GArray) entries = read_trailer (path);

    g_assert_nonnull (entries);
    n_entries += entries->len;
  }
  g_assert_cmpuint (n_entries, ==, 10);

  stats = get_stats (store);
  g_assert_cmpuint (stats.n_chunks, ==, 10);
  assert_has_all (store, set);
  put_all (store, set, HEARTH_STORE_RESULT_ALREADY);

  /* New chunks after reopening go to a new pack. */
  chunk_set_add_random (more, 10 * KiB, 60);
  put_all (store, more, HEARTH_STORE_RESULT_STORED);
  g_assert_cmpuint (get_stats (store).n_packs, ==, 5);
  assert_has_all (store, more);

  {
    g_autoptr(HearthStoreCheckReport) report = run_check (store, TRUE);

    g_assert_cmpuint (report->n_chunks, ==, 11);
    g_assert_cmpuint (report->n_packs, ==, 5);
    g_assert_cmpuint (report->problems->len, ==, 0);
  }

  close_store (store);
  hearth_test_rm_rf (dir);
}

static void
flip_byte (const char *path,
           guint64     offset)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_cmpuint (offset, <, len);
  contents[offset] ^= 0x40;
  hearth_test_write_file (path, contents, len);
}

static void
truncate_file (const char *path,
               guint64     size)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_cmpuint (size, <=, len);
  hearth_test_write_file (path, contents, size);
}

static const HearthStoreProblem *
find_problem (HearthStoreCheckReport *report,
              HearthStoreProblemKind  kind)
{
  for (guint i = 0; i < report->problems->len; i++)
    {
      const HearthStoreProblem *problem = g_ptr_array_index (report->problems, i);

      if (problem->kind == kind)
        return problem;
    }

  return NULL;
}

static void
test_check_flipped_byte (void)
{
  g_autofree char *dir = hearth_test_make_tmpdir ();
  g_autoptr(ChunkSet) set = chunk_set_new ();
  g_autoptr(GArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *hex = NULL;
  g_autofree char *path = NULL;
  const HearthStoreProblem *problem;
  const HearthPackEntry *victim;
  HearthStore *store = open_store (dir);

  chunk_set_add_random (set, 200 * KiB, 70);
  chunk_set_add_compressible (set, 200 * KiB, 71);
  chunk_set_add_random (set, 200 * KiB, 72);
  put_all (store, set, HEARTH_STORE_RESULT_STORED);
  path = _hearth_store_dup_pack_path (store, 1);
  close_store (store);

  /* One bit in the middle of the second chunk's stored bytes. */
  entries = read_trailer (path);
  victim = &g_array_index (entries, HearthPackEntry, 1);
  g_assert_cmpint (victim->compression, ==, HEARTH_PACK_COMPRESSION_ZSTD);
  flip_byte (path, victim->offset + HEARTH_PACK_RECORD_HEADER_SIZE + victim->stored_len / 2);
  hex = hearth_chunk_id_dup_hex (&victim->id);

  store = open_store (dir);
  {
    g_autoptr(HearthStoreCheckReport) report = run_check (store, FALSE);

    /* Headers and trailer are intact: only reading the data finds it. */
    g_assert_cmpuint (report->problems->len, ==, 0);
  }
  {
    g_autoptr(HearthStoreCheckReport) report = run_check (store, TRUE);

    g_assert_cmpuint (report->n_chunks, ==, 3);
    g_assert_cmpuint (report->problems->len, ==, 1);
    problem = g_ptr_array_index (report->problems, 0);
    g_assert_cmpint (problem->kind, ==, HEARTH_STORE_PROBLEM_BAD_DATA);
    g_assert_cmpstr (problem->chunk_hex, ==, hex);
    g_assert_cmpstr (problem->pack, ==, "00000001.pack");
  }

  bytes = hearth_store_read_chunk (store, &victim->id, &error);
  g_assert_error (error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "00000001.pack"));
  g_assert_null (bytes);
  g_clear_error (&error);

  /* A flipped bit in a record header is found without reading data. */
  close_store (store);
  flip_byte (path, g_array_index (entries, HearthPackEntry, 2).offset + 40);
  store = open_store (dir);
  {
    g_autoptr(HearthStoreCheckReport) report = run_check (store, FALSE);

    problem = find_problem (report, HEARTH_STORE_PROBLEM_BAD_RECORD);
    g_assert_nonnull (problem);
    g_assert_cmpuint (report->problems->len, ==, 1);
  }
  close_store (store);

  hearth_test_rm_rf (dir);
}

static void
test_check_truncated_pack (void)
{
  g_autofree char *dir = hearth_test_make_tmpdir ();
  g_autoptr(ChunkSet) set = chunk_set_new ();
  g_autoptr(GArray) entries = NULL;
  g_autofree char *path = NULL;
  g_autofree char *missing = NULL;
  HearthStore *store = open_store (dir);

  for (guint i = 0; i < 4; i++)
    chunk_set_add_random (set, 100 * KiB, 80 + i);
  put_all (store, set, HEARTH_STORE_RESULT_STORED);
  path = _hearth_store_dup_pack_path (store, 1);
  close_store (store);

  /* Cut in the middle of the third record: two chunks lost, the trailer too. */
  entries = read_trailer (path);
  truncate_file (path, g_array_index (entries, HearthPackEntry, 2).offset + 1000);

  store = open_store (dir);
  {
    g_autoptr(HearthStoreCheckReport) report = run_check (store, FALSE);
    guint n_out = 0;

    for (guint i = 0; i < report->problems->len; i++)
      {
        const HearthStoreProblem *problem = g_ptr_array_index (report->problems, i);

        if (problem->kind == HEARTH_STORE_PROBLEM_OUT_OF_BOUNDS)
          n_out++;
      }
    g_assert_cmpuint (n_out, ==, 2);
    g_assert_nonnull (find_problem (report, HEARTH_STORE_PROBLEM_BAD_TRAILER));
    g_assert_cmpuint (report->problems->len, ==, 3);
  }

  /* A pack gone altogether. */
  missing = _hearth_store_dup_pack_path (store, 1);
  g_assert_cmpint (g_unlink (missing), ==, 0);
  {
    g_autoptr(HearthStoreCheckReport) report = run_check (store, TRUE);

    g_assert_nonnull (find_problem (report, HEARTH_STORE_PROBLEM_MISSING_PACK));
    g_assert_cmpuint (report->problems->len, ==, 5);
  }
  close_store (store);

  hearth_test_rm_rf (dir);
}

static void
copy_file (const char *from,
           const char *to)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (from, &contents, &len, NULL));
  hearth_test_write_file (to, contents, len);
}

/* What a crash would leave: the packs as they are on disk right now,
 * copied into @to_dir, without any index. */
static void
copy_packs (const char *from_dir,
            const char *to_dir)
{
  g_autofree char *from_packs = g_build_filename (from_dir, "packs", NULL);
  g_autofree char *to_packs = g_build_filename (to_dir, "packs", NULL);
  g_autoptr(GDir) dir = g_dir_open (from_packs, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  g_assert_cmpint (g_mkdir_with_parents (to_packs, 0700), ==, 0);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *from = g_build_filename (from_packs, name, NULL);
      g_autofree char *to = g_build_filename (to_packs, name, NULL);

      copy_file (from, to);
    }
}

static void
rebuild (HearthStore *store)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (hearth_store_rebuild_index (store, &error));
  g_assert_no_error (error);
}

static void
test_rebuild_index (void)
{
  g_autofree char *dir = hearth_test_make_tmpdir ();
  g_autofree char *crash_dir = hearth_test_make_tmpdir ();
  g_autofree char *db = g_build_filename (dir, "store.db", NULL);
  g_autoptr(ChunkSet) set = chunk_set_new ();
  HearthStore *store = open_store (dir);
  HearthStoreStats before, after;

  _hearth_store_set_pack_target_size (store, 350 * KiB);
  for (guint i = 0; i < 8; i++)
    {
      if (i % 2 == 0)
        chunk_set_add_random (set, 100 * KiB, 90 + i);
      else
        chunk_set_add_compressible (set, 300 * KiB, 90 + i);
    }
  put_all (store, set, HEARTH_STORE_RESULT_STORED);
  before = get_stats (store);
  g_assert_cmpuint (before.n_packs, >=, 3);

  /* Sealed packs and an unsealed last one, as a crash leaves them. */
  copy_packs (dir, crash_dir);
  close_store (store);

  /* All sealed, store.db deleted. */
  g_assert_cmpint (g_unlink (db), ==, 0);
  store = open_store (dir);
  g_assert_cmpuint (get_stats (store).n_chunks, ==, 0);
  rebuild (store);
  after = get_stats (store);
  g_assert_cmpuint (after.n_chunks, ==, before.n_chunks);
  g_assert_cmpuint (after.n_packs, ==, before.n_packs);
  g_assert_cmpuint (after.stored_bytes, ==, before.stored_bytes);
  g_assert_cmpuint (after.raw_bytes, ==, before.raw_bytes);
  assert_has_all (store, set);
  close_store (store);

  /* After the crash: the last pack has no trailer. */
  store = open_store (crash_dir);
  rebuild (store);
  after = get_stats (store);
  g_assert_cmpuint (after.n_chunks, ==, before.n_chunks);
  g_assert_cmpuint (after.raw_bytes, ==, before.raw_bytes);
  assert_has_all (store, set);
  {
    g_autoptr(HearthStoreCheckReport) report = run_check (store, TRUE);

    g_assert_cmpuint (report->problems->len, ==, 0);
  }

  /* A new pack never overwrites one the index did not know. */
  {
    g_autoptr(ChunkSet) more = chunk_set_new ();

    chunk_set_add_random (more, KiB, 99);
    put_all (store, more, HEARTH_STORE_RESULT_STORED);
    g_assert_cmpuint (get_stats (store).n_packs, ==, before.n_packs + 1);
  }
  close_store (store);

  hearth_test_rm_rf (dir);
  hearth_test_rm_rf (crash_dir);
}

static void
test_rebuild_torn_record (void)
{
  g_autofree char *dir = hearth_test_make_tmpdir ();
  g_autofree char *crash_dir = hearth_test_make_tmpdir ();
  g_autoptr(ChunkSet) set = chunk_set_new ();
  g_autofree char *pack = NULL;
  HearthStore *store = open_store (dir);
  const HearthStoreChunk *last;
  guint64 size;
  gboolean has = TRUE;

  for (guint i = 0; i < 4; i++)
    chunk_set_add_random (set, 50 * KiB, 100 + i);
  put_all (store, set, HEARTH_STORE_RESULT_STORED);
  copy_packs (dir, crash_dir);
  close_store (store);

  /* The last record's bytes only partly reached the disk. */
  pack = g_build_filename (crash_dir, "packs", "00000001.pack", NULL);
  size = file_size (pack);
  truncate_file (pack, size - 20 * KiB);

  store = open_store (crash_dir);
  rebuild (store);
  g_assert_cmpuint (get_stats (store).n_chunks, ==, 3);
  last = chunk_set_get (set, 3);
  g_assert_true (hearth_store_has_chunk (store, &last->id, &has, NULL));
  g_assert_false (has);
  g_array_set_size (set->chunks, 3);
  assert_has_all (store, set);
  close_store (store);

  /* Only part of a header: also ignored. */
  truncate_file (pack, HEARTH_PACK_HEADER_SIZE + 3 * (HEARTH_PACK_RECORD_HEADER_SIZE + 50 * KiB) + 10);
  store = open_store (crash_dir);
  rebuild (store);
  g_assert_cmpuint (get_stats (store).n_chunks, ==, 3);
  close_store (store);

  hearth_test_rm_rf (dir);
  hearth_test_rm_rf (crash_dir);
}

static void
exec_on_db (const char *path,
            const char *sql)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static void
assert_open_fails (const char *dir,
                   gint        code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(HearthStore) store = hearth_store_open (dir, &error);

  g_assert_null (store);
  g_assert_error (error, HEARTH_STORE_ERROR, code);
  g_test_message ("%s", error->message);
}

static void
test_bad_database (void)
{
  g_autofree char *dir = hearth_test_make_tmpdir ();
  g_autofree char *db = g_build_filename (dir, "store.db", NULL);
  g_autoptr(ChunkSet) set = chunk_set_new ();
  g_autofree guint8 *garbage = hearth_test_random_bytes (8192, 110);
  HearthStore *store;

  /* Not a database at all. */
  hearth_test_write_file (db, garbage, 8192);
  assert_open_fails (dir, HEARTH_STORE_ERROR_CORRUPT);
  g_assert_cmpuint (file_size (db), ==, 8192);
  g_assert_cmpint (g_unlink (db), ==, 0);

  /* Another program's database. */
  exec_on_db (db, "CREATE TABLE t (x); PRAGMA application_id = 7");
  assert_open_fails (dir, HEARTH_STORE_ERROR_CORRUPT);
  g_assert_cmpint (g_unlink (db), ==, 0);

  /* A newer Hearth's index. */
  store = open_store (dir);
  chunk_set_add_random (set, KiB, 111);
  put_all (store, set, HEARTH_STORE_RESULT_STORED);
  close_store (store);
  exec_on_db (db, "PRAGMA user_version = 99");
  assert_open_fails (dir, HEARTH_STORE_ERROR_TOO_NEW);

  /* Brought back, it opens with its chunks. */
  exec_on_db (db, "PRAGMA user_version = 1");
  store = open_store (dir);
  assert_has_all (store, set);
  close_store (store);

  /* Damaged pages beyond the header. */
  {
    g_autofree char *contents = NULL;
    g_autofree char *wal = g_strconcat (db, "-wal", NULL);
    g_autoptr(GError) open_error = NULL;
    gsize len = 0;

    exec_on_db (db, "PRAGMA wal_checkpoint(TRUNCATE)");
    g_assert_true (g_file_get_contents (db, &contents, &len, NULL));
    g_assert_cmpuint (len, >, 4096);
    memset (contents + 4096, 0xa5, len - 4096);
    hearth_test_write_file (db, contents, len);
    g_unlink (wal);

    /* Whether SQLite notices at open or at the first read, it is an
     * error, never a crash. */
    store = hearth_store_open (dir, &open_error);
    if (store == NULL)
      {
        g_assert_error (open_error, HEARTH_STORE_ERROR, HEARTH_STORE_ERROR_CORRUPT);
      }
    else
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(GBytes) bytes = hearth_store_read_chunk (store, &chunk_set_get (set, 0)->id, &error);

        g_assert_null (bytes);
        g_assert_nonnull (error);
        g_test_message ("%s", error->message);
        g_clear_object (&store);
      }
  }

  hearth_test_rm_rf (dir);
}

static void
test_throughput (void)
{
  g_autofree char *dir = hearth_test_make_tmpdir ();
  g_autoptr(ChunkSet) set = chunk_set_new ();
  g_autoptr(GTimer) timer = g_timer_new ();
  HearthStore *store = open_store (dir);
  const guint n = 64;
  const guint per_call = 8;
  double put_s, hash_s;

  for (guint i = 0; i < n; i++)
    chunk_set_add_random (set, MiB, 200 + i);

  g_timer_start (timer);
  for (guint i = 0; i < n; i++)
    {
      HearthChunkId id;

      hearth_sha256_digest (chunk_set_get (set, i)->data, MiB, &id);
    }
  hash_s = g_timer_elapsed (timer, NULL);

  g_timer_start (timer);
  for (guint i = 0; i < n; i += per_call)
    {
      HearthStoreResult results[8];

      g_assert_true (hearth_store_put_chunks (store, chunk_set_get (set, i), per_call, results, NULL));
      for (guint j = 0; j < per_call; j++)
        g_assert_cmpint (results[j], ==, HEARTH_STORE_RESULT_STORED);
    }
  put_s = g_timer_elapsed (timer, NULL);

  g_test_message ("put of %u incompressible 1 MiB chunks, %u per call: %.0f MB/s (SHA-256 alone: %.0f MB/s)",
                  n, per_call, n * (double) MiB / 1e6 / put_s, n * (double) MiB / 1e6 / hash_s);

  close_store (store);
  hearth_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store/round-trip", test_round_trip);
  g_test_add_func ("/store/not-found", test_not_found);
  g_test_add_func ("/store/duplicates", test_duplicates);
  g_test_add_func ("/store/bad-hash", test_bad_hash);
  g_test_add_func ("/store/too-large", test_too_large);
  g_test_add_func ("/store/rollover-and-reopen", test_rollover_and_reopen);
  g_test_add_func ("/store/check/flipped-byte", test_check_flipped_byte);
  g_test_add_func ("/store/check/truncated-pack", test_check_truncated_pack);
  g_test_add_func ("/store/rebuild/index", test_rebuild_index);
  g_test_add_func ("/store/rebuild/torn-record", test_rebuild_torn_record);
  g_test_add_func ("/store/bad-database", test_bad_database);
  g_test_add_func ("/store/throughput", test_throughput);

  return g_test_run ();
}
