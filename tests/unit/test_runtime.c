/* test_runtime.c: the public API end to end on the CPU: shares right to the byte, errors clear. */
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include "precompute/sha256.h"
#include "sha256d/sha256d_cores.h"
#include "support/fixtures.h"
#include "support/harness.h"
#include "support/mix_workload.h"
#include "synth/synth.h"

struct collected {
  pthread_mutex_t lock;
  struct synth_job job; /* what was submitted, to rebuild every share independently */
  unsigned shares;
  unsigned bad;
  unsigned of_second; /* shares of the job named "second" */
  unsigned of_first_after_switch;
  int switched;
  unsigned devices_seen;
};

/* Rebuilds the header from the job and the share's extranonce2 with OpenSSL only. */
static int share_is_right(const struct synth_job *job, const struct synth_share *s)
{
  uint8_t coinbase[512], root[32], pair[64], header[80], hash[32];
  size_t n = 0;
  memcpy(coinbase + n, job->coinb1, job->coinb1_len), n += job->coinb1_len;
  memcpy(coinbase + n, job->extranonce1, job->extranonce1_len), n += job->extranonce1_len;
  memcpy(coinbase + n, s->extranonce2, s->extranonce2_size), n += s->extranonce2_size;
  memcpy(coinbase + n, job->coinb2, job->coinb2_len), n += job->coinb2_len;
  synth_test_ref_sha256d(coinbase, n, root);
  for (size_t i = 0; i < job->merkle_count; i++) {
    memcpy(pair, root, 32);
    memcpy(pair + 32, job->merkle_branches[i], 32);
    synth_test_ref_sha256d(pair, 64, root);
  }
  synth__store_le32(header, job->version);
  memcpy(header + 4, job->prevhash, 32);
  memcpy(header + 36, root, 32);
  synth__store_le32(header + 68, job->ntime);
  synth__store_le32(header + 72, job->nbits);
  synth__store_le32(header + 76, s->nonce);
  synth_test_ref_sha256d(header, 80, hash);
  return s->extranonce2_size == job->extranonce2_size && memcmp(header, s->header, 80) == 0 &&
         memcmp(hash, s->hash, 32) == 0 && synth_test_ref_meets(hash, job->share_target) &&
         s->difficulty >= synth_target_to_difficulty(job->share_target) * 0.999999;
}

static void on_share(void *user, const struct synth_share *s)
{
  struct collected *c = user;
  pthread_mutex_lock(&c->lock);
  c->shares++;
  c->devices_seen |= 1u << (s->device & 31);
  if (strcmp(s->job_id, "second") == 0) {
    c->of_second++;
  } else {
    if (c->switched)
      c->of_first_after_switch++;
    if (!share_is_right(&c->job, s))
      c->bad++;
  }
  pthread_mutex_unlock(&c->lock);
}

/* Sanitizer builds run many times slower: wait for an outcome, not for a fixed time. */
static unsigned shares_of(struct collected *c, int second)
{
  pthread_mutex_lock(&c->lock);
  unsigned n = second ? c->of_second : c->shares;
  pthread_mutex_unlock(&c->lock);
  return n;
}

static void wait_for_shares(struct collected *c, int second, unsigned want)
{
  SYNTH_TEST_WAIT(shares_of(c, second) >= want);
}

/* Whether every device has finished a batch of the job with that serial (or a newer one).
 * A device runs its batches in order, and a share is delivered on the device's thread before
 * its next batch completes: after this, no share of an older job can come from any device. */
static bool all_devices_reached(synth_runtime *rt, uint32_t serial)
{
  for (unsigned i = 0; i < synth_runtime_device_count(rt); i++) {
    struct synth_device_stats st;
    synth_runtime_device_stats(rt, i, &st, sizeof st);
    if (st.job_serial == 0 || (int32_t)(st.job_serial - serial) < 0)
      return false;
  }
  return true;
}

