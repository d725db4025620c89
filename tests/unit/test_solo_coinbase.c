/* test_solo_coinbase.c: BIP 34 height pushes, the coinbase builder (block 100000's coinbase
 * rebuilt, the segwit layout, the extranonce roll, every bound) and BIP 141's commitment
 * against hand-built segwit transactions. */
#include <stdlib.h>
#include <string.h>

#include "pool/solo_coinbase.h"
#include "precompute/sha256.h"
#include "support/block100000.h"
#include "support/fixtures.h"
#include "support/harness.h"
#include "synth/error.h"

static size_t encode_height_push(uint64_t value, uint8_t *out)
{
  return synth__solo_height_push((uint32_t)value, out);
}

/* CScript() << height at every boundary of the encoding. */
static void test_height_push(void)
{
  static const struct synth_test_encoding cases[] = {
      {0, "00"},
      {1, "51"},
      {16, "60"},
      {17, "0111"},
      {127, "017f"},
      {128, "028000"},
      {255, "02ff00"},
      {256, "020001"},
      {32767, "02ff7f"},
      {32768, "03008000"},
      {65535, "03ffff00"},
      {65536, "03000001"},
      {500000, "0320a107"},
      {8388607, "03ffff7f"},
      {8388608, "0400008000"},
      {0x7fffffff, "04ffffff7f"},
      {0x80000000u, "050000008000"},
      {0xffffffffu, "05ffffffff00"},
      /* Mainnet block 227836, the first to carry it: its coinbase's scriptSig starts 03 fc 79 03.
       */
      {227836, "03fc7903"},
  };
  synth_test_check_encodings(cases, sizeof cases / sizeof cases[0], encode_height_push);
}

/* Block 100000's coinbase predates BIP 34, but its scriptSig 04 4c86041b | 02 0602 is the push
 * a "height" of 0x1b04864c makes, a one-byte tag and a two-byte extranonce: the builder must
 * make the real transaction byte for byte, and its txid. */
static void test_block_100000_coinbase(void)
{
  uint8_t real[SYNTH_TEST_B100000_COINBASE_LEN], txid[32], wtxid[32], want[32];
  synth_test_b100000_coinbase(real);
  const uint8_t tag[] = {0x02}, en[] = {0x06, 0x02};
  struct synth__solo_coinbase_spec spec = {
      .version = 1,
      .height = 0x1b04864c,
      .tag = tag,
      .tag_len = 1,
      .extranonce_len = 2,
      .value = 5000000000u,
      .payout_script = real + 41 + 1 + 8 + 4 + 1 + 8 + 1,
      .payout_len = 0x43,
  };
  struct synth__solo_coinbase cb;
  CU_ASSERT_EQUAL_FATAL(synth__solo_coinbase_build(&spec, &cb), 0);
  CU_ASSERT_FALSE(cb.has_witness);
  CU_ASSERT_EQUAL(cb.en_base_at, 48);
  CU_ASSERT_EQUAL(cb.en_full_at, 48);
  CU_ASSERT_EQUAL(cb.base[48], 0);
  CU_ASSERT_EQUAL(synth__solo_coinbase_set_extranonce(&cb, en, 2), 0);
  CU_ASSERT_EQUAL(cb.base_len, sizeof real);
  CU_ASSERT_EQUAL(cb.full_len, sizeof real);
  CU_ASSERT_EQUAL(memcmp(cb.base, real, sizeof real), 0);
  CU_ASSERT_EQUAL(memcmp(cb.full, real, sizeof real), 0);
  synth__solo_coinbase_ids(&cb, txid, wtxid);
  synth_test_b100000_internal(synth_test_b100000.txid_hex[0], want);
  CU_ASSERT_EQUAL(memcmp(txid, want, 32), 0);
  CU_ASSERT_EQUAL(memcmp(wtxid, want, 32), 0);
  CU_ASSERT_EQUAL(synth__solo_coinbase_set_extranonce(&cb, en, 1), SYNTH_EINVAL);
}

