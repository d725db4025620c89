/* device_thread.c: one device's persistent worker: pull, submit, poll, complete, repeat. */
#include <stdio.h>
#include <string.h>

#include "base/callback_guard.h"
#include "base/clock.h"
#include "base/logger.h"
#include "base/rcu_thread.h"
#include "devices/pci_locality.h"
#include "scheduler/sched_internal.h"
#include "scheduler/scheduler.h"
#include "scheduler/sensing.h"
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

static void take_out(struct synth__sched *s, struct synth__sched_device *d, int rc,
                     const char *why);

/* Gives every batch in flight back to the queues; the device keeps them until it returns
 * them, which then only counts towards its own figures. */
static void abandon_in_flight(struct synth__sched *s, struct synth__sched_device *d)
{
  for (unsigned i = 0; i < d->nslots; i++) {
    struct synth__slot *slot = &d->slots[i];
    if (slot->in_flight && !slot->abandoned)
      synth__collector_abandon(s, slot);
  }
}

/* Acts on what the health state made of the latest batch or overrun. */
static void act(struct synth__sched *s, struct synth__sched_device *d,
                enum synth__health_action action, const char *why)
{
  struct synth__health_config *hc = &s->cfg.health;
  switch (action) {
  case SYNTH__HEALTH_SICK:
    synth__reason_set(&d->health.reason, why);
    abandon_in_flight(s, d);
    synth__log_warn(s->cfg.log,
                    "%s (%s) is sick: %s; its work went back to the queues, probing it again "
                    "in %.1f s",
                    d->desc.id, d->desc.name, why, (double)hc->retry_ns * 1e-9);
    synth__sched_want_refill(s);
    break;
  case SYNTH__HEALTH_TAKE_OUT: {
    char reason[256];
    snprintf(reason, sizeof reason, "sick %u times in a row, last: %s", d->health.strikes, why);
    take_out(s, d, SYNTH_EDEVICE, reason);
    break;
  }
  case SYNTH__HEALTH_RECOVERED:
    synth__log_info(s->cfg.log, "%s (%s) recovered: its probe batch came back in time", d->desc.id,
                    d->desc.name);
    break;
  case SYNTH__HEALTH_BACK_OFF:
    synth__tuner_back_off(&d->tuner);
    break;
  case SYNTH__HEALTH_RELEASE:
    synth__tuner_release(&d->tuner);
    break;
  case SYNTH__HEALTH_CARRY_ON:
    break;
  }
}

/*
 * Whether a batch came back short with no error although nothing asked it to stop: its epoch
 * never moved (a job switch, cancel and stop all move it) and the scheduler is not stopping.
 * A scan that returns early unasked hashes nothing while looking healthy, so such a batch
 * counts as failed. GPUs end launches early only once the epoch has moved.
 */
static bool short_unasked(struct synth__sched *s, const struct synth__slot *slot)
{
  const struct synth__batch *b = &slot->batch;
  if (slot->abandoned || b->status != 0 || b->done >= b->range.count)
    return false;
  /* Acquire pairs with the bump's release; a scan that saw the new epoch ran on this thread,
   * or handed its batch over through the driver, so this load sees it too. */
  return atomic_load_explicit(&s->epoch, memory_order_acquire) == b->ctl.epoch &&
         !atomic_load_explicit(&s->stopping, memory_order_acquire);
}

/* At most one warning a second per device, saying how many it stands for. */
static void warn_short(struct synth__sched *s, struct synth__sched_device *d, const char *what)
{
  struct synth__health *h = &d->health;
  uint64_t now = synth__now_ns();
  if (h->short_warned_ns && now - h->short_warned_ns < 1000000000ull) {
    h->short_unwarned++;
    return;
  }
  char more[48] = "";
  if (h->short_unwarned)
    snprintf(more, sizeof more, " (and %u more since the last warning)", h->short_unwarned);
  synth__log_warn(s->cfg.log, "%s (%s): a batch %s: counted as failed%s", d->desc.id, d->desc.name,
                  what, more);
  h->short_warned_ns = now;
  h->short_unwarned = 0;
}

