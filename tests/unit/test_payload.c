/* test_payload.c: the per-roll precompute equals the plain SHA-256d path, piece by piece. */
#include <string.h>

#include "precompute/sha256.h"
#include "sha256d/sha256d_payload.h"
#include "support/fixtures.h"
#include "support/harness.h"

/* Block 2 of an 80-byte header, nonce included, as the standard expands it. */
static void full_schedule(const uint8_t header[80], uint32_t w[64])
{
  uint8_t block[64] = {0};
  memcpy(block, header + 64, 16);
  block[16] = 0x80;
  block[62] = 0x02; /* 640 bits = 0x280 */
  block[63] = 0x80;
  for (int t = 0; t < 16; t++)
    w[t] = synth__load_be32(block + 4 * t);
  for (int t = 16; t < 64; t++)
    w[t] = SYNTH_SHA_SSIG1(w[t - 2]) + w[t - 7] + SYNTH_SHA_SSIG0(w[t - 15]) + w[t - 16];
}

static void test_midstate_and_schedule(void)
{
  for (int round = 0; round < 200; round++) {
    uint8_t header[80], target[32];
    synth_test_fill(header, 80);
    synth_test_fill(target, 32);
    struct synth__sha256d_payload p;
    synth__sha256d_payload_init(&p, header, target);

    uint32_t mid[8];
    memcpy(mid, synth__sha256_iv, sizeof mid);
    synth__sha256_compress(mid, header);
    CU_ASSERT_EQUAL(memcmp(mid, p.midstate, sizeof mid), 0);

    uint32_t w[64];
    full_schedule(header, w);
    CU_ASSERT_EQUAL(p.w[0], w[0]);
    CU_ASSERT_EQUAL(p.w[1], w[1]);
    CU_ASSERT_EQUAL(p.w[2], w[2]);
    CU_ASSERT_EQUAL(p.w16, w[16]);
    CU_ASSERT_EQUAL(p.w17, w[17]);
    CU_ASSERT_EQUAL(p.w18_base + SYNTH_SHA_SSIG0(w[3]), w[18]);
    CU_ASSERT_EQUAL(p.w19_base + w[3], w[19]);
    for (int i = 0; i < 8; i++)
      CU_ASSERT_EQUAL(p.target[i], synth__load_le32(target + 4 * i));
    CU_ASSERT_EQUAL(memcmp(p.header, header, 76), 0);
    CU_ASSERT_EQUAL(synth__load_le32(p.header + 76), 0);
  }
}

/* Rounds 0..3 run in full from the midstate give the payload's round-4 state once W3 is added. */
static void test_round4_state(void)
{
  for (int round = 0; round < 200; round++) {
    uint8_t header[80], target[32] = {0};
    synth_test_fill(header, 80);
    struct synth__sha256d_payload p;
    synth__sha256d_payload_init(&p, header, target);
    uint32_t w[64];
    full_schedule(header, w);
    uint32_t s[8];
    memcpy(s, p.midstate, sizeof s);
    for (int t = 0; t < 4; t++) {
      uint32_t t1 =
          s[7] + SYNTH_SHA_BSIG1(s[4]) + SYNTH_SHA_CH(s[4], s[5], s[6]) + synth__sha256_k[t] + w[t];
      uint32_t t2 = SYNTH_SHA_BSIG0(s[0]) + SYNTH_SHA_MAJ(s[0], s[1], s[2]);
      memmove(s + 1, s, 7 * sizeof s[0]);
      s[4] += t1;
      s[0] = t1 + t2;
    }
    CU_ASSERT_EQUAL(p.r4[0] + w[3], s[0]);
    CU_ASSERT_EQUAL(p.r4[4] + w[3], s[4]);
    for (int i = 1; i < 8; i++) {
      if (i != 4)
        CU_ASSERT_EQUAL(p.r4[i], s[i]);
    }
  }
}

/* The midstate path (payload) and the full path (OpenSSL on the whole header) agree. */
static void test_payload_hash_equals_full_path(void)
{
  for (int round = 0; round < 500; round++) {
    uint8_t header[80], target[32] = {0}, got[32], ref[32], built[80];
    synth_test_fill(header, 80);
    uint32_t nonce = (uint32_t)synth_test_rand();
    struct synth__sha256d_payload p;
    synth__sha256d_payload_init(&p, header, target);
    synth__sha256d_payload_hash(&p, nonce, got, built);
    synth__store_le32(header + 76, nonce);
    synth_test_ref_sha256d(header, 80, ref);
    CU_ASSERT_EQUAL(memcmp(got, ref, 32), 0);
    CU_ASSERT_EQUAL(memcmp(built, header, 80), 0);
  }
}

SYNTH_TEST_MAIN("payload", SYNTH_TEST(test_midstate_and_schedule), SYNTH_TEST(test_round4_state),
                SYNTH_TEST(test_payload_hash_equals_full_path))
