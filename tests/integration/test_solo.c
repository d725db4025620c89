/* test_solo.c: the solo client against the loopback fake node (support/fake_node.h), which
 * serves templates of real mainnet blocks and checks every submitted block completely: blocks
 * found and accepted, every BIP 22 answer counted, the node's RPC errors, long polling, ZMQ,
 * template refresh, proposals, cookie auth, and the address checked for the node's chain. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pool/solo_address.h"
#include "support/capture_miner.h"
#include "support/fake_node.h"
#include "support/harness.h"
#include "support/log_capture.h"
#include "support/real_blocks.h"
#include "support/spawn.h"
#include "synth/solo.h"
#include "synth/synth.h"

#define RPC_USER "rpcuser"
#define RPC_PASS "rpc-s3cret"
#define MAIN_ADDR "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"
#define TEST_ADDR "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"

struct rig {
  synth_runtime *rt;
  synth_solo *solo;
  struct fake_node *node;
  uint8_t script[SYNTH__SOLO_SCRIPT_MAX];
  size_t script_len;
};

static void on_share(void *user, const struct synth_share *share)
{
  synth_solo_submit(((struct rig *)user)->solo, share);
}

/* A target met by one hash in 2^@bits (little-endian, as struct synth_job's). */
static void target_bits(uint8_t t[32], unsigned bits)
{
  memset(t, 0, 32);
  t[(256 - bits) / 8] = (uint8_t)(1u << ((256 - bits) % 8));
}

/* The first fixture with (or without) segwit transactions. */
static size_t block_index(int segwit)
{
  for (size_t i = 0; i < synth_test_real_block_count; i++)
    if (synth_test_real_blocks[i].segwit == segwit && synth_test_real_blocks[i].tx_count > 1)
      return i;
  return 0;
}

/* Starts the node (its config from @nc, payout our address's script), a one-worker runtime and
 * a client with @sc's settings over the defaults the tests use. */
static void rig_start(struct rig *r, struct fake_node_config nc, struct synth_solo_config sc)
{
  memset(r, 0, sizeof *r);
  log_capture_clear();
  char err[128];
  CU_ASSERT_FATAL(synth__solo_address_script(MAIN_ADDR, SYNTH__SOLO_MAIN, r->script, &r->script_len,
                                             err, sizeof err) == 0);
  if (!nc.user) {
    nc.user = RPC_USER;
    nc.password = RPC_PASS;
  }
  nc.payout_script = r->script;
  nc.payout_len = r->script_len;
  CU_ASSERT_FATAL(fake_node_start(&r->node, &nc) == 0);
  CU_ASSERT_EQUAL_FATAL(capture_miner_create(&r->rt, on_share, r), 0);
  char url[64], zmq[64];
  snprintf(url, sizeof url, "http://127.0.0.1:%u", fake_node_port(r->node));
  sc.url = url;
  if (!sc.cookie_file && !sc.user) {
    sc.user = RPC_USER;
    sc.password = RPC_PASS;
  }
  if (!sc.coinbase_address)
    sc.coinbase_address = MAIN_ADDR;
  if (nc.zmq) {
    snprintf(zmq, sizeof zmq, "%s", fake_node_zmq_url(r->node));
    sc.zmq_url = zmq;
  }
  sc.log_fn = log_capture_fn;
  sc.log_level = SYNTH_LOG_DEBUG;
  sc.retry_min_ms = sc.retry_min_ms ? sc.retry_min_ms : 50;
  sc.retry_max_ms = sc.retry_max_ms ? sc.retry_max_ms : 200;
  CU_ASSERT_EQUAL_FATAL(synth_solo_create(&r->solo, r->rt, &sc), 0);
  CU_ASSERT_EQUAL_FATAL(synth_runtime_start(r->rt), 0);
  CU_ASSERT_EQUAL_FATAL(synth_solo_start(r->solo), 0);
}

static struct synth_solo_stats solo(struct rig *r)
{
  struct synth_solo_stats s;
  synth_solo_stats(r->solo, &s, sizeof s);
  return s;
}

static struct fake_node_stats node(struct rig *r)
{
  struct fake_node_stats s;
  fake_node_stats(r->node, &s);
  return s;
}

