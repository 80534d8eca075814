/* hearth-chunker.c
 *
 * Copyright 2026 The Hearth authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "HearthEngine"

#include "config.h"

#include "hearth-chunker.h"
#include "hearth-sha256.h"

/* Chunking format v1 (docs/chunking.md has the full definition).
 *
 * A chunk of length n (MIN <= n < MAX) ends where the gear hash of its last
 * 63 bytes, ANDed with a mask, is zero:
 *
 *   h(p) = sum over j = 0..62 of gear[data[p - j]] << j   (mod 2^64)
 *
 * and the chunk is cut at the first n with (h(n - 1) & mask) == 0, where
 * mask is MASK_SMALL while n < AVG and MASK_LARGE from AVG on (FastCDC's
 * normalized chunking, level 2). Without such an n the chunk is MAX long,
 * or runs to the end of the data.
 *
 * Both masks leave bit 63 clear, so the test at p depends on exactly the
 * 63 bytes ending at p and on nothing before them: not on where the chunk
 * started, nor on what was hashed before. The scan can therefore start
 * anywhere after a 62-byte warm-up, which is what lets it run two
 * independent lanes below. */

/* splitmix64, seeded with "hearthv1" read as a big-endian integer
 * (0x6865617274687631): entry i is the generator's (i + 1)th output.
 * tests/test-chunker.c regenerates it. Written once, expanded twice: as
 * is, and shifted left by one bit for the two-bytes-per-step loop. */
