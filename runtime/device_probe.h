/* device_probe.h: asks every built-in backend for its devices and applies the --devices list. */
#ifndef SYNTH_RUNTIME_DEVICE_PROBE_H
#define SYNTH_RUNTIME_DEVICE_PROBE_H

#include <stddef.h>

#include "devices/device.h"
#include "synth/runtime.h"

struct synth__logger;

struct synth__probed {
  const struct synth__device_ops *ops;
  void *backend;                 /* owned until taken (set to NULL) */
  struct synth__desc_list descs; /* desc.selected is the final decision */
  char topology[640];
};

struct synth__probe_set {
  struct synth__probed items[SYNTH_MAX_BACKENDS];
  size_t n;
  size_t selected;
};

/*
 * Creates the backends the config's device list can use, lists their devices and marks the
 * ones that hash. Returns 0, SYNTH_EINVAL (bad list or config), or SYNTH_ENODEV (a named
 * device or backend that does not exist, or nothing selected); reasons are logged. On error
 * nothing needs freeing.
 */
int synth__probe_devices(const struct synth_runtime_config *cfg, const struct synth__logger *log,
                         struct synth__probe_set *set);

/* Destroys the backends still owned by the set and frees the lists. */
void synth__probe_set_free(struct synth__probe_set *set);

#endif
