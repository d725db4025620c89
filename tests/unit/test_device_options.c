/* test_device_options.c: the backends' own settings ("opencl.lanes=8"): parsed and checked
 * against each backend's option table, messages that name the option, the deprecated fields as
 * aliases, the public listing, and values that reach real devices. */
#include <stdio.h>
#include <string.h>

#include "base/logger.h"
#include "runtime/device_options.h"
#include "support/harness.h"
#include "support/log_capture.h"
#include "synth/error.h"
#include "synth/synth.h"

static const struct synth__logger capture = {log_capture_fn, NULL, SYNTH_LOG_DEBUG};

/* The backend the registry calls kind, or NULL when this build has none. */
static const struct synth__device_ops *backend(const char *kind)
{
  int b = synth__device_backend_index(kind, strlen(kind));
  return b < 0 ? NULL : synth__device_backends[b];
}

/* The parsed value of kind.name, found through the backend's own table. */
static const struct synth__option_value *value_of(const struct synth__device_options *opts,
                                                  const char *kind, const char *name)
{
  int b = synth__device_backend_index(kind, strlen(kind));
  CU_ASSERT_FATAL(b >= 0);
  const struct synth__device_option *o = synth__device_backends[b]->options;
  for (size_t i = 0; o && o[i].name; i++) {
    if (strcmp(o[i].name, name) == 0)
      return &opts->values[b][i];
  }
  CU_FAIL_FATAL("no such option in the backend's table");
  return NULL;
}

static int parse(const struct synth_runtime_config *cfg, struct synth__device_options *opts)
{
  log_capture_clear();
  int rc = synth__device_options_parse(cfg, &capture, opts);
  synth__device_options_free(opts);
  return rc;
}

static void test_good_values(void)
{
  struct synth__device_options o;
  struct synth_runtime_config cfg = {.device_options =
                                         "cpu.threads=2,cpu.affinity=0,2-3,cpu.core=generic"};
  CU_ASSERT_EQUAL_FATAL(parse(&cfg, &o), 0);
  CU_ASSERT_TRUE(value_of(&o, "cpu", "threads")->set);
  CU_ASSERT_EQUAL(value_of(&o, "cpu", "threads")->number, 2);
  CU_ASSERT_TRUE(value_of(&o, "cpu", "affinity")->set);
  CU_ASSERT_TRUE(value_of(&o, "cpu", "core")->set);
  /* The texts point into the freed copy now: re-parse to read them while they live. */
  CU_ASSERT_EQUAL_FATAL(synth__device_options_parse(&cfg, &capture, &o), 0);
  CU_ASSERT_STRING_EQUAL(value_of(&o, "cpu", "affinity")->text, "0,2-3"); /* commas kept */
  CU_ASSERT_STRING_EQUAL(value_of(&o, "cpu", "core")->text, "generic");
  synth__device_options_free(&o);

  /* Nothing given: nothing set, every backend keeps its defaults. */
  CU_ASSERT_EQUAL(parse(&(struct synth_runtime_config){.device_options = ""}, &o), 0);
  CU_ASSERT_FALSE(value_of(&o, "cpu", "threads")->set);
  CU_ASSERT_EQUAL(parse(&(struct synth_runtime_config){0}, &o), 0);
  CU_ASSERT_FALSE(value_of(&o, "cpu", "core")->set);

  /* Given twice, the later wins. */
  cfg.device_options = "cpu.threads=3,cpu.threads=1";
  CU_ASSERT_EQUAL(parse(&cfg, &o), 0);
  CU_ASSERT_EQUAL(value_of(&o, "cpu", "threads")->number, 1);

  if (backend("opencl")) {
    cfg.device_options = "opencl.lanes=16,opencl.work_group=64";
    CU_ASSERT_EQUAL(parse(&cfg, &o), 0);
    CU_ASSERT_EQUAL(value_of(&o, "opencl", "lanes")->number, 16);
    CU_ASSERT_EQUAL(value_of(&o, "opencl", "work_group")->number, 64);
    CU_ASSERT_FALSE(value_of(&o, "opencl", "build_options")->set);
  }
  if (backend("vulkan")) {
    cfg.device_options = "vulkan.nonces=64,vulkan.mad_adds=0";
    CU_ASSERT_EQUAL(parse(&cfg, &o), 0);
    CU_ASSERT_EQUAL(value_of(&o, "vulkan", "nonces")->number, 64);
    CU_ASSERT_TRUE(value_of(&o, "vulkan", "mad_adds")->set); /* 0 is a value: none */
    CU_ASSERT_EQUAL(value_of(&o, "vulkan", "mad_adds")->number, 0);
  }
}

