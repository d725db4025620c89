/* test_cli.c: the synthminer command driven as a user drives it: exit codes, messages, output. */
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "support/harness.h"
#include "support/spawn.h"

/* Runs synthminer with args; after signal_after_ms (if non-zero) sends SIGINT. */
static void run_cli(const char *const *args, unsigned signal_after_ms, struct synth_test_outcome *o)
{
  CU_ASSERT_FATAL(synth_test_run_program(SYNTHMINER_PATH, args, signal_after_ms, o));
  if (o->timed_out)
    CU_FAIL("synthminer did not finish in 120 s");
}

static size_t lines(const char *s)
{
  size_t n = 0;
  for (; *s; s++)
    n += *s == '\n';
  return n;
}

/* Bad usage: exit status 2 and exactly one line on stderr that names the problem. */
static void expect_usage_error(const char *const *args, const char *mentions)
{
  struct synth_test_outcome o;
  run_cli(args, 0, &o);
  CU_ASSERT_EQUAL(o.status, 2);
  CU_ASSERT_EQUAL(lines(o.err), 1);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.err, mentions));
  CU_ASSERT_EQUAL(o.out_len, 0);
  if (o.status != 2 || lines(o.err) != 1 || !strstr(o.err, mentions))
    fprintf(stderr, "args[0]=%s -> status %d, stderr: %s\n", args[0], o.status, o.err);
}

static void test_usage_errors(void)
{
  expect_usage_error((const char *[]){"frobnicate", NULL}, "frobnicate");
  expect_usage_error((const char *[]){"run", "--bogus", NULL}, "--bogus");
  expect_usage_error((const char *[]){"run", "--threads", "0", NULL}, "--threads");
  expect_usage_error((const char *[]){"run", "--threads", "abc", NULL}, "--threads");
  expect_usage_error((const char *[]){"run", "--threads", "-1", NULL}, "--threads");
  expect_usage_error((const char *[]){"run", "--threads", NULL}, "needs a value");
  expect_usage_error((const char *[]){"run", "--duration", "-3", NULL}, "--duration");
  expect_usage_error((const char *[]){"run", "--duration", "1x", NULL}, "--duration");
  expect_usage_error((const char *[]){"run", "--difficulty", "0", NULL}, "--difficulty");
  expect_usage_error((const char *[]){"run", "--difficulty", "nan", NULL}, "--difficulty");
  expect_usage_error((const char *[]){"run", "--json=yes", NULL}, "takes no value");
  expect_usage_error((const char *[]){"run", "extra", NULL}, "extra");
  expect_usage_error((const char *[]){"run", "--log-level", "loud", NULL}, "--log-level");
  expect_usage_error((const char *[]){"run", "--devices", "gpu", NULL}, "gpu");
  expect_usage_error((const char *[]){"run", "--devices", "", NULL}, "--devices");
  expect_usage_error((const char *[]){"run", "--devices", "cpu:1", NULL}, "cpu");
  expect_usage_error((const char *[]){"run", "--devices", "opencl:99", NULL}, "opencl");
  expect_usage_error((const char *[]){"run", "--threads", "4096", NULL}, "--threads");
  expect_usage_error((const char *[]){"run", "--cpu-affinity", "9999", NULL}, "9999");
  expect_usage_error((const char *[]){"run", "--cpu-affinity", "0-", NULL}, "--cpu-affinity");
  expect_usage_error((const char *[]){"devices", "--devices", "vulkan:3", NULL}, "vulkan");
  expect_usage_error((const char *[]){"run", "--cpu-core", "turbo", NULL}, "turbo");
  expect_usage_error((const char *[]){"devices", "--cpu-core", "", NULL}, "--cpu-core");
  expect_usage_error((const char *[]){"run", "--prefer", "cuda", NULL}, "--prefer");
  expect_usage_error((const char *[]){"devices", "--prefer", "cuda", NULL}, "--prefer");
  expect_usage_error((const char *[]){"run", "--vulkan-nonces", "0", NULL}, "--vulkan-nonces");
  expect_usage_error((const char *[]){"run", "--vulkan-nonces", "65", NULL}, "--vulkan-nonces");
  expect_usage_error((const char *[]){"run", "--vulkan-mad-adds", "8", NULL}, "--vulkan-mad-adds");
  expect_usage_error((const char *[]){"run", "--vulkan-work-group", "0", NULL},
                     "--vulkan-work-group");
  expect_usage_error((const char *[]){"run", "--batch-timeout", "5", NULL}, "--batch-timeout");
  expect_usage_error((const char *[]){"run", "--target-latency", "0", NULL}, "--target-latency");
  expect_usage_error((const char *[]){"run", "--target-latency", "cpu=5,gpu", NULL},
                     "--target-latency");
  expect_usage_error((const char *[]){"run", "--target-latency", "tpu=5", NULL}, "tpu=5");
  expect_usage_error((const char *[]){"run", "--overrun-factor", "1", NULL}, "--overrun-factor");
  expect_usage_error((const char *[]){"run", "--error-rate-limit", "2", NULL},
                     "--error-rate-limit");
  expect_usage_error((const char *[]){"run", "--sick-limit", "0", NULL}, "--sick-limit");
  expect_usage_error((const char *[]){"run", "--trace", "/nonexistent/dir/t.jsonl", "--duration",
                                      "1", "--no-api", "--devices", "cpu", NULL},
                     "--trace");
}

