/* bench_scheduler_overhead.c: one CPU core's rate with the bare scan loop vs through the whole
 * runtime (queues, pulls, collector, telemetry), alternated in one run; prints the ratio.
 *
 *   bench_scheduler_overhead [seconds-per-round] [rounds] [core] [--json]
 *
 * core: a CPU scan core name (default generic); both sides run that core.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sha256d/mining_job.h"
#include "sha256d/sha256d_cores.h"
#include "sha256d/sha256d_payload.h"
#include "support/harness.h"
#include "synth/synth.h"

static const struct synth_cpu_core *find_core(const char *name)
{
  for (const struct synth_cpu_core *c = synth__sha256d_cpu_cores; c->scan; c++) {
    if (strcmp(c->name, name) == 0 && (!c->supported || c->supported()))
      return c;
  }
  return NULL;
}

/* The core on one thread, in runtime-sized batches, nothing else; pinned to PU 0, where the
 * runtime's first worker is pinned too. Wall time, like the runtime's figure. */
static double bare_rate(const struct synth_cpu_core *core, double seconds, uint32_t batch)
{
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(0, &one);
  pthread_setaffinity_np(pthread_self(), sizeof one, &one);
  struct synth_job job;
  synth_benchmark_job(&job, 0);
  struct synth__mining_job *mj;
  if (synth__mining_job_create(&job, NULL, &mj) != 0)
    exit(1);
  uint8_t header[80];
  synth__mining_job_header(mj, 7, header);
  struct synth__sha256d_payload p;
  synth__sha256d_payload_init(&p, header, mj->target);
  synth__mining_job_free(mj);
  atomic_uint epoch = 0;
  uint32_t hits[64];
  uint64_t nonces = 0;
  uint32_t start = 0;
  double t0 = synth_test_now_s(), t;
  do {
    struct synth_scan_ctl ctl = {.epoch_now = &epoch, .hits = hits, .max_hits = 64};
    nonces += core->scan(&p, start, batch, &ctl);
    start += batch;
  } while ((t = synth_test_now_s()) - t0 < seconds);
  return (double)nonces / (t - t0);
}

/* The same core through synth_runtime with one pinned worker. */
static double runtime_rate(const char *core, double seconds)
{
  char options[96];
  snprintf(options, sizeof options, "cpu.threads=1,cpu.core=%s", core);
  struct synth_runtime_config cfg = {.devices = "cpu", .device_options = options};
  synth_runtime *rt;
  struct synth_job job;
  synth_benchmark_job(&job, 0);
  if (synth_miner_create(&rt, &cfg, NULL) != 0 || synth_runtime_start(rt) != 0 ||
      synth_runtime_set_job(rt, &job) != 0)
    exit(1);
  synth_test_sleep_s(seconds);
  synth_runtime_stop(rt);
  struct synth_device_stats st;
  synth_runtime_device_stats(rt, 0, &st, sizeof st);
  synth_runtime_destroy(rt);
  return st.hashrate;
}

int main(int argc, char **argv)
{
  double seconds = argc > 1 ? atof(argv[1]) : 5;
  int rounds = argc > 2 ? atoi(argv[2]) : 3;
  const char *name = argc > 3 ? argv[3] : "generic";
  int json = argc > 4 && strcmp(argv[4], "--json") == 0;
  const struct synth_cpu_core *core = find_core(name);
  if (rounds < 1 || rounds > 50 || seconds <= 0 || !core)
    return 2;
  double bare[50], rt[50], ratio[50];
  for (int r = 0; r < rounds; r++) {
    bare[r] = bare_rate(core, seconds, 16384);
    rt[r] = runtime_rate(name, seconds);
    ratio[r] = rt[r] / bare[r];
    if (!json)
      printf("round %d: bare %.3f MH/s, runtime %.3f MH/s, ratio %.4f\n", r + 1, bare[r] / 1e6,
             rt[r] / 1e6, ratio[r]);
  }
  size_t n = (size_t)rounds;
  double med_bare = synth_test_median(bare, n), med_rt = synth_test_median(rt, n),
         med_ratio = synth_test_median(ratio, n);
  if (json)
    printf("{\"core\": \"%s\", \"bare_hps\": %.0f, \"runtime_hps\": %.0f, \"ratio\": %.4f, "
           "\"rounds\": %d}\n",
           name, med_bare, med_rt, med_ratio, rounds);
  else
    printf("median (%s): bare %.3f MH/s, runtime %.3f MH/s, runtime/bare %.4f (%d rounds of "
           "%.1f s)\n",
           name, med_bare / 1e6, med_rt / 1e6, med_ratio, rounds, seconds);
  return 0;
}
