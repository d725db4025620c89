/* workload_check.c: a user's workload descriptor checked against synth/workload.h's contract.
 * Each mistake found here would otherwise surface later as nothing hashed, or a crash on a
 * device thread. */
#include "runtime/workload_check.h"

#include "base/logger.h"
#include "synth/error.h"

static int bad(const struct synth__logger *log, const char *name, const char *what)
{
  synth__log_error(log, "workload %s: %s", name ? name : "(unnamed)", what);
  return SYNTH_EINVAL;
}

static int check_cores(const struct synth_workload *w, const struct synth__logger *log)
{
  if (!w->cpu_cores)
    return 0; /* CPU workers sit it out */
  if (!w->cpu_cores[0].scan)
    return bad(log, w->name, "cpu_cores lists no scan (set it to NULL for none)");
  for (const struct synth_cpu_core *c = w->cpu_cores; c->scan; c++) {
    if (!c->name)
      return bad(log, w->name, "a CPU core has no name");
  }
  return 0;
}

static int check_kernels(const struct synth_workload *w, const struct synth__logger *log)
{
  if (w->opencl && (!w->opencl->source || !w->opencl->entry))
    return bad(log, w->name, "opencl kernel needs source and entry");
  if (w->vulkan && (!w->vulkan->spirv || !w->vulkan->entry || w->vulkan->spirv_size == 0 ||
                    w->vulkan->spirv_size % 4 != 0))
    return bad(log, w->name,
               "vulkan kernel needs spirv (a whole number of 32-bit words) and entry");
  if (!w->cpu_cores && !w->opencl && !w->vulkan)
    return bad(log, w->name, "no CPU core, OpenCL or Vulkan kernel: nothing could hash it");
  return 0;
}

int synth__workload_check(const struct synth_workload *w, const struct synth__logger *log)
{
  if (!w) {
    synth__log_error(log, "workload is NULL: name what the devices hash (a miner's runtime comes "
                          "from synth_miner_create(), which names the SHA-256d workload)");
    return SYNTH_EINVAL;
  }
  if (!w->name)
    return bad(log, NULL, "name is NULL");
  if (w->payload_size == 0 || w->payload_size % 16 != 0 || w->payload_size > SYNTH_PAYLOAD_MAX) {
    synth__log_error(log,
                     "workload %s: payload_size %zu must be a multiple of 16 from 16 to "
                     "SYNTH_PAYLOAD_MAX (%d)",
                     w->name, w->payload_size, SYNTH_PAYLOAD_MAX);
    return SYNTH_EINVAL;
  }
  if (!w->prepare_roll)
    return bad(log, w->name, "prepare_roll is NULL");
  if (!w->verify)
    return bad(log, w->name, "verify is NULL");
  if (!w->adopt_data != !w->free_job)
    return bad(log, w->name, "adopt_data and free_job come together");
  int rc = check_cores(w, log);
  return rc ? rc : check_kernels(w, log);
}
