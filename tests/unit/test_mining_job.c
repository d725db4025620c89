/* test_mining_job.c: public jobs are validated, copied, and rebuilt into exact headers. */
#include <string.h>

#include "base/logger.h"
#include "precompute/sha256.h"
#include "sha256d/mining_job.h"
#include "support/fixtures.h"
#include "support/harness.h"
#include "synth/synth.h"

/* The genesis block's coinbase transaction. */
static const char genesis_coinbase_hex[] =
    "01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff4d04ffff001d"
    "0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f"
    "66207365636f6e64206261696c6f757420666f722062616e6b73ffffffff0100f2052a01000000434104678afdb0"
    "fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c38"
    "4df7ba0b8d578a4c702b6bf11d5fac00000000";

static int errors_logged;
static void count_errors(void *user, enum synth_log_level level, const char *msg)
{
  (void)user;
  (void)msg;
  errors_logged += level == SYNTH_LOG_ERROR;
}
static const struct synth__logger logger = {count_errors, NULL, SYNTH_LOG_DEBUG};

/* Split the genesis coinbase the way a pool would: 4 bytes of extranonce1 and 4 of
 * extranonce2 in the middle of its script. The roll whose little-endian bytes are those of
 * extranonce2 must rebuild the genesis header exactly. */
static void test_genesis_from_coinbase(void)
{
  uint8_t tx[256], header[80], expect_hash[32], hash[32];
  int len = synth_test_unhex(genesis_coinbase_hex, tx, sizeof tx);
  CU_ASSERT_EQUAL_FATAL(len, 204);
  struct synth_job job = {
      .job_id = "genesis",
      .version = 1,
      .ntime = 1231006505,
      .nbits = 0x1d00ffff,
      .coinb1 = tx,
      .coinb1_len = 50,
      .extranonce1 = tx + 50,
      .extranonce1_len = 4,
      .extranonce2_size = 4,
      .coinb2 = tx + 58,
      .coinb2_len = (size_t)len - 58,
  };
  struct synth__mining_job *mj;
  CU_ASSERT_EQUAL_FATAL(synth__mining_job_create(&job, &logger, &mj), 0);
  memset(tx, 0, sizeof tx);                       /* the job must hold its own copy */
  CU_ASSERT_EQUAL(synth__mining_job_size(mj), 0); /* 2^32 rolls of 2^32 nonces: open */

  uint32_t roll = synth__load_le32((const uint8_t *)"Time");
  synth__mining_job_header(mj, roll, header);
  synth__store_le32(header + 76, 2083236893u);
  synth_test_ref_sha256d(header, 80, hash);
  synth_test_block_decode(&synth_test_blocks[0], tx, expect_hash);
  CU_ASSERT_EQUAL(memcmp(header, tx, 80), 0);
  CU_ASSERT_EQUAL(memcmp(hash, expect_hash, 32), 0);

  uint8_t en2[SYNTH_EXTRANONCE_MAX];
  synth__mining_job_extranonce2(mj, roll, en2);
  CU_ASSERT_EQUAL(memcmp(en2, "Time", 4), 0);
  /* With no share target, nbits' target is used. */
  uint8_t nbits_target[32];
  synth_target_from_nbits(0x1d00ffff, nbits_target);
  CU_ASSERT_EQUAL(memcmp(mj->target, nbits_target, 32), 0);
  synth__mining_job_free(mj);
}

