/* device_twins.h: one physical GPU seen through both OpenCL and Vulkan, driven through one. */
#ifndef SYNTH_RUNTIME_DEVICE_TWINS_H
#define SYNTH_RUNTIME_DEVICE_TWINS_H

#include <stddef.h>

#include "devices/device.h"

struct synth__logger;

enum synth__prefer {
  SYNTH_PREFER_AUTO, /* the faster, by a short benchmark once both are open */
  SYNTH_PREFER_OPENCL,
  SYNTH_PREFER_VULKAN,
};

/* Parses --prefer: NULL or "auto", "opencl", "vulkan". Returns 0, or SYNTH_EINVAL with the
 * reason logged. */
int synth__prefer_parse(const char *text, enum synth__prefer *out, const struct synth__logger *log);

/*
 * Links every OpenCL device to the Vulkan device that is the same hardware (the same device
 * UUID, or where either API lacks one, the same PCI address), naming each in the other's
 * twin. Where both would hash and neither was named by its id, a preference for one API
 * deselects the other; under AUTO both stay selected for the runtime to measure. Returns the
 * number of pairs.
 */
size_t synth__twins_pair(struct synth__desc_list *opencl, struct synth__desc_list *vulkan,
                         enum synth__prefer prefer, const struct synth__logger *log);

/* A device opened and self-tested, waiting for the scheduler. */
struct synth__opened {
  const struct synth__device_ops *ops;
  void *dev;
  struct synth__device_desc desc;
  double latency_s;
};

/*
 * For every OpenCL device whose twin (desc.twin) was opened too (--prefer auto): each hashes
 * the workload's known answer alone for measure_ms and the slower is closed, so the GPU is
 * driven through one API. A device whose rate cannot be measured loses. devs keeps its order;
 * returns how many are left.
 */
size_t synth__twins_choose(struct synth__opened *devs, size_t n,
                           const struct synth_workload *workload, unsigned measure_ms,
                           const struct synth__logger *log);

#endif
