/* job_switch.c: when a job switch has reached every device. */
#include "pool/job_switch.h"

#include "synth/miner.h"

bool synth__switch_arrived(synth_runtime *rt, unsigned ndevices, uint32_t serial, uint64_t *last_ns)
{
  uint64_t last = 0;
  for (unsigned i = 0; i < ndevices; i++) {
    struct synth_device_stats st;
    if (synth_runtime_device_stats(rt, i, &st, sizeof st) != 0 || st.state == SYNTH_DEVICE_OUT ||
        st.state == SYNTH_DEVICE_SICK)
      continue;
    if ((int32_t)(st.job_serial - serial) < 0)
      return false; /* this one is not there yet */
    if (st.job_serial == serial && st.job_started_ns > last)
      last = st.job_started_ns;
  }
  *last_ns = last;
  return true;
}
