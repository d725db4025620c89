/* device_select.h: the --devices list ("all", "everything", "cpu", "opencl:1", ...) parsed and
 * applied. */
#ifndef SYNTH_RUNTIME_DEVICE_SELECT_H
#define SYNTH_RUNTIME_DEVICE_SELECT_H

#include <stdbool.h>
#include <stddef.h>

#include "devices/device.h"

struct synth__logger;

#define SYNTH_SELECT_MAX 64

struct synth__device_pick {
  enum synth_device_kind kind;
  int index; /* -1: the devices the backend offers by default; else that device explicitly */
};

struct synth__device_selection {
  bool all;      /* "all" or "everything": each backend's default devices */
  bool host_cpu; /* "everything": OpenCL and Vulkan devices on the host CPU too */
  struct synth__device_pick picks[SYNTH_SELECT_MAX];
  size_t n;
};

/* Parses a device list; NULL or "" means "all". Returns 0, or SYNTH_EINVAL with the reason
 * logged (which names every word the list takes). */
int synth__device_selection_parse(const char *spec, struct synth__device_selection *sel,
                                  const struct synth__logger *log);

/* Whether any device of this kind could be selected (so its backend must be probed). */
bool synth__device_selection_wants(const struct synth__device_selection *sel,
                                   enum synth_device_kind kind);

/* Whether desc, the kind_index-th device of its kind, hashes. */
bool synth__device_selection_match(const struct synth__device_selection *sel,
                                   const struct synth__device_desc *desc, int kind_index);

/* Whether the list names the kind_index-th device of kind by its id ("opencl:1"). */
bool synth__device_selection_names(const struct synth__device_selection *sel,
                                   enum synth_device_kind kind, int kind_index);

#endif