static void test_mines_benchmark_job(void)
{
  struct collected c = {.lock = PTHREAD_MUTEX_INITIALIZER};
  /* Easy: one share per 2^32 / 2^16 = 65536 nonces, so hundreds in a moment at SIMD speeds
   * without crowding a batch's hit buffer. */
  CU_ASSERT_EQUAL(synth_benchmark_job(&c.job, 1.0 / (1 << 16)), 0);
  struct synth_runtime_config cfg = {.devices = "cpu"};
  synth_runtime *rt;
  CU_ASSERT_EQUAL_FATAL(synth_miner_create(&rt, &cfg, &(struct synth_miner_config){on_share, &c}),
                        0);
  unsigned n = synth_runtime_device_count(rt);
  CU_ASSERT(n >= 1);
  CU_ASSERT_EQUAL(synth_runtime_start(rt), 0);
  CU_ASSERT_EQUAL(synth_runtime_set_job(rt, &c.job), 0);
  wait_for_shares(&c, 0, 60 * n);

  struct synth_job second = c.job;
  second.job_id = "second";
  second.ntime += 1;
  CU_ASSERT_EQUAL(synth_runtime_set_job(rt, &second), 0);
  /* Past the switch, a hit already verified may still be on its way (a clean switch makes the
   * rest stale); once every device has hashed the second job, no share of the first may
   * arrive. */
  uint32_t serial = synth_runtime_job_serial(rt);
  SYNTH_TEST_WAIT(all_devices_reached(rt, serial));
  CU_ASSERT_TRUE(all_devices_reached(rt, serial));
  pthread_mutex_lock(&c.lock);
  c.switched = 1;
  pthread_mutex_unlock(&c.lock);
  wait_for_shares(&c, 1, 10 * n);
  CU_ASSERT_EQUAL(synth_runtime_stop(rt), 0);
  CU_ASSERT_EQUAL(synth_runtime_stop(rt), 0);

  uint64_t verified = 0, hw = 0, nonces = 0;
  for (unsigned i = 0; i < n; i++) {
    struct synth_device_stats st = synth_test_device_stats(rt, i);
    CU_ASSERT_STRING_EQUAL(synth_device_kind_name(st.kind), "cpu");
    CU_ASSERT(st.nonces > 0);
    CU_ASSERT(st.seconds > 0 && st.hashrate > 0);
    CU_ASSERT(st.batch_nonces > 0);
    verified += st.hits_verified;
    hw += st.hw_errors;
    nonces += st.nonces;
  }
  CU_ASSERT_EQUAL(hw, 0);
  CU_ASSERT(c.shares >= 60 * n);
  CU_ASSERT_EQUAL(c.bad, 0);
  CU_ASSERT(c.of_second >= 10 * n);
  CU_ASSERT_EQUAL(c.of_first_after_switch, 0);
  CU_ASSERT_EQUAL(verified, c.shares);
  CU_ASSERT_EQUAL(c.devices_seen, (1u << n) - 1); /* every core found shares */
  /* Shares follow the difficulty: nonces / 65536 expected, within a wide statistical band. */
  double expected = (double)nonces / 65536.0;
  CU_ASSERT(fabs((double)verified - expected) < 6 * sqrt(expected) + 5);
  synth_runtime_destroy(rt);
}

static int errors;
static void count_errors(void *user, enum synth_log_level level, const char *msg)
{
  (void)user;
  if (level == SYNTH_LOG_ERROR) {
    errors++;
    CU_ASSERT(strlen(msg) > 10);
  }
}

static void expect_create_error(struct synth_runtime_config cfg, int code)
{
  cfg.log_fn = count_errors;
  cfg.log_level = SYNTH_LOG_ERROR;
  errors = 0;
  synth_runtime *rt = NULL;
  CU_ASSERT_EQUAL(synth_miner_create(&rt, &cfg, NULL), code);
  CU_ASSERT_PTR_NULL(rt);
  CU_ASSERT(errors >= 1); /* the reason is logged */
}

