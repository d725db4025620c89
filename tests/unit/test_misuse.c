/* test_misuse.c: every misuse of the work API a stranger's program met is an error or ends the
 * work, within a deadline: bad descriptors and configs refused at the door (with a message
 * naming the field), prepare_roll failing later, open-ended work reaching 2^64, a timeout,
 * stop, destroy and wait from inside callbacks, cancel from a callback while a stop waits,
 * chained and concurrent submits, and the cap on works in flight. */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/harness.h"
#include "support/log_capture.h"
#include "support/mix_workload.h"
#include "synth/synth.h"

/* A generous bound on how long anything here may take to end: a hang fails, never blocks. */
#define END_MS 120000u

static synth_runtime *runtime_of(const struct synth_workload *wl, unsigned threads)
{
  char options[32] = ""; /* threads 0: the default, one worker per core */
  if (threads)
    snprintf(options, sizeof options, "cpu.threads=%u", threads);
  struct synth_runtime_config cfg = {.devices = "cpu",
                                     .device_options = options,
                                     .workload = wl,
                                     .log_fn = log_capture_fn,
                                     .log_level = SYNTH_LOG_WARN};
  synth_runtime *rt = NULL;
  CU_ASSERT_EQUAL_FATAL(synth_runtime_create(&rt, &cfg), 0);
  CU_ASSERT_EQUAL_FATAL(synth_runtime_start(rt), 0);
  return rt;
}

/* Create refuses a descriptor that breaks the contract, saying which field. */
static void expect_refused(const struct synth_workload *wl, const char *says)
{
  struct synth_runtime_config cfg = {.devices = "cpu", .workload = wl};
  synth_runtime *rt = NULL;
  CU_ASSERT_EQUAL(synth_runtime_create(&rt, &cfg), SYNTH_EINVAL);
  CU_ASSERT_PTR_NULL(rt);
  if (!strstr(synth_last_error(), says))
    fprintf(stderr, "expected '%s' in: %s\n", says, synth_last_error());
  CU_ASSERT_PTR_NOT_NULL(strstr(synth_last_error(), says));
}

static void test_bad_workloads_refused(void)
{
  struct synth_workload wl = mix_workload;
  wl.payload_size = 4096;
  expect_refused(&wl, "payload_size 4096");
  wl.payload_size = 0;
  expect_refused(&wl, "payload_size 0");
  wl.payload_size = 17;
  expect_refused(&wl, "payload_size 17");
  wl = mix_workload;
  wl.name = NULL;
  expect_refused(&wl, "name");
  wl = mix_workload;
  wl.prepare_roll = NULL;
  expect_refused(&wl, "prepare_roll");
  wl = mix_workload;
  wl.verify = NULL;
  expect_refused(&wl, "verify");
  static const struct synth_cpu_core none[] = {{NULL, NULL, NULL}};
  wl = mix_workload;
  wl.cpu_cores = none;
  expect_refused(&wl, "cpu_cores");
  wl.cpu_cores = NULL;
  expect_refused(&wl, "nothing could hash it");
  static const struct synth_opencl_kernel no_entry = {"__kernel void k(void) {}", NULL, NULL};
  wl = mix_workload;
  wl.opencl = &no_entry;
  expect_refused(&wl, "opencl");
  static const uint32_t words[2] = {0x07230203u, 0};
  static const struct synth_vulkan_kernel odd = {words, 7, "main"};
  wl = mix_workload;
  wl.vulkan = &odd;
  expect_refused(&wl, "spirv");
}

