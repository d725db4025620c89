/* test_target.c: nbits expansion, difficulty <-> target, and the hash comparison. */
#include <math.h>
#include <string.h>

#include "support/fixtures.h"
#include "support/harness.h"
#include "synth/synth.h"

static void expect_hex_be(const uint8_t le[32], const char *be_hex)
{
  uint8_t be[32], want[32];
  for (int i = 0; i < 32; i++)
    be[i] = le[31 - i];
  synth_test_unhex(be_hex, want, 32);
  CU_ASSERT_EQUAL(memcmp(be, want, 32), 0);
}

static void test_nbits(void)
{
  uint8_t t[32];
  CU_ASSERT_EQUAL(synth_target_from_nbits(0x1d00ffff, t), 0);
  expect_hex_be(t, "00000000ffff0000000000000000000000000000000000000000000000000000");
  CU_ASSERT_EQUAL(synth_target_from_nbits(0x1b0404cb, t), 0);
  expect_hex_be(t, "00000000000404cb000000000000000000000000000000000000000000000000");
  CU_ASSERT_EQUAL(synth_target_from_nbits(0x17034219, t), 0);
  expect_hex_be(t, "0000000000000000000342190000000000000000000000000000000000000000");
  /* Exponents below 3 shift the mantissa right. */
  CU_ASSERT_EQUAL(synth_target_from_nbits(0x02123456, t), 0);
  expect_hex_be(t, "0000000000000000000000000000000000000000000000000000000000001234");
  CU_ASSERT_EQUAL(synth_target_from_nbits(0x00000000, t), 0);
  expect_hex_be(t, "0000000000000000000000000000000000000000000000000000000000000000");
}

static void test_nbits_invalid(void)
{
  uint8_t t[32];
  CU_ASSERT_EQUAL(synth_target_from_nbits(0x1d80ffff, t), SYNTH_EINVAL); /* negative */
  CU_ASSERT_EQUAL(synth_target_from_nbits(0x2300ffff, t), SYNTH_EINVAL); /* past 2^256 */
  CU_ASSERT_EQUAL(synth_target_from_nbits(0xff123456, t), SYNTH_EINVAL);
  CU_ASSERT_EQUAL(synth_target_from_nbits(0x2100ffff, t), 0); /* 0xffff << 240 still fits */
}

static void test_difficulty(void)
{
  uint8_t t[32], nb[32];
  CU_ASSERT_EQUAL(synth_target_from_difficulty(1.0, t), 0);
  synth_target_from_nbits(0x1d00ffff, nb);
  CU_ASSERT_EQUAL(memcmp(t, nb, 32), 0);

  CU_ASSERT_EQUAL(synth_target_from_difficulty(2.0, t), 0);
  expect_hex_be(t, "000000007fff8000000000000000000000000000000000000000000000000000");
  CU_ASSERT_EQUAL(synth_target_from_difficulty(1.0 / 4096, t), 0);
  expect_hex_be(t, "00000ffff0000000000000000000000000000000000000000000000000000000");
  CU_ASSERT_EQUAL(synth_target_from_difficulty(1e-30, t), 0); /* everything meets it */
  for (int i = 0; i < 32; i++)
    CU_ASSERT_EQUAL(t[i], 0xff);
}

static void test_difficulty_invalid(void)
{
  uint8_t t[32];
  CU_ASSERT_EQUAL(synth_target_from_difficulty(0, t), SYNTH_EINVAL);
  CU_ASSERT_EQUAL(synth_target_from_difficulty(-1, t), SYNTH_EINVAL);
  CU_ASSERT_EQUAL(synth_target_from_difficulty(NAN, t), SYNTH_EINVAL);
  CU_ASSERT_EQUAL(synth_target_from_difficulty(INFINITY, t), SYNTH_EINVAL);
}

static void test_round_trip(void)
{
  static const double diffs[] = {1.0 / 65536, 0.001, 1, 3.5, 1024, 1e6, 9.3e13};
  for (size_t i = 0; i < sizeof diffs / sizeof diffs[0]; i++) {
    uint8_t t[32];
    synth_target_from_difficulty(diffs[i], t);
    double back = synth_target_to_difficulty(t);
    CU_ASSERT(fabs(back - diffs[i]) / diffs[i] < 1e-9);
  }
  uint8_t zero[32] = {0};
  CU_ASSERT_EQUAL(synth_target_to_difficulty(zero), 0);
}

static void test_meets_boundaries(void)
{
  for (int round = 0; round < 1000; round++) {
    uint8_t target[32], hash[32];
    synth_test_fill(target, 32);
    memcpy(hash, target, 32);
    CU_ASSERT_TRUE(synth_hash_meets_target(hash, target)); /* equal meets */
    int byte = (int)(synth_test_rand() % 32);
    if (hash[byte] != 0xff) {
      hash[byte]++; /* now larger at some byte: larger overall only if that byte decides */
      CU_ASSERT_EQUAL(synth_hash_meets_target(hash, target), synth_test_ref_meets(hash, target));
    }
    synth_test_fill(hash, 32);
    CU_ASSERT_EQUAL(synth_hash_meets_target(hash, target), synth_test_ref_meets(hash, target));
  }
  uint8_t t[32] = {0}, h[32] = {0};
  t[31] = 0x01;
  h[0] = 0xff;
  CU_ASSERT_TRUE(synth_hash_meets_target(h, t)); /* byte 31 is the most significant */
  h[31] = 0x02;
  CU_ASSERT_FALSE(synth_hash_meets_target(h, t));
}

SYNTH_TEST_MAIN("target", SYNTH_TEST(test_nbits), SYNTH_TEST(test_nbits_invalid),
                SYNTH_TEST(test_difficulty), SYNTH_TEST(test_difficulty_invalid),
                SYNTH_TEST(test_round_trip), SYNTH_TEST(test_meets_boundaries))
