/* harness.h: the CUnit runner every test executable shares, plus small test helpers. */
#ifndef SYNTH_TESTS_HARNESS_H
#define SYNTH_TESTS_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <CUnit/CUnit.h>

#include "synth/runtime.h"

struct synth_test {
  const char *name;
  void (*fn)(void);
};

#define SYNTH_TEST(fn)                                                                             \
  {                                                                                                \
#fn, fn                                                                                        \
  }
#define SYNTH_TEST_END                                                                             \
  {                                                                                                \
    NULL, NULL                                                                                     \
  }

/* Exit status that ctest counts as "skipped": the hardware a suite needs is missing. */
#define SYNTH_TEST_SKIP 77

/* Runs one suite. Returns 0 when every test passed, 1 otherwise (for main's return). */
int synth_test_run(const char *suite, const struct synth_test *tests);

/* The list of the SYNTH_TEST(fn) entries given, SYNTH_TEST_END added: the argument of
 * synth_test_run (and gpu_suite_main) for a main that does more than run its suite. */
#define SYNTH_TESTS(...) ((const struct synth_test[]){__VA_ARGS__, SYNTH_TEST_END})

/* A test executable's whole main: runs the SYNTH_TEST(fn) entries given as the suite @suite. */
#define SYNTH_TEST_MAIN(suite, ...)                                                                \
  int main(void)                                                                                   \
  {                                                                                                \
    return synth_test_run(suite, SYNTH_TESTS(__VA_ARGS__));                                        \
  }

/* A fresh, seeded PRNG stream; the seed (from SYNTH_TEST_SEED or the clock) is printed so a
 * failure can be replayed. */
uint64_t synth_test_seed(void);
uint64_t synth_test_rand(void);
void synth_test_fill(void *buf, size_t len);

/* Nonces every device of a runtime has hashed, summed. */
uint64_t synth_test_runtime_nonces(synth_runtime *rt);

/* Whether a runtime made with @probe would have at least @want CPU workers, each on a core of
 * its own; when not, says on stderr that @suite is skipped (main then returns SYNTH_TEST_SKIP). */
bool synth_test_cpu_workers(const struct synth_runtime_config *probe, unsigned want,
                            const char *suite);

/* Device @i's stats, their reading asserted. */
struct synth_device_stats synth_test_device_stats(synth_runtime *rt, unsigned i);

/* Submits @wc to @rt and waits, with the patience, for it to finish: status 0 and the whole range
 * hashed. Returns the work for the caller's own checks; the caller releases it. */
synth_work *synth_test_work_whole(synth_runtime *rt, const struct synth_work_config *wc);

/* Hex string (even length) to bytes; returns the byte count, or -1 on bad input. */
int synth_test_unhex(const char *hex, uint8_t *out, size_t max);

/* A value and the bytes (hex) an encoder must make of it, for tables of encoding cases. */
struct synth_test_encoding {
  uint64_t value;
  const char *hex;
};
/* Asserts that encode(value, out) writes exactly each case's bytes (at most 16) and returns their
 * count; a failing case is printed. */
void synth_test_check_encodings(const struct synth_test_encoding *cases, size_t n,
                                size_t (*encode)(uint64_t value, uint8_t *out));

/* Monotonic seconds, and sleeps that tests and benchmarks share. */
double synth_test_now_s(void);
void synth_test_sleep_s(double seconds);
void synth_test_sleep_ms(unsigned ms);

/* How long a test waits for an outcome before it calls it missing: generous, so a loaded or
 * sanitized machine that is many times slower still passes, while a real hang still ends well
 * inside ctest's timeout. SYNTH_TEST_PATIENCE_S overrides it. */
double synth_test_patience_s(void);

/* Polls cond (an expression, re-evaluated) every 2 ms until it holds or @seconds pass. Callers
 * then assert cond itself, so a miss says what was missing. Never a fixed sleep: the verdict
 * depends on what happened, not on how fast. */
#define SYNTH_TEST_WAIT_UNTIL(cond, seconds)                                                       \
  do {                                                                                             \
    double synth_test_until_ = synth_test_now_s() + (seconds);                                     \
    while (!(cond) && synth_test_now_s() < synth_test_until_)                                      \
      synth_test_sleep_ms(2);                                                                      \
  } while (0)

/* The same, with the default patience, and asserted: a condition still false at the deadline is
 * a failure (a wait that ran out must not pass quietly). */
#define SYNTH_TEST_WAIT(cond)                                                                      \
  do {                                                                                             \
    double synth_test_until_ = synth_test_now_s() + synth_test_patience_s();                       \
    bool synth_test_met_;                                                                          \
    while (!(synth_test_met_ = (cond)) && synth_test_now_s() < synth_test_until_)                  \
      synth_test_sleep_ms(2);                                                                      \
    CU_assertImplementation(synth_test_met_, __LINE__, "waited in vain for: " #cond, __FILE__, "", \
                            CU_FALSE);                                                             \
  } while (0)

/* Sorts @v (n > 0) in place and returns its median, the upper one for an even @n; v[0] and
 * v[n - 1] are then the minimum and maximum. */
double synth_test_median(double *v, size_t n);

#endif
