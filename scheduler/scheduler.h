/* scheduler.h: devices pull batches of WorkUnits of the current job; hits come back verified. */
#ifndef SYNTH_SCHEDULER_SCHEDULER_H
#define SYNTH_SCHEDULER_SCHEDULER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/device.h"
#include "scheduler/job.h"
#include "scheduler/sched_config.h"
#include "synth/runtime.h"

/* Scheduler-wide figures, for tests and benchmarks. */
struct synth__sched_totals {
  uint64_t stale_nonces;    /* queued nonces dropped because their job was replaced */
  uint64_t aborted_nonces;  /* in-flight nonces cut short by a job switch */
  uint64_t requeued_nonces; /* nonces a device did not finish, queued again */
  uint64_t steals;          /* batches taken from another device's queue */
  size_t units_in_use;
  size_t midstates_cached;
};

/* Returns 0 and *out, or SYNTH_EINVAL / SYNTH_ENOMEM. */
int synth__sched_create(struct synth__sched **out, const struct synth__sched_config *cfg);

/*
 * Hands an opened device to the scheduler, which closes it on destroy. Only before the first
 * start. target_latency_s 0 means the backend's default. Returns the device's index (>= 0),
 * or SYNTH_ESTATE / SYNTH_ENOMEM (the device is then closed).
 */
int synth__sched_add_device(struct synth__sched *s, const struct synth__device_ops *ops, void *dev,
                            const struct synth__device_desc *desc, double target_latency_s);

/* Starts one worker thread per device and the service thread. Idempotent. Returns 0 or
 * SYNTH_ESYSTEM (nothing is left running). */
int synth__sched_start(struct synth__sched *s);

/* Cuts batches in flight short, collects their results, joins every thread. Units still
 * queued stay queued for a later start. Idempotent. */
void synth__sched_stop(struct synth__sched *s);

/* Stops, closes every device, frees everything. NULL is ignored. */
void synth__sched_destroy(struct synth__sched *s);

/*
 * Makes job the only job in force, taking over the caller's reference; job->id is assigned
 * here. The jobs it replaces are retired (their queued units are dropped as devices meet
 * them); with clean the hits of every earlier job become stale. Thread-safe. Returns 0 or
 * SYNTH_EINVAL (job NULL), SYNTH_ENOMEM.
 */
int synth__sched_set_job(struct synth__sched *s, struct synth__job *job, bool clean);

/*
 * Adds job to the jobs in force, taking over the caller's reference: the devices share
 * themselves among them by job->weight. Jobs without an owner (mining jobs) are replaced and
 * their hits stale. Thread-safe. Returns 0, SYNTH_EAGAIN (SYNTH__JOBS_MAX in force already;
 * the reference stays the caller's), SYNTH_EINVAL, SYNTH_ENOMEM.
 */
int synth__sched_add_job(struct synth__sched *s, struct synth__job *job);

/* Ends job if it is in force: its hits are stale from now on, devices drop its units, and
 * launches of it still on GPUs end early. Returns whether it was in force. Thread-safe. */
bool synth__sched_cancel_job(struct synth__sched *s, struct synth__job *job);

/* Cancels job and, unless it already ended, calls on_done with status. Thread-safe. */
void synth__sched_fail_job(struct synth__sched *s, struct synth__job *job, int status);

/* Waits until every index of finite job was hashed. Returns 0, SYNTH_ETIMEDOUT, or
 * SYNTH_EINVAL for an open-ended job. */
int synth__sched_wait_job(struct synth__sched *s, struct synth__job *job, unsigned timeout_ms);

/* Whether the scheduler's threads run. Thread-safe. */
bool synth__sched_running(struct synth__sched *s);

unsigned synth__sched_device_count(const struct synth__sched *s);
/* Device @index's description as the backend gave it. */
const struct synth__device_desc *synth__sched_device_desc(const struct synth__sched *s,
                                                          unsigned index);
/* The id of the newest job in force, 0 when there is none. Thread-safe. */
uint32_t synth__sched_current_job_id(struct synth__sched *s);
void synth__sched_device_stats(struct synth__sched *s, unsigned index,
                               struct synth_device_stats *out);
void synth__sched_totals(struct synth__sched *s, struct synth__sched_totals *out);

/* Pauses device @index, or every one for SYNTH_ALL_DEVICES (its work goes back to the queues,
 * it takes none), or resumes it.
 * Returns 0 or SYNTH_EINVAL (index out of range). Thread-safe. */
int synth__sched_set_paused(struct synth__sched *s, unsigned index, bool paused);
/* Aims device @index's (or every one's: SYNTH_ALL_DEVICES) batches at target_s seconds; 0: the
 * one it was added with. Returns 0 or
 * SYNTH_EINVAL. Thread-safe. */
int synth__sched_set_target(struct synth__sched *s, unsigned index, double target_s);
/* Seconds since the service thread last went round its loop; negative when it does not run. */
double synth__sched_heartbeat_age(struct synth__sched *s);

/* The device's batches after *cursor: see synth_runtime_batch_trace. t0_ns: what t_s counts
 * from. */
size_t synth__sched_batch_trace(struct synth__sched *s, unsigned index, uint64_t *cursor,
                                struct synth_batch_record *out, size_t max, uint64_t t0_ns);

#endif
