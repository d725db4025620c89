/* test_sensor_nvml.c: the NVML sensor source against the stub NVML (support/nvml_stub.h):
 * loading, finding a GPU, readings and their units, failures, the power limit, threads. */
#include <dlfcn.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "support/harness.h"
#include "support/nvml_stub.h"
#include "telemetry/sensor.h"

#define ALL                                                                                        \
  (SYNTH__SENSE_TEMP | SYNTH__SENSE_POWER | SYNTH__SENSE_ENERGY | SYNTH__SENSE_CLOCK |             \
   SYNTH__SENSE_LIMIT | SYNTH__SENSE_THROTTLE)

static const char *const uuids[] = {
    "GPU-5b2c1f0e-8a3d-4e6f-9b1a-0c2d3e4f5a6b",
    "GPU-D0E1F2A3-B4C5-4D6E-8F70-81920A1B2C3D", /* NVML's case is not ours to assume */
    "GPU-00112233-4455-6677-8899-aabbccddeeff",
};
static const char *const pcis[] = {"00000000:17:00.0", "00000000:ab:00.0", "00000000:65:00.0"};

/* The 16 bytes Vulkan would give for NVML's UUID string @s. */
static void uuid_of(const char *s, unsigned char out[16])
{
  char hex[33];
  size_t n = 0;
  for (s += 4; *s && n < 32; s++)
    if (*s != '-')
      hex[n++] = *s;
  hex[n] = '\0';
  CU_ASSERT_EQUAL_FATAL(synth_test_unhex(hex, out, 16), 16);
}

/* Three GPUs, told apart by every value: GPU i reads 60 + i C, 200.5 + i W, ... */
static void three_gpus(void)
{
  nvml_stub_reset();
  for (unsigned i = 0; i < 3; i++)
    nvml_stub_set_gpu(i, uuids[i], pcis[i], 60 + i, 200500 + 1000 * i, 5000 + i, 1800 + i,
                      250000 + 1000 * i, 100000, 300000, 0);
}

static struct synth__nvml *open_stub(void)
{
  char why[256] = "untouched";
  struct synth__nvml *n = synth__nvml_open(NVML_STUB_PATH, why, sizeof why);
  CU_ASSERT_PTR_NOT_NULL_FATAL(n);
  CU_ASSERT_STRING_EQUAL(why, "");
  return n;
}

static void test_open_missing_library(void)
{
  char why[256] = "";
  CU_ASSERT_PTR_NULL(synth__nvml_open("/nonexistent/libnvidia-ml.so.1", why, sizeof why));
  CU_ASSERT_PTR_NOT_NULL(strstr(why, "no NVML"));
  CU_ASSERT_PTR_NOT_NULL(strstr(why, "/nonexistent/libnvidia-ml.so.1"));
  CU_ASSERT_PTR_NULL(synth__nvml_open("/nonexistent/libnvidia-ml.so.1", NULL, 0)); /* no why */
}

static void test_open_not_nvml(void)
{
  char why[256] = "";
  CU_ASSERT_PTR_NULL(synth__nvml_open("libc.so.6", why, sizeof why));
  CU_ASSERT_PTR_NOT_NULL(strstr(why, "libc.so.6"));
  CU_ASSERT_PTR_NOT_NULL(strstr(why, "nvmlInit_v2"));
}

static void test_init_fails_in_nvmls_words(void)
{
  three_gpus();
  nvml_stub_fail("nvmlInit_v2", NVML_ERROR_DRIVER_NOT_LOADED);
  char why[256] = "";
  CU_ASSERT_PTR_NULL(synth__nvml_open(NVML_STUB_PATH, why, sizeof why));
  CU_ASSERT_STRING_EQUAL(why, "nvmlInit_v2: Driver Not Loaded");
  CU_ASSERT_EQUAL(nvml_stub_calls("nvmlInit_v2"), 1);
  CU_ASSERT_EQUAL(nvml_stub_calls("nvmlShutdown"), 0); /* nothing to shut down */

  /* Init works but the count does not: NVML is shut down again. */
  nvml_stub_fail("nvmlInit_v2", NVML_SUCCESS);
  nvml_stub_fail("nvmlDeviceGetCount_v2", NVML_ERROR_GPU_IS_LOST);
  CU_ASSERT_PTR_NULL(synth__nvml_open(NVML_STUB_PATH, why, sizeof why));
  CU_ASSERT_STRING_EQUAL(why, "nvmlDeviceGetCount_v2: GPU is lost");
  CU_ASSERT_EQUAL(nvml_stub_calls("nvmlShutdown"), 1);
  CU_ASSERT_EQUAL(nvml_stub_initialized(), 0);
}