/* A list that must be refused, and what its one message must say. */
static void expect_refused(const char *list, const char *message)
{
  struct synth__device_options o;
  CU_ASSERT_EQUAL(parse(&(struct synth_runtime_config){.device_options = list}, &o), SYNTH_EINVAL);
  CU_ASSERT_TRUE(log_capture_has(message));
  if (!log_capture_has(message))
    fprintf(stderr, "\n    '%s' did not log \"%s\"", list, message);
}

static void test_errors_name_the_option(void)
{
  expect_refused("cpu.threads=0", "device option cpu.threads=0: must be a whole number from 1 to");
  expect_refused("cpu.threads=-1", "device option cpu.threads=-1: must be a whole number");
  expect_refused("cpu.threads=1x", "device option cpu.threads=1x: must be a whole number");
  expect_refused("cpu.threads= 1", "device option cpu.threads= 1: must be a whole number");
  expect_refused("cpu.threads=", "device option cpu.threads=: must be a whole number");
  expect_refused("cpu.threads=99999999999999999999999", "cpu.threads=99999999999999999999999: "
                                                        "must be a whole number");
  expect_refused("cpu.threads=1,cpu.threads=4097", "device option cpu.threads=4097:");
  expect_refused("cpu.core=", "device option cpu.core=: must be 1 to 63 bytes long");
  expect_refused("cpu.turbo=1", "device option cpu.turbo=1: the cpu backend has no option "
                                "'turbo' (its options: threads, affinity, core)");
  expect_refused("tpu.cores=4", "device option tpu.cores=4: no backend 'tpu' in this build");
  expect_refused("nonsense", "device_options: 'nonsense' is not KIND.OPTION=VALUE");
  expect_refused("threads=1", "device_options: 'threads=1' is not KIND.OPTION=VALUE");
  expect_refused(".threads=1", "'.threads=1' is not KIND.OPTION=VALUE");
  expect_refused("cpu.=1", "'cpu.=1' is not KIND.OPTION=VALUE");
  expect_refused(",cpu.threads=1", "device_options: '' is not KIND.OPTION=VALUE");
  if (backend("opencl")) {
    expect_refused("opencl.lanes=3", "device option opencl.lanes=3: must be 1, 2, 4, 8 or 16");
    expect_refused("opencl.lanes=32", "device option opencl.lanes=32: must be a whole number "
                                      "from 1 to 16");
  }
  if (backend("vulkan")) {
    expect_refused("vulkan.nonces=65", "device option vulkan.nonces=65: must be a whole number "
                                       "from 1 to 64");
    expect_refused("vulkan.mad_adds=8", "device option vulkan.mad_adds=8:");
  }
}

/* The types no built-in option uses yet (int, enum) and the check hook, on a table of the
 * test's own. */
static int check_even(long long v, char *why, size_t size)
{
  if (v % 2 == 0)
    return 0;
  snprintf(why, size, "must be even");
  return SYNTH_EINVAL;
}

