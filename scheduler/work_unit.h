/* work_unit.h: the uniform, device-agnostic piece of work that queues hold. */
#ifndef SYNTH_SCHEDULER_WORK_UNIT_H
#define SYNTH_SCHEDULER_WORK_UNIT_H

#include <stdint.h>

#include <urcu/wfcqueue.h>

#include "devices/batch.h" /* struct synth__range, midstate ids */

/*
 * {job_id, midstate_id, nonce_start, nonce_count}: nonce_count nonces of one roll of one job.
 * midstate_id = job_id << 32 | roll names the roll's payload in the midstate cache. Units of a
 * job all have the same size (a power of two), so they never straddle a roll.
 */
struct synth__work_unit {
  struct cds_wfcq_node node; /* queue link: the unit is its own queue node */
  uint32_t job_id;
  uint32_t nonce_count;
  uint64_t midstate_id;
  uint32_t nonce_start;
};

#endif
