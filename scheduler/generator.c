/* generator.c: walks the index spaces of the jobs in force, each job getting its weight's share,
 * and queues what devices gave back; its policy decides which queue gets what. */
#include <stdalign.h>
#include <string.h>

#include <urcu/urcu-memb.h>

#include "base/happens_before.h"
#include "base/logger.h"
#include "scheduler/sched_internal.h"
#include "scheduler/scheduler.h"
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

static struct synth__job *find(struct synth__job **jobs, unsigned n, uint32_t id)
{
  for (unsigned i = 0; i < n; i++) {
    if (jobs[i]->id == id)
      return jobs[i];
  }
  return NULL;
}

/* Queues remainders given back by devices again, as units (overdrawing the pool's bound, see
 * unit_pool.h). A remainder that cannot be queued whole (out of memory) keeps its rest and
 * waits for the next round. Returns whether any remainder was handled. */
static bool requeue_remainders(struct synth__sched *s, struct synth__job **jobs, unsigned njobs)
{
  struct cds_wfcq_node *node;
  bool handled = false;
  struct synth__remainder *blocked = NULL;
  while ((node = __cds_wfcq_dequeue_blocking(&s->returned_head, &s->returned_tail))) {
    struct synth__remainder *rem = caa_container_of(node, struct synth__remainder, node);
    SYNTH_HAPPENS_AFTER(rem);
    handled = true;
    struct synth__job *job = find(jobs, njobs, rem->job_id);
    if (!job) { /* no longer in force */
      atomic_fetch_add_explicit(&s->aborted_nonces, rem->range.count, memory_order_relaxed);
      rem->range.count = 0;
    }
    struct synth__sched_device *to = NULL;
    uint64_t run = 0, put = 0;
    while (rem->range.count > 0) {
      struct synth__work_unit *unit = synth__unit_pool_alloc(s->pool, true);
      if (!unit)
        break; /* out of memory: keep the rest for the next round */
      uint32_t n = rem->range.count < job->unit_nonces ? rem->range.count : job->unit_nonces;
      unit->job_id = rem->job_id;
      unit->midstate_id = rem->range.midstate_id;
      unit->nonce_start = rem->range.nonce_start;
      unit->nonce_count = n;
      if (!to || put >= run) { /* the policy says where the next run goes */
        to = s->policy->requeue_to(s, &run);
        put = 0;
      }
      synth__unit_queue_push(&to->queue, unit);
      put += n;
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

/*
 * Stride scheduling: the job with the least pass (nonces generated over its weight) is cut
 * next, so over time each job gets nonces in proportion to its weight. A job joining starts
 * from the pass of the last one cut, not from zero, so it does not make up for the time
 * before it came.
 */
struct synth__job *synth__generator_next_job(struct synth__sched *s, struct synth__job **jobs,
                                             unsigned n)
{
  struct synth__job *best = NULL;
  for (unsigned i = 0; i < n; i++) {
    struct synth__job *job = jobs[i];
    if (job->generated_all || atomic_load_explicit(&job->retired, memory_order_relaxed) ||
        atomic_load_explicit(&job->ended, memory_order_relaxed))
      continue;
    if (!job->pass_set) {
      job->pass = s->vtime;
      job->pass_set = true;
    }
    if (!best || job->pass < best->pass)
      best = job;
  }
  if (best)
    s->vtime = best->pass;
  return best;
}

/* Cuts up to chunk nonces of job into d's queue. Returns the nonces queued, or a negative
 * SYNTH_E* code when the job cannot be prepared. Stops early when the unit pool is empty
 * (*starved). */
static int64_t cut(struct synth__sched *s, struct synth__sched_device *d, struct synth__job *job,
                   uint64_t chunk, bool *starved)
{
  uint64_t queued = 0;
  while (queued < chunk && !job->generated_all) {
    struct synth__work_unit *unit = synth__unit_pool_alloc(s->pool, false);
    if (!unit) {
      *starved = true; /* every unit is queued or in flight: memory stays bounded */
      break;
    }
    int rc = carve(s, job, unit);
    if (rc != 0) {
      synth__unit_pool_free(s->pool, unit);
      return rc;
    }
    synth__unit_queue_push(&d->queue, unit);
    queued += unit->nonce_count;
  }
  return (int64_t)queued;
}

uint64_t synth__generator_feed(struct synth__sched *s, struct synth__sched_device *d,
                               struct synth__job *job, uint64_t chunk, bool *starved)
{
  int64_t n = cut(s, d, job, chunk, starved);
  if (n < 0) {
    synth__log_error(s->cfg.log, "job %u fails: a roll of it cannot be prepared: %s", job->id,
                     synth_strerror((int)n));
    synth__sched_fail_job(s, job, (int)n);
    return 0;
  }
  job->pass += (double)n / job->weight;
  return (uint64_t)n;
}

bool synth__generator_refill(struct synth__sched *s)
{
  struct synth__job *jobs[SYNTH__JOBS_MAX];
  unsigned njobs = synth__sched_jobs(s, jobs, SYNTH__JOBS_MAX);
  bool queued = requeue_remainders(s, jobs, njobs);
  queued |= s->policy->refill(s, jobs, njobs);
  for (unsigned i = 0; i < njobs; i++)
    synth__job_put(jobs[i]);
  if (queued)
    synth__sched_notify_work(s);
  return queued;
}
