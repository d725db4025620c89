/* test_device_select.c: the --devices list: what parses, what is refused, what it selects,
 * and, on the devices this machine has, what "all" and "everything" take. */
#include <stdio.h>
#include <string.h>

#include "base/logger.h"
#include "runtime/device_probe.h"
#include "runtime/device_select.h"
#include "support/harness.h"
#include "synth/error.h"

static int errors;
static char last_error[256];
static void count_errors(void *user, enum synth_log_level level, const char *msg)
{
  (void)user;
  if (level == SYNTH_LOG_ERROR) {
    errors++;
    snprintf(last_error, sizeof last_error, "%s", msg);
  }
}
static const struct synth__logger logger = {count_errors, NULL, SYNTH_LOG_DEBUG};

static void test_parses(void)
{
  struct synth__device_selection sel;
  CU_ASSERT_EQUAL(synth__device_selection_parse(NULL, &sel, &logger), 0);
  CU_ASSERT_TRUE(sel.all);
  CU_ASSERT_FALSE(sel.host_cpu);
  CU_ASSERT_EQUAL(synth__device_selection_parse("all", &sel, &logger), 0);
  CU_ASSERT_TRUE(sel.all);
  CU_ASSERT_FALSE(sel.host_cpu);
  CU_ASSERT_EQUAL(synth__device_selection_parse("everything", &sel, &logger), 0);
  CU_ASSERT_TRUE(sel.all);
  CU_ASSERT_TRUE(sel.host_cpu);
  CU_ASSERT_EQUAL(sel.n, 0);
  CU_ASSERT_TRUE(synth__device_selection_wants(&sel, SYNTH_DEVICE_OPENCL));
  CU_ASSERT_EQUAL(synth__device_selection_parse("cpu,everything,vulkan:1", &sel, &logger), 0);
  CU_ASSERT_TRUE(sel.host_cpu);
  CU_ASSERT_EQUAL(sel.n, 2);
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
  static const char *const bad[] = {
      "gpu",     "cpu:0",     "opencl:",    "opencl:x",  "opencl:1000",  "cpu,,all",
      ",cpu",    "cpu,",      "CPU",        "opencl:-1", "all ",         "cpus",
      "vulkan1", "opencl::1", "Everything", "everythin", "everything:0", "everythings"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    struct synth__device_selection sel;
    errors = 0;
    CU_ASSERT_EQUAL(synth__device_selection_parse(bad[i], &sel, &logger), SYNTH_EINVAL);
    CU_ASSERT_EQUAL(errors, 1);
  }
  /* The error for a word that is not a device lists every word there is. */
  struct synth__device_selection sel;
  CU_ASSERT_EQUAL(synth__device_selection_parse("gpu", &sel, &logger), SYNTH_EINVAL);
  static const char *const words[] = {"all",    "everything", "cpu",     "opencl",
                                      "vulkan", "opencl:N",   "vulkan:N"};
  for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
    CU_ASSERT_PTR_NOT_NULL(strstr(last_error, words[i]));
}

static void test_matches(void)
{
  struct synth__device_desc cpu_on = {.kind = SYNTH_DEVICE_CPU, .selected = 1};
  struct synth__device_desc cpu_off = {.kind = SYNTH_DEVICE_CPU, .selected = 0};
  struct synth__device_desc cl_cpu = {.kind = SYNTH_DEVICE_OPENCL, .selected = 0, .host_cpu = 1};
  struct synth__device_desc vk_cpu = {.kind = SYNTH_DEVICE_VULKAN, .selected = 0, .host_cpu = 1};
  struct synth__device_desc vk_gpu = {.kind = SYNTH_DEVICE_VULKAN, .selected = 1};
  /* Each device, the index it has among its kind, and whether "all" and "everything" take it:
   * "everything" adds the host-CPU devices, but not CPU workers beyond --threads. */
  const struct {
    const struct synth__device_desc *desc;
    int index;
    bool all, everything;
  } cases[] = {
      {&cpu_on, 0, true, true},  {&cpu_off, 1, false, false}, {&cl_cpu, 0, false, true},
      {&vk_cpu, 0, false, true}, {&vk_gpu, 1, true, true},
  };
  struct synth__device_selection all, everything, sel;
  synth__device_selection_parse("all", &all, &logger);
  synth__device_selection_parse("everything", &everything, &logger);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    CU_ASSERT_EQUAL(synth__device_selection_match(&all, cases[i].desc, cases[i].index),
                    cases[i].all);
    CU_ASSERT_EQUAL(synth__device_selection_match(&everything, cases[i].desc, cases[i].index),
                    cases[i].everything);
  }
  synth__device_selection_parse("opencl:0", &sel, &logger);
  CU_ASSERT_TRUE(synth__device_selection_match(&sel, &cl_cpu, 0)); /* explicit wins */
  CU_ASSERT_FALSE(synth__device_selection_match(&sel, &cl_cpu, 1));
  CU_ASSERT_FALSE(synth__device_selection_match(&sel, &cpu_on, 0));
}

