/* test_scheduler.c: exact coverage by concurrent devices, stealing, failures, job switches. */
#include <stdlib.h>
#include <string.h>

#include "base/rcu_thread.h"
#include "scheduler/sched_internal.h"
#include "scheduler/scheduler.h"
#include "support/coverage_workload.h"
#include "support/fake_device.h"
#include "support/harness.h"
#include "support/sched_checks.h"
#include "synth/error.h"

/* A finite job that starts 1,000,000 nonces before the end of roll 5 and runs into roll 6. */
#define BASE ((5ull << 32) | (0xffffffffull - 1000000 + 1))
#define SIZE 3000000ull
#define MODULUS 100003ull

struct hit_log {
  atomic_uint count;
  atomic_uint by_tag[4];
  /* The epoch a clean switch away from tag 1 brings (0: none yet): a hit of tag 1 whose scan
   * ended in it or later was verified after the switch, and is late. */
  atomic_uint stale_from_epoch;
  atomic_uint late_stale;
};

static void on_hit(void *user, struct synth__job *job, const void *payload, uint32_t roll,
                   uint32_t nonce, const struct synth_verdict *v, unsigned device)
{
  (void)roll, (void)nonce, (void)device;
  struct hit_log *log = user;
  struct cover_job *cj = job->data;
  CU_ASSERT_TRUE(v->meets_target);
  atomic_fetch_add(&log->count, 1);
  atomic_fetch_add(&log->by_tag[cj->tag & 3], 1);
  unsigned from = atomic_load(&log->stale_from_epoch);
  if (cj->tag == 1 && from != 0 && (int)(cover_payload_epoch_end(payload) - from) >= 0)
    atomic_fetch_add(&log->late_stale, 1);
}

static struct fake_device *fake_of(struct synth__sched *s, unsigned i)
{
  return s->devices[i]->dev;
}

/* Whether each of the first n devices has a batch waiting at its gate. */
static bool all_held(struct synth__sched *s, unsigned n)
{
  for (unsigned i = 0; i < n; i++)
    if (atomic_load(&fake_of(s, i)->held) == 0)
      return false;
  return true;
}

static struct synth__sched *make_sched(struct hit_log *log, const struct fake_script *scripts,
                                       unsigned n)
{
  struct synth__sched_config cfg = {.unit_log2 = 12, .on_hit = on_hit, .hit_user = log};
  struct synth__sched *s;
  CU_ASSERT_EQUAL_FATAL(synth__sched_create(&s, &cfg), 0);
  for (unsigned i = 0; i < n; i++) {
    struct synth__device_desc desc = fake_device_desc((int)i);
    struct fake_device *dev = fake_device_new(&cover_workload, &scripts[i]);
    CU_ASSERT_EQUAL(synth__sched_add_device(s, &fake_device_ops, dev, &desc, 0.002), (int)i);
  }
  return s;
}

static struct synth__job *make_job(struct cover_job *cj, uint64_t base, uint64_t size)
{
  struct synth__job *job;
  CU_ASSERT_EQUAL_FATAL(synth__job_create(&job, &cover_workload, cj, NULL, base, size), 0);
  return job;
}

/* One finite job over scripted devices, from start to the checks. */
struct finite_run {
  struct hit_log log;
  struct synth__sched *s;
  struct cover_job *cj;
  struct synth__job *job;
};

static void finite_start(struct finite_run *r, const struct fake_script *scripts, unsigned n)
{
  memset(&r->log, 0, sizeof r->log);
  r->s = make_sched(&r->log, scripts, n);
  r->cj = cover_job_new(1, BASE, SIZE, MODULUS);
  r->job = make_job(r->cj, BASE, SIZE);
  synth__job_get(r->job); /* keep one to wait on */
  CU_ASSERT_EQUAL(synth__sched_set_job(r->s, r->job, true), 0);
  CU_ASSERT_EQUAL(synth__sched_start(r->s), 0);
}

/* Waits for the job to complete and checks every index was hashed exactly once and every hit
 * delivered exactly once. The scheduler is left to the caller. */
