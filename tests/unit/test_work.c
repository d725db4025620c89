/* test_work.c: a workload of the test's own, through the public API only: finite work hashed
 * exactly (every hit once, the range counted whole), open-ended work cancelled, work replaced,
 * callbacks ended with their work, SHA-256d work against OpenSSL, two runtimes in one process,
 * and a mining job refused on a runtime of another workload. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "support/fixtures.h"
#include "support/harness.h"
#include "support/mix_workload.h"
#include "synth/synth.h"

struct tally {
  atomic_uint hits, done_calls;
  atomic_int status;
  uint64_t start, end;
  atomic_uint outside; /* hits reported outside [start, end) */
  atomic_uint late;    /* hits after on_done */
};

static void on_hit(void *user, uint64_t index, const struct synth_verdict *v, unsigned device)
{
  (void)device;
  struct tally *t = user;
  CU_ASSERT_TRUE(v->meets_target);
  if (atomic_load(&t->done_calls))
    atomic_fetch_add(&t->late, 1);
  atomic_fetch_add(&t->hits, 1);
  if (t->end && (index < t->start || index >= t->end))
    atomic_fetch_add(&t->outside, 1);
}

static void on_done(void *user, int status)
{
  struct tally *t = user;
  atomic_store(&t->status, status);
  atomic_fetch_add(&t->done_calls, 1);
}

/* Waits until the runtime's devices have stopped hashing: their nonce count holds still over
 * a tenth of a second. Returns whether they did before the patience ran out. A device still at
 * work fails it however slow the machine; a slow one only passes it later. */
static bool devices_idle(synth_runtime *rt)
{
  double until = synth_test_now_s() + synth_test_patience_s();
  uint64_t before = synth_test_runtime_nonces(rt);
  while (synth_test_now_s() < until) {
    synth_test_sleep_ms(100);
    uint64_t now = synth_test_runtime_nonces(rt);
    if (now == before)
      return true;
    before = now;
  }
  return false;
}

static synth_runtime *runtime(void)
{
  struct synth_runtime_config cfg = {.devices = "cpu", .workload = &mix_workload};
  synth_runtime *rt;
  CU_ASSERT_EQUAL_FATAL(synth_runtime_create(&rt, &cfg), 0);
  CU_ASSERT_EQUAL_FATAL(synth_runtime_start(rt), 0);
  return rt;
}

/* A finite range that crosses a roll boundary: every hit once, done once with 0. */
static void test_finite_work(void)
{
  synth_runtime *rt = runtime();
  static struct tally t;
  memset(&t, 0, sizeof t);
  /* Sparse enough that no batch overflows its hit buffer (1024 hits). */
  struct mix_job job = {.seed = synth_test_rand(), .threshold = UINT64_MAX / 50000};
  t.start = (7ull << 32) + 0xffffffffull - 20000000ull; /* 20 M before the end of roll 7 */
  const uint64_t size = 50000000ull;
  t.end = t.start + size;
  struct synth_work_config wc = {.data = &job,
                                 .data_size = sizeof job,
                                 .start = t.start,
                                 .end = t.start + size,
                                 .on_hit = on_hit,
                                 .on_done = on_done,
                                 .user = &t};
  synth_work *w = synth_test_work_whole(rt, &wc);
  CU_ASSERT_EQUAL(atomic_load(&t.done_calls), 1);
  CU_ASSERT_EQUAL(atomic_load(&t.status), 0);
  /* The reference count of hits, on this thread. */
  struct mix_payload p;
  uint64_t expect = 0;
  for (uint64_t i = t.start; i < t.start + size; i++) {
    if ((i & 0xffffffffull) == 0 || i == t.start)
      mix_prepare(&job, sizeof job, (uint32_t)(i >> 32), &p);
    expect += mix_hash_of(&p, (uint32_t)i) < job.threshold;
  }
  CU_ASSERT_EQUAL(atomic_load(&t.hits), expect);
  CU_ASSERT(expect > 500);
  CU_ASSERT_EQUAL(atomic_load(&t.outside), 0);
  CU_ASSERT_EQUAL(atomic_load(&t.late), 0); /* no on_hit after on_done */
  synth_work_release(w);
  synth_runtime_destroy(rt);
}

/* Open-ended work runs until cancelled; wait refuses it; cancel ends it once. Replacing work
 * ends the replaced one. */
