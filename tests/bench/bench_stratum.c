/* bench_stratum.c: mining for the loopback test pool with clean job switches at a fixed
 * period: job-switch latency (notify received to every device hashing the new job), stale
 * rate, and accepted shares per minute against what the measured hashrate and the difficulty
 * predict.
 *
 *   bench_stratum [seconds] [switch-every-ms] [difficulty] [devices]
 *   defaults:      60        2000              1/8192       all
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "support/harness.h"
#include "support/test_pool.h"
#include "synth/synth.h"

static void on_share(void *user, const struct synth_share *share)
{
  synth_pool_submit(*(synth_pool **)user, share);
}

/* Nonces hashed, and hits the devices found for jobs a clean job had replaced. */
static uint64_t nonces(synth_runtime *rt, uint64_t *stale)
{
  uint64_t n = 0;
  *stale = 0;
  for (unsigned i = 0; i < synth_runtime_device_count(rt); i++) {
    struct synth_device_stats st;
    if (synth_runtime_device_stats(rt, i, &st, sizeof st) == 0) {
      n += st.nonces;
      *stale += st.hits_stale;
    }
  }
  return n;
}

int main(int argc, char **argv)
{
  double seconds = argc > 1 ? atof(argv[1]) : 60;
  unsigned every_ms = argc > 2 ? (unsigned)atoi(argv[2]) : 2000;
  double difficulty = argc > 3 ? atof(argv[3]) : 1.0 / 8192;
  const char *devices = argc > 4 ? argv[4] : "all";
  if (seconds <= 0 || every_ms < 50 || !(difficulty > 0)) {
    fprintf(stderr, "usage: bench_stratum [seconds] [switch-every-ms] [difficulty] [devices]\n");
    return 2;
  }
  struct test_pool *tp;
  struct test_pool_config pc = {.difficulty = difficulty, .version_rolling = 1};
  if (test_pool_start(&tp, &pc) != 0)
    return 1;
  char url[64];
  snprintf(url, sizeof url, "stratum+tcp://127.0.0.1:%u", test_pool_port(tp));
  const char *urls[] = {url};
  synth_pool *pool = NULL;
  struct synth_runtime_config rc = {.devices = devices};
  synth_runtime *rt;
  if (synth_miner_create(&rt, &rc, &(struct synth_miner_config){on_share, &pool}) != 0)
    return 1;
  struct synth_pool_config cfg = {.urls = urls, .url_count = 1, .user = "bench"};
  if (synth_pool_create(&pool, rt, &cfg) != 0 || synth_runtime_start(rt) != 0 ||
      synth_pool_start(pool) != 0)
    return 1;
  /* Warm up: connected, tuned. */
  synth_test_sleep_s(3);
  struct test_pool_stats p0;
  test_pool_stats(tp, &p0);
  struct synth_pool_stats c0;
  synth_pool_stats(pool, &c0, sizeof c0);
  uint64_t stale0, stale1;
  uint64_t n0 = nonces(rt, &stale0);
  double t0 = synth_test_now_s(), next = t0;
  while (synth_test_now_s() - t0 < seconds) {
    if (synth_test_now_s() >= next) {
      test_pool_notify(tp, 1);
      next += every_ms / 1000.0;
    }
    synth_test_sleep_ms(10);
  }
  double elapsed = synth_test_now_s() - t0;
  uint64_t hashed = nonces(rt, &stale1) - n0;
  uint64_t stale_found = stale1 - stale0; /* hits of a replaced job, never handed to the client */
  /* No share found after the clock stopped may count: stop hashing, then wait for the pool's
   * answers to what was already sent. */
  synth_runtime_stop(rt);
  synth_test_sleep_s(1);
  struct test_pool_stats p1;
  test_pool_stats(tp, &p1);
  struct synth_pool_stats c1;
  synth_pool_stats(pool, &c1, sizeof c1);

  double rate = (double)hashed / elapsed;
  double expected = rate * 60 / (difficulty * 4294967296.0);
  double accepted = (p1.accepted - p0.accepted) / elapsed * 60;
  double sigma = sqrt(expected * elapsed / 60) / (elapsed / 60); /* Poisson, per minute */
  unsigned stale_pool = p1.rejected_stale - p0.rejected_stale;
  uint64_t stale_here = c1.stale - c0.stale;
  unsigned other = (p1.rejected_duplicate - p0.rejected_duplicate) +
                   (p1.rejected_low_difficulty - p0.rejected_low_difficulty) +
                   (p1.rejected_bad_job - p0.rejected_bad_job) +
                   (p1.rejected_malformed - p0.rejected_malformed) +
                   (p1.rejected_other - p0.rejected_other);
  double found = (double)(p1.accepted - p0.accepted) + stale_pool + other + (double)stale_here +
                 (double)stale_found;
  printf("devices %s (%u), %.1f s, hashrate %.2f MH/s, difficulty %g, a clean job every %u ms\n",
         devices, synth_runtime_device_count(rt), elapsed, rate / 1e6, difficulty, every_ms);
  printf("job switch (notify -> every device on the new job): p50 %.2f ms, p99 %.2f ms, max "
         "%.2f ms over %llu switches\n",
         c1.switch_p50_ms, c1.switch_p99_ms, c1.switch_max_ms, (unsigned long long)c1.switches);
  printf("shares: %u accepted, %u stale at the pool, %llu stale in the client (not sent), %llu "
         "stale on the devices (a replaced job's launch still running), %u other rejects; "
         "stale rate %.3f %%\n",
         p1.accepted - p0.accepted, stale_pool, (unsigned long long)stale_here,
         (unsigned long long)stale_found, other,
         found > 0 ? (stale_pool + (double)stale_here + (double)stale_found) / found * 100 : 0.0);
  printf("accepted per minute %.1f, expected %.1f +- %.1f (1 sigma): ratio %.3f (%+.1f sigma)\n",
         accepted, expected, sigma, accepted / expected, (accepted - expected) / sigma);
  /* Every share found, stale or not, is what the hashrate predicts: the switches only decide
   * how many of them are still worth sending. */
  double all = found / elapsed * 60;
  printf("found per minute (accepted + stale + rejected) %.1f: ratio %.3f (%+.1f sigma)\n", all,
         all / expected, (all - expected) / sigma);
  synth_pool_destroy(pool);
  synth_runtime_destroy(rt);
  test_pool_stop(tp);
  return 0;
}
