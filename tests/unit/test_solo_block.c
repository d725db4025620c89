/* test_solo_block.c: CompactSize boundaries, RPC hashes, the merkle root, header and hash of
 * block 100000 rebuilt from its fields, and the block serialization for submitblock. */
#include <stdlib.h>
#include <string.h>

#include "pool/solo_block.h"
#include "pool/solo_bytes.h"
#include "pool/solo_coinbase.h"
#include "support/block100000.h"
#include "support/fixtures.h"
#include "support/harness.h"
#include "synth/error.h"

static size_t encode_compact_size(uint64_t value, uint8_t *out)
{
  return synth__solo_compact_size(value, out);
}

static void test_compact_size(void)
{
  static const struct synth_test_encoding cases[] = {
      {0, "00"},
      {0xfc, "fc"},
      {0xfd, "fdfd00"},
      {0xffff, "fdffff"},
      {0x10000, "fe00000100"},
      {0xffffffffu, "feffffffff"},
      {0x100000000u, "ff0000000001000000"},
      {UINT64_MAX, "ffffffffffffffffff"},
  };
  synth_test_check_encodings(cases, sizeof cases / sizeof cases[0], encode_compact_size);
}

/* The writer stops at its end and says so; nothing past it is written. */
static void test_writer_bound(void)
{
  uint8_t buf[8];
  memset(buf, 0xee, sizeof buf);
  struct synth__solo_w w = {buf, 4, 0, false};
  synth__solo_put_le(&w, 0x04030201, 4);
  CU_ASSERT_FALSE(w.over);
  synth__solo_put(&w, "x", 1);
  CU_ASSERT_TRUE(w.over);
  synth__solo_put(&w, "", 0);
  CU_ASSERT_EQUAL(w.len, 4);
  CU_ASSERT_EQUAL(buf[4], 0xee);
  struct synth__solo_w count = {NULL, 0, 0, false};
  synth__solo_put_compact(&count, 0x10000);
  CU_ASSERT_EQUAL(count.len, 5);
  CU_ASSERT_FALSE(count.over);
  struct synth__solo_w huge = {NULL, 0, SIZE_MAX - 1, false};
  synth__solo_put(&huge, buf, 2);
  CU_ASSERT_TRUE(huge.over);
}

static void test_rpc_hash(void)
{
  uint8_t h[32];
  CU_ASSERT_EQUAL(synth__solo_hash_from_rpc(synth_test_b100000.prevhash_hex, h), 0);
  CU_ASSERT_EQUAL(h[0], 0x50); /* ...19011250 shown last is the digest's first byte */
  CU_ASSERT_EQUAL(h[31], 0x00);
  CU_ASSERT_EQUAL(synth__solo_hash_from_rpc("00", h), SYNTH_EINVAL);
  char bad[66];
  memcpy(bad, synth_test_b100000.prevhash_hex, 65);
  bad[10] = 'g';
  CU_ASSERT_EQUAL(synth__solo_hash_from_rpc(bad, h), SYNTH_EINVAL);
  memcpy(bad, synth_test_b100000.prevhash_hex, 65);
  bad[64] = '0';
  bad[65] = '\0';
  CU_ASSERT_EQUAL(synth__solo_hash_from_rpc(bad, h), SYNTH_EINVAL);
  CU_ASSERT_EQUAL(synth__solo_hash_from_rpc(NULL, h), SYNTH_EINVAL);
}

/* Block 100000 from its parts: the root from the coinbase txid and the other three, the header
 * from the fields, and its hash. */
static void test_block_100000(void)
{
  const struct synth_test_b100000 *b = &synth_test_b100000;
  uint8_t cb_txid[32], txids[3][32], root[32], want[32];
  CU_ASSERT_EQUAL(synth__solo_hash_from_rpc(b->txid_hex[0], cb_txid), 0);
  for (int i = 0; i < 3; i++)
    CU_ASSERT_EQUAL(synth__solo_hash_from_rpc(b->txid_hex[i + 1], txids[i]), 0);
  CU_ASSERT_EQUAL(synth__solo_merkle_root(cb_txid, (const uint8_t(*)[32])txids, 3, root), 0);
  CU_ASSERT_EQUAL(synth__solo_hash_from_rpc(b->merkle_root_hex, want), 0);
  CU_ASSERT_EQUAL(memcmp(root, want, 32), 0);

  struct synth__solo_header h = {
      .version = b->version, .time = b->time, .bits = b->bits, .nonce = b->nonce};
  CU_ASSERT_EQUAL(synth__solo_hash_from_rpc(b->prevhash_hex, h.prev), 0);
  memcpy(h.merkle, root, 32);
  uint8_t header[80], ref_header[80], hash[32];
  synth__solo_header_bytes(&h, header);
  synth_test_b100000_header(ref_header);
  CU_ASSERT_EQUAL(memcmp(header, ref_header, 80), 0);
  synth_test_ref_sha256d(header, 80, hash);
  CU_ASSERT_EQUAL(synth__solo_hash_from_rpc(b->hash_hex, want), 0);
  CU_ASSERT_EQUAL(memcmp(hash, want, 32), 0);

  /* A block of the coinbase alone: its root is the coinbase's txid. */
  CU_ASSERT_EQUAL(synth__solo_merkle_root(cb_txid, NULL, 0, root), 0);
  CU_ASSERT_EQUAL(memcmp(root, cb_txid, 32), 0);
  CU_ASSERT_EQUAL(synth__solo_merkle_root(cb_txid, NULL, 2, root), SYNTH_EINVAL);
  CU_ASSERT_EQUAL(synth__solo_merkle_root(cb_txid, (const uint8_t(*)[32])txids, SIZE_MAX, root),
                  SYNTH_ERANGE);
}

