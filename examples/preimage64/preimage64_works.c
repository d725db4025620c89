/* preimage64_works.c: several works at once, sharing the devices by weight.
 *
 *   preimage64_works [--devices LIST] [--count N] [--bits B] [--gpu-ms MS] [--check]
 *   preimage64_works [--devices LIST] [--count N] [--bits B] --bench ROUNDS
 *
 * --check submits three works of N, 2N and 3N indexes with weights 1, 1 and 2, each under its
 * own key with a planted hit, and requires: each ends once with status 0, each finds exactly
 * the hits the C reference finds in its range, and while all three run each gets its weight's
 * share of the indexes hashed, within 10 %. A batch is one work's, and a GPU's covers tens of
 * milliseconds (--gpu-ms, the runtime's gpu_target_latency_ms), so N must make the works run
 * together for many batches.
 * --bench alternates, ROUNDS times, one work of 3N indexes with three works of N submitted at
 * once, and prints the medians: the total rate of three against one, and when each of the
 * three ended against the one work's time (the ideal makespan of the last).
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, nanosleep */

#include <inttypes.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <synth/synth.h>

#include "preimage64_args.h"
#include "preimage64_hits.h"
#include "preimage64_workload.h"

#define WORKS 3

struct one_work {
  struct preimage64_job job;
  uint64_t start, count;
  double weight;
  struct hits hits;
  synth_work *handle;
  atomic_int done_calls;
  atomic_int status;
  double t_done; /* when on_done ran, seconds on the monotonic clock */
};