static void test_open_close(void)
{
  three_gpus();
  struct synth__nvml *n = open_stub();
  CU_ASSERT_EQUAL(nvml_stub_initialized(), 1);
  CU_ASSERT_EQUAL(nvml_stub_calls("nvmlDeviceGetHandleByIndex_v2"), 3); /* every handle, once */
  synth__nvml_close(n);
  CU_ASSERT_EQUAL(nvml_stub_calls("nvmlShutdown"), 1);
  CU_ASSERT_EQUAL(nvml_stub_initialized(), 0);
  synth__nvml_close(NULL);
  CU_ASSERT_EQUAL(nvml_stub_calls("nvmlShutdown"), 1);
}

static void test_find_by_uuid(void)
{
  three_gpus();
  struct synth__nvml *n = open_stub();
  for (int i = 0; i < 3; i++) {
    unsigned char u[16];
    uuid_of(uuids[i], u);
    CU_ASSERT_EQUAL(synth__nvml_find(n, u, NULL), i);
    CU_ASSERT_EQUAL(synth__nvml_find(n, u, pcis[(i + 1) % 3]), i); /* the UUID comes first */
  }
  unsigned char other[16] = {0x5b, 0x2c, 0x1f, 0x0e}; /* GPU 0's start, not the rest */
  CU_ASSERT_EQUAL(synth__nvml_find(n, other, NULL), -1);
  CU_ASSERT_EQUAL(synth__nvml_find(n, other, ""), -1);
  CU_ASSERT_EQUAL(synth__nvml_find(n, other, "0000:65:00.0"), 2); /* then the PCI address */
  synth__nvml_close(n);
}

static void test_find_by_pci(void)
{
  three_gpus();
  struct synth__nvml *n = open_stub();
  /* Ours has a 4-digit domain, NVML's 8; either case. */
  CU_ASSERT_EQUAL(synth__nvml_find(n, NULL, "0000:17:00.0"), 0);
  CU_ASSERT_EQUAL(synth__nvml_find(n, NULL, "0000:AB:00.0"), 1);
  CU_ASSERT_EQUAL(synth__nvml_find(n, NULL, "0000:ab:00.0"), 1);
  CU_ASSERT_EQUAL(synth__nvml_find(n, NULL, "0000:65:00.0"), 2);
  CU_ASSERT_EQUAL(synth__nvml_find(n, NULL, "0000:18:00.0"), -1);
  CU_ASSERT_EQUAL(synth__nvml_find(n, NULL, "0000:17:00.1"), -1);
  unsigned calls = nvml_stub_calls("nvmlDeviceGetHandleByPciBusId_v2");
  CU_ASSERT_EQUAL(synth__nvml_find(n, NULL, ""), -1);
  CU_ASSERT_EQUAL(synth__nvml_find(n, NULL, NULL), -1);
  CU_ASSERT_EQUAL(nvml_stub_calls("nvmlDeviceGetHandleByPciBusId_v2"), calls); /* not asked */
  CU_ASSERT_EQUAL(synth__nvml_find(NULL, NULL, "0000:17:00.0"), -1);

  /* No UUIDs to be had: the PCI address still finds it. */
  unsigned char u[16];
  uuid_of(uuids[1], u);
  nvml_stub_fail("nvmlDeviceGetUUID", NVML_ERROR_NOT_SUPPORTED);
  CU_ASSERT_EQUAL(synth__nvml_find(n, u, NULL), -1);
  CU_ASSERT_EQUAL(synth__nvml_find(n, u, "0000:ab:00.0"), 1);
  synth__nvml_close(n);
}

