/* test_tuning.c: the telemetry loop on scripted devices: convergence after a speed step,
 * back-off under errors, sick and recovered, taken out, oversized batches; nothing lost. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "precompute/rcu_thread.h"
#include "runtime/logger.h"
#include "scheduler/clock.h"
#include "scheduler/sched_internal.h"
#include "scheduler/scheduler.h"
#include "support/coverage_workload.h"
#include "support/fake_device.h"
#include "support/harness.h"
#include "support/log_capture.h"
#include "synth/error.h"

static const struct synth__logger test_log = {log_capture_fn, NULL, SYNTH_LOG_DEBUG};

static struct synth__sched *new_sched(unsigned unit_log2, unsigned floor_ms,
                                      struct synth__health_config health)
{
  struct synth__sched_config cfg = {
      .unit_log2 = unit_log2, .log = &test_log, .batch_timeout_ms = floor_ms, .health = health};
  struct synth__sched *s;
  CU_ASSERT_EQUAL_FATAL(synth__sched_create(&s, &cfg), 0);
  return s;
}

static void add(struct synth__sched *s, const struct synth__device_ops *ops, int index,
                const struct fake_script *script, double target_s)
{
  struct synth__device_desc desc = fake_device_desc(index);
  CU_ASSERT_EQUAL(
      synth__sched_add_device(s, ops, fake_device_new(&cover_workload, script), &desc, target_s),
      index);
}

static struct synth__job *open_job(struct cover_job **cj)
{
  *cj = cover_job_new(1, 0, 0, 1ull << 40);
  struct synth__job *job;
  CU_ASSERT_EQUAL_FATAL(synth__job_create(&job, &cover_workload, *cj, NULL, 0, 0), 0);
  return job;
}

/*
 * Seconds from the step until batch latency is back within +-15 % of the target and stays
 * there for three batches; negative when it never is. Batches queued before the step finish
 * after it at the old size, so the clock starts at the step itself.
 */
static double settle_time(const struct synth_batch_record *r, size_t n, double step_s,
                          double target_ms)
{
  for (size_t i = 0; i + 2 < n; i++) {
    if (r[i].t_s < step_s)
      continue;
    bool ok = true;
    for (size_t k = i; k < i + 3; k++)
      ok &= fabs(r[k].latency_ms / target_ms - 1) <= 0.15;
    if (ok)
      return r[i].t_s - step_s;
  }
  return -1;
}

/* A GPU-like device at 400 MH/s that drops to 100 MH/s after 1.2 s and comes back to
 * 400 MH/s after 2.4 s: after each step its batches are back on a 20 ms target well within
 * the goal of 3 s. */
static void test_converges_after_speed_steps(void)
{
  struct synth__sched *s = new_sched(16, 0, (struct synth__health_config){0});
  struct fake_script gpu = {
      .simulate = true,
      .nphases = 3,
      .phases = {{.until_ms = 1200, .rate = 4e8}, {.until_ms = 2400, .rate = 1e8}, {.rate = 4e8}},
  };
  add(s, &fake_gpu_ops, 0, &gpu, 0.020);
  struct cover_job *cj;
  synth__sched_set_job(s, open_job(&cj), true);
  CU_ASSERT_EQUAL(synth__sched_start(s), 0);
  /* Read the trace as a consumer would, while it runs: the log keeps only the last batches. */
  static struct synth_batch_record r[4096];
  uint64_t cursor = 0;
  size_t n = 0;
  for (int i = 0; i < 18; i++) {
    synth_test_sleep_ms(200);
    n += synth__sched_batch_trace(s, 0, &cursor, r + n, 4096 - n, 0);
  }
  synth__sched_stop(s);
  n += synth__sched_batch_trace(s, 0, &cursor, r + n, 4096 - n, 0);
  CU_ASSERT(n > 100);
  /* The trace's times count from the device's first submit here, as do the phases. */
  struct fake_device *fd = s->devices[0]->dev;
  double t0 = (double)fd->t0_ns * 1e-9;
  for (size_t i = 0; i < n; i++)
    r[i].t_s -= t0;
  double first = settle_time(r, n, 0, 20);
  double down = settle_time(r, n, 1.2, 20);
  double up = settle_time(r, n, 2.4, 20);
  printf("\n    settled: start %.3f s, after the slow-down %.3f s, after the speed-up %.3f s\n",
         first, down, up);
  CU_ASSERT(first >= 0 && first < 1.0);
  CU_ASSERT(down >= 0 && down < 1.0);
  CU_ASSERT(up >= 0 && up < 1.0);
  struct synth_device_stats st;
  synth__sched_device_stats(s, 0, &st);
  /* 400 MH/s x 20 ms = 8 M nonces, in whole units of 65536. */
  CU_ASSERT(fabs((double)st.batch_nonces / 8e6 - 1) < 0.15);
  CU_ASSERT(st.latency_p50_ms > 17 && st.latency_p50_ms < 23);
  CU_ASSERT_EQUAL(st.batch_errors, 0);
  CU_ASSERT_EQUAL(st.sick_count, 0);
  synth__sched_destroy(s);
  cover_job_free(cj);
}

