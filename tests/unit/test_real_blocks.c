/* test_real_blocks.c: the real blocks of support/real_blocks.h are what they claim (hash, proof
 * of work at mainnet difficulty, merkle root, witness commitment, BIP 34 height), and the
 * block parser refuses malformed input. */
#include <stdlib.h>
#include <string.h>

#include "pool/solo_block.h"
#include "pool/solo_bytes.h"
#include "pool/solo_coinbase.h"
#include "precompute/sha256.h"
#include "support/harness.h"
#include "support/real_blocks.h"
#include "synth/target.h"

static const uint8_t witness_header[6] = {0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed};

/* The fixture's bytes, malloc'd (the caller frees), with their count. */
static uint8_t *block_bytes(const struct synth_test_real_block *b, size_t *len)
{
  size_t n = strlen(b->hex) / 2;
  uint8_t *bytes = malloc(n + 16);
  CU_ASSERT_PTR_NOT_NULL_FATAL(bytes);
  CU_ASSERT_EQUAL_FATAL(strlen(b->hex) % 2, 0);
  CU_ASSERT_EQUAL_FATAL(synth_test_unhex(b->hex, bytes, n), (int)n);
  *len = n;
  return bytes;
}

static const struct synth_test_real_block *find(uint32_t height)
{
  for (size_t i = 0; i < synth_test_real_block_count; i++)
    if (synth_test_real_blocks[i].height == height)
      return &synth_test_real_blocks[i];
  CU_FAIL_FATAL("fixture missing");
  return NULL;
}

static size_t read_count(const uint8_t *p, size_t *at)
{
  uint8_t b = p[(*at)++];
  size_t width = b == 0xfd ? 2 : b == 0xfe ? 4 : b == 0xff ? 8 : 0, v = b;
  if (width) {
    v = 0;
    for (size_t i = width; i-- > 0;)
      v = v << 8 | p[*at + i];
    *at += width;
  }
  return v;
}

/* What the checks need of a coinbase the parser accepted: its scriptSig, the script of its
 * last witness commitment output (NULL if none), and its witness stack's single item. */
struct coinbase_view {
  const uint8_t *script_sig, *commitment, *reserved;
  size_t script_sig_len, commitment_count, witness_items, reserved_len;
};

static struct coinbase_view view_coinbase(const struct synth_test_parsed_tx *tx)
{
  struct coinbase_view v = {0};
  const uint8_t *p = tx->raw;
  size_t at = tx->has_witness ? 6 : 4;
  CU_ASSERT_EQUAL_FATAL(read_count(p, &at), 1);
  static const uint8_t null_prevout[36] = {[32] = 0xff, 0xff, 0xff, 0xff};
  CU_ASSERT_EQUAL(memcmp(p + at, null_prevout, 36), 0);
  at += 36;
  v.script_sig_len = read_count(p, &at);
  v.script_sig = p + at;
  at += v.script_sig_len + 4;
  size_t nout = read_count(p, &at);
  for (size_t i = 0; i < nout; i++) {
    at += 8;
    size_t len = read_count(p, &at);
    if (len >= 38 && memcmp(p + at, witness_header, 6) == 0) {
      v.commitment = p + at;
      v.commitment_count++;
    }
    at += len;
  }
  if (tx->has_witness) {
    v.witness_items = read_count(p, &at);
    if (v.witness_items == 1) {
      v.reserved_len = read_count(p, &at);
      v.reserved = p + at;
      at += v.reserved_len;
    }
  }
  if (v.witness_items <= 1)
    CU_ASSERT_EQUAL(at + 4, tx->raw_len);
  return v;
}

