/* fake_device.h: a scriptable device for scheduler tests: slow, failing, lying, repeating, or
 * following a timed profile of speed, stalls and errors. */
#ifndef SYNTH_TESTS_FAKE_DEVICE_H
#define SYNTH_TESTS_FAKE_DEVICE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "devices/device.h"

enum fake_failure {
  FAKE_OK,
  FAKE_BATCH_ERROR, /* the failing batch comes back with half hashed and an error status */
  FAKE_DEVICE_LOST, /* poll reports the device lost, with half of the batch hashed */
};

/* Where a held batch waits while the script's gate is closed (see struct fake_script). */
enum fake_hold {
  FAKE_HOLD_NONE,
  FAKE_HOLD_INPUT,   /* before it is hashed; a stop or job switch (its epoch passing) cuts it
                      * short there, unhashed: a device caught mid-batch, for certain */
  FAKE_HOLD_RESULTS, /* hashed, its results held up whatever the scheduler does, as behind a
                      * busy GPU queue: open the gate before stopping the scheduler */
};

/*
 * One stretch of a profile, until until_ms after the device's first submit (the last phase
 * lasts for ever). A batch takes its nonces / rate of device time, one after another as on a
 * GPU queue; a stalled phase makes no progress at all (another process holding the GPU, a
 * hang when it never ends). error_every N fails every Nth batch completed in the phase.
 * The profile's clock is the wall clock, or with busy_clock the device's own: it runs only
 * while the device has work, so a host too slow to keep it fed (a loaded machine) does not
 * shorten the phases in batches.
 */
struct fake_phase {
  unsigned until_ms;
  double rate; /* H/s */
  bool stall;
  unsigned error_every;
};

#define FAKE_MAX_PHASES 6
#define FAKE_MAX_INFLIGHT 4

struct fake_script {
  unsigned fail_at_batch; /* 1-based batch that fails; 0: none */
  enum fake_failure failure;
  unsigned sleep_us; /* added to every batch, before it is hashed */
  bool repeat_hits;  /* report every hit twice */
  bool bogus_hit;    /* add a nonce that does not meet the target */
  /* Held batches (one at a time, not with a profile): from batch hold_from on (1-based; 0
   * counts as 1), each waits where hold says while *gate is false. The test sees them waiting
   * in fake_device.held, so it acts on a state, never after a guessed time. */
  enum fake_hold hold;
  const atomic_bool *gate;
  unsigned hold_from;
  /* Timed profile (nphases > 0): */
  struct fake_phase phases[FAKE_MAX_PHASES];
  unsigned nphases;
  bool busy_clock;    /* phases in the device's own time, not the wall clock's (see above) */
  bool simulate;      /* skip the scan: done = count, no hits (timing tests) */
  uint32_t oom_above; /* submit fails with SYNTH_ENOMEM for batches larger than this */
  /* Once *speed_up is true, batches submitted from then on run at speed_up_rate whatever the
   * phases say: a device kept slow until the test has seen what it waits for. */
  const atomic_bool *speed_up;
  double speed_up_rate;
};

struct fake_device {
  struct fake_script script;
  const struct synth_workload *workload;
  struct synth__batch *pending[FAKE_MAX_INFLIGHT]; /* in submit order */
  uint64_t finish_ns[FAKE_MAX_INFLIGHT];           /* on the profile's clock */
  uint64_t idle_at_submit[FAKE_MAX_INFLIGHT];      /* idle_ns when it was submitted */
  unsigned npending;
  uint64_t t0_ns;      /* first submit */
  uint64_t idle_ns;    /* busy_clock: wall time the device had no work, since t0 */
  uint64_t busy_until; /* when the last batch queued will be done, on the profile's clock */
  unsigned phase_batches[FAKE_MAX_PHASES];
  bool lost; /* failed with FAKE_DEVICE_LOST: later polls hand back what it held */
  bool sped_up;
  atomic_uint batches;
  atomic_uint oom_refused;
  atomic_uint held; /* batches waiting at the gate now */
  /* CLOCK_MONOTONIC ns at which each phase began, 0 until a batch reached it. */
  atomic_uint_least64_t phase_began_ns[FAKE_MAX_PHASES];
};

/* One batch at a time, like a CPU worker. */
extern const struct synth__device_ops fake_device_ops;
/* Three batches in flight and a 50 ms default target, like a GPU. */
extern const struct synth__device_ops fake_gpu_ops;

/* A device with that script, ready for synth__sched_add_device (which takes ownership). */
struct fake_device *fake_device_new(const struct synth_workload *workload,
                                    const struct fake_script *script);

/* A desc for it, named "fake:<index>". */
struct synth__device_desc fake_device_desc(int index);

#endif