static void test_readings_and_units(void)
{
  three_gpus();
  nvml_stub_set_gpu(1, uuids[1], pcis[1], 71, 215500, 900000, 1890, 250000, 100000, 300000,
                    nvmlClocksThrottleReasonSwPowerCap);
  struct synth__nvml *n = open_stub();
  struct synth__sensor_reading r;
  synth__nvml_read(n, 1, &r);
  CU_ASSERT_EQUAL(r.have, ALL);
  CU_ASSERT_DOUBLE_EQUAL(r.temp_c, 71, 1e-9);
  CU_ASSERT_DOUBLE_EQUAL(r.power_w, 215.5, 1e-9);  /* mW */
  CU_ASSERT_DOUBLE_EQUAL(r.energy_j, 0, 1e-9);     /* since open: the first read is the origin */
  CU_ASSERT_DOUBLE_EQUAL(r.clock_mhz, 1890, 1e-9); /* the SM clock */
  CU_ASSERT_DOUBLE_EQUAL(r.limit_w, 250, 1e-9);    /* mW */
  CU_ASSERT_EQUAL(r.throttle, SYNTH__THROTTLE_POWER);

  nvml_stub_set_energy(1, 907500); /* mJ */
  synth__nvml_read(n, 1, &r);
  CU_ASSERT_DOUBLE_EQUAL(r.energy_j, 7.5, 1e-9);
  nvml_stub_set_energy(1, 905000); /* a counter going back adds nothing */
  synth__nvml_read(n, 1, &r);
  CU_ASSERT_DOUBLE_EQUAL(r.energy_j, 7.5, 1e-9);
  nvml_stub_set_energy(1, 908000);
  synth__nvml_read(n, 1, &r);
  CU_ASSERT_DOUBLE_EQUAL(r.energy_j, 8.0, 1e-9);

  /* Each device its own values and its own energy origin. */
  synth__nvml_read(n, 2, &r);
  CU_ASSERT_EQUAL(r.have, ALL);
  CU_ASSERT_DOUBLE_EQUAL(r.temp_c, 62, 1e-9);
  CU_ASSERT_DOUBLE_EQUAL(r.power_w, 202.5, 1e-9);
  CU_ASSERT_DOUBLE_EQUAL(r.energy_j, 0, 1e-9);
  CU_ASSERT_DOUBLE_EQUAL(r.clock_mhz, 1802, 1e-9);
  CU_ASSERT_DOUBLE_EQUAL(r.limit_w, 252, 1e-9);
  CU_ASSERT_EQUAL(r.throttle, 0);

  /* No such device: nothing read, whatever was in the struct before. */
  int bad[] = {-1, 3, 1000};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    r.have = ALL;
    synth__nvml_read(n, bad[i], &r);
    CU_ASSERT_EQUAL(r.have, 0);
  }
  synth__nvml_close(n);
}

static void test_throttle_folding(void)
{
  static const struct {
    unsigned long long nvml;
    unsigned want;
  } cases[] = {
      {0, 0},
      {nvmlClocksThrottleReasonGpuIdle, 0}, /* idle is not throttling */
      {nvmlClocksThrottleReasonSwPowerCap, SYNTH__THROTTLE_POWER},
      {nvmlClocksThrottleReasonHwPowerBrakeSlowdown | nvmlClocksThrottleReasonHwSlowdown,
       SYNTH__THROTTLE_POWER},
      {nvmlClocksThrottleReasonSwThermalSlowdown, SYNTH__THROTTLE_THERMAL},
      {nvmlClocksThrottleReasonHwThermalSlowdown | nvmlClocksThrottleReasonHwSlowdown,
       SYNTH__THROTTLE_THERMAL},
      {nvmlClocksThrottleReasonHwSlowdown, SYNTH__THROTTLE_OTHER}, /* it does not say why */
      {nvmlClocksThrottleReasonSyncBoost, SYNTH__THROTTLE_OTHER},
      {nvmlClocksThrottleReasonApplicationsClocksSetting, SYNTH__THROTTLE_OTHER},
      {nvmlClocksThrottleReasonDisplayClockSetting, SYNTH__THROTTLE_OTHER},
      {0x200, SYNTH__THROTTLE_OTHER}, /* a reason newer than us */
      {nvmlClocksThrottleReasonGpuIdle | nvmlClocksThrottleReasonSwPowerCap |
           nvmlClocksThrottleReasonSwThermalSlowdown,
       SYNTH__THROTTLE_POWER | SYNTH__THROTTLE_THERMAL},
      {nvmlClocksThrottleReasonSwPowerCap | nvmlClocksThrottleReasonSyncBoost,
       SYNTH__THROTTLE_POWER | SYNTH__THROTTLE_OTHER},
  };
  three_gpus();
  struct synth__nvml *n = open_stub();
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    nvml_stub_set_gpu(0, uuids[0], pcis[0], 60, 200500, 5000, 1800, 250000, 100000, 300000,
                      cases[i].nvml);
    struct synth__sensor_reading r;
    synth__nvml_read(n, 0, &r);
    CU_ASSERT_TRUE(r.have & SYNTH__SENSE_THROTTLE);
    CU_ASSERT_EQUAL(r.throttle, cases[i].want);
    if (r.throttle != cases[i].want)
      fprintf(stderr, "throttle 0x%llx: got %u, want %u\n", cases[i].nvml, r.throttle,
              cases[i].want);
  }
  synth__nvml_close(n);
}