/* Every share ends in one count, every block sent in one answer; nothing secret logged. */
static void rig_stop(struct rig *r)
{
  synth_runtime_stop(r->rt);
  synth_solo_stop(r->solo);
  struct synth_solo_stats s = solo(r);
  CU_ASSERT_EQUAL(s.found, s.submitted + s.duplicates + s.stale + s.unsent + s.queued);
  CU_ASSERT_EQUAL(s.submitted,
                  s.accepted + s.rejected + s.inconclusive + s.duplicate_answers + s.unanswered);
  struct fake_node_stats n = node(r);
  CU_ASSERT(n.submits >= s.submitted - s.unanswered);
  CU_ASSERT_FALSE(log_capture_has(RPC_PASS));
  synth_solo_destroy(r->solo);
  synth_runtime_destroy(r->rt);
  fake_node_destroy(r->node);
}

/* Templates of every real block (segwit and not): found blocks pass the node's full check. */
static void test_mines_real_blocks(void)
{
  for (size_t i = 0; i < synth_test_real_block_count; i++) {
    struct rig r;
    uint8_t t[32];
    target_bits(t, 16);
    rig_start(&r, (struct fake_node_config){.block = i, .target = t},
              (struct synth_solo_config){0});
    uint32_t h0 = 0;
    SYNTH_TEST_WAIT((h0 = solo(&r).height) != 0);
    SYNTH_TEST_WAIT(node(&r).blocks_valid >= 3);
    struct fake_node_stats n = node(&r);
    CU_ASSERT_EQUAL(n.blocks_invalid, 0);
    CU_ASSERT_EQUAL(n.duplicates, 0); /* never the same block twice */
    if (n.blocks_invalid)
      fprintf(stderr, "\n    %s: the node says %s\n", synth_test_real_blocks[i].name,
              n.last_verdict);
    rig_stop(&r);
    (void)h0;
  }
}

/* The client's tally after the node answered the last block it sent with @result. */
/* How often @result was answered: its own row, or the row that collects the rest. */
static uint64_t result_count(const struct synth_solo_stats *st, const char *result)
{
  uint64_t other = 0;
  for (unsigned k = 0; k < st->result_kinds; k++) {
    if (strcmp(st->results[k].result, result) == 0)
      return st->results[k].count;
    if (k == SYNTH_SOLO_RESULTS - 1 && strcmp(st->results[k].result, "other") == 0)
      other = st->results[k].count;
  }
  return other;
}

static void test_every_result(void)
{
  static const char *const results[] = {"high-hash",
                                        "bad-txnmrklroot",
                                        "bad-cb-height",
                                        "bad-witness-merkle-match",
                                        "bad-witness-nonce-size",
                                        "time-too-old",
                                        "time-too-new",
                                        "bad-prevblk",
                                        "bad-cb-amount",
                                        "rejected",
                                        "inconclusive",
                                        "duplicate",
                                        "duplicate-invalid",
                                        "duplicate-inconclusive"};
  struct rig r;
  uint8_t t[32];
  target_bits(t, 16);
  rig_start(&r, (struct fake_node_config){.block = block_index(1), .target = t},
            (struct synth_solo_config){0});
  SYNTH_TEST_WAIT(solo(&r).accepted >= 1);
  for (size_t i = 0; i < sizeof results / sizeof results[0]; i++) {
    struct synth_solo_stats before = solo(&r);
    fake_node_next_submit_result(r.node, results[i]);
    struct synth_solo_stats after;
    /* by its count: last_result may say "accepted" again before a poll sees it */
    SYNTH_TEST_WAIT(result_count((after = solo(&r), &after), results[i]) >
                    result_count(&before, results[i]));
    bool dup = strncmp(results[i], "duplicate", 9) == 0,
         inc = strcmp(results[i], "inconclusive") == 0;
    CU_ASSERT(after.duplicate_answers > before.duplicate_answers || !dup);
    CU_ASSERT(after.inconclusive > before.inconclusive || !inc);
    CU_ASSERT(after.rejected > before.rejected || dup || inc);
    /* an answer counts once under its words (the first kinds by name, the rest as "other") */
    bool listed = false;
    for (unsigned k = 0; k < after.result_kinds; k++)
      listed |= strcmp(after.results[k].result, results[i]) == 0 ||
                (k == SYNTH_SOLO_RESULTS - 1 && strcmp(after.results[k].result, "other") == 0);
    CU_ASSERT(listed);
    SYNTH_TEST_WAIT(solo(&r).accepted > after.accepted); /* and mining goes on */
  }
  rig_stop(&r);
}

