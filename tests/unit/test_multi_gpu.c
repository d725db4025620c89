/* test_multi_gpu.c: several GPUs in one pool, as fakes of different speeds (fake_gpu_ops: three
 * launches in flight, a 50 ms target): their shares follow their speeds and the range is
 * hashed exactly once; a GPU that hangs has its work moved to the others; a job switch reaches
 * every GPU. */
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "base/rcu_thread.h"
#include "scheduler/sched_internal.h"
#include "scheduler/scheduler.h"
#include "support/coverage_workload.h"
#include "support/fake_device.h"
#include "support/harness.h"
#include "support/sched_checks.h"
#include "synth/error.h"

#define GPUS 3
#define UNIT_LOG2 14

static void on_hit(void *user, struct synth__job *job, const void *payload, uint32_t roll,
                   uint32_t nonce, const struct synth_verdict *v, unsigned device)
{
  (void)job, (void)payload, (void)roll, (void)nonce, (void)device;
  CU_ASSERT_TRUE(v->meets_target);
  atomic_fetch_add((atomic_uint *)user, 1);
}

/* GPUs of the given rates (H/s), each on its own clock (busy_clock: a loaded host cannot
 * shorten or stretch their time), named as GPUs on their own PCI addresses; simulate: their
 * batches take their time without hashing, so a slow host (a sanitizer build) cannot make them
 * CPU-bound and equal. */
static struct synth__sched *gpus(const double *rates, const struct fake_script *extra,
                                 atomic_uint *hits, struct synth__health_config health,
                                 unsigned floor_ms, bool simulate)
{
  struct synth__sched_config cfg = {.unit_log2 = UNIT_LOG2,
                                    .on_hit = on_hit,
                                    .hit_user = hits,
                                    .health = health,
                                    .batch_timeout_ms = floor_ms};
  struct synth__sched *s;
  CU_ASSERT_EQUAL_FATAL(synth__sched_create(&s, &cfg), 0);
  for (int i = 0; i < GPUS; i++) {
    struct fake_script sc = extra ? extra[i] : (struct fake_script){0};
    if (sc.nphases == 0) {
      sc.nphases = 1;
      sc.phases[0].rate = rates[i];
    }
    sc.busy_clock = true;
    sc.simulate = simulate;
    struct synth__device_desc desc = fake_device_desc(i);
    desc.kind = SYNTH_DEVICE_VULKAN;
    snprintf(desc.pci, sizeof desc.pci, "0000:%02x:00.0", 0x17 + 0x20 * i);
    CU_ASSERT_EQUAL(synth__sched_add_device(s, &fake_gpu_ops, fake_device_new(&cover_workload, &sc),
                                            &desc, 0.02),
                    i);
  }
  return s;
}

static struct synth__job *job_over(struct cover_job *cj)
{
  struct synth__job *job;
  CU_ASSERT_EQUAL_FATAL(synth__job_create(&job, &cover_workload, cj, NULL, cj->base, cj->size), 0);
  return job;
}

/* Three GPUs at 40, 20 and 10 MH/s over 2^25 indexes: the range handed out to the last index
 * and no further, and each GPU's share of it within a fifth of its share of the speed (the pool
 * is the sum of its parts: no GPU starves another). Exact coverage is the hung case's check,
 * below, and test_scheduler's. */
static void test_shares_follow_speeds(void)
{
  const double rates[GPUS] = {40e6, 20e6, 10e6};
  atomic_uint hits = 0;
  struct synth__sched *s = gpus(rates, NULL, &hits, (struct synth__health_config){0}, 0, true);
  struct cover_job *cj = cover_job_new(1, 1ull << 32, 1ull << 25, 65537);
  struct synth__job *job = job_over(cj);
  synth__job_get(job);
  CU_ASSERT_EQUAL(synth__sched_set_job(s, job, true), 0);
  CU_ASSERT_EQUAL(synth__sched_start(s), 0);
  CU_ASSERT_EQUAL(synth__sched_wait_job(s, job, 120000), 0);
  synth__sched_stop(s);
  double total = rates[0] + rates[1] + rates[2];
  uint64_t nonces = 0;
  for (unsigned i = 0; i < GPUS; i++) {
    struct synth_device_stats st;
    synth__sched_device_stats(s, i, &st);
    double share = (double)st.nonces / (double)cj->size, want = rates[i] / total;
    CU_ASSERT(share > 0.8 * want && share < 1.2 * want);
    if (!(share > 0.8 * want && share < 1.2 * want))
      fprintf(stderr, "\n    gpu %u: %.3f of the range against %.3f of the speed", i, share, want);
    CU_ASSERT_EQUAL(st.kind, SYNTH_DEVICE_VULKAN);
    nonces += st.nonces;
  }
  CU_ASSERT_EQUAL(nonces, cj->size);
  synth__job_put(job);
  cover_job_free(cj);
  synth__sched_destroy(s);
}

