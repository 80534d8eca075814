/* test-chunker.c
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "hearth-chunker.h"
#include "hearth-file-descriptor.h"
#include "hearth-sha256.h"
#include "hearth-test-util.h"

#define CHUNK_MIN HEARTH_CHUNK_SIZE_MIN
#define CHUNK_AVG HEARTH_CHUNK_SIZE_AVG
#define CHUNK_MAX HEARTH_CHUNK_SIZE_MAX
#define MiB (1024 * 1024)

/* docs/chunking.md: "hearthv1" as a big-endian integer. */
#define GEAR_SEED G_GUINT64_CONSTANT (0x6865617274687631)

/* The format's constants rebuilt here from their written procedures, so
 * that the reference chunker below owes nothing to the library. */
static guint64 ref_gear[256];
static guint64 ref_mask_small;
static guint64 ref_mask_large;

static void
build_reference_constants (void)
{
  HearthTestRng rng;

  hearth_test_rng_init (&rng, GEAR_SEED);
  for (guint i = 0; i < 256; i++)
    ref_gear[i] = hearth_test_rng_next (&rng);

  ref_mask_small = 0;
  for (guint k = 0; k < 22; k++)
    ref_mask_small |= G_GUINT64_CONSTANT (1) << (62 - 2 * k);

  ref_mask_large = 0;
  for (guint k = 0; k < 18; k++)
    ref_mask_large |= G_GUINT64_CONSTANT (1) << (62 - 2 * k);
}

/* FastCDC as the papers write it: one byte at a time from the chunk's
 * first byte, testing from MIN on. Bits 0..62 of this hash are those of
 * the 63-byte window the format defines, so it must agree with the
 * library's warm-up-and-two-lanes scan everywhere. */
static gsize
reference_next_cut (const guint8 *data,
                    gsize         len)
{
  guint64 fp = 0;
  gsize limit;

  if (len <= CHUNK_MIN)
    return len;

  limit = MIN (len, CHUNK_MAX);

  for (gsize n = 1; n < limit; n++)
    {
      fp = (fp << 1) + ref_gear[data[n - 1]];
      if (n >= CHUNK_MIN && (fp & (n < CHUNK_AVG ? ref_mask_small : ref_mask_large)) == 0)
        return n;
    }

  return limit;
}

/* Chunks and hashes a whole buffer, as the reader does a file. */
static GArray *
chunk_buffer (const guint8 *data,
              gsize         len)
{
  GArray *chunks = g_array_new (FALSE, FALSE, sizeof (HearthChunk));
  gsize offset = 0;

  while (offset < len)
    {
      HearthChunk chunk = { .offset = offset };

      chunk.length = hearth_chunker_next_cut (data + offset, len - offset);
      g_assert_cmpuint (chunk.length, >, 0);
      hearth_sha256_digest (data + offset, chunk.length, &chunk.id);
      g_array_append_val (chunks, chunk);
      offset += chunk.length;
    }

  return chunks;
}

/* next_chunk() cuts where next_cut() does, and its ID is the digest of
 * the chunk's bytes taken in one go. */
static gsize
assert_next_chunk_agrees (const guint8 *data,
                          gsize         len)
{
  g_autoptr(HearthSha256) sha = hearth_sha256_new ();
  HearthChunkId id, expected;
  gsize cut;

  cut = hearth_chunker_next_chunk (data, len, sha, &id);
  g_assert_cmpuint (cut, ==, hearth_chunker_next_cut (data, len));
  hearth_sha256_digest (data, cut, &expected);
  g_assert_true (hearth_chunk_id_equal (&id, &expected));

  return cut;
}

static void
assert_same_cuts_as_reference (const guint8 *data,
                               gsize         len)
{
  gsize offset = 0;

  while (offset < len)
    {
      gsize cut = assert_next_chunk_agrees (data + offset, len - offset);

      g_assert_cmpuint (cut, ==, reference_next_cut (data + offset, len - offset));
      if (offset + cut < len)
        {
          g_assert_cmpuint (cut, >=, CHUNK_MIN);
          g_assert_cmpuint (cut, <=, CHUNK_MAX);
        }
      offset += cut;
    }

  g_assert_cmpuint (offset, ==, len);
}

