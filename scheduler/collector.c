/* collector.c: accounts a finished batch, re-hashes its hits on the CPU, gives back the rest. */
#include "base/happens_before.h"
#include "base/logger.h"
#include "scheduler/sched_internal.h"
#include "scheduler/scheduler.h"
#include "synth/error.h"

/* One hit: verified by the workload's reference path, then checked for staleness and
 * duplication; only then is it handed to the owner. */
static void collect_hit(struct synth__sched *s, struct synth__sched_device *d,
                        struct synth__batch *b, uint32_t nonce)
{
  struct synth__device_counters *c = &d->counters;
  struct synth__job *job = b->job;
  uint32_t first = b->range.nonce_start;
  if (nonce - first >= b->done) { /* outside what the device says it hashed */
    synth__counter_add(&c->hw_errors, 1);
    synth__log_warn(s->cfg.log, "%s reported nonce %08x outside its range: hardware error",
                    d->desc.id, nonce);
    return;
  }
  struct synth_verdict verdict = {0}; /* a verify that sets no hash_size reports none */
  job->workload->verify(b->payload, nonce, &verdict);
  if (!verdict.meets_target) {
    synth__counter_add(&c->hw_errors, 1);
    synth__log_warn(s->cfg.log,
                    "%s reported nonce %08x whose CPU re-hash misses the target: "
                    "hardware error",
                    d->desc.id, nonce);
    return;
  }
  if (synth__job_is_stale(s, job)) {
    synth__counter_add(&c->stale, 1);
    return;
  }
  uint32_t roll = synth__midstate_roll(b->range.midstate_id);
  uint64_t index = (uint64_t)roll << 32 | nonce;
  int rc = synth__job_table_add(s->seen, job->id, index, NULL);
  if (rc == SYNTH_EDUPLICATE) {
    synth__counter_add(&c->duplicates, 1);
    return;
  }
  if (rc != 0) /* cannot remember it: deliver anyway, a duplicate beats a lost share */
    synth__log_warn(s->cfg.log, "share de-duplication unavailable: %s", synth_strerror(rc));
  synth__counter_add(&c->verified, 1);
  if (s->cfg.on_hit)
    s->cfg.on_hit(s->cfg.hit_user, job, b->payload, roll, nonce, &verdict, d->index);
}

/* Hands the batch's range from nonce offset `from` on to the generator, or counts it as
 * aborted when its job is no longer current. */
static void give_back(struct synth__sched *s, struct synth__slot *slot, uint32_t from)
{
  struct synth__batch *b = &slot->batch;
  uint32_t rest = b->range.count - from;
  /* Acquire on the epoch pairs with the job switch's release: a batch cut short by a switch
   * sees its job retired here. */
  (void)atomic_load_explicit(&s->epoch, memory_order_acquire);
  if (atomic_load_explicit(&b->job->retired, memory_order_acquire)) {
    atomic_fetch_add_explicit(&s->aborted_nonces, rest, memory_order_relaxed);
    return;
  }
  struct synth__remainder *rem = &slot->remainder;
  rem->job_id = b->job->id;
  rem->range.midstate_id = b->range.midstate_id;
  rem->range.nonce_start = b->range.nonce_start + from;
  rem->range.count = rest;
  atomic_store_explicit(&rem->pending, true, memory_order_relaxed);
  cds_wfcq_node_init(&rem->node);
  SYNTH_HAPPENS_BEFORE(rem);
  cds_wfcq_enqueue(&s->returned_head, &s->returned_tail, &rem->node);
  atomic_fetch_add_explicit(&s->requeued_nonces, rest, memory_order_relaxed);
  synth__sched_want_refill(s);
}

void synth__collector_abandon(struct synth__sched *s, struct synth__slot *slot)
{
  give_back(s, slot, 0);
  slot->abandoned = true;
}

static bool oversize_status(int status)
{
  return status == SYNTH_ENOMEM || status == SYNTH_ERANGE;
}