static void test_cancel_and_replace(void)
{
  synth_runtime *rt = runtime();
  static struct tally a, b;
  memset(&a, 0, sizeof a);
  memset(&b, 0, sizeof b);
  struct mix_job job = {.seed = 1, .threshold = UINT64_MAX / 100000};
  struct synth_work_config wc = {.data = &job,
                                 .data_size = sizeof job,
                                 .start = 0,
                                 .end = 0,
                                 .on_hit = on_hit,
                                 .on_done = on_done,
                                 .user = &a};
  synth_work *w;
  CU_ASSERT_EQUAL_FATAL(synth_runtime_submit(rt, &wc, &w), 0);
  CU_ASSERT_EQUAL(synth_work_wait(w, 10), SYNTH_ETIMEDOUT); /* open-ended: runs until cancelled */
  SYNTH_TEST_WAIT(atomic_load(&a.hits) > 0);
  CU_ASSERT(synth_work_hashed(w) > 0);
  CU_ASSERT(atomic_load(&a.hits) > 0);
  /* Replaced by another: the first ends, stale. */
  wc.user = &b;
  wc.replace = 1;
  synth_work *w2;
  CU_ASSERT_EQUAL_FATAL(synth_runtime_submit(rt, &wc, &w2), 0);
  CU_ASSERT_EQUAL(atomic_load(&a.done_calls), 1);
  CU_ASSERT_EQUAL(atomic_load(&a.status), SYNTH_ESTALE);
  unsigned a_hits = atomic_load(&a.hits);
  /* The devices go on with the new work: batches of both complete after a ended. */
  SYNTH_TEST_WAIT(atomic_load(&b.hits) > 0);
  CU_ASSERT(atomic_load(&b.hits) > 0);
  CU_ASSERT_EQUAL(atomic_load(&a.hits), a_hits); /* no hit of replaced work after it ended */
  CU_ASSERT_EQUAL(atomic_load(&a.late), 0);
  synth_work_cancel(w2);
  CU_ASSERT_EQUAL(atomic_load(&b.done_calls), 1);
  CU_ASSERT_EQUAL(atomic_load(&b.status), SYNTH_ESTALE);
  synth_work_cancel(w2); /* twice: nothing more */
  CU_ASSERT_EQUAL(atomic_load(&b.done_calls), 1);
  unsigned b_hits = atomic_load(&b.hits);
  CU_ASSERT_TRUE(devices_idle(rt)); /* nothing is current: the devices stop */
  CU_ASSERT_EQUAL(atomic_load(&b.hits), b_hits);
  CU_ASSERT_EQUAL(atomic_load(&b.late), 0);
  synth_work_release(w);
  synth_work_release(w2);
  synth_runtime_destroy(rt);
}

/* Callbacks end with the work: a cancel from another thread returns only once no on_hit is
 * running, and an on_hit may cancel its own work. */
struct quiet_tally {
  atomic_uint in_hit, hits, late, done_calls;
  atomic_int status;
  _Atomic(synth_work *) self; /* set once submitted: on_hit cancels it */
};

static void slow_hit(void *user, uint64_t index, const struct synth_verdict *v, unsigned device)
{
  (void)index, (void)v, (void)device;
  struct quiet_tally *t = user;
  atomic_fetch_add(&t->in_hit, 1);
  if (atomic_load(&t->done_calls))
    atomic_fetch_add(&t->late, 1);
  struct timespec ts = {0, 200 * 1000};
  nanosleep(&ts, NULL);
  atomic_fetch_add(&t->hits, 1);
  synth_work *self = atomic_load(&t->self);
  if (self)
    synth_work_cancel(self);
  atomic_fetch_sub(&t->in_hit, 1);
}

static void quiet_done(void *user, int status)
{
  struct quiet_tally *t = user;
  atomic_store(&t->status, status);
  atomic_fetch_add(&t->done_calls, 1);
}

static synth_work *submit_dense(synth_runtime *rt, struct quiet_tally *t)
{
  struct mix_job job = {.seed = synth_test_rand(), .threshold = UINT64_MAX / 2000};
  struct synth_work_config wc = {
      .data = &job, .data_size = sizeof job, .on_hit = slow_hit, .on_done = quiet_done, .user = t};
  synth_work *w = NULL;
  CU_ASSERT_EQUAL(synth_runtime_submit(rt, &wc, &w), 0);
  return w;
}

