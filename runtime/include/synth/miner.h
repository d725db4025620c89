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

/* The built-in SHA-256d (Bitcoin proof of work) workload, registered through the same
 * descriptor as any workload (synth/workload.h). Thread-safe. */
SYNTH_EXTERN const struct synth_workload *synth_sha256d_workload(void);

/* Work of this workload through synth_runtime_submit(): the data is a struct synth_job
 * (validated and copied as by synth_runtime_set_job) and the range lies within its indexes,
 * which start at job->first_roll << 32; open-ended work ends with its last roll. Hits are
 * reported through on_hit, not as shares. */

/*
 * Called once for every verified, de-duplicated share of a current job, from the device
 * thread that found it. It must be thread-safe and quick (hand the share to a queue).
 * synth_runtime_stop(), synth_runtime_destroy() and synth_work_wait() refuse to run inside it
 * (SYNTH_EDEADLK). share is valid only during the call.
 */
typedef void (*synth_share_fn)(void *user, const struct synth_share *share);

/* What a miner adds to the runtime's config. Zero-initialise, then set what you need. */
struct synth_miner_config {
  synth_share_fn share_fn; /* NULL: shares are counted only */
  void *share_user;
};

/*
 * A runtime that mines SHA-256d: synth_runtime_create() with cfg's workload set to
 * synth_sha256d_workload() (cfg->workload must be NULL or that), shares delivered to
 * miner->share_fn (miner may be NULL). Jobs come through synth_runtime_set_job(); everything
 * else is the runtime's (synth/runtime.h). Returns what synth_runtime_create() returns.
 */
SYNTH_EXTERN int synth_miner_create(synth_runtime **out, const struct synth_runtime_config *cfg,
                                    const struct synth_miner_config *miner);

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