static void test_bad_configs(void)
{
  expect_create_error((struct synth_runtime_config){.devices = "gpu"}, SYNTH_EINVAL);
  expect_create_error((struct synth_runtime_config){.devices = "opencl:99"}, SYNTH_ENODEV);
  expect_create_error((struct synth_runtime_config){.devices = "vulkan:99"}, SYNTH_ENODEV);
  expect_create_error((struct synth_runtime_config){.prefer = "fastest"}, SYNTH_EINVAL);
  expect_create_error((struct synth_runtime_config){.cpu_target_latency_ms = NAN}, SYNTH_EINVAL);
  expect_create_error((struct synth_runtime_config){.unit_log2 = 30}, SYNTH_EINVAL);
  static const char *const bad_options[] = {
      "vulkan.nonces=65",  "vulkan.mad_adds=8", "vulkan.mad_adds=-2", "cpu.threads=100000",
      "cpu.affinity=4095", "cpu.affinity=0-",   "cpu.core=turbo",     "cpu.core=",
  };
  for (size_t i = 0; i < sizeof bad_options / sizeof bad_options[0]; i++)
    expect_create_error((struct synth_runtime_config){.device_options = bad_options[i]},
                        SYNTH_EINVAL);
  /* A core this CPU cannot run (if there is one) is refused, not silently replaced. */
  for (const struct synth_cpu_core *core = synth__sha256d_cpu_cores; core->scan; core++) {
    if (core->supported && !core->supported()) {
      char options[64];
      snprintf(options, sizeof options, "cpu.core=%s", core->name);
      expect_create_error((struct synth_runtime_config){.device_options = options}, SYNTH_EINVAL);
    }
  }
  /* A runtime names what it hashes; a miner's is made by synth_miner_create, SHA-256d only. */
  errors = 0;
  synth_runtime *rt = NULL;
  struct synth_runtime_config no_workload = {.log_fn = count_errors, .log_level = SYNTH_LOG_ERROR};
  CU_ASSERT_EQUAL(synth_runtime_create(&rt, &no_workload), SYNTH_EINVAL);
  CU_ASSERT_PTR_NULL(rt);
  CU_ASSERT(errors >= 1);
  CU_ASSERT(strstr(synth_last_error(), "synth_miner_create") != NULL);
  struct synth_runtime_config other = no_workload;
  other.workload = &mix_workload;
  CU_ASSERT_EQUAL(synth_miner_create(&rt, &other, NULL), SYNTH_EINVAL);
  CU_ASSERT_PTR_NULL(rt);
  CU_ASSERT_EQUAL(synth_miner_create(NULL, &no_workload, NULL), SYNTH_EINVAL);
  CU_ASSERT_EQUAL(synth_runtime_create(NULL, NULL), SYNTH_EINVAL);
  synth_runtime_destroy(NULL);
}

static void test_bad_jobs_keep_the_current_one(void)
{
  struct synth_runtime_config cfg = {.devices = "cpu", .device_options = "cpu.threads=1"};
  synth_runtime *rt;
  CU_ASSERT_EQUAL_FATAL(synth_miner_create(&rt, &cfg, NULL), 0);
  struct synth_job job;
  synth_benchmark_job(&job, 1.0 / (1 << 16));
  CU_ASSERT_EQUAL(synth_runtime_set_job(rt, &job), 0);
  CU_ASSERT_EQUAL(synth_runtime_start(rt), 0);
  struct synth_job bad = job;
  bad.extranonce2_size = 0;
  CU_ASSERT_EQUAL(synth_runtime_set_job(rt, &bad), SYNTH_EINVAL);
  CU_ASSERT_EQUAL(synth_runtime_set_job(rt, NULL), SYNTH_EINVAL);
  SYNTH_TEST_WAIT(synth_test_runtime_nonces(rt) > 0);
  struct synth_device_stats st;
  CU_ASSERT_EQUAL(synth_runtime_device_stats(rt, 0, &st, sizeof st), 0);
  CU_ASSERT(st.nonces > 0);
  CU_ASSERT_EQUAL(synth_runtime_device_stats(rt, 5, &st, sizeof st), SYNTH_EINVAL);
  CU_ASSERT_EQUAL(synth_runtime_device_stats(rt, 0, &st, 8), SYNTH_EINVAL);
  /* An older caller's smaller struct gets the fields it knows. */
  CU_ASSERT_EQUAL(
      synth_runtime_device_stats(rt, 0, &st, offsetof(struct synth_device_stats, hashrate_ewma)),
      0);
  synth_runtime_destroy(rt); /* stops on the way */
}

/* Counts the CPU workers a probe lists (other backends' devices are checked elsewhere). */
struct probe_count {
  unsigned listed, selected;
  char first_topology[384];
};

static void on_desc(void *user, const struct synth_device_desc *d)
{
  struct probe_count *p = user;
  if (d->kind != SYNTH_DEVICE_CPU) {
    CU_ASSERT(strncmp(d->id, "cpu:", 4) != 0);
    return;
  }
  if (p->listed++ == 0)
    snprintf(p->first_topology, sizeof p->first_topology, "%s", d->topology);
  p->selected += d->selected != 0;
  CU_ASSERT(strncmp(d->id, "cpu:", 4) == 0);
}