static void test_callbacks_end_with_work(void)
{
  synth_runtime *rt = runtime();
  static struct quiet_tally a, b;
  memset(&a, 0, sizeof a);
  memset(&b, 0, sizeof b);
  synth_work *w = submit_dense(rt, &a);
  CU_ASSERT_FATAL(w != NULL);
  SYNTH_TEST_WAIT(atomic_load(&a.hits) >= 20);
  CU_ASSERT(atomic_load(&a.hits) >= 20);
  synth_work_cancel(w);
  CU_ASSERT_EQUAL(atomic_load(&a.in_hit), 0);
  CU_ASSERT_EQUAL(atomic_load(&a.done_calls), 1);
  unsigned hits = atomic_load(&a.hits);
  synth_work_release(w);

  /* The first hit after the handle is known cancels its own work from inside on_hit. */
  w = submit_dense(rt, &b);
  CU_ASSERT_FATAL(w != NULL);
  atomic_store(&b.self, w);
  SYNTH_TEST_WAIT(atomic_load(&b.done_calls) > 0);
  CU_ASSERT_EQUAL(atomic_load(&b.done_calls), 1);
  CU_ASSERT_EQUAL(atomic_load(&b.status), SYNTH_ESTALE);
  /* The devices hashed b after a was cancelled, and then stopped: any late on_hit of either
   * work would have come by now. */
  CU_ASSERT_TRUE(devices_idle(rt));
  CU_ASSERT_EQUAL(atomic_load(&a.hits), hits);
  CU_ASSERT_EQUAL(atomic_load(&a.late), 0);
  CU_ASSERT_EQUAL(atomic_load(&b.late), 0);
  CU_ASSERT_EQUAL(atomic_load(&b.done_calls), 1);
  CU_ASSERT(atomic_load(&b.hits) >= 1);
  synth_work_release(w);
  synth_runtime_destroy(rt);
}

/* SHA-256d through the work API: a struct synth_job's header over a nonce range, every hit
 * of OpenSSL's once (and only those), and ranges outside the job's indexes refused. */
#define SHA_HITS_MAX 4096
struct sha_tally {
  pthread_mutex_t lock;
  uint32_t hits[SHA_HITS_MAX];
  unsigned n;
  atomic_uint bad;
};

static void sha_hit(void *user, uint64_t index, const struct synth_verdict *v, unsigned device)
{
  (void)device;
  struct sha_tally *t = user;
  if (!v->meets_target || index >> 32)
    atomic_fetch_add(&t->bad, 1);
  pthread_mutex_lock(&t->lock);
  if (t->n < SHA_HITS_MAX)
    t->hits[t->n++] = (uint32_t)index;
  pthread_mutex_unlock(&t->lock);
}

