/* tuner.c: sizes a device's next batch from its measured speed and a target latency. */
#include "telemetry/tuner.h"

#include <math.h>

void synth__tuner_init(struct synth__tuner *t, double target_latency_s, uint64_t unit,
                       uint64_t max_nonces)
{
  atomic_init(&t->target_s, target_latency_s);
  t->unit = unit;
  atomic_init(&t->max_nonces, max_nonces < unit ? unit : max_nonces / unit * unit);
  atomic_init(&t->cap_nonces, 0);
  atomic_init(&t->rate, 0.0);
  t->acc_nonces = t->acc_s = 0;
  t->on_target = 0;
  /* Start with one unit: the first batches measure the device. */
  atomic_init(&t->batch_nonces, unit);
}

static uint64_t get(const atomic_uint_least64_t *v)
{
  return atomic_load_explicit(v, memory_order_relaxed);
}

/* The batch for size nonces: the nearest whole number of units within [unit, min(max, cap)]. */
static uint64_t clamped(const struct synth__tuner *t, double size)
{
  uint64_t hi = get(&t->max_nonces), cap = get(&t->cap_nonces);
  if (cap && cap < hi)
    hi = cap;
  if (size > (double)hi)
    size = (double)hi; /* hi is whole units: rounding cannot pass it */
  /* Nearest, not down: rounding down would keep every batch short of the target. */
  uint64_t units = (uint64_t)(size / (double)t->unit + 0.5);
  return (units ? units : 1) * t->unit;
}

static void publish(struct synth__tuner *t, double size)
{
  atomic_store_explicit(&t->batch_nonces, clamped(t, size), memory_order_relaxed);
}

void synth__tuner_observe(struct synth__tuner *t, uint64_t nonces, uint64_t elapsed_ns)
{
  if (nonces == 0 || elapsed_ns == 0)
    return;
  /* Nonces over time, each halved per batch: a time-weighted average, so a batch that waited
   * out another process's time slice weighs by how long it took, not as one sample among
   * fast ones (an average of per-batch rates would overrate a shared CPU core). */
  t->acc_nonces = t->acc_nonces * 0.5 + (double)nonces;
  t->acc_s = t->acc_s * 0.5 + (double)elapsed_ns * 1e-9;
  double rate = t->acc_nonces / t->acc_s;
  atomic_store_explicit(&t->rate, rate, memory_order_relaxed);

  double off = (double)elapsed_ns * 1e-9 / synth__tuner_target(t) - 1;
  t->on_target = fabs(off) <= SYNTH_TUNER_BAND ? t->on_target + 1 : 0;

  publish(t, rate * synth__tuner_target(t));
}

bool synth__tuner_shrink(struct synth__tuner *t, uint64_t size)
{
  if (size <= t->unit)
    return false;
  uint64_t half = size / 2 / t->unit * t->unit;
  atomic_store_explicit(&t->max_nonces, half < t->unit ? t->unit : half, memory_order_relaxed);
  publish(t, (double)synth__tuner_batch(t));
  return true;
}

void synth__tuner_back_off(struct synth__tuner *t)
{
  uint64_t half = synth__tuner_batch(t) / 2 / t->unit * t->unit;
  atomic_store_explicit(&t->cap_nonces, half < t->unit ? t->unit : half, memory_order_relaxed);
  t->on_target = 0;
  publish(t, (double)half);
}

void synth__tuner_release(struct synth__tuner *t)
{
  atomic_store_explicit(&t->cap_nonces, 0, memory_order_relaxed);
}

void synth__tuner_restart(struct synth__tuner *t)
{
  atomic_store_explicit(&t->rate, 0.0, memory_order_relaxed);
  t->acc_nonces = t->acc_s = 0;
  atomic_store_explicit(&t->cap_nonces, 0, memory_order_relaxed);
  t->on_target = 0;
  atomic_store_explicit(&t->batch_nonces, t->unit, memory_order_relaxed);
}

bool synth__tuner_settled(const struct synth__tuner *t)
{
  if (t->on_target >= 3)
    return true;
  double rate = atomic_load_explicit(&t->rate, memory_order_relaxed);
  if (rate == 0)
    return false;
  /* The size is whole units within the clamps: when it already is the best of those (the
   * target falls between one unit and the next, or beyond a clamp), it cannot get closer. */
  return clamped(t, rate * synth__tuner_target(t)) == get(&t->batch_nonces);
}

void synth__tuner_set_target(struct synth__tuner *t, double target_latency_s)
{
  atomic_store_explicit(&t->target_s, target_latency_s, memory_order_relaxed);
}
