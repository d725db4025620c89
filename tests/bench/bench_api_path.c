/* bench_api_path.c: SHA-256d through the work API (synth_runtime_submit with a struct
 * synth_job, hits to a callback) against the built-in miner's path (synth_runtime_set_job,
 * shares).
 *
 *   bench_api_path DEVICES SECONDS ROUNDS
 *       One runtime on DEVICES; the two paths take turns, the order swapped every round.
 *   bench_api_path --pair CPUS_A CPUS_B SECONDS ROUNDS
 *       Two CPU-only runtimes pinned to the disjoint processing units CPUS_A and CPUS_B
 *       ("0", "0-7"), hashing at the same time, one through each path; they swap paths every
 *       round. On a shared machine whose speed swings from second to second, both paths
 *       see the same swings, and swapping cancels any difference between the two sets.
 *   bench_api_path --solo miner|api CORE SECONDS
 *       One CPU-only runtime with the scan core CORE ("avx2") hashes through one path for
 *       SECONDS and prints every nonce it hashed: run under an instruction counter,
 *       two lengths give the path's instructions per nonce (api_path_instructions.sh).
 *
 * Each phase hashes the benchmark job (at the miner's default share difficulty) for SECONDS
 * after a settling second; its rate is the nonces hashed in the phase over its length.
 * Prints each round's ratio (work API / miner) and a JSON summary: the median ratio, and in
 * --pair mode also the median of each two rounds' geometric mean (sets swapped).
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <math.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

enum path { MINER, WORK_API };

/* Starts @job on @rt through @path; for the work API, *w is the work to cancel afterwards. */
static int start_path(synth_runtime *rt, enum path path, struct synth_job *job, synth_work **w)
{
  *w = NULL;
  if (path == MINER) {
    job->clean = 1;
    return synth_runtime_set_job(rt, job);
  }
  struct synth_work_config wc = {.data = job,
                                 .data_size = sizeof *job,
                                 .start = (uint64_t)job->first_roll << 32,
                                 .on_hit = on_hit};
  return synth_runtime_submit(rt, &wc, w);
}

static void end_path(synth_work *w)
{
  if (w) {
    synth_work_cancel(w);
    synth_work_release(w);
  }
}

/* Nonces per second of every runtime in @rts over one phase, after a second to settle. */
static void phase_rates(synth_runtime *const *rts, int n, double seconds, double *rate)
{
  uint64_t n0[2];
  synth_test_sleep_s(1.0);
  for (int i = 0; i < n; i++)
    n0[i] = synth_test_runtime_nonces(rts[i]);
  double t0 = synth_test_now_s();
  synth_test_sleep_s(seconds);
  double t = synth_test_now_s() - t0;
  for (int i = 0; i < n; i++)
    rate[i] = (double)(synth_test_runtime_nonces(rts[i]) - n0[i]) / t;
}

static synth_runtime *open_runtime(const char *devices, const char *affinity, const char *core)
{
  char options[160];
  snprintf(options, sizeof options, "%s%s%s%s%s", affinity ? "cpu.affinity=" : "",
           affinity ? affinity : "", affinity && core ? "," : "", core ? "cpu.core=" : "",
           core ? core : "");
  struct synth_runtime_config cfg = {.devices = devices, .device_options = options};
  synth_runtime *rt;
  int rc;
  if ((rc = synth_miner_create(&rt, &cfg, &(struct synth_miner_config){on_share, NULL})) != 0)
    goto fail;
  if ((rc = synth_runtime_start(rt)) != 0) {
    synth_runtime_destroy(rt);
    goto fail;
  }
  return rt;
fail:
  fprintf(stderr, "bench_api_path: %s%s%s: %s\n", devices, affinity ? " on " : "",
          affinity ? affinity : "", synth_strerror(rc));
  return NULL;
}

#define MAX_ROUNDS 256

/* One runtime, the paths in turn: A then B, then B then A, so that a drift cancels. */
static int run_alternating(const char *devices, double seconds, int rounds, double *ratios,
                           double *sum_api, double *sum_miner)
{
  synth_runtime *rt = open_runtime(devices, NULL, NULL);
  if (!rt)
    return 1;
  struct synth_job job;
  synth_benchmark_job(&job, 0);
  for (int r = 0; r < rounds; r++) {
    double rate[2]; /* by path */
    for (int k = 0; k < 2; k++) {
      enum path path = (k == 0) == (r % 2 == 0) ? MINER : WORK_API;
      job.first_roll = (uint32_t)(2 * r + k); /* fresh work each phase */
      synth_work *w;
      int rc = start_path(rt, path, &job, &w);
      if (rc != 0) {
        fprintf(stderr, "bench_api_path: %s\n", synth_strerror(rc));
        synth_runtime_destroy(rt);
        return 1;
      }
      phase_rates(&rt, 1, seconds, &rate[path]);
      end_path(w);
    }
    ratios[r] = rate[WORK_API] / rate[MINER];
    *sum_api += rate[WORK_API], *sum_miner += rate[MINER];
    printf("round %d: miner %.2f MH/s, work API %.2f MH/s: %.4f\n", r, rate[MINER] / 1e6,
           rate[WORK_API] / 1e6, ratios[r]);
    fflush(stdout);
  }
  synth_runtime_destroy(rt);
  return 0;
}

