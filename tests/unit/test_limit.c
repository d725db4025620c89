/* test_limit.c: the duty-cycle loops against a simulated device whose power follows its duty
 * and whose temperature follows its power: limits held, abort and recovery, sensors missing. */
#include <math.h>

#include "support/harness.h"
#include "telemetry/limit.h"

#define DT 0.5 /* seconds between readings, as the sensor loop takes them */

/* A GPU-like device: 60 W idle, 400 W flat out; 25 °C air, 0.15 K/W, time constant 20 s. */
struct plant {
  double temp_c, power_w;
};

static double noise(void)
{
  return ((double)(synth_test_rand() % 2001) - 1000) / 1000.0; /* [-1, 1] */
}

static void plant_step(struct plant *p, double duty, bool running)
{
  p->power_w = running ? 60 + 340 * duty : 60;
  double steady = 25 + 0.15 * p->power_w;
  p->temp_c += (steady - p->temp_c) * DT / 20;
}

static struct synth__sensor_reading read_plant(const struct plant *p)
{
  return (struct synth__sensor_reading){.have = SYNTH__SENSE_TEMP | SYNTH__SENSE_POWER,
                                        .temp_c = p->temp_c + 0.2 * noise(),
                                        .power_w = p->power_w * (1 + 0.02 * noise())};
}

/* Simulates @seconds; the mean and 95th percentile of power over the last @window seconds. */
static void run(struct synth__limit *l, const struct synth__limit_config *cfg, struct plant *p,
                double seconds, double window, double *mean, double *p95, double *max_temp)
{
  static double w[4096];
  size_t steps = (size_t)(seconds / DT), from = steps - (size_t)(window / DT), n = 0;
  double sum = 0;
  *max_temp = 0;
  for (size_t i = 0; i < steps; i++) {
    plant_step(p, synth__limit_duty(l), !l->hot);
    struct synth__sensor_reading r = read_plant(p);
    synth__limit_step(l, cfg, &r, DT);
    if (i >= from && n < sizeof w / sizeof w[0]) {
      w[n++] = p->power_w;
      sum += p->power_w;
      if (p->temp_c > *max_temp)
        *max_temp = p->temp_c;
    }
  }
  *mean = n ? sum / (double)n : 0;
  synth_test_median(w, n);
  *p95 = n ? w[(n * 95) / 100] : 0;
}

static void test_power_limit_held(void)
{
  static const double limits[] = {350, 250, 150};
  for (size_t k = 0; k < 3; k++) {
    struct synth__limit l;
    synth__limit_init(&l);
    struct plant p = {25, 0};
    struct synth__limit_config cfg = {.power_limit_w = limits[k]};
    double mean, p95, tmax;
    run(&l, &cfg, &p, 60, 30, &mean, &p95, &tmax);
    CU_ASSERT(fabs(mean - limits[k]) <= 0.05 * limits[k]);
    CU_ASSERT(p95 <= 1.05 * limits[k]);
    double want = (limits[k] - 60) / 340; /* the duty that draws the limit */
    CU_ASSERT(fabs(synth__limit_duty(&l) - want) < 0.05);
    CU_ASSERT_EQUAL(synth__limit_reasons(&l), SYNTH__LIMIT_BY_POWER);
  }
  /* A limit above what the device draws: it runs flat out. */
  struct synth__limit l;
  synth__limit_init(&l);
  struct plant p = {25, 0};
  double mean, p95, tmax;
  run(&l, &(struct synth__limit_config){.power_limit_w = 500}, &p, 30, 10, &mean, &p95, &tmax);
  CU_ASSERT_DOUBLE_EQUAL(synth__limit_duty(&l), 1.0, 1e-9);
  CU_ASSERT_EQUAL(synth__limit_reasons(&l), 0);
}

