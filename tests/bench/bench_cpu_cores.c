/* bench_cpu_cores.c: MH/s per core for every CPU scan core this machine runs, and whole-CPU
 * scaling from 1 worker to all cores through the runtime.
 *
 *   bench_cpu_cores [--seconds S] [--scaling-seconds S] [--no-scaling] [--json]
 *                   [--ceiling HPS_PER_CORE]
 *
 * --ceiling adds each core's share of a reference rate per core (tests/bench/cpu_vs_hashcat.sh
 * passes half of hashcat's SHA-256 rate per core: a fair SHA-256d ceiling for the same CPU).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "devices/cpu/core_select.h"
#include "sha256d/sha256d_workload.h"
#include "synth/synth.h"

#define MAX_CORES 16
#define MAX_THREADS 256

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
  struct timespec ts = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
  nanosleep(&ts, NULL);
  synth_runtime_stop(rt);
  double total = 0;
  for (unsigned i = 0; i < synth_runtime_device_count(rt); i++) {
    struct synth_device_stats st;
    synth_runtime_device_stats(rt, i, &st, sizeof st);
    total += st.hashrate;
  }
  synth_runtime_destroy(rt);
  return total;
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
  int json = 0, scaling = 1;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--json") == 0)
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
              "[--ceiling HPS_PER_CORE]\n",
              argv[0]);
      return 2;
    }
  }
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
