/* test_opencl.c: the OpenCL backend on a real OpenCL device (PoCL in CI): kernel against the
 * reference, exact coverage through the scheduler, job switches, and every failure path. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "devices/cpu/core_select.h"
#include "devices/cpu/sha256d_cores.h"
#include "devices/device.h"
#include "devices/opencl/opencl_device.h"
#include "precompute/rcu_thread.h"
#include "precompute/sha256.h"
#include "precompute/sha256d_payload.h"
#include "runtime/logger.h"
#include "runtime/mining_job.h"
#include "runtime/sha256d_workload.h"
#include "scheduler/sched_internal.h"
#include "scheduler/scheduler.h"
#include "support/fixtures.h"
#include "support/harness.h"
#include "synth/error.h"
#include "synth/target.h"

extern const struct synth__device_ops synth__opencl_device_ops;
extern const struct synth__device_ops synth__cpu_device_ops;
#define OPS synth__opencl_device_ops

/* Messages go to a buffer the tests can search. */
static char logged[65536];
static size_t logged_len;
static void capture(void *user, enum synth_log_level level, const char *msg)
{
  (void)user, (void)level;
  int n = snprintf(logged + logged_len, sizeof logged - logged_len, "%s\n", msg);
  if (n > 0 && logged_len + (size_t)n < sizeof logged)
    logged_len += (size_t)n;
}
static const struct synth__logger logger = {capture, NULL, SYNTH_LOG_DEBUG};

static void *backend;
static struct synth__desc_list descs;
static struct synth__probe_config pcfg = {.log = &logger};

/* The device under test: opencl:0, or the index given on the command line. */
static const struct synth__device_desc *tested;

static void *open_dev(const struct synth__workload *wl)
{
  void *dev = NULL;
  CU_ASSERT_EQUAL_FATAL(OPS.open(backend, tested, wl, &dev), 0);
  return dev;
}

/* Hashes [start, start + count) of the payload on the device; returns the hits, sorted. */
static uint32_t run_batch(void *dev, const struct synth__sha256d_payload *p, uint32_t start,
                          uint32_t count, uint32_t *hits, uint32_t *overflow)
{
  static struct synth__batch b;
  static atomic_uint epoch;
  memset(&b, 0, sizeof b);
  b.payload = (void *)p;
  b.range.nonce_start = start;
  b.range.count = count;
  b.ctl = (struct synth__scan_ctl){
      .epoch_now = &epoch, .hits = b.hits, .max_hits = SYNTH_BATCH_MAX_HITS};
  CU_ASSERT_EQUAL_FATAL(OPS.submit(dev, &b), 0);
  struct synth__batch *done = NULL;
  int rc;
  while ((rc = OPS.poll(dev, &done, 100)) == SYNTH_EAGAIN)
    ;
  CU_ASSERT_EQUAL(rc, 0);
  CU_ASSERT_PTR_EQUAL(done, &b);
  CU_ASSERT_EQUAL(b.done, count);
  for (uint32_t i = 0; i < b.ctl.nhits; i++) { /* insertion sort: the device reports unordered */
    uint32_t v = b.hits[i], j = i;
    for (; j > 0 && (uint32_t)(hits[j - 1] - start) > (uint32_t)(v - start); j--)
      hits[j] = hits[j - 1];
    hits[j] = v;
  }
  if (overflow)
    *overflow = b.ctl.overflow;
  return b.ctl.nhits;
}

/* The reference: OpenSSL on every nonce. */
static uint32_t reference(const uint8_t header_in[80], const uint8_t target[32], uint32_t start,
                          uint32_t count, uint32_t *hits, uint32_t max)
{
  uint8_t header[80], hash[32];
  memcpy(header, header_in, 80);
  uint32_t n = 0;
  for (uint32_t i = 0; i < count; i++) {
    synth__store_le32(header + 76, start + i);
    synth_test_ref_sha256d(header, 80, hash);
    if (synth_test_ref_meets(hash, target) && n < max)
      hits[n++] = start + i;
  }
  return n;
}

