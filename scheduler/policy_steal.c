/* policy_steal.c: "work-stealing", the default policy: each device's queue topped up with its
 * own batches, idle devices steal from busy ones, batches shrink near the end of a finite job. */
#include "scheduler/sched_internal.h"

/* Every live device below its low mark is filled up to its high mark, a batch's worth of one job
 * at a time (a batch is a run of one job's units), in device order. */
static bool refill(struct synth__sched *s, struct synth__job **jobs, unsigned njobs)
{
  bool queued = false, starved = false;
  for (unsigned i = 0; i < s->ndevices && njobs && !starved; i++) {
    struct synth__sched_device *d = s->devices[i];
    if (synth__device_benched(d))
      continue; /* what it holds is stolen by the others */
    uint64_t have = synth__unit_queue_nonces(&d->queue);
    if (have >= synth__queue_low_mark(d))
      continue;
    uint64_t high = synth__queue_high_mark(d), batch = synth__tuner_batch(&d->tuner);
    struct synth__job *job;
    while (have < high && !starved && (job = synth__generator_next_job(s, jobs, njobs))) {
      uint64_t n = synth__generator_feed(s, d, job, batch, &starved);
      have += n;
      queued |= n > 0;
    }
  }
  return queued;
}

/* The live device whose queue holds the fewest nonces, asked again for every unit. */
static struct synth__sched_device *least_loaded(struct synth__sched *s, uint64_t *run)
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
  *run = 1;
  return best ? best : s->devices[0];
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
      if (synth__device_demoted(victim) != (pass == 0))
        continue;
      uint64_t there = synth__unit_queue_nonces(&victim->queue);
      if (there == 0)
        continue;
      /* From a demoted victim all we want; from a healthy one at most half of its queue. */
      uint64_t take = pass == 0 || there / 2 >= want ? want : there / 2;
      if (take < s->unit_nonces)
        take = s->unit_nonces;
      if (synth__pull_from(s, victim, take, res) != 0)
        continue; /* the owner or another thief is there: try the next one */
      if (res->taken > 0)
        return;
    }
  }
}

/* No batch takes more than (what is left) / (2 x devices): one device holding a large last batch
 * would keep the job running while the others idle, and what is still queued can be stolen. */
static uint64_t tail_split(struct synth__sched *s, struct synth__job *job, uint64_t want)
{
  uint64_t hashed = atomic_load_explicit(&job->hashed, memory_order_relaxed);
  uint64_t share = (job->size > hashed ? job->size - hashed : 0) / (2ull * s->ndevices);
  if (share < want)
    want = share < s->unit_nonces ? s->unit_nonces : share;
  return want;
}

const struct synth__sched_policy synth__policy_work_stealing = {
    .name = "work-stealing",
    .description = "each queue topped up with its device's own batches; idle devices steal half "
                   "of a busy one's queue; batches shrink near the end of a finite range",
    .refill = refill,
    .requeue_to = least_loaded,
    .steal = steal,
    .tail_split = tail_split,
};
