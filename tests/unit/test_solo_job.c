/* test_solo_job.c: a template as a mining job: the job's branches give solo_block's merkle
 * root for any extranonce and any transaction count, the block rebuilt from a found nonce has
 * the independently computed header and hash, version_mask follows mutable, and the witness
 * commitment is there exactly when a segwit transaction (or a default commitment) is, and the
 * runtime accepts the job and hashes, for each roll, the header that roll's block starts with. */
#include <stdlib.h>
#include <string.h>

#include "base/logger.h"
#include "pool/solo_block.h"
#include "pool/solo_job.h"
#include "precompute/sha256.h"
#include "sha256d/merkle.h"
#include "sha256d/mining_job.h"
#include "support/gbt_template.h"
#include "support/harness.h"
#include "support/log_capture.h"
#include "synth/error.h"

static const uint8_t payout[] = {0x00, 0x14, 1,  2,  3,  4,  5,  6,  7,  8,  9,
                                 10,   11,   12, 13, 14, 15, 16, 17, 18, 19, 20};
static const uint8_t en1[4] = {0xde, 0xad, 0xbe, 0xef};

static struct synth__solo_job_spec spec(void)
{
  return (struct synth__solo_job_spec){payout, sizeof payout, (const uint8_t *)"/synth/", 7, en1};
}

static void load(struct synth__solo_template *t)
{
  char err[160];
  CU_ASSERT_EQUAL_FATAL(synth__solo_template_parse_text(
                            synth_test_gbt_valid, strlen(synth_test_gbt_valid), t, err, sizeof err),
                        0);
}

/* The coinbase txid for @en2, rebuilt with the coinbase builder (not the job's split). */
static void builder_txid(const struct synth__solo_job *j, const uint8_t en2[4], uint8_t txid[32])
{
  struct synth__solo_coinbase cb = j->cb;
  uint8_t en[8];
  memcpy(en, j->extranonce1, 4);
  memcpy(en + 4, en2, 4);
  CU_ASSERT_EQUAL(synth__solo_coinbase_set_extranonce(&cb, en, 8), 0);
  synth__solo_coinbase_ids(&cb, txid, NULL);
}

/* Templates of 0..40 random txids: fold(coinbase, branches) == solo_block's root. */
static void test_branches_root(void)
{
  synth_test_seed();
  struct synth__solo_template t;
  load(&t);
  uint8_t(*saved)[32] = t.txids, (*saved_w)[32] = t.wtxids;
  size_t saved_n = t.ntx;
  uint8_t txids[40][32];
  synth_test_fill(txids, sizeof txids);
  for (size_t n = 0; n <= 40; n++) {
    t.txids = n ? txids : NULL;
    t.wtxids = n ? txids : NULL; /* no witness: no commitment needed but the default's */
    t.ntx = n;
    struct synth__solo_job_spec s = spec();
    struct synth__solo_job j;
    char err[100];
    CU_ASSERT_EQUAL_FATAL(synth__solo_job_build(&t, &s, &j, err, sizeof err), 0);
    uint8_t en2[4];
    synth_test_fill(en2, 4);
    uint8_t leaf[32], root[32], want[32], txid[32];
    synth__coinbase_hash(j.job.coinb1, j.job.coinb1_len, j.job.extranonce1, j.job.extranonce1_len,
                         en2, 4, j.job.coinb2, j.job.coinb2_len, leaf);
    builder_txid(&j, en2, txid);
    CU_ASSERT_EQUAL(memcmp(leaf, txid, 32), 0);
    synth__merkle_fold(leaf, j.job.merkle_branches, j.job.merkle_count, root);
    CU_ASSERT_EQUAL(synth__solo_merkle_root(txid, (const uint8_t(*)[32])txids, n, want), 0);
    CU_ASSERT_EQUAL(memcmp(root, want, 32), 0);
    size_t depth = 0;
    while (((size_t)1 << depth) < n + 1)
      depth++;
    CU_ASSERT_EQUAL(j.job.merkle_count, depth);
  }
  t.txids = saved;
  t.wtxids = saved_w;
  t.ntx = saved_n;
  synth__solo_template_free(&t);
}

