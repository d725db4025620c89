/* block100000.c: Bitcoin block 100000, the test pool's job source and a byte-order fixture. */
#include "support/block100000.h"

#include <string.h>

#include "support/fixtures.h"
#include "support/harness.h"

/* Four transactions, so the coinbase has two merkle branches, and a v1 coinbase without a
 * BIP34 height: its scriptSig is nbits (044c86041b) and two small pushes (02 0602). */
const struct synth_test_b100000 synth_test_b100000 = {
    .version = 1,
    .time = 1293623863,
    .bits = 0x1b04864c,
    .nonce = 274148111,
    .prevhash_hex = "000000000002d01c1fccc21636b607dfd930d31d01c3a62104612a1719011250",
    .merkle_root_hex = "f3e94742aca4b5ef85488dc37c06c3282295ffec960994b2c0d5ac2a25a95766",
    .hash_hex = "000000000003ba27aa200b1cecaad478d2b00432346c3f1f3986da1afd33e506",
    .txid_hex =
        {
            "8c14f0db3df150123e6f3dbbf30f8b955a8249b62ac1d1ff16284aefa3d06d87",
            "fff2525b8931402dd09222c50775608f75787bd2b87e56995a7bdd30f79702c4",
            "6359f0868171b1d194cbee1af2f16ea598ae8fad666d9b012c8ed2b79a236ec4",
            "e9a66845e05d5abc0ad04ec80f774a7e585c6e8db975962d069a522137b80c1d",
        },
    .coinbase_hex = "01000000010000000000000000000000000000000000000000000000000000000000000000"
                    "ffffffff08044c86041b020602ffffffff0100f2052a010000004341041b0e8c2567c125"
                    "36aa13357b79a073dc4444acb83c4ec7a0e2f99dd7457516c5817242da796924ca4e9994"
                    "7d087fedf9ce467cb9f7c6287078f801df276fdf84ac00000000",
};

/* The real scriptSig 04 4c86041b | 02 | 0602: the last three bytes play en1 and en2. */
#define REAL_COINB1_LEN (SYNTH_TEST_B100000_SCRIPT_LEN_AT + 1 + 5)
#define SCRIPT_END (SYNTH_TEST_B100000_SCRIPT_LEN_AT + 1 + SYNTH_TEST_B100000_SCRIPT_LEN)

int synth_test_b100000_internal(const char *shown_hex, uint8_t out[32])
{
  uint8_t b[32];
  if (strlen(shown_hex) != 64 || synth_test_unhex(shown_hex, b, 32) != 32)
    return -1;
  for (int i = 0; i < 32; i++)
    out[i] = b[31 - i];
  return 0;
}

void synth_test_b100000_coinbase(uint8_t out[SYNTH_TEST_B100000_COINBASE_LEN])
{
  synth_test_unhex(synth_test_b100000.coinbase_hex, out, SYNTH_TEST_B100000_COINBASE_LEN);
}

void synth_test_b100000_branches(uint8_t branches[2][32])
{
  uint8_t pair[64];
  synth_test_b100000_internal(synth_test_b100000.txid_hex[1], branches[0]);
  synth_test_b100000_internal(synth_test_b100000.txid_hex[2], pair);
  synth_test_b100000_internal(synth_test_b100000.txid_hex[3], pair + 32);
  synth_test_ref_sha256d(pair, sizeof pair, branches[1]);
}

static void put_le32(uint8_t *p, uint32_t v)
{
  for (int i = 0; i < 4; i++)
    p[i] = (uint8_t)(v >> (8 * i));
}

void synth_test_b100000_header(uint8_t header[80])
{
  const struct synth_test_b100000 *b = &synth_test_b100000;
  put_le32(header, b->version);
  synth_test_b100000_internal(b->prevhash_hex, header + 4);
  synth_test_b100000_internal(b->merkle_root_hex, header + 36);
  put_le32(header + 68, b->time);
  put_le32(header + 72, b->bits);
  put_le32(header + 76, b->nonce);
}

void synth_test_b100000_real_split(struct synth_test_coinbase_split *out)
{
  uint8_t cb[SYNTH_TEST_B100000_COINBASE_LEN];
  synth_test_b100000_coinbase(cb);
  memset(out, 0, sizeof *out);
  memcpy(out->coinb1, cb, REAL_COINB1_LEN);
  out->coinb1_len = REAL_COINB1_LEN;
  out->en1[0] = cb[REAL_COINB1_LEN];
  out->en1_len = 1;
  memcpy(out->en2, cb + REAL_COINB1_LEN + 1, 2);
  out->en2_len = 2;
  out->coinb2_len = sizeof cb - SCRIPT_END;
  memcpy(out->coinb2, cb + SCRIPT_END, out->coinb2_len);
}

int synth_test_b100000_pool_split(const uint8_t *en1, size_t en1_len, size_t en2_len,
                                  struct synth_test_coinbase_split *out)
{
  if (en1_len > sizeof out->en1 || en2_len > sizeof out->en2)
    return -1;
  uint8_t cb[SYNTH_TEST_B100000_COINBASE_LEN];
  synth_test_b100000_coinbase(cb);
  memset(out, 0, sizeof *out);
  /* The scriptSig stays far below its 100-byte consensus limit: 8 + 16 + 16. */
  cb[SYNTH_TEST_B100000_SCRIPT_LEN_AT] =
      (uint8_t)(SYNTH_TEST_B100000_SCRIPT_LEN + en1_len + en2_len);
  memcpy(out->coinb1, cb, SCRIPT_END);
  out->coinb1_len = SCRIPT_END;
  if (en1_len)
    memcpy(out->en1, en1, en1_len);
  out->en1_len = en1_len;
  out->en2_len = en2_len;
  out->coinb2_len = sizeof cb - SCRIPT_END;
  memcpy(out->coinb2, cb + SCRIPT_END, out->coinb2_len);
  return 0;
}