static double now_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_ms(unsigned ms)
{
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

static void on_done(void *user, int status)
{
  struct one_work *w = user;
  w->t_done = now_s();
  atomic_store(&w->status, status);
  atomic_fetch_add(&w->done_calls, 1);
}

static void on_hit(void *user, uint64_t index, const struct synth_verdict *verdict, unsigned device)
{
  struct one_work *w = user;
  hits_on_hit(&w->hits, index, verdict, device);
}

static void on_log(void *user, enum synth_log_level level, const char *message)
{
  (void)user;
  static const char *const names[] = {"error", "warn", "info", "debug"};
  fprintf(stderr, "[%s] %s\n", level <= SYNTH_LOG_DEBUG ? names[level] : "?", message);
}

/* Sets w up over [start, start + count) under key, its target a planted index's hash. */
static void prepare(struct one_work *w, uint64_t key, uint64_t start, uint64_t count, unsigned bits,
                    double weight)
{
  memset(w, 0, sizeof *w);
  pthread_mutex_init(&w->hits.lock, NULL);
  w->job = (struct preimage64_job){.key = key, .mask = preimage64_mask(bits)};
  w->job.target = preimage64_hash(key, start + count / 2) & w->job.mask;
  w->start = start;
  w->count = count;
  w->weight = weight;
}

static int submit(synth_runtime *rt, struct one_work *w)
{
  struct synth_work_config wc = {.data = &w->job,
                                 .data_size = sizeof w->job,
                                 .start = w->start,
                                 .end = w->start + w->count,
                                 .on_hit = on_hit,
                                 .on_done = on_done,
                                 .user = w,
                                 .weight = w->weight};
  int rc = synth_runtime_submit(rt, &wc, &w->handle);
  if (rc != 0)
    fprintf(stderr, "submit: %s: %s\n", synth_strerror(rc), synth_last_error());
  return rc;
}

static void release(struct one_work *w, unsigned n)
{
  for (unsigned i = 0; i < n; i++) {
    synth_work_release(w[i].handle);
    free(w[i].hits.v);
    pthread_mutex_destroy(&w[i].hits.lock);
  }
}

/* Waits for every work to end; returns 0 when each ended once with status 0. */
static int wait_all(struct one_work *w, unsigned n)
{
  int ok = 0;
  for (unsigned i = 0; i < n; i++) {
    int rc = synth_work_wait(w[i].handle, 3600u * 1000u);
    if (rc != 0 || atomic_load(&w[i].done_calls) != 1) {
      fprintf(stderr, "work %u: %s, on_done called %d times\n", i, synth_strerror(rc),
              atomic_load(&w[i].done_calls));
      ok = 1;
    }
  }
  return ok;
}

/* While all run: the indexes each got between two samples of the total, the first past warm-up,
 * the last at 80 % of the total at which the smallest would end if every share were right.
 * Bounds on the total, not on any one work's count: a bound on one work's own count would stop
 * just before one of its batches lands, and count it short. */
static void measure_shares(struct one_work *w, double share[WORKS])
{
  uint64_t first[WORKS] = {0}, last[WORKS] = {0};
  double wsum = 0;
  for (unsigned i = 0; i < WORKS; i++)
    wsum += w[i].weight;
  uint64_t from = w[0].count / 10, to = (uint64_t)(0.8 * (double)w[0].count * wsum / w[0].weight);
  int have_first = 0;
  for (;;) {
    uint64_t h[WORKS], sum = 0;
    int running = 1;
    for (unsigned i = 0; i < WORKS; i++) {
      h[i] = synth_work_hashed(w[i].handle);
      sum += h[i];
      running &= atomic_load(&w[i].done_calls) == 0;
    }
    if (!running || sum >= to)
      break;
    if (!have_first && sum >= from) {
      memcpy(first, h, sizeof h);
      have_first = 1;
    }
    if (have_first)
      memcpy(last, h, sizeof h);
    sleep_ms(5);
  }
  uint64_t total = 0;
  for (unsigned i = 0; i < WORKS; i++)
    total += last[i] - first[i];
  for (unsigned i = 0; i < WORKS; i++)
    share[i] = total ? (double)(last[i] - first[i]) / (double)total : 0;
}

static int check(synth_runtime *rt, uint64_t count, unsigned bits)
{
  static struct one_work w[WORKS];
  const double weights[WORKS] = {1, 1, 2};
  /* The middle one crosses from roll 4 into roll 5. */
  prepare(&w[0], 0x243f6a8885a308d3ull, 1ull << 32, count, bits, weights[0]);
  prepare(&w[1], 0x13198a2e03707344ull, (5ull << 32) - count, 2 * count, bits, weights[1]);
  prepare(&w[2], 0xa4093822299f31d0ull, 9ull << 32, 3 * count, bits, weights[2]);
  for (unsigned i = 0; i < WORKS; i++) {
    if (submit(rt, &w[i]) != 0)
      return 1;
  }
  double share[WORKS];
  measure_shares(w, share);
  int bad = wait_all(w, WORKS);
  double wsum = weights[0] + weights[1] + weights[2];
  for (unsigned i = 0; i < WORKS; i++) {
    double want = weights[i] / wsum, off = fabs(share[i] - want) / want;
    hits_sort(&w[i].hits);
    size_t n_ref = 0;
    int same = hits_match_reference(&w[i].hits, &w[i].job, w[i].start, w[i].count, &n_ref);
    uint64_t hashed = synth_work_hashed(w[i].handle);
    printf("work %u: %" PRIu64 " indexes, weight %.0f: share while all ran %.3f (weight's %.3f, "
           "off %.1f %%); %zu hits, reference %zu: %s; hashed %" PRIu64 "\n",
           i, w[i].count, weights[i], share[i], want, off * 100, w[i].hits.n, n_ref,
           same ? "the same" : "DIFFERENT", hashed);
    bad |= !same || off > 0.10 || hashed != w[i].count;
  }
  release(w, WORKS);
  return bad;
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, unsigned n)
{
  qsort(v, n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Runs n works of count indexes each, submitted at once; returns each one's end time after
 * the submit in ends[], and the time until the last ended. */
static double run_works(synth_runtime *rt, unsigned n, uint64_t count, unsigned bits,
                        double ends[WORKS], int *bad)
{
  static struct one_work w[WORKS];
  for (unsigned i = 0; i < n; i++)
    prepare(&w[i], 0x452821e638d01377ull + i, (uint64_t)(i + 1) << 32, count, bits, 1);
  double t0 = now_s();
  for (unsigned i = 0; i < n; i++)
    *bad |= submit(rt, &w[i]) != 0;
  *bad |= wait_all(w, n);
  double last = 0;
  for (unsigned i = 0; i < n; i++) {
    ends[i] = w[i].t_done - t0;
    last = ends[i] > last ? ends[i] : last;
  }
  release(w, n);
  return last;
}

static int bench(synth_runtime *rt, uint64_t count, unsigned bits, unsigned rounds)
{
  double *ratio = calloc(rounds, sizeof *ratio), *first = calloc(rounds, sizeof *first);
  double *second = calloc(rounds, sizeof *second), *lastv = calloc(rounds, sizeof *lastv);
  int bad = !ratio || !first || !second || !lastv;
  for (unsigned r = 0; r < rounds && !bad; r++) {
    double ends[WORKS], one_end[WORKS];
    /* Alternated: which goes first flips every round, so drift hits both alike. */
    double t_one = 0, t_three = 0;
    for (int k = 0; k < 2; k++) {
      if ((k == 0) == (r % 2 == 0))
        t_one = run_works(rt, 1, WORKS * count, bits, one_end, &bad);
      else
        t_three = run_works(rt, WORKS, count, bits, ends, &bad);
    }
    qsort(ends, WORKS, sizeof ends[0], cmp_double);
    ratio[r] = t_one / t_three; /* same indexes in all: the rates' ratio */
    first[r] = ends[0] / t_one;
    second[r] = ends[1] / t_one;
    lastv[r] = ends[2] / t_one;
    printf("round %u: one work %.3f s, three works %.3f s (ended at %.3f, %.3f, %.3f s): "
           "rate ratio %.4f\n",
           r + 1, t_one, t_three, ends[0], ends[1], ends[2], ratio[r]);
  }
  if (!bad)
    printf("median of %u rounds: rate of three works against one %.4f; their ends against the "
           "one work's time %.4f, %.4f, %.4f (the last against ideal)\n",
           rounds, median(ratio, rounds), median(first, rounds), median(second, rounds),
           median(lastv, rounds));
  free(ratio);
  free(first);
  free(second);
  free(lastv);
  return bad;
}

int main(int argc, char **argv)
{
  const char *devices = "all";
  uint64_t count = 1ull << 26;
  unsigned bits = 22, rounds = 0;
  double gpu_ms = 0;
  int do_check = 0;
  const struct arg args[] = {
      {"--devices", ARG_TEXT, &devices},
      {"--count", ARG_U64, &count},
      {"--bits", ARG_UINT, &bits},
      {"--gpu-ms", ARG_DOUBLE, &gpu_ms},
      {"--bench", ARG_UINT, &rounds},
      {"--check", ARG_FLAG, &do_check},
      {NULL, ARG_FLAG, NULL},
  };
  /* --check lays its works out within 2^36 indexes; --bench starts its own at rolls 1 to 3. */
  if (args_parse(argc, argv, args) != 0 || count < 1024 ||
      count > (do_check ? 1ull << 32 : 1ull << 40) || bits < 1 || bits > 64 || do_check == !!rounds)
    return args_usage("preimage64_works [--devices LIST] [--count N] [--bits B] [--gpu-ms MS] "
                      "[--check | --bench ROUNDS]");

  struct synth_runtime_config cfg = {
      .devices = devices,
      .workload = preimage64_workload(),
      .log_fn = on_log,
      .log_level = SYNTH_LOG_WARN,
      .gpu_target_latency_ms = gpu_ms,
  };
  synth_runtime *rt;
  int rc = synth_runtime_create(&rt, &cfg);
  if (rc == 0)
    rc = synth_runtime_start(rt);
  if (rc != 0) {
    fprintf(stderr, "synth: %s: %s\n", synth_strerror(rc), synth_last_error());
    return 1;
  }
  int bad = do_check ? check(rt, count, bits) : bench(rt, count, bits, rounds);
  synth_runtime_destroy(rt);
  printf("%s\n", bad ? "FAILED" : "ok");
  return bad ? 1 : 0;
}