static void expect_same(void *dev, const uint8_t header[80], const uint8_t target[32],
                        uint32_t start, uint32_t count)
{
  static uint32_t want[SYNTH_BATCH_MAX_HITS], got[SYNTH_BATCH_MAX_HITS];
  struct synth__sha256d_payload p;
  synth__sha256d_payload_init(&p, header, target);
  uint32_t n = reference(header, target, start, count, want, SYNTH_BATCH_MAX_HITS);
  uint32_t overflow = 0, m = run_batch(dev, &p, start, count, got, &overflow);
  CU_ASSERT_EQUAL(overflow, 0);
  CU_ASSERT_EQUAL_FATAL(m, n);
  CU_ASSERT_EQUAL(memcmp(got, want, n * sizeof got[0]), 0);
}

static void test_random_headers(void)
{
  void *dev = open_dev(&synth__sha256d_workload);
  for (int round = 0; round < 6; round++) {
    uint8_t header[80], target[32];
    synth_test_fill(header, 80);
    synth_test_easy_target(0xffffffffu / 1000, target);
    expect_same(dev, header, target, (uint32_t)synth_test_rand(), 40000);
  }
  OPS.close(dev);
}

static void test_real_headers(void)
{
  void *dev = open_dev(&synth__sha256d_workload);
  for (size_t i = 0; i < synth_test_block_count; i++) {
    uint8_t header[80], hash[32], target[32];
    synth_test_block_decode(&synth_test_blocks[i], header, hash);
    uint32_t nonce = synth__load_le32(header + 76);
    synth_target_from_nbits(synth__load_le32(header + 72), target);
    expect_same(dev, header, target, nonce - 2000, 4000); /* exactly the block's nonce */
    synth_test_easy_target(0xffffffffu / 400, target);
    expect_same(dev, header, target, nonce - 3000, 6000);
  }
  OPS.close(dev);
}

/* Target equal to a hash (its top word equal too: the full compare on the device decides) and
 * one below it. */
static void test_planted_boundary(void)
{
  void *dev = open_dev(&synth__sha256d_workload);
  for (int round = 0; round < 8; round++) {
    uint8_t header[80], hash[32], target[32];
    synth_test_fill(header, 80);
    uint32_t nonce = (uint32_t)synth_test_rand();
    synth__store_le32(header + 76, nonce);
    synth_test_ref_sha256d(header, 80, hash);
    memcpy(target, hash, 32);
    expect_same(dev, header, target, nonce - 300, 600);
    int byte = 0;
    while (byte < 31 && target[byte] == 0)
      byte++;
    target[byte]--;
    for (int i = 0; i < byte; i++)
      target[i] = 0xff;
    expect_same(dev, header, target, nonce - 300, 600);
  }
  OPS.close(dev);
}

/* Counts that are no multiple of the lanes or the work-group, and a range ending a roll. */
static void test_range_edges(void)
{
  void *dev = open_dev(&synth__sha256d_workload);
  static const uint32_t counts[] = {1, 2, 3, 7, 9, 15, 17, 255, 257, 1025, 4097, 65535};
  uint8_t header[80], target[32];
  synth_test_fill(header, 80);
  synth_test_easy_target(0xffffffffu / 256, target); /* about 256 hits in the largest range */
  for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
    expect_same(dev, header, target, (uint32_t)synth_test_rand(), counts[i]);
  expect_same(dev, header, target, 0xffffffffu - 4999, 5000);
  OPS.close(dev);
}

/* Every nonce a hit: the result buffer fills, the rest is counted as overflow. */
static void test_overflow_counted(void)
{
  void *dev = open_dev(&synth__sha256d_workload);
  uint8_t header[80], target[32];
  synth_test_fill(header, 80);
  memset(target, 0xff, 32);
  struct synth__sha256d_payload p;
  synth__sha256d_payload_init(&p, header, target);
  static uint32_t hits[SYNTH_BATCH_MAX_HITS];
  uint32_t overflow = 0;
  uint32_t n = run_batch(dev, &p, 100, 5000, hits, &overflow);
  CU_ASSERT_EQUAL(n, SYNTH_BATCH_MAX_HITS);
  CU_ASSERT_EQUAL(overflow, 5000 - SYNTH_BATCH_MAX_HITS);
  OPS.close(dev);
}

