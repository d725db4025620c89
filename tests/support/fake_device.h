/* fake_device.h: a scriptable device for scheduler tests: slow, failing, lying or repeating. */
#ifndef SYNTH_TESTS_FAKE_DEVICE_H
#define SYNTH_TESTS_FAKE_DEVICE_H

#include <stdatomic.h>
#include <stdbool.h>

#include "devices/device.h"

enum fake_failure {
  FAKE_OK,
  FAKE_BATCH_ERROR, /* the failing batch comes back with half hashed and an error status */
  FAKE_DEVICE_LOST, /* poll reports the device lost, with half of the batch hashed */
};

struct fake_script {
  unsigned fail_at_batch; /* 1-based batch that fails; 0: none */
  enum fake_failure failure;
  unsigned sleep_us;         /* added to every batch, before it is hashed */
  unsigned results_delay_us; /* added after hashing: results arrive late, as from a GPU */
  bool repeat_hits;          /* report every hit twice */
  bool bogus_hit;            /* add a nonce that does not meet the target */
};

struct fake_device {
  struct fake_script script;
  const struct synth__workload *workload;
  struct synth__batch *pending;
  bool lost; /* failed with FAKE_DEVICE_LOST: later polls hand back what it held */
  atomic_uint batches;
};

extern const struct synth__device_ops fake_device_ops;

/* A device with that script, ready for synth__sched_add_device (which takes ownership). */
struct fake_device *fake_device_new(const struct synth__workload *workload,
                                    const struct fake_script *script);

/* A desc for it, named "fake:<index>". */
struct synth__device_desc fake_device_desc(int index);

#endif
