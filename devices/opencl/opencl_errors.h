/* opencl_errors.h: OpenCL status codes as names, for messages a person can act on. */
#ifndef SYNTH_DEVICES_OPENCL_ERRORS_H
#define SYNTH_DEVICES_OPENCL_ERRORS_H

#include <CL/cl.h>

/* "CL_OUT_OF_RESOURCES", or "CL error -9999" for a code outside the 1.2 table (in a static
 * buffer per thread). Thread-safe. */
const char *synth__cl_error_name(cl_int err);

#endif
