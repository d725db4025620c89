/* bench_cpu_cores.c: MH/s per core for every CPU scan core this machine runs, and whole-CPU
 * scaling from 1 worker to all cores through the runtime.
 *
 *   bench_cpu_cores [--seconds S] [--scaling-seconds S] [--no-scaling] [--json]
 *                   [--ceiling HPS_PER_CORE]
 *   bench_cpu_cores --alternate ROUNDS [--runs K] [--nonces N] [--cores A,B,...]
 *   bench_cpu_cores --load THREADS [--cores CORE] [--seconds S]
 *
 * --ceiling adds each core's share of a reference rate per core (tests/bench/cpu_vs_hashcat.sh
 * passes half of hashcat's SHA-256 rate per core: a fair SHA-256d ceiling for the same CPU).
 *
 * --alternate compares cores on a shared, noisy machine: each round runs every core (the order
 * rotated every round) K times on the same N nonces and keeps its fastest run; the table gives
 * medians over the rounds, and each core against the first named by the median of the rounds'
 * ratios, so drift between rounds cancels.
 */
#include <pthread.h>
#include <sched.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "devices/cpu/core_select.h"
#include "sha256d/sha256d_workload.h"
#include "support/harness.h"
#include "synth/synth.h"

#define MAX_CORES 16
#define MAX_THREADS 256
#define MAX_ROUNDS 1000

struct scaling_point {
  unsigned threads;
  double hps;
};

/* The whole runtime with `threads` pinned workers on `core` for `seconds`; total H/s. */
static double runtime_rate(unsigned threads, const char *core, double seconds)
{
  char options[96];
  snprintf(options, sizeof options, "cpu.threads=%u,cpu.core=%s", threads, core);
  struct synth_runtime_config cfg = {.devices = "cpu", .device_options = options};
  synth_runtime *rt;
  struct synth_job job;
  synth_benchmark_job(&job, 0);
  if (synth_miner_create(&rt, &cfg, NULL) != 0)
    return -1;
  if (synth_runtime_start(rt) != 0 || synth_runtime_set_job(rt, &job) != 0) {
    synth_runtime_destroy(rt);
    return -1;
  }
  synth_test_sleep_s(seconds);
  synth_runtime_stop(rt);
  double total = 0;
  struct synth_device_stats st;
  for (unsigned i = 0; i < synth_runtime_device_count(rt); i++)
    total += synth_runtime_device_stats(rt, i, &st, sizeof st) == 0 ? st.hashrate : 0;
  synth_runtime_destroy(rt);
  return total;
}

