/* hearth-bench-engine.c
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Single-threaded throughput of the content engine, on deterministic
 * in-memory data: SHA-256 by library, the chunker alone, chunking and
 * hashing together (what the chunk reader does per byte), and the chunk
 * sizes the chunker makes. One "name value" line per figure; lines starting
 * with '#' are comments. MB/s means 10^6 bytes per second of this thread's
 * CPU time (user and system). Each figure is the best of --repeat runs. */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#ifdef HAVE_NETTLE
#include <nettle/sha2.h>
#endif

#include "hearth-chunk-reader.h"
#include "hearth-chunker.h"
#include "hearth-sha256.h"
#include "hearth-test-util.h"

#define DATA_SEED G_GUINT64_CONSTANT (0x62656e6368) /* "bench" */

/* SHA-256 is timed on one buffer of this size, hashed over and over: warm
 * in cache, as a chunk is when the reader hashes it right after cutting. */
#define HASH_BLOCK (1024 * 1024)

typedef struct
{
  const guint8 *data;
  gsize         len;
} Bench;

typedef guint64 (*BenchFunc) (const Bench *bench);

static int repeat = 3;

/* CPU time of this thread, in seconds: on a machine shared with other
 * work, wall-clock time would count the time others had the core. */
static double
thread_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Runs @func --repeat times and returns its best throughput over @bytes. */
static double
best_mbps (BenchFunc    func,
           const Bench *bench,
           gsize        bytes)
{
  double best = 0;
  volatile guint64 sink = 0;

  for (int i = 0; i < repeat; i++)
    {
      double start = thread_seconds ();

      sink += func (bench);
      best = MAX (best, bytes / (thread_seconds () - start) / 1e6);
    }

  (void) sink;
  return best;
}

static guint64
hash_libcrypto (const Bench *bench)
{
  g_autoptr(HearthSha256) sha = hearth_sha256_new ();
  HearthChunkId id = { 0 };

  for (gsize done = 0; done < bench->len; done += HASH_BLOCK)
    {
      hearth_sha256_update (sha, bench->data, HASH_BLOCK);
      hearth_sha256_finish (sha, &id);
    }

  return id.bytes[0];
}

#ifdef HAVE_NETTLE
static guint64
hash_nettle (const Bench *bench)
{
  struct sha256_ctx ctx;
  guint8 digest[SHA256_DIGEST_SIZE] = { 0 };

  sha256_init (&ctx);
  for (gsize done = 0; done < bench->len; done += HASH_BLOCK)
    {
      sha256_update (&ctx, HASH_BLOCK, bench->data);
      sha256_digest (&ctx, sizeof digest, digest);
    }

  return digest[0];
}
#endif

static guint64
hash_glib (const Bench *bench)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32] = { 0 };

  for (gsize done = 0; done < bench->len; done += HASH_BLOCK)
    {
      gsize len = sizeof digest;

      g_checksum_update (checksum, bench->data, HASH_BLOCK);
      g_checksum_get_digest (checksum, digest, &len);
      g_checksum_reset (checksum);
    }

  return digest[0];
}

static guint64
cut_only (const Bench *bench)
{
  guint64 n_chunks = 0;

  for (gsize offset = 0; offset < bench->len; n_chunks++)
    offset += hearth_chunker_next_cut (bench->data + offset, bench->len - offset);

  return n_chunks;
}

/* The textbook loop, one byte per step (test-chunker.c's reference), to
 * show what the two-byte, two-lane scan buys. */
static gsize
bytewise_next_cut (const guint8 *data,
                   gsize         len)
{
  const guint64 *gear = hearth_chunker_get_gear_table ();
  guint64 mask_small, mask_large;
  guint64 fp = 0;
  gsize limit;

  if (len <= HEARTH_CHUNK_SIZE_MIN)
    return len;

  hearth_chunker_get_masks (&mask_small, &mask_large);
  limit = MIN (len, HEARTH_CHUNK_SIZE_MAX);

  for (gsize n = 1; n < limit; n++)
    {
      fp = (fp << 1) + gear[data[n - 1]];
      if (n >= HEARTH_CHUNK_SIZE_MIN &&
          (fp & (n < HEARTH_CHUNK_SIZE_AVG ? mask_small : mask_large)) == 0)
        return n;
    }

  return limit;
}

static guint64
cut_bytewise (const Bench *bench)
{
  guint64 n_chunks = 0;

  for (gsize offset = 0; offset < bench->len; n_chunks++)
    offset += bytewise_next_cut (bench->data + offset, bench->len - offset);

  return n_chunks;
}

/* What the chunk reader does with its buffer. */
static guint64
cut_and_hash (const Bench *bench)
{
  g_autoptr(HearthSha256) sha = hearth_sha256_new ();
  HearthChunkId id = { 0 };

  for (gsize offset = 0; offset < bench->len;)
    offset += hearth_chunker_next_chunk (bench->data + offset, bench->len - offset, sha, &id);

  return id.bytes[0];
}

/* Cutting first and hashing the chunk afterwards, for comparison. */
static guint64
cut_then_hash (const Bench *bench)
{
  g_autoptr(HearthSha256) sha = hearth_sha256_new ();
  HearthChunkId id = { 0 };

  for (gsize offset = 0; offset < bench->len;)
    {
      gsize cut = hearth_chunker_next_cut (bench->data + offset, bench->len - offset);

      hearth_sha256_update (sha, bench->data + offset, cut);
      hearth_sha256_finish (sha, &id);
      offset += cut;
    }

  return id.bytes[0];
}