/* Device 0's batches during the last run_finite. */
static struct synth_batch_record trace[8192];
static size_t ntrace;

/* Runs a finite job over the devices already added, reading device 0's batch trace as it
 * goes; checks nothing was lost. */
static void run_finite(struct synth__sched *s, uint64_t size, unsigned timeout_ms,
                       struct cover_job **out)
{
  uint64_t cursor = 0;
  ntrace = 0;
  struct cover_job *cj = cover_job_new(7, 1000, size, 1ull << 40);
  struct synth__job *job;
  CU_ASSERT_EQUAL_FATAL(synth__job_create(&job, &cover_workload, cj, NULL, 1000, size), 0);
  synth__job_get(job);
  synth__sched_set_job(s, job, true);
  CU_ASSERT_EQUAL(synth__sched_start(s), 0);
  int rc = SYNTH_ETIMEDOUT;
  for (unsigned waited = 0; rc == SYNTH_ETIMEDOUT && waited < timeout_ms; waited += 50) {
    rc = synth__sched_wait_job(s, job, 50);
    ntrace += synth__sched_batch_trace(s, 0, &cursor, trace + ntrace, 8192 - ntrace, 0);
  }
  CU_ASSERT_EQUAL(rc, 0);
  synth__sched_stop(s);
  ntrace += synth__sched_batch_trace(s, 0, &cursor, trace + ntrace, 8192 - ntrace, 0);
  CU_ASSERT_EQUAL(cover_job_unhashed(cj), 0);
  CU_ASSERT_EQUAL(atomic_load(&cj->hashed) >= size, true);
  synth__job_put(job);
  *out = cj;
}

/* One batch in four fails for a while: the device backs off (smaller batches, others take
 * its queue first), then recovers once the errors stop; every index is hashed. */
static void test_backs_off_under_errors(void)
{
  log_capture_clear();
  struct synth__sched *s = new_sched(12, 0, (struct synth__health_config){0});
  struct fake_script flaky = {
      .nphases = 3,
      .phases = {{.until_ms = 300, .rate = 2e7},
                 {.until_ms = 1300, .rate = 2e7, .error_every = 4},
                 {.rate = 2e7}},
  };
  struct fake_script steady = {.nphases = 1, .phases = {{.rate = 2e6}}};
  add(s, &fake_gpu_ops, 0, &flaky, 0.010);
  add(s, &fake_device_ops, 1, &steady, 0.010);
  struct cover_job *cj;
  run_finite(s, 60000000, 60000, &cj);
  CU_ASSERT_EQUAL(cover_job_misses(cj), 0); /* failed batches' tails were hashed once, elsewhere */

  const struct synth_batch_record *r = trace;
  size_t n = ntrace;
  bool backed_off = false, recovered = false;
  uint64_t before = 0, during = UINT64_MAX;
  for (size_t i = 0; i < n; i++) {
    if (r[i].state == SYNTH_DEVICE_BACKING_OFF) {
      backed_off = true;
      if (r[i].next_batch_nonces < during)
        during = r[i].next_batch_nonces;
    } else if (!backed_off) {
      before = r[i].next_batch_nonces;
    } else if (r[i].state == SYNTH_DEVICE_OK || r[i].state == SYNTH_DEVICE_TUNING) {
      recovered = true;
    }
  }
  CU_ASSERT_TRUE(backed_off);
  CU_ASSERT_TRUE(recovered);
  CU_ASSERT(during <= before / 2); /* halved at least once */
  struct synth_device_stats st;
  synth__sched_device_stats(s, 0, &st);
  CU_ASSERT(st.batch_errors > 0);
  CU_ASSERT_FALSE(atomic_load(&s->devices[0]->failed));
  synth__sched_destroy(s);
  cover_job_free(cj);
}

/* The device stalls for 1.5 s: its batches overrun, it is marked sick, its work goes to the
 * other device, and after the stall a probe finds it well again. */
