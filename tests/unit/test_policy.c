/* test_policy.c: the scheduling policies. Through the public API, on two CPU workers: finite work
 * hashed exactly once under each policy (every index by one scan, every hit once), one work and
 * two at once; a worker whose scan turns bad mid-run is benched and the work still ends exact;
 * an unknown policy is refused. Inside the scheduler: under rate-proportional an idle device
 * never takes another's queued work, where work stealing has to. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scheduler/sched_internal.h"
#include "scheduler/scheduler.h"
#include "support/coverage_workload.h"
#include "support/fake_device.h"
#include "support/harness.h"
#include "support/hit_tally.h"
#include "support/log_capture.h"
#include "support/mix_workload.h"
#include "support/odd_worker.h"
#include "synth/synth.h"

/* ---- which index each scan hashed ---- */

/* One work's indexes as bits: a scan sets those it hashed; one already set was hashed twice. */
struct tracker {
  atomic_bool ready; /* released once bits is allocated: scans look only after */
  /* Atomic: a scan of one work looks at the other work's tracker while it is armed. */
  atomic_uint_least64_t seed, start, size;
  atomic_uint_least64_t *bits;
  atomic_uint_least64_t marked, twice, outside;
};

#define WORKS_MAX 2
#define RANGE_MAX (1ull << 26)
static struct tracker trackers[WORKS_MAX];

static void tracker_arm(struct tracker *t, uint64_t seed, uint64_t start, uint64_t size)
{
  atomic_store(&t->ready, false);
  if (!t->bits)
    t->bits = calloc(RANGE_MAX / 64, sizeof *t->bits);
  CU_ASSERT_PTR_NOT_NULL_FATAL(t->bits);
  CU_ASSERT_FATAL(size <= RANGE_MAX);
  memset(t->bits, 0, RANGE_MAX / 64 * sizeof *t->bits);
  atomic_store(&t->seed, seed);
  atomic_store(&t->start, start);
  atomic_store(&t->size, size);
  atomic_store(&t->marked, 0);
  atomic_store(&t->twice, 0);
  atomic_store(&t->outside, 0);
  atomic_store_explicit(&t->ready, true, memory_order_release);
}

/* Indexes of the work hashed at least once. */
static uint64_t tracker_covered(struct tracker *t)
{
  uint64_t n = 0;
  for (uint64_t w = 0; w < (atomic_load(&t->size) + 63) / 64; w++)
    n += (uint64_t)__builtin_popcountll(atomic_load(&t->bits[w]));
  return n;
}

static void mark(const struct mix_payload *p, uint32_t nonce, uint32_t done)
{
  struct tracker *t = NULL;
  for (int k = 0; k < WORKS_MAX && !t; k++) {
    if (atomic_load_explicit(&trackers[k].ready, memory_order_acquire) &&
        atomic_load_explicit(&trackers[k].seed, memory_order_relaxed) == p->seed)
      t = &trackers[k];
  }
  if (!t || done == 0)
    return;
  uint64_t first = (uint64_t)p->roll << 32 | nonce, start = atomic_load(&t->start);
  if (first < start || first + done > start + atomic_load(&t->size)) {
    atomic_fetch_add(&t->outside, done);
    return;
  }
  for (uint64_t i = first - start, end = i + done; i < end;) {
    unsigned bit = (unsigned)(i % 64);
    uint64_t n = end - i < 64 - bit ? end - i : 64 - bit;
    uint64_t mask = (n == 64 ? ~0ull : (1ull << n) - 1) << bit;
    uint64_t old = atomic_fetch_or_explicit(&t->bits[i / 64], mask, memory_order_relaxed);
    atomic_fetch_add_explicit(&t->twice, (uint64_t)__builtin_popcountll(old & mask),
                              memory_order_relaxed);
    i += n;
  }
  atomic_fetch_add(&t->marked, done);
}

/* ---- the scan: the mix workload's, recorded; on one worker it may turn bad ---- */

static atomic_bool bad_mode;            /* this runtime has a worker that turns bad */
static atomic_uint_least64_t bad_after; /* once the works have this many indexes hashed */
static atomic_uint_least64_t hashed_so_far;
static atomic_bool went_bad;
static struct odd_worker odd; /* the worker that turns bad */

static bool returns_early(void)
{
  if (!atomic_load(&bad_mode) || !odd_worker_is_me(&odd))
    return false;
  if (atomic_load(&hashed_so_far) >= atomic_load(&bad_after))
    atomic_store(&went_bad, true);
  return atomic_load(&went_bad);
}

