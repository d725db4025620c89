/* test_unit_queue.c: the unit pool's bound and the queue's contiguous, stealable takes. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scheduler/unit_pool.h"
#include "scheduler/unit_queue.h"
#include "support/harness.h"
#include "synth/error.h"

static struct synth__work_unit *unit(struct synth__unit_pool *p, uint32_t job, uint32_t roll,
                                     uint32_t start, uint32_t count)
{
  struct synth__work_unit *u = synth__unit_pool_alloc(p, false);
  CU_ASSERT_PTR_NOT_NULL_FATAL(u);
  u->job_id = job;
  u->midstate_id = synth__midstate_id(job, roll);
  u->nonce_start = start;
  u->nonce_count = count;
  return u;
}

/* Jobs lo..hi are in force, the rest gone; every take of them allows max nonces. */
struct live {
  uint32_t lo, hi;
  uint64_t max;
};

static void *resolve(void *ctx, uint32_t job_id, uint64_t *max_nonces)
{
  static char token;
  const struct live *l = ctx;
  if (job_id < l->lo || job_id > l->hi)
    return NULL;
  *max_nonces = l->max;
  return &token;
}

static int take(struct synth__unit_queue *q, struct synth__unit_pool *p, uint32_t lo, uint32_t hi,
                uint64_t max, bool try_only, struct synth__take_result *r)
{
  struct live l = {lo, hi, max};
  return synth__unit_queue_take(q, p, resolve, &l, try_only, r);
}

/* A pool of @units work units and an empty queue over it. */
struct fixture {
  struct synth__unit_pool *p;
  struct synth__unit_queue q;
};

static void setup(struct fixture *f, unsigned units)
{
  CU_ASSERT_EQUAL_FATAL(synth__unit_pool_create(&f->p, units), 0);
  synth__unit_queue_init(&f->q);
}

static void teardown(struct fixture *f)
{
  synth__unit_queue_destroy(&f->q, f->p);
  synth__unit_pool_destroy(f->p);
}

/* Queues a fresh unit of job @job's roll @roll: nonces [start, start + count). */
static void push(struct fixture *f, uint32_t job, uint32_t roll, uint32_t start, uint32_t count)
{
  synth__unit_queue_push(&f->q, unit(f->p, job, roll, start, count));
}

static void test_pool_is_bounded(void)
{
  struct synth__unit_pool *p;
  CU_ASSERT_EQUAL(synth__unit_pool_create(&p, 0), SYNTH_EINVAL);
  CU_ASSERT_EQUAL_FATAL(synth__unit_pool_create(&p, 2500), 0);
  struct synth__work_unit *u[2500];
  for (int i = 0; i < 2500; i++) {
    u[i] = synth__unit_pool_alloc(p, false);
    CU_ASSERT_PTR_NOT_NULL(u[i]);
  }
  CU_ASSERT_PTR_NULL(synth__unit_pool_alloc(p, false));
  CU_ASSERT_EQUAL(synth__unit_pool_in_use(p), 2500);
  synth__unit_pool_free(p, u[17]);
  CU_ASSERT_PTR_EQUAL(synth__unit_pool_alloc(p, false), u[17]); /* reused, not a new one */
  /* Given-back work may overdraw the bound; fresh work waits until it is back under. */
  struct synth__work_unit *extra = synth__unit_pool_alloc(p, true);
  CU_ASSERT_PTR_NOT_NULL(extra);
  CU_ASSERT_EQUAL(synth__unit_pool_in_use(p), 2501);
  synth__unit_pool_free(p, u[0]);
  CU_ASSERT_PTR_NULL(synth__unit_pool_alloc(p, false));
  synth__unit_pool_free(p, extra);
  u[0] = synth__unit_pool_alloc(p, false);
  CU_ASSERT_PTR_NOT_NULL(u[0]);
  for (int i = 0; i < 2500; i++)
    synth__unit_pool_free(p, u[i]);
  CU_ASSERT_EQUAL(synth__unit_pool_in_use(p), 0);
  synth__unit_pool_destroy(p);
}

static void test_take_is_contiguous(void)
{
  struct fixture f;
  setup(&f, 64);
  push(&f, 1, 0, 0, 100);
  push(&f, 1, 0, 100, 100);
  push(&f, 1, 0, 200, 100);
  push(&f, 1, 0, 500, 100); /* a gap */
  push(&f, 1, 1, 600, 100); /* another roll */
  CU_ASSERT_EQUAL(synth__unit_queue_nonces(&f.q), 500);

  struct synth__take_result r;
  CU_ASSERT_EQUAL(take(&f.q, f.p, 1, 1, 250, false, &r), 0);
  CU_ASSERT_EQUAL(r.taken, 200); /* a third unit would pass 250 */
  CU_ASSERT_EQUAL(r.range.nonce_start, 0);
  CU_ASSERT_EQUAL(r.range.count, 200);
  take(&f.q, f.p, 1, 1, 10000, false, &r);
  CU_ASSERT_EQUAL(r.taken, 100); /* stops at the gap */
  CU_ASSERT_EQUAL(r.range.nonce_start, 200);
  take(&f.q, f.p, 1, 1, 10, false, &r);
  CU_ASSERT_EQUAL(r.taken, 100); /* at least one unit, even above max */
  CU_ASSERT_EQUAL(r.range.nonce_start, 500);
  take(&f.q, f.p, 1, 1, 10000, false, &r);
  CU_ASSERT_EQUAL(r.range.midstate_id, synth__midstate_id(1, 1));
  take(&f.q, f.p, 1, 1, 10000, false, &r);
  CU_ASSERT_EQUAL(r.taken, 0);
  CU_ASSERT_EQUAL(synth__unit_queue_nonces(&f.q), 0);
  CU_ASSERT_EQUAL(synth__unit_pool_in_use(f.p), 0);
  teardown(&f);
}

