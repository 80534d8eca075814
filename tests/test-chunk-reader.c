/* test-chunk-reader.c
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hearth-chunk-reader.h"
#include "hearth-chunk-reader-private.h"
#include "hearth-chunker.h"
#include "hearth-test-util.h"

#define CHUNK_MIN HEARTH_CHUNK_SIZE_MIN
#define CHUNK_MAX HEARTH_CHUNK_SIZE_MAX
#define MiB (1024 * 1024)

/* docs/chunking.md: the file ID of an empty file. */
#define EMPTY_FILE_ID "0d7a241f97e7dd1b55a59c6de821be136aa5ea12e322f34a377c604c44132ae1"

/* Fixture data: a reader on the plain buffer instead of the mirrored ring. */
#define UNMIRRORED GINT_TO_POINTER (1)

typedef struct
{
  char              *dir;
  HearthChunkReader *reader;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  fixture->dir = hearth_test_make_tmpdir ();
  if (user_data == UNMIRRORED)
    fixture->reader = _hearth_chunk_reader_new_unmirrored ();
  else
    fixture->reader = hearth_chunk_reader_new ();
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  hearth_test_rm_rf (fixture->dir);
  g_clear_pointer (&fixture->dir, g_free);
  g_clear_pointer (&fixture->reader, hearth_chunk_reader_free);
}

/* SHA-256 by GLib, so that the IDs checked here do not come from the code
 * under test. */
static void
glib_sha256 (const void    *data,
             gsize          len,
             HearthChunkId *out)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize out_len = HEARTH_CHUNK_ID_LEN;

  g_checksum_update (checksum, data, len);
  g_checksum_get_digest (checksum, out->bytes, &out_len);
  g_assert_cmpuint (out_len, ==, HEARTH_CHUNK_ID_LEN);
}

/* The file ID encoding of docs/chunking.md, written out again. */
static void
expected_file_id (const HearthChunk *chunks,
                  guint              n_chunks,
                  guint64            size,
                  HearthChunkId     *out)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 size_le[8];
  gsize out_len = HEARTH_CHUNK_ID_LEN;

  g_checksum_update (checksum, (const guchar *) "hearth.file.v1", 15);
  for (guint i = 0; i < 8; i++)
    size_le[i] = (guint8) (size >> (8 * i));
  g_checksum_update (checksum, size_le, 8);

  for (guint i = 0; i < n_chunks; i++)
    {
      guint8 length_le[4];

      for (guint j = 0; j < 4; j++)
        length_le[j] = (guint8) (chunks[i].length >> (8 * j));
      g_checksum_update (checksum, length_le, 4);
      g_checksum_update (checksum, chunks[i].id.bytes, HEARTH_CHUNK_ID_LEN);
    }

  g_checksum_get_digest (checksum, out->bytes, &out_len);
}

/* What the reader must produce: cuts made on the whole file in memory at
 * once, whatever the reader's buffer did. */
static void
assert_descriptor_of (const HearthFileDescriptor *descriptor,
                      const guint8               *data,
                      gsize                       len)
{
  g_autoptr(GArray) expected = g_array_new (FALSE, FALSE, sizeof (HearthChunk));
  const HearthChunk *chunks;
  HearthChunkId file_id;
  guint n_chunks;
  gsize offset = 0;

  while (offset < len)
    {
      HearthChunk chunk = { .offset = offset };

      chunk.length = hearth_chunker_next_cut (data + offset, len - offset);
      glib_sha256 (data + offset, chunk.length, &chunk.id);
      g_array_append_val (expected, chunk);
      offset += chunk.length;
    }

  g_assert_cmpuint (hearth_file_descriptor_get_size (descriptor), ==, len);
  chunks = hearth_file_descriptor_get_chunks (descriptor, &n_chunks);
  g_assert_cmpuint (n_chunks, ==, expected->len);

  for (guint i = 0; i < n_chunks; i++)
    {
      const HearthChunk *e = &g_array_index (expected, HearthChunk, i);

      g_assert_cmpuint (chunks[i].offset, ==, e->offset);
      g_assert_cmpuint (chunks[i].length, ==, e->length);
      g_assert_true (hearth_chunk_id_equal (&chunks[i].id, &e->id));
    }

  expected_file_id ((const HearthChunk *) expected->data, expected->len, len, &file_id);
  g_assert_true (hearth_chunk_id_equal (hearth_file_descriptor_get_id (descriptor), &file_id));
}

