/* gpu_suite.c: the tests every GPU-style backend (OpenCL, Vulkan) must pass on a real device. */
#include "support/gpu_suite.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/rcu_thread.h"
#include "devices/cpu/core_select.h"
#include "devices/cpu/cpu_options.h"
#include "precompute/sha256.h"
#include "scheduler/sched_internal.h"
#include "scheduler/scheduler.h"
#include "sha256d/mining_job.h"
#include "sha256d/sha256d_cores.h"
#include "sha256d/sha256d_payload.h"
#include "sha256d/sha256d_workload.h"
#include "support/fixtures.h"
#include "synth/error.h"
#include "synth/target.h"

extern const struct synth__device_ops synth__cpu_device_ops;

struct gpu_suite gpu;

char gpu_logged[65536];
static size_t logged_len;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static void capture(void *user, enum synth_log_level level, const char *msg)
{
  (void)user, (void)level;
  pthread_mutex_lock(&log_lock);
  int n = snprintf(gpu_logged + logged_len, sizeof gpu_logged - logged_len, "%s\n", msg);
  if (n > 0 && logged_len + (size_t)n < sizeof gpu_logged)
    logged_len += (size_t)n;
  pthread_mutex_unlock(&log_lock);
}
const struct synth__logger gpu_logger = {capture, NULL, SYNTH_LOG_DEBUG};

void gpu_log_clear(void)
{
  pthread_mutex_lock(&log_lock);
  logged_len = 0;
  gpu_logged[0] = '\0';
  pthread_mutex_unlock(&log_lock);
}

void *gpu_open(void *backend, const struct synth_workload *wl)
{
  void *dev = NULL;
  CU_ASSERT_EQUAL_FATAL(gpu.ops->open(backend ? backend : gpu.backend, gpu.tested, wl, &dev), 0);
  return dev;
}