static void
test_gear_table (void)
{
  const guint64 *gear = hearth_chunker_get_gear_table ();
  guint64 mask_small, mask_large;

  for (guint i = 0; i < 256; i++)
    g_assert_cmphex (gear[i], ==, ref_gear[i]);

  hearth_chunker_get_masks (&mask_small, &mask_large);
  g_assert_cmphex (mask_small, ==, ref_mask_small);
  g_assert_cmphex (mask_large, ==, ref_mask_large);
  g_assert_cmpint (__builtin_popcountll (mask_small), ==, 22);
  g_assert_cmpint (__builtin_popcountll (mask_large), ==, 18);
}

static void
test_small_inputs (void)
{
  g_autofree guint8 *data = hearth_test_random_bytes (CHUNK_MIN + 2, 3);

  g_assert_cmpuint (hearth_chunker_next_cut (data, 0), ==, 0);
  g_assert_cmpuint (hearth_chunker_next_cut (data, 1), ==, 1);
  g_assert_cmpuint (hearth_chunker_next_cut (data, CHUNK_MIN - 1), ==, CHUNK_MIN - 1);
  g_assert_cmpuint (hearth_chunker_next_cut (data, CHUNK_MIN), ==, CHUNK_MIN);

  g_assert_cmpuint (assert_next_chunk_agrees (data, 0), ==, 0);
  g_assert_cmpuint (assert_next_chunk_agrees (data, 1), ==, 1);
  g_assert_cmpuint (assert_next_chunk_agrees (data, CHUNK_MIN), ==, CHUNK_MIN);
  assert_next_chunk_agrees (data, CHUNK_MIN + 1);

  /* MIN + 1 is one chunk unless the window ending at MIN matches: either
   * way it is what the definition says. */
  g_assert_cmpuint (hearth_chunker_next_cut (data, CHUNK_MIN + 1), ==,
                    reference_next_cut (data, CHUNK_MIN + 1));
  g_assert_cmpuint (hearth_chunker_next_cut (data, CHUNK_MIN + 2), ==,
                    reference_next_cut (data, CHUNK_MIN + 2));
}

static void
test_zeros_cut_at_max (void)
{
  gsize len = 2 * CHUNK_MAX + MiB;
  g_autofree guint8 *data = g_malloc0 (len);

  g_assert_cmpuint (hearth_chunker_next_cut (data, len), ==, CHUNK_MAX);
  g_assert_cmpuint (hearth_chunker_next_cut (data, CHUNK_MAX + 1), ==, CHUNK_MAX);
  g_assert_cmpuint (hearth_chunker_next_cut (data, CHUNK_MAX), ==, CHUNK_MAX);
  g_assert_cmpuint (hearth_chunker_next_cut (data, CHUNK_MAX - 1), ==, CHUNK_MAX - 1);
  g_assert_cmpuint (hearth_chunker_next_cut (data, MiB), ==, MiB);
}

/* Every length around the sizes that matter, on random data. */
static void
test_matches_reference_at_edges (void)
{
  static const gsize lengths[] = {
    CHUNK_MIN + 1, CHUNK_MIN + 2, CHUNK_MIN + 3,
    CHUNK_MIN + 4096, CHUNK_MIN + 8192, CHUNK_MIN + 8193,
    CHUNK_AVG - 1, CHUNK_AVG, CHUNK_AVG + 1, CHUNK_AVG + 2,
    CHUNK_MAX - 1, CHUNK_MAX, CHUNK_MAX + 1, 2 * CHUNK_MAX + 3,
  };

  for (guint64 seed = 10; seed < 16; seed++)
    {
      g_autofree guint8 *data = hearth_test_random_bytes (2 * CHUNK_MAX + 3, seed);

      for (guint i = 0; i < G_N_ELEMENTS (lengths); i++)
        g_assert_cmpuint (hearth_chunker_next_cut (data, lengths[i]), ==,
                          reference_next_cut (data, lengths[i]));
    }
}

