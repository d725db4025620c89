/* test_telemetry.c: EWMA, windows, batch log, tuner and health logic on scripted samples. */
#include <math.h>
#include <pthread.h>
#include <string.h>

#include "support/harness.h"
#include "synth/error.h"
#include "telemetry/batch_log.h"
#include "telemetry/device_counters.h"
#include "telemetry/hashrate.h"
#include "telemetry/health.h"
#include "telemetry/reason.h"
#include "telemetry/tuner.h"

#define MS 1000000ull

static void test_ewma_converges_and_tracks(void)
{
  struct synth__ewma e;
  synth__ewma_init(&e, 5.0);
  uint64_t t = 1000 * MS;
  synth__ewma_add(&e, 0, t); /* starts the clock */
  CU_ASSERT_EQUAL(synth__ewma_rate(&e), 0);
  for (int i = 0; i < 100; i++) { /* 1 MH/s in 10 ms batches */
    t += 10 * MS;
    synth__ewma_add(&e, 10000, t);
  }
  CU_ASSERT(fabs(synth__ewma_rate(&e) - 1e6) < 1);
  for (int i = 0; i < 1500; i++) { /* 15 s at 2 MH/s: three time constants */
    t += 10 * MS;
    synth__ewma_add(&e, 20000, t);
  }
  double r = synth__ewma_rate(&e);
  CU_ASSERT(r > 1.9e6 && r < 2e6); /* 1 - e^-3 of the way: about 1.95 MH/s */
}

/* The same rate fed in batches of very different lengths gives the same time behaviour. */
static void test_ewma_independent_of_batch_size(void)
{
  struct synth__ewma fine, coarse;
  synth__ewma_init(&fine, 5.0);
  synth__ewma_init(&coarse, 5.0);
  uint64_t t0 = 1000 * MS;
  synth__ewma_add(&fine, 0, t0);
  synth__ewma_add(&coarse, 0, t0);
  synth__ewma_add(&fine, 1000, t0 + 1 * MS);
  synth__ewma_add(&coarse, 1000, t0 + 1 * MS);
  for (int i = 2; i <= 2000; i++)
    synth__ewma_add(&fine, 3000, t0 + (uint64_t)i * MS);
  for (int i = 1; i <= 10; i++)
    synth__ewma_add(&coarse, 3000 * 1999 / 10, t0 + MS + (uint64_t)i * 1999 * MS / 10);
  CU_ASSERT(fabs(synth__ewma_rate(&fine) - synth__ewma_rate(&coarse)) / 3e6 < 0.01);
}

static void test_window(void)
{
  struct synth__rate_window w;
  synth__rate_window_init(&w, 0);
  CU_ASSERT_EQUAL(synth__rate_window_rate(&w), 0);
  uint64_t nonces = 0;
  for (int s = 0; s < 100; s++) {
    synth__rate_window_sample(&w, (uint64_t)s * 1000 * MS, nonces);
    nonces += s < 50 ? 1000 : 4000; /* 1 kH/s, then 4 kH/s */
  }
  /* 30 snapshots, all in the 4 kH/s part. */
  CU_ASSERT(fabs(synth__rate_window_rate(&w) - 4000) < 1e-6);
  synth__rate_window_destroy(&w);
}

/* 10 s, 60 s and 15 min figures each see their own stretch of a run with three speeds. */
static void test_horizons(void)
{
  struct synth__rate_horizons h;
  synth__rate_horizons_init(&h);
  double a, b, c;
  synth__rate_horizons_get(&h, &a, &b, &c);
  CU_ASSERT(a == 0 && b == 0 && c == 0);
  uint64_t nonces = 0;
  /* 20 min at 1 kH/s, 50 s at 10 kH/s, then 10 s at 100 kH/s; one snapshot a second. */
  for (int t = 0; t <= 1280; t++) {
    synth__rate_horizons_sample(&h, (uint64_t)t * 1000 * MS, nonces);
    nonces += t < 1200 ? 1000 : t < 1270 ? 10000 : 100000;
  }
  synth__rate_horizons_get(&h, &a, &b, &c);
  CU_ASSERT(fabs(a - 100000) < 1);
  /* 60 s: 10 s at 100 kH/s and 50 s at 10 kH/s (within the window's 2 s spacing). */
  CU_ASSERT(b > 20000 && b < 27000);
  /* 15 min: mostly the slow part. */
  CU_ASSERT(c > 1500 && c < 3500);
  /* A young run: the long figures stand in with what there is. */
  struct synth__rate_horizons y;
  synth__rate_horizons_init(&y);
  synth__rate_horizons_sample(&y, 1000 * MS, 0);
  synth__rate_horizons_sample(&y, 2000 * MS, 5000);
  synth__rate_horizons_get(&y, &a, &b, &c);
  CU_ASSERT(fabs(a - 5000) < 1e-6 && fabs(b - 5000) < 1e-6 && fabs(c - 5000) < 1e-6);
  synth__rate_horizons_destroy(&y);
  synth__rate_horizons_destroy(&h);
}

