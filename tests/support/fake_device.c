/* fake_device.c: a scriptable device for scheduler tests: slow, failing, lying, repeating, or
 * following a timed profile of speed, stalls and errors. */
#include "support/fake_device.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "synth/error.h"

struct fake_device *fake_device_new(const struct synth_workload *workload,
                                    const struct fake_script *script)
{
  struct fake_device *d = calloc(1, sizeof *d);
  if (!d)
    return NULL;
  d->workload = workload;
  if (script)
    d->script = *script;
  return d;
}

struct synth__device_desc fake_device_desc(int index)
{
  struct synth__device_desc desc;
  memset(&desc, 0, sizeof desc);
  snprintf(desc.id, sizeof desc.id, "fake:%d", index);
  snprintf(desc.name, sizeof desc.name, "scripted test device %d", index);
  desc.kind = SYNTH_DEVICE_CPU;
  desc.index0 = index;
  desc.selected = 1;
  return desc;
}

#define MS 1000000ull

/* The phase running at t (ns since the first submit). */
static unsigned phase_at(const struct fake_script *s, uint64_t t)
{
  unsigned i = 0;
  while (i + 1 < s->nphases && t >= s->phases[i].until_ms * MS)
    i++;
  return i;
}

/* The real time of t on the profile's clock, with the device idle for idle_ns before it. */
static uint64_t wall_of(const struct fake_device *d, uint64_t t, uint64_t idle_ns)
{
  return t == UINT64_MAX ? UINT64_MAX : d->t0_ns + idle_ns + t;
}

static void note_phase_began(struct fake_device *d, unsigned i, uint64_t t)
{
  uint64_t expected = 0;
  atomic_compare_exchange_strong(&d->phase_began_ns[i], &expected, wall_of(d, t, d->idle_ns));
}

/* When a batch of n nonces that can start at `start` (on the profile's clock) is done,
 * walking through the phases it spans. */
static uint64_t finish_time(struct fake_device *d, uint64_t start, double n)
{
  const struct fake_script *s = &d->script;
  uint64_t t = start;
  for (;;) {
    unsigned i = phase_at(s, t);
    note_phase_began(d, i, i == 0 ? 0 : s->phases[i - 1].until_ms * MS);
    const struct fake_phase *p = &s->phases[i];
    bool last = i + 1 == s->nphases;
    uint64_t end = last ? UINT64_MAX : p->until_ms * MS;
    if (p->stall) {
      if (last)
        return UINT64_MAX; /* hung for good */
      t = end;
      continue;
    }
    double need_ns = n / p->rate * 1e9;
    if (last || (double)t + need_ns <= (double)end)
      return t + (uint64_t)need_ns;
    n -= (double)(end - t) * 1e-9 * p->rate;
    t = end;
  }
}

/* From *speed_up on, one phase at the new rate for ever. */
static void maybe_speed_up(struct fake_device *d)
{
  if (d->sped_up || !d->script.speed_up || !atomic_load(d->script.speed_up))
    return;
  d->sped_up = true;
  d->script.phases[0] = (struct fake_phase){.rate = d->script.speed_up_rate};
  d->script.nphases = 1;
}

static int fake_submit(void *dev, struct synth__batch *batch)
{
  struct fake_device *d = dev;
  unsigned room = d->script.nphases ? FAKE_MAX_INFLIGHT : 1;
  if (d->npending >= room)
    return SYNTH_ESTATE;
  if (d->script.oom_above && batch->range.count > d->script.oom_above) {
    atomic_fetch_add(&d->oom_refused, 1);
    return SYNTH_ENOMEM;
  }
  if (d->script.nphases) {
    maybe_speed_up(d);
    uint64_t now = synth__now_ns();
    if (!d->t0_ns)
      d->t0_ns = now;
    uint64_t start = now - d->t0_ns - d->idle_ns;
    if (d->busy_until > start) {
      start = d->busy_until;
    } else if (d->script.busy_clock) { /* it had nothing to do since busy_until: time stood */
      d->idle_ns += start - d->busy_until;
      start = d->busy_until;
    }
    d->busy_until = finish_time(d, start, batch->range.count);
    d->finish_ns[d->npending] = d->busy_until;
    d->idle_at_submit[d->npending] = d->idle_ns;
  }
  d->pending[d->npending++] = batch;
  return 0;
}

static void sleep_ns(uint64_t ns)
{
  struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
  nanosleep(&ts, NULL);
}

static void pop(struct fake_device *d)
{
  memmove(d->pending, d->pending + 1, (d->npending - 1) * sizeof d->pending[0]);
  memmove(d->finish_ns, d->finish_ns + 1, (d->npending - 1) * sizeof d->finish_ns[0]);
  memmove(d->idle_at_submit, d->idle_at_submit + 1,
          (d->npending - 1) * sizeof d->idle_at_submit[0]);
  d->npending--;
}