/* Why a batch made its device sick: it ran too long, or it failed (the probe, or the last of
 * a streak). */
static void sick_why(const struct synth__sched *s, const struct synth__sched_device *d, bool late,
                     uint64_t latency, bool probe, const char *failed, char *why, size_t size)
{
  if (late)
    snprintf(why, size, "a batch took %.0f ms against a %g ms target", (double)latency * 1e-6,
             synth__tuner_target(&d->tuner) * 1e3);
  else if (probe)
    snprintf(why, size, "its probe batch %s", failed);
  else
    snprintf(why, size, "%u batches in a row failed, the last %s", s->cfg.health.fail_streak,
             failed);
}

static void finish(struct synth__sched *s, struct synth__sched_device *d, struct synth__slot *slot)
{
  struct synth__batch *b = &slot->batch;
  slot->in_flight = false;
  if (b->t_done_ns == 0)
    b->t_done_ns = synth__now_ns();
  /* A device runs its batches in order: one could start only once the one before was done. */
  slot->t_start_ns = b->t_submit_ns > d->last_done_ns ? b->t_submit_ns : d->last_done_ns;
  if (b->t_done_ns > d->last_done_ns)
    d->last_done_ns = b->t_done_ns;
  char failed[96];
  if (short_unasked(s, slot)) {
    snprintf(failed, sizeof failed, "returned after %u of %u nonces without being asked to stop",
             b->done, b->range.count);
    b->status = SYNTH_EDEVICE;
    warn_short(s, d, failed);
  } else {
    snprintf(failed, sizeof failed, "with %s", synth_strerror(b->status));
  }
  /* What the collector's health check sees: the same latency, the same verdict. */
  uint64_t latency = b->t_done_ns > slot->t_start_ns ? b->t_done_ns - slot->t_start_ns : 0;
  bool late = !slot->abandoned && synth__health_late(&s->cfg.health, synth__tuner_target(&d->tuner),
                                                     latency, b->status, b->done, b->range.count);
  bool probe = d->health.probing && !slot->abandoned;
  /* A limit's duty cycle: the device owes an idle gap in proportion to the time it was busy. */
  uint64_t gap = synth__sensing_gap_ns(d, latency);
  if (gap)
    d->resume_ns = b->t_done_ns + gap;
  enum synth__health_action action = synth__collector_complete(s, d, slot);
  char why[160] = "";
  /* Only a batch that makes the device sick needs its reason spelled out. */
  if (action == SYNTH__HEALTH_SICK || action == SYNTH__HEALTH_TAKE_OUT)
    sick_why(s, d, late, latency, probe, failed, why, sizeof why);
  act(s, d, action, why);
}

/* How long a failed device gets to hand back the batches it still holds. */
#define TAKE_OUT_DRAIN_POLLS 20

/*
 * Takes the device out for good. By the poll contract a failed device still returns every
 * batch in flight, with what it hashed, through the following polls: collect them for a
 * while, so work it did is not repeated; whatever it does not return is given back whole. The
 * generator stops filling the device's queue, and idle devices steal what is left there.
 */
