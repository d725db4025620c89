/* test_sensing.c: a CPU worker bound to a recorded sysfs tree (k10temp and RAPL of an AMD EPYC)
 * whose files a model thread keeps writing: power follows how busy the worker is, temperature
 * follows power. Readings reach the stats, a power limit holds the modelled power, an abort
 * temperature stops the worker until it has cooled, and it hashes again after. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "support/fake_sysfs.h"
#include "support/harness.h"
#include "support/log_capture.h"
#include "synth/miner.h"
#include "synth/synth.h"

#define RAPL "class/powercap/intel-rapl:0/energy_uj"
#define TEMP "class/hwmon/hwmon0/temp1_input"

/* The model: idle 10 W, 50 W flat out; 40 C idle, 90 C flat out, with a 0.5 s lag. */
#define IDLE_W 10.0
#define FULL_W 50.0

struct model {
  char root[512];
  synth_runtime *rt;
  pthread_t thread;
  atomic_bool stop;
  _Atomic double power_w, busy;
  _Atomic double joules, seconds; /* the model's energy and time, for mean power over a span */
  double temp_c, energy_uj;
  uint64_t cursor;
};

static void *model_main(void *arg)
{
  struct model *m = arg;
  double last = synth_test_now_s(), busy_avg = 0;
  m->energy_uj = 43417316562.0; /* the recording's counter */
  m->temp_c = 40;
  while (!atomic_load(&m->stop)) {
    synth_test_sleep_ms(10); /* a counter that moves far more often than it is read */
    double now = synth_test_now_s(), dt = now - last;
    last = now;
    /* how much of that time the worker spent in batches */
    struct synth_batch_record recs[256];
    size_t n = 0;
    double busy_ms = 0;
    synth_runtime_batch_trace(m->rt, 0, &m->cursor, recs, 256, &n);
    for (size_t i = 0; i < n; i++)
      busy_ms += recs[i].latency_ms;
    double busy = busy_ms / (dt * 1e3);
    busy = busy > 1 ? 1 : busy;
    busy_avg += (busy - busy_avg) * (dt / 0.5 > 1 ? 1 : dt / 0.5);
    double p = IDLE_W + (FULL_W - IDLE_W) * busy_avg;
    atomic_store(&m->busy, busy_avg);
    atomic_store(&m->power_w, p);
    atomic_store(&m->joules, atomic_load(&m->joules) + p * dt);
    atomic_store(&m->seconds, atomic_load(&m->seconds) + dt);
    m->energy_uj += p * dt * 1e6;
    m->temp_c += (40 + 50 * busy_avg - m->temp_c) * (dt / 0.5 > 1 ? 1 : dt / 0.5);
    char text[32];
    snprintf(text, sizeof text, "%.0f\n", m->energy_uj);
    fake_sysfs_write(m->root, RAPL, text);
    snprintf(text, sizeof text, "%.0f\n", m->temp_c * 1000);
    fake_sysfs_write(m->root, TEMP, text);
  }
  return NULL;
}

static void on_share(void *user, const struct synth_share *share)
{
  (void)user;
  (void)share;
}

/* A one-worker miner on the tree, its model running. */
static void start(struct model *m, struct synth_runtime_config rc)
{
  memset(m, 0, sizeof *m);
  log_capture_clear();
  CU_ASSERT_EQUAL_FATAL(
      fake_sysfs_build(SYNTH_TEST_SYSFS_DIR "/amd-epyc-k10temp.txt", m->root, sizeof m->root), 0);
  rc.devices = "cpu";
  rc.device_options = "cpu.threads=1";
  rc.sensor_root = m->root;
  rc.nvml_library = "";
  rc.sensor_period_ms = 100;
  rc.log_fn = log_capture_fn;
  rc.log_level = SYNTH_LOG_INFO;
  CU_ASSERT_EQUAL_FATAL(synth_miner_create(&m->rt, &rc, &(struct synth_miner_config){on_share, m}),
                        0);
  struct synth_job job;
  synth_benchmark_job(&job, 0);
  CU_ASSERT_EQUAL_FATAL(synth_runtime_set_job(m->rt, &job), 0);
  CU_ASSERT_EQUAL_FATAL(synth_runtime_start(m->rt), 0);
  atomic_init(&m->stop, false);
  atomic_init(&m->joules, 0.0);
  atomic_init(&m->seconds, 0.0);
  CU_ASSERT_EQUAL_FATAL(pthread_create(&m->thread, NULL, model_main, m), 0);
}

static void stop(struct model *m)
{
  atomic_store(&m->stop, true);
  pthread_join(m->thread, NULL);
  synth_runtime_destroy(m->rt);
  fake_sysfs_destroy(m->root);
}

static struct synth_device_stats stats(struct model *m)
{
  return synth_test_device_stats(m->rt, 0);
}