/* Every lane count, and user build options next to the defaults, must compute exactly the
 * same hits as the reference. */
static void test_lane_variants_agree(void)
{
  static const char *const options[] = {"-D MAD_ADDS=0", "-D MAD_ADDS=1", "-D MAD_ADDS=2",
                                        "-D MAD_ADDS=3", "-D MAD_ADDS=4", "-D MAD_ADDS=5",
                                        "-D MAD_ADDS=6", "-D MAD_ADDS=7"};
  static const unsigned lanes[] = {1, 2, 4, 1, 2, 1, 2, 1};
  for (size_t v = 0; v < 8; v++) {
    struct synth__probe_config cfg = pcfg;
    cfg.opencl_build_options = options[v];
    cfg.opencl_lanes = lanes[v];
    void *b2 = NULL, *dev = NULL;
    CU_ASSERT_EQUAL_FATAL(OPS.backend_create(&cfg, &b2), 0);
    CU_ASSERT_EQUAL_FATAL(OPS.open(b2, tested, &synth__sha256d_workload, &dev), 0);
    CU_ASSERT_EQUAL(OPS.self_test(dev, &synth__sha256d_workload), 0);
    for (int round = 0; round < 2; round++) {
      uint8_t header[80], target[32];
      synth_test_fill(header, 80);
      synth_test_easy_target(0xffffffffu / 1000, target);
      expect_same(dev, header, target, (uint32_t)synth_test_rand(), 20001);
    }
    OPS.close(dev);
    OPS.backend_destroy(b2);
  }
}

static void test_build_failure_logs_the_build_log(void)
{
  static const struct synth__opencl_kernel broken = {
      .source = "__kernel void sha256d_scan(__global uint *r) { r[0] = undeclared_thing; }",
      .entry = "sha256d_scan"};
  struct synth__workload wl = synth__sha256d_workload;
  wl.opencl = &broken;
  logged_len = 0;
  logged[0] = '\0';
  void *dev = NULL;
  CU_ASSERT_EQUAL(OPS.open(backend, tested, &wl, &dev), SYNTH_EDEVICE);
  CU_ASSERT_PTR_NULL(dev);
  CU_ASSERT_PTR_NOT_NULL(strstr(logged, "build log"));
  CU_ASSERT_PTR_NOT_NULL(strstr(logged, "undeclared_thing"));
}

static void test_work_group_override(void)
{
  struct synth__probe_config cfg = pcfg;
  void *b2 = NULL, *dev = NULL;
  cfg.opencl_work_group = 64;
  CU_ASSERT_EQUAL_FATAL(OPS.backend_create(&cfg, &b2), 0);
  CU_ASSERT_EQUAL_FATAL(OPS.open(b2, tested, &synth__sha256d_workload, &dev), 0);
  char engine[32];
  OPS.engine(dev, engine, sizeof engine);
  CU_ASSERT_PTR_NOT_NULL(strstr(engine, "wg64"));
  CU_ASSERT_EQUAL(OPS.self_test(dev, &synth__sha256d_workload), 0);
  OPS.close(dev);
  OPS.backend_destroy(b2);
  cfg.opencl_work_group = 1u << 20; /* above any device's limit */
  CU_ASSERT_EQUAL_FATAL(OPS.backend_create(&cfg, &b2), 0);
  CU_ASSERT_EQUAL(OPS.open(b2, tested, &synth__sha256d_workload, &dev), SYNTH_EINVAL);
  OPS.backend_destroy(b2);
}

