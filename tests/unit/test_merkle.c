/* test_merkle.c: coinbase hashing and merkle folding against OpenSSL and real blocks. */
#include <string.h>

#include "sha256d/merkle.h"
#include "support/block100000.h"
#include "support/fixtures.h"
#include "support/harness.h"
#include "synth/error.h"

static void reversed(const char *shown_hex, uint8_t out[32])
{
  uint8_t b[32];
  synth_test_unhex(shown_hex, b, 32);
  for (int i = 0; i < 32; i++)
    out[i] = b[31 - i];
}

/* Block 100000: four transactions; the coinbase's branches are tx1 and H(tx2 || tx3). */
static void test_block_100000_root(void)
{
  uint8_t tx[4][32], pair[64], branches[2][32], root[32], expect[32];
  reversed("8c14f0db3df150123e6f3dbbf30f8b955a8249b62ac1d1ff16284aefa3d06d87", tx[0]);
  reversed("fff2525b8931402dd09222c50775608f75787bd2b87e56995a7bdd30f79702c4", tx[1]);
  reversed("6359f0868171b1d194cbee1af2f16ea598ae8fad666d9b012c8ed2b79a236ec4", tx[2]);
  reversed("e9a66845e05d5abc0ad04ec80f774a7e585c6e8db975962d069a522137b80c1d", tx[3]);
  reversed("f3e94742aca4b5ef85488dc37c06c3282295ffec960994b2c0d5ac2a25a95766", expect);
  memcpy(branches[0], tx[1], 32);
  memcpy(pair, tx[2], 32);
  memcpy(pair + 32, tx[3], 32);
  synth_test_ref_sha256d(pair, 64, branches[1]);
  synth__merkle_fold(tx[0], (const uint8_t(*)[32])branches, 2, root);
  CU_ASSERT_EQUAL(memcmp(root, expect, 32), 0);
  synth__merkle_fold(tx[0], NULL, 0, root);
  CU_ASSERT_EQUAL(memcmp(root, tx[0], 32), 0);
}

static void test_random_against_openssl(void)
{
  for (int round = 0; round < 100; round++) {
    uint8_t c1[300], c2[300], en1[8], en2[8], whole[616], ref[32], got[32];
    size_t l1 = synth_test_rand() % 300, l2 = synth_test_rand() % 300;
    size_t e1 = synth_test_rand() % 9, e2 = 1 + synth_test_rand() % 8;
    synth_test_fill(c1, l1);
    synth_test_fill(c2, l2);
    synth_test_fill(en1, e1);
    synth_test_fill(en2, e2);
    size_t n = 0;
    memcpy(whole + n, c1, l1), n += l1;
    memcpy(whole + n, en1, e1), n += e1;
    memcpy(whole + n, en2, e2), n += e2;
    memcpy(whole + n, c2, l2), n += l2;
    synth_test_ref_sha256d(whole, n, ref);
    synth__coinbase_hash(c1, l1, en1, e1, en2, e2, c2, l2, got);
    CU_ASSERT_EQUAL(memcmp(got, ref, 32), 0);

    uint8_t branches[12][32], pair[64];
    size_t nb = synth_test_rand() % 13;
    synth_test_fill(branches, sizeof branches);
    memcpy(pair, ref, 32);
    for (size_t i = 0; i < nb; i++) {
      memcpy(pair + 32, branches[i], 32);
      synth_test_ref_sha256d(pair, 64, pair);
    }
    synth__merkle_fold(got, (const uint8_t(*)[32])branches, nb, got);
    CU_ASSERT_EQUAL(memcmp(got, pair, 32), 0);
  }
}

/* The whole tree from a list of leaves: block 100000's four txids, and random lists of 1..40
 * against the same tree folded with OpenSSL (odd levels pair their last hash with itself). */
static void test_root_of_list(void)
{
  uint8_t tx[4][32], root[32], expect[32];
  for (int i = 0; i < 4; i++)
    reversed(synth_test_b100000.txid_hex[i], tx[i]);
  reversed(synth_test_b100000.merkle_root_hex, expect);
  CU_ASSERT_EQUAL(synth__merkle_root(tx, 4, root), 0);
  CU_ASSERT_EQUAL(memcmp(root, expect, 32), 0);
  CU_ASSERT_EQUAL(synth__merkle_root(tx, 0, root), SYNTH_EINVAL);
  CU_ASSERT_EQUAL(synth__merkle_root(NULL, 1, root), SYNTH_EINVAL);
  for (int round = 0; round < 50; round++) {
    uint8_t leaves[40][32], ref[40][32];
    size_t n = 1 + synth_test_rand() % 40;
    synth_test_fill(leaves, sizeof leaves);
    memcpy(ref, leaves, sizeof ref);
    for (size_t level = n; level > 1; level = (level + 1) / 2)
      for (size_t i = 0; i < level; i += 2) {
        uint8_t pair[64];
        memcpy(pair, ref[i], 32);
        memcpy(pair + 32, ref[i + 1 < level ? i + 1 : i], 32);
        synth_test_ref_sha256d(pair, 64, ref[i / 2]);
      }
    CU_ASSERT_EQUAL(synth__merkle_root(leaves, n, root), 0);
    CU_ASSERT_EQUAL(memcmp(root, ref[0], 32), 0);
  }
}

SYNTH_TEST_MAIN("merkle", SYNTH_TEST(test_block_100000_root),
                SYNTH_TEST(test_random_against_openssl), SYNTH_TEST(test_root_of_list))
