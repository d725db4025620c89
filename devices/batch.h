/* batch.h: the scheduler's contract with a device: one launch, a contiguous range of one roll,
 * its payload and its results. */
#ifndef SYNTH_DEVICES_BATCH_H
#define SYNTH_DEVICES_BATCH_H

#include <stdint.h>

#include "devices/scan_ctl.h"

struct synth__job;

/* midstate_id = job_id << 32 | roll names a roll's payload in the midstate cache. */
static inline uint64_t synth__midstate_id(uint32_t job_id, uint32_t roll)
{
  return (uint64_t)job_id << 32 | roll;
}

static inline uint32_t synth__midstate_roll(uint64_t midstate_id)
{
  return (uint32_t)midstate_id;
}

/* A contiguous nonce range of one roll: what a batch hashes. */
struct synth__range {
  uint64_t midstate_id;
  uint32_t nonce_start;
  uint32_t count;
};

/*
 * Filled by the scheduler (job, range, payload, ctl), hashed by a device, which sets done,
 * the hits in ctl, and status; then handed back to the scheduler. A device owns a batch
 * between submit() and the poll() that returns it.
 */
struct synth__batch {
  struct synth__job *job; /* a reference held until the batch is completed */
  struct synth__range range;
  void *payload; /* workload->payload_size bytes, owned by the device slot */
  struct synth_scan_ctl ctl;
  uint32_t hits[SYNTH_BATCH_MAX_HITS];

  /* Set by the device: */
  uint32_t done; /* nonces hashed, a prefix of range */
  int status;    /* 0, or a negative SYNTH_E* code: the device failed on this batch */

  uint64_t t_submit_ns;
  uint64_t t_done_ns;
};

#endif
