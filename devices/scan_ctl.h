/* scan_ctl.h: the inline side of synth/workload.h's scan control, for the library's own scans. */
#ifndef SYNTH_DEVICES_SCAN_CTL_H
#define SYNTH_DEVICES_SCAN_CTL_H

#include <stdatomic.h>
#include <stdbool.h>

#include "synth/workload.h"

/* The library's own scans call these inline; embedders call the exported functions. */
static inline bool synth__scan_should_stop(const struct synth_scan_ctl *ctl)
{
  /* Relaxed: the flag is a hint polled every few thousand nonces; the job switch itself is
   * ordered by the job pointer, not by this load. */
  return atomic_load_explicit((const atomic_uint *)ctl->epoch_now, memory_order_relaxed) !=
         ctl->epoch;
}

static inline void synth__scan_report(struct synth_scan_ctl *ctl, uint32_t nonce)
{
  if (ctl->nhits < ctl->max_hits)
    ctl->hits[ctl->nhits++] = nonce;
  else
    ctl->overflow++;
}

#endif
