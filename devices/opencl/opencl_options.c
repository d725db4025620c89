/* opencl_options.c: the OpenCL backend's settings, checked by the generic parser before it
 * opens; what needs the device (a work-group above the kernel's limit) is checked at open. */
#include "devices/opencl/opencl_options.h"

#include <stdio.h>

#include "synth/error.h"

/* The kernel takes its nonces as an OpenCL vector, and those come in powers of two. */
static int check_lanes(long long lanes, char *why, size_t size)
{
  if ((lanes & (lanes - 1)) == 0)
    return 0;
  snprintf(why, size, "must be 1, 2, 4, 8 or 16");
  return SYNTH_EINVAL;
}

const struct synth__device_option synth__opencl_options[] = {
    [SYNTH_CL_OPT_WORK_GROUP] = {"work_group", SYNTH_OPTION_UINT, 1, 65536, NULL,
                                 "the device's preferred multiple, up to 256",
                                 "work-group size; above the kernel's limit is an error", NULL},
    [SYNTH_CL_OPT_LANES] = {"lanes", SYNTH_OPTION_UINT, 1, 16, NULL,
                            "the device's preferred int vector width",
                            "nonces per work-item, in a vector: 1, 2, 4, 8 or 16", check_lanes},
    [SYNTH_CL_OPT_BUILD_OPTIONS] = {"build_options", SYNTH_OPTION_STRING, 1, 255, NULL,
                                    "the vendor's (NVIDIA: -D MAD_ADDS=5 "
                                    "-cl-nv-maxrregcount=128)",
                                    "extra compiler options, for tuning; they replace the "
                                    "vendor's",
                                    NULL},
    {NULL},
};