/* One fixture: every claim about it is checked from its bytes. */
static void check_block(const struct synth_test_real_block *b)
{
  size_t len;
  uint8_t *bytes = block_bytes(b, &len);
  struct synth_test_parsed_block pb;
  CU_ASSERT_EQUAL_FATAL(synth_test_parse_block(bytes, len, &pb), 0);
  CU_ASSERT_EQUAL(pb.ntx, b->tx_count);
  CU_ASSERT_EQUAL(memcmp(pb.header, bytes, 80), 0);

  /* The transactions are the rest of the block, back to back. */
  uint8_t cnt[9];
  size_t total = 80 + synth__solo_compact_size(pb.ntx, cnt);
  for (size_t i = 0; i < pb.ntx; i++) {
    CU_ASSERT_EQUAL(memcmp(pb.tx[i].raw, bytes + total, pb.tx[i].raw_len), 0);
    total += pb.tx[i].raw_len;
  }
  CU_ASSERT_EQUAL(total, len);

  /* Its hash is the one recorded, and meets its own nbits' target, a mainnet-scale one. */
  uint8_t hash[32], want[32], target[32];
  synth__sha256d(pb.header, 80, hash);
  CU_ASSERT_EQUAL_FATAL(synth__solo_hash_from_rpc(b->hash_hex, want), 0);
  CU_ASSERT_EQUAL(memcmp(hash, want, 32), 0);
  CU_ASSERT_EQUAL_FATAL(synth_target_from_nbits(pb.bits, target), 0);
  CU_ASSERT_EQUAL(synth_hash_meets_target(hash, target), 1);
  if (strcmp(b->chain, "main") == 0) {
    static const uint8_t zero[4];
    CU_ASSERT_EQUAL(memcmp(target + 28, zero, 4), 0); /* target < 2^224 */
  }

  /* The header commits to the txids (witnesses stripped). */
  uint8_t(*txids)[32] = malloc(pb.ntx * 32), (*wtxids)[32] = malloc(pb.ntx * 32);
  CU_ASSERT_PTR_NOT_NULL_FATAL(txids);
  CU_ASSERT_PTR_NOT_NULL_FATAL(wtxids);
  int witness = 0;
  size_t witness_txs = 0;
  for (size_t i = 0; i < pb.ntx; i++) {
    memcpy(txids[i], pb.tx[i].txid, 32);
    memcpy(wtxids[i], pb.tx[i].wtxid, 32);
    witness |= pb.tx[i].has_witness;
    witness_txs += i > 0 && pb.tx[i].has_witness;
    /* Without a witness both serializations are the same bytes. */
    CU_ASSERT_EQUAL(memcmp(pb.tx[i].txid, pb.tx[i].wtxid, 32) == 0, !pb.tx[i].has_witness);
  }
  uint8_t root[32];
  CU_ASSERT_EQUAL_FATAL(synth__solo_merkle_root(txids[0], txids + 1, pb.ntx - 1, root), 0);
  CU_ASSERT_EQUAL(memcmp(root, pb.merkle, 32), 0);
  CU_ASSERT_EQUAL(witness, b->segwit);

  struct coinbase_view cb = view_coinbase(&pb.tx[0]);
  if (b->segwit) {
    CU_ASSERT(witness_txs > 0); /* a spend with a witness, not only the coinbase's */
    CU_ASSERT_TRUE(pb.tx[0].has_witness);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cb.commitment);
    CU_ASSERT_EQUAL_FATAL(cb.witness_items, 1);
    CU_ASSERT_EQUAL_FATAL(cb.reserved_len, 32);
    /* SHA-256d(witness root with the coinbase as 32 zero bytes ‖ the reserved value)... */
    uint8_t zero[32] = {0}, wroot[32], buf[64], commitment[32];
    CU_ASSERT_EQUAL_FATAL(synth__solo_merkle_root(zero, wtxids + 1, pb.ntx - 1, wroot), 0);
    memcpy(buf, wroot, 32);
    memcpy(buf + 32, cb.reserved, 32);
    synth__sha256d(buf, 64, commitment);
    CU_ASSERT_EQUAL(memcmp(cb.commitment + 6, commitment, 32), 0);
    /* ...and, these reserved values being zero, what the project's coinbase code commits to. */
    CU_ASSERT_EQUAL(memcmp(cb.reserved, zero, 32), 0);
    CU_ASSERT_EQUAL_FATAL(synth__solo_witness_commitment(wtxids + 1, pb.ntx - 1, commitment), 0);
    CU_ASSERT_EQUAL(memcmp(cb.commitment + 6, commitment, 32), 0);
  } else {
    CU_ASSERT_PTR_NULL(cb.commitment);
  }
  /* BIP 34 (version 2 and later): the scriptSig starts with the height. */
  if (pb.version >= 2) {
    uint8_t push[SYNTH__SOLO_HEIGHT_PUSH_MAX];
    size_t n = synth__solo_height_push(b->height, push);
    CU_ASSERT_FATAL(cb.script_sig_len >= n);
    CU_ASSERT_EQUAL(memcmp(cb.script_sig, push, n), 0);
  }
  free(txids);
  free(wtxids);
  synth_test_parsed_block_free(&pb);
  CU_ASSERT_PTR_NULL(pb.tx);
  free(bytes);
}

