/* health.h: a device's state from its batches: tuning, ok, backing off, sick, out. */
#ifndef SYNTH_TELEMETRY_HEALTH_H
#define SYNTH_TELEMETRY_HEALTH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "synth/runtime.h"
#include "telemetry/reason.h"

struct synth__health_config {
  double error_rate_limit;   /* above it the device backs off */
  double overrun_factor;     /* a batch this many times over its expected time is overrun... */
  uint64_t overrun_floor_ns; /* ...once it also ran this long */
  uint64_t retry_ns;         /* a sick device is probed again after this long */
  unsigned sick_limit;       /* sick this many times in a row: taken out */
  unsigned fail_streak;      /* this many failed batches in a row make a device sick */
};

/* Fills the defaults in for zero fields. */
void synth__health_config_defaults(struct synth__health_config *cfg);

/* What the device thread does after telling the health state something. */
enum synth__health_action {
  SYNTH__HEALTH_CARRY_ON,
  SYNTH__HEALTH_BACK_OFF,  /* halve the batch and hold it there */
  SYNTH__HEALTH_RELEASE,   /* errors are down again: let the batch grow */
  SYNTH__HEALTH_SICK,      /* give every batch in flight back, stop pulling until probed */
  SYNTH__HEALTH_RECOVERED, /* the probe came back in time: tune again from one unit */
  SYNTH__HEALTH_TAKE_OUT,  /* sick too often: out for good */
};

/*
 * One writer, the device thread; readers (stats) see state, error_rate and sick_count as
 * atomics, and reason through its seqlock. A recovered device must stay healthy for
 * SYNTH_HEALTHY_RESET_NS before its sick strikes are forgotten, so one that keeps failing is
 * taken out even if each probe passes.
 */
struct synth__health {
  atomic_int state; /* enum synth_device_state */
  _Atomic double error_rate;
  atomic_uint sick_count;
  unsigned fail_streak;
  unsigned strikes;
  bool probing;
  uint64_t sick_since_ns;
  uint64_t healthy_since_ns;
  struct synth__reason reason; /* why it was last found sick or taken out; "" if never */
  /* Warnings about batches that came back short unasked: at most one a second. */
  uint64_t short_warned_ns;
  unsigned short_unwarned;
};

#define SYNTH_HEALTHY_RESET_NS (60ull * 1000000000ull)
/* The error rate averages about this many batches. */
#define SYNTH_ERROR_RATE_BATCHES 20

void synth__health_init(struct synth__health *h);

/* A finished batch: status 0 or the error it failed with; settled: the tuner says the size is
 * on target. */
enum synth__health_action synth__health_batch(struct synth__health *h,
                                              const struct synth__health_config *cfg, int status,
                                              bool settled, uint64_t now_ns);

/* A batch in flight ran past its deadline. */
enum synth__health_action synth__health_overrun(struct synth__health *h,
                                                const struct synth__health_config *cfg,
                                                uint64_t now_ns);

/* Whether a sick device should be probed now. */
bool synth__health_probe_due(const struct synth__health *h, const struct synth__health_config *cfg,
                             uint64_t now_ns);
void synth__health_probe_started(struct synth__health *h);
/* The probe could not be sent (no work): due again at once. */
void synth__health_probe_unsent(struct synth__health *h);

/* Taken out (for any reason): the state says so for good. */
void synth__health_out(struct synth__health *h);

/* How long a batch of nonces may run at rate H/s (0: not measured yet) before it is overrun. */
uint64_t synth__health_deadline_ns(const struct synth__health_config *cfg, uint64_t nonces,
                                   double rate);

/* How long any batch of a device aiming at target_s may take, however slow the device
 * measures: overrun_factor x the target, and at least the floor. A scan that is slow on
 * every call would otherwise set its own (ever longer) deadline. */
uint64_t synth__health_latency_limit_ns(const struct synth__health_config *cfg, double target_s);

/* Whether a finished batch (status, done of count nonces) that took latency_ns ran past that
 * limit. A batch a job switch or stop cut short (no error, not all hashed) is not judged. */
bool synth__health_late(const struct synth__health_config *cfg, double target_s,
                        uint64_t latency_ns, int status, uint32_t done, uint32_t count);

static inline enum synth_device_state synth__health_state(const struct synth__health *h)
{
  return (enum synth_device_state)atomic_load_explicit(&h->state, memory_order_relaxed);
}

#endif