static void finite_finish(struct finite_run *r, struct synth__sched_totals *totals)
{
  struct synth__sched *s = r->s;
  CU_ASSERT_EQUAL(synth__sched_wait_job(s, r->job, 120000), 0);
  synth__sched_stop(s);

  CU_ASSERT_EQUAL(cover_job_misses(r->cj), 0);
  CU_ASSERT_EQUAL(atomic_load(&r->cj->hashed), SIZE);
  CU_ASSERT_EQUAL(atomic_load(&r->log.count), cover_job_expected_hits(r->cj));
  uint64_t verified = 0;
  for (unsigned i = 0; i < synth__sched_device_count(s); i++) {
    struct synth_device_stats st;
    synth__sched_device_stats(s, i, &st);
    verified += st.hits_verified;
  }
  CU_ASSERT_EQUAL(verified, cover_job_expected_hits(r->cj));
  synth__sched_totals(s, totals);
  CU_ASSERT_EQUAL(totals->units_in_use, 0); /* everything queued was taken */
  synth__job_put(r->job);
  cover_job_free(r->cj);
}

/* Runs one finite job to completion with the checks above; keeps the scheduler in *keep. */
static void run_finite(const struct fake_script *scripts, unsigned n,
                       struct synth__sched_totals *totals, struct synth__sched **keep)
{
  struct finite_run r;
  finite_start(&r, scripts, n);
  finite_finish(&r, totals);
  if (keep) {
    *keep = r.s;
  } else {
    synth__sched_destroy(r.s);
  }
}

static void test_finite_range_exactly_once(void)
{
  struct fake_script scripts[4] = {{0}};
  struct synth__sched_totals t;
  run_finite(scripts, 4, &t, NULL);
  CU_ASSERT_EQUAL(t.requeued_nonces, 0);
}

/* A device that is slow leaves work queued; the fast one takes it from its queue. The slow one
 * waits with its first batch until then, so the job cannot end without a steal. */
static void test_idle_device_steals(void)
{
  atomic_bool gate = false;
  struct fake_script scripts[2] = {{.sleep_us = 20000, .hold = FAKE_HOLD_INPUT, .gate = &gate},
                                   {0}};
  struct finite_run r;
  struct synth__sched_totals t;
  finite_start(&r, scripts, 2);
  SYNTH_TEST_WAIT((synth__sched_totals(r.s, &t), t.steals > 0));
  atomic_store(&gate, true);
  finite_finish(&r, &t);
  CU_ASSERT(t.steals > 0);
  synth__sched_destroy(r.s);
}

/* The other devices wait with their first batch until device 0 has failed (when) its own, so
 * it surely gets one before they finish the job, however loaded the machine. */
static struct synth__sched *run_with_failing_first(enum fake_failure failure,
                                                   struct synth__sched_totals *t)
{
  static atomic_bool gate; /* outlives this call, as the devices do */
  atomic_store(&gate, false);
  struct fake_script wait = {.hold = FAKE_HOLD_INPUT, .gate = &gate};
  struct fake_script scripts[3] = {{.fail_at_batch = 1, .failure = failure}, wait, wait};
  struct finite_run r;
  finite_start(&r, scripts, 3);
  struct synth__sched_device *d = r.s->devices[0];
  SYNTH_TEST_WAIT(failure == FAKE_DEVICE_LOST ? atomic_load(&d->failed)
                                              : synth__counter_get(&d->counters.batch_errors) > 0);
  atomic_store(&gate, true);
  finite_finish(&r, t);
  return r.s;
}

/* A batch that fails half-way gives its unhashed half back: nothing is lost or repeated. */
static void test_batch_error_requeues(void)
{
  struct synth__sched_totals t;
  struct synth__sched *s = run_with_failing_first(FAKE_BATCH_ERROR, &t);
  CU_ASSERT(t.requeued_nonces > 0);
  CU_ASSERT_FALSE(atomic_load(&s->devices[0]->failed)); /* one bad batch does not remove it */
  CU_ASSERT_EQUAL(synth__counter_get(&s->devices[0]->counters.batch_errors), 1);
  synth__sched_destroy(s);
}

/* A device lost mid-batch is taken out; its batch and its queue are finished by the others. */
static void test_lost_device_loses_nothing(void)
{
  struct synth__sched_totals t;
  struct synth__sched *s = run_with_failing_first(FAKE_DEVICE_LOST, &t);
  CU_ASSERT(t.requeued_nonces > 0);
  CU_ASSERT_TRUE(atomic_load(&s->devices[0]->failed));
  synth__sched_destroy(s);
}

