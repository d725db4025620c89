/* bench_makespan.c: how close a finite range of the hashcash example finishes to the ideal
 * makespan, range / (sum of the devices' rates), on the devices named.
 *
 *   bench_makespan DEVICES COUNT RUNS [BITS]
 *
 * Each run submits COUNT indexes of a fresh roll through synth_runtime_submit and times it from
 * submit to synth_work_wait's return. A device's rate is what its own batches of that run show:
 * nonces hashed / device time (the batch trace), so the ideal is the makespan with every device
 * busy from the first instant to the last and no batch lost; what the run takes beyond it is
 * the scheduler's start, tail and gaps. One run before the first counted lets the tuner settle,
 * as it has in a long-lived process. Prints each run and the median ratio as JSON at the end.
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "hashcash_workload.h"
#include "synth/synth.h"

#define DEVICES_MAX 256
#define TRACE_CHUNK 256

static double now_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

struct device_run {
  uint64_t cursor, nonces, last_seq, gaps;
  double busy_s, last_t;
};

/* Reads the device's batches since its cursor into the run's sums. */
static void drain(synth_runtime *rt, unsigned i, struct device_run *d, int count)
{
  struct synth_batch_record rec[TRACE_CHUNK];
  size_t n;
  do {
    if (synth_runtime_batch_trace(rt, i, &d->cursor, rec, TRACE_CHUNK, &n) != 0)
      exit(1);
    for (size_t k = 0; k < n; k++) {
      if (count) {
        d->gaps += rec[k].seq - d->last_seq - 1; /* records the ring dropped before we read */
        d->nonces += rec[k].nonces;
        d->busy_s += rec[k].latency_ms / 1e3;
        d->last_t = rec[k].t_s;
      }
      d->last_seq = rec[k].seq;
    }
  } while (n == TRACE_CHUNK);
}

int main(int argc, char **argv)
{
  if (argc < 4) {
    fprintf(stderr, "usage: bench_makespan DEVICES COUNT RUNS [BITS]\n");
    return 2;
  }
  uint64_t count = strtoull(argv[2], NULL, 0);
  int runs = atoi(argv[3]);
  unsigned bits = argc > 4 ? (unsigned)atoi(argv[4]) : 32;
  struct hashcash_job job;
  hashcash_job_init(&job, "bench_makespan: a finite hashcash range", bits);
  struct synth_runtime_config cfg = {.devices = argv[1], .workload = hashcash_workload()};
  synth_runtime *rt;
  int rc;
  if ((rc = synth_runtime_create(&rt, &cfg)) != 0 || (rc = synth_runtime_start(rt)) != 0) {
    fprintf(stderr, "bench_makespan: %s\n", synth_strerror(rc));
    return 1;
  }
  unsigned ndev = synth_runtime_device_count(rt);
  if (ndev > DEVICES_MAX)
    return 1;
  static struct device_run dev[DEVICES_MAX];
  double ratios[64];
  int measured = 0;
  for (int r = 0; r <= runs && measured < 64; r++) {
    for (unsigned i = 0; i < ndev; i++) {
      drain(rt, i, &dev[i], 0); /* skip what came before */
      dev[i] = (struct device_run){.cursor = dev[i].cursor, .last_seq = dev[i].last_seq};
    }
    struct synth_work_config wc = {
        .data = &job, .data_size = sizeof job, .start = (uint64_t)(r + 1) << 32};
    wc.end = wc.start + count;
    synth_work *w;
    double t0 = now_s();
    if ((rc = synth_runtime_submit(rt, &wc, &w)) != 0) {
      fprintf(stderr, "bench_makespan: %s\n", synth_strerror(rc));
      return 1;
    }
    /* The trace keeps each device's last 256 batches: read it as the run goes. */
    while ((rc = synth_work_wait(w, 20)) == SYNTH_ETIMEDOUT)
      for (unsigned i = 0; i < ndev; i++)
        drain(rt, i, &dev[i], 1);
    double wall = now_s() - t0;
    if (rc != 0) {
      fprintf(stderr, "bench_makespan: %s\n", synth_strerror(rc));
      return 1;
    }
    uint64_t hashed = synth_work_hashed(w);
    synth_work_release(w);
    double sum_rate = 0, first_done = 1e300, last_done = 0;
    uint64_t gaps = 0;
    for (unsigned i = 0; i < ndev; i++) {
      drain(rt, i, &dev[i], 1);
      if (dev[i].busy_s > 0)
        sum_rate += dev[i].nonces / dev[i].busy_s;
      if (dev[i].nonces) {
        first_done = dev[i].last_t < first_done ? dev[i].last_t : first_done;
        last_done = dev[i].last_t > last_done ? dev[i].last_t : last_done;
      }
      gaps += dev[i].gaps;
    }
    double ideal = count / sum_rate;
    printf("run %d%s: %" PRIu64 " indexes in %.3f s, ideal %.3f s (%.2f MH/s summed): %.4f;"
           " last batches ended %.0f ms apart%s\n",
           r, r == 0 ? " (warm-up)" : "", hashed, wall, ideal, sum_rate / 1e6, wall / ideal,
           (last_done - first_done) * 1e3, gaps ? " (trace records lost: rates partial)" : "");
    for (unsigned i = 0; i < ndev; i++) {
      struct synth_device_stats st;
      synth_runtime_device_stats(rt, i, &st, sizeof st);
      printf("  %-10s %12" PRIu64 " indexes, %8.2f MH/s busy, %6.3f s busy\n", st.id, dev[i].nonces,
             dev[i].busy_s > 0 ? dev[i].nonces / dev[i].busy_s / 1e6 : 0.0, dev[i].busy_s);
    }
    if (r > 0)
      ratios[measured++] = wall / ideal;
  }
  synth_runtime_destroy(rt);
  qsort(ratios, (size_t)measured, sizeof ratios[0], cmp_double);
  printf("{\"devices\":\"%s\",\"count\":%" PRIu64 ",\"runs\":%d,\"median_ratio\":%.4f,"
         "\"min_ratio\":%.4f,\"max_ratio\":%.4f}\n",
         argv[1], count, measured, ratios[measured / 2], ratios[0], ratios[measured - 1]);
  return 0;
}
