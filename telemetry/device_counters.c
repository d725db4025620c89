/* device_counters.c: one device's running totals, written without locks by its own thread. */
#include "telemetry/device_counters.h"

void synth__device_counters_init(struct synth__device_counters *c)
{
  atomic_init(&c->nonces, 0);
  atomic_init(&c->batches, 0);
  atomic_init(&c->hits, 0);
  atomic_init(&c->verified, 0);
  atomic_init(&c->hw_errors, 0);
  atomic_init(&c->stale, 0);
  atomic_init(&c->duplicates, 0);
  atomic_init(&c->hit_overflow, 0);
  atomic_init(&c->batch_errors, 0);
  atomic_init(&c->last_latency_ns, 0);
  atomic_init(&c->run_started_ns, 0);
  atomic_init(&c->active_ns, 0);
}
