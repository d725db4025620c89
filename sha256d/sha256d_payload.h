/* sha256d_payload.h: what a SHA-256d scan needs of one header, computed once per roll. */
#ifndef SYNTH_PRECOMPUTE_SHA256D_PAYLOAD_H
#define SYNTH_PRECOMPUTE_SHA256D_PAYLOAD_H

#include <stdint.h>

/*
 * An 80-byte header is two SHA-256 blocks: block 1 is bytes 0..63, block 2 holds the last 16
 * bytes (merkle tail, ntime, nbits, nonce) and constant padding. Only word 3 of block 2 (the
 * nonce) changes inside a roll, so everything before it is computed here, once:
 *   - the midstate (state after block 1);
 *   - block 2's words 0..2 and its state after rounds 0..2;
 *   - round 3 up to the addition of the nonce word;
 *   - the message-schedule terms W16..W19 minus their nonce-dependent parts.
 * Hash cores and device kernels read this layout; every field is a host-endian uint32_t so it
 * can be copied to a device as is. Its size is a multiple of 16 bytes (a vec4 array).
 */
struct synth__sha256d_payload {
  uint32_t midstate[8]; /* SHA-256 state after the first 64 header bytes */
  uint32_t w[3];        /* block 2 words 0..2, big-endian loads of header bytes 64..75 */
  uint32_t w16, w17;    /* block 2 schedule words 16 and 17 (no nonce in them) */
  uint32_t w18_base;    /* W18 - sigma0(W3) */
  uint32_t w19_base;    /* W19 - W3 */
  /* State entering round 4, with the nonce word not yet added to a and e:
   * a = r4[0] + W3, e = r4[4] + W3; the other six words are final. */
  uint32_t r4[8];
  uint32_t target[8]; /* share target as words, target[7] the most significant */
  uint32_t one;       /* 1, as data: lets a GPU kernel write adds the compiler cannot fold
                       * into plain adds (multiply-adds on an otherwise idle pipe) */
  uint8_t header[80]; /* the header with a zero nonce, for the reference re-hash */
};

/* Fills p from an 80-byte header (its nonce bytes are ignored) and a little-endian 256-bit
 * target. Cannot fail. */
void synth__sha256d_payload_init(struct synth__sha256d_payload *p, const uint8_t header[80],
                                 const uint8_t target[32]);

/* SHA-256d of p's header with the given nonce, by the plain reference path (no precompute),
 * and the header itself when header_out is not NULL. Cannot fail. */
void synth__sha256d_payload_hash(const struct synth__sha256d_payload *p, uint32_t nonce,
                                 uint8_t hash[32], uint8_t header_out[80]);

#endif