#define GEAR_TABLE(X) \
  X (0x28c6505afdd1f4c2) X (0x8f4c394a9130da14) X (0x3e8ccc4423536958) \
  X (0xc5560ec68995422f) X (0x399f2cc1086cd37a) X (0x9a1aa2ffb26f568a) \
  X (0x1f0a6ea9eee73bc5) X (0x8278b6f590391ba6) X (0xfa7c2f607f9259ac) \
  X (0x2c2999d1a70df5f0) X (0xe23ad3724836281a) X (0x88f38c91bd0d0d91) \
  X (0xde985ced4a290b57) X (0x30a62bb92dd01fc2) X (0xa5331902a0c7f301) \
  X (0x83f0f8cf1bdf7a29) X (0xfe7c9c65cd1d9677) X (0xab043cf04be2d81e) \
  X (0xc6e75ba5535fa1c4) X (0xcee4d538a37762d7) X (0x050609fe5dadb6da) \
  X (0xadc2ac12a93a5417) X (0x1fc518fdeeef9039) X (0x2628bf730b199954) \
  X (0x0fc804b9f39e6a23) X (0xa4ed8adb8282eebd) X (0x46189791c4cbd2e2) \
  X (0xc140bd864fb79940) X (0x19c0399739e7ef28) X (0x7ae33fc997fe8b98) \
  X (0x0883265d35db5282) X (0xcf47bfb06c29bb8e) X (0x189f564b6718460b) \
  X (0xf497e7ac002a1545) X (0x86dcd0a19fa226eb) X (0x88aed5a0fd8ade31) \
  X (0x18c9b0902ac9054e) X (0xa3436b4699e35ac4) X (0x1be13ff566ff5ab9) \
  X (0x681976004a359cc2) X (0xed9cb4f78ab2eff6) X (0x7136125d968fe2c0) \
  X (0x903b3f3d799b9de7) X (0xa581dcb21d3fe368) X (0x659ebeb0c2520dfd) \
  X (0x9de98f5e11b08939) X (0x27e5a35914a2fc24) X (0x786530795a63c3eb) \
  X (0x0072a9cac7657bed) X (0xefc36f96df2bf53a) X (0x43dcbb90ef24554b) \
  X (0x50d3eed59b067bd5) X (0x03a76f140c4d1ffd) X (0x8541a80ec7465c6f) \
  X (0xdfa3080f16d46901) X (0xdec9dbe1d2648af9) X (0xe7c0d72e00e929c0) \
  X (0x6679406994527b1b) X (0x071ea9deddbccebc) X (0x4d355183a43ac050) \
  X (0x63f275acbae4fbb5) X (0x1795ab5022f789ce) X (0xcc2beec53cbf1238) \
  X (0xe8ce4e9f69d86520) X (0x3530cc5f923c62ec) X (0xeefce5cf242b0782) \
  X (0x241edba4b332f2af) X (0xfe6dd815d3701bdc) X (0xaf492c525993f383) \
  X (0x122165cfbe82e17b) X (0x5c29d5b4ed3cd464) X (0x1378fbda11131600) \
  X (0x0c469432974a6393) X (0x7e280abd62a13dc3) X (0x7c58a3ec132dfb1d) \
  X (0x5e04255eead19558) X (0xe93bf884f1ba1bb3) X (0xd8dddac7e6f0d40e) \
  X (0xb91e5c0bdf862720) X (0x0293915215c6bab0) X (0xebe547992c1b45c5) \
  X (0x235541fb9a1d3400) X (0x99eeea79724b8be9) X (0x90512a47b629e2a8) \
  X (0xfe554c5578abfd67) X (0x95db2e4234a16bc0) X (0x464752d41310d563) \
  X (0x9dc84764864e7d11) X (0x2ccecaefe0c1bd26) X (0xffaf10dd95e6ae3c) \
  X (0x2bc223a81f66e933) X (0x66587b7a714e480f) X (0x2aec197959343750) \
  X (0x030a9fdec2dc5565) X (0x8772b69f759ff32e) X (0x05f8f805ebbc0069) \
  X (0x0b7d1b79f497d794) X (0x82307f5b3bd493c5) X (0x440bab2e73c9c41f) \
  X (0x19e3bee8e3dba2b3) X (0xdc04940a66bf42cc) X (0x5cf25d39875baeda) \
  X (0x3187224551755770) X (0x984c8ff246cf5fc2) X (0xfb16f73787a0d77b) \
  X (0x00752b9b33a07e30) X (0x23e803e4a5278197) X (0x416f4d13462a0583) \
  X (0x33ebe8b0d6aa9c5f) X (0x2572af8a4013827b) X (0x704bb13f2da6e905) \
  X (0xacaecf9436a64858) X (0x73db7d576866f489) X (0xfc30b79791f68c44) \
  X (0xbcfbc9c80bca773c) X (0x59c4d1e98e736556) X (0x369cc7aa49d2426e) \
  X (0x022b8af3aba627fa) X (0xe902f1c113298926) X (0x010115a25c635668) \
  X (0xc7d1b6aced015437) X (0x3764594eedfb3cb2) X (0xf3ce33030840322f) \
  X (0xd5ad08935290ffd0) X (0x3a16788e5d748179) X (0x1102787dc882eb72) \
  X (0x9e5d6f04caecbc8e) X (0x58ada9ce136f7f7f) X (0x29652d557351c9ed) \
  X (0xadb73b3cff92a9b9) X (0x521b9c4ccc00b1e1) X (0xa1628039df7255e2) \
  X (0x369155a6b0c66b32) X (0xb98edd553d417363) X (0x931230668f164d02) \
  X (0x9ed4a1d6502099db) X (0x3f350cd110147d48) X (0x5bb04db64f3be959) \
  X (0x973ed8e4d3f1088e) X (0xdf3b63e49bfc849f) X (0x962d8ef45a0c8209) \
  X (0x7e635f123ca26a85) X (0x34ea2b0eae4cb357) X (0x5c8b2c043e1f1a18) \
  X (0x0518185bc1b7953b) X (0x3bfdc268d088c92a) X (0x73a66cc139d57b16) \
  X (0xfd634a3cf5f4ef57) X (0xc18f5f4f5adf3449) X (0x5aabbb9f98967b53) \
  X (0x4335a19fe56c7a8a) X (0xea45ce918efabe43) X (0xb3cf880db9baae64) \
  X (0x421d09ba4ef020a4) X (0x31c5934f39ccb0c7) X (0xcf3088425348513d) \
  X (0xb9471b2569968018) X (0xfedede869abc7ba4) X (0xeeceedfadf6a7376) \
  X (0x769206213e42790e) X (0x7f0b3ed70ae210cf) X (0xc70bdbc0b476d67e) \
  X (0x53acd70533dde5cd) X (0x5a5b298f7ab707ae) X (0xefdf675451228353) \
  X (0x31a66ceb9cc41746) X (0x35cde1664cd58110) X (0xc76db3d51b33a3bf) \
  X (0x777128f689a81b67) X (0x3d1daa02d45a7e04) X (0x01ff6c83bbb8da52) \
  X (0xe0353f03f92012e2) X (0xd9e875011715a620) X (0xe2b1af941e688e84) \
  X (0xb46f4e8a8cad07f1) X (0x4fa886eb7b74f49d) X (0xc233095b12c44ea4) \
  X (0x815f30c99affbebd) X (0x9c519f3ce6222e07) X (0x8ef09450cd47b266) \
  X (0xacb699c36b66539f) X (0xba172e15bca75e87) X (0x2ebe85243416b646) \
  X (0x7883ef62dde7c483) X (0x926051821e2778d6) X (0xc3aae8b4fee08ed6) \
  X (0xa4ab23b1c07e3b31) X (0x639568c01f806825) X (0xabee5fe4553b86bd) \
  X (0x0daebfcb9e1bded6) X (0x8306e13b2fee2755) X (0xab933020550fda8a) \
  X (0x1ed0fae520b8b14b) X (0x7ade37f0583826a4) X (0x3006a9f6c5333962) \
  X (0xc451cd80e06ac347) X (0xbcbc3f86262584f4) X (0x8c7fd475e5f67739) \
  X (0x7c32909801b88caf) X (0x0bed0779954ab04b) X (0xd0f63caf0f1b155f) \
  X (0x4390320dd1190a64) X (0xc9f765b43e983f08) X (0xb7d8c184b971b54d) \
  X (0x09cbd6399cf2137c) X (0x3dcb55151019bbfc) X (0x8b223c386f8263fb) \
  X (0x84fb9efb6e3c14d3) X (0x5e9c75632e66b60b) X (0x5ec612cd62f5577a) \
  X (0xbfdaf06c0ab03ed4) X (0x21179bc197dd9822) X (0x9779265e0781405e) \
  X (0xfb2ff2d29aadb6a8) X (0x87dcfceff8dbfe61) X (0xb6ed2e8c621df98e) \
  X (0xfc9e450f48335159) X (0xbf5c062cef67f821) X (0x59d046ecb4af75e3) \
  X (0x6414357649c727e9) X (0x4e144998327a12b1) X (0xd658a45a3b3c28a4) \
  X (0x780f8cba3173fd7b) X (0xeb174551ea73a59f) X (0x57f666ba9d3690cb) \
  X (0xb35ea516e89a5f88) X (0x94793d4ebc266314) X (0xea3a5912430baf7d) \
  X (0xcf7b8a0b7d33b5d0) X (0xbe3de82a9b220edc) X (0x1565a6198929dd02) \
  X (0x643ff03431a37da8) X (0x413a4ef99ca79687) X (0xeb458f697b440e58) \
  X (0xde788b0ad91463b3) X (0xc194ffc3cd54f9e5) X (0x591a4c5719b8ea10) \
  X (0x82cf74b9cdb227fb) X (0xccffc867fb6e4b80) X (0x8189f56d2ec04473) \
  X (0x8490e075a39b050d) X (0xa3dcb66afea05e0a) X (0x5e063cb8a577cae7) \
  X (0xc0d9eb0b6b6136c7) X (0xd212e1b5176a09d2) X (0x540b20779b6f2fd3) \
  X (0xc777c6f7e20e8493) X (0xde2272f8cc04801f) X (0x878edb1cad6c22f7) \
  X (0x99b980a36661807a) X (0x701f1c1f1e0177db) X (0x7585c1acee3475f5) \
  X (0x812157cbe879233d) X (0x5e62e33975e48898) X (0x7504bd0561d13fcf) \
  X (0x329c5faf65add7d4)
