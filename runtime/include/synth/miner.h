/* miner.h: the SHA-256d miner's side of synth: mining jobs and shares (job.h), targets
 * (target.h), the Stratum client (pool.h, in libsynth-pool), and the runtime calls that take
 * mining jobs. The generic headers (runtime.h, workload.h) speak of works, indexes and hits
 * only. */
#ifndef SYNTH_MINER_H
#define SYNTH_MINER_H

#include <stdint.h>

#include "synth/export.h"
#include "synth/job.h"
#include "synth/pool.h"
#include "synth/runtime.h"
#include "synth/target.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Replaces the job every device hashes. Queued units of the old job are dropped when
 * dequeued and batches in flight stop within a few milliseconds. Returns 0, or SYNTH_EINVAL
 * for a malformed job (the current job stays), SYNTH_ENOMEM. Thread-safe.
 */
SYNTH_EXTERN int synth_runtime_set_job(synth_runtime *rt, const struct synth_job *job);

/* The serial number the runtime gave the current job (each synth_runtime_set_job() gets the
 * next), 0 before the first. Thread-safe. */
SYNTH_EXTERN uint32_t synth_runtime_job_serial(synth_runtime *rt);

#ifdef __cplusplus
}
#endif

#endif
