/* test_cpu_scan.c: every CPU scan core against the OpenSSL reference, hit for hit. */
#include <stdio.h>
#include <string.h>

#include "precompute/sha256.h"
#include "sha256d/sha256d_cores.h"
#include "sha256d/sha256d_payload.h"
#include "support/fixtures.h"
#include "support/harness.h"

#define MAX_HITS 4096

/* Runs core over the range and requires exactly the reference's hits, in order. */
static void expect_same_hits(const struct synth_cpu_core *core, const uint8_t header[80],
                             const uint8_t target[32], uint32_t start, uint32_t count)
{
  static uint32_t want[MAX_HITS], got[MAX_HITS];
  struct synth__sha256d_payload p;
  synth__sha256d_payload_init(&p, header, target);
  uint32_t n = synth_test_ref_hits(header, target, start, count, want, MAX_HITS);
  atomic_uint epoch = 0;
  struct synth_scan_ctl ctl = {.epoch_now = &epoch, .hits = got, .max_hits = MAX_HITS};
  uint32_t done = core->scan(&p, start, count, &ctl);
  CU_ASSERT_EQUAL(done, count);
  CU_ASSERT_EQUAL(ctl.overflow, 0);
  CU_ASSERT_EQUAL_FATAL(ctl.nhits, n);
  CU_ASSERT_EQUAL(memcmp(got, want, n * sizeof got[0]), 0);
}

/* The core under test, named on the command line. */
static const struct synth_cpu_core *core_under_test;

static void for_each_core(void (*check)(const struct synth_cpu_core *))
{
  check(core_under_test);
}

/* Random headers, a target met by about 1 nonce in 500: dozens of hits per range. */
static void random_headers(const struct synth_cpu_core *core)
{
  for (int round = 0; round < 8; round++) {
    uint8_t header[80], target[32];
    synth_test_fill(header, 80);
    synth_test_easy_target(0xffffffffu / 500, target);
    expect_same_hits(core, header, target, (uint32_t)synth_test_rand(), 20000);
  }
}

/* Real headers of the fixtures with an easy target: the early exit must not drop any. */
static void real_headers_easy(const struct synth_cpu_core *core)
{
  for (size_t i = 0; i < synth_test_block_count; i++) {
    uint8_t header[80], hash[32], target[32];
    synth_test_block_decode(&synth_test_blocks[i], header, hash);
    synth_test_easy_target(0xffffffffu / 300, target);
    expect_same_hits(core, header, target, synth__load_le32(header + 76) - 3000, 6000);
  }
}

/* A target equal to one nonce's hash (met: equal counts) and one below it (missed): the
 * full comparison after the early exit decides on the low words. */
static void planted_boundary(const struct synth_cpu_core *core)
{
  for (int round = 0; round < 20; round++) {
    uint8_t header[80], target[32];
    uint32_t nonce = synth_test_plant(header, target);
    expect_same_hits(core, header, target, nonce - 100, 200);

    synth_test_target_minus_one(target); /* now one below the planted hash */
    expect_same_hits(core, header, target, nonce - 100, 200);
  }
}

/* Lengths around the restart-poll chunk, short ranges, the empty range, and a range ending at
 * the last nonce of a roll. */
static void range_edges(const struct synth_cpu_core *core)
{
  static const uint32_t counts[] = {0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 4095, 4096, 4097, 8193};
  uint8_t header[80], target[32];
  synth_test_fill(header, 80);
  synth_test_easy_target(0xffffffffu / 64, target);
  for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
    expect_same_hits(core, header, target, (uint32_t)synth_test_rand(), counts[i]);
  expect_same_hits(core, header, target, 0xffffffffu - 5000 + 1, 5000);
}

/* Every nonce meets the all-ones target: hits beyond the buffer are counted, not lost. */
static void overflow_counted(const struct synth_cpu_core *core)
{
  uint8_t header[80], target[32];
  synth_test_fill(header, 80);
  memset(target, 0xff, 32);
  struct synth__sha256d_payload p;
  synth__sha256d_payload_init(&p, header, target);
  uint32_t hits[8];
  atomic_uint epoch = 0;
  struct synth_scan_ctl ctl = {.epoch_now = &epoch, .hits = hits, .max_hits = 8};
  CU_ASSERT_EQUAL(core->scan(&p, 1000, 300, &ctl), 300);
  CU_ASSERT_EQUAL(ctl.nhits, 8);
  CU_ASSERT_EQUAL(ctl.overflow, 292);
  for (uint32_t i = 0; i < 8; i++)
    CU_ASSERT_EQUAL(hits[i], 1000 + i);
}

/* A changed epoch stops the scan before it starts the next chunk: done is a prefix. */
static void restart_flag(const struct synth_cpu_core *core)
{
  uint8_t header[80], target[32];
  synth_test_fill(header, 80);
  synth_test_easy_target(0, target);
  struct synth__sha256d_payload p;
  synth__sha256d_payload_init(&p, header, target);
  uint32_t hits[8];
  atomic_uint epoch = 5;
  struct synth_scan_ctl ctl = {.epoch_now = &epoch, .epoch = 4, .hits = hits, .max_hits = 8};
  CU_ASSERT_EQUAL(core->scan(&p, 0, 1u << 20, &ctl), 0);
  ctl.epoch = 5;
  CU_ASSERT_EQUAL(core->scan(&p, 0, 10000, &ctl), 10000);
}

static void test_random_headers(void)
{
  for_each_core(random_headers);
}
static void test_real_headers_easy_target(void)
{
  for_each_core(real_headers_easy);
}
static void test_planted_boundary(void)
{
  for_each_core(planted_boundary);
}
static void test_range_edges(void)
{
  for_each_core(range_edges);
}
static void test_overflow_counted(void)
{
  for_each_core(overflow_counted);
}
static void test_restart_flag(void)
{
  for_each_core(restart_flag);
}

int main(int argc, char **argv)
{
  if (argc != 2) {
    fprintf(stderr, "usage: %s CORE\n", argv[0]);
    return 2;
  }
  for (const struct synth_cpu_core *c = synth__sha256d_cpu_cores; c->scan; c++) {
    if (strcmp(c->name, argv[1]) == 0)
      core_under_test = c;
  }
  if (!core_under_test) { /* not built for this architecture */
    fprintf(stderr, "core %s: not in this build, skipped\n", argv[1]);
    return SYNTH_TEST_SKIP;
  }
  if (core_under_test->supported && !core_under_test->supported()) {
    fprintf(stderr, "core %s: this CPU cannot run it, skipped\n", argv[1]);
    return SYNTH_TEST_SKIP;
  }
  static const struct synth_test tests[] = {
      SYNTH_TEST(test_random_headers),
      SYNTH_TEST(test_real_headers_easy_target),
      SYNTH_TEST(test_planted_boundary),
      SYNTH_TEST(test_range_edges),
      SYNTH_TEST(test_overflow_counted),
      SYNTH_TEST(test_restart_flag),
      SYNTH_TEST_END,
  };
  char suite[64];
  snprintf(suite, sizeof suite, "cpu_scan %s", argv[1]);
  return synth_test_run(suite, tests);
}
