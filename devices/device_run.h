/* device_run.h: what the GPU-style backends share: one batch through a device's ops outside the
 * scheduler (self-tests), and a kernel's hits taken into a batch. */
#ifndef SYNTH_DEVICES_DEVICE_RUN_H
#define SYNTH_DEVICES_DEVICE_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "base/clock.h"
#include "devices/device.h"

/* Submits b and polls until it comes back or timeout_ns passes. Returns 0 (b is done), the
 * device's error, or SYNTH_ETIMEDOUT (b may still be in flight: drain the device). */
int synth__device_run_batch(const struct synth__device_ops *ops, void *dev, struct synth__batch *b,
                            uint64_t timeout_ns);

/* Whether a known answer's run found exactly its hits, in any order (ctl's hits are sorted). */
bool synth__known_hits_match(const struct synth_known_answer *ka, struct synth_scan_ctl *ctl);

/*
 * The workload's known answer on an opened device, through the same submit and poll as every
 * batch: exactly the expected hits, no overflow. drain(dev) runs before the batch is freed, so
 * a batch the device still holds after a timeout is never touched again. Returns 0,
 * SYNTH_ESELFTEST (logged with label), or SYNTH_ENOMEM.
 */
int synth__device_known_answer(const struct synth__device_ops *ops, void *dev,
                               const struct synth_workload *workload, void (*drain)(void *dev),
                               const char *label, const struct synth__logger *log,
                               uint64_t timeout_ns);

/* Stamps a batch that came off a device's one in-order queue: it could start only when it was
 * submitted and the batch before it was done. Moves the device's last-done time to now. */
static inline void synth__batch_stamp_done(struct synth__batch *b, uint64_t submit_ns,
                                           uint64_t *last_done_ns)
{
  uint64_t now = synth__now_ns();
  b->t_submit_ns = submit_ns > *last_done_ns ? submit_ns : *last_done_ns;
  b->t_done_ns = now;
  *last_done_ns = now;
}

/* Raises a device's abort word to epoch, never lowering it (wrap-safe), so a late, older
 * epoch changes nothing. Any thread. Returns whether it rose. */
static inline bool synth__abort_word_raise(uint32_t *word, unsigned epoch)
{
  uint32_t seen = __atomic_load_n(word, __ATOMIC_RELAXED);
  while ((int32_t)(epoch - seen) > 0) {
    if (__atomic_compare_exchange_n(word, &seen, epoch, false, __ATOMIC_RELEASE, __ATOMIC_RELAXED))
      return true;
  }
  return false;
}

/* Bit 31 of a kernel's hit count: the launch was abandoned because its epoch passed. */
#define SYNTH_RESULTS_ABANDONED 0x80000000u

/* Copies a kernel's result buffer ([0] hits counted, [1 + j] the nonce of hit j for
 * j < max_hits) into the batch: hits past the buffer are counted as overflow, never dropped
 * silently. Returns false, taking nothing, for a launch abandoned at a job switch or stop: the
 * caller reports it as not hashed (its hits would be of a replaced job anyway). */
bool synth__device_take_hits(struct synth__batch *b, const uint32_t *results, uint32_t max_hits);

#endif
