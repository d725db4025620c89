/* fake_device.c: a scriptable device for scheduler tests: slow, failing, lying or repeating. */
#include "support/fake_device.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "synth/error.h"

struct fake_device *fake_device_new(const struct synth__workload *workload,
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

static int fake_submit(void *dev, struct synth__batch *batch)
{
  struct fake_device *d = dev;
  if (d->pending)
    return SYNTH_ESTATE;
  d->pending = batch;
  return 0;
}

static void add_hit(struct synth__batch *b, uint32_t nonce)
{
  synth__scan_report(&b->ctl, nonce);
}

static void sleep_us(unsigned us)
{
  struct timespec ts = {us / 1000000, (long)(us % 1000000) * 1000};
  nanosleep(&ts, NULL);
}

static int fake_poll(void *dev, struct synth__batch **done, int timeout_ms)
{
  (void)timeout_ms;
  struct fake_device *d = dev;
  struct synth__batch *b = d->pending;
  if (!b)
    return SYNTH_EAGAIN;
  d->pending = NULL;
  if (d->lost) { /* the poll contract: what a failed device held comes back as it is */
    *done = b;
    return SYNTH_EDEVICE;
  }
  unsigned n = atomic_fetch_add(&d->batches, 1) + 1;
  if (d->script.sleep_us)
    sleep_us(d->script.sleep_us);
  bool fail = d->script.fail_at_batch == n && d->script.failure != FAKE_OK;
  uint32_t count = fail ? b->range.count / 2 : b->range.count;
  const struct synth__cpu_core *core = &d->workload->cpu_cores[0];
  b->done = core->scan(b->payload, b->range.nonce_start, count, &b->ctl);
  if (d->script.repeat_hits) {
    uint32_t n_hits = b->ctl.nhits;
    for (uint32_t i = 0; i < n_hits; i++)
      add_hit(b, b->hits[i]);
  }
  if (d->script.bogus_hit && b->done > 1) {
    struct synth__verdict v;
    d->workload->verify(b->payload, b->range.nonce_start + 1, &v);
    if (!v.meets_target)
      add_hit(b, b->range.nonce_start + 1);
  }
  if (d->script.results_delay_us)
    sleep_us(d->script.results_delay_us);
  *done = b;
  if (fail && d->script.failure == FAKE_BATCH_ERROR)
    b->status = SYNTH_EDEVICE;
  if (fail && d->script.failure == FAKE_DEVICE_LOST) {
    d->lost = true;
    d->pending = b; /* still held by the device: the next poll hands it back */
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
