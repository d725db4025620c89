/* device_options.h: the backends' own settings from the config ("opencl.lanes=8,cpu.core=avx2"
 * and the deprecated typed fields), parsed and checked against each backend's option table. */
#ifndef SYNTH_RUNTIME_DEVICE_OPTIONS_H
#define SYNTH_RUNTIME_DEVICE_OPTIONS_H

#include <stddef.h>

#include "devices/device.h"
#include "synth/runtime.h"

struct synth__logger;

struct synth__device_options {
  /* values[b]: the options of synth__device_backends[b], indexed like its table */
  struct synth__option_value values[SYNTH_MAX_BACKENDS][SYNTH_DEVICE_OPTIONS_MAX];
  char *text; /* a copy of device_options, cut into items: string values point into it */
};

/*
 * Fills out from cfg->device_options; an option given twice takes the later value. Returns 0, or
 * SYNTH_EINVAL with one message naming the option (an unknown backend or option, a malformed item,
 * a value of the wrong type or out of range), SYNTH_ENOMEM. Free out with
 * synth__device_options_free either way.
 */
int synth__device_options_parse(const struct synth_runtime_config *cfg,
                                const struct synth__logger *log, struct synth__device_options *out);
void synth__device_options_free(struct synth__device_options *opts);

/* The registry's index of the backend whose name is the len bytes at kind, or -1. */
int synth__device_backend_index(const char *kind, size_t len);

/* Sets values[i] for ops's option called name from text, checked against its table entry.
 * from names the config field the text came from (in messages), or is NULL. String values
 * keep pointing at text. Returns 0 or SYNTH_EINVAL, the reason logged. */
int synth__device_option_set(const struct synth__device_ops *ops,
                             struct synth__option_value *values, const char *name, const char *text,
                             const char *from, const struct synth__logger *log);

#endif
