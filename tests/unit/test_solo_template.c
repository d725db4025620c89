/* test_solo_template.c: getblocktemplate's result read strictly: a valid template (one legacy
 * and one segwit transaction), one refusal per class of bad field, and random mutations of the
 * valid text that must parse or be refused with a message, never crash. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pool/solo_template.h"
#include "support/gbt_template.h"
#include "support/harness.h"
#include "synth/error.h"

static json_t *load_valid(void)
{
  json_t *j = json_loads(synth_test_gbt_valid, 0, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(j);
  return j;
}

static void test_valid(void)
{
  struct synth__solo_template t;
  char err[160];
  int rc = synth__solo_template_parse_text(synth_test_gbt_valid, strlen(synth_test_gbt_valid), &t,
                                           err, sizeof err);
  if (rc)
    fprintf(stderr, "%s\n", err);
  CU_ASSERT_EQUAL_FATAL(rc, 0);
  CU_ASSERT_EQUAL(t.version, 0x20000000u);
  CU_ASSERT_EQUAL(t.prev[31], 0x00); /* digest order: the RPC hex reversed */
  CU_ASSERT_EQUAL(t.prev[0], 0xf7);
  CU_ASSERT_EQUAL(t.ntx, 2);
  CU_ASSERT_STRING_EQUAL(t.tx_data[1], "02000000000101bb");
  CU_ASSERT_EQUAL(t.txids[0][0], 0x11);
  CU_ASSERT_EQUAL(memcmp(t.txids[0], t.wtxids[0], 32), 0);
  CU_ASSERT_NOT_EQUAL(memcmp(t.txids[1], t.wtxids[1], 32), 0);
  CU_ASSERT_EQUAL(t.wtxids[1][5], 0x33);
  CU_ASSERT_EQUAL(t.fees[0], 1000);
  CU_ASSERT_EQUAL(t.weights[1], 561);
  CU_ASSERT_EQUAL(t.coinbasevalue, 312501250u);
  CU_ASSERT_EQUAL(t.target[31], 0x00); /* little-endian */
  CU_ASSERT_EQUAL(t.target[23], 0x04);
  CU_ASSERT_EQUAL(t.target[22], 0xa1);
  CU_ASSERT_EQUAL(t.bits, 0x17034219u);
  CU_ASSERT_EQUAL(t.curtime, 1700001234);
  CU_ASSERT_EQUAL(t.mintime, 1700000000);
  CU_ASSERT_EQUAL(t.height, 820000u);
  CU_ASSERT_FALSE(t.version_rolling);
  CU_ASSERT_STRING_EQUAL(t.longpollid, "00000000000000000001a2b3c4d5e6f7123");
  CU_ASSERT_EQUAL(t.default_commitment_len, 38);
  CU_ASSERT_EQUAL(t.default_commitment[0], 0x6a);
  CU_ASSERT_EQUAL(t.default_commitment[37], 0xcc);
  CU_ASSERT_EQUAL(t.aux_len, 2);
  CU_ASSERT_EQUAL(t.aux[1], 0x0b);
  CU_ASSERT_EQUAL(t.nrules, 3);
  CU_ASSERT_STRING_EQUAL(t.rules[1], "!segwit");
  CU_ASSERT_EQUAL(t.sizelimit, 4000000);
  CU_ASSERT_EQUAL(t.weightlimit, 4000000);
  synth__solo_template_free(&t);
  synth__solo_template_free(&t); /* empty: fine */
}

/* Optional fields absent: still a template. */
static void test_optional_absent(void)
{
  json_t *j = load_valid();
  const char *opt[] = {"longpollid",  "default_witness_commitment",
                       "coinbaseaux", "sizelimit",
                       "weightlimit", "vbrequired"};
  for (size_t i = 0; i < sizeof opt / sizeof *opt; i++)
    json_object_del(j, opt[i]);
  json_object_del(json_array_get(json_object_get(j, "transactions"), 1), "depends");
  json_array_clear(json_object_get(j, "rules"));
  struct synth__solo_template t;
  CU_ASSERT_EQUAL_FATAL(synth__solo_template_parse(j, &t, NULL, 0), 0);
  CU_ASSERT_PTR_NULL(t.longpollid);
  CU_ASSERT_PTR_NULL(t.default_commitment);
  CU_ASSERT_EQUAL(t.aux_len, 0);
  CU_ASSERT_EQUAL(t.nrules, 0);
  CU_ASSERT_EQUAL(t.sizelimit, 0);
  synth__solo_template_free(&t);
  json_decref(j);
}