static HearthFileDescriptor *
read_ok (HearthChunkReader *reader,
         const char        *path)
{
  g_autoptr(GError) error = NULL;
  HearthFileDescriptor *descriptor;

  descriptor = hearth_chunk_reader_read_path (reader, path, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (descriptor);
  return descriptor;
}

static void
test_matches_in_memory (Fixture       *fixture,
                        gconstpointer  user_data)
{
  /* Around the minimum, and around the reader's 16 MiB buffer, where a
   * chunk straddles a refill or, in the ring, the end of the mapping; the
   * largest wraps around the ring several times. */
  static const gsize sizes[] = {
    1, 100, CHUNK_MIN - 1, CHUNK_MIN, CHUNK_MIN + 1, CHUNK_MIN + 2,
    CHUNK_MAX - 1, CHUNK_MAX, CHUNK_MAX + 1,
    2 * CHUNK_MAX - 1, 2 * CHUNK_MAX, 2 * CHUNK_MAX + 1, 3 * CHUNK_MAX + 12345, 21 * MiB + 7,
    4 * CHUNK_MAX - 1, 4 * CHUNK_MAX, 4 * CHUNK_MAX + 1, 5 * CHUNK_MAX + 777, 61 * MiB + 5,
  };
  g_autofree char *path = g_build_filename (fixture->dir, "file", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree guint8 *data = hearth_test_random_bytes (sizes[i], 1000 + i);
      g_autoptr(HearthFileDescriptor) descriptor = NULL;

      hearth_test_write_file (path, data, sizes[i]);
      descriptor = read_ok (fixture->reader, path);
      assert_descriptor_of (descriptor, data, sizes[i]);
    }
}

static void
test_zeros_cut_at_max (Fixture       *fixture,
                       gconstpointer  user_data)
{
  gsize len = 2 * CHUNK_MAX + 5;
  g_autofree guint8 *data = g_malloc0 (len);
  g_autofree char *path = g_build_filename (fixture->dir, "zeros", NULL);
  g_autoptr(HearthFileDescriptor) descriptor = NULL;

  hearth_test_write_file (path, data, len);
  descriptor = read_ok (fixture->reader, path);

  g_assert_cmpuint (hearth_file_descriptor_get_n_chunks (descriptor), ==, 3);
  g_assert_cmpuint (hearth_file_descriptor_get_chunk (descriptor, 0)->length, ==, CHUNK_MAX);
  g_assert_cmpuint (hearth_file_descriptor_get_chunk (descriptor, 1)->length, ==, CHUNK_MAX);
  g_assert_cmpuint (hearth_file_descriptor_get_chunk (descriptor, 2)->length, ==, 5);
  assert_descriptor_of (descriptor, data, len);
}

static void
test_small_files (Fixture       *fixture,
                  gconstpointer  user_data)
{
  static const gsize sizes[] = { 1, CHUNK_MIN - 1, CHUNK_MIN };
  g_autofree char *path = g_build_filename (fixture->dir, "small", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree guint8 *data = hearth_test_random_bytes (sizes[i], 2000 + i);
      g_autoptr(HearthFileDescriptor) descriptor = NULL;
      const HearthChunk *chunk;
      HearthChunkId id;

      hearth_test_write_file (path, data, sizes[i]);
      descriptor = read_ok (fixture->reader, path);

      g_assert_cmpuint (hearth_file_descriptor_get_n_chunks (descriptor), ==, 1);
      chunk = hearth_file_descriptor_get_chunk (descriptor, 0);
      g_assert_cmpuint (chunk->length, ==, sizes[i]);
      glib_sha256 (data, sizes[i], &id);
      g_assert_true (hearth_chunk_id_equal (&chunk->id, &id));
    }
}

static void
test_empty_file (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "empty", NULL);
  g_autoptr(HearthFileDescriptor) descriptor = NULL;
  g_autofree char *hex = NULL;

  hearth_test_write_file (path, "", 0);
  descriptor = read_ok (fixture->reader, path);
  hex = hearth_chunk_id_dup_hex (hearth_file_descriptor_get_id (descriptor));

  g_assert_cmpuint (hearth_file_descriptor_get_n_chunks (descriptor), ==, 0);
  g_assert_cmpuint (hearth_file_descriptor_get_size (descriptor), ==, 0);
  g_assert_cmpstr (hex, ==, EMPTY_FILE_ID);
}

typedef struct
{
  guint         calls;
  guint         fail_at;
  guint64       next_offset;
  GCancellable *cancel_at_first;
} CallbackState;