static void
test_matches_reference_random (void)
{
  gsize len = 40 * MiB + 12345;
  g_autofree guint8 *data = hearth_test_random_bytes (len, 4);

  assert_same_cuts_as_reference (data, len);
}

/* Islands of random bytes in zeros: windows that straddle both, and
 * chunks that mostly run to MAX. */
static void
assert_same_cuts_as_reference_sparse (guint64 seed)
{
  gsize len = 3 * CHUNK_MAX;
  g_autofree guint8 *data = g_malloc0 (len);
  HearthTestRng rng;

  hearth_test_rng_init (&rng, seed);
  for (gsize offset = 0; offset < len; offset += 64 * 1024)
    hearth_test_rng_fill (&rng, data + offset, 1024);

  assert_same_cuts_as_reference (data, len);
}

static void
test_matches_reference_sparse (void)
{
  for (guint64 seed = 20; seed < 24; seed++)
    assert_same_cuts_as_reference_sparse (seed);
}

/* Writes a random 63-byte window ending at @pos whose gear hash ANDed with
 * @zero_bits is 0 and, unless @nonzero_bits is 0, ANDed with it is not. */
static void
plant_window (guint8  *data,
              gsize    pos,
              guint64  zero_bits,
              guint64  nonzero_bits,
              guint64  seed)
{
  guint8 *window = data + pos - 62;
  HearthTestRng rng;
  guint64 base = 0;

  hearth_test_rng_init (&rng, seed);
  hearth_test_rng_fill (&rng, window, 63);

  for (guint j = 0; j < 59; j++)
    base = (base << 1) + ref_gear[window[j]];
  base <<= 4;

  for (guint a = 0; a < 256; a++)
    for (guint b = 0; b < 256; b++)
      for (guint c = 0; c < 256; c++)
        for (guint d = 0; d < 256; d++)
          {
            guint64 h = base + (ref_gear[a] << 3) + (ref_gear[b] << 2) +
                        (ref_gear[c] << 1) + ref_gear[d];

            if ((h & zero_bits) == 0 && (nonzero_bits == 0 || (h & nonzero_bits) != 0))
              {
                window[59] = a;
                window[60] = b;
                window[61] = c;
                window[62] = d;
                return;
              }
          }

  g_assert_not_reached ();
}

/* A matching window on zeros, which never match: the cut must be exactly
 * where the window ends, including at the edges of the scan's blocks
 * (4096 bytes per lane, starting at length MIN). */
