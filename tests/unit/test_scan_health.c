/* test_scan_health.c: a user's CPU scan that misbehaves makes its worker sick, through the
 * public API only: a scan that returns without hashing and one that blocks on every call each
 * lose their device, whose reason says why, while the work still ends with exactly its hits;
 * a healthy scan, cut short by work replaced and cancelled, never does. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "support/harness.h"
#include "support/hit_tally.h"
#include "support/log_capture.h"
#include "support/mix_workload.h"
#include "support/odd_worker.h"
#include "synth/synth.h"

/* How the scan behaves on the first worker thread that calls it; the others are healthy. */
enum behaviour { HEALTHY, RETURNS_EARLY, BLOCKS, ALL_RETURN_EARLY };
static atomic_int behaviour;
static struct odd_worker odd; /* the misbehaving worker */
#define BLOCK_MS 300

static bool misbehaves(void)
{
  bool odd_one = odd_worker_is_me(&odd);
  if (atomic_load(&behaviour) == ALL_RETURN_EARLY)
    return true;
  return odd_one && atomic_load(&behaviour) != HEALTHY;
}

static uint32_t scan(const void *payload, uint32_t start, uint32_t count,
                     struct synth_scan_ctl *ctl)
{
  if (misbehaves()) {
    if (atomic_load(&behaviour) != BLOCKS)
      return 0; /* nothing hashed, and nobody asked it to stop */
    struct timespec ts = {0, BLOCK_MS * 1000000L};
    /* The misbehaviour under test, not a wait: the scan itself stalls, then hashes as it
     * should. What the test asserts it waits for (the device found sick). */
    nanosleep(&ts, NULL);
  }
  return mix_scan(payload, start, count, ctl);
}

static const struct synth_cpu_core cores[] = {{"portable", scan, NULL}, {NULL, NULL, NULL}};
static const struct synth_workload moody_workload = MIX_WORKLOAD("mix64-moody", cores);

/* Two workers; short health limits so a sick device shows within a second. */
static synth_runtime *runtime(enum behaviour b, unsigned batch_timeout_ms)
{
  atomic_store(&behaviour, b);
  odd_worker_reset(&odd);
  log_capture_clear();
  struct synth_runtime_config cfg = {.devices = "cpu",
                                     .device_options = "cpu.threads=2",
                                     .workload = &moody_workload,
                                     .batch_timeout_ms = batch_timeout_ms,
                                     .sick_retry_ms = 200,
                                     .log_fn = log_capture_fn,
                                     .log_level = SYNTH_LOG_WARN};
  synth_runtime *rt;
  CU_ASSERT_EQUAL_FATAL(synth_runtime_create(&rt, &cfg), 0);
  CU_ASSERT_EQUAL_FATAL(synth_runtime_device_count(rt), 2);
  CU_ASSERT_EQUAL_FATAL(synth_runtime_start(rt), 0);
  return rt;
}

/* One finite range, crossing from roll 3 into roll 4, and its hits found on this thread. */
#define HITS_MAX HIT_TALLY_MAX
static const uint64_t range_start = (3ull << 32) + 0xffffffffull - (1ull << 23);
static const uint64_t range_size = 1ull << 25;
static struct mix_job job;
static uint64_t expect[HITS_MAX];
static size_t n_expect;

static void reference(void)
{
  /* About 670 hits: sparse enough that no batch fills its hit buffer. */
  job = (struct mix_job){.seed = synth_test_rand(), .threshold = UINT64_MAX / 50000};
  n_expect = mix_reference_hits(&job, range_start, range_size, expect, HITS_MAX);
}

/* Hashes the range once: status 0, counted whole, exactly the reference hits. */
static void run_range(synth_runtime *rt)
{
  static struct hit_tally t;
  hit_tally_init(&t);
  struct synth_work_config wc = {.data = &job,
                                 .data_size = sizeof job,
                                 .start = range_start,
                                 .end = range_start + range_size,
                                 .on_hit = hit_tally_on_hit,
                                 .on_done = hit_tally_on_done,
                                 .user = &t};
  synth_work_release(synth_test_work_whole(rt, &wc));
  hit_tally_expect(&t, expect, n_expect);
  hit_tally_destroy(&t);
}

