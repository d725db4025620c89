/* test_cpu_scan.c: every CPU scan core against the OpenSSL reference, hit for hit. */
#include <stdio.h>
#include <string.h>

#include "precompute/sha256.h"
#include "sha256d/sha256d_cores.h"
#include "sha256d/sha256d_payload.h"
#include "support/block100000.h"
#include "support/fixtures.h"
#include "support/harness.h"
#include "synth/synth.h"

#define MAX_HITS 4096

/* Runs core over the range with a fresh ctl: every nonce hashed, no hit lost. Returns the hits
 * stored in got (at most MAX_HITS). */
static uint32_t scan_range(const struct synth_cpu_core *core, const uint8_t header[80],
                           const uint8_t target[32], uint32_t start, uint32_t count, uint32_t *got)
{
  struct synth__sha256d_payload p;
  synth__sha256d_payload_init(&p, header, target);
  atomic_uint epoch = 0;
  struct synth_scan_ctl ctl = {.epoch_now = &epoch, .hits = got, .max_hits = MAX_HITS};
  uint32_t done = core->scan(&p, start, count, &ctl);
  CU_ASSERT_EQUAL(done, count);
  CU_ASSERT_EQUAL(ctl.overflow, 0);
  return ctl.nhits;
}

/* Runs core over the range and requires exactly the reference's hits, in order. */
static void expect_same_hits(const struct synth_cpu_core *core, const uint8_t header[80],
                             const uint8_t target[32], uint32_t start, uint32_t count)
{
  static uint32_t want[MAX_HITS], got[MAX_HITS];
  uint32_t n = synth_test_ref_hits(header, target, start, count, want, MAX_HITS);
  CU_ASSERT_EQUAL_FATAL(scan_range(core, header, target, start, count, got), n);
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

/* Lengths around each core's step (1, 4, 8, 10, 16, 18, 32 nonces) and restart-poll chunk
 * (4096 rounded down to whole steps: 4096, 4090, 4086), short ranges, the empty range, and a
 * range ending at the last nonce of a roll. */
static void range_edges(const struct synth_cpu_core *core)
{
  static const uint32_t counts[] = {0,    1,    2,    3,    7,    8,    9,    15,   16,
                                    17,   31,   32,   33,   63,   64,   65,   97,   4085,
                                    4086, 4087, 4089, 4090, 4091, 4095, 4096, 4097, 8193};
  uint8_t header[80], target[32];
  synth_test_fill(header, 80);
  synth_test_easy_target(0xffffffffu / 64, target);
  for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
    expect_same_hits(core, header, target, (uint32_t)synth_test_rand(), counts[i]);
  expect_same_hits(core, header, target, 0xffffffffu - 5000 + 1, 5000);
}

/* The block's own nonce and nothing else, with the target of its own nbits, in a window that
 * starts `before` nonces ahead of it (so the nonce lands in a different lane per block): real
 * headers at real difficulty, where the early exit on H7 rejects almost everything. Block
 * 100000's header is also built from its fields (support/block100000.h). */
static void expect_block_nonce(const struct synth_cpu_core *core, const uint8_t header[80],
                               uint32_t before)
{
  static uint32_t got[MAX_HITS];
  uint8_t target[32];
  CU_ASSERT_EQUAL_FATAL(synth_target_from_nbits(synth__load_le32(header + 72), target), 0);
  uint32_t nonce = synth__load_le32(header + 76);
  uint32_t start = nonce - before; /* wraps for small nonces: still one contiguous range */
  CU_ASSERT_EQUAL_FATAL(scan_range(core, header, target, start, 4099, got), 1);
  CU_ASSERT_EQUAL(got[0], nonce);
}

static void real_blocks_own_target(const struct synth_cpu_core *core)
{
  uint32_t i = 0;
  for (; i < synth_test_block_count; i++) {
    uint8_t header[80], hash[32];
    synth_test_block_decode(&synth_test_blocks[i], header, hash);
    expect_block_nonce(core, header, 2048 + i * 13 % 64);
  }
  uint8_t header[80];
  synth_test_b100000_header(header);
  expect_block_nonce(core, header, 2048 + i * 13 % 64);
}

/* Every nonce meets the all-ones target: the hits are the range itself, so a lane past its end
 * (which would hash a nonce wrapped past 0xFFFFFFFF) or a lane left out shows. Ranges shorter
 * than one step, around step multiples, at a random start and ending at the top of the nonce. */
static void every_nonce_hits(const struct synth_cpu_core *core)
{
  static const uint32_t counts[] = {1, 2, 5, 15, 16, 17, 18, 31, 32, 33, 63, 64, 65, 100};
  static uint32_t got[MAX_HITS];
  uint8_t header[80], target[32];
  synth_test_fill(header, 80);
  memset(target, 0xff, 32);
  for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
    uint32_t starts[] = {(uint32_t)synth_test_rand(), 0xffffffffu - counts[i] + 1, 0};
    for (size_t j = 0; j < sizeof starts / sizeof starts[0]; j++) {
      uint32_t n = scan_range(core, header, target, starts[j], counts[i], got);
      CU_ASSERT_EQUAL_FATAL(n, counts[i]);
      for (uint32_t k = 0; k < n; k++)
        CU_ASSERT_EQUAL(got[k], starts[j] + k);
    }
  }
}

