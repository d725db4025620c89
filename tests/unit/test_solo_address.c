/* test_solo_address.c: payout addresses to scriptPubKeys: the BIP 173 and BIP 350 vectors,
 * known base58 addresses, and every check's message. */
#include <stdio.h>
#include <string.h>

#include "pool/solo_address.h"
#include "support/fixtures.h"
#include "support/harness.h"
#include "synth/error.h"

struct valid {
  const char *address;
  enum synth__solo_chain chain;
  const char *script_hex;
};

/* BIP 350's valid segwit addresses (BIP 173's, corrected for v1+), then base58 ones. */
static const struct valid valid[] = {
    {"BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", SYNTH__SOLO_MAIN,
     "0014751e76e8199196d454941c45d1b3a323f1433bd6"},
    {"tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7", SYNTH__SOLO_TEST,
     "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262"},
    {"bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y", SYNTH__SOLO_MAIN,
     "5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6"},
    {"BC1SW50QGDZ25J", SYNTH__SOLO_MAIN, "6002751e"},
    {"bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", SYNTH__SOLO_MAIN,
     "5210751e76e8199196d454941c45d1b3a323"},
    {"tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy", SYNTH__SOLO_SIGNET,
     "0020000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433"},
    {"tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c", SYNTH__SOLO_TESTNET4,
     "5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433"},
    {"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", SYNTH__SOLO_MAIN,
     "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"},
    /* The genesis block's payout, a P2PKH and P2SH of the Bitcoin wiki, testnet ones. */
    {"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", SYNTH__SOLO_MAIN,
     "76a91462e907b15cbf27d5425399ebf6f0fb50ebb88f1888ac"},
    {"1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", SYNTH__SOLO_MAIN,
     "76a91477bff20c60e522dfaa3350c39b030a5d004e839a88ac"},
    {"3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", SYNTH__SOLO_MAIN,
     "a914b472a266d0bd89c13706a4132ccfb16f7c3b9fcb87"},
    {"mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn", SYNTH__SOLO_TEST,
     "76a914243f1394f44554f4ce3fd68649c19adc483ce92488ac"},
    {"2MzQwSSnBHWHqSAqtTVQ6v47XtaisrJa1Vc", SYNTH__SOLO_REGTEST,
     "a9144e9f39ca4688ff102128ea4ccda34105324305b087"},
};

static void test_valid_addresses(void)
{
  for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++) {
    uint8_t script[SYNTH__SOLO_SCRIPT_MAX], want[SYNTH__SOLO_SCRIPT_MAX];
    size_t len = 0, want_len = strlen(valid[i].script_hex) / 2;
    char err[128] = "";
    synth_test_unhex(valid[i].script_hex, want, want_len);
    int rc =
        synth__solo_address_script(valid[i].address, valid[i].chain, script, &len, err, sizeof err);
    if (rc != 0)
      fprintf(stderr, "%s: %s\n", valid[i].address, err);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT_EQUAL(len, want_len);
    CU_ASSERT_EQUAL(memcmp(script, want, want_len), 0);
  }
}

struct invalid {
  const char *address;
  const char *says; /* a part of the message */
};

/* BIP 173's and BIP 350's invalid segwit addresses, each for the chain of its HRP. */
static const struct invalid invalid[] = {
    {"tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty", "unknown address prefix \"tc\""},
    {"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", "bad bech32 checksum"},
    {"BC13W508D6QEJXTDG4Y5R3ZARVARY0C5XW7KN40WF2", "witness version"},
    {"bc1rw5uspcuh", "witness program of 1 bytes"},
    {"bc10w508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kw5rljs90",
     "longer than 40 bytes"},
    {"BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P", "v0 program of 16 bytes"},
    {"tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7", "mixed case"},
    {"bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du", "padding of more than 4 bits"},
    {"tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3pjxtptv", "non-zero bech32 padding"},
    {"bc1gmk9yu", "without data"},
    {"tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut",
     "unknown address prefix \"tc\""},
    {"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", "bech32m expected"},
    {"tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf", "bech32m expected"},
    {"BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL", "bech32m expected"},
    {"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh", "bech32 expected"},
    {"tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47", "bech32 expected"},
    {"bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4", "data character"},
    {"BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R", "witness version 17"},
    {"bc1pw5dgrnzv", "witness program of 1 bytes"},
    {"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav",
     "longer than 40 bytes"},
    {"tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq", "mixed case"},
    {"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf",
     "padding of more than 4 bits"},
    {"tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j", "non-zero bech32 padding"},
};

static enum synth__solo_chain chain_of(const char *address)
{
  return strncasecmp(address, "tb", 2) == 0 ? SYNTH__SOLO_TEST : SYNTH__SOLO_MAIN;
}