static gboolean
check_chunk_cb (const HearthChunk  *chunk,
                const guint8       *data,
                gpointer            user_data,
                GError            **error)
{
  CallbackState *state = user_data;
  HearthChunkId id;

  state->calls++;
  g_assert_cmpuint (chunk->offset, ==, state->next_offset);
  state->next_offset += chunk->length;

  glib_sha256 (data, chunk->length, &id);
  g_assert_true (hearth_chunk_id_equal (&chunk->id, &id));

  if (state->cancel_at_first != NULL)
    g_cancellable_cancel (state->cancel_at_first);

  if (state->calls == state->fail_at)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOSPC, "the test says stop");
      return FALSE;
    }

  return TRUE;
}

static void
test_callback_sees_bytes (Fixture       *fixture,
                          gconstpointer  user_data)
{
  gsize len = 19 * MiB + 3;
  g_autofree char *path = g_build_filename (fixture->dir, "file", NULL);
  g_autofree guint8 *data = hearth_test_random_bytes (len, 3000);
  g_autoptr(HearthFileDescriptor) descriptor = NULL;
  g_autoptr(GError) error = NULL;
  CallbackState state = { 0 };

  hearth_test_write_file (path, data, len);
  descriptor = hearth_chunk_reader_read_path (fixture->reader, path, check_chunk_cb, &state,
                                              NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (state.calls, ==, hearth_file_descriptor_get_n_chunks (descriptor));
  g_assert_cmpuint (state.next_offset, ==, len);
  g_assert_cmpuint (state.calls, >, 5);
  assert_descriptor_of (descriptor, data, len);
}

static void
test_callback_error_stops (Fixture       *fixture,
                           gconstpointer  user_data)
{
  gsize len = 19 * MiB;
  g_autofree char *path = g_build_filename (fixture->dir, "file", NULL);
  g_autoptr(HearthFileDescriptor) descriptor = NULL;
  g_autoptr(GError) error = NULL;
  CallbackState state = { .fail_at = 2 };

  hearth_test_write_random (path, len, 3001);
  descriptor = hearth_chunk_reader_read_path (fixture->reader, path, check_chunk_cb, &state,
                                              NULL, &error);

  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOSPC);
  g_assert_null (descriptor);
  g_assert_cmpuint (state.calls, ==, 2);

  /* The reader is fine afterwards. */
  g_clear_pointer (&descriptor, hearth_file_descriptor_unref);
  descriptor = read_ok (fixture->reader, path);
  g_assert_cmpuint (hearth_file_descriptor_get_size (descriptor), ==, len);
}

