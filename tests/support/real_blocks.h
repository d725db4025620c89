/* real_blocks.h: real Bitcoin blocks with all their transactions, for the solo-mining tests. */
#ifndef SYNTH_TESTS_REAL_BLOCKS_H
#define SYNTH_TESTS_REAL_BLOCKS_H

#include <stddef.h>
#include <stdint.h>

struct synth_test_real_block {
  const char *name;  /* "mainnet 123456" (or "testnet3 ...") */
  const char *chain; /* "main" or "test", as getblockchaininfo names it */
  uint32_t height;
  const char *hash_hex; /* as explorers show it (byte-reversed digest) */
  const char *hex;      /* the whole block, witness serialization */
  unsigned tx_count;    /* including the coinbase */
  int segwit;           /* some transaction has a witness */
};
extern const struct synth_test_real_block synth_test_real_blocks[];
extern const size_t synth_test_real_block_count;

/* A parsed block: header fields, and per transaction its raw bytes (witness serialization, as
 * getblocktemplate's "data" gives it), txid and wtxid in digest order. Returns 0 or -1 for a
 * malformed block; free with synth_test_parsed_block_free. */
struct synth_test_parsed_tx {
  uint8_t *raw;
  size_t raw_len;
  uint8_t txid[32], wtxid[32];
  int has_witness;
};
struct synth_test_parsed_block {
  uint8_t header[80];
  uint32_t version, time, bits, nonce;
  uint8_t prev[32], merkle[32];
  size_t ntx;
  struct synth_test_parsed_tx *tx;
};
/* Strict: canonical CompactSize counts and lengths, each no larger than the bytes left could
 * hold; BIP 144 marker 0x00 with flag 0x01 only, and then some input with a witness; at least
 * one transaction; nothing after the last one. On -1, *out is left empty (safe to free). */
int synth_test_parse_block(const uint8_t *bytes, size_t len, struct synth_test_parsed_block *out);
void synth_test_parsed_block_free(struct synth_test_parsed_block *b);

#endif