static void test_invalid_addresses(void)
{
  for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
    uint8_t script[SYNTH__SOLO_SCRIPT_MAX];
    size_t len = 0;
    char err[128] = "";
    int rc = synth__solo_address_script(invalid[i].address, chain_of(invalid[i].address), script,
                                        &len, err, sizeof err);
    CU_ASSERT_EQUAL(rc, SYNTH_EINVAL);
    CU_ASSERT(err[0] != '\0');
    if (!strstr(err, invalid[i].says))
      fprintf(stderr, "%s: \"%s\", expected \"%s\"\n", invalid[i].address, err, invalid[i].says);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, invalid[i].says));
  }
}

/* BIP 173's and BIP 350's valid strings: the checksum alone, with either constant. */
static void test_bech32_strings(void)
{
  static const char *const b32[] = {
      "A12UEL5L",
      "a12uel5l",
      "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
      "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
      "11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j",
      "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
      "?1ezyfcl",
  };
  static const char *const b32m[] = {
      "A1LQFN3A",
      "a1lqfn3a",
      "an83characterlonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11sg7hg6",
      "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
      "11llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllludsr8",
      "split1checkupstagehandshakeupstreamerranterredcaperredlc445v",
      "?1v759aa",
  };
  char hrp[SYNTH__BECH32_HRP_MAX + 1], err[128];
  uint8_t data[SYNTH__BECH32_MAX_LEN];
  size_t n;
  enum synth__bech32_kind kind;
  for (size_t i = 0; i < 7; i++) {
    CU_ASSERT_EQUAL(synth__solo_bech32_decode(b32[i], hrp, data, &n, &kind, err, sizeof err), 0);
    CU_ASSERT_EQUAL(kind, SYNTH__BECH32);
    CU_ASSERT_EQUAL(synth__solo_bech32_decode(b32m[i], hrp, data, &n, &kind, err, sizeof err), 0);
    CU_ASSERT_EQUAL(kind, SYNTH__BECH32M);
  }
  CU_ASSERT_EQUAL(synth__solo_bech32_decode("abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw", hrp,
                                            data, &n, &kind, err, sizeof err),
                  0);
  CU_ASSERT_STRING_EQUAL(hrp, "abcdef");
  CU_ASSERT_EQUAL(n, 32);
  CU_ASSERT_EQUAL(strlen(b32[4]), SYNTH__BECH32_MAX_LEN); /* both 90-character strings */
  CU_ASSERT_EQUAL(strlen(b32m[4]), SYNTH__BECH32_MAX_LEN);
  for (size_t i = 0; i < n; i++)
    CU_ASSERT_EQUAL(data[i], i);
}

/* BIP 173's and BIP 350's invalid strings. */
static void test_bech32_invalid_strings(void)
{
  static const struct invalid bad[] = {
      {"\x20"
       "1nwldj5",
       "out of range"},
      {"\x7f"
       "1axkwrx",
       "out of range"},
      {"\x80"
       "1eym55h",
       "out of range"},
      {"an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pv"
       "x",
       "longer than 90"},
      {"pzry9x0s0muk", "separator"},
      {"1pzry9x0s0muk", "empty human-readable part"},
      {"x1b4n0q5v", "data character"},
      {"li1dgmt3", "too short"},
      {"de1lg7wt\xff", "out of range"},
      {"A1G7SGD8", "bad bech32 checksum"},
      {"10a06t8", "shorter than 8"},
      {"1qzzfhee", "empty human-readable part"},
      {"\x20"
       "1xj0phk",
       "out of range"},
      {"\x7f"
       "1g6xzxy",
       "out of range"},
      {"\x80"
       "1vctc34",
       "out of range"},
      {"an84characterslonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11d6pts"
       "4",
       "longer than 90"},
      {"qyrz8wqd2c9m", "separator"},
      {"1qyrz8wqd2c9m", "empty human-readable part"},
      {"y1b0jsk6g", "data character"},
      {"lt1igcx5c0", "data character"},
      {"in1muywd", "too short"},
      {"mm1crxm3i", "data character"},
      {"au1s5cgom", "data character"},
      {"M1VUXWEZ", "bad bech32 checksum"},
      {"16plkw9", "shorter than 8"},
      {"1p2gdwpf", "empty human-readable part"},
  };
  char hrp[SYNTH__BECH32_HRP_MAX + 1], err[128];
  uint8_t data[SYNTH__BECH32_MAX_LEN];
  size_t n;
  enum synth__bech32_kind kind;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    err[0] = '\0';
    CU_ASSERT_EQUAL(
        synth__solo_bech32_decode(bad[i].address, hrp, data, &n, &kind, err, sizeof err),
        SYNTH_EINVAL);
    if (!strstr(err, bad[i].says))
      fprintf(stderr, "string %zu: \"%s\", expected \"%s\"\n", i, err, bad[i].says);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, bad[i].says));
  }
}

