/* merkle.c: coinbase hashing and merkle-root folding for header templates. */
#include "sha256d/merkle.h"

#include <string.h>

#include "precompute/sha256.h"
#include "synth/error.h"

void synth__coinbase_hash(const uint8_t *coinb1, size_t coinb1_len, const uint8_t *en1,
                          size_t en1_len, const uint8_t *en2, size_t en2_len, const uint8_t *coinb2,
                          size_t coinb2_len, uint8_t out[32])
{
  struct synth__sha256 ctx;
  uint8_t first[32];
  synth__sha256_init(&ctx);
  synth__sha256_update(&ctx, coinb1, coinb1_len);
  synth__sha256_update(&ctx, en1, en1_len);
  synth__sha256_update(&ctx, en2, en2_len);
  synth__sha256_update(&ctx, coinb2, coinb2_len);
  synth__sha256_final(&ctx, first);
  synth__sha256(first, sizeof first, out);
}

void synth__merkle_fold(const uint8_t leaf[32], const uint8_t (*branches)[32], size_t count,
                        uint8_t root[32])
{
  uint8_t pair[64];
  memcpy(pair, leaf, 32);
  for (size_t i = 0; i < count; i++) {
    memcpy(pair + 32, branches[i], 32);
    synth__sha256d(pair, sizeof pair, pair);
  }
  memcpy(root, pair, 32);
}

int synth__merkle_root(uint8_t (*hashes)[32], size_t count, uint8_t root[32])
{
  if (!hashes || count == 0)
    return SYNTH_EINVAL;
  uint8_t pair[64];
  while (count > 1) {
    size_t next = 0;
    for (size_t i = 0; i < count; i += 2) {
      memcpy(pair, hashes[i], 32);
      memcpy(pair + 32, hashes[i + 1 < count ? i + 1 : i], 32);
      synth__sha256d(pair, sizeof pair, hashes[next++]);
    }
    count = next;
  }
  memcpy(root, hashes[0], 32);
  return 0;
}