static bool benched(const struct synth_device_stats *st)
{
  return st->state == SYNTH_DEVICE_SICK || st->state == SYNTH_DEVICE_OUT;
}

/* Hashes the range again and again until the misbehaving device is sick or out (every round
 * exact), then once more without it. Returns its index. */
static unsigned rounds_until_benched(synth_runtime *rt)
{
  reference();
  CU_ASSERT(n_expect > 300 && n_expect < HITS_MAX);
  double until = synth_test_now_s() + synth_test_patience_s();
  bool seen = false;
  unsigned bad = 0, rounds = 0;
  while (!seen && synth_test_now_s() < until) {
    run_range(rt);
    rounds++;
    if (atomic_load(&odd.named)) {
      bad = odd_worker_device(&odd, rt);
      struct synth_device_stats st = synth_test_device_stats(rt, bad);
      seen = benched(&st);
    }
  }
  CU_ASSERT_TRUE_FATAL(seen);
  run_range(rt);
  printf("(%u rounds) ", rounds + 1);
  return bad;
}

/* A scan that returns 0 without being asked to stop: its batches fail, the device goes sick
 * after eight in a row, and the work is hashed whole by the other worker. */
static void test_scan_returns_early(void)
{
  synth_runtime *rt = runtime(RETURNS_EARLY, 100);
  unsigned bad = rounds_until_benched(rt);
  struct synth_device_stats st = synth_test_device_stats(rt, bad);
  struct synth_device_stats good = synth_test_device_stats(rt, 1 - bad);
  CU_ASSERT_TRUE(benched(&st));
  CU_ASSERT(st.sick_count >= 1);
  CU_ASSERT(st.batch_errors >= 8); /* the default fail streak */
  CU_ASSERT(st.error_rate > 0);
  CU_ASSERT_EQUAL(st.nonces, 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(st.health_reason, "without being asked to stop"));
  CU_ASSERT_PTR_NOT_NULL(strstr(st.health_reason, "returned after 0 of"));
  CU_ASSERT_TRUE(log_capture_has("without being asked to stop: counted as failed"));
  char said[192];
  snprintf(said, sizeof said, "%s (%s): a batch returned after 0 of", st.id, st.name);
  CU_ASSERT_TRUE(log_capture_has(said));
  CU_ASSERT_EQUAL(good.batch_errors, 0);
  CU_ASSERT(good.nonces >= range_size);
  synth_runtime_destroy(rt);
}

/* A scan that blocks BLOCK_MS on every call against a 5 ms target (and a 100 ms floor): its
 * device goes sick though each batch completes, and the work is hashed whole. */
static void test_scan_blocks(void)
{
  synth_runtime *rt = runtime(BLOCKS, 100);
  unsigned bad = rounds_until_benched(rt);
  struct synth_device_stats st = synth_test_device_stats(rt, bad);
  CU_ASSERT_TRUE(benched(&st));
  CU_ASSERT(st.sick_count >= 1);
  CU_ASSERT_EQUAL(st.batch_errors, 0); /* it only took too long */
  CU_ASSERT(st.nonces > 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(st.health_reason, "against a 5 ms target"));
  CU_ASSERT_PTR_NOT_NULL(strstr(st.health_reason, "a batch took"));
  CU_ASSERT_TRUE(log_capture_has("against a 5 ms target"));
  synth_runtime_destroy(rt);
}

/* Batches of device i cut short with no error (a switch or cancel stopped them), and batches
 * that failed, from its trace since *cursor. */
static void count_trace(synth_runtime *rt, unsigned i, uint64_t *cursor, unsigned *cut,
                        unsigned *failed)
{
  struct synth_batch_record r[256];
  size_t n;
  do {
    CU_ASSERT_EQUAL(synth_runtime_batch_trace(rt, i, cursor, r, 256, &n), 0);
    for (size_t k = 0; k < n; k++) {
      *cut += r[k].status == 0 && r[k].nonces < r[k].size;
      *failed += r[k].status != 0;
    }
  } while (n == 256);
}