static void test_job_fields(void)
{
  struct synth__solo_template t;
  load(&t);
  struct synth__solo_job_spec s = spec();
  struct synth__solo_job j, k;
  CU_ASSERT_EQUAL_FATAL(synth__solo_job_build(&t, &s, &j, NULL, 0), 0);
  CU_ASSERT_EQUAL_FATAL(synth__solo_job_build(&t, &s, &k, NULL, 0), 0);
  CU_ASSERT_EQUAL(j.job.version, 0x20000000u);
  CU_ASSERT_EQUAL(j.job.prevhash[0], 0xf7); /* RPC hex reversed: the header's order */
  CU_ASSERT_EQUAL(j.job.prevhash[31], 0x00);
  CU_ASSERT_EQUAL(j.job.ntime, 1700001234u);
  CU_ASSERT_EQUAL(j.job.nbits, 0x17034219u);
  CU_ASSERT_EQUAL(memcmp(j.job.share_target, t.target, 32), 0);
  CU_ASSERT_EQUAL(j.job.clean, 1);
  CU_ASSERT_EQUAL(j.job.version_mask, 0);
  CU_ASSERT_EQUAL(j.job.extranonce2_size, 4);
  CU_ASSERT_EQUAL(memcmp(j.job.extranonce1, en1, 4), 0);
  CU_ASSERT_EQUAL(j.job.coinb1_len + 8 + j.job.coinb2_len, j.cb.base_len);
  CU_ASSERT_EQUAL(strncmp(j.job.job_id, "c8320.", 6), 0); /* 820000 */
  CU_ASSERT_STRING_NOT_EQUAL(j.job.job_id, k.job.job_id);
  /* No extranonce1 given: the process's, the same for every job. */
  s.extranonce1 = NULL;
  CU_ASSERT_EQUAL_FATAL(synth__solo_job_build(&t, &s, &j, NULL, 0), 0);
  CU_ASSERT_EQUAL_FATAL(synth__solo_job_build(&t, &s, &k, NULL, 0), 0);
  CU_ASSERT_EQUAL(memcmp(j.extranonce1, k.extranonce1, 4), 0);
  /* version_mask follows the template's rolling rule. */
  t.version_rolling = true;
  CU_ASSERT_EQUAL_FATAL(synth__solo_job_build(&t, &s, &j, NULL, 0), 0);
  CU_ASSERT_EQUAL(j.job.version_mask, 0x1fffe000u);
  /* A builder refusal comes back with a message. */
  s.payout_script = NULL;
  char err[100];
  CU_ASSERT_EQUAL(synth__solo_job_build(&t, &s, &j, err, sizeof err), SYNTH_EINVAL);
  CU_ASSERT_EQUAL(strncmp(err, "solo job: coinbase: ", 20), 0);
  synth__solo_template_free(&t);
}

/* version_mask from the template's text: "version/force" in mutable rolls. */
static void test_mask_from_mutable(void)
{
  json_t *root = json_loads(synth_test_gbt_valid, 0, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(root);
  json_array_append_new(json_object_get(root, "mutable"), json_string("version/force"));
  struct synth__solo_template t;
  CU_ASSERT_EQUAL_FATAL(synth__solo_template_parse(root, &t, NULL, 0), 0);
  struct synth__solo_job_spec s = spec();
  struct synth__solo_job j;
  CU_ASSERT_EQUAL_FATAL(synth__solo_job_build(&t, &s, &j, NULL, 0), 0);
  CU_ASSERT_EQUAL(j.job.version_mask, 0x1fffe000u);
  synth__solo_template_free(&t);
  json_decref(root);
}

static bool contains(const uint8_t *p, size_t n, const uint8_t *q, size_t m)
{
  for (size_t i = 0; i + m <= n; i++)
    if (memcmp(p + i, q, m) == 0)
      return true;
  return false;
}

/* A "found" nonce: the block's header is the one built by hand, its hash the same, and the
 * block is header ‖ count ‖ coinbase (with witness) ‖ the template's transactions. */
static void test_block_from_share(void)
{
  struct synth__solo_template t;
  load(&t);
  struct synth__solo_job_spec s = spec();
  struct synth__solo_job j;
  CU_ASSERT_EQUAL_FATAL(synth__solo_job_build(&t, &s, &j, NULL, 0), 0);
  const uint8_t en2[4] = {1, 2, 3, 4};
  uint32_t ntime = 1700001300, version = 0x20002000, nonce = 0x9abcdef0;
  uint8_t header[80], *block;
  size_t len;
  CU_ASSERT_EQUAL_FATAL(synth__solo_job_block(&j, en2, ntime, version, nonce, header, &block, &len),
                        0);
  uint8_t txid[32], root[32], want[80];
  builder_txid(&j, en2, txid);
  CU_ASSERT_EQUAL(synth__solo_merkle_root(txid, (const uint8_t(*)[32])t.txids, t.ntx, root), 0);
  struct synth__solo_header h = {.version = version, .time = ntime, .bits = t.bits, .nonce = nonce};
  memcpy(h.prev, t.prev, 32);
  memcpy(h.merkle, root, 32);
  synth__solo_header_bytes(&h, want);
  CU_ASSERT_EQUAL(memcmp(header, want, 80), 0);
  CU_ASSERT_EQUAL(memcmp(block, want, 80), 0);
  uint8_t got_hash[32], want_hash[32];
  synth__sha256d(block, 80, got_hash);
  synth__sha256d(want, 80, want_hash);
  CU_ASSERT_EQUAL(memcmp(got_hash, want_hash, 32), 0);
  CU_ASSERT_EQUAL(block[80], 3); /* coinbase + 2 */
  struct synth__solo_coinbase cb = j.cb;
  uint8_t en[8];
  memcpy(en, en1, 4);
  memcpy(en + 4, en2, 4);
  synth__solo_coinbase_set_extranonce(&cb, en, 8);
  CU_ASSERT_TRUE(cb.has_witness);
  CU_ASSERT_EQUAL(memcmp(block + 81, cb.full, cb.full_len), 0);
  const uint8_t tx0[] = {0x01, 0x00, 0x00, 0x00, 0x01, 0xaa};
  const uint8_t tx1[] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0xbb};
  CU_ASSERT_EQUAL(len, 81 + cb.full_len + sizeof tx0 + sizeof tx1);
  CU_ASSERT_EQUAL(memcmp(block + 81 + cb.full_len, tx0, sizeof tx0), 0);
  CU_ASSERT_EQUAL(memcmp(block + len - sizeof tx1, tx1, sizeof tx1), 0);
  /* The template's default commitment script is the coinbase's output, verbatim. */
  CU_ASSERT_TRUE(contains(cb.base, cb.base_len, t.default_commitment, t.default_commitment_len));
  free(block);
  synth__solo_template_free(&t);
}

