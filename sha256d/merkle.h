/* merkle.h: coinbase hashing and merkle-root folding for header templates. */
#ifndef SYNTH_PRECOMPUTE_MERKLE_H
#define SYNTH_PRECOMPUTE_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "synth/export.h"

/* SHA-256d of coinb1 || extranonce1 || extranonce2 || coinb2, the coinbase transaction id in
 * digest byte order. Cannot fail. */
void synth__coinbase_hash(const uint8_t *coinb1, size_t coinb1_len, const uint8_t *en1,
                          size_t en1_len, const uint8_t *en2, size_t en2_len, const uint8_t *coinb2,
                          size_t coinb2_len, uint8_t out[32]);

/* Folds a leaf hash with Stratum merkle branches: h = SHA-256d(h || branch) per branch.
 * root may alias leaf. Cannot fail. */
void synth__merkle_fold(const uint8_t leaf[32], const uint8_t (*branches)[32], size_t count,
                        uint8_t root[32]);

/* The merkle root of @count leaf hashes (a transaction list's ids in digest order), as Bitcoin
 * makes it: pairs hashed with SHA-256d level by level, an odd level's last hash paired with
 * itself. Folds in place: @hashes is overwritten. Returns 0, or SYNTH_EINVAL when @count is 0.
 * Exported for libsynth-pool. */
SYNTH_EXTERN int synth__merkle_root(uint8_t (*hashes)[32], size_t count, uint8_t root[32]);

#endif
