/* test_telemetry.c: EWMA, rolling window and tuner arithmetic on scripted samples. */
#include <math.h>

#include "support/harness.h"
#include "telemetry/device_counters.h"
#include "telemetry/hashrate.h"
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
  synth__rate_window_init(&w);
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

static void test_counters_single_writer(void)
{
  struct synth__device_counters c;
  synth__device_counters_init(&c);
  for (int i = 0; i < 1000; i++)
    synth__counter_add(&c.nonces, 3);
  CU_ASSERT_EQUAL(synth__counter_get(&c.nonces), 3000);
  CU_ASSERT_EQUAL((uintptr_t)&c % 64, 0); /* its own cache line */
}

int main(void)
{
  static const struct synth_test tests[] = {
      SYNTH_TEST(test_ewma_converges_and_tracks),
      SYNTH_TEST(test_ewma_independent_of_batch_size),
      SYNTH_TEST(test_window),
      SYNTH_TEST(test_tuner_follows_speed),
      SYNTH_TEST(test_counters_single_writer),
      SYNTH_TEST_END,
  };
  return synth_test_run("telemetry", tests);
}