/* The expected bytes of a coinbase, written out field by field. */
static size_t expect_coinbase(uint8_t *p, bool witness, const uint8_t *sig, size_t sig_len,
                              const uint8_t *payout, size_t payout_len, const uint8_t commit[38])
{
  size_t n = 0;
  memcpy(p + n, "\x02\x00\x00\x00", 4), n += 4;
  if (witness)
    p[n++] = 0x00, p[n++] = 0x01;
  p[n++] = 1;
  memset(p + n, 0, 32), n += 32;
  memset(p + n, 0xff, 4), n += 4;
  p[n++] = (uint8_t)sig_len;
  memcpy(p + n, sig, sig_len), n += sig_len;
  memset(p + n, 0xff, 4), n += 4;
  p[n++] = 2;
  memcpy(p + n, "\x40\x4b\x4c\x00\x00\x00\x00\x00", 8), n += 8; /* 5000000 sat */
  p[n++] = (uint8_t)payout_len;
  memcpy(p + n, payout, payout_len), n += payout_len;
  memset(p + n, 0, 8), n += 8;
  p[n++] = 38;
  memcpy(p + n, commit, 38), n += 38;
  if (witness) {
    p[n++] = 1;
    p[n++] = 32;
    memset(p + n, 0, 32), n += 32;
  }
  memset(p + n, 0, 4), n += 4;
  return n;
}

/* A segwit coinbase: height 500000, aux flags, a tag and 8 extranonce bytes; both
 * serializations as BIP 144 has them, txid without the witness, wtxid with it. */
static void test_segwit_layout(void)
{
  const uint8_t aux[] = {0xaa, 0xbb}, tag[] = "/synth/";
  uint8_t payout[22] = {0x00, 0x14}, commitment[32],
          script[38] = {0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed};
  synth_test_fill(payout + 2, 20);
  synth_test_fill(commitment, 32);
  memcpy(script + 6, commitment, 32);
  struct synth__solo_coinbase_spec spec = {
      .version = 2,
      .height = 500000,
      .aux = aux,
      .aux_len = sizeof aux,
      .tag = tag,
      .tag_len = 7,
      .extranonce_len = 8,
      .value = 5000000,
      .payout_script = payout,
      .payout_len = sizeof payout,
      .commitment = commitment,
  };
  struct synth__solo_coinbase cb;
  CU_ASSERT_EQUAL_FATAL(synth__solo_coinbase_build(&spec, &cb), 0);
  uint8_t en[8], sig[4 + 2 + 7 + 8] = {0x03, 0x20, 0xa1, 0x07, 0xaa, 0xbb};
  memcpy(sig + 6, tag, 7);
  synth_test_fill(en, sizeof en);
  memcpy(sig + 13, en, 8);
  CU_ASSERT_EQUAL(synth__solo_coinbase_set_extranonce(&cb, en, 8), 0);

  uint8_t base[SYNTH__SOLO_COINBASE_MAX], full[SYNTH__SOLO_COINBASE_MAX], ref[32], id[32];
  size_t bl = expect_coinbase(base, false, sig, sizeof sig, payout, sizeof payout, script);
  size_t fl = expect_coinbase(full, true, sig, sizeof sig, payout, sizeof payout, script);
  CU_ASSERT_TRUE(cb.has_witness);
  CU_ASSERT_EQUAL(cb.base_len, bl);
  CU_ASSERT_EQUAL(cb.full_len, fl);
  CU_ASSERT_EQUAL(memcmp(cb.base, base, bl), 0);
  CU_ASSERT_EQUAL(memcmp(cb.full, full, fl), 0);
  CU_ASSERT_EQUAL(cb.en_base_at, 4 + 1 + 36 + 1 + 13);
  CU_ASSERT_EQUAL(cb.en_full_at, cb.en_base_at + 2);
  CU_ASSERT_EQUAL(memcmp(cb.full + cb.en_full_at, en, 8), 0);
  synth__solo_coinbase_ids(&cb, id, NULL);
  synth_test_ref_sha256d(base, bl, ref);
  CU_ASSERT_EQUAL(memcmp(id, ref, 32), 0);
  synth__solo_coinbase_ids(&cb, NULL, id);
  synth_test_ref_sha256d(full, fl, ref);
  CU_ASSERT_EQUAL(memcmp(id, ref, 32), 0);

  /* The template's default_witness_commitment is used as it is, whatever @commitment says. */
  uint8_t given[38];
  memcpy(given, script, 6);
  synth_test_fill(given + 6, 32);
  spec.commitment_script = given;
  spec.commitment_script_len = sizeof given;
  CU_ASSERT_EQUAL_FATAL(synth__solo_coinbase_build(&spec, &cb), 0);
  CU_ASSERT_EQUAL(synth__solo_coinbase_set_extranonce(&cb, en, 8), 0);
  fl = expect_coinbase(full, true, sig, sizeof sig, payout, sizeof payout, given);
  CU_ASSERT_EQUAL(cb.full_len, fl);
  CU_ASSERT_EQUAL(memcmp(cb.full, full, fl), 0);
  spec.commitment = NULL;
  CU_ASSERT_EQUAL_FATAL(synth__solo_coinbase_build(&spec, &cb), 0);
  CU_ASSERT_TRUE(cb.has_witness);
}