static void test_types_and_check(void)
{
  static const char *const modes[] = {"fast", "slow", NULL};
  static const struct synth__device_option table[] = {
      {"level", SYNTH_OPTION_INT, -1, 7, NULL, "0", "a signed knob", NULL},
      {"mode", SYNTH_OPTION_ENUM, 0, 1, modes, "fast", "a choice", NULL},
      {"even", SYNTH_OPTION_UINT, 0, 100, NULL, "0", "a ruled knob", check_even},
      {NULL},
  };
  const struct synth__device_ops fake = {.name = "fake", .options = table};
  struct synth__option_value v[SYNTH_DEVICE_OPTIONS_MAX] = {0};
  CU_ASSERT_EQUAL(synth__device_option_set(&fake, v, "level", "-1", NULL, &capture), 0);
  CU_ASSERT_EQUAL(v[0].number, -1);
  CU_ASSERT_EQUAL(synth__device_option_set(&fake, v, "level", "7", NULL, &capture), 0);
  CU_ASSERT_EQUAL(v[0].number, 7);
  log_capture_clear();
  CU_ASSERT_EQUAL(synth__device_option_set(&fake, v, "level", "-2", NULL, &capture), SYNTH_EINVAL);
  CU_ASSERT_TRUE(log_capture_has("device option fake.level=-2: must be a whole number from -1 "
                                 "to 7"));
  CU_ASSERT_EQUAL(v[0].number, 7); /* a refused value changes nothing */
  CU_ASSERT_EQUAL(synth__device_option_set(&fake, v, "level", "--1", NULL, &capture), SYNTH_EINVAL);

  CU_ASSERT_EQUAL(synth__device_option_set(&fake, v, "mode", "slow", NULL, &capture), 0);
  CU_ASSERT_TRUE(v[1].set);
  CU_ASSERT_EQUAL(v[1].number, 1);
  log_capture_clear();
  CU_ASSERT_EQUAL(synth__device_option_set(&fake, v, "mode", "medium", "fake_mode", &capture),
                  SYNTH_EINVAL);
  CU_ASSERT_TRUE(
      log_capture_has("device option fake.mode=medium (from fake_mode): must be one of: fast, "
                      "slow"));

  CU_ASSERT_EQUAL(synth__device_option_set(&fake, v, "even", "4", NULL, &capture), 0);
  log_capture_clear();
  CU_ASSERT_EQUAL(synth__device_option_set(&fake, v, "even", "5", NULL, &capture), SYNTH_EINVAL);
  CU_ASSERT_TRUE(log_capture_has("device option fake.even=5: must be even"));
  CU_ASSERT_EQUAL(synth__device_option_set(&fake, v, "even", "-4", NULL, &capture),
                  SYNTH_EINVAL); /* no sign on a uint */
  CU_ASSERT_EQUAL(v[2].number, 4);
}

/* Every backend's table through the public listing, the way `synthminer devices --options`
 * reads it. */
static void test_listing(void)
{
  unsigned expected = 0;
  for (size_t b = 0; synth__device_backends[b]; b++) {
    unsigned own = 0;
    for (const struct synth__device_option *o = synth__device_backends[b]->options; o && o->name;
         o++)
      own++;
    CU_ASSERT(own <= SYNTH_DEVICE_OPTIONS_MAX); /* what the parser holds values for */
    expected += own;
  }
  unsigned n = synth_device_option_count();
  CU_ASSERT_EQUAL(n, expected);
  CU_ASSERT(n >= 3); /* the CPU backend's own */
  bool lanes = false, threads = false;
  for (unsigned i = 0; i < n; i++) {
    struct synth_device_option_desc d;
    CU_ASSERT_EQUAL_FATAL(synth_device_option(i, &d, sizeof d), 0);
    const char *kind = synth_device_kind_name(d.kind);
    CU_ASSERT_EQUAL(strncmp(d.name, kind, strlen(kind)), 0);
    CU_ASSERT_EQUAL(d.name[strlen(kind)], '.');
    CU_ASSERT_PTR_NOT_NULL(d.default_value);
    CU_ASSERT_PTR_NOT_NULL(d.help);
    CU_ASSERT(d.min <= d.max);
    CU_ASSERT_STRING_NOT_EQUAL(synth_device_option_type_name(d.type), "unknown");
    if (strcmp(d.name, "opencl.lanes") == 0) {
      lanes = true;
      CU_ASSERT_EQUAL(d.type, SYNTH_OPTION_UINT);
      CU_ASSERT_EQUAL(d.min, 1);
      CU_ASSERT_EQUAL(d.max, 16);
    }
    threads |= strcmp(d.name, "cpu.threads") == 0;
  }
  CU_ASSERT_TRUE(threads);
  CU_ASSERT_EQUAL(lanes, backend("opencl") != NULL);
  struct synth_device_option_desc d;
  CU_ASSERT_EQUAL(synth_device_option(n, &d, sizeof d), SYNTH_EINVAL);
  CU_ASSERT_EQUAL(synth_device_option(0, NULL, sizeof d), SYNTH_EINVAL);
  CU_ASSERT_EQUAL(synth_device_option(0, &d, 8), SYNTH_EINVAL);
  CU_ASSERT_STRING_EQUAL(synth_device_option_type_name((enum synth_device_option_type)99),
                         "unknown");
}