static void test_failing_function_leaves_its_field_out(void)
{
  static const struct {
    const char *function;
    unsigned field;
  } cases[] = {
      {"nvmlDeviceGetTemperature", SYNTH__SENSE_TEMP},
      {"nvmlDeviceGetPowerUsage", SYNTH__SENSE_POWER},
      {"nvmlDeviceGetTotalEnergyConsumption", SYNTH__SENSE_ENERGY},
      {"nvmlDeviceGetClockInfo", SYNTH__SENSE_CLOCK},
      {"nvmlDeviceGetEnforcedPowerLimit", SYNTH__SENSE_LIMIT},
      {"nvmlDeviceGetCurrentClocksThrottleReasons", SYNTH__SENSE_THROTTLE},
  };
  three_gpus();
  struct synth__nvml *n = open_stub();
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    CU_ASSERT_EQUAL_FATAL(nvml_stub_fail(cases[i].function, NVML_ERROR_NOT_SUPPORTED), 0);
    struct synth__sensor_reading r;
    synth__nvml_read(n, 0, &r);
    CU_ASSERT_EQUAL(r.have, ALL & ~cases[i].field);
    if (r.have != (ALL & ~cases[i].field))
      fprintf(stderr, "%s failing: have 0x%x\n", cases[i].function, r.have);
    /* The others still read right. */
    if (cases[i].field != SYNTH__SENSE_TEMP)
      CU_ASSERT_DOUBLE_EQUAL(r.temp_c, 60, 1e-9);
    if (cases[i].field != SYNTH__SENSE_POWER)
      CU_ASSERT_DOUBLE_EQUAL(r.power_w, 200.5, 1e-9);
    if (cases[i].field != SYNTH__SENSE_LIMIT)
      CU_ASSERT_DOUBLE_EQUAL(r.limit_w, 250, 1e-9);
    nvml_stub_fail(cases[i].function, NVML_SUCCESS);
  }
  synth__nvml_close(n);
}

/* The old stub's own controls: a second library, loaded by synth__nvml_open only (so only
 * while a handle on it is open). */
typedef int set_gpu_fn(unsigned, const char *, const char *, unsigned, unsigned, unsigned long long,
                       unsigned, unsigned, unsigned, unsigned, unsigned long long);
typedef int fail_fn(const char *, nvmlReturn_t);

static void *old_control(const char *name)
{
  void *lib = dlopen(NVML_STUB_OLD_PATH, RTLD_NOW | RTLD_NOLOAD);
  CU_ASSERT_PTR_NOT_NULL_FATAL(lib);
  void *f = dlsym(lib, name);
  dlclose(lib); /* drops only the reference NOLOAD took */
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  return f;
}

static void test_old_driver(void)
{
  nvml_stub_reset();
  char why[256] = "";
  struct synth__nvml *keep = synth__nvml_open(NVML_STUB_OLD_PATH, why, sizeof why);
  CU_ASSERT_PTR_NOT_NULL_FATAL(keep);
  set_gpu_fn *set_gpu = (set_gpu_fn *)old_control("nvml_stub_set_gpu");
  fail_fn *fail = (fail_fn *)old_control("nvml_stub_fail");
  /* Scripted after the first open, which counted no GPU: a second handle sees it. */
  set_gpu(0, uuids[0], pcis[0], 60, 200500, 5000, 1800, 250000, 100000, 300000,
          nvmlClocksThrottleReasonSwPowerCap);
  struct synth__nvml *n = synth__nvml_open(NVML_STUB_OLD_PATH, why, sizeof why);
  CU_ASSERT_PTR_NOT_NULL_FATAL(n);

  /* No energy counter, no throttle reasons: only those fields are left out. */
  struct synth__sensor_reading r;
  synth__nvml_read(n, 0, &r);
  CU_ASSERT_EQUAL(r.have, ALL & ~(SYNTH__SENSE_ENERGY | SYNTH__SENSE_THROTTLE));
  CU_ASSERT_DOUBLE_EQUAL(r.power_w, 200.5, 1e-9);
  CU_ASSERT_EQUAL(synth__nvml_find(n, NULL, "0000:17:00.0"), 0);
  CU_ASSERT_EQUAL(synth__nvml_find(keep, NULL, "0000:17:00.0"), -1); /* opened before it */

  /* No way to set a limit, said so. */
  double previous = -1;
  CU_ASSERT_EQUAL(synth__nvml_set_power_limit(n, 0, 200, &previous, why, sizeof why), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(why, "cannot set power limits"));
  CU_ASSERT_EQUAL(previous, -1);
  synth__nvml_close(n);

  /* No nvmlErrorString: the code's number instead of NVML's words. */
  fail("nvmlInit_v2", NVML_ERROR_DRIVER_NOT_LOADED);
  CU_ASSERT_PTR_NULL(synth__nvml_open(NVML_STUB_OLD_PATH, why, sizeof why));
  CU_ASSERT_STRING_EQUAL(why, "nvmlInit_v2: NVML error 9");
  fail("nvmlInit_v2", NVML_SUCCESS);
  synth__nvml_close(keep);
  /* The stub linked here was never touched by any of this. */
  CU_ASSERT_EQUAL(nvml_stub_calls("nvmlInit_v2"), 0);
}

