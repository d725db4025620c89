/* harness.c: the CUnit runner every test executable shares, plus small test helpers. */
#include "support/harness.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/hex.h"

static uint64_t rng_state;
static int rng_ready;

uint64_t synth_test_seed(void)
{
  if (!rng_ready) {
    const char *env = getenv("SYNTH_TEST_SEED");
    rng_state = env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL) ^ (uint64_t)clock();
    fprintf(stderr, "random seed: SYNTH_TEST_SEED=%llu\n", (unsigned long long)rng_state);
    rng_ready = 1;
  }
  return rng_state;
}

/* splitmix64: small, fast, and good enough for test inputs. */
uint64_t synth_test_rand(void)
{
  synth_test_seed();
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

void synth_test_fill(void *buf, size_t len)
{
  uint8_t *p = buf;
  for (size_t i = 0; i < len; i++)
    p[i] = (uint8_t)synth_test_rand();
}

int synth_test_unhex(const char *hex, uint8_t *out, size_t max)
{
  size_t len = strlen(hex);
  if (len % 2 || len / 2 > max || synth__unhex(hex, out, len / 2) != 0)
    return -1;
  return (int)(len / 2);
}

int synth_test_run(const char *suite_name, const struct synth_test *tests)
{
  synth_test_seed();
  if (CU_initialize_registry() != CUE_SUCCESS)
    return 1;
  CU_pSuite suite = CU_add_suite(suite_name, NULL, NULL);
  for (const struct synth_test *t = tests; suite && t->name; t++)
    CU_add_test(suite, t->name, t->fn);
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
  unsigned ran = CU_get_number_of_tests_run();
  CU_cleanup_registry();
  return (failed == 0 && ran > 0) ? 0 : 1;
}

uint64_t synth_test_runtime_nonces(synth_runtime *rt)
{
  uint64_t n = 0;
  for (unsigned i = 0; i < synth_runtime_device_count(rt); i++) {
    struct synth_device_stats st;
    synth_runtime_device_stats(rt, i, &st, sizeof st);
    n += st.nonces;
  }
  return n;
}

static void count_cpu(void *user, const struct synth_device_desc *d)
{
  *(unsigned *)user += d->kind == SYNTH_DEVICE_CPU;
}

bool synth_test_cpu_workers(const struct synth_runtime_config *probe, unsigned want,
                            const char *suite)
{
  unsigned cpus = 0;
  if (synth_probe(probe, count_cpu, &cpus) == 0 && cpus >= want)
    return true;
  fprintf(stderr, "%s: needs %u CPU cores, found %u: skipped\n", suite, want, cpus);
  return false;
}

struct synth_device_stats synth_test_device_stats(synth_runtime *rt, unsigned i)
{
  struct synth_device_stats st;
  CU_ASSERT_EQUAL(synth_runtime_device_stats(rt, i, &st, sizeof st), 0);
  return st;
}

synth_work *synth_test_work_whole(synth_runtime *rt, const struct synth_work_config *wc)
{
  synth_work *w;
  CU_ASSERT_EQUAL_FATAL(synth_runtime_submit(rt, wc, &w), 0);
  CU_ASSERT_EQUAL(synth_work_wait(w, (unsigned)(synth_test_patience_s() * 1000)), 0);
  CU_ASSERT_EQUAL(synth_work_hashed(w), wc->end - wc->start);
  return w;
}

double synth_test_now_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void synth_test_sleep_s(double seconds)
{
  struct timespec ts = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
  nanosleep(&ts, NULL);
}

void synth_test_sleep_ms(unsigned ms)
{
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

double synth_test_patience_s(void)
{
  const char *env = getenv("SYNTH_TEST_PATIENCE_S");
  double v = env ? strtod(env, NULL) : 0;
  return v > 0 ? v : 60;
}

static int compare_doubles(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

double synth_test_median(double *v, size_t n)
{
  qsort(v, n, sizeof v[0], compare_doubles);
  return v[n / 2];
}

void synth_test_check_encodings(const struct synth_test_encoding *cases, size_t n,
                                size_t (*encode)(uint64_t value, uint8_t *out))
{
  for (size_t i = 0; i < n; i++) {
    uint8_t want[16], got[16] = {0};
    size_t len = strlen(cases[i].hex) / 2;
    CU_ASSERT_FATAL(len <= sizeof want);
    synth_test_unhex(cases[i].hex, want, len);
    size_t made = encode(cases[i].value, got);
    CU_ASSERT_EQUAL(made, len);
    CU_ASSERT_EQUAL(memcmp(got, want, len), 0);
    if (made != len || memcmp(got, want, len) != 0)
      fprintf(stderr, "\n    %llu: expected %s\n", (unsigned long long)cases[i].value,
              cases[i].hex);
  }
}