static void test_bad_submits_refused(void)
{
  synth_runtime *rt = runtime_of(&mix_workload, 1);
  struct mix_job job = {.seed = 1, .threshold = 0};
  synth_work *w = NULL;
  CU_ASSERT_EQUAL(synth_runtime_submit(rt, NULL, &w), SYNTH_EINVAL);
  struct synth_work_config wc = {.data = &job, .data_size = sizeof job, .end = 1000};
  CU_ASSERT_EQUAL(synth_runtime_submit(rt, &wc, NULL), SYNTH_EINVAL);
  const struct {
    const void *data;
    size_t size;
    uint64_t start, end;
    double weight;
    const char *says;
  } bad[] = {
      {NULL, 0, 0, 1000, 0, "needs data"},
      {NULL, sizeof job, 0, 1000, 0, "needs data"},
      {&job, 0, 0, 1000, 0, "needs data"},
      {&job, 3, 0, 1000, 0, "refuses this work's data (3 bytes)"}, /* a heap over-read before */
      {&job, sizeof job, 1000, 1000, 0, "empty range"},
      {&job, sizeof job, 1000, 10, 0, "empty range"},
      {&job, sizeof job, 0, 1000, -1, "weight"},
      {&job, sizeof job, 0, 1000, NAN, "weight"},
      {&job, sizeof job, 0, 1000, INFINITY, "weight"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    struct synth_work_config c = {.data = bad[i].data,
                                  .data_size = bad[i].size,
                                  .start = bad[i].start,
                                  .end = bad[i].end,
                                  .weight = bad[i].weight};
    w = NULL;
    CU_ASSERT_EQUAL(synth_runtime_submit(rt, &c, &w), SYNTH_EINVAL);
    CU_ASSERT_PTR_NULL(w);
    CU_ASSERT_PTR_NOT_NULL(strstr(synth_last_error(), bad[i].says));
  }
  /* A first roll the workload refuses is refused now, with the workload's own code. */
  job.fail_from_roll = 2;
  job.fail_code = SYNTH_ENOENT;
  struct synth_work_config late = {.data = &job, .data_size = sizeof job, .start = 2ull << 32};
  CU_ASSERT_EQUAL(synth_runtime_submit(rt, &late, &w), SYNTH_ENOENT);
  CU_ASSERT_EQUAL(synth_runtime_destroy(rt), 0);
}

struct ending {
  atomic_int calls, status;
  atomic_int late_hits; /* hits after on_done */
};

static void count_hit(void *user, uint64_t index, const struct synth_verdict *v, unsigned device)
{
  (void)index, (void)v, (void)device;
  struct ending *e = user;
  if (atomic_load(&e->calls))
    atomic_fetch_add(&e->late_hits, 1);
}

static void count_done(void *user, int status)
{
  struct ending *e = user;
  atomic_store(&e->status, status);
  atomic_fetch_add(&e->calls, 1);
}

/* Submits cfg with the counting callbacks and waits for its end: returns what wait said. */
static int run_to_end(synth_runtime *rt, struct synth_work_config *wc, struct ending *e,
                      uint64_t *hashed)
{
  memset(e, 0, sizeof *e);
  wc->on_hit = count_hit;
  wc->on_done = count_done;
  wc->user = e;
  synth_work *w;
  int rc = synth_runtime_submit(rt, wc, &w);
  CU_ASSERT_EQUAL_FATAL(rc, 0);
  rc = synth_work_wait(w, END_MS);
  CU_ASSERT_EQUAL(atomic_load(&e->calls), 1);
  CU_ASSERT_EQUAL(atomic_load(&e->status), rc);
  CU_ASSERT_EQUAL(atomic_load(&e->late_hits), 0);
  if (hashed)
    *hashed = synth_work_hashed(w);
  synth_work_release(w);
  return rc;
}

/* A later roll the workload cannot prepare ends the work with its code; nothing waits for
 * ever. The range crosses into the refused roll. */
static void test_prepare_failing_ends_work(void)
{
  synth_runtime *rt = runtime_of(&mix_workload, 0);
  struct mix_job job = {.seed = 7, .threshold = UINT64_MAX / 100000, .fail_from_roll = 4};
  job.fail_code = SYNTH_ENOENT;
  struct synth_work_config wc = {.data = &job,
                                 .data_size = sizeof job,
                                 .start = (4ull << 32) - (1u << 22),
                                 .end = (4ull << 32) + (1u << 22)};
  struct ending e;
  uint64_t hashed;
  CU_ASSERT_EQUAL(run_to_end(rt, &wc, &e, &hashed), SYNTH_ENOENT);
  CU_ASSERT(hashed <= 1u << 22); /* roll 4 was never hashed */
  CU_ASSERT_TRUE(log_capture_has("cannot be prepared"));
  /* Open-ended from a good roll into refused ones: the same. */
  wc.end = 0;
  CU_ASSERT_EQUAL(run_to_end(rt, &wc, &e, NULL), SYNTH_ENOENT);
  CU_ASSERT_EQUAL(synth_runtime_destroy(rt), 0);
}

/* Open-ended work that reaches index 2^64 ends, with SYNTH_ERANGE, having hashed all of it. */
static void test_open_ended_reaches_end(void)
{
  synth_runtime *rt = runtime_of(&mix_workload, 0);
  struct mix_job job = {.seed = 9, .threshold = UINT64_MAX / 100000};
  struct synth_work_config wc = {.data = &job, .data_size = sizeof job, .start = 0 - (1ull << 24)};
  struct ending e;
  uint64_t hashed;
  CU_ASSERT_EQUAL(run_to_end(rt, &wc, &e, &hashed), SYNTH_ERANGE);
  CU_ASSERT_EQUAL(hashed, 1ull << 24);
  CU_ASSERT_EQUAL(synth_runtime_destroy(rt), 0);
}

/* A work's timeout ends it with SYNTH_ETIMEDOUT. */
static void test_timeout_ends_work(void)
{
  synth_runtime *rt = runtime_of(&mix_workload, 1);
  struct mix_job job = {.seed = 11, .threshold = UINT64_MAX / 100000};
  struct synth_work_config wc = {.data = &job, .data_size = sizeof job, .timeout_ms = 200};
  struct ending e;
  CU_ASSERT_EQUAL(run_to_end(rt, &wc, &e, NULL), SYNTH_ETIMEDOUT);
  CU_ASSERT_TRUE(log_capture_has("deadline passed"));
  CU_ASSERT_EQUAL(synth_runtime_destroy(rt), 0);
}

/* What a callback tried, and what it got. */
struct inside {
  synth_runtime *rt;
  synth_work *other; /* a work to wait for */
  atomic_int tried;
  atomic_int destroy_rc, stop_rc, wait_other_rc, wait_own_rc;
  atomic_int done_status;
};

static void try_from_hit(void *user, uint64_t index, const struct synth_verdict *v, unsigned dev)
{
  (void)index, (void)v, (void)dev;
  struct inside *in = user;
  if (atomic_exchange(&in->tried, 1))
    return;
  atomic_store(&in->stop_rc, synth_runtime_stop(in->rt));
  atomic_store(&in->destroy_rc, synth_runtime_destroy(in->rt));
  atomic_store(&in->wait_other_rc, synth_work_wait(in->other, 1000));
}

static void try_from_done(void *user, int status)
{
  struct inside *in = user;
  atomic_store(&in->done_status, status);
  atomic_store(&in->destroy_rc, synth_runtime_destroy(in->rt));
}

/* Stop, destroy and waiting for other work refuse inside callbacks: the runtime is intact and
 * goes on (before, destroy from on_done was a use-after-free). */
static void test_callbacks_refuse_stop_destroy_wait(void)
{
  synth_runtime *rt = runtime_of(&mix_workload, 0);
  static struct inside in;
  memset(&in, 0, sizeof in);
  in.rt = rt;
  struct mix_job job = {.seed = 13, .threshold = UINT64_MAX / 1000};
  struct synth_work_config bg = {.data = &job, .data_size = sizeof job}; /* open-ended */
  CU_ASSERT_EQUAL_FATAL(synth_runtime_submit(rt, &bg, &in.other), 0);
  struct synth_work_config wc = {.data = &job,
                                 .data_size = sizeof job,
                                 .start = 1ull << 32,
                                 .end = (1ull << 32) + (1u << 22),
                                 .on_hit = try_from_hit,
                                 .on_done = try_from_done,
                                 .user = &in};
  synth_work *w;
  CU_ASSERT_EQUAL_FATAL(synth_runtime_submit(rt, &wc, &w), 0);
  CU_ASSERT_EQUAL(synth_work_wait(w, END_MS), 0);
  CU_ASSERT_EQUAL(atomic_load(&in.done_status), 0);
  CU_ASSERT_EQUAL(atomic_load(&in.tried), 1);
  CU_ASSERT_EQUAL(atomic_load(&in.stop_rc), SYNTH_EDEADLK);
  CU_ASSERT_EQUAL(atomic_load(&in.destroy_rc), SYNTH_EDEADLK); /* from on_done, the last */
  CU_ASSERT_EQUAL(atomic_load(&in.wait_other_rc), SYNTH_EDEADLK);
  /* Still running: the background work goes on hashing. */
  uint64_t before = synth_work_hashed(in.other);
  SYNTH_TEST_WAIT(synth_work_hashed(in.other) > before);
  CU_ASSERT(synth_work_hashed(in.other) > before);
  synth_work_cancel(in.other);
  CU_ASSERT_EQUAL(synth_work_wait(in.other, END_MS), SYNTH_ESTALE);
  synth_work_release(in.other);
  synth_work_release(w);
  CU_ASSERT_EQUAL(synth_runtime_destroy(rt), 0);
}

/* A log callback that destroys the runtime is refused too. */
struct log_probe {
  synth_runtime *rt;
  atomic_int rc;
};
static struct log_probe log_probe;

static void destroy_from_log(void *user, enum synth_log_level level, const char *message)
{
  (void)user, (void)level, (void)message;
  if (log_probe.rt)
    atomic_store(&log_probe.rc, synth_runtime_destroy(log_probe.rt));
}

static void test_log_callback_refuses_destroy(void)
{
  struct synth_runtime_config cfg = {.devices = "cpu",
                                     .device_options = "cpu.threads=1",
                                     .workload = &mix_workload,
                                     .log_fn = destroy_from_log,
                                     .log_level = SYNTH_LOG_ERROR};
  synth_runtime *rt;
  CU_ASSERT_EQUAL_FATAL(synth_runtime_create(&rt, &cfg), 0);
  log_probe.rt = rt;
  atomic_store(&log_probe.rc, 1);
  struct synth_work_config empty = {0};
  synth_work *w;
  CU_ASSERT_EQUAL(synth_runtime_submit(rt, &empty, &w), SYNTH_EINVAL); /* logs an error */
  CU_ASSERT_EQUAL(atomic_load(&log_probe.rc), SYNTH_EDEADLK);
  log_probe.rt = NULL;
  CU_ASSERT_EQUAL(synth_runtime_destroy(rt), 0);
}

/* on_done submits the next work: a chain of works, each ending once. */
struct chain {
  synth_runtime *rt;
  struct mix_job job;
  atomic_int links, failures;
  atomic_int finished;
};

static void chain_done(void *user, int status)
{
  struct chain *c = user;
  if (status != 0)
    atomic_fetch_add(&c->failures, 1);
  if (atomic_fetch_add(&c->links, 1) + 1 == 5) {
    atomic_store(&c->finished, 1);
    return;
  }
  struct synth_work_config wc = {.data = &c->job,
                                 .data_size = sizeof c->job,
                                 .start = (uint64_t)atomic_load(&c->links) << 32,
                                 .end = ((uint64_t)atomic_load(&c->links) << 32) + (1u << 20),
                                 .on_done = chain_done,
                                 .user = c};
  synth_work *w;
  if (synth_runtime_submit(c->rt, &wc, &w) == 0)
    synth_work_release(w);
  else
    atomic_fetch_add(&c->failures, 1);
}

static void test_submit_from_on_done(void)
{
  synth_runtime *rt = runtime_of(&mix_workload, 0);
  static struct chain c;
  memset(&c, 0, sizeof c);
  c.rt = rt;
  c.job = (struct mix_job){.seed = 17, .threshold = UINT64_MAX / 100000};
  struct synth_work_config wc = {.data = &c.job,
                                 .data_size = sizeof c.job,
                                 .end = 1u << 20,
                                 .on_done = chain_done,
                                 .user = &c};
  synth_work *w;
  CU_ASSERT_EQUAL_FATAL(synth_runtime_submit(rt, &wc, &w), 0);
  synth_work_release(w);
  SYNTH_TEST_WAIT(atomic_load(&c.finished));
  CU_ASSERT_EQUAL(atomic_load(&c.links), 5);
  CU_ASSERT_EQUAL(atomic_load(&c.failures), 0);
  CU_ASSERT_EQUAL(synth_runtime_destroy(rt), 0);
}

/* A callback that cancels while another thread stops the runtime: the stop used to hold the
 * lock the cancel needs while it joined the callback's thread. */
struct stop_race {
  atomic_int in_hit, stopping, cancelled;
};

static struct stop_race race;
static synth_work *race_work;

static void cancel_during_stop(void *user, uint64_t index, const struct synth_verdict *v,
                               unsigned device)
{
  (void)user, (void)index, (void)v, (void)device;
  if (atomic_exchange(&race.in_hit, 1))
    return;
  while (!atomic_load(&race.stopping))
    synth_test_sleep_ms(1);
  /* Gives the stop a moment to reach joining this thread, the case that deadlocked; what is
   * asserted holds whichever comes first. */
  synth_test_sleep_ms(50);
  synth_work_cancel(race_work);
  atomic_store(&race.cancelled, 1);
}

static void test_cancel_from_callback_during_stop(void)
{
  synth_runtime *rt = runtime_of(&mix_workload, 0);
  memset(&race, 0, sizeof race);
  struct mix_job job = {.seed = 19, .threshold = UINT64_MAX / 1000};
  struct synth_work_config wc = {
      .data = &job, .data_size = sizeof job, .on_hit = cancel_during_stop};
  CU_ASSERT_EQUAL_FATAL(synth_runtime_submit(rt, &wc, &race_work), 0);
  SYNTH_TEST_WAIT(atomic_load(&race.in_hit));
  CU_ASSERT_EQUAL_FATAL(atomic_load(&race.in_hit), 1);
  atomic_store(&race.stopping, 1);
  CU_ASSERT_EQUAL(synth_runtime_stop(rt), 0); /* returns: no deadlock */
  CU_ASSERT_EQUAL(atomic_load(&race.cancelled), 1);
  CU_ASSERT_EQUAL(synth_work_wait(race_work, END_MS), SYNTH_ESTALE);
  synth_work_release(race_work);
  CU_ASSERT_EQUAL(synth_runtime_destroy(rt), 0);
}

/* Two threads submitting at once: both works run to the end (one work per runtime before:
 * the other got SYNTH_ESTALE). */
struct submitter {
  synth_runtime *rt;
  struct mix_job job;
  uint64_t start;
  int submit_rc, wait_rc;
};

static void *submit_and_wait(void *arg)
{
  struct submitter *s = arg;
  struct synth_work_config wc = {
      .data = &s->job, .data_size = sizeof s->job, .start = s->start, .end = s->start + (1u << 24)};
  synth_work *w;
  s->submit_rc = synth_runtime_submit(s->rt, &wc, &w);
  if (s->submit_rc == 0) {
    s->wait_rc = synth_work_wait(w, END_MS);
    synth_work_release(w);
  }
  return NULL;
}

static void test_concurrent_submits(void)
{
  synth_runtime *rt = runtime_of(&mix_workload, 0);
  struct submitter s[2] = {
      {rt, {.seed = 23, .threshold = 0}, 0, -1, -1},
      {rt, {.seed = 29, .threshold = 0}, 5ull << 32, -1, -1},
  };
  pthread_t t[2];
  for (int i = 0; i < 2; i++)
    CU_ASSERT_EQUAL_FATAL(pthread_create(&t[i], NULL, submit_and_wait, &s[i]), 0);
  for (int i = 0; i < 2; i++) {
    pthread_join(t[i], NULL);
    CU_ASSERT_EQUAL(s[i].submit_rc, 0);
    CU_ASSERT_EQUAL(s[i].wait_rc, 0);
  }
  CU_ASSERT_EQUAL(synth_runtime_destroy(rt), 0);
}

/* More works in flight than the scheduler keeps: SYNTH_EAGAIN, nothing lost; destroy ends the
 * rest (each once, stale). */
static void test_works_capped(void)
{
  struct synth_runtime_config cfg = {
      .devices = "cpu", .device_options = "cpu.threads=1", .workload = &mix_workload};
  synth_runtime *rt;
  CU_ASSERT_EQUAL_FATAL(synth_runtime_create(&rt, &cfg), 0); /* not started: nothing ends */
  enum { CAP = 256 };
  static synth_work *w[CAP];
  static struct ending e[CAP];
  memset(e, 0, sizeof e);
  struct mix_job job = {.seed = 31, .threshold = 0};
  for (int i = 0; i < CAP; i++) {
    struct synth_work_config wc = {
        .data = &job, .data_size = sizeof job, .end = 1000, .on_done = count_done, .user = &e[i]};
    CU_ASSERT_EQUAL_FATAL(synth_runtime_submit(rt, &wc, &w[i]), 0);
  }
  struct synth_work_config more = {.data = &job, .data_size = sizeof job, .end = 1000};
  synth_work *extra = NULL;
  CU_ASSERT_EQUAL(synth_runtime_submit(rt, &more, &extra), SYNTH_EAGAIN);
  CU_ASSERT_PTR_NULL(extra);
  CU_ASSERT_EQUAL(synth_runtime_destroy(rt), 0);
  for (int i = 0; i < CAP; i++) {
    CU_ASSERT_EQUAL(atomic_load(&e[i].calls), 1);
    CU_ASSERT_EQUAL(atomic_load(&e[i].status), SYNTH_ESTALE);
    CU_ASSERT_EQUAL(synth_work_wait(w[i], 0), SYNTH_ESTALE);
    synth_work_release(w[i]);
  }
}

/* A workload that adopts its data: a seed number becomes a mix job allowing only the indexes
 * [seed << 32, (seed << 32) + 2^20); seed 0 is refused with a reason. */
static int adopt_seed(const void *data, size_t size, void **job, size_t *job_size, uint64_t *first,
                      uint64_t *count, char *why, size_t why_size)
{
  if (size != sizeof(uint32_t) || *(const uint32_t *)data == 0) {
    snprintf(why, why_size, "seed must be a non-zero uint32_t");
    return SYNTH_EINVAL;
  }
  struct mix_job *j = calloc(1, sizeof *j);
  if (!j)
    return SYNTH_ENOMEM;
  uint32_t seed = *(const uint32_t *)data;
  j->seed = seed;
  j->threshold = UINT64_MAX / 100000;
  *job = j;
  *job_size = sizeof *j;
  *first = (uint64_t)seed << 32;
  *count = 1u << 20;
  return 0;
}

/* Data a workload adopts: refused with the workload's reason, held to the indexes it allows,
 * open-ended work ending with them; a descriptor with half the hook refused at create. */
static void test_adopted_data(void)
{
  struct synth_workload wl = mix_workload;
  wl.adopt_data = adopt_seed;
  expect_refused(&wl, "adopt_data and free_job");
  wl.free_job = free;
  synth_runtime *rt = runtime_of(&wl, 1);
  uint32_t zero = 0, seed = 3;
  struct synth_work_config wc = {.data = &zero, .data_size = sizeof zero};
  synth_work *w = NULL;
  CU_ASSERT_EQUAL(synth_runtime_submit(rt, &wc, &w), SYNTH_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(synth_last_error(), "seed must be a non-zero"));
  wc.data = &seed;
  wc.start = 0; /* below the allowed indexes */
  wc.end = 100;
  CU_ASSERT_EQUAL(synth_runtime_submit(rt, &wc, &w), SYNTH_EINVAL);
  CU_ASSERT_PTR_NOT_NULL(strstr(synth_last_error(), "outside the data's indexes"));
  wc.start = 3ull << 32;
  wc.end = 0; /* open-ended: ends with the data's indexes, all of them hashed */
  struct ending e;
  uint64_t hashed;
  CU_ASSERT_EQUAL(run_to_end(rt, &wc, &e, &hashed), 0);
  CU_ASSERT_EQUAL(hashed, 1u << 20);
  CU_ASSERT_EQUAL(synth_runtime_destroy(rt), 0);
}

SYNTH_TEST_MAIN("misuse", SYNTH_TEST(test_bad_workloads_refused),
                SYNTH_TEST(test_bad_submits_refused), SYNTH_TEST(test_prepare_failing_ends_work),
                SYNTH_TEST(test_open_ended_reaches_end), SYNTH_TEST(test_timeout_ends_work),
                SYNTH_TEST(test_callbacks_refuse_stop_destroy_wait),
                SYNTH_TEST(test_log_callback_refuses_destroy), SYNTH_TEST(test_submit_from_on_done),
                SYNTH_TEST(test_cancel_from_callback_during_stop),
                SYNTH_TEST(test_concurrent_submits), SYNTH_TEST(test_works_capped),
                SYNTH_TEST(test_adopted_data))
