/* sha256.c: SHA-256 reference implementation, written from FIPS 180-4 for clarity, not speed. */
#include "precompute/sha256.h"

#include <string.h>

#include "kernels/sha256_k.h"

const uint32_t synth__sha256_k[64] = {SYNTH_SHA256_K}; /* the one table, shared with the kernels */

const uint32_t synth__sha256_iv[8] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

void synth__sha256_compress(uint32_t state[8], const uint8_t block[64])
{
  uint32_t w[64];
  for (int t = 0; t < 16; t++)
    w[t] = synth__load_be32(block + 4 * t);
  for (int t = 16; t < 64; t++)
    w[t] = SYNTH_SHA_SSIG1(w[t - 2]) + w[t - 7] + SYNTH_SHA_SSIG0(w[t - 15]) + w[t - 16];

  uint32_t s[8];
  memcpy(s, state, sizeof s);
  for (int t = 0; t < 64; t++)
    synth__sha256_round(s, synth__sha256_k[t] + w[t]);
  for (int i = 0; i < 8; i++)
    state[i] += s[i];
}

void synth__sha256_init(struct synth__sha256 *ctx)
{
  memcpy(ctx->state, synth__sha256_iv, sizeof ctx->state);
  ctx->length = 0;
  ctx->fill = 0;
}

void synth__sha256_update(struct synth__sha256 *ctx, const void *data, size_t len)
{
  const uint8_t *p = data;
  ctx->length += len;
  while (len > 0) {
    size_t take = 64 - ctx->fill;
    if (take > len)
      take = len;
    memcpy(ctx->block + ctx->fill, p, take);
    ctx->fill += take;
    p += take;
    len -= take;
    if (ctx->fill == 64) {
      synth__sha256_compress(ctx->state, ctx->block);
      ctx->fill = 0;
    }
  }
}

void synth__sha256_final(struct synth__sha256 *ctx, uint8_t digest[32])
{
  uint64_t bits = ctx->length * 8;
  uint8_t pad[72] = {0x80};
  /* Pad to 56 mod 64, then append the 64-bit big-endian bit length. */
  size_t padlen = (ctx->fill < 56) ? 56 - ctx->fill : 120 - ctx->fill;
  for (int i = 0; i < 8; i++)
    pad[padlen + (size_t)i] = (uint8_t)(bits >> (56 - 8 * i));
  synth__sha256_update(ctx, pad, padlen + 8);
  for (int i = 0; i < 8; i++)
    synth__store_be32(digest + 4 * i, ctx->state[i]);
}

void synth__sha256(const void *data, size_t len, uint8_t digest[32])
{
  struct synth__sha256 ctx;
  synth__sha256_init(&ctx);
  synth__sha256_update(&ctx, data, len);
  synth__sha256_final(&ctx, digest);
}

void synth__sha256d(const void *data, size_t len, uint8_t digest[32])
{
  uint8_t first[32];
  synth__sha256(data, len, first);
  synth__sha256(first, sizeof first, digest);
}
