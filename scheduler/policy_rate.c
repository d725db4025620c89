/* policy_rate.c: "rate-proportional": every live device's queue holds the same time of work at
 * its measured rate, no device steals (but a sick device's probe), and the end of a finite job is
 * split by rate so that the devices end together. */
#include "scheduler/sched_internal.h"

/* Nonces per second: the tuner's measure, or before there is one what the batch size says. */
static double rate_of(struct synth__sched_device *d)
{
  double r = synth__tuner_rate(&d->tuner);
  return r > 0 ? r : (double)synth__tuner_batch(&d->tuner) / synth__tuner_target(&d->tuner);
}

/* How long the device takes before it could start on work queued now: its queue at its rate,
 * and its slots, taken to be full of batches of its target latency (they are while it has a
 * queue). Not the slots at its rate: a device measured slow once, with an empty queue, would
 * look busy for ever and never be given the work that would measure it again. */
static double backlog_s(struct synth__sched_device *d)
{
  return (double)synth__unit_queue_nonces(&d->queue) / rate_of(d) +
         (double)d->nslots * synth__tuner_target(&d->tuner);
}

/*
 * The horizons every live device is kept between, in seconds of its own work, in flight
 * included: refilled below low, up to high. They are the deepest marks the default policy keeps
 * anywhere, (slots + 1) and (slots + 3) batches of target latency, so devices of one kind get
 * the same queues as under it and a CPU beside a GPU holds as much time of work as the GPU.
 * Returns false when no device is live.
 */
static bool horizons(struct synth__sched *s, double *low, double *high)
{
  *low = *high = 0;
  for (unsigned i = 0; i < s->ndevices; i++) {
    struct synth__sched_device *d = s->devices[i];
    if (synth__device_benched(d))
      continue;
    double t = synth__tuner_target(&d->tuner);
    if ((2 * d->nslots + 1) * t > *low)
      *low = (2 * d->nslots + 1) * t;
    if ((2 * d->nslots + 3) * t > *high)
      *high = (2 * d->nslots + 3) * t;
  }
  return *high > 0;
}

/* The device that would finish new work soonest: live, not backing off if any is, least
 * backlog in time. With live_only and none live, NULL; else any device, so work is never lost. */
static struct synth__sched_device *soonest(struct synth__sched *s, bool live_only)
{
  struct synth__sched_device *best = NULL;
  int best_rank = 3;
  double best_s = 0;
  for (unsigned i = 0; i < s->ndevices; i++) {
    struct synth__sched_device *d = s->devices[i];
    int rank = synth__device_benched(d) ? 2 : synth__device_demoted(d) ? 1 : 0;
    double t = backlog_s(d);
    if (rank < best_rank || (rank == best_rank && t < best_s)) {
      best = d;
      best_rank = rank;
      best_s = t;
    }
  }
  return best_rank == 2 && live_only ? NULL : best;
}

/* Given-back work goes, a batch of it at a time, to the device that would finish it first. */
static struct synth__sched_device *requeue_to(struct synth__sched *s, uint64_t *run)
{
  struct synth__sched_device *d = soonest(s, false);
  *run = synth__tuner_batch(&d->tuner);
  return d;
}

/* Nobody steals here, so the units a sick or out device holds are moved to live devices, a
 * batch of them at a time to the one that would finish them first. */
static bool move_off_benched(struct synth__sched *s)
{
  bool moved = false;
  for (unsigned i = 0; i < s->ndevices; i++) {
    struct synth__sched_device *from = s->devices[i];
    if (!synth__device_benched(from) || synth__unit_queue_nonces(&from->queue) == 0)
      continue;
    struct synth__sched_device *to = NULL;
    uint64_t run = 0, put = 0;
    struct synth__work_unit *unit;
    while ((unit = synth__unit_queue_pop(&from->queue))) {
      if (!to || put >= run) {
        to = soonest(s, true);
        run = to ? synth__tuner_batch(&to->tuner) : 0;
        put = 0;
      }
      if (!to || to == from) { /* nowhere to go (or it came back): it stays */
        synth__unit_queue_push(&from->queue, unit);
        break;
      }
      synth__unit_queue_push(&to->queue, unit);
      put += unit->nonce_count;
      moved = true;
    }
  }
  return moved;
}

/* Nonces that would bring every live device up to horizon high. */
static double deficit(struct synth__sched *s, double high)
{
  double sum = 0;
  for (unsigned i = 0; i < s->ndevices; i++) {
    struct synth__sched_device *d = s->devices[i];
    double lack = (high - backlog_s(d)) * rate_of(d);
    if (!synth__device_benched(d) && lack > 0)
      sum += lack;
  }
  return sum;
}

/* The nonces a level t gives the live devices: each what it hashes from its backlog's end to t. */
static double filled(struct synth__sched *s, double t)
{
  double sum = 0;
  for (unsigned i = 0; i < s->ndevices; i++) {
    struct synth__sched_device *d = s->devices[i];
    double b = backlog_s(d);
    if (!synth__device_benched(d) && t > b)
      sum += (t - b) * rate_of(d);
  }
  return sum;
}

/* The end time at which left nonces spread over the live devices by rate make them all end
 * together (water-filling): filled(level) = left, found by bisection. */