static void test_program_cache(void)
{
  char dir[] = "/tmp/synth-cl-cache-XXXXXX";
  CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
  struct synth__probe_config cfg = pcfg;
  cfg.cache_dir = dir;
  void *b2 = NULL, *dev = NULL;
  CU_ASSERT_EQUAL_FATAL(OPS.backend_create(&cfg, &b2), 0);
  CU_ASSERT_EQUAL_FATAL(OPS.open(b2, tested, &synth__sha256d_workload, &dev), 0);
  CU_ASSERT_FALSE(((struct cl_device *)dev)->from_cache);
  OPS.close(dev);
  CU_ASSERT_EQUAL_FATAL(OPS.open(b2, tested, &synth__sha256d_workload, &dev), 0);
  CU_ASSERT_TRUE(((struct cl_device *)dev)->from_cache); /* a restart does not recompile */
  CU_ASSERT_EQUAL(OPS.self_test(dev, &synth__sha256d_workload), 0);
  OPS.close(dev);
  /* A damaged cache entry is noticed and replaced by a fresh compile. */
  char cmd[256];
  snprintf(cmd, sizeof cmd, "for f in %s/opencl/*.bin; do printf garbage > \"$f\"; done", dir);
  CU_ASSERT_EQUAL(system(cmd), 0);
  CU_ASSERT_EQUAL_FATAL(OPS.open(b2, tested, &synth__sha256d_workload, &dev), 0);
  CU_ASSERT_FALSE(((struct cl_device *)dev)->from_cache);
  CU_ASSERT_EQUAL(OPS.self_test(dev, &synth__sha256d_workload), 0);
  OPS.close(dev);
  OPS.backend_destroy(b2);
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  CU_ASSERT_EQUAL(system(cmd), 0);
}

/* ---- through the scheduler ---------------------------------------------------------------- */

struct hits {
  pthread_mutex_t lock;
  uint32_t nonces[8192];
  unsigned n;
  unsigned by_job[3];
  unsigned late; /* hits of job 1 after the switch */
  int switched;
};

static void on_hit(void *user, struct synth__job *job, const void *payload, uint32_t roll,
                   uint32_t nonce, const struct synth__verdict *v, unsigned device)
{
  (void)payload, (void)roll, (void)device;
  struct hits *h = user;
  const struct synth__mining_job *mj = job->data;
  CU_ASSERT_TRUE(v->meets_target);
  pthread_mutex_lock(&h->lock);
  if (h->n < 8192)
    h->nonces[h->n++] = nonce;
  int tag = mj->job_id[0] - '0';
  if (tag >= 0 && tag < 3)
    h->by_job[tag]++;
  if (tag == 1 && h->switched)
    h->late++;
  pthread_mutex_unlock(&h->lock);
}