/* The middle GPU hangs after its first 100 ms of work: it is found sick, what it held goes to
 * the others, and the range is still hashed to the last index. */
static void test_hung_gpu_work_moves(void)
{
  const double rates[GPUS] = {40e6, 40e6, 40e6};
  struct fake_script extra[GPUS] = {{0}};
  extra[1].nphases = 2;
  extra[1].phases[0] = (struct fake_phase){.until_ms = 100, .rate = 40e6};
  extra[1].phases[1] = (struct fake_phase){.rate = 40e6, .stall = true};
  atomic_uint hits = 0;
  /* Probed again only after a minute: the run ends on the two others first. */
  struct synth__health_config health = {.retry_ns = 60000000000ull, .sick_limit = 3};
  struct synth__sched *s = gpus(rates, extra, &hits, health, 200, false);
  struct cover_job *cj = cover_job_new(2, 0, 1ull << 25, 65537);
  struct synth__job *job = job_over(cj);
  synth__job_get(job);
  CU_ASSERT_EQUAL(synth__sched_set_job(s, job, true), 0);
  CU_ASSERT_EQUAL(synth__sched_start(s), 0);
  CU_ASSERT_EQUAL(synth__sched_wait_job(s, job, 120000), 0);
  CU_ASSERT_EQUAL(cover_job_unhashed(cj), 0);
  CU_ASSERT_EQUAL(cover_job_misses(cj), 0); /* a hung GPU returns nothing: once each */
  CU_ASSERT_EQUAL(atomic_load(&hits), cover_job_expected_hits(cj));
  struct synth_device_stats st;
  synth__sched_device_stats(s, 1, &st);
  CU_ASSERT(st.sick_count >= 1);
  CU_ASSERT(st.nonces < cj->size / 3); /* the others did the rest */
  synth__sched_stop(s);
  synth__job_put(job);
  cover_job_free(cj);
  synth__sched_destroy(s);
}

/* A clean job switch reaches every GPU, the slowest too. */
static void test_switch_reaches_every_gpu(void)
{
  const double rates[GPUS] = {40e6, 10e6, 2.5e6};
  atomic_uint hits = 0;
  struct synth__sched *s = gpus(rates, NULL, &hits, (struct synth__health_config){0}, 0, false);
  struct cover_job *a = cover_job_new(3, 0, 0, 1000003), *b = cover_job_new(4, 0, 0, 1000003);
  struct synth__job *ja = job_over(a), *jb = job_over(b);
  CU_ASSERT_EQUAL(synth__sched_set_job(s, ja, true), 0);
  CU_ASSERT_EQUAL(synth__sched_start(s), 0);
  SYNTH_TEST_WAIT(sched_all_reached(s, ja->id));
  CU_ASSERT_TRUE(sched_all_reached(s, ja->id));
  CU_ASSERT_EQUAL(synth__sched_set_job(s, jb, true), 0);
  SYNTH_TEST_WAIT(sched_all_reached(s, jb->id));
  CU_ASSERT_TRUE(sched_all_reached(s, jb->id));
  synth__sched_stop(s);
  synth__sched_destroy(s);
  cover_job_free(a);
  cover_job_free(b);
}

int main(void)
{
  synth__rcu_online(); /* the test thread reads the job set, as a host thread of the runtime */
  int rc = synth_test_run("multi_gpu", SYNTH_TESTS(SYNTH_TEST(test_shares_follow_speeds),
                                                   SYNTH_TEST(test_hung_gpu_work_moves),
                                                   SYNTH_TEST(test_switch_reaches_every_gpu)));
  synth__rcu_offline();
  return rc;
}