static int cmp_u32(const void *a, const void *b)
{
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

static void test_sha256d_work(void)
{
  struct synth_runtime_config cfg = {.devices = "cpu"};
  synth_runtime *rt;
  CU_ASSERT_EQUAL_FATAL(synth_miner_create(&rt, &cfg, NULL), 0);
  CU_ASSERT_EQUAL_FATAL(synth_runtime_start(rt), 0);
  uint8_t header[80], digest[32];
  const struct synth_test_block *b = &synth_test_blocks[synth_test_rand() % synth_test_block_count];
  synth_test_block_decode(b, header, digest);
  struct synth_job job = {.job_id = "w", .clean = 1};
  memcpy(&job.version, header, 4);
  memcpy(job.prevhash, header + 4, 32);
  memcpy(job.merkle_root, header + 36, 32);
  memcpy(&job.ntime, header + 68, 4);
  memcpy(&job.nbits, header + 72, 4);
  synth_test_easy_target(1u << 22, job.share_target); /* about one nonce in 1024 */
  uint32_t start = synth_test_rand() & 0xfff00000u, count = 1u << 20;

  static struct sha_tally t;
  memset(&t, 0, sizeof t);
  pthread_mutex_init(&t.lock, NULL);
  struct synth_work_config wc = {.data = &job,
                                 .data_size = sizeof job,
                                 .start = start,
                                 .end = (uint64_t)start + count,
                                 .on_hit = sha_hit,
                                 .user = &t};
  synth_work *w = synth_test_work_whole(rt, &wc);
  synth_work_release(w);

  static uint32_t expect[SHA_HITS_MAX];
  uint32_t n = synth_test_ref_hits(header, job.share_target, start, count, expect, SHA_HITS_MAX);
  CU_ASSERT(n > 500 && n < SHA_HITS_MAX);
  qsort(t.hits, t.n, sizeof t.hits[0], cmp_u32);
  CU_ASSERT_EQUAL(t.n, n);
  CU_ASSERT_EQUAL(memcmp(t.hits, expect, sizeof expect[0] * (t.n < n ? t.n : n)), 0);
  CU_ASSERT_EQUAL(atomic_load(&t.bad), 0);

  /* A header without a coinbase has one roll: indexes past 2^32 are not its own. */
  wc.start = 1ull << 32;
  wc.end = wc.start + 10;
  CU_ASSERT_EQUAL(synth_runtime_submit(rt, &wc, &w), SYNTH_EINVAL);
  wc.start = 0;
  wc.data_size = 10; /* not a struct synth_job */
  CU_ASSERT_EQUAL(synth_runtime_submit(rt, &wc, &w), SYNTH_EINVAL);
  pthread_mutex_destroy(&t.lock);
  synth_runtime_destroy(rt);
}

/* Runtimes share nothing: two in one process, each with its own workload, devices and work,
 * run at once; each finds exactly its own hits, and destroying one leaves the other running. */
static void test_two_runtimes(void)
{
  struct synth_runtime_config mix_cfg = {
      .devices = "cpu", .device_options = "cpu.threads=1", .workload = &mix_workload};
  struct synth_runtime_config sha_cfg = {.devices = "cpu", .device_options = "cpu.threads=1"};
  synth_runtime *a, *b;
  CU_ASSERT_EQUAL_FATAL(synth_runtime_create(&a, &mix_cfg), 0);
  CU_ASSERT_EQUAL_FATAL(synth_miner_create(&b, &sha_cfg, NULL), 0);
  CU_ASSERT_EQUAL_FATAL(synth_runtime_start(a), 0);
  CU_ASSERT_EQUAL_FATAL(synth_runtime_start(b), 0);
  CU_ASSERT_EQUAL(synth_runtime_device_count(a), 1);
  CU_ASSERT_EQUAL(synth_runtime_device_count(b), 1);

  static struct tally t;
  memset(&t, 0, sizeof t);
  struct mix_job job = {.seed = synth_test_rand(), .threshold = UINT64_MAX / 20000};
  t.start = 5ull << 32;
  t.end = t.start + 4000000;
  struct synth_work_config wc = {.data = &job,
                                 .data_size = sizeof job,
                                 .start = t.start,
                                 .end = t.end,
                                 .on_hit = on_hit,
                                 .on_done = on_done,
                                 .user = &t};
  struct synth_job mining;
  synth_benchmark_job(&mining, 1.0 / 65536);
  synth_work *w;
  CU_ASSERT_EQUAL_FATAL(synth_runtime_submit(a, &wc, &w), 0);
  CU_ASSERT_EQUAL(synth_runtime_set_job(b, &mining), 0);
  CU_ASSERT_EQUAL(synth_work_wait(w, 120000), 0);
  CU_ASSERT_EQUAL(synth_work_hashed(w), t.end - t.start);
  struct mix_payload p;
  mix_prepare(&job, sizeof job, 5, &p);
  uint64_t expect = 0;
  for (uint64_t i = t.start; i < t.end; i++)
    expect += mix_hash_of(&p, (uint32_t)i) < job.threshold;
  CU_ASSERT_EQUAL(atomic_load(&t.hits), expect);
  synth_work_release(w);
  synth_runtime_destroy(a);

  /* b goes on hashing after a went, and finds shares. */
  struct synth_device_stats st0, st1;
  CU_ASSERT_EQUAL(synth_runtime_device_stats(b, 0, &st0, sizeof st0), 0);
  SYNTH_TEST_WAIT(synth_runtime_device_stats(b, 0, &st1, sizeof st1) == 0 &&
                  st1.nonces > st0.nonces && st1.hits_verified > st0.hits_verified);
  CU_ASSERT(st1.nonces > st0.nonces);
  CU_ASSERT(st1.hits_verified > st0.hits_verified);
  CU_ASSERT_EQUAL(st1.hw_errors, 0);
  synth_runtime_destroy(b);
}

/* Hits past a batch's result buffer are not lost silently: every hit is either delivered or
 * counted in hits_overflowed. */
static void test_hit_overflow_counted(void)
{
  synth_runtime *rt = runtime();
  static struct tally t;
  memset(&t, 0, sizeof t);
  struct mix_job job = {.seed = synth_test_rand(), .threshold = UINT64_MAX / 4};
  t.start = 0;
  t.end = 1u << 20;
  struct synth_work_config wc = {.data = &job,
                                 .data_size = sizeof job,
                                 .start = t.start,
                                 .end = t.end,
                                 .on_hit = on_hit,
                                 .user = &t};
  synth_work *w;
  CU_ASSERT_EQUAL_FATAL(synth_runtime_submit(rt, &wc, &w), 0);
  CU_ASSERT_EQUAL(synth_work_wait(w, 120000), 0);
  synth_work_release(w);
  struct mix_payload p;
  mix_prepare(&job, sizeof job, 0, &p);
  uint64_t expect = 0, overflowed = 0;
  for (uint64_t i = t.start; i < t.end; i++)
    expect += mix_hash_of(&p, (uint32_t)i) < job.threshold;
  for (unsigned i = 0; i < synth_runtime_device_count(rt); i++)
    overflowed += synth_test_device_stats(rt, i).hits_overflowed;
  CU_ASSERT(overflowed > 0);
  CU_ASSERT_EQUAL(atomic_load(&t.hits) + overflowed, expect);
  synth_runtime_destroy(rt);
}

/* A known answer is met whatever order a device reports its hits in: this core reports each
 * chunk's hits backwards, as a parallel device may. */
static uint32_t scan_backwards(const void *payload, uint32_t start, uint32_t count,
                               struct synth_scan_ctl *ctl)
{
  const struct mix_payload *p = payload;
  for (uint32_t k = count; k-- > 0;)
    if (mix_hash_of(p, start + k) < p->threshold)
      synth_scan_report(ctl, start + k);
  return count;
}

#define KA_COUNT 4096u
static uint32_t ka_hits[KA_COUNT];
static size_t ka_n;
static const struct mix_job ka_job = {.seed = 42, .threshold = UINT64_MAX / 512};

static void ka_fill(void)
{
  struct mix_payload p;
  mix_prepare(&ka_job, sizeof ka_job, 0, &p);
  for (uint32_t i = 0; i < KA_COUNT; i++)
    if (mix_hash_of(&p, i) < ka_job.threshold)
      ka_hits[ka_n++] = i;
}

static void mix_known_answer(void *payload, struct synth_known_answer *ka)
{
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, ka_fill);
  mix_prepare(&ka_job, sizeof ka_job, 0, payload);
  *ka = (struct synth_known_answer){0, KA_COUNT, ka_hits, ka_n};
}