/* Every core this CPU can run, forced by name, mines verified shares and says so in its stats. */
static void test_forced_cores(void)
{
  for (const struct synth_cpu_core *core = synth__sha256d_cpu_cores; core->scan; core++) {
    if (core->supported && !core->supported())
      continue;
    struct collected c = {.lock = PTHREAD_MUTEX_INITIALIZER};
    synth_benchmark_job(&c.job, 1.0 / (1 << 18));
    char options[64];
    snprintf(options, sizeof options, "cpu.threads=1,cpu.core=%s", core->name);
    struct synth_runtime_config cfg = {.devices = "cpu", .device_options = options};
    synth_runtime *rt;
    CU_ASSERT_EQUAL_FATAL(synth_miner_create(&rt, &cfg, &(struct synth_miner_config){on_share, &c}),
                          0);
    CU_ASSERT_EQUAL(synth_runtime_start(rt), 0);
    CU_ASSERT_EQUAL(synth_runtime_set_job(rt, &c.job), 0);
    wait_for_shares(&c, 0, 5);
    synth_runtime_stop(rt);
    struct synth_device_stats st;
    synth_runtime_device_stats(rt, 0, &st, sizeof st);
    CU_ASSERT_STRING_EQUAL(st.engine, core->name);
    CU_ASSERT(c.shares >= 5);
    CU_ASSERT_EQUAL(c.bad, 0);
    CU_ASSERT_EQUAL(st.hw_errors, 0);
    synth_runtime_destroy(rt);
  }
}

static uint64_t nonces_of(synth_runtime *rt, unsigned i)
{
  return synth_test_device_stats(rt, i).nonces;
}

/* Whether device i hashed nothing for a while: 20 readings 50 ms apart alike. A paused device
 * hashes nothing at all, so this cannot fail for one on a slow machine; a running one moves. */
static bool stands_still(synth_runtime *rt, unsigned i)
{
  uint64_t n = nonces_of(rt, i);
  for (int k = 0; k < 20; k++) {
    synth_test_sleep_ms(50);
    if (nonces_of(rt, i) != n)
      return false;
  }
  return true;
}

/* Pausing a device moves its work to the others and stops it to the nonce; resuming brings it
 * back; every device at once too. The target latency moves and comes back, and the service
 * thread's heartbeat is there only while the runtime runs. */
