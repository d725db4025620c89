/* test_opencl.c: the OpenCL backend on a real OpenCL device (PoCL in CI): the shared GPU suite
 * (tests/support/gpu_suite.c, the kernel cache among it) plus what only OpenCL has: lane
 * vectors, build options and logs, work-group sizes. Argument: the OpenCL device index (default
 * 0). */
/* The OpenCL version the backend is built against (devices/opencl/CMakeLists.txt), before the
 * first CL header. */
#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 120
#endif
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/opencl/opencl_device.h"
#include "devices/opencl/opencl_options.h"
#include "sha256d/sha256d_workload.h"
#include "support/fixtures.h"
#include "support/gpu_suite.h"
#include "synth/error.h"

extern const struct synth__device_ops synth__opencl_device_ops;

/* Every lane count, and user build options next to the defaults, must compute exactly the
 * same hits as the reference. */
static void test_lane_variants_agree(void)
{
  static const char *const options[] = {"-D MAD_ADDS=0", "-D MAD_ADDS=1", "-D MAD_ADDS=2",
                                        "-D MAD_ADDS=3", "-D MAD_ADDS=4", "-D MAD_ADDS=5",
                                        "-D MAD_ADDS=6", "-D MAD_ADDS=7"};
  static const unsigned lanes[] = {1, 2, 4, 1, 2, 1, 2, 1};
  for (size_t v = 0; v < 8; v++) {
    struct synth__probe_config cfg = gpu.cfg;
    const struct synth__option_value opts[SYNTH_DEVICE_OPTIONS_MAX] = {
        [SYNTH_CL_OPT_LANES] = {.set = true, .number = lanes[v]},
        [SYNTH_CL_OPT_BUILD_OPTIONS] = {.set = true, .text = options[v]},
    };
    cfg.options = opts;
    void *b2 = NULL, *dev = NULL;
    CU_ASSERT_EQUAL_FATAL(gpu.ops->backend_create(&cfg, &b2), 0);
    CU_ASSERT_EQUAL_FATAL(gpu.ops->open(b2, gpu.tested, &synth__sha256d_workload, &dev), 0);
    CU_ASSERT_EQUAL(gpu.ops->self_test(dev, &synth__sha256d_workload), 0);
    gpu_expect_same_random(dev, 2, 20001);
    gpu.ops->close(dev);
    gpu.ops->backend_destroy(b2);
  }
}

static void test_build_failure_logs_the_build_log(void)
{
  static const struct synth_opencl_kernel broken = {
      .source = "__kernel void sha256d_scan(__global uint *r) { r[0] = undeclared_thing; }",
      .entry = "sha256d_scan"};
  struct synth_workload wl = synth__sha256d_workload;
  wl.opencl = &broken;
  gpu_log_clear();
  void *dev = NULL;
  CU_ASSERT_EQUAL(gpu.ops->open(gpu.backend, gpu.tested, &wl, &dev), SYNTH_EDEVICE);
  CU_ASSERT_PTR_NULL(dev);
  CU_ASSERT_PTR_NOT_NULL(strstr(gpu_logged, "build log"));
  CU_ASSERT_PTR_NOT_NULL(strstr(gpu_logged, "undeclared_thing"));
}

static void test_work_group_override(void)
{
  struct synth__probe_config cfg = gpu.cfg;
  void *b2 = NULL, *dev = NULL;
  struct synth__option_value opts[SYNTH_DEVICE_OPTIONS_MAX] = {
      [SYNTH_CL_OPT_WORK_GROUP] = {.set = true, .number = 64}};
  cfg.options = opts;
  CU_ASSERT_EQUAL_FATAL(gpu.ops->backend_create(&cfg, &b2), 0);
  CU_ASSERT_EQUAL_FATAL(gpu.ops->open(b2, gpu.tested, &synth__sha256d_workload, &dev), 0);
  char engine[32];
  gpu.ops->engine(dev, engine, sizeof engine);
  CU_ASSERT_PTR_NOT_NULL(strstr(engine, "wg64"));
  CU_ASSERT_EQUAL(gpu.ops->self_test(dev, &synth__sha256d_workload), 0);
  gpu.ops->close(dev);
  gpu.ops->backend_destroy(b2);
  opts[SYNTH_CL_OPT_WORK_GROUP].number = 1 << 20; /* above any device's limit */
  CU_ASSERT_EQUAL_FATAL(gpu.ops->backend_create(&cfg, &b2), 0);
  CU_ASSERT_EQUAL(gpu.ops->open(b2, gpu.tested, &synth__sha256d_workload, &dev), SYNTH_EINVAL);
  gpu.ops->backend_destroy(b2);
}

static bool from_cache(void *dev)
{
  return ((struct cl_device *)dev)->from_cache;
}

int main(int argc, char **argv)
{
  return gpu_suite_main(argc, argv, &synth__opencl_device_ops, synth__cl_inject_fault, from_cache,
                        SYNTH_TESTS(GPU_SUITE_TESTS, SYNTH_TEST(test_lane_variants_agree),
                                    SYNTH_TEST(test_build_failure_logs_the_build_log),
                                    SYNTH_TEST(test_work_group_override)));
}
