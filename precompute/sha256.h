/* sha256.h: SHA-256 reference implementation (FIPS 180-4) and the helpers hash cores share. */
#ifndef SYNTH_PRECOMPUTE_SHA256_H
#define SYNTH_PRECOMPUTE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "synth/export.h"

/* Round constants K[0..63] and the initial hash value H(0). */
extern const uint32_t synth__sha256_k[64];
extern const uint32_t synth__sha256_iv[8];

struct synth__sha256 {
  uint32_t state[8];
  uint64_t length; /* bytes absorbed so far */
  uint8_t block[64];
  size_t fill; /* bytes waiting in block */
};

/* Streaming interface. None of these can fail; each context is used by one thread. */
void synth__sha256_init(struct synth__sha256 *ctx);
void synth__sha256_update(struct synth__sha256 *ctx, const void *data, size_t len);
void synth__sha256_final(struct synth__sha256 *ctx, uint8_t digest[32]);

/* One-shot SHA-256 and SHA-256d (SHA-256 of the SHA-256) of a buffer; exported for libsynth-pool.
 */
SYNTH_EXTERN void synth__sha256(const void *data, size_t len, uint8_t digest[32]);
SYNTH_EXTERN void synth__sha256d(const void *data, size_t len, uint8_t digest[32]);

/* The compression function: absorbs one 64-byte block into state. */
void synth__sha256_compress(uint32_t state[8], const uint8_t block[64]);

static inline uint32_t synth__rotr32(uint32_t x, unsigned n)
{
  return (x >> n) | (x << (32 - n));
}

/* The FIPS 180-4 functions, named as in the standard. */
#define SYNTH_SHA_CH(x, y, z) (((x) & (y)) ^ (~(x) & (z)))
#define SYNTH_SHA_MAJ(x, y, z) (((x) & (y)) ^ ((x) & (z)) ^ ((y) & (z)))
#define SYNTH_SHA_BSIG0(x) (synth__rotr32((x), 2) ^ synth__rotr32((x), 13) ^ synth__rotr32((x), 22))
#define SYNTH_SHA_BSIG1(x) (synth__rotr32((x), 6) ^ synth__rotr32((x), 11) ^ synth__rotr32((x), 25))
#define SYNTH_SHA_SSIG0(x) (synth__rotr32((x), 7) ^ synth__rotr32((x), 18) ^ ((x) >> 3))
#define SYNTH_SHA_SSIG1(x) (synth__rotr32((x), 17) ^ synth__rotr32((x), 19) ^ ((x) >> 10))

/* One round on the working variables s[0..7] = a..h, with kw = K[t] + W[t]. */
static inline void synth__sha256_round(uint32_t s[8], uint32_t kw)
{
  uint32_t t1 = s[7] + SYNTH_SHA_BSIG1(s[4]) + SYNTH_SHA_CH(s[4], s[5], s[6]) + kw;
  uint32_t t2 = SYNTH_SHA_BSIG0(s[0]) + SYNTH_SHA_MAJ(s[0], s[1], s[2]);
  s[7] = s[6];
  s[6] = s[5];
  s[5] = s[4];
  s[4] = s[3] + t1;
  s[3] = s[2];
  s[2] = s[1];
  s[1] = s[0];
  s[0] = t1 + t2;
}

static inline uint32_t synth__load_be32(const uint8_t *p)
{
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void synth__store_be32(uint8_t *p, uint32_t v)
{
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

static inline uint32_t synth__load_le32(const uint8_t *p)
{
  return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static inline void synth__store_le32(uint8_t *p, uint32_t v)
{
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

static inline uint32_t synth__bswap32(uint32_t v)
{
  return __builtin_bswap32(v);
}

#endif