/* Thread CPU time, in seconds: time the thread was preempted is not counted. */
static double thread_seconds(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The clock in GHz, from a chain of dependent 64-bit multiplies (3 cycles each on current
 * x86-64 cores); 0 elsewhere. An estimate: it is the clock while this scalar loop runs. */
static double clock_ghz_over(uint64_t n)
{
#if defined(__x86_64__)
  uint64_t x = 3;
  double t0 = thread_seconds();
  for (uint64_t i = 0; i < n; i++)
    __asm__ volatile("imul %0, %0" : "+r"(x));
  return 3.0 * (double)n / (thread_seconds() - t0) * 1e-9;
#else
  (void)n;
  return 0;
#endif
}

static double clock_ghz(void)
{
  return clock_ghz_over(20000000);
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* The median of n values, sorting them; their range in lo and hi. */
static double median(double *v, size_t n, double *lo, double *hi)
{
  qsort(v, n, sizeof v[0], cmp_double);
  *lo = v[0];
  *hi = v[n - 1];
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The fastest of runs scans of the same nonces, in ns per nonce. */
static double best_ns(const struct synth_cpu_core *c, const void *payload, uint32_t start,
                      uint32_t nonces, int runs)
{
  atomic_uint epoch = 0;
  uint32_t hits[64];
  double best = 0;
  for (int r = 0; r < runs; r++) {
    struct synth_scan_ctl ctl = {.epoch_now = &epoch, .hits = hits, .max_hits = 64};
    double t0 = thread_seconds();
    c->scan(payload, start, nonces, &ctl);
    double ns = (thread_seconds() - t0) * 1e9 / nonces;
    if (r == 0 || ns < best)
      best = ns;
  }
  return best;
}

/* The core called name (len bytes), when this CPU can run it. */
static const struct synth_cpu_core *runnable_core(const char *name, size_t len)
{
  for (const struct synth_cpu_core *c = synth__sha256d_workload.cpu_cores; c->scan; c++) {
    if (strlen(c->name) == len && strncmp(c->name, name, len) == 0)
      return !c->supported || c->supported() ? c : NULL;
  }
  return NULL;
}

/* The cores of a comma-separated list in its order, or every one this CPU runs (list NULL). */
static size_t pick_cores(const char *list, const struct synth_cpu_core **out)
{
  size_t n = 0;
  for (const struct synth_cpu_core *c = synth__sha256d_workload.cpu_cores; !list && c->scan; c++) {
    if ((!c->supported || c->supported()) && n < MAX_CORES)
      out[n++] = c;
  }
  for (const char *p = list; p && *p && n < MAX_CORES;) {
    size_t len = strcspn(p, ",");
    if (!(out[n++] = runnable_core(p, len))) {
      fprintf(stderr, "bench_cpu_cores: no core %.*s that this CPU runs\n", (int)len, p);
      return 0;
    }
    p += len + (p[len] == ',');
  }
  return n;
}

static int alternate(int rounds, int runs, uint32_t nonces, const char *list)
{
  const struct synth_cpu_core *cores[MAX_CORES];
  size_t n = pick_cores(list, cores);
  if (n == 0 || rounds < 1 || rounds > MAX_ROUNDS || runs < 1 || nonces == 0) {
    fprintf(stderr, "bench_cpu_cores --alternate: no core to run, or a count out of range\n");
    return 2;
  }
  alignas(64) unsigned char payload[SYNTH_PAYLOAD_MAX];
  struct synth_known_answer ka;
  synth__sha256d_workload.known_answer(payload, &ka);
  static double ns[MAX_CORES][MAX_ROUNDS], ratio[MAX_CORES][MAX_ROUNDS], ghz[MAX_ROUNDS];
  for (int r = 0; r < rounds; r++) {
    uint32_t start = (uint32_t)r * nonces;
    for (size_t j = 0; j < n; j++) {
      size_t i = (j + (size_t)r) % n;
      ns[i][r] = best_ns(cores[i], payload, start, nonces, runs);
    }
    for (size_t i = 0; i < n; i++)
      ratio[i][r] = ns[0][r] / ns[i][r];
    ghz[r] = clock_ghz();
  }
  double lo, hi, clock = median(ghz, (size_t)rounds, &lo, &hi);
  printf("%d rounds, each core the fastest of %d runs of %u nonces, order rotated every round\n",
         rounds, runs, nonces);
  if (clock > 0)
    printf("clock %.2f GHz (%.2f-%.2f), from a dependent multiply chain\n", clock, lo, hi);
  printf("%-14s %9s %15s %13s %9s %9s\n", "CORE", "ns/nonce", "(min-max)", "cycles/nonce", "MH/s",
         "rate vs");
  for (size_t i = 0; i < n; i++) {
    double nlo, nhi, med = median(ns[i], (size_t)rounds, &nlo, &nhi);
    double rlo, rhi, rel = median(ratio[i], (size_t)rounds, &rlo, &rhi);
    printf("%-14s %9.2f %7.2f-%-7.2f %13.1f %9.2f %8.3fx %s\n", cores[i]->name, med, nlo, nhi,
           med * clock, 1e3 / med, rel, cores[0]->name);
  }
  return 0;
}

/* --load: THREADS pinned threads scan with one core at once, outside the runtime, each
 * measuring the clock right after its batches (a short multiply chain, 0.1 ms, before a core's
 * wide-vector clock recovers): what the CPU itself gives per thread with all of them busy. */
struct load_thread {
  const struct synth_cpu_core *core;
  const void *payload;
  unsigned pu;
  double seconds;
  double hps, ghz; /* results */
};

static void *load_run(void *arg)
{
  struct load_thread *t = arg;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(t->pu, &set);
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);
  atomic_uint epoch = 0;
  uint32_t hits[64], start = t->pu << 24;
  double scanned = 0, ghz[4096];
  size_t nghz = 0;
  uint64_t nonces = 0;
  double end = thread_seconds() + t->seconds;
  while (thread_seconds() < end) {
    struct synth_scan_ctl ctl = {.epoch_now = &epoch, .hits = hits, .max_hits = 64};
    double t0 = thread_seconds();
    nonces += t->core->scan(t->payload, start, 1u << 16, &ctl);
    scanned += thread_seconds() - t0;
    start += 1u << 16;
    if (nghz < sizeof ghz / sizeof ghz[0])
      ghz[nghz++] = clock_ghz_over(100000);
  }
  double lo, hi;
  t->hps = scanned > 0 ? (double)nonces / scanned : 0;
  t->ghz = nghz ? median(ghz, nghz, &lo, &hi) : 0;
  return NULL;
}

static int load(unsigned threads, const char *name, double seconds)
{
  const struct synth_cpu_core *core = runnable_core(name, strlen(name));
  if (!core || threads == 0 || threads > MAX_THREADS) {
    fprintf(stderr, "--load: no such core here, or a bad thread count\n");
    return 2;
  }
  alignas(64) unsigned char payload[SYNTH_PAYLOAD_MAX];
  struct synth_known_answer ka;
  synth__sha256d_workload.known_answer(payload, &ka);
  static struct load_thread t[MAX_THREADS];
  static pthread_t tid[MAX_THREADS];
  for (unsigned i = 0; i < threads; i++) {
    t[i] = (struct load_thread){core, payload, i, seconds, 0, 0};
    pthread_create(&tid[i], NULL, load_run, &t[i]);
  }
  double hps[MAX_THREADS], ghz[MAX_THREADS], total = 0, lo, hi, glo, ghi;
  for (unsigned i = 0; i < threads; i++) {
    pthread_join(tid[i], NULL);
    hps[i] = t[i].hps;
    ghz[i] = t[i].ghz;
    total += t[i].hps;
  }
  double per = median(hps, threads, &lo, &hi), clock = median(ghz, threads, &glo, &ghi);
  printf("load %u threads, core %s: per thread %.2f MH/s (%.2f-%.2f), all %.1f MH/s, clock after "
         "batches %.2f GHz (%.2f-%.2f), %.1f cycles/nonce\n",
         threads, core->name, per / 1e6, lo / 1e6, hi / 1e6, total / 1e6, clock, glo, ghi,
         clock * 1e9 / per);
  return 0;
}

static unsigned core_count(void)
{
  unsigned n = 0;
  struct synth_runtime_config cfg = {.devices = "cpu", .device_options = "cpu.core=generic"};
  synth_runtime *rt;
  if (synth_miner_create(&rt, &cfg, NULL) == 0) {
    n = synth_runtime_device_count(rt);
    synth_runtime_destroy(rt);
  }
  return n;
}

int main(int argc, char **argv)
{
  double seconds = 3, scaling_seconds = 5, ceiling = 0;
  int json = 0, scaling = 1, rounds = 0, runs = 20;
  unsigned load_threads = 0;
  uint32_t nonces = 32768;
  const char *cores_list = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--alternate") == 0 && i + 1 < argc)
      rounds = atoi(argv[++i]);
    else if (strcmp(argv[i], "--load") == 0 && i + 1 < argc)
      load_threads = (unsigned)atoi(argv[++i]);
    else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
      runs = atoi(argv[++i]);
    else if (strcmp(argv[i], "--nonces") == 0 && i + 1 < argc)
      nonces = (uint32_t)strtoul(argv[++i], NULL, 0);
    else if (strcmp(argv[i], "--cores") == 0 && i + 1 < argc)
      cores_list = argv[++i];
    else if (strcmp(argv[i], "--json") == 0)
      json = 1;
    else if (strcmp(argv[i], "--no-scaling") == 0)
      scaling = 0;
    else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
      seconds = atof(argv[++i]);
    else if (strcmp(argv[i], "--scaling-seconds") == 0 && i + 1 < argc)
      scaling_seconds = atof(argv[++i]);
    else if (strcmp(argv[i], "--ceiling") == 0 && i + 1 < argc)
      ceiling = atof(argv[++i]);
    else {
      fprintf(stderr,
              "usage: %s [--seconds S] [--scaling-seconds S] [--no-scaling] [--json] "
              "[--ceiling HPS_PER_CORE]\n       %s --alternate ROUNDS [--runs K] [--nonces N] "
              "[--cores A,B,...]\n       %s --load THREADS [--cores CORE] [--seconds S]\n",
              argv[0], argv[0], argv[0]);
      return 2;
    }
  }
  if (rounds)
    return alternate(rounds, runs, nonces, cores_list);
  if (load_threads)
    return load(load_threads, cores_list ? cores_list : "avx512", seconds);
  struct synth__core_speed speeds[MAX_CORES];
  size_t n = synth__cpu_core_measure(&synth__sha256d_workload, seconds * 1000.0, speeds, MAX_CORES);
  if (n == 0)
    return 1;

  struct scaling_point points[MAX_THREADS];
  unsigned npoints = 0, cores = scaling ? core_count() : 0;
  for (unsigned t = 1; t <= cores && npoints < MAX_THREADS; t++) {
    double hps = runtime_rate(t, speeds[0].core->name, scaling_seconds);
    points[npoints++] = (struct scaling_point){t, hps};
  }

  if (json) {
    printf("{\"cores\": [");
    for (size_t i = 0; i < n; i++)
      printf("%s{\"core\": \"%s\", \"hps_per_core\": %.0f, \"of_ceiling\": %.4f}", i ? ", " : "",
             speeds[i].core->name, speeds[i].hps, ceiling > 0 ? speeds[i].hps / ceiling : 0);
    printf("], \"best\": \"%s\", \"scaling\": [", speeds[0].core->name);
    for (unsigned i = 0; i < npoints; i++)
      printf("%s{\"threads\": %u, \"hps\": %.0f}", i ? ", " : "", points[i].threads, points[i].hps);
    printf("]}\n");
    return 0;
  }
  printf("%-14s %14s %10s %s\n", "CORE", "MH/s per core", "vs generic",
         ceiling > 0 ? "  of ceiling" : "");
  double generic = 0;
  for (size_t i = 0; i < n; i++) {
    if (strcmp(speeds[i].core->name, "generic") == 0)
      generic = speeds[i].hps;
  }
  for (size_t i = 0; i < n; i++) {
    printf("%-14s %14.2f %9.2fx", speeds[i].core->name, speeds[i].hps / 1e6,
           generic > 0 ? speeds[i].hps / generic : 0);
    if (ceiling > 0)
      printf(" %11.1f%%", 100.0 * speeds[i].hps / ceiling);
    printf("\n");
  }
  if (ceiling > 0)
    printf("ceiling: %.2f MH/s per core (SHA-256d)\n", ceiling / 1e6);
  if (npoints) {
    printf("\nscaling with core %s (runtime, pinned workers, %.0f s each)\n", speeds[0].core->name,
           scaling_seconds);
    printf("%-8s %12s %14s %12s\n", "THREADS", "MH/s", "MH/s/thread", "efficiency");
    for (unsigned i = 0; i < npoints; i++)
      printf("%-8u %12.2f %14.2f %11.1f%%\n", points[i].threads, points[i].hps / 1e6,
             points[i].hps / 1e6 / points[i].threads,
             100.0 * points[i].hps / (points[i].threads * points[0].hps));
  }
  return 0;
}
