/* fake_device.c: a scriptable device for scheduler tests: slow, failing, lying, repeating, or
 * following a timed profile of speed, stalls and errors. */
#include "support/fake_device.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scheduler/clock.h"
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

/* When a batch of n nonces that can start at `start` (ns since t0) is done, walking through
 * the phases it spans. */
static uint64_t finish_time(const struct fake_script *s, uint64_t start, double n)
{
  uint64_t t = start;
  for (;;) {
    unsigned i = phase_at(s, t);
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
    uint64_t now = synth__now_ns();
    if (!d->t0_ns)
      d->t0_ns = now;
    uint64_t start = now - d->t0_ns;
    if (d->busy_until > start)
      start = d->busy_until;
    d->busy_until = finish_time(&d->script, start, batch->range.count);
    d->finish_ns[d->npending] = d->busy_until;
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
  uint64_t now = synth__now_ns() - d->t0_ns;
  if (due > now) {
    uint64_t wait = due - now;
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
  b->t_done_ns = d->t0_ns + due; /* when the device finished it, not when it was asked */
  atomic_fetch_add(&d->batches, 1);
  *done = b;
  return 0;
}

static void add_hit(struct synth__batch *b, uint32_t nonce)
{
  synth__scan_report(&b->ctl, nonce);
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
  if (d->script.results_delay_us)
    sleep_ns((uint64_t)d->script.results_delay_us * 1000u);
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

const struct synth__device_ops fake_device_ops = {
    .name = "fake",
    .kind = SYNTH_DEVICE_CPU,
    .max_inflight = 1,
    .default_latency_ms = 1.0,
    .submit = fake_submit,
    .poll = fake_poll,
    .close = fake_close,
};

const struct synth__device_ops fake_gpu_ops = {
    .name = "fakegpu",
    .kind = SYNTH_DEVICE_OPENCL,
    .max_inflight = 3,
    .default_latency_ms = 50.0,
    .submit = fake_submit,
    .poll = fake_poll,
    .close = fake_close,
};