#define GEAR_PLAIN(v)   G_GUINT64_CONSTANT (v),
#define GEAR_SHIFTED(v) (G_GUINT64_CONSTANT (v) << 1),

static const guint64 gear[256] = { GEAR_TABLE (GEAR_PLAIN) };
static const guint64 gear_shifted[256] = { GEAR_TABLE (GEAR_SHIFTED) };

/* log2 (AVG) = 20 one-bits would give chunks of AVG on average; level-2
 * normalization uses 22 before AVG and 18 after it, which makes chunks
 * shorter than AVG rarer and longer ones much rarer. The bits are every
 * other one from bit 62 down: spread over the high bits, so that each test
 * depends on the whole 63-byte window, and never bit 63 (see above). */
#define MASK_SMALL G_GUINT64_CONSTANT (0x5555555555500000) /* bits 62, 60, ... 20 */
#define MASK_LARGE G_GUINT64_CONSTANT (0x5555555550000000) /* bits 62, 60, ... 28 */

#define WINDOW 63

/* hearth_chunker_next_chunk() hashes what it has scanned every this many
 * bytes: the stretch is still in the L1 and L2 caches then. Hashing the
 * whole chunk after cutting it, from farther away, is 10% slower overall
 * (docs/chunking.md). */
#define HASH_STEP (64 * 1024)

