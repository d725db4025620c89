/* bench_solo_switch.c: the time from a new block at the node to every device hashing the new
 * template, for each way the solo client hears of it: a long poll answer, and a ZMQ hashblock
 * message (then a getblocktemplate call). The node is the loopback fake node (support/
 * fake_node.h) serving block 100000's transactions and 2,495 made-up ones of 400 bytes: a
 * 3,995,000 WU template, so every switch reads and builds a full block's template. Its target
 * is out of reach: the devices only hash.
 *
 * Two figures per switch:
 *   client:   the client's own (synth_solo_stats switch_*_p50/max_ms): from the news (the long
 *             poll answer read, or the ZMQ message received) to the last device's first unit
 *             of the new job;
 *   node:     fake_node_new_block's own time: the fake node makes the new template's JSON and
 *             its waiting long poll takes it (a real node's getblocktemplate is its own too);
 *   observed: from this program's fake_node_new_block call to the client's switch counter
 *             moving (node side, loopback and the client's polling included: an upper bound).
 *
 *   bench_solo_switch [--devices SPEC] [--device-options OPTS] [--blocks N]
 *                     [--source longpoll|zmq|both]
 *   defaults:          cpu                                    30         both
 * Exits 1 when a switch does not arrive within 60 s or the height the devices hash is not the
 * node's: a broken build is never timed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "support/fake_node.h"
#include "support/harness.h"
#include "support/real_blocks.h"
#include "synth/solo.h"
#include "synth/synth.h"

#define MAX_BLOCKS 256
#define PAYOUT "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"

struct bench {
  const char *devices, *options;
  int blocks;
};

static void on_share(void *user, const struct synth_share *share)
{
  synth_solo_submit(*(synth_solo **)user, share);
}

static struct synth_solo_stats solo_stats(synth_solo *solo)
{
  struct synth_solo_stats s;
  synth_solo_stats(solo, &s, sizeof s);
  return s;
}

static struct fake_node_stats node_stats(struct fake_node *n)
{
  struct fake_node_stats s;
  fake_node_stats(n, &s);
  return s;
}

static uint64_t switches(const struct synth_solo_stats *s, int zmq)
{
  return zmq ? s->switches_zmq : s->switches_longpoll;
}

/* Polls @cond every 0.1 ms for 60 s at most; @met says whether it held. */
#define WAIT_FOR(met, cond)                                                                        \
  do {                                                                                             \
    double until_ = synth_test_now_s() + 60;                                                       \
    while (!((met) = (cond)) && synth_test_now_s() < until_)                                       \
      nanosleep(&(struct timespec){0, 100000}, NULL);                                              \
  } while (0)

static int fail(const char *what)
{
  fflush(stdout);
  fprintf(stderr, "bench_solo_switch: %s\n", what);
  return 1;
}