static void test_temp_limit_held(void)
{
  struct synth__limit l;
  synth__limit_init(&l);
  struct plant p = {25, 0};
  struct synth__limit_config cfg = {.temp_limit_c = 70};
  double mean, p95, tmax;
  run(&l, &cfg, &p, 600, 300, &mean, &p95, &tmax);
  CU_ASSERT(tmax <= 71);
  /* held near the limit, not starved: 70 °C is 300 W, duty 0.7 */
  CU_ASSERT(tmax >= 64);
  CU_ASSERT(synth__limit_duty(&l) > 0.5 && synth__limit_duty(&l) < 0.85);
  CU_ASSERT(synth__limit_reasons(&l) & SYNTH__LIMIT_BY_TEMP);
  /* Cooler air (the limit is never reached): the duty goes back to 1. */
  cfg.temp_limit_c = 95;
  run(&l, &cfg, &p, 120, 10, &mean, &p95, &tmax);
  CU_ASSERT_DOUBLE_EQUAL(synth__limit_duty(&l), 1.0, 1e-9);
}

static void test_abort_and_recovery(void)
{
  struct synth__limit l;
  synth__limit_init(&l);
  struct plant p = {25, 0};
  struct synth__limit_config cfg = {.temp_abort_c = 80, .hysteresis_c = 5};
  bool went_hot = false, cooled = false;
  double hot_at = 0, back_at = 0;
  for (int i = 0; i < 2000 && !cooled; i++) {
    plant_step(&p, synth__limit_duty(&l), !l.hot);
    struct synth__sensor_reading r = {.have = SYNTH__SENSE_TEMP, .temp_c = p.temp_c};
    synth__limit_step(&l, &cfg, &r, DT);
    if (l.hot && !went_hot) {
      went_hot = true;
      hot_at = p.temp_c;
    }
    if (went_hot && !l.hot) {
      cooled = true;
      back_at = p.temp_c;
    }
  }
  CU_ASSERT_TRUE(went_hot);
  CU_ASSERT(hot_at >= 80 && hot_at < 81);
  CU_ASSERT_TRUE(cooled); /* stopped, it cools, and it may run again */
  CU_ASSERT(back_at < 75 && back_at > 73);
  CU_ASSERT(synth__limit_reasons(&l) == 0);
}

static void test_missing_sensors(void)
{
  struct synth__limit l;
  synth__limit_init(&l);
  struct synth__limit_config cfg = {.temp_limit_c = 60, .temp_abort_c = 70, .power_limit_w = 100};
  struct synth__sensor_reading hot = {
      .have = SYNTH__SENSE_TEMP | SYNTH__SENSE_POWER, .temp_c = 75, .power_w = 200};
  synth__limit_step(&l, &cfg, &hot, DT);
  double duty = synth__limit_duty(&l);
  CU_ASSERT(duty < 1);
  CU_ASSERT_TRUE(l.hot);
  /* Nothing read: the loops hold where they are. */
  struct synth__sensor_reading none = {0};
  for (int i = 0; i < 100; i++)
    synth__limit_step(&l, &cfg, &none, DT);
  CU_ASSERT_DOUBLE_EQUAL(synth__limit_duty(&l), duty, 1e-12);
  CU_ASSERT_TRUE(l.hot);
  /* No limits: nothing holds the device, whatever it reads. */
  struct synth__limit free_l;
  synth__limit_init(&free_l);
  synth__limit_step(&free_l, &(struct synth__limit_config){0}, &hot, DT);
  CU_ASSERT_DOUBLE_EQUAL(synth__limit_duty(&free_l), 1.0, 1e-12);
  CU_ASSERT_EQUAL(synth__limit_reasons(&free_l), 0);
}

static void test_gaps(void)
{
  CU_ASSERT_EQUAL(synth__limit_gap_ns(1.0, 10000000), 0);
  CU_ASSERT_EQUAL(synth__limit_gap_ns(0.5, 10000000), 10000000);
  CU_ASSERT_EQUAL(synth__limit_gap_ns(0.25, 10000000), 30000000);
  CU_ASSERT_EQUAL(synth__limit_gap_ns(0.001, 10000000), 490000000);      /* clamped to 0.02 */
  CU_ASSERT_EQUAL(synth__limit_gap_ns(0.02, 1000000000), 2000000000ull); /* capped */
}

SYNTH_TEST_MAIN("limit", SYNTH_TEST(test_power_limit_held), SYNTH_TEST(test_temp_limit_held),
                SYNTH_TEST(test_abort_and_recovery), SYNTH_TEST(test_missing_sensors),
                SYNTH_TEST(test_gaps))