static void test_gone_dropped_live_kept(void)
{
  struct fixture f;
  setup(&f, 64);
  push(&f, 3, 0, 0, 100);
  push(&f, 3, 0, 100, 100);
  push(&f, 4, 0, 0, 100);
  push(&f, 5, 0, 100, 100); /* continues 4's range, but another job */
  push(&f, 3, 0, 200, 100);
  push(&f, 4, 0, 100, 100);
  struct synth__take_result r;
  take(&f.q, f.p, 4, 5, 10000, false, &r); /* job 3 is gone, 4 and 5 are in force */
  CU_ASSERT_EQUAL(r.stale_nonces, 200);
  CU_ASSERT_EQUAL(r.taken, 100);
  CU_ASSERT_EQUAL(r.job_id, 4);
  CU_ASSERT_PTR_NOT_NULL(r.job);
  take(&f.q, f.p, 4, 5, 10000, false, &r); /* the run stopped at job 5's unit, which is kept */
  CU_ASSERT_EQUAL(r.taken, 100);
  CU_ASSERT_EQUAL(r.job_id, 5);
  CU_ASSERT_EQUAL(r.range.nonce_start, 100);
  take(&f.q, f.p, 4, 5, 10000, false, &r);
  CU_ASSERT_EQUAL(r.stale_nonces, 100);
  CU_ASSERT_EQUAL(r.job_id, 4);
  CU_ASSERT_EQUAL(r.range.nonce_start, 100);
  take(&f.q, f.p, 4, 5, 10000, false, &r);
  CU_ASSERT_EQUAL(r.taken, 0);
  CU_ASSERT_PTR_NULL(r.job);
  CU_ASSERT_EQUAL(synth__unit_queue_nonces(&f.q), 0);
  CU_ASSERT_EQUAL(synth__unit_pool_in_use(f.p), 0); /* the queue holds no unit */
  teardown(&f);
}

static void test_try_take_never_blocks(void)
{
  struct fixture f;
  setup(&f, 8);
  push(&f, 1, 0, 0, 100);
  struct synth__take_result r;
  pthread_mutex_lock(&f.q.take_lock); /* as if the owner were taking */
  CU_ASSERT_EQUAL(take(&f.q, f.p, 1, 1, 100, true, &r), SYNTH_EAGAIN);
  pthread_mutex_unlock(&f.q.take_lock);
  CU_ASSERT_EQUAL(take(&f.q, f.p, 1, 1, 100, true, &r), 0);
  CU_ASSERT_EQUAL(r.taken, 100);
  teardown(&f);
}

/* Each consumer takes until it has seen the end marker count; it checks no unit repeats. */
struct consumer {
  struct synth__unit_queue *q;
  struct synth__unit_pool *p;
  atomic_uint *seen;
  atomic_uint *remaining;
};

static void *consume(void *arg)
{
  struct consumer *c = arg;
  uint32_t lcg = (uint32_t)(uintptr_t)&lcg;
  while (atomic_load(c->remaining) > 0) {
    struct synth__take_result r;
    lcg = lcg * 1664525u + 1013904223u;
    uint64_t want = 10 * (1 + (lcg >> 16) % 5);
    if (take(c->q, c->p, 1, 1, want, true, &r) != 0 || r.taken == 0)
      continue;
    for (uint32_t i = 0; i < r.range.count / 10; i++)
      atomic_fetch_add(&c->seen[r.range.nonce_start / 10 + i], 1);
    atomic_fetch_sub(c->remaining, r.range.count / 10);
  }
  return NULL;
}

/* One producer pushes while three threads take and steal at once: every unit exactly once. */
static void test_concurrent_takers(void)
{
  enum { UNITS = 20000 };
  struct fixture f;
  setup(&f, UNITS);
  atomic_uint *seen = calloc(UNITS, sizeof *seen);
  atomic_uint remaining = UNITS;
  struct consumer c = {&f.q, f.p, seen, &remaining};
  pthread_t th[3];
  for (int i = 0; i < 3; i++)
    pthread_create(&th[i], NULL, consume, &c);
  for (uint32_t i = 0; i < UNITS; i++)
    push(&f, 1, 0, i * 10, 10);
  for (int i = 0; i < 3; i++)
    pthread_join(th[i], NULL);
  unsigned bad = 0;
  for (uint32_t i = 0; i < UNITS; i++)
    bad += atomic_load(&seen[i]) != 1;
  CU_ASSERT_EQUAL(bad, 0);
  free(seen);
  teardown(&f);
}

SYNTH_TEST_MAIN("unit_queue", SYNTH_TEST(test_pool_is_bounded), SYNTH_TEST(test_take_is_contiguous),
                SYNTH_TEST(test_gone_dropped_live_kept), SYNTH_TEST(test_try_take_never_blocks),
                SYNTH_TEST(test_concurrent_takers))
