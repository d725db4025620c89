/* device_run.c: what the GPU-style backends share: one batch through a device's ops outside the
 * scheduler (self-tests), and a kernel's hits taken into a batch. */
#include "devices/device_run.h"

#include <stdlib.h>

#include "base/clock.h"
#include "base/logger.h"
#include "synth/error.h"

int synth__device_run_batch(const struct synth__device_ops *ops, void *dev, struct synth__batch *b,
                            uint64_t timeout_ns)
{
  int rc = ops->submit(dev, b);
  if (rc != 0)
    return rc;
  uint64_t deadline = synth__now_ns() + timeout_ns;
  struct synth__batch *done = NULL;
  while (!done) {
    if (synth__now_ns() >= deadline)
      return SYNTH_ETIMEDOUT;
    rc = ops->poll(dev, &done, 100);
    if (rc != 0 && rc != SYNTH_EAGAIN)
      return rc;
  }
  return done == b ? 0 : SYNTH_ESTATE;
}

static int cmp_u32(const void *a, const void *b)
{
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

bool synth__known_hits_match(const struct synth_known_answer *ka, struct synth_scan_ctl *ctl)
{
  if (ctl->nhits != ka->n_expect || ctl->overflow)
    return false;
  /* A parallel device (or a SIMD core) reports hits in any order; the expected ones ascend. */
  qsort(ctl->hits, ctl->nhits, sizeof ctl->hits[0], cmp_u32);
  for (size_t i = 0; i < ka->n_expect; i++)
    if (ctl->hits[i] != ka->expect[i])
      return false;
  return true;
}

int synth__device_known_answer(const struct synth__device_ops *ops, void *dev,
                               const struct synth_workload *workload, void (*drain)(void *dev),
                               const char *label, const struct synth__logger *log,
                               uint64_t timeout_ns)
{
  if (!workload->known_answer)
    return 0;
  struct synth__batch *b = calloc(1, sizeof *b);
  void *payload = aligned_alloc(64, SYNTH_PAYLOAD_MAX);
  if (!b || !payload) {
    free(b);
    free(payload);
    return SYNTH_ENOMEM;
  }
  struct synth_known_answer ka;
  workload->known_answer(payload, &ka);
  atomic_uint epoch = 0;
  b->payload = payload;
  b->range.nonce_start = ka.nonce_start;
  b->range.count = ka.count;
  b->ctl = (struct synth_scan_ctl){
      .epoch_now = &epoch, .hits = b->hits, .max_hits = SYNTH_BATCH_MAX_HITS};
  int rc = synth__device_run_batch(ops, dev, b, timeout_ns);
  bool ok = rc == 0 && b->status == 0 && synth__known_hits_match(&ka, &b->ctl);
  if (!ok)
    synth__log_error(log, "%s: the %s known-answer test failed (%s; %u hits, %zu expected)", label,
                     workload->name, rc ? synth_strerror(rc) : "wrong hits", b->ctl.nhits,
                     ka.n_expect);
  if (drain)
    drain(dev);
  free(payload);
  free(b);
  return ok ? 0 : SYNTH_ESELFTEST;
}

bool synth__device_take_hits(struct synth__batch *b, const uint32_t *results, uint32_t max_hits)
{
  if (results[0] & SYNTH_RESULTS_ABANDONED)
    return false; /* its epoch passed: part of it ran, the rest did not; none of it counts */
  uint32_t found = results[0];
  uint32_t stored = found < max_hits ? found : max_hits;
  for (uint32_t i = 0; i < stored; i++)
    synth__scan_report(&b->ctl, results[1 + i]);
  b->ctl.overflow += found - stored;
  return true;
}
