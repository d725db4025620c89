/* cpu_options.h: the CPU backend's settings ("cpu.threads=2"), indexes into its option table. */
#ifndef SYNTH_DEVICES_CPU_OPTIONS_H
#define SYNTH_DEVICES_CPU_OPTIONS_H

#include "devices/device.h"

enum synth__cpu_option {
  SYNTH_CPU_OPT_THREADS,
  SYNTH_CPU_OPT_AFFINITY,
  SYNTH_CPU_OPT_CORE,
};

extern const struct synth__device_option synth__cpu_options[];

#endif