static void test_bounds(void)
{
  uint8_t payout[200] = {0x51}, tag[120] = {0};
  struct synth__solo_coinbase_spec ok = {
      .version = 1, .height = 1, .payout_script = payout, .payout_len = 1, .extranonce_len = 1};
  struct synth__solo_coinbase cb;
  CU_ASSERT_EQUAL(synth__solo_coinbase_build(&ok, &cb), 0); /* OP_1 + 1 byte: the 2-byte floor */
  struct synth__solo_coinbase_spec s = ok;
  s.extranonce_len = 0;
  CU_ASSERT_EQUAL(synth__solo_coinbase_build(&s, &cb), SYNTH_ERANGE); /* a 1-byte scriptSig */
  s = ok;
  s.height = 1000; /* 3 bytes */
  s.tag = tag;
  s.tag_len = 89;
  s.extranonce_len = 8; /* 100 bytes */
  CU_ASSERT_EQUAL(synth__solo_coinbase_build(&s, &cb), 0);
  CU_ASSERT_EQUAL(cb.base[41], 100);
  s.tag_len = 90;
  CU_ASSERT_EQUAL(synth__solo_coinbase_build(&s, &cb), SYNTH_ERANGE);
  s.tag_len = SIZE_MAX;
  CU_ASSERT_EQUAL(synth__solo_coinbase_build(&s, &cb), SYNTH_ERANGE);
  s = ok;
  s.extranonce_len = SIZE_MAX;
  CU_ASSERT_EQUAL(synth__solo_coinbase_build(&s, &cb), SYNTH_ERANGE);
  s = ok;
  s.version = 3;
  CU_ASSERT_EQUAL(synth__solo_coinbase_build(&s, &cb), SYNTH_EINVAL);
  s.version = 0;
  CU_ASSERT_EQUAL(synth__solo_coinbase_build(&s, &cb), SYNTH_EINVAL);
  s = ok;
  s.payout_len = 0;
  CU_ASSERT_EQUAL(synth__solo_coinbase_build(&s, &cb), SYNTH_ERANGE);
  s.payout_len = SYNTH__SOLO_PAYOUT_MAX + 1;
  CU_ASSERT_EQUAL(synth__solo_coinbase_build(&s, &cb), SYNTH_ERANGE);
  s.payout_len = SYNTH__SOLO_PAYOUT_MAX;
  CU_ASSERT_EQUAL(synth__solo_coinbase_build(&s, &cb), 0);
  s = ok;
  s.payout_script = NULL;
  CU_ASSERT_EQUAL(synth__solo_coinbase_build(&s, &cb), SYNTH_EINVAL);
  s = ok;
  s.tag_len = 3; /* tag NULL */
  CU_ASSERT_EQUAL(synth__solo_coinbase_build(&s, &cb), SYNTH_EINVAL);
  s = ok;
  s.commitment_script = tag; /* zeros: not an OP_RETURN commitment */
  s.commitment_script_len = 38;
  CU_ASSERT_EQUAL(synth__solo_coinbase_build(&s, &cb), SYNTH_EINVAL);
  s.commitment_script_len = 4;
  CU_ASSERT_EQUAL(synth__solo_coinbase_build(&s, &cb), SYNTH_EINVAL);
  s.commitment_script_len = SYNTH__SOLO_COMMITMENT_SCRIPT_MAX + 1;
  CU_ASSERT_EQUAL(synth__solo_coinbase_build(&s, &cb), SYNTH_ERANGE);
  CU_ASSERT_EQUAL(synth__solo_coinbase_build(NULL, &cb), SYNTH_EINVAL);
  CU_ASSERT_EQUAL(synth__solo_coinbase_build(&ok, NULL), SYNTH_EINVAL);

  /* The largest of everything still fits the buffer. */
  uint8_t big_commit[SYNTH__SOLO_COMMITMENT_SCRIPT_MAX] = {0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed};
  s = ok;
  s.payout_len = SYNTH__SOLO_PAYOUT_MAX;
  s.payout_script = payout;
  s.tag = tag;
  s.tag_len = 94;
  s.extranonce_len = 0;
  s.height = 0xffffffffu;
  s.commitment_script = big_commit;
  s.commitment_script_len = sizeof big_commit;
  CU_ASSERT_EQUAL(synth__solo_coinbase_build(&s, &cb), 0);
  CU_ASSERT_EQUAL(cb.base[41], 100);
}

