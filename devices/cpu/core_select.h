/* core_select.h: which scan core a CPU worker runs: the fastest here, or the one asked for. */
#ifndef SYNTH_DEVICES_CPU_CORE_SELECT_H
#define SYNTH_DEVICES_CPU_CORE_SELECT_H

#include <stddef.h>

#include "devices/scan_ctl.h"

struct synth__logger;

struct synth__core_choice {
  const struct synth_cpu_core *core;
  char why[192]; /* "self-benchmark: sha-ni 14.1, avx2 9.8, ... MH/s" or "--cpu-core avx2" */
};

/* One core's speed on this machine, measured on the calling thread. */
struct synth__core_speed {
  const struct synth_cpu_core *core;
  double hps; /* hashes per second of thread CPU time */
};

/*
 * Measures every core of workload this CPU supports, on the workload's known-answer payload,
 * for about ms_per_core milliseconds of CPU time each (spread over rounds that alternate the
 * cores). Fills up to max speeds, fastest first. Returns how many, 0 when the workload has no
 * CPU core or no known answer. Thread-safe.
 */
size_t synth__cpu_core_measure(const struct synth_workload *workload, double ms_per_core,
                               struct synth__core_speed *speeds, size_t max);

/*
 * want: NULL or "auto" (the fastest by a short self-benchmark), or a core's name. Returns 0,
 * or SYNTH_EINVAL with the reason logged: an unknown name, or a core this CPU cannot run.
 */
int synth__cpu_core_choose(const struct synth_workload *workload, const char *want,
                           const struct synth__logger *log, struct synth__core_choice *out);

#endif