static void
test_planted_cuts (void)
{
  static const gsize small_lengths[] = {
    CHUNK_MIN, CHUNK_MIN + 1, CHUNK_MIN + 2, CHUNK_MIN + 4096, CHUNK_MIN + 4097,
    CHUNK_MIN + 8192, CHUNK_MIN + 8193, CHUNK_MIN + 65536, CHUNK_MIN + 65537,
    CHUNK_AVG - 2, CHUNK_AVG - 1,
  };
  static const gsize large_lengths[] = {
    CHUNK_AVG, CHUNK_AVG + 1, CHUNK_AVG + 4096, CHUNK_AVG + 4097, CHUNK_AVG + 8192,
    CHUNK_AVG + 8193, CHUNK_MAX - 2, CHUNK_MAX - 1,
  };
  static const gsize short_lengths[] = {
    CHUNK_MIN + 2, CHUNK_MIN + 3, CHUNK_MIN + 8193, CHUNK_MIN + 8194, CHUNK_MIN + 65538,
    CHUNK_AVG + 2, CHUNK_AVG + 8193, CHUNK_AVG + 8194,
  };
  gsize len = 2 * CHUNK_MAX;
  g_autofree guint8 *data = g_malloc (len);

  for (guint i = 0; i < G_N_ELEMENTS (small_lengths); i++)
    {
      memset (data, 0, len);
      plant_window (data, small_lengths[i] - 1, ref_mask_small, 0, 100 + i);
      g_assert_cmpuint (reference_next_cut (data, len), ==, small_lengths[i]);
      g_assert_cmpuint (assert_next_chunk_agrees (data, len), ==, small_lengths[i]);
    }

  for (guint i = 0; i < G_N_ELEMENTS (large_lengths); i++)
    {
      memset (data, 0, len);
      plant_window (data, large_lengths[i] - 1, ref_mask_large, ref_mask_small, 200 + i);
      g_assert_cmpuint (reference_next_cut (data, len), ==, large_lengths[i]);
      g_assert_cmpuint (assert_next_chunk_agrees (data, len), ==, large_lengths[i]);
    }

  /* The last length tested before the data ends, whatever is left over
   * after the lanes' rounds. */
  for (guint i = 0; i < G_N_ELEMENTS (short_lengths); i++)
    {
      gsize short_len = short_lengths[i];
      gboolean small = short_len - 1 < CHUNK_AVG;

      memset (data, 0, len);
      plant_window (data, short_len - 2,
                    small ? ref_mask_small : ref_mask_large,
                    small ? 0 : ref_mask_small, 400 + i);
      g_assert_cmpuint (reference_next_cut (data, short_len), ==, short_len - 1);
      g_assert_cmpuint (assert_next_chunk_agrees (data, short_len), ==, short_len - 1);
    }

  /* Before AVG only the stricter mask counts. */
  memset (data, 0, len);
  plant_window (data, CHUNK_AVG - 2, ref_mask_large, ref_mask_small, 300);
  g_assert_cmpuint (hearth_chunker_next_cut (data, len), ==, CHUNK_MAX);

  /* Two matches in one round of the two lanes, the second lane's met
   * first in the loop: the earlier position still wins. */
  memset (data, 0, len);
  plant_window (data, CHUNK_MIN + 4000, ref_mask_small, 0, 301);
  plant_window (data, CHUNK_MIN + 4096 + 100, ref_mask_small, 0, 302);
  g_assert_cmpuint (assert_next_chunk_agrees (data, len), ==, CHUNK_MIN + 4001);

  /* Nothing before MIN is ever tested. */
  memset (data, 0, len);
  plant_window (data, CHUNK_MIN - 2, ref_mask_small, 0, 303);
  g_assert_cmpuint (hearth_chunker_next_cut (data, len), ==, CHUNK_MAX);
}

/* 24 MiB from hearth_test_rng seeded with GOLDEN_SEED. Recorded from this
 * implementation and checked against an independent byte-at-a-time
 * implementation written from docs/chunking.md; any change here is a
 * change of the chunking format. */
#define GOLDEN_SEED 1
#define GOLDEN_SIZE (24 * MiB)

