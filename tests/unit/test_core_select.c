/* test_core_select.c: the CPU core self-benchmark (batches, alternation, both clocks) and its
 * ranking cached per CPU model: kept, reused, and measured again when the file does not fit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/cache_file.h"
#include "devices/cpu/core_select.h"
#include "support/harness.h"
#include "support/mix_workload.h"
#include "synth/error.h"

/* The same scan with eight times the work: a core that must rank below the plain one. */
static uint32_t slow_scan(const void *payload, uint32_t start, uint32_t count,
                          struct synth_scan_ctl *ctl)
{
  uint32_t done = 0;
  for (int i = 0; i < 8; i++) {
    ctl->nhits = 0;
    done = mix_scan(payload, start, count, ctl);
  }
  return done;
}

static bool never(void)
{
  return false;
}

static void known_answer(void *payload, struct synth_known_answer *ka)
{
  static const struct mix_job job = {.seed = 0x5eed, .threshold = 0};
  mix_prepare(&job, sizeof job, 0, payload);
  *ka = (struct synth_known_answer){.nonce_start = 0, .count = 1024};
}

static const struct synth_cpu_core cores[] = {{"slow", slow_scan, NULL},
                                              {"fast", mix_scan, NULL},
                                              {"unrunnable", mix_scan, never},
                                              {NULL, NULL, NULL}};
static struct synth_workload workload;
static char dir[64];

static int setup(void)
{
  workload = mix_workload;
  workload.cpu_cores = cores;
  workload.known_answer = known_answer;
  snprintf(dir, sizeof dir, "/tmp/synth-core-select-XXXXXX");
  return mkdtemp(dir) ? 0 : -1;
}

/* The one cache file under dir/cpu, or "" when there is none. */
static void cache_file(char *path, size_t size)
{
  char cmd[160];
  snprintf(cmd, sizeof cmd, "ls %s/cpu/*.bin 2>/dev/null", dir);
  FILE *p = popen(cmd, "r");
  path[0] = '\0';
  if (p && fgets(path, (int)size, p))
    path[strcspn(path, "\n")] = '\0';
  if (p)
    pclose(p);
}

static void test_measure_ranks_every_runnable_core(void)
{
  struct synth__core_speed s[SYNTH__CORES_MAX];
  size_t n = synth__cpu_core_measure(&workload, 30, s, SYNTH__CORES_MAX);
  CU_ASSERT_EQUAL_FATAL(n, 2); /* "unrunnable" is left out */
  CU_ASSERT_STRING_EQUAL(s[0].core->name, "fast");
  CU_ASSERT_STRING_EQUAL(s[1].core->name, "slow");
  CU_ASSERT(s[0].hps > s[1].hps && s[1].hps > 0);
  CU_ASSERT(s[0].hps_wall > 0 && s[1].hps_wall > 0);
  CU_ASSERT_EQUAL(synth__cpu_core_measure(&workload, 30, s, 0), 0);
}

static void choose(const char *model, struct synth__core_choice *c)
{
  struct synth__core_cache cache = {dir, model};
  CU_ASSERT_EQUAL_FATAL(synth__cpu_core_choose(&workload, NULL, &cache, NULL, c), 0);
  CU_ASSERT_STRING_EQUAL(c->core->name, "fast");
}

static void test_ranking_cached_per_model(void)
{
  struct synth__core_choice first, again, other;
  choose("model A", &first);
  CU_ASSERT_FALSE(first.cached);
  CU_ASSERT_PTR_NOT_NULL(strstr(first.why, "measured now"));
  char path[256];
  cache_file(path, sizeof path);
  CU_ASSERT_FATAL(path[0] != '\0');
  choose("model A", &again);
  CU_ASSERT_TRUE(again.cached);
  CU_ASSERT_PTR_NOT_NULL(strstr(again.why, "cached for this CPU model"));
  /* the same figures as measured, from the file */
  CU_ASSERT_STRING_EQUAL(strchr(first.why, ':'), strchr(again.why, ':'));
  choose("model B", &other);
  CU_ASSERT_FALSE(other.cached); /* another CPU measures for itself */
  /* No folder: measured every time, nothing written. */
  struct synth__core_choice none;
  CU_ASSERT_EQUAL(synth__cpu_core_choose(&workload, "auto", NULL, NULL, &none), 0);
  CU_ASSERT_FALSE(none.cached);
}

/* A file that does not fit is not believed: measured again, and the file rewritten. */
static void test_bad_cache_files_measured_again(void)
{
  static const char *const bad[] = {
      "",
      "garbage\n",
      "synth-cpu-cores 1\nfast 2e6 2e6\n",                     /* a core missing */
      "synth-cpu-cores 1\nfast 2e6 2e6\nturbo 1e6 1e6\n",      /* one this table lacks */
      "synth-cpu-cores 1\nfast 2e6 2e6\nunrunnable 1e6 1e6\n", /* one this CPU cannot run */
      "synth-cpu-cores 1\nslow 1e6 1e6\nfast 2e6 2e6\n",       /* not fastest first */
      "synth-cpu-cores 1\nfast 2e6 2e6\nfast 1e6 1e6\n",       /* twice */
      "synth-cpu-cores 1\nfast nan 2e6\nslow 1e6 1e6\n",       /* not a rate */
      "synth-cpu-cores 2\nfast 2e6 2e6\nslow 1e6 1e6\n",       /* another format */
  };
  struct synth__core_choice c;
  choose("model C", &c);
  char path[256];
  cache_file(path, sizeof path);
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    CU_ASSERT_EQUAL(synth__cache_write(path, bad[i], strlen(bad[i])), 0);
    choose("model C", &c);
    CU_ASSERT_FALSE(c.cached);
    choose("model C", &c); /* rewritten by the measurement */
    CU_ASSERT_TRUE(c.cached);
  }
  /* A well-formed file is believed as it stands, even where it ranks slow first. */
  const char *slow_first = "synth-cpu-cores 1\nslow 3e6 3e6\nfast 2e6 2e6\n";
  CU_ASSERT_EQUAL(synth__cache_write(path, slow_first, strlen(slow_first)), 0);
  struct synth__core_cache cache = {dir, "model C"};
  CU_ASSERT_EQUAL(synth__cpu_core_choose(&workload, NULL, &cache, NULL, &c), 0);
  CU_ASSERT_TRUE(c.cached);
  CU_ASSERT_STRING_EQUAL(c.core->name, "slow");
}

static void test_named_core(void)
{
  struct synth__core_choice c;
  CU_ASSERT_EQUAL(synth__cpu_core_choose(&workload, "slow", NULL, NULL, &c), 0);
  CU_ASSERT_STRING_EQUAL(c.core->name, "slow");
  CU_ASSERT_EQUAL(synth__cpu_core_choose(&workload, "unrunnable", NULL, NULL, &c), SYNTH_EINVAL);
  CU_ASSERT_EQUAL(synth__cpu_core_choose(&workload, "turbo", NULL, NULL, &c), SYNTH_EINVAL);
}

int main(void)
{
  if (setup() != 0)
    return 1;
  int rc =
      synth_test_run("core_select", SYNTH_TESTS(SYNTH_TEST(test_measure_ranks_every_runnable_core),
                                                SYNTH_TEST(test_ranking_cached_per_model),
                                                SYNTH_TEST(test_bad_cache_files_measured_again),
                                                SYNTH_TEST(test_named_core)));
  char cmd[96];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  if (system(cmd) != 0)
    rc = rc ? rc : 1;
  return rc;
}