static void expect_error(const char *address, enum synth__solo_chain chain, const char *says)
{
  uint8_t script[SYNTH__SOLO_SCRIPT_MAX];
  size_t len = 0;
  char err[128] = "";
  CU_ASSERT_EQUAL(synth__solo_address_script(address, chain, script, &len, err, sizeof err),
                  SYNTH_EINVAL);
  if (!strstr(err, says))
    fprintf(stderr, "%s: \"%s\", expected \"%s\"\n", address, err, says);
  CU_ASSERT_PTR_NOT_NULL(strstr(err, says));
}

/* A valid address on the wrong chain says which chain it is for. */
static void test_wrong_network(void)
{
  expect_error("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7", SYNTH__SOLO_MAIN,
               "address is for testnet or signet, node is on main");
  expect_error("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", SYNTH__SOLO_REGTEST,
               "address is for main, node is on regtest");
  expect_error("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", SYNTH__SOLO_SIGNET,
               "address is for main, node is on signet");
  expect_error("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", SYNTH__SOLO_TESTNET4,
               "address is for main, node is on testnet4");
  expect_error("mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn", SYNTH__SOLO_MAIN,
               "address is for testnet, signet or regtest, node is on main");
  expect_error("2MzQwSSnBHWHqSAqtTVQ6v47XtaisrJa1Vc", SYNTH__SOLO_MAIN, "node is on main");
}

static void test_base58_errors(void)
{
  static const char *const cases[][2] = {
      /* address, what the refusal says */
      {"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", "bad base58 checksum"},
      {"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfN0", "invalid base58 character"},
      {"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa1", ""},
      {"1A1zP1eP5QGefi2DMPTfTL5SLmv7Divf\x01"
       "a",
       "invalid base58 character 0x01"},
      {"11111111111111111111111111", ""},
      {"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", "longer than 25 bytes"},
      {"", "empty address"},
      {"abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw", "unknown address prefix \"abcdef\""},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    expect_error(cases[i][0], SYNTH__SOLO_MAIN, cases[i][1]);
  char longer[200];
  memset(longer, 'z', sizeof longer - 1);
  longer[sizeof longer - 1] = '\0';
  expect_error(longer, SYNTH__SOLO_MAIN, "longer than");
}

static void test_chain_names(void)
{
  enum synth__solo_chain c;
  CU_ASSERT_EQUAL(synth__solo_chain_parse("main", &c), 0);
  CU_ASSERT_EQUAL(c, SYNTH__SOLO_MAIN);
  CU_ASSERT_EQUAL(synth__solo_chain_parse("test", &c), 0);
  CU_ASSERT_EQUAL(c, SYNTH__SOLO_TEST);
  CU_ASSERT_EQUAL(synth__solo_chain_parse("testnet4", &c), 0);
  CU_ASSERT_EQUAL(c, SYNTH__SOLO_TESTNET4);
  CU_ASSERT_EQUAL(synth__solo_chain_parse("signet", &c), 0);
  CU_ASSERT_EQUAL(c, SYNTH__SOLO_SIGNET);
  CU_ASSERT_EQUAL(synth__solo_chain_parse("regtest", &c), 0);
  CU_ASSERT_EQUAL(c, SYNTH__SOLO_REGTEST);
  CU_ASSERT_EQUAL(synth__solo_chain_parse("mainnet", &c), SYNTH_EINVAL);
  CU_ASSERT_EQUAL(synth__solo_chain_parse(NULL, &c), SYNTH_EINVAL);
}

/* Random strings of address characters never read past their end or succeed by accident
 * (a 4-byte or 30-bit checksum): run under the sanitizers this is the untrusted-input check. */
static void test_random_strings(void)
{
  static const char alphabet[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0"
                                 "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
  unsigned ok = 0;
  for (int round = 0; round < 2000; round++) {
    char s[100];
    size_t len = synth_test_rand() % sizeof s;
    size_t start = 0;
    if (round % 2) {
      memcpy(s, round % 4 == 1 ? "bc1" : "tb1", 3);
      start = 3 < len ? 3 : len;
    }
    for (size_t i = start; i < len; i++)
      s[i] = alphabet[synth_test_rand() % (sizeof alphabet - 1)];
    s[len] = '\0';
    uint8_t script[SYNTH__SOLO_SCRIPT_MAX];
    size_t slen;
    char err[64];
    ok += synth__solo_address_script(s, SYNTH__SOLO_MAIN, script, &slen, err, sizeof err) == 0;
  }
  CU_ASSERT_EQUAL(ok, 0);
}

SYNTH_TEST_MAIN("solo_address", SYNTH_TEST(test_valid_addresses),
                SYNTH_TEST(test_invalid_addresses), SYNTH_TEST(test_bech32_strings),
                SYNTH_TEST(test_bech32_invalid_strings), SYNTH_TEST(test_wrong_network),
                SYNTH_TEST(test_base58_errors), SYNTH_TEST(test_chain_names),
                SYNTH_TEST(test_random_strings))