static uint32_t scan(const void *payload, uint32_t start, uint32_t count,
                     struct synth_scan_ctl *ctl)
{
  if (returns_early())
    return 0; /* nothing hashed, and nobody asked it to stop: a failed batch */
  uint32_t done = mix_scan(payload, start, count, ctl);
  mark(payload, start, done);
  atomic_fetch_add(&hashed_so_far, done);
  return done;
}

static const struct synth_cpu_core cores[] = {{"portable", scan, NULL}, {NULL, NULL, NULL}};
static const struct synth_workload recorded_workload = MIX_WORKLOAD("mix64-recorded", cores);

/* Two workers under policy (NULL: the default). The bad worker's batches fail, which benches it
 * whatever the machine's speed; only its probe comes sooner than by default. The batch timeout
 * stays the default, so no healthy batch on a loaded, sanitized host is called late. */
static synth_runtime *runtime(const char *policy, bool with_bad_worker)
{
  atomic_store(&bad_mode, with_bad_worker);
  atomic_store(&went_bad, false);
  odd_worker_reset(&odd);
  atomic_store(&hashed_so_far, 0);
  atomic_store(&bad_after, UINT64_MAX);
  log_capture_clear();
  struct synth_runtime_config cfg = {.devices = "cpu",
                                     .device_options = "cpu.threads=2",
                                     .workload = &recorded_workload,
                                     .sick_retry_ms = 200,
                                     .scheduler_policy = policy,
                                     .log_fn = log_capture_fn,
                                     .log_level = SYNTH_LOG_DEBUG};
  synth_runtime *rt;
  CU_ASSERT_EQUAL_FATAL(synth_runtime_create(&rt, &cfg), 0);
  CU_ASSERT_EQUAL_FATAL(synth_runtime_device_count(rt), 2);
  char said[96];
  snprintf(said, sizeof said, "scheduler policy %s:", policy ? policy : "work-stealing");
  CU_ASSERT_TRUE(log_capture_has(said));
  CU_ASSERT_EQUAL_FATAL(synth_runtime_start(rt), 0);
  return rt;
}

/* ---- one work: its range, its reference hits, what came back ---- */

#define HITS_MAX HIT_TALLY_MAX

struct one_work {
  struct mix_job job;
  uint64_t start, size;
  uint64_t expect[HITS_MAX];
  size_t n_expect;
  struct hit_tally got;
  synth_work *w;
};

static void reference(struct one_work *o, uint64_t start, uint64_t size)
{
  /* About one hit in 50,000: sparse enough that no batch fills its hit buffer. */
  o->job = (struct mix_job){.seed = synth_test_rand(), .threshold = UINT64_MAX / 50000};
  o->start = start, o->size = size;
  o->n_expect = mix_reference_hits(&o->job, start, size, o->expect, HITS_MAX);
  CU_ASSERT(o->n_expect > size / 100000 && o->n_expect < HITS_MAX);
}

static void submit(synth_runtime *rt, struct one_work *o, struct tracker *t, double weight)
{
  hit_tally_init(&o->got);
  tracker_arm(t, o->job.seed, o->start, o->size);
  struct synth_work_config wc = {.data = &o->job,
                                 .data_size = sizeof o->job,
                                 .start = o->start,
                                 .end = o->start + o->size,
                                 .on_hit = hit_tally_on_hit,
                                 .on_done = hit_tally_on_done,
                                 .user = &o->got,
                                 .weight = weight};
  CU_ASSERT_EQUAL_FATAL(synth_runtime_submit(rt, &wc, &o->w), 0);
}

/* Waits for the work: status 0, counted whole, every index hashed by exactly one scan, exactly
 * the reference hits. */
static void finish(struct one_work *o, struct tracker *t)
{
  CU_ASSERT_EQUAL(synth_work_wait(o->w, (unsigned)(synth_test_patience_s() * 1000)), 0);
  CU_ASSERT_EQUAL(synth_work_hashed(o->w), o->size);
  synth_work_release(o->w);
  CU_ASSERT_EQUAL(atomic_load(&t->outside), 0);
  CU_ASSERT_EQUAL(atomic_load(&t->twice), 0);
  CU_ASSERT_EQUAL(atomic_load(&t->marked), o->size);
  CU_ASSERT_EQUAL(tracker_covered(t), o->size);
  hit_tally_expect(&o->got, o->expect, o->n_expect);
  hit_tally_destroy(&o->got);
}

/* Ranges that cross from one roll into the next. */
static uint64_t across_roll(uint32_t roll, uint64_t size)
{
  return ((uint64_t)roll << 32) + 0xffffffffull - size / 3;
}

static struct one_work works[WORKS_MAX];

/* Under every policy (and the default by NULL): one work twice (tuner cold, then settled), then
 * two at once with weights 1 and 3, each exact. */
