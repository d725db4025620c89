/* opencl_program.h: builds a device's program, from a disk cache when it was built before. */
#ifndef SYNTH_DEVICES_OPENCL_PROGRAM_H
#define SYNTH_DEVICES_OPENCL_PROGRAM_H

#include <stdbool.h>

#include <CL/cl.h>

struct synth__logger;

/*
 * Returns 0 and a built *out, or SYNTH_EDEVICE (the build log is logged, prefixed by label) /
 * SYNTH_ENOMEM. With cache_dir, a binary kept there under a key of the platform, device,
 * driver version, build options and source is tried first (*from_cache says whether it was
 * used), and a fresh build is stored there; a cache that cannot be read or written only costs
 * a compile.
 */
int synth__cl_program_build(cl_context ctx, cl_device_id dev, const char *source,
                            const char *options, const char *cache_dir,
                            const struct synth__logger *log, const char *label, cl_program *out,
                            bool *from_cache);

#endif