static void test_fixed_root_and_small_extranonce(void)
{
  uint8_t header[80], expect[32];
  synth_test_block_decode(&synth_test_blocks[3], header, expect);
  struct synth_job job = {.job_id = "b125552",
                          .version = 1,
                          .ntime = synth__load_le32(header + 68),
                          .nbits = synth__load_le32(header + 72)};
  memcpy(job.prevhash, header + 4, 32);
  memcpy(job.merkle_root, header + 36, 32);
  struct synth__mining_job *mj;
  CU_ASSERT_EQUAL_FATAL(synth__mining_job_create(&job, &logger, &mj), 0);
  CU_ASSERT_EQUAL(synth__mining_job_size(mj), 1ull << 32);
  uint8_t built[80];
  synth__mining_job_header(mj, 0, built);
  CU_ASSERT_EQUAL(memcmp(built, header, 76), 0);
  synth__mining_job_free(mj);

  static const uint8_t c1[] = {1, 2, 3}, c2[] = {4, 5};
  struct synth_job small = {.job_id = "x",
                            .nbits = 0x1d00ffff,
                            .coinb1 = c1,
                            .coinb1_len = 3,
                            .coinb2 = c2,
                            .coinb2_len = 2,
                            .extranonce2_size = 2};
  CU_ASSERT_EQUAL_FATAL(synth__mining_job_create(&small, &logger, &mj), 0);
  CU_ASSERT_EQUAL(synth__mining_job_size(mj), 65536ull << 32);
  synth__mining_job_free(mj);
}

/* BIP 310: a roll's low bits go into the mask's lowest bits, the bits above are
 * extranonce2; the header's other version bits stay the job's. */
static void test_version_rolling(void)
{
  static const uint8_t c1[8] = {1, 2, 3, 4, 5, 6, 7, 8}, c2[4] = {9, 9, 9, 9};
  struct synth_job job = {.job_id = "vr",
                          .version = 0x20000004,
                          .nbits = 0x1d00ffff,
                          .coinb1 = c1,
                          .coinb1_len = 8,
                          .coinb2 = c2,
                          .coinb2_len = 4,
                          .extranonce2_size = 4,
                          .version_mask = 0x1fffe000};
  struct synth__mining_job *m;
  CU_ASSERT_EQUAL_FATAL(synth__mining_job_create(&job, &logger, &m), 0);
  CU_ASSERT_EQUAL(m->version_bits, 16);
  CU_ASSERT_EQUAL(m->extranonce2_bits, 16);
  CU_ASSERT_EQUAL(synth__mining_job_size(m), 0); /* 2^32 rolls: the whole 64-bit space */
  uint32_t roll = 0xabcd0003;
  CU_ASSERT_EQUAL(synth__mining_job_version(m, roll), 0x20000004u | 1u << 13 | 1u << 14);
  CU_ASSERT_EQUAL(synth__mining_job_version(m, 0x0000ffffu), 0x20000004u | 0x1fffe000u);
  uint8_t en2[SYNTH_EXTRANONCE_MAX], header[80];
  synth__mining_job_extranonce2(m, roll, en2);
  CU_ASSERT(en2[0] == 0xcd && en2[1] == 0xab && en2[2] == 0 && en2[3] == 0);
  synth__mining_job_header(m, roll, header);
  CU_ASSERT_EQUAL(synth__load_le32(header), 0x20006004u);
  /* Two rolls that differ only in their version bits hash different headers. */
  uint8_t other[80];
  synth__mining_job_header(m, roll & 0xffff0000u, other);
  CU_ASSERT_EQUAL(memcmp(header + 4, other + 4, 76), 0);
  CU_ASSERT_NOT_EQUAL(memcmp(header, other, 4), 0);
  synth__mining_job_free(m);

  /* A first roll moves the search's start, and must lie within the rolls. */
  job.first_roll = 5;
  CU_ASSERT_EQUAL_FATAL(synth__mining_job_create(&job, &logger, &m), 0);
  CU_ASSERT_EQUAL(synth__mining_job_start(m), 5ull << 32);
  CU_ASSERT_EQUAL(synth__mining_job_size(m), 0); /* to the end of the 64-bit space */
  synth__mining_job_free(m);
  job.first_roll = 0;

  /* A 1-byte extranonce2 and a 2-bit mask: 2^10 rolls. */
  job.extranonce2_size = 1;
  job.version_mask = 0x00006000;
  CU_ASSERT_EQUAL_FATAL(synth__mining_job_create(&job, &logger, &m), 0);
  CU_ASSERT_EQUAL(synth__mining_job_size(m), 1ull << 42);
  CU_ASSERT_EQUAL(synth__mining_job_version(m, 0x101), 0x20002004u);
  CU_ASSERT_EQUAL(synth__mining_job_version(m, 0x302), 0x20004004u);
  synth__mining_job_extranonce2(m, 0x302, en2);
  CU_ASSERT_EQUAL(en2[0], 0xc0);
  synth__mining_job_free(m);
  job.first_roll = 1000;
  CU_ASSERT_EQUAL_FATAL(synth__mining_job_create(&job, &logger, &m), 0);
  CU_ASSERT_EQUAL(synth__mining_job_size(m), 24ull << 32);
  synth__mining_job_free(m);
  job.first_roll = 1024;
  CU_ASSERT_EQUAL(synth__mining_job_create(&job, &logger, &m), SYNTH_EINVAL);
}

