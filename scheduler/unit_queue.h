/* unit_queue.h: one device's queue of WorkUnits: wait-free enqueue, batched take, stealing. */
#ifndef SYNTH_SCHEDULER_UNIT_QUEUE_H
#define SYNTH_SCHEDULER_UNIT_QUEUE_H

#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "scheduler/unit_pool.h"
#include "scheduler/work_unit.h"

/*
 * Synchronization table ("X": the pair needs outside exclusion, "-": it does not):
 *
 *                    push  take  steal  pop
 *   push              -     -     -      -
 *   take (owner)      -     X     X      X
 *   steal (thief)     -     X     X      X
 *   pop (generator)   -     X     X      X
 *
 * push is cds_wfcq_enqueue: wait-free from any thread. take, steal and pop dequeue the head,
 * which liburcu's wfcqueue requires to be mutually exclusive; that exclusion is take_lock. The
 * owner takes it once per batch (not per unit) and it is contended only while a thief or the
 * generator visits; those only ever try-lock, so neither blocks anyone.
 */
struct synth__unit_queue {
  alignas(64) struct __cds_wfcq_head head;
  pthread_mutex_t take_lock;
  /* Producers touch only the tail: keep it off the consumers' cache line. */
  alignas(64) struct cds_wfcq_tail tail;
  alignas(64) atomic_uint_least64_t queued_nonces;
};

void synth__unit_queue_init(struct synth__unit_queue *q);

/* Returns every unit still queued to the pool. No other call may run. */
void synth__unit_queue_destroy(struct synth__unit_queue *q, struct synth__unit_pool *pool);

/* Appends a unit. Wait-free, any thread. */
void synth__unit_queue_push(struct synth__unit_queue *q, struct synth__work_unit *unit);

/* Whether the units of job_id are still wanted: returns the caller's handle on that job (a
 * reference it must drop when the take is done) and, in *max_nonces, the most to take of it;
 * NULL when the job is gone and its units are to be dropped. */
typedef void *(*synth__unit_resolve_fn)(void *ctx, uint32_t job_id, uint64_t *max_nonces);

struct synth__take_result {
  struct synth__range range; /* valid when taken > 0 */
  uint64_t taken;            /* nonces in range */
  uint64_t stale_nonces;     /* nonces of jobs gone, found at the head and dropped */
  void *job;                 /* what resolve returned for the run taken (taken > 0), else NULL */
  uint32_t job_id;
};

/*
 * Takes a run of contiguous units of one live job from the head: at least one unit when any is
 * there, more while they continue the same roll of the same job without a gap and the total
 * stays within what resolve allowed. Units of jobs resolve says are gone are returned to the
 * pool on the way. With try_only the queue is skipped if another thread is taking from it.
 * Returns 0 (see *res; taken == 0 means nothing to take) or SYNTH_EAGAIN (try_only and busy).
 */
int synth__unit_queue_take(struct synth__unit_queue *q, struct synth__unit_pool *pool,
                           synth__unit_resolve_fn resolve, void *ctx, bool try_only,
                           struct synth__take_result *res);

/* Dequeues the unit at the head, whatever its job, without freeing it, to move it to another
 * queue; never blocks. Returns the unit, or NULL (empty, or another thread is taking). */
struct synth__work_unit *synth__unit_queue_pop(struct synth__unit_queue *q);

static inline uint64_t synth__unit_queue_nonces(struct synth__unit_queue *q)
{
  return atomic_load_explicit(&q->queued_nonces, memory_order_relaxed);
}

/* True when job a was created after job b (ids increase, wrapping). */
static inline bool synth__job_newer(uint32_t a, uint32_t b)
{
  return (int32_t)(a - b) > 0;
}

#endif