/* A warming-up node (-28), then one that fails calls, answers garbage: the client waits with
 * back-off and mines once the node is well. */
static void test_node_errors(void)
{
  struct rig r;
  uint8_t t[32];
  target_bits(t, 16);
  rig_start(&r, (struct fake_node_config){.block = block_index(1), .target = t, .warmup_calls = 3},
            (struct synth_solo_config){0});
  SYNTH_TEST_WAIT(solo(&r).accepted >= 1);
  CU_ASSERT(solo(&r).rpc_errors >= 3);
  CU_ASSERT(log_capture_has("warming up"));
  uint64_t errors = solo(&r).rpc_errors, accepted = solo(&r).accepted;
  fake_node_fail_next(r.node, "getblocktemplate", 500, -1, "something odd", 2);
  fake_node_fail_next(r.node, "submitblock", 200, 0, NULL, 1); /* "not json" */
  SYNTH_TEST_WAIT(solo(&r).rpc_errors >= errors + 3 && solo(&r).accepted >= accepted + 2);
  CU_ASSERT(log_capture_has("something odd"));
  rig_stop(&r);
}

/* Bad credentials and initial block download: reported, retried with back-off, not in a
 * tight loop; the password is never logged. */
static void test_auth_and_ibd(void)
{
  struct rig r;
  rig_start(&r, (struct fake_node_config){.block = 0},
            (struct synth_solo_config){.user = RPC_USER, .password = "wrong-pass"});
  SYNTH_TEST_WAIT(node(&r).auth_failures >= 3);
  double t0 = synth_test_now_s();
  unsigned a0 = node(&r).auth_failures;
  synth_test_sleep_ms(1000); /* a window for counting requests, not a condition */
  double secs = synth_test_now_s() - t0;
  unsigned calls = node(&r).auth_failures - a0;
  CU_ASSERT(calls <= 2 + (unsigned)(secs * 1000 / 150)); /* back-off: 200 ms less a quarter */
  CU_ASSERT(strstr(solo(&r).last_error, "credentials") != NULL);
  CU_ASSERT_EQUAL(solo(&r).templates, 0);
  CU_ASSERT_FALSE(log_capture_has("wrong-pass"));
  rig_stop(&r);

  rig_start(&r, (struct fake_node_config){.block = 0, .ibd = 1}, (struct synth_solo_config){0});
  SYNTH_TEST_WAIT(strcmp(solo(&r).state, "initial block download") == 0);
  CU_ASSERT_EQUAL(solo(&r).templates, 0);
  rig_stop(&r);
}

/* A node that takes requests and never answers: calls end at their deadline, and mining
 * starts when it answers again. */
static void test_stalled_node(void)
{
  struct rig r;
  uint8_t t[32];
  target_bits(t, 16);
  rig_start(&r, (struct fake_node_config){.block = block_index(1), .target = t},
            (struct synth_solo_config){.rpc_timeout_ms = 300});
  SYNTH_TEST_WAIT(solo(&r).templates >= 1);
  fake_node_stall(r.node, 1);
  uint64_t errors = solo(&r).rpc_errors;
  SYNTH_TEST_WAIT(solo(&r).rpc_errors >= errors + 2);
  fake_node_stall(r.node, 0);
  uint64_t accepted = solo(&r).accepted;
  SYNTH_TEST_WAIT(solo(&r).accepted > accepted);
  rig_stop(&r);
}

/* New blocks by long poll: each one a clean switch, timed to every device. New transactions on
 * the same tip: a new template without a clean switch. */