/* Without a default commitment: one is computed when a segwit transaction is there, and none
 * is in the coinbase when every hash equals its txid. */
static void test_commitment_when_segwit(void)
{
  static const uint8_t header[] = {0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed};
  struct synth__solo_template t;
  load(&t);
  free(t.default_commitment);
  t.default_commitment = NULL;
  t.default_commitment_len = 0;
  struct synth__solo_job_spec s = spec();
  struct synth__solo_job j;
  CU_ASSERT_EQUAL_FATAL(synth__solo_job_build(&t, &s, &j, NULL, 0), 0);
  CU_ASSERT_TRUE(j.cb.has_witness);
  CU_ASSERT_TRUE(contains(j.cb.base, j.cb.base_len, header, sizeof header));
  uint8_t commitment[32];
  CU_ASSERT_EQUAL(synth__solo_witness_commitment((const uint8_t(*)[32])t.wtxids, t.ntx, commitment),
                  0);
  CU_ASSERT_TRUE(contains(j.cb.base, j.cb.base_len, commitment, 32));
  memcpy(t.wtxids[1], t.txids[1], 32); /* no segwit transaction left */
  CU_ASSERT_EQUAL_FATAL(synth__solo_job_build(&t, &s, &j, NULL, 0), 0);
  CU_ASSERT_FALSE(j.cb.has_witness);
  CU_ASSERT_FALSE(contains(j.cb.base, j.cb.base_len, header, sizeof header));
  CU_ASSERT_EQUAL(j.cb.full_len, j.cb.base_len);
  synth__solo_template_free(&t);
}

static const struct synth__logger logger = {log_capture_fn, NULL, SYNTH_LOG_DEBUG};

/* The runtime takes the job as it is, and the header it hashes for a roll (extranonce2 and
 * rolled version bits) is the one the block for that roll starts with. */
static void test_runtime_header(void)
{
  struct synth__solo_template t;
  load(&t);
  t.version_rolling = true;
  struct synth__solo_job_spec s = spec();
  struct synth__solo_job j;
  CU_ASSERT_EQUAL_FATAL(synth__solo_job_build(&t, &s, &j, NULL, 0), 0);
  struct synth__mining_job *mj;
  log_capture_clear();
  CU_ASSERT_EQUAL_FATAL(synth__mining_job_create(&j.job, &logger, &mj), 0);
  CU_ASSERT_FALSE(log_capture_has("job"));
  const uint32_t rolls[] = {0, 1, 0x12345, 0x9abcdef};
  for (size_t i = 0; i < sizeof rolls / sizeof *rolls; i++) {
    uint8_t want[80], got[80], en2[SYNTH_EXTRANONCE_MAX], *block;
    size_t len;
    synth__mining_job_header(mj, rolls[i], want);
    const uint32_t nonce = 0x01020304u * (uint32_t)(i + 1);
    for (int b = 0; b < 4; b++)
      want[76 + b] = (uint8_t)(nonce >> (8 * b));
    synth__mining_job_extranonce2(mj, rolls[i], en2);
    uint32_t version = synth__mining_job_version(mj, rolls[i]);
    CU_ASSERT_EQUAL(version & ~0x1fffe000u, t.version);
    CU_ASSERT_EQUAL_FATAL(
        synth__solo_job_block(&j, en2, j.job.ntime, version, nonce, got, &block, &len), 0);
    CU_ASSERT_EQUAL(memcmp(got, want, 80), 0);
    free(block);
  }
  synth__mining_job_free(mj);
  synth__solo_template_free(&t);
}

SYNTH_TEST_MAIN("solo_job", SYNTH_TEST(test_branches_root), SYNTH_TEST(test_job_fields),
                SYNTH_TEST(test_mask_from_mutable), SYNTH_TEST(test_block_from_share),
                SYNTH_TEST(test_commitment_when_segwit), SYNTH_TEST(test_runtime_header))
