/* test_tuning.c: the telemetry loop on scripted devices: convergence after a speed step,
 * back-off under errors, sick and recovered, taken out, oversized batches; nothing lost. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "base/logger.h"
#include "base/rcu_thread.h"
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
 * Batches completed from the step on until batch latency is back within +-15 % of the target
 * and stays there for three batches; negative when it never is. Batches queued before the
 * step finish after it at the old size, so the count starts at the step itself. Counted in
 * batches, not seconds: how many a settling takes depends on the tuner, not on how promptly a
 * loaded host hands the device its next one.
 */
static int settle_batches(const struct synth_batch_record *r, size_t n, double step_s,
                          double target_ms)
{
  int after = 0;
  for (size_t i = 0; i + 2 < n; i++) {
    if (r[i].t_s < step_s)
      continue;
    bool ok = true;
    for (size_t k = i; k < i + 3; k++)
      ok &= fabs(r[k].latency_ms / target_ms - 1) <= 0.15;
    if (ok)
      return after;
    after++;
  }
  return -1;
}

static size_t batches_since(const struct synth_batch_record *r, size_t n, double t_s)
{
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    k += r[i].t_s >= t_s;
  return k;
}

/* The second at which phase i of fake device d began, 0 before it did. */
static double phase_began_s(struct fake_device *d, unsigned i)
{
  return (double)atomic_load(&d->phase_began_ns[i]) * 1e-9;
}

/* A GPU-like device at 400 MH/s that drops to 100 MH/s after 1.2 s of its time and comes back
 * to 400 MH/s after 2.4 s: after each step its batches are back on a 20 ms target within 30
 * batches (0.6 s of device time; the goal is 3 s). The device's clock runs only while it has
 * work, so each phase holds the same work however loaded the machine, and the run lasts until
 * the trace holds 60 batches past the last step. */