/* A small segwit transaction of our own: version 2, one input, one output, one witness item. */
static size_t segwit_tx(uint8_t *p, uint8_t seed)
{
  size_t n = 0;
  memcpy(p + n, "\x02\x00\x00\x00\x00\x01\x01", 7), n += 7;
  memset(p + n, seed, 32), n += 32;                 /* prevout hash */
  memcpy(p + n, "\x00\x00\x00\x00\x00", 5), n += 5; /* index 0, empty scriptSig */
  memcpy(p + n, "\xfd\xff\xff\xff\x01", 5), n += 5; /* sequence, one output */
  memcpy(p + n, "\xe8\x03\x00\x00\x00\x00\x00\x00", 8), n += 8;
  p[n++] = 22, p[n++] = 0x00, p[n++] = 0x14;
  memset(p + n, seed ^ 0x5a, 20), n += 20;
  p[n++] = 1, p[n++] = 33; /* one witness item of 33 bytes */
  memset(p + n, seed + 1, 33), n += 33;
  memset(p + n, 0, 4), n += 4;
  return n;
}

/* SHA-256d as two calls of the precompute's SHA-256, one step at a time. */
static void h2(const void *a, const void *b, uint8_t out[32])
{
  uint8_t pair[64], once[32];
  memcpy(pair, a, 32);
  memcpy(pair + 32, b, 32);
  synth__sha256(pair, 64, once);
  synth__sha256(once, 32, out);
}

