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

/*
 * One stretch of a profile, until until_ms after the device's first submit (the last phase
 * lasts for ever). A batch takes its nonces / rate of device time, one after another as on a
 * GPU queue; a stalled phase makes no progress at all (another process holding the GPU, a
 * hang when it never ends). error_every N fails every Nth batch completed in the phase.
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
  unsigned sleep_us;         /* added to every batch, before it is hashed */
  unsigned results_delay_us; /* added after hashing: results arrive late, as from a GPU */
  bool repeat_hits;          /* report every hit twice */
  bool bogus_hit;            /* add a nonce that does not meet the target */
  /* Timed profile (nphases > 0): */
  struct fake_phase phases[FAKE_MAX_PHASES];
  unsigned nphases;
  bool simulate;      /* skip the scan: done = count, no hits (timing tests) */
  uint32_t oom_above; /* submit fails with SYNTH_ENOMEM for batches larger than this */
};

struct fake_device {
  struct fake_script script;
  const struct synth_workload *workload;
  struct synth__batch *pending[FAKE_MAX_INFLIGHT]; /* in submit order */
  uint64_t finish_ns[FAKE_MAX_INFLIGHT];
  unsigned npending;
  uint64_t t0_ns;      /* first submit */
  uint64_t busy_until; /* when the last batch queued will be done */
  unsigned phase_batches[FAKE_MAX_PHASES];
  bool lost; /* failed with FAKE_DEVICE_LOST: later polls hand back what it held */
  atomic_uint batches;
  atomic_uint oom_refused;
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