/* Each of the two lanes scans this many bytes per round. Large enough that
 * the warm-up is noise (62 bytes in 4096), small enough that rescanning a
 * round after a hit costs little. */
#define LANE_BLOCK 4096

/* Returns h(@pos - 1) over the 62 bytes before @pos, ready for the test at
 * @pos. The caller guarantees pos >= 62. */
static inline guint64
warm_up (const guint8 *data,
         gsize         pos)
{
  guint64 fp = 0;

  for (gsize k = pos - (WINDOW - 1); k < pos; k += 2)
    fp = (fp << 2) + gear_shifted[data[k]] + gear[data[k + 1]];

  return fp;
}

/* Tests the positions [@first, @end) in order and returns the chunk length
 * of the first hit, or 0. Two bytes per step, as in FastCDC 2020: shifting
 * the hash by two and adding gear_shifted[a] gives h(k) << 1, which is
 * tested against the mask shifted the same way; adding gear[b] then gives
 * h(k + 1). This saves a shift per byte, and the shifted table makes the
 * step's critical path one shift and two adds. */
static gsize
scan_one_lane (const guint8 *data,
               gsize         first,
               gsize         end,
               guint64       mask)
{
  guint64 mask_shifted = mask << 1;
  guint64 fp = warm_up (data, first);
  gsize k = first;

  for (; k + 2 <= end; k += 2)
    {
      guint64 fp_even = (fp << 2) + gear_shifted[data[k]];

      fp = fp_even + gear[data[k + 1]];

      if (G_UNLIKELY ((fp_even & mask_shifted) == 0))
        return k + 1;
      if (G_UNLIKELY ((fp & mask) == 0))
        return k + 2;
    }

  if (k < end)
    {
      fp = (fp << 1) + gear[data[k]];
      if ((fp & mask) == 0)
        return k + 1;
    }

  return 0;
}

/* scan_one_lane() with the range cut into rounds of two adjacent blocks,
 * hashed side by side. One lane's hash is a chain of dependent adds; two
 * independent chains keep the CPU's ALUs busy, nearly doubling throughput
 * (docs/chunking.md has the figures). A hit ends the round: the first
 * block is rescanned alone, then the second, so the earliest hit wins. */
static gsize
scan (const guint8 *data,
      gsize         first,
      gsize         end,
      guint64       mask)
{
  guint64 mask_shifted = mask << 1;
  gsize k = first;

  for (; end - k >= 2 * LANE_BLOCK; k += 2 * LANE_BLOCK)
    {
      const guint8 *a = data + k;
      const guint8 *b = data + k + LANE_BLOCK;
      guint64 fa = warm_up (data, k);
      guint64 fb = warm_up (data, k + LANE_BLOCK);
      gsize i;

      for (i = 0; i < LANE_BLOCK; i += 2)
        {
          guint64 fa_even = (fa << 2) + gear_shifted[a[i]];
          guint64 fb_even = (fb << 2) + gear_shifted[b[i]];

          fa = fa_even + gear[a[i + 1]];
          fb = fb_even + gear[b[i + 1]];

          if (G_UNLIKELY ((fa_even & mask_shifted) == 0 || (fa & mask) == 0 ||
                          (fb_even & mask_shifted) == 0 || (fb & mask) == 0))
            break;
        }

      if (i < LANE_BLOCK)
        {
          gsize cut = scan_one_lane (data, k, k + LANE_BLOCK, mask);

          if (cut == 0)
            cut = scan_one_lane (data, k + LANE_BLOCK, k + 2 * LANE_BLOCK, mask);
          return cut;
        }
    }

  return k < end ? scan_one_lane (data, k, end, mask) : 0;
}

/* scan(), and with @sha, in stretches of HASH_STEP positions: when a
 * stretch holds no cut the chunk extends past it, so its bytes are the
 * chunk's and go into @sha, which has had everything before *@hashed. */
