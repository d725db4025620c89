/* test_vulkan.c: the Vulkan backend on a real Vulkan device (lavapipe in CI): the shared GPU
 * suite (tests/support/gpu_suite.c, the pipeline cache among it) plus what only Vulkan has:
 * specialization constants, the staging and unified result paths, allocation failures.
 * Argument: the Vulkan device index (default 0). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/vulkan/vulkan_backend.h"
#include "devices/vulkan/vulkan_device.h"
#include "devices/vulkan/vulkan_options.h"
#include "sha256d/sha256d_workload.h"
#include "support/fixtures.h"
#include "support/gpu_suite.h"
#include "synth/error.h"

extern const struct synth__device_ops synth__vulkan_device_ops;

/* A second backend with changed settings; the caller destroys it. */
static void *backend_with(struct synth__probe_config cfg)
{
  void *b = NULL;
  CU_ASSERT_EQUAL_FATAL(gpu.ops->backend_create(&cfg, &b), 0);
  return b;
}

static void two_random_batches(void *dev)
{
  /* 20001: no multiple of any workgroup size or nonce count below */
  gpu_expect_same_random(dev, 2, 20001);
}

/* Every workgroup size, nonce count and multiply-add level computes exactly the reference's
 * hits. */
static void test_specialization_variants_agree(void)
{
  static const struct {
    unsigned work_group, nonces, mad_adds;
  } variants[] = {{64, 1, 0}, {32, 3, 1}, {128, 2, 2}, {256, 4, 3},
                  {8, 1, 4},  {96, 5, 5}, {16, 7, 6},  {512, 1, 7}};
  for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
    struct synth__probe_config cfg = gpu.cfg;
    const struct synth__option_value opts[SYNTH_DEVICE_OPTIONS_MAX] = {
        [SYNTH_VK_OPT_WORK_GROUP] = {.set = true, .number = variants[v].work_group},
        [SYNTH_VK_OPT_NONCES] = {.set = true, .number = variants[v].nonces},
        [SYNTH_VK_OPT_MAD_ADDS] = {.set = true, .number = variants[v].mad_adds},
    };
    cfg.options = opts;
    void *b = backend_with(cfg);
    void *dev = gpu_open(b, &synth__sha256d_workload);
    struct vk_device *d = dev;
    CU_ASSERT_EQUAL(d->work_group, variants[v].work_group);
    CU_ASSERT_EQUAL(d->nonces, variants[v].nonces);
    CU_ASSERT_EQUAL(d->tuning, variants[v].mad_adds);
    CU_ASSERT_EQUAL(gpu.ops->self_test(dev, &synth__sha256d_workload), 0);
    two_random_batches(dev);
    gpu.ops->close(dev);
    gpu.ops->backend_destroy(b);
  }
}

/* Results read through a staging copy agree with results read in place. */
static void test_staging_copy_agrees(void)
{
  void *b = backend_with(gpu.cfg);
  synth__vk_backend_test_hooks(b, 0, true);
  void *dev = gpu_open(b, &synth__sha256d_workload);
  CU_ASSERT_FALSE(((struct vk_device *)dev)->unified);
  CU_ASSERT_EQUAL(gpu.ops->self_test(dev, &synth__sha256d_workload), 0);
  two_random_batches(dev);
  gpu.ops->close(dev);
  gpu.ops->backend_destroy(b);
  /* A CPU device shares the host's memory: there the default reads in place. */
  if (gpu.tested->host_cpu) {
    dev = gpu_open(NULL, &synth__sha256d_workload);
    CU_ASSERT_TRUE(((struct vk_device *)dev)->unified);
    gpu.ops->close(dev);
  }
}