static const struct
{
  guint64     offset;
  guint32     length;
  const char *id;
} golden_chunks[] = {
  { 0, 1159751, "13ecf285f4ad73b3218c70628609198effb8bbdab88468c579d22a15af1a3206" },
  { 1159751, 578895, "de0e8ad096c697bac96448d754b6a0e23c0db6d2eaf78058a1947d78a912b1cd" },
  { 1738646, 1060674, "d91400909644f63df13892ff23202528b84f9bd0b6ab00d3429f27ba2b8cb29f" },
  { 2799320, 1092778, "7faf5d49e57025580115f5472103babbef7f54dcf4a3a3e5a6e6e7134b877d6e" },
  { 3892098, 1308438, "5038df8c94ed6abcac61a695eb037aa4574a7f02302578545b6aa128b8d427f7" },
  { 5200536, 1156494, "893056ce44e5305f738b7d1e75aa82483994f7b63120e2938fefb317eda1c653" },
  { 6357030, 1214275, "a313904b48bd44da12359e65df379fcba2ae9652f4038db89c901d12942c55ab" },
  { 7571305, 917537, "979d86ef8deff275c5b1b8887e38db61b636e2f21f8c3924ae69a590d9e89d8b" },
  { 8488842, 1130025, "11b9763181beeb917b52aada7f315659a7be0ee3827f032205ff5be25e9acf51" },
  { 9618867, 1304074, "5f5c93e488fb3a034664742f5265397f19ab53ae47edd5d0a19172fff26ad739" },
  { 10922941, 1081750, "9d8af52504abedf02d5c3c085ca4a2a8858c82eff5a5c46f00692d52ecbc2e45" },
  { 12004691, 1221892, "d8ed6af2743782c6bdb1921d43f5e12b2f3a101a5952d0bd80be7badc2b0673f" },
  { 13226583, 1305514, "9cc6b4e44915ef6a0a9ed738a615b2a7800ddd6f511240578b22ab186ffa2935" },
  { 14532097, 1088685, "380301ac4f78cecee04ef4897f8d38dbf82c308c3011065b3fbf45cf5d2cd3d0" },
  { 15620782, 1098170, "b1e03abad561065370fdc362298761ed75a6640f5d43d7522fe8d6627f4313e4" },
  { 16718952, 1314080, "20446266115f6c1e47941265ab6dd28612994f6c90a504f0dfedf3fc14061e9c" },
  { 18033032, 1228420, "c76c27cc84d11f7ed96b7fd70439f2cd5e076665e1c6bc00d737a5affac86bc9" },
  { 19261452, 1681760, "ec171d78c02833c1666f91be5ab44e18777c108b3d1f023111cf4ee3925d4746" },
  { 20943212, 1277498, "47977dba4c907d6614d1c584bff051bceecfdc6abf595f6b447b6473bee685fa" },
  { 22220710, 1123284, "b9ff3f08cab3dd9245b7f34d0729a6881d753455096d958f65048b790961f3ac" },
  { 23343994, 1539299, "813c00e416d9783d4ea214cbef39bb41e36876ca268c219f354f359dc4f9f894" },
  { 24883293, 282531, "7f780b5b9c24631fc0bf005ee8c10838e24763fac68cbbc74b8c527aa3ec568b" },
};

static const char golden_file_id[] =
  "f1885ae8327518f1458a680fff7d3b6e0e3d9c2bdfab71f13780bb1f97feb8a5";

static void
test_golden_vectors (void)
{
  g_autofree guint8 *data = hearth_test_random_bytes (GOLDEN_SIZE, GOLDEN_SEED);
  g_autoptr(GArray) chunks = chunk_buffer (data, GOLDEN_SIZE);
  g_autoptr(HearthFileDescriptor) descriptor = NULL;
  g_autofree char *file_id = NULL;

  if (g_test_verbose ())
    for (guint i = 0; i < chunks->len; i++)
      {
        const HearthChunk *c = &g_array_index (chunks, HearthChunk, i);
        g_autofree char *hex = hearth_chunk_id_dup_hex (&c->id);

        g_test_message ("{ %" G_GUINT64_FORMAT ", %u, \"%s\" },", c->offset, c->length, hex);
      }

  descriptor = hearth_file_descriptor_new ((HearthChunk *) chunks->data, chunks->len);
  file_id = hearth_chunk_id_dup_hex (hearth_file_descriptor_get_id (descriptor));
  g_test_message ("file ID %s", file_id);

  g_assert_cmpuint (chunks->len, ==, G_N_ELEMENTS (golden_chunks));
  for (guint i = 0; i < chunks->len; i++)
    {
      const HearthChunk *c = &g_array_index (chunks, HearthChunk, i);
      g_autofree char *hex = hearth_chunk_id_dup_hex (&c->id);

      g_assert_cmpuint (c->offset, ==, golden_chunks[i].offset);
      g_assert_cmpuint (c->length, ==, golden_chunks[i].length);
      g_assert_cmpstr (hex, ==, golden_chunks[i].id);
    }
  g_assert_cmpstr (file_id, ==, golden_file_id);
}