static gsize
scan_hashing (const guint8  *data,
              gsize          first,
              gsize          end,
              guint64        mask,
              HearthSha256  *sha,
              gsize         *hashed)
{
  if (sha == NULL)
    return scan (data, first, end, mask);

  for (gsize k = first; k < end; k += HASH_STEP)
    {
      gsize step_end = MIN (k + HASH_STEP, end);
      gsize cut = scan (data, k, step_end, mask);

      if (cut != 0)
        return cut;

      hearth_sha256_update (sha, data + *hashed, step_end - *hashed);
      *hashed = step_end;
    }

  return 0;
}

/* Position p tests the chunk length p + 1: lengths [MIN, AVG) with the
 * small mask, then [AVG, limit) with the large one. With @sha, the bytes
 * scanned are hashed on the way. */
static gsize
find_cut (const guint8 *data,
          gsize         len,
          HearthSha256 *sha,
          gsize        *hashed)
{
  gsize limit = MIN (len, HEARTH_CHUNK_SIZE_MAX);
  gsize cut;

  cut = scan_hashing (data,
                      HEARTH_CHUNK_SIZE_MIN - 1,
                      MIN (limit, HEARTH_CHUNK_SIZE_AVG) - 1,
                      MASK_SMALL, sha, hashed);

  if (cut == 0 && limit > HEARTH_CHUNK_SIZE_AVG)
    cut = scan_hashing (data,
                        HEARTH_CHUNK_SIZE_AVG - 1,
                        limit - 1,
                        MASK_LARGE, sha, hashed);

  return cut != 0 ? cut : limit;
}

gsize
hearth_chunker_next_cut (const guint8 *data,
                         gsize         len)
{
  g_return_val_if_fail (data != NULL || len == 0, 0);

  if (len <= HEARTH_CHUNK_SIZE_MIN)
    return len;

  return find_cut (data, len, NULL, NULL);
}

/* The first MIN bytes are the chunk's whatever follows, and are never
 * scanned: nothing has brought them into the cache. Prefetching a stretch
 * ahead of SHA-256 keeps it from waiting on memory (5 to 10% overall). */
static void
hash_minimum (const guint8 *data,
              HearthSha256 *sha)
{
  for (gsize k = 0; k < HEARTH_CHUNK_SIZE_MIN; k += HASH_STEP)
    {
      gsize ahead_end = MIN (k + 2 * HASH_STEP, HEARTH_CHUNK_SIZE_MIN);

      for (gsize j = k + HASH_STEP; j < ahead_end; j += 64)
        __builtin_prefetch (data + j);

      hearth_sha256_update (sha, data + k, HASH_STEP);
    }
}

gsize
hearth_chunker_next_chunk (const guint8  *data,
                           gsize          len,
                           HearthSha256  *sha,
                           HearthChunkId *id)
{
  gsize hashed = 0;
  gsize cut;

  g_return_val_if_fail (data != NULL || len == 0, 0);
  g_return_val_if_fail (sha != NULL, 0);
  g_return_val_if_fail (id != NULL, 0);

  if (len <= HEARTH_CHUNK_SIZE_MIN)
    {
      cut = len;
    }
  else
    {
      hash_minimum (data, sha);
      hashed = HEARTH_CHUNK_SIZE_MIN;
      cut = find_cut (data, len, sha, &hashed);
    }

  hearth_sha256_update (sha, data + hashed, cut - hashed);
  hearth_sha256_finish (sha, id);

  return cut;
}

const guint64 *
hearth_chunker_get_gear_table (void)
{
  return gear;
}

void
hearth_chunker_get_masks (guint64 *mask_small,
                          guint64 *mask_large)
{
  if (mask_small != NULL)
    *mask_small = MASK_SMALL;
  if (mask_large != NULL)
    *mask_large = MASK_LARGE;
}

G_STATIC_ASSERT (HEARTH_CHUNK_SIZE_MIN >= WINDOW);
G_STATIC_ASSERT (HEARTH_CHUNK_SIZE_MIN % HASH_STEP == 0);
G_STATIC_ASSERT (HEARTH_CHUNK_SIZE_MIN % 2 == 0 && HEARTH_CHUNK_SIZE_AVG % 2 == 0);
G_STATIC_ASSERT ((MASK_SMALL >> 63) == 0 && (MASK_LARGE >> 63) == 0);
