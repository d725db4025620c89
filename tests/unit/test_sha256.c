/* test_sha256.c: the SHA-256 reference against NIST vectors and OpenSSL on random inputs. */
#include <openssl/sha.h>
#include <string.h>

#include "precompute/sha256.h"
#include "support/fixtures.h"
#include "support/harness.h"

static void check_hex(const char *msg, size_t len, const char *expect_hex)
{
  uint8_t expect[32], got[32];
  synth_test_unhex(expect_hex, expect, 32);
  synth__sha256(msg, len, got);
  CU_ASSERT_EQUAL(memcmp(got, expect, 32), 0);
}

/* FIPS 180-4 examples (NIST CSRC "SHA256.pdf", "SHA2_Additional.pdf"). */
static void test_nist_vectors(void)
{
  check_hex("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  check_hex("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  check_hex(two_blocks, strlen(two_blocks),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  const char *long_msg = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnop"
                         "jklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
  check_hex(long_msg, strlen(long_msg),
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_million_a(void)
{
  struct synth__sha256 ctx;
  char chunk[1000];
  memset(chunk, 'a', sizeof chunk);
  synth__sha256_init(&ctx);
  for (int i = 0; i < 1000; i++)
    synth__sha256_update(&ctx, chunk, sizeof chunk);
  uint8_t got[32], expect[32];
  synth__sha256_final(&ctx, got);
  synth_test_unhex("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", expect, 32);
  CU_ASSERT_EQUAL(memcmp(got, expect, 32), 0);
}

/* Every length around the block and padding boundaries, fed whole and in random pieces. */
static void test_random_against_openssl(void)
{
  uint8_t buf[600];
  for (size_t len = 0; len <= sizeof buf; len++) {
    synth_test_fill(buf, len);
    uint8_t ref[32], one[32], pieces[32];
    SHA256(buf, len, ref);
    synth__sha256(buf, len, one);
    struct synth__sha256 ctx;
    synth__sha256_init(&ctx);
    for (size_t at = 0; at < len;) {
      size_t take = 1 + synth_test_rand() % 97;
      if (take > len - at)
        take = len - at;
      synth__sha256_update(&ctx, buf + at, take);
      at += take;
    }
    synth__sha256_final(&ctx, pieces);
    CU_ASSERT_EQUAL(memcmp(one, ref, 32), 0);
    CU_ASSERT_EQUAL(memcmp(pieces, ref, 32), 0);
  }
}

static void test_sha256d_against_openssl(void)
{
  for (int i = 0; i < 200; i++) {
    uint8_t buf[160], ref[32], got[32];
    size_t len = synth_test_rand() % sizeof buf;
    synth_test_fill(buf, len);
    synth_test_ref_sha256d(buf, len, ref);
    synth__sha256d(buf, len, got);
    CU_ASSERT_EQUAL(memcmp(got, ref, 32), 0);
  }
}

static void test_compress_matches_streaming(void)
{
  uint8_t block[64];
  synth_test_fill(block, sizeof block);
  uint32_t state[8];
  memcpy(state, synth__sha256_iv, sizeof state);
  synth__sha256_compress(state, block);
  struct synth__sha256 ctx;
  synth__sha256_init(&ctx);
  synth__sha256_update(&ctx, block, 64);
  CU_ASSERT_EQUAL(memcmp(state, ctx.state, sizeof state), 0);
}

SYNTH_TEST_MAIN("sha256", SYNTH_TEST(test_nist_vectors), SYNTH_TEST(test_million_a),
                SYNTH_TEST(test_random_against_openssl), SYNTH_TEST(test_sha256d_against_openssl),
                SYNTH_TEST(test_compress_matches_streaming))