/* After an edit at @edit_offset that shifts what follows by @delta bytes,
 * the chunks that end before the edit are unchanged, and from two chunks
 * after the one it touched on, every chunk is the old one, moved. */
static void
assert_edit_contained (GArray  *before,
                       GArray  *after,
                       guint64  edit_offset,
                       gint64   delta)
{
  guint prefix = 0;
  guint suffix = 0;

  while (prefix < after->len && prefix < before->len)
    {
      const HearthChunk *a = &g_array_index (after, HearthChunk, prefix);
      const HearthChunk *b = &g_array_index (before, HearthChunk, prefix);

      if (a->offset + a->length > edit_offset)
        break;
      g_assert_cmpuint (a->length, ==, b->length);
      g_assert_true (hearth_chunk_id_equal (&a->id, &b->id));
      prefix++;
    }

  while (suffix < after->len - prefix && suffix < before->len - prefix)
    {
      const HearthChunk *a = &g_array_index (after, HearthChunk, after->len - 1 - suffix);
      const HearthChunk *b = &g_array_index (before, HearthChunk, before->len - 1 - suffix);

      if (!hearth_chunk_id_equal (&a->id, &b->id))
        break;
      g_assert_cmpint ((gint64) a->offset, ==, (gint64) b->offset + delta);
      suffix++;
    }

  g_assert_cmpuint (after->len - prefix - suffix, <=, 2);
  /* Most of the file is after the edit in these tests: resynchronising
   * must have happened, not merely been allowed. */
  g_assert_cmpuint (suffix, >=, after->len / 2);
}

static void
test_shift_resistance (void)
{
  static const struct
  {
    gsize  at;
    gsize  inserted;
    gsize  deleted;
  } edits[] = {
    { 1000, 7, 0 },
    { 0, 1, 0 },
    { 5000, 0, 5 },
    { CHUNK_MIN - 10, 3, 0 },
    { 9 * MiB + 77, 11, 0 },
    { 9 * MiB + 77, 0, 11 },
  };
  gsize len = 32 * MiB;
  g_autofree guint8 *data = hearth_test_random_bytes (len, 5);
  g_autoptr(GArray) before = chunk_buffer (data, len);

  g_assert_cmpuint (before->len, >, 20);

  for (guint i = 0; i < G_N_ELEMENTS (edits); i++)
    {
      gsize new_len = len + edits[i].inserted - edits[i].deleted;
      g_autofree guint8 *edited = g_malloc (new_len);
      g_autoptr(GArray) after = NULL;

      memcpy (edited, data, edits[i].at);
      memset (edited + edits[i].at, 0xa5, edits[i].inserted);
      memcpy (edited + edits[i].at + edits[i].inserted,
              data + edits[i].at + edits[i].deleted,
              len - edits[i].at - edits[i].deleted);

      after = chunk_buffer (edited, new_len);
      assert_edit_contained (before, after, edits[i].at,
                             (gint64) edits[i].inserted - (gint64) edits[i].deleted);
    }
}

/* The chunk sizes on random data are what the format promises: no chunk
 * outside [MIN, MAX], and a mean near AVG (level-2 normalization puts it
 * a little above: docs/chunking.md). */
static void
test_size_distribution (void)
{
  gsize len = 64 * MiB;
  g_autofree guint8 *data = hearth_test_random_bytes (len, 6);
  g_autoptr(GArray) chunks = chunk_buffer (data, len);
  double mean;

  for (guint i = 0; i + 1 < chunks->len; i++)
    {
      guint32 length = g_array_index (chunks, HearthChunk, i).length;

      g_assert_cmpuint (length, >=, CHUNK_MIN);
      g_assert_cmpuint (length, <=, CHUNK_MAX);
    }

  mean = (double) len / chunks->len;
  g_assert_cmpfloat (mean, >, 0.8 * CHUNK_AVG);
  g_assert_cmpfloat (mean, <, 1.5 * CHUNK_AVG);
}