static void test_help_and_version(void)
{
  struct synth_test_outcome o;
  run_cli((const char *[]){"--version", NULL}, 0, &o);
  CU_ASSERT_EQUAL(o.status, 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "synthminer 0.1.0"));
  run_cli((const char *[]){"--help", NULL}, 0, &o);
  CU_ASSERT_EQUAL(o.status, 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "devices"));
  run_cli((const char *[]){"run", "--help", NULL}, 0, &o);
  CU_ASSERT_EQUAL(o.status, 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "--cpu-affinity"));
  run_cli((const char *[]){NULL}, 0, &o);
  CU_ASSERT_EQUAL(o.status, 2);
}

static void test_devices(void)
{
  struct synth_test_outcome o;
  run_cli((const char *[]){"devices", NULL}, 0, &o);
  CU_ASSERT_EQUAL(o.status, 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "cpu:0"));
  CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "cores"));
  CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "self-benchmark")); /* the core choice and why */
  run_cli((const char *[]){"devices", "--json", "--threads", "1", "--cpu-core", "generic", NULL}, 0,
          &o);
  CU_ASSERT_EQUAL(o.status, 0);
  json_error_t e;
  json_t *root = json_loads(o.out, 0, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(root);
  json_t *devs = json_object_get(root, "devices");
  CU_ASSERT(json_array_size(devs) >= 1);
  CU_ASSERT_TRUE(json_is_true(json_object_get(json_array_get(devs, 0), "selected")));
  for (size_t i = 1; i < json_array_size(devs); i++)
    CU_ASSERT_TRUE(json_is_false(json_object_get(json_array_get(devs, i), "selected")));
  CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(devs, 0), "engine")),
                         "generic");
  for (size_t i = 0; i < json_array_size(devs); i++) { /* what pairs one GPU behind two APIs */
    json_t *d = json_array_get(devs, i);
    CU_ASSERT_TRUE(json_is_string(json_object_get(d, "uuid")));
    CU_ASSERT_TRUE(json_is_string(json_object_get(d, "pci")));
    CU_ASSERT_TRUE(json_is_string(json_object_get(d, "twin")));
  }
  json_decref(root);
}

#if SYNTH_TEST_WITH_VULKAN
/* A Vulkan device named by its id hashes (lavapipe here, left out of "all" next to the native
 * CPU backend), and its shares verify. */
static void test_run_vulkan_device(void)
{
  struct synth_test_outcome o;
  run_cli((const char *[]){"devices", "--json", NULL}, 0, &o);
  /* The test command installs lavapipe: without a Vulkan device something is broken. */
  CU_ASSERT_PTR_NOT_NULL_FATAL(strstr(o.out, "\"vulkan:0\""));
  run_cli((const char *[]){"run", "--devices", "vulkan:0", "--duration", "3", "--difficulty",
                           "0.00002", "--status-interval", "0", "--no-cache", "--json", NULL},
          0, &o);
  CU_ASSERT_EQUAL_FATAL(o.status, 0);
  json_error_t e;
  json_t *root = json_loads(o.out, 0, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(root);
  json_t *d = json_array_get(json_object_get(root, "devices"), 0);
  CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(d, "kind")), "vulkan");
  json_int_t shares = json_integer_value(json_object_get(d, "shares"));
  CU_ASSERT(shares > 0);
  CU_ASSERT_EQUAL(json_integer_value(json_object_get(d, "shares_verified")), shares);
  CU_ASSERT_EQUAL(json_integer_value(json_object_get(d, "hw_errors")), 0);
  json_decref(root);
}
#endif

