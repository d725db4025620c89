/* cpu_topology.h: the machine's cores from hwloc, and which of them get a pinned worker. */
#ifndef SYNTH_DEVICES_CPU_TOPOLOGY_H
#define SYNTH_DEVICES_CPU_TOPOLOGY_H

#include <stddef.h>

#include <hwloc.h>

struct synth__logger;

/* One worker the CPU backend will run, or could run. */
struct synth__cpu_slot {
  int package;  /* package (socket) logical index, -1 if unknown */
  int core;     /* core logical index */
  char pus[64]; /* the PUs (OS indexes) it is pinned to, as a list: "0" or "0,8" */
  int selected;
};

struct synth__cpu_topology {
  hwloc_topology_t topo;
  char model[96]; /* the first package's CPUModel, "" if hwloc does not know it */
  int packages;
  int cores;
  int pus;
};

/* Loads this machine's topology, or the hwloc synthetic description when synthetic is not
 * NULL (tests: "package:2 core:4 pu:2"). Returns 0 or SYNTH_ESYSTEM / SYNTH_EINVAL. */
int synth__cpu_topology_load(struct synth__cpu_topology *t, const char *synthetic);
void synth__cpu_topology_unload(struct synth__cpu_topology *t);

/*
 * Lays out workers: without an affinity list, one slot per core (pinned to all of the core's
 * PUs), the first `threads` of them selected (all when threads is 0); with one, one slot per
 * listed PU, the first `threads` selected. Returns 0 with *slots (free() it) and *count, or
 * SYNTH_EINVAL with the reason logged: a malformed list, a PU that does not exist, more threads
 * than slots.
 */
int synth__cpu_topology_layout(const struct synth__cpu_topology *t, unsigned threads,
                               const char *affinity, const struct synth__logger *log,
                               struct synth__cpu_slot **slots, size_t *count);

/* Pins the calling thread to a PU list from a slot. Returns 0 or SYNTH_ESYSTEM. */
int synth__cpu_topology_pin(const struct synth__cpu_topology *t, const char *pus);

#endif