struct found {
  bool opencl, vulkan;
};

static void on_desc(void *user, const struct synth_device_desc *d)
{
  struct found *f = user;
  f->opencl |= strcmp(d->id, "opencl:0") == 0;
  f->vulkan |= strcmp(d->id, "vulkan:0") == 0;
}

/* Creates a runtime on devices with options and returns device 0's engine in engine. */
static void engine_with(const char *devices, const char *options, char *engine, size_t size)
{
  struct synth_runtime_config cfg = {.devices = devices,
                                     .device_options = options,
                                     .log_fn = log_capture_fn,
                                     .log_level = SYNTH_LOG_ERROR};
  synth_runtime *rt = NULL;
  log_capture_clear();
  CU_ASSERT_EQUAL_FATAL(synth_miner_create(&rt, &cfg, NULL), 0);
  CU_ASSERT_EQUAL(synth_runtime_device_count(rt), 1);
  struct synth_device_stats st;
  CU_ASSERT_EQUAL(synth_runtime_device_stats(rt, 0, &st, sizeof st), 0);
  snprintf(engine, size, "%s", st.engine);
  synth_runtime_destroy(rt);
}

/* What device_options says is what the devices run with. */
static void test_options_reach_devices(void)
{
  char engine[32];
  engine_with("cpu", "cpu.threads=1,cpu.core=generic", engine, sizeof engine);
  CU_ASSERT_STRING_EQUAL(engine, "generic");
  /* An option given twice takes the later value. */
  engine_with("cpu", "cpu.core=no-such-core,cpu.threads=1,cpu.core=generic", engine, sizeof engine);
  CU_ASSERT_STRING_EQUAL(engine, "generic");
  /* A bad value stops the probe too, with its message. */
  struct synth_runtime_config cfg = {
      .device_options = "cpu.threads=0", .log_fn = log_capture_fn, .log_level = SYNTH_LOG_ERROR};
  log_capture_clear();
  CU_ASSERT_EQUAL(synth_probe(&cfg, on_desc, &(struct found){0}), SYNTH_EINVAL);
  CU_ASSERT_TRUE(log_capture_has("device option cpu.threads=0:"));

  struct found f = {0};
  CU_ASSERT_EQUAL(synth_probe(&(struct synth_runtime_config){.devices = "everything"}, on_desc, &f),
                  0);
  if (f.opencl) {
    engine_with("opencl:0", "opencl.lanes=2,opencl.work_group=32", engine, sizeof engine);
    CU_ASSERT_STRING_EQUAL(engine, "opencl wg32 x2");
  } else {
    fprintf(stderr, "\n    no OpenCL device here: its options are not tried on one ");
  }
  if (f.vulkan) {
    engine_with("vulkan:0", "vulkan.work_group=32,vulkan.nonces=4,vulkan.mad_adds=3", engine,
                sizeof engine);
    CU_ASSERT_STRING_EQUAL(engine, "vulkan wg32 x4 t3");
  } else {
    fprintf(stderr, "\n    no Vulkan device here: its options are not tried on one ");
  }
}

SYNTH_TEST_MAIN("device_options", SYNTH_TEST(test_good_values),
                SYNTH_TEST(test_errors_name_the_option), SYNTH_TEST(test_types_and_check),
                SYNTH_TEST(test_listing), SYNTH_TEST(test_options_reach_devices))
