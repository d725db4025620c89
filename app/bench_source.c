/* bench_source.c: the built-in benchmark job, renewed and retargeted the way a pool does. */
#include "bench_source.h"

#include <stdio.h>

/* Rates a device of each kind is unlikely to beat (a fast CPU core, a large GPU). */
#define CPU_CORE_HPS_MAX 50e6
#define GPU_HPS_MAX 20e9

void bench_source_init(struct bench_source *src, double difficulty, synth_runtime *rt)
{
  *src = (struct bench_source){0};
  src->fixed = difficulty > 0;
  src->difficulty = difficulty;
  if (!src->fixed) {
    unsigned n = synth_runtime_device_count(rt);
    double hps = 0;
    for (unsigned i = 0; i < n; i++) {
      struct synth_device_stats st;
      if (synth_runtime_device_stats(rt, i, &st, sizeof st) == 0)
        hps += st.kind == SYNTH_DEVICE_CPU ? CPU_CORE_HPS_MAX : GPU_HPS_MAX;
    }
    src->difficulty =
        n ? hps / (BENCH_SHARES_PER_S * n * 4294967296.0) : SYNTH_BENCHMARK_DIFFICULTY;
  }
  synth_benchmark_job(&src->job, src->difficulty);
}

/* The difficulty that gives BENCH_SHARES_PER_S shares a second per device at the measured
 * rate; the current one while nothing is measured yet. */
static double retarget(const struct bench_source *src, synth_runtime *rt)
{
  unsigned n = synth_runtime_device_count(rt);
  double hps = 0;
  for (unsigned i = 0; i < n; i++) {
    struct synth_device_stats st;
    if (synth_runtime_device_stats(rt, i, &st, sizeof st) == 0)
      hps += st.hashrate_ewma;
  }
  if (n == 0 || hps <= 0)
    return src->difficulty;
  double d = hps / (BENCH_SHARES_PER_S * n * 4294967296.0);
  return d < 1e-9 ? 1e-9 : d;
}

int bench_source_tick(struct bench_source *src, synth_runtime *rt, double now)
{
  if (src->issued > 0 && now < src->next_at)
    return 0;
  double period = src->issued == 0 && !src->fixed ? BENCH_FIRST_RETARGET_S : BENCH_JOB_PERIOD_S;
  if (src->issued > 0) {
    src->job.ntime += (uint32_t)BENCH_JOB_PERIOD_S;
    src->job.clean = 0; /* the previous job's shares stay good, as with a pool */
    if (!src->fixed) {
      src->difficulty = retarget(src, rt);
      synth_target_from_difficulty(src->difficulty, src->job.share_target);
    }
  }
  snprintf(src->job_id, sizeof src->job_id, "benchmark-%u", src->issued++);
  src->job.job_id = src->job_id;
  src->next_at = now + period;
  return synth_runtime_set_job(rt, &src->job);
}
