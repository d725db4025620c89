/* bench_source.h: the built-in benchmark job, renewed and retargeted the way a pool does. */
#ifndef SYNTH_CLI_BENCH_SOURCE_H
#define SYNTH_CLI_BENCH_SOURCE_H

#include <stdbool.h>

#include <synth/synth.h>

/*
 * Like a pool, the source sends a fresh job (ntime later, not clean) every 30 seconds, and
 * unless the difficulty was given it keeps about BENCH_SHARES_PER_S shares a second per device
 * coming (vardiff): the first retarget after 5 seconds of measured hashrate, then with every
 * new job. A slow portable core and a GPU both see a few shares a second.
 */
#define BENCH_JOB_PERIOD_S 30.0
#define BENCH_FIRST_RETARGET_S 5.0
#define BENCH_SHARES_PER_S 3.0

struct bench_source {
  struct synth_job job;
  char job_id[32];
  unsigned issued;
  double next_at;
  double difficulty;
  bool fixed; /* given on the command line: never retargeted */
};

/* difficulty 0: start from an estimate for the runtime's devices (a generous rate per kind,
 * so no device overflows its hit buffer before the first retarget) and retarget. */
void bench_source_init(struct bench_source *src, double difficulty, synth_runtime *rt);

/* Sends the first job, or a new one when it is due. Returns 0 or a synth error. */
int bench_source_tick(struct bench_source *src, synth_runtime *rt, double now);

#endif