static void test_batch_log_order_gaps_and_percentiles(void)
{
  static struct synth__batch_log log;
  synth__batch_log_init(&log);
  struct synth__batch_entry out[SYNTH_BATCH_LOG_SIZE];
  CU_ASSERT_EQUAL(synth__batch_log_read(&log, 0, out, 8), 0);
  double p50, p95;
  synth__batch_log_latency(&log, 64, &p50, &p95);
  CU_ASSERT(p50 == 0 && p95 == 0);
  for (uint64_t i = 1; i <= 300; i++) {
    struct synth__batch_entry e = {.t_done_ns = i, .size = 10, .nonces = 10, .latency_ns = i};
    CU_ASSERT_EQUAL(synth__batch_log_append(&log, &e), i);
  }
  /* Only the last 256 remain: a reader from 0 starts at 45. */
  size_t n = synth__batch_log_read(&log, 0, out, SYNTH_BATCH_LOG_SIZE);
  CU_ASSERT_EQUAL(n, 256);
  CU_ASSERT_EQUAL(out[0].seq, 45);
  CU_ASSERT_EQUAL(out[255].seq, 300);
  CU_ASSERT_EQUAL(out[255].latency_ns, 300);
  n = synth__batch_log_read(&log, 298, out, 10);
  CU_ASSERT_EQUAL(n, 2);
  CU_ASSERT_EQUAL(out[0].seq, 299);
  /* The last 64 latencies are 237..300: nearest-rank median 268, 95th 297. */
  synth__batch_log_latency(&log, 64, &p50, &p95);
  CU_ASSERT_EQUAL(p50, 268);
  CU_ASSERT_EQUAL(p95, 297);
  /* Failed and cut-short batches do not count towards latency. */
  struct synth__batch_entry bad = {.size = 10, .nonces = 5, .latency_ns = 1};
  struct synth__batch_entry err = {.size = 10, .nonces = 10, .latency_ns = 1, .status = -6};
  synth__batch_log_append(&log, &bad);
  synth__batch_log_append(&log, &err);
  synth__batch_log_latency(&log, 3, &p50, &p95);
  CU_ASSERT_EQUAL(p50, 300);
}

/* A reader racing the writer never sees a torn entry: every field agrees with its seq. */
struct race {
  struct synth__batch_log log;
  atomic_bool done;
};

static void *race_writer(void *arg)
{
  struct race *r = arg;
  for (uint64_t i = 1; i <= 200000; i++) {
    struct synth__batch_entry e = {
        .t_done_ns = i, .size = i * 3, .nonces = i * 3, .latency_ns = i * 7, .next_batch = i};
    synth__batch_log_append(&r->log, &e);
  }
  atomic_store(&r->done, true);
  return NULL;
}

static void test_batch_log_concurrent_reader(void)
{
  static struct race r;
  synth__batch_log_init(&r.log);
  atomic_init(&r.done, false);
  pthread_t t;
  CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, race_writer, &r), 0);
  static struct synth__batch_entry out[SYNTH_BATCH_LOG_SIZE];
  uint64_t cursor = 0, bad = 0, seen = 0;
  for (;;) {
    /* Done before the read: a read that then finds nothing means everything was seen. */
    bool finished = atomic_load(&r.done);
    size_t n = synth__batch_log_read(&r.log, cursor, out, SYNTH_BATCH_LOG_SIZE);
    for (size_t i = 0; i < n; i++) {
      const struct synth__batch_entry *e = &out[i];
      bad += e->seq <= cursor || e->t_done_ns != e->seq || e->size != 3 * e->seq ||
             e->latency_ns != 7 * e->seq || e->next_batch != e->seq;
      cursor = e->seq;
      seen++;
    }
    if (finished && n == 0)
      break;
  }
  pthread_join(t, NULL);
  CU_ASSERT_EQUAL(bad, 0);
  CU_ASSERT(seen > 0);
  CU_ASSERT_EQUAL(cursor, 200000);
}