/* Tuner, health state and batch log: the telemetry loop's view of one batch. */
static enum synth__health_action observe(struct synth__sched *s, struct synth__sched_device *d,
                                         struct synth__slot *slot, uint64_t latency)
{
  struct synth__batch *b = &slot->batch;
  int status = b->status;
  if (oversize_status(status) && synth__tuner_shrink(&d->tuner, b->range.count)) {
    synth__log_warn(s->cfg.log, "%s: a batch of %u nonces failed (%s): batches now at most %llu",
                    d->desc.id, b->range.count, synth_strerror(status),
                    (unsigned long long)atomic_load(&d->tuner.max_nonces));
    status = 0; /* the size's fault, not the device's */
  } else if (status == 0 && b->done == b->range.count && !slot->abandoned) {
    synth__tuner_observe(&d->tuner, b->done, latency); /* cut-short batches say little */
  }
  enum synth__health_action action = SYNTH__HEALTH_CARRY_ON;
  if (!slot->abandoned) {
    struct synth__health_config *hc = &s->cfg.health;
    action =
        synth__health_batch(&d->health, hc, status, synth__tuner_settled(&d->tuner), b->t_done_ns);
    /* Far too long for the target, whatever the device's own speed says: sick, though it
     * finished. A CPU scan runs on the polling thread, so it is never seen overrunning in
     * flight; and a scan slow on every call would set its own ever longer deadline. */
    if (action != SYNTH__HEALTH_SICK && action != SYNTH__HEALTH_TAKE_OUT &&
        synth__health_late(hc, synth__tuner_target(&d->tuner), latency, b->status, b->done,
                           b->range.count))
      action = synth__health_overrun(&d->health, hc, b->t_done_ns);
  }
  struct synth__batch_entry e = {
      .t_done_ns = b->t_done_ns,
      .size = b->range.count,
      .nonces = b->done,
      .latency_ns = latency,
      .next_batch = synth__tuner_batch(&d->tuner),
      .status = b->status,
      .state = (int32_t)synth__health_state(&d->health),
  };
  synth__batch_log_append(&d->log, &e);
  return action;
}

enum synth__health_action synth__collector_complete(struct synth__sched *s,
                                                    struct synth__sched_device *d,
                                                    struct synth__slot *slot)
{
  struct synth__batch *b = &slot->batch;
  struct synth__device_counters *c = &d->counters;
  struct synth__job *job = b->job;
  uint64_t latency = b->t_done_ns > slot->t_start_ns ? b->t_done_ns - slot->t_start_ns : 0;

  if (b->done > b->range.count)
    b->done = b->range.count; /* a device cannot have hashed more than it was given */
  synth__counter_add(&c->nonces, b->done);
  synth__counter_add(&c->batches, 1);
  synth__counter_add(&c->hits, b->ctl.nhits);
  synth__counter_add(&c->hit_overflow, b->ctl.overflow);
  synth__counter_set(&c->last_latency_ns, latency);
  synth__ewma_add(&d->ewma, b->done, b->t_done_ns);
  if (b->status != 0)
    synth__counter_add(&c->batch_errors, 1);
  uint32_t started = atomic_load_explicit(&d->job_started_id, memory_order_relaxed);
  if (b->done > 0 && (started == 0 || synth__job_newer(job->id, started))) {
    /* Start time before id: a reader that sees the new id sees its time too. */
    atomic_store_explicit(&d->job_started_ns, slot->t_start_ns, memory_order_relaxed);
    atomic_store_explicit(&d->job_started_id, job->id, memory_order_release);
  }
  enum synth__health_action action = observe(s, d, slot, latency);
  if (b->ctl.overflow)
    synth__log_warn(s->cfg.log, "%s: %u hits did not fit the result buffer", d->desc.id,
                    b->ctl.overflow);

  /* Hits of a batch given up on still count: the seen set drops any the queues' second
   * hashing finds again. */
  for (uint32_t i = 0; i < b->ctl.nhits && i < b->ctl.max_hits; i++)
    collect_hit(s, d, b, b->hits[i]);

  if (slot->abandoned) {
    slot->abandoned = false; /* its range was given back whole when it was given up on */
  } else {
    if (b->done < b->range.count)
      give_back(s, slot, b->done);
    if (b->done > 0) { /* counted for open-ended jobs too: their owners report it */
      uint64_t hashed =
          atomic_fetch_add_explicit(&job->hashed, b->done, memory_order_acq_rel) + b->done;
      if (job->size != 0 && hashed == job->size)
        synth__sched_end_job(s, job, 0);
    }
  }
  b->job = NULL;
  synth__job_put(job);
  return action;
}