static void test_converges_after_speed_steps(void)
{
  struct synth__sched *s = new_sched(16, 0, (struct synth__health_config){0});
  struct fake_script gpu = {
      .simulate = true,
      .busy_clock = true,
      .nphases = 3,
      .phases = {{.until_ms = 1200, .rate = 4e8}, {.until_ms = 2400, .rate = 1e8}, {.rate = 4e8}},
  };
  add(s, &fake_gpu_ops, 0, &gpu, 0.020);
  struct fake_device *fd = s->devices[0]->dev;
  struct cover_job *cj;
  synth__sched_set_job(s, open_job(&cj), true);
  CU_ASSERT_EQUAL(synth__sched_start(s), 0);
  /* Read the trace as a consumer would, while it runs: the log keeps only the last batches. */
  static struct synth_batch_record r[4096];
  uint64_t cursor = 0;
  size_t n = 0;
  double until = synth_test_now_s() + synth_test_patience_s();
  while (synth_test_now_s() < until && n < 4096) {
    synth_test_sleep_ms(50);
    n += synth__sched_batch_trace(s, 0, &cursor, r + n, 4096 - n, 0);
    double last_step = phase_began_s(fd, 2);
    if (last_step > 0 && batches_since(r, n, last_step) >= 60)
      break;
  }
  synth__sched_stop(s);
  n += synth__sched_batch_trace(s, 0, &cursor, r + n, 4096 - n, 0);
  double down_s = phase_began_s(fd, 1), up_s = phase_began_s(fd, 2);
  CU_ASSERT(down_s > 0 && up_s > down_s);
  CU_ASSERT(batches_since(r, n, up_s) >= 60);
  CU_ASSERT(n > 100);
  int first = settle_batches(r, n, phase_began_s(fd, 0), 20);
  int down = settle_batches(r, n, down_s, 20);
  int up = settle_batches(r, n, up_s, 20);
  printf("\n    settled after: start %d, the slow-down %d, the speed-up %d batches\n", first, down,
         up);
  CU_ASSERT(first >= 0 && first < 30);
  CU_ASSERT(down >= 0 && down < 30);
  CU_ASSERT(up >= 0 && up < 30);
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

/* Starts a finite job over the devices already added. */
static struct synth__job *start_finite(struct synth__sched *s, uint64_t size,
                                       struct cover_job **out)
{
  struct cover_job *cj = cover_job_new(7, 1000, size, 1ull << 40);
  struct synth__job *job;
  CU_ASSERT_EQUAL_FATAL(synth__job_create(&job, &cover_workload, cj, NULL, 1000, size), 0);
  synth__job_get(job);
  synth__sched_set_job(s, job, true);
  CU_ASSERT_EQUAL(synth__sched_start(s), 0);
  *out = cj;
  return job;
}

/* Waits for the job started above, reading device 0's batch trace as it goes; stops the
 * scheduler and checks nothing was lost. */
static void finish_finite(struct synth__sched *s, struct synth__job *job, struct cover_job *cj)
{
  uint64_t cursor = 0;
  ntrace = 0;
  int rc = SYNTH_ETIMEDOUT;
  double until = synth_test_now_s() + synth_test_patience_s();
  while (rc == SYNTH_ETIMEDOUT && synth_test_now_s() < until) {
    rc = synth__sched_wait_job(s, job, 50);
    ntrace += synth__sched_batch_trace(s, 0, &cursor, trace + ntrace, 8192 - ntrace, 0);
  }
  CU_ASSERT_EQUAL(rc, 0);
  synth__sched_stop(s);
  ntrace += synth__sched_batch_trace(s, 0, &cursor, trace + ntrace, 8192 - ntrace, 0);
  CU_ASSERT_EQUAL(cover_job_unhashed(cj), 0);
  CU_ASSERT_EQUAL(atomic_load(&cj->hashed) >= cj->size, true);
  synth__job_put(job);
}

/* Runs a finite job over the devices already added, reading device 0's batch trace as it
 * goes; checks nothing was lost. */
static void run_finite(struct synth__sched *s, uint64_t size, struct cover_job **out)
{
  struct synth__job *job = start_finite(s, size, out);
  finish_finite(s, job, *out);
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
  run_finite(s, 60000000, &cj);
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
  run_finite(s, 40000000, &cj);
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
 * message; the other device hashes everything. That one creeps until the hung one is out, so
 * the job cannot end before the last probe, however slow the machine. */
static void test_hung_device_taken_out(void)
{
  log_capture_clear();
  struct synth__health_config h = {.retry_ns = 100 * 1000000ull, .sick_limit = 2};
  struct synth__sched *s = new_sched(12, 200, h);
  atomic_bool out = false;
  struct fake_script hangs = {.nphases = 2,
                              .phases = {{.until_ms = 300, .rate = 2e7}, {.stall = true}}};
  struct fake_script steady = {
      .nphases = 1, .phases = {{.rate = 1e5}}, .speed_up = &out, .speed_up_rate = 1e7};
  add(s, &fake_gpu_ops, 0, &hangs, 0.010);
  add(s, &fake_device_ops, 1, &steady, 0.010);
  struct cover_job *cj;
  struct synth__job *job = start_finite(s, 30000000, &cj);
  SYNTH_TEST_WAIT(atomic_load(&s->devices[0]->failed));
  CU_ASSERT_TRUE(atomic_load(&s->devices[0]->failed));
  CU_ASSERT(atomic_load(&cj->hashed) < cj->size);
  atomic_store(&out, true);
  finish_finite(s, job, cj);
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
  run_finite(s, 20000000, &cj);
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
  synth__rcu_online();
  int rc = synth_test_run("tuning", SYNTH_TESTS(SYNTH_TEST(test_converges_after_speed_steps),
                                                SYNTH_TEST(test_backs_off_under_errors),
                                                SYNTH_TEST(test_sick_then_recovered),
                                                SYNTH_TEST(test_hung_device_taken_out),
                                                SYNTH_TEST(test_oversized_batches_shrink)));
  synth__rcu_offline();
  return rc;
}