static void test_tuner_follows_speed(void)
{
  struct synth__tuner t;
  synth__tuner_init(&t, 0.005, 4096, 1ull << 31);
  CU_ASSERT_EQUAL(synth__tuner_batch(&t), 4096);
  for (int i = 0; i < 30; i++) /* 10 MH/s: 5 ms is 50000 nonces */
    synth__tuner_observe(&t, synth__tuner_batch(&t),
                         (uint64_t)(synth__tuner_batch(&t) / 10e6 * 1e9));
  uint64_t b = synth__tuner_batch(&t);
  CU_ASSERT(b % 4096 == 0);
  CU_ASSERT(b >= 45056 && b <= 53248);
  for (int i = 0; i < 30; i++) /* slowed to 1 MH/s */
    synth__tuner_observe(&t, synth__tuner_batch(&t),
                         (uint64_t)(synth__tuner_batch(&t) / 1e6 * 1e9));
  CU_ASSERT_EQUAL(synth__tuner_batch(&t), 4096); /* 5000 rounds down to one unit */
  synth__tuner_observe(&t, 0, 1000);             /* empty batches are ignored */
  synth__tuner_observe(&t, 1000, 0);
  CU_ASSERT_EQUAL(synth__tuner_batch(&t), 4096);
  for (int i = 0; i < 100; i++) /* absurdly fast: clamped */
    synth__tuner_observe(&t, 1ull << 40, 1000);
  CU_ASSERT_EQUAL(synth__tuner_batch(&t), 1ull << 31);
}

/* Feeds batches of a device at rate H/s; returns the last batch's latency in seconds. */
static double run_tuner(struct synth__tuner *t, double rate, int batches)
{
  double lat = 0;
  for (int i = 0; i < batches; i++) {
    uint64_t b = synth__tuner_batch(t);
    lat = (double)b / rate;
    synth__tuner_observe(t, b, (uint64_t)(lat * 1e9));
  }
  return lat;
}

/* After a step in speed, batches are back within the band in a handful of batches, either
 * way, and the tuner reports itself settled there. */
static void test_tuner_step_convergence(void)
{
  struct synth__tuner t;
  synth__tuner_init(&t, 0.050, 1u << 18, 1ull << 31);
  run_tuner(&t, 4e9, 40); /* a 4 GH/s GPU: 200 M nonces per 50 ms */
  CU_ASSERT(synth__tuner_settled(&t));
  CU_ASSERT(fabs(run_tuner(&t, 4e9, 1) / 0.050 - 1) < 0.02);
  for (int dir = 0; dir < 2; dir++) {
    double rate = dir == 0 ? 1e9 : 4e9; /* throttled to a quarter, then back */
    int k = 0;
    while (fabs(run_tuner(&t, rate, 1) / 0.050 - 1) > SYNTH_TUNER_BAND && k < 100)
      k++;
    CU_ASSERT(k <= 5); /* a 4x step back in the band within five batches */
  }
  /* Warm-up: one absurd first measurement (a timer glitch) costs one oversized batch, no
   * more: the clamp holds that batch at the device's limit, and its measurement, weighted by
   * the time it took, outweighs the glitch at once (an average of per-batch rates would not). */
  synth__tuner_restart(&t);
  CU_ASSERT_EQUAL(synth__tuner_batch(&t), 1u << 18);
  synth__tuner_observe(&t, 1u << 18, 1000); /* 262 T H/s */
  CU_ASSERT_EQUAL(synth__tuner_batch(&t), 1ull << 31);
  CU_ASSERT(run_tuner(&t, 4e9, 1) > 10 * 0.050); /* the oversized one */
  CU_ASSERT(fabs(run_tuner(&t, 4e9, 1) / 0.050 - 1) < SYNTH_TUNER_BAND);
  CU_ASSERT(fabs(synth__tuner_rate(&t) / 4e9 - 1) < 0.01);
}