static int cmp_u32(const void *a, const void *b)
{
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

/* A fixed-root mining job: nonces of one header, an easy share target. */
static struct synth__job *mining_job(const char *id, uint32_t size, uint32_t top, uint8_t hdr[80])
{
  struct synth_job pub = {
      .job_id = id, .version = 0x20000000, .ntime = 1700000000, .nbits = 0x17034219};
  synth_test_fill(pub.prevhash, 32);
  synth_test_fill(pub.merkle_root, 32);
  synth_test_easy_target(top, pub.share_target);
  struct synth__mining_job *mj;
  CU_ASSERT_EQUAL_FATAL(synth__mining_job_create(&pub, &logger, &mj), 0);
  if (hdr)
    synth__mining_job_header(mj, 0, hdr);
  struct synth__job *job;
  CU_ASSERT_EQUAL_FATAL(
      synth__job_create(&job, &synth__sha256d_workload, mj, synth__mining_job_free, 0, size), 0);
  return job;
}

/* A scheduler with this OpenCL device (fault armed if asked) and one CPU worker. */
static struct synth__sched *make_sched(struct hits *h, enum synth__device_fault fault, unsigned at,
                                       void **cpu_backend_out, void **cl_dev_out)
{
  struct synth__sched_config cfg = {
      .unit_log2 = 14, .on_hit = on_hit, .hit_user = h, .log = &logger};
  struct synth__sched *s;
  CU_ASSERT_EQUAL_FATAL(synth__sched_create(&s, &cfg), 0);
  void *cl = open_dev(&synth__sha256d_workload);
  if (fault != SYNTH_FAULT_NONE)
    synth__cl_inject_fault(cl, fault, at);
  *cl_dev_out = cl;
  CU_ASSERT_EQUAL(synth__sched_add_device(s, &OPS, cl, tested, 0.02), 0);
  struct synth__probe_config ccfg = {
      .workload = &synth__sha256d_workload, .cpu_threads = 1, .log = &logger};
  void *cpu_be = NULL, *cpu = NULL;
  struct synth__desc_list cd = {0};
  char topo[384];
  CU_ASSERT_EQUAL_FATAL(synth__cpu_device_ops.backend_create(&ccfg, &cpu_be), 0);
  synth__cpu_device_ops.probe(cpu_be, &ccfg, &cd, topo, sizeof topo);
  CU_ASSERT_EQUAL_FATAL(
      synth__cpu_device_ops.open(cpu_be, &cd.items[0], &synth__sha256d_workload, &cpu), 0);
  CU_ASSERT_EQUAL(synth__sched_add_device(s, &synth__cpu_device_ops, cpu, &cd.items[0], 0.005), 1);
  synth__desc_list_free(&cd);
  *cpu_backend_out = cpu_be;
  return s;
}

/*
 * A finite job through OpenCL and a CPU worker: the devices' nonce counts add up to the job
 * exactly, and every hit the reference finds arrives, once. The hit density keeps even a
 * batch of the whole job inside the device's result buffer.
 */
static void run_coverage(enum synth__device_fault fault, unsigned at)
{
  struct hits h = {.lock = PTHREAD_MUTEX_INITIALIZER};
  void *cpu_be, *cl;
  struct synth__sched *s = make_sched(&h, fault, at, &cpu_be, &cl);
  uint8_t header[80];
  const uint32_t size = 1u << 24;
  struct synth__job *job = mining_job("0", size, 0xffffffffu / 40000, header);
  synth__job_get(job);
  synth__sched_set_job(s, job, true);
  CU_ASSERT_EQUAL(synth__sched_start(s), 0);
  CU_ASSERT_EQUAL(synth__sched_wait_job(s, job, 120000), 0);
  synth__sched_stop(s);

  /* The reference hits, by the fastest CPU core (each core is checked against OpenSSL by
   * test_cpu_scan). */
  struct synth__sha256d_payload p;
  synth__sha256d_payload_init(&p, header, ((struct synth__mining_job *)job->data)->target);
  static uint32_t want[8192];
  atomic_uint epoch = 0;
  struct synth__scan_ctl ctl = {.epoch_now = &epoch, .hits = want, .max_hits = 8192};
  struct synth__core_choice fastest;
  CU_ASSERT_EQUAL_FATAL(synth__cpu_core_choose(&synth__sha256d_workload, NULL, &logger, &fastest),
                        0);
  fastest.core->scan(&p, 0, size, &ctl);
  qsort(h.nonces, h.n, sizeof h.nonces[0], cmp_u32);
  CU_ASSERT(ctl.nhits > 250);
  CU_ASSERT_EQUAL_FATAL(h.n, ctl.nhits);
  CU_ASSERT_EQUAL(memcmp(h.nonces, want, h.n * sizeof want[0]), 0);
  struct synth_device_stats gpu, cpu;
  synth__sched_device_stats(s, 0, &gpu);
  synth__sched_device_stats(s, 1, &cpu);
  CU_ASSERT_EQUAL(gpu.nonces + cpu.nonces, size); /* nothing hashed twice, nothing skipped */
  CU_ASSERT_EQUAL(gpu.duplicates + cpu.duplicates, 0);
  CU_ASSERT_EQUAL(gpu.hw_errors + cpu.hw_errors, 0);
  CU_ASSERT(gpu.nonces > 0);
  CU_ASSERT_EQUAL(atomic_load(&s->devices[0]->failed), fault != SYNTH_FAULT_NONE);
  if (fault != SYNTH_FAULT_NONE) {
    struct synth__sched_totals t;
    synth__sched_totals(s, &t);
    CU_ASSERT(t.requeued_nonces > 0);
    CU_ASSERT(cpu.nonces > 0);
  }
  synth__job_put(job);
  synth__sched_destroy(s);
  synth__cpu_device_ops.backend_destroy(cpu_be);
}

static void test_many_batches_exact_coverage(void)
{
  run_coverage(SYNTH_FAULT_NONE, 0);
}

static void test_failed_batch_returns_its_units(void)
{
  run_coverage(SYNTH_FAULT_EXEC, 3);
}

static void test_failed_launch_returns_its_units(void)
{
  run_coverage(SYNTH_FAULT_SUBMIT, 2);
}

static void sleep_ms(unsigned ms)
{
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* A clean switch while launches are in flight: the old job's late hits are stale. */
static void test_job_switch_with_batches_in_flight(void)
{
  struct hits h = {.lock = PTHREAD_MUTEX_INITIALIZER};
  void *cpu_be, *cl;
  struct synth__sched *s = make_sched(&h, SYNTH_FAULT_NONE, 0, &cpu_be, &cl);
  synth__sched_set_job(s, mining_job("1", 0, 0xffffffffu / 20000, NULL), true);
  CU_ASSERT_EQUAL(synth__sched_start(s), 0);
  for (int i = 0; i < 3000 && h.by_job[1] < 20; i++)
    sleep_ms(10);
  synth__sched_set_job(s, mining_job("2", 0, 0xffffffffu / 20000, NULL), true);
  sleep_ms(20);
  pthread_mutex_lock(&h.lock);
  h.switched = 1;
  pthread_mutex_unlock(&h.lock);
  for (int i = 0; i < 3000 && h.by_job[2] < 20; i++)
    sleep_ms(10);
  synth__sched_stop(s);
  CU_ASSERT(h.by_job[1] >= 20);
  CU_ASSERT(h.by_job[2] >= 20);
  CU_ASSERT_EQUAL(h.late, 0);
  struct synth_device_stats gpu;
  synth__sched_device_stats(s, 0, &gpu);
  CU_ASSERT(gpu.stale > 0); /* launches of job 1 finished after the switch, their hits held back */
  synth__sched_destroy(s);
  synth__cpu_device_ops.backend_destroy(cpu_be);
}

int main(int argc, char **argv)
{
  if (OPS.backend_create(&pcfg, &backend) != 0) {
    fprintf(stderr, "no OpenCL platform: skipped\n");
    return SYNTH_TEST_SKIP;
  }
  char topo[256];
  OPS.probe(backend, &pcfg, &descs, topo, sizeof topo);
  size_t index = argc > 1 ? (size_t)atoi(argv[1]) : 0;
  if (descs.count <= index) {
    fprintf(stderr, "no OpenCL device %zu: skipped\n", index);
    OPS.backend_destroy(backend);
    return SYNTH_TEST_SKIP;
  }
  tested = &descs.items[index];
  fprintf(stderr, "testing %s: %s (%s)\n", tested->id, tested->name, tested->detail);
  synth__rcu_online();
  static const struct synth_test tests[] = {
      SYNTH_TEST(test_random_headers),
      SYNTH_TEST(test_real_headers),
      SYNTH_TEST(test_planted_boundary),
      SYNTH_TEST(test_range_edges),
      SYNTH_TEST(test_overflow_counted),
      SYNTH_TEST(test_lane_variants_agree),
      SYNTH_TEST(test_build_failure_logs_the_build_log),
      SYNTH_TEST(test_work_group_override),
      SYNTH_TEST(test_program_cache),
      SYNTH_TEST(test_many_batches_exact_coverage),
      SYNTH_TEST(test_failed_batch_returns_its_units),
      SYNTH_TEST(test_failed_launch_returns_its_units),
      SYNTH_TEST(test_job_switch_with_batches_in_flight),
      SYNTH_TEST_END,
  };
  int rc = synth_test_run("opencl", tests);
  synth__rcu_offline();
  synth__desc_list_free(&descs);
  OPS.backend_destroy(backend);
  return rc;
}
