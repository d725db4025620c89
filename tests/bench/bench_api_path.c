/* bench_api_path.c: SHA-256d through the work API (synth_runtime_submit with a struct
 * synth_job, hits to a callback) against the built-in miner's path (synth_runtime_set_job,
 * shares), on the same runtime and devices, alternating A and B in one process.
 *
 *   bench_api_path DEVICES SECONDS ROUNDS
 *
 * Each phase hashes the benchmark job (at the miner's default share difficulty) for SECONDS
 * after a settling second; its rate is the nonces every device hashed in the phase over its
 * length, and per second of the process's CPU time; rounds alternate which path goes first.
 * Prints each round's ratios (work API / miner) and their medians as JSON.
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "support/harness.h"
#include "synth/synth.h"

static atomic_uint_least64_t hits, shares;

static void on_hit(void *user, uint64_t index, const struct synth_verdict *v, unsigned device)
{
  (void)user, (void)index, (void)v, (void)device;
  atomic_fetch_add(&hits, 1);
}

static void on_share(void *user, const struct synth_share *share)
{
  (void)user, (void)share;
  atomic_fetch_add(&shares, 1);
}

static double now_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
  struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
  nanosleep(&ts, NULL);
}

static double cpu_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One phase's nonces per second of wall time and per second of the process's CPU time (which
 * time taken by other programs on a shared machine does not dilute), after a second to settle. */
struct rate {
  double wall, cpu;
};

static struct rate phase_rate(synth_runtime *rt, double seconds)
{
  sleep_s(1.0);
  uint64_t n0 = synth_test_runtime_nonces(rt);
  double t0 = now_s(), c0 = cpu_s();
  sleep_s(seconds);
  double n = (double)(synth_test_runtime_nonces(rt) - n0);
  return (struct rate){n / (now_s() - t0), n / (cpu_s() - c0)};
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
  if (argc < 4) {
    fprintf(stderr, "usage: bench_api_path DEVICES SECONDS ROUNDS\n");
    return 2;
  }
  double seconds = atof(argv[2]);
  int rounds = atoi(argv[3]);
  struct synth_runtime_config cfg = {.devices = argv[1], .share_fn = on_share};
  synth_runtime *rt;
  int rc;
  if ((rc = synth_runtime_create(&rt, &cfg)) != 0 || (rc = synth_runtime_start(rt)) != 0) {
    fprintf(stderr, "bench_api_path: %s\n", synth_strerror(rc));
    return 1;
  }
  struct synth_job job;
  synth_benchmark_job(&job, 0);
  double ratios[64], cpu_ratios[64], sum_miner = 0, sum_api = 0;
  if (rounds > 64)
    rounds = 64;
  for (int r = 0; r < rounds; r++) {
    /* A then B, then B then A: a drift of the machine's speed cancels over two rounds. */
    struct rate miner = {0, 0}, api = {0, 0};
    for (int k = 0; k < 2; k++) {
      job.first_roll = (uint32_t)(2 * r + k); /* fresh work each phase */
      if ((k == 0) == (r % 2 == 0)) {
        job.clean = 1;
        if ((rc = synth_runtime_set_job(rt, &job)) != 0)
          return 1;
        miner = phase_rate(rt, seconds);
        continue;
      }
      struct synth_work_config wc = {.data = &job,
                                     .data_size = sizeof job,
                                     .start = (uint64_t)job.first_roll << 32,
                                     .on_hit = on_hit};
      synth_work *w;
      if ((rc = synth_runtime_submit(rt, &wc, &w)) != 0) {
        fprintf(stderr, "bench_api_path: %s\n", synth_strerror(rc));
        return 1;
      }
      api = phase_rate(rt, seconds);
      synth_work_cancel(w);
      synth_work_release(w);
    }
    ratios[r] = api.wall / miner.wall;
    cpu_ratios[r] = api.cpu / miner.cpu;
    sum_miner += miner.wall;
    sum_api += api.wall;
    printf("round %d: miner %.2f MH/s, work API %.2f MH/s: %.4f; per CPU second %.4f\n", r,
           miner.wall / 1e6, api.wall / 1e6, ratios[r], cpu_ratios[r]);
    fflush(stdout);
  }
  synth_runtime_destroy(rt);
  printf("(%" PRIu64 " shares, %" PRIu64 " hits)\n", (uint64_t)atomic_load(&shares),
         (uint64_t)atomic_load(&hits));
  qsort(ratios, (size_t)rounds, sizeof ratios[0], cmp_double);
  qsort(cpu_ratios, (size_t)rounds, sizeof cpu_ratios[0], cmp_double);
  printf("{\"devices\":\"%s\",\"rounds\":%d,\"median_ratio\":%.4f,\"min_ratio\":%.4f,"
         "\"max_ratio\":%.4f,\"mean_rate_ratio\":%.4f,\"median_cpu_ratio\":%.4f}\n",
         argv[1], rounds, ratios[rounds / 2], ratios[0], ratios[rounds - 1], sum_api / sum_miner,
         cpu_ratios[rounds / 2]);
  return 0;
}
