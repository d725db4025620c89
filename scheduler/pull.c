/* pull.c: a device takes its next batch: own queue first, then another device's (stealing). */
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

/* Whether the device has lost priority: others take its queued work first. */
static bool demoted(struct synth__sched_device *d)
{
  enum synth_device_state st = synth__health_state(&d->health);
  return st == SYNTH_DEVICE_BACKING_OFF || st == SYNTH_DEVICE_SICK || st == SYNTH_DEVICE_OUT ||
         atomic_load_explicit(&d->failed, memory_order_relaxed);
}

/* What resolve needs: the device, and the batch size it wants. */
struct pull_ctx {
  struct synth__sched *s;
  uint64_t want;
};

/* Units of a job in force are taken, at most the batch size, and near the end of a finite job
 * less: one device holding a large last batch would keep the job running while the others
 * idle. */
static void *resolve(void *arg, uint32_t job_id, uint64_t *max_nonces)
{
  struct pull_ctx *ctx = arg;
  struct synth__sched *s = ctx->s;
  struct synth__job *job = synth__sched_job_by_id(s, job_id);
  if (!job)
    return NULL;
  uint64_t want = ctx->want;
  if (job->size) {
    uint64_t hashed = atomic_load_explicit(&job->hashed, memory_order_relaxed);
    uint64_t share = (job->size > hashed ? job->size - hashed : 0) / (2ull * s->ndevices);
    if (share < want)
      want = share < s->unit_nonces ? s->unit_nonces : share;
  }
  *max_nonces = want;
  return job;
}

/* Visits the other queues round-robin from the next device, never blocking: takes half of what a
 * victim holds, at most want, at least one unit. Demoted victims (backing off, sick, out) are
 * emptied first, so their work moves to healthy devices. */
static void steal(struct synth__sched *s, struct synth__sched_device *d, uint64_t want,
                  struct synth__take_result *res)
{
  for (int pass = 0; pass < 2; pass++) {
    for (unsigned k = 1; k < s->ndevices; k++) {
      struct synth__sched_device *victim = s->devices[(d->index + k) % s->ndevices];
      if (demoted(victim) != (pass == 0))
        continue;
      uint64_t there = synth__unit_queue_nonces(&victim->queue);
      if (there == 0)
        continue;
      /* From a demoted victim all we want; from a healthy one at most half of its queue. */
      struct pull_ctx ctx = {s, pass == 0 || there / 2 >= want ? want : there / 2};
      if (ctx.want < s->unit_nonces)
        ctx.want = s->unit_nonces;
      if (synth__unit_queue_take(&victim->queue, s->pool, resolve, &ctx, true, res) != 0)
        continue; /* the owner or another thief is there: try the next one */
      count_stale(s, res);
      if (res->taken > 0) {
        atomic_fetch_add_explicit(&s->steals, 1, memory_order_relaxed);
        return;
      }
    }
  }
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
  if (res.taken == 0 && (!demoted(d) || d->health.probing))
    steal(s, d, want, &res);
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
