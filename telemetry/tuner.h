/* tuner.h: sizes a device's next batch from its measured speed and a target latency. */
#ifndef SYNTH_TELEMETRY_TUNER_H
#define SYNTH_TELEMETRY_TUNER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * next batch = measured rate x target latency, smoothed and clamped:
 * - the rate is nonces over time with both halved at every batch: a time-weighted average
 *   in which no single measurement (a cold first launch, clocks still ramping) fixes the
 *   size, yet a 4x step in speed is followed within about three batches (one smoothing
 *   stage, not two: a second lag on the size itself would double that);
 * - the size is rate x target as a multiple of the unit size, within [unit, max]; max starts
 *   at the device's limit and falls when a batch of some size fails for want of memory or
 *   launch resources;
 * - a cap below max holds the size down while the device backs off after errors.
 * One writer (the device thread), any readers: what readers use is published as atomics.
 */
struct synth__tuner {
  atomic_uint_least64_t batch_nonces;
  atomic_uint_least64_t max_nonces; /* device limit, lowered by oversize failures */
  atomic_uint_least64_t cap_nonces; /* backing off: the size stays at or below it */
  _Atomic double rate;              /* H/s the size is based on; 0 until measured */
  _Atomic double target_s;          /* any thread may move it (synth__tuner_set_target) */
  uint64_t unit;
  double acc_nonces, acc_s; /* the decaying sums behind rate (writer only) */
  unsigned on_target;       /* batches in a row within the settle band (writer only) */
};

/* Within this fraction of the target latency a batch counts as on target. */
#define SYNTH_TUNER_BAND 0.15

void synth__tuner_init(struct synth__tuner *t, double target_latency_s, uint64_t unit,
                       uint64_t max_nonces);

/* Feeds one finished batch: nonces hashed in elapsed_ns of device time. Batches with no work
 * are ignored. */
void synth__tuner_observe(struct synth__tuner *t, uint64_t nonces, uint64_t elapsed_ns);

/* A batch of size nonces failed for want of resources: max falls below it. Returns false
 * when it already was a single unit (nothing smaller to try). */
bool synth__tuner_shrink(struct synth__tuner *t, uint64_t size);

/* Halves the batch and holds it there (backing off); cap 0 lifts the hold. */
void synth__tuner_back_off(struct synth__tuner *t);
void synth__tuner_release(struct synth__tuner *t);

/* Aims the next batches at target_latency_s (> 0). Any thread: the writer picks it up with its
 * next batch. */
void synth__tuner_set_target(struct synth__tuner *t, double target_latency_s);

static inline double synth__tuner_target(const struct synth__tuner *t)
{
  return atomic_load_explicit(&t->target_s, memory_order_relaxed);
}

/* Starts over from one unit, forgetting the measured rate (a device coming back). */
void synth__tuner_restart(struct synth__tuner *t);

/* Whether the last three batches ran within the band around the target, or the size sits at
 * a clamp that keeps it from getting closer. */
bool synth__tuner_settled(const struct synth__tuner *t);

static inline uint64_t synth__tuner_batch(struct synth__tuner *t)
{
  return atomic_load_explicit(&t->batch_nonces, memory_order_relaxed);
}

static inline double synth__tuner_rate(struct synth__tuner *t)
{
  return atomic_load_explicit(&t->rate, memory_order_relaxed);
}

#endif