static void test_fixtures(void)
{
  size_t mainnet_segwit = 0, legacy = 0;
  for (size_t i = 0; i < synth_test_real_block_count; i++) {
    const struct synth_test_real_block *b = &synth_test_real_blocks[i];
    check_block(b);
    mainnet_segwit += b->segwit && strcmp(b->chain, "main") == 0;
    legacy += !b->segwit;
  }
  CU_ASSERT(mainnet_segwit >= 1);
  CU_ASSERT(legacy >= 1);
}

/* Block 553724's transactions as the parser splits them: which carry witnesses, their ids. */
static void test_parsed_fields(void)
{
  size_t len;
  uint8_t *bytes = block_bytes(find(553724), &len);
  struct synth_test_parsed_block pb;
  CU_ASSERT_EQUAL_FATAL(synth_test_parse_block(bytes, len, &pb), 0);
  CU_ASSERT_EQUAL(pb.version, 0x20000000u);
  CU_ASSERT_EQUAL(pb.time, 1544751216u);
  CU_ASSERT_EQUAL(pb.bits, 389142908u);
  CU_ASSERT_EQUAL(pb.nonce, 430846328u);
  uint8_t prev[32];
  synth__solo_hash_from_rpc("0000000000000000000567a96e76bb24f8e954d24a981af937fb566f9624d70e",
                            prev);
  CU_ASSERT_EQUAL(memcmp(pb.prev, prev, 32), 0);
  static const int witness[4] = {1, 1, 1, 0};
  for (size_t i = 0; i < 4; i++)
    CU_ASSERT_EQUAL(pb.tx[i].has_witness, witness[i]);
  CU_ASSERT_EQUAL(pb.tx[3].raw[0], 0x02); /* version 2 */
  CU_ASSERT_EQUAL(pb.tx[1].raw[4], 0x00); /* marker */
  CU_ASSERT_EQUAL(pb.tx[1].raw[5], 0x01); /* flag */
  synth_test_parsed_block_free(&pb);
  free(bytes);
}

static int parses(const uint8_t *bytes, size_t len)
{
  struct synth_test_parsed_block pb;
  int rc = synth_test_parse_block(bytes, len, &pb);
  if (rc != 0) {
    CU_ASSERT_EQUAL(pb.ntx, 0);
    CU_ASSERT_PTR_NULL(pb.tx);
  }
  synth_test_parsed_block_free(&pb);
  return rc == 0;
}

/* Every proper prefix of a good block is refused, and so is one byte more. */
static void test_truncated_and_trailing(void)
{
  for (size_t i = 0; i < synth_test_real_block_count; i++) {
    size_t len;
    uint8_t *bytes = block_bytes(&synth_test_real_blocks[i], &len);
    CU_ASSERT_TRUE(parses(bytes, len));
    size_t accepted = 0;
    for (size_t cut = 0; cut < len; cut++)
      accepted += parses(bytes, cut);
    CU_ASSERT_EQUAL(accepted, 0);
    bytes[len] = 0x00;
    CU_ASSERT_FALSE(parses(bytes, len + 1));
    free(bytes);
  }
}

/* The segwit block with its coinbase's flag (byte 86: header, count, version, marker) set to
 * @flag. */
static int parses_with_flag(uint8_t flag)
{
  size_t len;
  uint8_t *bytes = block_bytes(find(553724), &len);
  CU_ASSERT_EQUAL(bytes[85], 0x00);
  CU_ASSERT_EQUAL(bytes[86], 0x01);
  bytes[86] = flag;
  int ok = parses(bytes, len);
  free(bytes);
  return ok;
}

static void test_witness_flag(void)
{
  CU_ASSERT_TRUE(parses_with_flag(0x01));
  CU_ASSERT_FALSE(parses_with_flag(0x02));
  CU_ASSERT_FALSE(parses_with_flag(0x00));
  CU_ASSERT_FALSE(parses_with_flag(0x03));
}