/* The same hit reported twice is delivered once and counted as a duplicate. */
static void test_duplicate_hits_rejected(void)
{
  struct fake_script scripts[2] = {{.repeat_hits = true}, {.repeat_hits = true}};
  struct synth__sched_totals t;
  struct synth__sched *s;
  run_finite(scripts, 2, &t, &s);
  uint64_t dups = 0, hits = 0;
  for (unsigned i = 0; i < 2; i++) {
    struct synth_device_stats st;
    synth__sched_device_stats(s, i, &st);
    dups += st.duplicates;
    hits += st.hits_verified;
  }
  CU_ASSERT(hits > 0);
  CU_ASSERT_EQUAL(dups, hits);
  synth__sched_destroy(s);
}

/* A reported nonce that does not meet the target on the CPU is a hardware error, not a hit. */
static void test_bogus_hits_are_hardware_errors(void)
{
  struct fake_script scripts[2] = {{.bogus_hit = true}, {0}};
  struct synth__sched_totals t;
  struct synth__sched *s;
  run_finite(scripts, 2, &t, &s);
  struct synth_device_stats bad, good;
  synth__sched_device_stats(s, 0, &bad);
  synth__sched_device_stats(s, 1, &good);
  CU_ASSERT(bad.hw_errors > 0);
  CU_ASSERT_EQUAL(bad.hw_errors + bad.hits_verified, bad.hits);
  CU_ASSERT_EQUAL(good.hw_errors, 0);
  synth__sched_destroy(s);
}

/* A clean job switch: no batch of the old job starts after it, queued old units are dropped,
 * no hit of the old job verified after the switch is delivered, and every device moves on to
 * the new job. */
static void test_job_switch_drops_old_work(void)
{
  struct hit_log log = {0};
  struct fake_script scripts[3] = {{0}};
  struct synth__sched *s = make_sched(&log, scripts, 3);
  struct cover_job *a = cover_job_new(1, 0, 0, 50000), *b = cover_job_new(2, 0, 0, 50000);
  struct synth__job *job_a = make_job(a, 0, 0);
  CU_ASSERT_EQUAL(synth__sched_set_job(s, job_a, true), 0);
  uint32_t a_id = job_a->id; /* job_a itself may be freed once replaced */
  CU_ASSERT_EQUAL(synth__sched_start(s), 0);
  SYNTH_TEST_WAIT(atomic_load(&a->hashed) >= 1000000);
  CU_ASSERT(atomic_load(&a->hashed) >= 1000000);

  /* Only this thread moves the epoch while it runs: the switch makes it one more. Scans in
   * flight end in that epoch, and every hit they found must be stale. */
  atomic_store(&log.stale_from_epoch, atomic_load(&s->epoch) + 1);
  CU_ASSERT_EQUAL(synth__sched_set_job(s, make_job(b, 0, 0), true), 0);
  unsigned switch_epoch = atomic_load(&s->epoch);
  CU_ASSERT_EQUAL(switch_epoch, atomic_load(&log.stale_from_epoch));
  uint32_t b_id = synth__sched_current_job_id(s);
  /* Once every device has finished a batch of the new job, the old job's count is final. */
  SYNTH_TEST_WAIT(sched_all_reached(s, b_id));
  CU_ASSERT_TRUE(sched_all_reached(s, b_id));
  uint64_t a_final = atomic_load(&a->hashed);
  SYNTH_TEST_WAIT(atomic_load(&log.by_tag[2]) > 0);
  CU_ASSERT(atomic_load(&log.by_tag[2]) > 0);
  /* Exact: no scan of the old job started after the switch. */
  CU_ASSERT(atomic_load(&a->max_epoch_seen) < switch_epoch);
  /* The old job's cached payloads and remembered hits are released with it. */
  synth__rcu_online();
  /* The service thread drops them one table after the other: wait for both. */
  SYNTH_TEST_WAIT(synth__job_table_get(s->midstates, a_id, 0, NULL) == SYNTH_ENOENT &&
                  synth__job_table_get(s->seen, a_id, 0, NULL) == SYNTH_ENOENT);
  CU_ASSERT_EQUAL(synth__job_table_get(s->midstates, a_id, 0, NULL), SYNTH_ENOENT);
  CU_ASSERT_EQUAL(synth__job_table_get(s->seen, a_id, 0, NULL), SYNTH_ENOENT);
  synth__rcu_offline();
  CU_ASSERT(atomic_load(&b->max_epoch_seen) >= switch_epoch);
  synth__sched_stop(s);

  CU_ASSERT_EQUAL(atomic_load(&a->hashed), a_final); /* nothing of it after the devices moved */
  struct synth__sched_totals t;
  synth__sched_totals(s, &t);
  CU_ASSERT(t.stale_nonces + t.aborted_nonces > 0);
  CU_ASSERT_EQUAL(atomic_load(&log.late_stale), 0);
  synth__sched_destroy(s);
  cover_job_free(a);
  cover_job_free(b);
}