/* A roll's last nonces, the next roll's first (ntime + 1: a new payload) and the first roll
 * again: nothing of one scan call's state may reach the next. */
static void roll_edges(const struct synth_cpu_core *core)
{
  uint8_t header[80], rolled[80], target[32];
  synth_test_fill(header, 80);
  memcpy(rolled, header, 80);
  synth__store_le32(rolled + 68, synth__load_le32(header + 68) + 1);
  synth_test_easy_target(0xffffffffu / 16, target);
  expect_same_hits(core, header, target, 0xffffffffu - 299, 300);
  expect_same_hits(core, rolled, target, 0, 300);
  expect_same_hits(core, header, target, 0xffffffffu - 299, 300);
  expect_same_hits(core, rolled, target, 0xffffffffu - 40, 41);
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
static void test_real_blocks_own_target(void)
{
  for_each_core(real_blocks_own_target);
}
static void test_every_nonce_hits(void)
{
  for_each_core(every_nonce_hits);
}
static void test_roll_edges(void)
{
  for_each_core(roll_edges);
}
static void test_overflow_counted(void)
{
  for_each_core(overflow_counted);
}
static void test_restart_flag(void)
{
  for_each_core(restart_flag);
}

/* --covers NAME...: every core in the table is among the names ctest runs this test with, so
 * a core added to the table cannot go untested. */
static int check_covers(int argc, char **argv)
{
  int missing = 0, cores = 0;
  for (const struct synth_cpu_core *c = synth__sha256d_cpu_cores; c->scan; c++, cores++) {
    int listed = 0;
    for (int i = 2; i < argc; i++)
      listed |= strcmp(c->name, argv[i]) == 0;
    if (!listed) {
      fprintf(stderr, "core %s: in the table but not tested (tests/CMakeLists.txt)\n", c->name);
      missing = 1;
    }
  }
  fprintf(stderr, "%d cores in the table, %s\n", cores, missing ? "not all tested" : "all tested");
  return missing;
}

int main(int argc, char **argv)
{
  if (argc >= 2 && strcmp(argv[1], "--covers") == 0)
    return check_covers(argc, argv);
  if (argc != 2) {
    fprintf(stderr, "usage: %s CORE | --covers CORE...\n", argv[0]);
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
      SYNTH_TEST(test_real_blocks_own_target),
      SYNTH_TEST(test_every_nonce_hits),
      SYNTH_TEST(test_roll_edges),
      SYNTH_TEST(test_overflow_counted),
      SYNTH_TEST(test_restart_flag),
      SYNTH_TEST_END,
  };
  char suite[64];
  snprintf(suite, sizeof suite, "cpu_scan %s", argv[1]);
  return synth_test_run(suite, tests);
}