static void test_work_group_limits(void)
{
  struct synth__probe_config cfg = gpu.cfg;
  struct synth__option_value opts[SYNTH_DEVICE_OPTIONS_MAX] = {
      [SYNTH_VK_OPT_WORK_GROUP] = {.set = true, .number = 64}};
  cfg.options = opts;
  void *b = backend_with(cfg);
  void *dev = gpu_open(b, &synth__sha256d_workload);
  char engine[32];
  gpu.ops->engine(dev, engine, sizeof engine);
  CU_ASSERT_PTR_NOT_NULL(strstr(engine, "wg64"));
  gpu.ops->close(dev);
  gpu.ops->backend_destroy(b);
  opts[SYNTH_VK_OPT_WORK_GROUP].number = 1 << 20; /* above any device's limit */
  b = backend_with(cfg);
  gpu_log_clear();
  dev = NULL;
  CU_ASSERT_EQUAL(gpu.ops->open(b, gpu.tested, &synth__sha256d_workload, &dev), SYNTH_EINVAL);
  CU_ASSERT_PTR_NULL(dev);
  CU_ASSERT_PTR_NOT_NULL(strstr(gpu_logged, "above its limit"));
  gpu.ops->backend_destroy(b);
}

/* Out of device memory at any allocation of open: a clear error, nothing left behind (the
 * sanitizer build checks the latter). */
static void test_allocation_failure(void)
{
  /* The abort word, one in the middle and the last (then 2 slots x 3 buffers, with staging). */
  for (unsigned at = 1; at <= 7; at += 3) {
    void *b = backend_with(gpu.cfg);
    synth__vk_backend_test_hooks(b, at, true);
    gpu_log_clear();
    void *dev = NULL;
    CU_ASSERT_EQUAL(gpu.ops->open(b, gpu.tested, &synth__sha256d_workload, &dev), SYNTH_ENOMEM);
    CU_ASSERT_PTR_NULL(dev);
    CU_ASSERT_PTR_NOT_NULL(strstr(gpu_logged, "cannot allocate"));
    gpu.ops->backend_destroy(b);
  }
}

/* A lost device refuses new batches and hands back the ones it held, marked failed. */
static void test_lost_device_refuses_work(void)
{
  void *dev = gpu_open(NULL, &synth__sha256d_workload);
  synth__vk_inject_fault(dev, SYNTH_FAULT_EXEC, 1);
  static struct synth__batch b[2];
  static uint8_t payload[SYNTH_PAYLOAD_MAX];
  static atomic_uint epoch;
  struct synth_known_answer ka;
  synth__sha256d_workload.known_answer(payload, &ka);
  for (int i = 0; i < 2; i++) {
    memset(&b[i], 0, sizeof b[i]);
    b[i].payload = payload;
    b[i].range.count = 4096;
    b[i].ctl = (struct synth_scan_ctl){
        .epoch_now = &epoch, .hits = b[i].hits, .max_hits = SYNTH_BATCH_MAX_HITS};
    CU_ASSERT_EQUAL(gpu.ops->submit(dev, &b[i]), 0);
  }
  for (int i = 0; i < 2; i++) {
    struct synth__batch *done = NULL;
    int rc;
    while ((rc = gpu.ops->poll(dev, &done, 100)) == SYNTH_EAGAIN)
      ;
    CU_ASSERT_EQUAL(rc, SYNTH_EDEVICE);
    CU_ASSERT_PTR_EQUAL(done, &b[i]);
    CU_ASSERT_EQUAL(b[i].status, SYNTH_EDEVICE);
    CU_ASSERT_EQUAL(b[i].done, 0);
  }
  CU_ASSERT_EQUAL(gpu.ops->submit(dev, &b[0]), SYNTH_EDEVICE);
  gpu.ops->close(dev);
}

static bool from_cache(void *dev)
{
  return ((struct vk_device *)dev)->from_cache;
}

int main(int argc, char **argv)
{
  return gpu_suite_main(
      argc, argv, &synth__vulkan_device_ops, synth__vk_inject_fault, from_cache,
      SYNTH_TESTS(GPU_SUITE_TESTS, SYNTH_TEST(test_specialization_variants_agree),
                  SYNTH_TEST(test_staging_copy_agrees), SYNTH_TEST(test_work_group_limits),
                  SYNTH_TEST(test_allocation_failure), SYNTH_TEST(test_lost_device_refuses_work)));
}
