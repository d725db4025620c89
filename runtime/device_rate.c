/* device_rate.c: a device's hash rate, measured in a moment, to choose between two APIs. */
#include "runtime/device_rate.h"

#include <stdlib.h>

#include "base/clock.h"
#include "devices/device_run.h"
#include "synth/error.h"

#define MAX_SLOTS 8
#define MIN_BATCH_NS (5 * 1000000ull) /* below this a launch's fixed cost would count */
#define MAX_BATCH (1u << 31)
#define WARMUP_TIMEOUT_NS (60 * 1000000000ull)
#define WAIT_TIMEOUT_NS (10 * 1000000000ull)

struct rate_run {
  struct synth__batch *batches;
  void *payload;
  atomic_uint epoch;
  uint32_t next_nonce;
};

static void prepare(struct rate_run *r, struct synth__batch *b, uint32_t count)
{
  b->payload = r->payload;
  b->range.nonce_start = r->next_nonce;
  b->range.count = count;
  r->next_nonce += count;
  b->ctl = (struct synth_scan_ctl){
      .epoch_now = &r->epoch, .hits = b->hits, .max_hits = SYNTH_BATCH_MAX_HITS};
  b->done = 0;
  b->status = 0;
  b->t_submit_ns = 0;
}

/* Doubles the batch until one takes MIN_BATCH_NS. Returns 0 and the size, or an error. */
static int warm_up(const struct synth__device_ops *ops, void *dev, struct rate_run *r,
                   uint32_t *size)
{
  uint32_t count = 1u << 16;
  for (;;) {
    prepare(r, &r->batches[0], count);
    uint64_t t0 = synth__now_ns();
    int rc = synth__device_run_batch(ops, dev, &r->batches[0], WARMUP_TIMEOUT_NS);
    if (rc != 0)
      return rc;
    if (synth__now_ns() - t0 >= MIN_BATCH_NS || count >= MAX_BATCH) {
      *size = count;
      return 0;
    }
    count *= 2;
  }
}

int synth__device_measure_rate(const struct synth__device_ops *ops, void *dev,
                               const struct synth_workload *workload, unsigned ms, double *rate)
{
  unsigned slots = ops->max_inflight < MAX_SLOTS ? ops->max_inflight : MAX_SLOTS;
  struct rate_run r = {.batches = calloc(slots ? slots : 1, sizeof(struct synth__batch)),
                       .payload = aligned_alloc(64, SYNTH_PAYLOAD_MAX)};
  if (!r.batches || !r.payload || !workload->known_answer) {
    free(r.batches);
    free(r.payload);
    return r.batches && r.payload ? SYNTH_ENOTSUP : SYNTH_ENOMEM;
  }
  struct synth_known_answer ka;
  workload->known_answer(r.payload, &ka);
  atomic_init(&r.epoch, 0);
  uint32_t size = 0;
  int rc = warm_up(ops, dev, &r, &size);
  if (rc == SYNTH_ETIMEDOUT)
    return rc; /* the batch may still be in use: not freed */
  unsigned in_flight = 0;
  for (unsigned i = 0; rc == 0 && i < slots; i++) {
    prepare(&r, &r.batches[i], size);
    rc = ops->submit(dev, &r.batches[i]);
    in_flight += rc == 0;
  }
  uint64_t start = synth__now_ns(), end = start + (uint64_t)ms * 1000000u, hashed = 0;
  uint64_t last = start;
  /* Batches come back within the timeout; a failed device still hands back what it holds,
   * by the poll contract. */
  uint64_t give_up = end + WAIT_TIMEOUT_NS;
  while (in_flight > 0 && synth__now_ns() < give_up) {
    struct synth__batch *done = NULL;
    int prc = ops->poll(dev, &done, 100);
    if (!done) {
      if (prc != SYNTH_EAGAIN)
        rc = rc ? rc : prc;
      continue;
    }
    in_flight--;
    if (prc != 0 || done->status != 0) {
      rc = rc ? rc : (prc ? prc : done->status);
      continue;
    }
    hashed += done->done;
    last = synth__now_ns();
    if (rc == 0 && last < end) {
      prepare(&r, done, size);
      rc = ops->submit(dev, done);
      in_flight += rc == 0;
    }
  }
  if (in_flight > 0) /* hung: the device may still use the batches, so they are not freed */
    return rc ? rc : SYNTH_ETIMEDOUT;
  if (rc == 0)
    *rate = last > start ? (double)hashed * 1e9 / (double)(last - start) : 0;
  free(r.batches);
  free(r.payload);
  return rc;
}