static void test_tuner_shrink_back_off_restart(void)
{
  struct synth__tuner t;
  synth__tuner_init(&t, 0.050, 4096, 1ull << 31);
  run_tuner(&t, 1e9, 40);
  uint64_t b = synth__tuner_batch(&t);
  CU_ASSERT(b > 40000000);
  /* An oversized batch failed: the max falls below it, and stays down. */
  CU_ASSERT_TRUE(synth__tuner_shrink(&t, b));
  CU_ASSERT(synth__tuner_batch(&t) <= b / 2);
  run_tuner(&t, 1e9, 40);
  CU_ASSERT(synth__tuner_batch(&t) <= b / 2);
  CU_ASSERT_TRUE(synth__tuner_settled(&t));       /* at the clamp: as close as it gets */
  CU_ASSERT_FALSE(synth__tuner_shrink(&t, 4096)); /* one unit: nothing smaller */
  /* Backing off halves and holds; release lets it grow back to the clamp. */
  uint64_t before = synth__tuner_batch(&t);
  synth__tuner_back_off(&t);
  CU_ASSERT(synth__tuner_batch(&t) <= before / 2);
  run_tuner(&t, 1e9, 20);
  CU_ASSERT(synth__tuner_batch(&t) <= before / 2);
  synth__tuner_release(&t);
  run_tuner(&t, 1e9, 20);
  CU_ASSERT_EQUAL(synth__tuner_batch(&t), before);
}

static struct synth__health_config health_cfg(void)
{
  struct synth__health_config c = {.retry_ns = 1000 * MS, .sick_limit = 3};
  synth__health_config_defaults(&c);
  return c;
}

static void test_health_error_rate_backs_off_and_recovers(void)
{
  struct synth__health_config cfg = health_cfg();
  struct synth__health h;
  synth__health_init(&h);
  uint64_t t = 1000 * MS;
  CU_ASSERT_EQUAL(synth__health_batch(&h, &cfg, 0, false, t), SYNTH__HEALTH_CARRY_ON);
  CU_ASSERT_EQUAL(synth__health_state(&h), SYNTH_DEVICE_TUNING);
  synth__health_batch(&h, &cfg, 0, true, t);
  CU_ASSERT_EQUAL(synth__health_state(&h), SYNTH_DEVICE_OK);
  /* One failure in twenty is at the 5 % limit, not above: no back-off. */
  CU_ASSERT_EQUAL(synth__health_batch(&h, &cfg, SYNTH_EDEVICE, true, t), SYNTH__HEALTH_CARRY_ON);
  CU_ASSERT_EQUAL(synth__health_state(&h), SYNTH_DEVICE_OK);
  /* A second one soon after is above it: halve. */
  CU_ASSERT_EQUAL(synth__health_batch(&h, &cfg, SYNTH_EDEVICE, true, t), SYNTH__HEALTH_BACK_OFF);
  CU_ASSERT_EQUAL(synth__health_state(&h), SYNTH_DEVICE_BACKING_OFF);
  int good = 0;
  enum synth__health_action a = SYNTH__HEALTH_CARRY_ON;
  while (a != SYNTH__HEALTH_RELEASE && good < 100) {
    a = synth__health_batch(&h, &cfg, 0, true, t);
    good++;
  }
  CU_ASSERT_EQUAL(a, SYNTH__HEALTH_RELEASE);
  CU_ASSERT(good > 5); /* hysteresis: well under the limit first */
  CU_ASSERT(atomic_load(&h.error_rate) <= cfg.error_rate_limit / 2);
  synth__health_batch(&h, &cfg, 0, true, t);
  CU_ASSERT_EQUAL(synth__health_state(&h), SYNTH_DEVICE_OK);
}

