/* block100000.h: Bitcoin block 100000, the test pool's job source and a byte-order fixture. */
#ifndef SYNTH_TESTS_BLOCK100000_H
#define SYNTH_TESTS_BLOCK100000_H

#include <stddef.h>
#include <stdint.h>

/* Hashes are hex as explorers show them (the digest byte-reversed); the coinbase is raw. */
struct synth_test_b100000 {
  uint32_t version, time, bits, nonce;
  const char *prevhash_hex;
  const char *merkle_root_hex;
  const char *hash_hex;
  const char *txid_hex[4]; /* [0] is the coinbase */
  const char *coinbase_hex;
};

extern const struct synth_test_b100000 synth_test_b100000;

/* Byte offsets of the coinbase's scriptSig: where its length byte is, and its length (8). */
#define SYNTH_TEST_B100000_SCRIPT_LEN_AT 41
#define SYNTH_TEST_B100000_SCRIPT_LEN 8
#define SYNTH_TEST_B100000_COINBASE_LEN 135

/* A coinbase cut as Stratum sends it: coinb1 ‖ extranonce1 ‖ extranonce2 ‖ coinb2. */
struct synth_test_coinbase_split {
  uint8_t coinb1[64], coinb2[128], en1[16], en2[16];
  size_t coinb1_len, coinb2_len, en1_len, en2_len;
};

/* A displayed hash (64 hex digits) to its 32 bytes in internal (digest) order. Returns 0, or -1
 * on bad hex. */
int synth_test_b100000_internal(const char *shown_hex, uint8_t out[32]);

/* The raw coinbase transaction (SYNTH_TEST_B100000_COINBASE_LEN bytes). */
void synth_test_b100000_coinbase(uint8_t out[SYNTH_TEST_B100000_COINBASE_LEN]);

/* The coinbase's merkle branches [tx1, H(tx2 ‖ tx3)], internal order, hashed with OpenSSL. */
void synth_test_b100000_branches(uint8_t branches[2][32]);

/* The 80-byte header as serialized, built from the fields (not copied from a header dump). */
void synth_test_b100000_header(uint8_t header[80]);

/* The split of the real coinbase: extranonce1 = 02 (1 byte), extranonce2 = 06 02 (2 bytes,
 * value 0x0206 as a little-endian number), so coinb1 ‖ en1 ‖ en2 ‖ coinb2 is the real coinbase
 * byte for byte and, with the real ntime and nonce, hashes to the real block. */
void synth_test_b100000_real_split(struct synth_test_coinbase_split *out);

/* The split a pool makes to insert en1_len + en2_len bytes of extranonce after the original
 * scriptSig (whose length byte grows by that much). en1 is copied and en2 zeroed. Returns 0, or
 * -1 when either part is longer than 16 bytes. */
int synth_test_b100000_pool_split(const uint8_t *en1, size_t en1_len, size_t en2_len,
                                  struct synth_test_coinbase_split *out);

#endif
