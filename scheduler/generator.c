/* generator.c: walks the current job's index space and keeps device queues filled ahead. */
#include <stdalign.h>
#include <string.h>

#include <urcu/urcu-memb.h>

#include "precompute/happens_before.h"
#include "runtime/logger.h"
#include "scheduler/sched_internal.h"
#include "synth/error.h"

/* Makes sure the roll's payload is cached before devices ask for it. Returns 0 or SYNTH_E*. */
static int prefetch_payload(struct synth__sched *s, struct synth__job *job, uint32_t roll)
{
  if (job->ready_roll == (uint64_t)roll + 1)
    return 0;
  alignas(64) unsigned char payload[SYNTH_PAYLOAD_MAX];
  if (synth__job_table_get(s->midstates, job->id, roll, NULL) != 0) {
    int rc = job->workload->prepare_roll(job->data, job->data_size, roll, payload);
    if (rc != 0)
      return rc;
    (void)synth__job_table_add(s->midstates, job->id, roll, payload);
  }
  job->ready_roll = (uint64_t)roll + 1;
  return 0;
}

/* Cuts the next unit of the job into unit. Units never straddle a roll or the job's end. */
static int carve(struct synth__sched *s, struct synth__job *job, struct synth__work_unit *unit)
{
  uint64_t index = job->start + job->cursor;
  uint32_t roll = (uint32_t)(index >> 32);
  uint32_t nonce = (uint32_t)index;
  uint64_t n = job->unit_nonces;
  uint64_t room = (1ull << 32) - nonce;
  if (n > room)
    n = room;
  if (job->size != 0 && n > job->size - job->cursor)
    n = job->size - job->cursor;

  int rc = prefetch_payload(s, job, roll);
  if (rc != 0)
    return rc;
  unit->job_id = job->id;
  unit->midstate_id = synth__midstate_id(job->id, roll);
  unit->nonce_start = nonce;
  unit->nonce_count = (uint32_t)n;
  job->cursor += n;
  if (synth__job_past_end(job, job->cursor) || index + n == 0 /* wrapped past 2^64 */)
    job->generated_all = true;
  return 0;
}

/* The live device whose queue holds the least work: where given-back work goes. */
static struct synth__sched_device *least_loaded(struct synth__sched *s)
{
  struct synth__sched_device *best = NULL;
  uint64_t best_nonces = UINT64_MAX;
  for (unsigned i = 0; i < s->ndevices; i++) {
    struct synth__sched_device *d = s->devices[i];
    uint64_t n = synth__unit_queue_nonces(&d->queue);
    if (!synth__device_benched(d) && n < best_nonces) {
      best = d;
      best_nonces = n;
    }
  }
  return best ? best : s->devices[0];
}

/* Queues remainders given back by devices again, as units (overdrawing the pool's bound, see
 * unit_pool.h). A remainder that cannot be queued whole (out of memory) keeps its rest and
 * waits for the next round. Returns whether any remainder was handled. */
static bool requeue_remainders(struct synth__sched *s, struct synth__job *job)
{
  struct cds_wfcq_node *node;
  bool handled = false;
  struct synth__remainder *blocked = NULL;
  while ((node = __cds_wfcq_dequeue_blocking(&s->returned_head, &s->returned_tail))) {
    struct synth__remainder *rem = caa_container_of(node, struct synth__remainder, node);
    SYNTH_HAPPENS_AFTER(rem);
    handled = true;
    if (!job || rem->job_id != job->id) {
      atomic_fetch_add_explicit(&s->aborted_nonces, rem->range.count, memory_order_relaxed);
      rem->range.count = 0;
    }
    while (rem->range.count > 0) {
      struct synth__work_unit *unit = synth__unit_pool_alloc(s->pool, true);
      if (!unit)
        break; /* out of memory: keep the rest for the next round */
      uint32_t n = rem->range.count < job->unit_nonces ? rem->range.count : job->unit_nonces;
      unit->job_id = rem->job_id;
      unit->midstate_id = rem->range.midstate_id;
      unit->nonce_start = rem->range.nonce_start;
      unit->nonce_count = n;
      synth__unit_queue_push(&least_loaded(s)->queue, unit);
      rem->range.nonce_start += n;
      rem->range.count -= n;
    }
    if (rem->range.count > 0) {
      blocked = rem;
      break;
    }
    /* Release: the slot's owner may reuse the remainder only after we are done with it. */
    atomic_store_explicit(&rem->pending, false, memory_order_release);
  }
  if (blocked) { /* back at the tail; order among remainders does not matter */
    cds_wfcq_node_init(&blocked->node); /* enqueue does not reset the link: a stale one loops */
    SYNTH_HAPPENS_BEFORE(blocked);
    cds_wfcq_enqueue(&s->returned_head, &s->returned_tail, &blocked->node);
  }
  return handled;
}

bool synth__generator_refill(struct synth__sched *s)
{
  struct synth__job *job = synth__sched_current_job(s);
  bool queued = requeue_remainders(s, job);
  if (!job) {
    if (queued)
      synth__sched_notify_work(s);
    return queued;
  }

  for (unsigned i = 0; i < s->ndevices && !job->generated_all; i++) {
    struct synth__sched_device *d = s->devices[i];
    if (synth__device_benched(d))
      continue;
    uint64_t have = synth__unit_queue_nonces(&d->queue);
    if (have >= synth__queue_low_mark(d))
      continue;
    uint64_t high = synth__queue_high_mark(d);
    while (have < high && !job->generated_all) {
      struct synth__work_unit *unit = synth__unit_pool_alloc(s->pool, false);
      if (!unit)
        goto out; /* every unit is queued or in flight: memory stays bounded */
      int rc = carve(s, job, unit);
      if (rc != 0) {
        synth__unit_pool_free(s->pool, unit);
        synth__log_error(s->cfg.log, "job %u cannot be prepared (%s): it gets no more work",
                         job->id, synth_strerror(rc));
        job->generated_all = true;
        goto out;
      }
      synth__unit_queue_push(&d->queue, unit);
      have += unit->nonce_count;
      queued = true;
    }
  }
out:
  synth__job_put(job);
  if (queued)
    synth__sched_notify_work(s);
  return queued;
}