struct host_cpu_count {
  size_t found, selected; /* OpenCL/Vulkan devices on the host CPU, and how many hash */
  size_t others;          /* the other devices that hash */
};

/* Probes this machine's devices with spec and counts what it selects. */
static struct host_cpu_count probe_host_cpu(const char *spec)
{
  struct synth_runtime_config cfg = {.devices = spec, .device_options = "cpu.threads=1"};
  struct synth__probe_set set;
  struct host_cpu_count c = {0, 0, 0};
  CU_ASSERT_EQUAL_FATAL(synth__probe_devices(&cfg, &logger, &set), 0);
  for (size_t b = 0; b < set.n; b++) {
    for (size_t i = 0; i < set.items[b].descs.count; i++) {
      const struct synth__device_desc *d = &set.items[b].descs.items[i];
      c.found += d->host_cpu ? 1 : 0;
      c.selected += d->host_cpu && d->selected ? 1 : 0;
      c.others += !d->host_cpu && d->selected ? 1 : 0;
    }
  }
  synth__probe_set_free(&set);
  return c;
}

/* PoCL and lavapipe (the test command installs both) are what "everything" adds to "all",
 * while the native CPU worker runs; every other device hashes with both words alike. */
static void test_everything_takes_host_cpu_devices(void)
{
  struct host_cpu_count all = probe_host_cpu("all");
  struct host_cpu_count everything = probe_host_cpu("everything");
  CU_ASSERT_EQUAL(all.found, everything.found);
  CU_ASSERT_EQUAL(all.selected, 0);
  CU_ASSERT_EQUAL(everything.selected, everything.found);
  CU_ASSERT_EQUAL(all.others, everything.others);
  CU_ASSERT(all.others >= 1); /* the CPU worker */
  if (everything.found == 0)
    fprintf(stderr, "note: no OpenCL or Vulkan device on the host CPU here (PoCL, lavapipe)\n");
}

/* The registry is the one list of backends: each has its own kind and name, and the kind's name
 * is the backend's (what a new backend's folder relies on: no other list names it). */
static void test_registry_kinds(void)
{
  size_t n = 0;
  for (; n < SYNTH_MAX_BACKENDS && synth__device_backends[n]; n++) {
    const struct synth__device_ops *ops = synth__device_backends[n];
    CU_ASSERT_PTR_NOT_NULL_FATAL(ops->name);
    CU_ASSERT_STRING_EQUAL(synth_device_kind_name(ops->kind), ops->name);
    for (size_t j = 0; j < n; j++) {
      CU_ASSERT_NOT_EQUAL(synth__device_backends[j]->kind, ops->kind);
      CU_ASSERT(strcmp(synth__device_backends[j]->name, ops->name) != 0);
    }
  }
  CU_ASSERT(n >= 1);
  CU_ASSERT_PTR_NULL(synth__device_backends[n]);
  CU_ASSERT_STRING_EQUAL(synth_device_kind_name((enum synth_device_kind)200), "unknown");
}

SYNTH_TEST_MAIN("device_select", SYNTH_TEST(test_parses), SYNTH_TEST(test_refuses),
                SYNTH_TEST(test_matches), SYNTH_TEST(test_everything_takes_host_cpu_devices),
                SYNTH_TEST(test_registry_kinds))