static void test_sick_then_recovered(void)
{
  log_capture_clear();
  struct synth__health_config h = {.retry_ns = 1000 * 1000000ull, .overrun_factor = 5};
  struct synth__sched *s = new_sched(12, 200, h);
  struct fake_script stalls = {
      .nphases = 3,
      .phases = {{.until_ms = 400, .rate = 2e7}, {.until_ms = 1900, .stall = true}, {.rate = 2e7}},
  };
  struct fake_script steady = {.nphases = 1, .phases = {{.rate = 4e6}}};
  add(s, &fake_gpu_ops, 0, &stalls, 0.010);
  add(s, &fake_device_ops, 1, &steady, 0.010);
  struct cover_job *cj;
  run_finite(s, 40000000, 60000, &cj);
  struct synth_device_stats st;
  synth__sched_device_stats(s, 0, &st);
  CU_ASSERT(st.sick_count >= 1);
  CU_ASSERT_FALSE(atomic_load(&s->devices[0]->failed));
  CU_ASSERT_TRUE(log_capture_has("is sick"));
  CU_ASSERT_TRUE(log_capture_has("recovered"));
  CU_ASSERT(st.nonces > 0);
  /* It hashed again after recovering: batches finished after the stall with no error. */
  const struct synth_batch_record *r = trace;
  size_t n = ntrace;
  CU_ASSERT(n > 0 && r[n - 1].status == 0);
  CU_ASSERT(r[n - 1].state != SYNTH_DEVICE_SICK && r[n - 1].state != SYNTH_DEVICE_OUT);
  synth__sched_destroy(s);
  cover_job_free(cj);
}

/* A device that hangs for good is sick, then, after its probes fail, taken out with a clear
 * message; the other device hashes everything. */
static void test_hung_device_taken_out(void)
{
  log_capture_clear();
  struct synth__health_config h = {.retry_ns = 100 * 1000000ull, .sick_limit = 2};
  struct synth__sched *s = new_sched(12, 200, h);
  struct fake_script hangs = {.nphases = 2,
                              .phases = {{.until_ms = 300, .rate = 2e7}, {.stall = true}}};
  struct fake_script steady = {.nphases = 1, .phases = {{.rate = 1e7}}};
  add(s, &fake_gpu_ops, 0, &hangs, 0.010);
  add(s, &fake_device_ops, 1, &steady, 0.010);
  struct cover_job *cj;
  run_finite(s, 30000000, 60000, &cj);
  for (int i = 0; i < 100 && !atomic_load(&s->devices[0]->failed); i++)
    synth_test_sleep_ms(10);                /* the job may finish before the last probe */
  CU_ASSERT_EQUAL(cover_job_misses(cj), 0); /* a hung device returns nothing: once each */
  CU_ASSERT_TRUE(log_capture_has("taken out: sick 2 times in a row"));
  struct synth_device_stats st;
  synth__sched_device_stats(s, 0, &st);
  CU_ASSERT_EQUAL(st.sick_count, 2);
  synth__sched_destroy(s);
  cover_job_free(cj);
}

/* Batches above 8 units fail to allocate: the tuner shrinks instead of losing the device. */
static void test_oversized_batches_shrink(void)
{
  log_capture_clear();
  struct synth__sched *s = new_sched(12, 0, (struct synth__health_config){0});
  struct fake_script small_memory = {
      .oom_above = 8 * 4096, .nphases = 1, .phases = {{.rate = 5e7}}};
  add(s, &fake_gpu_ops, 0, &small_memory, 0.020);
  struct cover_job *cj;
  run_finite(s, 20000000, 60000, &cj);
  CU_ASSERT_EQUAL(cover_job_misses(cj), 0);
  struct synth_device_stats st;
  synth__sched_device_stats(s, 0, &st);
  struct fake_device *fd = s->devices[0]->dev;
  CU_ASSERT(atomic_load(&fd->oom_refused) > 0);
  CU_ASSERT(st.batch_max_nonces <= 8 * 4096);
  CU_ASSERT(st.batch_nonces <= 8 * 4096);
  CU_ASSERT_FALSE(atomic_load(&s->devices[0]->failed));
  CU_ASSERT_TRUE(log_capture_has("batches now at most"));
  synth__sched_destroy(s);
  cover_job_free(cj);
}

int main(void)
{
  static const struct synth_test tests[] = {
      SYNTH_TEST(test_converges_after_speed_steps), SYNTH_TEST(test_backs_off_under_errors),
      SYNTH_TEST(test_sick_then_recovered),         SYNTH_TEST(test_hung_device_taken_out),
      SYNTH_TEST(test_oversized_batches_shrink),    SYNTH_TEST_END,
  };
  synth__rcu_online();
  int rc = synth_test_run("tuning", tests);
  synth__rcu_offline();
  return rc;
}