static void test_each_policy_exact(void)
{
  const char *names[8] = {NULL};
  unsigned n = 1;
  for (const char *name; n < 8 && (name = synth_scheduler_policy_name(n - 1)); n++)
    names[n] = name;
  CU_ASSERT_EQUAL(n, 3);
  for (unsigned p = 0; p < n; p++) {
    synth_runtime *rt = runtime(names[p], false);
    for (int round = 0; round < 2; round++) {
      reference(&works[0], across_roll(3 + (uint32_t)round, 1ull << 25), 1ull << 25);
      submit(rt, &works[0], &trackers[0], 0);
      finish(&works[0], &trackers[0]);
    }
    reference(&works[0], across_roll(7, 1ull << 24), 1ull << 24);
    reference(&works[1], across_roll(9, 3ull << 23), 3ull << 23);
    submit(rt, &works[0], &trackers[0], 1);
    submit(rt, &works[1], &trackers[1], 3);
    finish(&works[0], &trackers[0]);
    finish(&works[1], &trackers[1]);
    for (unsigned i = 0; i < 2; i++) {
      struct synth_device_stats st = synth_test_device_stats(rt, i);
      CU_ASSERT_EQUAL(st.batch_errors, 0);
      CU_ASSERT_EQUAL(st.sick_count, 0);
    }
    synth_runtime_destroy(rt);
  }
}

/* One worker's scan starts returning without hashing once a quarter of the first work is done:
 * its batches fail, it is sick after eight in a row (and out after three strikes), and what it
 * held moves to the other worker, which it cannot steal under rate-proportional. Ranges are
 * hashed until it is benched, each one exact, and once more after. */
static void test_worker_turns_bad(const char *policy)
{
  synth_runtime *rt = runtime(policy, true);
  atomic_store(&bad_after, (1ull << 26) / 4);
  double until = synth_test_now_s() + synth_test_patience_s();
  bool benched = false;
  unsigned rounds = 0;
  while (!benched && synth_test_now_s() < until) {
    reference(&works[0], across_roll(11 + rounds, 1ull << 26), 1ull << 26);
    submit(rt, &works[0], &trackers[0], 0);
    finish(&works[0], &trackers[0]);
    rounds++;
    if (atomic_load(&went_bad)) {
      struct synth_device_stats st = synth_test_device_stats(rt, odd_worker_device(&odd, rt));
      benched = st.state == SYNTH_DEVICE_SICK || st.state == SYNTH_DEVICE_OUT;
    }
  }
  CU_ASSERT_TRUE_FATAL(benched);
  reference(&works[0], across_roll(11 + rounds, 1ull << 25), 1ull << 25);
  submit(rt, &works[0], &trackers[0], 0);
  finish(&works[0], &trackers[0]);
  unsigned bad = odd_worker_device(&odd, rt);
  struct synth_device_stats st = synth_test_device_stats(rt, bad);
  struct synth_device_stats good = synth_test_device_stats(rt, 1 - bad);
  CU_ASSERT(st.sick_count >= 1);
  CU_ASSERT(st.batch_errors >= 8);
  CU_ASSERT_PTR_NOT_NULL(strstr(st.health_reason, "without being asked to stop"));
  CU_ASSERT(st.nonces > 0); /* it was healthy for a while: it went bad mid-run */
  CU_ASSERT_EQUAL(good.batch_errors, 0);
  printf("(%s: %u rounds, bad worker %s) ", policy, rounds + 1, synth_device_state_name(st.state));
  synth_runtime_destroy(rt);
}

static void test_worker_turns_bad_rate(void)
{
  test_worker_turns_bad("rate-proportional");
}

static void test_worker_turns_bad_stealing(void)
{
  test_worker_turns_bad("work-stealing");
}

/* A name no policy has is refused at create, the log naming the field and the policies. */
static void test_unknown_policy_refused(void)
{
  CU_ASSERT_STRING_EQUAL(synth_scheduler_policy_name(0), "work-stealing");
  CU_ASSERT_STRING_EQUAL(synth_scheduler_policy_name(1), "rate-proportional");
  CU_ASSERT_PTR_NULL(synth_scheduler_policy_name(2));
  CU_ASSERT_PTR_NULL(synth_scheduler_policy_name(1000));
  log_capture_clear();
  struct synth_runtime_config cfg = {.devices = "cpu",
                                     .workload = &mix_workload,
                                     .scheduler_policy = "round-robin",
                                     .log_fn = log_capture_fn};
  synth_runtime *rt = NULL;
  CU_ASSERT_EQUAL(synth_runtime_create(&rt, &cfg), SYNTH_EINVAL);
  CU_ASSERT_PTR_NULL(rt);
  CU_ASSERT_TRUE(log_capture_has("scheduler_policy 'round-robin'"));
  CU_ASSERT_TRUE(log_capture_has("work-stealing, rate-proportional"));
  CU_ASSERT_PTR_NOT_NULL(strstr(synth_last_error(), "scheduler_policy"));
  cfg.scheduler_policy = ""; /* empty is no name either */
  CU_ASSERT_EQUAL(synth_runtime_create(&rt, &cfg), SYNTH_EINVAL);
}

