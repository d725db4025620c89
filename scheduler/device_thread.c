/* device_thread.c: one device's persistent worker: pull, submit, poll, complete, repeat. */
#include <stdio.h>
#include <string.h>

#include "precompute/rcu_thread.h"
#include "runtime/logger.h"
#include "scheduler/clock.h"
#include "scheduler/sched_internal.h"
#include "synth/error.h"

static struct synth__slot *slot_of(struct synth__batch *b)
{
  return caa_container_of(b, struct synth__slot, batch);
}

static unsigned in_flight(const struct synth__sched_device *d)
{
  unsigned n = 0;
  for (unsigned i = 0; i < d->nslots; i++)
    n += d->slots[i].in_flight;
  return n;
}

static void finish(struct synth__sched *s, struct synth__sched_device *d, struct synth__slot *slot)
{
  slot->in_flight = false;
  if (slot->batch.t_done_ns == 0)
    slot->batch.t_done_ns = synth__now_ns();
  synth__collector_complete(s, d, slot);
}

/* How long a failed device gets to hand back the batches it still holds. */
#define TAKE_OUT_DRAIN_POLLS 20

/*
 * Takes the device out. By the poll contract a failed device still returns every batch in
 * flight, with what it hashed, through the following polls: collect them for a while, so work
 * it did is not repeated; whatever it does not return is given back whole. The generator stops
 * filling the device's queue, and idle devices steal what is left there.
 */
static void take_out(struct synth__sched *s, struct synth__sched_device *d, int rc,
                     const char *what)
{
  if (rc == SYNTH_ETIMEDOUT)
    synth__log_error(s->cfg.log, "%s (%s) taken out: a batch ran longer than %u ms (hung device?)",
                     d->desc.id, d->desc.name, s->cfg.batch_timeout_ms);
  else
    synth__log_error(s->cfg.log, "%s (%s) taken out: %s failed: %s", d->desc.id, d->desc.name, what,
                     synth_strerror(rc));
  atomic_store_explicit(&d->failed, true, memory_order_relaxed);
  /* A hung device returns nothing more: no use waiting for it. */
  for (int i = 0; rc != SYNTH_ETIMEDOUT && i < TAKE_OUT_DRAIN_POLLS && in_flight(d) > 0; i++) {
    struct synth__batch *done = NULL;
    int prc = d->ops->poll(d->dev, &done, 100);
    if (done) {
      if (prc != 0 && done->status == 0)
        done->status = prc;
      finish(s, d, slot_of(done));
    }
  }
  for (unsigned i = 0; i < d->nslots; i++) {
    struct synth__slot *slot = &d->slots[i];
    if (slot->in_flight) {
      slot->batch.status = rc;
      slot->batch.done = 0; /* unknown: hash it all again */
      slot->batch.ctl.nhits = 0;
      finish(s, d, slot);
    }
  }
  synth__sched_want_refill(s);
}

/* Pulls and submits into every free slot. Returns false when the device failed. */
static bool fill(struct synth__sched *s, struct synth__sched_device *d)
{
  for (unsigned i = 0; i < d->nslots; i++) {
    struct synth__slot *slot = &d->slots[i];
    /* Acquire pairs with the generator's release: it is done with the remainder. */
    if (slot->in_flight || atomic_load_explicit(&slot->remainder.pending, memory_order_acquire))
      continue;
    if (!synth__sched_pull(s, d, &slot->batch))
      return true;
    slot->batch.t_submit_ns = synth__now_ns();
    int rc = d->ops->submit(d->dev, &slot->batch);
    if (rc != 0) {
      /* Not taken by the device: give it back whole, then collect what it still holds. */
      slot->batch.status = rc;
      slot->batch.done = 0;
      finish(s, d, slot);
      take_out(s, d, rc, "submit");
      return false;
    }
    slot->in_flight = true;
  }
  return true;
}

/* Whether the oldest batch in flight has run past the timeout: the device hangs. Batches
 * queued behind it wait for it, so only the oldest counts. */
static bool hung(const struct synth__sched *s, const struct synth__sched_device *d)
{
  uint64_t oldest = UINT64_MAX;
  for (unsigned i = 0; i < d->nslots; i++) {
    if (d->slots[i].in_flight && d->slots[i].batch.t_submit_ns < oldest)
      oldest = d->slots[i].batch.t_submit_ns;
  }
  return oldest != UINT64_MAX &&
         synth__now_ns() - oldest > (uint64_t)s->cfg.batch_timeout_ms * 1000000u;
}

/* Waits up to timeout_ms for one batch. Returns false when the device failed. */
static bool collect(struct synth__sched *s, struct synth__sched_device *d, int timeout_ms)
{
  struct synth__batch *done = NULL;
  int rc = d->ops->poll(d->dev, &done, timeout_ms);
  if (done) { /* a batch can come back with the very error that takes the device out */
    if (rc != 0 && rc != SYNTH_EAGAIN && done->status == 0)
      done->status = rc;
    finish(s, d, slot_of(done));
  }
  if (rc == SYNTH_EAGAIN && hung(s, d))
    rc = SYNTH_ETIMEDOUT;
  if (rc == SYNTH_EAGAIN || rc == 0)
    return true;
  take_out(s, d, rc, "poll");
  return false;
}

void *synth__device_thread(void *arg)
{
  struct synth__sched_device *d = arg;
  struct synth__sched *s = d->sched;
  synth__rcu_online();

  char name[16]; /* the kernel keeps 15 characters */
  snprintf(name, sizeof name, "synth-%.9s", d->desc.id);
  pthread_setname_np(pthread_self(), name);

  int rc = d->ops->thread_init ? d->ops->thread_init(d->dev) : 0;
  if (rc != 0) {
    take_out(s, d, rc, "thread start");
    goto out;
  }
  uint64_t run_start = synth__now_ns();
  synth__counter_set(&d->counters.run_started_ns, run_start);

  while (!atomic_load_explicit(&s->stopping, memory_order_acquire) &&
         !atomic_load_explicit(&d->failed, memory_order_relaxed)) {
    unsigned seq = atomic_load(&s->work_seq); /* before pulling: see sched_wait_work */
    if (!fill(s, d))
      break;
    if (in_flight(d) == 0) {
      synth__sched_wait_work(s, seq, 50);
      continue;
    }
    if (!collect(s, d, 100))
      break;
  }
  /* Stopping: the epoch moved, so batches in flight end within a poll period (a hung one
   * within the batch timeout). */
  while (in_flight(d) > 0 && !atomic_load_explicit(&d->failed, memory_order_relaxed))
    collect(s, d, 100);
  synth__counter_set(&d->counters.run_started_ns, 0); /* see synth__sched_device_stats */
  synth__counter_add(&d->counters.active_ns, synth__now_ns() - run_start);
out:
  synth__rcu_offline();
  return NULL;
}