static void test_longpoll(void)
{
  struct rig r;
  uint8_t t[32];
  target_bits(t, 200); /* no block is found: only the node moves */
  rig_start(&r, (struct fake_node_config){.block = block_index(1), .target = t},
            (struct synth_solo_config){0});
  SYNTH_TEST_WAIT(solo(&r).templates >= 1 && node(&r).longpolls_waiting >= 1);
  for (unsigned k = 1; k <= 3; k++) {
    fake_node_new_block(r.node);
    uint32_t height = node(&r).height;
    SYNTH_TEST_WAIT(solo(&r).height == height && solo(&r).switches_longpoll >= k);
    SYNTH_TEST_WAIT(node(&r).longpolls_waiting >= 1);
  }
  struct synth_solo_stats s = solo(&r);
  CU_ASSERT_EQUAL(s.longpolls, 3);
  CU_ASSERT(s.switch_longpoll_p50_ms > 0 && s.switch_longpoll_max_ms >= s.switch_longpoll_p50_ms);
  size_t txs = s.transactions;
  fake_node_new_transactions(r.node);
  SYNTH_TEST_WAIT(solo(&r).transactions != txs);
  CU_ASSERT_EQUAL(solo(&r).switches_longpoll, 3); /* same tip: no clean switch */
  CU_ASSERT_EQUAL(solo(&r).height, s.height);
  rig_stop(&r);
}

/* New blocks by ZMQ hashblock, long polling off. */
static void test_zmq(void)
{
  struct rig r;
  uint8_t t[32];
  target_bits(t, 200);
  rig_start(&r, (struct fake_node_config){.block = block_index(1), .target = t, .zmq = 1},
            (struct synth_solo_config){.longpoll_off = 1});
  SYNTH_TEST_WAIT(solo(&r).templates >= 1);
  SYNTH_TEST_WAIT(log_capture_has("listening for new blocks"));
  /* a SUB socket may miss messages sent before its subscription is through: send until one
   * arrives, then count from there */
  uint32_t height = 0;
  double until = synth_test_now_s() + synth_test_patience_s();
  while (solo(&r).zmq_blocks == 0 && synth_test_now_s() < until) {
    fake_node_new_block(r.node);
    height = node(&r).height;
    SYNTH_TEST_WAIT_UNTIL(solo(&r).zmq_blocks > 0, 0.5);
  }
  SYNTH_TEST_WAIT(solo(&r).height == node(&r).height);
  fake_node_new_block(r.node);
  height = node(&r).height;
  SYNTH_TEST_WAIT(solo(&r).height == height && solo(&r).switches_zmq >= 1);
  CU_ASSERT_EQUAL(solo(&r).longpolls, 0);
  CU_ASSERT(node(&r).zmq_published >= 2);
  rig_stop(&r);
}

/* The refresh interval brings new templates without news from the node. */
static void test_refresh(void)
{
  struct rig r;
  uint8_t t[32];
  target_bits(t, 200);
  rig_start(&r, (struct fake_node_config){.block = block_index(1), .target = t},
            (struct synth_solo_config){.refresh_ms = 100, .longpoll_off = 1});
  SYNTH_TEST_WAIT(solo(&r).templates >= 4);
  CU_ASSERT_EQUAL(solo(&r).switches_longpoll + solo(&r).switches_zmq, 0);
  rig_stop(&r);
}

/* --check-template: each template's block is proposed (BIP 23) and the node finds it valid. */
static void test_proposals(void)
{
  struct rig r;
  uint8_t t[32];
  target_bits(t, 16);
  rig_start(&r, (struct fake_node_config){.block = block_index(1), .target = t},
            (struct synth_solo_config){.check_template = 1});
  SYNTH_TEST_WAIT(solo(&r).accepted >= 2);
  CU_ASSERT(solo(&r).proposals >= 2);
  CU_ASSERT_EQUAL(solo(&r).proposals_rejected, 0);
  CU_ASSERT(node(&r).proposals >= 2);
  rig_stop(&r);
}

/* The cookie file's credentials, read from the file. */
static void test_cookie(void)
{
  char path[] = "/tmp/synth-cookie-XXXXXX";
  int fd = mkstemp(path);
  CU_ASSERT_FATAL(fd >= 0);
  const char cookie[] = "__cookie__:0123abcd\n";
  CU_ASSERT_FATAL(write(fd, cookie, sizeof cookie - 1) == (ssize_t)(sizeof cookie - 1));
  close(fd);
  struct rig r;
  rig_start(&r, (struct fake_node_config){.block = 0, .user = "__cookie__", .password = "0123abcd"},
            (struct synth_solo_config){.cookie_file = path});
  SYNTH_TEST_WAIT(solo(&r).templates >= 1);
  CU_ASSERT_EQUAL(node(&r).auth_failures, 0);
  CU_ASSERT_FALSE(log_capture_has("0123abcd"));
  rig_stop(&r);
  unlink(path);
}

