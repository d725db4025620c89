/* opencl_program.c: builds a device's program, from a disk cache when it was built before. */
#include "devices/opencl/opencl_program.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/logger.h"
#include "devices/cache_file.h"
#include "devices/opencl/opencl_errors.h"
#include "kernels/synth_prelude_cl.h"
#include "precompute/sha256.h"
#include "synth/error.h"

#define MAX_LOG 2000

static void hash_info(struct synth__sha256 *h, cl_device_id dev, cl_device_info what)
{
  char buf[512] = {0};
  clGetDeviceInfo(dev, what, sizeof buf - 1, buf, NULL);
  synth__sha256_update(h, buf, strlen(buf) + 1);
}

/* "<cache_dir>/opencl/<64 hex digits>.bin" for this device, driver, options and source. */
static void cache_path(cl_device_id dev, const char *source, const char *options,
                       const char *cache_dir, char *path, size_t size)
{
  struct synth__sha256 h;
  uint8_t digest[32];
  cl_platform_id platform;
  char pver[256] = {0};
  clGetDeviceInfo(dev, CL_DEVICE_PLATFORM, sizeof platform, &platform, NULL);
  clGetPlatformInfo(platform, CL_PLATFORM_VERSION, sizeof pver - 1, pver, NULL);
  synth__sha256_init(&h);
  synth__sha256_update(&h, pver, strlen(pver) + 1);
  hash_info(&h, dev, CL_DEVICE_NAME);
  hash_info(&h, dev, CL_DEVICE_VENDOR);
  hash_info(&h, dev, CL_DEVICE_VERSION);
  hash_info(&h, dev, CL_DRIVER_VERSION);
  synth__sha256_update(&h, options, strlen(options) + 1);
  synth__sha256_update(&h, synth__opencl_prelude, strlen(synth__opencl_prelude) + 1);
  synth__sha256_update(&h, source, strlen(source) + 1);
  synth__sha256_final(&h, digest);
  synth__cache_path(cache_dir, "opencl", digest, path, size);
}

static int build(cl_program prog, cl_device_id dev, const char *options,
                 const struct synth__logger *log, const char *label, bool quiet)
{
  cl_int err = clBuildProgram(prog, 1, &dev, options, NULL, NULL);
  if (err == CL_SUCCESS) {
    /* What the compiler said (registers, spills with -cl-nv-verbose) is worth a debug line. */
    char text[MAX_LOG + 1] = {0};
    clGetProgramBuildInfo(prog, dev, CL_PROGRAM_BUILD_LOG, MAX_LOG, text, NULL);
    if (text[0] && text[0] != '\n')
      synth__log_debug(log, "%s: build log:\n%s", label, text);
    return 0;
  }
  if (!quiet) {
    char *text = calloc(1, MAX_LOG + 1);
    if (text)
      clGetProgramBuildInfo(prog, dev, CL_PROGRAM_BUILD_LOG, MAX_LOG, text, NULL);
    synth__log_error(log, "%s: kernel build failed (%s); build log:\n%s", label,
                     synth__cl_error_name(err), text && *text ? text : "(empty)");
    free(text);
  }
  return SYNTH_EDEVICE;
}

/* Tries the cached binary. Returns a built program, or NULL. */
static cl_program load_cached(cl_context ctx, cl_device_id dev, const char *path,
                              const char *options, const struct synth__logger *log,
                              const char *label)
{
  size_t len = 0;
  unsigned char *bin = synth__cache_read(path, &len);
  if (!bin)
    return NULL;
  const unsigned char *bins[1] = {bin};
  cl_int status, err;
  cl_program prog = clCreateProgramWithBinary(ctx, 1, &dev, &len, bins, &status, &err);
  if (prog && (err != CL_SUCCESS || status != CL_SUCCESS ||
               build(prog, dev, options, log, label, true) != 0)) {
    clReleaseProgram(prog);
    prog = NULL;
  }
  if (!prog)
    synth__log_warn(log, "%s: cached kernel %s unusable; compiling again", label, path);
  free(bin);
  return prog;
}

/* Stores the built binary for the next start. */
static void store(cl_program prog, const char *path, const struct synth__logger *log,
                  const char *label)
{
  size_t size = 0;
  unsigned char *bin = NULL;
  if (clGetProgramInfo(prog, CL_PROGRAM_BINARY_SIZES, sizeof size, &size, NULL) == CL_SUCCESS &&
      size > 0)
    bin = malloc(size);
  unsigned char *bins[1] = {bin};
  if (!bin || clGetProgramInfo(prog, CL_PROGRAM_BINARIES, sizeof bins, bins, NULL) != CL_SUCCESS ||
      synth__cache_write(path, bin, size) != 0)
    synth__log_warn(log, "%s: cannot cache the kernel as %s", label, path);
  free(bin);
}

int synth__cl_program_build(cl_context ctx, cl_device_id dev, const char *source,
                            const char *options, const char *cache_dir,
                            const struct synth__logger *log, const char *label, cl_program *out,
                            bool *from_cache)
{
  char path[1200] = {0};
  *from_cache = false;
  if (cache_dir && *cache_dir) {
    cache_path(dev, source, options, cache_dir, path, sizeof path);
    *out = load_cached(ctx, dev, path, options, log, label);
    if (*out) {
      *from_cache = true;
      return 0;
    }
  }
  cl_int err;
  /* Every workload's kernel is built after the prelude it may use (kernels/synth_prelude.cl). */
  const char *sources[2] = {synth__opencl_prelude, source};
  cl_program prog = clCreateProgramWithSource(ctx, 2, sources, NULL, &err);
  if (!prog) {
    synth__log_error(log, "%s: cannot create the program: %s", label, synth__cl_error_name(err));
    return err == CL_OUT_OF_HOST_MEMORY ? SYNTH_ENOMEM : SYNTH_EDEVICE;
  }
  int rc = build(prog, dev, options, log, label, false);
  if (rc != 0) {
    clReleaseProgram(prog);
    return rc;
  }
  if (path[0])
    store(prog, path, log, label);
  *out = prog;
  return 0;
}