/* Stopping part-way and starting again finishes the job with exact coverage. Each device
 * hashes two batches and waits with its third, so the stop surely comes mid-job and cuts
 * that batch short. */
static void test_stop_and_resume(void)
{
  struct hit_log log = {0};
  atomic_bool gate = false;
  struct fake_script script = {.hold = FAKE_HOLD_INPUT, .gate = &gate, .hold_from = 3};
  struct fake_script scripts[2] = {script, script};
  struct synth__sched *s = make_sched(&log, scripts, 2);
  struct cover_job *cj = cover_job_new(1, BASE, SIZE, MODULUS);
  struct synth__job *job = make_job(cj, BASE, SIZE);
  synth__job_get(job);
  synth__sched_set_job(s, job, true);
  CU_ASSERT_EQUAL(synth__sched_start(s), 0);
  SYNTH_TEST_WAIT(all_held(s, 2));
  CU_ASSERT_TRUE(all_held(s, 2));
  synth__sched_stop(s);
  synth__sched_stop(s); /* idempotent */
  uint64_t hashed = atomic_load(&cj->hashed);
  CU_ASSERT(hashed > 0 && hashed < SIZE);
  atomic_store(&gate, true);
  CU_ASSERT_EQUAL(synth__sched_start(s), 0);
  CU_ASSERT_EQUAL(synth__sched_start(s), 0); /* idempotent */
  CU_ASSERT_EQUAL(synth__sched_wait_job(s, job, 120000), 0);
  synth__sched_stop(s);
  CU_ASSERT_EQUAL(cover_job_misses(cj), 0);
  CU_ASSERT_EQUAL(atomic_load(&log.count), cover_job_expected_hits(cj));
  struct synth__sched_totals t;
  synth__sched_totals(s, &t);
  CU_ASSERT(t.requeued_nonces > 0); /* the batches the stop cut short */
  synth__job_put(job);
  synth__sched_destroy(s);
  cover_job_free(cj);
}

/* A tiny pool, slow devices and repeated stop/start: every stop comes while each device is
 * mid-batch (waiting at its gate), so it leaves each a remainder while the pool is full.
 * Remainders overdraw the pool, so nobody waits on anybody, and the job still finishes with
 * every index exactly once. */
static void test_full_pool_with_remainders(void)
{
  struct hit_log log = {0};
  struct synth__sched_config cfg = {
      .unit_log2 = 8, .max_units = 8, .on_hit = on_hit, .hit_user = &log};
  struct synth__sched *s;
  CU_ASSERT_EQUAL_FATAL(synth__sched_create(&s, &cfg), 0);
  atomic_bool gate = false;
  for (int i = 0; i < 2; i++) {
    struct synth__device_desc desc = fake_device_desc(i);
    struct fake_script script = {.sleep_us = 20000, .hold = FAKE_HOLD_INPUT, .gate = &gate};
    synth__sched_add_device(s, &fake_device_ops, fake_device_new(&cover_workload, &script), &desc,
                            0.02);
  }
  uint64_t base = (9ull << 32) | 0xffffe000ull, size = 1 << 14; /* crosses into roll 10 */
  struct cover_job *cj = cover_job_new(1, base, size, 1000);
  struct synth__job *job = make_job(cj, base, size);
  synth__job_get(job);
  synth__sched_set_job(s, job, true);
  uint64_t requeued = 0;
  for (int round = 0; round < 4; round++) {
    CU_ASSERT_EQUAL(synth__sched_start(s), 0);
    SYNTH_TEST_WAIT(all_held(s, 2)); /* both devices mid-batch */
    CU_ASSERT_TRUE(all_held(s, 2));
    synth__sched_stop(s);
    struct synth__sched_totals t;
    synth__sched_totals(s, &t);
    CU_ASSERT(t.requeued_nonces > requeued); /* this stop left remainders */
    requeued = t.requeued_nonces;
  }
  CU_ASSERT_EQUAL(atomic_load(&cj->hashed), 0); /* every batch so far was cut short unhashed */
  atomic_store(&gate, true);
  CU_ASSERT_EQUAL(synth__sched_start(s), 0);
  CU_ASSERT_EQUAL(synth__sched_wait_job(s, job, 60000), 0);
  synth__sched_stop(s);
  CU_ASSERT_EQUAL(cover_job_misses(cj), 0);
  CU_ASSERT_EQUAL(atomic_load(&log.count), cover_job_expected_hits(cj));
  synth__job_put(job);
  synth__sched_destroy(s);
  cover_job_free(cj);
}