static void test_known_answer_any_order(void)
{
  static const struct synth_cpu_core backwards[] = {{"backwards", scan_backwards, NULL},
                                                    {NULL, NULL, NULL}};
  struct synth_workload wl = mix_workload;
  wl.cpu_cores = backwards;
  wl.known_answer = mix_known_answer;
  struct synth_runtime_config cfg = {.devices = "cpu", .workload = &wl};
  synth_runtime *rt;
  CU_ASSERT_EQUAL_FATAL(synth_runtime_create(&rt, &cfg), 0);
  CU_ASSERT(ka_n >= 3); /* the order matters only with several hits */
  synth_runtime_destroy(rt);
  /* And a wrong answer is still refused. */
  ka_hits[1]++;
  CU_ASSERT_EQUAL(synth_runtime_create(&rt, &cfg), SYNTH_ENODEV);
  ka_hits[1]--;
}

static void test_mining_job_refused(void)
{
  synth_runtime *rt = runtime();
  struct synth_job job;
  synth_benchmark_job(&job, 0);
  CU_ASSERT_EQUAL(synth_runtime_set_job(rt, &job), SYNTH_EINVAL);
  struct synth_work_config bad = {.start = 10, .end = 5};
  synth_work *w;
  CU_ASSERT_EQUAL(synth_runtime_submit(rt, &bad, &w), SYNTH_EINVAL);
  synth_runtime_destroy(rt);
}

SYNTH_TEST_MAIN("work", SYNTH_TEST(test_finite_work), SYNTH_TEST(test_cancel_and_replace),
                SYNTH_TEST(test_callbacks_end_with_work), SYNTH_TEST(test_sha256d_work),
                SYNTH_TEST(test_two_runtimes), SYNTH_TEST(test_hit_overflow_counted),
                SYNTH_TEST(test_known_answer_any_order), SYNTH_TEST(test_mining_job_refused))