static void test_health_sick_probe_recover_and_take_out(void)
{
  struct synth__health_config cfg = health_cfg();
  struct synth__health h;
  synth__health_init(&h);
  uint64_t t = 1000 * MS;
  CU_ASSERT_EQUAL(synth__health_overrun(&h, &cfg, t), SYNTH__HEALTH_SICK);
  CU_ASSERT_EQUAL(synth__health_state(&h), SYNTH_DEVICE_SICK);
  /* A batch given up on that comes back late says nothing. */
  CU_ASSERT_EQUAL(synth__health_batch(&h, &cfg, 0, true, t + MS), SYNTH__HEALTH_CARRY_ON);
  CU_ASSERT_EQUAL(synth__health_state(&h), SYNTH_DEVICE_SICK);
  CU_ASSERT_FALSE(synth__health_probe_due(&h, &cfg, t + 999 * MS));
  CU_ASSERT_TRUE(synth__health_probe_due(&h, &cfg, t + 1000 * MS));
  synth__health_probe_started(&h);
  CU_ASSERT_FALSE(synth__health_probe_due(&h, &cfg, t + 2000 * MS));
  CU_ASSERT_EQUAL(synth__health_batch(&h, &cfg, 0, false, t + 1001 * MS), SYNTH__HEALTH_RECOVERED);
  CU_ASSERT_EQUAL(synth__health_state(&h), SYNTH_DEVICE_TUNING);
  /* Sick again soon: the strikes add up; a failed probe is one more; the third is out. */
  t += 2000 * MS;
  CU_ASSERT_EQUAL(synth__health_overrun(&h, &cfg, t), SYNTH__HEALTH_SICK);
  synth__health_probe_started(&h);
  CU_ASSERT_EQUAL(synth__health_batch(&h, &cfg, SYNTH_EDEVICE, false, t + 1000 * MS),
                  SYNTH__HEALTH_TAKE_OUT);
  CU_ASSERT_EQUAL(synth__health_state(&h), SYNTH_DEVICE_OUT);
  CU_ASSERT_EQUAL(atomic_load(&h.sick_count), 3);
  CU_ASSERT_EQUAL(synth__health_overrun(&h, &cfg, t), SYNTH__HEALTH_CARRY_ON);

  /* A device that stays healthy for a minute after recovering starts with a clean slate. */
  synth__health_init(&h);
  t = 1000 * MS;
  synth__health_overrun(&h, &cfg, t);
  synth__health_probe_started(&h);
  synth__health_batch(&h, &cfg, 0, false, t);
  synth__health_overrun(&h, &cfg, t);
  synth__health_probe_started(&h);
  synth__health_batch(&h, &cfg, 0, false, t);
  synth__health_batch(&h, &cfg, 0, true, t + SYNTH_HEALTHY_RESET_NS + MS);
  CU_ASSERT_EQUAL(synth__health_overrun(&h, &cfg, t + SYNTH_HEALTHY_RESET_NS + 2 * MS),
                  SYNTH__HEALTH_SICK);

  /* Failing every batch: sick after the streak, even without an overrun. */
  synth__health_init(&h);
  enum synth__health_action a = SYNTH__HEALTH_CARRY_ON;
  unsigned n = 0;
  while (a != SYNTH__HEALTH_SICK && n < 100) {
    a = synth__health_batch(&h, &cfg, SYNTH_EDEVICE, false, t);
    n++;
  }
  CU_ASSERT_EQUAL(n, cfg.fail_streak);
}

static void test_health_deadline(void)
{
  struct synth__health_config cfg = health_cfg();                       /* factor 10, floor 2 s */
  CU_ASSERT_EQUAL(synth__health_deadline_ns(&cfg, 1000, 0), 2000 * MS); /* not measured yet */
  CU_ASSERT_EQUAL(synth__health_deadline_ns(&cfg, 100000, 1e6), 2000 * MS); /* 0.1 s x 10 */
  uint64_t d = synth__health_deadline_ns(&cfg, 1000000, 1e6 / 3);           /* 3 s x 10 */
  CU_ASSERT(d > 29999 * MS && d < 30001 * MS);
}

/* A finished batch is judged against its target, not its speed: past factor x target and the
 * floor it is late; one a switch cut short is never judged, a failed one is. */
