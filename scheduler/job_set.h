/* job_set.h: the jobs in force, an RCU-protected immutable array replaced whole on change. */
#ifndef SYNTH_SCHEDULER_JOB_SET_H
#define SYNTH_SCHEDULER_JOB_SET_H

#include <stdbool.h>

#include <urcu/wfcqueue.h>

struct synth__job;

/* The most jobs in force at once. */
#define SYNTH__JOBS_MAX 256

/*
 * Readers (device and service threads) find it through rcu_dereference inside a read-side
 * section and take references on its jobs with synth__job_tryget; writers build a new set
 * under the scheduler's control mutex and publish it. A replaced set is freed by the service
 * thread after a grace period. The set holds the scheduler's reference on each of its jobs.
 */
struct synth__job_set {
  struct cds_wfcq_node retire_node;
  unsigned n;
  struct synth__job *items[];
};

/* A new set: old's jobs for which keep() says true (all of them when keep is NULL), then add
 * unless NULL. References are not touched. Returns NULL when out of memory. */
struct synth__job_set *synth__job_set_make(const struct synth__job_set *old,
                                           bool (*keep)(const struct synth__job *, const void *),
                                           const void *ctx, struct synth__job *add);

/* Whether job is in set (NULL: an empty set). */
bool synth__job_set_has(const struct synth__job_set *set, const struct synth__job *job);

#endif