static void take_out(struct synth__sched *s, struct synth__sched_device *d, int rc, const char *why)
{
  if (atomic_load_explicit(&d->failed, memory_order_relaxed))
    return;
  synth__log_error(s->cfg.log, "%s (%s) taken out: %s", d->desc.id, d->desc.name, why);
  synth__reason_set(&d->health.reason, why);
  synth__health_out(&d->health);
  atomic_store_explicit(&d->failed, true, memory_order_relaxed);
  bool responsive = false;
  for (unsigned i = 0; i < d->nslots; i++)
    responsive |= d->slots[i].in_flight && !d->slots[i].abandoned;
  for (int i = 0; responsive && i < TAKE_OUT_DRAIN_POLLS && in_flight(d) > 0; i++) {
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

static void take_out_failed(struct synth__sched *s, struct synth__sched_device *d, int rc,
                            const char *what)
{
  char why[160];
  snprintf(why, sizeof why, "%s failed: %s", what, synth_strerror(rc));
  take_out(s, d, rc, why);
}

/* An allocation or launch failure of a batch larger than one unit: the tuner shrinks it. */
static bool oversize(int rc, const struct synth__batch *b, const struct synth__sched *s)
{
  return (rc == SYNTH_ENOMEM || rc == SYNTH_ERANGE) && b->range.count > s->unit_nonces;
}

/* Pulls into slot and submits. Returns 1 when submitted, 0 when there was no work, -1 when the
 * device failed (taken out). */
static int submit_one(struct synth__sched *s, struct synth__sched_device *d,
                      struct synth__slot *slot)
{
  if (!synth__sched_pull(s, d, &slot->batch))
    return 0;
  slot->batch.t_submit_ns = synth__now_ns();
  int rc = d->ops->submit(d->dev, &slot->batch);
  if (rc == 0) {
    slot->in_flight = true;
    return 1;
  }
  /* Not taken by the device: give it back whole. */
  bool retry = oversize(rc, &slot->batch, s);
  slot->batch.status = rc;
  slot->batch.done = 0;
  finish(s, d, slot);
  if (retry)
    return 0; /* the collector shrank the batch: the next pull tries the smaller size */
  take_out_failed(s, d, rc, "submit");
  return -1;
}

static struct synth__slot *free_slot(struct synth__sched_device *d)
{
  for (unsigned i = 0; i < d->nslots; i++) {
    struct synth__slot *slot = &d->slots[i];
    /* Acquire pairs with the generator's release: it is done with the remainder. */
    if (!slot->in_flight && !atomic_load_explicit(&slot->remainder.pending, memory_order_acquire))
      return slot;
  }
  return NULL;
}

/* A sick device gets one small probe batch once its wait is over. */
static bool probe(struct synth__sched *s, struct synth__sched_device *d)
{
  if (!synth__health_probe_due(&d->health, &s->cfg.health, synth__now_ns()))
    return true;
  struct synth__slot *slot = free_slot(d);
  /* A slot whose remainder the generator has not requeued yet: not held by the device. */
  if (!slot && in_flight(d) < d->nslots)
    return true;
  if (!slot) { /* it still holds every batch it was given: as sick as before */
    act(s, d, synth__health_overrun(&d->health, &s->cfg.health, synth__now_ns()),
        "it still has not returned the batches it was given");
    return !atomic_load_explicit(&d->failed, memory_order_relaxed);
  }
  synth__tuner_restart(&d->tuner); /* one unit, and tuning starts over */
  synth__health_probe_started(&d->health);
  int rc = submit_one(s, d, slot);
  /* No work to probe with (or the probe came back at once): still probing means nothing was
   * sent, so probe again once there is work instead of waiting for a batch that never comes. */
  if (rc == 0 && d->health.probing && !slot->in_flight)
    synth__health_probe_unsent(&d->health);
  return rc >= 0;
}

/*
 * At the abort temperature the device stops: what it holds goes back to the queues at once
 * (nothing is lost, as with a sick device), and it takes nothing until it has cooled down.
 * Returns whether it is stopped.
 */
static bool too_hot(struct synth__sched *s, struct synth__sched_device *d)
{
  bool hot = synth__sensing_hot(d);
  if (hot && !d->hot) {
    abandon_in_flight(s, d);
    synth__sched_want_refill(s);
    struct synth_device_stats st = {0};
    synth__sensing_stats(d, &st);
    synth__log_warn(s->cfg.log,
                    "%s (%s) is at %.0f C, its abort temperature: stopped, its work went back to "
                    "the queues; it hashes again once it has cooled down",
                    d->desc.id, d->desc.name, st.temp_c);
  } else if (!hot && d->hot) {
    synth__log_info(s->cfg.log, "%s (%s) has cooled down: hashing again", d->desc.id, d->desc.name);
  }
  d->hot = hot;
  return hot;
}

/* Paused by the caller: as at the abort temperature, what it holds goes back to the queues once,
 * when it first sees the pause, and it takes nothing until resumed. Returns whether it is. */
static bool paused(struct synth__sched *s, struct synth__sched_device *d)
{
  bool now = atomic_load_explicit(&d->paused, memory_order_acquire);
  if (now && !d->pause_seen) {
    abandon_in_flight(s, d);
    synth__sched_want_refill(s);
    synth__log_info(s->cfg.log, "%s (%s) paused: its work went back to the queues", d->desc.id,
                    d->desc.name);
  } else if (!now && d->pause_seen) {
    synth__log_info(s->cfg.log, "%s (%s) resumed", d->desc.id, d->desc.name);
  }
  d->pause_seen = now;
  return now;
}

/* Pulls and submits into every free slot. Returns false when the device failed. */
static bool fill(struct synth__sched *s, struct synth__sched_device *d)
{
  bool held = paused(s, d);
  held = too_hot(s, d) || held; /* both see their transitions */
  if (held || (d->resume_ns && synth__now_ns() < d->resume_ns))
    return true; /* paused, stopped for heat, or in a duty-cycle gap: nothing new */
  d->resume_ns = 0;
  if (synth__health_state(&d->health) == SYNTH_DEVICE_SICK)
    return probe(s, d);
  struct synth__slot *slot;
  while ((slot = free_slot(d))) {
    int rc = submit_one(s, d, slot);
    if (rc < 0)
      return false;
    if (rc == 0)
      return true;
  }
  return true;
}

/* Whether the oldest live batch in flight has run far past what the device's speed says, or
 * than its target allows (whichever comes first). Batches queued behind it wait for it, so
 * only the oldest counts. */
static bool overrun(const struct synth__sched *s, const struct synth__sched_device *d, char *why,
                    size_t size)
{
  const struct synth__slot *oldest = NULL;
  for (unsigned i = 0; i < d->nslots; i++) {
    const struct synth__slot *slot = &d->slots[i];
    if (slot->in_flight && !slot->abandoned &&
        (!oldest || slot->batch.t_submit_ns < oldest->batch.t_submit_ns))
      oldest = slot;
  }
  if (!oldest)
    return false;
  uint64_t start =
      oldest->batch.t_submit_ns > d->last_done_ns ? oldest->batch.t_submit_ns : d->last_done_ns;
  double rate = atomic_load_explicit(&d->tuner.rate, memory_order_relaxed);
  uint64_t limit = synth__health_deadline_ns(&s->cfg.health, oldest->batch.range.count, rate);
  uint64_t cap = synth__health_latency_limit_ns(&s->cfg.health, synth__tuner_target(&d->tuner));
  if (cap < limit)
    limit = cap;
  uint64_t ran = synth__now_ns() - start;
  if (ran <= limit)
    return false;
  snprintf(why, size,
           "a batch of %u nonces ran longer than %.0f ms (expected %.1f ms, target %g ms)",
           oldest->batch.range.count, (double)limit * 1e-6,
           rate > 0 ? (double)oldest->batch.range.count / rate * 1e3 : 0.0,
           synth__tuner_target(&d->tuner) * 1e3);
  return true;
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
  if (atomic_load_explicit(&d->failed, memory_order_relaxed))
    return false;
  char why[160];
  if (rc == SYNTH_EAGAIN && overrun(s, d, why, sizeof why))
    act(s, d, synth__health_overrun(&d->health, &s->cfg.health, synth__now_ns()), why);
  if (atomic_load_explicit(&d->failed, memory_order_relaxed))
    return false;
  if (rc == SYNTH_EAGAIN || rc == 0)
    return true;
  take_out_failed(s, d, rc, "poll");
  return false;
}

/* Stopping: live batches end within a poll period (the epoch moved); batches given up on get
 * a moment, and a device that still holds them after that is not trusted with more. */
static void drain(struct synth__sched *s, struct synth__sched_device *d)
{
  uint64_t give_up = synth__now_ns() + 1000000000ull;
  while (in_flight(d) > 0 && !atomic_load_explicit(&d->failed, memory_order_relaxed)) {
    bool live = false;
    for (unsigned i = 0; i < d->nslots; i++)
      live |= d->slots[i].in_flight && !d->slots[i].abandoned;
    if (!live && synth__now_ns() > give_up) {
      take_out(s, d, SYNTH_ETIMEDOUT, "it never returned the batches it was given up on");
      break;
    }
    collect(s, d, 100);
  }
}

/* Idle with nothing in flight: until the duty-cycle gap ends, or 100 ms while too hot or
 * paused; a stop ends the wait. */
static void pause_for_limit(struct synth__sched *s, struct synth__sched_device *d)
{
  uint64_t now = synth__now_ns();
  uint64_t ms = 100;
  bool held = d->hot || d->pause_seen;
  if (!held && d->resume_ns > now)
    ms = (d->resume_ns - now) / 1000000u + 1;
  if (ms > 100)
    ms = 100;
  if (held || d->resume_ns > now)
    synth__sched_pause_ms(s, (unsigned)ms);
}

/* A GPU's feeder thread goes beside the GPU (its NUMA node's PUs); a CPU worker is pinned by
 * its backend, a device on the host CPU needs no place of its own. Said once, in the figures. */
static void place(struct synth__sched *s, struct synth__sched_device *d)
{
  char where[128];
  if (d->desc.kind == SYNTH_DEVICE_CPU) {
    snprintf(where, sizeof where, "%s", d->desc.detail);
  } else if (d->desc.host_cpu) {
    snprintf(where, sizeof where, "unbound: a device on the host CPU");
  } else if (synth__bind_near_pci(d->desc.pci, where, sizeof where) == 0) {
    synth__log_info(s->cfg.log, "%s (%s): its feeder thread runs on %s, beside it", d->desc.id,
                    d->desc.name, where);
  } else {
    char why[sizeof where + 16];
    snprintf(why, sizeof why, "unbound: %s", where);
    synth__reason_set(&d->placed, why);
    return;
  }
  synth__reason_set(&d->placed, where);
}

void *synth__device_thread(void *arg)
{
  struct synth__sched_device *d = arg;
  struct synth__sched *s = d->sched;
  synth__rcu_online();
  synth__callback_enter(); /* user code (scans, on_hit, on_done) runs here */

  char name[16]; /* the kernel keeps 15 characters */
  snprintf(name, sizeof name, "synth-%.9s", d->desc.id);
  pthread_setname_np(pthread_self(), name);

  int rc = d->ops->thread_init ? d->ops->thread_init(d->dev) : 0;
  if (rc != 0) {
    take_out_failed(s, d, rc, "thread start");
    goto out;
  }
  place(s, d);
  uint64_t run_start = synth__now_ns();
  synth__counter_set(&d->counters.run_started_ns, run_start);

  while (!atomic_load_explicit(&s->stopping, memory_order_acquire) &&
         !atomic_load_explicit(&d->failed, memory_order_relaxed)) {
    unsigned seq = atomic_load(&s->work_seq); /* before pulling: see sched_wait_work */
    if (!fill(s, d))
      break;
    if (in_flight(d) == 0 && (d->hot || d->pause_seen || d->resume_ns)) {
      pause_for_limit(s, d);
      continue;
    }
    if (in_flight(d) == 0) {
      synth__sched_wait_work(s, seq, 50);
      continue;
    }
    if (!collect(s, d, 100))
      break;
  }
  drain(s, d);
  synth__counter_set(&d->counters.run_started_ns, 0); /* see synth__sched_device_stats */
  synth__counter_add(&d->counters.active_ns, synth__now_ns() - run_start);
out:
  synth__callback_leave();
  synth__rcu_offline();
  return NULL;
}