static void test_set_power_limit(void)
{
  three_gpus(); /* GPU 0: 250 W, constraints 100-300 W */
  struct synth__nvml *n = open_stub();
  char why[256] = "";
  double previous = -1;
  CU_ASSERT_EQUAL(synth__nvml_set_power_limit(n, 0, 200, &previous, why, sizeof why), 0);
  CU_ASSERT_DOUBLE_EQUAL(previous, 250, 1e-9);
  CU_ASSERT_EQUAL(nvml_stub_limit_mw(0), 200000);
  CU_ASSERT_EQUAL(synth__nvml_set_power_limit(n, 0, 150.4, &previous, why, sizeof why), 0);
  CU_ASSERT_DOUBLE_EQUAL(previous, 200, 1e-9);
  CU_ASSERT_EQUAL(nvml_stub_limit_mw(0), 150400);
  /* Clamped to the constraints. */
  CU_ASSERT_EQUAL(synth__nvml_set_power_limit(n, 0, 50, &previous, why, sizeof why), 0);
  CU_ASSERT_DOUBLE_EQUAL(previous, 150.4, 1e-9);
  CU_ASSERT_EQUAL(nvml_stub_limit_mw(0), 100000);
  CU_ASSERT_EQUAL(synth__nvml_set_power_limit(n, 0, 1000, &previous, why, sizeof why), 0);
  CU_ASSERT_DOUBLE_EQUAL(previous, 100, 1e-9);
  CU_ASSERT_EQUAL(nvml_stub_limit_mw(0), 300000);
  CU_ASSERT_EQUAL(nvml_stub_limit_mw(1), 251000); /* the others untouched */
  CU_ASSERT_EQUAL(synth__nvml_set_power_limit(n, 0, 250, NULL, why, sizeof why), 0);
  CU_ASSERT_EQUAL(nvml_stub_limit_mw(0), 250000);

  /* Not root: NVML's words and what they mean; nothing changed. */
  nvml_stub_deny_set(true);
  previous = -1;
  CU_ASSERT_EQUAL(synth__nvml_set_power_limit(n, 0, 200, &previous, why, sizeof why), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(why, "nvmlDeviceSetPowerManagementLimit"));
  CU_ASSERT_PTR_NOT_NULL(strstr(why, "Insufficient Permissions"));
  CU_ASSERT_PTR_NOT_NULL(strstr(why, "root"));
  CU_ASSERT_EQUAL(previous, -1);
  CU_ASSERT_EQUAL(nvml_stub_limit_mw(0), 250000);
  nvml_stub_deny_set(false);

  /* Not supported on this board. */
  nvml_stub_fail("nvmlDeviceSetPowerManagementLimit", NVML_ERROR_NOT_SUPPORTED);
  CU_ASSERT_EQUAL(synth__nvml_set_power_limit(n, 0, 200, &previous, why, sizeof why), -1);
  CU_ASSERT_STRING_EQUAL(why, "nvmlDeviceSetPowerManagementLimit: Not Supported");
  nvml_stub_fail("nvmlDeviceSetPowerManagementLimit", NVML_SUCCESS);

  /* The limit now cannot be read, so it could not be restored: not set. */
  nvml_stub_fail("nvmlDeviceGetPowerManagementLimit", NVML_ERROR_UNKNOWN);
  unsigned sets = nvml_stub_calls("nvmlDeviceSetPowerManagementLimit");
  CU_ASSERT_EQUAL(synth__nvml_set_power_limit(n, 0, 200, &previous, why, sizeof why), -1);
  CU_ASSERT_STRING_EQUAL(why, "nvmlDeviceGetPowerManagementLimit: Unknown Error");
  CU_ASSERT_EQUAL(nvml_stub_calls("nvmlDeviceSetPowerManagementLimit"), sets);
  nvml_stub_fail("nvmlDeviceGetPowerManagementLimit", NVML_SUCCESS);

  /* No constraints known: NVML itself refuses what is out of range. */
  nvml_stub_fail("nvmlDeviceGetPowerManagementLimitConstraints", NVML_ERROR_NOT_SUPPORTED);
  CU_ASSERT_EQUAL(synth__nvml_set_power_limit(n, 0, 1000, &previous, why, sizeof why), -1);
  CU_ASSERT_STRING_EQUAL(why, "nvmlDeviceSetPowerManagementLimit: Invalid Argument");
  CU_ASSERT_EQUAL(synth__nvml_set_power_limit(n, 0, 220, &previous, why, sizeof why), 0);
  CU_ASSERT_EQUAL(nvml_stub_limit_mw(0), 220000);
  nvml_stub_fail("nvmlDeviceGetPowerManagementLimitConstraints", NVML_SUCCESS);

  /* Not a device, not a limit. */
  CU_ASSERT_EQUAL(synth__nvml_set_power_limit(n, 7, 200, &previous, why, sizeof why), -1);
  CU_ASSERT_STRING_EQUAL(why, "no NVML device 7");
  CU_ASSERT_EQUAL(synth__nvml_set_power_limit(n, 0, NAN, &previous, why, sizeof why), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(why, "not a power limit"));
  CU_ASSERT_EQUAL(synth__nvml_set_power_limit(n, 0, -5, &previous, why, sizeof why), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(why, "not a power limit"));
  CU_ASSERT_EQUAL(nvml_stub_limit_mw(0), 220000);
  synth__nvml_close(n);
}