static char *hex_of(const uint8_t *p, size_t n)
{
  char *s = malloc(2 * n + 1);
  for (size_t i = 0; i < n; i++) {
    s[2 * i] = "0123456789abcdef"[p[i] >> 4];
    s[2 * i + 1] = "0123456789abcdef"[p[i] & 15];
  }
  s[2 * n] = '\0';
  return s;
}

/* header ‖ count ‖ coinbase ‖ each transaction's data, decoded as given. */
static void test_block_bytes(void)
{
  uint8_t header[80], coinbase[SYNTH_TEST_B100000_COINBASE_LEN], tx[2][150];
  synth_test_b100000_header(header);
  synth_test_b100000_coinbase(coinbase);
  synth_test_fill(tx, sizeof tx);
  char *hex[2] = {hex_of(tx[0], 150), hex_of(tx[1], 101)};
  hex[1][40] = 'A'; /* upper-case hex is hex too */
  tx[1][20] = (uint8_t)(0xa0 | (tx[1][20] & 15));
  uint8_t *block = NULL;
  size_t len = 0;
  CU_ASSERT_EQUAL_FATAL(synth__solo_block_bytes(header, coinbase, sizeof coinbase,
                                                (const char *const *)hex, 2, &block, &len),
                        0);
  CU_ASSERT_EQUAL(len, 80 + 1 + sizeof coinbase + 150 + 101);
  CU_ASSERT_EQUAL(memcmp(block, header, 80), 0);
  CU_ASSERT_EQUAL(block[80], 3);
  CU_ASSERT_EQUAL(memcmp(block + 81, coinbase, sizeof coinbase), 0);
  CU_ASSERT_EQUAL(memcmp(block + 81 + sizeof coinbase, tx[0], 150), 0);
  CU_ASSERT_EQUAL(memcmp(block + 81 + sizeof coinbase + 150, tx[1], 101), 0);
  free(block);

  /* Bad data: odd length, not hex, empty, missing; nothing is returned. */
  char odd[] = "abc", nothex[] = "zz", empty[] = "";
  const char *const bad[][1] = {{odd}, {nothex}, {empty}, {NULL}};
  for (int i = 0; i < 4; i++) {
    block = (uint8_t *)1;
    CU_ASSERT_EQUAL(
        synth__solo_block_bytes(header, coinbase, sizeof coinbase, bad[i], 1, &block, &len),
        SYNTH_EINVAL);
    CU_ASSERT_PTR_NULL(block);
  }
  CU_ASSERT_EQUAL(synth__solo_block_bytes(header, coinbase, sizeof coinbase, NULL, 1, &block, &len),
                  SYNTH_EINVAL);
  CU_ASSERT_EQUAL(synth__solo_block_bytes(header, coinbase, 0, NULL, 0, &block, &len),
                  SYNTH_ERANGE);
  CU_ASSERT_EQUAL(synth__solo_block_bytes(header, coinbase, SYNTH__SOLO_COINBASE_MAX + 1, NULL, 0,
                                          &block, &len),
                  SYNTH_ERANGE);
  free(hex[0]);
  free(hex[1]);
}

/* 252 and 253 transactions, the coinbase included: the count crosses to three bytes. */
static void test_block_count_boundary(void)
{
  uint8_t header[80] = {0}, coinbase[10] = {0};
  const char *txs[253];
  for (int i = 0; i < 253; i++)
    txs[i] = "5a";
  uint8_t *block;
  size_t len;
  CU_ASSERT_EQUAL_FATAL(synth__solo_block_bytes(header, coinbase, 10, txs, 251, &block, &len), 0);
  CU_ASSERT_EQUAL(len, 80 + 1 + 10 + 251);
  CU_ASSERT_EQUAL(block[80], 0xfc);
  free(block);
  CU_ASSERT_EQUAL_FATAL(synth__solo_block_bytes(header, coinbase, 10, txs, 252, &block, &len), 0);
  CU_ASSERT_EQUAL(len, 80 + 3 + 10 + 252);
  CU_ASSERT_EQUAL(block[80], 0xfd);
  CU_ASSERT_EQUAL(block[81], 0xfd);
  CU_ASSERT_EQUAL(block[82], 0x00);
  CU_ASSERT_EQUAL(block[len - 1], 0x5a);
  free(block);
}

/* A block past the size bound is refused before anything is decoded. */
static void test_block_too_big(void)
{
  size_t n = SYNTH__SOLO_BLOCK_MAX; /* bytes: with the header and coinbase it is over */
  char *big = malloc(2 * n + 1);
  CU_ASSERT_PTR_NOT_NULL_FATAL(big);
  memset(big, '0', 2 * n);
  big[2 * n] = '\0';
  uint8_t header[80] = {0}, coinbase[10] = {0}, *block = NULL;
  size_t len;
  const char *const txs[] = {big};
  CU_ASSERT_EQUAL(synth__solo_block_bytes(header, coinbase, 10, txs, 1, &block, &len),
                  SYNTH_ERANGE);
  CU_ASSERT_PTR_NULL(block);
  big[2 * (n - 200)] = '\0';
  CU_ASSERT_EQUAL(synth__solo_block_bytes(header, coinbase, 10, txs, 1, &block, &len), 0);
  CU_ASSERT_EQUAL(len, 80 + 1 + 10 + n - 200);
  free(block);
  free(big);
}

SYNTH_TEST_MAIN("solo_block", SYNTH_TEST(test_compact_size), SYNTH_TEST(test_writer_bound),
                SYNTH_TEST(test_rpc_hash), SYNTH_TEST(test_block_100000),
                SYNTH_TEST(test_block_bytes), SYNTH_TEST(test_block_count_boundary),
                SYNTH_TEST(test_block_too_big))