/* A healthy scan with the default floor: work replaced and cancelled again and again cuts
 * batches short, which is no failure; no device is ever sick and no reason is recorded. */
static void test_healthy_scan_never_sick(void)
{
  synth_runtime *rt = runtime(HEALTHY, 0);
  struct mix_job open = {.seed = synth_test_rand(), .threshold = UINT64_MAX / 50000};
  struct synth_work_config wc = {.data = &open, .data_size = sizeof open, .replace = 1};
  uint64_t cursor[2] = {0, 0};
  unsigned cut = 0, failed = 0, switches = 0;
  double until = synth_test_now_s() + synth_test_patience_s();
  synth_work *w = NULL;
  /* Until some batch was cut short, and at least 20 switches. */
  while ((cut == 0 || switches < 20) && synth_test_now_s() < until) {
    open.seed++;
    synth_work *next;
    CU_ASSERT_EQUAL_FATAL(synth_runtime_submit(rt, &wc, &next), 0); /* replaces w */
    synth_work_release(w);
    w = next;
    switches++;
    SYNTH_TEST_WAIT(synth_work_hashed(w) >= 1u << 20);
    for (unsigned i = 0; i < 2; i++)
      count_trace(rt, i, &cursor[i], &cut, &failed);
  }
  synth_work_cancel(w);
  synth_work_release(w);
  CU_ASSERT(cut > 0);
  reference();
  run_range(rt);
  for (unsigned i = 0; i < 2; i++) {
    count_trace(rt, i, &cursor[i], &cut, &failed);
    struct synth_device_stats st = synth_test_device_stats(rt, i);
    CU_ASSERT_EQUAL(st.sick_count, 0);
    CU_ASSERT_EQUAL(st.batch_errors, 0);
    CU_ASSERT_FALSE(benched(&st));
    CU_ASSERT_STRING_EQUAL(st.health_reason, "");
  }
  CU_ASSERT_EQUAL(failed, 0);
  CU_ASSERT_FALSE(log_capture_has("without being asked to stop"));
  printf("(%u switches, %u batches cut short) ", switches, cut);
  synth_runtime_destroy(rt);
}

/* Every worker's scan misbehaves: each is taken out in turn, and the work, which no device is
 * left to run, ends with SYNTH_ENODEV rather than waiting for ever. */
static void test_no_device_left_ends_work(void)
{
  synth_runtime *rt = runtime(ALL_RETURN_EARLY, 100);
  struct mix_job open = {.seed = synth_test_rand(), .threshold = UINT64_MAX / 50000};
  struct synth_work_config wc = {.data = &open, .data_size = sizeof open};
  synth_work *w;
  CU_ASSERT_EQUAL_FATAL(synth_runtime_submit(rt, &wc, &w), 0);
  CU_ASSERT_EQUAL(synth_work_wait(w, (unsigned)(synth_test_patience_s() * 1000)), SYNTH_ENODEV);
  for (unsigned i = 0; i < 2; i++) {
    struct synth_device_stats st = synth_test_device_stats(rt, i);
    CU_ASSERT_EQUAL(st.state, SYNTH_DEVICE_OUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(st.health_reason, "without being asked to stop"));
  }
  CU_ASSERT_TRUE(log_capture_has("every device was taken out"));
  synth_work_release(w);
  synth_runtime_destroy(rt);
}

int main(void)
{
  /* Two workers, each on a core of its own, or nothing to test. */
  struct synth_runtime_config probe = {.devices = "cpu", .workload = &mix_workload};
  if (!synth_test_cpu_workers(&probe, 2, "scan_health"))
    return SYNTH_TEST_SKIP;
  return synth_test_run("scan_health", SYNTH_TESTS(SYNTH_TEST(test_scan_returns_early),
                                                   SYNTH_TEST(test_scan_blocks),
                                                   SYNTH_TEST(test_healthy_scan_never_sick),
                                                   SYNTH_TEST(test_no_device_left_ends_work)));
}