/* Sets @key (a "transactions[1].field" path allowed) of a fresh valid template to @v (NULL:
 * deletes it), parses, and asserts @rc and that the message is @msg. */
static void expect_refused(const char *key, json_t *v, int want_rc, const char *msg)
{
  json_t *j = load_valid();
  json_t *o = j;
  const char *k = key;
  unsigned idx;
  char field[64];
  if (sscanf(key, "transactions[%u].%63s", &idx, field) == 2) {
    o = json_array_get(json_object_get(j, "transactions"), idx);
    k = field;
  }
  if (v)
    json_object_set_new(o, k, v);
  else
    json_object_del(o, k);
  struct synth__solo_template t;
  char err[200];
  int rc = synth__solo_template_parse(j, &t, err, sizeof err);
  CU_ASSERT_EQUAL(rc, want_rc);
  if (strcmp(err, msg) != 0)
    fprintf(stderr, "\n%s: got \"%s\", want \"%s\"\n", key, err, msg);
  CU_ASSERT_STRING_EQUAL(err, msg);
  CU_ASSERT_EQUAL(t.ntx, 0);
  CU_ASSERT_PTR_NULL(t.tx_data);
  json_decref(j);
}

static void test_missing(void)
{
  const char *req[] = {"version", "previousblockhash", "transactions", "coinbasevalue", "target",
                       "bits",    "curtime",           "mintime",      "height",        "mutable",
                       "rules"};
  for (size_t i = 0; i < sizeof req / sizeof *req; i++) {
    char msg[96];
    snprintf(msg, sizeof msg, "template: %s: missing", req[i]);
    expect_refused(req[i], NULL, SYNTH_EINVAL, msg);
  }
  expect_refused("transactions[1].txid", NULL, SYNTH_EINVAL,
                 "template: transactions[1].txid: missing");
  expect_refused("transactions[0].fee", NULL, SYNTH_EINVAL,
                 "template: transactions[0].fee: missing");
  struct synth__solo_template t;
  char err[64];
  CU_ASSERT_EQUAL(synth__solo_template_parse(NULL, &t, err, sizeof err), SYNTH_EINVAL);
  CU_ASSERT_STRING_EQUAL(err, "template: result: missing");
}

static void test_wrong_type(void)
{
  expect_refused("version", json_string("1"), SYNTH_EINVAL, "template: version: not an integer");
  expect_refused("coinbasevalue", json_real(1.5), SYNTH_EINVAL,
                 "template: coinbasevalue: not an integer");
  expect_refused("bits", json_integer(1), SYNTH_EINVAL, "template: bits: not a string");
  expect_refused("transactions", json_object(), SYNTH_EINVAL,
                 "template: transactions: not an array");
  expect_refused("mutable", json_pack("[i]", 1), SYNTH_EINVAL,
                 "template: mutable[0]: not a string");
  expect_refused("coinbaseaux", json_array(), SYNTH_EINVAL, "template: coinbaseaux: not an object");
  expect_refused("coinbaseaux", json_pack("{s:i}", "flags", 3), SYNTH_EINVAL,
                 "template: coinbaseaux.flags: not a string");
  expect_refused("transactions[1].depends", json_pack("[s]", "1"), SYNTH_EINVAL,
                 "template: transactions[1].depends[0]: not an integer");
  expect_refused("longpollid", json_true(), SYNTH_EINVAL, "template: longpollid: not a string");
  json_t *j = load_valid();
  json_array_append_new(json_object_get(j, "transactions"), json_string("x"));
  struct synth__solo_template t;
  char err[100];
  CU_ASSERT_EQUAL(synth__solo_template_parse(j, &t, err, sizeof err), SYNTH_EINVAL);
  CU_ASSERT_STRING_EQUAL(err, "template: transactions[2]: not an object");
  json_decref(j);
  j = json_array();
  CU_ASSERT_EQUAL(synth__solo_template_parse(j, &t, err, sizeof err), SYNTH_EINVAL);
  CU_ASSERT_STRING_EQUAL(err, "template: result: not an object");
  json_decref(j);
}

