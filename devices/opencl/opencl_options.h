/* opencl_options.h: the OpenCL backend's settings ("opencl.lanes=2"), indexes into its table. */
#ifndef SYNTH_DEVICES_OPENCL_OPTIONS_H
#define SYNTH_DEVICES_OPENCL_OPTIONS_H

#include "devices/device.h"

enum synth__cl_option {
  SYNTH_CL_OPT_WORK_GROUP,
  SYNTH_CL_OPT_LANES,
  SYNTH_CL_OPT_BUILD_OPTIONS,
};

extern const struct synth__device_option synth__opencl_options[];

#endif
