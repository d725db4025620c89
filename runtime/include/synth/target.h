/* target.h: 256-bit proof-of-work targets from nbits and from pool difficulty. */
#ifndef SYNTH_TARGET_H
#define SYNTH_TARGET_H

#include <stdint.h>

#include "synth/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Targets and hashes are 32-byte little-endian integers: byte 0 is the least significant,
 * exactly as the digest bytes of SHA-256d are compared by Bitcoin. A hash meets a target
 * when hash <= target.
 */

/* Expands a compact "nbits" value. Returns 0, or SYNTH_EINVAL for a negative or overflowing
 * encoding (target left zeroed). Thread-safe. */
SYNTH_EXTERN int synth_target_from_nbits(uint32_t nbits, uint8_t target[32]);

/* Pool difficulty to share target: 0x00000000ffff0000...0000 / difficulty. Fractional
 * difficulties are allowed; a difficulty so low that the target passes 2^256 - 1 gives the
 * all-ones target. Returns 0, or SYNTH_EINVAL if difficulty is not finite and positive.
 * Thread-safe. */
SYNTH_EXTERN int synth_target_from_difficulty(double difficulty, uint8_t target[32]);

/* The difficulty a target stands for (inverse of the above); 0 for the zero target. */
SYNTH_EXTERN double synth_target_to_difficulty(const uint8_t target[32]);

/* 1 if hash <= target, else 0. Thread-safe. */
SYNTH_EXTERN int synth_hash_meets_target(const uint8_t hash[32], const uint8_t target[32]);

#ifdef __cplusplus
}
#endif

#endif
