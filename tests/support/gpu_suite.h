/* gpu_suite.h: the tests every GPU-style backend (OpenCL, Vulkan) must pass on a real device:
 * kernel against the reference, exact coverage through the scheduler, job switches, and the
 * failure paths. Each backend's test file adds what only it has. */
#ifndef SYNTH_TESTS_GPU_SUITE_H
#define SYNTH_TESTS_GPU_SUITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/logger.h"
#include "devices/device.h"
#include "devices/device_fault.h"
#include "support/harness.h"

/* The backend and device under test, set up by gpu_suite_main. */
struct gpu_suite {
  const struct synth__device_ops *ops;
  void (*inject_fault)(void *dev, enum synth__device_fault fault, unsigned at);
  bool (*from_cache)(void *dev); /* whether the opened device's kernel came from the cache */
  void *backend;
  struct synth__probe_config cfg; /* what backend was created with */
  struct synth__desc_list descs;
  const struct synth__device_desc *tested;
};
extern struct gpu_suite gpu;

/* Every message of the library, also kept in gpu_logged for the tests to search. */
extern const struct synth__logger gpu_logger;
extern char gpu_logged[65536];
void gpu_log_clear(void);

/* Opens the tested device of gpu.backend (or of backend, when not NULL) for the workload;
 * fails the test when it cannot. */
void *gpu_open(void *backend, const struct synth_workload *wl);

/* Hashes [start, start + count) of header under target on dev and compares the hits, in
 * order, with OpenSSL's. */
void gpu_expect_same(void *dev, const uint8_t header[80], const uint8_t target[32], uint32_t start,
                     uint32_t count);

/* gpu_expect_same on rounds random headers, each from a random start under a target about one
 * hash in 1000 meets. */
void gpu_expect_same_random(void *dev, int rounds, uint32_t count);

/* The shared tests, for a backend's own list. */
void gpu_test_random_headers(void);
void gpu_test_real_headers(void);
void gpu_test_planted_boundary(void);
void gpu_test_range_edges(void);
void gpu_test_overflow_counted(void);
void gpu_test_many_batches_exact_coverage(void);
void gpu_test_failed_batch_returns_its_units(void);
void gpu_test_failed_submit_returns_its_units(void);
void gpu_test_hung_batch_returns_its_units(void);
void gpu_test_job_switch_with_batches_in_flight(void);
void gpu_test_abandoned_launch(void);
void gpu_test_kernel_cache(void);

#define GPU_SUITE_TESTS                                                                            \
  SYNTH_TEST(gpu_test_random_headers), SYNTH_TEST(gpu_test_real_headers),                          \
      SYNTH_TEST(gpu_test_planted_boundary), SYNTH_TEST(gpu_test_range_edges),                     \
      SYNTH_TEST(gpu_test_overflow_counted), SYNTH_TEST(gpu_test_many_batches_exact_coverage),     \
      SYNTH_TEST(gpu_test_failed_batch_returns_its_units),                                         \
      SYNTH_TEST(gpu_test_failed_submit_returns_its_units),                                        \
      SYNTH_TEST(gpu_test_hung_batch_returns_its_units),                                           \
      SYNTH_TEST(gpu_test_job_switch_with_batches_in_flight),                                      \
      SYNTH_TEST(gpu_test_abandoned_launch), SYNTH_TEST(gpu_test_kernel_cache)

/*
 * Sets gpu up for the backend of @ops (its fault and cache hooks given), creates the backend,
 * picks the device whose index among the backend's devices is argv[1] (default 0) and runs tests
 * on it as the suite named after the backend. Exits 77 (skipped) when the backend or the device
 * is missing. Returns main's status.
 */
int gpu_suite_main(int argc, char **argv, const struct synth__device_ops *ops,
                   void (*inject_fault)(void *dev, enum synth__device_fault fault, unsigned at),
                   bool (*from_cache)(void *dev), const struct synth_test *tests);

#endif
