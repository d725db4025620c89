/* job.h: the scheduler's view of a job: a workload, its data, and a 64-bit index range. */
#ifndef SYNTH_SCHEDULER_JOB_H
#define SYNTH_SCHEDULER_JOB_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <urcu/wfcqueue.h>

#include "devices/scan_ctl.h"

/*
 * Reference counted. The scheduler holds one reference while the job is current or waiting to
 * be retired; every batch in flight and the generator while refilling hold one each. New
 * references are taken only from the current-job pointer inside an RCU read-side section
 * (synth__job_tryget), so once a job is replaced and a grace period has passed, its count
 * only falls.
 */
struct synth__job {
  uint32_t id; /* set by the scheduler when the job is submitted */
  const struct synth_workload *workload;
  void *data;
  size_t data_size; /* what prepare_roll is told: the submitted work's size */
  void (*data_free)(void *data);
  void *owner; /* whoever submitted it (the runtime's work handle), for its callbacks */
  void (*owner_put)(void *owner); /* drops the job's reference on its owner when it goes */
  uint64_t start;                 /* first index */
  uint64_t size;                  /* indexes in the job; 0 means open-ended (to 2^64) */
  uint32_t unit_nonces;
  double weight;        /* its share of the devices against the other jobs in force (> 0) */
  uint64_t deadline_ns; /* CLOCK_MONOTONIC: it fails with SYNTH_ETIMEDOUT after; 0: none */

  atomic_uint refs;
  atomic_bool retired;   /* no longer in force */
  atomic_bool cancelled; /* ended early: its hits no longer count */
  atomic_bool ended;     /* the scheduler's on_done was called (once) */
  atomic_bool complete;
  atomic_uint_least64_t hashed; /* nonces hashed and accounted */

  /* Scheduler-private: the retire queue's link, and the service thread's list of retired
   * jobs waiting for their last batches. */
  struct cds_wfcq_node retire_node;
  struct synth__job *retire_next;

  /* Generator-private: */
  uint64_t cursor; /* next index to cut units from (offset from start) */
  bool generated_all;
  uint64_t ready_roll; /* last roll whose payload the generator made sure of, +1; 0 = none */
  double pass;         /* stride scheduling: nonces generated / weight, from when it joined */
  bool pass_set;
};

/*
 * Creates a job over [start, start + size) (size 0: open-ended) of workload, taking ownership
 * of data (freed with data_free, which may be NULL). Returns 0 and *out with one reference,
 * or SYNTH_EINVAL / SYNTH_ENOMEM (data is then still the caller's).
 */
int synth__job_create(struct synth__job **out, const struct synth_workload *workload, void *data,
                      void (*data_free)(void *), uint64_t start, uint64_t size);

void synth__job_get(struct synth__job *job);

/* Takes a reference unless the count already reached zero. */
bool synth__job_tryget(struct synth__job *job);

/* Drops a reference; the last one frees the job and its data. NULL is ignored. */
void synth__job_put(struct synth__job *job);

/* Whether index offset (from start) is past the end of the job. */
static inline bool synth__job_past_end(const struct synth__job *job, uint64_t offset)
{
  return job->size != 0 && offset >= job->size;
}

#endif