/* The address is checked for the node's chain: a testnet address against a main node stops the
 * client with a clear error. Bad settings are refused at create. */
static void test_address_and_config(void)
{
  struct rig r;
  rig_start(&r, (struct fake_node_config){.block = 0},
            (struct synth_solo_config){.coinbase_address = TEST_ADDR});
  SYNTH_TEST_WAIT(solo(&r).failed);
  struct synth_solo_stats s = solo(&r);
  CU_ASSERT_STRING_EQUAL(s.state, "failed");
  CU_ASSERT(strstr(s.last_error, TEST_ADDR) != NULL);
  CU_ASSERT_EQUAL(s.templates, 0);
  rig_stop(&r);

  synth_runtime *rt;
  struct synth_runtime_config rc = {.devices = "cpu", .device_options = "cpu.threads=1"};
  CU_ASSERT_EQUAL_FATAL(synth_miner_create(&rt, &rc, NULL), 0);
  static const struct synth_solo_config bad[] = {
      {.url = "stratum+tcp://x:1", .user = "u", .password = "p", .coinbase_address = MAIN_ADDR},
      {.url = "http://x:1", .user = "u", .password = "p", .coinbase_address = "1notanaddress"},
      {.url = "http://x:1", .user = "u", .password = "p"},
      {.url = "http://x:1", .coinbase_address = MAIN_ADDR},
      {.url = "http://x:1", .user = "u", .cookie_file = "/c", .coinbase_address = MAIN_ADDR},
      {.url = "http://x:1", .user = "u", .coinbase_address = MAIN_ADDR, .zmq_url = "udp://x"},
      {.url = "http://x:1",
       .user = "u",
       .coinbase_address = MAIN_ADDR,
       .coinbase_tag = "a tag that is far longer than forty bytes in all"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    synth_solo *made = NULL;
    CU_ASSERT_EQUAL(synth_solo_create(&made, rt, &bad[i]), SYNTH_EINVAL);
    CU_ASSERT_PTR_NULL(made);
  }
  synth_runtime_destroy(rt);
}

/* ---- the command line ---- */

static void cli_args(const char **all, const char *const *args)
{
  static const char *const base[] = {"run",      "--devices",         "cpu", "--threads", "1",
                                     "--no-api", "--status-interval", "0"};
  synth_test_argv(all, base, sizeof base / sizeof base[0], args);
}

static void expect_usage(const char *const *args, const char *mentions)
{
  static struct synth_test_outcome o;
  const char *all[32];
  cli_args(all, args);
  CU_ASSERT_FATAL(synth_test_run_program(SYNTHMINER_PATH, all, &o));
  CU_ASSERT_EQUAL(o.status, 2);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.err, mentions));
  CU_ASSERT_PTR_NULL(strstr(o.err, RPC_PASS));
  if (o.status != 2 || !strstr(o.err, mentions))
    fprintf(stderr, "\n    wanted exit 2 with \"%s\"; got %d: %s\n", mentions, o.status, o.err);
}

/* Solo settings the command refuses before any device opens, each with its reason. */
static void test_cli_refusals(void)
{
  const char *node = "http://127.0.0.1:1";
  expect_usage((const char *[]){"--coinbase-addr", MAIN_ADDR, NULL}, "need a node");
  expect_usage((const char *[]){"-o", node, "-u", "u", "-p", RPC_PASS, NULL}, "--coinbase-addr");
  expect_usage((const char *[]){"-o", node, "--coinbase-addr", MAIN_ADDR, NULL},
               "needs RPC credentials");
  expect_usage((const char *[]){"-o", node, "-u", "u", "-p", RPC_PASS, "--rpc-cookie", "/c",
                                "--coinbase-addr", MAIN_ADDR, NULL},
               "not both");
  expect_usage((const char *[]){"-o", node, "-o", "stratum+tcp://127.0.0.1:1", "-u", "u", "-p",
                                RPC_PASS, "--coinbase-addr", MAIN_ADDR, NULL},
               "do not mix");
  expect_usage((const char *[]){"-o", node, "-u", "u", "-p", RPC_PASS, "--coinbase-addr",
                                "bc1qnotanaddress", NULL},
               "coinbase address bc1qnotanaddress");
  expect_usage((const char *[]){"-o", "http://127.0.0.1:0", "-u", "u", "-p", RPC_PASS,
                                "--coinbase-addr", MAIN_ADDR, NULL},
               "bad port");
  expect_usage((const char *[]){"-o", node, "-u", "u", "-p", RPC_PASS, "--coinbase-addr", MAIN_ADDR,
                                "--zmq", "udp://x:1", NULL},
               "--zmq udp://x:1");
  char path[] = "/tmp/synth-solo-cfg-XXXXXX";
  int fd = mkstemp(path);
  const char cfg[] = "{\"pools\": [\"http://127.0.0.1:1\"], \"user\": \"u\", \"pass\": \"x\", "
                     "\"coinbase_addr\": \"" MAIN_ADDR "\", \"template_refresh\": 0}";
  CU_ASSERT_FATAL(fd >= 0 && write(fd, cfg, sizeof cfg - 1) == (ssize_t)(sizeof cfg - 1));
  close(fd);
  expect_usage((const char *[]){"-c", path, NULL}, "template_refresh is whole seconds");
  unlink(path);
}