/* Two runtimes at once, one per path, swapping paths every round. */
static int run_paired(const char *set_a, const char *set_b, double seconds, int rounds,
                      double *ratios, double *sum_api, double *sum_miner)
{
  synth_runtime *rts[2] = {open_runtime("cpu", set_a, NULL), NULL};
  if (!rts[0] || !(rts[1] = open_runtime("cpu", set_b, NULL))) {
    if (rts[0])
      synth_runtime_destroy(rts[0]);
    return 1;
  }
  struct synth_job jobs[2];
  int rc = 0;
  for (int r = 0; r < rounds && rc == 0; r++) {
    synth_work *w[2] = {NULL, NULL};
    for (int i = 0; i < 2 && rc == 0; i++) {
      synth_benchmark_job(&jobs[i], 0);
      jobs[i].first_roll = (uint32_t)(2 * r + i); /* fresh work each phase */
      rc = start_path(rts[i], (enum path)((i + r) % 2), &jobs[i], &w[i]);
    }
    if (rc != 0) {
      fprintf(stderr, "bench_api_path: %s\n", synth_strerror(rc));
    } else {
      double rate[2]; /* by runtime */
      phase_rates(rts, 2, seconds, rate);
      int api = (r + 1) % 2; /* the runtime on the work API this round */
      ratios[r] = rate[api] / rate[1 - api];
      *sum_api += rate[api], *sum_miner += rate[1 - api];
      printf("round %d: miner %.2f MH/s on %s, work API %.2f MH/s on %s: %.4f\n", r,
             rate[1 - api] / 1e6, api ? set_a : set_b, rate[api] / 1e6, api ? set_b : set_a,
             ratios[r]);
      fflush(stdout);
    }
    end_path(w[0]);
    end_path(w[1]);
  }
  synth_runtime_destroy(rts[0]);
  synth_runtime_destroy(rts[1]);
  return rc != 0;
}

/* One path alone for @seconds; prints the nonces hashed from start to end, settling included. */
static int run_solo(const char *path_name, const char *core, double seconds)
{
  enum path path = strcmp(path_name, "api") == 0 ? WORK_API : MINER;
  if (path == MINER && strcmp(path_name, "miner") != 0) {
    fprintf(stderr, "bench_api_path: the path is miner or api, not %s\n", path_name);
    return 2;
  }
  synth_runtime *rt = open_runtime("cpu", NULL, core);
  if (!rt)
    return 1;
  struct synth_job job;
  synth_benchmark_job(&job, 0);
  synth_work *w;
  int rc = start_path(rt, path, &job, &w);
  if (rc == 0) {
    synth_test_sleep_s(seconds);
    end_path(w);
    printf("{\"path\":\"%s\",\"core\":\"%s\",\"nonces\":%" PRIu64 "}\n", path_name, core,
           synth_test_runtime_nonces(rt));
  } else {
    fprintf(stderr, "bench_api_path: %s\n", synth_strerror(rc));
  }
  synth_runtime_destroy(rt);
  return rc != 0;
}

int main(int argc, char **argv)
{
  if (argc == 5 && strcmp(argv[1], "--solo") == 0 && atof(argv[4]) > 0)
    return run_solo(argv[2], argv[3], atof(argv[4]));
  bool pair = argc > 1 && strcmp(argv[1], "--pair") == 0;
  if (argc != (pair ? 6 : 4)) {
    fprintf(stderr, "usage: bench_api_path DEVICES SECONDS ROUNDS\n"
                    "       bench_api_path --pair CPUS_A CPUS_B SECONDS ROUNDS\n"
                    "       bench_api_path --solo miner|api CORE SECONDS\n");
    return 2;
  }
  double seconds = atof(argv[argc - 2]);
  int rounds = atoi(argv[argc - 1]);
  if (seconds <= 0 || rounds < 1 || rounds > MAX_ROUNDS) {
    fprintf(stderr, "bench_api_path: SECONDS must be > 0 and ROUNDS 1..%d\n", MAX_ROUNDS);
    return 2;
  }
  double ratios[MAX_ROUNDS], pairs[MAX_ROUNDS / 2], sum_api = 0, sum_miner = 0;
  int rc = pair ? run_paired(argv[2], argv[3], seconds, rounds, ratios, &sum_api, &sum_miner)
                : run_alternating(argv[1], seconds, rounds, ratios, &sum_api, &sum_miner);
  if (rc != 0)
    return 1;
  printf("(%" PRIu64 " shares, %" PRIu64 " hits)\n", (uint64_t)atomic_load(&shares),
         (uint64_t)atomic_load(&hits));
  /* Rounds 2k and 2k+1 ran the paths the other way round on the same sets. */
  for (int k = 0; k < rounds / 2; k++)
    pairs[k] = sqrt(ratios[2 * k] * ratios[2 * k + 1]);
  double pair_median = rounds >= 2 ? synth_test_median(pairs, (size_t)rounds / 2) : ratios[0];
  printf("{\"mode\":\"%s\",\"devices\":\"%s\",\"rounds\":%d,\"median_ratio\":%.4f,"
         "\"median_pair_ratio\":%.4f,\"mean_rate_ratio\":%.4f",
         pair ? "pair" : "alternate", pair ? "cpu" : argv[1], rounds,
         synth_test_median(ratios, (size_t)rounds), pair_median, sum_api / sum_miner);
  printf(",\"min_ratio\":%.4f,\"max_ratio\":%.4f}\n", ratios[0], ratios[rounds - 1]);
  return 0;
}
