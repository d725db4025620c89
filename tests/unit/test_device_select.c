/* test_device_select.c: the --devices list: what parses, what is refused, what it selects. */
#include "runtime/device_select.h"
#include "runtime/logger.h"
#include "support/harness.h"
#include "synth/error.h"

static int errors;
static void count_errors(void *user, enum synth_log_level level, const char *msg)
{
  (void)user, (void)msg;
  errors += level == SYNTH_LOG_ERROR;
}
static const struct synth__logger logger = {count_errors, NULL, SYNTH_LOG_DEBUG};

static void test_parses(void)
{
  struct synth__device_selection sel;
  CU_ASSERT_EQUAL(synth__device_selection_parse(NULL, &sel, &logger), 0);
  CU_ASSERT_TRUE(sel.all);
  CU_ASSERT_EQUAL(synth__device_selection_parse("all", &sel, &logger), 0);
  CU_ASSERT_TRUE(sel.all);
  CU_ASSERT_EQUAL(synth__device_selection_parse("cpu,opencl:2,vulkan", &sel, &logger), 0);
  CU_ASSERT_FALSE(sel.all);
  CU_ASSERT_EQUAL(sel.n, 3);
  CU_ASSERT_EQUAL(sel.picks[1].kind, SYNTH_DEVICE_OPENCL);
  CU_ASSERT_EQUAL(sel.picks[1].index, 2);
  CU_ASSERT_EQUAL(sel.picks[2].index, -1);
  CU_ASSERT_TRUE(synth__device_selection_wants(&sel, SYNTH_DEVICE_VULKAN));
  CU_ASSERT_EQUAL(synth__device_selection_parse("opencl:0", &sel, &logger), 0);
  CU_ASSERT_FALSE(synth__device_selection_wants(&sel, SYNTH_DEVICE_CPU));
}

static void test_refuses(void)
{
  static const char *const bad[] = {"gpu",      "cpu:0", "opencl:", "opencl:x", "opencl:1000",
                                    "cpu,,all", ",cpu",  "cpu,",    "CPU",      "opencl:-1",
                                    "all ",     "cpus",  "vulkan1", "opencl::1"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    struct synth__device_selection sel;
    errors = 0;
    CU_ASSERT_EQUAL(synth__device_selection_parse(bad[i], &sel, &logger), SYNTH_EINVAL);
    CU_ASSERT_EQUAL(errors, 1);
  }
}

static void test_matches(void)
{
  struct synth__device_desc cpu_on = {.kind = SYNTH_DEVICE_CPU, .selected = 1};
  struct synth__device_desc cpu_off = {.kind = SYNTH_DEVICE_CPU, .selected = 0};
  struct synth__device_desc cl_cpu = {.kind = SYNTH_DEVICE_OPENCL, .selected = 0};
  struct synth__device_selection sel;
  synth__device_selection_parse("all", &sel, &logger);
  CU_ASSERT_TRUE(synth__device_selection_match(&sel, &cpu_on, 0));
  CU_ASSERT_FALSE(synth__device_selection_match(&sel, &cpu_off, 1));
  CU_ASSERT_FALSE(synth__device_selection_match(&sel, &cl_cpu, 0));
  synth__device_selection_parse("opencl:0", &sel, &logger);
  CU_ASSERT_TRUE(synth__device_selection_match(&sel, &cl_cpu, 0)); /* explicit wins */
  CU_ASSERT_FALSE(synth__device_selection_match(&sel, &cl_cpu, 1));
  CU_ASSERT_FALSE(synth__device_selection_match(&sel, &cpu_on, 0));
}

int main(void)
{
  static const struct synth_test tests[] = {
      SYNTH_TEST(test_parses),
      SYNTH_TEST(test_refuses),
      SYNTH_TEST(test_matches),
      SYNTH_TEST_END,
  };
  return synth_test_run("device_select", tests);
}