/* Block 100000 with its transaction count replaced by @count (hex, any encoding). */
static int parses_with_count(const char *count)
{
  size_t len;
  uint8_t *bytes = block_bytes(find(100000), &len);
  uint8_t c[9];
  int n = synth_test_unhex(count, c, sizeof c);
  CU_ASSERT_FATAL(n > 0);
  uint8_t *edited = malloc(len + (size_t)n);
  CU_ASSERT_PTR_NOT_NULL_FATAL(edited);
  memcpy(edited, bytes, 80);
  memcpy(edited + 80, c, (size_t)n);
  memcpy(edited + 80 + n, bytes + 81, len - 81);
  int ok = parses(edited, len - 1 + (size_t)n);
  free(edited);
  free(bytes);
  return ok;
}

static void test_counts(void)
{
  CU_ASSERT_TRUE(parses_with_count("04"));
  CU_ASSERT_FALSE(parses_with_count("05"));                 /* one more than there is */
  CU_ASSERT_FALSE(parses_with_count("03"));                 /* leaves a transaction over */
  CU_ASSERT_FALSE(parses_with_count("00"));                 /* no coinbase */
  CU_ASSERT_FALSE(parses_with_count("fd0400"));             /* not the shortest encoding */
  CU_ASSERT_FALSE(parses_with_count("feffffffff"));         /* far past the end */
  CU_ASSERT_FALSE(parses_with_count("ffffffffffffffffff")); /* 2^64 - 1 */
  CU_ASSERT_FALSE(parses_with_count("ff0000000000000080")); /* 2^63: no overflow either */
  CU_ASSERT_FALSE(parses_with_count("fd"));                 /* the count itself cut */
}

/* Block 542213 with byte @at set to @value. */
static int parses_with_byte(size_t at, uint8_t value, uint8_t expect)
{
  size_t len;
  uint8_t *bytes = block_bytes(find(542213), &len);
  CU_ASSERT_FATAL(at < len);
  CU_ASSERT_EQUAL(bytes[at], expect);
  bytes[at] = value;
  int ok = parses(bytes, len);
  free(bytes);
  return ok;
}

/* Counts inside a transaction that run past the end: the coinbase's input count (at 87), its
 * scriptSig length (124) and its witness's item count, made huge. */
static void test_inner_counts(void)
{
  CU_ASSERT_TRUE(parses_with_byte(87, 0x01, 0x01));
  CU_ASSERT_FALSE(parses_with_byte(87, 0xfe, 0x01));
  CU_ASSERT_FALSE(parses_with_byte(87, 0xff, 0x01));
  CU_ASSERT_FALSE(parses_with_byte(124, 0xfd, 0x50)); /* 0xfd then two bytes: past the end */
  CU_ASSERT_FALSE(parses_with_byte(124, 0xfc, 0x50));
  /* The coinbase's witness: its item count, just before the 32-byte reserved value (a
   * length byte 0x20, then the value) and the lock time. */
  size_t len;
  uint8_t *bytes = block_bytes(find(542213), &len);
  struct synth_test_parsed_block pb;
  CU_ASSERT_EQUAL_FATAL(synth_test_parse_block(bytes, len, &pb), 0);
  size_t items_at = 81 + pb.tx[0].raw_len - 4 - 33 - 1;
  synth_test_parsed_block_free(&pb);
  CU_ASSERT_TRUE(parses_with_byte(items_at, 0x01, 0x01));
  CU_ASSERT_FALSE(parses_with_byte(items_at, 0xff, 0x01));
  CU_ASSERT_FALSE(parses_with_byte(items_at, 0x02, 0x01));
  CU_ASSERT_FALSE(parses_with_byte(items_at + 1, 0xfe, 0x20));
  /* The flag with every witness stack empty (the reserved value cut out, its count 0) is
   * refused (BIP 144: a superfluous witness record); the rest of the block stays well formed. */
  CU_ASSERT_EQUAL(bytes[items_at], 0x01);
  bytes[items_at] = 0x00;
  memmove(bytes + items_at + 1, bytes + items_at + 34, len - (items_at + 34));
  CU_ASSERT_FALSE(parses(bytes, len - 33));
  free(bytes);
}

SYNTH_TEST_MAIN("real_blocks", SYNTH_TEST(test_fixtures), SYNTH_TEST(test_parsed_fields),
                SYNTH_TEST(test_truncated_and_trailing), SYNTH_TEST(test_witness_flag),
                SYNTH_TEST(test_counts), SYNTH_TEST(test_inner_counts))