/* A clean job makes the hits of every earlier job stale, not only of the one it replaces:
 * A's batch, hashed before the switches but reported after them (its results held up until
 * then), delivers nothing. */
static void test_clean_job_stales_all_older(void)
{
  struct hit_log log = {0};
  atomic_bool gate = false;
  struct fake_script script = {.hold = FAKE_HOLD_RESULTS, .gate = &gate};
  struct synth__sched *s = make_sched(&log, &script, 1);
  struct cover_job *a = cover_job_new(1, 0, 0, 500), *b = cover_job_new(2, 0, 0, 500),
                   *c = cover_job_new(3, 0, 0, 500);
  synth__sched_set_job(s, make_job(a, 0, 0), true);
  CU_ASSERT_EQUAL(synth__sched_start(s), 0);
  SYNTH_TEST_WAIT(atomic_load(&fake_of(s, 0)->held) == 1);
  CU_ASSERT_EQUAL(atomic_load(&fake_of(s, 0)->held), 1); /* hashed; its results held */
  CU_ASSERT(atomic_load(&a->hashed) >= 4096);            /* a unit at least: hits in it */
  synth__sched_set_job(s, make_job(b, 0, 0), false);
  synth__sched_set_job(s, make_job(c, 0, 0), true);
  atomic_store(&gate, true);
  SYNTH_TEST_WAIT(atomic_load(&log.by_tag[3]) > 0);
  synth__sched_stop(s);
  struct synth_device_stats st;
  synth__sched_device_stats(s, 0, &st);
  CU_ASSERT_EQUAL(atomic_load(&log.by_tag[1]), 0);
  CU_ASSERT_EQUAL(atomic_load(&log.by_tag[2]), 0); /* replaced before any batch of it */
  CU_ASSERT(st.hits_stale > 0);
  CU_ASSERT_EQUAL(st.hits_stale + st.hits_verified, st.hits); /* A's hits, and only those */
  CU_ASSERT(atomic_load(&log.by_tag[3]) > 0);
  synth__sched_destroy(s);
  cover_job_free(a);
  cover_job_free(b);
  cover_job_free(c);
}

static void test_bad_arguments(void)
{
  struct synth__sched *s;
  struct synth__sched_config bad = {.unit_log2 = 30};
  CU_ASSERT_EQUAL(synth__sched_create(&s, &bad), SYNTH_EINVAL);
  struct synth__sched_config ok = {0};
  CU_ASSERT_EQUAL_FATAL(synth__sched_create(&s, &ok), 0);
  CU_ASSERT_EQUAL(synth__sched_set_job(s, NULL, true), SYNTH_EINVAL);
  struct cover_job *cj = cover_job_new(1, 0, 0, 7);
  struct synth__job *job = make_job(cj, 0, 0);
  synth__job_get(job);
  synth__sched_set_job(s, job, true);
  CU_ASSERT_EQUAL(synth__sched_wait_job(s, job, 10), SYNTH_EINVAL); /* open-ended */
  synth__job_put(job);
  CU_ASSERT_EQUAL(synth__sched_start(s), 0); /* no devices: nothing to do, but valid */
  synth__sched_destroy(s);
  cover_job_free(cj);
}

SYNTH_TEST_MAIN("scheduler", SYNTH_TEST(test_finite_range_exactly_once),
                SYNTH_TEST(test_idle_device_steals), SYNTH_TEST(test_batch_error_requeues),
                SYNTH_TEST(test_lost_device_loses_nothing),
                SYNTH_TEST(test_duplicate_hits_rejected),
                SYNTH_TEST(test_bogus_hits_are_hardware_errors),
                SYNTH_TEST(test_job_switch_drops_old_work), SYNTH_TEST(test_stop_and_resume),
                SYNTH_TEST(test_full_pool_with_remainders),
                SYNTH_TEST(test_clean_job_stales_all_older), SYNTH_TEST(test_bad_arguments))
