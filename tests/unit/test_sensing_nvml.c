/* test_sensing_nvml.c: a scheduler's GPU-like fake device bound to the NVML stub by its UUID:
 * its readings in the stats, a power limit held by duty cycle, and, where allowed, the GPU's
 * own power limit set, refused (no rights: said, the duty cycle holds it alone) and put back
 * when the limit is lifted and when the scheduler is destroyed. */
#include <string.h>

#include "base/logger.h"
#include "scheduler/scheduler.h"
#include "scheduler/sensing.h"
#include "support/coverage_workload.h"
#include "support/fake_device.h"
#include "support/harness.h"
#include "support/log_capture.h"
#include "support/nvml_stub.h"

#define UUID "GPU-5b2c1f0e-8a3d-4e6f-9b1a-0c2d3e4f5a6b"
static const unsigned char uuid_bytes[16] = {0x5b, 0x2c, 0x1f, 0x0e, 0x8a, 0x3d, 0x4e, 0x6f,
                                             0x9b, 0x1a, 0x0c, 0x2d, 0x3e, 0x4f, 0x5a, 0x6b};

static const struct synth__logger logger = {log_capture_fn, NULL, SYNTH_LOG_INFO};

/* One fake GPU on a running finite-free job; the stub's GPU draws 300 W at 64 C, limit 700 W. */
static struct synth__sched *start(bool device_limit, struct cover_job **cj)
{
  log_capture_clear();
  nvml_stub_reset();
  nvml_stub_set_gpu(0, UUID, "00000000:17:00.0", 64, 300000, 1000000, 1980, 700000, 200000, 700000,
                    0);
  nvml_stub_energy_step(100); /* 0.1 J a read: the energy moves */
  struct synth__sched_config cfg = {.unit_log2 = 12, .log = &logger};
  struct synth__sched *s;
  CU_ASSERT_EQUAL_FATAL(synth__sched_create(&s, &cfg), 0);
  struct synth__device_desc desc = fake_device_desc(0);
  desc.kind = SYNTH_DEVICE_VULKAN;
  memcpy(desc.uuid, uuid_bytes, 16);
  desc.has_uuid = 1;
  /* GPU-like: simulated at 100 MH/s, several batches in flight */
  struct fake_script script = {.simulate = true, .nphases = 1, .phases = {{.rate = 1e8}}};
  CU_ASSERT_EQUAL_FATAL(synth__sched_add_device(s, &fake_gpu_ops,
                                                fake_device_new(&cover_workload, &script), &desc,
                                                0.002),
                        0);
  struct synth__sensing_config sc = {
      .nvml_library = NVML_STUB_PATH, .period_ms = 50, .device_power_limit = device_limit};
  CU_ASSERT_EQUAL_FATAL(synth__sched_sensors(s, &sc), 0);
  /* open-ended: the simulated device never scans, so the job's own coverage table stays small */
  *cj = cover_job_new(1, 0, 1u << 12, 1u << 30);
  struct synth__job *job;
  CU_ASSERT_EQUAL_FATAL(synth__job_create(&job, &cover_workload, *cj, NULL, 0, 0), 0);
  CU_ASSERT_EQUAL_FATAL(synth__sched_set_job(s, job, true), 0);
  CU_ASSERT_EQUAL_FATAL(synth__sched_start(s), 0);
  return s;
}

static struct synth_device_stats stats(struct synth__sched *s)
{
  struct synth_device_stats st;
  synth__sched_device_stats(s, 0, &st);
  return st;
}

static void limit(struct synth__sched *s, double watts)
{
  struct synth__limit_config lc = {.power_limit_w = watts};
  synth__sensing_set_limits(s, &lc);
}