static void test_pause_target_and_heartbeat(void)
{
  struct collected c = {.lock = PTHREAD_MUTEX_INITIALIZER};
  CU_ASSERT_EQUAL(synth_benchmark_job(&c.job, 1.0 / (1 << 16)), 0);
  struct synth_runtime_config cfg = {.devices = "cpu", .device_options = "cpu.threads=2"};
  synth_runtime *rt;
  CU_ASSERT_EQUAL_FATAL(synth_miner_create(&rt, &cfg, &(struct synth_miner_config){on_share, &c}),
                        0);
  CU_ASSERT_EQUAL_FATAL(synth_runtime_device_count(rt), 2);
  CU_ASSERT(synth_runtime_heartbeat_age(rt) < 0);
  CU_ASSERT_EQUAL(synth_runtime_set_paused(rt, 2, 1), SYNTH_EINVAL);
  CU_ASSERT_EQUAL(synth_runtime_set_target_latency(rt, 2, 10), SYNTH_EINVAL);
  CU_ASSERT_EQUAL(synth_runtime_set_target_latency(rt, 0, -1), SYNTH_EINVAL);
  CU_ASSERT_EQUAL(synth_runtime_set_target_latency(rt, 0, NAN), SYNTH_EINVAL);
  CU_ASSERT_EQUAL(synth_runtime_set_target_latency(rt, 0, 60001), SYNTH_EINVAL);
  CU_ASSERT_EQUAL(synth_runtime_start(rt), 0);
  CU_ASSERT_EQUAL(synth_runtime_set_job(rt, &c.job), 0);
  SYNTH_TEST_WAIT(synth_runtime_heartbeat_age(rt) >= 0 && nonces_of(rt, 0) > 0 &&
                  nonces_of(rt, 1) > 0);
  double age = synth_runtime_heartbeat_age(rt);
  CU_ASSERT(age >= 0 && age < 30);

  CU_ASSERT_EQUAL(synth_runtime_set_paused(rt, 0, 1), 0);
  SYNTH_TEST_WAIT(synth_test_device_stats(rt, 0).state == SYNTH_DEVICE_PAUSED &&
                  stands_still(rt, 0));
  CU_ASSERT_EQUAL(synth_test_device_stats(rt, 0).state, SYNTH_DEVICE_PAUSED);
  CU_ASSERT_STRING_EQUAL(synth_device_state_name(SYNTH_DEVICE_PAUSED), "paused");
  CU_ASSERT_TRUE(stands_still(rt, 0));
  uint64_t other = nonces_of(rt, 1);
  SYNTH_TEST_WAIT(nonces_of(rt, 1) > other); /* the other goes on, with the paused one's work */
  CU_ASSERT(nonces_of(rt, 1) > other);

  CU_ASSERT_EQUAL(synth_runtime_set_paused(rt, 0, 0), 0);
  uint64_t was = nonces_of(rt, 0);
  SYNTH_TEST_WAIT(nonces_of(rt, 0) > was);
  CU_ASSERT(nonces_of(rt, 0) > was);
  CU_ASSERT_NOT_EQUAL(synth_test_device_stats(rt, 0).state, SYNTH_DEVICE_PAUSED);

  CU_ASSERT_EQUAL(synth_runtime_set_paused(rt, SYNTH_ALL_DEVICES, 1), 0);
  SYNTH_TEST_WAIT(stands_still(rt, 0) && stands_still(rt, 1));
  CU_ASSERT_TRUE(stands_still(rt, 0) && stands_still(rt, 1));
  CU_ASSERT(synth_runtime_heartbeat_age(rt) >= 0); /* paused is not wedged */
  CU_ASSERT_EQUAL(synth_runtime_set_paused(rt, SYNTH_ALL_DEVICES, 0), 0);
  was = nonces_of(rt, 1);
  SYNTH_TEST_WAIT(nonces_of(rt, 1) > was);
  CU_ASSERT(nonces_of(rt, 1) > was);

  double before = synth_test_device_stats(rt, 1).target_latency_ms;
  CU_ASSERT_EQUAL(synth_runtime_set_target_latency(rt, 1, 23), 0);
  CU_ASSERT_DOUBLE_EQUAL(synth_test_device_stats(rt, 1).target_latency_ms, 23, 1e-9);
  CU_ASSERT_DOUBLE_EQUAL(synth_test_device_stats(rt, 0).target_latency_ms, before, 1e-9);
  CU_ASSERT_EQUAL(synth_runtime_set_target_latency(rt, SYNTH_ALL_DEVICES, 0), 0);
  CU_ASSERT_DOUBLE_EQUAL(synth_test_device_stats(rt, 1).target_latency_ms, before, 1e-9);

  CU_ASSERT_EQUAL(synth_runtime_stop(rt), 0);
  CU_ASSERT(synth_runtime_heartbeat_age(rt) < 0);
  pthread_mutex_lock(&c.lock);
  CU_ASSERT_EQUAL(c.bad, 0);
  pthread_mutex_unlock(&c.lock);
  synth_runtime_destroy(rt);
}

static void test_probe(void)
{
  struct probe_count all = {0}, one = {0};
  CU_ASSERT_EQUAL(synth_probe(&(struct synth_runtime_config){0}, on_desc, &all), 0);
  CU_ASSERT(all.listed >= 1);
  CU_ASSERT_EQUAL(all.selected, all.listed);
  CU_ASSERT(strstr(all.first_topology, "cores") != NULL);
  CU_ASSERT_EQUAL(
      synth_probe(&(struct synth_runtime_config){.device_options = "cpu.threads=1"}, on_desc, &one),
      0);
  CU_ASSERT_EQUAL(one.listed, all.listed);
  CU_ASSERT_EQUAL(one.selected, 1);
  CU_ASSERT_EQUAL(synth_probe(&(struct synth_runtime_config){.devices = "x"}, on_desc, &one),
                  SYNTH_EINVAL);
}

SYNTH_TEST_MAIN("runtime", SYNTH_TEST(test_mines_benchmark_job), SYNTH_TEST(test_bad_configs),
                SYNTH_TEST(test_bad_jobs_keep_the_current_one), SYNTH_TEST(test_forced_cores),
                SYNTH_TEST(test_probe), SYNTH_TEST(test_pause_target_and_heartbeat))
