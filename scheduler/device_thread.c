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

/* Takes the device out: every batch in flight comes back with its unhashed part requeued,
 * and the generator stops filling its queue (what is queued there gets stolen). */
static void take_out(struct synth__sched *s, struct synth__sched_device *d, int rc,
                     const char *what)
{
  synth__log_error(s->cfg.log, "%s (%s) taken out: %s failed: %s", d->desc.id, d->desc.name, what,
                   synth_strerror(rc));
  atomic_store_explicit(&d->failed, true, memory_order_relaxed);
  for (unsigned i = 0; i < d->nslots; i++) {
    struct synth__slot *slot = &d->slots[i];
    if (slot->in_flight) {
      slot->batch.status = rc;
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
      slot->batch.status = rc;
      slot->batch.done = 0;
      slot->in_flight = true;
      take_out(s, d, rc, "submit");
      return false;
    }
    slot->in_flight = true;
  }
  return true;
}

/* Waits up to timeout_ms for one batch. Returns false when the device failed. */
static bool collect(struct synth__sched *s, struct synth__sched_device *d, int timeout_ms)
{
  struct synth__batch *done = NULL;
  int rc = d->ops->poll(d->dev, &done, timeout_ms);
  if (rc == 0 && done) {
    finish(s, d, slot_of(done));
    return true;
  }
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
  /* Stopping: the epoch moved, so batches in flight end within a poll period. */
  while (in_flight(d) > 0 && !atomic_load_explicit(&d->failed, memory_order_relaxed))
    collect(s, d, 100);
  synth__counter_add(&d->counters.active_ns, synth__now_ns() - run_start);
  synth__counter_set(&d->counters.run_started_ns, 0);
out:
  synth__rcu_offline();
  return NULL;
}