/* Newton's method: enough for a statistic, and this program links no libm. */
static double
square_root (double x)
{
  double r = MAX (x, 1);

  if (x <= 0)
    return 0;
  for (int i = 0; i < 64; i++)
    r = (r + x / r) / 2;
  return r;
}

static void
print_chunk_statistics (const Bench *bench)
{
  guint64 count = 0, at_max = 0;
  gsize shortest = G_MAXSIZE, longest = 0;
  double sum = 0, sum_sq = 0, mean;

  /* The last chunk is whatever was left: it says nothing of the chunker. */
  for (gsize offset = 0;;)
    {
      gsize cut = hearth_chunker_next_cut (bench->data + offset, bench->len - offset);

      if (offset + cut >= bench->len)
        break;

      count++;
      at_max += cut == HEARTH_CHUNK_SIZE_MAX;
      shortest = MIN (shortest, cut);
      longest = MAX (longest, cut);
      sum += cut / 1024.0;
      sum_sq += (cut / 1024.0) * (cut / 1024.0);
      offset += cut;
    }

  if (count == 0)
    {
      printf ("# too little data for chunk statistics: use a larger --size\n");
      return;
    }

  mean = sum / count;
  printf ("chunks.count %" G_GUINT64_FORMAT "\n", count);
  printf ("chunks.mean_KiB %.0f\n", mean);
  printf ("chunks.stddev_KiB %.0f\n", square_root (sum_sq / count - mean * mean));
  printf ("chunks.min_KiB %.0f\n", shortest / 1024.0);
  printf ("chunks.max_KiB %.0f\n", longest / 1024.0);
  printf ("chunks.at_max %" G_GUINT64_FORMAT "\n", at_max);
}

/* The chunk reader on the data set as a file in the page cache: the same
 * work plus read()'s copy out of the cache. */
static void
print_reader_figure (const Bench *bench)
{
  g_autoptr(HearthChunkReader) reader = hearth_chunk_reader_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  double best = 0;
  int fd;

  fd = g_file_open_tmp ("hearth-bench-XXXXXX", &path, &error);
  if (fd < 0 || !g_file_set_contents (path, (const char *) bench->data, bench->len, &error))
    {
      fprintf (stderr, "hearth-bench-engine: %s\n", error->message);
      if (fd >= 0)
        close (fd);
      return;
    }
  close (fd);

  /* One untimed read puts the whole file in the page cache. */
  for (int i = 0; i <= repeat; i++)
    {
      g_autoptr(HearthFileDescriptor) descriptor = NULL;
      double start = thread_seconds ();
      double seconds;

      descriptor = hearth_chunk_reader_read_path (reader, path, NULL, NULL, NULL, &error);
      seconds = thread_seconds () - start;
      if (descriptor == NULL)
        {
          fprintf (stderr, "hearth-bench-engine: %s\n", error->message);
          break;
        }
      if (i > 0)
        best = MAX (best, bench->len / seconds / 1e6);
    }

  g_unlink (path);
  if (best > 0)
    printf ("reader.page_cache_MBps %.0f\n", best);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *data = NULL;
  gboolean with_reader = FALSE;
  int size_mib = 256;
  HearthTestRng rng;
  Bench bench;
  const GOptionEntry entries[] = {
    { "size", 0, 0, G_OPTION_ARG_INT, &size_mib, "Data set size (default 256)", "MiB" },
    { "repeat", 0, 0, G_OPTION_ARG_INT, &repeat, "Runs per figure, best kept (default 3)", "N" },
    { "reader", 0, 0, G_OPTION_ARG_NONE, &with_reader,
      "Also time the chunk reader on the data set written to a temporary file", NULL },
    { NULL }
  };

  context = g_option_context_new ("- time Hearth's chunking and hashing");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "hearth-bench-engine: %s\n", error->message);
      return EXIT_FAILURE;
    }
  if (size_mib < 1 || size_mib > 64 * 1024 || repeat < 1)
    {
      fprintf (stderr, "hearth-bench-engine: --size must be 1..65536 and --repeat at least 1\n");
      return EXIT_FAILURE;
    }

  bench.len = (gsize) size_mib * 1024 * 1024;
  data = g_malloc (bench.len);
  hearth_test_rng_init (&rng, DATA_SEED);
  hearth_test_rng_fill (&rng, data, bench.len);
  bench.data = data;

  printf ("# hearth-bench-engine: %d MiB of splitmix64 data (seed 0x%" G_GINT64_MODIFIER "x), "
          "best of %d, MB = 10^6 bytes, per second of thread CPU time\n",
          size_mib, DATA_SEED, repeat);
  printf ("sha256.libcrypto_MBps %.0f\n", best_mbps (hash_libcrypto, &bench, bench.len));
#ifdef HAVE_NETTLE
  printf ("sha256.nettle_MBps %.0f\n", best_mbps (hash_nettle, &bench, bench.len));
#endif
  printf ("sha256.glib_MBps %.0f\n", best_mbps (hash_glib, &bench, bench.len));
  printf ("chunker.gear_bytewise_MBps %.0f\n", best_mbps (cut_bytewise, &bench, bench.len));
  printf ("chunker.gear_MBps %.0f\n", best_mbps (cut_only, &bench, bench.len));
  printf ("chunker.hash_MBps %.0f\n", best_mbps (cut_and_hash, &bench, bench.len));
  printf ("chunker.hash_separate_MBps %.0f\n", best_mbps (cut_then_hash, &bench, bench.len));
  if (with_reader)
    print_reader_figure (&bench);
  print_chunk_statistics (&bench);

  return EXIT_SUCCESS;
}
