/* sha256.c: SHA-256 reference implementation, written from FIPS 180-4 for clarity, not speed. */
#include "precompute/sha256.h"

#include <string.h>

const uint32_t synth__sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

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
