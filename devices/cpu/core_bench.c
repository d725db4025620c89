/* core_bench.c: the CPU scan cores' self-benchmark, timed the way a CPU worker hashes. */
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "devices/cpu/core_select.h"

#define ROUNDS 5
#define PROBE_NONCES 4096u /* a first batch, to size the real ones */
#define BATCH_MS 5.0       /* the CPU tuner's default target latency */
#define BATCH_GRAIN 4096u  /* batch sizes are multiples of this, as the tuner's are */
#define BATCH_MAX (1u << 24)

static double seconds_of(clockid_t clock)
{
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct timing {
  uint64_t nonces;
  double thread_s; /* thread CPU time: a preempted batch is not charged for time it did not run */
  double wall_s;
};

/* One batch of count nonces from *start, as a worker scans it. */
static void scan_batch(const struct synth_cpu_core *c, const void *payload, uint32_t *start,
                       uint32_t count, struct timing *t)
{
  atomic_uint epoch = 0;
  uint32_t hits[64];
  struct synth_scan_ctl ctl = {.epoch_now = &epoch, .hits = hits, .max_hits = 64};
  double c0 = seconds_of(CLOCK_THREAD_CPUTIME_ID), w0 = seconds_of(CLOCK_MONOTONIC);
  t->nonces += c->scan(payload, *start, count, &ctl);
  t->thread_s += seconds_of(CLOCK_THREAD_CPUTIME_ID) - c0;
  t->wall_s += seconds_of(CLOCK_MONOTONIC) - w0;
  *start += count;
}

/* The batch size that takes BATCH_MS at this core's speed. */
static uint32_t batch_for(const struct synth_cpu_core *c, const void *payload)
{
  struct timing t = {0};
  uint32_t start = 0;
  scan_batch(c, payload, &start, PROBE_NONCES, &t);
  double n = t.thread_s > 0 ? (double)t.nonces / t.thread_s * BATCH_MS / 1000.0 : BATCH_MAX;
  if (n > BATCH_MAX)
    n = BATCH_MAX;
  uint32_t grains = (uint32_t)(n / BATCH_GRAIN);
  return (grains ? grains : 1) * BATCH_GRAIN;
}

static int by_value(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
  qsort(v, n, sizeof *v, by_value);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

size_t synth__cpu_core_measure(const struct synth_workload *workload, double ms_per_core,
                               struct synth__core_speed *speeds, size_t max)
{
  if (!workload->cpu_cores || !workload->known_answer || max == 0)
    return 0;
  alignas(64) unsigned char payload[SYNTH_PAYLOAD_MAX];
  struct synth_known_answer ka;
  workload->known_answer(payload, &ka);
  size_t n = 0;
  uint32_t batch[SYNTH__CORES_MAX];
  for (const struct synth_cpu_core *c = workload->cpu_cores; c->scan && n < max; c++) {
    if (synth__core_runnable(c) && n < SYNTH__CORES_MAX) {
      speeds[n] = (struct synth__core_speed){c, 0, 0};
      batch[n++] = batch_for(c, payload);
    }
  }
  /* Every core once per round, the starting core rotating, so a slow stretch of the machine
   * lands on each core in turn; the medians of the rounds rank them. */
  double thread_hps[SYNTH__CORES_MAX][ROUNDS], wall_hps[SYNTH__CORES_MAX][ROUNDS];
  double round_s = ms_per_core / 1000.0 / ROUNDS;
  for (int r = 0; r < ROUNDS; r++) {
    for (size_t k = 0; k < n; k++) {
      size_t i = (k + (size_t)r) % n;
      struct timing t = {0};
      uint32_t start = (uint32_t)r * 0x1000000u; /* other nonces each round, same for all */
      do
        scan_batch(speeds[i].core, payload, &start, batch[i], &t);
      while (t.thread_s < round_s);
      thread_hps[i][r] = (double)t.nonces / t.thread_s;
      wall_hps[i][r] = t.wall_s > 0 ? (double)t.nonces / t.wall_s : 0;
    }
  }
  for (size_t i = 0; i < n; i++) {
    speeds[i].hps = median(thread_hps[i], ROUNDS);
    speeds[i].hps_wall = median(wall_hps[i], ROUNDS);
  }
  for (size_t i = 1; i < n; i++) { /* fastest first; few entries */
    for (size_t j = i; j > 0 && speeds[j].hps > speeds[j - 1].hps; j--) {
      struct synth__core_speed tmp = speeds[j];
      speeds[j] = speeds[j - 1];
      speeds[j - 1] = tmp;
    }
  }
  return n;
}