static void
test_cancelled (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "file", NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(HearthFileDescriptor) descriptor = NULL;
  g_autoptr(GError) error = NULL;
  int fd;

  hearth_test_write_random (path, 3 * MiB, 3002);
  g_cancellable_cancel (cancellable);

  descriptor = hearth_chunk_reader_read_path (fixture->reader, path, NULL, NULL,
                                              cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (descriptor);
  g_clear_error (&error);

  fd = open (path, O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  descriptor = hearth_chunk_reader_read_fd (fixture->reader, fd, NULL, NULL,
                                            cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (descriptor);
  close (fd);
}

/* Cancelled while reading: it stops at the next read, long before the end. */
static void
test_cancelled_while_reading (Fixture       *fixture,
                              gconstpointer  user_data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "file", NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(HearthFileDescriptor) descriptor = NULL;
  g_autoptr(GError) error = NULL;
  CallbackState state = { .cancel_at_first = cancellable };

  hearth_test_write_random (path, 40 * MiB, 3003);
  descriptor = hearth_chunk_reader_read_path (fixture->reader, path, check_chunk_cb, &state,
                                              cancellable, &error);

  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (descriptor);
  g_assert_cmpuint (state.calls, >=, 1);
  /* One buffer's worth at the most: the reader's buffer holds four
   * maximum chunks. */
  g_assert_cmpuint (state.next_offset, <=, 4 * CHUNK_MAX);
}

static void
test_not_found (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "missing", NULL);
  g_autoptr(HearthFileDescriptor) descriptor = NULL;
  g_autoptr(GError) error = NULL;

  descriptor = hearth_chunk_reader_read_path (fixture->reader, path, NULL, NULL, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_null (descriptor);
  g_assert_nonnull (strstr (error->message, "missing"));
}

static void
test_directory (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(HearthFileDescriptor) descriptor = NULL;
  g_autoptr(GError) error = NULL;
  int fd;

  descriptor = hearth_chunk_reader_read_path (fixture->reader, fixture->dir, NULL, NULL,
                                              NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY);
  g_assert_null (descriptor);
  g_clear_error (&error);

  /* Through read_fd there is no check first: read() itself refuses. */
  fd = open (fixture->dir, O_RDONLY | O_CLOEXEC | O_DIRECTORY);
  g_assert_cmpint (fd, >=, 0);
  descriptor = hearth_chunk_reader_read_fd (fixture->reader, fd, NULL, NULL, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY);
  g_assert_null (descriptor);
  close (fd);
}

static void
test_symlink_not_followed (Fixture       *fixture,
                           gconstpointer  user_data)
{
  g_autofree char *target = g_build_filename (fixture->dir, "target", NULL);
  g_autofree char *link = g_build_filename (fixture->dir, "link", NULL);
  g_autoptr(HearthFileDescriptor) descriptor = NULL;
  g_autoptr(GError) error = NULL;

  hearth_test_write_random (target, 1000, 3004);
  g_assert_cmpint (symlink (target, link), ==, 0);

  descriptor = hearth_chunk_reader_read_path (fixture->reader, link, NULL, NULL, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_LINKS);
  g_assert_null (descriptor);
}

/* A FIFO would block open() and read() forever: it is refused at once. */
static void
test_fifo_refused (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "fifo", NULL);
  g_autoptr(HearthFileDescriptor) descriptor = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  descriptor = hearth_chunk_reader_read_path (fixture->reader, path, NULL, NULL, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE);
  g_assert_null (descriptor);
}

static void
test_permission_denied (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(HearthChunkReader) reader = NULL;
  g_autoptr(HearthFileDescriptor) descriptor = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_test_subprocess ())
    {
      hearth_test_run_unprivileged ("/chunk-reader/errors/permission-denied");
      return;
    }

  if (!hearth_test_drop_root ())
    return;

  dir = hearth_test_make_tmpdir ();
  path = g_build_filename (dir, "secret", NULL);
  hearth_test_write_random (path, 1000, 3005);
  g_assert_cmpint (g_chmod (path, 0), ==, 0);

  reader = hearth_chunk_reader_new ();
  descriptor = hearth_chunk_reader_read_path (reader, path, NULL, NULL, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_null (descriptor);

  hearth_test_rm_rf (dir);
}

/* One reader for many files, as a scanner thread uses it, agrees with a
 * fresh reader per file; large and small files interleaved so that stale
 * buffer contents would show. */
static void
test_reuse (Fixture       *fixture,
            gconstpointer  user_data)
{
  HearthTestRng rng;

  hearth_test_rng_init (&rng, 3006);

  for (guint i = 0; i < 200; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/file-%u", fixture->dir, i);
      g_autoptr(HearthChunkReader) fresh = hearth_chunk_reader_new ();
      g_autoptr(HearthFileDescriptor) reused = NULL;
      g_autoptr(HearthFileDescriptor) expected = NULL;
      guint64 r = hearth_test_rng_next (&rng);
      gsize len;

      if (i % 25 == 0)
        len = 5 * MiB + r % (6 * MiB);
      else if (i % 5 == 0)
        len = CHUNK_MIN - 100 + r % 200;
      else
        len = r % (64 * 1024);

      hearth_test_write_random (path, len, r);
      reused = read_ok (fixture->reader, path);
      expected = read_ok (fresh, path);

      g_assert_cmpuint (hearth_file_descriptor_get_size (reused), ==, len);
      g_assert_true (hearth_chunk_id_equal (hearth_file_descriptor_get_id (reused),
                                            hearth_file_descriptor_get_id (expected)));
    }
}

typedef struct
{
  int           fd;
  const guint8 *data;
  gsize         len;
} PipeWriter;

static gpointer
write_pipe_thread (gpointer user_data)
{
  PipeWriter *writer = user_data;
  gsize done = 0;

  /* Odd-sized writes, so the reader sees many short reads. */
  while (done < writer->len)
    {
      gssize n = write (writer->fd, writer->data + done, MIN (writer->len - done, 77777));

      if (n < 0 && errno == EINTR)
        continue;
      g_assert_cmpint (n, >, 0);
      done += n;
    }

  close (writer->fd);
  return NULL;
}

static void
test_pipe_short_reads (Fixture       *fixture,
                       gconstpointer  user_data)
{
  gsize len = 13 * MiB + 99;
  g_autofree guint8 *data = hearth_test_random_bytes (len, 3007);
  g_autoptr(HearthFileDescriptor) descriptor = NULL;
  g_autoptr(GError) error = NULL;
  PipeWriter writer = { .data = data, .len = len };
  GThread *thread;
  int fds[2];

  g_assert_cmpint (pipe (fds), ==, 0);
  writer.fd = fds[1];
  thread = g_thread_new ("pipe-writer", write_pipe_thread, &writer);

  descriptor = hearth_chunk_reader_read_fd (fixture->reader, fds[0], NULL, NULL, NULL, &error);
  g_thread_join (thread);
  close (fds[0]);

  g_assert_no_error (error);
  assert_descriptor_of (descriptor, data, len);
}

static void
test_file_id (Fixture       *fixture,
              gconstpointer  user_data)
{
  gsize len = 6 * MiB + 1;
  g_autofree char *a = g_build_filename (fixture->dir, "a", NULL);
  g_autofree char *b = g_build_filename (fixture->dir, "b", NULL);
  g_autofree char *c = g_build_filename (fixture->dir, "c", NULL);
  g_autofree guint8 *data = hearth_test_random_bytes (len, 3008);
  g_autoptr(HearthFileDescriptor) da = NULL;
  g_autoptr(HearthFileDescriptor) db = NULL;
  g_autoptr(HearthFileDescriptor) dc = NULL;
  const HearthChunk *chunks;
  HearthChunkId expected;
  guint n_chunks;

  hearth_test_write_file (a, data, len);
  hearth_test_write_file (b, data, len);
  data[len / 2] ^= 1;
  hearth_test_write_file (c, data, len);

  da = read_ok (fixture->reader, a);
  db = read_ok (fixture->reader, b);
  dc = read_ok (fixture->reader, c);

  g_assert_true (hearth_chunk_id_equal (hearth_file_descriptor_get_id (da),
                                        hearth_file_descriptor_get_id (db)));
  g_assert_false (hearth_chunk_id_equal (hearth_file_descriptor_get_id (da),
                                         hearth_file_descriptor_get_id (dc)));

  chunks = hearth_file_descriptor_get_chunks (da, &n_chunks);
  g_assert_cmpuint (n_chunks, >, 1);
  expected_file_id (chunks, n_chunks, len, &expected);
  g_assert_true (hearth_chunk_id_equal (hearth_file_descriptor_get_id (da), &expected));

  /* The tag keeps a one-chunk file's ID apart from its chunk's ID. */
  hearth_test_write_file (a, data, 1000);
  g_clear_pointer (&da, hearth_file_descriptor_unref);
  da = read_ok (fixture->reader, a);
  glib_sha256 (data, 1000, &expected);
  g_assert_true (hearth_chunk_id_equal (&hearth_file_descriptor_get_chunk (da, 0)->id, &expected));
  g_assert_false (hearth_chunk_id_equal (hearth_file_descriptor_get_id (da), &expected));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/chunk-reader/matches-in-memory", test_matches_in_memory);
  g_test_add ("/chunk-reader/matches-in-memory-unmirrored", Fixture, UNMIRRORED,
              fixture_set_up, test_matches_in_memory, fixture_tear_down);
  g_test_add ("/chunk-reader/pipe-short-reads-unmirrored", Fixture, UNMIRRORED,
              fixture_set_up, test_pipe_short_reads, fixture_tear_down);
  ADD ("/chunk-reader/zeros-cut-at-max", test_zeros_cut_at_max);
  ADD ("/chunk-reader/small-files", test_small_files);
  ADD ("/chunk-reader/empty-file", test_empty_file);
  ADD ("/chunk-reader/callback/sees-bytes", test_callback_sees_bytes);
  ADD ("/chunk-reader/callback/error-stops", test_callback_error_stops);
  ADD ("/chunk-reader/cancelled/before", test_cancelled);
  ADD ("/chunk-reader/cancelled/while-reading", test_cancelled_while_reading);
  ADD ("/chunk-reader/errors/not-found", test_not_found);
  ADD ("/chunk-reader/errors/directory", test_directory);
  ADD ("/chunk-reader/errors/symlink", test_symlink_not_followed);
  ADD ("/chunk-reader/errors/fifo", test_fifo_refused);
  g_test_add_func ("/chunk-reader/errors/permission-denied", test_permission_denied);
  ADD ("/chunk-reader/reuse", test_reuse);
  ADD ("/chunk-reader/pipe-short-reads", test_pipe_short_reads);
  ADD ("/chunk-reader/file-id", test_file_id);

#undef ADD

  return g_test_run ();
}