static void test_readings(void)
{
  struct cover_job *cj;
  struct synth__sched *s = start(false, &cj);
  struct synth_device_stats st;
  SYNTH_TEST_WAIT(((st = stats(s)).sensed & SYNTH_SENSED_ENERGY) && st.energy_j > 0 &&
                  st.joules_per_th > 0);
  CU_ASSERT_STRING_EQUAL(st.sensor, "nvml");
  CU_ASSERT_DOUBLE_EQUAL(st.temp_c, 64, 1e-9);
  CU_ASSERT_DOUBLE_EQUAL(st.power_w, 300, 1e-9);
  CU_ASSERT_DOUBLE_EQUAL(st.clock_mhz, 1980, 1e-9);
  CU_ASSERT_DOUBLE_EQUAL(st.power_limit_w, 700, 1e-9);
  CU_ASSERT_EQUAL(st.throttle, 0);
  synth__sched_destroy(s);
  CU_ASSERT_EQUAL(nvml_stub_initialized(), 0); /* shut down with the scheduler */
  cover_job_free(cj);
}

/* Without leave to touch the GPU: the duty cycle alone, and the GPU's limit untouched. */
static void test_duty_cycle_only(void)
{
  struct cover_job *cj;
  struct synth__sched *s = start(false, &cj);
  limit(s, 250); /* the stub draws 300 W whatever the duty: the loop goes down to its floor */
  struct synth_device_stats st;
  SYNTH_TEST_WAIT(((st = stats(s)).limited & SYNTH_LIMITED_POWER) && st.duty < 0.5);
  CU_ASSERT_EQUAL(nvml_stub_limit_mw(0), 700000);
  CU_ASSERT_EQUAL(nvml_stub_calls("nvmlDeviceSetPowerManagementLimit"), 0);
  uint64_t n0 = st.nonces;
  SYNTH_TEST_WAIT(stats(s).nonces > n0); /* held back, still hashing */
  limit(s, 0);
  SYNTH_TEST_WAIT((st = stats(s)).duty == 1.0 && st.limited == 0);
  synth__sched_destroy(s);
  cover_job_free(cj);
}

/* With leave: the GPU's own limit follows ours and is put back. */
static void test_device_limit(void)
{
  struct cover_job *cj;
  struct synth__sched *s = start(true, &cj);
  limit(s, 250);
  CU_ASSERT_EQUAL(nvml_stub_limit_mw(0), 250000);
  CU_ASSERT(log_capture_has("its own power limit set to 250 W (was 700 W)"));
  limit(s, 400);
  CU_ASSERT_EQUAL(nvml_stub_limit_mw(0), 400000);
  limit(s, 0); /* lifted: back to what it was before the first change */
  CU_ASSERT_EQUAL(nvml_stub_limit_mw(0), 700000);
  CU_ASSERT(log_capture_has("its own power limit back to 700 W"));
  limit(s, 300);
  CU_ASSERT_EQUAL(nvml_stub_limit_mw(0), 300000);
  synth__sched_destroy(s); /* and when the scheduler goes */
  CU_ASSERT_EQUAL(nvml_stub_limit_mw(0), 700000);
  cover_job_free(cj);

  /* No rights: said once per change, nothing set, the duty cycle holds the limit. */
  s = start(true, &cj);
  nvml_stub_deny_set(true);
  limit(s, 250);
  CU_ASSERT_EQUAL(nvml_stub_limit_mw(0), 700000);
  CU_ASSERT(log_capture_has("cannot set its own power limit to 250 W"));
  CU_ASSERT(log_capture_has("the duty cycle holds it alone"));
  struct synth_device_stats st;
  SYNTH_TEST_WAIT(((st = stats(s)).limited & SYNTH_LIMITED_POWER) && st.duty < 0.5);
  synth__sched_destroy(s);
  CU_ASSERT_EQUAL(nvml_stub_limit_mw(0), 700000);
  cover_job_free(cj);
}

SYNTH_TEST_MAIN("sensing_nvml", SYNTH_TEST(test_readings), SYNTH_TEST(test_duty_cycle_only),
                SYNTH_TEST(test_device_limit))