static void test_rejects_malformed(void)
{
  static const uint8_t c1[] = {1}, branches[40][32];
  const struct synth_job good = {
      .job_id = "ok", .nbits = 0x1d00ffff, .coinb1 = c1, .coinb1_len = 1, .extranonce2_size = 4};
  struct synth_job bad[9];
  for (int i = 0; i < 9; i++)
    bad[i] = good;
  bad[0].job_id = NULL;
  bad[1].job_id = "";
  bad[2].job_id = "has space";
  bad[3].job_id = "0123456789012345678901234567890123456789012345678901234567890123456789";
  bad[4].extranonce2_size = 0;
  bad[5].extranonce2_size = 9;
  bad[6].merkle_count = 33, bad[6].merkle_branches = branches;
  bad[7].coinb1_len = SYNTH_COINBASE_MAX + 1;
  bad[8].nbits = 0x1d80ffff; /* negative nbits and no share target: no target at all */
  struct synth__mining_job *mj;
  CU_ASSERT_EQUAL(synth__mining_job_create(&good, &logger, &mj), 0);
  synth__mining_job_free(mj);
  for (int i = 0; i < 9; i++) {
    errors_logged = 0;
    CU_ASSERT_EQUAL(synth__mining_job_create(&bad[i], &logger, &mj), SYNTH_EINVAL);
    CU_ASSERT_EQUAL(errors_logged, 1); /* each rejection says why, once */
  }
}

static void test_benchmark_job(void)
{
  struct synth_job job;
  CU_ASSERT_EQUAL(synth_benchmark_job(&job, 0), 0);
  uint8_t t[32];
  synth_target_from_difficulty(SYNTH_BENCHMARK_DIFFICULTY, t);
  CU_ASSERT_EQUAL(memcmp(job.share_target, t, 32), 0);
  CU_ASSERT_EQUAL(job.extranonce2_size, 4);
  CU_ASSERT(job.merkle_count > 0);
  struct synth__mining_job *mj;
  CU_ASSERT_EQUAL(synth__mining_job_create(&job, &logger, &mj), 0);
  uint8_t h0[80], h1[80];
  synth__mining_job_header(mj, 0, h0);
  synth__mining_job_header(mj, 1, h1);
  CU_ASSERT_NOT_EQUAL(memcmp(h0 + 36, h1 + 36, 32), 0); /* each roll: its own merkle root */
  CU_ASSERT_EQUAL(memcmp(h0, h1, 36), 0);
  synth__mining_job_free(mj);
  CU_ASSERT_EQUAL(synth_benchmark_job(&job, -1), SYNTH_EINVAL);
}

SYNTH_TEST_MAIN("mining_job", SYNTH_TEST(test_genesis_from_coinbase),
                SYNTH_TEST(test_fixed_root_and_small_extranonce), SYNTH_TEST(test_version_rolling),
                SYNTH_TEST(test_rejects_malformed), SYNTH_TEST(test_benchmark_job))
