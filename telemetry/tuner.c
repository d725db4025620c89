/* tuner.c: sizes a device's next batch from its measured speed and a target latency. */
#include "telemetry/tuner.h"

void synth__tuner_init(struct synth__tuner *t, double target_latency_s, uint64_t unit,
                       uint64_t max_nonces)
{
  t->target_s = target_latency_s;
  t->unit = unit;
  t->max_nonces = max_nonces < unit ? unit : max_nonces;
  /* Start with one unit: the first batches measure the device. */
  atomic_init(&t->batch_nonces, unit);
}

void synth__tuner_observe(struct synth__tuner *t, uint64_t nonces, uint64_t elapsed_ns)
{
  if (nonces == 0 || elapsed_ns == 0)
    return;
  double ideal = (double)nonces / ((double)elapsed_ns * 1e-9) * t->target_s;
  double now = (double)atomic_load_explicit(&t->batch_nonces, memory_order_relaxed);
  double next = now + (ideal - now) * 0.5;
  if (next > (double)t->max_nonces)
    next = (double)t->max_nonces;
  uint64_t units = (uint64_t)(next / (double)t->unit);
  if (units == 0)
    units = 1;
  atomic_store_explicit(&t->batch_nonces, units * t->unit, memory_order_relaxed);
}