/* Submits b and polls until the device hands it back. */
static void submit_and_wait(void *dev, struct synth__batch *b)
{
  CU_ASSERT_EQUAL_FATAL(gpu.ops->submit(dev, b), 0);
  struct synth__batch *done = NULL;
  int rc;
  while ((rc = gpu.ops->poll(dev, &done, 100)) == SYNTH_EAGAIN)
    ;
  CU_ASSERT_EQUAL(rc, 0);
  CU_ASSERT_PTR_EQUAL(done, b);
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
  b.ctl = (struct synth_scan_ctl){
      .epoch_now = &epoch, .hits = b.hits, .max_hits = SYNTH_BATCH_MAX_HITS};
  submit_and_wait(dev, &b);
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

void gpu_expect_same(void *dev, const uint8_t header[80], const uint8_t target[32], uint32_t start,
                     uint32_t count)
{
  static uint32_t want[SYNTH_BATCH_MAX_HITS], got[SYNTH_BATCH_MAX_HITS];
  struct synth__sha256d_payload p;
  synth__sha256d_payload_init(&p, header, target);
  uint32_t n = synth_test_ref_hits(header, target, start, count, want, SYNTH_BATCH_MAX_HITS);
  uint32_t overflow = 0, m = run_batch(dev, &p, start, count, got, &overflow);
  CU_ASSERT_EQUAL(overflow, 0);
  CU_ASSERT_EQUAL_FATAL(m, n);
  CU_ASSERT_EQUAL(memcmp(got, want, n * sizeof got[0]), 0);
}

/* Submits one batch of the payload at epoch and waits for it. */
static struct synth__batch *epoch_batch(void *dev, const struct synth__sha256d_payload *p,
                                        unsigned epoch, uint32_t count)
{
  static struct synth__batch b;
  static atomic_uint now;
  memset(&b, 0, sizeof b);
  atomic_store(&now, epoch);
  b.payload = (void *)p;
  b.range.nonce_start = 1000;
  b.range.count = count;
  b.ctl = (struct synth_scan_ctl){
      .epoch_now = &now, .epoch = epoch, .hits = b.hits, .max_hits = SYNTH_BATCH_MAX_HITS};
  submit_and_wait(dev, &b);
  return &b;
}

/* A launch whose epoch has passed (a job switch came after it was queued) hashes nothing and
 * says so: done 0, no hits. The word only rises: a late older epoch does not stop current
 * launches, and a launch of the current epoch runs whole with every hit. */
void gpu_test_abandoned_launch(void)
{
  void *dev = gpu_open(NULL, &synth__sha256d_workload);
  CU_ASSERT_PTR_NOT_NULL_FATAL(gpu.ops->epoch_changed);
  uint8_t header[80], target[32];
  synth_test_fill(header, 80);
  synth_test_easy_target(0xffffffffu / 500, target);
  struct synth__sha256d_payload p;
  synth__sha256d_payload_init(&p, header, target);
  const uint32_t count = 200000;
  static uint32_t want[SYNTH_BATCH_MAX_HITS];
  uint32_t n = synth_test_ref_hits(header, target, 1000, count, want, SYNTH_BATCH_MAX_HITS);
  CU_ASSERT(n > 100);

  gpu.ops->epoch_changed(dev, 6);
  struct synth__batch *b = epoch_batch(dev, &p, 5, count);
  CU_ASSERT_EQUAL(b->done, 0);
  CU_ASSERT_EQUAL(b->ctl.nhits, 0);
  CU_ASSERT_EQUAL(b->ctl.overflow, 0);

  gpu.ops->epoch_changed(dev, 3); /* late and older: ignored */
  b = epoch_batch(dev, &p, 6, count);
  CU_ASSERT_EQUAL(b->done, count);
  CU_ASSERT_EQUAL(b->ctl.nhits, n);
  b = epoch_batch(dev, &p, 7, count); /* a newer launch than the word: runs too */
  CU_ASSERT_EQUAL(b->done, count);
  CU_ASSERT_EQUAL(b->ctl.nhits, n);
  gpu.ops->close(dev);
}

void gpu_expect_same_random(void *dev, int rounds, uint32_t count)
{
  for (int round = 0; round < rounds; round++) {
    uint8_t header[80], target[32];
    synth_test_fill(header, 80);
    synth_test_easy_target(0xffffffffu / 1000, target);
    gpu_expect_same(dev, header, target, (uint32_t)synth_test_rand(), count);
  }
}

/* The cache test's files: every cached binary under dir/sub overwritten with garbage, and the
 * whole cache folder removed at the end. */
static void cache_damage(const char *dir, const char *sub)
{
  char cmd[256];
  snprintf(cmd, sizeof cmd, "for f in %s/%s/*.bin; do printf garbage > \"$f\"; done", dir, sub);
  CU_ASSERT_EQUAL(system(cmd), 0);
}

static void cache_remove(const char *dir)
{
  char cmd[256];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  CU_ASSERT_EQUAL(system(cmd), 0);
}

/* A second open takes the kernel from the cache and passes its self-test: a restart does not
 * build again. A damaged cache entry is noticed, never handed to the driver, and built again. */
void gpu_test_kernel_cache(void)
{
  char dir[] = "/tmp/synth-gpu-cache-XXXXXX";
  CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
  struct synth__probe_config cfg = gpu.cfg;
  cfg.cache_dir = dir;
  void *b = NULL;
  CU_ASSERT_EQUAL_FATAL(gpu.ops->backend_create(&cfg, &b), 0);
  void *dev = gpu_open(b, &synth__sha256d_workload);
  CU_ASSERT_FALSE(gpu.from_cache(dev));
  gpu.ops->close(dev);
  dev = gpu_open(b, &synth__sha256d_workload);
  CU_ASSERT_TRUE(gpu.from_cache(dev));
  CU_ASSERT_EQUAL(gpu.ops->self_test(dev, &synth__sha256d_workload), 0);
  gpu.ops->close(dev);
  cache_damage(dir, gpu.ops->name);
  gpu_log_clear();
  dev = gpu_open(b, &synth__sha256d_workload);
  CU_ASSERT_FALSE(gpu.from_cache(dev));
  CU_ASSERT_PTR_NOT_NULL(strstr(gpu_logged, "unusable; compiling again"));
  CU_ASSERT_EQUAL(gpu.ops->self_test(dev, &synth__sha256d_workload), 0);
  gpu.ops->close(dev);
  gpu.ops->backend_destroy(b);
  cache_remove(dir);
}

void gpu_test_random_headers(void)
{
  void *dev = gpu_open(NULL, &synth__sha256d_workload);
  gpu_expect_same_random(dev, 6, 40000);
  gpu.ops->close(dev);
}

void gpu_test_real_headers(void)
{
  void *dev = gpu_open(NULL, &synth__sha256d_workload);
  for (size_t i = 0; i < synth_test_block_count; i++) {
    uint8_t header[80], hash[32], target[32];
    synth_test_block_decode(&synth_test_blocks[i], header, hash);
    uint32_t nonce = synth__load_le32(header + 76);
    synth_target_from_nbits(synth__load_le32(header + 72), target);
    gpu_expect_same(dev, header, target, nonce - 2000, 4000); /* exactly the block's nonce */
    synth_test_easy_target(0xffffffffu / 400, target);
    gpu_expect_same(dev, header, target, nonce - 3000, 6000);
  }
  gpu.ops->close(dev);
}

/* Target equal to a hash (its top word equal too: the full compare on the device decides) and
 * one below it. */
void gpu_test_planted_boundary(void)
{
  void *dev = gpu_open(NULL, &synth__sha256d_workload);
  for (int round = 0; round < 8; round++) {
    uint8_t header[80], target[32];
    uint32_t nonce = synth_test_plant(header, target);
    gpu_expect_same(dev, header, target, nonce - 300, 600);
    synth_test_target_minus_one(target);
    gpu_expect_same(dev, header, target, nonce - 300, 600);
  }
  gpu.ops->close(dev);
}

/* Counts that are no multiple of the lanes or the work-group, and a range ending a roll. */
void gpu_test_range_edges(void)
{
  void *dev = gpu_open(NULL, &synth__sha256d_workload);
  static const uint32_t counts[] = {1, 2, 3, 7, 9, 15, 17, 255, 257, 1025, 4097, 65535};
  uint8_t header[80], target[32];
  synth_test_fill(header, 80);
  synth_test_easy_target(0xffffffffu / 256, target); /* about 256 hits in the largest range */
  for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
    gpu_expect_same(dev, header, target, (uint32_t)synth_test_rand(), counts[i]);
  gpu_expect_same(dev, header, target, 0xffffffffu - 4999, 5000);
  gpu.ops->close(dev);
}

/* Every nonce a hit: the result buffer fills, the rest is counted as overflow. */
void gpu_test_overflow_counted(void)
{
  void *dev = gpu_open(NULL, &synth__sha256d_workload);
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
  gpu.ops->close(dev);
}

/* ---- through the scheduler ---------------------------------------------------------------- */

struct hits {
  pthread_mutex_t lock;
  uint32_t nonces[8192];
  unsigned n;
  unsigned by_job[3];
  /* Hits delivered by a device that had already finished a batch of a newer job: it runs its
   * batches in order, so those are hits of an old job arriving after the switch reached it. */
  unsigned late;
  struct synth__sched *sched; /* set before the start */
};

static void on_hit(void *user, struct synth__job *job, const void *payload, uint32_t roll,
                   uint32_t nonce, const struct synth_verdict *v, unsigned device)
{
  (void)payload, (void)roll;
  struct hits *h = user;
  const struct synth__mining_job *mj = job->data;
  CU_ASSERT_TRUE(v->meets_target);
  /* On the device's own thread: its newest job is the one of its latest finished batch. */
  uint32_t newest = atomic_load(&h->sched->devices[device]->job_started_id);
  pthread_mutex_lock(&h->lock);
  if (h->n < 8192)
    h->nonces[h->n++] = nonce;
  int tag = mj->job_id[0] - '0';
  if (tag >= 0 && tag < 3)
    h->by_job[tag]++;
  if (synth__job_newer(newest, job->id))
    h->late++;
  pthread_mutex_unlock(&h->lock);
}

static unsigned hits_of(struct hits *h, int tag)
{
  pthread_mutex_lock(&h->lock);
  unsigned n = h->by_job[tag];
  pthread_mutex_unlock(&h->lock);
  return n;
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
  CU_ASSERT_EQUAL_FATAL(synth__mining_job_create(&pub, &gpu_logger, &mj), 0);
  if (hdr)
    synth__mining_job_header(mj, 0, hdr);
  struct synth__job *job;
  CU_ASSERT_EQUAL_FATAL(
      synth__job_create(&job, &synth__sha256d_workload, mj, synth__mining_job_free, 0, size), 0);
  return job;
}

/* How long a batch may run in these tests before its device counts as hung (sick; after stop
 * still holding it, taken out): the patience, far beyond what a 20 ms batch of PoCL or
 * lavapipe takes on a loaded or sanitized machine. The hung-batch test waits that long once,
 * so there it is a tenth of the patience, still hundreds of batches' time. */
static unsigned batch_timeout_ms(enum synth__device_fault fault)
{
  double s = synth_test_patience_s() * (fault == SYNTH_FAULT_HANG ? 0.1 : 1.0);
  return (unsigned)(s * 1000);
}

/* A scheduler with the tested device (fault armed if asked) and one CPU worker. */
static struct synth__sched *make_sched(struct hits *h, enum synth__device_fault fault, unsigned at,
                                       void **cpu_backend_out)
{
  struct synth__sched_config cfg = {.unit_log2 = 14,
                                    .on_hit = on_hit,
                                    .hit_user = h,
                                    .log = &gpu_logger,
                                    .batch_timeout_ms = batch_timeout_ms(fault)};
  struct synth__sched *s;
  CU_ASSERT_EQUAL_FATAL(synth__sched_create(&s, &cfg), 0);
  h->sched = s;
  void *dev = gpu_open(NULL, &synth__sha256d_workload);
  if (fault != SYNTH_FAULT_NONE)
    gpu.inject_fault(dev, fault, at);
  CU_ASSERT_EQUAL(synth__sched_add_device(s, gpu.ops, dev, gpu.tested, 0.02), 0);
  const struct synth__option_value one_worker[SYNTH_DEVICE_OPTIONS_MAX] = {
      [SYNTH_CPU_OPT_THREADS] = {.set = true, .number = 1}};
  struct synth__probe_config ccfg = {
      .workload = &synth__sha256d_workload, .options = one_worker, .log = &gpu_logger};
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
 * A finite job through the device and a CPU worker: the devices' nonce counts add up to the
 * job exactly, and every hit the reference finds arrives, once. The hit density keeps even a
 * batch of the whole job inside the device's result buffer. With a fault, the device is taken
 * out and the CPU hashes what it gave back.
 */
static void run_coverage(enum synth__device_fault fault, unsigned at)
{
  struct hits h = {.lock = PTHREAD_MUTEX_INITIALIZER};
  void *cpu_be;
  gpu_log_clear();
  struct synth__sched *s = make_sched(&h, fault, at, &cpu_be);
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
  struct synth_scan_ctl ctl = {.epoch_now = &epoch, .hits = want, .max_hits = 8192};
  struct synth__core_choice fastest;
  CU_ASSERT_EQUAL_FATAL(
      synth__cpu_core_choose(&synth__sha256d_workload, NULL, NULL, &gpu_logger, &fastest), 0);
  fastest.core->scan(&p, 0, size, &ctl);
  qsort(h.nonces, h.n, sizeof h.nonces[0], cmp_u32);
  CU_ASSERT(ctl.nhits > 250);
  CU_ASSERT_EQUAL_FATAL(h.n, ctl.nhits);
  CU_ASSERT_EQUAL(memcmp(h.nonces, want, h.n * sizeof want[0]), 0);
  struct synth_device_stats dev, cpu;
  synth__sched_device_stats(s, 0, &dev);
  synth__sched_device_stats(s, 1, &cpu);
  CU_ASSERT_EQUAL(dev.nonces + cpu.nonces, size); /* nothing hashed twice, nothing skipped */
  CU_ASSERT_EQUAL(dev.duplicates + cpu.duplicates, 0);
  CU_ASSERT_EQUAL(dev.hw_errors + cpu.hw_errors, 0);
  CU_ASSERT_EQUAL(h.late, 0);
  CU_ASSERT(dev.nonces > 0);
  CU_ASSERT_EQUAL(atomic_load(&s->devices[0]->failed), fault != SYNTH_FAULT_NONE);
  if (fault != SYNTH_FAULT_NONE) {
    struct synth__sched_totals t;
    synth__sched_totals(s, &t);
    CU_ASSERT(t.requeued_nonces > 0);
    CU_ASSERT(cpu.nonces > 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(gpu_logged, "taken out")); /* said, with the reason */
  }
  if (fault == SYNTH_FAULT_HANG)
    CU_ASSERT_PTR_NOT_NULL(strstr(gpu_logged, "ran longer than"));
  synth__job_put(job);
  synth__sched_destroy(s);
  synth__cpu_device_ops.backend_destroy(cpu_be);
}

void gpu_test_many_batches_exact_coverage(void)
{
  run_coverage(SYNTH_FAULT_NONE, 0);
}

void gpu_test_failed_batch_returns_its_units(void)
{
  run_coverage(SYNTH_FAULT_EXEC, 3);
}

void gpu_test_failed_submit_returns_its_units(void)
{
  run_coverage(SYNTH_FAULT_SUBMIT, 2);
}

/* The third batch waits on the device for a signal that never comes: after the batch timeout
 * the device is taken out, and its units are hashed by the CPU. */
void gpu_test_hung_batch_returns_its_units(void)
{
  run_coverage(SYNTH_FAULT_HANG, 3);
}

static uint64_t device_batches(struct synth__sched *s, unsigned i)
{
  struct synth_device_stats st;
  synth__sched_device_stats(s, i, &st);
  return st.batches;
}

/* A clean switch while launches are in flight: they end early, and no hit of the old job
 * arrives from a device after the switch has reached it (its first batch of the new job). */
void gpu_test_job_switch_with_batches_in_flight(void)
{
  struct hits h = {.lock = PTHREAD_MUTEX_INITIALIZER};
  void *cpu_be;
  struct synth__sched *s = make_sched(&h, SYNTH_FAULT_NONE, 0, &cpu_be);
  synth__sched_set_job(s, mining_job("1", 0, 0xffffffffu / 20000, NULL), true);
  CU_ASSERT_EQUAL(synth__sched_start(s), 0);
  /* Switch once the device is tuned: its launches then hold many hits each (its first ones,
   * a unit each, may hold none, and the stale count below would say nothing). */
  SYNTH_TEST_WAIT(hits_of(&h, 1) >= 20 && device_batches(s, 0) >= 12);
  CU_ASSERT(hits_of(&h, 1) >= 20);
  CU_ASSERT(device_batches(s, 0) >= 12);
  synth__sched_set_job(s, mining_job("2", 0, 0xffffffffu / 20000, NULL), true);
  SYNTH_TEST_WAIT(hits_of(&h, 2) >= 20);
  synth__sched_stop(s);
  CU_ASSERT(hits_of(&h, 2) >= 20);
  CU_ASSERT_EQUAL(h.late, 0);
  /* Launches of job 1 still queued or running at the switch were abandoned on the device (the
   * abort word): cut short rather than hashed, none of their hits delivered. */
  struct synth__sched_totals t;
  synth__sched_totals(s, &t);
  CU_ASSERT(t.aborted_nonces > 0);
  synth__sched_destroy(s);
  synth__cpu_device_ops.backend_destroy(cpu_be);
}

int gpu_suite_main(int argc, char **argv, const struct synth__device_ops *ops,
                   void (*inject_fault)(void *dev, enum synth__device_fault fault, unsigned at),
                   bool (*from_cache)(void *dev), const struct synth_test *tests)
{
  const char *suite = ops->name;
  gpu.ops = ops;
  gpu.inject_fault = inject_fault;
  gpu.from_cache = from_cache;
  gpu.cfg.log = &gpu_logger;
  if (gpu.ops->backend_create(&gpu.cfg, &gpu.backend) != 0) {
    fprintf(stderr, "SKIPPED: %s: no %s driver could be loaded\n", suite, gpu.ops->name);
    return SYNTH_TEST_SKIP;
  }
  char topo[384];
  gpu.ops->probe(gpu.backend, &gpu.cfg, &gpu.descs, topo, sizeof topo);
  size_t index = argc > 1 ? (size_t)atoi(argv[1]) : 0;
  if (gpu.descs.count <= index) {
    fprintf(stderr, "SKIPPED: %s: no %s device %zu (%zu found)\n", suite, gpu.ops->name, index,
            gpu.descs.count);
    synth__desc_list_free(&gpu.descs);
    gpu.ops->backend_destroy(gpu.backend);
    return SYNTH_TEST_SKIP;
  }
  gpu.tested = &gpu.descs.items[index];
  fprintf(stderr, "testing %s: %s (%s)\n", gpu.tested->id, gpu.tested->name, gpu.tested->detail);
  synth__rcu_online();
  int rc = synth_test_run(suite, tests);
  synth__rcu_offline();
  synth__desc_list_free(&gpu.descs);
  gpu.ops->backend_destroy(gpu.backend);
  return rc;
}