static double level(struct synth__sched *s, double left)
{
  double lo = 0, hi = 1e-3;
  while (filled(s, hi) < left && hi < 1e9)
    hi *= 2;
  for (int i = 0; i < 60; i++) {
    double mid = (lo + hi) / 2;
    if (filled(s, mid) < left)
      lo = mid;
    else
      hi = mid;
  }
  return hi;
}

/* The rest of finite job cut at once: each live device gets what it hashes by the common end
 * time, in whole units, and the one with the largest share what rounding left. Shares are taken
 * before its own cut, which changes no other device's backlog. Returns whether it queued. */
static bool split_tail(struct synth__sched *s, struct synth__job *job, bool *starved)
{
  double t = level(s, (double)(job->size - job->cursor));
  struct synth__sched_device *largest = NULL;
  double largest_share = 0;
  for (unsigned i = 0; i < s->ndevices; i++) {
    struct synth__sched_device *d = s->devices[i];
    double share = (t - backlog_s(d)) * rate_of(d);
    if (!synth__device_benched(d) && share > largest_share) {
      largest = d;
      largest_share = share;
    }
  }
  bool queued = false;
  for (unsigned i = 0; i < s->ndevices && !*starved; i++) {
    struct synth__sched_device *d = s->devices[i];
    double units = (t - backlog_s(d)) * rate_of(d) / job->unit_nonces + 0.5;
    if (d != largest && !synth__device_benched(d) && units >= 1)
      queued |= synth__generator_feed(s, d, job, (uint64_t)units * job->unit_nonces, starved) > 0;
  }
  if (largest && !*starved)
    queued |= synth__generator_feed(s, largest, job, UINT64_MAX, starved) > 0;
  return queued;
}

/* Whether d is below low, in time or in the nonces under which it asks for a refill: the default
 * policy's marks, so a device that asks is never turned away and no queue is shallower than
 * under the default (a refill late on a busy host would otherwise leave it idle). */
static bool below_low(struct synth__sched_device *d, double low)
{
  return backlog_s(d) < low || synth__unit_queue_nonces(&d->queue) < synth__queue_low_mark(d);
}

static bool below_high(struct synth__sched_device *d, double high)
{
  return backlog_s(d) < high || synth__unit_queue_nonces(&d->queue) < synth__queue_high_mark(d);
}

/* The live device below low with the least backlog in time. */
static struct synth__sched_device *most_in_need(struct synth__sched *s, double low)
{
  struct synth__sched_device *best = NULL;
  double best_s = 0;
  for (unsigned i = 0; i < s->ndevices; i++) {
    struct synth__sched_device *d = s->devices[i];
    double t = backlog_s(d);
    if (!synth__device_benched(d) && below_low(d, low) && (!best || t < best_s)) {
      best = d;
      best_s = t;
    }
  }
  return best;
}

/*
 * The device lowest in time below low is filled up to high, a batch's worth of one job at a
 * time (stride scheduling picks the job), then the next one. A finite job whose rest would not
 * fill every device to high is split by rate at once, so the devices end together.
 */
static bool refill(struct synth__sched *s, struct synth__job **jobs, unsigned njobs)
{
  bool queued = move_off_benched(s), starved = false, moving = true;
  double low, high;
  if (!njobs || !horizons(s, &low, &high))
    return queued;
  struct synth__sched_device *d;
  struct synth__job *job;
  while (moving && !starved && (d = most_in_need(s, low))) {
    moving = false; /* until a job's cursor moves: every job may be cut to its end */
    while (!starved && below_high(d, high) && (job = synth__generator_next_job(s, jobs, njobs))) {
      uint64_t at = job->cursor;
      if (job->size && (double)(job->size - job->cursor) <= deficit(s, high))
        queued |= split_tail(s, job, &starved);
      else
        queued |= synth__generator_feed(s, d, job, synth__tuner_batch(&d->tuner), &starved) > 0;
      if (job->cursor == at)
        break; /* nothing cut (a device just went sick, or the job failed): next round */
      moving = true;
    }
  }
  return queued;
}

/* Devices never steal: each hashes what was placed on it. A sick device's probe is the one
 * exception, since its own queue was moved away: it takes one small batch from anyone. */
static void steal(struct synth__sched *s, struct synth__sched_device *d, uint64_t want,
                  struct synth__take_result *res)
{
  if (!d->health.probing)
    return;
  for (unsigned k = 1; k < s->ndevices; k++) {
    struct synth__sched_device *victim = s->devices[(d->index + k) % s->ndevices];
    if (synth__unit_queue_nonces(&victim->queue) > 0 &&
        synth__pull_from(s, victim, want, res) == 0 && res->taken > 0)
      return;
  }
}

const struct synth__sched_policy synth__policy_rate = {
    .name = "rate-proportional",
    .description = "work placed on the devices in proportion to their measured rates, the same "
                   "time of work in every queue; no stealing; the end of a finite range split "
                   "by rate so the devices end together",
    .refill = refill,
    .requeue_to = requeue_to,
    .steal = steal,
    .tail_split = NULL, /* the refill splits the tail: each device's share is its own */
};