static void test_bad_hex(void)
{
  expect_refused("transactions[1].txid", json_string(H64("g")), SYNTH_EINVAL,
                 "template: transactions[1].txid: not 64 hex digits");
  expect_refused("previousblockhash", json_string("00ff"), SYNTH_EINVAL,
                 "template: previousblockhash: not 64 hex digits");
  expect_refused("target", json_string(H64("0") "0"), SYNTH_EINVAL,
                 "template: target: not 64 hex digits");
  expect_refused("bits", json_string("1703421"), SYNTH_EINVAL, "template: bits: not 8 hex digits");
  expect_refused("bits", json_string("1703421x"), SYNTH_EINVAL, "template: bits: not 8 hex digits");
  expect_refused("transactions[0].data", json_string("010"), SYNTH_EINVAL,
                 "template: transactions[0].data: odd number of hex digits");
  expect_refused("transactions[0].data", json_string("01zz"), SYNTH_EINVAL,
                 "template: transactions[0].data: not hex at character 2");
  expect_refused("transactions[0].data", json_string(""), SYNTH_EINVAL,
                 "template: transactions[0].data: empty");
  expect_refused("transactions[0].hash", json_stringn(H64("1"), 63), SYNTH_EINVAL,
                 "template: transactions[0].hash: not 64 hex digits");
  expect_refused("default_witness_commitment", json_string("6a2"), SYNTH_EINVAL,
                 "template: default_witness_commitment: odd number of hex digits");
  expect_refused("coinbaseaux", json_pack("{s:s}", "flags", "0g"), SYNTH_EINVAL,
                 "template: coinbaseaux.flags: not hex at character 1");
  expect_refused("longpollid", json_stringn("a\0b", 3), SYNTH_EINVAL,
                 "template: longpollid: contains a NUL");
}

static void test_range(void)
{
  expect_refused("coinbasevalue", json_integer(-1), SYNTH_ERANGE,
                 "template: coinbasevalue: -1 is outside 0..2100000000000000");
  expect_refused("coinbasevalue", json_integer(2100000000000001ll), SYNTH_ERANGE,
                 "template: coinbasevalue: 2100000000000001 is outside 0..2100000000000000");
  expect_refused("height", json_integer(0), SYNTH_ERANGE,
                 "template: height: 0 is outside 1..2147483647");
  expect_refused("height", json_integer(2147483648ll), SYNTH_ERANGE,
                 "template: height: 2147483648 is outside 1..2147483647");
  expect_refused("version", json_integer(4294967296ll), SYNTH_ERANGE,
                 "template: version: 4294967296 is outside 0..4294967295");
  expect_refused("curtime", json_integer(-5), SYNTH_ERANGE,
                 "template: curtime: -5 is outside 0..4294967295");
  expect_refused("transactions[1].depends", json_pack("[i]", 2), SYNTH_ERANGE,
                 "template: transactions[1].depends[0]: 2 names no earlier transaction");
  expect_refused("transactions[0].weight", json_integer(0), SYNTH_ERANGE,
                 "template: transactions[0].weight: 0 is outside 1..16000000");
  char lp[258];
  memset(lp, 'a', 257);
  lp[257] = '\0';
  expect_refused("longpollid", json_string(lp), SYNTH_ERANGE,
                 "template: longpollid: 257 characters, more than 256");
  lp[256] = '\0';
  json_t *j = load_valid();
  json_object_set_new(j, "longpollid", json_string(lp));
  struct synth__solo_template t;
  CU_ASSERT_EQUAL(synth__solo_template_parse(j, &t, NULL, 0), 0);
  synth__solo_template_free(&t);
  json_decref(j);
  char aux[2 * 101 + 1];
  memset(aux, 'a', 202);
  aux[202] = '\0';
  expect_refused("coinbaseaux", json_pack("{s:s}", "flags", aux), SYNTH_ERANGE,
                 "template: coinbaseaux.flags: 101 bytes, more than 100");
  aux[100] = '\0'; /* 50 bytes, twice: 100 together is fine, 102 is not */
  expect_refused("coinbaseaux", json_pack("{s:s,s:s,s:s}", "a", aux, "b", aux, "c", "0000"),
                 SYNTH_ERANGE, "template: coinbaseaux: more than 100 bytes together");
  char dwc[2 * 81 + 1];
  memset(dwc, 'a', 162);
  dwc[162] = '\0';
  expect_refused("default_witness_commitment", json_string(dwc), SYNTH_ERANGE,
                 "template: default_witness_commitment: 81 bytes, more than 80");
}

