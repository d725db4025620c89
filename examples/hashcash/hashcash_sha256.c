/* hashcash_sha256.c: plain SHA-256, the CPU scan's and the reference's. */
#include "hashcash_sha256.h"

#include <string.h>

#include <synth/kernels/sha256_k.h>

const uint32_t hashcash_sha256_iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

static const uint32_t k[64] = {SYNTH_SHA256_K}; /* synth's table, installed for kernels */

static inline uint32_t rotr(uint32_t x, unsigned n)
{
  return (x >> n) | (x << (32 - n));
}

void hashcash_sha256_compress(uint32_t state[8], const uint32_t block[16])
{
  uint32_t w[64];
  memcpy(w, block, sizeof(uint32_t) * 16);
  for (int i = 16; i < 64; i++) {
    uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
  uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
  for (int i = 0; i < 64; i++) {
    uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + k[i] + w[i];
    uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    h = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
  }
  state[0] += a, state[1] += b, state[2] += c, state[3] += d;
  state[4] += e, state[5] += f, state[6] += g, state[7] += h;
}

void hashcash_sha256_words(const uint8_t block[64], uint32_t w[16])
{
  for (int i = 0; i < 16; i++)
    w[i] = (uint32_t)block[4 * i] << 24 | (uint32_t)block[4 * i + 1] << 16 |
           (uint32_t)block[4 * i + 2] << 8 | block[4 * i + 3];
}

void hashcash_sha256(const void *data, size_t len, uint8_t digest[32])
{
  uint32_t state[8], w[16];
  memcpy(state, hashcash_sha256_iv, sizeof state);
  const uint8_t *p = data;
  size_t left = len;
  for (; left >= 64; p += 64, left -= 64) {
    hashcash_sha256_words(p, w);
    hashcash_sha256_compress(state, w);
  }
  /* The tail, the 0x80 byte and the bit length: one block or two. */
  uint8_t tail[128] = {0};
  memcpy(tail, p, left);
  tail[left] = 0x80;
  size_t blocks = left + 9 > 64 ? 2 : 1;
  uint64_t bits = (uint64_t)len * 8;
  for (int i = 0; i < 8; i++)
    tail[blocks * 64 - 1 - i] = (uint8_t)(bits >> (8 * i));
  for (size_t b = 0; b < blocks; b++) {
    hashcash_sha256_words(tail + 64 * b, w);
    hashcash_sha256_compress(state, w);
  }
  for (int i = 0; i < 8; i++)
    for (int j = 0; j < 4; j++)
      digest[4 * i + j] = (uint8_t)(state[i] >> (24 - 8 * j));
}