/* The readings, in the stats: the package's sensors, its energy and the efficiency. */
static void test_readings(void)
{
  struct model m;
  start(&m, (struct synth_runtime_config){0});
  struct synth_device_stats s;
  SYNTH_TEST_WAIT(((s = stats(&m)).sensed & SYNTH_SENSED_ENERGY) && s.joules_per_th > 0 &&
                  (s.sensed & SYNTH_SENSED_TEMP) && s.temp_c > 40.5);
  CU_ASSERT_PTR_NOT_NULL(strstr(s.sensor, "rapl package-0"));
  CU_ASSERT_PTR_NOT_NULL(strstr(s.sensor, "k10temp"));
  CU_ASSERT(s.temp_c >= 40 && s.temp_c <= 90.5);
  CU_ASSERT(s.energy_j > 0);
  CU_ASSERT(s.hashes_per_joule > 0);
  CU_ASSERT_DOUBLE_EQUAL(s.joules_per_th * s.hashes_per_joule, 1e12, 1e6);
  CU_ASSERT_DOUBLE_EQUAL(s.duty, 1.0, 1e-9);
  CU_ASSERT_EQUAL(s.limited, 0);
  /* power from the counter's deltas: what the model wrote, within its own ramp */
  SYNTH_TEST_WAIT((s = stats(&m)).power_w > IDLE_W * 0.9 && s.power_w < FULL_W * 1.1);
  stop(&m);
}

/* A power limit between idle and flat out: the loop lowers the duty until the modelled power
 * is at the limit, and the worker still hashes. */
static void test_power_limit(void)
{
  const double limit = 30; /* the duty that draws it: 0.5 */
  struct model m;
  start(&m, (struct synth_runtime_config){.power_limit = "cpu=30"});
  struct synth_device_stats s;
  SYNTH_TEST_WAIT(((s = stats(&m)).limited & SYNTH_LIMITED_POWER) && s.duty < 0.8);
  /* held: the model's mean power over 2 s of its own time once the loop has settled (within
   * 3 %): energy over time, however often the model got to run */
  SYNTH_TEST_WAIT(atomic_load(&m.power_w) < limit * 1.03 && atomic_load(&m.power_w) > limit * 0.97);
  double j0 = atomic_load(&m.joules), s0 = atomic_load(&m.seconds);
  uint64_t n0 = stats(&m).nonces;
  SYNTH_TEST_WAIT(atomic_load(&m.seconds) - s0 >= 2.0);
  double mean = (atomic_load(&m.joules) - j0) / (atomic_load(&m.seconds) - s0);
  CU_ASSERT(mean < limit * 1.05 && mean > limit * 0.85); /* the goal: within 5 % */
  fprintf(stderr, "\n    limit %.0f W: modelled mean %.1f W over 2 s, duty %.2f\n", limit, mean,
          stats(&m).duty);
  SYNTH_TEST_WAIT(stats(&m).nonces > n0); /* limited, not stopped */
  CU_ASSERT(stats(&m).duty >= 0.02);
  /* Changed while it runs: a bad list changes nothing, lifting the limit frees the worker. */
  CU_ASSERT_EQUAL(synth_runtime_set_limits(m.rt, 0, 0, "cpu=x"), SYNTH_EINVAL);
  CU_ASSERT(stats(&m).limited & SYNTH_LIMITED_POWER);
  CU_ASSERT_EQUAL(synth_runtime_set_limits(m.rt, 0, 0, NULL), 0);
  SYNTH_TEST_WAIT((s = stats(&m)).duty == 1.0 && s.limited == 0);
  SYNTH_TEST_WAIT(atomic_load(&m.power_w) > limit * 1.1); /* back to full power */
  stop(&m);
}

/* At the abort temperature the worker stops (its model cools), then hashes again. */
static void test_abort_and_recovery(void)
{
  struct model m;
  start(&m, (struct synth_runtime_config){.temp_abort_c = 75});
  SYNTH_TEST_WAIT(stats(&m).limited & SYNTH_LIMITED_HOT);
  SYNTH_TEST_WAIT(log_capture_has("its abort temperature: stopped")); /* at its next batch */
  /* stopped: the model sees it idle and cools below 72 C */
  SYNTH_TEST_WAIT(!(stats(&m).limited & SYNTH_LIMITED_HOT));
  SYNTH_TEST_WAIT(log_capture_has("has cooled down: hashing again"));
  uint64_t n0 = stats(&m).nonces;
  SYNTH_TEST_WAIT(stats(&m).nonces > n0);
  CU_ASSERT_EQUAL(stats(&m).state != SYNTH_DEVICE_OUT, 1);
  stop(&m);
}

/* A runtime config with a malformed power limit or temperatures is refused. */
static void test_bad_limits(void)
{
  static const struct synth_runtime_config bad[] = {
      {.power_limit = "gpu="},
      {.power_limit = "gpu=-5"},
      {.power_limit = "abc=3"},
      {.power_limit = "cpu=3,"},
      {.power_limit = "opencl:x=3"},
      {.temp_limit_c = 500},
      {.temp_limit_c = 80, .temp_abort_c = 70},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    struct synth_runtime_config rc = bad[i];
    rc.devices = "cpu";
    rc.device_options = "cpu.threads=1";
    synth_runtime *rt = NULL;
    CU_ASSERT_EQUAL(synth_miner_create(&rt, &rc, NULL), SYNTH_EINVAL);
    CU_ASSERT_PTR_NULL(rt);
  }
  /* well formed: a bare number, kinds and ids */
  struct synth_runtime_config ok = {.devices = "cpu",
                                    .device_options = "cpu.threads=1",
                                    .power_limit = "200,gpu=350,cpu=60.5,opencl:0=300",
                                    .nvml_library = ""};
  synth_runtime *rt = NULL;
  CU_ASSERT_EQUAL(synth_miner_create(&rt, &ok, NULL), 0);
  synth_runtime_destroy(rt);
}

SYNTH_TEST_MAIN("sensing", SYNTH_TEST(test_readings), SYNTH_TEST(test_power_limit),
                SYNTH_TEST(test_abort_and_recovery), SYNTH_TEST(test_bad_limits))
