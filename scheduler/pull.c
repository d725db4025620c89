/* pull.c: a device takes its next batch: own queue first, then what its policy lets it steal. */
#include <string.h>

#include <urcu/urcu-memb.h>

#include "base/logger.h"
#include "scheduler/sched_internal.h"
#include "scheduler/scheduler.h"
#include "synth/error.h"

static void count_stale(struct synth__sched *s, const struct synth__take_result *res)
{
  if (res->stale_nonces)
    atomic_fetch_add_explicit(&s->stale_nonces, res->stale_nonces, memory_order_relaxed);
}

/* What resolve needs: the device, and the batch size it wants. */
struct pull_ctx {
  struct synth__sched *s;
  uint64_t want;
};

/* Units of a job in force are taken, at most the batch size; near the end of a finite job the
 * policy may cut that (its tail split). */
static void *resolve(void *arg, uint32_t job_id, uint64_t *max_nonces)
{
  struct pull_ctx *ctx = arg;
  struct synth__sched *s = ctx->s;
  struct synth__job *job = synth__sched_job_by_id(s, job_id);
  if (!job)
    return NULL;
  *max_nonces =
      job->size && s->policy->tail_split ? s->policy->tail_split(s, job, ctx->want) : ctx->want;
  return job;
}

int synth__pull_from(struct synth__sched *s, struct synth__sched_device *victim, uint64_t want,
                     struct synth__take_result *res)
{
  struct pull_ctx ctx = {s, want};
  int rc = synth__unit_queue_take(&victim->queue, s->pool, resolve, &ctx, true, res);
  if (rc != 0)
    return rc;
  count_stale(s, res);
  if (res->taken > 0)
    atomic_fetch_add_explicit(&s->steals, 1, memory_order_relaxed);
  return 0;
}

/* Copies the roll's payload from the midstate cache, computing and caching it on a miss. */
static int load_payload(struct synth__sched *s, struct synth__job *job, uint32_t roll,
                        void *payload)
{
  if (synth__job_table_get(s->midstates, job->id, roll, payload) == 0)
    return 0;
  int rc = job->workload->prepare_roll(job->data, job->data_size, roll, payload);
  if (rc != 0)
    return rc;
  /* Losing a race to another device, or running out of memory, only costs a recompute. */
  (void)synth__job_table_add(s->midstates, job->id, roll, payload);
  return 0;
}

bool synth__sched_pull(struct synth__sched *s, struct synth__sched_device *d,
                       struct synth__batch *batch)
{
  /* Epoch before job: if a job changes after this load, the scan sees a new epoch and stops
   * early, so a batch is never of an older job than its epoch says. */
  unsigned epoch = atomic_load_explicit(&s->epoch, memory_order_acquire);
  uint64_t want = synth__tuner_batch(&d->tuner);
  struct pull_ctx ctx = {s, want};
  struct synth__take_result res;
  synth__unit_queue_take(&d->queue, s->pool, resolve, &ctx, false, &res);
  count_stale(s, &res);
  /* A demoted device takes no one else's work, but for its probe: a sick device's own queue is
   * not refilled, so once others emptied it the probe would wait for ever. */
  if (res.taken == 0 && (!synth__device_demoted(d) || d->health.probing))
    s->policy->steal(s, d, want, &res);
  if (synth__unit_queue_nonces(&d->queue) < synth__queue_low_mark(d))
    synth__sched_want_refill(s);
  if (res.taken == 0)
    return false;

  struct synth__job *job = res.job;
  uint32_t roll = synth__midstate_roll(res.range.midstate_id);
  int rc = load_payload(s, job, roll, batch->payload);
  if (rc != 0) {
    /* The workload cannot prepare a roll of its own job: nothing can hash it. */
    synth__log_error(s->cfg.log, "job %u fails: its roll %u cannot be prepared: %s", job->id, roll,
                     synth_strerror(rc));
    atomic_fetch_add_explicit(&s->stale_nonces, res.taken, memory_order_relaxed);
    synth__sched_fail_job(s, job, rc);
    synth__job_put(job);
    return false;
  }
  batch->job = job;
  batch->range = res.range;
  batch->ctl = (struct synth_scan_ctl){
      .epoch_now = &s->epoch,
      .epoch = epoch,
      .hits = batch->hits,
      .max_hits = SYNTH_BATCH_MAX_HITS,
  };
  batch->done = 0;
  batch->status = 0;
  batch->t_submit_ns = 0;
  batch->t_done_ns = 0;
  return true;
}