static void test_health_late_against_target(void)
{
  struct synth__health_config cfg = health_cfg(); /* factor 10, floor 2 s */
  CU_ASSERT_EQUAL(synth__health_latency_limit_ns(&cfg, 0.005), 2000 * MS); /* 50 ms: the floor */
  CU_ASSERT_EQUAL(synth__health_latency_limit_ns(&cfg, 0.5), 5000 * MS);
  CU_ASSERT_FALSE(synth__health_late(&cfg, 0.005, 2000 * MS, 0, 100, 100));
  CU_ASSERT_TRUE(synth__health_late(&cfg, 0.005, 2001 * MS, 0, 100, 100));
  CU_ASSERT_TRUE(synth__health_late(&cfg, 0.005, 2001 * MS, SYNTH_EDEVICE, 0, 100));
  CU_ASSERT_FALSE(synth__health_late(&cfg, 0.005, 9000 * MS, 0, 50, 100));
  CU_ASSERT_FALSE(synth__health_late(&cfg, 0.5, 4999 * MS, 0, 100, 100));
}

/* The reason is read whole while it is rewritten: every copy is one of the texts written. */
struct reason_race {
  struct synth__reason r;
  char text[2][SYNTH_REASON_SIZE];
  atomic_bool done;
};

static void *reason_writer(void *arg)
{
  struct reason_race *rr = arg;
  for (int i = 0; i < 200000; i++)
    synth__reason_set(&rr->r, rr->text[i & 1]);
  atomic_store(&rr->done, true);
  return NULL;
}

static void test_reason_read_whole(void)
{
  static struct reason_race rr;
  synth__reason_init(&rr.r);
  char out[SYNTH_REASON_SIZE];
  synth__reason_get(&rr.r, out, sizeof out);
  CU_ASSERT_STRING_EQUAL(out, ""); /* never set */
  snprintf(rr.text[0], sizeof rr.text[0], "a batch took 300 ms against a 5 ms target");
  memset(rr.text[1], 'x', SYNTH_REASON_SIZE - 1); /* the longest that fits */
  rr.text[1][SYNTH_REASON_SIZE - 1] = '\0';
  atomic_init(&rr.done, false);
  pthread_t t;
  CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, reason_writer, &rr), 0);
  unsigned bad = 0, reads = 0;
  for (bool finished = false; !finished; reads++) {
    finished = atomic_load(&rr.done); /* before the read: the last one sees the last text */
    synth__reason_get(&rr.r, out, sizeof out);
    bad += strcmp(out, "") != 0 && strcmp(out, rr.text[0]) != 0 && strcmp(out, rr.text[1]) != 0;
  }
  pthread_join(t, NULL);
  CU_ASSERT_EQUAL(bad, 0);
  CU_ASSERT(reads > 0);
  CU_ASSERT_STRING_EQUAL(out, rr.text[1]);
  char longer[300];
  memset(longer, 'y', sizeof longer - 1);
  longer[sizeof longer - 1] = '\0';
  synth__reason_set(&rr.r, longer); /* cut to what fits */
  synth__reason_get(&rr.r, out, sizeof out);
  CU_ASSERT_EQUAL(strlen(out), SYNTH_REASON_SIZE - 1);
  char small[6];
  synth__reason_get(&rr.r, small, sizeof small);
  CU_ASSERT_STRING_EQUAL(small, "yyyyy");
}

static void test_counters_single_writer(void)
{
  struct synth__device_counters c;
  synth__device_counters_init(&c);
  for (int i = 0; i < 1000; i++)
    synth__counter_add(&c.nonces, 3);
  CU_ASSERT_EQUAL(synth__counter_get(&c.nonces), 3000);
  CU_ASSERT_EQUAL((uintptr_t)&c % 64, 0); /* its own cache line */
}

SYNTH_TEST_MAIN("telemetry", SYNTH_TEST(test_ewma_converges_and_tracks),
                SYNTH_TEST(test_ewma_independent_of_batch_size), SYNTH_TEST(test_window),
                SYNTH_TEST(test_horizons), SYNTH_TEST(test_batch_log_order_gaps_and_percentiles),
                SYNTH_TEST(test_batch_log_concurrent_reader), SYNTH_TEST(test_tuner_follows_speed),
                SYNTH_TEST(test_tuner_step_convergence),
                SYNTH_TEST(test_tuner_shrink_back_off_restart),
                SYNTH_TEST(test_health_error_rate_backs_off_and_recovers),
                SYNTH_TEST(test_health_sick_probe_recover_and_take_out),
                SYNTH_TEST(test_health_deadline), SYNTH_TEST(test_health_late_against_target),
                SYNTH_TEST(test_reason_read_whole), SYNTH_TEST(test_counters_single_writer))
