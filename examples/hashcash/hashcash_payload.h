/* hashcash_payload.h: what every device is given for one roll (index >> 32) of a job, as
 * 32-bit words: the CPU scan, hashcash.cl and hashcash.comp all read this layout. */
#ifndef HASHCASH_PAYLOAD_H
#define HASHCASH_PAYLOAD_H

#include <stdint.h>

/*
 * The message is data ‖ roll (4 bytes big-endian) ‖ nonce (4 bytes big-endian). Every block
 * before the one holding the nonce's first byte is folded into the midstate; what is left is
 * one or two blocks (the tail), the nonce's bytes zero there. The nonce starts `shift` bits
 * into tail word `word`: that word gets nonce >> shift, the next nonce << (32 - shift).
 */
enum {
  HC_MID = 0,     /* 8 words: SHA-256 state before the tail */
  HC_TAIL = 8,    /* 32 words: the tail blocks, big-endian words */
  HC_BLOCKS = 40, /* 1 or 2 */
  HC_WORD = 41,
  HC_SHIFT = 42, /* 0, 8, 16 or 24 */
  HC_MASK0 = 43, /* a hit has (H0 & mask0) == 0 and (H1 & mask1) == 0 */
  HC_MASK1 = 44,
  HC_WORDS = 48, /* a multiple of 4: the Vulkan uniform buffer holds uvec4s */
};

struct hashcash_payload {
  uint32_t w[HC_WORDS];
};

#endif
