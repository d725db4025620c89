/* runtime_internal.h: the runtime's state, for the files that implement its public calls. */
#ifndef SYNTH_RUNTIME_RUNTIME_INTERNAL_H
#define SYNTH_RUNTIME_RUNTIME_INTERNAL_H

#include <stdint.h>

#include "base/logger.h"
#include "runtime/device_probe.h"
#include "runtime/work.h"
#include "synth/runtime.h"

struct synth_runtime {
  struct synth__logger log;
  struct synth__probe_set probed; /* keeps the backends the devices were opened from */
  struct synth__sched *sched;
  synth_share_fn share_fn;
  void *share_user;
  uint64_t created_ns; /* what batch trace times count from */
  const struct synth_workload *workload;
  struct synth__work_list works; /* submitted works in flight (runtime/work.c) */
};

#endif
