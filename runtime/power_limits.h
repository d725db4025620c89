/* power_limits.h: the runtime config's power_limit list ("350", "gpu=350,cpu=60,opencl:0=300"). */
#ifndef SYNTH_RUNTIME_POWER_LIMITS_H
#define SYNTH_RUNTIME_POWER_LIMITS_H

#include <stddef.h>

#include "devices/device.h"

/* Whether @spec is well formed (NULL and "" are: no limit). Returns 0, or SYNTH_EINVAL with
 * the reason in @why. */
int synth__power_limits_check(const char *spec, char *why, size_t why_size);

/* The limit of device @desc in watts under a checked @spec: its id's entry, else its kind's
 * ("gpu": an OpenCL or Vulkan GPU, "cpu": a native CPU worker; also "opencl", "vulkan"), else
 * a bare number; 0: none. */
double synth__power_limit_of(const char *spec, const struct synth__device_desc *desc);

#endif