/* ---- inside the scheduler: no stealing ---- */

#define BASE ((5ull << 32) | (0xffffffffull - 1000000 + 1))
#define SIZE 3000000ull
#define UNIT_LOG2 12

/* Device 0 holds its first batch until device 1 has hashed everything else there is to hash:
 * under work stealing the job cannot end without device 1 taking from device 0's queue
 * (test_scheduler's test_idle_device_steals); under rate-proportional device 1 idles and, once
 * the gate opens, device 0 hashes its own queue. Every index once, no steal. */
static void test_rate_never_steals(void)
{
  atomic_bool gate = false;
  struct fake_script scripts[2] = {{.hold = FAKE_HOLD_INPUT, .gate = &gate}, {0}};
  /* No batch is ever overrun: the held one must not make its device sick. */
  struct synth__sched_config cfg = {
      .unit_log2 = UNIT_LOG2, .batch_timeout_ms = 3600000, .policy = &synth__policy_rate};
  struct synth__sched *s;
  CU_ASSERT_EQUAL_FATAL(synth__sched_create(&s, &cfg), 0);
  for (int i = 0; i < 2; i++) {
    struct synth__device_desc desc = fake_device_desc(i);
    struct fake_device *dev = fake_device_new(&cover_workload, &scripts[i]);
    CU_ASSERT_EQUAL(synth__sched_add_device(s, &fake_device_ops, dev, &desc, 0.002), i);
  }
  struct cover_job *cj = cover_job_new(1, BASE, SIZE, 100003);
  struct synth__job *job;
  CU_ASSERT_EQUAL_FATAL(synth__job_create(&job, &cover_workload, cj, NULL, BASE, SIZE), 0);
  synth__job_get(job); /* one to wait on */
  CU_ASSERT_EQUAL(synth__sched_set_job(s, job, true), 0);
  CU_ASSERT_EQUAL(synth__sched_start(s), 0);
  struct fake_device *held = s->devices[0]->dev;
  /* The held batch is one unit (its device never finished one, so its tuner is at one unit):
   * then all that is not hashed yet is on device 0. */
  SYNTH_TEST_WAIT(atomic_load(&held->held) == 1 &&
                  atomic_load(&job->hashed) + synth__unit_queue_nonces(&s->devices[0]->queue) +
                          (1u << UNIT_LOG2) >=
                      SIZE);
  struct synth__sched_totals t;
  synth__sched_totals(s, &t);
  CU_ASSERT_EQUAL(t.steals, 0);
  CU_ASSERT(synth__unit_queue_nonces(&s->devices[0]->queue) > 0); /* left to its owner */
  atomic_store(&gate, true);
  CU_ASSERT_EQUAL(synth__sched_wait_job(s, job, (unsigned)(synth_test_patience_s() * 1000)), 0);
  synth__sched_stop(s);
  synth__sched_totals(s, &t);
  CU_ASSERT_EQUAL(t.steals, 0);
  CU_ASSERT_EQUAL(cover_job_misses(cj), 0);
  CU_ASSERT_EQUAL(atomic_load(&cj->hashed), SIZE);
  CU_ASSERT_EQUAL(t.units_in_use, 0);
  synth__job_put(job);
  synth__sched_destroy(s);
  cover_job_free(cj);
}

int main(void)
{
  /* Two workers, each on a core of its own, or nothing to test. */
  struct synth_runtime_config probe = {.devices = "cpu", .workload = &mix_workload};
  if (!synth_test_cpu_workers(&probe, 2, "policy"))
    return SYNTH_TEST_SKIP;
  int rc = synth_test_run("policy", SYNTH_TESTS(SYNTH_TEST(test_unknown_policy_refused),
                                                SYNTH_TEST(test_each_policy_exact),
                                                SYNTH_TEST(test_worker_turns_bad_rate),
                                                SYNTH_TEST(test_worker_turns_bad_stealing),
                                                SYNTH_TEST(test_rate_never_steals)));
  for (int k = 0; k < WORKS_MAX; k++)
    free(trackers[k].bits);
  return rc;
}
