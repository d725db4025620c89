/* bench_power_limit.c: a device's efficiency curve under power limits held by duty cycle (the
 * device's own power limit is never touched): per limit, hashrate, power (mean and 95th
 * percentile of the readings), energy per hash, and how close the mean power is to the limit.
 * Then, with --trace FILE, one run whose limit steps down and back up, sampled as CSV (t, limit,
 * power, hashrate, duty) for docs/power_step.svg.
 *
 *   bench_power_limit [--devices SPEC] [--limits W,W,...] [--settle S] [--seconds S]
 *                     [--trace FILE] [--step-seconds S]
 *   defaults:          vulkan:0       0,600,450,350,250  10          30
 *                                                            (trace: 0,450,250,450,0; 15 s each)
 * A limit of 0 is none (the default). Readings every 250 ms (the sensors' period). Exits 1 when
 * the device has no power reading: nothing would be measured.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/harness.h"
#include "synth/miner.h"
#include "synth/synth.h"

#define SAMPLE_MS 250
#define MAX_SAMPLES 4096

struct totals {
  double power_w, energy_j, nonces, duty;
  bool powered;
};

static void totals(synth_runtime *rt, struct totals *t)
{
  memset(t, 0, sizeof *t);
  unsigned n = synth_runtime_device_count(rt);
  t->duty = 1;
  for (unsigned i = 0; i < n; i++) {
    struct synth_device_stats s;
    synth_runtime_device_stats(rt, i, &s, sizeof s);
    t->nonces += (double)s.nonces;
    if (s.sensed & SYNTH_SENSED_POWER) {
      t->power_w += s.power_w;
      t->powered = true;
    }
    t->energy_j += s.energy_j;
    if (s.duty < t->duty)
      t->duty = s.duty;
  }
}

static synth_runtime *start(const char *devices, const char *limit)
{
  struct synth_runtime_config rc = {
      .devices = devices, .power_limit = limit, .sensor_period_ms = SAMPLE_MS};
  synth_runtime *rt = NULL;
  struct synth_job job;
  if (synth_miner_create(&rt, &rc, NULL) != 0 || synth_benchmark_job(&job, 0) != 0 ||
      synth_runtime_set_job(rt, &job) != 0 || synth_runtime_start(rt) != 0) {
    fprintf(stderr, "bench_power_limit: cannot mine on %s\n", devices);
    synth_runtime_destroy(rt);
    return NULL;
  }
  return rt;
}

/* One limit: settle, then @seconds of readings. */
static int one(const char *devices, double limit, double settle, double seconds)
{
  char spec[32] = "";
  if (limit > 0)
    snprintf(spec, sizeof spec, "%g", limit);
  synth_runtime *rt = start(devices, spec[0] ? spec : NULL);
  if (!rt)
    return 1;
  synth_test_sleep_ms((unsigned)(settle * 1000));
  static double power[MAX_SAMPLES];
  size_t n = 0;
  struct totals t0, t;
  totals(rt, &t0);
  double start_s = synth_test_now_s(), sum = 0, duty_sum = 0;
  while (synth_test_now_s() - start_s < seconds && n < MAX_SAMPLES) {
    synth_test_sleep_ms(SAMPLE_MS);
    totals(rt, &t);
    power[n++] = t.power_w;
    sum += t.power_w;
    duty_sum += t.duty;
  }
  double secs = synth_test_now_s() - start_s;
  totals(rt, &t);
  synth_runtime_destroy(rt);
  if (!t.powered) {
    fprintf(stderr, "bench_power_limit: %s has no power reading\n", devices);
    return 1;
  }
  double mean = sum / (double)n, rate = (t.nonces - t0.nonces) / secs;
  double joules = t.energy_j - t0.energy_j;
  synth_test_median(power, n);
  double p95 = power[(n * 95) / 100];
  printf("%8s %10.3f %9.1f %9.1f %9.2f %8.3f %10s\n", limit > 0 ? spec : "none", rate / 1e9, mean,
         p95, joules / (t.nonces - t0.nonces) * 1e12, duty_sum / (double)n, limit > 0 ? "" : "-");
  if (limit > 0) { /* how close: the mean's distance from the limit */
    printf("%8s %10s %9s %9s %9s %8s %+9.1f%%\n", "", "", "", "", "", "",
           100 * (mean - limit) / limit);
  }
  fflush(stdout);
  return 0;
}

/* The stepped run, as CSV. */
static int trace(const char *devices, const char *path, double step_s)
{
  static const char *const steps[] = {NULL, "450", "250", "450", NULL};
  FILE *f = fopen(path, "w");
  if (!f)
    return 1;
  synth_runtime *rt = start(devices, NULL);
  if (!rt) {
    fclose(f);
    return 1;
  }
  fprintf(f, "t_s,limit_w,power_w,ghs,duty\n");
  double t_start = synth_test_now_s();
  struct totals prev, t;
  totals(rt, &prev);
  double prev_s = t_start;
  for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
    synth_runtime_set_limits(rt, 0, 0, steps[k]);
    double until = synth_test_now_s() + step_s;
    while (synth_test_now_s() < until) {
      synth_test_sleep_ms(SAMPLE_MS);
      totals(rt, &t);
      double now = synth_test_now_s();
      fprintf(f, "%.3f,%s,%.1f,%.4f,%.3f\n", now - t_start, steps[k] ? steps[k] : "0", t.power_w,
              (t.nonces - prev.nonces) / (now - prev_s) / 1e9, t.duty);
      prev = t;
      prev_s = now;
    }
  }
  synth_runtime_destroy(rt);
  fclose(f);
  return 0;
}

int main(int argc, char **argv)
{
  const char *devices = "vulkan:0", *limits = "0,600,450,350,250", *trace_path = NULL;
  double settle = 10, seconds = 30, step_s = 15;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--devices") == 0 && i + 1 < argc)
      devices = argv[++i];
    else if (strcmp(argv[i], "--limits") == 0 && i + 1 < argc)
      limits = argv[++i];
    else if (strcmp(argv[i], "--settle") == 0 && i + 1 < argc)
      settle = atof(argv[++i]);
    else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
      seconds = atof(argv[++i]);
    else if (strcmp(argv[i], "--trace") == 0 && i + 1 < argc)
      trace_path = argv[++i];
    else if (strcmp(argv[i], "--step-seconds") == 0 && i + 1 < argc)
      step_s = atof(argv[++i]);
    else {
      fprintf(stderr, "usage: bench_power_limit [--devices SPEC] [--limits W,...] [--settle S] "
                      "[--seconds S] [--trace FILE] [--step-seconds S]\n");
      return 2;
    }
  }
  printf("%s, readings every %d ms, %.0f s settle, %.0f s measured\n", devices, SAMPLE_MS, settle,
         seconds);
  printf("%8s %10s %9s %9s %9s %8s %10s\n", "limit W", "GH/s", "mean W", "p95 W", "J/TH", "duty",
         "mean-limit");
  int rc = 0;
  for (const char *p = limits; *p;) {
    rc |= one(devices, atof(p), settle, seconds);
    const char *comma = strchr(p, ',');
    p = comma ? comma + 1 : p + strlen(p);
  }
  if (trace_path)
    rc |= trace(devices, trace_path, step_s);
  return rc;
}