static void
test_empty_file_id (void)
{
  g_autoptr(HearthFileDescriptor) descriptor = hearth_file_descriptor_new (NULL, 0);
  g_autofree char *hex = hearth_chunk_id_dup_hex (hearth_file_descriptor_get_id (descriptor));

  /* docs/chunking.md: SHA-256 of "hearth.file.v1" NUL and a zero size. */
  g_assert_cmpstr (hex, ==, "0d7a241f97e7dd1b55a59c6de821be136aa5ea12e322f34a377c604c44132ae1");
  g_assert_cmpuint (hearth_file_descriptor_get_n_chunks (descriptor), ==, 0);
  g_assert_cmpuint (hearth_file_descriptor_get_size (descriptor), ==, 0);
}

/* The chunk list's encoding (length u32 LE, ID) read back gives the same
 * descriptor; anything that is not whole chunks of some length is refused. */
static void
test_encoded_round_trip (void)
{
  g_autofree guint8 *data = hearth_test_random_bytes (9 * MiB + 5, 77);
  g_autoptr(GArray) chunks = chunk_buffer (data, 9 * MiB + 5);
  g_autoptr(HearthFileDescriptor) descriptor = NULL;
  g_autoptr(HearthFileDescriptor) decoded = NULL;
  g_autoptr(HearthFileDescriptor) empty = NULL;
  g_autofree guint8 *encoded = NULL;
  gsize len;

  descriptor = hearth_file_descriptor_new ((const HearthChunk *) chunks->data, chunks->len);
  len = (gsize) chunks->len * HEARTH_CHUNK_ENCODED_LEN;
  encoded = g_malloc (len);
  hearth_file_descriptor_encode_chunks (descriptor, encoded);

  decoded = hearth_file_descriptor_new_from_encoded (encoded, len);
  g_assert_nonnull (decoded);
  g_assert_true (hearth_chunk_id_equal (hearth_file_descriptor_get_id (decoded),
                                        hearth_file_descriptor_get_id (descriptor)));
  g_assert_cmpuint (hearth_file_descriptor_get_size (decoded), ==, 9 * MiB + 5);
  g_assert_cmpuint (hearth_file_descriptor_get_chunk (decoded, 1)->offset, ==,
                    hearth_file_descriptor_get_chunk (descriptor, 1)->offset);

  g_assert_null (hearth_file_descriptor_new_from_encoded (encoded, len - 1));
  g_assert_null (hearth_file_descriptor_new_from_encoded (encoded, 3));
  memset (encoded, 0, 4);   /* a chunk of length 0 */
  g_assert_null (hearth_file_descriptor_new_from_encoded (encoded, len));

  empty = hearth_file_descriptor_new_from_encoded (NULL, 0);
  g_assert_nonnull (empty);
  g_assert_cmpuint (hearth_file_descriptor_get_size (empty), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  build_reference_constants ();

  g_test_add_func ("/chunker/gear-table", test_gear_table);
  g_test_add_func ("/chunker/small-inputs", test_small_inputs);
  g_test_add_func ("/chunker/zeros-cut-at-max", test_zeros_cut_at_max);
  g_test_add_func ("/chunker/reference/edges", test_matches_reference_at_edges);
  g_test_add_func ("/chunker/reference/random", test_matches_reference_random);
  g_test_add_func ("/chunker/reference/sparse", test_matches_reference_sparse);
  g_test_add_func ("/chunker/planted-cuts", test_planted_cuts);
  g_test_add_func ("/chunker/golden-vectors", test_golden_vectors);
  g_test_add_func ("/chunker/shift-resistance", test_shift_resistance);
  g_test_add_func ("/chunker/size-distribution", test_size_distribution);
  g_test_add_func ("/chunker/empty-file-id", test_empty_file_id);
  g_test_add_func ("/chunker/encoded-round-trip", test_encoded_round_trip);

  return g_test_run ();
}