/* One source: @zmq (hashblock, long polling off) or long polling. */
static int run_source(const struct bench *b, int zmq)
{
  uint8_t unreachable[32] = {0}; /* one hash in 2^200 meets it: none in a run */
  unreachable[7] = 1;
  size_t index = 0; /* mainnet 100000 */
  struct fake_node *node;
  if (fake_node_start(&node, &(struct fake_node_config){.user = "bench",
                                                        .password = "bench",
                                                        .block = index,
                                                        .target = unreachable,
                                                        .zmq = zmq,
                                                        .filler_txs = 2495,
                                                        .filler_bytes = 400}) != 0)
    return fail("the fake node did not start");
  synth_runtime *rt = NULL;
  synth_solo *solo = NULL;
  struct synth_runtime_config rc = {
      .devices = b->devices, .device_options = b->options, .log_level = SYNTH_LOG_ERROR};
  if (synth_miner_create(&rt, &rc, &(struct synth_miner_config){on_share, &solo}) != 0) {
    fake_node_destroy(node);
    return fail("no runtime for those devices");
  }
  char url[64];
  snprintf(url, sizeof url, "http://127.0.0.1:%u", fake_node_port(node));
  struct synth_solo_config sc = {.url = url,
                                 .user = "bench",
                                 .password = "bench",
                                 .coinbase_address = PAYOUT,
                                 .zmq_url = zmq ? fake_node_zmq_url(node) : NULL,
                                 .longpoll_off = zmq,
                                 .log_level = SYNTH_LOG_ERROR};
  int rc_ = 1;
  double observed[MAX_BLOCKS], nodes[MAX_BLOCKS];
  if (synth_solo_create(&solo, rt, &sc) != 0 || synth_runtime_start(rt) != 0 ||
      synth_solo_start(solo) != 0) {
    fail("the client did not start");
    goto out;
  }
  bool met;
  WAIT_FOR(met,
           solo_stats(solo).templates >= 1 && (zmq || node_stats(node).longpolls_waiting >= 1));
  if (!met) {
    fail("no first template");
    goto out;
  }
  if (zmq) { /* a SUB socket misses what was sent before its subscription took: send until one
                arrives, then time from there */
    double until = synth_test_now_s() + 60;
    while (solo_stats(solo).zmq_blocks == 0 && synth_test_now_s() < until) {
      fake_node_new_block(node);
      synth_test_sleep_ms(50);
    }
  }
  uint32_t height = node_stats(node).height;
  WAIT_FOR(met, solo_stats(solo).height == height);
  if (!met) {
    fail("the client never reached the node's height");
    goto out;
  }
  synth_test_sleep_ms(200); /* the devices settle on the template before timing starts */
  struct synth_solo_stats s = solo_stats(solo);
  uint64_t base = switches(&s, zmq);
  for (int k = 1; k <= b->blocks; k++) {
    if (!zmq)
      WAIT_FOR(met, node_stats(node).longpolls_waiting >= 1);
    if (!zmq && !met) {
      fail("no long poll waiting");
      goto out;
    }
    double t0 = synth_test_now_s();
    fake_node_new_block(node);
    nodes[k - 1] = (synth_test_now_s() - t0) * 1e3;
    WAIT_FOR(met, switches((s = solo_stats(solo), &s), zmq) >= base + (uint64_t)k);
    if (!met) {
      fail("a switch did not arrive");
      goto out;
    }
    observed[k - 1] = (synth_test_now_s() - t0) * 1e3;
    if (s.height != node_stats(node).height) {
      fail("the devices hash another height than the node's");
      goto out;
    }
    synth_test_sleep_ms(20); /* blocks apart, as a chain's are */
  }
  s = solo_stats(solo);
  unsigned ndev = synth_runtime_device_count(rt);
  double p50 = synth_test_median(observed, (size_t)b->blocks);
  double p90 = observed[(size_t)(b->blocks * 9 / 10)];
  printf("%-9s %-22s %4u %4d %10.2f %10.2f %8.2f %8.2f %8.2f %8.2f\n", zmq ? "zmq" : "long poll",
         b->devices, ndev, b->blocks, zmq ? s.switch_zmq_p50_ms : s.switch_longpoll_p50_ms,
         zmq ? s.switch_zmq_max_ms : s.switch_longpoll_max_ms,
         synth_test_median(nodes, (size_t)b->blocks), p50, p90, observed[b->blocks - 1]);
  if (s.transactions != 2498) {
    fail("the template is not the node's full one");
    goto out;
  }
  rc_ = 0;
out:
  synth_runtime_stop(rt); /* first: no share comes after the client stops */
  synth_solo_stop(solo);
  synth_solo_destroy(solo);
  synth_runtime_destroy(rt);
  fake_node_destroy(node);
  return rc_;
}

static int usage(void)
{
  fprintf(stderr, "usage: bench_solo_switch [--devices SPEC] [--device-options OPTS] "
                  "[--blocks N] [--source longpoll|zmq|both]\n");
  return 2;
}

int main(int argc, char **argv)
{
  struct bench b = {"cpu", NULL, 30};
  const char *source = "both";
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--devices") == 0 && i + 1 < argc)
      b.devices = argv[++i];
    else if (strcmp(argv[i], "--device-options") == 0 && i + 1 < argc)
      b.options = argv[++i];
    else if (strcmp(argv[i], "--blocks") == 0 && i + 1 < argc)
      b.blocks = atoi(argv[++i]);
    else if (strcmp(argv[i], "--source") == 0 && i + 1 < argc)
      source = argv[++i];
    else
      return usage();
  }
  if (b.blocks < 1 || b.blocks > MAX_BLOCKS ||
      (strcmp(source, "longpoll") && strcmp(source, "zmq") && strcmp(source, "both")))
    return usage();
  printf("%-9s %-22s %4s %4s %10s %10s %8s %8s %8s %8s\n", "source", "devices", "devs", "n",
         "client p50", "client max", "node p50", "obs. p50", "obs. p90", "obs. max");
  printf("%-9s %-22s %4s %4s %10s %10s %8s %8s %8s %8s\n", "", "", "", "", "ms", "ms", "ms", "ms",
         "ms", "ms");
  int rc = 0;
  if (strcmp(source, "zmq") != 0)
    rc |= run_source(&b, 0);
  if (strcmp(source, "longpoll") != 0)
    rc |= run_source(&b, 1);
  return rc;
}