#define THREADS 4
#define READS 2000

struct reader {
  struct synth__nvml *n;
  atomic_uint *bad;
};

/* Reads device 0 over and over: every field there, energy never going down. */
static void *read_loop(void *arg)
{
  struct reader *rd = arg;
  double last = 0;
  for (int i = 0; i < READS; i++) {
    struct synth__sensor_reading r;
    synth__nvml_read(rd->n, 0, &r);
    if (r.have != ALL || r.energy_j < last || r.power_w != 200.5)
      atomic_fetch_add(rd->bad, 1);
    last = r.energy_j;
  }
  return NULL;
}

static void test_threads_share_one_handle(void)
{
  three_gpus();
  nvml_stub_energy_step(3); /* every energy read finds 3 mJ more */
  struct synth__nvml *n = open_stub();
  struct synth__sensor_reading r;
  synth__nvml_read(n, 0, &r); /* the origin */
  CU_ASSERT_DOUBLE_EQUAL(r.energy_j, 0, 1e-9);
  atomic_uint bad = 0;
  struct reader rd = {n, &bad};
  pthread_t t[THREADS];
  for (int i = 0; i < THREADS; i++)
    CU_ASSERT_EQUAL_FATAL(pthread_create(&t[i], NULL, read_loop, &rd), 0);
  for (int i = 0; i < THREADS; i++)
    pthread_join(t[i], NULL);
  CU_ASSERT_EQUAL(atomic_load(&bad), 0);
  /* Not a millijoule lost or counted twice, however the reads interleaved. */
  synth__nvml_read(n, 0, &r);
  CU_ASSERT_DOUBLE_EQUAL(r.energy_j, 3.0 * (THREADS * READS + 1) / 1000, 1e-9);
  synth__nvml_close(n);
}

SYNTH_TEST_MAIN("sensor_nvml", SYNTH_TEST(test_open_missing_library),
                SYNTH_TEST(test_open_not_nvml), SYNTH_TEST(test_init_fails_in_nvmls_words),
                SYNTH_TEST(test_open_close), SYNTH_TEST(test_find_by_uuid),
                SYNTH_TEST(test_find_by_pci), SYNTH_TEST(test_readings_and_units),
                SYNTH_TEST(test_throttle_folding),
                SYNTH_TEST(test_failing_function_leaves_its_field_out), SYNTH_TEST(test_old_driver),
                SYNTH_TEST(test_set_power_limit), SYNTH_TEST(test_threads_share_one_handle))
