/* fixtures.h: real Bitcoin block headers and helpers to build reference data with OpenSSL. */
#ifndef SYNTH_TESTS_FIXTURES_H
#define SYNTH_TESTS_FIXTURES_H

#include <stddef.h>
#include <stdint.h>

struct synth_test_block {
  const char *name;
  const char *header_hex; /* the 80 serialized header bytes */
  const char *hash_hex;   /* the block hash as explorers show it (byte-reversed digest) */
};

extern const struct synth_test_block synth_test_blocks[];
extern const size_t synth_test_block_count;

/* Decodes a fixture's header and its digest-order hash. */
void synth_test_block_decode(const struct synth_test_block *b, uint8_t header[80],
                             uint8_t digest[32]);

/* SHA-256d by OpenSSL, the independent reference. */
void synth_test_ref_sha256d(const void *data, size_t len, uint8_t out[32]);

/* Whether a little-endian 256-bit hash is <= target, by plain byte comparison. */
int synth_test_ref_meets(const uint8_t hash[32], const uint8_t target[32]);

/* A target whose top 32-bit word is top_word and the rest all ones: about top_word / 2^32 of
 * hashes meet it. */
void synth_test_easy_target(uint32_t top_word, uint8_t target[32]);

/* Lowers a little-endian 256-bit target by one, so a hash planted equal to it now misses. */
void synth_test_target_minus_one(uint8_t target[32]);

/* A random header with a random nonce in it and the target equal to that nonce's hash (met:
 * equal counts), for the boundary tests; returns the nonce. */
uint32_t synth_test_plant(uint8_t header[80], uint8_t target[32]);

/* The nonces of [start, start + count) whose SHA-256d of header meets target, by OpenSSL, in
 * order: at most max of them are stored; returns how many were. */
uint32_t synth_test_ref_hits(const uint8_t header[80], const uint8_t target[32], uint32_t start,
                             uint32_t count, uint32_t *hits, uint32_t max);

#endif