static void hash(struct fake_device *d, struct synth__batch *b, uint32_t count)
{
  if (d->script.simulate) {
    b->done = count;
    return;
  }
  const struct synth_cpu_core *core = &d->workload->cpu_cores[0];
  b->done = core->scan(b->payload, b->range.nonce_start, count, &b->ctl);
}

/* Profile mode: waits for the head batch's finish time, up to timeout_ms. */
static int poll_profile(struct fake_device *d, struct synth__batch **done, int timeout_ms)
{
  uint64_t due = d->finish_ns[0];
  uint64_t wall_due = wall_of(d, due, d->idle_at_submit[0]);
  uint64_t now = synth__now_ns();
  if (wall_due > now) {
    uint64_t wait = wall_due - now;
    if (wait > (uint64_t)timeout_ms * MS) {
      sleep_ns((uint64_t)timeout_ms * MS);
      return SYNTH_EAGAIN;
    }
    sleep_ns(wait);
  }
  struct synth__batch *b = d->pending[0];
  pop(d);
  unsigned i = phase_at(&d->script, due);
  unsigned every = d->script.phases[i].error_every;
  bool fail = every && ++d->phase_batches[i] % every == 0;
  hash(d, b, fail ? b->range.count / 2 : b->range.count);
  if (fail)
    b->status = SYNTH_EDEVICE;
  b->t_done_ns = wall_due; /* when the device finished it, not when it was asked */
  atomic_fetch_add(&d->batches, 1);
  *done = b;
  return 0;
}

static void add_hit(struct synth__batch *b, uint32_t nonce)
{
  synth__scan_report(&b->ctl, nonce);
}

/* Waits while the gate is closed (and, holding its input, while the batch's epoch is current). */
static void hold(struct fake_device *d, struct synth__batch *b, unsigned n, enum fake_hold where)
{
  const struct fake_script *s = &d->script;
  if (s->hold != where || !s->gate || n < s->hold_from)
    return;
  atomic_fetch_add(&d->held, 1);
  /* Acquire on the epoch: a batch let go by a stop sees the stop's flag when it returns. */
  const atomic_uint *epoch = b->ctl.epoch_now;
  while (!atomic_load(s->gate) &&
         !(where == FAKE_HOLD_INPUT &&
           atomic_load_explicit(epoch, memory_order_acquire) != b->ctl.epoch))
    sleep_ns(MS);
  atomic_fetch_sub(&d->held, 1);
}

static int fake_poll(void *dev, struct synth__batch **done, int timeout_ms)
{
  struct fake_device *d = dev;
  if (d->npending == 0)
    return SYNTH_EAGAIN;
  if (d->script.nphases)
    return poll_profile(d, done, timeout_ms);
  struct synth__batch *b = d->pending[0];
  pop(d);
  if (d->lost) { /* the poll contract: what a failed device held comes back as it is */
    *done = b;
    return SYNTH_EDEVICE;
  }
  unsigned n = atomic_fetch_add(&d->batches, 1) + 1;
  if (d->script.sleep_us)
    sleep_ns((uint64_t)d->script.sleep_us * 1000u);
  hold(d, b, n, FAKE_HOLD_INPUT);
  bool fail = d->script.fail_at_batch == n && d->script.failure != FAKE_OK;
  hash(d, b, fail ? b->range.count / 2 : b->range.count);
  if (d->script.repeat_hits) {
    uint32_t n_hits = b->ctl.nhits;
    for (uint32_t i = 0; i < n_hits; i++)
      add_hit(b, b->hits[i]);
  }
  if (d->script.bogus_hit && b->done > 1) {
    struct synth_verdict v;
    d->workload->verify(b->payload, b->range.nonce_start + 1, &v);
    if (!v.meets_target)
      add_hit(b, b->range.nonce_start + 1);
  }
  hold(d, b, n, FAKE_HOLD_RESULTS);
  *done = b;
  if (fail && d->script.failure == FAKE_BATCH_ERROR)
    b->status = SYNTH_EDEVICE;
  if (fail && d->script.failure == FAKE_DEVICE_LOST) {
    d->lost = true;
    d->pending[d->npending++] = b; /* still held by the device: the next poll hands it back */
    *done = NULL;
    return SYNTH_EDEVICE;
  }
  return 0;
}

static void fake_close(void *dev)
{
  free(dev);
}

/* The fake device's ops as a device of @kind_ with what the scheduler reads off that kind. */
#define FAKE_OPS(name_, kind_, max_inflight_, latency_ms)                                          \
  {                                                                                                \
    .name = (name_), .kind = (kind_), .max_inflight = (max_inflight_),                             \
    .default_latency_ms = (latency_ms), .submit = fake_submit, .poll = fake_poll,                  \
    .close = fake_close,                                                                           \
  }

const struct synth__device_ops fake_device_ops = FAKE_OPS("fake", SYNTH_DEVICE_CPU, 1, 1.0);
const struct synth__device_ops fake_gpu_ops = FAKE_OPS("fakegpu", SYNTH_DEVICE_OPENCL, 3, 50.0);
