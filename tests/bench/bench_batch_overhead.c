/* bench_batch_overhead.c: what one batch costs the scheduler (pull + submit + poll + collect:
 * queues, payload cache, tuner, health, batch log), against the CPU's batch time at its
 * default target latency, in one run.
 *
 *   bench_batch_overhead [seconds-per-round] [rounds]
 *
 * The cost is measured with a device that takes no time at all (a scripted fake that returns
 * each batch as soon as it is polled), so everything the device thread does is scheduler
 * work; the CPU batch time is the median latency of one real CPU worker on the benchmark job.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "base/rcu_thread.h"
#include "scheduler/sched_internal.h"
#include "scheduler/scheduler.h"
#include "support/coverage_workload.h"
#include "support/fake_device.h"
#include "support/harness.h"
#include "synth/synth.h"

/* Nanoseconds of scheduler work per batch with `devices` null devices pulling at once. */
static double null_batch_ns(unsigned devices, double seconds)
{
  struct synth__sched_config cfg = {.unit_log2 = 14}; /* the CPU's unit size */
  struct synth__sched *s;
  if (synth__sched_create(&s, &cfg) != 0)
    exit(1);
  struct fake_script null = {.simulate = true, .nphases = 1, .phases = {{.rate = 1e18}}};
  for (unsigned i = 0; i < devices; i++) {
    struct synth__device_desc desc = fake_device_desc((int)i);
    /* A 1 ns target keeps every batch at one unit: the most batches per nonce, the worst case. */
    synth__sched_add_device(s, &fake_device_ops, fake_device_new(&cover_workload, &null), &desc,
                            1e-9);
  }
  struct cover_job *cj = cover_job_new(1, 0, 0, 1ull << 62);
  struct synth__job *job;
  if (synth__job_create(&job, &cover_workload, cj, NULL, 0, 0) != 0)
    exit(1);
  synth__sched_set_job(s, job, true);
  synth__sched_start(s);
  synth_test_sleep_s(0.2); /* warm up */
  uint64_t b0 = 0, b1 = 0;
  struct synth_device_stats st;
  for (unsigned i = 0; i < devices; i++) {
    synth__sched_device_stats(s, i, &st);
    b0 += st.batches;
  }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  synth_test_sleep_s(seconds);
  for (unsigned i = 0; i < devices; i++) {
    synth__sched_device_stats(s, i, &st);
    b1 += st.batches;
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  synth__sched_stop(s);
  synth__sched_destroy(s);
  cover_job_free(cj);
  double dt = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
  /* Each device thread spends all of its time on scheduler work. */
  return dt * 1e9 * devices / (double)(b1 - b0);
}

/* One real CPU worker on the benchmark job: its median batch latency (ms) and batch size. */
static double cpu_batch_ms(double seconds, uint64_t *batch_nonces, char *engine, size_t size)
{
  struct synth_runtime_config cfg = {.devices = "cpu", .device_options = "cpu.threads=1"};
  synth_runtime *rt;
  if (synth_miner_create(&rt, &cfg, NULL) != 0)
    exit(1);
  struct synth_job job;
  synth_benchmark_job(&job, 0);
  synth_runtime_start(rt);
  synth_runtime_set_job(rt, &job);
  synth_test_sleep_s(seconds);
  struct synth_device_stats st;
  synth_runtime_device_stats(rt, 0, &st, sizeof st);
  synth_runtime_destroy(rt);
  *batch_nonces = st.batch_nonces;
  snprintf(engine, size, "%s", st.engine);
  return st.latency_p50_ms;
}

int main(int argc, char **argv)
{
  double seconds = argc > 1 ? atof(argv[1]) : 2;
  int rounds = argc > 2 ? atoi(argv[2]) : 5;
  if (seconds <= 0 || rounds <= 0 || rounds > 99) {
    fprintf(stderr, "usage: bench_batch_overhead [seconds-per-round] [rounds]\n");
    return 2;
  }
  synth__rcu_online();
  double one[99], two[99], cpu[99];
  uint64_t batch = 0;
  char engine[32] = "";
  for (int r = 0; r < rounds; r++) { /* alternated, so drift hits every figure alike */
    one[r] = null_batch_ns(1, seconds);
    two[r] = null_batch_ns(2, seconds);
    cpu[r] = cpu_batch_ms(seconds, &batch, engine, sizeof engine);
    printf("round %d: %.0f ns/batch (1 device), %.0f ns/batch (2 devices), CPU batch %.3f ms\n",
           r + 1, one[r], two[r], cpu[r]);
  }
  double o1 = synth_test_median(one, (size_t)rounds), o2 = synth_test_median(two, (size_t)rounds),
         c = synth_test_median(cpu, (size_t)rounds);
  printf("median: scheduler work %.0f ns per batch (%.0f ns with 2 devices pulling); CPU batch "
         "%.3f ms (%llu nonces, %s): overhead %.3f %% (%.3f %%)\n",
         o1, o2, c, (unsigned long long)batch, engine, o1 / (c * 1e6) * 100, o2 / (c * 1e6) * 100);
  synth__rcu_offline();
  return 0;
}
