/* core_select.h: which scan core a CPU worker runs: the fastest here, or the one asked for. */
#ifndef SYNTH_DEVICES_CPU_CORE_SELECT_H
#define SYNTH_DEVICES_CPU_CORE_SELECT_H

#include <stdbool.h>
#include <stddef.h>

#include "devices/scan_ctl.h"

struct synth__logger;

#define SYNTH__CORES_MAX 16 /* the most cores a workload's table may offer this CPU */

struct synth__core_choice {
  const struct synth_cpu_core *core;
  bool cached; /* the ranking came from the cache, not from a measurement now */
  /* "fastest by self-benchmark (measured now; MH/s of thread time, wall): sha-ni 14.1/13.9,
   * avx2 9.8/9.8" or "chosen with cpu.core" */
  char why[384];
};

/* Whether this CPU can run core c (its supported() check, or always). */
static inline bool synth__core_runnable(const struct synth_cpu_core *c)
{
  return !c->supported || c->supported();
}

/* One core's speed on this machine, measured on the calling thread. */
struct synth__core_speed {
  const struct synth_cpu_core *core;
  double hps;      /* hashes per second of thread CPU time: the ranking (median of rounds) */
  double hps_wall; /* hashes per second of wall time, the same rounds (median) */
};

/*
 * Measures every core of workload this CPU supports, on the workload's known-answer payload,
 * the way a CPU worker hashes: batches sized for the worker's default target latency (5 ms at
 * the core's own speed), the cores alternating over rounds (the order rotating each round),
 * about ms_per_core milliseconds of CPU time each. Fills up to max speeds, fastest first.
 * Returns how many, 0 when the workload has no CPU core or no known answer. Thread-safe.
 */
size_t synth__cpu_core_measure(const struct synth_workload *workload, double ms_per_core,
                               struct synth__core_speed *speeds, size_t max);

/* Where a choice may be cached: a folder (NULL: nowhere, measure each time) and the CPU's model
 * name (the cache is per model: a different CPU measures again). */
struct synth__core_cache {
  const char *dir;
  const char *model;
};

/*
 * want: NULL or "auto" (the fastest by a short self-benchmark, or the ranking cached for this
 * CPU model, workload, library version and set of cores), or a core's name. Returns 0, or
 * SYNTH_EINVAL with the reason logged: an unknown name, or a core this CPU cannot run. cache
 * may be NULL.
 */
/* The cached ranking for cache and workload (fastest first, every runnable core once), or 0 when
 * there is none or it does not fit this build and CPU. */
size_t synth__core_cache_read(const struct synth__core_cache *cache,
                              const struct synth_workload *workload,
                              struct synth__core_speed *speeds, size_t max);
/* Keeps a ranking for the next start; 0, or -1 when it could not be written (it is only a
 * cache). */
int synth__core_cache_write(const struct synth__core_cache *cache,
                            const struct synth_workload *workload,
                            const struct synth__core_speed *speeds, size_t n);

int synth__cpu_core_choose(const struct synth_workload *workload, const char *want,
                           const struct synth__core_cache *cache, const struct synth__logger *log,
                           struct synth__core_choice *out);

#endif
