/* tuner.h: sizes a device's next batch from its measured speed and a target latency. */
#ifndef SYNTH_TELEMETRY_TUNER_H
#define SYNTH_TELEMETRY_TUNER_H

#include <stdatomic.h>
#include <stdint.h>

/*
 * next batch = measured rate x target latency, smoothed (half-way each batch, so no single
 * measurement fixes the size), a multiple of the unit size, clamped to [unit, max_nonces].
 * One writer (the device thread, through observe), any readers (the generator sizes its
 * refills from batch()).
 */
struct synth__tuner {
  atomic_uint_least64_t batch_nonces;
  double target_s;
  uint64_t unit;
  uint64_t max_nonces;
};

void synth__tuner_init(struct synth__tuner *t, double target_latency_s, uint64_t unit,
                       uint64_t max_nonces);

/* Feeds one finished batch: nonces hashed in elapsed_ns. Batches with no work are ignored. */
void synth__tuner_observe(struct synth__tuner *t, uint64_t nonces, uint64_t elapsed_ns);

static inline uint64_t synth__tuner_batch(struct synth__tuner *t)
{
  return atomic_load_explicit(&t->batch_nonces, memory_order_relaxed);
}

#endif