static void test_run_json_summary(void)
{
  struct synth_test_outcome o;
  run_cli((const char *[]){"run", "--devices", "cpu", "--duration", "2", "--difficulty", "0.00002",
                           "--json", NULL},
          0, &o);
  CU_ASSERT_EQUAL_FATAL(o.status, 0);
  json_error_t e;
  json_t *root = json_loads(o.out, 0, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(root);
  json_t *devs = json_object_get(root, "devices"), *totals = json_object_get(root, "totals");
  CU_ASSERT(json_array_size(devs) >= 1);
  static const char *const fields[] = {"id",       "kind",     "name",   "nonces",
                                       "seconds",  "hashrate", "shares", "shares_verified",
                                       "hw_errors"};
  for (size_t i = 0; i < json_array_size(devs); i++) {
    json_t *d = json_array_get(devs, i);
    for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++)
      CU_ASSERT_PTR_NOT_NULL(json_object_get(d, fields[f]));
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(d, "kind")), "cpu");
    CU_ASSERT(json_real_value(json_object_get(d, "hashrate")) > 0);
  }
  json_int_t shares = json_integer_value(json_object_get(totals, "shares"));
  CU_ASSERT(shares > 0);
  CU_ASSERT_EQUAL(json_integer_value(json_object_get(totals, "shares_verified")), shares);
  CU_ASSERT_EQUAL(json_integer_value(json_object_get(totals, "hw_errors")), 0);
  json_decref(root);
}

/* --trace writes one JSON line per batch, every field there, latencies near the asked target,
 * and the run's telemetry fields are in the JSON summary. */
static void test_run_trace_and_target_latency(void)
{
  char path[] = "/tmp/synth-trace-XXXXXX";
  int fd = mkstemp(path);
  CU_ASSERT_FATAL(fd >= 0);
  close(fd);
  struct synth_test_outcome o;
  run_cli((const char *[]){"run", "--devices", "cpu", "--threads", "1", "--duration", "3",
                           "--target-latency", "cpu=8", "--trace", path, "--no-api",
                           "--status-interval", "0", "--json", NULL},
          0, &o);
  CU_ASSERT_EQUAL_FATAL(o.status, 0);
  FILE *f = fopen(path, "r");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  char line[512];
  unsigned n = 0, complete = 0;
  double tuned[4096];
  uint64_t last_seq = 0;
  while (fgets(line, sizeof line, f)) {
    json_error_t e;
    json_t *r = json_loads(line, 0, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(r, "device")), "cpu:0");
    uint64_t seq = (uint64_t)json_integer_value(json_object_get(r, "seq"));
    CU_ASSERT_EQUAL(seq, last_seq + 1); /* read often enough that none was missed */
    last_seq = seq;
    CU_ASSERT_EQUAL(json_real_value(json_object_get(r, "target_ms")), 8.0);
    CU_ASSERT_PTR_NOT_NULL(json_object_get(r, "state"));
    double lat = json_real_value(json_object_get(r, "latency_ms"));
    bool whole = json_integer_value(json_object_get(r, "nonces")) ==
                 json_integer_value(json_object_get(r, "size"));
    if (whole && n > 20 && complete < sizeof tuned / sizeof tuned[0])
      tuned[complete++] = lat;
    json_decref(r);
    n++;
  }
  fclose(f);
  unlink(path);
  CU_ASSERT(n > 100);
  /* Once tuned, the median batch takes about the asked 8 ms. The median, not a share within a
   * band: on a loaded 2-core machine other tests stall many single batches both ways, but the
   * tuner sizes from the measured rate, so the middle stays on target. */
  CU_ASSERT_FATAL(complete > 20);
  double median = synth_test_median(tuned, complete);
  CU_ASSERT(median > 8 / 1.5 && median < 8 * 1.5);
  json_error_t e;
  json_t *root = json_loads(o.out, 0, &e);
  CU_ASSERT_PTR_NOT_NULL_FATAL(root);
  json_t *d = json_array_get(json_object_get(root, "devices"), 0);
  static const char *const fields[] = {"hashrate_10s", "hashrate_60s", "hashrate_15m",
                                       "batch_size",   "error_rate",   "state"};
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
    CU_ASSERT_PTR_NOT_NULL(json_object_get(d, fields[i]));
  json_decref(root);
}

/* SIGINT stops cleanly: exit 0 and the final table. */
static void test_sigint_stops_cleanly(void)
{
  struct synth_test_outcome o;
  run_cli((const char *[]){"run", "--devices", "cpu", "--status-interval", "0.5", NULL}, 1500, &o);
  CU_ASSERT_EQUAL(o.status, 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "DEVICE"));
  CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "total"));
  CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "H/s")); /* at least one status line came first */
}

int main(void)
{
  static const struct synth_test tests[] = {
    SYNTH_TEST(test_usage_errors),
    SYNTH_TEST(test_help_and_version),
    SYNTH_TEST(test_devices),
    SYNTH_TEST(test_run_json_summary),
    SYNTH_TEST(test_run_trace_and_target_latency),
#if SYNTH_TEST_WITH_VULKAN
    SYNTH_TEST(test_run_vulkan_device),
#endif
    SYNTH_TEST(test_sigint_stops_cleanly),
    SYNTH_TEST_END,
  };
  return synth_test_run("cli", tests);
}
