/* hashcash_sha256.h: the example's own SHA-256 (FIPS 180-4); an embedding program brings its
 * own hash code, the library only schedules it. */
#ifndef HASHCASH_SHA256_H
#define HASHCASH_SHA256_H

#include <stddef.h>
#include <stdint.h>

extern const uint32_t hashcash_sha256_iv[8];

/* One compression of a block given as 16 big-endian words. */
void hashcash_sha256_compress(uint32_t state[8], const uint32_t w[16]);

/* A block of 64 bytes as 16 big-endian words. */
void hashcash_sha256_words(const uint8_t block[64], uint32_t w[16]);

/* SHA-256 of len bytes. */
void hashcash_sha256(const void *data, size_t len, uint8_t digest[32]);

#endif
