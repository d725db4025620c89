/* bench_makespan.c: how close a finite range of the hashcash example finishes to the ideal
 * makespan, range / (sum of the devices' rates), on the devices named.
 *
 *   bench_makespan DEVICES COUNT RUNS [BITS [POLICIES]]
 *
 * Each run submits COUNT indexes of a fresh roll through synth_runtime_submit and times it from
 * submit to synth_work_wait's return. A device's rate is what its own batches of that run show:
 * nonces hashed / device time (the batch trace), so the ideal is the makespan with every device
 * busy from the first instant to the last and no batch lost; what the run takes beyond it is
 * the scheduler's start, tail and gaps. One run before the first counted lets the tuner settle,
 * as it has in a long-lived process. Prints each run and the median ratio as JSON at the end.
 *
 * POLICIES: scheduling policies, comma-separated (default: the library's default). With several,
 * each gets a runtime of its own, all created first, and their runs alternate, the order turned
 * round every run, so drift on a shared machine falls on each alike; one JSON line per policy.
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hashcash_workload.h"
#include "synth/synth.h"

#define DEVICES_MAX 256
#define TRACE_CHUNK 256
#define POLICIES_MAX 4
#define RUNS_MAX 64

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

/* One policy's runtime and what its runs measured. */
struct bench {
  const char *policy; /* NULL: the default */
  synth_runtime *rt;
  unsigned ndev;
  struct device_run dev[DEVICES_MAX];
  double ratios[RUNS_MAX];
  int measured;
};

/* Run r of b (0 is the warm-up): count indexes of roll r + 1, timed and printed; exits on an
 * error. */
static void one_run(struct bench *b, const struct hashcash_job *job, uint64_t count, int r)
{
  synth_runtime *rt = b->rt;
  for (unsigned i = 0; i < b->ndev; i++) {
    drain(rt, i, &b->dev[i], 0); /* skip what came before */
    b->dev[i] = (struct device_run){.cursor = b->dev[i].cursor, .last_seq = b->dev[i].last_seq};
  }
  struct synth_work_config wc = {
      .data = job, .data_size = sizeof *job, .start = (uint64_t)(r + 1) << 32};
  wc.end = wc.start + count;
  synth_work *w;
  int rc;
  double t0 = now_s();
  if ((rc = synth_runtime_submit(rt, &wc, &w)) != 0) {
    fprintf(stderr, "bench_makespan: %s\n", synth_strerror(rc));
    exit(1);
  }
  /* The trace keeps each device's last 256 batches: read it as the run goes. */
  while ((rc = synth_work_wait(w, 20)) == SYNTH_ETIMEDOUT)
    for (unsigned i = 0; i < b->ndev; i++)
      drain(rt, i, &b->dev[i], 1);
  double wall = now_s() - t0;
  if (rc != 0) {
    fprintf(stderr, "bench_makespan: %s\n", synth_strerror(rc));
    exit(1);
  }
  uint64_t hashed = synth_work_hashed(w);
  synth_work_release(w);
  double sum_rate = 0, first_done = 1e300, last_done = 0;
  uint64_t gaps = 0;
  for (unsigned i = 0; i < b->ndev; i++) {
    struct device_run *d = &b->dev[i];
    drain(rt, i, d, 1);
    if (d->busy_s > 0)
      sum_rate += d->nonces / d->busy_s;
    if (d->nonces) {
      first_done = d->last_t < first_done ? d->last_t : first_done;
      last_done = d->last_t > last_done ? d->last_t : last_done;
    }
    gaps += d->gaps;
  }
  double ideal = count / sum_rate;
  printf("%s%srun %d%s: %" PRIu64 " indexes in %.3f s, ideal %.3f s (%.2f MH/s summed): %.4f;"
         " last batches ended %.0f ms apart%s\n",
         b->policy ? b->policy : "", b->policy ? " " : "", r, r == 0 ? " (warm-up)" : "", hashed,
         wall, ideal, sum_rate / 1e6, wall / ideal, (last_done - first_done) * 1e3,
         gaps ? " (trace records lost: rates partial)" : "");
  for (unsigned i = 0; i < b->ndev; i++) {
    struct synth_device_stats st;
    struct device_run *d = &b->dev[i];
    synth_runtime_device_stats(rt, i, &st, sizeof st);
    printf("  %-10s %12" PRIu64 " indexes, %8.2f MH/s busy, %6.3f s busy\n", st.id, d->nonces,
           d->busy_s > 0 ? d->nonces / d->busy_s / 1e6 : 0.0, d->busy_s);
  }
  if (r > 0 && b->measured < RUNS_MAX)
    b->ratios[b->measured++] = wall / ideal;
}

int main(int argc, char **argv)
{
  if (argc < 4) {
    fprintf(stderr, "usage: bench_makespan DEVICES COUNT RUNS [BITS [POLICIES]]\n");
    return 2;
  }
  uint64_t count = strtoull(argv[2], NULL, 0);
  int runs = atoi(argv[3]);
  unsigned bits = argc > 4 ? (unsigned)atoi(argv[4]) : 32;
  if (runs < 1 || runs > RUNS_MAX) {
    fprintf(stderr, "bench_makespan: RUNS must be 1 to %d\n", RUNS_MAX);
    return 2;
  }
  static struct bench benches[POLICIES_MAX];
  unsigned nb = 1;
  char *list = argc > 5 ? argv[5] : NULL, *save = NULL;
  if (list) {
    nb = 0;
    for (char *name = strtok_r(list, ",", &save); name && nb < POLICIES_MAX;
         name = strtok_r(NULL, ",", &save))
      benches[nb++].policy = name;
  }
  struct hashcash_job job;
  hashcash_job_init(&job, "bench_makespan: a finite hashcash range", bits);
  for (unsigned k = 0; k < nb; k++) {
    struct bench *b = &benches[k];
    struct synth_runtime_config cfg = {
        .devices = argv[1], .workload = hashcash_workload(), .scheduler_policy = b->policy};
    int rc;
    if ((rc = synth_runtime_create(&b->rt, &cfg)) != 0 || (rc = synth_runtime_start(b->rt)) != 0) {
      fprintf(stderr, "bench_makespan: %s%s%s\n", b->policy ? b->policy : "", b->policy ? ": " : "",
              synth_strerror(rc));
      return 1;
    }
    b->ndev = synth_runtime_device_count(b->rt);
    if (b->ndev > DEVICES_MAX)
      return 1;
  }
  for (int r = 0; r <= runs; r++) {
    for (unsigned k = 0; k < nb; k++) /* every other run the other way round */
      one_run(&benches[r % 2 ? nb - 1 - k : k], &job, count, r);
  }
  for (unsigned k = 0; k < nb; k++) {
    struct bench *b = &benches[k];
    synth_runtime_destroy(b->rt);
    qsort(b->ratios, (size_t)b->measured, sizeof b->ratios[0], cmp_double);
    printf("{\"devices\":\"%s\",%s%s%s\"count\":%" PRIu64 ",\"runs\":%d,"
           "\"median_ratio\":%.4f,\"min_ratio\":%.4f,\"max_ratio\":%.4f}\n",
           argv[1], b->policy ? "\"policy\":\"" : "", b->policy ? b->policy : "",
           b->policy ? "\"," : "", count, b->measured, b->ratios[b->measured / 2], b->ratios[0],
           b->ratios[b->measured - 1]);
  }
  return 0;
}
