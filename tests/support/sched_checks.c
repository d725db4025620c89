/* sched_checks.c: conditions scheduler tests wait for. */
#include "support/sched_checks.h"

#include "scheduler/scheduler.h"
#include "scheduler/unit_queue.h"
#include "synth/runtime.h"

bool sched_all_reached(struct synth__sched *s, uint32_t id)
{
  for (unsigned i = 0; i < synth__sched_device_count(s); i++) {
    struct synth_device_stats st;
    synth__sched_device_stats(s, i, &st);
    if (st.job_serial == 0 || synth__job_newer(id, st.job_serial))
      return false;
  }
  return true;
}