static void test_witness_commitment(void)
{
  uint8_t tx[3][200], w[3][32], zero[32] = {0}, once[32];
  for (int i = 0; i < 3; i++) {
    size_t n = segwit_tx(tx[i], (uint8_t)(0x11 * (i + 1)));
    CU_ASSERT_EQUAL(n, 119);
    synth__sha256(tx[i], n, once);
    synth__sha256(once, 32, w[i]);
  }
  /* Three transactions: leaves 0, w0, w1, w2. */
  uint8_t a[32], b[32], root[32], want[32], got[32];
  h2(zero, w[0], a);
  h2(w[1], w[2], b);
  h2(a, b, root);
  h2(root, zero, want);
  CU_ASSERT_EQUAL(synth__solo_witness_commitment((const uint8_t(*)[32])w, 3, got), 0);
  CU_ASSERT_EQUAL(memcmp(got, want, 32), 0);
  /* Two: leaves 0, w0, w1 — the odd level pairs w1 with itself. */
  h2(w[1], w[1], b);
  h2(a, b, root);
  h2(root, zero, want);
  CU_ASSERT_EQUAL(synth__solo_witness_commitment((const uint8_t(*)[32])w, 2, got), 0);
  CU_ASSERT_EQUAL(memcmp(got, want, 32), 0);
  /* One: the root is H(0 ‖ w0). None: the root is the zero leaf itself. */
  h2(a, zero, want);
  CU_ASSERT_EQUAL(synth__solo_witness_commitment((const uint8_t(*)[32])w, 1, got), 0);
  CU_ASSERT_EQUAL(memcmp(got, want, 32), 0);
  h2(zero, zero, want);
  CU_ASSERT_EQUAL(synth__solo_witness_commitment(NULL, 0, got), 0);
  CU_ASSERT_EQUAL(memcmp(got, want, 32), 0);
  CU_ASSERT_EQUAL(synth__solo_witness_commitment(NULL, 1, got), SYNTH_EINVAL);
  CU_ASSERT_EQUAL(synth__solo_witness_commitment((const uint8_t(*)[32])w, SIZE_MAX, got),
                  SYNTH_ERANGE);

  /* The commitment goes into the coinbase's OP_RETURN output. */
  uint8_t payout[] = {0x51};
  struct synth__solo_coinbase_spec spec = {.version = 2,
                                           .height = 800000,
                                           .extranonce_len = 4,
                                           .payout_script = payout,
                                           .payout_len = 1,
                                           .commitment = got};
  struct synth__solo_coinbase cb;
  CU_ASSERT_EQUAL_FATAL(synth__solo_witness_commitment((const uint8_t(*)[32])w, 3, got), 0);
  CU_ASSERT_EQUAL_FATAL(synth__solo_coinbase_build(&spec, &cb), 0);
  const uint8_t *out = cb.base + cb.base_len - 4 - 38;
  CU_ASSERT_EQUAL(memcmp(out, "\x6a\x24\xaa\x21\xa9\xed", 6), 0);
  CU_ASSERT_EQUAL(memcmp(out + 6, got, 32), 0);
  CU_ASSERT_EQUAL(out[-1], 38);
}

/* A commitment when the template gives one or any transaction has a witness. */
static void test_needs_commitment(void)
{
  uint8_t txids[3][32], wtxids[3][32];
  synth_test_fill(txids, sizeof txids);
  memcpy(wtxids, txids, sizeof txids);
  CU_ASSERT_FALSE(synth__solo_needs_commitment((const uint8_t(*)[32])txids,
                                               (const uint8_t(*)[32])wtxids, 3, false));
  CU_ASSERT_TRUE(synth__solo_needs_commitment((const uint8_t(*)[32])txids,
                                              (const uint8_t(*)[32])wtxids, 3, true));
  CU_ASSERT_FALSE(synth__solo_needs_commitment(NULL, NULL, 0, false));
  CU_ASSERT_TRUE(synth__solo_needs_commitment(NULL, NULL, 0, true));
  wtxids[2][31] ^= 1;
  CU_ASSERT_TRUE(synth__solo_needs_commitment((const uint8_t(*)[32])txids,
                                              (const uint8_t(*)[32])wtxids, 3, false));
  CU_ASSERT_FALSE(synth__solo_needs_commitment((const uint8_t(*)[32])txids,
                                               (const uint8_t(*)[32])wtxids, 2, false));
  CU_ASSERT_FALSE(synth__solo_needs_commitment(NULL, (const uint8_t(*)[32])wtxids, 3, false));
}

SYNTH_TEST_MAIN("solo_coinbase", SYNTH_TEST(test_needs_commitment), SYNTH_TEST(test_height_push),
                SYNTH_TEST(test_block_100000_coinbase), SYNTH_TEST(test_segwit_layout),
                SYNTH_TEST(test_bounds), SYNTH_TEST(test_witness_commitment))