/* stop_when: the node has accepted two blocks. */
static bool two_blocks(void *user, const struct synth_test_outcome *o)
{
  (void)o;
  struct fake_node_stats n;
  fake_node_stats(user, &n);
  return n.blocks_valid >= 2;
}

/* `synthminer run -o http://NODE` mines real-block templates until the node accepted blocks;
 * the closing line counts them; a testnet address against a main node is exit 2. */
static void test_cli_mines(void)
{
  uint8_t t[32], script[SYNTH__SOLO_SCRIPT_MAX];
  size_t script_len;
  char err[128], url[64];
  target_bits(t, 16);
  CU_ASSERT_FATAL(synth__solo_address_script(MAIN_ADDR, SYNTH__SOLO_MAIN, script, &script_len, err,
                                             sizeof err) == 0);
  struct fake_node *n;
  CU_ASSERT_FATAL(fake_node_start(&n, &(struct fake_node_config){.user = RPC_USER,
                                                                 .password = RPC_PASS,
                                                                 .block = block_index(1),
                                                                 .target = t,
                                                                 .payout_script = script,
                                                                 .payout_len = script_len}) == 0);
  snprintf(url, sizeof url, "http://127.0.0.1:%u", fake_node_port(n));
  static struct synth_test_outcome o;
  const char *all[32];
  cli_args(all, (const char *[]){"-o", url, "-u", RPC_USER, "-p", RPC_PASS, "--coinbase-addr",
                                 MAIN_ADDR, "--log-level", "info", NULL});
  CU_ASSERT_FATAL(synth_test_run_until(SYNTHMINER_PATH, all, two_blocks, n, &o));
  CU_ASSERT_FALSE(o.stop_never);
  CU_ASSERT_EQUAL(o.status, 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "accepted block"));
  CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "synthminer run: node http://127.0.0.1:"));
  CU_ASSERT_PTR_NULL(strstr(o.err, RPC_PASS));
  CU_ASSERT_PTR_NULL(strstr(o.out, RPC_PASS));
  struct fake_node_stats ns;
  fake_node_stats(n, &ns);
  CU_ASSERT_EQUAL(ns.blocks_invalid, 0);
  if (o.status != 0)
    fprintf(stderr, "\n    exit %d: %s\n", o.status, o.err);

  cli_args(all, (const char *[]){"-o", url, "-u", RPC_USER, "-p", RPC_PASS, "--coinbase-addr",
                                 TEST_ADDR, NULL});
  CU_ASSERT_FATAL(synth_test_run_program(SYNTHMINER_PATH, all, &o));
  CU_ASSERT_EQUAL(o.status, 2);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "node is on main"));
  fake_node_destroy(n);
}

SYNTH_TEST_MAIN("solo", SYNTH_TEST(test_mines_real_blocks), SYNTH_TEST(test_every_result),
                SYNTH_TEST(test_node_errors), SYNTH_TEST(test_auth_and_ibd),
                SYNTH_TEST(test_stalled_node), SYNTH_TEST(test_longpoll), SYNTH_TEST(test_zmq),
                SYNTH_TEST(test_refresh), SYNTH_TEST(test_proposals), SYNTH_TEST(test_cookie),
                SYNTH_TEST(test_address_and_config), SYNTH_TEST(test_cli_refusals),
                SYNTH_TEST(test_cli_mines))