/* Over-limit counts and sizes: 100,001 transactions; 4,000,000 bytes of data together. */
static void test_limits(void)
{
  json_t *txs = json_array();
  json_t *tx = json_pack("{s:s,s:s,s:s,s:i,s:i}", "data", "00", "txid", H64("1"), "hash", H64("1"),
                         "fee", 0, "weight", 4);
  for (unsigned i = 0; i <= SYNTH__SOLO_TEMPLATE_MAX_TXS; i++)
    json_array_append(txs, tx);
  json_decref(tx);
  expect_refused("transactions", txs, SYNTH_ERANGE,
                 "template: transactions: 100001 entries, more than 100000");

  size_t half = SYNTH__SOLO_TEMPLATE_TX_MAX / 2;
  char *big = malloc(2 * half + 3);
  CU_ASSERT_PTR_NOT_NULL_FATAL(big);
  memset(big, '0', 2 * half + 2);
  big[2 * half] = '\0';
  json_t *a = json_pack("{s:s,s:s,s:s,s:i,s:i}", "data", big, "txid", H64("1"), "hash", H64("1"),
                        "fee", 0, "weight", 4);
  big[2 * half] = '0';
  big[2 * half + 2] = '\0';
  json_t *b = json_pack("{s:s,s:s,s:s,s:i,s:i}", "data", big, "txid", H64("2"), "hash", H64("2"),
                        "fee", 0, "weight", 4);
  expect_refused("transactions", json_pack("[o,o]", a, b), SYNTH_ERANGE,
                 "template: transactions: more than 4000000 bytes together");
  free(big);
  size_t n = 2 * (size_t)SYNTH__SOLO_TEMPLATE_TX_MAX + 2;
  big = malloc(n + 1);
  CU_ASSERT_PTR_NOT_NULL_FATAL(big);
  memset(big, '0', n);
  big[n] = '\0';
  expect_refused("transactions[0].data", json_string(big), SYNTH_ERANGE,
                 "template: transactions[0].data: 4000001 bytes, more than 4000000");
  free(big);
}

/* The rolling rule: "version" or "version/force" in mutable, and vbrequired clear of the
 * BIP 320 bits. */
static void test_version_rolling(void)
{
  struct {
    const char *mut;
    long long req;
    bool want;
  } cases[] = {{"time", 0, false},         {"version/force", 0, true},
               {"version", 0, true},       {"version", 0x2000, false},
               {"version/force", 1, true}, {"version/reduce", 0, false}};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    json_t *j = load_valid();
    json_array_append_new(json_object_get(j, "mutable"), json_string(cases[i].mut));
    json_object_set_new(j, "vbrequired", json_integer(cases[i].req));
    struct synth__solo_template t;
    CU_ASSERT_EQUAL_FATAL(synth__solo_template_parse(j, &t, NULL, 0), 0);
    CU_ASSERT_EQUAL(t.version_rolling, cases[i].want);
    synth__solo_template_free(&t);
    json_decref(j);
  }
}

/* 2000 random mutations of the valid text: each parses or is refused with a message. */
static void test_mutations(void)
{
  synth_test_seed();
  size_t len = strlen(synth_test_gbt_valid);
  char *buf = malloc(len + 16);
  CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
  unsigned parsed = 0;
  static const char alphabet[] = "0123456789abcdefg\"{}[],:-.eE \\x";
  for (int m = 0; m < 2000; m++) {
    memcpy(buf, synth_test_gbt_valid, len + 1);
    size_t n = len;
    int edits = 1 + (int)(synth_test_rand() % 4);
    for (int e = 0; e < edits; e++) {
      size_t at = (size_t)(synth_test_rand() % n);
      switch (synth_test_rand() % 3) {
      case 0: /* replace */
        buf[at] = alphabet[synth_test_rand() % (sizeof alphabet - 1)];
        break;
      case 1: /* delete */
        memmove(buf + at, buf + at + 1, n - at);
        n--;
        break;
      default: /* duplicate */
        if (n + 1 < len + 16) {
          memmove(buf + at + 1, buf + at, n - at + 1);
          n++;
        }
      }
    }
    struct synth__solo_template t;
    char err[200] = "x";
    int rc = synth__solo_template_parse_text(buf, n, &t, err, sizeof err);
    if (rc == 0) {
      parsed++;
      CU_ASSERT_EQUAL(err[0], '\0');
      synth__solo_template_free(&t);
    } else {
      CU_ASSERT(rc == SYNTH_EINVAL || rc == SYNTH_ERANGE);
      CU_ASSERT_EQUAL(strncmp(err, "template: ", 10), 0);
      CU_ASSERT_EQUAL(t.ntx, 0);
    }
  }
  CU_ASSERT(parsed > 0);
  free(buf);
}

SYNTH_TEST_MAIN("solo_template", SYNTH_TEST(test_valid), SYNTH_TEST(test_optional_absent),
                SYNTH_TEST(test_missing), SYNTH_TEST(test_wrong_type), SYNTH_TEST(test_bad_hex),
                SYNTH_TEST(test_range), SYNTH_TEST(test_limits), SYNTH_TEST(test_version_rolling),
                SYNTH_TEST(test_mutations))
